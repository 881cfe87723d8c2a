# numpy interop: torch.tensor(ndarray) copies and infers the dtype,
# .numpy() shares memory, from_numpy/as_tensor share, numpy scalars.
import numpy as np
import torch

arr = np.array([[1.0, 2.0], [3.0, 4.0]])
t = torch.tensor(arr)
print(t, t.dtype)
arr[0, 0] = 100
print(t)
print(torch.tensor(np.array([1, 2, 3])), torch.tensor(np.array([1.5], dtype=np.float32)))
print(torch.tensor(np.array([True, False])), torch.tensor(np.arange(6).reshape(2, 3)[:, ::2]))
print(torch.tensor(np.array([[1, 2]]) * 0.5, dtype=torch.float32))
print(torch.tensor(np.float64(2.5)), torch.tensor(np.int64(3)), torch.tensor([np.float32(1.5), np.float32(2.5)]))
print(torch.tensor(arr.T), torch.tensor(np.zeros((0, 2))))

f = torch.tensor([1.0, 2.0, 3.0])
n = f.numpy()
print(repr(n), n.dtype, type(n))
n[0] = 10
print(f)
f[1] = 20
print(n)
f.add_(1)
print(n)
print(repr(torch.tensor([1, 2]).numpy()), repr(torch.tensor([True]).numpy()), repr(torch.tensor(2.5).numpy()))
print(repr(torch.zeros(2, 2, dtype=torch.float64).numpy()))
m = torch.arange(6.0).reshape(2, 3)
print(repr(m.T.numpy()), repr(m[:, 1].numpy()))
g = torch.tensor([1.0, 2.0], requires_grad=True)
print(repr(g.detach().numpy()), repr((g * 2).detach().numpy()))
print(repr(g.data.numpy()))

arr[1, 1] = -1
fn = torch.from_numpy(arr)
print(fn, fn.dtype)
at = torch.as_tensor(arr)
print(at.dtype)
print(np.asarray(torch.tensor([1.5, 2.5])), np.array(torch.tensor([[1, 2]])))
print(np.sum(torch.tensor([1.0, 2.0]).numpy()), np.mean(torch.tensor([1.0, 2.0, 6.0]).numpy()))
print(torch.tensor([1.0, 2.0]) * np.float64(2.0))
print(torch.tensor([1.0, 2.0]) + np.int64(1))
print(torch.tensor([1.0, 2.0]).tolist(), list(torch.tensor([1.0, 2.0]).numpy()))
print(torch.linspace(0, 1, 3).numpy())
x = np.linspace(-1, 1, 5)
print(torch.tensor(x), torch.tensor(np.sin(x), dtype=torch.float32))
try:
    torch.tensor(np.array(["a"]))
except Exception as e:
    print(type(e).__name__, e)
try:
    g.numpy()
except Exception as e:
    print(type(e).__name__, e)
