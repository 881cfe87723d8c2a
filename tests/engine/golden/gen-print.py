# SPDX-License-Identifier: GPL-3.0-or-later
"""Golden reprs of PyTorch 1.13 for test-print.c.

Each case <name> stores
  T case.<name>.tensor   the values (contiguous)
  S case.<name>.repr     repr() as PyTorch prints it
  S case.<name>.options  how the C test must set GeReprOptions and views:
                         "key=value;..." with grad_fn, requires_grad,
                         parameter, precision, threshold, edgeitems,
                         linewidth, transpose (print the 2-D tensor's .t()),
                         cuda (storage on cuda:0)."""

import math

import torch
import torch._tensor_str as tensor_str

from goldenlib import Golden

g = Golden("print")
nan, inf = float("nan"), float("inf")
F64 = torch.float64
I64 = torch.int64

torch.manual_seed(20240501)


def case(name, t, options=None, printoptions=None, expect=None):
    """Records repr(t); t may carry requires_grad / grad_fn or be a Parameter."""
    options = dict(options or {})
    if printoptions:
        torch.set_printoptions(**printoptions)
        options.update(printoptions)
    try:
        text = repr(t)
    finally:
        torch.set_printoptions(profile="default")
    if expect is not None:
        assert text == expect, (name, text, expect)
    if isinstance(t, torch.nn.Parameter):
        options["parameter"] = 1
    if t.grad_fn is not None:
        options["grad_fn"] = type(t.grad_fn).__name__
    elif t.requires_grad:
        options["requires_grad"] = 1
    g.tensor("case.%s.tensor" % name, t)
    g.string("case.%s.repr" % name, text)
    g.string("case.%s.options" % name,
             ";".join("%s=%s" % (k, int(v) if isinstance(v, bool) else v)
                      for k, v in sorted(options.items())))


def with_grad_fn(t, op):
    """t's values, produced by an op that PyTorch names (sum(0) on a stack of one)."""
    leaf = t.detach().clone().unsqueeze(0).requires_grad_(True)
    out = leaf.sum(0)
    assert type(out.grad_fn).__name__ == "SumBackward1"
    if op == "SumBackward1":
        return out
    if op == "MulBackward0":
        return out * 1
    if op == "AddBackward0":
        return out + 0
    if op == "AddmmBackward0":
        raise ValueError(op)
    raise ValueError(op)


# ---- the oracles of pytorch-compat.md ----

case("oracle-int-mode", torch.tensor([1., 2., 3.]), expect="tensor([1., 2., 3.])")
case("oracle-nan-inf", torch.tensor([0., 1.5, nan, -inf]),
     expect="tensor([0.0000, 1.5000,    nan,   -inf])")
case("oracle-sci-small", torch.tensor([1e-5, 1.0]), expect="tensor([1.0000e-05, 1.0000e+00])")
case("oracle-sci-int-ratio", torch.tensor([1.0, 1e4]), expect="tensor([1.0000e+00, 1.0000e+04])")
case("oracle-fixed-align", torch.tensor([0.5, 100.25]), expect="tensor([  0.5000, 100.2500])")
case("oracle-int64", torch.tensor([1, -20, 300]), expect="tensor([  1, -20, 300])")
case("oracle-float64", torch.tensor([0.1, 0.2], dtype=F64),
     expect="tensor([0.1000, 0.2000], dtype=torch.float64)")
case("oracle-0dim-float", torch.tensor(math.pi), expect="tensor(3.1416)")
case("oracle-0dim-int", torch.tensor(7), expect="tensor(7)")
case("oracle-bool", torch.tensor([True, False]), expect="tensor([ True, False])")
case("oracle-negative-zero", torch.tensor([-0.0, 1.25]), expect="tensor([-0.0000, 1.2500])")
x = torch.tensor([3., 5.], requires_grad=True)
case("oracle-grad-fn-0dim", x.sum(), expect="tensor(8., grad_fn=<SumBackward0>)")
case("oracle-requires-grad-float64",
     torch.tensor([-1., 2.], dtype=F64, requires_grad=True),
     expect="tensor([-1.,  2.], dtype=torch.float64, requires_grad=True)")
case("oracle-suffix-wrap",
     with_grad_fn(torch.tensor([0.3034, -0.8266, -0.6182], dtype=F64), "SumBackward1"),
     expect="tensor([ 0.3034, -0.8266, -0.6182], dtype=torch.float64,\n"
            "       grad_fn=<SumBackward1>)")
case("oracle-arange30", torch.arange(30.),
     expect="tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
            "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
            "        28., 29.])")
case("oracle-arange2000", torch.arange(2000.),
     expect="tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
            "        1.9990e+03])")
torch.manual_seed(43052)
case("oracle-43052-sorted-head", torch.randn(100).sort()[0][:5],
     expect="tensor([-2.4821, -2.3621, -1.9973, -1.6239, -1.4792])")
case("oracle-43052-scaled-head", (torch.randn(100) * 0.5)[:5],
     expect="tensor([-1.1136,  0.3719, -0.4604, -0.4836, -0.8348])")
torch.manual_seed(20240501)

# ---- summarization ----

case("summary-1d-randn", torch.randn(1001))
case("summary-1d-int", torch.arange(1001))
case("summary-1d-int-negative", -torch.arange(1200) * 12345)
case("summary-1d-bool", torch.arange(1500) % 3 == 0)
case("summary-1d-float64", torch.randn(1001, dtype=F64))
case("summary-2d", torch.randn(34, 30))
case("summary-2d-int", torch.arange(40 * 30).reshape(40, 30))
case("summary-2d-column", torch.randn(1001, 1))
case("summary-2d-wide-rows", torch.randn(3, 60), printoptions={"threshold": 100})
case("summary-2d-four-rows", torch.randn(4, 60) * 100, printoptions={"threshold": 100})
case("summary-2d-narrow", torch.randn(40, 3), printoptions={"threshold": 100})
case("summary-3d", torch.randn(7, 8, 19))
case("summary-3d-small-dims", torch.randn(2, 3, 40), printoptions={"threshold": 100})
case("summary-3d-int", torch.arange(8 * 9 * 20).reshape(8, 9, 20))
case("summary-4d", torch.randn(7, 7, 3, 3), printoptions={"threshold": 100})
hidden = torch.arange(1010.)
hidden[500] = 1e-8
hidden[501] = nan
case("summary-hidden-values-ignored", hidden)
shown = torch.ones(1010)
shown[-1] = 1e-5
case("summary-shown-tail-decides", shown)
case("summary-exactly-threshold", torch.arange(1000.) / 7)

# ---- nesting ----

case("nested-2d", torch.randn(3, 4))
case("nested-3d", torch.randn(2, 3, 4))
case("nested-3d-int", torch.arange(24).reshape(2, 3, 4))
case("nested-4d", torch.randn(2, 2, 2, 2))
case("nested-5d", torch.arange(32.).reshape(2, 2, 2, 2, 2))
case("nested-2d-wrapped-rows", torch.randn(3, 30))
case("nested-3d-wrapped-rows", torch.randn(2, 2, 20))
case("nested-size-one-dims", torch.randn(1, 3, 1))
case("nested-bool-2d", torch.tensor([[True, False, True], [False, False, True]]))

# ---- integers and bools ----

case("int-single", torch.tensor([5]))
case("int-negative", torch.tensor([-1, -22, -333]))
case("int-large", torch.tensor([2**63 - 1, -2**63]))
case("int-trillion", torch.tensor([10**12, 1, -5]))
case("int-zeros", torch.zeros(4, dtype=I64))
case("int-wrapped", torch.arange(100))
case("int-wrapped-wide", torch.arange(40) * 10**9)
case("bool-all-true", torch.ones(3, dtype=torch.bool))
case("bool-wrapped", torch.arange(50) % 2 == 0)

# ---- floats: modes, widths, special values ----

case("float-negative", -torch.arange(1., 6.) / 3)
case("float-mixed-magnitudes-fixed", torch.tensor([0.001, 0.5, 12.25]))
case("float-mixed-magnitudes-sci", torch.tensor([1e-3, 1.0, 1e3]))
case("float-ratio-exactly-1000", torch.tensor([0.5, 500.0]))
case("float-ratio-over-1000", torch.tensor([0.5, 500.5]))
case("float-min-exactly-1e-4", torch.tensor([1e-4, 0.5], dtype=F64))
case("float-min-below-1e-4", torch.tensor([0.99e-4, 0.5], dtype=F64))
case("float-max-1e8-int", torch.tensor([1e8, 99999999.]))
case("float-max-over-1e8-int", torch.tensor([100000001., 99999999.], dtype=F64))
case("float-max-over-1e8", torch.tensor([123456789.5, 100000000.25], dtype=F64))
case("float-int-mode-large", torch.tensor([12345678., 1000.]))
case("float-int-mode-negative", torch.tensor([-3., 250., 7.]))
case("float-int-mode-with-nan", torch.tensor([1., nan, -inf, 20.]))
case("float-sci-wide", torch.tensor([1e-5, 1e5, -2.5]))
case("float-sci-huge", torch.tensor([1e9]))
case("float-sci-negative", torch.tensor([1.5e10, -2.5e-3]))
case("float-sci-3-digit-exponent", torch.tensor([1e100, 1e-100, -3.5e200], dtype=F64))
case("float-sci-nan-inf", torch.tensor([1e-7, nan, inf, -inf, 0.0]))
case("float-denormal", torch.tensor([1e-40, 1.0]))
case("float-rounding-half", torch.tensor([0.00005, 0.5]))
case("float-rounds-up", torch.tensor([0.99999, 9.99995, 1.5]))
case("float-precision-tail", torch.tensor([1.23456789, 2.5], dtype=F64))
case("float-nan-only", torch.tensor([nan, nan, nan]))
case("float-nan-inf-only", torch.tensor([nan, inf, -inf]))
case("float-inf-only", torch.tensor([inf]))
case("float-zeros", torch.zeros(5))
case("float-zeros-2d", torch.zeros(2, 3))
case("float-zeros-float64", torch.zeros(3, dtype=F64))
case("float-zeros-and-nan", torch.tensor([0., nan, 0.]))
case("float-negative-zero-only", torch.tensor([-0.]))
case("float-negative-zero-and-zero", torch.tensor([-0., 0.]))
case("float-negative-zero-int-mode", torch.tensor([-0., 1.]))
case("float-negative-zero-sci", torch.tensor([-0., 1e-6, 1.]))
case("float-randn", torch.randn(7))
case("float-randn-2d", torch.randn(4, 6) * 10)
case("float64-randn", torch.randn(5, dtype=F64))
case("float64-randn-2d", torch.randn(3, 4, dtype=F64))
case("float64-wrapped", torch.randn(20, dtype=F64))
case("float-wrapped-sci", torch.logspace(-6, 6, 25))
case("float-one-per-line", torch.tensor([1e30, -1e-30, 1.0]), printoptions={"linewidth": 10})

# ---- empty tensors ----

for dtype, tag in ((torch.float32, "f32"), (F64, "f64"), (I64, "i64"), (torch.bool, "bool")):
    case("empty-0-%s" % tag, torch.zeros(0, dtype=dtype))
    case("empty-0x3-%s" % tag, torch.zeros(0, 3, dtype=dtype))
    case("empty-2x0x3-%s" % tag, torch.zeros(2, 0, 3, dtype=dtype))
case("empty-requires-grad", torch.zeros(0, requires_grad=True))
case("empty-0x3-f64-requires-grad", torch.zeros(0, 3, dtype=F64, requires_grad=True))

# ---- 0-dim ----

case("0dim-f32", torch.tensor(2.5))
case("0dim-f32-negative-zero", torch.tensor(-0.))
case("0dim-f32-nan", torch.tensor(nan))
case("0dim-f32-inf", torch.tensor(-inf))
case("0dim-f32-sci", torch.tensor(1e10))
case("0dim-f32-small", torch.tensor(1e-4))
case("0dim-f32-tiny", torch.tensor(0.5e-4))
case("0dim-f32-int", torch.tensor(-42.))
case("0dim-f32-zero", torch.tensor(0.))
case("0dim-f64", torch.tensor(2.5, dtype=F64))
case("0dim-f64-int", torch.tensor(3.0, dtype=F64))
case("0dim-i64", torch.tensor(-7))
case("0dim-i64-large", torch.tensor(2**63 - 1))
case("0dim-bool", torch.tensor(False))
case("0dim-bool-true", torch.tensor(True))

# ---- suffixes ----

for n in range(1, 13):
    t = torch.randn(n, dtype=F64)
    case("suffix-f64-requires-grad-n%d" % n, t.clone().requires_grad_(True))
    case("suffix-f64-grad-fn-n%d" % n, with_grad_fn(t, "SumBackward1"))
    case("suffix-f32-grad-fn-n%d" % n, with_grad_fn(t.float(), "MulBackward0"))
for n in (13, 14, 15, 16, 27, 28, 29):
    t = torch.arange(float(n), dtype=F64)
    case("suffix-wrapped-f64-grad-fn-n%d" % n, with_grad_fn(t, "AddBackward0"))
    case("suffix-wrapped-f64-requires-grad-n%d" % n, t.clone().requires_grad_(True))
case("suffix-2d-f64-grad-fn", with_grad_fn(torch.randn(3, 7, dtype=F64), "SumBackward1"))
case("suffix-2d-f32-requires-grad", torch.randn(2, 3, requires_grad=True))
case("suffix-0dim-f64-requires-grad", torch.tensor(1.5, dtype=F64, requires_grad=True))
case("suffix-0dim-f32-grad-fn", with_grad_fn(torch.tensor(2.0), "MulBackward0"))
case("suffix-summary-grad-fn", with_grad_fn(torch.randn(1001, dtype=F64), "SumBackward1"))

# ---- Parameter ----

torch.manual_seed(0)
lin = torch.nn.Linear(3, 2)
case("parameter-linear-weight", lin.weight)
case("parameter-linear-bias", lin.bias)
case("parameter-float64", torch.nn.Parameter(torch.randn(2, 2, dtype=F64)))
case("parameter-frozen", torch.nn.Parameter(torch.randn(3), requires_grad=False))
case("parameter-0dim", torch.nn.Parameter(torch.tensor(0.25)))
case("parameter-wrapped", torch.nn.Parameter(torch.randn(12, dtype=F64)))

# ---- print options ----

case("options-precision-2", torch.randn(5), printoptions={"precision": 2})
case("options-precision-8", torch.randn(5, dtype=F64), printoptions={"precision": 8})
case("options-precision-2-sci", torch.tensor([1e-6, 3.0]), printoptions={"precision": 2})
case("options-threshold-5", torch.arange(10), printoptions={"threshold": 5})
case("options-threshold-5-2d", torch.randn(4, 4), printoptions={"threshold": 5})
case("options-edgeitems-1", torch.randn(50), printoptions={"threshold": 10, "edgeitems": 1})
case("options-edgeitems-5-2d", torch.randn(15, 14), printoptions={"threshold": 100, "edgeitems": 5})
case("options-linewidth-40", torch.randn(20), printoptions={"linewidth": 40})
case("options-linewidth-40-suffix", torch.randn(5, dtype=F64, requires_grad=True),
     printoptions={"linewidth": 40})
case("options-linewidth-120", torch.randn(40), printoptions={"linewidth": 120})
case("options-combined", torch.arange(30.).reshape(5, 6) / 3,
     printoptions={"precision": 3, "threshold": 10, "edgeitems": 2, "linewidth": 50})

# ---- views: the C test prints base.t() ----

for name, base in (("transpose-f32", torch.randn(4, 5)),
                   ("transpose-int", torch.arange(12).reshape(3, 4)),
                   ("transpose-summary", torch.randn(34, 30))):
    text = repr(base.t())
    g.tensor("case.%s.tensor" % name, base)
    g.string("case.%s.repr" % name, text)
    g.string("case.%s.options" % name, "transpose=1")

# ---- cuda:0: torch's own suffix code over the CPU contents ----


def cuda_repr(t, extra):
    body = "tensor(" + tensor_str._tensor_str(t, 7)
    suffixes = ["device='cuda:0'"]
    if t.dtype not in (torch.float32, torch.int64, torch.bool):
        suffixes.append("dtype=" + str(t.dtype))
    suffixes += extra
    return tensor_str._add_suffixes(body, suffixes, 7, False)


for name, t, extra, opts in (
        ("cuda-f32", torch.randn(3), [], "cuda=1"),
        ("cuda-f64-requires-grad", torch.randn(4, dtype=F64), ["requires_grad=True"],
         "cuda=1;requires_grad=1"),
        ("cuda-f32-grad-fn-wrapped", torch.randn(8), ["grad_fn=<MulBackward0>"],
         "cuda=1;grad_fn=MulBackward0"),
        ("cuda-int", torch.arange(3), [], "cuda=1")):
    g.tensor("case.%s.tensor" % name, t)
    g.string("case.%s.repr" % name, cuda_repr(t, extra))
    g.string("case.%s.options" % name, opts)

g.write()
