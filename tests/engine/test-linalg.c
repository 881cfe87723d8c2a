/* test-linalg.c - dot, mv, mm, bmm, matmul and linalg.inv against PyTorch and the reference */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-test-util.h"
#include "reference/ge-ref-linalg.h"

/*
 * The goldens (golden/gen-linalg.py) name each call in their keys:
 * "<op>/<operand a>/<operand b>" or "inv/<operand>", so one loop replays
 * them all, once per memory layout of the inputs (row-major, column-major:
 * BLAS transpose flags, and padded: copies).  Every result is also checked
 * against the reference kernels, and random shapes and strided views of
 * every matmul branch are checked against the reference alone.
 */

static GeGolden *golden;

/* ---- operands and layouts ---- */

/* the layouts each golden case is replayed in (index: test data) */
#define N_LAYOUTS 3
static const GeTestLayout layouts[N_LAYOUTS] = {
  GE_TEST_LAYOUT_AS_GIVEN, GE_TEST_LAYOUT_COLUMN_MAJOR, GE_TEST_LAYOUT_PADDED,
};
typedef int Layout;

static const char *layout_names[N_LAYOUTS] = { "as-given", "column-major", "padded" };

/* ---- replaying a call ---- */

typedef GeTensor *(*BinaryOp) (GeTensor *, GeTensor *, GError **);

static void
lookup_op (const char  *name,
           BinaryOp    *op,
           BinaryOp    *ref_op)
{
  static const struct
  {
    const char *name;
    BinaryOp    op;
    BinaryOp    ref_op;
  } ops[] = {
    { "dot", ge_tensor_dot, ge_ref_dot },
    { "mv", ge_tensor_mv, ge_ref_mv },
    { "mm", ge_tensor_mm, ge_ref_mm },
    { "bmm", ge_tensor_bmm, ge_ref_bmm },
    { "matmul", ge_tensor_matmul, ge_ref_matmul },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (g_str_equal (ops[i].name, name))
      {
        *op = ops[i].op;
        *ref_op = ops[i].ref_op;
        return;
      }
  g_error ("unknown op '%s' in a golden key", name);
}

static void
product_tolerance (GeDType  dtype,
                   double  *rtol,
                   double  *atol)
{
  switch (dtype)
    {
    case GE_DTYPE_FLOAT32: *rtol = *atol = 1e-5; break;
    case GE_DTYPE_FLOAT64: *rtol = *atol = 1e-12; break;
    case GE_DTYPE_INT64:
    case GE_DTYPE_BOOL:
    default:               *rtol = *atol = 0.0; break;
    }
}

static void
inverse_tolerance (GeDType  dtype,
                   double  *rtol,
                   double  *atol)
{
  if (dtype == GE_DTYPE_FLOAT32)
    {
      *rtol = 1e-4;
      *atol = 1e-5;
    }
  else
    *rtol = *atol = 1e-10;
}

static void
assert_fresh (GeTensor *result,
              GeTensor *a,
              GeTensor *b)
{
  g_assert_nonnull (result);
  g_assert_true (ge_tensor_is_contiguous (result));
  g_assert_false (ge_tensor_shares_storage (result, a));
  if (b != NULL)
    g_assert_false (ge_tensor_shares_storage (result, b));
}

/* Every n x n matrix of @product (..., n, n) is the identity within @tol. */
static void
assert_identity (GeTensor *product,
                 double    tol)
{
  g_autofree double *values = NULL;
  int ndim = ge_tensor_get_ndim (product);
  gint64 n = ge_tensor_get_size (product, -1);
  gsize count;

  g_assert_cmpint (ndim, >=, 2);
  g_assert_cmpint (ge_tensor_get_size (product, -2), ==, n);
  values = ge_tensor_to_doubles (product, &count);
  for (gsize i = 0; i < count; i++)
    {
      gint64 row = (i / n) % n, col = i % n;
      double expected = row == col ? 1.0 : 0.0;

      if (fabs (values[i] - expected) > tol)
        g_error ("A @ inv(A) [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] = %g", row, col,
                 values[i]);
    }
}

/* ---- golden replays ---- */

static void
check_golden_product (const char *key,
                      Layout      layout)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) parts = g_strsplit (key, "/", -1);
  g_autoptr(GeTensor) a0 = NULL;
  g_autoptr(GeTensor) b0 = NULL;
  g_autoptr(GeTensor) a = NULL;
  g_autoptr(GeTensor) b = NULL;
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) ref_result = NULL;
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, key);
  g_autofree char *what = g_strdup_printf ("%s (%s)", key, layout_names[layout]);
  BinaryOp op, ref_op;
  double rtol, atol;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  lookup_op (parts[0], &op, &ref_op);
  a0 = ge_golden_operand (golden, parts[1]);
  b0 = ge_golden_operand (golden, parts[2]);
  a = ge_test_relayout (a0, layouts[layout]);
  b = ge_test_relayout (b0, layouts[layout]);

  result = op (a, b, &error);
  if (error != NULL)
    g_error ("%s: %s", what, error->message);
  assert_fresh (result, a, b);
  product_tolerance (ge_tensor_get_dtype (a), &rtol, &atol);
  ge_test_assert_close (__FILE__, __LINE__, what, result, expected, rtol, atol);

  ref_result = ref_op (a, b, &error);
  g_assert_no_error (error);
  ge_test_assert_close (__FILE__, __LINE__, what, result, ref_result, rtol, atol);
}

static void
check_golden_inverse (const char *key,
                      Layout      layout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a0 = ge_golden_operand (golden, key + strlen ("inv/"));
  g_autoptr(GeTensor) a = ge_test_relayout (a0, layouts[layout]);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) ref_result = NULL;
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, key);
  g_autofree char *what = g_strdup_printf ("%s (%s)", key, layout_names[layout]);
  double rtol, atol;

  result = ge_tensor_linalg_inv (a, &error);
  if (error != NULL)
    g_error ("%s: %s", what, error->message);
  assert_fresh (result, a, NULL);
  inverse_tolerance (ge_tensor_get_dtype (a), &rtol, &atol);
  ge_test_assert_close (__FILE__, __LINE__, what, result, expected, rtol, atol);

  ref_result = ge_ref_linalg_inv (a, &error);
  g_assert_no_error (error);
  ge_test_assert_close (__FILE__, __LINE__, what, result, ref_result, rtol, atol);

  /* A @ inv(A) = I */
  if (ge_tensor_numel (a) > 0)
    {
      g_autoptr(GeTensor) product = ge_tensor_matmul (a, result, &error);

      g_assert_no_error (error);
      assert_identity (product, ge_tensor_get_dtype (a) == GE_DTYPE_FLOAT32 ? 1e-5 : 1e-12);
    }
}

static void
test_goldens (gconstpointer data)
{
  Layout layout = GPOINTER_TO_INT (data);
  g_auto(GStrv) keys = ge_golden_keys (golden, "");
  guint checked = 0;

  for (int i = 0; keys[i] != NULL; i++)
    {
      if (g_str_has_prefix (keys[i], "input/") || g_str_has_prefix (keys[i], "err/"))
        continue;
      if (g_str_has_prefix (keys[i], "inv/"))
        check_golden_inverse (keys[i], layout);
      else
        check_golden_product (keys[i], layout);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 80);
  g_test_message ("%u golden results checked (%s inputs)", checked, layout_names[layout]);
}

static void
test_golden_errors (void)
{
  g_auto(GStrv) keys = ge_golden_keys (golden, "err/");
  guint checked = 0;

  for (int i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) parts = g_strsplit (keys[i] + strlen ("err/"), "/", -1);
      g_autoptr(GeTensor) a = NULL;
      g_autoptr(GeTensor) b = NULL;
      g_autoptr(GeTensor) result = NULL;
      g_autofree char *exception = NULL;
      const char *expected = ge_golden_string (golden, keys[i]);
      const char *message = strstr (expected, ": ");

      g_assert_nonnull (message);
      exception = g_strndup (expected, message - expected);
      message += 2;

      a = ge_golden_operand (golden, parts[1]);
      if (g_str_equal (parts[0], "inv"))
        result = ge_tensor_linalg_inv (a, &error);
      else
        {
          BinaryOp op, ref_op;

          lookup_op (parts[0], &op, &ref_op);
          b = ge_golden_operand (golden, parts[2]);
          result = op (a, b, &error);
        }
      if (result != NULL)
        g_error ("%s: expected the error \"%s\"", keys[i], expected);
      ge_assert_error (error, ge_test_error_code_for (exception), message);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 100);
}

/* ---- random shapes and views against the reference ---- */

/* A random strided view holding values from @rand: dims in a random memory
 * order, some with a step of 2, size-1 dims sometimes with stride 0. */
static GeTensor *
random_view (GRand        *rand,
             GeDType       dtype,
             int           ndim,
             const gint64 *sizes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) storage = NULL;
  gint64 strides[GE_MAX_DIMS];
  int order[GE_MAX_DIMS];
  gint64 stride = 1, offset = g_rand_int_range (rand, 0, 3), total;
  gboolean shuffle = g_rand_int_range (rand, 0, 3) == 0;
  gboolean gaps = g_rand_int_range (rand, 0, 4) == 0;

  /* mostly row-major, sometimes any order */
  for (int d = 0; d < ndim; d++)
    order[d] = ndim - 1 - d;
  if (ndim >= 2 && g_rand_int_range (rand, 0, 3) == 0)
    {
      order[0] = ndim - 2;
      order[1] = ndim - 1;
    }
  if (shuffle)
    for (int d = ndim - 1; d > 0; d--)
      {
        int j = g_rand_int_range (rand, 0, d + 1);
        int t = order[d];
        order[d] = order[j];
        order[j] = t;
      }
  for (int i = 0; i < ndim; i++)
    {
      int d = order[i];
      gint64 step = gaps ? g_rand_int_range (rand, 1, 3) : 1;

      if (sizes[d] == 1 && g_rand_boolean (rand))
        strides[d] = 0;
      else
        {
          strides[d] = stride * step;
          stride *= MAX (sizes[d], 1) * step;
        }
    }
  total = stride + offset;
  storage = ge_tensor_empty (1, &total, dtype, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < total; i++)
    {
      char *p = (char *) ge_tensor_data_ptr (storage) + i * (gint64) ge_dtype_size (dtype);

      if (dtype == GE_DTYPE_INT64)
        *(gint64 *) p = g_rand_int_range (rand, -20, 21);
      else if (dtype == GE_DTYPE_FLOAT32)
        *(float *) p = (float) g_rand_double_range (rand, -1, 1);
      else
        *(double *) p = g_rand_double_range (rand, -1, 1);
    }
  return ge_tensor_as_strided (storage, ndim, sizes, strides, offset);
}

static void
test_random_matmul_vs_reference (void)
{
  static const GeDType dtypes[] = { GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64, GE_DTYPE_INT64 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  guint checked = 0;

  for (int iter = 0; iter < 600; iter++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GeTensor) a = NULL;
      g_autoptr(GeTensor) b = NULL;
      g_autoptr(GeTensor) result = NULL;
      g_autoptr(GeTensor) ref_result = NULL;
      g_autofree char *what = NULL;
      g_autofree char *sa = NULL;
      g_autofree char *sb = NULL;
      GeDType dtype = dtypes[iter % G_N_ELEMENTS (dtypes)];
      int da = g_rand_int_range (rand, 1, 5), db = g_rand_int_range (rand, 1, 5);
      int batch_ndim = MAX (MAX (da, db) - 2, 0);
      gint64 batch[GE_MAX_DIMS], sizes_a[GE_MAX_DIMS], sizes_b[GE_MAX_DIMS];
      gint64 m = g_rand_int_range (rand, 0, 9) ? g_rand_int_range (rand, 1, 8) : 0;
      gint64 k = g_rand_int_range (rand, 0, 9) ? g_rand_int_range (rand, 1, 8) : 0;
      gint64 n = g_rand_int_range (rand, 0, 9) ? g_rand_int_range (rand, 1, 8) : 0;
      double rtol, atol;
      int na = 0, nb = 0;

      for (int d = 0; d < batch_ndim; d++)
        batch[d] = g_rand_int_range (rand, 1, 4);
      /* each operand's batch dims: the trailing ones, some broadcast */
      for (int d = batch_ndim - MAX (da - 2, 0); d < batch_ndim; d++)
        sizes_a[na++] = g_rand_int_range (rand, 0, 3) == 0 ? 1 : batch[d];
      for (int d = batch_ndim - MAX (db - 2, 0); d < batch_ndim; d++)
        sizes_b[nb++] = g_rand_int_range (rand, 0, 3) == 0 ? 1 : batch[d];
      if (da >= 2)
        sizes_a[na++] = m;
      sizes_a[na++] = k;
      sizes_b[nb++] = k;
      if (db >= 2)
        sizes_b[nb++] = n;

      a = random_view (rand, dtype, na, sizes_a);
      b = random_view (rand, dtype, nb, sizes_b);
      sa = ge_shape_to_string (sizes_a, na);
      sb = ge_shape_to_string (sizes_b, nb);
      what = g_strdup_printf ("%s @ %s (%s)", sa, sb, ge_dtype_name (dtype));

      result = ge_tensor_matmul (a, b, &error);
      if (error != NULL)
        g_error ("%s: %s", what, error->message);
      assert_fresh (result, a, b);
      ref_result = ge_ref_matmul (a, b, &error);
      g_assert_no_error (error);
      product_tolerance (dtype, &rtol, &atol);
      ge_test_assert_close (__FILE__, __LINE__, what, result, ref_result, rtol, atol);
      checked++;
    }
  g_test_message ("%u random products checked", checked);
}

static void
test_random_inverse (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);

  for (int iter = 0; iter < 60; iter++)
    {
      g_autoptr(GError) error = NULL;
      GeDType dtype = iter % 2 ? GE_DTYPE_FLOAT64 : GE_DTYPE_FLOAT32;
      gint64 n = g_rand_int_range (rand, 1, 12);
      gint64 sizes[3] = { g_rand_int_range (rand, 1, 4), n, n };
      int ndim = g_rand_boolean (rand) ? 3 : 2;
      g_autoptr(GeTensor) a = random_view (rand, dtype, ndim, sizes + 3 - ndim);
      g_autoptr(GeTensor) inv = NULL;
      g_autoptr(GeTensor) ref = NULL;
      g_autoptr(GeTensor) product = NULL;
      double rtol, atol;

      /* diagonally dominant: well conditioned */
      {
        const gint64 *strides = ge_tensor_get_strides (a);
        char *data = ge_tensor_data_ptr (a);
        gint64 diagonal = strides[ndim - 2] + strides[ndim - 1];

        for (gint64 t = 0; t < (ndim == 3 ? sizes[0] : 1); t++)
          for (gint64 i = 0; i < n; i++)
            {
              gint64 pos = (ndim == 3 ? t * strides[0] : 0) + i * diagonal;

              if (dtype == GE_DTYPE_FLOAT32)
                ((float *) data)[pos] = (float) n;
              else
                ((double *) data)[pos] = (double) n;
            }
      }

      inv = ge_tensor_linalg_inv (a, &error);
      g_assert_no_error (error);
      ref = ge_ref_linalg_inv (a, &error);
      g_assert_no_error (error);
      inverse_tolerance (dtype, &rtol, &atol);
      ge_assert_tensor_close (inv, ref, rtol, atol);
      product = ge_tensor_matmul (a, inv, &error);
      g_assert_no_error (error);
      assert_identity (product, dtype == GE_DTYPE_FLOAT32 ? 1e-5 : 1e-12);
    }
}

/* ---- behaviours, one at a time ---- */

static void
test_mm_transposed_operands (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) b = ge_test_tensor ("[[1., 0.], [0., 1.], [1., 1.]]");
  g_autoptr(GeTensor) at = ge_tensor_transpose (a, 0, 1, &error);
  g_autoptr(GeTensor) bt = ge_tensor_transpose (b, 0, 1, &error);
  g_autoptr(GeTensor) ab = NULL;
  g_autoptr(GeTensor) at_bt = NULL;
  g_autoptr(GeTensor) bt_at = NULL;
  g_autoptr(GeTensor) expected_ab = ge_test_tensor ("[[4., 5.], [10., 11.]]");
  g_autoptr(GeTensor) expected_at_bt = ge_test_tensor ("[[1., 4., 5.], [2., 5., 7.], [3., 6., 9.]]");
  g_autoptr(GeTensor) expected_bt_at = ge_test_tensor ("[[4., 10.], [5., 11.]]");

  g_assert_no_error (error);
  ab = ge_tensor_mm (a, b, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (ab, expected_ab);
  /* A.t() @ B.t(): both column-major, BLAS transposes in place */
  at_bt = ge_tensor_mm (at, bt, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (at_bt, expected_at_bt);
  bt_at = ge_tensor_matmul (bt, at, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (bt_at, expected_bt_at);
}

static void
test_mm_large_matches_reference (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  static const GeDType dtypes[] = { GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64 };

  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 sa[2] = { 70, 90 }, sb[2] = { 90, 65 };
      g_autoptr(GeTensor) a = random_view (rand, dtypes[i], 2, sa);
      g_autoptr(GeTensor) b = random_view (rand, dtypes[i], 2, sb);
      g_autoptr(GeTensor) c = ge_tensor_mm (a, b, &error);
      g_autoptr(GeTensor) ref = ge_ref_mm (a, b, &error);
      double rtol, atol;

      g_assert_no_error (error);
      product_tolerance (dtypes[i], &rtol, &atol);
      ge_assert_tensor_close (c, ref, rtol, atol);
    }
}

static void
test_matmul_broadcast_batch (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[[1., 2.]], [[3., 4.]]]");          /* 2 x 1 x 2 */
  g_autoptr(GeTensor) b = ge_test_tensor ("[[[1., 0.], [0., 1.]], [[2., 0.], [0., 2.]], "
                                          "[[0., 1.], [1., 0.]]]");              /* 3 x 2 x 2 */
  g_autoptr(GeTensor) a4 = NULL;
  g_autoptr(GeTensor) c = NULL;
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[[[1., 2.]], [[2., 4.]], [[2., 1.]]], "
                                                 "[[[3., 4.]], [[6., 8.]], [[4., 3.]]]]");
  gint64 shape[4] = { 2, 1, 1, 2 };

  /* (2, 1, 1, 2) @ (3, 2, 2) -> (2, 3, 1, 2) */
  a4 = ge_tensor_reshape (a, 4, shape, &error);
  g_assert_no_error (error);
  c = ge_tensor_matmul (a4, b, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (c, expected);
}

static void
test_matmul_vectors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) v = ge_test_tensor ("[1., 2.]");
  g_autoptr(GeTensor) m = ge_test_tensor ("[[1., 2.], [3., 4.]]");
  g_autoptr(GeTensor) vv = ge_tensor_matmul (v, v, &error);
  g_autoptr(GeTensor) mv = ge_tensor_matmul (m, v, &error);
  g_autoptr(GeTensor) vm = ge_tensor_matmul (v, m, &error);
  g_autoptr(GeTensor) expected_vv = ge_test_tensor ("5.");
  g_autoptr(GeTensor) expected_mv = ge_test_tensor ("[5., 11.]");
  g_autoptr(GeTensor) expected_vm = ge_test_tensor ("[7., 10.]");

  g_assert_no_error (error);
  ge_assert_tensor_equal (vv, expected_vv);
  ge_assert_tensor_equal (mv, expected_mv);
  ge_assert_tensor_equal (vm, expected_vm);
}

static void
test_matmul_int64 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1, 2], [3, 4]]");
  g_autoptr(GeTensor) c = ge_tensor_matmul (a, a, &error);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[7, 10], [15, 22]]");

  g_assert_no_error (error);
  ge_assert_tensor_equal (c, expected);
}

static void
test_mm_shape_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2.], [3., 4.]]");
  g_autoptr(GeTensor) b = ge_test_tensor ("[[1., 2., 3.]]");
  g_autoptr(GeTensor) c = ge_tensor_mm (a, b, &error);

  g_assert_null (c);
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "mat1 and mat2 shapes cannot be multiplied (2x2 and 1x3)");
}

static void
test_inverse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[4., 7.], [2., 6.]]");
  g_autoptr(GeTensor) inv = ge_tensor_linalg_inv (a, &error);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[0.6, -0.7], [-0.2, 0.4]]");

  g_assert_no_error (error);
  ge_assert_tensor_close (inv, expected, 1e-6, 1e-6);
}

static void
test_inverse_singular (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2.], [2., 4.]]");
  g_autoptr(GeTensor) inv = ge_tensor_linalg_inv (a, &error);

  g_assert_null (inv);
  ge_assert_error (error, GE_ERROR_LINALG,
                   "linalg.inv: The diagonal element 2 is zero, the inversion could not be "
                   "completed because the input matrix is singular.");
}

static void
test_inverse_nan (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[nan, 1.], [1., 1.]]");
  g_autoptr(GeTensor) inv = ge_tensor_linalg_inv (a, &error);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[nan, nan], [nan, nan]]");

  /* torch: no error, every entry NaN */
  g_assert_no_error (error);
  ge_assert_tensor_equal (inv, expected);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GeGolden) loaded = NULL;

  g_test_init (&argc, &argv, NULL);
  loaded = golden = ge_golden_load ("linalg");

  for (int layout = 0; layout < N_LAYOUTS; layout++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/linalg/matches-pytorch/%s",
                                               layout_names[layout]);
      g_test_add_data_func (path, GINT_TO_POINTER (layout), test_goldens);
    }
  g_test_add_func ("/engine/linalg/errors-match-pytorch", test_golden_errors);
  g_test_add_func ("/engine/linalg/random-matmul-matches-reference",
                   test_random_matmul_vs_reference);
  g_test_add_func ("/engine/linalg/random-inverse-matches-reference", test_random_inverse);
  g_test_add_func ("/engine/linalg/mm-transposed-operands", test_mm_transposed_operands);
  g_test_add_func ("/engine/linalg/mm-large-matches-reference", test_mm_large_matches_reference);
  g_test_add_func ("/engine/linalg/matmul-broadcast-batch", test_matmul_broadcast_batch);
  g_test_add_func ("/engine/linalg/matmul-vectors", test_matmul_vectors);
  g_test_add_func ("/engine/linalg/matmul-int64", test_matmul_int64);
  g_test_add_func ("/engine/linalg/mm-shape-error", test_mm_shape_error);
  g_test_add_func ("/engine/linalg/inverse", test_inverse);
  g_test_add_func ("/engine/linalg/inverse-singular", test_inverse_singular);
  g_test_add_func ("/engine/linalg/inverse-nan", test_inverse_nan);

  return g_test_run ();
}
