# SPDX-License-Identifier: GPL-3.0-or-later
"""Notebook 05, "풀이8": linear regression y = 2.5 + 4x + e (seed 43052,
n = 100) with nn.Linear(2, 1, bias=False), MSELoss, SGD lr 0.1, zero_grad,
30 epochs.  One training is a few milliseconds, so each timed run trains
200 fresh models."""
import torch

import benchlib

RUNS = 200


def setup():
    torch.manual_seed(43052)
    x = torch.randn(100).sort()[0]
    eps = torch.randn(100) * 0.5
    y = 2.5 + 4 * x + eps
    X = torch.stack([torch.ones(100), x], axis=1)
    return X, y.reshape(-1, 1)


def train(state):
    X, Y = state
    for run in range(RUNS):
        net = torch.nn.Linear(in_features=2, out_features=1, bias=False)
        net.weight.data = torch.tensor([[-5.0, 10.0]])
        loss_fn = torch.nn.MSELoss()
        optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        for epoch in range(30):
            yhat = net(X)
            loss = loss_fn(yhat, Y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    return [round(v, 4) for v in net.weight.data.reshape(-1).tolist()]


benchlib.run("regression", setup, train)
