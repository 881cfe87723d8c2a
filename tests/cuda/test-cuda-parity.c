/* test-cuda-parity.c - every op on the GPU against the CPU, forward and backward */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * ggml's test-backend-ops pattern: each case builds its inputs on the CPU
 * from a seeded generator, runs the same function of the public API once
 * on the CPU tensors and once on copies moved to cuda, and compares the
 * outputs; then, for differentiable cases, backpropagates sum(out * w) with
 * the same random w on both devices and compares the gradients of every
 * floating input.  Outputs must be on cuda, gradients too.
 *
 * Tolerances (|gpu - cpu| <= atol + rtol * |cpu|):
 *   exact      integers, bools, copies, views, comparisons, selections
 *   float32    rtol 1e-5, atol 1e-6 for + - * / and sums (different summation
 *              order); rtol 2e-5, atol 1e-6 for exp, log, pow, sin, cos, tanh,
 *              sigmoid (CUDA's libdevice is within 2 ulp of glibc)
 *   matmul     rtol 1e-4, atol 1e-5 in float32 (cuBLAS blocks the sums)
 *   float64    rtol 1e-12, atol 1e-12
 *   gradients  ten times the forward tolerance
 *
 * nn and optim: Linear, addmm and mse_loss as op cases; whole training
 * steps of a small Sequential with MSELoss under SGD (momentum, nesterov,
 * weight decay), RMSprop (plain, centered with momentum) and Adam (plain,
 * amsgrad with weight decay), comparing every loss, the parameters and the
 * optimiser state after a few steps (rtol 1e-4, atol 1e-5).
 *
 * Without a CUDA device the program says why and exits 77 (meson: SKIP).
 * With --self-check it runs the op cases and the nn/optim training steps
 * with "cuda" replaced by the CPU, which checks the harness itself anywhere
 * (meson runs that too); the "GPU" side then runs with the engine's
 * ge_test_device_paths switch on, so that addmm, linear, mse_loss and the
 * optimisers take the code paths they take for cuda tensors (generic
 * engine ops instead of the CPU's fused loops and direct OpenBLAS calls),
 * checked against the CPU fast paths.
 */

#include <math.h>
#include <string.h>

#include <gradlab.h>
#include "ge-ops-private.h"

#include "ge-test-util.h"
#include "cuda/ge-philox.h"

/* ge-nn-functional.c: makes addmm, mse_loss and the optimisers take their
 * device code paths on the CPU too (for --self-check). */

typedef enum
{
  NORMAL,        /* randn */
  POSITIVE,      /* uniform on [0.25, 1.75): for log, sqrt, pow bases, divisors */
  INTEGER,       /* int64 in about -8..8 */
  NONNEGATIVE,   /* int64 in 0..4: exponents */
  BOOLEAN,
  WELL_CONDITIONED,  /* randn + 4 I: for linalg.inv */
  ROUNDED,       /* floats that are whole numbers in about -4..4: ties for max/min/sort */
} InputKind;

typedef struct
{
  InputKind kind;
  GeDType   dtype;
  int       ndim;
  gint64    sizes[4];
} InputSpec;

typedef struct
{
  double rtol;
  double atol;
} Tolerance;

typedef GeTensor *(*Forward) (GeTensor **x, GError **error);

typedef struct
{
  const char *name;
  Forward     forward;
  int         n_inputs;
  InputSpec   inputs[4];
  Tolerance   tolerance;
  gboolean    backward;
} ParityCase;

#define SHAPE(...) (int) (sizeof ((gint64[]) { __VA_ARGS__ }) / sizeof (gint64)), { __VA_ARGS__ }
#define IN(kind, dtype, ...) { kind, dtype, SHAPE (__VA_ARGS__) }
#define SCALAR(kind, dtype) { kind, dtype, 0, { 0 } }
#define F32(...) IN (NORMAL, GE_DTYPE_FLOAT32, __VA_ARGS__)
#define F64(...) IN (NORMAL, GE_DTYPE_FLOAT64, __VA_ARGS__)
#define POS32(...) IN (POSITIVE, GE_DTYPE_FLOAT32, __VA_ARGS__)
#define POS64(...) IN (POSITIVE, GE_DTYPE_FLOAT64, __VA_ARGS__)
#define I64(...) IN (INTEGER, GE_DTYPE_INT64, __VA_ARGS__)
#define NN64(...) IN (NONNEGATIVE, GE_DTYPE_INT64, __VA_ARGS__)
#define B8(...) IN (BOOLEAN, GE_DTYPE_BOOL, __VA_ARGS__)
#define TIES32(...) IN (ROUNDED, GE_DTYPE_FLOAT32, __VA_ARGS__)

/* --self-check: the "GPU" side runs on the CPU too */
static gboolean self_check;
static GeDevice gpu_device = GE_DEVICE_CUDA;

/* Around everything the "GPU" side computes: with --self-check, the device
 * code paths of nn and optim are taken on the CPU. */
static void
gpu_side_begin (void)
{
  ge_test_device_paths = self_check;
}

static void
gpu_side_end (void)
{
  ge_test_device_paths = FALSE;
}

#define EXACT { 0.0, 0.0 }
#define ARITH { 1e-5, 1e-6 }
#define TRANSCENDENTAL { 2e-5, 1e-6 }
#define MATMUL { 1e-4, 1e-5 }
#define DOUBLE { 1e-12, 1e-12 }

/* ---- the functions under test ---- */

#define BINARY(fn) \
  static GeTensor *fw_##fn (GeTensor **x, GError **e) { return ge_tensor_##fn (x[0], x[1], e); }
#define UNARY(fn) \
  static GeTensor *fw_##fn (GeTensor **x, GError **e) { return ge_tensor_##fn (x[0], e); }

BINARY (add) BINARY (sub) BINARY (mul) BINARY (div) BINARY (pow)
BINARY (eq) BINARY (ne) BINARY (lt) BINARY (le) BINARY (gt) BINARY (ge)
BINARY (dot) BINARY (mv) BINARY (mm) BINARY (bmm) BINARY (matmul)
UNARY (neg) UNARY (exp) UNARY (log) UNARY (sin) UNARY (cos) UNARY (sqrt) UNARY (abs)
UNARY (tanh) UNARY (sigmoid) UNARY (relu) UNARY (sum) UNARY (mean) UNARY (max) UNARY (min)
UNARY (argmax) UNARY (linalg_inv) UNARY (contiguous) UNARY (clone)

static GeTensor *
fw_squeeze (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) s = ge_tensor_squeeze (x[0]);

  return ge_tensor_mul (s, s, e);
}

/* op with a Python number on the right (a CPU scalar passed by value) */
#define WITH_NUMBER(name, fn, wrap, value)                                        \
  static GeTensor *                                                               \
  fw_##name (GeTensor **x, GError **e)                                            \
  {                                                                               \
    g_autoptr(GeTensor) n = wrap (value);                                         \
    return ge_tensor_##fn (x[0], n, e);                                           \
  }

WITH_NUMBER (add_number, add, ge_tensor_wrap_double, 2.5)
WITH_NUMBER (mul_int_number, mul, ge_tensor_wrap_int, 3)
WITH_NUMBER (div_number, div, ge_tensor_wrap_double, -4.0)
WITH_NUMBER (square, pow, ge_tensor_wrap_double, 2.0)
WITH_NUMBER (cube, pow, ge_tensor_wrap_double, 3.0)
WITH_NUMBER (sqrt_pow, pow, ge_tensor_wrap_double, 0.5)
WITH_NUMBER (pow_general, pow, ge_tensor_wrap_double, 1.7)
WITH_NUMBER (reciprocal, pow, ge_tensor_wrap_double, -1.0)
WITH_NUMBER (int_square, pow, ge_tensor_wrap_int, 2)
WITH_NUMBER (gt_zero, gt, ge_tensor_wrap_double, 0.0)

static GeTensor *
fw_number_pow (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) two = ge_tensor_wrap_double (2.0);

  return ge_tensor_pow (two, x[0], e);
}

static GeTensor *
fw_times_zero_dim (GeTensor **x, GError **e)
{
  /* a 0-dim CPU tensor (not a wrapped number) with a cuda tensor */
  g_autoptr(GeTensor) s = ge_tensor_scalar (1.5, GE_DTYPE_FLOAT64);

  return ge_tensor_mul (x[0], s, e);
}

static GeTensor *
fw_where (GeTensor **x, GError **e)
{
  return ge_tensor_where (x[0], x[1], x[2], e);
}

static GeTensor *
fw_where_number (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) zero = ge_tensor_wrap_double (0.0);

  return ge_tensor_where (x[0], x[1], zero, e);
}

static GeTensor *
fw_clamp (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) lo = ge_tensor_wrap_double (-0.5);
  g_autoptr(GeTensor) hi = ge_tensor_wrap_double (0.75);

  return ge_tensor_clamp (x[0], lo, hi, e);
}

static GeTensor *
fw_clamp_min_int (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) lo = ge_tensor_wrap_int (-2);

  return ge_tensor_clamp (x[0], lo, NULL, e);
}

#define REDUCE_DIMS(name, fn, keepdim, ...)                                        \
  static GeTensor *                                                                \
  fw_##name (GeTensor **x, GError **e)                                             \
  {                                                                                \
    static const int dims[] = { __VA_ARGS__ };                                     \
    return ge_tensor_##fn (x[0], G_N_ELEMENTS (dims), dims, keepdim, e);           \
  }

REDUCE_DIMS (sum_dim0, sum_dims, FALSE, 0)
REDUCE_DIMS (sum_dim1_keep, sum_dims, TRUE, 1)
REDUCE_DIMS (sum_dims02, sum_dims, FALSE, 0, 2)
REDUCE_DIMS (sum_last, sum_dims, FALSE, -1)
REDUCE_DIMS (mean_dim1, mean_dims, FALSE, 1)
REDUCE_DIMS (mean_dims01_keep, mean_dims, TRUE, 0, 1)

#define EXTREMUM_DIM(name, fn, dim, keepdim, want_indices)                         \
  static GeTensor *                                                                \
  fw_##name (GeTensor **x, GError **e)                                             \
  {                                                                                \
    GeTensor *indices = NULL;                                                      \
    GeTensor *values = ge_tensor_##fn (x[0], dim, keepdim, &indices, e);           \
    if (values == NULL)                                                            \
      return NULL;                                                                 \
    if (want_indices)                                                              \
      {                                                                            \
        ge_tensor_unref (values);                                                  \
        return indices;                                                            \
      }                                                                            \
    ge_tensor_unref (indices);                                                     \
    return values;                                                                 \
  }

EXTREMUM_DIM (max_dim1, max_dim, 1, FALSE, FALSE)
EXTREMUM_DIM (max_dim1_indices, max_dim, 1, FALSE, TRUE)
EXTREMUM_DIM (min_dim0_keep, min_dim, 0, TRUE, FALSE)
EXTREMUM_DIM (min_dim0_indices, min_dim, 0, TRUE, TRUE)

static GeTensor *
fw_argmax_dim (GeTensor **x, GError **e)
{
  return ge_tensor_argmax_dim (x[0], 1, FALSE, e);
}

static GeTensor *
fw_sum_transposed (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) t = ge_tensor_transpose (x[0], 0, 1, e);
  static const int dims[] = { 1 };

  return t == NULL ? NULL : ge_tensor_sum_dims (t, 1, dims, FALSE, e);
}

/* products with transposed (column-major) operands: cuBLAS transpose flags */
static GeTensor *
fw_mm_at_b (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) at = ge_tensor_t (x[0], e);

  return at == NULL ? NULL : ge_tensor_mm (at, x[1], e);
}

static GeTensor *
fw_mm_a_bt (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) bt = ge_tensor_t (x[1], e);

  return bt == NULL ? NULL : ge_tensor_mm (x[0], bt, e);
}

/* an operand that is neither row- nor column-major: a strided slice */
static GeTensor *
fw_mm_strided (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) every_other = ge_tensor_slice (x[0], 1, G_MININT64, G_MAXINT64, 2, e);

  return every_other == NULL ? NULL : ge_tensor_mm (every_other, x[1], e);
}

static GeTensor *
fw_matmul_expanded (GeTensor **x, GError **e)
{
  /* a batch broadcast by expand: stride-0 batch dims */
  g_autoptr(GeTensor) b = ge_tensor_expand (x[1], 3, (gint64[]) { 2, 4, 3 }, e);

  return b == NULL ? NULL : ge_tensor_matmul (x[0], b, e);
}

static GeTensor *
fw_linear (GeTensor **x, GError **e)
{
  /* x @ W.t() + b, then relu: a Linear layer */
  g_autoptr(GeTensor) wt = ge_tensor_t (x[1], e);
  g_autoptr(GeTensor) xw = wt == NULL ? NULL : ge_tensor_matmul (x[0], wt, e);
  g_autoptr(GeTensor) z = xw == NULL ? NULL : ge_tensor_add (xw, x[2], e);

  return z == NULL ? NULL : ge_tensor_relu (z, e);
}

static GeTensor *
fw_mse (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) d = ge_tensor_sub (x[0], x[1], e);
  g_autoptr(GeTensor) two = ge_tensor_wrap_double (2.0);
  g_autoptr(GeTensor) sq = d == NULL ? NULL : ge_tensor_pow (d, two, e);

  return sq == NULL ? NULL : ge_tensor_mean (sq, e);
}

/* views and indexing */
static GeTensor *
fw_view (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) v = ge_tensor_view (x[0], 2, (gint64[]) { 4, -1 }, e);

  return v == NULL ? NULL : ge_tensor_mul (v, v, e);
}

static GeTensor *
fw_reshape_copy (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) t = ge_tensor_transpose (x[0], 0, 1, e);

  return t == NULL ? NULL : ge_tensor_reshape (t, 1, (gint64[]) { -1 }, e);
}

static GeTensor *
fw_permute_contiguous (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) p = ge_tensor_permute (x[0], 3, (int[]) { 2, 0, 1 }, e);

  return p == NULL ? NULL : ge_tensor_contiguous (p, e);
}

static GeTensor *
fw_select (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) s = ge_tensor_select (x[0], 1, -1, e);

  return s == NULL ? NULL : ge_tensor_mul (s, s, e);
}

static GeTensor *
fw_slice_step (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) s = ge_tensor_slice (x[0], 0, 1, G_MAXINT64, 2, e);

  return s == NULL ? NULL : ge_tensor_clone (s, e);
}

static GeTensor *
fw_expand_add (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) col = ge_tensor_unsqueeze (x[0], 1, e);
  g_autoptr(GeTensor) wide = col == NULL ? NULL : ge_tensor_expand (col, 2, (gint64[]) { -1, 5 }, e);

  return wide == NULL ? NULL : ge_tensor_add (wide, x[1], e);
}

static GeTensor *
fw_index (GeTensor **x, GError **e)
{
  GeIndex index[] = { GE_INDEX_RANGE (1, 3, 1), GE_INDEX_I (-2) };

  return ge_tensor_index (x[0], G_N_ELEMENTS (index), index, e);
}

static GeTensor *
fw_index_put (GeTensor **x, GError **e)
{
  GeIndex index[] = { GE_INDEX_ALL, GE_INDEX_I (0) };
  g_autoptr(GeTensor) y = ge_tensor_clone (x[0], e);

  if (y == NULL || !ge_tensor_index_put (y, G_N_ELEMENTS (index), index, x[1], e))
    return NULL;
  return g_steal_pointer (&y);
}

static GeTensor *
fw_index_put_number (GeTensor **x, GError **e)
{
  GeIndex index[] = { GE_INDEX_I (1) };
  g_autoptr(GeTensor) seven = ge_tensor_wrap_double (7.0);
  g_autoptr(GeTensor) y = ge_tensor_clone (x[0], e);

  if (y == NULL || !ge_tensor_index_put (y, G_N_ELEMENTS (index), index, seven, e))
    return NULL;
  return g_steal_pointer (&y);
}

static GeTensor *
fw_cat (GeTensor **x, GError **e)
{
  return ge_tensor_cat (2, x, 1, e);
}

static GeTensor *
fw_stack (GeTensor **x, GError **e)
{
  return ge_tensor_stack (2, x, 0, e);
}

static GeTensor *
fw_sort (GeTensor **x, GError **e)
{
  return ge_tensor_sort (x[0], 1, TRUE, NULL, e);
}

static GeTensor *
fw_sort_indices (GeTensor **x, GError **e)
{
  GeTensor *indices = NULL;
  g_autoptr(GeTensor) values = ge_tensor_sort (x[0], -1, FALSE, &indices, e);

  return values == NULL ? NULL : indices;
}

#define TO_DTYPE(name, dtype) \
  static GeTensor *fw_##name (GeTensor **x, GError **e) { return ge_tensor_to_dtype (x[0], dtype, e); }

TO_DTYPE (to_f64, GE_DTYPE_FLOAT64)
TO_DTYPE (to_f32, GE_DTYPE_FLOAT32)
TO_DTYPE (to_i64, GE_DTYPE_INT64)
TO_DTYPE (to_bool, GE_DTYPE_BOOL)

/* in place on a clone (a non-leaf, so autograd records the op) */
#define INPLACE(name, fn)                                                          \
  static GeTensor *                                                                \
  fw_##name (GeTensor **x, GError **e)                                             \
  {                                                                                \
    g_autoptr(GeTensor) y = ge_tensor_clone (x[0], e);                             \
    if (y == NULL || !ge_tensor_##fn (y, x[1], e))                                 \
      return NULL;                                                                 \
    return g_steal_pointer (&y);                                                   \
  }

INPLACE (add_, add_)
INPLACE (sub_, sub_)
INPLACE (mul_, mul_)
INPLACE (div_, div_)
INPLACE (copy_, copy_)

static GeTensor *
fw_clamp_ (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) lo = ge_tensor_wrap_double (-0.25);
  g_autoptr(GeTensor) y = ge_tensor_clone (x[0], e);

  if (y == NULL || !ge_tensor_clamp_ (y, lo, NULL, e))
    return NULL;
  return g_steal_pointer (&y);
}

static GeTensor *
fw_fill_zero (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) y = ge_tensor_clone (x[0], e);
  g_autoptr(GeTensor) row = NULL;

  if (y == NULL || !ge_tensor_fill_ (y, -3.25, e))
    return NULL;
  row = ge_tensor_select (y, 0, 1, e);
  if (row == NULL || !ge_tensor_zero_ (row, e))
    return NULL;
  return g_steal_pointer (&y);
}

static GeTensor *
fw_ones_like_times (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) ones = ge_tensor_ones_like (x[0], e);
  g_autoptr(GeTensor) full = ge_tensor_full_like (x[0], 0.5, e);
  g_autoptr(GeTensor) sum = ones == NULL || full == NULL ? NULL : ge_tensor_add (ones, full, e);

  return sum == NULL ? NULL : ge_tensor_mul (sum, x[0], e);
}

/* nn.functional: linear (addmm, mm, the 1-D and 3-D forms), addmm's
 * scalars, mse_loss's reductions */
static GeTensor *
fw_nn_linear (GeTensor **x, GError **e)
{
  return ge_tensor_linear (x[0], x[1], x[2], e);
}

static GeTensor *
fw_nn_linear_no_bias (GeTensor **x, GError **e)
{
  return ge_tensor_linear (x[0], x[1], NULL, e);
}

static GeTensor *
fw_addmm_scaled (GeTensor **x, GError **e)
{
  return ge_tensor_addmm (x[0], x[1], x[2], 0.5, -2.0, e);
}

static GeTensor *
fw_addmm_beta_zero (GeTensor **x, GError **e)
{
  return ge_tensor_addmm (x[0], x[1], x[2], 0.0, 1.0, e);
}

static GeTensor *
fw_addmm_transposed (GeTensor **x, GError **e)
{
  /* both matrices column-major (transposed views) */
  g_autoptr(GeTensor) at = ge_tensor_t (x[1], e);
  g_autoptr(GeTensor) bt = at == NULL ? NULL : ge_tensor_t (x[2], e);

  return bt == NULL ? NULL : ge_tensor_addmm (x[0], at, bt, 1.0, 1.0, e);
}

#define MSE(name, reduction)                                                        \
  static GeTensor *                                                                 \
  fw_##name (GeTensor **x, GError **e)                                              \
  {                                                                                 \
    return ge_tensor_mse_loss (x[0], x[1], reduction, e);                           \
  }

MSE (mse_loss_mean, GE_REDUCTION_MEAN)
MSE (mse_loss_sum, GE_REDUCTION_SUM)
MSE (mse_loss_none, GE_REDUCTION_NONE)

static GeTensor *
fw_mse_loss_strided (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) t = ge_tensor_t (x[0], e);

  return t == NULL ? NULL : ge_tensor_mse_loss (t, x[1], GE_REDUCTION_MEAN, e);
}

/* backward through views and selections */
static GeTensor *
fw_select_3d (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) s = ge_tensor_select (x[0], 2, -2, e);

  return s == NULL ? NULL : ge_tensor_mul (s, x[1], e);
}

static GeTensor *
fw_slice_dim1 (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) s = ge_tensor_slice (x[0], 1, -4, -1, 1, e);

  return s == NULL ? NULL : ge_tensor_exp (s, e);
}

static GeTensor *
fw_select_of_slice (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) s = ge_tensor_slice (x[0], 0, 1, G_MAXINT64, 2, e);
  g_autoptr(GeTensor) r = s == NULL ? NULL : ge_tensor_select (s, 1, 0, e);

  return r == NULL ? NULL : ge_tensor_mul (r, r, e);
}

static GeTensor *
fw_sort_dim0 (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) v = ge_tensor_sort (x[0], 0, FALSE, NULL, e);

  return v == NULL ? NULL : ge_tensor_mul (v, v, e);
}

static GeTensor *
fw_sort_then_slice (GeTensor **x, GError **e)
{
  /* the three largest of each row: sort, then a slice of the values */
  g_autoptr(GeTensor) v = ge_tensor_sort (x[0], -1, TRUE, NULL, e);

  return v == NULL ? NULL : ge_tensor_slice (v, 1, 0, 3, 1, e);
}

EXTREMUM_DIM (max_dim0, max_dim, 0, FALSE, FALSE)
EXTREMUM_DIM (min_dim1_keep, min_dim, 1, TRUE, FALSE)

static GeTensor *
fw_max_of_select (GeTensor **x, GError **e)
{
  g_autoptr(GeTensor) row = ge_tensor_select (x[0], 0, 1, e);

  return row == NULL ? NULL : ge_tensor_max (row, e);
}

static const ParityCase cases[] = {
  /* elementwise, with broadcasting */
  { "add", fw_add, 2, { F32 (3, 4), F32 (4) }, ARITH, TRUE },
  { "add-f64-broadcast-both", fw_add, 2, { F64 (2, 1, 3), F64 (4, 1) }, DOUBLE, TRUE },
  { "sub", fw_sub, 2, { F32 (2, 3, 4), F32 (3, 1) }, ARITH, TRUE },
  { "mul", fw_mul, 2, { F32 (5, 6), F32 (5, 6) }, ARITH, TRUE },
  { "mul-mixed-dtypes", fw_mul, 2, { F32 (4, 3), F64 (3) }, DOUBLE, TRUE },
  { "div", fw_div, 2, { F32 (3, 4), POS32 (3, 4) }, ARITH, TRUE },
  { "pow", fw_pow, 2, { POS32 (3, 4), F32 (3, 4) }, TRANSCENDENTAL, TRUE },
  { "pow-f64", fw_pow, 2, { POS64 (7), F64 (7) }, DOUBLE, TRUE },
  { "add-number", fw_add_number, 1, { F32 (10) }, ARITH, TRUE },
  { "mul-int-number", fw_mul_int_number, 1, { I64 (10) }, EXACT, FALSE },
  { "div-number", fw_div_number, 1, { F32 (3, 3) }, ARITH, TRUE },
  { "square", fw_square, 1, { F32 (16) }, ARITH, TRUE },
  { "cube", fw_cube, 1, { F32 (16) }, ARITH, TRUE },
  { "pow-half", fw_sqrt_pow, 1, { POS32 (16) }, TRANSCENDENTAL, TRUE },
  { "pow-general", fw_pow_general, 1, { POS32 (16) }, TRANSCENDENTAL, TRUE },
  { "reciprocal", fw_reciprocal, 1, { POS32 (16) }, ARITH, TRUE },
  { "number-pow", fw_number_pow, 1, { F32 (12) }, TRANSCENDENTAL, TRUE },
  { "times-zero-dim-cpu-tensor", fw_times_zero_dim, 1, { F32 (2, 5) }, ARITH, TRUE },
  { "add-int64", fw_add, 2, { I64 (4, 5), I64 (5) }, EXACT, FALSE },
  { "sub-int64", fw_sub, 2, { I64 (4, 5), I64 (4, 1) }, EXACT, FALSE },
  { "mul-int64", fw_mul, 2, { I64 (20), I64 (20) }, EXACT, FALSE },
  { "div-int64", fw_div, 2, { I64 (20), NN64 (20) }, ARITH, FALSE },
  { "pow-int64", fw_pow, 2, { I64 (20), NN64 (20) }, EXACT, FALSE },
  { "int-square", fw_int_square, 1, { I64 (20) }, EXACT, FALSE },
  { "add-bool", fw_add, 2, { B8 (12), B8 (12) }, EXACT, FALSE },
  { "mul-bool", fw_mul, 2, { B8 (3, 4), B8 (4) }, EXACT, FALSE },
  { "add-bool-int", fw_add, 2, { B8 (6), I64 (6) }, EXACT, FALSE },
  { "eq", fw_eq, 2, { I64 (4, 4), I64 (4) }, EXACT, FALSE },
  { "ne", fw_ne, 2, { B8 (8), B8 (8) }, EXACT, FALSE },
  { "lt", fw_lt, 2, { F32 (3, 4), F32 (4) }, EXACT, FALSE },
  { "le", fw_le, 2, { F64 (9), F64 (9) }, EXACT, FALSE },
  { "gt", fw_gt, 2, { I64 (9), F32 (9) }, EXACT, FALSE },
  { "ge", fw_ge, 2, { F32 (2, 3), F32 (2, 1) }, EXACT, FALSE },
  { "gt-number", fw_gt_zero, 1, { F32 (30) }, EXACT, FALSE },
  { "where", fw_where, 3, { B8 (3, 4), F32 (3, 4), F32 (4) }, EXACT, TRUE },
  { "where-number", fw_where_number, 2, { B8 (10), F64 (10) }, EXACT, TRUE },
  { "neg", fw_neg, 1, { F32 (3, 5) }, EXACT, TRUE },
  { "neg-int64", fw_neg, 1, { I64 (9) }, EXACT, FALSE },
  { "exp", fw_exp, 1, { F32 (3, 5) }, TRANSCENDENTAL, TRUE },
  { "exp-int64", fw_exp, 1, { I64 (9) }, TRANSCENDENTAL, FALSE },
  { "log", fw_log, 1, { POS32 (3, 5) }, TRANSCENDENTAL, TRUE },
  { "log-f64", fw_log, 1, { POS64 (11) }, DOUBLE, TRUE },
  { "sin", fw_sin, 1, { F32 (64) }, TRANSCENDENTAL, TRUE },
  { "cos", fw_cos, 1, { F64 (64) }, DOUBLE, TRUE },
  { "sqrt", fw_sqrt, 1, { POS32 (64) }, ARITH, TRUE },
  { "abs", fw_abs, 1, { F32 (64) }, EXACT, TRUE },
  { "abs-int64", fw_abs, 1, { I64 (64) }, EXACT, FALSE },
  { "tanh", fw_tanh, 1, { F32 (64) }, TRANSCENDENTAL, TRUE },
  { "sigmoid", fw_sigmoid, 1, { F32 (64) }, TRANSCENDENTAL, TRUE },
  { "sigmoid-f64", fw_sigmoid, 1, { F64 (64) }, DOUBLE, TRUE },
  { "relu", fw_relu, 1, { F32 (8, 8) }, EXACT, TRUE },
  { "relu-int64", fw_relu, 1, { I64 (8, 8) }, EXACT, FALSE },
  { "clamp", fw_clamp, 1, { F32 (8, 8) }, EXACT, TRUE },
  { "clamp-min-int64", fw_clamp_min_int, 1, { I64 (32) }, EXACT, FALSE },
  { "non-contiguous-elementwise", fw_sum_transposed, 1, { F32 (6, 7) }, ARITH, TRUE },

  /* reductions (large ones take the chunked kernels) */
  { "sum", fw_sum, 1, { F32 (7, 9) }, ARITH, TRUE },
  { "sum-large", fw_sum, 1, { F32 (300000) }, ARITH, TRUE },
  { "sum-f64-large", fw_sum, 1, { F64 (100, 1000) }, DOUBLE, TRUE },
  { "sum-int64", fw_sum, 1, { I64 (5000) }, EXACT, FALSE },
  { "sum-bool", fw_sum, 1, { B8 (5000) }, EXACT, FALSE },
  { "sum-dim0", fw_sum_dim0, 1, { F32 (40, 3) }, ARITH, TRUE },
  { "sum-dim0-long", fw_sum_dim0, 1, { F32 (20000, 3) }, ARITH, TRUE },
  { "sum-dim1-keepdim", fw_sum_dim1_keep, 1, { F32 (4, 5, 6) }, ARITH, TRUE },
  { "sum-dims-0-2", fw_sum_dims02, 1, { F64 (4, 5, 6) }, DOUBLE, TRUE },
  { "sum-last-many-rows", fw_sum_last, 1, { F32 (5000, 2) }, ARITH, TRUE },
  { "mean", fw_mean, 1, { F32 (33, 3) }, ARITH, TRUE },
  { "mean-large", fw_mean, 1, { F32 (1000, 1000) }, ARITH, TRUE },
  { "mean-dim1", fw_mean_dim1, 1, { F32 (6, 7) }, ARITH, TRUE },
  { "mean-dims-0-1-keepdim", fw_mean_dims01_keep, 1, { F64 (3, 4, 5) }, DOUBLE, TRUE },
  { "max", fw_max, 1, { F32 (5, 7) }, EXACT, TRUE },
  { "max-large", fw_max, 1, { F32 (200000) }, EXACT, TRUE },
  { "min", fw_min, 1, { I64 (5, 7) }, EXACT, FALSE },
  { "max-bool", fw_max, 1, { B8 (9) }, EXACT, FALSE },
  { "max-dim", fw_max_dim1, 1, { F32 (6, 8) }, EXACT, TRUE },
  { "max-dim-indices", fw_max_dim1_indices, 1, { F32 (6, 8) }, EXACT, FALSE },
  { "min-dim-keepdim", fw_min_dim0_keep, 1, { F64 (6, 8) }, EXACT, TRUE },
  { "min-dim-indices-int64-ties", fw_min_dim0_indices, 1, { NN64 (50, 3) }, EXACT, FALSE },
  { "argmax", fw_argmax, 1, { F32 (4, 5, 6) }, EXACT, FALSE },
  { "argmax-large", fw_argmax, 1, { F32 (123457) }, EXACT, FALSE },
  { "argmax-dim", fw_argmax_dim, 1, { I64 (7, 9) }, EXACT, FALSE },

  /* products: cuBLAS with transpose flags, batched, broadcast; int64 kernel */
  { "dot", fw_dot, 2, { F32 (100), F32 (100) }, MATMUL, TRUE },
  { "mv", fw_mv, 2, { F32 (7, 5), F32 (5) }, MATMUL, TRUE },
  { "mm", fw_mm, 2, { F32 (16, 32), F32 (32, 8) }, MATMUL, TRUE },
  { "mm-large", fw_mm, 2, { F32 (128, 256), F32 (256, 64) }, MATMUL, TRUE },
  { "mm-f64", fw_mm, 2, { F64 (9, 7), F64 (7, 5) }, DOUBLE, TRUE },
  { "mm-int64", fw_mm, 2, { I64 (5, 6), I64 (6, 4) }, EXACT, FALSE },
  { "mm-a-transposed", fw_mm_at_b, 2, { F32 (6, 4), F32 (6, 5) }, MATMUL, TRUE },
  { "mm-b-transposed", fw_mm_a_bt, 2, { F32 (4, 6), F32 (5, 6) }, MATMUL, TRUE },
  { "mm-strided-operand", fw_mm_strided, 2, { F32 (4, 10), F32 (5, 3) }, MATMUL, TRUE },
  { "bmm", fw_bmm, 2, { F32 (3, 4, 5), F32 (3, 5, 2) }, MATMUL, TRUE },
  { "matmul-broadcast-batch", fw_matmul, 2, { F32 (2, 1, 3, 4), F32 (5, 4, 2) }, MATMUL, TRUE },
  { "matmul-expanded-batch", fw_matmul_expanded, 2, { F32 (2, 3, 4), F32 (4, 3) }, MATMUL, TRUE },
  { "matmul-vector-matrix", fw_matmul, 2, { F32 (4), F32 (3, 4, 2) }, MATMUL, TRUE },
  { "matmul-folded", fw_matmul, 2, { F32 (2, 3, 4), F32 (4) }, MATMUL, TRUE },
  { "matmul-int64-batched", fw_matmul, 2, { I64 (2, 3, 4), I64 (4, 2) }, EXACT, FALSE },
  { "linear-relu", fw_linear, 3, { F32 (8, 5), F32 (3, 5), F32 (3) }, MATMUL, TRUE },
  { "mse", fw_mse, 2, { F32 (64, 1), F32 (64, 1) }, ARITH, TRUE },
  { "linalg-inv", fw_linalg_inv, 1, { IN (WELL_CONDITIONED, GE_DTYPE_FLOAT64, 4, 4) }, DOUBLE, TRUE },

  /* views, indexing, copies, joins */
  { "view", fw_view, 1, { F32 (2, 2, 3) }, EXACT, TRUE },
  { "reshape-of-transpose", fw_reshape_copy, 1, { F32 (3, 5) }, EXACT, TRUE },
  { "permute-contiguous", fw_permute_contiguous, 1, { F32 (2, 3, 4) }, EXACT, TRUE },
  { "select", fw_select, 1, { F32 (3, 4) }, EXACT, TRUE },
  { "slice-step", fw_slice_step, 1, { F32 (7, 2) }, EXACT, TRUE },
  { "squeeze", fw_squeeze, 1, { F32 (1, 3, 1) }, EXACT, TRUE },
  { "expand-add", fw_expand_add, 2, { F32 (4), F32 (4, 5) }, EXACT, TRUE },
  { "index", fw_index, 1, { F32 (4, 5) }, EXACT, TRUE },
  { "index-put", fw_index_put, 2, { F32 (3, 4), F32 (3) }, EXACT, FALSE },
  { "index-put-number", fw_index_put_number, 1, { I64 (3, 2) }, EXACT, FALSE },
  { "cat", fw_cat, 2, { F32 (2, 3), F32 (2, 4) }, EXACT, TRUE },
  { "stack", fw_stack, 2, { F32 (3, 2), F32 (3, 2) }, EXACT, TRUE },
  { "sort", fw_sort, 1, { F32 (4, 6) }, EXACT, TRUE },
  { "sort-indices", fw_sort_indices, 1, { I64 (3, 8) }, EXACT, FALSE },
  { "contiguous", fw_contiguous, 1, { F32 (4, 3) }, EXACT, TRUE },
  { "clone", fw_clone, 1, { F64 (4, 3) }, EXACT, TRUE },
  { "to-float64", fw_to_f64, 1, { F32 (10) }, EXACT, TRUE },
  { "to-float32", fw_to_f32, 1, { I64 (10) }, EXACT, FALSE },
  { "to-int64", fw_to_i64, 1, { F32 (10) }, EXACT, FALSE },
  { "to-bool", fw_to_bool, 1, { F32 (10) }, EXACT, FALSE },
  { "bool-to-float", fw_to_f32, 1, { B8 (10) }, EXACT, FALSE },

  /* in-place ops (the optimisers' updates are made of these) */
  { "add_", fw_add_, 2, { F32 (3, 4), F32 (4) }, ARITH, TRUE },
  { "sub_", fw_sub_, 2, { F32 (3, 4), F32 (3, 4) }, ARITH, TRUE },
  { "mul_", fw_mul_, 2, { F32 (3, 4), F32 (1, 4) }, ARITH, TRUE },
  { "div_", fw_div_, 2, { F32 (3, 4), POS32 (3, 1) }, ARITH, TRUE },
  { "add_-int64-into-float", fw_add_, 2, { F32 (5), I64 (5) }, ARITH, TRUE },
  { "copy_-converting", fw_copy_, 2, { F64 (3, 4), I64 (4) }, EXACT, TRUE },
  { "clamp_", fw_clamp_, 1, { F32 (20) }, EXACT, TRUE },
  { "fill_-and-zero_", fw_fill_zero, 1, { F32 (3, 4) }, EXACT, FALSE },
  { "ones-like-full-like", fw_ones_like_times, 1, { F32 (3, 4) }, ARITH, TRUE },

  /* nn.functional: linear (addmm), addmm's scalars, mse_loss */
  { "nn-linear", fw_nn_linear, 3, { F32 (8, 5), F32 (3, 5), F32 (3) }, MATMUL, TRUE },
  { "nn-linear-f64", fw_nn_linear, 3, { F64 (6, 4), F64 (2, 4), F64 (2) }, DOUBLE, TRUE },
  { "nn-linear-no-bias", fw_nn_linear_no_bias, 2, { F32 (7, 3), F32 (4, 3) }, MATMUL, TRUE },
  { "nn-linear-1d-input", fw_nn_linear, 3, { F32 (5), F32 (3, 5), F32 (3) }, MATMUL, TRUE },
  { "nn-linear-3d-input", fw_nn_linear, 3, { F32 (2, 4, 5), F32 (3, 5), F32 (3) }, MATMUL, TRUE },
  { "nn-linear-large", fw_nn_linear, 3, { F32 (64, 32), F32 (16, 32), F32 (16) }, MATMUL, TRUE },
  { "addmm-scaled", fw_addmm_scaled, 3, { F32 (4, 3), F32 (4, 6), F32 (6, 3) }, MATMUL, TRUE },
  { "addmm-beta-zero", fw_addmm_beta_zero, 3, { F32 (3), F32 (5, 2), F32 (2, 3) }, MATMUL, TRUE },
  { "addmm-transposed", fw_addmm_transposed, 3, { F32 (1, 3), F32 (6, 4), F32 (3, 6) }, MATMUL, TRUE },
  { "addmm-int64", fw_addmm_scaled, 3, { I64 (2, 3), I64 (2, 4), I64 (4, 3) }, EXACT, FALSE },
  { "nn-mse-loss-mean", fw_mse_loss_mean, 2, { F32 (16, 3), F32 (16, 3) }, ARITH, TRUE },
  { "nn-mse-loss-sum", fw_mse_loss_sum, 2, { F32 (16, 3), F32 (16, 3) }, ARITH, TRUE },
  { "nn-mse-loss-none", fw_mse_loss_none, 2, { F32 (16, 3), F32 (16, 3) }, ARITH, TRUE },
  { "nn-mse-loss-broadcast", fw_mse_loss_mean, 2, { F32 (8, 3), F32 (8, 1) }, ARITH, TRUE },
  { "nn-mse-loss-f64", fw_mse_loss_mean, 2, { F64 (32), F64 (32) }, DOUBLE, TRUE },
  { "nn-mse-loss-strided", fw_mse_loss_strided, 2, { F32 (3, 5), F32 (5, 3) }, ARITH, TRUE },
  { "nn-mse-loss-large", fw_mse_loss_mean, 2, { F32 (100000), F32 (100000) }, ARITH, TRUE },

  /* backward through select, slice, sort and max/min (the scatter and
   * gather behind them), ties included */
  { "select-3d-negative", fw_select_3d, 2, { F32 (2, 3, 4), F32 (2, 3) }, ARITH, TRUE },
  { "slice-dim1-negative", fw_slice_dim1, 1, { F32 (3, 6) }, TRANSCENDENTAL, TRUE },
  { "select-of-slice", fw_select_of_slice, 1, { F32 (7, 3) }, ARITH, TRUE },
  { "sort-dim0", fw_sort_dim0, 1, { F32 (5, 3) }, ARITH, TRUE },
  { "sort-ties", fw_sort_dim0, 1, { TIES32 (9, 4) }, ARITH, TRUE },
  { "sort-then-slice", fw_sort_then_slice, 1, { F64 (4, 7) }, EXACT, TRUE },
  /* (a max shared by k elements gets grad / k each: ARITH for the division) */
  { "max-ties", fw_max, 1, { TIES32 (6, 5) }, ARITH, TRUE },
  { "min-ties", fw_min, 1, { TIES32 (20) }, ARITH, TRUE },
  { "max-dim0-ties", fw_max_dim0, 1, { TIES32 (8, 5) }, EXACT, TRUE },
  { "min-dim1-keepdim-ties", fw_min_dim1_keep, 1, { TIES32 (5, 8) }, EXACT, TRUE },
  { "max-of-select", fw_max_of_select, 1, { F32 (3, 9) }, EXACT, TRUE },
};

/* ---- running a case ---- */

static GeTensor *
make_input (const InputSpec *spec,
            GeGenerator     *generator)
{
  g_autoptr(GeTensor) normal = NULL;
  g_autoptr(GeTensor) scaled = NULL;
  g_autoptr(GeTensor) factor = NULL;
  g_autoptr(GeTensor) shift = NULL;
  GeDType real = spec->dtype == GE_DTYPE_FLOAT64 ? GE_DTYPE_FLOAT64 : GE_DTYPE_FLOAT32;
  GeTensor *t = NULL;

  switch (spec->kind)
    {
    case NORMAL:
      t = ge_tensor_randn (spec->ndim, spec->sizes, real, generator, NULL);
      break;
    case POSITIVE:
      normal = ge_tensor_rand (spec->ndim, spec->sizes, real, generator, NULL);
      factor = ge_tensor_wrap_double (1.5);
      shift = ge_tensor_wrap_double (0.25);
      scaled = ge_tensor_mul (normal, factor, NULL);
      t = ge_tensor_add (scaled, shift, NULL);
      break;
    case INTEGER:
    case NONNEGATIVE:
      normal = spec->kind == INTEGER
               ? ge_tensor_randn (spec->ndim, spec->sizes, GE_DTYPE_FLOAT64, generator, NULL)
               : ge_tensor_rand (spec->ndim, spec->sizes, GE_DTYPE_FLOAT64, generator, NULL);
      factor = ge_tensor_wrap_double (spec->kind == INTEGER ? 4.0 : 4.99);
      scaled = ge_tensor_mul (normal, factor, NULL);
      t = ge_tensor_to_dtype (scaled, GE_DTYPE_INT64, NULL);
      break;
    case BOOLEAN:
      normal = ge_tensor_randn (spec->ndim, spec->sizes, GE_DTYPE_FLOAT32, generator, NULL);
      shift = ge_tensor_wrap_double (0.0);
      t = ge_tensor_gt (normal, shift, NULL);
      break;
    case ROUNDED:
      {
        g_autoptr(GeTensor) whole = NULL;

        normal = ge_tensor_randn (spec->ndim, spec->sizes, GE_DTYPE_FLOAT64, generator, NULL);
        factor = ge_tensor_wrap_double (2.0);
        scaled = ge_tensor_mul (normal, factor, NULL);
        whole = ge_tensor_to_dtype (scaled, GE_DTYPE_INT64, NULL);
        t = ge_tensor_to_dtype (whole, real, NULL);
      }
      break;
    case WELL_CONDITIONED:
    default:
      normal = ge_tensor_randn (spec->ndim, spec->sizes, real, generator, NULL);
      factor = ge_tensor_eye (spec->sizes[0], spec->sizes[1], real, NULL);
      shift = ge_tensor_wrap_double (4.0);
      scaled = ge_tensor_mul (factor, shift, NULL);
      t = ge_tensor_add (normal, scaled, NULL);
      break;
    }
  g_assert_nonnull (t);
  return t;
}

/* A new leaf on the GPU with @t's values. */
static GeTensor *
to_cuda (GeTensor *t)
{
  GError *error = NULL;
  gboolean prev = ge_grad_mode_set_enabled (FALSE);
  GeTensor *moved = self_check ? ge_tensor_clone (t, &error)
                               : ge_tensor_to_device (t, GE_DEVICE_CUDA, &error);

  ge_grad_mode_set_enabled (prev);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_device (moved), ==, gpu_device);
  return moved;
}

/* sum(out * w), backpropagated; w is moved to @out's device. */
static void
backpropagate (GeTensor *out,
               GeTensor *weights)
{
  g_autoptr(GeTensor) w = NULL;
  g_autoptr(GeTensor) product = NULL;
  g_autoptr(GeTensor) loss = NULL;
  GError *error = NULL;

  w = ge_tensor_get_device (out) == GE_DEVICE_CUDA ? to_cuda (weights) : ge_tensor_ref (weights);
  product = ge_tensor_mul (out, w, &error);
  g_assert_no_error (error);
  loss = ge_tensor_sum (product, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, &error));
  g_assert_no_error (error);
}

static void
run_case (gconstpointer data)
{
  const ParityCase *c = data;
  g_autoptr(GeGenerator) generator = ge_generator_new (g_str_hash (c->name));
  GeTensor *cpu_inputs[4] = { NULL }, *gpu_inputs[4] = { NULL };
  g_autoptr(GeTensor) cpu_out = NULL;
  g_autoptr(GeTensor) gpu_out = NULL;
  GError *error = NULL;

  for (int i = 0; i < c->n_inputs; i++)
    {
      cpu_inputs[i] = make_input (&c->inputs[i], generator);
      gpu_inputs[i] = to_cuda (cpu_inputs[i]);
      if (c->backward && ge_dtype_is_floating (ge_tensor_get_dtype (cpu_inputs[i])))
        {
          g_assert_true (ge_tensor_set_requires_grad (cpu_inputs[i], TRUE, NULL));
          g_assert_true (ge_tensor_set_requires_grad (gpu_inputs[i], TRUE, NULL));
        }
    }

  cpu_out = c->forward (cpu_inputs, &error);
  g_assert_no_error (error);
  gpu_side_begin ();
  gpu_out = c->forward (gpu_inputs, &error);
  gpu_side_end ();
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_device (gpu_out), ==, gpu_device);
  ge_assert_tensor_close (gpu_out, cpu_out, c->tolerance.rtol, c->tolerance.atol);

  if (c->backward && ge_tensor_requires_grad (cpu_out))
    {
      g_autoptr(GeTensor) weights =
        ge_tensor_randn (ge_tensor_get_ndim (cpu_out), ge_tensor_get_sizes (cpu_out),
                         ge_tensor_get_dtype (cpu_out), generator, NULL);

      backpropagate (cpu_out, weights);
      gpu_side_begin ();
      backpropagate (gpu_out, weights);
      gpu_side_end ();
      for (int i = 0; i < c->n_inputs; i++)
        {
          GeTensor *cpu_grad = ge_tensor_get_grad (cpu_inputs[i]);
          GeTensor *gpu_grad = ge_tensor_get_grad (gpu_inputs[i]);

          if (cpu_grad == NULL)
            {
              g_assert_null (gpu_grad);
              continue;
            }
          g_assert_nonnull (gpu_grad);
          g_assert_cmpint (ge_tensor_get_device (gpu_grad), ==, gpu_device);
          ge_assert_tensor_close (gpu_grad, cpu_grad, 10 * c->tolerance.rtol,
                                  10 * c->tolerance.atol + 1e-7);
        }
    }

  for (int i = 0; i < c->n_inputs; i++)
    {
      ge_tensor_unref (cpu_inputs[i]);
      ge_tensor_unref (gpu_inputs[i]);
    }
}

/* ---- device behaviour ---- */

static void
test_round_trip_is_exact (void)
{
  static const GeDType dtypes[] = { GE_DTYPE_BOOL, GE_DTYPE_INT64, GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64 };
  g_autoptr(GeTensor) base = ge_test_tensor ("[[1.5, -2.0, 3.25], [1e30, -0.0, 7.0]]");

  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    {
      g_autoptr(GeTensor) t = ge_tensor_to_dtype (base, dtypes[i], NULL);
      g_autoptr(GeTensor) strided = ge_tensor_t (t, NULL);
      g_autoptr(GeTensor) gpu = to_cuda (strided);
      g_autoptr(GeTensor) back = ge_tensor_cpu (gpu, NULL);

      g_assert_cmpint (ge_tensor_get_dtype (gpu), ==, dtypes[i]);
      ge_assert_tensor_equal (back, strided);
    }
}

static void
test_to_records_backward (void)
{
  g_autoptr(GeTensor) x = ge_test_tensor ("[1.0, 2.0, 3.0]");
  g_autoptr(GeTensor) gpu = NULL;
  g_autoptr(GeTensor) three = ge_tensor_wrap_double (3.0);
  g_autoptr(GeTensor) y = NULL;
  g_autoptr(GeTensor) loss = NULL;
  g_autoptr(GeTensor) expected = ge_test_tensor ("[3.0, 3.0, 3.0]");

  g_assert_true (ge_tensor_set_requires_grad (x, TRUE, NULL));
  gpu = ge_tensor_cuda (x, NULL);
  g_assert_cmpstr (ge_tensor_get_grad_fn_name (gpu), ==, "ToCopyBackward0");
  y = ge_tensor_mul (gpu, three, NULL);
  loss = ge_tensor_sum (y, NULL);
  g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, NULL));
  g_assert_cmpint (ge_tensor_get_device (ge_tensor_get_grad (x)), ==, GE_DEVICE_CPU);
  ge_assert_tensor_equal (ge_tensor_get_grad (x), expected);
}

static void
test_creation_on_device (void)
{
  g_autoptr(GeTensor) zeros = ge_tensor_zeros_on (GE_DEVICE_CUDA, 2, (gint64[]) { 2, 3 },
                                                  GE_DTYPE_INT64, NULL);
  g_autoptr(GeTensor) full = ge_tensor_full_on (GE_DEVICE_CUDA, 1, (gint64[]) { 4 }, 2.5,
                                                GE_DTYPE_FLOAT64, NULL);
  g_autoptr(GeTensor) like = ge_tensor_zeros_like (full, NULL);
  g_autoptr(GeTensor) expected_zeros = ge_test_tensor ("[[0, 0, 0], [0, 0, 0]]");
  g_autoptr(GeTensor) expected_full = ge_test_tensor_dtype ("[2.5, 2.5, 2.5, 2.5]",
                                                            GE_DTYPE_FLOAT64);

  ge_assert_tensor_equal (zeros, expected_zeros);
  ge_assert_tensor_equal (full, expected_full);
  g_assert_cmpint (ge_tensor_get_device (like), ==, GE_DEVICE_CUDA);
}

static void
test_random_is_philox (void)
{
  const gint64 n = 1001;
  const guint64 seed = 43052;

  ge_cuda_manual_seed (seed);
  for (int fill = 0; fill < 4; fill++)
    {
      gboolean normal = fill % 2 == 1;
      GeDType dtype = fill < 2 ? GE_DTYPE_FLOAT32 : GE_DTYPE_FLOAT64;
      g_autoptr(GeTensor) gpu = normal
        ? ge_tensor_randn_on (GE_DEVICE_CUDA, 1, &n, dtype, NULL, NULL)
        : ge_tensor_rand_on (GE_DEVICE_CUDA, 1, &n, dtype, NULL, NULL);
      g_autofree double *values = ge_tensor_to_doubles (gpu, NULL);

      for (gint64 i = 0; i < n; i++)
        {
          double expected;

          if (dtype == GE_DTYPE_FLOAT32)
            {
              float block[4];

              ge_philox_values_f32 (seed, fill, i / 4, normal, 0.0, 1.0, block);
              expected = block[i % 4];
            }
          else
            {
              double block[2];

              ge_philox_values_f64 (seed, fill, i / 2, normal, 0.0, 1.0, block);
              expected = block[i % 2];
            }
          /* the same bits for uniforms; sin/cos/log may differ in an ulp */
          if (normal)
            g_assert_cmpfloat_with_epsilon (values[i], expected, 1e-5 * (1.0 + fabs (expected)));
          else
            g_assert_cmpfloat (values[i], ==, expected);
        }
    }
}

static void
test_mixing_real_devices (void)
{
  g_autoptr(GeTensor) cpu = ge_test_tensor ("[1.0, 2.0]");
  g_autoptr(GeTensor) gpu = to_cuda (cpu);
  g_autoptr(GError) error = NULL;

  g_assert_null (ge_tensor_add (gpu, cpu, &error));
  g_assert_cmpstr (error->message, ==,
                   "Expected all tensors to be on the same device, but found at least two "
                   "devices, cuda:0 and cpu!");
}

static void
test_printing (void)
{
  g_autoptr(GeTensor) cpu = ge_test_tensor ("[1.0, 2.5]");
  g_autoptr(GeTensor) gpu = to_cuda (cpu);
  g_autofree char *text = ge_tensor_repr (gpu, NULL);

  g_assert_cmpstr (text, ==, "tensor([1.0000, 2.5000], device='cuda:0')");
}

static void
test_allocator_reuses_blocks (void)
{
  guint64 before = ge_cuda_memory_allocated ();
  guint64 reserved;

  {
    g_autoptr(GeTensor) t = ge_tensor_empty_on (GE_DEVICE_CUDA, 1, (gint64[]) { 1000 },
                                                GE_DTYPE_FLOAT32, NULL);

    g_assert_cmpuint (ge_cuda_memory_allocated (), >=, before + 4000);
  }
  g_assert_cmpuint (ge_cuda_memory_allocated (), ==, before);
  reserved = ge_cuda_memory_reserved ();
  {
    g_autoptr(GeTensor) again = ge_tensor_empty_on (GE_DEVICE_CUDA, 1, (gint64[]) { 1000 },
                                                    GE_DTYPE_FLOAT32, NULL);

    /* the cached block serves it: nothing new reserved */
    g_assert_cmpuint (ge_cuda_memory_reserved (), ==, reserved);
  }
  ge_cuda_empty_cache ();
  g_assert_cmpuint (ge_cuda_memory_reserved (), <, reserved);
}

/* A regression training step, as the playgrounds run it, on both devices. */
static void
test_training_steps_match (void)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (7);
  const gint64 n = 4096;
  GeTensor *params[2][2];
  g_autoptr(GeTensor) x = ge_tensor_randn (1, &n, GE_DTYPE_FLOAT32, generator, NULL);
  g_autoptr(GeTensor) y = ge_tensor_randn (1, &n, GE_DTYPE_FLOAT32, generator, NULL);
  g_autoptr(GeTensor) lr = ge_tensor_wrap_double (0.1);

  for (int d = 0; d < 2; d++)
    for (int p = 0; p < 2; p++)
      {
        g_autoptr(GeTensor) init = ge_tensor_scalar (p == 0 ? 0.5 : -0.25, GE_DTYPE_FLOAT32);

        params[d][p] = d == 0 ? ge_tensor_ref (init) : to_cuda (init);
        g_assert_true (ge_tensor_set_requires_grad (params[d][p], TRUE, NULL));
      }

  for (int d = 0; d < 2; d++)
    {
      g_autoptr(GeTensor) xd = d == 0 ? ge_tensor_ref (x) : to_cuda (x);
      g_autoptr(GeTensor) yd = d == 0 ? ge_tensor_ref (y) : to_cuda (y);

      for (int step = 0; step < 5; step++)
        {
          GeTensor *inputs[2];
          g_autoptr(GeTensor) wx = ge_tensor_mul (params[d][0], xd, NULL);
          g_autoptr(GeTensor) pred = ge_tensor_add (wx, params[d][1], NULL);
          g_autoptr(GeTensor) loss = NULL;

          inputs[0] = pred;
          inputs[1] = yd;
          loss = fw_mse (inputs, NULL);
          g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, NULL));
          for (int p = 0; p < 2; p++)
            {
              gboolean prev = ge_grad_mode_set_enabled (FALSE);
              g_autoptr(GeTensor) update = ge_tensor_mul (ge_tensor_get_grad (params[d][p]), lr, NULL);

              g_assert_true (ge_tensor_sub_ (params[d][p], update, NULL));
              g_assert_true (ge_tensor_zero_ (ge_tensor_get_grad (params[d][p]), NULL));
              ge_grad_mode_set_enabled (prev);
            }
        }
    }

  for (int p = 0; p < 2; p++)
    {
      ge_assert_tensor_close (params[1][p], params[0][p], 1e-5, 1e-6);
      ge_tensor_unref (params[0][p]);
      ge_tensor_unref (params[1][p]);
    }
}

/* ---- nn modules and optimisers: training steps on both sides ---- */

#define TRAIN_RTOL 1e-4
#define TRAIN_ATOL 1e-5

typedef void (*OptionsSetup) (GeOptimOptions *o);

typedef struct
{
  const char      *name;
  GeOptimizerKind  kind;
  OptionsSetup     setup;
} OptimCase;

static void sgd_momentum (GeOptimOptions *o) { o->lr = 0.05; o->momentum = 0.9; }
static void sgd_nesterov_decay (GeOptimOptions *o)
{
  o->lr = 0.05; o->momentum = 0.9; o->nesterov = TRUE; o->weight_decay = 1e-2;
}
static void sgd_dampening_maximize (GeOptimOptions *o)
{
  o->lr = 0.01; o->momentum = 0.5; o->dampening = 0.25; o->maximize = TRUE;
}
static void sgd_plain (GeOptimOptions *o) { o->lr = 0.1; }
static void rmsprop_plain (GeOptimOptions *o) { o->lr = 1e-2; }
static void rmsprop_centered_momentum (GeOptimOptions *o)
{
  o->lr = 1e-2; o->centered = TRUE; o->momentum = 0.9; o->weight_decay = 1e-3;
}
static void adam_plain (GeOptimOptions *o) { o->lr = 1e-2; }
static void adam_amsgrad_decay (GeOptimOptions *o)
{
  o->lr = 1e-2; o->amsgrad = TRUE; o->weight_decay = 1e-2; o->beta1 = 0.8;
}
static void adam_maximize (GeOptimOptions *o) { o->lr = 1e-3; o->maximize = TRUE; }

static const OptimCase optim_cases[] = {
  { "sgd", GE_OPTIMIZER_SGD, sgd_plain },
  { "sgd-momentum", GE_OPTIMIZER_SGD, sgd_momentum },
  { "sgd-nesterov-weight-decay", GE_OPTIMIZER_SGD, sgd_nesterov_decay },
  { "sgd-dampening-maximize", GE_OPTIMIZER_SGD, sgd_dampening_maximize },
  { "rmsprop", GE_OPTIMIZER_RMSPROP, rmsprop_plain },
  { "rmsprop-centered-momentum", GE_OPTIMIZER_RMSPROP, rmsprop_centered_momentum },
  { "adam", GE_OPTIMIZER_ADAM, adam_plain },
  { "adam-amsgrad-weight-decay", GE_OPTIMIZER_ADAM, adam_amsgrad_decay },
  { "adam-maximize", GE_OPTIMIZER_ADAM, adam_maximize },
};

static const char *const state_keys[] = {
  "momentum_buffer", "square_avg", "grad_avg", "exp_avg", "exp_avg_sq", "max_exp_avg_sq",
};

static GeOptimizer *
make_optimizer (const OptimCase  *c,
                GPtrArray        *params)
{
  GeOptimOptions o;
  GError *error = NULL;
  GeOptimizer *opt;

  ge_optim_options_init (&o, c->kind);
  c->setup (&o);
  opt = ge_optimizer_new (c->kind, params->len, (GeTensor **) params->pdata, &o, &error);
  g_assert_no_error (error);
  return opt;
}

/* The state of @p (CPU side) and @q (GPU side), key by key. */
static void
assert_states_close (GeOptimizer *cpu_opt,
                     GeTensor    *p,
                     GeOptimizer *gpu_opt,
                     GeTensor    *q,
                     double       rtol,
                     double       atol)
{
  g_assert_cmpfloat (ge_optimizer_get_step_count (gpu_opt, q), ==,
                     ge_optimizer_get_step_count (cpu_opt, p));
  for (guint k = 0; k < G_N_ELEMENTS (state_keys); k++)
    {
      GeTensor *a = ge_optimizer_get_state (cpu_opt, p, state_keys[k]);
      GeTensor *b = ge_optimizer_get_state (gpu_opt, q, state_keys[k]);

      if (a == NULL)
        {
          g_assert_null (b);
          continue;
        }
      g_assert_nonnull (b);
      g_assert_cmpint (ge_tensor_get_device (b), ==, gpu_device);
      ge_assert_tensor_close (b, a, rtol, atol);
    }
}

/* Sequential(Linear(3, 8), ReLU(), Linear(8, 1)) from @seed; on the GPU
 * side the Linears' parameters are replaced by copies there (what
 * module.cuda() does). */
static GeModule *
make_model (guint64  seed,
            gboolean on_gpu)
{
  g_autoptr(GeGenerator) generator = ge_generator_new (seed);
  GError *error = NULL;
  g_autoptr(GeModule) first = ge_linear_new (3, 8, TRUE, generator, &error);
  g_autoptr(GeModule) relu = ge_relu_new ();
  g_autoptr(GeModule) second = ge_linear_new (8, 1, TRUE, generator, &error);
  GeModule *layers[3] = { first, relu, second };

  g_assert_no_error (error);
  if (on_gpu)
    for (int i = 0; i < 3; i += 2)
      for (int j = 0; j < 2; j++)
        {
          const char *name = j == 0 ? "weight" : "bias";
          g_autoptr(GeTensor) moved = to_cuda (ge_module_get_parameter (layers[i], name));
          g_autoptr(GeTensor) param = ge_parameter_new (moved, TRUE, &error);

          g_assert_no_error (error);
          ge_module_register_parameter (layers[i], name, param);
        }
  return ge_sequential_new (3, layers);
}

/* One training step: zero_grad, forward, MSELoss, backward, step.
 * Returns the loss. */
static double
train_step (GeModule    *model,
            GeModule    *criterion,
            GeOptimizer *opt,
            GeTensor    *x,
            GeTensor    *y)
{
  g_autoptr(GeTensor) pred = NULL;
  g_autoptr(GeTensor) loss = NULL;
  GError *error = NULL;
  double value;

  g_assert_true (ge_optimizer_zero_grad (opt, FALSE, &error));
  pred = ge_module_forward (model, x, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_device (pred), ==, ge_tensor_get_device (x));
  loss = ge_module_forward_n (criterion, 2, (GeTensor *[]) { pred, y }, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_device (loss), ==, ge_tensor_get_device (x));
  g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (ge_optimizer_step (opt, &error));
  g_assert_no_error (error);
  g_assert_true (ge_tensor_item (loss, &value, &error));
  return value;
}

static void
test_training (gconstpointer data)
{
  const OptimCase *c = data;
  const int steps = 6;
  g_autoptr(GeGenerator) generator = ge_generator_new (g_str_hash (c->name));
  g_autoptr(GeTensor) x = ge_tensor_randn (2, (gint64[]) { 32, 3 }, GE_DTYPE_FLOAT32, generator, NULL);
  g_autoptr(GeTensor) y = ge_tensor_randn (2, (gint64[]) { 32, 1 }, GE_DTYPE_FLOAT32, generator, NULL);
  g_autoptr(GeTensor) gx = to_cuda (x);
  g_autoptr(GeTensor) gy = to_cuda (y);
  g_autoptr(GeModule) cpu_model = make_model (17, FALSE);
  g_autoptr(GeModule) gpu_model = make_model (17, TRUE);
  g_autoptr(GeModule) criterion = ge_mse_loss_new (GE_REDUCTION_MEAN);
  g_autoptr(GPtrArray) cpu_params = ge_module_parameters (cpu_model);
  g_autoptr(GPtrArray) gpu_params = ge_module_parameters (gpu_model);
  g_autoptr(GeOptimizer) cpu_opt = make_optimizer (c, cpu_params);
  g_autoptr(GeOptimizer) gpu_opt = make_optimizer (c, gpu_params);

  g_assert_cmpuint (cpu_params->len, ==, 4);
  g_assert_cmpuint (gpu_params->len, ==, 4);
  for (int step = 0; step < steps; step++)
    {
      double cpu_loss = train_step (cpu_model, criterion, cpu_opt, x, y);
      double gpu_loss;

      gpu_side_begin ();
      gpu_loss = train_step (gpu_model, criterion, gpu_opt, gx, gy);
      gpu_side_end ();
      g_assert_cmpfloat_with_epsilon (gpu_loss, cpu_loss, TRAIN_ATOL + TRAIN_RTOL * fabs (cpu_loss));
    }
  for (guint i = 0; i < cpu_params->len; i++)
    {
      GeTensor *p = g_ptr_array_index (cpu_params, i);
      GeTensor *q = g_ptr_array_index (gpu_params, i);

      g_assert_cmpint (ge_tensor_get_device (q), ==, gpu_device);
      g_assert_cmpint (ge_tensor_get_device (ge_tensor_get_grad (q)), ==, gpu_device);
      ge_assert_tensor_close (q, p, TRAIN_RTOL, TRAIN_ATOL);
      assert_states_close (cpu_opt, p, gpu_opt, q, TRAIN_RTOL, TRAIN_ATOL);
    }
}

/* The updates alone, with given gradients: a float32 matrix, a float64
 * vector and a non-contiguous float32 parameter (a transposed leaf).  With
 * --self-check the device op sequences must give the CPU loops' bits. */
static void
test_optimizer_updates (gconstpointer data)
{
  const OptimCase *c = data;
  const int steps = 5;
  g_autoptr(GeGenerator) generator = ge_generator_new (g_str_hash (c->name) + 1);
  g_autoptr(GPtrArray) cpu_params = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  g_autoptr(GPtrArray) gpu_params = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  g_autoptr(GeOptimizer) cpu_opt = NULL;
  g_autoptr(GeOptimizer) gpu_opt = NULL;
  static const GeDType dtypes[3] = { GE_DTYPE_FLOAT32, GE_DTYPE_FLOAT64, GE_DTYPE_FLOAT32 };
  static const gint64 shapes[3][2] = { { 4, 3 }, { 5, 1 }, { 3, 6 } };
  GError *error = NULL;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr(GeTensor) init = ge_tensor_randn (2, shapes[i], dtypes[i], generator, NULL);
      g_autoptr(GeTensor) cpu = NULL, gpu = NULL;

      if (i == 2)
        {
          /* a leaf whose memory is transposed */
          g_autoptr(GeTensor) dense = ge_tensor_clone (init, NULL);
          g_autoptr(GeTensor) moved = to_cuda (init);
          g_autoptr(GeTensor) t1 = ge_tensor_t (dense, NULL);
          g_autoptr(GeTensor) t2 = ge_tensor_t (moved, NULL);

          cpu = ge_tensor_detach (t1);
          gpu = ge_tensor_detach (t2);
          g_assert_false (ge_tensor_is_contiguous (cpu));
        }
      else
        {
          cpu = ge_tensor_clone (init, NULL);
          gpu = to_cuda (init);
        }
      g_assert_true (ge_tensor_set_requires_grad (cpu, TRUE, NULL));
      g_assert_true (ge_tensor_set_requires_grad (gpu, TRUE, NULL));
      g_ptr_array_add (cpu_params, g_steal_pointer (&cpu));
      g_ptr_array_add (gpu_params, g_steal_pointer (&gpu));
    }
  cpu_opt = make_optimizer (c, cpu_params);
  gpu_opt = make_optimizer (c, gpu_params);

  for (int step = 0; step < steps; step++)
    {
      for (guint i = 0; i < cpu_params->len; i++)
        {
          GeTensor *p = g_ptr_array_index (cpu_params, i);
          GeTensor *q = g_ptr_array_index (gpu_params, i);
          g_autoptr(GeTensor) grad = ge_tensor_randn (ge_tensor_get_ndim (p), ge_tensor_get_sizes (p),
                                                      ge_tensor_get_dtype (p), generator, NULL);
          g_autoptr(GeTensor) gpu_grad = to_cuda (grad);

          g_assert_true (ge_tensor_set_grad (p, grad, &error));
          g_assert_true (ge_tensor_set_grad (q, gpu_grad, &error));
        }
      g_assert_true (ge_optimizer_step (cpu_opt, &error));
      g_assert_no_error (error);
      gpu_side_begin ();
      g_assert_true (ge_optimizer_step (gpu_opt, &error));
      gpu_side_end ();
      g_assert_no_error (error);
    }

  for (guint i = 0; i < cpu_params->len; i++)
    {
      GeTensor *p = g_ptr_array_index (cpu_params, i);
      GeTensor *q = g_ptr_array_index (gpu_params, i);
      /* on the CPU the op sequences round exactly as the fused loops do */
      double rtol = self_check ? 0.0 : ge_tensor_get_dtype (p) == GE_DTYPE_FLOAT64 ? 1e-12 : 1e-5;
      double atol = self_check ? 0.0 : ge_tensor_get_dtype (p) == GE_DTYPE_FLOAT64 ? 1e-12 : 1e-6;

      g_assert_cmpint (ge_tensor_get_device (q), ==, gpu_device);
      g_assert_cmpint (ge_tensor_is_contiguous (q), ==, ge_tensor_is_contiguous (p));
      ge_assert_tensor_close (q, p, rtol, atol);
      assert_states_close (cpu_opt, p, gpu_opt, q, rtol, atol);
    }
}

/* A CPU scalar (0-dim) used with cuda tensors gets its gradient on the
 * CPU: PyTorch moves a 0-dim gradient to the input's device. */
static void
test_cpu_scalar_gradient (void)
{
  g_autoptr(GeTensor) x = ge_test_tensor ("[1.0, 2.0, 3.0]");
  g_autoptr(GeTensor) gx = to_cuda (x);
  g_autoptr(GeTensor) s = ge_tensor_scalar (2.5, GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) y = NULL;
  g_autoptr(GeTensor) loss = NULL;
  g_autoptr(GeTensor) expected_s = ge_test_tensor ("6.0");
  g_autoptr(GeTensor) expected_x = ge_test_tensor ("[2.5, 2.5, 2.5]");
  GError *error = NULL;

  g_assert_true (ge_tensor_set_requires_grad (gx, TRUE, NULL));
  g_assert_true (ge_tensor_set_requires_grad (s, TRUE, NULL));
  y = ge_tensor_mul (gx, s, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_device (y), ==, GE_DEVICE_CUDA);
  loss = ge_tensor_sum (y, &error);
  g_assert_true (ge_tensor_backward (loss, NULL, FALSE, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_device (ge_tensor_get_grad (s)), ==, GE_DEVICE_CPU);
  g_assert_cmpint (ge_tensor_get_device (ge_tensor_get_grad (gx)), ==, GE_DEVICE_CUDA);
  ge_assert_tensor_equal (ge_tensor_get_grad (s), expected_s);
  ge_assert_tensor_equal (ge_tensor_get_grad (gx), expected_x);
}

/* uniform_/normal_ of a cuda tensor fill it from the CUDA generator (the
 * Philox stream), as nn.Linear's reset_parameters does on cuda. */
static void
test_fills_use_cuda_generator (void)
{
  const guint64 seed = 7;
  const gint64 n = 10;
  g_autoptr(GeTensor) t = ge_tensor_empty_on (GE_DEVICE_CUDA, 1, &n, GE_DTYPE_FLOAT32, NULL);
  g_autofree double *values = NULL;
  guint64 version = ge_tensor_get_version (t);
  GError *error = NULL;

  ge_cuda_manual_seed (seed);
  g_assert_true (ge_tensor_uniform_ (t, -2.0, 2.0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ge_tensor_get_version (t), >, version);
  values = ge_tensor_to_doubles (t, NULL);
  for (gint64 i = 0; i < n; i++)
    {
      float block[4];

      /* u * 4 - 2: the product is exact, so nvcc's FMA rounds as the CPU */
      ge_philox_values_f32 (seed, 0, i / 4, FALSE, -2.0, 2.0, block);
      g_assert_cmpfloat (values[i], ==, block[i % 4]);
    }
  g_assert_true (ge_tensor_normal_ (t, 1.0, 0.5, NULL, &error));
  g_assert_no_error (error);
  /* argument errors are the CPU's */
  g_assert_false (ge_tensor_normal_ (t, 0.0, -1.0, NULL, &error));
  g_assert_cmpstr (error->message, ==, "normal expects std >= 0.0, but found std -1");
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--self-check"))
      self_check = TRUE;
  g_test_init (&argc, &argv, NULL);

  if (self_check)
    gpu_device = GE_DEVICE_CPU;
  else if (!ge_cuda_check_available (&error))
    {
      g_printerr ("test-cuda-parity: skipped, no CUDA device: %s\n", error->message);
      return 77;
    }
  else
    {
      g_autofree char *name = ge_cuda_get_device_name (0, NULL);
      g_test_message ("CUDA device: %s", name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strconcat ("/cuda/parity/op/", cases[i].name, NULL);

      g_test_add_data_func (path, &cases[i], run_case);
    }
  for (guint i = 0; i < G_N_ELEMENTS (optim_cases); i++)
    {
      g_autofree char *train_path = g_strconcat ("/cuda/parity/training/", optim_cases[i].name, NULL);
      g_autofree char *update_path = g_strconcat ("/cuda/parity/optim/", optim_cases[i].name, NULL);

      g_test_add_data_func (train_path, &optim_cases[i], test_training);
      g_test_add_data_func (update_path, &optim_cases[i], test_optimizer_updates);
    }
  if (self_check)
    return g_test_run ();
  g_test_add_func ("/cuda/parity/round-trip-is-exact", test_round_trip_is_exact);
  g_test_add_func ("/cuda/parity/to-records-backward", test_to_records_backward);
  g_test_add_func ("/cuda/parity/creation-on-device", test_creation_on_device);
  g_test_add_func ("/cuda/parity/random-is-philox", test_random_is_philox);
  g_test_add_func ("/cuda/parity/mixing-devices", test_mixing_real_devices);
  g_test_add_func ("/cuda/parity/printing", test_printing);
  g_test_add_func ("/cuda/parity/allocator-reuses-blocks", test_allocator_reuses_blocks);
  g_test_add_func ("/cuda/parity/training-steps-match", test_training_steps_match);
  g_test_add_func ("/cuda/parity/cpu-scalar-gradient", test_cpu_scalar_gradient);
  g_test_add_func ("/cuda/parity/fills-use-cuda-generator", test_fills_use_cuda_generator);

  return g_test_run ();
}
