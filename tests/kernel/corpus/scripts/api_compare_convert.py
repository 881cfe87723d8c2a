# Comparisons, bool/float/int/index conversions, item(), tolist(), hashing.
import math
import torch

a = torch.tensor([1.0, 2.0, 3.0])
b = torch.tensor([3.0, 2.0, 1.0])
print(a == b, a != b, a < b, a <= b, a > b, a >= b)
print(a == 2, 2 == a, a > 1.5, 1.5 < a, a <= 2, a != 3)
print(a.eq(b), a.ne(b), a.lt(2), a.le(2), a.gt(b), a.ge(b))
print(torch.eq(a, b), torch.gt(a, 2), torch.lt(a, b), torch.ne(a, 1), torch.le(a, b), torch.ge(a, b))
print(torch.tensor([1, 2]) == torch.tensor([1.0, 2.5]), torch.tensor([True, False]) == True)
print((a > 1).sum(), (a > 1).dtype)
print(torch.tensor([[1, 2], [3, 4]]) > torch.tensor([2, 2]))
print(a == None, a != None, a == "x")

print(bool(torch.tensor(1.0)), bool(torch.tensor(0)), bool(torch.tensor([0.5])), bool(torch.tensor([False])))
print(float(torch.tensor(2.5)), float(torch.tensor([3])), int(torch.tensor(3.9)), int(torch.tensor(-3.9)), int(torch.tensor([7])))
print(float(torch.tensor(True)), int(torch.tensor(2**40)), complex(torch.tensor(1.5)) if False else "")
print(torch.tensor(2.5).item(), torch.tensor(7).item(), torch.tensor(True).item(), torch.tensor([[4.25]]).item())
print(type(torch.tensor(2.5).item()), type(torch.tensor(7).item()), type(torch.tensor(True).item()))
print(torch.tensor(0.1).item(), torch.tensor(0.1, dtype=torch.float64).item(), torch.tensor(1 / 3).item())
print(torch.tensor([[1, 2], [3, 4]]).tolist(), torch.tensor([0.1, 0.2]).tolist(), torch.tensor(2.5).tolist(), torch.tensor([True]).tolist())
print(torch.tensor([[0.5]], requires_grad=True).tolist(), torch.zeros(2, 0).tolist(), torch.tensor(3).tolist())
print([1, 2, 3][torch.tensor(1)], range(10)[torch.tensor(4)], "abc"[torch.tensor(2)])
print(math.sqrt(torch.tensor(16.0)), round(torch.tensor(2.567).item(), 2), max(torch.tensor(1.0), torch.tensor(2.0)))
print(sum([torch.tensor(1.0), torch.tensor(2.0)]), sum(torch.tensor([1, 2, 3])))
print(sorted([torch.tensor(3), torch.tensor(1)]), min(torch.tensor([4, 2, 6])))
if torch.tensor(5.0) > 3:
    print("five > 3")
while torch.tensor(0.0) > 1:
    pass
print(torch.tensor(2.0) == 2.0, (torch.tensor(2.0) == 2.0).item())
t = torch.tensor([1.0])
d = {t: "one"}
print(d[t], hash(t) == hash(t), t in d, torch.tensor([1.0]) in d)
print(t is t.requires_grad_(False), torch.tensor(1.5).requires_grad)

for expr in ("bool(torch.tensor([1, 2]))", "float(torch.tensor([1.0, 2.0]))", "int(torch.tensor([1, 2]))",
             "torch.tensor([1.0, 2.0]).item()", "torch.zeros(0).item()", "[1, 2][torch.tensor(1.0)]",
             "[1, 2][torch.tensor([0, 1])]", "torch.tensor([1, 2]) and True", "torch.tensor([1.0, 2.0]) < 'a'",
             "float(torch.zeros(0))", "bool(torch.zeros(0))"):
    try:
        print(eval(expr))
    except Exception as e:
        print(expr, "->", type(e).__name__, e)
