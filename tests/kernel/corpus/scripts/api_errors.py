# Common mistakes and the exception type and message PyTorch gives for each.
import torch

# Without CUDA, PyTorch built without it (Debian's; Gradlab's -Dcuda=disabled)
# raises AssertionError("Torch not compiled with CUDA enabled"), and one built
# with it on a machine without a driver or a GPU raises RuntimeError("Found no
# NVIDIA driver on your system. ..." or "No CUDA GPUs are available"): both
# print as "CUDA unavailable", so that every build prints the same.
def cuda_unavailable(e):
    return ((type(e) is AssertionError and str(e) == "Torch not compiled with CUDA enabled")
            or (type(e) is RuntimeError and ("NVIDIA driver" in str(e) or "No CUDA GPUs" in str(e))))


a = torch.ones(2)
s = torch.tensor(1.0)
w = torch.tensor([1.0, 2.0], requires_grad=True)

cases = [
    "a.mul('x')",
    "a.matmul(2)",
    "torch.exp()",
    "torch.exp('x')",
    "torch.zeros(2, 'a')",
    "torch.ones(2.5)",
    "s.size(0)",
    "a.size(1)",
    "torch.ones_like(s, 2)",
    "torch.stack([a, torch.ones(3)])",
    "torch.stack([])",
    "torch.cat([a, torch.ones(2, 2)])",
    "torch.tensor([[1, 2], [3]])",
    "torch.tensor([1, 'a'])",
    "torch.tensor([1.0]) + torch.ones(2, 3)",
    "torch.ones(2, 3) @ torch.ones(2, 3)",
    "torch.ones(3).view(2, 2)",
    "torch.ones(2, 3).reshape(4)",
    "torch.ones(2)[2]",
    "torch.ones(2).squeeze(2)",
    "torch.ones(2, 2).transpose(0, 5)",
    "torch.randn(2, dtype=torch.int64)",
    "torch.tensor([1, 2]).float().long().mean()",
    "torch.linalg.inv(torch.tensor([[1.0, 2.0], [2.0, 4.0]]))",
    "w.numpy()",
    "w.item()",
    "w.view(2, 1).backward()",
    "torch.tensor([1], requires_grad=True)",
    "torch.ones(2, 2).sum(dim=2)",
    "torch.ones(2, 2).mean(dim=-3)",
    "torch.ones(2).expand(3, 3)",
    "torch.ones(2, 2).permute(0)",
    "torch.ones(2, 2).T.view(4)",
    "torch.autograd.grad(w.sum(), torch.ones(2))",
    "torch.nn.Linear(3, 2)(torch.ones(4, 2))",
    "torch.nn.MSELoss()(torch.ones(2), 'y')",
    "torch.nn.functional.mse_loss(torch.ones(2), torch.ones(2), reduction='avg')",
    "torch.optim.SGD([w], lr=-0.1)",
    "torch.optim.Adam([w], lr=0.1, betas=(0.9, 1.0))",
    "torch.optim.RMSprop([w], alpha=-1)",
    "torch.device('gpu:0')",
    "torch.device('cpu:x')",
    "torch.zeros(1, device='cuda')",
    "torch.Size(['a'])",
]
for expr in cases:
    try:
        print(expr, "=>", eval(expr))
    except Exception as e:
        if cuda_unavailable(e):
            print(expr, "-> CUDA unavailable")
        else:
            print(expr, "->", type(e).__name__, e)

x = torch.tensor(2.0, requires_grad=True)
y = x ** 2
y.backward()
try:
    y.backward()
except Exception as e:
    print(type(e).__name__, e)
try:
    x.grad = torch.ones(3)
except Exception as e:
    print(type(e).__name__, e)
try:
    x.grad = torch.tensor(1.0, dtype=torch.float64)
except Exception as e:
    print(type(e).__name__, e)
try:
    x += 1
except Exception as e:
    print(type(e).__name__, e)
try:
    x.requires_grad = 1
except Exception as e:
    print(type(e).__name__, e)
try:
    (x * 2).requires_grad_(False)
except Exception as e:
    print(type(e).__name__, e)
try:
    x.data = [1.0]
except Exception as e:
    print(type(e).__name__, e)
try:
    torch.ones(2).grad.zero_()
except Exception as e:
    print(type(e).__name__, e)
try:
    torch.nn.Module().weight
except Exception as e:
    print(type(e).__name__, e)
class Net(torch.nn.Module):
    def __init__(self):
        self.fc = torch.nn.Linear(1, 1)
try:
    Net()
except Exception as e:
    print(type(e).__name__, e)
class Net2(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))
n = Net2()
try:
    n.w = torch.ones(1)
except Exception as e:
    print(type(e).__name__, e)
try:
    n(torch.ones(1))
except Exception as e:
    print(type(e).__name__, e)
try:
    torch.nn.Sequential(torch.nn.Linear(1, 1))[3]
except Exception as e:
    print(type(e).__name__, e)
