/* bench-gpu.c - matmul and a 10^7-point regression training step, GPU vs CPU */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Usage: bench-gpu [points] [max-n]      (defaults 10000000 and 4096)
 *
 * 1. float32 A @ B for N x N (N = 512 .. max-n) through ge_tensor_mm on the
 *    CPU (OpenBLAS) and on cuda (cuBLAS), best of several runs each; the GPU
 *    time ends with ge_cuda_synchronize(), so it counts the whole product.
 * 2. One training step of the playgrounds' linear regression on `points`
 *    points: pred = w * x + b, loss = mean((pred - y)^2), backward, and the
 *    SGD update w -= lr * w.grad (no_grad), b likewise, grads zeroed.  The
 *    data stays on its device; each step ends by reading the loss (a sync).
 *
 * Prints milliseconds, and the ratio CPU time / GPU time (the speed-up).
 * Without a CUDA device it says why and exits 0.
 */

#include <stdlib.h>

#include <gradlab.h>

#define RUNS 5

static GeTensor *
check (GeTensor *t,
       GError   *error)
{
  if (t == NULL)
    {
      g_printerr ("bench-gpu: %s\n", error != NULL ? error->message : "failed");
      exit (1);
    }
  return t;
}

static void
sync_device (GeDevice device)
{
  g_autoptr(GError) error = NULL;

  if (device == GE_DEVICE_CUDA && !ge_cuda_synchronize (&error))
    {
      g_printerr ("bench-gpu: %s\n", error->message);
      exit (1);
    }
}

static double
time_mm (GeTensor *a,
         GeTensor *b,
         GeDevice  device)
{
  double best = G_MAXDOUBLE;

  /* one warm-up: cuBLAS picks its kernels, OpenBLAS starts its threads */
  for (int run = 0; run <= RUNS; run++)
    {
      GError *error = NULL;
      gint64 start;
      GeTensor *c;

      sync_device (device);
      start = g_get_monotonic_time ();
      c = check (ge_tensor_mm (a, b, &error), error);
      sync_device (device);
      if (run > 0)
        best = MIN (best, (g_get_monotonic_time () - start) / 1000.0);
      ge_tensor_unref (c);
    }
  return best;
}

static void
bench_matmul (gint64 max_n)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (1);

  g_print ("float32 A @ B, N x N          CPU ms    GPU ms   CPU GFLOP/s  GPU GFLOP/s   ratio\n");
  for (gint64 n = 512; n <= max_n; n *= 2)
    {
      GError *error = NULL;
      gint64 sizes[2] = { n, n };
      g_autoptr(GeTensor) a = check (ge_tensor_randn (2, sizes, GE_DTYPE_FLOAT32, generator, &error), error);
      g_autoptr(GeTensor) b = check (ge_tensor_randn (2, sizes, GE_DTYPE_FLOAT32, generator, &error), error);
      g_autoptr(GeTensor) ga = check (ge_tensor_cuda (a, &error), error);
      g_autoptr(GeTensor) gb = check (ge_tensor_cuda (b, &error), error);
      double flops = 2.0 * n * n * n;
      double cpu = time_mm (a, b, GE_DEVICE_CPU);
      double gpu = time_mm (ga, gb, GE_DEVICE_CUDA);

      g_print ("  N = %-5" G_GINT64_FORMAT "                  %9.2f %9.3f %12.1f %12.1f %8.1fx\n",
               n, cpu, gpu, flops / cpu / 1e6, flops / gpu / 1e6, cpu / gpu);
    }
}

typedef struct
{
  GeTensor *x, *y;     /* data */
  GeTensor *w, *b;     /* parameters (0-dim, requires grad) */
} Regression;

static void
regression_init (Regression *r,
                 GeTensor   *x,
                 GeTensor   *y,
                 GeDevice    device)
{
  GError *error = NULL;

  r->x = check (ge_tensor_to_device (x, device, &error), error);
  r->y = check (ge_tensor_to_device (y, device, &error), error);
  r->w = check (ge_tensor_zeros_on (device, 0, NULL, GE_DTYPE_FLOAT32, &error), error);
  r->b = check (ge_tensor_zeros_on (device, 0, NULL, GE_DTYPE_FLOAT32, &error), error);
  ge_tensor_set_requires_grad (r->w, TRUE, NULL);
  ge_tensor_set_requires_grad (r->b, TRUE, NULL);
}

static void
regression_clear (Regression *r)
{
  g_clear_pointer (&r->x, ge_tensor_unref);
  g_clear_pointer (&r->y, ge_tensor_unref);
  g_clear_pointer (&r->w, ge_tensor_unref);
  g_clear_pointer (&r->b, ge_tensor_unref);
}

/* One SGD step; returns the loss (reading it waits for the device). */
static double
regression_step (Regression *r)
{
  GError *error = NULL;
  g_autoptr(GeTensor) lr = ge_tensor_wrap_double (0.1);
  g_autoptr(GeTensor) two = ge_tensor_wrap_double (2.0);
  g_autoptr(GeTensor) wx = check (ge_tensor_mul (r->w, r->x, &error), error);
  g_autoptr(GeTensor) pred = check (ge_tensor_add (wx, r->b, &error), error);
  g_autoptr(GeTensor) diff = check (ge_tensor_sub (pred, r->y, &error), error);
  g_autoptr(GeTensor) sq = check (ge_tensor_pow (diff, two, &error), error);
  g_autoptr(GeTensor) loss = check (ge_tensor_mean (sq, &error), error);
  GeTensor *params[2] = { r->w, r->b };
  gboolean prev;
  double value;

  if (!ge_tensor_backward (loss, NULL, FALSE, FALSE, &error))
    check (NULL, error);
  prev = ge_grad_mode_set_enabled (FALSE);
  for (int i = 0; i < 2; i++)
    {
      GeTensor *grad = ge_tensor_get_grad (params[i]);
      g_autoptr(GeTensor) update = check (ge_tensor_mul (grad, lr, &error), error);

      if (!ge_tensor_sub_ (params[i], update, &error) || !ge_tensor_zero_ (grad, &error))
        check (NULL, error);
    }
  ge_grad_mode_set_enabled (prev);
  ge_tensor_item (loss, &value, NULL);
  return value;
}

static double
time_steps (Regression *r,
            double     *last_loss)
{
  double best = G_MAXDOUBLE;

  for (int run = 0; run <= RUNS; run++)
    {
      gint64 start = g_get_monotonic_time ();

      *last_loss = regression_step (r);
      if (run > 0)
        best = MIN (best, (g_get_monotonic_time () - start) / 1000.0);
    }
  return best;
}

static void
bench_regression (gint64 points)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (2);
  GError *error = NULL;
  g_autoptr(GeTensor) x = check (ge_tensor_randn (1, &points, GE_DTYPE_FLOAT32, generator, &error), error);
  g_autoptr(GeTensor) noise = check (ge_tensor_randn (1, &points, GE_DTYPE_FLOAT32, generator, &error), error);
  g_autoptr(GeTensor) three = ge_tensor_wrap_double (3.0);
  g_autoptr(GeTensor) two = ge_tensor_wrap_double (2.0);
  g_autoptr(GeTensor) tenth = ge_tensor_wrap_double (0.1);
  g_autoptr(GeTensor) y3 = check (ge_tensor_mul (x, three, &error), error);
  g_autoptr(GeTensor) y32 = check (ge_tensor_add (y3, two, &error), error);
  g_autoptr(GeTensor) scaled_noise = check (ge_tensor_mul (noise, tenth, &error), error);
  g_autoptr(GeTensor) y = check (ge_tensor_add (y32, scaled_noise, &error), error);
  Regression cpu = { 0 }, gpu = { 0 };
  double cpu_ms, gpu_ms, cpu_loss, gpu_loss;

  regression_init (&cpu, x, y, GE_DEVICE_CPU);
  regression_init (&gpu, x, y, GE_DEVICE_CUDA);
  cpu_ms = time_steps (&cpu, &cpu_loss);
  gpu_ms = time_steps (&gpu, &gpu_loss);

  g_print ("\nregression step, %" G_GINT64_FORMAT " float32 points (forward, backward, SGD update)\n",
           points);
  g_print ("  CPU %9.2f ms/step   GPU %9.3f ms/step   ratio %6.1fx   (loss after %d steps: "
           "CPU %.6g, GPU %.6g)\n", cpu_ms, gpu_ms, cpu_ms / gpu_ms, RUNS + 1, cpu_loss, gpu_loss);

  regression_clear (&cpu);
  regression_clear (&gpu);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  gint64 points = argc > 1 ? g_ascii_strtoll (argv[1], NULL, 10) : 10000000;
  gint64 max_n = argc > 2 ? g_ascii_strtoll (argv[2], NULL, 10) : 4096;

  if (!ge_cuda_check_available (&error))
    {
      g_print ("bench-gpu: skipped, no CUDA device: %s\n", error->message);
      return 0;
    }
  {
    g_autofree char *name = ge_cuda_get_device_name (0, NULL);
    const char *threads = g_getenv ("OPENBLAS_NUM_THREADS");

    g_print ("GPU: %s; CPU: %u threads available, OPENBLAS_NUM_THREADS=%s\n\n",
             name, g_get_num_processors (), threads != NULL ? threads : "(unset)");
  }

  bench_matmul (max_n);
  bench_regression (MAX (points, 1));
  return 0;
}
