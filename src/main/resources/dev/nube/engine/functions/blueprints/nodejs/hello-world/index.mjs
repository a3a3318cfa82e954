export const handler = async (event, context) => {
  console.log('Hello from Nube! Received event:', JSON.stringify(event));
  return event;
};
