import json


def lambda_handler(event, context):
    print("Hello from Nube! Received event: " + json.dumps(event))
    return event
