/* test-print.c - repr of tensors against PyTorch 1.13's strings */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <stdlib.h>
#include <string.h>

#include "ge-test-util.h"
#include "ge-tensor-private.h"

/* golden/print.golden, from gen-print.py */
static GeGolden *golden;

#define SIZES(...) ((const gint64[]) { __VA_ARGS__ })

static void
assert_repr (GeTensor            *t,
             const GeReprOptions *options,
             const char          *expected)
{
  g_autofree char *text = ge_tensor_repr (t, options);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_literal_repr (const char *literal,
                     GeDType     dtype,
                     const char *expected)
{
  g_autoptr(GeTensor) t = ge_test_tensor_dtype (literal, dtype);

  assert_repr (t, NULL, expected);
}

static GeTensor *
arange_f32 (gint64 n)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_empty (1, &n, GE_DTYPE_FLOAT32, &error);

  g_assert_no_error (error);
  for (gint64 i = 0; i < n; i++)
    ((float *) ge_tensor_data_ptr (t))[i] = (float) i;
  return t;
}

/* ---- the oracles of pytorch-compat.md, spelt out ---- */

static void
test_oracle_values (void)
{
  assert_literal_repr ("[1., 2., 3.]", GE_DTYPE_FLOAT32, "tensor([1., 2., 3.])");
  assert_literal_repr ("[0.0, 1.5, nan, -inf]", GE_DTYPE_FLOAT32,
                       "tensor([0.0000, 1.5000,    nan,   -inf])");
  assert_literal_repr ("[1e-5, 1.0]", GE_DTYPE_FLOAT32, "tensor([1.0000e-05, 1.0000e+00])");
  assert_literal_repr ("[1.0, 1e4]", GE_DTYPE_FLOAT32, "tensor([1.0000e+00, 1.0000e+04])");
  assert_literal_repr ("[0.5, 100.25]", GE_DTYPE_FLOAT32, "tensor([  0.5000, 100.2500])");
  assert_literal_repr ("[1, -20, 300]", GE_DTYPE_INT64, "tensor([  1, -20, 300])");
  assert_literal_repr ("[0.1, 0.2]", GE_DTYPE_FLOAT64,
                       "tensor([0.1000, 0.2000], dtype=torch.float64)");
  assert_literal_repr ("3.14159265358979", GE_DTYPE_FLOAT32, "tensor(3.1416)");
  assert_literal_repr ("7", GE_DTYPE_INT64, "tensor(7)");
  assert_literal_repr ("[True, False]", GE_DTYPE_BOOL, "tensor([ True, False])");
  assert_literal_repr ("[-0.0, 1.25]", GE_DTYPE_FLOAT32, "tensor([-0.0000, 1.2500])");
}

static void
test_oracle_suffixes (void)
{
  g_autoptr(GeTensor) eight = ge_test_tensor_dtype ("8.", GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) pair = ge_test_tensor_dtype ("[-1., 2.]", GE_DTYPE_FLOAT64);
  g_autoptr(GeTensor) three = ge_test_tensor_dtype ("[0.3034, -0.8266, -0.6182]",
                                                    GE_DTYPE_FLOAT64);
  GeReprOptions sum0 = { .grad_fn_name = "SumBackward0" };
  GeReprOptions leaf = { .requires_grad = TRUE };
  GeReprOptions sum1 = { .grad_fn_name = "SumBackward1", .requires_grad = TRUE };

  assert_repr (eight, &sum0, "tensor(8., grad_fn=<SumBackward0>)");
  assert_repr (pair, &leaf, "tensor([-1.,  2.], dtype=torch.float64, requires_grad=True)");
  /* grad_fn wins over requires_grad, and wraps past column 80. */
  assert_repr (three, &sum1,
               "tensor([ 0.3034, -0.8266, -0.6182], dtype=torch.float64,\n"
               "       grad_fn=<SumBackward1>)");
}

static void
test_oracle_wrapping (void)
{
  g_autoptr(GeTensor) thirty = arange_f32 (30);

  assert_repr (thirty, NULL,
               "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
               "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
               "        28., 29.])");
}

static void
test_oracle_summary (void)
{
  g_autoptr(GeTensor) big = arange_f32 (2000);

  assert_repr (big, NULL,
               "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
               "        1.9990e+03])");
}

static void
test_parameter_prefix (void)
{
  g_autoptr(GeTensor) t = ge_test_tensor_dtype ("[[0.5, -1.0]]", GE_DTYPE_FLOAT32);
  GeReprOptions parameter = { .is_parameter = TRUE, .requires_grad = TRUE };

  assert_repr (t, &parameter,
               "Parameter containing:\ntensor([[ 0.5000, -1.0000]], requires_grad=True)");
}

static void
test_zero_options_are_defaults (void)
{
  g_autoptr(GeTensor) big = arange_f32 (1500);
  GeReprOptions zero = { 0, };
  g_autofree char *with_null = ge_tensor_repr (big, NULL);
  g_autofree char *with_zero = ge_tensor_repr (big, &zero);

  g_assert_cmpstr (with_null, ==, with_zero);
  g_assert_true (strstr (with_null, " ...") != NULL);
}

/* A view with an offset and gaps prints its own elements only. */
static void
test_strided_view (void)
{
  g_autoptr(GeTensor) base = arange_f32 (12);
  g_autoptr(GeTensor) view = ge_tensor_as_strided (base, 2, SIZES (2, 3), SIZES (5, 2), 1);
  g_autoptr(GeTensor) column = ge_tensor_as_strided (base, 1, SIZES (3), SIZES (4), 3);

  assert_repr (view, NULL, "tensor([[ 1.,  3.,  5.],\n        [ 6.,  8., 10.]])");
  assert_repr (column, NULL, "tensor([ 3.,  7., 11.])");
}

/* ---- the golden set ---- */

static void
apply_options (const char    *spec,
               GeReprOptions *options,
               gboolean      *transpose,
               gboolean      *cuda,
               char         **grad_fn_storage)
{
  g_auto(GStrv) items = g_strsplit (spec, ";", -1);

  for (int i = 0; items[i] != NULL; i++)
    {
      const char *item = items[i];
      const char *eq = strchr (item, '=');
      g_autofree char *key = NULL;
      const char *value;

      if (*item == '\0')
        continue;
      g_assert_nonnull (eq);
      key = g_strndup (item, eq - item);
      value = eq + 1;

      if (g_str_equal (key, "grad_fn"))
        {
          *grad_fn_storage = g_strdup (value);
          options->grad_fn_name = *grad_fn_storage;
        }
      else if (g_str_equal (key, "requires_grad"))
        options->requires_grad = atoi (value) != 0;
      else if (g_str_equal (key, "parameter"))
        options->is_parameter = atoi (value) != 0;
      else if (g_str_equal (key, "precision"))
        options->precision = atoi (value);
      else if (g_str_equal (key, "threshold"))
        options->threshold = g_ascii_strtoll (value, NULL, 10);
      else if (g_str_equal (key, "edgeitems"))
        options->edgeitems = atoi (value);
      else if (g_str_equal (key, "linewidth"))
        options->linewidth = atoi (value);
      else if (g_str_equal (key, "transpose"))
        *transpose = atoi (value) != 0;
      else if (g_str_equal (key, "cuda"))
        *cuda = atoi (value) != 0;
      else
        g_error ("unknown option '%s' in golden", key);
    }
}

static void
test_golden_case (gconstpointer data)
{
  const char *name = data;
  g_autofree char *tensor_key = g_strdup_printf ("case.%s.tensor", name);
  g_autofree char *repr_key = g_strdup_printf ("case.%s.repr", name);
  g_autofree char *options_key = g_strdup_printf ("case.%s.options", name);
  g_autofree char *grad_fn = NULL;
  g_autoptr(GeTensor) base = ge_golden_tensor (golden, tensor_key);
  g_autoptr(GeTensor) shown = NULL;
  GeReprOptions options = { 0, };
  gboolean transpose = FALSE, cuda = FALSE;
  g_autofree char *text = NULL;

  apply_options (ge_golden_string (golden, options_key), &options, &transpose, &cuda, &grad_fn);

  if (transpose)
    {
      gint64 rows = ge_tensor_get_size (base, 0), cols = ge_tensor_get_size (base, 1);

      shown = ge_tensor_as_strided (base, 2, SIZES (cols, rows), SIZES (1, cols), 0);
      g_assert_false (ge_tensor_is_contiguous (shown));
    }
  else
    shown = ge_tensor_ref (base);

  /* Only the device tag is under test: the contents stay in host memory. */
  if (cuda)
    shown->storage->device = GE_DEVICE_CUDA;
  text = ge_tensor_repr (shown, &options);
  shown->storage->device = GE_DEVICE_CPU;

  g_assert_cmpstr (text, ==, ge_golden_string (golden, repr_key));
}

int
main (int argc, char *argv[])
{
  g_auto(GStrv) keys = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("print");

  g_test_add_func ("/engine/print/oracle/values", test_oracle_values);
  g_test_add_func ("/engine/print/oracle/suffixes", test_oracle_suffixes);
  g_test_add_func ("/engine/print/oracle/wrapping", test_oracle_wrapping);
  g_test_add_func ("/engine/print/oracle/summary", test_oracle_summary);
  g_test_add_func ("/engine/print/parameter-prefix", test_parameter_prefix);
  g_test_add_func ("/engine/print/zero-options-are-defaults", test_zero_options_are_defaults);
  g_test_add_func ("/engine/print/strided-view", test_strided_view);

  keys = ge_golden_keys (golden, "case.");
  for (int i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *path = NULL;
      char *name;

      if (!g_str_has_suffix (keys[i], ".repr"))
        continue;
      name = g_strndup (keys[i] + strlen ("case."),
                        strlen (keys[i]) - strlen ("case.") - strlen (".repr"));
      path = g_strdup_printf ("/engine/print/golden/%s", name);
      g_test_add_data_func_full (path, name, test_golden_case, g_free);
    }

  status = g_test_run ();
  ge_golden_free (golden);
  return status;
}
