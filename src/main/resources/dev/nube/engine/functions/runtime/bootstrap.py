# Nube's Python runtime: speaks the Lambda Runtime API (2018-06-01) on AWS_LAMBDA_RUNTIME_API, loads the handler
# named by _HANDLER from /var/task, and runs one invocation at a time, as AWS's Python runtime does.
# Standard library only. HTTP is spoken over one keep-alive socket by hand: the engine's server always answers
# with Content-Length, and http.client would add ~10 ms to every cold start.
import importlib
import json
import logging
import os
import resource
import socket
import sys
import threading
import time


def take_function():
    """A pre-started runtime (NUBE_PRESTARTED=1) waits here, its interpreter up and nothing of any function in it,
    until the engine gives it its function: the function's whole environment, as JSON on stdin, which replaces the
    one it started with. Then the handler's import, the init, runs as in any cold start."""
    if os.environ.get("NUBE_PRESTARTED") != "1":
        return
    data = sys.stdin.buffer.read()
    if not data.strip():
        sys.exit(0)  # let go unused
    variables = json.loads(data)
    os.environ.clear()
    os.environ.update(variables)
    time.tzset()


# Under Nube's watchdog (no cgroup here) the kernel bounds each process's private writable memory (RLIMIT_DATA).
# A thread's whole stack counts there, 8 MB by default: smaller stacks let a function start as many threads as it
# could under a cgroup.
DATA_LIMITED = resource.getrlimit(resource.RLIMIT_DATA)[0] != resource.RLIM_INFINITY
if DATA_LIMITED:
    threading.stack_size(512 * 1024)


def out_of_memory():
    """The data limit refused an allocation: the function asked for more memory than it has. The process names itself
    so the watchdog kills it and reports it out of memory, as a cgroup would have; it waits for that here, and goes
    on (reporting the MemoryError) only if nobody comes."""
    if not DATA_LIMITED:
        return
    try:
        with open("/proc/self/comm", "w") as comm:
            comm.write("out-of-memory")
    except OSError:
        return
    time.sleep(10)


take_function()
API = os.environ["AWS_LAMBDA_RUNTIME_API"]
BASE = "/2018-06-01/runtime"
NEXT = BASE + "/invocation/next"


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host, int(port))
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(self.address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    @staticmethod
    def _message(method, path, body=b"", headers=None):
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, path, API, len(body))
        if headers:
            head += "".join("%s: %s\r\n" % kv for kv in headers.items())
        return head.encode("latin-1") + b"\r\n" + body

    def request(self, method, path, body=b"", headers=None):
        for attempt in (0, 1):
            if self.sock is None:
                self._connect()
            try:
                self.sock.sendall(self._message(method, path, body, headers))
                return self._read_response()
            except (ConnectionError, OSError):
                self.sock = None
                if attempt:
                    raise

    def post_then_next(self, path, body, headers):
        """Posts an answer and asks for the next invocation in one write (HTTP/1.1 pipelining): the engine reads
        the GET just after the POST, and the runtime makes no round trip of its own in between."""
        if self.sock is None:
            self._connect()
        try:
            self.sock.sendall(self._message("POST", path, body, headers) + self._message("GET", NEXT))
            self._read_response()
        except (ConnectionError, OSError):
            self.sock = None
            self.request("POST", path, body, headers)  # as request() retries: on a new connection
            return self.request("GET", NEXT)
        try:
            return self._read_response()
        except (ConnectionError, OSError):
            self.sock = None
            return self.request("GET", NEXT)

    def _read_response(self):
        buf = self.buf
        end = buf.find(b"\r\n\r\n")
        while end < 0:
            self._fill()
            buf = self.buf
            end = buf.find(b"\r\n\r\n")
        lines = buf[:end].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(lines[0].split(" ", 2)[1])
        length = int(headers.get("content-length", "0"))
        start = end + 4
        if len(buf) - start < length:
            self.buf = buf[start:]
            return status, headers, self._read_body(length)
        self.buf = buf[start + length:]
        return status, headers, buf[start:start + length]

    def _read_body(self, length):
        """The rest of a body of `length` bytes, read straight into one buffer of its size (an event may have
        6 MB: growing a bytes object chunk by chunk would copy it over and over), and no further."""
        body = bytearray(length)
        have = len(self.buf)
        body[:have] = self.buf
        self.buf = b""
        view = memoryview(body)
        while have < length:
            n = self.sock.recv_into(view[have:], length - have)
            if not n:
                raise ConnectionError("the Runtime API closed the connection")
            have += n
        return bytes(body)

    def _fill(self):
        # 64 KiB at most: recv allocates as many bytes as it is allowed to take before it shrinks them to what came,
        # and a 1 MiB allocation costs more than the round trip it serves.
        chunk = self.sock.recv(64 * 1024)
        if not chunk:
            raise ConnectionError("the Runtime API closed the connection")
        self.buf += chunk


class LambdaContext:
    # The function's name, version, memory and log names, read from the environment once (see main): they are the
    # same for every invocation of this runtime, and five os.environ lookups cost more than the rest of a context.
    FUNCTION = (None, None, None, None, None)

    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        (self.function_name, self.function_version, self.memory_limit_in_mb, self.log_group_name,
         self.log_stream_name) = LambdaContext.FUNCTION
        self.client_context = json.loads(client_context) if client_context else None
        self.identity = json.loads(identity) if identity else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


CURRENT_REQUEST = {"id": ""}


def install_logging():
    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            try:
                message = self.format(record)
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
                sys.stdout.write("[%s]\t%s.%03dZ\t%s\t%s\n" % (record.levelname, stamp, record.msecs,
                                                               CURRENT_REQUEST["id"], message))
            except Exception:
                self.handleError(record)

    logging.getLogger().addHandler(LambdaLoggerHandler())


def set_trace_id(value):
    """Sets _X_AMZN_TRACE_ID in os.environ for this invocation, as AWS's runtime does, but not in the C library's
    environment: glibc keeps every value setenv was ever given (about 150 bytes each, never freed), so a warm runtime
    setting a new one per invocation would grow until its memory limit killed it. os.environ and os.getenv see it; a
    process the function starts without passing env does not."""
    environ = os.environ
    try:
        environ._data[environ.encodekey("_X_AMZN_TRACE_ID")] = environ.encodevalue(value)
    except AttributeError:  # an os.environ other than CPython's
        environ["_X_AMZN_TRACE_ID"] = value


def error_body(error_type, message, trace):
    return {"errorMessage": message, "errorType": error_type, "requestId": CURRENT_REQUEST["id"],
            "stackTrace": trace}


def report_exception(exc, error_type=None):
    import traceback
    # The user's frames only, as AWS shows them: not this bootstrap's call of the handler, nor importlib's.
    trace = traceback.format_list([frame for frame in traceback.extract_tb(exc.__traceback__)
                                   if frame.filename != __file__ and not frame.filename.startswith("<frozen ")])
    error_type = error_type or type(exc).__name__
    message = str(exc)
    sys.stdout.write("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (error_type, message, "".join(trace)))
    return error_body(error_type, message, trace)


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        return None, error_body("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (handler, e), [])
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as e:
        return None, report_exception(e, "Runtime.UserCodeSyntaxError") | {
            "errorMessage": "Syntax error in module '%s': %s" % (module_name, e)}
    except ImportError as e:
        return None, report_exception(e, "Runtime.ImportModuleError") | {
            "errorMessage": "Unable to import module '%s': %s" % (module_name, e)}
    except MemoryError as e:
        out_of_memory()
        return None, report_exception(e)
    except Exception as e:
        return None, report_exception(e)
    function = getattr(module, function_name, None)
    if function is None:
        message = "Handler '%s' missing on module '%s'" % (function_name, module_name)
        sys.stdout.write("[ERROR] Runtime.HandlerNotFound: %s\n" % message)
        return None, error_body("Runtime.HandlerNotFound", message, [])
    return function, None


def main():
    # As AWS's Python runtime: the function's code first, then its layers' folders under /opt.
    sys.path[0:0] = [os.environ.get("LAMBDA_TASK_ROOT", "/var/task"),
                     "/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2], "/opt/python"]
    LambdaContext.FUNCTION = tuple(os.environ.get(name) for name in (
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME"))
    client = RuntimeClient(API)
    install_logging()
    handler, init_error = load_handler(os.environ["_HANDLER"])
    if init_error is not None:
        sys.stdout.flush()
        client.request("POST", BASE + "/init/error", json.dumps(init_error).encode(),
                       {"Lambda-Runtime-Function-Error-Type": init_error["errorType"]})
        sys.exit(1)
    status, headers, body = client.request("GET", NEXT)
    while True:
        if status != 200:
            time.sleep(0.01)
            status, headers, body = client.request("GET", NEXT)
            continue
        request_id = headers["lambda-runtime-aws-request-id"]
        CURRENT_REQUEST["id"] = request_id
        if "lambda-runtime-trace-id" in headers:
            set_trace_id(headers["lambda-runtime-trace-id"])
        context = LambdaContext(request_id, int(headers.get("lambda-runtime-deadline-ms", "0")),
                                headers.get("lambda-runtime-invoked-function-arn"),
                                headers.get("lambda-runtime-client-context"),
                                headers.get("lambda-runtime-cognito-identity"))
        try:
            event = json.loads(body) if body else {}
            result = handler(event, context)
            try:
                payload = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                raise MarshalError("Unable to marshal response: %s" % e) from None
            path, extra = "/invocation/%s/response" % request_id, None
        except MarshalError as e:
            payload = json.dumps(report_exception(e, "Runtime.MarshalError")).encode()
            path, extra = "/invocation/%s/error" % request_id, {"Lambda-Runtime-Function-Error-Type": "Unhandled"}
        except Exception as e:
            if isinstance(e, MemoryError):
                out_of_memory()
            payload = json.dumps(report_exception(e)).encode()
            path, extra = "/invocation/%s/error" % request_id, {"Lambda-Runtime-Function-Error-Type": "Unhandled"}
        sys.stdout.flush()
        sys.stderr.flush()
        status, headers, body = client.post_then_next(BASE + path, payload, extra)


class MarshalError(Exception):
    pass


if __name__ == "__main__":
    main()
