/* ge-optim.h - torch.optim in C: SGD, RMSprop and Adam with PyTorch 1.13's update rules */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-autograd.h"

G_BEGIN_DECLS

/*
 * Each step reproduces the single-tensor (foreach=False) code of PyTorch
 * 1.13's torch/optim/{sgd,rmsprop,adam}.py operation by operation, in the
 * parameter's dtype, so that trajectories match PyTorch's.  Steps run under
 * no_grad and bump the parameters' version counters like PyTorch's in-place
 * updates.  Hyperparameters live in parameter groups.
 */

typedef enum
{
  GE_OPTIMIZER_SGD,
  GE_OPTIMIZER_RMSPROP,
  GE_OPTIMIZER_ADAM,
} GeOptimizerKind;

/* One parameter group's hyperparameters (param_groups[i] in PyTorch). */
typedef struct
{
  double   lr;
  /* SGD, RMSprop */
  double   momentum;
  /* SGD */
  double   dampening;
  gboolean nesterov;
  /* RMSprop */
  double   alpha;
  gboolean centered;
  /* RMSprop, Adam */
  double   eps;
  /* Adam */
  double   beta1;
  double   beta2;
  gboolean amsgrad;
  /* all */
  double   weight_decay;
  gboolean maximize;
} GeOptimOptions;

typedef struct _GeOptimizer GeOptimizer;

/* PyTorch's defaults for @kind (SGD has no default lr in PyTorch: 0 here,
 * set it). */
void          ge_optim_options_init          (GeOptimOptions        *options,
                                              GeOptimizerKind        kind);

/* An optimizer over @params (one group) with @options as its defaults.
 * PyTorch's ValueErrors: "Invalid learning rate: -1.0", "optimizer got an
 * empty parameter list", "can't optimize a non-leaf Tensor", ... */
GeOptimizer  *ge_optimizer_new               (GeOptimizerKind        kind,
                                              int                    n_params,
                                              GeTensor             **params,
                                              const GeOptimOptions  *options,
                                              GError               **error);
/* torch.optim.SGD(params, lr, momentum, dampening, weight_decay, nesterov) */
GeOptimizer  *ge_optim_sgd_new               (int                    n_params,
                                              GeTensor             **params,
                                              double                 lr,
                                              double                 momentum,
                                              double                 dampening,
                                              double                 weight_decay,
                                              gboolean               nesterov,
                                              GError               **error);
/* torch.optim.RMSprop(params, lr, alpha, eps, weight_decay, momentum, centered) */
GeOptimizer  *ge_optim_rmsprop_new           (int                    n_params,
                                              GeTensor             **params,
                                              double                 lr,
                                              double                 alpha,
                                              double                 eps,
                                              double                 weight_decay,
                                              double                 momentum,
                                              gboolean               centered,
                                              GError               **error);
/* torch.optim.Adam(params, lr, betas=(beta1, beta2), eps, weight_decay, amsgrad) */
GeOptimizer  *ge_optim_adam_new              (int                    n_params,
                                              GeTensor             **params,
                                              double                 lr,
                                              double                 beta1,
                                              double                 beta2,
                                              double                 eps,
                                              double                 weight_decay,
                                              gboolean               amsgrad,
                                              GError               **error);
void          ge_optimizer_free              (GeOptimizer           *self);

GeOptimizerKind ge_optimizer_get_kind        (GeOptimizer           *self);
/* "SGD", "RMSprop", "Adam" */
const char   *ge_optimizer_get_name          (GeOptimizer           *self);

/* add_param_group(): @options NULL takes the optimizer's defaults. */
gboolean      ge_optimizer_add_param_group   (GeOptimizer           *self,
                                              int                    n_params,
                                              GeTensor             **params,
                                              const GeOptimOptions  *options,
                                              GError               **error);
int           ge_optimizer_get_n_groups      (GeOptimizer           *self);
/* The group's hyperparameters, writable between steps (learning-rate
 * schedules do param_groups[i]['lr'] = ...). */
GeOptimOptions *ge_optimizer_get_group_options (GeOptimizer         *self,
                                                int                  group);
int           ge_optimizer_get_group_n_params (GeOptimizer          *self,
                                               int                   group);
/* Borrowed. */
GeTensor     *ge_optimizer_get_group_param   (GeOptimizer           *self,
                                              int                    group,
                                              int                    i);

/* optimizer.step(): parameters whose .grad is None are skipped. */
gboolean      ge_optimizer_step              (GeOptimizer           *self,
                                              GError               **error);
/* optimizer.zero_grad(set_to_none): 1.13's default FALSE zeroes the grads
 * in place; TRUE sets them to None. */
gboolean      ge_optimizer_zero_grad         (GeOptimizer           *self,
                                              gboolean               set_to_none,
                                              GError               **error);

/* optimizer.state[param][key] (borrowed; NULL before the first step or
 * when the algorithm keeps no such buffer): "momentum_buffer" (SGD,
 * RMSprop), "square_avg", "grad_avg" (RMSprop), "exp_avg", "exp_avg_sq",
 * "max_exp_avg_sq" (Adam). */
GeTensor     *ge_optimizer_get_state         (GeOptimizer           *self,
                                              GeTensor              *param,
                                              const char            *key);
/* state[param]['step'] (RMSprop, Adam); 0 before the first step. */
double        ge_optimizer_get_step_count    (GeOptimizer           *self,
                                              GeTensor              *param);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeOptimizer, ge_optimizer_free)

G_END_DECLS
