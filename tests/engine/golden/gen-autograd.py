# SPDX-License-Identifier: GPL-3.0-or-later
"""Goldens for autograd: grad_fn names and structure, backward order, grads, errors.

The C tests build the same expressions (tests/engine/test-autograd.c keeps the
list in the same order; keys are the expression names below)."""

import torch
from goldenlib import Golden

g = Golden("autograd")


def structure(fn):
    """SumBackward0(MulBackward0(AccumulateGrad, None)) for a grad_fn graph."""
    if fn is None:
        return "None"
    name = type(fn).__name__
    nexts = getattr(fn, "next_functions", ())
    if not nexts:
        return name
    return "%s(%s)" % (name, ", ".join(structure(f) for f, _ in nexts))


def order(root, grad=None):
    """Names of the nodes in the order backward runs them (post hooks)."""
    seen, names, stack = set(), [], [root.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        fn.register_hook(lambda gi, go, fn=fn: names.append(type(fn).__name__))
        stack.extend(f for f, _ in fn.next_functions)
    root.backward(grad)
    return " ".join(names)


def leaf(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


# Expressions: (key, builder) where builder returns the output tensor.
# The C test mirrors every builder with the same name.
def expressions():
    """Yields (key, output), with fresh leaves for every expression."""
    for key, build in _builders():
        yield key, build(leaf([1.0, 2.0, 3.0]), leaf([0.5, -1.0, 2.0]), leaf(2.0),
                         leaf([[1.0, 2.0], [3.0, 4.0]]), leaf([[0.5, -1.0], [2.0, 1.5]]))


def _builders():
    yield "add", lambda x, w, s, m, n: x + w
    yield "add_scalar", lambda x, w, s, m, n: x + 1
    yield "add_broadcast", lambda x, w, s, m, n: m + x[:2]
    yield "sub", lambda x, w, s, m, n: x - w
    yield "rsub", lambda x, w, s, m, n: 1 - x
    yield "mul", lambda x, w, s, m, n: x * w
    yield "mul_scalar", lambda x, w, s, m, n: x * 2
    yield "div", lambda x, w, s, m, n: x / w
    yield "div_scalar", lambda x, w, s, m, n: x / 2
    yield "rdiv", lambda x, w, s, m, n: 2 / x
    yield "pow_scalar", lambda x, w, s, m, n: x ** 2
    yield "pow_tensor", lambda x, w, s, m, n: x ** w
    yield "rpow", lambda x, w, s, m, n: 2 ** x
    yield "neg", lambda x, w, s, m, n: -x
    yield "exp", lambda x, w, s, m, n: x.exp()
    yield "log", lambda x, w, s, m, n: x.log()
    yield "relu", lambda x, w, s, m, n: w.relu()
    yield "tanh", lambda x, w, s, m, n: x.tanh()
    yield "sigmoid", lambda x, w, s, m, n: x.sigmoid()
    yield "abs", lambda x, w, s, m, n: w.abs()
    yield "sqrt", lambda x, w, s, m, n: x.sqrt()
    yield "sin", lambda x, w, s, m, n: x.sin()
    yield "cos", lambda x, w, s, m, n: x.cos()
    yield "sum", lambda x, w, s, m, n: x.sum()
    yield "sum_dim", lambda x, w, s, m, n: m.sum(0)
    yield "mean", lambda x, w, s, m, n: x.mean()
    yield "mm", lambda x, w, s, m, n: m @ n
    yield "dot", lambda x, w, s, m, n: x @ w
    yield "mv", lambda x, w, s, m, n: m @ x[:2]
    yield "t", lambda x, w, s, m, n: m.t()
    yield "T", lambda x, w, s, m, n: m.T
    yield "view", lambda x, w, s, m, n: m.view(4)
    yield "reshape", lambda x, w, s, m, n: m.reshape(4)
    yield "select", lambda x, w, s, m, n: m[0]
    yield "select_col", lambda x, w, s, m, n: m[:, 1]
    yield "slice", lambda x, w, s, m, n: x[1:]
    yield "unsqueeze", lambda x, w, s, m, n: x.unsqueeze(0)
    yield "squeeze", lambda x, w, s, m, n: m[0:1].squeeze()
    yield "squeeze_dim", lambda x, w, s, m, n: m[0:1].squeeze(0)
    yield "transpose", lambda x, w, s, m, n: m.transpose(0, 1)
    yield "expand", lambda x, w, s, m, n: s.expand(3)
    yield "clone", lambda x, w, s, m, n: x.clone()
    yield "clamp", lambda x, w, s, m, n: x.clamp(min=1.5)
    yield "sort", lambda x, w, s, m, n: torch.sort(w)[0]
    yield "stack", lambda x, w, s, m, n: torch.stack([x, w])
    yield "cat", lambda x, w, s, m, n: torch.cat([x, w])
    yield "inv", lambda x, w, s, m, n: torch.linalg.inv(m)
    yield "max", lambda x, w, s, m, n: x.max()
    yield "max_dim", lambda x, w, s, m, n: m.max(1)[0]
    yield "order_example", lambda x, w, s, m, n: ((x * w).exp() * (x + 1)).sum()
    yield "quadratic", lambda x, w, s, m, n: s ** 2 + 3 * s + 5
    yield "chain", lambda x, w, s, m, n: 3 * s ** 2 + 2
    yield "poly04", lambda x, w, s, m, n: -s ** 4 + 10 * s ** 3 + 10 * s ** 2 - 15 * s - 4
    yield "shared_input", lambda x, w, s, m, n: (x * x).sum()
    yield "deep", lambda x, w, s, m, n: ((x * 2 + 1) * (x - w)).sum()
    yield "portfolio_risk", lambda x, w, s, m, n: torch.matmul(w.unsqueeze(0), torch.matmul(m[:1, :1].expand(3, 3) + torch.eye(3), w.unsqueeze(1))).squeeze()


for key, out in expressions():
    g.string("structure." + key, structure(out.grad_fn))

# backward order for scalar expressions (non-scalars get ones)
for key, out in expressions():
    grad = None if out.numel() == 1 else torch.ones_like(out)
    g.string("order." + key, order(out, grad))

# grads of every expression with respect to each leaf it uses, for a fixed
# upstream gradient (ones, or seeded random)
torch.manual_seed(5)
for key, out in expressions():
    leaves = {}
    stack = [out.grad_fn]
    seen = set()
    while stack:
        fn = stack.pop()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        if type(fn).__name__ == "AccumulateGrad":
            leaves[id(fn.variable)] = fn.variable
        stack.extend(f for f, _ in fn.next_functions)
    upstream = torch.linspace(0.5, 1.5, out.numel()).reshape(out.shape)
    g.tensor("upstream." + key, upstream)
    out.backward(upstream)
    # name leaves by their values so C can match them
    for v in leaves.values():
        g.tensor("grad.%s.%s" % (key, "_".join("%g" % e for e in v.detach().reshape(-1).tolist())), v.grad)

# errors
x = leaf([1.0, 2.0, 3.0])
g.error("err.leaf_inplace", lambda: x.add_(1))
y = x.exp()
y.add_(1)
g.error("err.modified_output", lambda: y.sum().backward())
z = x * 2
wz = z * z
z.mul_(3)
g.error("err.modified_input", lambda: wz.sum().backward())
a = leaf([1.0, 2.0])
c = (a * a).sum()
c.backward()
g.error("err.backward_twice", lambda: c.backward())
g.error("err.non_scalar", lambda: (a * 2).backward())
g.error("err.int_requires_grad", lambda: torch.tensor([1, 2]).requires_grad_())
g.error("err.nonleaf_requires_grad_false", lambda: (a * 2).requires_grad_(False))
g.error("err.grad_size", lambda: setattr(a, "grad", torch.zeros(3)))
g.error("err.unused", lambda: torch.autograd.grad((a * 2).sum(), [leaf([1.0])]))
g.error("err.no_grad_fn", lambda: torch.tensor(1.0).backward())
v = torch.zeros(3, requires_grad=True)
g.error("err.view_of_leaf_inplace", lambda: v[0:2].add_(1))

# second derivatives
t = leaf([1.0, 2.0])
s2 = (t * t * t).sum()
(gt,) = torch.autograd.grad(s2, [t], create_graph=True)
g.tensor("second.grad", gt)
g.string("second.grad_fn", structure(gt.grad_fn))
gt.sum().backward()
g.tensor("second.t_grad", t.grad)

g.write()
