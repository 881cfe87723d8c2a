/* ge-philox.h - the CUDA generator's stream: Philox 4x32-10 (host and device) */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/*
 * Philox 4x32-10 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011) is a counter-based generator: the 128-bit
 * block for counter c under key k is a fixed function of (c, k), so any
 * thread can compute any element without state.  The stream of the engine's
 * CUDA generator (documented in docs/engine.md):
 *
 *   key     = (seed & 0xffffffff, seed >> 32)
 *   counter = (q & 0xffffffff, q >> 32, offset & 0xffffffff, offset >> 32)
 *
 * where offset counts the fills since the seed was set and q is the block
 * index within a fill.  Block q gives float32 elements 4q..4q+3 and float64
 * elements 2q, 2q+1.  The same inline functions are compiled by nvcc for the
 * kernel and by gcc for the tests' CPU reference.
 */

#include <math.h>
#include <stdint.h>

#ifdef __CUDACC__
# define GE_PHILOX_FN static inline __host__ __device__
#else
# define GE_PHILOX_FN static inline
#endif

#define GE_PHILOX_M0 0xD2511F53u
#define GE_PHILOX_M1 0xCD9E8D57u
#define GE_PHILOX_W0 0x9E3779B9u
#define GE_PHILOX_W1 0xBB67AE85u

GE_PHILOX_FN void
ge_philox4x32_10 (const uint32_t counter[4],
                  const uint32_t key[2],
                  uint32_t       out[4])
{
  uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
  uint32_t k0 = key[0], k1 = key[1];

  for (int round = 0; round < 10; round++)
    {
      uint64_t p0 = (uint64_t) GE_PHILOX_M0 * c0;
      uint64_t p1 = (uint64_t) GE_PHILOX_M1 * c2;
      uint32_t n0 = (uint32_t) (p1 >> 32) ^ c1 ^ k0;
      uint32_t n2 = (uint32_t) (p0 >> 32) ^ c3 ^ k1;

      c1 = (uint32_t) p1;
      c3 = (uint32_t) p0;
      c0 = n0;
      c2 = n2;
      k0 += GE_PHILOX_W0;
      k1 += GE_PHILOX_W1;
    }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/* Block @q of fill number @offset after seeding with @seed. */
GE_PHILOX_FN void
ge_philox_block (uint64_t seed,
                 uint64_t offset,
                 uint64_t q,
                 uint32_t out[4])
{
  uint32_t counter[4] = { (uint32_t) q, (uint32_t) (q >> 32),
                          (uint32_t) offset, (uint32_t) (offset >> 32) };
  uint32_t key[2] = { (uint32_t) seed, (uint32_t) (seed >> 32) };

  ge_philox4x32_10 (counter, key, out);
}

/* [0, 1) from the top 24 bits */
GE_PHILOX_FN float
ge_philox_unit_f32 (uint32_t x)
{
  return (float) (x >> 8) * (1.0f / 16777216.0f);
}

/* [0, 1) from the top 53 bits of (hi, lo) */
GE_PHILOX_FN double
ge_philox_unit_f64 (uint32_t lo,
                    uint32_t hi)
{
  return (double) ((((uint64_t) hi << 32) | lo) >> 11) * (1.0 / 9007199254740992.0);
}

/* The four float32 values of block @q: uniform on [a, b) as u * (b - a) + a
 * in float, or normal with mean a and std b by Box-Muller on the pairs
 * (x0, x1) and (x2, x3). */
GE_PHILOX_FN void
ge_philox_values_f32 (uint64_t seed,
                      uint64_t offset,
                      uint64_t q,
                      int      normal,
                      double   a,
                      double   b,
                      float    out[4])
{
  uint32_t x[4];

  ge_philox_block (seed, offset, q, x);
  if (!normal)
    {
      float from = (float) a, range = (float) b - (float) a;

      for (int j = 0; j < 4; j++)
        out[j] = ge_philox_unit_f32 (x[j]) * range + from;
      return;
    }
  for (int j = 0; j < 4; j += 2)
    {
      float u1 = 1.0f - ge_philox_unit_f32 (x[j]);   /* (0, 1]: log is finite */
      float u2 = ge_philox_unit_f32 (x[j + 1]);
      float radius = sqrtf (-2.0f * logf (u1));
      float theta = 6.2831853071795865f * u2;

      out[j] = radius * cosf (theta) * (float) b + (float) a;
      out[j + 1] = radius * sinf (theta) * (float) b + (float) a;
    }
}

/* The two float64 values of block @q: uniform from (x0, x1) and (x2, x3),
 * or one Box-Muller pair. */
GE_PHILOX_FN void
ge_philox_values_f64 (uint64_t seed,
                      uint64_t offset,
                      uint64_t q,
                      int      normal,
                      double   a,
                      double   b,
                      double   out[2])
{
  uint32_t x[4];
  double u0, u1;

  ge_philox_block (seed, offset, q, x);
  u0 = ge_philox_unit_f64 (x[0], x[1]);
  u1 = ge_philox_unit_f64 (x[2], x[3]);
  if (!normal)
    {
      out[0] = u0 * (b - a) + a;
      out[1] = u1 * (b - a) + a;
      return;
    }
  {
    double radius = sqrt (-2.0 * log (1.0 - u0));
    double theta = 6.283185307179586 * u1;

    out[0] = radius * cos (theta) * b + a;
    out[1] = radius * sin (theta) * b + a;
  }
}
