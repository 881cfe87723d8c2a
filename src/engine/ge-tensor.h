/* ge-tensor.h - tensors: storage, views, creation, ops (the public C API) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-types.h"

G_BEGIN_DECLS

/*
 * Conventions
 *
 * - Every function that returns a GeTensor* returns a new reference (free
 *   with ge_tensor_unref()) or NULL with @error set.  Functions that change a
 *   tensor in place return TRUE, or FALSE with @error set.
 * - Arguments are borrowed: the callee takes its own references.
 * - Dimensions may be negative (counted from the end), as in PyTorch.
 * - Error messages are PyTorch 1.13's wording.
 */

/* ---- lifetime and properties (ge-tensor.c) ---- */

GeTensor    *ge_tensor_ref              (GeTensor       *self);
void         ge_tensor_unref            (GeTensor       *self);
GeDType      ge_tensor_get_dtype        (const GeTensor *self);
GeDevice     ge_tensor_get_device       (const GeTensor *self);
int          ge_tensor_get_ndim         (const GeTensor *self);
/* @dim may be negative; out-of-range dims return -1 */
gint64       ge_tensor_get_size         (const GeTensor *self,
                                         int             dim);
const gint64*ge_tensor_get_sizes        (const GeTensor *self);
const gint64*ge_tensor_get_strides      (const GeTensor *self);
gint64       ge_tensor_get_offset       (const GeTensor *self);
gint64       ge_tensor_numel            (const GeTensor *self);
gboolean     ge_tensor_is_contiguous    (const GeTensor *self);
/* TRUE when both tensors are views of one storage */
gboolean     ge_tensor_shares_storage   (const GeTensor *a,
                                         const GeTensor *b);
/* the storage's version counter: bumped by every in-place write */
guint64      ge_tensor_get_version      (const GeTensor *self);
/* Pointer to the first element (storage data + offset * element size). */
gpointer     ge_tensor_data_ptr         (const GeTensor *self);

/* TRUE for a Python number turned into an operand (ge_tensor_wrap_*). */
gboolean     ge_tensor_is_wrapped_number (const GeTensor *self);

/* A binding's weak back-pointer to its wrapper object (NULL when none). */
gpointer     ge_tensor_get_binding      (const GeTensor *self);
void         ge_tensor_set_binding      (GeTensor       *self,
                                         gpointer        binding);

/* "[2, 3]" as PyTorch prints a shape inside error messages */
char        *ge_shape_to_string         (const gint64   *sizes,
                                         int             ndim);

/* ---- values in and out (ge-tensor.c) ---- */

/* One element, by logical row-major linear index, converted to double. */
double       ge_tensor_get_flat         (const GeTensor *self,
                                         gint64          index);
/* The value of a one-element tensor ("a Tensor with 2 elements cannot be
 * converted to Scalar" otherwise). */
gboolean     ge_tensor_item             (const GeTensor *self,
                                         double         *value,
                                         GError        **error);
/* All elements in logical row-major order, as doubles (tolist-style). */
double      *ge_tensor_to_doubles       (const GeTensor *self,
                                         gsize          *n_values);
/* "[[1.0, 2.0], [3.0, 4.0]]" like Python's repr of tensor.tolist() */
char        *ge_tensor_to_list_string   (const GeTensor *self);

/* ---- creation (ge-creation.c) ---- */

/* Copies @n = prod(@sizes) elements of @dtype from @data (row-major). */
GeTensor    *ge_tensor_new_from_data    (const void     *data,
                                         GeDType         dtype,
                                         int             ndim,
                                         const gint64   *sizes,
                                         GError        **error);
/* Python-style nested literal: "[[1, 2.5], [3, 4]]", "7", "[True, False]",
 * "nan", "-inf".  dtype inferred as torch.tensor() does: any float -> float32,
 * else any int -> int64, else bool.  Ragged input -> ValueError
 * "expected sequence of length 2 at dim 1 (got 3)". */
GeTensor    *ge_tensor_new_from_literal (const char     *literal,
                                         GError        **error);
/* Like above with a forced dtype (torch.tensor(..., dtype=...)). */
GeTensor    *ge_tensor_new_from_literal_dtype (const char *literal,
                                               GeDType     dtype,
                                               GError    **error);
/* Uninitialised contents. Fails cleanly ("DefaultCPUAllocator: not enough
 * memory: you tried to allocate N bytes.") on absurd sizes. */
GeTensor    *ge_tensor_empty            (int             ndim,
                                         const gint64   *sizes,
                                         GeDType         dtype,
                                         GError        **error);
GeTensor    *ge_tensor_zeros            (int             ndim,
                                         const gint64   *sizes,
                                         GeDType         dtype,
                                         GError        **error);
GeTensor    *ge_tensor_ones             (int             ndim,
                                         const gint64   *sizes,
                                         GeDType         dtype,
                                         GError        **error);
GeTensor    *ge_tensor_full             (int             ndim,
                                         const gint64   *sizes,
                                         double          value,
                                         GeDType         dtype,
                                         GError        **error);
/* 0-dim tensor holding one value. */
GeTensor    *ge_tensor_scalar           (double          value,
                                         GeDType         dtype);
/* A Python number as an operand: a 0-dim "wrapped number" that takes part in
 * type promotion like PyTorch's wrapped scalars (2 * int_tensor stays int64,
 * 2.5 * int_tensor becomes float32). */
GeTensor    *ge_tensor_wrap_double      (double          value);
GeTensor    *ge_tensor_wrap_int         (gint64          value);
GeTensor    *ge_tensor_wrap_bool        (gboolean        value);
/* torch.arange(start, end, step): int64 when all three are integral and
 * @dtype_is_default, else float32 (or @dtype). */
GeTensor    *ge_tensor_arange           (double          start,
                                         double          end,
                                         double          step,
                                         GeDType         dtype,
                                         gboolean        infer_dtype,
                                         GError        **error);
GeTensor    *ge_tensor_linspace         (double          start,
                                         double          end,
                                         gint64          steps,
                                         GeDType         dtype,
                                         GError        **error);
GeTensor    *ge_tensor_eye              (gint64          n,
                                         gint64          m,
                                         GeDType         dtype,
                                         GError        **error);
GeTensor    *ge_tensor_zeros_like       (const GeTensor *other,
                                         GError        **error);
GeTensor    *ge_tensor_ones_like        (const GeTensor *other,
                                         GError        **error);
GeTensor    *ge_tensor_full_like        (const GeTensor *other,
                                         double          value,
                                         GError        **error);
GeTensor    *ge_tensor_empty_like       (const GeTensor *other,
                                         GError        **error);

/* ---- views: share storage with @self (ge-view.c) ---- */

/* @shape may hold one -1. */
GeTensor    *ge_tensor_view             (GeTensor       *self,
                                         int             ndim,
                                         const gint64   *shape,
                                         GError        **error);
/* A view when the strides allow it, a copy otherwise. */
GeTensor    *ge_tensor_reshape          (GeTensor       *self,
                                         int             ndim,
                                         const gint64   *shape,
                                         GError        **error);
GeTensor    *ge_tensor_squeeze          (GeTensor       *self);
GeTensor    *ge_tensor_squeeze_dim      (GeTensor       *self,
                                         int             dim,
                                         GError        **error);
GeTensor    *ge_tensor_unsqueeze        (GeTensor       *self,
                                         int             dim,
                                         GError        **error);
GeTensor    *ge_tensor_transpose        (GeTensor       *self,
                                         int             dim0,
                                         int             dim1,
                                         GError        **error);
/* t(): <= 2-D only ("t() expects a tensor with <= 2 dimensions, but self is 3D") */
GeTensor    *ge_tensor_t                (GeTensor       *self,
                                         GError        **error);
GeTensor    *ge_tensor_permute          (GeTensor       *self,
                                         int             ndim,
                                         const int      *dims,
                                         GError        **error);
/* removes @dim */
GeTensor    *ge_tensor_select           (GeTensor       *self,
                                         int             dim,
                                         gint64          index,
                                         GError        **error);
/* The views self.select(@dim, i) for every i, as one op (torch.unbind, and
 * iterating over a tensor): *@n_out of them in a new array, to be freed with
 * ge_tensor_unbind_free().  Recorded as one UnbindBackward0 with an output
 * per view; those views may not be changed in place while recording. */
GeTensor   **ge_tensor_unbind           (GeTensor       *self,
                                         int             dim,
                                         int            *n_out,
                                         GError        **error);
void         ge_tensor_unbind_free      (GeTensor      **views,
                                         int             n);
/* Python slice semantics (clamped bounds; @step > 0).  Use G_MININT64 /
 * G_MAXINT64 for an absent start / stop. */
GeTensor    *ge_tensor_slice            (GeTensor       *self,
                                         int             dim,
                                         gint64          start,
                                         gint64          stop,
                                         gint64          step,
                                         GError        **error);
/* -1 keeps a size; new leading dims allowed. */
GeTensor    *ge_tensor_expand           (GeTensor       *self,
                                         int             ndim,
                                         const gint64   *sizes,
                                         GError        **error);
/* A view with the given geometry over @self's storage (as_strided). */
GeTensor    *ge_tensor_as_strided       (GeTensor       *self,
                                         int             ndim,
                                         const gint64   *sizes,
                                         const gint64   *strides,
                                         gint64          offset);
/* @self itself (a new ref) when already contiguous, else a contiguous copy. */
GeTensor    *ge_tensor_contiguous       (GeTensor       *self,
                                         GError        **error);
GeTensor    *ge_tensor_clone            (GeTensor       *self,
                                         GError        **error);
/* A copy converted to @dtype (a new ref of @self when the dtype matches). */
GeTensor    *ge_tensor_to_dtype         (GeTensor       *self,
                                         GeDType         dtype,
                                         GError        **error);

/* ---- indexing (ge-index.c) ---- */

typedef enum
{
  GE_INDEX_INT,      /* a[3], a[-1]: removes the dim */
  GE_INDEX_SLICE,    /* a[1:5:2] */
  GE_INDEX_NONE,     /* a[None]: inserts a dim of size 1 */
  GE_INDEX_ELLIPSIS, /* a[...] */
} GeIndexKind;

typedef struct
{
  GeIndexKind kind;
  gint64      index;     /* GE_INDEX_INT */
  gint64      start;     /* GE_INDEX_SLICE: G_MININT64 when absent */
  gint64      stop;      /* G_MAXINT64 when absent */
  gint64      step;      /* 1 when absent; must be > 0 */
} GeIndex;

#define GE_INDEX_I(i)            ((GeIndex) { GE_INDEX_INT, (i), 0, 0, 1 })
#define GE_INDEX_ALL             ((GeIndex) { GE_INDEX_SLICE, 0, G_MININT64, G_MAXINT64, 1 })
#define GE_INDEX_RANGE(a, b, s)  ((GeIndex) { GE_INDEX_SLICE, 0, (a), (b), (s) })

/* Basic indexing: always a view. */
GeTensor    *ge_tensor_index            (GeTensor       *self,
                                         int             n_indices,
                                         const GeIndex  *indices,
                                         GError        **error);
/* self[indices] = value (value broadcast to the indexed view). */
gboolean     ge_tensor_index_put        (GeTensor       *self,
                                         int             n_indices,
                                         const GeIndex  *indices,
                                         GeTensor       *value,
                                         GError        **error);

/* ---- pointwise ops with broadcasting and type promotion (ge-pointwise.c) ---- */

GeTensor    *ge_tensor_add              (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_sub              (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_mul              (GeTensor *a, GeTensor *b, GError **error);
/* true division: integer inputs give float32 */
GeTensor    *ge_tensor_div              (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_pow              (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_eq               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_ne               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_lt               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_le               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_gt               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_ge               (GeTensor *a, GeTensor *b, GError **error);
/* torch.where(cond, a, b): cond must be bool */
GeTensor    *ge_tensor_where            (GeTensor *condition, GeTensor *a, GeTensor *b, GError **error);

GeTensor    *ge_tensor_neg              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_exp              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_log              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_sin              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_cos              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_sqrt             (GeTensor *self, GError **error);
GeTensor    *ge_tensor_abs              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_tanh             (GeTensor *self, GError **error);
GeTensor    *ge_tensor_sigmoid          (GeTensor *self, GError **error);
GeTensor    *ge_tensor_relu             (GeTensor *self, GError **error);
/* Bounds are one-element tensors, usually wrapped Python numbers (their type
 * takes part in promotion: clamp(int_tensor, 0.5) is float32).  Either may be
 * NULL, not both ("torch.clamp: At least one of 'min' or 'max' must not be
 * None"). */
GeTensor    *ge_tensor_clamp            (GeTensor *self, GeTensor *min, GeTensor *max, GError **error);

/* in place: the result is cast to @self's dtype ("result type Float can't be
 * cast to the desired output type Long" when that would lose the category) */
gboolean     ge_tensor_add_             (GeTensor *self, GeTensor *other, GError **error);
gboolean     ge_tensor_sub_             (GeTensor *self, GeTensor *other, GError **error);
gboolean     ge_tensor_mul_             (GeTensor *self, GeTensor *other, GError **error);
gboolean     ge_tensor_div_             (GeTensor *self, GeTensor *other, GError **error);
gboolean     ge_tensor_clamp_           (GeTensor *self, GeTensor *min, GeTensor *max, GError **error);
gboolean     ge_tensor_zero_            (GeTensor *self, GError **error);
gboolean     ge_tensor_fill_            (GeTensor *self, double value, GError **error);
/* copies @src (broadcast, any dtype) into @self */
gboolean     ge_tensor_copy_            (GeTensor *self, GeTensor *src, GError **error);

/* ---- reductions (ge-reduce.c) ---- */

GeTensor    *ge_tensor_sum              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_sum_dims         (GeTensor *self, int n_dims, const int *dims, gboolean keepdim, GError **error);
GeTensor    *ge_tensor_mean             (GeTensor *self, GError **error);
GeTensor    *ge_tensor_mean_dims        (GeTensor *self, int n_dims, const int *dims, gboolean keepdim, GError **error);
GeTensor    *ge_tensor_max              (GeTensor *self, GError **error);
GeTensor    *ge_tensor_min              (GeTensor *self, GError **error);
/* values; @indices (int64) returned when non-NULL */
GeTensor    *ge_tensor_max_dim          (GeTensor *self, int dim, gboolean keepdim, GeTensor **indices, GError **error);
GeTensor    *ge_tensor_min_dim          (GeTensor *self, int dim, gboolean keepdim, GeTensor **indices, GError **error);
GeTensor    *ge_tensor_argmax           (GeTensor *self, GError **error);
GeTensor    *ge_tensor_argmax_dim       (GeTensor *self, int dim, gboolean keepdim, GError **error);

/* ---- linear algebra (ge-linalg.c) ---- */

GeTensor    *ge_tensor_dot              (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_mv               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_mm               (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_bmm              (GeTensor *a, GeTensor *b, GError **error);
/* torch.matmul: 1-D/2-D/batched with broadcast batch dims */
GeTensor    *ge_tensor_matmul           (GeTensor *a, GeTensor *b, GError **error);
GeTensor    *ge_tensor_linalg_inv       (GeTensor *self, GError **error);

/* ---- sorting and joining (ge-join.c) ---- */

/* stable; @indices (int64) when non-NULL */
GeTensor    *ge_tensor_sort             (GeTensor *self, int dim, gboolean descending, GeTensor **indices, GError **error);
GeTensor    *ge_tensor_stack            (int n, GeTensor **tensors, int dim, GError **error);
GeTensor    *ge_tensor_cat              (int n, GeTensor **tensors, int dim, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeTensor, ge_tensor_unref)

G_END_DECLS
