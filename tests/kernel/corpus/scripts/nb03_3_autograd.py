# Notebook 03, autograd computes the gradients.
import torch
import math

torch.manual_seed(0)   # the notebook ran unseeded

dtype = torch.float
device = torch.device("cpu")
# device = torch.device("cuda:0")

# 입력값과 출력값을 갖는 텐서들 생성
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)


# 가중치를 갖는 임의의 텐서 생성
a = torch.randn((), device=device, dtype=dtype, requires_grad=True)
b = torch.randn((), device=device, dtype=dtype, requires_grad=True)
c = torch.randn((), device=device, dtype=dtype, requires_grad=True)
d = torch.randn((), device=device, dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(2000):
    # 순전파 단계
    y_pred = a + b*x + c*x**2 + d*x**3
    
    
    # 텐서들간의 연산을 사용하여 손실(loss)를 계산하고 출력
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
        
    # autograd를 사용하여 역전파 단계를 계산
    loss.backward()
    
    # Gradient Descent를 사용하여 가중치를 직접 갱신
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        
        # 가중치 갱신 후에는 변화도를 직접 0으로 만듦
        
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
        
print(f'Result: y = {a.item()} + {b.item()}x + {c.item()}x^2 + {d.item()}')
