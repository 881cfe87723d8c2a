# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.nn.Parameter: a Tensor that modules register as a parameter; it
prints "Parameter containing:" before the tensor (done in C)."""

import _gradlab as _C
from _gradlab import Tensor


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Parameter(Tensor):
    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        return _C._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach().clone(), self.requires_grad))


Parameter.__module__ = "torch.nn.parameter"
_C._register_parameter(Parameter)
