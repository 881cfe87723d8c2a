/* ge-print.h - PyTorch 1.13's repr of tensors */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

typedef struct
{
  /* torch.set_printoptions; zero fields mean PyTorch's defaults
   * (precision 4, threshold 1000, edgeitems 3, linewidth 80). */
  int         precision;
  gint64      threshold;
  int         edgeitems;
  int         linewidth;
  /* Suffixes that come from autograd: grad_fn=<name> wins over
   * requires_grad=True. */
  const char *grad_fn_name;
  gboolean    requires_grad;
  /* Prefix "Parameter containing:\n". */
  gboolean    is_parameter;
} GeReprOptions;

/* repr(tensor), exactly as PyTorch 1.13 prints it. @options may be NULL. */
char *ge_tensor_repr (const GeTensor      *self,
                      const GeReprOptions *options);

G_END_DECLS
