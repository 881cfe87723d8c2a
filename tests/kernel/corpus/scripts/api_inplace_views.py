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

# second derivatives through CopySlices and AsStridedBackward0
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
a = x.clone()
a[1:].mul_(x[1:])
g, = torch.autograd.grad((a ** 2).sum(), x, create_graph=True)
g.sum().backward()
print("x.grad", x.grad)
x.grad = None
a = x.clone()
v = a[:2]
a.mul_(x)
g, = torch.autograd.grad((v ** 3).sum(), x, create_graph=True)
g.sum().backward()
print("x.grad", x.grad)

# the gradient of an expanded view adds up as ATen's as_strided_backward does
x = torch.arange(1.0, 4.0, requires_grad=True)
a = x.clone()
e = a[:2].expand(1000, 2)
a.mul_(2)
torch.manual_seed(0)
(e * torch.rand(1000, 2)).sum().backward()
print([v.hex() for v in x.grad.tolist()])

# a second backward through CopySlices needs retain_graph
a = x + 1
a[0] = 5
y = a.sum()
y.backward()
try:
    y.backward()
except RuntimeError as e:
    print("RuntimeError", str(e)[:60])

# views that may not follow their base: unbind outputs, views made in no_grad
w = torch.arange(6.0, requires_grad=True)
y = w * 1
first, second = y.view(2, 3).unbind(0)
second.retain_grad()
s = (first + second).sum()
y.add_(1)
for attempt in (lambda: second.grad_fn, lambda: print(second)):
    try:
        attempt()
    except RuntimeError as e:
        print("RuntimeError", e)
del second
try:
    s.backward()
except RuntimeError as e:
    print("RuntimeError", e)
x = torch.ones(3, requires_grad=True)
a = x * 2
with torch.no_grad():
    v = a[:2]
print(v.requires_grad, v.is_leaf, v.grad_fn)
a.mul_(2)
try:
    v.grad_fn
except RuntimeError as e:
    print("RuntimeError", e)
with torch.no_grad():
    v = x[:2]
y = v * 2
print(y.requires_grad, y.grad_fn.next_functions)
for make in (lambda: torch.zeros(3)[:2], lambda: x[:2]):
    with torch.no_grad():
        v = make()
    try:
        v.mul_(torch.ones(2, requires_grad=True))
    except RuntimeError as e:
        print("RuntimeError", e)
first, second = torch.zeros(2, 3).unbind(0)
first.mul_(2)
try:
    first.mul_(torch.ones(3, requires_grad=True))
except RuntimeError as e:
    print("RuntimeError", e)
a = torch.zeros(3)
v = a[:2]
v.add_(1)
print(v.requires_grad)
a.requires_grad_()
print(v.requires_grad, v.grad_fn.name())
