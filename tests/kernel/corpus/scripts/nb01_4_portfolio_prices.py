# Notebook 01, portfolio optimisation on the real prices: yfinance's
# download(['AAPL','XOM','WMT'], start='2020-01-01')['Close'] is replaced by
# ../shared/data/prices/yahoo-daily-2015-2026 (split-adjusted Close, trading
# days 2020-01-02 .. 2025-01-24, see its SOURCE.md), and pandas' pct_change,
# mean and cov by numpy (same formulas: ddof=1).
import csv
import os
from datetime import date

import numpy as np
import torch

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..",
                    "shared", "data", "prices", "yahoo-daily-2015-2026")


def closes(filename):
    rows = {}
    with open(os.path.join(DATA, filename), encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        close = header.index("Close")
        adj = header.index("Adj Close")
        for row in reader:
            if not row[adj].strip():
                continue          # dividend and split rows
            m, d, y = (int(v) for v in row[0].split("/"))
            day = date(y, m, d)
            if date(2020, 1, 1) <= day <= date(2025, 1, 24):
                rows[day] = float(row[close].replace(",", ""))
    return [rows[k] for k in sorted(rows)]


# yfinance orders the columns by ticker: AAPL, WMT, XOM
data = np.array([closes("Apple.csv"), closes("WMT.csv"), closes("XOM.csv")]).T
print(data.shape)

ret = data[1:] / data[:-1] - 1          # data.pct_change() without its NaN row

expected_returns = torch.tensor(
    ret.mean(axis=0) * 252,
    dtype = torch.float32
)

cov_matrix = torch.tensor(
    np.cov(ret, rowvar=False) * 252,
    dtype = torch.float32
)

print(repr(expected_returns))

print(repr(cov_matrix))

import torch.optim as optim

weights = torch.tensor([0.33, 0.33, 0.34], requires_grad=True)

def portfolio_risk(weights, cov_matrix):
    weights_2d = weights.unsqueeze(0)  # (n,) -> (1, n)
    risk = torch.matmul(weights_2d, torch.matmul(cov_matrix, weights.unsqueeze(1)))  # (1, n) * (n, n) * (n, 1)
    return risk.squeeze()  # 스칼라 값 반환

def portfolio_return(weights, expected_returns):
    return torch.dot(weights, expected_returns)

optimizer = optim.SGD([weights], lr=0.01) # optimization target : 분산 최소화

for epoch in range(500):
    optimizer.zero_grad()
    loss = portfolio_risk(weights, cov_matrix)
    loss.backward()
    optimizer.step()

    with torch.no_grad():
        weights[:] = torch.clamp(weights, min=0)
        weights /= weights.sum()

    if epoch % 50 == 0:
        print(f"Epoch {epoch}, Risk: {loss.item()}, Weights: {weights.tolist()}")

print(repr(weights.tolist())) # portfolio weights

print(repr(portfolio_return(weights, expected_returns).item())) # expected return

print(repr(portfolio_risk(weights, cov_matrix).item())) # risk
