# Autograd: backward, grad accumulation, grad get/set/None, grad_fn repr,
# name(), next_functions, data get/set, detach, requires_grad(_), no_grad,
# enable_grad, set_grad_enabled, retain_graph, non-scalar backward, errors.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 2 + 3 * x + 5
print(y, y.requires_grad, y.is_leaf, y.grad_fn.name())
y.backward()
print(x.grad, x.grad.requires_grad, x.grad.grad_fn)

def names(fn, depth=0):
    if fn is None:
        print("  " * depth + "None")
        return
    print("  " * depth + fn.name())
    for nxt, nr in fn.next_functions:
        names(nxt, depth + 1)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.tensor(0.5, requires_grad=True)
ops = {
    "x + 1": x + 1, "1 + x": 1 + x, "x - 1": x - 1, "1 - x": 1 - x, "x * 2": x * 2, "2 * x": 2 * x,
    "x / 2": x / 2, "2 / x": 2 / x, "x ** 2": x ** 2, "2 ** x": 2 ** x, "x ** x": x ** x, "-x": -x,
    "x * w": x * w, "x.sum()": x.sum(), "x.sum(0)": x.sum(0), "x.mean()": x.mean(),
    "x.mean(0)": x.mean(0), "x.exp()": x.exp(), "x.log()": x.log(), "x.sin()": x.sin(),
    "x.cos()": x.cos(), "x.sqrt()": x.sqrt(), "x.abs()": x.abs(), "x.tanh()": x.tanh(),
    "x.sigmoid()": x.sigmoid(), "x.relu()": x.relu(), "x.pow(2)": x.pow(2),
    "x.clamp(min=0)": x.clamp(min=0), "x.clone()": x.clone(), "x[0]": x[0], "x[1:]": x[1:],
    "x.view(3, 1)": x.view(3, 1), "x.reshape(3, 1)": x.reshape(3, 1), "x.unsqueeze(0)": x.unsqueeze(0),
    "x.unsqueeze(0).squeeze()": x.unsqueeze(0).squeeze(), "x.unsqueeze(0).squeeze(0)": x.unsqueeze(0).squeeze(0),
    "x.unsqueeze(0).t()": x.unsqueeze(0).t(), "x.unsqueeze(0).T": x.unsqueeze(0).T,
    "x.expand(2, 3)": x.expand(2, 3), "x.dot(x)": x.dot(x), "x @ x": x @ x,
    "torch.stack([x, x])": torch.stack([x, x]), "torch.cat([x, x])": torch.cat([x, x]),
    "x.sort()[0]": x.sort()[0], "x.max()": x.max(), "x.unsqueeze(1) @ x.unsqueeze(0)": x.unsqueeze(1) @ x.unsqueeze(0),
    "torch.ones(2, 3) @ x": torch.ones(2, 3) @ x, "x.unsqueeze(0).transpose(0, 1)": x.unsqueeze(0).transpose(0, 1),
    "x.double()": x.double(), "x.flatten()": x.unsqueeze(0).flatten(),
    "torch.linalg.inv(x[:2].diag_embed() if False else torch.eye(2) * x[0])": torch.linalg.inv(torch.eye(2) * x[0]),
}
for label, out in ops.items():
    print(label, "->", out.grad_fn.name(), [None if f is None else f.name() for f, _ in out.grad_fn.next_functions])
print(x.grad_fn, torch.tensor(1.0).grad_fn)
names(((x * w + 1).exp() * (x + 1)).sum().grad_fn)
acc = (x * 2).grad_fn.next_functions[0][0]
print(acc.name(), acc.variable is x, acc.next_functions)
print((x * 2).grad_fn.next_functions[1])
z = (x * 2).sum()
print(type(z.grad_fn).__name__, z.grad_fn == z.grad_fn, z.grad_fn is z.grad_fn)

# accumulation, zero_, None
x = torch.tensor(2.0, requires_grad=True)
(x ** 2).backward()
print(x.grad)
(x ** 2).backward()
print(x.grad)
x.grad.zero_()
(x ** 3).backward()
print(x.grad)
x.grad = None
print(x.grad)
(x * 5).backward()
print(x.grad)
x.grad = torch.tensor(100.0)
(x * 1).backward()
print(x.grad)

# data get/set, detach, requires_grad_
x = torch.tensor([1.0, 2.0], requires_grad=True)
print(x.data, x.data.requires_grad, x.data.grad_fn)
x.data = torch.tensor([5.0, 6.0])
print(x, x.requires_grad)
x.data[0] = 7
print(x)
d = x.detach()
print(d, d.requires_grad, d.is_leaf)
d[1] = 8
print(x)
y = (x * 2).detach()
print(y, y.grad_fn)
p = torch.tensor([1.0, 2.0])
print(p.requires_grad_(), p.requires_grad, p.requires_grad_(False), p.requires_grad)
p.requires_grad = True
print(p)
q = torch.ones(2)
print(q.requires_grad_(True) is q)

# no_grad / enable_grad / set_grad_enabled
x = torch.tensor(1.0, requires_grad=True)
with torch.no_grad():
    y = x * 2
    print(y, y.requires_grad, torch.is_grad_enabled())
    with torch.enable_grad():
        z = x * 2
        print(z, torch.is_grad_enabled())
print(torch.is_grad_enabled())
with torch.set_grad_enabled(False):
    print((x * 3).requires_grad)
print((x * 3).requires_grad)
torch.set_grad_enabled(False)
print((x * 3).requires_grad)
torch.set_grad_enabled(True)
print((x * 3).requires_grad)

@torch.no_grad()
def f(t):
    return t * 4

print(f(x), f.__name__)

# backward options
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * x
y.backward(torch.tensor([1.0, 0.5]))
print(x.grad)
y = (x ** 3).sum()
y.backward(retain_graph=True)
y.backward()
print(x.grad)
x.grad = None
y = (x ** 2).sum()
y.backward(create_graph=True)
print(x.grad)
x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 2
h.retain_grad()
(h ** 2).sum().backward()
print(h.grad, x.grad)
torch.autograd.backward((x * 3).sum())
print(x.grad)

# errors
x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * 2
tries = [
    ("y.backward()", lambda: y.backward()),
    ("x.sum().backward() twice", lambda: [(s := (x.exp()).sum()).backward(), s.backward()]),
    ("no grad", lambda: torch.tensor(1.0).backward()),
    ("int requires_grad", lambda: torch.tensor([1, 2], requires_grad=True)),
    ("int requires_grad_", lambda: torch.tensor([1, 2]).requires_grad_()),
    ("non-leaf requires_grad_", lambda: y.requires_grad_(False)),
    ("leaf in-place", lambda: x.add_(1)),
    ("numpy on grad tensor", lambda: x.numpy()),
    ("grad wrong shape", lambda: setattr(x, "grad", torch.zeros(3))),
    ("grad wrong type", lambda: setattr(x, "grad", 3)),
    ("data wrong type", lambda: setattr(x, "data", [1.0])),
    ("backward wrong gradient shape", lambda: (x * 2).backward(torch.ones(3))),
    ("item of non-scalar", lambda: y.item()),
]
for label, fn in tries:
    try:
        fn()
        print(label, "ok")
    except Exception as e:
        print(label, "->", type(e).__name__, e)
