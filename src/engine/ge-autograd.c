/* ge-autograd.c - autograd state: grad mode, tensor meta, nodes, saved tensors */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-autograd-private.h"
#include "ge-device-private.h"
#include "ge-ops-private.h"
#include "ge-pool.h"

/* The engine is used from one thread at a time (see docs/engine.md). */
static gboolean grad_mode_enabled = TRUE;
static guint64 next_sequence_nr = 0;

gboolean
ge_grad_mode_is_enabled (void)
{
  return grad_mode_enabled;
}

gboolean
ge_grad_mode_set_enabled (gboolean enabled)
{
  gboolean previous = grad_mode_enabled;

  grad_mode_enabled = !!enabled;
  return previous;
}

/* ---- tensor meta ---- */

static GePool meta_pool = GE_POOL_INIT (GeAutogradMeta);

GeAutogradMeta *
ge_autograd_meta_get (GeTensor *self)
{
  if (self->autograd == NULL)
    self->autograd = ge_pool_alloc0 (&meta_pool);
  return self->autograd;
}

static GeAutogradMeta *
meta_peek (const GeTensor *self)
{
  return self->autograd;
}

void
ge_autograd_meta_free (GeAutogradMeta *meta)
{
  if (meta == NULL)
    return;
  g_clear_pointer (&meta->grad, ge_tensor_unref);
  g_clear_pointer (&meta->view_base, ge_tensor_unref);
  g_clear_pointer (&meta->name, g_free);
  g_clear_pointer (&meta->view_error, g_free);
  if (meta->grad_fn != NULL)
    {
      GeNode *node = meta->grad_fn;
      if (node->retained != NULL && meta->output_nr < node->n_outputs)
        node->retained[meta->output_nr] = NULL;
      meta->grad_fn = NULL;
      ge_node_unref (node);
    }
  ge_pool_free (&meta_pool, meta);
}

/* ---- nodes ---- */

GeNode *
ge_node_ref (GeNode *node)
{
  g_return_val_if_fail (node != NULL, NULL);
  node->ref_count++;
  return node;
}

static GePool *node_pool_for (gsize ne,
                              gsize no);

static void
node_finalize (GeNode    *node,
               GPtrArray *pending)
{
  for (int i = 0; i < node->n_next; i++)
    if (node->next[i].node != NULL && --node->next[i].node->ref_count == 0)
      g_ptr_array_add (pending, node->next[i].node);
  for (int i = 0; i < node->n_next; i++)
    if (node->input_values != NULL)
      g_clear_pointer (&node->input_values[i], ge_tensor_unref);

  for (int i = 0; i < node->n_outputs; i++)
    if (node->output_values != NULL)
      g_clear_pointer (&node->output_values[i], ge_tensor_unref);
  ge_node_release_saved (node);
  if (node->saved != node->saved_inline)
    g_free (node->saved);
  if (node->data_free != NULL)
    node->data_free (node->data);
  if (node->variable != NULL)
    {
      GeAutogradMeta *meta = meta_peek (node->variable);
      if (meta != NULL && meta->grad_accumulator == node)
        meta->grad_accumulator = NULL;
      ge_tensor_unref (node->variable);
    }
  g_clear_pointer (&node->wrapped, ge_node_unref);
  g_free (node->owned_name);
  {
    GePool *pool = node_pool_for (MAX (node->n_next, 1), MAX (node->n_outputs, 1));

    if (pool != NULL)
      ge_pool_free (pool, node);
    else
      g_free (node);
  }
}

void
ge_node_unref (GeNode *node)
{
  /* Graphs can be 100k nodes deep: free iteratively, never recursively
   * (a node whose last reference goes while another is being finalized
   * waits on this stack). */
  static GPtrArray *pending = NULL;
  static gboolean running = FALSE;

  if (node == NULL)
    return;
  g_return_if_fail (node->ref_count > 0);
  if (--node->ref_count > 0)
    return;

  if (pending == NULL)
    pending = g_ptr_array_new ();
  g_ptr_array_add (pending, node);
  if (running)
    return;
  running = TRUE;
  while (pending->len > 0)
    node_finalize (g_ptr_array_steal_index_fast (pending, pending->len - 1), pending);
  running = FALSE;
}

const char *
ge_node_get_name (const GeNode *node)
{
  return node->name;
}

guint64
ge_node_get_sequence_nr (const GeNode *node)
{
  return node->sequence_nr;
}

int
ge_node_get_n_next (const GeNode *node)
{
  return node->n_next;
}

GeNode *
ge_node_get_next (const GeNode *node,
                  int           i,
                  int          *input_nr)
{
  g_return_val_if_fail (i >= 0 && i < node->n_next, NULL);
  if (input_nr != NULL)
    *input_nr = node->next[i].input_nr;
  return node->next[i].node;
}

static void
copy_meta (const GeTensorMeta *meta,
           int                *ndim,
           gint64             *sizes,
           GeDType            *dtype)
{
  if (ndim != NULL)
    *ndim = meta->ndim;
  if (sizes != NULL)
    memcpy (sizes, meta->sizes, sizeof (gint64) * meta->ndim);
  if (dtype != NULL)
    *dtype = meta->dtype;
}

void
ge_node_get_input_meta (const GeNode *node,
                        int           i,
                        int          *ndim,
                        gint64       *sizes,
                        GeDType      *dtype)
{
  g_return_if_fail (i >= 0 && i < node->n_next);
  copy_meta (&node->input_meta[i], ndim, sizes, dtype);
}

void
ge_node_get_output_meta (const GeNode *node,
                         int           i,
                         int          *ndim,
                         gint64       *sizes,
                         GeDType      *dtype)
{
  g_return_if_fail (i >= 0 && i < node->n_outputs);
  copy_meta (&node->output_meta[i], ndim, sizes, dtype);
}

int
ge_tensor_get_output_nr (const GeTensor *self)
{
  GeAutogradMeta *meta = meta_peek (self);

  return meta != NULL && meta->grad_fn != NULL ? meta->output_nr : 0;
}

GeTensor *
ge_node_get_input_value (const GeNode *node,
                         int           i)
{
  g_return_val_if_fail (i >= 0 && i < node->n_next, NULL);
  return node->input_values != NULL ? node->input_values[i] : NULL;
}

GeTensor *
ge_node_get_variable (const GeNode *node)
{
  return node->variable;
}

int
ge_node_get_n_outputs (const GeNode *node)
{
  return node->n_outputs;
}

GeTensor *
ge_node_get_output_value (const GeNode *node,
                          int           i)
{
  g_return_val_if_fail (i >= 0 && i < node->n_outputs, NULL);
  return node->output_values != NULL ? node->output_values[i] : NULL;
}

int
ge_node_get_n_saved (const GeNode *node)
{
  return node->released ? 0 : node->n_saved;
}

GeTensor *
ge_node_get_saved_value (const GeNode *node,
                         int           i)
{
  g_return_val_if_fail (i >= 0 && i < node->n_saved, NULL);
  return node->released ? NULL : node->saved[i].value;
}

gboolean
ge_node_is_released (const GeNode *node)
{
  return node->released;
}

static void
meta_from_tensor (GeTensorMeta   *meta,
                  const GeTensor *t)
{
  meta->ndim = t->ndim;
  memcpy (meta->sizes, t->sizes, sizeof (gint64) * t->ndim);
  meta->dtype = t->dtype;
  meta->device = ge_tensor_get_device (t);
}

/* A header over @t's storage and geometry without autograd state. */
static GeTensor *
plain_alias (GeTensor *t)
{
  return ge_tensor_new_with_storage (t->storage, t->dtype, t->ndim, t->sizes, t->strides, t->offset);
}

/* One block per node: the struct and its per-edge and per-output arrays
 * (node creation is on every op's path). */
static gsize
node_block_size (gsize ne,
                 gsize no)
{
  return sizeof (GeNode) + ne * (sizeof (GeEdge) + sizeof (GeTensorMeta) + sizeof (GeTensor *))
         + no * (sizeof (GeTensorMeta) + 2 * sizeof (GeTensor *));
}

/* Free lists for the common blocks: one output and up to NODE_POOLS edges
 * (pool i holds blocks with i + 1 edges). */
#define NODE_POOLS 3
static GePool node_pools[NODE_POOLS];

static GePool *
node_pool_for (gsize ne,
               gsize no)
{
  GePool *pool;

  if (no != 1 || ne > NODE_POOLS)
    return NULL;
  pool = &node_pools[ne - 1];
  if (pool->size == 0)
    pool->size = node_block_size (ne, no);
  return pool;
}

static GeNode *
node_alloc (const char *name,
            int         n_next,
            int         n_outputs)
{
  gsize ne = MAX (n_next, 1), no = MAX (n_outputs, 1);
  GePool *pool = node_pool_for (ne, no);
  char *block = pool != NULL ? ge_pool_alloc0 (pool) : g_malloc0 (node_block_size (ne, no));
  GeNode *node = (GeNode *) block;
  char *p = block + sizeof (GeNode);

  /* GeTensorMeta first: its gint64s want 8-byte alignment, as do the rest */
  node->input_meta = (GeTensorMeta *) p, p += ne * sizeof (GeTensorMeta);
  node->output_meta = (GeTensorMeta *) p, p += no * sizeof (GeTensorMeta);
  node->next = (GeEdge *) p, p += ne * sizeof (GeEdge);
  node->input_values = (GeTensor **) p, p += ne * sizeof (GeTensor *);
  node->output_values = (GeTensor **) p, p += no * sizeof (GeTensor *);
  node->retained = (GeTensor **) p;

  node->ref_count = 1;
  node->name = name;
  node->n_next = n_next;
  node->n_outputs = n_outputs;
  return node;
}

/* The leaf's AccumulateGrad, cached weakly in its meta as PyTorch does. */
static GeNode *
grad_accumulator_for (GeTensor *leaf)
{
  GeAutogradMeta *meta = ge_autograd_meta_get (leaf);
  GeNode *node;

  if (meta->grad_accumulator != NULL)
    return ge_node_ref (meta->grad_accumulator);

  node = node_alloc ("AccumulateGrad", 0, 1);
  node->sequence_nr = G_MAXUINT64;
  node->backward = ge_accumulate_grad_backward;
  node->variable = ge_tensor_ref (leaf);
  meta_from_tensor (&node->output_meta[0], leaf);
  meta->grad_accumulator = node;
  return node;
}

static void view_refresh (GeTensor *view);

GeEdge
ge_autograd_edge_for (GeTensor *t)
{
  GeEdge edge = { NULL, 0 };
  GeAutogradMeta *meta;

  if (t == NULL)
    return edge;
  meta = meta_peek (t);
  if (meta != NULL && meta->view_base != NULL)
    view_refresh (t);
  if (!t->requires_grad)
    return edge;
  if (meta != NULL && meta->grad_fn != NULL)
    {
      edge.node = ge_node_ref (meta->grad_fn);
      edge.input_nr = meta->output_nr;
    }
  else if (meta == NULL || meta->view_base == NULL)
    edge.node = grad_accumulator_for (t);
  /* else a view without history (made in no_grad mode): no edge */
  return edge;
}

gboolean
ge_autograd_should_record (int        n_inputs,
                           GeTensor **inputs)
{
  if (!grad_mode_enabled)
    return FALSE;
  for (int i = 0; i < n_inputs; i++)
    {
      GeTensor *t = inputs[i];

      if (t == NULL)
        continue;
      if (t->requires_grad)
        return TRUE;
      /* a view: its base may have come to require grad (zeros(3)[0] = x),
       * or it was made in no_grad mode of one that does */
      if (t->autograd != NULL && ((GeAutogradMeta *) t->autograd)->view_base != NULL &&
          ge_tensor_requires_grad (t))
        return TRUE;
    }
  return FALSE;
}

GeNode *
ge_node_new (const char     *name,
             GeNodeBackward  backward,
             int             n_inputs,
             GeTensor      **inputs,
             int             n_outputs)
{
  GeNode *node = node_alloc (name, n_inputs, n_outputs);

  node->backward = backward;
  node->sequence_nr = next_sequence_nr++;
  for (int i = 0; i < n_inputs; i++)
    {
      node->next[i] = ge_autograd_edge_for (inputs[i]);
      if (inputs[i] != NULL)
        {
          meta_from_tensor (&node->input_meta[i], inputs[i]);
          if (node->next[i].node == NULL && ge_tensor_numel (inputs[i]) <= 64)
            {
              node->input_values[i] = plain_alias (inputs[i]);
              node->input_values[i]->is_wrapped_number = inputs[i]->is_wrapped_number;
            }
        }
    }
  return node;
}

gboolean
ge_node_needs_grad (const GeNode *node,
                    int           i)
{
  return i >= 0 && i < node->n_next && node->next[i].node != NULL;
}

static GeSaved *
saved_append (GeNode *node)
{
  if (node->n_saved < (int) G_N_ELEMENTS (node->saved_inline))
    node->saved = node->saved_inline;
  else if (node->saved == node->saved_inline)
    {
      node->saved = g_new (GeSaved, node->n_saved + 1);
      memcpy (node->saved, node->saved_inline, sizeof node->saved_inline);
    }
  else
    node->saved = g_renew (GeSaved, node->saved, node->n_saved + 1);
  memset (&node->saved[node->n_saved], 0, sizeof (GeSaved));
  return &node->saved[node->n_saved++];
}

void
ge_node_save (GeNode   *node,
              GeTensor *tensor)
{
  GeSaved *saved = saved_append (node);

  /* NULL is a saved None (ctx.save_for_backward(x, None)) */
  saved->value = tensor != NULL ? ge_tensor_ref (tensor) : NULL;
  saved->version = tensor != NULL ? ge_tensor_get_version (tensor) : 0;
}

void
ge_node_save_output (GeNode   *node,
                     GeTensor *output,
                     int       output_nr)
{
  GeSaved *saved = saved_append (node);

  /* An alias, not the output itself: the output refers to this node. */
  saved->value = plain_alias (output);
  saved->version = ge_tensor_get_version (output);
  saved->is_output = TRUE;
  saved->output_nr = output_nr;
}

static const char *
tensor_type_name (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return "torch.BoolTensor";
    case GE_DTYPE_INT64:   return "torch.LongTensor";
    case GE_DTYPE_FLOAT32: return "torch.FloatTensor";
    case GE_DTYPE_FLOAT64:
    default:               return "torch.DoubleTensor";
    }
}

static void
set_backward_twice_error (GError **error)
{
  g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Trying to backward through the graph a second time (or directly "
                       "access saved tensors after they have already been freed). Saved "
                       "intermediate values of the graph are freed when you call .backward() "
                       "or autograd.grad(). Specify retain_graph=True if you need to backward "
                       "through the graph a second time or if you need to access saved "
                       "tensors after calling backward.");
}

GeTensor *
ge_node_unpack (GeNode  *node,
                int      i,
                GError **error)
{
  GeSaved *saved;
  guint64 version;

  g_return_val_if_fail (i >= 0 && i < node->n_saved, NULL);

  if (node->released)
    {
      set_backward_twice_error (error);
      return NULL;
    }

  saved = &node->saved[i];
  if (saved->value == NULL)
    return NULL;   /* a saved None: no error */
  version = ge_tensor_get_version (saved->value);
  if (version != saved->version)
    {
      g_autofree char *shape = ge_shape_to_string (saved->value->sizes, saved->value->ndim);
      g_autofree char *origin = NULL;
      const GeNode *maker = saved->is_output ? node : ge_tensor_get_grad_fn (saved->value);
      int output_nr = saved->is_output ? saved->output_nr
                    : (meta_peek (saved->value) ? meta_peek (saved->value)->output_nr : 0);

      if (maker != NULL)
        origin = g_strdup_printf (", which is output %d of %s,", output_nr, maker->name);
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "one of the variables needed for gradient computation has been modified by "
                   "an inplace operation: [%s %s]%s is at version %" G_GUINT64_FORMAT "; "
                   "expected version %" G_GUINT64_FORMAT " instead. Hint: enable anomaly "
                   "detection to find the operation that failed to compute its gradient, with "
                   "torch.autograd.set_detect_anomaly(True).",
                   tensor_type_name (saved->value->dtype), shape, origin ? origin : "",
                   version, saved->version);
      return NULL;
    }

  if (saved->is_output && grad_mode_enabled)
    {
      /* Double backward: the output again, attached to this node. */
      GeTensor *attached = plain_alias (saved->value);
      GeAutogradMeta *meta = ge_autograd_meta_get (attached);

      meta->grad_fn = ge_node_ref (node);
      meta->output_nr = saved->output_nr;
      attached->requires_grad = TRUE;
      return attached;
    }
  return ge_tensor_ref (saved->value);
}

void
ge_node_release_saved (GeNode *node)
{
  for (int i = 0; i < node->n_saved; i++)
    g_clear_pointer (&node->saved[i].value, ge_tensor_unref);
  if (node->n_saved > 0)
    node->released = TRUE;
  /* CopySlices releases its in-place op (PyTorch drops fn): whether or not
   * that saved anything, a second pass fails */
  if (node->wrapped != NULL)
    {
      ge_node_release_saved (node->wrapped);
      node->released = TRUE;
    }
}

void
ge_node_set_output (GeNode   *node,
                    int       output_nr,
                    GeTensor *output)
{
  GeAutogradMeta *meta = ge_autograd_meta_get (output);
  GeNode *old = meta->grad_fn;
  int old_output_nr = meta->output_nr;

  g_return_if_fail (output_nr >= 0 && output_nr < node->n_outputs);

  meta->grad_fn = ge_node_ref (node);
  meta->output_nr = output_nr;
  output->requires_grad = TRUE;
  meta_from_tensor (&node->output_meta[output_nr], output);
  g_clear_pointer (&node->output_values[output_nr], ge_tensor_unref);
  node->output_values[output_nr] = plain_alias (output);
  if (meta->retains_grad)
    node->retained[output_nr] = output;
  if (old != NULL)
    {
      /* the old node must not keep a weak pointer to this tensor */
      if (old->retained != NULL && old_output_nr < old->n_outputs &&
          old->retained[old_output_nr] == output)
        old->retained[old_output_nr] = NULL;
      ge_node_unref (old);
    }
}

void
ge_autograd_set_view_base (GeTensor *view,
                           GeTensor *base)
{
  GeAutogradMeta *meta = ge_autograd_meta_get (view);
  GeAutogradMeta *base_meta = meta_peek (base);

  /* Always point at the root base, as PyTorch's views do. */
  if (base_meta != NULL && base_meta->view_base != NULL)
    base = base_meta->view_base;
  g_clear_pointer (&meta->view_base, ge_tensor_unref);
  meta->view_base = ge_tensor_ref (base);
  meta->view_version = ge_tensor_get_version (view);
  meta->view_made_in_no_grad = !grad_mode_enabled;
}

/* PyTorch's handle_view_on_rebase message for a view that may not be
 * changed in place (made in no_grad mode, or one of several views one op
 * returned); @indirect: its base or another view of it was changed. */
static char *
view_rebase_message (const GeAutogradMeta *meta,
                     gboolean              indirect)
{
  const char *modified = indirect ? "its base or another view of its base has been" : "is being";
  g_autofree char *header = NULL;

  if (meta->grad_fn != NULL)
    header = g_strdup_printf ("Output %d of %s is a view and %s modified inplace.",
                              meta->output_nr, meta->grad_fn->name, modified);
  else
    header = g_strdup_printf ("A view was created in no_grad mode and %s modified inplace with "
                              "grad mode enabled.", modified);
  if (meta->view_of_multi_output)
    return g_strconcat (header, " This view is the output of a function that returns multiple "
                        "views. Such functions do not allow the output views to be modified "
                        "inplace. You should replace the inplace operation by an out-of-place "
                        "one.", NULL);
  return g_strconcat (header, " Given that this use case is ambiguous and error-prone, it is "
                      "forbidden. You can clarify your code by moving both the view and the "
                      "inplace either both inside the no_grad block (if you don't want the "
                      "inplace to be tracked) or both outside (if you want the inplace to be "
                      "tracked).", NULL);
}

/* PyTorch's check_inplace: only when grad mode is on and some input of the
 * op requires grad; the view rules first, then the leaf rule. */
gboolean
ge_autograd_check_inplace (GeTensor  *self,
                           GeTensor  *other,
                           GError   **error)
{
  GeAutogradMeta *meta = meta_peek (self);
  GeTensor *base = meta != NULL ? meta->view_base : NULL;
  gboolean self_requires_grad = ge_tensor_requires_grad (self);

  if (!grad_mode_enabled ||
      !(self_requires_grad || (other != NULL && ge_tensor_requires_grad (other))))
    return TRUE;
  if (base != NULL)
    {
      if (meta->view_of_multi_output || meta->view_made_in_no_grad)
        {
          g_autofree char *message = view_rebase_message (meta, FALSE);
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, message);
          return FALSE;
        }
      if (self_requires_grad && ge_tensor_is_leaf (base))
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                               "a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.");
          return FALSE;
        }
    }
  if (self_requires_grad && ge_tensor_is_leaf (self))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "a leaf Variable that requires grad is being used in an in-place operation.");
      return FALSE;
    }
  return TRUE;
}

/* ---- in-place changes of views: CopySlices and AsStridedBackward0 ----
 *
 * As in PyTorch 1.13 (torch/csrc/autograd/functions/tensor.cpp): an
 * in-place op on a view of a tensor that requires grad (or that makes it
 * require grad: zeros(3)[0] = x) moves the op into the base's history.  The
 * base's grad_fn becomes CopySlices, which runs the op's own node on the
 * view's slice of the base's gradient: its edge 0 goes to the base's old
 * history, the others to the op's other inputs.  Every view of that base
 * then describes a stale graph: the next time its grad_fn is asked for, it
 * is rebuilt as AsStridedBackward0 from the base's current history. */

typedef struct
{
  int      base_ndim;
  gint64   base_sizes[GE_MAX_DIMS];
  gint64   base_strides[GE_MAX_DIMS];
  gint64   base_offset;
  int      ndim;
  gint64   sizes[GE_MAX_DIMS];
  gint64   strides[GE_MAX_DIMS];
  gint64   offset;            /* in the base's storage */
} ViewGeometry;

static ViewGeometry *
view_geometry_new (const GeTensor *base,
                   const GeTensor *view)
{
  ViewGeometry *geo = g_new0 (ViewGeometry, 1);

  geo->base_ndim = base->ndim;
  memcpy (geo->base_sizes, base->sizes, sizeof (gint64) * base->ndim);
  memcpy (geo->base_strides, base->strides, sizeof (gint64) * base->ndim);
  geo->base_offset = base->offset;
  geo->ndim = view->ndim;
  memcpy (geo->sizes, view->sizes, sizeof (gint64) * view->ndim);
  memcpy (geo->strides, view->strides, sizeof (gint64) * view->ndim);
  geo->offset = view->offset;
  return geo;
}

/* A zeroed tensor with the base's geometry (its strides; storage offset 0
 * standing for the base's offset), the dtype and device of @like. */
static GeTensor *
base_shaped_zeros (const ViewGeometry  *geo,
                   GeTensor            *like,
                   GError             **error)
{
  gint64 extent = 1;
  GeStorage *storage;
  GeTensor *result;

  for (int d = 0; d < geo->base_ndim; d++)
    {
      if (geo->base_sizes[d] == 0)
        {
          extent = 0;
          break;
        }
      extent += (geo->base_sizes[d] - 1) * geo->base_strides[d];
    }
  storage = ge_storage_new (extent * ge_dtype_size (like->dtype), ge_tensor_get_device (like), error);
  if (storage == NULL)
    return NULL;
  result = ge_tensor_new_with_storage (storage, like->dtype, geo->base_ndim, geo->base_sizes,
                                       geo->base_strides, 0);
  ge_storage_unref (storage);
  {
    /* the whole storage, gaps included */
    gint64 n = extent;
    g_autoptr(GeTensor) flat = ge_tensor_new_with_storage (result->storage, like->dtype, 1, &n, NULL, 0);
    if (!ge_op_zero_ (flat, error))
      g_clear_pointer (&result, ge_tensor_unref);
  }
  return result;
}

/* The view's elements inside @result (made by base_shaped_zeros). */
static GeTensor *
view_slice (const ViewGeometry *geo,
            GeTensor           *result)
{
  return ge_op_as_strided (result, geo->ndim, geo->sizes, geo->strides, geo->offset - geo->base_offset);
}

/* Can two elements of a geometry share a place in memory?  (ATen's
 * _maybe_overlapping_memory: sorted by stride, each dim must step past all
 * the smaller ones; size-1 dims do not count.) */
static gboolean
may_overlap (int           ndim,
             const gint64 *geo_sizes,
             const gint64 *geo_strides)
{
  gint64 sizes[GE_MAX_DIMS], strides[GE_MAX_DIMS];
  gint64 reach = 0;
  int n = 0;

  for (int d = 0; d < ndim; d++)
    if (geo_sizes[d] > 1)
      {
        int i = n++;
        /* insertion by stride */
        while (i > 0 && strides[i - 1] > geo_strides[d])
          {
            sizes[i] = sizes[i - 1];
            strides[i] = strides[i - 1];
            i--;
          }
        sizes[i] = geo_sizes[d];
        strides[i] = geo_strides[d];
      }
  for (int i = 0; i < n; i++)
    {
      if (strides[i] <= reach)
        return TRUE;
      reach += (sizes[i] - 1) * strides[i];
    }
  return FALSE;
}

/* index_add_ of @grad (contiguous, the view's remaining dims) into @slice's
 * places, one element after the other in row-major order, as ATen's CPU
 * index_add_ runs over the flattened indices. */
static gboolean
index_add_into (GeTensor  *slice,
                GeTensor  *grad,
                GError   **error)
{
  gint64 numel = ge_tensor_numel (slice);
  gint64 index[GE_MAX_DIMS] = { 0 };
  const char *src = ge_tensor_data_ptr (grad);
  char *base = ge_tensor_data_ptr (slice);

  if (ge_tensor_get_device (slice) != GE_DEVICE_CPU)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
                           "the gradient of an overlapping view of a tensor changed in place "
                           "is computed on the CPU only in Gradlab");
      return FALSE;
    }
  for (gint64 i = 0; i < numel; i++)
    {
      gint64 off = 0;

      for (int d = 0; d < slice->ndim; d++)
        off += index[d] * slice->strides[d];
      if (slice->dtype == GE_DTYPE_FLOAT32)
        ((float *) (void *) base)[off] += ((const float *) (const void *) src)[i];
      else if (slice->dtype == GE_DTYPE_FLOAT64)
        ((double *) (void *) base)[off] += ((const double *) (const void *) src)[i];
      for (int d = slice->ndim - 1; d >= 0; d--)
        {
          if (++index[d] < slice->sizes[d])
            break;
          index[d] = 0;
        }
    }
  ge_tensor_bump_version (slice);
  return TRUE;
}

/* The base's gradient for the view's gradient @g, computed as ATen's
 * as_strided_backward does: size-1 dims dropped and stride-0 dims summed
 * (ATen's sum, last dim first), then copied into zeros of the base's
 * geometry, or index_add_-ed where the rest still overlaps. */
static GeTensor *
scatter_raw (GeTensor            *g,
             const ViewGeometry  *geo,
             GError             **error)
{
  g_autoptr(GeTensor) grad = ge_tensor_ref (g);
  g_autoptr(GeTensor) result = base_shaped_zeros (geo, g, error);
  g_autoptr(GeTensor) slice = NULL;
  gint64 sizes[GE_MAX_DIMS], strides[GE_MAX_DIMS];
  int n = 0;

  if (result == NULL)
    return NULL;
  for (int d = geo->ndim - 1; d >= 0; d--)
    {
      if (geo->sizes[d] == 0)
        return g_steal_pointer (&result);
      if (geo->sizes[d] == 1)
        {
          GeTensor *squeezed = ge_op_squeeze_dim (grad, d, error);
          if (squeezed == NULL)
            return NULL;
          ge_tensor_unref (grad);
          grad = squeezed;
        }
      else if (geo->strides[d] == 0)
        {
          GeTensor *summed = ge_op_sum_dims (grad, 1, &d, FALSE, error);
          if (summed == NULL)
            return NULL;
          ge_tensor_unref (grad);
          grad = summed;
        }
      else
        {
          memmove (sizes + 1, sizes, sizeof (gint64) * n);
          memmove (strides + 1, strides, sizeof (gint64) * n);
          sizes[0] = geo->sizes[d];
          strides[0] = geo->strides[d];
          n++;
        }
    }
  slice = ge_op_as_strided (result, n, sizes, strides, geo->offset - geo->base_offset);
  if (may_overlap (n, sizes, strides))
    {
      g_autoptr(GeTensor) dense = ge_op_contiguous (grad, error);
      if (dense == NULL || !index_add_into (slice, dense, error))
        return NULL;
    }
  else if (!ge_op_copy_ (slice, grad, error))
    return NULL;
  return g_steal_pointer (&result);
}

/* Records @output as made from @input by a node that owns @geo. */
static void
record_geometry_node (const char     *name,
                      GeNodeBackward  backward,
                      GeTensor       *input,
                      GeTensor       *output,
                      ViewGeometry   *geo)
{
  GeNode *node = ge_node_new (name, backward, 1, &input, 1);

  node->data = geo;
  node->data_free = g_free;
  ge_node_set_output (node, 0, output);
  ge_node_unref (node);
}

static gboolean base_is_contiguous (const ViewGeometry *geo);
static GeTensor *strided_gather (GeTensor *t, const ViewGeometry *geo, GError **error);

/* The backward of a scatter is a gather of the same geometry, and the
 * other way round: with create_graph both are recorded, so that the
 * gradients of in-place changes of views can be differentiated again. */
static gboolean
scatter_backward (GeNode     *node,
                  GeTensor  **g,
                  GeTensor  **gi,
                  GeTensor  **locals,
                  GError    **error)
{
  return (gi[0] = strided_gather (g[0], node->data, error)) != NULL;
}

static GeTensor *
strided_scatter (GeTensor            *g,
                 const ViewGeometry  *geo,
                 GError             **error)
{
  GeTensor *result = scatter_raw (g, geo, error);

  if (result != NULL && ge_autograd_should_record (1, &g))
    record_geometry_node ("AsStridedScatterBackward0", scatter_backward, g, result,
                          g_memdup2 (geo, sizeof *geo));
  return result;
}

static gboolean
gather_backward (GeNode     *node,
                 GeTensor  **g,
                 GeTensor  **gi,
                 GeTensor  **locals,
                 GError    **error)
{
  return (gi[0] = strided_scatter (g[0], node->data, error)) != NULL;
}

/* The view's elements of @t, a tensor of the base's shape (a contiguous
 * copy of them). */
static GeTensor *
strided_gather (GeTensor            *t,
                const ViewGeometry  *geo,
                GError             **error)
{
  g_autoptr(GeTensor) dense = NULL;
  g_autoptr(GeTensor) view = NULL;
  GeTensor *result;

  if (!base_is_contiguous (geo))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
                           "differentiating again through an in-place change of a view of a "
                           "non-contiguous tensor is not available in Gradlab yet");
      return NULL;
    }
  if ((dense = ge_op_contiguous (t, error)) == NULL)
    return NULL;
  view = ge_op_as_strided (dense, geo->ndim, geo->sizes, geo->strides, geo->offset - geo->base_offset);
  if ((result = ge_op_contiguous (view, error)) == NULL)
    return NULL;
  if (ge_autograd_should_record (1, &t))
    record_geometry_node ("AsStridedBackward0", gather_backward, t, result,
                          g_memdup2 (geo, sizeof *geo));
  return result;
}

static gboolean
base_is_contiguous (const ViewGeometry *geo)
{
  gint64 expected = 1;

  for (int d = geo->base_ndim - 1; d >= 0; d--)
    {
      if (geo->base_sizes[d] != 1 && geo->base_strides[d] != expected)
        return FALSE;
      expected *= geo->base_sizes[d];
    }
  return TRUE;
}

/* AsStridedBackward0 for a rebuilt view: the base's gradient is zero but
 * for the view's elements, which get the view's gradient. */
static gboolean
as_strided_view_backward (GeNode     *node,
                          GeTensor  **g,
                          GeTensor  **gi,
                          GeTensor  **locals,
                          GError    **error)
{
  return (gi[0] = strided_scatter (g[0], node->data, error)) != NULL;
}

/* CopySlices: the in-place op's node on the view's part of the gradient.
 * Without create_graph, as PyTorch's CopySlices::apply computes it; with it,
 * as recorded ops (gather, the op's formula, where(view, scatter, grad)) of
 * the same values, so that the result can be differentiated again. */
static gboolean
copy_slices_backward (GeNode     *node,
                      GeTensor  **g,
                      GeTensor  **gi,
                      GeTensor  **locals,
                      GError    **error)
{
  const ViewGeometry *geo = node->data;
  GeNode *fn = node->wrapped;
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) slice = NULL;
  g_autoptr(GeTensor) slice_grad = NULL;
  g_autofree GeTensor **res = g_new0 (GeTensor *, MAX (fn->n_next, 1));
  gboolean recording = ge_grad_mode_is_enabled ();
  gboolean ok;

  if (node->released)
    {
      set_backward_twice_error (error);
      return FALSE;
    }
  if (!recording)
    {
      result = base_shaped_zeros (geo, g[0], error);
      if (result == NULL || !ge_op_copy_ (result, g[0], error))
        return FALSE;
      slice = view_slice (geo, result);
      if ((slice_grad = ge_op_clone (slice, error)) == NULL)
        return FALSE;
    }
  else if ((slice_grad = strided_gather (g[0], geo, error)) == NULL)
    return FALSE;

  ok = fn->backward (fn, &slice_grad, res, NULL, error);
  if (ok && res[0] != NULL && ge_node_needs_grad (node, 0))
    {
      if (!recording)
        {
          ok = ge_op_copy_ (slice, res[0], error);
          if (ok)
            gi[0] = ge_tensor_ref (result);
        }
      else
        {
          /* where the view is, its gradient; elsewhere the incoming one */
          gint64 one_size = 1;
          g_autoptr(GeTensor) ones = ge_tensor_new_contiguous_on (ge_tensor_get_device (g[0]), 0,
                                                                  &one_size, GE_DTYPE_BOOL, error);
          g_autoptr(GeTensor) ones_view = NULL, mask = NULL, scattered = NULL;

          ok = ones != NULL && ge_op_fill_ (ones, 1.0, error) &&
               (ones_view = ge_op_expand (ones, geo->ndim, geo->sizes, error)) != NULL &&
               (mask = scatter_raw (ones_view, geo, error)) != NULL &&
               (scattered = strided_scatter (res[0], geo, error)) != NULL &&
               (gi[0] = ge_tensor_where (mask, scattered, g[0], error)) != NULL;
        }
    }
  for (int i = 1; i < fn->n_next; i++)
    if (ok && ge_node_needs_grad (node, i))
      gi[i] = g_steal_pointer (&res[i]);
  for (int i = 0; i < fn->n_next; i++)
    g_clear_pointer (&res[i], ge_tensor_unref);
  return ok;
}

/* A view whose base changed in place although it may not follow (made in
 * no_grad mode, or one of several views of one op): PyTorch raises when its
 * grad_fn is asked for.  Here it gets a node that raises that error when a
 * backward pass reaches it, and ge_tensor_get_view_error() has the message
 * (the kernel raises it where PyTorch does: grad_fn, printing). */
static gboolean
invalid_view_backward (GeNode     *node,
                       GeTensor  **g,
                       GeTensor  **gi,
                       GError    **error)
{
  g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, node->data);
  return FALSE;
}

static gboolean
invalid_view_backward_node (GeNode     *node,
                            GeTensor  **g,
                            GeTensor  **gi,
                            GeTensor  **locals,
                            GError    **error)
{
  return invalid_view_backward (node, g, gi, error);
}

/* Rebuilds a stale view's grad_fn (PyTorch's VariableHooks::grad_fn). */
static void
view_refresh (GeTensor *view)
{
  GeAutogradMeta *meta = view->autograd;
  GeTensor *base;
  GeNode *node;
  guint64 version;

  if (meta == NULL || meta->view_base == NULL)
    return;
  base = meta->view_base;
  /* nothing to describe: the version is left alone, as in PyTorch */
  if (meta->grad_fn == NULL && !base->requires_grad)
    return;
  version = ge_tensor_get_version (view);
  if (version == meta->view_version)
    return;
  meta->view_version = version;
  if (meta->view_of_multi_output || meta->view_made_in_no_grad)
    {
      char *message = view_rebase_message (meta, TRUE);

      node = ge_node_new ("InvalidViewBackward", invalid_view_backward_node, 1, &base, 1);
      node->data = message;
      node->data_free = g_free;
      g_free (meta->view_error);
      meta->view_error = g_strdup (message);
      ge_node_set_output (node, 0, view);
      ge_node_unref (node);
      return;
    }
  record_geometry_node ("AsStridedBackward0", as_strided_view_backward, base, view,
                        view_geometry_new (base, view));
}

const char *
ge_tensor_get_view_error (GeTensor *self)
{
  GeAutogradMeta *meta;

  g_return_val_if_fail (self != NULL, NULL);
  view_refresh (self);
  meta = meta_peek (self);
  return meta != NULL ? meta->view_error : NULL;
}

void
ge_autograd_rebase_history (GeTensor *self,
                            GeNode   *node)
{
  GeAutogradMeta *meta = meta_peek (self);
  GeTensor *base = meta != NULL ? meta->view_base : NULL;
  GeNode *copy_slices;

  if (base == NULL)
    {
      ge_node_set_output (node, 0, self);
      return;
    }

  /* CopySlices takes the op's edges but the first, which goes to the
   * base's history instead of the view's */
  copy_slices = node_alloc ("CopySlices", node->n_next, 1);
  copy_slices->backward = copy_slices_backward;
  copy_slices->sequence_nr = next_sequence_nr++;
  copy_slices->wrapped = ge_node_ref (node);
  copy_slices->data = view_geometry_new (base, self);
  copy_slices->data_free = g_free;
  copy_slices->next[0] = ge_autograd_edge_for (base);
  meta_from_tensor (&copy_slices->input_meta[0], base);
  for (int i = 1; i < node->n_next; i++)
    {
      copy_slices->next[i] = node->next[i];
      if (copy_slices->next[i].node != NULL)
        ge_node_ref (copy_slices->next[i].node);
      copy_slices->input_meta[i] = node->input_meta[i];
      if (node->input_values[i] != NULL)
        copy_slices->input_values[i] = ge_tensor_ref (node->input_values[i]);
    }
  ge_node_set_output (copy_slices, 0, base);
  ge_node_unref (copy_slices);
  /* and the view itself now hangs off the base: AsStridedBackward0 */
  view_refresh (self);
}

/* ---- public tensor properties ---- */

gboolean
ge_tensor_requires_grad (const GeTensor *self)
{
  GeAutogradMeta *meta;

  view_refresh ((GeTensor *) self);
  if (self->requires_grad)
    return TRUE;
  /* a view made in no_grad mode of a tensor that requires grad (PyTorch's
   * DifferentiableViewMeta::requires_grad) */
  meta = meta_peek (self);
  return meta != NULL && meta->view_base != NULL && meta->view_base->requires_grad;
}

gboolean
ge_tensor_is_leaf (const GeTensor *self)
{
  GeAutogradMeta *meta = meta_peek (self);

  return meta == NULL || meta->grad_fn == NULL;
}

gboolean
ge_tensor_set_requires_grad (GeTensor  *self,
                             gboolean   requires_grad,
                             GError   **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!ge_tensor_is_leaf (self))
    {
      if (requires_grad)
        return TRUE;
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "you can only change requires_grad flags of leaf variables. If you "
                           "want to use a computed variable in a subgraph that doesn't require "
                           "differentiation use var_no_grad = var.detach().");
      return FALSE;
    }
  if (requires_grad && !ge_dtype_is_floating (self->dtype))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "only Tensors of floating point dtype can require gradients");
      return FALSE;
    }
  self->requires_grad = !!requires_grad;
  return TRUE;
}

GeTensor *
ge_tensor_get_grad (const GeTensor *self)
{
  GeAutogradMeta *meta = meta_peek (self);

  return meta != NULL ? meta->grad : NULL;
}

gboolean
ge_tensor_set_grad (GeTensor  *self,
                    GeTensor  *grad,
                    GError   **error)
{
  GeAutogradMeta *meta;

  g_return_val_if_fail (self != NULL, FALSE);

  if (grad != NULL)
    {
      if (grad->dtype != self->dtype)
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                               "assigned grad has data of a different type");
          return FALSE;
        }
      if (grad->ndim != self->ndim ||
          memcmp (grad->sizes, self->sizes, sizeof (gint64) * self->ndim) != 0)
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                               "assigned grad has data of a different size");
          return FALSE;
        }
    }
  if (grad == NULL && meta_peek (self) == NULL)
    return TRUE;
  meta = ge_autograd_meta_get (self);
  if (grad != NULL)
    ge_tensor_ref (grad);
  g_clear_pointer (&meta->grad, ge_tensor_unref);
  meta->grad = grad;
  return TRUE;
}

GeNode *
ge_tensor_get_grad_fn (const GeTensor *self)
{
  GeAutogradMeta *meta;

  view_refresh ((GeTensor *) self);
  meta = meta_peek (self);

  return meta != NULL ? meta->grad_fn : NULL;
}

const char *
ge_tensor_get_grad_fn_name (const GeTensor *self)
{
  GeNode *node = ge_tensor_get_grad_fn (self);

  return node != NULL ? node->name : NULL;
}

GeTensor *
ge_tensor_detach (GeTensor *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return plain_alias (self);
}

GeTensor *
ge_tensor_get_data (GeTensor *self)
{
  GeTensor *alias;

  g_return_val_if_fail (self != NULL, NULL);
  /* its own version counter: x.data.mul_(2) goes unnoticed, as in PyTorch */
  alias = plain_alias (self);
  ge_tensor_detach_version (alias);
  return alias;
}

gboolean
ge_tensor_set_data (GeTensor  *self,
                    GeTensor  *data,
                    GError   **error)
{
  GeStorage *old;

  g_return_val_if_fail (self != NULL && data != NULL, FALSE);

  if (self->requires_grad && !ge_dtype_is_floating (data->dtype))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "data set to a tensor that requires gradients must be floating point or complex dtype");
      return FALSE;
    }
  old = self->storage;
  self->storage = ge_storage_ref (data->storage);
  ge_storage_unref (old);
  self->dtype = data->dtype;
  self->ndim = data->ndim;
  memcpy (self->sizes, data->sizes, sizeof (gint64) * data->ndim);
  memcpy (self->strides, data->strides, sizeof (gint64) * data->ndim);
  self->offset = data->offset;
  return TRUE;
}

void
ge_tensor_retain_grad (GeTensor *self)
{
  GeAutogradMeta *meta;

  g_return_if_fail (self != NULL);
  if (ge_tensor_is_leaf (self))
    return;
  meta = ge_autograd_meta_get (self);
  meta->retains_grad = TRUE;
  meta->grad_fn->retained[meta->output_nr] = self;
}

void
ge_tensor_set_name (GeTensor   *self,
                    const char *name)
{
  GeAutogradMeta *meta;

  g_return_if_fail (self != NULL);
  meta = ge_autograd_meta_get (self);
  g_free (meta->name);
  meta->name = g_strdup (name);
}

const char *
ge_tensor_get_name (const GeTensor *self)
{
  GeAutogradMeta *meta = meta_peek (self);

  return meta != NULL ? meta->name : NULL;
}
