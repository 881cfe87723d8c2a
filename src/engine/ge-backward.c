/* ge-backward.c - the backward engine: PyTorch's order, one node per step */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-autograd-private.h"
#include "ge-pool.h"
#include "ge-device.h"

/*
 * A backward pass is a loop over ge_backward_run_step().  Each node waits
 * until every edge that leads to it has delivered its gradient (the
 * "dependencies" counted up front); ready nodes wait in a priority queue
 * ordered by sequence number, most recent first, with AccumulateGrad
 * (G_MAXUINT64) first of all.  The queue is a binary heap that moves
 * elements exactly as libstdc++'s std::priority_queue does, so that even ties
 * between AccumulateGrad nodes resolve in PyTorch's order.
 */

typedef struct _Task Task;

struct _Task
{
  GeBackwardRun *run;
  GeNode    *node;
  GeTensor **buffer;       /* summed gradient per node output */
  GeTensor  *buffer_inline[2];
  int        dependencies;
  gboolean   in_buffer;    /* has a not-ready buffer or is queued */
  gboolean   needed;       /* autograd.grad: runs to reach a capture */
  GArray    *captures;     /* autograd.grad: pairs (input index, output nr) */
};

struct _GeBackwardRun
{
  GPtrArray      *tasks;        /* every Task of this run */
  GHashTable     *other_tasks;  /* GeNode* -> Task*, where node->task is another run's */
  GPtrArray      *heap;         /* Task*, a max-heap on sequence_nr */
  gboolean        retain_graph;
  gboolean        create_graph;
  gboolean        record_details;
  gboolean        capture_mode;
  int             n_inputs;
  GeTensor      **captured;
  GeBackwardStep  step;
  GPtrArray      *step_tensors; /* owned by the current step */
  /* the step's incoming / outgoing / local arrays, reused from step to step */
  GeTensor      **scratch;
  int             scratch_size;
  guint           n_steps;
  gboolean        done;
  gboolean        failed;
};

static GePool task_pool = GE_POOL_INIT (Task);

static void
task_free (Task *task)
{
  for (int i = 0; i < task->node->n_outputs; i++)
    g_clear_pointer (&task->buffer[i], ge_tensor_unref);
  if (task->buffer != task->buffer_inline)
    g_free (task->buffer);
  if (task->captures != NULL)
    g_array_unref (task->captures);
  if (task->node->task == task)
    task->node->task = NULL;
  ge_node_unref (task->node);
  ge_pool_free (&task_pool, task);
}

static Task *
task_lookup (GeBackwardRun *run,
             GeNode        *node)
{
  Task *task = node->task;

  if (task != NULL && task->run == run)
    return task;
  return run->other_tasks != NULL ? g_hash_table_lookup (run->other_tasks, node) : NULL;
}

/* @node's task in @run, made if needed (*@created says so). */
static Task *
task_get_full (GeBackwardRun *run,
               GeNode        *node,
               gboolean      *created)
{
  Task *task = task_lookup (run, node);

  *created = task == NULL;
  if (task == NULL)
    {
      task = ge_pool_alloc0 (&task_pool);
      task->run = run;
      task->node = ge_node_ref (node);
      task->buffer = node->n_outputs <= (int) G_N_ELEMENTS (task->buffer_inline)
                     ? task->buffer_inline : g_new0 (GeTensor *, node->n_outputs);
      g_ptr_array_add (run->tasks, task);
      if (node->task == NULL)
        node->task = task;
      else
        {
          if (run->other_tasks == NULL)
            run->other_tasks = g_hash_table_new (NULL, NULL);
          g_hash_table_insert (run->other_tasks, node, task);
        }
    }
  return task;
}

static Task *
task_get (GeBackwardRun *run,
          GeNode        *node)
{
  gboolean created;

  return task_get_full (run, node, &created);
}

/* ---- the heap: libstdc++'s push_heap / pop_heap with comp = seq less ---- */

static gboolean
heap_less (Task *a,
           Task *b)
{
  return a->node->sequence_nr < b->node->sequence_nr;
}

static void
heap_sift_up (GPtrArray *heap,
              gsize      hole,
              gsize      top,
              Task      *value)
{
  while (hole > top)
    {
      gsize parent = (hole - 1) / 2;
      if (!heap_less (heap->pdata[parent], value))
        break;
      heap->pdata[hole] = heap->pdata[parent];
      hole = parent;
    }
  heap->pdata[hole] = value;
}

static void
heap_push (GPtrArray *heap,
           Task      *task)
{
  g_ptr_array_add (heap, task);
  heap_sift_up (heap, heap->len - 1, 0, task);
}

static Task *
heap_pop (GPtrArray *heap)
{
  Task *top = heap->pdata[0];
  gsize len = heap->len - 1;    /* length after the pop */
  Task *value = heap->pdata[len];
  gsize hole = 0, child = 0;

  if (len > 0)
    {
      heap->pdata[len] = top;
      while (child < (len - 1) / 2)
        {
          child = 2 * (child + 1);
          if (heap_less (heap->pdata[child], heap->pdata[child - 1]))
            child--;
          heap->pdata[hole] = heap->pdata[child];
          hole = child;
        }
      if ((len & 1) == 0 && child == (len - 2) / 2)
        {
          child = 2 * (child + 1);
          heap->pdata[hole] = heap->pdata[child - 1];
          hole = child - 1;
        }
      heap_sift_up (heap, hole, 0, value);
    }
  g_ptr_array_set_size (heap, len);
  return top;
}

/* ---- gradient helpers ---- */

GeTensor *
ge_autograd_sum_to (GeTensor      *grad,
                    int            ndim,
                    const gint64  *sizes,
                    GError       **error)
{
  int dims[GE_MAX_DIMS], n_dims = 0;
  int lead = ge_tensor_get_ndim (grad) - ndim;
  const gint64 *gsizes = ge_tensor_get_sizes (grad);
  g_autoptr(GeTensor) summed = NULL;

  for (int d = 0; d < lead; d++)
    dims[n_dims++] = d;
  for (int d = 0; d < ndim; d++)
    if (sizes[d] == 1 && gsizes[lead + d] != 1)
      dims[n_dims++] = lead + d;
  if (n_dims == 0)
    return ge_tensor_ref (grad);

  summed = ge_tensor_sum_dims (grad, n_dims, dims, TRUE, error);
  if (summed == NULL)
    return NULL;
  if (lead == 0)
    return g_steal_pointer (&summed);
  return ge_tensor_view (summed, ndim, sizes, error);
}

static gboolean
same_shape (const GeTensor     *t,
            const GeTensorMeta *meta)
{
  return ge_tensor_get_ndim (t) == meta->ndim &&
         memcmp (ge_tensor_get_sizes (t), meta->sizes, sizeof (gint64) * meta->ndim) == 0;
}

static gboolean
expandable_to (const GeTensorMeta *meta,
               const GeTensor     *t)
{
  int ndim = ge_tensor_get_ndim (t);
  const gint64 *sizes = ge_tensor_get_sizes (t);

  if (meta->ndim > ndim)
    return FALSE;
  for (int d = 0; d < meta->ndim; d++)
    {
      gint64 s = meta->sizes[meta->ndim - 1 - d];
      gint64 g = sizes[ndim - 1 - d];
      if (s != g && s != 1)
        return FALSE;
    }
  return TRUE;
}

/* PyTorch's validate_outputs: reduce broadcast gradients, match dtypes. */
static GeTensor *
validate_grad (GeNode    *node,
               int        i,
               GeTensor  *grad,
               GError   **error)
{
  const GeTensorMeta *meta = &node->input_meta[i];
  g_autoptr(GeTensor) g = ge_tensor_ref (grad);

  if (!same_shape (g, meta))
    {
      GeTensor *reduced;

      if (!expandable_to (meta, g))
        {
          g_autofree char *got = ge_shape_to_string (ge_tensor_get_sizes (g), ge_tensor_get_ndim (g));
          g_autofree char *want = ge_shape_to_string (meta->sizes, meta->ndim);
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Function %s returned an invalid gradient at index %d - got %s but "
                       "expected shape compatible with %s", node->name, i, got, want);
          return NULL;
        }
      reduced = ge_autograd_sum_to (g, meta->ndim, meta->sizes, error);
      if (reduced == NULL)
        return NULL;
      ge_tensor_unref (g);
      g = reduced;
    }
  if (ge_tensor_get_dtype (g) != meta->dtype)
    {
      GeTensor *cast = ge_tensor_to_dtype (g, meta->dtype, error);
      if (cast == NULL)
        return NULL;
      ge_tensor_unref (g);
      g = cast;
    }
  if (ge_tensor_get_device (g) != meta->device)
    {
      GeTensor *moved;

      /* PyTorch 1.13 moves a 0-dim gradient (the gradient of a CPU scalar
       * used with cuda tensors, or the reverse) and refuses any other */
      if (ge_tensor_get_ndim (g) != 0)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Function %s returned an invalid gradient at index %d - expected device %s "
                       "but got %s", node->name, i, ge_device_name (meta->device),
                       ge_device_name (ge_tensor_get_device (g)));
          return NULL;
        }
      moved = ge_tensor_to_device (g, meta->device, error);
      if (moved == NULL)
        return NULL;
      ge_tensor_unref (g);
      g = moved;
    }
  return g_steal_pointer (&g);
}

/* Adds @grad into @task's buffer slot (out of place: with create_graph the
 * sum is itself recorded, as PyTorch's AddBackward0 in x.grad shows). */
static gboolean
buffer_add (Task      *task,
            int        slot,
            GeTensor  *grad,
            GError   **error)
{
  GeTensor *sum;

  if (grad == NULL)
    return TRUE;
  if (task->buffer[slot] == NULL)
    {
      task->buffer[slot] = ge_tensor_ref (grad);
      return TRUE;
    }
  sum = ge_tensor_add (task->buffer[slot], grad, error);
  if (sum == NULL)
    return FALSE;
  ge_tensor_unref (task->buffer[slot]);
  task->buffer[slot] = sum;
  return TRUE;
}

/* ---- setup ---- */

static void
compute_dependencies (GeBackwardRun *run,
                      GeNode        *root)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  /* a node is pushed when its task is made, i.e. the first time it is seen
   * (the root is no task: no edge leads to a GraphRoot) */
  g_ptr_array_add (stack, root);
  while (stack->len > 0)
    {
      GeNode *node = g_ptr_array_steal_index (stack, stack->len - 1);

      for (int i = 0; i < node->n_next; i++)
        {
          GeNode *next = node->next[i].node;
          gboolean created;

          if (next == NULL)
            continue;
          task_get_full (run, next, &created)->dependencies++;
          if (created)
            g_ptr_array_add (stack, next);
        }
    }
}

/* autograd.grad: a node runs only if it leads to a captured input.  An
 * iterative post-order walk (graphs can be 100k nodes deep): a node is
 * needed when one of its next nodes is needed or captures. */
static void
mark_needed (GeBackwardRun *run,
             GeNode        *root)
{
  g_autoptr(GHashTable) leads = g_hash_table_new (NULL, NULL);   /* node -> leads to a capture */
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  g_autoptr(GArray) next_index = g_array_new (FALSE, FALSE, sizeof (int));
  int zero = 0;

  g_ptr_array_add (stack, root);
  g_array_append_val (next_index, zero);
  g_hash_table_insert (leads, root, GINT_TO_POINTER (FALSE));
  while (stack->len > 0)
    {
      GeNode *node = stack->pdata[stack->len - 1];
      int *i = &g_array_index (next_index, int, next_index->len - 1);

      if (*i < node->n_next)
        {
          GeNode *next = node->next[(*i)++].node;
          if (next != NULL && !g_hash_table_contains (leads, next))
            {
              g_hash_table_insert (leads, next, GINT_TO_POINTER (FALSE));
              g_ptr_array_add (stack, next);
              g_array_append_val (next_index, zero);
            }
          continue;
        }

      /* all next nodes are finished: decide this one */
      {
        gboolean needed = FALSE;
        Task *task = task_lookup (run, node);

        for (int k = 0; k < node->n_next; k++)
          if (node->next[k].node != NULL &&
              GPOINTER_TO_INT (g_hash_table_lookup (leads, node->next[k].node)))
            needed = TRUE;
        if (task != NULL)
          task->needed = needed;
        g_hash_table_insert (leads, node,
                             GINT_TO_POINTER (needed || (task != NULL && task->captures != NULL)));
      }
      g_ptr_array_set_size (stack, stack->len - 1);
      g_array_set_size (next_index, next_index->len - 1);
    }
}

static void
push_ready (GeBackwardRun *run,
            Task          *task)
{
  task->in_buffer = TRUE;
  heap_push (run->heap, task);
}

GeBackwardRun *
ge_backward_run_new (int         n_roots,
                     GeTensor  **roots,
                     GeTensor  **grad_outputs,
                     int         n_inputs,
                     GeTensor  **inputs,
                     gboolean    retain_graph,
                     gboolean    create_graph,
                     GError    **error)
{
  g_autoptr(GeBackwardRun) run = g_new0 (GeBackwardRun, 1);
  g_autoptr(GPtrArray) root_grads = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  GeNode *graph_root;
  GeEdge *root_edges;
  gboolean prev_mode;

  g_return_val_if_fail (n_roots > 0 && roots != NULL, NULL);

  run->tasks = g_ptr_array_new_with_free_func ((GDestroyNotify) task_free);
  run->heap = g_ptr_array_new ();
  run->retain_graph = retain_graph;
  run->create_graph = create_graph;
  run->record_details = TRUE;
  run->step_tensors = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  run->capture_mode = inputs != NULL;
  run->n_inputs = n_inputs;
  run->captured = g_new0 (GeTensor *, MAX (n_inputs, 1));

  /* The gradients the roots start from. */
  for (int i = 0; i < n_roots; i++)
    {
      GeTensor *root = roots[i];
      GeTensor *grad = grad_outputs != NULL ? grad_outputs[i] : NULL;

      if (!ge_tensor_requires_grad (root))
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "element %d of tensors does not require grad and does not have a grad_fn", i);
          return NULL;
        }
      if (grad == NULL)
        {
          if (ge_tensor_numel (root) != 1)
            {
              g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                                   "grad can be implicitly created only for scalar outputs");
              return NULL;
            }
          prev_mode = ge_grad_mode_set_enabled (FALSE);
          grad = ge_tensor_ones_like (root, error);
          ge_grad_mode_set_enabled (prev_mode);
          if (grad == NULL)
            return NULL;
        }
      else
        {
          if (ge_tensor_get_ndim (grad) != ge_tensor_get_ndim (root) ||
              memcmp (ge_tensor_get_sizes (grad), ge_tensor_get_sizes (root),
                      sizeof (gint64) * ge_tensor_get_ndim (root)) != 0)
            {
              g_autofree char *gs = ge_shape_to_string (ge_tensor_get_sizes (grad), ge_tensor_get_ndim (grad));
              g_autofree char *rs = ge_shape_to_string (ge_tensor_get_sizes (root), ge_tensor_get_ndim (root));
              g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "Mismatch in shape: grad_output[%d] has a shape of torch.Size(%s) and "
                           "output[%d] has a shape of torch.Size(%s).", i, gs, i, rs);
              return NULL;
            }
          ge_tensor_ref (grad);
        }
      g_ptr_array_add (root_grads, grad);
    }

  /* A GraphRoot gathers the roots' edges, as in PyTorch; it never shows as
   * a step. */
  graph_root = ge_node_new ("GraphRoot", NULL, n_roots, roots, 0);
  root_edges = graph_root->next;
  compute_dependencies (run, graph_root);

  if (run->capture_mode)
    {
      for (int i = 0; i < n_inputs; i++)
        {
          GeEdge edge;
          Task *task;
          int pair[2];

          if (!ge_tensor_requires_grad (inputs[i]))
            {
              g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                                   "One of the differentiated Tensors does not require grad");
              ge_node_unref (graph_root);
              return NULL;
            }
          edge = ge_autograd_edge_for (inputs[i]);
          task = task_lookup (run, edge.node);
          if (task != NULL)
            {
              if (task->captures == NULL)
                task->captures = g_array_new (FALSE, FALSE, sizeof (int) * 2);
              pair[0] = i;
              pair[1] = edge.input_nr;
              g_array_append_vals (task->captures, pair, 1);
            }
          ge_node_unref (edge.node);
        }
      mark_needed (run, graph_root);
    }

  /* "Run" the GraphRoot: hand each root its gradient. */
  for (int i = 0; i < n_roots; i++)
    {
      Task *task = task_get (run, root_edges[i].node);

      if (!buffer_add (task, root_edges[i].input_nr, root_grads->pdata[i], error))
        {
          ge_node_unref (graph_root);
          return NULL;
        }
      if (--task->dependencies == 0)
        push_ready (run, task);
      else
        task->in_buffer = TRUE;
    }
  ge_node_unref (graph_root);
  return g_steal_pointer (&run);
}

/* ---- running ---- */

static void
step_clear (GeBackwardRun *run)
{
  memset (&run->step, 0, sizeof run->step);
  g_ptr_array_set_size (run->step_tensors, 0);
}

/* Zeroed arrays for a step's incoming (@n_in) and outgoing and local (@n_out
 * each) gradients, valid until the next step. */
static GeTensor **
step_arrays (GeBackwardRun *run,
             int            n_in,
             int            n_out)
{
  int size = MAX (n_in, 1) + 2 * MAX (n_out, 1);

  if (size > run->scratch_size)
    {
      g_free (run->scratch);
      run->scratch = g_new (GeTensor *, size);
      run->scratch_size = size;
    }
  memset (run->scratch, 0, sizeof (GeTensor *) * size);
  return run->scratch;
}

static GeTensor *
keep (GeBackwardRun *run,
      GeTensor      *t)
{
  if (t != NULL)
    g_ptr_array_add (run->step_tensors, t);
  return t;
}

static gboolean
capture (GeBackwardRun *run,
         Task          *task)
{
  for (guint c = 0; c < task->captures->len; c++)
    {
      int *pair = &g_array_index (task->captures, int, 2 * c);
      GeTensor *grad = task->buffer[pair[1]];

      g_clear_pointer (&run->captured[pair[0]], ge_tensor_unref);
      if (grad != NULL)
        run->captured[pair[0]] = ge_tensor_ref (grad);
    }
  return TRUE;
}

/* Retained non-leaf grads (tensor.retain_grad()). */
static gboolean
update_retained (GeNode    *node,
                 GeTensor **grads,
                 GError   **error)
{
  for (int i = 0; i < node->n_outputs; i++)
    {
      GeTensor *t = node->retained[i];
      GeTensor *old;

      if (t == NULL || grads[i] == NULL)
        continue;
      old = ge_tensor_get_grad (t);
      if (old == NULL)
        {
          g_autoptr(GeTensor) copy = ge_tensor_clone (grads[i], error);
          if (copy == NULL || !ge_tensor_set_grad (t, copy, error))
            return FALSE;
        }
      else
        {
          g_autoptr(GeTensor) sum = ge_tensor_add (old, grads[i], error);
          if (sum == NULL || !ge_tensor_set_grad (t, sum, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
run_node (GeBackwardRun  *run,
          Task           *task,
          GError        **error)
{
  GeNode *node = task->node;
  GeBackwardStep *step = &run->step;
  GeTensor **arrays = step_arrays (run, node->n_outputs, node->n_next);
  GeTensor **outgoing = arrays + MAX (node->n_outputs, 1);
  GeTensor **locals = run->record_details ? outgoing + MAX (node->n_next, 1) : NULL;
  gboolean any = FALSE, ok = TRUE;
  gboolean prev_mode;

  step->node = node;
  step->name = node->name;
  step->sequence_nr = node->sequence_nr;
  step->n_incoming = node->n_outputs;
  step->incoming = arrays;
  for (int i = 0; i < node->n_outputs; i++)
    {
      step->incoming[i] = keep (run, task->buffer[i] ? ge_tensor_ref (task->buffer[i]) : NULL);
      any = any || task->buffer[i] != NULL;
    }
  step->n_edges = node->n_next;
  step->outgoing = outgoing;
  step->local = locals;

  if (run->capture_mode && task->captures != NULL)
    {
      capture (run, task);
      step->captured = TRUE;
      step->variable = node->variable;   /* the leaf, for a captured AccumulateGrad */
      if (!task->needed)
        return TRUE;
    }

  prev_mode = ge_grad_mode_set_enabled (run->create_graph);

  /* autograd.grad has no side effects: retained .grad is left alone too */
  if (any && !run->capture_mode && !update_retained (node, task->buffer, error))
    ok = FALSE;
  else if (node->variable != NULL)
    {
      /* AccumulateGrad: before and after, for the picture */
      GeTensor *before = ge_tensor_get_grad (node->variable);
      step->variable = node->variable;
      if (run->record_details && before != NULL)
        step->grad_before = keep (run, GE_NO_GRAD (ge_tensor_clone (before, NULL)));
      if (any)
        ok = ge_accumulate_grad_backward (node, task->buffer, outgoing, locals, error);
      step->grad_after = ge_tensor_get_grad (node->variable);
    }
  else if (any && node->backward != NULL)
    {
      ok = node->backward (node, task->buffer, outgoing, locals, error);
      for (int i = 0; ok && i < node->n_next; i++)
        {
          GeTensor *validated;

          if (outgoing[i] == NULL)
            continue;
          if (node->next[i].node == NULL)
            {
              g_clear_pointer (&outgoing[i], ge_tensor_unref);
              continue;
            }
          validated = validate_grad (node, i, outgoing[i], error);
          ge_tensor_unref (outgoing[i]);
          outgoing[i] = validated;
          ok = validated != NULL;
        }
    }

  ge_grad_mode_set_enabled (prev_mode);

  for (int i = 0; i < node->n_next; i++)
    {
      keep (run, outgoing[i]);
      if (locals != NULL && locals[i] != NULL && task->buffer[0] != NULL)
        {
          /* local factors are reported with the output's shape, so that
           * incoming x local is the contribution before any broadcast
           * reduction (outgoing is that, summed down to the input's shape) */
          GeTensor *g = task->buffer[0];
          GeTensor *expanded = GE_NO_GRAD (ge_tensor_expand (locals[i], ge_tensor_get_ndim (g),
                                                               ge_tensor_get_sizes (g), NULL));
          if (expanded != NULL)
            {
              ge_tensor_unref (locals[i]);
              locals[i] = expanded;
            }
        }
      if (locals != NULL)
        keep (run, locals[i]);
    }
  if (!ok)
    return FALSE;

  if (!run->retain_graph)
    ge_node_release_saved (node);

  /* Hand the gradients on; a next node is ready when all have arrived. */
  for (int i = 0; i < node->n_next; i++)
    {
      GeNode *next = node->next[i].node;
      Task *next_task;

      if (next == NULL)
        continue;
      next_task = task_lookup (run, next);
      g_assert (next_task != NULL);
      next_task->dependencies--;
      if (run->capture_mode && !next_task->needed && next_task->captures == NULL)
        continue;
      if (!buffer_add (next_task, node->next[i].input_nr, outgoing[i], error))
        return FALSE;
      if (next_task->dependencies == 0)
        push_ready (run, next_task);
      else
        next_task->in_buffer = TRUE;
    }
  return TRUE;
}

const GeBackwardStep *
ge_backward_run_step (GeBackwardRun  *run,
                      GError        **error)
{
  Task *task;

  g_return_val_if_fail (run != NULL, NULL);

  step_clear (run);
  if (run->done || run->failed)
    return NULL;
  if (run->heap->len == 0)
    {
      run->done = TRUE;
      return NULL;
    }
  if (!ge_check_interrupt (error))
    {
      run->failed = TRUE;
      return NULL;
    }

  task = heap_pop (run->heap);
  if (!run_node (run, task, error))
    {
      run->failed = TRUE;
      return NULL;
    }
  run->n_steps++;
  /* the node's buffer has been consumed */
  for (int i = 0; i < task->node->n_outputs; i++)
    g_clear_pointer (&task->buffer[i], ge_tensor_unref);
  return &run->step;
}

gboolean
ge_backward_run_is_done (GeBackwardRun *run)
{
  return run->done || (run->heap->len == 0 && !run->failed);
}

GeTensor *
ge_backward_run_get_captured (GeBackwardRun *run,
                              int            i)
{
  g_return_val_if_fail (i >= 0 && i < run->n_inputs, NULL);
  return run->captured[i];
}

guint
ge_backward_run_get_n_steps (GeBackwardRun *run)
{
  return run->n_steps;
}

void
ge_backward_run_free (GeBackwardRun *run)
{
  if (run == NULL)
    return;
  step_clear (run);
  g_ptr_array_unref (run->step_tensors);
  g_ptr_array_unref (run->heap);
  g_ptr_array_unref (run->tasks);
  g_clear_pointer (&run->other_tasks, g_hash_table_unref);
  g_free (run->scratch);
  for (int i = 0; i < run->n_inputs; i++)
    g_clear_pointer (&run->captured[i], ge_tensor_unref);
  g_free (run->captured);
  g_free (run);
}

static gboolean
run_to_end (GeBackwardRun  *run,
            GError        **error)
{
  GError *local_error = NULL;

  run->record_details = FALSE;
  while (ge_backward_run_step (run, &local_error) != NULL)
    ;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ge_tensor_backward (GeTensor  *self,
                    GeTensor  *gradient,
                    gboolean   retain_graph,
                    gboolean   create_graph,
                    GError   **error)
{
  g_autoptr(GeBackwardRun) run = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  run = ge_backward_run_new (1, &self, gradient ? &gradient : NULL, 0, NULL,
                             retain_graph || create_graph, create_graph, error);
  return run != NULL && run_to_end (run, error);
}

GeTensor **
ge_autograd_grad (int         n_outputs,
                  GeTensor  **outputs,
                  int         n_inputs,
                  GeTensor  **inputs,
                  GeTensor  **grad_outputs,
                  gboolean    retain_graph,
                  gboolean    create_graph,
                  gboolean    allow_unused,
                  GError    **error)
{
  g_autoptr(GeBackwardRun) run = NULL;
  GeTensor **result;

  g_return_val_if_fail (n_inputs > 0 && inputs != NULL, NULL);

  run = ge_backward_run_new (n_outputs, outputs, grad_outputs, n_inputs, inputs,
                             retain_graph || create_graph, create_graph, error);
  if (run == NULL || !run_to_end (run, error))
    return NULL;

  result = g_new0 (GeTensor *, n_inputs);
  for (int i = 0; i < n_inputs; i++)
    {
      if (run->captured[i] == NULL && !allow_unused)
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                               "One of the differentiated Tensors appears to not have been used "
                               "in the graph. Set allow_unused=True if this is the desired behavior.");
          ge_autograd_grad_free (result, n_inputs);
          return NULL;
        }
      result[i] = run->captured[i] ? ge_tensor_ref (run->captured[i]) : NULL;
    }
  return result;
}

void
ge_autograd_grad_free (GeTensor **grads,
                       int        n_inputs)
{
  if (grads == NULL)
    return;
  for (int i = 0; i < n_inputs; i++)
    g_clear_pointer (&grads[i], ge_tensor_unref);
  g_free (grads);
}
