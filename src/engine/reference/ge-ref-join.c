/* ge-ref-join.c - reference kernels for sort, stack and cat (for tests) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-tensor-private.h"
#include "reference/ge-ref-join.h"

/* Address of the element at multi-index @pos. */
static char *
element_at (const GeTensor *t,
            const gint64   *pos)
{
  gint64 offset = t->offset;

  for (int d = 0; d < t->ndim; d++)
    offset += pos[d] * t->strides[d];
  return (char *) t->storage->data + offset * (gint64) ge_dtype_size (t->dtype);
}

/* Next multi-index in row-major order; FALSE after the last one. */
static gboolean
next_position (gint64       *pos,
               const gint64 *sizes,
               int           ndim)
{
  for (int d = ndim - 1; d >= 0; d--)
    {
      if (++pos[d] < sizes[d])
        return TRUE;
      pos[d] = 0;
    }
  return FALSE;
}

/* Same dtype: the bytes.  Otherwise through double, which is exact for the
 * values the tests use (integers below 2^53). */
static void
copy_element (char       *dst,
              GeDType     dst_dtype,
              const char *src,
              GeDType     src_dtype)
{
  if (dst_dtype == src_dtype)
    memcpy (dst, src, ge_dtype_size (dst_dtype));
  else
    ge_store_double (dst, dst_dtype, ge_load_double (src, src_dtype));
}

static GeTensor *
new_result (int           ndim,
            const gint64 *sizes,
            GeDType       dtype,
            GError      **error)
{
  GeTensor *result = ge_tensor_new_contiguous (ndim, sizes, dtype, error);

  if (result != NULL && ge_tensor_numel (result) > 0)
    memset (ge_tensor_data_ptr (result), 0, ge_tensor_numel (result) * ge_dtype_size (dtype));
  return result;
}

/* ---- sort ---- */

typedef struct
{
  const char *value;
  gint64      index;
} RefSortItem;

/* TRUE when @a must come before @b; equal values are never "before". */
static gboolean
ref_before (const char *a,
            const char *b,
            GeDType     dtype,
            gboolean    descending)
{
  double x, y;

  if (dtype == GE_DTYPE_INT64)
    {
      gint64 i = *(const gint64 *) (const void *) a;
      gint64 j = *(const gint64 *) (const void *) b;

      return descending ? i > j : i < j;
    }

  x = ge_load_double (a, dtype);
  y = ge_load_double (b, dtype);
  if (descending)
    return (isnan (x) && !isnan (y)) || x > y;
  return (!isnan (x) && isnan (y)) || x < y;
}

/* Sorts every row along @dim of @self into @values and @order. */
static void
ref_sort_rows (GeTensor *self,
               int       dim,
               gboolean  descending,
               GeTensor *values,
               GeTensor *order)
{
  g_autofree RefSortItem *items = NULL;
  gint64 row_sizes[GE_MAX_DIMS];
  gint64 pos[GE_MAX_DIMS] = { 0 };
  gint64 n = self->ndim > 0 ? self->sizes[dim] : 1;

  items = g_new (RefSortItem, n);

  /* One row per multi-index with pos[dim] == 0. */
  memcpy (row_sizes, self->sizes, sizeof (gint64) * self->ndim);
  if (self->ndim > 0)
    row_sizes[dim] = 1;

  do
    {
      for (gint64 k = 0; k < n; k++)
        {
          if (self->ndim > 0)
            pos[dim] = k;
          items[k].value = element_at (self, pos);
          items[k].index = k;
        }

      /* Insertion sort: moves an item only past items it comes before. */
      for (gint64 i = 1; i < n; i++)
        {
          RefSortItem item = items[i];
          gint64 j = i;

          while (j > 0 && ref_before (item.value, items[j - 1].value, self->dtype, descending))
            {
              items[j] = items[j - 1];
              j--;
            }
          items[j] = item;
        }

      for (gint64 k = 0; k < n; k++)
        {
          if (self->ndim > 0)
            pos[dim] = k;
          copy_element (element_at (values, pos), self->dtype, items[k].value, self->dtype);
          *(gint64 *) (void *) element_at (order, pos) = items[k].index;
        }
      if (self->ndim > 0)
        pos[dim] = 0;
    }
  while (next_position (pos, row_sizes, self->ndim));
}

GeTensor *
ge_ref_sort (GeTensor  *self,
             int        dim,
             gboolean   descending,
             GeTensor **indices,
             GError   **error)
{
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) order = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (indices != NULL)
    *indices = NULL;
  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;

  values = new_result (self->ndim, self->sizes, self->dtype, error);
  if (values == NULL)
    return NULL;
  order = new_result (self->ndim, self->sizes, GE_DTYPE_INT64, error);
  if (order == NULL)
    return NULL;
  if (ge_tensor_numel (self) > 0)
    ref_sort_rows (self, dim, descending, values, order);

  if (indices != NULL)
    *indices = g_steal_pointer (&order);
  return g_steal_pointer (&values);
}

/* ---- cat and stack ---- */

static gboolean
ref_cat_skips (const GeTensor *t)
{
  return t->ndim == 1 && t->sizes[0] == 0;
}

GeTensor *
ge_ref_cat (int         n,
            GeTensor  **tensors,
            int         dim,
            GError    **error)
{
  g_autoptr(GeTensor) result = NULL;
  gint64 sizes[GE_MAX_DIMS];
  gint64 pos[GE_MAX_DIMS] = { 0 };
  GeTensor *first = NULL;
  GeDType dtype;

  g_return_val_if_fail (n >= 0 && (n == 0 || tensors != NULL), NULL);

  if (n == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "torch.cat(): expected a non-empty list of Tensors");
      return NULL;
    }

  dtype = tensors[0]->dtype;
  for (int i = 0; i < n; i++)
    {
      if (tensors[i]->ndim == 0)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "zero-dimensional tensor (at position %d) cannot be concatenated", i);
          return NULL;
        }
      dtype = ge_dtype_promote (dtype, tensors[i]->dtype);
      if (first == NULL && !ref_cat_skips (tensors[i]))
        first = tensors[i];
    }

  if (first == NULL)
    {
      sizes[0] = 0;
      return new_result (1, sizes, dtype, error);
    }
  if (!ge_normalize_dim (&dim, first->ndim, error))
    return NULL;

  memcpy (sizes, first->sizes, sizeof (gint64) * first->ndim);
  sizes[dim] = 0;
  for (int i = 0; i < n; i++)
    {
      GeTensor *t = tensors[i];

      if (ref_cat_skips (t))
        continue;
      if (t->ndim != first->ndim)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Tensors must have same number of dimensions: got %d and %d",
                       first->ndim, t->ndim);
          return NULL;
        }
      for (int d = 0; d < t->ndim; d++)
        if (d != dim && t->sizes[d] != first->sizes[d])
          {
            g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                         "Sizes of tensors must match except in dimension %d. Expected size %"
                         G_GINT64_FORMAT " but got size %" G_GINT64_FORMAT " for tensor number "
                         "%d in the list.", dim, first->sizes[d], t->sizes[d], i);
            return NULL;
          }
      sizes[dim] += t->sizes[dim];
    }

  result = new_result (first->ndim, sizes, dtype, error);
  if (result == NULL || ge_tensor_numel (result) == 0)
    return g_steal_pointer (&result);

  /* For every output element, find the input that holds it. */
  do
    {
      gint64 src_pos[GE_MAX_DIMS];
      gint64 along = pos[dim];
      GeTensor *source = NULL;

      for (int i = 0; i < n && source == NULL; i++)
        {
          if (ref_cat_skips (tensors[i]))
            continue;
          if (along < tensors[i]->sizes[dim])
            source = tensors[i];
          else
            along -= tensors[i]->sizes[dim];
        }
      g_assert (source != NULL);

      memcpy (src_pos, pos, sizeof (gint64) * result->ndim);
      src_pos[dim] = along;
      copy_element (element_at (result, pos), dtype,
                    element_at (source, src_pos), source->dtype);
    }
  while (next_position (pos, result->sizes, result->ndim));

  return g_steal_pointer (&result);
}

GeTensor *
ge_ref_stack (int         n,
              GeTensor  **tensors,
              int         dim,
              GError    **error)
{
  g_autoptr(GeTensor) result = NULL;
  gint64 sizes[GE_MAX_DIMS];
  gint64 pos[GE_MAX_DIMS] = { 0 };
  GeTensor *first;
  GeDType dtype;
  int ndim;

  g_return_val_if_fail (n >= 0 && (n == 0 || tensors != NULL), NULL);

  if (n == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "stack expects a non-empty TensorList");
      return NULL;
    }

  first = tensors[0];
  ndim = first->ndim + 1;
  if (!ge_normalize_dim (&dim, ndim, error))
    return NULL;
  if (ndim > GE_MAX_DIMS)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "Gradlab supports at most %d dimensions, but got %d", GE_MAX_DIMS, ndim);
      return NULL;
    }

  dtype = first->dtype;
  for (int i = 1; i < n; i++)
    {
      GeTensor *t = tensors[i];

      if (t->ndim != first->ndim
          || memcmp (t->sizes, first->sizes, sizeof (gint64) * first->ndim) != 0)
        {
          g_autofree char *expected = ge_shape_to_string (first->sizes, first->ndim);
          g_autofree char *got = ge_shape_to_string (t->sizes, t->ndim);

          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "stack expects each tensor to be equal size, but got %s at entry 0 "
                       "and %s at entry %d", expected, got, i);
          return NULL;
        }
      dtype = ge_dtype_promote (dtype, t->dtype);
    }

  /* The output shape is the input shape with n inserted at @dim. */
  for (int d = 0, s = 0; d < ndim; d++)
    sizes[d] = d == dim ? n : first->sizes[s++];

  result = new_result (ndim, sizes, dtype, error);
  if (result == NULL || ge_tensor_numel (result) == 0)
    return g_steal_pointer (&result);

  do
    {
      gint64 src_pos[GE_MAX_DIMS];
      GeTensor *source = tensors[pos[dim]];

      for (int d = 0, s = 0; d < ndim; d++)
        if (d != dim)
          src_pos[s++] = pos[d];
      copy_element (element_at (result, pos), dtype,
                    element_at (source, src_pos), source->dtype);
    }
  while (next_position (pos, result->sizes, ndim));

  return g_steal_pointer (&result);
}
