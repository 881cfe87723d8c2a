/* ge-types.h - basic types of the Gradlab engine: dtypes, devices, errors */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The most dimensions a tensor may have (PyTorch allows 64; lessons use <= 4). */
#define GE_MAX_DIMS 16

/* Ordered by PyTorch's promotion lattice: bool < int64 < float32 < float64. */
typedef enum
{
  GE_DTYPE_BOOL,
  GE_DTYPE_INT64,
  GE_DTYPE_FLOAT32,
  GE_DTYPE_FLOAT64,
} GeDType;

#define GE_N_DTYPES 4

typedef enum
{
  GE_DEVICE_CPU,
  GE_DEVICE_CUDA,
} GeDevice;

/* Errors carry PyTorch's wording in the message; the code says which Python
 * exception the kernel should raise. */
#define GE_ERROR (ge_error_quark ())

typedef enum
{
  GE_ERROR_RUNTIME,        /* RuntimeError: shapes, views, linear algebra, autograd */
  GE_ERROR_INDEX,          /* IndexError: index or dimension out of range */
  GE_ERROR_TYPE,           /* TypeError: wrong kind of argument */
  GE_ERROR_VALUE,          /* ValueError: bad value (e.g. ragged nested data) */
  GE_ERROR_MEMORY,         /* MemoryError / allocator failure */
  GE_ERROR_NOT_IMPLEMENTED,/* NotImplementedError: not available in Gradlab yet */
  GE_ERROR_INTERRUPTED,    /* KeyboardInterrupt: ge_request_interrupt() was called */
  GE_ERROR_LINALG,         /* torch._C._LinAlgError (a RuntimeError): singular matrix */
} GeErrorCode;

GQuark       ge_error_quark        (void);

typedef struct _GeTensor GeTensor;
typedef struct _GeStorage GeStorage;

gsize        ge_dtype_size         (GeDType dtype);
/* "torch.float32" */
const char  *ge_dtype_name         (GeDType dtype);
/* "Float", "Double", "Long", "Bool": the names in "expected scalar type X" */
const char  *ge_dtype_scalar_name  (GeDType dtype);
gboolean     ge_dtype_is_floating  (GeDType dtype);
GeDType      ge_dtype_promote      (GeDType a,
                                    GeDType b);

/* Interrupts: long engine loops call ge_check_interrupt() and stop with
 * GE_ERROR_INTERRUPTED once ge_request_interrupt() was called (it is
 * async-signal-safe: a SIGINT handler may call it). */
void         ge_request_interrupt  (void);
gboolean     ge_check_interrupt    (GError **error);

G_END_DECLS
