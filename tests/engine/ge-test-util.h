/* ge-test-util.h - helpers for the engine tests: goldens and tensor asserts */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gradlab.h>

G_BEGIN_DECLS

/* Golden files (tests/engine/golden/<area>.golden) are written by the
 * gen-*.py scripts beside them, which run Debian's PyTorch 1.13.  Lines:
 *   T <key> <dtype> <ndim> <sizes...> : <values...>   (floats as C99 hex)
 *   S <key> <C-escaped string>
 */
typedef struct _GeGolden GeGolden;

GeGolden   *ge_golden_load          (const char *area);
void        ge_golden_free          (GeGolden   *golden);
/* A new tensor; aborts the test when @key is missing. */
GeTensor   *ge_golden_tensor        (GeGolden   *golden,
                                     const char *key);
const char *ge_golden_string        (GeGolden   *golden,
                                     const char *key);
gboolean    ge_golden_has           (GeGolden   *golden,
                                     const char *key);
/* All keys starting with @prefix, sorted (free with g_strfreev). */
char      **ge_golden_keys          (GeGolden   *golden,
                                     const char *prefix);

/* Tensor from a Python-style literal; aborts on error. */
GeTensor   *ge_test_tensor          (const char *literal);
GeTensor   *ge_test_tensor_dtype    (const char *literal,
                                     GeDType     dtype);

/* Same dtype, shape and values within atol + rtol*|expected| (NaN equals
 * NaN, infinities must match).  rtol = atol = 0 asks for bitwise equality. */
void        ge_test_assert_close    (const char     *file,
                                     int             line,
                                     const char     *what,
                                     const GeTensor *actual,
                                     const GeTensor *expected,
                                     double          rtol,
                                     double          atol);

#define ge_assert_tensor_close(actual, expected, rtol, atol) \
  ge_test_assert_close (__FILE__, __LINE__, #actual, (actual), (expected), (rtol), (atol))
#define ge_assert_tensor_equal(actual, expected) \
  ge_test_assert_close (__FILE__, __LINE__, #actual, (actual), (expected), 0.0, 0.0)

/* Asserts that @err is set with @code and exactly @message. */
#define ge_assert_error(err, code, expected_message) G_STMT_START {                \
    g_assert_error ((err), GE_ERROR, (code));                                     \
    g_assert_cmpstr ((err)->message, ==, (expected_message));                     \
  } G_STMT_END

/* Asserts that @err matches a golden error string "<PythonType>: <message>"
 * (the GError code must be the one the kernel maps to that type). */
void        ge_test_assert_golden_error (const char   *file,
                                         int           line,
                                         const GError *err,
                                         const char   *expected);
#define ge_assert_golden_error(err, expected) \
  ge_test_assert_golden_error (__FILE__, __LINE__, (err), (expected))

/* Golden keys name dtypes "bool", "i64", "f32", "f64". */
GeDType     ge_test_dtype_from_name     (const char *name);
/* An operand named in a golden key: "@name" (the stored tensor
 * "input/name"), "f32:2,3" (ones of that shape), either with ":T" (the last
 * two dims transposed, as a view). */
GeTensor   *ge_golden_operand           (GeGolden   *golden,
                                         const char *spec);
/* The Python exception name of a golden error -> the GError code. */
GeErrorCode ge_test_error_code_for      (const char *exception);

typedef enum
{
  GE_TEST_LAYOUT_AS_GIVEN,     /* the tensor itself */
  GE_TEST_LAYOUT_CONTIGUOUS,   /* a contiguous copy */
  GE_TEST_LAYOUT_COLUMN_MAJOR, /* first dim fastest: every matrix transposed in memory */
  GE_TEST_LAYOUT_PADDED,       /* column-major, a gap after every element, offset 1 */
} GeTestLayout;

/* The values of @t in a new storage laid out as @layout (a strided view). */
GeTensor   *ge_test_relayout            (GeTensor     *t,
                                         GeTestLayout  layout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeGolden, ge_golden_free)

G_END_DECLS
