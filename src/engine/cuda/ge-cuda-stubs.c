/* ge-cuda-stubs.c - the CUDA backend's entry points in a build without it */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "ge-cuda.h"

/*
 * Built instead of the backend when meson did not find nvcc (or -Dcuda=
 * disabled).  ge_cuda_is_available() is then FALSE, so no tensor can be on
 * CUDA and the kernels below are never reached; they fail like PyTorch
 * without CUDA all the same.
 */

#define NOT_COMPILED "Torch not compiled with CUDA enabled"

static void
set_not_compiled (GError **error)
{
  g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, NOT_COMPILED);
}

gboolean
ge_cuda_backend_built (void)
{
  return FALSE;
}

gboolean
ge_cuda_backend_probe (int   *count,
                       int   *error_code,
                       char **error_text,
                       int   *driver_version)
{
  *count = 0;
  *error_code = 0;
  *error_text = g_strdup (NOT_COMPILED);
  *driver_version = 0;
  return FALSE;
}

char *
ge_cuda_backend_device_name (int device)
{
  return NULL;
}

gboolean
ge_cuda_backend_memory_info (gsize *free_bytes,
                             gsize *total_bytes)
{
  *free_bytes = *total_bytes = 0;
  return FALSE;
}

gboolean
ge_cuda_backend_synchronize (GError **error)
{
  set_not_compiled (error);
  return FALSE;
}

gpointer
ge_cuda_backend_malloc (gsize nbytes)
{
  return NULL;
}

void
ge_cuda_backend_free (gpointer ptr)
{
}

gboolean
ge_cuda_backend_memcpy (gpointer        dst,
                        gconstpointer   src,
                        gsize           nbytes,
                        GeCudaCopyKind  kind,
                        GError        **error)
{
  set_not_compiled (error);
  return FALSE;
}

gboolean
ge_cuda_backend_memset_zero (gpointer   dst,
                             gsize      nbytes,
                             GError   **error)
{
  set_not_compiled (error);
  return FALSE;
}

gboolean
ge_cuda_pointwise (GeCudaOp             op,
                   GeDType              dtype,
                   int                  n_operands,
                   GeTensor           **operands,
                   int                  ndim,
                   const gint64        *sizes,
                   const GeCudaParams  *params,
                   GError             **error)
{
  set_not_compiled (error);
  return FALSE;
}

GeTensor *
ge_cuda_sum_reduced (GeTensor       *self,
                     const gboolean *reduced,
                     int             out_ndim,
                     const gint64   *out_sizes,
                     gboolean        mean,
                     GError        **error)
{
  set_not_compiled (error);
  return NULL;
}

GeTensor *
ge_cuda_extremum_all (GeTensor  *self,
                      gboolean   is_max,
                      GError   **error)
{
  set_not_compiled (error);
  return NULL;
}

gboolean
ge_cuda_arg_reduce (GeTensor        *self,
                    const gboolean  *reduced,
                    gboolean         is_max,
                    int              out_ndim,
                    const gint64    *out_sizes,
                    GeTensor       **values,
                    GeTensor       **indices,
                    GError         **error)
{
  set_not_compiled (error);
  return FALSE;
}

gboolean
ge_cuda_matmul (const GeMatmulProblem  *p,
                GeTensor               *out,
                GError                **error)
{
  set_not_compiled (error);
  return FALSE;
}

gboolean
ge_cuda_random_fill (GeTensor  *self,
                     gboolean   normal,
                     double     a,
                     double     b,
                     guint64    seed,
                     guint64    offset,
                     GError   **error)
{
  set_not_compiled (error);
  return FALSE;
}
