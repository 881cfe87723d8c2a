/* bench-matmul.c - ge_tensor_mm against calling OpenBLAS directly on the same buffers */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * DESIGN.md section 8: a large float32 matmul through the engine should run
 * at >= 95% of OpenBLAS called directly.  Both sides multiply the same two
 * N x N operands, alternately, and the best of several runs counts.  The
 * engine's time includes everything a caller pays: checks, allocating the
 * result, freeing it.  A.T@B rows multiply a transposed view, which the
 * engine must hand to BLAS with a transpose flag instead of copying.
 *
 * Run: build/bench/bench-matmul [max-n]; OPENBLAS_NUM_THREADS applies.
 */

#include <cblas.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gradlab.h>

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static GeTensor *
random_matrix (GRand   *rand,
               gint64   n,
               GeDType  dtype)
{
  g_autoptr(GError) error = NULL;
  gint64 sizes[2] = { n, n };
  GeTensor *t = ge_tensor_empty (2, sizes, dtype, &error);

  if (t == NULL)
    g_error ("%s", error->message);
  for (gint64 i = 0; i < n * n; i++)
    {
      double v = g_rand_double_range (rand, -1, 1);

      if (dtype == GE_DTYPE_FLOAT32)
        ((float *) ge_tensor_data_ptr (t))[i] = (float) v;
      else
        ((double *) ge_tensor_data_ptr (t))[i] = v;
    }
  return t;
}

static void
direct_gemm (GeDType      dtype,
             gboolean     transpose_a,
             int          n,
             const void  *a,
             const void  *b,
             void        *c)
{
  enum CBLAS_TRANSPOSE ta = transpose_a ? CblasTrans : CblasNoTrans;

  if (dtype == GE_DTYPE_FLOAT32)
    cblas_sgemm (CblasRowMajor, ta, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
  else
    cblas_dgemm (CblasRowMajor, ta, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
}

static void
bench_one (GRand    *rand,
           GeDType   dtype,
           gboolean  transpose_a,
           int       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) a = random_matrix (rand, n, dtype);
  g_autoptr(GeTensor) b = random_matrix (rand, n, dtype);
  g_autoptr(GeTensor) a_view = NULL;
  g_autoptr(GeTensor) check = NULL;
  gsize elem = ge_dtype_size (dtype);
  g_autofree void *c = NULL;
  double flops = 2.0 * n * (double) n * n;
  double best_engine = G_MAXDOUBLE, best_direct = G_MAXDOUBLE;
  int reps = n <= 256 ? 100 : n <= 512 ? 40 : n <= 1024 ? 12 : 6;

  /* A.T as a view: column-major, BLAS reads it with CblasTrans */
  a_view = transpose_a ? ge_tensor_transpose (a, 0, 1, &error) : ge_tensor_ref (a);
  if (a_view == NULL)
    g_error ("%s", error->message);
  if (posix_memalign (&c, 64, (gsize) n * n * elem) != 0)
    g_error ("out of memory");

  /* warm up both (threads, page faults), and check they agree */
  direct_gemm (dtype, transpose_a, n, ge_tensor_data_ptr (a), ge_tensor_data_ptr (b), c);
  check = ge_tensor_mm (a_view, b, &error);
  if (check == NULL)
    g_error ("%s", error->message);
  if (memcmp (ge_tensor_data_ptr (check), c, (gsize) n * n * elem) != 0)
    g_error ("engine and OpenBLAS results differ (n = %d)", n);

  for (int r = 0; r < reps; r++)
    {
      double t0, t1, t2;
      GeTensor *result;

      t0 = now_seconds ();
      result = ge_tensor_mm (a_view, b, &error);
      ge_tensor_unref (result);
      t1 = now_seconds ();
      direct_gemm (dtype, transpose_a, n, ge_tensor_data_ptr (a), ge_tensor_data_ptr (b), c);
      t2 = now_seconds ();
      best_engine = MIN (best_engine, t1 - t0);
      best_direct = MIN (best_direct, t2 - t1);
    }

  g_print ("%-8s %-6s %5d %11.3f %9.1f %11.3f %9.1f %7.3f\n",
           dtype == GE_DTYPE_FLOAT32 ? "float32" : "float64",
           transpose_a ? "A.T@B" : "A@B", n,
           best_engine * 1e3, flops / best_engine * 1e-9,
           best_direct * 1e3, flops / best_direct * 1e-9,
           best_direct / best_engine);
}

int
main (int argc, char *argv[])
{
  static const int sizes[] = { 256, 512, 1024, 2048 };
  static const GeDType dtypes[] = { GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  int max_n = argc > 1 ? atoi (argv[1]) : 2048;

  g_print ("matmul: engine (ge_tensor_mm, result allocated each call) vs cblas_?gemm\n");
  g_print ("%s, %d thread(s); best of several runs; ratio = engine / OpenBLAS speed\n\n",
           openblas_get_config (), openblas_get_num_threads ());
  g_print ("%-8s %-6s %5s %11s %9s %11s %9s %7s\n",
           "dtype", "case", "n", "engine ms", "GFLOP/s", "openblas ms", "GFLOP/s", "ratio");

  for (guint d = 0; d < G_N_ELEMENTS (dtypes); d++)
    for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
      if (sizes[s] <= max_n)
        bench_one (rand, dtypes[d], FALSE, sizes[s]);
  for (guint d = 0; d < G_N_ELEMENTS (dtypes); d++)
    if (1024 <= max_n)
      bench_one (rand, dtypes[d], TRUE, 1024);
  return 0;
}
