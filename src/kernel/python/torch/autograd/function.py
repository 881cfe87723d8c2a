# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.autograd.Function: user-defined forward/backward (the engine records
a node named <ClassName>Backward, as PyTorch does)."""

import _gradlab as _C


class FunctionCtx:
    def save_for_backward(self, *tensors):
        _C._ctx_save(self._c, tensors)

    @property
    def saved_tensors(self):
        return _C._ctx_saved(self._c)

    def mark_non_differentiable(self, *args):
        pass

    def set_materialize_grads(self, value):
        pass


class Function:
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
        return _C._function_apply(cls.__name__, cls.forward, cls.backward, ctx, args)
