# Arithmetic operators (+ - * / ** @, unary), reflected and in-place forms,
# type promotion with Python numbers, and the torch.* function forms.
import torch

a = torch.tensor([1.0, 2.0, 3.0])
b = torch.tensor([4.0, 5.0, 6.0])
i = torch.tensor([1, 2, 3])
m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])

print(a + b, a - b, a * b, a / b, a ** 2, a ** b, -a, +a, abs(-a))
print(a + 1, 1 + a, a - 1, 1 - a, a * 2, 2 * a, a / 2, 2 / a, a ** 0.5, 2 ** a)
print(i + 1, i * 2, i / 2, i + 0.5, 1.5 * i, i ** 2, 2 ** i, i - 1, 10 - i)
print(i + a, i * a, True + i, torch.tensor([True, False]) + 1, torch.tensor([True]) * 2.5)
print(m @ m, m @ torch.tensor([1.0, 1.0]), torch.tensor([1.0, 1.0]) @ m, a @ b)
print(torch.tensor([[1, 2], [3, 4]]) @ torch.tensor([[5, 6], [7, 8]]))
print(torch.ones(2, 2, 3) @ torch.ones(3, 2))
print(m + torch.tensor([10.0, 20.0]), m * torch.tensor([[2.0], [3.0]]))
print(a.add(b), a.add(b, alpha=2), a.sub(1), a.mul(b), a.div(2), a.pow(2), a.neg(), a.matmul(b), a.dot(b))
print(torch.add(a, b), torch.add(a, 1, alpha=3), torch.sub(a, b), torch.mul(a, 3), torch.div(a, b))
print(torch.pow(a, 2), torch.pow(2, a), torch.matmul(m, m), torch.mm(m, m), torch.mv(m, a[:2]), torch.dot(a, b))
print(torch.neg(a), torch.abs(torch.tensor([-1.5, 2.0])), torch.sqrt(a), torch.exp(a), torch.log(a))
print(torch.sin(a), torch.cos(a), torch.tanh(a), torch.sigmoid(a), torch.relu(torch.tensor([-1.0, 2.0])))
print(a.exp(), a.log(), a.sin(), a.cos(), a.sqrt(), a.abs(), a.tanh(), a.sigmoid(), a.relu(), a.square())
print(torch.clamp(torch.tensor([-1.0, 0.5, 2.0]), min=0), torch.clamp(torch.tensor([-1.0, 0.5, 2.0]), 0, 1))
print(torch.tensor([-1.0, 0.5, 2.0]).clamp(max=1.0), torch.tensor([-3, 5]).clamp(min=0), torch.clip(torch.tensor([5.0]), 0, 1))
print(a.sum(), a.mean(), m.sum(0), m.sum(1), m.sum(dim=1, keepdim=True), m.mean(0), m.mean(dim=-1), torch.sum(m), torch.mean(m))
print(i.sum(), torch.tensor([True, True]).sum(), m.sum((0, 1)), m.max(), m.min(), m.argmax(), m.argmax(dim=1))
print(torch.sum(m, dim=0), torch.mean(m, 1, keepdim=True), i.sum(dtype=torch.float64), i.float().mean())
print(torch.tensor([3.0, 1.0, 2.0]).sort(), torch.sort(torch.tensor([3, 1, 2]), descending=True))
print(torch.tensor([3.0, 1.0, 2.0]).sort()[0], torch.tensor([3.0, 1.0, 2.0]).sort()[1])
print(torch.linalg.inv(m), torch.linalg.inv(torch.eye(2, dtype=torch.float64) * 2))
print(torch.where(a > 1.5, a, b), torch.where(torch.tensor([True, False]), 1.0, 0.0))
print(torch.tensor(5.0) * torch.tensor([1.0, 2.0]), torch.tensor(5) + torch.tensor([1.5]))
print(torch.tensor([1.0], dtype=torch.float64) + torch.tensor([1.0]), torch.tensor([1], dtype=torch.int64) * 1.5)

# in place
x = torch.tensor([1.0, 2.0, 3.0])
y = x
x += 1
print(x, y is x)
x -= torch.tensor([1.0, 1.0, 1.0])
x *= 2
x /= 4
print(x, y is x)
x **= 2
print(x, y is x)
x @= torch.eye(3)
print(x, y is x)
x.add_(1)
x.sub_(0.5)
x.mul_(2)
x.div_(2)
print(x)
x.add_(torch.ones(3), alpha=10)
print(x)
x.zero_()
print(x)
x.fill_(3.5)
print(x)
x.copy_(torch.tensor([7, 8, 9]))
print(x)
x.clamp_(min=7.5, max=8.5)
print(x, x.clamp_(max=8) is x, x.add_(0) is x, x.zero_() is x)
n = torch.tensor([1, 2])
n += 1
n *= 3
print(n)
for stmt in ("n /= 2", "n += 0.5", "n *= 1.5"):
    try:
        exec(stmt)
    except Exception as e:
        print(stmt, type(e).__name__, e)
print(n)
k = torch.zeros(2, 2)
k[0] += 1
k[:, 1] -= torch.tensor([5.0, 6.0])
print(k)

# errors
for expr in ("a + torch.ones(2)", "a @ m", "m @ a", "torch.ones(2, 3) @ torch.ones(2, 3)", "a.dot(i)",
             "a + 'x'", "'x' * a", "a @ 2", "torch.ones(2) * [1, 2]", "torch.linalg.inv(torch.zeros(2, 2))",
             "torch.linalg.inv(torch.ones(2, 3))", "torch.clamp(a)", "torch.tensor([1, 2]) @ torch.tensor([1.0, 2.0])",
             "torch.mm(a, a)", "i.mean()", "torch.tensor([True]) - torch.tensor([True])", "-torch.tensor([True])"):
    try:
        print(eval(expr))
    except Exception as e:
        print(expr, "->", type(e).__name__, e)
