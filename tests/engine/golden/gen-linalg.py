# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for dot, mv, mm, bmm, matmul and linalg.inv.

Keys (operand specs below):
    <op>/<spec a>/<spec b>    a product (op: dot mv mm bmm matmul)
    inv/<spec>                torch.linalg.inv
    err/<op>/<spec a>/<spec b>, err/inv/<spec>
                              "<Exception>: <message>" (singular matrices
                              raise torch._C._LinAlgError, a RuntimeError)"""

import torch
from goldenlib import Golden

# Operand specs: a golden key names the call it was made from, so that the C
# test can replay it without a table of its own.  A spec is "@name" (the
# stored tensor "input/name"), "f32:2,3" (torch.ones((2, 3)) of that dtype;
# also f64, i64, bool; "f32:" is 0-dim), or either with ":T" appended (the
# last two dims transposed, a view).  Keys hold no spaces; specs no "/".

DTYPES = {
    "f32": torch.float32,
    "f64": torch.float64,
    "i64": torch.int64,
    "bool": torch.bool,
}


def make(spec, inputs):
    transposed = spec.endswith(":T")
    if transposed:
        spec = spec[:-2]
    if spec.startswith("@"):
        t = inputs[spec[1:]]
    else:
        dtype, _, sizes = spec.partition(":")
        shape = tuple(int(s) for s in sizes.split(",")) if sizes else ()
        t = torch.ones(shape, dtype=DTYPES[dtype])
    if transposed:
        t = t.transpose(-2, -1)
    return t


g = Golden("linalg")
torch.manual_seed(2024)


def f32(*s):
    return torch.randn(s)


def f64(*s):
    return torch.randn(s, dtype=torch.float64)


def i64(*s):
    return torch.randint(-5, 6, s)


def well_conditioned(n, *batch, dtype=torch.float32):
    return torch.randn(*batch, n, n, dtype=dtype) + n * torch.eye(n, dtype=dtype)


inputs = {
    # vectors
    "v3": f32(3), "v4": f32(4), "v5": f32(5), "v17": f32(17),
    "v4d": f64(4), "v3d": f64(3), "v4i": i64(4),
    # matrices (xT: stored transposed, used as @xT:T)
    "A": f32(3, 4), "B": f32(4, 5), "AT": f32(4, 3), "BT": f32(5, 4),
    "Ad": f64(3, 4), "Bd": f64(4, 5), "BTd": f64(5, 4),
    "Ai": i64(3, 4), "Bi": i64(4, 5),
    "G1": f32(33, 17), "G2": f32(17, 29), "G2T": f32(29, 17),
    "H1": f64(19, 23), "H2": f64(23, 11),
    "row": f32(1, 4), "col": f32(4, 1),
    # batches
    "X": f32(2, 3, 4), "Y": f32(2, 4, 5), "XT": f32(2, 4, 3), "YT": f32(2, 5, 4),
    "Xd": f64(2, 3, 4), "Yd": f64(2, 4, 5),
    "Xi": i64(2, 3, 4), "Yi": i64(2, 4, 5),
    "W": f32(2, 1, 3, 4), "Z": f32(5, 4, 2), "Q": f32(3, 2, 3, 4),
    "P": f32(4, 2, 3, 4), "R": f32(3, 1, 2, 6),
    # inverses
    "M1": torch.tensor([[2.0]]),
    "M2": torch.tensor([[4.0, 7.0], [2.0, 6.0]]),
    "M4": well_conditioned(4), "M4d": well_conditioned(4, dtype=torch.float64),
    "M9": well_conditioned(9), "M16d": well_conditioned(16, dtype=torch.float64),
    "Mb": well_conditioned(3, 2, 3), "Mbd": well_conditioned(5, 4, dtype=torch.float64),
    "Mperm": torch.tensor([[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [4.0, -3.0, 8.0]]),
    "S2": torch.tensor([[1.0, 2.0], [2.0, 4.0]]),
    "S2b": torch.tensor([[1.0, 0.0], [0.0, 0.0]]),
    "S3d": torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
                        dtype=torch.float64),
    "Z22": torch.zeros(2, 2), "Zb": torch.zeros(2, 3, 3),
    "EZ": torch.stack([torch.eye(3), torch.zeros(3, 3)]),
    "Z122": torch.zeros(1, 2, 2),
}
for name, t in inputs.items():
    g.tensor("input/" + name, t)

OPS = {
    "dot": torch.dot, "mv": torch.mv, "mm": torch.mm, "bmm": torch.bmm,
    "matmul": torch.matmul,
}


def product(op, a, b):
    key = "%s/%s/%s" % (op, a, b)
    g.tensor(key, OPS[op](make(a, inputs), make(b, inputs)))


def inverse(spec):
    g.tensor("inv/" + spec, torch.linalg.inv(make(spec, inputs)))


def product_error(op, a, b):
    key = "err/%s/%s/%s" % (op, a, b)
    g.error(key, lambda: OPS[op](make(a, inputs), make(b, inputs)))


def inverse_error(spec):
    g.error("err/inv/" + spec, lambda: torch.linalg.inv(make(spec, inputs)))


# dot and mv (the C test also replays every case with strided inputs)
for a, b in [("@v4", "@v4"), ("@v4d", "@v4d"), ("@v4i", "@v4i"), ("f32:0", "f32:0")]:
    product("dot", a, b)
for a, b in [("@A", "@v4"), ("@AT:T", "@v4"), ("@Ad", "@v4d"), ("@Ai", "@v4i"),
             ("@G2T", "@v17"), ("f32:3,0", "f32:0"), ("f32:0,4", "@v4")]:
    product("mv", a, b)

# mm: every combination of transposed operands
for a, b in [("@A", "@B"), ("@A", "@BT:T"), ("@AT:T", "@B"), ("@AT:T", "@BT:T"),
             ("@Ad", "@Bd"), ("@Ad", "@BTd:T"), ("@Ai", "@Bi"), ("@G1", "@G2"),
             ("@G1", "@G2T:T"), ("@H1", "@H2"), ("@row", "@B"), ("@A", "@col"),
             ("@col", "@row"), ("@row", "@col"), ("f32:3,0", "f32:0,5"),
             ("f32:0,4", "@B"), ("@A", "f32:4,0")]:
    product("mm", a, b)

# bmm
for a, b in [("@X", "@Y"), ("@XT:T", "@Y"), ("@X", "@YT:T"), ("@XT:T", "@YT:T"),
             ("@Xd", "@Yd"), ("@Xi", "@Yi"), ("f32:0,3,4", "f32:0,4,5"),
             ("f32:2,3,0", "f32:2,0,5")]:
    product("bmm", a, b)

# matmul: each branch of torch.matmul's dispatch
for a, b in [
    ("@v4", "@v4"),              # dot
    ("@A", "@v4"),               # mv
    ("@v3", "@A"),               # 1-D @ 2-D
    ("@A", "@B"),                # mm
    ("@AT:T", "@BT:T"),
    ("@X", "@B"),                # folded into one mm
    ("@X", "@v4"),               # folded into one mv
    ("@W", "@B"),
    ("@XT:T", "@B"),             # transposed batch: bmm, not folded
    ("@XT:T", "@v4"),            # transposed batch folded into mv
    ("@v3", "@X"),               # 1-D @ batch: transposed fold (mv)
    ("@A", "@Y"),                # 2-D @ batch: transposed fold (mm)
    ("@A", "@YT:T"),             # not folded (bmm)
    ("@v4", "@YT:T"),
    ("@X", "@Y"),                # bmm
    ("@X", "@YT:T"),
    ("@W", "@Z"),                # broadcast batch dims
    ("@Q", "@Y"),
    ("@P", "@B"),
    ("@Z", "@R"),
    ("@Xd", "@Yd"),
    ("@Xd", "@Bd"),
    ("@Xi", "@Yi"),
    ("@Xi", "@Bi"),
    ("@Ai", "@Yi"),
    ("@v4i", "@Yi"),
    ("f32:0,3,4", "@B"),
    ("f32:2,3,0", "f32:0,5"),
    ("f32:3,5,0", "f32:0,0"),
    ("f32:0", "f32:0"),
    ("f32:3,0", "f32:0"),
]:
    product("matmul", a, b)

for spec in ["@M1", "@M2", "@M4", "@M4d", "@M9", "@M16d", "@Mb", "@Mbd", "@Mperm",
             "@M4:T", "@Mbd:T", "f32:0,0", "f64:2,0,0"]:
    inverse(spec)

# errors, with the dispatch path that raises them
ERRORS = {
    "dot": [("f32:3", "f32:4"), ("f32:3,3", "f32:3,3"), ("f32:3", "f32:3,3"),
            ("f32:3", "f64:3"), ("i64:3", "f32:3"), ("bool:3", "bool:3"),
            ("bool:3", "bool:4"), ("bool:3", "i64:3"), ("f32:", "f32:"), ("f32:3", "f32:")],
    "mv": [("f32:3,4", "f32:3"), ("f32:3", "f32:3"), ("f32:3,4", "f32:4,1"),
           ("f32:3,4,2", "f32:4"), ("f32:3,4", "f64:4"), ("i64:3,4", "f32:4"),
           ("bool:3,4", "bool:4"), ("bool:3,4", "i64:4"), ("i64:3,4", "bool:4"),
           ("f32:3,4", "f64:3"), ("f32:3,4", "f32:")],
    "mm": [("f32:3,4", "f32:3,4"), ("f32:3", "f32:3,4"), ("f32:3,4", "f32:4"),
           ("f32:2,3,4", "f32:4,4"), ("f32:3,4", "f32:4,2,2"), ("i64:3,4", "f32:4,2"),
           ("f32:3,4", "i64:4,2"), ("f32:3,4", "f64:4,2"), ("bool:3,4", "bool:4,2"),
           ("bool:3,4", "i64:4,4"), ("i64:3,4", "bool:4,4"), ("f32:3,4", "f64:3,4"),
           ("f32:", "f32:")],
    "bmm": [("f32:2,3,4", "f32:2,3,4"), ("f32:2,3,4", "f32:3,4,5"), ("f32:3,4", "f32:2,4,5"),
            ("f32:2,3,4", "f32:4,5"), ("f32:2,3,4", "f64:2,4,5"), ("i64:2,3,4", "f32:2,4,5"),
            ("bool:2,3,4", "bool:2,4,5"), ("bool:2,3,4", "i64:2,4,4"),
            ("i64:2,3,4", "bool:2,4,4"), ("f32:1,3,4", "f32:2,4,5"),
            ("f32:2,3,4", "f64:2,3,4")],
    "matmul": [
        ("f32:3", "f32:4"), ("f32:3", "f32:4,5"), ("f32:3,4", "f32:3"),
        ("f32:3,4", "f32:3,5"), ("f32:2,3,4", "f32:3,5"), ("f32:2,3,4", "f32:3"),
        ("f32:4", "f32:2,3,4"), ("f32:2,3,4", "f32:3,4,5"), ("f32:2,3,4", "f32:2,5,5"),
        ("f32:2,3,4", "f32:5,4,2"), ("f32:2,3,4", "f32:2,3,4,5"),
        ("f32:", "f32:3"), ("f32:3", "f32:"), ("f32:", "f32:"), ("f32:", "f32:2,3,4"),
        ("f32:3", "f64:3"), ("f32:3,4", "f64:4"), ("f32:3,4", "f64:4,5"),
        ("f32:3", "f64:3,5"), ("f32:2,3,4", "f64:4,5"), ("f32:2,3,4", "f64:2,4,5"),
        ("f64:4", "f32:2,4,5"), ("f32:2,3,4", "f64:4"), ("f64:4", "f32:2,3,5"),
        ("f64:3,4", "f32:2,4,5"), ("f64:3,4", "f32:2,3,5"), ("f32:3,4", "f32:2,3,5"),
        ("f32:2,4,3:T", "f32:3,5"), ("f32:2,4,3:T", "f64:4,5"), ("f32:2,4,3:T", "f32:3"),
        ("f32:3,5", "f32:2,5,4:T"), ("f64:3,5", "f32:2,4,5:T"), ("f32:3", "f32:2,5,4:T"),
        ("f32:2,2,4,3:T", "f32:3,5"), ("f32:2,3,4", "bool:2,4,5"),
        ("bool:2,3,4", "bool:2,4,5"), ("bool:2,3,4", "bool:4,5"), ("bool:2,3,4", "bool:4"),
        ("bool:4", "bool:2,4,5"), ("bool:3", "bool:2,3,4:T"), ("bool:3", "bool:3"),
        ("bool:3,4", "bool:4"), ("bool:3,4", "bool:4,5"), ("bool:3", "bool:3,5"),
        ("i64:2,3,4", "f32:2,4,5"), ("i64:3", "f32:3,2,2"),
    ],
}
for op, cases in ERRORS.items():
    for a, b in cases:
        product_error(op, a, b)

for spec in ["f32:3,4", "f32:3", "f32:", "i64:3,3", "bool:3,3", "f32:2,3,4", "i64:3",
             "i64:3,4", "@S2", "@S2b", "@S3d", "@Z22", "@Zb", "@EZ", "@Z122"]:
    inverse_error(spec)

g.write()
