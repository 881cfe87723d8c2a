/* ge-random.c - PyTorch 1.13's CPU generator: MT19937, uniform and normal fills */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <float.h>
#include <math.h>

#include "ge-device-private.h"
#include "ge-random.h"
#include "ge-tensor-private.h"

/*
 * Everything here follows ATen's scalar CPU code (CPUGeneratorImpl,
 * MT19937RNGEngine.h, DistributionsHelper.h, cpu/DistributionTemplates.h)
 * as selected by ATEN_CPU_CAPABILITY=default, so that a seed gives the same
 * bits as PyTorch.
 */

#define MT_N          624
#define MT_M          397
#define MT_MATRIX_A   0x9908b0dfu
#define MT_UPPER_MASK 0x80000000u
#define MT_LOWER_MASK 0x7fffffffu

/* c10::detail::default_rng_seed_val */
#define DEFAULT_SEED  G_GUINT64_CONSTANT (67280421310721)

/* Both normal paths switch at this many elements (normal_fill's block). */
#define NORMAL_BLOCK  16

struct _GeGenerator
{
  GMutex   mutex;
  guint64  seed;
  guint32  state[MT_N];
  int      left;
  int      next;
  /* The second Box–Muller value of the double-precision path. */
  gboolean has_next_normal;
  double   next_normal;
};

/* ---- the engine ---- */

static void
generator_seed (GeGenerator *self,
                guint64      seed)
{
  self->seed = seed;
  self->state[0] = (guint32) (seed & 0xffffffffu);
  for (guint32 j = 1; j < MT_N; j++)
    self->state[j] = 1812433253u * (self->state[j - 1] ^ (self->state[j - 1] >> 30)) + j;
  self->left = 1;
  self->next = 0;
  self->has_next_normal = FALSE;
  self->next_normal = 0.0;
}

static inline guint32
mt_twist (guint32 u,
          guint32 v)
{
  guint32 mixed = (u & MT_UPPER_MASK) | (v & MT_LOWER_MASK);

  return (mixed >> 1) ^ ((v & 1u) ? MT_MATRIX_A : 0u);
}

static void
mt_next_state (GeGenerator *self)
{
  guint32 *p = self->state;
  int j;

  self->left = MT_N;
  self->next = 0;
  for (j = MT_N - MT_M + 1; --j; p++)
    *p = p[MT_M] ^ mt_twist (p[0], p[1]);
  for (j = MT_M; --j; p++)
    *p = p[MT_M - MT_N] ^ mt_twist (p[0], p[1]);
  *p = p[MT_M - MT_N] ^ mt_twist (p[0], self->state[0]);
}

static inline guint32
mt_random (GeGenerator *self)
{
  guint32 y;

  if (--self->left == 0)
    mt_next_state (self);
  y = self->state[self->next++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

static inline guint64
mt_random64 (GeGenerator *self)
{
  guint64 hi = mt_random (self);
  guint64 lo = mt_random (self);

  return (hi << 32) | lo;
}

/* ---- uniform and normal samples ---- */

/* ATen rounds the product before adding the offset; where the target has a
 * fast fused multiply-add, keep the compiler from contracting the two. */
static inline float
mul_add_f32 (float a,
             float b,
             float c)
{
#ifdef __FP_FAST_FMAF
  volatile float product = a * b;
  return product + c;
#else
  return a * b + c;
#endif
}

static inline double
mul_add_f64 (double a,
             double b,
             double c)
{
#ifdef __FP_FAST_FMA
  volatile double product = a * b;
  return product + c;
#else
  return a * b + c;
#endif
}

/* uniform_real<float>: the low 24 bits of one draw, in [0, 1). */
static inline float
uniform_f32 (GeGenerator *self)
{
  return (float) (mt_random (self) & 0xffffffu) * (1.0f / 16777216.0f);
}

/* uniform_real<double>: the low 53 bits of a 64-bit draw, in [0, 1). */
static inline double
uniform_f64 (GeGenerator *self)
{
  return (double) (mt_random64 (self) & G_GUINT64_CONSTANT (0x1fffffffffffff))
         * (1.0 / 9007199254740992.0);
}

/* at::normal_distribution<double> with mean 0 and std 1, spare cached. */
static double
standard_normal_f64 (GeGenerator *self)
{
  double u1, u2, r, theta;

  if (self->has_next_normal)
    {
      self->has_next_normal = FALSE;
      return self->next_normal;
    }
  u1 = uniform_f64 (self);
  u2 = uniform_f64 (self);
  r = sqrt (-2.0 * log (1.0 - u2));
  theta = 2.0 * G_PI * u1;
  self->next_normal = r * sin (theta);
  self->has_next_normal = TRUE;
  return r * cos (theta);
}

/* ---- generators ---- */

GeGenerator *
ge_generator_new (guint64 seed)
{
  GeGenerator *self = g_new0 (GeGenerator, 1);

  g_mutex_init (&self->mutex);
  generator_seed (self, seed);
  return self;
}

static GeGenerator *default_generator;

void
ge_generator_free (GeGenerator *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (self != default_generator);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

GeGenerator *
ge_generator_get_default (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      default_generator = ge_generator_new (DEFAULT_SEED);
      g_once_init_leave (&initialized, 1);
    }
  return default_generator;
}

void
ge_generator_manual_seed (GeGenerator *self,
                          guint64      seed)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  generator_seed (self, seed);
  g_mutex_unlock (&self->mutex);
}

guint32
ge_generator_random (GeGenerator *self)
{
  guint32 value;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  value = mt_random (self);
  g_mutex_unlock (&self->mutex);
  return value;
}

guint64
ge_generator_random64 (GeGenerator *self)
{
  guint64 value;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->mutex);
  value = mt_random64 (self);
  g_mutex_unlock (&self->mutex);
  return value;
}

void
ge_manual_seed (guint64 seed)
{
  ge_generator_manual_seed (ge_generator_get_default (), seed);
}

/* ---- checks shared by the fills ---- */

/* AT_DISPATCH_FLOATING_TYPES' error for the other dtypes. */
static gboolean
check_floating (const GeTensor *self,
                const char     *kernel_name,
                GError        **error)
{
  if (ge_dtype_is_floating (self->dtype))
    return TRUE;
  g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
               "\"%s\" not implemented for '%s'",
               kernel_name, ge_dtype_scalar_name (self->dtype));
  return FALSE;
}

/* A tensor tagged cuda goes to the CUDA generator (ge-device.c), whose
 * kernel writes device memory: one whose memory is on the host (a test's
 * faked tag; never a real tensor) must not get there. */
static gboolean
check_device_memory (const GeTensor *self,
                     const char     *op_name,
                     GError        **error)
{
  if (ge_device_is_device_memory (self))
    return TRUE;
  g_set_error (error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED,
               "%s of a cuda tensor whose memory is not on the device is not available in Gradlab",
               op_name);
  return FALSE;
}

/* TensorIterator's assert_no_internal_overlap: only the certain case (a
 * stride-0 dim of size > 1, as from expand) is an error. */
static gboolean
check_no_internal_overlap (const GeTensor *self,
                           GError        **error)
{
  for (int d = 0; d < self->ndim; d++)
    {
      if (self->strides[d] == 0 && self->sizes[d] > 1)
        {
          g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME,
                               "unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.");
          return FALSE;
        }
    }
  return TRUE;
}

/* C++ streams print doubles like "%g"; in the C locale whatever ours is. */
static const char *
format_g (char   buffer[G_ASCII_DTOSTR_BUF_SIZE],
          double value)
{
  return g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, "%g", value);
}

/* at::native::check_uniform_bounds (after the dtype dispatch). */
static gboolean
check_uniform_bounds (const GeTensor *self,
                      double          from,
                      double          to,
                      GError        **error)
{
  gboolean is_float = self->dtype == GE_DTYPE_FLOAT32;
  double max = is_float ? FLT_MAX : DBL_MAX;
  const char *type_name = is_float ? "float" : "double";
  char from_text[G_ASCII_DTOSTR_BUF_SIZE];
  char to_text[G_ASCII_DTOSTR_BUF_SIZE];

  if (!(from >= -max && from <= max))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "from is out of bounds for %s", type_name);
      return FALSE;
    }
  if (!(to >= -max && to <= max))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME, "to is out of bounds for %s", type_name);
      return FALSE;
    }
  if (!(from <= to))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "uniform_ expects to return a [from, to) range, but found from=%s > to=%s",
                   format_g (from_text, from), format_g (to_text, to));
      return FALSE;
    }
  if (!(to - from <= max))
    {
      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "uniform_ expects to-from <= std::numeric_limits<%s>::max(), but found "
                   "to=%s and from=%s which result in to-from to exceed the limit",
                   ge_dtype_scalar_name (self->dtype),
                   format_g (to_text, to), format_g (from_text, from));
      return FALSE;
    }
  return TRUE;
}

/* ---- memory-order traversal (TensorIterator's serial kernels) ---- */

/* TensorIterator::reorder_dimensions for one output: perm[0] is the
 * fastest-moving dim.  Smaller strides go inside; equal strides put the
 * smaller size inside; stride-0 dims and ties keep the C order. */
static void
memory_order (const GeTensor *self,
              int            *perm)
{
  int ndim = self->ndim;

  for (int i = 0; i < ndim; i++)
    perm[i] = ndim - 1 - i;

  for (int i = 1; i < ndim; i++)
    {
      int dim1 = i;

      for (int dim0 = i - 1; dim0 >= 0; dim0--)
        {
          gint64 stride0 = self->strides[perm[dim0]];
          gint64 stride1 = self->strides[perm[dim1]];
          int comparison = 0;

          if (stride0 != 0 && stride1 != 0)
            {
              if (stride0 < stride1)
                comparison = -1;
              else if (stride0 > stride1)
                comparison = 1;
              else if (self->sizes[perm[dim0]] > self->sizes[perm[dim1]])
                comparison = 1;
            }

          if (comparison > 0)
            {
              int tmp = perm[dim0];

              perm[dim0] = perm[dim1];
              perm[dim1] = tmp;
              dim1 = dim0;
            }
          else if (comparison < 0)
            break;
        }
    }
}

typedef void (*ElementFill) (GeGenerator *generator,
                             char        *element,
                             gpointer     user_data);

/* Calls @fill once per element of @self (numel > 0), in memory order. */
static void
fill_in_memory_order (GeTensor    *self,
                      GeGenerator *generator,
                      ElementFill  fill,
                      gpointer     user_data)
{
  gint64 elem = (gint64) ge_dtype_size (self->dtype);
  char *base = ge_tensor_data_ptr (self);
  gint64 n = ge_tensor_numel (self);
  gint64 index[GE_MAX_DIMS] = { 0 };
  int perm[GE_MAX_DIMS];
  char *ptr = base;

  if (ge_tensor_is_contiguous (self))
    {
      for (gint64 i = 0; i < n; i++)
        fill (generator, base + i * elem, user_data);
      return;
    }

  memory_order (self, perm);
  for (gint64 i = 0; i < n; i++)
    {
      fill (generator, ptr, user_data);

      /* Odometer step, fastest dim first. */
      for (int k = 0; k < self->ndim; k++)
        {
          int d = perm[k];

          if (++index[d] < self->sizes[d])
            {
              ptr += self->strides[d] * elem;
              break;
            }
          ptr -= (index[d] - 1) * self->strides[d] * elem;
          index[d] = 0;
        }
    }
}

/* ---- uniform_ ---- */

typedef struct
{
  float  from_f32, range_f32;
  double from_f64, range_f64;
} UniformParams;

/* uniform_real: x * (to - from) + from, in the dtype. */
static void
fill_uniform_element_f32 (GeGenerator *generator,
                          char        *element,
                          gpointer     user_data)
{
  const UniformParams *params = user_data;

  *(float *) element = mul_add_f32 (uniform_f32 (generator), params->range_f32, params->from_f32);
}

static void
fill_uniform_element_f64 (GeGenerator *generator,
                          char        *element,
                          gpointer     user_data)
{
  const UniformParams *params = user_data;

  *(double *) element = mul_add_f64 (uniform_f64 (generator), params->range_f64, params->from_f64);
}

gboolean
ge_tensor_uniform_ (GeTensor     *self,
                    double        from,
                    double        to,
                    GeGenerator  *generator,
                    GError      **error)
{
  UniformParams params;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The fills below write through host pointers: a CUDA tensor takes the
   * CUDA generator (ge-device.c), which runs these same checks on a CPU
   * probe first.  @generator is a CPU generator and has no say there. */
  if (ge_tensor_get_device (self) != GE_DEVICE_CPU)
    return check_device_memory (self, "uniform_", error) &&
           ge_tensor_uniform_any_ (self, from, to, generator, error);

  if (!check_floating (self, "check_uniform_bounds", error)
      || !check_uniform_bounds (self, from, to, error))
    return FALSE;

  if (ge_tensor_numel (self) > 0)
    {
      if (!check_no_internal_overlap (self, error))
        return FALSE;
      if (generator == NULL)
        generator = ge_generator_get_default ();

      /* The kernel casts the bounds to the dtype before subtracting. */
      params.from_f32 = (float) from;
      params.range_f32 = (float) to - (float) from;
      params.from_f64 = from;
      params.range_f64 = to - from;

      g_mutex_lock (&generator->mutex);
      fill_in_memory_order (self, generator,
                            self->dtype == GE_DTYPE_FLOAT32 ? fill_uniform_element_f32
                                                            : fill_uniform_element_f64,
                            &params);
      g_mutex_unlock (&generator->mutex);
    }

  ge_tensor_bump_version (self);
  return TRUE;
}

/* ---- normal_ ---- */

typedef struct
{
  double  mean;
  double  std;
  GeDType dtype;
} NormalParams;

/* Small or strided tensors: one double Box–Muller value per element. */
static void
fill_normal_element (GeGenerator *generator,
                     char        *element,
                     gpointer     user_data)
{
  const NormalParams *params = user_data;
  double value = mul_add_f64 (standard_normal_f64 (generator), params->std, params->mean);

  ge_store_double (element, params->dtype, value);
}

/* normal_fill_16<float>: pairs j and j + 8 of a block of uniforms. */
static void
normal_block_f32 (float *data,
                  float  mean,
                  float  std)
{
  for (int j = 0; j < 8; j++)
    {
      float u1 = 1.0f - data[j];
      float u2 = data[j + 8];
      float radius = sqrtf (-2.0f * logf (u1));
      float theta = (float) (2.0 * G_PI * (double) u2);

      data[j] = mul_add_f32 (radius * cosf (theta), std, mean);
      data[j + 8] = mul_add_f32 (radius * sinf (theta), std, mean);
    }
}

static void
normal_block_f64 (double *data,
                  double  mean,
                  double  std)
{
  for (int j = 0; j < 8; j++)
    {
      double u1 = 1.0 - data[j];
      double u2 = data[j + 8];
      double radius = sqrt (-2.0 * log (u1));
      double theta = 2.0 * G_PI * u2;

      data[j] = mul_add_f64 (radius * cos (theta), std, mean);
      data[j + 8] = mul_add_f64 (radius * sin (theta), std, mean);
    }
}

/* normal_fill: all uniforms first, then blocks of 16; a ragged tail
 * redraws the last 16 slots and transforms them as one block. */
static void
normal_fill_f32 (float       *data,
                 gint64       n,
                 float        mean,
                 float        std,
                 GeGenerator *generator)
{
  for (gint64 i = 0; i < n; i++)
    data[i] = uniform_f32 (generator);
  for (gint64 i = 0; i + NORMAL_BLOCK <= n; i += NORMAL_BLOCK)
    normal_block_f32 (data + i, mean, std);
  if (n % NORMAL_BLOCK != 0)
    {
      float *tail = data + n - NORMAL_BLOCK;

      for (int i = 0; i < NORMAL_BLOCK; i++)
        tail[i] = uniform_f32 (generator);
      normal_block_f32 (tail, mean, std);
    }
}

static void
normal_fill_f64 (double      *data,
                 gint64       n,
                 double       mean,
                 double       std,
                 GeGenerator *generator)
{
  for (gint64 i = 0; i < n; i++)
    data[i] = uniform_f64 (generator);
  for (gint64 i = 0; i + NORMAL_BLOCK <= n; i += NORMAL_BLOCK)
    normal_block_f64 (data + i, mean, std);
  if (n % NORMAL_BLOCK != 0)
    {
      double *tail = data + n - NORMAL_BLOCK;

      for (int i = 0; i < NORMAL_BLOCK; i++)
        tail[i] = uniform_f64 (generator);
      normal_block_f64 (tail, mean, std);
    }
}

gboolean
ge_tensor_normal_ (GeTensor     *self,
                   double        mean,
                   double        std,
                   GeGenerator  *generator,
                   GError      **error)
{
  gint64 n;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(std >= 0.0))
    {
      char std_text[G_ASCII_DTOSTR_BUF_SIZE];

      g_set_error (error, GE_ERROR, GE_ERROR_RUNTIME,
                   "normal expects std >= 0.0, but found std %s", format_g (std_text, std));
      return FALSE;
    }
  /* CUDA tensors: the CUDA generator, as for uniform_ */
  if (ge_tensor_get_device (self) != GE_DEVICE_CPU)
    return check_device_memory (self, "normal_", error) &&
           ge_tensor_normal_any_ (self, mean, std, generator, error);
  if (!check_floating (self, "normal_kernel_cpu", error))
    return FALSE;

  n = ge_tensor_numel (self);
  if (n >= NORMAL_BLOCK && ge_tensor_is_contiguous (self))
    {
      if (generator == NULL)
        generator = ge_generator_get_default ();
      g_mutex_lock (&generator->mutex);
      if (self->dtype == GE_DTYPE_FLOAT32)
        normal_fill_f32 (ge_tensor_data_ptr (self), n, (float) mean, (float) std, generator);
      else
        normal_fill_f64 (ge_tensor_data_ptr (self), n, mean, std, generator);
      g_mutex_unlock (&generator->mutex);
    }
  else if (n > 0)
    {
      NormalParams params = { mean, std, self->dtype };

      if (!check_no_internal_overlap (self, error))
        return FALSE;
      if (generator == NULL)
        generator = ge_generator_get_default ();
      g_mutex_lock (&generator->mutex);
      fill_in_memory_order (self, generator, fill_normal_element, &params);
      g_mutex_unlock (&generator->mutex);
    }

  ge_tensor_bump_version (self);
  return TRUE;
}

/* ---- creation ---- */

GeTensor *
ge_tensor_rand (int           ndim,
                const gint64 *sizes,
                GeDType       dtype,
                GeGenerator  *generator,
                GError      **error)
{
  g_autoptr(GeTensor) self = ge_tensor_new_contiguous (ndim, sizes, dtype, error);

  if (self == NULL || !ge_tensor_uniform_ (self, 0.0, 1.0, generator, error))
    return NULL;
  return g_steal_pointer (&self);
}

GeTensor *
ge_tensor_randn (int           ndim,
                 const gint64 *sizes,
                 GeDType       dtype,
                 GeGenerator  *generator,
                 GError      **error)
{
  g_autoptr(GeTensor) self = ge_tensor_new_contiguous (ndim, sizes, dtype, error);

  if (self == NULL || !ge_tensor_normal_ (self, 0.0, 1.0, generator, error))
    return NULL;
  return g_steal_pointer (&self);
}
