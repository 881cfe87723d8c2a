# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.* functions: factories and the function forms of Tensor methods."""

import builtins as _builtins

import _gradlab as _C
from _gradlab import Tensor

__all__ = [
    "zeros", "ones", "empty", "full", "rand", "randn", "zeros_like", "ones_like", "full_like",
    "empty_like", "rand_like", "randn_like", "arange", "linspace", "eye", "stack", "cat",
    "concat", "where", "add", "sub", "mul", "div", "matmul", "mm", "mv", "dot", "bmm", "pow",
    "exp", "log", "sin", "cos", "sqrt", "abs", "tanh", "sigmoid", "relu", "neg", "clamp", "clip",
    "sum", "mean", "max", "min", "argmax", "sort", "transpose", "reshape", "squeeze",
    "unsqueeze", "t", "flatten", "numel", "clone", "eq", "ne", "lt", "le", "gt", "ge",
    "is_tensor", "from_numpy", "as_tensor", "square", "detach", "permute", "manual_seed",
    "get_default_dtype", "set_printoptions", "initial_seed", "seed",
]


def _factory(kind, size, dtype, requires_grad, device, fill=None):
    return _C._factory(kind, size, dtype, requires_grad, device, fill)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _factory("zeros", size, dtype, requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _factory("ones", size, dtype, requires_grad, device)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _factory("empty", size, dtype, requires_grad, device)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _factory("rand", size, dtype, requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _factory("randn", size, dtype, requires_grad, device)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _factory("full", (size,) if isinstance(size, int) else tuple(size), dtype, requires_grad,
                    device, fill_value)


def _like(kind, t, dtype, requires_grad, fill=None):
    return _factory(kind, tuple(t.shape), dtype or t.dtype, requires_grad, None, fill)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _like("zeros", input, dtype, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _like("ones", input, dtype, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _like("empty", input, dtype, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _like("full", input, dtype, requires_grad, fill_value)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _like("rand", input, dtype, requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False):
    return _like("randn", input, dtype, requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    return _C._arange(start, end, step, dtype, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _C._linspace(_builtins.float(start), _builtins.float(end), steps, dtype, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    return _C._eye(n, -1 if m is None else m, dtype, requires_grad)


def stack(tensors, dim=0, *, axis=None, out=None):
    return _C._join("stack", tensors, dim if axis is None else axis)


def cat(tensors, dim=0, *, axis=None, out=None):
    return _C._join("cat", tensors, dim if axis is None else axis)


concat = cat


def where(condition, input, other):
    return _C._where(condition, input, other)


def _as_tensor(x):
    return x if isinstance(x, Tensor) else _C.tensor(x)


def add(input, other, *, alpha=1, out=None):
    if not isinstance(input, Tensor):
        return _as_tensor(input).add(other, alpha=alpha)
    return input.add(other, alpha=alpha)


def sub(input, other, *, alpha=1, out=None):
    if not isinstance(input, Tensor):
        return _as_tensor(input).sub(other, alpha=alpha)
    return input.sub(other, alpha=alpha)


def mul(input, other, *, out=None):
    return input * other if isinstance(input, Tensor) else other * input


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is not None:
        raise NotImplementedError("torch.div(rounding_mode=...) is not available in Gradlab yet")
    return input / other


def matmul(input, other, *, out=None):
    return input.matmul(other)


def mm(input, mat2, *, out=None):
    return input.mm(mat2)


def mv(input, vec, *, out=None):
    return input.mv(vec)


def dot(input, other, *, out=None):
    return input.dot(other)


def bmm(input, mat2, *, out=None):
    return input.bmm(mat2)


def pow(input, exponent, *, out=None):
    return input ** exponent


def _unary(name):
    def fn(input, *, out=None):
        return getattr(input, name)()
    fn.__name__ = name
    return fn


exp = _unary("exp")
log = _unary("log")
sin = _unary("sin")
cos = _unary("cos")
sqrt = _unary("sqrt")
abs = _unary("abs")
tanh = _unary("tanh")
sigmoid = _unary("sigmoid")
relu = _unary("relu")
neg = _unary("neg")
t = _unary("t")
clone = _unary("clone")
detach = _unary("detach")
square = _unary("square")


def clamp(input, min=None, max=None, *, out=None):
    return input.clamp(min=min, max=max)


clip = clamp


def sum(input, dim=None, keepdim=False, *, dtype=None):
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    return input.mean(dim, keepdim, dtype=dtype)


def max(input, dim=None, keepdim=False, *, out=None):
    if isinstance(dim, Tensor):
        raise NotImplementedError("torch.max(input, other) is not available in Gradlab yet")
    return input.max(dim, keepdim)


def min(input, dim=None, keepdim=False, *, out=None):
    return input.min(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    return input.argmax(dim, keepdim)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    return input.sort(dim, descending)


def transpose(input, dim0, dim1):
    return input.transpose(dim0, dim1)


def permute(input, dims):
    return input.permute(*dims)


def reshape(input, shape):
    return input.reshape(shape)


def squeeze(input, dim=None):
    return input.squeeze() if dim is None else input.squeeze(dim)


def unsqueeze(input, dim):
    return input.unsqueeze(dim)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def numel(input):
    return input.numel()


def eq(input, other, *, out=None):
    return input == other


def ne(input, other, *, out=None):
    return input != other


def lt(input, other, *, out=None):
    return input < other


def le(input, other, *, out=None):
    return input <= other


def gt(input, other, *, out=None):
    return input > other


def ge(input, other, *, out=None):
    return input >= other


def is_tensor(obj):
    return isinstance(obj, Tensor)


def from_numpy(ndarray):
    return _C.tensor(ndarray)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return _C.tensor(data, dtype=dtype)


def manual_seed(seed):
    _C.manual_seed(seed)
    import torch
    return torch._default_generator


def get_default_dtype():
    import torch
    return torch.float32


def set_printoptions(*args, **kwargs):
    raise NotImplementedError("torch.set_printoptions is not available in Gradlab yet")


def initial_seed():
    return 67280421310721


def seed():
    raise NotImplementedError("torch.seed is not available in Gradlab yet")
