/* ge-print.c - repr of tensors, character for character as PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-device-private.h"
#include "ge-print.h"
#include "ge-tensor-private.h"

/*
 * A transcription of torch/_tensor_str.py (1.13) for strided dense tensors:
 * one _Formatter over the shown elements, _tensor_str_with_formatter for the
 * nested brackets and _add_suffixes for the tail.
 */

#define PREFIX "tensor("

typedef struct
{
  int    precision;
  gint64 threshold;
  int    edgeitems;
  int    linewidth;
} PrintOptions;

/* What the formatter learns about the non-zero finite floats. */
typedef struct
{
  gboolean any;
  double   min_abs, max_abs;
  gboolean all_integral;
} FloatScan;

typedef struct
{
  const GeTensor *tensor;
  PrintOptions    opts;
  gboolean        summarize;
  /* _Formatter */
  gboolean        floating;
  gboolean        int_mode;
  gboolean        sci_mode;
  int             max_width;
  FloatScan       scan;
  /* scratch for one formatted element */
  GString        *scratch;
} Printer;

/* ---- elements ---- */

static inline const char *
element_at (const GeTensor *t,
            const char     *base,
            int             dim,
            gint64          index)
{
  return base + index * t->strides[dim] * (gint64) ge_dtype_size (t->dtype);
}

static inline double
load_float (const char *ptr,
            GeDType     dtype)
{
  return dtype == GE_DTYPE_FLOAT32 ? (double) *(const float *) ptr : *(const double *) ptr;
}

typedef void (*ElementVisit) (Printer    *printer,
                              const char *element);

/* Visits the elements the repr shows (get_summarized_data), in order. */
static void
visit_shown (Printer      *printer,
             const char   *base,
             int           dim,
             ElementVisit  visit)
{
  const GeTensor *t = printer->tensor;
  gint64 size, edge = printer->opts.edgeitems;

  if (dim == t->ndim)
    {
      visit (printer, base);
      return;
    }
  size = t->sizes[dim];
  if (printer->summarize && size > 2 * edge)
    {
      for (gint64 i = 0; i < edge; i++)
        visit_shown (printer, element_at (t, base, dim, i), dim + 1, visit);
      for (gint64 i = size - edge; i < size; i++)
        visit_shown (printer, element_at (t, base, dim, i), dim + 1, visit);
    }
  else
    {
      for (gint64 i = 0; i < size; i++)
        visit_shown (printer, element_at (t, base, dim, i), dim + 1, visit);
    }
}

/* ---- _Formatter ---- */

/* Python's str.format of a float for "{:.Nf}", "{:.Ne}" and "{:.0f}":
 * the C library rounds the same way; non-finite values are spelt "nan"
 * (whatever its sign), "inf" and "-inf", and the decimal point is "."
 * whatever the locale. */
static void
format_double (GString *out,
               double   value,
               char     conversion,
               int      precision)
{
  char format[24];
  /* DBL_MAX in %f has 309 digits, plus sign, point and the fraction. */
  gsize size = 320 + (gsize) precision;

  if (isnan (value))
    {
      g_string_assign (out, "nan");
      return;
    }
  if (isinf (value))
    {
      g_string_assign (out, value > 0 ? "inf" : "-inf");
      return;
    }
  g_snprintf (format, sizeof format, "%%.%d%c", precision, conversion);
  g_string_set_size (out, size);
  g_ascii_formatd (out->str, size, format, value);
  g_string_set_size (out, strlen (out->str));
}

static inline gboolean
is_nonzero_finite (double value)
{
  return isfinite (value) && value != 0.0;
}

static void
scan_float (Printer    *printer,
            const char *element)
{
  FloatScan *scan = &printer->scan;
  double value = load_float (element, printer->tensor->dtype);
  double magnitude;

  if (!is_nonzero_finite (value))
    return;
  magnitude = fabs (value);
  if (!scan->any)
    {
      scan->any = TRUE;
      scan->min_abs = scan->max_abs = magnitude;
    }
  else
    {
      scan->min_abs = MIN (scan->min_abs, magnitude);
      scan->max_abs = MAX (scan->max_abs, magnitude);
    }
  if (value != ceil (value))
    scan->all_integral = FALSE;
}

/* The text of one element before alignment (_Formatter.format). */
static const char *
element_text (Printer    *printer,
              const char *element)
{
  GString *s = printer->scratch;

  switch (printer->tensor->dtype)
    {
    case GE_DTYPE_BOOL:
      g_string_assign (s, *(const guint8 *) element ? "True" : "False");
      break;
    case GE_DTYPE_INT64:
      g_string_printf (s, "%" G_GINT64_FORMAT, *(const gint64 *) element);
      break;
    case GE_DTYPE_FLOAT32:
    case GE_DTYPE_FLOAT64:
    default:
      {
        double value = load_float (element, printer->tensor->dtype);

        if (printer->sci_mode)
          format_double (s, value, 'e', printer->opts.precision);
        else if (printer->int_mode)
          {
            format_double (s, value, 'f', 0);
            if (isfinite (value))
              g_string_append_c (s, '.');
          }
        else
          format_double (s, value, 'f', printer->opts.precision);
      }
      break;
    }
  return s->str;
}

/* The width pass: integers and bools measure every shown element, floats
 * only their non-zero finite ones. */
static void
measure_element (Printer    *printer,
                 const char *element)
{
  if (printer->floating
      && !is_nonzero_finite (load_float (element, printer->tensor->dtype)))
    return;
  printer->max_width = MAX (printer->max_width, (int) strlen (element_text (printer, element)));
}

static void
formatter_init (Printer *printer)
{
  const GeTensor *t = printer->tensor;
  const char *base = ge_tensor_data_ptr (t);

  printer->floating = ge_dtype_is_floating (t->dtype);
  printer->int_mode = TRUE;
  printer->sci_mode = FALSE;
  printer->max_width = 1;

  if (printer->floating)
    {
      const FloatScan *scan = &printer->scan;

      printer->scan = (FloatScan) { FALSE, 0.0, 0.0, TRUE };
      visit_shown (printer, base, 0, scan_float);
      /* Only zeros, nan and inf: int mode, width 1. */
      if (!scan->any)
        return;

      printer->int_mode = scan->all_integral;
      printer->sci_mode = scan->max_abs / scan->min_abs > 1000.0 || scan->max_abs > 1.0e8
                          || (!scan->all_integral && scan->min_abs < 1.0e-4);
    }
  /* In int mode the "." counts: element_text already appends it. */
  visit_shown (printer, base, 0, measure_element);
}

static void
append_formatted (GString    *out,
                  Printer    *printer,
                  const char *element)
{
  const char *text = element_text (printer, element);
  int len = (int) strlen (text);

  for (int i = len; i < printer->max_width; i++)
    g_string_append_c (out, ' ');
  g_string_append (out, text);
}

/* ---- _tensor_str_with_formatter ---- */

static void
append_spaces (GString *out,
               int      n)
{
  for (int i = 0; i < n; i++)
    g_string_append_c (out, ' ');
}

static void
append_vector (GString    *out,
               Printer    *printer,
               const char *base,
               int         dim,
               int         indent)
{
  const GeTensor *t = printer->tensor;
  gint64 size = t->sizes[dim];
  gint64 edge = printer->opts.edgeitems;
  int element_length = printer->max_width + 2;
  gint64 per_line = (gint64) floor ((double) (printer->opts.linewidth - indent) / element_length);
  gboolean elide = printer->summarize && size > 2 * edge;
  gint64 n_items = elide ? 2 * edge + 1 : size;

  per_line = MAX (per_line, 1);
  g_string_append_c (out, '[');
  for (gint64 k = 0; k < n_items; k++)
    {
      if (k > 0)
        {
          if (k % per_line == 0)
            {
              g_string_append (out, ",\n");
              append_spaces (out, indent + 1);
            }
          else
            g_string_append (out, ", ");
        }

      if (elide && k == edge)
        g_string_append (out, " ...");
      else
        {
          gint64 i = elide && k > edge ? size - (n_items - k) : k;

          append_formatted (out, printer, element_at (t, base, dim, i));
        }
    }
  g_string_append_c (out, ']');
}

static void
append_tensor (GString    *out,
               Printer    *printer,
               const char *base,
               int         dim,
               int         indent)
{
  const GeTensor *t = printer->tensor;
  int sub_ndim = t->ndim - dim;
  gint64 size, edge = printer->opts.edgeitems;
  gboolean elide;
  gint64 n_items;

  if (sub_ndim == 0)
    {
      append_formatted (out, printer, base);
      return;
    }
  if (sub_ndim == 1)
    {
      append_vector (out, printer, base, dim, indent);
      return;
    }

  size = t->sizes[dim];
  elide = printer->summarize && size > 2 * edge;
  n_items = elide ? 2 * edge + 1 : size;

  g_string_append_c (out, '[');
  for (gint64 k = 0; k < n_items; k++)
    {
      if (k > 0)
        {
          g_string_append_c (out, ',');
          for (int n = 0; n < sub_ndim - 1; n++)
            g_string_append_c (out, '\n');
          append_spaces (out, indent + 1);
        }

      if (elide && k == edge)
        g_string_append (out, "...");
      else
        {
          gint64 i = elide && k > edge ? size - (n_items - k) : k;

          append_tensor (out, printer, element_at (t, base, dim, i), dim + 1, indent + 1);
        }
    }
  g_string_append_c (out, ']');
}

/* ---- _add_suffixes ---- */

static void
add_suffixes (GString   *out,
              GPtrArray *suffixes,
              int        indent,
              int        linewidth)
{
  const char *newline = strrchr (out->str, '\n');
  /* len(s) - s.rfind("\n") + 1, rfind giving -1 when there is none */
  gint64 last_line_len = (gint64) out->len - (newline ? newline - out->str : -1) + 1;

  for (guint i = 0; i < suffixes->len; i++)
    {
      const char *suffix = g_ptr_array_index (suffixes, i);
      gint64 suffix_len = (gint64) strlen (suffix);

      if (last_line_len + suffix_len + 2 > linewidth)
        {
          g_string_append (out, ",\n");
          append_spaces (out, indent);
          g_string_append (out, suffix);
          last_line_len = indent + suffix_len;
        }
      else
        {
          g_string_append (out, ", ");
          g_string_append (out, suffix);
          last_line_len += suffix_len + 2;
        }
    }
  g_string_append_c (out, ')');
}

/* ---- repr ---- */

static void
resolve_options (const GeReprOptions *options,
                 PrintOptions        *opts)
{
  opts->precision = 4;
  opts->threshold = 1000;
  opts->edgeitems = 3;
  opts->linewidth = 80;
  if (options == NULL)
    return;
  if (options->precision > 0)
    opts->precision = options->precision;
  if (options->threshold > 0)
    opts->threshold = options->threshold;
  if (options->edgeitems > 0)
    opts->edgeitems = options->edgeitems;
  if (options->linewidth > 0)
    opts->linewidth = options->linewidth;
}

/* _tensor_str of a non-empty tensor. */
static void
append_tensor_str (GString            *out,
                   const GeTensor     *self,
                   const PrintOptions *opts,
                   int                 indent)
{
  Printer printer = { 0, };

  printer.tensor = self;
  printer.opts = *opts;
  printer.summarize = ge_tensor_numel (self) > opts->threshold;
  printer.scratch = g_string_new (NULL);
  formatter_init (&printer);
  append_tensor (out, &printer, ge_tensor_data_ptr (self), 0, indent);
  g_string_free (printer.scratch, TRUE);
}

char *
ge_tensor_repr (const GeTensor      *self,
                const GeReprOptions *options)
{
  g_autoptr(GPtrArray) suffixes = NULL;
  PrintOptions opts;
  GString *out;
  int indent = (int) strlen (PREFIX);

  g_return_val_if_fail (self != NULL, NULL);

  resolve_options (options, &opts);
  suffixes = g_ptr_array_new_with_free_func (g_free);
  out = g_string_new (PREFIX);

  /* Only the current CUDA device exists, so its index is always 0. */
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    g_ptr_array_add (suffixes, g_strdup ("device='cuda:0'"));

  if (ge_tensor_numel (self) == 0)
    {
      /* The shape is shown unless it is (0,), and the dtype unless it is
       * the default float32: with no elements it cannot be inferred. */
      if (self->ndim != 1)
        {
          GString *size = g_string_new ("size=(");

          for (int d = 0; d < self->ndim; d++)
            g_string_append_printf (size, "%s%" G_GINT64_FORMAT, d > 0 ? ", " : "", self->sizes[d]);
          g_string_append_c (size, ')');
          g_ptr_array_add (suffixes, g_string_free (size, FALSE));
        }
      if (self->dtype != GE_DTYPE_FLOAT32)
        g_ptr_array_add (suffixes, g_strdup_printf ("dtype=%s", ge_dtype_name (self->dtype)));
      g_string_append (out, "[]");
    }
  else
    {
      if (self->dtype == GE_DTYPE_FLOAT64)
        g_ptr_array_add (suffixes, g_strdup_printf ("dtype=%s", ge_dtype_name (self->dtype)));
      /* device memory is printed from a host copy */
      g_autoptr(GeTensor) host = ge_device_readable (self, NULL);

      if (host != NULL)
        append_tensor_str (out, host, &opts, indent);
      else
        g_string_append (out, "[<the device failed to copy the values>]");
    }

  if (options != NULL && options->grad_fn_name != NULL)
    g_ptr_array_add (suffixes, g_strdup_printf ("grad_fn=<%s>", options->grad_fn_name));
  else if (options != NULL && options->requires_grad)
    g_ptr_array_add (suffixes, g_strdup ("requires_grad=True"));

  add_suffixes (out, suffixes, indent, opts.linewidth);

  /* nn.Parameter.__repr__ */
  if (options != NULL && options->is_parameter)
    g_string_prepend (out, "Parameter containing:\n");

  return g_string_free (out, FALSE);
}
