/* gk-convert.c - Python values <-> engine tensors, dtypes, shapes, errors, arguments */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "gk-private.h"

PyObject *gk_size_type;
PyObject *gk_parameter_type;
PyObject *gk_return_types[3];
static PyObject *device_type;
static PyObject *cpu_device;
static PyObject *dtype_objects[GE_N_DTYPES];
static PyObject *linalg_error_type;

/* ---- errors ---- */

PyObject *
gk_raise (GError **error)
{
  PyObject *type = PyExc_RuntimeError;
  GError *e = error != NULL ? *error : NULL;

  if (e == NULL)
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_RuntimeError, "internal error: operation failed without a message");
      return NULL;
    }
  /* An exception raised by Python code the engine called (a custom
   * autograd.Function) travels as is, as in PyTorch. */
  if (PyErr_Occurred ())
    {
      g_clear_error (error);
      return NULL;
    }
  if (e->domain == GE_ERROR)
    switch ((GeErrorCode) e->code)
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
  if (e->domain == GE_ERROR && e->code == GE_ERROR_INTERRUPTED)
    PyErr_SetNone (type);
  else
    PyErr_SetString (type, e->message);
  g_clear_error (error);
  return NULL;
}

PyObject *
gk_raise_error (GError *error)
{
  return gk_raise (&error);
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
  PyErr_Format (PyExc_TypeError, "expected a torch.dtype, but got %s", Py_TYPE (obj)->tp_name);
  return -2;
}

PyObject *
gk_dtype_object (GeDType dtype)
{
  PyObject *obj = dtype_objects[dtype];

  if (obj == NULL)
    {
      PyErr_SetString (PyExc_RuntimeError, "torch dtypes are not registered");
      return NULL;
    }
  return Py_NewRef (obj);
}

const char *
gk_tensor_type_name (GeDType dtype)
{
  switch (dtype)
    {
    case GE_DTYPE_BOOL:    return "BoolTensor";
    case GE_DTYPE_INT64:   return "LongTensor";
    case GE_DTYPE_FLOAT64: return "DoubleTensor";
    case GE_DTYPE_FLOAT32:
    default:               return "FloatTensor";
    }
}

PyObject *
gk_size_object (int           ndim,
                const gint64 *sizes)
{
  /* torch.Size is a tuple subclass without a __dict__: fill one directly
   * (x.shape runs in loops) */
  PyObject *size = gk_size_type != NULL ? ((PyTypeObject *) gk_size_type)->tp_alloc ((PyTypeObject *) gk_size_type, ndim)
                                        : PyTuple_New (ndim);

  if (size == NULL)
    return NULL;
  for (int d = 0; d < ndim; d++)
    {
      PyObject *v = PyLong_FromLongLong (sizes[d]);
      if (v == NULL)
        {
          Py_DECREF (size);
          return NULL;
        }
      PyTuple_SET_ITEM (size, d, v);
    }
  return size;
}

PyObject *
gk_device_object (GeDevice device)
{
  if (device_type == NULL)
    return PyUnicode_FromString (device == GE_DEVICE_CUDA ? "cuda:0" : "cpu");
  if (device == GE_DEVICE_CUDA)
    return PyObject_CallFunction (device_type, "si", "cuda", 0);
  return Py_NewRef (cpu_device);
}

gboolean
gk_check_device (PyObject   *device,
                 const char *op)
{
  PyObject *obj, *type_obj;
  const char *type;
  gboolean ok = FALSE;

  if (device == NULL || device == Py_None)
    return TRUE;
  if (device == cpu_device)
    return TRUE;
  /* torch.device() validates strings and indices with PyTorch's errors */
  if (device_type != NULL && PyObject_TypeCheck (device, (PyTypeObject *) device_type))
    obj = Py_NewRef (device);
  else if (device_type != NULL)
    obj = PyObject_CallOneArg (device_type, device);
  else
    obj = PyObject_Str (device);
  if (obj == NULL)
    return FALSE;
  type_obj = PyUnicode_Check (obj) ? Py_NewRef (obj) : PyObject_GetAttrString (obj, "type");
  if (type_obj == NULL || (type = PyUnicode_AsUTF8 (type_obj)) == NULL)
    goto out;
  if (g_str_equal (type, "cpu") || g_str_has_prefix (type, "cpu:"))
    ok = TRUE;
  else if (g_str_has_prefix (type, "cuda"))
    PyErr_SetString (PyExc_AssertionError, "Torch not compiled with CUDA enabled");
  else
    {
      g_autofree char *backend = g_ascii_strup (type, -1);
      PyErr_Format (PyExc_NotImplementedError,
                    "Could not run 'aten::%s' with arguments from the '%s' backend. This could be "
                    "because the operator doesn't exist for this backend, or was omitted during the "
                    "selective/custom build process (if using custom build). If you are a Facebook "
                    "employee using PyTorch on mobile, please visit https://fburl.com/ptmfixes for "
                    "possible resolutions. 'aten::%s' is only available for these backends: [CPU].",
                    op, backend, op);
    }
out:
  Py_XDECREF (type_obj);
  Py_DECREF (obj);
  return ok;
}

/* ---- arguments ---- */

gboolean
gk_parse_int (PyObject *obj,
              int      *value)
{
  long v;

  if (PyFloat_Check (obj) || (GkTensor_Check (obj) && ge_dtype_is_floating (ge_tensor_get_dtype (GK_TENSOR (obj)))))
    {
      PyErr_Format (PyExc_TypeError, "argument 'dim' must be int, not %s", Py_TYPE (obj)->tp_name);
      return FALSE;
    }
  v = PyLong_AsLong (obj);
  if (v == -1 && PyErr_Occurred ())
    {
      if (PyErr_ExceptionMatches (PyExc_TypeError))
        {
          PyErr_Clear ();
          PyErr_Format (PyExc_TypeError, "argument 'dim' must be int, not %s", Py_TYPE (obj)->tp_name);
        }
      return FALSE;
    }
  *value = (int) CLAMP (v, G_MININT, G_MAXINT);
  return TRUE;
}

gboolean
gk_parse_dims (PyObject *obj,
               int      *n,
               int      *dims)
{
  *n = 0;
  if (obj == NULL || obj == Py_None)
    return TRUE;
  if (PyTuple_Check (obj) || PyList_Check (obj))
    {
      Py_ssize_t k = PySequence_Fast_GET_SIZE (obj);
      if (k > GE_MAX_DIMS)
        {
          PyErr_SetString (PyExc_RuntimeError, "too many dims");
          return FALSE;
        }
      for (Py_ssize_t i = 0; i < k; i++)
        if (!gk_parse_int (PySequence_Fast_GET_ITEM (obj, i), &dims[i]))
          return FALSE;
      *n = (int) k;
      return TRUE;
    }
  *n = 1;
  return gk_parse_int (obj, &dims[0]);
}

int
gk_parse_bool (PyObject *obj,
               gboolean  fallback)
{
  if (obj == NULL)
    return fallback;
  return PyObject_IsTrue (obj);
}

gboolean
gk_parse_args (const char       *fname,
               PyObject         *const *args,
               Py_ssize_t        nargs,
               PyObject         *kwnames,
               const char *const *names,
               int               n_names,
               int               n_required,
               PyObject        **values)
{
  int n_positional = 0;

  while (n_positional < n_names && names[n_positional][0] != '$')
    n_positional++;
  for (int i = 0; i < n_names; i++)
    values[i] = NULL;
  if (nargs > n_positional)
    {
      PyErr_Format (PyExc_TypeError, "%s() takes %s %d positional argument%s but %zd were given",
                    fname, n_required == n_positional ? "exactly" : "at most", n_positional,
                    n_positional == 1 ? "" : "s", nargs);
      return FALSE;
    }
  for (Py_ssize_t i = 0; i < nargs; i++)
    values[i] = args[i];
  if (kwnames != NULL)
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE (kwnames); k++)
      {
        const char *key = PyUnicode_AsUTF8 (PyTuple_GET_ITEM (kwnames, k));
        int i;

        if (key == NULL)
          return FALSE;
        for (i = 0; i < n_names; i++)
          {
            const char *name = names[i][0] == '$' ? names[i] + 1 : names[i];
            if (strcmp (name, key) == 0)
              break;
          }
        if (i == n_names)
          {
            PyErr_Format (PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", fname, key);
            return FALSE;
          }
        if (values[i] != NULL)
          {
            PyErr_Format (PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, key);
            return FALSE;
          }
        values[i] = args[nargs + k];
      }
  for (int i = 0; i < n_required; i++)
    if (values[i] == NULL)
      {
        PyErr_Format (PyExc_TypeError, "%s() missing 1 required positional arguments: \"%s\"",
                      fname, names[i]);
        return FALSE;
      }
  return TRUE;
}

gboolean
gk_parse_shape (const char  *fname,
                PyObject    *const *args,
                Py_ssize_t   nargs,
                int         *ndim,
                gint64      *sizes)
{
  PyObject *const *items = args;
  Py_ssize_t n = nargs;
  PyObject *fast = NULL;

  /* f(2, 3), or one sequence: f((2, 3)), f([2, 3]), f(torch.Size([2, 3])) */
  if (nargs == 1 && (PyTuple_Check (args[0]) || PyList_Check (args[0])))
    {
      fast = Py_NewRef (args[0]);
      items = PySequence_Fast_ITEMS (fast);
      n = PySequence_Fast_GET_SIZE (fast);
    }
  if (n > GE_MAX_DIMS)
    {
      Py_XDECREF (fast);
      PyErr_Format (PyExc_RuntimeError, "Gradlab supports at most %d dimensions", GE_MAX_DIMS);
      return FALSE;
    }
  for (Py_ssize_t i = 0; i < n; i++)
    {
      PyObject *item = items[i];

      if (PyLong_CheckExact (item))
        sizes[i] = PyLong_AsLongLong (item);
      else if (PyFloat_Check (item) || PyBool_Check (item) || !PyIndex_Check (item))
        {
          if (fast == NULL && nargs == 1)
            PyErr_Format (PyExc_TypeError, "%s(): argument 'size' (position 1) must be tuple of SymInts, not %s",
                          fname, Py_TYPE (item)->tp_name);
          else
            PyErr_Format (PyExc_TypeError,
                          "%s(): argument 'size' must be tuple of SymInts, but found element of type %s at pos %zd",
                          fname, Py_TYPE (item)->tp_name, i + 1);
          Py_XDECREF (fast);
          return FALSE;
        }
      else
        {
          PyObject *index = PyNumber_Index (item);
          if (index == NULL)
            {
              Py_XDECREF (fast);
              return FALSE;
            }
          sizes[i] = PyLong_AsLongLong (index);
          Py_DECREF (index);
        }
      if (sizes[i] == -1 && PyErr_Occurred ())
        {
          Py_XDECREF (fast);
          return FALSE;
        }
    }
  Py_XDECREF (fast);
  *ndim = (int) n;
  return TRUE;
}

/* ---- operands ---- */

GeTensor *
gk_operand (PyObject *obj)
{
  if (GkTensor_Check (obj))
    return ge_tensor_ref (GK_TENSOR (obj));
  if (PyFloat_CheckExact (obj))
    return ge_tensor_wrap_double (PyFloat_AS_DOUBLE (obj));
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
  /* numpy scalars and other numbers (never sequences or strings) */
  if (PySequence_Check (obj) || PyUnicode_Check (obj))
    return NULL;
  if (PyIndex_Check (obj))
    {
      PyObject *index = PyNumber_Index (obj);
      GeTensor *t = index ? ge_tensor_wrap_int (PyLong_AsLongLong (index)) : NULL;
      Py_XDECREF (index);
      PyErr_Clear ();
      return t;
    }
  if (Py_TYPE (obj)->tp_as_number != NULL && Py_TYPE (obj)->tp_as_number->nb_float != NULL)
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
  int      ndim;                 /* -1 until the first scalar */
  gint64   sizes[GE_MAX_DIMS];
  gboolean known[GE_MAX_DIMS];
  GArray  *values;               /* double */
  GArray  *ints;                 /* gint64, exact */
  Kind     kind;
  int      tensor_dtype;         /* highest dtype of nested tensors (-1 none) */
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
      GeTensor *t = GK_TENSOR (obj);
      GeDType dt = ge_tensor_get_dtype (t);
      g_autoptr(GeTensor) host = NULL;
      GError *error = NULL;

      /* a tensor on a GPU is read through a host copy */
      if (ge_tensor_get_device (t) != GE_DEVICE_CPU)
        {
          host = ge_tensor_cpu (t, &error);
          if (host == NULL)
            {
              gk_raise_error (error);
              return FALSE;
            }
          t = host;
        }
      v = ge_tensor_get_flat (t, 0);
      iv = dt == GE_DTYPE_INT64 ? *(gint64 *) ge_tensor_data_ptr (t) : (gint64) v;
      kind = dt == GE_DTYPE_BOOL ? KIND_BOOL : dt == GE_DTYPE_INT64 ? KIND_INT : KIND_FLOAT;
      b->tensor_dtype = MAX (b->tensor_dtype, (int) dt);
    }
  else if (PyIndex_Check (obj) && !PyUnicode_Check (obj))
    {
      PyObject *index = PyNumber_Index (obj);
      if (index == NULL)
        return FALSE;
      iv = PyLong_AsLongLong (index);
      Py_DECREF (index);
      v = (double) iv, kind = KIND_INT;
    }
  else if (!PyUnicode_Check (obj) && Py_TYPE (obj)->tp_as_number != NULL &&
           Py_TYPE (obj)->tp_as_number->nb_float != NULL)
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

  if (GkTensor_Check (obj) && ge_tensor_get_ndim (GK_TENSOR (obj)) > 0)
    {
      /* a tensor inside a list: walk its values as nested lists */
      PyObject *list = PyObject_CallMethod (obj, "tolist", NULL);
      gboolean ok;

      if (list == NULL)
        return FALSE;
      b->tensor_dtype = MAX (b->tensor_dtype, (int) ge_tensor_get_dtype (GK_TENSOR (obj)));
      ok = walk (b, list, depth);
      Py_DECREF (list);
      return ok;
    }
  if (!PyList_Check (obj) && !PyTuple_Check (obj))
    {
      if (GkTensor_Check (obj) || PyUnicode_Check (obj) || PyBytes_Check (obj) || !PySequence_Check (obj))
        return add_scalar (b, obj, depth);
    }
  if (depth >= GE_MAX_DIMS)
    {
      PyErr_Format (PyExc_ValueError, "Gradlab supports at most %d dimensions", GE_MAX_DIMS);
      return FALSE;
    }
  fast = PySequence_Fast (obj, "expected a sequence");
  if (fast == NULL)
    return FALSE;
  n = PySequence_Fast_GET_SIZE (fast);
  if (b->ndim >= 0 && depth >= b->ndim)
    {
      PyErr_Format (PyExc_ValueError, "expected sequence of length %lld at dim %d (got %zd)",
                    (long long) 0, depth, n);
      Py_DECREF (fast);
      return FALSE;
    }
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

/* numpy's type name for the error about unsupported arrays: "numpy.str_" */
static char *
numpy_type_name (PyObject *obj)
{
  PyObject *dtype = PyObject_GetAttrString (obj, "dtype");
  PyObject *type = dtype ? PyObject_GetAttrString (dtype, "type") : NULL;
  PyObject *module = type ? PyObject_GetAttrString (type, "__module__") : NULL;
  PyObject *name = type ? PyObject_GetAttrString (type, "__name__") : NULL;
  char *text = NULL;

  if (module != NULL && name != NULL && PyUnicode_Check (module) && PyUnicode_Check (name))
    text = g_strdup_printf ("%s.%s", PyUnicode_AsUTF8 (module), PyUnicode_AsUTF8 (name));
  PyErr_Clear ();
  Py_XDECREF (dtype);
  Py_XDECREF (type);
  Py_XDECREF (module);
  Py_XDECREF (name);
  return text ? text : g_strdup ("unknown");
}

/* numpy arrays (and scalars) and other buffer exporters: a copy */
static GeTensor *
from_buffer (PyObject *obj,
             int       dtype)
{
  Py_buffer view;
  GeDType src;
  gint64 sizes[GE_MAX_DIMS];
  g_autoptr(GeTensor) out = NULL;
  GError *error = NULL;
  const char *fmt, *missing = NULL;

  if (PyObject_GetBuffer (obj, &view, PyBUF_RECORDS_RO) < 0)
    return NULL;
  fmt = view.format ? view.format : "B";
  if (fmt[0] == '<' || fmt[0] == '=' || fmt[0] == '@')
    fmt++;
  if (g_str_equal (fmt, "f"))
    src = GE_DTYPE_FLOAT32;
  else if (g_str_equal (fmt, "d"))
    src = GE_DTYPE_FLOAT64;
  else if (g_str_equal (fmt, "?"))
    src = GE_DTYPE_BOOL;
  else if ((g_str_equal (fmt, "l") || g_str_equal (fmt, "q")) && view.itemsize == 8)
    src = GE_DTYPE_INT64;
  else
    {
      if (g_str_equal (fmt, "i") || (g_str_equal (fmt, "l") && view.itemsize == 4))
        missing = "int32";
      else if (g_str_equal (fmt, "h"))
        missing = "int16";
      else if (g_str_equal (fmt, "b"))
        missing = "int8";
      else if (g_str_equal (fmt, "B"))
        missing = "uint8";
      else if (g_str_equal (fmt, "e"))
        missing = "float16";
      else if (g_str_equal (fmt, "Zf"))
        missing = "complex64";
      else if (g_str_equal (fmt, "Zd"))
        missing = "complex128";
      PyBuffer_Release (&view);
      if (missing != NULL)
        PyErr_Format (PyExc_NotImplementedError, "torch.%s is not available in Gradlab yet", missing);
      else
        {
          g_autofree char *name = numpy_type_name (obj);
          PyErr_Format (PyExc_TypeError,
                        "can't convert np.ndarray of type %s. The only supported types are: float64, "
                        "float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.",
                        name);
        }
      return NULL;
    }
  if (view.ndim > GE_MAX_DIMS)
    {
      PyBuffer_Release (&view);
      PyErr_Format (PyExc_ValueError, "Gradlab supports at most %d dimensions", GE_MAX_DIMS);
      return NULL;
    }
  for (int d = 0; d < view.ndim; d++)
    sizes[d] = view.shape[d];
  out = ge_tensor_empty (view.ndim, sizes, src, &error);
  if (out != NULL)
    {
      /* element by element through the array's strides */
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
      gk_raise (&error);
      return NULL;
    }
  if (dtype < 0 || dtype == (int) src)
    return g_steal_pointer (&out);
  {
    GeTensor *converted = ge_tensor_to_dtype (out, dtype, &error);
    if (converted == NULL)
      gk_raise (&error);
    return converted;
  }
}

GeTensor *
gk_tensor_from_data (PyObject *data,
                     int       dtype)
{
  Builder b = { 0 };
  GeTensor *t = NULL;
  GError *error = NULL;

  if (!GkTensor_Check (data) && !PyBytes_Check (data) && !PyByteArray_Check (data) &&
      PyObject_CheckBuffer (data))
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
      /* PyTorch infers from Python scalars (float -> float32, int -> int64,
       * bool) and from tensors inside the data (their dtype). */
      int kind_dtype = b.kind == KIND_FLOAT ? GE_DTYPE_FLOAT32 : b.kind == KIND_INT ? GE_DTYPE_INT64 : GE_DTYPE_BOOL;

      dtype = b.values->len == 0 ? GE_DTYPE_FLOAT32 : MAX (kind_dtype, b.tensor_dtype);
    }

  t = ge_tensor_empty (MAX (b.ndim, 0), b.sizes, dtype, &error);
  if (t == NULL)
    {
      gk_raise (&error);
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

/* ---- registration of the torch package's Python-level types ---- */

static PyObject *
register_types (PyObject *self,
                PyObject *args,
                PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "dtypes", (char *) "Size", (char *) "device", (char *) "LinAlgError",
                            (char *) "return_types", NULL };
  PyObject *dtypes, *size, *device, *linalg_error, *return_types;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O!OOOO!", kwlist, &PyTuple_Type, &dtypes, &size, &device,
                                    &linalg_error, &PyTuple_Type, &return_types))
    return NULL;
  if (PyTuple_GET_SIZE (dtypes) != GE_N_DTYPES || PyTuple_GET_SIZE (return_types) != 3)
    {
      PyErr_SetString (PyExc_TypeError, "dtypes: (bool, int64, float32, float64); return_types: (max, min, sort)");
      return NULL;
    }
  for (int i = 0; i < GE_N_DTYPES; i++)
    Py_XSETREF (dtype_objects[i], Py_NewRef (PyTuple_GET_ITEM (dtypes, i)));
  for (int i = 0; i < 3; i++)
    Py_XSETREF (gk_return_types[i], Py_NewRef (PyTuple_GET_ITEM (return_types, i)));
  Py_XSETREF (gk_size_type, Py_NewRef (size));
  Py_XSETREF (device_type, Py_NewRef (device));
  Py_XSETREF (linalg_error_type, Py_NewRef (linalg_error));
  Py_XSETREF (cpu_device, PyObject_CallFunction (device_type, "s", "cpu"));
  if (cpu_device == NULL)
    return NULL;
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
