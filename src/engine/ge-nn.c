/* ge-nn.c - torch.nn modules in C: Linear, Sequential, Flatten, activations, MSELoss */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-nn.h"
#include "ge-autograd-private.h"

struct _GeModule
{
  int                  ref_count;
  const GeModuleClass *klass;
  gpointer             priv;
  /* registration order, as nn.Module's _parameters and _modules dicts */
  GPtrArray           *param_names;   /* char * */
  GPtrArray           *params;        /* GeTensor *, NULL for None */
  GPtrArray           *child_names;   /* char * */
  GPtrArray           *children;      /* GeModule * */
};

static const char * const default_arguments[] = { "input", NULL };

/* ---- parameters ---- */

GeTensor *
ge_parameter_new (GeTensor  *data,
                  gboolean   requires_grad,
                  GError   **error)
{
  g_autoptr(GeTensor) param = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (requires_grad && !ge_dtype_is_floating (ge_tensor_get_dtype (data)))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "Only Tensors of floating point and complex dtype can require gradients");
      return NULL;
    }
  param = ge_tensor_detach (data);
  if (!ge_tensor_set_requires_grad (param, requires_grad, error))
    return NULL;
  return g_steal_pointer (&param);
}

char *
ge_parameter_repr (const GeTensor *param)
{
  GeReprOptions options = { 0 };

  g_return_val_if_fail (param != NULL, NULL);

  options.is_parameter = TRUE;
  options.requires_grad = ge_tensor_requires_grad (param);
  options.grad_fn_name = ge_tensor_get_grad_fn_name (param);
  return ge_tensor_repr (param, &options);
}

/* ---- GeModule ---- */

GeModule *
ge_module_new (const GeModuleClass *klass,
               gpointer             priv)
{
  GeModule *self;

  g_return_val_if_fail (klass != NULL && klass->name != NULL && klass->forward != NULL, NULL);

  self = g_new0 (GeModule, 1);
  self->ref_count = 1;
  self->klass = klass;
  self->priv = priv;
  self->param_names = g_ptr_array_new_with_free_func (g_free);
  self->params = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  self->child_names = g_ptr_array_new_with_free_func (g_free);
  self->children = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_module_unref);
  return self;
}

GeModule *
ge_module_ref (GeModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  self->ref_count++;
  return self;
}

void
ge_module_unref (GeModule *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (self->ref_count > 0);
  if (--self->ref_count > 0)
    return;
  if (self->klass->free_private != NULL && self->priv != NULL)
    self->klass->free_private (self->priv);
  g_ptr_array_unref (self->param_names);
  g_ptr_array_unref (self->params);
  g_ptr_array_unref (self->child_names);
  g_ptr_array_unref (self->children);
  g_free (self);
}

const GeModuleClass *
ge_module_get_class (GeModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass;
}

gpointer
ge_module_get_private (GeModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->priv;
}

const char *
ge_module_get_type_name (GeModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass->name;
}

static int
find_name (GPtrArray  *names,
           const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), name))
      return (int) i;
  return -1;
}

void
ge_module_register_parameter (GeModule   *self,
                              const char *name,
                              GeTensor   *param)
{
  int i;

  g_return_if_fail (self != NULL && name != NULL);

  i = find_name (self->param_names, name);
  if (param != NULL)
    ge_tensor_ref (param);
  if (i >= 0)
    {
      ge_tensor_unref (g_ptr_array_index (self->params, i));
      g_ptr_array_index (self->params, i) = param;
      return;
    }
  g_ptr_array_add (self->param_names, g_strdup (name));
  g_ptr_array_add (self->params, param);
}

GeTensor *
ge_module_get_parameter (GeModule   *self,
                         const char *name)
{
  int i;

  g_return_val_if_fail (self != NULL && name != NULL, NULL);

  i = find_name (self->param_names, name);
  return i >= 0 ? g_ptr_array_index (self->params, i) : NULL;
}

void
ge_module_add_module (GeModule   *self,
                      const char *name,
                      GeModule   *child)
{
  int i;

  g_return_if_fail (self != NULL && name != NULL && child != NULL);

  i = find_name (self->child_names, name);
  ge_module_ref (child);
  if (i >= 0)
    {
      ge_module_unref (g_ptr_array_index (self->children, i));
      g_ptr_array_index (self->children, i) = child;
      return;
    }
  g_ptr_array_add (self->child_names, g_strdup (name));
  g_ptr_array_add (self->children, child);
}

int
ge_module_get_n_children (GeModule *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (int) self->children->len;
}

GeModule *
ge_module_get_child (GeModule *self,
                     int       i)
{
  g_return_val_if_fail (self != NULL && i >= 0 && i < (int) self->children->len, NULL);
  return g_ptr_array_index (self->children, i);
}

const char *
ge_module_get_child_name (GeModule *self,
                          int       i)
{
  g_return_val_if_fail (self != NULL && i >= 0 && i < (int) self->child_names->len, NULL);
  return g_ptr_array_index (self->child_names, i);
}

/* Python's TypeError for a forward() call with the wrong number of
 * arguments ("Linear.forward() takes 2 positional arguments but 3 were
 * given", "MSELoss.forward() missing 1 required positional argument:
 * 'target'"). */
static void
set_arguments_error (GeModule            *self,
                     const char * const  *names,
                     int                  n_expected,
                     int                  n_given,
                     GError             **error)
{
  if (n_given > n_expected)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_TYPE,
                   "%s.forward() takes %d positional argument%s but %d %s given",
                   self->klass->name, n_expected + 1, n_expected == 0 ? "" : "s",
                   n_given + 1, n_given == 0 ? "was" : "were");
      return;
    }
  {
    GString *missing = g_string_new (NULL);
    int n_missing = n_expected - n_given;

    for (int i = n_given; i < n_expected; i++)
      {
        int pos = i - n_given;

        if (pos > 0)
          g_string_append (missing, n_missing == 2 ? " and " : (pos == n_missing - 1 ? ", and " : ", "));
        g_string_append_printf (missing, "'%s'", names[i]);
      }
    g_set_error (error, GE_ERROR, GE_ERROR_TYPE,
                 "%s.forward() missing %d required positional argument%s: %s",
                 self->klass->name, n_missing, n_missing == 1 ? "" : "s", missing->str);
    g_string_free (missing, TRUE);
  }
}

GeTensor *
ge_module_forward_n (GeModule   *self,
                     int         n_inputs,
                     GeTensor  **inputs,
                     GError    **error)
{
  const char * const *names;
  int n_expected = 0;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_inputs >= 0 && (n_inputs == 0 || inputs != NULL), NULL);

  names = self->klass->argument_names != NULL ? self->klass->argument_names : default_arguments;
  while (names[n_expected] != NULL)
    n_expected++;
  if (n_inputs != n_expected)
    {
      set_arguments_error (self, names, n_expected, n_inputs, error);
      return NULL;
    }
  for (int i = 0; i < n_inputs; i++)
    g_return_val_if_fail (inputs[i] != NULL, NULL);
  return self->klass->forward (self, inputs, error);
}

GeTensor *
ge_module_forward (GeModule  *self,
                   GeTensor  *input,
                   GError   **error)
{
  g_return_val_if_fail (self != NULL && input != NULL, NULL);
  return ge_module_forward_n (self, 1, &input, error);
}

/* named_modules() then each module's parameters, each tensor once. */
static void
collect_parameters (GeModule    *self,
                    const char  *prefix,
                    GHashTable  *seen_modules,
                    GHashTable  *seen_params,
                    GPtrArray   *params,
                    GPtrArray   *names)
{
  if (!g_hash_table_add (seen_modules, self))
    return;
  for (guint i = 0; i < self->params->len; i++)
    {
      GeTensor *p = g_ptr_array_index (self->params, i);

      if (p == NULL || !g_hash_table_add (seen_params, p))
        continue;
      if (params != NULL)
        g_ptr_array_add (params, ge_tensor_ref (p));
      if (names != NULL)
        g_ptr_array_add (names, g_strconcat (prefix, *prefix ? "." : "",
                                             (char *) g_ptr_array_index (self->param_names, i), NULL));
    }
  for (guint i = 0; i < self->children->len; i++)
    {
      g_autofree char *child_prefix = g_strconcat (prefix, *prefix ? "." : "",
                                                   (char *) g_ptr_array_index (self->child_names, i),
                                                   NULL);
      collect_parameters (g_ptr_array_index (self->children, i), child_prefix,
                          seen_modules, seen_params, params, names);
    }
}

static void
walk_parameters (GeModule  *self,
                 GPtrArray *params,
                 GPtrArray *names)
{
  g_autoptr(GHashTable) seen_modules = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) seen_params = g_hash_table_new (NULL, NULL);

  collect_parameters (self, "", seen_modules, seen_params, params, names);
}

GPtrArray *
ge_module_parameters (GeModule *self)
{
  GPtrArray *params;

  g_return_val_if_fail (self != NULL, NULL);

  params = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  walk_parameters (self, params, NULL);
  return params;
}

char **
ge_module_parameter_names (GeModule *self)
{
  GPtrArray *names;

  g_return_val_if_fail (self != NULL, NULL);

  names = g_ptr_array_new ();
  walk_parameters (self, NULL, names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

gboolean
ge_module_zero_grad (GeModule  *self,
                     gboolean   set_to_none,
                     GError   **error)
{
  g_autoptr(GPtrArray) params = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  params = ge_module_parameters (self);
  for (guint i = 0; i < params->len; i++)
    {
      GeTensor *p = g_ptr_array_index (params, i);
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
          /* p.grad.detach_(): the same storage without the history */
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
  return TRUE;
}

/* Python's _addindent(s, 2) */
static void
append_indented (GString    *out,
                 const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    {
      g_string_append_c (out, *c);
      if (*c == '\n')
        g_string_append (out, "  ");
    }
}

char *
ge_module_repr (GeModule *self)
{
  g_autofree char *extra = NULL;
  g_auto(GStrv) extra_lines = NULL;
  GString *out;
  guint n_extra = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->klass->extra_repr != NULL)
    extra = self->klass->extra_repr (self);
  if (extra != NULL && *extra != '\0')
    {
      extra_lines = g_strsplit (extra, "\n", -1);
      n_extra = g_strv_length (extra_lines);
    }

  out = g_string_new (self->klass->name);
  g_string_append_c (out, '(');
  if (n_extra == 1 && self->children->len == 0)
    g_string_append (out, extra_lines[0]);
  else if (n_extra > 0 || self->children->len > 0)
    {
      for (guint i = 0; i < n_extra; i++)
        {
          g_string_append (out, "\n  ");
          g_string_append (out, extra_lines[i]);
        }
      for (guint i = 0; i < self->children->len; i++)
        {
          g_autofree char *child = ge_module_repr (g_ptr_array_index (self->children, i));

          g_string_append_printf (out, "\n  (%s): ", (char *) g_ptr_array_index (self->child_names, i));
          append_indented (out, child);
        }
      g_string_append_c (out, '\n');
    }
  g_string_append_c (out, ')');
  return g_string_free (out, FALSE);
}

/* ---- Linear ---- */

typedef struct
{
  gint64 in_features;
  gint64 out_features;
} LinearPrivate;

static GeTensor *
linear_forward (GeModule   *self,
                GeTensor  **inputs,
                GError    **error)
{
  GeTensor *weight = ge_module_get_parameter (self, "weight");
  GeTensor *bias = ge_module_get_parameter (self, "bias");

  if (weight == NULL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_TYPE,
                           "linear(): argument 'weight' (position 2) must be Tensor, not NoneType");
      return NULL;
    }
  return ge_tensor_linear (inputs[0], weight, bias, error);
}

static char *
linear_extra_repr (GeModule *self)
{
  LinearPrivate *priv = self->priv;

  return g_strdup_printf ("in_features=%" G_GINT64_FORMAT ", out_features=%" G_GINT64_FORMAT ", bias=%s",
                          priv->in_features, priv->out_features,
                          ge_module_get_parameter (self, "bias") != NULL ? "True" : "False");
}

static const GeModuleClass linear_class = {
  .name = "Linear",
  .forward = linear_forward,
  .extra_repr = linear_extra_repr,
  .free_private = g_free,
};

GeModule *
ge_linear_new (gint64        in_features,
               gint64        out_features,
               gboolean      bias,
               GeGenerator  *generator,
               GError      **error)
{
  gint64 wsizes[2] = { out_features, in_features };
  g_autoptr(GeTensor) weight = NULL;
  g_autoptr(GeTensor) b = NULL;
  LinearPrivate *priv;
  GeModule *self;
  gboolean prev, ok = TRUE;

  if ((weight = ge_tensor_empty (2, wsizes, GE_DTYPE_FLOAT32, error)) == NULL)
    return NULL;
  if (bias && (b = ge_tensor_empty (1, &out_features, GE_DTYPE_FLOAT32, error)) == NULL)
    return NULL;

  /* reset_parameters(), under no_grad */
  prev = ge_grad_mode_set_enabled (FALSE);
  if (ge_tensor_numel (weight) > 0)
    {
      /* kaiming_uniform_(weight, a=sqrt(5)) in Python's double arithmetic */
      double a = sqrt (5.0);
      double gain = sqrt (2.0 / (1.0 + pow (a, 2.0)));
      double std = gain / sqrt ((double) in_features);
      double bound = sqrt (3.0) * std;

      ok = ge_tensor_uniform_ (weight, -bound, bound, generator, error);
    }
  if (ok && b != NULL)
    {
      double bound = in_features > 0 ? 1.0 / sqrt ((double) in_features) : 0.0;

      ok = ge_tensor_uniform_ (b, -bound, bound, generator, error);
    }
  ge_grad_mode_set_enabled (prev);
  if (!ok)
    return NULL;

  if (!ge_tensor_set_requires_grad (weight, TRUE, error) ||
      (b != NULL && !ge_tensor_set_requires_grad (b, TRUE, error)))
    return NULL;

  priv = g_new0 (LinearPrivate, 1);
  priv->in_features = in_features;
  priv->out_features = out_features;
  self = ge_module_new (&linear_class, priv);
  ge_module_register_parameter (self, "weight", weight);
  ge_module_register_parameter (self, "bias", b);
  return self;
}

GeTensor *
ge_linear_get_weight (GeModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass == &linear_class ? ge_module_get_parameter (self, "weight") : NULL;
}

GeTensor *
ge_linear_get_bias (GeModule *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->klass == &linear_class ? ge_module_get_parameter (self, "bias") : NULL;
}

/* ---- Sequential ---- */

static GeTensor *
sequential_forward (GeModule   *self,
                    GeTensor  **inputs,
                    GError    **error)
{
  GeTensor *x = ge_tensor_ref (inputs[0]);

  for (guint i = 0; i < self->children->len; i++)
    {
      GeTensor *next = ge_module_forward (g_ptr_array_index (self->children, i), x, error);

      ge_tensor_unref (x);
      if (next == NULL)
        return NULL;
      x = next;
    }
  return x;
}

static const GeModuleClass sequential_class = {
  .name = "Sequential",
  .forward = sequential_forward,
};

GeModule *
ge_sequential_new (int        n_modules,
                   GeModule **modules)
{
  GeModule *self;

  g_return_val_if_fail (n_modules >= 0 && (n_modules == 0 || modules != NULL), NULL);

  self = ge_module_new (&sequential_class, NULL);
  for (int i = 0; i < n_modules; i++)
    ge_sequential_append (self, modules[i]);
  return self;
}

void
ge_sequential_append (GeModule *self,
                      GeModule *module)
{
  char name[32];

  g_return_if_fail (self != NULL && self->klass == &sequential_class && module != NULL);

  g_snprintf (name, sizeof name, "%u", self->children->len);
  ge_module_add_module (self, name, module);
}

int
ge_sequential_get_length (GeModule *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return (int) self->children->len;
}

GeModule *
ge_sequential_get (GeModule  *self,
                   int        index,
                   GError   **error)
{
  int n;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->klass != &sequential_class)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_TYPE, "'%s' object is not subscriptable", self->klass->name);
      return NULL;
    }
  n = (int) self->children->len;
  if (index < -n || index >= n)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX, "index %d is out of range", index);
      return NULL;
    }
  return g_ptr_array_index (self->children, index < 0 ? index + n : index);
}

/* ---- Flatten ---- */

typedef struct
{
  int start_dim;
  int end_dim;
} FlattenPrivate;

static GeTensor *
flatten_forward (GeModule   *self,
                 GeTensor  **inputs,
                 GError    **error)
{
  FlattenPrivate *priv = self->priv;

  return ge_tensor_flatten (inputs[0], priv->start_dim, priv->end_dim, error);
}

static char *
flatten_extra_repr (GeModule *self)
{
  FlattenPrivate *priv = self->priv;

  return g_strdup_printf ("start_dim=%d, end_dim=%d", priv->start_dim, priv->end_dim);
}

static const GeModuleClass flatten_class = {
  .name = "Flatten",
  .forward = flatten_forward,
  .extra_repr = flatten_extra_repr,
  .free_private = g_free,
};

GeModule *
ge_flatten_new (int start_dim,
                int end_dim)
{
  FlattenPrivate *priv = g_new0 (FlattenPrivate, 1);

  priv->start_dim = start_dim;
  priv->end_dim = end_dim;
  return ge_module_new (&flatten_class, priv);
}

/* ---- activations ---- */

static GeTensor *
relu_forward (GeModule *self, GeTensor **inputs, GError **error)
{
  return ge_tensor_relu (inputs[0], error);
}

static GeTensor *
tanh_forward (GeModule *self, GeTensor **inputs, GError **error)
{
  return ge_tensor_tanh (inputs[0], error);
}

static GeTensor *
sigmoid_forward (GeModule *self, GeTensor **inputs, GError **error)
{
  return ge_tensor_sigmoid (inputs[0], error);
}

static const GeModuleClass relu_class = { .name = "ReLU", .forward = relu_forward };
static const GeModuleClass tanh_class = { .name = "Tanh", .forward = tanh_forward };
static const GeModuleClass sigmoid_class = { .name = "Sigmoid", .forward = sigmoid_forward };

GeModule *ge_relu_new (void) { return ge_module_new (&relu_class, NULL); }
GeModule *ge_tanh_new (void) { return ge_module_new (&tanh_class, NULL); }
GeModule *ge_sigmoid_new (void) { return ge_module_new (&sigmoid_class, NULL); }

/* ---- MSELoss ---- */

static const char * const loss_arguments[] = { "input", "target", NULL };

static GeTensor *
mse_loss_forward (GeModule   *self,
                  GeTensor  **inputs,
                  GError    **error)
{
  return ge_tensor_mse_loss (inputs[0], inputs[1], GPOINTER_TO_INT (self->priv), error);
}

static const GeModuleClass mse_loss_class = {
  .name = "MSELoss",
  .argument_names = loss_arguments,
  .forward = mse_loss_forward,
};

GeModule *
ge_mse_loss_new (GeReduction reduction)
{
  g_return_val_if_fail (reduction == GE_REDUCTION_NONE || reduction == GE_REDUCTION_MEAN ||
                        reduction == GE_REDUCTION_SUM, NULL);
  return ge_module_new (&mse_loss_class, GINT_TO_POINTER (reduction));
}
