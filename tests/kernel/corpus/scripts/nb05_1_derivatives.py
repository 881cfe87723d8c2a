# Notebook 05 (regression ten ways), sections 1-4: derivatives by finite
# differences and with torch; the x.grad accumulation trap and its fix.
import torch
import matplotlib.pyplot as plt

plt.rcParams['figure.figsize'] = (4.5,3.0)

# 예제1 – 파이썬 기본문법을 이용한 미분
def f(x):
    return x**2
x0 = 8
h = 0.0001
print((f(x0+h)-f(x0))/h)

# 예제2 – torch를 이용한 미분
def f(x):
    return x**2
x0 = torch.tensor(8.0, requires_grad = True)
y0 = f(x0)
y0.backward()
print(x0.grad)

def f(x):
    return x**2
x = torch.tensor(8.0, requires_grad = True)
y = f(x)
y.backward()
print(x.grad)

# 예제3 – 예제2를 좀 더 자세히
x = torch.tensor(8.0, requires_grad = True)
print(x) # 토치텐서, 꼬리표가 붙은...
print((x.data, x.grad)) # x.data에는 꼬리표없는 순수텐서있음, x.grad는 비어있음
y = f(x) # y는 x에서 발생한 꼬리표가 남아있음.
print(y)
y.backward() # y를 미분하라.
print((x.data, x.grad))

# 예제4 – 복잡해보이는 다른예제
x = torch.tensor(3.0, requires_grad = True)
print(x)
y = f(x)
print(y)
z = 2*y # z = 2*f(x) = 2x^2
print(z)
z.backward() # z를미분하라.
print((x.data, x.grad)) # z= 2x^2 --> z' = 4x

# 예제5
x = torch.tensor(4.0, requires_grad = True)
y = f(x)
z = 2*y
z.backward()
print((x.data, x.grad))

x = torch.tensor(4.0, requires_grad = True)
y = x**2
z = 2*y
z.backward()
print((x.data, x.grad))

# 예제6 – 다변수
def f(x1,x2):
    return (x1+2*x2)**2
x1 = 2.5
x2 = 2.5
print(((f(x1+0.001,x2)-f(x1,x2))/0.001, (f(x1,x2+0.001)-f(x1,x2))/0.001))

x1 = torch.tensor(2.5,requires_grad = True)
x2 = torch.tensor(2.5,requires_grad = True)
y = f(x1,x2)
y.backward() # y를 미분하라. 뭐로? 꼬리표가 생기게한 x1,x2 로!
print((x1.grad, x2.grad))

x = torch.tensor([[2.5],[2.5]],requires_grad=True)
y = (torch.tensor([[1.0, 2.0]]) @ x)**2
y.backward()
print(x.grad)

# 예제7 – f(x) = x^2 일때 f'(2)와 f'(3)
def f(x):
    return x**2

# (첫번째 풀이)
x = torch.tensor(2.0, requires_grad=True)
y = x**2
y.backward()
print((x.data, x.grad))
x = torch.tensor(3.0, requires_grad=True)
y = x**2
y.backward()
print((x.data, x.grad))

# (잘못된풀이)
x = torch.tensor(2.0, requires_grad=True)
print(x)
y = x**2
y.backward()
print((x.data, x.grad))
x.data = torch.tensor(3.0)
print((x.data, x.grad))
y = x**2
y.backward()
print((x.data, x.grad))

# (잘못을 수정한 풀이)
x = torch.tensor(2.0, requires_grad=True)
print(x)
y = x**2
y.backward()
print((x.data, x.grad))
x.data = torch.tensor(3.0)
x.grad = None
print((x.data, x.grad))
y = x**2
y.backward()
print((x.data, x.grad))
