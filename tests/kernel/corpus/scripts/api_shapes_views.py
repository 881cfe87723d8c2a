# Shapes, size(), dim, numel, reshape/view/squeeze/unsqueeze/T/t/transpose/
# permute/flatten/expand, and views sharing memory with their base.
import torch

a = torch.arange(6)
print(a.shape, a.size(), a.size(0), a.size(-1), a.dim(), a.ndim, a.numel(), len(a))
b = a.reshape(2, 3)
print(b, b.shape, b.size(1), b.stride(), b.is_contiguous())
print(a.reshape(3, -1), a.reshape((1, 6)), a.reshape([6, 1]).shape, a.reshape(-1).shape)
print(a.view(3, 2), a.view((2, 3)).shape, a.view(-1, 2).shape, a.view(torch.Size([6])).shape)
print(b.T, b.t(), b.T.shape, b.T.is_contiguous(), b.T.stride())
print(b.transpose(0, 1), b.permute(1, 0), torch.transpose(b, 0, 1).shape)
c = torch.zeros(1, 3, 1)
print(c.squeeze().shape, c.squeeze(0).shape, c.squeeze(2).shape, c.squeeze(1).shape, c.squeeze(-1).shape)
print(a.unsqueeze(0).shape, a.unsqueeze(1).shape, a.unsqueeze(-1).shape, torch.unsqueeze(a, 0).shape)
print(torch.squeeze(c).shape, torch.reshape(a, (3, 2)).shape)
d = torch.arange(24).reshape(2, 3, 4)
print(d.flatten(), d.flatten(1).shape, d.flatten(0, 1).shape, torch.flatten(d).shape)
print(d.permute(2, 0, 1).shape, d.transpose(0, 2).shape, d.size())
print(torch.tensor([1, 2]).expand(3, 2), torch.tensor([[1], [2]]).expand(2, 3), torch.tensor([1]).expand(-1).shape)
print(torch.zeros(()).dim(), torch.zeros(()).numel(), torch.zeros(()).shape)
print(torch.zeros(2, 0).numel(), torch.zeros(3, 4).element_size(), torch.zeros(3, dtype=torch.float64).element_size())

# views share memory
base = torch.tensor([[1, 2], [3, 4]])
v = base.view(4)
v[0] = 100
print(base)
r = base.reshape(1, 4)
r[0, 1] = 200
print(base)
s = base.unsqueeze(0).squeeze(0)
s[1, 1] = -4
print(base)
tr = base.T
tr[0, 1] = 30
print(base, tr)
row = base[1]
row += 1000
print(base)
col = base[:, 0]
col.mul_(2)
print(base)
f = base.flatten()
f[3] = 7
print(base)
d1 = base.detach()
d1[0, 0] = 1
print(base)
dt = base.data
dt[0, 0] = 5
print(base)
cl = base.clone()
cl[0, 0] = 999
print(base, cl)
e = torch.tensor([1.0, 2.0]).expand(2, 2)
print(e, e.stride())

# non-contiguous view() fails, reshape copies
try:
    b.T.view(6)
except Exception as e:
    print(type(e).__name__, e)
print(b.T.reshape(6), b.T.contiguous().view(6))
try:
    a.view(4, 2)
except Exception as e:
    print(type(e).__name__, e)
try:
    a.reshape(4, -1)
except Exception as e:
    print(type(e).__name__, e)
try:
    a.view(-1, -1)
except Exception as e:
    print(type(e).__name__, e)
try:
    d.t()
except Exception as e:
    print(type(e).__name__, e)
try:
    a.squeeze(3)
except Exception as e:
    print(type(e).__name__, e)
try:
    a.unsqueeze(5)
except Exception as e:
    print(type(e).__name__, e)
try:
    a.size(2)
except Exception as e:
    print(type(e).__name__, e)
try:
    b.transpose(0, 2)
except Exception as e:
    print(type(e).__name__, e)
try:
    torch.tensor([1, 2]).expand(3)
except Exception as e:
    print(type(e).__name__, e)
