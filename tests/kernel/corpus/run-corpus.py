#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs scripts/NAME.py under `gradlab-kernel --script` and compares its
stdout byte for byte with expected/NAME.out (PyTorch 1.13's output), object
addresses masked.  Exit status: 0 pass, 1 fail, 77 skip (a module the script
imports, such as numpy, is missing).

Usage: run-corpus.py NAME   (GRADLAB_KERNEL names the kernel binary)"""

import difflib
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ADDRESS = re.compile(rb"0x[0-9a-fA-F]+")
# modules a script may need that are not part of Python or of the kernel
OPTIONAL = ("numpy", "matplotlib.pyplot")


def mask(data):
    return ADDRESS.sub(b"0xADDR", data)


def run_kernel(kernel, script, cwd, timeout=None):
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    return subprocess.run([kernel, "--script", script], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def missing_module(kernel, source, cwd):
    """The first optional module the script imports that the kernel cannot."""
    for module in OPTIONAL:
        top = module.split(".")[0]
        if not re.search(r"^\s*(import|from)\s+%s\b" % re.escape(top), source, re.M):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            probe = os.path.join(tmp, "probe.py")
            with open(probe, "w") as f:
                f.write("import %s\n" % module)
            if run_kernel(kernel, probe, tmp, timeout=60).returncode != 0:
                return module
    return None


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    name = sys.argv[1]
    kernel = os.environ.get("GRADLAB_KERNEL")
    if not kernel:
        print("GRADLAB_KERNEL is not set", file=sys.stderr)
        return 2
    scripts = os.path.join(HERE, "scripts")
    script = os.path.join(scripts, name + ".py")
    with open(os.path.join(HERE, "expected", name + ".out"), "rb") as f:
        expected = f.read()
    with open(script, encoding="utf-8") as f:
        source = f.read()

    shared = os.path.join(HERE, "..", "..", "..", "..", "shared", "data")
    if '"shared", "data"' in source and not os.path.isdir(shared):
        print("SKIP: %s.py reads ../shared/data, which is not beside the repository" % name)
        return 77
    module = missing_module(kernel, source, scripts)
    if module is not None:
        print("SKIP: %s.py needs %s, which gradlab-kernel cannot import here" % (name, module))
        return 77

    result = run_kernel(kernel, script, scripts)
    got = result.stdout
    if result.returncode == 0 and mask(got) == mask(expected):
        print("PASS: %s.py prints what PyTorch 1.13 prints (%d lines)" % (name, expected.count(b"\n")))
        return 0

    print("FAIL: %s.py (exit status %d)" % (name, result.returncode))
    diff = difflib.unified_diff(mask(expected).decode("utf-8", "replace").splitlines(True),
                                mask(got).decode("utf-8", "replace").splitlines(True),
                                "expected/%s.out (PyTorch)" % name, "gradlab-kernel --script %s.py" % name)
    sys.stdout.writelines(diff)
    if result.stderr:
        print("--- stderr ---")
        sys.stdout.write(result.stderr.decode("utf-8", "replace")[-8000:])
    return 1


if __name__ == "__main__":
    sys.exit(main())
