# SPDX-License-Identifier: GPL-3.0-or-later
"""Golden streams of PyTorch 1.13's CPU generator for test-random.c.

Run with ATEN_CPU_CAPABILITY=default (see regenerate.sh): the scalar paths are
the ones the engine reproduces bit for bit."""

import math
import os

import torch

from goldenlib import Golden

assert os.environ.get("ATEN_CPU_CAPABILITY") == "default", \
    "run with ATEN_CPU_CAPABILITY=default (regenerate.sh does)"

g = Golden("random")
F32, F64 = torch.float32, torch.float64
DT = {F32: "f32", F64: "f64"}

# Raw 32-bit draws: random_(0, 2**32 - 1) is one draw modulo 2**32 - 1, enough
# to check the engine (and its state regeneration every 624 draws).
torch.manual_seed(0)
g.tensor("raw32-seed0", torch.empty(1300, dtype=torch.int64).random_(0, 2**32 - 1))
torch.manual_seed(2**40 + 5)
g.tensor("raw32-seed-2p40p5", torch.empty(8, dtype=torch.int64).random_(0, 2**32 - 1))
# A range >= 2**32 takes one 64-bit draw: random64() % (2**63 - 1).
torch.manual_seed(3)
g.tensor("raw64-seed3", torch.empty(8, dtype=torch.int64).random_(0, 2**63 - 1))

# The oracles of pytorch-compat.md.
torch.manual_seed(0)
g.tensor("oracle-seed0-randn3", torch.randn(3))
g.tensor("oracle-seed0-rand2", torch.rand(2))
g.tensor("oracle-seed0-randn5", torch.randn(5))
torch.manual_seed(0)
g.tensor("oracle-seed0-randn17", torch.randn(17))
torch.manual_seed(42)
g.tensor("oracle-seed42-rand4", torch.rand(4))
torch.manual_seed(0)
lin = torch.nn.Linear(3, 2)
g.tensor("oracle-linear-weight", lin.weight)
g.tensor("oracle-linear-bias", lin.bias)
# Linear's bounds, as nn.init computes them in double.
fan_in = 3
gain = math.sqrt(2.0 / (1 + 5))
g.tensor("oracle-linear-weight-bound",
         torch.tensor(math.sqrt(3.0) * (gain / math.sqrt(fan_in)), dtype=F64))
g.tensor("oracle-linear-bias-bound", torch.tensor(1 / math.sqrt(fan_in), dtype=F64))

# The notebook's long stream.
torch.manual_seed(43052)
g.tensor("long-43052-first", torch.randn(100))
g.tensor("long-43052-second", torch.randn(100))

# Unseeded generators start from default_rng_seed_val.
g.tensor("default-seed-rand3", torch.rand(3, generator=torch.Generator()))
g.tensor("default-seed-randn3", torch.randn(3, generator=torch.Generator()))

# Both randn paths, both dtypes, around the block size.
for dtype in (F32, F64):
    for n in (1, 2, 7, 15, 16, 17, 31, 32, 33, 47, 100, 1000):
        torch.manual_seed(1000 + n)
        g.tensor("randn-%s-n%d" % (DT[dtype], n), torch.randn(n, dtype=dtype))
    for n in (1, 3, 16, 17, 1000):
        torch.manual_seed(2000 + n)
        g.tensor("rand-%s-n%d" % (DT[dtype], n), torch.rand(n, dtype=dtype))
    # A contiguous multi-dim tensor takes the block path on its numel.
    torch.manual_seed(7)
    g.tensor("randn-%s-4x5" % DT[dtype], torch.randn(4, 5, dtype=dtype))
    torch.manual_seed(7)
    g.tensor("randn-%s-3x1x5" % DT[dtype], torch.randn(3, 1, 5, dtype=dtype))
    torch.manual_seed(7)
    g.tensor("rand-%s-2x3x4" % DT[dtype], torch.rand(2, 3, 4, dtype=dtype))
    torch.manual_seed(7)
    g.tensor("randn-%s-0dim" % DT[dtype], torch.randn((), dtype=dtype))

# normal_(mean, std): contiguous (block path) and small.
for dtype in (F32, F64):
    for n in (5, 16, 21):
        torch.manual_seed(11)
        t = torch.empty(n, dtype=dtype).normal_(2.5, 0.3)
        g.tensor("normal-%s-n%d-mean2.5-std0.3" % (DT[dtype], n), t)
    torch.manual_seed(11)
    g.tensor("normal-%s-n40-mean-1e3-std1e-2" % DT[dtype],
             torch.empty(40, dtype=dtype).normal_(-1000.0, 0.01))
    torch.manual_seed(11)
    g.tensor("normal-%s-n20-std0" % DT[dtype], torch.empty(20, dtype=dtype).normal_(3.0, 0.0))

# Non-contiguous targets: the per-element path, in memory order, written
# through the view.  The whole base is stored.
for dtype in (F32, F64):
    torch.manual_seed(12)
    base = torch.zeros(6, 5, dtype=dtype)
    base.t().normal_(1.5, 2.0)                       # 30 elements, transposed
    g.tensor("strided-%s-transpose-normal" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(40, dtype=dtype)
    torch.as_strided(base, (4, 3), (8, 2), 1).normal_(-1.0, 0.5)
    g.tensor("strided-%s-gaps-normal" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(2, 3, 4, dtype=dtype)
    base.permute(2, 0, 1).normal_()
    g.tensor("strided-%s-permute-normal" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(10, 4, dtype=dtype)
    base[::2].normal_(0.0, 1.0)                      # 20 elements, rows skipped
    g.tensor("strided-%s-rows-normal" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(16, dtype=dtype)
    torch.as_strided(base, (3, 3), (1, 1)).normal_()  # overlapping: last write wins
    g.tensor("strided-%s-overlap-normal" % DT[dtype], base)

    # Equal strides: the smaller size becomes the inner loop.
    torch.manual_seed(12)
    base = torch.zeros(16, dtype=dtype)
    torch.as_strided(base, (2, 3), (1, 1)).normal_()
    g.tensor("strided-%s-overlap-2x3-normal" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(16, dtype=dtype)
    torch.as_strided(base, (3, 2), (1, 1)).uniform_()
    g.tensor("strided-%s-overlap-3x2-uniform" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(5, 7, dtype=dtype)
    base.t().uniform_(-2.0, 3.0)
    g.tensor("strided-%s-transpose-uniform" % DT[dtype], base)

    torch.manual_seed(12)
    base = torch.zeros(3, 4, dtype=dtype)
    base[:, 1:3].uniform_()
    g.tensor("strided-%s-columns-uniform" % DT[dtype], base)

# uniform_ ranges, in the dtype's arithmetic.
for dtype in (F32, F64):
    for lo, hi, name in ((-2.0, 5.0, "m2-5"), (0.1, 0.2, "0.1-0.2"),
                         (-1000.0, 1000.0, "m1e3-1e3"), (3.0, 3.0, "3-3"),
                         (1e-3, 1e7, "1e-3-1e7"), (-0.7, -0.3, "m0.7-m0.3")):
        torch.manual_seed(21)
        t = torch.empty(50, dtype=dtype).uniform_(lo, hi)
        g.tensor("uniform-%s-%s" % (DT[dtype], name), t)

# Interleavings: the spare survives rand and the block path.
torch.manual_seed(5)
g.tensor("mix-randn3", torch.randn(3))                # leaves a spare
g.tensor("mix-rand4", torch.rand(4))
g.tensor("mix-randn20", torch.randn(20))              # block path: spare untouched
g.tensor("mix-randn1", torch.randn(1))                # the spare
g.tensor("mix-randn2", torch.randn(2))
g.tensor("mix-rand3-f64", torch.rand(3, dtype=F64))
g.tensor("mix-randn5-f64", torch.randn(5, dtype=F64))
g.tensor("mix-randn1-f64", torch.randn(1, dtype=F64))  # spare shared across dtypes
g.tensor("mix-randn16-f64", torch.randn(16, dtype=F64))
g.tensor("mix-rand1", torch.rand(1))

# The spare is cleared by manual_seed.
torch.manual_seed(9)
g.tensor("spare-first", torch.randn(1))
g.tensor("spare-second", torch.randn(1))
torch.manual_seed(9)
torch.randn(1)
torch.manual_seed(9)
g.tensor("spare-after-reseed", torch.randn(1))

# Separate generators do not disturb the default one.
torch.manual_seed(0)
gen = torch.Generator().manual_seed(77)
g.tensor("gen77-randn3", torch.randn(3, generator=gen))
g.tensor("gen77-default-randn3", torch.randn(3))
g.tensor("gen77-rand2", torch.rand(2, generator=gen))

# Errors.
g.error("error-randn-int64", lambda: torch.randn(3, dtype=torch.int64))
g.error("error-randn-bool", lambda: torch.randn(3, dtype=torch.bool))
g.error("error-randn-int64-empty", lambda: torch.randn(0, dtype=torch.int64))
g.error("error-rand-int64", lambda: torch.rand(3, dtype=torch.int64))
g.error("error-rand-bool", lambda: torch.rand(3, dtype=torch.bool))
g.error("error-uniform-int64-bad-range",
        lambda: torch.empty(3, dtype=torch.int64).uniform_(1, 0))
g.error("error-uniform-from-gt-to", lambda: torch.empty(3).uniform_(1.5, 0.25))
g.error("error-uniform-from-gt-to-empty", lambda: torch.empty(0).uniform_(1, 0))
g.error("error-uniform-from-nan", lambda: torch.empty(3).uniform_(float("nan"), 0))
g.error("error-uniform-to-inf", lambda: torch.empty(3).uniform_(0, float("inf")))
g.error("error-uniform-f32-out-of-range", lambda: torch.empty(3).uniform_(-1e39, 0))
g.error("error-uniform-f32-span", lambda: torch.empty(3).uniform_(-3e38, 3e38))
g.error("error-uniform-f64-span",
        lambda: torch.empty(3, dtype=F64).uniform_(-1e308, 1e308))
g.error("error-uniform-f64-from-inf",
        lambda: torch.empty(3, dtype=F64).uniform_(float("-inf"), 0))
g.error("error-normal-negative-std", lambda: torch.empty(3).normal_(0, -1.5))
g.error("error-normal-negative-std-int64",
        lambda: torch.empty(3, dtype=torch.int64).normal_(0, -1))
g.error("error-normal-nan-std", lambda: torch.empty(3).normal_(0, float("nan")))
g.error("error-normal-int64", lambda: torch.empty(3, dtype=torch.int64).normal_(0, 1))
g.error("error-normal-expanded", lambda: torch.zeros(3).expand(2, 3).normal_())
g.error("error-normal-expanded-large", lambda: torch.zeros(3).expand(20, 3).normal_())
g.error("error-uniform-expanded", lambda: torch.zeros(3).expand(2, 3).uniform_())

g.write()
