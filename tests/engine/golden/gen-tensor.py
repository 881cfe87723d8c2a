# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for the tensor core: PyTorch's result_type over operand kinds."""

import itertools
import torch
from goldenlib import Golden

g = Golden("tensor")
DT = {"bool": torch.bool, "int64": torch.int64, "float32": torch.float32, "float64": torch.float64}


def operand(kind, dtype):
    if kind == "dim":
        return torch.zeros(2, dtype=DT[dtype])
    if kind == "zero":
        return torch.zeros((), dtype=DT[dtype])
    # Python numbers
    return {"bool": True, "int64": 3, "float64": 2.5}[dtype]


kinds = [("dim", d) for d in DT] + [("zero", d) for d in DT] + \
        [("py", d) for d in ("bool", "int64", "float64")]
for (ka, da), (kb, db) in itertools.product(kinds, kinds):
    if ka == "py" and kb == "py":
        continue
    a, b = operand(ka, da), operand(kb, db)
    g.string("rt.%s.%s.%s.%s" % (ka, da, kb, db), str(torch.result_type(a, b)).replace("torch.", ""))
g.write()
