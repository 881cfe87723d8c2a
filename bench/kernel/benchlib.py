# SPDX-License-Identifier: GPL-3.0-or-later
"""Timing for the kernel benchmarks: the same file runs under
`gradlab-kernel --script` and under /usr/bin/python3 with PyTorch.

run(name, setup, train, repeat): setup() builds fresh state (not timed),
train(state) is the notebook's training loop (timed); prints one line
    RESULT <name> <best seconds> <median seconds> <best CPU seconds> <check>
where the CPU time is the calling thread's (time.thread_time: it hardly
depends on what else runs on the machine) and <check> is a number from the
trained state, to see that both runs computed the same thing."""

import os
import sys
import time


def run(name, setup, train, repeat=None):
    if repeat is None:
        repeat = int(os.environ.get("GRADLAB_BENCH_REPEAT", "3"))
    times = []
    cpu = []
    check = None
    for _ in range(repeat):
        state = setup()
        t0 = time.perf_counter()
        c0 = time.thread_time()
        check = train(state)
        cpu.append(time.thread_time() - c0)
        times.append(time.perf_counter() - t0)
    times.sort()
    print("RESULT %s %.6f %.6f %.6f %s" % (name, times[0], times[len(times) // 2], min(cpu), check))
    sys.stdout.flush()
