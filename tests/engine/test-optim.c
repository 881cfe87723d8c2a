/* test-optim.c - SGD, RMSprop and Adam trajectories vs PyTorch 1.13, bit for bit */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-test-util.h"

#define STEPS 50

static GeGolden *golden;
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
goldf (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static GeTensor *
goldf (const char *fmt, ...)
{
  va_list ap;
  g_autofree char *key = NULL;

  va_start (ap, fmt);
  key = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  return T (ge_golden_tensor (golden, key));
}

/* The same table as gen-optim.py's CONFIGS. */
typedef struct
{
  const char      *name;
  GeOptimizerKind  kind;
  double           lr, momentum, dampening, alpha, eps, beta1, beta2, weight_decay;
  gboolean         nesterov, centered, amsgrad, maximize;
} Config;

#define NA 0
static const Config configs[] = {
  /* name                          kind                   lr     mom  damp alpha eps   b1   b2    wd   nest   cent   ams    max */
  { "sgd_plain",                   GE_OPTIMIZER_SGD,     0.05,  0,   0,   NA,   NA,   NA,  NA,   0,   FALSE, FALSE, FALSE, FALSE },
  { "sgd_momentum",                GE_OPTIMIZER_SGD,     0.05,  0.9, 0,   NA,   NA,   NA,  NA,   0,   FALSE, FALSE, FALSE, FALSE },
  { "sgd_dampening",               GE_OPTIMIZER_SGD,     0.05,  0.9, 0.3, NA,   NA,   NA,  NA,   0,   FALSE, FALSE, FALSE, FALSE },
  { "sgd_nesterov",                GE_OPTIMIZER_SGD,     0.05,  0.9, 0,   NA,   NA,   NA,  NA,   0,   TRUE,  FALSE, FALSE, FALSE },
  { "sgd_weight_decay",            GE_OPTIMIZER_SGD,     0.05,  0,   0,   NA,   NA,   NA,  NA,   0.1, FALSE, FALSE, FALSE, FALSE },
  { "sgd_momentum_weight_decay",   GE_OPTIMIZER_SGD,     0.05,  0.5, 0,   NA,   NA,   NA,  NA,   0.1, FALSE, FALSE, FALSE, FALSE },
  { "sgd_maximize",                GE_OPTIMIZER_SGD,     0.002, 0.5, 0,   NA,   NA,   NA,  NA,   0,   FALSE, FALSE, FALSE, TRUE },
  { "rmsprop_plain",               GE_OPTIMIZER_RMSPROP, 0.01,  0,   NA,  0.99, 1e-8, NA,  NA,   0,   FALSE, FALSE, FALSE, FALSE },
  { "rmsprop_centered",            GE_OPTIMIZER_RMSPROP, 0.01,  0,   NA,  0.99, 1e-8, NA,  NA,   0,   FALSE, TRUE,  FALSE, FALSE },
  { "rmsprop_momentum",            GE_OPTIMIZER_RMSPROP, 0.01,  0.9, NA,  0.99, 1e-8, NA,  NA,   0,   FALSE, FALSE, FALSE, FALSE },
  { "rmsprop_centered_momentum",   GE_OPTIMIZER_RMSPROP, 0.01,  0.9, NA,  0.99, 1e-8, NA,  NA,   0,   FALSE, TRUE,  FALSE, FALSE },
  { "rmsprop_weight_decay",        GE_OPTIMIZER_RMSPROP, 0.01,  0,   NA,  0.9,  1e-6, NA,  NA,   0.1, FALSE, FALSE, FALSE, FALSE },
  { "adam_plain",                  GE_OPTIMIZER_ADAM,    0.01,  NA,  NA,  NA,   1e-8, 0.9, 0.999, 0,  FALSE, FALSE, FALSE, FALSE },
  { "adam_weight_decay",           GE_OPTIMIZER_ADAM,    0.01,  NA,  NA,  NA,   1e-8, 0.8, 0.99, 0.1, FALSE, FALSE, FALSE, FALSE },
  { "adam_amsgrad",                GE_OPTIMIZER_ADAM,    0.01,  NA,  NA,  NA,   1e-8, 0.9, 0.999, 0,  FALSE, FALSE, TRUE,  FALSE },
  { "adam_eps",                    GE_OPTIMIZER_ADAM,    0.05,  NA,  NA,  NA,   1e-3, 0.9, 0.999, 0,  FALSE, FALSE, FALSE, FALSE },
};

static void
options_for (const Config *c, GeOptimOptions *o)
{
  ge_optim_options_init (o, c->kind);
  o->lr = c->lr;
  o->weight_decay = c->weight_decay;
  o->maximize = c->maximize;
  switch (c->kind)
    {
    case GE_OPTIMIZER_SGD:
      o->momentum = c->momentum;
      o->dampening = c->dampening;
      o->nesterov = c->nesterov;
      break;
    case GE_OPTIMIZER_RMSPROP:
      o->momentum = c->momentum;
      o->alpha = c->alpha;
      o->eps = c->eps;
      o->centered = c->centered;
      break;
    case GE_OPTIMIZER_ADAM:
    default:
      o->beta1 = c->beta1;
      o->beta2 = c->beta2;
      o->eps = c->eps;
      o->amsgrad = c->amsgrad;
      break;
    }
}

static GeTensor *
init_tensor (const char *name, GeDType dtype)
{
  return OK (ge_tensor_to_dtype (goldf ("init.%s", name), dtype, E));
}

/* p.grad = (p - t) * s + p * p * p * 0.05, in PyTorch's evaluation order */
static void
set_synthetic_grad (GeTensor *p, GeTensor *t, GeTensor *s)
{
  gboolean prev = ge_grad_mode_set_enabled (FALSE);
  g_autoptr(GeTensor) d = ge_tensor_detach (p);
  g_autoptr(GeTensor) c = ge_tensor_wrap_double (0.05);
  g_autoptr(GeTensor) diff = ge_tensor_sub (d, t, NULL);
  g_autoptr(GeTensor) a = ge_tensor_mul (diff, s, NULL);
  g_autoptr(GeTensor) p2 = ge_tensor_mul (d, d, NULL);
  g_autoptr(GeTensor) p3 = ge_tensor_mul (p2, d, NULL);
  g_autoptr(GeTensor) b = ge_tensor_mul (p3, c, NULL);
  g_autoptr(GeTensor) grad = ge_tensor_add (a, b, NULL);

  ge_grad_mode_set_enabled (prev);
  g_assert_true (ge_tensor_set_grad (p, grad, NULL));
}

typedef struct
{
  GeTensor *p1, *p2, *t1, *t2, *s1, *s2;
} Problem;

static void
problem_init (Problem *pb, GeDType dtype)
{
  pb->p1 = init_tensor ("p1", dtype);
  pb->p2 = init_tensor ("p2", dtype);
  if (dtype == GE_DTYPE_FLOAT32)
    {
      /* fresh leaves, not the golden tensors themselves */
      pb->p1 = OK (ge_tensor_clone (pb->p1, E));
      pb->p2 = OK (ge_tensor_clone (pb->p2, E));
    }
  g_assert_true (ge_tensor_set_requires_grad (pb->p1, TRUE, NULL));
  g_assert_true (ge_tensor_set_requires_grad (pb->p2, TRUE, NULL));
  pb->t1 = init_tensor ("t1", dtype);
  pb->t2 = init_tensor ("t2", dtype);
  pb->s1 = init_tensor ("s1", dtype);
  pb->s2 = init_tensor ("s2", dtype);
}

static void
run_config (const Config *c, GeDType dtype, gboolean check_state)
{
  GeOptimOptions o;
  Problem pb;
  g_autoptr(GeOptimizer) opt = NULL;
  GeTensor *params[2];
  const char *suffix = dtype == GE_DTYPE_FLOAT64 ? "_double" : "";

  g_test_message ("%s%s", c->name, suffix);
  problem_init (&pb, dtype);
  options_for (c, &o);
  params[0] = pb.p1, params[1] = pb.p2;
  opt = ge_optimizer_new (c->kind, 2, params, &o, &op_error);
  g_assert_no_error (op_error);
  for (int step = 0; step < STEPS; step++)
    {
      set_synthetic_grad (pb.p1, pb.t1, pb.s1);
      set_synthetic_grad (pb.p2, pb.t2, pb.s2);
      g_assert_true (ge_optimizer_step (opt, &op_error));
      g_assert_no_error (op_error);
      ge_assert_tensor_equal (pb.p1, goldf ("traj.%s%s.%d.p1", c->name, suffix, step));
      ge_assert_tensor_equal (pb.p2, goldf ("traj.%s%s.%d.p2", c->name, suffix, step));
    }

  if (check_state)
    {
      static const char *keys[] = { "momentum_buffer", "square_avg", "grad_avg", "exp_avg",
                                    "exp_avg_sq", "max_exp_avg_sq" };
      g_autofree char *step_key = g_strdup_printf ("state.%s.step", c->name);

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        {
          g_autofree char *key = g_strdup_printf ("state.%s.%s", c->name, keys[i]);
          GeTensor *state = ge_optimizer_get_state (opt, pb.p1, keys[i]);

          if (ge_golden_has (golden, key))
            ge_assert_tensor_equal (state, T (ge_golden_tensor (golden, key)));
          else
            g_assert_null (state);
        }
      if (ge_golden_has (golden, step_key))
        g_assert_cmpfloat (ge_optimizer_get_step_count (opt, pb.p1), ==,
                           ge_tensor_get_flat (T (ge_golden_tensor (golden, step_key)), 0));
    }
}

static void
run_kind (GeOptimizerKind kind)
{
  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    if (configs[i].kind == kind)
      run_config (&configs[i], GE_DTYPE_FLOAT32, TRUE);
  arena_end ();
}

static void
test_sgd_trajectories_match_pytorch (void)
{
  run_kind (GE_OPTIMIZER_SGD);
}

static void
test_rmsprop_trajectories_match_pytorch (void)
{
  run_kind (GE_OPTIMIZER_RMSPROP);
}

static void
test_adam_trajectories_match_pytorch (void)
{
  run_kind (GE_OPTIMIZER_ADAM);
}

static void
test_float64_trajectories_match_pytorch (void)
{
  static const char *names[] = { "sgd_nesterov", "rmsprop_centered_momentum", "adam_plain" };

  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    for (guint j = 0; j < G_N_ELEMENTS (names); j++)
      if (g_str_equal (configs[i].name, names[j]))
        run_config (&configs[i], GE_DTYPE_FLOAT64, FALSE);
  arena_end ();
}

static void
test_param_groups (void)
{
  GeOptimOptions o, second;
  Problem pb;
  g_autoptr(GeOptimizer) opt = NULL;

  arena_begin ();
  problem_init (&pb, GE_DTYPE_FLOAT32);
  ge_optim_options_init (&o, GE_OPTIMIZER_SGD);
  o.lr = 0.05;
  o.momentum = 0.9;
  opt = ge_optimizer_new (GE_OPTIMIZER_SGD, 1, &pb.p1, &o, &op_error);
  g_assert_no_error (op_error);
  second = o;
  second.lr = 0.01;
  second.momentum = 0.5;
  g_assert_true (ge_optimizer_add_param_group (opt, 1, &pb.p2, &second, &op_error));
  g_assert_cmpint (ge_optimizer_get_n_groups (opt), ==, 2);
  g_assert_cmpfloat (ge_optimizer_get_group_options (opt, 1)->lr, ==, 0.01);
  g_assert_true (ge_optimizer_get_group_param (opt, 1, 0) == pb.p2);
  for (int step = 0; step < 20; step++)
    {
      set_synthetic_grad (pb.p1, pb.t1, pb.s1);
      set_synthetic_grad (pb.p2, pb.t2, pb.s2);
      g_assert_true (ge_optimizer_step (opt, NULL));
    }
  ge_assert_tensor_equal (pb.p1, goldf ("groups.p1"));
  ge_assert_tensor_equal (pb.p2, goldf ("groups.p2"));
  arena_end ();
}

static void
test_params_without_grad_are_skipped (void)
{
  Problem pb;
  GeTensor *params[2];
  g_autoptr(GeOptimizer) opt = NULL;

  arena_begin ();
  problem_init (&pb, GE_DTYPE_FLOAT32);
  params[0] = pb.p1, params[1] = pb.p2;
  opt = ge_optim_adam_new (2, params, 0.1, 0.9, 0.999, 1e-8, 0, FALSE, &op_error);
  g_assert_no_error (op_error);
  set_synthetic_grad (pb.p1, pb.t1, pb.s1);
  g_assert_true (ge_optimizer_step (opt, NULL));
  ge_assert_tensor_equal (pb.p1, goldf ("skip.p1"));
  ge_assert_tensor_equal (pb.p2, goldf ("skip.p2"));
  g_assert_null (ge_optimizer_get_state (opt, pb.p2, "exp_avg"));
  g_assert_cmpfloat (ge_optimizer_get_step_count (opt, pb.p2), ==, 0);
  arena_end ();
}

/* A Linear(3, 1) trained with autograd and MSELoss: the losses come from
 * the engine's float32 sums (double accumulators), within a few ulps of
 * PyTorch's, and the differences feed back into the parameters. */
static void
test_model_training_matches_pytorch (void)
{
  static const struct { const char *name; GeOptimizerKind kind; double lr, momentum; } cases[] = {
    { "sgd", GE_OPTIMIZER_SGD, 0.1, 0.9 },
    { "rmsprop", GE_OPTIMIZER_RMSPROP, 0.01, 0 },
    { "adam", GE_OPTIMIZER_ADAM, 0.05, 0 },
  };

  arena_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GeModule) model = NULL;
      g_autoptr(GeModule) loss_fn = ge_mse_loss_new (GE_REDUCTION_MEAN);
      g_autoptr(GPtrArray) params = NULL;
      g_autoptr(GeOptimizer) opt = NULL;
      GeOptimOptions o;
      GeTensor *x = goldf ("model.x"), *y = goldf ("model.y");
      GeTensor *losses = goldf ("model.%s.losses", cases[i].name);

      ge_manual_seed (12);
      model = ge_linear_new (3, 1, TRUE, NULL, NULL);
      params = ge_module_parameters (model);
      ge_optim_options_init (&o, cases[i].kind);
      o.lr = cases[i].lr;
      o.momentum = cases[i].momentum;
      opt = ge_optimizer_new (cases[i].kind, params->len, (GeTensor **) params->pdata, &o, &op_error);
      g_assert_no_error (op_error);
      for (int step = 0; step < STEPS; step++)
        {
          GeTensor *inputs[2];
          GeTensor *loss;

          g_assert_true (ge_optimizer_zero_grad (opt, FALSE, NULL));
          inputs[0] = OK (ge_module_forward (model, x, E));
          inputs[1] = y;
          loss = OK (ge_module_forward_n (loss_fn, 2, inputs, E));
          g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, NULL));
          g_assert_true (ge_optimizer_step (opt, NULL));
          g_assert_cmpfloat_with_epsilon (ge_tensor_get_flat (loss, 0), ge_tensor_get_flat (losses, step),
                                          1e-5 * ge_tensor_get_flat (losses, step));
        }
      ge_assert_tensor_close (ge_linear_get_weight (model), goldf ("model.%s.weight", cases[i].name), 1e-5, 1e-6);
      ge_assert_tensor_close (ge_linear_get_bias (model), goldf ("model.%s.bias", cases[i].name), 1e-5, 1e-6);
    }
  arena_end ();
}

static void
test_zero_grad_zeroes_in_place (void)
{
  Problem pb;
  GeTensor *params[2], *grad;
  g_autoptr(GeOptimizer) opt = NULL;

  arena_begin ();
  problem_init (&pb, GE_DTYPE_FLOAT32);
  params[0] = pb.p1, params[1] = pb.p2;
  opt = ge_optim_sgd_new (2, params, 0.1, 0, 0, 0, FALSE, NULL);
  set_synthetic_grad (pb.p1, pb.t1, pb.s1);
  grad = ge_tensor_get_grad (pb.p1);
  /* 1.13's default: set_to_none=False zeroes the same tensor */
  g_assert_true (ge_optimizer_zero_grad (opt, FALSE, NULL));
  g_assert_true (ge_tensor_get_grad (pb.p1) == grad);
  ge_assert_tensor_equal (grad, OK (ge_tensor_zeros_like (grad, E)));
  g_assert_null (ge_tensor_get_grad (pb.p2));
  /* a step with zero grads leaves plain SGD's parameters alone */
  {
    GeTensor *before = OK (ge_tensor_clone (pb.p1, E));
    g_assert_true (ge_optimizer_step (opt, NULL));
    ge_assert_tensor_equal (pb.p1, before);
  }
  arena_end ();
}

static void
test_zero_grad_set_to_none (void)
{
  Problem pb;
  GeTensor *params[2];
  g_autoptr(GeOptimizer) opt = NULL;

  arena_begin ();
  problem_init (&pb, GE_DTYPE_FLOAT32);
  params[0] = pb.p1, params[1] = pb.p2;
  opt = ge_optim_sgd_new (2, params, 0.1, 0, 0, 0, FALSE, NULL);
  set_synthetic_grad (pb.p1, pb.t1, pb.s1);
  set_synthetic_grad (pb.p2, pb.t2, pb.s2);
  g_assert_true (ge_optimizer_zero_grad (opt, TRUE, NULL));
  g_assert_null (ge_tensor_get_grad (pb.p1));
  g_assert_null (ge_tensor_get_grad (pb.p2));
  arena_end ();
}

static void
test_step_is_an_inplace_update (void)
{
  g_autoptr(GError) error = NULL;
  Problem pb;
  GeTensor *y, *params[1];
  g_autoptr(GeOptimizer) opt = NULL;
  guint64 version;

  arena_begin ();
  problem_init (&pb, GE_DTYPE_FLOAT32);
  params[0] = pb.p1;
  opt = ge_optim_sgd_new (1, params, 0.1, 0, 0, 0, FALSE, NULL);
  /* y saved p1; stepping before backward makes backward fail as in PyTorch */
  y = OK (ge_tensor_sum (OK (ge_tensor_mul (pb.p1, pb.p1, E)), E));
  set_synthetic_grad (pb.p1, pb.t1, pb.s1);
  version = ge_tensor_get_version (pb.p1);
  g_assert_true (ge_optimizer_step (opt, NULL));
  g_assert_cmpuint (ge_tensor_get_version (pb.p1), >, version);
  g_assert_true (ge_grad_mode_is_enabled ());
  g_assert_false (ge_tensor_backward (y, NULL, FALSE, FALSE, &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
  g_assert_true (g_str_has_prefix (error->message, "one of the variables needed for gradient computation "
                                                   "has been modified by an inplace operation"));
  arena_end ();
}

static void
test_non_contiguous_parameter (void)
{
  /* a leaf laid out transposed: updated in place through its own strides */
  Problem pb;
  GeTensor *pt, *tt, *st, *params[1];
  g_autoptr(GeOptimizer) opt = NULL;

  arena_begin ();
  problem_init (&pb, GE_DTYPE_FLOAT32);
  pt = OK (ge_tensor_detach (OK (ge_tensor_t (OK (ge_tensor_contiguous (OK (ge_tensor_t (pb.p1, E)), E)), E))));
  g_assert_false (ge_tensor_is_contiguous (pt));
  g_assert_true (ge_tensor_set_requires_grad (pt, TRUE, NULL));
  tt = pb.t1, st = pb.s1;
  params[0] = pt;
  opt = ge_optim_adam_new (1, params, 0.01, 0.9, 0.999, 1e-8, 0, FALSE, NULL);
  for (int step = 0; step < STEPS; step++)
    {
      set_synthetic_grad (pt, tt, st);
      g_assert_true (ge_optimizer_step (opt, NULL));
    }
  ge_assert_tensor_equal (pt, goldf ("traj.adam_plain.%d.p1", STEPS - 1));
  arena_end ();
}

static void
test_defaults (void)
{
  GeOptimOptions o;

  ge_optim_options_init (&o, GE_OPTIMIZER_RMSPROP);
  g_assert_cmpfloat (o.lr, ==, 1e-2);
  g_assert_cmpfloat (o.alpha, ==, 0.99);
  g_assert_cmpfloat (o.eps, ==, 1e-8);
  g_assert_cmpfloat (o.momentum, ==, 0);
  g_assert_false (o.centered);
  ge_optim_options_init (&o, GE_OPTIMIZER_ADAM);
  g_assert_cmpfloat (o.lr, ==, 1e-3);
  g_assert_cmpfloat (o.beta1, ==, 0.9);
  g_assert_cmpfloat (o.beta2, ==, 0.999);
  g_assert_false (o.amsgrad);
  ge_optim_options_init (&o, GE_OPTIMIZER_SGD);
  g_assert_cmpfloat (o.momentum, ==, 0);
  g_assert_cmpfloat (o.dampening, ==, 0);
  g_assert_false (o.nesterov);
}

static void
expect_error (GeOptimizer *opt, const char *key)
{
  g_assert_null (opt);
  ge_assert_golden_error (op_error, ge_golden_string (golden, key));
  g_clear_error (&op_error);
}

static void
test_errors_match_pytorch (void)
{
  GeTensor *p, *params[2];
  GeOptimOptions o;

  arena_begin ();
  p = OK (ge_tensor_zeros (1, (gint64[]) { 2 }, GE_DTYPE_FLOAT32, E));
  g_assert_true (ge_tensor_set_requires_grad (p, TRUE, NULL));
  params[0] = p;

  expect_error (ge_optim_sgd_new (1, params, -1.0, 0, 0, 0, FALSE, E), "err.sgd.lr");
  expect_error (ge_optim_sgd_new (1, params, 0.1, -0.5, 0, 0, FALSE, E), "err.sgd.momentum");
  expect_error (ge_optim_sgd_new (1, params, 0.1, 0, 0, -1e-05, FALSE, E), "err.sgd.weight_decay");
  expect_error (ge_optim_sgd_new (1, params, 0.1, 0, 0, 0, TRUE, E), "err.sgd.nesterov");
  expect_error (ge_optim_sgd_new (1, params, 0.1, 0.9, 0.1, 0, TRUE, E), "err.sgd.nesterov_dampening");
  expect_error (ge_optim_sgd_new (0, NULL, 0.1, 0, 0, 0, FALSE, E), "err.sgd.empty");
  expect_error (ge_optim_rmsprop_new (1, params, -0.01, 0.99, 1e-8, 0, 0, FALSE, E), "err.rmsprop.lr");
  expect_error (ge_optim_rmsprop_new (1, params, 0.01, 0.99, -1e-8, 0, 0, FALSE, E), "err.rmsprop.eps");
  expect_error (ge_optim_rmsprop_new (1, params, 0.01, 0.99, 1e-8, 0, -1.0, FALSE, E), "err.rmsprop.momentum");
  expect_error (ge_optim_rmsprop_new (1, params, 0.01, 0.99, 1e-8, -2.0, 0, FALSE, E), "err.rmsprop.weight_decay");
  expect_error (ge_optim_rmsprop_new (1, params, 0.01, -0.99, 1e-8, 0, 0, FALSE, E), "err.rmsprop.alpha");
  expect_error (ge_optim_adam_new (1, params, -0.001, 0.9, 0.999, 1e-8, 0, FALSE, E), "err.adam.lr");
  expect_error (ge_optim_adam_new (1, params, 0.001, 0.9, 0.999, -1.0, 0, FALSE, E), "err.adam.eps");
  expect_error (ge_optim_adam_new (1, params, 0.001, 1.0, 0.999, 1e-8, 0, FALSE, E), "err.adam.beta1");
  expect_error (ge_optim_adam_new (1, params, 0.001, 0.9, 1.5, 1e-8, 0, FALSE, E), "err.adam.beta2");
  expect_error (ge_optim_adam_new (1, params, 0.001, 0.9, 0.999, 1e-8, -0.1, FALSE, E), "err.adam.weight_decay");
  expect_error (ge_optim_adam_new (1, params, -1e20, 0.9, 0.999, 1e-8, 0, FALSE, E), "err.adam.lr_big");

  {
    g_autoptr(GeOptimizer) opt = ge_optim_sgd_new (1, params, 0.1, 0, 0, 0, FALSE, E);
    g_assert_no_error (op_error);
    ge_optim_options_init (&o, GE_OPTIMIZER_SGD);
    g_assert_false (ge_optimizer_add_param_group (opt, 1, params, NULL, &op_error));
    ge_assert_golden_error (op_error, ge_golden_string (golden, "err.groups.duplicate"));
    g_clear_error (&op_error);
  }
  params[1] = OK (ge_tensor_mul (p, T (ge_tensor_wrap_int (2)), E));
  expect_error (ge_optim_sgd_new (1, params + 1, 0.1, 0, 0, 0, FALSE, E), "err.non_leaf");
  arena_end ();
}

int
main (int argc, char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("optim");

  g_test_add_func ("/engine/optim/sgd-trajectories-match-pytorch", test_sgd_trajectories_match_pytorch);
  g_test_add_func ("/engine/optim/rmsprop-trajectories-match-pytorch", test_rmsprop_trajectories_match_pytorch);
  g_test_add_func ("/engine/optim/adam-trajectories-match-pytorch", test_adam_trajectories_match_pytorch);
  g_test_add_func ("/engine/optim/float64-trajectories-match-pytorch", test_float64_trajectories_match_pytorch);
  g_test_add_func ("/engine/optim/param-groups", test_param_groups);
  g_test_add_func ("/engine/optim/params-without-grad-are-skipped", test_params_without_grad_are_skipped);
  g_test_add_func ("/engine/optim/model-training-matches-pytorch", test_model_training_matches_pytorch);
  g_test_add_func ("/engine/optim/zero-grad-zeroes-in-place", test_zero_grad_zeroes_in_place);
  g_test_add_func ("/engine/optim/zero-grad-set-to-none", test_zero_grad_set_to_none);
  g_test_add_func ("/engine/optim/step-is-an-inplace-update", test_step_is_an_inplace_update);
  g_test_add_func ("/engine/optim/non-contiguous-parameter", test_non_contiguous_parameter);
  g_test_add_func ("/engine/optim/defaults", test_defaults);
  g_test_add_func ("/engine/optim/errors-match-pytorch", test_errors_match_pytorch);

  ret = g_test_run ();
  ge_golden_free (golden);
  return ret;
}
