# SPDX-License-Identifier: GPL-3.0-or-later
"""gradlab-kernel --protocol: newline-delimited JSON on stdin/stdout,
modelled on Jupyter's messages.  docs/kernel-protocol.md is the reference;
this is the implementation.

Threads: the main thread runs requests one at a time, learners' code
included; a reader thread parses stdin (answering kernel_info, interrupt
and malformed requests at once, even while a cell runs); a writer thread
writes every outgoing line; an output thread batches printed text.

Interrupts: SIGINT (from the app, or an interrupt_request) sets the
engine's flag (gk-main.c) and runs our Python handler, which raises
KeyboardInterrupt only while learners' code runs."""

import json
import os
import platform
import signal
import sys
import threading
import time
import queue
import collections

import _gradlab_kernel

from gradlab_kernel import PROTOCOL_VERSION, __version__, figures
from gradlab_kernel import channel, execution, graphs, introspect
from gradlab_kernel.channel import log

FIGURE_MIME = "application/vnd.gradlab.figure+json"

# request type -> {field: (types, required)}; "id" and "type" are checked
# for all.
_STR, _BOOL, _INT, _OBJ = (str,), (bool,), (int,), (dict,)
REQUESTS = {
    "execute_request": {"code": (_STR, True), "silent": (_BOOL, False),
                        "stop_on_error": (_BOOL, False)},
    "kernel_info_request": {},
    "interrupt_request": {},
    "shutdown_request": {"restart": (_BOOL, False)},
    "complete_request": {"code": (_STR, True), "cursor_pos": (_INT, False)},
    "inspect_request": {"code": (_STR, True), "cursor_pos": (_INT, False),
                        "detail_level": (_INT, False)},
    "graph_list_request": {},
    "graph_snapshot_request": {"name": (_STR, True), "options": (_OBJ, False)},
    "graph_trace_request": {"name": (_STR, True), "options": (_OBJ, False)},
    "last_backward_request": {},
}

_TYPE_NAMES = {str: "a string", bool: "true or false", int: "an integer", dict: "an object"}


class BadRequest(Exception):
    def __init__(self, message, request_id=None, request_type=None):
        super().__init__(message)
        self.request_id = request_id
        self.request_type = request_type


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def parse_request(raw):
    """The request dict from one line (bytes), or BadRequest."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest("request is not UTF-8 text (%s)" % e) from None
    if "\0" in text:
        raise BadRequest("request contains a NUL character")
    try:
        msg = json.loads(text)
    except RecursionError:
        raise BadRequest("invalid JSON: nested too deeply") from None
    except ValueError as e:
        raise BadRequest("invalid JSON: %s" % e) from None
    if not isinstance(msg, dict):
        raise BadRequest("a request must be a JSON object, not %s" % _json_type(msg))
    rid = msg.get("id")
    if "id" not in msg:
        raise BadRequest("missing field 'id'", None, msg.get("type") if isinstance(msg.get("type"), str) else None)
    if isinstance(rid, bool) or not isinstance(rid, (str, int)):
        raise BadRequest("field 'id' must be a string or an integer, not %s" % _json_type(rid))
    mtype = msg.get("type")
    if "type" not in msg:
        raise BadRequest("missing field 'type'", rid)
    if not isinstance(mtype, str):
        raise BadRequest("field 'type' must be a string, not %s" % _json_type(mtype), rid)
    fields = REQUESTS.get(mtype)
    if fields is None:
        raise BadRequest("unknown request type '%s' (known: %s)"
                         % (mtype[:100], ", ".join(sorted(REQUESTS))), rid, mtype)
    for name, (types, required) in fields.items():
        if name not in msg:
            if required:
                raise BadRequest("%s: missing field '%s'" % (mtype, name), rid, mtype)
            continue
        value = msg[name]
        ok = isinstance(value, types) and not (types is _INT and isinstance(value, bool))
        if not ok:
            raise BadRequest("%s: field '%s' must be %s, not %s"
                             % (mtype, name, _TYPE_NAMES[types[0]], _json_type(value)), rid, mtype)
    return msg


class Kernel:
    def __init__(self, proto_in, proto_out, fd_pipe):
        self.writer = channel.Writer(proto_out, self._output_closed)
        self.output = channel.Output(self.writer, fd_pipe)
        self.stdout = channel.StreamWriter(self.output, "stdout", 1)
        self.stderr = channel.StreamWriter(self.output, "stderr", 2)
        self.stdin = channel.NoInput()
        self.user_ns = sys.modules["__main__"].__dict__
        self.execution_count = 0
        self.requests = queue.SimpleQueue()
        self.backlog = collections.deque()
        self.busy = False
        self.in_user_code = False
        self.shutdown_request = None
        self.eof = False
        self.main_thread = threading.main_thread().ident
        self.current_id = None
        self._info = None
        self._figure_ids = {}
        self.reader = channel.Reader(proto_in, self._on_line, self._on_too_long, self._on_eof)

    # ---- output ----

    def send(self, message):
        self.writer.send(message)

    def _output_closed(self):
        # nobody reads us any more: the app is gone
        os._exit(0)

    def protocol_error(self, message, request_id=None, request_type=None):
        reply = {"type": "protocol_error", "id": request_id, "status": "error",
                 "error": {"ename": "ProtocolError", "evalue": message, "traceback": []}}
        if request_type is not None:
            reply["request_type"] = request_type
        self.send(reply)

    def reply(self, request, status="ok", **fields):
        base = request["type"][:-len("_request")]
        message = {"type": base + "_reply", "id": request["id"], "status": status}
        message.update(fields)
        self.send(message)

    def error_reply(self, request, ename, evalue, traceback=None, **fields):
        self.reply(request, "error", error={"ename": ename, "evalue": evalue,
                                            "traceback": traceback or []}, **fields)

    def display(self, data, **fields):
        """A display message for the running request (streams first)."""
        self.output.flush()
        message = {"type": "display", "id": self.current_id, "data": data, "metadata": {}}
        message.update(fields)
        self.send(message)

    def _figure_sink(self, figure, text, update):
        self.display({"text/plain": text, FIGURE_MIME: figure},
                     display_id=figure["id"], update=bool(update))

    # ---- the reader thread ----

    def _on_line(self, raw):
        if not raw.strip():
            return
        try:
            request = parse_request(raw.rstrip(b"\r"))
        except BadRequest as e:
            self.protocol_error(str(e), e.request_id, e.request_type)
            return
        mtype = request["type"]
        if mtype == "interrupt_request":
            self.interrupt()
            self.reply(request)
        elif mtype == "kernel_info_request":
            self.reply(request, **self.kernel_info())
        elif mtype == "shutdown_request":
            self.shutdown_request = request
            if self.busy:
                self.interrupt()
            self.requests.put(None)
        else:
            self.requests.put(request)

    def _on_too_long(self, message):
        self.protocol_error(message)

    def _on_eof(self):
        self.eof = True
        self.requests.put(None)

    def interrupt(self):
        """SIGINT to the main thread: as if the app had sent it."""
        try:
            signal.pthread_kill(self.main_thread, signal.SIGINT)
        except (OSError, ValueError) as e:
            log("cannot interrupt: %s" % e)

    # ---- SIGINT ----

    def _on_sigint(self, signum, frame):
        # consume the engine's flag: if an engine loop already took it, that
        # loop raised KeyboardInterrupt itself
        pending = _gradlab_kernel.take_interrupt()
        if self.in_user_code and pending:
            raise KeyboardInterrupt

    # ---- kernel_info ----

    def kernel_info(self):
        if self._info is None:
            torch = sys.modules.get("torch")
            cuda = False
            try:
                cuda = bool(torch.cuda.is_available()) if torch is not None else False
            except Exception:
                pass
            try:
                import importlib.util
                numpy_available = importlib.util.find_spec("numpy") is not None
            except Exception:
                numpy_available = False
            limit = _gradlab_kernel.memory_limit()
            self._info = {
                "protocol_version": PROTOCOL_VERSION,
                "implementation": "gradlab-kernel",
                "implementation_version": __version__,
                "language_info": {
                    "name": "python",
                    "version": platform.python_version(),
                    "mimetype": "text/x-python",
                    "file_extension": ".py",
                },
                "torch_version": getattr(torch, "__version__", None),
                "cuda_available": cuda,
                "numpy_available": numpy_available,
                "memory_limit": limit or None,
                "pid": os.getpid(),
                "mime_types": ["text/plain", FIGURE_MIME, graphs.GRAPH_MIME, graphs.TRACE_MIME],
                "banner": "Gradlab kernel %s: Python %s with Gradlab's torch %s"
                          % (__version__, platform.python_version(),
                             getattr(torch, "__version__", "?")),
            }
        return self._info

    # ---- the main loop ----

    def next_request(self):
        if self.backlog:
            return self.backlog.popleft()
        return self.requests.get()

    def serve(self):
        self.send({"type": "status", "execution_state": "idle"})
        self.reader.start()
        while True:
            request = self.next_request()
            if self.shutdown_request is not None:
                self.abort_queued(all_requests=True, first=request)
                return self.shutdown()
            if request is None:
                if self.eof:
                    return self.shutdown()
                continue
            try:
                self.dispatch(request)
            except BaseException as e:   # the loop must survive anything
                if isinstance(e, SystemExit):
                    log("ignoring SystemExit outside a cell")
                else:
                    log("internal error in %s: %r" % (request.get("type"), e))
                try:
                    self.error_reply(request, "InternalError", "the kernel failed to answer: %r" % e)
                except BaseException:
                    pass
            finally:
                self.in_user_code = False
                self.busy = False

    def dispatch(self, request):
        handler = getattr(self, "do_" + request["type"][:-len("_request")])
        handler(request)

    def abort_queued(self, all_requests=False, first=None):
        """Answers queued execute requests with status "aborted" (after an
        error: those with stop_on_error; at shutdown: all requests)."""
        taken = [] if first is None else [first]
        taken.extend(self.backlog)
        self.backlog.clear()
        while True:
            try:
                taken.append(self.requests.get_nowait())
            except queue.Empty:
                break
        for request in taken:
            if request is None:
                continue
            if all_requests or (request["type"] == "execute_request"
                                and request.get("stop_on_error", True)):
                if request["type"] == "execute_request":
                    self.reply(request, "aborted", execution_count=self.execution_count)
                else:
                    self.error_reply(request, "KernelShutdown", "the kernel is shutting down")
            else:
                self.backlog.append(request)
        if not all_requests and (self.eof or self.shutdown_request is not None):
            self.requests.put(None)

    def shutdown(self):
        request = self.shutdown_request
        if request is not None:
            self.reply(request, restart=bool(request.get("restart", False)))
        self.output.flush()
        return 0

    # ---- requests ----

    def do_execute(self, request):
        silent = bool(request.get("silent", False))
        if not silent:
            self.execution_count += 1
        count = self.execution_count
        self.current_id = request["id"]
        self.busy = True
        self.output.begin_cell(request["id"])
        self.send({"type": "status", "execution_state": "busy", "id": request["id"]})
        status, error = self.run_cell(request["code"], silent, count)
        self.output.flush()
        reply = {"execution_count": count}
        if error is not None:
            reply["error"] = error
        self.reply(request, status, **reply)
        self.send({"type": "status", "execution_state": "idle", "id": request["id"]})
        self.current_id = None
        self.busy = False
        if status != "ok":
            self.abort_queued()

    def _restore_stdio(self):
        sys.stdout, sys.stderr, sys.stdin = self.stdout, self.stderr, self.stdin

    def run_cell(self, code, silent, count):
        """Returns (status, error dict or None)."""
        self._restore_stdio()
        _gradlab_kernel.take_interrupt()        # an old interrupt is no reason to stop
        graph = sys.modules.get("_gradlab_graph")
        if graph is not None:
            graph.begin_cell(count)
        filename = "<cell %d>" % count if not silent else "<silent cell>"
        error = None
        try:
            try:
                self.in_user_code = True
                body, last = execution.compile_cell(code, filename, not silent)
                exec(body, self.user_ns)
                if last is not None:
                    value = eval(last, self.user_ns)
                    if value is not None:
                        self.display_result(value, count)
            finally:
                try:
                    figures.cell_end()
                finally:
                    self.in_user_code = False
        except BaseException as e:
            error = execution.format_error(e)
        self._restore_stdio()
        self.after_cell()
        if error is not None:
            return "error", error
        return "ok", None

    def after_cell(self):
        # once torch is loaded, real backward() calls are recorded
        if "torch" in sys.modules and "_gradlab_graph" not in sys.modules:
            self.install_backward_recorder()

    def install_backward_recorder(self):
        try:
            import _gradlab_graph
            _gradlab_graph.record_backward(True)
            _gradlab_graph.begin_cell(self.execution_count)
        except Exception as e:
            log("cannot record backward passes: %r" % e)

    def display_result(self, value, count):
        self.user_ns["_"] = value
        data = {"text/plain": repr(value)}
        pyplot = sys.modules.get("matplotlib.pyplot")
        if pyplot is not None and isinstance(value, pyplot.Figure):
            pyplot._display_figure(value)
            return
        torch = sys.modules.get("torch")
        if torch is not None and isinstance(value, torch.Tensor) and value.grad_fn is not None:
            try:
                # a small graph comes along; big ones only on request
                if graphs.cheap(value):
                    data[graphs.GRAPH_MIME] = graphs.snapshot(self.user_ns, value)
            except Exception as e:
                log("no graph for the displayed tensor: %r" % e)
        self.display(data, execution_count=count)

    def do_complete(self, request):
        code = request["code"]
        matches, start, end = introspect.complete(self.user_ns, code, request.get("cursor_pos"))
        self.reply(request, matches=matches, cursor_start=start, cursor_end=end)

    def do_inspect(self, request):
        text = introspect.inspect_name(self.user_ns, request["code"], request.get("cursor_pos"),
                                       request.get("detail_level", 0))
        self.reply(request, found=text is not None,
                   data={"text/plain": text} if text is not None else {})

    def _graph_request(self, request, answer):
        try:
            answer()
        except graphs.RequestError as e:
            self.error_reply(request, e.ename, e.evalue)
        except KeyboardInterrupt:
            self.error_reply(request, "KeyboardInterrupt", "")
        except Exception as e:
            self.error_reply(request, type(e).__name__, str(e))

    def do_graph_list(self, request):
        def answer():
            self.reply(request, tensors=graphs.list_tensors(self.user_ns))
        self._graph_request(request, answer)

    def do_graph_snapshot(self, request):
        def answer():
            tensor = graphs.resolve(self.user_ns, request["name"])
            graph = graphs.snapshot(self.user_ns, tensor, graphs.options(request))
            self.reply(request, name=request["name"], data={graphs.GRAPH_MIME: graph})
        self._graph_request(request, answer)

    def do_graph_trace(self, request):
        def answer():
            tensor = graphs.resolve(self.user_ns, request["name"])
            trace, backward_error = graphs.capture_trace(self.user_ns, tensor, graphs.options(request))
            self.reply(request, name=request["name"], data={graphs.TRACE_MIME: trace},
                       backward_error=backward_error)
        self._graph_request(request, answer)

    def do_last_backward(self, request):
        def answer():
            found = graphs.last_backward()
            if found is None:
                raise graphs.RequestError("LookupError", "no backward() has run in this kernel yet")
            trace, count, error, call, calls = found
            self.reply(request, execution_count=count, call=call, calls=calls,
                       backward_error=error,
                       data={graphs.TRACE_MIME: trace} if trace is not None else {})
        self._graph_request(request, answer)


def _redirect_fds():
    """The protocol keeps private copies of stdin/stdout; fd 0 becomes
    /dev/null (nothing else may eat requests) and fd 1 a pipe whose text
    becomes stdout stream messages (output of C code and child
    processes)."""
    proto_in = os.dup(0)
    proto_out = os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    r, w = os.pipe()
    os.dup2(w, 1)
    os.close(w)
    os.set_blocking(r, False)
    return proto_in, proto_out, r


def main():
    started = time.monotonic()
    proto_in, proto_out, fd_pipe = _redirect_fds()
    try:
        import faulthandler
        faulthandler.enable(file=sys.__stderr__)   # a crash leaves a Python stack in the log
    except Exception:
        pass
    kernel = Kernel(proto_in, proto_out, fd_pipe)
    sys.stdout, sys.stderr, sys.stdin = kernel.stdout, kernel.stderr, kernel.stdin
    signal.signal(signal.SIGINT, kernel._on_sigint)
    _gradlab_kernel.install_sigint_handler()     # signal.signal() replaced ours
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    figures.set_sink(kernel._figure_sink)
    # torch is what every lesson imports first: load it now, and record
    # backward passes from the start
    try:
        import torch  # noqa: F401
        kernel.install_backward_recorder()
    except Exception as e:
        log("cannot import torch: %r" % e)
    kernel.kernel_info()
    log("ready in %.0f ms (pid %d)" % ((time.monotonic() - started) * 1000, os.getpid()))
    status = kernel.serve()
    # as python3 does at exit, but without waiting for learners' threads
    try:
        import atexit
        atexit._run_exitfuncs()
    except BaseException:
        pass
    kernel.output.flush()
    kernel.writer.close()
    os._exit(status)
