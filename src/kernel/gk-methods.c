/* gk-methods.c - torch.Tensor methods implemented in C */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "gk-private.h"

#define SELF GK_TENSOR (self)
/* methods declare "GError *gk_err = NULL" and pass ERR */
#define ERR (&gk_err)

static PyObject *
result (GeTensor *t, GError *error)
{
  return gk_tensor_wrap_result (t, error);
}

static gboolean
parse_dim (PyObject *obj, int *dim)
{
  long v = PyLong_AsLong (obj);

  if (v == -1 && PyErr_Occurred ())
    return FALSE;
  *dim = (int) v;
  return TRUE;
}

/* dim=None | int | tuple of ints */
static gboolean
parse_dims (PyObject *obj, int *n, int *dims)
{
  *n = 0;
  if (obj == NULL || obj == Py_None)
    return TRUE;
  if (PyLong_Check (obj))
    {
      *n = 1;
      return parse_dim (obj, &dims[0]);
    }
  if (PyTuple_Check (obj) || PyList_Check (obj))
    {
      Py_ssize_t k = PySequence_Size (obj);
      if (k > GE_MAX_DIMS)
        {
          PyErr_SetString (PyExc_IndexError, "too many dims");
          return FALSE;
        }
      for (Py_ssize_t i = 0; i < k; i++)
        {
          PyObject *item = PySequence_GetItem (obj, i);
          gboolean ok = item && parse_dim (item, &dims[i]);
          Py_XDECREF (item);
          if (!ok)
            return FALSE;
        }
      *n = (int) k;
      return TRUE;
    }
  PyErr_Format (PyExc_TypeError, "dim must be an int or a tuple of ints, not %s", Py_TYPE (obj)->tp_name);
  return FALSE;
}

/* ---- simple ones ---- */

typedef GeTensor *(*UnaryOp) (GeTensor *, GError **);

#define UNARY_METHOD(name, op)                                   \
static PyObject *                                                \
m_##name (PyObject *self, PyObject *unused)                      \
{                                                                \
  GError *gk_err = NULL;                                         \
  GeTensor *t = op (SELF, ERR);                                  \
  return result (t, gk_err);                                     \
}

UNARY_METHOD (exp, ge_tensor_exp)
UNARY_METHOD (log, ge_tensor_log)
UNARY_METHOD (sin, ge_tensor_sin)
UNARY_METHOD (cos, ge_tensor_cos)
UNARY_METHOD (sqrt, ge_tensor_sqrt)
UNARY_METHOD (abs, ge_tensor_abs)
UNARY_METHOD (tanh, ge_tensor_tanh)
UNARY_METHOD (sigmoid, ge_tensor_sigmoid)
UNARY_METHOD (relu, ge_tensor_relu)
UNARY_METHOD (neg, ge_tensor_neg)
UNARY_METHOD (clone, ge_tensor_clone)
UNARY_METHOD (contiguous, ge_tensor_contiguous)
UNARY_METHOD (t, ge_tensor_t)

static PyObject *
m_detach (PyObject *self, PyObject *unused)
{
  return result (ge_tensor_detach (SELF), NULL);
}

typedef GeTensor *(*BinaryOp) (GeTensor *, GeTensor *, GError **);

static PyObject *
binary (PyObject *self, PyObject *other, BinaryOp op)
{
  g_autoptr(GeTensor) o = gk_operand (other);
  GError *gk_err = NULL;

  if (o == NULL)
    {
      if (!PyErr_Occurred ())
        PyErr_Format (PyExc_TypeError, "expected a Tensor or a number, got %s", Py_TYPE (other)->tp_name);
      return NULL;
    }
  return result (op (SELF, o, ERR), gk_err);
}

#define BINARY_METHOD(name, op) \
static PyObject *m_##name (PyObject *self, PyObject *other) { return binary (self, other, op); }

BINARY_METHOD (pow, ge_tensor_pow)
BINARY_METHOD (mul, ge_tensor_mul)
BINARY_METHOD (div, ge_tensor_div)
BINARY_METHOD (matmul, ge_tensor_matmul)
BINARY_METHOD (mm, ge_tensor_mm)
BINARY_METHOD (mv, ge_tensor_mv)
BINARY_METHOD (bmm, ge_tensor_bmm)
BINARY_METHOD (dot, ge_tensor_dot)
BINARY_METHOD (eq, ge_tensor_eq)
BINARY_METHOD (ne, ge_tensor_ne)
BINARY_METHOD (lt, ge_tensor_lt)
BINARY_METHOD (le, ge_tensor_le)
BINARY_METHOD (gt, ge_tensor_gt)
BINARY_METHOD (ge, ge_tensor_ge)

/* add(other, alpha=1) / sub(other, alpha=1) */
static PyObject *
add_sub (PyObject *self, PyObject *args, PyObject *kwargs, BinaryOp op)
{
  static char *kwlist[] = { (char *) "other", (char *) "alpha", NULL };
  PyObject *other, *alpha = NULL;
  g_autoptr(GeTensor) o = NULL;
  GError *gk_err = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O|O", kwlist, &other, &alpha))
    return NULL;
  o = gk_operand (other);
  if (o == NULL)
    return PyErr_Occurred () ? NULL : PyErr_Format (PyExc_TypeError, "expected a Tensor or a number");
  if (alpha != NULL && !(PyLong_Check (alpha) && PyLong_AsLong (alpha) == 1))
    {
      g_autoptr(GeTensor) a = gk_operand (alpha);
      g_autoptr(GeTensor) scaled = a ? ge_tensor_mul (o, a, ERR) : NULL;
      if (scaled == NULL)
        return gk_err ? gk_raise_error (gk_err) : NULL;
      return result (op (SELF, scaled, ERR), gk_err);
    }
  return result (op (SELF, o, ERR), gk_err);
}

static PyObject *m_add (PyObject *s, PyObject *a, PyObject *k) { return add_sub (s, a, k, ge_tensor_add); }
static PyObject *m_sub (PyObject *s, PyObject *a, PyObject *k) { return add_sub (s, a, k, ge_tensor_sub); }

typedef gboolean (*InplaceOp) (GeTensor *, GeTensor *, GError **);

static PyObject *
inplace (PyObject *self, PyObject *args, PyObject *kwargs, InplaceOp op)
{
  static char *kwlist[] = { (char *) "other", (char *) "alpha", NULL };
  PyObject *other, *alpha = NULL;
  g_autoptr(GeTensor) o = NULL;
  GError *gk_err = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O|O", kwlist, &other, &alpha))
    return NULL;
  o = gk_operand (other);
  if (o == NULL)
    return PyErr_Occurred () ? NULL : PyErr_Format (PyExc_TypeError, "expected a Tensor or a number");
  if (alpha != NULL && !(PyLong_Check (alpha) && PyLong_AsLong (alpha) == 1))
    {
      g_autoptr(GeTensor) a = gk_operand (alpha);
      GeTensor *scaled = a ? ge_tensor_mul (o, a, ERR) : NULL;
      if (scaled == NULL)
        return gk_err ? gk_raise_error (gk_err) : NULL;
      ge_tensor_unref (o);
      o = scaled;
    }
  if (!op (SELF, o, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

static PyObject *m_add_ (PyObject *s, PyObject *a, PyObject *k) { return inplace (s, a, k, ge_tensor_add_); }
static PyObject *m_sub_ (PyObject *s, PyObject *a, PyObject *k) { return inplace (s, a, k, ge_tensor_sub_); }
static PyObject *m_mul_ (PyObject *s, PyObject *a, PyObject *k) { return inplace (s, a, k, ge_tensor_mul_); }
static PyObject *m_div_ (PyObject *s, PyObject *a, PyObject *k) { return inplace (s, a, k, ge_tensor_div_); }
static PyObject *m_copy_ (PyObject *s, PyObject *a, PyObject *k) { return inplace (s, a, k, ge_tensor_copy_); }

static PyObject *
m_zero_ (PyObject *self, PyObject *unused)
{
  GError *gk_err = NULL;

  if (!ge_tensor_zero_ (SELF, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

static PyObject *
m_fill_ (PyObject *self, PyObject *value)
{
  GError *gk_err = NULL;
  double v = PyFloat_AsDouble (value);

  if (v == -1.0 && PyErr_Occurred ())
    return NULL;
  if (!ge_tensor_fill_ (SELF, v, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

/* clamp(min=None, max=None) and clamp_ */
static gboolean
clamp_args (PyObject *args, PyObject *kwargs, GeTensor **lo, GeTensor **hi)
{
  static char *kwlist[] = { (char *) "min", (char *) "max", NULL };
  PyObject *min = Py_None, *max = Py_None;

  *lo = *hi = NULL;
  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|OO", kwlist, &min, &max))
    return FALSE;
  if (min != Py_None && (*lo = gk_operand (min)) == NULL)
    goto bad;
  if (max != Py_None && (*hi = gk_operand (max)) == NULL)
    goto bad;
  return TRUE;
bad:
  g_clear_pointer (lo, ge_tensor_unref);
  if (!PyErr_Occurred ())
    PyErr_SetString (PyExc_TypeError, "clamp(): min and max must be numbers or tensors");
  return FALSE;
}

static PyObject *
m_clamp (PyObject *self, PyObject *args, PyObject *kwargs)
{
  g_autoptr(GeTensor) lo = NULL;
  g_autoptr(GeTensor) hi = NULL;
  GError *gk_err = NULL;

  if (!clamp_args (args, kwargs, &lo, &hi))
    return NULL;
  return result (ge_tensor_clamp (SELF, lo, hi, ERR), gk_err);
}

static PyObject *
m_clamp_ (PyObject *self, PyObject *args, PyObject *kwargs)
{
  g_autoptr(GeTensor) lo = NULL;
  g_autoptr(GeTensor) hi = NULL;
  GError *gk_err = NULL;

  if (!clamp_args (args, kwargs, &lo, &hi))
    return NULL;
  if (!ge_tensor_clamp_ (SELF, lo, hi, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

/* ---- shapes and views ---- */

static PyObject *
m_size (PyObject *self, PyObject *args)
{
  PyObject *dim = Py_None;
  int d;

  if (!PyArg_ParseTuple (args, "|O", &dim))
    return NULL;
  if (dim == Py_None)
    return gk_size_object (ge_tensor_get_ndim (SELF), ge_tensor_get_sizes (SELF));
  if (!parse_dim (dim, &d))
    return NULL;
  {
    int nd = ge_tensor_get_ndim (SELF), n = MAX (nd, 1);
    if (d < -n || d >= n)
      return PyErr_Format (PyExc_IndexError,
                           "Dimension out of range (expected to be in range of [%d, %d], but got %d)",
                           -n, n - 1, d);
    if (nd == 0)
      return PyLong_FromLong (1);
    return PyLong_FromLongLong (ge_tensor_get_size (SELF, d));
  }
}

static PyObject *
m_stride (PyObject *self, PyObject *args)
{
  int nd = ge_tensor_get_ndim (SELF);
  PyObject *dim = Py_None;
  PyObject *tuple;
  int d;

  if (!PyArg_ParseTuple (args, "|O", &dim))
    return NULL;
  if (dim != Py_None)
    {
      if (!parse_dim (dim, &d))
        return NULL;
      if (d < 0)
        d += nd;
      if (d < 0 || d >= nd)
        return PyErr_Format (PyExc_IndexError, "Dimension out of range");
      return PyLong_FromLongLong (ge_tensor_get_strides (SELF)[d]);
    }
  tuple = PyTuple_New (nd);
  for (int i = 0; tuple && i < nd; i++)
    PyTuple_SET_ITEM (tuple, i, PyLong_FromLongLong (ge_tensor_get_strides (SELF)[i]));
  return tuple;
}

static PyObject *m_dim (PyObject *self, PyObject *u) { return PyLong_FromLong (ge_tensor_get_ndim (SELF)); }
static PyObject *m_numel (PyObject *self, PyObject *u) { return PyLong_FromLongLong (ge_tensor_numel (SELF)); }
static PyObject *m_element_size (PyObject *self, PyObject *u) { return PyLong_FromSize_t (ge_dtype_size (ge_tensor_get_dtype (SELF))); }
static PyObject *m_is_contiguous (PyObject *self, PyObject *u) { return PyBool_FromLong (ge_tensor_is_contiguous (SELF)); }
static PyObject *m_storage_offset (PyObject *self, PyObject *u) { return PyLong_FromLongLong (ge_tensor_get_offset (SELF)); }
static PyObject *m_data_ptr (PyObject *self, PyObject *u) { return PyLong_FromVoidPtr (ge_tensor_data_ptr (SELF)); }

static PyObject *
m_view (PyObject *self, PyObject *args)
{
  gint64 sizes[GE_MAX_DIMS];
  GError *gk_err = NULL;
  int ndim;

  if (!gk_parse_shape (args, &ndim, sizes))
    return NULL;
  return result (ge_tensor_view (SELF, ndim, sizes, ERR), gk_err);
}

static PyObject *
m_reshape (PyObject *self, PyObject *args)
{
  gint64 sizes[GE_MAX_DIMS];
  GError *gk_err = NULL;
  int ndim;

  if (!gk_parse_shape (args, &ndim, sizes))
    return NULL;
  return result (ge_tensor_reshape (SELF, ndim, sizes, ERR), gk_err);
}

static PyObject *
m_expand (PyObject *self, PyObject *args)
{
  gint64 sizes[GE_MAX_DIMS];
  GError *gk_err = NULL;
  int ndim;

  if (!gk_parse_shape (args, &ndim, sizes))
    return NULL;
  return result (ge_tensor_expand (SELF, ndim, sizes, ERR), gk_err);
}

static PyObject *
m_permute (PyObject *self, PyObject *args)
{
  gint64 sizes[GE_MAX_DIMS];
  int dims[GE_MAX_DIMS];
  GError *gk_err = NULL;
  int ndim;

  if (!gk_parse_shape (args, &ndim, sizes))
    return NULL;
  for (int i = 0; i < ndim; i++)
    dims[i] = (int) sizes[i];
  return result (ge_tensor_permute (SELF, ndim, dims, ERR), gk_err);
}

static PyObject *
m_squeeze (PyObject *self, PyObject *args)
{
  PyObject *dim = Py_None;
  GError *gk_err = NULL;
  int d;

  if (!PyArg_ParseTuple (args, "|O", &dim))
    return NULL;
  if (dim == Py_None)
    return result (ge_tensor_squeeze (SELF), NULL);
  if (!parse_dim (dim, &d))
    return NULL;
  return result (ge_tensor_squeeze_dim (SELF, d, ERR), gk_err);
}

static PyObject *
m_unsqueeze (PyObject *self, PyObject *dim)
{
  GError *gk_err = NULL;
  int d;

  if (!parse_dim (dim, &d))
    return NULL;
  return result (ge_tensor_unsqueeze (SELF, d, ERR), gk_err);
}

static PyObject *
m_transpose (PyObject *self, PyObject *args)
{
  GError *gk_err = NULL;
  int d0, d1;

  if (!PyArg_ParseTuple (args, "ii", &d0, &d1))
    return NULL;
  return result (ge_tensor_transpose (SELF, d0, d1, ERR), gk_err);
}

/* ---- reductions ---- */

typedef GeTensor *(*AllReduce) (GeTensor *, GError **);
typedef GeTensor *(*DimReduce) (GeTensor *, int, const int *, gboolean, GError **);

static PyObject *
reduce (PyObject *self, PyObject *args, PyObject *kwargs, AllReduce all, DimReduce some)
{
  static char *kwlist[] = { (char *) "dim", (char *) "keepdim", (char *) "dtype", NULL };
  PyObject *dim = Py_None, *dtype = Py_None;
  g_autoptr(GeTensor) input = NULL;
  int keepdim = 0, n, dims[GE_MAX_DIMS];
  GError *gk_err = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|OpO", kwlist, &dim, &keepdim, &dtype))
    return NULL;
  if (!parse_dims (dim, &n, dims))
    return NULL;
  input = ge_tensor_ref (SELF);
  if (dtype != Py_None)
    {
      int code = gk_dtype_from_object (dtype);
      GeTensor *cast;
      if (code < 0)
        return NULL;
      cast = ge_tensor_to_dtype (input, code, ERR);
      if (cast == NULL)
        return gk_raise_error (gk_err);
      ge_tensor_unref (input);
      input = cast;
    }
  if (dim == Py_None)
    return result (all (input, ERR), gk_err);
  return result (some (input, n, dims, keepdim, ERR), gk_err);
}

static PyObject *m_sum (PyObject *s, PyObject *a, PyObject *k) { return reduce (s, a, k, ge_tensor_sum, ge_tensor_sum_dims); }
static PyObject *m_mean (PyObject *s, PyObject *a, PyObject *k) { return reduce (s, a, k, ge_tensor_mean, ge_tensor_mean_dims); }

typedef GeTensor *(*ValuesIndices) (GeTensor *, int, gboolean, GeTensor **, GError **);

static PyObject *
values_indices (PyObject *self, PyObject *args, ValuesIndices op, AllReduce all)
{
  PyObject *dim = Py_None;
  int keepdim = 0, d;
  GeTensor *indices = NULL;
  GeTensor *values;
  GError *gk_err = NULL;
  PyObject *v, *i;

  if (!PyArg_ParseTuple (args, "|Op", &dim, &keepdim))
    return NULL;
  if (dim == Py_None)
    return result (all (SELF, ERR), gk_err);
  if (!parse_dim (dim, &d))
    return NULL;
  values = op (SELF, d, keepdim, &indices, ERR);
  if (values == NULL)
    return gk_raise_error (gk_err);
  v = result (values, NULL);
  i = result (indices, NULL);
  return Py_BuildValue ("(NN)", v, i);
}

static PyObject *m__max (PyObject *s, PyObject *a) { return values_indices (s, a, ge_tensor_max_dim, ge_tensor_max); }
static PyObject *m__min (PyObject *s, PyObject *a) { return values_indices (s, a, ge_tensor_min_dim, ge_tensor_min); }

static PyObject *
m_argmax (PyObject *self, PyObject *args, PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "dim", (char *) "keepdim", NULL };
  PyObject *dim = Py_None;
  int keepdim = 0, d;
  GError *gk_err = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|Op", kwlist, &dim, &keepdim))
    return NULL;
  if (dim == Py_None)
    return result (ge_tensor_argmax (SELF, ERR), gk_err);
  if (!parse_dim (dim, &d))
    return NULL;
  return result (ge_tensor_argmax_dim (SELF, d, keepdim, ERR), gk_err);
}

static PyObject *
m__sort (PyObject *self, PyObject *args)
{
  int dim = -1, descending = 0;
  GeTensor *indices = NULL;
  GeTensor *values;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "|ip", &dim, &descending))
    return NULL;
  values = ge_tensor_sort (SELF, dim, descending, &indices, ERR);
  if (values == NULL)
    return gk_raise_error (gk_err);
  return Py_BuildValue ("(NN)", result (values, NULL), result (indices, NULL));
}

/* ---- dtype conversion ---- */

static PyObject *
m__to_dtype (PyObject *self, PyObject *dtype)
{
  GError *gk_err = NULL;
  int code = gk_dtype_from_object (dtype);

  if (code < 0)
    return code == -1 ? Py_NewRef (self) : NULL;
  return result (ge_tensor_to_dtype (SELF, code, ERR), gk_err);
}

static PyObject *
m_requires_grad_ (PyObject *self, PyObject *args, PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "requires_grad", NULL };
  int flag = 1;
  GError *gk_err = NULL;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "|p", kwlist, &flag))
    return NULL;
  if (!ge_tensor_set_requires_grad (SELF, flag, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

static PyObject *
m_retain_grad (PyObject *self, PyObject *unused)
{
  ge_tensor_retain_grad (SELF);
  Py_RETURN_NONE;
}

static PyObject *
m__uniform_ (PyObject *self, PyObject *args)
{
  double a, b;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "dd", &a, &b))
    return NULL;
  if (!ge_tensor_uniform_ (SELF, a, b, NULL, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

static PyObject *
m__normal_ (PyObject *self, PyObject *args)
{
  double mean, std;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "dd", &mean, &std))
    return NULL;
  if (!ge_tensor_normal_ (SELF, mean, std, NULL, ERR))
    return gk_raise_error (gk_err);
  return Py_NewRef (self);
}

#define M(name, flags) { #name, (PyCFunction) (void (*) (void)) m_##name, flags, NULL }

static PyMethodDef methods[] = {
  M (exp, METH_NOARGS), M (log, METH_NOARGS), M (sin, METH_NOARGS), M (cos, METH_NOARGS),
  M (sqrt, METH_NOARGS), M (abs, METH_NOARGS), M (tanh, METH_NOARGS), M (sigmoid, METH_NOARGS),
  M (relu, METH_NOARGS), M (neg, METH_NOARGS), M (clone, METH_NOARGS), M (contiguous, METH_NOARGS),
  M (t, METH_NOARGS), M (detach, METH_NOARGS),
  M (pow, METH_O), M (mul, METH_O), M (div, METH_O), M (matmul, METH_O), M (mm, METH_O),
  M (mv, METH_O), M (bmm, METH_O), M (dot, METH_O), M (eq, METH_O), M (ne, METH_O), M (lt, METH_O),
  M (le, METH_O), M (gt, METH_O), M (ge, METH_O),
  M (add, METH_VARARGS | METH_KEYWORDS), M (sub, METH_VARARGS | METH_KEYWORDS),
  M (add_, METH_VARARGS | METH_KEYWORDS), M (sub_, METH_VARARGS | METH_KEYWORDS),
  M (mul_, METH_VARARGS | METH_KEYWORDS), M (div_, METH_VARARGS | METH_KEYWORDS),
  M (copy_, METH_VARARGS | METH_KEYWORDS),
  M (zero_, METH_NOARGS), M (fill_, METH_O),
  M (clamp, METH_VARARGS | METH_KEYWORDS), M (clamp_, METH_VARARGS | METH_KEYWORDS),
  M (size, METH_VARARGS), M (stride, METH_VARARGS), M (dim, METH_NOARGS), M (numel, METH_NOARGS),
  M (element_size, METH_NOARGS), M (is_contiguous, METH_NOARGS), M (storage_offset, METH_NOARGS),
  M (data_ptr, METH_NOARGS),
  M (view, METH_VARARGS), M (reshape, METH_VARARGS), M (expand, METH_VARARGS), M (permute, METH_VARARGS),
  M (squeeze, METH_VARARGS), M (unsqueeze, METH_O), M (transpose, METH_VARARGS),
  M (sum, METH_VARARGS | METH_KEYWORDS), M (mean, METH_VARARGS | METH_KEYWORDS),
  M (_max, METH_VARARGS), M (_min, METH_VARARGS), M (argmax, METH_VARARGS | METH_KEYWORDS),
  M (_sort, METH_VARARGS), M (_to_dtype, METH_O),
  M (requires_grad_, METH_VARARGS | METH_KEYWORDS), M (retain_grad, METH_NOARGS),
  M (_uniform_, METH_VARARGS), M (_normal_, METH_VARARGS),
  { NULL, NULL, 0, NULL },
};

gboolean
gk_methods_init (void)
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
  return TRUE;
}
