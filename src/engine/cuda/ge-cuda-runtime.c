/* ge-cuda-runtime.c - the CUDA runtime calls: devices, memory, copies */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <cuda_runtime_api.h>

#include "ge-cuda.h"
#include "ge-cuda-private.h"

/*
 * libcudart is linked dynamically and loads the driver (libcuda) itself on
 * the first call; without a driver that call fails with
 * cudaErrorInsufficientDriver and nothing else happens.  Every kernel and copy
 * goes to the legacy default stream, so they run in the order they were
 * issued and a synchronous copy waits for the kernels before it.
 */

gboolean
ge_cuda_check (int       code,
               GError  **error)
{
  if (code == cudaSuccess)
    return TRUE;
  /* a failed launch or allocation must not be reported again by the next check */
  cudaGetLastError ();
  g_set_error (error, GE_ERROR, code == cudaErrorMemoryAllocation ? GE_ERROR_MEMORY : GE_ERROR_RUNTIME,
               "CUDA error: %s", cudaGetErrorString ((cudaError_t) code));
  return FALSE;
}

gboolean
ge_cuda_backend_built (void)
{
  return TRUE;
}

gboolean
ge_cuda_backend_probe (int   *count,
                       int   *error_code,
                       char **error_text,
                       int   *driver_version)
{
  cudaError_t code;
  int n = 0, driver = 0;

  code = cudaGetDeviceCount (&n);
  cudaDriverGetVersion (&driver);
  *driver_version = driver;
  if (code != cudaSuccess)
    {
      *count = 0;
      *error_code = code;
      *error_text = g_strdup_printf ("%s: %s", cudaGetErrorName (code), cudaGetErrorString (code));
      cudaGetLastError ();
      return FALSE;
    }
  *count = n;
  *error_code = 0;
  *error_text = NULL;
  return TRUE;
}

char *
ge_cuda_backend_device_name (int device)
{
  struct cudaDeviceProp prop;

  if (cudaGetDeviceProperties (&prop, device) != cudaSuccess)
    {
      cudaGetLastError ();
      return g_strdup ("unknown CUDA device");
    }
  return g_strndup (prop.name, sizeof prop.name);
}

gboolean
ge_cuda_backend_memory_info (gsize *free_bytes,
                             gsize *total_bytes)
{
  size_t free_size = 0, total_size = 0;

  if (cudaMemGetInfo (&free_size, &total_size) != cudaSuccess)
    {
      cudaGetLastError ();
      *free_bytes = *total_bytes = 0;
      return FALSE;
    }
  *free_bytes = free_size;
  *total_bytes = total_size;
  return TRUE;
}

gboolean
ge_cuda_backend_synchronize (GError **error)
{
  return ge_cuda_check (cudaDeviceSynchronize (), error);
}

gpointer
ge_cuda_backend_malloc (gsize nbytes)
{
  void *ptr = NULL;

  if (cudaMalloc (&ptr, nbytes) != cudaSuccess)
    {
      cudaGetLastError ();
      return NULL;
    }
  return ptr;
}

void
ge_cuda_backend_free (gpointer ptr)
{
  if (ptr != NULL && cudaFree (ptr) != cudaSuccess)
    cudaGetLastError ();
}

gboolean
ge_cuda_backend_memcpy (gpointer        dst,
                        gconstpointer   src,
                        gsize           nbytes,
                        GeCudaCopyKind  kind,
                        GError        **error)
{
  enum cudaMemcpyKind cuda_kind;

  switch (kind)
    {
    case GE_CUDA_COPY_HOST_TO_DEVICE:   cuda_kind = cudaMemcpyHostToDevice; break;
    case GE_CUDA_COPY_DEVICE_TO_HOST:   cuda_kind = cudaMemcpyDeviceToHost; break;
    case GE_CUDA_COPY_DEVICE_TO_DEVICE: cuda_kind = cudaMemcpyDeviceToDevice; break;
    default:                            g_return_val_if_reached (FALSE);
    }
  if (nbytes == 0)
    return TRUE;
  return ge_cuda_check (cudaMemcpy (dst, src, nbytes, cuda_kind), error);
}

gboolean
ge_cuda_backend_memset_zero (gpointer   dst,
                             gsize      nbytes,
                             GError   **error)
{
  if (nbytes == 0)
    return TRUE;
  return ge_cuda_check (cudaMemset (dst, 0, nbytes), error);
}
