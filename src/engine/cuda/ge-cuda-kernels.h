/* ge-cuda-kernels.h - what the C side hands to the .cu kernels (C and C++) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Plain C types only (no GLib, no CUDA headers), so that both gcc (the C
 * glue in ge-cuda-ops.c) and nvcc (the kernels) read the same layouts.  The
 * launchers return a cudaError_t as an int: 0 on success.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* GeDType's values (checked against it in ge-cuda-ops.c). */
#define GE_CUDA_DTYPE_BOOL    0
#define GE_CUDA_DTYPE_INT64   1
#define GE_CUDA_DTYPE_FLOAT32 2
#define GE_CUDA_DTYPE_FLOAT64 3

#define GE_CUDA_MAX_DIMS     16   /* GE_MAX_DIMS */
#define GE_CUDA_MAX_OPERANDS 4    /* GE_ITER_MAX_OPERANDS */

/* The element ops of the pointwise kernels.  The binary block follows
 * ge-pointwise.c's BinaryOp and the unary block its UnaryOp (checked there
 * with static assertions). */
typedef enum
{
  GE_CUDA_OP_ADD,
  GE_CUDA_OP_SUB,
  GE_CUDA_OP_MUL,
  GE_CUDA_OP_DIV,
  GE_CUDA_OP_POW,
  GE_CUDA_OP_EQ,
  GE_CUDA_OP_NE,
  GE_CUDA_OP_LT,
  GE_CUDA_OP_LE,
  GE_CUDA_OP_GT,
  GE_CUDA_OP_GE,

  GE_CUDA_OP_NEG,
  GE_CUDA_OP_EXP,
  GE_CUDA_OP_LOG,
  GE_CUDA_OP_SIN,
  GE_CUDA_OP_COS,
  GE_CUDA_OP_SQRT,
  GE_CUDA_OP_ABS,
  GE_CUDA_OP_TANH,
  GE_CUDA_OP_SIGMOID,
  GE_CUDA_OP_RELU,
  GE_CUDA_OP_CLAMP,
  GE_CUDA_OP_POW_SCALAR,

  GE_CUDA_OP_WHERE,   /* out, condition (bool), a, b (a and b of out's dtype) */
  GE_CUDA_OP_COPY,    /* out, src: src converted to out's dtype like ge_store_double */

  GE_CUDA_N_OPS
} GeCudaOp;

/* The parameters of clamp and pow-by-a-number; the layout of ge-pointwise.c's
 * UnaryParams, which is a typedef of it. */
typedef struct
{
  double  lo;
  double  hi;
  int64_t int_lo;
  int64_t int_hi;
} GeCudaParams;

/* A pointwise iteration as ge_iter_init() lays it out: dims innermost first,
 * coalesced, strides in bytes.  Operand 0 is the output.  An operand that is
 * a CPU scalar travels by value in scalar_bits. */
typedef struct
{
  int      ndim;
  int      n_operands;
  int      contiguous;      /* every operand dense or a scalar: offsets are i * elem */
  int      dtypes[GE_CUDA_MAX_OPERANDS];
  int64_t  elem[GE_CUDA_MAX_OPERANDS];
  int64_t  numel;
  int64_t  sizes[GE_CUDA_MAX_DIMS];
  int64_t  strides[GE_CUDA_MAX_OPERANDS][GE_CUDA_MAX_DIMS];
  char    *data[GE_CUDA_MAX_OPERANDS];
  int      is_scalar[GE_CUDA_MAX_OPERANDS];
  uint64_t scalar_bits[GE_CUDA_MAX_OPERANDS];
} GeCudaIter;

/* A reduction: output element o (row-major over the kept dims) reduces the
 * n_reduced elements r (row-major over the reduced dims) at
 * data + (kept offset of o + reduced offset of r) * element size. */
typedef struct
{
  int         dtype;
  int         n_kept;
  int         n_reduced_dims;
  int64_t     kept_sizes[GE_CUDA_MAX_DIMS];
  int64_t     kept_strides[GE_CUDA_MAX_DIMS];
  int64_t     reduced_sizes[GE_CUDA_MAX_DIMS];
  int64_t     reduced_strides[GE_CUDA_MAX_DIMS];
  int64_t     n_out;
  int64_t     n_reduced;
  const char *data;
} GeCudaReduce;

/* Bytes of scratch memory a reduction needs (0: none). */
size_t ge_cuda_reduce_workspace_size (const GeCudaReduce *r);

int    ge_cuda_launch_pointwise      (const GeCudaIter   *it,
                                      GeCudaOp            op,
                                      const GeCudaParams *params);
/* sum or mean into @out (float32/float64 keep their dtype, int64/bool give
 * int64) */
int    ge_cuda_launch_sum            (const GeCudaReduce *r,
                                      int                 mean,
                                      void               *out,
                                      void               *workspace);
int    ge_cuda_launch_extremum       (const GeCudaReduce *r,
                                      int                 is_max,
                                      void               *out,
                                      void               *workspace);
int    ge_cuda_launch_arg_reduce     (const GeCudaReduce *r,
                                      int                 is_max,
                                      void               *values,
                                      int64_t            *indices,
                                      void               *workspace);

/* int64 products (no cuBLAS): c[batch][i][j] with wrap-around sums. */
typedef struct
{
  int            batch_ndim;
  int64_t        batch_sizes[GE_CUDA_MAX_DIMS];
  int64_t        a_batch_strides[GE_CUDA_MAX_DIMS];
  int64_t        b_batch_strides[GE_CUDA_MAX_DIMS];
  int64_t        batch;
  int64_t        m, n, k;
  const int64_t *a;
  int64_t        a_row_stride, a_col_stride;
  const int64_t *b;
  int64_t        b_row_stride, b_col_stride;
  int64_t       *c;
} GeCudaMatmulInt64;

int    ge_cuda_launch_matmul_int64   (const GeCudaMatmulInt64 *p);

/* Philox fill of @n contiguous float32 or float64 elements. */
int    ge_cuda_launch_random         (void               *data,
                                      int                 dtype,
                                      int64_t             n,
                                      int                 normal,
                                      double              a,
                                      double              b,
                                      uint64_t            seed,
                                      uint64_t            offset);

#ifdef __cplusplus
}
#endif
