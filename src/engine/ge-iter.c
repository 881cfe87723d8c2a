/* ge-iter.c - strided, broadcasting iteration over several operands */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "ge-tensor-private.h"

void
ge_iter_init (GeIter        *iter,
              int            ndim,
              const gint64  *sizes,
              int            n_operands,
              GeTensor     **operands)
{
  int out = 0;

  g_return_if_fail (n_operands > 0 && n_operands <= GE_ITER_MAX_OPERANDS);

  iter->n_operands = n_operands;
  for (int k = 0; k < n_operands; k++)
    iter->data[k] = ge_tensor_data_ptr (operands[k]);

  /* Innermost dim first; operands align to the right; broadcast dims get
   * stride 0.  Size-1 dims are dropped. */
  for (int d = ndim - 1; d >= 0; d--)
    {
      if (sizes[d] == 1)
        continue;
      iter->sizes[out] = sizes[d];
      for (int k = 0; k < n_operands; k++)
        {
          GeTensor *t = operands[k];
          int td = t->ndim - (ndim - d);
          gint64 stride = 0;

          if (td >= 0 && t->sizes[td] != 1)
            stride = t->strides[td] * (gint64) ge_dtype_size (t->dtype);
          iter->strides[k][out] = stride;
        }
      out++;
    }

  /* Coalesce dim i+1 into dim i when every operand steps evenly across. */
  if (out > 1)
    {
      int merged = 0;

      for (int d = 1; d < out; d++)
        {
          gboolean can = TRUE;

          for (int k = 0; k < n_operands && can; k++)
            can = iter->strides[k][d] == iter->strides[k][merged] * iter->sizes[merged];
          if (can)
            iter->sizes[merged] *= iter->sizes[d];
          else
            {
              merged++;
              iter->sizes[merged] = iter->sizes[d];
              for (int k = 0; k < n_operands; k++)
                iter->strides[k][merged] = iter->strides[k][d];
            }
        }
      out = merged + 1;
    }

  iter->ndim = out;
  for (int d = 0; d < ndim; d++)
    if (sizes[d] == 0)
      {
        /* Nothing to visit. */
        iter->ndim = 1;
        iter->sizes[0] = 0;
        for (int k = 0; k < n_operands; k++)
          iter->strides[k][0] = 0;
        return;
      }
}

void
ge_iter_run (GeIter     *iter,
             GeIterLoop  loop,
             gpointer    user_data)
{
  gint64 counter[GE_MAX_DIMS] = { 0 };
  char *ptrs[GE_ITER_MAX_OPERANDS];
  gint64 inner_strides[GE_ITER_MAX_OPERANDS];
  int n_operands = iter->n_operands;
  gint64 inner;

  if (iter->ndim == 0)
    {
      /* A single element. */
      for (int k = 0; k < n_operands; k++)
        {
          ptrs[k] = iter->data[k];
          inner_strides[k] = 0;
        }
      loop (ptrs, inner_strides, 1, user_data);
      return;
    }

  inner = iter->sizes[0];
  if (inner == 0)
    return;
  for (int k = 0; k < n_operands; k++)
    inner_strides[k] = iter->strides[k][0];

  for (;;)
    {
      for (int k = 0; k < n_operands; k++)
        {
          char *p = iter->data[k];
          for (int d = 1; d < iter->ndim; d++)
            p += counter[d] * iter->strides[k][d];
          ptrs[k] = p;
        }
      loop (ptrs, inner_strides, inner, user_data);

      {
        int d = 1;
        for (; d < iter->ndim; d++)
          {
            if (++counter[d] < iter->sizes[d])
              break;
            counter[d] = 0;
          }
        if (d >= iter->ndim)
          return;
      }
    }
}
