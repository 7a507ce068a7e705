"""Handler for the guard bootstrap end-to-end test: logs every invocation it sees, and on
rawPath /secret tries to read /etc/shadow (which the test's policy denies)."""
import json, os

LOG = os.environ["HANDLER_LOG"]


def handler(event, context):
    path = event.get("rawPath")
    secret = None
    if path == "/secret":
        try:
            open("/etc/shadow").read()
            secret = "read"
        except PermissionError:
            secret = "denied"
    with open(LOG, "a") as f:
        f.write(json.dumps({"id": context.aws_request_id, "path": path, "secret": secret}) + "\n")
    return {"statusCode": 200, "body": json.dumps({"path": path, "secret": secret})}
