# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for test-join.c: sort, stack and cat with PyTorch 1.13's results,
dtype promotion and error messages.

  sort.<name>.input/.values/.indices   torch.sort(input, dim, descending,
                                        stable=True): Gradlab's sort is stable
  stack.<name>.input0..N/.result        torch.stack(inputs, dim)
  cat.<name>.input0..N/.result          torch.cat(inputs, dim)
  error.<name>.input0..N                the inputs of a failing call
  error.<name>                          "<ExceptionType>: <message>"
The C tests repeat each dim (and whether inputs are transposed first)."""

import torch

from goldenlib import Golden

g = Golden("join")
torch.manual_seed(1913)

nan = float("nan")
inf = float("inf")


def sort(key, t, dim=-1, descending=False, transpose=False):
    g.tensor(key + ".input", t)
    if transpose:
        t = t.t()
    values, indices = torch.sort(t, dim=dim, descending=descending, stable=True)
    g.tensor(key + ".values", values)
    g.tensor(key + ".indices", indices)


def inputs(key, tensors):
    for i, t in enumerate(tensors):
        g.tensor("%s.input%d" % (key, i), t)


def transposed(tensors, transpose):
    return [t.t() for t in tensors] if transpose else list(tensors)


def stack(key, tensors, dim, transpose=False):
    inputs(key, tensors)
    g.tensor(key + ".result", torch.stack(transposed(tensors, transpose), dim))


def cat(key, tensors, dim, transpose=False):
    inputs(key, tensors)
    g.tensor(key + ".result", torch.cat(transposed(tensors, transpose), dim))


def error(key, fn, tensors):
    inputs(key, tensors)
    g.error(key, lambda: fn(tensors))


ties = torch.tensor([3.0, 1.0, 2.0, 1.0, 3.0, 0.0, 1.0])
specials = torch.tensor([nan, 1.0, nan, -inf, inf, -0.0, 0.0, -1.0])
grid = torch.tensor([[3.0, 1.0, 2.0, 1.0], [1.0, 1.0, 0.0, 5.0], [2.0, 1.0, 2.0, -1.0]])

# sort
sort("sort.ties", ties)
sort("sort.ties-descending", ties, descending=True)
sort("sort.nan-and-inf", specials)
sort("sort.nan-and-inf-descending", specials, descending=True)
sort("sort.2d-dim0", grid, dim=0)
sort("sort.2d-dim1", grid, dim=1)
sort("sort.2d-dim-minus-1-descending", grid, dim=-1, descending=True)
sort("sort.2d-dim0-descending", grid, dim=0, descending=True)
sort("sort.3d-middle", torch.randint(0, 4, (2, 5, 3)).float(), dim=1)
sort("sort.transposed-input", grid, dim=1, transpose=True)
sort("sort.int64", torch.tensor([2**53 + 1, 2**53, -5, 7, -(2**62), 2**62, 7]))
sort("sort.int64-descending", torch.tensor([2**53 + 1, 2**53, -5, 7, -(2**62), 2**62, 7]),
     descending=True)
sort("sort.bool", torch.tensor([True, False, True, False, False]))
sort("sort.bool-descending", torch.tensor([True, False, True, False, False]), descending=True)
sort("sort.float64", torch.tensor([0.1, -0.30000000000000004, 0.1, 1e-300, nan],
                                  dtype=torch.float64))
sort("sort.scalar", torch.tensor(3.0), dim=0)
sort("sort.single", torch.tensor([4.0]))
sort("sort.empty", torch.zeros(0))
sort("sort.empty-rows", torch.zeros(2, 0), dim=0)
sort("sort.long-row-with-ties", torch.randint(0, 20, (300,)).float())
sort("sort.long-row-with-ties-descending", torch.randint(0, 20, (300,)).float(), descending=True)
sort("sort.columns-with-ties", torch.randint(0, 6, (70, 9)).float(), dim=0)
sort("sort.randn", torch.randn(1000))
g.error("error.sort.dim", lambda: torch.sort(grid, dim=2))
g.error("error.sort.scalar-dim", lambda: torch.sort(torch.tensor(3.0), dim=1))

# stack
a23 = torch.arange(6.0).view(2, 3)
b23 = torch.arange(6.0, 12.0).view(2, 3)
c23 = torch.arange(12.0, 18.0).view(2, 3)
stack("stack.1d-dim0", [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0])], 0)
stack("stack.1d-dim1", [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0])], 1)
stack("stack.1d-dim-minus-1", [torch.tensor([1.0, 2.0, 3.0]), torch.tensor([4.0, 5.0, 6.0])], -1)
stack("stack.2d-dim0", [a23, b23, c23], 0)
stack("stack.2d-dim1", [a23, b23, c23], 1)
stack("stack.2d-dim2", [a23, b23, c23], 2)
stack("stack.2d-dim-minus-3", [a23, b23, c23], -3)
stack("stack.scalars", [torch.tensor(1.0), torch.tensor(2.0), torch.tensor(3.0)], 0)
stack("stack.scalars-dim-minus-1", [torch.tensor(1.0), torch.tensor(2.0)], -1)
stack("stack.int-and-float", [torch.tensor([1, 2]), torch.tensor([0.5, 1.5])], 0)
stack("stack.bool-and-int", [torch.tensor([True, False]), torch.tensor([3, 4])], 1)
stack("stack.float-and-double", [torch.tensor([0.1]), torch.tensor([0.1], dtype=torch.float64)], 0)
stack("stack.empty-dim0", [torch.zeros(0), torch.zeros(0)], 0)
stack("stack.empty-dim1", [torch.zeros(0), torch.zeros(0)], 1)
stack("stack.single", [a23], 1)
stack("stack.transposed-inputs", [a23, b23], 1, transpose=True)
error("error.stack.empty-list", lambda ts: torch.stack(ts), [])
error("error.stack.unequal", lambda ts: torch.stack(ts),
      [torch.ones(3), torch.ones(4)])
error("error.stack.unequal-dim1", lambda ts: torch.stack(ts, 1),
      [torch.ones(3), torch.ones(4)])
error("error.stack.unequal-ndim", lambda ts: torch.stack(ts, -1),
      [torch.ones(3), torch.ones(3, 1)])
error("error.stack.unequal-third", lambda ts: torch.stack(ts),
      [torch.ones(2), torch.ones(2), torch.ones(3)])
error("error.stack.dim-too-big", lambda ts: torch.stack(ts, 3), [a23, b23])
error("error.stack.dim-too-negative", lambda ts: torch.stack(ts, -4), [a23, b23])
error("error.stack.scalars-dim1", lambda ts: torch.stack(ts, 1),
      [torch.tensor(1.0), torch.tensor(2.0)])

# cat
cat("cat.1d", [torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0, 5.0])], 0)
cat("cat.2d-dim0", [a23, torch.tensor([[-1.0, -2.0, -3.0]])], 0)
cat("cat.2d-dim1", [a23, torch.tensor([[-1.0], [-2.0]])], 1)
cat("cat.2d-dim-minus-1", [a23, b23], -1)
cat("cat.2d-dim-minus-2", [a23, b23], -2)
cat("cat.3d-middle", [torch.arange(4.0).view(2, 1, 2), torch.arange(12.0).view(2, 3, 2),
                      torch.arange(8.0).view(2, 2, 2)], 1)
cat("cat.int-and-bool", [torch.tensor([1, 2]), torch.tensor([True, False])], 0)
cat("cat.int-and-float", [torch.tensor([1, 2]), torch.tensor([0.5])], 0)
cat("cat.float-and-double", [torch.tensor([0.1]), torch.tensor([0.1], dtype=torch.float64)], 0)
cat("cat.bool-only", [torch.tensor([True]), torch.tensor([False, True])], 0)
cat("cat.skips-empty-1d", [torch.zeros(0, dtype=torch.float64), torch.tensor([[1, 2], [3, 4]])], 1)
cat("cat.all-empty-1d", [torch.zeros(0), torch.zeros(0, dtype=torch.int64)], 0)
cat("cat.all-empty-1d-any-dim", [torch.zeros(0), torch.zeros(0)], 5)
cat("cat.empty-2d", [torch.zeros(2, 0), torch.ones(2, 3)], 1)
cat("cat.transposed-inputs", [torch.arange(6.0).view(3, 2), torch.arange(6.0, 12.0).view(3, 2)],
    0, transpose=True)
cat("cat.single", [a23], 0)
error("error.cat.empty-list", lambda ts: torch.cat(ts), [])
error("error.cat.mismatch-dim1", lambda ts: torch.cat(ts, 1),
      [torch.ones(2, 2), torch.ones(3, 3)])
error("error.cat.mismatch-dim0", lambda ts: torch.cat(ts, 0),
      [torch.ones(2, 2), torch.ones(3, 3)])
error("error.cat.mismatch-third", lambda ts: torch.cat(ts, 0),
      [torch.ones(2, 2), torch.ones(1, 2), torch.ones(1, 3)])
error("error.cat.mismatch-after-skipped", lambda ts: torch.cat(ts, 0),
      [torch.zeros(0), torch.ones(2, 2), torch.ones(2, 3)])
error("error.cat.ndim-mismatch", lambda ts: torch.cat(ts, 0),
      [torch.ones(2, 2), torch.ones(3)])
error("error.cat.dim-too-big", lambda ts: torch.cat(ts, 2), [a23, b23])
error("error.cat.dim-too-negative", lambda ts: torch.cat(ts, -3), [a23, b23])
error("error.cat.scalar-first", lambda ts: torch.cat(ts), [torch.tensor(1.0), torch.tensor(2.0)])
error("error.cat.scalar-second", lambda ts: torch.cat(ts), [torch.ones(2), torch.tensor(2.0)])

g.write()
