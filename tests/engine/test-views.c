/* test-views.c - views share storage; shapes, strides and copies vs PyTorch 1.13 */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "ge-test-util.h"
#include "ge-tensor-private.h"

static GeGolden *golden;

/* DIMS (2, 3) expands to the (ndim, sizes) argument pair. */
#define DIMS(...) \
  (int) G_N_ELEMENTS (((const gint64[]) { __VA_ARGS__ })), ((const gint64[]) { __VA_ARGS__ })
#define NO_START G_MININT64
#define NO_STOP  G_MAXINT64

typedef GeTensor *(*ViewOp) (GeTensor  *input,
                             GError   **error);

typedef struct
{
  const char *key;   /* golden key; the test path is made from it */
  const char *base;  /* golden key of the input */
  ViewOp      op;
} ViewCase;

static gint64
golden_int (const char *key)
{
  g_autoptr(GeTensor) t = ge_golden_tensor (golden, key);

  return (gint64) ge_tensor_get_flat (t, 0);
}

/* The result's values, strides, offset and storage sharing match torch's. */
static void
run_view_case (gconstpointer data)
{
  const ViewCase *c = data;
  g_autoptr(GeTensor) input = ge_golden_tensor (golden, c->base);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GeTensor) values = NULL;
  g_autoptr(GeTensor) strides = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kvalues = g_strconcat (c->key, ".values", NULL);
  g_autofree char *kstrides = g_strconcat (c->key, ".strides", NULL);
  g_autofree char *koffset = g_strconcat (c->key, ".offset", NULL);
  g_autofree char *kshares = g_strconcat (c->key, ".shares", NULL);

  result = c->op (input, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  values = ge_golden_tensor (golden, kvalues);
  ge_assert_tensor_equal (result, values);

  strides = ge_golden_tensor (golden, kstrides);
  g_assert_cmpint (ge_tensor_numel (strides), ==, ge_tensor_get_ndim (result));
  for (int d = 0; d < ge_tensor_get_ndim (result); d++)
    g_assert_cmpint (ge_tensor_get_strides (result)[d], ==,
                     (gint64) ge_tensor_get_flat (strides, d));

  g_assert_cmpint (ge_tensor_get_offset (result), ==, golden_int (koffset));
  g_assert_cmpint (ge_tensor_shares_storage (result, input), ==, golden_int (kshares));

  /* Results keep the input's dtype unless the op converts. */
  g_assert_false (result->is_wrapped_number);
}

/* The op fails with torch's exception type and message. */
static void
run_error_case (gconstpointer data)
{
  const ViewCase *c = data;
  g_autoptr(GeTensor) input = ge_golden_tensor (golden, c->base);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GError) error = NULL;

  result = c->op (input, &error);
  g_assert_null (result);
  ge_assert_golden_error (error, ge_golden_string (golden, c->key));
}

/* ---- the ops of the golden cases ---- */

static GeTensor *
slice (GeTensor  *t,
       int        dim,
       gint64     start,
       gint64     stop,
       gint64     step,
       GError   **error)
{
  return ge_tensor_slice (t, dim, start, stop, step, error);
}

static GeTensor *
view_flatten (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (6), error);
}

static GeTensor *
view_infer_last (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (4, -1), error);
}

static GeTensor *
view_infer_middle (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (2, -1, 2), error);
}

static GeTensor *
view_add_ones (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (1, 2, 1, 3), error);
}

static GeTensor *
view_1x4 (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (1, 4), error);
}

static GeTensor *
view_1x1 (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (1, 1), error);
}

static GeTensor *
view_scalar (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, 0, NULL, error);
}

static GeTensor *
view_transposed_split (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_transpose (t, 0, 1, error);

  return ge_tensor_view (tr, DIMS (3, 2, 2, 2), error);
}

static GeTensor *
view_row_slice_split (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) rows = slice (t, 0, NO_START, NO_STOP, 2, error);

  return ge_tensor_view (rows, DIMS (2, 3, 1), error);
}

static GeTensor *
view_column_slice_merge (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) cols = slice (t, 2, NO_START, 2, 1, error);

  return ge_tensor_view (cols, DIMS (6, 2), error);
}

static GeTensor *
view_column_slice_regroup (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) cols = slice (t, 2, NO_START, 2, 1, error);

  return ge_tensor_view (cols, DIMS (3, 2, 2), error);
}

static GeTensor *
view_expanded_split (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) wide = ge_tensor_expand (t, DIMS (3, 4), error);

  return ge_tensor_view (wide, DIMS (3, 2, 2), error);
}

static GeTensor *
view_empty_reshaped (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (0, 5), error);
}

static GeTensor *
view_empty_same_shape (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_transpose (t, 0, 2, error);

  return ge_tensor_view (tr, DIMS (3, 0, 2), error);
}

static GeTensor *
view_3x2 (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (3, 2), error);
}

static GeTensor *
view_3 (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (3), error);
}

static GeTensor *
view_two_inferred (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (-1, -1), error);
}

static GeTensor *
view_negative (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (-2, 2), error);
}

static GeTensor *
view_zero_with_inferred (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (-1, 0), error);
}

static GeTensor *
view_ambiguous_empty (GeTensor *t, GError **error)
{
  return ge_tensor_view (t, DIMS (0, -1), error);
}

static GeTensor *
view_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_t (t, error);

  return ge_tensor_view (tr, DIMS (6), error);
}

static GeTensor *
view_row_slice (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) rows = slice (t, 0, NO_START, NO_STOP, 2, error);

  return ge_tensor_view (rows, DIMS (6), error);
}

static GeTensor *
reshape_3x2 (GeTensor *t, GError **error)
{
  return ge_tensor_reshape (t, DIMS (3, 2), error);
}

static GeTensor *
reshape_flat (GeTensor *t, GError **error)
{
  return ge_tensor_reshape (t, DIMS (-1), error);
}

static GeTensor *
reshape_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_t (t, error);

  return ge_tensor_reshape (tr, DIMS (6), error);
}

static GeTensor *
reshape_transposed_split (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_transpose (t, 0, 1, error);

  return ge_tensor_reshape (tr, DIMS (3, 2, 2, 2), error);
}

static GeTensor *
reshape_row_slice (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) rows = slice (t, 0, NO_START, NO_STOP, 2, error);

  return ge_tensor_reshape (rows, DIMS (6), error);
}

static GeTensor *
reshape_4x1 (GeTensor *t, GError **error)
{
  return ge_tensor_reshape (t, DIMS (4, 1), error);
}

static GeTensor *
reshape_4 (GeTensor *t, GError **error)
{
  return ge_tensor_reshape (t, DIMS (4), error);
}

static GeTensor *
squeeze_all (GeTensor *t, GError **error)
{
  return ge_tensor_squeeze (t);
}

static GeTensor *
squeeze_strided (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) cols = slice (t, 2, NO_START, NO_STOP, 2, error);

  return ge_tensor_squeeze (cols);
}

static GeTensor *
squeeze_dim_1 (GeTensor *t, GError **error)
{
  return ge_tensor_squeeze_dim (t, 1, error);
}

static GeTensor *
squeeze_dim_minus_2 (GeTensor *t, GError **error)
{
  return ge_tensor_squeeze_dim (t, -2, error);
}

static GeTensor *
squeeze_dim_0 (GeTensor *t, GError **error)
{
  return ge_tensor_squeeze_dim (t, 0, error);
}

static GeTensor *
squeeze_dim_3 (GeTensor *t, GError **error)
{
  return ge_tensor_squeeze_dim (t, 3, error);
}

static GeTensor *
unsqueeze_0 (GeTensor *t, GError **error)
{
  return ge_tensor_unsqueeze (t, 0, error);
}

static GeTensor *
unsqueeze_1 (GeTensor *t, GError **error)
{
  return ge_tensor_unsqueeze (t, 1, error);
}

static GeTensor *
unsqueeze_2 (GeTensor *t, GError **error)
{
  return ge_tensor_unsqueeze (t, 2, error);
}

static GeTensor *
unsqueeze_3 (GeTensor *t, GError **error)
{
  return ge_tensor_unsqueeze (t, 3, error);
}

static GeTensor *
unsqueeze_minus_1 (GeTensor *t, GError **error)
{
  return ge_tensor_unsqueeze (t, -1, error);
}

static GeTensor *
unsqueeze_minus_4 (GeTensor *t, GError **error)
{
  return ge_tensor_unsqueeze (t, -4, error);
}

static GeTensor *
unsqueeze_strided_2 (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) rows = slice (t, 1, NO_START, NO_STOP, 2, error);

  return ge_tensor_unsqueeze (rows, 2, error);
}

static GeTensor *
unsqueeze_strided_3 (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) rows = slice (t, 1, NO_START, NO_STOP, 2, error);

  return ge_tensor_unsqueeze (rows, 3, error);
}

static GeTensor *
transpose_0_1 (GeTensor *t, GError **error)
{
  return ge_tensor_transpose (t, 0, 1, error);
}

static GeTensor *
transpose_0_2 (GeTensor *t, GError **error)
{
  return ge_tensor_transpose (t, 0, 2, error);
}

static GeTensor *
transpose_negative (GeTensor *t, GError **error)
{
  return ge_tensor_transpose (t, -1, -2, error);
}

static GeTensor *
transpose_same (GeTensor *t, GError **error)
{
  return ge_tensor_transpose (t, 1, 1, error);
}

static GeTensor *
transpose_scalar (GeTensor *t, GError **error)
{
  return ge_tensor_transpose (t, 0, -1, error);
}

static GeTensor *
t_op (GeTensor *t, GError **error)
{
  return ge_tensor_t (t, error);
}

static GeTensor *
permute_rotate (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 3, (const int[]) { 2, 0, 1 }, error);
}

static GeTensor *
permute_negative (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 3, (const int[]) { -1, 0, 1 }, error);
}

static GeTensor *
permute_identity (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 2, (const int[]) { 0, 1 }, error);
}

static GeTensor *
permute_scalar (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 0, NULL, error);
}

static GeTensor *
permute_of_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_transpose (t, 0, 1, error);

  return ge_tensor_permute (tr, 3, (const int[]) { 2, 1, 0 }, error);
}

static GeTensor *
permute_wrong_length (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 1, (const int[]) { 0 }, error);
}

static GeTensor *
permute_duplicate (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 2, (const int[]) { 0, 0 }, error);
}

static GeTensor *
permute_duplicate_negative (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 2, (const int[]) { 0, -2 }, error);
}

static GeTensor *
permute_out_of_range (GeTensor *t, GError **error)
{
  return ge_tensor_permute (t, 2, (const int[]) { 0, 2 }, error);
}

static GeTensor *
select_row (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 0, 1, error);
}

static GeTensor *
select_column_negative (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 1, -1, error);
}

static GeTensor *
select_last_dim (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 2, 2, error);
}

static GeTensor *
select_negative_dim (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, -2, 1, error);
}

static GeTensor *
select_of_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_t (t, error);

  return ge_tensor_select (tr, 0, 2, error);
}

static GeTensor *
select_to_scalar (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 0, 3, error);
}

static GeTensor *
select_too_big (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 0, 5, error);
}

static GeTensor *
select_too_negative (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 1, -4, error);
}

static GeTensor *
select_scalar (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 0, 0, error);
}

static GeTensor *
select_bad_dim (GeTensor *t, GError **error)
{
  return ge_tensor_select (t, 2, 0, error);
}

static GeTensor *
slice_from_one (GeTensor *t, GError **error)
{
  return slice (t, 0, 1, NO_STOP, 1, error);
}

static GeTensor *
slice_every_second_column (GeTensor *t, GError **error)
{
  return slice (t, 2, NO_START, NO_STOP, 2, error);
}

static GeTensor *
slice_negative_start (GeTensor *t, GError **error)
{
  return slice (t, 1, -2, NO_STOP, 1, error);
}

static GeTensor *
slice_clamped (GeTensor *t, GError **error)
{
  return slice (t, 0, -100, 100, 1, error);
}

static GeTensor *
slice_step_past_end (GeTensor *t, GError **error)
{
  return slice (t, 0, 1, 100, 3, error);
}

static GeTensor *
slice_empty (GeTensor *t, GError **error)
{
  return slice (t, 0, 3, 1, 1, error);
}

static GeTensor *
slice_negative_dim_and_stop (GeTensor *t, GError **error)
{
  return slice (t, -1, 1, -1, 1, error);
}

static GeTensor *
slice_of_slice (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) rows = slice (t, 0, 1, NO_STOP, 2, error);

  return slice (rows, 1, 1, 3, 1, error);
}

static GeTensor *
slice_zero_step (GeTensor *t, GError **error)
{
  return slice (t, 0, 0, 3, 0, error);
}

static GeTensor *
slice_negative_step (GeTensor *t, GError **error)
{
  return slice (t, 0, 0, 3, -1, error);
}

static GeTensor *
slice_scalar (GeTensor *t, GError **error)
{
  return slice (t, 0, 0, 1, 1, error);
}

static GeTensor *
slice_bad_dim (GeTensor *t, GError **error)
{
  return slice (t, 1, 0, 1, 1, error);
}

static GeTensor *
expand_column (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (3, 4), error);
}

static GeTensor *
expand_keep (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (-1, 4), error);
}

static GeTensor *
expand_new_leading (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (2, 3, 5), error);
}

static GeTensor *
expand_new_leading_one (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (1, 2, 3), error);
}

static GeTensor *
expand_same (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (2, 3), error);
}

static GeTensor *
expand_2x2 (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (2, 2), error);
}

static GeTensor *
expand_of_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_transpose (t, 0, 1, error);

  return ge_tensor_expand (tr, DIMS (4, 2, 3), error);
}

static GeTensor *
expand_mismatch (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) three = slice (t, 0, NO_START, 3, 1, error);

  return ge_tensor_expand (three, DIMS (2, 4), error);
}

static GeTensor *
expand_2x4 (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (2, 4), error);
}

static GeTensor *
expand_3 (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (3), error);
}

static GeTensor *
expand_2 (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (2), error);
}

static GeTensor *
expand_double_3 (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) d = ge_tensor_to_dtype (t, GE_DTYPE_FLOAT64, error);

  return ge_tensor_expand (d, DIMS (3), error);
}

static GeTensor *
expand_leading_minus_one (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (-1, 4), error);
}

static GeTensor *
expand_negative (GeTensor *t, GError **error)
{
  return ge_tensor_expand (t, DIMS (2, -2), error);
}

static GeTensor *
as_strided_window (GeTensor *t, GError **error)
{
  return ge_tensor_as_strided (t, DIMS (2, 2), (const gint64[]) { 1, 2 }, 1);
}

static GeTensor *
as_strided_broadcast (GeTensor *t, GError **error)
{
  return ge_tensor_as_strided (t, DIMS (3, 2), (const gint64[]) { 0, 5 }, 7);
}

static GeTensor *
contiguous_op (GeTensor *t, GError **error)
{
  return ge_tensor_contiguous (t, error);
}

static GeTensor *
contiguous_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_transpose (t, 0, 2, error);

  return ge_tensor_contiguous (tr, error);
}

static GeTensor *
contiguous_expanded (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) wide = ge_tensor_expand (t, DIMS (3, 4), error);

  return ge_tensor_contiguous (wide, error);
}

static GeTensor *
clone_op (GeTensor *t, GError **error)
{
  return ge_tensor_clone (t, error);
}

static GeTensor *
clone_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_t (t, error);

  return ge_tensor_clone (tr, error);
}

static GeTensor *
to_long_transposed (GeTensor *t, GError **error)
{
  g_autoptr(GeTensor) tr = ge_tensor_t (t, error);

  return ge_tensor_to_dtype (tr, GE_DTYPE_INT64, error);
}

static const ViewCase view_cases[] = {
  { "view.flatten", "base.2x3", view_flatten },
  { "view.infer-last", "base.2x3x4", view_infer_last },
  { "view.infer-middle", "base.2x3x4", view_infer_middle },
  { "view.add-ones", "base.2x3", view_add_ones },
  { "view.notebook-1x4", "base.2x2-int", view_1x4 },
  { "view.scalar-to-1x1", "base.scalar", view_1x1 },
  { "view.scalar-to-scalar", "base.scalar", view_scalar },
  { "view.one-to-scalar", "base.1", view_scalar },
  { "view.transposed-split", "base.2x3x4", view_transposed_split },
  { "view.row-slice-split", "base.4x3", view_row_slice_split },
  { "view.column-slice-merge", "base.2x3x4", view_column_slice_merge },
  { "view.column-slice-regroup", "base.2x3x4", view_column_slice_regroup },
  { "view.expanded-split", "base.3x1", view_expanded_split },
  { "view.empty-reshaped", "base.2x0x3", view_empty_reshaped },
  { "view.empty-same-shape", "base.2x0x3", view_empty_same_shape },
  { "view.bool", "base.bool", view_3x2 },
  { "reshape.contiguous-is-view", "base.2x3", reshape_3x2 },
  { "reshape.infer", "base.2x3x4", reshape_flat },
  { "reshape.transposed-copies", "base.2x3", reshape_transposed },
  { "reshape.transposed-view-when-possible", "base.2x3x4", reshape_transposed_split },
  { "reshape.row-slice-copies", "base.4x3", reshape_row_slice },
  { "reshape.notebook-4x1", "base.2x2-int", reshape_4x1 },
  { "squeeze.notebook", "base.1x1x3-int", squeeze_all },
  { "squeeze.nothing-to-remove", "base.2x3", squeeze_all },
  { "squeeze.to-scalar", "base.1", squeeze_all },
  { "squeeze.strided", "base.2x1x3", squeeze_strided },
  { "squeeze-dim.size-one", "base.2x1x3", squeeze_dim_1 },
  { "squeeze-dim.negative", "base.2x1x3", squeeze_dim_minus_2 },
  { "squeeze-dim.not-size-one", "base.2x1x3", squeeze_dim_0 },
  { "squeeze-dim.scalar", "base.scalar", squeeze_dim_0 },
  { "unsqueeze.front", "base.2x3", unsqueeze_0 },
  { "unsqueeze.middle", "base.2x3", unsqueeze_1 },
  { "unsqueeze.end", "base.2x3", unsqueeze_2 },
  { "unsqueeze.negative", "base.2x3", unsqueeze_minus_1 },
  { "unsqueeze.strided-middle", "base.2x3x4", unsqueeze_strided_2 },
  { "unsqueeze.strided-end", "base.2x3x4", unsqueeze_strided_3 },
  { "unsqueeze.scalar", "base.scalar", unsqueeze_0 },
  { "transpose.2d", "base.2x3", transpose_0_1 },
  { "transpose.3d-outer", "base.2x3x4", transpose_0_2 },
  { "transpose.negative", "base.2x3x4", transpose_negative },
  { "transpose.same-dim", "base.2x3", transpose_same },
  { "transpose.scalar", "base.scalar", transpose_scalar },
  { "t.2d", "base.2x3", t_op },
  { "t.1d", "base.4", t_op },
  { "t.scalar", "base.scalar", t_op },
  { "permute.rotate", "base.2x3x4", permute_rotate },
  { "permute.negative", "base.2x3x4", permute_negative },
  { "permute.identity", "base.2x3", permute_identity },
  { "permute.scalar", "base.scalar", permute_scalar },
  { "permute.of-transposed", "base.2x3x4", permute_of_transposed },
  { "select.row", "base.2x3", select_row },
  { "select.column-negative", "base.2x3", select_column_negative },
  { "select.last-dim", "base.2x3x4", select_last_dim },
  { "select.negative-dim", "base.2x3x4", select_negative_dim },
  { "select.of-transposed", "base.2x3", select_of_transposed },
  { "select.to-scalar", "base.4", select_to_scalar },
  { "slice.from-one", "base.4x3", slice_from_one },
  { "slice.every-second-column", "base.2x3x4", slice_every_second_column },
  { "slice.negative-start", "base.4x3", slice_negative_start },
  { "slice.clamped", "base.4x3", slice_clamped },
  { "slice.step-past-end", "base.4x3", slice_step_past_end },
  { "slice.empty", "base.4x3", slice_empty },
  { "slice.negative-dim-and-stop", "base.2x3x4", slice_negative_dim_and_stop },
  { "slice.of-slice", "base.4x3", slice_of_slice },
  { "expand.column", "base.3x1", expand_column },
  { "expand.keep-with-minus-one", "base.3x1", expand_keep },
  { "expand.new-leading-dims", "base.3x1", expand_new_leading },
  { "expand.new-leading-one", "base.2x3", expand_new_leading_one },
  { "expand.same", "base.2x3", expand_same },
  { "expand.scalar", "base.scalar", expand_2x2 },
  { "expand.of-transposed", "base.2x1x3", expand_of_transposed },
  { "as-strided.window", "base.2x3x4", as_strided_window },
  { "as-strided.broadcast", "base.2x3x4", as_strided_broadcast },
  { "contiguous.already", "base.2x3", contiguous_op },
  { "contiguous.transposed", "base.2x3x4", contiguous_transposed },
  { "contiguous.expanded", "base.3x1", contiguous_expanded },
  { "clone.contiguous", "base.2x3", clone_op },
  { "clone.transposed", "base.2x3", clone_transposed },
  { "clone.bool", "base.bool", clone_op },
  { "to-dtype.transposed", "base.2x3", to_long_transposed },
};

static const ViewCase error_cases[] = {
  { "error.view.invalid-size", "base.4", view_3 },
  { "error.view.two-inferred", "base.4", view_two_inferred },
  { "error.view.negative-size", "base.4", view_negative },
  { "error.view.zero-with-inferred", "base.4", view_zero_with_inferred },
  { "error.view.ambiguous-empty", "base.2x0x3", view_ambiguous_empty },
  { "error.view.transposed", "base.2x3", view_transposed },
  { "error.view.row-slice", "base.4x3", view_row_slice },
  { "error.reshape.invalid-size", "base.2x3", reshape_4 },
  { "error.squeeze-dim.out-of-range", "base.2x1x3", squeeze_dim_3 },
  { "error.squeeze-dim.scalar", "base.scalar", squeeze_dim_1 },
  { "error.unsqueeze.too-big", "base.2x3", unsqueeze_3 },
  { "error.unsqueeze.too-negative", "base.2x3", unsqueeze_minus_4 },
  { "error.transpose.out-of-range", "base.2x3", transpose_0_2 },
  { "error.t.3d", "base.2x3x4", t_op },
  { "error.permute.wrong-length", "base.2x3", permute_wrong_length },
  { "error.permute.duplicate", "base.2x3", permute_duplicate },
  { "error.permute.duplicate-negative", "base.2x3", permute_duplicate_negative },
  { "error.permute.out-of-range", "base.2x3", permute_out_of_range },
  { "error.select.index-too-big", "base.4", select_too_big },
  { "error.select.index-too-negative", "base.2x3", select_too_negative },
  { "error.select.scalar", "base.scalar", select_scalar },
  { "error.select.dim", "base.2x3", select_bad_dim },
  { "error.slice.zero-step", "base.4x3", slice_zero_step },
  { "error.slice.negative-step", "base.4x3", slice_negative_step },
  { "error.slice.scalar", "base.scalar", slice_scalar },
  { "error.slice.dim", "base.4", slice_bad_dim },
  { "error.expand.mismatch", "base.4", expand_mismatch },
  { "error.expand.mismatch-1d", "base.2x3", expand_2x4 },
  { "error.expand.too-few-sizes-float", "base.2x3", expand_3 },
  { "error.expand.too-few-sizes-long", "base.2x2-int", expand_2 },
  { "error.expand.too-few-sizes-double", "base.2x3", expand_double_3 },
  { "error.expand.too-few-sizes-bool", "base.bool", expand_3 },
  { "error.expand.leading-minus-one", "base.4", expand_leading_minus_one },
  { "error.expand.negative", "base.1", expand_negative },
};

/* ---- dtype conversions ---- */

typedef struct
{
  const char *name;
  GeDType     dtype;
} Conversion;

static const Conversion conversions[] = {
  { "float-to-long", GE_DTYPE_INT64 },
  { "double-to-long", GE_DTYPE_INT64 },
  { "float-to-bool", GE_DTYPE_BOOL },
  { "long-to-bool", GE_DTYPE_BOOL },
  { "long-to-float", GE_DTYPE_FLOAT32 },
  { "long-to-double", GE_DTYPE_FLOAT64 },
  { "double-to-float", GE_DTYPE_FLOAT32 },
  { "float-to-double", GE_DTYPE_FLOAT64 },
  { "bool-to-float", GE_DTYPE_FLOAT32 },
  { "bool-to-long", GE_DTYPE_INT64 },
};

/* Truncation toward zero, INT64_MIN for NaN/inf/out of range, bool as != 0. */
static void
run_conversion (gconstpointer data)
{
  const Conversion *c = data;
  g_autofree char *kin = g_strdup_printf ("to-dtype.%s.input", c->name);
  g_autofree char *kout = g_strdup_printf ("to-dtype.%s.output", c->name);
  g_autoptr(GeTensor) input = ge_golden_tensor (golden, kin);
  g_autoptr(GeTensor) expected = ge_golden_tensor (golden, kout);
  g_autoptr(GeTensor) result = NULL;
  g_autoptr(GError) error = NULL;

  result = ge_tensor_to_dtype (input, c->dtype, &error);
  g_assert_no_error (error);
  ge_assert_tensor_equal (result, expected);
  g_assert_false (ge_tensor_shares_storage (result, input));
}

/* ---- behaviours ---- */

/* The notebook: viewed_tensor = a.view(1, 4); viewed_tensor[0][0] = 10 */
static void
test_view_shares_memory_with_base (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1, 2], [3, 4]]");
  g_autoptr(GeTensor) viewed = NULL;
  g_autoptr(GeTensor) row = NULL;
  g_autoptr(GeTensor) ten = ge_tensor_wrap_int (10);
  g_autoptr(GeTensor) expected_a = ge_test_tensor ("[[10, 2], [3, 4]]");
  g_autoptr(GeTensor) expected_view = ge_test_tensor ("[[10, 2, 3, 4]]");
  g_autoptr(GError) error = NULL;
  GeIndex zero = GE_INDEX_I (0);

  viewed = ge_tensor_view (a, DIMS (1, 4), &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_shares_storage (viewed, a));

  row = ge_tensor_index (viewed, 1, &zero, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_index_put (row, 1, &zero, ten, &error));
  g_assert_no_error (error);

  ge_assert_tensor_equal (viewed, expected_view);
  ge_assert_tensor_equal (a, expected_a);
}

/* The notebook: squeezed_tensor[0] = 10 shows in expanded_tensor. */
static void
test_squeeze_shares_memory_with_base (void)
{
  g_autoptr(GeTensor) expanded = ge_test_tensor ("[[[1, 2, 3]]]");
  g_autoptr(GeTensor) squeezed = ge_tensor_squeeze (expanded);
  g_autoptr(GeTensor) ten = ge_tensor_wrap_int (10);
  g_autoptr(GeTensor) expected_squeezed = ge_test_tensor ("[10, 2, 3]");
  g_autoptr(GeTensor) expected_base = ge_test_tensor ("[[[10, 2, 3]]]");
  g_autoptr(GError) error = NULL;
  GeIndex zero = GE_INDEX_I (0);

  g_assert_cmpint (ge_tensor_get_ndim (squeezed), ==, 1);
  g_assert_true (ge_tensor_index_put (squeezed, 1, &zero, ten, &error));
  g_assert_no_error (error);
  ge_assert_tensor_equal (squeezed, expected_squeezed);
  ge_assert_tensor_equal (expanded, expected_base);
}

/* Writing through a transposed view lands in the base's matching element. */
static void
test_transpose_writes_reach_base (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) at = NULL;
  g_autoptr(GeTensor) value = ge_tensor_wrap_double (-1.0);
  g_autoptr(GeTensor) expected = ge_test_tensor ("[[1., 2., 3.], [4., 5., -1.]]");
  g_autoptr(GError) error = NULL;
  GeIndex at_2_1[] = { GE_INDEX_I (2), GE_INDEX_I (1) };

  at = ge_tensor_t (a, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_index_put (at, 2, at_2_1, value, &error));
  g_assert_no_error (error);
  ge_assert_tensor_equal (a, expected);
}

/* reshape() copies when it must, and the copy is independent of the base. */
static void
test_reshape_copy_is_independent (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) at = NULL;
  g_autoptr(GeTensor) flat = NULL;
  g_autoptr(GeTensor) value = ge_tensor_wrap_double (100.0);
  g_autoptr(GeTensor) expected_a = ge_test_tensor ("[[1., 2., 3.], [4., 5., 6.]]");
  g_autoptr(GeTensor) expected_flat = ge_test_tensor ("[100., 4., 2., 5., 3., 6.]");
  g_autoptr(GError) error = NULL;
  GeIndex zero = GE_INDEX_I (0);

  at = ge_tensor_t (a, &error);
  flat = ge_tensor_reshape (at, DIMS (-1), &error);
  g_assert_no_error (error);
  g_assert_false (ge_tensor_shares_storage (flat, a));
  g_assert_true (ge_tensor_is_contiguous (flat));
  g_assert_true (ge_tensor_index_put (flat, 1, &zero, value, &error));
  g_assert_no_error (error);
  ge_assert_tensor_equal (flat, expected_flat);
  ge_assert_tensor_equal (a, expected_a);
}

static void
test_clone_is_independent (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[1., 2., 3.]");
  g_autoptr(GeTensor) copy = NULL;
  g_autoptr(GeTensor) value = ge_tensor_wrap_double (9.0);
  g_autoptr(GeTensor) expected_a = ge_test_tensor ("[1., 2., 3.]");
  g_autoptr(GError) error = NULL;
  GeIndex one = GE_INDEX_I (1);

  copy = ge_tensor_clone (a, &error);
  g_assert_no_error (error);
  g_assert_false (ge_tensor_shares_storage (copy, a));
  g_assert_true (ge_tensor_index_put (copy, 1, &one, value, &error));
  ge_assert_tensor_equal (a, expected_a);
  g_assert_cmpfloat (ge_tensor_get_flat (copy, 1), ==, 9.0);
}

static void
test_contiguous_returns_self_when_contiguous (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[[1., 2.], [3., 4.]]");
  g_autoptr(GeTensor) same = NULL;
  g_autoptr(GError) error = NULL;

  same = ge_tensor_contiguous (a, &error);
  g_assert_no_error (error);
  g_assert_true (same == a);
}

static void
test_to_dtype_same_dtype_returns_self (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[1, 2]");
  g_autoptr(GeTensor) same = NULL;
  g_autoptr(GError) error = NULL;

  same = ge_tensor_to_dtype (a, GE_DTYPE_INT64, &error);
  g_assert_no_error (error);
  g_assert_true (same == a);
}

/* A view holds the storage: the base may go first. */
static void
test_view_keeps_storage_alive (void)
{
  GeTensor *a = ge_test_tensor ("[[1., 2.], [3., 4.]]");
  g_autoptr(GeTensor) column = NULL;
  g_autoptr(GeTensor) expected = ge_test_tensor ("[2., 4.]");
  g_autoptr(GError) error = NULL;

  column = ge_tensor_select (a, 1, 1, &error);
  g_assert_no_error (error);
  ge_tensor_unref (a);
  ge_assert_tensor_equal (column, expected);
}

/* A view of a wrapped Python number is an ordinary tensor. */
static void
test_views_are_not_wrapped_numbers (void)
{
  g_autoptr(GeTensor) number = ge_tensor_wrap_int (3);
  g_autoptr(GeTensor) viewed = NULL;
  g_autoptr(GeTensor) unsqueezed = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (number->is_wrapped_number);
  viewed = ge_tensor_view (number, 0, NULL, &error);
  g_assert_no_error (error);
  unsqueezed = ge_tensor_unsqueeze (number, 0, &error);
  g_assert_no_error (error);
  g_assert_false (viewed->is_wrapped_number);
  g_assert_false (unsqueezed->is_wrapped_number);
  g_assert_cmpint (ge_tensor_get_dtype (viewed), ==, GE_DTYPE_INT64);
}

/* Gradlab's own limit: more than GE_MAX_DIMS dims is a RuntimeError. */
static void
test_too_many_dims_is_an_error (void)
{
  g_autoptr(GeTensor) a = ge_test_tensor ("[1., 2.]");
  gint64 shape[GE_MAX_DIMS + 1];
  g_autoptr(GeTensor) ok = NULL;
  g_autoptr(GeTensor) bad = NULL;
  g_autoptr(GeTensor) unsqueezed = NULL;
  g_autoptr(GError) error = NULL;

  for (int d = 0; d <= GE_MAX_DIMS; d++)
    shape[d] = d == 0 ? 2 : 1;
  ok = ge_tensor_view (a, GE_MAX_DIMS, shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ge_tensor_get_ndim (ok), ==, GE_MAX_DIMS);

  bad = ge_tensor_view (a, GE_MAX_DIMS + 1, shape, &error);
  g_assert_null (bad);
  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
  g_clear_error (&error);

  unsqueezed = ge_tensor_unsqueeze (ok, 0, &error);
  g_assert_null (unsqueezed);
  g_assert_error (error, GE_ERROR, GE_ERROR_RUNTIME);
}

/* A big permuted copy goes through the strided iterator; every element must
 * land where the multi-index arithmetic says. */
static void
test_contiguous_copy_of_permuted_tensor (void)
{
  const gint64 sizes[] = { 7, 11, 13 };
  g_autoptr(GeTensor) base = NULL;
  g_autoptr(GeTensor) permuted = NULL;
  g_autoptr(GeTensor) copy = NULL;
  g_autoptr(GeTensor) as_double = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n = 7 * 11 * 13;
  g_autofree gint64 *data = g_new (gint64, n);

  for (gint64 i = 0; i < n; i++)
    data[i] = i * 3 - 100;
  base = ge_tensor_new_from_data (data, GE_DTYPE_INT64, 3, sizes, &error);
  g_assert_no_error (error);
  permuted = ge_tensor_permute (base, 3, (const int[]) { 2, 0, 1 }, &error);
  g_assert_no_error (error);
  copy = ge_tensor_contiguous (permuted, &error);
  g_assert_no_error (error);
  as_double = ge_tensor_to_dtype (permuted, GE_DTYPE_FLOAT64, &error);
  g_assert_no_error (error);
  g_assert_true (ge_tensor_is_contiguous (copy));

  for (gint64 k = 0; k < 13; k++)
    for (gint64 i = 0; i < 7; i++)
      for (gint64 j = 0; j < 11; j++)
        {
          gint64 flat = (k * 7 + i) * 11 + j;
          double expected = (double) data[(i * 11 + j) * 13 + k];

          g_assert_cmpfloat (ge_tensor_get_flat (copy, flat), ==, expected);
          g_assert_cmpfloat (ge_tensor_get_flat (as_double, flat), ==, expected);
        }
}

static void
add_cases (const ViewCase *cases,
           gsize           n,
           GTestDataFunc   func)
{
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup (cases[i].key);
      g_autofree char *path = NULL;

      /* "view.flatten" -> /engine/views/view/flatten */
      g_strdelimit (key, ".", '/');
      path = g_strdup_printf ("/engine/views/%s", key);
      g_test_add_data_func (path, &cases[i], func);
    }
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  golden = ge_golden_load ("views");

  g_test_add_func ("/engine/views/view-shares-memory-with-base", test_view_shares_memory_with_base);
  g_test_add_func ("/engine/views/squeeze-shares-memory-with-base",
                   test_squeeze_shares_memory_with_base);
  g_test_add_func ("/engine/views/transpose-writes-reach-base", test_transpose_writes_reach_base);
  g_test_add_func ("/engine/views/reshape-copy-is-independent", test_reshape_copy_is_independent);
  g_test_add_func ("/engine/views/clone-is-independent", test_clone_is_independent);
  g_test_add_func ("/engine/views/contiguous-returns-self-when-contiguous",
                   test_contiguous_returns_self_when_contiguous);
  g_test_add_func ("/engine/views/to-dtype-same-dtype-returns-self",
                   test_to_dtype_same_dtype_returns_self);
  g_test_add_func ("/engine/views/view-keeps-storage-alive", test_view_keeps_storage_alive);
  g_test_add_func ("/engine/views/views-are-not-wrapped-numbers",
                   test_views_are_not_wrapped_numbers);
  g_test_add_func ("/engine/views/too-many-dims-is-an-error", test_too_many_dims_is_an_error);
  g_test_add_func ("/engine/views/contiguous-copy-of-permuted-tensor",
                   test_contiguous_copy_of_permuted_tensor);

  add_cases (view_cases, G_N_ELEMENTS (view_cases), run_view_case);
  add_cases (error_cases, G_N_ELEMENTS (error_cases), run_error_case);
  for (gsize i = 0; i < G_N_ELEMENTS (conversions); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/views/to-dtype/%s", conversions[i].name);
      g_test_add_data_func (path, &conversions[i], run_conversion);
    }

  status = g_test_run ();
  ge_golden_free (golden);
  return status;
}
