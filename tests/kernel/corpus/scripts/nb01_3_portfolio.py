# Notebook 01, portfolio optimisation.  yfinance is replaced by the mean
# returns and covariance the notebook printed (In [171], In [172]).
import torch

expected_returns = torch.tensor([0.2655, 0.1980, 0.1436])

cov_matrix = torch.tensor([[0.1002, 0.0256, 0.0304],
                           [0.0256, 0.0507, 0.0134],
                           [0.0304, 0.0134, 0.1180]])

print(repr(expected_returns))

print(repr(cov_matrix))

import torch.optim as optim

weights = torch.tensor([0.33, 0.33, 0.34], requires_grad=True)

def portfolio_risk(weights, cov_matrix):
    weights_2d = weights.unsqueeze(0)  # (n,) -> (1, n)
    risk = torch.matmul(weights_2d, torch.matmul(cov_matrix, weights.unsqueeze(1)))  # (1, n) * (n, n) * (n, 1)
    return risk.squeeze()  # 스칼라 값 반환

def portfolio_return(weights, expected_returns):
    return torch.dot(weights, expected_returns)

optimizer = optim.SGD([weights], lr=0.01) # optimization target : 분산 최소화

for epoch in range(500):
    optimizer.zero_grad()  # 그래디언트 초기화
    loss = portfolio_risk(weights, cov_matrix)  # 손실 함수 (리스크 최소화)
    loss.backward()  # 그래디언트 계산
    optimizer.step()  # 가중치 업데이트

    # 제약 조건 적용 (가중치 합 1, 음수 불가)
    with torch.no_grad():
        weights[:] = torch.clamp(weights, min=0)  # 음수를 방지하기 위함
        weights /= weights.sum()  # 합이 1이 되도록 조정

    if epoch % 50 == 0:
        print(f"Epoch {epoch}, Risk: {loss.item()}, Weights: {weights.tolist()}")

print(repr(weights.tolist())) # portfolio weights

print(repr(portfolio_return(weights, expected_returns).item())) # expected return

print(repr(portfolio_risk(weights, cov_matrix).item())) # risk
