/* ge-device.h - devices: CUDA detection, moving tensors, creating on a device */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-random.h"
#include "ge-tensor.h"

G_BEGIN_DECLS

/*
 * torch.cuda.  The CUDA backend is compiled in when meson found nvcc
 * (ge_cuda_is_built()); whether it can be used is decided once, at the first
 * call that needs to know, by asking the CUDA runtime for its devices.  Without
 * a driver or a GPU every function here still works: CUDA is reported
 * unavailable (the reason goes to g_debug() once, domain "Gradlab-Engine";
 * nothing is printed otherwise) and moving a tensor to "cuda" fails with
 * PyTorch's message.  Only one device, cuda:0, is used.
 */

/* Whether the library was built with the CUDA backend. */
gboolean     ge_cuda_is_built               (void);
/* torch.cuda.is_available() */
gboolean     ge_cuda_is_available           (void);
/* torch.cuda.device_count(): 0 without a driver or a GPU */
int          ge_cuda_device_count           (void);
/* torch.cuda.get_device_name(device): "NVIDIA H100 80GB HBM3" (free it) */
char        *ge_cuda_get_device_name        (int          device,
                                             GError     **error);
/* torch.cuda.synchronize(): waits for every queued kernel and copy. */
gboolean     ge_cuda_synchronize            (GError     **error);
/* TRUE when CUDA can be used, else FALSE with the error PyTorch raises on
 * first use: "Torch not compiled with CUDA enabled" (an AssertionError in
 * PyTorch; GE_ERROR_RUNTIME here, see ge_cuda_is_built()), "Found no NVIDIA
 * driver on your system. ...", "No CUDA GPUs are available", ... */
gboolean     ge_cuda_check_available        (GError     **error);

/* torch.cuda.manual_seed(): the seed of the CUDA generator (a Philox
 * 4x32-10 counter-based stream, see docs/engine.md); restarts the stream.
 * torch.manual_seed() should call it as well as ge_manual_seed(). */
void         ge_cuda_manual_seed            (guint64      seed);
/* torch.cuda.initial_seed() */
guint64      ge_cuda_initial_seed           (void);

/* torch.cuda.memory_allocated() / memory_reserved() / empty_cache():
 * bytes in live tensors, bytes held by the caching allocator (live and
 * cached), and giving the cached blocks back to the driver. */
guint64      ge_cuda_memory_allocated       (void);
guint64      ge_cuda_memory_reserved        (void);
void         ge_cuda_empty_cache            (void);

/* "cpu", "cuda" and "cuda:0" (other indices: "Invalid device id" as in
 * PyTorch when CUDA is there); anything else is PyTorch's "Expected one of
 * cpu, cuda, ... device type at start of device string: X". */
gboolean     ge_device_parse                (const char  *name,
                                             GeDevice    *device,
                                             GError     **error);
/* "cpu" or "cuda:0", as tensor.device prints */
const char  *ge_device_name                 (GeDevice     device);

/* tensor.to(device): @self itself (a new ref) when already there, else a
 * contiguous copy on @device.  Records ToCopyBackward0 when @self requires
 * grad, whose backward moves the gradient back. */
GeTensor    *ge_tensor_to_device            (GeTensor    *self,
                                             GeDevice     device,
                                             GError     **error);
/* tensor.cuda() and tensor.cpu() */
GeTensor    *ge_tensor_cuda                 (GeTensor    *self,
                                             GError     **error);
GeTensor    *ge_tensor_cpu                  (GeTensor    *self,
                                             GError     **error);

/* Creation with device=: empty/zeros/ones/full are made on @device
 * directly.  The other creation functions make CPU tensors; follow them with
 * ge_tensor_to_device() (what torch.tensor(data, device=...) does too). */
GeTensor    *ge_tensor_empty_on             (GeDevice      device,
                                             int           ndim,
                                             const gint64 *sizes,
                                             GeDType       dtype,
                                             GError      **error);
GeTensor    *ge_tensor_zeros_on             (GeDevice      device,
                                             int           ndim,
                                             const gint64 *sizes,
                                             GeDType       dtype,
                                             GError      **error);
GeTensor    *ge_tensor_ones_on              (GeDevice      device,
                                             int           ndim,
                                             const gint64 *sizes,
                                             GeDType       dtype,
                                             GError      **error);
GeTensor    *ge_tensor_full_on              (GeDevice      device,
                                             int           ndim,
                                             const gint64 *sizes,
                                             double        value,
                                             GeDType       dtype,
                                             GError      **error);
/* rand/randn with device=: on the CPU from @generator (NULL: the default
 * one) exactly as ge_tensor_rand(); on CUDA from the CUDA generator
 * (@generator is ignored), whose stream does not match the CPU's. */
GeTensor    *ge_tensor_rand_on              (GeDevice      device,
                                             int           ndim,
                                             const gint64 *sizes,
                                             GeDType       dtype,
                                             GeGenerator  *generator,
                                             GError      **error);
GeTensor    *ge_tensor_randn_on             (GeDevice      device,
                                             int           ndim,
                                             const gint64 *sizes,
                                             GeDType       dtype,
                                             GeGenerator  *generator,
                                             GError      **error);
/* tensor.uniform_() / normal_() on either device: ge_tensor_uniform_() and
 * ge_tensor_normal_() on the CPU, the CUDA generator on CUDA. */
gboolean     ge_tensor_uniform_any_         (GeTensor     *self,
                                             double        from,
                                             double        to,
                                             GeGenerator  *generator,
                                             GError      **error);
gboolean     ge_tensor_normal_any_          (GeTensor     *self,
                                             double        mean,
                                             double        std,
                                             GeGenerator  *generator,
                                             GError      **error);

G_END_DECLS
