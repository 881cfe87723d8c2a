/* ge-cuda.h - the CUDA backend as the engine sees it (plain C, no CUDA headers) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "../ge-tensor-private.h"
#include "ge-cuda-kernels.h"

G_BEGIN_DECLS

/*
 * Two implementations provide these functions: the real backend
 * (ge-cuda-runtime.c, ge-cuda-ops.c and the .cu kernels), built when nvcc is
 * found, and ge-cuda-stubs.c otherwise.  Only ge-device.c and the dispatch
 * lines at the top of the raw ops call them, and only for tensors whose
 * storage is on GE_DEVICE_CUDA, which cannot exist unless
 * ge_cuda_is_available() said TRUE.
 */

/* One (broadcast) batch of M x K times K x N products: ge-linalg.c's
 * MatmulProblem, which is a typedef of it.  Strides are in elements; the
 * result is a contiguous batch x M x N tensor. */
typedef struct
{
  GeDType     dtype;
  int         batch_ndim;
  gint64      batch_sizes[GE_MAX_DIMS];
  gint64      a_batch_strides[GE_MAX_DIMS];
  gint64      b_batch_strides[GE_MAX_DIMS];
  gint64      m, n, k;
  const char *a;
  gint64      a_row_stride, a_col_stride;
  const char *b;
  gint64      b_row_stride, b_col_stride;
} GeMatmulProblem;

typedef enum
{
  GE_CUDA_COPY_HOST_TO_DEVICE,
  GE_CUDA_COPY_DEVICE_TO_HOST,
  GE_CUDA_COPY_DEVICE_TO_DEVICE,
} GeCudaCopyKind;

/* ---- runtime (ge-cuda-runtime.c) ---- */

/* FALSE in the stubs. */
gboolean  ge_cuda_backend_built          (void);
/* cudaGetDeviceCount.  On failure: FALSE, the CUDA error code and its
 * description (free it), and the driver version (0 when there is no
 * driver at all). */
gboolean  ge_cuda_backend_probe          (int            *count,
                                          int            *error_code,
                                          char          **error_text,
                                          int            *driver_version);
char     *ge_cuda_backend_device_name    (int             device);
gboolean  ge_cuda_backend_memory_info    (gsize          *free_bytes,
                                          gsize          *total_bytes);
gboolean  ge_cuda_backend_synchronize    (GError        **error);
/* Raw device memory (cudaMalloc; never managed memory).  NULL when the
 * device is out of memory. */
gpointer  ge_cuda_backend_malloc         (gsize           nbytes);
void      ge_cuda_backend_free           (gpointer        ptr);
gboolean  ge_cuda_backend_memcpy         (gpointer        dst,
                                          gconstpointer   src,
                                          gsize           nbytes,
                                          GeCudaCopyKind  kind,
                                          GError        **error);
gboolean  ge_cuda_backend_memset_zero    (gpointer        dst,
                                          gsize           nbytes,
                                          GError        **error);

/* ---- kernels on tensors (ge-cuda-ops.c) ---- */

/*
 * Runs @op over @operands (output first) broadcast to (@ndim, @sizes), as
 * ge_iter would on the CPU.  Operands are CUDA tensors, except 0-dim CPU
 * tensors, which are passed to the kernel by value (PyTorch's CPU scalars).
 * @dtype is the computation dtype (that of the inputs after conversion).
 */
gboolean  ge_cuda_pointwise              (GeCudaOp             op,
                                          GeDType              dtype,
                                          int                  n_operands,
                                          GeTensor           **operands,
                                          int                  ndim,
                                          const gint64        *sizes,
                                          const GeCudaParams  *params,
                                          GError             **error);
/* sum (or mean) of @self over @reduced into a new tensor of @out_sizes:
 * float32/float64 keep their dtype, int64/bool give int64. */
GeTensor *ge_cuda_sum_reduced            (GeTensor            *self,
                                          const gboolean      *reduced,
                                          int                  out_ndim,
                                          const gint64        *out_sizes,
                                          gboolean             mean,
                                          GError             **error);
/* max()/min() of all elements (numel > 0): a NaN anywhere gives NaN. */
GeTensor *ge_cuda_extremum_all           (GeTensor            *self,
                                          gboolean             is_max,
                                          GError             **error);
/* Best values and their indices over @reduced (PyTorch's CPU rule: the first
 * NaN wins, else the extreme value with the lowest index).  The index is
 * the row-major position within the reduced dims. */
gboolean  ge_cuda_arg_reduce             (GeTensor            *self,
                                          const gboolean      *reduced,
                                          gboolean             is_max,
                                          int                  out_ndim,
                                          const gint64        *out_sizes,
                                          GeTensor           **values,
                                          GeTensor           **indices,
                                          GError             **error);
/* @p's operands and @out on the device: cuBLAS for float32/float64. */
gboolean  ge_cuda_matmul                 (const GeMatmulProblem *p,
                                          GeTensor             *out,
                                          GError              **error);
/* Fills contiguous @self (float32/float64, on the device) from the Philox
 * stream (@seed, @offset): uniform on [@a, @b), or normal with mean @a and
 * standard deviation @b. */
gboolean  ge_cuda_random_fill            (GeTensor            *self,
                                          gboolean             normal,
                                          double               a,
                                          double               b,
                                          guint64              seed,
                                          guint64              offset,
                                          GError             **error);

G_END_DECLS
