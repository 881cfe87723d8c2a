# torch.cuda and device arguments where CUDA cannot be used (no machine that
# runs the corpus has a GPU): the queries, seeding and memory functions that
# never fail, every way of asking for a cuda tensor or module, and the CPU
# side (to/cpu/device=, Module.to/cuda/cpu/float/double) going on unchanged.
import torch

# Without CUDA, PyTorch built without it (Debian's; Gradlab's -Dcuda=disabled)
# raises AssertionError("Torch not compiled with CUDA enabled"), and one built
# with it on a machine without a driver or a GPU raises RuntimeError("Found no
# NVIDIA driver on your system. ..." or "No CUDA GPUs are available"): both
# print as "CUDA unavailable", so that every build prints the same.
def cuda_unavailable(e):
    return ((type(e) is AssertionError and str(e) == "Torch not compiled with CUDA enabled")
            or (type(e) is RuntimeError and ("NVIDIA driver" in str(e) or "No CUDA GPUs" in str(e))))


def attempt(label, fn):
    try:
        print(label, "=>", fn())
    except Exception as e:
        if cuda_unavailable(e):
            print(label, "-> CUDA unavailable")
        else:
            print(label, "->", type(e).__name__, e)


# queries that answer without CUDA
print(torch.cuda.is_available(), torch.cuda.device_count(), torch.cuda.is_initialized())
print(torch.cuda.memory_allocated(), torch.cuda.memory_reserved(), torch.cuda.empty_cache())
print(torch.cuda.manual_seed(1), torch.cuda.manual_seed_all(2))

# seeding CUDA leaves the CPU stream alone
torch.manual_seed(0)
a = torch.rand(3)
torch.manual_seed(0)
torch.cuda.manual_seed(5)
torch.cuda.manual_seed_all(6)
b = torch.rand(3)
print(a, a.tolist() == b.tolist())

# queries that need CUDA
attempt("get_device_name()", lambda: torch.cuda.get_device_name())
attempt("get_device_name(0)", lambda: torch.cuda.get_device_name(0))
attempt("synchronize()", lambda: torch.cuda.synchronize())
attempt("current_device()", lambda: torch.cuda.current_device())
attempt("initial_seed()", lambda: torch.cuda.initial_seed())

# tensors to cuda
t = torch.tensor([1.0, 2.0], requires_grad=True)
attempt("t.cuda()", lambda: t.cuda())
attempt("t.cuda(0)", lambda: t.cuda(0))
attempt("t.cuda('cuda:0')", lambda: t.cuda("cuda:0"))
attempt("t.cuda('cpu')", lambda: t.cuda("cpu"))
attempt("t.to('cuda')", lambda: t.to("cuda"))
attempt("t.to('cuda:0')", lambda: t.to("cuda:0"))
attempt("t.to(torch.device('cuda', 0))", lambda: t.to(torch.device("cuda", 0)))
attempt("t.to(0)", lambda: t.to(0))
attempt("t.to('cuda', torch.float64)", lambda: t.to("cuda", torch.float64))
attempt("t.to(device='cuda')", lambda: t.to(device="cuda"))
attempt("t.to(dtype=torch.float64, device='cuda')", lambda: t.to(dtype=torch.float64, device="cuda"))

# factories with device='cuda'
attempt("zeros", lambda: torch.zeros(2, device="cuda"))
attempt("ones", lambda: torch.ones(2, 3, device=torch.device("cuda")))
attempt("empty", lambda: torch.empty(2, device="cuda:0"))
attempt("full", lambda: torch.full((2,), 1.5, device="cuda"))
attempt("rand", lambda: torch.rand(2, device="cuda"))
attempt("randn", lambda: torch.randn(2, device="cuda"))
attempt("tensor", lambda: torch.tensor([1, 2], device="cuda"))
attempt("arange", lambda: torch.arange(3, device="cuda"))
attempt("linspace", lambda: torch.linspace(0, 1, 3, device="cuda"))
attempt("eye", lambda: torch.eye(2, device="cuda"))
attempt("zeros_like", lambda: torch.zeros_like(t, device="cuda"))
attempt("new_zeros", lambda: t.new_zeros(2, device="cuda"))
attempt("as_tensor", lambda: torch.as_tensor([1.0], device="cuda"))

# modules to cuda: parameters make CUDA initialise, an empty module does not
attempt("Linear(device='cuda')", lambda: torch.nn.Linear(2, 1, device="cuda"))
m = torch.nn.Linear(2, 1)
attempt("m.cuda()", lambda: m.cuda())
attempt("m.to('cuda')", lambda: m.to("cuda"))
attempt("m.to('cuda', torch.float64)", lambda: m.to("cuda", torch.float64))
attempt("ReLU().to('cuda')", lambda: torch.nn.ReLU().to("cuda"))
attempt("Sequential().cuda()", lambda: torch.nn.Sequential().cuda())
attempt("m.to(torch.int64)", lambda: m.to(torch.int64))
print(m.weight.device, m.weight.dtype, m.weight.is_cuda)

# the CPU side
print(t.cpu() is t, t.to("cpu") is t, t.to(torch.device("cpu")) is t, t.to(t) is t, t.to(None) is t)
print(t.get_device(), t.is_cuda, t.device, t.to("cpu", torch.float64), t.to(torch.float64).grad_fn.name())
print(t.to("cpu", copy=True) is t, t.to("cpu", copy=True).tolist())
print(torch.zeros(2, device="cpu").device, torch.zeros_like(t).device, t.new_zeros(2).device,
      torch.tensor([1], device=torch.device("cpu")).device, torch.arange(2, device="cpu"),
      torch.eye(2, device="cpu", dtype=torch.int64))
x = torch.ones(2, 2, requires_grad=True)
y = (x.to("cpu") * 3).sum()
y.backward()
print(x.grad)

# modules on the CPU: the same Parameter objects, gradients converted too
m = torch.nn.Linear(2, 1)
with torch.no_grad():
    m.weight.fill_(0.5)
    m.bias.fill_(-1.0)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
w = m.weight
print(m.cpu() is m, m.to("cpu") is m, m.to(device="cpu", dtype=torch.float32) is m)
loss = m(torch.tensor([[1.0, 2.0]])).sum()
loss.backward()
m.double()
print(m.weight is w, m.weight.dtype, m.weight.grad.dtype, m.bias.grad)
opt.step()
print(m.weight, m.bias)
m.float()
print(m.weight.dtype, m.weight.grad.dtype, m(torch.tensor([[1.0, 1.0]])))
print(torch.device("cuda"), torch.device("cuda", 0), torch.device(0), repr(torch.device("cuda:0")))
