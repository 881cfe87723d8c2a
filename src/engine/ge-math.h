/* ge-math.h - the per-element math of every pointwise kernel */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * One definition of each element function, in the dtype's own precision, as
 * PyTorch 1.13's scalar CPU kernels compute it.  The CPU kernels and the
 * reference kernels include this file; the CUDA kernels compile it with nvcc
 * (GE_MATH_FN expands to __host__ __device__ there), so the CPU tests cover
 * the GPU's arithmetic too.
 */

#include <math.h>
#include <stdint.h>

#ifdef __CUDACC__
# define GE_MATH_FN static inline __host__ __device__
#else
# define GE_MATH_FN static inline
#endif

/* float32 */
GE_MATH_FN float ge_math_add_f32 (float a, float b) { return a + b; }
GE_MATH_FN float ge_math_sub_f32 (float a, float b) { return a - b; }
GE_MATH_FN float ge_math_mul_f32 (float a, float b) { return a * b; }
GE_MATH_FN float ge_math_div_f32 (float a, float b) { return a / b; }
GE_MATH_FN float ge_math_pow_f32 (float a, float b) { return powf (a, b); }
GE_MATH_FN float ge_math_neg_f32 (float a) { return -a; }
GE_MATH_FN float ge_math_exp_f32 (float a) { return expf (a); }
GE_MATH_FN float ge_math_log_f32 (float a) { return logf (a); }
GE_MATH_FN float ge_math_sin_f32 (float a) { return sinf (a); }
GE_MATH_FN float ge_math_cos_f32 (float a) { return cosf (a); }
GE_MATH_FN float ge_math_sqrt_f32 (float a) { return sqrtf (a); }
GE_MATH_FN float ge_math_abs_f32 (float a) { return fabsf (a); }
GE_MATH_FN float ge_math_tanh_f32 (float a) { return tanhf (a); }
GE_MATH_FN float ge_math_sigmoid_f32 (float a) { return 1.0f / (1.0f + expf (-a)); }
/* relu and clamp as std::max/std::min compose them (so -0. stays -0.);
 * NaN propagates, as in PyTorch. */
GE_MATH_FN float ge_math_relu_f32 (float a) { return a < 0.0f ? 0.0f : a; }
GE_MATH_FN float ge_math_clamp_f32 (float a, float lo, float hi)
{
  float x;
  if (a != a)
    return a;
  x = a < lo ? lo : a;
  return hi < x ? hi : x;
}

/* float64 */
GE_MATH_FN double ge_math_add_f64 (double a, double b) { return a + b; }
GE_MATH_FN double ge_math_sub_f64 (double a, double b) { return a - b; }
GE_MATH_FN double ge_math_mul_f64 (double a, double b) { return a * b; }
GE_MATH_FN double ge_math_div_f64 (double a, double b) { return a / b; }
GE_MATH_FN double ge_math_pow_f64 (double a, double b) { return pow (a, b); }
GE_MATH_FN double ge_math_neg_f64 (double a) { return -a; }
GE_MATH_FN double ge_math_exp_f64 (double a) { return exp (a); }
GE_MATH_FN double ge_math_log_f64 (double a) { return log (a); }
GE_MATH_FN double ge_math_sin_f64 (double a) { return sin (a); }
GE_MATH_FN double ge_math_cos_f64 (double a) { return cos (a); }
GE_MATH_FN double ge_math_sqrt_f64 (double a) { return sqrt (a); }
GE_MATH_FN double ge_math_abs_f64 (double a) { return fabs (a); }
GE_MATH_FN double ge_math_tanh_f64 (double a) { return tanh (a); }
GE_MATH_FN double ge_math_sigmoid_f64 (double a) { return 1.0 / (1.0 + exp (-a)); }
GE_MATH_FN double ge_math_relu_f64 (double a) { return a < 0.0 ? 0.0 : a; }
GE_MATH_FN double ge_math_clamp_f64 (double a, double lo, double hi)
{
  double x;
  if (a != a)
    return a;
  x = a < lo ? lo : a;
  return hi < x ? hi : x;
}

/* int64: wrap-around arithmetic like C++ on two's complement machines. */
GE_MATH_FN int64_t ge_math_add_i64 (int64_t a, int64_t b) { return (int64_t) ((uint64_t) a + (uint64_t) b); }
GE_MATH_FN int64_t ge_math_sub_i64 (int64_t a, int64_t b) { return (int64_t) ((uint64_t) a - (uint64_t) b); }
GE_MATH_FN int64_t ge_math_mul_i64 (int64_t a, int64_t b) { return (int64_t) ((uint64_t) a * (uint64_t) b); }
GE_MATH_FN int64_t ge_math_neg_i64 (int64_t a) { return (int64_t) (0 - (uint64_t) a); }
GE_MATH_FN int64_t ge_math_abs_i64 (int64_t a) { return a < 0 ? ge_math_neg_i64 (a) : a; }
GE_MATH_FN int64_t ge_math_relu_i64 (int64_t a) { return a > 0 ? a : 0; }
/* Exponent >= 0 is checked by the caller ("Integers to negative integer
 * powers are not allowed."). */
GE_MATH_FN int64_t ge_math_pow_i64 (int64_t base, int64_t exponent)
{
  uint64_t result = 1, b = (uint64_t) base;
  while (exponent > 0)
    {
      if (exponent & 1)
        result *= b;
      b *= b;
      exponent >>= 1;
    }
  return (int64_t) result;
}
GE_MATH_FN int64_t ge_math_clamp_i64 (int64_t a, int64_t lo, int64_t hi)
{
  int64_t x = a < lo ? lo : a;
  return hi < x ? hi : x;
}

/* pow with a Python-number exponent: ATen's special cases first. */
/* For float32 the general case uses a double exponent (std::pow(float,
 * double) promotes), as ATen's pow_tensor_scalar_optimized_kernel does. */
GE_MATH_FN float ge_math_pow_scalar_f32 (float a, double e)
{
  if (e == 1.0) return a;
  if (e == 0.0) return 1.0f;
  if (e == 2.0) return a * a;
  if (e == 3.0) return a * a * a;
  if (e == 0.5) return sqrtf (a);
  if (e == -0.5) return 1.0f / sqrtf (a);
  if (e == -1.0) return 1.0f / a;
  if (e == -2.0) return 1.0f / (a * a);
  return (float) pow ((double) a, e);
}
GE_MATH_FN double ge_math_pow_scalar_f64 (double a, double e)
{
  if (e == 1.0) return a;
  if (e == 0.0) return 1.0;
  if (e == 2.0) return a * a;
  if (e == 3.0) return a * a * a;
  if (e == 0.5) return sqrt (a);
  if (e == -0.5) return 1.0 / sqrt (a);
  if (e == -1.0) return 1.0 / a;
  if (e == -2.0) return 1.0 / (a * a);
  return pow (a, e);
}
