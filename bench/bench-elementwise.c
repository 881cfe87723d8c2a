/* bench-elementwise.c - ge_tensor_add and ge_tensor_mul against memcpy bandwidth */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * A float32 add or mul of 10^6 elements is bound by memory traffic: it
 * reads two arrays and writes a third.  memcpy of one array (read one,
 * write one) in the same run gives the machine's bandwidth for the same
 * bytes; the ratio of the two GB/s figures says how close the engine's
 * loop (plus allocating its result) comes to it.
 *
 * Run: build/bench/bench-elementwise [n]
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gradlab.h>

typedef GeTensor *(*BinaryOp) (GeTensor *, GeTensor *, GError **);

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static GeTensor *
random_vector (GRand  *rand,
               gint64  n)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_empty (1, &n, GE_DTYPE_FLOAT32, &error);

  if (t == NULL)
    g_error ("%s", error->message);
  for (gint64 i = 0; i < n; i++)
    ((float *) ge_tensor_data_ptr (t))[i] = (float) g_rand_double_range (rand, -1, 1);
  return t;
}

static void
bench_op (const char *name,
          BinaryOp    op,
          GeTensor   *a,
          GeTensor   *b,
          void       *dst,
          int         reps)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ge_tensor_numel (a);
  gsize bytes = n * sizeof (float);
  double best_op = G_MAXDOUBLE, best_copy = G_MAXDOUBLE;
  double op_gbs, copy_gbs;

  /* warm up */
  ge_tensor_unref (op (a, b, &error));
  memcpy (dst, ge_tensor_data_ptr (a), bytes);
  if (error != NULL)
    g_error ("%s", error->message);

  for (int r = 0; r < reps; r++)
    {
      double t0, t1, t2;

      t0 = now_seconds ();
      ge_tensor_unref (op (a, b, &error));
      t1 = now_seconds ();
      memcpy (dst, ge_tensor_data_ptr (a), bytes);
      t2 = now_seconds ();
      best_op = MIN (best_op, t1 - t0);
      best_copy = MIN (best_copy, t2 - t1);
    }

  /* op: read a and b, write the result; memcpy: read one, write one */
  op_gbs = 3.0 * bytes / best_op * 1e-9;
  copy_gbs = 2.0 * bytes / best_copy * 1e-9;
  g_print ("%-5s %9" G_GINT64_FORMAT " %10.1f %8.1f %11.1f %8.1f %7.3f\n",
           name, n, best_op * 1e6, op_gbs, best_copy * 1e6, copy_gbs, op_gbs / copy_gbs);
}

int
main (int argc, char *argv[])
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  gint64 n = argc > 1 ? g_ascii_strtoll (argv[1], NULL, 10) : 1000000;
  g_autoptr(GeTensor) a = random_vector (rand, n);
  g_autoptr(GeTensor) b = random_vector (rand, n);
  g_autofree void *dst = g_malloc (n * sizeof (float));

  g_print ("float32 elementwise: engine (result allocated each call) vs memcpy, best of 200\n");
  g_print ("GB/s counts bytes moved: add/mul read 2 and write 1 arrays, memcpy reads 1 and "
           "writes 1\n\n");
  g_print ("%-5s %9s %10s %8s %11s %8s %7s\n",
           "op", "n", "engine us", "GB/s", "memcpy us", "GB/s", "ratio");
  bench_op ("add", ge_tensor_add, a, b, dst, 200);
  bench_op ("mul", ge_tensor_mul, a, b, dst, 200);
  return 0;
}
