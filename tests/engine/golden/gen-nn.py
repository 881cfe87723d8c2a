# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for torch.nn in C: Linear init, forward and grads of Linear /
addmm / mse_loss / flatten / activations / Sequential, grad_fn structures,
module reprs and errors.  tests/engine/test-nn.c mirrors every case."""

import warnings

import torch
from goldenlib import Golden

warnings.simplefilter("ignore")
g = Golden("nn")


def structure(fn):
    if fn is None:
        return "None"
    name = type(fn).__name__
    nexts = getattr(fn, "next_functions", ())
    if not nexts:
        return name
    return "%s(%s)" % (name, ", ".join(structure(f) for f, _ in nexts))


def upstream(t):
    return torch.linspace(-1.0, 1.5, t.numel()).reshape(t.shape)


# ---- Linear init: (seed, in, out, bias); then torch.rand(3) continues the stream
INIT_CASES = [(0, 3, 2, True), (1, 4, 5, True), (42, 1, 1, True), (7, 16, 3, True),
              (123, 3, 1, True), (5, 20, 17, True), (9, 4, 2, False), (11, 0, 2, True),
              (13, 3, 0, True), (2024, 7, 1, True)]
for seed, fin, fout, bias in INIT_CASES:
    torch.manual_seed(seed)
    lin = torch.nn.Linear(fin, fout, bias=bias)
    g.tensor("init.%d.weight" % seed, lin.weight)
    if bias:
        g.tensor("init.%d.bias" % seed, lin.bias)
    g.tensor("init.%d.after" % seed, torch.rand(3))

torch.manual_seed(0)
lin0 = torch.nn.Linear(3, 2)
g.string("repr.param.weight", repr(lin0.weight))
g.string("repr.param.bias", repr(lin0.bias))

# ---- Linear forward and grads on 1-D ... 4-D inputs
torch.manual_seed(100)
inputs = {
    "1d": torch.randn(3),
    "2d": torch.randn(4, 3),
    "3d": torch.randn(2, 4, 3),
    "4d": torch.randn(2, 2, 4, 3),
    "3d_noncontig": torch.randn(4, 2, 3).transpose(0, 1),
}
for key, x in inputs.items():
    g.tensor("linear.%s.x" % key, x)

for bias in (True, False):
    tag = "bias" if bias else "nobias"
    for key, x0 in inputs.items():
        torch.manual_seed(3)
        lin = torch.nn.Linear(3, 2, bias=bias)
        x = x0.clone().requires_grad_()
        if key == "3d_noncontig":
            x = x0.transpose(0, 1).contiguous().requires_grad_()
            xin = x.transpose(0, 1)
        else:
            xin = x
        y = lin(xin)
        g.tensor("linear.%s.%s.y" % (tag, key), y)
        g.string("structure.linear.%s.%s.rg" % (tag, key), structure(y.grad_fn))
        y.backward(upstream(y))
        g.tensor("linear.%s.%s.grad_x" % (tag, key), x.grad)
        g.tensor("linear.%s.%s.grad_w" % (tag, key), lin.weight.grad)
        if bias:
            g.tensor("linear.%s.%s.grad_b" % (tag, key), lin.bias.grad)
        y2 = lin(x0)
        g.string("structure.linear.%s.%s.norg" % (tag, key), structure(y2.grad_fn))

# ---- addmm
torch.manual_seed(200)
b = torch.randn(2, requires_grad=True)
m1 = torch.randn(4, 3, requires_grad=True)
m2 = torch.randn(3, 2, requires_grad=True)
m1c = torch.randn(3, 4).t().detach().requires_grad_()     # column-major mat1
m2c = torch.randn(2, 3).t().detach().requires_grad_()     # column-major mat2
b_row = torch.randn(1, 2, requires_grad=True)
b_scalar = torch.randn((), requires_grad=True)
for name, t in (("b", b), ("m1", m1), ("m2", m2), ("b_row", b_row), ("b_scalar", b_scalar)):
    g.tensor("addmm.%s" % name, t)
# the column-major ones are stored transposed (contiguous); C transposes back
g.tensor("addmm.m1c_t", m1c.t())
g.tensor("addmm.m2c_t", m2c.t())
ADDMM_CASES = [
    ("plain", lambda: torch.addmm(b, m1, m2), (b, m1, m2)),
    ("beta_alpha", lambda: torch.addmm(b, m1, m2, beta=0.5, alpha=2.0), (b, m1, m2)),
    ("beta0", lambda: torch.addmm(b, m1, m2, beta=0.0, alpha=1.5), (b, m1, m2)),
    ("colmajor_m1", lambda: torch.addmm(b, m1c, m2), (b, m1c, m2)),
    ("colmajor_m2", lambda: torch.addmm(b, m1, m2c), (b, m1, m2c)),
    ("bias_row", lambda: torch.addmm(b_row, m1, m2), (b_row, m1, m2)),
    ("bias_scalar", lambda: torch.addmm(b_scalar, m1, m2, beta=3.0), (b_scalar, m1, m2)),
]
for key, fn, leaves in ADDMM_CASES:
    for t in leaves:
        t.grad = None
    y = fn()
    g.tensor("addmm.%s.y" % key, y)
    g.string("structure.addmm.%s" % key, structure(y.grad_fn))
    y.backward(upstream(y))
    for i, t in enumerate(leaves):
        g.tensor("addmm.%s.grad%d" % (key, i), t.grad)
g.tensor("addmm.int64", torch.addmm(torch.tensor([1, 2]), torch.arange(12).reshape(4, 3),
                                    torch.arange(6).reshape(3, 2), beta=2, alpha=3))
b64 = torch.randn(2, dtype=torch.float64)
g.tensor("addmm.float64.b", b64)
g.tensor("addmm.float64", torch.addmm(b64, torch.arange(12.).reshape(4, 3).double(),
                                      torch.arange(6.).reshape(3, 2).double() / 7))

# ---- mse_loss
torch.manual_seed(300)
a = torch.randn(3, 4)
t = torch.randn(3, 4)
a_col = torch.randn(3, 1)
t_row = torch.randn(4)
g.tensor("mse.a", a)
g.tensor("mse.t", t)
g.tensor("mse.a_col", a_col)
g.tensor("mse.t_row", t_row)
MSE_CASES = [("same", a, t), ("bcast", a_col, t_row), ("bcast_input_full", a, t_row)]
for key, a0, t0 in MSE_CASES:
    for red in ("mean", "sum", "none"):
        ai = a0.clone().requires_grad_()
        ti = t0.clone().requires_grad_()
        y = torch.nn.functional.mse_loss(ai, ti, reduction=red)
        g.tensor("mse.%s.%s.y" % (key, red), y)
        g.string("structure.mse.%s.%s" % (key, red), structure(y.grad_fn))
        y.backward(upstream(y))
        g.tensor("mse.%s.%s.grad_input" % (key, red), ai.grad)
        g.tensor("mse.%s.%s.grad_target" % (key, red), ti.grad)
        y2 = torch.nn.functional.mse_loss(a0.clone().requires_grad_(), t0, reduction=red)
        g.string("structure.mse.%s.%s.target_const" % (key, red), structure(y2.grad_fn))
g.tensor("mse.mixed", torch.nn.functional.mse_loss(a, t.double()))
g.tensor("mse.mixed_int_target", torch.nn.functional.mse_loss(a, torch.arange(12).reshape(3, 4)))
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    torch.nn.functional.mse_loss(a_col, t_row)
    g.string("mse.warning", str(w[0].message))

# ---- flatten
torch.manual_seed(400)
f3 = torch.randn(2, 3, 4)
g.tensor("flatten.x", f3)
FLATTEN_CASES = [("default", 1, -1), ("all", 0, -1), ("first_two", 0, 1), ("last_two", -2, -1),
                 ("same", 1, 1)]
for key, s, e in FLATTEN_CASES:
    x = f3.clone().requires_grad_()
    y = torch.flatten(x, s, e)
    g.tensor("flatten.%s.y" % key, y)
    g.string("structure.flatten.%s" % key, structure(y.grad_fn))
xt = f3.clone().requires_grad_()
yt = torch.nn.Flatten()(xt.transpose(1, 2))
g.tensor("flatten.transposed.y", yt)
g.string("structure.flatten.transposed", structure(yt.grad_fn))
yt.backward(upstream(yt))
g.tensor("flatten.transposed.grad", xt.grad)
g.string("structure.flatten.zero_dim", structure(torch.flatten(torch.tensor(2.0, requires_grad=True)).grad_fn))

# ---- activations
torch.manual_seed(500)
xa = torch.randn(7)
g.tensor("act.x", xa)
g.tensor("act.relu", torch.nn.ReLU()(xa))
g.tensor("act.tanh", torch.nn.Tanh()(xa))
g.tensor("act.sigmoid", torch.nn.Sigmoid()(xa))

# ---- a small MLP
torch.manual_seed(21)
mlp = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3),
                          torch.nn.Tanh(), torch.nn.Linear(3, 1), torch.nn.Sigmoid())
xm = torch.randn(5, 4)
tm = torch.rand(5, 1)
g.tensor("mlp.x", xm)
g.tensor("mlp.t", tm)
ym = mlp(xm)
g.tensor("mlp.y", ym)
lm = torch.nn.MSELoss()(ym, tm)
g.tensor("mlp.loss", lm)
g.string("structure.mlp", structure(lm.grad_fn))
lm.backward()
names = []
for i, (name, p) in enumerate(mlp.named_parameters()):
    names.append(name)
    g.tensor("mlp.grad.%d" % i, p.grad)
g.string("mlp.names", " ".join(names))
g.string("repr.mlp", repr(mlp))

# ---- the notebook's model
torch.manual_seed(0)
seq = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
xx = torch.linspace(-1, 1, 6).unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
ys = seq(xx)
g.tensor("seq.y", ys)
g.string("structure.seq", structure(ys.grad_fn))
g.string("repr.seq", repr(seq))

# ---- reprs
g.string("repr.nested", repr(torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()),
                                                 torch.nn.Tanh())))
g.string("repr.linear_nobias", repr(torch.nn.Linear(3, 2, bias=False)))
g.string("repr.mse", repr(torch.nn.MSELoss(reduction="sum")))
g.string("repr.flatten_default", repr(torch.nn.Flatten()))
g.string("repr.empty_seq", repr(torch.nn.Sequential()))
g.string("repr.activations", " ".join(repr(m) for m in (torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid())))


# ---- errors
def lin32():
    torch.manual_seed(0)
    return torch.nn.Linear(3, 2)


g.error("err.addmm.shape", lambda: torch.addmm(torch.randn(2), torch.randn(4, 3), torch.randn(2, 2)))
g.error("err.addmm.mat1_dim", lambda: torch.addmm(torch.randn(2), torch.randn(3), torch.randn(3, 2)))
g.error("err.addmm.mat2_dim", lambda: torch.addmm(torch.randn(2), torch.randn(4, 3), torch.randn(3)))
g.error("err.addmm.expand", lambda: torch.addmm(torch.randn(3), torch.randn(4, 3), torch.randn(3, 2)))
g.error("err.addmm.dtype_self", lambda: torch.addmm(torch.randn(2, dtype=torch.float64), torch.randn(3),
                                                    torch.randn(3, 2)))
g.error("err.addmm.dtype_mat1", lambda: torch.addmm(torch.randn(2), torch.randn(4, 3, dtype=torch.float64),
                                                    torch.randn(3, 2)))
g.error("err.addmm.bool", lambda: torch.addmm(torch.ones(2, dtype=torch.bool), torch.ones(4, 3, dtype=torch.bool),
                                              torch.ones(3, 2, dtype=torch.bool)))
g.error("err.linear.2d", lambda: lin32()(torch.randn(4, 5)))
g.error("err.linear.1d", lambda: lin32()(torch.randn(5)))
g.error("err.linear.3d", lambda: lin32()(torch.randn(2, 4, 5)))
g.error("err.linear.4d", lambda: lin32()(torch.randn(2, 2, 4, 5)))
g.error("err.linear.0d", lambda: lin32()(torch.tensor(1.0)))
g.error("err.linear.dtype", lambda: lin32()(torch.randn(4, 3, dtype=torch.float64)))
g.error("err.linear.nobias_dtype", lambda: torch.nn.Linear(3, 2, bias=False)(torch.randn(4, 3, dtype=torch.float64)))
g.error("err.linear.bias_size", lambda: torch.nn.functional.linear(torch.randn(4, 3), torch.randn(2, 3), torch.randn(5)))
g.error("err.linear.negative", lambda: torch.nn.Linear(-1, 2))
g.error("err.mse.size", lambda: torch.nn.functional.mse_loss(torch.randn(3), torch.randn(4)))
g.error("err.mse.reduction", lambda: torch.nn.functional.mse_loss(torch.randn(3), torch.randn(3), reduction="avg"))
g.error("err.mse.long", lambda: torch.nn.functional.mse_loss(torch.ones(3, dtype=torch.int64),
                                                             torch.ones(3, dtype=torch.int64)))
g.error("err.flatten.order", lambda: torch.flatten(torch.randn(2, 3), 1, 0))
g.error("err.flatten.range", lambda: torch.flatten(torch.randn(2, 3), 0, 2))
two = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
g.error("err.seq.index", lambda: two[2])
g.error("err.seq.negindex", lambda: two[-3])
g.error("err.seq.not_subscriptable", lambda: lin32()[0])
g.error("err.forward.too_many", lambda: lin32()(torch.ones(2, 3), torch.ones(2, 3)))
g.error("err.forward.missing", lambda: lin32()())
g.error("err.forward.seq_too_many", lambda: two(torch.ones(2, 3), torch.ones(2, 3)))
g.error("err.forward.mse_missing_target", lambda: torch.nn.MSELoss()(torch.ones(2)))
g.error("err.forward.mse_missing_both", lambda: torch.nn.MSELoss()())
g.error("err.forward.mse_too_many", lambda: torch.nn.MSELoss()(torch.ones(2), torch.ones(2), torch.ones(2)))
g.error("err.parameter.int", lambda: torch.nn.Parameter(torch.tensor([1, 2])))

g.write()
