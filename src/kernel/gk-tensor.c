/* gk-tensor.c - torch.Tensor: a Python object over a GeTensor */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "gk-private.h"

#include <structmember.h>

PyTypeObject *gk_tensor_type;

/* ---- lifetime ---- */

static PyObject *
tensor_alloc (PyTypeObject *type,
              GeTensor     *t)
{
  GkTensor *self = (GkTensor *) type->tp_alloc (type, 0);

  if (self == NULL)
    return NULL;
  self->tensor = ge_tensor_ref (t);
  ge_tensor_set_binding (t, self);
  return (PyObject *) self;
}

PyObject *
gk_tensor_wrap (GeTensor *t)
{
  PyObject *existing;

  if (t == NULL)
    Py_RETURN_NONE;
  existing = ge_tensor_get_binding (t);
  if (existing != NULL)
    return Py_NewRef (existing);
  return tensor_alloc (gk_tensor_type, t);
}

PyObject *
gk_tensor_take (GeTensor  *t,
                GError   **error)
{
  PyObject *obj;

  if (t == NULL)
    return gk_raise (error);
  obj = gk_tensor_wrap (t);
  ge_tensor_unref (t);
  return obj;
}

static int
tensor_traverse (GkTensor  *self,
                 visitproc  visit,
                 void      *arg)
{
  Py_VISIT (self->dict);
  Py_VISIT (Py_TYPE (self));
  return 0;
}

static int
tensor_clear (GkTensor *self)
{
  Py_CLEAR (self->dict);
  return 0;
}

static void
tensor_dealloc (GkTensor *self)
{
  PyTypeObject *type = Py_TYPE (self);

  PyObject_GC_UnTrack (self);
  if (self->weakrefs != NULL)
    PyObject_ClearWeakRefs ((PyObject *) self);
  tensor_clear (self);
  if (self->tensor != NULL)
    {
      if (ge_tensor_get_binding (self->tensor) == self)
        ge_tensor_set_binding (self->tensor, NULL);
      g_clear_pointer (&self->tensor, ge_tensor_unref);
    }
  type->tp_free (self);
  Py_DECREF (type);
}

/* torch.Tensor(data) / torch.Tensor(2, 3): the legacy float32 constructor */
static PyObject *
tensor_new (PyTypeObject *type,
            PyObject     *args,
            PyObject     *kwargs)
{
  g_autoptr(GeTensor) t = NULL;
  Py_ssize_t n = PyTuple_GET_SIZE (args);

  if (n == 1 && !PyLong_Check (PyTuple_GET_ITEM (args, 0)))
    t = gk_tensor_from_data (PyTuple_GET_ITEM (args, 0), GE_DTYPE_FLOAT32);
  else
    {
      gint64 sizes[GE_MAX_DIMS];
      int ndim;
      GError *error = NULL;

      if (!gk_parse_shape ("new", &PyTuple_GET_ITEM (args, 0), n, &ndim, sizes))
        return NULL;
      t = ge_tensor_zeros (ndim, sizes, GE_DTYPE_FLOAT32, &error);
      if (t == NULL)
        return gk_raise (&error);
    }
  if (t == NULL)
    return NULL;
  return tensor_alloc (type, t);
}

/* Missing attributes name what Gradlab lacks (PyTorch has nearly every
 * method a learner may try); found ones cost nothing extra. */
static PyObject *
tensor_getattro (PyObject *self,
                 PyObject *name)
{
  PyObject *value = PyObject_GenericGetAttr (self, name);
  const char *text;

  if (value != NULL || !PyErr_ExceptionMatches (PyExc_AttributeError) || !PyUnicode_Check (name))
    return value;
  text = PyUnicode_AsUTF8 (name);
  if (text == NULL || g_str_has_prefix (text, "__") || g_str_has_prefix (text, "_"))
    return NULL;
  PyErr_Clear ();
  return PyErr_Format (PyExc_AttributeError,
                       "'%s' object has no attribute '%s' (torch.Tensor.%s is not available in Gradlab yet)",
                       Py_TYPE (self)->tp_name, text, text);
}

/* ---- repr ---- */

static PyObject *
tensor_repr (GkTensor *self)
{
  GeReprOptions options = { 0 };
  g_autofree char *text = NULL;
  const char *view_error = ge_tensor_get_view_error (self->tensor);

  /* PyTorch's repr asks for grad_fn, which raises for such a view */
  if (view_error != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, view_error);
      return NULL;
    }
  options.grad_fn_name = ge_tensor_get_grad_fn_name (self->tensor);
  options.requires_grad = ge_tensor_requires_grad (self->tensor);
  options.is_parameter = gk_parameter_type != NULL &&
                         PyObject_TypeCheck ((PyObject *) self, (PyTypeObject *) gk_parameter_type);
  text = ge_tensor_repr (self->tensor, &options);
  return PyUnicode_FromString (text);
}

/* tensors hash by identity, as in PyTorch */
static Py_hash_t
tensor_hash (PyObject *self)
{
  return _Py_HashPointer (self);
}

/* ---- number protocol ---- */

typedef GeTensor *(*BinaryOp) (GeTensor *, GeTensor *, GError **);
typedef gboolean (*InplaceOp) (GeTensor *, GeTensor *, GError **);

static PyObject *
binary (PyObject *a,
        PyObject *b,
        BinaryOp  op,
        gboolean  commutative)
{
  g_autoptr(GeTensor) ta = NULL;
  g_autoptr(GeTensor) tb = NULL;
  GError *error = NULL;
  GeTensor *out;

  ta = gk_operand (a);
  if (ta == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  tb = gk_operand (b);
  if (tb == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  /* 3 * x is x.__rmul__(3) = x.mul(3) in PyTorch: the tensor comes first */
  if (commutative && !GkTensor_Check (a))
    out = op (tb, ta, &error);
  else
    out = op (ta, tb, &error);
  return gk_tensor_take (out, &error);
}

static PyObject *
inplace (PyObject  *self,
         PyObject  *other,
         InplaceOp  op)
{
  g_autoptr(GeTensor) t = NULL;
  GError *error = NULL;

  if (!GkTensor_Check (self))
    Py_RETURN_NOTIMPLEMENTED;
  t = gk_operand (other);
  if (t == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  if (!op (GK_TENSOR (self), t, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *nb_add (PyObject *a, PyObject *b) { return binary (a, b, ge_tensor_add, TRUE); }
static PyObject *nb_sub (PyObject *a, PyObject *b) { return binary (a, b, ge_tensor_sub, FALSE); }
static PyObject *nb_mul (PyObject *a, PyObject *b) { return binary (a, b, ge_tensor_mul, TRUE); }
static PyObject *nb_div (PyObject *a, PyObject *b) { return binary (a, b, ge_tensor_div, FALSE); }
static PyObject *nb_iadd (PyObject *a, PyObject *b) { return inplace (a, b, ge_tensor_add_); }
static PyObject *nb_isub (PyObject *a, PyObject *b) { return inplace (a, b, ge_tensor_sub_); }
static PyObject *nb_imul (PyObject *a, PyObject *b) { return inplace (a, b, ge_tensor_mul_); }
static PyObject *nb_idiv (PyObject *a, PyObject *b) { return inplace (a, b, ge_tensor_div_); }

static PyObject *
nb_matmul (PyObject *a,
           PyObject *b)
{
  GError *error = NULL;

  if (!GkTensor_Check (a) || !GkTensor_Check (b))
    Py_RETURN_NOTIMPLEMENTED;
  return gk_tensor_take (ge_tensor_matmul (GK_TENSOR (a), GK_TENSOR (b), &error), &error);
}

static PyObject *
nb_pow (PyObject *a,
        PyObject *b,
        PyObject *mod)
{
  if (mod != Py_None)
    Py_RETURN_NOTIMPLEMENTED;
  return binary (a, b, ge_tensor_pow, FALSE);
}

/* x **= y: pow_ (the engine has no in-place pow: compute, then copy in,
 * which is what pow_ writes) */
static PyObject *
nb_ipow (PyObject *self,
         PyObject *other,
         PyObject *mod)
{
  g_autoptr(GeTensor) t = NULL;
  g_autoptr(GeTensor) out = NULL;
  GError *error = NULL;

  if (mod != Py_None || !GkTensor_Check (self) || (t = gk_operand (other)) == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  out = ge_tensor_pow (GK_TENSOR (self), t, &error);
  if (out == NULL || !ge_tensor_copy_ (GK_TENSOR (self), out, &error))
    return gk_raise (&error);
  return Py_NewRef (self);
}

static PyObject *
unavailable_operator (const char *name)
{
  PyErr_Format (PyExc_NotImplementedError, "torch.%s is not available in Gradlab yet", name);
  return NULL;
}

static PyObject *
nb_floor_divide (PyObject *a,
                 PyObject *b)
{
  g_autoptr(GeTensor) ta = gk_operand (a);
  g_autoptr(GeTensor) tb = gk_operand (b);

  if (ta == NULL || tb == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  return unavailable_operator ("floor_divide");
}

static PyObject *
nb_remainder (PyObject *a,
              PyObject *b)
{
  g_autoptr(GeTensor) ta = gk_operand (a);
  g_autoptr(GeTensor) tb = gk_operand (b);

  if (ta == NULL || tb == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  return unavailable_operator ("remainder");
}

static PyObject *
nb_bitwise (PyObject *a,
            PyObject *b)
{
  g_autoptr(GeTensor) ta = gk_operand (a);
  g_autoptr(GeTensor) tb = gk_operand (b);

  if (ta == NULL || tb == NULL)
    Py_RETURN_NOTIMPLEMENTED;
  return unavailable_operator ("bitwise_and, bitwise_or and bitwise_xor (&, |, ^)");
}

static PyObject *
nb_invert (PyObject *a)
{
  return unavailable_operator ("bitwise_not (~)");
}

static PyObject *
nb_neg (PyObject *a)
{
  GError *error = NULL;
  return gk_tensor_take (ge_tensor_neg (GK_TENSOR (a), &error), &error);
}

static PyObject *
nb_pos (PyObject *a)
{
  if (ge_tensor_get_dtype (GK_TENSOR (a)) == GE_DTYPE_BOOL)
    {
      PyErr_SetString (PyExc_RuntimeError,
                       "The `+` operator, on a bool tensor is not supported.");
      return NULL;
    }
  return Py_NewRef (a);
}

static PyObject *
nb_abs (PyObject *a)
{
  GError *error = NULL;
  return gk_tensor_take (ge_tensor_abs (GK_TENSOR (a), &error), &error);
}

/* The one value of a one-element tensor, for bool(), float(), int(). */
static gboolean
single_value (PyObject *self,
              double   *value,
              gboolean  for_bool)
{
  GeTensor *t = GK_TENSOR (self);
  gint64 n = ge_tensor_numel (t);
  GError *error = NULL;

  if (n != 1)
    {
      if (for_bool)
        PyErr_SetString (PyExc_RuntimeError, n == 0 ? "Boolean value of Tensor with no values is ambiguous"
                                                    : "Boolean value of Tensor with more than one value is ambiguous");
      else
        PyErr_SetString (PyExc_ValueError, "only one element tensors can be converted to Python scalars");
      return FALSE;
    }
  if (!ge_tensor_item (t, value, &error))
    {
      gk_raise (&error);
      return FALSE;
    }
  return TRUE;
}

static int
nb_bool (PyObject *self)
{
  double v;
  return single_value (self, &v, TRUE) ? v != 0.0 : -1;
}

static PyObject *
nb_float (PyObject *self)
{
  double v;
  return single_value (self, &v, FALSE) ? PyFloat_FromDouble (v) : NULL;
}

/* @t's values where the host can read them, contiguous, without autograd:
 * a CPU copy of a cuda tensor. */
static GeTensor *
host_contiguous (GeTensor  *t,
                 GError   **error)
{
  g_autoptr(GeTensor) detached = ge_tensor_detach (t);
  g_autoptr(GeTensor) host = ge_tensor_cpu (detached, error);

  return host != NULL ? ge_tensor_contiguous (host, error) : NULL;
}

/* The exact value of a one-element int64 tensor. */
static gint64
int64_value (GeTensor *t)
{
  g_autoptr(GeTensor) c = host_contiguous (t, NULL);
  return c != NULL ? *(gint64 *) ge_tensor_data_ptr (c) : 0;
}

static PyObject *
nb_int (PyObject *self)
{
  GeTensor *t = GK_TENSOR (self);
  double v;

  if (!single_value (self, &v, FALSE))
    return NULL;
  if (ge_tensor_get_dtype (t) == GE_DTYPE_INT64)
    return PyLong_FromLongLong (int64_value (t));
  return PyLong_FromDouble (v);
}

static PyObject *
nb_index (PyObject *self)
{
  GeTensor *t = GK_TENSOR (self);

  if (ge_tensor_numel (t) != 1 || ge_dtype_is_floating (ge_tensor_get_dtype (t)))
    {
      PyErr_SetString (PyExc_TypeError, "only integer tensors of a single element can be converted to an index");
      return NULL;
    }
  return nb_int (self);
}

/* ---- comparisons ---- */

static PyObject *
tensor_richcompare (PyObject *a,
                    PyObject *b,
                    int       op)
{
  switch (op)
    {
    case Py_EQ: return binary (a, b, ge_tensor_eq, FALSE);
    case Py_NE: return binary (a, b, ge_tensor_ne, FALSE);
    case Py_LT: return binary (a, b, ge_tensor_lt, FALSE);
    case Py_LE: return binary (a, b, ge_tensor_le, FALSE);
    case Py_GT: return binary (a, b, ge_tensor_gt, FALSE);
    case Py_GE: return binary (a, b, ge_tensor_ge, FALSE);
    default:    Py_RETURN_NOTIMPLEMENTED;
    }
}

/* ---- indexing ---- */

static gboolean
slice_bound (PyObject *obj,
             gint64   *value)
{
  PyObject *v;

  if (obj == Py_None)
    return TRUE;
  v = PyNumber_Index (obj);
  if (v == NULL)
    return FALSE;
  *value = PyLong_AsLongLong (v);
  Py_DECREF (v);
  return !(*value == -1 && PyErr_Occurred ());
}

/* Python's index expression -> GeIndex list.  FALSE with an exception. */
static gboolean
parse_index (PyObject *key,
             GeIndex  *indices,
             int      *n)
{
  PyObject *const *items = &key;
  Py_ssize_t count = 1;

  if (PyTuple_Check (key))
    {
      items = &PyTuple_GET_ITEM (key, 0);
      count = PyTuple_GET_SIZE (key);
    }
  if (count > GE_MAX_DIMS)
    {
      PyErr_SetString (PyExc_IndexError, "too many indices");
      return FALSE;
    }
  for (Py_ssize_t i = 0; i < count; i++)
    {
      PyObject *item = items[i];
      GeIndex *idx = &indices[i];

      if (PyLong_CheckExact (item))
        {
          int overflow = 0;
          *idx = GE_INDEX_I (PyLong_AsLongLongAndOverflow (item, &overflow));
          if (overflow)
            {
              PyErr_SetString (PyExc_IndexError, "index out of range");
              return FALSE;
            }
        }
      else if (item == Py_None)
        *idx = (GeIndex) { GE_INDEX_NONE, 0, 0, 0, 1 };
      else if (item == Py_Ellipsis)
        *idx = (GeIndex) { GE_INDEX_ELLIPSIS, 0, 0, 0, 1 };
      else if (PySlice_Check (item))
        {
          PySliceObject *s = (PySliceObject *) item;
          gint64 start = G_MININT64, stop = G_MAXINT64, step = 1;

          if (!slice_bound (s->step, &step) || !slice_bound (s->start, &start) ||
              !slice_bound (s->stop, &stop))
            return FALSE;
          if (step == 0)
            {
              PyErr_SetString (PyExc_ValueError, "slice step cannot be zero");
              return FALSE;
            }
          if (step < 0)
            {
              PyErr_SetString (PyExc_ValueError, "step must be greater than zero");
              return FALSE;
            }
          *idx = (GeIndex) { GE_INDEX_SLICE, 0, start, stop, step };
        }
      else if (PyBool_Check (item) || PyList_Check (item) || PyTuple_Check (item) ||
               (GkTensor_Check (item) && (ge_tensor_get_ndim (GK_TENSOR (item)) > 0 ||
                                          ge_tensor_get_dtype (GK_TENSOR (item)) == GE_DTYPE_BOOL)))
        {
          PyErr_SetString (PyExc_NotImplementedError,
                           "advanced indexing (with lists, masks or index tensors) is not available in Gradlab yet");
          return FALSE;
        }
      else if (PyUnicode_Check (item) || PyBytes_Check (item))
        {
          /* PyTorch tries to turn the object into an index tensor */
          PyErr_Format (PyExc_TypeError, "new(): invalid data type '%s'", Py_TYPE (item)->tp_name);
          return FALSE;
        }
      else
        {
          PyObject *v = PyIndex_Check (item) ? PyNumber_Index (item) : NULL;

          if (v == NULL)
            {
              PyErr_Clear ();
              PyErr_Format (PyExc_IndexError,
                            "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                            "Variables are valid indices (got %s)", Py_TYPE (item)->tp_name);
              return FALSE;
            }
          *idx = GE_INDEX_I (PyLong_AsLongLong (v));
          Py_DECREF (v);
        }
    }
  *n = (int) count;
  return TRUE;
}

static PyObject *
tensor_subscript (PyObject *self,
                  PyObject *key)
{
  GeIndex indices[GE_MAX_DIMS];
  GError *error = NULL;
  int n;

  if (!parse_index (key, indices, &n))
    return NULL;
  return gk_tensor_take (ge_tensor_index (GK_TENSOR (self), n, indices, &error), &error);
}

/* A value assigned into a tensor of @dtype: the tensor itself, or a Python
 * number as a 0-dim tensor of @dtype. */
static GeTensor *
assigned_value (PyObject *value,
                GeDType   dtype)
{
  GeTensor *v;

  if (GkTensor_Check (value))
    return ge_tensor_ref (GK_TENSOR (value));
  if (PyLong_Check (value) && !PyBool_Check (value) && dtype == GE_DTYPE_INT64)
    {
      gint64 iv = PyLong_AsLongLong (value);
      if (iv == -1 && PyErr_Occurred ())
        return NULL;
      v = ge_tensor_scalar (0, dtype);
      *(gint64 *) ge_tensor_data_ptr (v) = iv;
      return v;
    }
  if (PyBool_Check (value) || PyLong_Check (value) || PyFloat_Check (value) ||
      (!PyUnicode_Check (value) && !PySequence_Check (value) && PyNumber_Check (value)))
    {
      double d = PyBool_Check (value) ? (value == Py_True) : PyFloat_AsDouble (value);
      if (d == -1.0 && PyErr_Occurred ())
        return NULL;
      return ge_tensor_scalar (d, dtype);
    }
  if (PyList_Check (value) || PyTuple_Check (value))
    return gk_tensor_from_data (value, dtype);
  PyErr_Format (PyExc_TypeError, "can't assign a %s to a torch.%s", Py_TYPE (value)->tp_name,
                gk_tensor_type_name (dtype));
  return NULL;
}

static gboolean
same_shape (GeTensor *a,
            GeTensor *b)
{
  int ndim = ge_tensor_get_ndim (a);

  if (ndim != ge_tensor_get_ndim (b))
    return FALSE;
  for (int d = 0; d < ndim; d++)
    if (ge_tensor_get_sizes (a)[d] != ge_tensor_get_sizes (b)[d])
      return FALSE;
  return TRUE;
}

static int
tensor_ass_subscript (PyObject *self,
                      PyObject *key,
                      PyObject *value)
{
  g_autoptr(GeTensor) v = NULL;
  g_autoptr(GeTensor) view = NULL;
  GeIndex indices[GE_MAX_DIMS];
  GError *error = NULL;
  int n;

  if (value == NULL)
    {
      PyErr_SetString (PyExc_TypeError, "Tensor does not support deleting items");
      return -1;
    }
  if (!parse_index (key, indices, &n))
    return -1;
  v = assigned_value (value, ge_tensor_get_dtype (GK_TENSOR (self)));
  if (v == NULL)
    return -1;
  /* PyTorch's basic-indexing assignment: take the view, copy into it (so a
   * leaf that requires grad reports "a view of a leaf Variable ...") */
  view = ge_tensor_index (GK_TENSOR (self), n, indices, &error);
  if (view == NULL)
    {
      gk_raise (&error);
      return -1;
    }
  if (ge_tensor_get_ndim (v) > 0 && !same_shape (view, v))
    {
      /* copy_to(): leading 1s dropped (a view), then expanded ("setitem"
       * errors); both recorded, as PyTorch shows them in the graph */
      const gint64 *sizes = ge_tensor_get_sizes (v);
      int ndim = ge_tensor_get_ndim (v), skip = 0;
      GeTensor *stripped;

      while (skip < ndim && sizes[skip] == 1)
        skip++;
      stripped = ge_tensor_view (v, ndim - skip, sizes + skip, &error);
      if (stripped == NULL)
        {
          gk_raise (&error);
          return -1;
        }
      g_clear_pointer (&v, ge_tensor_unref);
      if (same_shape (view, stripped))
        v = stripped;
      else
        {
          v = ge_tensor_expand (stripped, ge_tensor_get_ndim (view), ge_tensor_get_sizes (view), &error);
          ge_tensor_unref (stripped);
        }
      if (v == NULL)
        {
          gk_raise (&error);
          return -1;
        }
    }
  if (!ge_tensor_copy_ (view, v, &error))
    {
      gk_raise (&error);
      return -1;
    }
  return 0;
}

static Py_ssize_t
tensor_length (PyObject *self)
{
  GeTensor *t = GK_TENSOR (self);

  if (ge_tensor_get_ndim (t) == 0)
    {
      PyErr_SetString (PyExc_TypeError, "len() of a 0-d tensor");
      return -1;
    }
  return (Py_ssize_t) ge_tensor_get_size (t, 0);
}

/* iteration: t[0], t[1], ... */
static PyObject *
tensor_item (PyObject   *self,
             Py_ssize_t  i)
{
  GeTensor *t = GK_TENSOR (self);
  GError *error = NULL;

  if (ge_tensor_get_ndim (t) == 0)
    {
      PyErr_SetString (PyExc_TypeError, "iteration over a 0-d tensor");
      return NULL;
    }
  if (i < 0 || i >= ge_tensor_get_size (t, 0))
    {
      PyErr_Format (PyExc_IndexError, "index %zd is out of bounds for dimension 0 with size %lld",
                    i, (long long) ge_tensor_get_size (t, 0));
      return NULL;
    }
  return gk_tensor_take (ge_tensor_select (t, 0, i, &error), &error);
}

PyObject *
gk_tensor_unbind_tuple (GeTensor *t,
                        int       dim)
{
  GError *error = NULL;
  GeTensor **views;
  PyObject *tuple;
  int n = 0;

  views = ge_tensor_unbind (t, dim, &n, &error);
  if (views == NULL)
    {
      gk_raise (&error);
      return NULL;
    }
  tuple = PyTuple_New (n);
  for (int i = 0; tuple != NULL && i < n; i++)
    {
      PyObject *item = gk_tensor_take (g_steal_pointer (&views[i]), NULL);

      if (item == NULL)
        g_clear_pointer (&tuple, Py_DecRef);
      else
        PyTuple_SET_ITEM (tuple, i, item);
    }
  ge_tensor_unbind_free (views, n);
  return tuple;
}

/* iter(t) is iter(t.unbind(0)), as in PyTorch (rows show UnbindBackward0) */
static PyObject *
tensor_iter (PyObject *self)
{
  PyObject *rows, *iter;

  if (ge_tensor_get_ndim (GK_TENSOR (self)) == 0)
    {
      PyErr_SetString (PyExc_TypeError, "iteration over a 0-d tensor");
      return NULL;
    }
  rows = gk_tensor_unbind_tuple (GK_TENSOR (self), 0);
  if (rows == NULL)
    return NULL;
  iter = PyObject_GetIter (rows);
  Py_DECREF (rows);
  return iter;
}

/* ---- buffer protocol: numpy shares the memory ---- */

static int
tensor_getbuffer (PyObject  *self,
                  Py_buffer *view,
                  int        flags)
{
  GeTensor *t = GK_TENSOR (self);
  int ndim = ge_tensor_get_ndim (t);
  Py_ssize_t *shape_strides;
  gsize elem = ge_dtype_size (ge_tensor_get_dtype (t));
  const char *format;

  if (ge_tensor_get_device (t) != GE_DEVICE_CPU)
    {
      PyErr_SetString (PyExc_TypeError,
                       "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the "
                       "tensor to host memory first.");
      return -1;
    }
  switch (ge_tensor_get_dtype (t))
    {
    case GE_DTYPE_FLOAT32: format = "f"; break;
    case GE_DTYPE_FLOAT64: format = "d"; break;
    /* "l" (not "q") so that numpy makes its default int64 dtype */
    case GE_DTYPE_INT64:   format = "l"; break;
    case GE_DTYPE_BOOL:
    default:               format = "?"; break;
    }
  shape_strides = PyMem_Malloc (sizeof (Py_ssize_t) * 2 * MAX (ndim, 1));
  if (shape_strides == NULL)
    {
      PyErr_NoMemory ();
      return -1;
    }
  for (int d = 0; d < ndim; d++)
    {
      shape_strides[d] = ge_tensor_get_sizes (t)[d];
      shape_strides[ndim + d] = ge_tensor_get_strides (t)[d] * elem;
    }
  view->buf = ge_tensor_data_ptr (t);
  view->obj = Py_NewRef (self);
  view->len = ge_tensor_numel (t) * elem;
  view->readonly = 0;
  view->itemsize = elem;
  view->format = (flags & PyBUF_FORMAT) ? (char *) format : NULL;
  view->ndim = ndim;
  view->shape = shape_strides;
  view->strides = shape_strides + ndim;
  view->suboffsets = NULL;
  view->internal = shape_strides;
  return 0;
}

static void
tensor_releasebuffer (PyObject  *self,
                      Py_buffer *view)
{
  PyMem_Free (view->internal);
}

/* ---- properties ---- */

static PyObject *
get_shape (PyObject *self, void *closure)
{
  GeTensor *t = GK_TENSOR (self);
  return gk_size_object (ge_tensor_get_ndim (t), ge_tensor_get_sizes (t));
}

static PyObject *
get_dtype (PyObject *self, void *closure)
{
  return gk_dtype_object (ge_tensor_get_dtype (GK_TENSOR (self)));
}

static PyObject *
get_device (PyObject *self, void *closure)
{
  return gk_device_object (ge_tensor_get_device (GK_TENSOR (self)));
}

static PyObject *
get_ndim (PyObject *self, void *closure)
{
  return PyLong_FromLong (ge_tensor_get_ndim (GK_TENSOR (self)));
}

static PyObject *
get_requires_grad (PyObject *self, void *closure)
{
  return PyBool_FromLong (ge_tensor_requires_grad (GK_TENSOR (self)));
}

static int
set_requires_grad (PyObject *self, PyObject *value, void *closure)
{
  GError *error = NULL;
  int flag;

  if (value == NULL)
    {
      PyErr_SetString (PyExc_TypeError, "can't delete requires_grad");
      return -1;
    }
  if (!PyBool_Check (value))
    {
      PyErr_SetString (PyExc_RuntimeError, "requires_grad must be a bool");
      return -1;
    }
  flag = value == Py_True;
  if (!ge_tensor_set_requires_grad (GK_TENSOR (self), flag, &error))
    {
      gk_raise (&error);
      return -1;
    }
  return 0;
}

static PyObject *
get_grad (PyObject *self, void *closure)
{
  GeTensor *t = GK_TENSOR (self);
  GeTensor *grad = ge_tensor_get_grad (t);

  if (grad == NULL && !ge_tensor_is_leaf (t) &&
      PyErr_WarnEx (PyExc_UserWarning,
                    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
                    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
                    "instead. See github.com/pytorch/pytorch/pull/30531 for more informations.", 1) < 0)
    return NULL;
  return gk_tensor_wrap (grad);
}

static int
set_grad (PyObject *self, PyObject *value, void *closure)
{
  GError *error = NULL;

  if (value != NULL && value != Py_None && !GkTensor_Check (value))
    {
      /* sic: PyTorch's message has no space before the type name */
      PyErr_Format (PyExc_TypeError, "assigned grad expected to be a Tensor or None but got grad of type%s",
                    Py_TYPE (value)->tp_name);
      return -1;
    }
  /* THPVariable_set_grad checks the type, then the device, then the size */
  if (value != NULL && value != Py_None &&
      ge_tensor_get_dtype (GK_TENSOR (value)) == ge_tensor_get_dtype (GK_TENSOR (self)) &&
      ge_tensor_get_device (GK_TENSOR (value)) != ge_tensor_get_device (GK_TENSOR (self)))
    {
      PyErr_SetString (PyExc_RuntimeError, "assigned grad has data located on a different device");
      return -1;
    }
  if (!ge_tensor_set_grad (GK_TENSOR (self), (value && value != Py_None) ? GK_TENSOR (value) : NULL, &error))
    {
      gk_raise (&error);
      return -1;
    }
  return 0;
}

static PyObject *
get_grad_fn (PyObject *self, void *closure)
{
  const char *view_error = ge_tensor_get_view_error (GK_TENSOR (self));
  GeNode *node;

  if (view_error != NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, view_error);
      return NULL;
    }
  node = ge_tensor_get_grad_fn (GK_TENSOR (self));
  if (node == NULL)
    Py_RETURN_NONE;
  return gk_node_wrap (node);
}

static PyObject *
get_is_leaf (PyObject *self, void *closure)
{
  return PyBool_FromLong (ge_tensor_is_leaf (GK_TENSOR (self)));
}

static PyObject *
get_data (PyObject *self, void *closure)
{
  return gk_tensor_take (ge_tensor_get_data (GK_TENSOR (self)), NULL);
}

static int
set_data (PyObject *self, PyObject *value, void *closure)
{
  GError *error = NULL;

  if (value == NULL || !GkTensor_Check (value))
    {
      PyErr_Format (PyExc_TypeError, "Variable data has to be a tensor, but got %s",
                    value ? Py_TYPE (value)->tp_name : "None");
      return -1;
    }
  if (!ge_tensor_set_data (GK_TENSOR (self), GK_TENSOR (value), &error))
    {
      gk_raise (&error);
      return -1;
    }
  return 0;
}

static PyObject *
get_T (PyObject *self, void *closure)
{
  GeTensor *t = GK_TENSOR (self);
  int ndim = ge_tensor_get_ndim (t);
  int dims[GE_MAX_DIMS];
  GError *error = NULL;

  for (int d = 0; d < ndim; d++)
    dims[d] = ndim - 1 - d;
  return gk_tensor_take (ge_tensor_permute (t, ndim, dims, &error), &error);
}

static PyObject *
get_is_cuda (PyObject *self, void *closure)
{
  return PyBool_FromLong (ge_tensor_get_device (GK_TENSOR (self)) == GE_DEVICE_CUDA);
}

static PyObject *
get_version (PyObject *self, void *closure)
{
  return PyLong_FromUnsignedLongLong (ge_tensor_get_version (GK_TENSOR (self)));
}

static PyObject *
get_false (PyObject *self, void *closure)
{
  Py_RETURN_FALSE;
}

static PyGetSetDef tensor_getset[] = {
  { "shape", get_shape, NULL, NULL, NULL },
  { "dtype", get_dtype, NULL, NULL, NULL },
  { "device", get_device, NULL, NULL, NULL },
  { "ndim", get_ndim, NULL, NULL, NULL },
  { "requires_grad", get_requires_grad, set_requires_grad, NULL, NULL },
  { "grad", get_grad, set_grad, NULL, NULL },
  { "grad_fn", get_grad_fn, NULL, NULL, NULL },
  { "is_leaf", get_is_leaf, NULL, NULL, NULL },
  { "data", get_data, set_data, NULL, NULL },
  { "T", get_T, NULL, NULL, NULL },
  { "is_cuda", get_is_cuda, NULL, NULL, NULL },
  { "is_sparse", get_false, NULL, NULL, NULL },
  { "is_quantized", get_false, NULL, NULL, NULL },
  { "is_meta", get_false, NULL, NULL, NULL },
  { "_version", get_version, NULL, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

/* ---- item, tolist, backward ---- */

static PyObject *
method_item (PyObject *self,
             PyObject *unused)
{
  GeTensor *t = GK_TENSOR (self);
  double v;

  if (!single_value (self, &v, FALSE))
    return NULL;
  switch (ge_tensor_get_dtype (t))
    {
    case GE_DTYPE_BOOL:  return PyBool_FromLong (v != 0.0);
    case GE_DTYPE_INT64: return PyLong_FromLongLong (int64_value (t));
    case GE_DTYPE_FLOAT32:
    case GE_DTYPE_FLOAT64:
    default:             return PyFloat_FromDouble (v);
    }
}

static PyObject *
to_list (GeTensor     *t,
         const double *values,
         const gint64 *ints,
         int           dim,
         gint64       *pos)
{
  PyObject *list;
  gint64 n;

  if (dim == ge_tensor_get_ndim (t))
    {
      gint64 i = (*pos)++;
      switch (ge_tensor_get_dtype (t))
        {
        case GE_DTYPE_BOOL:  return PyBool_FromLong (values[i] != 0.0);
        case GE_DTYPE_INT64: return PyLong_FromLongLong (ints[i]);
        case GE_DTYPE_FLOAT32:
        case GE_DTYPE_FLOAT64:
        default:             return PyFloat_FromDouble (values[i]);
        }
    }
  n = ge_tensor_get_size (t, dim);
  list = PyList_New (n);
  for (gint64 i = 0; list != NULL && i < n; i++)
    {
      PyObject *item = to_list (t, values, ints, dim + 1, pos);
      if (item == NULL)
        {
          Py_CLEAR (list);
          break;
        }
      PyList_SET_ITEM (list, i, item);
    }
  return list;
}

static PyObject *
method_tolist (PyObject *self,
               PyObject *unused)
{
  GeTensor *t = GK_TENSOR (self);
  g_autofree double *values = NULL;
  g_autofree gint64 *ints = NULL;
  gint64 pos = 0;

  if (ge_tensor_get_dtype (t) == GE_DTYPE_INT64)
    {
      /* exact 64-bit values, not through double */
      GError *error = NULL;
      g_autoptr(GeTensor) c = host_contiguous (t, &error);
      gint64 n = ge_tensor_numel (t);

      if (c == NULL)
        return gk_raise (&error);
      ints = g_new (gint64, MAX (n, 1));
      memcpy (ints, ge_tensor_data_ptr (c), n * sizeof (gint64));
    }
  else
    values = ge_tensor_to_doubles (t, NULL);
  return to_list (t, values, ints, 0, &pos);
}

static PyObject *
method_backward (PyObject          *self,
                 PyObject          *const *args,
                 Py_ssize_t         nargs,
                 PyObject          *kwnames)
{
  static const char *const names[] = { "gradient", "retain_graph", "create_graph", "inputs" };
  PyObject *v[G_N_ELEMENTS (names)];
  GError *error = NULL;
  int create_graph, retain_graph;

  if (!GK_PARSE ("backward", names, 0, v))
    return NULL;
  if (v[3] != NULL && v[3] != Py_None)
    {
      PyErr_SetString (PyExc_NotImplementedError,
                       "torch.Tensor.backward(inputs=...) is not available in Gradlab yet");
      return NULL;
    }
  if (v[0] != NULL && v[0] != Py_None && !GkTensor_Check (v[0]))
    {
      PyErr_Format (PyExc_TypeError, "backward(): argument 'gradient' must be Tensor, not %s",
                    Py_TYPE (v[0])->tp_name);
      return NULL;
    }
  if ((create_graph = gk_parse_bool (v[2], FALSE)) < 0)
    return NULL;
  retain_graph = (v[1] == NULL || v[1] == Py_None) ? create_graph : PyObject_IsTrue (v[1]);
  if (retain_graph < 0)
    return NULL;
  /* the GIL stays held: custom Function backwards call Python */
  if (!ge_tensor_backward (GK_TENSOR (self), (v[0] == NULL || v[0] == Py_None) ? NULL : GK_TENSOR (v[0]),
                           retain_graph, create_graph, &error))
    return gk_raise (&error);
  Py_RETURN_NONE;
}

static PyMethodDef tensor_methods[] = {
  { "item", method_item, METH_NOARGS, NULL },
  { "tolist", method_tolist, METH_NOARGS, NULL },
  { "backward", (PyCFunction) (void (*) (void)) method_backward, METH_FASTCALL | METH_KEYWORDS, NULL },
  { NULL, NULL, 0, NULL },
};

static PyMemberDef tensor_members[] = {
  { "__dictoffset__", T_PYSSIZET, offsetof (GkTensor, dict), READONLY, NULL },
  { "__weaklistoffset__", T_PYSSIZET, offsetof (GkTensor, weakrefs), READONLY, NULL },
  { NULL, 0, 0, 0, NULL },
};

static PyType_Slot tensor_slots[] = {
  { Py_tp_dealloc, tensor_dealloc },
  { Py_tp_traverse, tensor_traverse },
  { Py_tp_clear, tensor_clear },
  { Py_tp_new, tensor_new },
  { Py_tp_repr, tensor_repr },
  { Py_tp_getattro, tensor_getattro },
  { Py_tp_str, tensor_repr },
  { Py_tp_richcompare, tensor_richcompare },
  { Py_tp_iter, tensor_iter },
  { Py_tp_getset, tensor_getset },
  { Py_tp_methods, tensor_methods },
  { Py_tp_members, tensor_members },
  { Py_tp_hash, tensor_hash },
  { Py_nb_add, nb_add },
  { Py_nb_subtract, nb_sub },
  { Py_nb_multiply, nb_mul },
  { Py_nb_true_divide, nb_div },
  { Py_nb_power, nb_pow },
  { Py_nb_matrix_multiply, nb_matmul },
  { Py_nb_inplace_add, nb_iadd },
  { Py_nb_inplace_subtract, nb_isub },
  { Py_nb_inplace_multiply, nb_imul },
  { Py_nb_inplace_true_divide, nb_idiv },
  { Py_nb_inplace_power, nb_ipow },
  { Py_nb_floor_divide, nb_floor_divide },
  { Py_nb_remainder, nb_remainder },
  { Py_nb_and, nb_bitwise },
  { Py_nb_or, nb_bitwise },
  { Py_nb_xor, nb_bitwise },
  { Py_nb_invert, nb_invert },
  { Py_nb_negative, nb_neg },
  { Py_nb_positive, nb_pos },
  { Py_nb_absolute, nb_abs },
  { Py_nb_bool, nb_bool },
  { Py_nb_float, nb_float },
  { Py_nb_int, nb_int },
  { Py_nb_index, nb_index },
  { Py_mp_subscript, tensor_subscript },
  { Py_mp_ass_subscript, tensor_ass_subscript },
  { Py_mp_length, tensor_length },
  { Py_sq_length, tensor_length },
  { Py_sq_item, tensor_item },
  { Py_bf_getbuffer, tensor_getbuffer },
  { Py_bf_releasebuffer, tensor_releasebuffer },
  { 0, NULL },
};

/* "Tensor" without a module prefix: type errors then say 'Tensor' as
 * PyTorch's do; torch/__init__.py sets __module__ to "torch". */
static PyType_Spec tensor_spec = {
  .name = "Tensor",
  .basicsize = sizeof (GkTensor),
  .itemsize = 0,
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
  .slots = tensor_slots,
};

gboolean
gk_tensor_type_init (PyObject *module)
{
  gk_tensor_type = (PyTypeObject *) PyType_FromSpec (&tensor_spec);
  if (gk_tensor_type == NULL)
    return FALSE;
  return PyModule_AddObjectRef (module, "Tensor", (PyObject *) gk_tensor_type) == 0;
}
