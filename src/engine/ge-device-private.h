/* ge-device-private.h - device internals: allocation, copies, dispatch helpers */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-device.h"
#include "ge-tensor-private.h"
#include "cuda/ge-cuda.h"

G_BEGIN_DECLS

/* A fresh contiguous tensor on @device (ge_tensor_new_contiguous() is the
 * CPU case).  CUDA memory comes from the caching allocator. */
GeTensor  *ge_tensor_new_contiguous_on  (GeDevice       device,
                                         int            ndim,
                                         const gint64  *sizes,
                                         GeDType        dtype,
                                         GError       **error);

/* The caching allocator over cudaMalloc: @nbytes of device memory, or NULL
 * with PyTorch's "CUDA out of memory. Tried to allocate ..." error. */
gpointer   ge_device_alloc              (gsize          nbytes,
                                         GError       **error);
/* Returns a block to the cache (a GDestroyNotify for GeStorage). */
void       ge_device_free               (gpointer       ptr);

/* PyTorch's device check over an op's operands (NULLs skipped): all on one
 * device, else "Expected all tensors to be on the same device, but found at
 * least two devices, cuda:0 and cpu!".  With @allow_cpu_scalars, 0-dim CPU
 * tensors (Python numbers) go with any device, as in TensorIterator.  Sets
 * @device to the op's device. */
gboolean   ge_device_check_same         (int            n_operands,
                                         GeTensor     **operands,
                                         gboolean       allow_cpu_scalars,
                                         GeDevice      *device,
                                         GError       **error);

/* An in-place op's output must be on the op's @device itself (a CPU scalar
 * is only an input's privilege); else the same error. */
gboolean   ge_device_check_output       (GeTensor      *out,
                                         GeDevice       device,
                                         GError       **error);

/* copy_ across devices and dtypes: @src broadcast to @dst's shape.  Does
 * not bump the version (the caller does). */
gboolean   ge_device_copy               (GeTensor      *dst,
                                         GeTensor      *src,
                                         GError       **error);
/* @self on @device without autograd: a new ref when already there, else a
 * contiguous copy. */
GeTensor  *ge_device_move               (GeTensor      *self,
                                         GeDevice       device,
                                         GError       **error);

/* Whether @self's elements live in device memory (a CUDA storage from the
 * caching allocator; the tests fake the device tag on host memory). */
gboolean   ge_device_is_device_memory   (const GeTensor *self);
/* @self itself (a new ref) when the host can read its elements, else a
 * contiguous host copy. */
GeTensor  *ge_device_readable           (const GeTensor *self,
                                         GError        **error);

/* Ops without a CUDA kernel run on the host: inputs copied to the CPU, the
 * CPU op, results copied back (documented in docs/engine.md). */
GeTensor  *ge_device_host_linalg_inv    (GeTensor      *self,
                                         GError       **error);
GeTensor  *ge_device_host_sort          (GeTensor      *self,
                                         int            dim,
                                         gboolean       descending,
                                         GeTensor     **indices,
                                         GError       **error);
GeTensor  *ge_device_host_cat           (int            n,
                                         GeTensor     **tensors,
                                         int            dim,
                                         GError       **error);
/* Whether any of @n tensors lives on CUDA. */
gboolean   ge_device_any_cuda           (int            n,
                                         GeTensor     **tensors);

G_END_DECLS
