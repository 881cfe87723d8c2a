/* ge-optim.c - SGD, RMSprop and Adam, operation by operation as PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ge-optim.h"
#include "ge-autograd-private.h"
#include "ge-device.h"
#include "ge-ops-private.h"

/*
 * The update loops below follow torch/optim/{sgd,rmsprop,adam}.py's _single_tensor_* code.
 * Each tensor op there is one rounding here, in the parameter's dtype, with
 * Python-float hyperparameters converted to that dtype first as ATen does
 * with scalar operands:
 *
 *   t.mul_(s)               t = t * (T) s
 *   t.add_(u, alpha=s)      t = t + (T) s * u
 *   t.addcmul_(u, v, s)     t = t + ((T) s * u) * v
 *   t.addcdiv_(u, v, s)     t = t + ((T) s * u) / v
 *
 * The hyperparameters' own arithmetic (1 - alpha, lr / bias_correction1,
 * ...) is done in double like Python does.
 *
 * Parameters on CUDA (or any state or gradient there) take the same
 * updates as sequences of raw engine ops (device_step_*), in the order
 * and with the roundings listed above, each op dispatching to the device:
 * no element is touched from the host.  Their state is made on the
 * parameter's device.
 */

typedef struct
{
  GPtrArray      *params;     /* GeTensor *, owned */
  GeOptimOptions  options;
} Group;

typedef struct
{
  GeTensor *momentum_buffer;
  GeTensor *square_avg;
  GeTensor *grad_avg;
  GeTensor *exp_avg;
  GeTensor *exp_avg_sq;
  GeTensor *max_exp_avg_sq;
  double    step;
  gboolean  initialized;
} ParamState;

struct _GeOptimizer
{
  GeOptimizerKind  kind;
  GeOptimOptions   defaults;
  GPtrArray       *groups;    /* Group * */
  GHashTable      *state;     /* GeTensor * (weak key: groups own it) -> ParamState * */
};

static void
group_free (gpointer data)
{
  Group *group = data;

  g_ptr_array_unref (group->params);
  g_free (group);
}

static void
param_state_free (gpointer data)
{
  ParamState *st = data;

  g_clear_pointer (&st->momentum_buffer, ge_tensor_unref);
  g_clear_pointer (&st->square_avg, ge_tensor_unref);
  g_clear_pointer (&st->grad_avg, ge_tensor_unref);
  g_clear_pointer (&st->exp_avg, ge_tensor_unref);
  g_clear_pointer (&st->exp_avg_sq, ge_tensor_unref);
  g_clear_pointer (&st->max_exp_avg_sq, ge_tensor_unref);
  g_free (st);
}

void
ge_optim_options_init (GeOptimOptions  *options,
                       GeOptimizerKind  kind)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->alpha = 0.99;
  options->eps = 1e-8;
  options->beta1 = 0.9;
  options->beta2 = 0.999;
  switch (kind)
    {
    case GE_OPTIMIZER_RMSPROP:
      options->lr = 1e-2;
      break;
    case GE_OPTIMIZER_ADAM:
      options->lr = 1e-3;
      break;
    case GE_OPTIMIZER_SGD:
    default:
      options->lr = 0.0;
      break;
    }
}

/* "{}".format(x) for a Python float: the shortest repr, "1.0", "1e-05". */
static char *
python_float (double v)
{
  char buf[64];
  char digits[32];
  int n_digits = 0, exponent, prec;
  GString *out;
  const char *e;

  if (isnan (v))
    return g_strdup ("nan");
  if (isinf (v))
    return g_strdup (v > 0 ? "inf" : "-inf");

  for (prec = 1; prec <= 17; prec++)
    {
      g_snprintf (buf, sizeof buf, "%.*e", prec - 1, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  e = strchr (buf, 'e');
  exponent = atoi (e + 1);
  for (const char *c = buf; c < e; c++)
    if (g_ascii_isdigit (*c))
      digits[n_digits++] = *c;
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    n_digits--;
  digits[n_digits] = '\0';

  out = g_string_new (signbit (v) ? "-" : "");
  if (exponent >= -4 && exponent < 16)
    {
      if (exponent >= 0)
        {
          for (int i = 0; i <= exponent; i++)
            g_string_append_c (out, i < n_digits ? digits[i] : '0');
          g_string_append_c (out, '.');
          if (n_digits > exponent + 1)
            g_string_append (out, digits + exponent + 1);
          else
            g_string_append_c (out, '0');
        }
      else
        {
          g_string_append (out, "0.");
          for (int i = 0; i < -exponent - 1; i++)
            g_string_append_c (out, '0');
          g_string_append (out, digits);
        }
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (n_digits > 1)
        g_string_append_printf (out, ".%s", digits + 1);
      g_string_append_printf (out, "e%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
    }
  return g_string_free (out, FALSE);
}

static gboolean
invalid (GError     **error,
         const char  *what,
         double       value)
{
  g_autofree char *text = python_float (value);

  g_set_error (error, GE_ERROR, GE_ERROR_VALUE, "Invalid %s: %s", what, text);
  return FALSE;
}

/* The checks each optimizer's __init__ makes, in its order. */
static gboolean
validate_options (GeOptimizerKind        kind,
                  const GeOptimOptions  *o,
                  GError               **error)
{
  switch (kind)
    {
    case GE_OPTIMIZER_SGD:
      if (o->lr < 0.0)
        return invalid (error, "learning rate", o->lr);
      if (o->momentum < 0.0)
        return invalid (error, "momentum value", o->momentum);
      if (o->weight_decay < 0.0)
        return invalid (error, "weight_decay value", o->weight_decay);
      if (o->nesterov && (o->momentum <= 0 || o->dampening != 0))
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_VALUE,
                               "Nesterov momentum requires a momentum and zero dampening");
          return FALSE;
        }
      return TRUE;
    case GE_OPTIMIZER_RMSPROP:
      if (!(0.0 <= o->lr))
        return invalid (error, "learning rate", o->lr);
      if (!(0.0 <= o->eps))
        return invalid (error, "epsilon value", o->eps);
      if (!(0.0 <= o->momentum))
        return invalid (error, "momentum value", o->momentum);
      if (!(0.0 <= o->weight_decay))
        return invalid (error, "weight_decay value", o->weight_decay);
      if (!(0.0 <= o->alpha))
        return invalid (error, "alpha value", o->alpha);
      return TRUE;
    case GE_OPTIMIZER_ADAM:
      if (!(0.0 <= o->lr))
        return invalid (error, "learning rate", o->lr);
      if (!(0.0 <= o->eps))
        return invalid (error, "epsilon value", o->eps);
      if (!(0.0 <= o->beta1 && o->beta1 < 1.0))
        return invalid (error, "beta parameter at index 0", o->beta1);
      if (!(0.0 <= o->beta2 && o->beta2 < 1.0))
        return invalid (error, "beta parameter at index 1", o->beta2);
      if (!(0.0 <= o->weight_decay))
        return invalid (error, "weight_decay value", o->weight_decay);
      return TRUE;
    default:
      g_return_val_if_reached (FALSE);
    }
}

static gboolean
retains_grad (GeTensor *t)
{
  GeAutogradMeta *meta = t->autograd;

  return meta != NULL && meta->retains_grad;
}

gboolean
ge_optimizer_add_param_group (GeOptimizer           *self,
                              int                    n_params,
                              GeTensor             **params,
                              const GeOptimOptions  *options,
                              GError               **error)
{
  Group *group;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (n_params >= 0 && (n_params == 0 || params != NULL), FALSE);
  for (int i = 0; i < n_params; i++)
    g_return_val_if_fail (params[i] != NULL, FALSE);

  if (options != NULL && !validate_options (self->kind, options, error))
    return FALSE;
  for (int i = 0; i < n_params; i++)
    if (!ge_tensor_is_leaf (params[i]) && !retains_grad (params[i]))
      {
        g_set_error_literal (error, GE_ERROR, GE_ERROR_VALUE, "can't optimize a non-leaf Tensor");
        return FALSE;
      }
  for (guint g = 0; g < self->groups->len; g++)
    {
      Group *other = g_ptr_array_index (self->groups, g);

      for (int i = 0; i < n_params; i++)
        if (g_ptr_array_find (other->params, params[i], NULL))
          {
            g_set_error_literal (error, GE_ERROR, GE_ERROR_VALUE,
                                 "some parameters appear in more than one parameter group");
            return FALSE;
          }
    }

  group = g_new0 (Group, 1);
  group->params = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  for (int i = 0; i < n_params; i++)
    g_ptr_array_add (group->params, ge_tensor_ref (params[i]));
  group->options = options != NULL ? *options : self->defaults;
  g_ptr_array_add (self->groups, group);
  return TRUE;
}

GeOptimizer *
ge_optimizer_new (GeOptimizerKind        kind,
                  int                    n_params,
                  GeTensor             **params,
                  const GeOptimOptions  *options,
                  GError               **error)
{
  g_autoptr(GeOptimizer) self = NULL;

  g_return_val_if_fail (kind == GE_OPTIMIZER_SGD || kind == GE_OPTIMIZER_RMSPROP ||
                        kind == GE_OPTIMIZER_ADAM, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  if (!validate_options (kind, options, error))
    return NULL;
  if (n_params == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_VALUE, "optimizer got an empty parameter list");
      return NULL;
    }

  self = g_new0 (GeOptimizer, 1);
  self->kind = kind;
  self->defaults = *options;
  self->groups = g_ptr_array_new_with_free_func (group_free);
  self->state = g_hash_table_new_full (NULL, NULL, NULL, param_state_free);
  if (!ge_optimizer_add_param_group (self, n_params, params, NULL, error))
    return NULL;
  return g_steal_pointer (&self);
}

GeOptimizer *
ge_optim_sgd_new (int         n_params,
                  GeTensor  **params,
                  double      lr,
                  double      momentum,
                  double      dampening,
                  double      weight_decay,
                  gboolean    nesterov,
                  GError    **error)
{
  GeOptimOptions o;

  ge_optim_options_init (&o, GE_OPTIMIZER_SGD);
  o.lr = lr;
  o.momentum = momentum;
  o.dampening = dampening;
  o.weight_decay = weight_decay;
  o.nesterov = nesterov;
  return ge_optimizer_new (GE_OPTIMIZER_SGD, n_params, params, &o, error);
}

GeOptimizer *
ge_optim_rmsprop_new (int         n_params,
                      GeTensor  **params,
                      double      lr,
                      double      alpha,
                      double      eps,
                      double      weight_decay,
                      double      momentum,
                      gboolean    centered,
                      GError    **error)
{
  GeOptimOptions o;

  ge_optim_options_init (&o, GE_OPTIMIZER_RMSPROP);
  o.lr = lr;
  o.alpha = alpha;
  o.eps = eps;
  o.weight_decay = weight_decay;
  o.momentum = momentum;
  o.centered = centered;
  return ge_optimizer_new (GE_OPTIMIZER_RMSPROP, n_params, params, &o, error);
}

GeOptimizer *
ge_optim_adam_new (int         n_params,
                   GeTensor  **params,
                   double      lr,
                   double      beta1,
                   double      beta2,
                   double      eps,
                   double      weight_decay,
                   gboolean    amsgrad,
                   GError    **error)
{
  GeOptimOptions o;

  ge_optim_options_init (&o, GE_OPTIMIZER_ADAM);
  o.lr = lr;
  o.beta1 = beta1;
  o.beta2 = beta2;
  o.eps = eps;
  o.weight_decay = weight_decay;
  o.amsgrad = amsgrad;
  return ge_optimizer_new (GE_OPTIMIZER_ADAM, n_params, params, &o, error);
}

void
ge_optimizer_free (GeOptimizer *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->state, g_hash_table_unref);
  g_clear_pointer (&self->groups, g_ptr_array_unref);
  g_free (self);
}

GeOptimizerKind
ge_optimizer_get_kind (GeOptimizer *self)
{
  g_return_val_if_fail (self != NULL, GE_OPTIMIZER_SGD);
  return self->kind;
}

const char *
ge_optimizer_get_name (GeOptimizer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  switch (self->kind)
    {
    case GE_OPTIMIZER_RMSPROP: return "RMSprop";
    case GE_OPTIMIZER_ADAM:    return "Adam";
    case GE_OPTIMIZER_SGD:
    default:                   return "SGD";
    }
}

int
ge_optimizer_get_n_groups (GeOptimizer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (int) self->groups->len;
}

static Group *
get_group (GeOptimizer *self,
           int          i)
{
  g_return_val_if_fail (self != NULL && i >= 0 && i < (int) self->groups->len, NULL);
  return g_ptr_array_index (self->groups, i);
}

GeOptimOptions *
ge_optimizer_get_group_options (GeOptimizer *self,
                                int          group)
{
  Group *g = get_group (self, group);

  return g != NULL ? &g->options : NULL;
}

int
ge_optimizer_get_group_n_params (GeOptimizer *self,
                                 int          group)
{
  Group *g = get_group (self, group);

  return g != NULL ? (int) g->params->len : 0;
}

GeTensor *
ge_optimizer_get_group_param (GeOptimizer *self,
                              int          group,
                              int          i)
{
  Group *g = get_group (self, group);

  g_return_val_if_fail (g != NULL && i >= 0 && i < (int) g->params->len, NULL);
  return g_ptr_array_index (g->params, i);
}

/* ---- the update loops ---- */

#define DEFINE_SGD(name, T)                                                   \
static void                                                                   \
name (T                    *p,                                                \
      const T              *grad,                                             \
      T                    *buf,                                              \
      gboolean              first,                                            \
      gint64                n,                                                \
      const GeOptimOptions *o)                                                \
{                                                                             \
  const T wd = (T) o->weight_decay;                                           \
  const T momentum = (T) o->momentum;                                         \
  const T one_minus_dampening = (T) (1.0 - o->dampening);                     \
  const T minus_lr = (T) -o->lr;                                              \
                                                                              \
  for (gint64 i = 0; i < n; i++)                                              \
    {                                                                         \
      T d = o->maximize ? -grad[i] : grad[i];                                 \
                                                                              \
      if (o->weight_decay != 0)                                               \
        d = d + wd * p[i];                                                    \
      if (o->momentum != 0)                                                   \
        {                                                                     \
          if (first)                                                          \
            buf[i] = d;                                                       \
          else                                                                \
            {                                                                 \
              T b = buf[i] * momentum;                                        \
              buf[i] = b + one_minus_dampening * d;                           \
            }                                                                 \
          d = o->nesterov ? d + momentum * buf[i] : buf[i];                   \
        }                                                                     \
      p[i] = p[i] + minus_lr * d;                                             \
    }                                                                         \
}

#define DEFINE_RMSPROP(name, T, SQRT)                                         \
static void                                                                   \
name (T                    *p,                                                \
      const T              *grad,                                             \
      T                    *square_avg,                                       \
      T                    *grad_avg,                                         \
      T                    *buf,                                              \
      gint64                n,                                                \
      const GeOptimOptions *o)                                                \
{                                                                             \
  const T wd = (T) o->weight_decay;                                           \
  const T alpha = (T) o->alpha;                                               \
  const T one_minus_alpha = (T) (1.0 - o->alpha);                             \
  const T eps = (T) o->eps;                                                   \
  const T momentum = (T) o->momentum;                                         \
  const T minus_lr = (T) -o->lr;                                              \
                                                                              \
  for (gint64 i = 0; i < n; i++)                                              \
    {                                                                         \
      T g = o->maximize ? -grad[i] : grad[i];                                 \
      T sq, avg;                                                              \
                                                                              \
      if (o->weight_decay != 0)                                               \
        g = g + wd * p[i];                                                    \
      sq = square_avg[i] * alpha;                                             \
      square_avg[i] = sq = sq + (one_minus_alpha * g) * g;                    \
      if (o->centered)                                                        \
        {                                                                     \
          T ga = grad_avg[i] * alpha;                                         \
          grad_avg[i] = ga = ga + one_minus_alpha * g;                        \
          avg = SQRT (sq + (-ga) * ga);                                       \
        }                                                                     \
      else                                                                    \
        avg = SQRT (sq);                                                      \
      avg = avg + eps;                                                        \
      if (o->momentum > 0)                                                    \
        {                                                                     \
          T b = buf[i] * momentum;                                            \
          buf[i] = b = b + g / avg;                                           \
          p[i] = p[i] + minus_lr * b;                                         \
        }                                                                     \
      else                                                                    \
        p[i] = p[i] + (minus_lr * g) / avg;                                   \
    }                                                                         \
}

#define DEFINE_ADAM(name, T, SQRT)                                            \
static void                                                                   \
name (T                    *p,                                                \
      const T              *grad,                                             \
      T                    *exp_avg,                                          \
      T                    *exp_avg_sq,                                       \
      T                    *max_exp_avg_sq,                                   \
      double                step,                                             \
      gint64                n,                                                \
      const GeOptimOptions *o)                                                \
{                                                                             \
  const T wd = (T) o->weight_decay;                                           \
  const T beta1 = (T) o->beta1;                                               \
  const T beta2 = (T) o->beta2;                                               \
  const T one_minus_beta1 = (T) (1.0 - o->beta1);                             \
  const T one_minus_beta2 = (T) (1.0 - o->beta2);                             \
  const double bias_correction1 = 1.0 - pow (o->beta1, step);                 \
  const double bias_correction2 = 1.0 - pow (o->beta2, step);                 \
  const double step_size = o->lr / bias_correction1;                          \
  const T bias_correction2_sqrt = (T) sqrt (bias_correction2);                \
  const T eps = (T) o->eps;                                                   \
  const T minus_step_size = (T) -step_size;                                   \
                                                                              \
  for (gint64 i = 0; i < n; i++)                                              \
    {                                                                         \
      T g = o->maximize ? -grad[i] : grad[i];                                 \
      T m, v, denom;                                                          \
                                                                              \
      if (o->weight_decay != 0)                                               \
        g = g + wd * p[i];                                                    \
      m = exp_avg[i] * beta1;                                                 \
      exp_avg[i] = m = m + one_minus_beta1 * g;                               \
      v = exp_avg_sq[i] * beta2;                                              \
      exp_avg_sq[i] = v = v + (one_minus_beta2 * g) * g;                      \
      if (o->amsgrad)                                                         \
        {                                                                     \
          T mx = max_exp_avg_sq[i];                                           \
          /* torch.maximum propagates NaN */                                  \
          mx = (isnan (mx) || isnan (v)) ? (T) NAN : (v > mx ? v : mx);       \
          max_exp_avg_sq[i] = mx;                                             \
          v = mx;                                                             \
        }                                                                     \
      denom = SQRT (v) / bias_correction2_sqrt;                               \
      denom = denom + eps;                                                    \
      p[i] = p[i] + (minus_step_size * m) / denom;                            \
    }                                                                         \
}

DEFINE_SGD (sgd_float, float)
DEFINE_SGD (sgd_double, double)
DEFINE_RMSPROP (rmsprop_float, float, sqrtf)
DEFINE_RMSPROP (rmsprop_double, double, sqrt)
DEFINE_ADAM (adam_float, float, sqrtf)
DEFINE_ADAM (adam_double, double, sqrt)

static GeTensor *
zeros_like_param (GeTensor  *p,
                  GError   **error)
{
  return ge_tensor_zeros_on (ge_tensor_get_device (p), ge_tensor_get_ndim (p), ge_tensor_get_sizes (p),
                             ge_tensor_get_dtype (p), error);
}

/* ---- the same updates as engine ops, for tensors on CUDA ---- */

/* A Python float as ATen receives it: converted to the tensor's dtype by
 * the op. */
#define NUMBER(v) ge_tensor_wrap_double (v)
#define TRY_T(expr) G_STMT_START { if ((expr) == NULL) return FALSE; } G_STMT_END
#define TRY_B(expr) G_STMT_START { if (!(expr)) return FALSE; } G_STMT_END

/* t.mul_(s) */
static gboolean
mul_scalar_ (GeTensor  *t,
             double     s,
             GError   **error)
{
  g_autoptr(GeTensor) n = NUMBER (s);

  return ge_op_mul_ (t, n, error);
}

/* s * u, one rounding */
static GeTensor *
scaled (GeTensor  *u,
        double     s,
        GError   **error)
{
  g_autoptr(GeTensor) n = NUMBER (s);

  return ge_op_mul (u, n, error);
}

/* t.add_(u, alpha=s): t = t + (T) s * u */
static gboolean
add_scaled_ (GeTensor  *t,
             GeTensor  *u,
             double     s,
             GError   **error)
{
  g_autoptr(GeTensor) su = NULL;

  TRY_T (su = scaled (u, s, error));
  return ge_op_add_ (t, su, error);
}

/* t.add(u, alpha=s), out of place */
static GeTensor *
added_scaled (GeTensor  *t,
              GeTensor  *u,
              double     s,
              GError   **error)
{
  g_autoptr(GeTensor) su = scaled (u, s, error);

  return su != NULL ? ge_op_add (t, su, error) : NULL;
}

/* t.addcmul_(u, v, value=s): t = t + ((T) s * u) * v */
static gboolean
addcmul_ (GeTensor  *t,
          GeTensor  *u,
          GeTensor  *v,
          double     s,
          GError   **error)
{
  g_autoptr(GeTensor) su = NULL, suv = NULL;

  TRY_T (su = scaled (u, s, error));
  TRY_T (suv = ge_op_mul (su, v, error));
  return ge_op_add_ (t, suv, error);
}

/* t.addcdiv_(u, v, value=s): t = t + ((T) s * u) / v */
static gboolean
addcdiv_ (GeTensor  *t,
          GeTensor  *u,
          GeTensor  *v,
          double     s,
          GError   **error)
{
  g_autoptr(GeTensor) su = NULL, q = NULL;

  if (s == 1.0)
    TRY_T (q = ge_op_div (u, v, error));
  else
    {
      TRY_T (su = scaled (u, s, error));
      TRY_T (q = ge_op_div (su, v, error));
    }
  return ge_op_add_ (t, q, error);
}

/* grad, or -grad with maximize; then grad + weight_decay * param */
static GeTensor *
device_direction (GeTensor              *p,
                  GeTensor              *grad,
                  const GeOptimOptions  *o,
                  GError               **error)
{
  g_autoptr(GeTensor) d = o->maximize ? ge_op_neg (grad, error) : ge_tensor_ref (grad);

  if (d == NULL)
    return NULL;
  if (o->weight_decay != 0)
    return added_scaled (d, p, o->weight_decay, error);
  return g_steal_pointer (&d);
}

/* _single_tensor_sgd */
static gboolean
device_step_sgd (GeTensor              *p,
                 GeTensor              *grad,
                 ParamState            *st,
                 const GeOptimOptions  *o,
                 GError               **error)
{
  g_autoptr(GeTensor) d = NULL;

  TRY_T (d = device_direction (p, grad, o, error));
  if (o->momentum != 0)
    {
      if (st->momentum_buffer == NULL)
        {
          /* buf = torch.clone(d_p).detach() */
          TRY_T (st->momentum_buffer = ge_op_clone (d, error));
        }
      else
        {
          TRY_B (mul_scalar_ (st->momentum_buffer, o->momentum, error));
          TRY_B (add_scaled_ (st->momentum_buffer, d, 1.0 - o->dampening, error));
        }
      if (o->nesterov)
        {
          GeTensor *nesterov = added_scaled (d, st->momentum_buffer, o->momentum, error);

          TRY_T (nesterov);
          ge_tensor_unref (d);
          d = nesterov;
        }
      else
        {
          ge_tensor_unref (d);
          d = ge_tensor_ref (st->momentum_buffer);
        }
    }
  return add_scaled_ (p, d, -o->lr, error);
}

/* _single_tensor_rmsprop (st->step already counted) */
static gboolean
device_step_rmsprop (GeTensor              *p,
                     GeTensor              *grad,
                     ParamState            *st,
                     const GeOptimOptions  *o,
                     GError               **error)
{
  g_autoptr(GeTensor) g = NULL, avg = NULL;
  g_autoptr(GeTensor) eps = NUMBER (o->eps);

  TRY_T (g = device_direction (p, grad, o, error));
  TRY_B (mul_scalar_ (st->square_avg, o->alpha, error));
  TRY_B (addcmul_ (st->square_avg, g, g, 1.0 - o->alpha, error));
  if (o->centered)
    {
      g_autoptr(GeTensor) var = NULL;

      TRY_B (mul_scalar_ (st->grad_avg, o->alpha, error));
      TRY_B (add_scaled_ (st->grad_avg, g, 1.0 - o->alpha, error));
      /* square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_() */
      TRY_T (var = ge_op_clone (st->square_avg, error));
      TRY_B (addcmul_ (var, st->grad_avg, st->grad_avg, -1.0, error));
      TRY_T (avg = ge_op_sqrt (var, error));
    }
  else
    TRY_T (avg = ge_op_sqrt (st->square_avg, error));
  TRY_B (ge_op_add_ (avg, eps, error));
  if (o->momentum > 0)
    {
      TRY_B (mul_scalar_ (st->momentum_buffer, o->momentum, error));
      TRY_B (addcdiv_ (st->momentum_buffer, g, avg, 1.0, error));
      return add_scaled_ (p, st->momentum_buffer, -o->lr, error);
    }
  return addcdiv_ (p, g, avg, -o->lr, error);
}

/* torch.maximum(a, b, out=a): NaN wins */
static gboolean
maximum_into (GeTensor  *a,
              GeTensor  *b,
              GError   **error)
{
  g_autoptr(GeTensor) greater = NULL, larger = NULL, b_nan = NULL, a_nan = NULL;
  g_autoptr(GeTensor) with_b_nan = NULL, result = NULL;

  TRY_T (greater = ge_op_gt (b, a, error));
  TRY_T (larger = ge_op_where (greater, b, a, error));
  TRY_T (b_nan = ge_op_ne (b, b, error));
  TRY_T (with_b_nan = ge_op_where (b_nan, b, larger, error));
  TRY_T (a_nan = ge_op_ne (a, a, error));
  TRY_T (result = ge_op_where (a_nan, a, with_b_nan, error));
  return ge_op_copy_ (a, result, error);
}

/* _single_tensor_adam (st->step already counted) */
static gboolean
device_step_adam (GeTensor              *p,
                  GeTensor              *grad,
                  ParamState            *st,
                  const GeOptimOptions  *o,
                  GError               **error)
{
  const double bias_correction1 = 1.0 - pow (o->beta1, st->step);
  const double bias_correction2 = 1.0 - pow (o->beta2, st->step);
  const double step_size = o->lr / bias_correction1;
  g_autoptr(GeTensor) g = NULL, root = NULL, denom = NULL;
  g_autoptr(GeTensor) bias_correction2_sqrt = NUMBER (sqrt (bias_correction2));
  g_autoptr(GeTensor) eps = NUMBER (o->eps);

  TRY_T (g = device_direction (p, grad, o, error));
  TRY_B (mul_scalar_ (st->exp_avg, o->beta1, error));
  TRY_B (add_scaled_ (st->exp_avg, g, 1.0 - o->beta1, error));
  TRY_B (mul_scalar_ (st->exp_avg_sq, o->beta2, error));
  TRY_B (addcmul_ (st->exp_avg_sq, g, g, 1.0 - o->beta2, error));
  if (o->amsgrad)
    {
      TRY_B (maximum_into (st->max_exp_avg_sq, st->exp_avg_sq, error));
      TRY_T (root = ge_op_sqrt (st->max_exp_avg_sq, error));
    }
  else
    TRY_T (root = ge_op_sqrt (st->exp_avg_sq, error));
  /* (v.sqrt() / bias_correction2_sqrt).add_(eps) */
  TRY_T (denom = ge_op_div (root, bias_correction2_sqrt, error));
  TRY_B (ge_op_add_ (denom, eps, error));
  return addcdiv_ (p, st->exp_avg, denom, -step_size, error);
}

/* ge-nn-functional.c: the tests' switch to the device code paths */

/* Whether every tensor of the update is on the CPU (the loops above). */
static gboolean
all_on_cpu (GeTensor   *p,
            GeTensor   *grad,
            ParamState *st)
{
  if (ge_test_device_paths)
    return FALSE;
  GeTensor *tensors[] = { p, grad, st->momentum_buffer, st->square_avg, st->grad_avg,
                          st->exp_avg, st->exp_avg_sq, st->max_exp_avg_sq };

  for (guint i = 0; i < G_N_ELEMENTS (tensors); i++)
    if (tensors[i] != NULL && ge_tensor_get_device (tensors[i]) != GE_DEVICE_CPU)
      return FALSE;
  return TRUE;
}

static gboolean
init_state (GeOptimizer           *self,
            const GeOptimOptions  *o,
            ParamState            *st,
            GeTensor              *p,
            GError               **error)
{
  switch (self->kind)
    {
    case GE_OPTIMIZER_RMSPROP:
      if ((st->square_avg = zeros_like_param (p, error)) == NULL)
        return FALSE;
      if (o->momentum > 0 && (st->momentum_buffer = zeros_like_param (p, error)) == NULL)
        return FALSE;
      if (o->centered && (st->grad_avg = zeros_like_param (p, error)) == NULL)
        return FALSE;
      break;
    case GE_OPTIMIZER_ADAM:
      if ((st->exp_avg = zeros_like_param (p, error)) == NULL ||
          (st->exp_avg_sq = zeros_like_param (p, error)) == NULL)
        return FALSE;
      if (o->amsgrad && (st->max_exp_avg_sq = zeros_like_param (p, error)) == NULL)
        return FALSE;
      break;
    case GE_OPTIMIZER_SGD:
    default:
      break;
    }
  st->initialized = TRUE;
  return TRUE;
}

/* A buffer created lazily by a later step with other options (centered or
 * momentum switched on in the group): PyTorch would fail on the missing
 * state key; a zero buffer is what a first use would hold. */
static gboolean
ensure_buffer (GeTensor  **slot,
               GeTensor   *p,
               GError    **error)
{
  if (*slot != NULL)
    return TRUE;
  return (*slot = zeros_like_param (p, error)) != NULL;
}

#define DATA(t, T) ((t) != NULL ? (T *) ge_tensor_data_ptr (t) : NULL)

static gboolean
step_param (GeOptimizer           *self,
            const GeOptimOptions  *o,
            GeTensor              *p,
            GError               **error)
{
  GeTensor *grad = ge_tensor_get_grad (p);
  g_autoptr(GeTensor) g = NULL;
  g_autoptr(GeTensor) work = NULL;
  GeDType dtype = ge_tensor_get_dtype (p);
  gboolean is_float = dtype == GE_DTYPE_FLOAT32;
  gint64 n = ge_tensor_numel (p);
  ParamState *st;

  if (grad == NULL)
    return TRUE;
  if (!ge_dtype_is_floating (dtype) || ge_tensor_get_dtype (grad) != dtype)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
                   "%s.step() for a parameter of dtype %s with a gradient of dtype %s is not "
                   "available in Gradlab", ge_optimizer_get_name (self), ge_dtype_name (dtype),
                   ge_dtype_name (ge_tensor_get_dtype (grad)));
      return FALSE;
    }

  st = g_hash_table_lookup (self->state, p);
  if (st == NULL)
    {
      st = g_new0 (ParamState, 1);
      g_hash_table_insert (self->state, p, st);
    }
  if (!st->initialized && !init_state (self, o, st, p, error))
    return FALSE;

  if (!all_on_cpu (p, grad, st))
    {
      /* the op sequences; the ops check that everything is on one device */
      switch (self->kind)
        {
        case GE_OPTIMIZER_SGD:
          return device_step_sgd (p, grad, st, o, error);
        case GE_OPTIMIZER_RMSPROP:
          if ((o->momentum > 0 && !ensure_buffer (&st->momentum_buffer, p, error)) ||
              (o->centered && !ensure_buffer (&st->grad_avg, p, error)))
            return FALSE;
          st->step += 1;
          return device_step_rmsprop (p, grad, st, o, error);
        case GE_OPTIMIZER_ADAM:
          if (o->amsgrad && !ensure_buffer (&st->max_exp_avg_sq, p, error))
            return FALSE;
          st->step = (float) (st->step + 1.0f);
          return device_step_adam (p, grad, st, o, error);
        default:
          g_return_val_if_reached (FALSE);
        }
    }

  if ((g = ge_op_contiguous (grad, error)) == NULL)
    return FALSE;
  work = ge_tensor_is_contiguous (p) ? ge_tensor_ref (p) : ge_op_clone (p, error);
  if (work == NULL)
    return FALSE;

  switch (self->kind)
    {
    case GE_OPTIMIZER_SGD:
      {
        gboolean first = FALSE;

        if (o->momentum != 0 && st->momentum_buffer == NULL)
          {
            if ((st->momentum_buffer = zeros_like_param (p, error)) == NULL)
              return FALSE;
            first = TRUE;
          }
        if (is_float)
          sgd_float (DATA (work, float), DATA (g, float), DATA (st->momentum_buffer, float), first, n, o);
        else
          sgd_double (DATA (work, double), DATA (g, double), DATA (st->momentum_buffer, double), first, n, o);
      }
      break;

    case GE_OPTIMIZER_RMSPROP:
      if ((o->momentum > 0 && !ensure_buffer (&st->momentum_buffer, p, error)) ||
          (o->centered && !ensure_buffer (&st->grad_avg, p, error)))
        return FALSE;
      st->step += 1;
      if (is_float)
        rmsprop_float (DATA (work, float), DATA (g, float), DATA (st->square_avg, float),
                       DATA (st->grad_avg, float), DATA (st->momentum_buffer, float), n, o);
      else
        rmsprop_double (DATA (work, double), DATA (g, double), DATA (st->square_avg, double),
                        DATA (st->grad_avg, double), DATA (st->momentum_buffer, double), n, o);
      break;

    case GE_OPTIMIZER_ADAM:
      if (o->amsgrad && !ensure_buffer (&st->max_exp_avg_sq, p, error))
        return FALSE;
      /* state['step'] is a float32 tensor in 1.13 */
      st->step = (float) (st->step + 1.0f);
      if (is_float)
        adam_float (DATA (work, float), DATA (g, float), DATA (st->exp_avg, float),
                    DATA (st->exp_avg_sq, float), DATA (st->max_exp_avg_sq, float), st->step, n, o);
      else
        adam_double (DATA (work, double), DATA (g, double), DATA (st->exp_avg, double),
                     DATA (st->exp_avg_sq, double), DATA (st->max_exp_avg_sq, double), st->step, n, o);
      break;

    default:
      g_return_val_if_reached (FALSE);
    }

  if (work != p)
    return ge_op_copy_ (p, work, error);
  ge_tensor_bump_version (p);
  return TRUE;
}

gboolean
ge_optimizer_step (GeOptimizer  *self,
                   GError      **error)
{
  gboolean prev, ok = TRUE;

  g_return_val_if_fail (self != NULL, FALSE);

  prev = ge_grad_mode_set_enabled (FALSE);
  for (guint gi = 0; ok && gi < self->groups->len; gi++)
    {
      Group *group = g_ptr_array_index (self->groups, gi);

      for (guint i = 0; ok && i < group->params->len; i++)
        ok = step_param (self, &group->options, g_ptr_array_index (group->params, i), error);
    }
  ge_grad_mode_set_enabled (prev);
  return ok;
}

gboolean
ge_optimizer_zero_grad (GeOptimizer  *self,
                        gboolean      set_to_none,
                        GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint gi = 0; gi < self->groups->len; gi++)
    {
      Group *group = g_ptr_array_index (self->groups, gi);

      for (guint i = 0; i < group->params->len; i++)
        {
          GeTensor *p = g_ptr_array_index (group->params, i);
          GeTensor *grad = ge_tensor_get_grad (p);
          gboolean ok;

          if (grad == NULL)
            continue;
          if (set_to_none)
            {
              if (!ge_tensor_set_grad (p, NULL, error))
                return FALSE;
              continue;
            }
          if (ge_tensor_get_grad_fn (grad) != NULL)
            {
              g_autoptr(GeTensor) detached = ge_tensor_detach (grad);
              if (!ge_tensor_set_grad (p, detached, error))
                return FALSE;
              grad = detached;
            }
          else if (!ge_tensor_set_requires_grad (grad, FALSE, error))
            return FALSE;
          ok = GE_NO_GRAD (ge_tensor_zero_ (grad, error));
          if (!ok)
            return FALSE;
        }
    }
  return TRUE;
}

GeTensor *
ge_optimizer_get_state (GeOptimizer *self,
                        GeTensor    *param,
                        const char  *key)
{
  ParamState *st;

  g_return_val_if_fail (self != NULL && param != NULL && key != NULL, NULL);

  st = g_hash_table_lookup (self->state, param);
  if (st == NULL)
    return NULL;
  if (g_str_equal (key, "momentum_buffer"))
    return st->momentum_buffer;
  if (g_str_equal (key, "square_avg"))
    return st->square_avg;
  if (g_str_equal (key, "grad_avg"))
    return st->grad_avg;
  if (g_str_equal (key, "exp_avg"))
    return st->exp_avg;
  if (g_str_equal (key, "exp_avg_sq"))
    return st->exp_avg_sq;
  if (g_str_equal (key, "max_exp_avg_sq"))
    return st->max_exp_avg_sq;
  return NULL;
}

double
ge_optimizer_get_step_count (GeOptimizer *self,
                             GeTensor    *param)
{
  ParamState *st;

  g_return_val_if_fail (self != NULL && param != NULL, 0.0);

  st = g_hash_table_lookup (self->state, param);
  return st != NULL ? st->step : 0.0;
}
