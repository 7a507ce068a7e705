#!/usr/bin/env python3
"""Turn each corpus sample into an AWS API Gateway HTTP API (v2) event at its location.

Usage: make_events.py CORPUS.jsonl EVENTS.jsonl LABELS.jsonl [REQUESTS.txt]

REQUESTS.txt holds the same events as raw HTTP requests for the ModSecurity harness:
"M method", "U uri", "H name<TAB>value" lines, "B length" + the body bytes + newline, "E".

query -> rawQueryString (the `encoded` wire form when given) + queryStringParameters
body  -> body with its content-type header; form-encoded field when there is no content_type
header -> headers (Cookie -> the v2 `cookies` array); path -> rawPath + requestContext.http.path
part: name -> the parameter name; part: raw -> the whole query string / form body.
The split is a stable FNV-1a hash of the id: hash % 5 == 0 is held out (20 %).
"""
import json
import sys
from urllib.parse import quote, quote_plus, parse_qsl


def fnv(s):
    h = 0x811C9DC5
    for b in s.encode():
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def split_of(sample_id):
    return "holdout" if fnv(sample_id) % 5 == 0 else "train"


UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


def event_v2(r):
    loc = r["location"]
    part = r.get("part")
    payload = r["payload"]
    enc = r.get("encoded")
    param = r.get("param", "q")
    headers = {"host": "api.example.com", "user-agent": UA, "accept": "*/*", "x-forwarded-for": "203.0.113.7",
               "x-forwarded-proto": "https", "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678"}
    ev = {"version": "2.0", "routeKey": "$default", "rawPath": "/api/items", "rawQueryString": ""}
    qsp = None
    body = None
    cookies = None
    method = "GET"
    path = "/api/items"
    if loc == "query":
        if part == "name":
            ev["rawQueryString"] = (enc if enc is not None else quote(payload, safe="")) + "=1"
            qsp = {payload: "1"}
        elif part == "raw":
            ev["rawQueryString"] = enc if enc is not None else payload
            qsp = {}
            for k, v in parse_qsl(payload, keep_blank_values=True):
                qsp[k] = v if k not in qsp else qsp[k] + "," + v
        else:
            ev["rawQueryString"] = param + "=" + (enc if enc is not None else quote_plus(payload))
            qsp = {param: payload}
    elif loc == "body":
        method = "POST"
        ct = r.get("content_type")
        if ct:
            headers["content-type"] = ct
            body = payload
        else:
            headers["content-type"] = "application/x-www-form-urlencoded"
            if part == "name":
                body = (enc if enc is not None else quote_plus(payload)) + "=1"
            elif part == "raw":
                body = enc if enc is not None else payload
            else:
                body = param + "=" + (enc if enc is not None else quote_plus(payload))
    elif loc == "header":
        name = r.get("header", "x-test").lower()
        if name == "cookie":
            cookies = [c.strip() for c in payload.split(";") if c.strip()]
        else:
            headers[name] = payload
    elif loc == "path":
        path = payload if payload.startswith("/") else "/" + payload
        ev["rawPath"] = enc if enc is not None else quote(path, safe="/")
    if cookies is not None:
        ev["cookies"] = cookies
    ev["headers"] = headers
    if qsp is not None:
        ev["queryStringParameters"] = qsp
    ev["requestContext"] = {
        "accountId": "123456789012", "apiId": "abc123xyz", "domainName": "api.example.com", "domainPrefix": "api",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": UA},
        "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "$default",
        "time": "26/Nov/2026:16:00:00 +0000", "timeEpoch": 1795708800000}
    if body is not None:
        ev["body"] = body
    ev["isBase64Encoded"] = False
    return ev


def request_record(ev):
    """The HTTP request an API Gateway v2 event stands for."""
    method = ev["requestContext"]["http"]["method"]
    uri = ev["rawPath"] + ("?" + ev["rawQueryString"] if ev["rawQueryString"] else "")
    out = bytearray()
    clean = lambda s: s.replace("\r", " ").replace("\n", " ")
    out += f"M {method}\n".encode()
    out += b"U " + clean(uri).encode("utf-8", "surrogateescape") + b"\n"
    for k, v in ev["headers"].items():
        out += b"H " + k.encode() + b"\t" + clean(v).encode("utf-8", "surrogateescape") + b"\n"
    if "cookies" in ev:
        out += b"H cookie\t" + clean("; ".join(ev["cookies"])).encode("utf-8", "surrogateescape") + b"\n"
    body = ev.get("body", "").encode("utf-8", "surrogateescape")
    out += f"B {len(body)}\n".encode() + body + b"\nE\n"
    return bytes(out)


def main():
    src, events_path, labels_path = sys.argv[1:4]
    req = open(sys.argv[4], "wb") if len(sys.argv) > 4 else None
    with open(src) as f, open(events_path, "w") as ev, open(labels_path, "w") as lab:
        for line in f:
            r = json.loads(line)
            e = event_v2(r)
            ev.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
            if req:
                req.write(request_record(e))
            lab.write(json.dumps({"id": r["id"], "class": r["class"], "source": r["source"].split(":")[0],
                                  "split": split_of(r["id"])}) + "\n")


if __name__ == "__main__":
    main()
