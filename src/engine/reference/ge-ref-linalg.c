/* ge-ref-linalg.c - reference kernels for products and inverses (for tests) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-tensor-private.h"
#include "ge-ref-linalg.h"

/* Storage element of @t at its own multi-index @index. */
static const char *
element (const GeTensor *t,
         const gint64   *index)
{
  gint64 offset = t->offset;

  for (int d = 0; d < t->ndim; d++)
    offset += index[d] * t->strides[d];
  return (const char *) t->storage->data + offset * (gint64) ge_dtype_size (t->dtype);
}

/* The multi-index of @t for batch index @batch (of a @batch_ndim broadcast
 * batch, right-aligned; size-1 dims broadcast) and matrix entry (@row,
 * @col); a 1-D @t is a row (@as_row) or a column vector. */
static void
operand_index (const GeTensor *t,
               gboolean        as_row,
               int             batch_ndim,
               const gint64   *batch,
               gint64          row,
               gint64          col,
               gint64         *index)
{
  int t_batch = MAX (t->ndim - 2, 0);

  for (int d = 0; d < t_batch; d++)
    {
      int bd = d + (batch_ndim - t_batch);

      index[d] = t->sizes[d] == 1 ? 0 : batch[bd];
    }
  if (t->ndim == 1)
    index[0] = as_row ? col : row;
  else
    {
      index[t->ndim - 2] = row;
      index[t->ndim - 1] = col;
    }
}

GeTensor *
ge_ref_matmul (GeTensor  *a,
               GeTensor  *b,
               GError   **error)
{
  gint64 batch_sizes[GE_MAX_DIMS], out_sizes[GE_MAX_DIMS];
  gint64 batch[GE_MAX_DIMS] = { 0 };
  gint64 ia[GE_MAX_DIMS], ib[GE_MAX_DIMS];
  int batch_ndim, out_ndim;
  gint64 m, k, k2, n, n_batch;
  GeTensor *out;
  char *c;
  gsize elem;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (a->ndim == 0 || b->ndim == 0 || a->dtype != b->dtype || a->dtype == GE_DTYPE_BOOL)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "unsupported operands");
      return NULL;
    }

  m = a->ndim >= 2 ? a->sizes[a->ndim - 2] : 1;
  k = a->sizes[a->ndim - 1];
  k2 = b->ndim >= 2 ? b->sizes[b->ndim - 2] : b->sizes[0];
  n = b->ndim >= 2 ? b->sizes[b->ndim - 1] : 1;
  if (k != k2)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "inner sizes differ");
      return NULL;
    }
  if (!ge_broadcast_shapes (MAX (a->ndim - 2, 0), a->sizes, MAX (b->ndim - 2, 0), b->sizes,
                            &batch_ndim, batch_sizes, error))
    return NULL;

  out_ndim = batch_ndim;
  memcpy (out_sizes, batch_sizes, batch_ndim * sizeof (gint64));
  if (a->ndim > 1)
    out_sizes[out_ndim++] = m;
  if (b->ndim > 1)
    out_sizes[out_ndim++] = n;
  out = ge_tensor_new_contiguous (out_ndim, out_sizes, a->dtype, error);
  if (out == NULL)
    return NULL;

  c = ge_tensor_data_ptr (out);
  elem = ge_dtype_size (a->dtype);
  n_batch = ge_shape_numel (batch_ndim, batch_sizes);
  for (gint64 t = 0; t < n_batch; t++)
    {
      for (gint64 i = 0; i < m; i++)
        for (gint64 j = 0; j < n; j++)
          {
            double sum = 0.0;
            guint64 int_sum = 0;

            for (gint64 p = 0; p < k; p++)
              {
                const char *x, *y;

                operand_index (a, TRUE, batch_ndim, batch, i, p, ia);
                operand_index (b, FALSE, batch_ndim, batch, p, j, ib);
                x = element (a, ia);
                y = element (b, ib);
                if (a->dtype == GE_DTYPE_INT64)
                  int_sum += (guint64) *(const gint64 *) x * (guint64) *(const gint64 *) y;
                else
                  sum += ge_load_double (x, a->dtype) * ge_load_double (y, a->dtype);
              }
            if (a->dtype == GE_DTYPE_INT64)
              *(gint64 *) c = (gint64) int_sum;
            else
              ge_store_double (c, a->dtype, sum);
            c += elem;
          }

      for (int d = batch_ndim - 1; d >= 0; d--)
        {
          if (++batch[d] < batch_sizes[d])
            break;
          batch[d] = 0;
        }
    }
  return out;
}

GeTensor *
ge_ref_dot (GeTensor  *a,
            GeTensor  *b,
            GError   **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (a->ndim != 1 || b->ndim != 1)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "dot needs two vectors");
      return NULL;
    }
  return ge_ref_matmul (a, b, error);
}

GeTensor *
ge_ref_mv (GeTensor  *a,
           GeTensor  *b,
           GError   **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (a->ndim != 2 || b->ndim != 1)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "mv needs a matrix and a vector");
      return NULL;
    }
  return ge_ref_matmul (a, b, error);
}

GeTensor *
ge_ref_mm (GeTensor  *a,
           GeTensor  *b,
           GError   **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (a->ndim != 2 || b->ndim != 2)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "mm needs two matrices");
      return NULL;
    }
  return ge_ref_matmul (a, b, error);
}

GeTensor *
ge_ref_bmm (GeTensor  *a,
            GeTensor  *b,
            GError   **error)
{
  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (a->ndim != 3 || b->ndim != 3 || a->sizes[0] != b->sizes[0])
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "bmm needs two equal batches");
      return NULL;
    }
  return ge_ref_matmul (a, b, error);
}

/* Gauss-Jordan elimination on [A | I] with partial pivoting, in double. */
static gboolean
gauss_jordan (double *aug,
              gint64  n)
{
  gint64 w = 2 * n;

  for (gint64 col = 0; col < n; col++)
    {
      gint64 pivot = col;

      for (gint64 r = col + 1; r < n; r++)
        if (fabs (aug[r * w + col]) > fabs (aug[pivot * w + col]))
          pivot = r;
      if (aug[pivot * w + col] == 0.0)
        return FALSE;
      for (gint64 j = 0; j < w; j++)
        {
          double t = aug[col * w + j];
          aug[col * w + j] = aug[pivot * w + j];
          aug[pivot * w + j] = t;
        }

      {
        double p = aug[col * w + col];

        for (gint64 j = 0; j < w; j++)
          aug[col * w + j] /= p;
      }
      for (gint64 r = 0; r < n; r++)
        {
          double f = aug[r * w + col];

          if (r == col || f == 0.0)
            continue;
          for (gint64 j = 0; j < w; j++)
            aug[r * w + j] -= f * aug[col * w + j];
        }
    }
  return TRUE;
}

GeTensor *
ge_ref_linalg_inv (GeTensor  *self,
                   GError   **error)
{
  gint64 index[GE_MAX_DIMS] = { 0 };
  g_autofree double *aug = NULL;
  g_autoptr(GeTensor) out = NULL;
  gint64 n, n_batch;
  int batch_ndim;
  char *c;
  gsize elem;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->ndim < 2 || self->sizes[self->ndim - 1] != self->sizes[self->ndim - 2] ||
      !ge_dtype_is_floating (self->dtype))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "inv needs square float matrices");
      return NULL;
    }

  out = ge_tensor_new_contiguous (self->ndim, self->sizes, self->dtype, error);
  if (out == NULL)
    return NULL;
  n = self->sizes[self->ndim - 1];
  batch_ndim = self->ndim - 2;
  n_batch = ge_shape_numel (batch_ndim, self->sizes);
  aug = g_new (double, MAX (2 * n * n, 1));
  c = ge_tensor_data_ptr (out);
  elem = ge_dtype_size (self->dtype);

  for (gint64 t = 0; t < n_batch; t++)
    {
      for (gint64 i = 0; i < n; i++)
        for (gint64 j = 0; j < n; j++)
          {
            index[batch_ndim] = i;
            index[batch_ndim + 1] = j;
            aug[i * 2 * n + j] = ge_load_double (element (self, index), self->dtype);
            aug[i * 2 * n + n + j] = i == j ? 1.0 : 0.0;
          }
      if (!gauss_jordan (aug, n))
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "singular matrix");
          return NULL;
        }
      for (gint64 i = 0; i < n; i++)
        for (gint64 j = 0; j < n; j++)
          {
            ge_store_double (c, self->dtype, aug[i * 2 * n + n + j]);
            c += elem;
          }

      for (int d = batch_ndim - 1; d >= 0; d--)
        {
          if (++index[d] < self->sizes[d])
            break;
          index[d] = 0;
        }
    }
  return g_steal_pointer (&out);
}
