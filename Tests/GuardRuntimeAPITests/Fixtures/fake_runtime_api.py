#!/usr/bin/env python3
"""A Lambda Runtime API (2018-06-01) server for tests: queues the events of a scenario,
records every request the runtime side makes, and misbehaves on command.

    fake_runtime_api.py --scenario FILE --records FILE [--port N]

Prints "PORT <n>" once listening. Records are JSON Lines, one per request:
{"kind": "next"|"response"|"error"|"init_error"|"other", "method", "path", "id",
 "headers": [[name, value]...], "body_b64", "trailers": [[name, value]...],
 "chunks": [[seconds_since_head, length]...], "time": seconds}

Scenario (JSON):
  events: [{"id", "body" (str) or "body_size" (int, filler JSON), "headers": {...},
            "mode": "normal"|"chunked"|"slow"|"stall", "slow_pieces", "slow_delay", "stall_seconds"}]
  reset_next: N          reset (RST) the first N `next` requests instead of answering
  reset_response_for: [id]   reset the connection when the response POST for id arrives
  one_at_a_time: true    hand out event i+1 only after event i got a response or error
  next_delay: seconds    hold every `next` this long before answering (records a hang-up)
"""
import argparse, base64, json, select, socket, socketserver, struct, sys, threading, time

lock = threading.Condition()
state = {"queue": [], "outstanding": None, "resets_left": 0, "records": None, "scenario": {}}
T0 = time.monotonic()


def record(entry):
    entry["time"] = time.monotonic() - T0
    with lock:
        state["records"].write(json.dumps(entry) + "\n")
        state["records"].flush()
        lock.notify_all()


def reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Handler(socketserver.StreamRequestHandler):
    def read_line(self):
        line = self.rfile.readline(65537)
        if not line:
            raise EOFError
        return line

    def handle(self):
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while self.one_request():
                pass
        except (EOFError, ConnectionError, OSError):
            pass

    def one_request(self):
        line = self.read_line()
        while line in (b"\r\n", b"\n"):
            line = self.read_line()
        method, path, _ = line.decode("latin-1").split(" ", 2)
        headers = []
        while True:
            h = self.read_line().decode("latin-1").rstrip("\r\n")
            if not h:
                break
            name, _, value = h.partition(":")
            headers.append([name, value.strip()])
        hmap = {k.lower(): v for k, v in headers}
        kind, rid = classify(method, path)
        if kind == "response" and rid in state["scenario"].get("reset_response_for", []):
            record({"kind": "reset", "method": method, "path": path, "id": rid, "headers": headers})
            reset(self.connection)
            return False
        t_head = time.monotonic()
        body, trailers, chunks = b"", [], []
        if "chunked" in hmap.get("transfer-encoding", "").lower():
            while True:
                size = int(self.read_line().split(b";")[0].strip(), 16)
                if size == 0:
                    break
                data = self.rfile.read(size)
                chunks.append([time.monotonic() - t_head, len(data)])
                body += data
                self.read_line()
            while True:
                t = self.read_line().decode("latin-1").rstrip("\r\n")
                if not t:
                    break
                name, _, value = t.partition(":")
                trailers.append([name, value.strip()])
        elif "content-length" in hmap:
            body = self.rfile.read(int(hmap["content-length"]))
        if kind == "next":
            return self.serve_next(method, path, headers)
        record({"kind": kind, "method": method, "path": path, "id": rid, "headers": headers,
                "body_b64": base64.b64encode(body).decode(), "trailers": trailers, "chunks": chunks})
        if kind in ("response", "error"):
            with lock:
                if state["outstanding"] == rid:
                    state["outstanding"] = None
                lock.notify_all()
        status = b"202 Accepted" if kind in ("response", "error", "init_error") else b"404 Not Found"
        out = b'{"status":"OK"}' if status.startswith(b"202") else b'{"errorMessage":"unknown path"}'
        self.wfile.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\nContent-Length: "
                         + str(len(out)).encode() + b"\r\n\r\n" + out)
        self.wfile.flush()
        return True

    def serve_next(self, method, path, headers):
        with lock:
            if state["resets_left"] > 0:
                state["resets_left"] -= 1
                record_now = True
            else:
                record_now = False
        if record_now:
            record({"kind": "next-reset", "method": method, "path": path, "id": None, "headers": headers})
            time.sleep(0.05)
            reset(self.connection)
            return False
        # Like Lambda, hold `next` open; a client that hangs up meanwhile gets no event.
        end = time.monotonic() + state["scenario"].get("next_delay", 0)
        while time.monotonic() < end:
            ready, _, _ = select.select([self.connection], [], [], 0.02)
            if ready and self.connection.recv(1, socket.MSG_PEEK) == b"":
                record({"kind": "next-abandoned", "method": method, "path": path, "id": None, "headers": headers})
                return False
        with lock:
            while not state["queue"] or (state["scenario"].get("one_at_a_time") and state["outstanding"]):
                lock.wait(0.5)
            event = state["queue"].pop(0)
            state["outstanding"] = event["id"]
        record({"kind": "next", "method": method, "path": path, "id": event["id"], "headers": headers})
        if "body_size" in event:
            n = event["body_size"]
            body = (b'{"filler":"' + b"x" * max(0, n - 14) + b'"}')[:max(n, 0)]
        else:
            body = event["body"].encode()
        hdrs = {"Lambda-Runtime-Aws-Request-Id": event["id"],
                "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 300000),
                "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:guarded",
                "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
                "Content-Type": "application/json"}
        hdrs.update(event.get("headers", {}))
        mode = event.get("mode", "normal")
        head = b"HTTP/1.1 200 OK\r\n" + b"".join(f"{k}: {v}\r\n".encode() for k, v in hdrs.items())
        if mode == "chunked":
            out = head + b"Transfer-Encoding: chunked\r\n\r\n"
            for i in range(0, len(body), 7):
                piece = body[i:i + 7]
                out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
            self.wfile.write(out + b"0\r\n\r\n")
            self.wfile.flush()
            return True
        self.wfile.write(head + f"Content-Length: {len(body)}\r\n\r\n".encode())
        self.wfile.flush()
        if mode == "slow":
            pieces = event.get("slow_pieces", 10)
            step = max(1, -(-len(body) // pieces))
            for i in range(0, len(body), step):
                self.wfile.write(body[i:i + step])
                self.wfile.flush()
                time.sleep(event.get("slow_delay", 0.1))
            return True
        if mode == "stall":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(event.get("stall_seconds", 5))
            return False
        self.wfile.write(body)
        self.wfile.flush()
        return True


def classify(method, path):
    parts = path.split("?")[0].strip("/").split("/")
    if parts[-3:] == ["runtime", "invocation", "next"]:
        return "next", None
    if len(parts) >= 4 and parts[-3] == "invocation" and parts[-1] in ("response", "error"):
        return parts[-1], parts[-2]
    if parts[-2:] == ["init", "error"]:
        return "init_error", None
    return "other", None


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--records", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    with open(args.scenario) as f:
        scenario = json.load(f)
    state["scenario"] = scenario
    state["queue"] = list(scenario.get("events", []))
    state["resets_left"] = scenario.get("reset_next", 0)
    state["records"] = open(args.records, "a")
    server = Server(("127.0.0.1", args.port), Handler)
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
