# SPDX-License-Identifier: GPL-3.0-or-later
"""MLP 4096x256 -> Linear 512 -> ReLU -> Linear 512 -> ReLU -> Linear 1, MSE
loss: best forward and backward times, for comparison with
build/bench/bench-autograd's C numbers (PyTorch's default threads)."""

import sys
import time

import torch

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10

torch.manual_seed(0)
x = torch.randn(4096, 256)
t = torch.randn(4096, 1)
model = torch.nn.Sequential(torch.nn.Linear(256, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                            torch.nn.ReLU(), torch.nn.Linear(512, 1))
loss_fn = torch.nn.MSELoss()
best_f = best_b = float("inf")
for _ in range(RUNS + 1):
    model.zero_grad(set_to_none=True)
    start = time.perf_counter()
    loss = loss_fn(model(x), t)
    mid = time.perf_counter()
    loss.backward()
    end = time.perf_counter()
    best_f = min(best_f, mid - start)
    best_b = min(best_b, end - mid)
print("forward=%.6f backward=%.6f threads=%d" % (best_f, best_b, torch.get_num_threads()))
