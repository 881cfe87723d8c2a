# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.nn.Parameter: a Tensor that modules register as a parameter."""

import _gradlab as _C
from _gradlab import Tensor


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C._factory("empty", (0,), None, False, None)
        return _C._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __reduce_ex__(self, proto):
        raise NotImplementedError("pickling Parameters is not available in Gradlab yet")


Parameter.__module__ = "torch.nn.parameter"
_C._register_parameter(Parameter)
