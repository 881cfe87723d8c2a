/* ge-functions.c - the public ops: raw kernels plus PyTorch's autograd nodes */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-autograd-private.h"
#include "ge-ops-private.h"
#include "ge-device.h"

/*
 * Each public op runs its raw kernel (ge_op_X) with grad mode off, then, when
 * grad mode is on and an input requires grad, records the node PyTorch 1.13
 * records, with the tensors its backward formula needs.  Backward formulas
 * are written with the public ops, so with create_graph they record a graph
 * of their own (second derivatives).
 */

#define RAW(expr) GE_NO_GRAD (expr)

/* Bail out of a backward formula when a step fails. */
#define TRY(expr) G_STMT_START { if ((expr) == NULL) return FALSE; } G_STMT_END

static GeTensor *
scalar (double value)
{
  return ge_tensor_wrap_double (value);
}

static GeTensor *
record_single (GeTensor       *out,
               const char     *name,
               GeNodeBackward  backward,
               int             n_inputs,
               GeTensor      **inputs,
               GeNode        **node_out)
{
  GeNode *node;

  *node_out = NULL;
  if (out == NULL || !ge_autograd_should_record (n_inputs, inputs))
    return out;
  node = ge_node_new (name, backward, n_inputs, inputs, 1);
  ge_node_set_output (node, 0, out);
  *node_out = node;
  return out;
}

/* The saved tensor with index stored in node->ints[slot] (-1: not saved). */
static GeTensor *
saved (GeNode  *node,
       int      slot,
       GError **error)
{
  return ge_node_unpack (node, (int) node->ints[slot], error);
}

static void
save_into (GeNode   *node,
           int       slot,
           GeTensor *t)
{
  node->ints[slot] = node->n_saved;
  ge_node_save (node, t);
}

/* ---- add / sub ---- */

static gboolean
add_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  double alpha = node->scalars[0];

  for (int i = 0; i < 2; i++)
    {
      double factor = i == 0 ? 1.0 : alpha;
      if (!ge_node_needs_grad (node, i))
        continue;
      if (factor == 1.0)
        gi[i] = ge_tensor_ref (g[0]);
      else
        {
          g_autoptr(GeTensor) f = scalar (factor);
          TRY (gi[i] = ge_tensor_mul (g[0], f, error));
        }
      if (locals != NULL)
        locals[i] = RAW (ge_tensor_full_like (g[0], factor, NULL));
    }
  return TRUE;
}

static gboolean
rsub_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  TRY (gi[0] = ge_tensor_neg (g[0], error));
  if (locals != NULL)
    locals[0] = RAW (ge_tensor_full_like (g[0], -1.0, NULL));
  return TRUE;
}

GeTensor *
ge_tensor_add (GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[2] = { a, b };
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_add (a, b, error)), "AddBackward0", add_backward, 2, inputs, &node);

  if (node != NULL)
    node->scalars[0] = 1.0;
  g_clear_pointer (&node, ge_node_unref);
  return out;
}

GeTensor *
ge_tensor_sub (GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[2] = { a, b };
  GeNode *node;
  GeTensor *out;

  /* 1 - x is rsub in PyTorch */
  if (a->is_wrapped_number && !b->is_wrapped_number)
    {
      out = record_single (RAW (ge_op_sub (a, b, error)), "RsubBackward1", rsub_backward, 1, &b, &node);
      g_clear_pointer (&node, ge_node_unref);
      return out;
    }
  out = record_single (RAW (ge_op_sub (a, b, error)), "SubBackward0", add_backward, 2, inputs, &node);
  if (node != NULL)
    node->scalars[0] = -1.0;
  g_clear_pointer (&node, ge_node_unref);
  return out;
}

/* ---- mul / div ---- */

static gboolean
mul_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GeTensor) other = NULL;
      if (!ge_node_needs_grad (node, i))
        continue;
      TRY (other = saved (node, 1 - i, error));
      TRY (gi[i] = ge_tensor_mul (g[0], other, error));
      if (locals != NULL)
        locals[i] = ge_tensor_ref (other);
    }
  return TRUE;
}

GeTensor *
ge_tensor_mul (GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[2] = { a, b };
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_mul (a, b, error)), "MulBackward0", mul_backward, 2, inputs, &node);

  if (node != NULL)
    {
      node->ints[0] = node->ints[1] = -1;
      if (ge_node_needs_grad (node, 1))
        save_into (node, 0, a);
      if (ge_node_needs_grad (node, 0))
        save_into (node, 1, b);
      ge_node_unref (node);
    }
  return out;
}

static gboolean
div_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) b = NULL;

  TRY (b = saved (node, 1, error));
  if (ge_node_needs_grad (node, 0))
    {
      TRY (gi[0] = ge_tensor_div (g[0], b, error));
      if (locals != NULL)
        {
          g_autoptr(GeTensor) one = scalar (1.0);
          locals[0] = ge_tensor_div (one, b, NULL);
        }
    }
  if (ge_node_needs_grad (node, 1))
    {
      /* -grad * ((self / other) / other) */
      g_autoptr(GeTensor) a = NULL;
      g_autoptr(GeTensor) q = NULL;
      g_autoptr(GeTensor) q2 = NULL;
      g_autoptr(GeTensor) ng = NULL;

      TRY (a = saved (node, 0, error));
      TRY (q = ge_tensor_div (a, b, error));
      TRY (q2 = ge_tensor_div (q, b, error));
      TRY (ng = ge_tensor_neg (g[0], error));
      TRY (gi[1] = ge_tensor_mul (ng, q2, error));
      if (locals != NULL)
        locals[1] = ge_tensor_neg (q2, NULL);
    }
  return TRUE;
}

static gboolean
reciprocal_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* -grad * (result * result) */
  g_autoptr(GeTensor) r = NULL;
  g_autoptr(GeTensor) r2 = NULL;
  g_autoptr(GeTensor) ng = NULL;

  TRY (r = ge_node_unpack (node, 0, error));
  TRY (r2 = ge_tensor_mul (r, r, error));
  TRY (ng = ge_tensor_neg (g[0], error));
  TRY (gi[0] = ge_tensor_mul (ng, r2, error));
  if (locals != NULL)
    locals[0] = ge_tensor_neg (r2, NULL);
  return TRUE;
}

/* 1/x as its own op (PyTorch computes 2 / x as reciprocal(x) * 2). */
static GeTensor *
reciprocal (GeTensor  *x,
            GError   **error)
{
  g_autoptr(GeTensor) minus_one = scalar (-1.0);
  g_autoptr(GeTensor) xf = NULL;
  GeNode *node;
  GeTensor *out;

  if (!ge_dtype_is_floating (ge_tensor_get_dtype (x)))
    xf = RAW (ge_op_to_dtype (x, GE_DTYPE_FLOAT32, error));
  else
    xf = ge_tensor_ref (x);
  if (xf == NULL)
    return NULL;
  out = record_single (RAW (ge_op_pow (xf, minus_one, error)), "ReciprocalBackward0",
                       reciprocal_backward, 1, &x, &node);
  if (node != NULL)
    {
      ge_node_save_output (node, out, 0);
      ge_node_unref (node);
    }
  return out;
}

GeTensor *
ge_tensor_div (GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[2] = { a, b };
  GeNode *node;
  GeTensor *out;

  if (a->is_wrapped_number && !b->is_wrapped_number && ge_autograd_should_record (1, &b))
    {
      g_autoptr(GeTensor) r = reciprocal (b, error);
      return r != NULL ? ge_tensor_mul (r, a, error) : NULL;
    }

  out = record_single (RAW (ge_op_div (a, b, error)), "DivBackward0", div_backward, 2, inputs, &node);
  if (node != NULL)
    {
      node->ints[0] = node->ints[1] = -1;
      if (ge_node_needs_grad (node, 1))
        save_into (node, 0, a);
      save_into (node, 1, b);
      ge_node_unref (node);
    }
  return out;
}

/* ---- pow ---- */

static gboolean
pow_scalar_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* grad * (exponent * self.pow(exponent - 1)), zero for exponent 0 */
  double e = node->scalars[0];
  g_autoptr(GeTensor) self = NULL;
  g_autoptr(GeTensor) local = NULL;

  TRY (self = ge_node_unpack (node, 0, error));
  if (e == 0.0)
    TRY (local = RAW (ge_tensor_zeros_like (self, error)));
  else
    {
      g_autoptr(GeTensor) em1 = scalar (e - 1.0);
      g_autoptr(GeTensor) ew = scalar (e);
      g_autoptr(GeTensor) p = NULL;
      /* self.pow(1) is a copy of self: skip it unless the graph of this
       * backward is itself recorded (create_graph shows the PowBackward0) */
      if (e == 2.0 && !ge_grad_mode_is_enabled ())
        p = ge_tensor_ref (self);
      else
        TRY (p = ge_tensor_pow (self, em1, error));
      TRY (local = ge_tensor_mul (ew, p, error));
    }
  TRY (gi[0] = ge_tensor_mul (g[0], local, error));
  if (locals != NULL)
    locals[0] = ge_tensor_ref (local);
  return TRUE;
}

static gboolean
pow_tensor_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) self = NULL;
  g_autoptr(GeTensor) exponent = NULL;
  g_autoptr(GeTensor) zero = scalar (0.0);

  TRY (self = ge_node_unpack (node, 0, error));
  TRY (exponent = ge_node_unpack (node, 1, error));
  if (ge_node_needs_grad (node, 0))
    {
      /* where(exponent == 0, 0, grad * (exponent * self.pow(exponent - 1))) */
      g_autoptr(GeTensor) one = scalar (1.0);
      g_autoptr(GeTensor) em1 = NULL, p = NULL, local = NULL, prod = NULL, cond = NULL;
      TRY (em1 = ge_tensor_sub (exponent, one, error));
      TRY (p = ge_tensor_pow (self, em1, error));
      TRY (local = ge_tensor_mul (exponent, p, error));
      TRY (prod = ge_tensor_mul (g[0], local, error));
      TRY (cond = ge_tensor_eq (exponent, zero, error));
      TRY (gi[0] = ge_tensor_where (cond, zero, prod, error));
      if (locals != NULL)
        locals[0] = ge_tensor_where (cond, zero, local, NULL);
    }
  if (ge_node_needs_grad (node, 1))
    {
      /* grad * where(self == 0 & exponent >= 0, 0, result * log(self)) */
      g_autoptr(GeTensor) result = NULL, lg = NULL, local = NULL, c1 = NULL, c2 = NULL, cond = NULL, w = NULL;
      TRY (result = ge_node_unpack (node, 2, error));
      TRY (lg = ge_tensor_log (self, error));
      TRY (local = ge_tensor_mul (result, lg, error));
      TRY (c1 = ge_tensor_eq (self, zero, error));
      TRY (c2 = ge_tensor_ge (exponent, zero, error));
      TRY (cond = RAW (ge_op_mul (c1, c2, error)));
      TRY (w = ge_tensor_where (cond, zero, local, error));
      TRY (gi[1] = ge_tensor_mul (g[0], w, error));
      if (locals != NULL)
        locals[1] = ge_tensor_ref (w);
    }
  return TRUE;
}

GeTensor *
ge_tensor_pow (GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[2] = { a, b };
  GeNode *node;
  GeTensor *out;

  if (b->is_wrapped_number && !a->is_wrapped_number)
    {
      out = record_single (RAW (ge_op_pow (a, b, error)), "PowBackward0", pow_scalar_backward, 1, &a, &node);
      if (node != NULL)
        {
          node->scalars[0] = ge_tensor_get_flat (b, 0);
          ge_node_save (node, a);
          ge_node_unref (node);
        }
      return out;
    }
  out = record_single (RAW (ge_op_pow (a, b, error)), "PowBackward1", pow_tensor_backward, 2, inputs, &node);
  if (node != NULL)
    {
      ge_node_save (node, a);
      ge_node_save (node, b);
      ge_node_save_output (node, out, 0);
      ge_node_unref (node);
    }
  return out;
}

/* ---- comparisons and where ---- */

GeTensor *ge_tensor_eq (GeTensor *a, GeTensor *b, GError **error) { return RAW (ge_op_eq (a, b, error)); }
GeTensor *ge_tensor_ne (GeTensor *a, GeTensor *b, GError **error) { return RAW (ge_op_ne (a, b, error)); }
GeTensor *ge_tensor_lt (GeTensor *a, GeTensor *b, GError **error) { return RAW (ge_op_lt (a, b, error)); }
GeTensor *ge_tensor_le (GeTensor *a, GeTensor *b, GError **error) { return RAW (ge_op_le (a, b, error)); }
GeTensor *ge_tensor_gt (GeTensor *a, GeTensor *b, GError **error) { return RAW (ge_op_gt (a, b, error)); }
GeTensor *ge_tensor_ge (GeTensor *a, GeTensor *b, GError **error) { return RAW (ge_op_ge (a, b, error)); }

static gboolean
where_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) cond = NULL;
  g_autoptr(GeTensor) zero = scalar (0.0);

  TRY (cond = ge_node_unpack (node, 0, error));
  if (ge_node_needs_grad (node, 1))
    TRY (gi[1] = ge_tensor_where (cond, g[0], zero, error));
  if (ge_node_needs_grad (node, 2))
    TRY (gi[2] = ge_tensor_where (cond, zero, g[0], error));
  return TRUE;
}

GeTensor *
ge_tensor_where (GeTensor *condition, GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[3] = { condition, a, b };
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_where (condition, a, b, error)), "WhereBackward0",
                                 where_backward, 3, inputs, &node);

  if (node != NULL)
    {
      ge_node_save (node, condition);
      ge_node_unref (node);
    }
  return out;
}

/* ---- unary ---- */

typedef enum { SAVE_INPUT, SAVE_OUTPUT, SAVE_NOTHING } SaveKind;

static GeTensor *
unary (GeTensor       *self,
       GeTensor       *out,
       const char     *name,
       GeNodeBackward  backward,
       SaveKind        save)
{
  GeNode *node;

  record_single (out, name, backward, 1, &self, &node);
  if (node == NULL)
    return out;
  if (save == SAVE_INPUT)
    ge_node_save (node, self);
  else if (save == SAVE_OUTPUT)
    ge_node_save_output (node, out, 0);
  ge_node_unref (node);
  return out;
}

/* gi[0] = grad * local, where local is computed from the saved tensor */
static gboolean
finish_elementwise (GeTensor **g, GeTensor **gi, GeTensor **locals, GeTensor *local, GError **error)
{
  TRY (gi[0] = ge_tensor_mul (g[0], local, error));
  if (locals != NULL)
    locals[0] = ge_tensor_ref (local);
  return TRUE;
}

static gboolean
neg_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  TRY (gi[0] = ge_tensor_neg (g[0], error));
  if (locals != NULL)
    locals[0] = RAW (ge_tensor_full_like (g[0], -1.0, NULL));
  return TRUE;
}

static gboolean
exp_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) result = NULL;
  TRY (result = ge_node_unpack (node, 0, error));
  return finish_elementwise (g, gi, locals, result, error);
}

static gboolean
log_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) self = NULL;
  TRY (self = ge_node_unpack (node, 0, error));
  TRY (gi[0] = ge_tensor_div (g[0], self, error));
  if (locals != NULL)
    {
      g_autoptr(GeTensor) one = scalar (1.0);
      locals[0] = ge_tensor_div (one, self, NULL);
    }
  return TRUE;
}

static gboolean
sin_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) self = NULL, local = NULL;
  TRY (self = ge_node_unpack (node, 0, error));
  TRY (local = ge_tensor_cos (self, error));
  return finish_elementwise (g, gi, locals, local, error);
}

static gboolean
cos_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) self = NULL, s = NULL, local = NULL;
  TRY (self = ge_node_unpack (node, 0, error));
  TRY (s = ge_tensor_sin (self, error));
  TRY (local = ge_tensor_neg (s, error));
  return finish_elementwise (g, gi, locals, local, error);
}

static gboolean
sqrt_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* grad / (2 * result) */
  g_autoptr(GeTensor) result = NULL, two = scalar (2.0), denom = NULL;
  TRY (result = ge_node_unpack (node, 0, error));
  TRY (denom = ge_tensor_mul (two, result, error));
  TRY (gi[0] = ge_tensor_div (g[0], denom, error));
  if (locals != NULL)
    {
      g_autoptr(GeTensor) one = scalar (1.0);
      locals[0] = ge_tensor_div (one, denom, NULL);
    }
  return TRUE;
}

static gboolean
abs_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* grad * sgn(self) */
  g_autoptr(GeTensor) self = NULL, zero = scalar (0.0), one = scalar (1.0), minus = scalar (-1.0);
  g_autoptr(GeTensor) pos = NULL, negm = NULL, inner = NULL, sgn = NULL, sgn_typed = NULL;
  TRY (self = ge_node_unpack (node, 0, error));
  TRY (pos = ge_tensor_gt (self, zero, error));
  TRY (negm = ge_tensor_lt (self, zero, error));
  TRY (inner = ge_tensor_where (negm, minus, zero, error));
  TRY (sgn = ge_tensor_where (pos, one, inner, error));
  TRY (sgn_typed = RAW (ge_op_to_dtype (sgn, ge_tensor_get_dtype (self), error)));
  return finish_elementwise (g, gi, locals, sgn_typed, error);
}

static gboolean
tanh_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* grad * (1 - y * y) */
  g_autoptr(GeTensor) y = NULL, y2 = NULL, one = scalar (1.0), local = NULL;
  TRY (y = ge_node_unpack (node, 0, error));
  TRY (y2 = ge_tensor_mul (y, y, error));
  TRY (local = ge_tensor_sub (one, y2, error));
  return finish_elementwise (g, gi, locals, local, error);
}

static gboolean
sigmoid_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* grad * (1 - y) * y, in that order as ATen's kernel */
  g_autoptr(GeTensor) y = NULL, one = scalar (1.0), omy = NULL, t = NULL;
  TRY (y = ge_node_unpack (node, 0, error));
  TRY (omy = ge_tensor_sub (one, y, error));
  TRY (t = ge_tensor_mul (g[0], omy, error));
  TRY (gi[0] = ge_tensor_mul (t, y, error));
  if (locals != NULL)
    locals[0] = ge_tensor_mul (omy, y, NULL);
  return TRUE;
}

static gboolean
relu_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* threshold_backward(grad, result, 0) */
  g_autoptr(GeTensor) y = NULL, zero = scalar (0.0), mask = NULL;
  TRY (y = ge_node_unpack (node, 0, error));
  TRY (mask = ge_tensor_le (y, zero, error));
  TRY (gi[0] = ge_tensor_where (mask, zero, g[0], error));
  if (locals != NULL)
    {
      g_autoptr(GeTensor) one = scalar (1.0);
      locals[0] = ge_tensor_where (mask, zero, one, NULL);
    }
  return TRUE;
}

static gboolean
clamp_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* where(self >= min & self <= max, grad, 0) */
  g_autoptr(GeTensor) self = NULL, zero = scalar (0.0), mask = NULL;
  TRY (self = ge_node_unpack (node, 0, error));
  TRY (mask = RAW (ge_op_eq (self, self, error)));   /* NaN -> False */
  if (node->ints[0])
    {
      g_autoptr(GeTensor) lo = scalar (node->scalars[0]), m = NULL, both = NULL;
      TRY (m = ge_tensor_ge (self, lo, error));
      TRY (both = RAW (ge_op_mul (mask, m, error)));
      g_clear_pointer (&mask, ge_tensor_unref);
      mask = g_steal_pointer (&both);
    }
  if (node->ints[1])
    {
      g_autoptr(GeTensor) hi = scalar (node->scalars[1]), m = NULL, both = NULL;
      TRY (m = ge_tensor_le (self, hi, error));
      TRY (both = RAW (ge_op_mul (mask, m, error)));
      g_clear_pointer (&mask, ge_tensor_unref);
      mask = g_steal_pointer (&both);
    }
  TRY (gi[0] = ge_tensor_where (mask, g[0], zero, error));
  if (locals != NULL)
    {
      g_autoptr(GeTensor) one = scalar (1.0);
      locals[0] = ge_tensor_where (mask, one, zero, NULL);
    }
  return TRUE;
}

GeTensor *ge_tensor_neg (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_neg (self, error)), "NegBackward0", neg_backward, SAVE_NOTHING); }
GeTensor *ge_tensor_exp (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_exp (self, error)), "ExpBackward0", exp_backward, SAVE_OUTPUT); }
GeTensor *ge_tensor_log (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_log (self, error)), "LogBackward0", log_backward, SAVE_INPUT); }
GeTensor *ge_tensor_sin (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_sin (self, error)), "SinBackward0", sin_backward, SAVE_INPUT); }
GeTensor *ge_tensor_cos (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_cos (self, error)), "CosBackward0", cos_backward, SAVE_INPUT); }
GeTensor *ge_tensor_sqrt (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_sqrt (self, error)), "SqrtBackward0", sqrt_backward, SAVE_OUTPUT); }
GeTensor *ge_tensor_abs (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_abs (self, error)), "AbsBackward0", abs_backward, SAVE_INPUT); }
GeTensor *ge_tensor_tanh (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_tanh (self, error)), "TanhBackward0", tanh_backward, SAVE_OUTPUT); }
GeTensor *ge_tensor_sigmoid (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_sigmoid (self, error)), "SigmoidBackward0", sigmoid_backward, SAVE_OUTPUT); }
GeTensor *ge_tensor_relu (GeTensor *self, GError **error) { return unary (self, RAW (ge_op_relu (self, error)), "ReluBackward0", relu_backward, SAVE_OUTPUT); }

GeTensor *
ge_tensor_clamp (GeTensor *self, GeTensor *min, GeTensor *max, GError **error)
{
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_clamp (self, min, max, error)), "ClampBackward1",
                                 clamp_backward, 1, &self, &node);

  if (node != NULL)
    {
      node->ints[0] = min != NULL;
      node->ints[1] = max != NULL;
      node->scalars[0] = min ? ge_tensor_get_flat (min, 0) : 0;
      node->scalars[1] = max ? ge_tensor_get_flat (max, 0) : 0;
      ge_node_save (node, self);
      ge_node_unref (node);
    }
  return out;
}

/* ---- in place ---- */

/* Runs an in-place op and, when autograd must see it, rebases @self's
 * history onto the op's node (PyTorch's rebase_history). */
typedef gboolean (*InplaceRaw) (GeTensor *self, GeTensor *other, GError **error);

static gboolean
inplace_binary (GeTensor       *self,
                GeTensor       *other,
                InplaceRaw      raw,
                const char     *name,
                GeNodeBackward  backward,
                double          alpha,
                gboolean        save_old_self,
                gboolean        save_other,
                GError        **error)
{
  GeTensor *inputs[2] = { self, other };
  g_autoptr(GeTensor) old_self = NULL;
  GeNode *node = NULL;
  gboolean ok;

  if (!ge_autograd_check_inplace (self, other, error))
    return FALSE;
  if (ge_autograd_should_record (2, inputs))
    {
      node = ge_node_new (name, backward, 2, inputs, 1);
      node->scalars[0] = alpha;
      node->ints[0] = node->ints[1] = -1;
      if (save_old_self && ge_node_needs_grad (node, 1))
        {
          /* a recorded clone: d(self_old * other)/d other keeps self's history */
          old_self = ge_tensor_clone (self, error);
          if (old_self == NULL)
            {
              ge_node_unref (node);
              return FALSE;
            }
          save_into (node, 0, old_self);
        }
      if (save_other)
        save_into (node, 1, other);
    }
  ok = RAW (raw (self, other, error));
  if (node != NULL)
    {
      if (ok)
        ge_autograd_rebase_history (self, node);
      ge_node_unref (node);
    }
  return ok;
}

gboolean ge_tensor_add_ (GeTensor *self, GeTensor *other, GError **error) { return inplace_binary (self, other, ge_op_add_, "AddBackward0", add_backward, 1.0, FALSE, FALSE, error); }
gboolean ge_tensor_sub_ (GeTensor *self, GeTensor *other, GError **error) { return inplace_binary (self, other, ge_op_sub_, "SubBackward0", add_backward, -1.0, FALSE, FALSE, error); }
gboolean ge_tensor_mul_ (GeTensor *self, GeTensor *other, GError **error) { return inplace_binary (self, other, ge_op_mul_, "MulBackward0", mul_backward, 1.0, TRUE, TRUE, error); }
gboolean ge_tensor_div_ (GeTensor *self, GeTensor *other, GError **error) { return inplace_binary (self, other, ge_op_div_, "DivBackward0", div_backward, 1.0, TRUE, TRUE, error); }

static gboolean
zero_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  TRY (gi[0] = RAW (ge_tensor_zeros_like (g[0], error)));
  return TRUE;
}

static gboolean
copy_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* self gets nothing (overwritten); src gets the gradient */
  if (ge_node_needs_grad (node, 0))
    TRY (gi[0] = RAW (ge_tensor_zeros_like (g[0], error)));
  if (ge_node_needs_grad (node, 1))
    gi[1] = ge_tensor_ref (g[0]);
  return TRUE;
}

/* fill_, zero_, clamp_: one-input in-place ops */
static gboolean
inplace_unary_rebase (GeTensor       *self,
                      gboolean        ok,
                      const char     *name,
                      GeNodeBackward  backward,
                      GeTensor       *saved_self,
                      double          lo,
                      double          hi,
                      gboolean        has_lo,
                      gboolean        has_hi)
{
  GeNode *node;

  if (!ok || !ge_autograd_should_record (1, &self))
    return ok;
  node = ge_node_new (name, backward, 1, &self, 1);
  node->ints[0] = has_lo;
  node->ints[1] = has_hi;
  node->scalars[0] = lo;
  node->scalars[1] = hi;
  if (saved_self != NULL)
    ge_node_save (node, saved_self);
  ge_autograd_rebase_history (self, node);
  ge_node_unref (node);
  return ok;
}

gboolean
ge_tensor_zero_ (GeTensor *self, GError **error)
{
  if (!ge_autograd_check_inplace (self, NULL, error))
    return FALSE;
  return inplace_unary_rebase (self, RAW (ge_op_zero_ (self, error)), "ZeroBackward0",
                               zero_backward, NULL, 0, 0, FALSE, FALSE);
}

gboolean
ge_tensor_fill_ (GeTensor *self, double value, GError **error)
{
  if (!ge_autograd_check_inplace (self, NULL, error))
    return FALSE;
  return inplace_unary_rebase (self, RAW (ge_op_fill_ (self, value, error)), "FillBackward2",
                               zero_backward, NULL, 0, 0, FALSE, FALSE);
}

gboolean
ge_tensor_clamp_ (GeTensor *self, GeTensor *min, GeTensor *max, GError **error)
{
  g_autoptr(GeTensor) old_self = NULL;

  if (!ge_autograd_check_inplace (self, NULL, error))
    return FALSE;
  if (ge_autograd_should_record (1, &self))
    old_self = RAW (ge_op_clone (self, error));
  return inplace_unary_rebase (self, RAW (ge_op_clamp_ (self, min, max, error)), "ClampBackward1",
                               clamp_backward, old_self,
                               min ? ge_tensor_get_flat (min, 0) : 0, max ? ge_tensor_get_flat (max, 0) : 0,
                               min != NULL, max != NULL);
}

gboolean
ge_tensor_copy_ (GeTensor *self, GeTensor *src, GError **error)
{
  GeTensor *inputs[2] = { self, src };
  GeNode *node = NULL;
  gboolean ok;

  if (!ge_autograd_check_inplace (self, src, error))
    return FALSE;
  if (ge_autograd_should_record (2, inputs))
    node = ge_node_new ("CopyBackwards", copy_backward, 2, inputs, 1);
  ok = RAW (ge_op_copy_ (self, src, error));
  if (node != NULL)
    {
      if (ok)
        ge_autograd_rebase_history (self, node);
      ge_node_unref (node);
    }
  return ok;
}

/* ---- reductions ---- */

static gboolean
sum_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  g_autoptr(GeTensor) grad = ge_tensor_ref (g[0]);
  int n_dims = node->n_ints;

  /* SumBackward1 / MeanBackward1 without keepdim: put the reduced dims back */
  if (node->scalars[1] == 0.0 && n_dims > 0)
    {
      int dims[GE_MAX_DIMS];
      for (int i = 0; i < n_dims; i++)
        dims[i] = (int) node->ints[i];
      /* ascending order keeps positions right */
      for (int i = 0; i < n_dims; i++)
        for (int j = i + 1; j < n_dims; j++)
          if (dims[j] < dims[i])
            {
              int t = dims[i];
              dims[i] = dims[j];
              dims[j] = t;
            }
      for (int i = 0; i < n_dims; i++)
        {
          GeTensor *u = ge_tensor_unsqueeze (grad, dims[i], error);
          if (u == NULL)
            return FALSE;
          ge_tensor_unref (grad);
          grad = u;
        }
    }
  TRY (gi[0] = ge_tensor_expand (grad, in->ndim, in->sizes, error));
  /* mean: divide by the number of reduced elements */
  if (node->scalars[0] != 1.0)
    {
      g_autoptr(GeTensor) expanded = gi[0];
      g_autoptr(GeTensor) n = scalar (node->scalars[0]);
      TRY (gi[0] = ge_tensor_div (expanded, n, error));
    }
  return TRUE;
}

static GeTensor *
record_reduction (GeTensor   *self,
                  GeTensor   *out,
                  const char *name,
                  int         n_dims,
                  const int  *dims,
                  gboolean    keepdim,
                  gboolean    is_mean)
{
  GeNode *node;

  record_single (out, name, sum_backward, 1, &self, &node);
  if (node == NULL)
    return out;
  node->scalars[1] = keepdim || n_dims == 0 ? 1.0 : 0.0;
  node->n_ints = 0;
  if (n_dims > 0)
    {
      for (int i = 0; i < n_dims; i++)
        {
          int d = dims[i];
          ge_normalize_dim (&d, ge_tensor_get_ndim (self), NULL);
          node->ints[node->n_ints++] = d;
        }
    }
  node->scalars[0] = 1.0;
  if (is_mean)
    node->scalars[0] = (double) ge_tensor_numel (self) / (double) MAX (ge_tensor_numel (out), 1);
  ge_node_unref (node);
  return out;
}

GeTensor *
ge_tensor_sum (GeTensor *self, GError **error)
{
  return record_reduction (self, RAW (ge_op_sum (self, error)), "SumBackward0", 0, NULL, TRUE, FALSE);
}

GeTensor *
ge_tensor_sum_dims (GeTensor *self, int n_dims, const int *dims, gboolean keepdim, GError **error)
{
  return record_reduction (self, RAW (ge_op_sum_dims (self, n_dims, dims, keepdim, error)),
                           "SumBackward1", n_dims, dims, keepdim, FALSE);
}

GeTensor *
ge_tensor_mean (GeTensor *self, GError **error)
{
  return record_reduction (self, RAW (ge_op_mean (self, error)), "MeanBackward0", 0, NULL, TRUE, TRUE);
}

GeTensor *
ge_tensor_mean_dims (GeTensor *self, int n_dims, const int *dims, gboolean keepdim, GError **error)
{
  return record_reduction (self, RAW (ge_op_mean_dims (self, n_dims, dims, keepdim, error)),
                           "MeanBackward1", n_dims, dims, keepdim, TRUE);
}

/*
 * Value-selecting reductions (max/min over a dim, sort) send their gradient
 * back to the positions @indices point at along a dim: a scatter into zeros.
 * The scatter is itself differentiable (its backward gathers at the same
 * indices, whose backward scatters again), so second derivatives flow.
 * node->ints: [0] dim, [1] keepdim; saved[0]: the indices.
 */
static GeTensor *scatter_values (int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                                 GeTensor *indices, GeTensor *grad, GError **error);
static GeTensor *gather_values (GeTensor *source, int dim, gboolean keepdim,
                                GeTensor *indices, GError **error);

/* element offset of (outer o, position p along dim, inner r) in a
 * contiguous tensor of @sizes */
static gint64
along_dim_offset (const gint64 *sizes, int ndim, int dim, gint64 o, gint64 p, gint64 r)
{
  gint64 inner = 1;

  for (int d = dim + 1; d < ndim; d++)
    inner *= sizes[d];
  return (o * sizes[dim] + p) * inner + r;
}

static gboolean
scatter_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  g_autoptr(GeTensor) indices = NULL;

  TRY (indices = ge_node_unpack (node, 0, error));
  TRY (gi[0] = gather_values (g[0], (int) node->ints[0], node->ints[1], indices, error));
  return TRUE;
}

static gboolean
gather_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  g_autoptr(GeTensor) indices = NULL;

  TRY (indices = ge_node_unpack (node, 0, error));
  TRY (gi[0] = scatter_values (in->ndim, in->sizes, (int) node->ints[0], node->ints[1], indices, g[0], error));
  return TRUE;
}

/* @t with a size-1 dim put back at @dim when the reduction dropped it */
static GeTensor *
keep_dim (GeTensor *t, int ndim, int dim, gboolean keepdim, GError **error)
{
  if (keepdim || ndim == 0 || ge_tensor_get_ndim (t) == ndim)
    return ge_tensor_ref (t);
  return RAW (ge_op_unsqueeze (t, dim, error));
}

/* The scatter and gather loops read memory directly: tensors on a GPU make
 * a round trip through the host (no CUDA kernel for them yet). */
static GeTensor *
on_host_then_back (GeTensor *(*compute) (int, const gint64 *, int, gboolean, GeTensor *, GeTensor *,
                                         GError **),
                   int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                   GeTensor *indices, GeTensor *data, GError **error)
{
  g_autoptr(GeTensor) host_indices = RAW (ge_tensor_cpu (indices, error));
  g_autoptr(GeTensor) host_data = host_indices ? RAW (ge_tensor_cpu (data, error)) : NULL;
  g_autoptr(GeTensor) host_out = host_data ? RAW (compute (ndim, sizes, dim, keepdim, host_indices,
                                                           host_data, error)) : NULL;

  return host_out ? RAW (ge_tensor_to_device (host_out, ge_tensor_get_device (data), error)) : NULL;
}

static GeTensor *
scatter_compute (int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                 GeTensor *indices, GeTensor *grad, GError **error);

static GeTensor *
gather_compute (int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                GeTensor *indices, GeTensor *source, GError **error);

typedef GeTensor *(*IndexedCompute) (int, const gint64 *, int, gboolean, GeTensor *, GeTensor *, GError **);

/* @compute on @data (through the host for a GPU tensor), recorded as @name
 * with the dim, keepdim and indices its backward needs */
static GeTensor *
indexed_values (IndexedCompute compute, const char *name, GeNodeBackward backward,
                int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                GeTensor *indices, GeTensor *data, GError **error)
{
  GeTensor *out;
  GeNode *node;

  out = ge_tensor_get_device (data) == GE_DEVICE_CPU
        ? RAW (compute (ndim, sizes, dim, keepdim, indices, data, error))
        : on_host_then_back (compute, ndim, sizes, dim, keepdim, indices, data, error);
  if (out == NULL)
    return NULL;

  record_single (out, name, backward, 1, &data, &node);
  if (node != NULL)
    {
      node->ints[0] = dim;
      node->ints[1] = keepdim;
      ge_node_save (node, indices);
      ge_node_unref (node);
    }
  return out;
}

static GeTensor *
scatter_values (int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                GeTensor *indices, GeTensor *grad, GError **error)
{
  return indexed_values (scatter_compute, "ScatterBackward0", scatter_backward,
                         ndim, sizes, dim, keepdim, indices, grad, error);
}

static GeTensor *
gather_values (GeTensor *source, int dim, gboolean keepdim, GeTensor *indices, GError **error)
{
  return indexed_values (gather_compute, "GatherBackward0", gather_backward,
                         ge_tensor_get_ndim (source), ge_tensor_get_sizes (source), dim, keepdim,
                         indices, source, error);
}

/* zeros of @sizes with @grad added at @indices along @dim (CPU) */
static GeTensor *
scatter_compute (int ndim, const gint64 *sizes, int dim, gboolean keepdim,
                 GeTensor *indices, GeTensor *grad, GError **error)
{
  g_autoptr(GeTensor) g = NULL, idx = NULL;
  GeTensor *out;

  TRY (out = RAW (ge_tensor_zeros (ndim, sizes, ge_tensor_get_dtype (grad), error)));
  if (ndim == 0)
    {
      if (!RAW (ge_op_copy_ (out, grad, error)))
        g_clear_pointer (&out, ge_tensor_unref);
    }
  else if ((g = keep_dim (grad, ndim, dim, keepdim, error)) == NULL ||
           (idx = keep_dim (indices, ndim, dim, keepdim, error)) == NULL)
    g_clear_pointer (&out, ge_tensor_unref);
  else
    {
      const gint64 *gs = ge_tensor_get_sizes (g);
      gint64 n = ge_tensor_numel (g), inner = 1, along = gs[dim];
      g_autofree double *gv = ge_tensor_to_doubles (g, NULL);
      g_autofree double *iv = ge_tensor_to_doubles (idx, NULL);
      char *base = ge_tensor_data_ptr (out);
      GeDType dt = ge_tensor_get_dtype (out);
      gsize elem = ge_dtype_size (dt);

      for (int d = dim + 1; d < ndim; d++)
        inner *= sizes[d];
      for (gint64 i = 0; i < n; i++)
        {
          gint64 flat = along_dim_offset (sizes, ndim, dim, i / (along * inner), (gint64) iv[i], i % inner);
          ge_store_double (base + flat * elem, dt, ge_load_double (base + flat * elem, dt) + gv[i]);
        }
    }
  return out;
}

/* @source gathered at @indices along @dim (CPU) */
static GeTensor *
gather_compute (int ndim, const gint64 *sizes_unused, int dim, gboolean keepdim,
                GeTensor *indices, GeTensor *source, GError **error)
{
  g_autoptr(GeTensor) idx = NULL, gathered = NULL;
  GeTensor *out;

  if (ndim == 0)
    out = RAW (ge_op_clone (source, error));
  else
    {
      g_autoptr(GeTensor) src = RAW (ge_op_contiguous (source, error));
      const gint64 *sizes;
      gint64 n, inner = 1, along;
      g_autofree double *iv = NULL;
      char *sbase, *dbase;
      GeDType dt;
      gsize elem;

      TRY (src);
      TRY (idx = keep_dim (indices, ndim, dim, keepdim, error));
      TRY (gathered = RAW (ge_tensor_zeros (ndim, ge_tensor_get_sizes (idx), ge_tensor_get_dtype (src), error)));
      sizes = ge_tensor_get_sizes (src);
      n = ge_tensor_numel (idx);
      along = ge_tensor_get_size (idx, dim);
      for (int d = dim + 1; d < ndim; d++)
        inner *= sizes[d];
      iv = ge_tensor_to_doubles (idx, NULL);
      sbase = ge_tensor_data_ptr (src), dbase = ge_tensor_data_ptr (gathered);
      dt = ge_tensor_get_dtype (src), elem = ge_dtype_size (dt);
      for (gint64 i = 0; i < n; i++)
        {
          gint64 flat = along_dim_offset (sizes, ndim, dim, i / (along * inner), (gint64) iv[i], i % inner);
          ge_store_double (dbase + i * elem, dt, ge_load_double (sbase + flat * elem, dt));
        }
      out = keepdim || ge_tensor_get_ndim (indices) == ndim
            ? ge_tensor_ref (gathered) : RAW (ge_op_squeeze_dim (gathered, dim, error));
    }
  return out;
}

static gboolean
select_values_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  g_autoptr(GeTensor) indices = NULL;

  TRY (indices = ge_node_unpack (node, 0, error));
  TRY (gi[0] = scatter_values (in->ndim, in->sizes, (int) node->ints[0], node->ints[1], indices, g[0], error));
  return TRUE;
}

static gboolean
evenly_distribute_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* mask = input == value; grad / mask.sum() where mask, else 0 */
  g_autoptr(GeTensor) self = NULL, value = NULL, mask = NULL, count = NULL, share = NULL;
  g_autoptr(GeTensor) zero = scalar (0.0);

  TRY (self = ge_node_unpack (node, 0, error));
  TRY (value = ge_node_unpack (node, 1, error));
  if (isnan (ge_tensor_get_flat (value, 0)))
    TRY (mask = RAW (ge_op_ne (self, self, error)));
  else
    TRY (mask = ge_tensor_eq (self, value, error));
  TRY (count = RAW (ge_op_sum (mask, error)));
  TRY (share = ge_tensor_div (g[0], count, error));
  TRY (gi[0] = ge_tensor_where (mask, share, zero, error));
  return TRUE;
}

static GeTensor *
record_min_max_all (GeTensor *self, GeTensor *out, const char *name)
{
  GeNode *node;

  record_single (out, name, evenly_distribute_backward, 1, &self, &node);
  if (node != NULL)
    {
      ge_node_save (node, self);
      ge_node_save_output (node, out, 0);
      ge_node_unref (node);
    }
  return out;
}

GeTensor *ge_tensor_max (GeTensor *self, GError **error) { return record_min_max_all (self, RAW (ge_op_max (self, error)), "MaxBackward1"); }
GeTensor *ge_tensor_min (GeTensor *self, GError **error) { return record_min_max_all (self, RAW (ge_op_min (self, error)), "MinBackward1"); }

typedef GeTensor *(*MinMaxDimRaw) (GeTensor *, int, gboolean, GeTensor **, GError **);

static GeTensor *
min_max_dim (GeTensor     *self,
             int           dim,
             gboolean      keepdim,
             GeTensor    **indices,
             MinMaxDimRaw  raw,
             const char   *name,
             GError      **error)
{
  GeTensor *idx = NULL;
  GeTensor *out = RAW (raw (self, dim, keepdim, &idx, error));
  GeNode *node;

  record_single (out, name, select_values_backward, 1, &self, &node);
  if (node != NULL)
    {
      ge_normalize_dim (&dim, ge_tensor_get_ndim (self), NULL);
      node->ints[0] = dim;
      node->ints[1] = keepdim;
      ge_node_save (node, idx);
      ge_node_unref (node);
    }
  if (indices != NULL)
    *indices = idx;
  else
    g_clear_pointer (&idx, ge_tensor_unref);
  return out;
}

GeTensor *
ge_tensor_max_dim (GeTensor *self, int dim, gboolean keepdim, GeTensor **indices, GError **error)
{
  return min_max_dim (self, dim, keepdim, indices, ge_op_max_dim, "MaxBackward0", error);
}

GeTensor *
ge_tensor_min_dim (GeTensor *self, int dim, gboolean keepdim, GeTensor **indices, GError **error)
{
  return min_max_dim (self, dim, keepdim, indices, ge_op_min_dim, "MinBackward0", error);
}

GeTensor *ge_tensor_argmax (GeTensor *self, GError **error) { return RAW (ge_op_argmax (self, error)); }
GeTensor *ge_tensor_argmax_dim (GeTensor *self, int dim, gboolean keepdim, GError **error) { return RAW (ge_op_argmax_dim (self, dim, keepdim, error)); }

GeTensor *
ge_tensor_sort (GeTensor *self, int dim, gboolean descending, GeTensor **indices, GError **error)
{
  GeTensor *idx = NULL;
  GeTensor *out = RAW (ge_op_sort (self, dim, descending, &idx, error));
  GeNode *node;

  record_single (out, "SortBackward0", select_values_backward, 1, &self, &node);
  if (node != NULL)
    {
      ge_normalize_dim (&dim, ge_tensor_get_ndim (self), NULL);
      node->ints[0] = dim;
      node->ints[1] = TRUE;
      ge_node_save (node, idx);
      ge_node_unref (node);
    }
  if (indices != NULL)
    *indices = idx;
  else
    g_clear_pointer (&idx, ge_tensor_unref);
  return out;
}

/* ---- linear algebra ---- */

/* grad * other for each side, as MulBackward0 (dot is not elementwise: no
 * local factors) */
static gboolean
dot_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  return mul_backward (node, g, gi, NULL, error);
}

static gboolean
mv_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  if (ge_node_needs_grad (node, 0))
    {
      /* grad.ger(vec) */
      g_autoptr(GeTensor) vec = NULL, gcol = NULL, vrow = NULL;
      TRY (vec = saved (node, 1, error));
      TRY (gcol = ge_tensor_unsqueeze (g[0], 1, error));
      TRY (vrow = ge_tensor_unsqueeze (vec, 0, error));
      TRY (gi[0] = ge_tensor_mm (gcol, vrow, error));
    }
  if (ge_node_needs_grad (node, 1))
    {
      g_autoptr(GeTensor) mat = NULL, mt = NULL;
      TRY (mat = saved (node, 0, error));
      TRY (mt = ge_tensor_t (mat, error));
      TRY (gi[1] = ge_tensor_mv (mt, g[0], error));
    }
  return TRUE;
}

static gboolean
mm_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  gboolean batched = node->ints[2];

  if (ge_node_needs_grad (node, 0))
    {
      g_autoptr(GeTensor) b = NULL, bt = NULL;
      TRY (b = saved (node, 1, error));
      TRY (bt = batched ? ge_tensor_transpose (b, 1, 2, error) : ge_tensor_t (b, error));
      TRY (gi[0] = batched ? ge_tensor_bmm (g[0], bt, error) : ge_tensor_mm (g[0], bt, error));
    }
  if (ge_node_needs_grad (node, 1))
    {
      g_autoptr(GeTensor) a = NULL, at = NULL;
      TRY (a = saved (node, 0, error));
      TRY (at = batched ? ge_tensor_transpose (a, 1, 2, error) : ge_tensor_t (a, error));
      TRY (gi[1] = batched ? ge_tensor_bmm (at, g[0], error) : ge_tensor_mm (at, g[0], error));
    }
  return TRUE;
}

static GeTensor *
record_matrix_op (GeTensor       *a,
                  GeTensor       *b,
                  GeTensor       *out,
                  const char     *name,
                  GeNodeBackward  backward,
                  gboolean        batched)
{
  GeTensor *inputs[2] = { a, b };
  GeNode *node;

  record_single (out, name, backward, 2, inputs, &node);
  if (node != NULL)
    {
      node->ints[0] = node->ints[1] = -1;
      node->ints[2] = batched;
      if (ge_node_needs_grad (node, 1))
        save_into (node, 0, a);
      if (ge_node_needs_grad (node, 0))
        save_into (node, 1, b);
      ge_node_unref (node);
    }
  return out;
}

GeTensor *ge_tensor_dot (GeTensor *a, GeTensor *b, GError **error) { return record_matrix_op (a, b, RAW (ge_op_dot (a, b, error)), "DotBackward0", dot_backward, FALSE); }
GeTensor *ge_tensor_mv (GeTensor *a, GeTensor *b, GError **error) { return record_matrix_op (a, b, RAW (ge_op_mv (a, b, error)), "MvBackward0", mv_backward, FALSE); }
GeTensor *ge_tensor_mm (GeTensor *a, GeTensor *b, GError **error) { return record_matrix_op (a, b, RAW (ge_op_mm (a, b, error)), "MmBackward0", mm_backward, FALSE); }
GeTensor *ge_tensor_bmm (GeTensor *a, GeTensor *b, GError **error) { return record_matrix_op (a, b, RAW (ge_op_bmm (a, b, error)), "BmmBackward0", mm_backward, TRUE); }

static gboolean
view_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  TRY (gi[0] = ge_tensor_reshape (g[0], in->ndim, in->sizes, error));
  return TRUE;
}

/* at::_unsafe_view: a reshape recorded as UnsafeViewBackward0 */
static GeTensor *
unsafe_view (GeTensor      *self,
             int            ndim,
             const gint64  *shape,
             GError       **error)
{
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_reshape (self, ndim, shape, error)), "UnsafeViewBackward0",
                                 view_backward, 1, &self, &node);
  g_clear_pointer (&node, ge_node_unref);
  return out;
}

static GeTensor *record_view (GeTensor *self, GeTensor *out, const char *name,
                              GeNodeBackward backward, gint64 p0, gint64 p1);
static gboolean squeeze_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals,
                                  GError **error);

/* squeeze_(dim) on a fresh result, recorded as PyTorch's in-place squeeze */
static GeTensor *
squeeze_inplace_dim (GeTensor *self, int dim, GError **error)
{
  return record_view (self, RAW (ge_op_squeeze_dim (self, dim, error)), "SqueezeBackward3",
                      squeeze_backward, dim, 0);
}

/* torch.matmul while recording: composed of the ops at::matmul uses, so
 * that the graph shows PyTorch's nodes (dot, mv, mm, bmm, views). */
static GeTensor *
matmul_composed (GeTensor *a, GeTensor *b, GError **error)
{
  int da = ge_tensor_get_ndim (a), db = ge_tensor_get_ndim (b);

  if (da == 1 && db == 1)
    return ge_tensor_dot (a, b, error);
  if (da == 2 && db == 1)
    return ge_tensor_mv (a, b, error);
  if (da == 1 && db == 2)
    {
      /* a.unsqueeze(0).mm(b).squeeze_(0): the in-place squeeze is SqueezeBackward3 */
      g_autoptr(GeTensor) a2 = ge_tensor_unsqueeze (a, 0, error);
      g_autoptr(GeTensor) p = a2 ? ge_tensor_mm (a2, b, error) : NULL;
      return p ? squeeze_inplace_dim (p, 0, error) : NULL;
    }
  if (da == 2 && db == 2)
    return ge_tensor_mm (a, b, error);
  if (da >= 3 && db <= 2)
    {
      /* fold a's batch dims into its rows */
      gint64 rows[2] = { -1, ge_tensor_get_size (a, -1) };
      gint64 out_shape[GE_MAX_DIMS];
      int out_ndim = 0;
      g_autoptr(GeTensor) a2 = NULL, p = NULL;

      for (int d = 0; d < da - 1; d++)
        out_shape[out_ndim++] = ge_tensor_get_size (a, d);
      if (db == 2)
        out_shape[out_ndim++] = ge_tensor_get_size (b, 1);
      TRY (a2 = ge_tensor_reshape (a, 2, rows, error));
      TRY (p = db == 1 ? ge_tensor_mv (a2, b, error) : ge_tensor_mm (a2, b, error));
      return unsafe_view (p, out_ndim, out_shape, error);
    }

  /* batched: broadcast the batch dims, bmm, view back */
  {
    g_autoptr(GeTensor) a3 = NULL, b3 = NULL, ae = NULL, be = NULL, ar = NULL, br = NULL, p = NULL;
    gint64 batch[GE_MAX_DIMS], shape_a[GE_MAX_DIMS], shape_b[GE_MAX_DIMS], out_shape[GE_MAX_DIMS];
    int nbatch, out_ndim = 0;
    gint64 n, k, m, nb = 1, flat_a[3], flat_b[3];

    TRY (a3 = da == 1 ? ge_tensor_unsqueeze (a, 0, error) : ge_tensor_ref (a));
    TRY (b3 = db == 1 ? ge_tensor_unsqueeze (b, 1, error) : ge_tensor_ref (b));
    n = ge_tensor_get_size (a3, -2), k = ge_tensor_get_size (a3, -1), m = ge_tensor_get_size (b3, -1);
    if (!ge_broadcast_shapes (ge_tensor_get_ndim (a3) - 2, ge_tensor_get_sizes (a3),
                              ge_tensor_get_ndim (b3) - 2, ge_tensor_get_sizes (b3),
                              &nbatch, batch, error))
      return NULL;
    for (int d = 0; d < nbatch; d++)
      {
        shape_a[d] = shape_b[d] = batch[d];
        nb *= batch[d];
        out_shape[out_ndim++] = batch[d];
      }
    shape_a[nbatch] = n, shape_a[nbatch + 1] = k;
    shape_b[nbatch] = ge_tensor_get_size (b3, -2), shape_b[nbatch + 1] = m;
    if (da > 1)
      out_shape[out_ndim++] = n;
    if (db > 1)
      out_shape[out_ndim++] = m;
    flat_a[0] = nb, flat_a[1] = n, flat_a[2] = k;
    flat_b[0] = nb, flat_b[1] = shape_b[nbatch], flat_b[2] = m;
    TRY (ae = ge_tensor_expand (a3, nbatch + 2, shape_a, error));
    TRY (be = ge_tensor_expand (b3, nbatch + 2, shape_b, error));
    TRY (ar = ge_tensor_reshape (ae, 3, flat_a, error));
    TRY (br = ge_tensor_reshape (be, 3, flat_b, error));
    TRY (p = ge_tensor_bmm (ar, br, error));
    return unsafe_view (p, out_ndim, out_shape, error);
  }
}

GeTensor *
ge_tensor_matmul (GeTensor *a, GeTensor *b, GError **error)
{
  GeTensor *inputs[2] = { a, b };
  GeTensor *out;

  if (!ge_autograd_should_record (2, inputs) ||
      ge_tensor_get_ndim (a) == 0 || ge_tensor_get_ndim (b) == 0)
    return RAW (ge_op_matmul (a, b, error));
  out = matmul_composed (a, b, NULL);
  if (out == NULL)
    return RAW (ge_op_matmul (a, b, error));   /* PyTorch's message for the failure */
  return out;
}

static gboolean
inv_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  /* -inv^T @ (grad @ inv^T) */
  g_autoptr(GeTensor) inv = NULL, invt = NULL, p = NULL, q = NULL;
  int nd;

  TRY (inv = ge_node_unpack (node, 0, error));
  nd = ge_tensor_get_ndim (inv);
  TRY (invt = ge_tensor_transpose (inv, nd - 2, nd - 1, error));
  TRY (p = ge_tensor_matmul (g[0], invt, error));
  TRY (q = ge_tensor_matmul (invt, p, error));
  TRY (gi[0] = ge_tensor_neg (q, error));
  return TRUE;
}

GeTensor *
ge_tensor_linalg_inv (GeTensor *self, GError **error)
{
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_linalg_inv (self, error)), "LinalgInvExBackward0",
                                 inv_backward, 1, &self, &node);

  if (node != NULL)
    {
      ge_node_save_output (node, out, 0);
      ge_node_unref (node);
    }
  return out;
}

/* ---- views ---- */

static GeTensor *
record_view (GeTensor       *self,
             GeTensor       *out,
             const char     *name,
             GeNodeBackward  backward,
             gint64          p0,
             gint64          p1)
{
  GeNode *node;

  record_single (out, name, backward, 1, &self, &node);
  if (node != NULL)
    {
      node->ints[0] = p0;
      node->ints[1] = p1;
      ge_node_unref (node);
    }
  if (out != NULL && ge_tensor_shares_storage (out, self) && out != self)
    ge_autograd_set_view_base (out, self);
  return out;
}

GeTensor *
ge_tensor_view (GeTensor *self, int ndim, const gint64 *shape, GError **error)
{
  return record_view (self, RAW (ge_op_view (self, ndim, shape, error)), "ViewBackward0", view_backward, 0, 0);
}

GeTensor *
ge_tensor_reshape (GeTensor *self, int ndim, const gint64 *shape, GError **error)
{
  g_autoptr(GeTensor) probe = NULL;

  /* a view when possible (ReshapeAliasBackward0), else clone + _unsafe_view */
  if (!ge_autograd_should_record (1, &self))
    return RAW (ge_op_reshape (self, ndim, shape, error));
  probe = RAW (ge_op_view (self, ndim, shape, NULL));
  if (probe != NULL)
    return record_view (self, RAW (ge_op_reshape (self, ndim, shape, error)), "ReshapeAliasBackward0",
                        view_backward, 0, 0);
  {
    g_autoptr(GeTensor) copy = ge_tensor_clone (self, error);
    return copy ? unsafe_view (copy, ndim, shape, error) : NULL;
  }
}

static gboolean
squeeze_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  TRY (gi[0] = ge_tensor_reshape (g[0], in->ndim, in->sizes, error));
  return TRUE;
}

GeTensor *
ge_tensor_squeeze (GeTensor *self)
{
  return record_view (self, RAW (ge_op_squeeze (self)), "SqueezeBackward0", squeeze_backward, 0, 0);
}

GeTensor *
ge_tensor_squeeze_dim (GeTensor *self, int dim, GError **error)
{
  return record_view (self, RAW (ge_op_squeeze_dim (self, dim, error)), "SqueezeBackward1", squeeze_backward, dim, 0);
}

static gboolean
unsqueeze_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  TRY (gi[0] = ge_tensor_squeeze_dim (g[0], (int) node->ints[0], error));
  return TRUE;
}

GeTensor *
ge_tensor_unsqueeze (GeTensor *self, int dim, GError **error)
{
  GeTensor *out = RAW (ge_op_unsqueeze (self, dim, error));

  if (out != NULL && dim < 0)
    dim += ge_tensor_get_ndim (self) + 1;
  return record_view (self, out, "UnsqueezeBackward0", unsqueeze_backward, dim, 0);
}

static gboolean
transpose_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  TRY (gi[0] = ge_tensor_transpose (g[0], (int) node->ints[0], (int) node->ints[1], error));
  return TRUE;
}

static gboolean
t_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  TRY (gi[0] = ge_tensor_t (g[0], error));
  return TRUE;
}

GeTensor *
ge_tensor_transpose (GeTensor *self, int dim0, int dim1, GError **error)
{
  return record_view (self, RAW (ge_op_transpose (self, dim0, dim1, error)), "TransposeBackward0",
                      transpose_backward, dim0, dim1);
}

GeTensor *
ge_tensor_t (GeTensor *self, GError **error)
{
  return record_view (self, RAW (ge_op_t (self, error)), "TBackward0", t_backward, 0, 0);
}

static gboolean
permute_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  int inverse[GE_MAX_DIMS];
  int n = node->n_ints;

  for (int i = 0; i < n; i++)
    inverse[node->ints[i]] = i;
  TRY (gi[0] = ge_tensor_permute (g[0], n, inverse, error));
  return TRUE;
}

GeTensor *
ge_tensor_permute (GeTensor *self, int ndim, const int *dims, GError **error)
{
  GeTensor *out = RAW (ge_op_permute (self, ndim, dims, error));
  GeNode *node;

  record_single (out, "PermuteBackward0", permute_backward, 1, &self, &node);
  if (node != NULL)
    {
      node->n_ints = ndim;
      for (int i = 0; i < ndim; i++)
        {
          int d = dims[i];
          ge_normalize_dim (&d, ndim, NULL);
          node->ints[i] = d;
        }
      ge_node_unref (node);
    }
  if (out != NULL)
    ge_autograd_set_view_base (out, self);
  return out;
}

static gboolean
expand_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  TRY (gi[0] = ge_autograd_sum_to (g[0], in->ndim, in->sizes, error));
  return TRUE;
}

GeTensor *
ge_tensor_expand (GeTensor *self, int ndim, const gint64 *sizes, GError **error)
{
  return record_view (self, RAW (ge_op_expand (self, ndim, sizes, error)), "ExpandBackward0", expand_backward, 0, 0);
}

/* select/slice backward: zeros of the input's shape with the gradient
 * copied into the selected part -- itself a differentiable op whose
 * backward selects/slices again (node->ints: dim, index or start, stop,
 * step; scalars[0]: 0 select, 1 slice). */
static gboolean select_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error);

static gboolean
select_backward_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  int dim = (int) node->ints[0];

  if (node->scalars[0] == 0.0)
    TRY (gi[0] = ge_tensor_select (g[0], dim, node->ints[1], error));
  else
    TRY (gi[0] = ge_tensor_slice (g[0], dim, node->ints[1], node->ints[2], node->ints[3], error));
  return TRUE;
}

static gboolean
select_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  const GeTensorMeta *in = &node->input_meta[0];
  g_autoptr(GeTensor) part = NULL;
  GeTensor *out;
  GeNode *back;

  TRY (out = RAW (ge_tensor_zeros_on (ge_tensor_get_device (g[0]), in->ndim, in->sizes,
                                      ge_tensor_get_dtype (g[0]), error)));
  if (node->scalars[0] == 0.0)
    part = RAW (ge_op_select (out, (int) node->ints[0], node->ints[1], error));
  else
    part = RAW (ge_op_slice (out, (int) node->ints[0], node->ints[1], node->ints[2], node->ints[3], error));
  if (part == NULL || !RAW (ge_op_copy_ (part, g[0], error)))
    {
      ge_tensor_unref (out);
      return FALSE;
    }
  gi[0] = out;
  record_single (out, node->scalars[0] == 0.0 ? "SelectBackwardBackward0" : "SliceBackwardBackward0",
                 select_backward_backward, 1, &g[0], &back);
  if (back != NULL)
    {
      memcpy (back->ints, node->ints, sizeof (gint64) * 4);
      back->scalars[0] = node->scalars[0];
      ge_node_unref (back);
    }
  return TRUE;
}

GeTensor *
ge_tensor_select (GeTensor *self, int dim, gint64 index, GError **error)
{
  GeTensor *out = RAW (ge_op_select (self, dim, index, error));
  GeNode *node;

  record_single (out, "SelectBackward0", select_backward, 1, &self, &node);
  if (node != NULL)
    {
      ge_normalize_dim (&dim, ge_tensor_get_ndim (self), NULL);
      node->ints[0] = dim;
      node->ints[1] = index < 0 ? index + ge_tensor_get_size (self, dim) : index;
      node->scalars[0] = 0.0;
      ge_node_unref (node);
    }
  if (out != NULL)
    ge_autograd_set_view_base (out, self);
  return out;
}

/* unbind_backward: the outputs' gradients stacked along dim, zeros for
 * outputs that got none */
static gboolean
unbind_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  int dim = (int) node->ints[0];
  int n = node->n_outputs;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  const GeTensorMeta *meta = &node->output_meta[0];

  for (int i = 0; i < n; i++)
    {
      GeTensor *part = g[i] != NULL ? ge_tensor_ref (g[i])
                     : RAW (ge_tensor_zeros_on (meta->device, meta->ndim, meta->sizes, meta->dtype, error));
      if (part == NULL)
        return FALSE;
      g_ptr_array_add (parts, part);
    }
  TRY (gi[0] = ge_tensor_stack (n, (GeTensor **) parts->pdata, dim, error));
  return TRUE;
}

GeTensor **
ge_tensor_unbind (GeTensor *self, int dim, int *n_out, GError **error)
{
  GeTensor **views;
  gint64 n;

  g_return_val_if_fail (self != NULL && n_out != NULL, NULL);

  if (self->ndim == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_INDEX,
                           "Dimension specified as 0 but tensor has no dimensions");
      return NULL;
    }
  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;
  n = self->sizes[dim];
  views = g_new0 (GeTensor *, MAX (n, 1));
  for (gint64 i = 0; i < n; i++)
    if ((views[i] = RAW (ge_op_select (self, dim, i, error))) == NULL)
      {
        ge_tensor_unbind_free (views, (int) i);
        return NULL;
      }
  if (n > 0 && ge_autograd_should_record (1, &self))
    {
      GeNode *node = ge_node_new ("UnbindBackward0", unbind_backward, 1, &self, (int) n);

      node->ints[0] = dim;
      for (gint64 i = 0; i < n; i++)
        ge_node_set_output (node, (int) i, views[i]);
      ge_node_unref (node);
    }
  /* made in grad mode: PyTorch's MULTI_OUTPUT_NODE views (else no_grad ones) */
  for (gint64 i = 0; i < n; i++)
    {
      ge_autograd_set_view_base (views[i], self);
      if (ge_grad_mode_is_enabled ())
        ge_autograd_meta_get (views[i])->view_of_multi_output = TRUE;
    }
  *n_out = (int) n;
  return views;
}

void
ge_tensor_unbind_free (GeTensor **views,
                       int        n)
{
  if (views == NULL)
    return;
  for (int i = 0; i < n; i++)
    g_clear_pointer (&views[i], ge_tensor_unref);
  g_free (views);
}

GeTensor *
ge_tensor_slice (GeTensor *self, int dim, gint64 start, gint64 stop, gint64 step, GError **error)
{
  GeTensor *out = RAW (ge_op_slice (self, dim, start, stop, step, error));
  GeNode *node;

  record_single (out, "SliceBackward0", select_backward, 1, &self, &node);
  if (node != NULL)
    {
      /* store the normalised bounds the raw slice used */
      gint64 size;
      ge_normalize_dim (&dim, ge_tensor_get_ndim (self), NULL);
      size = ge_tensor_get_size (self, dim);
      if (start == G_MININT64) start = 0;
      if (stop == G_MAXINT64) stop = size;
      if (start < 0) start += size;
      if (stop < 0) stop += size;
      start = CLAMP (start, 0, size);
      stop = CLAMP (stop, start, size);
      node->ints[0] = dim;
      node->ints[1] = start;
      node->ints[2] = stop;
      node->ints[3] = step;
      node->scalars[0] = 1.0;
      ge_node_unref (node);
    }
  if (out != NULL)
    ge_autograd_set_view_base (out, self);
  return out;
}

GeTensor *
ge_tensor_as_strided (GeTensor *self, int ndim, const gint64 *sizes, const gint64 *strides, gint64 offset)
{
  /* no AsStridedBackward0 yet: the result is cut from the graph */
  return RAW (ge_op_as_strided (self, ndim, sizes, strides, offset));
}

static gboolean
identity_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  gi[0] = ge_tensor_ref (g[0]);
  if (locals != NULL)
    locals[0] = RAW (ge_tensor_ones_like (g[0], NULL));
  return TRUE;
}

GeTensor *
ge_tensor_clone (GeTensor *self, GError **error)
{
  GeNode *node;
  GeTensor *out = record_single (RAW (ge_op_clone (self, error)), "CloneBackward0", identity_backward, 1, &self, &node);
  g_clear_pointer (&node, ge_node_unref);
  return out;
}

GeTensor *
ge_tensor_contiguous (GeTensor *self, GError **error)
{
  if (ge_tensor_is_contiguous (self))
    return ge_tensor_ref (self);
  return ge_tensor_clone (self, error);
}

GeTensor *
ge_tensor_to_dtype (GeTensor *self, GeDType dtype, GError **error)
{
  GeNode *node;
  GeTensor *out;

  if (ge_tensor_get_dtype (self) == dtype)
    return ge_tensor_ref (self);
  out = RAW (ge_op_to_dtype (self, dtype, error));
  if (out != NULL && !ge_dtype_is_floating (dtype))
    return out;
  record_single (out, "ToCopyBackward0", identity_backward, 1, &self, &node);
  g_clear_pointer (&node, ge_node_unref);
  return out;
}

/* ---- indexing: composed of select / slice / unsqueeze like PyTorch ---- */

GeTensor *
ge_tensor_index (GeTensor *self, int n_indices, const GeIndex *indices, GError **error)
{
  g_autoptr(GeTensor) result = NULL;
  int dim = 0, n_real = 0, ellipsis = -1;

  /* Validate (and get PyTorch's errors) with the raw op first. */
  result = RAW (ge_op_index (self, n_indices, indices, error));
  if (result == NULL)
    return NULL;
  if (!ge_autograd_should_record (1, &self))
    {
      /* still a view of self: an in-place change through it is an
       * in-place change of self for autograd (zeros(3)[0] = x) */
      ge_autograd_set_view_base (result, self);
      return g_steal_pointer (&result);
    }
  g_clear_pointer (&result, ge_tensor_unref);

  for (int i = 0; i < n_indices; i++)
    {
      if (indices[i].kind == GE_INDEX_INT || indices[i].kind == GE_INDEX_SLICE)
        n_real++;
      else if (indices[i].kind == GE_INDEX_ELLIPSIS)
        ellipsis = i;
    }

  result = ge_tensor_ref (self);
  for (int i = 0; i < n_indices; i++)
    {
      const GeIndex *idx = &indices[i];
      GeTensor *next = NULL;

      switch (idx->kind)
        {
        case GE_INDEX_INT:
          next = ge_tensor_select (result, dim, idx->index, error);
          break;
        case GE_INDEX_SLICE:
          /* even a full slice records SliceBackward0 in 1.13 */
          next = ge_tensor_slice (result, dim, idx->start, idx->stop, idx->step, error);
          dim++;
          break;
        case GE_INDEX_NONE:
          next = ge_tensor_unsqueeze (result, dim, error);
          dim++;
          break;
        case GE_INDEX_ELLIPSIS:
        default:
          next = ge_tensor_ref (result);
          dim += ge_tensor_get_ndim (self) - n_real;
          break;
        }
      (void) ellipsis;
      if (next == NULL)
        return NULL;
      ge_tensor_unref (result);
      result = next;
    }
  return g_steal_pointer (&result);
}

gboolean
ge_tensor_index_put (GeTensor *self, int n_indices, const GeIndex *indices, GeTensor *value, GError **error)
{
  GeTensor *inputs[2] = { self, value };
  g_autoptr(GeTensor) part = NULL;

  if (!ge_autograd_check_inplace (self, value, error))
    return FALSE;
  if (ge_autograd_should_record (2, inputs))
    {
      /* recorded as PyTorch's setitem does: a view, then copy_ into it
       * (CopySlices on self); a value of another shape loses its leading
       * 1s (view) and is expanded, both recorded */
      g_autoptr(GeTensor) view = ge_tensor_index (self, n_indices, indices, error);
      g_autoptr(GeTensor) source = NULL;

      if (view == NULL)
        return FALSE;
      if (value->ndim == 0 ||
          (value->ndim == view->ndim &&
           memcmp (value->sizes, view->sizes, sizeof (gint64) * value->ndim) == 0))
        return ge_tensor_copy_ (view, value, error);
      {
        int lead = 0;

        while (lead < value->ndim && value->sizes[lead] == 1)
          lead++;
        if ((part = ge_tensor_view (value, value->ndim - lead, value->sizes + lead, error)) == NULL)
          return FALSE;
      }
      if (part->ndim == view->ndim &&
          memcmp (part->sizes, view->sizes, sizeof (gint64) * part->ndim) == 0)
        source = ge_tensor_ref (part);
      else if ((source = ge_tensor_expand (part, view->ndim, view->sizes, error)) == NULL)
        return FALSE;
      return ge_tensor_copy_ (view, source, error);
    }
  return RAW (ge_op_index_put (self, n_indices, indices, value, error));
}

/* ---- stack / cat ---- */

static gboolean
stack_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  int dim = (int) node->ints[0];

  for (int i = 0; i < node->n_next; i++)
    if (ge_node_needs_grad (node, i))
      TRY (gi[i] = ge_tensor_select (g[0], dim, i, error));
  return TRUE;
}

static gboolean
cat_backward (GeNode *node, GeTensor **g, GeTensor **gi, GeTensor **locals, GError **error)
{
  int dim = (int) node->ints[0];
  gint64 offset = 0;

  for (int i = 0; i < node->n_next; i++)
    {
      const GeTensorMeta *in = &node->input_meta[i];
      gint64 size = in->ndim > dim ? in->sizes[dim] : 0;

      if (ge_node_needs_grad (node, i))
        TRY (gi[i] = ge_tensor_slice (g[0], dim, offset, offset + size, 1, error));
      offset += size;
    }
  return TRUE;
}

static GeTensor *
record_join (GeTensor        *out,
             const char      *name,
             GeNodeBackward   backward,
             int              n,
             GeTensor       **tensors,
             int              dim)
{
  GeNode *node;

  record_single (out, name, backward, n, tensors, &node);
  if (node != NULL)
    {
      ge_normalize_dim (&dim, ge_tensor_get_ndim (out), NULL);
      node->ints[0] = dim;
      ge_node_unref (node);
    }
  return out;
}

GeTensor *
ge_tensor_stack (int n, GeTensor **tensors, int dim, GError **error)
{
  return record_join (RAW (ge_op_stack (n, tensors, dim, error)), "StackBackward0", stack_backward,
                      n, tensors, dim);
}

GeTensor *
ge_tensor_cat (int n, GeTensor **tensors, int dim, GError **error)
{
  return record_join (RAW (ge_op_cat (n, tensors, dim, error)), "CatBackward0", cat_backward,
                      n, tensors, dim);
}

/* ---- AccumulateGrad ---- */

gboolean
ge_accumulate_grad_backward (GeNode     *node,
                             GeTensor  **grads,
                             GeTensor  **grad_inputs,
                             GeTensor  **locals,
                             GError    **error)
{
  GeTensor *variable = node->variable;
  GeTensor *old = ge_tensor_get_grad (variable);
  g_autoptr(GeTensor) new_grad = NULL;

  if (grads[0] == NULL)
    return TRUE;
  if (old == NULL)
    {
      /* a fresh .grad: a copy; with create_graph ATen's clone_obey_contract
       * (empty + copy_) is recorded, so x.grad shows CopyBackwards */
      if (!ge_grad_mode_is_enabled ())
        TRY (new_grad = RAW (ge_op_clone (grads[0], error)));
      else
        {
          TRY (new_grad = RAW (ge_tensor_empty_like (grads[0], error)));
          if (!ge_tensor_copy_ (new_grad, grads[0], error))
            return FALSE;
        }
      return ge_tensor_set_grad (variable, new_grad, error);
    }
  if (!ge_grad_mode_is_enabled ())
    return RAW (ge_op_add_ (old, grads[0], error));
  TRY (new_grad = ge_tensor_add (old, grads[0], error));
  return ge_tensor_set_grad (variable, new_grad, error);
}
