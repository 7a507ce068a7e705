#!/usr/bin/env python3
"""A runtime client on a raw socket, for what awslambdaric cannot do (streamed responses)
or must not see (a failing upstream). Prints one JSON object.

    raw_client.py HOST:PORT headers|stream|post|hangup
"""
import base64, json, socket, sys, time


def connect(addr):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_response(f):
    status_line = f.readline().decode("latin-1").rstrip("\r\n")
    if not status_line:
        return None
    headers = []
    while True:
        h = f.readline().decode("latin-1").rstrip("\r\n")
        if not h:
            break
        name, _, value = h.partition(":")
        headers.append([name, value.strip()])
    hmap = {k.lower(): v for k, v in headers}
    body = b""
    if "chunked" in hmap.get("transfer-encoding", ""):
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                while f.readline() not in (b"\r\n", b""):
                    pass
                break
            body += f.read(size)
            f.readline()
    elif "content-length" in hmap:
        body = f.read(int(hmap["content-length"]))
    return {"status": int(status_line.split(" ")[1]), "headers": headers, "body_b64": base64.b64encode(body).decode()}


def main():
    addr, mode = sys.argv[1], sys.argv[2]
    s = connect(addr)
    f = s.makefile("rb")
    s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: " + addr.encode()
              + b"\r\nUser-Agent: raw-client/1\r\n\r\n")
    if mode == "hangup":
        time.sleep(0.2)
        s.close()
        print(json.dumps({"hung_up": True}))
        return
    event = read_response(f)
    rid = dict((k.lower(), v) for k, v in event["headers"])["lambda-runtime-aws-request-id"]
    out = {"event": event}
    path = f"/2018-06-01/runtime/invocation/{rid}/response".encode()
    if mode == "stream":
        pieces = [b'{"statusCode":200,"headers":{"content-type":"text/plain"}}', b"\x00" * 8,
                  b"first part\n", b"second part, a little longer\n", b"x" * 70000, b"last part\n"]
        s.sendall(b"POST " + path + b" HTTP/1.1\r\nHost: " + addr.encode()
                  + b"\r\nLambda-Runtime-Function-Response-Mode: streaming\r\n"
                  + b"Content-Type: application/vnd.awslambda.http-integration-response\r\n"
                  + b"Transfer-Encoding: chunked\r\n"
                  + b"Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n")
        sent = []
        for p in pieces:
            s.sendall(f"{len(p):x}\r\n".encode() + p + b"\r\n")
            sent.append(len(p))
            time.sleep(0.15)
        s.sendall(b"0\r\nLambda-Runtime-Function-Error-Type: Runtime.StreamTruncated\r\n"
                  + b"Lambda-Runtime-Function-Error-Body: c3RyZWFtIGVuZGVkIGVhcmx5\r\n\r\n")
        out["sent_b64"] = base64.b64encode(b"".join(pieces)).decode()
    else:
        body = b'{"statusCode":200,"body":"ok"}'
        s.sendall(b"POST " + path + b" HTTP/1.1\r\nHost: " + addr.encode()
                  + b"\r\nContent-Type: application/json\r\nX-Custom-Header: kept\r\n"
                  + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    try:
        out["response"] = read_response(f)
    except (ConnectionError, OSError) as e:
        out["response"] = {"error": str(e)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
