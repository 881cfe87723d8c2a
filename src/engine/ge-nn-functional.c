/* ge-nn-functional.c - torch.nn.functional in C: addmm, linear, mse_loss, flatten */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <cblas.h>
#include <string.h>

#include "ge-nn.h"
#include "ge-autograd-private.h"
#include "ge-device-private.h"
#include "ge-ops-private.h"

/*
 * Same pattern as ge-functions.c: each op computes its value with grad mode
 * off (RAW), then records the node PyTorch 1.13 records.  Backward formulas
 * use differentiable ops, so create_graph gives second derivatives.
 */

#define RAW(expr) GE_NO_GRAD (expr)
#define TRY(expr) G_STMT_START { if ((expr) == NULL) return FALSE; } G_STMT_END

/*
 * For the tests only: when TRUE, addmm, mse_loss and the optimisers
 * (ge-optim.c) take their device code paths (generic engine ops) on the CPU
 * too, so that test-cuda-parity --self-check can compare them with the CPU
 * fast paths where there is no GPU.  Not in any header: the tests and
 * ge-optim.c declare it.
 */
gboolean ge_test_device_paths = FALSE;

/* ---- reductions by name ---- */

gboolean
ge_reduction_from_string (const char   *name,
                          GeReduction  *reduction,
                          GError      **error)
{
  g_return_val_if_fail (name != NULL && reduction != NULL, FALSE);

  if (g_str_equal (name, "none"))
    *reduction = GE_REDUCTION_NONE;
  else if (g_str_equal (name, "mean"))
    *reduction = GE_REDUCTION_MEAN;
  else if (g_str_equal (name, "sum"))
    *reduction = GE_REDUCTION_SUM;
  else
    {
      g_set_error (error, GE_ERROR, GE_ERROR_VALUE, "%s is not a valid value for reduction", name);
      return FALSE;
    }
  return TRUE;
}

const char *
ge_reduction_to_string (GeReduction reduction)
{
  switch (reduction)
    {
    case GE_REDUCTION_NONE: return "none";
    case GE_REDUCTION_SUM:  return "sum";
    case GE_REDUCTION_MEAN:
    default:                return "mean";
    }
}

/* ---- the gemm under addmm and mm ---- */

/* A matrix operand as addmm_impl_cpu_ sees it: sizes, strides, data (maybe
 * a contiguous copy that @owner keeps alive). */
typedef struct
{
  gint64     sizes[2];
  gint64     strides[2];
  char      *data;
  GeTensor  *owner;
} Matrix;

static gboolean
matrix_from (Matrix    *m,
             GeTensor  *t,
             gboolean   contiguous,
             GError   **error)
{
  GeTensor *src = contiguous ? RAW (ge_op_clone (t, error)) : ge_tensor_ref (t);

  if (src == NULL)
    return FALSE;
  g_clear_pointer (&m->owner, ge_tensor_unref);
  m->owner = src;
  m->sizes[0] = src->sizes[0], m->sizes[1] = src->sizes[1];
  if (contiguous)
    {
      /* PyTorch's contiguous strides (size-1 dims included) */
      m->strides[1] = 1;
      m->strides[0] = MAX (src->sizes[1], 1);
    }
  else
    m->strides[0] = src->strides[0], m->strides[1] = src->strides[1];
  m->data = ge_tensor_data_ptr (src);
  return TRUE;
}

static void
matrix_clear (Matrix *m)
{
  g_clear_pointer (&m->owner, ge_tensor_unref);
}

static gboolean
fits_int (gint64 v)
{
  return v >= 0 && v <= G_MAXINT;
}

/* A Python number of @dtype's category, as ATen passes alpha and beta. */
static GeTensor *
wrap_scalar (double   value,
             GeDType  dtype)
{
  return dtype == GE_DTYPE_INT64 ? ge_tensor_wrap_int ((gint64) value) : ge_tensor_wrap_double (value);
}

/*
 * The same on CUDA (or with any operand there): the product through
 * ge_op_mm (cuBLAS, or the int64 kernel), then result = beta * result +
 * alpha * product as in-place ops.  The roundings are cuBLAS's, not
 * OpenBLAS's; the parity suite's MATMUL tolerance covers them.
 */
static gboolean
gemm_into_on_device (GeTensor  *result,
                     GeTensor  *m1,
                     GeTensor  *m2,
                     double     beta,
                     double     alpha,
                     GError   **error)
{
  g_autoptr(GeTensor) product = NULL;

  if (!ge_device_check_same (3, (GeTensor *[]) { result, m1, m2 }, FALSE, NULL, error))
    return FALSE;
  if ((product = ge_op_mm (m1, m2, error)) == NULL)
    return FALSE;
  if (alpha != 1.0)
    {
      g_autoptr(GeTensor) a = wrap_scalar (alpha, result->dtype);

      if (!ge_op_mul_ (product, a, error))
        return FALSE;
    }
  if (beta == 0.0)
    return ge_op_copy_ (result, product, error);
  if (beta != 1.0)
    {
      g_autoptr(GeTensor) b = wrap_scalar (beta, result->dtype);

      if (!ge_op_mul_ (result, b, error))
        return FALSE;
    }
  return ge_op_add_ (result, product, error);
}

/*
 * result = beta * bias + alpha * (m1 @ m2) for a fresh contiguous result,
 * transcribing ATen 1.13's addmm_impl_cpu_ and cpublas::gemm: the same
 * choice of column-major operands, transposes and leading dimensions, so
 * that OpenBLAS is called exactly as PyTorch calls it (and rounds the same).
 * Operands on CUDA take gemm_into_on_device() instead.
 */
gboolean
ge_gemm_into (GeTensor  *result,
              GeTensor  *m1_t,
              GeTensor  *m2_t,
              double     beta,
              double     alpha,
              GError   **error)
{
  Matrix m1 = { { 0 } }, m2 = { { 0 } };
  gint64 r_sizes[2] = { result->sizes[0], result->sizes[1] };
  gint64 r_strides[2] = { MAX (result->sizes[1], 1), 1 };
  gboolean transpose_c, transpose_a, transpose_b, ok = TRUE;
  gint64 m, n, k, lda, ldb, ldc;
  GeDType dtype = result->dtype;

  if (ge_device_any_cuda (3, (GeTensor *[]) { result, m1_t, m2_t }))
    return gemm_into_on_device (result, m1_t, m2_t, beta, alpha, error);

  if (!matrix_from (&m1, m1_t, FALSE, error) || !matrix_from (&m2, m2_t, FALSE, error))
    {
      matrix_clear (&m1);
      matrix_clear (&m2);
      return FALSE;
    }

  if (r_strides[0] == 1 && (r_sizes[1] == 1 || r_strides[1] >= MAX (1, r_sizes[0])))
    transpose_c = FALSE;
  else
    {
      Matrix tmp = m1;
      m1 = m2;
      m2 = tmp;
      transpose_c = TRUE;
    }

  m = r_sizes[transpose_c ? 1 : 0];
  n = r_sizes[transpose_c ? 0 : 1];
  k = m1.sizes[transpose_c ? 0 : 1];

  if (m1.strides[transpose_c ? 1 : 0] == 1 && m1.strides[transpose_c ? 0 : 1] >= MAX (1, m))
    transpose_a = FALSE;
  else if (m1.strides[transpose_c ? 0 : 1] == 1 && m1.strides[transpose_c ? 1 : 0] >= MAX (1, k))
    transpose_a = TRUE;
  else
    {
      transpose_a = !transpose_c;
      ok = matrix_from (&m1, m1.owner, TRUE, error);
    }

  if (ok && m2.strides[transpose_c ? 1 : 0] == 1 && m2.strides[transpose_c ? 0 : 1] >= MAX (1, k))
    transpose_b = FALSE;
  else if (ok && m2.strides[transpose_c ? 0 : 1] == 1 && m2.strides[transpose_c ? 1 : 0] >= MAX (1, n))
    transpose_b = TRUE;
  else
    {
      transpose_b = !transpose_c;
      ok = ok && matrix_from (&m2, m2.owner, TRUE, error);
    }

  if (!ok)
    goto out;

  lda = m1.strides[transpose_a == transpose_c ? 1 : 0];
  ldb = m2.strides[transpose_b == transpose_c ? 1 : 0];
  ldc = r_strides[transpose_c ? 0 : 1];

  /* cpublas normalize_last_dims */
  if (n == 1)
    ldc = m;
  if (transpose_a)
    {
      if (m == 1)
        lda = k;
    }
  else if (k == 1)
    lda = m;
  if (transpose_b)
    {
      if (k == 1)
        ldb = n;
    }
  else if (n == 1)
    ldb = k;

  if (dtype == GE_DTYPE_INT64)
    {
      /* no BLAS for integers: column-major loops, wrapping like ATen */
      const gint64 *a = (const gint64 *) m1.data, *b = (const gint64 *) m2.data;
      gint64 *c = ge_tensor_data_ptr (result);
      guint64 ab = (guint64) (gint64) alpha, bb = (guint64) (gint64) beta;

      for (gint64 j = 0; j < n; j++)
        for (gint64 i = 0; i < m; i++)
          {
            guint64 s = 0;
            guint64 *cij = (guint64 *) &c[i + j * ldc];

            for (gint64 p = 0; p < k; p++)
              {
                guint64 av = (guint64) (transpose_a ? a[p + i * lda] : a[i + p * lda]);
                guint64 bv = (guint64) (transpose_b ? b[j + p * ldb] : b[p + j * ldb]);
                s += av * bv;
              }
            *cij = (bb == 0 ? 0 : bb * *cij) + ab * s;
          }
      goto out;
    }

  if (!fits_int (m) || !fits_int (n) || !fits_int (k) || !fits_int (lda) || !fits_int (ldb) ||
      !fits_int (ldc) || lda < MAX (1, transpose_a ? k : m) || ldb < MAX (1, transpose_b ? n : k) ||
      ldc < MAX (1, m))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
                           "matrices this large are not supported by Gradlab's addmm");
      ok = FALSE;
      goto out;
    }

  if (dtype == GE_DTYPE_FLOAT32)
    cblas_sgemm (CblasColMajor, transpose_a ? CblasTrans : CblasNoTrans,
                 transpose_b ? CblasTrans : CblasNoTrans, (int) m, (int) n, (int) k,
                 (float) alpha, (const float *) m1.data, (int) lda, (const float *) m2.data, (int) ldb,
                 (float) beta, ge_tensor_data_ptr (result), (int) ldc);
  else
    cblas_dgemm (CblasColMajor, transpose_a ? CblasTrans : CblasNoTrans,
                 transpose_b ? CblasTrans : CblasNoTrans, (int) m, (int) n, (int) k,
                 alpha, (const double *) m1.data, (int) lda, (const double *) m2.data, (int) ldb,
                 beta, ge_tensor_data_ptr (result), (int) ldc);

out:
  matrix_clear (&m1);
  matrix_clear (&m2);
  return ok;
}

/* addmm's checks (ATen's ADDMM_META, then the dispatch); @bias may be NULL
 * for mm, whose messages differ. */
static gboolean
check_matrices (GeTensor  *bias,
                GeTensor  *m1,
                GeTensor  *m2,
                GError   **error)
{
  if (bias != NULL)
    {
      if (bias->dtype != m2->dtype)
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "self and mat2 must have the same dtype");
          return FALSE;
        }
      if (m1->dtype != m2->dtype)
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "mat1 and mat2 must have the same dtype");
          return FALSE;
        }
      if (m1->ndim != 2 || m2->ndim != 2)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "%s must be a matrix, got %d-D tensor",
                       m1->ndim != 2 ? "mat1" : "mat2", m1->ndim != 2 ? m1->ndim : m2->ndim);
          return FALSE;
        }
    }
  else if (m1->ndim != 2 || m2->ndim != 2)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           m1->ndim != 2 ? "self must be a matrix" : "mat2 must be a matrix");
      return FALSE;
    }
  if (m1->sizes[1] != m2->sizes[0])
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "mat1 and mat2 shapes cannot be multiplied (%" G_GINT64_FORMAT "x%"
                   G_GINT64_FORMAT " and %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT ")",
                   m1->sizes[0], m1->sizes[1], m2->sizes[0], m2->sizes[1]);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_dispatch (GeTensor  *m1,
                GeTensor  *m2,
                GError   **error)
{
  if (m1->dtype == GE_DTYPE_BOOL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           ge_tensor_get_device (m1) == GE_DEVICE_CUDA
                           ? "\"addmm_cuda\" not implemented for 'Bool'"
                           : "\"addmm_impl_cpu_\" not implemented for 'Bool'");
      return FALSE;
    }
  if (m1->dtype != m2->dtype)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "expected scalar type %s but found %s",
                   ge_dtype_scalar_name (m1->dtype), ge_dtype_scalar_name (m2->dtype));
      return FALSE;
    }
  return TRUE;
}

/* The raw addmm (bias non-NULL) or mm (bias NULL). */
static GeTensor *
addmm_raw (GeTensor  *bias,
           GeTensor  *m1,
           GeTensor  *m2,
           double     beta,
           double     alpha,
           GError   **error)
{
  g_autoptr(GeTensor) result = NULL;
  gint64 sizes[2];
  GeDevice device;

  /* the device check comes first, as in ATen's generated wrappers */
  if (!ge_device_check_same (3, (GeTensor *[]) { bias, m1, m2 }, FALSE, &device, error) ||
      !check_matrices (bias, m1, m2, error))
    return NULL;
  sizes[0] = m1->sizes[0];
  sizes[1] = m2->sizes[1];

  if (bias != NULL)
    {
      g_autoptr(GeTensor) expanded = ge_op_expand (bias, 2, sizes, error);

      if (expanded == NULL || !check_dispatch (m1, m2, error))
        return NULL;
      if (beta != 0.0)
        {
          if ((result = ge_op_clone (expanded, error)) == NULL)
            return NULL;
          if (!ge_tensor_is_contiguous (result))
            {
              GeTensor *c = ge_op_contiguous (result, error);
              ge_tensor_unref (result);
              if ((result = c) == NULL)
                return NULL;
            }
        }
    }
  else
    {
      if (!check_dispatch (m1, m2, error))
        return NULL;
      beta = 0.0;
    }

  if (result == NULL && (result = ge_tensor_zeros_on (device, 2, sizes, m1->dtype, error)) == NULL)
    return NULL;
  if (ge_tensor_numel (result) == 0)
    return g_steal_pointer (&result);

  /* [a, 0] x [0, b]: nothing to multiply */
  if (m1->sizes[1] == 0)
    {
      if (beta != 1.0)
        {
          g_autoptr(GeTensor) b = wrap_scalar (beta, m1->dtype);

          if (!ge_op_mul_ (result, b, error))
            return NULL;
        }
      return g_steal_pointer (&result);
    }

  if (ge_test_device_paths ? !gemm_into_on_device (result, m1, m2, beta, alpha, error)
                            : !ge_gemm_into (result, m1, m2, beta, alpha, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* ---- AddmmBackward0 / MmBackward0 ---- */

/*
 * node->ints: [0] 1 when the node has a bias edge (addmm), 0 for mm;
 * [1], [2] the saved slots of mat1 and mat2 (-1: not saved); [3..6] mat1's
 * sizes and strides, [7..10] mat2's.  scalars: beta, alpha.
 */
enum { SLOT_MAT1 = 1, SLOT_MAT2 = 2, META_MAT1 = 3, META_MAT2 = 7 };

static GeTensor *mm_record (GeTensor *m1, GeTensor *m2, GError **error);

static GeTensor *
maybe_multiply (GeTensor  *t,
                double     s,
                GError   **error)
{
  g_autoptr(GeTensor) factor = NULL;

  if (s == 1.0)
    return ge_tensor_ref (t);
  factor = ge_tensor_wrap_double (s);
  return ge_tensor_mul (t, factor, error);
}

static gboolean
is_column_major (const GeNode *node,
                 int           meta)
{
  /* strides[0] == 1 && strides[1] == sizes[0] */
  return node->ints[meta + 2] == 1 && node->ints[meta + 3] == node->ints[meta];
}

static gboolean
addmm_backward (GeNode     *node,
                GeTensor  **g,
                GeTensor  **gi,
                GeTensor  **locals,
                GError    **error)
{
  int off = (int) node->ints[0];
  double beta = node->scalars[0], alpha = node->scalars[1];

  if (off == 1 && ge_node_needs_grad (node, 0))
    TRY (gi[0] = maybe_multiply (g[0], beta, error));

  if (ge_node_needs_grad (node, off))
    {
      /* mm_mat1_backward */
      g_autoptr(GeTensor) mat2 = NULL, p = NULL;

      TRY (mat2 = ge_node_unpack (node, (int) node->ints[SLOT_MAT2], error));
      if (is_column_major (node, META_MAT1))
        {
          g_autoptr(GeTensor) gt = NULL, q = NULL;
          TRY (gt = ge_tensor_t (g[0], error));
          TRY (q = mm_record (mat2, gt, error));
          TRY (p = ge_tensor_t (q, error));
        }
      else
        {
          g_autoptr(GeTensor) m2t = NULL;
          TRY (m2t = ge_tensor_t (mat2, error));
          TRY (p = mm_record (g[0], m2t, error));
        }
      TRY (gi[off] = maybe_multiply (p, alpha, error));
    }

  if (ge_node_needs_grad (node, off + 1))
    {
      /* mm_mat2_backward */
      g_autoptr(GeTensor) mat1 = NULL, p = NULL;

      TRY (mat1 = ge_node_unpack (node, (int) node->ints[SLOT_MAT1], error));
      if (is_column_major (node, META_MAT2))
        {
          g_autoptr(GeTensor) gt = NULL, q = NULL;
          TRY (gt = ge_tensor_t (g[0], error));
          TRY (q = mm_record (gt, mat1, error));
          TRY (p = ge_tensor_t (q, error));
        }
      else
        {
          g_autoptr(GeTensor) m1t = NULL;
          TRY (m1t = ge_tensor_t (mat1, error));
          TRY (p = mm_record (m1t, g[0], error));
        }
      TRY (gi[off + 1] = maybe_multiply (p, alpha, error));
    }
  return TRUE;
}

static GeTensor *
record_addmm (GeTensor  *out,
              GeTensor  *bias,
              GeTensor  *m1,
              GeTensor  *m2,
              double     beta,
              double     alpha)
{
  GeTensor *inputs[3] = { bias, m1, m2 };
  int off = bias != NULL ? 1 : 0;
  GeNode *node;

  if (out == NULL || !ge_autograd_should_record (3 - (1 - off), inputs + (1 - off)))
    return out;
  node = ge_node_new (off ? "AddmmBackward0" : "MmBackward0", addmm_backward, 2 + off,
                      inputs + (1 - off), 1);
  ge_node_set_output (node, 0, out);
  node->scalars[0] = beta;
  node->scalars[1] = alpha;
  node->ints[0] = off;
  node->ints[SLOT_MAT1] = node->ints[SLOT_MAT2] = -1;
  if (ge_node_needs_grad (node, off + 1))
    {
      node->ints[SLOT_MAT1] = node->n_saved;
      ge_node_save (node, m1);
    }
  if (ge_node_needs_grad (node, off))
    {
      node->ints[SLOT_MAT2] = node->n_saved;
      ge_node_save (node, m2);
    }
  for (int i = 0; i < 2; i++)
    {
      node->ints[META_MAT1 + i] = m1->sizes[i];
      node->ints[META_MAT1 + 2 + i] = m1->strides[i];
      node->ints[META_MAT2 + i] = m2->sizes[i];
      node->ints[META_MAT2 + 2 + i] = m2->strides[i];
    }
  ge_node_unref (node);
  return out;
}

/* mm with ATen's gemm call (never gemv), recorded as MmBackward0. */
static GeTensor *
mm_record (GeTensor  *m1,
           GeTensor  *m2,
           GError   **error)
{
  return record_addmm (RAW (addmm_raw (NULL, m1, m2, 0.0, 1.0, error)), NULL, m1, m2, 0.0, 1.0);
}

GeTensor *
ge_tensor_addmm (GeTensor  *bias,
                 GeTensor  *mat1,
                 GeTensor  *mat2,
                 double     beta,
                 double     alpha,
                 GError   **error)
{
  g_return_val_if_fail (bias != NULL && mat1 != NULL && mat2 != NULL, NULL);

  return record_addmm (RAW (addmm_raw (bias, mat1, mat2, beta, alpha, error)),
                       bias, mat1, mat2, beta, alpha);
}

/* ---- linear ---- */

static gboolean
squeeze3_backward (GeNode     *node,
                   GeTensor  **g,
                   GeTensor  **gi,
                   GeTensor  **locals,
                   GError    **error)
{
  TRY (gi[0] = ge_tensor_unsqueeze (g[0], (int) node->ints[0], error));
  return TRUE;
}

/* at::matmul's squeeze_(0) after a 1-D @ 2-D product: SqueezeBackward3.
 * The result takes over @self's place (in place in PyTorch), so it is not
 * marked as a view. */
static GeTensor *
squeeze_inplace_dim0 (GeTensor  *self,
                      GError   **error)
{
  GeTensor *out = RAW (ge_op_squeeze_dim (self, 0, error));
  GeNode *node;

  if (out == NULL || !ge_autograd_should_record (1, &self))
    return out;
  node = ge_node_new ("SqueezeBackward3", squeeze3_backward, 1, &self, 1);
  ge_node_set_output (node, 0, out);
  node->ints[0] = 0;
  ge_node_unref (node);
  return out;
}

static gboolean
unsafe_view_backward (GeNode     *node,
                      GeTensor  **g,
                      GeTensor  **gi,
                      GeTensor  **locals,
                      GError    **error)
{
  const GeTensorMeta *in = &node->input_meta[0];

  TRY (gi[0] = ge_tensor_reshape (g[0], in->ndim, in->sizes, error));
  return TRUE;
}

/* at::_unsafe_view: a reshape that autograd does not treat as a view. */
static GeTensor *
unsafe_view (GeTensor      *self,
             int            ndim,
             const gint64  *shape,
             GError       **error)
{
  GeTensor *out = RAW (ge_op_reshape (self, ndim, shape, error));
  GeNode *node;

  if (out == NULL || !ge_autograd_should_record (1, &self))
    return out;
  node = ge_node_new ("UnsafeViewBackward0", unsafe_view_backward, 1, &self, 1);
  ge_node_set_output (node, 0, out);
  ge_node_unref (node);
  return out;
}

/* at::matmul's should_fold for a >= 3-D @ 2-D product. */
static gboolean
should_fold (const GeTensor *t)
{
  if (t->ndim == 3 && t->strides[2] != 1 && t->strides[0] == t->sizes[1] * t->sizes[2])
    return FALSE;
  return t->ndim >= 3;
}

/* matmul(input, wt) for a 2-D @wt, as at::matmul composes it. */
static GeTensor *
linear_matmul (GeTensor  *input,
               GeTensor  *wt,
               GError   **error)
{
  int nd = input->ndim;

  if (wt->ndim != 2 || nd == 0 || (nd >= 3 && !should_fold (input)))
    return ge_tensor_matmul (input, wt, error);
  if (nd == 1)
    {
      g_autoptr(GeTensor) row = NULL, p = NULL;

      if ((row = ge_tensor_unsqueeze (input, 0, error)) == NULL ||
          (p = mm_record (row, wt, error)) == NULL)
        return NULL;
      return squeeze_inplace_dim0 (p, error);
    }
  if (nd == 2)
    return mm_record (input, wt, error);

  {
    gint64 folded[2], out_shape[GE_MAX_DIMS];
    g_autoptr(GeTensor) flat = NULL, p = NULL;

    folded[0] = 1;
    for (int d = 0; d < nd - 1; d++)
      {
        out_shape[d] = input->sizes[d];
        folded[0] *= input->sizes[d];
      }
    folded[1] = input->sizes[nd - 1];
    out_shape[nd - 1] = wt->sizes[1];
    if ((flat = ge_tensor_reshape (input, 2, folded, error)) == NULL ||
        (p = mm_record (flat, wt, error)) == NULL)
      return NULL;
    return unsafe_view (p, nd, out_shape, error);
  }
}

GeTensor *
ge_tensor_linear (GeTensor  *input,
                  GeTensor  *weight,
                  GeTensor  *bias,
                  GError   **error)
{
  g_autoptr(GeTensor) wt = NULL;
  g_autoptr(GeTensor) out = NULL;

  g_return_val_if_fail (input != NULL && weight != NULL, NULL);

  if ((wt = ge_tensor_t (weight, error)) == NULL)
    return NULL;

  if (input->ndim == 2 && bias != NULL)
    return ge_tensor_addmm (bias, input, wt, 1.0, 1.0, error);

  if (bias != NULL && input->ndim == 3 && ge_tensor_is_contiguous (input))
    {
      /* _flatten_3d_linear: view to 2-D, addmm, view back */
      gint64 flat_shape[2] = { -1, input->sizes[2] };
      gint64 out_shape[3];
      g_autoptr(GeTensor) flat = NULL, r = NULL;

      if ((flat = ge_tensor_view (input, 2, flat_shape, error)) == NULL ||
          (r = ge_tensor_addmm (bias, flat, wt, 1.0, 1.0, error)) == NULL)
        return NULL;
      out_shape[0] = input->sizes[0];
      out_shape[1] = input->sizes[1];
      out_shape[2] = r->sizes[1];
      return ge_tensor_view (r, 3, out_shape, error);
    }

  if ((out = linear_matmul (input, wt, error)) == NULL)
    return NULL;
  if (bias != NULL && !ge_tensor_add_ (out, bias, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* ---- mse_loss ---- */

/* Both on the CPU, contiguous, of one floating dtype and one shape: the
 * fused loops below apply.  Anything on CUDA takes the generic ops (sub,
 * mul, sum, div), which dispatch to the device and check the devices. */
static gboolean
dense_pair (const GeTensor *a,
            const GeTensor *b)
{
  return !ge_test_device_paths &&
         ge_tensor_get_device (a) == GE_DEVICE_CPU && ge_tensor_get_device (b) == GE_DEVICE_CPU &&
         a->dtype == b->dtype && ge_dtype_is_floating (a->dtype) && a->ndim == b->ndim &&
         memcmp (a->sizes, b->sizes, sizeof (gint64) * a->ndim) == 0 &&
         ge_tensor_is_contiguous (a) && ge_tensor_is_contiguous (b);
}

/* (a - b) * (a - b) in one pass, rounding as the two ops would. */
static GeTensor *
squared_difference (GeTensor  *a,
                    GeTensor  *b,
                    GError   **error)
{
  GeTensor *out = ge_tensor_empty (a->ndim, a->sizes, a->dtype, error);
  gint64 n = ge_tensor_numel (a);

  if (out == NULL)
    return NULL;
  if (a->dtype == GE_DTYPE_FLOAT32)
    {
      const float *pa = ge_tensor_data_ptr (a), *pb = ge_tensor_data_ptr (b);
      float *po = ge_tensor_data_ptr (out);

      for (gint64 i = 0; i < n; i++)
        {
          float d = pa[i] - pb[i];
          po[i] = d * d;
        }
    }
  else
    {
      const double *pa = ge_tensor_data_ptr (a), *pb = ge_tensor_data_ptr (b);
      double *po = ge_tensor_data_ptr (out);

      for (gint64 i = 0; i < n; i++)
        {
          double d = pa[i] - pb[i];
          po[i] = d * d;
        }
    }
  return out;
}

/* The loss itself, as ATen computes it: (a - b) * (a - b) elementwise in
 * the promoted dtype, then sum, or sum divided by numel. */
static GeTensor *
mse_raw (GeTensor     *a,
         GeTensor     *b,
         GeReduction   reduction,
         GError      **error)
{
  GeTensor *operands[2] = { a, b };
  GeDType dtype = ge_result_type (2, operands);
  g_autoptr(GeTensor) diff = NULL, sq = NULL, total = NULL, n = NULL;

  if (!ge_dtype_is_floating (dtype))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "\"%s\" not implemented for '%s'",
                   ge_device_any_cuda (2, operands) ? "mse_cuda" : "mse_cpu",
                   ge_dtype_scalar_name (dtype));
      return NULL;
    }
  if (dense_pair (a, b))
    {
      if ((sq = squared_difference (a, b, error)) == NULL)
        return NULL;
    }
  else if ((diff = ge_op_sub (a, b, error)) == NULL || (sq = ge_op_mul (diff, diff, error)) == NULL)
    return NULL;
  if (reduction == GE_REDUCTION_NONE)
    return g_steal_pointer (&sq);
  if ((total = ge_op_sum (sq, error)) == NULL)
    return NULL;
  if (reduction == GE_REDUCTION_SUM)
    return g_steal_pointer (&total);
  n = ge_tensor_wrap_int (ge_tensor_numel (sq));
  return ge_op_div (total, n, error);
}

/* mse_backward_cpu_kernel's loop: (norm * (self - target)) * grad, with
 * @grad one value or one per element. */
#define DEFINE_MSE_GRAD_LOOP(name, T)                                          \
GE_SIMD_CLONES static void                                                     \
name (const T *self,                                                           \
      const T *target,                                                         \
      const T *grad,                                                           \
      gboolean grad_is_scalar,                                                 \
      T        norm,                                                           \
      T       *out,                                                            \
      gint64   n)                                                              \
{                                                                              \
  /* two loops, so that each vectorises */                                     \
  if (grad_is_scalar)                                                          \
    {                                                                          \
      const T g = grad[0];                                                     \
      for (gint64 i = 0; i < n; i++)                                           \
        out[i] = (norm * (self[i] - target[i])) * g;                           \
    }                                                                          \
  else                                                                         \
    for (gint64 i = 0; i < n; i++)                                             \
      out[i] = (norm * (self[i] - target[i])) * grad[i];                       \
}

DEFINE_MSE_GRAD_LOOP (mse_grad_float, float)
DEFINE_MSE_GRAD_LOOP (mse_grad_double, double)

/* mse_loss_backward(grad, self, target): norm * (self - target) * grad. */
static GeTensor *
mse_grad (GeTensor    *grad,
          GeTensor    *self,
          GeTensor    *target,
          double       norm,
          GeTensor   **local,
          GError     **error)
{
  g_autoptr(GeTensor) diff = NULL, scaled = NULL, factor = ge_tensor_wrap_double (norm);

  /* one pass when nothing is recorded (no create_graph, no stepping) */
  if (local == NULL && !ge_grad_mode_is_enabled () && dense_pair (self, target) &&
      ge_tensor_get_device (grad) == GE_DEVICE_CPU && grad->dtype == self->dtype &&
      ge_tensor_is_contiguous (grad) &&
      (ge_tensor_numel (grad) == 1 || dense_pair (grad, self)))
    {
      GeTensor *out = ge_tensor_empty (self->ndim, self->sizes, self->dtype, error);
      gboolean scalar = ge_tensor_numel (grad) == 1 && ge_tensor_numel (self) != 1;

      if (out == NULL)
        return NULL;
      if (self->dtype == GE_DTYPE_FLOAT32)
        mse_grad_float (ge_tensor_data_ptr (self), ge_tensor_data_ptr (target), ge_tensor_data_ptr (grad),
                        scalar, (float) norm, ge_tensor_data_ptr (out), ge_tensor_numel (self));
      else
        mse_grad_double (ge_tensor_data_ptr (self), ge_tensor_data_ptr (target), ge_tensor_data_ptr (grad),
                         scalar, norm, ge_tensor_data_ptr (out), ge_tensor_numel (self));
      return out;
    }

  if ((diff = ge_tensor_sub (self, target, error)) == NULL ||
      (scaled = ge_tensor_mul (factor, diff, error)) == NULL)
    return NULL;
  if (local != NULL)
    *local = ge_tensor_ref (scaled);
  return ge_tensor_mul (scaled, grad, error);
}

static gboolean
mse_backward (GeNode     *node,
              GeTensor  **g,
              GeTensor  **gi,
              GeTensor  **locals,
              GError    **error)
{
  g_autoptr(GeTensor) self = NULL, target = NULL;
  GeReduction reduction = (GeReduction) node->ints[0];
  double norm;

  TRY (self = ge_node_unpack (node, 0, error));
  TRY (target = ge_node_unpack (node, 1, error));
  norm = reduction == GE_REDUCTION_MEAN ? 2.0 / (double) ge_tensor_numel (self) : 2.0;
  if (ge_node_needs_grad (node, 0))
    TRY (gi[0] = mse_grad (g[0], self, target, norm, locals ? &locals[0] : NULL, error));
  if (ge_node_needs_grad (node, 1))
    TRY (gi[1] = mse_grad (g[0], target, self, norm, locals ? &locals[1] : NULL, error));
  return TRUE;
}

/* broadcast_tensors: @t itself when it has the shape, else an expand. */
static GeTensor *
broadcast_to (GeTensor      *t,
              int            ndim,
              const gint64  *sizes,
              GError       **error)
{
  if (t->ndim == ndim && memcmp (t->sizes, sizes, sizeof (gint64) * ndim) == 0)
    return ge_tensor_ref (t);
  return ge_tensor_expand (t, ndim, sizes, error);
}

GeTensor *
ge_tensor_mse_loss (GeTensor     *input,
                    GeTensor     *target,
                    GeReduction   reduction,
                    GError      **error)
{
  gint64 sizes[GE_MAX_DIMS];
  int ndim;
  g_autoptr(GeTensor) ei = NULL, et = NULL;
  GeTensor *inputs[2];
  GeTensor *out;
  GeNode *node;

  g_return_val_if_fail (input != NULL && target != NULL, NULL);
  g_return_val_if_fail (reduction == GE_REDUCTION_NONE || reduction == GE_REDUCTION_MEAN ||
                        reduction == GE_REDUCTION_SUM, NULL);

  if (!ge_broadcast_shapes (input->ndim, input->sizes, target->ndim, target->sizes,
                            &ndim, sizes, error))
    return NULL;
  if ((ei = broadcast_to (input, ndim, sizes, error)) == NULL ||
      (et = broadcast_to (target, ndim, sizes, error)) == NULL)
    return NULL;

  out = RAW (mse_raw (ei, et, reduction, error));
  inputs[0] = ei, inputs[1] = et;
  if (out == NULL || !ge_autograd_should_record (2, inputs))
    return out;
  node = ge_node_new ("MseLossBackward0", mse_backward, 2, inputs, 1);
  ge_node_set_output (node, 0, out);
  node->ints[0] = reduction;
  ge_node_save (node, ei);
  ge_node_save (node, et);
  ge_node_unref (node);
  return out;
}

char *
ge_mse_loss_size_warning (const GeTensor *input,
                          const GeTensor *target)
{
  g_autofree char *in = NULL, *tg = NULL;

  g_return_val_if_fail (input != NULL && target != NULL, NULL);

  if (input->ndim == target->ndim &&
      memcmp (input->sizes, target->sizes, sizeof (gint64) * input->ndim) == 0)
    return NULL;
  in = ge_shape_to_string (input->sizes, input->ndim);
  tg = ge_shape_to_string (target->sizes, target->ndim);
  return g_strdup_printf ("Using a target size (torch.Size(%s)) that is different to the input "
                          "size (torch.Size(%s)). This will likely lead to incorrect results due "
                          "to broadcasting. Please ensure they have the same size.", tg, in);
}

/* ---- flatten ---- */

GeTensor *
ge_tensor_flatten (GeTensor  *self,
                   int        start_dim,
                   int        end_dim,
                   GError   **error)
{
  gint64 shape[GE_MAX_DIMS];
  int n = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (!ge_normalize_dim (&start_dim, self->ndim, error) ||
      !ge_normalize_dim (&end_dim, self->ndim, error))
    return NULL;
  if (start_dim > end_dim)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "flatten() has invalid args: start_dim cannot come after end_dim");
      return NULL;
    }
  if (self->ndim == 0)
    {
      gint64 one = 1;
      return ge_tensor_reshape (self, 1, &one, error);
    }
  if (start_dim == end_dim)
    return ge_tensor_ref (self);

  for (int d = 0; d < start_dim; d++)
    shape[n++] = self->sizes[d];
  shape[n] = 1;
  for (int d = start_dim; d <= end_dim; d++)
    shape[n] *= self->sizes[d];
  n++;
  for (int d = end_dim + 1; d < self->ndim; d++)
    shape[n++] = self->sizes[d];
  return ge_tensor_reshape (self, n, shape, error);
}
