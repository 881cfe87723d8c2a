# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for tensor creation: literals with dtype inference, ranges, constants."""

import torch
from goldenlib import Golden

g = Golden("creation")

# torch.tensor(<literal>): the literal strings are parsed by ge_tensor_new_from_literal
LITERALS = [
    "[1, 2, 3]", "[1., 2, 3]", "[True, False]", "[True, 1]", "[True, 1.5]",
    "[[1, 2], [3, 4]]", "[[[1.5], [2.5]], [[3.5], [4.5]]]", "7", "3.25", "True",
    "[]", "[[]]", "[[], []]", "[-0.0, 1e-05, -1e+20]", "[9007199254740993, -3]",
    "[float('nan'), float('inf'), -float('inf')]",
]
for i, lit in enumerate(LITERALS):
    t = torch.tensor(eval(lit))
    g.string("lit.%02d.text" % i, lit.replace("float('nan')", "nan").replace("-float('inf')", "-inf")
             .replace("float('inf')", "inf"))
    g.tensor("lit.%02d.out" % i, t)

g.error("lit.ragged", lambda: torch.tensor([[1, 2], [3]]))
g.error("lit.ragged2", lambda: torch.tensor([[1, 2], [3, 4, 5]]))

for name, t in [
    ("arange.5", torch.arange(5)),
    ("arange.2_9_3", torch.arange(2, 9, 3)),
    ("arange.neg", torch.arange(5, -4, -2)),
    ("arange.float", torch.arange(0, 1, 0.1)),
    ("arange.float_end", torch.arange(0.5, 4)),
    ("arange.long_float", torch.arange(-3.0, 3.0, 0.25)),
    ("arange.dtype64", torch.arange(0, 2, 0.3, dtype=torch.float64)),
    ("arange.empty", torch.arange(0)),
    ("linspace.5", torch.linspace(0, 1, 5)),
    ("linspace.pi", torch.linspace(-3.141592653589793, 3.141592653589793, 2000)),
    ("linspace.pi64", torch.linspace(-3.141592653589793, 3.141592653589793, 2000, dtype=torch.float64)),
    ("linspace.1", torch.linspace(2, 3, 1)),
    ("linspace.0", torch.linspace(2, 3, 0)),
    ("linspace.down", torch.linspace(10, -10, 7)),
    ("linspace.odd", torch.linspace(-1, 1, 101)),
    ("eye.3", torch.eye(3)),
    ("eye.2x4", torch.eye(2, 4)),
    ("eye.4x2.64", torch.eye(4, 2, dtype=torch.float64)),
    ("full.2x3", torch.full((2, 3), 1.5)),
    ("full.int", torch.full((2,), 7, dtype=torch.int64)),
    ("zeros.bool", torch.zeros(2, 2, dtype=torch.bool)),
    ("ones.64", torch.ones(3, dtype=torch.float64)),
]:
    g.tensor(name, t)

g.error("arange.zero_step", lambda: torch.arange(0, 5, 0))
g.error("arange.bad_sign", lambda: torch.arange(0, 5, -1))
g.error("empty.negative", lambda: torch.empty(2, -1))
g.error("linspace.negative", lambda: torch.linspace(0, 1, -1))
g.error("eye.negative", lambda: torch.eye(-1))
g.error("alloc.huge", lambda: torch.empty(10**12))
g.error("alloc.overflow", lambda: torch.empty(1 << 40, 1 << 40, dtype=torch.float64))
g.error("item.many", lambda: torch.zeros(2).item())
g.string("tolist.2x2", repr(torch.tensor([[1.5, 2], [3, 4]]).tolist()))
g.string("tolist.ints", repr(torch.tensor([[1, -2]]).tolist()))
g.string("tolist.bools", repr(torch.tensor([True, False]).tolist()))
g.string("tolist.small", repr(torch.tensor([0.1, 1e-5, 1e16, 123456789.0, float("nan")]).tolist()))
g.string("tolist.scalar", repr(torch.tensor(2.5).tolist()))
g.write()
