/* gradlab-demo.c - a tour of the seed notebooks' tensor examples on libgradlab */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/*
 * Every step prints the Python line it stands for and then what PyTorch 1.13
 * prints for it.  The text beside each step is the notebook's own output: a
 * step that prints anything else is reported and fails the run, so the demo
 * doubles as an end-to-end test of the public API (gradlab.h).
 */

#include <stdio.h>
#include <stdlib.h>

#include <gradlab.h>

static int n_mismatches;

static void
compare (const char *actual,
         const char *expected)
{
  if (g_str_equal (actual, expected))
    return;
  n_mismatches++;
  g_printerr ("gradlab-demo: the notebook printed instead:\n%s\n", expected);
}

static void
heading (const char *title)
{
  g_print ("\n## %s\n\n", title);
}

/* A statement with no output. */
static void
say (const char *code)
{
  g_print (">>> %s\n", code);
}

/* An expression whose value is a tensor: the notebook cell shows its repr. */
static void
show (const char     *code,
      const GeTensor *tensor,
      const char     *expected)
{
  g_autofree char *repr = ge_tensor_repr (tensor, NULL);

  g_print (">>> %s\n%s\n", code, repr);
  compare (repr, expected);
}

static void
show_shape (const char     *code,
            const GeTensor *tensor,
            const char     *expected)
{
  g_autofree char *sizes = ge_shape_to_string (ge_tensor_get_sizes (tensor),
                                               ge_tensor_get_ndim (tensor));
  g_autofree char *text = g_strdup_printf ("torch.Size(%s)", sizes);

  g_print (">>> %s\n%s\n", code, text);
  compare (text, expected);
}

/* The demo stops at the first engine error, with the engine's message.
 * @error is passed by address: C leaves the order in which arguments are
 * evaluated open, so the value could be read before the call sets it. */
static GeTensor *
must (GeTensor  *tensor,
      GError   **error)
{
  if (tensor == NULL)
    {
      g_printerr ("gradlab-demo: %s\n", *error != NULL ? (*error)->message : "unknown error");
      exit (EXIT_FAILURE);
    }
  return tensor;
}

static void
must_succeed (gboolean   ok,
              GError   **error)
{
  if (!ok)
    must (NULL, error);
}

static void
tour_creation (void)
{
  GError *error = NULL;
  const gint64 three_by_three[] = { 3, 3 };
  const gint64 two_by_two[] = { 2, 2 };

  heading ("[01] 1. Torch Basic: creating tensors");

  say ("torch_tensor = torch.tensor([[1, 2], [3, 4]])");
  g_autoptr(GeTensor) torch_tensor = must (ge_tensor_new_from_literal ("[[1, 2], [3, 4]]", &error), &error);
  show ("torch_tensor", torch_tensor,
        "tensor([[1, 2],\n"
        "        [3, 4]])");
  show_shape ("torch_tensor.shape", torch_tensor, "torch.Size([2, 2])");

  say ("cpu_tensor = torch.tensor([1.0, 2.0, 3.0])");
  g_autoptr(GeTensor) cpu_tensor = must (ge_tensor_new_from_literal ("[1.0, 2.0, 3.0]", &error), &error);
  show ("cpu_tensor", cpu_tensor, "tensor([1., 2., 3.])");

  g_autoptr(GeTensor) zeros = must (ge_tensor_zeros (2, three_by_three, GE_DTYPE_FLOAT32, &error), &error);
  show ("torch.zeros(3, 3)", zeros,
        "tensor([[0., 0., 0.],\n"
        "        [0., 0., 0.],\n"
        "        [0., 0., 0.]])");

  g_autoptr(GeTensor) ones = must (ge_tensor_ones (2, two_by_two, GE_DTYPE_FLOAT32, &error), &error);
  show ("torch.ones(2, 2)", ones,
        "tensor([[1., 1.],\n"
        "        [1., 1.]])");
}

static void
tour_arithmetic (void)
{
  GError *error = NULL;
  const gint64 four_by_one[] = { 4, 1 };

  heading ("[01] 1.1 Basic tensor operations");

  say ("a = torch.tensor([[1, 2], [3, 4]])");
  g_autoptr(GeTensor) a = must (ge_tensor_new_from_literal ("[[1, 2], [3, 4]]", &error), &error);
  say ("b = torch.tensor([[5, 6], [7, 8]])");
  g_autoptr(GeTensor) b = must (ge_tensor_new_from_literal ("[[5, 6], [7, 8]]", &error), &error);

  g_autoptr(GeTensor) sum = must (ge_tensor_add (a, b, &error), &error);
  show ("torch.add(a, b)", sum,
        "tensor([[ 6,  8],\n"
        "        [10, 12]])");

  g_autoptr(GeTensor) product = must (ge_tensor_mul (a, b, &error), &error);
  show ("torch.mul(a, b)", product,
        "tensor([[ 5, 12],\n"
        "        [21, 32]])");

  g_autoptr(GeTensor) matrix_product = must (ge_tensor_matmul (a, b, &error), &error);
  show ("torch.matmul(a, b)", matrix_product,
        "tensor([[19, 22],\n"
        "        [43, 50]])");

  g_autoptr(GeTensor) reshaped = must (ge_tensor_reshape (a, 2, four_by_one, &error), &error);
  show ("a.reshape(4, 1)", reshaped,
        "tensor([[1],\n"
        "        [2],\n"
        "        [3],\n"
        "        [4]])");
}

static void
tour_views (void)
{
  GError *error = NULL;
  const gint64 one_by_four[] = { 1, 4 };
  const GeIndex row_0_column_0[] = { GE_INDEX_I (0), GE_INDEX_I (0) };
  const GeIndex element_0[] = { GE_INDEX_I (0) };
  g_autoptr(GeTensor) ten = ge_tensor_wrap_int (10);

  heading ("[01] 1.1 view() and squeeze() share memory with their base");

  say ("a = torch.tensor([[1, 2], [3, 4]])");
  g_autoptr(GeTensor) a = must (ge_tensor_new_from_literal ("[[1, 2], [3, 4]]", &error), &error);

  say ("viewed_tensor = a.view(1, 4)");
  g_autoptr(GeTensor) viewed = must (ge_tensor_view (a, 2, one_by_four, &error), &error);
  show ("viewed_tensor", viewed, "tensor([[1, 2, 3, 4]])");

  say ("viewed_tensor[0][0] = 10");
  must_succeed (ge_tensor_index_put (viewed, G_N_ELEMENTS (row_0_column_0), row_0_column_0,
                                     ten, &error), &error);
  show ("viewed_tensor", viewed, "tensor([[10,  2,  3,  4]])");
  show ("a", a,
        "tensor([[10,  2],\n"
        "        [ 3,  4]])");

  say ("expanded_tensor = torch.tensor([[[1, 2, 3]]])");
  g_autoptr(GeTensor) expanded = must (ge_tensor_new_from_literal ("[[[1, 2, 3]]]", &error), &error);
  show_shape ("expanded_tensor.shape", expanded, "torch.Size([1, 1, 3])");
  say ("squeezed_tensor = expanded_tensor.squeeze()");
  g_autoptr(GeTensor) squeezed = ge_tensor_squeeze (expanded);
  show ("squeezed_tensor", squeezed, "tensor([1, 2, 3])");
  show_shape ("squeezed_tensor.shape", squeezed, "torch.Size([3])");

  say ("squeezed_tensor[0] = 10");
  must_succeed (ge_tensor_index_put (squeezed, G_N_ELEMENTS (element_0), element_0,
                                     ten, &error), &error);
  show ("squeezed_tensor", squeezed, "tensor([10,  2,  3])");
  show ("expanded_tensor", expanded, "tensor([[[10,  2,  3]]])");
}

static void
tour_regression (void)
{
  GError *error = NULL;
  const gint64 hundred[] = { 100 };
  const gint64 column[] = { -1, 1 };
  const GeIndex first_five[] = { GE_INDEX_RANGE (G_MININT64, 5, 1) };

  heading ("[05] 5. Linear regression: y = 2.5 + 4x + eps");

  say ("torch.manual_seed(43052)");
  ge_manual_seed (43052);

  say ("x = torch.randn(100).sort()[0]");
  g_autoptr(GeTensor) draws = must (ge_tensor_randn (1, hundred, GE_DTYPE_FLOAT32, NULL, &error), &error);
  g_autoptr(GeTensor) x = must (ge_tensor_sort (draws, -1, FALSE, NULL, &error), &error);

  say ("eps = torch.randn(100)*0.5");
  g_autoptr(GeTensor) noise = must (ge_tensor_randn (1, hundred, GE_DTYPE_FLOAT32, NULL, &error), &error);
  g_autoptr(GeTensor) half = ge_tensor_wrap_double (0.5);
  g_autoptr(GeTensor) eps = must (ge_tensor_mul (noise, half, &error), &error);

  /* Python numbers enter as wrapped numbers so that promotion keeps float32. */
  say ("y = 2.5 + 4*x + eps");
  g_autoptr(GeTensor) w0ast = ge_tensor_wrap_double (2.5);
  g_autoptr(GeTensor) w1ast = ge_tensor_wrap_int (4);
  g_autoptr(GeTensor) slope = must (ge_tensor_mul (w1ast, x, &error), &error);
  g_autoptr(GeTensor) line = must (ge_tensor_add (w0ast, slope, &error), &error);
  g_autoptr(GeTensor) y = must (ge_tensor_add (line, eps, &error), &error);

  g_autoptr(GeTensor) x_head = must (ge_tensor_index (x, G_N_ELEMENTS (first_five), first_five, &error), &error);
  show ("x[:5]", x_head, "tensor([-2.4821, -2.3621, -1.9973, -1.6239, -1.4792])");

  g_autoptr(GeTensor) eps_head = must (ge_tensor_index (eps, G_N_ELEMENTS (first_five), first_five, &error), &error);
  show ("eps[:5]", eps_head, "tensor([-1.1136,  0.3719, -0.4604, -0.4836, -0.8348])");

  say ("X = torch.stack([torch.ones(100), x], axis=1)");
  g_autoptr(GeTensor) ones = must (ge_tensor_ones (1, hundred, GE_DTYPE_FLOAT32, &error), &error);
  GeTensor *columns[] = { ones, x };
  g_autoptr(GeTensor) X = must (ge_tensor_stack (G_N_ELEMENTS (columns), columns, 1, &error), &error);
  show_shape ("X.shape", X, "torch.Size([100, 2])");

  say ("Y = y.reshape(-1, 1)");
  g_autoptr(GeTensor) Y = must (ge_tensor_reshape (y, 2, column, &error), &error);
  show_shape ("Y.shape", Y, "torch.Size([100, 1])");

  /* The closed form (X^T X)^-1 X^T Y, evaluated left to right as Python does. */
  g_autoptr(GeTensor) Xt = must (ge_tensor_t (X, &error), &error);
  g_autoptr(GeTensor) gram = must (ge_tensor_matmul (Xt, X, &error), &error);
  g_autoptr(GeTensor) gram_inverse = must (ge_tensor_linalg_inv (gram, &error), &error);
  g_autoptr(GeTensor) pseudo_inverse = must (ge_tensor_matmul (gram_inverse, Xt, &error), &error);
  g_autoptr(GeTensor) W = must (ge_tensor_matmul (pseudo_inverse, Y, &error), &error);
  show ("torch.linalg.inv(X.T @ X) @ X.T @ Y", W,
        "tensor([[2.4459],\n"
        "        [4.0043]])");
}

int
main (int   argc,
      char *argv[])
{
  if (argc > 1)
    {
      g_printerr ("Usage: %s\n"
                  "Prints the seed notebooks' tensor examples as libgradlab computes them\n"
                  "and fails when any output differs from what the notebooks printed.\n",
                  argv[0]);
      return g_str_equal (argv[1], "--help") ? EXIT_SUCCESS : EXIT_FAILURE;
    }

  g_print ("Gradlab engine demo: the seed notebooks' tensor examples, computed by libgradlab.\n"
           "Each >>> line is the notebook's Python; below it, what Gradlab prints for it.\n");

  tour_creation ();
  tour_arithmetic ();
  tour_views ();
  tour_regression ();

  if (n_mismatches > 0)
    {
      g_printerr ("\ngradlab-demo: %d output(s) differ from the notebooks'\n", n_mismatches);
      return EXIT_FAILURE;
    }
  return EXIT_SUCCESS;
}
