/* test-tensor.c - the tensor core: lifetime, geometry, type promotion, broadcasting */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-test-util.h"
#include "ge-tensor-private.h"

static GeGolden *golden;

static GeDType
dtype_from_name (const char *name)
{
  if (g_str_equal (name, "bool")) return GE_DTYPE_BOOL;
  if (g_str_equal (name, "int64")) return GE_DTYPE_INT64;
  if (g_str_equal (name, "float32")) return GE_DTYPE_FLOAT32;
  g_assert_cmpstr (name, ==, "float64");
  return GE_DTYPE_FLOAT64;
}

/* kind "dim" (a 1-D tensor), "zero" (0-dim tensor) or "py" (Python number) */
static GeTensor *
operand (const char *kind,
         GeDType     dtype)
{
  gint64 two = 2;

  if (g_str_equal (kind, "dim"))
    return ge_tensor_zeros (1, &two, dtype, NULL);
  if (g_str_equal (kind, "zero"))
    return ge_tensor_zeros (0, NULL, dtype, NULL);
  switch (dtype)
    {
    case GE_DTYPE_BOOL:  return ge_tensor_wrap_bool (TRUE);
    case GE_DTYPE_INT64: return ge_tensor_wrap_int (3);
    case GE_DTYPE_FLOAT32:
    case GE_DTYPE_FLOAT64:
    default:             return ge_tensor_wrap_double (2.5);
    }
}

static void
test_result_type_matches_torch (void)
{
  g_auto(GStrv) keys = ge_golden_keys (golden, "rt.");
  guint n = g_strv_length (keys);

  /* 11 operand kinds, pairs of two Python numbers excluded */
  g_assert_cmpuint (n, ==, 11 * 11 - 9);
  for (guint i = 0; i < n; i++)
    {
      g_auto(GStrv) parts = g_strsplit (keys[i], ".", -1);
      g_autoptr(GeTensor) a = operand (parts[1], dtype_from_name (parts[2]));
      g_autoptr(GeTensor) b = operand (parts[3], dtype_from_name (parts[4]));
      g_autoptr(GeTensor) sum = NULL;
      const char *expected = ge_golden_string (golden, keys[i]);
      GeTensor *ops[2] = { a, b };

      g_test_message ("%s -> %s", keys[i], expected);
      g_assert_cmpint (ge_result_type (2, ops), ==, dtype_from_name (expected));
      /* and the ops use it: a * b has that dtype */
      sum = ge_tensor_mul (a, b, NULL);
      g_assert_nonnull (sum);
      g_assert_cmpint (ge_tensor_get_dtype (sum), ==, dtype_from_name (expected));
    }
}

static void
test_contiguous_strides_and_numel (void)
{
  gint64 sizes[] = { 2, 3, 4 };
  g_autoptr(GeTensor) t = ge_tensor_zeros (3, sizes, GE_DTYPE_FLOAT32, NULL);
  const gint64 *strides = ge_tensor_get_strides (t);

  g_assert_cmpint (ge_tensor_get_ndim (t), ==, 3);
  g_assert_cmpint (strides[0], ==, 12);
  g_assert_cmpint (strides[1], ==, 4);
  g_assert_cmpint (strides[2], ==, 1);
  g_assert_cmpint (ge_tensor_numel (t), ==, 24);
  g_assert_true (ge_tensor_is_contiguous (t));
  g_assert_cmpint (ge_tensor_get_size (t, -1), ==, 4);
  g_assert_cmpint (ge_tensor_get_size (t, 3), ==, -1);
}

static void
test_as_strided_geometry_and_contiguity (void)
{
  g_autoptr(GeTensor) base = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  gint64 sizes[] = { 3, 2 }, strides[] = { 1, 3 };
  g_autoptr(GeTensor) t = ge_tensor_as_strided (base, 2, sizes, strides, 0);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[1., 4.], [2., 5.], [3., 6.]]");
  gint64 one_sizes[] = { 1, 3 }, one_strides[] = { 99, 1 };
  g_autoptr(GeTensor) row = ge_tensor_as_strided (base, 2, one_sizes, one_strides, 3);
  g_autofree char *list = ge_tensor_to_list_string (t);

  g_assert_false (ge_tensor_is_contiguous (t));
  g_assert_true (ge_tensor_shares_storage (t, base));
  ge_assert_tensor_equal (t, expected);
  g_assert_cmpstr (list, ==, "[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]");
  /* size-1 dims do not break contiguity, whatever their stride */
  g_assert_true (ge_tensor_is_contiguous (row));
  g_assert_cmpfloat (ge_tensor_get_flat (row, 0), ==, 4.0);
}

static void
test_refcount_keeps_storage_alive (void)
{
  GeTensor *base = ge_test_tensor ("[1., 2., 3.]");
  gint64 sizes[] = { 2 }, strides[] = { 1 };
  g_autoptr(GeTensor) view = ge_tensor_as_strided (base, 1, sizes, strides, 1);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[2., 3.]");

  /* the view owns a reference to the storage, not to the base header */
  ge_tensor_unref (base);
  ge_assert_tensor_equal (view, expected);
  g_assert_true (ge_tensor_ref (view) == view);
  ge_tensor_unref (view);
}

static void
test_version_counter_is_shared_by_views (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) base = ge_test_tensor ("[1., 2., 3.]");
  gint64 sizes[] = { 2 }, strides[] = { 1 };
  g_autoptr(GeTensor) view = ge_tensor_as_strided (base, 1, sizes, strides, 1);
  guint64 before = ge_tensor_get_version (base);

  g_assert_true (ge_tensor_fill_ (view, 0.0, &error));
  g_assert_cmpuint (ge_tensor_get_version (base), ==, before + 1);
  g_assert_cmpuint (ge_tensor_get_version (view), ==, before + 1);
}

static void
test_broadcast_shapes_rules (void)
{
  g_autoptr(GError) error = NULL;
  gint64 a[] = { 4, 1, 3 }, b[] = { 2, 1 }, out[GE_MAX_DIMS];
  gint64 c[] = { 3 }, d[] = { 4 };
  int ndim;

  g_assert_true (ge_broadcast_shapes (3, a, 2, b, &ndim, out, &error));
  g_assert_cmpint (ndim, ==, 3);
  g_assert_cmpint (out[0], ==, 4);
  g_assert_cmpint (out[1], ==, 2);
  g_assert_cmpint (out[2], ==, 3);
  g_assert_true (ge_broadcast_shapes (0, NULL, 1, c, &ndim, out, &error));
  g_assert_cmpint (ndim, ==, 1);

  g_assert_false (ge_broadcast_shapes (1, c, 1, d, &ndim, out, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0");
}

static void
test_normalize_dim_errors_like_torch (void)
{
  g_autoptr(GError) error = NULL;
  int dim = -2;

  g_assert_true (ge_normalize_dim (&dim, 3, &error));
  g_assert_cmpint (dim, ==, 1);
  dim = 0;
  g_assert_true (ge_normalize_dim (&dim, 0, &error));
  dim = 3;
  g_assert_false (ge_normalize_dim (&dim, 3, &error));
  ge_assert_error (error, GE_ERROR_INDEX,
                   "Dimension out of range (expected to be in range of [-3, 2], but got 3)");
}

static void
test_shape_to_string (void)
{
  gint64 sizes[] = { 2, 0, 3 };
  g_autofree char *s = ge_shape_to_string (sizes, 3);
  g_autofree char *e = ge_shape_to_string (NULL, 0);

  g_assert_cmpstr (s, ==, "[2, 0, 3]");
  g_assert_cmpstr (e, ==, "[]");
}

static void
test_interrupt_flag_is_consumed_once (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ge_check_interrupt (&error));
  ge_request_interrupt ();
  g_assert_false (ge_check_interrupt (&error));
  g_assert_error (error, GE_ERROR, GE_ERROR_INTERRUPTED);
  g_clear_error (&error);
  g_assert_true (ge_check_interrupt (&error));
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("tensor");

  g_test_add_func ("/engine/tensor/result-type-matches-torch", test_result_type_matches_torch);
  g_test_add_func ("/engine/tensor/contiguous-strides-and-numel", test_contiguous_strides_and_numel);
  g_test_add_func ("/engine/tensor/as-strided-geometry-and-contiguity", test_as_strided_geometry_and_contiguity);
  g_test_add_func ("/engine/tensor/refcount-keeps-storage-alive", test_refcount_keeps_storage_alive);
  g_test_add_func ("/engine/tensor/version-counter-is-shared-by-views", test_version_counter_is_shared_by_views);
  g_test_add_func ("/engine/tensor/broadcast-shapes-rules", test_broadcast_shapes_rules);
  g_test_add_func ("/engine/tensor/normalize-dim-errors-like-torch", test_normalize_dim_errors_like_torch);
  g_test_add_func ("/engine/tensor/shape-to-string", test_shape_to_string);
  g_test_add_func ("/engine/tensor/interrupt-flag-is-consumed-once", test_interrupt_flag_is_consumed_once);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
