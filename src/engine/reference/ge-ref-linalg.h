/* ge-ref-linalg.h - reference kernels for products and inverses (for tests) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/*
 * Plain, obviously-correct versions of the ops in ge-linalg.c: triple loops
 * over multi-indices summing in double (wrapping int64 for int64), no BLAS,
 * and a Gauss-Jordan inverse with partial pivoting in double.  The tests
 * compare the fast kernels against these.  Same signatures and results as
 * the public functions (new contiguous tensors); they check shapes and
 * dtypes but do not promise PyTorch's error wording.
 */

GeTensor *ge_ref_dot        (GeTensor  *a,
                             GeTensor  *b,
                             GError   **error);
GeTensor *ge_ref_mv         (GeTensor  *a,
                             GeTensor  *b,
                             GError   **error);
GeTensor *ge_ref_mm         (GeTensor  *a,
                             GeTensor  *b,
                             GError   **error);
GeTensor *ge_ref_bmm        (GeTensor  *a,
                             GeTensor  *b,
                             GError   **error);
/* torch.matmul's shapes: a 1-D left operand is a row, a 1-D right operand
 * a column, both dropped from the result; batch dims broadcast. */
GeTensor *ge_ref_matmul     (GeTensor  *a,
                             GeTensor  *b,
                             GError   **error);
/* Singular (a zero pivot column) -> GE_ERROR_RUNTIME. */
GeTensor *ge_ref_linalg_inv (GeTensor  *self,
                             GError   **error);

G_END_DECLS
