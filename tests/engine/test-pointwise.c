/* test-pointwise.c - pointwise ops vs PyTorch 1.13 goldens and the reference kernels */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-test-util.h"
#include "reference/ge-ref-pointwise.h"

static GeGolden *golden;

typedef GeTensor *(*BinaryFunc) (GeTensor *, GeTensor *, GError **);
typedef GeTensor *(*UnaryFunc) (GeTensor *, GError **);
typedef gboolean (*InplaceFunc) (GeTensor *, GeTensor *, GError **);

static BinaryFunc
binary_func (const char *op)
{
  static const struct { const char *name; BinaryFunc func; } table[] = {
    { "add", ge_tensor_add }, { "sub", ge_tensor_sub }, { "mul", ge_tensor_mul },
    { "div", ge_tensor_div }, { "pow", ge_tensor_pow }, { "eq", ge_tensor_eq },
    { "ne", ge_tensor_ne }, { "lt", ge_tensor_lt }, { "le", ge_tensor_le },
    { "gt", ge_tensor_gt }, { "ge", ge_tensor_ge },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (op, table[i].name))
      return table[i].func;
  g_error ("unknown op %s", op);
}

static UnaryFunc
unary_func (const char *op)
{
  static const struct { const char *name; UnaryFunc func; } table[] = {
    { "neg", ge_tensor_neg }, { "exp", ge_tensor_exp }, { "log", ge_tensor_log },
    { "sin", ge_tensor_sin }, { "cos", ge_tensor_cos }, { "sqrt", ge_tensor_sqrt },
    { "abs", ge_tensor_abs }, { "tanh", ge_tensor_tanh }, { "sigmoid", ge_tensor_sigmoid },
    { "relu", ge_tensor_relu },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    if (g_str_equal (op, table[i].name))
      return table[i].func;
  g_error ("unknown op %s", op);
}

/* A golden 0-dim tensor standing for a Python number becomes a wrapped
 * number of the same Python type. */
static GeTensor *
python_number (GeTensor *t)
{
  double v = ge_tensor_get_flat (t, 0);

  switch (ge_tensor_get_dtype (t))
    {
    case GE_DTYPE_BOOL:  return ge_tensor_wrap_bool (v != 0.0);
    case GE_DTYPE_INT64: return ge_tensor_wrap_int ((gint64) v);
    case GE_DTYPE_FLOAT32:
    case GE_DTYPE_FLOAT64:
    default:             return ge_tensor_wrap_double (v);
    }
}

static char *
key (const char *prefix,
     const char *field)
{
  return g_strconcat (prefix, ".", field, NULL);
}

/* Keys "bin.000.op" etc.: the distinct case prefixes ("bin.000"). */
static GPtrArray *
case_prefixes (const char *area)
{
  g_autofree char *pattern = g_strconcat (area, ".", NULL);
  g_auto(GStrv) keys = ge_golden_keys (golden, pattern);
  GPtrArray *prefixes = g_ptr_array_new_with_free_func (g_free);

  for (int i = 0; keys[i] != NULL; i++)
    {
      const char *dot = strchr (keys[i] + strlen (pattern), '.');
      g_autofree char *prefix = dot ? g_strndup (keys[i], dot - keys[i]) : NULL;
      if (prefix != NULL &&
          (prefixes->len == 0 || !g_str_equal (g_ptr_array_index (prefixes, prefixes->len - 1), prefix)))
        g_ptr_array_add (prefixes, g_steal_pointer (&prefix));
    }
  return prefixes;
}

/* Arithmetic is exact; libm functions may differ in the last place. */
static double
op_rtol (const char *op,
         GeDType     dtype)
{
  static const char *exact[] = { "add", "sub", "mul", "div", "neg", "abs", "relu", "sqrt",
                                 "eq", "ne", "lt", "le", "gt", "ge", NULL };
  if (g_strv_contains (exact, op))
    return 0.0;
  return dtype == GE_DTYPE_FLOAT32 ? 2e-7 : 1e-15;
}

static void
test_binary_goldens (void)
{
  g_autoptr(GPtrArray) cases = case_prefixes ("bin");

  g_assert_cmpuint (cases->len, >, 150);
  for (guint i = 0; i < cases->len; i++)
    {
      const char *p = g_ptr_array_index (cases, i);
      g_autofree char *kop = key (p, "op"), *kkind = key (p, "kind"), *ka = key (p, "a");
      g_autofree char *kb = key (p, "b"), *kout = key (p, "out"), *kerr = key (p, "err");
      const char *op = ge_golden_string (golden, kop);
      const char *kind = ge_golden_string (golden, kkind);
      g_autoptr(GeTensor) ga = ge_golden_tensor (golden, ka);
      g_autoptr(GeTensor) gb = ge_golden_tensor (golden, kb);
      g_autoptr(GeTensor) a = g_str_equal (kind, "st") ? python_number (ga) : ge_tensor_ref (ga);
      g_autoptr(GeTensor) b = g_str_equal (kind, "ts") ? python_number (gb) : ge_tensor_ref (gb);
      g_autoptr(GError) error = NULL;
      g_autoptr(GeTensor) out = NULL;

      g_test_message ("%s: %s (%s)", p, op, kind);
      out = binary_func (op) (a, b, &error);
      if (ge_golden_has (golden, kerr))
        {
          g_assert_null (out);
          ge_assert_golden_error (error, ge_golden_string (golden, kerr));
        }
      else
        {
          g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kout);
          double rtol = op_rtol (op, ge_tensor_get_dtype (expected));

          g_assert_no_error (error);
          ge_assert_tensor_close (out, expected, rtol, 0.0);
        }
    }
}

static void
test_binary_matches_reference (void)
{
  g_autoptr(GPtrArray) cases = case_prefixes ("bin");

  for (guint i = 0; i < cases->len; i++)
    {
      const char *p = g_ptr_array_index (cases, i);
      g_autofree char *kop = key (p, "op"), *kkind = key (p, "kind"), *ka = key (p, "a");
      g_autofree char *kb = key (p, "b");
      const char *op = ge_golden_string (golden, kop);
      const char *kind = ge_golden_string (golden, kkind);
      g_autoptr(GeTensor) ga = ge_golden_tensor (golden, ka);
      g_autoptr(GeTensor) gb = ge_golden_tensor (golden, kb);
      g_autoptr(GeTensor) a = g_str_equal (kind, "st") ? python_number (ga) : ge_tensor_ref (ga);
      g_autoptr(GeTensor) b = g_str_equal (kind, "ts") ? python_number (gb) : ge_tensor_ref (gb);
      g_autoptr(GeTensor) out = binary_func (op) (a, b, NULL);
      g_autoptr(GeTensor) ref = NULL;
      GeDType dtype;

      if (out == NULL)
        continue;
      dtype = ge_tensor_get_dtype (out);
      ref = ge_ref_pointwise (op, a, b, dtype);
      /* The reference computes in double: float32 results agree to rounding. */
      ge_assert_tensor_close (out, ref, dtype == GE_DTYPE_FLOAT32 ? 1e-6 : 1e-12,
                              dtype == GE_DTYPE_FLOAT32 ? 1e-6 : 1e-12);
    }
}

static void
test_unary_goldens (void)
{
  g_autoptr(GPtrArray) cases = case_prefixes ("un");

  g_assert_cmpuint (cases->len, >=, 70);
  for (guint i = 0; i < cases->len; i++)
    {
      const char *p = g_ptr_array_index (cases, i);
      g_autofree char *kop = key (p, "op"), *ka = key (p, "a");
      g_autofree char *kout = key (p, "out"), *kerr = key (p, "err");
      const char *op = ge_golden_string (golden, kop);
      g_autoptr(GeTensor) a = ge_golden_tensor (golden, ka);
      g_autoptr(GError) error = NULL;
      g_autoptr(GeTensor) out = unary_func (op) (a, &error);

      g_test_message ("%s: %s", p, op);
      if (ge_golden_has (golden, kerr))
        {
          g_assert_null (out);
          ge_assert_golden_error (error, ge_golden_string (golden, kerr));
        }
      else
        {
          g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kout);
          g_autoptr(GeTensor) ref = NULL;
          GeDType dtype = ge_tensor_get_dtype (expected);

          g_assert_no_error (error);
          ge_assert_tensor_close (out, expected, op_rtol (op, dtype), 0.0);
          ref = ge_ref_pointwise (op, a, NULL, dtype);
          ge_assert_tensor_close (out, ref, dtype == GE_DTYPE_FLOAT32 ? 1e-6 : 1e-12, 1e-30);
        }
    }
}

/* "none", "int:2" or "float:-1.0": a Python number as a wrapped bound */
static GeTensor *
parse_bound (const char *text)
{
  if (g_str_equal (text, "none"))
    return NULL;
  if (g_str_has_prefix (text, "int:"))
    return ge_tensor_wrap_int (g_ascii_strtoll (text + 4, NULL, 10));
  g_assert_true (g_str_has_prefix (text, "float:"));
  return ge_tensor_wrap_double (g_ascii_strtod (text + 6, NULL));
}

static void
test_clamp_goldens (void)
{
  g_autoptr(GPtrArray) cases = case_prefixes ("clamp");
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) t = ge_test_tensor ("[1., 2.]");

  g_assert_cmpuint (cases->len, ==, 24);
  for (guint i = 0; i < cases->len; i++)
    {
      const char *p = g_ptr_array_index (cases, i);
      g_autofree char *ka = key (p, "a"), *kmin = key (p, "min"), *kmax = key (p, "max");
      g_autofree char *kout = key (p, "out");
      g_autoptr(GeTensor) a = ge_golden_tensor (golden, ka);
      g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kout);
      g_autoptr(GeTensor) out = NULL;
      g_autoptr(GeTensor) inplace = NULL;
      g_autoptr(GeTensor) lo = parse_bound (ge_golden_string (golden, kmin));
      g_autoptr(GeTensor) hi = parse_bound (ge_golden_string (golden, kmax));

      g_test_message ("%s", p);
      out = ge_tensor_clamp (a, lo, hi, &error);
      g_assert_no_error (error);
      ge_assert_tensor_equal (out, expected);

      /* clamp_ gives the same values when the dtype can hold them. */
      if (ge_tensor_get_dtype (expected) == ge_tensor_get_dtype (a))
        {
          inplace = ge_tensor_clone (a, &error);
          g_assert_no_error (error);
          g_assert_true (ge_tensor_clamp_ (inplace, lo, hi, &error));
          g_assert_no_error (error);
          ge_assert_tensor_equal (inplace, expected);
        }
    }

  g_assert_null (ge_tensor_clamp (t, NULL, NULL, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "err.clamp_none"));
}

static void
test_where_goldens (void)
{
  g_autoptr(GPtrArray) cases = case_prefixes ("where");
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) f = ge_test_tensor ("[1., 0., 2.]");

  g_assert_cmpuint (cases->len, ==, 3);
  for (guint i = 0; i < cases->len; i++)
    {
      const char *p = g_ptr_array_index (cases, i);
      g_autofree char *kc = key (p, "c"), *ka = key (p, "a"), *kb = key (p, "b"), *ko = key (p, "out");
      g_autoptr(GeTensor) c = ge_golden_tensor (golden, kc);
      g_autoptr(GeTensor) a = ge_golden_tensor (golden, ka);
      g_autoptr(GeTensor) b = ge_golden_tensor (golden, kb);
      g_autoptr(GeTensor) expected = ge_golden_tensor (golden, ko);
      g_autoptr(GeTensor) out = ge_tensor_where (c, a, b, &error);

      g_assert_no_error (error);
      ge_assert_tensor_equal (out, expected);
    }

  g_assert_null (ge_tensor_where (f, f, f, &error));
  ge_assert_golden_error (error, ge_golden_string (golden, "err.where_cond"));
}

static void
test_inplace_goldens (void)
{
  g_autoptr(GPtrArray) cases = case_prefixes ("inp");

  g_assert_cmpuint (cases->len, ==, 32);
  for (guint i = 0; i < cases->len; i++)
    {
      const char *p = g_ptr_array_index (cases, i);
      g_autofree char *kop = key (p, "op"), *kkind = key (p, "kind"), *ks = key (p, "self");
      g_autofree char *ko = key (p, "other"), *kout = key (p, "out"), *kerr = key (p, "err");
      const char *op = ge_golden_string (golden, kop);
      g_autoptr(GeTensor) self = ge_golden_tensor (golden, ks);
      g_autoptr(GeTensor) gother = ge_golden_tensor (golden, ko);
      g_autoptr(GeTensor) other = g_str_equal (ge_golden_string (golden, kkind), "ts")
                                  ? python_number (gother) : ge_tensor_ref (gother);
      g_autoptr(GError) error = NULL;
      guint64 version = ge_tensor_get_version (self);
      InplaceFunc func = g_str_equal (op, "add_") ? ge_tensor_add_
                       : g_str_equal (op, "sub_") ? ge_tensor_sub_
                       : g_str_equal (op, "mul_") ? ge_tensor_mul_ : ge_tensor_div_;
      gboolean ok = func (self, other, &error);

      g_test_message ("%s: %s", p, op);
      if (ge_golden_has (golden, kerr))
        {
          g_assert_false (ok);
          ge_assert_golden_error (error, ge_golden_string (golden, kerr));
          g_assert_cmpuint (ge_tensor_get_version (self), ==, version);
        }
      else
        {
          g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kout);
          g_assert_no_error (error);
          g_assert_true (ok);
          ge_assert_tensor_equal (self, expected);
          g_assert_cmpuint (ge_tensor_get_version (self), >, version);
        }
    }
}

static void
test_inplace_through_view_changes_base (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) base = ge_test_tensor ("[[1., 2.], [3., 4.]]");
  g_autoptr(GeTensor) row = ge_tensor_select (base, 0, 1, &error);
  g_autoptr(GeTensor) ten = ge_tensor_wrap_double (10.0);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[1., 2.], [30., 40.]]");

  g_assert_no_error (error);
  g_assert_true (ge_tensor_mul_ (row, ten, &error));
  ge_assert_tensor_equal (base, expected);
}

static void
test_inplace_with_overlapping_operand (void)
{
  /* x.add_(x.t()) and a[1:].copy_(a[:-1]) read memory they write: PyTorch
   * refuses, and so do we; an expanded destination is refused too. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) x = ge_test_tensor ("[[1., 2.], [3., 4.]]");
  g_autoptr(GeTensor) xt = ge_tensor_t (x, &error);
  g_autoptr(GeTensor) a = ge_test_tensor ("[0., 1., 2., 3., 4.]");
  g_autoptr(GeTensor) tail = ge_tensor_slice (a, 0, 1, G_MAXINT64, 1, &error);
  g_autoptr(GeTensor) head = ge_tensor_slice (a, 0, 0, 4, 1, &error);
  g_autoptr(GeTensor) one = ge_test_tensor ("[1.]");
  gint64 three = 3;
  g_autoptr(GeTensor) expanded = ge_tensor_expand (one, 1, &three, &error);
  g_autoptr(GeTensor) same = ge_test_tensor ("[[2., 4.], [6., 8.]]");
  const char *partial = "unsupported operation: some elements of the input tensor and the "
                        "written-to tensor refer to a single memory location. Please clone() "
                        "the tensor before performing the operation.";

  g_assert_no_error (error);
  g_assert_false (ge_tensor_add_ (x, xt, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME, partial);
  g_clear_error (&error);
  g_assert_false (ge_tensor_copy_ (tail, head, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME, partial);
  g_clear_error (&error);
  /* fill_ on an expanded tensor is allowed (PyTorch too), add_ is not */
  g_assert_true (ge_tensor_fill_ (expanded, 0, &error));
  g_assert_false (ge_tensor_add_ (expanded, one, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "unsupported operation: more than one element of the written-to tensor refers "
                   "to a single memory location. Please clone() the tensor before performing the operation.");
  g_clear_error (&error);
  /* the very same view is fine: x += x */
  g_assert_true (ge_tensor_add_ (x, x, &error));
  ge_assert_tensor_equal (x, same);
}

static void
test_fill_zero_and_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) x = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) col = ge_tensor_select (x, 1, 1, &error);
  g_autoptr(GeTensor) ints = ge_test_tensor ("[7, 8, 9]");
  g_autoptr(GeTensor) e1 = ge_test_tensor ("[[1., -1., 3.], [4., -1., 6.]]");
  g_autoptr(GeTensor) e2 = ge_test_tensor ("[[7., 8., 9.], [7., 8., 9.]]");
  g_autoptr(GeTensor) e3 = ge_test_tensor ("[[0., 0., 0.], [0., 0., 0.]]");
  g_autoptr(GeTensor) big = ge_test_tensor ("[1., 2., 3., 4.]");

  g_assert_true (ge_tensor_fill_ (col, -1.0, &error));
  ge_assert_tensor_equal (x, e1);
  /* copy_ broadcasts and converts int64 -> float32 */
  g_assert_true (ge_tensor_copy_ (x, ints, &error));
  ge_assert_tensor_equal (x, e2);
  g_assert_true (ge_tensor_zero_ (x, &error));
  ge_assert_tensor_equal (x, e3);
  g_assert_no_error (error);

  g_assert_false (ge_tensor_copy_ (col, big, &error));
  ge_assert_error (error, GE_ERROR_RUNTIME,
                   "The size of tensor a (2) must match the size of tensor b (4) at non-singleton dimension 0");
}

static void
test_large_contiguous_matches_reference (void)
{
  /* Long inner loops (vectorised path) against the reference. */
  g_autoptr(GError) error = NULL;
  gint64 n = 100003;
  g_autoptr(GeTensor) a = ge_tensor_arange (0, (double) n, 1, GE_DTYPE_FLOAT32, FALSE, &error);
  g_autoptr(GeTensor) s = ge_tensor_wrap_double (0.001);
  g_autoptr(GeTensor) x = ge_tensor_mul (a, s, &error);
  g_autoptr(GeTensor) y = ge_tensor_sin (x, &error);
  g_autoptr(GeTensor) z = ge_tensor_add (x, y, &error);
  g_autoptr(GeTensor) rx = ge_ref_pointwise ("mul", a, s, GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) rz = NULL;

  g_assert_no_error (error);
  /* the fast path multiplies by 0.001 rounded to float32, as ATen does */
  ge_assert_tensor_close (x, rx, 1.2e-7, 0.0);
  rz = ge_ref_pointwise ("add", x, y, GE_DTYPE_FLOAT32);
  ge_assert_tensor_equal (z, rz);
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("pointwise");

  g_test_add_func ("/engine/pointwise/binary-matches-pytorch", test_binary_goldens);
  g_test_add_func ("/engine/pointwise/binary-matches-reference", test_binary_matches_reference);
  g_test_add_func ("/engine/pointwise/unary-matches-pytorch-and-reference", test_unary_goldens);
  g_test_add_func ("/engine/pointwise/clamp-matches-pytorch", test_clamp_goldens);
  g_test_add_func ("/engine/pointwise/where-matches-pytorch", test_where_goldens);
  g_test_add_func ("/engine/pointwise/inplace-matches-pytorch", test_inplace_goldens);
  g_test_add_func ("/engine/pointwise/inplace-through-view-changes-base", test_inplace_through_view_changes_base);
  g_test_add_func ("/engine/pointwise/inplace-with-overlapping-operand", test_inplace_with_overlapping_operand);
  g_test_add_func ("/engine/pointwise/fill-zero-and-copy", test_fill_zero_and_copy);
  g_test_add_func ("/engine/pointwise/large-contiguous-matches-reference", test_large_contiguous_matches_reference);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
