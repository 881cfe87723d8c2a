/* ge-autograd-private.h - autograd internals: nodes, saved tensors, recording */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-autograd.h"
#include "ge-tensor-private.h"

G_BEGIN_DECLS

typedef struct
{
  GeNode *node;      /* owned; NULL when that input needs no grad */
  int     input_nr;
} GeEdge;

/* Shape, dtype and device of a forward input or output: gradients are
 * reduced, cast and (0-dim ones) moved to it (PyTorch's validate_outputs). */
typedef struct
{
  int      ndim;
  gint64   sizes[GE_MAX_DIMS];
  GeDType  dtype;
  GeDevice device;
} GeTensorMeta;

typedef struct
{
  GeTensor *value;      /* the input itself, or an alias of an output */
  guint64   version;    /* the storage version when saved */
  gboolean  is_output;  /* an output of this node: re-attached on unpack */
  int       output_nr;
} GeSaved;

/*
 * A backward formula: @grads holds the gradient for each output (NULL where
 * none arrived).  Fill @grad_inputs[i] (new refs) for each next edge that
 * needs one (ge_node_needs_grad); when @locals is non-NULL, also the local
 * derivative factor of elementwise ops (new refs, output-shaped).
 */
typedef gboolean (*GeNodeBackward) (GeNode     *node,
                                    GeTensor  **grads,
                                    GeTensor  **grad_inputs,
                                    GeTensor  **locals,
                                    GError    **error);

struct _GeNode
{
  int             ref_count;
  const char     *name;
  char           *owned_name;
  GeNodeBackward  backward;
  guint64         sequence_nr;

  int             n_next;
  GeEdge         *next;
  GeTensorMeta   *input_meta;
  /* small inputs that need no grad (constants such as the 3 in 3 * x),
   * aliased so that graph pictures can show them; NULL otherwise */
  GeTensor      **input_values;

  int             n_outputs;
  GeTensorMeta   *output_meta;
  /* aliases of the forward outputs (no autograd), for forward replay */
  GeTensor      **output_values;
  /* weak: outputs that asked for retain_grad() */
  GeTensor      **retained;

  int             n_saved;
  GeSaved        *saved;        /* saved_inline while there are at most 2 */
  GeSaved         saved_inline[2];
  gboolean        released;

  /* op parameters */
  double          scalars[4];
  int             n_ints;
  gint64          ints[2 * GE_MAX_DIMS];
  gpointer        data;
  GDestroyNotify  data_free;

  /* AccumulateGrad: the leaf (strong ref) */
  GeTensor       *variable;

  /* CopySlices: the in-place op's node it wraps (owned) */
  GeNode         *wrapped;

  /* ge-backward.c: this node's task in the backward run that claimed it
   * first (a node in several runs at once keeps the others in those runs'
   * own tables); NULL outside backward */
  gpointer        task;
};

typedef struct
{
  GeTensor *grad;
  GeNode   *grad_fn;          /* owned */
  int       output_nr;
  GeNode   *grad_accumulator; /* weak: cleared when the node dies */
  gboolean  retains_grad;
  char     *name;
  /* a differentiable view: the tensor it views (owned) */
  GeTensor *view_base;
  /* the version its grad_fn describes: after an in-place change of the
   * base or of any view, grad_fn is rebuilt as AsStridedBackward0 */
  guint64   view_version;
  /* made while grad mode was off: in-place changes in grad mode refused */
  gboolean  view_made_in_no_grad;
  /* one of several views one op returned (unbind): no in-place changes
   * while recording; the op's node (weak: its name for the error) */
  gboolean  view_of_multi_output;
  /* such a view after its base changed in place: PyTorch's error (owned) */
  char     *view_error;
} GeAutogradMeta;

/* The tensor's meta, created on demand. */
GeAutogradMeta *ge_autograd_meta_get     (GeTensor       *self);
void            ge_autograd_meta_free    (GeAutogradMeta *meta);

/* Grad mode on and some input requires grad. */
gboolean   ge_autograd_should_record     (int             n_inputs,
                                          GeTensor      **inputs);

/* A node with an edge per input (NULL inputs allowed: no edge). */
GeNode    *ge_node_new                   (const char     *name,
                                          GeNodeBackward  backward,
                                          int             n_inputs,
                                          GeTensor      **inputs,
                                          int             n_outputs);
gboolean   ge_node_needs_grad            (const GeNode   *node,
                                          int             i);
void       ge_node_save                  (GeNode         *node,
                                          GeTensor       *tensor);
void       ge_node_save_output           (GeNode         *node,
                                          GeTensor       *output,
                                          int             output_nr);
/* Saved tensor @i (new ref); NULL without an error for a saved None, NULL
 * with PyTorch's errors for freed
 * graphs and in-place modification. */
GeTensor  *ge_node_unpack                (GeNode         *node,
                                          int             i,
                                          GError        **error);
/* Makes @output an output of @node: requires_grad, grad_fn, output_nr. */
void       ge_node_set_output            (GeNode         *node,
                                          int             output_nr,
                                          GeTensor       *output);
/* Marks @view as a differentiable view of @base. */
void       ge_autograd_set_view_base     (GeTensor       *view,
                                          GeTensor       *base);
/* The edge a gradient for @t flows along (node ref'd), or NULL node. */
GeEdge     ge_autograd_edge_for          (GeTensor       *t);

/* For in-place ops: checks the leaf rules (PyTorch's errors). */
/* @other: the op's other input, or NULL */
gboolean   ge_autograd_check_inplace     (GeTensor       *self,
                                          GeTensor       *other,
                                          GError        **error);
/* Replaces @self's history by @node (output 0): the in-place op's node. */
void       ge_autograd_rebase_history    (GeTensor       *self,
                                          GeNode         *node);

/* Release the saved tensors after a backward without retain_graph. */
void       ge_node_release_saved         (GeNode         *node);

/* The AccumulateGrad backward (the engine special-cases it). */
gboolean   ge_accumulate_grad_backward   (GeNode         *node,
                                          GeTensor      **grads,
                                          GeTensor      **grad_inputs,
                                          GeTensor      **locals,
                                          GError        **error);

/* Sums @grad over broadcast dims down to @sizes (PyTorch's sum_to). */
GeTensor  *ge_autograd_sum_to            (GeTensor       *grad,
                                          int             ndim,
                                          const gint64   *sizes,
                                          GError        **error);

/* Runs @expr with grad mode off (the raw kernel under an autograd wrapper). */
#define GE_NO_GRAD(expr) ({                                     \
    gboolean ge_no_grad_prev__ = ge_grad_mode_set_enabled (FALSE); \
    __typeof__ (expr) ge_no_grad_result__ = (expr);             \
    ge_grad_mode_set_enabled (ge_no_grad_prev__);               \
    ge_no_grad_result__;                                        \
  })

G_END_DECLS
