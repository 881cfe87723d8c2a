# torch.nn: Linear, Sequential, Flatten, MSELoss, ReLU, Module subclasses,
# Parameter, parameters()/named_parameters(), zero_grad, model[0], repr.
import torch
import torch.nn as nn

torch.manual_seed(0)
lin = nn.Linear(3, 2)
print(lin)
print(lin.weight)
print(lin.bias)
print(lin.in_features, lin.out_features, lin.weight.shape, lin.bias.shape)
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
out = lin(x)
print(out)
print([None if f is None else f.name() for f, _ in out.grad_fn.next_functions])
print(lin(torch.tensor([1.0, 0.0, -1.0])))
print(lin(torch.ones(2, 2, 3)).shape)
print(x @ lin.weight.T + lin.bias)
nb = nn.Linear(in_features=2, out_features=1, bias=False)
print(nb, nb.bias)
print(list(nb.parameters()))
nb.weight.data = torch.tensor([[-5.0, 10.0]])
print(nb.weight, nb(torch.tensor([[1.0, 2.0]])))

model = nn.Sequential(nn.Linear(3, 1), nn.Flatten(0, 1))
print(model)
print(model[0], model[1], model[-1], len(model))
print(model[0].weight.shape, type(model[0]).__name__)
for name, p in model.named_parameters():
    print(name, p.shape, p.requires_grad)
params = list(model.parameters())
print(len(params), params[0] is model[0].weight)
xx = torch.linspace(-1, 1, 5).unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
y_pred = model(xx)
print(y_pred.shape, y_pred.grad_fn.name())
loss_fn = nn.MSELoss(reduction='sum')
print(loss_fn)
loss = loss_fn(y_pred, torch.zeros(5))
print(loss)
loss.backward()
print(model[0].weight.grad, model[0].bias.grad)
model.zero_grad()
print(model[0].weight.grad, model[0].bias.grad)
model.zero_grad(set_to_none=True)
print(model[0].weight.grad)

seq = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
print(seq)
print(seq(torch.ones(3, 2)).shape)
print(nn.Flatten(), nn.Flatten()(torch.zeros(2, 3, 4)).shape, nn.ReLU(), nn.MSELoss())
print(nn.Flatten(0, 1)(torch.zeros(5, 1)).grad_fn)

mse = nn.MSELoss()
a = torch.tensor([[1.0], [2.0]], requires_grad=True)
b = torch.tensor([[1.5], [3.0]])
l = mse(a, b)
print(l, nn.MSELoss(reduction='none')(a, b))
l.backward()
print(a.grad)

class Polynomial3(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.randn(()))
        self.b = nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x'

m = Polynomial3()
print(m)
print(m.a, m.string())
print([n for n, _ in m.named_parameters()], len(list(m.parameters())))
print(m(torch.tensor([1.0, 2.0])))
print(m.forward(torch.tensor(3.0)))

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 1, bias=False)
        self.scale = 2.0

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale

net = Net()
print(net)
print([n for n, _ in net.named_parameters()])
print(net(torch.ones(4, 2)).shape, net.scale, net.training)
net.eval()
print(net.training, net.fc1.training)
print(isinstance(net, nn.Module), isinstance(net.fc1, nn.Linear))

p = nn.Parameter(torch.tensor([1.0, 2.0]))
print(p, p.grad, p.is_leaf)
print(nn.Parameter(torch.ones(1)).requires_grad, nn.Parameter(torch.ones(1), requires_grad=False).requires_grad)

for label, fn in [
    ("linear shape", lambda: lin(torch.ones(2, 4))),
    ("missing forward", lambda: nn.Module()(torch.ones(1))),
    ("no attribute", lambda: lin.nothing),
    ("sequential index", lambda: model[5]),
    ("mse bad reduction", lambda: nn.MSELoss(reduction='avg')(a, b)),
]:
    try:
        print(label, fn())
    except Exception as e:
        print(label, "->", type(e).__name__, e)
