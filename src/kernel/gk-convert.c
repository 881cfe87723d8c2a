/* gk-convert.c - Python values <-> engine tensors, dtypes, shapes, errors */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "gk-private.h"

PyObject *gk_size_type;
PyObject *gk_parameter_type;
static PyObject *device_type;
static PyObject *dtype_objects[GE_N_DTYPES];
static PyObject *linalg_error_type;

PyObject *
gk_raise_error (GError *error)
{
  PyObject *type = PyExc_RuntimeError;

  if (error == NULL)
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_RuntimeError, "internal error: operation failed without a message");
      return NULL;
    }
  if (error->domain == GE_ERROR)
    switch ((GeErrorCode) error->code)
      {
      case GE_ERROR_INDEX:           type = PyExc_IndexError; break;
      case GE_ERROR_TYPE:            type = PyExc_TypeError; break;
      case GE_ERROR_VALUE:           type = PyExc_ValueError; break;
      /* PyTorch reports allocator failures as RuntimeError */
      case GE_ERROR_MEMORY:          type = PyExc_RuntimeError; break;
      case GE_ERROR_NOT_IMPLEMENTED: type = PyExc_NotImplementedError; break;
      case GE_ERROR_INTERRUPTED:     type = PyExc_KeyboardInterrupt; break;
      case GE_ERROR_LINALG:          type = linalg_error_type ? linalg_error_type : PyExc_RuntimeError; break;
      case GE_ERROR_RUNTIME:
      default:                       type = PyExc_RuntimeError; break;
      }
  if (error->domain == GE_ERROR && error->code == GE_ERROR_INTERRUPTED)
    PyErr_SetNone (type);
  else
    PyErr_SetString (type, error->message);
  g_error_free (error);
  return NULL;
}

/* ---- dtypes, sizes, devices ---- */

int
gk_dtype_from_object (PyObject *obj)
{
  if (obj == NULL || obj == Py_None)
    return -1;
  for (int i = 0; i < GE_N_DTYPES; i++)
    if (dtype_objects[i] == obj)
      return i;
  /* Python's float / int / bool types, as torch accepts them */
  if (obj == (PyObject *) &PyFloat_Type)
    return GE_DTYPE_FLOAT64;
  if (obj == (PyObject *) &PyLong_Type)
    return GE_DTYPE_INT64;
  if (obj == (PyObject *) &PyBool_Type)
    return GE_DTYPE_BOOL;
  PyErr_Format (PyExc_TypeError, "expected a torch.dtype, got %s", Py_TYPE (obj)->tp_name);
  return -2;
}

PyObject *
gk_dtype_object (GeDType dtype)
{
  PyObject *obj = dtype_objects[dtype];

  Py_XINCREF (obj);
  if (obj == NULL)
    PyErr_SetString (PyExc_RuntimeError, "torch dtypes are not registered");
  return obj;
}

PyObject *
gk_size_object (int           ndim,
                const gint64 *sizes)
{
  PyObject *tuple = PyTuple_New (ndim);
  PyObject *size;

  if (tuple == NULL)
    return NULL;
  for (int d = 0; d < ndim; d++)
    PyTuple_SET_ITEM (tuple, d, PyLong_FromLongLong (sizes[d]));
  if (gk_size_type == NULL)
    return tuple;
  size = PyObject_CallOneArg (gk_size_type, tuple);
  Py_DECREF (tuple);
  return size;
}

PyObject *
gk_device_object (GeDevice device)
{
  if (device_type == NULL)
    return PyUnicode_FromString (device == GE_DEVICE_CUDA ? "cuda:0" : "cpu");
  if (device == GE_DEVICE_CUDA)
    return PyObject_CallFunction (device_type, "si", "cuda", 0);
  return PyObject_CallFunction (device_type, "s", "cpu");
}

gboolean
gk_parse_shape (PyObject *args,
                int      *ndim,
                gint64   *sizes)
{
  PyObject *seq = args;
  Py_ssize_t n;

  /* f(2, 3) or f((2, 3)) / f([2, 3]) / f(torch.Size) */
  if (PyTuple_Check (args) && PyTuple_GET_SIZE (args) == 1 &&
      PySequence_Check (PyTuple_GET_ITEM (args, 0)) && !GkTensor_Check (PyTuple_GET_ITEM (args, 0)))
    seq = PyTuple_GET_ITEM (args, 0);
  if (!PySequence_Check (seq))
    {
      PyErr_SetString (PyExc_TypeError, "expected a shape: a sequence of ints");
      return FALSE;
    }
  n = PySequence_Size (seq);
  if (n > GE_MAX_DIMS)
    {
      PyErr_Format (PyExc_RuntimeError, "Gradlab supports at most %d dimensions", GE_MAX_DIMS);
      return FALSE;
    }
  for (Py_ssize_t i = 0; i < n; i++)
    {
      PyObject *item = PySequence_GetItem (seq, i);
      PyObject *index;

      if (item == NULL)
        return FALSE;
      index = PyNumber_Index (item);
      if (index == NULL)
        {
          PyErr_Clear ();
          PyErr_Format (PyExc_TypeError,
                        "%s(): argument 'size' must be tuple of ints, but found element of type %s at pos %zd",
                        "view", Py_TYPE (item)->tp_name, i + 1);
          Py_DECREF (item);
          return FALSE;
        }
      sizes[i] = PyLong_AsLongLong (index);
      Py_DECREF (index);
      Py_DECREF (item);
      if (sizes[i] == -1 && PyErr_Occurred ())
        return FALSE;
    }
  *ndim = (int) n;
  return TRUE;
}

/* ---- operands ---- */

GeTensor *
gk_operand (PyObject *obj)
{
  if (GkTensor_Check (obj))
    return ge_tensor_ref (((GkTensor *) obj)->tensor);
  if (PyBool_Check (obj))
    return ge_tensor_wrap_bool (obj == Py_True);
  if (PyLong_Check (obj))
    {
      int overflow = 0;
      long long v = PyLong_AsLongLongAndOverflow (obj, &overflow);
      if (overflow != 0)
        return ge_tensor_wrap_double (PyLong_AsDouble (obj));
      return ge_tensor_wrap_int (v);
    }
  if (PyFloat_Check (obj))
    return ge_tensor_wrap_double (PyFloat_AS_DOUBLE (obj));
  /* numpy scalars and other numbers */
  if (PyIndex_Check (obj) && !PySequence_Check (obj))
    {
      PyObject *index = PyNumber_Index (obj);
      GeTensor *t = index ? ge_tensor_wrap_int (PyLong_AsLongLong (index)) : NULL;
      Py_XDECREF (index);
      PyErr_Clear ();
      return t;
    }
  if (PyNumber_Check (obj) && !PySequence_Check (obj) && Py_TYPE (obj)->tp_as_number->nb_float)
    {
      double v = PyFloat_AsDouble (obj);
      if (v == -1.0 && PyErr_Occurred ())
        {
          PyErr_Clear ();
          return NULL;
        }
      return ge_tensor_wrap_double (v);
    }
  return NULL;
}

/* ---- torch.tensor(data) ---- */

typedef enum { KIND_BOOL, KIND_INT, KIND_FLOAT } Kind;

typedef struct
{
  int     ndim;                 /* -1 until the first scalar */
  gint64  sizes[GE_MAX_DIMS];
  gboolean known[GE_MAX_DIMS];
  GArray *values;               /* double */
  GArray *ints;                 /* gint64, exact */
  Kind    kind;
  int     tensor_dtype;         /* dtype of nested tensors (-1 none) */
} Builder;

static gboolean walk (Builder *b, PyObject *obj, int depth);

static gboolean
add_scalar (Builder  *b,
            PyObject *obj,
            int       depth)
{
  double v;
  gint64 iv = 0;
  Kind kind;

  if (b->ndim < 0)
    b->ndim = depth;
  else if (b->ndim != depth)
    {
      PyErr_Format (PyExc_ValueError, "expected sequence of length %lld at dim %d (got 0)",
                    (long long) b->sizes[depth], depth);
      return FALSE;
    }

  if (PyBool_Check (obj))
    {
      v = obj == Py_True, iv = (gint64) v, kind = KIND_BOOL;
    }
  else if (PyLong_Check (obj))
    {
      int overflow = 0;
      iv = PyLong_AsLongLongAndOverflow (obj, &overflow);
      if (overflow)
        {
          PyErr_SetString (PyExc_RuntimeError, "Overflow when unpacking long");
          return FALSE;
        }
      v = (double) iv, kind = KIND_INT;
    }
  else if (PyFloat_Check (obj))
    v = PyFloat_AS_DOUBLE (obj), kind = KIND_FLOAT;
  else if (GkTensor_Check (obj))
    {
      GeTensor *t = ((GkTensor *) obj)->tensor;
      GeDType dt = ge_tensor_get_dtype (t);
      if (ge_tensor_numel (t) != 1 || ge_tensor_get_ndim (t) != 0)
        {
          PyErr_SetString (PyExc_ValueError,
                           "only one element tensors can be converted to Python scalars");
          return FALSE;
        }
      v = ge_tensor_get_flat (t, 0);
      iv = dt == GE_DTYPE_INT64 ? *(gint64 *) ge_tensor_data_ptr (t) : (gint64) v;
      kind = dt == GE_DTYPE_BOOL ? KIND_BOOL : dt == GE_DTYPE_INT64 ? KIND_INT : KIND_FLOAT;
      b->tensor_dtype = MAX (b->tensor_dtype, (int) dt);
    }
  else if (PyIndex_Check (obj))
    {
      PyObject *index = PyNumber_Index (obj);
      if (index == NULL)
        return FALSE;
      iv = PyLong_AsLongLong (index);
      Py_DECREF (index);
      v = (double) iv, kind = KIND_INT;
    }
  else if (PyNumber_Check (obj) && Py_TYPE (obj)->tp_as_number->nb_float)
    {
      v = PyFloat_AsDouble (obj);
      if (v == -1.0 && PyErr_Occurred ())
        return FALSE;
      kind = KIND_FLOAT;
    }
  else
    {
      PyErr_Format (PyExc_TypeError, "new(): invalid data type '%s'", Py_TYPE (obj)->tp_name);
      return FALSE;
    }

  b->kind = MAX (b->kind, kind);
  g_array_append_val (b->values, v);
  g_array_append_val (b->ints, iv);
  return TRUE;
}

static gboolean
walk (Builder  *b,
      PyObject *obj,
      int       depth)
{
  PyObject *fast;
  Py_ssize_t n;

  if (GkTensor_Check (obj) && ge_tensor_get_ndim (((GkTensor *) obj)->tensor) > 0)
    {
      /* a tensor inside a list: walk its values as nested lists */
      PyObject *list = PyObject_CallMethod (obj, "tolist", NULL);
      gboolean ok;
      GeDType dt = ge_tensor_get_dtype (((GkTensor *) obj)->tensor);
      if (list == NULL)
        return FALSE;
      b->tensor_dtype = MAX (b->tensor_dtype, (int) dt);
      ok = walk (b, list, depth);
      Py_DECREF (list);
      return ok;
    }
  if (!PyList_Check (obj) && !PyTuple_Check (obj))
    {
      if (PySequence_Check (obj) && !PyUnicode_Check (obj) && !PyBytes_Check (obj) &&
          PyObject_HasAttrString (obj, "__len__") && !PyNumber_Check (obj))
        ;   /* other sequences below */
      else
        return add_scalar (b, obj, depth);
    }
  if (depth >= GE_MAX_DIMS)
    {
      PyErr_Format (PyExc_ValueError, "Gradlab supports at most %d dimensions", GE_MAX_DIMS);
      return FALSE;
    }
  if (b->ndim >= 0 && depth >= b->ndim)
    {
      PyErr_Format (PyExc_ValueError, "expected sequence of length %lld at dim %d (got %zd)",
                    (long long) 0, depth, PySequence_Size (obj));
      return FALSE;
    }

  fast = PySequence_Fast (obj, "expected a sequence");
  if (fast == NULL)
    return FALSE;
  n = PySequence_Fast_GET_SIZE (fast);
  if (!b->known[depth])
    {
      b->known[depth] = TRUE;
      b->sizes[depth] = n;
    }
  else if (b->sizes[depth] != n)
    {
      PyErr_Format (PyExc_ValueError, "expected sequence of length %lld at dim %d (got %zd)",
                    (long long) b->sizes[depth], depth, n);
      Py_DECREF (fast);
      return FALSE;
    }
  for (Py_ssize_t i = 0; i < n; i++)
    if (!walk (b, PySequence_Fast_GET_ITEM (fast, i), depth + 1))
      {
        Py_DECREF (fast);
        return FALSE;
      }
  if (n == 0 && b->ndim < 0)
    b->ndim = depth + 1;
  Py_DECREF (fast);
  return TRUE;
}

/* numpy arrays and other buffer exporters */
static GeTensor *
from_buffer (PyObject *obj,
             int       dtype)
{
  Py_buffer view;
  GeDType src;
  gint64 sizes[GE_MAX_DIMS];
  g_autoptr(GeTensor) out = NULL;
  g_autoptr(GeTensor) converted = NULL;
  GError *error = NULL;
  char fmt;

  if (PyObject_GetBuffer (obj, &view, PyBUF_RECORDS_RO) < 0)
    return NULL;
  fmt = view.format ? view.format[strlen (view.format) - 1] : 'B';
  switch (fmt)
    {
    case 'f': src = GE_DTYPE_FLOAT32; break;
    case 'd': src = GE_DTYPE_FLOAT64; break;
    case '?': src = GE_DTYPE_BOOL; break;
    case 'l': case 'q': src = GE_DTYPE_INT64; break;
    default:
      PyBuffer_Release (&view);
      PyErr_Format (PyExc_TypeError,
                    "can't convert np.ndarray of this type (format '%s'); the only supported "
                    "types are: float64, float32, int64 and bool.", view.format);
      return NULL;
    }
  if (view.ndim > GE_MAX_DIMS || (int) ge_dtype_size (src) != view.itemsize)
    {
      PyBuffer_Release (&view);
      PyErr_SetString (PyExc_TypeError, "unsupported array layout");
      return NULL;
    }
  for (int d = 0; d < view.ndim; d++)
    sizes[d] = view.shape[d];
  out = ge_tensor_empty (view.ndim, sizes, src, &error);
  if (out != NULL)
    {
      /* copy element by element through the array's strides */
      gint64 n = ge_tensor_numel (out), index[GE_MAX_DIMS] = { 0 };
      char *dst = ge_tensor_data_ptr (out);
      for (gint64 i = 0; i < n; i++)
        {
          const char *p = view.buf;
          for (int d = 0; d < view.ndim; d++)
            p += index[d] * view.strides[d];
          memcpy (dst + i * view.itemsize, p, view.itemsize);
          for (int d = view.ndim - 1; d >= 0; d--)
            {
              if (++index[d] < sizes[d])
                break;
              index[d] = 0;
            }
        }
    }
  PyBuffer_Release (&view);
  if (out == NULL)
    {
      gk_raise_error (error);
      return NULL;
    }
  if (dtype < 0 || dtype == (int) src)
    return g_steal_pointer (&out);
  converted = ge_tensor_to_dtype (out, dtype, &error);
  if (converted == NULL)
    gk_raise_error (error);
  return g_steal_pointer (&converted);
}

GeTensor *
gk_tensor_from_data (PyObject *data,
                     int       dtype)
{
  Builder b = { 0 };
  GeTensor *t = NULL;
  GError *error = NULL;

  if (PyObject_CheckBuffer (data) && !PyBytes_Check (data) && !GkTensor_Check (data))
    return from_buffer (data, dtype);

  b.ndim = -1;
  b.kind = KIND_BOOL;
  b.tensor_dtype = -1;
  b.values = g_array_new (FALSE, FALSE, sizeof (double));
  b.ints = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!walk (&b, data, 0))
    goto out;

  if (dtype < 0)
    {
      if (b.tensor_dtype >= 0 && b.values->len > 0 && b.kind != KIND_FLOAT)
        dtype = b.tensor_dtype;
      else if (b.tensor_dtype == GE_DTYPE_FLOAT64 && b.kind == KIND_FLOAT)
        dtype = GE_DTYPE_FLOAT64;
      else if (b.values->len == 0 || b.kind == KIND_FLOAT)
        dtype = GE_DTYPE_FLOAT32;
      else if (b.kind == KIND_INT)
        dtype = GE_DTYPE_INT64;
      else
        dtype = GE_DTYPE_BOOL;
    }

  t = ge_tensor_empty (MAX (b.ndim, 0), b.sizes, dtype, &error);
  if (t == NULL)
    {
      gk_raise_error (error);
      goto out;
    }
  {
    char *p = ge_tensor_data_ptr (t);
    gsize elem = ge_dtype_size (dtype);
    for (guint i = 0; i < b.values->len; i++)
      {
        double v = g_array_index (b.values, double, i);
        switch (dtype)
          {
          case GE_DTYPE_INT64:
            *(gint64 *) (p + i * elem) = b.kind == KIND_FLOAT ? (gint64) v : g_array_index (b.ints, gint64, i);
            break;
          case GE_DTYPE_FLOAT32:
            *(float *) (p + i * elem) = (float) v;
            break;
          case GE_DTYPE_FLOAT64:
            *(double *) (p + i * elem) = v;
            break;
          case GE_DTYPE_BOOL:
          default:
            *(guint8 *) (p + i * elem) = v != 0.0;
            break;
          }
      }
  }

out:
  g_array_unref (b.values);
  g_array_unref (b.ints);
  return t;
}

/* torch/__init__.py hands us its Python-level types and dtype objects */
static PyObject *
register_types (PyObject *self,
                PyObject *args,
                PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "dtypes", (char *) "Size", (char *) "device", (char *) "LinAlgError", NULL };
  PyObject *dtypes, *size, *device, *linalg_error;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "OOOO", kwlist, &dtypes, &size, &device, &linalg_error))
    return NULL;
  if (!PyTuple_Check (dtypes) || PyTuple_GET_SIZE (dtypes) != GE_N_DTYPES)
    {
      PyErr_SetString (PyExc_TypeError, "dtypes must be a tuple (bool, int64, float32, float64)");
      return NULL;
    }
  for (int i = 0; i < GE_N_DTYPES; i++)
    {
      Py_XSETREF (dtype_objects[i], Py_NewRef (PyTuple_GET_ITEM (dtypes, i)));
    }
  Py_XSETREF (gk_size_type, Py_NewRef (size));
  Py_XSETREF (device_type, Py_NewRef (device));
  Py_XSETREF (linalg_error_type, Py_NewRef (linalg_error));
  Py_RETURN_NONE;
}

static PyObject *
register_parameter (PyObject *self,
                    PyObject *type)
{
  Py_XSETREF (gk_parameter_type, Py_NewRef (type));
  Py_RETURN_NONE;
}

static PyMethodDef convert_methods[] = {
  { "_register_types", (PyCFunction) (void (*) (void)) register_types, METH_VARARGS | METH_KEYWORDS, NULL },
  { "_register_parameter", register_parameter, METH_O, NULL },
  { NULL, NULL, 0, NULL },
};

gboolean
gk_convert_init (PyObject *module)
{
  return PyModule_AddFunctions (module, convert_methods) == 0;
}
