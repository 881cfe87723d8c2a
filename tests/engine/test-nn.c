/* test-nn.c - torch.nn in C (Linear, addmm, mse_loss, flatten, modules) vs PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-test-util.h"

static GeGolden *golden;

/* Tolerance for values that go through the engine's float32 sums (double
 * accumulators) where PyTorch 1.13 sums in float: a few ulps. */
#define SUM_RTOL 1e-6
/* and for sums that cancel (values of order 1) */
#define SUM_ATOL 1e-6

/* Every tensor a test makes goes into the arena and is freed at the end. */
static GPtrArray *arena;

static void
arena_begin (void)
{
  arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
}

static void
arena_end (void)
{
  g_clear_pointer (&arena, g_ptr_array_unref);
}

static GeTensor *
T (GeTensor *t)
{
  g_assert_nonnull (t);
  g_ptr_array_add (arena, t);
  return t;
}

static GError *op_error;

static GeTensor *
ok (GeTensor *t)
{
  g_assert_no_error (op_error);
  return T (t);
}

#define OK(call) ok (call)
#define E (&op_error)

static GeTensor *
gold (const char *key)
{
  return T (ge_golden_tensor (golden, key));
}

static GeTensor *
goldf (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static GeTensor *
goldf (const char *fmt, ...)
{
  va_list ap;
  g_autofree char *key = NULL;

  va_start (ap, fmt);
  key = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  return gold (key);
}

static const char *
gold_string (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static const char *
gold_string (const char *fmt, ...)
{
  va_list ap;
  g_autofree char *key = NULL;

  va_start (ap, fmt);
  key = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  return ge_golden_string (golden, key);
}

static GeTensor *
make_leaf (GeTensor *t)
{
  g_assert_true (ge_tensor_set_requires_grad (t, TRUE, NULL));
  return t;
}

/* A contiguous copy that requires grad (a fresh leaf). */
static GeTensor *
leaf_copy (GeTensor *t)
{
  return make_leaf (OK (ge_tensor_clone (t, E)));
}

static GeTensor *
transposed_copy (GeTensor *t, int d0, int d1)
{
  GeTensor *v = OK (ge_tensor_transpose (t, d0, d1, E));
  return OK (ge_tensor_contiguous (v, E));
}

/* The upstream gradient gen-nn.py uses: linspace(-1, 1.5, numel) in shape. */
static GeTensor *
upstream (GeTensor *like)
{
  GeTensor *flat = OK (ge_tensor_linspace (-1.0, 1.5, ge_tensor_numel (like), GE_DTYPE_FLOAT32, E));
  return OK (ge_tensor_reshape (flat, ge_tensor_get_ndim (like), ge_tensor_get_sizes (like), E));
}

static void
append_structure (GString *s, GeNode *node)
{
  int n;

  if (node == NULL)
    {
      g_string_append (s, "None");
      return;
    }
  g_string_append (s, ge_node_get_name (node));
  n = ge_node_get_n_next (node);
  if (n == 0)
    return;
  g_string_append_c (s, '(');
  for (int i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      append_structure (s, ge_node_get_next (node, i, NULL));
    }
  g_string_append_c (s, ')');
}

static char *
structure (GeTensor *t)
{
  GString *s = g_string_new (NULL);

  append_structure (s, ge_tensor_get_grad_fn (t));
  return g_string_free (s, FALSE);
}

#define assert_structure(t, ...) G_STMT_START {                                \
    g_autofree char *got__ = structure (t);                                   \
    g_assert_cmpstr (got__, ==, gold_string (__VA_ARGS__));                   \
  } G_STMT_END

static void
expect_golden_error (GError *error, const char *key)
{
  ge_assert_golden_error (error, ge_golden_string (golden, key));
}

/* ---- Linear init ---- */

typedef struct
{
  guint64  seed;
  gint64   in, out;
  gboolean bias;
} InitCase;

static const InitCase init_cases[] = {
  { 0, 3, 2, TRUE }, { 1, 4, 5, TRUE }, { 42, 1, 1, TRUE }, { 7, 16, 3, TRUE },
  { 123, 3, 1, TRUE }, { 5, 20, 17, TRUE }, { 9, 4, 2, FALSE }, { 11, 0, 2, TRUE },
  { 13, 3, 0, TRUE }, { 2024, 7, 1, TRUE },
};

static void
test_linear_init_matches_pytorch (void)
{
  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (init_cases); i++)
    {
      const InitCase *c = &init_cases[i];
      g_autoptr(GeModule) lin = NULL;
      gint64 three = 3;

      ge_manual_seed (c->seed);
      lin = ge_linear_new (c->in, c->out, c->bias, NULL, &op_error);
      g_assert_no_error (op_error);
      ge_assert_tensor_equal (ge_linear_get_weight (lin), goldf ("init.%" G_GUINT64_FORMAT ".weight", c->seed));
      g_assert_true (ge_tensor_requires_grad (ge_linear_get_weight (lin)));
      g_assert_true (ge_tensor_is_leaf (ge_linear_get_weight (lin)));
      if (c->bias)
        {
          ge_assert_tensor_equal (ge_linear_get_bias (lin), goldf ("init.%" G_GUINT64_FORMAT ".bias", c->seed));
          g_assert_true (ge_tensor_requires_grad (ge_linear_get_bias (lin)));
        }
      else
        g_assert_null (ge_linear_get_bias (lin));
      /* the generator stream continues where PyTorch's does */
      ge_assert_tensor_equal (OK (ge_tensor_rand (1, &three, GE_DTYPE_FLOAT32, NULL, E)),
                              goldf ("init.%" G_GUINT64_FORMAT ".after", c->seed));
    }
  arena_end ();
}

static void
test_linear_init_oracle (void)
{
  /* pytorch-compat.md: seed 0 nn.Linear(3, 2) */
  static const float weight[] = { -0.00432252884f, 0.309715867f, -0.475185335f,
                                  -0.424894571f, -0.222368985f, 0.15482074f };
  static const float bias[] = { -0.0114391446f, 0.457774997f };
  g_autoptr(GeModule) lin = NULL;

  ge_manual_seed (0);
  lin = ge_linear_new (3, 2, TRUE, NULL, NULL);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (ge_tensor_get_flat (ge_linear_get_weight (lin), i), ==, weight[i]);
  for (int i = 0; i < 2; i++)
    g_assert_cmpfloat (ge_tensor_get_flat (ge_linear_get_bias (lin), i), ==, bias[i]);
}

static void
test_linear_uses_given_generator (void)
{
  g_autoptr(GeGenerator) gen = ge_generator_new (0);
  g_autoptr(GeModule) a = NULL, b = NULL;

  ge_manual_seed (99);
  a = ge_linear_new (3, 2, TRUE, gen, NULL);
  ge_manual_seed (0);
  b = ge_linear_new (3, 2, TRUE, NULL, NULL);
  arena_begin ();
  ge_assert_tensor_equal (ge_linear_get_weight (a), ge_linear_get_weight (b));
  ge_assert_tensor_equal (ge_linear_get_bias (a), ge_linear_get_bias (b));
  arena_end ();
}

static void
test_parameter_repr (void)
{
  g_autoptr(GeModule) lin = NULL;
  g_autofree char *w = NULL, *b = NULL;

  ge_manual_seed (0);
  lin = ge_linear_new (3, 2, TRUE, NULL, NULL);
  w = ge_parameter_repr (ge_linear_get_weight (lin));
  b = ge_parameter_repr (ge_linear_get_bias (lin));
  g_assert_cmpstr (w, ==, ge_golden_string (golden, "repr.param.weight"));
  g_assert_cmpstr (b, ==, ge_golden_string (golden, "repr.param.bias"));
}

static void
test_parameter_new_shares_storage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) data = ge_test_tensor ("[1.0, 2.0]");
  g_autoptr(GeTensor) ints = ge_test_tensor ("[1, 2]");
  g_autoptr(GeTensor) p = ge_parameter_new (data, TRUE, &error);

  g_assert_no_error (error);
  g_assert_true (ge_tensor_is_leaf (p));
  g_assert_true (ge_tensor_requires_grad (p));
  g_assert_true (ge_tensor_shares_storage (p, data));
  g_assert_null (ge_parameter_new (ints, TRUE, &error));
  expect_golden_error (error, "err.parameter.int");
}

/* ---- Linear forward, grads and graph ---- */

static const char *linear_inputs[] = { "1d", "2d", "3d", "4d", "3d_noncontig" };

static void
check_linear_case (gboolean bias, const char *key)
{
  const char *tag = bias ? "bias" : "nobias";
  g_autoptr(GeModule) lin = NULL;
  GeTensor *x0 = goldf ("linear.%s.x", key);
  GeTensor *x, *xin, *y;
  gboolean noncontig = g_str_equal (key, "3d_noncontig");

  ge_manual_seed (3);
  lin = ge_linear_new (3, 2, bias, NULL, &op_error);
  g_assert_no_error (op_error);

  /* the leaf: the input itself, or (non-contiguous case) the contiguous
   * tensor whose transpose is the input */
  if (noncontig)
    {
      x = make_leaf (transposed_copy (x0, 0, 1));
      xin = OK (ge_tensor_transpose (x, 0, 1, E));
    }
  else
    xin = x = leaf_copy (x0);

  y = OK (ge_module_forward (lin, xin, E));
  ge_assert_tensor_equal (y, goldf ("linear.%s.%s.y", tag, key));
  assert_structure (y, "structure.linear.%s.%s.rg", tag, key);
  g_assert_true (ge_tensor_backward (y, upstream (y), FALSE, FALSE, &op_error));
  g_assert_no_error (op_error);
  ge_assert_tensor_equal (ge_tensor_get_grad (x), goldf ("linear.%s.%s.grad_x", tag, key));
  ge_assert_tensor_equal (ge_tensor_get_grad (ge_linear_get_weight (lin)), goldf ("linear.%s.%s.grad_w", tag, key));
  /* the bias gradient is a sum over the batch (the engine's sum_to):
   * within a few ulps of PyTorch's float cascade sum */
  if (bias)
    ge_assert_tensor_close (ge_tensor_get_grad (ge_linear_get_bias (lin)), goldf ("linear.%s.%s.grad_b", tag, key),
                            SUM_RTOL, 0);

  /* an input that needs no grad */
  if (noncontig)
    x0 = OK (ge_tensor_transpose (transposed_copy (x0, 0, 1), 0, 1, E));
  assert_structure (OK (ge_module_forward (lin, x0, E)), "structure.linear.%s.%s.norg", tag, key);
}

static void
test_linear_forward_and_grads_match_pytorch (void)
{
  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (linear_inputs); i++)
    {
      check_linear_case (TRUE, linear_inputs[i]);
      check_linear_case (FALSE, linear_inputs[i]);
    }
  arena_end ();
}

/* ---- addmm ---- */

static void
test_addmm_values_grads_and_graph (void)
{
  static const char *keys[] = { "plain", "beta_alpha", "beta0", "colmajor_m1", "colmajor_m2",
                                "bias_row", "bias_scalar" };

  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *k = keys[i];
      GeTensor *b = leaf_copy (gold ("addmm.b"));
      GeTensor *m1 = leaf_copy (gold ("addmm.m1"));
      GeTensor *m2 = leaf_copy (gold ("addmm.m2"));
      GeTensor *leaves[3], *y;
      double beta = 1.0, alpha = 1.0;

      if (g_str_equal (k, "colmajor_m1"))
        {
          /* a leaf laid out column-major, as torch.randn(3, 4).t() */
          GeTensor *base = gold ("addmm.m1c_t");
          m1 = make_leaf (OK (ge_tensor_detach (OK (ge_tensor_t (base, E)))));
        }
      if (g_str_equal (k, "colmajor_m2"))
        {
          GeTensor *base = gold ("addmm.m2c_t");
          m2 = make_leaf (OK (ge_tensor_detach (OK (ge_tensor_t (base, E)))));
        }
      if (g_str_equal (k, "bias_row"))
        b = leaf_copy (gold ("addmm.b_row"));
      if (g_str_equal (k, "bias_scalar"))
        b = leaf_copy (gold ("addmm.b_scalar")), beta = 3.0;
      if (g_str_equal (k, "beta_alpha"))
        beta = 0.5, alpha = 2.0;
      if (g_str_equal (k, "beta0"))
        beta = 0.0, alpha = 1.5;

      y = OK (ge_tensor_addmm (b, m1, m2, beta, alpha, E));
      ge_assert_tensor_equal (y, goldf ("addmm.%s.y", k));
      assert_structure (y, "structure.addmm.%s", k);
      g_assert_true (ge_tensor_backward (y, upstream (y), FALSE, FALSE, &op_error));
      g_assert_no_error (op_error);
      leaves[0] = b, leaves[1] = m1, leaves[2] = m2;
      for (int j = 0; j < 3; j++)
        {
          g_autofree char *key = g_strdup_printf ("addmm.%s.grad%d", k, j);

          /* the bias gradient is a sum (sum_to) */
          if (j == 0)
            ge_assert_tensor_close (ge_tensor_get_grad (leaves[j]), gold (key), SUM_RTOL, 0);
          else
            ge_assert_tensor_equal (ge_tensor_get_grad (leaves[j]), gold (key));
        }
    }
  arena_end ();
}

static void
test_addmm_integer_and_double (void)
{
  GeTensor *m1, *m2, *seven;
  gint64 s43[2] = { 4, 3 }, s32[2] = { 3, 2 };

  arena_begin ();
  m1 = OK (ge_tensor_reshape (OK (ge_tensor_arange (0, 12, 1, GE_DTYPE_INT64, TRUE, E)), 2, s43, E));
  m2 = OK (ge_tensor_reshape (OK (ge_tensor_arange (0, 6, 1, GE_DTYPE_INT64, TRUE, E)), 2, s32, E));
  ge_assert_tensor_equal (OK (ge_tensor_addmm (T (ge_test_tensor ("[1, 2]")), m1, m2, 2, 3, E)),
                          gold ("addmm.int64"));

  m1 = OK (ge_tensor_to_dtype (m1, GE_DTYPE_FLOAT64, E));
  seven = T (ge_tensor_wrap_int (7));
  m2 = OK (ge_tensor_div (OK (ge_tensor_to_dtype (m2, GE_DTYPE_FLOAT64, E)), seven, E));
  ge_assert_tensor_equal (OK (ge_tensor_addmm (gold ("addmm.float64.b"), m1, m2, 1, 1, E)),
                          gold ("addmm.float64"));
  arena_end ();
}

/* ---- mse_loss ---- */

static void
test_mse_loss_values_grads_and_graph (void)
{
  static const char *cases[][3] = {
    { "same", "mse.a", "mse.t" },
    { "bcast", "mse.a_col", "mse.t_row" },
    { "bcast_input_full", "mse.a", "mse.t_row" },
  };
  static const GeReduction reductions[] = { GE_REDUCTION_MEAN, GE_REDUCTION_SUM, GE_REDUCTION_NONE };

  arena_begin ();
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    for (guint r = 0; r < G_N_ELEMENTS (reductions); r++)
      {
        const char *key = cases[c][0];
        const char *red = ge_reduction_to_string (reductions[r]);
        GeTensor *a = leaf_copy (gold (cases[c][1]));
        GeTensor *t = leaf_copy (gold (cases[c][2]));
        GeTensor *y = OK (ge_tensor_mse_loss (a, t, reductions[r], E));

        g_test_message ("mse %s %s", key, red);

        ge_assert_tensor_equal (y, goldf ("mse.%s.%s.y", key, red));
        assert_structure (y, "structure.mse.%s.%s", key, red);
        g_assert_true (ge_tensor_backward (y, upstream (y), FALSE, FALSE, &op_error));
        g_assert_no_error (op_error);
        /* broadcast inputs get their gradient through ExpandBackward0's sum */
        ge_assert_tensor_close (ge_tensor_get_grad (a), goldf ("mse.%s.%s.grad_input", key, red),
                                c == 0 ? 0 : SUM_RTOL, c == 0 ? 0 : SUM_ATOL);
        ge_assert_tensor_close (ge_tensor_get_grad (t), goldf ("mse.%s.%s.grad_target", key, red),
                                c == 0 ? 0 : SUM_RTOL, c == 0 ? 0 : SUM_ATOL);

        y = OK (ge_tensor_mse_loss (leaf_copy (gold (cases[c][1])), gold (cases[c][2]), reductions[r], E));
        assert_structure (y, "structure.mse.%s.%s.target_const", key, red);
      }
  arena_end ();
}

static void
test_mse_loss_mixed_dtypes (void)
{
  GeTensor *a, *t;
  gint64 s34[2] = { 3, 4 };

  arena_begin ();
  a = gold ("mse.a");
  t = OK (ge_tensor_to_dtype (gold ("mse.t"), GE_DTYPE_FLOAT64, E));
  ge_assert_tensor_equal (OK (ge_tensor_mse_loss (a, t, GE_REDUCTION_MEAN, E)), gold ("mse.mixed"));
  t = OK (ge_tensor_reshape (OK (ge_tensor_arange (0, 12, 1, GE_DTYPE_INT64, TRUE, E)), 2, s34, E));
  ge_assert_tensor_equal (OK (ge_tensor_mse_loss (a, t, GE_REDUCTION_MEAN, E)), gold ("mse.mixed_int_target"));
  arena_end ();
}

static void
test_mse_loss_size_warning (void)
{
  g_autofree char *warning = NULL;

  arena_begin ();
  warning = ge_mse_loss_size_warning (gold ("mse.a_col"), gold ("mse.t_row"));
  g_assert_cmpstr (warning, ==, ge_golden_string (golden, "mse.warning"));
  g_assert_null (ge_mse_loss_size_warning (gold ("mse.a"), gold ("mse.t")));
  arena_end ();
}

static void
test_reduction_names (void)
{
  g_autoptr(GError) error = NULL;
  GeReduction r;

  g_assert_true (ge_reduction_from_string ("sum", &r, NULL));
  g_assert_cmpint (r, ==, GE_REDUCTION_SUM);
  g_assert_true (ge_reduction_from_string ("none", &r, NULL));
  g_assert_cmpint (r, ==, GE_REDUCTION_NONE);
  g_assert_true (ge_reduction_from_string ("mean", &r, NULL));
  g_assert_cmpint (r, ==, GE_REDUCTION_MEAN);
  g_assert_false (ge_reduction_from_string ("avg", &r, &error));
  expect_golden_error (error, "err.mse.reduction");
}

/* ---- flatten ---- */

static void
test_flatten_values_and_graph (void)
{
  static const struct { const char *key; int start, end; } cases[] = {
    { "default", 1, -1 }, { "all", 0, -1 }, { "first_two", 0, 1 }, { "last_two", -2, -1 }, { "same", 1, 1 },
  };
  GeTensor *x, *y, *xt;
  g_autoptr(GeModule) flatten = ge_flatten_new (1, -1);

  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      x = leaf_copy (gold ("flatten.x"));
      y = OK (ge_tensor_flatten (x, cases[i].start, cases[i].end, E));
      ge_assert_tensor_equal (y, goldf ("flatten.%s.y", cases[i].key));
      assert_structure (y, "structure.flatten.%s", cases[i].key);
      if (g_str_equal (cases[i].key, "same"))
        g_assert_true (y == x);
      else
        g_assert_true (ge_tensor_shares_storage (y, x));
    }

  /* not viewable: a copy (clone + _unsafe_view) */
  xt = leaf_copy (gold ("flatten.x"));
  y = OK (ge_module_forward (flatten, OK (ge_tensor_transpose (xt, 1, 2, E)), E));
  ge_assert_tensor_equal (y, gold ("flatten.transposed.y"));
  assert_structure (y, "structure.flatten.transposed");
  g_assert_true (ge_tensor_backward (y, upstream (y), FALSE, FALSE, &op_error));
  ge_assert_tensor_equal (ge_tensor_get_grad (xt), gold ("flatten.transposed.grad"));

  /* 0-dim: a one-element 1-D tensor */
  x = leaf_copy (T (ge_test_tensor ("2.0")));
  y = OK (ge_tensor_flatten (x, 0, -1, E));
  g_assert_cmpint (ge_tensor_get_ndim (y), ==, 1);
  g_assert_cmpint (ge_tensor_get_size (y, 0), ==, 1);
  assert_structure (y, "structure.flatten.zero_dim");
  arena_end ();
}

/* ---- modules ---- */

static void
test_activation_modules (void)
{
  g_autoptr(GeModule) relu = ge_relu_new ();
  g_autoptr(GeModule) tanh_m = ge_tanh_new ();
  g_autoptr(GeModule) sigmoid = ge_sigmoid_new ();
  GeTensor *x;

  arena_begin ();
  x = gold ("act.x");
  ge_assert_tensor_equal (OK (ge_module_forward (relu, x, E)), gold ("act.relu"));
  ge_assert_tensor_equal (OK (ge_module_forward (tanh_m, x, E)), gold ("act.tanh"));
  ge_assert_tensor_equal (OK (ge_module_forward (sigmoid, x, E)), gold ("act.sigmoid"));
  arena_end ();
}

static GeModule *
make_mlp (void)
{
  GeModule *layers[6];
  GeModule *seq;

  ge_manual_seed (21);
  layers[0] = ge_linear_new (4, 8, TRUE, NULL, NULL);
  layers[1] = ge_relu_new ();
  layers[2] = ge_linear_new (8, 3, TRUE, NULL, NULL);
  layers[3] = ge_tanh_new ();
  layers[4] = ge_linear_new (3, 1, TRUE, NULL, NULL);
  layers[5] = ge_sigmoid_new ();
  seq = ge_sequential_new (6, layers);
  for (int i = 0; i < 6; i++)
    ge_module_unref (layers[i]);
  return seq;
}

static void
test_sequential_mlp_forward_backward (void)
{
  g_autoptr(GeModule) mlp = make_mlp ();
  g_autoptr(GeModule) loss_fn = ge_mse_loss_new (GE_REDUCTION_MEAN);
  g_autoptr(GPtrArray) params = NULL;
  GeTensor *y, *loss, *inputs[2];

  arena_begin ();
  y = OK (ge_module_forward (mlp, gold ("mlp.x"), E));
  ge_assert_tensor_equal (y, gold ("mlp.y"));
  inputs[0] = y, inputs[1] = gold ("mlp.t");
  loss = OK (ge_module_forward_n (loss_fn, 2, inputs, E));
  /* the mean is a float32 sum: a few ulps from PyTorch's */
  ge_assert_tensor_close (loss, gold ("mlp.loss"), SUM_RTOL, 0);
  assert_structure (loss, "structure.mlp");
  g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, &op_error));
  g_assert_no_error (op_error);
  params = ge_module_parameters (mlp);
  g_assert_cmpuint (params->len, ==, 6);
  for (guint i = 0; i < params->len; i++)
    ge_assert_tensor_close (ge_tensor_get_grad (g_ptr_array_index (params, i)), goldf ("mlp.grad.%u", i),
                            SUM_RTOL, SUM_ATOL);
  arena_end ();
}

static void
test_parameters_order_and_names (void)
{
  g_autoptr(GeModule) mlp = make_mlp ();
  g_auto(GStrv) names = ge_module_parameter_names (mlp);
  g_autofree char *joined = g_strjoinv (" ", names);
  g_autoptr(GPtrArray) params = ge_module_parameters (mlp);
  GeModule *first = ge_module_get_child (mlp, 0);

  g_assert_cmpstr (joined, ==, ge_golden_string (golden, "mlp.names"));
  g_assert_true (g_ptr_array_index (params, 0) == ge_linear_get_weight (first));
  g_assert_true (g_ptr_array_index (params, 1) == ge_linear_get_bias (first));
}

static void
test_shared_module_parameters_listed_once (void)
{
  g_autoptr(GeModule) lin = ge_linear_new (2, 2, TRUE, NULL, NULL);
  GeModule *twice[2] = { lin, lin };
  g_autoptr(GeModule) seq = ge_sequential_new (2, twice);
  g_autoptr(GPtrArray) params = ge_module_parameters (seq);
  g_auto(GStrv) names = ge_module_parameter_names (seq);

  g_assert_cmpuint (params->len, ==, 2);
  g_assert_cmpstr (names[0], ==, "0.weight");
  g_assert_cmpstr (names[1], ==, "0.bias");
  g_assert_null (names[2]);
}

static void
test_notebook_model_forward_and_graph (void)
{
  GeModule *layers[2];
  g_autoptr(GeModule) seq = NULL;
  g_autofree char *repr = NULL;
  GeTensor *x, *p, *xx, *y;
  gint64 s6 = 6;

  ge_manual_seed (0);
  layers[0] = ge_linear_new (3, 1, TRUE, NULL, NULL);
  layers[1] = ge_flatten_new (0, 1);
  seq = ge_sequential_new (2, layers);
  ge_module_unref (layers[0]);
  ge_module_unref (layers[1]);

  arena_begin ();
  /* xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3])) */
  x = OK (ge_tensor_linspace (-1, 1, s6, GE_DTYPE_FLOAT32, E));
  p = T (ge_test_tensor ("[1, 2, 3]"));
  xx = OK (ge_tensor_pow (OK (ge_tensor_unsqueeze (x, -1, E)), p, E));
  y = OK (ge_module_forward (seq, xx, E));
  ge_assert_tensor_equal (y, gold ("seq.y"));
  assert_structure (y, "structure.seq");
  repr = ge_module_repr (seq);
  g_assert_cmpstr (repr, ==, ge_golden_string (golden, "repr.seq"));
  arena_end ();
}

static void
test_module_reprs (void)
{
  g_autoptr(GeModule) mlp = make_mlp ();
  g_autoptr(GeModule) inner_lin = ge_linear_new (2, 2, TRUE, NULL, NULL);
  g_autoptr(GeModule) relu = ge_relu_new ();
  g_autoptr(GeModule) tanh_m = ge_tanh_new ();
  g_autoptr(GeModule) sigmoid = ge_sigmoid_new ();
  GeModule *inner_list[2] = { inner_lin, relu };
  g_autoptr(GeModule) inner = ge_sequential_new (2, inner_list);
  GeModule *outer_list[2] = { inner, tanh_m };
  g_autoptr(GeModule) nested = ge_sequential_new (2, outer_list);
  g_autoptr(GeModule) nobias = ge_linear_new (3, 2, FALSE, NULL, NULL);
  g_autoptr(GeModule) mse = ge_mse_loss_new (GE_REDUCTION_SUM);
  g_autoptr(GeModule) flatten = ge_flatten_new (1, -1);
  g_autoptr(GeModule) empty = ge_sequential_new (0, NULL);
  g_autofree char *s1 = ge_module_repr (mlp), *s2 = ge_module_repr (nested), *s3 = ge_module_repr (nobias);
  g_autofree char *s4 = ge_module_repr (mse), *s5 = ge_module_repr (flatten), *s6 = ge_module_repr (empty);
  g_autofree char *a1 = ge_module_repr (relu), *a2 = ge_module_repr (tanh_m), *a3 = ge_module_repr (sigmoid);
  g_autofree char *acts = g_strjoin (" ", a1, a2, a3, NULL);

  g_assert_cmpstr (s1, ==, ge_golden_string (golden, "repr.mlp"));
  g_assert_cmpstr (s2, ==, ge_golden_string (golden, "repr.nested"));
  g_assert_cmpstr (s3, ==, ge_golden_string (golden, "repr.linear_nobias"));
  g_assert_cmpstr (s4, ==, ge_golden_string (golden, "repr.mse"));
  g_assert_cmpstr (s5, ==, ge_golden_string (golden, "repr.flatten_default"));
  g_assert_cmpstr (s6, ==, ge_golden_string (golden, "repr.empty_seq"));
  g_assert_cmpstr (acts, ==, ge_golden_string (golden, "repr.activations"));
}

static void
test_sequential_indexing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeModule) lin = ge_linear_new (3, 1, TRUE, NULL, NULL);
  g_autoptr(GeModule) flatten = ge_flatten_new (0, 1);
  g_autoptr(GeModule) seq = ge_sequential_new (0, NULL);
  g_autoptr(GeTensor) x = ge_test_tensor ("[1.0, 2.0]");
  g_autoptr(GeTensor) y = NULL;

  /* an empty Sequential returns its input */
  y = ge_module_forward (seq, x, NULL);
  g_assert_true (y == x);

  ge_sequential_append (seq, lin);
  ge_sequential_append (seq, flatten);
  g_assert_cmpint (ge_sequential_get_length (seq), ==, 2);
  g_assert_true (ge_sequential_get (seq, 0, NULL) == lin);
  g_assert_true (ge_sequential_get (seq, -1, NULL) == flatten);
  g_assert_cmpstr (ge_module_get_child_name (seq, 1), ==, "1");
  g_assert_null (ge_sequential_get (seq, 2, &error));
  expect_golden_error (error, "err.seq.index");
  g_clear_error (&error);
  g_assert_null (ge_sequential_get (seq, -3, &error));
  expect_golden_error (error, "err.seq.negindex");
  g_clear_error (&error);
  g_assert_null (ge_sequential_get (lin, 0, &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_TYPE);
  g_assert_cmpstr (error->message, ==, "'Linear' object is not subscriptable");
}

static void
test_module_zero_grad_zeroes_in_place (void)
{
  g_autoptr(GeModule) mlp = make_mlp ();
  g_autoptr(GPtrArray) params = NULL;
  GeTensor *loss, *grad0;

  arena_begin ();
  loss = OK (ge_tensor_sum (OK (ge_module_forward (mlp, gold ("mlp.x"), E)), E));
  g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, NULL));
  params = ge_module_parameters (mlp);
  grad0 = ge_tensor_get_grad (g_ptr_array_index (params, 0));
  g_assert_true (ge_module_zero_grad (mlp, FALSE, NULL));
  /* same tensor, now zeros */
  g_assert_true (ge_tensor_get_grad (g_ptr_array_index (params, 0)) == grad0);
  for (guint i = 0; i < params->len; i++)
    {
      GeTensor *g = ge_tensor_get_grad (g_ptr_array_index (params, i));
      g_assert_nonnull (g);
      ge_assert_tensor_equal (g, OK (ge_tensor_zeros_like (g, E)));
    }
  g_assert_true (ge_module_zero_grad (mlp, TRUE, NULL));
  for (guint i = 0; i < params->len; i++)
    g_assert_null (ge_tensor_get_grad (g_ptr_array_index (params, i)));
  arena_end ();
}

/* A module defined in C, as the notebook's Polynomial3: y = a + b x + c x^2 + d x^3 */
static GeTensor *
poly3_forward (GeModule *self, GeTensor **inputs, GError **error)
{
  GeTensor *x = inputs[0];
  g_autoptr(GeTensor) two = ge_tensor_wrap_int (2), three = ge_tensor_wrap_int (3);
  g_autoptr(GeTensor) bx = NULL, x2 = NULL, cx2 = NULL, x3 = NULL, dx3 = NULL, s1 = NULL, s2 = NULL;

  if ((bx = ge_tensor_mul (ge_module_get_parameter (self, "b"), x, error)) == NULL ||
      (s1 = ge_tensor_add (ge_module_get_parameter (self, "a"), bx, error)) == NULL ||
      (x2 = ge_tensor_pow (x, two, error)) == NULL ||
      (cx2 = ge_tensor_mul (ge_module_get_parameter (self, "c"), x2, error)) == NULL ||
      (s2 = ge_tensor_add (s1, cx2, error)) == NULL ||
      (x3 = ge_tensor_pow (x, three, error)) == NULL ||
      (dx3 = ge_tensor_mul (ge_module_get_parameter (self, "d"), x3, error)) == NULL)
    return NULL;
  return ge_tensor_add (s2, dx3, error);
}

static const GeModuleClass poly3_class = { .name = "Polynomial3", .forward = poly3_forward };

static void
test_custom_module (void)
{
  g_autoptr(GeModule) m = ge_module_new (&poly3_class, NULL);
  g_autoptr(GPtrArray) params = NULL;
  g_autofree char *repr = NULL;
  const char *names[] = { "a", "b", "c", "d" };
  GeTensor *y;

  arena_begin ();
  for (int i = 0; i < 4; i++)
    {
      GeTensor *v = T (ge_tensor_scalar (i + 1, GE_DTYPE_FLOAT32));
      ge_module_register_parameter (m, names[i], OK (ge_parameter_new (v, TRUE, E)));
    }
  params = ge_module_parameters (m);
  g_assert_cmpuint (params->len, ==, 4);
  y = OK (ge_module_forward (m, T (ge_test_tensor ("[2.0]")), E));
  /* 1 + 2*2 + 3*4 + 4*8 */
  g_assert_cmpfloat (ge_tensor_get_flat (y, 0), ==, 49.0);
  g_assert_true (ge_tensor_backward (OK (ge_tensor_sum (y, E)), NULL, FALSE, FALSE, NULL));
  g_assert_cmpfloat (ge_tensor_get_flat (ge_tensor_get_grad (g_ptr_array_index (params, 3)), 0), ==, 8.0);
  repr = ge_module_repr (m);
  g_assert_cmpstr (repr, ==, "Polynomial3()");
  arena_end ();
}

/* ---- gradcheck: central differences in float64 (pytorch-compat.md) ---- */

typedef GeTensor *(*Fn) (GeTensor **inputs, gpointer data, GError **error);

/* sum(f(inputs) * w) with fixed weights, so that every output element counts
 * differently. */
static GeTensor *
weighted_sum (Fn fn, GeTensor **inputs, gpointer data)
{
  g_autoptr(GeTensor) out = fn (inputs, data, &op_error);
  g_autoptr(GeTensor) flat = NULL, w = NULL, prod = NULL, wshape = NULL;

  g_assert_no_error (op_error);
  w = ge_tensor_linspace (0.5, 1.5, MAX (ge_tensor_numel (out), 1), GE_DTYPE_FLOAT64, NULL);
  wshape = ge_tensor_reshape (w, ge_tensor_get_ndim (out), ge_tensor_get_sizes (out), NULL);
  prod = ge_tensor_mul (out, wshape, NULL);
  return ge_tensor_sum (prod, NULL);
}

static void
gradcheck (const char *what, Fn fn, int n, GeTensor **inputs, gpointer data)
{
  const double eps = 1e-6, atol = 1e-5, rtol = 1e-3;
  g_autoptr(GeTensor) s = weighted_sum (fn, inputs, data);

  for (int i = 0; i < n; i++)
    ge_tensor_set_grad (inputs[i], NULL, NULL);
  g_assert_true (ge_tensor_backward (s, NULL, FALSE, FALSE, &op_error));
  g_assert_no_error (op_error);

  for (int i = 0; i < n; i++)
    {
      double *data_ptr = ge_tensor_data_ptr (inputs[i]);
      GeTensor *grad = ge_tensor_get_grad (inputs[i]);

      g_assert_true (ge_tensor_is_contiguous (inputs[i]));
      for (gint64 j = 0; j < ge_tensor_numel (inputs[i]); j++)
        {
          double saved = data_ptr[j], plus, minus, numeric, analytic;
          gboolean prev = ge_grad_mode_set_enabled (FALSE);
          g_autoptr(GeTensor) sp = NULL, sm = NULL;

          data_ptr[j] = saved + eps;
          sp = weighted_sum (fn, inputs, data);
          data_ptr[j] = saved - eps;
          sm = weighted_sum (fn, inputs, data);
          data_ptr[j] = saved;
          ge_grad_mode_set_enabled (prev);
          plus = ge_tensor_get_flat (sp, 0);
          minus = ge_tensor_get_flat (sm, 0);
          numeric = (plus - minus) / (2 * eps);
          analytic = grad != NULL ? ge_tensor_get_flat (grad, j) : 0.0;
          if (fabs (numeric - analytic) > atol + rtol * fabs (numeric))
            g_error ("gradcheck %s: input %d element %" G_GINT64_FORMAT ": numeric %.10g analytic %.10g",
                     what, i, j, numeric, analytic);
        }
    }
}

static GeTensor *
randn64 (int ndim, const gint64 *sizes)
{
  return make_leaf (OK (ge_tensor_randn (ndim, sizes, GE_DTYPE_FLOAT64, NULL, E)));
}

typedef struct { double beta, alpha; } AddmmArgs;

static GeTensor *
fn_addmm (GeTensor **in, gpointer data, GError **error)
{
  AddmmArgs *a = data;
  return ge_tensor_addmm (in[0], in[1], in[2], a->beta, a->alpha, error);
}

static GeTensor *
fn_linear (GeTensor **in, gpointer data, GError **error)
{
  return ge_tensor_linear (in[0], in[1], data ? in[2] : NULL, error);
}

static GeTensor *
fn_mse (GeTensor **in, gpointer data, GError **error)
{
  return ge_tensor_mse_loss (in[0], in[1], GPOINTER_TO_INT (data), error);
}

static GeTensor *
fn_flatten (GeTensor **in, gpointer data, GError **error)
{
  return ge_tensor_flatten (in[0], 0, 1, error);
}

static void
test_gradcheck_addmm_linear_mse_flatten (void)
{
  gint64 s2 = 2, s43[2] = { 4, 3 }, s32[2] = { 3, 2 }, s12[2] = { 1, 2 };
  gint64 s23[2] = { 2, 3 }, s3 = 3, s243[3] = { 2, 4, 3 }, s2243[4] = { 2, 2, 4, 3 };
  gint64 s31[2] = { 3, 1 }, s4 = 4, s234[3] = { 2, 3, 4 };
  AddmmArgs args[] = { { 1, 1 }, { 0.5, -2 }, { 0, 1 } };

  arena_begin ();
  ge_manual_seed (77);
  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    {
      GeTensor *in[3] = { randn64 (1, &s2), randn64 (2, s43), randn64 (2, s32) };
      gradcheck ("addmm", fn_addmm, 3, in, &args[i]);
    }
  {
    GeTensor *in[3] = { randn64 (2, s12), randn64 (2, s43), randn64 (2, s32) };
    gradcheck ("addmm (row bias)", fn_addmm, 3, in, &args[0]);
  }
  {
    const gint64 *shapes[] = { &s3, s43, s243, s2243 };
    const int ndims[] = { 1, 2, 3, 4 };

    for (int i = 0; i < 4; i++)
      for (int bias = 0; bias < 2; bias++)
        {
          GeTensor *in[3] = { randn64 (ndims[i], shapes[i]), randn64 (2, s23), randn64 (1, &s2) };
          gradcheck ("linear", fn_linear, bias ? 3 : 2, in, GINT_TO_POINTER (bias));
        }
  }
  for (int r = 0; r < 3; r++)
    {
      GeTensor *same[2] = { randn64 (2, s43), randn64 (2, s43) };
      GeTensor *bcast[2] = { randn64 (2, s31), randn64 (1, &s4) };
      gradcheck ("mse", fn_mse, 2, same, GINT_TO_POINTER (r));
      gradcheck ("mse (broadcast)", fn_mse, 2, bcast, GINT_TO_POINTER (r));
    }
  {
    GeTensor *in[1] = { randn64 (3, s234) };
    gradcheck ("flatten", fn_flatten, 1, in, NULL);
  }
  arena_end ();
}

static void
test_second_derivatives_through_addmm_and_mse (void)
{
  /* d/dW of |dL/dW|^2 for L = mse(x W^T + b, t, sum), against central
   * differences of |dL/dW|^2 */
  gint64 s43[2] = { 4, 3 }, s23[2] = { 2, 3 }, s2 = 2, s42[2] = { 4, 2 };
  GeTensor *x, *w, *b, *t, *lin, *loss, *gw, *sq;
  GeTensor **grads;
  const double eps = 1e-6;
  double *wd;

  arena_begin ();
  ge_manual_seed (5);
  x = OK (ge_tensor_randn (2, s43, GE_DTYPE_FLOAT64, NULL, E));
  w = randn64 (2, s23);
  b = randn64 (1, &s2);
  t = OK (ge_tensor_randn (2, s42, GE_DTYPE_FLOAT64, NULL, E));
  lin = OK (ge_tensor_linear (x, w, b, E));
  loss = OK (ge_tensor_mse_loss (lin, t, GE_REDUCTION_SUM, E));
  grads = ge_autograd_grad (1, &loss, 1, &w, NULL, FALSE, TRUE, FALSE, &op_error);
  g_assert_no_error (op_error);
  gw = T (grads[0]);
  g_free (grads);
  sq = OK (ge_tensor_sum (OK (ge_tensor_mul (gw, gw, E)), E));
  g_assert_true (ge_tensor_backward (sq, NULL, FALSE, FALSE, &op_error));
  g_assert_no_error (op_error);

  wd = ge_tensor_data_ptr (w);
  for (int j = 0; j < 6; j++)
    {
      double saved = wd[j], f[2];

      for (int k = 0; k < 2; k++)
        {
          GeTensor *l2, *ls, *g2;
          GeTensor **gr;

          wd[j] = saved + (k == 0 ? eps : -eps);
          l2 = OK (ge_tensor_linear (x, w, b, E));
          ls = OK (ge_tensor_mse_loss (l2, t, GE_REDUCTION_SUM, E));
          gr = ge_autograd_grad (1, &ls, 1, &w, NULL, FALSE, FALSE, FALSE, &op_error);
          g_assert_no_error (op_error);
          g2 = T (gr[0]);
          g_free (gr);
          f[k] = ge_tensor_get_flat (OK (ge_tensor_sum (OK (ge_tensor_mul (g2, g2, E)), E)), 0);
        }
      wd[j] = saved;
      g_assert_cmpfloat_with_epsilon (ge_tensor_get_flat (ge_tensor_get_grad (w), j),
                                      (f[0] - f[1]) / (2 * eps), 1e-4 * MAX (1.0, fabs (f[0])));
    }
  g_assert_true (ge_tensor_set_grad (w, NULL, NULL));
  arena_end ();
}

/* ---- errors ---- */

static void
expect_null (GeTensor *t, const char *key)
{
  g_assert_null (t);
  expect_golden_error (op_error, key);
  g_clear_error (&op_error);
}

static void
test_errors_match_pytorch (void)
{
  g_autoptr(GeModule) lin = NULL;
  g_autoptr(GeModule) nobias = NULL;
  g_autoptr(GeModule) mse = ge_mse_loss_new (GE_REDUCTION_MEAN);
  GeModule *parts[2];
  g_autoptr(GeModule) two = NULL;
  gint64 s43[2] = { 4, 3 }, s22[2] = { 2, 2 }, s32[2] = { 3, 2 }, s45[2] = { 4, 5 };
  gint64 s5 = 5, s245[3] = { 2, 4, 5 }, s2245[4] = { 2, 2, 4, 5 }, s2 = 2, s3 = 3, s23[2] = { 2, 3 }, s4 = 4;
  GeTensor *f2, *f3v, *f43, *f32, *inputs[3];

  arena_begin ();
  ge_manual_seed (0);
  lin = ge_linear_new (3, 2, TRUE, NULL, NULL);
  nobias = ge_linear_new (3, 2, FALSE, NULL, NULL);
  parts[0] = ge_linear_new (3, 1, TRUE, NULL, NULL);
  parts[1] = ge_flatten_new (0, 1);
  two = ge_sequential_new (2, parts);
  ge_module_unref (parts[0]);
  ge_module_unref (parts[1]);

  f2 = OK (ge_tensor_zeros (1, &s2, GE_DTYPE_FLOAT32, E));
  f3v = OK (ge_tensor_zeros (1, &s3, GE_DTYPE_FLOAT32, E));
  f43 = OK (ge_tensor_zeros (2, s43, GE_DTYPE_FLOAT32, E));
  f32 = OK (ge_tensor_zeros (2, s32, GE_DTYPE_FLOAT32, E));

  expect_null (ge_tensor_addmm (f2, f43, OK (ge_tensor_zeros (2, s22, GE_DTYPE_FLOAT32, E)), 1, 1, E),
               "err.addmm.shape");
  expect_null (ge_tensor_addmm (f2, f3v, f32, 1, 1, E), "err.addmm.mat1_dim");
  expect_null (ge_tensor_addmm (f2, f43, f3v, 1, 1, E), "err.addmm.mat2_dim");
  expect_null (ge_tensor_addmm (f3v, f43, f32, 1, 1, E), "err.addmm.expand");
  expect_null (ge_tensor_addmm (OK (ge_tensor_zeros (1, &s2, GE_DTYPE_FLOAT64, E)), f3v, f32, 1, 1, E),
               "err.addmm.dtype_self");
  expect_null (ge_tensor_addmm (f2, OK (ge_tensor_zeros (2, s43, GE_DTYPE_FLOAT64, E)), f32, 1, 1, E),
               "err.addmm.dtype_mat1");
  expect_null (ge_tensor_addmm (OK (ge_tensor_zeros (1, &s2, GE_DTYPE_BOOL, E)),
                                OK (ge_tensor_zeros (2, s43, GE_DTYPE_BOOL, E)),
                                OK (ge_tensor_zeros (2, s32, GE_DTYPE_BOOL, E)), 1, 1, E),
               "err.addmm.bool");

  expect_null (ge_module_forward (lin, OK (ge_tensor_zeros (2, s45, GE_DTYPE_FLOAT32, E)), E), "err.linear.2d");
  expect_null (ge_module_forward (lin, OK (ge_tensor_zeros (1, &s5, GE_DTYPE_FLOAT32, E)), E), "err.linear.1d");
  expect_null (ge_module_forward (lin, OK (ge_tensor_zeros (3, s245, GE_DTYPE_FLOAT32, E)), E), "err.linear.3d");
  expect_null (ge_module_forward (lin, OK (ge_tensor_zeros (4, s2245, GE_DTYPE_FLOAT32, E)), E), "err.linear.4d");
  expect_null (ge_module_forward (lin, T (ge_test_tensor ("1.0")), E), "err.linear.0d");
  expect_null (ge_module_forward (lin, OK (ge_tensor_zeros (2, s43, GE_DTYPE_FLOAT64, E)), E), "err.linear.dtype");
  expect_null (ge_module_forward (nobias, OK (ge_tensor_zeros (2, s43, GE_DTYPE_FLOAT64, E)), E),
               "err.linear.nobias_dtype");
  expect_null (ge_tensor_linear (f43, OK (ge_tensor_zeros (2, s23, GE_DTYPE_FLOAT32, E)),
                                 OK (ge_tensor_zeros (1, &s5, GE_DTYPE_FLOAT32, E)), E),
               "err.linear.bias_size");
  g_assert_null (ge_linear_new (-1, 2, TRUE, NULL, &op_error));
  expect_golden_error (op_error, "err.linear.negative");
  g_clear_error (&op_error);

  expect_null (ge_tensor_mse_loss (f3v, OK (ge_tensor_zeros (1, &s4, GE_DTYPE_FLOAT32, E)), GE_REDUCTION_MEAN, E),
               "err.mse.size");
  expect_null (ge_tensor_mse_loss (OK (ge_tensor_zeros (1, &s3, GE_DTYPE_INT64, E)),
                                   OK (ge_tensor_zeros (1, &s3, GE_DTYPE_INT64, E)), GE_REDUCTION_MEAN, E),
               "err.mse.long");
  expect_null (ge_tensor_flatten (OK (ge_tensor_zeros (2, s23, GE_DTYPE_FLOAT32, E)), 1, 0, E), "err.flatten.order");
  expect_null (ge_tensor_flatten (OK (ge_tensor_zeros (2, s23, GE_DTYPE_FLOAT32, E)), 0, 2, E), "err.flatten.range");

  inputs[0] = inputs[1] = inputs[2] = OK (ge_tensor_ones (2, s23, GE_DTYPE_FLOAT32, E));
  expect_null (ge_module_forward_n (lin, 2, inputs, E), "err.forward.too_many");
  expect_null (ge_module_forward_n (lin, 0, NULL, E), "err.forward.missing");
  expect_null (ge_module_forward_n (two, 2, inputs, E), "err.forward.seq_too_many");
  expect_null (ge_module_forward_n (mse, 1, inputs, E), "err.forward.mse_missing_target");
  expect_null (ge_module_forward_n (mse, 0, NULL, E), "err.forward.mse_missing_both");
  expect_null (ge_module_forward_n (mse, 3, inputs, E), "err.forward.mse_too_many");
  arena_end ();
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("nn");

  g_test_add_func ("/engine/nn/linear-init-matches-pytorch", test_linear_init_matches_pytorch);
  g_test_add_func ("/engine/nn/linear-init-oracle", test_linear_init_oracle);
  g_test_add_func ("/engine/nn/linear-uses-given-generator", test_linear_uses_given_generator);
  g_test_add_func ("/engine/nn/parameter-repr", test_parameter_repr);
  g_test_add_func ("/engine/nn/parameter-new-shares-storage", test_parameter_new_shares_storage);
  g_test_add_func ("/engine/nn/linear-forward-and-grads-match-pytorch", test_linear_forward_and_grads_match_pytorch);
  g_test_add_func ("/engine/nn/addmm-values-grads-and-graph", test_addmm_values_grads_and_graph);
  g_test_add_func ("/engine/nn/addmm-integer-and-double", test_addmm_integer_and_double);
  g_test_add_func ("/engine/nn/mse-loss-values-grads-and-graph", test_mse_loss_values_grads_and_graph);
  g_test_add_func ("/engine/nn/mse-loss-mixed-dtypes", test_mse_loss_mixed_dtypes);
  g_test_add_func ("/engine/nn/mse-loss-size-warning", test_mse_loss_size_warning);
  g_test_add_func ("/engine/nn/reduction-names", test_reduction_names);
  g_test_add_func ("/engine/nn/flatten-values-and-graph", test_flatten_values_and_graph);
  g_test_add_func ("/engine/nn/activation-modules", test_activation_modules);
  g_test_add_func ("/engine/nn/sequential-mlp-forward-backward", test_sequential_mlp_forward_backward);
  g_test_add_func ("/engine/nn/parameters-order-and-names", test_parameters_order_and_names);
  g_test_add_func ("/engine/nn/shared-module-parameters-listed-once", test_shared_module_parameters_listed_once);
  g_test_add_func ("/engine/nn/notebook-model-forward-and-graph", test_notebook_model_forward_and_graph);
  g_test_add_func ("/engine/nn/module-reprs", test_module_reprs);
  g_test_add_func ("/engine/nn/sequential-indexing", test_sequential_indexing);
  g_test_add_func ("/engine/nn/module-zero-grad", test_module_zero_grad_zeroes_in_place);
  g_test_add_func ("/engine/nn/custom-module", test_custom_module);
  g_test_add_func ("/engine/nn/gradcheck-addmm-linear-mse-flatten", test_gradcheck_addmm_linear_mse_flatten);
  g_test_add_func ("/engine/nn/second-derivatives-through-addmm-and-mse", test_second_derivatives_through_addmm_and_mse);
  g_test_add_func ("/engine/nn/errors-match-pytorch", test_errors_match_pytorch);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
