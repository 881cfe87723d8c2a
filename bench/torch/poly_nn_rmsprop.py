# SPDX-License-Identifier: GPL-3.0-or-later
"""The notebook's nn + optim version (notebook 03, "optim"): Sequential(Linear(3,
1), Flatten(0, 1)), MSELoss(reduction='sum'), RMSprop(lr=1e-3), 2000 steps on
2000 points.  Run by build/bench/bench-autograd; prints the best time of a
few runs."""

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
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for t in range(STEPS):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


best = float("inf")
for _ in range(RUNS):
    start = time.perf_counter()
    loss = run()
    best = min(best, time.perf_counter() - start)
print("seconds=%.6f loss=%.6f" % (best, loss))
