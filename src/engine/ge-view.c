/* ge-view.c - views that share storage (view, reshape, transpose, ...) and copies */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-device-private.h"
#include "ge-tensor-private.h"
#include "ge-ops-private.h"

/* ---- helpers ---- */

static gboolean
check_ndim (int      ndim,
            GError **error)
{
  if (ndim < 0 || ndim > GE_MAX_DIMS)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "Gradlab supports at most %d dimensions, but got %d", GE_MAX_DIMS, ndim);
      return FALSE;
    }
  return TRUE;
}

/* A view of @self's storage with new geometry; keeps the dtype. */
static GeTensor *
make_view (GeTensor     *self,
           int           ndim,
           const gint64 *sizes,
           const gint64 *strides,
           gint64        offset)
{
  return ge_tensor_new_with_storage (self->storage, self->dtype, ndim, sizes, strides, offset);
}

/* The type name PyTorch prints in expand()'s messages ("torch.FloatTensor"). */
static const char *
legacy_type_name (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return "CPUBoolType";
    case GE_DTYPE_INT64:   return "torch.LongTensor";
    case GE_DTYPE_FLOAT32: return "torch.FloatTensor";
    case GE_DTYPE_FLOAT64: return "torch.DoubleTensor";
    default:               return "torch.Tensor";
    }
}

/* PyTorch's infer_size: resolves one -1 in @shape against @numel. */
static gboolean
infer_size (int           ndim,
            const gint64 *shape,
            gint64        numel,
            gint64       *out,
            GError      **error)
{
  g_autofree char *shape_str = NULL;
  gint64 newsize = 1;
  int infer_dim = -1;

  for (int d = 0; d < ndim; d++)
    {
      if (shape[d] == -1)
        {
          if (infer_dim >= 0)
            {
              g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                                   "only one dimension can be inferred");
              return FALSE;
            }
          infer_dim = d;
        }
      else if (shape[d] >= 0)
        {
          /* Saturate: an overflowing product can never equal numel. */
          if (shape[d] != 0 && newsize > G_MAXINT64 / shape[d])
            newsize = G_MAXINT64;
          else
            newsize *= shape[d];
        }
      else
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "invalid shape dimension %" G_GINT64_FORMAT, shape[d]);
          return FALSE;
        }
    }

  if (numel == newsize || (infer_dim >= 0 && newsize > 0 && numel % newsize == 0))
    {
      if (ndim > 0)
        memcpy (out, shape, sizeof (gint64) * ndim);
      if (infer_dim >= 0)
        {
          if (newsize == 0)
            {
              shape_str = ge_shape_to_string (shape, ndim);
              g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "cannot reshape tensor of 0 elements into shape %s because the "
                           "unspecified dimension size -1 can be any value and is ambiguous",
                           shape_str);
              return FALSE;
            }
          out[infer_dim] = numel / newsize;
        }
      return TRUE;
    }

  shape_str = ge_shape_to_string (shape, ndim);
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
               "shape '%s' is invalid for input of size %" G_GINT64_FORMAT, shape_str, numel);
  return FALSE;
}

/* PyTorch's computeStride: strides that let (@new_ndim, @new_shape) view a
 * tensor of geometry (@old_ndim, @old_shape, @old_stride) without copying.
 * Dims of the old tensor are grouped into chunks that are contiguous with
 * each other; every chunk must be rebuilt exactly by consecutive new dims. */
static gboolean
compute_stride (int           old_ndim,
                const gint64 *old_shape,
                const gint64 *old_stride,
                int           new_ndim,
                const gint64 *new_shape,
                gint64       *new_stride)
{
  gint64 numel, chunk_base_stride, tensor_numel, view_numel;
  int view_d;

  if (old_ndim == 0)
    {
      for (int d = 0; d < new_ndim; d++)
        new_stride[d] = 1;
      return TRUE;
    }

  numel = ge_shape_numel (old_ndim, old_shape);
  if (numel == 0)
    {
      /* Strides are arbitrary here: keep the old ones for the same shape,
       * else use contiguous ones, as NumPy does. */
      if (old_ndim == new_ndim
          && memcmp (old_shape, new_shape, sizeof (gint64) * old_ndim) == 0)
        memcpy (new_stride, old_stride, sizeof (gint64) * old_ndim);
      else
        ge_contiguous_strides (new_ndim, new_shape, new_stride);
      return TRUE;
    }

  view_d = new_ndim - 1;
  chunk_base_stride = old_stride[old_ndim - 1];
  tensor_numel = 1;
  view_numel = 1;
  for (int tensor_d = old_ndim - 1; tensor_d >= 0; tensor_d--)
    {
      tensor_numel *= old_shape[tensor_d];
      /* End of a chunk: the next outer dim does not continue this one. */
      if (tensor_d == 0
          || (old_shape[tensor_d - 1] != 1
              && old_stride[tensor_d - 1] != tensor_numel * chunk_base_stride))
        {
          while (view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d] == 1))
            {
              new_stride[view_d] = view_numel * chunk_base_stride;
              view_numel *= new_shape[view_d];
              view_d--;
            }
          if (view_numel != tensor_numel)
            return FALSE;
          if (tensor_d > 0)
            {
              chunk_base_stride = old_stride[tensor_d - 1];
              tensor_numel = 1;
              view_numel = 1;
            }
        }
    }
  return view_d == -1;
}

/* ---- copies ---- */

static inline gint64
double_to_int64 (double value)
{
  /* x86's cvttsd2si, which PyTorch's casts compile to, gives INT64_MIN for
   * NaN, infinities and out-of-range values; C leaves those undefined. */
  if (value >= -9223372036854775808.0 && value < 9223372036854775808.0)
    return (gint64) value;
  return G_MININT64;
}

#define TO_BOOL(v)    ((guint8) ((v) != 0))
#define TO_INT64(v)   ((gint64) (v))
#define TO_FLOAT(v)   ((float) (v))
#define TO_DOUBLE(v)  ((double) (v))
#define FP_TO_INT64(v) double_to_int64 ((double) (v))

/* One inner loop per (destination, source) dtype pair: operand 0 is the
 * destination, operand 1 the source. */
#define DEFINE_CAST_LOOP(name, dst_type, src_type, CONVERT)                         \
  static void                                                                       \
  name (char         **data,                                                        \
        const gint64  *strides,                                                     \
        gint64         n,                                                           \
        gpointer       user_data)                                                   \
  {                                                                                 \
    char *dst = data[0];                                                            \
    const char *src = data[1];                                                      \
                                                                                    \
    for (gint64 i = 0; i < n; i++)                                                  \
      {                                                                             \
        src_type value = *(const src_type *) (const void *) (src + i * strides[1]); \
        *(dst_type *) (void *) (dst + i * strides[0]) = CONVERT (value);            \
      }                                                                             \
  }

DEFINE_CAST_LOOP (cast_bool_bool,       guint8, guint8, TO_BOOL)
DEFINE_CAST_LOOP (cast_bool_int64,      guint8, gint64, TO_BOOL)
DEFINE_CAST_LOOP (cast_bool_float32,    guint8, float,  TO_BOOL)
DEFINE_CAST_LOOP (cast_bool_float64,    guint8, double, TO_BOOL)
DEFINE_CAST_LOOP (cast_int64_bool,      gint64, guint8, TO_INT64)
DEFINE_CAST_LOOP (cast_int64_int64,     gint64, gint64, TO_INT64)
DEFINE_CAST_LOOP (cast_int64_float32,   gint64, float,  FP_TO_INT64)
DEFINE_CAST_LOOP (cast_int64_float64,   gint64, double, FP_TO_INT64)
DEFINE_CAST_LOOP (cast_float32_bool,    float,  guint8, TO_FLOAT)
DEFINE_CAST_LOOP (cast_float32_int64,   float,  gint64, TO_FLOAT)
DEFINE_CAST_LOOP (cast_float32_float32, float,  float,  TO_FLOAT)
DEFINE_CAST_LOOP (cast_float32_float64, float,  double, TO_FLOAT)
DEFINE_CAST_LOOP (cast_float64_bool,    double, guint8, TO_DOUBLE)
DEFINE_CAST_LOOP (cast_float64_int64,   double, gint64, TO_DOUBLE)
DEFINE_CAST_LOOP (cast_float64_float32, double, float,  TO_DOUBLE)
DEFINE_CAST_LOOP (cast_float64_float64, double, double, TO_DOUBLE)

/* [destination dtype][source dtype], in GeDType order. */
static const GeIterLoop cast_loops[GE_N_DTYPES][GE_N_DTYPES] = {
  { cast_bool_bool,    cast_bool_int64,    cast_bool_float32,    cast_bool_float64 },
  { cast_int64_bool,   cast_int64_int64,   cast_int64_float32,   cast_int64_float64 },
  { cast_float32_bool, cast_float32_int64, cast_float32_float32, cast_float32_float64 },
  { cast_float64_bool, cast_float64_int64, cast_float64_float32, cast_float64_float64 },
};

/* Same dtype: whole runs at once where both sides are dense. */
static void
copy_loop (char         **data,
          const gint64  *strides,
          gint64         n,
          gpointer       user_data)
{
  gsize elem = GPOINTER_TO_SIZE (user_data);
  char *dst = data[0];
  const char *src = data[1];

  if (strides[0] == (gint64) elem && strides[1] == (gint64) elem)
    {
      memcpy (dst, src, n * elem);
      return;
    }
  /* Moved as same-sized integers: bit patterns (NaN payloads) survive.  A
   * broadcast source into a dense destination (an expanded bias cloned
   * for addmm) is a fill. */
#define COPY_AS(T)                                                            \
  if (strides[0] == (gint64) sizeof (T) && strides[1] == 0)                   \
    {                                                                         \
      const T value = *(const T *) (const void *) src;                        \
      T *out = (T *) (void *) dst;                                            \
      for (gint64 i = 0; i < n; i++)                                          \
        out[i] = value;                                                       \
    }                                                                         \
  else                                                                        \
    for (gint64 i = 0; i < n; i++)                                            \
      *(T *) (void *) (dst + i * strides[0]) =                                \
        *(const T *) (const void *) (src + i * strides[1]);
  switch (elem)
    {
    case 1:
      COPY_AS (guint8);
      break;
    case 4:
      COPY_AS (guint32);
      break;
    case 8:
      COPY_AS (guint64);
      break;
    default:
      for (gint64 i = 0; i < n; i++)
        memcpy (dst + i * strides[0], src + i * strides[1], elem);
      break;
    }
#undef COPY_AS
}

/* Writes @src into @dst (same shape, any dtypes), converting like PyTorch. */
static void
copy_converting (GeTensor *dst,
                 GeTensor *src)
{
  GeTensor *operands[2] = { dst, src };
  gint64 numel = ge_tensor_numel (dst);
  GeIter iter;

  if (numel == 0)
    return;

  if (dst->dtype == src->dtype)
    {
      gsize elem = ge_dtype_size (dst->dtype);

      if (ge_tensor_is_contiguous (dst) && ge_tensor_is_contiguous (src))
        {
          memmove (ge_tensor_data_ptr (dst), ge_tensor_data_ptr (src), numel * elem);
          return;
        }
      ge_iter_init (&iter, dst->ndim, dst->sizes, 2, operands);
      ge_iter_run (&iter, copy_loop, GSIZE_TO_POINTER (elem));
      return;
    }

  ge_iter_init (&iter, dst->ndim, dst->sizes, 2, operands);
  ge_iter_run (&iter, cast_loops[dst->dtype][src->dtype], NULL);
}

/* A fresh contiguous tensor of @dtype holding @self's values. */
static GeTensor *
copy_to_new (GeTensor *self,
             GeDType   dtype,
             GError  **error)
{
  GeTensor *result = ge_tensor_new_contiguous_on (ge_tensor_get_device (self), self->ndim,
                                                  self->sizes, dtype, error);

  if (result == NULL)
    return NULL;
  if (ge_tensor_get_device (self) == GE_DEVICE_CUDA)
    {
      if (!ge_device_copy (result, self, error))
        g_clear_pointer (&result, ge_tensor_unref);
      return result;
    }
  copy_converting (result, self);
  return result;
}

/* ---- views ---- */

GeTensor *
ge_op_view (GeTensor      *self,
                int            ndim,
                const gint64  *shape,
                GError       **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ndim == 0 || shape != NULL, NULL);

  if (!check_ndim (ndim, error))
    return NULL;
  if (!infer_size (ndim, shape, ge_tensor_numel (self), sizes, error))
    return NULL;
  if (!compute_stride (self->ndim, self->sizes, self->strides, ndim, sizes, strides))
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "view size is not compatible with input tensor's size and stride "
                           "(at least one dimension spans across two contiguous subspaces). "
                           "Use .reshape(...) instead.");
      return NULL;
    }
  return make_view (self, ndim, sizes, strides, self->offset);
}

GeTensor *
ge_op_reshape (GeTensor      *self,
                   int            ndim,
                   const gint64  *shape,
                   GError       **error)
{
  g_autoptr(GeTensor) copy = NULL;
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ndim == 0 || shape != NULL, NULL);

  if (!check_ndim (ndim, error))
    return NULL;
  if (!infer_size (ndim, shape, ge_tensor_numel (self), sizes, error))
    return NULL;
  if (compute_stride (self->ndim, self->sizes, self->strides, ndim, sizes, strides))
    return make_view (self, ndim, sizes, strides, self->offset);

  copy = copy_to_new (self, self->dtype, error);
  if (copy == NULL)
    return NULL;
  return make_view (copy, ndim, sizes, NULL, 0);
}

GeTensor *
ge_op_squeeze (GeTensor *self)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];
  int ndim = 0;

  g_return_val_if_fail (self != NULL, NULL);

  for (int d = 0; d < self->ndim; d++)
    {
      if (self->sizes[d] == 1)
        continue;
      sizes[ndim] = self->sizes[d];
      strides[ndim] = self->strides[d];
      ndim++;
    }
  return make_view (self, ndim, sizes, strides, self->offset);
}

GeTensor *
ge_op_squeeze_dim (GeTensor  *self,
                       int        dim,
                       GError   **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];
  int ndim = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;

  for (int d = 0; d < self->ndim; d++)
    {
      /* Only a size-1 @dim goes; any other size leaves the shape alone. */
      if (d == dim && self->sizes[d] == 1)
        continue;
      sizes[ndim] = self->sizes[d];
      strides[ndim] = self->strides[d];
      ndim++;
    }
  return make_view (self, ndim, sizes, strides, self->offset);
}

GeTensor *
ge_op_unsqueeze (GeTensor  *self,
                     int        dim,
                     GError   **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];

  g_return_val_if_fail (self != NULL, NULL);

  if (!ge_normalize_dim (&dim, self->ndim + 1, error))
    return NULL;
  if (!check_ndim (self->ndim + 1, error))
    return NULL;

  for (int d = 0, s = 0; d <= self->ndim; d++)
    {
      if (d == dim)
        {
          sizes[d] = 1;
          /* PyTorch's choice: the stride the dim would have if it were real. */
          strides[d] = dim >= self->ndim ? 1 : self->sizes[dim] * self->strides[dim];
          continue;
        }
      sizes[d] = self->sizes[s];
      strides[d] = self->strides[s];
      s++;
    }
  return make_view (self, self->ndim + 1, sizes, strides, self->offset);
}

GeTensor *
ge_op_transpose (GeTensor  *self,
                     int        dim0,
                     int        dim1,
                     GError   **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];

  g_return_val_if_fail (self != NULL, NULL);

  if (!ge_normalize_dim (&dim0, self->ndim, error)
      || !ge_normalize_dim (&dim1, self->ndim, error))
    return NULL;

  memcpy (sizes, self->sizes, sizeof sizes);
  memcpy (strides, self->strides, sizeof strides);
  if (self->ndim > 0)
    {
      sizes[dim0] = self->sizes[dim1];
      sizes[dim1] = self->sizes[dim0];
      strides[dim0] = self->strides[dim1];
      strides[dim1] = self->strides[dim0];
    }
  return make_view (self, self->ndim, sizes, strides, self->offset);
}

GeTensor *
ge_op_t (GeTensor  *self,
             GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->ndim > 2)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "t() expects a tensor with <= 2 dimensions, but self is %dD", self->ndim);
      return NULL;
    }
  return ge_op_transpose (self, 0, self->ndim < 2 ? 0 : 1, error);
}

GeTensor *
ge_op_permute (GeTensor   *self,
                   int         ndim,
                   const int  *dims,
                   GError    **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];
  gboolean seen[GE_MAX_DIMS] = { FALSE };

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ndim <= 0 || dims != NULL, NULL);

  if (ndim != self->ndim)
    {
      /* Sic: 1.13 names the sparse overload in this message for every layout. */
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "permute(sparse_coo): number of dimensions in the tensor input does not "
                   "match the length of the desired ordering of dimensions i.e. input.dim() = "
                   "%d is not equal to len(dims) = %d", self->ndim, ndim);
      return NULL;
    }

  for (int i = 0; i < ndim; i++)
    {
      int d = dims[i];

      if (!ge_normalize_dim (&d, self->ndim, error))
        return NULL;
      if (seen[d])
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                               "permute(): duplicate dims are not allowed.");
          return NULL;
        }
      seen[d] = TRUE;
      sizes[i] = self->sizes[d];
      strides[i] = self->strides[d];
    }
  return make_view (self, ndim, sizes, strides, self->offset);
}

GeTensor *
ge_op_select (GeTensor  *self,
                  int        dim,
                  gint64     index,
                  GError   **error)
{
  g_autofree char *shape = NULL;
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];
  gint64 size;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->ndim == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_INDEX,
                           "select() cannot be applied to a 0-dim tensor.");
      return NULL;
    }
  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;

  size = self->sizes[dim];
  if (index < -size || index >= size)
    {
      shape = ge_shape_to_string (self->sizes, self->ndim);
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX,
                   "select(): index %" G_GINT64_FORMAT " out of range for tensor of size %s "
                   "at dimension %d", index, shape, dim);
      return NULL;
    }
  if (index < 0)
    index += size;

  for (int d = 0, out = 0; d < self->ndim; d++)
    {
      if (d == dim)
        continue;
      sizes[out] = self->sizes[d];
      strides[out] = self->strides[d];
      out++;
    }
  return make_view (self, self->ndim - 1, sizes, strides,
                    self->offset + index * self->strides[dim]);
}

GeTensor *
ge_op_slice (GeTensor  *self,
                 int        dim,
                 gint64     start,
                 gint64     stop,
                 gint64     step,
                 GError   **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];
  gint64 size, length;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->ndim == 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_INDEX,
                           "slice() cannot be applied to a 0-dim tensor.");
      return NULL;
    }
  if (!ge_normalize_dim (&dim, self->ndim, error))
    return NULL;
  if (step <= 0)
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "slice step must be positive");
      return NULL;
    }

  /* Python's clamping, as aten::slice does it. */
  size = self->sizes[dim];
  if (start < 0)
    start = start < -size ? 0 : start + size;
  else if (start > size)
    start = size;
  if (stop < 0)
    stop = stop < -size ? 0 : stop + size;
  else if (stop > size)
    stop = size;
  if (stop < start)
    stop = start;

  length = stop - start;
  memcpy (sizes, self->sizes, sizeof (gint64) * self->ndim);
  memcpy (strides, self->strides, sizeof (gint64) * self->ndim);
  sizes[dim] = length == 0 ? 0 : (length - 1) / step + 1;
  strides[dim] = self->strides[dim] * step;
  return make_view (self, self->ndim, sizes, strides, self->offset + start * self->strides[dim]);
}

GeTensor *
ge_op_expand (GeTensor      *self,
                  int            ndim,
                  const gint64  *target,
                  GError       **error)
{
  gint64 sizes[GE_MAX_DIMS];
  gint64 strides[GE_MAX_DIMS];

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ndim <= 0 || target != NULL, NULL);

  if (ndim < self->ndim)
    {
      g_autofree char *tensor_shape = ge_shape_to_string (self->sizes, self->ndim);
      g_autofree char *target_shape = ge_shape_to_string (target, MAX (ndim, 0));

      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "expand(%s{%s}, size=%s): the number of sizes provided (%d) must be greater "
                   "or equal to the number of dimensions in the tensor (%d)",
                   legacy_type_name (self->dtype), tensor_shape, target_shape, ndim, self->ndim);
      return NULL;
    }
  if (!check_ndim (ndim, error))
    return NULL;

  /* PyTorch's inferExpandGeometry, innermost dim first. */
  for (int i = ndim - 1; i >= 0; i--)
    {
      int offset = ndim - 1 - i;
      int dim = self->ndim - 1 - offset;
      gint64 size = dim >= 0 ? self->sizes[dim] : 1;
      gint64 stride = dim >= 0 ? self->strides[dim]
                               : (i + 1 < ndim ? sizes[i + 1] * strides[i + 1] : 1);
      gint64 target_size = target[i];

      if (target_size == -1)
        {
          if (dim < 0)
            {
              g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "The expanded size of the tensor (-1) isn't allowed in a leading, "
                           "non-existing dimension %d", i);
              return NULL;
            }
          target_size = size;
        }
      if (size != target_size)
        {
          if (size != 1)
            {
              g_autofree char *target_shape = ge_shape_to_string (target, ndim);
              g_autofree char *tensor_shape = ge_shape_to_string (self->sizes, self->ndim);

              g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "The expanded size of the tensor (%" G_GINT64_FORMAT ") must match "
                           "the existing size (%" G_GINT64_FORMAT ") at non-singleton dimension "
                           "%d.  Target sizes: %s.  Tensor sizes: %s",
                           target_size, size, i, target_shape, tensor_shape);
              return NULL;
            }
          size = target_size;
          stride = 0;
        }
      sizes[i] = size;
      strides[i] = stride;
    }

  /* A negative size slipped through a singleton dim: PyTorch fails in its
   * overflow-checked numel with this message. */
  for (int i = 0; i < ndim; i++)
    if (sizes[i] < 0)
      {
        g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                             "numel: integer multiplication overflow");
        return NULL;
      }

  return make_view (self, ndim, sizes, strides, self->offset);
}

GeTensor *
ge_op_as_strided (GeTensor      *self,
                      int            ndim,
                      const gint64  *sizes,
                      const gint64  *strides,
                      gint64         offset)
{
  gint64 last = offset;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (ndim >= 0 && ndim <= GE_MAX_DIMS, NULL);
  g_return_val_if_fail (ndim == 0 || (sizes != NULL && strides != NULL), NULL);
  g_return_val_if_fail (offset >= 0, NULL);

  /* The furthest element must lie inside the storage. */
  for (int d = 0; d < ndim; d++)
    {
      g_return_val_if_fail (sizes[d] >= 0 && strides[d] >= 0, NULL);
      if (sizes[d] == 0)
        return make_view (self, ndim, sizes, strides, offset);
      last += (sizes[d] - 1) * strides[d];
    }
  g_return_val_if_fail ((guint64) (last + 1) * ge_dtype_size (self->dtype)
                        <= self->storage->nbytes, NULL);

  return make_view (self, ndim, sizes, strides, offset);
}

/* ---- contiguous, clone, to_dtype ---- */

GeTensor *
ge_op_contiguous (GeTensor  *self,
                      GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_is_contiguous (self))
    return ge_tensor_ref (self);
  return copy_to_new (self, self->dtype, error);
}

GeTensor *
ge_op_clone (GeTensor  *self,
                 GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return copy_to_new (self, self->dtype, error);
}

GeTensor *
ge_op_to_dtype (GeTensor  *self,
                    GeDType    dtype,
                    GError   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  if ((guint) dtype >= GE_N_DTYPES)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_TYPE, "unknown dtype %d", (int) dtype);
      return NULL;
    }
  if (dtype == self->dtype)
    return ge_tensor_ref (self);
  return copy_to_new (self, dtype, error);
}
