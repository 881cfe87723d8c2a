/* ge-cuda-pointwise.cu - elementwise, broadcast, where and copy/cast kernels */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * One grid-stride kernel per (op, dtype): element i of the broadcast shape
 * finds each operand's byte offset from GeCudaIter's coalesced sizes and
 * strides (innermost first, as ge_iter lays them out), or as i * element size
 * when every operand is dense.  The arithmetic is ge-math.h's, the same
 * inline functions the CPU kernels run.
 */

#include <cuda_runtime.h>
#include <stdint.h>
#include <string.h>
#include <type_traits>

#include "ge-cuda-kernels.h"
#include "../ge-math.h"

namespace {

constexpr int kThreads = 256;

int
grid_for (int64_t n)
{
  int64_t blocks = (n + kThreads - 1) / kThreads;

  return (int) (blocks < (1 << 20) ? (blocks > 0 ? blocks : 1) : (1 << 20));
}

template <bool Contiguous, int N>
__device__ __forceinline__ void
operand_offsets (const GeCudaIter &it,
                 int64_t           i,
                 int64_t          *offset)
{
  if constexpr (Contiguous)
    {
#pragma unroll
      for (int k = 0; k < N; k++)
        offset[k] = i * it.elem[k];
    }
  else
    {
#pragma unroll
      for (int k = 0; k < N; k++)
        offset[k] = 0;
      for (int d = 0; d < it.ndim; d++)
        {
          int64_t size = it.sizes[d];
          int64_t index = i % size;

          i /= size;
#pragma unroll
          for (int k = 0; k < N; k++)
            offset[k] += index * it.strides[k][d];
        }
    }
}

template <typename T>
__device__ __forceinline__ T
load (const GeCudaIter &it,
      int               k,
      int64_t           offset)
{
  T value;

  if (it.is_scalar[k])
    {
      memcpy (&value, &it.scalar_bits[k], sizeof (T));
      return value;
    }
  return *reinterpret_cast<const T *> (it.data[k] + offset);
}

template <typename T>
__device__ __forceinline__ void
store (const GeCudaIter &it,
       int64_t           offset,
       T                 value)
{
  *reinterpret_cast<T *> (it.data[0] + offset) = value;
}

/* ---- kernels ---- */

template <typename Out, typename T, typename F, bool Contiguous>
__global__ void
binary_kernel (GeCudaIter it,
               F          f)
{
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; i < it.numel; i += step)
    {
      int64_t offset[3];

      operand_offsets<Contiguous, 3> (it, i, offset);
      store<Out> (it, offset[0], (Out) f (load<T> (it, 1, offset[1]), load<T> (it, 2, offset[2])));
    }
}

template <typename T, typename F, bool Contiguous>
__global__ void
unary_kernel (GeCudaIter it,
              F          f)
{
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; i < it.numel; i += step)
    {
      int64_t offset[2];

      operand_offsets<Contiguous, 2> (it, i, offset);
      store<T> (it, offset[0], f (load<T> (it, 1, offset[1])));
    }
}

template <typename Bits, bool Contiguous>
__global__ void
where_kernel (GeCudaIter it)
{
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; i < it.numel; i += step)
    {
      int64_t offset[4];

      operand_offsets<Contiguous, 4> (it, i, offset);
      store<Bits> (it, offset[0], load<uint8_t> (it, 1, offset[1]) ? load<Bits> (it, 2, offset[2])
                                                                    : load<Bits> (it, 3, offset[3]));
    }
}

/* ge_load_double / ge_store_double, and the direct int64 -> float32 cast of
 * the CPU's copy_convert_loop. */
template <typename T>
__device__ __forceinline__ double
to_double (T x)
{
  if constexpr (std::is_same<T, uint8_t>::value)
    return x ? 1.0 : 0.0;
  else
    return (double) x;
}

template <typename T>
__device__ __forceinline__ T
from_double (double value)
{
  if constexpr (std::is_same<T, uint8_t>::value)
    return value != 0.0;
  else if constexpr (std::is_same<T, int64_t>::value)
    return (value >= -9223372036854775808.0 && value < 9223372036854775808.0)
           ? (int64_t) value : INT64_MIN;
  else
    return (T) value;
}

template <typename To, typename From>
__device__ __forceinline__ To
convert (From x)
{
  if constexpr (std::is_same<To, From>::value)
    return x;
  else if constexpr (std::is_same<To, float>::value && std::is_same<From, int64_t>::value)
    return (float) x;
  else
    return from_double<To> (to_double<From> (x));
}

template <typename To, typename From, bool Contiguous>
__global__ void
copy_kernel (GeCudaIter it)
{
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t i = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; i < it.numel; i += step)
    {
      int64_t offset[2];

      operand_offsets<Contiguous, 2> (it, i, offset);
      store<To> (it, offset[0], convert<To, From> (load<From> (it, 1, offset[1])));
    }
}

/* ---- element functions ---- */

#define BINARY_FN(Name, T, EXPR)                                                  \
struct Name                                                                       \
{                                                                                 \
  __device__ __forceinline__ T operator() (T a, T b) const { return EXPR; }       \
};

BINARY_FN (AddF32, float, ge_math_add_f32 (a, b))
BINARY_FN (SubF32, float, ge_math_sub_f32 (a, b))
BINARY_FN (MulF32, float, ge_math_mul_f32 (a, b))
BINARY_FN (DivF32, float, ge_math_div_f32 (a, b))
BINARY_FN (PowF32, float, ge_math_pow_f32 (a, b))
BINARY_FN (AddF64, double, ge_math_add_f64 (a, b))
BINARY_FN (SubF64, double, ge_math_sub_f64 (a, b))
BINARY_FN (MulF64, double, ge_math_mul_f64 (a, b))
BINARY_FN (DivF64, double, ge_math_div_f64 (a, b))
BINARY_FN (PowF64, double, ge_math_pow_f64 (a, b))
BINARY_FN (AddI64, int64_t, ge_math_add_i64 (a, b))
BINARY_FN (SubI64, int64_t, ge_math_sub_i64 (a, b))
BINARY_FN (MulI64, int64_t, ge_math_mul_i64 (a, b))
BINARY_FN (PowI64, int64_t, ge_math_pow_i64 (a, b))
/* bool arithmetic is logical, as in PyTorch: True + True is True */
BINARY_FN (AddB8, uint8_t, (uint8_t) (a | b))
BINARY_FN (MulB8, uint8_t, (uint8_t) (a & b))

template <typename T, int Op>
struct Compare
{
  __device__ __forceinline__ uint8_t
  operator() (T a, T b) const
  {
    switch (Op)
      {
      case GE_CUDA_OP_EQ: return a == b;
      case GE_CUDA_OP_NE: return a != b;
      case GE_CUDA_OP_LT: return a < b;
      case GE_CUDA_OP_LE: return a <= b;
      case GE_CUDA_OP_GT: return a > b;
      default:            return a >= b;
      }
  }
};

#define UNARY_FN(Name, T, EXPR)                                                   \
struct Name                                                                       \
{                                                                                 \
  __device__ __forceinline__ T operator() (T a) const { return EXPR; }            \
};

#define FLOAT_UNARY_FNS(Op, op)                                                   \
  UNARY_FN (Op##F32, float, ge_math_##op##_f32 (a))                               \
  UNARY_FN (Op##F64, double, ge_math_##op##_f64 (a))

FLOAT_UNARY_FNS (Neg, neg)
FLOAT_UNARY_FNS (Exp, exp)
FLOAT_UNARY_FNS (Log, log)
FLOAT_UNARY_FNS (Sin, sin)
FLOAT_UNARY_FNS (Cos, cos)
FLOAT_UNARY_FNS (Sqrt, sqrt)
FLOAT_UNARY_FNS (Abs, abs)
FLOAT_UNARY_FNS (Tanh, tanh)
FLOAT_UNARY_FNS (Sigmoid, sigmoid)
FLOAT_UNARY_FNS (Relu, relu)
UNARY_FN (NegI64, int64_t, ge_math_neg_i64 (a))
UNARY_FN (AbsI64, int64_t, ge_math_abs_i64 (a))
UNARY_FN (ReluI64, int64_t, ge_math_relu_i64 (a))

struct ClampF32
{
  float lo, hi;
  __device__ __forceinline__ float operator() (float a) const { return ge_math_clamp_f32 (a, lo, hi); }
};

struct ClampF64
{
  double lo, hi;
  __device__ __forceinline__ double operator() (double a) const { return ge_math_clamp_f64 (a, lo, hi); }
};

struct ClampI64
{
  int64_t lo, hi;
  __device__ __forceinline__ int64_t operator() (int64_t a) const { return ge_math_clamp_i64 (a, lo, hi); }
};

struct PowScalarF32
{
  double exponent;
  __device__ __forceinline__ float operator() (float a) const { return ge_math_pow_scalar_f32 (a, exponent); }
};

struct PowScalarF64
{
  double exponent;
  __device__ __forceinline__ double operator() (double a) const { return ge_math_pow_scalar_f64 (a, exponent); }
};

/* ---- launchers ---- */

template <typename Out, typename T, typename F>
cudaError_t
launch_binary (const GeCudaIter &it,
               F                 f)
{
  if (it.contiguous)
    binary_kernel<Out, T, F, true><<<grid_for (it.numel), kThreads>>> (it, f);
  else
    binary_kernel<Out, T, F, false><<<grid_for (it.numel), kThreads>>> (it, f);
  return cudaGetLastError ();
}

template <typename T, typename F>
cudaError_t
launch_unary (const GeCudaIter &it,
              F                 f)
{
  if (it.contiguous)
    unary_kernel<T, F, true><<<grid_for (it.numel), kThreads>>> (it, f);
  else
    unary_kernel<T, F, false><<<grid_for (it.numel), kThreads>>> (it, f);
  return cudaGetLastError ();
}

template <typename T>
cudaError_t
launch_compare (const GeCudaIter &it,
                GeCudaOp          op)
{
  switch (op)
    {
    case GE_CUDA_OP_EQ: return launch_binary<uint8_t, T> (it, Compare<T, GE_CUDA_OP_EQ> ());
    case GE_CUDA_OP_NE: return launch_binary<uint8_t, T> (it, Compare<T, GE_CUDA_OP_NE> ());
    case GE_CUDA_OP_LT: return launch_binary<uint8_t, T> (it, Compare<T, GE_CUDA_OP_LT> ());
    case GE_CUDA_OP_LE: return launch_binary<uint8_t, T> (it, Compare<T, GE_CUDA_OP_LE> ());
    case GE_CUDA_OP_GT: return launch_binary<uint8_t, T> (it, Compare<T, GE_CUDA_OP_GT> ());
    default:            return launch_binary<uint8_t, T> (it, Compare<T, GE_CUDA_OP_GE> ());
    }
}

template <typename F32, typename F64>
cudaError_t
launch_float_unary (const GeCudaIter &it)
{
  if (it.dtypes[0] == GE_CUDA_DTYPE_FLOAT32)
    return launch_unary<float> (it, F32 ());
  return launch_unary<double> (it, F64 ());
}

template <typename To>
cudaError_t
launch_copy_from (const GeCudaIter &it)
{
  switch (it.dtypes[1])
    {
#define COPY_CASE(DTYPE, From)                                                    \
    case DTYPE:                                                                   \
      if (it.contiguous)                                                          \
        copy_kernel<To, From, true><<<grid_for (it.numel), kThreads>>> (it);      \
      else                                                                        \
        copy_kernel<To, From, false><<<grid_for (it.numel), kThreads>>> (it);     \
      return cudaGetLastError ();
    COPY_CASE (GE_CUDA_DTYPE_BOOL, uint8_t)
    COPY_CASE (GE_CUDA_DTYPE_INT64, int64_t)
    COPY_CASE (GE_CUDA_DTYPE_FLOAT32, float)
    COPY_CASE (GE_CUDA_DTYPE_FLOAT64, double)
#undef COPY_CASE
    default:
      return cudaErrorInvalidValue;
    }
}

cudaError_t
launch_copy (const GeCudaIter &it)
{
  switch (it.dtypes[0])
    {
    case GE_CUDA_DTYPE_BOOL:    return launch_copy_from<uint8_t> (it);
    case GE_CUDA_DTYPE_INT64:   return launch_copy_from<int64_t> (it);
    case GE_CUDA_DTYPE_FLOAT32: return launch_copy_from<float> (it);
    case GE_CUDA_DTYPE_FLOAT64: return launch_copy_from<double> (it);
    default:                    return cudaErrorInvalidValue;
    }
}

template <typename Bits>
cudaError_t
launch_where_bits (const GeCudaIter &it)
{
  if (it.contiguous)
    where_kernel<Bits, true><<<grid_for (it.numel), kThreads>>> (it);
  else
    where_kernel<Bits, false><<<grid_for (it.numel), kThreads>>> (it);
  return cudaGetLastError ();
}

cudaError_t
launch_where (const GeCudaIter &it)
{
  switch (it.elem[0])
    {
    case 1:  return launch_where_bits<uint8_t> (it);
    case 4:  return launch_where_bits<uint32_t> (it);
    case 8:  return launch_where_bits<uint64_t> (it);
    default: return cudaErrorInvalidValue;
    }
}

cudaError_t
launch_binary_op (const GeCudaIter &it,
                  GeCudaOp          op)
{
  /* the inputs' (computation) dtype */
  int dtype = it.dtypes[1];

  if (op >= GE_CUDA_OP_EQ && op <= GE_CUDA_OP_GE)
    switch (dtype)
      {
      case GE_CUDA_DTYPE_BOOL:    return launch_compare<uint8_t> (it, op);
      case GE_CUDA_DTYPE_INT64:   return launch_compare<int64_t> (it, op);
      case GE_CUDA_DTYPE_FLOAT32: return launch_compare<float> (it, op);
      case GE_CUDA_DTYPE_FLOAT64: return launch_compare<double> (it, op);
      default:                    return cudaErrorInvalidValue;
      }

  switch (dtype)
    {
    case GE_CUDA_DTYPE_BOOL:
      switch (op)
        {
        case GE_CUDA_OP_ADD: return launch_binary<uint8_t, uint8_t> (it, AddB8 ());
        case GE_CUDA_OP_MUL: return launch_binary<uint8_t, uint8_t> (it, MulB8 ());
        default:             return cudaErrorInvalidValue;
        }
    case GE_CUDA_DTYPE_INT64:
      switch (op)
        {
        case GE_CUDA_OP_ADD: return launch_binary<int64_t, int64_t> (it, AddI64 ());
        case GE_CUDA_OP_SUB: return launch_binary<int64_t, int64_t> (it, SubI64 ());
        case GE_CUDA_OP_MUL: return launch_binary<int64_t, int64_t> (it, MulI64 ());
        case GE_CUDA_OP_POW: return launch_binary<int64_t, int64_t> (it, PowI64 ());
        default:             return cudaErrorInvalidValue;
        }
    case GE_CUDA_DTYPE_FLOAT32:
      switch (op)
        {
        case GE_CUDA_OP_ADD: return launch_binary<float, float> (it, AddF32 ());
        case GE_CUDA_OP_SUB: return launch_binary<float, float> (it, SubF32 ());
        case GE_CUDA_OP_MUL: return launch_binary<float, float> (it, MulF32 ());
        case GE_CUDA_OP_DIV: return launch_binary<float, float> (it, DivF32 ());
        case GE_CUDA_OP_POW: return launch_binary<float, float> (it, PowF32 ());
        default:             return cudaErrorInvalidValue;
        }
    case GE_CUDA_DTYPE_FLOAT64:
      switch (op)
        {
        case GE_CUDA_OP_ADD: return launch_binary<double, double> (it, AddF64 ());
        case GE_CUDA_OP_SUB: return launch_binary<double, double> (it, SubF64 ());
        case GE_CUDA_OP_MUL: return launch_binary<double, double> (it, MulF64 ());
        case GE_CUDA_OP_DIV: return launch_binary<double, double> (it, DivF64 ());
        case GE_CUDA_OP_POW: return launch_binary<double, double> (it, PowF64 ());
        default:             return cudaErrorInvalidValue;
        }
    default:
      return cudaErrorInvalidValue;
    }
}

cudaError_t
launch_unary_op (const GeCudaIter   &it,
                 GeCudaOp            op,
                 const GeCudaParams *params)
{
  int dtype = it.dtypes[0];

  if (dtype == GE_CUDA_DTYPE_INT64)
    switch (op)
      {
      case GE_CUDA_OP_NEG:   return launch_unary<int64_t> (it, NegI64 ());
      case GE_CUDA_OP_ABS:   return launch_unary<int64_t> (it, AbsI64 ());
      case GE_CUDA_OP_RELU:  return launch_unary<int64_t> (it, ReluI64 ());
      case GE_CUDA_OP_CLAMP: return launch_unary<int64_t> (it, ClampI64 { params->int_lo, params->int_hi });
      default:               return cudaErrorInvalidValue;
      }
  if (dtype != GE_CUDA_DTYPE_FLOAT32 && dtype != GE_CUDA_DTYPE_FLOAT64)
    return cudaErrorInvalidValue;

  switch (op)
    {
    case GE_CUDA_OP_NEG:     return launch_float_unary<NegF32, NegF64> (it);
    case GE_CUDA_OP_EXP:     return launch_float_unary<ExpF32, ExpF64> (it);
    case GE_CUDA_OP_LOG:     return launch_float_unary<LogF32, LogF64> (it);
    case GE_CUDA_OP_SIN:     return launch_float_unary<SinF32, SinF64> (it);
    case GE_CUDA_OP_COS:     return launch_float_unary<CosF32, CosF64> (it);
    case GE_CUDA_OP_SQRT:    return launch_float_unary<SqrtF32, SqrtF64> (it);
    case GE_CUDA_OP_ABS:     return launch_float_unary<AbsF32, AbsF64> (it);
    case GE_CUDA_OP_TANH:    return launch_float_unary<TanhF32, TanhF64> (it);
    case GE_CUDA_OP_SIGMOID: return launch_float_unary<SigmoidF32, SigmoidF64> (it);
    case GE_CUDA_OP_RELU:    return launch_float_unary<ReluF32, ReluF64> (it);
    case GE_CUDA_OP_CLAMP:
      if (dtype == GE_CUDA_DTYPE_FLOAT32)
        return launch_unary<float> (it, ClampF32 { (float) params->lo, (float) params->hi });
      return launch_unary<double> (it, ClampF64 { params->lo, params->hi });
    case GE_CUDA_OP_POW_SCALAR:
      if (dtype == GE_CUDA_DTYPE_FLOAT32)
        return launch_unary<float> (it, PowScalarF32 { params->lo });
      return launch_unary<double> (it, PowScalarF64 { params->lo });
    default:
      return cudaErrorInvalidValue;
    }
}

/* ---- int64 products ---- */

__global__ void
matmul_int64_kernel (GeCudaMatmulInt64 p)
{
  int64_t total = p.batch * p.m * p.n;
  int64_t step = (int64_t) blockDim.x * gridDim.x;

  for (int64_t idx = (int64_t) blockIdx.x * blockDim.x + threadIdx.x; idx < total; idx += step)
    {
      int64_t j = idx % p.n;
      int64_t i = (idx / p.n) % p.m;
      int64_t batch_index = idx / (p.n * p.m);
      int64_t a_offset = 0, b_offset = 0;
      uint64_t sum = 0;

      for (int d = p.batch_ndim - 1; d >= 0; d--)
        {
          int64_t index = batch_index % p.batch_sizes[d];

          batch_index /= p.batch_sizes[d];
          a_offset += index * p.a_batch_strides[d];
          b_offset += index * p.b_batch_strides[d];
        }
      for (int64_t q = 0; q < p.k; q++)
        sum += (uint64_t) p.a[a_offset + i * p.a_row_stride + q * p.a_col_stride] *
               (uint64_t) p.b[b_offset + q * p.b_row_stride + j * p.b_col_stride];
      p.c[idx] = (int64_t) sum;
    }
}

}  // namespace

extern "C" int
ge_cuda_launch_pointwise (const GeCudaIter   *it,
                          GeCudaOp            op,
                          const GeCudaParams *params)
{
  if (it->numel == 0)
    return cudaSuccess;
  if (op <= GE_CUDA_OP_GE)
    return launch_binary_op (*it, op);
  if (op <= GE_CUDA_OP_POW_SCALAR)
    return launch_unary_op (*it, op, params);
  if (op == GE_CUDA_OP_WHERE)
    return launch_where (*it);
  if (op == GE_CUDA_OP_COPY)
    return launch_copy (*it);
  return cudaErrorInvalidValue;
}

extern "C" int
ge_cuda_launch_matmul_int64 (const GeCudaMatmulInt64 *p)
{
  int64_t total = p->batch * p->m * p->n;

  if (total == 0)
    return cudaSuccess;
  matmul_int64_kernel<<<grid_for (total), kThreads>>> (*p);
  return cudaGetLastError ();
}
