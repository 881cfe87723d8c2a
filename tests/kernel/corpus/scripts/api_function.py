# torch.autograd.Function: forward/backward with ctx.save_for_backward and
# ctx.saved_tensors (the notebook's Legendre P3), several inputs, grad_fn.
import torch

class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)

P3 = LegendrePolynomial3.apply
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = P3(x)
print(y)
print(y.grad_fn.name(), type(y.grad_fn).__name__)
print([None if f is None else f.name() for f, _ in y.grad_fn.next_functions])
y.sum().backward()
print(x.grad)
z = P3(torch.tensor([0.5, 1.0]))
print(z, z.requires_grad)
with torch.no_grad():
    print(P3(x))

class MulAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b, k):
        ctx.save_for_backward(a, b)
        ctx.k = k
        return a * b + k

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a, None

a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
out = MulAdd.apply(a, b, 10.0)
print(out)
(out * out).sum().backward()
print(a.grad, b.grad)
c = torch.tensor([3.0, 4.0])
out = MulAdd.apply(a, c, 1)
print(out, [None if f is None else f.name() for f, _ in out.grad_fn.next_functions])
out.sum().backward()
print(a.grad)

class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result

t = torch.tensor([0.0, 1.0], requires_grad=True)
e = Exp.apply(t)
print(e)
e.backward(torch.ones(2))
print(t.grad)
print(Exp.apply(t) * 2)

# errors raised in forward/backward travel as they are; PyTorch's checks
class Bad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, mode):
        ctx.save_for_backward(x, None)
        ctx.mode = mode
        if mode == "fwd":
            raise ValueError("forward failed")
        return x * 2

    @staticmethod
    def backward(ctx, g):
        x, nothing = ctx.saved_tensors
        print("saved", x, nothing, ctx.needs_input_grad)
        if ctx.mode == "bwd":
            raise KeyError("backward failed")
        if ctx.mode == "count":
            return g
        if ctx.mode == "type":
            return "x", None
        return g * 2, None

for mode in ("ok", "fwd", "bwd", "count", "type"):
    x = torch.ones(2, requires_grad=True)
    try:
        y = Bad.apply(x, mode)
        print(y)
        y.sum().backward()
        print(mode, x.grad)
    except Exception as e:
        print(mode, type(e).__name__, e)
