/* ge-ref-pointwise.c - plain reference kernels for the pointwise ops */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-tensor-private.h"
#include "reference/ge-ref-pointwise.h"

static double
apply (const char *op,
       double      x,
       double      y)
{
  if (g_str_equal (op, "add")) return x + y;
  if (g_str_equal (op, "sub")) return x - y;
  if (g_str_equal (op, "mul")) return x * y;
  if (g_str_equal (op, "div")) return x / y;
  if (g_str_equal (op, "pow")) return pow (x, y);
  if (g_str_equal (op, "eq")) return x == y;
  if (g_str_equal (op, "ne")) return x != y;
  if (g_str_equal (op, "lt")) return x < y;
  if (g_str_equal (op, "le")) return x <= y;
  if (g_str_equal (op, "gt")) return x > y;
  if (g_str_equal (op, "ge")) return x >= y;
  if (g_str_equal (op, "neg")) return -x;
  if (g_str_equal (op, "exp")) return exp (x);
  if (g_str_equal (op, "log")) return log (x);
  if (g_str_equal (op, "sin")) return sin (x);
  if (g_str_equal (op, "cos")) return cos (x);
  if (g_str_equal (op, "sqrt")) return sqrt (x);
  if (g_str_equal (op, "abs")) return fabs (x);
  if (g_str_equal (op, "tanh")) return tanh (x);
  if (g_str_equal (op, "sigmoid")) return 1.0 / (1.0 + exp (-x));
  if (g_str_equal (op, "relu")) return x < 0 ? 0 : x;
  g_error ("ge_ref_pointwise: unknown op %s", op);
}

/* Element of @t at the broadcast multi-index @index of an @ndim-dim shape. */
static double
element_at (const GeTensor *t,
            int             ndim,
            const gint64   *index)
{
  gint64 offset = t->offset;

  for (int d = 0; d < t->ndim; d++)
    {
      int od = ndim - t->ndim + d;
      if (t->sizes[d] != 1)
        offset += index[od] * t->strides[d];
    }
  return ge_load_double ((char *) t->storage->data + offset * ge_dtype_size (t->dtype), t->dtype);
}

GeTensor *
ge_ref_pointwise (const char *op,
                  GeTensor   *a,
                  GeTensor   *b,
                  GeDType     out_dtype)
{
  gint64 sizes[GE_MAX_DIMS], index[GE_MAX_DIMS] = { 0 };
  GeTensor *out;
  gint64 n;
  int ndim = a->ndim;

  memcpy (sizes, a->sizes, sizeof (gint64) * a->ndim);
  if (b != NULL && !ge_broadcast_shapes (a->ndim, a->sizes, b->ndim, b->sizes, &ndim, sizes, NULL))
    return NULL;

  out = ge_tensor_zeros (ndim, sizes, out_dtype, NULL);
  n = ge_tensor_numel (out);
  for (gint64 i = 0; i < n; i++)
    {
      double x = element_at (a, ndim, index);
      double y = b != NULL ? element_at (b, ndim, index) : 0.0;
      ge_store_double ((char *) out->storage->data + i * ge_dtype_size (out_dtype), out_dtype,
                       apply (op, x, y));
      for (int d = ndim - 1; d >= 0; d--)
        {
          if (++index[d] < sizes[d])
            break;
          index[d] = 0;
        }
    }
  return out;
}
