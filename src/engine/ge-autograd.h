/* ge-autograd.h - PyTorch's autograd model, built to be watched step by step */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/*
 * Every differentiable op in ge-tensor.h, applied outside no-grad mode to a
 * tensor that requires grad, records a GeNode named as PyTorch 1.13 names its
 * grad_fn ("MulBackward0", "AccumulateGrad", ...).  Nodes are refcounted;
 * a graph lives as long as a tensor refers to it through grad_fn.
 */

typedef struct _GeNode GeNode;

/* ---- grad mode (torch.no_grad / torch.enable_grad) ---- */

gboolean     ge_grad_mode_is_enabled      (void);
/* Returns the previous mode, to restore with another call: nestable. */
gboolean     ge_grad_mode_set_enabled     (gboolean        enabled);

/* ---- per-tensor autograd state ---- */

gboolean     ge_tensor_requires_grad      (const GeTensor *self);
/* requires_grad_(): leaves only ("you can only change requires_grad flags of
 * leaf variables...") and floating dtypes only ("only Tensors of floating
 * point dtype can require gradients"). */
gboolean     ge_tensor_set_requires_grad  (GeTensor       *self,
                                           gboolean        requires_grad,
                                           GError        **error);
gboolean     ge_tensor_is_leaf            (const GeTensor *self);
/* The accumulated gradient (borrowed; NULL when None). */
GeTensor    *ge_tensor_get_grad           (const GeTensor *self);
/* x.grad = value (NULL for None); value must match shape and dtype. */
gboolean     ge_tensor_set_grad           (GeTensor       *self,
                                           GeTensor       *grad,
                                           GError        **error);
/* The node that made @self (borrowed; NULL for leaves). */
/* For a view made in no_grad mode or by unbind whose base was changed in
 * place since: PyTorch's error for asking its grad_fn (NULL otherwise). */
const char  *ge_tensor_get_view_error    (GeTensor       *self);
GeNode      *ge_tensor_get_grad_fn        (const GeTensor *self);
/* The name for error messages and graph pictures: the grad_fn's name, or
 * NULL. */
const char  *ge_tensor_get_grad_fn_name   (const GeTensor *self);
/* detach(): shares storage (and version counter), no graph. */
GeTensor    *ge_tensor_detach             (GeTensor       *self);
/* x.data: an alias without autograd; x.data = t swaps in t's data, keeping
 * x's identity, requires_grad and grad (as the notebooks do). */
GeTensor    *ge_tensor_get_data           (GeTensor       *self);
gboolean     ge_tensor_set_data           (GeTensor       *self,
                                           GeTensor       *data,
                                           GError        **error);
/* retain_grad(): a non-leaf keeps its .grad after backward. */
void         ge_tensor_retain_grad        (GeTensor       *self);
/* The variable name the user gave (shown in graph snapshots). */
void         ge_tensor_set_name           (GeTensor       *self,
                                           const char     *name);
const char  *ge_tensor_get_name           (const GeTensor *self);

/* ---- nodes ---- */

GeNode      *ge_node_ref                  (GeNode         *node);
void         ge_node_unref                (GeNode         *node);
const char  *ge_node_get_name             (const GeNode   *node);
/* Creation order; AccumulateGrad nodes report G_MAXUINT64 as in PyTorch. */
guint64      ge_node_get_sequence_nr      (const GeNode   *node);
/* next_functions: edge @i leads to a node (borrowed, NULL for an input that
 * needs no grad) and that node's input number. */
int          ge_node_get_n_next           (const GeNode   *node);
GeNode      *ge_node_get_next             (const GeNode   *node,
                                           int             i,
                                           int            *input_nr);
/* For an input that needs no grad (edge @i is NULL): its value when small
 * (<= 64 elements; a constant like the 3 in 3 * x), else NULL. Borrowed. */
GeTensor    *ge_node_get_input_value      (const GeNode   *node,
                                           int             i);
/* Shape and dtype of forward input @i (what the gradient along edge @i
 * must have) and of output @i; @sizes holds GE_MAX_DIMS. */
void         ge_node_get_input_meta       (const GeNode   *node,
                                           int             i,
                                           int            *ndim,
                                           gint64         *sizes,
                                           GeDType        *dtype);
void         ge_node_get_output_meta      (const GeNode   *node,
                                           int             i,
                                           int            *ndim,
                                           gint64         *sizes,
                                           GeDType        *dtype);
/* Which output of its grad_fn @self is (0 for leaves). */
int          ge_tensor_get_output_nr      (const GeTensor *self);
/* AccumulateGrad: the leaf it accumulates into (borrowed). */
GeTensor    *ge_node_get_variable         (const GeNode   *node);
int          ge_node_get_n_outputs        (const GeNode   *node);
/* The forward value of output @i (an alias without autograd, borrowed),
 * kept for forward replay; NULL once released or for AccumulateGrad. */
GeTensor    *ge_node_get_output_value     (const GeNode   *node,
                                           int             i);
/* The tensors this node saved for backward (aliases, borrowed). */
int          ge_node_get_n_saved          (const GeNode   *node);
GeTensor    *ge_node_get_saved_value      (const GeNode   *node,
                                           int             i);
/* TRUE after a backward without retain_graph freed the saved tensors. */
gboolean     ge_node_is_released          (const GeNode   *node);

/* ---- backward ---- */

/* tensor.backward(gradient, retain_graph, create_graph); @gradient NULL for
 * scalars ("grad can be implicitly created only for scalar outputs"). */
gboolean     ge_tensor_backward           (GeTensor       *self,
                                           GeTensor       *gradient,
                                           gboolean        retain_graph,
                                           gboolean        create_graph,
                                           GError        **error);

/* torch.autograd.grad: returns a newly allocated array of @n_inputs new
 * references (entries NULL for unused inputs with @allow_unused), or NULL on
 * error.  Never touches .grad.  @grad_outputs may be NULL or hold NULLs. */
GeTensor   **ge_autograd_grad             (int             n_outputs,
                                           GeTensor      **outputs,
                                           int             n_inputs,
                                           GeTensor      **inputs,
                                           GeTensor      **grad_outputs,
                                           gboolean        retain_graph,
                                           gboolean        create_graph,
                                           gboolean        allow_unused,
                                           GError        **error);
void         ge_autograd_grad_free        (GeTensor      **grads,
                                           int             n_inputs);

/* ---- stepping: the backward pass one node at a time ---- */

typedef struct _GeBackwardRun GeBackwardRun;

/* What one step did.  All tensors are borrowed from the run and valid until
 * the next step or ge_backward_run_free(). */
typedef struct
{
  GeNode     *node;
  const char *name;
  guint64     sequence_nr;
  /* gradient arriving at each of the node's outputs (summed over edges) */
  int         n_incoming;
  GeTensor  **incoming;
  /* per next edge: the gradient sent (NULL where none, reduced to the
   * input's shape) and, for elementwise ops, the local derivative factor
   * d output / d input with the output's shape, so that incoming[0] x
   * local[i] is the contribution before broadcast dims are summed away
   * (NULL for other ops) */
  int         n_edges;
  GeTensor  **outgoing;
  GeTensor  **local;
  /* AccumulateGrad (or an autograd.grad capture): the leaf and its .grad
   * before and after this step (before is NULL when it was None) */
  GeTensor   *variable;
  GeTensor   *grad_before;
  GeTensor   *grad_after;
  /* TRUE when this step captured a gradient for autograd.grad instead */
  gboolean    captured;
} GeBackwardStep;

/* Begins a backward from @roots (with @grad_outputs, NULLs for implicit
 * ones).  With @inputs (autograd.grad) gradients reaching them are captured
 * instead of accumulated into .grad. */
GeBackwardRun *ge_backward_run_new        (int             n_roots,
                                           GeTensor      **roots,
                                           GeTensor      **grad_outputs,
                                           int             n_inputs,
                                           GeTensor      **inputs,
                                           gboolean        retain_graph,
                                           gboolean        create_graph,
                                           GError        **error);
/* Runs exactly one node.  Returns the step, or NULL when the pass is done
 * (@error unset) or failed (@error set). */
const GeBackwardStep *ge_backward_run_step (GeBackwardRun *run,
                                            GError       **error);
gboolean     ge_backward_run_is_done      (GeBackwardRun  *run);
/* The captured gradient of input @i (borrowed; NULL if unused). */
GeTensor    *ge_backward_run_get_captured (GeBackwardRun  *run,
                                           int             i);
/* Nodes in the order they will run are not known in advance (PyTorch decides
 * as gradients arrive); this is how many have run so far. */
guint        ge_backward_run_get_n_steps  (GeBackwardRun  *run);
void         ge_backward_run_free         (GeBackwardRun  *run);

/* ---- custom functions (torch.autograd.Function) ---- */

typedef struct _GeFunctionCtx GeFunctionCtx;

/* Runs with grad mode off; returns the output (new ref) or NULL + error. */
typedef GeTensor *(*GeFunctionForward)  (GeFunctionCtx  *ctx,
                                         int             n_inputs,
                                         GeTensor      **inputs,
                                         gpointer        user_data,
                                         GError        **error);
/* Fills @grad_inputs[i] (new refs, NULL for none) from @grad_output. */
typedef gboolean  (*GeFunctionBackward) (GeFunctionCtx  *ctx,
                                         GeTensor       *grad_output,
                                         int             n_inputs,
                                         GeTensor      **grad_inputs,
                                         gpointer        user_data,
                                         GError        **error);

/* Applies a user-defined op; its node is named "<@name>Backward" like
 * PyTorch's custom Function classes (LegendrePolynomial3Backward). */
GeTensor    *ge_function_apply            (const char         *name,
                                           GeFunctionForward   forward,
                                           GeFunctionBackward  backward,
                                           gpointer            user_data,
                                           GDestroyNotify      user_data_free,
                                           int                 n_inputs,
                                           GeTensor          **inputs,
                                           GError            **error);
/* ctx.save_for_backward(*tensors) */
void         ge_function_ctx_save_for_backward (GeFunctionCtx *ctx,
                                                int            n,
                                                GeTensor     **tensors);
int          ge_function_ctx_get_n_saved  (GeFunctionCtx  *ctx);
/* ctx.saved_tensors[i] (new ref), version-checked like PyTorch. */
GeTensor    *ge_function_ctx_get_saved    (GeFunctionCtx  *ctx,
                                           int             i,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeNode, ge_node_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeBackwardRun, ge_backward_run_free)

G_END_DECLS
