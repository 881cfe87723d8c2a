# Notebook 04 (computational graph).  The post's snippets, in order; the
# illustrative ones that fail in PyTorch print the error.
import torch

torch.manual_seed(0)   # the post ran unseeded

# 생성
x = torch.tensor([[1,2,3],[4,5,6]]) # 1~6으로 채워진 2차원 텐서(크기 2x3)를 생성
y = torch.rand((3, 4)) # 0~1 사이의 임의의 수로 채워진 2차원 텐서(크기 3x4)를 생성
z = torch.zeros((1,2,3)) # 0으로 채워진 3차원 텐서(크기 1x2x3)를 생성. 1로 채우는 ones()도 있다
print(x)
print(y)
print(z)

print(x.shape) # 텐서 x의 크기. 위 예시에서는 torch.Size([2, 3])

# 연산
for expr in ("x.mean()", "x.sum()", "x + y", "x @ y", "x.float().mean()", "x.float() @ y"):
    try:
        z = eval(expr)
        print(expr, "=", z)
    except Exception as e:
        print(expr, "->", type(e).__name__, e)

# 연산 그래프
x = torch.tensor([3])
y = torch.tensor([4])
z = x + y
print(x, y, z)

x = torch.tensor([3.0], requires_grad=True) # tensor([3.], requires_grad=True)
y = torch.tensor([4.0], requires_grad=True) # tensor([4.], requires_grad=True)
z = x + y                                   # tensor([7.], grad_fn=<AddBackward>)
print(x)
print(y)
print(z)
y.requires_grad_(False) # 이제 y는 연산 그래프에서 gradient를 계산하지 않음
print(y)
print(y.requires_grad_(True))

# 그래디언트 계산
x = torch.tensor([5.0], requires_grad=True)

y = -1*(x**4) + 10*(x**3) + 10*(x**2) - 15*x - 4
y.backward()  # dy/dx가 계산된다

print(x.grad) # tensor([335.])

x1 = torch.tensor([1.0], requires_grad=True)
x2 = torch.tensor([2.0], requires_grad=True)
x3 = torch.tensor([3.0], requires_grad=True)

y = x1*x2*x3*x3 + 7*x1*x2 - x2*x2 - 4*x1*x3 
y.backward()   # y를 계산하는데 연관된 모든 x들에 대해 dy/dx가 계산된다

print(x1.grad) # tensor([20.])
print(x2.grad) # tensor([12.])
print(x3.grad) # tensor([8.])
