/* test-errors.c - no input crashes the engine: every failing call reports an error */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-test-util.h"

/*
 * A seeded storm of calls with random shapes, dtypes, dims and indices, most
 * of them invalid.  Each call must either succeed (returning a tensor and no
 * error) or fail with a GE_ERROR and a non-empty message; under the
 * sanitizer build this also proves that no path reads out of bounds or leaks.
 * Exact messages are checked against PyTorch in each area's own tests.
 */

static GRand *rng;

static GeTensor *
random_tensor (void)
{
  static const GeDType dtypes[] = { GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64,
                                    GE_DTYPE_INT64, GE_DTYPE_BOOL };
  gint64 sizes[4];
  int ndim = g_rand_int_range (rng, 0, 4);
  GeDType dtype = dtypes[g_rand_int_range (rng, 0, G_N_ELEMENTS (dtypes))];
  GeTensor *t;

  for (int d = 0; d < ndim; d++)
    sizes[d] = g_rand_int_range (rng, 0, 4);
  t = ge_tensor_ones (ndim, sizes, dtype, NULL);
  g_assert_nonnull (t);
  /* sometimes a transposed view */
  if (ndim == 2 && g_rand_boolean (rng))
    {
      GeTensor *tt = ge_tensor_transpose (t, 0, 1, NULL);
      g_assert_nonnull (tt);
      ge_tensor_unref (t);
      t = tt;
    }
  return t;
}

static int
random_dim (void)
{
  return g_rand_int_range (rng, -5, 5);
}

static guint n_ok, n_failed;

/* @errp is read after the call it belongs to has returned (argument
 * evaluation order is unspecified, so the error is passed by address). */
static void
check_tensor_result (GeTensor  *result,
                     GError   **errp)
{
  GError *error = *errp;

  *errp = NULL;
  if (result != NULL)
    {
      g_assert_no_error (error);
      n_ok++;
      ge_tensor_unref (result);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == GE_ERROR);
      g_assert_cmpuint (strlen (error->message), >, 0);
      n_failed++;
      g_error_free (error);
    }
}

static void
check_bool_result (gboolean   ok,
                   GError   **errp)
{
  GError *error = *errp;

  *errp = NULL;
  if (ok)
    {
      g_assert_no_error (error);
      n_ok++;
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == GE_ERROR);
      n_failed++;
      g_error_free (error);
    }
}

typedef GeTensor *(*BinaryFunc) (GeTensor *, GeTensor *, GError **);
typedef GeTensor *(*UnaryFunc) (GeTensor *, GError **);

static void
one_random_call (void)
{
  static const BinaryFunc binary[] = {
    ge_tensor_add, ge_tensor_sub, ge_tensor_mul, ge_tensor_div, ge_tensor_pow,
    ge_tensor_eq, ge_tensor_lt, ge_tensor_ge, ge_tensor_dot, ge_tensor_mv,
    ge_tensor_mm, ge_tensor_bmm, ge_tensor_matmul,
  };
  static const UnaryFunc unary[] = {
    ge_tensor_neg, ge_tensor_exp, ge_tensor_log, ge_tensor_sqrt, ge_tensor_abs,
    ge_tensor_sigmoid, ge_tensor_relu, ge_tensor_sum, ge_tensor_mean, ge_tensor_max,
    ge_tensor_min, ge_tensor_argmax, ge_tensor_linalg_inv, ge_tensor_contiguous,
    ge_tensor_clone, ge_tensor_t,
  };
  g_autoptr(GeTensor) a = random_tensor ();
  g_autoptr(GeTensor) b = random_tensor ();
  GError *error = NULL;
  gint64 shape[4];
  int ndim = g_rand_int_range (rng, 0, 4);
  int which = g_rand_int_range (rng, 0, 17);

  for (int d = 0; d < 4; d++)
    shape[d] = g_rand_int_range (rng, -2, 5);

  switch (which)
    {
    case 0:
      check_tensor_result (binary[g_rand_int_range (rng, 0, G_N_ELEMENTS (binary))] (a, b, &error), &error);
      break;
    case 1:
      check_tensor_result (unary[g_rand_int_range (rng, 0, G_N_ELEMENTS (unary))] (a, &error), &error);
      break;
    case 2:
      check_tensor_result (ge_tensor_view (a, ndim, shape, &error), &error);
      break;
    case 3:
      check_tensor_result (ge_tensor_reshape (a, ndim, shape, &error), &error);
      break;
    case 4:
      check_tensor_result (ge_tensor_transpose (a, random_dim (), random_dim (), &error), &error);
      break;
    case 5:
      check_tensor_result (ge_tensor_select (a, random_dim (), g_rand_int_range (rng, -5, 5), &error), &error);
      break;
    case 6:
      check_tensor_result (ge_tensor_slice (a, random_dim (), g_rand_int_range (rng, -5, 5),
                                            g_rand_int_range (rng, -5, 5), g_rand_int_range (rng, -1, 3),
                                            &error), &error);
      break;
    case 7:
      check_tensor_result (ge_tensor_expand (a, ndim, shape, &error), &error);
      break;
    case 8:
      {
        int dims[2] = { random_dim (), random_dim () };
        check_tensor_result (ge_tensor_sum_dims (a, g_rand_int_range (rng, 0, 3), dims,
                                                 g_rand_boolean (rng), &error), &error);
      }
      break;
    case 9:
      {
        GeTensor *indices = NULL;
        GeTensor *values = ge_tensor_max_dim (a, random_dim (), g_rand_boolean (rng), &indices, &error);
        g_clear_pointer (&indices, ge_tensor_unref);
        check_tensor_result (values, &error);
      }
      break;
    case 10:
      {
        GeTensor *indices = NULL;
        GeTensor *values = ge_tensor_sort (a, random_dim (), g_rand_boolean (rng), &indices, &error);
        g_clear_pointer (&indices, ge_tensor_unref);
        check_tensor_result (values, &error);
      }
      break;
    case 11:
      {
        GeTensor *list[2] = { a, b };
        if (g_rand_boolean (rng))
          check_tensor_result (ge_tensor_stack (g_rand_int_range (rng, 0, 3), list, random_dim (), &error), &error);
        else
          check_tensor_result (ge_tensor_cat (g_rand_int_range (rng, 0, 3), list, random_dim (), &error), &error);
      }
      break;
    case 12:
      {
        GeIndex idx[3];
        int n = g_rand_int_range (rng, 0, 4);
        for (int i = 0; i < n; i++)
          switch (g_rand_int_range (rng, 0, 4))
            {
            case 0: idx[i] = GE_INDEX_I (g_rand_int_range (rng, -4, 4)); break;
            case 1: idx[i] = GE_INDEX_RANGE (g_rand_int_range (rng, -4, 4), g_rand_int_range (rng, -4, 4),
                                             g_rand_int_range (rng, 1, 3)); break;
            case 2: idx[i] = (GeIndex) { GE_INDEX_NONE, 0, 0, 0, 1 }; break;
            default: idx[i] = (GeIndex) { GE_INDEX_ELLIPSIS, 0, 0, 0, 1 }; break;
            }
        if (g_rand_boolean (rng))
          check_tensor_result (ge_tensor_index (a, n, idx, &error), &error);
        else
          check_bool_result (ge_tensor_index_put (a, n, idx, b, &error), &error);
      }
      break;
    case 13:
      check_bool_result (ge_tensor_add_ (a, b, &error), &error);
      break;
    case 14:
      check_bool_result (ge_tensor_copy_ (a, b, &error), &error);
      break;
    case 15:
      {
        double v;
        check_bool_result (ge_tensor_item (a, &v, &error), &error);
      }
      break;
    default:
      {
        int perm[3] = { random_dim (), random_dim (), random_dim () };
        check_tensor_result (ge_tensor_permute (a, g_rand_int_range (rng, 0, 4), perm, &error), &error);
      }
      break;
    }
}

static void
test_random_calls_never_crash (void)
{
  rng = g_rand_new_with_seed (20261126);
  for (int i = 0; i < 20000; i++)
    one_random_call ();
  g_rand_free (rng);
  g_test_message ("%u calls succeeded, %u failed with an error", n_ok, n_failed);
  /* the storm must exercise both outcomes substantially */
  g_assert_cmpuint (n_ok, >, 2000);
  g_assert_cmpuint (n_failed, >, 2000);
}

static void
test_error_codes_for_common_mistakes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) b = ge_test_tensor ("[1., 2.]");
  gint64 shape[] = { 4 };

  g_assert_null (ge_tensor_add (a, b, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1");
  g_clear_error (&error);
  g_assert_null (ge_tensor_view (a, 1, shape, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME, "shape '[4]' is invalid for input of size 6");
  g_clear_error (&error);
  g_assert_null (ge_tensor_select (a, 0, 5, &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_INDEX);
  g_clear_error (&error);
  g_assert_null (ge_tensor_mm (a, a, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME, "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/errors/random-calls-never-crash", test_random_calls_never_crash);
  g_test_add_func ("/engine/errors/error-codes-for-common-mistakes", test_error_codes_for_common_mistakes);

  return g_test_run ();
}
