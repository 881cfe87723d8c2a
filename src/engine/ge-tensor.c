/* ge-tensor.c - storage, tensor headers, properties, element access */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ge-autograd-private.h"
#include "ge-device-private.h"
#include "ge-pool.h"

/* Big buffers are 64-byte aligned for the BLAS and vector loops. */
#define GE_STORAGE_ALIGNMENT 64

/*
 * Small allocations dominate the cost of the lessons' training loops
 * (thousands of ops on a few thousand elements), so freed storages and
 * tensor headers are kept for reuse: storages in buckets by exact size
 * (up to 4 MiB each, 64 MiB in all; off under AddressSanitizer, like the
 * free lists of ge-pool.h that keep headers, storages and version
 * counters).  The engine is used from one thread at a time.
 */
#define STORAGE_CACHE_MAX_BYTES   ((gsize) 4 << 20)
#define STORAGE_CACHE_TOTAL_BYTES ((gsize) 64 << 20)
#define STORAGE_CACHE_PER_SIZE    64

static GHashTable *storage_cache;     /* nbytes -> GPtrArray of data blocks */
static gsize storage_cache_bytes;
static GePool header_pool = GE_POOL_INIT (GeTensor);
static GePool storage_pool = GE_POOL_INIT (GeStorage);
static GePool version_pool = GE_POOL_INIT (GeVersionCounter);

static GeVersionCounter *
version_counter_new (void)
{
  GeVersionCounter *counter = ge_pool_alloc0 (&version_pool);

  counter->ref_count = 1;
  return counter;
}


/* The bucket for @nbytes, or NULL; a loop's few sizes are remembered in
 * front of the table. */
static GPtrArray *
storage_cache_bucket (gsize nbytes)
{
  static gsize recent_size[4];
  static GPtrArray *recent_bucket[4];
  static guint next;
  GPtrArray *bucket;

  for (guint i = 0; i < G_N_ELEMENTS (recent_size); i++)
    if (recent_size[i] == nbytes && recent_bucket[i] != NULL)
      return recent_bucket[i];
  bucket = g_hash_table_lookup (storage_cache, GSIZE_TO_POINTER (nbytes));
  if (bucket != NULL)
    {
      recent_size[next] = nbytes;
      recent_bucket[next] = bucket;
      next = (next + 1) % G_N_ELEMENTS (recent_size);
    }
  return bucket;
}

static gpointer
storage_cache_take (gsize nbytes)
{
  GPtrArray *bucket;

  if (!GE_POOL_ENABLED || storage_cache == NULL || nbytes > STORAGE_CACHE_MAX_BYTES)
    return NULL;
  bucket = storage_cache_bucket (nbytes);
  if (bucket == NULL || bucket->len == 0)
    return NULL;
  storage_cache_bytes -= nbytes;
  return g_ptr_array_steal_index_fast (bucket, bucket->len - 1);
}

static gboolean
storage_cache_give (gpointer data,
                    gsize    nbytes)
{
  GPtrArray *bucket;

  if (!GE_POOL_ENABLED || nbytes > STORAGE_CACHE_MAX_BYTES ||
      storage_cache_bytes + nbytes > STORAGE_CACHE_TOTAL_BYTES)
    return FALSE;
  if (storage_cache == NULL)
    storage_cache = g_hash_table_new (g_direct_hash, g_direct_equal);
  bucket = storage_cache_bucket (nbytes);
  if (bucket == NULL)
    {
      bucket = g_ptr_array_new ();
      g_hash_table_insert (storage_cache, GSIZE_TO_POINTER (nbytes), bucket);
    }
  if (bucket->len >= STORAGE_CACHE_PER_SIZE)
    return FALSE;
  g_ptr_array_add (bucket, data);
  storage_cache_bytes += nbytes;
  return TRUE;
}

GeStorage *
ge_storage_new (gsize     nbytes,
                GeDevice  device,
                GError  **error)
{
  GeStorage *storage;
  gpointer data = NULL;

  nbytes = MAX (nbytes, 1);
  if (device == GE_DEVICE_CUDA)
    {
      /* device memory from the CUDA caching allocator (ge-device.c) */
      data = ge_device_alloc (nbytes, error);
      if (data == NULL)
        return NULL;
      storage = ge_pool_alloc0 (&storage_pool);
      storage->ref_count = 1;
      storage->version = version_counter_new ();
      storage->device = device;
      storage->nbytes = nbytes;
      storage->data = data;
      storage->free_func = ge_device_free;
      storage->free_data = data;
      return storage;
    }

  data = storage_cache_take (nbytes);
  if (data == NULL && (posix_memalign (&data, GE_STORAGE_ALIGNMENT, nbytes) != 0 || data == NULL))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_MEMORY,
                   "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: "
                   "can't allocate memory: you tried to allocate %" G_GSIZE_FORMAT
                   " bytes. Error code 12 (Cannot allocate memory)", nbytes);
      return NULL;
    }

  storage = ge_pool_alloc0 (&storage_pool);
  storage->ref_count = 1;
  storage->version = version_counter_new ();
  storage->device = device;
  storage->nbytes = nbytes;
  storage->data = data;
  storage->free_func = free;
  storage->free_data = data;
  return storage;
}

static void
version_counter_unref (GeVersionCounter *counter)
{
  if (counter != NULL && --counter->ref_count == 0)
    ge_pool_free (&version_pool, counter);
}

GeStorage *
ge_storage_ref (GeStorage *storage)
{
  g_return_val_if_fail (storage != NULL, NULL);
  storage->ref_count++;
  return storage;
}

void
ge_storage_unref (GeStorage *storage)
{
  if (storage == NULL)
    return;
  g_return_if_fail (storage->ref_count > 0);
  if (--storage->ref_count > 0)
    return;
  if (storage->free_func == free && storage->free_data == storage->data &&
      storage_cache_give (storage->data, storage->nbytes))
    ;   /* kept for reuse */
  else if (storage->free_func != NULL)
    storage->free_func (storage->free_data);
  version_counter_unref (storage->version);
  ge_pool_free (&storage_pool, storage);
}

void
ge_contiguous_strides (int           ndim,
                       const gint64 *sizes,
                       gint64       *strides)
{
  gint64 stride = 1;

  for (int d = ndim - 1; d >= 0; d--)
    {
      strides[d] = stride;
      stride *= MAX (sizes[d], 1);
    }
}

gint64
ge_shape_numel (int           ndim,
                const gint64 *sizes)
{
  gint64 n = 1;

  for (int d = 0; d < ndim; d++)
    n *= sizes[d];
  return n;
}

GeTensor *
ge_tensor_new_with_storage (GeStorage    *storage,
                            GeDType       dtype,
                            int           ndim,
                            const gint64 *sizes,
                            const gint64 *strides,
                            gint64        offset)
{
  GeTensor *self;

  g_return_val_if_fail (storage != NULL, NULL);
  g_return_val_if_fail (ndim >= 0 && ndim <= GE_MAX_DIMS, NULL);

  self = ge_pool_alloc0 (&header_pool);
  self->ref_count = 1;
  self->storage = ge_storage_ref (storage);
  self->version = storage->version;
  self->version->ref_count++;
  self->dtype = dtype;
  self->ndim = ndim;
  if (ndim > 0)
    {
      memcpy (self->sizes, sizes, sizeof (gint64) * ndim);
      if (strides != NULL)
        memcpy (self->strides, strides, sizeof (gint64) * ndim);
      else
        ge_contiguous_strides (ndim, sizes, self->strides);
    }
  self->offset = offset;
  return self;
}

GeTensor *
ge_tensor_new_contiguous (int           ndim,
                          const gint64 *sizes,
                          GeDType       dtype,
                          GError      **error)
{
  return ge_tensor_new_contiguous_on (GE_DEVICE_CPU, ndim, sizes, dtype, error);
}

GeTensor *
ge_tensor_new_contiguous_on (GeDevice      device,
                             int           ndim,
                             const gint64 *sizes,
                             GeDType       dtype,
                             GError      **error)
{
  g_autofree char *shape = NULL;
  GeStorage *storage;
  GeTensor *self;
  guint64 numel = 1;
  gsize nbytes;

  if (ndim < 0 || ndim > GE_MAX_DIMS)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "Gradlab supports at most %d dimensions, but got %d", GE_MAX_DIMS, ndim);
      return NULL;
    }

  for (int d = 0; d < ndim; d++)
    {
      if (sizes[d] < 0)
        {
          shape = ge_shape_to_string (sizes, ndim);
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Trying to create tensor with negative dimension %" G_GINT64_FORMAT ": %s",
                       sizes[d], shape);
          return NULL;
        }
    }

  /* PyTorch refuses shapes whose byte size overflows 64 bits. */
  {
    gboolean overflow = FALSE, empty = FALSE;

    for (int d = 0; d < ndim; d++)
      {
        if (sizes[d] == 0)
          empty = TRUE;
        else if (numel > G_MAXINT64 / (guint64) sizes[d])
          overflow = TRUE;
        else
          numel *= (guint64) sizes[d];
      }
    if (!empty && (overflow || numel > G_MAXINT64 / ge_dtype_size (dtype)))
      {
        shape = ge_shape_to_string (sizes, ndim);
        g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                     "Storage size calculation overflowed with sizes=%s", shape);
        return NULL;
      }
    if (empty)
      numel = 0;
  }
  nbytes = numel * ge_dtype_size (dtype);

  storage = ge_storage_new (nbytes, device, error);
  if (storage == NULL)
    return NULL;

  self = ge_tensor_new_with_storage (storage, dtype, ndim, sizes, NULL, 0);
  ge_storage_unref (storage);
  return self;
}

GeTensor *
ge_tensor_ref (GeTensor *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  self->ref_count++;
  return self;
}

void
ge_tensor_unref (GeTensor *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (self->ref_count > 0);
  if (--self->ref_count > 0)
    return;
  g_clear_pointer (&self->autograd, ge_autograd_meta_free);
  version_counter_unref (self->version);
  ge_storage_unref (self->storage);
  ge_pool_free (&header_pool, self);
}

GeDType
ge_tensor_get_dtype (const GeTensor *self)
{
  return self->dtype;
}

GeDevice
ge_tensor_get_device (const GeTensor *self)
{
  return self->storage->device;
}

int
ge_tensor_get_ndim (const GeTensor *self)
{
  return self->ndim;
}

gint64
ge_tensor_get_size (const GeTensor *self,
                    int             dim)
{
  if (dim < 0)
    dim += self->ndim;
  if (dim < 0 || dim >= self->ndim)
    return -1;
  return self->sizes[dim];
}

const gint64 *
ge_tensor_get_sizes (const GeTensor *self)
{
  return self->sizes;
}

const gint64 *
ge_tensor_get_strides (const GeTensor *self)
{
  return self->strides;
}

gint64
ge_tensor_get_offset (const GeTensor *self)
{
  return self->offset;
}

gint64
ge_tensor_numel (const GeTensor *self)
{
  return ge_shape_numel (self->ndim, self->sizes);
}

gboolean
ge_tensor_is_contiguous (const GeTensor *self)
{
  gint64 expected = 1;

  /* PyTorch ignores the strides of size-1 dims, and empty tensors are contiguous. */
  if (ge_tensor_numel (self) == 0)
    return TRUE;
  for (int d = self->ndim - 1; d >= 0; d--)
    {
      if (self->sizes[d] == 1)
        continue;
      if (self->strides[d] != expected)
        return FALSE;
      expected *= self->sizes[d];
    }
  return TRUE;
}

gboolean
ge_tensor_shares_storage (const GeTensor *a,
                          const GeTensor *b)
{
  return a->storage == b->storage;
}

guint64
ge_tensor_get_version (const GeTensor *self)
{
  return self->version->value;
}

void
ge_tensor_bump_version (GeTensor *self)
{
  self->version->value++;
}

void
ge_tensor_detach_version (GeTensor *self)
{
  version_counter_unref (self->version);
  self->version = version_counter_new ();
}

gpointer
ge_tensor_data_ptr (const GeTensor *self)
{
  return (char *) self->storage->data + self->offset * (gint64) ge_dtype_size (self->dtype);
}

gboolean
ge_tensor_is_wrapped_number (const GeTensor *self)
{
  return self->is_wrapped_number;
}

gpointer
ge_tensor_get_binding (const GeTensor *self)
{
  return self->binding;
}

void
ge_tensor_set_binding (GeTensor *self,
                       gpointer  binding)
{
  self->binding = binding;
}

char *
ge_shape_to_string (const gint64 *sizes,
                    int           ndim)
{
  GString *s = g_string_new ("[");

  for (int d = 0; d < ndim; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", sizes[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

double
ge_load_double (const void *ptr,
                GeDType     dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return *(const guint8 *) ptr ? 1.0 : 0.0;
    case GE_DTYPE_INT64:   return (double) *(const gint64 *) ptr;
    case GE_DTYPE_FLOAT32: return *(const float *) ptr;
    case GE_DTYPE_FLOAT64: return *(const double *) ptr;
    default:               g_return_val_if_reached (0.0);
    }
}

void
ge_store_double (void    *ptr,
                 GeDType  dtype,
                 double   value)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    *(guint8 *) ptr = value != 0.0; break;
    case GE_DTYPE_INT64:
      /* out of range (and NaN) gives INT64_MIN, as x86 conversions do in torch */
      *(gint64 *) ptr = (value >= -9223372036854775808.0 && value < 9223372036854775808.0)
                        ? (gint64) value : G_MININT64;
      break;
    case GE_DTYPE_FLOAT32: *(float *) ptr = (float) value; break;
    case GE_DTYPE_FLOAT64: *(double *) ptr = value; break;
    default:               g_return_if_reached ();
    }
}

/* Storage offset (in elements) of the element at logical linear @index. */
static gint64
flat_to_offset (const GeTensor *self,
                gint64          index)
{
  gint64 offset = self->offset;

  for (int d = self->ndim - 1; d >= 0; d--)
    {
      gint64 size = self->sizes[d];
      offset += (index % size) * self->strides[d];
      index /= size;
    }
  return offset;
}

double
ge_tensor_get_flat (const GeTensor *self,
                    gint64          index)
{
  gsize elem = ge_dtype_size (self->dtype);

  g_return_val_if_fail (index >= 0 && index < ge_tensor_numel (self), 0.0);
  if (ge_device_is_device_memory (self))
    {
      /* one element through the host; NaN if the device fails */
      guint64 bits = 0;

      if (!ge_cuda_backend_memcpy (&bits, (char *) self->storage->data +
                                   flat_to_offset (self, index) * elem,
                                   elem, GE_CUDA_COPY_DEVICE_TO_HOST, NULL))
        return NAN;
      return ge_load_double (&bits, self->dtype);
    }
  return ge_load_double ((char *) self->storage->data + flat_to_offset (self, index) * elem,
                         self->dtype);
}

gboolean
ge_tensor_item (const GeTensor *self,
                double         *value,
                GError        **error)
{
  if (ge_tensor_numel (self) != 1)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_VALUE,
                   "only one element tensors can be converted to Python scalars");
      return FALSE;
    }
  *value = ge_tensor_get_flat (self, 0);
  return TRUE;
}

double *
ge_tensor_to_doubles (const GeTensor *self,
                      gsize          *n_values)
{
  gint64 n = ge_tensor_numel (self);
  double *values;
  gint64 index[GE_MAX_DIMS] = { 0 };
  gsize elem = ge_dtype_size (self->dtype);
  const char *base = self->storage->data;

  if (ge_device_is_device_memory (self))
    {
      /* through a host copy; NaNs if the device fails */
      g_autoptr(GeTensor) host = ge_device_readable (self, NULL);

      if (host != NULL)
        return ge_tensor_to_doubles (host, n_values);
      values = g_new (double, MAX (n, 1));
      for (gint64 i = 0; i < n; i++)
        values[i] = NAN;
      if (n_values != NULL)
        *n_values = n;
      return values;
    }
  values = g_new (double, MAX (n, 1));

  /* Walk a multi-index instead of dividing per element. */
  for (gint64 i = 0; i < n; i++)
    {
      gint64 offset = self->offset;

      for (int d = 0; d < self->ndim; d++)
        offset += index[d] * self->strides[d];
      values[i] = ge_load_double (base + offset * elem, self->dtype);

      for (int d = self->ndim - 1; d >= 0; d--)
        {
          if (++index[d] < self->sizes[d])
            break;
          index[d] = 0;
        }
    }

  if (n_values != NULL)
    *n_values = n;
  return values;
}

static void
append_python_number (GString *s,
                      double   value,
                      GeDType  dtype)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (dtype)
    {
    case GE_DTYPE_BOOL:
      g_string_append (s, value != 0.0 ? "True" : "False");
      break;
    case GE_DTYPE_INT64:
      g_string_append_printf (s, "%" G_GINT64_FORMAT, (gint64) value);
      break;
    case GE_DTYPE_FLOAT32:
    case GE_DTYPE_FLOAT64:
    default:
      if (isnan (value))
        g_string_append (s, "nan");
      else if (isinf (value))
        g_string_append (s, value > 0 ? "inf" : "-inf");
      else
        {
          /* Python's repr(float): the shortest digits that round-trip, in
           * positional notation for exponents -4..15, else scientific. */
          char digits[32];
          int exponent = 0, n_digits = 0;
          gboolean negative = value < 0;

          for (int p = 1; p <= 17; p++)
            {
              g_snprintf (buf, sizeof buf, "%.*e", p - 1, value);
              if (g_ascii_strtod (buf, NULL) == value)
                break;
            }
          /* buf is "-d.ddde+XX": collect the digits and the exponent */
          for (const char *c = buf; *c && *c != 'e'; c++)
            if (g_ascii_isdigit (*c))
              digits[n_digits++] = *c;
          digits[n_digits] = '\0';
          exponent = atoi (strchr (buf, 'e') + 1);
          while (n_digits > 1 && digits[n_digits - 1] == '0')
            digits[--n_digits] = '\0';

          if (negative)
            g_string_append_c (s, '-');
          if (exponent >= 16 || exponent < -4)
            {
              g_string_append_c (s, digits[0]);
              if (n_digits > 1)
                g_string_append_printf (s, ".%s", digits + 1);
              g_string_append_printf (s, "e%c%02d", exponent < 0 ? '-' : '+', ABS (exponent));
            }
          else if (exponent < 0)
            {
              g_string_append (s, "0.");
              for (int z = 0; z < -exponent - 1; z++)
                g_string_append_c (s, '0');
              g_string_append (s, digits);
            }
          else
            {
              for (int i = 0; i <= exponent; i++)
                g_string_append_c (s, i < n_digits ? digits[i] : '0');
              g_string_append_c (s, '.');
              g_string_append (s, n_digits > exponent + 1 ? digits + exponent + 1 : "0");
            }
        }
      break;
    }
}

static void
append_list (GString        *s,
             const GeTensor *self,
             const double   *values,
             int             dim,
             gint64         *pos)
{
  if (dim == self->ndim)
    {
      append_python_number (s, values[(*pos)++], self->dtype);
      return;
    }
  g_string_append_c (s, '[');
  for (gint64 i = 0; i < self->sizes[dim]; i++)
    {
      if (i > 0)
        g_string_append (s, ", ");
      append_list (s, self, values, dim + 1, pos);
    }
  g_string_append_c (s, ']');
}

char *
ge_tensor_to_list_string (const GeTensor *self)
{
  g_autofree double *values = ge_tensor_to_doubles (self, NULL);
  GString *s = g_string_new (NULL);
  gint64 pos = 0;

  append_list (s, self, values, 0, &pos);
  return g_string_free (s, FALSE);
}

gboolean
ge_normalize_dim (int     *dim,
                  int      ndim,
                  GError **error)
{
  int n = MAX (ndim, 1);

  if (*dim < -n || *dim >= n)
    {
      g_set_error (error, GE_ERROR, GE_ERROR_INDEX,
                   "Dimension out of range (expected to be in range of [%d, %d], but got %d)",
                   -n, n - 1, *dim);
      return FALSE;
    }
  if (*dim < 0)
    *dim += n;
  return TRUE;
}

gboolean
ge_broadcast_shapes (int           ndim_a,
                     const gint64 *sizes_a,
                     int           ndim_b,
                     const gint64 *sizes_b,
                     int          *ndim_out,
                     gint64       *sizes_out,
                     GError      **error)
{
  int ndim = MAX (ndim_a, ndim_b);

  for (int i = ndim - 1; i >= 0; i--)
    {
      int offset = ndim - 1 - i;
      int da = ndim_a - 1 - offset;
      int db = ndim_b - 1 - offset;
      gint64 sa = da >= 0 ? sizes_a[da] : 1;
      gint64 sb = db >= 0 ? sizes_b[db] : 1;

      if (sa != sb && sa != 1 && sb != 1)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "The size of tensor a (%" G_GINT64_FORMAT ") must match the size of "
                       "tensor b (%" G_GINT64_FORMAT ") at non-singleton dimension %d",
                       sa, sb, i);
          return FALSE;
        }
      sizes_out[i] = sa == 1 ? sb : sa;
    }
  *ndim_out = ndim;
  return TRUE;
}

typedef enum { CATEGORY_NONE, CATEGORY_BOOL, CATEGORY_INT, CATEGORY_FLOAT } Category;

static Category
category_of (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return CATEGORY_BOOL;
    case GE_DTYPE_INT64:   return CATEGORY_INT;
    case GE_DTYPE_FLOAT32:
    case GE_DTYPE_FLOAT64: return CATEGORY_FLOAT;
    default:               return CATEGORY_NONE;
    }
}

/* c10's combine_categories for our four dtypes; -1 is "undefined". */
static int
combine_categories (int higher,
                    int lower)
{
  if (higher < 0)
    return lower;
  if (lower < 0)
    return higher;
  if (category_of (higher) == CATEGORY_FLOAT)
    return higher;
  if (higher == GE_DTYPE_BOOL || category_of (lower) == CATEGORY_FLOAT)
    return ge_dtype_promote (higher, lower);
  return higher;
}

GeDType
ge_result_type (int        n,
                GeTensor **operands)
{
  int dim_result = -1, zero_result = -1, wrapped_result = -1;

  for (int i = 0; i < n; i++)
    {
      GeTensor *t = operands[i];
      int current = t->dtype;

      if (t->is_wrapped_number)
        {
          /* Python floats count as the default dtype, ints as int64. */
          if (category_of (t->dtype) == CATEGORY_FLOAT)
            current = GE_DTYPE_FLOAT32;
          wrapped_result = wrapped_result < 0 ? current : (int) ge_dtype_promote (wrapped_result, current);
        }
      else if (t->ndim == 0)
        zero_result = zero_result < 0 ? current : (int) ge_dtype_promote (zero_result, current);
      else
        dim_result = dim_result < 0 ? current : (int) ge_dtype_promote (dim_result, current);
    }

  return (GeDType) combine_categories (dim_result, combine_categories (zero_result, wrapped_result));
}
