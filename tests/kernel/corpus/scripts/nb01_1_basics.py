# Notebook 01 (torch basics, portfolio), section 1: tensors vs numpy,
# creation, basic ops, reshape/view/squeeze sharing memory, devices.
# Gradlab corpus: cells in notebook order; a cell whose last expression the
# notebook displayed prints it.  The notebook ran unseeded: we seed.
import torch
import numpy as np

torch.manual_seed(0)

np_array = np.array(
    [
        [1, 2], 
        [3, 4]
    ]
)
print("Numpy Array:\n", np_array)

print(type(np_array))

torch_tensor = torch.tensor(
    [
        [1, 2],
        [3, 4]
    ]
)
print("Torch Tensor:\n", torch_tensor)

print(type(torch_tensor))

print(np_array.shape) # shapes

print(torch_tensor.shape)

# 0행렬의 경우
zeros_tensor = torch.zeros(3, 3)
print("Zeros Tensor:\n", zeros_tensor)

# 2 * 2 형태의 1로 이뤄진 행렬
ones_tensor = torch.ones(2, 2)
print("Ones Tensor:\n", ones_tensor)

# 4x4 크기의 랜덤한 값을 가진 텐서
random_tensor = torch.randn(4, 4)
print("Random Tensor:\n", random_tensor)

random_tensor_numpy = random_tensor.numpy()

print(repr(random_tensor_numpy))

print(random_tensor_numpy)

print(type(random_tensor_numpy)) # numpy.ndarray

random_tensor_3d = torch.randn(4, 4, 4)
print('Random Tensor 3D:\n', random_tensor_3d)

# 1.1 기본 텐서 연산
a = torch.tensor([
    [1, 2], 
    [3, 4]
])
b = torch.tensor([
    [5, 6], 
    [7, 8]
])

print(repr(a))

print(repr(b))

# 덧셈 (add)
print("Addition:\n", torch.add(a, b))

# 곱셈 (요소별, mul)
print("Element-wise Multiplication:\n", torch.mul(a, b))

# 행렬 곱 (matmul)
print("Matrix Multiplication:\n", torch.matmul(a, b))

# 텐서의 크기 변경 (reshape)
reshaped_tensor = a.reshape(4, 1)
print("Reshaped Tensor:\n", reshaped_tensor)

print(repr(a))

# view를 통한 형태 변경 (기존 데이터 공유)
viewed_tensor = a.view(1, 4)
print("Viewed Tensor:\n", viewed_tensor)

print(repr(a))

viewed_tensor[0][0] = 10 # 새롭게 인스턴스화된 변수의 값을 변경

print(repr(viewed_tensor))

print(repr(a))

expanded_tensor = torch.tensor([[[1, 2, 3]]])  # (1, 1, 3) -> (3, )
squeezed_tensor = expanded_tensor.squeeze()

print(repr(expanded_tensor)) # (1, 1, 3)

print(repr(squeezed_tensor)) # (3, )

squeezed_tensor[0] = 10 # 새로운 값 변경

print(repr(squeezed_tensor))

print(repr(expanded_tensor))

# 1.2 GPU 연산 사용
device = torch.device("cuda" if torch.cuda.is_available() else "cpu") # cuda 사용자인 경우 사용.
print("Using device:", device)
device = torch.device("mps:0")
print("Using device:", device)

cpu_tensor = torch.tensor([1.0, 2.0, 3.0])
# The notebook ran on a Mac; here the mps device does not exist.
try:
    gpu_tensor = cpu_tensor.to(device) # 메모리 영역이 다르기 때문에 device를 전달해 주어야 함
    print("Tensor on device:", gpu_tensor)
except Exception as e:
    print(type(e).__name__, str(e).split(".")[0])   # PyTorch adds its dispatcher's tables
try:
    gpu_tensor = cpu_tensor.cuda()
except Exception as e:
    # Debian's PyTorch is built without CUDA (AssertionError "Torch not
    # compiled with CUDA enabled"); Gradlab built with it but run without a
    # driver raises RuntimeError ("Found no NVIDIA driver ..."): same line.
    if ((type(e) is AssertionError and str(e) == "Torch not compiled with CUDA enabled")
            or (type(e) is RuntimeError and ("NVIDIA driver" in str(e) or "No CUDA GPUs" in str(e)))):
        print("CUDA unavailable")
    else:
        print(type(e).__name__, e)
gpu_tensor = cpu_tensor.to(torch.device("cpu"))
print("Tensor on device:", gpu_tensor)
