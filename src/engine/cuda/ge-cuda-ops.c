/* ge-cuda-ops.c - ops on CUDA tensors: kernel descriptors, cuBLAS products */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "../ge-device-private.h"
#include "ge-cuda-private.h"

/*
 * The engine's raw ops do their checks, type promotion and allocation as on
 * the CPU and hand over here only the part that touches memory: an
 * iteration laid out by ge_iter_init() (pointwise), a reduction's kept and
 * reduced dims, or a batch of products.  This file turns those into the
 * plain descriptors of ge-cuda-kernels.h and launches the kernels, or calls
 * cuBLAS.
 */

G_STATIC_ASSERT (GE_CUDA_DTYPE_BOOL == GE_DTYPE_BOOL);
G_STATIC_ASSERT (GE_CUDA_DTYPE_INT64 == GE_DTYPE_INT64);
G_STATIC_ASSERT (GE_CUDA_DTYPE_FLOAT32 == GE_DTYPE_FLOAT32);
G_STATIC_ASSERT (GE_CUDA_DTYPE_FLOAT64 == GE_DTYPE_FLOAT64);
G_STATIC_ASSERT (GE_CUDA_MAX_DIMS == GE_MAX_DIMS);
G_STATIC_ASSERT (GE_CUDA_MAX_OPERANDS == GE_ITER_MAX_OPERANDS);

/* ---- pointwise ---- */

gboolean
ge_cuda_pointwise (GeCudaOp             op,
                   GeDType              dtype,
                   int                  n_operands,
                   GeTensor           **operands,
                   int                  ndim,
                   const gint64        *sizes,
                   const GeCudaParams  *params,
                   GError             **error)
{
  GeCudaIter it;
  GeIter iter;
  gint64 numel = 1;

  g_return_val_if_fail (n_operands >= 1 && n_operands <= GE_ITER_MAX_OPERANDS, FALSE);
  g_return_val_if_fail (ge_tensor_get_device (operands[0]) == GE_DEVICE_CUDA, FALSE);

  memset (&it, 0, sizeof it);
  ge_iter_init (&iter, ndim, sizes, n_operands, operands);
  it.ndim = iter.ndim;
  it.n_operands = n_operands;
  for (int d = 0; d < iter.ndim; d++)
    {
      it.sizes[d] = iter.sizes[d];
      numel *= iter.sizes[d];
    }
  it.numel = numel;
  it.contiguous = iter.ndim <= 1;

  for (int k = 0; k < n_operands; k++)
    {
      GeTensor *t = operands[k];
      gsize elem = ge_dtype_size (t->dtype);

      it.dtypes[k] = t->dtype;
      it.elem[k] = elem;
      if (ge_tensor_get_device (t) == GE_DEVICE_CPU)
        {
          /* a CPU scalar (Python number): passed by value */
          g_return_val_if_fail (k > 0 && ge_tensor_numel (t) == 1, FALSE);
          it.is_scalar[k] = TRUE;
          memcpy (&it.scalar_bits[k], ge_tensor_data_ptr (t), elem);
          continue;
        }
      it.data[k] = iter.data[k];
      for (int d = 0; d < iter.ndim; d++)
        it.strides[k][d] = iter.strides[k][d];
      if (iter.ndim == 1 && iter.strides[k][0] != (gint64) elem)
        it.contiguous = FALSE;
    }

  return ge_cuda_check (ge_cuda_launch_pointwise (&it, op, params), error);
}

/* ---- reductions ---- */

/* Appends a dim to a row-major list, merged into the previous one when they
 * step evenly (strides in elements). */
static void
append_dim (int     *n,
            gint64  *sizes,
            gint64  *strides,
            gint64   size,
            gint64   stride)
{
  if (*n > 0 && strides[*n - 1] == stride * size)
    {
      sizes[*n - 1] *= size;
      strides[*n - 1] = stride;
      return;
    }
  sizes[*n] = size;
  strides[*n] = stride;
  (*n)++;
}

static void
describe_reduction (GeCudaReduce   *r,
                    GeTensor       *self,
                    const gboolean *reduced)
{
  memset (r, 0, sizeof *r);
  r->dtype = self->dtype;
  r->data = ge_tensor_data_ptr (self);
  r->n_out = 1;
  r->n_reduced = 1;
  for (int d = 0; d < self->ndim; d++)
    {
      gint64 size = self->sizes[d];

      if (reduced[d])
        r->n_reduced *= size;
      else
        r->n_out *= size;
      /* size-1 dims change no offset and no row-major position */
      if (size == 1)
        continue;
      if (reduced[d])
        append_dim (&r->n_reduced_dims, r->reduced_sizes, r->reduced_strides, size,
                    self->strides[d]);
      else
        append_dim (&r->n_kept, r->kept_sizes, r->kept_strides, size, self->strides[d]);
    }
}

/* Scratch memory from the caching allocator (NULL when none is needed). */
static gboolean
get_workspace (const GeCudaReduce  *r,
               gpointer            *workspace,
               GError             **error)
{
  gsize nbytes = ge_cuda_reduce_workspace_size (r);

  *workspace = NULL;
  if (nbytes == 0)
    return TRUE;
  *workspace = ge_device_alloc (nbytes, error);
  return *workspace != NULL;
}

GeTensor *
ge_cuda_sum_reduced (GeTensor       *self,
                     const gboolean *reduced,
                     int             out_ndim,
                     const gint64   *out_sizes,
                     gboolean        mean,
                     GError        **error)
{
  g_autoptr(GeTensor) out = NULL;
  GeDType out_dtype = ge_dtype_is_floating (self->dtype) ? self->dtype : GE_DTYPE_INT64;
  GeCudaReduce r;
  gpointer workspace;
  int code;

  out = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, out_ndim, out_sizes, out_dtype, error);
  if (out == NULL)
    return NULL;
  describe_reduction (&r, self, reduced);
  if (!get_workspace (&r, &workspace, error))
    return NULL;
  code = ge_cuda_launch_sum (&r, mean, ge_tensor_data_ptr (out), workspace);
  /* the stream runs in order: the block can be handed out again now */
  ge_device_free (workspace);
  if (!ge_cuda_check (code, error))
    return NULL;
  return g_steal_pointer (&out);
}

GeTensor *
ge_cuda_extremum_all (GeTensor  *self,
                      gboolean   is_max,
                      GError   **error)
{
  g_autoptr(GeTensor) out = NULL;
  gboolean reduced[GE_MAX_DIMS];
  GeCudaReduce r;
  gpointer workspace;
  int code;

  for (int d = 0; d < GE_MAX_DIMS; d++)
    reduced[d] = TRUE;
  out = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, 0, NULL, self->dtype, error);
  if (out == NULL)
    return NULL;
  describe_reduction (&r, self, reduced);
  if (!get_workspace (&r, &workspace, error))
    return NULL;
  code = ge_cuda_launch_extremum (&r, is_max, ge_tensor_data_ptr (out), workspace);
  ge_device_free (workspace);
  if (!ge_cuda_check (code, error))
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
ge_cuda_arg_reduce (GeTensor        *self,
                    const gboolean  *reduced,
                    gboolean         is_max,
                    int              out_ndim,
                    const gint64    *out_sizes,
                    GeTensor       **values_out,
                    GeTensor       **indices_out,
                    GError         **error)
{
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) indices = NULL;
  GeCudaReduce r;
  gpointer workspace;
  int code;

  values = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, out_ndim, out_sizes, self->dtype, error);
  if (values == NULL)
    return FALSE;
  indices = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, out_ndim, out_sizes, GE_DTYPE_INT64,
                                         error);
  if (indices == NULL)
    return FALSE;
  describe_reduction (&r, self, reduced);
  if (!get_workspace (&r, &workspace, error))
    return FALSE;
  code = ge_cuda_launch_arg_reduce (&r, is_max, ge_tensor_data_ptr (values),
                                    ge_tensor_data_ptr (indices), workspace);
  ge_device_free (workspace);
  if (!ge_cuda_check (code, error))
    return FALSE;
  *values_out = g_steal_pointer (&values);
  *indices_out = g_steal_pointer (&indices);
  return TRUE;
}

/* ---- products ---- */

static cublasHandle_t cublas_handle;

static gboolean
get_cublas (GError **error)
{
  static gsize initialized;
  static cublasStatus_t status;

  if (g_once_init_enter (&initialized))
    {
      status = cublasCreate (&cublas_handle);
      g_once_init_leave (&initialized, 1);
    }
  if (status != CUBLAS_STATUS_SUCCESS)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "CUDA error: %s when calling `cublasCreate(handle)`",
                   cublasGetStatusString (status));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_cublas (cublasStatus_t   status,
              const char      *call,
              GError         **error)
{
  if (status == CUBLAS_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "CUDA error: %s when calling `%s`",
               cublasGetStatusString (status), call);
  return FALSE;
}

static gboolean
fits_int (gint64 value)
{
  return value >= 0 && value <= G_MAXINT;
}

/* ge-linalg.c's blas_layout: can cuBLAS read the @rows x @cols matrix with
 * element strides @rs, @cs in place, row-major (*@transposed FALSE) or
 * column-major (TRUE), and with which leading dimension? */
static gboolean
blas_layout (gint64    rows,
             gint64    cols,
             gint64    rs,
             gint64    cs,
             gboolean *transposed,
             gint64   *ld)
{
  if ((cols == 1 || cs == 1) && (rows == 1 || rs >= MAX (cols, 1)))
    {
      *transposed = FALSE;
      *ld = rows == 1 ? MAX (cols, 1) : rs;
      return fits_int (*ld);
    }
  if ((rows == 1 || rs == 1) && (cols == 1 || cs >= MAX (rows, 1)))
    {
      *transposed = TRUE;
      *ld = cols == 1 ? MAX (rows, 1) : cs;
      return fits_int (*ld);
    }
  return FALSE;
}

/* One operand of a product: a batch of matrices. */
typedef struct
{
  const char *data;
  gint64      rows, cols;
  gint64      row_stride, col_stride;
  gint64      batch_strides[GE_MAX_DIMS];
  gboolean    transposed;
  gint64      ld;
  GeTensor   *dense;      /* a row-major copy when the layout is not one cuBLAS reads */
} Operand;

/* Copies the whole (broadcast) batch of @op into a contiguous row-major
 * buffer with the copy kernel, and describes that instead. */
static gboolean
densify (Operand                *op,
         const GeMatmulProblem  *p,
         GError                **error)
{
  gsize elem = ge_dtype_size (p->dtype);
  gint64 sizes[GE_MAX_DIMS + 2];
  GeCudaIter it;
  gint64 stride = op->rows * op->cols;
  int n = p->batch_ndim + 2;

  memcpy (sizes, p->batch_sizes, p->batch_ndim * sizeof (gint64));
  sizes[p->batch_ndim] = op->rows;
  sizes[p->batch_ndim + 1] = op->cols;
  if (n > GE_MAX_DIMS)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
                           "matmul with this many batch dimensions is not available on cuda "
                           "in Gradlab");
      return FALSE;
    }
  op->dense = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, n, sizes, p->dtype, error);
  if (op->dense == NULL)
    return FALSE;

  /* innermost first, as ge_iter lays it out; the output is dense */
  memset (&it, 0, sizeof it);
  it.n_operands = 2;
  it.ndim = n;
  it.numel = ge_tensor_numel (op->dense);
  for (int k = 0; k < 2; k++)
    {
      it.dtypes[k] = p->dtype;
      it.elem[k] = elem;
    }
  it.data[0] = ge_tensor_data_ptr (op->dense);
  it.data[1] = (char *) op->data;
  for (int d = 0; d < n; d++)
    {
      int src = n - 1 - d;

      it.sizes[d] = sizes[src];
      it.strides[0][d] = ge_tensor_get_strides (op->dense)[src] * elem;
      if (src == p->batch_ndim + 1)
        it.strides[1][d] = op->col_stride * elem;
      else if (src == p->batch_ndim)
        it.strides[1][d] = op->row_stride * elem;
      else
        it.strides[1][d] = op->batch_strides[src] * elem;
    }
  if (!ge_cuda_check (ge_cuda_launch_pointwise (&it, GE_CUDA_OP_COPY, NULL), error))
    return FALSE;

  op->data = ge_tensor_data_ptr (op->dense);
  op->row_stride = op->cols;
  op->col_stride = 1;
  for (int d = p->batch_ndim - 1; d >= 0; d--)
    {
      op->batch_strides[d] = p->batch_sizes[d] == 1 ? 0 : stride;
      stride *= p->batch_sizes[d];
    }
  op->transposed = FALSE;
  op->ld = MAX (op->cols, 1);
  return TRUE;
}

static gboolean
prepare_operand (Operand                *op,
                 const GeMatmulProblem  *p,
                 gboolean                is_a,
                 GError                **error)
{
  memset (op, 0, sizeof *op);
  op->data = is_a ? p->a : p->b;
  op->rows = is_a ? p->m : p->k;
  op->cols = is_a ? p->k : p->n;
  op->row_stride = is_a ? p->a_row_stride : p->b_row_stride;
  op->col_stride = is_a ? p->a_col_stride : p->b_col_stride;
  memcpy (op->batch_strides, is_a ? p->a_batch_strides : p->b_batch_strides,
          p->batch_ndim * sizeof (gint64));
  if (blas_layout (op->rows, op->cols, op->row_stride, op->col_stride, &op->transposed, &op->ld))
    return TRUE;
  return densify (op, p, error);
}

static gboolean
gemm_strided_batched (const GeMatmulProblem  *p,
                      const Operand          *a,
                      const Operand          *b,
                      gint64                  a_offset,
                      gint64                  b_offset,
                      gint64                  a_stride,
                      gint64                  b_stride,
                      char                   *c,
                      gint64                  count,
                      GError                **error)
{
  /* Row-major C = A B is column-major C^T = B^T A^T: a row-major operand
   * read column-major is its transpose already (CUBLAS_OP_N), a
   * column-major one needs CUBLAS_OP_T. */
  cublasOperation_t op_a = a->transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t op_b = b->transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  gint64 c_stride = p->m * p->n;
  cublasStatus_t status;

  if (p->dtype == GE_DTYPE_FLOAT32)
    {
      const float one = 1.0f, zero = 0.0f;

      status = cublasSgemmStridedBatched (cublas_handle, op_b, op_a, (int) p->n, (int) p->m,
                                          (int) p->k, &one,
                                          (const float *) b->data + b_offset, (int) b->ld, b_stride,
                                          (const float *) a->data + a_offset, (int) a->ld, a_stride,
                                          &zero, (float *) c, (int) MAX (p->n, 1), c_stride,
                                          (int) count);
      return check_cublas (status, "cublasSgemmStridedBatched", error);
    }
  else
    {
      const double one = 1.0, zero = 0.0;

      status = cublasDgemmStridedBatched (cublas_handle, op_b, op_a, (int) p->n, (int) p->m,
                                          (int) p->k, &one,
                                          (const double *) b->data + b_offset, (int) b->ld, b_stride,
                                          (const double *) a->data + a_offset, (int) a->ld, a_stride,
                                          &zero, (double *) c, (int) MAX (p->n, 1), c_stride,
                                          (int) count);
      return check_cublas (status, "cublasDgemmStridedBatched", error);
    }
}

static gboolean
matmul_float (const GeMatmulProblem  *p,
              GeTensor               *out,
              GError                **error)
{
  Operand a, b;
  gsize elem = ge_dtype_size (p->dtype);
  gint64 counter[GE_MAX_DIMS] = { 0 };
  gint64 count = 1, a_stride = 0, b_stride = 0;
  gint64 n_outer = 1, a_offset = 0, b_offset = 0;
  int inner;
  gboolean ok = FALSE;

  if (!fits_int (p->m) || !fits_int (p->n) || !fits_int (p->k))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "matmul on cuda: a dimension does not fit cuBLAS's int");
      return FALSE;
    }
  if (!get_cublas (error) || !prepare_operand (&a, p, TRUE, error))
    return FALSE;
  if (!prepare_operand (&b, p, FALSE, error))
    goto out;

  /* The innermost batch dims that step evenly in both operands go to one
   * strided-batched call; the rest are a loop. */
  inner = p->batch_ndim;
  while (inner > 0)
    {
      int d = inner - 1;
      gint64 size = p->batch_sizes[d];

      if (size != 1 && count > 1 &&
          (a.batch_strides[d] != a_stride * count || b.batch_strides[d] != b_stride * count))
        break;
      if (size != 1 && count == 1)
        {
          a_stride = a.batch_strides[d];
          b_stride = b.batch_strides[d];
        }
      if (count * size > G_MAXINT)
        break;
      count *= size;
      inner = d;
    }
  for (int d = 0; d < inner; d++)
    n_outer *= p->batch_sizes[d];

  for (gint64 i = 0; i < n_outer; i++)
    {
      char *c = (char *) ge_tensor_data_ptr (out) + i * count * p->m * p->n * (gint64) elem;

      if (!gemm_strided_batched (p, &a, &b, a_offset, b_offset, a_stride, b_stride, c, count,
                                 error))
        goto out;
      for (int d = inner - 1; d >= 0; d--)
        {
          a_offset += a.batch_strides[d];
          b_offset += b.batch_strides[d];
          if (++counter[d] < p->batch_sizes[d])
            break;
          a_offset -= a.batch_strides[d] * p->batch_sizes[d];
          b_offset -= b.batch_strides[d] * p->batch_sizes[d];
          counter[d] = 0;
        }
    }
  ok = TRUE;

out:
  /* queued work still reads the copies; freeing them only returns the
   * blocks to the cache, in stream order */
  g_clear_pointer (&a.dense, ge_tensor_unref);
  g_clear_pointer (&b.dense, ge_tensor_unref);
  return ok;
}

static gboolean
matmul_int64 (const GeMatmulProblem  *p,
              GeTensor               *out,
              GError                **error)
{
  GeCudaMatmulInt64 q;

  memset (&q, 0, sizeof q);
  q.batch_ndim = p->batch_ndim;
  memcpy (q.batch_sizes, p->batch_sizes, p->batch_ndim * sizeof (gint64));
  memcpy (q.a_batch_strides, p->a_batch_strides, p->batch_ndim * sizeof (gint64));
  memcpy (q.b_batch_strides, p->b_batch_strides, p->batch_ndim * sizeof (gint64));
  q.batch = ge_shape_numel (p->batch_ndim, p->batch_sizes);
  q.m = p->m;
  q.n = p->n;
  q.k = p->k;
  q.a = (const int64_t *) p->a;
  q.a_row_stride = p->a_row_stride;
  q.a_col_stride = p->a_col_stride;
  q.b = (const int64_t *) p->b;
  q.b_row_stride = p->b_row_stride;
  q.b_col_stride = p->b_col_stride;
  q.c = ge_tensor_data_ptr (out);
  return ge_cuda_check (ge_cuda_launch_matmul_int64 (&q), error);
}

gboolean
ge_cuda_matmul (const GeMatmulProblem  *p,
                GeTensor               *out,
                GError                **error)
{
  gint64 batch = ge_shape_numel (p->batch_ndim, p->batch_sizes);

  if (batch == 0 || p->m == 0 || p->n == 0)
    return TRUE;
  if (p->k == 0)
    return ge_cuda_backend_memset_zero (ge_tensor_data_ptr (out),
                                        batch * p->m * p->n * ge_dtype_size (p->dtype), error);
  if (p->dtype == GE_DTYPE_INT64)
    return matmul_int64 (p, out, error);
  return matmul_float (p, out, error);
}

/* ---- random ---- */

gboolean
ge_cuda_random_fill (GeTensor  *self,
                     gboolean   normal,
                     double     a,
                     double     b,
                     guint64    seed,
                     guint64    offset,
                     GError   **error)
{
  g_return_val_if_fail (ge_tensor_is_contiguous (self), FALSE);

  return ge_cuda_check (ge_cuda_launch_random (ge_tensor_data_ptr (self), self->dtype,
                                               ge_tensor_numel (self), normal, a, b, seed, offset),
                        error);
}
