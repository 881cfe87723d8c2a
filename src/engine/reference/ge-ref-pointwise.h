/* ge-ref-pointwise.h - plain reference kernels for the pointwise ops */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/* Obviously-correct versions of the pointwise ops: one output element at a
 * time, broadcasting by multi-index arithmetic, math in double, result
 * rounded to @out_dtype.  The fast kernels are tested against these.
 * @op: "add" "sub" "mul" "div" "pow" "eq" "ne" "lt" "le" "gt" "ge"
 *      (binary), "neg" "exp" "log" "sin" "cos" "sqrt" "abs" "tanh"
 *      "sigmoid" "relu" (unary: @b is NULL). */
GeTensor *ge_ref_pointwise (const char *op,
                            GeTensor   *a,
                            GeTensor   *b,
                            GeDType     out_dtype);

G_END_DECLS
