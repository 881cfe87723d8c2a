/* ge-creation.c - making tensors: from data and literals, constants, ranges */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-device-private.h"
#include "ge-tensor-private.h"

GeTensor *
ge_tensor_new_from_data (const void    *data,
                         GeDType        dtype,
                         int            ndim,
                         const gint64  *sizes,
                         GError       **error)
{
  GeTensor *self = ge_tensor_new_contiguous (ndim, sizes, dtype, error);

  if (self == NULL)
    return NULL;
  if (data != NULL)
    memcpy (self->storage->data, data, ge_tensor_numel (self) * ge_dtype_size (dtype));
  return self;
}

GeTensor *
ge_tensor_empty (int            ndim,
                 const gint64  *sizes,
                 GeDType        dtype,
                 GError       **error)
{
  return ge_tensor_new_contiguous (ndim, sizes, dtype, error);
}

GeTensor *
ge_tensor_full (int            ndim,
                const gint64  *sizes,
                double         value,
                GeDType        dtype,
                GError       **error)
{
  GeTensor *self = ge_tensor_new_contiguous (ndim, sizes, dtype, error);
  gint64 n;

  if (self == NULL)
    return NULL;
  n = ge_tensor_numel (self);
  switch (dtype)
    {
    case GE_DTYPE_BOOL:
      memset (self->storage->data, value != 0.0, n);
      break;
    case GE_DTYPE_INT64:
      {
        gint64 *p = self->storage->data, v = (gint64) value;
        for (gint64 i = 0; i < n; i++)
          p[i] = v;
      }
      break;
    case GE_DTYPE_FLOAT32:
      {
        float *p = self->storage->data, v = (float) value;
        for (gint64 i = 0; i < n; i++)
          p[i] = v;
      }
      break;
    case GE_DTYPE_FLOAT64:
    default:
      {
        double *p = self->storage->data;
        for (gint64 i = 0; i < n; i++)
          p[i] = value;
      }
      break;
    }
  return self;
}

GeTensor *
ge_tensor_zeros (int            ndim,
                 const gint64  *sizes,
                 GeDType        dtype,
                 GError       **error)
{
  GeTensor *self = ge_tensor_new_contiguous (ndim, sizes, dtype, error);

  if (self != NULL)
    memset (self->storage->data, 0, self->storage->nbytes);
  return self;
}

GeTensor *
ge_tensor_ones (int            ndim,
                const gint64  *sizes,
                GeDType        dtype,
                GError       **error)
{
  return ge_tensor_full (ndim, sizes, 1.0, dtype, error);
}

GeTensor *
ge_tensor_scalar (double  value,
                  GeDType dtype)
{
  GeTensor *self = ge_tensor_new_contiguous (0, NULL, dtype, NULL);

  ge_store_double (self->storage->data, dtype, value);
  return self;
}

GeTensor *
ge_tensor_wrap_double (double value)
{
  GeTensor *self = ge_tensor_scalar (value, GE_DTYPE_FLOAT64);

  self->is_wrapped_number = TRUE;
  return self;
}

GeTensor *
ge_tensor_wrap_int (gint64 value)
{
  GeTensor *self = ge_tensor_new_contiguous (0, NULL, GE_DTYPE_INT64, NULL);

  /* Through gint64, not double: large ints stay exact. */
  *(gint64 *) self->storage->data = value;
  self->is_wrapped_number = TRUE;
  return self;
}

GeTensor *
ge_tensor_wrap_bool (gboolean value)
{
  GeTensor *self = ge_tensor_scalar (value ? 1.0 : 0.0, GE_DTYPE_BOOL);

  self->is_wrapped_number = TRUE;
  return self;
}

/*
 * ATen fills ranges with cpu_serial_kernel_vec: blocks of two vectors
 * (Vectorized<T> holds 32 bytes: 8 floats, 4 doubles or int64s) computed as
 * base + j * step, then a scalar tail.  Reproducing that order reproduces
 * PyTorch's roundings exactly.
 */
#define VEC_BYTES 32

GeTensor *
ge_tensor_arange (double    start,
                  double    end,
                  double    step,
                  GeDType   dtype,
                  gboolean  infer_dtype,
                  GError  **error)
{
  GeTensor *self;
  double span;
  gint64 n, idx = 0, lanes;
  gsize elem;
  char *data;

  if (infer_dtype)
    dtype = (start == floor (start) && end == floor (end) && step == floor (step))
            ? GE_DTYPE_INT64 : GE_DTYPE_FLOAT32;
  if (step == 0.0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "step must be nonzero");
      return NULL;
    }
  if (!isfinite (start) || !isfinite (end))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "unsupported range: %g -> %g", start, end);
      return NULL;
    }
  if ((step > 0 && end < start) || (step < 0 && end > start))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "upper bound and larger bound inconsistent with step sign");
      return NULL;
    }

  span = ceil ((end - start) / step);
  if (span > (double) G_MAXINT64 / 16)
    span = (double) G_MAXINT64 / 16;
  n = (gint64) span;
  self = ge_tensor_new_contiguous (1, &n, dtype, error);
  if (self == NULL)
    return NULL;

  elem = ge_dtype_size (dtype);
  data = self->storage->data;
  lanes = VEC_BYTES / elem;
  if (dtype == GE_DTYPE_FLOAT32)
    {
      /* base in the accumulate type (double), rounded to float; lanes in double */
      float *p = (float *) data;
      for (; idx + 2 * lanes <= n; idx += 2 * lanes)
        for (gint64 v = idx; v < idx + 2 * lanes; v += lanes)
          {
            float base = (float) (start + step * (double) v);
            for (gint64 j = 0; j < lanes; j++)
              p[v + j] = (float) ((double) base + (double) j * step);
          }
      for (; idx < n; idx++)
        p[idx] = (float) (start + step * (double) idx);
    }
  else
    for (gint64 i = 0; i < n; i++)
      ge_store_double (data + i * elem, dtype, start + (double) i * step);
  return self;
}

GeTensor *
ge_tensor_linspace (double    start,
                    double    end,
                    gint64    steps,
                    GeDType   dtype,
                    GError  **error)
{
  GeTensor *self;
  gint64 halfway, idx = 0;

  if (steps < 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "number of steps must be non-negative");
      return NULL;
    }
  self = ge_tensor_new_contiguous (1, &steps, dtype, error);
  if (self == NULL)
    return NULL;
  if (steps == 1)
    {
      ge_store_double (self->storage->data, dtype, start);
      return self;
    }
  halfway = steps / 2;

  /* Forward from the start for the first half, back from the end for the
   * second, in the dtype's own precision. */
  if (dtype == GE_DTYPE_FLOAT32)
    {
      float *p = self->storage->data;
      float fstart = (float) start, fend = (float) end;
      float step = (fend - fstart) / (float) (steps - 1);
      gint64 lanes = VEC_BYTES / sizeof (float);

      for (; idx + 2 * lanes <= steps; idx += 2 * lanes)
        for (gint64 v = idx; v < idx + 2 * lanes; v += lanes)
          {
            float base = v < halfway ? fstart + step * (float) v
                                   : fend - step * (float) (steps - v - 1);
            for (gint64 j = 0; j < lanes; j++)
              p[v + j] = base + (float) j * step;
          }
      for (; idx < steps; idx++)
        p[idx] = idx < halfway ? fstart + step * (float) idx
                               : fend - step * (float) (steps - idx - 1);
    }
  else if (dtype == GE_DTYPE_FLOAT64)
    {
      double *p = self->storage->data;
      double step = (end - start) / (double) (steps - 1);
      gint64 lanes = VEC_BYTES / sizeof (double);

      for (; idx + 2 * lanes <= steps; idx += 2 * lanes)
        for (gint64 v = idx; v < idx + 2 * lanes; v += lanes)
          {
            double base = v < halfway ? start + step * (double) v
                                   : end - step * (double) (steps - v - 1);
            for (gint64 j = 0; j < lanes; j++)
              p[v + j] = base + (double) j * step;
          }
      for (; idx < steps; idx++)
        p[idx] = idx < halfway ? start + step * (double) idx
                               : end - step * (double) (steps - idx - 1);
    }
  else
    {
      /* integer dtypes step in double and truncate */
      double step = (end - start) / (double) (steps - 1);
      for (; idx < steps; idx++)
        ge_store_double ((char *) self->storage->data + idx * ge_dtype_size (dtype), dtype,
                         idx < halfway ? start + step * (double) idx
                                       : end - step * (double) (steps - idx - 1));
    }
  return self;
}

GeTensor *
ge_tensor_eye (gint64    n,
               gint64    m,
               GeDType   dtype,
               GError  **error)
{
  gint64 sizes[2] = { n, m < 0 ? n : m };
  GeTensor *self;

  if (n < 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "n must be greater or equal to 0, got %" G_GINT64_FORMAT, n);
      return NULL;
    }
  self = ge_tensor_zeros (2, sizes, dtype, error);
  if (self == NULL)
    return NULL;
  for (gint64 i = 0; i < MIN (sizes[0], sizes[1]); i++)
    ge_store_double ((char *) self->storage->data + (i * sizes[1] + i) * ge_dtype_size (dtype),
                     dtype, 1.0);
  return self;
}

GeTensor *
ge_tensor_zeros_like (const GeTensor *other,
                      GError        **error)
{
  /* on @other's device, as in PyTorch */
  if (ge_tensor_get_device (other) != GE_DEVICE_CPU)
    return ge_tensor_zeros_on (ge_tensor_get_device (other), other->ndim, other->sizes,
                               other->dtype, error);
  return ge_tensor_zeros (other->ndim, other->sizes, other->dtype, error);
}

GeTensor *
ge_tensor_ones_like (const GeTensor *other,
                     GError        **error)
{
  if (ge_tensor_get_device (other) != GE_DEVICE_CPU)
    return ge_tensor_ones_on (ge_tensor_get_device (other), other->ndim, other->sizes,
                              other->dtype, error);
  return ge_tensor_ones (other->ndim, other->sizes, other->dtype, error);
}

GeTensor *
ge_tensor_full_like (const GeTensor *other,
                     double          value,
                     GError        **error)
{
  if (ge_tensor_get_device (other) != GE_DEVICE_CPU)
    return ge_tensor_full_on (ge_tensor_get_device (other), other->ndim, other->sizes, value,
                              other->dtype, error);
  return ge_tensor_full (other->ndim, other->sizes, value, other->dtype, error);
}

GeTensor *
ge_tensor_empty_like (const GeTensor *other,
                      GError        **error)
{
  if (ge_tensor_get_device (other) != GE_DEVICE_CPU)
    return ge_tensor_empty_on (ge_tensor_get_device (other), other->ndim, other->sizes,
                               other->dtype, error);
  return ge_tensor_empty (other->ndim, other->sizes, other->dtype, error);
}

/* ---- literals: "[[1, 2.5], [3, 4]]" ---- */

typedef enum { KIND_BOOL, KIND_INT, KIND_FLOAT } LiteralKind;

typedef struct
{
  const char *text;
  const char *p;
  int         ndim;          /* -1 until the first scalar fixes the depth */
  gint64      sizes[GE_MAX_DIMS];
  gboolean    size_known[GE_MAX_DIMS];
  GArray     *values;        /* double */
  GArray     *int_values;    /* gint64: exact for big ints */
  LiteralKind kind;
} LiteralParser;

static void
skip_space (LiteralParser *parser)
{
  while (g_ascii_isspace (*parser->p))
    parser->p++;
}

static gboolean
syntax_error (LiteralParser *parser,
              GError       **error)
{
  g_set_error (error, GE_ERROR, GE_ERROR_VALUE,
               "could not parse tensor literal at offset %d: \"%.20s\"",
               (int) (parser->p - parser->text), parser->p);
  return FALSE;
}

static gboolean
parse_scalar (LiteralParser *parser,
              GError       **error)
{
  const char *p = parser->p;
  double value;
  gint64 int_value = 0;
  LiteralKind kind;

  if (g_str_has_prefix (p, "True"))
    {
      value = 1, int_value = 1, kind = KIND_BOOL;
      parser->p += 4;
    }
  else if (g_str_has_prefix (p, "False"))
    {
      value = 0, kind = KIND_BOOL;
      parser->p += 5;
    }
  else
    {
      gboolean negative = *p == '-';
      const char *q = negative || *p == '+' ? p + 1 : p;
      char *end = NULL;

      if (g_str_has_prefix (q, "nan"))
        {
          value = NAN, kind = KIND_FLOAT;
          parser->p = q + 3;
        }
      else if (g_str_has_prefix (q, "inf"))
        {
          value = negative ? -INFINITY : INFINITY, kind = KIND_FLOAT;
          parser->p = q + 3;
        }
      else
        {
          size_t len = strspn (p, "+-0123456789");
          value = g_ascii_strtod (p, &end);
          if (end == p)
            return syntax_error (parser, error);
          kind = (end - p == (gssize) len) ? KIND_INT : KIND_FLOAT;
          if (kind == KIND_INT)
            int_value = g_ascii_strtoll (p, NULL, 10);
          parser->p = end;
        }
    }

  parser->kind = MAX (parser->kind, kind);
  g_array_append_val (parser->values, value);
  g_array_append_val (parser->int_values, int_value);
  return TRUE;
}

static gboolean
parse_value (LiteralParser *parser,
             int            depth,
             GError       **error)
{
  gint64 count = 0;

  skip_space (parser);
  if (*parser->p != '[')
    {
      if (parser->ndim < 0)
        parser->ndim = depth;
      else if (parser->ndim != depth)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_VALUE,
                       "expected sequence of length %" G_GINT64_FORMAT " at dim %d (got 0)",
                       parser->sizes[depth], depth);
          return FALSE;
        }
      return parse_scalar (parser, error);
    }

  if (depth >= GE_MAX_DIMS)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_VALUE,
                   "Gradlab supports at most %d dimensions", GE_MAX_DIMS);
      return FALSE;
    }
  if (parser->ndim >= 0 && depth >= parser->ndim)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_TYPE,
                   "new(): invalid data type 'list'");
      return FALSE;
    }

  parser->p++;
  skip_space (parser);
  while (*parser->p != ']')
    {
      if (!parse_value (parser, depth + 1, error))
        return FALSE;
      count++;
      skip_space (parser);
      if (*parser->p == ',')
        {
          parser->p++;
          skip_space (parser);
        }
      else if (*parser->p != ']')
        return syntax_error (parser, error);
    }
  parser->p++;

  if (count == 0 && parser->ndim < 0)
    parser->ndim = depth + 1;
  if (!parser->size_known[depth])
    {
      parser->size_known[depth] = TRUE;
      parser->sizes[depth] = count;
    }
  else if (parser->sizes[depth] != count)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_VALUE,
                   "expected sequence of length %" G_GINT64_FORMAT " at dim %d (got %" G_GINT64_FORMAT ")",
                   parser->sizes[depth], depth, count);
      return FALSE;
    }
  return TRUE;
}

static GeTensor *
new_from_literal (const char *literal,
                  gboolean    infer,
                  GeDType     dtype,
                  GError    **error)
{
  LiteralParser parser = { 0 };
  GeTensor *self = NULL;

  g_return_val_if_fail (literal != NULL, NULL);

  parser.text = parser.p = literal;
  parser.ndim = -1;
  parser.values = g_array_new (FALSE, FALSE, sizeof (double));
  parser.int_values = g_array_new (FALSE, FALSE, sizeof (gint64));
  parser.kind = KIND_BOOL;

  if (!parse_value (&parser, 0, error))
    goto out;
  skip_space (&parser);
  if (*parser.p != '\0')
    {
      syntax_error (&parser, error);
      goto out;
    }

  if (infer)
    {
      if (parser.values->len == 0 || parser.kind == KIND_FLOAT)
        dtype = GE_DTYPE_FLOAT32;
      else if (parser.kind == KIND_INT)
        dtype = GE_DTYPE_INT64;
      else
        dtype = GE_DTYPE_BOOL;
    }

  self = ge_tensor_new_contiguous (MAX (parser.ndim, 0), parser.sizes, dtype, error);
  if (self == NULL)
    goto out;
  for (guint i = 0; i < parser.values->len; i++)
    {
      char *ptr = (char *) self->storage->data + i * ge_dtype_size (dtype);
      if (dtype == GE_DTYPE_INT64 && parser.kind != KIND_FLOAT)
        *(gint64 *) ptr = g_array_index (parser.int_values, gint64, i);
      else
        ge_store_double (ptr, dtype, g_array_index (parser.values, double, i));
    }

out:
  g_array_unref (parser.values);
  g_array_unref (parser.int_values);
  return self;
}

GeTensor *
ge_tensor_new_from_literal (const char  *literal,
                            GError     **error)
{
  return new_from_literal (literal, TRUE, GE_DTYPE_FLOAT32, error);
}

GeTensor *
ge_tensor_new_from_literal_dtype (const char  *literal,
                                  GeDType      dtype,
                                  GError     **error)
{
  return new_from_literal (literal, FALSE, dtype, error);
}
