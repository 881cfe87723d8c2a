# Notebook 01, sections 2-3: autograd, no_grad, detach, gradient
# accumulation, chain rule, Jacobian with autograd.grad, a 1-parameter loop.
import torch

x = torch.tensor(2.0, requires_grad = True) # 자동으로 연산을 추적

print(repr(x))

y = x**2 + 3*x + 5

y.backward() # backward() 호출하여 y를 x에 대해 미분

print(repr(x.grad)) # x = 2일때, 일계도함수의 값

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

y = 2 * x**2 + 3 * x
y.sum().backward() # 스칼라 값을 만들기 위해 합을 구한 후 backward() 호출

print(repr(x.grad)) # 각 x값에 대해서 미분값을 출력

x = torch.tensor(5.0, requires_grad=True)

with torch.no_grad(): # 실제로는 테스트 데이터에 대해서 no_grad()를 사용한다.
    y = x ** 2 + 3 * x
    print("Value of y (no_grad):", y)

print(repr(x.grad)) # None

x = torch.tensor(5.0, requires_grad=True)
y = x ** 2

z = y.detach() # x와 연결이 끊어짐

print(repr(z.requires_grad))

x = torch.tensor(2.0, requires_grad=True)

y1 = x ** 2
y1.backward()
print("First Gradient:", x.grad)  # dy/dx = 2x = 4

y1 = x ** 2
y1.backward()
print("Second Gradient:", x.grad) # 여러 번 backward() 호출 시 그래디언트가 누적됨

# the notebook ran this cell twice (In [154]-[156]): 4 -> 8 -> 16
y1 = x ** 2
y1.backward()
y1 = x ** 2
y1.backward()
print("Second Gradient:", x.grad)

x.grad.zero_() # zero_ 수행 후 새로운 연산 실행
y2 = x ** 2
y2.backward()
print("Second Gradient:", x.grad)  # dy/dx = 3x^2 = 12

x = torch.tensor(1.0, requires_grad=True)
y = x ** 2
z = 3 * y + 2

z.backward()  # dz/dx = 3 * dy/dx = 3 * 2x = 6

print(repr(x.grad))

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = x * x  # [x^2, y^2]

gradients = torch.autograd.grad(outputs=y, inputs=x, grad_outputs=torch.tensor([1.0, 1.0]))

print(repr(gradients))

# 3. Optimization & Loss
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y_true = torch.tensor([2.0, 4.0, 6.0]) 
w = torch.tensor(1.0, requires_grad=True) # weight initialization

def loss_fn(y_pred, y_true):
    return ((y_pred - y_true) ** 2).mean()

for epoch in range(100):
    y_pred = w * x
    loss = loss_fn(y_pred, y_true)

    loss.backward()  # 그래디언트 계산
    with torch.no_grad():
        w -= 0.01 * w.grad  # 가중치 업데이트
        w.grad.zero_()  # 그래디언트 초기화

print(repr(w.item())) # optimized weight
