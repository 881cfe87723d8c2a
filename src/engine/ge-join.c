/* ge-join.c - sort along a dim, stack and cat */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-device-private.h"
#include "ge-tensor-private.h"
#include "ge-ops-private.h"

/* ---- sort ---- */

/* Runs this short are insertion-sorted before merging. */
#define SORT_RUN 32

#define NEVER_NAN(x) FALSE
#define MAYBE_NAN(x) isnan (x)

/* A stable merge sort of (value, original index) pairs per dtype.  NaN sorts
 * as the largest value, as in PyTorch; ties keep their order either way. */
#define DEFINE_SORT(suffix, ctype, IS_NAN)                                            \
  typedef struct                                                                      \
  {                                                                                   \
    ctype  value;                                                                     \
    gint64 index;                                                                     \
  } SortItem_##suffix;                                                                \
                                                                                      \
  static inline gboolean                                                              \
  sort_before_##suffix (ctype    a,                                                   \
                        ctype    b,                                                   \
                        gboolean descending)                                          \
  {                                                                                   \
    if (descending)                                                                   \
      return (IS_NAN (a) && !IS_NAN (b)) || a > b;                                    \
    return (!IS_NAN (a) && IS_NAN (b)) || a < b;                                      \
  }                                                                                   \
                                                                                      \
  static void                                                                         \
  merge_sort_##suffix (SortItem_##suffix *items,                                      \
                       SortItem_##suffix *scratch,                                    \
                       gint64             n,                                          \
                       gboolean           descending)                                 \
  {                                                                                   \
    SortItem_##suffix *src = items, *dst = scratch;                                   \
                                                                                      \
    for (gint64 start = 0; start < n; start += SORT_RUN)                              \
      {                                                                               \
        gint64 end = MIN (start + SORT_RUN, n);                                       \
                                                                                      \
        for (gint64 i = start + 1; i < end; i++)                                      \
          {                                                                           \
            SortItem_##suffix item = items[i];                                        \
            gint64 j = i;                                                             \
                                                                                      \
            while (j > start && sort_before_##suffix (item.value, items[j - 1].value, \
                                                      descending))                    \
              {                                                                       \
                items[j] = items[j - 1];                                              \
                j--;                                                                  \
              }                                                                       \
            items[j] = item;                                                          \
          }                                                                           \
      }                                                                               \
                                                                                      \
    for (gint64 width = SORT_RUN; width < n; width *= 2)                              \
      {                                                                               \
        SortItem_##suffix *swap;                                                      \
                                                                                      \
        for (gint64 lo = 0; lo < n; lo += 2 * width)                                  \
          {                                                                           \
            gint64 mid = MIN (lo + width, n), hi = MIN (lo + 2 * width, n);           \
            gint64 i = lo, j = mid, k = lo;                                           \
                                                                                      \
            /* Take from the right run only when strictly before: stable. */          \
            while (i < mid && j < hi)                                                 \
              dst[k++] = sort_before_##suffix (src[j].value, src[i].value,            \
                                               descending) ? src[j++] : src[i++];     \
            while (i < mid)                                                           \
              dst[k++] = src[i++];                                                    \
            while (j < hi)                                                            \
              dst[k++] = src[j++];                                                    \
          }                                                                           \
        swap = src;                                                                   \
        src = dst;                                                                    \
        dst = swap;                                                                   \
      }                                                                               \
    if (src != items)                                                                 \
      memcpy (items, src, sizeof (SortItem_##suffix) * n);                            \
  }                                                                                   \
                                                                                      \
  /* Rows of @n elements @inner apart, in contiguous @in, @values, @indices. */       \
  static gboolean                                                                     \
  sort_rows_##suffix (const void *in,                                                 \
                      void       *values,                                             \
                      gint64     *indices,                                            \
                      gint64      outer,                                              \
                      gint64      n,                                                  \
                      gint64      inner,                                              \
                      gboolean    descending,                                         \
                      GError    **error)                                              \
  {                                                                                   \
    g_autofree SortItem_##suffix *items = g_new (SortItem_##suffix, n);               \
    g_autofree SortItem_##suffix *scratch = g_new (SortItem_##suffix, n);             \
    const ctype *src = in;                                                            \
    ctype *out = values;                                                              \
                                                                                      \
    for (gint64 o = 0; o < outer; o++)                                                \
      {                                                                               \
        if (!ge_check_interrupt (error))                                              \
          return FALSE;                                                               \
        for (gint64 r = 0; r < inner; r++)                                            \
          {                                                                           \
            gint64 base = o * n * inner + r;                                          \
                                                                                      \
            for (gint64 i = 0; i < n; i++)                                            \
              {                                                                       \
                items[i].value = src[base + i * inner];                               \
                items[i].index = i;                                                   \
              }                                                                       \
            merge_sort_##suffix (items, scratch, n, descending);                      \
            for (gint64 i = 0; i < n; i++)                                            \
              {                                                                       \
                out[base + i * inner] = items[i].value;                               \
                indices[base + i * inner] = items[i].index;                           \
              }                                                                       \
          }                                                                           \
      }                                                                               \
    return TRUE;                                                                      \
  }

DEFINE_SORT (bool,    guint8, NEVER_NAN)
DEFINE_SORT (int64,   gint64, NEVER_NAN)
DEFINE_SORT (float32, float,  MAYBE_NAN)
DEFINE_SORT (float64, double, MAYBE_NAN)

GeTensor *
ge_op_sort (GeTensor  *self,
                int        dim,
                gboolean   descending,
                GeTensor **indices,
                GError   **error)
{
  g_autoptr(GeTensor) input = NULL;
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) order = NULL;
  gint64 numel, n, inner = 1;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, NULL);

  if (indices != NULL)
    *indices = NULL;
  /* no CUDA kernel: sorted on the host */
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    return ge_device_host_sort (self, dim, descending, indices, error);
  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;

  input = ge_op_contiguous (self, error);
  if (input == NULL)
    return NULL;
  values = ge_tensor_new_contiguous (self->ndim, self->sizes, self->dtype, error);
  if (values == NULL)
    return NULL;
  order = ge_tensor_new_contiguous (self->ndim, self->sizes, GE_DTYPE_INT64, error);
  if (order == NULL)
    return NULL;

  numel = ge_tensor_numel (self);
  if (numel > 0)
    {
      const void *in = ge_tensor_data_ptr (input);
      void *out = ge_tensor_data_ptr (values);
      gint64 *idx = ge_tensor_data_ptr (order);
      gint64 outer;

      n = self->ndim > 0 ? self->sizes[dim] : 1;
      for (int d = dim + 1; d < self->ndim; d++)
        inner *= self->sizes[d];
      outer = numel / (n * inner);

      switch (self->dtype)
        {
        case GE_DTYPE_BOOL:
          ok = sort_rows_bool (in, out, idx, outer, n, inner, descending, error);
          break;
        case GE_DTYPE_INT64:
          ok = sort_rows_int64 (in, out, idx, outer, n, inner, descending, error);
          break;
        case GE_DTYPE_FLOAT32:
          ok = sort_rows_float32 (in, out, idx, outer, n, inner, descending, error);
          break;
        case GE_DTYPE_FLOAT64:
          ok = sort_rows_float64 (in, out, idx, outer, n, inner, descending, error);
          break;
        default:
          g_set_error (error, GE_ERROR, GE_ERROR_TYPE, "sort: unknown dtype %d", (int) self->dtype);
          break;
        }
      if (!ok)
        return NULL;
    }

  if (indices != NULL)
    *indices = g_steal_pointer (&order);
  return g_steal_pointer (&values);
}

/* ---- cat and stack ---- */

static void
copy_elements_loop (char         **data,
                   const gint64  *strides,
                   gint64         n,
                   gpointer       user_data)
{
  gsize elem = GPOINTER_TO_SIZE (user_data);
  char *dst = data[0];
  const char *src = data[1];

  if (strides[0] == (gint64) elem && strides[1] == (gint64) elem)
    {
      memcpy (dst, src, n * elem);
      return;
    }
  /* Moved as same-sized integers: bit patterns (NaN payloads) survive. */
  switch (elem)
    {
    case 1:
      for (gint64 i = 0; i < n; i++)
        *(guint8 *) (dst + i * strides[0]) = *(const guint8 *) (src + i * strides[1]);
      break;
    case 4:
      for (gint64 i = 0; i < n; i++)
        *(guint32 *) (void *) (dst + i * strides[0]) =
          *(const guint32 *) (const void *) (src + i * strides[1]);
      break;
    case 8:
      for (gint64 i = 0; i < n; i++)
        *(guint64 *) (void *) (dst + i * strides[0]) =
          *(const guint64 *) (const void *) (src + i * strides[1]);
      break;
    default:
      for (gint64 i = 0; i < n; i++)
        memcpy (dst + i * strides[0], src + i * strides[1], elem);
      break;
    }
}

/* @src into @dst: same shape and dtype, any strides. */
static void
copy_same_dtype (GeTensor *dst,
                 GeTensor *src)
{
  GeTensor *operands[2] = { dst, src };
  GeIter iter;

  ge_iter_init (&iter, dst->ndim, dst->sizes, 2, operands);
  ge_iter_run (&iter, copy_elements_loop, GSIZE_TO_POINTER (ge_dtype_size (dst->dtype)));
}

/* Legacy rule kept by 1.13: 1-D empty tensors take no part in cat's checks. */
static gboolean
cat_should_skip (const GeTensor *t)
{
  return t->ndim == 1 && t->sizes[0] == 0;
}

GeTensor *
ge_op_cat (int         n,
               GeTensor  **tensors,
               int         dim,
               GError    **error)
{
  g_autoptr(GeTensor) result = NULL;
  gint64 sizes[GE_MAX_DIMS];
  gint64 size_at_dim = 0, position = 0;
  GeDType dtype;
  int valid = -1;

  g_return_val_if_fail (n >= 0, NULL);
  g_return_val_if_fail (n == 0 || tensors != NULL, NULL);
  for (int i = 0; i < n; i++)
    g_return_val_if_fail (tensors[i] != NULL, NULL);

  /* no CUDA kernel: joined on the host */
  if (ge_device_any_cuda (n, tensors))
    return ge_device_host_cat (n, tensors, dim, error);
  for (int i = 0; i < n; i++)
    if (tensors[i]->ndim == 0)
      {
        g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                     "zero-dimensional tensor (at position %d) cannot be concatenated", i);
        return NULL;
      }

  for (int i = 0; i < n; i++)
    if (!cat_should_skip (tensors[i]))
      {
        if (!ge_normalize_dim (&dim, tensors[i]->ndim, error))
          return NULL;
        valid = i;
        break;
      }

  if (n == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "torch.cat(): expected a non-empty list of Tensors");
      return NULL;
    }

  /* Skipped tensors still take part in type promotion. */
  dtype = ge_result_type (n, tensors);

  if (valid < 0)
    {
      sizes[0] = 0;
      return ge_tensor_new_contiguous (1, sizes, dtype, error);
    }

  for (int i = 0; i < n; i++)
    {
      const GeTensor *first = tensors[valid];
      const GeTensor *t = tensors[i];

      if (cat_should_skip (t))
        continue;
      if (t->ndim != first->ndim)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Tensors must have same number of dimensions: got %d and %d",
                       first->ndim, t->ndim);
          return NULL;
        }
      for (int d = 0; d < first->ndim; d++)
        if (d != dim && t->sizes[d] != first->sizes[d])
          {
            g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                         "Sizes of tensors must match except in dimension %d. Expected size %"
                         G_GINT64_FORMAT " but got size %" G_GINT64_FORMAT " for tensor number "
                         "%d in the list.", dim, first->sizes[d], t->sizes[d], i);
            return NULL;
          }
      size_at_dim += t->sizes[dim];
    }

  memcpy (sizes, tensors[valid]->sizes, sizeof (gint64) * tensors[valid]->ndim);
  sizes[dim] = size_at_dim;
  result = ge_tensor_new_contiguous (tensors[valid]->ndim, sizes, dtype, error);
  if (result == NULL)
    return NULL;

  /* Each input goes into its slab of the result along @dim. */
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GeTensor) source = NULL;
      g_autoptr(GeTensor) slab = NULL;
      GeTensor *t = tensors[i];

      if (cat_should_skip (t))
        continue;
      if (t->sizes[dim] > 0 && ge_tensor_numel (t) > 0)
        {
          source = ge_op_to_dtype (t, dtype, error);
          if (source == NULL)
            return NULL;
          sizes[dim] = t->sizes[dim];
          slab = ge_tensor_new_with_storage (result->storage, dtype, result->ndim, sizes,
                                             result->strides,
                                             position * result->strides[dim]);
          copy_same_dtype (slab, source);
        }
      position += t->sizes[dim];
    }

  return g_steal_pointer (&result);
}

GeTensor *
ge_op_stack (int         n,
                 GeTensor  **tensors,
                 int         dim,
                 GError    **error)
{
  g_autoptr(GPtrArray) inputs = NULL;
  const GeTensor *first;

  g_return_val_if_fail (n >= 0, NULL);
  g_return_val_if_fail (n == 0 || tensors != NULL, NULL);
  for (int i = 0; i < n; i++)
    g_return_val_if_fail (tensors[i] != NULL, NULL);

  if (n == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "stack expects a non-empty TensorList");
      return NULL;
    }

  first = tensors[0];
  if (!ge_normalize_dim (&dim, first->ndim + 1, error))
    return NULL;

  for (int i = 1; i < n; i++)
    {
      const GeTensor *t = tensors[i];

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
    }

  /* Equal shapes, so cat of the unsqueezed inputs cannot fail on shapes. */
  inputs = g_ptr_array_new_full (n, (GDestroyNotify) ge_tensor_unref);
  for (int i = 0; i < n; i++)
    {
      GeTensor *unsqueezed = ge_op_unsqueeze (tensors[i], dim, error);

      if (unsqueezed == NULL)
        return NULL;
      g_ptr_array_add (inputs, unsqueezed);
    }
  return ge_op_cat (n, (GeTensor **) inputs->pdata, dim, error);
}
