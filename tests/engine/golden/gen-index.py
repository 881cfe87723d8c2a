# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for test-index.c: basic indexing (ints, slices, None, Ellipsis) and
assignment through an index, with PyTorch 1.13's error messages.

  get.<name>.values/.strides/.offset   t[index] (always a view of t)
  put.<name>.value                      the value assigned (0-dim for numbers)
  put.<name>.result                     the whole base after t[index] = value
  error.<name>                          "<ExceptionType>: <message>"
The C tests spell each index out again as a GeIndex list."""

import torch

from goldenlib import Golden

g = Golden("index")

BASES = {
    "base.3": torch.arange(3.0),
    "base.3-int": torch.tensor([1, 2, 3]),
    "base.2x2-int": torch.tensor([[1, 2], [3, 4]]),
    "base.2x3": torch.arange(6.0).view(2, 3),
    "base.2x3x4": torch.arange(24.0).view(2, 3, 4),
    "base.scalar": torch.tensor(3.0),
    "base.bool": torch.tensor([False, False, True]),
}
for key, t in BASES.items():
    g.tensor(key, t)

E = Ellipsis


def get(key, base, index, transpose=False):
    t = BASES[base]
    if transpose:
        t = t.t()
    out = t[index]
    assert out.storage().data_ptr() == t.storage().data_ptr()
    g.tensor(key + ".values", out)
    g.tensor(key + ".strides", torch.tensor(out.stride(), dtype=torch.int64))
    g.tensor(key + ".offset", torch.tensor(out.storage_offset()))


def put(key, base, index, value):
    t = BASES[base].clone()
    g.tensor(key + ".value", value if isinstance(value, torch.Tensor) else torch.tensor(value))
    t[index] = value
    g.tensor(key + ".result", t)


def error(key, base, index):
    g.error(key, lambda: BASES[base][index])


def put_error(key, base, index, value):
    def assign():
        t = BASES[base].clone()
        t[index] = value
    g.error(key, assign)


get("get.int", "base.2x3", 1)
get("get.negative-int", "base.2x3", -1)
get("get.two-ints", "base.2x3", (1, -1))
get("get.int-to-scalar", "base.3", 2)
get("get.int-then-slice", "base.2x3x4", (1, slice(1, None)))
get("get.slice", "base.2x3", slice(1, None))
get("get.slice-step", "base.2x3x4", (slice(None), slice(None, None, 2)))
get("get.slice-negative-bounds", "base.2x3x4", (E, slice(-3, -1)))
get("get.slice-clamped", "base.2x3", slice(-100, 100))
get("get.slice-empty", "base.2x3", (slice(None), slice(2, 1)))
get("get.slice-steps-and-starts", "base.2x3x4", (slice(None), slice(1, None, 2), slice(1, 4, 2)))
get("get.none-front", "base.2x3", None)
get("get.none-middle", "base.2x3", (slice(None), None))
get("get.none-end", "base.2x3", (E, None))
get("get.ellipsis", "base.2x3", E)
get("get.ellipsis-int", "base.2x3x4", (E, 0))
get("get.int-ellipsis-int", "base.2x3x4", (0, E, -1))
get("get.mixed", "base.2x3x4", (1, None, slice(None, None, 2), -1))
get("get.nones-around-ellipsis", "base.2x3x4", (None, E, None, 1))
get("get.scalar-none", "base.scalar", None)
get("get.scalar-ellipsis", "base.scalar", E)
get("get.empty-tuple", "base.2x3", ())
get("get.of-transposed", "base.2x3", (slice(1, None), 0), transpose=True)

error("error.out-of-bounds", "base.3", 5)
error("error.negative-out-of-bounds", "base.3", -4)
error("error.out-of-bounds-names-position", "base.2x3", (None, 0, 5))
error("error.out-of-bounds-after-ellipsis", "base.2x3", (E, 5))
error("error.too-many-indices", "base.3", (0, 0))
error("error.too-many-with-none", "base.2x3", (None, 0, 1, 2))
error("error.too-many-slices", "base.2x3", (slice(None), slice(None), slice(None)))
error("error.scalar-int", "base.scalar", 0)
error("error.scalar-nonzero-int", "base.scalar", 1)
error("error.scalar-slice", "base.scalar", slice(None))
error("error.scalar-two-ints", "base.scalar", (0, 0))
error("error.zero-step", "base.3", slice(None, None, 0))
error("error.negative-step", "base.3", slice(None, None, -1))
error("error.negative-step-in-tuple", "base.2x3", (0, slice(None, None, -2)))

put("put.int-int", "base.2x2-int", (0, 0), 10)
put("put.row-fill", "base.2x3", 1, 7.5)
put("put.row-tensor", "base.2x3", 0, torch.tensor([10.0, 20.0, 30.0]))
put("put.columns-broadcast", "base.2x3", (slice(None), slice(1, None)), torch.tensor([-1.0, -2.0]))
put("put.leading-ones-dropped", "base.3", slice(0, 2), torch.ones(1, 1, 2))
put("put.steps", "base.2x3x4", (slice(None), slice(None, None, 2), slice(1, None, 2)), 0.0)
put("put.none", "base.3", None, torch.tensor([[4.0, 5.0, 6.0]]))
put("put.ellipsis-converts-dtype", "base.3-int", E, torch.tensor([1.5, 2.5, -3.7]))
put("put.bool-target", "base.bool", 0, 2)
put("put.int-into-float", "base.2x3", (1, 1), 7)
put("put.negative-ints", "base.2x3", (-1, -1), -5.0)
put("put.empty-slice", "base.3", slice(2, 1), 5.0)
put("put.float-into-int-truncates", "base.3-int", 1, torch.tensor(-2.7))
put("put.double-into-float", "base.3", 0, torch.tensor(0.1, dtype=torch.float64))

put_error("error.put.shape-mismatch", "base.3", slice(0, 2), torch.ones(3))
put_error("error.put.extra-dims", "base.3", slice(0, 2), torch.ones(2, 1, 2))
put_error("error.put.scalar-target", "base.3", 0, torch.ones(2))
put_error("error.put.bad-index", "base.3", 5, 1.0)
put_error("error.put.empty-rows", "base.2x3", slice(0, 0), torch.ones(2))

g.write()
