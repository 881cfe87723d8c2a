/* ge-index.c - basic indexing (ints, slices, None, Ellipsis): views and assignment */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-tensor-private.h"
#include "ge-ops-private.h"

/* Python's a[i] on one dim: PyTorch's applySelect, whose messages name the
 * position @real_dim of the index in the index tuple. */
static GeTensor *
apply_select (GeTensor  *self,
              int        dim,
              gint64     index,
              int        real_dim,
              GError   **error)
{
  /* Dims past the end read as size 0, which is what 1.13 reports for them. */
  gint64 size = dim < self->ndim ? self->sizes[dim] : 0;

  if (index == 0 && dim == 0 && self->ndim == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_INDEX,
                           "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                           "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
      return NULL;
    }
  if (!(size >= -index && size > index))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX,
                   "index %" G_GINT64_FORMAT " is out of bounds for dimension %d with size %"
                   G_GINT64_FORMAT, index, real_dim, size);
      return NULL;
    }
  return ge_op_select (self, dim, index, error);
}

/* Python's a[start:stop:step] on one dim; Python's own slice checks first. */
static GeTensor *
apply_slice (GeTensor       *self,
             int             dim,
             const GeIndex  *index,
             GError        **error)
{
  if (index->step == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_VALUE, "slice step cannot be zero");
      return NULL;
    }
  if (index->step < 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_VALUE, "step must be greater than zero");
      return NULL;
    }
  return ge_op_slice (self, dim, index->start, index->stop, index->step, error);
}

GeTensor *
ge_op_index (GeTensor       *self,
                 int             n_indices,
                 const GeIndex  *indices,
                 GError        **error)
{
  g_autoptr(GeTensor) result = NULL;
  int specified = 0;
  int dim = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_indices >= 0, NULL);
  g_return_val_if_fail (n_indices == 0 || indices != NULL, NULL);

  for (int i = 0; i < n_indices; i++)
    {
      switch (indices[i].kind)
        {
        case GE_INDEX_INT:
        case GE_INDEX_SLICE:
          specified++;
          break;
        case GE_INDEX_NONE:
        case GE_INDEX_ELLIPSIS:
          break;
        default:
          g_set_error (error, GE_ERROR, GE_ERROR_TYPE,
                       "only integers, slices (`:`), ellipsis (`...`) and None are valid "
                       "indices (got index kind %d)", (int) indices[i].kind);
          return NULL;
        }
    }

  /* Python indexes with a lone int or slice without counting dims first;
   * that only shows on 0-dim tensors (a[0] there is "invalid index"). */
  if (specified > self->ndim
      && !(n_indices == 1 && indices[0].kind != GE_INDEX_NONE))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX,
                   "too many indices for tensor of dimension %d", self->ndim);
      return NULL;
    }

  result = ge_tensor_ref (self);
  for (int i = 0; i < n_indices; i++)
    {
      const GeIndex *index = &indices[i];
      GeTensor *next = NULL;

      switch (index->kind)
        {
        case GE_INDEX_INT:
          next = apply_select (result, dim, index->index, i, error);
          break;
        case GE_INDEX_SLICE:
          next = apply_slice (result, dim, index, error);
          dim++;
          break;
        case GE_INDEX_NONE:
          next = ge_op_unsqueeze (result, dim, error);
          dim++;
          break;
        case GE_INDEX_ELLIPSIS:
          /* Spans the dims no other index names; sic: 1.13 accepts several. */
          dim += self->ndim - specified;
          continue;
        default:
          g_assert_not_reached ();
        }
      if (next == NULL)
        return NULL;
      ge_tensor_unref (result);
      result = next;
    }

  /* Always a new view, even for a[...] or a[()]. */
  if (result == self)
    return ge_tensor_new_with_storage (self->storage, self->dtype, self->ndim,
                                       self->sizes, self->strides, self->offset);
  return g_steal_pointer (&result);
}

gboolean
ge_op_index_put (GeTensor       *self,
                     int             n_indices,
                     const GeIndex  *indices,
                     GeTensor       *value,
                     GError        **error)
{
  g_autoptr(GeTensor) target = NULL;
  g_autoptr(GeTensor) source = NULL;
  g_autoptr(GeTensor) expanded = NULL;
  int lead = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  target = ge_op_index (self, n_indices, indices, error);
  if (target == NULL)
    return FALSE;

  /* PyTorch's copy_to: equal shapes and 0-dim values copy (fill) directly;
   * otherwise the value loses its leading 1s and is expanded to the target,
   * so a mismatch reports expand()'s message. */
  if (value->ndim == 0
      || (value->ndim == target->ndim
          && memcmp (value->sizes, target->sizes, sizeof (gint64) * value->ndim) == 0))
    return ge_op_copy_ (target, value, error);

  while (lead < value->ndim && value->sizes[lead] == 1)
    lead++;
  source = ge_tensor_new_with_storage (value->storage, value->dtype, value->ndim - lead,
                                       value->sizes + lead, value->strides + lead, value->offset);
  expanded = ge_op_expand (source, target->ndim, target->sizes, error);
  if (expanded == NULL)
    return FALSE;

  /* ge_tensor_copy_ converts the dtype and bumps the storage's version. */
  return ge_op_copy_ (target, expanded, error);
}
