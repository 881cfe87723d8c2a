# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.linalg."""

from _gradlab import linalg_inv as inv  # noqa: F401


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError("module 'torch.linalg' has no attribute '%s'" % name)
    raise AttributeError("torch.linalg.%s is not available in Gradlab yet" % name)
