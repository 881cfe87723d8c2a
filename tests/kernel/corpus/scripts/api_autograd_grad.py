# torch.autograd.grad (tuples, grad_outputs, create_graph for second
# derivatives, allow_unused, retain_graph) and its errors.
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * x
g = torch.autograd.grad(outputs=y, inputs=x, grad_outputs=torch.tensor([1.0, 1.0]))
print(g, type(g), len(g), x.grad)
g, = torch.autograd.grad((x * x).sum(), x)
print(g)
x = torch.tensor(3.0, requires_grad=True)
y = x ** 3
dy, = torch.autograd.grad(y, x, create_graph=True)
print(dy)
d2y, = torch.autograd.grad(dy, x)
print(d2y, x.grad)
a = torch.tensor(1.0, requires_grad=True)
b = torch.tensor(2.0, requires_grad=True)
c = a * b + b ** 2
ga, gb = torch.autograd.grad(c, [a, b], retain_graph=True)
print(ga, gb)
print(torch.autograd.grad(c, (b,), retain_graph=True))
u = torch.tensor(5.0, requires_grad=True)
print(torch.autograd.grad(c, [a, u], allow_unused=True))
print(torch.autograd.grad([a * 2, b * 3], [a, b]))
print(torch.autograd.grad(outputs=[a * b], inputs=[a], grad_outputs=[torch.tensor(2.0)]))
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
jac_rows = [torch.autograd.grad((w ** 2)[i], w)[0] for i in range(3)]
print(torch.stack(jac_rows))
x = torch.tensor(2.0, requires_grad=True)
first, = torch.autograd.grad(x ** 4, x, create_graph=True)
second, = torch.autograd.grad(first, x, create_graph=True)
third, = torch.autograd.grad(second, x)
print(first, second, third)

for label, fn in [
    ("unused input", lambda: torch.autograd.grad(a * 2, [a, u])),
    ("non-scalar output", lambda: torch.autograd.grad(w * 2, w)),
    ("second time", lambda: [torch.autograd.grad(s := (w.exp()).sum(), w), torch.autograd.grad(s, w)]),
    ("no grad output", lambda: torch.autograd.grad(torch.tensor(1.0), a)),
    ("input without grad", lambda: torch.autograd.grad(a * 2, torch.tensor(1.0))),
]:
    try:
        print(label, fn())
    except Exception as e:
        print(label, "->", type(e).__name__, e)
