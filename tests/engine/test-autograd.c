/* test-autograd.c - graphs, backward order, grads and errors vs PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-test-util.h"
#include "ge-autograd.h"

static GeGolden *golden;

/* Every tensor a test makes goes into the arena and is freed at the end. */
static GPtrArray *arena;

static GeTensor *
T (GeTensor *t)
{
  g_assert_nonnull (t);
  g_ptr_array_add (arena, t);
  return t;
}

/* OK (ge_tensor_x (..., E)): the result, kept in the arena; any error fails
 * the test.  The error is read inside ok() after the call has returned. */
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
leaf (const char *literal)
{
  GeTensor *t = T (ge_test_tensor (literal));

  g_assert_true (ge_tensor_set_requires_grad (t, TRUE, NULL));
  return t;
}

static GeTensor *num (double v) { return T (ge_tensor_wrap_double (v)); }
static GeTensor *inum (gint64 v) { return T (ge_tensor_wrap_int (v)); }

static GeTensor *
slice (GeTensor *t, int dim, gint64 start, gint64 stop)
{
  return OK (ge_tensor_slice (t, dim, start, stop, 1, E));
}

typedef struct
{
  GeTensor *x, *w, *s, *m, *n;
} Leaves;

static void
make_leaves (Leaves *l)
{
  l->x = leaf ("[1.0, 2.0, 3.0]");
  l->w = leaf ("[0.5, -1.0, 2.0]");
  l->s = leaf ("2.0");
  l->m = leaf ("[[1.0, 2.0], [3.0, 4.0]]");
  l->n = leaf ("[[0.5, -1.0], [2.0, 1.5]]");
}

static const char *expression_keys[] = {
  "add", "add_scalar", "add_broadcast", "sub", "rsub", "mul", "mul_scalar", "div",
  "div_scalar", "rdiv", "pow_scalar", "pow_tensor", "rpow", "neg", "exp", "log", "relu",
  "tanh", "sigmoid", "abs", "sqrt", "sin", "cos", "sum", "sum_dim", "mean", "mm", "dot",
  "mv", "t", "T", "view", "reshape", "select", "select_col", "slice", "unsqueeze",
  "squeeze", "squeeze_dim", "transpose", "expand", "clone", "clamp", "sort", "stack",
  "cat", "inv", "max", "max_dim", "order_example", "quadratic", "chain", "poly04",
  "shared_input", "deep", "portfolio_risk", NULL,
};

/* The same expressions as gen-autograd.py, written with the C API the way
 * the kernel will call it (Python numbers become wrapped numbers). */
static GeTensor *
build (const char *key, Leaves *l)
{
  GeTensor *x = l->x, *w = l->w, *s = l->s, *m = l->m, *n = l->n;

#define IS(k) g_str_equal (key, k)
  if (IS ("add")) return OK (ge_tensor_add (x, w, E));
  if (IS ("add_scalar")) return OK (ge_tensor_add (x, inum (1), E));
  if (IS ("add_broadcast")) return OK (ge_tensor_add (m, slice (x, 0, 0, 2), E));
  if (IS ("sub")) return OK (ge_tensor_sub (x, w, E));
  if (IS ("rsub")) return OK (ge_tensor_sub (inum (1), x, E));
  if (IS ("mul")) return OK (ge_tensor_mul (x, w, E));
  if (IS ("mul_scalar")) return OK (ge_tensor_mul (x, inum (2), E));
  if (IS ("div")) return OK (ge_tensor_div (x, w, E));
  if (IS ("div_scalar")) return OK (ge_tensor_div (x, inum (2), E));
  if (IS ("rdiv")) return OK (ge_tensor_div (inum (2), x, E));
  if (IS ("pow_scalar")) return OK (ge_tensor_pow (x, inum (2), E));
  if (IS ("pow_tensor")) return OK (ge_tensor_pow (x, w, E));
  if (IS ("rpow")) return OK (ge_tensor_pow (inum (2), x, E));
  if (IS ("neg")) return OK (ge_tensor_neg (x, E));
  if (IS ("exp")) return OK (ge_tensor_exp (x, E));
  if (IS ("log")) return OK (ge_tensor_log (x, E));
  if (IS ("relu")) return OK (ge_tensor_relu (w, E));
  if (IS ("tanh")) return OK (ge_tensor_tanh (x, E));
  if (IS ("sigmoid")) return OK (ge_tensor_sigmoid (x, E));
  if (IS ("abs")) return OK (ge_tensor_abs (w, E));
  if (IS ("sqrt")) return OK (ge_tensor_sqrt (x, E));
  if (IS ("sin")) return OK (ge_tensor_sin (x, E));
  if (IS ("cos")) return OK (ge_tensor_cos (x, E));
  if (IS ("sum")) return OK (ge_tensor_sum (x, E));
  if (IS ("sum_dim")) { int d = 0; return OK (ge_tensor_sum_dims (m, 1, &d, FALSE, E)); }
  if (IS ("mean")) return OK (ge_tensor_mean (x, E));
  if (IS ("mm")) return OK (ge_tensor_matmul (m, n, E));
  if (IS ("dot")) return OK (ge_tensor_matmul (x, w, E));
  if (IS ("mv")) return OK (ge_tensor_matmul (m, slice (x, 0, 0, 2), E));
  if (IS ("t")) return OK (ge_tensor_t (m, E));
  if (IS ("T")) { int p[2] = { 1, 0 }; return OK (ge_tensor_permute (m, 2, p, E)); }
  if (IS ("view")) { gint64 s4 = 4; return OK (ge_tensor_view (m, 1, &s4, E)); }
  if (IS ("reshape")) { gint64 s4 = 4; return OK (ge_tensor_reshape (m, 1, &s4, E)); }
  if (IS ("select")) { GeIndex i[1] = { GE_INDEX_I (0) }; return OK (ge_tensor_index (m, 1, i, E)); }
  if (IS ("select_col")) { GeIndex i[2] = { GE_INDEX_ALL, GE_INDEX_I (1) }; return OK (ge_tensor_index (m, 2, i, E)); }
  if (IS ("slice")) { GeIndex i[1] = { GE_INDEX_RANGE (1, G_MAXINT64, 1) }; return OK (ge_tensor_index (x, 1, i, E)); }
  if (IS ("unsqueeze")) return OK (ge_tensor_unsqueeze (x, 0, E));
  if (IS ("squeeze")) return T (ge_tensor_squeeze (slice (m, 0, 0, 1)));
  if (IS ("squeeze_dim")) return OK (ge_tensor_squeeze_dim (slice (m, 0, 0, 1), 0, E));
  if (IS ("transpose")) return OK (ge_tensor_transpose (m, 0, 1, E));
  if (IS ("expand")) { gint64 s3 = 3; return OK (ge_tensor_expand (s, 1, &s3, E)); }
  if (IS ("clone")) return OK (ge_tensor_clone (x, E));
  if (IS ("clamp")) return OK (ge_tensor_clamp (x, num (1.5), NULL, E));
  if (IS ("sort")) return OK (ge_tensor_sort (w, -1, FALSE, NULL, E));
  if (IS ("stack")) { GeTensor *list[2] = { x, w }; return OK (ge_tensor_stack (2, list, 0, E)); }
  if (IS ("cat")) { GeTensor *list[2] = { x, w }; return OK (ge_tensor_cat (2, list, 0, E)); }
  if (IS ("inv")) return OK (ge_tensor_linalg_inv (m, E));
  if (IS ("max")) return OK (ge_tensor_max (x, E));
  if (IS ("max_dim")) return OK (ge_tensor_max_dim (m, 1, FALSE, NULL, E));
  if (IS ("order_example"))
    {
      GeTensor *a = OK (ge_tensor_mul (x, w, E));
      GeTensor *b = OK (ge_tensor_exp (a, E));
      GeTensor *c = OK (ge_tensor_add (x, inum (1), E));
      GeTensor *d = OK (ge_tensor_mul (b, c, E));
      return OK (ge_tensor_sum (d, E));
    }
  if (IS ("quadratic"))
    {
      GeTensor *p = OK (ge_tensor_pow (s, inum (2), E));
      GeTensor *q = OK (ge_tensor_mul (s, inum (3), E));
      GeTensor *r = OK (ge_tensor_add (p, q, E));
      return OK (ge_tensor_add (r, inum (5), E));
    }
  if (IS ("chain"))
    {
      GeTensor *p = OK (ge_tensor_pow (s, inum (2), E));
      GeTensor *q = OK (ge_tensor_mul (p, inum (3), E));
      return OK (ge_tensor_add (q, inum (2), E));
    }
  if (IS ("poly04"))
    {
      /* -s**4 + 10*s**3 + 10*s**2 - 15*s - 4 */
      /* in Python's evaluation order: sequence numbers decide the order */
      GeTensor *a = OK (ge_tensor_neg (OK (ge_tensor_pow (s, inum (4), E)), E));
      GeTensor *b = OK (ge_tensor_mul (OK (ge_tensor_pow (s, inum (3), E)), inum (10), E));
      GeTensor *ab = OK (ge_tensor_add (a, b, E));
      GeTensor *c = OK (ge_tensor_mul (OK (ge_tensor_pow (s, inum (2), E)), inum (10), E));
      GeTensor *abc = OK (ge_tensor_add (ab, c, E));
      GeTensor *d = OK (ge_tensor_mul (s, inum (15), E));
      GeTensor *abcd = OK (ge_tensor_sub (abc, d, E));
      return OK (ge_tensor_sub (abcd, inum (4), E));
    }
  if (IS ("shared_input")) return OK (ge_tensor_sum (OK (ge_tensor_mul (x, x, E)), E));
  if (IS ("deep"))
    {
      GeTensor *a = OK (ge_tensor_add (OK (ge_tensor_mul (x, inum (2), E)), inum (1), E));
      GeTensor *b = OK (ge_tensor_sub (x, w, E));
      return OK (ge_tensor_sum (OK (ge_tensor_mul (a, b, E)), E));
    }
  if (IS ("portfolio_risk"))
    {
      gint64 s33[2] = { 3, 3 };
      GeTensor *row = OK (ge_tensor_unsqueeze (w, 0, E));
      GeTensor *corner = slice (slice (m, 0, 0, 1), 1, 0, 1);
      GeTensor *big = OK (ge_tensor_expand (corner, 2, s33, E));
      GeTensor *eye = T (ge_tensor_eye (3, -1, GE_DTYPE_FLOAT32, NULL));
      GeTensor *cov = OK (ge_tensor_add (big, eye, E));
      GeTensor *col = OK (ge_tensor_unsqueeze (w, 1, E));
      GeTensor *inner = OK (ge_tensor_matmul (cov, col, E));
      GeTensor *risk = OK (ge_tensor_matmul (row, inner, E));
      return T (ge_tensor_squeeze (risk));
    }
#undef IS
  g_error ("no C version of expression %s", key);
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

static void
test_grad_fn_structure_matches_pytorch (void)
{
  for (int i = 0; expression_keys[i] != NULL; i++)
    {
      Leaves l;
      g_autofree char *k = g_strconcat ("structure.", expression_keys[i], NULL);
      g_autofree char *got = NULL;
      GeTensor *out;

      arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
      make_leaves (&l);
      out = build (expression_keys[i], &l);
      got = structure (out);
      g_test_message ("%s: %s", expression_keys[i], got);
      g_assert_cmpstr (got, ==, ge_golden_string (golden, k));
      g_ptr_array_unref (arena);
    }
}

static void
test_backward_order_and_grads_match_pytorch (void)
{
  for (int i = 0; expression_keys[i] != NULL; i++)
    {
      const char *key = expression_keys[i];
      g_autofree char *korder = g_strconcat ("order.", key, NULL);
      g_autofree char *kup = g_strconcat ("upstream.", key, NULL);
      g_autoptr(GeBackwardRun) run = NULL;
      g_autoptr(GError) error = NULL;
      GString *order = g_string_new (NULL);
      g_autofree char *order_str = NULL;
      const GeBackwardStep *step;
      GeTensor *up, *out;
      GeTensor *leaves[5];
      Leaves l;

      arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
      make_leaves (&l);
      out = build (key, &l);
      up = T (ge_golden_tensor (golden, kup));

      /* the order uses ones (as gen-autograd.py's order()), grads use up */
      {
        Leaves l2;
        GeTensor *out2;
        make_leaves (&l2);
        out2 = build (key, &l2);
        run = ge_backward_run_new (1, &out2, ge_tensor_numel (out2) == 1 ? NULL
                                   : (GeTensor *[]) { T (ge_tensor_ones_like (out2, NULL)) },
                                   0, NULL, FALSE, FALSE, &error);
        g_assert_no_error (error);
        while ((step = ge_backward_run_step (run, &error)) != NULL)
          g_string_append_printf (order, "%s%s", order->len ? " " : "", step->name);
        g_assert_no_error (error);
      }
      order_str = g_string_free (order, FALSE);
      g_test_message ("%s: %s", key, order_str);
      g_assert_cmpstr (order_str, ==, ge_golden_string (golden, korder));

      g_assert_true (ge_tensor_backward (out, up, FALSE, FALSE, &error));
      g_assert_no_error (error);

      leaves[0] = l.x, leaves[1] = l.w, leaves[2] = l.s, leaves[3] = l.m, leaves[4] = l.n;
      for (int j = 0; j < 5; j++)
        {
          GString *name = g_string_new ("grad.");
          g_autofree double *v = ge_tensor_to_doubles (leaves[j], NULL);
          g_autofree char *kname = NULL;

          g_string_append (name, key);
          g_string_append_c (name, '.');
          for (gint64 e = 0; e < ge_tensor_numel (leaves[j]); e++)
            g_string_append_printf (name, "%s%g", e ? "_" : "", v[e]);
          kname = g_string_free (name, FALSE);
          if (ge_golden_has (golden, kname))
            {
              g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kname);
              g_assert_nonnull (ge_tensor_get_grad (leaves[j]));
              ge_assert_tensor_close (ge_tensor_get_grad (leaves[j]), expected, 1e-6, 1e-7);
            }
          else
            g_assert_null (ge_tensor_get_grad (leaves[j]));
        }
      g_ptr_array_unref (arena);
    }
}

static void
expect_golden_error (GError *error, const char *key)
{
  ge_assert_golden_error (error, ge_golden_string (golden, key));
}

static void
test_errors_match_pytorch (void)
{
  g_autoptr(GError) error = NULL;
  GeTensor *x, *y, *z, *wz, *a, *c, *v, *sum;

  arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  x = leaf ("[1.0, 2.0, 3.0]");
  g_assert_false (ge_tensor_add_ (x, inum (1), &error));
  expect_golden_error (error, "err.leaf_inplace");
  g_clear_error (&error);

  y = OK (ge_tensor_exp (x, E));
  g_assert_true (ge_tensor_add_ (y, inum (1), &error));
  sum = OK (ge_tensor_sum (y, E));
  g_assert_false (ge_tensor_backward (sum, NULL, FALSE, FALSE, &error));
  expect_golden_error (error, "err.modified_output");
  g_clear_error (&error);

  z = OK (ge_tensor_mul (x, inum (2), E));
  wz = OK (ge_tensor_mul (z, z, E));
  g_assert_true (ge_tensor_mul_ (z, inum (3), &error));
  sum = OK (ge_tensor_sum (wz, E));
  g_assert_false (ge_tensor_backward (sum, NULL, FALSE, FALSE, &error));
  expect_golden_error (error, "err.modified_input");
  g_clear_error (&error);

  a = leaf ("[1.0, 2.0]");
  c = OK (ge_tensor_sum (OK (ge_tensor_mul (a, a, E)), E));
  g_assert_true (ge_tensor_backward (c, NULL, FALSE, FALSE, &error));
  g_assert_false (ge_tensor_backward (c, NULL, FALSE, FALSE, &error));
  expect_golden_error (error, "err.backward_twice");
  g_clear_error (&error);

  g_assert_false (ge_tensor_backward (OK (ge_tensor_mul (a, inum (2), E)), NULL, FALSE, FALSE, &error));
  expect_golden_error (error, "err.non_scalar");
  g_clear_error (&error);

  g_assert_false (ge_tensor_set_requires_grad (T (ge_test_tensor ("[1, 2]")), TRUE, &error));
  expect_golden_error (error, "err.int_requires_grad");
  g_clear_error (&error);

  g_assert_false (ge_tensor_set_requires_grad (OK (ge_tensor_mul (a, inum (2), E)), FALSE, &error));
  expect_golden_error (error, "err.nonleaf_requires_grad_false");
  g_clear_error (&error);

  g_assert_false (ge_tensor_set_grad (a, T (ge_test_tensor ("[0., 0., 0.]")), &error));
  expect_golden_error (error, "err.grad_size");
  g_clear_error (&error);

  {
    GeTensor *unused = leaf ("[1.0]");
    GeTensor *out = OK (ge_tensor_sum (OK (ge_tensor_mul (a, inum (2), E)), E));
    g_assert_null (ge_autograd_grad (1, &out, 1, &unused, NULL, FALSE, FALSE, FALSE, &error));
    expect_golden_error (error, "err.unused");
    g_clear_error (&error);
  }

  g_assert_false (ge_tensor_backward (T (ge_test_tensor ("1.0")), NULL, FALSE, FALSE, &error));
  expect_golden_error (error, "err.no_grad_fn");
  g_clear_error (&error);

  v = leaf ("[0., 0., 0.]");
  g_assert_false (ge_tensor_add_ (slice (v, 0, 0, 2), inum (1), &error));
  expect_golden_error (error, "err.view_of_leaf_inplace");
  g_ptr_array_unref (arena);
}

static void
test_second_derivative_with_create_graph (void)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t, *s2, *gt, *gsum;
  GeTensor **grads;
  g_autofree char *got = NULL;

  arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  t = leaf ("[1.0, 2.0]");
  s2 = OK (ge_tensor_sum (OK (ge_tensor_mul (OK (ge_tensor_mul (t, t, E)), t, E)), E));
  grads = ge_autograd_grad (1, &s2, 1, &t, NULL, FALSE, TRUE, FALSE, &error);
  g_assert_no_error (error);
  gt = T (grads[0]);
  g_free (grads);
  ge_assert_tensor_equal (gt, T (ge_golden_tensor (golden, "second.grad")));
  got = structure (gt);
  g_assert_cmpstr (got, ==, ge_golden_string (golden, "second.grad_fn"));
  gsum = OK (ge_tensor_sum (gt, E));
  g_assert_true (ge_tensor_backward (gsum, NULL, FALSE, FALSE, &error));
  ge_assert_tensor_equal (ge_tensor_get_grad (t), T (ge_golden_tensor (golden, "second.t_grad")));
  /* .grad holds no graph here; drop it anyway to keep the arena simple */
  g_assert_true (ge_tensor_set_grad (t, NULL, &error));
  g_ptr_array_unref (arena);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("autograd");

  g_test_add_func ("/engine/autograd/grad-fn-structure-matches-pytorch", test_grad_fn_structure_matches_pytorch);
  g_test_add_func ("/engine/autograd/backward-order-and-grads-match-pytorch", test_backward_order_and_grads_match_pytorch);
  g_test_add_func ("/engine/autograd/errors-match-pytorch", test_errors_match_pytorch);
  g_test_add_func ("/engine/autograd/second-derivative-with-create-graph", test_second_derivative_with_create_graph);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
