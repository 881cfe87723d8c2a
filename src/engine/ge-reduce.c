/* ge-reduce.c - reductions: sum, mean, max/min and argmax over all or some dims */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <string.h>

#include "ge-device-private.h"
#include "ge-tensor-private.h"
#include "ge-ops-private.h"

/*
 * Every reduction runs through one plan: the input's dims (size-1 dims
 * dropped) ordered by increasing input stride, so that the innermost loop
 * walks memory in order, and merged where the input, the accumulator and the
 * reported index all step evenly across.  Each dim carries three strides in
 * elements: the input's, the accumulator's (0 on reduced dims) and the
 * index's (what argmax reports; 0 when no index is wanted).  Inner loops get
 * one run of the innermost dim.
 */

typedef enum
{
  INDEX_NONE,
  INDEX_REDUCED_DIM,   /* position along the single reduced dim */
  INDEX_FLAT,          /* row-major linear index into the input */
} IndexMode;

typedef struct
{
  int      ndim;
  gboolean empty;
  gint64   sizes[GE_MAX_DIMS];
  gint64   in_strides[GE_MAX_DIMS];
  gint64   out_strides[GE_MAX_DIMS];
  gint64   index_strides[GE_MAX_DIMS];
} ReducePlan;

/* Visits @n elements of the input from @in (stepping @in_stride elements);
 * element k goes to accumulator slot @out_offset + k * @out_stride and has
 * index @index + k * @index_stride. */
typedef void (*ReduceInner) (gpointer    state,
                             const char *in,
                             gint64      in_stride,
                             gint64      out_offset,
                             gint64      out_stride,
                             gint64      index,
                             gint64      index_stride,
                             gint64      n);

static void
swap_dims (ReducePlan *plan,
           int         i,
           int         j)
{
  gint64 t;

#define SWAP_FIELD(field) t = plan->field[i]; plan->field[i] = plan->field[j]; plan->field[j] = t
  SWAP_FIELD (sizes);
  SWAP_FIELD (in_strides);
  SWAP_FIELD (out_strides);
  SWAP_FIELD (index_strides);
#undef SWAP_FIELD
}

static void
reduce_plan_init (ReducePlan     *plan,
                  const GeTensor *self,
                  const gboolean *reduced,
                  IndexMode       index_mode)
{
  gint64 out_stride = 1;
  gint64 flat_stride = 1;
  int n = 0;

  plan->empty = FALSE;
  for (int d = self->ndim - 1; d >= 0; d--)
    {
      gint64 size = self->sizes[d];

      if (size == 0)
        plan->empty = TRUE;
      if (size != 1)
        {
          plan->sizes[n] = size;
          plan->in_strides[n] = self->strides[d];
          plan->out_strides[n] = reduced[d] ? 0 : out_stride;
          if (index_mode == INDEX_FLAT)
            plan->index_strides[n] = flat_stride;
          else if (index_mode == INDEX_REDUCED_DIM && reduced[d])
            plan->index_strides[n] = 1;
          else
            plan->index_strides[n] = 0;
          n++;
        }
      if (!reduced[d])
        out_stride *= size;
      flat_stride *= size;
    }

  if (n == 0)
    {
      /* One element (or a 0-dim tensor). */
      plan->ndim = 1;
      plan->sizes[0] = 1;
      plan->in_strides[0] = plan->out_strides[0] = plan->index_strides[0] = 0;
      return;
    }

  /* Memory order: smallest input stride innermost (stable insertion sort,
   * so that ties keep the logical innermost-first order). */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && ABS (plan->in_strides[j]) < ABS (plan->in_strides[j - 1]); j--)
      swap_dims (plan, j, j - 1);

  /* Merge dim i into the current one when all three strides step evenly. */
  {
    int merged = 0;

    for (int i = 1; i < n; i++)
      {
        gint64 size = plan->sizes[merged];

        if (plan->in_strides[i] == plan->in_strides[merged] * size &&
            plan->out_strides[i] == plan->out_strides[merged] * size &&
            plan->index_strides[i] == plan->index_strides[merged] * size)
          plan->sizes[merged] *= plan->sizes[i];
        else
          {
            merged++;
            if (merged != i)
              swap_dims (plan, merged, i);
          }
      }
    n = merged + 1;
  }

  /* A tiny innermost run (sum over the last dim of an N x 2 tensor) costs a
   * call per element; iterate the longer dim inside instead. */
  if (n >= 2 && plan->sizes[0] <= 4 && plan->sizes[1] > plan->sizes[0])
    swap_dims (plan, 0, 1);

  plan->ndim = n;
}

static gboolean
reduce_plan_run (const ReducePlan *plan,
                 const GeTensor   *self,
                 ReduceInner       inner,
                 gpointer          state,
                 GError          **error)
{
  gint64 counter[GE_MAX_DIMS] = { 0 };
  const char *base = ge_tensor_data_ptr (self);
  gsize elem = ge_dtype_size (self->dtype);
  gint64 in_offset = 0, out_offset = 0, index = 0;
  guint calls = 0;

  if (plan->empty)
    return TRUE;

  for (;;)
    {
      int d;

      inner (state, base + in_offset * (gint64) elem, plan->in_strides[0],
             out_offset, plan->out_strides[0], index, plan->index_strides[0],
             plan->sizes[0]);

      /* Long reductions stay interruptible. */
      if (++calls % 4096 == 0 && !ge_check_interrupt (error))
        return FALSE;

      for (d = 1; d < plan->ndim; d++)
        {
          in_offset += plan->in_strides[d];
          out_offset += plan->out_strides[d];
          index += plan->index_strides[d];
          if (++counter[d] < plan->sizes[d])
            break;
          in_offset -= plan->in_strides[d] * plan->sizes[d];
          out_offset -= plan->out_strides[d] * plan->sizes[d];
          index -= plan->index_strides[d] * plan->sizes[d];
          counter[d] = 0;
        }
      if (d >= plan->ndim)
        return TRUE;
    }
}

/* ---- dims and shapes ---- */

/* Fills @reduced (GE_MAX_DIMS entries) from @dims as PyTorch's
 * dim_list_to_bitset does; no dims means all of them. */
static gboolean
parse_dims (const GeTensor *self,
            int             n_dims,
            const int      *dims,
            gboolean       *reduced,
            GError        **error)
{
  for (int d = 0; d < GE_MAX_DIMS; d++)
    reduced[d] = n_dims == 0;

  for (int i = 0; i < n_dims; i++)
    {
      int dim = dims[i];

      if (!ge_normalize_dim (&dim, self->ndim, error))
        return FALSE;
      if (reduced[dim])
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "dim %d appears multiple times in the list of dims", dim);
          return FALSE;
        }
      reduced[dim] = TRUE;
    }
  return TRUE;
}

static int
reduced_shape (const GeTensor *self,
               const gboolean *reduced,
               gboolean        keepdim,
               gint64         *sizes)
{
  int ndim = 0;

  for (int d = 0; d < self->ndim; d++)
    {
      if (!reduced[d])
        sizes[ndim++] = self->sizes[d];
      else if (keepdim)
        sizes[ndim++] = 1;
    }
  return ndim;
}

static gint64
reduced_count (const GeTensor *self,
               const gboolean *reduced)
{
  gint64 count = 1;

  for (int d = 0; d < self->ndim; d++)
    if (reduced[d])
      count *= self->sizes[d];
  return count;
}

/* ---- sum ---- */

/* Integers (and bools, as 0/1) accumulate into int64 and wrap on overflow
 * like PyTorch; unsigned arithmetic keeps the wrap defined. */
#define DEFINE_SUM_INTEGRAL(name, T)                                          \
static void                                                                   \
name (gpointer    state,                                                      \
      const char *in,                                                         \
      gint64      in_stride,                                                  \
      gint64      out_offset,                                                 \
      gint64      out_stride,                                                 \
      gint64      index,                                                      \
      gint64      index_stride,                                               \
      gint64      n)                                                          \
{                                                                             \
  const T *restrict x = (const T *) in;                                       \
  guint64 *restrict acc = (guint64 *) state + out_offset;                     \
                                                                              \
  if (out_stride == 0)                                                        \
    {                                                                         \
      guint64 s = 0;                                                          \
                                                                              \
      if (in_stride == 1)                                                     \
        for (gint64 k = 0; k < n; k++)                                        \
          s += (guint64) x[k];                                                \
      else                                                                    \
        for (gint64 k = 0; k < n; k++)                                        \
          s += (guint64) x[k * in_stride];                                    \
      *acc += s;                                                              \
    }                                                                         \
  else                                                                        \
    {                                                                         \
      for (gint64 k = 0; k < n; k++)                                          \
        acc[k * out_stride] += (guint64) x[k * in_stride];                    \
    }                                                                         \
}

DEFINE_SUM_INTEGRAL (sum_int64_inner, gint64)
DEFINE_SUM_INTEGRAL (sum_bool_inner, guint8)

/*
 * Floating sums reproduce PyTorch 1.13's CPU "cascade_sum" exactly
 * (aten/src/ATen/native/cpu/SumKernel.cpp), so float32 results round the
 * same way as PyTorch's and print the same digits: the accumulator is the
 * dtype itself, rows are summed four-way interleaved (ILP) through a
 * multi-level accumulator, and contiguous rows in vectors of 32 bytes (8
 * floats, 4 doubles), whose lanes are added at the end.  TensorIterator
 * hands the kernel two dims at a time: @size0 x @size1 with byte strides.
 */

/* c10's CeilLog2 as SumKernel.cpp uses it */
static gint64
ceil_log2 (gint64 x)
{
  gint64 bits = 0;
  guint64 v;

  if (x <= 2)
    return 1;
  for (v = (guint64) x - 1; v > 1; v >>= 1)
    bits++;
  return bits + 1;
}

#define CASCADE_LEVELS 4

/* multi_row_sum: NROWS running sums of LANES lanes each; row i of the
 * reduced dim starts at in + i * row_stride, column k (of NROWS) at
 * + k * col_stride, lane l at + l * sizeof (T).  The LANES lanes are one
 * GCC vector (32 bytes, as ATen's Vectorized; lane-wise adds round exactly
 * as scalar ones), so that the running sums stay in registers; the adds and
 * their order are exactly ATen's. */
#define DEFINE_MULTI_ROW_SUM(T, suffix, NROWS, LANES)                                   \
typedef T suffix##_vec##LANES __attribute__ ((vector_size (LANES * sizeof (T))));       \
GE_SIMD_CLONES static void                                                              \
multi_row_sum_##suffix##_##NROWS##x##LANES (const char *in, gint64 row_stride,          \
                                            gint64 col_stride, gint64 size, T *out)     \
{                                                                                       \
  typedef suffix##_vec##LANES V;                                                        \
  gint64 level_power = MAX ((gint64) 4, ceil_log2 (size) / CASCADE_LEVELS);             \
  gint64 level_step = (gint64) 1 << level_power;                                        \
  gint64 level_mask = level_step - 1;                                                   \
  /* level 0 apart from the others, so that it can live in registers */                \
  V acc0[NROWS];                                                                        \
  V acc[CASCADE_LEVELS][NROWS];                                                         \
  gint64 i = 0;                                                                         \
                                                                                        \
  memset (acc0, 0, sizeof acc0);                                                        \
  memset (acc, 0, sizeof acc);                                                          \
  for (; i + level_step <= size;)                                                       \
    {                                                                                   \
      for (gint64 j = 0; j < level_step; j++, i++)                                      \
        _Pragma ("GCC unroll 4")                                                        \
        for (int k = 0; k < NROWS; k++)                                                 \
          {                                                                             \
            V v;                                                                        \
            memcpy (&v, in + i * row_stride + k * col_stride, sizeof v);                \
            acc0[k] += v;                                                               \
          }                                                                             \
      for (int k = 0; k < NROWS; k++)                                                   \
        {                                                                               \
          acc[1][k] += acc0[k];                                                         \
          acc0[k] = (V) { 0 };                                                          \
        }                                                                               \
      if ((i & (level_mask << level_power)) != 0)                                       \
        continue;                                                                       \
      for (int j = 2; j < CASCADE_LEVELS; j++)                                          \
        {                                                                               \
          for (int k = 0; k < NROWS; k++)                                               \
            {                                                                           \
              acc[j][k] += acc[j - 1][k];                                               \
              acc[j - 1][k] = (V) { 0 };                                                \
            }                                                                           \
          if ((i & (level_mask << (j * level_power))) != 0)                             \
            break;                                                                      \
        }                                                                               \
    }                                                                                   \
  for (; i < size; i++)                                                                 \
    for (int k = 0; k < NROWS; k++)                                                     \
      {                                                                                 \
        V v;                                                                            \
        memcpy (&v, in + i * row_stride + k * col_stride, sizeof v);                    \
        acc0[k] += v;                                                                   \
      }                                                                                 \
  for (int j = 1; j < CASCADE_LEVELS; j++)                                              \
    for (int k = 0; k < NROWS; k++)                                                     \
      acc0[k] += acc[j][k];                                                             \
  for (int k = 0; k < NROWS; k++)                                                       \
    memcpy (out + k * LANES, &acc0[k], sizeof (V));                                     \
}

/* row_sum: @size items (of LANES lanes) @stride bytes apart, four-way ILP */
#define DEFINE_ROW_SUM(T, suffix, LANES)                                                \
static void                                                                             \
row_sum_##suffix##_##LANES (const char *in, gint64 stride, gint64 size, T *out)         \
{                                                                                       \
  gint64 size_ilp = size / 4;                                                           \
  T partial[4 * LANES];                                                                 \
                                                                                        \
  multi_row_sum_##suffix##_4x##LANES (in, stride * 4, stride, size_ilp, partial);       \
  for (gint64 i = size_ilp * 4; i < size; i++)                                          \
    {                                                                                   \
      const T *p = (const T *) (in + i * stride);                                       \
      for (int l = 0; l < LANES; l++)                                                   \
        partial[l] += p[l];                                                             \
    }                                                                                   \
  for (int k = 1; k < 4; k++)                                                           \
    for (int l = 0; l < LANES; l++)                                                     \
      partial[l] += partial[k * LANES + l];                                             \
  for (int l = 0; l < LANES; l++)                                                       \
    out[l] = partial[l];                                                                \
}

DEFINE_MULTI_ROW_SUM (float, f32, 4, 8)
DEFINE_MULTI_ROW_SUM (float, f32, 4, 1)
DEFINE_MULTI_ROW_SUM (double, f64, 4, 4)
DEFINE_MULTI_ROW_SUM (double, f64, 4, 1)
DEFINE_ROW_SUM (float, f32, 8)
DEFINE_ROW_SUM (float, f32, 1)
DEFINE_ROW_SUM (double, f64, 4)
DEFINE_ROW_SUM (double, f64, 1)

#define DEFINE_CASCADE(T, suffix, LANES)                                                \
/* one call of cascade_sum's 2-D loop; outputs are accumulated (+=) */                  \
static void                                                                             \
cascade_loop_##suffix (char *out_base, const char *in_base, gint64 size0, gint64 size1, \
                       const gint64 *in_strides_arg, const gint64 *out_strides_arg)     \
{                                                                                       \
  const int lanes = LANES;                                              \
  gint64 in_strides[2] = { in_strides_arg[0], in_strides_arg[1] };                      \
  gint64 out_strides[2] = { out_strides_arg[0], out_strides_arg[1] };                   \
  const gint64 elem = sizeof (T);                                                       \
                                                                                        \
  /* the reduction first */                                                             \
  if (out_strides[0] != 0 && out_strides[1] == 0)                                       \
    {                                                                                   \
      gint64 t;                                                                         \
      t = in_strides[0], in_strides[0] = in_strides[1], in_strides[1] = t;              \
      t = out_strides[0], out_strides[0] = out_strides[1], out_strides[1] = t;          \
      t = size0, size0 = size1, size1 = t;                                              \
    }                                                                                   \
                                                                                        \
  if (out_strides[0] != 0 && out_strides[1] != 0)                                       \
    {                                                                                   \
      /* not a reduction here: elementwise accumulate */                                \
      for (gint64 j = 0; j < size1; j++)                                                \
        for (gint64 i = 0; i < size0; i++)                                              \
          *(T *) (out_base + i * out_strides[0] + j * out_strides[1]) +=                \
            *(const T *) (in_base + i * in_strides[0] + j * in_strides[1]);             \
      return;                                                                           \
    }                                                                                   \
                                                                                        \
  if (in_strides[0] == elem && size0 >= lanes)                                          \
    {                                                                                   \
      /* vectorized_inner_sum */                                                        \
      gint64 vec_size = size0 / lanes;                                                  \
      for (gint64 j = 0; j < size1; j++)                                                \
        {                                                                               \
          const char *row = in_base + j * in_strides[1];                                \
          T vec[8], final_acc = 0;                                                      \
          row_sum_##suffix##_##LANES (row, 32, vec_size, vec);                             \
          for (gint64 k = vec_size * lanes; k < size0; k++)                             \
            final_acc += *(const T *) (row + k * elem);                                 \
          for (int l = 0; l < lanes; l++)                                               \
            final_acc += vec[l];                                                        \
          *(T *) (out_base + j * out_strides[1]) += final_acc;                          \
        }                                                                               \
    }                                                                                   \
  else if (in_strides[1] == elem && size1 >= lanes)                                     \
    {                                                                                   \
      /* vectorized_outer_sum */                                                        \
      gint64 j = 0;                                                                     \
      T sums[4 * 8];                                                                    \
      for (; j + 4 * lanes <= size1; j += 4 * lanes)                                    \
        {                                                                               \
          multi_row_sum_##suffix##_4x##LANES (in_base + j * elem, in_strides[0], 32,       \
                                                  size0, sums);                                         \
          for (int k = 0; k < 4 * lanes; k++)                                           \
            *(T *) (out_base + (j + k) * out_strides[1]) += sums[k];                    \
        }                                                                               \
      for (; j + lanes <= size1; j += lanes)                                            \
        {                                                                               \
          row_sum_##suffix##_##LANES (in_base + j * elem, in_strides[0], size0, sums);     \
          for (int l = 0; l < lanes; l++)                                               \
            *(T *) (out_base + (j + l) * out_strides[1]) += sums[l];                    \
        }                                                                               \
      for (; j < size1; j++)                                                            \
        {                                                                               \
          row_sum_##suffix##_1 (in_base + j * elem, in_strides[0], size0, sums);         \
          *(T *) (out_base + j * out_strides[1]) += sums[0];                            \
        }                                                                               \
    }                                                                                   \
  else if (in_strides[0] < in_strides[1])                                               \
    {                                                                                   \
      /* scalar_inner_sum */                                                            \
      for (gint64 j = 0; j < size1; j++)                                                \
        {                                                                               \
          T ans;                                                                        \
          row_sum_##suffix##_1 (in_base + j * in_strides[1], in_strides[0], size0, &ans);\
          *(T *) (out_base + j * out_strides[1]) += ans;                                \
        }                                                                               \
    }                                                                                   \
  else                                                                                  \
    {                                                                                   \
      /* scalar_outer_sum */                                                            \
      gint64 j = 0;                                                                     \
      T sums[4];                                                                        \
      for (; j + 3 < size1; j += 4)                                                     \
        {                                                                               \
          multi_row_sum_##suffix##_4x1 (in_base + j * in_strides[1], in_strides[0],     \
                                            in_strides[1], size0, sums);                    \
          for (int k = 0; k < 4; k++)                                                   \
            *(T *) (out_base + (j + k) * out_strides[1]) += sums[k];                    \
        }                                                                               \
      for (; j < size1; j++)                                                            \
        {                                                                               \
          T ans;                                                                        \
          row_sum_##suffix##_1 (in_base + j * in_strides[1], in_strides[0], size0, &ans);\
          *(T *) (out_base + j * out_strides[1]) += ans;                                \
        }                                                                               \
    }                                                                                   \
}

DEFINE_CASCADE (float, f32, 8)
DEFINE_CASCADE (double, f64, 4)

/* TensorIterator's view of a reduction: dims (size-1 dims dropped) by
 * increasing input stride, coalesced where input and output both step
 * evenly; the kernel gets the first two, the rest are looped over with the
 * lowest dim fastest.  Strides in bytes. */
static void
cascade_sum (GeTensor       *self,
             const gboolean *reduced,
             GeTensor       *out)
{
  gint64 sizes[GE_MAX_DIMS], in_st[GE_MAX_DIMS], out_st[GE_MAX_DIMS];
  gint64 counter[GE_MAX_DIMS] = { 0 };
  gint64 elem = ge_dtype_size (self->dtype);
  gint64 out_stride = 1;
  int n = 0;

  /* output strides of the kept dims (contiguous output), in bytes */
  {
    gint64 ostrides[GE_MAX_DIMS];
    for (int d = self->ndim - 1; d >= 0; d--)
      {
        ostrides[d] = reduced[d] ? 0 : out_stride * elem;
        if (!reduced[d])
          out_stride *= self->sizes[d];
      }
    for (int d = self->ndim - 1; d >= 0; d--)
      {
        if (self->sizes[d] == 0)
          return;
        if (self->sizes[d] == 1)
          continue;
        sizes[n] = self->sizes[d];
        in_st[n] = self->strides[d] * elem;
        out_st[n] = ostrides[d];
        n++;
      }
  }
  /* stable sort by input stride, innermost first */
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && ABS (in_st[j]) < ABS (in_st[j - 1]); j--)
      {
        gint64 t;
        t = sizes[j], sizes[j] = sizes[j - 1], sizes[j - 1] = t;
        t = in_st[j], in_st[j] = in_st[j - 1], in_st[j - 1] = t;
        t = out_st[j], out_st[j] = out_st[j - 1], out_st[j - 1] = t;
      }
  /* coalesce */
  if (n > 1)
    {
      int m = 0;
      for (int i = 1; i < n; i++)
        {
          if (in_st[i] == in_st[m] * sizes[m] && out_st[i] == out_st[m] * sizes[m])
            sizes[m] *= sizes[i];
          else
            {
              m++;
              sizes[m] = sizes[i], in_st[m] = in_st[i], out_st[m] = out_st[i];
            }
        }
      n = m + 1;
    }
  while (n < 2)
    {
      sizes[n] = 1, in_st[n] = 0, out_st[n] = 0;
      n++;
    }

  for (;;)
    {
      const char *in = ge_tensor_data_ptr (self);
      char *o = ge_tensor_data_ptr (out);
      int d;

      for (d = 2; d < n; d++)
        {
          in += counter[d] * in_st[d];
          o += counter[d] * out_st[d];
        }
      if (self->dtype == GE_DTYPE_FLOAT32)
        cascade_loop_f32 (o, in, sizes[0], sizes[1], in_st, out_st);
      else
        cascade_loop_f64 (o, in, sizes[0], sizes[1], in_st, out_st);
      for (d = 2; d < n; d++)
        {
          if (++counter[d] < sizes[d])
            break;
          counter[d] = 0;
        }
      if (d >= n)
        return;
    }
}

/* Sums @self over @reduced into a new tensor of @out_sizes: float32 and
 * float64 keep their dtype, int64 and bool give int64.  With @divide_by_count,
 * divides by the number of reduced elements (mean). */
static GeTensor *
sum_reduced (GeTensor       *self,
             const gboolean *reduced,
             int             out_ndim,
             const gint64   *out_sizes,
             gboolean        divide_by_count,
             GError        **error)
{
  g_autoptr(GeTensor) out = NULL;
  GeDType out_dtype;
  ReducePlan plan;
  gint64 out_numel;
  ReduceInner inner;

  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    return ge_cuda_sum_reduced (self, reduced, out_ndim, out_sizes, divide_by_count, error);

  out_dtype = ge_dtype_is_floating (self->dtype) ? self->dtype : GE_DTYPE_INT64;
  out = ge_tensor_new_contiguous (out_ndim, out_sizes, out_dtype, error);
  if (out == NULL)
    return NULL;
  out_numel = ge_tensor_numel (out);

  if (ge_dtype_is_floating (out_dtype))
    {
      /* PyTorch's cascade sum, in the dtype; mean then divides (div_) */
      memset (ge_tensor_data_ptr (out), 0, out_numel * ge_dtype_size (out_dtype));
      cascade_sum (self, reduced, out);
      if (divide_by_count)
        {
          gint64 count = reduced_count (self, reduced);
          if (out_dtype == GE_DTYPE_FLOAT32)
            {
              float *data = ge_tensor_data_ptr (out);
              float c = (float) count;
              for (gint64 i = 0; i < out_numel; i++)
                data[i] = data[i] / c;
            }
          else
            {
              double *data = ge_tensor_data_ptr (out);
              for (gint64 i = 0; i < out_numel; i++)
                data[i] = data[i] / (double) count;
            }
        }
      if (!ge_check_interrupt (error))
        return NULL;
      return g_steal_pointer (&out);
    }

  /* int64 and bool: wrapping int64 sums straight into the result (mean
   * refuses integer inputs before getting here) */
  memset (ge_tensor_data_ptr (out), 0, out_numel * ge_dtype_size (out_dtype));
  switch (self->dtype)
    {
    case GE_DTYPE_INT64:   inner = sum_int64_inner; break;
    case GE_DTYPE_BOOL:    inner = sum_bool_inner; break;
    default:               g_return_val_if_reached (NULL);
    }
  reduce_plan_init (&plan, self, reduced, INDEX_NONE);
  if (!reduce_plan_run (&plan, self, inner, ge_tensor_data_ptr (out), error))
    return NULL;
  return g_steal_pointer (&out);
}

GeTensor *
ge_op_sum_dims (GeTensor   *self,
                    int         n_dims,
                    const int  *dims,
                    gboolean    keepdim,
                    GError    **error)
{
  gboolean reduced[GE_MAX_DIMS];
  gint64 sizes[GE_MAX_DIMS];
  int ndim;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_dims >= 0 && (n_dims == 0 || dims != NULL), NULL);

  if (!parse_dims (self, n_dims, dims, reduced, error))
    return NULL;
  ndim = reduced_shape (self, reduced, keepdim, sizes);
  return sum_reduced (self, reduced, ndim, sizes, FALSE, error);
}

GeTensor *
ge_op_sum (GeTensor  *self,
               GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return ge_op_sum_dims (self, 0, NULL, FALSE, error);
}

/* ---- mean ---- */

GeTensor *
ge_op_mean_dims (GeTensor   *self,
                     int         n_dims,
                     const int  *dims,
                     gboolean    keepdim,
                     GError    **error)
{
  gboolean reduced[GE_MAX_DIMS];
  gint64 sizes[GE_MAX_DIMS];
  int ndim;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_dims >= 0 && (n_dims == 0 || dims != NULL), NULL);

  /* PyTorch checks the dtype before the dims. */
  if (!ge_dtype_is_floating (self->dtype))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "mean(): could not infer output dtype. Input dtype must be either "
                   "a floating point or complex dtype. Got: %s",
                   ge_dtype_scalar_name (self->dtype));
      return NULL;
    }

  if (!parse_dims (self, n_dims, dims, reduced, error))
    return NULL;
  ndim = reduced_shape (self, reduced, keepdim, sizes);
  return sum_reduced (self, reduced, ndim, sizes, TRUE, error);
}

GeTensor *
ge_op_mean (GeTensor  *self,
                GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return ge_op_mean_dims (self, 0, NULL, FALSE, error);
}

/* ---- max / min over everything ---- */

typedef struct
{
  gboolean is_max;
  gboolean seen;
  gboolean nan;
  union
  {
    guint8 b;
    gint64 i;
    float  f;
    double d;
  } value;
} ExtremumState;

#define NEVER_NAN(v) FALSE
#define FLOAT_IS_NAN(v) isnan (v)

/* Like PyTorch's all-element kernels, an equal later element replaces the
 * current one (visible only with signed zeros); any NaN makes the result
 * NaN. */
#define DEFINE_EXTREMUM_ALL(name, T, field, IS_NAN)                           \
static void                                                                   \
name (gpointer    data,                                                       \
      const char *in,                                                         \
      gint64      in_stride,                                                  \
      gint64      out_offset,                                                 \
      gint64      out_stride,                                                 \
      gint64      index,                                                      \
      gint64      index_stride,                                               \
      gint64      n)                                                          \
{                                                                             \
  ExtremumState *state = data;                                                \
  const T *x = (const T *) in;                                                \
  gboolean nan = FALSE;                                                       \
  T m;                                                                        \
                                                                              \
  if (state->nan)                                                             \
    return;                                                                   \
  if (!state->seen)                                                           \
    {                                                                         \
      state->value.field = x[0];                                              \
      state->seen = TRUE;                                                     \
    }                                                                         \
  m = state->value.field;                                                     \
  if (state->is_max)                                                          \
    for (gint64 k = 0; k < n; k++)                                            \
      {                                                                       \
        T v = x[k * in_stride];                                               \
        nan |= IS_NAN (v);                                                    \
        m = v < m ? m : v;                                                    \
      }                                                                       \
  else                                                                        \
    for (gint64 k = 0; k < n; k++)                                            \
      {                                                                       \
        T v = x[k * in_stride];                                               \
        nan |= IS_NAN (v);                                                    \
        m = v > m ? m : v;                                                    \
      }                                                                       \
  state->value.field = m;                                                     \
  state->nan = nan;                                                           \
}

DEFINE_EXTREMUM_ALL (extremum_bool_inner, guint8, b, NEVER_NAN)
DEFINE_EXTREMUM_ALL (extremum_int64_inner, gint64, i, NEVER_NAN)
DEFINE_EXTREMUM_ALL (extremum_float_inner, float, f, FLOAT_IS_NAN)
DEFINE_EXTREMUM_ALL (extremum_double_inner, double, d, FLOAT_IS_NAN)

static GeTensor *
extremum_all (GeTensor    *self,
              gboolean     is_max,
              GError     **error)
{
  gboolean reduced[GE_MAX_DIMS];
  ExtremumState state = { 0 };
  ReducePlan plan;
  ReduceInner inner;
  GeTensor *out;
  void *data;

  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_numel (self) == 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "%s(): Expected reduction dim to be specified for input.numel() == 0. "
                   "Specify the reduction dim with the 'dim' argument.",
                   is_max ? "max" : "min");
      return NULL;
    }
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    return ge_cuda_extremum_all (self, is_max, error);

  switch (self->dtype)
    {
    case GE_DTYPE_BOOL:    inner = extremum_bool_inner; break;
    case GE_DTYPE_INT64:   inner = extremum_int64_inner; break;
    case GE_DTYPE_FLOAT32: inner = extremum_float_inner; break;
    case GE_DTYPE_FLOAT64: inner = extremum_double_inner; break;
    default:               g_return_val_if_reached (NULL);
    }

  for (int d = 0; d < GE_MAX_DIMS; d++)
    reduced[d] = TRUE;
  state.is_max = is_max;
  reduce_plan_init (&plan, self, reduced, INDEX_NONE);
  if (!reduce_plan_run (&plan, self, inner, &state, error))
    return NULL;

  out = ge_tensor_new_contiguous (0, NULL, self->dtype, error);
  if (out == NULL)
    return NULL;
  data = ge_tensor_data_ptr (out);
  switch (self->dtype)
    {
    case GE_DTYPE_BOOL:    *(guint8 *) data = state.value.b; break;
    case GE_DTYPE_INT64:   *(gint64 *) data = state.value.i; break;
    case GE_DTYPE_FLOAT32: *(float *) data = state.nan ? NAN : state.value.f; break;
    case GE_DTYPE_FLOAT64: *(double *) data = state.nan ? NAN : state.value.d; break;
    default:               g_assert_not_reached ();
    }
  return out;
}

GeTensor *
ge_op_max (GeTensor  *self,
               GError   **error)
{
  return extremum_all (self, TRUE, error);
}

GeTensor *
ge_op_min (GeTensor  *self,
               GError   **error)
{
  return extremum_all (self, FALSE, error);
}

/* ---- max / min / argmax with indices ---- */

typedef struct
{
  gboolean is_max;
  gpointer values;     /* the result's dtype, one per output element */
  gint64  *indices;    /* -1 until an element was seen */
} ArgState;

/* The PyTorch CPU rule: the first NaN wins; otherwise the extreme value,
 * the lowest index among equals.  Indices decide, not visiting order. */
#define DEFINE_ARG_INNER(name, T, IS_NAN)                                     \
static inline gboolean                                                        \
name##_better (gboolean is_max,                                               \
               T        v,                                                    \
               gint64   i,                                                    \
               T        best,                                                 \
               gint64   best_index)                                           \
{                                                                             \
  if (best_index < 0)                                                         \
    return TRUE;                                                              \
  if (IS_NAN (best))                                                          \
    return IS_NAN (v) && i < best_index;                                      \
  if (IS_NAN (v))                                                             \
    return TRUE;                                                              \
  if (v == best)                                                              \
    return i < best_index;                                                    \
  return is_max ? v > best : v < best;                                        \
}                                                                             \
                                                                              \
static void                                                                   \
name (gpointer    data,                                                       \
      const char *in,                                                         \
      gint64      in_stride,                                                  \
      gint64      out_offset,                                                 \
      gint64      out_stride,                                                 \
      gint64      index,                                                      \
      gint64      index_stride,                                               \
      gint64      n)                                                          \
{                                                                             \
  ArgState *state = data;                                                     \
  const T *x = (const T *) in;                                                \
  T *values = (T *) state->values + out_offset;                               \
  gint64 *indices = state->indices + out_offset;                              \
  gboolean is_max = state->is_max;                                            \
                                                                              \
  if (out_stride == 0)                                                        \
    {                                                                         \
      /* One output: keep the running best in registers. */                   \
      T best = *values;                                                       \
      gint64 best_index = *indices;                                           \
                                                                              \
      for (gint64 k = 0; k < n; k++)                                          \
        {                                                                     \
          T v = x[k * in_stride];                                             \
          gint64 i = index + k * index_stride;                                \
                                                                              \
          if (name##_better (is_max, v, i, best, best_index))                 \
            {                                                                 \
              best = v;                                                       \
              best_index = i;                                                 \
            }                                                                 \
        }                                                                     \
      *values = best;                                                         \
      *indices = best_index;                                                  \
    }                                                                         \
  else                                                                        \
    {                                                                         \
      for (gint64 k = 0; k < n; k++)                                          \
        {                                                                     \
          T v = x[k * in_stride];                                             \
          gint64 i = index + k * index_stride;                                \
          T *best = values + k * out_stride;                                  \
          gint64 *best_index = indices + k * out_stride;                      \
                                                                              \
          if (name##_better (is_max, v, i, *best, *best_index))               \
            {                                                                 \
              *best = v;                                                      \
              *best_index = i;                                                \
            }                                                                 \
        }                                                                     \
    }                                                                         \
}

DEFINE_ARG_INNER (arg_bool_inner, guint8, NEVER_NAN)
DEFINE_ARG_INNER (arg_int64_inner, gint64, NEVER_NAN)
DEFINE_ARG_INNER (arg_float_inner, float, FLOAT_IS_NAN)
DEFINE_ARG_INNER (arg_double_inner, double, FLOAT_IS_NAN)

/* Best values and their indices over @reduced; both results have
 * @out_sizes. */
static gboolean
arg_reduce (GeTensor        *self,
            const gboolean  *reduced,
            IndexMode        index_mode,
            gboolean         is_max,
            int              out_ndim,
            const gint64    *out_sizes,
            GeTensor       **values_out,
            GeTensor       **indices_out,
            GError         **error)
{
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) indices = NULL;
  ArgState state;
  ReducePlan plan;
  ReduceInner inner;
  gint64 n;

  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    return ge_cuda_arg_reduce (self, reduced, is_max, out_ndim, out_sizes,
                               values_out, indices_out, error);

  switch (self->dtype)
    {
    case GE_DTYPE_BOOL:    inner = arg_bool_inner; break;
    case GE_DTYPE_INT64:   inner = arg_int64_inner; break;
    case GE_DTYPE_FLOAT32: inner = arg_float_inner; break;
    case GE_DTYPE_FLOAT64: inner = arg_double_inner; break;
    default:               g_return_val_if_reached (FALSE);
    }

  values = ge_tensor_new_contiguous (out_ndim, out_sizes, self->dtype, error);
  if (values == NULL)
    return FALSE;
  indices = ge_tensor_new_contiguous (out_ndim, out_sizes, GE_DTYPE_INT64, error);
  if (indices == NULL)
    return FALSE;

  n = ge_tensor_numel (indices);
  state.is_max = is_max;
  state.values = ge_tensor_data_ptr (values);
  state.indices = ge_tensor_data_ptr (indices);
  memset (state.values, 0, n * ge_dtype_size (self->dtype));
  for (gint64 i = 0; i < n; i++)
    state.indices[i] = -1;

  reduce_plan_init (&plan, self, reduced, index_mode);
  if (!reduce_plan_run (&plan, self, inner, &state, error))
    return FALSE;

  *values_out = g_steal_pointer (&values);
  *indices_out = g_steal_pointer (&indices);
  return TRUE;
}

/* Checks @dim for max(dim)/min(dim)/argmax(dim) and sets @reduced. */
static gboolean
parse_reduction_dim (const GeTensor *self,
                     const char     *op,
                     int            *dim,
                     gboolean       *reduced,
                     GError        **error)
{
  if (!ge_normalize_dim (dim, self->ndim, error))
    return FALSE;
  if (self->ndim > 0 && self->sizes[*dim] == 0)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX,
                   "%s(): Expected reduction dim %d to have non-zero size.", op, *dim);
      return FALSE;
    }
  for (int d = 0; d < GE_MAX_DIMS; d++)
    reduced[d] = d == *dim;
  return TRUE;
}

static GeTensor *
extremum_dim (GeTensor    *self,
              int          dim,
              gboolean     keepdim,
              gboolean     is_max,
              GeTensor   **indices,
              GError     **error)
{
  gboolean reduced[GE_MAX_DIMS];
  gint64 sizes[GE_MAX_DIMS];
  GeTensor *values = NULL;
  GeTensor *index_tensor = NULL;
  int ndim;

  g_return_val_if_fail (self != NULL, NULL);

  if (!parse_reduction_dim (self, is_max ? "max" : "min", &dim, reduced, error))
    return NULL;
  ndim = reduced_shape (self, reduced, keepdim, sizes);
  if (!arg_reduce (self, reduced, INDEX_REDUCED_DIM, is_max, ndim, sizes,
                   &values, &index_tensor, error))
    return NULL;

  if (indices != NULL)
    *indices = index_tensor;
  else
    ge_tensor_unref (index_tensor);
  return values;
}

GeTensor *
ge_op_max_dim (GeTensor   *self,
                   int         dim,
                   gboolean    keepdim,
                   GeTensor  **indices,
                   GError    **error)
{
  return extremum_dim (self, dim, keepdim, TRUE, indices, error);
}

GeTensor *
ge_op_min_dim (GeTensor   *self,
                   int         dim,
                   gboolean    keepdim,
                   GeTensor  **indices,
                   GError    **error)
{
  return extremum_dim (self, dim, keepdim, FALSE, indices, error);
}

static gboolean
check_argmax_dtype (const GeTensor  *self,
                    GError         **error)
{
  if (self->dtype == GE_DTYPE_BOOL)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "\"argmax_cpu\" not implemented for 'Bool'");
      return FALSE;
    }
  return TRUE;
}

GeTensor *
ge_op_argmax (GeTensor  *self,
                  GError   **error)
{
  gboolean reduced[GE_MAX_DIMS];
  g_autoptr(GeTensor) values = NULL;
  GeTensor *indices = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_numel (self) == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_INDEX,
                           "argmax(): Expected reduction dim to be specified for "
                           "input.numel() == 0.");
      return NULL;
    }
  if (!check_argmax_dtype (self, error))
    return NULL;

  for (int d = 0; d < GE_MAX_DIMS; d++)
    reduced[d] = TRUE;
  if (!arg_reduce (self, reduced, INDEX_FLAT, TRUE, 0, NULL, &values, &indices, error))
    return NULL;
  return indices;
}

GeTensor *
ge_op_argmax_dim (GeTensor  *self,
                      int        dim,
                      gboolean   keepdim,
                      GError   **error)
{
  gboolean reduced[GE_MAX_DIMS];
  gint64 sizes[GE_MAX_DIMS];
  g_autoptr(GeTensor) values = NULL;
  GeTensor *indices = NULL;
  int ndim;

  g_return_val_if_fail (self != NULL, NULL);

  if (!parse_reduction_dim (self, "argmax", &dim, reduced, error))
    return NULL;
  if (!check_argmax_dtype (self, error))
    return NULL;

  ndim = reduced_shape (self, reduced, keepdim, sizes);
  if (!arg_reduce (self, reduced, INDEX_REDUCED_DIM, TRUE, ndim, sizes,
                   &values, &indices, error))
    return NULL;
  return indices;
}
