"""A Lambda handler for the proxy tests: logs every invocation it sees to $HANDLER_LOG
(one JSON line: request id, function ARN, the exact response bytes it returns), then
answers like an API Gateway v2 integration."""
import json, os, time
from awslambdaric.lambda_runtime_marshaller import to_json

LOG = os.environ["HANDLER_LOG"]


def handler(event, context):
    result = {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({"path": event.get("rawPath"), "echo": event.get("body"),
                            "query": event.get("queryStringParameters")}),
    }
    with open(LOG, "a") as f:
        f.write(json.dumps({"id": context.aws_request_id, "arn": context.invoked_function_arn,
                            "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                            "path": event.get("rawPath"), "response": to_json(result)}) + "\n")
    if event.get("rawPath") == "/big":
        result["body"] = "y" * 1_500_000
        with open(LOG, "a") as f:
            f.write(json.dumps({"id": context.aws_request_id, "big_response": to_json(result)}) + "\n")
    if event.get("rawPath") == "/sleep":
        time.sleep(1.0)
    return result
