# SPDX-License-Identifier: GPL-3.0-or-later
"""A small client for `gradlab-kernel --protocol` (docs/kernel-protocol.md),
used by the protocol tests and the kernel benchmarks.  Every line the
kernel writes must be one JSON object; anything else fails the test."""

import json
import os
import queue
import signal
import subprocess
import threading
import time


class ProtocolViolation(AssertionError):
    pass


SANITIZER_MARKS = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer")


class Kernel:
    # every kernel started, for checking their logs afterwards
    started_kernels = []

    def __init__(self, *args, kernel=None, env=None):
        self.path = kernel or os.environ.get("GRADLAB_KERNEL")
        if not self.path:
            raise RuntimeError("GRADLAB_KERNEL is not set (meson test sets it)")
        self.started = time.monotonic()
        self.proc = subprocess.Popen([self.path, "--protocol", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env)
        self.messages = queue.Queue()
        self.log = []          # everything received, with arrival times
        self.stderr_lines = []
        self.closed = False
        self._next_id = 0
        Kernel.started_kernels.append(self)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # ---- I/O ----

    def _read_stdout(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            try:
                msg = json.loads(line)
            except ValueError:
                self.messages.put(ProtocolViolation("kernel wrote a non-JSON line: %r" % line[:200]))
                continue
            if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
                self.messages.put(ProtocolViolation("kernel wrote a non-message: %r" % line[:200]))
                continue
            msg["_t"] = now
            self.log.append(msg)
            self.messages.put(msg)
        self.messages.put(None)

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line.decode("utf-8", "replace"))

    def write(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        self.write((json.dumps(msg) + "\n").encode("utf-8"))

    def new_id(self):
        self._next_id += 1
        return "r%d" % self._next_id

    def next(self, timeout=30):
        try:
            msg = self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no message from the kernel within %s s; stderr:\n%s"
                                 % (timeout, "".join(self.stderr_lines[-20:]))) from None
        if isinstance(msg, Exception):
            raise msg
        if msg is None:
            self.closed = True
        return msg

    def collect(self, until, timeout=30):
        """Messages up to and including the first for which until(msg) is
        true.  EOF raises."""
        deadline = time.monotonic() + timeout
        out = []
        while True:
            msg = self.next(max(0.01, deadline - time.monotonic()))
            if msg is None:
                raise AssertionError("kernel closed its output (exit status %s) while waiting; "
                                     "stderr:\n%s" % (self.proc.poll(), "".join(self.stderr_lines[-30:])))
            out.append(msg)
            if until(msg):
                return out

    def wait_ready(self, timeout=30):
        out = self.collect(lambda m: m["type"] == "status", timeout)
        assert out[-1].get("execution_state") == "idle", out
        return out[-1]

    def request(self, mtype, timeout=30, **fields):
        """Sends a request; returns (reply, every message up to it)."""
        rid = fields.pop("id", None) or self.new_id()
        self.send(dict(type=mtype, id=rid, **fields))
        reply_type = mtype[:-len("_request")] + "_reply"
        out = self.collect(lambda m: m.get("id") == rid and m["type"] in (reply_type, "protocol_error"),
                           timeout)
        return out[-1], out

    def execute(self, code, timeout=60, **fields):
        """(reply, stdout text, stderr text, displays, all messages) of one cell."""
        reply, out = self.request("execute_request", timeout=timeout, code=code, **fields)
        if reply["type"] == "execute_reply":
            # the idle status that follows every execute_reply
            out += self.collect(lambda m: m["type"] == "status" and m.get("id") == reply["id"], timeout)
        stdout = "".join(m["text"] for m in out if m["type"] == "stream" and m["name"] == "stdout")
        stderr = "".join(m["text"] for m in out if m["type"] == "stream" and m["name"] == "stderr")
        displays = [m for m in out if m["type"] == "display"]
        return reply, stdout, stderr, displays, out

    def ok(self, code, timeout=60):
        reply, stdout, stderr, displays, out = self.execute(code, timeout)
        if reply.get("status") != "ok":
            raise AssertionError("cell failed: %r\n%s" % (code, "".join(reply.get("error", {}).get("traceback", []))))
        return stdout, displays

    def sanitizer_reports(self):
        """stderr lines where ASan/UBSan reported a problem."""
        return [line for line in self.stderr_lines if any(m in line for m in SANITIZER_MARKS)]

    def interrupt(self):
        self.proc.send_signal(signal.SIGINT)

    def close(self, timeout=10):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return False
