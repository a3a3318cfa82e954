import json


def lambda_handler(event, context):
    """Answers an API Gateway proxy request (REST or HTTP API) with a JSON greeting."""
    params = event.get("queryStringParameters") or {}
    name = params.get("name", "world")
    method = event.get("httpMethod") or event.get("requestContext", {}).get("http", {}).get("method", "GET")
    print(f"{method} {event.get('path') or event.get('rawPath', '/')} name={name}")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": f"Hello, {name}!", "requestId": context.aws_request_id}),
    }
