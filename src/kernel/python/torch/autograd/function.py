# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.autograd.Function: user-defined forward/backward (the engine records
a node named <ClassName>Backward, as PyTorch does)."""

import _gradlab as _C
from _gradlab import Tensor


class FunctionCtx:
    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument %d is not a "
                                "Variable" % tensors.index(t))
        # the engine saves tensors only: remember where the Nones were
        self._saved_nones = tuple(t is None for t in tensors)
        _C._ctx_save(self._c, [t for t in tensors if t is not None])

    @property
    def saved_tensors(self):
        saved = iter(_C._ctx_saved(self._c))
        return tuple(None if is_none else next(saved) for is_none in getattr(self, "_saved_nones", ()))

    def mark_non_differentiable(self, *args):
        raise NotImplementedError("ctx.mark_non_differentiable is not available in Gradlab yet")

    def mark_dirty(self, *args):
        raise NotImplementedError("ctx.mark_dirty is not available in Gradlab yet")

    def set_materialize_grads(self, value):
        if not value:
            raise NotImplementedError("ctx.set_materialize_grads(False) is not available in Gradlab yet")


class Function:
    """Subclass with @staticmethod forward(ctx, *args) and backward(ctx,
    grad_output); call with YourFunction.apply(*args)."""

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. Instantiating "
                      "an autograd function will raise an error in a future version of PyTorch.",
                      DeprecationWarning)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. "
                           "Please use new-style autograd function with static forward method. "
                           "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        if kwargs:
            raise NotImplementedError("keyword arguments to Function.apply are not available in Gradlab yet")
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        return _C._function_apply(cls.__name__, cls.forward, cls.backward, ctx, args)


FunctionCtx.__module__ = Function.__module__ = "torch.autograd.function"
