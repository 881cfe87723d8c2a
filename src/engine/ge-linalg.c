/* ge-linalg.c - dot, mv, mm, bmm and matmul through OpenBLAS; linalg.inv by LU */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "ge-device-private.h"
#include "ge-tensor-private.h"
#include "ge-ops-private.h"

/*
 * Every product is one problem: a (broadcast) batch of M x K times K x N
 * matrices, each operand described by its batch strides and its row and
 * column strides in elements, written into a new contiguous tensor.  The
 * float kernels hand each matrix to BLAS in place, as row-major (NoTrans) or
 * column-major (Trans) according to which stride is 1, and copy only
 * operands that are neither.  The checks before it follow torch.matmul's
 * dispatch step by step, so that every error reads as PyTorch 1.13's.
 */

/* dtype, the broadcast batch (sizes, a's and b's strides), m, n, k, and
 * each operand's data with its row and column strides; shared with the
 * CUDA backend (cuda/ge-cuda.h), which computes it with cuBLAS. */
typedef GeMatmulProblem MatmulProblem;

/* Whether the product in progress may use dot/gemv: only when the right
 * operand is a vector (dot, mv), as ATen (the engine runs on one thread). */
static gboolean product_vector_ok;


static void
set_memory_error (GError **error,
                  gint64   nbytes)
{
  g_set_error (error, GE_ERROR, GE_ERROR_MEMORY,
               "DefaultCPUAllocator: not enough memory: you tried to allocate %"
               G_GINT64_FORMAT " bytes.", nbytes);
}

static gboolean
fits_blas_int (gint64 value)
{
  return value >= 0 && value <= G_MAXINT;
}

/* Whether BLAS can read the @rows x @cols matrix with element strides @rs,
 * @cs in place: row-major (*@transposed FALSE) or column-major (TRUE), and
 * the leading dimension to pass.  Strides of size-1 dims do not matter. */
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
      return fits_blas_int (*ld);
    }
  if ((rows == 1 || rs == 1) && (cols == 1 || cs >= MAX (rows, 1)))
    {
      *transposed = TRUE;
      *ld = cols == 1 ? MAX (rows, 1) : cs;
      return fits_blas_int (*ld);
    }
  return FALSE;
}

/* BLAS kernels for one float or double product C = A B, C row-major with
 * leading dimension @ldc.  M, N, K >= 1 and fit a BLAS int.  As in ATen,
 * dot and gemv serve only products with a vector operand (@vector_ok: dot,
 * mv); mm, bmm and matmul of matrices always call gemm, even when a side is
 * 1 -- the kernels round differently, and PyTorch's digits follow gemm. */
#define DEFINE_BLAS_PRODUCT(name, T, gemm, gemv, dot)                          \
static T *                                                                     \
name##_dense_copy (const T *src,                                               \
                   gint64   rows,                                              \
                   gint64   cols,                                              \
                   gint64   rs,                                                \
                   gint64   cs,                                                \
                   GError **error)                                             \
{                                                                              \
  T *dst = g_try_new (T, rows * cols);                                         \
                                                                               \
  if (dst == NULL)                                                             \
    {                                                                          \
      set_memory_error (error, rows * cols * (gint64) sizeof (T));             \
      return NULL;                                                             \
    }                                                                          \
  for (gint64 i = 0; i < rows; i++)                                            \
    for (gint64 j = 0; j < cols; j++)                                          \
      dst[i * cols + j] = src[i * rs + j * cs];                                \
  return dst;                                                                  \
}                                                                              \
                                                                               \
/* A matrix in a layout BLAS reads: itself, or a row-major copy. */            \
static gboolean                                                                \
name##_operand (const T   *src,                                                \
                gint64     rows,                                               \
                gint64     cols,                                               \
                gint64     rs,                                                 \
                gint64     cs,                                                 \
                const T  **out,                                                \
                T        **copy,                                               \
                gboolean  *transposed,                                         \
                gint64    *ld,                                                 \
                GError   **error)                                              \
{                                                                              \
  if (blas_layout (rows, cols, rs, cs, transposed, ld))                        \
    {                                                                          \
      *out = src;                                                              \
      return TRUE;                                                             \
    }                                                                          \
  *copy = name##_dense_copy (src, rows, cols, rs, cs, error);                  \
  *out = *copy;                                                                \
  *transposed = FALSE;                                                         \
  *ld = cols;                                                                  \
  return *copy != NULL;                                                        \
}                                                                              \
                                                                               \
/* A vector with a positive increment BLAS accepts: itself, or a copy. */      \
static gboolean                                                                \
name##_vector (const T   *src,                                                 \
               gint64     n,                                                   \
               gint64     stride,                                              \
               const T  **out,                                                 \
               T        **copy,                                                \
               gint64    *inc,                                                 \
               GError   **error)                                               \
{                                                                              \
  if (n == 1 || (stride > 0 && fits_blas_int (stride)))                        \
    {                                                                          \
      *out = src;                                                              \
      *inc = n == 1 ? 1 : stride;                                              \
      return TRUE;                                                             \
    }                                                                          \
  *copy = name##_dense_copy (src, n, 1, stride, 0, error);                     \
  *out = *copy;                                                                \
  *inc = 1;                                                                    \
  return *copy != NULL;                                                        \
}                                                                              \
                                                                               \
static gboolean                                                                \
name (gint64   m,                                                              \
      gint64   n,                                                              \
      gint64   k,                                                              \
      const T *a,                                                              \
      gint64   a_rs,                                                           \
      gint64   a_cs,                                                           \
      const T *b,                                                              \
      gint64   b_rs,                                                           \
      gint64   b_cs,                                                           \
      T       *c,                                                              \
      gint64   ldc,                                                            \
      gboolean vector_ok,                                                      \
      GError **error)                                                          \
{                                                                              \
  g_autofree T *a_copy = NULL;                                                 \
  g_autofree T *b_copy = NULL;                                                 \
  const T *a_use, *b_use;                                                      \
  gboolean a_trans, b_trans;                                                   \
  gint64 lda, ldb, inca, incb;                                                 \
                                                                               \
  if (vector_ok && m == 1 && n == 1)                                           \
    {                                                                          \
      if (!name##_vector (a, k, a_cs, &a_use, &a_copy, &inca, error) ||        \
          !name##_vector (b, k, b_rs, &b_use, &b_copy, &incb, error))          \
        return FALSE;                                                          \
      c[0] = dot (k, a_use, inca, b_use, incb);                                \
    }                                                                          \
  else if (vector_ok && n == 1)                                                \
    {                                                                          \
      /* c (stride ldc) = A x */                                               \
      if (!name##_operand (a, m, k, a_rs, a_cs, &a_use, &a_copy, &a_trans, &lda, error) || \
          !name##_vector (b, k, b_rs, &b_use, &b_copy, &incb, error))          \
        return FALSE;                                                          \
      if (!a_trans)                                                            \
        gemv (CblasRowMajor, CblasNoTrans, m, k, 1, a_use, lda, b_use, incb, 0, c, ldc); \
      else                                                                     \
        gemv (CblasRowMajor, CblasTrans, k, m, 1, a_use, lda, b_use, incb, 0, c, ldc); \
    }                                                                          \
  else if (vector_ok && m == 1)                                                \
    {                                                                          \
      /* c = B^T a */                                                          \
      if (!name##_operand (b, k, n, b_rs, b_cs, &b_use, &b_copy, &b_trans, &ldb, error) || \
          !name##_vector (a, k, a_cs, &a_use, &a_copy, &inca, error))          \
        return FALSE;                                                          \
      if (!b_trans)                                                            \
        gemv (CblasRowMajor, CblasTrans, k, n, 1, b_use, ldb, a_use, inca, 0, c, 1); \
      else                                                                     \
        gemv (CblasRowMajor, CblasNoTrans, n, k, 1, b_use, ldb, a_use, inca, 0, c, 1); \
    }                                                                          \
  else                                                                         \
    {                                                                          \
      if (!name##_operand (a, m, k, a_rs, a_cs, &a_use, &a_copy, &a_trans, &lda, error) || \
          !name##_operand (b, k, n, b_rs, b_cs, &b_use, &b_copy, &b_trans, &ldb, error)) \
        return FALSE;                                                          \
      gemm (CblasRowMajor, a_trans ? CblasTrans : CblasNoTrans,                \
            b_trans ? CblasTrans : CblasNoTrans,                               \
            m, n, k, 1, a_use, lda, b_use, ldb, 0, c, ldc);                    \
    }                                                                          \
  return TRUE;                                                                 \
}

DEFINE_BLAS_PRODUCT (product_float, float, cblas_sgemm, cblas_sgemv, cblas_sdot)
DEFINE_BLAS_PRODUCT (product_double, double, cblas_dgemm, cblas_dgemv, cblas_ddot)

/* int64 has no BLAS: i-k-j loops (the inner one contiguous in C), wrapping
 * on overflow like PyTorch. */
static void
product_int64 (gint64        m,
               gint64        n,
               gint64        k,
               const gint64 *a,
               gint64        a_rs,
               gint64        a_cs,
               const gint64 *b,
               gint64        b_rs,
               gint64        b_cs,
               gint64       *c,
               gint64        ldc)
{
  for (gint64 i = 0; i < m; i++)
    {
      guint64 *row = (guint64 *) (c + i * ldc);

      for (gint64 j = 0; j < n; j++)
        row[j] = 0;
      for (gint64 p = 0; p < k; p++)
        {
          guint64 aip = (guint64) a[i * a_rs + p * a_cs];
          const gint64 *brow = b + p * b_rs;

          for (gint64 j = 0; j < n; j++)
            row[j] += aip * (guint64) brow[j * b_cs];
        }
    }
}

/* Sizes beyond a BLAS int (never met in practice): plain loops, summing in
 * double. */
#define DEFINE_LOOP_PRODUCT(name, T)                                          \
static void                                                                   \
name (gint64   m,                                                             \
      gint64   n,                                                             \
      gint64   k,                                                             \
      const T *a,                                                             \
      gint64   a_rs,                                                          \
      gint64   a_cs,                                                          \
      const T *b,                                                             \
      gint64   b_rs,                                                          \
      gint64   b_cs,                                                          \
      T       *c,                                                             \
      gint64   ldc)                                                           \
{                                                                             \
  for (gint64 i = 0; i < m; i++)                                              \
    for (gint64 j = 0; j < n; j++)                                            \
      {                                                                       \
        double s = 0.0;                                                       \
                                                                              \
        for (gint64 p = 0; p < k; p++)                                        \
          s += (double) a[i * a_rs + p * a_cs] * (double) b[p * b_rs + j * b_cs]; \
        c[i * ldc + j] = (T) s;                                               \
      }                                                                       \
}

DEFINE_LOOP_PRODUCT (loop_product_float, float)
DEFINE_LOOP_PRODUCT (loop_product_double, double)

/* One product of the batch into @c (row-major, leading dimension @ldc). */
static gboolean
product_one (GeDType      dtype,
             gint64       m,
             gint64       n,
             gint64       k,
             const char  *a,
             gint64       a_rs,
             gint64       a_cs,
             const char  *b,
             gint64       b_rs,
             gint64       b_cs,
             char        *c,
             gint64       ldc,
             gboolean     vector_ok,
             GError     **error)
{
  gboolean blas_ok = fits_blas_int (m) && fits_blas_int (n) && fits_blas_int (k) &&
                     fits_blas_int (ldc);

  switch (dtype)
    {
    case GE_DTYPE_FLOAT32:
      if (blas_ok)
        return product_float (m, n, k, (const float *) a, a_rs, a_cs,
                              (const float *) b, b_rs, b_cs, (float *) c, ldc, vector_ok, error);
      loop_product_float (m, n, k, (const float *) a, a_rs, a_cs,
                          (const float *) b, b_rs, b_cs, (float *) c, ldc);
      return TRUE;
    case GE_DTYPE_FLOAT64:
      if (blas_ok)
        return product_double (m, n, k, (const double *) a, a_rs, a_cs,
                               (const double *) b, b_rs, b_cs, (double *) c, ldc, vector_ok, error);
      loop_product_double (m, n, k, (const double *) a, a_rs, a_cs,
                           (const double *) b, b_rs, b_cs, (double *) c, ldc);
      return TRUE;
    case GE_DTYPE_INT64:
      product_int64 (m, n, k, (const gint64 *) a, a_rs, a_cs,
                     (const gint64 *) b, b_rs, b_cs, (gint64 *) c, ldc);
      return TRUE;
    case GE_DTYPE_BOOL:
    default:
      g_return_val_if_reached (FALSE);
    }
}

/* When B is the same matrix for every batch element and A's batch dims
 * continue its rows evenly, the whole batch is one (batch * M) x K product
 * (what PyTorch calls folding).  Sets the folded row count and stride. */
static gboolean
fold_batch_into_rows (const MatmulProblem *p,
                      gint64              *rows,
                      gint64              *row_stride)
{
  gint64 expected = p->m > 1 ? p->a_row_stride * p->m : -1;
  gint64 stride = p->a_row_stride;
  gint64 total = p->m;

  for (int d = p->batch_ndim - 1; d >= 0; d--)
    {
      gint64 size = p->batch_sizes[d];

      if (size == 1)
        continue;
      if (p->b_batch_strides[d] != 0)
        return FALSE;
      if (expected < 0)
        {
          stride = p->a_batch_strides[d];
          expected = stride * size;
        }
      else if (p->a_batch_strides[d] != expected)
        return FALSE;
      else
        expected *= size;
      total *= size;
    }
  *rows = total;
  *row_stride = stride;
  return TRUE;
}

/* Computes @p into @out, a contiguous tensor of batch x M x N elements. */
static gboolean
matmul_compute (const MatmulProblem *p,
                GeTensor            *out,
                GError             **error)
{
  gint64 counter[GE_MAX_DIMS] = { 0 };
  gsize elem = ge_dtype_size (p->dtype);
  char *c = ge_tensor_data_ptr (out);
  gint64 batch = ge_shape_numel (p->batch_ndim, p->batch_sizes);
  gint64 ldc = MAX (p->n, 1);
  gint64 a_offset = 0, b_offset = 0;
  gint64 rows, row_stride;

  if (ge_tensor_get_device (out) == GE_DEVICE_CUDA)
    return ge_cuda_matmul (p, out, error);
  if (batch == 0 || p->m == 0 || p->n == 0)
    return TRUE;
  if (p->k == 0)
    {
      memset (c, 0, batch * p->m * p->n * elem);
      return TRUE;
    }

  if (batch > 1 && fold_batch_into_rows (p, &rows, &row_stride))
    return product_one (p->dtype, rows, p->n, p->k, p->a, row_stride, p->a_col_stride,
                        p->b, p->b_row_stride, p->b_col_stride, c, ldc, product_vector_ok, error);

  for (gint64 i = 0; i < batch; i++)
    {
      if (!product_one (p->dtype, p->m, p->n, p->k,
                        p->a + a_offset * (gint64) elem, p->a_row_stride, p->a_col_stride,
                        p->b + b_offset * (gint64) elem, p->b_row_stride, p->b_col_stride,
                        c + i * p->m * p->n * (gint64) elem, ldc, product_vector_ok, error))
        return FALSE;
      if (batch > 1 && !ge_check_interrupt (error))
        return FALSE;

      for (int d = p->batch_ndim - 1; d >= 0; d--)
        {
          a_offset += p->a_batch_strides[d];
          b_offset += p->b_batch_strides[d];
          if (++counter[d] < p->batch_sizes[d])
            break;
          a_offset -= p->a_batch_strides[d] * p->batch_sizes[d];
          b_offset -= p->b_batch_strides[d] * p->batch_sizes[d];
          counter[d] = 0;
        }
    }
  return TRUE;
}

/* Describes operand @t as a batch of matrices: a 1-D @t is a row (1 x K)
 * when @as_row, else a column (K x 1); its batch dims align to the right of
 * the problem's. */
static void
describe_operand (const GeTensor *t,
                  gboolean        as_row,
                  int             batch_ndim,
                  const gint64   *batch_sizes,
                  gint64         *batch_strides,
                  gint64         *row_stride,
                  gint64         *col_stride)
{
  int t_batch = MAX (t->ndim - 2, 0);

  for (int d = 0; d < batch_ndim; d++)
    {
      int td = d - (batch_ndim - t_batch);

      batch_strides[d] = td >= 0 && t->sizes[td] == batch_sizes[d] && t->sizes[td] != 1
                         ? t->strides[td] : 0;
    }

  if (t->ndim == 1)
    {
      *row_stride = as_row ? 0 : t->strides[0];
      *col_stride = as_row ? t->strides[0] : 0;
    }
  else
    {
      *row_stride = t->strides[t->ndim - 2];
      *col_stride = t->strides[t->ndim - 1];
    }
}

/* Runs a @a @b product with @batch_ndim broadcast batch dims, the result
 * shaped @out_ndim, @out_sizes. */
static GeTensor *
matmul_run (GeTensor      *a,
            GeTensor      *b,
            int            batch_ndim,
            const gint64  *batch_sizes,
            int            out_ndim,
            const gint64  *out_sizes,
            GError       **error)
{
  g_autoptr(GeTensor) out = NULL;
  MatmulProblem p;
  GeDevice device;

  if (!ge_device_check_same (2, (GeTensor *[]) { a, b }, FALSE, &device, error))
    return NULL;
  p.dtype = a->dtype;
  p.batch_ndim = batch_ndim;
  if (batch_ndim > 0)
    memcpy (p.batch_sizes, batch_sizes, batch_ndim * sizeof (gint64));
  p.m = a->ndim >= 2 ? a->sizes[a->ndim - 2] : 1;
  p.k = a->sizes[a->ndim - 1];
  p.n = b->ndim >= 2 ? b->sizes[b->ndim - 1] : 1;
  p.a = ge_tensor_data_ptr (a);
  p.b = ge_tensor_data_ptr (b);
  describe_operand (a, TRUE, batch_ndim, batch_sizes, p.a_batch_strides,
                    &p.a_row_stride, &p.a_col_stride);
  describe_operand (b, FALSE, batch_ndim, batch_sizes, p.b_batch_strides,
                    &p.b_row_stride, &p.b_col_stride);

  out = ge_tensor_new_contiguous_on (device, out_ndim, out_sizes, a->dtype, error);
  if (out == NULL)
    return NULL;
  product_vector_ok = b->ndim == 1;
  if (!matmul_compute (&p, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* ---- PyTorch's checks ---- */

static gboolean
check_not_bool (const GeTensor  *t,
                const char      *kernel,
                GError         **error)
{
  if (t->dtype == GE_DTYPE_BOOL)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "\"%s\" not implemented for 'Bool'", kernel);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_same_dtype (const GeTensor  *expected,
                  const GeTensor  *found,
                  GError         **error)
{
  if (expected->dtype != found->dtype)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "expected scalar type %s but found %s",
                   ge_dtype_scalar_name (expected->dtype),
                   ge_dtype_scalar_name (found->dtype));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_dot (const GeTensor  *a,
           const GeTensor  *b,
           GError         **error)
{
  if (a->ndim != 1 || b->ndim != 1)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "1D tensors expected, but got %dD and %dD tensors", a->ndim, b->ndim);
      return FALSE;
    }
  if (a->dtype != b->dtype)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "dot : expected both vectors to have same dtype, but found %s and %s",
                   ge_dtype_scalar_name (a->dtype), ge_dtype_scalar_name (b->dtype));
      return FALSE;
    }
  if (a->sizes[0] != b->sizes[0])
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "inconsistent tensor size, expected tensor [%" G_GINT64_FORMAT "] and src [%"
                   G_GINT64_FORMAT "] to have the same number of elements, but got %"
                   G_GINT64_FORMAT " and %" G_GINT64_FORMAT " elements respectively",
                   a->sizes[0], b->sizes[0], a->sizes[0], b->sizes[0]);
      return FALSE;
    }
  return check_not_bool (a, "dot", error);
}

/* addmv's checks for an @rows x @cols matrix (of @mat's dtype) times @vec. */
static gboolean
check_mv_sizes (const GeTensor  *mat,
                gint64           rows,
                gint64           cols,
                const GeTensor  *vec,
                GError         **error)
{
  if (cols != vec->sizes[0])
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "size mismatch, got %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "x%"
                   G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
                   rows, rows, cols, vec->sizes[0]);
      return FALSE;
    }
  return check_not_bool (mat, "addmv_impl_cpu", error) && check_same_dtype (mat, vec, error);
}

static gboolean
check_mv (const GeTensor  *a,
          const GeTensor  *b,
          GError         **error)
{
  if (a->ndim != 2 || b->ndim != 1)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "vector + matrix @ vector expected, got 1, %d, %d", a->ndim, b->ndim);
      return FALSE;
    }
  return check_mv_sizes (a, a->sizes[0], a->sizes[1], b, error);
}

/* mm's checks for (@a_rows x @a_cols) times (@b_rows x @b_cols). */
static gboolean
check_mm_sizes (const GeTensor  *a,
                gint64           a_rows,
                gint64           a_cols,
                const GeTensor  *b,
                gint64           b_rows,
                gint64           b_cols,
                GError         **error)
{
  if (a_cols != b_rows)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "mat1 and mat2 shapes cannot be multiplied (%" G_GINT64_FORMAT "x%"
                   G_GINT64_FORMAT " and %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ")",
                   a_rows, a_cols, b_rows, b_cols);
      return FALSE;
    }
  return check_not_bool (a, "addmm_impl_cpu_", error) && check_same_dtype (a, b, error);
}

static gboolean
check_mm (const GeTensor  *a,
          const GeTensor  *b,
          GError         **error)
{
  if (a->ndim != 2)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "self must be a matrix");
      return FALSE;
    }
  if (b->ndim != 2)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "mat2 must be a matrix");
      return FALSE;
    }
  return check_mm_sizes (a, a->sizes[0], a->sizes[1], b, b->sizes[0], b->sizes[1], error);
}

/* bmm's checks for batch x n x m1 times batch2 x m2 x p. */
static gboolean
check_bmm_sizes (const GeTensor  *a,
                 gint64           batch,
                 gint64           m1,
                 const GeTensor  *b,
                 gint64           batch2,
                 gint64           m2,
                 GError         **error)
{
  if (batch != batch2 || m1 != m2)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "Expected size for first two dimensions of batch2 tensor to be: [%"
                   G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] but got: [%" G_GINT64_FORMAT
                   ", %" G_GINT64_FORMAT "].", batch, m1, batch2, m2);
      return FALSE;
    }
  return check_not_bool (a, "bmm", error) && check_same_dtype (a, b, error);
}

/* ---- public products ---- */

GeTensor *
ge_op_dot (GeTensor  *a,
               GeTensor  *b,
               GError   **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (!check_dot (a, b, error))
    return NULL;
  return matmul_run (a, b, 0, NULL, 0, NULL, error);
}

GeTensor *
ge_op_mv (GeTensor  *a,
              GeTensor  *b,
              GError   **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (!check_mv (a, b, error))
    return NULL;
  return matmul_run (a, b, 0, NULL, 1, a->sizes, error);
}

GeTensor *
ge_op_mm (GeTensor  *a,
              GeTensor  *b,
              GError   **error)
{
  gint64 sizes[2];

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (!check_mm (a, b, error))
    return NULL;
  sizes[0] = a->sizes[0];
  sizes[1] = b->sizes[1];
  /* floats on the CPU: OpenBLAS called as ATen's mm calls it */
  if (ge_dtype_is_floating (a->dtype) && ge_tensor_get_device (a) == GE_DEVICE_CPU &&
      ge_tensor_get_device (b) == GE_DEVICE_CPU && sizes[0] > 0 && sizes[1] > 0)
    {
      g_autoptr(GeTensor) out = ge_tensor_zeros (2, sizes, a->dtype, error);
      if (out == NULL || !ge_gemm_into (out, a, b, 0.0, 1.0, error))
        return NULL;
      return g_steal_pointer (&out);
    }
  return matmul_run (a, b, 0, NULL, 2, sizes, error);
}

GeTensor *
ge_op_bmm (GeTensor  *a,
               GeTensor  *b,
               GError   **error)
{
  gint64 sizes[3];

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (a->ndim != 3 || b->ndim != 3)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           a->ndim != 3 ? "batch1 must be a 3D tensor"
                                        : "batch2 must be a 3D tensor");
      return NULL;
    }
  if (!check_bmm_sizes (a, a->sizes[0], a->sizes[2], b, b->sizes[0], b->sizes[1], error))
    return NULL;
  sizes[0] = a->sizes[0];
  sizes[1] = a->sizes[1];
  sizes[2] = b->sizes[2];
  return matmul_run (a, b, 1, sizes, 3, sizes, error);
}

/* PyTorch 1.13's should_fold(): can @t (>= 3-D) be multiplied with a
 * 1-D or 2-D operand by folding its batch into rows?  Not when it is a 3-D
 * batch of transposed matrices against a matrix (bmm handles that without
 * a copy). */
static gboolean
should_fold (const GeTensor *t,
             int             other_ndim)
{
  if (t->ndim < 3 || (other_ndim != 1 && other_ndim != 2))
    return FALSE;
  return !(t->ndim == 3 && other_ndim == 2 && t->strides[2] != 1 &&
           t->strides[0] == t->sizes[1] * t->sizes[2]);
}

GeTensor *
ge_op_matmul (GeTensor  *a,
                  GeTensor  *b,
                  GError   **error)
{
  int da, db;
  int batch_ndim, out_ndim = 0;
  gint64 batch_sizes[GE_MAX_DIMS];
  gint64 out_sizes[GE_MAX_DIMS];
  gint64 n, m1, m2, p;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  da = a->ndim;
  db = b->ndim;
  if (da == 0 || db == 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "both arguments to matmul need to be at least 1D, but they are %dD and %dD",
                   da, db);
      return NULL;
    }

  if (da == 1 && db == 1)
    return ge_op_dot (a, b, error);
  if (da == 2 && db == 1)
    return ge_op_mv (a, b, error);
  if (da == 2 && db == 2)
    return ge_op_mm (a, b, error);
  if (da == 1 && db == 2)
    {
      /* a.unsqueeze(0).mm(b).squeeze(0) */
      if (!check_mm_sizes (a, 1, a->sizes[0], b, b->sizes[0], b->sizes[1], error))
        return NULL;
      return matmul_run (a, b, 0, NULL, 1, &b->sizes[1], error);
    }

  n = da > 1 ? a->sizes[da - 2] : 1;
  m1 = a->sizes[da - 1];
  m2 = db > 1 ? b->sizes[db - 2] : b->sizes[0];
  p = db > 1 ? b->sizes[db - 1] : 1;

  if (should_fold (a, db))
    {
      /* a folded to (batch * n) x m1, then mm or mv with b */
      gint64 rows = ge_shape_numel (da - 1, a->sizes);

      if (db == 2 ? !check_mm_sizes (a, rows, m1, b, m2, p, error)
                  : !check_mv_sizes (a, rows, m1, b, error))
        return NULL;
      batch_ndim = da - 2;
      memcpy (batch_sizes, a->sizes, batch_ndim * sizeof (gint64));
    }
  else if (should_fold (b, da))
    {
      /* b.mT folded to (batch * p) x m2, times a.t() (or a) */
      gint64 rows = ge_shape_numel (db - 2, b->sizes) * p;

      if (da == 2 ? !check_mm_sizes (b, rows, m2, a, m1, n, error)
                  : !check_mv_sizes (b, rows, m2, a, error))
        return NULL;
      batch_ndim = db - 2;
      memcpy (batch_sizes, b->sizes, batch_ndim * sizeof (gint64));
    }
  else
    {
      /* both expanded to broadcast batch dims, reshaped to 3-D, bmm */
      if (!ge_broadcast_shapes (MAX (da - 2, 0), a->sizes, MAX (db - 2, 0), b->sizes,
                                &batch_ndim, batch_sizes, error))
        return NULL;
      {
        gint64 batch = ge_shape_numel (batch_ndim, batch_sizes);

        if (!check_bmm_sizes (a, batch, m1, b, batch, m2, error))
          return NULL;
      }
    }

  memcpy (out_sizes, batch_sizes, batch_ndim * sizeof (gint64));
  out_ndim = batch_ndim;
  if (da > 1)
    out_sizes[out_ndim++] = n;
  if (db > 1)
    out_sizes[out_ndim++] = p;
  return matmul_run (a, b, batch_ndim, batch_sizes, out_ndim, out_sizes, error);
}

/* ---- linalg.inv ---- */

/*
 * Per matrix: LU factorisation with partial pivoting in the tensor's dtype,
 * computed as OpenBLAS's getf2 (behind PyTorch's getrf) does, column by
 * column (left-looking): each new entry is a_ij minus the dot product of
 * the finished L row and U column, accumulated first.  Keeping that order
 * makes the same matrices exactly singular ([[1,2,3],[4,5,6],[7,8,9]] in
 * float64 has a zero third pivot): the first zero pivot is the error.
 *
 * The factors live in column-major order (@lu[k * n + i] is entry (i, k)).
 * The inverse is then found transposed, which is the row-major result:
 * inv(A)^T = P^T L^-T U^-T, two BLAS trsm against the identity and the row
 * interchanges in reverse.
 */
#define DEFINE_INVERSE(name, T, trsm, smallest_normal)                        \
/* Returns 0, or the 1-based index of the first zero pivot. */                \
static gint64                                                                 \
name (T      *lu,                                                             \
      T      *out,                                                            \
      T      *temp,                                                           \
      gint64  n,                                                              \
      gint64 *pivots)                                                         \
{                                                                             \
  for (gint64 j = 0; j < n; j++)                                              \
    {                                                                         \
      T *b = lu + j * n;                                                      \
      gint64 p = j;                                                           \
      T max, pivot;                                                           \
                                                                              \
      /* U above the diagonal: b[i] -= L[i, :i] . b[:i] */                    \
      for (gint64 i = 1; i < j; i++)                                          \
        {                                                                     \
          T s = 0;                                                            \
                                                                              \
          for (gint64 k = 0; k < i; k++)                                      \
            s += lu[k * n + i] * b[k];                                        \
          b[i] -= s;                                                          \
        }                                                                     \
                                                                              \
      /* on and below: b[i] -= L[i, :j] . b[:j], the dots summed first */     \
      for (gint64 i = j; i < n; i++)                                          \
        temp[i] = 0;                                                          \
      for (gint64 k = 0; k < j; k++)                                          \
        {                                                                     \
          const T *column = lu + k * n;                                       \
          T bk = b[k];                                                        \
                                                                              \
          for (gint64 i = j; i < n; i++)                                      \
            temp[i] += column[i] * bk;                                        \
        }                                                                     \
      for (gint64 i = j; i < n; i++)                                          \
        b[i] -= temp[i];                                                      \
                                                                              \
      /* the first largest magnitude, as BLAS i?amax */                       \
      max = (T) fabs ((double) b[j]);                                         \
      for (gint64 i = j + 1; i < n; i++)                                      \
        if ((T) fabs ((double) b[i]) > max)                                   \
          {                                                                   \
            max = (T) fabs ((double) b[i]);                                   \
            p = i;                                                            \
          }                                                                   \
      pivots[j] = p;                                                          \
      if (b[p] == 0)                                                          \
        return j + 1;                                                         \
      if (p != j)                                                             \
        for (gint64 k = 0; k < n; k++)                                        \
          {                                                                   \
            T t = lu[k * n + j];                                              \
            lu[k * n + j] = lu[k * n + p];                                    \
            lu[k * n + p] = t;                                                \
          }                                                                   \
                                                                              \
      /* LAPACK scales by the reciprocal unless it would overflow */          \
      pivot = b[j];                                                           \
      if (fabs ((double) pivot) >= smallest_normal)                           \
        {                                                                     \
          T r = (T) 1 / pivot;                                                \
          for (gint64 i = j + 1; i < n; i++)                                  \
            b[i] *= r;                                                        \
        }                                                                     \
      else                                                                    \
        for (gint64 i = j + 1; i < n; i++)                                    \
          b[i] /= pivot;                                                      \
    }                                                                         \
                                                                              \
  memset (out, 0, n * n * sizeof (T));                                        \
  for (gint64 i = 0; i < n; i++)                                              \
    out[i * n + i] = 1;                                                       \
  trsm (CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit,       \
        n, n, 1, lu, n, out, n);                                              \
  trsm (CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasUnit,          \
        n, n, 1, lu, n, out, n);                                              \
  for (gint64 k = n - 1; k >= 0; k--)                                         \
    if (pivots[k] != k)                                                       \
      for (gint64 c = 0; c < n; c++)                                          \
        {                                                                     \
          T t = out[c * n + k];                                               \
          out[c * n + k] = out[c * n + pivots[k]];                            \
          out[c * n + pivots[k]] = t;                                         \
        }                                                                     \
  return 0;                                                                   \
}

DEFINE_INVERSE (inverse_float, float, cblas_strsm, FLT_MIN)
DEFINE_INVERSE (inverse_double, double, cblas_dtrsm, DBL_MIN)

GeTensor *
ge_op_linalg_inv (GeTensor  *self,
                      GError   **error)
{
  g_autoptr(GeTensor) out = NULL;
  g_autofree char *lu = NULL;
  g_autofree char *temp = NULL;
  g_autofree gint64 *pivots = NULL;
  gint64 counter[GE_MAX_DIMS] = { 0 };
  gint64 n, batch, in_offset = 0;
  int batch_ndim;
  gsize elem;
  const char *in;
  char *x;

  g_return_val_if_fail (self != NULL, NULL);

  /* no CUDA kernel: LU on the host */
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    return ge_device_host_linalg_inv (self, error);
  if (self->ndim < 2)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "linalg.inv: The input tensor A must have at least 2 dimensions.");
      return NULL;
    }
  if (self->sizes[self->ndim - 1] != self->sizes[self->ndim - 2])
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "linalg.inv: A must be batches of square matrices, but they are %"
                   G_GINT64_FORMAT " by %" G_GINT64_FORMAT " matrices",
                   self->sizes[self->ndim - 2], self->sizes[self->ndim - 1]);
      return NULL;
    }
  if (!ge_dtype_is_floating (self->dtype))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "linalg.inv: Expected a floating point or complex tensor as input. Got %s",
                   ge_dtype_scalar_name (self->dtype));
      return NULL;
    }

  out = ge_tensor_new_contiguous (self->ndim, self->sizes, self->dtype, error);
  if (out == NULL)
    return NULL;

  n = self->sizes[self->ndim - 1];
  batch_ndim = self->ndim - 2;
  batch = ge_shape_numel (batch_ndim, self->sizes);
  if (n == 0 || batch == 0)
    return g_steal_pointer (&out);
  if (!fits_blas_int (n))
    {
      set_memory_error (error, n * n * (gint64) ge_dtype_size (self->dtype));
      return NULL;
    }

  elem = ge_dtype_size (self->dtype);
  lu = g_try_malloc (n * n * elem);
  temp = g_try_malloc (n * elem);
  pivots = g_try_new (gint64, n);
  if (lu == NULL || temp == NULL || pivots == NULL)
    {
      set_memory_error (error, n * n * (gint64) elem);
      return NULL;
    }

  in = ge_tensor_data_ptr (self);
  x = ge_tensor_data_ptr (out);
  for (gint64 b = 0; b < batch; b++)
    {
      gint64 rs = self->strides[self->ndim - 2];
      gint64 cs = self->strides[self->ndim - 1];
      gint64 zero_pivot;

      if (self->dtype == GE_DTYPE_FLOAT32)
        {
          const float *src = (const float *) in + in_offset;
          float *dst = (float *) lu;

          for (gint64 j = 0; j < n; j++)
            for (gint64 i = 0; i < n; i++)
              dst[j * n + i] = src[i * rs + j * cs];
          zero_pivot = inverse_float (dst, (float *) x + b * n * n, (float *) temp, n, pivots);
        }
      else
        {
          const double *src = (const double *) in + in_offset;
          double *dst = (double *) lu;

          for (gint64 j = 0; j < n; j++)
            for (gint64 i = 0; i < n; i++)
              dst[j * n + i] = src[i * rs + j * cs];
          zero_pivot = inverse_double (dst, (double *) x + b * n * n, (double *) temp, n,
                                       pivots);
        }

      if (zero_pivot != 0)
        {
          g_autofree char *batch_prefix = NULL;

          if (batch_ndim > 0)
            batch_prefix = g_strdup_printf ("(Batch element %" G_GINT64_FORMAT "): ", b);
          g_set_error (error, GE_ERROR, GE_ERROR_LINALG,
                       "linalg.inv: %sThe diagonal element %" G_GINT64_FORMAT " is zero, the "
                       "inversion could not be completed because the input matrix is singular.",
                       batch_prefix != NULL ? batch_prefix : "", zero_pivot);
          return NULL;
        }
      if (batch > 1 && !ge_check_interrupt (error))
        return NULL;

      for (int d = batch_ndim - 1; d >= 0; d--)
        {
          in_offset += self->strides[d];
          if (++counter[d] < self->sizes[d])
            break;
          in_offset -= self->strides[d] * self->sizes[d];
          counter[d] = 0;
        }
    }

  return g_steal_pointer (&out);
}
