#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Kernel benchmarks (DESIGN.md section 8), all measured in this one run:

1. start-up: `gradlab-kernel --protocol` from process start to the
   execute_reply of `1+1` (target <= 0.3 s);
2. the notebooks' training loops (this folder's *.py) under
   `gradlab-kernel --script` and under /usr/bin/python3 with Debian's
   PyTorch, alternately, best of --repeat runs each; ratio = PyTorch time /
   Gradlab time (target >= 2);
3. the same loops as protocol cells (what the app runs), to show the cost
   of recording backward passes for the graph view.

Usage: run.py --kernel PATH [--repeat N] [--only NAME,...] [--json FILE]"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "kernel", "protocol"))
from kernelclient import Kernel  # noqa: E402

LOOPS = ["poly_autograd", "nn_rmsprop", "module_sgd", "regression", "portfolio"]
PYTHON = "/usr/bin/python3"


def startup(kernel, runs=10):
    """(wall times to the first reply, CPU times of whole kernel runs): the
    CPU time (user + system, start-up, 1+1 and shutdown) hardly depends on
    what else the machine is doing."""
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with Kernel(kernel=kernel) as k:
            reply, _, _, _, _ = k.execute("1+1", timeout=60)
            times.append(reply["_t"] - k.started)
            k.request("shutdown_request")
            k.close()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def command_time(argv, runs=5):
    times = []
    for _ in range(runs):
        t0 = time.monotonic()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.monotonic() - t0)
    return times


def parse_result(text):
    """(best wall seconds, best CPU seconds, check) or Nones."""
    for line in text.splitlines():
        if line.startswith("RESULT "):
            _, name, best, median, cpu, check = line.split(" ", 5)
            return float(best), float(cpu), check
    return None, None, None


def run_script(argv, env):
    r = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=HERE, timeout=1800)
    best, cpu, check = parse_result(r.stdout)
    if r.returncode != 0 or best is None:
        last = (r.stderr.strip().splitlines() or ["exit status %d" % r.returncode])[-1]
        return None, None, "failed: " + last
    return best, cpu, check


def run_protocol(kernel, name, repeat):
    with open(os.path.join(HERE, name + ".py"), encoding="utf-8") as f:
        code = f.read()
    cell = "import os, sys\nos.environ['GRADLAB_BENCH_REPEAT'] = %r\nsys.path.insert(0, %r)\n%s" \
        % (str(repeat), HERE, code)
    with Kernel(kernel=kernel) as k:
        k.wait_ready()
        reply, stdout, _, _, _ = k.execute(cell, timeout=1800)
        k.request("shutdown_request")
        k.close()
    if reply.get("status") != "ok":
        return None, None, "failed: %s: %s" % (reply["error"]["ename"], reply["error"]["evalue"])
    return parse_result(stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default=os.environ.get("GRADLAB_KERNEL"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default="")
    ap.add_argument("--json")
    ap.add_argument("--no-protocol", action="store_true", help="skip the protocol-mode column")
    args = ap.parse_args()
    if not args.kernel:
        ap.error("--kernel PATH (or GRADLAB_KERNEL) is required")
    loops = [n for n in LOOPS if not args.only or n in args.only.split(",")]
    have_torch = subprocess.run([PYTHON, "-c", "import torch"], capture_output=True).returncode == 0
    results = {"machine": os.uname().nodename, "cpus": os.cpu_count(), "loops": {}}

    print("gradlab-kernel: %s" % args.kernel)
    print("CPUs: %d" % os.cpu_count())
    st, cpu = startup(args.kernel)
    results["startup"] = {"median": statistics.median(st), "min": min(st),
                          "cpu_median": statistics.median(cpu)}
    print("\nStart-up, process start to the execute_reply of 1+1 (10 runs):")
    print("  gradlab-kernel --protocol   median %.3f s   min %.3f s   (target <= 0.3 s)"
          % (statistics.median(st), min(st)))
    print("  CPU time of a whole run (start, 1+1, shutdown): median %.3f s" % statistics.median(cpu))
    try:
        load = os.getloadavg()[0]
        results["load"] = load
        if load > (os.cpu_count() or 1) * 0.5:
            print("  (load average %.1f on %d CPUs: wall times are noisy)" % (load, os.cpu_count()))
    except OSError:
        pass
    if have_torch:
        pt = command_time([PYTHON, "-c", "import torch; print(1 + 1)"])
        results["startup"]["python3_import_torch"] = statistics.median(pt)
        print("  for reference: python3 -c 'import torch; print(1+1)'   median %.3f s"
              % statistics.median(pt))
    else:
        print("  (python3-torch is not installed: no PyTorch comparison)")

    env = dict(os.environ, GRADLAB_BENCH_REPEAT=str(args.repeat))
    print("\nTraining loops, best of %d: wall seconds, and CPU seconds of the Python thread in "
          "brackets;\nratio = PyTorch / Gradlab (wall, CPU), target >= 2; protocol = the same loop "
          "as a cell of --protocol:" % args.repeat)
    print("  %-14s %17s %17s %15s %17s  %s" % ("loop", "gradlab", "pytorch", "ratio", "protocol", "check"))
    ratios, cpu_ratios = [], []

    def fmt(wall, cpu):
        return "%.3f [%.3f]" % (wall, cpu) if wall is not None else "-"

    for name in loops:
        ours, ours_cpu, check = run_script([args.kernel, "--script", name + ".py"], env)
        theirs, theirs_cpu, their_check = (run_script([PYTHON, name + ".py"], env) if have_torch
                                           else (None, None, "-"))
        proto = proto_cpu = None
        if not args.no_protocol and ours is not None:
            proto, proto_cpu, _ = run_protocol(args.kernel, name, args.repeat)
        ratio = theirs / ours if ours and theirs else None
        cpu_ratio = theirs_cpu / ours_cpu if ours_cpu and theirs_cpu else None
        results["loops"][name] = {"gradlab": ours, "gradlab_cpu": ours_cpu, "pytorch": theirs,
                                  "pytorch_cpu": theirs_cpu, "protocol": proto,
                                  "protocol_cpu": proto_cpu, "ratio": ratio, "cpu_ratio": cpu_ratio,
                                  "check": check, "pytorch_check": their_check}
        if ratio:
            ratios.append(ratio)
        if cpu_ratio:
            cpu_ratios.append(cpu_ratio)
        same = "" if ours is None or theirs is None or check == their_check else \
            "  (PyTorch: %s)" % their_check
        print("  %-14s %17s %17s %15s %17s  %s%s" % (
            name, fmt(ours, ours_cpu), fmt(theirs, theirs_cpu),
            "%.2fx [%.2fx]" % (ratio, cpu_ratio) if ratio and cpu_ratio else "-",
            fmt(proto, proto_cpu), check, same))

    def geomean(values):
        g = 1.0
        for v in values:
            g *= v
        return g ** (1.0 / len(values))

    if ratios:
        results["geomean_ratio"] = geomean(ratios)
        results["geomean_cpu_ratio"] = geomean(cpu_ratios) if cpu_ratios else None
        print("  geometric mean ratio: %.2fx (CPU %.2fx); lowest %.2fx (CPU %.2fx)"
              % (geomean(ratios), geomean(cpu_ratios), min(ratios), min(cpu_ratios)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
