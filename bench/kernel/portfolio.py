# SPDX-License-Identifier: GPL-3.0-or-later
"""Notebook 01, portfolio optimisation: minimise w^T Σ w with SGD lr 0.01,
then clamp and renormalise the weights, 500 epochs (with the μ and Σ the
notebook printed).  Each timed run does the 500 epochs 10 times."""
import torch

import benchlib

RUNS = 10


def setup():
    cov_matrix = torch.tensor([[0.1002, 0.0256, 0.0304],
                               [0.0256, 0.0507, 0.0134],
                               [0.0304, 0.0134, 0.1180]])
    return cov_matrix


def portfolio_risk(weights, cov_matrix):
    weights_2d = weights.unsqueeze(0)
    risk = torch.matmul(weights_2d, torch.matmul(cov_matrix, weights.unsqueeze(1)))
    return risk.squeeze()


def train(cov_matrix):
    for run in range(RUNS):
        weights = torch.tensor([0.33, 0.33, 0.34], requires_grad=True)
        optimizer = torch.optim.SGD([weights], lr=0.01)
        for epoch in range(500):
            optimizer.zero_grad()
            loss = portfolio_risk(weights, cov_matrix)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                weights[:] = torch.clamp(weights, min=0)
                weights /= weights.sum()
    return [round(v, 4) for v in weights.tolist()]


benchlib.run("portfolio", setup, train)
