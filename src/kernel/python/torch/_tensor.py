# SPDX-License-Identifier: GPL-3.0-or-later
"""Tensor methods written in Python: the ones PyTorch also writes in Python
(numpy interop, formatting, copying).  Everything on a hot path is C."""

import builtins as _builtins

import _gradlab as _C
from _gradlab import Tensor


def _rebuild(data, dtype_name, requires_grad, device="cpu"):
    import torch
    t = _C.tensor(data, dtype=getattr(torch, dtype_name), device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _install():
    import torch

    def numpy(self, *, force=False):
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. "
                               "Use tensor.detach().numpy() instead.")
        try:
            import numpy as np
        except ImportError:
            raise RuntimeError("Numpy is not available") from None
        return np.asarray(memoryview(self))

    def __array__(self, dtype=None):
        import numpy as np
        a = np.asarray(memoryview(self.detach()))
        return a if dtype is None else a.astype(dtype, copy=False)

    def __format__(self, spec):
        if self.dim() == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __reduce_ex__(self, proto):
        # copy.copy and pickle: the values, dtype and requires_grad
        args = (self.detach().tolist(), repr(self.dtype)[len("torch."):], self.requires_grad)
        if self.is_cuda:
            args += (str(self.device),)
        return (_rebuild, args)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment")
        if id(self) in memo:
            return memo[id(self)]
        copy = self.detach().clone()
        if type(self) is not Tensor:
            copy = type(self)(copy, requires_grad=self.requires_grad)
        else:
            copy.requires_grad_(self.requires_grad)
        if self.grad is not None:
            copy.grad = self.grad.clone()
        memo[id(self)] = copy
        return copy

    def __reversed__(self):
        if self.dim() == 0:
            return self
        return iter([self[i] for i in _builtins.range(len(self) - 1, -1, -1)])

    def __contains__(self, element):
        if isinstance(element, (Tensor, _builtins.int, _builtins.float, _builtins.bool)):
            return _builtins.bool((self == element).sum().item() > 0)
        raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you passed in a %s."
                           % type(element))

    # the new tensor goes where self is unless device= says otherwise
    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        return torch.zeros(*size, dtype=dtype or self.dtype, device=self.device if device is None else device,
                           requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        return torch.ones(*size, dtype=dtype or self.dtype, device=self.device if device is None else device,
                          requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return torch.empty(*size, dtype=dtype or self.dtype, device=self.device if device is None else device,
                           requires_grad=requires_grad)

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return torch.full(size, fill_value, dtype=dtype or self.dtype, device=self.device if device is None else device,
                          requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        return torch.tensor(data, dtype=dtype or self.dtype, device=self.device if device is None else device,
                            requires_grad=requires_grad)

    def type_(self, dtype=None, non_blocking=False):
        if dtype is None:
            return torch.typename(self)
        if isinstance(dtype, _builtins.str):
            names = {"torch.FloatTensor": torch.float32, "torch.DoubleTensor": torch.float64,
                     "torch.LongTensor": torch.int64, "torch.BoolTensor": torch.bool}
            if dtype not in names:
                raise NotImplementedError("torch.Tensor.type(%r) is not available in Gradlab yet" % dtype)
            dtype = names[dtype]
        return self.to(dtype)

    methods = dict(numpy=numpy, __array__=__array__, __format__=__format__,
                   __reduce_ex__=__reduce_ex__, __deepcopy__=__deepcopy__,
                   __reversed__=__reversed__, __contains__=__contains__, new_zeros=new_zeros,
                   new_ones=new_ones, new_empty=new_empty, new_full=new_full,
                   new_tensor=new_tensor, type=type_)
    for name, fn in methods.items():
        fn.__qualname__ = "Tensor." + name
        setattr(Tensor, name, fn)
    # numpy defers to our operators (ndarray + tensor gives a tensor)
    Tensor.__array_priority__ = 1000
