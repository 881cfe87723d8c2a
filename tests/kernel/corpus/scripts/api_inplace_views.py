# Autograd through in-place changes of views: assigning into part of a
# tensor that requires grad (CopySlices), in-place ops on slices, a base
# that comes to require grad through an assignment, views whose base
# changed afterwards (AsStridedBackward0), overlapping views, stepping
# through twice with retain_graph, and the errors PyTorch gives.
import torch


def graph(fn, depth=0):
    if fn is None:
        return
    print("  " * depth + fn.name())
    for nxt, _ in fn.next_functions:
        graph(nxt, depth + 1)


x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# a number into one element: the rest keeps its gradient
y = x * 2
y[0] = 5
print(y, y.is_leaf, y.requires_grad)
graph(y.grad_fn)
y.sum().backward()
print("x.grad", x.grad)

# a tensor that requires grad into a slice, with weights on the result
x.grad = None
w = torch.tensor([10.0, 20.0], requires_grad=True)
y = x * 2
y[1:] = w
graph(y.grad_fn)
(y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print("x.grad", x.grad, "w.grad", w.grad)

# values of other shapes: leading 1s dropped (a view), then expanded
w.grad = None
y = x * 2
y[1:] = w.view(1, 2)
graph(y.grad_fn)
y.pow(2).sum().backward()
print("w.grad", w.grad)
s = torch.tensor([7.0], requires_grad=True)
y = x * 2
y[:] = s
graph(y.grad_fn)
y.sum().backward()
print("s.grad", s.grad)
y = x * 2
y[0:2] = x[0]
graph(y.grad_fn)

# in-place ops on slices: y[0:2] *= ..., y[0] += 1
x.grad = None
y = x * 2
y[0:2] *= x[1:]
print(y)
graph(y.grad_fn)
y.sum().backward()
print("x.grad", x.grad)
y = x * 2
y[0] += 1
y[1].mul_(3)
y[2:].clamp_(max=4.0)
print(y)
graph(y.grad_fn)

# a view changed in place: its own grad_fn hangs off the base
x.grad = None
y = x * 2
t = y.view(3, 1)
t.add_(1)
print(y, t)
print(t.grad_fn.name(), y.grad_fn.name())
t.sum().backward()
print("x.grad", x.grad)

# a base changed after the view was taken
x.grad = None
y = x * 2
v = y[1]
y.mul_(3)
print(v, v.grad_fn.name())
graph(v.grad_fn)
v.backward()
print("x.grad", x.grad)

# an overlapping view: the base's gradient adds up
x.grad = None
y = x * 2
e = y.expand(2, 3)
y.add_(1)
print(e.grad_fn.name())
e.sum().backward()
print("x.grad", x.grad)

# a tensor that requires no grad comes to require it through assignments
x.grad = None
out = torch.zeros(3)
v0 = out[0:2]
out[0] = x[0] * 2
out[2] = x.sum()
print(out, out.requires_grad, out.is_leaf)
graph(out.grad_fn)
print(v0.requires_grad, v0.grad_fn.name())
out.pow(2).sum().backward()
print("x.grad", x.grad)
z = torch.zeros(2, 3)
z[1] = x
graph(z.grad_fn)
print(z[0].requires_grad, z[0].grad_fn.name())

# two passes through the same graph
x.grad = None
y = x * 3
y[1] = x[0] ** 2
y.sum().backward(retain_graph=True)
print("x.grad", x.grad)
y.sum().backward()
print("x.grad", x.grad)
try:
    y.sum().backward()
except RuntimeError as e:
    print("RuntimeError", str(e)[:60])

# what stays forbidden
try:
    x[0] = 1.0
except RuntimeError as e:
    print("RuntimeError", e)
y = x * 2
with torch.no_grad():
    v = y[0]
try:
    v.mul_(2)
except RuntimeError as e:
    print("RuntimeError", e)
with torch.no_grad():
    v.mul_(2)
print(y)
y = x * 2
try:
    y[0:2] = torch.tensor([1.0, 2.0, 3.0])
except RuntimeError as e:
    print("RuntimeError", e)

# unbind and iteration: several views from one op (UnbindBackward0), which
# may not be changed in place
x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
y = x * 2
for row in y:
    print(row)
first, second = y
print(first, second)
rows = y.unbind(0)
print(rows, torch.unbind(y, 1), torch.unbind(y, dim=-1))
(rows[0] * rows[1]).sum().backward()
print("x.grad", x.grad)
graph(rows[0].grad_fn)
print(len(rows[0].grad_fn.next_functions))
try:
    rows[0].mul_(2)
except RuntimeError as e:
    print("RuntimeError", e)
with torch.no_grad():
    rows[1].mul_(2)
print(y)
print(list(torch.tensor([1, 2, 3])), torch.zeros(0, 2).unbind(0))
for bad in (lambda: torch.tensor(1.0).unbind(), lambda: y.unbind(2)):
    try:
        bad()
    except IndexError as e:
        print("IndexError", e)
try:
    iter(torch.tensor(1.0))
except TypeError as e:
    print("TypeError", e)
