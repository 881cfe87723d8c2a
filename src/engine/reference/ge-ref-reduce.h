/* ge-ref-reduce.h - reference kernels for the reductions (for tests) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/*
 * Plain, obviously-correct versions of the ops in ge-reduce.c: one pass over
 * every input element in row-major order by multi-index, no plans, no fast
 * paths.  The tests compare the fast kernels against these.  Same signatures
 * and results as the public functions (new contiguous tensors); they check
 * their arguments but do not promise PyTorch's error wording.
 *
 * Sums of float32/float64 are accumulated in double, int64 and bool in
 * wrapping int64.  max/min/argmax follow PyTorch's CPU rule: the first NaN
 * wins, otherwise the first extreme element.
 */

GeTensor *ge_ref_sum        (GeTensor   *self,
                             GError    **error);
/* No @dims (n_dims == 0) reduces every dim, as sum(dim=()) does. */
GeTensor *ge_ref_sum_dims   (GeTensor   *self,
                             int         n_dims,
                             const int  *dims,
                             gboolean    keepdim,
                             GError    **error);
GeTensor *ge_ref_mean       (GeTensor   *self,
                             GError    **error);
GeTensor *ge_ref_mean_dims  (GeTensor   *self,
                             int         n_dims,
                             const int  *dims,
                             gboolean    keepdim,
                             GError    **error);
GeTensor *ge_ref_max        (GeTensor   *self,
                             GError    **error);
GeTensor *ge_ref_min        (GeTensor   *self,
                             GError    **error);
GeTensor *ge_ref_max_dim    (GeTensor   *self,
                             int         dim,
                             gboolean    keepdim,
                             GeTensor  **indices,
                             GError    **error);
GeTensor *ge_ref_min_dim    (GeTensor   *self,
                             int         dim,
                             gboolean    keepdim,
                             GeTensor  **indices,
                             GError    **error);
GeTensor *ge_ref_argmax     (GeTensor   *self,
                             GError    **error);
GeTensor *ge_ref_argmax_dim (GeTensor   *self,
                             int         dim,
                             gboolean    keepdim,
                             GError    **error);

G_END_DECLS
