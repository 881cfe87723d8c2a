# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for pointwise ops: broadcasting, type promotion, in-place, errors."""

import math
import torch
from goldenlib import Golden

g = Golden("pointwise")
torch.manual_seed(7)

f32 = lambda *s: torch.randn(s)
f64 = lambda *s: torch.randn(s, dtype=torch.float64)
i64 = lambda *s: torch.randint(-5, 6, s)
b8 = lambda *s: torch.rand(s) > 0.5
pos32 = lambda *s: torch.rand(s) + 0.25

BINARY = ["add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge"]
FN = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
}


def scalar_tensor(v):
    if isinstance(v, bool):
        return torch.tensor(v)
    if isinstance(v, int):
        return torch.tensor(v, dtype=torch.int64)
    return torch.tensor(v, dtype=torch.float64)


n = 0


def binary(op, a, b, kind="tt"):
    """kind: tt tensor-tensor, ts tensor-python number, st number-tensor."""
    global n
    key = "bin.%03d" % n
    n += 1
    g.string(key + ".op", op)
    g.string(key + ".kind", kind)
    g.tensor(key + ".a", a if kind != "st" else scalar_tensor(a))
    g.tensor(key + ".b", b if kind != "ts" else scalar_tensor(b))
    try:
        out = FN[op](a, b)
    except Exception as e:  # noqa: BLE001
        g.string(key + ".err", "%s: %s" % (type(e).__name__, e))
        return
    g.tensor(key + ".out", out)


shapes = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 4)), ((4, 1, 3), (2, 1)),
          ((), (2, 2)), ((2, 3), ()), ((0,), (1,)), ((5,), (1,))]
for op in BINARY:
    for sa, sb in shapes:
        a, b = f32(*sa), f32(*sb)
        if op == "pow":
            a = pos32(*sa)
        binary(op, a, b)
    # type promotion between tensors
    binary(op, i64(2, 3), f32(3))
    binary(op, f32(2, 3), f64(3))
    binary(op, i64(4), i64(4).abs() if op == "pow" else i64(4))
    binary(op, b8(4), i64(4).abs() if op == "pow" else i64(4))
    binary(op, b8(4), f32(4))
    # 0-dim tensors do not win over dimensioned ones of the same category
    binary(op, f32(3), torch.tensor(2.0, dtype=torch.float64))
    binary(op, i64(3), torch.tensor(2.5, dtype=torch.float64))
    binary(op, torch.tensor(3, dtype=torch.int64), f32(3))
    # Python numbers
    binary(op, pos32(3), 2, "ts")
    binary(op, pos32(3), 2.5, "ts")
    binary(op, i64(3).abs(), 2, "ts")
    binary(op, i64(3), 2.5, "ts")
    binary(op, f64(3).abs(), 0.5, "ts")
    binary(op, 2, pos32(3), "st")
    binary(op, 1.5, i64(3), "st")
    binary(op, True, i64(3).abs(), "st")
    # non-contiguous operands
    binary(op, pos32(3, 4).t(), pos32(6, 4)[::2].t())

# pow scalar special cases
for e in [2, 3, 0.5, -0.5, -1, -2, 1.7, 0, 1]:
    binary("pow", pos32(6), e, "ts")
binary("pow", i64(3), -1, "ts")
binary("pow", b8(3), b8(3))
binary("sub", b8(3), b8(3))
binary("add", b8(3), b8(3))
binary("mul", b8(3), True, "ts")
binary("add", f32(2, 3), f32(3, 2))
binary("div", torch.tensor([1.0, -1.0, 0.0]), torch.tensor([0.0, 0.0, 0.0]))
binary("div", torch.tensor([7, -7]), torch.tensor([2, 2]))
binary("eq", torch.tensor([float("nan"), 1.0]), torch.tensor([float("nan"), 1.0]))

UNARY = {
    "neg": torch.neg, "exp": torch.exp, "log": torch.log, "sin": torch.sin,
    "cos": torch.cos, "sqrt": torch.sqrt, "abs": torch.abs, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "relu": torch.relu,
}
n = 0
special = torch.tensor([0.0, -0.0, 1.0, -1.0, float("inf"), float("-inf"), float("nan"),
                        1e-30, 88.0, -100.0, 3.14159265])
for op, fn in UNARY.items():
    for a in [f32(7) * 3, f64(7) * 3, f32(3, 4).t(), special, i64(5), b8(4), f32(0)]:
        key = "un.%03d" % n
        n += 1
        g.string(key + ".op", op)
        g.tensor(key + ".a", a)
        try:
            g.tensor(key + ".out", fn(a))
        except Exception as e:  # noqa: BLE001
            g.string(key + ".err", "%s: %s" % (type(e).__name__, e))

# clamp
n = 0
for a in [f32(10) * 3, f64(6), i64(8), torch.tensor([float("nan"), 1.0, -5.0])]:
    for lo, hi in [(-1.0, 1.0), (None, 0.5), (0, None), (2, 1), (-2, 2), (-1, 0.5)]:
        key = "clamp.%03d" % n
        n += 1
        g.tensor(key + ".a", a)
        g.string(key + ".min", "none" if lo is None else "%s:%r" % (type(lo).__name__, lo))
        g.string(key + ".max", "none" if hi is None else "%s:%r" % (type(hi).__name__, hi))
        g.tensor(key + ".out", torch.clamp(a, lo, hi))
g.error("err.clamp_none", lambda: torch.clamp(f32(3)))

# where
n = 0
for c, a, b in [(b8(4), f32(4), f32(4)), (b8(2, 1), f32(3), i64(2, 3)), (b8(3), i64(3), i64(1))]:
    key = "where.%03d" % n
    n += 1
    g.tensor(key + ".c", c)
    g.tensor(key + ".a", a)
    g.tensor(key + ".b", b)
    g.tensor(key + ".out", torch.where(c, a, b))
g.error("err.where_cond", lambda: torch.where(f32(3), f32(3), f32(3)))

# in-place
INPLACE = {"add_": "add_", "sub_": "sub_", "mul_": "mul_", "div_": "div_"}
n = 0
for op in INPLACE:
    for self_, other, kind in [(f32(2, 3), f32(3), "tt"), (f32(4), 2.5, "ts"),
                               (i64(3), 2, "ts"), (i64(3), 2.5, "ts"), (i64(3), f32(3), "tt"),
                               (f32(3), f32(2, 3), "tt"), (f64(3), f32(3), "tt"),
                               (f32(3), i64(3), "tt")]:
        key = "inp.%03d" % n
        n += 1
        g.string(key + ".op", op)
        g.string(key + ".kind", kind)
        g.tensor(key + ".self", self_)
        g.tensor(key + ".other", other if kind == "tt" else scalar_tensor(other))
        s = self_.clone()
        try:
            getattr(s, op)(other)
        except Exception as e:  # noqa: BLE001
            g.string(key + ".err", "%s: %s" % (type(e).__name__, e))
            continue
        g.tensor(key + ".out", s)

g.write()
