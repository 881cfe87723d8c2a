/* ge-test-util.c - helpers for the engine tests: goldens and tensor asserts */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ge-test-util.h"

struct _GeGolden
{
  char       *path;
  GHashTable *lines;  /* key -> rest of the line (after "T key " or "S key ") */
  GHashTable *kinds;  /* key -> "T" / "S" */
  GHashTable *strings;/* key -> decoded string (lazily) */
};

GeGolden *
ge_golden_load (const char *area)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  const char *dir = g_getenv ("GE_GOLDEN_DIR");
  GeGolden *golden;
  g_autofree char *file = g_strconcat (area, ".golden", NULL);

  if (dir == NULL)
    dir = g_test_get_dir (G_TEST_DIST);
  golden = g_new0 (GeGolden, 1);
  golden->path = g_build_filename (dir, file, NULL);
  if (!g_file_get_contents (golden->path, &contents, NULL, &error))
    g_error ("cannot read golden file: %s", error->message);

  golden->lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  golden->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  golden->strings = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  lines = g_strsplit (contents, "\n", -1);
  for (int i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];
      const char *key, *space;

      if ((line[0] != 'T' && line[0] != 'S') || line[1] != ' ')
        continue;
      key = line + 2;
      space = strchr (key, ' ');
      if (space == NULL)
        continue;
      g_hash_table_replace (golden->lines, g_strndup (key, space - key), g_strdup (space + 1));
      g_hash_table_replace (golden->kinds, g_strndup (key, space - key),
                            (gpointer) (line[0] == 'T' ? "T" : "S"));
    }
  return golden;
}

void
ge_golden_free (GeGolden *golden)
{
  if (golden == NULL)
    return;
  g_hash_table_unref (golden->strings);
  g_hash_table_unref (golden->lines);
  g_hash_table_unref (golden->kinds);
  g_free (golden->path);
  g_free (golden);
}

gboolean
ge_golden_has (GeGolden   *golden,
               const char *key)
{
  return g_hash_table_contains (golden->lines, key);
}

static const char *
golden_line (GeGolden   *golden,
             const char *key,
             const char *kind)
{
  const char *line = g_hash_table_lookup (golden->lines, key);

  if (line == NULL)
    g_error ("golden %s has no key '%s' (regenerate the goldens?)", golden->path, key);
  if (g_strcmp0 (g_hash_table_lookup (golden->kinds, key), kind) != 0)
    g_error ("golden key '%s' is not of kind %s", key, kind);
  return line;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

char **
ge_golden_keys (GeGolden   *golden,
                const char *prefix)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, golden->lines);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_ptr_array_add (keys, g_strdup (key));
  g_ptr_array_sort (keys, compare_strings);
  g_ptr_array_add (keys, NULL);
  return (char **) g_ptr_array_free (keys, FALSE);
}

static GeDType
parse_dtype (const char *name)
{
  if (g_str_equal (name, "float32"))
    return GE_DTYPE_FLOAT32;
  if (g_str_equal (name, "float64"))
    return GE_DTYPE_FLOAT64;
  if (g_str_equal (name, "int64"))
    return GE_DTYPE_INT64;
  if (g_str_equal (name, "bool"))
    return GE_DTYPE_BOOL;
  g_error ("unknown golden dtype '%s'", name);
}

GeTensor *
ge_golden_tensor (GeGolden   *golden,
                  const char *key)
{
  const char *line = golden_line (golden, key, "T");
  g_auto(GStrv) tokens = g_strsplit (line, " ", -1);
  g_autoptr(GError) error = NULL;
  gint64 sizes[GE_MAX_DIMS];
  GeDType dtype;
  int ndim, pos = 0;
  gint64 numel = 1;
  g_autofree guint8 *buffer = NULL;
  GeTensor *t;

  dtype = parse_dtype (tokens[pos++]);
  ndim = atoi (tokens[pos++]);
  g_assert_cmpint (ndim, <=, GE_MAX_DIMS);
  for (int d = 0; d < ndim; d++)
    {
      sizes[d] = g_ascii_strtoll (tokens[pos++], NULL, 10);
      numel *= sizes[d];
    }
  g_assert_cmpstr (tokens[pos++], ==, ":");

  buffer = g_malloc0 (MAX (numel, 1) * ge_dtype_size (dtype));
  for (gint64 i = 0; i < numel; i++)
    {
      const char *tok = tokens[pos++];
      g_assert_nonnull (tok);
      switch (dtype)
        {
        case GE_DTYPE_BOOL:
          buffer[i] = tok[0] == '1';
          break;
        case GE_DTYPE_INT64:
          ((gint64 *) buffer)[i] = g_ascii_strtoll (tok, NULL, 10);
          break;
        case GE_DTYPE_FLOAT32:
          ((float *) buffer)[i] = (float) strtod (tok, NULL);
          break;
        case GE_DTYPE_FLOAT64:
        default:
          ((double *) buffer)[i] = strtod (tok, NULL);
          break;
        }
    }

  t = ge_tensor_new_from_data (buffer, dtype, ndim, sizes, &error);
  g_assert_no_error (error);
  return t;
}

const char *
ge_golden_string (GeGolden   *golden,
                  const char *key)
{
  const char *cached = g_hash_table_lookup (golden->strings, key);
  const char *line;

  if (cached != NULL)
    return cached;
  line = golden_line (golden, key, "S");
  /* The key in the table outlives the cache entry. */
  {
    gpointer orig_key = NULL;
    g_hash_table_lookup_extended (golden->lines, key, &orig_key, NULL);
    cached = g_strcompress (line);
    g_hash_table_insert (golden->strings, orig_key, (gpointer) cached);
  }
  return cached;
}

GeTensor *
ge_test_tensor (const char *literal)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_new_from_literal (literal, &error);

  g_assert_no_error (error);
  return t;
}

GeTensor *
ge_test_tensor_dtype (const char *literal,
                      GeDType     dtype)
{
  g_autoptr(GError) error = NULL;
  GeTensor *t = ge_tensor_new_from_literal_dtype (literal, dtype, &error);

  g_assert_no_error (error);
  return t;
}

void
ge_test_assert_close (const char     *file,
                      int             line,
                      const char     *what,
                      const GeTensor *actual,
                      const GeTensor *expected,
                      double          rtol,
                      double          atol)
{
  g_autofree double *a = NULL;
  g_autofree double *e = NULL;
  g_autofree char *sa = NULL;
  g_autofree char *se = NULL;
  gsize n;

  if (actual == NULL)
    g_error ("%s:%d: %s is NULL", file, line, what);
  if (ge_tensor_get_dtype (actual) != ge_tensor_get_dtype (expected))
    g_error ("%s:%d: %s has dtype %s, expected %s", file, line, what,
             ge_dtype_name (ge_tensor_get_dtype (actual)),
             ge_dtype_name (ge_tensor_get_dtype (expected)));
  sa = ge_shape_to_string (ge_tensor_get_sizes (actual), ge_tensor_get_ndim (actual));
  se = ge_shape_to_string (ge_tensor_get_sizes (expected), ge_tensor_get_ndim (expected));
  if (!g_str_equal (sa, se))
    g_error ("%s:%d: %s has shape %s, expected %s", file, line, what, sa, se);

  a = ge_tensor_to_doubles (actual, &n);
  e = ge_tensor_to_doubles (expected, NULL);
  for (gsize i = 0; i < n; i++)
    {
      gboolean ok;

      if (isnan (e[i]))
        ok = isnan (a[i]);
      else if (isinf (e[i]) || (rtol == 0.0 && atol == 0.0))
        ok = a[i] == e[i] && signbit (a[i]) == signbit (e[i]);
      else
        ok = fabs (a[i] - e[i]) <= atol + rtol * fabs (e[i]);
      if (!ok)
        g_error ("%s:%d: %s[%" G_GSIZE_FORMAT "] = %.9g (%a), expected %.9g (%a), rtol %g atol %g",
                 file, line, what, i, a[i], a[i], e[i], e[i], rtol, atol);
    }
}

void
ge_test_assert_golden_error (const char   *file,
                             int           line,
                             const GError *err,
                             const char   *expected)
{
  static const struct { const char *type; GeErrorCode code; } types[] = {
    { "RuntimeError", GE_ERROR_RUNTIME },
    { "_LinAlgError", GE_ERROR_LINALG },
    { "IndexError", GE_ERROR_INDEX },
    { "TypeError", GE_ERROR_TYPE },
    { "ValueError", GE_ERROR_VALUE },
    { "MemoryError", GE_ERROR_MEMORY },
    { "NotImplementedError", GE_ERROR_NOT_IMPLEMENTED },
  };
  const char *colon = strstr (expected, ": ");
  g_autofree char *type = NULL;

  if (err == NULL)
    g_error ("%s:%d: expected error \"%s\" but the call succeeded", file, line, expected);
  g_assert_nonnull (colon);
  type = g_strndup (expected, colon - expected);
  if (err->domain != GE_ERROR)
    g_error ("%s:%d: error from domain %s: %s", file, line,
             g_quark_to_string (err->domain), err->message);
  for (gsize i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (type, types[i].type) && err->code != (int) types[i].code)
      g_error ("%s:%d: error code %d, expected %s (%d) for: %s", file, line,
               err->code, type, types[i].code, err->message);
  if (!g_str_equal (err->message, colon + 2))
    g_error ("%s:%d: error message\n  \"%s\"\nexpected\n  \"%s\"", file, line,
             err->message, colon + 2);
}

GeDType
ge_test_dtype_from_name (const char *name)
{
  if (g_str_equal (name, "f32"))
    return GE_DTYPE_FLOAT32;
  if (g_str_equal (name, "f64"))
    return GE_DTYPE_FLOAT64;
  if (g_str_equal (name, "i64"))
    return GE_DTYPE_INT64;
  if (g_str_equal (name, "bool"))
    return GE_DTYPE_BOOL;
  g_error ("unknown dtype '%s' in a golden key", name);
}

GeTensor *
ge_golden_operand (GeGolden   *golden,
                   const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_strdup (spec);
  gboolean transposed = g_str_has_suffix (base, ":T");
  GeTensor *t;

  if (transposed)
    base[strlen (base) - 2] = '\0';

  if (base[0] == '@')
    {
      g_autofree char *key = g_strconcat ("input/", base + 1, NULL);
      t = ge_golden_tensor (golden, key);
    }
  else
    {
      char *colon = strchr (base, ':');
      gint64 sizes[GE_MAX_DIMS];
      int ndim = 0;

      g_assert_nonnull (colon);
      *colon = '\0';
      if (colon[1] != '\0')
        {
          g_auto(GStrv) parts = g_strsplit (colon + 1, ",", -1);

          for (; parts[ndim] != NULL; ndim++)
            sizes[ndim] = g_ascii_strtoll (parts[ndim], NULL, 10);
        }
      t = ge_tensor_ones (ndim, sizes, ge_test_dtype_from_name (base), &error);
      g_assert_no_error (error);
    }

  if (transposed)
    {
      GeTensor *view = ge_tensor_transpose (t, -2, -1, &error);

      g_assert_no_error (error);
      ge_tensor_unref (t);
      t = view;
    }
  return t;
}

GeTensor *
ge_test_relayout (GeTensor     *t,
                  GeTestLayout  layout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GeTensor) src = NULL;
  g_autoptr(GeTensor) storage = NULL;
  int ndim = ge_tensor_get_ndim (t);
  const gint64 *sizes = ge_tensor_get_sizes (t);
  GeDType dtype = ge_tensor_get_dtype (t);
  gsize elem = ge_dtype_size (dtype);
  gint64 n = ge_tensor_numel (t);
  gint64 step = layout == GE_TEST_LAYOUT_PADDED ? 2 : 1;
  gint64 offset = layout == GE_TEST_LAYOUT_PADDED ? 1 : 0;
  gint64 storage_size = n * step + offset;
  gint64 strides[GE_MAX_DIMS], index[GE_MAX_DIMS] = { 0 };
  gint64 stride = step;
  const char *from;
  char *to;

  if (layout == GE_TEST_LAYOUT_AS_GIVEN)
    return ge_tensor_ref (t);

  src = ge_tensor_contiguous (t, &error);
  g_assert_no_error (error);
  if (layout == GE_TEST_LAYOUT_CONTIGUOUS)
    return ge_tensor_clone (src, NULL);
  storage = ge_tensor_zeros (1, &storage_size, dtype, &error);
  g_assert_no_error (error);
  for (int d = 0; d < ndim; d++)
    {
      strides[d] = stride;
      stride *= MAX (sizes[d], 1);
    }

  from = ge_tensor_data_ptr (src);
  to = ge_tensor_data_ptr (storage);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 pos = offset;

      for (int d = 0; d < ndim; d++)
        pos += index[d] * strides[d];
      memcpy (to + pos * elem, from + i * elem, elem);
      for (int d = ndim - 1; d >= 0; d--)
        {
          if (++index[d] < sizes[d])
            break;
          index[d] = 0;
        }
    }
  return ge_tensor_as_strided (storage, ndim, sizes, strides, offset);
}

GeErrorCode
ge_test_error_code_for (const char *exception)
{
  if (g_str_equal (exception, "IndexError"))
    return GE_ERROR_INDEX;
  if (g_str_equal (exception, "ValueError"))
    return GE_ERROR_VALUE;
  if (g_str_equal (exception, "TypeError"))
    return GE_ERROR_TYPE;
  if (g_str_equal (exception, "_LinAlgError"))
    return GE_ERROR_LINALG;
  return GE_ERROR_RUNTIME;
}
