/* ge-cuda-reduce.cu - sum, mean, max/min and arg reductions */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * A reduction is a set of independent outputs, each over n_reduced input
 * elements (GeCudaReduce).  Long reductions with few outputs (the loss of a
 * training step: one output over 10^7 elements) are split into chunks, one
 * block per (output, chunk), reduced in shared memory to one partial each,
 * and a second kernel combines an output's partials in chunk order.  Short
 * ones use one thread per output.  Every combination order is fixed by the
 * shapes, so results are deterministic from run to run.
 *
 * Rules follow the CPU kernels: floating sums accumulate in double,
 * integer and bool sums in wrapping 64-bit integers, max/min propagate NaN,
 * and argmax/max(dim) pick the first NaN, else the extreme value with the
 * lowest index (a rule on indices, so the parallel order does not matter).
 */

#include <cuda_runtime.h>
#include <math.h>
#include <stdint.h>
#include <type_traits>

#include "ge-cuda-kernels.h"

namespace {

constexpr int kThreads = 256;
constexpr int64_t kChunk = 8192;          /* elements per block, at least */
constexpr int64_t kMaxBlocks = 2048;      /* blocks worth splitting a reduction over */
constexpr int64_t kMinChunkedReduction = 1024;
constexpr size_t kMaxAccBytes = 16;

int
grid_for (int64_t n)
{
  int64_t blocks = (n + kThreads - 1) / kThreads;

  return (int) (blocks < (1 << 20) ? (blocks > 0 ? blocks : 1) : (1 << 20));
}

/* Chunks per output, or 0 for the one-thread-per-output kernel. */
int64_t
plan_chunks (const GeCudaReduce &r)
{
  int64_t n_chunks, limit;

  if (r.n_reduced < kMinChunkedReduction || r.n_out > kMaxBlocks * 32)
    return 0;
  n_chunks = (r.n_reduced + kChunk - 1) / kChunk;
  limit = kMaxBlocks / r.n_out > 1 ? kMaxBlocks / r.n_out : 1;
  return n_chunks < limit ? n_chunks : limit;
}

/* Row-major decomposition; the outermost dim takes the rest without a
 * division, so one dim costs a multiplication. */
__device__ __forceinline__ int64_t
dims_offset (int            ndim,
             const int64_t *sizes,
             const int64_t *strides,
             int64_t        index)
{
  int64_t offset = 0;

  for (int d = ndim - 1; d > 0; d--)
    {
      offset += (index % sizes[d]) * strides[d];
      index /= sizes[d];
    }
  if (ndim > 0)
    offset += index * strides[0];
  return offset;
}

template <typename T>
__device__ __forceinline__ bool
is_nan (T x)
{
  return x != x;
}

template <typename T>
__device__ __forceinline__ T
lowest ()
{
  if constexpr (sizeof (T) == 1)
    return 0;
  else if constexpr (std::is_same<T, int64_t>::value)
    return INT64_MIN;
  else
    return -INFINITY;
}

template <typename T>
__device__ __forceinline__ T
highest ()
{
  if constexpr (sizeof (T) == 1)
    return 1;
  else if constexpr (std::is_same<T, int64_t>::value)
    return INT64_MAX;
  else
    return INFINITY;
}

/* ---- the reductions ---- */

template <typename T>
struct SumFloating
{
  using Acc = double;
  __device__ static Acc identity () { return 0.0; }
  __device__ static Acc element (T x, int64_t) { return (double) x; }
  __device__ static Acc combine (Acc a, Acc b) { return a + b; }
};

template <typename T>
struct SumIntegral
{
  using Acc = uint64_t;
  __device__ static Acc identity () { return 0; }
  __device__ static Acc element (T x, int64_t) { return (uint64_t) x; }
  __device__ static Acc combine (Acc a, Acc b) { return a + b; }
};

template <typename T, bool IsMax>
struct Extremum
{
  using Acc = T;
  __device__ static Acc identity () { return IsMax ? lowest<T> () : highest<T> (); }
  __device__ static Acc element (T x, int64_t) { return x; }
  __device__ static Acc
  combine (Acc a, Acc b)
  {
    if (is_nan (a))
      return a;
    if (is_nan (b))
      return b;
    if (IsMax)
      return a < b ? b : a;
    return b < a ? b : a;
  }
};

template <typename T>
struct ValueIndex
{
  T       value;
  int64_t index;   /* -1: nothing seen yet */
};

template <typename T, bool IsMax>
struct Arg
{
  using Acc = ValueIndex<T>;
  __device__ static Acc identity () { return Acc { T (0), -1 }; }
  __device__ static Acc element (T x, int64_t r) { return Acc { x, r }; }

  /* whether @c beats @best */
  __device__ static bool
  better (const Acc &c,
          const Acc &best)
  {
    if (c.index < 0)
      return false;
    if (best.index < 0)
      return true;
    if (is_nan (best.value))
      return is_nan (c.value) && c.index < best.index;
    if (is_nan (c.value))
      return true;
    if (c.value == best.value)
      return c.index < best.index;
    return IsMax ? c.value > best.value : c.value < best.value;
  }

  __device__ static Acc combine (Acc a, Acc b) { return better (b, a) ? b : a; }
};

/* ---- results ---- */

template <typename Out>
struct StoreFloatingSum
{
  Out   *out;
  int    mean;
  double count;

  __device__ void
  operator() (int64_t o, double acc) const
  {
    /* 0 / 0 gives NaN for an empty mean, as on the CPU */
    out[o] = (Out) (mean ? acc / count : acc);
  }
};

struct StoreIntegralSum
{
  int64_t *out;

  __device__ void operator() (int64_t o, uint64_t acc) const { out[o] = (int64_t) acc; }
};

template <typename T>
struct StoreValue
{
  T *out;

  __device__ void operator() (int64_t o, T acc) const { out[o] = acc; }
};

template <typename T>
struct StoreValueIndex
{
  T       *values;
  int64_t *indices;

  __device__ void
  operator() (int64_t o, ValueIndex<T> acc) const
  {
    values[o] = acc.value;
    indices[o] = acc.index;
  }
};

/* ---- kernels ---- */

template <typename In, typename Op>
__device__ typename Op::Acc
reduce_range (const GeCudaReduce &r,
              int64_t             base,
              int64_t             first,
              int64_t             end,
              int64_t             step)
{
  const In *data = reinterpret_cast<const In *> (r.data);
  typename Op::Acc acc = Op::identity ();

  for (int64_t q = first; q < end; q += step)
    {
      int64_t offset = base + dims_offset (r.n_reduced_dims, r.reduced_sizes, r.reduced_strides, q);

      acc = Op::combine (acc, Op::element (data[offset], q));
    }
  return acc;
}

template <typename In, typename Op, typename Store>
__global__ void
reduce_per_output_kernel (GeCudaReduce r,
                          Store        store)
{
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t o = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; o < r.n_out; o += step)
    {
      int64_t base = dims_offset (r.n_kept, r.kept_sizes, r.kept_strides, o);

      store (o, reduce_range<In, Op> (r, base, 0, r.n_reduced, 1));
    }
}

template <typename In, typename Op>
__global__ void
reduce_chunks_kernel (GeCudaReduce      r,
                      int64_t           n_chunks,
                      int64_t           chunk,
                      typename Op::Acc *partials)
{
  __shared__ typename Op::Acc shared[kThreads];
  int64_t block = blockIdx.x;
  int64_t o = block / n_chunks;
  int64_t c = block % n_chunks;
  int64_t base = dims_offset (r.n_kept, r.kept_sizes, r.kept_strides, o);
  int64_t end = (c + 1) * chunk < r.n_reduced ? (c + 1) * chunk : r.n_reduced;
  int tid = threadIdx.x;

  shared[tid] = reduce_range<In, Op> (r, base, c * chunk + tid, end, blockDim.x);
  __syncthreads ();
  for (int s = kThreads / 2; s > 0; s >>= 1)
    {
      if (tid < s)
        shared[tid] = Op::combine (shared[tid], shared[tid + s]);
      __syncthreads ();
    }
  if (tid == 0)
    partials[block] = shared[0];
}

template <typename Op, typename Store>
__global__ void
reduce_finish_kernel (int64_t                 n_out,
                      int64_t                 n_chunks,
                      const typename Op::Acc *partials,
                      Store                   store)
{
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t o = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; o < n_out; o += step)
    {
      typename Op::Acc acc = Op::identity ();

      for (int64_t c = 0; c < n_chunks; c++)
        acc = Op::combine (acc, partials[o * n_chunks + c]);
      store (o, acc);
    }
}

template <typename In, typename Op, typename Store>
cudaError_t
run_reduce (const GeCudaReduce &r,
            Store               store,
            void               *workspace)
{
  int64_t n_chunks = plan_chunks (r);

  static_assert (sizeof (typename Op::Acc) <= kMaxAccBytes, "workspace too small");
  if (r.n_out == 0)
    return cudaSuccess;
  if (n_chunks == 0)
    reduce_per_output_kernel<In, Op, Store><<<grid_for (r.n_out), kThreads>>> (r, store);
  else
    {
      typename Op::Acc *partials = static_cast<typename Op::Acc *> (workspace);
      int64_t chunk = (r.n_reduced + n_chunks - 1) / n_chunks;

      reduce_chunks_kernel<In, Op><<<(unsigned int) (r.n_out * n_chunks), kThreads>>> (r, n_chunks,
                                                                                        chunk, partials);
      reduce_finish_kernel<Op, Store><<<grid_for (r.n_out), kThreads>>> (r.n_out, n_chunks,
                                                                         partials, store);
    }
  return cudaGetLastError ();
}

template <typename T>
cudaError_t
run_extremum (const GeCudaReduce &r,
              int                 is_max,
              void               *out,
              void               *workspace)
{
  StoreValue<T> store { static_cast<T *> (out) };

  if (is_max)
    return run_reduce<T, Extremum<T, true>> (r, store, workspace);
  return run_reduce<T, Extremum<T, false>> (r, store, workspace);
}

template <typename T>
cudaError_t
run_arg (const GeCudaReduce &r,
         int                 is_max,
         void               *values,
         int64_t            *indices,
         void               *workspace)
{
  StoreValueIndex<T> store { static_cast<T *> (values), indices };

  if (is_max)
    return run_reduce<T, Arg<T, true>> (r, store, workspace);
  return run_reduce<T, Arg<T, false>> (r, store, workspace);
}

}  // namespace

extern "C" size_t
ge_cuda_reduce_workspace_size (const GeCudaReduce *r)
{
  int64_t n_chunks = plan_chunks (*r);

  return n_chunks == 0 ? 0 : (size_t) (r->n_out * n_chunks) * kMaxAccBytes;
}

extern "C" int
ge_cuda_launch_sum (const GeCudaReduce *r,
                    int                 mean,
                    void               *out,
                    void               *workspace)
{
  double count = (double) r->n_reduced;

  switch (r->dtype)
    {
    case GE_CUDA_DTYPE_FLOAT32:
      return run_reduce<float, SumFloating<float>> (
        *r, StoreFloatingSum<float> { static_cast<float *> (out), mean, count }, workspace);
    case GE_CUDA_DTYPE_FLOAT64:
      return run_reduce<double, SumFloating<double>> (
        *r, StoreFloatingSum<double> { static_cast<double *> (out), mean, count }, workspace);
    case GE_CUDA_DTYPE_INT64:
      return run_reduce<int64_t, SumIntegral<int64_t>> (
        *r, StoreIntegralSum { static_cast<int64_t *> (out) }, workspace);
    case GE_CUDA_DTYPE_BOOL:
      return run_reduce<uint8_t, SumIntegral<uint8_t>> (
        *r, StoreIntegralSum { static_cast<int64_t *> (out) }, workspace);
    default:
      return cudaErrorInvalidValue;
    }
}

extern "C" int
ge_cuda_launch_extremum (const GeCudaReduce *r,
                         int                 is_max,
                         void               *out,
                         void               *workspace)
{
  switch (r->dtype)
    {
    case GE_CUDA_DTYPE_BOOL:    return run_extremum<uint8_t> (*r, is_max, out, workspace);
    case GE_CUDA_DTYPE_INT64:   return run_extremum<int64_t> (*r, is_max, out, workspace);
    case GE_CUDA_DTYPE_FLOAT32: return run_extremum<float> (*r, is_max, out, workspace);
    case GE_CUDA_DTYPE_FLOAT64: return run_extremum<double> (*r, is_max, out, workspace);
    default:                    return cudaErrorInvalidValue;
    }
}

extern "C" int
ge_cuda_launch_arg_reduce (const GeCudaReduce *r,
                           int                 is_max,
                           void               *values,
                           int64_t            *indices,
                           void               *workspace)
{
  switch (r->dtype)
    {
    case GE_CUDA_DTYPE_BOOL:    return run_arg<uint8_t> (*r, is_max, values, indices, workspace);
    case GE_CUDA_DTYPE_INT64:   return run_arg<int64_t> (*r, is_max, values, indices, workspace);
    case GE_CUDA_DTYPE_FLOAT32: return run_arg<float> (*r, is_max, values, indices, workspace);
    case GE_CUDA_DTYPE_FLOAT64: return run_arg<double> (*r, is_max, values, indices, workspace);
    default:                    return cudaErrorInvalidValue;
    }
}
