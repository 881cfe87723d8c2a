/* test-graph.c - graph snapshots, forward replay, traces, JSON and DOT */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-test-util.h"

static GeGolden *golden;

/* Every tensor a test makes goes into the arena and is freed at the end. */
static GPtrArray *arena;

static void
arena_begin (void)
{
  arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
}

static void
arena_end (void)
{
  g_clear_pointer (&arena, g_ptr_array_unref);
}

static GeTensor *
T (GeTensor *t)
{
  g_assert_nonnull (t);
  g_ptr_array_add (arena, t);
  return t;
}

static GError *op_error;

static GeTensor *
ok (GeTensor *t)
{
  g_assert_no_error (op_error);
  return T (t);
}

#define OK(call) ok (call)
#define E (&op_error)

static GeTensor *
leaf (const char *literal,
      const char *name)
{
  GeTensor *t = T (ge_test_tensor (literal));

  g_assert_true (ge_tensor_set_requires_grad (t, TRUE, NULL));
  if (name != NULL)
    ge_tensor_set_name (t, name);
  return t;
}

static GeTensor *num (double v) { return T (ge_tensor_wrap_double (v)); }
static GeTensor *inum (gint64 v) { return T (ge_tensor_wrap_int (v)); }

static GeGraphSnapshot *
snapshot_of (GeTensor             *root,
             const GeGraphOptions *options)
{
  g_autoptr(GError) error = NULL;
  GeGraphSnapshot *snapshot = ge_graph_snapshot_new (1, &root, options, &error);

  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  return snapshot;
}

static const GeGraphNode *
node (GeGraphSnapshot *snapshot,
      const char      *id)
{
  const GeGraphNode *n = ge_graph_snapshot_find_node (snapshot, id);

  if (n == NULL)
    g_error ("no node %s in the snapshot", id);
  return n;
}

static const GeGraphEdge *
find_edge (GeGraphSnapshot *snapshot,
           const char      *from,
           const char      *to)
{
  for (guint i = 0; i < ge_graph_snapshot_get_n_edges (snapshot); i++)
    {
      const GeGraphEdge *e = ge_graph_snapshot_get_edge (snapshot, i);
      if (g_str_equal (e->from, from) && g_str_equal (e->to, to))
        return e;
    }
  return NULL;
}

static guint
count_nodes (GeGraphSnapshot *snapshot,
             GeGraphNodeKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < ge_graph_snapshot_get_n_nodes (snapshot); i++)
    if (ge_graph_snapshot_get_node (snapshot, i)->kind == kind)
      n++;
  return n;
}

/* The id of the op node that made @t. */
static const char *
grad_fn_id (GeGraphSnapshot *snapshot,
            GeTensor        *t)
{
  const char *id = ge_graph_snapshot_get_node_id (snapshot, ge_tensor_get_grad_fn (t));

  g_assert_nonnull (id);
  return id;
}

static void
assert_scalar_value (const GeGraphValue *value,
                     double              expected)
{
  g_assert_nonnull (value);
  g_assert_true (value->full);
  g_assert_cmpint (value->numel, ==, 1);
  g_assert_cmpfloat_with_epsilon (value->values[0], expected, 1e-6 * MAX (1.0, fabs (expected)));
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return strstr (haystack, needle) != NULL;
}

/* y = x**2 + 3*x + 5 in Python's evaluation order. */
typedef struct
{
  GeTensor *x, *p, *q, *r, *y;
} Quadratic;

static void
make_quadratic (Quadratic *g)
{
  g->x = leaf ("2.0", "x");
  g->p = OK (ge_tensor_pow (g->x, inum (2), E));
  g->q = OK (ge_tensor_mul (g->x, inum (3), E));
  g->r = OK (ge_tensor_add (g->p, g->q, E));
  g->y = OK (ge_tensor_add (g->r, inum (5), E));
  ge_tensor_set_name (g->y, "y");
}

/* ---- snapshots ---- */

static void
test_snapshot_quadratic (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  const GeGraphSummary *summary;
  const GeGraphNode *y, *x, *add5, *add, *pow_node, *mul, *acc, *c3, *c5;
  const GeGraphEdge *e;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  snapshot = snapshot_of (g.y, NULL);

  /* y, x; AddBackward0 ×2, PowBackward0, MulBackward0, AccumulateGrad; 3, 5 */
  g_assert_cmpuint (ge_graph_snapshot_get_n_nodes (snapshot), ==, 9);
  g_assert_cmpuint (count_nodes (snapshot, GE_GRAPH_NODE_TENSOR), ==, 2);
  g_assert_cmpuint (count_nodes (snapshot, GE_GRAPH_NODE_OP), ==, 5);
  g_assert_cmpuint (count_nodes (snapshot, GE_GRAPH_NODE_CONSTANT), ==, 2);
  g_assert_cmpuint (ge_graph_snapshot_get_n_edges (snapshot), ==, 9);

  g_assert_cmpuint (ge_graph_snapshot_get_n_roots (snapshot), ==, 1);
  y = node (snapshot, ge_graph_snapshot_get_root_id (snapshot, 0));
  g_assert_cmpstr (y->id, ==, "t0");
  g_assert_cmpstr (y->name, ==, "y");
  g_assert_true (y->is_root && !y->is_leaf && y->requires_grad);
  g_assert_cmpstr (y->grad_fn, ==, "AddBackward0");
  assert_scalar_value (y->value, 15.0);
  g_assert_cmpstr (y->value->repr, ==, "tensor(15., grad_fn=<AddBackward0>)");
  g_assert_null (y->grad);

  add5 = node (snapshot, y->grad_fn_id);
  add = node (snapshot, grad_fn_id (snapshot, g.r));
  pow_node = node (snapshot, grad_fn_id (snapshot, g.p));
  mul = node (snapshot, grad_fn_id (snapshot, g.q));
  g_assert_cmpstr (add5->op, ==, "AddBackward0");
  g_assert_cmpstr (add->op, ==, "AddBackward0");
  g_assert_cmpstr (pow_node->op, ==, "PowBackward0");
  g_assert_cmpstr (mul->op, ==, "MulBackward0");
  /* ids are "n<sequence_nr>", in creation order */
  g_assert_cmpuint (pow_node->sequence_nr, <, mul->sequence_nr);
  g_assert_cmpuint (mul->sequence_nr, <, add->sequence_nr);
  g_assert_cmpuint (add->sequence_nr, <, add5->sequence_nr);
  {
    g_autofree char *expected = g_strdup_printf ("n%" G_GUINT64_FORMAT, add5->sequence_nr);
    g_assert_cmpstr (add5->id, ==, expected);
  }
  assert_scalar_value (add5->outputs[0], 15.0);
  assert_scalar_value (add->outputs[0], 10.0);
  assert_scalar_value (pow_node->outputs[0], 4.0);
  assert_scalar_value (mul->outputs[0], 6.0);
  g_assert_cmpstr (pow_node->outputs[0]->repr, ==, "tensor(4., grad_fn=<PowBackward0>)");
  g_assert_false (add5->released);

  x = node (snapshot, ge_graph_snapshot_get_tensor_id (snapshot, g.x));
  g_assert_cmpstr (x->name, ==, "x");
  g_assert_true (x->is_leaf && x->requires_grad && !x->is_root);
  assert_scalar_value (x->value, 2.0);
  g_assert_cmpstr (x->value->repr, ==, "tensor(2., requires_grad=True)");
  acc = node (snapshot, x->accumulator_id);
  g_assert_cmpstr (acc->op, ==, "AccumulateGrad");
  g_assert_cmpstr (acc->variable_id, ==, x->id);
  g_assert_true (g_str_has_prefix (acc->id, "a"));

  /* the constants 5 and 3, cut off */
  e = find_edge (snapshot, "c0", add5->id);
  g_assert_nonnull (e);
  g_assert_cmpint (e->kind, ==, GE_GRAPH_EDGE_NO_GRAD);
  g_assert_cmpint (e->input_nr, ==, 1);
  c5 = node (snapshot, "c0");
  assert_scalar_value (c5->value, 5.0);
  c3 = node (snapshot, "c1");
  assert_scalar_value (c3->value, 3.0);
  g_assert_cmpstr (c3->consumer_id, ==, mul->id);
  g_assert_cmpint (c3->input_nr, ==, 1);

  /* forward-direction edges with next_functions' numbering */
  g_assert_cmpint (find_edge (snapshot, add->id, add5->id)->input_nr, ==, 0);
  g_assert_cmpint (find_edge (snapshot, pow_node->id, add->id)->input_nr, ==, 0);
  g_assert_cmpint (find_edge (snapshot, mul->id, add->id)->input_nr, ==, 1);
  g_assert_cmpint (find_edge (snapshot, acc->id, pow_node->id)->kind, ==, GE_GRAPH_EDGE_GRAD);
  g_assert_cmpint (find_edge (snapshot, acc->id, mul->id)->input_nr, ==, 0);
  g_assert_cmpint (find_edge (snapshot, x->id, acc->id)->kind, ==, GE_GRAPH_EDGE_VARIABLE);
  e = find_edge (snapshot, add5->id, y->id);
  g_assert_cmpint (e->kind, ==, GE_GRAPH_EDGE_OUTPUT);
  g_assert_true (e->has_shape);
  g_assert_cmpint (e->ndim, ==, 0);
  g_assert_cmpint (e->dtype, ==, GE_DTYPE_FLOAT32);

  summary = ge_graph_snapshot_get_summary (snapshot);
  g_assert_cmpuint (summary->total_nodes, ==, 9);
  g_assert_cmpuint (summary->n_edges, ==, 9);
  g_assert_cmpuint (summary->depth, ==, 4);
  g_assert_false (summary->truncated);
  g_assert_cmpstr (summary->op_counts[0].op, ==, "AddBackward0");
  g_assert_cmpuint (summary->op_counts[0].count, ==, 2);
  arena_end ();
}

static void
test_snapshot_portfolio_risk (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  GeTensor *w, *cov, *row, *col, *inner, *risk;
  const GeGraphNode *root, *squeeze, *outer, *mm, *unsq_row, *unsq_col, *acc, *wnode, *cnode = NULL;
  const GeGraphEdge *e;
  double expected = 0.0;
  const double wv[3] = { 0.33, 0.33, 0.34 };
  const double cv[9] = { 0.1002, 0.0256, 0.0304, 0.0256, 0.0507, 0.0134, 0.0304, 0.0134, 0.1180 };

  arena_begin ();
  w = leaf ("[0.33, 0.33, 0.34]", "weights");
  cov = T (ge_test_tensor ("[[0.1002, 0.0256, 0.0304], [0.0256, 0.0507, 0.0134], [0.0304, 0.0134, 0.1180]]"));
  ge_tensor_set_name (cov, "cov_matrix");
  row = OK (ge_tensor_unsqueeze (w, 0, E));
  col = OK (ge_tensor_unsqueeze (w, 1, E));
  inner = OK (ge_tensor_matmul (cov, col, E));
  risk = T (ge_tensor_squeeze (OK (ge_tensor_matmul (row, inner, E))));
  ge_tensor_set_name (risk, "risk");
  snapshot = snapshot_of (risk, NULL);

  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      expected += wv[i] * cv[3 * i + j] * wv[j];

  root = node (snapshot, "t0");
  g_assert_cmpstr (root->name, ==, "risk");
  g_assert_cmpfloat_with_epsilon (root->value->values[0], expected, 1e-6);
  squeeze = node (snapshot, root->grad_fn_id);
  g_assert_cmpstr (squeeze->op, ==, "SqueezeBackward0");
  unsq_row = node (snapshot, grad_fn_id (snapshot, row));
  unsq_col = node (snapshot, grad_fn_id (snapshot, col));
  mm = node (snapshot, grad_fn_id (snapshot, inner));
  g_assert_cmpstr (unsq_row->op, ==, "UnsqueezeBackward0");
  g_assert_cmpstr (unsq_col->op, ==, "UnsqueezeBackward0");
  g_assert_cmpstr (mm->op, ==, "MmBackward0");

  /* the outer product feeds the squeeze: SqueezeBackward0(MmBackward0(...)) */
  outer = NULL;
  for (guint i = 0; i < ge_graph_snapshot_get_n_edges (snapshot); i++)
    {
      e = ge_graph_snapshot_get_edge (snapshot, i);
      if (g_str_equal (e->to, squeeze->id))
        outer = node (snapshot, e->from);
    }
  g_assert_nonnull (outer);
  g_assert_cmpstr (outer->op, ==, "MmBackward0");
  g_assert_cmpint (find_edge (snapshot, unsq_row->id, outer->id)->input_nr, ==, 0);
  e = find_edge (snapshot, mm->id, outer->id);
  g_assert_cmpint (e->input_nr, ==, 1);
  g_assert_cmpint (e->ndim, ==, 2);
  g_assert_cmpint (e->sizes[0], ==, 3);
  g_assert_cmpint (e->sizes[1], ==, 1);
  e = find_edge (snapshot, unsq_row->id, outer->id);
  g_assert_cmpint (e->sizes[0], ==, 1);
  g_assert_cmpint (e->sizes[1], ==, 3);

  /* one AccumulateGrad for both uses of the weights */
  g_assert_cmpuint (ge_graph_snapshot_get_summary (snapshot)->n_op_nodes, ==, 6);
  wnode = node (snapshot, ge_graph_snapshot_get_tensor_id (snapshot, w));
  g_assert_cmpstr (wnode->name, ==, "weights");
  acc = node (snapshot, wnode->accumulator_id);
  g_assert_nonnull (find_edge (snapshot, acc->id, unsq_row->id));
  g_assert_nonnull (find_edge (snapshot, acc->id, unsq_col->id));

  /* Σ needs no grad: a constant with its value, cut off at MmBackward0's
   * first input */
  for (guint i = 0; i < ge_graph_snapshot_get_n_nodes (snapshot); i++)
    if (ge_graph_snapshot_get_node (snapshot, i)->kind == GE_GRAPH_NODE_CONSTANT)
      {
        g_assert_null (cnode);
        cnode = ge_graph_snapshot_get_node (snapshot, i);
      }
  g_assert_nonnull (cnode);
  g_assert_cmpstr (cnode->consumer_id, ==, mm->id);
  g_assert_cmpint (cnode->input_nr, ==, 0);
  g_assert_cmpint (cnode->value->numel, ==, 9);
  g_assert_cmpfloat_with_epsilon (cnode->value->values[8], 0.1180, 1e-6);
  g_assert_cmpint (find_edge (snapshot, cnode->id, mm->id)->kind, ==, GE_GRAPH_EDGE_NO_GRAD);
  arena_end ();
}

static void
test_forward_replay_in_creation_order (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  const double values[] = { 4.0, 6.0, 10.0, 15.0 };
  const char *ops[] = { "PowBackward0", "MulBackward0", "AddBackward0", "AddBackward0" };
  const GeForwardStep *step;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  snapshot = snapshot_of (g.y, NULL);
  g_assert_cmpuint (ge_graph_snapshot_get_n_forward_steps (snapshot), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      step = ge_graph_snapshot_get_forward_step (snapshot, i);
      g_assert_cmpstr (step->op, ==, ops[i]);
      g_assert_cmpint (step->n_outputs, ==, 1);
      assert_scalar_value (step->outputs[0], values[i]);
      if (i > 0)
        g_assert_cmpuint (step->sequence_nr, >, ge_graph_snapshot_get_forward_step (snapshot, i - 1)->sequence_nr);
    }
  /* going forward, x**2 reads x itself; 3*x reads x and the constant 3 */
  step = ge_graph_snapshot_get_forward_step (snapshot, 1);
  g_assert_cmpint (step->n_inputs, ==, 2);
  g_assert_cmpstr (step->input_ids[0], ==, ge_graph_snapshot_get_tensor_id (snapshot, g.x));
  g_assert_cmpint (node (snapshot, step->input_ids[1])->kind, ==, GE_GRAPH_NODE_CONSTANT);
  step = ge_graph_snapshot_get_forward_step (snapshot, 2);
  g_assert_cmpstr (step->input_ids[0], ==, grad_fn_id (snapshot, g.p));
  g_assert_cmpstr (step->input_ids[1], ==, grad_fn_id (snapshot, g.q));
  arena_end ();
}

static void
test_large_values_are_summarized (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  GeTensor *big, *out;
  GeIndex first = GE_INDEX_I (0), last = GE_INDEX_I (-1);
  const GeGraphValue *v;
  g_autofree char *json = NULL;

  arena_begin ();
  big = OK (ge_tensor_arange (0, 1000, 1, GE_DTYPE_FLOAT32, FALSE, E));
  g_assert_true (ge_tensor_index_put (big, 1, &first, num (NAN), NULL));
  g_assert_true (ge_tensor_index_put (big, 1, &last, num (-INFINITY), NULL));
  g_assert_true (ge_tensor_set_requires_grad (big, TRUE, NULL));
  out = OK (ge_tensor_sum (OK (ge_tensor_mul (big, num (2), E)), E));
  snapshot = snapshot_of (out, NULL);

  v = node (snapshot, ge_graph_snapshot_get_tensor_id (snapshot, big))->value;
  g_assert_false (v->full);
  g_assert_null (v->values);
  g_assert_null (v->repr);
  g_assert_cmpint (v->numel, ==, 1000);
  g_assert_cmpint (v->n_nan, ==, 1);
  g_assert_cmpint (v->n_inf, ==, 1);
  /* over the finite elements 1 .. 998 */
  g_assert_cmpfloat (v->min, ==, 1.0);
  g_assert_cmpfloat (v->max, ==, 998.0);
  g_assert_cmpfloat_with_epsilon (v->mean, 499.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (v->std, sqrt (998.0 * 999.0 / 12.0), 1e-9);
  g_assert_cmpint (v->n_head, ==, 3);
  g_assert_true (isnan (v->head[0]));
  g_assert_cmpfloat (v->head[2], ==, 2.0);
  g_assert_cmpfloat (v->tail[0], ==, 997.0);
  g_assert_true (isinf (v->tail[2]) && v->tail[2] < 0);

  json = ge_graph_snapshot_to_json (snapshot);
  g_assert_true (contains (json, "\"summary\":{\"min\":1,\"max\":998,\"mean\":499.5,"));
  g_assert_true (contains (json, "\"nan\":1,\"inf\":1,\"first\":[\"nan\",1,2],\"last\":[997,998,\"-inf\"]}"));
  arena_end ();
}

static void
test_json_numbers_shortest_and_special (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autofree char *json = NULL;
  GeTensor *a, *b, *out;

  arena_begin ();
  a = leaf ("[0.1, 1e-7, 3.0, 123456789.0]", NULL);
  b = T (ge_test_tensor_dtype ("[0.1, 1e300, nan, inf]", GE_DTYPE_FLOAT64));
  g_assert_true (ge_tensor_set_requires_grad (b, TRUE, NULL));
  out = OK (ge_tensor_add (a, b, E));
  snapshot = snapshot_of (out, NULL);
  json = ge_graph_snapshot_to_json (snapshot);
  /* float32 values read back exactly as float32, float64 as float64 */
  g_assert_true (contains (json, "\"values\":[0.1,1e-07,3,1.2345679e+08]"));
  g_assert_true (contains (json, "\"values\":[0.1,1e+300,\"nan\",\"inf\"]"));
  g_assert_true (contains (json, "\"values\":[0.20000000149011612,1e+300,\"nan\",\"inf\"]"));
  g_assert_false (contains (json, "NaN"));
  g_assert_false (contains (json, "Infinity"));
  arena_end ();
}

static void
test_json_escapes_names (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dot = NULL;
  GeTensor *x, *y;

  arena_begin ();
  x = leaf ("1.0", "x \"quoted\"\nline two \\ 가중치\t\x01");
  y = OK (ge_tensor_mul (x, x, E));
  ge_tensor_set_name (y, "손실\u2028\xff");
  snapshot = snapshot_of (y, NULL);
  json = ge_graph_snapshot_to_json (snapshot);
  g_assert_true (contains (json, "\"name\":\"x \\\"quoted\\\"\\nline two \\\\ 가중치\\t\\u0001\""));
  /* U+2028 escaped; invalid UTF-8 replaced by U+FFFD */
  g_assert_true (contains (json, "\"name\":\"손실\\u2028\xef\xbf\xbd\""));
  g_assert_true (g_utf8_validate (json, -1, NULL));

  dot = ge_graph_snapshot_to_dot (snapshot);
  g_assert_true (contains (dot, "label=\"x \\\"quoted\\\"\\nline two \\\\ 가중치\\n"));
  g_assert_true (g_utf8_validate (dot, -1, NULL));
  arena_end ();
}

static void
test_json_has_schema_and_ids (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autofree char *json = NULL;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  snapshot = snapshot_of (g.y, NULL);
  json = ge_graph_snapshot_to_json (snapshot);
  g_assert_true (g_str_has_prefix (json, "{\n  \"schema\": \"gradlab.graph/1\","));
  g_assert_true (contains (json, "\"roots\": [\"t0\"]"));
  g_assert_true (contains (json, "{\"id\":\"t0\",\"kind\":\"tensor\",\"depth\":0,\"name\":\"y\",\"root\":true,"
                                 "\"leaf\":false,\"requires_grad\":true,\"grad_fn\":\"AddBackward0\""));
  g_assert_true (contains (json, "\"op\":\"AccumulateGrad\",\"sequence_nr\":null"));
  g_assert_true (contains (json, "\"repr\":\"tensor(2., requires_grad=True)\""));
  arena_end ();
}

static void
test_dot_output (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autofree char *dot = NULL;
  g_autofree char *line = NULL;
  const GeGraphNode *x;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  snapshot = snapshot_of (g.y, NULL);
  dot = ge_graph_snapshot_to_dot (snapshot);
  x = node (snapshot, ge_graph_snapshot_get_tensor_id (snapshot, g.x));

  g_assert_true (g_str_has_prefix (dot, "digraph gradlab {\n"));
  g_assert_true (g_str_has_suffix (dot, "}\n"));
  g_assert_true (contains (dot, "\"t0\" [label=\"y\\n[] float32\\n15\""));
  g_assert_true (contains (dot, "\"t1\" [label=\"x\\n[] float32\\n2\""));
  g_assert_true (contains (dot, "label=\"PowBackward0\\n#"));
  g_assert_true (contains (dot, "[label=\"AccumulateGrad\""));
  line = g_strdup_printf ("\"%s\" -> \"%s\" [label=\"[]\", color=", x->id, x->accumulator_id);
  g_assert_true (contains (dot, line));
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("\"%s\" -> \"t0\" [label=\"[]\", penwidth=2]", grad_fn_id (snapshot, g.y));
  g_assert_true (contains (dot, line));
  g_clear_pointer (&line, g_free);
  /* the constants: "no grad" nodes, dashed edges */
  g_assert_true (contains (dot, "\"c0\" [label=\"no grad\\n5\\n[] "));
  line = g_strdup_printf ("\"c0\" -> \"%s\" [label=\"[]\", style=dashed", grad_fn_id (snapshot, g.y));
  g_assert_true (contains (dot, line));
  arena_end ();
}

static void
test_no_grad_constants_are_cut_off (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  GeTensor *x, *detached, *frozen, *sum, *prod, *out;
  gboolean prev;
  const GeGraphNode *add, *mul;
  const GeGraphSummary *summary;

  arena_begin ();
  x = leaf ("[1.0, -2.0]", "x");
  detached = OK (ge_tensor_detach (OK (ge_tensor_mul (x, inum (2), E))));
  prev = ge_grad_mode_set_enabled (FALSE);
  frozen = OK (ge_tensor_exp (x, E));
  ge_grad_mode_set_enabled (prev);
  sum = OK (ge_tensor_add (x, detached, E));
  prod = OK (ge_tensor_mul (sum, frozen, E));
  out = OK (ge_tensor_sum (prod, E));
  snapshot = snapshot_of (out, NULL);

  /* out, x; SumBackward0, MulBackward0, AddBackward0, AccumulateGrad; the
   * detached and the no_grad value as constants.  The MulBackward0 that
   * made the detached tensor is not part of the graph. */
  summary = ge_graph_snapshot_get_summary (snapshot);
  g_assert_cmpuint (summary->n_op_nodes, ==, 4);
  g_assert_cmpuint (summary->n_constant_nodes, ==, 2);
  g_assert_cmpuint (count_nodes (snapshot, GE_GRAPH_NODE_CONSTANT), ==, 2);

  add = node (snapshot, grad_fn_id (snapshot, sum));
  mul = node (snapshot, grad_fn_id (snapshot, prod));
  for (guint i = 0; i < ge_graph_snapshot_get_n_nodes (snapshot); i++)
    {
      const GeGraphNode *c = ge_graph_snapshot_get_node (snapshot, i);
      guint in = 0, out_edges = 0;

      if (c->kind != GE_GRAPH_NODE_CONSTANT)
        continue;
      for (guint j = 0; j < ge_graph_snapshot_get_n_edges (snapshot); j++)
        {
          const GeGraphEdge *e = ge_graph_snapshot_get_edge (snapshot, j);
          if (g_str_equal (e->to, c->id))
            in++;
          if (g_str_equal (e->from, c->id))
            {
              out_edges++;
              g_assert_cmpint (e->kind, ==, GE_GRAPH_EDGE_NO_GRAD);
              g_assert_cmpstr (e->to, ==, c->consumer_id);
            }
        }
      /* cut off: one dashed edge to its consumer, nothing leads into it */
      g_assert_cmpuint (in, ==, 0);
      g_assert_cmpuint (out_edges, ==, 1);
      g_assert_cmpint (c->input_nr, ==, 1);
      g_assert_nonnull (c->value);
      if (g_str_equal (c->consumer_id, add->id))
        {
          g_assert_cmpfloat (c->value->values[0], ==, 2.0);
          g_assert_cmpfloat (c->value->values[1], ==, -4.0);
        }
      else
        {
          g_assert_cmpstr (c->consumer_id, ==, mul->id);
          g_assert_cmpfloat_with_epsilon (c->value->values[0], exp (1.0), 1e-6);
        }
    }
  arena_end ();
}

static void
test_snapshot_changes_no_state (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GeGraphSnapshot) again = NULL;
  g_autofree char *json1 = NULL;
  g_autofree char *json2 = NULL;
  g_autoptr(GError) error = NULL;
  GeTensor *grad_before, *w_grad;
  GeNode *grad_fn;
  guint64 version_x, version_y;
  Quadratic g;
  GeTensor *w;

  arena_begin ();
  make_quadratic (&g);
  w = leaf ("[1.0, 2.0]", "w");
  g_assert_true (ge_tensor_set_grad (w, T (ge_test_tensor ("[0.5, 0.5]")), NULL));
  grad_before = ge_tensor_get_grad (w);
  grad_fn = ge_tensor_get_grad_fn (g.y);
  version_x = ge_tensor_get_version (g.x);
  version_y = ge_tensor_get_version (g.y);

  {
    GeTensor *roots[2] = { g.y, w };
    snapshot = ge_graph_snapshot_new (2, roots, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (ge_graph_snapshot_get_n_roots (snapshot), ==, 2);
  g_assert_nonnull (node (snapshot, ge_graph_snapshot_get_root_id (snapshot, 1))->grad);

  /* no .grad appears or changes, the graph is the same */
  g_assert_null (ge_tensor_get_grad (g.x));
  g_assert_null (ge_tensor_get_grad (g.y));
  g_assert_true (ge_tensor_get_grad (w) == grad_before);
  ge_assert_tensor_equal (ge_tensor_get_grad (w), T (ge_test_tensor ("[0.5, 0.5]")));
  g_assert_true (ge_tensor_get_grad_fn (g.y) == grad_fn);
  g_assert_true (ge_tensor_is_leaf (g.x) && ge_tensor_requires_grad (g.x));
  g_assert_true (ge_tensor_is_leaf (w));
  g_assert_false (ge_node_is_released (grad_fn));
  g_assert_cmpuint (ge_tensor_get_version (g.x), ==, version_x);
  g_assert_cmpuint (ge_tensor_get_version (g.y), ==, version_y);

  /* a second snapshot sees exactly the same graph */
  again = ge_graph_snapshot_new (2, (GeTensor *[]) { g.y, w }, NULL, &error);
  g_assert_no_error (error);
  json1 = ge_graph_snapshot_to_json (snapshot);
  json2 = ge_graph_snapshot_to_json (again);
  g_assert_cmpstr (json1, ==, json2);

  /* and backward still works as if no snapshot had been taken */
  g_assert_true (ge_tensor_backward (g.y, NULL, FALSE, FALSE, &error));
  g_assert_no_error (error);
  ge_assert_tensor_equal (ge_tensor_get_grad (g.x), T (ge_test_tensor ("7.0")));
  w_grad = ge_tensor_get_grad (w);
  ge_assert_tensor_equal (w_grad, T (ge_test_tensor ("[0.5, 0.5]")));
  arena_end ();
}

static void
test_released_flag_after_backward (void)
{
  g_autoptr(GeGraphSnapshot) before = NULL;
  g_autoptr(GeGraphSnapshot) after = NULL;
  g_autoptr(GError) error = NULL;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  before = snapshot_of (g.y, NULL);
  g_assert_true (ge_tensor_backward (g.y, NULL, FALSE, FALSE, &error));
  after = snapshot_of (g.y, NULL);

  /* PowBackward0 saved x; the additions saved nothing */
  g_assert_false (node (before, grad_fn_id (before, g.p))->released);
  g_assert_true (node (after, grad_fn_id (after, g.p))->released);
  g_assert_false (node (after, grad_fn_id (after, g.y))->released);
  /* the forward values stay for replay; the leaf shows its new grad */
  assert_scalar_value (node (after, grad_fn_id (after, g.p))->outputs[0], 4.0);
  assert_scalar_value (node (after, ge_graph_snapshot_get_tensor_id (after, g.x))->grad, 7.0);
  arena_end ();
}

/* ---- bounded snapshots ---- */

static gint64
peak_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtoll (line + 6, NULL, 10) : -1;
}

static void
test_bounded_snapshot_of_100k_chain (void)
{
  const int n = 100000;
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GTimer) timer = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dot = NULL;
  const GeGraphSummary *summary;
  GeTensor *t;
  double build_s, snapshot_s, json_s, dot_s;
  gint64 rss_before, rss_after;

  arena_begin ();
  t = ge_tensor_ref (leaf ("1.0", "x"));
  timer = g_timer_new ();
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GeTensor) factor = ge_tensor_wrap_double (1.0001);
      GeTensor *next = ge_tensor_mul (t, factor, NULL);

      g_assert_nonnull (next);
      ge_tensor_unref (t);
      t = next;
    }
  T (t);
  build_s = g_timer_elapsed (timer, NULL);
  rss_before = peak_rss_kib ();

  g_timer_start (timer);
  snapshot = snapshot_of (t, NULL);
  snapshot_s = g_timer_elapsed (timer, NULL);
  g_timer_start (timer);
  json = ge_graph_snapshot_to_json (snapshot);
  json_s = g_timer_elapsed (timer, NULL);
  g_timer_start (timer);
  dot = ge_graph_snapshot_to_dot (snapshot);
  dot_s = g_timer_elapsed (timer, NULL);
  rss_after = peak_rss_kib ();

  g_test_message ("100k chain: build %.3f s, snapshot %.3f s, JSON %.4f s (%zu bytes), "
                  "DOT %.4f s (%zu bytes), peak RSS +%" G_GINT64_FORMAT " KiB",
                  build_s, snapshot_s, json_s, strlen (json), dot_s, strlen (dot),
                  rss_after - rss_before);

  summary = ge_graph_snapshot_get_summary (snapshot);
  g_assert_true (summary->truncated);
  g_assert_cmpuint (summary->n_op_nodes, ==, n + 1);
  g_assert_cmpuint (summary->n_constant_nodes, ==, n);
  g_assert_cmpuint (summary->n_tensor_nodes, ==, 2);
  g_assert_cmpuint (summary->total_nodes, ==, 2 * n + 3);
  g_assert_cmpuint (summary->depth, ==, n + 1);
  g_assert_cmpuint (summary->n_op_counts, ==, 2);
  g_assert_cmpstr (summary->op_counts[0].op, ==, "MulBackward0");
  g_assert_cmpuint (summary->op_counts[0].count, ==, n);
  g_assert_cmpuint (summary->shown_nodes, <=, GE_GRAPH_DEFAULT_KEEP_NODES);
  g_assert_cmpuint (ge_graph_snapshot_get_n_nodes (snapshot), ==, summary->shown_nodes);
  /* the nearest nodes: the root's grad_fn first, the cut marked */
  g_assert_cmpstr (node (snapshot, "t0")->grad_fn_id, ==, grad_fn_id (snapshot, t));
  g_assert_true (contains (json, "\"hidden_inputs\":1"));
  g_assert_true (contains (dot, "\"more\" [label=\""));

  /* bounded: kilobytes, not the megabytes of 100k nodes */
  g_assert_cmpuint (strlen (json), <, 128 * 1024);
  g_assert_cmpuint (strlen (dot), <, 64 * 1024);
  g_assert_cmpfloat (snapshot_s + json_s + dot_s, <, 10.0);
  g_clear_pointer (&snapshot, ge_graph_snapshot_unref);
  arena_end ();
}

static void
test_bounded_trace_of_long_chain (void)
{
  const int n = 20000;
  GeGraphOptions options = { .max_events = 100 };
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GeTensor *x, *t;

  arena_begin ();
  x = leaf ("1.0", "x");
  t = ge_tensor_ref (x);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(GeTensor) factor = ge_tensor_wrap_double (1.0001);
      GeTensor *next = ge_tensor_mul (t, factor, NULL);
      ge_tensor_unref (t);
      t = next;
    }
  T (t);
  trace = ge_trace_backward (1, &t, NULL, 0, NULL, FALSE, &options, &error);
  g_assert_no_error (error);
  /* every step runs (the grad arrives), only the first ones are kept */
  g_assert_cmpuint (ge_trace_get_n_backward_steps (trace), ==, n + 1);
  g_assert_cmpfloat_with_epsilon (ge_tensor_get_flat (ge_tensor_get_grad (x), 0), pow (1.0001, n), 1e-2);
  json = ge_trace_to_json (trace);
  g_assert_true (contains (json, "\"recorded\":100,\"truncated\":true"));
  g_assert_cmpuint (strlen (json), <, 512 * 1024);
  arena_end ();
}

/* ---- traces ---- */

static void
test_trace_backward_order_matches_pytorch (void)
{
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  GString *order = g_string_new (NULL);
  g_autofree char *order_str = NULL;
  GeTensor *x, *w, *a, *b, *c, *d, *up;
  guint n_forward = 0;

  arena_begin ();
  /* a=x*w; b=a.exp(); c=x+1; d=(b*c).sum() */
  x = leaf ("[1.0, 2.0, 3.0]", "x");
  w = leaf ("[0.5, -1.0, 2.0]", "w");
  a = OK (ge_tensor_mul (x, w, E));
  b = OK (ge_tensor_exp (a, E));
  c = OK (ge_tensor_add (x, inum (1), E));
  d = OK (ge_tensor_sum (OK (ge_tensor_mul (b, c, E)), E));
  /* the goldens' upstream gradient (0.5) */
  up = T (ge_golden_tensor (golden, "upstream.order_example"));
  trace = ge_trace_backward (1, &d, &up, 0, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);

  /* forward events first, in creation order, then the backward steps */
  for (guint i = 0; i < ge_trace_get_n_events (trace); i++)
    {
      const GeTraceEvent *event = ge_trace_get_event (trace, i);

      g_assert_cmpuint (event->index, ==, i);
      if (event->kind == GE_TRACE_EVENT_FORWARD)
        {
          g_assert_cmpuint (order->len, ==, 0);
          n_forward++;
          continue;
        }
      g_assert_cmpuint (event->step, ==, i - n_forward);
      g_string_append_printf (order, "%s%s", order->len ? " " : "", event->op);
    }
  order_str = g_string_free (order, FALSE);
  g_assert_cmpuint (n_forward, ==, 5);
  g_assert_cmpstr (order_str, ==, "SumBackward0 MulBackward0 AddBackward0 ExpBackward0 MulBackward0 "
                                  "AccumulateGrad AccumulateGrad");
  g_assert_cmpstr (order_str, ==, ge_golden_string (golden, "order.order_example"));
  g_assert_cmpuint (ge_trace_get_n_backward_steps (trace), ==, 7);

  /* the run was a real backward: grads as PyTorch's */
  ge_assert_tensor_close (ge_tensor_get_grad (x),
                          T (ge_golden_tensor (golden, "grad.order_example.1_2_3")), 1e-6, 1e-6);
  arena_end ();
}

static void
test_trace_ids_match_snapshot (void)
{
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  GeGraphSnapshot *snapshot;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  trace = ge_trace_backward (1, &g.y, NULL, 0, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  snapshot = ge_trace_get_snapshot (trace);
  for (guint i = 0; i < ge_trace_get_n_events (trace); i++)
    {
      const GeTraceEvent *event = ge_trace_get_event (trace, i);

      g_assert_cmpstr (node (snapshot, event->node_id)->op, ==, event->op);
      for (int f = 0; event->kind == GE_TRACE_EVENT_BACKWARD && f < event->n_flows; f++)
        {
          const GeTraceFlow *flow = &event->flows[f];
          const GeGraphNode *target = node (snapshot, flow->target_id);

          if (target->kind == GE_GRAPH_NODE_CONSTANT)
            {
              /* no gradient goes to a constant */
              g_assert_null (flow->grad);
              g_assert_cmpstr (target->consumer_id, ==, event->node_id);
            }
          else
            g_assert_nonnull (find_edge (snapshot, flow->target_id, event->node_id));
        }
    }
  arena_end ();
}

static double
element (const GeGraphValue *v,
         gint64              i)
{
  return v->values[v->numel == 1 ? 0 : i];
}

static void
test_trace_outgoing_is_incoming_times_local (void)
{
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  GeTensor *x, *w, *u, *out;
  guint checked = 0;

  arena_begin ();
  x = leaf ("[0.5, -1.0, 2.0]", "x");
  w = leaf ("[1.5, 0.25, -0.75]", "w");
  /* sum(sin(x) * exp(w) + tanh(x) / w - sigmoid(w) ** 2 + sqrt(x * x) - log(abs(w)) + relu(x)) */
  u = OK (ge_tensor_mul (OK (ge_tensor_sin (x, E)), OK (ge_tensor_exp (w, E)), E));
  u = OK (ge_tensor_add (u, OK (ge_tensor_div (OK (ge_tensor_tanh (x, E)), w, E)), E));
  u = OK (ge_tensor_sub (u, OK (ge_tensor_pow (OK (ge_tensor_sigmoid (w, E)), inum (2), E)), E));
  u = OK (ge_tensor_add (u, OK (ge_tensor_sqrt (OK (ge_tensor_mul (x, x, E)), E)), E));
  u = OK (ge_tensor_sub (u, OK (ge_tensor_log (OK (ge_tensor_abs (w, E)), E)), E));
  u = OK (ge_tensor_add (u, OK (ge_tensor_relu (x, E)), E));
  out = OK (ge_tensor_sum (OK (ge_tensor_neg (OK (ge_tensor_cos (u, E)), E)), E));

  trace = ge_trace_backward (1, &out, NULL, 0, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < ge_trace_get_n_events (trace); i++)
    {
      const GeTraceEvent *event = ge_trace_get_event (trace, i);

      if (event->kind != GE_TRACE_EVENT_BACKWARD)
        continue;
      for (int f = 0; f < event->n_flows; f++)
        {
          const GeTraceFlow *flow = &event->flows[f];
          const GeGraphValue *up = event->incoming[0];

          if (flow->local == NULL)
            continue;
          g_assert_nonnull (flow->grad);
          g_assert_nonnull (flow->contribution);
          g_assert_cmpint (flow->grad->numel, ==, 3);
          for (gint64 k = 0; k < 3; k++)
            {
              double product = element (up, k) * element (flow->local, k);

              g_assert_cmpfloat_with_epsilon (flow->grad->values[k], product, 1e-5 * MAX (1.0, fabs (product)));
              g_assert_cmpfloat_with_epsilon (flow->contribution->values[k], flow->grad->values[k],
                                              1e-6 * MAX (1.0, fabs (product)));
            }
          checked++;
        }
    }
  /* every elementwise op above reports its local factor */
  g_assert_cmpuint (checked, >=, 20);
  arena_end ();
}

static void
test_trace_accumulate_grad_before_after (void)
{
  g_autoptr(GError) error = NULL;
  GeTensor *x;

  arena_begin ();
  x = leaf ("2.0", "x");
  /* the notebook: x.grad goes 4 -> 8 over two backward passes of x**2 */
  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr(GeTrace) trace = NULL;
      GeTensor *y = OK (ge_tensor_pow (x, inum (2), E));
      const GeTraceEvent *acc = NULL;

      trace = ge_trace_backward (1, &y, NULL, 0, NULL, FALSE, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < ge_trace_get_n_events (trace); i++)
        if (g_str_equal (ge_trace_get_event (trace, i)->op, "AccumulateGrad"))
          acc = ge_trace_get_event (trace, i);
      g_assert_nonnull (acc);
      g_assert_cmpstr (acc->variable_id, ==, ge_graph_snapshot_get_tensor_id (ge_trace_get_snapshot (trace), x));
      g_assert_false (acc->captured);
      assert_scalar_value (acc->incoming[0], 4.0);
      if (pass == 0)
        g_assert_null (acc->grad_before);
      else
        assert_scalar_value (acc->grad_before, 4.0);
      assert_scalar_value (acc->grad_after, pass == 0 ? 4.0 : 8.0);
    }
  ge_assert_tensor_equal (ge_tensor_get_grad (x), T (ge_test_tensor ("8.0")));
  arena_end ();
}

static void
test_trace_of_autograd_grad_leaves_grad_untouched (void)
{
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GeTensor *x, *w, *w_grad, *out;
  const GeTraceCapture *capture;
  gboolean any_captured = FALSE;

  arena_begin ();
  x = leaf ("[1.0, 2.0]", "x");
  w = leaf ("[3.0, 4.0]", "w");
  g_assert_true (ge_tensor_set_grad (w, T (ge_test_tensor ("[1.0, 1.0]")), NULL));
  w_grad = ge_tensor_get_grad (w);
  /* d/dx sum(x*x + w*x) = 2x + w; the Jacobian example's (2, 4) without w */
  out = OK (ge_tensor_sum (OK (ge_tensor_add (OK (ge_tensor_mul (x, x, E)),
                                              OK (ge_tensor_mul (w, x, E)), E)), E));
  trace = ge_trace_backward (1, &out, NULL, 1, &x, FALSE, NULL, &error);
  g_assert_no_error (error);

  g_assert_null (ge_tensor_get_grad (x));
  g_assert_true (ge_tensor_get_grad (w) == w_grad);
  ge_assert_tensor_equal (ge_tensor_get_grad (w), T (ge_test_tensor ("[1.0, 1.0]")));

  g_assert_cmpuint (ge_trace_get_n_captured (trace), ==, 1);
  capture = ge_trace_get_captured (trace, 0);
  g_assert_cmpint (capture->input, ==, 0);
  g_assert_cmpstr (capture->tensor_id, ==, ge_graph_snapshot_get_tensor_id (ge_trace_get_snapshot (trace), x));
  g_assert_cmpstr (capture->node_id, ==, node (ge_trace_get_snapshot (trace), capture->tensor_id)->accumulator_id);
  g_assert_cmpfloat (capture->grad->values[0], ==, 5.0);
  g_assert_cmpfloat (capture->grad->values[1], ==, 8.0);

  for (guint i = 0; i < ge_trace_get_n_events (trace); i++)
    {
      const GeTraceEvent *event = ge_trace_get_event (trace, i);
      if (event->kind != GE_TRACE_EVENT_BACKWARD)
        continue;
      /* nothing accumulates; w's AccumulateGrad never runs; a captured
       * step names the leaf it captured for */
      g_assert_null (event->grad_after);
      if (event->captured)
        g_assert_cmpstr (event->variable_id, ==, capture->tensor_id);
      else
        g_assert_null (event->variable_id);
      any_captured = any_captured || event->captured;
    }
  g_assert_true (any_captured);
  json = ge_trace_to_json (trace);
  g_assert_true (contains (json, "\"autograd_grad\":true,\"captured\":[{\"input\":0,"));
  arena_end ();
}

static void
test_trace_json_document (void)
{
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  trace = ge_trace_backward (1, &g.y, NULL, 0, NULL, FALSE, NULL, &error);
  g_assert_no_error (error);
  json = ge_trace_to_json (trace);
  g_assert_true (g_str_has_prefix (json, "{\n  \"schema\": \"gradlab.trace/1\",\n  \"graph\": {\n    \"schema\": \"gradlab.graph/1\","));
  g_assert_true (contains (json, "\"backward\": {\"steps\":5,\"recorded\":5,\"truncated\":false,"));
  g_assert_true (contains (json, "{\"kind\":\"forward\",\"index\":0,"));
  g_assert_true (contains (json, "\"kind\":\"backward\",\"index\":4,"));
  g_assert_true (contains (json, "\"op\":\"AccumulateGrad\",\"sequence_nr\":null,\"step\":4,"));
  g_assert_true (contains (json, "\"accumulate\":{\"variable\":\"t1\",\"before\":null,\"after\":{\"dtype\":\"float32\","
                                 "\"shape\":[],\"numel\":1,\"values\":[7],\"repr\":\"tensor(7.)\"}}"));
  arena_end ();
}

static void
test_record_steps_by_hand (void)
{
  g_autoptr(GeGraphSnapshot) snapshot = NULL;
  g_autoptr(GeTrace) trace = NULL;
  g_autoptr(GeBackwardRun) run = NULL;
  g_autoptr(GError) error = NULL;
  const GeBackwardStep *step;
  Quadratic g;

  arena_begin ();
  make_quadratic (&g);
  snapshot = snapshot_of (g.y, NULL);
  trace = ge_trace_new (snapshot);
  g_assert_cmpuint (ge_trace_get_n_events (trace), ==, 4);
  run = ge_backward_run_new (1, &g.y, NULL, 0, NULL, FALSE, FALSE, &error);
  g_assert_no_error (error);
  while ((step = ge_backward_run_step (run, &error)) != NULL)
    {
      const GeTraceEvent *event;

      g_assert_true (ge_trace_record_backward_step (trace, step, &error));
      event = ge_trace_get_event (trace, ge_trace_get_n_events (trace) - 1);
      /* a copy: what the step reported, kept after the step is gone */
      g_assert_cmpstr (event->node_id, ==, ge_graph_snapshot_get_node_id (snapshot, step->node));
      g_assert_cmpint (event->n_flows, ==, step->n_edges);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (ge_trace_get_n_backward_steps (trace), ==, 5);
  g_assert_cmpuint (ge_trace_get_n_events (trace), ==, 9);
  /* MulBackward0 (3*x): upstream 1 × local 3 = 3 towards x */
  for (guint i = 4; i < 9; i++)
    {
      const GeTraceEvent *event = ge_trace_get_event (trace, i);
      if (g_str_equal (event->op, "MulBackward0"))
        {
          assert_scalar_value (event->incoming[0], 1.0);
          assert_scalar_value (event->flows[0].local, 3.0);
          assert_scalar_value (event->flows[0].contribution, 3.0);
          assert_scalar_value (event->flows[0].grad, 3.0);
          g_assert_null (event->flows[1].grad);
        }
    }
  arena_end ();
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("autograd");

  g_test_add_func ("/engine/graph/snapshot-of-quadratic-has-nodes-edges-names-values", test_snapshot_quadratic);
  g_test_add_func ("/engine/graph/snapshot-of-portfolio-risk", test_snapshot_portfolio_risk);
  g_test_add_func ("/engine/graph/forward-replay-in-creation-order", test_forward_replay_in_creation_order);
  g_test_add_func ("/engine/graph/large-values-are-summarized", test_large_values_are_summarized);
  g_test_add_func ("/engine/graph/json-numbers-shortest-nan-inf-as-strings", test_json_numbers_shortest_and_special);
  g_test_add_func ("/engine/graph/json-escapes-user-names", test_json_escapes_names);
  g_test_add_func ("/engine/graph/json-has-schema-and-ids", test_json_has_schema_and_ids);
  g_test_add_func ("/engine/graph/dot-has-nodes-and-edges", test_dot_output);
  g_test_add_func ("/engine/graph/no-grad-constants-are-cut-off", test_no_grad_constants_are_cut_off);
  g_test_add_func ("/engine/graph/snapshot-changes-no-grad-or-graph-state", test_snapshot_changes_no_state);
  g_test_add_func ("/engine/graph/released-flag-after-backward", test_released_flag_after_backward);
  g_test_add_func ("/engine/graph/bounded-snapshot-of-100k-node-chain", test_bounded_snapshot_of_100k_chain);
  g_test_add_func ("/engine/graph/bounded-trace-of-long-chain", test_bounded_trace_of_long_chain);
  g_test_add_func ("/engine/graph/trace-backward-order-matches-pytorch", test_trace_backward_order_matches_pytorch);
  g_test_add_func ("/engine/graph/trace-ids-match-snapshot", test_trace_ids_match_snapshot);
  g_test_add_func ("/engine/graph/trace-outgoing-is-incoming-times-local", test_trace_outgoing_is_incoming_times_local);
  g_test_add_func ("/engine/graph/trace-accumulate-grad-before-after", test_trace_accumulate_grad_before_after);
  g_test_add_func ("/engine/graph/trace-of-autograd-grad-leaves-grad-untouched", test_trace_of_autograd_grad_leaves_grad_untouched);
  g_test_add_func ("/engine/graph/trace-json-document", test_trace_json_document);
  g_test_add_func ("/engine/graph/trace-records-steps-by-hand", test_record_steps_by_hand);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
