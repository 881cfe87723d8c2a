/* ge-ref-reduce.c - reference kernels for the reductions (for tests) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-tensor-private.h"
#include "ge-ref-reduce.h"

/* An element's value: int64 and bool exactly in @i, floats in @d. */
typedef struct
{
  gint64 i;
  double d;
} Value;

static gboolean
is_integral (GeDType dtype)
{
  return dtype == GE_DTYPE_INT64 || dtype == GE_DTYPE_BOOL;
}

static Value
load (const GeTensor *t,
      const gint64   *index)
{
  gint64 offset = t->offset;
  const char *p;
  Value v = { 0, 0.0 };

  for (int d = 0; d < t->ndim; d++)
    offset += index[d] * t->strides[d];
  p = (const char *) t->storage->data + offset * (gint64) ge_dtype_size (t->dtype);

  switch (t->dtype)
    {
    case GE_DTYPE_BOOL:    v.i = *(const guint8 *) p ? 1 : 0; break;
    case GE_DTYPE_INT64:   v.i = *(const gint64 *) p; break;
    case GE_DTYPE_FLOAT32: v.d = *(const float *) p; break;
    case GE_DTYPE_FLOAT64: v.d = *(const double *) p; break;
    default:               g_assert_not_reached ();
    }
  return v;
}

/* Row-major successor of @index; FALSE after the last one. */
static gboolean
next_index (gint64       *index,
            int           ndim,
            const gint64 *sizes)
{
  for (int d = ndim - 1; d >= 0; d--)
    {
      if (++index[d] < sizes[d])
        return TRUE;
      index[d] = 0;
    }
  return FALSE;
}

/* The result's linear index for input @index: reduced coordinates dropped. */
static gint64
out_position (const GeTensor *self,
              const gboolean *reduced,
              const gint64   *index)
{
  gint64 pos = 0;

  for (int d = 0; d < self->ndim; d++)
    if (!reduced[d])
      pos = pos * self->sizes[d] + index[d];
  return pos;
}

static gboolean
ref_parse_dims (const GeTensor *self,
                int             n_dims,
                const int      *dims,
                gboolean       *reduced,
                GError        **error)
{
  for (int d = 0; d < GE_MAX_DIMS; d++)
    reduced[d] = n_dims == 0;
  for (int i = 0; i < n_dims; i++)
    {
      int dim = dims[i];

      if (!ge_normalize_dim (&dim, self->ndim, error))
        return FALSE;
      if (reduced[dim])
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "dim %d repeated", dim);
          return FALSE;
        }
      reduced[dim] = TRUE;
    }
  return TRUE;
}

static GeTensor *
ref_new_result (const GeTensor *self,
                const gboolean *reduced,
                gboolean        keepdim,
                GeDType         dtype,
                GError        **error)
{
  gint64 sizes[GE_MAX_DIMS];
  int ndim = 0;

  for (int d = 0; d < self->ndim; d++)
    {
      if (!reduced[d])
        sizes[ndim++] = self->sizes[d];
      else if (keepdim)
        sizes[ndim++] = 1;
    }
  return ge_tensor_new_contiguous (ndim, sizes, dtype, error);
}

static GeTensor *
ref_sum_or_mean (GeTensor   *self,
                 int         n_dims,
                 const int  *dims,
                 gboolean    keepdim,
                 gboolean    mean,
                 GError    **error)
{
  gboolean reduced[GE_MAX_DIMS];
  gint64 index[GE_MAX_DIMS] = { 0 };
  g_autofree double *sums = NULL;
  g_autofree guint64 *int_sums = NULL;
  GeTensor *out;
  GeDType dtype;
  gint64 n, count = 1;

  g_return_val_if_fail (self != NULL, NULL);

  if (mean && !ge_dtype_is_floating (self->dtype))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "mean of an integer tensor");
      return NULL;
    }
  if (!ref_parse_dims (self, n_dims, dims, reduced, error))
    return NULL;

  dtype = is_integral (self->dtype) ? GE_DTYPE_INT64 : self->dtype;
  out = ref_new_result (self, reduced, keepdim, dtype, error);
  if (out == NULL)
    return NULL;
  n = ge_tensor_numel (out);
  sums = g_new0 (double, MAX (n, 1));
  int_sums = g_new0 (guint64, MAX (n, 1));

  for (int d = 0; d < self->ndim; d++)
    if (reduced[d])
      count *= self->sizes[d];

  if (ge_tensor_numel (self) > 0)
    do
      {
        Value v = load (self, index);
        gint64 pos = out_position (self, reduced, index);

        sums[pos] += v.d;
        int_sums[pos] += (guint64) v.i;
      }
    while (next_index (index, self->ndim, self->sizes));

  for (gint64 i = 0; i < n; i++)
    {
      char *p = (char *) ge_tensor_data_ptr (out) + i * (gint64) ge_dtype_size (dtype);

      if (dtype == GE_DTYPE_INT64)
        *(gint64 *) p = (gint64) int_sums[i];
      else
        ge_store_double (p, dtype, mean ? sums[i] / (double) count : sums[i]);
    }
  return out;
}

GeTensor *
ge_ref_sum_dims (GeTensor   *self,
                 int         n_dims,
                 const int  *dims,
                 gboolean    keepdim,
                 GError    **error)
{
  return ref_sum_or_mean (self, n_dims, dims, keepdim, FALSE, error);
}

GeTensor *
ge_ref_sum (GeTensor  *self,
            GError   **error)
{
  return ref_sum_or_mean (self, 0, NULL, FALSE, FALSE, error);
}

GeTensor *
ge_ref_mean_dims (GeTensor   *self,
                  int         n_dims,
                  const int  *dims,
                  gboolean    keepdim,
                  GError    **error)
{
  return ref_sum_or_mean (self, n_dims, dims, keepdim, TRUE, error);
}

GeTensor *
ge_ref_mean (GeTensor  *self,
             GError   **error)
{
  return ref_sum_or_mean (self, 0, NULL, FALSE, TRUE, error);
}

/* Does @v (at a later index) replace @best?  NaN sticks; with @ties_replace
 * an equal value replaces too. */
static gboolean
replaces (GeDType  dtype,
          gboolean is_max,
          gboolean ties_replace,
          Value    v,
          Value    best)
{
  if (is_integral (dtype))
    {
      if (v.i == best.i)
        return ties_replace;
      return is_max ? v.i > best.i : v.i < best.i;
    }
  if (isnan (best.d))
    return FALSE;
  if (isnan (v.d))
    return TRUE;
  if (v.d == best.d)
    return ties_replace;
  return is_max ? v.d > best.d : v.d < best.d;
}

static void
store_value (GeTensor *out,
             gint64    pos,
             Value     v)
{
  char *p = (char *) ge_tensor_data_ptr (out) + pos * (gint64) ge_dtype_size (out->dtype);

  if (out->dtype == GE_DTYPE_INT64)
    *(gint64 *) p = v.i;
  else if (out->dtype == GE_DTYPE_BOOL)
    *(guint8 *) p = v.i != 0;
  else
    ge_store_double (p, out->dtype, v.d);
}

/* Over everything, in row-major order; @flat_index gets the winner's
 * row-major index. */
static GeTensor *
ref_extremum_all (GeTensor  *self,
                  gboolean   is_max,
                  gboolean   ties_replace,
                  gint64    *flat_index,
                  GError   **error)
{
  gint64 index[GE_MAX_DIMS] = { 0 };
  gint64 i = 0, best_index = 0;
  Value best = { 0, 0.0 };
  GeTensor *out;

  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_numel (self) == 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "empty tensor");
      return NULL;
    }

  do
    {
      Value v = load (self, index);

      if (i == 0 || replaces (self->dtype, is_max, ties_replace, v, best))
        {
          best = v;
          best_index = i;
        }
      i++;
    }
  while (next_index (index, self->ndim, self->sizes));

  out = ge_tensor_new_contiguous (0, NULL, self->dtype, error);
  if (out == NULL)
    return NULL;
  store_value (out, 0, best);
  if (flat_index != NULL)
    *flat_index = best_index;
  return out;
}

/* PyTorch's all-element max/min let an equal later element win (only
 * visible with signed zeros). */
GeTensor *
ge_ref_max (GeTensor  *self,
            GError   **error)
{
  return ref_extremum_all (self, TRUE, TRUE, NULL, error);
}

GeTensor *
ge_ref_min (GeTensor  *self,
            GError   **error)
{
  return ref_extremum_all (self, FALSE, TRUE, NULL, error);
}

GeTensor *
ge_ref_argmax (GeTensor  *self,
               GError   **error)
{
  g_autoptr(GeTensor) values = NULL;
  gint64 best_index = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_numel (self) == 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX, "argmax of an empty tensor");
      return NULL;
    }
  if (self->dtype == GE_DTYPE_BOOL)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "argmax of a bool tensor");
      return NULL;
    }
  values = ref_extremum_all (self, TRUE, FALSE, &best_index, error);
  if (values == NULL)
    return NULL;
  return ge_tensor_scalar ((double) best_index, GE_DTYPE_INT64);
}

static GeTensor *
ref_extremum_dim (GeTensor   *self,
                  int         dim,
                  gboolean    keepdim,
                  gboolean    is_max,
                  GeTensor  **indices,
                  GError    **error)
{
  gboolean reduced[GE_MAX_DIMS] = { FALSE };
  gint64 index[GE_MAX_DIMS] = { 0 };
  g_autofree Value *best = NULL;
  g_autofree gint64 *best_index = NULL;
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) positions = NULL;
  gint64 n;

  g_return_val_if_fail (self != NULL, NULL);

  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;
  if (self->ndim > 0 && self->sizes[dim] == 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX, "empty reduction dim");
      return NULL;
    }
  reduced[dim] = self->ndim > 0;

  values = ref_new_result (self, reduced, keepdim, self->dtype, error);
  if (values == NULL)
    return NULL;
  positions = ref_new_result (self, reduced, keepdim, GE_DTYPE_INT64, error);
  if (positions == NULL)
    return NULL;
  n = ge_tensor_numel (values);
  best = g_new0 (Value, MAX (n, 1));
  best_index = g_new (gint64, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    best_index[i] = -1;

  if (ge_tensor_numel (self) > 0)
    do
      {
        Value v = load (self, index);
        gint64 pos = out_position (self, reduced, index);

        if (best_index[pos] < 0 || replaces (self->dtype, is_max, FALSE, v, best[pos]))
          {
            best[pos] = v;
            best_index[pos] = self->ndim > 0 ? index[dim] : 0;
          }
      }
    while (next_index (index, self->ndim, self->sizes));

  for (gint64 i = 0; i < n; i++)
    {
      store_value (values, i, best[i]);
      ((gint64 *) ge_tensor_data_ptr (positions))[i] = best_index[i];
    }

  if (indices != NULL)
    *indices = g_steal_pointer (&positions);
  return g_steal_pointer (&values);
}

GeTensor *
ge_ref_max_dim (GeTensor   *self,
                int         dim,
                gboolean    keepdim,
                GeTensor  **indices,
                GError    **error)
{
  return ref_extremum_dim (self, dim, keepdim, TRUE, indices, error);
}

GeTensor *
ge_ref_min_dim (GeTensor   *self,
                int         dim,
                gboolean    keepdim,
                GeTensor  **indices,
                GError    **error)
{
  return ref_extremum_dim (self, dim, keepdim, FALSE, indices, error);
}

GeTensor *
ge_ref_argmax_dim (GeTensor  *self,
                   int        dim,
                   gboolean   keepdim,
                   GError   **error)
{
  g_autoptr(GeTensor) values = NULL;
  GeTensor *indices = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->dtype == GE_DTYPE_BOOL)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "argmax of a bool tensor");
      return NULL;
    }
  values = ref_extremum_dim (self, dim, keepdim, TRUE, &indices, error);
  if (values == NULL)
    return NULL;
  return indices;
}
