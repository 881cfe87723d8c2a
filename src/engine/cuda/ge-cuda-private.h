/* ge-cuda-private.h - helpers shared by the backend's C files (with CUDA headers) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE for cudaSuccess, else FALSE with "CUDA error: <what the runtime says>"
 * (PyTorch's wording).  Clears the runtime's last error. */
gboolean ge_cuda_check (int       code,
                        GError  **error);

G_END_DECLS
