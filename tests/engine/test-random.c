/* test-random.c - the CPU generator against PyTorch 1.13's streams, bit for bit */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ge-test-util.h"
#include "ge-tensor-private.h"

/* golden/random.golden, from gen-random.py */
static GeGolden *golden;

#define SIZES(...) ((const gint64[]) { __VA_ARGS__ })

/* Bitwise equality with the golden tensor @key (dtype and shape included). */
static void
assert_golden (const char     *file,
               int             line,
               const GeTensor *actual,
               const char     *key)
{
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, key);

  ge_test_assert_close (file, line, key, actual, expected, 0.0, 0.0);
}

#define assert_matches_golden(actual, key) assert_golden (__FILE__, __LINE__, (actual), (key))

/* "RuntimeError: message" from the golden, as a GError. */
static void
assert_golden_error (const GError *error,
                     const char   *key)
{
  const char *expected = ge_golden_string (golden, key);

  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (expected, "RuntimeError: "));
  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
  g_assert_cmpstr (error->message, ==, expected + strlen ("RuntimeError: "));
}

static GeTensor *
randn (gint64       n,
       GeDType      dtype,
       GeGenerator *generator)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_randn (1, &n, dtype, generator, &error);

  g_assert_no_error (error);
  return t;
}

static GeTensor *
rand_ (gint64       n,
       GeDType      dtype,
       GeGenerator *generator)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_rand (1, &n, dtype, generator, &error);

  g_assert_no_error (error);
  return t;
}

static GeTensor *
zeros (int           ndim,
       const gint64 *sizes,
       GeDType       dtype)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_zeros (ndim, sizes, dtype, &error);

  g_assert_no_error (error);
  return t;
}

/* The element as PyTorch's oracle lists it (9 significant digits). */
static void
assert_element_text (const GeTensor *t,
                     gint64          index,
                     const char     *expected)
{
  g_autofree char *text = g_strdup_printf ("%.9g", ge_tensor_get_flat (t, index));

  g_assert_cmpstr (text, ==, expected);
}

static const char *
dtype_key (GeDType dtype)
{
  return dtype == GE_DTYPE_FLOAT32 ? "f32" : "f64";
}

/* ---- the engine ---- */

static void
test_mt19937_raw_stream (void)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (0);
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, "raw32-seed0");

  /* 1300 draws cross two state regenerations. */
  g_assert_cmpint (ge_tensor_numel (expected), ==, 1300);
  g_assert_cmpuint (ge_generator_random (generator), ==, 2357136044u);
  for (gint64 i = 1; i < 1300; i++)
    {
      guint32 draw = ge_generator_random (generator);
      gint64 want = (gint64) ge_tensor_get_flat (expected, i);

      g_assert_cmpint ((gint64) (draw % G_MAXUINT32), ==, want);
    }
}

static void
test_seed_uses_low_32_bits (void)
{
  g_autoptr(GeGenerator) generator = ge_generator_new ((G_GUINT64_CONSTANT (1) << 40) + 5);
  g_autoptr(GeGenerator) low = ge_generator_new (5);
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, "raw32-seed-2p40p5");

  for (gint64 i = 0; i < ge_tensor_numel (expected); i++)
    {
      guint32 draw = ge_generator_random (generator);

      g_assert_cmpint ((gint64) (draw % G_MAXUINT32), ==, (gint64) ge_tensor_get_flat (expected, i));
      g_assert_cmpuint (draw, ==, ge_generator_random (low));
    }
}

static void
test_random64_is_two_draws (void)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (3);
  g_autoptr(GeGenerator) twin = ge_generator_new (3);
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, "raw64-seed3");
  g_autofree gint64 *values = NULL;

  for (gint64 i = 0; i < ge_tensor_numel (expected); i++)
    {
      guint64 draw = ge_generator_random64 (generator);
      guint64 hi = ge_generator_random (twin);
      guint64 lo = ge_generator_random (twin);
      gint64 want = ((const gint64 *) ge_tensor_data_ptr (expected))[i];

      g_assert_cmpuint (draw, ==, (hi << 32) | lo);
      g_assert_cmpint ((gint64) (draw % (guint64) G_MAXINT64), ==, want);
    }
}

static void
test_default_generator_initial_seed (void)
{
  if (g_test_subprocess ())
    {
      /* A fresh process: the default generator was never seeded. */
      g_autoptr(GeTensor) r = rand_ (3, GE_DTYPE_FLOAT32, NULL);
      g_autoptr(GeTensor) n = randn (3, GE_DTYPE_FLOAT32, NULL);
      g_autoptr(GeGenerator) fresh = ge_generator_new (G_GUINT64_CONSTANT (67280421310721));
      g_autoptr(GeTensor) n2 = NULL;

      assert_matches_golden (r, "default-seed-rand3");
      /* torch.Generator() starts at the same seed: its randn(3) comes first. */
      n2 = randn (3, GE_DTYPE_FLOAT32, fresh);
      assert_matches_golden (n2, "default-seed-randn3");
      g_assert_cmpfloat (ge_tensor_get_flat (n, 0), !=, ge_tensor_get_flat (n2, 0));
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_manual_seed_reseeds_default (void)
{
  g_autoptr(GeTensor) a = NULL;
  g_autoptr(GeTensor) b = NULL;

  ge_manual_seed (42);
  a = rand_ (4, GE_DTYPE_FLOAT32, NULL);
  ge_generator_manual_seed (ge_generator_get_default (), 42);
  b = rand_ (4, GE_DTYPE_FLOAT32, NULL);
  ge_assert_tensor_equal (a, b);
  g_assert_true (ge_generator_get_default () == ge_generator_get_default ());
}

/* ---- the oracles of pytorch-compat.md ---- */

static void
test_oracle_seed0_randn_rand_randn (void)
{
  g_autoptr(GeTensor) first = NULL;
  g_autoptr(GeTensor) uniform = NULL;
  g_autoptr(GeTensor) second = NULL;

  ge_manual_seed (0);
  first = randn (3, GE_DTYPE_FLOAT32, NULL);
  uniform = rand_ (2, GE_DTYPE_FLOAT32, NULL);
  second = randn (5, GE_DTYPE_FLOAT32, NULL);

  assert_element_text (first, 0, "1.54099607");
  assert_element_text (first, 1, "-0.293428898");
  assert_element_text (first, 2, "-2.17878938");
  assert_element_text (uniform, 0, "0.455627978");
  assert_element_text (uniform, 1, "0.632306278");
  /* The cached spare of the first call comes first. */
  assert_element_text (second, 0, "0.568431258");
  assert_element_text (second, 1, "0.160381258");
  assert_element_text (second, 2, "-0.606451213");
  assert_element_text (second, 3, "-0.783064127");
  assert_element_text (second, 4, "1.06217098");

  assert_matches_golden (first, "oracle-seed0-randn3");
  assert_matches_golden (uniform, "oracle-seed0-rand2");
  assert_matches_golden (second, "oracle-seed0-randn5");
}

static void
test_oracle_seed0_randn17 (void)
{
  g_autoptr(GeTensor) t = NULL;

  ge_manual_seed (0);
  t = randn (17, GE_DTYPE_FLOAT32, NULL);
  assert_element_text (t, 0, "-1.12583983");
  assert_element_text (t, 1, "-1.69593132");
  assert_element_text (t, 2, "0.56665051");
  assert_element_text (t, 16, "0.931826651");
  assert_matches_golden (t, "oracle-seed0-randn17");
}

static void
test_oracle_seed42_rand4 (void)
{
  g_autoptr(GeTensor) t = NULL;

  ge_manual_seed (42);
  t = rand_ (4, GE_DTYPE_FLOAT32, NULL);
  assert_element_text (t, 0, "0.882269263");
  assert_element_text (t, 1, "0.915003955");
  assert_element_text (t, 2, "0.38286376");
  assert_element_text (t, 3, "0.959305644");
  assert_matches_golden (t, "oracle-seed42-rand4");
}

static void
test_oracle_linear_init (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) weight = NULL;
  g_autoptr(GeTensor) bias = NULL;
  g_autoptr(GeTensor) weight_bound_t = ge_golden_tensor (golden, "oracle-linear-weight-bound");
  g_autoptr(GeTensor) bias_bound_t = ge_golden_tensor (golden, "oracle-linear-bias-bound");
  double weight_bound = ge_tensor_get_flat (weight_bound_t, 0);
  double bias_bound = ge_tensor_get_flat (bias_bound_t, 0);
  static const char * const weight_text[] = {
    "-0.00432252884", "0.309715867", "-0.475185335", "-0.424894571", "-0.222368985", "0.15482074",
  };

  /* nn.Linear(3, 2): kaiming_uniform_(a=sqrt(5)) on the weight, then the bias. */
  g_assert_cmpfloat (weight_bound, ==, sqrt (3.0) * (sqrt (2.0 / (1 + 5)) / sqrt (3.0)));
  g_assert_cmpfloat (bias_bound, ==, 1.0 / sqrt (3.0));

  ge_manual_seed (0);
  weight = ge_tensor_empty (2, SIZES (2, 3), GE_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  bias = ge_tensor_empty (1, SIZES (2), GE_DTYPE_FLOAT32, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_uniform_ (weight, -weight_bound, weight_bound, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ge_tensor_uniform_ (bias, -bias_bound, bias_bound, NULL, &error));
  g_assert_no_error (error);

  for (int i = 0; i < 6; i++)
    assert_element_text (weight, i, weight_text[i]);
  assert_element_text (bias, 0, "-0.0114391446");
  assert_element_text (bias, 1, "0.457774997");
  assert_matches_golden (weight, "oracle-linear-weight");
  assert_matches_golden (bias, "oracle-linear-bias");
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

static void
test_long_stream_43052 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) first = NULL;
  g_autoptr(GeTensor) second = NULL;
  g_autoptr(GeTensor) head = NULL;
  g_autoptr(GeTensor) scaled = NULL;
  g_autofree char *head_repr = NULL;
  g_autofree char *scaled_repr = NULL;
  float sorted[100], halves[5];

  ge_manual_seed (43052);
  first = randn (100, GE_DTYPE_FLOAT32, NULL);
  second = randn (100, GE_DTYPE_FLOAT32, NULL);
  assert_matches_golden (first, "long-43052-first");
  assert_matches_golden (second, "long-43052-second");

  /* The notebook prints randn(100).sort()[0][:5], then (randn(100) * 0.5)[:5]. */
  memcpy (sorted, ge_tensor_data_ptr (first), sizeof sorted);
  qsort (sorted, 100, sizeof (float), compare_floats);
  head = ge_tensor_new_from_data (sorted, GE_DTYPE_FLOAT32, 1, SIZES (5), &error);
  g_assert_no_error (error);
  head_repr = ge_tensor_repr (head, NULL);
  g_assert_cmpstr (head_repr, ==, "tensor([-2.4821, -2.3621, -1.9973, -1.6239, -1.4792])");

  for (int i = 0; i < 5; i++)
    halves[i] = ((const float *) ge_tensor_data_ptr (second))[i] * 0.5f;
  scaled = ge_tensor_new_from_data (halves, GE_DTYPE_FLOAT32, 1, SIZES (5), &error);
  g_assert_no_error (error);
  scaled_repr = ge_tensor_repr (scaled, NULL);
  g_assert_cmpstr (scaled_repr, ==, "tensor([-1.1136,  0.3719, -0.4604, -0.4836, -0.8348])");
}

/* ---- both randn paths, rand, shapes ---- */

static void
test_randn_sizes (void)
{
  static const gint64 sizes[] = { 1, 2, 7, 15, 16, 17, 31, 32, 33, 47, 100, 1000 };

  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_autofree char *key = g_strdup_printf ("randn-%s-n%" G_GINT64_FORMAT,
                                                dtype_key (dtype), sizes[i]);
        g_autoptr(GeTensor) t = NULL;

        ge_manual_seed (1000 + sizes[i]);
        t = randn (sizes[i], dtype, NULL);
        assert_matches_golden (t, key);
      }
}

static void
test_rand_sizes (void)
{
  static const gint64 sizes[] = { 1, 3, 16, 17, 1000 };

  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_autofree char *key = g_strdup_printf ("rand-%s-n%" G_GINT64_FORMAT,
                                                dtype_key (dtype), sizes[i]);
        g_autoptr(GeTensor) t = NULL;

        ge_manual_seed (2000 + sizes[i]);
        t = rand_ (sizes[i], dtype, NULL);
        assert_matches_golden (t, key);
      }
}

static void
test_multidim_shapes (void)
{
  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GeTensor) a = NULL;
      g_autoptr(GeTensor) b = NULL;
      g_autoptr(GeTensor) c = NULL;
      g_autoptr(GeTensor) d = NULL;
      g_autofree char *ka = g_strdup_printf ("randn-%s-4x5", dtype_key (dtype));
      g_autofree char *kb = g_strdup_printf ("randn-%s-3x1x5", dtype_key (dtype));
      g_autofree char *kc = g_strdup_printf ("rand-%s-2x3x4", dtype_key (dtype));
      g_autofree char *kd = g_strdup_printf ("randn-%s-0dim", dtype_key (dtype));

      ge_manual_seed (7);
      a = ge_tensor_randn (2, SIZES (4, 5), dtype, NULL, &error);
      g_assert_no_error (error);
      assert_matches_golden (a, ka);

      ge_manual_seed (7);
      b = ge_tensor_randn (3, SIZES (3, 1, 5), dtype, NULL, &error);
      g_assert_no_error (error);
      assert_matches_golden (b, kb);

      ge_manual_seed (7);
      c = ge_tensor_rand (3, SIZES (2, 3, 4), dtype, NULL, &error);
      g_assert_no_error (error);
      assert_matches_golden (c, kc);

      ge_manual_seed (7);
      d = ge_tensor_randn (0, NULL, dtype, NULL, &error);
      g_assert_no_error (error);
      assert_matches_golden (d, kd);
    }
}

static void
test_normal_mean_std (void)
{
  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    {
      static const gint64 sizes[] = { 5, 16, 21 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GeTensor) far = NULL;
      g_autoptr(GeTensor) flat = NULL;
      g_autofree char *far_key = g_strdup_printf ("normal-%s-n40-mean-1e3-std1e-2",
                                                  dtype_key (dtype));
      g_autofree char *flat_key = g_strdup_printf ("normal-%s-n20-std0", dtype_key (dtype));

      for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          g_autofree char *key = g_strdup_printf ("normal-%s-n%" G_GINT64_FORMAT "-mean2.5-std0.3",
                                                  dtype_key (dtype), sizes[i]);
          g_autoptr(GeTensor) t = ge_tensor_empty (1, &sizes[i], dtype, &error);

          g_assert_no_error (error);
          ge_manual_seed (11);
          g_assert_true (ge_tensor_normal_ (t, 2.5, 0.3, NULL, &error));
          g_assert_no_error (error);
          assert_matches_golden (t, key);
        }

      far = ge_tensor_empty (1, SIZES (40), dtype, &error);
      g_assert_no_error (error);
      ge_manual_seed (11);
      g_assert_true (ge_tensor_normal_ (far, -1000.0, 0.01, NULL, &error));
      assert_matches_golden (far, far_key);

      flat = ge_tensor_empty (1, SIZES (20), dtype, &error);
      g_assert_no_error (error);
      ge_manual_seed (11);
      g_assert_true (ge_tensor_normal_ (flat, 3.0, 0.0, NULL, &error));
      assert_matches_golden (flat, flat_key);
    }
}

/* ---- strided targets: memory order, written through the view ---- */

typedef struct
{
  const char *name;
  int         base_ndim;
  gint64      base_sizes[3];
  int         ndim;
  gint64      sizes[3];
  gint64      strides[3];
  gint64      offset;
  gboolean    uniform;
  double      a, b;     /* mean/std or from/to */
} StridedCase;

static const StridedCase strided_cases[] = {
  /* base.t() of a 6x5 */
  { "transpose-normal", 2, { 6, 5 }, 2, { 5, 6 }, { 1, 5 }, 0, FALSE, 1.5, 2.0 },
  /* as_strided((4, 3), (8, 2), 1) over 40 elements */
  { "gaps-normal", 1, { 40 }, 2, { 4, 3 }, { 8, 2 }, 1, FALSE, -1.0, 0.5 },
  /* permute(2, 0, 1) of a 2x3x4 */
  { "permute-normal", 3, { 2, 3, 4 }, 3, { 4, 2, 3 }, { 1, 12, 4 }, 0, FALSE, 0.0, 1.0 },
  /* base[::2] of a 10x4: 20 elements, still the per-element path */
  { "rows-normal", 2, { 10, 4 }, 2, { 5, 4 }, { 8, 1 }, 0, FALSE, 0.0, 1.0 },
  /* overlapping as_strided((3, 3), (1, 1)): the last write wins */
  { "overlap-normal", 1, { 16 }, 2, { 3, 3 }, { 1, 1 }, 0, FALSE, 0.0, 1.0 },
  /* equal strides: the smaller size is the inner loop */
  { "overlap-2x3-normal", 1, { 16 }, 2, { 2, 3 }, { 1, 1 }, 0, FALSE, 0.0, 1.0 },
  { "overlap-3x2-uniform", 1, { 16 }, 2, { 3, 2 }, { 1, 1 }, 0, TRUE, 0.0, 1.0 },
  /* base.t() of a 5x7 */
  { "transpose-uniform", 2, { 5, 7 }, 2, { 7, 5 }, { 1, 7 }, 0, TRUE, -2.0, 3.0 },
  /* base[:, 1:3] of a 3x4 */
  { "columns-uniform", 2, { 3, 4 }, 2, { 3, 2 }, { 4, 1 }, 1, TRUE, 0.0, 1.0 },
};

static void
test_strided_targets (void)
{
  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    for (gsize i = 0; i < G_N_ELEMENTS (strided_cases); i++)
      {
        const StridedCase *c = &strided_cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(GeTensor) base = zeros (c->base_ndim, c->base_sizes, dtype);
        g_autoptr(GeTensor) view = ge_tensor_as_strided (base, c->ndim, c->sizes, c->strides,
                                                         c->offset);
        g_autofree char *key = g_strdup_printf ("strided-%s-%s", dtype_key (dtype), c->name);
        gboolean ok;

        g_assert_nonnull (view);
        g_assert_false (ge_tensor_is_contiguous (view));
        ge_manual_seed (12);
        if (c->uniform)
          ok = ge_tensor_uniform_ (view, c->a, c->b, NULL, &error);
        else
          ok = ge_tensor_normal_ (view, c->a, c->b, NULL, &error);
        g_assert_no_error (error);
        g_assert_true (ok);
        assert_matches_golden (base, key);
      }
}

static void
test_uniform_ranges (void)
{
  static const struct { double from, to; const char *name; } ranges[] = {
    { -2.0, 5.0, "m2-5" },
    { 0.1, 0.2, "0.1-0.2" },
    { -1000.0, 1000.0, "m1e3-1e3" },
    { 3.0, 3.0, "3-3" },
    { 1e-3, 1e7, "1e-3-1e7" },
    { -0.7, -0.3, "m0.7-m0.3" },
  };

  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    for (gsize i = 0; i < G_N_ELEMENTS (ranges); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GeTensor) t = ge_tensor_empty (1, SIZES (50), dtype, &error);
        g_autofree char *key = g_strdup_printf ("uniform-%s-%s", dtype_key (dtype), ranges[i].name);

        g_assert_no_error (error);
        ge_manual_seed (21);
        g_assert_true (ge_tensor_uniform_ (t, ranges[i].from, ranges[i].to, NULL, &error));
        g_assert_no_error (error);
        assert_matches_golden (t, key);
        for (gint64 k = 0; k < 50; k++)
          {
            double v = ge_tensor_get_flat (t, k);

            g_assert_cmpfloat (v, >=, (dtype == GE_DTYPE_FLOAT32 ? (float) ranges[i].from
                                                                 : ranges[i].from));
          }
      }
}

/* ---- the cached spare and interleavings ---- */

static void
test_interleaved_rand_randn (void)
{
  static const struct { const char *key; gint64 n; GeDType dtype; gboolean normal; } steps[] = {
    { "mix-randn3", 3, GE_DTYPE_FLOAT32, TRUE },
    { "mix-rand4", 4, GE_DTYPE_FLOAT32, FALSE },
    { "mix-randn20", 20, GE_DTYPE_FLOAT32, TRUE },
    { "mix-randn1", 1, GE_DTYPE_FLOAT32, TRUE },
    { "mix-randn2", 2, GE_DTYPE_FLOAT32, TRUE },
    { "mix-rand3-f64", 3, GE_DTYPE_FLOAT64, FALSE },
    { "mix-randn5-f64", 5, GE_DTYPE_FLOAT64, TRUE },
    { "mix-randn1-f64", 1, GE_DTYPE_FLOAT64, TRUE },
    { "mix-randn16-f64", 16, GE_DTYPE_FLOAT64, TRUE },
    { "mix-rand1", 1, GE_DTYPE_FLOAT32, FALSE },
  };

  ge_manual_seed (5);
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GeTensor) t = steps[i].normal ? randn (steps[i].n, steps[i].dtype, NULL)
                                              : rand_ (steps[i].n, steps[i].dtype, NULL);

      assert_matches_golden (t, steps[i].key);
    }
}

static void
test_spare_survives_calls (void)
{
  g_autoptr(GeTensor) first = NULL;
  g_autoptr(GeTensor) second = NULL;
  g_autoptr(GeTensor) pair = NULL;

  ge_manual_seed (9);
  first = randn (1, GE_DTYPE_FLOAT32, NULL);
  second = randn (1, GE_DTYPE_FLOAT32, NULL);
  assert_matches_golden (first, "spare-first");
  assert_matches_golden (second, "spare-second");

  /* The pair of one Box–Muller draw is randn(2) from the same seed. */
  ge_manual_seed (9);
  pair = randn (2, GE_DTYPE_FLOAT32, NULL);
  g_assert_cmpfloat (ge_tensor_get_flat (pair, 0), ==, ge_tensor_get_flat (first, 0));
  g_assert_cmpfloat (ge_tensor_get_flat (pair, 1), ==, ge_tensor_get_flat (second, 0));
}

static void
test_spare_cleared_by_manual_seed (void)
{
  g_autoptr(GeTensor) discarded = NULL;
  g_autoptr(GeTensor) after = NULL;
  g_autoptr(GeGenerator) generator = ge_generator_new (9);
  g_autoptr(GeTensor) own_first = NULL;
  g_autoptr(GeTensor) own_again = NULL;

  ge_manual_seed (9);
  discarded = randn (1, GE_DTYPE_FLOAT32, NULL);
  ge_manual_seed (9);
  after = randn (1, GE_DTYPE_FLOAT32, NULL);
  assert_matches_golden (after, "spare-after-reseed");
  assert_matches_golden (after, "spare-first");

  own_first = randn (1, GE_DTYPE_FLOAT32, generator);
  ge_generator_manual_seed (generator, 9);
  own_again = randn (1, GE_DTYPE_FLOAT32, generator);
  ge_assert_tensor_equal (own_again, own_first);
}

static void
test_generators_are_independent (void)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (77);
  g_autoptr(GeTensor) a = NULL;
  g_autoptr(GeTensor) b = NULL;
  g_autoptr(GeTensor) c = NULL;

  ge_manual_seed (0);
  a = randn (3, GE_DTYPE_FLOAT32, generator);
  b = randn (3, GE_DTYPE_FLOAT32, NULL);
  c = rand_ (2, GE_DTYPE_FLOAT32, generator);
  assert_matches_golden (a, "gen77-randn3");
  assert_matches_golden (b, "gen77-default-randn3");
  assert_matches_golden (b, "oracle-seed0-randn3");
  assert_matches_golden (c, "gen77-rand2");
}

/* ---- errors and edge cases ---- */

static GeTensor *
empty (gint64  n,
       GeDType dtype)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_empty (1, &n, dtype, &error);

  g_assert_no_error (error);
  return t;
}

static void
test_errors (void)
{
  g_autoptr(GeTensor) f32 = empty (3, GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) f32_empty = empty (0, GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) f64 = empty (3, GE_DTYPE_FLOAT64);
  g_autoptr(GeTensor) i64 = empty (3, GE_DTYPE_INT64);
  g_autoptr(GeTensor) small = zeros (1, SIZES (3), GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) expanded = ge_tensor_as_strided (small, 2, SIZES (2, 3), SIZES (0, 1), 0);
  g_autoptr(GeTensor) expanded_large = ge_tensor_as_strided (small, 2, SIZES (20, 3),
                                                             SIZES (0, 1), 0);
  guint64 version = ge_tensor_get_version (f32);
  static const gint64 three = 3, none = 0;

#define EXPECT_FAILS(call, key) G_STMT_START {                          \
    g_autoptr(GError) error = NULL;                                   \
    g_assert_false (call);                                            \
    assert_golden_error (error, key);                                 \
  } G_STMT_END
#define EXPECT_NULL(call, key) G_STMT_START {                           \
    g_autoptr(GError) error = NULL;                                   \
    g_autoptr(GeTensor) result = (call);                              \
    g_assert_null (result);                                           \
    assert_golden_error (error, key);                                 \
  } G_STMT_END

  EXPECT_NULL (ge_tensor_randn (1, &three, GE_DTYPE_INT64, NULL, &error), "error-randn-int64");
  EXPECT_NULL (ge_tensor_randn (1, &three, GE_DTYPE_BOOL, NULL, &error), "error-randn-bool");
  EXPECT_NULL (ge_tensor_randn (1, &none, GE_DTYPE_INT64, NULL, &error), "error-randn-int64-empty");
  EXPECT_NULL (ge_tensor_rand (1, &three, GE_DTYPE_INT64, NULL, &error), "error-rand-int64");
  EXPECT_NULL (ge_tensor_rand (1, &three, GE_DTYPE_BOOL, NULL, &error), "error-rand-bool");

  EXPECT_FAILS (ge_tensor_uniform_ (i64, 1, 0, NULL, &error), "error-uniform-int64-bad-range");
  EXPECT_FAILS (ge_tensor_uniform_ (f32, 1.5, 0.25, NULL, &error), "error-uniform-from-gt-to");
  EXPECT_FAILS (ge_tensor_uniform_ (f32_empty, 1, 0, NULL, &error),
                "error-uniform-from-gt-to-empty");
  EXPECT_FAILS (ge_tensor_uniform_ (f32, NAN, 0, NULL, &error), "error-uniform-from-nan");
  EXPECT_FAILS (ge_tensor_uniform_ (f32, 0, INFINITY, NULL, &error), "error-uniform-to-inf");
  EXPECT_FAILS (ge_tensor_uniform_ (f32, -1e39, 0, NULL, &error),
                "error-uniform-f32-out-of-range");
  EXPECT_FAILS (ge_tensor_uniform_ (f32, -3e38, 3e38, NULL, &error), "error-uniform-f32-span");
  EXPECT_FAILS (ge_tensor_uniform_ (f64, -1e308, 1e308, NULL, &error), "error-uniform-f64-span");
  EXPECT_FAILS (ge_tensor_uniform_ (f64, -INFINITY, 0, NULL, &error),
                "error-uniform-f64-from-inf");

  EXPECT_FAILS (ge_tensor_normal_ (f32, 0, -1.5, NULL, &error), "error-normal-negative-std");
  EXPECT_FAILS (ge_tensor_normal_ (i64, 0, -1, NULL, &error), "error-normal-negative-std-int64");
  EXPECT_FAILS (ge_tensor_normal_ (f32, 0, NAN, NULL, &error), "error-normal-nan-std");
  EXPECT_FAILS (ge_tensor_normal_ (i64, 0, 1, NULL, &error), "error-normal-int64");

  EXPECT_FAILS (ge_tensor_normal_ (expanded, 0, 1, NULL, &error), "error-normal-expanded");
  EXPECT_FAILS (ge_tensor_normal_ (expanded_large, 0, 1, NULL, &error),
                "error-normal-expanded-large");
  EXPECT_FAILS (ge_tensor_uniform_ (expanded, 0, 1, NULL, &error), "error-uniform-expanded");

#undef EXPECT_FAILS
#undef EXPECT_NULL

  /* Failed fills leave the version alone. */
  g_assert_cmpuint (ge_tensor_get_version (f32), ==, version);
}

/* Real cuda tensors are filled by the CUDA generator (ge-device.c); a tensor
 * only tagged cuda whose memory is on the host must never reach a kernel. */
static void
test_fake_cuda_tensors_are_refused (void)
{
  g_autoptr(GeTensor) t = empty (4, GE_DTYPE_FLOAT32);
  g_autoptr(GError) normal_error = NULL;
  g_autoptr(GError) uniform_error = NULL;

  /* Only the device tag is faked: the fills must not touch the data. */
  t->storage->device = GE_DEVICE_CUDA;
  g_assert_false (ge_tensor_normal_ (t, 0, 1, NULL, &normal_error));
  g_assert_false (ge_tensor_uniform_ (t, 0, 1, NULL, &uniform_error));
  t->storage->device = GE_DEVICE_CPU;
  g_assert_error (normal_error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED);
  g_assert_error (uniform_error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED);
}

static void
test_huge_sizes_fail_cleanly (void)
{
  static const gint64 huge[] = { G_GINT64_CONSTANT (1) << 62 };
  static const gint64 square[] = { G_GINT64_CONSTANT (1) << 40, G_GINT64_CONSTANT (1) << 40 };
  static const gint64 negative[] = { -1 };

  for (GeDType dtype = GE_DTYPE_FLOAT32; dtype <= GE_DTYPE_FLOAT64; dtype++)
    {
      g_autoptr(GError) e1 = NULL;
      g_autoptr(GError) e2 = NULL;
      g_autoptr(GError) e3 = NULL;
      g_autoptr(GError) e4 = NULL;
      g_autoptr(GeTensor) t1 = ge_tensor_randn (1, huge, dtype, NULL, &e1);
      g_autoptr(GeTensor) t2 = ge_tensor_rand (2, square, dtype, NULL, &e2);
      g_autoptr(GeTensor) t3 = ge_tensor_randn (1, negative, dtype, NULL, &e3);
      g_autoptr(GeTensor) t4 = ge_tensor_rand (1, negative, dtype, NULL, &e4);

      g_assert_null (t1);
      g_assert_nonnull (e1);
      g_assert_true (e1->domain == GE_ERROR);
      g_assert_null (t2);
      g_assert_nonnull (e2);
      g_assert_true (e2->domain == GE_ERROR);
      g_assert_null (t3);
      ge_assert_error (e3, GE_ERROR_RUNTIME,
                       "Trying to create tensor with negative dimension -1: [-1]");
      g_assert_null (t4);
      ge_assert_error (e4, GE_ERROR_RUNTIME,
                       "Trying to create tensor with negative dimension -1: [-1]");
    }
}

static void
test_empty_tensors_draw_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) none = NULL;
  g_autoptr(GeTensor) none2d = NULL;
  g_autoptr(GeTensor) after = NULL;
  g_autoptr(GeTensor) expected = NULL;

  ge_manual_seed (42);
  none = ge_tensor_randn (1, SIZES (0), GE_DTYPE_FLOAT32, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_numel (none), ==, 0);
  none2d = ge_tensor_rand (2, SIZES (0, 3), GE_DTYPE_FLOAT64, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_size (none2d, 1), ==, 3);
  after = rand_ (4, GE_DTYPE_FLOAT32, NULL);
  assert_matches_golden (after, "oracle-seed42-rand4");
}

static void
test_fills_bump_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = empty (20, GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) view = ge_tensor_as_strided (t, 1, SIZES (5), SIZES (2), 1);
  guint64 v0 = ge_tensor_get_version (t);

  g_assert_true (ge_tensor_normal_ (t, 0, 1, NULL, &error));
  g_assert_cmpuint (ge_tensor_get_version (t), ==, v0 + 1);
  g_assert_true (ge_tensor_uniform_ (t, 0, 1, NULL, &error));
  g_assert_cmpuint (ge_tensor_get_version (t), ==, v0 + 2);
  /* A write through a view is a write to the storage. */
  g_assert_true (ge_tensor_normal_ (view, 0, 1, NULL, &error));
  g_assert_cmpuint (ge_tensor_get_version (t), ==, v0 + 3);
  g_assert_no_error (error);
}

static void
test_rand_is_in_unit_interval (void)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (123);
  g_autoptr(GeTensor) f32 = rand_ (100000, GE_DTYPE_FLOAT32, generator);
  g_autoptr(GeTensor) f64 = rand_ (100000, GE_DTYPE_FLOAT64, generator);
  const float *a = ge_tensor_data_ptr (f32);
  const double *b = ge_tensor_data_ptr (f64);
  double sum = 0.0;

  for (int i = 0; i < 100000; i++)
    {
      g_assert_true (a[i] >= 0.0f && a[i] < 1.0f);
      g_assert_true (b[i] >= 0.0 && b[i] < 1.0);
      sum += a[i];
    }
  g_assert_cmpfloat (fabs (sum / 100000 - 0.5), <, 0.01);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("random");

  g_test_add_func ("/engine/random/mt19937/raw-stream", test_mt19937_raw_stream);
  g_test_add_func ("/engine/random/mt19937/seed-uses-low-32-bits", test_seed_uses_low_32_bits);
  g_test_add_func ("/engine/random/mt19937/random64-is-two-draws", test_random64_is_two_draws);
  g_test_add_func ("/engine/random/default-generator/initial-seed",
                   test_default_generator_initial_seed);
  g_test_add_func ("/engine/random/default-generator/manual-seed",
                   test_manual_seed_reseeds_default);
  g_test_add_func ("/engine/random/oracle/seed0-randn-rand-randn",
                   test_oracle_seed0_randn_rand_randn);
  g_test_add_func ("/engine/random/oracle/seed0-randn17", test_oracle_seed0_randn17);
  g_test_add_func ("/engine/random/oracle/seed42-rand4", test_oracle_seed42_rand4);
  g_test_add_func ("/engine/random/oracle/linear-init", test_oracle_linear_init);
  g_test_add_func ("/engine/random/oracle/long-stream-43052", test_long_stream_43052);
  g_test_add_func ("/engine/random/randn/sizes-around-block", test_randn_sizes);
  g_test_add_func ("/engine/random/rand/sizes", test_rand_sizes);
  g_test_add_func ("/engine/random/multidim-shapes", test_multidim_shapes);
  g_test_add_func ("/engine/random/normal/mean-std", test_normal_mean_std);
  g_test_add_func ("/engine/random/strided-targets-in-memory-order", test_strided_targets);
  g_test_add_func ("/engine/random/uniform/ranges", test_uniform_ranges);
  g_test_add_func ("/engine/random/uniform/in-unit-interval", test_rand_is_in_unit_interval);
  g_test_add_func ("/engine/random/spare/interleaved-rand-randn", test_interleaved_rand_randn);
  g_test_add_func ("/engine/random/spare/survives-calls", test_spare_survives_calls);
  g_test_add_func ("/engine/random/spare/cleared-by-manual-seed",
                   test_spare_cleared_by_manual_seed);
  g_test_add_func ("/engine/random/generators-are-independent", test_generators_are_independent);
  g_test_add_func ("/engine/random/errors", test_errors);
  g_test_add_func ("/engine/random/huge-sizes-fail-cleanly", test_huge_sizes_fail_cleanly);
  g_test_add_func ("/engine/random/fake-cuda-tensors-are-refused", test_fake_cuda_tensors_are_refused);
  g_test_add_func ("/engine/random/empty-tensors-draw-nothing", test_empty_tensors_draw_nothing);
  g_test_add_func ("/engine/random/fills-bump-version", test_fills_bump_version);

  status = g_test_run ();
  ge_golden_free (golden);
  return status;
}
