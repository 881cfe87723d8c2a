/* bench-autograd.c - the notebook's training loops in C against PyTorch, and backward vs forward */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * (a) notebook 03's polynomial fit with autograd: 2000 steps on 2000 points,
 *     y = a + bx + cx^2 + dx^3, SSE loss, manual SGD under no_grad;
 * (b) the same fit as Sequential(Linear(3, 1), Flatten(0, 1)) with
 *     MSELoss(sum) and RMSprop(lr=1e-3);
 * both written against the C API, timed (best of a few runs), and compared
 * with the same scripts run by /usr/bin/python3 with PyTorch
 * (bench/torch/poly_*.py, skipped when torch is not importable).  Target: C at
 * least 10x faster.
 * (c) an MLP 4096x256 -> Linear 512 -> ReLU -> Linear 512 -> ReLU ->
 *     Linear 1 with an MSE loss: forward time against backward time, best
 *     of N.  Target: backward <= 3x forward.
 *
 * Run: build/bench/bench-autograd [steps]; OPENBLAS_NUM_THREADS applies.
 */

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include <gradlab.h>

#ifndef GE_BENCH_TORCH_DIR
#define GE_BENCH_TORCH_DIR "bench/torch"
#endif

#define RUNS 3

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static GeTensor *
check (GeTensor *t,
       GError   *error)
{
  if (t == NULL)
    g_error ("%s", error ? error->message : "no result");
  return t;
}

#define CHECK(call) check ((call), error)

/* ---- (a) the polynomial with autograd ---- */

static double
poly_autograd (int     steps,
               double *final_loss)
{
  GError *error = NULL;
  g_autoptr(GeTensor) x = CHECK (ge_tensor_linspace (-G_PI, G_PI, 2000, GE_DTYPE_FLOAT32, &error));
  g_autoptr(GeTensor) y = CHECK (ge_tensor_sin (x, &error));
  g_autoptr(GeTensor) two = ge_tensor_wrap_int (2);
  g_autoptr(GeTensor) three = ge_tensor_wrap_int (3);
  g_autoptr(GeTensor) lr = ge_tensor_wrap_double (1e-6);
  GeTensor *w[4];
  double start, elapsed;

  ge_manual_seed (0);
  for (int i = 0; i < 4; i++)
    {
      w[i] = CHECK (ge_tensor_randn (0, NULL, GE_DTYPE_FLOAT32, NULL, &error));
      ge_tensor_set_requires_grad (w[i], TRUE, NULL);
    }

  start = now_seconds ();
  for (int t = 0; t < steps; t++)
    {
      g_autoptr(GeTensor) bx = CHECK (ge_tensor_mul (w[1], x, &error));
      g_autoptr(GeTensor) s1 = CHECK (ge_tensor_add (w[0], bx, &error));
      g_autoptr(GeTensor) x2 = CHECK (ge_tensor_pow (x, two, &error));
      g_autoptr(GeTensor) cx2 = CHECK (ge_tensor_mul (w[2], x2, &error));
      g_autoptr(GeTensor) s2 = CHECK (ge_tensor_add (s1, cx2, &error));
      g_autoptr(GeTensor) x3 = CHECK (ge_tensor_pow (x, three, &error));
      g_autoptr(GeTensor) dx3 = CHECK (ge_tensor_mul (w[3], x3, &error));
      g_autoptr(GeTensor) y_pred = CHECK (ge_tensor_add (s2, dx3, &error));
      g_autoptr(GeTensor) diff = CHECK (ge_tensor_sub (y_pred, y, &error));
      g_autoptr(GeTensor) sq = CHECK (ge_tensor_pow (diff, two, &error));
      g_autoptr(GeTensor) loss = CHECK (ge_tensor_sum (sq, &error));
      gboolean prev;

      if (!ge_tensor_backward (loss, NULL, FALSE, FALSE, &error))
        g_error ("%s", error->message);
      prev = ge_grad_mode_set_enabled (FALSE);
      for (int i = 0; i < 4; i++)
        {
          g_autoptr(GeTensor) step = CHECK (ge_tensor_mul (lr, ge_tensor_get_grad (w[i]), &error));

          if (!ge_tensor_sub_ (w[i], step, &error))
            g_error ("%s", error->message);
          ge_tensor_set_grad (w[i], NULL, NULL);
        }
      ge_grad_mode_set_enabled (prev);
      if (t == steps - 1)
        ge_tensor_item (loss, final_loss, NULL);
    }
  elapsed = now_seconds () - start;
  for (int i = 0; i < 4; i++)
    ge_tensor_unref (w[i]);
  return elapsed;
}

/* ---- (b) nn.Sequential + MSELoss(sum) + RMSprop ---- */

static double
poly_nn_rmsprop (int     steps,
                 double *final_loss)
{
  GError *error = NULL;
  g_autoptr(GeTensor) x = CHECK (ge_tensor_linspace (-G_PI, G_PI, 2000, GE_DTYPE_FLOAT32, &error));
  g_autoptr(GeTensor) y = CHECK (ge_tensor_sin (x, &error));
  g_autoptr(GeTensor) p = CHECK (ge_tensor_new_from_literal ("[1, 2, 3]", &error));
  g_autoptr(GeTensor) xcol = CHECK (ge_tensor_unsqueeze (x, -1, &error));
  g_autoptr(GeTensor) xx = CHECK (ge_tensor_pow (xcol, p, &error));
  g_autoptr(GeModule) model = NULL;
  g_autoptr(GeModule) loss_fn = ge_mse_loss_new (GE_REDUCTION_SUM);
  g_autoptr(GPtrArray) params = NULL;
  g_autoptr(GeOptimizer) optimizer = NULL;
  GeModule *layers[2];
  double start, elapsed;

  ge_manual_seed (0);
  layers[0] = ge_linear_new (3, 1, TRUE, NULL, &error);
  layers[1] = ge_flatten_new (0, 1);
  model = ge_sequential_new (2, layers);
  ge_module_unref (layers[0]);
  ge_module_unref (layers[1]);
  params = ge_module_parameters (model);
  optimizer = ge_optim_rmsprop_new (params->len, (GeTensor **) params->pdata, 1e-3, 0.99, 1e-8, 0, 0, FALSE, &error);
  if (optimizer == NULL)
    g_error ("%s", error->message);

  start = now_seconds ();
  for (int t = 0; t < steps; t++)
    {
      g_autoptr(GeTensor) y_pred = CHECK (ge_module_forward (model, xx, &error));
      GeTensor *inputs[2] = { y_pred, y };
      g_autoptr(GeTensor) loss = CHECK (ge_module_forward_n (loss_fn, 2, inputs, &error));

      if (!ge_optimizer_zero_grad (optimizer, FALSE, &error) ||
          !ge_tensor_backward (loss, NULL, FALSE, FALSE, &error) ||
          !ge_optimizer_step (optimizer, &error))
        g_error ("%s", error->message);
      if (t == steps - 1)
        ge_tensor_item (loss, final_loss, NULL);
    }
  elapsed = now_seconds () - start;
  return elapsed;
}

/* ---- PyTorch, when installed ---- */

static gboolean
torch_available (void)
{
  const char *argv[] = { "/usr/bin/python3", "-c", "import torch", NULL };
  int status = -1;

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, NULL))
    return FALSE;
  return g_spawn_check_wait_status (status, NULL);
}

/* Runs bench/torch/@script and returns the value of "@key=" it prints. */
static gboolean
run_torch (const char  *script,
           const char  *arg,
           const char  *key,
           double      *value,
           char       **output)
{
  g_autofree char *path = g_build_filename (GE_BENCH_TORCH_DIR, script, NULL);
  const char *argv[] = { "/usr/bin/python3", path, arg, NULL };
  g_autofree char *out = NULL;
  g_autofree char *needle = g_strconcat (key, "=", NULL);
  g_autoptr(GError) error = NULL;
  const char *found;
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("torch: %s failed: %s\n", script, error ? error->message : "?");
      return FALSE;
    }
  found = strstr (out, needle);
  if (found == NULL)
    return FALSE;
  *value = g_ascii_strtod (found + strlen (needle), NULL);
  if (output != NULL)
    *output = g_strstrip (g_strdup (out));
  return TRUE;
}

/* ---- (c) MLP: forward vs backward ---- */

static void
bench_mlp (int runs)
{
  GError *error = NULL;
  gint64 xs[2] = { 4096, 256 }, ts[2] = { 4096, 1 };
  g_autoptr(GeTensor) x = NULL, t = NULL;
  g_autoptr(GeModule) model = NULL;
  g_autoptr(GeModule) loss_fn = ge_mse_loss_new (GE_REDUCTION_MEAN);
  GeModule *layers[5];
  double best_forward = G_MAXDOUBLE, best_backward = G_MAXDOUBLE;

  ge_manual_seed (0);
  x = CHECK (ge_tensor_randn (2, xs, GE_DTYPE_FLOAT32, NULL, &error));
  t = CHECK (ge_tensor_randn (2, ts, GE_DTYPE_FLOAT32, NULL, &error));
  layers[0] = ge_linear_new (256, 512, TRUE, NULL, &error);
  layers[1] = ge_relu_new ();
  layers[2] = ge_linear_new (512, 512, TRUE, NULL, &error);
  layers[3] = ge_relu_new ();
  layers[4] = ge_linear_new (512, 1, TRUE, NULL, &error);
  model = ge_sequential_new (5, layers);
  for (int i = 0; i < 5; i++)
    ge_module_unref (layers[i]);

  /* one warm-up run, then the best of @runs */
  for (int r = 0; r <= runs; r++)
    {
      g_autoptr(GeTensor) out = NULL, loss = NULL;
      GeTensor *inputs[2];
      double t0, t1, t2;

      ge_module_zero_grad (model, TRUE, NULL);
      t0 = now_seconds ();
      out = CHECK (ge_module_forward (model, x, &error));
      inputs[0] = out, inputs[1] = t;
      loss = CHECK (ge_module_forward_n (loss_fn, 2, inputs, &error));
      t1 = now_seconds ();
      if (!ge_tensor_backward (loss, NULL, FALSE, FALSE, &error))
        g_error ("%s", error->message);
      t2 = now_seconds ();
      if (r == 0)
        continue;
      best_forward = MIN (best_forward, t1 - t0);
      best_backward = MIN (best_backward, t2 - t1);
    }

  g_print ("\n(c) MLP 4096x256 -> 512 -> ReLU -> 512 -> ReLU -> 1, MSE loss (best of %d)\n", runs);
  g_print ("    forward  %8.2f ms\n", best_forward * 1e3);
  g_print ("    backward %8.2f ms   backward/forward = %.2f (target <= 3)\n",
           best_backward * 1e3, best_backward / best_forward);
}

int
main (int    argc,
      char **argv)
{
  int steps = argc > 1 ? atoi (argv[1]) : 2000;
  g_autofree char *steps_arg = g_strdup_printf ("%d", steps);
  const char *names[2] = { "(a) polynomial, autograd + manual SGD", "(b) Linear+Flatten, MSELoss(sum) + RMSprop" };
  const char *scripts[2] = { "poly_autograd.py", "poly_nn_rmsprop.py" };
  double c_time[2] = { G_MAXDOUBLE, G_MAXDOUBLE }, c_loss[2] = { 0, 0 };
  gboolean have_torch = torch_available ();

  if (steps <= 0)
    steps = 2000;

  for (int r = 0; r < RUNS; r++)
    {
      c_time[0] = MIN (c_time[0], poly_autograd (steps, &c_loss[0]));
      c_time[1] = MIN (c_time[1], poly_nn_rmsprop (steps, &c_loss[1]));
    }

  g_print ("Training loops, %d steps on 2000 points (best of %d; PyTorch with 1 thread)\n", steps, RUNS);
  g_print ("%-44s %10s %10s %8s\n", "", "C (ms)", "torch (ms)", "torch/C");
  for (int i = 0; i < 2; i++)
    {
      double torch_time = 0;
      g_autofree char *torch_out = NULL;

      if (have_torch && run_torch (scripts[i], steps_arg, "seconds", &torch_time, &torch_out))
        g_print ("%-44s %10.2f %10.2f %7.1fx   (C loss %.6f; torch: %s)\n", names[i], c_time[i] * 1e3,
                 torch_time * 1e3, torch_time / c_time[i], c_loss[i], torch_out);
      else
        g_print ("%-44s %10.2f %10s %8s   (C loss %.6f)\n", names[i], c_time[i] * 1e3, "-", "-", c_loss[i]);
    }
  if (!have_torch)
    g_print ("PyTorch comparison skipped: /usr/bin/python3 cannot import torch "
             "(apt-get install python3-torch)\n");

  bench_mlp (10);
  if (have_torch)
    {
      double forward = 0;
      g_autofree char *out = NULL;

      if (run_torch ("mlp.py", "10", "forward", &forward, &out))
        g_print ("    PyTorch: %s\n", out);
    }
  return 0;
}
