/* test-gradcheck.c - every differentiable op's gradient against central differences */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-gradcheck.h"
#include "ge-test-util.h"

/*
 * Each test checks one family of ops with ge_gradcheck() (pytorch-compat.md:
 * float64, eps 1e-6, atol 1e-5, rtol 1e-3), on shapes that exercise
 * broadcasting, reductions over dims, views and batching.  The expressions
 * are small C functions of the inputs; the points avoid kinks (abs, relu,
 * clamp bounds) and ties (max, sort), where a derivative is one-sided.
 */

/* ---- inputs: float64 leaves that live until the end of the test ---- */

static GPtrArray *arena;
static GRand *rng;

typedef struct
{
  int unused;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  rng = g_rand_new_with_seed (1313);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&arena, g_ptr_array_unref);
  g_clear_pointer (&rng, g_rand_free);
}

static const gint64 no_sizes[1] = { 0 };

static GeTensor *
leaf_from_values (const double *values,
                  int           ndim,
                  const gint64 *sizes)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_new_from_data (values, GE_DTYPE_FLOAT64, ndim, ndim ? sizes : no_sizes, &error);

  g_assert_no_error (error);
  g_assert_true (ge_tensor_set_requires_grad (t, TRUE, NULL));
  g_ptr_array_add (arena, t);
  return t;
}

static gint64
count (int           ndim,
       const gint64 *sizes)
{
  gint64 n = 1;

  for (int d = 0; d < ndim; d++)
    n *= sizes[d];
  return n;
}

/* Uniform in [lo, hi]; with @away_from_zero, |value| in [lo, hi] with a random sign. */
static GeTensor *
uniform (double        lo,
         double        hi,
         gboolean      away_from_zero,
         int           ndim,
         const gint64 *sizes)
{
  gint64 n = count (ndim, sizes);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    {
      v[i] = g_rand_double_range (rng, lo, hi);
      if (away_from_zero && g_rand_boolean (rng))
        v[i] = -v[i];
    }
  return leaf_from_values (v, ndim, sizes);
}

/* Distinct values at least 0.25 apart, in a scrambled order (max, sort). */
static GeTensor *
distinct (int           ndim,
          const gint64 *sizes)
{
  gint64 n = count (ndim, sizes);
  g_autofree double *v = g_new0 (double, MAX (n, 1));

  for (gint64 i = 0; i < n; i++)
    v[i] = (double) ((i * 7919 + 3) % n) * 0.25 - 0.125 * (double) n + 0.1;
  return leaf_from_values (v, ndim, sizes);
}

static GeTensor *
literal (const char *text)
{
  GeTensor *t = ge_test_tensor_dtype (text, GE_DTYPE_FLOAT64);

  g_assert_true (ge_tensor_set_requires_grad (t, TRUE, NULL));
  g_ptr_array_add (arena, t);
  return t;
}

/* A constant (no grad) in the arena. */
static GeTensor *
constant (const char *text,
          GeDType     dtype)
{
  GeTensor *t = ge_test_tensor_dtype (text, dtype);

  g_ptr_array_add (arena, t);
  return t;
}

#define SIZES(...) (int) (sizeof ((gint64[]) { __VA_ARGS__ }) / sizeof (gint64)), (gint64[]) { __VA_ARGS__ }
/* values in [-1.5, 1.5] */
#define U(...)  uniform (-1.5, 1.5, FALSE, SIZES (__VA_ARGS__))
#define U0()    uniform (-1.5, 1.5, FALSE, 0, NULL)
/* positive values in [0.5, 2] (log, sqrt, denominators, bases) */
#define POS(...) uniform (0.5, 2.0, FALSE, SIZES (__VA_ARGS__))
#define POS0()   uniform (0.5, 2.0, FALSE, 0, NULL)
/* |values| in [0.2, 1.5] (abs, relu) */
#define NZ(...) uniform (0.2, 1.5, TRUE, SIZES (__VA_ARGS__))
#define DISTINCT(...) distinct (SIZES (__VA_ARGS__))

/* ---- expressions: every tensor an evaluation makes lives in its scope ---- */

static GPtrArray *scope;
static GError *op_error;

static GPtrArray *
scope_open (void)
{
  GPtrArray *outer = scope;

  scope = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  return outer;
}

static void
scope_close (GPtrArray *outer)
{
  g_ptr_array_unref (scope);
  scope = outer;
}

/* K (ge_tensor_x (..., E)): the result, kept in the current scope; any error
 * fails the test.  The error is read inside keep() after the call returned. */
static GeTensor *
keep (GeTensor *t)
{
  g_assert_no_error (op_error);
  g_assert_nonnull (t);
  g_ptr_array_add (scope, t);
  return t;
}

static void
ok (gboolean done)
{
  g_assert_no_error (op_error);
  g_assert_true (done);
}

#define K(call) keep (call)
#define E (&op_error)

static GeTensor *num (double v) { return K (ge_tensor_wrap_double (v)); }
static GeTensor *inum (gint64 v) { return K (ge_tensor_wrap_int (v)); }

/* Parameters of an expression (C has no closures). */
typedef struct
{
  int      n_dims;
  int      dims[GE_MAX_DIMS];
  int      n_sizes;
  gint64   sizes[GE_MAX_DIMS];
  gboolean flag;        /* keepdim, descending */
  double   value;       /* exponent, scalar operand */
  double   value2;
  int      n_indices;
  GeIndex  indices[8];
} Param;

#define PARAM(...) (&(Param) { __VA_ARGS__ })

typedef GeTensor *(*Expr) (GeTensor **x, const Param *p);

typedef struct
{
  Expr         expr;
  const Param *param;
} Call;

static GeTensor *
call_expr (GeTensor **inputs,
           gpointer   user_data,
           GError   **error)
{
  const Call *call = user_data;
  GPtrArray *outer = scope_open ();
  GeTensor *result = ge_tensor_ref (call->expr (inputs, call->param));

  scope_close (outer);
  return result;
}

static void
gradcheck_at (const char  *file,
              int          line,
              const char  *what,
              Expr         expr,
              const Param *param,
              int          n_inputs,
              GeTensor   **inputs,
              gboolean     second_order)
{
  Call call = { expr, param };
  char *failure = second_order ? ge_gradgradcheck (call_expr, &call, n_inputs, inputs, NULL)
                               : ge_gradcheck (call_expr, &call, n_inputs, inputs, NULL);

  ge_test_assert_gradcheck (file, line, what, failure);
}

#define INPUTS(...) (int) (sizeof ((GeTensor *[]) { __VA_ARGS__ }) / sizeof (GeTensor *)), \
                    (GeTensor *[]) { __VA_ARGS__ }
/* GRADCHECK (expression, param or NULL, inputs...) */
#define GRADCHECK(expr, param, ...) \
  gradcheck_at (__FILE__, __LINE__, #expr, (expr), (param), INPUTS (__VA_ARGS__), FALSE)
#define GRADGRADCHECK(expr, param, ...) \
  gradcheck_at (__FILE__, __LINE__, #expr " (second order)", (expr), (param), INPUTS (__VA_ARGS__), TRUE)

/* ---- arithmetic with broadcasting ---- */

static GeTensor *e_add (GeTensor **x, const Param *p) { return K (ge_tensor_add (x[0], x[1], E)); }
static GeTensor *e_sub (GeTensor **x, const Param *p) { return K (ge_tensor_sub (x[0], x[1], E)); }
static GeTensor *e_mul (GeTensor **x, const Param *p) { return K (ge_tensor_mul (x[0], x[1], E)); }
static GeTensor *e_div (GeTensor **x, const Param *p) { return K (ge_tensor_div (x[0], x[1], E)); }
static GeTensor *e_pow (GeTensor **x, const Param *p) { return K (ge_tensor_pow (x[0], x[1], E)); }

static GeTensor *e_add_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_add (x[0], num (2.5), E)); }
static GeTensor *e_radd_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_add (num (2.5), x[0], E)); }
static GeTensor *e_sub_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_sub (x[0], num (2.5), E)); }
static GeTensor *e_rsub (GeTensor **x, const Param *p) { return K (ge_tensor_sub (inum (1), x[0], E)); }
static GeTensor *e_rsub_float (GeTensor **x, const Param *p) { return K (ge_tensor_sub (num (0.75), x[0], E)); }
static GeTensor *e_mul_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_mul (x[0], num (-1.5), E)); }
static GeTensor *e_rmul_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_mul (inum (3), x[0], E)); }
static GeTensor *e_div_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_div (x[0], num (-2.5), E)); }
static GeTensor *e_rdiv (GeTensor **x, const Param *p) { return K (ge_tensor_div (inum (2), x[0], E)); }
static GeTensor *e_rdiv_float (GeTensor **x, const Param *p) { return K (ge_tensor_div (num (-0.5), x[0], E)); }
static GeTensor *e_pow_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_pow (x[0], num (p->value), E)); }
static GeTensor *e_pow_int (GeTensor **x, const Param *p) { return K (ge_tensor_pow (x[0], inum ((gint64) p->value), E)); }
static GeTensor *e_rpow (GeTensor **x, const Param *p) { return K (ge_tensor_pow (num (p->value), x[0], E)); }

/* The broadcast cases of the brief, in both operand orders; @denominator
 * and @base ask for a positive second / first operand. */
static void
check_binary_broadcasts (const char *what,
                         Expr        expr,
                         gboolean    positive_first,
                         gboolean    positive_second)
{
  static const struct { int na; gint64 a[4]; int nb; gint64 b[4]; } cases[] = {
    { 2, { 2, 3 }, 2, { 2, 3 } },
    { 2, { 2, 3 }, 1, { 3 } },
    { 1, { 3 }, 2, { 2, 3 } },
    { 3, { 4, 1, 3 }, 2, { 2, 1 } },
    { 2, { 2, 1 }, 3, { 4, 1, 3 } },
    { 0, { 0 }, 2, { 2, 3 } },
    { 2, { 2, 3 }, 0, { 0 } },
    { 2, { 2, 1 }, 2, { 1, 3 } },
    { 0, { 0 }, 0, { 0 } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GeTensor *a = positive_first ? uniform (0.5, 2.0, FALSE, cases[i].na, cases[i].a)
                                   : uniform (-1.5, 1.5, FALSE, cases[i].na, cases[i].a);
      GeTensor *b = positive_second ? uniform (0.5, 2.0, FALSE, cases[i].nb, cases[i].b)
                                    : uniform (-1.5, 1.5, FALSE, cases[i].nb, cases[i].b);
      g_autofree char *sa = ge_shape_to_string (cases[i].a, cases[i].na);
      g_autofree char *sb = ge_shape_to_string (cases[i].b, cases[i].nb);
      g_autofree char *label = g_strdup_printf ("%s %s with %s", what, sa, sb);

      g_test_message ("%s", label);
      gradcheck_at (__FILE__, __LINE__, label, expr, NULL, INPUTS (a, b), FALSE);
      /* only one side requiring grad: the other edge is None */
      {
        GeTensor *a_const = ge_tensor_detach (a);
        g_ptr_array_add (arena, a_const);
        gradcheck_at (__FILE__, __LINE__, label, expr, NULL, INPUTS (a_const, b), FALSE);
      }
    }
}

static void
test_add_broadcast (Fixture *f, gconstpointer data)
{
  check_binary_broadcasts ("add", e_add, FALSE, FALSE);
  GRADCHECK (e_add_scalar, NULL, U (2, 3));
  GRADCHECK (e_radd_scalar, NULL, U (2, 3));
}

static void
test_sub_broadcast_and_rsub (Fixture *f, gconstpointer data)
{
  check_binary_broadcasts ("sub", e_sub, FALSE, FALSE);
  GRADCHECK (e_sub_scalar, NULL, U (2, 3));
  GRADCHECK (e_rsub, NULL, U (2, 3));
  GRADCHECK (e_rsub_float, NULL, U (4));
  GRADCHECK (e_rsub, NULL, U0 ());
}

static void
test_mul_broadcast (Fixture *f, gconstpointer data)
{
  check_binary_broadcasts ("mul", e_mul, FALSE, FALSE);
  GRADCHECK (e_mul_scalar, NULL, U (2, 3));
  GRADCHECK (e_rmul_scalar, NULL, U (3));
}

static void
test_mul_same_tensor_twice (Fixture *f, gconstpointer data)
{
  GeTensor *x = U (2, 3);

  /* x * x: both edges lead to one AccumulateGrad, gradients summed */
  GRADCHECK (e_mul, NULL, x, x);
}

static void
test_div_broadcast_and_rdiv (Fixture *f, gconstpointer data)
{
  check_binary_broadcasts ("div", e_div, FALSE, TRUE);
  GRADCHECK (e_div_scalar, NULL, U (2, 3));
  GRADCHECK (e_rdiv, NULL, POS (2, 3));
  GRADCHECK (e_rdiv_float, NULL, POS (3));
  GRADCHECK (e_rdiv, NULL, POS0 ());
}

static void
test_pow_tensor_exponent_broadcast (Fixture *f, gconstpointer data)
{
  check_binary_broadcasts ("pow", e_pow, TRUE, FALSE);
}

static void
test_pow_scalar_exponent (Fixture *f, gconstpointer data)
{
  static const double exponents[] = { 2, 3, 0.5, -1.5, 1, 0, -2, 2.5 };

  for (gsize i = 0; i < G_N_ELEMENTS (exponents); i++)
    {
      g_test_message ("x ** %g", exponents[i]);
      GRADCHECK (e_pow_scalar, PARAM (.value = exponents[i]), POS (2, 3));
      if (exponents[i] == floor (exponents[i]))
        {
          GRADCHECK (e_pow_int, PARAM (.value = exponents[i]), POS (2, 3));
          /* integral exponents work for negative bases too */
          GRADCHECK (e_pow_int, PARAM (.value = exponents[i]), NZ (5));
        }
    }
}

static void
test_pow_scalar_base (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_rpow, PARAM (.value = 2.0), U (2, 3));
  GRADCHECK (e_rpow, PARAM (.value = 0.5), U (4));
  GRADCHECK (e_rpow, PARAM (.value = 3.0), U0 ());
}

/* ---- unary elementwise ops ---- */

typedef GeTensor *(*UnaryOp) (GeTensor *self, GError **error);

typedef struct
{
  const char *name;
  UnaryOp     op;
  double      lo, hi;
  gboolean    away_from_zero;
} Unary;

static const Unary unaries[] = {
  { "neg", ge_tensor_neg, -2.0, 2.0, FALSE },
  { "exp", ge_tensor_exp, -2.0, 2.0, FALSE },
  { "log", ge_tensor_log, 0.3, 3.0, FALSE },
  { "sin", ge_tensor_sin, -3.0, 3.0, FALSE },
  { "cos", ge_tensor_cos, -3.0, 3.0, FALSE },
  { "sqrt", ge_tensor_sqrt, 0.3, 3.0, FALSE },
  { "abs", ge_tensor_abs, 0.2, 2.0, TRUE },
  { "tanh", ge_tensor_tanh, -2.0, 2.0, FALSE },
  { "sigmoid", ge_tensor_sigmoid, -3.0, 3.0, FALSE },
  { "relu", ge_tensor_relu, 0.2, 2.0, TRUE },
};

static UnaryOp current_unary;

static GeTensor *e_unary (GeTensor **x, const Param *p) { return K (current_unary (x[0], E)); }

/* the op on a transposed (non-contiguous) view */
static GeTensor *
e_unary_strided (GeTensor **x, const Param *p)
{
  return K (current_unary (K (ge_tensor_transpose (x[0], 0, 1, E)), E));
}

static void
test_unary (Fixture *f, gconstpointer data)
{
  const Unary *u = data;
  gint64 s23[2] = { 2, 3 }, s4[1] = { 4 };

  current_unary = u->op;
  GRADCHECK (e_unary, NULL, uniform (u->lo, u->hi, u->away_from_zero, 2, s23));
  GRADCHECK (e_unary, NULL, uniform (u->lo, u->hi, u->away_from_zero, 1, s4));
  GRADCHECK (e_unary, NULL, uniform (u->lo, u->hi, u->away_from_zero, 0, NULL));
  GRADCHECK (e_unary_strided, NULL, uniform (u->lo, u->hi, u->away_from_zero, 2, s23));
}

/* ---- clamp and where ---- */

static GeTensor *
e_clamp (GeTensor **x, const Param *p)
{
  /* isnan(value) stands for None */
  GeTensor *lo = isnan (p->value) ? NULL : num (p->value);
  GeTensor *hi = isnan (p->value2) ? NULL : num (p->value2);

  return K (ge_tensor_clamp (x[0], lo, hi, E));
}

static GeTensor *
e_clamp_int_bounds (GeTensor **x, const Param *p)
{
  return K (ge_tensor_clamp (x[0], inum (-1), inum (1), E));
}

static void
test_clamp_min_max_and_both (Fixture *f, gconstpointer data)
{
  /* points at least 0.1 from the bounds -0.5 and 0.5, on both sides */
  const char *points = "[[-1.7, -0.9, -0.3, 0.2], [0.8, 1.6, -0.6, 0.4]]";

  GRADCHECK (e_clamp, PARAM (.value = -0.5, .value2 = NAN), literal (points));
  GRADCHECK (e_clamp, PARAM (.value = NAN, .value2 = 0.5), literal (points));
  GRADCHECK (e_clamp, PARAM (.value = -0.5, .value2 = 0.5), literal (points));
  GRADCHECK (e_clamp_int_bounds, NULL, literal ("[-1.5, -0.5, 0.5, 1.5]"));
}

static GeTensor *e_where (GeTensor **x, const Param *p) { return K (ge_tensor_where (x[0], x[1], x[2], E)); }
static GeTensor *e_where_scalar (GeTensor **x, const Param *p) { return K (ge_tensor_where (x[0], x[1], num (0.5), E)); }

static void
test_where_broadcast (Fixture *f, gconstpointer data)
{
  GeTensor *cond = constant ("[[True, False, True], [False, False, True]]", GE_DTYPE_BOOL);
  GeTensor *row = constant ("[True, False, True]", GE_DTYPE_BOOL);

  GRADCHECK (e_where, NULL, cond, U (2, 3), U (2, 3));
  GRADCHECK (e_where, NULL, cond, U (3), U (2, 1));
  GRADCHECK (e_where, NULL, row, U (2, 3), U0 ());
  GRADCHECK (e_where_scalar, NULL, cond, U (2, 3));
}

/* ---- reductions ---- */

static GeTensor *e_sum (GeTensor **x, const Param *p) { return K (ge_tensor_sum (x[0], E)); }
static GeTensor *e_mean (GeTensor **x, const Param *p) { return K (ge_tensor_mean (x[0], E)); }
static GeTensor *e_sum_dims (GeTensor **x, const Param *p) { return K (ge_tensor_sum_dims (x[0], p->n_dims, p->dims, p->flag, E)); }
static GeTensor *e_mean_dims (GeTensor **x, const Param *p) { return K (ge_tensor_mean_dims (x[0], p->n_dims, p->dims, p->flag, E)); }

static void
check_reduction_dims (Expr all, Expr dims)
{
  GRADCHECK (all, NULL, U (2, 3, 4));
  GRADCHECK (all, NULL, U (5));
  GRADCHECK (all, NULL, U0 ());
  for (int keepdim = 0; keepdim < 2; keepdim++)
    {
      GRADCHECK (dims, PARAM (.n_dims = 1, .dims = { 0 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 1, .dims = { 1 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 1, .dims = { -1 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 2, .dims = { 0, 2 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 2, .dims = { 2, 0 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 2, .dims = { -1, 1 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 3, .dims = { 0, 1, 2 }, .flag = keepdim), U (2, 3, 4));
      GRADCHECK (dims, PARAM (.n_dims = 1, .dims = { 0 }, .flag = keepdim), U (4));
    }
}

static void
test_sum_over_all_and_dims (Fixture *f, gconstpointer data)
{
  check_reduction_dims (e_sum, e_sum_dims);
}

static void
test_mean_over_all_and_dims (Fixture *f, gconstpointer data)
{
  check_reduction_dims (e_mean, e_mean_dims);
}

static GeTensor *e_max (GeTensor **x, const Param *p) { return K (ge_tensor_max (x[0], E)); }
static GeTensor *e_min (GeTensor **x, const Param *p) { return K (ge_tensor_min (x[0], E)); }
static GeTensor *e_max_dim (GeTensor **x, const Param *p) { return K (ge_tensor_max_dim (x[0], p->dims[0], p->flag, NULL, E)); }
static GeTensor *e_min_dim (GeTensor **x, const Param *p) { return K (ge_tensor_min_dim (x[0], p->dims[0], p->flag, NULL, E)); }

static void
test_max_min_over_all_and_dim (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_max, NULL, DISTINCT (3, 4));
  GRADCHECK (e_min, NULL, DISTINCT (3, 4));
  GRADCHECK (e_max, NULL, DISTINCT (5));
  for (int keepdim = 0; keepdim < 2; keepdim++)
    for (int dim = -3; dim < 3; dim++)
      {
        GRADCHECK (e_max_dim, PARAM (.dims = { dim }, .flag = keepdim), DISTINCT (2, 3, 4));
        GRADCHECK (e_min_dim, PARAM (.dims = { dim }, .flag = keepdim), DISTINCT (2, 3, 4));
      }
  GRADCHECK (e_max_dim, PARAM (.dims = { 0 }, .flag = FALSE), DISTINCT (6));
}

static GeTensor *e_sort (GeTensor **x, const Param *p) { return K (ge_tensor_sort (x[0], p->dims[0], p->flag, NULL, E)); }

static void
test_sort_along_dims (Fixture *f, gconstpointer data)
{
  for (int descending = 0; descending < 2; descending++)
    {
      for (int dim = -3; dim < 3; dim++)
        GRADCHECK (e_sort, PARAM (.dims = { dim }, .flag = descending), DISTINCT (2, 3, 4));
      GRADCHECK (e_sort, PARAM (.dims = { 0 }, .flag = descending), DISTINCT (7));
      GRADCHECK (e_sort, PARAM (.dims = { -1 }, .flag = descending), DISTINCT (3, 5));
    }
}

/* ---- linear algebra ---- */

static GeTensor *e_dot (GeTensor **x, const Param *p) { return K (ge_tensor_dot (x[0], x[1], E)); }
static GeTensor *e_mv (GeTensor **x, const Param *p) { return K (ge_tensor_mv (x[0], x[1], E)); }
static GeTensor *e_mm (GeTensor **x, const Param *p) { return K (ge_tensor_mm (x[0], x[1], E)); }
static GeTensor *e_bmm (GeTensor **x, const Param *p) { return K (ge_tensor_bmm (x[0], x[1], E)); }
static GeTensor *e_matmul (GeTensor **x, const Param *p) { return K (ge_tensor_matmul (x[0], x[1], E)); }

/* mm of transposed views: the backward's mm sees non-contiguous operands */
static GeTensor *
e_mm_transposed (GeTensor **x, const Param *p)
{
  return K (ge_tensor_mm (K (ge_tensor_t (x[0], E)), K (ge_tensor_t (x[1], E)), E));
}

static void
test_dot_mv_mm_bmm (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_dot, NULL, U (4), U (4));
  GRADCHECK (e_mv, NULL, U (3, 4), U (4));
  GRADCHECK (e_mm, NULL, U (3, 4), U (4, 2));
  GRADCHECK (e_mm, NULL, U (1, 4), U (4, 1));
  GRADCHECK (e_mm_transposed, NULL, U (4, 3), U (2, 4));
  GRADCHECK (e_bmm, NULL, U (2, 3, 4), U (2, 4, 2));
  /* one operand constant */
  GRADCHECK (e_mm, NULL, constant ("[[1.0, 2.0], [3.0, -1.0]]", GE_DTYPE_FLOAT64), U (2, 3));
}

static void
test_matmul_all_ranks_and_broadcast_batch (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_matmul, NULL, U (4), U (4));               /* dot */
  GRADCHECK (e_matmul, NULL, U (3, 4), U (4));            /* mv */
  GRADCHECK (e_matmul, NULL, U (4), U (4, 2));            /* 1-D @ 2-D */
  GRADCHECK (e_matmul, NULL, U (3, 4), U (4, 2));         /* mm */
  GRADCHECK (e_matmul, NULL, U (2, 3, 4), U (4, 2));      /* folded batch */
  GRADCHECK (e_matmul, NULL, U (2, 3, 4), U (4));         /* batched mv */
  GRADCHECK (e_matmul, NULL, U (2, 3, 4), U (2, 4, 2));   /* bmm */
  GRADCHECK (e_matmul, NULL, U (2, 1, 3, 4), U (5, 4, 2));/* broadcast batch */
  GRADCHECK (e_matmul, NULL, U (1, 3, 4), U (2, 4, 2));
  GRADCHECK (e_matmul, NULL, U (4), U (2, 4, 3));         /* 1-D @ 3-D */
  GRADCHECK (e_matmul, NULL, U (3, 4), U (2, 4, 2));      /* 2-D @ 3-D */
}

static GeTensor *e_inv (GeTensor **x, const Param *p) { return K (ge_tensor_linalg_inv (x[0], E)); }

/* I + 0.3·R (R uniform in [-1, 1]): well conditioned */
static GeTensor *
near_identity (int           ndim,
               const gint64 *sizes)
{
  gint64 n = count (ndim, sizes), side = sizes[ndim - 1];
  g_autofree double *v = g_new0 (double, n);

  for (gint64 i = 0; i < n; i++)
    {
      gint64 row = (i / side) % side, col = i % side;
      v[i] = 0.3 * g_rand_double_range (rng, -1.0, 1.0) + (row == col ? 1.0 : 0.0);
    }
  return leaf_from_values (v, ndim, sizes);
}

static void
test_linalg_inv_well_conditioned_and_batched (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_inv, NULL, near_identity (SIZES (1, 1)));
  GRADCHECK (e_inv, NULL, near_identity (SIZES (2, 2)));
  GRADCHECK (e_inv, NULL, near_identity (SIZES (3, 3)));
  GRADCHECK (e_inv, NULL, near_identity (SIZES (2, 3, 3)));
  GRADCHECK (e_inv, NULL, near_identity (SIZES (2, 1, 2, 2)));
}

/* ---- views and indexing ---- */

static GeTensor *e_view (GeTensor **x, const Param *p) { return K (ge_tensor_view (x[0], p->n_sizes, p->sizes, E)); }
static GeTensor *e_reshape (GeTensor **x, const Param *p) { return K (ge_tensor_reshape (x[0], p->n_sizes, p->sizes, E)); }

/* reshape of a transposed tensor cannot be a view: clone + _unsafe_view */
static GeTensor *
e_reshape_copy (GeTensor **x, const Param *p)
{
  GeTensor *t = K (ge_tensor_transpose (x[0], 0, -1, E));
  GeTensor *r = K (ge_tensor_reshape (t, p->n_sizes, p->sizes, E));

  g_assert_false (ge_tensor_shares_storage (r, t));
  return r;
}

static void
test_view_and_reshape_including_copy (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_view, PARAM (.n_sizes = 2, .sizes = { 6, 4 }), U (2, 3, 4));
  GRADCHECK (e_view, PARAM (.n_sizes = 1, .sizes = { -1 }), U (2, 3, 4));
  GRADCHECK (e_view, PARAM (.n_sizes = 3, .sizes = { 4, -1, 2 }), U (2, 3, 4));
  GRADCHECK (e_reshape, PARAM (.n_sizes = 2, .sizes = { 3, 8 }), U (2, 3, 4));
  GRADCHECK (e_reshape, PARAM (.n_sizes = 0), U (1, 1));
  GRADCHECK (e_reshape_copy, PARAM (.n_sizes = 1, .sizes = { -1 }), U (2, 3, 4));
  GRADCHECK (e_reshape_copy, PARAM (.n_sizes = 2, .sizes = { 2, 3 }), U (2, 3));
}

static GeTensor *e_transpose (GeTensor **x, const Param *p) { return K (ge_tensor_transpose (x[0], p->dims[0], p->dims[1], E)); }
static GeTensor *e_t (GeTensor **x, const Param *p) { return K (ge_tensor_t (x[0], E)); }
static GeTensor *e_permute (GeTensor **x, const Param *p) { return K (ge_tensor_permute (x[0], p->n_dims, p->dims, E)); }

/* a view followed by a non-linear op, so that the view's gradient is not
 * just a rearranged upstream */
static GeTensor *
e_permute_then_mul_weights (GeTensor **x, const Param *p)
{
  GeTensor *v = K (ge_tensor_permute (x[0], p->n_dims, p->dims, E));
  return K (ge_tensor_mul (v, K (ge_tensor_mul (v, x[1], E)), E));
}

static void
test_transpose_t_permute (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_transpose, PARAM (.dims = { 0, 2 }), U (2, 3, 4));
  GRADCHECK (e_transpose, PARAM (.dims = { -1, -2 }), U (2, 3, 4));
  GRADCHECK (e_transpose, PARAM (.dims = { 1, 1 }), U (2, 3));
  GRADCHECK (e_t, NULL, U (2, 3));
  GRADCHECK (e_t, NULL, U (3));
  GRADCHECK (e_permute, PARAM (.n_dims = 3, .dims = { 2, 0, 1 }), U (2, 3, 4));
  GRADCHECK (e_permute, PARAM (.n_dims = 3, .dims = { -1, 0, -2 }), U (2, 3, 4));
  GRADCHECK (e_permute_then_mul_weights, PARAM (.n_dims = 2, .dims = { 1, 0 }), U (2, 3), U (3, 2));
}

static GeTensor *e_squeeze (GeTensor **x, const Param *p) { return K (ge_tensor_squeeze (x[0])); }
static GeTensor *e_squeeze_dim (GeTensor **x, const Param *p) { return K (ge_tensor_squeeze_dim (x[0], p->dims[0], E)); }
static GeTensor *e_unsqueeze (GeTensor **x, const Param *p) { return K (ge_tensor_unsqueeze (x[0], p->dims[0], E)); }

static void
test_squeeze_unsqueeze (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_squeeze, NULL, U (2, 1, 3, 1));
  GRADCHECK (e_squeeze, NULL, U (1, 1));
  GRADCHECK (e_squeeze_dim, PARAM (.dims = { 1 }), U (2, 1, 3, 1));
  GRADCHECK (e_squeeze_dim, PARAM (.dims = { -1 }), U (2, 1, 3, 1));
  GRADCHECK (e_squeeze_dim, PARAM (.dims = { 0 }), U (2, 1, 3, 1));   /* not size 1: no-op */
  for (int dim = -3; dim < 3; dim++)
    GRADCHECK (e_unsqueeze, PARAM (.dims = { dim }), U (2, 3));
  GRADCHECK (e_unsqueeze, PARAM (.dims = { 0 }), U0 ());
}

static GeTensor *e_expand (GeTensor **x, const Param *p) { return K (ge_tensor_expand (x[0], p->n_sizes, p->sizes, E)); }

static void
test_expand (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_expand, PARAM (.n_sizes = 3, .sizes = { 2, 4, 3 }), U (2, 1, 3));
  GRADCHECK (e_expand, PARAM (.n_sizes = 4, .sizes = { 5, 2, 4, -1 }), U (2, 1, 3));
  GRADCHECK (e_expand, PARAM (.n_sizes = 2, .sizes = { 2, 3 }), U0 ());
  GRADCHECK (e_expand, PARAM (.n_sizes = 2, .sizes = { 3, 4 }), U (4));
  GRADCHECK (e_expand, PARAM (.n_sizes = 2, .sizes = { 2, 3 }), U (2, 3));
}

static GeTensor *e_select (GeTensor **x, const Param *p) { return K (ge_tensor_select (x[0], p->dims[0], (gint64) p->value, E)); }
static GeTensor *
e_slice (GeTensor **x, const Param *p)
{
  return K (ge_tensor_slice (x[0], p->dims[0], p->sizes[0], p->sizes[1], p->sizes[2], E));
}

static void
test_select_and_slice_with_steps (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_select, PARAM (.dims = { 0 }, .value = 1), U (2, 3, 4));
  GRADCHECK (e_select, PARAM (.dims = { -1 }, .value = -1), U (2, 3, 4));
  GRADCHECK (e_select, PARAM (.dims = { 1 }, .value = 0), U (2, 3, 4));
  GRADCHECK (e_select, PARAM (.dims = { 0 }, .value = 2), U (5));
  GRADCHECK (e_slice, PARAM (.dims = { 0 }, .sizes = { 1, 4, 1 }), U (5, 2));
  GRADCHECK (e_slice, PARAM (.dims = { 0 }, .sizes = { 0, G_MAXINT64, 2 }), U (7, 2));
  GRADCHECK (e_slice, PARAM (.dims = { 1 }, .sizes = { G_MININT64, G_MAXINT64, 3 }), U (2, 7));
  GRADCHECK (e_slice, PARAM (.dims = { -1 }, .sizes = { -4, -1, 2 }), U (2, 3, 6));
  GRADCHECK (e_slice, PARAM (.dims = { 1 }, .sizes = { 1, 100, 1 }), U (2, 3));
}

static GeTensor *e_index (GeTensor **x, const Param *p) { return K (ge_tensor_index (x[0], p->n_indices, p->indices, E)); }

static void
test_indexing_ints_slices_none_ellipsis (Fixture *f, gconstpointer data)
{
  static const GeIndex none = { GE_INDEX_NONE, 0, 0, 0, 1 };
  static const GeIndex ellipsis = { GE_INDEX_ELLIPSIS, 0, 0, 0, 1 };

  /* x[1] */
  GRADCHECK (e_index, PARAM (.n_indices = 1, .indices = { GE_INDEX_I (1) }), U (3, 4));
  /* x[:, 1:3] */
  GRADCHECK (e_index, PARAM (.n_indices = 2, .indices = { GE_INDEX_ALL, GE_INDEX_RANGE (1, 3, 1) }), U (3, 4));
  /* x[None, ..., 0] */
  GRADCHECK (e_index, PARAM (.n_indices = 3, .indices = { none, ellipsis, GE_INDEX_I (0) }), U (2, 3, 4));
  /* x[..., ::2] */
  GRADCHECK (e_index, PARAM (.n_indices = 2, .indices = { ellipsis, GE_INDEX_RANGE (G_MININT64, G_MAXINT64, 2) }),
             U (2, 3, 5));
  /* x[-1, None, 1:] */
  GRADCHECK (e_index, PARAM (.n_indices = 3, .indices = { GE_INDEX_I (-1), none, GE_INDEX_RANGE (1, G_MAXINT64, 1) }),
             U (3, 4));
  /* x[0, 1, 2]: a 0-dim result */
  GRADCHECK (e_index, PARAM (.n_indices = 3, .indices = { GE_INDEX_I (0), GE_INDEX_I (1), GE_INDEX_I (2) }),
             U (2, 3, 4));
  /* x[1, ..., None] */
  GRADCHECK (e_index, PARAM (.n_indices = 3, .indices = { GE_INDEX_I (1), ellipsis, none }), U (2, 3, 4));
}

static GeTensor *e_clone (GeTensor **x, const Param *p) { return K (ge_tensor_clone (x[0], E)); }

static GeTensor *
e_contiguous_of_transposed (GeTensor **x, const Param *p)
{
  GeTensor *c = K (ge_tensor_contiguous (K (ge_tensor_transpose (x[0], 0, 1, E)), E));

  g_assert_true (ge_tensor_is_contiguous (c));
  return c;
}

static GeTensor *
e_contiguous_then_square (GeTensor **x, const Param *p)
{
  GeTensor *c = K (ge_tensor_contiguous (x[0], E));
  return K (ge_tensor_mul (c, c, E));
}

static void
test_clone_and_contiguous (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_clone, NULL, U (2, 3));
  GRADCHECK (e_clone, NULL, U0 ());
  GRADCHECK (e_contiguous_of_transposed, NULL, U (2, 3));
  GRADCHECK (e_contiguous_then_square, NULL, U (2, 3));
}

static GeTensor *
e_stack (GeTensor **x, const Param *p)
{
  return K (ge_tensor_stack (p->n_indices, x, p->dims[0], E));
}

static GeTensor *
e_cat (GeTensor **x, const Param *p)
{
  return K (ge_tensor_cat (p->n_indices, x, p->dims[0], E));
}

static void
test_stack_and_cat_along_dims (Fixture *f, gconstpointer data)
{
  for (int dim = -3; dim < 3; dim++)
    GRADCHECK (e_stack, PARAM (.n_indices = 3, .dims = { dim }), U (2, 3), U (2, 3), U (2, 3));
  GRADCHECK (e_stack, PARAM (.n_indices = 2, .dims = { 0 }), U0 (), U0 ());
  GRADCHECK (e_stack, PARAM (.n_indices = 2, .dims = { 1 }),
             U (3), constant ("[1.0, 2.0, 3.0]", GE_DTYPE_FLOAT64));

  GRADCHECK (e_cat, PARAM (.n_indices = 2, .dims = { 0 }), U (2, 3), U (1, 3));
  GRADCHECK (e_cat, PARAM (.n_indices = 2, .dims = { -2 }), U (2, 3), U (1, 3));
  GRADCHECK (e_cat, PARAM (.n_indices = 3, .dims = { 1 }), U (2, 3), U (2, 1), U (2, 2));
  GRADCHECK (e_cat, PARAM (.n_indices = 3, .dims = { -1 }), U (2, 3), U (2, 1), U (2, 2));
  GRADCHECK (e_cat, PARAM (.n_indices = 2, .dims = { 1 }), U (2, 2, 3), U (2, 1, 3));
  GRADCHECK (e_cat, PARAM (.n_indices = 2, .dims = { 0 }),
             constant ("[1.0, 2.0]", GE_DTYPE_FLOAT64), U (3));
}

/* ---- in-place ops on non-leaf tensors (history is rebased) ---- */

/* y = x * 1, a non-leaf that the in-place op may modify */
static GeTensor *
copy_of (GeTensor *x)
{
  return K (ge_tensor_mul (x, inum (1), E));
}

static GeTensor *e_add_ (GeTensor **x, const Param *p) { GeTensor *y = copy_of (x[0]); ok (ge_tensor_add_ (y, x[1], E)); return y; }
static GeTensor *e_sub_ (GeTensor **x, const Param *p) { GeTensor *y = copy_of (x[0]); ok (ge_tensor_sub_ (y, x[1], E)); return y; }
static GeTensor *e_mul_ (GeTensor **x, const Param *p) { GeTensor *y = copy_of (x[0]); ok (ge_tensor_mul_ (y, x[1], E)); return y; }
static GeTensor *e_div_ (GeTensor **x, const Param *p) { GeTensor *y = copy_of (x[0]); ok (ge_tensor_div_ (y, x[1], E)); return y; }

static GeTensor *
e_clamp_ (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);
  GeTensor *lo = isnan (p->value) ? NULL : num (p->value);
  GeTensor *hi = isnan (p->value2) ? NULL : num (p->value2);

  ok (ge_tensor_clamp_ (y, lo, hi, E));
  return y;
}

/* several in-place ops in a row, then an out-of-place one */
static GeTensor *
e_inplace_chain (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);

  ok (ge_tensor_mul_ (y, x[1], E));
  ok (ge_tensor_add_ (y, x[1], E));
  ok (ge_tensor_div_ (y, x[2], E));
  ok (ge_tensor_sub_ (y, num (0.25), E));
  return K (ge_tensor_exp (y, E));
}

/* in-place on the result of a real op (not a copy) */
static GeTensor *
e_inplace_after_sin (GeTensor **x, const Param *p)
{
  GeTensor *y = K (ge_tensor_sin (x[0], E));

  ok (ge_tensor_mul_ (y, x[1], E));
  return y;
}

static GeTensor *
e_zero_then_add_ (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);

  ok (ge_tensor_zero_ (y, E));
  ok (ge_tensor_add_ (y, x[1], E));
  return K (ge_tensor_mul (y, x[0], E));
}

static GeTensor *
e_copy_ (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);

  ok (ge_tensor_copy_ (y, x[1], E));
  return K (ge_tensor_mul (y, y, E));
}

static GeTensor *
e_fill_ (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);

  ok (ge_tensor_fill_ (y, 2.0, E));
  return K (ge_tensor_mul (y, x[0], E));
}

static void
test_inplace_on_non_leaf_rebases_history (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_add_, NULL, U (2, 3), U (2, 3));
  GRADCHECK (e_add_, NULL, U (2, 3), U (3));
  GRADCHECK (e_sub_, NULL, U (2, 3), U (2, 1));
  GRADCHECK (e_mul_, NULL, U (2, 3), U (2, 3));
  GRADCHECK (e_mul_, NULL, U (2, 3), U0 ());
  GRADCHECK (e_div_, NULL, U (2, 3), POS (3));
  GRADCHECK (e_clamp_, PARAM (.value = -0.5, .value2 = 0.5),
             literal ("[[-1.7, -0.9, -0.3], [0.2, 0.8, 1.6]]"));
  GRADCHECK (e_clamp_, PARAM (.value = -0.5, .value2 = NAN), literal ("[-1.7, -0.3, 0.8]"));
  GRADCHECK (e_inplace_chain, NULL, U (2, 3), U (3), POS (2, 1));
  GRADCHECK (e_inplace_after_sin, NULL, U (4), U (4));
  GRADCHECK (e_zero_then_add_, NULL, U (3), U (3));
  GRADCHECK (e_copy_, NULL, U (2, 3), U (3));
  GRADCHECK (e_fill_, NULL, U (3));
}

/* ---- in-place changes of views (CopySlices, AsStridedBackward0) ---- */

/* y[1:] *= x[1] (a slice of a 2-D non-leaf, broadcast operand) */
static GeTensor *
e_slice_mul_ (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);
  GeIndex rows = GE_INDEX_RANGE (1, G_MAXINT64, 1);
  GeTensor *view = K (ge_tensor_index (y, 1, &rows, E));

  ok (ge_tensor_mul_ (view, x[1], E));
  return K (ge_tensor_mul (y, y, E));
}

/* y[:, 0] = x[1] * 2 (assignment: the old values of the column get no
 * gradient), then y.exp() */
static GeTensor *
e_column_assign (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);
  GeIndex column[2] = { GE_INDEX_ALL, GE_INDEX_I (0) };

  ok (ge_tensor_index_put (y, 2, column, K (ge_tensor_mul (x[1], inum (2), E)), E));
  return K (ge_tensor_exp (y, E));
}

/* a view taken before its base is changed in place (AsStridedBackward0) */
static GeTensor *
e_stale_view (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);
  GeTensor *v = K (ge_tensor_transpose (y, 0, 1, E));

  ok (ge_tensor_mul_ (y, x[1], E));
  return K (ge_tensor_sin (v, E));
}

/* an overlapping view (expand) of a base changed in place */
static GeTensor *
e_overlapping_view (GeTensor **x, const Param *p)
{
  GeTensor *y = copy_of (x[0]);
  gint64 sizes[2] = { 3, 4 };
  GeTensor *e = K (ge_tensor_expand (y, 2, sizes, E));

  ok (ge_tensor_add_ (y, x[1], E));
  return K (ge_tensor_mul (e, e, E));
}

/* a tensor that requires no grad comes to require it by assignment */
static GeTensor *
e_assign_into_zeros (GeTensor **x, const Param *p)
{
  gint64 sizes[2] = { 2, 3 };
  GeTensor *out = K (ge_tensor_zeros (2, sizes, GE_DTYPE_FLOAT64, E));
  GeIndex row = GE_INDEX_I (1);

  ok (ge_tensor_index_put (out, 1, &row, K (ge_tensor_sin (x[0], E)), E));
  return K (ge_tensor_mul (out, out, E));
}

/* unbind: several outputs of one node, some unused */
static GeTensor *
e_unbind (GeTensor **x, const Param *p)
{
  int n = 0;
  GeTensor **rows = ge_tensor_unbind (x[0], (int) p->value, &n, E);
  GeTensor *result;

  g_assert_no_error (op_error);
  g_assert_cmpint (n, >=, 3);
  result = K (ge_tensor_add (K (ge_tensor_mul (rows[0], rows[2], E)), K (ge_tensor_sin (rows[0], E)), E));
  ge_tensor_unbind_free (rows, n);
  return result;
}

static void
test_inplace_on_views (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_slice_mul_, NULL, U (3, 4), U (4));
  GRADCHECK (e_column_assign, NULL, U (3, 2), U (3));
  GRADCHECK (e_stale_view, NULL, U (2, 3), U (2, 3));
  GRADCHECK (e_overlapping_view, NULL, U (4), U (4));
  GRADCHECK (e_assign_into_zeros, NULL, U (3));
  GRADCHECK (e_unbind, PARAM (.value = 0), U (4, 3));
  GRADCHECK (e_unbind, PARAM (.value = -1), U (2, 3));
}

/* ---- custom functions ---- */

/* The notebook's LegendrePolynomial3: P3(x) = 0.5 (5x³ - 3x),
 * P3'(x) = 1.5 (5x² - 1). */
static GeTensor *
legendre_forward (GeFunctionCtx  *ctx,
                  int             n_inputs,
                  GeTensor      **inputs,
                  gpointer        user_data,
                  GError        **error)
{
  GPtrArray *outer = scope_open ();
  GeTensor *x = inputs[0];
  GeTensor *cube = K (ge_tensor_pow (x, inum (3), E));
  GeTensor *a = K (ge_tensor_mul (inum (5), cube, E));
  GeTensor *b = K (ge_tensor_mul (inum (3), x, E));
  GeTensor *result = ge_tensor_ref (K (ge_tensor_mul (num (0.5), K (ge_tensor_sub (a, b, E)), E)));

  ge_function_ctx_save_for_backward (ctx, 1, inputs);
  scope_close (outer);
  return result;
}

static gboolean
legendre_backward (GeFunctionCtx  *ctx,
                   GeTensor       *grad_output,
                   int             n_inputs,
                   GeTensor      **grad_inputs,
                   gpointer        user_data,
                   GError        **error)
{
  GPtrArray *outer = scope_open ();
  GeTensor *x = K (ge_function_ctx_get_saved (ctx, 0, E));
  GeTensor *sq = K (ge_tensor_pow (x, inum (2), E));
  GeTensor *inner = K (ge_tensor_sub (K (ge_tensor_mul (inum (5), sq, E)), inum (1), E));
  GeTensor *scaled = K (ge_tensor_mul (num (1.5), inner, E));

  grad_inputs[0] = ge_tensor_ref (K (ge_tensor_mul (grad_output, scaled, E)));
  scope_close (outer);
  return TRUE;
}

static GeTensor *
e_legendre (GeTensor **x, const Param *p)
{
  return K (ge_function_apply ("LegendrePolynomial3", legendre_forward, legendre_backward,
                               NULL, NULL, 1, x, E));
}

/* The notebook's model: a + b · P3(c + d·x) */
static GeTensor *
e_legendre_model (GeTensor **x, const Param *p)
{
  GeTensor *arg = K (ge_tensor_add (x[2], K (ge_tensor_mul (x[3], x[4], E)), E));
  GeTensor *p3 = K (ge_function_apply ("LegendrePolynomial3", legendre_forward, legendre_backward,
                                       NULL, NULL, 1, &arg, E));
  return K (ge_tensor_add (x[0], K (ge_tensor_mul (x[1], p3, E)), E));
}

/* Two inputs, out = x·y + x, with a gradient for each (saves both). */
static GeTensor *
muladd_forward (GeFunctionCtx *ctx, int n_inputs, GeTensor **inputs, gpointer user_data, GError **error)
{
  GPtrArray *outer = scope_open ();
  GeTensor *result = ge_tensor_ref (K (ge_tensor_add (K (ge_tensor_mul (inputs[0], inputs[1], E)),
                                                      inputs[0], E)));

  ge_function_ctx_save_for_backward (ctx, 2, inputs);
  scope_close (outer);
  return result;
}

static gboolean
muladd_backward (GeFunctionCtx *ctx, GeTensor *grad_output, int n_inputs, GeTensor **grad_inputs,
                 gpointer user_data, GError **error)
{
  GPtrArray *outer = scope_open ();
  GeTensor *x = K (ge_function_ctx_get_saved (ctx, 0, E));
  GeTensor *y = K (ge_function_ctx_get_saved (ctx, 1, E));

  grad_inputs[0] = ge_tensor_ref (K (ge_tensor_mul (grad_output, K (ge_tensor_add (y, inum (1), E)), E)));
  grad_inputs[1] = ge_tensor_ref (K (ge_tensor_mul (grad_output, x, E)));
  scope_close (outer);
  return TRUE;
}

static GeTensor *
e_muladd (GeTensor **x, const Param *p)
{
  return K (ge_function_apply ("MulAdd", muladd_forward, muladd_backward, NULL, NULL, 2, x, E));
}

static void
test_custom_function_legendre (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_legendre, NULL, U (5));
  GRADCHECK (e_legendre, NULL, U (2, 3));
  GRADCHECK (e_legendre_model, NULL, U0 (), U0 (), U0 (), U0 (), U (6));
  GRADCHECK (e_muladd, NULL, U (4), U (4));
  GRADCHECK (e_muladd, NULL, U (4), constant ("[1.0, -2.0, 0.5, 3.0]", GE_DTYPE_FLOAT64));
}

/* ---- the checker itself ---- */

/* P3 with a backward that is 1% off: gradcheck must notice. */
static gboolean
legendre_backward_slightly_wrong (GeFunctionCtx *ctx, GeTensor *grad_output, int n_inputs,
                                  GeTensor **grad_inputs, gpointer user_data, GError **error)
{
  GPtrArray *outer = scope_open ();
  GeTensor *right = NULL;

  g_assert_true (legendre_backward (ctx, grad_output, n_inputs, grad_inputs, user_data, error));
  right = K (grad_inputs[0]);
  grad_inputs[0] = ge_tensor_ref (K (ge_tensor_mul (right, num (1.01), E)));
  scope_close (outer);
  return TRUE;
}

static GeTensor *
e_legendre_slightly_wrong (GeTensor **x, const Param *p)
{
  return K (ge_function_apply ("LegendrePolynomial3", legendre_forward, legendre_backward_slightly_wrong,
                               NULL, NULL, 1, x, E));
}

static void
test_checker_detects_a_wrong_backward (Fixture *f, gconstpointer data)
{
  Call call = { e_legendre_slightly_wrong, NULL };
  Call right = { e_legendre, NULL };
  GeTensor *x = literal ("[-1.0, 0.5, 2.0]");
  g_autofree char *failure = ge_gradcheck (call_expr, &call, 1, &x, NULL);
  g_autofree char *none = ge_gradcheck (call_expr, &right, 1, &x, NULL);

  g_assert_nonnull (failure);
  g_test_message ("%s", failure);
  g_assert_true (strstr (failure, "differs") != NULL);
  g_assert_null (none);
}

static void
test_checker_leaves_grad_untouched (Fixture *f, gconstpointer data)
{
  GeTensor *x = U (2, 3), *y = U (3);
  g_autoptr(GeTensor) preset = ge_test_tensor_dtype ("[[1, 2, 3], [4, 5, 6]]", GE_DTYPE_FLOAT64);
  g_autoptr(GeTensor) expected = ge_test_tensor_dtype ("[[1, 2, 3], [4, 5, 6]]", GE_DTYPE_FLOAT64);

  g_assert_true (ge_tensor_set_grad (x, preset, NULL));
  GRADCHECK (e_mul, NULL, x, y);
  GRADGRADCHECK (e_mul, NULL, x, y);
  g_assert_true (ge_tensor_get_grad (x) == preset);
  ge_assert_tensor_equal (ge_tensor_get_grad (x), expected);
  g_assert_null (ge_tensor_get_grad (y));
}

/* ---- composites: the notebooks' expressions ---- */

static GeTensor *
e_mlp (GeTensor **x, const Param *p)
{
  /* tanh(x @ W1 + b1) @ W2 + b2, summed squared error against zero */
  GeTensor *h = K (ge_tensor_tanh (K (ge_tensor_add (K (ge_tensor_matmul (x[0], x[1], E)), x[2], E)), E));
  GeTensor *o = K (ge_tensor_add (K (ge_tensor_matmul (h, x[3], E)), x[4], E));
  return K (ge_tensor_mean (K (ge_tensor_mul (o, o, E)), E));
}

static GeTensor *
e_portfolio_risk (GeTensor **x, const Param *p)
{
  /* w^T Σ w with Σ = A^T A */
  GeTensor *sigma = K (ge_tensor_matmul (K (ge_tensor_t (x[1], E)), x[1], E));
  return K (ge_tensor_matmul (x[0], K (ge_tensor_matmul (sigma, x[0], E)), E));
}

static void
test_composite_mlp_and_portfolio (Fixture *f, gconstpointer data)
{
  GRADCHECK (e_mlp, NULL, U (4, 3), U (3, 5), U (5), U (5, 2), U (2));
  GRADCHECK (e_portfolio_risk, NULL, U (3), U (3, 3));
}

/* ---- second derivatives (gradgradcheck) ---- */

static GeTensor *e_exp (GeTensor **x, const Param *p) { return K (ge_tensor_exp (x[0], E)); }
static GeTensor *e_tanh (GeTensor **x, const Param *p) { return K (ge_tensor_tanh (x[0], E)); }
static GeTensor *e_sigmoid (GeTensor **x, const Param *p) { return K (ge_tensor_sigmoid (x[0], E)); }

static GeTensor *
e_sum_of_cube (GeTensor **x, const Param *p)
{
  return K (ge_tensor_sum (K (ge_tensor_pow (x[0], inum (3), E)), E));
}

static void
test_second_derivatives (Fixture *f, gconstpointer data)
{
  GRADGRADCHECK (e_mul, NULL, U (2, 3), U (2, 3));
  GRADGRADCHECK (e_mul, NULL, U (2, 3), U (3));
  GRADGRADCHECK (e_pow_int, PARAM (.value = 3), U (2, 3));
  GRADGRADCHECK (e_pow_scalar, PARAM (.value = 2.5), POS (4));
  GRADGRADCHECK (e_pow, NULL, POS (2, 3), U (3));
  GRADGRADCHECK (e_rpow, PARAM (.value = 2.0), U (4));
  GRADGRADCHECK (e_exp, NULL, U (2, 3));
  GRADGRADCHECK (e_tanh, NULL, U (2, 3));
  GRADGRADCHECK (e_sigmoid, NULL, U (2, 3));
  GRADGRADCHECK (e_mm, NULL, U (3, 4), U (4, 2));
  GRADGRADCHECK (e_sum, NULL, U (2, 3));
  GRADGRADCHECK (e_sum_dims, PARAM (.n_dims = 1, .dims = { 1 }), U (2, 3));
  GRADGRADCHECK (e_sum_of_cube, NULL, U (5));
}

static void
test_second_derivatives_of_other_ops (Fixture *f, gconstpointer data)
{
  GRADGRADCHECK (e_add, NULL, U (2, 3), U (3));
  GRADGRADCHECK (e_sub, NULL, U (2, 3), U (3));
  GRADGRADCHECK (e_rsub, NULL, U (2, 3));
  GRADGRADCHECK (e_div, NULL, U (2, 3), POS (3));
  GRADGRADCHECK (e_rdiv, NULL, POS (4));
  GRADGRADCHECK (e_pow_scalar, PARAM (.value = 0), POS (3));
  current_unary = ge_tensor_neg;
  GRADGRADCHECK (e_unary, NULL, U (4));
  current_unary = ge_tensor_log;
  GRADGRADCHECK (e_unary, NULL, POS (4));
  current_unary = ge_tensor_sin;
  GRADGRADCHECK (e_unary, NULL, U (4));
  current_unary = ge_tensor_cos;
  GRADGRADCHECK (e_unary_strided, NULL, U (2, 3));
  current_unary = ge_tensor_sqrt;
  GRADGRADCHECK (e_unary, NULL, POS (4));
  current_unary = ge_tensor_relu;
  GRADGRADCHECK (e_unary, NULL, NZ (4));
  current_unary = ge_tensor_abs;
  GRADGRADCHECK (e_unary, NULL, NZ (4));
  GRADGRADCHECK (e_clamp, PARAM (.value = -0.5, .value2 = 0.5), literal ("[-1.7, -0.3, 0.2, 1.6]"));
  GRADGRADCHECK (e_where, NULL, constant ("[True, False, True]", GE_DTYPE_BOOL), U (3), U (2, 3));
  GRADGRADCHECK (e_mean, NULL, U (2, 3));
  GRADGRADCHECK (e_mean_dims, PARAM (.n_dims = 1, .dims = { 0 }), U (2, 3));
  GRADGRADCHECK (e_max, NULL, DISTINCT (2, 3));
  GRADGRADCHECK (e_dot, NULL, U (4), U (4));
  GRADGRADCHECK (e_mv, NULL, U (3, 4), U (4));
  GRADGRADCHECK (e_bmm, NULL, U (2, 3, 4), U (2, 4, 2));
  GRADGRADCHECK (e_matmul, NULL, U (2, 1, 3, 4), U (5, 4, 2));
  GRADGRADCHECK (e_matmul, NULL, U (4), U (2, 4, 3));
  GRADGRADCHECK (e_inv, NULL, near_identity (SIZES (2, 3, 3)));
  GRADGRADCHECK (e_view, PARAM (.n_sizes = 1, .sizes = { -1 }), U (2, 3));
  GRADGRADCHECK (e_reshape_copy, PARAM (.n_sizes = 1, .sizes = { -1 }), U (2, 3));
  GRADGRADCHECK (e_expand, PARAM (.n_sizes = 3, .sizes = { 2, 4, 3 }), U (2, 1, 3));
  GRADGRADCHECK (e_squeeze, NULL, U (2, 1, 3));
  GRADGRADCHECK (e_unsqueeze, PARAM (.dims = { 1 }), U (2, 3));
  GRADGRADCHECK (e_permute, PARAM (.n_dims = 3, .dims = { 2, 0, 1 }), U (2, 3, 4));
  GRADGRADCHECK (e_t, NULL, U (2, 3));
  GRADGRADCHECK (e_clone, NULL, U (2, 3));
  GRADGRADCHECK (e_contiguous_of_transposed, NULL, U (2, 3));
  GRADGRADCHECK (e_stack, PARAM (.n_indices = 2, .dims = { 0 }), U (2, 3), U (2, 3));
  GRADGRADCHECK (e_cat, PARAM (.n_indices = 2, .dims = { 1 }), U (2, 3), U (2, 1));
  GRADGRADCHECK (e_add_, NULL, U (2, 3), U (3));
  GRADGRADCHECK (e_clamp_, PARAM (.value = -0.5, .value2 = 0.5), literal ("[-1.7, -0.3, 0.2, 1.6]"));
  GRADGRADCHECK (e_copy_, NULL, U (2, 3), U (3));
  GRADGRADCHECK (e_legendre, NULL, U (4));
  GRADGRADCHECK (e_muladd, NULL, U (4), U (4));
  GRADGRADCHECK (e_mlp, NULL, U (2, 3), U (3, 2), U (2), U (2, 1), U (1));
  GRADGRADCHECK (e_portfolio_risk, NULL, U (3), U (3, 3));
}

/* A second-order check that fails because of a known engine bug: the
 * mismatch is logged and the test marked incomplete, not failed. */
static int known_bug_failures;

static void
gradgradcheck_known_bug_at (const char  *file,
                            int          line,
                            const char  *what,
                            Expr         expr,
                            const Param *param,
                            int          n_inputs,
                            GeTensor   **inputs)
{
  Call call = { expr, param };
  g_autofree char *failure = ge_gradgradcheck (call_expr, &call, n_inputs, inputs, NULL);

  if (failure == NULL)
    return;
  g_test_message ("%s:%d: gradgradcheck of %s fails: %s", file, line, what, failure);
  known_bug_failures++;
}

#define GRADGRADCHECK_KNOWN_BUG(expr, param, ...) \
  gradgradcheck_known_bug_at (__FILE__, __LINE__, #expr, (expr), (param), INPUTS (__VA_ARGS__))

static void
report_known_bug (const char *bug)
{
  if (known_bug_failures > 0)
    g_test_incomplete (bug);
  known_bug_failures = 0;
}

static void
test_second_derivatives_through_select_and_slice (Fixture *f, gconstpointer data)
{
  static const GeIndex none = { GE_INDEX_NONE, 0, 0, 0, 1 };

  GRADGRADCHECK_KNOWN_BUG (e_select, PARAM (.dims = { 0 }, .value = 1), U (2, 3));
  GRADGRADCHECK_KNOWN_BUG (e_slice, PARAM (.dims = { 0 }, .sizes = { 0, G_MAXINT64, 2 }), U (5, 2));
  GRADGRADCHECK_KNOWN_BUG (e_index, PARAM (.n_indices = 2, .indices = { none, GE_INDEX_I (1) }), U (3, 4));
  report_known_bug ("ge-functions.c select_backward (SelectBackward0, SliceBackward0) builds the "
                    "gradient with raw zeros + copy_, so with create_graph it records no graph and "
                    "the second derivative with respect to the upstream gradient is 0; PyTorch's "
                    "gradgradcheck passes for x[1] and x[::2]");
}

static void
test_second_derivatives_through_max_min_sort (Fixture *f, gconstpointer data)
{
  GRADGRADCHECK_KNOWN_BUG (e_max_dim, PARAM (.dims = { 1 }), DISTINCT (2, 3));
  GRADGRADCHECK_KNOWN_BUG (e_min_dim, PARAM (.dims = { 1 }, .flag = TRUE), DISTINCT (2, 3));
  GRADGRADCHECK_KNOWN_BUG (e_sort, PARAM (.dims = { 1 }), DISTINCT (2, 3));
  report_known_bug ("ge-functions.c select_values_backward (MaxBackward0, MinBackward0, "
                    "SortBackward0) scatters the gradient with a raw loop, so with create_graph it "
                    "records no graph and the second derivative with respect to the upstream "
                    "gradient is 0; PyTorch's gradgradcheck passes for x.max(1)[0] and x.sort(1)[0]");
}

static void
test_second_derivatives_through_inplace_mul_div (Fixture *f, gconstpointer data)
{
  GRADGRADCHECK_KNOWN_BUG (e_inplace_after_sin, NULL, U (4), U (4));
  GRADGRADCHECK_KNOWN_BUG (e_mul_, NULL, U (2, 3), U (2, 3));
  GRADGRADCHECK_KNOWN_BUG (e_div_, NULL, U (2, 3), POS (3));
  GRADGRADCHECK_KNOWN_BUG (e_inplace_chain, NULL, U (2, 3), U (3), POS (2, 1));
  report_known_bug ("ge-functions.c inplace_binary saves the old self of mul_/div_ as a raw clone "
                    "cut from its history, so with create_graph the terms through the original "
                    "self are lost (y = sin(x); y.mul_(z): d2/dx dz is wrong); PyTorch's "
                    "gradgradcheck passes");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/engine/gradcheck/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("checker-detects-a-wrong-backward", test_checker_detects_a_wrong_backward);
  ADD ("checker-leaves-grad-untouched", test_checker_leaves_grad_untouched);
  ADD ("add-broadcast", test_add_broadcast);
  ADD ("sub-broadcast-and-rsub", test_sub_broadcast_and_rsub);
  ADD ("mul-broadcast", test_mul_broadcast);
  ADD ("mul-same-tensor-twice", test_mul_same_tensor_twice);
  ADD ("div-broadcast-and-rdiv", test_div_broadcast_and_rdiv);
  ADD ("pow-tensor-exponent-broadcast", test_pow_tensor_exponent_broadcast);
  ADD ("pow-scalar-exponent", test_pow_scalar_exponent);
  ADD ("pow-scalar-base", test_pow_scalar_base);
  for (gsize i = 0; i < G_N_ELEMENTS (unaries); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/gradcheck/unary/%s", unaries[i].name);
      g_test_add (path, Fixture, &unaries[i], fixture_setup, test_unary, fixture_teardown);
    }
  ADD ("clamp-min-max-and-both", test_clamp_min_max_and_both);
  ADD ("where-broadcast", test_where_broadcast);
  ADD ("sum-over-all-and-dims", test_sum_over_all_and_dims);
  ADD ("mean-over-all-and-dims", test_mean_over_all_and_dims);
  ADD ("max-min-over-all-and-dim", test_max_min_over_all_and_dim);
  ADD ("sort-along-dims", test_sort_along_dims);
  ADD ("dot-mv-mm-bmm", test_dot_mv_mm_bmm);
  ADD ("matmul-all-ranks-and-broadcast-batch", test_matmul_all_ranks_and_broadcast_batch);
  ADD ("linalg-inv-well-conditioned-and-batched", test_linalg_inv_well_conditioned_and_batched);
  ADD ("view-and-reshape-including-copy", test_view_and_reshape_including_copy);
  ADD ("transpose-t-permute", test_transpose_t_permute);
  ADD ("squeeze-unsqueeze", test_squeeze_unsqueeze);
  ADD ("expand", test_expand);
  ADD ("select-and-slice-with-steps", test_select_and_slice_with_steps);
  ADD ("indexing-ints-slices-none-ellipsis", test_indexing_ints_slices_none_ellipsis);
  ADD ("clone-and-contiguous", test_clone_and_contiguous);
  ADD ("stack-and-cat-along-dims", test_stack_and_cat_along_dims);
  ADD ("inplace-on-non-leaf-rebases-history", test_inplace_on_non_leaf_rebases_history);
  ADD ("inplace-on-views", test_inplace_on_views);
  ADD ("custom-function-legendre", test_custom_function_legendre);
  ADD ("composite-mlp-and-portfolio", test_composite_mlp_and_portfolio);
  ADD ("second-derivatives", test_second_derivatives);
  ADD ("second-derivatives-of-other-ops", test_second_derivatives_of_other_ops);
  ADD ("second-derivatives-through-select-and-slice", test_second_derivatives_through_select_and_slice);
  ADD ("second-derivatives-through-max-min-sort", test_second_derivatives_through_max_min_sort);
  ADD ("second-derivatives-through-inplace-mul-div", test_second_derivatives_through_inplace_mul_div);
#undef ADD

  return g_test_run ();
}
