# Devices and CUDA queries, to()/cpu()/cuda(), manual_seed's generator,
# torch.Tensor type checks and the legacy constructor.
import torch

# Without CUDA, PyTorch built without it (Debian's; Gradlab's -Dcuda=disabled)
# raises AssertionError("Torch not compiled with CUDA enabled"), and one built
# with it on a machine without a driver or a GPU raises RuntimeError("Found no
# NVIDIA driver on your system. ..." or "No CUDA GPUs are available"): both
# print as "CUDA unavailable", so that every build prints the same.
def cuda_unavailable(e):
    return ((type(e) is AssertionError and str(e) == "Torch not compiled with CUDA enabled")
            or (type(e) is RuntimeError and ("NVIDIA driver" in str(e) or "No CUDA GPUs" in str(e))))


print(torch.cuda.is_available(), torch.cuda.device_count())
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print(device, repr(device), device.type, device.index)
t = torch.tensor([1.0, 2.0])
print(t.to(device), t.to("cpu"), t.cpu(), t.to(device, dtype=torch.float64), t.to(torch.device("cpu")))
print(t.device, t.is_cuda, t.to(device).device)
print(torch.zeros(2, device="cpu"), torch.ones(1, device=torch.device("cpu")), torch.tensor([1], device="cpu"))
print(torch.randn(2, device=device).shape, torch.linspace(0, 1, 2, device=device))
for label, fn in [("cuda()", lambda: t.cuda()), ("to cuda", lambda: t.to("cuda")),
                  ("zeros on cuda", lambda: torch.zeros(1, device="cuda")),
                  ("bad device", lambda: torch.device("gpu"))]:
    try:
        print(label, fn())
    except Exception as e:
        if cuda_unavailable(e):
            print(label, "-> CUDA unavailable")
        else:
            print(label, "->", type(e).__name__, e)
print(isinstance(t, torch.Tensor), type(t) is torch.Tensor, type(t).__name__, torch.Tensor.__name__)
print(torch.Tensor([1, 2]), torch.Tensor(2, 3).shape, torch.Tensor([[1.5]]).dtype)
print(type(torch.zeros(1)), type(torch.nn.Parameter(torch.zeros(1))))
g = torch.manual_seed(3)
print(type(g).__name__, torch.rand(1))
print(torch.get_default_dtype(), torch.is_grad_enabled())
print(torch.numel(torch.zeros(3, 4)), torch.zeros(2).is_floating_point(), torch.zeros(2, dtype=torch.int64).is_floating_point())
print(torch.tensor([1, 2]).new_zeros(3), torch.tensor([1.0]).new_ones((2, 2)), torch.tensor([1.0]).new_tensor([5, 6]))
print(torch.zeros(2, 3).view_as(torch.zeros(3, 2)).shape, torch.zeros(1).expand_as(torch.zeros(3)).shape)
print(torch.arange(6).reshape_as(torch.zeros(2, 3)))
