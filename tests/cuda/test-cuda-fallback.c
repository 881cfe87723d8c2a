/* test-cuda-fallback.c - the CUDA backend links, and without a GPU falls back quietly */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Runs everywhere.  With the backend built in (GE_TEST_CUDA_BUILT) the
 * library must need cudart and cuBLAS but not the driver; on a machine
 * without a driver or a GPU (CI) CUDA must be reported unavailable with
 * PyTorch's messages, once, and only when G_MESSAGES_DEBUG asks.  The device
 * checks of the ops are exercised with tensors whose device tag is faked
 * (their memory stays on the host and is never touched), and the Philox
 * stream of the CUDA generator against the published known answers.
 */

#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <string.h>

#include <gradlab.h>

#include "ge-device-private.h"
#include "cuda/ge-philox.h"

#ifndef GE_TEST_CUDA_BUILT
# error "GE_TEST_CUDA_BUILT must be defined by the build"
#endif

#define NOT_COMPILED "Torch not compiled with CUDA enabled"
#define NO_DRIVER                                                                \
  "Found no NVIDIA driver on your system. Please check that you have an NVIDIA " \
  "GPU and installed a driver from http://www.nvidia.com/Download/index.aspx"
#define NO_DEVICE "No CUDA GPUs are available"
#define MIXED "Expected all tensors to be on the same device, but found at least two devices, "

static GeTensor *
tensor (const char *literal)
{
  GError *error = NULL;
  GeTensor *t = ge_tensor_new_from_literal (literal, &error);

  g_assert_no_error (error);
  return t;
}

/* A CPU tensor whose storage claims to be on CUDA: only for checks that must
 * fail before any element is read. */
static GeTensor *
fake_cuda (const char *literal)
{
  GeTensor *t = tensor (literal);

  t->storage->device = GE_DEVICE_CUDA;
  return t;
}

static void
unfake (GeTensor *t)
{
  t->storage->device = GE_DEVICE_CPU;
  ge_tensor_unref (t);
}

typedef GeTensor GeTensorFake;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeTensorFake, unfake)

static gboolean
no_driver_installed (void)
{
  return !g_file_test ("/proc/driver/nvidia/version", G_FILE_TEST_EXISTS);
}

/* The message ge_cuda_check_available() must give on this machine. */
static void
assert_unavailable_error (const GError *error)
{
  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
  if (!GE_TEST_CUDA_BUILT)
    g_assert_cmpstr (error->message, ==, NOT_COMPILED);
  else if (no_driver_installed ())
    g_assert_cmpstr (error->message, ==, NO_DRIVER);
  else if (!g_str_equal (error->message, NO_DEVICE) &&
           !g_str_has_prefix (error->message, "The NVIDIA driver on your system is too old"))
    g_assert_true (g_str_has_prefix (error->message, "CUDA error: "));
}

static void
skip_if_available (void)
{
  if (ge_cuda_is_available ())
    g_test_skip ("a CUDA device is present: the fallback is not in use here");
}

/* ---- linking ---- */

typedef struct
{
  GPtrArray *needed;
  gboolean   found;
} NeededSearch;

static int
collect_needed (struct dl_phdr_info *info,
                size_t               size,
                void                *data)
{
  NeededSearch *search = data;
  const ElfW(Dyn) *dynamic = NULL;
  const char *strtab = NULL;

  if (info->dlpi_name == NULL || strstr (info->dlpi_name, "libgradlab.so") == NULL)
    return 0;
  for (int i = 0; i < info->dlpi_phnum; i++)
    if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
      dynamic = (const ElfW(Dyn) *) (info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
  g_assert_nonnull (dynamic);

  for (const ElfW(Dyn) *d = dynamic; d->d_tag != DT_NULL; d++)
    if (d->d_tag == DT_STRTAB)
      {
        /* glibc relocates the entry in place; other loaders may not */
        ElfW(Addr) address = d->d_un.d_ptr;

        if (address < info->dlpi_addr)
          address += info->dlpi_addr;
        strtab = (const char *) address;
      }
  g_assert_nonnull (strtab);

  for (const ElfW(Dyn) *d = dynamic; d->d_tag != DT_NULL; d++)
    if (d->d_tag == DT_NEEDED)
      g_ptr_array_add (search->needed, g_strdup (strtab + d->d_un.d_val));
  search->found = TRUE;
  return 1;
}

static gboolean
needs_library (GPtrArray  *needed,
               const char *prefix)
{
  for (guint i = 0; i < needed->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (needed, i), prefix))
      return TRUE;
  return FALSE;
}

static void
test_library_links_backend (void)
{
  g_autoptr(GPtrArray) needed = g_ptr_array_new_with_free_func (g_free);
  NeededSearch search = { needed, FALSE };

  dl_iterate_phdr (collect_needed, &search);
  g_assert_true (search.found);

  g_assert_cmpint (ge_cuda_is_built (), ==, GE_TEST_CUDA_BUILT);
  g_assert_cmpint (needs_library (needed, "libcudart.so"), ==, GE_TEST_CUDA_BUILT);
  g_assert_cmpint (needs_library (needed, "libcublas.so"), ==, GE_TEST_CUDA_BUILT);
  /* the driver is loaded by cudart when there is one, never linked */
  g_assert_false (needs_library (needed, "libcuda.so"));
}

/* ---- detection ---- */

static void
test_unavailable_without_device (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) name_error = NULL;
  g_autoptr(GError) sync_error = NULL;
  g_autofree char *name = NULL;

  skip_if_available ();
  if (ge_cuda_is_available ())
    return;

  g_assert_cmpint (ge_cuda_device_count (), ==, 0);
  g_assert_false (ge_cuda_check_available (&error));
  assert_unavailable_error (error);

  name = ge_cuda_get_device_name (0, &name_error);
  g_assert_null (name);
  g_assert_cmpstr (name_error->message, ==, error->message);
  g_assert_false (ge_cuda_synchronize (&sync_error));
  g_assert_cmpstr (sync_error->message, ==, error->message);

  /* asking again gives the same answer */
  g_assert_false (ge_cuda_is_available ());
  g_assert_cmpuint (ge_cuda_memory_allocated (), ==, 0);
  g_assert_cmpuint (ge_cuda_memory_reserved (), ==, 0);
  ge_cuda_empty_cache ();
}

static void
test_moving_to_cuda_fails_cleanly (void)
{
  g_autoptr(GeTensor) t = tensor ("[[1.5, 2.0], [3.0, 4.0]]");
  g_autoptr(GeTensor) doubled = NULL;
  g_autoptr(GeTensor) same = NULL;
  g_autoptr(GeTensor) same_cpu = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) cuda_error = NULL;
  g_autoptr(GError) zeros_error = NULL;
  g_autoptr(GError) rand_error = NULL;
  g_autoptr(GError) full_error = NULL;
  GeTensor *moved;

  skip_if_available ();
  if (ge_cuda_is_available ())
    return;

  g_assert_true (ge_tensor_set_requires_grad (t, TRUE, NULL));
  moved = ge_tensor_to_device (t, GE_DEVICE_CUDA, &error);
  g_assert_null (moved);
  assert_unavailable_error (error);

  g_assert_null (ge_tensor_cuda (t, &cuda_error));
  g_assert_cmpstr (cuda_error->message, ==, error->message);
  g_assert_null (ge_tensor_zeros_on (GE_DEVICE_CUDA, 2, (gint64[]) { 2, 3 }, GE_DTYPE_FLOAT32,
                                     &zeros_error));
  g_assert_cmpstr (zeros_error->message, ==, error->message);
  g_assert_null (ge_tensor_full_on (GE_DEVICE_CUDA, 1, (gint64[]) { 4 }, 2.0, GE_DTYPE_INT64,
                                    &full_error));
  g_assert_cmpstr (full_error->message, ==, error->message);
  g_assert_null (ge_tensor_rand_on (GE_DEVICE_CUDA, 1, (gint64[]) { 4 }, GE_DTYPE_FLOAT32, NULL,
                                    &rand_error));
  g_assert_cmpstr (rand_error->message, ==, error->message);

  /* the CPU goes on as before: the tensor is untouched and ops work */
  g_assert_cmpint (ge_tensor_get_device (t), ==, GE_DEVICE_CPU);
  g_assert_true (ge_tensor_is_leaf (t));
  doubled = ge_tensor_mul (t, t, NULL);
  g_assert_nonnull (doubled);
  g_assert_cmpfloat (ge_tensor_get_flat (doubled, 3), ==, 16.0);

  /* to("cpu") of a CPU tensor is the tensor itself */
  same = ge_tensor_to_device (t, GE_DEVICE_CPU, NULL);
  g_assert_true (same == t);
  same_cpu = ge_tensor_cpu (t, NULL);
  g_assert_true (same_cpu == t);
}

/* Everything above, in a child: nothing may reach stdout or stderr. */
static void
test_fallback_is_quiet (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GeTensor) t = tensor ("[1.0, 2.0]");
      g_autoptr(GError) error = NULL;

      for (int i = 0; i < 3; i++)
        {
          ge_cuda_is_available ();
          ge_cuda_device_count ();
        }
      g_assert_null (ge_tensor_to_device (t, GE_DEVICE_CUDA, &error));
      g_clear_error (&error);
      g_assert_null (ge_tensor_zeros_on (GE_DEVICE_CUDA, 1, (gint64[]) { 2 }, GE_DTYPE_FLOAT32,
                                         &error));
      return;
    }

  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("");
  g_test_trap_assert_stderr ("");
}

/* With G_MESSAGES_DEBUG, the reason is given once, however often one asks. */
static void
test_reason_reported_once_when_asked (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GeTensor) t = tensor ("[1.0, 2.0]");

      for (int i = 0; i < 5; i++)
        {
          g_autoptr(GError) error = NULL;

          ge_cuda_is_available ();
          ge_tensor_to_device (t, GE_DEVICE_CUDA, &error);
        }
      return;
    }

  g_setenv ("G_MESSAGES_DEBUG", "Gradlab-Engine", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("G_MESSAGES_DEBUG");
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
  if (!GE_TEST_CUDA_BUILT)
    g_test_trap_assert_stdout ("*built without the CUDA backend*");
  else if (!ge_cuda_is_available ())
    g_test_trap_assert_stdout ("*CUDA unavailable: *");
  else
    g_test_trap_assert_stdout ("*CUDA available: *");
  /* exactly one line that mentions CUDA */
  g_test_trap_assert_stdout_unmatched ("*CUDA*\n*CUDA*");
}

/* ---- device strings ---- */

static void
test_device_strings (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) index_error = NULL;
  GeDevice device = GE_DEVICE_CUDA;

  g_assert_true (ge_device_parse ("cpu", &device, NULL));
  g_assert_cmpint (device, ==, GE_DEVICE_CPU);
  g_assert_true (ge_device_parse ("cuda", &device, NULL));
  g_assert_cmpint (device, ==, GE_DEVICE_CUDA);
  g_assert_true (ge_device_parse ("cuda:0", &device, NULL));
  g_assert_cmpint (device, ==, GE_DEVICE_CUDA);
  g_assert_cmpstr (ge_device_name (GE_DEVICE_CPU), ==, "cpu");
  g_assert_cmpstr (ge_device_name (GE_DEVICE_CUDA), ==, "cuda:0");

  g_assert_false (ge_device_parse ("cuda:1", &device, &index_error));
  g_assert_cmpstr (index_error->message, ==, "CUDA error: invalid device ordinal");
  g_assert_false (ge_device_parse ("gpu", &device, &error));
  g_assert_cmpstr (error->message, ==,
                   "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                   "fpga, ort, xla, lazy, vulkan, mps, meta, hpu, privateuseone device type at "
                   "start of device string: gpu");
}

/* ---- the device checks of the ops (fake device tags) ---- */

static void
assert_mixed (GError     *error,
              const char *devices)
{
  g_autofree char *expected = g_strconcat (MIXED, devices, NULL);

  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_mixing_devices_is_an_error (void)
{
  g_autoptr(GeTensorFake) gpu = fake_cuda ("[[1.0, 2.0], [3.0, 4.0]]");
  g_autoptr(GeTensor) cpu = tensor ("[[1.0, 2.0], [3.0, 4.0]]");
  g_autoptr(GeTensor) cpu_scalar = ge_tensor_scalar (2.0, GE_DTYPE_FLOAT32);
  g_autoptr(GeTensor) mask = tensor ("[[True, False], [False, True]]");
  g_autoptr(GError) add_error = NULL;
  g_autoptr(GError) reversed_error = NULL;
  g_autoptr(GError) mm_error = NULL;
  g_autoptr(GError) inplace_error = NULL;
  g_autoptr(GError) scalar_out_error = NULL;
  g_autoptr(GError) where_error = NULL;
  g_autoptr(GError) cat_error = NULL;

  g_assert_null (ge_tensor_add (gpu, cpu, &add_error));
  assert_mixed (add_error, "cuda:0 and cpu!");
  g_assert_null (ge_tensor_mul (cpu, gpu, &reversed_error));
  assert_mixed (reversed_error, "cpu and cuda:0!");
  g_assert_null (ge_tensor_mm (gpu, cpu, &mm_error));
  assert_mixed (mm_error, "cuda:0 and cpu!");
  g_assert_false (ge_tensor_add_ (cpu, gpu, &inplace_error));
  assert_mixed (inplace_error, "cpu and cuda:0!");
  /* a CPU scalar may be an input on any device, never the written output */
  g_assert_false (ge_tensor_add_ (cpu_scalar, gpu, &scalar_out_error));
  assert_mixed (scalar_out_error, "cuda:0 and cpu!");
  g_assert_null (ge_tensor_where (mask, gpu, cpu, &where_error));
  assert_mixed (where_error, "cpu and cuda:0!");
  g_assert_null (ge_tensor_cat (2, (GeTensor *[]) { gpu, cpu }, 0, &cat_error));
  assert_mixed (cat_error, "cuda:0 and cpu!");
}

/* nn.functional checks the devices before touching memory */
static void
test_nn_mixing_devices_is_an_error (void)
{
  g_autoptr(GeTensorFake) gpu = fake_cuda ("[[1.0, 2.0], [3.0, 4.0]]");
  g_autoptr(GeTensorFake) gpu_bias = fake_cuda ("[0.5, 0.5]");
  g_autoptr(GeTensor) cpu = tensor ("[[1.0, 2.0], [3.0, 4.0]]");
  g_autoptr(GeTensor) cpu_bias = tensor ("[0.5, 0.5]");
  g_autoptr(GError) linear_error = NULL;
  g_autoptr(GError) bias_error = NULL;
  g_autoptr(GError) addmm_error = NULL;
  g_autoptr(GError) mse_error = NULL;
  g_autoptr(GError) mse_reversed_error = NULL;

  g_assert_null (ge_tensor_linear (gpu, cpu, cpu_bias, &linear_error));
  assert_mixed (linear_error, "cpu and cuda:0!");
  g_assert_null (ge_tensor_linear (cpu, cpu, gpu_bias, &bias_error));
  assert_mixed (bias_error, "cuda:0 and cpu!");
  g_assert_null (ge_tensor_addmm (cpu_bias, cpu, gpu, 1.0, 1.0, &addmm_error));
  assert_mixed (addmm_error, "cpu and cuda:0!");
  g_assert_null (ge_tensor_mse_loss (gpu, cpu, GE_REDUCTION_MEAN, &mse_error));
  assert_mixed (mse_error, "cuda:0 and cpu!");
  g_assert_null (ge_tensor_mse_loss (cpu, gpu, GE_REDUCTION_SUM, &mse_reversed_error));
  assert_mixed (mse_reversed_error, "cpu and cuda:0!");
}

/* A backward function that returns its gradient tagged cuda (never read) */
static GeTensor *
identity_forward (GeFunctionCtx  *ctx,
                  int             n_inputs,
                  GeTensor      **inputs,
                  gpointer        user_data,
                  GError        **error)
{
  return ge_tensor_clone (inputs[0], error);
}

static gboolean
wrong_device_backward (GeFunctionCtx  *ctx,
                       GeTensor       *grad_output,
                       int             n_inputs,
                       GeTensor      **grad_inputs,
                       gpointer        user_data,
                       GError        **error)
{
  grad_inputs[0] = ge_tensor_clone (grad_output, error);
  if (grad_inputs[0] == NULL)
    return FALSE;
  grad_inputs[0]->storage->device = GE_DEVICE_CUDA;
  return TRUE;
}

/* PyTorch's validate_outputs: a gradient on another device than its input
 * is an error unless it is 0-dim (then it is moved) */
static void
test_gradient_on_wrong_device (void)
{
  g_autoptr(GeTensor) x = tensor ("[1.0, 2.0]");
  g_autoptr(GeTensor) y = NULL;
  g_autoptr(GeTensor) loss = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ge_tensor_set_requires_grad (x, TRUE, NULL));
  y = ge_function_apply ("WrongDevice", identity_forward, wrong_device_backward, NULL, NULL,
                         1, &x, NULL);
  g_assert_nonnull (y);
  loss = ge_tensor_sum (y, NULL);
  g_assert_false (ge_tensor_backward (loss, NULL, FALSE, FALSE, &error));
  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
  g_assert_cmpstr (error->message, ==,
                   "Function WrongDeviceBackward returned an invalid gradient at index 0 - "
                   "expected device cpu but got cuda:0");
  g_assert_null (ge_tensor_get_grad (x));
}

/* uniform_/normal_ of a cuda tensor go to the CUDA generator, which only
 * takes device memory: a faked tag is refused and the data left alone */
static void
test_random_fills_check_memory (void)
{
  g_autoptr(GeTensorFake) gpu = fake_cuda ("[1.0, 2.0, 3.0]");
  g_autoptr(GError) uniform_error = NULL;
  g_autoptr(GError) normal_error = NULL;

  g_assert_false (ge_tensor_uniform_ (gpu, 0.0, 1.0, NULL, &uniform_error));
  g_assert_error (uniform_error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED);
  g_assert_false (ge_tensor_normal_ (gpu, 0.0, 1.0, NULL, &normal_error));
  g_assert_error (normal_error, GE_ERROR, GE_ERROR_NOT_IMPLEMENTED);
  g_assert_cmpfloat (ge_tensor_get_flat (gpu, 2), ==, 3.0);
}

static void
test_cpu_scalars_go_with_any_device (void)
{
  g_autoptr(GeTensorFake) gpu = fake_cuda ("[1.0, 2.0]");
  g_autoptr(GeTensor) number = ge_tensor_wrap_double (2.0);
  g_autoptr(GeTensor) zero_dim = ge_tensor_scalar (2.0, GE_DTYPE_FLOAT32);
  GeDevice device = GE_DEVICE_CPU;

  g_assert_true (ge_device_check_same (2, (GeTensor *[]) { gpu, number }, TRUE, &device, NULL));
  g_assert_cmpint (device, ==, GE_DEVICE_CUDA);
  g_assert_true (ge_device_check_same (2, (GeTensor *[]) { zero_dim, gpu }, TRUE, &device, NULL));
  g_assert_cmpint (device, ==, GE_DEVICE_CUDA);
  g_assert_false (ge_device_check_same (2, (GeTensor *[]) { zero_dim, gpu }, FALSE, &device, NULL));
  g_assert_true (ge_device_check_same (1, (GeTensor *[]) { number }, TRUE, &device, NULL));
  g_assert_cmpint (device, ==, GE_DEVICE_CPU);
}

/* ---- the CUDA generator's stream ---- */

static void
test_philox_known_answers (void)
{
  /* Random123's kat_vectors, the three "philox4x32 10" lines */
  static const guint32 counters[3][4] = {
    { 0, 0, 0, 0 },
    { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff },
    { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344 },
  };
  static const guint32 keys[3][2] = {
    { 0, 0 },
    { 0xffffffff, 0xffffffff },
    { 0xa4093822, 0x299f31d0 },
  };
  static const guint32 expected[3][4] = {
    { 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 },
    { 0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd },
    { 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 },
  };

  for (int v = 0; v < 3; v++)
    {
      guint32 out[4];

      ge_philox4x32_10 (counters[v], keys[v], out);
      for (int j = 0; j < 4; j++)
        g_assert_cmphex (out[j], ==, expected[v][j]);
    }
}

static void
test_philox_stream_layout (void)
{
  guint32 block[4];
  float uniform[4], again[4], normal[4];
  double uniform64[2];
  double sum = 0.0, sum_sq = 0.0;
  const int n = 4096;

  /* block q of fill `offset`: counter (q, offset), key = the seed */
  ge_philox_block (G_GUINT64_CONSTANT (0x0000000200000001), 5, 3, block);
  {
    guint32 counter[4] = { 3, 0, 5, 0 }, key[2] = { 1, 2 }, direct[4];

    ge_philox4x32_10 (counter, key, direct);
    g_assert_cmpmem (block, sizeof block, direct, sizeof direct);
  }

  ge_philox_values_f32 (42, 0, 7, FALSE, 0.0, 1.0, uniform);
  ge_philox_values_f32 (42, 0, 7, FALSE, 0.0, 1.0, again);
  g_assert_cmpmem (uniform, sizeof uniform, again, sizeof again);
  ge_philox_block (42, 0, 7, block);
  for (int j = 0; j < 4; j++)
    {
      g_assert_cmpfloat (uniform[j], ==, (float) (block[j] >> 8) / 16777216.0f);
      g_assert_cmpfloat (uniform[j], >=, 0.0f);
      g_assert_cmpfloat (uniform[j], <, 1.0f);
    }
  ge_philox_values_f64 (42, 0, 7, FALSE, -1.0, 1.0, uniform64);
  g_assert_cmpfloat (uniform64[0], >=, -1.0);
  g_assert_cmpfloat (uniform64[1], <, 1.0);

  /* the next fill (offset 1) is a different stream */
  ge_philox_values_f32 (42, 1, 7, FALSE, 0.0, 1.0, again);
  g_assert_true (memcmp (uniform, again, sizeof uniform) != 0);

  for (int q = 0; q < n / 4; q++)
    {
      ge_philox_values_f32 (67280421310721, 0, q, TRUE, 0.0, 1.0, normal);
      for (int j = 0; j < 4; j++)
        {
          g_assert_true (isfinite (normal[j]));
          sum += normal[j];
          sum_sq += (double) normal[j] * normal[j];
        }
    }
  g_assert_cmpfloat (fabs (sum / n), <, 0.06);
  g_assert_cmpfloat (fabs (sum_sq / n - 1.0), <, 0.08);
}

static void
test_cuda_seed (void)
{
  g_assert_cmpuint (ge_cuda_initial_seed (), ==, G_GUINT64_CONSTANT (67280421310721));
  ge_cuda_manual_seed (43052);
  g_assert_cmpuint (ge_cuda_initial_seed (), ==, 43052);
  ge_cuda_manual_seed (G_GUINT64_CONSTANT (67280421310721));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cuda/fallback/library-links-backend", test_library_links_backend);
  g_test_add_func ("/cuda/fallback/unavailable-without-device", test_unavailable_without_device);
  g_test_add_func ("/cuda/fallback/moving-to-cuda-fails-cleanly", test_moving_to_cuda_fails_cleanly);
  g_test_add_func ("/cuda/fallback/quiet", test_fallback_is_quiet);
  g_test_add_func ("/cuda/fallback/reason-reported-once-when-asked",
                   test_reason_reported_once_when_asked);
  g_test_add_func ("/cuda/device/strings", test_device_strings);
  g_test_add_func ("/cuda/device/mixing-devices-is-an-error", test_mixing_devices_is_an_error);
  g_test_add_func ("/cuda/device/cpu-scalars-go-with-any-device", test_cpu_scalars_go_with_any_device);
  g_test_add_func ("/cuda/device/nn-mixing-devices-is-an-error", test_nn_mixing_devices_is_an_error);
  g_test_add_func ("/cuda/device/gradient-on-wrong-device", test_gradient_on_wrong_device);
  g_test_add_func ("/cuda/device/random-fills-check-memory", test_random_fills_check_memory);
  g_test_add_func ("/cuda/philox/known-answers", test_philox_known_answers);
  g_test_add_func ("/cuda/philox/stream-layout", test_philox_stream_layout);
  g_test_add_func ("/cuda/philox/seed", test_cuda_seed);

  return g_test_run ();
}
