/* test-join.c - sort, stack and cat vs PyTorch 1.13 and the reference kernels */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>

#include "ge-test-util.h"
#include "reference/ge-ref-join.h"

static GeGolden *golden;

/* ---- sort vs torch.sort(..., stable=True) ---- */

typedef struct
{
  const char *key;
  int         dim;
  gboolean    descending;
  gboolean    transpose;  /* sort input.t() */
} SortCase;

static const SortCase sort_cases[] = {
  { "sort.ties", -1, FALSE, FALSE },
  { "sort.ties-descending", -1, TRUE, FALSE },
  { "sort.nan-and-inf", -1, FALSE, FALSE },
  { "sort.nan-and-inf-descending", -1, TRUE, FALSE },
  { "sort.2d-dim0", 0, FALSE, FALSE },
  { "sort.2d-dim1", 1, FALSE, FALSE },
  { "sort.2d-dim-minus-1-descending", -1, TRUE, FALSE },
  { "sort.2d-dim0-descending", 0, TRUE, FALSE },
  { "sort.3d-middle", 1, FALSE, FALSE },
  { "sort.transposed-input", 1, FALSE, TRUE },
  { "sort.int64", -1, FALSE, FALSE },
  { "sort.int64-descending", -1, TRUE, FALSE },
  { "sort.bool", -1, FALSE, FALSE },
  { "sort.bool-descending", -1, TRUE, FALSE },
  { "sort.float64", -1, FALSE, FALSE },
  { "sort.scalar", 0, FALSE, FALSE },
  { "sort.single", -1, FALSE, FALSE },
  { "sort.empty", -1, FALSE, FALSE },
  { "sort.empty-rows", 0, FALSE, FALSE },
  { "sort.long-row-with-ties", -1, FALSE, FALSE },
  { "sort.long-row-with-ties-descending", -1, TRUE, FALSE },
  { "sort.columns-with-ties", 0, FALSE, FALSE },
  { "sort.randn", -1, FALSE, FALSE },
};

static GeTensor *
transposed (GeTensor *t)
{
  g_autoptr(GError) error = NULL;
  GeTensor *result = ge_tensor_t (t, &error);

  g_assert_no_error (error);
  return result;
}

/* Values and indices equal torch's stable sort; so do the reference's. */
static void
run_sort_case (gconstpointer data)
{
  const SortCase *c = data;
  g_autofree char *kinput = g_strconcat (c->key, ".input", NULL);
  g_autofree char *kvalues = g_strconcat (c->key, ".values", NULL);
  g_autofree char *kindices = g_strconcat (c->key, ".indices", NULL);
  g_autoptr(GeTensor) input = ge_golden_tensor (golden, kinput);
  g_autoptr(GeTensor) expected_values = ge_golden_tensor (golden, kvalues);
  g_autoptr(GeTensor) expected_indices = ge_golden_tensor (golden, kindices);
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) indices = NULL;
  g_autoptr(GeTensor) ref_values = NULL;
  g_autoptr(GeTensor) ref_indices = NULL;
  g_autoptr(GError) error = NULL;

  if (c->transpose)
    {
      GeTensor *t = transposed (input);
      ge_tensor_unref (input);
      input = t;
    }

  values = ge_tensor_sort (input, c->dim, c->descending, &indices, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (values, expected_values);
  ge_assert_tensor_equal (indices, expected_indices);

  ref_values = ge_ref_sort (input, c->dim, c->descending, &ref_indices, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (ref_values, expected_values);
  ge_assert_tensor_equal (ref_indices, expected_indices);
}

static void
test_sort_bad_dim_is_an_index_error (void)
{
  g_autoptr(GeTensor) grid = ge_test_tensor ("[[3., 1.], [2., 0.]]");
  g_autoptr(GeTensor) scalar = ge_test_tensor ("3.");
  g_autoptr(GeTensor) indices = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (ge_tensor_sort (grid, 2, FALSE, &indices, &error));
  g_assert_null (indices);
  ge_assert_golden_error (error, ge_golden_string (golden, "error.sort.dim"));
  g_clear_error (&error);
  g_assert_null (ge_tensor_sort (scalar, 1, FALSE, NULL, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "error.sort.scalar-dim"));
}

/* torch.randn(100).sort()[0] in lesson 05: only values wanted; input unchanged. */
static void
test_sort_without_indices_leaves_input_alone (void)
{
  g_autoptr(GeTensor) x = ge_test_tensor ("[0.5, -1.5, 2.5, -1.5]");
  g_autoptr(GeTensor) before = ge_test_tensor ("[0.5, -1.5, 2.5, -1.5]");
  g_autoptr(GeTensor) expected = ge_test_tensor ("[-1.5, -1.5, 0.5, 2.5]");
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GError) error = NULL;
  guint64 version = ge_tensor_get_version (x);

  values = ge_tensor_sort (x, 0, FALSE, NULL, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (values, expected);
  ge_assert_tensor_equal (x, before);
  g_assert_cmpuint (ge_tensor_get_version (x), ==, version);
  g_assert_false (ge_tensor_shares_storage (values, x));
}

/* ---- random data: fast kernels vs the reference kernels ---- */

/* Values with many ties (and NaNs for floats) so that stability shows. */
static GeTensor *
random_tensor (GRand        *rand,
               GeDType       dtype,
               int           ndim,
               const gint64 *sizes)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 1;
    g_autofree void *storage = NULL;
  guint8 *bools;
  gint64 *longs;
  float *floats;
  double *doubles;
  GeTensor *t;

  for (int d = 0; d < ndim; d++)
    n *= sizes[d];
  storage = g_malloc0 (MAX (n, 1) * 8);
  bools = storage, longs = storage, floats = storage, doubles = storage;
  for (gint64 i = 0; i < n; i++)
    {
      gint32 v = g_rand_int_range (rand, -6, 7);

      switch (dtype)
        {
        case GE_DTYPE_BOOL:
          bools[i] = v > 0;
          break;
        case GE_DTYPE_INT64:
          longs[i] = (gint64) v * 1000003;
          break;
        case GE_DTYPE_FLOAT32:
          floats[i] = v == 6 ? NAN : v == -6 ? -INFINITY : v / 4.0f;
          break;
        case GE_DTYPE_FLOAT64:
        default:
          doubles[i] = v == 6 ? NAN : v == 5 ? -0.0 : v / 3.0;
          break;
        }
    }
  t = ge_tensor_new_from_data (storage, dtype, ndim, sizes, &error);
  g_assert_no_error (error);
  return t;
}

static void
assert_sort_matches_reference (GeTensor *input,
                               int       dim,
                               gboolean  descending)
{
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) indices = NULL;
  g_autoptr(GeTensor) ref_values = NULL;
  g_autoptr(GeTensor) ref_indices = NULL;
  g_autoptr(GError) error = NULL;

  values = ge_tensor_sort (input, dim, descending, &indices, &error);
  g_assert_no_error (error);
  ref_values = ge_ref_sort (input, dim, descending, &ref_indices, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (values, ref_values);
  ge_assert_tensor_equal (indices, ref_indices);
}

static void
test_sort_matches_reference_on_random_data (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240613);
  const struct { int ndim; gint64 sizes[3]; } shapes[] = {
    { 1, { 1000 } },
    { 1, { 33 } },
    { 2, { 37, 53 } },
    { 3, { 5, 7, 9 } },
    { 3, { 3, 70, 2 } },
  };

  for (int dtype = 0; dtype < GE_N_DTYPES; dtype++)
    for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
      {
        g_autoptr(GeTensor) t = random_tensor (rand, dtype, shapes[s].ndim, shapes[s].sizes);

        for (int dim = -1; dim < shapes[s].ndim; dim++)
          {
            assert_sort_matches_reference (t, dim, FALSE);
            assert_sort_matches_reference (t, dim, TRUE);
          }
        if (shapes[s].ndim == 2)
          {
            g_autoptr(GeTensor) tt = transposed (t);

            assert_sort_matches_reference (tt, 0, FALSE);
            assert_sort_matches_reference (tt, 1, TRUE);
          }
      }
}

static void
assert_join_matches_reference (int        n,
                               GeTensor **tensors,
                               int        dim)
{
  g_autoptr(GeTensor) joined = NULL;
  g_autoptr(GeTensor) ref_joined = NULL;
  g_autoptr(GError) error = NULL;

  joined = ge_tensor_cat (n, tensors, dim, &error);
  g_assert_no_error (error);
  ref_joined = ge_ref_cat (n, tensors, dim, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (joined, ref_joined);
  g_assert_true (ge_tensor_is_contiguous (joined));
}

static void
test_cat_matches_reference_on_random_data (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (int round = 0; round < 60; round++)
    {
      GeTensor *tensors[4] = { NULL };
      int ndim = g_rand_int_range (rand, 1, 4);
      int dim = g_rand_int_range (rand, -ndim, ndim);
      int n = g_rand_int_range (rand, 1, 5);
      int wrapped = dim < 0 ? dim + ndim : dim;
      gboolean transpose = ndim == 2 && g_rand_boolean (rand);
      gint64 sizes[3];

      for (int d = 0; d < ndim; d++)
        sizes[d] = g_rand_int_range (rand, 1, 6);
      for (int i = 0; i < n; i++)
        {
          GeDType dtype = g_rand_int_range (rand, 0, GE_N_DTYPES);
          g_autoptr(GeTensor) t = NULL;

          sizes[wrapped] = g_rand_int_range (rand, 0, 5);
          if (transpose)
            {
              /* Made with swapped sizes, so that t() has the wanted shape. */
              gint64 swapped[2] = { sizes[1], sizes[0] };

              t = random_tensor (rand, dtype, 2, swapped);
              tensors[i] = transposed (t);
            }
          else
            tensors[i] = random_tensor (rand, dtype, ndim, sizes);
        }
      assert_join_matches_reference (n, tensors, dim);
      for (int i = 0; i < n; i++)
        ge_tensor_unref (tensors[i]);
    }
}

static void
test_stack_matches_reference_on_random_data (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (int round = 0; round < 60; round++)
    {
      GeTensor *tensors[4] = { NULL };
      int ndim = g_rand_int_range (rand, 0, 4);
      int dim = g_rand_int_range (rand, -ndim - 1, ndim + 1);
      int n = g_rand_int_range (rand, 1, 5);
      gboolean transpose = ndim == 2 && g_rand_boolean (rand);
      gint64 sizes[3];
      g_autoptr(GeTensor) stacked = NULL;
      g_autoptr(GeTensor) ref_stacked = NULL;
      g_autoptr(GError) error = NULL;

      for (int d = 0; d < ndim; d++)
        sizes[d] = g_rand_int_range (rand, 1, 6);
      for (int i = 0; i < n; i++)
        {
          g_autoptr(GeTensor) t = random_tensor (rand, g_rand_int_range (rand, 0, GE_N_DTYPES),
                                                 ndim, sizes);
          tensors[i] = transpose ? transposed (t) : ge_tensor_ref (t);
        }

      stacked = ge_tensor_stack (n, tensors, dim, &error);
      g_assert_no_error (error);
      ref_stacked = ge_ref_stack (n, tensors, dim, &error);
      g_assert_no_error (error);
      ge_assert_tensor_equal (stacked, ref_stacked);
      for (int i = 0; i < n; i++)
        ge_tensor_unref (tensors[i]);
    }
}

/* ---- stack and cat vs torch ---- */

typedef struct
{
  const char *key;
  int         dim;
  gboolean    transpose;  /* join the inputs' t() */
} JoinCase;

static const JoinCase stack_cases[] = {
  { "stack.1d-dim0", 0, FALSE },
  { "stack.1d-dim1", 1, FALSE },
  { "stack.1d-dim-minus-1", -1, FALSE },
  { "stack.2d-dim0", 0, FALSE },
  { "stack.2d-dim1", 1, FALSE },
  { "stack.2d-dim2", 2, FALSE },
  { "stack.2d-dim-minus-3", -3, FALSE },
  { "stack.scalars", 0, FALSE },
  { "stack.scalars-dim-minus-1", -1, FALSE },
  { "stack.int-and-float", 0, FALSE },
  { "stack.bool-and-int", 1, FALSE },
  { "stack.float-and-double", 0, FALSE },
  { "stack.empty-dim0", 0, FALSE },
  { "stack.empty-dim1", 1, FALSE },
  { "stack.single", 1, FALSE },
  { "stack.transposed-inputs", 1, TRUE },
};

static const JoinCase cat_cases[] = {
  { "cat.1d", 0, FALSE },
  { "cat.2d-dim0", 0, FALSE },
  { "cat.2d-dim1", 1, FALSE },
  { "cat.2d-dim-minus-1", -1, FALSE },
  { "cat.2d-dim-minus-2", -2, FALSE },
  { "cat.3d-middle", 1, FALSE },
  { "cat.int-and-bool", 0, FALSE },
  { "cat.int-and-float", 0, FALSE },
  { "cat.float-and-double", 0, FALSE },
  { "cat.bool-only", 0, FALSE },
  { "cat.skips-empty-1d", 1, FALSE },
  { "cat.all-empty-1d", 0, FALSE },
  { "cat.all-empty-1d-any-dim", 5, FALSE },
  { "cat.empty-2d", 1, FALSE },
  { "cat.transposed-inputs", 0, TRUE },
  { "cat.single", 0, FALSE },
};

static const JoinCase stack_error_cases[] = {
  { "error.stack.empty-list", 0, FALSE },
  { "error.stack.unequal", 0, FALSE },
  { "error.stack.unequal-dim1", 1, FALSE },
  { "error.stack.unequal-ndim", -1, FALSE },
  { "error.stack.unequal-third", 0, FALSE },
  { "error.stack.dim-too-big", 3, FALSE },
  { "error.stack.dim-too-negative", -4, FALSE },
  { "error.stack.scalars-dim1", 1, FALSE },
};

static const JoinCase cat_error_cases[] = {
  { "error.cat.empty-list", 0, FALSE },
  { "error.cat.mismatch-dim1", 1, FALSE },
  { "error.cat.mismatch-dim0", 0, FALSE },
  { "error.cat.mismatch-third", 0, FALSE },
  { "error.cat.mismatch-after-skipped", 0, FALSE },
  { "error.cat.ndim-mismatch", 0, FALSE },
  { "error.cat.dim-too-big", 2, FALSE },
  { "error.cat.dim-too-negative", -3, FALSE },
  { "error.cat.scalar-first", 0, FALSE },
  { "error.cat.scalar-second", 0, FALSE },
};

/* The golden inputs <key>.input0, .input1, ... (transposed when asked). */
static GPtrArray *
load_inputs (const JoinCase *c)
{
  GPtrArray *tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);

  for (int i = 0; ; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s.input%d", c->key, i);
      g_autoptr(GeTensor) t = NULL;

      if (!ge_golden_has (golden, key))
        break;
      t = ge_golden_tensor (golden, key);
      g_ptr_array_add (tensors, c->transpose ? transposed (t) : ge_tensor_ref (t));
    }
  return tensors;
}

typedef GeTensor *(*JoinFunc) (int n, GeTensor **tensors, int dim, GError **error);

static void
run_join_case (const JoinCase *c,
               JoinFunc        join,
               JoinFunc        ref_join)
{
  g_autoptr(GPtrArray) inputs = load_inputs (c);
  g_autofree char *kresult = g_strconcat (c->key, ".result", NULL);
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kresult);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) ref_result = NULL;
  g_autoptr(GError) error = NULL;

  result = join (inputs->len, (GeTensor **) inputs->pdata, c->dim, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (result, expected);
  g_assert_true (ge_tensor_is_contiguous (result));

  ref_result = ref_join (inputs->len, (GeTensor **) inputs->pdata, c->dim, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (ref_result, expected);
}

static void
run_join_error_case (const JoinCase *c,
                     JoinFunc        join)
{
  g_autoptr(GPtrArray) inputs = load_inputs (c);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GError) error = NULL;

  result = join (inputs->len, (GeTensor **) inputs->pdata, c->dim, &error);
  g_assert_null (result);
  ge_assert_golden_error (error, ge_golden_string (golden, c->key));
}

static void
run_stack_case (gconstpointer data)
{
  run_join_case (data, ge_tensor_stack, ge_ref_stack);
}

static void
run_cat_case (gconstpointer data)
{
  run_join_case (data, ge_tensor_cat, ge_ref_cat);
}

static void
run_stack_error_case (gconstpointer data)
{
  run_join_error_case (data, ge_tensor_stack);
}

static void
run_cat_error_case (gconstpointer data)
{
  run_join_error_case (data, ge_tensor_cat);
}

/* The result is new memory: writing to it leaves the inputs alone. */
static void
test_cat_result_does_not_share_inputs (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[1., 2.]");
  g_autoptr(GeTensor) joined = NULL;
  g_autoptr(GError) error = NULL;
  GeTensor *single[] = { a };

  joined = ge_tensor_cat (1, single, 0, &error);
  g_assert_no_error (error);
  g_assert_false (ge_tensor_shares_storage (joined, a));
}

static void
add_paths (const void    *cases,
           gsize          n,
           gsize          size,
           GTestDataFunc  func)
{
  for (gsize i = 0; i < n; i++)
    {
      /* Every case struct starts with its key. */
      const void *c = (const char *) cases + i * size;
      g_autofree char *key = g_strdup (*(const char * const *) c);
      g_autofree char *path = NULL;

      g_strdelimit (key, ".", '/');
      path = g_strdup_printf ("/engine/join/%s", key);
      g_test_add_data_func (path, c, func);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("join");

  g_test_add_func ("/engine/join/sort/bad-dim-is-an-index-error",
                   test_sort_bad_dim_is_an_index_error);
  g_test_add_func ("/engine/join/sort/without-indices-leaves-input-alone",
                   test_sort_without_indices_leaves_input_alone);
  g_test_add_func ("/engine/join/sort/matches-reference-on-random-data",
                   test_sort_matches_reference_on_random_data);
  g_test_add_func ("/engine/join/cat/matches-reference-on-random-data",
                   test_cat_matches_reference_on_random_data);
  g_test_add_func ("/engine/join/stack/matches-reference-on-random-data",
                   test_stack_matches_reference_on_random_data);
  g_test_add_func ("/engine/join/cat/result-does-not-share-inputs",
                   test_cat_result_does_not_share_inputs);

  add_paths (sort_cases, G_N_ELEMENTS (sort_cases), sizeof (SortCase), run_sort_case);
  add_paths (stack_cases, G_N_ELEMENTS (stack_cases), sizeof (JoinCase), run_stack_case);
  add_paths (cat_cases, G_N_ELEMENTS (cat_cases), sizeof (JoinCase), run_cat_case);
  add_paths (stack_error_cases, G_N_ELEMENTS (stack_error_cases), sizeof (JoinCase),
             run_stack_error_case);
  add_paths (cat_error_cases, G_N_ELEMENTS (cat_error_cases), sizeof (JoinCase),
             run_cat_error_case);

  status = g_test_run ();
  ge_golden_free (golden);
  return status;
}
