/* dump-graph.c - writes sample graph snapshots and traces as JSON and DOT */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Usage: dump-graph OUTDIR
 *
 * Writes <name>.graph.json, <name>.dot and <name>.trace.json for a few
 * graphs (the notebooks' examples, no_grad constants, awkward names, a large
 * value, a bounded long chain, an autograd.grad capture), for
 * validate-json.py to check against docs/trace-schema.json.
 */

#include <math.h>
#include <stdlib.h>

#include <gradlab.h>

static GPtrArray *arena;

static GeTensor *
keep (GeTensor *t)
{
  if (t == NULL)
    g_error ("an engine call failed");
  g_ptr_array_add (arena, t);
  return t;
}

static GeTensor *
leaf (const char *literal,
      const char *name)
{
  GeTensor *t = keep (ge_tensor_new_from_literal (literal, NULL));

  if (!ge_tensor_set_requires_grad (t, TRUE, NULL))
    g_error ("requires_grad_ failed");
  if (name != NULL)
    ge_tensor_set_name (t, name);
  return t;
}

static GeTensor *
num (double v)
{
  return keep (ge_tensor_wrap_double (v));
}

static GeTensor *
inum (gint64 v)
{
  return keep (ge_tensor_wrap_int (v));
}

static void
write_file (const char *dir,
            const char *name,
            const char *suffix,
            const char *contents)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, contents, -1, &error))
    g_error ("%s", error->message);
  g_print ("%s\n", path);
}

/* Snapshot and DOT of @root, then a backward trace (or autograd.grad
 * capture of @inputs). */
static void
dump (const char           *dir,
      const char           *name,
      GeTensor             *root,
      int                   n_inputs,
      GeTensor            **inputs,
      const GeGraphOptions *options)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeGraphSnapshot) snapshot = ge_graph_snapshot_new (1, &root, options, &error);
  g_autoptr(GeTrace) trace = NULL;
  g_autofree char *json = NULL;
  g_autofree char *dot = NULL;
  g_autofree char *trace_json = NULL;
  g_autoptr(GeTensor) ones = NULL;

  if (snapshot == NULL)
    g_error ("%s", error->message);
  json = ge_graph_snapshot_to_json (snapshot);
  dot = ge_graph_snapshot_to_dot (snapshot);
  write_file (dir, name, ".graph.json", json);
  write_file (dir, name, ".dot", dot);

  if (ge_tensor_numel (root) != 1)
    ones = ge_tensor_ones_like (root, NULL);
  trace = ge_trace_backward (1, &root, ones != NULL ? &ones : NULL, n_inputs, inputs, TRUE,
                             options, &error);
  if (trace == NULL)
    g_error ("%s", error->message);
  trace_json = ge_trace_to_json (trace);
  write_file (dir, name, ".trace.json", trace_json);
}

int
main (int   argc,
      char *argv[])
{
  const char *dir;
  GeTensor *x, *y, *w, *cov, *risk, *a, *b, *c, *d;

  if (argc != 2)
    {
      g_printerr ("usage: %s OUTDIR\n", argv[0]);
      return EXIT_FAILURE;
    }
  dir = argv[1];
  if (g_mkdir_with_parents (dir, 0755) != 0)
    g_error ("cannot create %s", dir);
  arena = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);

  /* y = x**2 + 3*x + 5 at x = 2 */
  {
    GeTensor *p, *q, *r;

    /* one op per statement: creation order is Python's evaluation order */
    x = leaf ("2.0", "x");
    p = keep (ge_tensor_pow (x, inum (2), NULL));
    q = keep (ge_tensor_mul (x, inum (3), NULL));
    r = keep (ge_tensor_add (p, q, NULL));
    y = keep (ge_tensor_add (r, inum (5), NULL));
    ge_tensor_set_name (y, "y");
  }
  dump (dir, "quadratic", y, 0, NULL, NULL);

  /* the notebook's portfolio risk w^T Σ w */
  w = leaf ("[0.33, 0.33, 0.34]", "weights");
  cov = keep (ge_tensor_new_from_literal ("[[0.1002, 0.0256, 0.0304], [0.0256, 0.0507, 0.0134],"
                                          " [0.0304, 0.0134, 0.1180]]", NULL));
  ge_tensor_set_name (cov, "cov_matrix");
  risk = keep (ge_tensor_squeeze (keep (ge_tensor_matmul (
           keep (ge_tensor_unsqueeze (w, 0, NULL)),
           keep (ge_tensor_matmul (cov, keep (ge_tensor_unsqueeze (w, 1, NULL)), NULL)), NULL))));
  ge_tensor_set_name (risk, "risk");
  dump (dir, "portfolio", risk, 0, NULL, NULL);

  /* pytorch-compat.md's backward order example */
  x = leaf ("[1.0, 2.0, 3.0]", "x");
  w = leaf ("[0.5, -1.0, 2.0]", "w");
  a = keep (ge_tensor_mul (x, w, NULL));
  b = keep (ge_tensor_exp (a, NULL));
  c = keep (ge_tensor_add (x, num (1), NULL));
  d = keep (ge_tensor_sum (keep (ge_tensor_mul (b, c, NULL)), NULL));
  dump (dir, "order", d, 0, NULL, NULL);

  /* a detached and a no_grad input, and names that need escaping */
  {
    gboolean prev;
    GeTensor *detached, *frozen, *out;

    x = leaf ("[1.0, -2.0]", "x \"quoted\"\nline two \\ 가중치");
    detached = keep (ge_tensor_detach (keep (ge_tensor_mul (x, num (2), NULL))));
    prev = ge_grad_mode_set_enabled (FALSE);
    frozen = keep (ge_tensor_exp (x, NULL));
    ge_grad_mode_set_enabled (prev);
    out = keep (ge_tensor_sum (keep (ge_tensor_mul (keep (ge_tensor_add (x, detached, NULL)),
                                                    frozen, NULL)), NULL));
    ge_tensor_set_name (out, "손실\t\u2028");
    dump (dir, "nograd", out, 0, NULL, NULL);
  }

  /* y = x * 2; y[0:2] *= w; y[2] = x[0]: CopySlices and AsStridedBackward0 */
  {
    GeIndex first_two = GE_INDEX_RANGE (0, 2, 1), third = GE_INDEX_I (2);
    GeTensor *view, *out;

    x = leaf ("[1.0, 2.0, 3.0]", "x");
    w = leaf ("[0.5, -1.5]", "w");
    y = keep (ge_tensor_mul (x, inum (2), NULL));
    ge_tensor_set_name (y, "y");
    view = keep (ge_tensor_index (y, 1, &first_two, NULL));
    if (!ge_tensor_mul_ (view, w, NULL) ||
        !ge_tensor_index_put (y, 1, &third, keep (ge_tensor_select (x, 0, 0, NULL)), NULL))
      g_error ("in-place change of a view failed");
    out = keep (ge_tensor_add (keep (ge_tensor_sum (keep (ge_tensor_mul (y, y, NULL)), NULL)),
                               keep (ge_tensor_sum (keep (ge_tensor_sin (view, NULL)), NULL)), NULL));
    dump (dir, "copy-slices", out, 0, NULL, NULL);
  }

  /* a value too large to copy in full, with NaN and infinities */
  {
    gint64 n = 1000;
    GeTensor *big = keep (ge_tensor_linspace (-1.0, 1.0, n, GE_DTYPE_FLOAT32, NULL));
    GeTensor *t, *out;
    GeIndex first = GE_INDEX_I (0), last = GE_INDEX_I (-1);

    if (!ge_tensor_index_put (big, 1, &first, num (NAN), NULL) ||
        !ge_tensor_index_put (big, 1, &last, num (INFINITY), NULL))
      g_error ("index_put failed");
    if (!ge_tensor_set_requires_grad (big, TRUE, NULL))
      g_error ("requires_grad_ failed");
    t = keep (ge_tensor_mul (big, big, NULL));
    out = keep (ge_tensor_sum (t, NULL));
    dump (dir, "large", out, 0, NULL, NULL);
  }

  /* a chain longer than the bound: a summary plus the nearest nodes */
  {
    GeGraphOptions options = { .max_nodes = 500, .keep_nodes = 40, .max_events = 50 };
    GeTensor *t = leaf ("1.0", "x0");

    ge_tensor_ref (t);
    for (int i = 0; i < 5000; i++)
      {
        GeTensor *next = ge_tensor_mul (t, num (1.0001), NULL);
        ge_tensor_unref (t);
        t = next;
      }
    keep (t);
    dump (dir, "chain", t, 0, NULL, &options);
  }

  /* autograd.grad: the Jacobian example's capture */
  {
    GeTensor *x1 = leaf ("[1.0, 2.0]", "x");
    GeTensor *out = keep (ge_tensor_sum (keep (ge_tensor_mul (x1, x1, NULL)), NULL));
    dump (dir, "capture", out, 1, &x1, NULL);
  }

  g_ptr_array_unref (arena);
  return EXIT_SUCCESS;
}
