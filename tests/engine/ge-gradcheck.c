/* ge-gradcheck.c - finite-difference checks of the engine's gradients */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-gradcheck.h"

/*
 * The numeric Jacobian is measured once, column by column (two calls per
 * input element); each probe then compares v^T J with the gradients that
 * ge_autograd_grad() returns for the upstream gradient v.
 */

typedef struct
{
  int        n_diff;
  int       *diff;       /* indices of the inputs that require grad */
  int        out_ndim;
  gint64     out_sizes[GE_MAX_DIMS];
  gint64     out_numel;
} Shape;

static void
shape_clear (Shape *shape)
{
  g_free (shape->diff);
}

/* The float64 element at row-major @index of @t, through its strides. */
static double *
element_ptr (GeTensor *t,
             gint64    index)
{
  int ndim = ge_tensor_get_ndim (t);
  const gint64 *sizes = ge_tensor_get_sizes (t);
  const gint64 *strides = ge_tensor_get_strides (t);
  gint64 offset = 0;

  for (int d = ndim - 1; d >= 0; d--)
    {
      offset += (index % sizes[d]) * strides[d];
      index /= sizes[d];
    }
  return (double *) ge_tensor_data_ptr (t) + offset;
}

static char *
shape_string (const GeTensor *t)
{
  return ge_shape_to_string (ge_tensor_get_sizes (t), ge_tensor_get_ndim (t));
}

static char *
doubles_string (const double *values,
                gint64        n)
{
  GString *s = g_string_new ("[");

  for (gint64 i = 0; i < n; i++)
    g_string_append_printf (s, "%s%.9g", i ? ", " : "", values[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Calls @func; on success returns its output's values (float64, row-major). */
static double *
evaluate (GeGradcheckFunc   func,
          gpointer          user_data,
          GeTensor        **inputs,
          const Shape      *shape,
          char            **failure)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) out = func (inputs, user_data, &error);

  if (out == NULL)
    {
      *failure = g_strdup_printf ("the function failed: %s", error ? error->message : "(no error)");
      return NULL;
    }
  if (ge_tensor_get_ndim (out) != shape->out_ndim ||
      memcmp (ge_tensor_get_sizes (out), shape->out_sizes, sizeof (gint64) * shape->out_ndim) != 0)
    {
      g_autofree char *got = shape_string (out);
      *failure = g_strdup_printf ("the output changed shape to %s", got);
      return NULL;
    }
  return ge_tensor_to_doubles (out, NULL);
}

static gboolean
check_inputs (int         n_inputs,
              GeTensor  **inputs,
              Shape      *shape,
              char      **failure)
{
  shape->diff = g_new0 (int, MAX (n_inputs, 1));
  for (int i = 0; i < n_inputs; i++)
    {
      if (inputs[i] == NULL || !ge_tensor_requires_grad (inputs[i]))
        continue;
      if (ge_tensor_get_dtype (inputs[i]) != GE_DTYPE_FLOAT64 || !ge_tensor_is_leaf (inputs[i]))
        {
          *failure = g_strdup_printf ("input %d must be a float64 leaf (gradcheck works in float64)", i);
          return FALSE;
        }
      shape->diff[shape->n_diff++] = i;
    }
  if (shape->n_diff == 0)
    {
      *failure = g_strdup ("no input requires grad");
      return FALSE;
    }
  return TRUE;
}

/* Analytic gradients for upstream @v; compared with v^T J. */
static gboolean
check_probe (GeGradcheckFunc           func,
             gpointer                  user_data,
             GeTensor                **inputs,
             const Shape              *shape,
             double                  **jacobian,
             const double             *v,
             int                       probe,
             const GeGradcheckOptions *options,
             char                    **failure)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) out = func (inputs, user_data, &error);
  g_autoptr(GeTensor) upstream = NULL;
  g_autofree GeTensor **diff_inputs = g_new0 (GeTensor *, shape->n_diff);
  g_autofree GeTensor **grads_before = g_new0 (GeTensor *, shape->n_diff);
  g_autoptr(GPtrArray) values_before = g_ptr_array_new_with_free_func (g_free);
  GeTensor **grads = NULL;
  gboolean ok = TRUE;

  if (out == NULL)
    {
      *failure = g_strdup_printf ("the function failed: %s", error ? error->message : "(no error)");
      return FALSE;
    }
  for (int k = 0; k < shape->n_diff; k++)
    {
      diff_inputs[k] = inputs[shape->diff[k]];
      grads_before[k] = ge_tensor_get_grad (diff_inputs[k]);
      g_ptr_array_add (values_before, grads_before[k] ? ge_tensor_to_doubles (grads_before[k], NULL) : NULL);
    }

  upstream = ge_tensor_new_from_data (v, GE_DTYPE_FLOAT64, shape->out_ndim, shape->out_sizes, &error);
  g_assert_no_error (error);
  if (ge_tensor_requires_grad (out))
    {
      grads = ge_autograd_grad (1, &out, shape->n_diff, diff_inputs, &upstream,
                                FALSE, FALSE, TRUE, &error);
      if (grads == NULL)
        {
          *failure = g_strdup_printf ("autograd.grad failed: %s", error ? error->message : "(no error)");
          return FALSE;
        }
    }

  for (int k = 0; ok && k < shape->n_diff; k++)
    {
      GeTensor *x = diff_inputs[k];
      GeTensor *g = grads != NULL ? grads[k] : NULL;
      gint64 n = ge_tensor_numel (x);
      g_autofree double *analytic = g != NULL ? ge_tensor_to_doubles (g, NULL) : g_new0 (double, MAX (n, 1));
      g_autofree double *numeric = g_new0 (double, MAX (n, 1));

      if (ge_tensor_get_grad (x) != grads_before[k])
        {
          *failure = g_strdup_printf ("autograd.grad replaced the .grad of input %d", shape->diff[k]);
          ok = FALSE;
          break;
        }
      if (grads_before[k] != NULL)
        {
          g_autofree double *after = ge_tensor_to_doubles (grads_before[k], NULL);
          if (memcmp (after, values_before->pdata[k], sizeof (double) * ge_tensor_numel (grads_before[k])) != 0)
            {
              *failure = g_strdup_printf ("autograd.grad changed the values of input %d's .grad",
                                          shape->diff[k]);
              ok = FALSE;
              break;
            }
        }
      if (g != NULL && ge_tensor_get_dtype (g) != ge_tensor_get_dtype (x))
        {
          *failure = g_strdup_printf ("the gradient of input %d has dtype %s, expected %s", shape->diff[k],
                                      ge_dtype_name (ge_tensor_get_dtype (g)),
                                      ge_dtype_name (ge_tensor_get_dtype (x)));
          ok = FALSE;
          break;
        }
      if (g != NULL && (ge_tensor_get_ndim (g) != ge_tensor_get_ndim (x) ||
                        memcmp (ge_tensor_get_sizes (g), ge_tensor_get_sizes (x),
                                sizeof (gint64) * ge_tensor_get_ndim (x)) != 0))
        {
          g_autofree char *gs = shape_string (g);
          g_autofree char *xs = shape_string (x);
          *failure = g_strdup_printf ("the gradient of input %d has shape %s, expected %s",
                                      shape->diff[k], gs, xs);
          ok = FALSE;
          break;
        }

      for (gint64 j = 0; j < n; j++)
        for (gint64 o = 0; o < shape->out_numel; o++)
          numeric[j] += v[o] * jacobian[k][j * shape->out_numel + o];

      for (gint64 j = 0; j < n; j++)
        if (!(fabs (analytic[j] - numeric[j]) <= options->atol + options->rtol * fabs (numeric[j])))
          {
            g_autofree char *as = doubles_string (analytic, n);
            g_autofree char *ns = doubles_string (numeric, n);
            *failure = g_strdup_printf ("probe %d: the gradient of input %d differs at element %"
                                        G_GINT64_FORMAT ": analytic %.9g, numeric %.9g\n"
                                        "  analytic %s\n  numeric  %s",
                                        probe, shape->diff[k], j, analytic[j], numeric[j], as, ns);
            ok = FALSE;
            break;
          }
    }
  ge_autograd_grad_free (grads, shape->n_diff);
  return ok;
}

char *
ge_gradcheck (GeGradcheckFunc           func,
              gpointer                  user_data,
              int                       n_inputs,
              GeTensor                **inputs,
              const GeGradcheckOptions *options)
{
  GeGradcheckOptions defaults = GE_GRADCHECK_DEFAULTS;
  Shape shape = { 0 };
  double **jacobian = NULL;
  char *failure = NULL;
  GRand *rand = NULL;

  if (options == NULL)
    options = &defaults;
  if (!check_inputs (n_inputs, inputs, &shape, &failure))
    goto out;

  /* The output's shape and dtype, from one plain call. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GeTensor) out = func (inputs, user_data, &error);

    if (out == NULL)
      {
        failure = g_strdup_printf ("the function failed: %s", error ? error->message : "(no error)");
        goto out;
      }
    if (ge_tensor_get_dtype (out) != GE_DTYPE_FLOAT64)
      {
        failure = g_strdup_printf ("the output has dtype %s, expected torch.float64",
                                   ge_dtype_name (ge_tensor_get_dtype (out)));
        goto out;
      }
    shape.out_ndim = ge_tensor_get_ndim (out);
    memcpy (shape.out_sizes, ge_tensor_get_sizes (out), sizeof (gint64) * shape.out_ndim);
    shape.out_numel = ge_tensor_numel (out);
  }

  /* Central differences, one input element at a time. */
  jacobian = g_new0 (double *, shape.n_diff);
  for (int k = 0; k < shape.n_diff; k++)
    {
      GeTensor *x = inputs[shape.diff[k]];
      gint64 n = ge_tensor_numel (x);

      jacobian[k] = g_new0 (double, MAX (n * shape.out_numel, 1));
      for (gint64 j = 0; j < n; j++)
        {
          double *p = element_ptr (x, j);
          double orig = *p;
          g_autofree double *plus = NULL;
          g_autofree double *minus = NULL;

          *p = orig + options->eps;
          plus = evaluate (func, user_data, inputs, &shape, &failure);
          *p = orig - options->eps;
          minus = plus ? evaluate (func, user_data, inputs, &shape, &failure) : NULL;
          *p = orig;
          if (minus == NULL)
            goto out;
          for (gint64 o = 0; o < shape.out_numel; o++)
            jacobian[k][j * shape.out_numel + o] = (plus[o] - minus[o]) / (2 * options->eps);
        }
    }

  rand = g_rand_new_with_seed (options->seed);
  for (int probe = 0; probe < options->n_probes; probe++)
    {
      g_autofree double *v = g_new0 (double, MAX (shape.out_numel, 1));

      for (gint64 o = 0; o < shape.out_numel; o++)
        v[o] = g_rand_double_range (rand, -1.0, 1.0);
      if (!check_probe (func, user_data, inputs, &shape, jacobian, v, probe, options, &failure))
        goto out;
    }

out:
  if (rand != NULL)
    g_rand_free (rand);
  for (int k = 0; jacobian != NULL && k < shape.n_diff; k++)
    g_free (jacobian[k]);
  g_free (jacobian);
  shape_clear (&shape);
  return failure;
}

/* ---- second derivatives ---- */

typedef struct
{
  GeGradcheckFunc func;
  gpointer        user_data;
  int             n_inputs;   /* of func; the upstream gradient comes after */
} GradGrad;

/* The gradients of func for the upstream gradient inputs[n_inputs],
 * computed with create_graph, flattened and concatenated. */
static GeTensor *
first_derivatives (GeTensor **inputs,
                   gpointer   user_data,
                   GError   **error)
{
  GradGrad *gg = user_data;
  GeTensor *upstream = inputs[gg->n_inputs];
  g_autoptr(GeTensor) out = NULL;
  g_autoptr(GPtrArray) flat = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  g_autofree GeTensor **diff_inputs = g_new0 (GeTensor *, MAX (gg->n_inputs, 1));
  GeTensor **grads;
  int n_diff = 0;

  for (int i = 0; i < gg->n_inputs; i++)
    if (inputs[i] != NULL && ge_tensor_requires_grad (inputs[i]))
      diff_inputs[n_diff++] = inputs[i];

  out = gg->func (inputs, gg->user_data, error);
  if (out == NULL)
    return NULL;
  grads = ge_autograd_grad (1, &out, n_diff, diff_inputs, &upstream, FALSE, TRUE, TRUE, error);
  if (grads == NULL)
    return NULL;
  for (int k = 0; k < n_diff; k++)
    {
      gint64 minus_one = -1;
      g_autoptr(GeTensor) g = grads[k] ? ge_tensor_ref (grads[k])
                                       : ge_tensor_zeros_like (diff_inputs[k], NULL);
      GeTensor *f = ge_tensor_reshape (g, 1, &minus_one, error);

      if (f == NULL)
        {
          ge_autograd_grad_free (grads, n_diff);
          return NULL;
        }
      g_ptr_array_add (flat, f);
    }
  ge_autograd_grad_free (grads, n_diff);
  return ge_tensor_cat ((int) flat->len, (GeTensor **) flat->pdata, 0, error);
}

char *
ge_gradgradcheck (GeGradcheckFunc           func,
                  gpointer                  user_data,
                  int                       n_inputs,
                  GeTensor                **inputs,
                  const GeGradcheckOptions *options)
{
  GeGradcheckOptions defaults = GE_GRADCHECK_DEFAULTS;
  GradGrad gg = { func, user_data, n_inputs };
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) out = NULL;
  g_autoptr(GeTensor) upstream = NULL;
  g_autofree GeTensor **all = g_new0 (GeTensor *, n_inputs + 1);
  g_autofree double *v = NULL;
  GRand *rand;
  gint64 n;

  if (options == NULL)
    options = &defaults;
  out = func (inputs, user_data, &error);
  if (out == NULL)
    return g_strdup_printf ("the function failed: %s", error->message);

  /* A random upstream gradient, itself an input of the first derivatives. */
  n = ge_tensor_numel (out);
  v = g_new0 (double, MAX (n, 1));
  rand = g_rand_new_with_seed (options->seed ^ 0x5eed);
  for (gint64 o = 0; o < n; o++)
    v[o] = g_rand_double_range (rand, -1.0, 1.0);
  g_rand_free (rand);
  upstream = ge_tensor_new_from_data (v, GE_DTYPE_FLOAT64, ge_tensor_get_ndim (out),
                                      ge_tensor_get_sizes (out), &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_set_requires_grad (upstream, TRUE, NULL));

  memcpy (all, inputs, sizeof (GeTensor *) * n_inputs);
  all[n_inputs] = upstream;
  return ge_gradcheck (first_derivatives, &gg, n_inputs + 1, all, options);
}

void
ge_test_assert_gradcheck (const char *file,
                          int         line,
                          const char *what,
                          char       *failure)
{
  if (failure == NULL)
    return;
  g_error ("%s:%d: gradcheck of %s failed: %s", file, line, what, failure);
}
