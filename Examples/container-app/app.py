"""A small web service, the kind of entrypoint guard wraps in a container.

`python3 app.py` serves on :8080. `python3 app.py --once` serves one request to itself,
then tries what a compromised service would (a container-escape syscall, a secret file),
and prints what happened: under `guard run` both are refused and reported.
"""
import ctypes
import http.server
import json
import sys
import threading
import urllib.request


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path, "status": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def once():
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.handle_request, daemon=True).start()
    with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/orders/42") as r:
        print("request:", r.read().decode())
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS = 0x00020000
    rc = libc.unshare(CLONE_NEWNS)
    print("unshare(CLONE_NEWNS):", "allowed" if rc == 0 else f"refused ({ctypes.get_errno()})")
    try:
        open("/etc/shadow").read()
        print("/etc/shadow: readable")
    except OSError as e:
        print(f"/etc/shadow: refused ({e.errno})")


if __name__ == "__main__":
    if "--once" in sys.argv:
        once()
    else:
        http.server.HTTPServer(("0.0.0.0", 8080), Handler).serve_forever()
