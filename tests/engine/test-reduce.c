/* test-reduce.c - sum, mean, max/min and argmax against PyTorch and the reference */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ge-test-util.h"
#include "reference/ge-ref-reduce.h"

/*
 * The goldens (golden/gen-reduce.py) name each call in their keys:
 * "<op>/<operand>/<dims>/<keep>", so one loop replays them all, once per
 * memory layout of the input.  Every result is also checked against the
 * reference kernels, and random shapes, dims and strided views are checked
 * against the reference alone.
 */

static GeGolden *golden;

/* ---- operands and layouts ---- */

/* the layouts each golden case is replayed in (index: test data) */
#define N_LAYOUTS 3
static const GeTestLayout layouts[N_LAYOUTS] = {
  GE_TEST_LAYOUT_CONTIGUOUS, GE_TEST_LAYOUT_COLUMN_MAJOR, GE_TEST_LAYOUT_PADDED,
};
typedef int Layout;

static const char *layout_names[N_LAYOUTS] = { "contiguous", "column-major", "padded" };

/* ---- replaying a call ---- */

typedef struct
{
  GeTensor *(*sum)        (GeTensor *, GError **);
  GeTensor *(*sum_dims)   (GeTensor *, int, const int *, gboolean, GError **);
  GeTensor *(*mean)       (GeTensor *, GError **);
  GeTensor *(*mean_dims)  (GeTensor *, int, const int *, gboolean, GError **);
  GeTensor *(*max)        (GeTensor *, GError **);
  GeTensor *(*min)        (GeTensor *, GError **);
  GeTensor *(*max_dim)    (GeTensor *, int, gboolean, GeTensor **, GError **);
  GeTensor *(*min_dim)    (GeTensor *, int, gboolean, GeTensor **, GError **);
  GeTensor *(*argmax)     (GeTensor *, GError **);
  GeTensor *(*argmax_dim) (GeTensor *, int, gboolean, GError **);
} Reductions;

static const Reductions engine = {
  ge_tensor_sum, ge_tensor_sum_dims, ge_tensor_mean, ge_tensor_mean_dims,
  ge_tensor_max, ge_tensor_min, ge_tensor_max_dim, ge_tensor_min_dim,
  ge_tensor_argmax, ge_tensor_argmax_dim,
};

static const Reductions reference = {
  ge_ref_sum, ge_ref_sum_dims, ge_ref_mean, ge_ref_mean_dims,
  ge_ref_max, ge_ref_min, ge_ref_max_dim, ge_ref_min_dim,
  ge_ref_argmax, ge_ref_argmax_dim,
};

typedef struct
{
  char     op[16];
  char     spec[64];
  gboolean all;        /* sum(), max(), ... */
  int      n_dims;     /* 0 with !all: an empty dim list */
  int      dims[GE_MAX_DIMS];
  gboolean keepdim;
  char     part[16];   /* "values", "indices" or "" */
} Call;

/* Parses "<op>/<spec>/<dims>/<keep>[/<part>]". */
static void
parse_call (const char *key,
            Call       *call)
{
  g_auto(GStrv) parts = g_strsplit (key, "/", -1);

  g_assert_cmpuint (g_strv_length (parts), >=, 4);
  memset (call, 0, sizeof *call);
  g_strlcpy (call->op, parts[0], sizeof call->op);
  g_strlcpy (call->spec, parts[1], sizeof call->spec);
  call->all = g_str_equal (parts[2], "all");
  if (!call->all && !g_str_equal (parts[2], "none"))
    {
      g_auto(GStrv) dims = g_strsplit (parts[2], ",", -1);

      for (; dims[call->n_dims] != NULL; call->n_dims++)
        call->dims[call->n_dims] = atoi (dims[call->n_dims]);
    }
  call->keepdim = g_str_equal (parts[3], "k");
  if (parts[4] != NULL)
    g_strlcpy (call->part, parts[4], sizeof call->part);
}

static GeTensor *
run_call (const Reductions *r,
          const Call       *call,
          GeTensor         *input,
          GeTensor        **indices,
          GError          **error)
{
  const char *op = call->op;

  if (call->all)
    {
      if (g_str_equal (op, "sum"))
        return r->sum (input, error);
      if (g_str_equal (op, "mean"))
        return r->mean (input, error);
      if (g_str_equal (op, "max"))
        return r->max (input, error);
      if (g_str_equal (op, "min"))
        return r->min (input, error);
      if (g_str_equal (op, "argmax"))
        return r->argmax (input, error);
    }
  else
    {
      if (g_str_equal (op, "sum"))
        return r->sum_dims (input, call->n_dims, call->dims, call->keepdim, error);
      if (g_str_equal (op, "mean"))
        return r->mean_dims (input, call->n_dims, call->dims, call->keepdim, error);
      g_assert_cmpint (call->n_dims, ==, 1);
      if (g_str_equal (op, "max"))
        return r->max_dim (input, call->dims[0], call->keepdim, indices, error);
      if (g_str_equal (op, "min"))
        return r->min_dim (input, call->dims[0], call->keepdim, indices, error);
      if (g_str_equal (op, "argmax"))
        return r->argmax_dim (input, call->dims[0], call->keepdim, error);
    }
  g_error ("unknown reduction '%s'", op);
}

/* Sums in float32 differ from PyTorch's float cascade by a few ulps. */
static void
tolerance (const Call *call,
           GeDType     dtype,
           gboolean    vs_reference,
           double     *rtol,
           double     *atol)
{
  gboolean summing = g_str_equal (call->op, "sum") || g_str_equal (call->op, "mean");

  *rtol = *atol = 0.0;
  if (summing && dtype == GE_DTYPE_FLOAT32)
    *rtol = *atol = vs_reference ? 1e-6 : 1e-5;
  else if (summing && dtype == GE_DTYPE_FLOAT64)
    *rtol = *atol = 1e-10;
}

/* Checks a reduction result: contiguous and not sharing the input's memory. */
static void
assert_fresh (GeTensor *result,
              GeTensor *input)
{
  g_assert_nonnull (result);
  g_assert_true (ge_tensor_is_contiguous (result));
  g_assert_false (ge_tensor_shares_storage (result, input));
}

/* ---- golden replays ---- */

static void
test_goldens (gconstpointer data)
{
  Layout layout = GPOINTER_TO_INT (data);
  g_auto(GStrv) keys = ge_golden_keys (golden, "");
  guint checked = 0;

  for (int i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GeTensor) operand = NULL;
      g_autoptr(GeTensor) input = NULL;
      g_autoptr(GeTensor) result = NULL;
      g_autoptr(GeTensor) indices = NULL;
      g_autoptr(GeTensor) ref_result = NULL;
      g_autoptr(GeTensor) ref_indices = NULL;
      g_autoptr(GeTensor) expected = NULL;
      const char *key = keys[i];
      gboolean with_indices;
      double rtol, atol;
      Call call;

      if (g_str_has_prefix (key, "input/") || g_str_has_prefix (key, "err/") ||
          g_str_has_suffix (key, "/indices"))
        continue;

      parse_call (key, &call);
      operand = ge_golden_operand (golden, call.spec);
      input = ge_test_relayout (operand, layouts[layout]);
      with_indices = call.part[0] != '\0';

      result = run_call (&engine, &call, input, with_indices ? &indices : NULL, &error);
      if (error != NULL)
        g_error ("%s (%s): %s", key, layout_names[layout], error->message);
      assert_fresh (result, input);

      expected = ge_golden_tensor (golden, key);
      tolerance (&call, ge_tensor_get_dtype (input), FALSE, &rtol, &atol);
      ge_test_assert_close (__FILE__, __LINE__, key, result, expected, rtol, atol);

      ref_result = run_call (&reference, &call, input, with_indices ? &ref_indices : NULL, &error);
      g_assert_no_error (error);
      tolerance (&call, ge_tensor_get_dtype (input), TRUE, &rtol, &atol);
      ge_test_assert_close (__FILE__, __LINE__, key, result, ref_result, rtol, atol);

      if (with_indices)
        {
          g_autofree char *stem = g_strndup (key, strlen (key) - strlen ("values"));
          g_autofree char *index_key = g_strconcat (stem, "indices", NULL);
          g_autoptr(GeTensor) expected_indices = NULL;

          expected_indices = ge_golden_tensor (golden, index_key);
          assert_fresh (indices, input);
          ge_test_assert_close (__FILE__, __LINE__, index_key, indices, expected_indices, 0, 0);
          ge_test_assert_close (__FILE__, __LINE__, index_key, indices, ref_indices, 0, 0);
        }
      checked++;
    }

  g_assert_cmpuint (checked, >, 500);
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
      g_autoptr(GeTensor) input = NULL;
      g_autoptr(GeTensor) result = NULL;
      g_autoptr(GeTensor) indices = NULL;
      g_autofree char *exception = NULL;
      const char *expected = ge_golden_string (golden, keys[i]);
      const char *message = strstr (expected, ": ");
      Call call;

      g_assert_nonnull (message);
      exception = g_strndup (expected, message - expected);
      message += 2;

      parse_call (keys[i] + strlen ("err/"), &call);
      input = ge_golden_operand (golden, call.spec);
      result = run_call (&engine, &call, input, &indices, &error);
      if (result != NULL)
        g_error ("%s: expected the error \"%s\"", keys[i], expected);
      g_assert_null (indices);
      ge_assert_error (error, ge_test_error_code_for (exception), message);
      checked++;
    }
  g_assert_cmpuint (checked, >=, 30);
}

/* ---- random shapes, dims and views against the reference ---- */

/* Values with many ties (small integers) and, for floats, a few NaNs. */
static void
fill_random (GRand   *rand,
             GeDType  dtype,
             void    *data,
             gint64   n,
             gboolean with_nan)
{
  for (gint64 i = 0; i < n; i++)
    {
      gboolean ties = g_rand_int_range (rand, 0, 2);
      double v = ties ? g_rand_int_range (rand, -3, 4) : g_rand_double_range (rand, -10, 10);

      switch (dtype)
        {
        case GE_DTYPE_BOOL:
          ((guint8 *) data)[i] = g_rand_boolean (rand);
          break;
        case GE_DTYPE_INT64:
          ((gint64 *) data)[i] = g_rand_int_range (rand, -1000, 1000);
          if (ties)
            ((gint64 *) data)[i] = g_rand_int_range (rand, -3, 4);
          break;
        case GE_DTYPE_FLOAT32:
          ((float *) data)[i] = with_nan && g_rand_int_range (rand, 0, 50) == 0 ? NAN : (float) v;
          break;
        case GE_DTYPE_FLOAT64:
        default:
          ((double *) data)[i] = with_nan && g_rand_int_range (rand, 0, 50) == 0 ? NAN : v;
          break;
        }
    }
}

/* A random strided view: dims in a random memory order, some with a step
 * of 2, some broadcast (stride 0), a random offset. */
static GeTensor *
random_view (GRand        *rand,
             GeDType       dtype,
             int           ndim,
             const gint64 *sizes,
             gboolean      with_nan)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) storage = NULL;
  gint64 strides[GE_MAX_DIMS];
  int order[GE_MAX_DIMS];
  gint64 stride = 1, offset = g_rand_int_range (rand, 0, 4), total;

  for (int d = 0; d < ndim; d++)
    order[d] = d;
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
      gint64 step = g_rand_int_range (rand, 1, 3);

      if (g_rand_int_range (rand, 0, 8) == 0)
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
  fill_random (rand, dtype, ge_tensor_data_ptr (storage), total, with_nan);
  return ge_tensor_as_strided (storage, ndim, sizes, strides, offset);
}

static void
check_against_reference (const Call *call,
                         GeTensor   *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) ref_error = NULL;
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) indices = NULL;
  g_autoptr(GeTensor) ref_result = NULL;
  g_autoptr(GeTensor) ref_indices = NULL;
  gboolean with_indices = !call->all && (g_str_equal (call->op, "max") ||
                                         g_str_equal (call->op, "min"));
  g_autofree char *what = NULL;
  g_autofree char *shape = ge_shape_to_string (ge_tensor_get_sizes (input),
                                               ge_tensor_get_ndim (input));
  double rtol, atol;

  what = g_strdup_printf ("%s of %s %s (dims %d: %d..., keepdim %d)", call->op,
                          ge_dtype_name (ge_tensor_get_dtype (input)), shape,
                          call->all ? -1 : call->n_dims, call->dims[0], call->keepdim);

  result = run_call (&engine, call, input, with_indices ? &indices : NULL, &error);
  ref_result = run_call (&reference, call, input, with_indices ? &ref_indices : NULL, &ref_error);
  if (ref_result == NULL)
    {
      /* Invalid for the reference too (an empty reduction): the engine fails. */
      if (result != NULL)
        g_error ("%s: expected an error like \"%s\"", what, ref_error->message);
      g_assert_error (error, GE_ERROR, ref_error->code);
      return;
    }
  if (error != NULL)
    g_error ("%s: %s", what, error->message);

  assert_fresh (result, input);
  tolerance (call, ge_tensor_get_dtype (input), TRUE, &rtol, &atol);
  if (ge_tensor_get_dtype (input) == GE_DTYPE_FLOAT64 && rtol > 0)
    atol = 1e-9;  /* the order of a double sum shows near zero */
  ge_test_assert_close (__FILE__, __LINE__, what, result, ref_result, rtol, atol);
  if (with_indices)
    ge_test_assert_close (__FILE__, __LINE__, what, indices, ref_indices, 0, 0);
}

static void
test_random_vs_reference (void)
{
  static const GeDType dtypes[] = {
    GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64, GE_DTYPE_INT64, GE_DTYPE_BOOL,
  };
  static const char *ops[] = { "sum", "mean", "max", "min", "argmax" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  guint checked = 0;

  for (int iter = 0; iter < 400; iter++)
    {
      GeDType dtype = dtypes[iter % G_N_ELEMENTS (dtypes)];
      int ndim = g_rand_int_range (rand, 0, 5);
      gint64 sizes[GE_MAX_DIMS];
      g_autoptr(GeTensor) input = NULL;

      for (int d = 0; d < ndim; d++)
        {
          int kind = g_rand_int_range (rand, 0, 10);
          sizes[d] = kind == 0 ? 0 : kind == 1 ? 1 : g_rand_int_range (rand, 2, 7);
        }
      input = random_view (rand, dtype, ndim, sizes, iter % 3 == 0);

      for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
        {
          const char *op = ops[o];
          gboolean floating = dtype == GE_DTYPE_FLOAT32 || dtype == GE_DTYPE_FLOAT64;
          Call call = { 0 };

          if ((g_str_equal (op, "mean") && !floating) ||
              (g_str_equal (op, "argmax") && dtype == GE_DTYPE_BOOL))
            continue;
          g_strlcpy (call.op, op, sizeof call.op);

          /* over everything */
          call.all = TRUE;
          check_against_reference (&call, input);
          checked++;

          /* over some dims, in a random order, some negative */
          call.all = FALSE;
          call.keepdim = g_rand_boolean (rand);
          if (g_str_equal (op, "sum") || g_str_equal (op, "mean"))
            {
              int n = 0;

              for (int d = 0; d < ndim; d++)
                if (g_rand_boolean (rand))
                  call.dims[n++] = g_rand_boolean (rand) ? d : d - ndim;
              for (int d = n - 1; d > 0; d--)
                {
                  int j = g_rand_int_range (rand, 0, d + 1);
                  int t = call.dims[d];
                  call.dims[d] = call.dims[j];
                  call.dims[j] = t;
                }
              call.n_dims = n;
            }
          else
            {
              call.n_dims = 1;
              call.dims[0] = ndim == 0 ? 0 : g_rand_int_range (rand, -ndim, ndim);
            }
          check_against_reference (&call, input);
          checked++;
        }
    }
  g_test_message ("%u random reductions checked", checked);
}

/* ---- behaviours, one at a time ---- */

static void
test_sum_dtypes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) b = ge_test_tensor ("[[True, False, True], [True, True, True]]");
  g_autoptr(GeTensor) i = ge_test_tensor ("[[1, 2], [3, 4]]");
  g_autoptr(GeTensor) d = ge_test_tensor_dtype ("[0.5, 0.25]", GE_DTYPE_FLOAT64);
  g_autoptr(GeTensor) bs = NULL;
  g_autoptr(GeTensor) bs0 = NULL;
  g_autoptr(GeTensor) is = NULL;
  g_autoptr(GeTensor) ds = NULL;
  g_autoptr(GeTensor) expected_bs = ge_test_tensor ("5");
  g_autoptr(GeTensor) expected_bs0 = ge_test_tensor ("[2, 1, 2]");
  g_autoptr(GeTensor) expected_is = ge_test_tensor ("10");
  g_autoptr(GeTensor) expected_ds = ge_test_tensor_dtype ("0.75", GE_DTYPE_FLOAT64);
  int dim0 = 0;

  /* torch: bool and int64 sums are int64; floats keep their dtype */
  bs = ge_tensor_sum (b, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (bs, expected_bs);
  bs0 = ge_tensor_sum_dims (b, 1, &dim0, FALSE, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (bs0, expected_bs0);
  is = ge_tensor_sum (i, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (is, expected_is);
  ds = ge_tensor_sum (d, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (ds, expected_ds);
}

static void
test_sum_float32_cascades_like_pytorch (void)
{
  g_autoptr(GError) error = NULL;
  gint64 n = (1 << 20) + 1;
  g_autoptr(GeTensor) t = ge_tensor_full (1, &n, 0x1p-25, GE_DTYPE_FLOAT32, &error);
  g_autoptr(GeTensor) sum = NULL;
  double value;

  /* 1 + 2^20 * 2^-25: every small term is half an ulp of 1 in float32.
   * PyTorch 1.13 sums float32 in float32 with its multi-level cascade,
   * which keeps almost all of them: torch gives 1.0312495231628418 (a naive
   * float loop would give 1.0, a double accumulator 1.03125). */
  g_assert_no_error (error);
  ((float *) ge_tensor_data_ptr (t))[0] = 1.0f;
  sum = ge_tensor_sum (t, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_item (sum, &value, &error));
  g_assert_cmpfloat (value, ==, 1.0312495231628418);
}

static void
test_sum_large_contiguous_matches_reference (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  gint64 sizes[2] = { 1000, 1000 };
  g_autoptr(GeTensor) t = ge_tensor_empty (2, sizes, GE_DTYPE_FLOAT32, &error);
  float *data = ge_tensor_data_ptr (t);

  for (gint64 i = 0; i < sizes[0] * sizes[1]; i++)
    data[i] = (float) g_rand_double_range (rand, -1, 1);

  for (int dim = -1; dim < 2; dim++)
    {
      g_autoptr(GeTensor) sum = NULL;
      g_autoptr(GeTensor) ref = NULL;

      if (dim < 0)
        {
          sum = ge_tensor_sum (t, &error);
          ref = ge_ref_sum (t, &error);
        }
      else
        {
          sum = ge_tensor_sum_dims (t, 1, &dim, FALSE, &error);
          ref = ge_ref_sum_dims (t, 1, &dim, FALSE, &error);
        }
      g_assert_no_error (error);
      /* float32 accumulation (as PyTorch's cascade): error bounded by a
       * few ulps of the sum of magnitudes (5e5 for the full sum of 10^6
       * values in [-1, 1], 500 per row or column) */
      ge_assert_tensor_close (sum, ref, 0.0, 8 * FLT_EPSILON * (dim < 0 ? 5e5 : 5e2));
    }
}

static void
test_mean (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) all = NULL;
  g_autoptr(GeTensor) rows = NULL;
  g_autoptr(GeTensor) expected_all = ge_test_tensor ("3.5");
  g_autoptr(GeTensor) expected_rows = ge_test_tensor ("[[2.], [5.]]");
  int dim = -1;

  all = ge_tensor_mean (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (all, expected_all);
  rows = ge_tensor_mean_dims (t, 1, &dim, TRUE, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (rows, expected_rows);
}

static void
test_mean_of_int_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[1, 2, 3]");
  g_autoptr(GeTensor) mean = ge_tensor_mean (t, &error);

  g_assert_null (mean);
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "mean(): could not infer output dtype. Input dtype must be either a "
                   "floating point or complex dtype. Got: Long");
}

static void
test_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[]");
  g_autoptr(GeTensor) sum = NULL;
  g_autoptr(GeTensor) mean = NULL;
  g_autoptr(GeTensor) max = NULL;
  g_autoptr(GeTensor) zero = ge_test_tensor ("0.");
  g_autoptr(GeTensor) nan = ge_test_tensor ("nan");

  /* torch: sum of nothing is 0, mean is nan, max has no answer */
  sum = ge_tensor_sum (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (sum, zero);
  mean = ge_tensor_mean (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (mean, nan);
  max = ge_tensor_max (t, &error);
  g_assert_null (max);
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "max(): Expected reduction dim to be specified for input.numel() == 0. "
                   "Specify the reduction dim with the 'dim' argument.");
}

static void
test_max_dim_first_occurrence (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[[3., 1., 3., 1.], [2., 2., 0., 0.]]");
  g_autoptr(GeTensor) indices = NULL;
  g_autoptr(GeTensor) min_indices = NULL;
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) min_values = NULL;
  g_autoptr(GeTensor) argmax = NULL;
  g_autoptr(GeTensor) expected_values = ge_test_tensor ("[3., 2.]");
  g_autoptr(GeTensor) expected_indices = ge_test_tensor ("[0, 0]");
  g_autoptr(GeTensor) expected_min_values = ge_test_tensor ("[1., 0.]");
  g_autoptr(GeTensor) expected_min_indices = ge_test_tensor ("[1, 2]");
  g_autoptr(GeTensor) expected_argmax = ge_test_tensor ("0");

  values = ge_tensor_max_dim (t, 1, FALSE, &indices, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (values, expected_values);
  ge_assert_tensor_equal (indices, expected_indices);
  min_values = ge_tensor_min_dim (t, -1, FALSE, &min_indices, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (min_values, expected_min_values);
  ge_assert_tensor_equal (min_indices, expected_min_indices);
  argmax = ge_tensor_argmax (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (argmax, expected_argmax);
}

static void
test_max_nan_propagates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[[1., nan, 3., nan], [5., 4., 3., 2.]]");
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) indices = NULL;
  g_autoptr(GeTensor) max = NULL;
  g_autoptr(GeTensor) min = NULL;
  g_autoptr(GeTensor) argmax = NULL;
  g_autoptr(GeTensor) expected_values = ge_test_tensor ("[nan, 5.]");
  g_autoptr(GeTensor) expected_indices = ge_test_tensor ("[1, 0]");
  g_autoptr(GeTensor) nan = ge_test_tensor ("nan");
  g_autoptr(GeTensor) expected_argmax = ge_test_tensor ("1");

  /* torch: the first NaN is the max (and the min), wherever it is */
  values = ge_tensor_max_dim (t, 1, FALSE, &indices, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (values, expected_values);
  ge_assert_tensor_equal (indices, expected_indices);
  max = ge_tensor_max (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (max, nan);
  min = ge_tensor_min (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (min, nan);
  argmax = ge_tensor_argmax (t, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (argmax, expected_argmax);
}

static void
test_argmax_of_transposed_view (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[[1., 5.], [7., 2.]]");
  g_autoptr(GeTensor) tt = ge_tensor_transpose (t, 0, 1, &error);
  g_autoptr(GeTensor) argmax = NULL;
  g_autoptr(GeTensor) argmax_dim = NULL;
  g_autoptr(GeTensor) expected = ge_test_tensor ("1");
  g_autoptr(GeTensor) expected_dim = ge_test_tensor ("[[1, 0]]");

  /* torch: t.t().argmax() is the row-major index in the transposed view */
  g_assert_no_error (error);
  argmax = ge_tensor_argmax (tt, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (argmax, expected);
  argmax_dim = ge_tensor_argmax_dim (tt, 0, TRUE, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (argmax_dim, expected_dim);
}

static void
test_max_dim_without_indices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[[1, 9], [8, 2]]");
  g_autoptr(GeTensor) values = ge_tensor_max_dim (t, 0, TRUE, NULL, &error);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[8, 9]]");

  g_assert_no_error (error);
  ge_assert_tensor_equal (values, expected);
}

static void
test_sum_int64_wraps (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[9223372036854775807, 1]");
  g_autoptr(GeTensor) sum = ge_tensor_sum (t, &error);
  gint64 value;

  g_assert_no_error (error);
  value = *(gint64 *) ge_tensor_data_ptr (sum);
  g_assert_cmpint (value, ==, G_MININT64);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GeGolden) loaded = NULL;

  g_test_init (&argc, &argv, NULL);
  loaded = golden = ge_golden_load ("reduce");

  for (int layout = 0; layout < N_LAYOUTS; layout++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/reduce/matches-pytorch/%s",
                                               layout_names[layout]);
      g_test_add_data_func (path, GINT_TO_POINTER (layout), test_goldens);
    }
  g_test_add_func ("/engine/reduce/errors-match-pytorch", test_golden_errors);
  g_test_add_func ("/engine/reduce/random-views-match-reference", test_random_vs_reference);
  g_test_add_func ("/engine/reduce/sum-dtypes", test_sum_dtypes);
  g_test_add_func ("/engine/reduce/sum-float32-cascades-like-pytorch",
                   test_sum_float32_cascades_like_pytorch);
  g_test_add_func ("/engine/reduce/sum-large-contiguous-matches-reference",
                   test_sum_large_contiguous_matches_reference);
  g_test_add_func ("/engine/reduce/sum-int64-wraps", test_sum_int64_wraps);
  g_test_add_func ("/engine/reduce/mean", test_mean);
  g_test_add_func ("/engine/reduce/mean-of-int-fails", test_mean_of_int_fails);
  g_test_add_func ("/engine/reduce/empty", test_empty);
  g_test_add_func ("/engine/reduce/max-dim-first-occurrence", test_max_dim_first_occurrence);
  g_test_add_func ("/engine/reduce/max-nan-propagates", test_max_nan_propagates);
  g_test_add_func ("/engine/reduce/argmax-of-transposed-view", test_argmax_of_transposed_view);
  g_test_add_func ("/engine/reduce/max-dim-without-indices", test_max_dim_without_indices);

  return g_test_run ();
}
