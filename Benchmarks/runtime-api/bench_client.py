#!/usr/bin/env python3
"""The benchmark's runtime client: next -> response round trips on one keep-alive connection
per target, timed with perf_counter_ns. Alternates blocks of invocations between the direct
Runtime API ($BENCH_DIRECT_API) and the one it was given ($AWS_LAMBDA_RUNTIME_API, the proxy),
so both see the same machine load. Writes {"direct": [ns...], "proxy": [ns...]} to $BENCH_OUT."""
import json, os, socket, time

RESPONSE = json.dumps({"statusCode": 200, "headers": {"content-type": "application/json"},
                       "body": json.dumps({"ok": True, "id": 42})}).encode()


class Client:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.addr = addr.encode()
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def read_response(self):
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        length, rid = 0, None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"lambda-runtime-aws-request-id":
                rid = value.strip()
        while len(self.buf) < length:
            self.buf += self.sock.recv(65536)
        body, self.buf = self.buf[:length], self.buf[length:]
        return rid, body

    def invocation(self):
        self.sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: " + self.addr
                          + b"\r\nUser-Agent: bench\r\n\r\n")
        rid, _ = self.read_response()
        self.sock.sendall(b"POST /2018-06-01/runtime/invocation/" + rid + b"/response HTTP/1.1\r\nHost: "
                          + self.addr + b"\r\nContent-Type: application/json\r\nContent-Length: "
                          + str(len(RESPONSE)).encode() + b"\r\n\r\n" + RESPONSE)
        self.read_response()


def main():
    n = int(os.environ.get("BENCH_INVOCATIONS", "2000"))
    block = int(os.environ.get("BENCH_BLOCK", "50"))
    targets = {"direct": Client(os.environ["BENCH_DIRECT_API"]), "proxy": Client(os.environ["AWS_LAMBDA_RUNTIME_API"])}
    for c in targets.values():  # warm-up
        for _ in range(100):
            c.invocation()
    samples = {"direct": [], "proxy": []}
    clock = time.perf_counter_ns
    while len(samples["proxy"]) < n:
        for name, c in targets.items():
            for _ in range(block):
                t0 = clock()
                c.invocation()
                samples[name].append(clock() - t0)
    with open(os.environ["BENCH_OUT"], "w") as f:
        json.dump(samples, f)


if __name__ == "__main__":
    main()
