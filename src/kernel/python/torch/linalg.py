# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.linalg."""

import _gradlab as _C


def inv(A, *, out=None):
    return _C._linalg_inv(A)


def __getattr__(name):
    raise AttributeError("torch.linalg.%s is not available in Gradlab yet" % name)
