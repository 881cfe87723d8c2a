/* test-index.c - basic indexing and assignment through an index vs PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "ge-test-util.h"

static GeGolden *golden;

/* GeIndex initialisers usable in static tables. */
#define I(i)       { GE_INDEX_INT, (i), 0, 0, 1 }
#define S(a, b, s) { GE_INDEX_SLICE, 0, (a), (b), (s) }
#define ALL        S (NO_START, NO_STOP, 1)
#define NONE       { GE_INDEX_NONE, 0, 0, 0, 1 }
#define ELLIPSIS   { GE_INDEX_ELLIPSIS, 0, 0, 0, 1 }
#define NO_START   G_MININT64
#define NO_STOP    G_MAXINT64

#define MAX_INDICES 5

typedef struct
{
  const char *key;        /* golden key; the test path is made from it */
  const char *base;       /* golden key of the tensor indexed */
  gboolean    transpose;  /* index base.t() instead */
  int         n;
  GeIndex     indices[MAX_INDICES];
} IndexCase;

static const IndexCase get_cases[] = {
  { "get.int", "base.2x3", FALSE, 1, { I (1) } },
  { "get.negative-int", "base.2x3", FALSE, 1, { I (-1) } },
  { "get.two-ints", "base.2x3", FALSE, 2, { I (1), I (-1) } },
  { "get.int-to-scalar", "base.3", FALSE, 1, { I (2) } },
  { "get.int-then-slice", "base.2x3x4", FALSE, 2, { I (1), S (1, NO_STOP, 1) } },
  { "get.slice", "base.2x3", FALSE, 1, { S (1, NO_STOP, 1) } },
  { "get.slice-step", "base.2x3x4", FALSE, 2, { ALL, S (NO_START, NO_STOP, 2) } },
  { "get.slice-negative-bounds", "base.2x3x4", FALSE, 2, { ELLIPSIS, S (-3, -1, 1) } },
  { "get.slice-clamped", "base.2x3", FALSE, 1, { S (-100, 100, 1) } },
  { "get.slice-empty", "base.2x3", FALSE, 2, { ALL, S (2, 1, 1) } },
  { "get.slice-steps-and-starts", "base.2x3x4", FALSE, 3,
    { ALL, S (1, NO_STOP, 2), S (1, 4, 2) } },
  { "get.none-front", "base.2x3", FALSE, 1, { NONE } },
  { "get.none-middle", "base.2x3", FALSE, 2, { ALL, NONE } },
  { "get.none-end", "base.2x3", FALSE, 2, { ELLIPSIS, NONE } },
  { "get.ellipsis", "base.2x3", FALSE, 1, { ELLIPSIS } },
  { "get.ellipsis-int", "base.2x3x4", FALSE, 2, { ELLIPSIS, I (0) } },
  { "get.int-ellipsis-int", "base.2x3x4", FALSE, 3, { I (0), ELLIPSIS, I (-1) } },
  { "get.mixed", "base.2x3x4", FALSE, 4, { I (1), NONE, S (NO_START, NO_STOP, 2), I (-1) } },
  { "get.nones-around-ellipsis", "base.2x3x4", FALSE, 4, { NONE, ELLIPSIS, NONE, I (1) } },
  { "get.scalar-none", "base.scalar", FALSE, 1, { NONE } },
  { "get.scalar-ellipsis", "base.scalar", FALSE, 1, { ELLIPSIS } },
  { "get.empty-tuple", "base.2x3", FALSE, 0, { I (0) } },
  { "get.of-transposed", "base.2x3", TRUE, 2, { S (1, NO_STOP, 1), I (0) } },
};

static const IndexCase error_cases[] = {
  { "error.out-of-bounds", "base.3", FALSE, 1, { I (5) } },
  { "error.negative-out-of-bounds", "base.3", FALSE, 1, { I (-4) } },
  { "error.out-of-bounds-names-position", "base.2x3", FALSE, 3, { NONE, I (0), I (5) } },
  { "error.out-of-bounds-after-ellipsis", "base.2x3", FALSE, 2, { ELLIPSIS, I (5) } },
  { "error.too-many-indices", "base.3", FALSE, 2, { I (0), I (0) } },
  { "error.too-many-with-none", "base.2x3", FALSE, 4, { NONE, I (0), I (1), I (2) } },
  { "error.too-many-slices", "base.2x3", FALSE, 3, { ALL, ALL, ALL } },
  /* Python's lone-int and lone-slice paths: a[0], a[1], a[:] */
  { "error.scalar-int", "base.scalar", FALSE, 1, { I (0) } },
  { "error.scalar-nonzero-int", "base.scalar", FALSE, 1, { I (1) } },
  { "error.scalar-slice", "base.scalar", FALSE, 1, { ALL } },
  { "error.scalar-two-ints", "base.scalar", FALSE, 2, { I (0), I (0) } },
  { "error.zero-step", "base.3", FALSE, 1, { S (NO_START, NO_STOP, 0) } },
  { "error.negative-step", "base.3", FALSE, 1, { S (NO_START, NO_STOP, -1) } },
  { "error.negative-step-in-tuple", "base.2x3", FALSE, 2, { I (0), S (NO_START, NO_STOP, -2) } },
};

static const IndexCase put_cases[] = {
  { "put.int-int", "base.2x2-int", FALSE, 2, { I (0), I (0) } },
  { "put.row-fill", "base.2x3", FALSE, 1, { I (1) } },
  { "put.row-tensor", "base.2x3", FALSE, 1, { I (0) } },
  { "put.columns-broadcast", "base.2x3", FALSE, 2, { ALL, S (1, NO_STOP, 1) } },
  { "put.leading-ones-dropped", "base.3", FALSE, 1, { S (0, 2, 1) } },
  { "put.steps", "base.2x3x4", FALSE, 3, { ALL, S (NO_START, NO_STOP, 2), S (1, NO_STOP, 2) } },
  { "put.none", "base.3", FALSE, 1, { NONE } },
  { "put.ellipsis-converts-dtype", "base.3-int", FALSE, 1, { ELLIPSIS } },
  { "put.bool-target", "base.bool", FALSE, 1, { I (0) } },
  { "put.int-into-float", "base.2x3", FALSE, 2, { I (1), I (1) } },
  { "put.negative-ints", "base.2x3", FALSE, 2, { I (-1), I (-1) } },
  { "put.empty-slice", "base.3", FALSE, 1, { S (2, 1, 1) } },
  { "put.float-into-int-truncates", "base.3-int", FALSE, 1, { I (1) } },
  { "put.double-into-float", "base.3", FALSE, 1, { I (0) } },
};

typedef struct
{
  IndexCase   index;
  const char *value;  /* a literal */
} PutErrorCase;

static const PutErrorCase put_error_cases[] = {
  { { "error.put.shape-mismatch", "base.3", FALSE, 1, { S (0, 2, 1) } }, "[1., 1., 1.]" },
  { { "error.put.extra-dims", "base.3", FALSE, 1, { S (0, 2, 1) } }, "[[[1., 1.]], [[1., 1.]]]" },
  { { "error.put.scalar-target", "base.3", FALSE, 1, { I (0) } }, "[1., 1.]" },
  { { "error.put.bad-index", "base.3", FALSE, 1, { I (5) } }, "1." },
  { { "error.put.empty-rows", "base.2x3", FALSE, 1, { S (0, 0, 1) } }, "[1., 1.]" },
};

static GeTensor *
case_input (const IndexCase *c)
{
  g_autoptr(GeTensor) base = ge_golden_tensor (golden, c->base);
  g_autoptr(GError) error = NULL;
  GeTensor *t;

  if (!c->transpose)
    return g_steal_pointer (&base);
  t = ge_tensor_t (base, &error);
  g_assert_no_error (error);
  return t;
}

/* t[index] is a view of t with torch's values, strides and offset. */
static void
run_get_case (gconstpointer data)
{
  const IndexCase *c = data;
  g_autoptr(GeTensor) input = case_input (c);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) strides = NULL;
  g_autoptr(GeTensor) offset = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kvalues = g_strconcat (c->key, ".values", NULL);
  g_autofree char *kstrides = g_strconcat (c->key, ".strides", NULL);
  g_autofree char *koffset = g_strconcat (c->key, ".offset", NULL);

  result = ge_tensor_index (input, c->n, c->indices, &error);
  g_assert_no_error (error);
  g_assert_true (result != input);
  g_assert_true (ge_tensor_shares_storage (result, input));

  values = ge_golden_tensor (golden, kvalues);
  ge_assert_tensor_equal (result, values);
  strides = ge_golden_tensor (golden, kstrides);
  g_assert_cmpint (ge_tensor_numel (strides), ==, ge_tensor_get_ndim (result));
  for (int d = 0; d < ge_tensor_get_ndim (result); d++)
    g_assert_cmpint (ge_tensor_get_strides (result)[d], ==,
                     (gint64) ge_tensor_get_flat (strides, d));
  offset = ge_golden_tensor (golden, koffset);
  g_assert_cmpint (ge_tensor_get_offset (result), ==, (gint64) ge_tensor_get_flat (offset, 0));
}

static void
run_error_case (gconstpointer data)
{
  const IndexCase *c = data;
  g_autoptr(GeTensor) input = case_input (c);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GError) error = NULL;

  result = ge_tensor_index (input, c->n, c->indices, &error);
  g_assert_null (result);
  ge_assert_golden_error (error, ge_golden_string (golden, c->key));
}

/* t[index] = value changes t as in torch and bumps its version. */
static void
run_put_case (gconstpointer data)
{
  const IndexCase *c = data;
  g_autoptr(GeTensor) input = case_input (c);
  g_autoptr(GeTensor) value = NULL;
  g_autoptr(GeTensor) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kvalue = g_strconcat (c->key, ".value", NULL);
  g_autofree char *kresult = g_strconcat (c->key, ".result", NULL);
  guint64 version = ge_tensor_get_version (input);

  value = ge_golden_tensor (golden, kvalue);
  g_assert_true (ge_tensor_index_put (input, c->n, c->indices, value, &error));
  g_assert_no_error (error);
  expected = ge_golden_tensor (golden, kresult);
  ge_assert_tensor_equal (input, expected);
  g_assert_cmpuint (ge_tensor_get_version (input), >, version);
}

/* A failed assignment reports torch's error and leaves t alone. */
static void
run_put_error_case (gconstpointer data)
{
  const PutErrorCase *c = data;
  g_autoptr(GeTensor) input = case_input (&c->index);
  g_autoptr(GeTensor) before = case_input (&c->index);
  g_autoptr(GeTensor) value = ge_test_tensor (c->value);
  g_autoptr(GError) error = NULL;

  g_assert_false (ge_tensor_index_put (input, c->index.n, c->index.indices, value, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, c->index.key));
  ge_assert_tensor_equal (input, before);
}

/* ---- behaviours ---- */

/* a[1:][0] = 5 writes into a: indexing results are views. */
static void
test_index_put_through_index_view_writes_base (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2.], [3., 4.], [5., 6.]]");
  g_autoptr(GeTensor) tail = NULL;
  g_autoptr(GeTensor) five = ge_tensor_wrap_double (5.0);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[1., 2.], [5., 5.], [5., 6.]]");
  g_autoptr(GError) error = NULL;
  GeIndex from_one = GE_INDEX_RANGE (1, G_MAXINT64, 1);
  GeIndex zero = GE_INDEX_I (0);

  tail = ge_tensor_index (a, 1, &from_one, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_index_put (tail, 1, &zero, five, &error));
  g_assert_no_error (error);
  ge_assert_tensor_equal (a, expected);
}

/* Every view of one storage sees the version go up. */
static void
test_index_put_bumps_shared_version (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[1., 2., 3.]");
  g_autoptr(GeTensor) view = NULL;
  g_autoptr(GeTensor) value = ge_tensor_wrap_double (0.0);
  g_autoptr(GError) error = NULL;
  GeIndex all = GE_INDEX_ALL;
  GeIndex two = GE_INDEX_I (2);
  guint64 version;

  view = ge_tensor_index (a, 1, &all, &error);
  g_assert_no_error (error);
  version = ge_tensor_get_version (a);
  g_assert_true (ge_tensor_index_put (view, 1, &two, value, &error));
  g_assert_cmpuint (ge_tensor_get_version (a), >, version);
  g_assert_cmpuint (ge_tensor_get_version (view), ==, ge_tensor_get_version (a));
}

/* Reading by index changes nothing. */
static void
test_index_get_keeps_version (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[1., 2., 3.]");
  g_autoptr(GeTensor) element = NULL;
  g_autoptr(GError) error = NULL;
  GeIndex one = GE_INDEX_I (1);
  guint64 version = ge_tensor_get_version (a);

  element = ge_tensor_index (a, 1, &one, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ge_tensor_get_version (a), ==, version);
  g_assert_cmpint (ge_tensor_get_dtype (element), ==, GE_DTYPE_FLOAT32);
}

/* The value is read, never written. */
static void
test_index_put_leaves_value_alone (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[[0, 0], [0, 0]]");
  g_autoptr(GeTensor) row = ge_test_tensor ("[1.9, -1.9]");
  g_autoptr(GeTensor) expected_row = ge_test_tensor ("[1.9, -1.9]");
  g_autoptr(GeTensor) expected_a = ge_test_tensor ("[[0, 0], [1, -1]]");
  g_autoptr(GError) error = NULL;
  GeIndex one = GE_INDEX_I (1);

  g_assert_true (ge_tensor_index_put (a, 1, &one, row, &error));
  g_assert_no_error (error);
  ge_assert_tensor_equal (row, expected_row);
  ge_assert_tensor_equal (a, expected_a);
}

static void
add_cases (const void    *cases,
           gsize          n,
           gsize          size,
           GTestDataFunc  func)
{
  for (gsize i = 0; i < n; i++)
    {
      const IndexCase *c = (const void *) ((const char *) cases + i * size);
      g_autofree char *key = g_strdup (c->key);
      g_autofree char *path = NULL;

      /* "get.int" -> /engine/index/get/int */
      g_strdelimit (key, ".", '/');
      path = g_strdup_printf ("/engine/index/%s", key);
      g_test_add_data_func (path, c, func);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("index");

  g_test_add_func ("/engine/index/index-put-through-index-view-writes-base",
                   test_index_put_through_index_view_writes_base);
  g_test_add_func ("/engine/index/index-put-bumps-shared-version",
                   test_index_put_bumps_shared_version);
  g_test_add_func ("/engine/index/index-get-keeps-version", test_index_get_keeps_version);
  g_test_add_func ("/engine/index/index-put-leaves-value-alone", test_index_put_leaves_value_alone);

  add_cases (get_cases, G_N_ELEMENTS (get_cases), sizeof (IndexCase), run_get_case);
  add_cases (error_cases, G_N_ELEMENTS (error_cases), sizeof (IndexCase), run_error_case);
  add_cases (put_cases, G_N_ELEMENTS (put_cases), sizeof (IndexCase), run_put_case);
  /* PutErrorCase starts with its IndexCase. */
  add_cases (put_error_cases, G_N_ELEMENTS (put_error_cases), sizeof (PutErrorCase),
             run_put_error_case);

  status = g_test_run ();
  ge_golden_free (golden);
  return status;
}
