# Notebook 03, a custom autograd.Function: the Legendre polynomial P3.
import torch
import math

class LegendrePolynomial3(torch.autograd.Function):
    
    @staticmethod
    def forward(ctx, input):
        """
        순전파 단계에서는 입력을 갖는 텐서를 받아 출력을 갖는 텐서를 반환
        """
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)
    
    @staticmethod
    def backward(ctx, grad_output):
        """
        역전파 단계에서는 출력에 대한 손실(loss)의 변화도(gradient)를 갖는 텐서를 받음
        """
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)
    
dtype = torch.float
device = torch.device("cpu")
# device = torch.device("cuda:0")

# 입력값과 출력값을 갖는 텐서들을 생성
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)

# 가중치를 갖는 임의의 텐서를 생성
# y = a + b*P3(c + d*x)
a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for t in range(2000):
    # 사용자 정의 Function을 적용하기 위해 Function.apply 메소드 사용
    P3 = LegendrePolynomial3.apply
    
    # 순전파 단계
    y_pred = a + b * P3(c + d * x)
    
    # 손실을 계산하고 출력
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
        
    # autograd를 사용하여 역전파 단계를 계산
    loss.backward()
    
    # 경사하강법(gradient descent)을 사용하여 가중치를 갱신
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # 가중치 갱신 후에 변화도를 0으로 초기화
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
        
print(f'Result: y ={a.item()} + {b.item()}x + {c.item()}x^2 | {d.item()}x^3')
