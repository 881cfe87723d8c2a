# SPDX-License-Identifier: GPL-3.0-or-later
"""torch.autograd: grad, backward, Function, grad modes."""

import _gradlab as _C
from _gradlab import Tensor

from torch.autograd.grad_mode import no_grad, enable_grad, set_grad_enabled  # noqa: F401
from torch.autograd.function import Function  # noqa: F401


def _tensors(x, what):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=False, is_grads_batched=False):
    if is_grads_batched:
        raise NotImplementedError("torch.autograd.grad(is_grads_batched=True) is not available in Gradlab yet")
    outputs = _tensors(outputs, "outputs")
    inputs = _tensors(inputs, "inputs")
    grad_outputs = _tensors(grad_outputs, "grad_outputs")
    if grad_outputs is not None and len(grad_outputs) != len(outputs):
        raise RuntimeError("grad requires one grad_output per output: got %d grad_outputs for %d outputs"
                           % (len(grad_outputs), len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    return _C._autograd_grad(outputs, inputs, grad_outputs, bool(retain_graph), bool(create_graph),
                             bool(allow_unused))


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    tensors = _tensors(tensors, "tensors")
    grad_tensors = _tensors(grad_tensors, "grad_tensors") or (None,) * len(tensors)
    for t, g in zip(tensors, grad_tensors):
        t.backward(g, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)


def Variable(data, requires_grad=False):
    """The pre-0.4 wrapper: a Tensor now."""
    if requires_grad:
        data.requires_grad_(True)
    return data


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError("module 'torch.autograd' has no attribute '%s'" % name)
    raise AttributeError("torch.autograd.%s is not available in Gradlab yet" % name)
