/* ge-gradcheck.h - finite-difference checks of the engine's gradients */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gradlab.h>

G_BEGIN_DECLS

/*
 * torch.autograd.gradcheck for C functions: the analytic vector-Jacobian
 * products that ge_autograd_grad() returns for random upstream gradients are
 * compared with central differences (pytorch-compat.md: eps 1e-6 on float64
 * inputs, atol 1e-5, rtol 1e-3, |analytic - numeric| <= atol + rtol·|numeric|).
 *
 * The inputs that require grad are the ones differentiated (they must be
 * float64 leaves); the others (a bool condition, a constant) are passed
 * through unchanged.  The function is called many times with perturbed
 * inputs and must return a new reference (or NULL with @error set).
 */
typedef GeTensor *(*GeGradcheckFunc) (GeTensor **inputs,
                                      gpointer   user_data,
                                      GError   **error);

typedef struct
{
  double  eps;
  double  atol;
  double  rtol;
  /* how many random upstream gradients to try */
  int     n_probes;
  guint32 seed;
} GeGradcheckOptions;

#define GE_GRADCHECK_DEFAULTS ((GeGradcheckOptions) { 1e-6, 1e-5, 1e-3, 3, 20221213 })

/* NULL when every probe agrees, else a description of the first mismatch
 * (free with g_free).  Also checks that the gradients have the inputs'
 * shapes and dtypes and that .grad is never touched. */
char        *ge_gradcheck              (GeGradcheckFunc           func,
                                        gpointer                  user_data,
                                        int                       n_inputs,
                                        GeTensor                **inputs,
                                        const GeGradcheckOptions *options);

/* torch.autograd.gradgradcheck: checks the function that returns the
 * gradients of @func (computed with create_graph) for a random upstream
 * gradient, with respect to the inputs and to that upstream gradient. */
char        *ge_gradgradcheck          (GeGradcheckFunc           func,
                                        gpointer                  user_data,
                                        int                       n_inputs,
                                        GeTensor                **inputs,
                                        const GeGradcheckOptions *options);

void         ge_test_assert_gradcheck  (const char               *file,
                                        int                       line,
                                        const char               *what,
                                        char                     *failure);

#define ge_assert_gradcheck(func, data, n, inputs)                               \
  ge_test_assert_gradcheck (__FILE__, __LINE__, #func,                           \
                            ge_gradcheck ((func), (data), (n), (inputs), NULL))
#define ge_assert_gradgradcheck(func, data, n, inputs)                           \
  ge_test_assert_gradcheck (__FILE__, __LINE__, #func " (second derivative)",    \
                            ge_gradgradcheck ((func), (data), (n), (inputs), NULL))

G_END_DECLS
