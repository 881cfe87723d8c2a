# SPDX-License-Identifier: GPL-3.0-or-later
"""The protocol's byte pipes: one writer thread for every outgoing line, one
reader thread splitting stdin into request lines, and the capture of
sys.stdout / sys.stderr (and of file descriptor 1) into batched stream
messages.

Only the main thread runs learners' code, and only there can a
KeyboardInterrupt strike.  Everything that must not be cut in half (writing
a JSON line, batching output) therefore happens in these helper threads,
which also block SIGINT."""

import codecs
import collections
import io
import json
import math
import os
import queue
import select
import signal
import threading
import time

# A request line longer than this is refused (and skipped) unread.
MAX_LINE_BYTES = 8 * 1024 * 1024
# Output waits at most this long before it is sent (the protocol promises
# 50 ms; this leaves room for the send itself).
STREAM_INTERVAL = 0.03
# One stream message carries at most this much text.
STREAM_CHUNK = 1024 * 1024
# A cell that prints more than this has the rest of its output dropped.
CELL_OUTPUT_LIMIT = 32 * 1024 * 1024


def log(message):
    """The kernel's own log line, on stderr (file descriptor 2)."""
    try:
        os.write(2, ("gradlab-kernel: %s\n" % message).encode("utf-8", "replace"))
    except OSError:
        pass


def _block_sigint():
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, OSError, ValueError):
        pass


def _finite(obj):
    """obj with NaN and infinities as None (JSON has no such numbers)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def encode(message):
    """One protocol line: compact UTF-8 JSON and a newline.  Strings that
    cannot be UTF-8 (lone surrogates) get U+FFFD-like replacements."""
    try:
        text = json.dumps(message, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        text = json.dumps(_finite(message), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8", "replace") + b"\n"


class Writer:
    """Sends protocol lines from one thread, in the order given."""

    def __init__(self, fd, on_closed):
        self._fd = fd
        self._queue = queue.SimpleQueue()
        self._on_closed = on_closed
        self._thread = threading.Thread(target=self._run, name="gradlab-writer", daemon=True)
        self._thread.start()

    def send(self, message):
        self._queue.put(encode(message))

    def send_raw(self, line):
        self._queue.put(line)

    def _run(self):
        _block_sigint()
        while True:
            data = self._queue.get()
            if data is None:
                return
            view = memoryview(data)
            try:
                while view:
                    n = os.write(self._fd, view)
                    view = view[n:]
            except OSError as e:
                log("protocol output closed (%s)" % e)
                self._on_closed()
                return

    def close(self, timeout=5.0):
        """Sends what is queued, then stops."""
        self._queue.put(None)
        self._thread.join(timeout)


class Reader:
    """Reads request lines from @fd and hands each to on_line(bytes);
    on_error(message) for lines over MAX_LINE_BYTES; on_eof() at the end."""

    def __init__(self, fd, on_line, on_error, on_eof):
        self._fd = fd
        self._on_line = on_line
        self._on_error = on_error
        self._on_eof = on_eof
        self._thread = threading.Thread(target=self._run, name="gradlab-reader", daemon=True)

    def start(self):
        self._thread.start()

    def _line(self, line):
        try:
            self._on_line(line)
        except Exception as e:   # never let a request kill the reader
            log("internal error while reading a request: %r" % e)

    def _too_long(self, size):
        self._on_error("request line too long: %d bytes or more (the limit is %d bytes)"
                       % (size, MAX_LINE_BYTES))

    def _run(self):
        _block_sigint()
        buf = bytearray()
        skipped = -1      # >= 0 while skipping an over-long line
        while True:
            try:
                data = os.read(self._fd, 1 << 16)
            except InterruptedError:
                continue
            except OSError as e:
                log("cannot read requests: %s" % e)
                data = b""
            if not data:
                if skipped >= 0:
                    self._too_long(skipped)
                elif buf.strip():
                    self._line(bytes(buf))
                self._on_eof()
                return
            start = 0
            while True:
                end = data.find(b"\n", start)
                piece = data[start:] if end < 0 else data[start:end]
                if skipped >= 0:
                    skipped += len(piece)
                else:
                    buf += piece
                    if len(buf) > MAX_LINE_BYTES:
                        skipped = len(buf)
                        buf = bytearray()
                if end < 0:
                    break
                if skipped >= 0:
                    self._too_long(skipped)
                    skipped = -1
                else:
                    self._line(bytes(buf))
                    buf = bytearray()
                start = end + 1


class Output:
    """Collects what the cell writes (sys.stdout, sys.stderr, and file
    descriptor 1 of the process and its children) and sends it as stream
    messages: in order, merged, at most STREAM_INTERVAL after it was
    written."""

    def __init__(self, writer, fd_pipe=None):
        self._writer = writer
        self._pending = collections.deque()
        self._lock = threading.Lock()
        self._armed = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._fd_pipe = fd_pipe
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.parent = None
        self._cell_bytes = 0
        self._dropped = False
        self._thread = threading.Thread(target=self._run, name="gradlab-output", daemon=True)
        self._thread.start()

    def write(self, name, text):
        """From any thread, KeyboardInterrupt-safe enough: one deque append."""
        self._pending.append((name, text))
        if not self._armed:
            self._armed = True
            try:
                os.write(self._wake_w, b".")
            except OSError:
                pass

    def begin_cell(self, parent):
        self.flush()
        self.parent = parent
        self._cell_bytes = 0
        self._dropped = False

    def _read_fd_pipe(self):
        if self._fd_pipe is None:
            return
        while True:
            try:
                data = os.read(self._fd_pipe, 1 << 16)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            if not data:
                break
            text = self._decoder.decode(data)
            if text:
                self._pending.append(("stdout", text))

    def flush(self):
        """Sends everything written so far (any thread)."""
        with self._lock:
            self._armed = False
            self._read_fd_pipe()
            chunks = []
            while True:
                try:
                    chunks.append(self._pending.popleft())
                except IndexError:
                    break
            if not chunks:
                return
            merged = []
            for name, text in chunks:
                if not text:
                    continue
                if merged and merged[-1][0] == name and len(merged[-1][1]) < STREAM_CHUNK:
                    merged[-1][1].append(text)
                    merged[-1][2] += len(text)
                else:
                    merged.append([name, [text], len(text)])
            for name, texts, size in merged:
                text = "".join(texts)
                if self._cell_bytes + len(text) > CELL_OUTPUT_LIMIT:
                    keep = max(0, CELL_OUTPUT_LIMIT - self._cell_bytes)
                    text = text[:keep]
                    if not self._dropped:
                        self._dropped = True
                        if text:
                            self._send(name, text)
                        self._cell_bytes = CELL_OUTPUT_LIMIT
                        self._send("stderr", "\n[Gradlab: this cell printed more than %d MiB; "
                                   "the rest of its output is not shown]\n"
                                   % (CELL_OUTPUT_LIMIT // (1024 * 1024)))
                    continue
                self._cell_bytes += len(text)
                for i in range(0, len(text), STREAM_CHUNK):
                    self._send(name, text[i:i + STREAM_CHUNK])

    def _send(self, name, text):
        self._writer.send({"type": "stream", "id": self.parent, "name": name, "text": text})

    def _run(self):
        _block_sigint()
        watched = [self._wake_r] + ([self._fd_pipe] if self._fd_pipe is not None else [])
        while True:
            try:
                # the timeout also catches output whose wake-up byte was lost
                # (a KeyboardInterrupt between the two steps of write())
                ready, _, _ = select.select(watched, [], [], 0.25)
            except InterruptedError:
                continue
            except (OSError, ValueError) as e:
                log("output thread stopped: %s" % e)
                return
            if not ready and not self._pending:
                continue
            # let more output gather, then send it all
            time.sleep(STREAM_INTERVAL)
            try:
                while os.read(self._wake_r, 4096):
                    pass
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                return
            try:
                self.flush()
            except Exception as e:
                log("cannot send output: %r" % e)


class StreamWriter(io.TextIOBase):
    """sys.stdout / sys.stderr inside the protocol kernel."""

    encoding = "utf-8"
    errors = "strict"
    newlines = None

    def __init__(self, output, name, fd):
        super().__init__()
        self._output = output
        self._name = name
        self._fd = fd
        self.buffer = _BinaryWriter(self)

    @property
    def name(self):
        return "<%s>" % self._name

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        if s:
            self._output.write(self._name, s)
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def writable(self):
        return True

    def flush(self):
        # batched anyway: sent within 50 ms
        pass

    def isatty(self):
        return False

    def fileno(self):
        return self._fd

    def close(self):
        # closing sys.stdout must not stop the kernel's output
        pass

    @property
    def closed(self):
        return False


class _BinaryWriter:
    def __init__(self, stream):
        self._stream = stream

    def write(self, b):
        data = bytes(b)
        self._stream.write(data.decode("utf-8", "replace"))
        return len(data)

    def flush(self):
        pass


class NoInput(io.TextIOBase):
    """sys.stdin: cells cannot read the keyboard (stdin is the protocol)."""

    encoding = "utf-8"
    errors = "strict"

    @property
    def name(self):
        return "<stdin>"

    def readable(self):
        return True

    def _refuse(self, *args, **kwargs):
        raise RuntimeError("input() is not supported in Gradlab: code cells cannot read from the "
                           "keyboard; set the value in the cell instead")

    read = readline = readlines = _refuse

    def isatty(self):
        return False

    def fileno(self):
        return 0
