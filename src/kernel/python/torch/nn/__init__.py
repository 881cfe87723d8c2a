# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.nn."""

from torch.nn.parameter import Parameter  # noqa: F401
from torch.nn.modules import (  # noqa: F401
    Module, Linear, Sequential, ModuleList, Flatten, ReLU, Tanh, Sigmoid, MSELoss, Identity,
)
from torch.nn import functional  # noqa: F401


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError("module 'torch.nn' has no attribute '%s'" % name)
    raise AttributeError("torch.nn.%s is not available in Gradlab yet" % name)
