/* ge-nn.h - torch.nn in C: functional ops, modules (Linear, Sequential, ...), losses */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-autograd.h"
#include "ge-print.h"
#include "ge-random.h"

G_BEGIN_DECLS

/*
 * The functional ops (ge-nn-functional.c) are differentiable like the ops in
 * ge-tensor.h: they record the nodes PyTorch 1.13 records (AddmmBackward0,
 * MseLossBackward0, ...).  The modules (ge-nn.c) are small refcounted objects
 * with a forward function, named parameters and children, and PyTorch's
 * repr(); they work without Python.
 */

/* ---- functional (ge-nn-functional.c) ---- */

/* The reduction argument of the losses (PyTorch's Reduction enum values). */
typedef enum
{
  GE_REDUCTION_NONE,
  GE_REDUCTION_MEAN,
  GE_REDUCTION_SUM,
} GeReduction;

/* "none", "mean", "sum"; anything else is PyTorch's ValueError
 * "avg is not a valid value for reduction". */
gboolean     ge_reduction_from_string   (const char     *name,
                                         GeReduction    *reduction,
                                         GError        **error);
const char  *ge_reduction_to_string     (GeReduction     reduction);

/* torch.addmm(bias, mat1, mat2, beta=, alpha=): beta * bias + alpha * (mat1 @
 * mat2), @bias broadcast to the result, one BLAS gemm as ATen calls it.
 * Records AddmmBackward0 with edges (bias, mat1, mat2). */
GeTensor    *ge_tensor_addmm            (GeTensor       *bias,
                                         GeTensor       *mat1,
                                         GeTensor       *mat2,
                                         double          beta,
                                         double          alpha,
                                         GError        **error);

/* torch.nn.functional.linear(input, weight, bias) with 1.13's dispatch: 2-D
 * input with a bias is addmm(bias, input, weight.t()); contiguous 3-D input
 * with a bias is folded to 2-D around one addmm (views); anything else is
 * matmul(input, weight.t()) followed by the bias addition.  @bias may be
 * NULL. */
GeTensor    *ge_tensor_linear           (GeTensor       *input,
                                         GeTensor       *weight,
                                         GeTensor       *bias,
                                         GError        **error);

/* torch.nn.functional.mse_loss(input, target, reduction): input and target
 * are broadcast against each other first (PyTorch warns when their sizes
 * differ, see below, but computes the broadcast loss).  Records
 * MseLossBackward0. */
GeTensor    *ge_tensor_mse_loss         (GeTensor       *input,
                                         GeTensor       *target,
                                         GeReduction     reduction,
                                         GError        **error);
/* The UserWarning F.mse_loss emits for different sizes ("Using a target size
 * (torch.Size([3])) that is different to the input size ..."), or NULL when
 * the sizes match.  The engine never prints: callers show it. */
char        *ge_mse_loss_size_warning   (const GeTensor *input,
                                         const GeTensor *target);

/* torch.flatten(self, start_dim, end_dim): a reshape (a view when the
 * strides allow it); @self itself when start_dim == end_dim. */
GeTensor    *ge_tensor_flatten          (GeTensor       *self,
                                         int             start_dim,
                                         int             end_dim,
                                         GError        **error);

/* ---- parameters (ge-nn.c) ---- */

/* nn.Parameter(data, requires_grad): a leaf sharing @data's storage. */
GeTensor    *ge_parameter_new           (GeTensor       *data,
                                         gboolean        requires_grad,
                                         GError        **error);
/* repr() of a parameter: "Parameter containing:\ntensor(..., requires_grad=True)" */
char        *ge_parameter_repr          (const GeTensor *param);

/* ---- modules (ge-nn.c) ---- */

typedef struct _GeModule GeModule;
typedef struct _GeModuleClass GeModuleClass;

/*
 * A module type.  Built-in types have their own constructors below; a C
 * program defines its own (like the notebooks' Polynomial3) with a static
 * GeModuleClass and ge_module_new().
 */
struct _GeModuleClass
{
  /* The type name repr() shows: "Linear". */
  const char         *name;
  /* The names of forward()'s tensor arguments, NULL-terminated (NULL means
   * { "input" }): a call with another count is PyTorch's TypeError. */
  const char * const *argument_names;
  /* Required.  @inputs holds as many tensors as argument_names. */
  GeTensor         *(*forward)      (GeModule   *self,
                                     GeTensor  **inputs,
                                     GError    **error);
  /* The text inside the parentheses of repr() ("in_features=3, ..."), or
   * NULL for none. */
  char             *(*extra_repr)   (GeModule   *self);
  /* Frees the private data given to ge_module_new(); may be NULL. */
  GDestroyNotify      free_private;
};

GeModule    *ge_module_new              (const GeModuleClass *klass,
                                         gpointer             priv);
GeModule    *ge_module_ref              (GeModule       *self);
void         ge_module_unref            (GeModule       *self);
const GeModuleClass *ge_module_get_class (GeModule      *self);
gpointer     ge_module_get_private      (GeModule       *self);
const char  *ge_module_get_type_name    (GeModule       *self);

/* self.<name> = nn.Parameter(...): registers (or replaces) a parameter;
 * @param NULL registers None (as Linear(bias=False) does). */
void         ge_module_register_parameter (GeModule     *self,
                                           const char   *name,
                                           GeTensor     *param);
/* Borrowed; NULL when absent or None. */
GeTensor    *ge_module_get_parameter    (GeModule       *self,
                                         const char     *name);
/* self.<name> = child (a submodule: its parameters are the parent's). */
void         ge_module_add_module       (GeModule       *self,
                                         const char     *name,
                                         GeModule       *child);
int          ge_module_get_n_children   (GeModule       *self);
/* Borrowed. */
GeModule    *ge_module_get_child        (GeModule       *self,
                                         int             i);
const char  *ge_module_get_child_name   (GeModule       *self,
                                         int             i);

/* module(input) */
GeTensor    *ge_module_forward          (GeModule       *self,
                                         GeTensor       *input,
                                         GError        **error);
/* module(*inputs): losses take (input, target). */
GeTensor    *ge_module_forward_n        (GeModule       *self,
                                         int             n_inputs,
                                         GeTensor      **inputs,
                                         GError        **error);

/* module.parameters(): own parameters first, then the children's, each
 * tensor once.  A new array of new references (it frees them). */
GPtrArray   *ge_module_parameters       (GeModule       *self);
/* The names named_parameters() gives, in the same order ("0.weight"). */
char       **ge_module_parameter_names  (GeModule       *self);
/* module.zero_grad(set_to_none): 1.13's default (FALSE) zeroes each
 * existing .grad in place; TRUE sets them to None. */
gboolean     ge_module_zero_grad        (GeModule       *self,
                                         gboolean        set_to_none,
                                         GError        **error);
/* repr(module), as PyTorch prints it. */
char        *ge_module_repr             (GeModule       *self);

/* nn.Linear(in_features, out_features, bias): float32 parameters drawn from
 * @generator (NULL: the default one) as PyTorch does: the weight uniform in
 * +-1/sqrt(in_features) (kaiming_uniform_ with a = sqrt(5)), then the bias
 * in +-1/sqrt(in_features). */
GeModule    *ge_linear_new              (gint64          in_features,
                                         gint64          out_features,
                                         gboolean        bias,
                                         GeGenerator    *generator,
                                         GError        **error);
/* Borrowed; NULL when @self is not a Linear (or has no bias). */
GeTensor    *ge_linear_get_weight       (GeModule       *self);
GeTensor    *ge_linear_get_bias         (GeModule       *self);

/* nn.Sequential(*modules): takes its own references. */
GeModule    *ge_sequential_new          (int             n_modules,
                                         GeModule      **modules);
void         ge_sequential_append       (GeModule       *self,
                                         GeModule       *module);
/* len(seq) */
int          ge_sequential_get_length   (GeModule       *self);
/* seq[index] (borrowed), negative indices from the end: IndexError "index 2
 * is out of range"; TypeError "'Linear' object is not subscriptable" when
 * @self is not a Sequential. */
GeModule    *ge_sequential_get          (GeModule       *self,
                                         int             index,
                                         GError        **error);

/* nn.Flatten(start_dim=1, end_dim=-1) */
GeModule    *ge_flatten_new             (int             start_dim,
                                         int             end_dim);
GeModule    *ge_relu_new                (void);
GeModule    *ge_tanh_new                (void);
GeModule    *ge_sigmoid_new             (void);
/* nn.MSELoss(reduction): forward takes (input, target). */
GeModule    *ge_mse_loss_new            (GeReduction     reduction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeModule, ge_module_unref)

G_END_DECLS
