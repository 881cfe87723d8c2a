/* test-creation.c - making tensors: literals, ranges, constants, vs PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-test-util.h"

static GeGolden *golden;

static void
test_literals_infer_dtype_like_torch_tensor (void)
{
  for (int i = 0; ; i++)
    {
      g_autofree char *ktext = g_strdup_printf ("lit.%02d.text", i);
      g_autofree char *kout = g_strdup_printf ("lit.%02d.out", i);
      g_autoptr(GeTensor) expected = NULL;
      g_autoptr(GeTensor) t = NULL;
      g_autoptr(GError) error = NULL;

      if (!ge_golden_has (golden, ktext))
        {
          g_assert_cmpint (i, ==, 16);
          break;
        }
      g_test_message ("literal %s", ge_golden_string (golden, ktext));
      expected = ge_golden_tensor (golden, kout);
      t = ge_tensor_new_from_literal (ge_golden_string (golden, ktext), &error);
      g_assert_no_error (error);
      ge_assert_tensor_equal (t, expected);
    }
}

static void
test_ragged_literal_is_a_value_error (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (ge_tensor_new_from_literal ("[[1, 2], [3]]", &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "lit.ragged"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_new_from_literal ("[[1, 2], [3, 4, 5]]", &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "lit.ragged2"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_new_from_literal ("[1, 2", &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_null (ge_tensor_new_from_literal ("[1, x]", &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_VALUE);
}

static void
test_literal_with_forced_dtype (void)
{
  g_autoptr(GeTensor) t = ge_test_tensor_dtype ("[1, 2.5]", GE_DTYPE_FLOAT64);
  g_autoptr(GeTensor) i = ge_test_tensor_dtype ("[1.9, -2.9]", GE_DTYPE_INT64);

  g_assert_cmpint (ge_tensor_get_dtype (t), ==, GE_DTYPE_FLOAT64);
  g_assert_cmpfloat (ge_tensor_get_flat (t, 1), ==, 2.5);
  /* float -> int truncates toward zero */
  g_assert_cmpfloat (ge_tensor_get_flat (i, 0), ==, 1.0);
  g_assert_cmpfloat (ge_tensor_get_flat (i, 1), ==, -2.0);
}

static void
check (const char *key,
       GeTensor   *t,
       GError     *error)
{
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, key);

  g_test_message ("%s", key);
  g_assert_no_error (error);
  ge_assert_tensor_equal (t, expected);
  ge_tensor_unref (t);
}

static void
test_ranges_match_torch (void)
{
  GError *error = NULL;
  const double pi = 3.141592653589793;

  check ("arange.5", ge_tensor_arange (0, 5, 1, GE_DTYPE_INT64, TRUE, &error), error);
  check ("arange.2_9_3", ge_tensor_arange (2, 9, 3, GE_DTYPE_INT64, TRUE, &error), error);
  check ("arange.neg", ge_tensor_arange (5, -4, -2, GE_DTYPE_INT64, TRUE, &error), error);
  check ("arange.float", ge_tensor_arange (0, 1, 0.1, GE_DTYPE_FLOAT32, TRUE, &error), error);
  check ("arange.float_end", ge_tensor_arange (0.5, 4, 1, GE_DTYPE_FLOAT32, TRUE, &error), error);
  check ("arange.long_float", ge_tensor_arange (-3.0, 3.0, 0.25, GE_DTYPE_FLOAT32, TRUE, &error), error);
  check ("arange.dtype64", ge_tensor_arange (0, 2, 0.3, GE_DTYPE_FLOAT64, FALSE, &error), error);
  check ("arange.empty", ge_tensor_arange (0, 0, 1, GE_DTYPE_INT64, TRUE, &error), error);
  check ("linspace.5", ge_tensor_linspace (0, 1, 5, GE_DTYPE_FLOAT32, &error), error);
  check ("linspace.pi", ge_tensor_linspace (-pi, pi, 2000, GE_DTYPE_FLOAT32, &error), error);
  check ("linspace.pi64", ge_tensor_linspace (-pi, pi, 2000, GE_DTYPE_FLOAT64, &error), error);
  check ("linspace.1", ge_tensor_linspace (2, 3, 1, GE_DTYPE_FLOAT32, &error), error);
  check ("linspace.0", ge_tensor_linspace (2, 3, 0, GE_DTYPE_FLOAT32, &error), error);
  check ("linspace.down", ge_tensor_linspace (10, -10, 7, GE_DTYPE_FLOAT32, &error), error);
  check ("linspace.odd", ge_tensor_linspace (-1, 1, 101, GE_DTYPE_FLOAT32, &error), error);
}

static void
test_constants_match_torch (void)
{
  GError *error = NULL;
  gint64 s23[] = { 2, 3 }, s2[] = { 2 }, s22[] = { 2, 2 }, s3[] = { 3 };

  check ("eye.3", ge_tensor_eye (3, -1, GE_DTYPE_FLOAT32, &error), error);
  check ("eye.2x4", ge_tensor_eye (2, 4, GE_DTYPE_FLOAT32, &error), error);
  check ("eye.4x2.64", ge_tensor_eye (4, 2, GE_DTYPE_FLOAT64, &error), error);
  check ("full.2x3", ge_tensor_full (2, s23, 1.5, GE_DTYPE_FLOAT32, &error), error);
  check ("full.int", ge_tensor_full (1, s2, 7, GE_DTYPE_INT64, &error), error);
  check ("zeros.bool", ge_tensor_zeros (2, s22, GE_DTYPE_BOOL, &error), error);
  check ("ones.64", ge_tensor_ones (1, s3, GE_DTYPE_FLOAT64, &error), error);
}

static void
test_like_constructors_copy_shape_and_dtype (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) src = ge_test_tensor ("[[1, 2, 3], [4, 5, 6]]");
  g_autoptr(GeTensor) z = ge_tensor_zeros_like (src, &error);
  g_autoptr(GeTensor) o = ge_tensor_ones_like (src, &error);
  g_autoptr(GeTensor) f = ge_tensor_full_like (src, 9, &error);
  g_autoptr(GeTensor) e = ge_tensor_empty_like (src, &error);
  g_autoptr(GeTensor) ez = ge_test_tensor ("[[0, 0, 0], [0, 0, 0]]");
  g_autoptr(GeTensor) eo = ge_test_tensor ("[[1, 1, 1], [1, 1, 1]]");
  g_autoptr(GeTensor) ef = ge_test_tensor ("[[9, 9, 9], [9, 9, 9]]");

  g_assert_no_error (error);
  ge_assert_tensor_equal (z, ez);
  ge_assert_tensor_equal (o, eo);
  ge_assert_tensor_equal (f, ef);
  g_assert_cmpint (ge_tensor_get_dtype (e), ==, GE_DTYPE_INT64);
  g_assert_cmpint (ge_tensor_get_size (e, 1), ==, 3);
}

static void
test_creation_errors_match_torch (void)
{
  g_autoptr(GError) error = NULL;
  gint64 bad[] = { 2, -1 };

  g_assert_null (ge_tensor_arange (0, 5, 0, GE_DTYPE_INT64, TRUE, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "arange.zero_step"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_arange (0, 5, -1, GE_DTYPE_INT64, TRUE, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "arange.bad_sign"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_empty (2, bad, GE_DTYPE_FLOAT32, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "empty.negative"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_linspace (0, 1, -1, GE_DTYPE_FLOAT32, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "linspace.negative"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_eye (-1, -1, GE_DTYPE_FLOAT32, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "eye.negative"));
}

static void
test_huge_allocation_fails_cleanly (void)
{
  /* 10^12 float32 elements: PyTorch's allocator message, no abort. */
  g_autoptr(GError) error = NULL;
  gint64 n = 1000000000000;
  gint64 overflow[] = { G_GINT64_CONSTANT (1) << 40, G_GINT64_CONSTANT (1) << 40 };
  const char *expected = ge_golden_string (golden, "alloc.huge");

  g_assert_null (ge_tensor_zeros (1, &n, GE_DTYPE_FLOAT32, &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_MEMORY);
  g_assert_cmpstr (error->message, ==, strstr (expected, ": ") + 2);
  g_clear_error (&error);

  /* sizes whose byte count overflows 64 bits: PyTorch's message */
  g_assert_null (ge_tensor_empty (2, overflow, GE_DTYPE_FLOAT64, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "alloc.overflow"));
}

static void
test_item_and_tolist (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) two = ge_test_tensor ("[1., 2.]");
  g_autoptr(GeTensor) one = ge_test_tensor ("[[2.5]]");
  g_autoptr(GeTensor) m = ge_test_tensor ("[[1.5, 2], [3, 4]]");
  g_autoptr(GeTensor) ints = ge_test_tensor ("[[1, -2]]");
  g_autoptr(GeTensor) bools = ge_test_tensor ("[True, False]");
  g_autoptr(GeTensor) small = ge_test_tensor ("[0.1, 1e-5, 1e16, 123456789.0, nan]");
  g_autoptr(GeTensor) scalar = ge_test_tensor ("2.5");
  g_autofree char *s1 = ge_tensor_to_list_string (m);
  g_autofree char *s2 = ge_tensor_to_list_string (ints);
  g_autofree char *s3 = ge_tensor_to_list_string (bools);
  g_autofree char *s4 = ge_tensor_to_list_string (small);
  g_autofree char *s5 = ge_tensor_to_list_string (scalar);
  double v = 0;

  g_assert_true (ge_tensor_item (one, &v, &error));
  g_assert_cmpfloat (v, ==, 2.5);
  g_assert_false (ge_tensor_item (two, &v, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "item.many"));

  g_assert_cmpstr (s1, ==, ge_golden_string (golden, "tolist.2x2"));
  g_assert_cmpstr (s2, ==, ge_golden_string (golden, "tolist.ints"));
  g_assert_cmpstr (s3, ==, ge_golden_string (golden, "tolist.bools"));
  g_assert_cmpstr (s4, ==, ge_golden_string (golden, "tolist.small"));
  g_assert_cmpstr (s5, ==, ge_golden_string (golden, "tolist.scalar"));
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("creation");

  g_test_add_func ("/engine/creation/literals-infer-dtype-like-torch-tensor", test_literals_infer_dtype_like_torch_tensor);
  g_test_add_func ("/engine/creation/ragged-literal-is-a-value-error", test_ragged_literal_is_a_value_error);
  g_test_add_func ("/engine/creation/literal-with-forced-dtype", test_literal_with_forced_dtype);
  g_test_add_func ("/engine/creation/ranges-match-torch", test_ranges_match_torch);
  g_test_add_func ("/engine/creation/constants-match-torch", test_constants_match_torch);
  g_test_add_func ("/engine/creation/like-constructors-copy-shape-and-dtype", test_like_constructors_copy_shape_and_dtype);
  g_test_add_func ("/engine/creation/errors-match-torch", test_creation_errors_match_torch);
  g_test_add_func ("/engine/creation/huge-allocation-fails-cleanly", test_huge_allocation_fails_cleanly);
  g_test_add_func ("/engine/creation/item-and-tolist", test_item_and_tolist);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
