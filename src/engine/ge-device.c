/* ge-device.c - devices: CUDA detection, the caching allocator, copies, moves */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-autograd-private.h"
#include "ge-device-private.h"
#include "ge-ops-private.h"

/*
 * Everything that knows about more than one device is here; the CUDA
 * runtime itself is behind cuda/ge-cuda.h (the real backend, or stubs when
 * the library was built without it).  Whether CUDA can be used is decided
 * once: the first question asks cudaGetDeviceCount(), and a failure is
 * logged with g_debug() and remembered as PyTorch's message for it.
 */

#define NOT_COMPILED_MESSAGE "Torch not compiled with CUDA enabled"
#define NO_DRIVER_MESSAGE                                                       \
  "Found no NVIDIA driver on your system. Please check that you have an NVIDIA " \
  "GPU and installed a driver from http://www.nvidia.com/Download/index.aspx"
#define NO_DEVICE_MESSAGE "No CUDA GPUs are available"

/* CUDA runtime error codes (driver_types.h) that have their own message. */
#define CUDA_ERROR_INSUFFICIENT_DRIVER 35
#define CUDA_ERROR_NO_DEVICE 100

/* c10's default_rng_seed_val: the seed of a CUDA generator never seeded. */
#define DEFAULT_CUDA_SEED G_GUINT64_CONSTANT (67280421310721)

typedef struct
{
  int   count;
  char *reason;   /* why CUDA cannot be used; NULL when it can */
} Probe;

static gpointer
probe_once (gpointer data)
{
  Probe *probe = g_new0 (Probe, 1);
  g_autofree char *text = NULL;
  int count = 0, code = 0, driver = 0;

  if (!ge_cuda_backend_built ())
    {
      probe->reason = g_strdup (NOT_COMPILED_MESSAGE);
      g_debug ("CUDA: the library was built without the CUDA backend; tensors stay on the CPU");
      return probe;
    }

  if (!ge_cuda_backend_probe (&count, &code, &text, &driver))
    {
      if (code == CUDA_ERROR_INSUFFICIENT_DRIVER && driver <= 0)
        probe->reason = g_strdup (NO_DRIVER_MESSAGE);
      else if (code == CUDA_ERROR_INSUFFICIENT_DRIVER)
        probe->reason = g_strdup_printf ("The NVIDIA driver on your system is too old (found "
                                         "version %d). Please update your GPU driver by "
                                         "downloading and installing a new version from the "
                                         "URL: http://www.nvidia.com/Download/index.aspx "
                                         "Alternatively, go to: https://pytorch.org to install "
                                         "a PyTorch version that has been compiled with your "
                                         "version of the CUDA driver.", driver);
      else if (code == CUDA_ERROR_NO_DEVICE)
        probe->reason = g_strdup (NO_DEVICE_MESSAGE);
      else
        probe->reason = g_strdup_printf ("CUDA error: %s", text);
      g_debug ("CUDA unavailable: cudaGetDeviceCount() failed with error %d (%s); "
               "tensors stay on the CPU", code, text);
      return probe;
    }

  if (count <= 0)
    {
      probe->reason = g_strdup (NO_DEVICE_MESSAGE);
      g_debug ("CUDA unavailable: the driver reports no device; tensors stay on the CPU");
      return probe;
    }

  probe->count = count;
  {
    g_autofree char *name = ge_cuda_backend_device_name (0);
    g_debug ("CUDA available: %d device(s); cuda:0 is %s", count, name);
  }
  return probe;
}

static const Probe *
get_probe (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, probe_once, NULL);
}

/* ---- torch.cuda ---- */

gboolean
ge_cuda_is_built (void)
{
  return ge_cuda_backend_built ();
}

gboolean
ge_cuda_is_available (void)
{
  return get_probe ()->reason == NULL;
}

int
ge_cuda_device_count (void)
{
  return get_probe ()->count;
}

gboolean
ge_cuda_check_available (GError **error)
{
  const Probe *probe = get_probe ();

  if (probe->reason == NULL)
    return TRUE;
  g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, probe->reason);
  return FALSE;
}

static gboolean
check_device_index (int      device,
                    GError **error)
{
  if (!ge_cuda_check_available (error))
    return FALSE;
  if (device < 0 || device >= ge_cuda_device_count ())
    {
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "CUDA error: invalid device ordinal");
      return FALSE;
    }
  return TRUE;
}

char *
ge_cuda_get_device_name (int      device,
                         GError **error)
{
  if (!check_device_index (device, error))
    return NULL;
  return ge_cuda_backend_device_name (device);
}

gboolean
ge_cuda_synchronize (GError **error)
{
  if (!ge_cuda_check_available (error))
    return FALSE;
  return ge_cuda_backend_synchronize (error);
}

/* ---- device names ---- */

const char *
ge_device_name (GeDevice device)
{
  return device == GE_DEVICE_CUDA ? "cuda:0" : "cpu";
}

gboolean
ge_device_parse (const char  *name,
                 GeDevice    *device,
                 GError     **error)
{
  g_return_val_if_fail (name != NULL && device != NULL, FALSE);

  if (g_str_equal (name, "cpu"))
    {
      *device = GE_DEVICE_CPU;
      return TRUE;
    }
  if (g_str_equal (name, "cuda") || g_str_equal (name, "cuda:0"))
    {
      *device = GE_DEVICE_CUDA;
      return TRUE;
    }
  if (g_str_has_prefix (name, "cuda:"))
    {
      const char *digits = name + strlen ("cuda:");
      guint64 index;

      if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT, &index, NULL))
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Invalid device string: '%s'", name);
          return FALSE;
        }
      /* Only cuda:0 is used; a higher index exists only on paper here. */
      g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                           "CUDA error: invalid device ordinal");
      return FALSE;
    }
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
               "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
               "fpga, ort, xla, lazy, vulkan, mps, meta, hpu, privateuseone device type at "
               "start of device string: %s", name);
  return FALSE;
}

/* ---- the caching allocator ---- */

/*
 * Blocks are rounded up (512 bytes below 1 MiB, 2 MiB above) and never
 * returned to the driver while the program runs: a freed block goes to a
 * free list for its rounded size and the next allocation of that size takes
 * it.  Every kernel and copy runs on the default stream, in order, so a block
 * can be handed out again as soon as its tensor is gone.  When cudaMalloc
 * fails, the cache is emptied and the allocation tried once more.
 */

#define SMALL_BLOCK_LIMIT ((gsize) 1 << 20)
#define SMALL_ROUNDING 512
#define LARGE_ROUNDING ((gsize) 2 << 20)

static GMutex allocator_lock;
static GHashTable *live_blocks;   /* device pointer -> rounded size */
static GHashTable *free_blocks;   /* rounded size -> GSList of device pointers */
static guint64 bytes_allocated;
static guint64 bytes_reserved;

static gsize
round_block_size (gsize nbytes)
{
  gsize rounding = nbytes < SMALL_BLOCK_LIMIT ? SMALL_ROUNDING : LARGE_ROUNDING;

  return (nbytes + rounding - 1) / rounding * rounding;
}

/* c10::cuda::CUDACachingAllocator's format_size */
static char *
format_size (guint64 size)
{
  if (size <= 1024)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", size);
  if (size <= 1048576)
    return g_strdup_printf ("%.2f KiB", size / 1024.0);
  if (size <= G_GUINT64_CONSTANT (1073741824))
    return g_strdup_printf ("%.2f MiB", size / 1048576.0);
  return g_strdup_printf ("%.2f GiB", size / 1073741824.0);
}

static void
set_out_of_memory (GError **error,
                   gsize    nbytes)
{
  g_autofree char *tried = format_size (nbytes);
  g_autofree char *total_text = NULL;
  g_autofree char *allocated_text = NULL;
  g_autofree char *free_text = NULL;
  g_autofree char *reserved_text = NULL;
  gsize free_bytes = 0, total_bytes = 0;

  ge_cuda_backend_memory_info (&free_bytes, &total_bytes);
  total_text = format_size (total_bytes);
  allocated_text = format_size (ge_cuda_memory_allocated ());
  free_text = format_size (free_bytes);
  reserved_text = format_size (ge_cuda_memory_reserved ());
  g_set_error (error, GE_ERROR, GE_ERROR_MEMORY,
               "CUDA out of memory. Tried to allocate %s (GPU 0; %s total capacity; %s already "
               "allocated; %s free; %s reserved in total by Gradlab)",
               tried, total_text, allocated_text, free_text, reserved_text);
}

gpointer
ge_device_alloc (gsize    nbytes,
                 GError **error)
{
  gpointer ptr = NULL;
  gsize size;
  GSList *list;

  if (!ge_cuda_check_available (error))
    return NULL;
  if (nbytes > G_MAXSIZE - LARGE_ROUNDING)
    {
      set_out_of_memory (error, nbytes);
      return NULL;
    }
  size = round_block_size (MAX (nbytes, 1));

  g_mutex_lock (&allocator_lock);
  if (live_blocks == NULL)
    {
      live_blocks = g_hash_table_new (g_direct_hash, g_direct_equal);
      free_blocks = g_hash_table_new (g_direct_hash, g_direct_equal);
    }
  list = g_hash_table_lookup (free_blocks, GSIZE_TO_POINTER (size));
  if (list != NULL)
    {
      ptr = list->data;
      list = g_slist_delete_link (list, list);
      if (list != NULL)
        g_hash_table_insert (free_blocks, GSIZE_TO_POINTER (size), list);
      else
        g_hash_table_remove (free_blocks, GSIZE_TO_POINTER (size));
    }
  g_mutex_unlock (&allocator_lock);

  if (ptr == NULL)
    {
      ptr = ge_cuda_backend_malloc (size);
      if (ptr == NULL)
        {
          ge_cuda_empty_cache ();
          ptr = ge_cuda_backend_malloc (size);
        }
      if (ptr == NULL)
        {
          set_out_of_memory (error, nbytes);
          return NULL;
        }
      g_mutex_lock (&allocator_lock);
      bytes_reserved += size;
      g_mutex_unlock (&allocator_lock);
    }

  g_mutex_lock (&allocator_lock);
  g_hash_table_insert (live_blocks, ptr, GSIZE_TO_POINTER (size));
  bytes_allocated += size;
  g_mutex_unlock (&allocator_lock);
  return ptr;
}

void
ge_device_free (gpointer ptr)
{
  gpointer value;
  gsize size;

  if (ptr == NULL)
    return;

  g_mutex_lock (&allocator_lock);
  if (live_blocks == NULL || !g_hash_table_lookup_extended (live_blocks, ptr, NULL, &value))
    {
      g_mutex_unlock (&allocator_lock);
      g_critical ("ge_device_free: %p is not a live CUDA block", ptr);
      return;
    }
  g_hash_table_remove (live_blocks, ptr);
  size = GPOINTER_TO_SIZE (value);
  g_hash_table_insert (free_blocks, GSIZE_TO_POINTER (size),
                       g_slist_prepend (g_hash_table_lookup (free_blocks, GSIZE_TO_POINTER (size)),
                                        ptr));
  bytes_allocated -= size;
  g_mutex_unlock (&allocator_lock);
}

void
ge_cuda_empty_cache (void)
{
  GHashTableIter iter;
  gpointer key, value;
  GSList *blocks = NULL;
  gsize released = 0;

  g_mutex_lock (&allocator_lock);
  if (free_blocks != NULL)
    {
      g_hash_table_iter_init (&iter, free_blocks);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          for (GSList *l = value; l != NULL; l = l->next)
            {
              blocks = g_slist_prepend (blocks, l->data);
              released += GPOINTER_TO_SIZE (key);
            }
          g_slist_free (value);
          g_hash_table_iter_remove (&iter);
        }
    }
  bytes_reserved -= released;
  g_mutex_unlock (&allocator_lock);

  for (GSList *l = blocks; l != NULL; l = l->next)
    ge_cuda_backend_free (l->data);
  g_slist_free (blocks);
}

guint64
ge_cuda_memory_allocated (void)
{
  guint64 n;

  g_mutex_lock (&allocator_lock);
  n = bytes_allocated;
  g_mutex_unlock (&allocator_lock);
  return n;
}

guint64
ge_cuda_memory_reserved (void)
{
  guint64 n;

  g_mutex_lock (&allocator_lock);
  n = bytes_reserved;
  g_mutex_unlock (&allocator_lock);
  return n;
}

/* ---- device checks ---- */

gboolean
ge_device_any_cuda (int        n,
                    GeTensor **tensors)
{
  for (int i = 0; i < n; i++)
    if (tensors[i] != NULL && ge_tensor_get_device (tensors[i]) == GE_DEVICE_CUDA)
      return TRUE;
  return FALSE;
}

gboolean
ge_device_check_same (int        n_operands,
                      GeTensor **operands,
                      gboolean   allow_cpu_scalars,
                      GeDevice  *device,
                      GError   **error)
{
  GeDevice common = GE_DEVICE_CPU;
  gboolean found = FALSE;

  for (int i = 0; i < n_operands; i++)
    {
      GeTensor *t = operands[i];
      GeDevice d;

      if (t == NULL)
        continue;
      d = ge_tensor_get_device (t);
      if (allow_cpu_scalars && d == GE_DEVICE_CPU && t->ndim == 0)
        continue;
      if (!found)
        {
          common = d;
          found = TRUE;
        }
      else if (d != common)
        {
          g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                       "Expected all tensors to be on the same device, but found at least two "
                       "devices, %s and %s!", ge_device_name (common), ge_device_name (d));
          return FALSE;
        }
    }
  if (device != NULL)
    *device = common;
  return TRUE;
}

gboolean
ge_device_check_output (GeTensor  *out,
                        GeDevice   device,
                        GError   **error)
{
  if (ge_tensor_get_device (out) == device)
    return TRUE;
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
               "Expected all tensors to be on the same device, but found at least two "
               "devices, %s and %s!", ge_device_name (device),
               ge_device_name (ge_tensor_get_device (out)));
  return FALSE;
}

/* ---- copies ---- */

static gboolean
same_shape (const GeTensor *a,
            const GeTensor *b)
{
  return a->ndim == b->ndim && memcmp (a->sizes, b->sizes, sizeof (gint64) * a->ndim) == 0;
}

/* Host -> device: @src (CPU, dimensioned) into @dst (CUDA). */
static gboolean
copy_host_to_device (GeTensor  *dst,
                     GeTensor  *src,
                     GError   **error)
{
  gsize nbytes = ge_tensor_numel (dst) * ge_dtype_size (dst->dtype);
  g_autoptr(GeTensor) host = NULL;
  g_autoptr(GeTensor) staged = NULL;

  if (src->dtype == dst->dtype && same_shape (src, dst) && ge_tensor_is_contiguous (src))
    host = ge_tensor_ref (src);
  else
    {
      /* broadcast and convert on the host first */
      host = ge_tensor_new_contiguous (dst->ndim, dst->sizes, dst->dtype, error);
      if (host == NULL || !ge_op_copy_ (host, src, error))
        return FALSE;
    }

  if (ge_tensor_is_contiguous (dst))
    return ge_cuda_backend_memcpy (ge_tensor_data_ptr (dst), ge_tensor_data_ptr (host), nbytes,
                                   GE_CUDA_COPY_HOST_TO_DEVICE, error);

  staged = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, dst->ndim, dst->sizes, dst->dtype, error);
  if (staged == NULL ||
      !ge_cuda_backend_memcpy (ge_tensor_data_ptr (staged), ge_tensor_data_ptr (host), nbytes,
                               GE_CUDA_COPY_HOST_TO_DEVICE, error))
    return FALSE;
  return ge_cuda_pointwise (GE_CUDA_OP_COPY, dst->dtype, 2, (GeTensor *[]) { dst, staged },
                            dst->ndim, dst->sizes, NULL, error);
}

/* Device -> host: @src (CUDA) into @dst (CPU). */
static gboolean
copy_device_to_host (GeTensor  *dst,
                     GeTensor  *src,
                     GError   **error)
{
  gsize nbytes = ge_tensor_numel (dst) * ge_dtype_size (dst->dtype);
  g_autoptr(GeTensor) staged = NULL;
  g_autoptr(GeTensor) host = NULL;

  if (src->dtype == dst->dtype && same_shape (src, dst) && ge_tensor_is_contiguous (src))
    staged = ge_tensor_ref (src);
  else
    {
      /* broadcast and convert on the device first */
      staged = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, dst->ndim, dst->sizes, dst->dtype,
                                            error);
      if (staged == NULL ||
          !ge_cuda_pointwise (GE_CUDA_OP_COPY, dst->dtype, 2, (GeTensor *[]) { staged, src },
                              dst->ndim, dst->sizes, NULL, error))
        return FALSE;
    }

  if (ge_tensor_is_contiguous (dst))
    return ge_cuda_backend_memcpy (ge_tensor_data_ptr (dst), ge_tensor_data_ptr (staged), nbytes,
                                   GE_CUDA_COPY_DEVICE_TO_HOST, error);

  host = ge_tensor_new_contiguous (dst->ndim, dst->sizes, dst->dtype, error);
  if (host == NULL ||
      !ge_cuda_backend_memcpy (ge_tensor_data_ptr (host), ge_tensor_data_ptr (staged), nbytes,
                               GE_CUDA_COPY_DEVICE_TO_HOST, error))
    return FALSE;
  return ge_op_copy_ (dst, host, error);
}

gboolean
ge_device_copy (GeTensor  *dst,
                GeTensor  *src,
                GError   **error)
{
  GeDevice dst_device, src_device;

  g_return_val_if_fail (dst != NULL && src != NULL, FALSE);

  dst_device = ge_tensor_get_device (dst);
  src_device = ge_tensor_get_device (src);
  if (ge_tensor_numel (dst) == 0)
    return TRUE;

  if (dst_device == GE_DEVICE_CUDA &&
      (src_device == GE_DEVICE_CUDA || src->ndim == 0))
    return ge_cuda_pointwise (GE_CUDA_OP_COPY, dst->dtype, 2, (GeTensor *[]) { dst, src },
                              dst->ndim, dst->sizes, NULL, error);
  if (dst_device == GE_DEVICE_CUDA)
    return copy_host_to_device (dst, src, error);
  if (src_device == GE_DEVICE_CUDA)
    return copy_device_to_host (dst, src, error);
  return ge_op_copy_ (dst, src, error);
}

GeTensor *
ge_device_move (GeTensor  *self,
                GeDevice   device,
                GError   **error)
{
  g_autoptr(GeTensor) out = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_get_device (self) == device)
    return ge_tensor_ref (self);
  out = ge_tensor_new_contiguous_on (device, self->ndim, self->sizes, self->dtype, error);
  if (out == NULL || !ge_device_copy (out, self, error))
    return NULL;
  return g_steal_pointer (&out);
}

gboolean
ge_device_is_device_memory (const GeTensor *self)
{
  return self->storage->device == GE_DEVICE_CUDA && self->storage->free_func == ge_device_free;
}

GeTensor *
ge_device_readable (const GeTensor  *self,
                    GError         **error)
{
  if (!ge_device_is_device_memory (self))
    return ge_tensor_ref ((GeTensor *) self);
  return ge_device_move ((GeTensor *) self, GE_DEVICE_CPU, error);
}

/* ---- tensor.to(device) with autograd ---- */

static gboolean
to_copy_backward (GeNode    *node,
                  GeTensor **grads,
                  GeTensor **grad_inputs,
                  GeTensor **locals,
                  GError   **error)
{
  grad_inputs[0] = ge_tensor_to_device (grads[0], (GeDevice) node->ints[0], error);
  if (grad_inputs[0] == NULL)
    return FALSE;
  if (locals != NULL)
    locals[0] = GE_NO_GRAD (ge_tensor_ones_like (grads[0], NULL));
  return TRUE;
}

GeTensor *
ge_tensor_to_device (GeTensor  *self,
                     GeDevice   device,
                     GError   **error)
{
  GeTensor *out;

  g_return_val_if_fail (self != NULL, NULL);

  if (ge_tensor_get_device (self) == device)
    return ge_tensor_ref (self);
  if (device == GE_DEVICE_CUDA && !ge_cuda_check_available (error))
    return NULL;

  out = GE_NO_GRAD (ge_device_move (self, device, error));
  if (out != NULL && ge_autograd_should_record (1, &self))
    {
      GeNode *node = ge_node_new ("ToCopyBackward0", to_copy_backward, 1, &self, 1);

      node->ints[0] = ge_tensor_get_device (self);
      ge_node_set_output (node, 0, out);
      ge_node_unref (node);
    }
  return out;
}

GeTensor *
ge_tensor_cuda (GeTensor  *self,
                GError   **error)
{
  return ge_tensor_to_device (self, GE_DEVICE_CUDA, error);
}

GeTensor *
ge_tensor_cpu (GeTensor  *self,
               GError   **error)
{
  return ge_tensor_to_device (self, GE_DEVICE_CPU, error);
}

/* ---- creation on a device ---- */

GeTensor *
ge_tensor_empty_on (GeDevice       device,
                    int            ndim,
                    const gint64  *sizes,
                    GeDType        dtype,
                    GError       **error)
{
  return ge_tensor_new_contiguous_on (device, ndim, sizes, dtype, error);
}

GeTensor *
ge_tensor_zeros_on (GeDevice       device,
                    int            ndim,
                    const gint64  *sizes,
                    GeDType        dtype,
                    GError       **error)
{
  g_autoptr(GeTensor) self = NULL;

  if (device == GE_DEVICE_CPU)
    return ge_tensor_zeros (ndim, sizes, dtype, error);
  self = ge_tensor_new_contiguous_on (device, ndim, sizes, dtype, error);
  if (self == NULL ||
      !ge_cuda_backend_memset_zero (ge_tensor_data_ptr (self),
                                    ge_tensor_numel (self) * ge_dtype_size (dtype), error))
    return NULL;
  return g_steal_pointer (&self);
}

GeTensor *
ge_tensor_full_on (GeDevice       device,
                   int            ndim,
                   const gint64  *sizes,
                   double         value,
                   GeDType        dtype,
                   GError       **error)
{
  g_autoptr(GeTensor) self = NULL;
  g_autoptr(GeTensor) scalar = NULL;

  if (device == GE_DEVICE_CPU)
    return ge_tensor_full (ndim, sizes, value, dtype, error);
  self = ge_tensor_new_contiguous_on (device, ndim, sizes, dtype, error);
  if (self == NULL)
    return NULL;
  /* a 0-dim CPU scalar of the dtype, which the copy kernel takes by value */
  scalar = ge_tensor_scalar (value, dtype);
  if (!ge_device_copy (self, scalar, error))
    return NULL;
  return g_steal_pointer (&self);
}

GeTensor *
ge_tensor_ones_on (GeDevice       device,
                   int            ndim,
                   const gint64  *sizes,
                   GeDType        dtype,
                   GError       **error)
{
  return ge_tensor_full_on (device, ndim, sizes, 1.0, dtype, error);
}

/* ---- the CUDA generator ---- */

static GMutex generator_lock;
static guint64 cuda_seed = DEFAULT_CUDA_SEED;
static guint64 cuda_offset;

void
ge_cuda_manual_seed (guint64 seed)
{
  g_mutex_lock (&generator_lock);
  cuda_seed = seed;
  cuda_offset = 0;
  g_mutex_unlock (&generator_lock);
}

guint64
ge_cuda_initial_seed (void)
{
  guint64 seed;

  g_mutex_lock (&generator_lock);
  seed = cuda_seed;
  g_mutex_unlock (&generator_lock);
  return seed;
}

static gboolean
check_no_internal_overlap (const GeTensor  *self,
                           GError         **error)
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

/* Fills CUDA @self from the next stretch of the Philox stream. */
static gboolean
cuda_random_fill (GeTensor  *self,
                  gboolean   normal,
                  double     a,
                  double     b,
                  GError   **error)
{
  g_autoptr(GeTensor) dense = NULL;
  guint64 seed, offset;

  if (ge_tensor_numel (self) == 0)
    return TRUE;
  if (!check_no_internal_overlap (self, error))
    return FALSE;

  g_mutex_lock (&generator_lock);
  seed = cuda_seed;
  offset = cuda_offset++;
  g_mutex_unlock (&generator_lock);

  if (ge_tensor_is_contiguous (self))
    return ge_cuda_random_fill (self, normal, a, b, seed, offset, error);
  dense = ge_tensor_new_contiguous_on (GE_DEVICE_CUDA, self->ndim, self->sizes, self->dtype,
                                       error);
  return dense != NULL &&
         ge_cuda_random_fill (dense, normal, a, b, seed, offset, error) &&
         ge_device_copy (self, dense, error);
}

/* The CPU functions' argument checks, run on an empty CPU tensor of the
 * same dtype, so that both devices refuse the same arguments with the same
 * words. */
static gboolean
check_random_arguments (const GeTensor  *self,
                        gboolean         normal,
                        double           a,
                        double           b,
                        GError         **error)
{
  gint64 zero = 0;
  g_autoptr(GeTensor) probe = ge_tensor_new_contiguous (1, &zero, self->dtype, error);

  if (probe == NULL)
    return FALSE;
  return normal ? ge_tensor_normal_ (probe, a, b, NULL, error)
                : ge_tensor_uniform_ (probe, a, b, NULL, error);
}

gboolean
ge_tensor_uniform_any_ (GeTensor     *self,
                        double        from,
                        double        to,
                        GeGenerator  *generator,
                        GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (ge_tensor_get_device (self) == GE_DEVICE_CPU)
    return ge_tensor_uniform_ (self, from, to, generator, error);
  if (!check_random_arguments (self, FALSE, from, to, error) ||
      !cuda_random_fill (self, FALSE, from, to, error))
    return FALSE;
  ge_tensor_bump_version (self);
  return TRUE;
}

gboolean
ge_tensor_normal_any_ (GeTensor     *self,
                       double        mean,
                       double        std,
                       GeGenerator  *generator,
                       GError      **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (ge_tensor_get_device (self) == GE_DEVICE_CPU)
    return ge_tensor_normal_ (self, mean, std, generator, error);
  if (!check_random_arguments (self, TRUE, mean, std, error) ||
      !cuda_random_fill (self, TRUE, mean, std, error))
    return FALSE;
  ge_tensor_bump_version (self);
  return TRUE;
}

GeTensor *
ge_tensor_rand_on (GeDevice       device,
                   int            ndim,
                   const gint64  *sizes,
                   GeDType        dtype,
                   GeGenerator   *generator,
                   GError       **error)
{
  g_autoptr(GeTensor) self = NULL;

  if (device == GE_DEVICE_CPU)
    return ge_tensor_rand (ndim, sizes, dtype, generator, error);
  self = ge_tensor_new_contiguous_on (device, ndim, sizes, dtype, error);
  if (self == NULL || !ge_tensor_uniform_any_ (self, 0.0, 1.0, generator, error))
    return NULL;
  return g_steal_pointer (&self);
}

GeTensor *
ge_tensor_randn_on (GeDevice       device,
                    int            ndim,
                    const gint64  *sizes,
                    GeDType        dtype,
                    GeGenerator   *generator,
                    GError       **error)
{
  g_autoptr(GeTensor) self = NULL;

  if (device == GE_DEVICE_CPU)
    return ge_tensor_randn (ndim, sizes, dtype, generator, error);
  self = ge_tensor_new_contiguous_on (device, ndim, sizes, dtype, error);
  if (self == NULL || !ge_tensor_normal_any_ (self, 0.0, 1.0, generator, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- ops that run on the host ---- */

GeTensor *
ge_device_host_linalg_inv (GeTensor  *self,
                           GError   **error)
{
  g_autoptr(GeTensor) host = ge_device_move (self, GE_DEVICE_CPU, error);
  g_autoptr(GeTensor) result = NULL;

  if (host == NULL || (result = ge_op_linalg_inv (host, error)) == NULL)
    return NULL;
  return ge_device_move (result, ge_tensor_get_device (self), error);
}

GeTensor *
ge_device_host_sort (GeTensor   *self,
                     int         dim,
                     gboolean    descending,
                     GeTensor  **indices,
                     GError    **error)
{
  g_autoptr(GeTensor) host = ge_device_move (self, GE_DEVICE_CPU, error);
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) host_indices = NULL;
  g_autoptr(GeTensor) device_values = NULL;
  GeDevice device = ge_tensor_get_device (self);

  if (indices != NULL)
    *indices = NULL;
  if (host == NULL)
    return NULL;
  values = ge_op_sort (host, dim, descending, indices != NULL ? &host_indices : NULL, error);
  if (values == NULL)
    return NULL;
  device_values = ge_device_move (values, device, error);
  if (device_values == NULL)
    return NULL;
  if (indices != NULL && (*indices = ge_device_move (host_indices, device, error)) == NULL)
    return NULL;
  return g_steal_pointer (&device_values);
}

GeTensor *
ge_device_host_cat (int         n,
                    GeTensor  **tensors,
                    int         dim,
                    GError    **error)
{
  g_autoptr(GPtrArray) host = g_ptr_array_new_with_free_func ((GDestroyNotify) ge_tensor_unref);
  g_autoptr(GeTensor) result = NULL;
  GeDevice device;

  if (!ge_device_check_same (n, tensors, FALSE, &device, error))
    return NULL;
  for (int i = 0; i < n; i++)
    {
      GeTensor *t = ge_device_move (tensors[i], GE_DEVICE_CPU, error);

      if (t == NULL)
        return NULL;
      g_ptr_array_add (host, t);
    }
  result = ge_op_cat (n, (GeTensor **) host->pdata, dim, error);
  if (result == NULL)
    return NULL;
  return ge_device_move (result, device, error);
}
