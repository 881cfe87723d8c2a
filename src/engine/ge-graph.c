/* ge-graph.c - graph snapshots, forward replay and traces, as JSON and DOT */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-graph.h"
#include "ge-print.h"

/*
 * Only the public autograd API is used: a snapshot reads the graph through
 * ge_node_get_*() and ge_tensor_get_*(), which neither create autograd state
 * nor take references that outlive the call.  Graphs can be 100k nodes deep,
 * so every walk is a loop over an explicit queue.
 */

#define GRAPH_SCHEMA "gradlab.graph/1"
#define TRACE_SCHEMA "gradlab.trace/1"

struct _GeGraphSnapshot
{
  int             ref_count;
  GeGraphOptions  options;
  GStringChunk   *strings;
  GPtrArray      *nodes;        /* GeGraphNode*, owned */
  GArray         *edges;        /* GeGraphEdge */
  GPtrArray      *root_ids;     /* const char*, in strings */
  GHashTable     *by_id;        /* id -> GeGraphNode* */
  GHashTable     *op_ids;       /* GeNode* -> id, nodes in the snapshot */
  GHashTable     *tensor_nodes; /* GeTensor* -> GeGraphNode* */
  GHashTable     *constant_ids; /* "<consumer id>:<input_nr>" -> id */
  GArray         *op_counts;    /* GeGraphOpCount */
  GeGraphSummary  summary;
  GPtrArray      *forward;      /* GeForwardStep*, owned */
  guint           n_accumulators;
};

struct _GeTrace
{
  GeGraphSnapshot *snapshot;
  GStringChunk    *strings;
  GPtrArray       *events;      /* GeTraceEvent*, owned */
  GPtrArray       *captured;    /* GeTraceCapture*, owned */
  GHashTable      *extra_ids;   /* GeNode* -> id, for nodes not in the snapshot */
  guint            n_backward_steps;
  guint            n_backward_recorded;
  gboolean         autograd_grad;
};

/* ---- options ---- */

static void
resolve_options (const GeGraphOptions *options,
                 GeGraphOptions       *resolved)
{
  if (options != NULL)
    *resolved = *options;
  else
    memset (resolved, 0, sizeof *resolved);
  if (resolved->max_nodes == 0)
    resolved->max_nodes = GE_GRAPH_DEFAULT_MAX_NODES;
  if (resolved->keep_nodes == 0)
    resolved->keep_nodes = GE_GRAPH_DEFAULT_KEEP_NODES;
  if (resolved->max_full_elements == 0)
    resolved->max_full_elements = GE_GRAPH_DEFAULT_MAX_FULL_ELEMENTS;
  if (resolved->max_events == 0)
    resolved->max_events = GE_GRAPH_DEFAULT_MAX_EVENTS;
}

/* ---- values ---- */

static void
value_free (GeGraphValue *value)
{
  if (value == NULL)
    return;
  g_free (value->values);
  g_free (value->repr);
  g_free (value);
}

static double
load_element (const char *data,
              gint64      i,
              GeDType     dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return ((const guint8 *) data)[i] ? 1.0 : 0.0;
    case GE_DTYPE_INT64:   return (double) ((const gint64 *) data)[i];
    case GE_DTYPE_FLOAT32: return ((const float *) data)[i];
    case GE_DTYPE_FLOAT64: return ((const double *) data)[i];
    default:               g_return_val_if_reached (NAN);
    }
}

static void
summarize (GeGraphValue *value,
           const char   *data)
{
  gint64 n_finite = 0;
  double mean = 0.0, m2 = 0.0, lo = INFINITY, hi = -INFINITY;

  /* Welford: one pass, no cancellation on large tensors. */
  for (gint64 i = 0; i < value->numel; i++)
    {
      double x = load_element (data, i, value->dtype);
      double delta;

      if (isnan (x))
        {
          value->n_nan++;
          continue;
        }
      if (isinf (x))
        {
          value->n_inf++;
          continue;
        }
      n_finite++;
      delta = x - mean;
      mean += delta / (double) n_finite;
      m2 += delta * (x - mean);
      lo = MIN (lo, x);
      hi = MAX (hi, x);
    }
  if (n_finite > 0)
    {
      value->min = lo;
      value->max = hi;
      value->mean = mean;
      value->std = n_finite > 1 ? sqrt (m2 / (double) (n_finite - 1)) : NAN;
    }

  value->n_head = (int) MIN (value->numel, GE_GRAPH_SUMMARY_EDGE_ITEMS);
  value->n_tail = value->n_head;
  for (int i = 0; i < value->n_head; i++)
    {
      value->head[i] = load_element (data, i, value->dtype);
      value->tail[i] = load_element (data, value->numel - value->n_tail + i, value->dtype);
    }
}

/* A copy of @t's value: all elements up to @max_full, else a summary.  The
 * repr carries @grad_fn_name / @requires_grad as PyTorch prints them. */
static GeGraphValue *
value_new (GeTensor    *t,
           guint        max_full,
           const char  *grad_fn_name,
           gboolean     requires_grad,
           GError     **error)
{
  GeGraphValue *value = g_new0 (GeGraphValue, 1);
  g_autoptr(GeTensor) plain = NULL;
  g_autoptr(GeTensor) dense = NULL;
  const char *data;
  gboolean prev_mode;

  value->dtype = ge_tensor_get_dtype (t);
  value->ndim = ge_tensor_get_ndim (t);
  memcpy (value->sizes, ge_tensor_get_sizes (t), sizeof (gint64) * value->ndim);
  value->numel = ge_tensor_numel (t);
  value->min = value->max = value->mean = value->std = NAN;
  if (ge_tensor_get_device (t) != GE_DEVICE_CPU)
    return value;

  /* A detached alias: copying it records nothing and touches no state. */
  prev_mode = ge_grad_mode_set_enabled (FALSE);
  plain = ge_tensor_detach (t);
  dense = ge_tensor_contiguous (plain, error);
  ge_grad_mode_set_enabled (prev_mode);
  if (dense == NULL)
    {
      value_free (value);
      return NULL;
    }

  value->readable = TRUE;
  data = ge_tensor_data_ptr (dense);
  if (value->numel <= (gint64) max_full)
    {
      GeReprOptions repr_options = { 0 };

      repr_options.grad_fn_name = grad_fn_name;
      repr_options.requires_grad = requires_grad;
      value->full = TRUE;
      value->values = g_new (double, MAX (value->numel, 1));
      for (gint64 i = 0; i < value->numel; i++)
        value->values[i] = load_element (data, i, value->dtype);
      value->repr = ge_tensor_repr (plain, &repr_options);
    }
  else
    summarize (value, data);
  return value;
}

static const char *
dtype_short_name (GeDType dtype)
{
  const char *name = ge_dtype_name (dtype);

  return g_str_has_prefix (name, "torch.") ? name + strlen ("torch.") : name;
}

/* ---- numbers: shortest round trip in the value's dtype, any locale ---- */

static const char *
format_number (char    *buf,
               double   v,
               GeDType  dtype)
{
  static const char *float_formats[] = { "%.6g", "%.7g", "%.8g", "%.9g" };
  static const char *double_formats[] = { "%.15g", "%.16g", "%.17g" };

  if (isnan (v))
    return "nan";
  if (isinf (v))
    return v > 0 ? "inf" : "-inf";
  if ((dtype == GE_DTYPE_INT64 || dtype == GE_DTYPE_BOOL) && fabs (v) < 9.0e18)
    {
      g_snprintf (buf, G_ASCII_DTOSTR_BUF_SIZE, "%" G_GINT64_FORMAT, (gint64) v);
      return buf;
    }
  /* With p digits enough to round trip, %.<p>g is also the shortest form:
   * a shorter one would be what rounding to p digits gives. */
  if (dtype == GE_DTYPE_FLOAT32 && (double) (float) v == v)
    {
      for (guint i = 0; i < G_N_ELEMENTS (float_formats); i++)
        {
          g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, float_formats[i], v);
          if ((float) g_ascii_strtod (buf, NULL) == (float) v)
            return buf;
        }
      return buf;
    }
  for (guint i = 0; i < G_N_ELEMENTS (double_formats); i++)
    {
      g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, double_formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        return buf;
    }
  return buf;
}

/* ---- JSON writing ---- */

static void
json_string (GString    *out,
             const char *s)
{
  g_autofree char *valid = NULL;

  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  if (!g_utf8_validate (s, -1, NULL))
    s = valid = g_utf8_make_valid (s, -1);
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\u%04x", *p);
          /* U+2028 and U+2029 are valid JSON but end lines in JavaScript */
          else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9))
            {
              g_string_append (out, p[2] == 0xa8 ? "\\u2028" : "\\u2029");
              p += 2;
            }
          else
            g_string_append_c (out, (char) *p);
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* A number; NaN and infinities as the strings "nan", "inf", "-inf". */
static void
json_number (GString *out,
             double   v,
             GeDType  dtype)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = format_number (buf, v, dtype);

  if (isnan (v) || isinf (v))
    g_string_append_printf (out, "\"%s\"", text);
  else
    g_string_append (out, text);
}

/* A statistic that is NaN when there is nothing to compute it over: null. */
static void
json_stat (GString *out,
           double   v)
{
  if (isnan (v))
    g_string_append (out, "null");
  else
    json_number (out, v, GE_DTYPE_FLOAT64);
}

static void
json_key (GString    *out,
          gboolean   *first,
          const char *key)
{
  if (!*first)
    g_string_append_c (out, ',');
  *first = FALSE;
  json_string (out, key);
  g_string_append_c (out, ':');
}

static void
json_bool (GString  *out,
           gboolean  b)
{
  g_string_append (out, b ? "true" : "false");
}

static void
json_shape (GString      *out,
            int           ndim,
            const gint64 *sizes)
{
  g_string_append_c (out, '[');
  for (int d = 0; d < ndim; d++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, d > 0 ? "," : "", sizes[d]);
  g_string_append_c (out, ']');
}

static void
json_numbers (GString      *out,
              const double *v,
              gint64        n,
              GeDType       dtype)
{
  g_string_append_c (out, '[');
  for (gint64 i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_number (out, v[i], dtype);
    }
  g_string_append_c (out, ']');
}

static void
json_value (GString            *out,
            const GeGraphValue *value)
{
  gboolean first = TRUE;

  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '{');
  json_key (out, &first, "dtype");
  json_string (out, dtype_short_name (value->dtype));
  json_key (out, &first, "shape");
  json_shape (out, value->ndim, value->sizes);
  json_key (out, &first, "numel");
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value->numel);
  if (value->readable && value->full)
    {
      json_key (out, &first, "values");
      json_numbers (out, value->values, value->numel, value->dtype);
      json_key (out, &first, "repr");
      json_string (out, value->repr);
    }
  else if (value->readable)
    {
      gboolean sfirst = TRUE;

      json_key (out, &first, "summary");
      g_string_append_c (out, '{');
      json_key (out, &sfirst, "min");
      json_stat (out, value->min);
      json_key (out, &sfirst, "max");
      json_stat (out, value->max);
      json_key (out, &sfirst, "mean");
      json_stat (out, value->mean);
      json_key (out, &sfirst, "std");
      json_stat (out, value->std);
      json_key (out, &sfirst, "nan");
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->n_nan);
      json_key (out, &sfirst, "inf");
      g_string_append_printf (out, "%" G_GINT64_FORMAT, value->n_inf);
      json_key (out, &sfirst, "first");
      json_numbers (out, value->head, value->n_head, value->dtype);
      json_key (out, &sfirst, "last");
      json_numbers (out, value->tail, value->n_tail, value->dtype);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, '}');
}

/* ---- snapshot construction ---- */

static void
graph_node_free (GeGraphNode *node)
{
  for (int i = 0; i < node->n_outputs; i++)
    value_free (node->outputs[i]);
  g_free (node->outputs);
  value_free (node->value);
  value_free (node->grad);
  g_free (node);
}

static void
forward_step_free (GeForwardStep *step)
{
  g_free (step->input_ids);
  g_free (step);
}

static const char *
intern (GeGraphSnapshot *snapshot,
        const char      *s)
{
  return s != NULL ? g_string_chunk_insert_const (snapshot->strings, s) : NULL;
}

static GeGraphNode *
add_node (GeGraphSnapshot *snapshot,
          GeGraphNodeKind  kind,
          const char      *id)
{
  GeGraphNode *node = g_new0 (GeGraphNode, 1);

  node->kind = kind;
  node->id = g_string_chunk_insert (snapshot->strings, id);
  node->sequence_nr = G_MAXUINT64;
  g_ptr_array_add (snapshot->nodes, node);
  g_hash_table_insert (snapshot->by_id, (gpointer) node->id, node);
  return node;
}

static void
edge_set_shape (GeGraphEdge    *edge,
                const GeTensor *t)
{
  if (t == NULL)
    return;
  edge->has_shape = TRUE;
  edge->dtype = ge_tensor_get_dtype (t);
  edge->ndim = ge_tensor_get_ndim (t);
  memcpy (edge->sizes, ge_tensor_get_sizes (t), sizeof (gint64) * edge->ndim);
}

static void
add_edge (GeGraphSnapshot *snapshot,
          GeGraphEdgeKind  kind,
          const char      *from,
          const char      *to,
          int              output_nr,
          int              input_nr,
          const GeTensor  *shape_of)
{
  GeGraphEdge edge = { 0 };

  edge.kind = kind;
  edge.from = from;
  edge.to = to;
  edge.output_nr = output_nr;
  edge.input_nr = input_nr;
  edge_set_shape (&edge, shape_of);
  g_array_append_val (snapshot->edges, edge);
}

/* A tensor node for a root or a leaf (one per tensor). */
static GeGraphNode *
tensor_node (GeGraphSnapshot  *snapshot,
             GeTensor         *t,
             guint             depth,
             GError          **error)
{
  GeGraphNode *node = g_hash_table_lookup (snapshot->tensor_nodes, t);
  g_autofree char *id = NULL;
  GeTensor *grad;

  if (node != NULL)
    return node;

  id = g_strdup_printf ("t%u", g_hash_table_size (snapshot->tensor_nodes));
  node = add_node (snapshot, GE_GRAPH_NODE_TENSOR, id);
  g_hash_table_insert (snapshot->tensor_nodes, t, node);
  node->depth = depth;
  node->name = intern (snapshot, ge_tensor_get_name (t));
  node->is_leaf = ge_tensor_is_leaf (t);
  node->requires_grad = ge_tensor_requires_grad (t);
  node->grad_fn = intern (snapshot, ge_tensor_get_grad_fn_name (t));
  node->value = value_new (t, snapshot->options.max_full_elements, node->grad_fn,
                           node->requires_grad, error);
  if (node->value == NULL)
    return NULL;
  grad = ge_tensor_get_grad (t);
  if (grad != NULL)
    {
      node->grad = value_new (grad, snapshot->options.max_full_elements, NULL, FALSE, error);
      if (node->grad == NULL)
        return NULL;
    }
  return node;
}

static gboolean
same_view (const GeTensor *a,
           const GeTensor *b)
{
  int ndim = ge_tensor_get_ndim (a);

  return ge_tensor_shares_storage (a, b) &&
         ndim == ge_tensor_get_ndim (b) &&
         ge_tensor_get_offset (a) == ge_tensor_get_offset (b) &&
         memcmp (ge_tensor_get_sizes (a), ge_tensor_get_sizes (b), sizeof (gint64) * ndim) == 0 &&
         memcmp (ge_tensor_get_strides (a), ge_tensor_get_strides (b), sizeof (gint64) * ndim) == 0;
}

/* Which output of its grad_fn @t is (the public API does not say). */
static int
find_output_nr (GeTensor *t,
                GeNode   *grad_fn)
{
  int n = ge_node_get_n_outputs (grad_fn);

  for (int i = 0; n > 1 && i < n; i++)
    {
      GeTensor *out = ge_node_get_output_value (grad_fn, i);
      if (out != NULL && same_view (out, t))
        return i;
    }
  return 0;
}

static int
compare_op_counts (gconstpointer a,
                   gconstpointer b)
{
  const GeGraphOpCount *x = a, *y = b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp (x->op, y->op);
}

static int
compare_forward_steps (gconstpointer a,
                       gconstpointer b)
{
  const GeForwardStep *x = *(GeForwardStep * const *) a;
  const GeForwardStep *y = *(GeForwardStep * const *) b;

  return x->sequence_nr < y->sequence_nr ? -1 : x->sequence_nr > y->sequence_nr;
}

/* One op node met by the walk over the whole graph. */
typedef struct
{
  GeNode *node;
  guint   depth;      /* edges from the nearest root tensor */
  guint   indegree;   /* edges arriving from consumers */
  guint   longest;    /* op nodes on the longest chain ending here */
} Visit;

static guint
visit_index (GHashTable *index,
             GeNode     *node)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (index, node)) - 1;
}

/* Breadth-first over every op node: the queue is the array itself. */
static void
walk_graph (GeGraphSnapshot *snapshot,
            int              n_roots,
            GeTensor       **roots,
            GArray          *visits,
            GHashTable      *index)
{
  g_autoptr(GHashTable) tensors = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GeGraphSummary *summary = &snapshot->summary;
  GHashTableIter iter;
  gpointer key, count;

  for (int r = 0; r < n_roots; r++)
    {
      GeNode *grad_fn = ge_tensor_get_grad_fn (roots[r]);

      if (g_hash_table_add (tensors, roots[r]))
        {
          summary->n_tensor_nodes++;
          if (grad_fn != NULL)
            summary->n_edges++;
        }
      if (grad_fn != NULL && !g_hash_table_contains (index, grad_fn))
        {
          Visit v = { grad_fn, 1, 0, 0 };
          g_array_append_val (visits, v);
          g_hash_table_insert (index, grad_fn, GUINT_TO_POINTER (visits->len));
        }
    }

  for (guint q = 0; q < visits->len; q++)
    {
      GeNode *node = g_array_index (visits, Visit, q).node;
      guint depth = g_array_index (visits, Visit, q).depth;
      GeTensor *variable = ge_node_get_variable (node);
      const char *op = ge_node_get_name (node);
      int n_next = ge_node_get_n_next (node);

      g_hash_table_insert (counts, (gpointer) op,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, op)) + 1));
      if (variable != NULL)
        {
          summary->n_edges++;
          if (g_hash_table_add (tensors, variable))
            summary->n_tensor_nodes++;
        }
      for (int i = 0; i < n_next; i++)
        {
          GeNode *next = ge_node_get_next (node, i, NULL);

          summary->n_edges++;
          if (next == NULL)
            {
              summary->n_constant_nodes++;
              continue;
            }
          if (!g_hash_table_contains (index, next))
            {
              Visit v = { next, depth + 1, 0, 0 };
              g_array_append_val (visits, v);
              g_hash_table_insert (index, next, GUINT_TO_POINTER (visits->len));
            }
          g_array_index (visits, Visit, visit_index (index, next)).indegree++;
        }
    }
  summary->n_op_nodes = visits->len;
  summary->total_nodes = summary->n_op_nodes + summary->n_tensor_nodes + summary->n_constant_nodes;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &count))
    {
      GeGraphOpCount c = { intern (snapshot, key), GPOINTER_TO_UINT (count) };
      g_array_append_val (snapshot->op_counts, c);
    }
  g_array_sort (snapshot->op_counts, compare_op_counts);
  summary->n_op_counts = snapshot->op_counts->len;
  summary->op_counts = (const GeGraphOpCount *) (gpointer) snapshot->op_counts->data;
}

/* The longest chain of op nodes, by Kahn's topological order. */
static guint
longest_chain (GArray     *visits,
               GHashTable *index)
{
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (guint));
  guint depth = 0;

  for (guint i = 0; i < visits->len; i++)
    if (g_array_index (visits, Visit, i).indegree == 0)
      {
        g_array_index (visits, Visit, i).longest = 1;
        g_array_append_val (ready, i);
      }
  for (guint q = 0; q < ready->len; q++)
    {
      Visit *v = &g_array_index (visits, Visit, g_array_index (ready, guint, q));
      int n_next = ge_node_get_n_next (v->node);

      depth = MAX (depth, v->longest);
      for (int i = 0; i < n_next; i++)
        {
          GeNode *next = ge_node_get_next (v->node, i, NULL);
          guint j;
          Visit *w;

          if (next == NULL)
            continue;
          j = visit_index (index, next);
          w = &g_array_index (visits, Visit, j);
          w->longest = MAX (w->longest, v->longest + 1);
          if (--w->indegree == 0)
            g_array_append_val (ready, j);
        }
    }
  return depth;
}

/* How many of the walk's op nodes (a prefix: nearest first) to show. */
static guint
count_kept (GeGraphSnapshot *snapshot,
            int              n_roots,
            GeTensor       **roots,
            GArray          *visits)
{
  g_autoptr(GHashTable) tensors = g_hash_table_new (NULL, NULL);
  guint used = 0, kept;

  if (snapshot->summary.total_nodes <= snapshot->options.max_nodes)
    return visits->len;

  for (int r = 0; r < n_roots; r++)
    if (g_hash_table_add (tensors, roots[r]))
      used++;
  for (kept = 0; kept < visits->len; kept++)
    {
      GeNode *node = g_array_index (visits, Visit, kept).node;
      GeTensor *variable = ge_node_get_variable (node);
      guint cost = 1;

      for (int i = 0; i < ge_node_get_n_next (node); i++)
        if (ge_node_get_next (node, i, NULL) == NULL)
          cost++;
      if (variable != NULL && !g_hash_table_contains (tensors, variable))
        cost++;
      if (used + cost > snapshot->options.keep_nodes)
        break;
      used += cost;
      if (variable != NULL)
        g_hash_table_add (tensors, variable);
    }
  return kept;
}

static GeGraphNode *
op_node (GeGraphSnapshot  *snapshot,
         GeNode           *node,
         guint             depth,
         GError          **error)
{
  guint64 seq = ge_node_get_sequence_nr (node);
  g_autofree char *id = NULL;
  GeGraphNode *g;

  if (ge_node_get_variable (node) != NULL || seq == G_MAXUINT64)
    id = g_strdup_printf ("a%u", snapshot->n_accumulators++);
  else
    {
      id = g_strdup_printf ("n%" G_GUINT64_FORMAT, seq);
      /* sequence numbers are unique; stay correct even if they were not */
      for (guint k = 1; g_hash_table_contains (snapshot->by_id, id); k++)
        {
          g_free (id);
          id = g_strdup_printf ("n%" G_GUINT64_FORMAT "_%u", seq, k);
        }
    }

  g = add_node (snapshot, GE_GRAPH_NODE_OP, id);
  g_hash_table_insert (snapshot->op_ids, node, (gpointer) g->id);
  g->depth = depth;
  g->op = intern (snapshot, ge_node_get_name (node));
  g->sequence_nr = seq;
  g->released = ge_node_is_released (node);
  g->n_outputs = ge_node_get_n_outputs (node);
  g->outputs = g_new0 (GeGraphValue *, MAX (g->n_outputs, 1));
  for (int i = 0; i < g->n_outputs; i++)
    {
      GeTensor *out = ge_node_get_output_value (node, i);
      if (out == NULL)
        continue;
      g->outputs[i] = value_new (out, snapshot->options.max_full_elements, g->op, TRUE, error);
      if (g->outputs[i] == NULL)
        return NULL;
    }
  return g;
}

static const char *
constant_key (GeGraphSnapshot *snapshot,
              const char      *consumer_id,
              int              input_nr)
{
  g_autofree char *key = g_strdup_printf ("%s:%d", consumer_id, input_nr);

  return g_string_chunk_insert_const (snapshot->strings, key);
}

/* Edges, leaves and constants of the op node @node (already added). */
static gboolean
connect_op_node (GeGraphSnapshot  *snapshot,
                 GeNode           *node,
                 GeGraphNode      *g,
                 GError          **error)
{
  GeTensor *variable = ge_node_get_variable (node);
  int n_next = ge_node_get_n_next (node);

  if (variable != NULL)
    {
      GeGraphNode *leaf = tensor_node (snapshot, variable, g->depth + 1, error);

      if (leaf == NULL)
        return FALSE;
      leaf->accumulator_id = g->id;
      g->variable_id = leaf->id;
      add_edge (snapshot, GE_GRAPH_EDGE_VARIABLE, leaf->id, g->id, 0, 0, variable);
    }

  for (int i = 0; i < n_next; i++)
    {
      int output_nr = 0;
      GeNode *next = ge_node_get_next (node, i, &output_nr);

      if (next == NULL)
        {
          GeTensor *input = ge_node_get_input_value (node, i);
          g_autofree char *id = g_strdup_printf ("c%u", g_hash_table_size (snapshot->constant_ids));
          GeGraphNode *c = add_node (snapshot, GE_GRAPH_NODE_CONSTANT, id);

          g_hash_table_insert (snapshot->constant_ids,
                               (gpointer) constant_key (snapshot, g->id, i), (gpointer) c->id);
          c->depth = g->depth + 1;
          c->consumer_id = g->id;
          c->input_nr = i;
          if (input != NULL)
            {
              c->value = value_new (input, snapshot->options.max_full_elements, NULL, FALSE, error);
              if (c->value == NULL)
                return FALSE;
            }
          add_edge (snapshot, GE_GRAPH_EDGE_NO_GRAD, c->id, g->id, 0, i, input);
        }
      else
        {
          const char *from = g_hash_table_lookup (snapshot->op_ids, next);
          const GeTensor *shape_of = NULL;

          if (from == NULL)
            {
              g->hidden_inputs++;
              continue;
            }
          if (output_nr < ge_node_get_n_outputs (next))
            shape_of = ge_node_get_output_value (next, output_nr);
          if (shape_of == NULL)
            shape_of = ge_node_get_variable (next);
          add_edge (snapshot, GE_GRAPH_EDGE_GRAD, from, g->id, output_nr, i, shape_of);
        }
    }
  return TRUE;
}

static void
build_forward (GeGraphSnapshot *snapshot,
               GPtrArray       *kept_nodes)
{
  for (guint k = 0; k < kept_nodes->len; k++)
    {
      GeNode *node = kept_nodes->pdata[k];
      const char *id = g_hash_table_lookup (snapshot->op_ids, node);
      GeGraphNode *g = g_hash_table_lookup (snapshot->by_id, id);
      GeForwardStep *step;

      if (ge_node_get_variable (node) != NULL || g->sequence_nr == G_MAXUINT64)
        continue;
      step = g_new0 (GeForwardStep, 1);
      step->node_id = g->id;
      step->op = g->op;
      step->sequence_nr = g->sequence_nr;
      step->n_inputs = ge_node_get_n_next (node);
      step->input_ids = g_new0 (const char *, MAX (step->n_inputs, 1));
      for (int i = 0; i < step->n_inputs; i++)
        {
          GeNode *next = ge_node_get_next (node, i, NULL);
          GeTensor *variable = next != NULL ? ge_node_get_variable (next) : NULL;

          if (next == NULL)
            step->input_ids[i] = g_hash_table_lookup (snapshot->constant_ids,
                                                      constant_key (snapshot, g->id, i));
          else if (variable != NULL)
            {
              /* going forward, a leaf's value comes from the leaf itself */
              GeGraphNode *leaf = g_hash_table_lookup (snapshot->tensor_nodes, variable);
              step->input_ids[i] = leaf != NULL ? leaf->id : NULL;
            }
          else
            step->input_ids[i] = g_hash_table_lookup (snapshot->op_ids, next);
        }
      step->n_outputs = g->n_outputs;
      step->outputs = g->outputs;
      g_ptr_array_add (snapshot->forward, step);
    }
  g_ptr_array_sort (snapshot->forward, compare_forward_steps);
}

GeGraphSnapshot *
ge_graph_snapshot_new (int                    n_roots,
                       GeTensor             **roots,
                       const GeGraphOptions  *options,
                       GError               **error)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GArray) visits = NULL;
  g_autoptr(GHashTable) index = NULL;
  g_autoptr(GPtrArray) kept_nodes = NULL;
  guint n_kept;

  g_return_val_if_fail (n_roots > 0 && roots != NULL, NULL);
  for (int r = 0; r < n_roots; r++)
    g_return_val_if_fail (roots[r] != NULL, NULL);

  snapshot = g_new0 (GeGraphSnapshot, 1);
  snapshot->ref_count = 1;
  resolve_options (options, &snapshot->options);
  snapshot->strings = g_string_chunk_new (1024);
  snapshot->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) graph_node_free);
  snapshot->edges = g_array_new (FALSE, TRUE, sizeof (GeGraphEdge));
  snapshot->root_ids = g_ptr_array_new ();
  snapshot->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  snapshot->op_ids = g_hash_table_new (NULL, NULL);
  snapshot->tensor_nodes = g_hash_table_new (NULL, NULL);
  snapshot->constant_ids = g_hash_table_new (g_str_hash, g_str_equal);
  snapshot->op_counts = g_array_new (FALSE, TRUE, sizeof (GeGraphOpCount));
  snapshot->forward = g_ptr_array_new_with_free_func ((GDestroyNotify) forward_step_free);

  /* 1. Walk the whole graph: counts, depths, the order nearest first. */
  visits = g_array_new (FALSE, TRUE, sizeof (Visit));
  index = g_hash_table_new (NULL, NULL);
  walk_graph (snapshot, n_roots, roots, visits, index);
  snapshot->summary.depth = longest_chain (visits, index);

  /* 2. Keep all of it, or the nearest part when it is too big. */
  n_kept = count_kept (snapshot, n_roots, roots, visits);

  /* 3. Copy what is kept: roots, op nodes, then their leaves and constants. */
  for (int r = 0; r < n_roots; r++)
    {
      GeGraphNode *t = tensor_node (snapshot, roots[r], 0, error);
      if (t == NULL)
        return NULL;
      t->is_root = TRUE;
      g_ptr_array_add (snapshot->root_ids, (gpointer) t->id);
    }
  kept_nodes = g_ptr_array_sized_new (n_kept);
  for (guint k = 0; k < n_kept; k++)
    {
      Visit *v = &g_array_index (visits, Visit, k);
      if (op_node (snapshot, v->node, v->depth, error) == NULL)
        return NULL;
      g_ptr_array_add (kept_nodes, v->node);
    }
  for (guint k = 0; k < n_kept; k++)
    {
      GeNode *node = kept_nodes->pdata[k];
      GeGraphNode *g = g_hash_table_lookup (snapshot->by_id, g_hash_table_lookup (snapshot->op_ids, node));
      if (!connect_op_node (snapshot, node, g, error))
        return NULL;
    }
  for (int r = 0; r < n_roots; r++)
    {
      GeGraphNode *t = g_hash_table_lookup (snapshot->tensor_nodes, roots[r]);
      GeNode *grad_fn = ge_tensor_get_grad_fn (roots[r]);

      if (grad_fn == NULL || t->grad_fn_id != NULL)
        continue;
      t->output_nr = find_output_nr (roots[r], grad_fn);
      t->grad_fn_id = g_hash_table_lookup (snapshot->op_ids, grad_fn);
      if (t->grad_fn_id != NULL)
        add_edge (snapshot, GE_GRAPH_EDGE_OUTPUT, t->grad_fn_id, t->id, t->output_nr, 0, roots[r]);
    }
  build_forward (snapshot, kept_nodes);
  snapshot->summary.shown_nodes = snapshot->nodes->len;
  snapshot->summary.truncated = snapshot->summary.shown_nodes < snapshot->summary.total_nodes;
  return g_steal_pointer (&snapshot);
}

GeGraphSnapshot *
ge_graph_snapshot_ref (GeGraphSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  snapshot->ref_count++;
  return snapshot;
}

void
ge_graph_snapshot_unref (GeGraphSnapshot *snapshot)
{
  if (snapshot == NULL || --snapshot->ref_count > 0)
    return;
  g_ptr_array_unref (snapshot->forward);
  g_ptr_array_unref (snapshot->nodes);
  g_array_unref (snapshot->edges);
  g_ptr_array_unref (snapshot->root_ids);
  g_hash_table_unref (snapshot->by_id);
  g_hash_table_unref (snapshot->op_ids);
  g_hash_table_unref (snapshot->tensor_nodes);
  g_hash_table_unref (snapshot->constant_ids);
  g_array_unref (snapshot->op_counts);
  g_string_chunk_free (snapshot->strings);
  g_free (snapshot);
}

guint
ge_graph_snapshot_get_n_nodes (GeGraphSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, 0);
  return snapshot->nodes->len;
}

const GeGraphNode *
ge_graph_snapshot_get_node (GeGraphSnapshot *snapshot,
                            guint            i)
{
  g_return_val_if_fail (snapshot != NULL && i < snapshot->nodes->len, NULL);
  return snapshot->nodes->pdata[i];
}

const GeGraphNode *
ge_graph_snapshot_find_node (GeGraphSnapshot *snapshot,
                             const char      *id)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  return id != NULL ? g_hash_table_lookup (snapshot->by_id, id) : NULL;
}

guint
ge_graph_snapshot_get_n_edges (GeGraphSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, 0);
  return snapshot->edges->len;
}

const GeGraphEdge *
ge_graph_snapshot_get_edge (GeGraphSnapshot *snapshot,
                            guint            i)
{
  g_return_val_if_fail (snapshot != NULL && i < snapshot->edges->len, NULL);
  return &g_array_index (snapshot->edges, GeGraphEdge, i);
}

guint
ge_graph_snapshot_get_n_roots (GeGraphSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, 0);
  return snapshot->root_ids->len;
}

const char *
ge_graph_snapshot_get_root_id (GeGraphSnapshot *snapshot,
                               guint            i)
{
  g_return_val_if_fail (snapshot != NULL && i < snapshot->root_ids->len, NULL);
  return snapshot->root_ids->pdata[i];
}

const GeGraphSummary *
ge_graph_snapshot_get_summary (GeGraphSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  return &snapshot->summary;
}

const char *
ge_graph_snapshot_get_node_id (GeGraphSnapshot *snapshot,
                               const GeNode    *node)
{
  g_return_val_if_fail (snapshot != NULL, NULL);
  return g_hash_table_lookup (snapshot->op_ids, node);
}

const char *
ge_graph_snapshot_get_tensor_id (GeGraphSnapshot *snapshot,
                                 const GeTensor  *tensor)
{
  GeGraphNode *node;

  g_return_val_if_fail (snapshot != NULL, NULL);
  node = g_hash_table_lookup (snapshot->tensor_nodes, tensor);
  return node != NULL ? node->id : NULL;
}

guint
ge_graph_snapshot_get_n_forward_steps (GeGraphSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, 0);
  return snapshot->forward->len;
}

const GeForwardStep *
ge_graph_snapshot_get_forward_step (GeGraphSnapshot *snapshot,
                                    guint            i)
{
  g_return_val_if_fail (snapshot != NULL && i < snapshot->forward->len, NULL);
  return snapshot->forward->pdata[i];
}

/* ---- snapshot as JSON ---- */

static const char *
edge_kind_name (GeGraphEdgeKind kind)
{
  switch (kind)
    {
    case GE_GRAPH_EDGE_GRAD:     return "grad";
    case GE_GRAPH_EDGE_VARIABLE: return "variable";
    case GE_GRAPH_EDGE_OUTPUT:   return "output";
    case GE_GRAPH_EDGE_NO_GRAD:  return "no_grad";
    default:                     g_return_val_if_reached ("grad");
    }
}

static void
json_sequence_nr (GString *out,
                  guint64  seq)
{
  /* AccumulateGrad's G_MAXUINT64 does not survive a double: null */
  if (seq == G_MAXUINT64)
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, seq);
}

static void
json_graph_node (GString           *out,
                 const GeGraphNode *node)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  json_key (out, &first, "id");
  json_string (out, node->id);
  json_key (out, &first, "kind");
  switch (node->kind)
    {
    case GE_GRAPH_NODE_OP:
      json_string (out, "op");
      json_key (out, &first, "op");
      json_string (out, node->op);
      json_key (out, &first, "sequence_nr");
      json_sequence_nr (out, node->sequence_nr);
      json_key (out, &first, "depth");
      g_string_append_printf (out, "%u", node->depth);
      json_key (out, &first, "released");
      json_bool (out, node->released);
      json_key (out, &first, "outputs");
      g_string_append_c (out, '[');
      for (int i = 0; i < node->n_outputs; i++)
        {
          if (i > 0)
            g_string_append_c (out, ',');
          json_value (out, node->outputs[i]);
        }
      g_string_append_c (out, ']');
      json_key (out, &first, "variable");
      json_string (out, node->variable_id);
      json_key (out, &first, "hidden_inputs");
      g_string_append_printf (out, "%u", node->hidden_inputs);
      break;

    case GE_GRAPH_NODE_TENSOR:
      json_string (out, "tensor");
      json_key (out, &first, "depth");
      g_string_append_printf (out, "%u", node->depth);
      json_key (out, &first, "name");
      json_string (out, node->name);
      json_key (out, &first, "root");
      json_bool (out, node->is_root);
      json_key (out, &first, "leaf");
      json_bool (out, node->is_leaf);
      json_key (out, &first, "requires_grad");
      json_bool (out, node->requires_grad);
      json_key (out, &first, "grad_fn");
      json_string (out, node->grad_fn);
      json_key (out, &first, "grad_fn_id");
      json_string (out, node->grad_fn_id);
      json_key (out, &first, "output_nr");
      g_string_append_printf (out, "%d", node->output_nr);
      json_key (out, &first, "accumulator");
      json_string (out, node->accumulator_id);
      json_key (out, &first, "value");
      json_value (out, node->value);
      json_key (out, &first, "grad");
      json_value (out, node->grad);
      break;

    case GE_GRAPH_NODE_CONSTANT:
    default:
      json_string (out, "constant");
      json_key (out, &first, "depth");
      g_string_append_printf (out, "%u", node->depth);
      json_key (out, &first, "no_grad");
      json_bool (out, TRUE);
      json_key (out, &first, "consumer");
      json_string (out, node->consumer_id);
      json_key (out, &first, "input_nr");
      g_string_append_printf (out, "%d", node->input_nr);
      json_key (out, &first, "value");
      json_value (out, node->value);
      break;
    }
  g_string_append_c (out, '}');
}

static void
json_graph_edge (GString           *out,
                 const GeGraphEdge *edge)
{
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  json_key (out, &first, "kind");
  json_string (out, edge_kind_name (edge->kind));
  json_key (out, &first, "from");
  json_string (out, edge->from);
  json_key (out, &first, "to");
  json_string (out, edge->to);
  json_key (out, &first, "output_nr");
  g_string_append_printf (out, "%d", edge->output_nr);
  json_key (out, &first, "input_nr");
  g_string_append_printf (out, "%d", edge->input_nr);
  json_key (out, &first, "shape");
  if (edge->has_shape)
    json_shape (out, edge->ndim, edge->sizes);
  else
    g_string_append (out, "null");
  json_key (out, &first, "dtype");
  json_string (out, edge->has_shape ? dtype_short_name (edge->dtype) : NULL);
  g_string_append_c (out, '}');
}

/* The snapshot document at @indent ("" at top level). */
static void
json_snapshot (GString         *out,
               GeGraphSnapshot *snapshot,
               const char      *indent)
{
  const GeGraphSummary *summary = &snapshot->summary;
  gboolean first = TRUE;

  g_string_append (out, "{\n");
  g_string_append_printf (out, "%s  \"schema\": ", indent);
  json_string (out, GRAPH_SCHEMA);

  g_string_append_printf (out, ",\n%s  \"roots\": [", indent);
  for (guint r = 0; r < snapshot->root_ids->len; r++)
    {
      if (r > 0)
        g_string_append_c (out, ',');
      json_string (out, snapshot->root_ids->pdata[r]);
    }
  g_string_append_c (out, ']');

  g_string_append_printf (out, ",\n%s  \"summary\": {", indent);
  json_key (out, &first, "total_nodes");
  g_string_append_printf (out, "%u", summary->total_nodes);
  json_key (out, &first, "op_nodes");
  g_string_append_printf (out, "%u", summary->n_op_nodes);
  json_key (out, &first, "tensor_nodes");
  g_string_append_printf (out, "%u", summary->n_tensor_nodes);
  json_key (out, &first, "constant_nodes");
  g_string_append_printf (out, "%u", summary->n_constant_nodes);
  json_key (out, &first, "edges");
  g_string_append_printf (out, "%u", summary->n_edges);
  json_key (out, &first, "depth");
  g_string_append_printf (out, "%u", summary->depth);
  json_key (out, &first, "truncated");
  json_bool (out, summary->truncated);
  json_key (out, &first, "shown_nodes");
  g_string_append_printf (out, "%u", summary->shown_nodes);
  json_key (out, &first, "max_nodes");
  g_string_append_printf (out, "%u", snapshot->options.max_nodes);
  json_key (out, &first, "keep_nodes");
  g_string_append_printf (out, "%u", snapshot->options.keep_nodes);
  json_key (out, &first, "ops");
  g_string_append_c (out, '[');
  for (guint i = 0; i < summary->n_op_counts; i++)
    {
      gboolean cfirst = TRUE;

      g_string_append (out, i > 0 ? ",{" : "{");
      json_key (out, &cfirst, "op");
      json_string (out, summary->op_counts[i].op);
      json_key (out, &cfirst, "count");
      g_string_append_printf (out, "%u", summary->op_counts[i].count);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");

  g_string_append_printf (out, ",\n%s  \"nodes\": [", indent);
  for (guint i = 0; i < snapshot->nodes->len; i++)
    {
      g_string_append_printf (out, "%s\n%s    ", i > 0 ? "," : "", indent);
      json_graph_node (out, snapshot->nodes->pdata[i]);
    }
  g_string_append_printf (out, "\n%s  ]", indent);

  g_string_append_printf (out, ",\n%s  \"edges\": [", indent);
  for (guint i = 0; i < snapshot->edges->len; i++)
    {
      g_string_append_printf (out, "%s\n%s    ", i > 0 ? "," : "", indent);
      json_graph_edge (out, &g_array_index (snapshot->edges, GeGraphEdge, i));
    }
  g_string_append_printf (out, "\n%s  ]", indent);

  g_string_append_printf (out, ",\n%s  \"forward\": [", indent);
  for (guint i = 0; i < snapshot->forward->len; i++)
    {
      const GeForwardStep *step = snapshot->forward->pdata[i];
      if (i > 0)
        g_string_append_c (out, ',');
      json_string (out, step->node_id);
    }
  g_string_append_printf (out, "]\n%s}", indent);
}

char *
ge_graph_snapshot_to_json (GeGraphSnapshot *snapshot)
{
  GString *out;

  g_return_val_if_fail (snapshot != NULL, NULL);
  out = g_string_new (NULL);
  json_snapshot (out, snapshot, "");
  g_string_append_c (out, '\n');
  return g_string_free (out, FALSE);
}

/* ---- snapshot as DOT ---- */

/* Appends @s inside a DOT "..." string; newlines become DOT's \n. */
static void
dot_escape (GString    *out,
            const char *s)
{
  g_autofree char *valid = g_utf8_make_valid (s, -1);

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if ((unsigned char) *p >= 0x20 && *p != 0x7f)
        g_string_append_c (out, *p);
    }
}

static void
append_shape_text (GString      *out,
                   int           ndim,
                   const gint64 *sizes)
{
  g_autofree char *shape = ge_shape_to_string (sizes, ndim);

  g_string_append (out, shape);
}

/* Diagrams show five significant digits, as few as PyTorch's repr. */
static void
append_number_text (GString *out,
                    double   v,
                    GeDType  dtype)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (ge_dtype_is_floating (dtype) && isfinite (v))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.5g", v));
  else
    g_string_append (out, format_number (buf, v, dtype));
}

/* A short one-line form of a value for a diagram. */
static void
append_value_text (GString            *out,
                   const GeGraphValue *value)
{
  const gint64 shown = 6;

  if (!value->readable)
    return;
  if (value->full && value->ndim == 0)
    append_number_text (out, value->values[0], value->dtype);
  else if (value->full)
    {
      g_string_append_c (out, '[');
      for (gint64 i = 0; i < value->numel; i++)
        {
          if (value->numel > shown && i == shown / 2)
            {
              g_string_append (out, "…, ");
              i = value->numel - shown / 2;
            }
          append_number_text (out, value->values[i], value->dtype);
          if (i + 1 < value->numel)
            g_string_append (out, ", ");
        }
      g_string_append_c (out, ']');
    }
  else
    {
      if (isnan (value->min))
        g_string_append (out, "no finite values");
      else
        {
          g_string_append (out, "min ");
          append_number_text (out, value->min, GE_DTYPE_FLOAT32);
          g_string_append (out, " · max ");
          append_number_text (out, value->max, GE_DTYPE_FLOAT32);
          g_string_append (out, " · mean ");
          append_number_text (out, value->mean, GE_DTYPE_FLOAT32);
        }
      if (value->n_nan > 0)
        g_string_append_printf (out, " · nan ×%" G_GINT64_FORMAT, value->n_nan);
      if (value->n_inf > 0)
        g_string_append_printf (out, " · inf ×%" G_GINT64_FORMAT, value->n_inf);
    }
}

static void
append_shape_dtype_text (GString            *out,
                         const GeGraphValue *value)
{
  append_shape_text (out, value->ndim, value->sizes);
  g_string_append_printf (out, " %s", dtype_short_name (value->dtype));
}

/* Label lines joined by DOT's \n. */
static void
dot_label_line (GString    *label,
                const char *line)
{
  if (label->len > 0)
    g_string_append (label, "\\n");
  dot_escape (label, line);
}

static void
dot_node (GString           *out,
          const GeGraphNode *node)
{
  g_autoptr(GString) label = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (NULL);
  const char *style;

  switch (node->kind)
    {
    case GE_GRAPH_NODE_OP:
      dot_label_line (label, node->op);
      if (node->sequence_nr != G_MAXUINT64)
        {
          g_string_printf (line, "#%" G_GUINT64_FORMAT "%s", node->sequence_nr,
                           node->released ? " · released" : "");
          dot_label_line (label, line->str);
        }
      if (node->n_outputs > 0 && node->outputs[0] != NULL)
        {
          g_string_truncate (line, 0);
          append_value_text (line, node->outputs[0]);
          dot_label_line (label, line->str);
        }
      if (node->hidden_inputs > 0)
        {
          g_string_printf (line, "+%u inputs not shown", node->hidden_inputs);
          dot_label_line (label, line->str);
        }
      style = node->variable_id != NULL
        ? "shape=box, style=\"rounded,filled\", fillcolor=\"#fde0b0\""
        : "shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\"";
      break;

    case GE_GRAPH_NODE_TENSOR:
      dot_label_line (label, node->name != NULL ? node->name
                             : node->is_root ? "(root)" : "(leaf)");
      g_string_truncate (line, 0);
      append_shape_dtype_text (line, node->value);
      dot_label_line (label, line->str);
      g_string_truncate (line, 0);
      append_value_text (line, node->value);
      if (line->len > 0)
        dot_label_line (label, line->str);
      if (node->grad != NULL)
        {
          g_string_assign (line, "grad ");
          append_value_text (line, node->grad);
          dot_label_line (label, line->str);
        }
      if (node->is_root)
        style = "shape=ellipse, style=filled, penwidth=2, fillcolor=\"#b9e4d2\"";
      else if (node->requires_grad)
        style = "shape=ellipse, style=filled, fillcolor=\"#c6e2f5\"";
      else
        style = "shape=ellipse, style=filled, fillcolor=\"#ffffff\"";
      break;

    case GE_GRAPH_NODE_CONSTANT:
    default:
      dot_label_line (label, "no grad");
      if (node->value != NULL)
        {
          g_string_truncate (line, 0);
          append_value_text (line, node->value);
          dot_label_line (label, line->str);
          g_string_truncate (line, 0);
          append_shape_dtype_text (line, node->value);
          dot_label_line (label, line->str);
        }
      else
        dot_label_line (label, "(value not kept)");
      style = "shape=box, style=\"rounded,dashed\", color=\"#888888\", fontcolor=\"#555555\"";
      break;
    }

  g_string_append_printf (out, "  \"%s\" [label=\"%s\", %s];\n", node->id, label->str, style);
}

static void
dot_edge (GString           *out,
          const GeGraphEdge *edge)
{
  g_autoptr(GString) label = g_string_new (NULL);
  const char *style = "";

  if (edge->has_shape)
    append_shape_text (label, edge->ndim, edge->sizes);
  switch (edge->kind)
    {
    case GE_GRAPH_EDGE_NO_GRAD:
      style = ", style=dashed, color=\"#888888\", fontcolor=\"#555555\", arrowhead=tee";
      break;
    case GE_GRAPH_EDGE_OUTPUT:
      style = ", penwidth=2";
      break;
    case GE_GRAPH_EDGE_VARIABLE:
      style = ", color=\"#0072b2\"";
      break;
    case GE_GRAPH_EDGE_GRAD:
    default:
      break;
    }
  g_string_append_printf (out, "  \"%s\" -> \"%s\" [label=\"", edge->from, edge->to);
  dot_escape (out, label->str);
  g_string_append_printf (out, "\"%s];\n", style);
}

char *
ge_graph_snapshot_to_dot (GeGraphSnapshot *snapshot)
{
  const GeGraphSummary *summary;
  GString *out;

  g_return_val_if_fail (snapshot != NULL, NULL);
  summary = &snapshot->summary;
  out = g_string_new ("digraph gradlab {\n");
  g_string_append (out, "  graph [rankdir=TB, fontname=\"Sans\"];\n");
  g_string_append (out, "  node [fontname=\"Sans\", fontsize=10];\n");
  g_string_append (out, "  edge [fontname=\"Sans\", fontsize=9];\n");
  for (guint i = 0; i < snapshot->nodes->len; i++)
    dot_node (out, snapshot->nodes->pdata[i]);
  for (guint i = 0; i < snapshot->edges->len; i++)
    dot_edge (out, &g_array_index (snapshot->edges, GeGraphEdge, i));

  if (summary->truncated)
    {
      g_autoptr(GString) label = g_string_new (NULL);
      g_autoptr(GString) line = g_string_new (NULL);

      g_string_printf (line, "%u more nodes not shown (%u in all, depth %u)",
                       summary->total_nodes - summary->shown_nodes, summary->total_nodes,
                       summary->depth);
      dot_label_line (label, line->str);
      for (guint i = 0; i < MIN (summary->n_op_counts, 8); i++)
        {
          g_string_printf (line, "%s ×%u", summary->op_counts[i].op, summary->op_counts[i].count);
          dot_label_line (label, line->str);
        }
      g_string_append_printf (out, "  \"more\" [label=\"%s\", shape=note, style=dashed];\n",
                              label->str);
      for (guint i = 0; i < snapshot->nodes->len; i++)
        {
          const GeGraphNode *node = snapshot->nodes->pdata[i];
          if (node->hidden_inputs > 0)
            g_string_append_printf (out, "  \"more\" -> \"%s\" [style=dotted];\n", node->id);
        }
    }
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

/* ---- traces ---- */

static void
trace_event_free (GeTraceEvent *event)
{
  for (int i = 0; i < event->n_incoming; i++)
    value_free (event->incoming[i]);
  g_free (event->incoming);
  for (int i = 0; i < event->n_flows; i++)
    {
      value_free (event->flows[i].grad);
      value_free (event->flows[i].local);
      value_free (event->flows[i].contribution);
    }
  g_free (event->flows);
  value_free (event->grad_before);
  value_free (event->grad_after);
  g_free (event);
}

static void
trace_capture_free (GeTraceCapture *capture)
{
  value_free (capture->grad);
  g_free (capture);
}

GeTrace *
ge_trace_new (GeGraphSnapshot *snapshot)
{
  GeTrace *trace;

  g_return_val_if_fail (snapshot != NULL, NULL);

  trace = g_new0 (GeTrace, 1);
  trace->snapshot = ge_graph_snapshot_ref (snapshot);
  trace->strings = g_string_chunk_new (256);
  trace->events = g_ptr_array_new_with_free_func ((GDestroyNotify) trace_event_free);
  trace->captured = g_ptr_array_new_with_free_func ((GDestroyNotify) trace_capture_free);
  trace->extra_ids = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < snapshot->forward->len; i++)
    {
      const GeForwardStep *step = snapshot->forward->pdata[i];
      GeTraceEvent *event = g_new0 (GeTraceEvent, 1);

      event->kind = GE_TRACE_EVENT_FORWARD;
      event->index = trace->events->len;
      event->node_id = step->node_id;
      event->op = step->op;
      event->sequence_nr = step->sequence_nr;
      event->forward = step;
      event->step = i;
      g_ptr_array_add (trace->events, event);
    }
  return trace;
}

void
ge_trace_free (GeTrace *trace)
{
  if (trace == NULL)
    return;
  g_ptr_array_unref (trace->events);
  g_ptr_array_unref (trace->captured);
  g_hash_table_unref (trace->extra_ids);
  g_string_chunk_free (trace->strings);
  ge_graph_snapshot_unref (trace->snapshot);
  g_free (trace);
}

GeGraphSnapshot *
ge_trace_get_snapshot (GeTrace *trace)
{
  g_return_val_if_fail (trace != NULL, NULL);
  return trace->snapshot;
}

/* The id of a node the run reached, in or beyond the snapshot. */
static const char *
trace_node_id (GeTrace *trace,
               GeNode  *node)
{
  const char *id = g_hash_table_lookup (trace->snapshot->op_ids, node);
  g_autofree char *made = NULL;
  guint64 seq;

  if (id != NULL)
    return id;
  id = g_hash_table_lookup (trace->extra_ids, node);
  if (id != NULL)
    return id;
  seq = ge_node_get_sequence_nr (node);
  if (ge_node_get_variable (node) != NULL || seq == G_MAXUINT64)
    made = g_strdup_printf ("a%u", trace->snapshot->n_accumulators +
                                   g_hash_table_size (trace->extra_ids));
  else
    made = g_strdup_printf ("n%" G_GUINT64_FORMAT, seq);
  id = g_string_chunk_insert (trace->strings, made);
  g_hash_table_insert (trace->extra_ids, node, (gpointer) id);
  return id;
}

static const char *
trace_tensor_id (GeTrace  *trace,
                 GeTensor *tensor)
{
  return tensor != NULL ? ge_graph_snapshot_get_tensor_id (trace->snapshot, tensor) : NULL;
}

/* Copies @t (NULL allowed) into *@value; FALSE only on failure. */
static gboolean
copy_value (GeTrace       *trace,
            GeTensor      *t,
            GeGraphValue **value,
            GError       **error)
{
  *value = NULL;
  if (t == NULL)
    return TRUE;
  *value = value_new (t, trace->snapshot->options.max_full_elements, NULL, FALSE, error);
  return *value != NULL;
}

gboolean
ge_trace_record_backward_step (GeTrace               *trace,
                               const GeBackwardStep  *step,
                               GError               **error)
{
  GeTraceEvent *event;
  GeTensor *upstream;

  g_return_val_if_fail (trace != NULL && step != NULL && step->node != NULL, FALSE);

  trace->n_backward_steps++;
  if (trace->n_backward_recorded >= trace->snapshot->options.max_events)
    return TRUE;

  event = g_new0 (GeTraceEvent, 1);
  event->kind = GE_TRACE_EVENT_BACKWARD;
  event->index = trace->events->len;
  event->step = trace->n_backward_steps - 1;
  event->node_id = trace_node_id (trace, step->node);
  event->op = g_string_chunk_insert_const (trace->strings, step->name);
  event->sequence_nr = step->sequence_nr;
  event->captured = step->captured;

  event->n_incoming = step->n_incoming;
  event->incoming = g_new0 (GeGraphValue *, MAX (step->n_incoming, 1));
  for (int i = 0; i < step->n_incoming; i++)
    if (!copy_value (trace, step->incoming[i], &event->incoming[i], error))
      goto fail;

  /* upstream × local is defined for single-output ops */
  upstream = step->n_incoming == 1 ? step->incoming[0] : NULL;
  event->n_flows = step->n_edges;
  event->flows = g_new0 (GeTraceFlow, MAX (step->n_edges, 1));
  for (int i = 0; i < step->n_edges; i++)
    {
      GeTraceFlow *flow = &event->flows[i];
      GeNode *next = ge_node_get_next (step->node, i, NULL);
      GeTensor *local = step->local != NULL ? step->local[i] : NULL;

      flow->input_nr = i;
      if (next != NULL)
        flow->target_id = trace_node_id (trace, next);
      else
        flow->target_id = g_hash_table_lookup (trace->snapshot->constant_ids,
                                               constant_key (trace->snapshot, event->node_id, i));
      if (!copy_value (trace, step->outgoing != NULL ? step->outgoing[i] : NULL, &flow->grad, error) ||
          !copy_value (trace, local, &flow->local, error))
        goto fail;
      if (local != NULL && upstream != NULL)
        {
          gboolean prev_mode = ge_grad_mode_set_enabled (FALSE);
          g_autoptr(GeTensor) product = ge_tensor_mul (upstream, local, NULL);

          ge_grad_mode_set_enabled (prev_mode);
          /* a local the op could not multiply is shown without a product */
          if (product != NULL && !copy_value (trace, product, &flow->contribution, error))
            goto fail;
        }
    }

  if (step->variable != NULL)
    {
      event->variable_id = trace_tensor_id (trace, step->variable);
      if (!copy_value (trace, step->grad_before, &event->grad_before, error) ||
          !copy_value (trace, step->grad_after, &event->grad_after, error))
        goto fail;
    }

  g_ptr_array_add (trace->events, event);
  trace->n_backward_recorded++;
  return TRUE;

fail:
  trace_event_free (event);
  return FALSE;
}

gboolean
ge_trace_record_captured (GeTrace   *trace,
                          int        i,
                          GeTensor  *input,
                          GeTensor  *grad,
                          GError   **error)
{
  GeTraceCapture *capture;
  GeNode *grad_fn;

  g_return_val_if_fail (trace != NULL && input != NULL, FALSE);

  capture = g_new0 (GeTraceCapture, 1);
  capture->input = i;
  capture->tensor_id = trace_tensor_id (trace, input);
  grad_fn = ge_tensor_get_grad_fn (input);
  if (grad_fn != NULL)
    capture->node_id = ge_graph_snapshot_get_node_id (trace->snapshot, grad_fn);
  else if (capture->tensor_id != NULL)
    capture->node_id = ge_graph_snapshot_find_node (trace->snapshot, capture->tensor_id)->accumulator_id;
  if (!copy_value (trace, grad, &capture->grad, error))
    {
      trace_capture_free (capture);
      return FALSE;
    }
  trace->autograd_grad = TRUE;
  g_ptr_array_add (trace->captured, capture);
  return TRUE;
}

guint
ge_trace_get_n_events (GeTrace *trace)
{
  g_return_val_if_fail (trace != NULL, 0);
  return trace->events->len;
}

const GeTraceEvent *
ge_trace_get_event (GeTrace *trace,
                    guint    i)
{
  g_return_val_if_fail (trace != NULL && i < trace->events->len, NULL);
  return trace->events->pdata[i];
}

guint
ge_trace_get_n_backward_steps (GeTrace *trace)
{
  g_return_val_if_fail (trace != NULL, 0);
  return trace->n_backward_steps;
}

guint
ge_trace_get_n_captured (GeTrace *trace)
{
  g_return_val_if_fail (trace != NULL, 0);
  return trace->captured->len;
}

const GeTraceCapture *
ge_trace_get_captured (GeTrace *trace,
                       guint    i)
{
  g_return_val_if_fail (trace != NULL && i < trace->captured->len, NULL);
  return trace->captured->pdata[i];
}

GeTrace *
ge_trace_backward (int                    n_roots,
                   GeTensor             **roots,
                   GeTensor             **grad_outputs,
                   int                    n_inputs,
                   GeTensor             **inputs,
                   gboolean               retain_graph,
                   const GeGraphOptions  *options,
                   GError               **error)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GeBackwardRun) run = NULL;
  const GeBackwardStep *step;
  GError *local_error = NULL;

  g_return_val_if_fail (n_roots > 0 && roots != NULL, NULL);
  g_return_val_if_fail (n_inputs == 0 || inputs != NULL, NULL);

  snapshot = ge_graph_snapshot_new (n_roots, roots, options, error);
  if (snapshot == NULL)
    return NULL;
  trace = ge_trace_new (snapshot);
  run = ge_backward_run_new (n_roots, roots, grad_outputs, n_inputs,
                             n_inputs > 0 ? inputs : NULL, retain_graph, FALSE, error);
  if (run == NULL)
    return NULL;
  while ((step = ge_backward_run_step (run, &local_error)) != NULL)
    if (!ge_trace_record_backward_step (trace, step, &local_error))
      break;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  for (int i = 0; i < n_inputs; i++)
    if (!ge_trace_record_captured (trace, i, inputs[i], ge_backward_run_get_captured (run, i), error))
      return NULL;
  return g_steal_pointer (&trace);
}

/* ---- trace as JSON ---- */

static void
json_forward_event (GString            *out,
                    const GeTraceEvent *event,
                    gboolean           *first)
{
  const GeForwardStep *step = event->forward;

  json_key (out, first, "inputs");
  g_string_append_c (out, '[');
  for (int i = 0; i < step->n_inputs; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_string (out, step->input_ids[i]);
    }
  g_string_append_c (out, ']');
  json_key (out, first, "outputs");
  g_string_append_c (out, '[');
  for (int i = 0; i < step->n_outputs; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_value (out, step->outputs[i]);
    }
  g_string_append_c (out, ']');
}

static void
json_backward_event (GString            *out,
                     const GeTraceEvent *event,
                     gboolean           *first)
{
  json_key (out, first, "step");
  g_string_append_printf (out, "%u", event->step);
  json_key (out, first, "incoming");
  g_string_append_c (out, '[');
  for (int i = 0; i < event->n_incoming; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      json_value (out, event->incoming[i]);
    }
  g_string_append_c (out, ']');
  json_key (out, first, "flows");
  g_string_append_c (out, '[');
  for (int i = 0; i < event->n_flows; i++)
    {
      const GeTraceFlow *flow = &event->flows[i];
      gboolean ffirst = TRUE;

      g_string_append (out, i > 0 ? ",{" : "{");
      json_key (out, &ffirst, "to");
      json_string (out, flow->target_id);
      json_key (out, &ffirst, "input_nr");
      g_string_append_printf (out, "%d", flow->input_nr);
      json_key (out, &ffirst, "grad");
      json_value (out, flow->grad);
      json_key (out, &ffirst, "local");
      json_value (out, flow->local);
      json_key (out, &ffirst, "contribution");
      json_value (out, flow->contribution);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
  json_key (out, first, "accumulate");
  if (event->variable_id != NULL || event->grad_after != NULL)
    {
      gboolean afirst = TRUE;

      g_string_append_c (out, '{');
      json_key (out, &afirst, "variable");
      json_string (out, event->variable_id);
      json_key (out, &afirst, "before");
      json_value (out, event->grad_before);
      json_key (out, &afirst, "after");
      json_value (out, event->grad_after);
      g_string_append_c (out, '}');
    }
  else
    g_string_append (out, "null");
  json_key (out, first, "captured");
  json_bool (out, event->captured);
}

char *
ge_trace_to_json (GeTrace *trace)
{
  GString *out;
  gboolean first = TRUE;

  g_return_val_if_fail (trace != NULL, NULL);

  out = g_string_new ("{\n  \"schema\": ");
  json_string (out, TRACE_SCHEMA);
  g_string_append (out, ",\n  \"graph\": ");
  json_snapshot (out, trace->snapshot, "  ");

  g_string_append (out, ",\n  \"backward\": {");
  json_key (out, &first, "steps");
  g_string_append_printf (out, "%u", trace->n_backward_steps);
  json_key (out, &first, "recorded");
  g_string_append_printf (out, "%u", trace->n_backward_recorded);
  json_key (out, &first, "truncated");
  json_bool (out, trace->n_backward_recorded < trace->n_backward_steps);
  json_key (out, &first, "max_events");
  g_string_append_printf (out, "%u", trace->snapshot->options.max_events);
  json_key (out, &first, "autograd_grad");
  json_bool (out, trace->autograd_grad);
  json_key (out, &first, "captured");
  g_string_append_c (out, '[');
  for (guint i = 0; i < trace->captured->len; i++)
    {
      const GeTraceCapture *capture = trace->captured->pdata[i];
      gboolean cfirst = TRUE;

      g_string_append (out, i > 0 ? ",{" : "{");
      json_key (out, &cfirst, "input");
      g_string_append_printf (out, "%d", capture->input);
      json_key (out, &cfirst, "tensor");
      json_string (out, capture->tensor_id);
      json_key (out, &cfirst, "node");
      json_string (out, capture->node_id);
      json_key (out, &cfirst, "grad");
      json_value (out, capture->grad);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]}");

  g_string_append (out, ",\n  \"events\": [");
  for (guint i = 0; i < trace->events->len; i++)
    {
      const GeTraceEvent *event = trace->events->pdata[i];
      gboolean efirst = TRUE;

      g_string_append (out, i > 0 ? ",\n    {" : "\n    {");
      json_key (out, &efirst, "kind");
      json_string (out, event->kind == GE_TRACE_EVENT_FORWARD ? "forward" : "backward");
      json_key (out, &efirst, "index");
      g_string_append_printf (out, "%u", event->index);
      json_key (out, &efirst, "node");
      json_string (out, event->node_id);
      json_key (out, &efirst, "op");
      json_string (out, event->op);
      json_key (out, &efirst, "sequence_nr");
      json_sequence_nr (out, event->sequence_nr);
      if (event->kind == GE_TRACE_EVENT_FORWARD)
        json_forward_event (out, event, &efirst);
      else
        json_backward_event (out, event, &efirst);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "\n  ]\n}\n");
  return g_string_free (out, FALSE);
}
