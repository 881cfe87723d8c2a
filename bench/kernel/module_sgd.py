# SPDX-License-Identifier: GPL-3.0-or-later
"""Notebook 03, "PyTorch: Custom nn Modules": Polynomial3(nn.Module) with
four Parameters, MSELoss(reduction='sum'), SGD lr 1e-6, 2000 steps."""
import math

import torch

import benchlib


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3


def setup():
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    return x, y, Polynomial3()


def train(state):
    x, y, model = state
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(2000):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return round(loss.item(), 2)


benchlib.run("module_sgd", setup, train)
