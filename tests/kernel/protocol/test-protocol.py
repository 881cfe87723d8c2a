#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Protocol tests for `gradlab-kernel --protocol` (docs/kernel-protocol.md).

Usage: test-protocol.py [--docs DIR] GROUP...   (meson runs one group per test)
       test-protocol.py --list
Exit status 0 pass, 1 fail, 77 skip."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kernelclient import Kernel  # noqa: E402

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "docs")
GROUPS = {}
_validators = {}


class Skip(Exception):
    pass


def group(fn):
    GROUPS[fn.__name__.replace("test_", "").replace("_", "-")] = fn
    return fn


def check(cond, message, *details):
    if not cond:
        raise AssertionError(message + ("".join("\n  %r" % (d,) for d in details)))


def note(message):
    print("# " + message, flush=True)


def schema_validator(name):
    """A jsonschema validator for docs/NAME, or None (with a message) when
    python3-jsonschema is not installed."""
    if name in _validators:
        return _validators[name]
    try:
        import jsonschema
    except ImportError:
        note("python3-jsonschema is not installed: %s checks skipped" % name)
        _validators[name] = None
        return None
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    _validators[name] = cls(schema)
    return _validators[name]


def validate(name, doc):
    v = schema_validator(name)
    if v is None:
        return
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    check(not errors, "%s: document does not match the schema" % name,
          *["%s at %s" % (e.message[:300], list(e.path)) for e in errors[:5]])


def strip_meta(msg):
    return {k: v for k, v in msg.items() if k != "_t"}


def check_message_shapes(kernel):
    """Every message has the documented fields."""
    for m in kernel.log:
        t = m["type"]
        if t == "stream":
            check(m.get("name") in ("stdout", "stderr") and isinstance(m.get("text"), str),
                  "bad stream message", strip_meta(m))
        elif t == "display":
            check(isinstance(m.get("data"), dict) and "text/plain" in m["data"],
                  "bad display message", strip_meta(m))
        elif t.endswith("_reply") or t == "protocol_error":
            check(m.get("status") in ("ok", "error", "aborted"), "reply without status", strip_meta(m))
            if m["status"] == "error":
                e = m.get("error")
                check(isinstance(e, dict) and isinstance(e.get("ename"), str)
                      and isinstance(e.get("evalue"), str) and isinstance(e.get("traceback"), list),
                      "bad error", strip_meta(m))


# ---------------------------------------------------------------------------

@group
def test_kernel_info():
    with Kernel() as k:
        k.wait_ready()
        reply, _ = k.request("kernel_info_request")
        check(reply["status"] == "ok", "kernel_info failed", reply)
        for field in ("protocol_version", "implementation", "implementation_version",
                      "language_info", "torch_version", "cuda_available", "pid", "mime_types"):
            check(field in reply, "kernel_info_reply lacks %s" % field, reply)
        check(reply["implementation"] == "gradlab-kernel", "implementation", reply)
        check(reply["torch_version"] == "1.13.1", "torch_version", reply)
        check(isinstance(reply["cuda_available"], bool), "cuda_available", reply)
        check(reply["language_info"]["name"] == "python", "language", reply)
        check(reply["pid"] == k.proc.pid, "pid", reply)
        reply, stdout, stderr, displays, out = k.execute("1+1")
        check(reply == {**reply, "status": "ok", "execution_count": 1}, "1+1 reply", reply)
        check([d["data"]["text/plain"] for d in displays] == ["2"], "1+1 shows 2", displays)
        check(displays[0]["execution_count"] == 1, "result display carries execution_count", displays)
        types = [m["type"] for m in out]
        check(types == ["status", "display", "execute_reply", "status"], "message order", types)
        check(out[0]["execution_state"] == "busy", "busy status", out[0])
        idle = out[-1]
        check(idle["execution_state"] == "idle" and idle["id"] == reply["id"], "idle after the reply", idle)
        # silent cells: no count, no result
        reply, stdout, _, displays, _ = k.execute("print('quiet'); 5", silent=True)
        check(reply["execution_count"] == 1 and not displays and stdout == "quiet\n",
              "silent execute", reply, displays)
        reply, _ = k.request("shutdown_request")
        check(reply["type"] == "shutdown_reply" and reply["status"] == "ok", "shutdown reply", reply)
        check(k.close() == 0, "exit status after shutdown", k.proc.returncode)
        check_message_shapes(k)


@group
def test_streams():
    with Kernel() as k:
        k.wait_ready()
        # many small prints are batched into few messages, text intact
        reply, stdout, stderr, _, out = k.execute(
            "import sys\nfor i in range(2000):\n    print(i)\nprint('to stderr', file=sys.stderr)")
        check(stdout == "".join("%d\n" % i for i in range(2000)), "stdout text", stdout[-100:])
        check(stderr == "to stderr\n", "stderr text", stderr)
        n = sum(1 for m in out if m["type"] == "stream")
        check(n < 100, "2000 prints should be batched (got %d stream messages)" % n)
        note("2000 prints -> %d stream messages" % n)
        # output is flushed within 50 ms, while the cell still runs
        reply, stdout, _, _, out = k.execute(
            "import time\nprint('before', flush=False)\ntime.sleep(0.6)\nprint('after')")
        busy = next(m for m in out if m["type"] == "status")
        first = next(m for m in out if m["type"] == "stream")
        delay = first["_t"] - busy["_t"]
        check(first["text"].startswith("before"), "first stream", first)
        check(delay < 0.2, "output waited %.3f s (must be sent within 50 ms)" % delay)
        note("first output after %.1f ms" % (delay * 1000))
        # output of a long silent loop still arrives at most ~50 ms late
        reply, stdout, _, _, out = k.execute(
            "import time\nt0 = time.monotonic()\nfor i in range(10):\n"
            "    print(i, time.monotonic() - t0)\n    time.sleep(0.1)")
        streams = [m for m in out if m["type"] == "stream"]
        check(len(streams) >= 5, "prints 100 ms apart arrive in separate messages", len(streams))
        # stdout of C code and child processes (file descriptor 1)
        stdout, _ = k.ok("import os\nos.system('echo from a child')\nos.write(1, b'raw fd\\n')\n")
        check("from a child\n" in stdout and "raw fd\n" in stdout, "fd 1 output captured", stdout)
        # binary writes, odd text
        stdout, _ = k.ok("import sys\nsys.stdout.buffer.write('é\\n'.encode())\nprint('한국어 \\ud800')")
        check(stdout.startswith("é\n한국어 "), "unicode output", stdout)
        # stdin is not the keyboard
        reply, _, _, _, _ = k.execute("input('name? ')")
        check(reply["status"] == "error" and "input()" in reply["error"]["evalue"],
              "input() gives a clear error", reply)
        # a closed sys.stdout does not stop output
        stdout, _ = k.ok("import sys\nsys.stdout.close()\nprint('still here')")
        check(stdout == "still here\n", "print after sys.stdout.close()", stdout)
        check_message_shapes(k)


@group
def test_display():
    with Kernel() as k:
        k.wait_ready()
        _, displays = k.ok("import torch\nx = torch.tensor(3.0, requires_grad=True)\n"
                           "y = x ** 2 + x\ny.backward()\nx.grad")
        check([d["data"]["text/plain"] for d in displays] == ["tensor(7.)"], "x.grad shows tensor(7.)",
              displays)
        _, displays = k.ok("x.grad = None\nx.grad")
        check(displays == [], "None is not displayed", displays)
        _, displays = k.ok("z = 5")
        check(displays == [], "assignments are not displayed", displays)
        _, displays = k.ok("_")
        check(displays[0]["data"]["text/plain"] == "tensor(7.)", "_ is the last result", displays)
        _, displays = k.ok("3 * 4;")
        check(displays == [], "a trailing ; hides the result", displays)
        _, displays = k.ok("3 * 4  # a comment")
        check([d["data"]["text/plain"] for d in displays] == ["12"], "comment after the expression", displays)
        _, displays = k.ok("if True:\n    7")
        check(displays == [], "only a top-level final expression is displayed", displays)
        _, displays = k.ok("w = torch.tensor([1.0, 2.0], requires_grad=True)\nv = (w * 3).sum()\nv")
        data = displays[0]["data"]
        check(data["text/plain"] == "tensor(9., grad_fn=<SumBackward0>)", "repr with grad_fn", data)
        graph = data.get("application/vnd.gradlab.graph+json")
        check(isinstance(graph, dict) and graph.get("schema") == "gradlab.graph/1",
              "a tensor with a graph comes with its graph", data.keys())
        names = {n.get("name") for n in graph["nodes"]}
        check("w" in names and "v" in names, "user variable names in the graph", names)
        validate("trace-schema.json", graph)
        stdout, displays = k.ok("print('printed'); 'value'")
        check(stdout == "printed\n" and displays[0]["data"]["text/plain"] == "'value'",
              "print then value", stdout, displays)
        check_message_shapes(k)


@group
def test_errors():
    with Kernel() as k:
        k.wait_ready()
        reply, _, _, _, _ = k.execute("def f(a):\n    return a / 0\n")
        check(reply["status"] == "ok", "define f", reply)
        reply, stdout, _, _, _ = k.execute("print('partial')\nf(1)")
        check(stdout == "partial\n", "output before the error is kept", stdout)
        e = reply["error"]
        check(reply["status"] == "error" and e["ename"] == "ZeroDivisionError"
              and e["evalue"] == "division by zero", "error reply", reply)
        tb = "".join(e["traceback"])
        check(tb.startswith("Traceback (most recent call last):\n"), "traceback header", tb)
        check('File "<cell 2>", line 2, in <module>\n    f(1)' in tb, "cell frame with source", tb)
        check('File "<cell 1>", line 2, in f\n    return a / 0' in tb, "earlier cell's frame", tb)
        check(tb.endswith("ZeroDivisionError: division by zero\n"), "last line", tb)
        check("gradlab_kernel" not in tb, "kernel frames are hidden", tb)
        check(reply["execution_count"] == 2, "errors count too", reply)
        # syntax errors
        reply, _, _, _, _ = k.execute("x = (1,\n")
        check(reply["error"]["ename"] == "SyntaxError", "syntax error", reply)
        tb = "".join(reply["error"]["traceback"])
        check("<cell 3>" in tb and "Traceback" not in tb and "gradlab_kernel" not in tb,
              "syntax error text", tb)
        # an engine error with PyTorch's type and text
        reply, _, _, _, _ = k.execute("import torch\ntorch.ones(2, 3) @ torch.ones(2, 3)")
        check(reply["error"]["ename"] == "RuntimeError"
              and "cannot be multiplied" in reply["error"]["evalue"], "engine error", reply["error"])
        # chained exceptions keep both parts, still without kernel frames
        reply, _, _, _, _ = k.execute("try:\n    1/0\nexcept Exception as e:\n    raise ValueError('bad') from e")
        tb = "".join(reply["error"]["traceback"])
        check("ZeroDivisionError" in tb and "direct cause" in tb and "ValueError: bad" in tb
              and "gradlab_kernel" not in tb, "chained traceback", tb)
        # SystemExit and KeyboardInterrupt raised by code do not stop the kernel
        reply, _, _, _, _ = k.execute("import sys\nsys.exit(3)")
        check(reply["status"] == "error" and reply["error"]["ename"] == "SystemExit", "sys.exit", reply)
        reply, _, _, _, _ = k.execute("raise KeyboardInterrupt")
        check(reply["error"]["ename"] == "KeyboardInterrupt", "raise KeyboardInterrupt", reply)
        stdout, _ = k.ok("print('alive')")
        check(stdout == "alive\n", "kernel alive after errors", stdout)
        # a broken __repr__ is the cell's error
        reply, _, _, _, _ = k.execute("class B:\n    def __repr__(self):\n        raise TypeError('no repr')\nB()")
        check(reply["status"] == "error" and reply["error"]["evalue"] == "no repr", "repr error", reply)
        # after an error, queued cells are aborted (stop_on_error, default true)
        ids = [k.new_id() for _ in range(4)]
        k.send({"type": "execute_request", "id": ids[0], "code": "import time\ntime.sleep(0.3)\n1/0"})
        k.send({"type": "execute_request", "id": ids[1], "code": "print('skipped')"})
        k.send({"type": "execute_request", "id": ids[2], "code": "print('runs')", "stop_on_error": False})
        k.send({"type": "complete_request", "id": ids[3], "code": "pri"})
        out = k.collect(lambda m: m.get("id") == ids[3] and m["type"] == "complete_reply")
        replies = {m["id"]: m for m in out if m["type"] in ("execute_reply", "complete_reply")}
        check(replies[ids[0]]["status"] == "error", "first fails", replies)
        check(replies[ids[1]]["status"] == "aborted", "queued cell aborted", replies)
        check(replies[ids[2]]["status"] == "ok", "stop_on_error false runs", replies)
        check(replies[ids[3]]["status"] == "ok", "other requests still answered", replies)
        check_message_shapes(k)


@group
def test_figures():
    with Kernel() as k:
        k.wait_ready()
        # a pause() loop: first display, then updates of the same figure
        reply, stdout, stderr, displays, out = k.execute(
            "import matplotlib.pyplot as plt\nimport torch\n"
            "plt.rcParams['figure.figsize'] = (4.5, 3.0)\n"
            "x = torch.linspace(0, 1, 50)\n"
            "for i in range(5):\n"
            "    plt.clf()\n"
            "    plt.plot(x, x * i, 'r--', label='step %d' % i)\n"
            "    plt.scatter(x[:5], x[:5] ** 2, alpha=0.5)\n"
            "    plt.title('epoch %d' % i)\n"
            "    plt.legend()\n"
            "    plt.pause(0.05)\n")
        check(reply["status"] == "ok", "figure cell", reply)
        figs = [d for d in displays if "application/vnd.gradlab.figure+json" in d["data"]]
        check(len(figs) >= 5, "one display per pause", len(figs))
        ids = {d["display_id"] for d in figs}
        check(len(ids) == 1, "same figure id in every update", ids)
        check(figs[0]["update"] is False and all(d["update"] is True for d in figs[1:]),
              "first is new, the rest updates", [d["update"] for d in figs])
        last = figs[-1]["data"]["application/vnd.gradlab.figure+json"]
        check(last["schema"] == "gradlab.figure/1" and last["id"] in ids, "schema and id", last)
        check(last["size"] == [4.5, 3.0], "rcParams figure.figsize", last["size"])
        ax = last["axes"][0]
        check(ax["title"] == "epoch 4", "title of the last state", ax["title"])
        line = ax["series"][0]
        check(line["kind"] == "line" and line["color"] == "#ff0000" and line["linestyle"] == "dashed"
              and line["label"] == "step 4" and len(line["x"]) == 50, "the line", line)
        check(abs(line["y"][-1] - 4.0) < 1e-6, "tensor data", line["y"][-3:])
        scatter = ax["series"][1]
        check(scatter["kind"] == "scatter" and scatter["alpha"] == 0.5, "the scatter", scatter)
        check(ax["legend"] == {"loc": "best"}, "legend", ax["legend"])
        check(figs[-1]["data"]["text/plain"] == "<Figure size 450x300 with 1 Axes>", "text/plain",
              figs[-1]["data"]["text/plain"])
        for d in figs:
            validate("figure-schema.json", d["data"]["application/vnd.gradlab.figure+json"])
        # a notebook cell without show(): the figure is shown at the end,
        # with the Line2D list as the cell's value before it
        reply, _, _, displays, _ = k.execute("plt.plot([1, 2, 3], [1, 4, 9], 'o')")
        check(len(displays) == 2, "value and figure", displays)
        check(displays[0]["data"]["text/plain"].startswith("[<matplotlib.lines.Line2D object at 0x"),
              "plot() value", displays[0]["data"])
        fig = displays[1]["data"]["application/vnd.gradlab.figure+json"]
        check(fig["id"] not in ids, "a new cell makes a new figure", fig["id"], ids)
        s = fig["axes"][0]["series"][0]
        check(s["marker"] == "o" and s["linestyle"] == "none", "'o' format: markers only", s)
        validate("figure-schema.json", fig)
        # subplots, show(), hlines, bars
        reply, _, _, displays, _ = k.execute(
            "fig, axs = plt.subplots(2, 2, figsize=(8, 6))\n"
            "axs[0, 0].plot([0, 1], [1, 0], color='C2', linewidth=3)\n"
            "axs[0, 1].hist([1, 2, 2, 3, 3, 3], bins=3)\n"
            "axs[1, 0].axhline(0.5, color='k', linestyle=':')\n"
            "axs[1, 1].set_yscale('log')\naxs[1, 1].semilogy([1, 10, 100])\n"
            "axs[1, 1].set_xlim(0, 2)\naxs[1, 1].grid(True)\n"
            "fig.suptitle('four')\nplt.show()\nplt.show()\n")
        figs = [d for d in displays if "application/vnd.gradlab.figure+json" in d["data"]]
        check(len(figs) == 1, "show() twice without changes sends once", len(figs))
        fig = figs[0]["data"]["application/vnd.gradlab.figure+json"]
        check(len(fig["axes"]) == 4 and fig["suptitle"] == "four" and fig["size"] == [8.0, 6.0],
              "subplots figure", fig)
        check([a["position"]["index"] for a in fig["axes"]] == [1, 2, 3, 4], "positions", fig["axes"])
        check(fig["axes"][1]["series"][0]["kind"] == "bar", "hist as bars", fig["axes"][1])
        check(fig["axes"][2]["series"][0]["kind"] == "hline", "axhline", fig["axes"][2])
        check(fig["axes"][3]["yscale"] == "log" and fig["axes"][3]["xlim"] == [0, 2]
              and fig["axes"][3]["grid"] is True, "scales and limits", fig["axes"][3])
        validate("figure-schema.json", fig)
        # a figure as the cell's value is shown once
        reply, _, _, displays, _ = k.execute("fig = plt.figure()\nplt.plot([1, 2])\nfig")
        figs = [d for d in displays if "application/vnd.gradlab.figure+json" in d["data"]]
        check(len(figs) == 1, "figure value shown once", displays)
        # NaN and infinities become null
        reply, _, _, displays, _ = k.execute("plt.plot([1, float('nan'), float('inf')])")
        fig = displays[-1]["data"]["application/vnd.gradlab.figure+json"]
        check(fig["axes"][0]["series"][0]["y"] == [1.0, None, None], "non-finite as null", fig)
        validate("figure-schema.json", fig)
        # errors like matplotlib's
        reply, _, _, _, _ = k.execute("plt.plot([1, 2], [1, 2, 3])")
        check(reply["status"] == "error" and "same first dimension" in reply["error"]["evalue"],
              "shape error", reply)
        reply, _, _, _, _ = k.execute("plt.plot([1, 2], 'q')")
        check(reply["status"] == "error" and "format string" in reply["error"]["evalue"], "fmt error", reply)
        reply, _, _, _, _ = k.execute("plt.imshow([[1]])")
        check(reply["status"] == "error" and "not available in Gradlab" in reply["error"]["evalue"],
              "missing pyplot function", reply)
        # savefig to .json
        path = os.path.join(tempfile.mkdtemp(), "fig.json")
        k.ok("plt.plot([3, 2, 1]); plt.savefig(%r)" % path)
        with open(path, encoding="utf-8") as f:
            validate("figure-schema.json", json.load(f))
        check_message_shapes(k)


@group
def test_figures_script():
    """--script mode with --figures DIR: each show()/pause() writes
    DIR/figure-N.json (the latest state)."""
    kernel = os.environ["GRADLAB_KERNEL"]
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "plots.py")
        out_dir = os.path.join(tmp, "figs")
        with open(script, "w") as f:
            f.write("import matplotlib\nimport matplotlib.pyplot as plt\nimport torch\n"
                    "print(matplotlib.__gradlab__)\n"
                    "x = torch.linspace(-3, 3, 100)\n"
                    "for i in range(3):\n"
                    "    plt.cla(); plt.plot(x, torch.sin(x * i), label='sin'); plt.pause(0.01)\n"
                    "plt.figure(figsize=(3, 2)); plt.scatter([1, 2], [3, 4], c='red'); plt.show()\n"
                    "print('done')\n")
        r = subprocess.run([kernel, "--figures", out_dir, "--script", script], capture_output=True,
                           text=True, timeout=120)
        check(r.returncode == 0 and r.stdout == "True\ndone\n", "script run", r.stdout, r.stderr)
        files = sorted(os.listdir(out_dir))
        check(files == ["figure-1.json", "figure-2.json"], "figure files", files)
        with open(os.path.join(out_dir, "figure-1.json"), encoding="utf-8") as f:
            fig1 = json.load(f)
        with open(os.path.join(out_dir, "figure-2.json"), encoding="utf-8") as f:
            fig2 = json.load(f)
        check(len(fig1["axes"][0]["series"]) == 1 and fig1["axes"][0]["series"][0]["label"] == "sin",
              "latest state of figure 1", fig1)
        check(fig2["size"] == [3.0, 2.0] and fig2["axes"][0]["series"][0]["color"] == "#ff0000",
              "figure 2", fig2)
        validate("figure-schema.json", fig1)
        validate("figure-schema.json", fig2)
        # without --figures: silent
        r = subprocess.run([kernel, "--script", script], capture_output=True, text=True, timeout=120,
                           cwd=tmp)
        check(r.returncode == 0 and r.stdout == "True\ndone\n" and r.stderr == "", "silent run",
              r.stdout, r.stderr)


def _interrupt_cell(k, code, wait_for=None, delay=0.5, expect_line=None):
    rid = k.new_id()
    k.send({"type": "execute_request", "id": rid, "code": code})
    if wait_for is not None:
        k.collect(lambda m: m["type"] == "stream" and wait_for in m["text"], timeout=120)
    else:
        k.collect(lambda m: m["type"] == "status" and m.get("id") == rid)
    time.sleep(delay)
    t0 = time.monotonic()
    k.interrupt()
    out = k.collect(lambda m: m.get("id") == rid and m["type"] == "execute_reply", timeout=30)
    elapsed = out[-1]["_t"] - t0
    reply = out[-1]
    check(reply["status"] == "error" and reply["error"]["ename"] == "KeyboardInterrupt",
          "interrupted cell", reply)
    check(elapsed < 1.0, "interrupt took %.3f s (limit 1 s)" % elapsed)
    tb = "".join(reply["error"]["traceback"])
    if expect_line is not None:
        check(expect_line in tb, "interrupted where expected", tb)
    note("interrupted after %.1f ms" % (elapsed * 1000))
    return reply


@group
def test_interrupt():
    with Kernel() as k:
        k.wait_ready()
        _interrupt_cell(k, "while True: pass")
        stdout, _ = k.ok("print(1 + 1)")
        check(stdout == "2\n", "works after interrupt", stdout)
        _interrupt_cell(k, "import time\ntime.sleep(60)", expect_line="time.sleep(60)")
        # interrupt_request does the same
        rid = k.new_id()
        k.send({"type": "execute_request", "id": rid, "code": "while True:\n    pass"})
        k.collect(lambda m: m["type"] == "status" and m.get("id") == rid)
        time.sleep(0.3)
        reply, _ = k.request("interrupt_request")
        check(reply["status"] == "ok", "interrupt_reply", reply)
        out = k.collect(lambda m: m.get("id") == rid and m["type"] == "execute_reply")
        check(out[-1]["error"]["ename"] == "KeyboardInterrupt", "interrupt_request", out[-1])
        # an interrupt while idle is harmless, also for the next engine call
        k.interrupt()
        reply, _ = k.request("interrupt_request")
        time.sleep(0.2)
        stdout, _ = k.ok("import torch\nx = torch.ones(3, requires_grad=True)\n(x * 2).sum().backward()\n"
                         "print(x.grad)")
        check(stdout == "tensor([2., 2., 2.])\n", "engine works after idle interrupts", stdout)
        # a cell that catches the interrupt goes on
        _, _ = k.ok("1")
        check_message_shapes(k)


@group
def test_interrupt_engine():
    with Kernel() as k:
        k.wait_ready()
        # a loop of big matmuls: each call is long, the interrupt lands between them
        _interrupt_cell(k, "import torch\na = torch.randn(1500, 1500)\nprint('go', flush=True)\n"
                           "while True:\n    b = a @ a", wait_for="go", delay=0.5)
        stdout, _ = k.ok("print((torch.ones(2, 2) @ torch.ones(2, 2)).sum())")
        check(stdout == "tensor(8.)\n", "matmul after interrupt", stdout)
        # a long backward (about 2 s here): the engine stops between steps
        reply = _interrupt_cell(
            k, "torch.manual_seed(0)\nW = torch.randn(400, 400, requires_grad=True)\n"
               "y = torch.randn(400, 400)\nfor i in range(100):\n    y = (y @ W) / 20\n"
               "s = y.sum()\nimport time\nprint('built', flush=True)\ntime.sleep(0.3)\n"
               "while True:\n    s.backward(retain_graph=True)\n",
            wait_for="built", delay=0.6)
        note("interrupted at: " + reply["error"]["traceback"][-2].strip().replace("\n", " | "))
        stdout, _ = k.ok("w = torch.tensor(2.0, requires_grad=True)\n(w ** 3).backward()\nprint(w.grad)")
        check(stdout == "tensor(12.)\n", "backward after an interrupted backward", stdout)
        check_message_shapes(k)


@group
def test_abort_restart():
    with Kernel() as k:
        k.wait_ready()
        rid = k.new_id()
        k.send({"type": "execute_request", "id": rid, "code": "import os\nos.abort()"})
        while True:
            m = k.next(60)
            if m is None:
                break
            check(m.get("type") in ("status", "stream"), "no reply from an aborted kernel", m)
        status = k.proc.wait(30)
        check(status == -signal.SIGABRT, "exit status of os.abort()", status)
    with Kernel() as k:
        k.wait_ready()
        stdout, _ = k.ok("import torch\nprint(torch.ones(2).sum())")
        check(stdout == "tensor(2.)\n", "a new kernel works", stdout)
        # os._exit in a cell: the client sees EOF and the status
        k.send({"type": "execute_request", "id": "exit", "code": "import os\nos._exit(7)"})
        while k.next(60) is not None:
            pass
        check(k.proc.wait(30) == 7, "os._exit status", k.proc.returncode)


@group
def test_garbage():
    with Kernel() as k:
        k.wait_ready()
        bad = [
            (b"this is not json\n", None, "invalid JSON"),
            (b"[1, 2, 3]\n", None, "must be a JSON object"),
            (b"{\"type\": \"execute_request\", \"code\": \"1\"}\n", None, "missing field 'id'"),
            (b"{\"id\": true, \"type\": \"execute_request\", \"code\": \"1\"}\n", None, "'id' must be"),
            (b"{\"id\": 1.5, \"type\": \"execute_request\", \"code\": \"1\"}\n", None, "'id' must be"),
            (b"{\"id\": \"a\"}\n", "a", "missing field 'type'"),
            (b"{\"id\": \"b\", \"type\": 7}\n", "b", "'type' must be a string"),
            (b"{\"id\": \"c\", \"type\": \"frobnicate_request\"}\n", "c", "unknown request type"),
            (b"{\"id\": \"d\", \"type\": \"execute_request\"}\n", "d", "missing field 'code'"),
            (b"{\"id\": \"e\", \"type\": \"execute_request\", \"code\": 5}\n", "e", "'code' must be a string"),
            (b"{\"id\": \"f\", \"type\": \"execute_request\", \"code\": \"1\", \"silent\": \"yes\"}\n", "f",
             "'silent' must be"),
            (b"{\"id\": \"g\", \"type\": \"complete_request\", \"code\": \"x\", \"cursor_pos\": true}\n", "g",
             "'cursor_pos' must be"),
            (b"{\"id\": \"h\", \"type\": \"graph_snapshot_request\"}\n", "h", "missing field 'name'"),
            (b"\xff\xfe\x00\x01binary junk\x80\n", None, "not UTF-8"),
            (b"{\"id\": \"i\", \"type\": \"execute_request\", \"code\": \"1\0\"}\n", None, "NUL"),
            (b"[" * 100000 + b"\n", None, "nested too deeply"),
            (b"{\"id\": \"j\", \"type\": \"execute_request\", \"code\": \"1\", \"id\": }\n", None, "invalid JSON"),
        ]
        for data, rid, text in bad:
            k.write(data)
            m = k.next(30)
            check(m is not None and m["type"] == "protocol_error", "protocol_error for %r" % data[:60], m)
            check(m["id"] == rid, "error carries the id", m)
            check(text in m["error"]["evalue"], "message says %r" % text, m["error"]["evalue"])
            note("%r -> %s" % (data[:40], m["error"]["evalue"][:100]))
        # empty lines and CRLF are fine
        k.write(b"\n   \n")
        k.write(b"{\"id\": \"crlf\", \"type\": \"execute_request\", \"code\": \"40 + 2\"}\r\n")
        reply = k.collect(lambda m: m.get("id") == "crlf" and m["type"] == "execute_reply")[-1]
        check(reply["status"] == "ok", "CRLF request", reply)
        k.collect(lambda m: m["type"] == "status" and m.get("id") == "crlf")
        # a 10 MB line (over the 8 MiB limit) is refused without reading it whole
        k.write(b"x" * (10 * 1024 * 1024) + b"\n")
        m = k.next(60)
        check(m["type"] == "protocol_error" and "too long" in m["error"]["evalue"], "10 MB line", m)
        # a 10 MB valid request too (code of 10 MB)
        k.write(json.dumps({"id": "big", "type": "execute_request", "code": "#" * (10 * 1024 * 1024)}).encode()
                + b"\n")
        m = k.next(60)
        check(m["type"] == "protocol_error" and "too long" in m["error"]["evalue"], "10 MB request", m)
        # a large request under the limit works
        reply, _, _, displays, _ = k.execute("s = '%s'\nlen(s)" % ("a" * 1000000))
        check(displays[0]["data"]["text/plain"] == "1000000", "1 MB cell", displays)
        # random junk in chunks without newlines, then a newline
        import random
        rnd = random.Random(1)
        junk = bytes(rnd.randrange(256) for _ in range(100000)).replace(b"\n", b" ")
        k.write(junk[:50000])
        k.write(junk[50000:] + b"\n")
        m = k.next(30)
        check(m["type"] == "protocol_error", "binary junk", m)
        # and the kernel still works
        stdout, _ = k.ok("print('survived')")
        check(stdout == "survived\n", "kernel alive after garbage", stdout)
        check_message_shapes(k)


@group
def test_memory():
    with Kernel("--memory-limit", str(2 * 1024 ** 3)) as k:
        k.wait_ready()
        info, _ = k.request("kernel_info_request")
        limited = info["memory_limit"] is not None
        if limited:
            check(info["memory_limit"] == 2 * 1024 ** 3, "memory_limit reported", info)
        else:
            note("this kernel has no memory limit (sanitizer build): limit checks skipped")
        # impossible tensors: PyTorch's allocator message
        reply, _, _, _, _ = k.execute("import torch\ntorch.zeros(1000000, 1000000)")
        e = reply["error"]
        check(e["ename"] == "RuntimeError" and "DefaultCPUAllocator: can't allocate memory" in e["evalue"],
              "huge tensor", e)
        # impossible Python objects: MemoryError
        reply, _, _, _, _ = k.execute("x = bytearray(2 ** 46)")
        check(reply["error"]["ename"] == "MemoryError", "huge bytearray", reply["error"])
        if limited:
            # over the 2 GiB limit but well within the machine's memory
            reply, _, _, _, _ = k.execute("t = torch.zeros(768 * 1024 * 1024)")   # 3 GiB
            check(reply["status"] == "error" and reply["error"]["ename"] == "RuntimeError"
                  and "can't allocate memory" in reply["error"]["evalue"], "3 GiB tensor", reply)
            reply, _, _, _, _ = k.execute("b = bytearray(3 * 1024 ** 3)")
            check(reply["error"]["ename"] == "MemoryError", "3 GiB bytearray", reply["error"])
            reply, _, _, _, _ = k.execute("l = []\nwhile True:\n    l.append(bytearray(64 * 1024 * 1024))")
            check(reply["error"]["ename"] == "MemoryError", "growing list", reply["error"])
            k.ok("del l")
        stdout, _ = k.ok("t = torch.ones(1000, 1000)\nprint(t.sum())")
        check(stdout == "tensor(1000000.)\n", "kernel works after memory errors", stdout)
        check_message_shapes(k)


@group
def test_graph():
    with Kernel() as k:
        k.wait_ready()
        reply, _ = k.request("graph_list_request")
        check(reply["status"] == "ok" and reply["tensors"] == [], "nothing to list yet", reply)
        k.ok("import torch\nx = torch.tensor(5.0, requires_grad=True)\n"
             "y = -x**4 + 10*x**3 + 10*x**2 - 15*x - 4\nc = torch.ones(3)\n"
             "model = torch.nn.Linear(2, 1)\n")
        reply, _ = k.request("graph_list_request")
        listed = {t["name"]: t for t in reply["tensors"]}
        check(set(listed) == {"x", "y"}, "tensors with a graph", reply)
        check(listed["y"]["grad_fn"] == "SubBackward0" and listed["y"]["shape"] == []
              and listed["x"]["is_leaf"] is True and listed["x"]["grad_fn"] is None, "list fields", listed)
        # snapshot
        reply, _ = k.request("graph_snapshot_request", name="y")
        graph = reply["data"]["application/vnd.gradlab.graph+json"]
        check(reply["status"] == "ok" and graph["schema"] == "gradlab.graph/1", "snapshot", reply)
        check({"x", "y"} <= {n.get("name") for n in graph["nodes"]}, "names in the snapshot", graph["nodes"])
        validate("trace-schema.json", graph)
        reply, _ = k.request("graph_snapshot_request", name="model.weight")
        check(reply["status"] == "ok", "dotted names", reply)
        # capture-mode trace: user state unchanged
        reply, _ = k.request("graph_trace_request", name="y")
        trace = reply["data"]["application/vnd.gradlab.trace+json"]
        check(reply["status"] == "ok" and reply["backward_error"] is None and trace["schema"] == "gradlab.trace/1",
              "trace", reply.get("backward_error"))
        kinds = [e["kind"] for e in trace["events"]]
        check("forward" in kinds and "backward" in kinds, "forward and backward events", kinds)
        validate("trace-schema.json", trace)
        stdout, _ = k.ok("print(x.grad)\ny.backward()\nprint(x.grad)")
        check(stdout == "None\ntensor(335.)\n", "the trace did not touch .grad or free the graph", stdout)
        # after backward() freed the graph: forward only, with the reason
        reply, _ = k.request("graph_trace_request", name="y")
        check(reply["status"] == "ok" and "backward through the graph a second time" in reply["backward_error"],
              "trace of a freed graph", reply.get("backward_error"))
        validate("trace-schema.json", reply["data"]["application/vnd.gradlab.trace+json"])
        # the last real backward()
        reply, _ = k.request("last_backward_request")
        check(reply["status"] == "ok" and reply["execution_count"] == 2 and reply["call"] == 1
              and reply["calls"] == 1, "last backward", {k2: v for k2, v in reply.items() if k2 != "data"})
        last = reply["data"]["application/vnd.gradlab.trace+json"]
        validate("trace-schema.json", last)
        steps = [e for e in last["events"] if e["kind"] == "backward"]
        check(steps, "backward steps recorded", last["events"][:3])
        k.ok("w = torch.zeros(3, requires_grad=True)\nfor i in range(200):\n"
             "    loss = ((w - 1) ** 2).sum()\n    loss.backward()\n    with torch.no_grad():\n"
             "        w -= 0.1 * w.grad\n    w.grad = None\n")
        reply, _ = k.request("last_backward_request")
        check(reply["execution_count"] == 3 and reply["calls"] == 200 and 1 <= reply["call"] <= 200,
              "a loop's backward", {k2: v for k2, v in reply.items() if k2 != "data"})
        note("loop: trace of backward call %d of %d" % (reply["call"], reply["calls"]))
        # errors
        for name, ename in (("nope", "NameError"), ("c2", "NameError"), ("model", "TypeError"),
                            ("1x", "ValueError"), ("x.nothing", "AttributeError")):
            reply, _ = k.request("graph_snapshot_request", name=name)
            check(reply["status"] == "error" and reply["error"]["ename"] == ename, "error for %s" % name, reply)
        reply, _ = k.request("graph_trace_request", name="c")
        check(reply["status"] == "ok" and reply["backward_error"], "trace of a constant", reply.get("backward_error"))
        reply, _ = k.request("graph_snapshot_request", name="y", options={"max_nodes": -1})
        check(reply["status"] == "error" and reply["error"]["ename"] == "ValueError", "bad option", reply)
        reply, _ = k.request("graph_snapshot_request", name="y", options={"max_full_elements": 1})
        check(reply["status"] == "ok", "good option", reply)
        check_message_shapes(k)


@group
def test_complete_inspect():
    with Kernel() as k:
        k.wait_ready()
        k.ok("import torch\nmy_tensor = torch.ones(2)")
        reply, _ = k.request("complete_request", code="x = my_te", cursor_pos=9)
        check(reply["matches"] == ["my_tensor"] and reply["cursor_start"] == 4 and reply["cursor_end"] == 9,
              "complete a name", reply)
        reply, _ = k.request("complete_request", code="torch.ze")
        check("torch.zeros" in reply["matches"] and reply["cursor_start"] == 0, "complete an attribute", reply)
        reply, _ = k.request("complete_request", code="my_tensor.su", cursor_pos=12)
        check("my_tensor.sum" in reply["matches"], "complete a method", reply)
        reply, _ = k.request("inspect_request", code="torch.zeros(3)", cursor_pos=8)
        check(reply["found"] and "Type:" in reply["data"]["text/plain"], "inspect", reply)
        k.ok("def my_fn(a, b=2):\n    'Adds.'\n    return a + b")
        reply, _ = k.request("inspect_request", code="my_fn(1)", cursor_pos=2, detail_level=1)
        text = reply["data"]["text/plain"]
        check("Signature:   my_fn(a, b=2)" in text and "Adds." in text and "return a + b" in text,
              "inspect a function", text)
        reply, _ = k.request("inspect_request", code="nothing_here", cursor_pos=3)
        check(reply["status"] == "ok" and reply["found"] is False, "inspect unknown", reply)
        check_message_shapes(k)


@group
def test_shutdown():
    # while a cell runs: it is interrupted, queued cells aborted, then exit 0
    with Kernel() as k:
        k.wait_ready()
        k.send({"type": "execute_request", "id": "loop", "code": "while True: pass"})
        k.send({"type": "execute_request", "id": "queued", "code": "print('no')"})
        k.collect(lambda m: m["type"] == "status" and m.get("id") == "loop")
        time.sleep(0.2)
        k.send({"type": "shutdown_request", "id": "bye", "restart": True})
        out = k.collect(lambda m: m.get("id") == "bye")
        replies = {m["id"]: m for m in out if m["type"].endswith("_reply")}
        check(replies["loop"]["error"]["ename"] == "KeyboardInterrupt", "running cell stopped", replies)
        check(replies["queued"]["status"] == "aborted", "queued cell aborted", replies)
        check(replies["bye"]["type"] == "shutdown_reply" and replies["bye"]["restart"] is True, "reply", replies)
        check(k.proc.wait(10) == 0, "exit status", k.proc.returncode)
    # closing stdin: queued work finishes, then exit 0
    with Kernel() as k:
        k.send({"type": "execute_request", "id": "last", "code": "import time\ntime.sleep(0.2)\nprint('done')"})
        k.proc.stdin.close()
        out = k.collect(lambda m: m.get("id") == "last" and m["type"] == "execute_reply")
        check(out[-1]["status"] == "ok", "queued cell ran", out[-1])
        check(k.proc.wait(10) == 0, "exit status at EOF", k.proc.returncode)
    # atexit handlers run at shutdown
    with Kernel() as k:
        k.wait_ready()
        k.ok("import atexit\natexit.register(lambda: print('bye from atexit'))")
        reply, out = k.request("shutdown_request")
        while k.next(10) is not None:
            pass
        texts = "".join(m.get("text", "") for m in k.log if m["type"] == "stream")
        check("bye from atexit" in texts, "atexit output", texts)


def main(argv):
    global DOCS
    args = list(argv)
    if "--docs" in args:
        i = args.index("--docs")
        DOCS = args[i + 1]
        del args[i:i + 2]
    if args == ["--list"]:
        print("\n".join(GROUPS))
        return 0
    if not args:
        args = list(GROUPS)
    failed = skipped = 0
    for name in args:
        fn = GROUPS.get(name)
        if fn is None:
            print("unknown group %s" % name)
            return 2
        t0 = time.monotonic()
        try:
            Kernel.started_kernels.clear()
            fn()
            time.sleep(0.1)   # the last stderr lines
            reports = [r for k in Kernel.started_kernels for r in k.sanitizer_reports()]
            check(not reports, "sanitizer reports in the kernel's stderr", *reports[:10])
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (name, e))
            continue
        except Exception:
            failed += 1
            print("FAIL %s (%.1f s)" % (name, time.monotonic() - t0))
            traceback.print_exc(file=sys.stdout)
            continue
        print("PASS %s (%.1f s)" % (name, time.monotonic() - t0), flush=True)
    if failed:
        return 1
    if skipped == len(args):
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
