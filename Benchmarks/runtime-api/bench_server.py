#!/usr/bin/env python3
"""A minimal, fast Lambda Runtime API for the latency benchmark: every `next` returns the
same API Gateway v2 event (about 1 KB) with a fresh request id, every response gets 202.
Keep-alive, TCP_NODELAY, one thread per connection. Prints "PORT <n>"."""
import json, socket, sys, threading

EVENT = json.dumps({
    "version": "2.0", "routeKey": "$default", "rawPath": "/orders/42", "rawQueryString": "page=2",
    "headers": {"content-type": "application/json", "host": "api.example.com", "user-agent": "curl/8.5.0",
                "x-forwarded-for": "203.0.113.7", "x-forwarded-port": "443", "x-forwarded-proto": "https"},
    "queryStringParameters": {"page": "2"},
    "requestContext": {"accountId": "123456789012", "apiId": "abc123", "domainName": "api.example.com",
                       "http": {"method": "POST", "path": "/orders/42", "protocol": "HTTP/1.1",
                                "sourceIp": "203.0.113.7", "userAgent": "curl/8.5.0"},
                       "requestId": "JKJaXmPLvHcESHA=", "routeKey": "$default", "stage": "$default",
                       "time": "26/Nov/2026:15:04:05 +0000", "timeEpoch": 1795000000000},
    "body": json.dumps({"item": "book", "qty": 2, "note": "deliver to the back door"}),
    "isBase64Encoded": False,
}).encode()
ACCEPTED = b"HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"OK\"}"


def serve(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    counter = 0
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            head, _, buf = buf.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            while len(buf) < length:
                data = conn.recv(65536)
                if not data:
                    return
                buf += data
            buf = buf[length:]
            if head.startswith(b"GET "):
                counter += 1
                rid = b"%08d-bench-%d" % (counter, threading.get_ident() % 10000)
                conn.sendall(b"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: " + rid
                             + b"\r\nLambda-Runtime-Deadline-Ms: 1795000000000"
                             + b"\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench"
                             + b"\r\nLambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
                             + b"\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(EVENT)).encode() + b"\r\n\r\n" + EVENT)
            else:
                conn.sendall(ACCEPTED)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    s.listen(16)
    print("PORT", s.getsockname()[1], flush=True)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
