/* ge-pointwise.c - elementwise ops with broadcasting and type promotion */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-device-private.h"
#include "ge-math.h"
#include "ge-tensor-private.h"
#include "ge-ops-private.h"

/*
 * Every op follows the same path: PyTorch's result type over the operands,
 * the broadcast shape, operands converted to the computation dtype (a copy
 * only when the dtype differs), then one strided inner loop per (op, dtype)
 * run by ge_iter.  The loops special-case contiguous and scalar-broadcast
 * operands so that the compiler vectorises them.
 */

typedef enum
{
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_POW,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  N_BINARY_OPS
} BinaryOp;

static const char *binary_op_names[N_BINARY_OPS] = {
  "add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge",
};

#define DEFINE_BINARY_LOOP(name, T, OT, EXPR)                                        \
GE_SIMD_CLONES static void                                                           \
name (char **data, const gint64 *strides, gint64 n, gpointer user_data)              \
{                                                                                    \
  char *out = data[0], *x = data[1], *y = data[2];                                   \
  const gint64 so = strides[0], sx = strides[1], sy = strides[2];                    \
  if (so == sizeof (OT) && sx == sizeof (T) && sy == sizeof (T))                     \
    {                                                                                \
      OT *o = (OT *) out; const T *xa = (const T *) x, *ya = (const T *) y;         \
      for (gint64 i = 0; i < n; i++)                                                 \
        { T a = xa[i], b = ya[i]; o[i] = (OT) (EXPR); }                              \
    }                                                                                \
  else if (so == sizeof (OT) && sx == sizeof (T) && sy == 0)                         \
    {                                                                                \
      OT *o = (OT *) out; const T *xa = (const T *) x; const T b = *(const T *) y;  \
      for (gint64 i = 0; i < n; i++)                                                 \
        { T a = xa[i]; o[i] = (OT) (EXPR); }                                         \
    }                                                                                \
  else if (so == sizeof (OT) && sx == 0 && sy == sizeof (T))                         \
    {                                                                                \
      OT *o = (OT *) out; const T a = *(const T *) x; const T *ya = (const T *) y;  \
      for (gint64 i = 0; i < n; i++)                                                 \
        { T b = ya[i]; o[i] = (OT) (EXPR); }                                         \
    }                                                                                \
  else                                                                               \
    for (gint64 i = 0; i < n; i++)                                                   \
      {                                                                              \
        T a = *(const T *) (x + i * sx), b = *(const T *) (y + i * sy);              \
        *(OT *) (out + i * so) = (OT) (EXPR);                                        \
      }                                                                              \
}

#define DEFINE_ARITH_LOOPS(suffix, T)                                                \
  DEFINE_BINARY_LOOP (add_##suffix, T, T, ge_math_add_##suffix (a, b))               \
  DEFINE_BINARY_LOOP (sub_##suffix, T, T, ge_math_sub_##suffix (a, b))               \
  DEFINE_BINARY_LOOP (mul_##suffix, T, T, ge_math_mul_##suffix (a, b))

#define DEFINE_COMPARE_LOOPS(suffix, T)                                              \
  DEFINE_BINARY_LOOP (eq_##suffix, T, guint8, a == b)                                \
  DEFINE_BINARY_LOOP (ne_##suffix, T, guint8, a != b)                                \
  DEFINE_BINARY_LOOP (lt_##suffix, T, guint8, a < b)                                 \
  DEFINE_BINARY_LOOP (le_##suffix, T, guint8, a <= b)                                \
  DEFINE_BINARY_LOOP (gt_##suffix, T, guint8, a > b)                                 \
  DEFINE_BINARY_LOOP (ge_##suffix, T, guint8, a >= b)

DEFINE_ARITH_LOOPS (f32, float)
DEFINE_ARITH_LOOPS (f64, double)
DEFINE_ARITH_LOOPS (i64, gint64)
DEFINE_BINARY_LOOP (div_f32, float, float, ge_math_div_f32 (a, b))
DEFINE_BINARY_LOOP (div_f64, double, double, ge_math_div_f64 (a, b))
DEFINE_BINARY_LOOP (pow_f32, float, float, ge_math_pow_f32 (a, b))
DEFINE_BINARY_LOOP (pow_f64, double, double, ge_math_pow_f64 (a, b))
DEFINE_BINARY_LOOP (pow_i64, gint64, gint64, ge_math_pow_i64 (a, b))
/* bool arithmetic is logical, as in PyTorch: True + True is True. */
DEFINE_BINARY_LOOP (add_b8, guint8, guint8, a | b)
DEFINE_BINARY_LOOP (mul_b8, guint8, guint8, a & b)
DEFINE_COMPARE_LOOPS (f32, float)
DEFINE_COMPARE_LOOPS (f64, double)
DEFINE_COMPARE_LOOPS (i64, gint64)
DEFINE_COMPARE_LOOPS (b8, guint8)

/* [op][dtype] with dtype in GeDType order: bool, int64, float32, float64 */
static const GeIterLoop binary_loops[N_BINARY_OPS][GE_N_DTYPES] = {
  [OP_ADD] = { add_b8, add_i64, add_f32, add_f64 },
  [OP_SUB] = { NULL,   sub_i64, sub_f32, sub_f64 },
  [OP_MUL] = { mul_b8, mul_i64, mul_f32, mul_f64 },
  [OP_DIV] = { NULL,   NULL,    div_f32, div_f64 },
  [OP_POW] = { NULL,   pow_i64, pow_f32, pow_f64 },
  [OP_EQ]  = { eq_b8,  eq_i64,  eq_f32,  eq_f64 },
  [OP_NE]  = { ne_b8,  ne_i64,  ne_f32,  ne_f64 },
  [OP_LT]  = { lt_b8,  lt_i64,  lt_f32,  lt_f64 },
  [OP_LE]  = { le_b8,  le_i64,  le_f32,  le_f64 },
  [OP_GT]  = { gt_b8,  gt_i64,  gt_f32,  gt_f64 },
  [OP_GE]  = { ge_b8,  ge_i64,  ge_f32,  ge_f64 },
};

/* ---- unary loops; user_data points at the op's parameters ---- */

/* lo, hi (float bounds or pow's exponent), int_lo, int_hi; shared with the
 * CUDA kernels */
typedef GeCudaParams UnaryParams;

#define DEFINE_UNARY_LOOP(name, T, EXPR)                                             \
GE_SIMD_CLONES static void                                                           \
name (char **data, const gint64 *strides, gint64 n, gpointer user_data)              \
{                                                                                    \
  const UnaryParams *params = user_data;                                             \
  char *out = data[0], *x = data[1];                                                 \
  const gint64 so = strides[0], sx = strides[1];                                     \
  (void) params;                                                                     \
  if (so == sizeof (T) && sx == sizeof (T))                                          \
    {                                                                                \
      T *o = (T *) out; const T *xa = (const T *) x;                                \
      for (gint64 i = 0; i < n; i++)                                                 \
        { T a = xa[i]; o[i] = (EXPR); }                                              \
    }                                                                                \
  else                                                                               \
    for (gint64 i = 0; i < n; i++)                                                   \
      {                                                                              \
        T a = *(const T *) (x + i * sx);                                             \
        *(T *) (out + i * so) = (EXPR);                                              \
      }                                                                              \
}

#define DEFINE_FLOAT_UNARY_LOOPS(op)                                                 \
  DEFINE_UNARY_LOOP (op##_f32, float, ge_math_##op##_f32 (a))                        \
  DEFINE_UNARY_LOOP (op##_f64, double, ge_math_##op##_f64 (a))

DEFINE_FLOAT_UNARY_LOOPS (neg)
DEFINE_FLOAT_UNARY_LOOPS (exp)
DEFINE_FLOAT_UNARY_LOOPS (log)
DEFINE_FLOAT_UNARY_LOOPS (sin)
DEFINE_FLOAT_UNARY_LOOPS (cos)
DEFINE_FLOAT_UNARY_LOOPS (sqrt)
DEFINE_FLOAT_UNARY_LOOPS (abs)
DEFINE_FLOAT_UNARY_LOOPS (tanh)
DEFINE_FLOAT_UNARY_LOOPS (sigmoid)
DEFINE_FLOAT_UNARY_LOOPS (relu)
DEFINE_UNARY_LOOP (neg_i64, gint64, ge_math_neg_i64 (a))
DEFINE_UNARY_LOOP (abs_i64, gint64, ge_math_abs_i64 (a))
DEFINE_UNARY_LOOP (relu_i64, gint64, ge_math_relu_i64 (a))
DEFINE_UNARY_LOOP (clamp_f32, float, ge_math_clamp_f32 (a, (float) params->lo, (float) params->hi))
DEFINE_UNARY_LOOP (clamp_f64, double, ge_math_clamp_f64 (a, params->lo, params->hi))
DEFINE_UNARY_LOOP (clamp_i64, gint64, ge_math_clamp_i64 (a, params->int_lo, params->int_hi))
/* pow with a Python-number exponent: pick the special case once per loop,
 * not per element (same results as ge_math_pow_scalar_*). */
DEFINE_UNARY_LOOP (pow_generic_f32, float, ge_math_pow_scalar_f32 (a, params->lo))
DEFINE_UNARY_LOOP (pow_generic_f64, double, ge_math_pow_scalar_f64 (a, params->lo))
DEFINE_UNARY_LOOP (square_f32, float, a * a)
DEFINE_UNARY_LOOP (square_f64, double, a * a)
DEFINE_UNARY_LOOP (cube_f32, float, a * a * a)
DEFINE_UNARY_LOOP (cube_f64, double, a * a * a)
DEFINE_UNARY_LOOP (identity_f32, float, a)
DEFINE_UNARY_LOOP (identity_f64, double, a)

static void
pow_scalar_f32 (char **data, const gint64 *strides, gint64 n, gpointer user_data)
{
  const UnaryParams *params = user_data;
  GeIterLoop loop = params->lo == 2.0 ? square_f32 : params->lo == 3.0 ? cube_f32
                  : params->lo == 1.0 ? identity_f32 : pow_generic_f32;
  loop (data, strides, n, user_data);
}

static void
pow_scalar_f64 (char **data, const gint64 *strides, gint64 n, gpointer user_data)
{
  const UnaryParams *params = user_data;
  GeIterLoop loop = params->lo == 2.0 ? square_f64 : params->lo == 3.0 ? cube_f64
                  : params->lo == 1.0 ? identity_f64 : pow_generic_f64;
  loop (data, strides, n, user_data);
}

typedef enum
{
  UNARY_NEG, UNARY_EXP, UNARY_LOG, UNARY_SIN, UNARY_COS, UNARY_SQRT, UNARY_ABS,
  UNARY_TANH, UNARY_SIGMOID, UNARY_RELU, UNARY_CLAMP, UNARY_POW_SCALAR,
  N_UNARY_OPS
} UnaryOp;

/* The CUDA kernels number the ops the same way (GE_CUDA_OP_ADD + op). */
G_STATIC_ASSERT (GE_CUDA_OP_GE - GE_CUDA_OP_ADD == OP_GE - OP_ADD);
G_STATIC_ASSERT (GE_CUDA_OP_POW_SCALAR - GE_CUDA_OP_NEG == UNARY_POW_SCALAR - UNARY_NEG);

typedef struct
{
  const char *name;
  /* int and bool inputs are computed in float32 (exp, sin, ...) */
  gboolean    to_float;
  GeIterLoop  loops[GE_N_DTYPES];
} UnaryOpInfo;

static const UnaryOpInfo unary_ops[N_UNARY_OPS] = {
  [UNARY_NEG]        = { "neg",     FALSE, { NULL, neg_i64,  neg_f32,  neg_f64 } },
  [UNARY_EXP]        = { "exp",     TRUE,  { NULL, NULL, exp_f32,  exp_f64 } },
  [UNARY_LOG]        = { "log",     TRUE,  { NULL, NULL, log_f32,  log_f64 } },
  [UNARY_SIN]        = { "sin",     TRUE,  { NULL, NULL, sin_f32,  sin_f64 } },
  [UNARY_COS]        = { "cos",     TRUE,  { NULL, NULL, cos_f32,  cos_f64 } },
  [UNARY_SQRT]       = { "sqrt",    TRUE,  { NULL, NULL, sqrt_f32, sqrt_f64 } },
  [UNARY_ABS]        = { "abs",     FALSE, { NULL, abs_i64,  abs_f32,  abs_f64 } },
  [UNARY_TANH]       = { "tanh",    TRUE,  { NULL, NULL, tanh_f32, tanh_f64 } },
  [UNARY_SIGMOID]    = { "sigmoid", TRUE,  { NULL, NULL, sigmoid_f32, sigmoid_f64 } },
  [UNARY_RELU]       = { "relu",    FALSE, { NULL, relu_i64, relu_f32, relu_f64 } },
  [UNARY_CLAMP]      = { "clamp",   FALSE, { NULL, clamp_i64, clamp_f32, clamp_f64 } },
  [UNARY_POW_SCALAR] = { "pow",     FALSE, { NULL, NULL, pow_scalar_f32, pow_scalar_f64 } },
};

/* ---- helpers ---- */

/* The op's device: all operands on one, except CPU scalars (Python
 * numbers), which go with any; else PyTorch's "Expected all tensors to be on
 * the same device, ..." error. */
static gboolean
check_devices (GeTensor  *a,
               GeTensor  *b,
               GeTensor  *c,
               GeDevice  *device,
               GError   **error)
{
  GeTensor *operands[3] = { a, b, c };

  return ge_device_check_same (3, operands, TRUE, device, error);
}

/* @out, or NULL (dropping @out) when its CUDA kernel failed. */
static GeTensor *
cuda_result (GeTensor *out,
             gboolean  ok)
{
  if (!ok)
    g_clear_pointer (&out, ge_tensor_unref);
  return out;
}

static void
not_implemented (GError     **error,
                 const char  *op,
                 GeDType      dtype)
{
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
               "\"%s_cpu\" not implemented for '%s'", op, ge_dtype_scalar_name (dtype));
}

/* @t itself (new ref) when it has @dtype, else a converted contiguous copy.
 * A converted wrapped number stays wrapped. */
static GeTensor *
convert (GeTensor  *t,
         GeDType    dtype,
         GError   **error)
{
  GeTensor *copy;

  if (t->dtype == dtype)
    return ge_tensor_ref (t);
  copy = ge_tensor_new_contiguous_on (ge_tensor_get_device (t), t->ndim, t->sizes, dtype, error);
  if (copy == NULL)
    return NULL;
  if (!ge_op_copy_ (copy, t, error))
    {
      ge_tensor_unref (copy);
      return NULL;
    }
  copy->is_wrapped_number = t->is_wrapped_number;
  return copy;
}

static gboolean
is_comparison (BinaryOp op)
{
  return op >= OP_EQ && op <= OP_GE;
}

/* Computation dtype of a binary op, or FALSE with PyTorch's error. */
static gboolean
binary_dtypes (BinaryOp   op,
               GeTensor  *a,
               GeTensor  *b,
               GeDType   *compute,
               GeDType   *out,
               GError   **error)
{
  GeTensor *operands[2] = { a, b };
  GeDType common = ge_result_type (2, operands);

  if (op == OP_SUB && a->dtype == GE_DTYPE_BOOL && b->dtype == GE_DTYPE_BOOL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.");
      return FALSE;
    }
  if (op == OP_SUB && (a->dtype == GE_DTYPE_BOOL || b->dtype == GE_DTYPE_BOOL))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.");
      return FALSE;
    }
  if (op == OP_POW && common == GE_DTYPE_BOOL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "\"pow\" not implemented for 'Bool'");
      return FALSE;
    }
  if (op == OP_DIV && !ge_dtype_is_floating (common))
    common = GE_DTYPE_FLOAT32;

  *compute = common;
  *out = is_comparison (op) ? GE_DTYPE_BOOL : common;
  return TRUE;
}

/* Integers to negative integer powers are an error in PyTorch. */
static gboolean
check_integer_exponent (GeTensor  *exponent,
                        GError   **error)
{
  gint64 n = ge_tensor_numel (exponent);
  /* read on the host (the tensor itself when it is there) */
  g_autoptr(GeTensor) host = ge_device_move (exponent, GE_DEVICE_CPU, error);

  if (host == NULL)
    return FALSE;
  for (gint64 i = 0; i < n; i++)
    if (ge_tensor_get_flat (host, i) < 0)
      {
        g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                             "Integers to negative integer powers are not allowed.");
        return FALSE;
      }
  return TRUE;
}

static GeTensor *unary_op (UnaryOp op, GeTensor *self, const UnaryParams *params,
                           GeDType out_dtype, GError **error);

static GeTensor *
binary_op (BinaryOp   op,
           GeTensor  *a,
           GeTensor  *b,
           GError   **error)
{
  g_autoptr(GeTensor) ca = NULL;
  g_autoptr(GeTensor) cb = NULL;
  GeTensor *operands[3];
  GeTensor *out;
  gint64 sizes[GE_MAX_DIMS];
  GeDType compute, out_dtype;
  GeIterLoop loop;
  GeIter iter;
  GeDevice device;
  int ndim;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);

  if (!check_devices (a, b, NULL, &device, error))
    return NULL;
  if (!binary_dtypes (op, a, b, &compute, &out_dtype, error))
    return NULL;
  if (!ge_broadcast_shapes (a->ndim, a->sizes, b->ndim, b->sizes, &ndim, sizes, error))
    return NULL;

  loop = binary_loops[op][compute];
  if (loop == NULL)
    {
      not_implemented (error, binary_op_names[op], compute);
      return NULL;
    }

  /* x ** 2 with a Python number: ATen's scalar-exponent kernel. */
  if (op == OP_POW && b->is_wrapped_number && ge_dtype_is_floating (compute))
    {
      UnaryParams params = { ge_tensor_get_flat (b, 0), 0, 0, 0 };
      g_autoptr(GeTensor) base = convert (a, compute, error);
      if (base == NULL)
        return NULL;
      return unary_op (UNARY_POW_SCALAR, base, &params, compute, error);
    }
  if (op == OP_POW && compute == GE_DTYPE_INT64 && !check_integer_exponent (b, error))
    return NULL;

  if ((ca = convert (a, compute, error)) == NULL ||
      (cb = convert (b, compute, error)) == NULL)
    return NULL;

  out = ge_tensor_new_contiguous_on (device, ndim, sizes, out_dtype, error);
  if (out == NULL)
    return NULL;
  operands[0] = out, operands[1] = ca, operands[2] = cb;
  if (device == GE_DEVICE_CUDA)
    return cuda_result (out, ge_cuda_pointwise (GE_CUDA_OP_ADD + op, compute, 3, operands,
                                                ndim, sizes, NULL, error));
  ge_iter_init (&iter, ndim, sizes, 3, operands);
  ge_iter_run (&iter, loop, NULL);
  return out;
}

static gboolean
can_cast (GeDType from,
          GeDType to)
{
  if (ge_dtype_is_floating (from) && !ge_dtype_is_floating (to))
    return FALSE;
  if (from == GE_DTYPE_INT64 && to == GE_DTYPE_BOOL)
    return FALSE;
  return TRUE;
}

static gboolean
check_cast (GeDType   result,
            GeDType   self_dtype,
            GError  **error)
{
  if (can_cast (result, self_dtype))
    return TRUE;
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
               "result type %s can't be cast to the desired output type %s",
               ge_dtype_scalar_name (result), ge_dtype_scalar_name (self_dtype));
  return FALSE;
}

/* In-place ops write the broadcast result into @self, whose shape must be the
 * broadcast shape. */
static gboolean
check_inplace_shape (GeTensor  *self,
                     GeTensor  *other,
                     GError   **error)
{
  gint64 sizes[GE_MAX_DIMS];
  int ndim;

  if (!ge_broadcast_shapes (self->ndim, self->sizes, other->ndim, other->sizes, &ndim, sizes, error))
    return FALSE;
  if (ndim != self->ndim || memcmp (sizes, self->sizes, sizeof (gint64) * ndim) != 0)
    {
      g_autofree char *s = ge_shape_to_string (self->sizes, self->ndim);
      g_autofree char *b = ge_shape_to_string (sizes, ndim);
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "output with shape %s doesn't match the broadcast shape %s", s, b);
      return FALSE;
    }
  return TRUE;
}

/* PyTorch's memory-overlap rules for in-place writes (MemoryOverlap.cpp). */
static gboolean
is_non_overlapping_and_dense (const GeTensor *t)
{
  int order[GE_MAX_DIMS];
  gint64 expected = 1;

  /* dims by increasing stride must tile memory exactly */
  for (int d = 0; d < t->ndim; d++)
    order[d] = d;
  for (int i = 0; i < t->ndim; i++)
    for (int j = i + 1; j < t->ndim; j++)
      if (t->strides[order[j]] < t->strides[order[i]])
        {
          int tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
        }
  for (int i = 0; i < t->ndim; i++)
    {
      int d = order[i];
      if (t->sizes[d] == 1)
        continue;
      if (t->strides[d] != expected)
        return FALSE;
      expected *= t->sizes[d];
    }
  return TRUE;
}

static gboolean
check_no_internal_overlap (GeTensor  *self,
                           GError   **error)
{
  for (int d = 0; d < self->ndim; d++)
    if (self->strides[d] == 0 && self->sizes[d] > 1)
      {
        g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                             "unsupported operation: more than one element of the written-to "
                             "tensor refers to a single memory location. Please clone() the "
                             "tensor before performing the operation.");
        return FALSE;
      }
  return TRUE;
}

/* Partial overlap between what is written and what is read is an error;
 * full overlap (the same view) is fine; non-dense layouts are "too hard"
 * and pass, as in PyTorch. */
static gboolean
check_no_partial_overlap (GeTensor  *self,
                          GeTensor  *other,
                          GError   **error)
{
  gsize es = ge_dtype_size (self->dtype), eo = ge_dtype_size (other->dtype);
  const char *a0, *a1, *b0, *b1;

  if (self->storage != other->storage || ge_tensor_numel (self) == 0 || ge_tensor_numel (other) == 0)
    return TRUE;
  if (!is_non_overlapping_and_dense (self) || !is_non_overlapping_and_dense (other))
    return TRUE;
  a0 = ge_tensor_data_ptr (self), a1 = a0 + ge_tensor_numel (self) * es;
  b0 = ge_tensor_data_ptr (other), b1 = b0 + ge_tensor_numel (other) * eo;
  if (a0 == b0 && self->ndim == other->ndim && es == eo &&
      memcmp (self->sizes, other->sizes, sizeof (gint64) * self->ndim) == 0 &&
      memcmp (self->strides, other->strides, sizeof (gint64) * self->ndim) == 0)
    return TRUE;
  if (a0 < b1 && b0 < a1)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please clone() "
                           "the tensor before performing the operation.");
      return FALSE;
    }
  return TRUE;
}

/* The checks every in-place write makes before touching memory. */
static GeTensor *
unalias (GeTensor  *self,
         GeTensor  *other,
         GError   **error)
{
  if (!check_no_internal_overlap (self, error) || !check_no_partial_overlap (self, other, error))
    return NULL;
  return ge_tensor_ref (other);
}

static gboolean
binary_op_ (BinaryOp   op,
            GeTensor  *self,
            GeTensor  *other,
            GError   **error)
{
  g_autoptr(GeTensor) safe = NULL;
  g_autoptr(GeTensor) cother = NULL;
  GeTensor *operands[3];
  GeDType compute, out_dtype;
  GeIter iter;
  GeDevice device;

  g_return_val_if_fail (self != NULL && other != NULL, FALSE);

  if (!check_devices (self, other, NULL, &device, error) ||
      !ge_device_check_output (self, device, error))
    return FALSE;
  if (!binary_dtypes (op, self, other, &compute, &out_dtype, error))
    return FALSE;
  if (!check_cast (out_dtype, self->dtype, error))
    return FALSE;
  if (!check_inplace_shape (self, other, error))
    return FALSE;
  if ((safe = unalias (self, other, error)) == NULL)
    return FALSE;

  if (compute != self->dtype || binary_loops[op][compute] == NULL)
    {
      /* Compute in the wider dtype, then store converted. */
      g_autoptr(GeTensor) result = binary_op (op, self, safe, error);
      return result != NULL && ge_op_copy_ (self, result, error);
    }

  if ((cother = convert (safe, compute, error)) == NULL)
    return FALSE;
  operands[0] = self, operands[1] = self, operands[2] = cother;
  if (device == GE_DEVICE_CUDA)
    {
      if (!ge_cuda_pointwise (GE_CUDA_OP_ADD + op, compute, 3, operands, self->ndim, self->sizes,
                              NULL, error))
        return FALSE;
      ge_tensor_bump_version (self);
      return TRUE;
    }
  ge_iter_init (&iter, self->ndim, self->sizes, 3, operands);
  ge_iter_run (&iter, binary_loops[op][compute], NULL);
  ge_tensor_bump_version (self);
  return TRUE;
}

/* Runs @op on @self (already of a dtype the op has a loop for) into a new
 * tensor of @out_dtype (== the loop dtype). */
static GeTensor *
unary_op (UnaryOp             op,
          GeTensor           *self,
          const UnaryParams  *params,
          GeDType             out_dtype,
          GError            **error)
{
  GeTensor *operands[2];
  GeTensor *out;
  GeIter iter;

  out = ge_tensor_new_contiguous_on (ge_tensor_get_device (self), self->ndim, self->sizes,
                                     out_dtype, error);
  if (out == NULL)
    return NULL;
  operands[0] = out, operands[1] = self;
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    return cuda_result (out, ge_cuda_pointwise (GE_CUDA_OP_NEG + op, out_dtype, 2, operands,
                                                self->ndim, self->sizes, params, error));
  ge_iter_init (&iter, self->ndim, self->sizes, 2, operands);
  ge_iter_run (&iter, unary_ops[op].loops[out_dtype], (gpointer) params);
  return out;
}

static GeTensor *
unary (UnaryOp    op,
       GeTensor  *self,
       GError   **error)
{
  const UnaryOpInfo *info = &unary_ops[op];
  g_autoptr(GeTensor) input = NULL;
  GeDType dtype;

  g_return_val_if_fail (self != NULL, NULL);

  if (op == UNARY_NEG && self->dtype == GE_DTYPE_BOOL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "Negation, the `-` operator, on a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.");
      return NULL;
    }

  if (op == UNARY_RELU && self->dtype == GE_DTYPE_BOOL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "Boolean inputs not supported for relu");
      return NULL;
    }

  dtype = self->dtype;
  if (info->to_float && !ge_dtype_is_floating (dtype))
    dtype = GE_DTYPE_FLOAT32;
  if (info->loops[dtype] == NULL)
    {
      not_implemented (error, info->name, dtype);
      return NULL;
    }
  if ((input = convert (self, dtype, error)) == NULL)
    return NULL;
  return unary_op (op, input, NULL, dtype, error);
}

/* ---- public API ---- */

GeTensor *ge_op_add (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_ADD, a, b, error); }
GeTensor *ge_op_sub (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_SUB, a, b, error); }
GeTensor *ge_op_mul (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_MUL, a, b, error); }
GeTensor *ge_op_div (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_DIV, a, b, error); }
GeTensor *ge_op_pow (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_POW, a, b, error); }
GeTensor *ge_op_eq (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_EQ, a, b, error); }
GeTensor *ge_op_ne (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_NE, a, b, error); }
GeTensor *ge_op_lt (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_LT, a, b, error); }
GeTensor *ge_op_le (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_LE, a, b, error); }
GeTensor *ge_op_gt (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_GT, a, b, error); }
GeTensor *ge_op_ge (GeTensor *a, GeTensor *b, GError **error) { return binary_op (OP_GE, a, b, error); }

GeTensor *ge_op_neg (GeTensor *self, GError **error) { return unary (UNARY_NEG, self, error); }
GeTensor *ge_op_exp (GeTensor *self, GError **error) { return unary (UNARY_EXP, self, error); }
GeTensor *ge_op_log (GeTensor *self, GError **error) { return unary (UNARY_LOG, self, error); }
GeTensor *ge_op_sin (GeTensor *self, GError **error) { return unary (UNARY_SIN, self, error); }
GeTensor *ge_op_cos (GeTensor *self, GError **error) { return unary (UNARY_COS, self, error); }
GeTensor *ge_op_sqrt (GeTensor *self, GError **error) { return unary (UNARY_SQRT, self, error); }
GeTensor *ge_op_abs (GeTensor *self, GError **error) { return unary (UNARY_ABS, self, error); }
GeTensor *ge_op_tanh (GeTensor *self, GError **error) { return unary (UNARY_TANH, self, error); }
GeTensor *ge_op_sigmoid (GeTensor *self, GError **error) { return unary (UNARY_SIGMOID, self, error); }
GeTensor *ge_op_relu (GeTensor *self, GError **error) { return unary (UNARY_RELU, self, error); }

gboolean ge_op_add_ (GeTensor *self, GeTensor *other, GError **error) { return binary_op_ (OP_ADD, self, other, error); }
gboolean ge_op_sub_ (GeTensor *self, GeTensor *other, GError **error) { return binary_op_ (OP_SUB, self, other, error); }
gboolean ge_op_mul_ (GeTensor *self, GeTensor *other, GError **error) { return binary_op_ (OP_MUL, self, other, error); }
gboolean ge_op_div_ (GeTensor *self, GeTensor *other, GError **error) { return binary_op_ (OP_DIV, self, other, error); }

static gint64
bound_as_int (GeTensor *bound)
{
  if (bound->dtype == GE_DTYPE_INT64 && ge_tensor_get_device (bound) == GE_DEVICE_CPU)
    return *(gint64 *) ge_tensor_data_ptr (bound);
  return (gint64) ge_tensor_get_flat (bound, 0);
}

/* clamp's result dtype is PyTorch's result type over the tensor and its
 * bounds: clamp(int_tensor, 0.5) is float32, clamp(int_tensor, 0) int64. */
static gboolean
clamp_setup (GeTensor     *self,
             GeTensor     *min,
             GeTensor     *max,
             UnaryParams  *params,
             GeDType      *dtype,
             GError      **error)
{
  GeTensor *operands[3] = { self, NULL, NULL };
  int n = 1;

  if (min == NULL && max == NULL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "torch.clamp: At least one of 'min' or 'max' must not be None");
      return FALSE;
    }
  if ((min != NULL && ge_tensor_numel (min) != 1) || (max != NULL && ge_tensor_numel (max) != 1))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
                           "torch.clamp with tensor bounds is not available in Gradlab yet");
      return FALSE;
    }
  if (min != NULL)
    operands[n++] = min;
  if (max != NULL)
    operands[n++] = max;
  *dtype = ge_result_type (n, operands);
  if (*dtype == GE_DTYPE_BOOL)
    {
      not_implemented (error, "clamp", *dtype);
      return FALSE;
    }

  if (*dtype == GE_DTYPE_INT64)
    {
      params->int_lo = min ? bound_as_int (min) : G_MININT64;
      params->int_hi = max ? bound_as_int (max) : G_MAXINT64;
    }
  else
    {
      params->lo = min ? ge_tensor_get_flat (min, 0) : -INFINITY;
      params->hi = max ? ge_tensor_get_flat (max, 0) : INFINITY;
    }
  return TRUE;
}

GeTensor *
ge_op_clamp (GeTensor  *self,
                 GeTensor  *min,
                 GeTensor  *max,
                 GError   **error)
{
  g_autoptr(GeTensor) input = NULL;
  UnaryParams params;
  GeDType dtype;

  g_return_val_if_fail (self != NULL, NULL);

  if (!clamp_setup (self, min, max, &params, &dtype, error))
    return NULL;
  if ((input = convert (self, dtype, error)) == NULL)
    return NULL;
  return unary_op (UNARY_CLAMP, input, &params, dtype, error);
}

gboolean
ge_op_clamp_ (GeTensor  *self,
                  GeTensor  *min,
                  GeTensor  *max,
                  GError   **error)
{
  g_autoptr(GeTensor) result = NULL;
  GeTensor *operands[2];
  UnaryParams params;
  GeDType dtype;
  GeIter iter;

  g_return_val_if_fail (self != NULL, FALSE);

  if (!clamp_setup (self, min, max, &params, &dtype, error))
    return FALSE;
  if (!check_cast (dtype, self->dtype, error))
    return FALSE;
  if (dtype != self->dtype)
    {
      result = ge_op_clamp (self, min, max, error);
      return result != NULL && ge_op_copy_ (self, result, error);
    }
  operands[0] = self, operands[1] = self;
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    {
      if (!ge_cuda_pointwise (GE_CUDA_OP_CLAMP, dtype, 2, operands, self->ndim, self->sizes,
                              &params, error))
        return FALSE;
      ge_tensor_bump_version (self);
      return TRUE;
    }
  ge_iter_init (&iter, self->ndim, self->sizes, 2, operands);
  ge_iter_run (&iter, unary_ops[UNARY_CLAMP].loops[dtype], &params);
  ge_tensor_bump_version (self);
  return TRUE;
}

/* ---- where ---- */

static void
where_loop (char         **data,
            const gint64  *strides,
            gint64         n,
            gpointer       user_data)
{
  gsize elem = GPOINTER_TO_SIZE (user_data);

  for (gint64 i = 0; i < n; i++)
    {
      const char *cond = data[1] + i * strides[1];
      const char *src = *cond ? data[2] + i * strides[2] : data[3] + i * strides[3];
      memcpy (data[0] + i * strides[0], src, elem);
    }
}

GeTensor *
ge_op_where (GeTensor  *condition,
                 GeTensor  *a,
                 GeTensor  *b,
                 GError   **error)
{
  g_autoptr(GeTensor) ca = NULL;
  g_autoptr(GeTensor) cb = NULL;
  GeTensor *ab[2] = { a, b };
  GeTensor *operands[4];
  gint64 sizes[GE_MAX_DIMS], sizes2[GE_MAX_DIMS];
  GeTensor *out;
  GeDType dtype;
  GeIter iter;
  GeDevice device;
  int ndim, ndim2;

  g_return_val_if_fail (condition != NULL && a != NULL && b != NULL, NULL);

  if (!check_devices (condition, a, b, &device, error))
    return NULL;
  if (condition->dtype != GE_DTYPE_BOOL)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "where expected condition to be a boolean tensor, but got a tensor with dtype %s",
                   ge_dtype_scalar_name (condition->dtype));
      return NULL;
    }
  if (!ge_broadcast_shapes (condition->ndim, condition->sizes, a->ndim, a->sizes, &ndim2, sizes2, error) ||
      !ge_broadcast_shapes (ndim2, sizes2, b->ndim, b->sizes, &ndim, sizes, error))
    return NULL;

  dtype = ge_result_type (2, ab);
  if ((ca = convert (a, dtype, error)) == NULL || (cb = convert (b, dtype, error)) == NULL)
    return NULL;
  out = ge_tensor_new_contiguous_on (device, ndim, sizes, dtype, error);
  if (out == NULL)
    return NULL;
  operands[0] = out, operands[1] = condition, operands[2] = ca, operands[3] = cb;
  if (device == GE_DEVICE_CUDA)
    return cuda_result (out, ge_cuda_pointwise (GE_CUDA_OP_WHERE, dtype, 4, operands, ndim, sizes,
                                                NULL, error));
  ge_iter_init (&iter, ndim, sizes, 4, operands);
  ge_iter_run (&iter, where_loop, GSIZE_TO_POINTER (ge_dtype_size (dtype)));
  return out;
}

/* ---- fill, zero, copy ---- */

static void
fill_loop (char         **data,
           const gint64  *strides,
           gint64         n,
           gpointer       user_data)
{
  const guint8 *value = user_data;
  gsize elem = value[0];

  for (gint64 i = 0; i < n; i++)
    memcpy (data[0] + i * strides[0], value + 8, elem);
}

gboolean
ge_op_fill_ (GeTensor  *self,
                 double     value,
                 GError   **error)
{
  /* byte 0: element size; bytes 8..15: the value in self's dtype */
  guint8 pattern[16] = { 0 };
  GeIter iter;

  g_return_val_if_fail (self != NULL, FALSE);

  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    {
      /* the value converted on the host, copied in by the kernel */
      g_autoptr(GeTensor) scalar = ge_tensor_scalar (value, self->dtype);

      if (!ge_cuda_pointwise (GE_CUDA_OP_COPY, self->dtype, 2, (GeTensor *[]) { self, scalar },
                              self->ndim, self->sizes, NULL, error))
        return FALSE;
      ge_tensor_bump_version (self);
      return TRUE;
    }
  pattern[0] = (guint8) ge_dtype_size (self->dtype);
  ge_store_double (pattern + 8, self->dtype, value);
  ge_iter_init (&iter, self->ndim, self->sizes, 1, &self);
  ge_iter_run (&iter, fill_loop, pattern);
  ge_tensor_bump_version (self);
  return TRUE;
}

gboolean
ge_op_zero_ (GeTensor  *self,
                 GError   **error)
{
  return ge_op_fill_ (self, 0.0, error);
}

static void
copy_same_loop (char         **data,
                const gint64  *strides,
                gint64         n,
                gpointer       user_data)
{
  gsize elem = GPOINTER_TO_SIZE (user_data);

  if (strides[0] == (gint64) elem && strides[1] == (gint64) elem)
    memcpy (data[0], data[1], n * elem);
  else
    for (gint64 i = 0; i < n; i++)
      memcpy (data[0] + i * strides[0], data[1] + i * strides[1], elem);
}

typedef struct
{
  GeDType from;
  GeDType to;
} ConvertDtypes;

static void
copy_convert_loop (char         **data,
                   const gint64  *strides,
                   gint64         n,
                   gpointer       user_data)
{
  const ConvertDtypes *dtypes = user_data;

  /* int64 -> float32 directly: through double it would round twice */
  if (dtypes->from == GE_DTYPE_INT64 && dtypes->to == GE_DTYPE_FLOAT32)
    {
      for (gint64 i = 0; i < n; i++)
        *(float *) (data[0] + i * strides[0]) = (float) *(const gint64 *) (data[1] + i * strides[1]);
      return;
    }
  for (gint64 i = 0; i < n; i++)
    ge_store_double (data[0] + i * strides[0], dtypes->to,
                     ge_load_double (data[1] + i * strides[1], dtypes->from));
}

gboolean
ge_op_copy_ (GeTensor  *self,
                 GeTensor  *src,
                 GError   **error)
{
  g_autoptr(GeTensor) safe = NULL;
  GeTensor *operands[2];
  GeIter iter;

  g_return_val_if_fail (self != NULL && src != NULL, FALSE);

  /* copy_ is the one op that crosses devices */
  if (!check_inplace_shape (self, src, error))
    return FALSE;
  if ((safe = unalias (self, src, error)) == NULL)
    return FALSE;
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA || ge_tensor_get_device (safe) == GE_DEVICE_CUDA)
    {
      if (!ge_device_copy (self, safe, error))
        return FALSE;
      ge_tensor_bump_version (self);
      return TRUE;
    }

  operands[0] = self, operands[1] = safe;
  ge_iter_init (&iter, self->ndim, self->sizes, 2, operands);
  if (self->dtype == safe->dtype)
    ge_iter_run (&iter, copy_same_loop, GSIZE_TO_POINTER (ge_dtype_size (self->dtype)));
  else
    {
      ConvertDtypes dtypes = { safe->dtype, self->dtype };
      ge_iter_run (&iter, copy_convert_loop, &dtypes);
    }
  ge_tensor_bump_version (self);
  return TRUE;
}
