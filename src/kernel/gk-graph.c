/* gk-graph.c - _gradlab_graph: graph snapshots and traces for the protocol */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * The protocol (python/gradlab_kernel) asks for three things here:
 *
 *  - snapshot(): the graph behind some tensors as "gradlab.graph/1" JSON
 *    (or DOT), with the user's variable names on the tensor nodes;
 *  - trace(): the forward replay and a backward pass of a tensor's graph
 *    in capture mode, as autograd.grad() would run it: no .grad changes
 *    and the graph is kept (retain_graph), so user state is untouched;
 *  - the trace of the last real backward(): with record_backward(True)
 *    Tensor.backward runs the same engine steps as before, one at a time,
 *    recording each into a trace kept here.
 *
 * Names are put on tensors only while a snapshot is taken, then restored.
 */

#include "gk-graph.h"

typedef struct
{
  GeTensor *tensor;
  char     *old_name;
  GeTensor *old_grad;
} SavedState;

/* The last real backward() (record_backward mode).  Recording a step
 * copies values and costs about ten times the step, so in a training loop
 * not every call is recorded: the first backward of each cell is, and later
 * ones while recording has cost at most 50 ms or RECORD_BUDGET of the
 * cell's time.
 * The reply says which call of how many the trace shows. */
#define RECORD_BUDGET 0.05
#define RECORD_BUDGET_MIN_US (G_USEC_PER_SEC / 20)
/* Graphs bigger than this are not recorded: copying and summarising their
 * values would make backward() much slower. */
#define RECORD_MAX_NODES 5000
#define RECORD_MAX_ELEMENTS (4 * 1024 * 1024)
/* Nor is any single backward recorded for longer than this. */
#define RECORD_MAX_US (G_USEC_PER_SEC / 4)

static GeTrace *last_trace;
static char *last_error;
static PyObject *last_tag;          /* the cell (tag) of the last trace */
static guint64 last_call;           /* which backward call of its cell */
static guint64 last_cell_calls;     /* calls in that cell, once it ended */
static gboolean last_in_current;    /* the last trace is from the current cell */
static guint64 n_recorded;

static PyObject *current_tag;
static gint64 cell_start_us;
static gint64 cell_record_us;
static guint64 cell_calls;

static PyObject *plain_backward;   /* Tensor.backward as the torch module made it */

static void
saved_state_clear (gpointer data)
{
  SavedState *s = data;

  g_clear_pointer (&s->tensor, ge_tensor_unref);
  g_clear_pointer (&s->old_name, g_free);
  g_clear_pointer (&s->old_grad, ge_tensor_unref);
}

static GArray *
saved_states_new (void)
{
  GArray *saved = g_array_new (FALSE, TRUE, sizeof (SavedState));

  g_array_set_clear_func (saved, saved_state_clear);
  return saved;
}

/* Names the tensors that require grad among @names' values (a dict: str ->
 * anything) after their keys, remembering what to restore.  With
 * @keep_grads, also remembers their .grad. */
static void
apply_names (PyObject *names,
             GArray   *saved,
             gboolean  keep_grads)
{
  PyObject *key, *value;
  Py_ssize_t pos = 0;

  if (names == NULL || !PyDict_Check (names))
    return;
  while (PyDict_Next (names, &pos, &key, &value))
    {
      SavedState s = { NULL, NULL, NULL };
      const char *name;
      GeTensor *grad;

      if (!PyUnicode_Check (key) || !GkTensor_Check (value))
        continue;
      if (!ge_tensor_requires_grad (GK_TENSOR (value)))
        continue;
      name = PyUnicode_AsUTF8 (key);
      if (name == NULL)
        {
          PyErr_Clear ();
          continue;
        }
      s.tensor = ge_tensor_ref (GK_TENSOR (value));
      s.old_name = g_strdup (ge_tensor_get_name (s.tensor));
      if (keep_grads && (grad = ge_tensor_get_grad (s.tensor)) != NULL)
        s.old_grad = ge_tensor_ref (grad);
      g_array_append_val (saved, s);
      ge_tensor_set_name (s.tensor, name);
    }
}

/* Puts back names (and, with @restore_grads, the .grad values) in reverse
 * order, so a tensor named twice ends with its first old name. */
static void
restore_names (GArray   *saved,
               gboolean  restore_grads)
{
  for (guint i = saved->len; i > 0; i--)
    {
      SavedState *s = &g_array_index (saved, SavedState, i - 1);

      ge_tensor_set_name (s->tensor, s->old_name);
      if (restore_grads && ge_tensor_get_grad (s->tensor) != s->old_grad)
        {
          GError *error = NULL;

          if (!ge_tensor_set_grad (s->tensor, s->old_grad, &error))
            {
              g_warning ("cannot restore a .grad after a capture trace: %s", error->message);
              g_error_free (error);
            }
        }
    }
  g_array_set_size (saved, 0);
}

static gboolean
parse_roots (PyObject   *roots,
             GPtrArray  *out)
{
  PyObject *fast = PySequence_Fast (roots, "roots must be a sequence of tensors");
  Py_ssize_t n;

  if (fast == NULL)
    return FALSE;
  n = PySequence_Fast_GET_SIZE (fast);
  if (n == 0)
    {
      Py_DECREF (fast);
      PyErr_SetString (PyExc_ValueError, "roots must not be empty");
      return FALSE;
    }
  for (Py_ssize_t i = 0; i < n; i++)
    {
      PyObject *item = PySequence_Fast_GET_ITEM (fast, i);

      if (!GkTensor_Check (item))
        {
          PyErr_Format (PyExc_TypeError, "roots[%zd] is a %s, not a Tensor", i, Py_TYPE (item)->tp_name);
          Py_DECREF (fast);
          return FALSE;
        }
      g_ptr_array_add (out, GK_TENSOR (item));
    }
  Py_DECREF (fast);
  return TRUE;
}

static PyObject *
take_string (char *text)
{
  PyObject *str;

  if (text == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "the engine returned no text");
      return NULL;
    }
  str = PyUnicode_DecodeUTF8 (text, strlen (text), "replace");
  g_free (text);
  return str;
}

/* snapshot(roots, names=None, *, max_nodes=0, keep_nodes=0,
 *          max_full_elements=0, format="json") -> str */
static PyObject *
graph_snapshot (PyObject *self,
                PyObject *args,
                PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "roots", (char *) "names", (char *) "max_nodes",
                            (char *) "keep_nodes", (char *) "max_full_elements",
                            (char *) "format", NULL };
  PyObject *roots, *names = Py_None;
  GeGraphOptions options = { 0 };
  const char *format = "json";
  g_autoptr(GPtrArray) tensors = g_ptr_array_new ();
  g_autoptr(GArray) saved = saved_states_new ();
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  GError *error = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O|O$IIIs", kwlist, &roots, &names,
                                    &options.max_nodes, &options.keep_nodes,
                                    &options.max_full_elements, &format))
    return NULL;
  if (!g_str_equal (format, "json") && !g_str_equal (format, "dot"))
    return PyErr_Format (PyExc_ValueError, "unknown format '%s' (json or dot)", format);
  if (!parse_roots (roots, tensors))
    return NULL;

  apply_names (names, saved, FALSE);
  snapshot = ge_graph_snapshot_new ((int) tensors->len, (GeTensor **) tensors->pdata, &options, &error);
  restore_names (saved, FALSE);
  if (snapshot == NULL)
    return gk_raise_error (error);
  return take_string (g_str_equal (format, "dot") ? ge_graph_snapshot_to_dot (snapshot)
                                                  : ge_graph_snapshot_to_json (snapshot));
}

/* The leaf variables behind @node (their AccumulateGrad nodes), without
 * recursion: graphs of long loops are thousands of nodes deep. */
static void
collect_leaves (GeNode    *root,
                GPtrArray *leaves)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  g_hash_table_add (seen, root);
  while (stack->len > 0)
    {
      GeNode *node = g_ptr_array_steal_index_fast (stack, stack->len - 1);
      GeTensor *variable = ge_node_get_variable (node);
      int n = ge_node_get_n_next (node);

      if (variable != NULL)
        g_ptr_array_add (leaves, ge_tensor_ref (variable));
      for (int i = 0; i < n; i++)
        {
          GeNode *next = ge_node_get_next (node, i, NULL);

          if (next != NULL && g_hash_table_add (seen, next))
            g_ptr_array_add (stack, next);
        }
    }
}

/* How big the graph behind @root is, for deciding whether a picture of it
 * is cheap: op nodes and the elements of their kept forward values (and
 * of the leaves), counting at most @max_nodes nodes. */
static void
estimate_graph (GeTensor *root,
                guint     max_nodes,
                guint    *n_nodes,
                gint64   *n_elements)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  GeNode *grad_fn = ge_tensor_get_grad_fn (root);

  *n_nodes = 0;
  *n_elements = ge_tensor_numel (root);
  if (grad_fn == NULL)
    return;
  g_ptr_array_add (stack, grad_fn);
  g_hash_table_add (seen, grad_fn);
  while (stack->len > 0 && *n_nodes < max_nodes)
    {
      GeNode *node = g_ptr_array_steal_index_fast (stack, stack->len - 1);
      GeTensor *variable = ge_node_get_variable (node);
      int n_next = ge_node_get_n_next (node);
      int n_outputs = ge_node_get_n_outputs (node);

      (*n_nodes)++;
      if (variable != NULL)
        *n_elements += ge_tensor_numel (variable);
      for (int i = 0; i < n_outputs; i++)
        {
          GeTensor *value = ge_node_get_output_value (node, i);

          if (value != NULL)
            *n_elements += ge_tensor_numel (value);
        }
      for (int i = 0; i < n_next; i++)
        {
          GeNode *next = ge_node_get_next (node, i, NULL);

          if (next != NULL && g_hash_table_add (seen, next))
            g_ptr_array_add (stack, next);
        }
    }
  if (stack->len > 0)
    *n_nodes = max_nodes + 1;
}

/* estimate(tensor) -> (op nodes, elements): nodes counted up to 10000 (more
 * reads as 10001). */
static PyObject *
graph_estimate (PyObject *self,
                PyObject *arg)
{
  guint n_nodes;
  gint64 n_elements;

  if (!GkTensor_Check (arg))
    return PyErr_Format (PyExc_TypeError, "expected a Tensor, not %s", Py_TYPE (arg)->tp_name);
  estimate_graph (GK_TENSOR (arg), 10000, &n_nodes, &n_elements);
  return Py_BuildValue ("(IL)", n_nodes, (long long) n_elements);
}

/* Runs @run to its end, recording each step into @trace (when not NULL).
 * With @max_record_us > 0 recording stops (the pass goes on) once it has
 * cost that long; *@stopped_after then says after how many steps. */
static gboolean
step_and_record (GeBackwardRun  *run,
                 GeTrace       **trace,
                 gint64          max_record_us,
                 guint          *stopped_after,
                 GError        **error)
{
  const GeBackwardStep *step;
  GError *local_error = NULL;
  gint64 record_us = 0;
  guint n = 0;

  while ((step = ge_backward_run_step (run, &local_error)) != NULL)
    {
      n++;
      if (*trace != NULL && (stopped_after == NULL || *stopped_after == 0))
        {
          gint64 start = g_get_monotonic_time ();

          if (!ge_trace_record_backward_step (*trace, step, NULL))
            g_clear_pointer (trace, ge_trace_free);
          record_us += g_get_monotonic_time () - start;
          if (max_record_us > 0 && record_us > max_record_us && stopped_after != NULL)
            *stopped_after = n;
        }
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* trace(root, names=None, *, max_nodes=0, keep_nodes=0,
 *       max_full_elements=0, max_events=0) -> (json, backward_error)
 *
 * A capture-mode backward from @root (ones as its gradient when it is not a
 * scalar), retaining the graph: afterwards every .grad and every node is as
 * it was.  When the backward cannot run (the graph was freed by an earlier
 * backward, nothing requires grad), the trace holds the forward replay only
 * and backward_error says why. */
static PyObject *
graph_trace (PyObject *self,
             PyObject *args,
             PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "root", (char *) "names", (char *) "max_nodes",
                            (char *) "keep_nodes", (char *) "max_full_elements",
                            (char *) "max_events", NULL };
  PyObject *root_obj, *names = Py_None, *json;
  GeGraphOptions options = { 0 };
  g_autoptr(GPtrArray) leaves = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  g_autoptr(GArray) saved = saved_states_new ();
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GeTensor) gradient = NULL;
  g_autoptr(GeBackwardRun) run = NULL;
  g_autofree char *backward_error = NULL;
  GeTrace *trace = NULL;
  GeTensor *root;
  GeNode *grad_fn;
  GError *error = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O|O$IIII", kwlist, &root_obj, &names,
                                    &options.max_nodes, &options.keep_nodes,
                                    &options.max_full_elements, &options.max_events))
    return NULL;
  if (!GkTensor_Check (root_obj))
    return PyErr_Format (PyExc_TypeError, "root is a %s, not a Tensor", Py_TYPE (root_obj)->tp_name);
  root = GK_TENSOR (root_obj);

  apply_names (names, saved, TRUE);
  snapshot = ge_graph_snapshot_new (1, &root, &options, &error);
  if (snapshot == NULL)
    {
      restore_names (saved, TRUE);
      return gk_raise_error (error);
    }
  trace = ge_trace_new (snapshot);

  grad_fn = ge_tensor_get_grad_fn (root);
  if (grad_fn != NULL)
    collect_leaves (grad_fn, leaves);
  else if (ge_tensor_requires_grad (root))
    g_ptr_array_add (leaves, ge_tensor_ref (root));

  if (!ge_tensor_requires_grad (root))
    backward_error = g_strdup ("the tensor does not require grad and has no grad_fn: there is no backward pass");
  else if (leaves->len == 0)
    backward_error = g_strdup ("no tensor in this graph requires grad: there is no backward pass to show");
  else if (ge_tensor_numel (root) != 1 && (gradient = ge_tensor_ones_like (root, &error)) == NULL)
    backward_error = g_strdup (error->message);
  else
    {
      run = ge_backward_run_new (1, &root, gradient ? &gradient : NULL, (int) leaves->len,
                                 (GeTensor **) leaves->pdata, TRUE, FALSE, &error);
      if (run == NULL || !step_and_record (run, &trace, 0, NULL, &error))
        backward_error = g_strdup (error->message);
      else if (trace != NULL)
        for (guint i = 0; i < leaves->len; i++)
          ge_trace_record_captured (trace, (int) i, leaves->pdata[i],
                                    ge_backward_run_get_captured (run, (int) i), NULL);
    }
  g_clear_error (&error);
  g_clear_pointer (&run, ge_backward_run_free);
  restore_names (saved, TRUE);

  if (trace == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "the trace could not be recorded");
      return NULL;
    }
  json = take_string (ge_trace_to_json (trace));
  ge_trace_free (trace);
  if (json == NULL)
    return NULL;
  return Py_BuildValue ("(Nz)", json, backward_error);
}

/* ---- the last real backward() ---- */

static gboolean
is_torch_frame (PyFrameObject *frame)
{
  PyObject *globals = PyFrame_GetGlobals (frame);
  PyObject *name = globals != NULL ? PyDict_GetItemString (globals, "__name__") : NULL;
  gboolean torch = FALSE;

  if (name != NULL && PyUnicode_Check (name))
    {
      const char *s = PyUnicode_AsUTF8 (name);

      torch = s != NULL && (g_str_equal (s, "torch") || g_str_has_prefix (s, "torch."));
    }
  Py_XDECREF (globals);
  PyErr_Clear ();
  return torch;
}

/* Names from the learner's frame that called backward() (skipping frames of
 * the torch package, e.g. torch.autograd.backward): its globals, then its
 * locals. */
static void
apply_frame_names (GArray *saved)
{
  PyFrameObject *frame = PyEval_GetFrame ();
  PyObject *globals, *locals;

  Py_XINCREF (frame);
  while (frame != NULL && is_torch_frame (frame))
    {
      PyFrameObject *back = PyFrame_GetBack (frame);

      Py_DECREF (frame);
      frame = back;
    }
  if (frame == NULL)
    return;
  globals = PyFrame_GetGlobals (frame);
  locals = PyFrame_GetLocals (frame);
  if (PyErr_Occurred ())
    PyErr_Clear ();
  apply_names (globals, saved, FALSE);
  if (locals != NULL && locals != globals)
    apply_names (locals, saved, FALSE);
  Py_XDECREF (globals);
  Py_XDECREF (locals);
  Py_DECREF (frame);
}

static void
set_last_trace (GeTrace    *trace,
                const char *error_message)
{
  g_clear_pointer (&last_trace, ge_trace_free);
  g_clear_pointer (&last_error, g_free);
  last_trace = trace;
  last_error = g_strdup (error_message);
  Py_XINCREF (current_tag);
  Py_XSETREF (last_tag, current_tag);
  last_call = cell_calls;
  last_in_current = TRUE;
  n_recorded++;
}

static gboolean
should_record (GeTensor *root)
{
  gint64 now = g_get_monotonic_time ();
  guint n_nodes;
  gint64 n_elements;

  if (cell_start_us == 0)
    cell_start_us = now;
  if (cell_calls > 1 && cell_record_us > RECORD_BUDGET_MIN_US &&
      cell_record_us > RECORD_BUDGET * (now - cell_start_us))
    return FALSE;
  /* pictures of huge graphs cost seconds: those only on request */
  estimate_graph (root, RECORD_MAX_NODES, &n_nodes, &n_elements);
  return n_nodes <= RECORD_MAX_NODES && n_elements <= RECORD_MAX_ELEMENTS;
}

/* Tensor.backward(gradient=None, retain_graph=None, create_graph=False,
 * inputs=None), recorded: the same engine run as ge_tensor_backward(),
 * stepped here so that each step lands in a trace.  The GIL stays held:
 * custom autograd.Function backwards call into Python. */
static PyObject *
recorded_backward (PyObject *self,
                   PyObject *args,
                   PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "gradient", (char *) "retain_graph", (char *) "create_graph",
                            (char *) "inputs", NULL };
  PyObject *gradient = Py_None, *retain = Py_None, *inputs = Py_None;
  int create_graph = 0, retain_graph;
  g_autoptr(GArray) saved = NULL;
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GeBackwardRun) run = NULL;
  GeTensor *t, *grad;
  GeTrace *trace = NULL;
  GError *error = NULL;
  gint64 start_us;
  guint stopped_after = 0;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|OOpO", kwlist, &gradient, &retain, &create_graph, &inputs))
    return NULL;
  if (inputs != Py_None)
    {
      PyErr_SetString (PyExc_NotImplementedError,
                       "torch.Tensor.backward(inputs=...) is not available in Gradlab yet");
      return NULL;
    }
  if (gradient != Py_None && !GkTensor_Check (gradient))
    {
      PyErr_SetString (PyExc_TypeError, "gradient must be a Tensor or None");
      return NULL;
    }
  retain_graph = retain == Py_None ? create_graph : PyObject_IsTrue (retain);
  if (retain_graph < 0)
    return NULL;
  t = GK_TENSOR (self);
  grad = gradient == Py_None ? NULL : GK_TENSOR (gradient);

  cell_calls++;
  if (!should_record (t))
    {
      /* the GIL stays held: custom Function backwards call Python */
      if (!ge_tensor_backward (t, grad, retain_graph, create_graph, &error))
        return gk_raise_error (error);
      Py_RETURN_NONE;
    }
  start_us = g_get_monotonic_time ();

  /* The snapshot is only for the picture: if it fails, backward still runs. */
  saved = saved_states_new ();
  apply_frame_names (saved);
  snapshot = ge_graph_snapshot_new (1, &t, NULL, NULL);
  restore_names (saved, FALSE);
  if (snapshot != NULL)
    trace = ge_trace_new (snapshot);

  run = ge_backward_run_new (1, &t, grad ? &grad : NULL, 0, NULL,
                             retain_graph || create_graph, create_graph, &error);
  if (run == NULL || !step_and_record (run, &trace, RECORD_MAX_US, &stopped_after, &error))
    {
      /* A failed backward: keep what ran, with the reason. */
      if (trace != NULL && run != NULL)
        set_last_trace (trace, error->message);
      else if (trace != NULL)
        ge_trace_free (trace);
      cell_record_us += g_get_monotonic_time () - start_us;
      return gk_raise_error (error);
    }
  if (trace == NULL)
    set_last_trace (NULL, "the trace could not be recorded");
  else if (stopped_after > 0)
    {
      g_autofree char *note = g_strdup_printf ("recording stopped after %u of %u backward steps "
                                               "(recording them all would slow backward() down)",
                                               stopped_after, ge_backward_run_get_n_steps (run));
      set_last_trace (trace, note);
    }
  else
    set_last_trace (trace, NULL);
  cell_record_us += g_get_monotonic_time () - start_us;
  Py_RETURN_NONE;
}

static PyMethodDef recorded_backward_def = {
  "backward", (PyCFunction) (void (*) (void)) recorded_backward, METH_VARARGS | METH_KEYWORDS,
  "Computes the gradient of current tensor w.r.t. graph leaves.",
};

/* record_backward(enabled): installs (or removes) the recording
 * Tensor.backward. */
static PyObject *
graph_record_backward (PyObject *self,
                       PyObject *arg)
{
  int enabled = PyObject_IsTrue (arg);
  PyObject *type = (PyObject *) gk_tensor_type;

  if (enabled < 0)
    return NULL;
  if (type == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "import torch first");
      return NULL;
    }
  if (plain_backward == NULL)
    {
      plain_backward = PyObject_GetAttrString (type, "backward");
      if (plain_backward == NULL)
        return NULL;
    }
  if (enabled)
    {
      PyObject *descr = PyDescr_NewMethod (gk_tensor_type, &recorded_backward_def);
      int status;

      if (descr == NULL)
        return NULL;
      status = PyObject_SetAttrString (type, "backward", descr);
      Py_DECREF (descr);
      if (status < 0)
        return NULL;
    }
  else if (PyObject_SetAttrString (type, "backward", plain_backward) < 0)
    return NULL;
  Py_RETURN_NONE;
}

/* begin_cell(tag): a new cell starts; recorded backwards are labelled with
 * @tag (the protocol passes the cell's execution count). */
static PyObject *
graph_begin_cell (PyObject *self,
                  PyObject *tag)
{
  if (last_in_current)
    last_cell_calls = cell_calls;
  last_in_current = FALSE;
  cell_calls = 0;
  cell_record_us = 0;
  cell_start_us = g_get_monotonic_time ();
  Py_INCREF (tag);
  Py_XSETREF (current_tag, tag);
  Py_RETURN_NONE;
}

/* last_backward() -> None, or (json or None, tag, error or None, call,
 * calls): the trace shows backward call number @call (from 1) of the @calls
 * its cell made so far. */
static PyObject *
graph_last_backward (PyObject *self,
                     PyObject *unused)
{
  PyObject *json = Py_None;

  if (n_recorded == 0)
    Py_RETURN_NONE;
  if (last_trace != NULL && (json = take_string (ge_trace_to_json (last_trace))) == NULL)
    return NULL;
  if (json == Py_None)
    Py_INCREF (json);
  return Py_BuildValue ("(NOzKK)", json, last_tag ? last_tag : Py_None, last_error,
                        (unsigned long long) last_call,
                        (unsigned long long) (last_in_current ? cell_calls : last_cell_calls));
}

static PyObject *
graph_clear_last_backward (PyObject *self,
                           PyObject *unused)
{
  g_clear_pointer (&last_trace, ge_trace_free);
  g_clear_pointer (&last_error, g_free);
  Py_CLEAR (last_tag);
  last_in_current = FALSE;
  n_recorded = 0;
  Py_RETURN_NONE;
}

static PyMethodDef graph_methods[] = {
  { "snapshot", (PyCFunction) (void (*) (void)) graph_snapshot, METH_VARARGS | METH_KEYWORDS,
    "snapshot(roots, names=None, *, max_nodes=0, keep_nodes=0, max_full_elements=0, format='json')" },
  { "trace", (PyCFunction) (void (*) (void)) graph_trace, METH_VARARGS | METH_KEYWORDS,
    "trace(root, names=None, *, max_nodes=0, keep_nodes=0, max_full_elements=0, max_events=0)" },
  { "estimate", graph_estimate, METH_O, "estimate(tensor) -> (op nodes, elements)" },
  { "record_backward", graph_record_backward, METH_O, "record_backward(enabled)" },
  { "begin_cell", graph_begin_cell, METH_O, "begin_cell(tag)" },
  { "last_backward", graph_last_backward, METH_NOARGS, "last_backward()" },
  { "clear_last_backward", graph_clear_last_backward, METH_NOARGS, "clear_last_backward()" },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef graph_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_gradlab_graph",
  .m_doc = "Graph snapshots and traces of Gradlab tensors for the kernel protocol.",
  .m_size = -1,
  .m_methods = graph_methods,
};

PyObject *
gk_graph_module_init (void)
{
  return PyModule_Create (&graph_module);
}
