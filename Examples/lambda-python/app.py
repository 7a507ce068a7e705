"""orders-api: a small API Gateway HTTP API (v2) handler, the function guard protects in
this example. It reads its catalogue from the deployment package, writes a receipt to
/tmp and answers JSON; nothing else on the file system or the network is its business,
and the policy says so."""
import json
import os
import time

CATALOGUE_PATH = os.path.join(os.environ.get("LAMBDA_TASK_ROOT", os.path.dirname(__file__)), "catalogue.json")
with open(CATALOGUE_PATH) as f:
    CATALOGUE = json.load(f)


def respond(status, body):
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def handler(event, context):
    http = event.get("requestContext", {}).get("http", {})
    method, path = http.get("method", "GET"), event.get("rawPath", "/")
    if method == "GET" and path == "/items":
        query = (event.get("queryStringParameters") or {}).get("q", "").lower()
        return respond(200, [item for item in CATALOGUE if query in item["name"].lower()])
    if method == "POST" and path == "/orders":
        try:
            order = json.loads(event.get("body") or "{}")
        except json.JSONDecodeError:
            return respond(400, {"error": "body is not JSON"})
        item = next((i for i in CATALOGUE if i["sku"] == order.get("sku")), None)
        if item is None:
            return respond(404, {"error": "unknown sku"})
        receipt = {"request": context.aws_request_id, "sku": item["sku"], "qty": int(order.get("qty", 1)),
                   "total": item["price"] * int(order.get("qty", 1)), "time": int(time.time())}
        with open(f"/tmp/receipt-{context.aws_request_id}.json", "w") as f:
            json.dump(receipt, f)
        return respond(201, receipt)
    return respond(404, {"error": f"no route for {method} {path}"})
