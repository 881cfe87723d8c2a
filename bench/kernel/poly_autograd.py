# SPDX-License-Identifier: GPL-3.0-or-later
"""Notebook 03, "PyTorch: Tensors and autograd": y = a + bx + cx^2 + dx^3
fitted to sin(x) on 2000 points, 2000 steps, manual SGD under no_grad."""
import math

import torch

import benchlib


def setup():
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    params = [torch.randn((), requires_grad=True) for _ in range(4)]
    return x, y, params


def train(state):
    x, y, (a, b, c, d) = state
    learning_rate = 1e-6
    for t in range(2000):
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
    return round(loss.item(), 2)


benchlib.run("poly_autograd", setup, train)
