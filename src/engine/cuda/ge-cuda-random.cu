/* ge-cuda-random.cu - the CUDA generator: Philox 4x32-10 fills */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Thread q computes Philox block q (ge-philox.h) and writes the elements
 * that block owns: 4q..4q+3 in float32, 2q and 2q+1 in float64.  The
 * values depend only on (seed, offset, element index), never on the launch
 * shape, so they can be checked against the same functions on the CPU.
 */

#include <cuda_runtime.h>
#include <stdint.h>

#include "ge-cuda-kernels.h"
#include "ge-philox.h"

namespace {

constexpr int kThreads = 256;

int
grid_for (int64_t n)
{
  int64_t blocks = (n + kThreads - 1) / kThreads;

  return (int) (blocks < (1 << 20) ? (blocks > 0 ? blocks : 1) : (1 << 20));
}

__global__ void
random_f32_kernel (float    *out,
                   int64_t   n,
                   int       normal,
                   double    a,
                   double    b,
                   uint64_t  seed,
                   uint64_t  offset)
{
  int64_t n_blocks = (n + 3) / 4;
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t q = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; q < n_blocks; q += step)
    {
      float values[4];

      ge_philox_values_f32 (seed, offset, (uint64_t) q, normal, a, b, values);
      for (int j = 0; j < 4 && 4 * q + j < n; j++)
        out[4 * q + j] = values[j];
    }
}

__global__ void
random_f64_kernel (double   *out,
                   int64_t   n,
                   int       normal,
                   double    a,
                   double    b,
                   uint64_t  seed,
                   uint64_t  offset)
{
  int64_t n_blocks = (n + 1) / 2;
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t q = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; q < n_blocks; q += step)
    {
      double values[2];

      ge_philox_values_f64 (seed, offset, (uint64_t) q, normal, a, b, values);
      for (int j = 0; j < 2 && 2 * q + j < n; j++)
        out[2 * q + j] = values[j];
    }
}

}  // namespace

extern "C" int
ge_cuda_launch_random (void     *data,
                       int       dtype,
                       int64_t   n,
                       int       normal,
                       double    a,
                       double    b,
                       uint64_t  seed,
                       uint64_t  offset)
{
  if (n == 0)
    return cudaSuccess;
  if (dtype == GE_CUDA_DTYPE_FLOAT32)
    random_f32_kernel<<<grid_for ((n + 3) / 4), kThreads>>> (static_cast<float *> (data), n,
                                                             normal, a, b, seed, offset);
  else if (dtype == GE_CUDA_DTYPE_FLOAT64)
    random_f64_kernel<<<grid_for ((n + 1) / 2), kThreads>>> (static_cast<double *> (data), n,
                                                             normal, a, b, seed, offset);
  else
    return cudaErrorInvalidValue;
  return cudaGetLastError ();
}
