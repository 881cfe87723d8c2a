# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for test-views.c: view ops' values, strides and offsets, copies,
dtype conversions and error messages, from PyTorch 1.13.

Each view case <key> stores:
  <key>.values   the result (contiguous copy of its values)
  <key>.strides  int64 [ndim]: the result's strides in elements
  <key>.offset   int64 0-dim: its storage offset
  <key>.shares   bool 0-dim: whether it shares storage with its input
Inputs are the base.* tensors (contiguous, offset 0), so strides and offsets
are comparable in C."""

import torch

from goldenlib import Golden

g = Golden("views")

BASES = {
    "base.4": torch.arange(4.0),
    "base.2x2-int": torch.tensor([[1, 2], [3, 4]]),
    "base.2x3": torch.arange(6.0).view(2, 3),
    "base.4x3": torch.arange(12.0).view(4, 3),
    "base.2x3x4": torch.arange(24.0).view(2, 3, 4),
    "base.2x1x3": torch.arange(6.0).view(2, 1, 3),
    "base.1x1x3-int": torch.tensor([[[1, 2, 3]]]),
    "base.3x1": torch.tensor([[1.0], [2.0], [3.0]]),
    "base.2x0x3": torch.zeros(2, 0, 3),
    "base.scalar": torch.tensor(5.0),
    "base.1": torch.tensor([5.0]),
    "base.bool": torch.tensor([[True, False, True], [False, False, True]]),
}
for key, t in BASES.items():
    g.tensor(key, t)


def case(key, base, fn):
    src = BASES[base]
    out = fn(src)
    g.tensor(key + ".values", out)
    g.tensor(key + ".strides", torch.tensor(out.stride(), dtype=torch.int64))
    g.tensor(key + ".offset", torch.tensor(out.storage_offset()))
    g.tensor(key + ".shares",
             torch.tensor(out.storage().data_ptr() == src.storage().data_ptr()))


def error(key, base, fn):
    g.error(key, lambda: fn(BASES[base]))


# view
case("view.flatten", "base.2x3", lambda t: t.view(6))
case("view.infer-last", "base.2x3x4", lambda t: t.view(4, -1))
case("view.infer-middle", "base.2x3x4", lambda t: t.view(2, -1, 2))
case("view.add-ones", "base.2x3", lambda t: t.view(1, 2, 1, 3))
case("view.notebook-1x4", "base.2x2-int", lambda t: t.view(1, 4))
case("view.scalar-to-1x1", "base.scalar", lambda t: t.view(1, 1))
case("view.scalar-to-scalar", "base.scalar", lambda t: t.view([]))
case("view.one-to-scalar", "base.1", lambda t: t.view([]))
case("view.transposed-split", "base.2x3x4", lambda t: t.transpose(0, 1).view(3, 2, 2, 2))
case("view.row-slice-split", "base.4x3", lambda t: t[::2].view(2, 3, 1))
case("view.column-slice-merge", "base.2x3x4", lambda t: t[:, :, :2].view(6, 2))
case("view.column-slice-regroup", "base.2x3x4", lambda t: t[:, :, :2].view(3, 2, 2))
case("view.expanded-split", "base.3x1", lambda t: t.expand(3, 4).view(3, 2, 2))
case("view.empty-reshaped", "base.2x0x3", lambda t: t.view(0, 5))
case("view.empty-same-shape", "base.2x0x3", lambda t: t.transpose(0, 2).view(3, 0, 2))
case("view.bool", "base.bool", lambda t: t.view(3, 2))
error("error.view.invalid-size", "base.4", lambda t: t.view(3))
error("error.view.two-inferred", "base.4", lambda t: t.view(-1, -1))
error("error.view.negative-size", "base.4", lambda t: t.view(-2, 2))
error("error.view.zero-with-inferred", "base.4", lambda t: t.view(-1, 0))
error("error.view.ambiguous-empty", "base.2x0x3", lambda t: t.view(0, -1))
error("error.view.transposed", "base.2x3", lambda t: t.t().view(6))
error("error.view.row-slice", "base.4x3", lambda t: t[::2].view(6))

# reshape
case("reshape.contiguous-is-view", "base.2x3", lambda t: t.reshape(3, 2))
case("reshape.infer", "base.2x3x4", lambda t: t.reshape(-1))
case("reshape.transposed-copies", "base.2x3", lambda t: t.t().reshape(6))
case("reshape.transposed-view-when-possible", "base.2x3x4",
     lambda t: t.transpose(0, 1).reshape(3, 2, 2, 2))
case("reshape.row-slice-copies", "base.4x3", lambda t: t[::2].reshape(6))
case("reshape.notebook-4x1", "base.2x2-int", lambda t: t.reshape(4, 1))
error("error.reshape.invalid-size", "base.2x3", lambda t: t.reshape(4))

# squeeze
case("squeeze.notebook", "base.1x1x3-int", lambda t: t.squeeze())
case("squeeze.nothing-to-remove", "base.2x3", lambda t: t.squeeze())
case("squeeze.to-scalar", "base.1", lambda t: t.squeeze())
case("squeeze.strided", "base.2x1x3", lambda t: t[..., ::2].squeeze())
case("squeeze-dim.size-one", "base.2x1x3", lambda t: t.squeeze(1))
case("squeeze-dim.negative", "base.2x1x3", lambda t: t.squeeze(-2))
case("squeeze-dim.not-size-one", "base.2x1x3", lambda t: t.squeeze(0))
case("squeeze-dim.scalar", "base.scalar", lambda t: t.squeeze(0))
error("error.squeeze-dim.out-of-range", "base.2x1x3", lambda t: t.squeeze(3))
error("error.squeeze-dim.scalar", "base.scalar", lambda t: t.squeeze(1))

# unsqueeze
case("unsqueeze.front", "base.2x3", lambda t: t.unsqueeze(0))
case("unsqueeze.middle", "base.2x3", lambda t: t.unsqueeze(1))
case("unsqueeze.end", "base.2x3", lambda t: t.unsqueeze(2))
case("unsqueeze.negative", "base.2x3", lambda t: t.unsqueeze(-1))
case("unsqueeze.strided-middle", "base.2x3x4", lambda t: t[:, ::2].unsqueeze(2))
case("unsqueeze.strided-end", "base.2x3x4", lambda t: t[:, ::2].unsqueeze(3))
case("unsqueeze.scalar", "base.scalar", lambda t: t.unsqueeze(0))
error("error.unsqueeze.too-big", "base.2x3", lambda t: t.unsqueeze(3))
error("error.unsqueeze.too-negative", "base.2x3", lambda t: t.unsqueeze(-4))

# transpose, t, permute
case("transpose.2d", "base.2x3", lambda t: t.transpose(0, 1))
case("transpose.3d-outer", "base.2x3x4", lambda t: t.transpose(0, 2))
case("transpose.negative", "base.2x3x4", lambda t: t.transpose(-1, -2))
case("transpose.same-dim", "base.2x3", lambda t: t.transpose(1, 1))
case("transpose.scalar", "base.scalar", lambda t: t.transpose(0, -1))
error("error.transpose.out-of-range", "base.2x3", lambda t: t.transpose(0, 2))
case("t.2d", "base.2x3", lambda t: t.t())
case("t.1d", "base.4", lambda t: t.t())
case("t.scalar", "base.scalar", lambda t: t.t())
error("error.t.3d", "base.2x3x4", lambda t: t.t())
case("permute.rotate", "base.2x3x4", lambda t: t.permute(2, 0, 1))
case("permute.negative", "base.2x3x4", lambda t: t.permute(-1, 0, 1))
case("permute.identity", "base.2x3", lambda t: t.permute(0, 1))
case("permute.scalar", "base.scalar", lambda t: t.permute([]))
case("permute.of-transposed", "base.2x3x4", lambda t: t.transpose(0, 1).permute(2, 1, 0))
error("error.permute.wrong-length", "base.2x3", lambda t: t.permute([0]))
error("error.permute.duplicate", "base.2x3", lambda t: t.permute(0, 0))
error("error.permute.duplicate-negative", "base.2x3", lambda t: t.permute(0, -2))
error("error.permute.out-of-range", "base.2x3", lambda t: t.permute(0, 2))

# select
case("select.row", "base.2x3", lambda t: t.select(0, 1))
case("select.column-negative", "base.2x3", lambda t: t.select(1, -1))
case("select.last-dim", "base.2x3x4", lambda t: t.select(2, 2))
case("select.negative-dim", "base.2x3x4", lambda t: t.select(-2, 1))
case("select.of-transposed", "base.2x3", lambda t: t.t().select(0, 2))
case("select.to-scalar", "base.4", lambda t: t.select(0, 3))
error("error.select.index-too-big", "base.4", lambda t: t.select(0, 5))
error("error.select.index-too-negative", "base.2x3", lambda t: t.select(1, -4))
error("error.select.scalar", "base.scalar", lambda t: t.select(0, 0))
error("error.select.dim", "base.2x3", lambda t: t.select(2, 0))

# slice (aten::slice: dim, start, end, step; None = absent)
def aslice(t, dim, start, end, step):
    return torch.ops.aten.slice(t, dim, start, end, step)


case("slice.from-one", "base.4x3", lambda t: aslice(t, 0, 1, None, 1))
case("slice.every-second-column", "base.2x3x4", lambda t: aslice(t, 2, None, None, 2))
case("slice.negative-start", "base.4x3", lambda t: aslice(t, 1, -2, None, 1))
case("slice.clamped", "base.4x3", lambda t: aslice(t, 0, -100, 100, 1))
case("slice.step-past-end", "base.4x3", lambda t: aslice(t, 0, 1, 100, 3))
case("slice.empty", "base.4x3", lambda t: aslice(t, 0, 3, 1, 1))
case("slice.negative-dim-and-stop", "base.2x3x4", lambda t: aslice(t, -1, 1, -1, 1))
case("slice.of-slice", "base.4x3", lambda t: aslice(aslice(t, 0, 1, None, 2), 1, 1, 3, 1))
error("error.slice.zero-step", "base.4x3", lambda t: aslice(t, 0, 0, 3, 0))
error("error.slice.negative-step", "base.4x3", lambda t: aslice(t, 0, 0, 3, -1))
error("error.slice.scalar", "base.scalar", lambda t: aslice(t, 0, 0, 1, 1))
error("error.slice.dim", "base.4", lambda t: aslice(t, 1, 0, 1, 1))

# expand
case("expand.column", "base.3x1", lambda t: t.expand(3, 4))
case("expand.keep-with-minus-one", "base.3x1", lambda t: t.expand(-1, 4))
case("expand.new-leading-dims", "base.3x1", lambda t: t.expand(2, 3, 5))
case("expand.new-leading-one", "base.2x3", lambda t: t.expand(1, 2, 3))
case("expand.same", "base.2x3", lambda t: t.expand(2, 3))
case("expand.scalar", "base.scalar", lambda t: t.expand(2, 2))
case("expand.of-transposed", "base.2x1x3", lambda t: t.transpose(0, 1).expand(4, 2, 3))
error("error.expand.mismatch", "base.4", lambda t: t[:3].expand(2, 4))
error("error.expand.mismatch-1d", "base.2x3", lambda t: t.expand(2, 4))
error("error.expand.too-few-sizes-float", "base.2x3", lambda t: t.expand(3))
error("error.expand.too-few-sizes-long", "base.2x2-int", lambda t: t.expand(2))
error("error.expand.too-few-sizes-double", "base.2x3", lambda t: t.double().expand(3))
error("error.expand.too-few-sizes-bool", "base.bool", lambda t: t.expand(3))
error("error.expand.leading-minus-one", "base.4", lambda t: t.expand(-1, 4))
error("error.expand.negative", "base.1", lambda t: t.expand(2, -2))

# as_strided
case("as-strided.window", "base.2x3x4", lambda t: t.as_strided((2, 2), (1, 2), 1))
case("as-strided.broadcast", "base.2x3x4", lambda t: t.as_strided((3, 2), (0, 5), 7))

# contiguous and clone
case("contiguous.already", "base.2x3", lambda t: t.contiguous())
case("contiguous.transposed", "base.2x3x4", lambda t: t.transpose(0, 2).contiguous())
case("contiguous.expanded", "base.3x1", lambda t: t.expand(3, 4).contiguous())
case("clone.contiguous", "base.2x3", lambda t: t.clone())
case("clone.transposed", "base.2x3", lambda t: t.t().clone(memory_format=torch.contiguous_format))
case("clone.bool", "base.bool", lambda t: t.clone())

# dtype conversions: <key>.input converted to <key>.output
CONVERSIONS = [
    ("float-to-long", torch.tensor([2.7, -2.7, 0.5, -0.5, 3.0, 1e30, -1e30,
                                    float("nan"), float("inf"), -float("inf")]), torch.int64),
    ("double-to-long", torch.tensor([2.9999, -7.5, 1e300, 9.3e18, -9.2e18],
                                    dtype=torch.float64), torch.int64),
    ("float-to-bool", torch.tensor([0.0, -0.0, 0.5, -3.0, float("nan"), float("inf")]),
     torch.bool),
    ("long-to-bool", torch.tensor([0, 1, -5, 2**40]), torch.bool),
    ("long-to-float", torch.tensor([1, -3, 2**62 + 1, 16777217, -(2**63)]), torch.float32),
    ("long-to-double", torch.tensor([1, -3, 2**62 + 1, 9007199254740993]), torch.float64),
    ("double-to-float", torch.tensor([1e300, -1e300, 1e-300, 0.1, 1.0 / 3.0],
                                     dtype=torch.float64), torch.float32),
    ("float-to-double", torch.tensor([0.1, 1.0 / 3.0, -2.5e-40]), torch.float64),
    ("bool-to-float", torch.tensor([True, False]), torch.float32),
    ("bool-to-long", torch.tensor([True, False]), torch.int64),
]
for key, src, dtype in CONVERSIONS:
    g.tensor("to-dtype." + key + ".input", src)
    g.tensor("to-dtype." + key + ".output", src.to(dtype))
case("to-dtype.transposed", "base.2x3", lambda t: t.t().to(torch.int64).contiguous())

g.write()
