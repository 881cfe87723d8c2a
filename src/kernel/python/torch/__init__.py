# SPDX-License-Identifier: GPL-3.0-or-later
"""Gradlab's torch: PyTorch 1.13's API over libgradlab, inside gradlab-kernel.

Tensors, autograd and printing live in C (the _gradlab module); this package
adds the Python-level pieces PyTorch also writes in Python: dtype and Size
objects, no_grad, nn.Module, optimisers, return types.  Anything missing says
"torch.X is not available in Gradlab yet"."""

import builtins as _builtins

import _gradlab as _C
from _gradlab import Tensor, tensor, manual_seed, is_grad_enabled


class dtype:
    __slots__ = ("_name", "is_floating_point", "itemsize", "is_signed")

    def __init__(self, name, is_floating_point, itemsize):
        self._name = name
        self.is_floating_point = is_floating_point
        self.itemsize = itemsize
        self.is_signed = name != "bool"

    def __repr__(self):
        return "torch." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return self._name


bool = dtype("bool", False, 1)
int64 = long = dtype("int64", False, 8)
float32 = float = dtype("float32", True, 4)
float64 = double = dtype("float64", True, 8)


def _unavailable_dtype(name):
    def missing(*args, **kwargs):
        raise AttributeError("torch.%s is not available in Gradlab yet" % name)
    return missing


class Size(tuple):
    """torch.Size: a tuple of ints that prints as torch.Size([2, 3])."""

    def __repr__(self):
        return "torch.Size([%s])" % ", ".join(_builtins.str(_builtins.int(s)) for s in self)

    __str__ = __repr__

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        if isinstance(key, slice):
            return Size(item)
        return item

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class device:
    """torch.device('cpu') / torch.device('cuda', 0)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = _builtins.str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = _builtins.int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError("Expected one of cpu, cuda device type at start of device string: " + type)
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return "device(type='%s')" % self.type
        return "device(type='%s', index=%d)" % (self.type, self.index)

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)

    def __eq__(self, other):
        if isinstance(other, _builtins.str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


class _LinAlgError(RuntimeError):
    pass


_LinAlgError.__module__ = "torch._C"
_LinAlgError.__qualname__ = "_LinAlgError"

class Generator:
    """The default CPU generator (torch.manual_seed returns it)."""

    def manual_seed(self, seed):
        _C.manual_seed(seed)
        return self


Generator.__module__ = "torch._C"
_default_generator = default_generator = Generator()

_C._register_types(dtypes=(bool, int64, float32, float64), Size=Size, device=device,
                   LinAlgError=_LinAlgError)

from torch._tensor import _install as _install_tensor_methods  # noqa: E402

_install_tensor_methods()

from torch._functions import *  # noqa: E402,F401,F403
from torch._functions import __all__ as _functions_all  # noqa: E402
from torch.autograd.grad_mode import no_grad, enable_grad, set_grad_enabled  # noqa: E402,F401
from torch import autograd, cuda, linalg, nn, optim, return_types  # noqa: E402,F401
from torch import nn as _nn  # noqa: E402,F401

__version__ = "1.13.1"


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError("torch.%s is not available in Gradlab yet" % name)
