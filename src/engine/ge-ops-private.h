/* ge-ops-private.h - the raw kernels under the autograd wrappers */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor-private.h"

/* The hot elementwise and sum loops are built twice on x86-64, for AVX2 and
 * for the baseline, and the loader picks one (GCC's target_clones).  AVX2
 * without FMA: every add and multiply rounds as in the baseline, so results
 * are the same bits on every machine; only the speed differs. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
# define GE_SIMD_CLONES __attribute__ ((target_clones ("avx2", "default")))
#else
# define GE_SIMD_CLONES
#endif

G_BEGIN_DECLS

/*
 * ge_op_X computes what ge_tensor_X returns, without recording autograd
 * history.  The public ge_tensor_X (ge-functions.c) runs ge_op_X with grad
 * mode off and records the node PyTorch would record.  Arguments and errors
 * are exactly those of the public function.
 */

GeTensor *ge_op_view (GeTensor *self, int ndim, const gint64 *shape, GError **error);
GeTensor *ge_op_reshape (GeTensor *self, int ndim, const gint64 *shape, GError **error);
GeTensor *ge_op_squeeze (GeTensor *self);
GeTensor *ge_op_squeeze_dim (GeTensor *self, int dim, GError **error);
GeTensor *ge_op_unsqueeze (GeTensor *self, int dim, GError **error);
GeTensor *ge_op_transpose (GeTensor *self, int dim0, int dim1, GError **error);
GeTensor *ge_op_t (GeTensor *self, GError **error);
GeTensor *ge_op_permute (GeTensor *self, int ndim, const int *dims, GError **error);
GeTensor *ge_op_select (GeTensor *self, int dim, gint64 index, GError **error);
GeTensor *ge_op_slice (GeTensor *self, int dim, gint64 start, gint64 stop, gint64 step, GError **error);
GeTensor *ge_op_expand (GeTensor *self, int ndim, const gint64 *sizes, GError **error);
GeTensor *ge_op_contiguous (GeTensor *self, GError **error);
GeTensor *ge_op_clone (GeTensor *self, GError **error);
GeTensor *ge_op_to_dtype (GeTensor *self, GeDType dtype, GError **error);
GeTensor *ge_op_index (GeTensor *self, int n_indices, const GeIndex *indices, GError **error);
gboolean ge_op_index_put (GeTensor *self, int n_indices, const GeIndex *indices, GeTensor *value, GError **error);
GeTensor *ge_op_add (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_sub (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_mul (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_div (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_pow (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_eq (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_ne (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_lt (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_le (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_gt (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_ge (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_where (GeTensor *condition, GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_neg (GeTensor *self, GError **error);
GeTensor *ge_op_exp (GeTensor *self, GError **error);
GeTensor *ge_op_log (GeTensor *self, GError **error);
GeTensor *ge_op_sin (GeTensor *self, GError **error);
GeTensor *ge_op_cos (GeTensor *self, GError **error);
GeTensor *ge_op_sqrt (GeTensor *self, GError **error);
GeTensor *ge_op_abs (GeTensor *self, GError **error);
GeTensor *ge_op_tanh (GeTensor *self, GError **error);
GeTensor *ge_op_sigmoid (GeTensor *self, GError **error);
GeTensor *ge_op_relu (GeTensor *self, GError **error);
GeTensor *ge_op_clamp (GeTensor *self, GeTensor *min, GeTensor *max, GError **error);
gboolean ge_op_add_ (GeTensor *self, GeTensor *other, GError **error);
gboolean ge_op_sub_ (GeTensor *self, GeTensor *other, GError **error);
gboolean ge_op_mul_ (GeTensor *self, GeTensor *other, GError **error);
gboolean ge_op_div_ (GeTensor *self, GeTensor *other, GError **error);
gboolean ge_op_clamp_ (GeTensor *self, GeTensor *min, GeTensor *max, GError **error);
gboolean ge_op_zero_ (GeTensor *self, GError **error);
gboolean ge_op_fill_ (GeTensor *self, double value, GError **error);
gboolean ge_op_copy_ (GeTensor *self, GeTensor *src, GError **error);
GeTensor *ge_op_sum (GeTensor *self, GError **error);
GeTensor *ge_op_sum_dims (GeTensor *self, int n_dims, const int *dims, gboolean keepdim, GError **error);
GeTensor *ge_op_mean (GeTensor *self, GError **error);
GeTensor *ge_op_mean_dims (GeTensor *self, int n_dims, const int *dims, gboolean keepdim, GError **error);
GeTensor *ge_op_max (GeTensor *self, GError **error);
GeTensor *ge_op_min (GeTensor *self, GError **error);
GeTensor *ge_op_max_dim (GeTensor *self, int dim, gboolean keepdim, GeTensor **indices, GError **error);
GeTensor *ge_op_min_dim (GeTensor *self, int dim, gboolean keepdim, GeTensor **indices, GError **error);
GeTensor *ge_op_argmax (GeTensor *self, GError **error);
GeTensor *ge_op_argmax_dim (GeTensor *self, int dim, gboolean keepdim, GError **error);
GeTensor *ge_op_dot (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_mv (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_mm (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_bmm (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_matmul (GeTensor *a, GeTensor *b, GError **error);
GeTensor *ge_op_linalg_inv (GeTensor *self, GError **error);
GeTensor *ge_op_sort (GeTensor *self, int dim, gboolean descending, GeTensor **indices, GError **error);
GeTensor *ge_op_stack (int n, GeTensor **tensors, int dim, GError **error);
GeTensor *ge_op_cat (int n, GeTensor **tensors, int dim, GError **error);
GeTensor *ge_op_as_strided (GeTensor *self, int ndim, const gint64 *sizes, const gint64 *strides, gint64 offset);
/* result = beta * result + alpha * (m1 @ m2), 2-D, calling OpenBLAS exactly
 * as ATen 1.13's addmm does (same roundings as PyTorch); ge-nn-functional.c */
gboolean ge_gemm_into (GeTensor *result, GeTensor *m1, GeTensor *m2, double beta, double alpha,
                       GError **error);
/* Tests only: route addmm, linear, mse_loss and the optimisers through their
 * device (CUDA) code paths on CPU tensors, so that the parity harness can
 * compare those paths with the CPU fast paths on a machine without a GPU. */
extern gboolean ge_test_device_paths;

G_END_DECLS
