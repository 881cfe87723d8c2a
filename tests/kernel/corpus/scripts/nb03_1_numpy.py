# Notebook 03 (polynomial fit), numpy by hand.  The notebook drew unseeded
# random weights; we seed numpy's generator.
import numpy as np
import math

np.random.seed(0)

# 무작위로 입력과 출력 데이터를 생성
x = np.linspace(-math.pi, math.pi, 2000)
y = np.sin(x)


# 무작위로 가중치 초기화
a = np.random.randn()
b = np.random.randn()
c = np.random.randn()
d = np.random.randn()

learning_rate = 1e-6
for t in range(2000):
    # 순전파 단계 : 예측값 y 계산
    # y = a + bx + cx^2 + dx^3
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    
    # 손실(loss)을 계산하고 출력
    loss = np.square(y_pred - y).sum()
    if t % 100 == 99:
        print(t, loss)
        
    # 손실에 따른 a, b, c, d의 변화도(gradient)를 계산하고 역전파
    grad_y_pred = 2.0 * (y_pred - y)
    grad_a = grad_y_pred.sum()
    grad_b = (grad_y_pred * x).sum()
    grad_c = (grad_y_pred * x ** 2).sum()
    grad_d = (grad_y_pred * x ** 3).sum()
    
    # 가중치를 갱신
    a -= learning_rate * grad_a
    b -= learning_rate * grad_b
    c -= learning_rate * grad_c
    d -= learning_rate * grad_d
    
print(f'Result: y = {a} + {b}x + {c}x^2 + {d}x^3')
