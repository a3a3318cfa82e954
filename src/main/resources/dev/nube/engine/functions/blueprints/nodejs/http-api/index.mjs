// Answers an API Gateway proxy request (REST or HTTP API) with a JSON greeting.
export const handler = async (event, context) => {
  const name = event.queryStringParameters?.name ?? 'world';
  const method = event.httpMethod ?? event.requestContext?.http?.method ?? 'GET';
  console.log(`${method} ${event.path ?? event.rawPath ?? '/'} name=${name}`);
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: `Hello, ${name}!`, requestId: context.awsRequestId }),
  };
};
