# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for reductions: sum, mean, max/min (all and per dim), argmax.

Keys (operand specs below):
    <op>/<spec>/<dims>/<keep>[/values|/indices]   a result
    err/<op>/<spec>/<dims>/<keep>                 "<Exception>: <message>"
op: sum mean max min argmax; dims: "all" (sum(), max(), ...), "none" (an
empty dim list: sum(dim=())), or a comma list ("0,-1"); keep: "k" or "n".
max/min/argmax with one dim give values and indices (argmax: indices only)."""

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


def store_inputs(g, inputs):
    for name, t in inputs.items():
        g.tensor("input/" + name, t)


g = Golden("reduce")
torch.manual_seed(1234)

nan = float("nan")
inputs = {
    "f32a": torch.randn(3, 4, 5),
    "f64a": torch.randn(2, 3, 4, dtype=torch.float64),
    "i64a": torch.randint(-10, 11, (3, 4, 2)),
    "boola": torch.rand(3, 4) > 0.5,
    "f32v": torch.randn(7),
    "f32long": torch.randn(3000) + 0.5,
    "f64long": torch.randn(2, 1500, dtype=torch.float64) * 100,
    "f32s": torch.tensor(2.5),
    "i64s": torch.tensor(-4),
    # ties and NaN: first occurrence wins, the first NaN wins
    "f32ties": torch.tensor([[1.0, 3.0, 3.0, 0.0],
                             [nan, 2.0, nan, 5.0],
                             [-1.0, -1.0, -2.0, -2.0]]),
    "f64nan": torch.tensor([[0.5, nan], [nan, 1.5], [2.0, 2.0]], dtype=torch.float64),
    "i64ties": torch.tensor([[4, 1, 4], [1, 1, 0]]),
    "boolties": torch.tensor([[False, True, True], [False, False, False]]),
    "i64big": torch.tensor([9223372036854775807, 1, 5]),
    "f32inf": torch.tensor([float("inf"), -float("inf"), 1.0]),
    "f32zeros": torch.tensor([0.0, -0.0, 0.0]),
}
store_inputs(g, inputs)


def run(op, t, dims, keep):
    keepdim = keep == "k"
    if dims == "all":
        return {"sum": t.sum, "mean": t.mean, "max": t.max, "min": t.min,
                "argmax": t.argmax}[op]()
    if dims == "none":
        return getattr(t, op)(dim=(), keepdim=keepdim)
    dl = tuple(int(d) for d in dims.split(","))
    if op in ("sum", "mean"):
        return getattr(t, op)(dim=dl, keepdim=keepdim)
    assert len(dl) == 1
    return getattr(t, op)(dl[0], keepdim=keepdim)


def case(op, spec, dims="all", keep="n"):
    key = "%s/%s/%s/%s" % (op, spec, dims, keep)
    out = run(op, make(spec, inputs), dims, keep)
    if isinstance(out, torch.Tensor) and out.numel() > 100:
        return  # keeps the file small: long inputs only reduce to a few values
    if not isinstance(out, torch.Tensor) and out.values.numel() > 100:
        return
    if op in ("max", "min") and dims != "all":
        g.tensor(key + "/values", out.values)
        g.tensor(key + "/indices", out.indices)
    else:
        g.tensor(key, out)


def error(op, spec, dims="all", keep="n"):
    key = "err/%s/%s/%s/%s" % (op, spec, dims, keep)
    g.error(key, lambda: run(op, make(spec, inputs), dims, keep))


def dim_lists(ndim):
    """Each dim (positive and negative), pairs, and all of them as a list."""
    out = [str(d) for d in range(ndim)] + [str(d - ndim) for d in range(ndim)]
    for a in range(ndim):
        for b in range(a + 1, ndim):
            out.append("%d,%d" % (a, b))
    if ndim >= 2:
        out.append("%d,0" % (ndim - 1))
        out.append(",".join(str(d) for d in range(ndim)))
    return list(dict.fromkeys(out))


for name in ["f32a", "f64a", "i64a", "boola", "f32v", "f32long", "f64long",
             "f32ties", "f64nan", "i64ties", "boolties"]:
    t = inputs[name]
    spec = "@" + name
    floating = t.dtype.is_floating_point
    sum_ops = ["sum", "mean"] if floating else ["sum"]
    for op in sum_ops:
        case(op, spec)
        case(op, spec, "none", "n")
        case(op, spec, "none", "k")
        for dims in dim_lists(t.dim()):
            for keep in ("n", "k"):
                case(op, spec, dims, keep)
    case("max", spec)
    case("min", spec)
    if t.dtype != torch.bool:
        case("argmax", spec)
    for d in range(-t.dim(), t.dim()):
        for keep in ("n", "k"):
            case("max", spec, str(d), keep)
            case("min", spec, str(d), keep)
            if t.dtype != torch.bool:
                case("argmax", spec, str(d), keep)

# 0-dim tensors
for spec in ["@f32s", "@i64s"]:
    for op in ["sum", "max", "min", "argmax"]:
        case(op, spec)
    case("sum", spec, "0", "n")
    case("sum", spec, "-1", "k")
    case("max", spec, "0", "k")
    case("min", spec, "-1", "n")
    case("argmax", spec, "0", "k")
case("mean", "@f32s")
case("mean", "@f32s", "0", "k")

# overflow, infinities and signed zeros
case("sum", "@i64big")
case("sum", "@f32inf")
case("max", "@f32inf")
case("min", "@f32inf")
case("sum", "@f32zeros")
case("max", "@f32zeros")
case("min", "@f32zeros")
case("max", "@f32zeros", "0", "n")
case("min", "@f32zeros", "0", "n")

# empty tensors
for spec in ["f32:0", "f32:0,3", "f32:2,0,3", "i64:0,3", "bool:0,2"]:
    case("sum", spec)
for spec in ["f32:0,3", "f64:2,0,3"]:
    case("mean", spec)
    case("mean", spec, "0", "n")
    case("mean", spec, "-1", "k")
case("sum", "f32:0,3", "0", "n")
case("sum", "f32:0,3", "1", "k")
case("sum", "i64:0,3", "0", "k")
case("sum", "f32:2,0,3", "0,2", "n")
case("max", "f32:0,3", "1", "n")
case("min", "f32:0,3", "1", "k")
case("argmax", "f32:0,3", "1", "n")
case("max", "f32:2,0,3", "2", "k")

# errors
error("mean", "i64:2,3")
error("mean", "bool:2,3")
error("mean", "i64:2,3", "0", "n")
error("mean", "i64:2,3", "5", "n")
error("mean", "i64:0")
error("sum", "f32:2,3,4", "0,0", "n")
error("sum", "f32:2,3,4", "0,-3", "k")
error("sum", "f32:2,3,4", "2,1,-1", "n")
error("sum", "f32:2,3,4", "3", "n")
error("sum", "f32:2,3,4", "0,-4", "n")
error("sum", "f32:", "1", "n")
error("sum", "f32:", "0,-1", "k")
error("mean", "f32:2,3", "0,0", "n")
error("mean", "f32:2,3", "-3", "n")
error("max", "f32:0")
error("min", "f32:0,3")
error("max", "bool:0")
error("max", "f32:0,3", "0", "n")
error("min", "f32:2,0", "-1", "k")
error("max", "f32:2,3", "2", "n")
error("min", "f32:2,3", "-3", "n")
error("max", "f32:2,0", "5", "n")
error("argmax", "f32:0")
error("argmax", "bool:0")
error("argmax", "bool:2,3")
error("argmax", "bool:2,3", "1", "n")
error("argmax", "bool:2,3", "5", "n")
error("argmax", "f32:2,0", "-1", "n")
error("argmax", "f32:2,3", "2", "k")
error("argmax", "f32:", "1", "n")

g.write()
