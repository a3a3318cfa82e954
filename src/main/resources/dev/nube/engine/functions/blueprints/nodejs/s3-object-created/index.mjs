// Handles S3 ObjectCreated notifications: logs each new object and returns their keys.
export const handler = async (event) => {
  const keys = [];
  for (const record of event.Records ?? []) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    console.log(`New object s3://${bucket}/${key} (${record.s3.object.size ?? 0} bytes)`);
    keys.push(key);
  }
  return { processed: keys.length, keys };
};
