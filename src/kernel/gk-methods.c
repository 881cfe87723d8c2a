/* gk-methods.c - torch.Tensor methods and their torch.* function forms, in C */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "gk-private.h"

/*
 * Every method is a vectorcall C function (self, args, nargs, kwnames).  The
 * function form torch.X(input, ...) calls the same code with args[0] as
 * self, so the two never disagree and neither goes through Python.
 */

#define SELF GK_TENSOR (self)
#define ARGS PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames

typedef PyObject *(*MethodImpl) (ARGS);
typedef GeTensor *(*UnaryOp) (GeTensor *, GError **);
typedef GeTensor *(*BinaryOp) (GeTensor *, GeTensor *, GError **);
typedef gboolean (*InplaceOp) (GeTensor *, GeTensor *, GError **);

static PyObject *
take (GeTensor  *t,
      GError   **error)
{
  return gk_tensor_take (t, error);
}

static gboolean
no_args (const char *fname,
         Py_ssize_t  nargs,
         PyObject   *kwnames)
{
  if (nargs == 0 && kwnames == NULL)
    return TRUE;
  PyErr_Format (PyExc_TypeError, "%s() takes no arguments (%zd given)", fname,
                nargs + (kwnames ? PyTuple_GET_SIZE (kwnames) : 0));
  return FALSE;
}

static gboolean
not_out (const char *fname,
         PyObject   *out)
{
  if (out == NULL || out == Py_None)
    return TRUE;
  PyErr_Format (PyExc_NotImplementedError, "torch.%s(out=...) is not available in Gradlab yet", fname);
  return FALSE;
}

/* An argument that must be a Tensor: PyTorch's TypeError otherwise. */
static gboolean
tensor_arg (const char *fname,
            const char *argname,
            int         position,
            PyObject   *obj)
{
  if (GkTensor_Check (obj))
    return TRUE;
  PyErr_Format (PyExc_TypeError, "%s(): argument '%s' (position %d) must be Tensor, not %s",
                fname, argname, position, Py_TYPE (obj)->tp_name);
  return FALSE;
}

/* A Tensor or a Python number (as a wrapped number), with PyTorch's TypeError. */
static GeTensor *
operand_arg (const char *fname,
             const char *argname,
             int         position,
             PyObject   *obj)
{
  GeTensor *t = gk_operand (obj);

  if (t == NULL && !PyErr_Occurred ())
    PyErr_Format (PyExc_TypeError, "%s(): argument '%s' (position %d) must be Tensor, not %s",
                  fname, argname, position, Py_TYPE (obj)->tp_name);
  return t;
}

static gboolean
dim_arg (PyObject *obj,
         int       fallback,
         int      *dim)
{
  if (obj == NULL)
    {
      *dim = fallback;
      return TRUE;
    }
  return gk_parse_int (obj, dim);
}

/* ---- unary ---- */

static PyObject *
unary (const char *fname,
       ARGS,
       UnaryOp     op)
{
  GError *error = NULL;

  if (!no_args (fname, nargs, kwnames))
    return NULL;
  return take (op (SELF, &error), &error);
}

#define UNARY(name, op) \
static PyObject *m_##name (ARGS) { return unary (#name, self, args, nargs, kwnames, op); }

UNARY (exp, ge_tensor_exp)
UNARY (log, ge_tensor_log)
UNARY (sin, ge_tensor_sin)
UNARY (cos, ge_tensor_cos)
UNARY (sqrt, ge_tensor_sqrt)
UNARY (abs, ge_tensor_abs)
UNARY (tanh, ge_tensor_tanh)
UNARY (sigmoid, ge_tensor_sigmoid)
UNARY (relu, ge_tensor_relu)
UNARY (neg, ge_tensor_neg)
UNARY (t, ge_tensor_t)
UNARY (contiguous, ge_tensor_contiguous)

/* exp_() and friends: the engine has no in-place unary ops; compute, then
 * copy in.  That is what PyTorch writes; only the graph would differ, so
 * tensors that record one are refused (leaves get PyTorch's own error from
 * copy_). */
static PyObject *
unary_ (const char *fname,
        ARGS,
        UnaryOp     op)
{
  g_autoptr(GeTensor) out = NULL;
  GError *error = NULL;

  if (!no_args (fname, nargs, kwnames))
    return NULL;
  if (ge_grad_mode_is_enabled () && ge_tensor_requires_grad (SELF) && !ge_tensor_is_leaf (SELF))
    {
      PyErr_Format (PyExc_NotImplementedError,
                    "torch.Tensor.%s on a tensor that requires grad is not available in Gradlab yet; "
                    "use the out-of-place form", fname);
      return NULL;
    }
  if ((out = op (SELF, &error)) == NULL || !ge_tensor_copy_ (SELF, out, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

#define UNARY_(name, op) \
static PyObject *m_##name##_ (ARGS) { return unary_ (#name "_", self, args, nargs, kwnames, op); }

UNARY_ (exp, ge_tensor_exp)
UNARY_ (log, ge_tensor_log)
UNARY_ (sin, ge_tensor_sin)
UNARY_ (cos, ge_tensor_cos)
UNARY_ (sqrt, ge_tensor_sqrt)
UNARY_ (abs, ge_tensor_abs)
UNARY_ (tanh, ge_tensor_tanh)
UNARY_ (sigmoid, ge_tensor_sigmoid)
UNARY_ (relu, ge_tensor_relu)
UNARY_ (neg, ge_tensor_neg)

static PyObject *
m_clone (ARGS)
{
  static const char *const names[] = { "$memory_format" };
  PyObject *v[1];
  GError *error = NULL;

  if (!GK_PARSE ("clone", names, 0, v))
    return NULL;
  return take (ge_tensor_clone (SELF, &error), &error);
}

static PyObject *
m_detach (ARGS)
{
  if (!no_args ("detach", nargs, kwnames))
    return NULL;
  return take (ge_tensor_detach (SELF), NULL);
}

static PyObject *
m_square (ARGS)
{
  g_autoptr(GeTensor) two = ge_tensor_wrap_int (2);
  GError *error = NULL;

  if (!no_args ("square", nargs, kwnames))
    return NULL;
  return take (ge_tensor_pow (SELF, two, &error), &error);
}

/* ---- binary ---- */

static PyObject *
binary (const char *fname,
        const char *argname,
        ARGS,
        BinaryOp    op,
        gboolean    tensor_only)
{
  const char *names[] = { argname };
  PyObject *v[1];
  g_autoptr(GeTensor) other = NULL;
  GError *error = NULL;

  if (!gk_parse_args (fname, args, nargs, kwnames, names, 1, 1, v))
    return NULL;
  if (tensor_only)
    {
      if (!tensor_arg (fname, argname, 1, v[0]))
        return NULL;
      other = ge_tensor_ref (GK_TENSOR (v[0]));
    }
  else if ((other = operand_arg (fname, argname, 1, v[0])) == NULL)
    return NULL;
  return take (op (SELF, other, &error), &error);
}

#define BINARY(name, argname, op, tensor_only) \
static PyObject *m_##name (ARGS) { return binary (#name, argname, self, args, nargs, kwnames, op, tensor_only); }

BINARY (pow, "exponent", ge_tensor_pow, FALSE)
BINARY (mul, "other", ge_tensor_mul, FALSE)
BINARY (matmul, "other", ge_tensor_matmul, TRUE)
BINARY (mm, "mat2", ge_tensor_mm, TRUE)
BINARY (mv, "vec", ge_tensor_mv, TRUE)
BINARY (bmm, "mat2", ge_tensor_bmm, TRUE)
BINARY (dot, "tensor", ge_tensor_dot, TRUE)
BINARY (eq, "other", ge_tensor_eq, FALSE)
BINARY (ne, "other", ge_tensor_ne, FALSE)
BINARY (lt, "other", ge_tensor_lt, FALSE)
BINARY (le, "other", ge_tensor_le, FALSE)
BINARY (gt, "other", ge_tensor_gt, FALSE)
BINARY (ge, "other", ge_tensor_ge, FALSE)

static PyObject *
m_div (ARGS)
{
  static const char *const names[] = { "other", "$rounding_mode" };
  PyObject *v[2];
  g_autoptr(GeTensor) other = NULL;
  GError *error = NULL;

  if (!GK_PARSE ("div", names, 1, v))
    return NULL;
  if (v[1] != NULL && v[1] != Py_None)
    {
      PyErr_SetString (PyExc_NotImplementedError,
                       "torch.div(rounding_mode=...) is not available in Gradlab yet");
      return NULL;
    }
  if ((other = operand_arg ("div", "other", 1, v[0])) == NULL)
    return NULL;
  return take (ge_tensor_div (SELF, other, &error), &error);
}

/* other * alpha, as add(other, alpha=) scales it (alpha is cast to the
 * result's type like PyTorch's kernel does) */
static GeTensor *
scaled_operand (const char *fname,
                PyObject   *other_obj,
                PyObject   *alpha_obj,
                GError    **error)
{
  g_autoptr(GeTensor) other = operand_arg (fname, "other", 1, other_obj);
  g_autoptr(GeTensor) alpha = NULL;

  if (other == NULL)
    return NULL;
  if (alpha_obj == NULL || (PyLong_CheckExact (alpha_obj) && PyLong_AsLong (alpha_obj) == 1))
    return g_steal_pointer (&other);
  if ((alpha = gk_operand (alpha_obj)) == NULL || GkTensor_Check (alpha_obj))
    {
      if (!PyErr_Occurred ())
        PyErr_Format (PyExc_TypeError, "%s(): argument 'alpha' must be Number, not %s", fname,
                      Py_TYPE (alpha_obj)->tp_name);
      return NULL;
    }
  return ge_tensor_mul (other, alpha, error);
}

static PyObject *
add_sub (const char *fname,
         ARGS,
         BinaryOp    op)
{
  static const char *const names[] = { "other", "$alpha" };
  PyObject *v[2];
  g_autoptr(GeTensor) other = NULL;
  GError *error = NULL;

  if (!GK_PARSE (fname, names, 1, v))
    return NULL;
  if ((other = scaled_operand (fname, v[0], v[1], &error)) == NULL)
    return gk_raise (&error);
  return take (op (SELF, other, &error), &error);
}

static PyObject *m_add (ARGS) { return add_sub ("add", self, args, nargs, kwnames, ge_tensor_add); }
static PyObject *m_sub (ARGS) { return add_sub ("sub", self, args, nargs, kwnames, ge_tensor_sub); }

/* ---- in place ---- */

static PyObject *
inplace (const char *fname,
         ARGS,
         InplaceOp   op,
         gboolean    with_alpha)
{
  static const char *const names[] = { "other", "$alpha" };
  PyObject *v[2];
  g_autoptr(GeTensor) other = NULL;
  GError *error = NULL;

  if (!gk_parse_args (fname, args, nargs, kwnames, names, with_alpha ? 2 : 1, 1, v))
    return NULL;
  if ((other = scaled_operand (fname, v[0], with_alpha ? v[1] : NULL, &error)) == NULL)
    return gk_raise (&error);
  if (!op (SELF, other, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *m_add_ (ARGS) { return inplace ("add_", self, args, nargs, kwnames, ge_tensor_add_, TRUE); }
static PyObject *m_sub_ (ARGS) { return inplace ("sub_", self, args, nargs, kwnames, ge_tensor_sub_, TRUE); }
static PyObject *m_mul_ (ARGS) { return inplace ("mul_", self, args, nargs, kwnames, ge_tensor_mul_, FALSE); }
static PyObject *m_div_ (ARGS) { return inplace ("div_", self, args, nargs, kwnames, ge_tensor_div_, FALSE); }

static PyObject *
m_copy_ (ARGS)
{
  static const char *const names[] = { "src", "non_blocking" };
  PyObject *v[2];
  g_autoptr(GeTensor) src = NULL;
  GError *error = NULL;

  if (!GK_PARSE ("copy_", names, 1, v))
    return NULL;
  if ((src = operand_arg ("copy_", "src", 1, v[0])) == NULL)
    return NULL;
  if (!ge_tensor_copy_ (SELF, src, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

/* pow_: the engine has no in-place pow; compute, then copy in */
static PyObject *
m_pow_ (ARGS)
{
  static const char *const names[] = { "exponent" };
  PyObject *v[1];
  g_autoptr(GeTensor) exponent = NULL;
  g_autoptr(GeTensor) out = NULL;
  GError *error = NULL;

  if (!GK_PARSE ("pow_", names, 1, v) || (exponent = operand_arg ("pow_", "exponent", 1, v[0])) == NULL)
    return NULL;
  if ((out = ge_tensor_pow (SELF, exponent, &error)) == NULL || !ge_tensor_copy_ (SELF, out, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *
m_zero_ (ARGS)
{
  GError *error = NULL;

  if (!no_args ("zero_", nargs, kwnames))
    return NULL;
  if (!ge_tensor_zero_ (SELF, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *
m_fill_ (ARGS)
{
  static const char *const names[] = { "value" };
  PyObject *v[1];
  GError *error = NULL;
  double value;

  if (!GK_PARSE ("fill_", names, 1, v))
    return NULL;
  if (GkTensor_Check (v[0]))
    {
      if (!ge_tensor_item (GK_TENSOR (v[0]), &value, &error))
        return gk_raise (&error);
    }
  else if ((value = PyFloat_AsDouble (v[0])) == -1.0 && PyErr_Occurred ())
    return NULL;
  if (!ge_tensor_fill_ (SELF, value, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

/* clamp(min=None, max=None) */
static gboolean
clamp_args (const char *fname,
            ARGS,
            GeTensor  **lo,
            GeTensor  **hi)
{
  static const char *const names[] = { "min", "max" };
  PyObject *v[2];

  *lo = *hi = NULL;
  if (!GK_PARSE (fname, names, 0, v))
    return FALSE;
  for (int i = 0; i < 2; i++)
    if (v[i] != NULL && v[i] != Py_None)
      {
        GeTensor *bound = gk_operand (v[i]);
        if (bound == NULL)
          {
            g_clear_pointer (lo, ge_tensor_unref);
            if (!PyErr_Occurred ())
              PyErr_Format (PyExc_TypeError, "%s(): argument '%s' must be Number, not %s", fname, names[i],
                            Py_TYPE (v[i])->tp_name);
            return FALSE;
          }
        *(i == 0 ? lo : hi) = bound;
      }
  return TRUE;
}

static PyObject *
m_clamp (ARGS)
{
  g_autoptr(GeTensor) lo = NULL;
  g_autoptr(GeTensor) hi = NULL;
  GError *error = NULL;

  if (!clamp_args ("clamp", self, args, nargs, kwnames, &lo, &hi))
    return NULL;
  return take (ge_tensor_clamp (SELF, lo, hi, &error), &error);
}

static PyObject *
m_clamp_ (ARGS)
{
  g_autoptr(GeTensor) lo = NULL;
  g_autoptr(GeTensor) hi = NULL;
  GError *error = NULL;

  if (!clamp_args ("clamp_", self, args, nargs, kwnames, &lo, &hi))
    return NULL;
  if (!ge_tensor_clamp_ (SELF, lo, hi, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *
m_requires_grad_ (ARGS)
{
  static const char *const names[] = { "requires_grad" };
  PyObject *v[1];
  GError *error = NULL;
  int flag;

  if (!GK_PARSE ("requires_grad_", names, 0, v) || (flag = gk_parse_bool (v[0], TRUE)) < 0)
    return NULL;
  if (!ge_tensor_set_requires_grad (SELF, flag, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *
m_retain_grad (ARGS)
{
  if (!no_args ("retain_grad", nargs, kwnames))
    return NULL;
  ge_tensor_retain_grad (SELF);
  Py_RETURN_NONE;
}

static PyObject *
random_ (const char *fname,
         ARGS,
         double      a,
         double      b,
         gboolean    normal)
{
  const char *const names[] = { normal ? "mean" : "from", normal ? "std" : "to", "$generator" };
  PyObject *v[3];
  GError *error = NULL;
  gboolean ok;

  if (!gk_parse_args (fname, args, nargs, kwnames, names, 3, 0, v))
    return NULL;
  if ((v[0] != NULL && (a = PyFloat_AsDouble (v[0])) == -1.0 && PyErr_Occurred ()) ||
      (v[1] != NULL && (b = PyFloat_AsDouble (v[1])) == -1.0 && PyErr_Occurred ()))
    return NULL;
  if (v[2] != NULL && v[2] != Py_None)
    {
      PyErr_Format (PyExc_NotImplementedError, "torch.Tensor.%s(generator=...) is not available in Gradlab yet", fname);
      return NULL;
    }
  ok = normal ? ge_tensor_normal_ (SELF, a, b, NULL, &error) : ge_tensor_uniform_ (SELF, a, b, NULL, &error);
  if (!ok)
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *m_uniform_ (ARGS) { return random_ ("uniform_", self, args, nargs, kwnames, 0, 1, FALSE); }
static PyObject *m_normal_ (ARGS) { return random_ ("normal_", self, args, nargs, kwnames, 0, 1, TRUE); }

/* ---- sizes ---- */

static gboolean
wrap_dim (int *dim,
          int  ndim)
{
  int n = ndim;

  if (ndim == 0)
    {
      PyErr_Format (PyExc_IndexError, "Dimension specified as %d but tensor has no dimensions", *dim);
      return FALSE;
    }

  if (*dim < -n || *dim >= n)
    {
      PyErr_Format (PyExc_IndexError, "Dimension out of range (expected to be in range of [%d, %d], but got %d)",
                    -n, n - 1, *dim);
      return FALSE;
    }
  if (*dim < 0)
    *dim += n;
  return TRUE;
}

static PyObject *
m_size (ARGS)
{
  static const char *const names[] = { "dim" };
  PyObject *v[1];
  int d, nd = ge_tensor_get_ndim (SELF);

  if (!GK_PARSE ("size", names, 0, v))
    return NULL;
  if (v[0] == NULL || v[0] == Py_None)
    return gk_size_object (nd, ge_tensor_get_sizes (SELF));
  if (!gk_parse_int (v[0], &d) || !wrap_dim (&d, nd))
    return NULL;
  return PyLong_FromLongLong (ge_tensor_get_size (SELF, d));
}

static PyObject *
m_stride (ARGS)
{
  static const char *const names[] = { "dim" };
  PyObject *v[1], *tuple;
  int d, nd = ge_tensor_get_ndim (SELF);

  if (!GK_PARSE ("stride", names, 0, v))
    return NULL;
  if (v[0] != NULL && v[0] != Py_None)
    {
      if (!gk_parse_int (v[0], &d) || !wrap_dim (&d, nd))
        return NULL;
      return PyLong_FromLongLong (ge_tensor_get_strides (SELF)[d]);
    }
  tuple = PyTuple_New (nd);
  for (int i = 0; tuple != NULL && i < nd; i++)
    PyTuple_SET_ITEM (tuple, i, PyLong_FromLongLong (ge_tensor_get_strides (SELF)[i]));
  return tuple;
}

#define SIMPLE(name, expr)                                       \
static PyObject *                                                \
m_##name (ARGS)                                                  \
{                                                                \
  if (!no_args (#name, nargs, kwnames))                          \
    return NULL;                                                 \
  return expr;                                                   \
}

SIMPLE (dim, PyLong_FromLong (ge_tensor_get_ndim (SELF)))
SIMPLE (ndimension, PyLong_FromLong (ge_tensor_get_ndim (SELF)))
SIMPLE (numel, PyLong_FromLongLong (ge_tensor_numel (SELF)))
SIMPLE (nelement, PyLong_FromLongLong (ge_tensor_numel (SELF)))
SIMPLE (element_size, PyLong_FromSize_t (ge_dtype_size (ge_tensor_get_dtype (SELF))))
SIMPLE (is_contiguous, PyBool_FromLong (ge_tensor_is_contiguous (SELF)))
SIMPLE (storage_offset, PyLong_FromLongLong (ge_tensor_get_offset (SELF)))
SIMPLE (data_ptr, PyLong_FromVoidPtr (ge_tensor_data_ptr (SELF)))
SIMPLE (is_floating_point, PyBool_FromLong (ge_dtype_is_floating (ge_tensor_get_dtype (SELF))))

/* ---- shapes and views ---- */

static PyObject *
m_view (ARGS)
{
  gint64 sizes[GE_MAX_DIMS];
  GError *error = NULL;
  int ndim;

  if (kwnames != NULL)
    {
      PyErr_SetString (PyExc_TypeError, "view() takes the shape as positional arguments");
      return NULL;
    }
  if (nargs == 1 && gk_dtype_from_object (args[0]) >= 0)
    {
      PyErr_SetString (PyExc_NotImplementedError, "torch.Tensor.view(dtype) is not available in Gradlab yet");
      return NULL;
    }
  PyErr_Clear ();
  if (!gk_parse_shape ("view", args, nargs, &ndim, sizes))
    return NULL;
  return take (ge_tensor_view (SELF, ndim, sizes, &error), &error);
}

typedef GeTensor *(*ShapeOp) (GeTensor *, int, const gint64 *, GError **);

static PyObject *
shape_method (const char *fname,
              ARGS,
              ShapeOp     op)
{
  gint64 sizes[GE_MAX_DIMS];
  GError *error = NULL;
  int ndim;

  if (kwnames != NULL)
    {
      PyErr_Format (PyExc_TypeError, "%s() takes the shape as positional arguments", fname);
      return NULL;
    }
  if (!gk_parse_shape (fname, args, nargs, &ndim, sizes))
    return NULL;
  return take (op (SELF, ndim, sizes, &error), &error);
}

static PyObject *m_reshape (ARGS) { return shape_method ("reshape", self, args, nargs, kwnames, ge_tensor_reshape); }
static PyObject *m_expand (ARGS) { return shape_method ("expand", self, args, nargs, kwnames, ge_tensor_expand); }

static PyObject *
m_permute (ARGS)
{
  gint64 sizes[GE_MAX_DIMS];
  int dims[GE_MAX_DIMS];
  GError *error = NULL;
  int ndim;

  if (kwnames != NULL || !gk_parse_shape ("permute", args, nargs, &ndim, sizes))
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_TypeError, "permute() takes the dims as positional arguments");
      return NULL;
    }
  for (int i = 0; i < ndim; i++)
    dims[i] = (int) sizes[i];
  return take (ge_tensor_permute (SELF, ndim, dims, &error), &error);
}

static PyObject *
m_squeeze (ARGS)
{
  static const char *const names[] = { "dim" };
  PyObject *v[1];
  GError *error = NULL;
  int d;

  if (!GK_PARSE ("squeeze", names, 0, v))
    return NULL;
  if (v[0] == NULL || v[0] == Py_None)
    return take (ge_tensor_squeeze (SELF), NULL);
  if (!gk_parse_int (v[0], &d))
    return NULL;
  return take (ge_tensor_squeeze_dim (SELF, d, &error), &error);
}

static PyObject *
m_unsqueeze (ARGS)
{
  static const char *const names[] = { "dim" };
  PyObject *v[1];
  GError *error = NULL;
  int d;

  if (!GK_PARSE ("unsqueeze", names, 1, v) || !gk_parse_int (v[0], &d))
    return NULL;
  return take (ge_tensor_unsqueeze (SELF, d, &error), &error);
}

static PyObject *
m_unbind (ARGS)
{
  static const char *const names[] = { "dim" };
  PyObject *v[1];
  int d = 0;

  if (!GK_PARSE ("unbind", names, 0, v) || (v[0] != NULL && !gk_parse_int (v[0], &d)))
    return NULL;
  return gk_tensor_unbind_tuple (SELF, d);
}

static PyObject *
m_transpose (ARGS)
{
  static const char *const names[] = { "dim0", "dim1" };
  PyObject *v[2];
  GError *error = NULL;
  int d0, d1;

  if (!GK_PARSE ("transpose", names, 2, v) || !gk_parse_int (v[0], &d0) || !gk_parse_int (v[1], &d1))
    return NULL;
  return take (ge_tensor_transpose (SELF, d0, d1, &error), &error);
}

static PyObject *
m_flatten (ARGS)
{
  static const char *const names[] = { "start_dim", "end_dim" };
  PyObject *v[2];
  GError *error = NULL;
  int start, end;

  if (!GK_PARSE ("flatten", names, 0, v) || !dim_arg (v[0], 0, &start) || !dim_arg (v[1], -1, &end))
    return NULL;
  return take (ge_tensor_flatten (SELF, start, end, &error), &error);
}

static PyObject *
like_other (const char *fname,
            ARGS,
            ShapeOp     op)
{
  static const char *const names[] = { "other" };
  PyObject *v[1];
  GError *error = NULL;
  GeTensor *other;

  if (!gk_parse_args (fname, args, nargs, kwnames, names, 1, 1, v) || !tensor_arg (fname, "other", 1, v[0]))
    return NULL;
  other = GK_TENSOR (v[0]);
  return take (op (SELF, ge_tensor_get_ndim (other), ge_tensor_get_sizes (other), &error), &error);
}

static PyObject *m_view_as (ARGS) { return like_other ("view_as", self, args, nargs, kwnames, ge_tensor_view); }
static PyObject *m_reshape_as (ARGS) { return like_other ("reshape_as", self, args, nargs, kwnames, ge_tensor_reshape); }
static PyObject *m_expand_as (ARGS) { return like_other ("expand_as", self, args, nargs, kwnames, ge_tensor_expand); }

/* ---- reductions ---- */

typedef GeTensor *(*AllReduce) (GeTensor *, GError **);
typedef GeTensor *(*DimReduce) (GeTensor *, int, const int *, gboolean, GError **);

static PyObject *
reduce (const char *fname,
        ARGS,
        AllReduce   all,
        DimReduce   some)
{
  static const char *const names[] = { "dim", "keepdim", "$dtype", "$out" };
  PyObject *v[4];
  g_autoptr(GeTensor) input = NULL;
  int keepdim, n, dims[GE_MAX_DIMS], code;
  GError *error = NULL;

  if (!GK_PARSE (fname, names, 0, v) || !not_out (fname, v[3]))
    return NULL;
  if (!gk_parse_dims (v[0], &n, dims) || (keepdim = gk_parse_bool (v[1], FALSE)) < 0)
    return NULL;
  if ((code = gk_dtype_from_object (v[2])) < -1)
    return NULL;
  input = code >= 0 ? ge_tensor_to_dtype (SELF, code, &error) : ge_tensor_ref (SELF);
  if (input == NULL)
    return gk_raise (&error);
  if (v[0] == NULL || v[0] == Py_None)
    return take (all (input, &error), &error);
  return take (some (input, n, dims, keepdim, &error), &error);
}

static PyObject *m_sum (ARGS) { return reduce ("sum", self, args, nargs, kwnames, ge_tensor_sum, ge_tensor_sum_dims); }
static PyObject *m_mean (ARGS) { return reduce ("mean", self, args, nargs, kwnames, ge_tensor_mean, ge_tensor_mean_dims); }

typedef GeTensor *(*ValuesIndices) (GeTensor *, int, gboolean, GeTensor **, GError **);

static PyObject *
return_type (int       which,
             GeTensor *values,
             GeTensor *indices)
{
  PyObject *v = gk_tensor_take (values, NULL);
  PyObject *i = gk_tensor_take (indices, NULL);
  PyObject *result = NULL;

  if (v != NULL && i != NULL)
    result = gk_return_types[which] != NULL
             ? PyObject_CallFunctionObjArgs (gk_return_types[which], v, i, NULL)
             : PyTuple_Pack (2, v, i);
  Py_XDECREF (v);
  Py_XDECREF (i);
  return result;
}

static PyObject *
max_min (const char    *fname,
         ARGS,
         int            which,
         ValuesIndices  op,
         AllReduce      all)
{
  static const char *const names[] = { "dim", "keepdim" };
  PyObject *v[2];
  GeTensor *indices = NULL, *values;
  GError *error = NULL;
  int keepdim, d;

  if (!GK_PARSE (fname, names, 0, v))
    return NULL;
  if (v[0] == NULL || v[0] == Py_None)
    {
      if (v[1] != NULL)
        {
          PyErr_Format (PyExc_TypeError, "%s(): keepdim needs a dim", fname);
          return NULL;
        }
      return take (all (SELF, &error), &error);
    }
  if (GkTensor_Check (v[0]))
    {
      PyErr_Format (PyExc_NotImplementedError, "torch.%s(input, other) is not available in Gradlab yet "
                    "(torch.%simum too)", fname, fname);
      return NULL;
    }
  if (!gk_parse_int (v[0], &d) || (keepdim = gk_parse_bool (v[1], FALSE)) < 0)
    return NULL;
  values = op (SELF, d, keepdim, &indices, &error);
  if (values == NULL)
    return gk_raise (&error);
  return return_type (which, values, indices);
}

static PyObject *m_max (ARGS) { return max_min ("max", self, args, nargs, kwnames, GK_RETURN_MAX, ge_tensor_max_dim, ge_tensor_max); }
static PyObject *m_min (ARGS) { return max_min ("min", self, args, nargs, kwnames, GK_RETURN_MIN, ge_tensor_min_dim, ge_tensor_min); }

static PyObject *
m_argmax (ARGS)
{
  static const char *const names[] = { "dim", "keepdim" };
  PyObject *v[2];
  GError *error = NULL;
  int keepdim, d;

  if (!GK_PARSE ("argmax", names, 0, v) || (keepdim = gk_parse_bool (v[1], FALSE)) < 0)
    return NULL;
  if (v[0] == NULL || v[0] == Py_None)
    return take (ge_tensor_argmax (SELF, &error), &error);
  if (!gk_parse_int (v[0], &d))
    return NULL;
  return take (ge_tensor_argmax_dim (SELF, d, keepdim, &error), &error);
}

static PyObject *
m_sort (ARGS)
{
  static const char *const names[] = { "dim", "descending", "$stable" };
  PyObject *v[3];
  GeTensor *indices = NULL, *values;
  GError *error = NULL;
  int dim, descending;

  if (!GK_PARSE ("sort", names, 0, v) || !dim_arg (v[0], -1, &dim) ||
      (descending = gk_parse_bool (v[1], FALSE)) < 0)
    return NULL;
  /* the engine's sort is stable: stable=True changes nothing */
  values = ge_tensor_sort (SELF, dim, descending, &indices, &error);
  if (values == NULL)
    return gk_raise (&error);
  return return_type (GK_RETURN_SORT, values, indices);
}

/* ---- devices ---- */

/*
 * Device arguments.  PyTorch initialises CUDA lazily when an argument asks
 * for it, so a CPU-only build raises AssertionError("Torch not compiled with
 * CUDA enabled") (torch.cuda._lazy_init) and a CUDA build without a driver
 * or a GPU the RuntimeError of torch._C._cuda_init ("Found no NVIDIA driver
 * on your system. ..."); the engine knows which (ge_cuda_is_built(),
 * ge_cuda_check_available()).  gk_device_arg and gk_cuda_usable are
 * declared in gk-private.h: gk-module.c uses them for device= on factories.
 */
static int gk_device_parse (PyObject *obj, const char *op, int *index);

/* @obj (a str, int or torch.device) as GE_DEVICE_CPU or GE_DEVICE_CUDA
 * (@index: its index, -1 for none), -1 for NULL or None, -2 with PyTorch's
 * exception (a malformed device, or NotImplementedError for a device type
 * the engine has no backend for).  CUDA's availability is not asked. */
static int
gk_device_parse (PyObject   *obj,
                 const char *op,
                 int        *index)
{
  PyObject *cpu, *device = NULL, *type_obj = NULL, *index_obj = NULL;
  const char *type;
  int result = -2;

  *index = -1;
  if (obj == NULL || obj == Py_None)
    return -1;
  if ((cpu = gk_device_object (GE_DEVICE_CPU)) == NULL)
    return -2;
  if (obj == cpu)
    {
      Py_DECREF (cpu);
      return GE_DEVICE_CPU;
    }
  if (PyUnicode_Check (cpu))
    {
      /* torch.device is not registered yet: strings only */
      Py_DECREF (cpu);
      if (PyUnicode_Check (obj) && (type = PyUnicode_AsUTF8 (obj)) != NULL &&
          (g_str_equal (type, "cuda") || g_str_equal (type, "cuda:0")))
        return GE_DEVICE_CUDA;
      return gk_check_device (obj, op) ? GE_DEVICE_CPU : -2;
    }
  /* torch.device() validates strings and indices with PyTorch's errors */
  device = PyObject_TypeCheck (obj, Py_TYPE (cpu)) ? Py_NewRef (obj)
                                                   : PyObject_CallOneArg ((PyObject *) Py_TYPE (cpu), obj);
  Py_DECREF (cpu);
  if (device == NULL)
    return -2;
  if ((type_obj = PyObject_GetAttrString (device, "type")) == NULL ||
      (type = PyUnicode_AsUTF8 (type_obj)) == NULL ||
      (index_obj = PyObject_GetAttrString (device, "index")) == NULL)
    goto out;
  if (index_obj != Py_None && (*index = PyLong_AsLong (index_obj)) == -1 && PyErr_Occurred ())
    goto out;
  if (g_str_equal (type, "cpu"))
    result = GE_DEVICE_CPU;
  else if (g_str_equal (type, "cuda"))
    result = GE_DEVICE_CUDA;
  else
    gk_check_device (device, op);   /* raises PyTorch's error for the others */
out:
  Py_XDECREF (index_obj);
  Py_XDECREF (type_obj);
  Py_DECREF (device);
  return result;
}

/* torch.cuda._lazy_init() and the device index check: FALSE with
 * PyTorch's exception when CUDA (or that device) cannot be used. */
gboolean
gk_cuda_usable (int index)
{
  GError *error = NULL;
  GeDevice device;

  if (!ge_cuda_is_built ())
    {
      PyErr_SetString (PyExc_AssertionError, "Torch not compiled with CUDA enabled");
      return FALSE;
    }
  if (!ge_cuda_check_available (&error))
    {
      gk_raise (&error);
      return FALSE;
    }
  if (index > 0)
    {
      g_autofree char *name = g_strdup_printf ("cuda:%d", index);

      if (!ge_device_parse (name, &device, &error))
        {
          gk_raise (&error);
          return FALSE;
        }
    }
  return TRUE;
}

/* A device argument, CUDA's availability included: GE_DEVICE_CPU or
 * GE_DEVICE_CUDA, -1 for NULL or None, -2 with PyTorch's exception. */
int
gk_device_arg (PyObject   *obj,
               const char *op)
{
  int index;
  int device = gk_device_parse (obj, op, &index);

  if (device == GE_DEVICE_CUDA && !gk_cuda_usable (index))
    return -2;
  return device;
}

/* ---- dtype and device conversion ---- */

static PyObject *
converted (PyObject *self,
           int       dtype,
           gboolean  copy)
{
  GError *error = NULL;

  if (dtype < 0 || dtype == (int) ge_tensor_get_dtype (SELF))
    {
      if (!copy)
        return Py_NewRef (self);
      return take (ge_tensor_clone (SELF, &error), &error);
    }
  return take (ge_tensor_to_dtype (SELF, dtype, &error), &error);
}

/* @self on @device (-1: where it is) with @dtype (-1: its own): itself
 * when nothing changes and no copy is asked for.  The dtype is converted
 * on the tensor's device, then the result moved (each step a
 * ToCopyBackward0, where PyTorch records one). */
static PyObject *
converted_to (PyObject *self,
              int       device,
              int       dtype,
              gboolean  copy)
{
  g_autoptr(GeTensor) cast = NULL;
  GError *error = NULL;

  if (device < 0 || device == (int) ge_tensor_get_device (SELF))
    return converted (self, dtype, copy);
  if (dtype >= 0 && dtype != (int) ge_tensor_get_dtype (SELF))
    {
      if ((cast = ge_tensor_to_dtype (SELF, dtype, &error)) == NULL)
        return gk_raise (&error);
    }
  else
    cast = ge_tensor_ref (SELF);
  return take (ge_tensor_to_device (cast, device, &error), &error);
}

/* to(dtype), to(device, dtype=None), to(tensor), with non_blocking / copy */
static PyObject *
m_to (ARGS)
{
  static const char *const names[] = { "$dtype", "$device", "$non_blocking", "$copy", "$memory_format" };
  PyObject *v[5];
  int dtype = -1, device = -1, copy, code;

  if (nargs > 3)
    {
      PyErr_SetString (PyExc_TypeError, "to() received an invalid combination of arguments");
      return NULL;
    }
  if (!gk_parse_args ("to", args + nargs, 0, kwnames, names, 5, 0, v))
    return NULL;
  for (Py_ssize_t i = 0; i < nargs; i++)
    {
      PyObject *a = args[i];

      if (GkTensor_Check (a))
        {
          dtype = ge_tensor_get_dtype (GK_TENSOR (a));
          device = ge_tensor_get_device (GK_TENSOR (a));
        }
      else if (PyBool_Check (a))
        continue;   /* non_blocking / copy given positionally */
      else if ((code = gk_dtype_from_object (a)) >= 0)
        dtype = code;
      else
        {
          PyErr_Clear ();
          if ((code = gk_device_arg (a, "empty_strided")) < -1)
            return NULL;
          if (code >= 0)
            device = code;
        }
    }
  if (v[0] != NULL && (code = gk_dtype_from_object (v[0])) != -1)
    {
      if (code < 0)
        return NULL;
      dtype = code;
    }
  if (v[1] != NULL && (code = gk_device_arg (v[1], "empty_strided")) != -1)
    {
      if (code < 0)
        return NULL;
      device = code;
    }
  if ((copy = gk_parse_bool (v[3], FALSE)) < 0)
    return NULL;
  return converted_to (self, device, dtype, copy);
}

static PyObject *
to_dtype (const char *fname,
          ARGS,
          GeDType     dtype)
{
  static const char *const names[] = { "memory_format" };
  PyObject *v[1];

  if (!GK_PARSE (fname, names, 0, v))
    return NULL;
  return converted (self, dtype, FALSE);
}

static PyObject *m_float (ARGS) { return to_dtype ("float", self, args, nargs, kwnames, GE_DTYPE_FLOAT32); }
static PyObject *m_double (ARGS) { return to_dtype ("double", self, args, nargs, kwnames, GE_DTYPE_FLOAT64); }
static PyObject *m_long (ARGS) { return to_dtype ("long", self, args, nargs, kwnames, GE_DTYPE_INT64); }
static PyObject *m_bool (ARGS) { return to_dtype ("bool", self, args, nargs, kwnames, GE_DTYPE_BOOL); }

static PyObject *
unavailable_dtype (const char *dtype)
{
  PyErr_Format (PyExc_NotImplementedError, "torch.%s is not available in Gradlab yet", dtype);
  return NULL;
}

static PyObject *m_int (ARGS) { return unavailable_dtype ("int32"); }
static PyObject *m_half (ARGS) { return unavailable_dtype ("float16"); }

static PyObject *
m_type_as (ARGS)
{
  static const char *const names[] = { "other" };
  PyObject *v[1];

  if (!GK_PARSE ("type_as", names, 1, v) || !tensor_arg ("type_as", "other", 1, v[0]))
    return NULL;
  return converted (self, ge_tensor_get_dtype (GK_TENSOR (v[0])), FALSE);
}

/* cuda(device=None, non_blocking=False, memory_format=...): PyTorch checks
 * that the device is a cuda one before initialising CUDA */
static PyObject *
m_cuda (ARGS)
{
  static const char *const names[] = { "device", "non_blocking", "$memory_format" };
  PyObject *v[3];
  GError *error = NULL;
  int device, index = -1;

  if (!GK_PARSE ("cuda", names, 0, v))
    return NULL;
  if ((device = gk_device_parse (v[0], "empty_strided", &index)) < -1)
    return NULL;
  if (device == GE_DEVICE_CPU)
    {
      PyErr_SetString (PyExc_RuntimeError, "Invalid device, must be cuda device");
      return NULL;
    }
  if (!gk_cuda_usable (index))
    return NULL;
  return take (ge_tensor_cuda (SELF, &error), &error);
}

/* cpu(memory_format=...) */
static PyObject *
m_cpu (ARGS)
{
  static const char *const names[] = { "memory_format" };
  PyObject *v[1];
  GError *error = NULL;

  if (!GK_PARSE ("cpu", names, 0, v))
    return NULL;
  return take (ge_tensor_cpu (SELF, &error), &error);
}

/* get_device(): -1 on the CPU, the CUDA device's index */
static PyObject *
m_get_device (ARGS)
{
  if (!no_args ("get_device", nargs, kwnames))
    return NULL;
  return PyLong_FromLong (ge_tensor_get_device (SELF) == GE_DEVICE_CUDA ? 0 : -1);
}

/* ---- the method and function tables ---- */

#define M(name) { #name, (PyCFunction) (void (*) (void)) m_##name, METH_FASTCALL | METH_KEYWORDS, NULL }

static PyMethodDef methods[] = {
  M (exp), M (log), M (sin), M (cos), M (sqrt), M (abs), M (tanh), M (sigmoid), M (relu), M (neg),
  M (t), M (contiguous), M (clone), M (detach), M (square),
  M (exp_), M (log_), M (sin_), M (cos_), M (sqrt_), M (abs_), M (tanh_), M (sigmoid_), M (relu_),
  M (neg_),
  M (pow), M (mul), M (div), M (matmul), M (mm), M (mv), M (bmm), M (dot),
  M (eq), M (ne), M (lt), M (le), M (gt), M (ge), M (add), M (sub),
  M (add_), M (sub_), M (mul_), M (div_), M (copy_), M (pow_), M (zero_), M (fill_),
  M (clamp), M (clamp_), M (requires_grad_), M (retain_grad), M (uniform_), M (normal_),
  M (size), M (stride), M (dim), M (ndimension), M (numel), M (nelement), M (element_size),
  M (is_contiguous), M (storage_offset), M (data_ptr), M (is_floating_point), M (cpu),
  M (view), M (reshape), M (expand), M (permute), M (squeeze), M (unsqueeze), M (transpose),
  M (unbind), M (flatten), M (view_as), M (reshape_as), M (expand_as),
  M (sum), M (mean), M (max), M (min), M (argmax), M (sort),
  M (to), M (float), M (double), M (long), M (bool), M (int), M (half), M (type_as), M (cuda),
  M (get_device),
  { "clip", (PyCFunction) (void (*) (void)) m_clamp, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "clip_", (PyCFunction) (void (*) (void)) m_clamp_, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "multiply", (PyCFunction) (void (*) (void)) m_mul, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "subtract", (PyCFunction) (void (*) (void)) m_sub, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "divide", (PyCFunction) (void (*) (void)) m_div, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "negative", (PyCFunction) (void (*) (void)) m_neg, METH_FASTCALL | METH_KEYWORDS, NULL },
  { NULL, NULL, 0, NULL },
};

/* torch.X(input, ...): the method X on input */
static PyObject *
function_form (const char *fname,
               MethodImpl  impl,
               PyObject   *const *args,
               Py_ssize_t  nargs,
               PyObject   *kwnames)
{
  if (nargs < 1)
    {
      PyErr_Format (PyExc_TypeError, "%s() missing 1 required positional arguments: \"input\"", fname);
      return NULL;
    }
  if (!tensor_arg (fname, "input", 1, args[0]))
    return NULL;
  return impl (args[0], args + 1, nargs - 1, kwnames);
}

/* torch.add(1, t) and friends: PyTorch wraps a number given as input */
static PyObject *
number_function_form (const char *fname,
                      MethodImpl  impl,
                      PyObject   *const *args,
                      Py_ssize_t  nargs,
                      PyObject   *kwnames)
{
  g_autoptr(GeTensor) input = NULL;
  PyObject *wrapped, *result;

  if (nargs < 1 || GkTensor_Check (args[0]))
    return function_form (fname, impl, args, nargs, kwnames);
  if ((input = operand_arg (fname, "input", 1, args[0])) == NULL)
    return NULL;
  if ((wrapped = gk_tensor_wrap (input)) == NULL)
    return NULL;
  result = impl (wrapped, args + 1, nargs - 1, kwnames);
  Py_DECREF (wrapped);
  return result;
}

#define F(name)                                                                       \
static PyObject *                                                                     \
f_##name (PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) \
{                                                                                     \
  return function_form (#name, m_##name, args, nargs, kwnames);                       \
}

#define FN(name)                                                                      \
static PyObject *                                                                     \
f_##name (PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) \
{                                                                                     \
  return number_function_form (#name, m_##name, args, nargs, kwnames);                \
}

F (exp) F (log) F (sin) F (cos) F (sqrt) F (abs) F (tanh) F (sigmoid) F (relu) F (neg) F (t)
F (clone) F (detach) F (square)
FN (pow) FN (mul) FN (add) FN (sub) FN (div)
F (matmul) F (mm) F (mv) F (bmm) F (dot) F (eq) F (ne) F (lt) F (le) F (gt) F (ge)
F (clamp) F (numel) F (squeeze) F (unsqueeze) F (transpose) F (unbind) F (flatten)
F (sum) F (mean) F (max) F (min) F (argmax) F (sort) F (is_floating_point)

static PyObject *
f_reshape (PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  static const char *const names[] = { "input", "shape" };
  PyObject *v[2];

  if (!GK_PARSE ("reshape", names, 2, v) || !tensor_arg ("reshape", "input", 1, v[0]))
    return NULL;
  return m_reshape (v[0], &v[1], 1, NULL);
}

static PyObject *
f_permute (PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
  static const char *const names[] = { "input", "dims" };
  PyObject *v[2];

  if (!GK_PARSE ("permute", names, 2, v) || !tensor_arg ("permute", "input", 1, v[0]))
    return NULL;
  return m_permute (v[0], &v[1], 1, NULL);
}

#define FD(name) { #name, (PyCFunction) (void (*) (void)) f_##name, METH_FASTCALL | METH_KEYWORDS, NULL }

static PyMethodDef functions[] = {
  FD (exp), FD (log), FD (sin), FD (cos), FD (sqrt), FD (abs), FD (tanh), FD (sigmoid), FD (relu),
  FD (neg), FD (t), FD (clone), FD (detach), FD (square),
  FD (pow), FD (mul), FD (add), FD (sub), FD (div),
  FD (matmul), FD (mm), FD (mv), FD (bmm), FD (dot), FD (eq), FD (ne), FD (lt), FD (le), FD (gt), FD (ge),
  FD (clamp), FD (numel), FD (squeeze), FD (unsqueeze), FD (transpose), FD (unbind), FD (flatten),
  FD (reshape),
  FD (permute), FD (sum), FD (mean), FD (max), FD (min), FD (argmax), FD (sort), FD (is_floating_point),
  { "clip", (PyCFunction) (void (*) (void)) f_clamp, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "multiply", (PyCFunction) (void (*) (void)) f_mul, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "subtract", (PyCFunction) (void (*) (void)) f_sub, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "divide", (PyCFunction) (void (*) (void)) f_div, METH_FASTCALL | METH_KEYWORDS, NULL },
  { "negative", (PyCFunction) (void (*) (void)) f_neg, METH_FASTCALL | METH_KEYWORDS, NULL },
  { NULL, NULL, 0, NULL },
};

gboolean
gk_methods_init (PyObject *module)
{
  for (PyMethodDef *def = methods; def->ml_name != NULL; def++)
    {
      PyObject *descr = PyDescr_NewMethod (gk_tensor_type, def);
      if (descr == NULL || PyObject_SetAttrString ((PyObject *) gk_tensor_type, def->ml_name, descr) < 0)
        {
          Py_XDECREF (descr);
          return FALSE;
        }
      Py_DECREF (descr);
    }
  return PyModule_AddFunctions (module, functions) == 0;
}
