/* ge-error.c - error domain, dtype facts and the interrupt flag */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "ge-tensor-private.h"

G_DEFINE_QUARK (ge-error-quark, ge_error)

gsize
ge_dtype_size (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return 1;
    case GE_DTYPE_INT64:   return 8;
    case GE_DTYPE_FLOAT32: return 4;
    case GE_DTYPE_FLOAT64: return 8;
    default:               g_return_val_if_reached (1);
    }
}

const char *
ge_dtype_name (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return "torch.bool";
    case GE_DTYPE_INT64:   return "torch.int64";
    case GE_DTYPE_FLOAT32: return "torch.float32";
    case GE_DTYPE_FLOAT64: return "torch.float64";
    default:               g_return_val_if_reached ("torch.unknown");
    }
}

const char *
ge_dtype_scalar_name (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return "Bool";
    case GE_DTYPE_INT64:   return "Long";
    case GE_DTYPE_FLOAT32: return "Float";
    case GE_DTYPE_FLOAT64: return "Double";
    default:               g_return_val_if_reached ("Unknown");
    }
}

gboolean
ge_dtype_is_floating (GeDType dtype)
{
  return dtype == GE_DTYPE_FLOAT32 || dtype == GE_DTYPE_FLOAT64;
}

GeDType
ge_dtype_promote (GeDType a,
                  GeDType b)
{
  /* The enum is ordered along PyTorch's lattice for these four types. */
  return MAX (a, b);
}

/* Set from signal handlers or other threads; read by long loops. */
static volatile gint interrupt_requested;

void
ge_request_interrupt (void)
{
  g_atomic_int_set (&interrupt_requested, 1);
}

gboolean
ge_check_interrupt (GError **error)
{
  if (G_LIKELY (!g_atomic_int_get (&interrupt_requested)))
    return TRUE;
  g_atomic_int_set (&interrupt_requested, 0);
  g_set_error_literal (error, GE_ERROR, GE_ERROR_INTERRUPTED, "");
  return FALSE;
}
