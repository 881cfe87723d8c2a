# SPDX-License-Identifier: GPL-3.0-or-later
"""Notebook 03, "PyTorch: optim": Sequential(Linear(3, 1), Flatten(0, 1)),
MSELoss(reduction='sum'), RMSprop lr 1e-3, 2000 steps."""
import math

import torch

import benchlib


def setup():
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    return xx, y, model


def train(state):
    xx, y, model = state
    loss_fn = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return round(loss.item(), 2)


benchlib.run("nn_rmsprop", setup, train)
