/* ge-ref-join.h - reference kernels for sort, stack and cat (for tests) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/*
 * Plain, obviously-correct versions of the ops in ge-join.c: naive loops over
 * multi-indices, an insertion sort, no fast paths.  The tests compare the
 * fast kernels against these.  Same signatures and results as the public
 * functions (contiguous outputs); they check their arguments but do not
 * promise PyTorch's error wording.
 */

/* Stable insertion sort along @dim; NaN sorts as the largest value. */
GeTensor *ge_ref_sort  (GeTensor  *self,
                        int        dim,
                        gboolean   descending,
                        GeTensor **indices,
                        GError   **error);
GeTensor *ge_ref_stack (int        n,
                        GeTensor **tensors,
                        int        dim,
                        GError   **error);
GeTensor *ge_ref_cat   (int        n,
                        GeTensor **tensors,
                        int        dim,
                        GError   **error);

G_END_DECLS
