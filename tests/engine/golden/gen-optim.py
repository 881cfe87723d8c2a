# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for torch.optim in C: 50-step trajectories of SGD, RMSprop and Adam
(single-tensor code, PyTorch 1.13's default), state buffers, param groups,
a real model trained with autograd, and the optimisers' ValueErrors.

Synthetic trajectories set p.grad = (p - target) * scale + p * p * p * 0.05
before every step: elementwise float ops only, which the C test computes
bit for bit, so any difference comes from the optimiser itself.
tests/engine/test-optim.c mirrors every case."""

import torch
from goldenlib import Golden

g = Golden("optim")
STEPS = 50

# name, class, kwargs (the C test keeps the same table)
CONFIGS = [
    ("sgd_plain", torch.optim.SGD, dict(lr=0.05)),
    ("sgd_momentum", torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    ("sgd_dampening", torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("sgd_nesterov", torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", torch.optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    ("sgd_momentum_weight_decay", torch.optim.SGD, dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("sgd_maximize", torch.optim.SGD, dict(lr=0.002, momentum=0.5, maximize=True)),
    ("rmsprop_plain", torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop_centered", torch.optim.RMSprop, dict(lr=0.01, centered=True)),
    ("rmsprop_momentum", torch.optim.RMSprop, dict(lr=0.01, momentum=0.9)),
    ("rmsprop_centered_momentum", torch.optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True)),
    ("rmsprop_weight_decay", torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("adam_plain", torch.optim.Adam, dict(lr=0.01)),
    ("adam_weight_decay", torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    ("adam_amsgrad", torch.optim.Adam, dict(lr=0.01, amsgrad=True)),
    ("adam_eps", torch.optim.Adam, dict(lr=0.05, eps=1e-3)),
]
DOUBLE_CONFIGS = ["sgd_nesterov", "rmsprop_centered_momentum", "adam_plain"]

torch.manual_seed(10)
P1 = torch.randn(3, 4)
P2 = torch.randn(5)
T1 = torch.randn(3, 4)
T2 = torch.randn(5)
S1 = torch.rand(3, 4) + 0.5
S2 = torch.rand(5) + 0.5
for name, t in (("p1", P1), ("p2", P2), ("t1", T1), ("t2", T2), ("s1", S1), ("s2", S2)):
    g.tensor("init.%s" % name, t)


def synthetic_grad(p, t, s):
    p = p.detach()
    return (p - t) * s + p * p * p * 0.05


def run(name, cls, kwargs, dtype):
    p1 = P1.to(dtype).clone().requires_grad_()
    p2 = P2.to(dtype).clone().requires_grad_()
    t1, t2, s1, s2 = (x.to(dtype) for x in (T1, T2, S1, S2))
    opt = cls([p1, p2], **kwargs)
    for step in range(STEPS):
        p1.grad = synthetic_grad(p1, t1, s1)
        p2.grad = synthetic_grad(p2, t2, s2)
        opt.step()
        g.tensor("traj.%s.%d.p1" % (name, step), p1)
        g.tensor("traj.%s.%d.p2" % (name, step), p2)
    return opt, p1


for name, cls, kwargs in CONFIGS:
    opt, p1 = run(name, cls, kwargs, torch.float32)
    for key, value in opt.state[p1].items():
        if torch.is_tensor(value) and key != "step":
            g.tensor("state.%s.%s" % (name, key), value)
        elif key == "step":
            g.tensor("state.%s.step" % name, torch.tensor(float(value), dtype=torch.float64))

for name, cls, kwargs in CONFIGS:
    if name in DOUBLE_CONFIGS:
        run(name + "_double", cls, kwargs, torch.float64)

# ---- two parameter groups, the second with its own lr and momentum
p1 = P1.clone().requires_grad_()
p2 = P2.clone().requires_grad_()
opt = torch.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": 0.01, "momentum": 0.5}], lr=0.05, momentum=0.9)
for step in range(20):
    p1.grad = synthetic_grad(p1, T1, S1)
    p2.grad = synthetic_grad(p2, T2, S2)
    opt.step()
g.tensor("groups.p1", p1)
g.tensor("groups.p2", p2)

# ---- a parameter without a grad is skipped (its state is not created)
p1 = P1.clone().requires_grad_()
p2 = P2.clone().requires_grad_()
opt = torch.optim.Adam([p1, p2], lr=0.1)
p1.grad = synthetic_grad(p1, T1, S1)
opt.step()
g.tensor("skip.p1", p1)
g.tensor("skip.p2", p2)

# ---- a model trained with autograd: Linear(3, 1) + MSELoss
torch.manual_seed(11)
X = torch.randn(16, 3)
Y = torch.randn(16, 1)
g.tensor("model.x", X)
g.tensor("model.y", Y)
MODEL_CONFIGS = [
    ("sgd", torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    ("rmsprop", torch.optim.RMSprop, dict(lr=0.01)),
    ("adam", torch.optim.Adam, dict(lr=0.05)),
]
for name, cls, kwargs in MODEL_CONFIGS:
    torch.manual_seed(12)
    model = torch.nn.Linear(3, 1)
    opt = cls(model.parameters(), **kwargs)
    loss_fn = torch.nn.MSELoss()
    losses = []
    for step in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    g.tensor("model.%s.losses" % name, torch.tensor(losses, dtype=torch.float64))
    g.tensor("model.%s.weight" % name, model.weight)
    g.tensor("model.%s.bias" % name, model.bias)


# ---- errors
def params():
    return [torch.zeros(2, requires_grad=True)]


g.error("err.sgd.lr", lambda: torch.optim.SGD(params(), lr=-1.0))
g.error("err.sgd.momentum", lambda: torch.optim.SGD(params(), lr=0.1, momentum=-0.5))
g.error("err.sgd.weight_decay", lambda: torch.optim.SGD(params(), lr=0.1, weight_decay=-1e-05))
g.error("err.sgd.nesterov", lambda: torch.optim.SGD(params(), lr=0.1, nesterov=True))
g.error("err.sgd.nesterov_dampening", lambda: torch.optim.SGD(params(), lr=0.1, momentum=0.9, dampening=0.1,
                                                               nesterov=True))
g.error("err.sgd.empty", lambda: torch.optim.SGD([], lr=0.1))
g.error("err.rmsprop.lr", lambda: torch.optim.RMSprop(params(), lr=-0.01))
g.error("err.rmsprop.eps", lambda: torch.optim.RMSprop(params(), eps=-1e-08))
g.error("err.rmsprop.momentum", lambda: torch.optim.RMSprop(params(), momentum=-1.0))
g.error("err.rmsprop.weight_decay", lambda: torch.optim.RMSprop(params(), weight_decay=-2.0))
g.error("err.rmsprop.alpha", lambda: torch.optim.RMSprop(params(), alpha=-0.99))
g.error("err.adam.lr", lambda: torch.optim.Adam(params(), lr=-0.001))
g.error("err.adam.eps", lambda: torch.optim.Adam(params(), eps=-1.0))
g.error("err.adam.beta1", lambda: torch.optim.Adam(params(), betas=(1.0, 0.999)))
g.error("err.adam.beta2", lambda: torch.optim.Adam(params(), betas=(0.9, 1.5)))
g.error("err.adam.weight_decay", lambda: torch.optim.Adam(params(), weight_decay=-0.1))
g.error("err.adam.lr_big", lambda: torch.optim.Adam(params(), lr=-1e20))
shared = torch.zeros(2, requires_grad=True)
g.error("err.groups.duplicate", lambda: torch.optim.SGD([{"params": [shared]}, {"params": [shared]}], lr=0.1))
g.error("err.non_leaf", lambda: torch.optim.SGD([torch.zeros(2, requires_grad=True) * 2], lr=0.1))

g.write()
