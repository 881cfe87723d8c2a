# SPDX-License-Identifier: GPL-3.0-or-later
"""Tensor methods written in Python (the rest are in gradlab-kernel's C)."""

import builtins as _builtins

import _gradlab as _C
from _gradlab import Tensor


def _install():
    import torch
    from torch import return_types

    def max(self, dim=None, keepdim=False):
        if dim is None:
            return self._max()
        return return_types.max(*self._max(dim, keepdim))

    def min(self, dim=None, keepdim=False):
        if dim is None:
            return self._min()
        return return_types.min(*self._min(dim, keepdim))

    def sort(self, dim=-1, descending=False, stable=False):
        return return_types.sort(*self._sort(dim, descending))

    def to(self, *args, **kwargs):
        target = kwargs.get("dtype")
        dev = kwargs.get("device")
        for a in args:
            if isinstance(a, torch.dtype):
                target = a
            elif isinstance(a, Tensor):
                target = a.dtype
            elif isinstance(a, (_builtins.str, torch.device)):
                dev = a
        if dev is not None and torch.device(dev).type == "cuda":
            return self.cuda()
        if target is None:
            return self
        return self._to_dtype(target)

    def cuda(self, device=None, non_blocking=False):
        torch.cuda._lazy_init()
        return self

    def cpu(self):
        return self

    def numpy(self, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        try:
            import numpy
        except ImportError:
            raise RuntimeError("Numpy is not available") from None
        return numpy.asarray(self)

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __array__(self, dtype=None):
        import numpy
        a = numpy.asarray(memoryview(self))
        return a if dtype is None else a.astype(dtype, copy=False)

    def flatten(self, start_dim=0, end_dim=-1):
        n = self.dim()
        if n == 0:
            return self.reshape(1)
        start = start_dim % n
        end = end_dim % n
        if start == end:
            return self
        shape = list(self.shape)
        flat = 1
        for s in shape[start:end + 1]:
            flat *= s
        return self.reshape(shape[:start] + [flat] + shape[end + 1:])

    def square(self):
        return self * self

    def addcmul_(self, tensor1, tensor2, value=1):
        return self.add_(tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)

    def addcdiv_(self, tensor1, tensor2, value=1):
        # ATen computes self + value * tensor1 / tensor2 in that order
        return self.add_(tensor1 * value / tensor2 if value != 1 else tensor1 / tensor2)

    def addcmul(self, tensor1, tensor2, value=1):
        return self + (tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)

    def addcdiv(self, tensor1, tensor2, value=1):
        return self + (tensor1 * value / tensor2 if value != 1 else tensor1 / tensor2)

    def sqrt_(self):
        return self.copy_(self.sqrt())

    def uniform_(self, from_=0, to=1):
        return self._uniform_(from_, to)

    def normal_(self, mean=0, std=1):
        return self._normal_(mean, std)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        return torch.zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return torch.ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad=False):
        return torch.tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def view_as(self, other):
        return self.view(other.shape)

    def expand_as(self, other):
        return self.expand(other.shape)

    def reshape_as(self, other):
        return self.reshape(other.shape)

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def type_as(self, other):
        return self.to(other.dtype)

    def __reversed__(self):
        return iter([self[i] for i in _builtins.range(len(self) - 1, -1, -1)])

    def __rsub__(self, other):
        return torch.sub(other, self) if isinstance(other, Tensor) else (-self) + other

    def __contains__(self, element):
        return _builtins.bool((self == element).sum().item() > 0)

    def __deepcopy__(self, memo):
        copy = self.detach().clone()
        copy.requires_grad_(self.requires_grad)
        return copy

    def __getattr_fallback(self, name):
        raise AttributeError("'Tensor' object has no attribute '%s' (torch.Tensor.%s is not available "
                             "in Gradlab yet)" % (name, name))

    methods = dict(max=max, min=min, sort=sort, to=to, cuda=cuda, cpu=cpu, numpy=numpy,
                   __format__=__format__, __array__=__array__, flatten=flatten, square=square,
                   addcmul_=addcmul_, addcdiv_=addcdiv_, new_zeros=new_zeros, new_ones=new_ones,
                   new_tensor=new_tensor, view_as=view_as, expand_as=expand_as,
                   reshape_as=reshape_as, is_floating_point=is_floating_point, type_as=type_as,
                   __reversed__=__reversed__, __contains__=__contains__,
                   __deepcopy__=__deepcopy__, addcmul=addcmul, addcdiv=addcdiv, sqrt_=sqrt_,
                   uniform_=uniform_, normal_=normal_)
    for name, fn in methods.items():
        setattr(Tensor, name, fn)

    for name, dt in (("float", torch.float32), ("double", torch.float64),
                     ("long", torch.int64), ("int", torch.int64), ("bool", torch.bool)):
        setattr(Tensor, name, (lambda dt: lambda self: self._to_dtype(dt))(dt))

    Tensor.__module__ = "torch"
