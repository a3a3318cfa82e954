import urllib.parse


def lambda_handler(event, context):
    """Handles S3 ObjectCreated notifications: logs each new object and returns their keys."""
    keys = []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        size = record["s3"]["object"].get("size", 0)
        print(f"New object s3://{bucket}/{key} ({size} bytes)")
        keys.append(key)
    return {"processed": len(keys), "keys": keys}
