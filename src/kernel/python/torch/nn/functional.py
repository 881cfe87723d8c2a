# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.nn.functional (the ops are C: linear is addmm for 2-D input and
mse_loss records MseLossBackward0, as in PyTorch)."""

import warnings

from _gradlab import linear, mse_loss, nn_relu as relu  # noqa: F401
from _gradlab import flatten  # noqa: F401


def sigmoid(input):
    warnings.warn("nn.functional.sigmoid is deprecated. Use torch.sigmoid instead.")
    return input.sigmoid()


def tanh(input):
    warnings.warn("nn.functional.tanh is deprecated. Use torch.tanh instead.")
    return input.tanh()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError("module 'torch.nn.functional' has no attribute '%s'" % name)
    raise AttributeError("torch.nn.functional.%s is not available in Gradlab yet" % name)
