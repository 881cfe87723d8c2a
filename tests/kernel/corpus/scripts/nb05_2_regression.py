# Notebook 05, section 5: linear regression y = 2.5 + 4x + eps solved ten
# ways (torch.manual_seed(43052) as in the notebook).
import torch
import matplotlib.pyplot as plt

plt.rcParams['figure.figsize'] = (4.5,3.0)

# A. 문제
torch.manual_seed(43052)
x = torch.randn(100).sort()[0]
eps = torch.randn(100)*0.5
w0ast = 2.5
w1ast = 4
y = w0ast + w1ast*x + eps
plt.plot(x,y,'o')
#plt.plot(x,w0ast + w1ast*x,'--')

# B. 풀이1 – 지난시간 (엄밀하게)
def l(w0,w1):
    return torch.sum((y - (w0 + w1*x))**2)
w0tilde = -5
w1tilde = 10
for epoch in range(30):
    w0tilde_grad = (l(w0tilde + 0.001, w1tilde)- l(w0tilde, w1tilde))/0.001
    w1tilde_grad = (l(w0tilde, w1tilde+0.001)- l(w0tilde, w1tilde))/0.001
    w0tilde = w0tilde - 0.001 * w0tilde_grad
    w1tilde = w1tilde - 0.001 * w1tilde_grad
w0hat = w0tilde
w1hat = w1tilde
plt.plot(x,y,'o')
plt.plot(x,w0hat+w1hat*x,'--')
print(w0hat, w1hat)

# (대충)
def l(w0,w1):
    return torch.sum((y - (w0 + w1*x))**2)
w0hat = -5
w1hat = 10
for epoch in range(30):
    w0hat_grad = (l(w0hat + 0.001, w1hat)- l(w0hat, w1hat))/0.001
    w1hat_grad = (l(w0hat, w1hat+0.001)- l(w0hat, w1hat))/0.001
    w0hat = w0hat - 0.001 * w0hat_grad
    w1hat = w1hat - 0.001 * w1hat_grad
plt.plot(x,y,'o')
plt.plot(x,w0hat+w1hat*x,'--')
print(w0hat, w1hat)

# C. 풀이2 – 파이토치 사용
w0hat = torch.tensor(-5.00, requires_grad=True)
w1hat = torch.tensor(10.00, requires_grad=True)
for epoch in range(30):
    yhat = w0hat + w1hat*x # y의 predicted value
    loss = torch.sum((y - yhat)**2)
    loss.backward()
    w0hat.data = w0hat.data - 0.001 * w0hat.grad
    w1hat.data = w1hat.data - 0.001 * w1hat.grad
    w0hat.grad = None
    w1hat.grad = None
plt.plot(x,y,'o')
plt.plot(x,w0hat.data + w1hat.data*x,'--')
print((w0hat,w1hat))

# D. 풀이3 – matrix ver
w0hat = torch.tensor(-5.00, requires_grad=True)
w1hat = torch.tensor(10.00, requires_grad=True)
yhat = w0hat + w1hat * x
print(yhat[:5])
print(yhat.shape)
X = torch.stack([torch.ones(100), x],axis=1)
What = torch.tensor([[-5.00],[10.00]],requires_grad=True)
Yhat= X@What
print(Yhat[:5])
print(What.shape)

w0hat = torch.tensor(-5.00, requires_grad=True)
w1hat = torch.tensor(10.00, requires_grad=True)
#---#
yhat = w0hat + w1hat * x
loss = torch.sum((y-yhat)**2)
loss.backward()
print((w0hat.grad, w1hat.grad))

Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
What = torch.tensor([[-5.00],[10.00]],requires_grad=True)
#---#
Yhat = X@What
loss = torch.sum((Y-Yhat)**2)
loss.backward()
print((What.data, What.grad))

w0hat.data = w0hat.data - 0.001 * w0hat.grad
w1hat.data = w1hat.data - 0.001 * w1hat.grad
print((w0hat,w1hat))
What.data = What.data - 0.001 * What.grad
print(What)

Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
What = torch.tensor([[-5.00],[10.00]],requires_grad=True)
#---#
for epoch in range(30):
    Yhat = X@What
    loss = torch.sum((Y-Yhat)**2)
    loss.backward()
    What.data = What.data - 0.001 * What.grad
    What.grad = None
print(What.data)
plt.plot(x,y,'o')
# plt.plot(x,(X@What).reshape(-1).data,'--')
plt.plot(x,(X@What).reshape(-1).detach(),'--')

# E. 풀이4 – MSE
Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
What = torch.tensor([[-5.00],[10.00]],requires_grad=True)
#---#
for epoch in range(30):
    Yhat = X@What
    loss= torch.mean((Y-Yhat)**2) # SSE를 MSE로 바꿈
    loss.backward()
    What.data = What.data - 0.1 * What.grad
    What.grad = None
print(What.data)

# F. 풀이5 – MSE
Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
What = torch.tensor([[-5.00],[10.00]],requires_grad=True)
loss_fn = torch.nn.MSELoss()
#---#
for epoch in range(30):
    Yhat = X@What
    loss = loss_fn(Yhat,Y)
    loss.backward()
    What.data = What.data - 0.1 * What.grad
    What.grad = None
print(What.data)

# G. 풀이6 – net
net = torch.nn.Linear(
    in_features=2,
    out_features=1,
    bias = False
)
net.weight.data = torch.tensor([[-10.0,5.0]])
print(net(X)[:3])
What = torch.tensor([[-10.0],[5.0]])
print((X @ What)[:3])

Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
net = torch.nn.Linear(
    in_features=2,
    out_features=1,
    bias = False
)
net.weight.data = torch.tensor([[-5.00,10.00]])
loss_fn = torch.nn.MSELoss()
#---#
for epoch in range(30):
    Yhat = net(X)
    loss = loss_fn(Yhat,Y)
    loss.backward()
    net.weight.data = net.weight.data - 0.1 * net.weight.grad
    net.weight.grad = None
print(net.weight)

# H. 풀이7 – optimizer
Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
net = torch.nn.Linear(
    in_features=2,
    out_features=1,
    bias = False
)
net.weight.data = torch.tensor([[-5.00,10.00]])
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(),lr=0.1)
#---#
for epoch in range(30):
    Yhat = net(X)
    loss = loss_fn(Yhat,Y)
    loss.backward()
    optimizer.step() # 업데이트해~
    net.weight.grad = None
print(net.weight)

# I. 풀이8 – optimizer, zero_grad
Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
net = torch.nn.Linear(
    in_features=2,
    out_features=1,
    bias = False
)
net.weight.data = torch.tensor([[-5.00,10.00]])
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(),lr=0.1)
#---#
for epoch in range(30):
    Yhat = net(X)
    loss = loss_fn(Yhat,Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print(net.weight)

# J. 풀이9 – net, bias
# The notebook's illustration, run as written (Linear(...) lacks out_features)
for bias in (False, True):
    try:
        net = torch.nn.Linear(..., bias=bias)
        # 아래의 두 코드는 같은효과
        net(inp)
        inp @ net.weight.T
    except Exception as e:
        print(type(e).__name__, e)

Y = y.reshape(-1,1)
X = torch.stack([torch.ones(100), x],axis=1)
net = torch.nn.Linear(
    in_features=2,
    out_features=1,
    bias = True
)
net.weight.data = torch.tensor([[-5.00,10.00]])
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(),lr=0.1)
#---#
for epoch in range(30):
    Yhat = net(X)
    loss = loss_fn(Yhat,Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print((net.weight, net.bias))
print(-1.0242 + 3.4689) # 이게 w0hat의 효과
print(4.0080) # 이게 w1hat

Y = y.reshape(-1,1)
X1 = x.reshape(-1,1)
net = torch.nn.Linear(
    in_features=1,
    out_features=1,
    bias = True
)
net.weight.data = torch.tensor([[10.00]]) # w1hat의 역할
net.bias.data = torch.tensor([-5.0]) # w0hat의 역할
loss_fn = torch.nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(),lr=0.1)
#---#
for epoch in range(30):
    Yhat = net(X1)
    loss = loss_fn(Yhat,Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print((net.weight, net.bias))

# K. 풀이10
print(torch.linalg.inv(X.T @ X) @ X.T @ Y) # 이게 What
plt.plot(x,y,'o')
plt.plot(x,2.4459 + 4.0043*x,'--',alpha=0.5) # 회귀분석에서 배운대로 구한값
plt.plot(x,2.4290 + 4.0144*x,'--',alpha=0.5) # 경사하강법을 이용한 결과
print(l(2.4459,4.0043)) # 회귀분석에서 배운대로 구했을 경우 loss
print(l(2.4290,4.0144)) # 딥러닝에서 배운대로 구했을 경우 loss
