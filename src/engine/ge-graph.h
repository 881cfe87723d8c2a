/* ge-graph.h - graph snapshots, forward replay and traces, as JSON and DOT */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-autograd.h"

G_BEGIN_DECLS

/*
 * A snapshot is a copy of what the graph behind some tensors looks like right
 * now: op nodes (grad_fn, AccumulateGrad included), tensor nodes (the roots
 * and the leaf variables), constant nodes (inputs that needed no grad, cut
 * off from the graph) and the edges between them, with values copied (all
 * elements of small tensors, a summary of large ones).  Taking one changes no
 * .grad and no graph state, and holds no reference to the graph.
 *
 * A trace is a snapshot plus an ordered list of events: the forward replay
 * (recorded nodes in creation order with their output values) and then the
 * backward steps of a GeBackwardRun.
 *
 * Both serialize to JSON ("gradlab.graph/1", "gradlab.trace/1"; the schema is
 * docs/trace-schema.md) and snapshots to Graphviz DOT.  Node ids are stable
 * within one snapshot: "n<sequence_nr>" for op nodes, "a<k>" for
 * AccumulateGrad nodes, "t<k>" for tensors and "c<k>" for constants.
 *
 * Everything a snapshot or trace returns is owned by it (borrowed).
 */

typedef struct _GeGraphSnapshot GeGraphSnapshot;
typedef struct _GeTrace         GeTrace;

typedef struct
{
  /* Zero fields mean the defaults. */
  guint max_nodes;          /* above this many nodes in all, a bounded snapshot (2000) */
  guint keep_nodes;         /* a bounded snapshot keeps this many nearest the roots (200) */
  guint max_full_elements;  /* values up to this many elements in full (64) */
  guint max_events;         /* traces: backward steps recorded in detail (2000) */
} GeGraphOptions;

#define GE_GRAPH_DEFAULT_MAX_NODES         2000
#define GE_GRAPH_DEFAULT_KEEP_NODES        200
#define GE_GRAPH_DEFAULT_MAX_FULL_ELEMENTS 64
#define GE_GRAPH_DEFAULT_MAX_EVENTS        2000
/* How many leading and trailing elements a summary keeps. */
#define GE_GRAPH_SUMMARY_EDGE_ITEMS        3

/* A copied tensor value: all elements, or a summary. */
typedef struct
{
  GeDType  dtype;
  int      ndim;
  gint64   sizes[GE_MAX_DIMS];
  gint64   numel;
  /* TRUE: @values holds all @numel elements in row-major order, and @repr
   * is PyTorch's repr.  FALSE: the summary fields below. */
  gboolean full;
  double  *values;
  char    *repr;
  /* Summary over the finite elements (NaN where there are none); std is
   * PyTorch's default (unbiased). */
  double   min, max, mean, std;
  gint64   n_nan, n_inf;
  /* The first and last elements (GE_GRAPH_SUMMARY_EDGE_ITEMS each). */
  int      n_head, n_tail;
  double   head[GE_GRAPH_SUMMARY_EDGE_ITEMS];
  double   tail[GE_GRAPH_SUMMARY_EDGE_ITEMS];
  /* FALSE when the elements could not be read (not on the CPU): only the
   * shape and dtype are known. */
  gboolean readable;
} GeGraphValue;

typedef enum
{
  GE_GRAPH_NODE_OP,        /* a grad_fn node, AccumulateGrad included */
  GE_GRAPH_NODE_TENSOR,    /* a root, or a leaf variable behind an AccumulateGrad */
  GE_GRAPH_NODE_CONSTANT,  /* an input that needed no grad (no_grad, detached, plain) */
} GeGraphNodeKind;

typedef struct
{
  const char      *id;
  GeGraphNodeKind  kind;
  /* distance in edges from the nearest root tensor */
  guint            depth;

  /* op */
  const char      *op;             /* "MulBackward0", "AccumulateGrad" */
  guint64          sequence_nr;    /* G_MAXUINT64 for AccumulateGrad */
  gboolean         released;       /* saved tensors freed by a backward */
  int              n_outputs;
  GeGraphValue   **outputs;        /* forward values; NULL entries where none */
  const char      *variable_id;    /* AccumulateGrad: its leaf's tensor node */
  guint            hidden_inputs;  /* inputs beyond a bounded snapshot */

  /* tensor */
  const char      *name;           /* ge_tensor_get_name(), or NULL */
  gboolean         is_root;
  gboolean         is_leaf;
  gboolean         requires_grad;
  const char      *grad_fn;        /* the grad_fn's name, or NULL */
  const char      *grad_fn_id;     /* its node, NULL when not in the snapshot */
  int              output_nr;      /* which output of the grad_fn */
  const char      *accumulator_id; /* a leaf's AccumulateGrad node, or NULL */
  GeGraphValue    *grad;           /* .grad, NULL for None */

  /* tensor and constant: the value (a constant's is NULL when it was too
   * large for the node to keep) */
  GeGraphValue    *value;

  /* constant */
  const char      *consumer_id;
  int              input_nr;
} GeGraphNode;

typedef enum
{
  GE_GRAPH_EDGE_GRAD,      /* op -> op: a next_functions edge */
  GE_GRAPH_EDGE_VARIABLE,  /* leaf tensor -> its AccumulateGrad */
  GE_GRAPH_EDGE_OUTPUT,    /* op -> the root tensor it made */
  GE_GRAPH_EDGE_NO_GRAD,   /* constant -> op: no gradient flows */
} GeGraphEdgeKind;

/* Edges point the way values flow forward (gradients flow back along them). */
typedef struct
{
  GeGraphEdgeKind kind;
  const char     *from;
  const char     *to;
  int             output_nr;   /* which output of @from */
  int             input_nr;    /* which input of @to (its next_functions index) */
  gboolean        has_shape;
  GeDType         dtype;
  int             ndim;
  gint64          sizes[GE_MAX_DIMS];
} GeGraphEdge;

typedef struct
{
  const char *op;
  guint       count;
} GeGraphOpCount;

/* The whole graph, counted even when the snapshot is bounded. */
typedef struct
{
  guint                 total_nodes;
  guint                 n_op_nodes;
  guint                 n_tensor_nodes;
  guint                 n_constant_nodes;
  guint                 n_edges;
  /* nodes on the longest chain of op nodes */
  guint                 depth;
  /* per op name, most frequent first */
  guint                 n_op_counts;
  const GeGraphOpCount *op_counts;
  gboolean              truncated;
  guint                 shown_nodes;
} GeGraphSummary;

/* One recorded node of the forward pass, replayed in creation order. */
typedef struct
{
  const char          *node_id;
  const char          *op;
  guint64              sequence_nr;
  /* per input: the node its value came from (an op, a leaf tensor or a
   * constant), NULL where not in the snapshot */
  int                  n_inputs;
  const char         **input_ids;
  int                  n_outputs;
  GeGraphValue *const *outputs;
} GeForwardStep;

/* ---- snapshots ---- */

GeGraphSnapshot      *ge_graph_snapshot_new          (int                    n_roots,
                                                      GeTensor             **roots,
                                                      const GeGraphOptions  *options,
                                                      GError               **error);
GeGraphSnapshot      *ge_graph_snapshot_ref          (GeGraphSnapshot       *snapshot);
void                  ge_graph_snapshot_unref        (GeGraphSnapshot       *snapshot);

guint                 ge_graph_snapshot_get_n_nodes  (GeGraphSnapshot       *snapshot);
const GeGraphNode    *ge_graph_snapshot_get_node     (GeGraphSnapshot       *snapshot,
                                                      guint                  i);
/* NULL when no node has @id. */
const GeGraphNode    *ge_graph_snapshot_find_node    (GeGraphSnapshot       *snapshot,
                                                      const char            *id);
guint                 ge_graph_snapshot_get_n_edges  (GeGraphSnapshot       *snapshot);
const GeGraphEdge    *ge_graph_snapshot_get_edge     (GeGraphSnapshot       *snapshot,
                                                      guint                  i);
/* The root tensors' node ids, in the order given. */
guint                 ge_graph_snapshot_get_n_roots  (GeGraphSnapshot       *snapshot);
const char           *ge_graph_snapshot_get_root_id  (GeGraphSnapshot       *snapshot,
                                                      guint                  i);
const GeGraphSummary *ge_graph_snapshot_get_summary  (GeGraphSnapshot       *snapshot);

/* The snapshot's id for a graph node or tensor, NULL when not in it.  Only
 * meaningful while the graph it was taken from is alive. */
const char           *ge_graph_snapshot_get_node_id  (GeGraphSnapshot       *snapshot,
                                                      const GeNode          *node);
const char           *ge_graph_snapshot_get_tensor_id (GeGraphSnapshot      *snapshot,
                                                       const GeTensor       *tensor);

/* Forward replay: the snapshot's op nodes (AccumulateGrad aside) in creation
 * (sequence) order with their output values. */
guint                 ge_graph_snapshot_get_n_forward_steps (GeGraphSnapshot *snapshot);
const GeForwardStep  *ge_graph_snapshot_get_forward_step    (GeGraphSnapshot *snapshot,
                                                             guint            i);

/* A "gradlab.graph/1" JSON document (newly allocated, UTF-8). */
char                 *ge_graph_snapshot_to_json      (GeGraphSnapshot       *snapshot);
/* Graphviz DOT source (newly allocated, UTF-8). */
char                 *ge_graph_snapshot_to_dot       (GeGraphSnapshot       *snapshot);

/* ---- traces ---- */

typedef enum
{
  GE_TRACE_EVENT_FORWARD,
  GE_TRACE_EVENT_BACKWARD,
} GeTraceEventKind;

/* What one backward step sent along one of the node's edges. */
typedef struct
{
  const char   *target_id;     /* the node that receives it (a constant's id where none) */
  int           input_nr;      /* the edge: the node's next_functions index */
  GeGraphValue *grad;          /* the gradient sent, NULL where none */
  GeGraphValue *local;         /* the local derivative factor, NULL where undefined */
  GeGraphValue *contribution;  /* upstream × local, where local is defined */
} GeTraceFlow;

typedef struct
{
  GeTraceEventKind     kind;
  guint                index;        /* position in the trace */
  const char          *node_id;
  const char          *op;
  guint64              sequence_nr;

  /* forward */
  const GeForwardStep *forward;

  /* backward */
  guint                step;         /* 0-based backward step number */
  int                  n_incoming;
  GeGraphValue       **incoming;     /* per node output; NULL where none arrived */
  int                  n_flows;
  GeTraceFlow         *flows;
  const char          *variable_id;  /* AccumulateGrad: the leaf's tensor node */
  GeGraphValue        *grad_before;  /* NULL when .grad was None */
  GeGraphValue        *grad_after;
  gboolean             captured;     /* autograd.grad captured a gradient here */
} GeTraceEvent;

/* A trace over @snapshot (a new ref is taken), starting with its forward
 * replay. */
GeTrace              *ge_trace_new                   (GeGraphSnapshot       *snapshot);
void                  ge_trace_free                  (GeTrace               *trace);
GeGraphSnapshot      *ge_trace_get_snapshot          (GeTrace               *trace);

/* Copies what @step reports into a backward event.  @step must come from a
 * run over the graph the snapshot was taken of, while it is alive.  Past
 * max_events steps are only counted. */
gboolean              ge_trace_record_backward_step  (GeTrace               *trace,
                                                      const GeBackwardStep  *step,
                                                      GError               **error);
/* Records autograd.grad's result for input @i (@grad NULL when unused). */
gboolean              ge_trace_record_captured       (GeTrace               *trace,
                                                      int                    i,
                                                      GeTensor              *input,
                                                      GeTensor              *grad,
                                                      GError               **error);

guint                 ge_trace_get_n_events          (GeTrace               *trace);
const GeTraceEvent   *ge_trace_get_event             (GeTrace               *trace,
                                                      guint                  i);
/* Backward steps run (recorded or only counted). */
guint                 ge_trace_get_n_backward_steps  (GeTrace               *trace);

/* autograd.grad's results, one per input recorded. */
typedef struct
{
  int           input;        /* the index among autograd.grad's inputs */
  const char   *tensor_id;    /* the input's tensor node, or NULL */
  const char   *node_id;      /* the node its gradient was captured at, or NULL */
  GeGraphValue *grad;         /* NULL when unused */
} GeTraceCapture;

guint                 ge_trace_get_n_captured        (GeTrace               *trace);
const GeTraceCapture *ge_trace_get_captured          (GeTrace               *trace,
                                                      guint                  i);

/*
 * Snapshots the graph behind @roots, then runs a whole backward step by step
 * and records it.  Without @inputs this is backward() (.grad accumulates);
 * with @inputs it is autograd.grad(): gradients are captured (see the trace's
 * "captured" list) and no .grad is touched.
 */
GeTrace              *ge_trace_backward              (int                    n_roots,
                                                      GeTensor             **roots,
                                                      GeTensor             **grad_outputs,
                                                      int                    n_inputs,
                                                      GeTensor             **inputs,
                                                      gboolean               retain_graph,
                                                      const GeGraphOptions  *options,
                                                      GError               **error);

/* A "gradlab.trace/1" JSON document (newly allocated, UTF-8). */
char                 *ge_trace_to_json               (GeTrace               *trace);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeGraphSnapshot, ge_graph_snapshot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeTrace, ge_trace_free)

G_END_DECLS
