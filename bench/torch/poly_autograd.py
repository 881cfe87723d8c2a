# SPDX-License-Identifier: GPL-3.0-or-later
"""The notebook's polynomial fit with autograd (notebook 03, "Autograd"): 2000
steps on 2000 points, y = a + bx + cx^2 + dx^3, SSE loss, manual SGD under
no_grad.  Run by build/bench/bench-autograd (same loop as its C version);
prints the best time of a few runs."""

import math
import sys
import time

import torch

torch.set_num_threads(1)
STEPS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def run():
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    torch.manual_seed(0)
    a = torch.randn((), requires_grad=True)
    b = torch.randn((), requires_grad=True)
    c = torch.randn((), requires_grad=True)
    d = torch.randn((), requires_grad=True)
    learning_rate = 1e-6
    for t in range(STEPS):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return loss.item()


best = float("inf")
for _ in range(RUNS):
    start = time.perf_counter()
    loss = run()
    best = min(best, time.perf_counter() - start)
print("seconds=%.6f loss=%.6f" % (best, loss))
