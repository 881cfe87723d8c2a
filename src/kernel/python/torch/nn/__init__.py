# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.nn."""

from torch.nn.parameter import Parameter  # noqa: F401
from torch.nn.modules import (  # noqa: F401
    Module, Linear, Sequential, Flatten, ReLU, Tanh, Sigmoid, MSELoss, Identity,
)
from torch.nn import functional  # noqa: F401
