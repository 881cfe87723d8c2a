# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for the seed notebooks run in C (tests/engine/test-notebooks.c):
the same code as the notebooks, run by Debian's PyTorch 1.13.  Where a
notebook starts from an unseeded random init, the golden seeds it
(torch.manual_seed(0)) and the C test does the same."""

import math

import torch
from goldenlib import Golden

g = Golden("notebooks")

# ---- notebooks 01/02: the one-parameter loop (01 ran the cell twice)
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y_true = torch.tensor([2.0, 4.0, 6.0])
w = torch.tensor(1.0, requires_grad=True)
for epoch in range(200):
    y_pred = w * x
    loss = ((y_pred - y_true) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
        w.grad.zero_()
    if epoch + 1 in (100, 200):
        g.tensor("wloop.%d" % (epoch + 1), torch.tensor(w.item(), dtype=torch.float64))

# ---- notebook 05: regression with torch.manual_seed(43052)
torch.manual_seed(43052)
x = torch.randn(100).sort()[0]
eps = torch.randn(100) * 0.5
y = 2.5 + 4 * x + eps
g.tensor("reg.x", x)
g.tensor("reg.y", y)

w0hat = torch.tensor(-5.00, requires_grad=True)
w1hat = torch.tensor(10.00, requires_grad=True)
yhat = w0hat + w1hat * x
g.string("reg.yhat5", repr(yhat[:5]))
loss = torch.sum((y - yhat) ** 2)
loss.backward()
g.string("reg.first_grads", repr((w0hat.grad, w1hat.grad)))
w0hat.data = w0hat.data - 0.001 * w0hat.grad
w1hat.data = w1hat.data - 0.001 * w1hat.grad
g.string("reg.first_update", repr((w0hat, w1hat)))

w0hat = torch.tensor(-5.00, requires_grad=True)
w1hat = torch.tensor(10.00, requires_grad=True)
for epoch in range(30):
    yhat = w0hat + w1hat * x
    loss = torch.sum((y - yhat) ** 2)
    loss.backward()
    w0hat.data = w0hat.data - 0.001 * w0hat.grad
    w1hat.data = w1hat.data - 0.001 * w1hat.grad
    w0hat.grad = None
    w1hat.grad = None
g.string("reg.scalars", repr((w0hat, w1hat)))

Y = y.reshape(-1, 1)
X = torch.stack([torch.ones(100), x], axis=1)
What = torch.tensor([[-5.00], [10.00]], requires_grad=True)
Yhat = X @ What
g.string("reg.Yhat5", repr(Yhat[:5]))
loss = torch.sum((Y - Yhat) ** 2)
loss.backward()
g.string("reg.What_grad", repr(What.grad))
What.data = What.data - 0.001 * What.grad
g.string("reg.What_update", repr(What))

What = torch.tensor([[-5.00], [10.00]], requires_grad=True)
for epoch in range(30):
    Yhat = X @ What
    loss = torch.sum((Y - Yhat) ** 2)
    loss.backward()
    What.data = What.data - 0.001 * What.grad
    What.grad = None
g.string("reg.sse", repr(What.data))
g.tensor("reg.sse.W", What.data)

What = torch.tensor([[-5.00], [10.00]], requires_grad=True)
for epoch in range(30):
    Yhat = X @ What
    loss = torch.mean((Y - Yhat) ** 2)
    loss.backward()
    What.data = What.data - 0.1 * What.grad
    What.grad = None
g.string("reg.mse", repr(What.data))

What = torch.tensor([[-5.00], [10.00]], requires_grad=True)
loss_fn = torch.nn.MSELoss()
for epoch in range(30):
    Yhat = X @ What
    loss = loss_fn(Yhat, Y)
    loss.backward()
    What.data = What.data - 0.1 * What.grad
    What.grad = None
g.string("reg.mseloss", repr(What.data))

net = torch.nn.Linear(in_features=2, out_features=1, bias=False)
net.weight.data = torch.tensor([[-10.0, 5.0]])
g.string("reg.net3", repr(net(X)[:3]))

net = torch.nn.Linear(in_features=2, out_features=1, bias=False)
net.weight.data = torch.tensor([[-5.00, 10.00]])
for epoch in range(30):
    Yhat = net(X)
    loss = loss_fn(Yhat, Y)
    loss.backward()
    net.weight.data = net.weight.data - 0.1 * net.weight.grad
    net.weight.grad = None
g.string("reg.net", repr(net.weight))

net = torch.nn.Linear(in_features=2, out_features=1, bias=False)
net.weight.data = torch.tensor([[-5.00, 10.00]])
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(30):
    Yhat = net(X)
    loss = loss_fn(Yhat, Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
g.string("reg.net_sgd", repr(net.weight))

X1 = x.reshape(-1, 1)
net = torch.nn.Linear(in_features=1, out_features=1, bias=True)
net.weight.data = torch.tensor([[10.00]])
net.bias.data = torch.tensor([-5.0])
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
for epoch in range(30):
    Yhat = net(X1)
    loss = loss_fn(Yhat, Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
g.string("reg.net_bias", repr((net.weight, net.bias)))

g.string("reg.closed_form", repr(torch.linalg.inv(X.T @ X) @ X.T @ Y))


def l(w0, w1):
    return torch.sum((y - (w0 + w1 * x)) ** 2)


g.string("reg.loss_closed_form", repr(l(2.4459, 4.0043)))
g.string("reg.loss_gd", repr(l(2.4290, 4.0144)))

# ---- notebook 03: sin(x) on [-pi, pi] with 2000 points
xs = torch.linspace(-math.pi, math.pi, 2000)
ys = torch.sin(xs)


def record_losses(key, losses):
    g.tensor(key, torch.tensor(losses, dtype=torch.float64))


# autograd by hand (seeded: the notebook's init is unseeded)
torch.manual_seed(0)
a = torch.randn((), requires_grad=True)
b = torch.randn((), requires_grad=True)
c = torch.randn((), requires_grad=True)
d = torch.randn((), requires_grad=True)
losses = []
for t in range(2000):
    y_pred = a + b * xs + c * xs ** 2 + d * xs ** 3
    loss = (y_pred - ys).pow(2).sum()
    if t % 100 == 99:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= 1e-6 * a.grad
        b -= 1e-6 * b.grad
        c -= 1e-6 * c.grad
        d -= 1e-6 * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
record_losses("poly.losses", losses)
g.tensor("poly.abcd", torch.stack([a, b, c, d]).detach())


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)
losses = []
for t in range(2000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * xs)
    loss = (y_pred - ys).pow(2).sum()
    if t % 100 == 99:
        losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        a -= 5e-6 * a.grad
        b -= 5e-6 * b.grad
        c -= 5e-6 * c.grad
        d -= 5e-6 * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
record_losses("legendre.losses", losses)
g.tensor("legendre.abcd", torch.stack([a, b, c, d]).detach())

p = torch.tensor([1, 2, 3])
xx = xs.unsqueeze(-1).pow(p)
for name in ("nn_sgd", "nn_rmsprop"):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3) if name == "nn_rmsprop" else None
    losses = []
    for t in range(2000):
        y_pred = model(xx)
        loss = loss_fn(y_pred, ys)
        if t % 100 == 99:
            losses.append(loss.item())
        if optimizer is None:
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= 1e-6 * param.grad
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    record_losses("%s.losses" % name, losses)
    g.tensor("%s.weight" % name, model[0].weight)
    g.tensor("%s.bias" % name, model[0].bias)

# ---- notebook 01: the portfolio, with the printed mean returns and covariance
expected_returns = torch.tensor([0.2655, 0.1980, 0.1436])
cov_matrix = torch.tensor([[0.1002, 0.0256, 0.0304], [0.0256, 0.0507, 0.0134], [0.0304, 0.0134, 0.1180]])
weights = torch.tensor([0.33, 0.33, 0.34], requires_grad=True)


def portfolio_risk(weights, cov_matrix):
    weights_2d = weights.unsqueeze(0)
    risk = torch.matmul(weights_2d, torch.matmul(cov_matrix, weights.unsqueeze(1)))
    return risk.squeeze()


optimizer = torch.optim.SGD([weights], lr=0.01)
for epoch in range(500):
    optimizer.zero_grad()
    loss = portfolio_risk(weights, cov_matrix)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        weights[:] = torch.clamp(weights, min=0)
        weights /= weights.sum()
    if epoch % 50 == 0:
        g.tensor("portfolio.%d.risk" % epoch, loss.detach())
        g.tensor("portfolio.%d.weights" % epoch, weights)
g.string("portfolio.weights", repr(weights))
g.tensor("portfolio.return", torch.dot(weights, expected_returns).detach())
g.tensor("portfolio.risk", portfolio_risk(weights, cov_matrix).detach())

g.write()
