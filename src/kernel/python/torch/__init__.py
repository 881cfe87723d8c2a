# SPDX-License-Identifier: GPL-3.0-or-later
"""Gradlab's torch: PyTorch 1.13's API over libgradlab, inside gradlab-kernel.

Tensors, their methods, the torch.* functions, autograd, nn.functional's
ops and the optimisers' updates live in C (the _gradlab module); this
package adds what PyTorch also writes in Python: dtype, Size and device
objects, no_grad's decorator form, nn.Module, the optimiser classes,
return types.  Anything missing says "torch.X is not available in Gradlab
yet"."""

import builtins as _builtins

import _gradlab as _C
from _gradlab import Tensor, is_grad_enabled
from _gradlab import (  # noqa: F401
    tensor, as_tensor, from_numpy, zeros, ones, empty, rand, randn, full, zeros_like, ones_like,
    empty_like, rand_like, randn_like, full_like, arange, linspace, eye, stack, cat, concat, where,
    exp, log, sin, cos, sqrt, abs, tanh, sigmoid, relu, neg, negative, t, clone, detach, square,
    pow, mul, multiply, add, sub, subtract, div, divide, matmul, mm, mv, bmm, dot, eq, ne, lt, le,
    gt, ge, clamp, clip, numel, squeeze, unsqueeze, transpose, flatten, reshape, permute, sum, mean,
    max, min, argmax, sort, is_floating_point, unbind,
)


class dtype:
    __slots__ = ("_name", "is_floating_point", "itemsize", "is_signed", "is_complex")

    def __init__(self, name, is_floating_point, itemsize):
        self._name = name
        self.is_floating_point = is_floating_point
        self.itemsize = itemsize
        self.is_signed = name != "bool"
        self.is_complex = False

    def __repr__(self):
        return "torch." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return self._name


bool = dtype("bool", False, 1)
int64 = long = dtype("int64", False, 8)
float32 = float = dtype("float32", True, 4)
float64 = double = dtype("float64", True, 8)


class Size(tuple):
    """torch.Size: a tuple of ints that prints as torch.Size([2, 3])."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for i, s in enumerate(sizes):
            if not isinstance(s, _builtins.int) or isinstance(s, _builtins.bool):
                if isinstance(s, Tensor) and s.numel() == 1 and not s.is_floating_point():
                    continue
                raise TypeError("torch.Size() takes an iterable of 'int' (item %d is '%s')"
                                % (i, type(s).__name__))
        return tuple.__new__(cls, (_builtins.int(s) for s in sizes))

    def __repr__(self):
        return "torch.Size([%s])" % ", ".join(_builtins.str(s) for s in self)

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

    def __radd__(self, other):
        return Size(tuple.__add__(tuple(other), self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def __reduce__(self):
        return (Size, (tuple(self),))


_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "ort", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "privateuseone")


class device:
    """torch.device('cpu'), torch.device('cuda', 0), torch.device('mps:0')."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, _builtins.int) and not isinstance(type, _builtins.bool) and index is None:
            if type < 0:
                raise RuntimeError("Device index must not be negative")
            type, index = "cuda", type
        elif not isinstance(type, _builtins.str):
            raise TypeError("device() received an invalid combination of arguments - got (%s)"
                            % type.__class__.__name__)
        else:
            text = type
            if ":" in text:
                if index is not None:
                    raise RuntimeError("type (string) must not include an index because index was "
                                       "passed explicitly: " + text)
                type, idx = text.split(":", 1)
                if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                    raise RuntimeError("Invalid device string: '%s'" % text)
                index = _builtins.int(idx)
            if type not in _DEVICE_TYPES:
                raise RuntimeError("Expected one of %s device type at start of device string: %s"
                                   % (", ".join(_DEVICE_TYPES), type))
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError("attribute '%s' of 'torch.device' objects is not writable" % name)

    def __repr__(self):
        if self.index is None:
            return "device(type='%s')" % self.type
        return "device(type='%s', index=%d)" % (self.type, self.index)

    def __str__(self):
        return self.type if self.index is None else "%s:%d" % (self.type, self.index)

    def __eq__(self, other):
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


class _LinAlgError(RuntimeError):
    pass


_LinAlgError.__module__ = "torch._C"
_LinAlgError.__qualname__ = _LinAlgError.__name__ = "_LinAlgError"


class Generator:
    """The default CPU generator (what torch.manual_seed returns)."""

    def __init__(self, device="cpu"):
        self.device = globals()["device"](device)

    def manual_seed(self, seed):
        if self is not default_generator:
            raise NotImplementedError("torch.Generator objects other than torch.default_generator "
                                      "are not available in Gradlab yet")
        manual_seed(seed)
        return self

    def initial_seed(self):
        return _initial_seed[0]


Generator.__module__ = "torch._C"

from torch import return_types  # noqa: E402

_C._register_types(dtypes=(bool, int64, float32, float64), Size=Size, device=device,
                   LinAlgError=_LinAlgError,
                   return_types=(return_types.max, return_types.min, return_types.sort))

Tensor.__module__ = "torch"

default_generator = Generator()
_initial_seed = [67280421310721]


def manual_seed(seed):
    seed = _builtins.int(seed)
    _C._manual_seed(seed)
    _initial_seed[0] = seed
    return default_generator


def initial_seed():
    return _initial_seed[0]


def seed():
    raise NotImplementedError("torch.seed is not available in Gradlab yet")


def get_default_dtype():
    return float32


def set_default_dtype(d):
    if d is not float32:
        raise NotImplementedError("torch.set_default_dtype(%s) is not available in Gradlab yet" % d)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def typename(o):
    if isinstance(o, Tensor):
        return "torch." + {bool: "BoolTensor", int64: "LongTensor", float32: "FloatTensor",
                           float64: "DoubleTensor"}[o.dtype]
    module = getattr(type(o), "__module__", "")
    name = getattr(type(o), "__qualname__", type(o).__name__)
    return name if module in ("builtins", "", None) else module + "." + name


def set_printoptions(*args, **kwargs):
    raise NotImplementedError("torch.set_printoptions is not available in Gradlab yet")


from torch._tensor import _install as _install_tensor_methods  # noqa: E402

_install_tensor_methods()

from torch.autograd.grad_mode import no_grad, enable_grad, set_grad_enabled  # noqa: E402,F401
from torch import autograd, cuda, linalg, nn, optim  # noqa: E402,F401

__version__ = "1.13.1"


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError("module 'torch' has no attribute '%s'" % name)
    raise AttributeError("torch.%s is not available in Gradlab yet" % name)
