/* ge-custom.c - user-defined differentiable functions (torch.autograd.Function) */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "ge-autograd-private.h"

struct _GeFunctionCtx
{
  GeNode             *node;          /* weak: set once the node exists */
  GPtrArray          *pending;       /* tensors saved during forward */
  GeFunctionBackward  backward;
  gpointer            user_data;
  GDestroyNotify      user_data_free;
  int                 n_inputs;
};

static void
ctx_free (gpointer data)
{
  GeFunctionCtx *ctx = data;

  if (ctx->user_data_free != NULL)
    ctx->user_data_free (ctx->user_data);
  g_clear_pointer (&ctx->pending, g_ptr_array_unref);
  g_free (ctx);
}

void
ge_function_ctx_save_for_backward (GeFunctionCtx  *ctx,
                                   int             n,
                                   GeTensor      **tensors)
{
  g_return_if_fail (ctx != NULL);

  g_ptr_array_set_size (ctx->pending, 0);
  for (int i = 0; i < n; i++)
    g_ptr_array_add (ctx->pending, tensors[i] ? ge_tensor_ref (tensors[i]) : NULL);
}

int
ge_function_ctx_get_n_saved (GeFunctionCtx *ctx)
{
  g_return_val_if_fail (ctx != NULL, 0);
  if (ctx->node != NULL)
    return ctx->node->n_saved;
  return ctx->pending->len;
}

GeTensor *
ge_function_ctx_get_saved (GeFunctionCtx  *ctx,
                           int             i,
                           GError        **error)
{
  g_return_val_if_fail (ctx != NULL, NULL);

  if (ctx->node == NULL)
    {
      /* still inside forward: hand back what was saved */
      GeTensor *t;
      g_return_val_if_fail (i >= 0 && i < (int) ctx->pending->len, NULL);
      t = g_ptr_array_index (ctx->pending, i);
      return t != NULL ? ge_tensor_ref (t) : NULL;
    }
  g_return_val_if_fail (i >= 0 && i < ctx->node->n_saved, NULL);
  return ge_node_unpack (ctx->node, i, error);
}

static gboolean
custom_backward (GeNode     *node,
                 GeTensor  **grads,
                 GeTensor  **grad_inputs,
                 GeTensor  **locals,
                 GError    **error)
{
  GeFunctionCtx *ctx = node->data;

  if (!ctx->backward (ctx, grads[0], ctx->n_inputs, grad_inputs, ctx->user_data, error))
    {
      for (int i = 0; i < ctx->n_inputs; i++)
        g_clear_pointer (&grad_inputs[i], ge_tensor_unref);
      if (error != NULL && *error == NULL)
        g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "%s failed without an error", node->name);
      return FALSE;
    }
  return TRUE;
}

GeTensor *
ge_function_apply (const char          *name,
                   GeFunctionForward    forward,
                   GeFunctionBackward   backward,
                   gpointer             user_data,
                   GDestroyNotify       user_data_free,
                   int                  n_inputs,
                   GeTensor           **inputs,
                   GError             **error)
{
  GeFunctionCtx *ctx;
  GeTensor *out;
  GeNode *node;
  gboolean prev;

  g_return_val_if_fail (name != NULL && forward != NULL && backward != NULL, NULL);

  ctx = g_new0 (GeFunctionCtx, 1);
  ctx->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  ctx->backward = backward;
  ctx->user_data = user_data;
  ctx->user_data_free = user_data_free;
  ctx->n_inputs = n_inputs;

  prev = ge_grad_mode_set_enabled (FALSE);
  out = forward (ctx, n_inputs, inputs, user_data, error);
  ge_grad_mode_set_enabled (prev);

  if (out == NULL || !ge_autograd_should_record (n_inputs, inputs))
    {
      if (out == NULL && error != NULL && *error == NULL)
        g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "%s.forward returned no tensor", name);
      ctx_free (ctx);
      return out;
    }

  node = ge_node_new (NULL, custom_backward, n_inputs, inputs, 1);
  node->owned_name = g_strconcat (name, "Backward", NULL);
  node->name = node->owned_name;
  node->data = ctx;
  node->data_free = ctx_free;
  ctx->node = node;

  /* The output is not a view of anything any more: it gets this history. */
  ge_node_set_output (node, 0, out);
  for (guint i = 0; i < ctx->pending->len; i++)
    {
      GeTensor *t = g_ptr_array_index (ctx->pending, i);
      if (t == out)
        ge_node_save_output (node, out, 0);
      else
        ge_node_save (node, t);
    }
  g_ptr_array_set_size (ctx->pending, 0);
  ge_node_unref (node);
  return out;
}
