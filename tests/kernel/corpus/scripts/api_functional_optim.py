# torch.nn.functional (mse_loss, relu, linear, sigmoid, tanh) and
# torch.optim: SGD (momentum, weight decay, nesterov), RMSprop, Adam, param
# groups, zero_grad, step, repr.
import torch
import torch.nn.functional as F

a = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
t = torch.tensor([0.5, 0.5, 0.5])
print(F.mse_loss(a, t), F.mse_loss(a, t, reduction='sum'), F.mse_loss(a, t, reduction='none'))
print(F.relu(a), F.sigmoid(a) if hasattr(F, "sigmoid") else None, F.tanh(a) if hasattr(F, "tanh") else None)
print(torch.nn.functional.relu(torch.tensor([-1.0, 0.0, 2.0])))
w = torch.tensor([[1.0, 0.0, -1.0]], requires_grad=True)
print(F.linear(a.unsqueeze(0), w), F.linear(a.unsqueeze(0), w, torch.tensor([0.5])))
F.mse_loss(a, t).backward()
print(a.grad)

def fit(make_opt, steps=5):
    torch.manual_seed(0)
    w = torch.tensor([1.0, -1.0], requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    opt = make_opt([w, b])
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = torch.tensor([1.0, 2.0, 3.0])
    for _ in range(steps):
        opt.zero_grad()
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        opt.step()
    print(type(opt).__name__, loss.item(), w.tolist(), b.item())
    return opt

fit(lambda p: torch.optim.SGD(p, lr=0.01))
fit(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9))
fit(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True))
fit(lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.5, dampening=0.1, weight_decay=0.01))
fit(lambda p: torch.optim.SGD(p, lr=0.01, maximize=True))
fit(lambda p: torch.optim.RMSprop(p, lr=0.01))
fit(lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9))
fit(lambda p: torch.optim.RMSprop(p, lr=0.01, centered=True, weight_decay=0.1))
fit(lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, momentum=0.5, centered=True))
fit(lambda p: torch.optim.Adam(p, lr=0.1))
fit(lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), weight_decay=0.01))
fit(lambda p: torch.optim.Adam(p, lr=0.1, amsgrad=False, eps=1e-4))
fit(lambda p: torch.optim.SGD([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.1}], lr=0.01))
opt = fit(lambda p: torch.optim.Adam([{"params": p[0], "lr": 0.05}, {"params": [p[1]]}], lr=0.1))
print(len(opt.param_groups), opt.param_groups[0]["lr"], opt.param_groups[1]["lr"], opt.param_groups[1]["betas"])
print(sorted(opt.param_groups[0].keys()))
print(opt.defaults["lr"], opt.defaults["eps"])

model = torch.nn.Linear(2, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
print(opt)
print(torch.optim.Adam(model.parameters()))
print(torch.optim.RMSprop(model.parameters(), lr=1e-3))
opt.param_groups[0]["lr"] = 0.5
print(opt.param_groups[0]["lr"])
loss = model(torch.ones(1, 2)).sum()
loss.backward()
opt.zero_grad()
print(model.weight.grad)
opt.zero_grad(set_to_none=True)
print(model.weight.grad)
opt.step()
p = torch.tensor([1.0], requires_grad=True)
opt = torch.optim.SGD([p], lr=0.1)
opt.add_param_group({"params": [torch.tensor([2.0], requires_grad=True)], "lr": 0.2})
print(len(opt.param_groups), opt.param_groups[1]["lr"], opt.param_groups[1]["momentum"])

for label, fn in [
    ("empty params", lambda: torch.optim.SGD([], lr=0.1)),
    ("negative lr", lambda: torch.optim.SGD([p], lr=-1)),
    ("sgd without lr", lambda: torch.optim.SGD([p])),
    ("adam bad beta", lambda: torch.optim.Adam([p], betas=(1.5, 0.9))),
    ("nesterov without momentum", lambda: torch.optim.SGD([p], lr=0.1, nesterov=True)),
    ("tensor as params", lambda: torch.optim.SGD(p, lr=0.1)),
]:
    try:
        print(label, fn())
    except Exception as e:
        print(label, "->", type(e).__name__, e)
