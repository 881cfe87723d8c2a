/* ge-tensor-private.h - tensor internals shared by the engine's files */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/* Shared by a tensor and its views (and detach()); x.data gets its own, as
 * in PyTorch, so writes through .data go unnoticed by autograd. */
typedef struct
{
  int     ref_count;
  guint64 value;
} GeVersionCounter;

struct _GeStorage
{
  int            ref_count;
  GeDevice       device;
  gsize          nbytes;
  gpointer       data;
  /* The counter new views of this storage share; bumped by every in-place
   * write (autograd checks it). */
  GeVersionCounter *version;
  /* Memory owned elsewhere (numpy, mmap): released with free_func(free_data). */
  GDestroyNotify free_func;
  gpointer       free_data;
};

struct _GeTensor
{
  int        ref_count;
  GeStorage *storage;
  GeDType    dtype;
  int        ndim;
  gint64     sizes[GE_MAX_DIMS];
  /* In elements, innermost last, like PyTorch. */
  gint64     strides[GE_MAX_DIMS];
  gint64     offset;
  GeVersionCounter *version;
  /* A Python number turned into a 0-dim operand: lowest promotion priority. */
  guint      is_wrapped_number : 1;
  /* Autograd state (filled by the autograd layer; unused by the core). */
  guint      requires_grad : 1;
  gpointer   autograd;
  /* A language binding's wrapper object for this tensor (weak; the kernel's
   * Python Tensor), so that x.grad is x.grad holds as in PyTorch. */
  gpointer   binding;
};

/* storage */
GeStorage *ge_storage_new          (gsize           nbytes,
                                    GeDevice        device,
                                    GError        **error);
GeStorage *ge_storage_ref          (GeStorage      *storage);
void       ge_storage_unref        (GeStorage      *storage);

/* A tensor header over @storage (takes a new ref on it). */
GeTensor  *ge_tensor_new_with_storage (GeStorage    *storage,
                                       GeDType       dtype,
                                       int           ndim,
                                       const gint64 *sizes,
                                       const gint64 *strides,
                                       gint64        offset);
/* A fresh contiguous tensor (uninitialised). NULL + error on overflow/OOM. */
GeTensor  *ge_tensor_new_contiguous   (int           ndim,
                                       const gint64 *sizes,
                                       GeDType       dtype,
                                       GError      **error);
void       ge_contiguous_strides      (int           ndim,
                                       const gint64 *sizes,
                                       gint64       *strides);
gint64     ge_shape_numel             (int           ndim,
                                       const gint64 *sizes);
/* Mark a write: bumps the version counter. */
void       ge_tensor_bump_version     (GeTensor     *self);
/* Gives @self a fresh version counter (x.data). */
void       ge_tensor_detach_version   (GeTensor     *self);

/* Wraps @dim into [0, ndim) or sets PyTorch's IndexError:
 * "Dimension out of range (expected to be in range of [-2, 1], but got 2)".
 * A 0-dim tensor accepts dims -1 and 0. */
gboolean   ge_normalize_dim           (int          *dim,
                                       int           ndim,
                                       GError      **error);

/* Broadcast shapes; RuntimeError "The size of tensor a (3) must match the
 * size of tensor b (4) at non-singleton dimension 1". */
gboolean   ge_broadcast_shapes        (int           ndim_a,
                                       const gint64 *sizes_a,
                                       int           ndim_b,
                                       const gint64 *sizes_b,
                                       int          *ndim_out,
                                       gint64       *sizes_out,
                                       GError      **error);

/* PyTorch's result_type over operands, honouring wrapped numbers and 0-dim
 * tensors (dimensioned > zero-dim > wrapped, by category). */
GeDType    ge_result_type             (int           n,
                                       GeTensor    **operands);

/* Element access by pointer: read one element of @dtype at @ptr as double,
 * write a double converted to @dtype (bool: != 0). */
double     ge_load_double             (const void   *ptr,
                                       GeDType       dtype);
void       ge_store_double            (void         *ptr,
                                       GeDType       dtype,
                                       double        value);

/* ---- strided iteration (ge-iter.c) ---- */

#define GE_ITER_MAX_OPERANDS 4

/* Inner loop over @n elements: data[k] advances by strides[k] bytes. */
typedef void (*GeIterLoop) (char        **data,
                            const gint64 *strides,
                            gint64        n,
                            gpointer      user_data);

typedef struct
{
  int     ndim;
  gint64  sizes[GE_MAX_DIMS];
  int     n_operands;
  char   *data[GE_ITER_MAX_OPERANDS];
  /* strides[k][d] in bytes; dim 0 is the innermost after setup */
  gint64  strides[GE_ITER_MAX_OPERANDS][GE_MAX_DIMS];
} GeIter;

/* Sets up iteration over the broadcast shape (@ndim, @sizes); each operand
 * must broadcast to it (size-1 or missing dims get stride 0).  Dims are
 * reordered innermost-first and coalesced where every operand allows. */
void       ge_iter_init               (GeIter        *iter,
                                       int            ndim,
                                       const gint64  *sizes,
                                       int            n_operands,
                                       GeTensor     **operands);
void       ge_iter_run                (GeIter        *iter,
                                       GeIterLoop     loop,
                                       gpointer       user_data);

G_END_DECLS
