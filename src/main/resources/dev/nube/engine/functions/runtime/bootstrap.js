// Nube's Node.js runtime: speaks the Lambda Runtime API (2018-06-01) on AWS_LAMBDA_RUNTIME_API, loads the handler
// named by _HANDLER from /var/task (.js, .mjs or .cjs; CommonJS or ES modules), and runs one invocation at a time,
// as AWS's Node.js runtime does: async handlers, callback handlers with callbackWaitsForEmptyEventLoop, console
// lines as "<time>\t<request id>\tINFO\t<message>". HTTP over one keep-alive socket, by hand (the engine's server
// always sends Content-Length).
'use strict';
const net = require('net');
const fs = require('fs');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

/**
 * A pre-started runtime (NUBE_PRESTARTED=1) waits here, its interpreter up and nothing of any function in it, until
 * the engine gives it its function: the function's whole environment, as JSON on stdin, which replaces the one it
 * started with. Then the handler's import, the init, runs as in any cold start.
 */
(function takeFunction() {
  if (process.env.NUBE_PRESTARTED !== '1') return;
  const chunks = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') continue;
      if (error.code === 'EOF') break;
      throw error;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) process.exit(0); // let go unused
  const variables = JSON.parse(text);
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, variables);
  require('module')._initPaths(); // NODE_PATH (the layers' node_modules) as the function's environment says
})();

/**
 * Under Nube's watchdog (no cgroup here) the kernel bounds each process's private writable memory (RLIMIT_DATA),
 * sized with the 8 MB stacks of libuv's 4 threads in: they start now, so every invocation has the same room.
 */
const DATA_LIMITED = (() => {
  try {
    return !/^Max data size\s+unlimited/m.test(fs.readFileSync('/proc/self/limits', 'utf8'));
  } catch (error) {
    return false;
  }
})();
if (DATA_LIMITED) fs.stat(__filename, () => {});

/**
 * The data limit refused an allocation (a Buffer or ArrayBuffer): the function asked for more memory than it has.
 * The process names itself so the watchdog kills it and reports it out of memory, as a cgroup would have; it waits
 * for that here, and goes on (reporting the error) only if nobody comes.
 */
function outOfMemory(error) {
  if (!DATA_LIMITED || !(error instanceof RangeError) || !/allocation failed/i.test(error.message)) return;
  try {
    fs.writeFileSync('/proc/self/comm', 'out-of-memory');
  } catch (ignored) {
    return;
  }
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10000);
}

const [HOST, PORT] = (() => {
  const address = process.env.AWS_LAMBDA_RUNTIME_API;
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
})();
const BASE = '/2018-06-01/runtime';
const NEXT = `${BASE}/invocation/next`;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT || '/var/task';
let currentRequestId = '';

const HEAD_END = Buffer.from('\r\n\r\n');
/** A header line of a response's head: its name and its value (one regular expression: split and trim cost more). */
const HEADER = /\r\n([^:\r\n]+):[ \t]*([^\r\n]*)/g;

class RuntimeClient {
  constructor() {
    this.socket = null;
    this.buffer = Buffer.alloc(0);
    this.waiting = []; // one per request sent and not answered, in order
  }

  connect() {
    this.socket = net.connect(PORT, HOST);
    this.socket.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    this.socket.on('data', (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.tryParse();
    });
    const fail = (error) => {
      this.socket = null;
      const waiting = this.waiting;
      this.waiting = [];
      for (const { reject } of waiting) reject(error || new Error('the Runtime API closed the connection'));
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail());
  }

  tryParse() {
    while (this.waiting.length && this.parseOne()) {
      // each complete response goes to the request it answers
    }
  }

  parseOne() {
    const end = this.buffer.indexOf(HEAD_END);
    if (end < 0) return false;
    const head = this.buffer.toString('latin1', 0, end);
    const headers = {};
    HEADER.lastIndex = 0;
    for (let field = HEADER.exec(head); field !== null; field = HEADER.exec(head)) {
      headers[field[1].toLowerCase()] = field[2].trimEnd();
    }
    const length = Number(headers['content-length'] || 0);
    const start = end + 4;
    if (this.buffer.length < start + length) return false;
    const body = this.buffer.subarray(start, start + length);
    this.buffer = this.buffer.subarray(start + length);
    const { resolve } = this.waiting.shift();
    const space = head.indexOf(' ');
    resolve({ status: Number(head.slice(space + 1, space + 4)), headers, body });
    return true;
  }

  /** Sends one request and resolves with {status, headers, body}. */
  request(method, urlPath, body, extraHeaders) {
    return this.send([[method, urlPath, body, extraHeaders]])[0];
  }

  /**
   * Posts an answer and asks for the next invocation in one write (HTTP/1.1 pipelining): the engine reads the GET
   * just after the POST, and the runtime makes no round trip of its own in between. Resolves with the next event.
   */
  answerThenNext(urlPath, body, extraHeaders) {
    const [posted, next] = this.send([['POST', urlPath, body, extraHeaders], ['GET', NEXT]]);
    next.catch(() => {}); // a broken connection is reported once, through posted
    return posted.then(() => next);
  }

  /** Writes requests [method, path, body, headers] at once; one promise of {status, headers, body} for each. */
  send(requests) {
    if (!this.socket) this.connect();
    this.socket.ref();
    const messages = requests.map(([method, urlPath, body, extraHeaders]) => {
      const payload = body ? Buffer.from(body) : Buffer.alloc(0);
      let head = `${method} ${urlPath} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${payload.length}\r\n`;
      for (const [name, value] of Object.entries(extraHeaders || {})) head += `${name}: ${value}\r\n`;
      return Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]);
    });
    const promises = requests.map(() => new Promise((resolve, reject) => this.waiting.push({ resolve, reject })));
    this.socket.write(Buffer.concat(messages));
    this.tryParse();
    return promises;
  }

  idle() {
    if (this.socket) this.socket.unref();
  }
}

function patchConsole() {
  const write = (level) => (...args) => {
    const line = util.format(...args).replace(/\n/g, '\r');
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${line}\n`);
  };
  console.log = write('INFO');
  console.info = write('INFO');
  console.warn = write('WARN');
  console.error = write('ERROR');
  console.debug = write('DEBUG');
  console.trace = write('TRACE');
}

function toErrorBody(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack || '').split('\n'),
    };
  }
  return { errorType: typeof error, errorMessage: typeof error === 'string' ? error : JSON.stringify(error), trace: [] };
}

async function loadHandler(handler) {
  const dot = handler.lastIndexOf('.');
  if (dot < 1) {
    return { initError: { errorType: 'Runtime.MalformedHandlerName', errorMessage: `Bad handler ${handler}`, trace: [] } };
  }
  const moduleName = handler.slice(0, dot);
  const exportPath = handler.slice(dot + 1).split('.');
  const base = path.resolve(TASK_ROOT, moduleName);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((candidate) => fs.existsSync(candidate));
  let module;
  try {
    if (!file) {
      const error = new Error(`Cannot find module '${moduleName}'`);
      error.code = 'MODULE_NOT_FOUND';
      throw error;
    }
    if (file.endsWith('.mjs')) {
      module = await import(pathToFileURL(file).href);
    } else {
      try {
        module = require(file);
      } catch (error) {
        if (error.code !== 'ERR_REQUIRE_ESM') throw error;
        module = await import(pathToFileURL(file).href);
      }
    }
  } catch (error) {
    outOfMemory(error);
    const body = toErrorBody(error);
    if (error instanceof SyntaxError) {
      body.errorType = 'Runtime.UserCodeSyntaxError';
      body.errorMessage = `${error.name}: ${error.message}`;
    } else if (error.code === 'MODULE_NOT_FOUND' || error.code === 'ERR_MODULE_NOT_FOUND') {
      body.errorType = 'Runtime.ImportModuleError';
      body.errorMessage = `Error: ${error.message}`;
    }
    return { initError: body };
  }
  let target = module;
  for (const part of exportPath) target = target == null ? undefined : target[part];
  if (typeof target !== 'function' && module && module.default && typeof module.default === 'object') {
    target = exportPath.reduce((value, part) => (value == null ? undefined : value[part]), module.default);
  }
  if (typeof target !== 'function') {
    return { initError: { errorType: 'Runtime.HandlerNotFound', errorMessage: `${handler} is undefined or not exported`, trace: [] } };
  }
  return { handler: target };
}

/**
 * The function's name, version, memory and log names, read from the environment once: they are the same for every
 * invocation of this runtime, and each process.env lookup costs more than the rest of a context.
 */
const FUNCTION = {
  name: process.env.AWS_LAMBDA_FUNCTION_NAME,
  version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroup: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStream: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
};

function makeContext(headers, done) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: FUNCTION.name,
    functionVersion: FUNCTION.version,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: FUNCTION.memory,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: FUNCTION.logGroup,
    logStreamName: FUNCTION.logStream,
    identity: headers['lambda-runtime-cognito-identity'] ? JSON.parse(headers['lambda-runtime-cognito-identity']) : undefined,
    clientContext: headers['lambda-runtime-client-context'] ? JSON.parse(headers['lambda-runtime-client-context']) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error, result) => done(error, result, true),
    succeed: (result) => done(null, result, true),
    fail: (error) => done(error, undefined, true),
  };
  return context;
}

/** Runs the handler; resolves with {result} or {error, handled}. */
function runHandler(handler, event, headers) {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome, waitForEmptyLoop) => {
      if (settled) return;
      settled = true;
      if (waitForEmptyLoop) {
        // As AWS: with callbackWaitsForEmptyEventLoop the response waits until timers and sockets are done.
        process.once('beforeExit', () => resolve(outcome));
        client.idle();
      } else {
        resolve(outcome);
      }
    };
    const callback = (error, result, fromContext) => {
      const wait = !fromContext && context.callbackWaitsForEmptyEventLoop;
      if (error !== null && error !== undefined) finish({ error, handled: true }, wait);
      else finish({ result }, wait);
    };
    const context = makeContext(headers, callback);
    try {
      const returned = handler(event, context, (error, result) => callback(error, result, false));
      if (returned && typeof returned.then === 'function') {
        returned.then((result) => finish({ result }, false), (error) => finish({ error, handled: false }, false));
      } else if (handler.length < 3) {
        finish({ result: returned }, false);
      }
    } catch (error) {
      finish({ error, handled: false }, false);
    }
  });
}

const client = new RuntimeClient();

/**
 * Makes process.env keep _X_AMZN_TRACE_ID in JavaScript and returns its setter. AWS's runtime sets it in the
 * environment for each invocation; through setenv(3) that costs memory never freed (glibc keeps every value it was
 * given, about 150 bytes each), so a warm runtime would grow until its memory limit killed it. Reads, `in`, keys,
 * copies and child processes (they get process.env by default) see it as any variable; native code calling getenv
 * and worker threads do not.
 */
function keepTraceIdInJavaScript() {
  const TRACE = '_X_AMZN_TRACE_ID';
  let traceId;
  const descriptor = () => (traceId === undefined ? undefined
    : { value: traceId, writable: true, enumerable: true, configurable: true });
  const set = (value) => {
    traceId = `${value}`;
    return true;
  };
  delete process.env[TRACE];
  process.env = new Proxy(process.env, {
    get: (env, key) => (key === TRACE ? traceId : Reflect.get(env, key)),
    set: (env, key, value) => (key === TRACE ? set(value) : Reflect.set(env, key, value)),
    defineProperty: (env, key, property) => (key === TRACE && 'value' in property ? set(property.value)
      : Reflect.defineProperty(env, key, property)),
    has: (env, key) => (key === TRACE ? traceId !== undefined : Reflect.has(env, key)),
    deleteProperty: (env, key) => {
      if (key !== TRACE) return Reflect.deleteProperty(env, key);
      traceId = undefined;
      return true;
    },
    ownKeys: (env) => (traceId === undefined ? Reflect.ownKeys(env) : [...Reflect.ownKeys(env), TRACE]),
    getOwnPropertyDescriptor: (env, key) => (key === TRACE ? descriptor()
      : Reflect.getOwnPropertyDescriptor(env, key)),
  });
  return set;
}

const setTraceId = keepTraceIdInJavaScript();

async function main() {
  patchConsole();
  const loaded = await loadHandler(process.env._HANDLER || 'index.handler');
  if (loaded.initError) {
    console.error(`${loaded.initError.errorType}: ${loaded.initError.errorMessage}`);
    await client.request('POST', `${BASE}/init/error`, JSON.stringify(loaded.initError),
      { 'Content-Type': 'application/vnd.aws.lambda.error+json', 'Lambda-Runtime-Function-Error-Type': loaded.initError.errorType });
    process.exit(1);
  }
  let asked = client.request('GET', NEXT);
  for (;;) {
    const next = await asked;
    if (next.status !== 200) {
      asked = client.request('GET', NEXT);
      continue;
    }
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    if (next.headers['lambda-runtime-trace-id']) setTraceId(next.headers['lambda-runtime-trace-id']);
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
    } catch (error) {
      event = next.body.toString('utf8');
    }
    client.idle();
    const outcome = await runHandler(loaded.handler, event, next.headers);
    if ('error' in outcome) {
      outOfMemory(outcome.error);
      const body = toErrorBody(outcome.error);
      console.error('Invoke Error \t' + JSON.stringify(body));
      asked = client.answerThenNext(`${BASE}/invocation/${requestId}/error`, JSON.stringify(body),
        { 'Content-Type': 'application/vnd.aws.lambda.error+json',
          'Lambda-Runtime-Function-Error-Type': outcome.handled ? 'Handled' : 'Unhandled' });
      continue;
    }
    let payload;
    try {
      payload = outcome.result === undefined ? 'null' : JSON.stringify(outcome.result);
    } catch (error) {
      const body = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${error.message}`, trace: [] };
      asked = client.answerThenNext(`${BASE}/invocation/${requestId}/error`, JSON.stringify(body),
        { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
      continue;
    }
    asked = client.answerThenNext(`${BASE}/invocation/${requestId}/response`, payload);
  }
}

main().catch((error) => {
  process.stderr.write(`Nube runtime failed: ${error && error.stack || error}\n`);
  process.exit(1);
});
