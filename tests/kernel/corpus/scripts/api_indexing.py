# Indexing (ints, slices, steps, None, Ellipsis, negative), slice
# assignment, chained assignment, iteration, len, and indexing errors.
import torch

t = torch.arange(12).reshape(3, 4)
print(t[0], t[-1], t[1, 2], t[1][2], t[:, 1], t[1:, ::2], t[..., -1], t[None].shape, t[:, None].shape)
print(t[0:2], t[:2, 1:3], t[::2], t[-2:], t[5:], t[1, :], t[1, ...], t[..., 0, None])
print(t[0, 0].item(), t[2, 3].item(), type(t[0, 0].item()))
print(t[:, -1:], t[1:2, 1:2].shape, t[3:].shape)
print(t[torch.tensor(1)], t[torch.tensor(2), 1])

x = torch.zeros(5)
x[0] = 1
x[1] = 2.5
x[-1] = True
x[2:4] = torch.tensor([7.0, 8.0])
print(x)
x[:] = 3
print(x)
x[:] = torch.arange(5)
print(x)
x[1:4] = torch.tensor(9.0)
print(x)
x[::2] = -1
print(x)
m = torch.zeros(3, 3)
m[1] = torch.tensor([1.0, 2.0, 3.0])
m[:, 0] = 5
m[2, 2] = 9
m[0][1] = 4
print(m)
m[1:, 1:] = torch.tensor([[10.0, 20.0], [30.0, 40.0]])
print(m)
m[...] = 0
print(m)
i = torch.tensor([1, 2, 3])
i[0] = 2.7
i[1] = True
print(i)
w = torch.tensor([0.33, 0.33, 0.34], requires_grad=True)
with torch.no_grad():
    w[:] = torch.clamp(w - 0.5, min=0)
print(w)

# element values and iteration
v = torch.tensor([[1.5, 2.5], [3.5, 4.5]])
for row in v:
    print(row, row.shape)
for a in torch.tensor([1, 2, 3]):
    print(a, int(a))
print([e.item() for e in torch.tensor([0.5, 1.5])])
print(list(torch.tensor([True, False])))
print(len(v), len(torch.zeros(7, 2)))
a0, a1 = torch.tensor([10, 20])
print(a0, a1)
print(list(reversed(torch.tensor([1, 2, 3]))))
print(2 in torch.tensor([1, 2, 3]), 5 in torch.tensor([1, 2, 3]))
g = torch.tensor([1.0, 2.0], requires_grad=True)
print([e.item() for e in g.detach() * 2])
print(g[0], (g * 2)[1], g[0:1])

for expr in ("t[3]", "t[0, 4]", "t[-4]", "t[0, 0, 0]", "t[1.5]", "t['a']", "t[:, :, :]"):
    try:
        print(eval(expr))
    except Exception as e:
        print(expr, type(e).__name__, e)
for stmt in ("x[7] = 1", "m[0] = torch.ones(4)", "x[0] = 'a'", "del x[0]"):
    try:
        exec(stmt)
    except Exception as e:
        print(stmt, type(e).__name__, e)
try:
    len(torch.tensor(1.0))
except Exception as e:
    print(type(e).__name__, e)
try:
    iter(torch.tensor(1.0))
except Exception as e:
    print(type(e).__name__, e)
try:
    for e in torch.tensor(1.0):
        pass
except Exception as e:
    print(type(e).__name__, e)
lf = torch.tensor([1.0, 2.0], requires_grad=True)
try:
    lf[0] = 5
except Exception as e:
    print(type(e).__name__, e)
