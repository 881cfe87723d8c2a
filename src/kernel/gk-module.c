/* gk-module.c - the _gradlab extension module: factories, autograd, nn functional */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "gk-private.h"

#define ARGS PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames

static PyObject *
take (GeTensor  *t,
      GError   **error)
{
  return gk_tensor_take (t, error);
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

/* @t (consumed) moved to @device (-1: stays), then made a leaf that
 * requires grad if asked: "create, then move" for the factories the
 * engine makes on the CPU only. */
static PyObject *
finish_factory_on (GeTensor  *t,
                   int        device,
                   GError   **error,
                   int        requires_grad)
{
  if (t != NULL && device >= 0 && (GeDevice) device != ge_tensor_get_device (t))
    {
      GeTensor *moved = ge_tensor_to_device (t, (GeDevice) device, error);

      ge_tensor_unref (t);
      t = moved;
    }
  if (t == NULL)
    return gk_raise (error);
  if (requires_grad && !ge_tensor_set_requires_grad (t, TRUE, error))
    {
      ge_tensor_unref (t);
      return gk_raise (error);
    }
  return take (t, NULL);
}

static PyObject *
finish_factory (GeTensor  *t,
                GError   **error,
                int        requires_grad)
{
  return finish_factory_on (t, -1, error, requires_grad);
}

/* ---- factories ---- */

/* The keyword arguments every factory takes. */
typedef struct
{
  int dtype;          /* -1: infer */
  int device;         /* -1: not given (the CPU, or a *_like input's device) */
  int requires_grad;
} FactoryOptions;

static gboolean
factory_options (const char     *fname,
                 const char     *op,
                 PyObject      **v,
                 FactoryOptions *options)
{
  /* v: out, dtype, layout, device, requires_grad, pin_memory */
  if (!not_out (fname, v[0]))
    return FALSE;
  if ((options->dtype = gk_dtype_from_object (v[1])) < -1)
    return FALSE;
  if ((options->device = gk_device_arg (v[3], op)) < -1)
    return FALSE;
  if ((options->requires_grad = gk_parse_bool (v[4], FALSE)) < 0)
    return FALSE;
  return TRUE;
}

typedef enum { FILL_ZEROS, FILL_ONES, FILL_EMPTY, FILL_RAND, FILL_RANDN, FILL_FULL } Fill;

static GeTensor *
make_filled (Fill           fill,
             int            ndim,
             const gint64  *sizes,
             GeDType        dtype,
             double         value,
             GError       **error)
{
  switch (fill)
    {
    case FILL_ZEROS:
    case FILL_EMPTY: return ge_tensor_zeros (ndim, sizes, dtype, error);
    case FILL_ONES:  return ge_tensor_ones (ndim, sizes, dtype, error);
    case FILL_RAND:  return ge_tensor_rand (ndim, sizes, dtype, NULL, error);
    case FILL_RANDN: return ge_tensor_randn (ndim, sizes, dtype, NULL, error);
    case FILL_FULL:
    default:         return ge_tensor_full (ndim, sizes, value, dtype, error);
    }
}

/* make_filled on CUDA: made there directly, random values from the CUDA
 * generator as in PyTorch (the CPU generator's stream is not used). */
static GeTensor *
make_filled_on (int            device,
                Fill           fill,
                int            ndim,
                const gint64  *sizes,
                GeDType        dtype,
                double         value,
                GError       **error)
{
  if (device != GE_DEVICE_CUDA)
    return make_filled (fill, ndim, sizes, dtype, value, error);
  switch (fill)
    {
    case FILL_ZEROS:
    case FILL_EMPTY: return ge_tensor_zeros_on (GE_DEVICE_CUDA, ndim, sizes, dtype, error);
    case FILL_ONES:  return ge_tensor_ones_on (GE_DEVICE_CUDA, ndim, sizes, dtype, error);
    case FILL_RAND:  return ge_tensor_rand_on (GE_DEVICE_CUDA, ndim, sizes, dtype, NULL, error);
    case FILL_RANDN: return ge_tensor_randn_on (GE_DEVICE_CUDA, ndim, sizes, dtype, NULL, error);
    case FILL_FULL:
    default:         return ge_tensor_full_on (GE_DEVICE_CUDA, ndim, sizes, value, dtype, error);
    }
}

static gboolean
check_random_dtype (const char *fname,
                    int         dtype)
{
  if (dtype == GE_DTYPE_INT64 || dtype == GE_DTYPE_BOOL)
    {
      PyErr_Format (PyExc_RuntimeError, "\"%s\" not implemented for '%s'",
                    g_str_equal (fname, "randn") ? "normal_kernel_cpu" : "check_uniform_bounds",
                    dtype == GE_DTYPE_INT64 ? "Long" : "Bool");
      return FALSE;
    }
  return TRUE;
}

/* zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False) */
static PyObject *
sized_factory (const char *fname,
               Fill        fill,
               ARGS)
{
  static const char *const names[] = { "$out", "$dtype", "$layout", "$device", "$requires_grad",
                                       "$pin_memory", "$generator", "$memory_format", "$size" };
  PyObject *v[G_N_ELEMENTS (names)];
  gint64 sizes[GE_MAX_DIMS];
  FactoryOptions options;
  GError *error = NULL;
  int ndim, dtype;

  if (!gk_parse_args (fname, args + nargs, 0, kwnames, names, G_N_ELEMENTS (names), 0, v))
    return NULL;
  if (!factory_options (fname, "empty.memory_format", v, &options))
    return NULL;
  if (v[6] != NULL && v[6] != Py_None)
    {
      PyErr_Format (PyExc_NotImplementedError, "torch.%s(generator=...) is not available in Gradlab yet", fname);
      return NULL;
    }
  if (v[8] != NULL)
    {
      if (nargs > 0)
        {
          PyErr_Format (PyExc_TypeError, "%s() got multiple values for argument 'size'", fname);
          return NULL;
        }
      args = &v[8];
      nargs = 1;
    }
  if (!gk_parse_shape (fname, args, nargs, &ndim, sizes))
    return NULL;
  dtype = options.dtype < 0 ? GE_DTYPE_FLOAT32 : options.dtype;
  if ((fill == FILL_RAND || fill == FILL_RANDN) && !check_random_dtype (fname, dtype))
    return NULL;
  return finish_factory (make_filled_on (options.device, fill, ndim, sizes, dtype, 0, &error), &error,
                         options.requires_grad);
}

static PyObject *f_zeros (ARGS) { return sized_factory ("zeros", FILL_ZEROS, module, args, nargs, kwnames); }
static PyObject *f_ones (ARGS) { return sized_factory ("ones", FILL_ONES, module, args, nargs, kwnames); }
static PyObject *f_empty (ARGS) { return sized_factory ("empty", FILL_EMPTY, module, args, nargs, kwnames); }
static PyObject *f_rand (ARGS) { return sized_factory ("rand", FILL_RAND, module, args, nargs, kwnames); }
static PyObject *f_randn (ARGS) { return sized_factory ("randn", FILL_RANDN, module, args, nargs, kwnames); }

/* The value and inferred dtype of a fill value. */
static gboolean
fill_value (PyObject *obj,
            double   *value,
            int      *dtype)
{
  if (GkTensor_Check (obj))
    {
      GError *error = NULL;
      *dtype = ge_tensor_get_dtype (GK_TENSOR (obj));
      if (!ge_tensor_item (GK_TENSOR (obj), value, &error))
        {
          gk_raise (&error);
          return FALSE;
        }
      return TRUE;
    }
  *dtype = PyBool_Check (obj) ? GE_DTYPE_BOOL : PyLong_Check (obj) ? GE_DTYPE_INT64 : GE_DTYPE_FLOAT32;
  if ((*value = PyFloat_AsDouble (obj)) == -1.0 && PyErr_Occurred ())
    return FALSE;
  return TRUE;
}

/* full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) */
static PyObject *
f_full (ARGS)
{
  static const char *const names[] = { "size", "fill_value", "$out", "$dtype", "$layout", "$device",
                                       "$requires_grad", "$pin_memory" };
  PyObject *v[G_N_ELEMENTS (names)];
  gint64 sizes[GE_MAX_DIMS];
  FactoryOptions options;
  GError *error = NULL;
  int ndim, inferred;
  double value;

  if (!GK_PARSE ("full", names, 2, v) || !factory_options ("full", "empty.memory_format", v + 2, &options))
    return NULL;
  if (!gk_parse_shape ("full", &v[0], 1, &ndim, sizes) || !fill_value (v[1], &value, &inferred))
    return NULL;
  return finish_factory (make_filled_on (options.device, FILL_FULL, ndim, sizes,
                                         options.dtype < 0 ? inferred : options.dtype, value, &error),
                         &error, options.requires_grad);
}

/* zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None) */
static PyObject *
like_factory (const char *fname,
              Fill        fill,
              ARGS)
{
  static const char *const names[] = { "input", "fill_value", "$out", "$dtype", "$layout", "$device",
                                       "$requires_grad", "$pin_memory", "$memory_format" };
  PyObject *v[G_N_ELEMENTS (names)];
  FactoryOptions options;
  GError *error = NULL;
  GeTensor *input;
  double value = 0;
  int inferred, dtype;

  /* full_like takes fill_value as its second argument; the others do not */
  if (fill != FILL_FULL && nargs > 1)
    {
      PyErr_Format (PyExc_TypeError, "%s() takes 1 positional argument but %zd were given", fname, nargs);
      return NULL;
    }
  if (!gk_parse_args (fname, args, nargs, kwnames, names, G_N_ELEMENTS (names), fill == FILL_FULL ? 2 : 1, v))
    return NULL;
  if (fill != FILL_FULL && v[1] != NULL)
    {
      PyErr_Format (PyExc_TypeError, "%s() got an unexpected keyword argument 'fill_value'", fname);
      return NULL;
    }
  if (!GkTensor_Check (v[0]))
    {
      PyErr_Format (PyExc_TypeError, "%s(): argument 'input' (position 1) must be Tensor, not %s", fname,
                    Py_TYPE (v[0])->tp_name);
      return NULL;
    }
  if (!factory_options (fname, "empty.memory_format", v + 2, &options))
    return NULL;
  if (fill == FILL_FULL && !fill_value (v[1], &value, &inferred))
    return NULL;
  input = GK_TENSOR (v[0]);
  dtype = options.dtype < 0 ? (int) ge_tensor_get_dtype (input) : options.dtype;
  if ((fill == FILL_RAND || fill == FILL_RANDN) && !check_random_dtype (fname, dtype))
    return NULL;
  /* the result goes where the input is unless device= says otherwise */
  if (options.device < 0)
    options.device = ge_tensor_get_device (input);
  return finish_factory (make_filled_on (options.device, fill, ge_tensor_get_ndim (input),
                                         ge_tensor_get_sizes (input), dtype, value, &error),
                         &error, options.requires_grad);
}

static PyObject *f_zeros_like (ARGS) { return like_factory ("zeros_like", FILL_ZEROS, module, args, nargs, kwnames); }
static PyObject *f_ones_like (ARGS) { return like_factory ("ones_like", FILL_ONES, module, args, nargs, kwnames); }
static PyObject *f_empty_like (ARGS) { return like_factory ("empty_like", FILL_EMPTY, module, args, nargs, kwnames); }
static PyObject *f_rand_like (ARGS) { return like_factory ("rand_like", FILL_RAND, module, args, nargs, kwnames); }
static PyObject *f_randn_like (ARGS) { return like_factory ("randn_like", FILL_RANDN, module, args, nargs, kwnames); }
static PyObject *f_full_like (ARGS) { return like_factory ("full_like", FILL_FULL, module, args, nargs, kwnames); }

static gboolean
number_arg (const char *fname,
            const char *argname,
            PyObject   *obj,
            double     *value,
            gboolean   *is_int)
{
  if (GkTensor_Check (obj))
    {
      GError *error = NULL;
      *is_int = !ge_dtype_is_floating (ge_tensor_get_dtype (GK_TENSOR (obj)));
      if (!ge_tensor_item (GK_TENSOR (obj), value, &error))
        {
          gk_raise (&error);
          return FALSE;
        }
      return TRUE;
    }
  if (!PyFloat_Check (obj) && !PyIndex_Check (obj))
    {
      PyErr_Format (PyExc_TypeError, "%s(): argument '%s' must be Number, not %s", fname, argname,
                    Py_TYPE (obj)->tp_name);
      return FALSE;
    }
  *is_int = !PyFloat_Check (obj);
  *value = PyFloat_AsDouble (obj);
  return !(*value == -1.0 && PyErr_Occurred ());
}

/* arange(end) / arange(start, end, step=1, *, out, dtype, layout, device, requires_grad) */
static PyObject *
f_arange (ARGS)
{
  static const char *const names[] = { "start", "end", "step", "$out", "$dtype", "$layout", "$device",
                                       "$requires_grad", "$pin_memory" };
  PyObject *v[G_N_ELEMENTS (names)];
  FactoryOptions options;
  GError *error = NULL;
  double start = 0, end, step = 1;
  gboolean start_int = TRUE, end_int, step_int = TRUE;
  int dtype;

  if (!GK_PARSE ("arange", names, 1, v) || !factory_options ("arange", "empty.memory_format", v + 3, &options))
    return NULL;
  if (v[1] == NULL || v[1] == Py_None)
    {
      if (!number_arg ("arange", "end", v[0], &end, &end_int))
        return NULL;
    }
  else if (!number_arg ("arange", "start", v[0], &start, &start_int) ||
           !number_arg ("arange", "end", v[1], &end, &end_int))
    return NULL;
  if (v[2] != NULL && !number_arg ("arange", "step", v[2], &step, &step_int))
    return NULL;
  dtype = options.dtype >= 0 ? options.dtype
        : (start_int && end_int && step_int) ? GE_DTYPE_INT64 : GE_DTYPE_FLOAT32;
  return finish_factory_on (ge_tensor_arange (start, end, step, dtype, FALSE, &error), options.device, &error,
                            options.requires_grad);
}

/* linspace(start, end, steps, *, out, dtype, layout, device, requires_grad) */
static PyObject *
f_linspace (ARGS)
{
  static const char *const names[] = { "start", "end", "steps", "$out", "$dtype", "$layout", "$device",
                                       "$requires_grad", "$pin_memory" };
  PyObject *v[G_N_ELEMENTS (names)];
  FactoryOptions options;
  GError *error = NULL;
  double start, end;
  gboolean is_int;
  long long steps;

  if (!GK_PARSE ("linspace", names, 3, v) || !factory_options ("linspace", "empty.memory_format", v + 3, &options))
    return NULL;
  if (!number_arg ("linspace", "start", v[0], &start, &is_int) || !number_arg ("linspace", "end", v[1], &end, &is_int))
    return NULL;
  if (!PyIndex_Check (v[2]) || PyFloat_Check (v[2]))
    {
      PyErr_Format (PyExc_TypeError, "linspace(): argument 'steps' (position 3) must be int, not %s",
                    Py_TYPE (v[2])->tp_name);
      return NULL;
    }
  if ((steps = PyLong_AsLongLong (v[2])) == -1 && PyErr_Occurred ())
    return NULL;
  return finish_factory_on (ge_tensor_linspace (start, end, steps,
                                                options.dtype < 0 ? GE_DTYPE_FLOAT32 : options.dtype, &error),
                            options.device, &error, options.requires_grad);
}

/* eye(n, m=None, *, out, dtype, layout, device, requires_grad) */
static PyObject *
f_eye (ARGS)
{
  static const char *const names[] = { "n", "m", "$out", "$dtype", "$layout", "$device", "$requires_grad",
                                       "$pin_memory" };
  PyObject *v[G_N_ELEMENTS (names)];
  FactoryOptions options;
  GError *error = NULL;
  long long n, m = -1;

  if (!GK_PARSE ("eye", names, 1, v) || !factory_options ("eye", "empty.memory_format", v + 2, &options))
    return NULL;
  if ((n = PyLong_AsLongLong (v[0])) == -1 && PyErr_Occurred ())
    return NULL;
  if (v[1] != NULL && v[1] != Py_None && (m = PyLong_AsLongLong (v[1])) == -1 && PyErr_Occurred ())
    return NULL;
  return finish_factory_on (ge_tensor_eye (n, m, options.dtype < 0 ? GE_DTYPE_FLOAT32 : options.dtype, &error),
                            options.device, &error, options.requires_grad);
}

/* tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) */
static PyObject *
f_tensor (ARGS)
{
  static const char *const names[] = { "data", "$dtype", "$device", "$requires_grad", "$pin_memory" };
  PyObject *v[G_N_ELEMENTS (names)];
  GError *error = NULL;
  int dtype, device, requires_grad;
  GeTensor *t;

  if (!GK_PARSE ("tensor", names, 1, v))
    return NULL;
  if ((dtype = gk_dtype_from_object (v[1])) < -1 || (device = gk_device_arg (v[2], "empty_strided")) < -1 ||
      (requires_grad = gk_parse_bool (v[3], FALSE)) < 0)
    return NULL;
  if (GkTensor_Check (v[0]))
    {
      /* torch.tensor(t) copies without the graph, with PyTorch's warning */
      g_autoptr(GeTensor) detached = ge_tensor_detach (GK_TENSOR (v[0]));
      g_autoptr(GeTensor) copy = NULL;

      if (PyErr_WarnEx (PyExc_UserWarning,
                        "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
                        "or sourceTensor.clone().detach().requires_grad_(True), rather than "
                        "torch.tensor(sourceTensor).", 1) < 0)
        return NULL;
      copy = ge_tensor_clone (detached, &error);
      if (copy == NULL)
        return gk_raise (&error);
      t = dtype >= 0 ? ge_tensor_to_dtype (copy, dtype, &error) : ge_tensor_ref (copy);
      if (t == NULL)
        return gk_raise (&error);
    }
  else if ((t = gk_tensor_from_data (v[0], dtype)) == NULL)
    return NULL;
  if (requires_grad && !ge_dtype_is_floating (ge_tensor_get_dtype (t)))
    {
      ge_tensor_unref (t);
      PyErr_SetString (PyExc_RuntimeError, "Only Tensors of floating point and complex dtype can require gradients");
      return NULL;
    }
  /* torch.tensor(t) of a cuda tensor stays there unless device= says */
  if (device < 0 && GkTensor_Check (v[0]))
    device = ge_tensor_get_device (GK_TENSOR (v[0]));
  return finish_factory_on (t, device, &error, requires_grad);
}

/* as_tensor(data, dtype=None, device=None): data itself when it fits */
static PyObject *
f_as_tensor (ARGS)
{
  static const char *const names[] = { "data", "dtype", "device" };
  PyObject *v[G_N_ELEMENTS (names)];
  GError *error = NULL;
  GeTensor *t;
  int dtype, device;

  if (!GK_PARSE ("as_tensor", names, 1, v))
    return NULL;
  if ((dtype = gk_dtype_from_object (v[1])) < -1 || (device = gk_device_arg (v[2], "empty_strided")) < -1)
    return NULL;
  if (GkTensor_Check (v[0]))
    {
      /* tensor.to(device, dtype): itself when nothing changes */
      GeTensor *in = GK_TENSOR (v[0]);
      g_autoptr(GeTensor) cast = NULL;

      if ((dtype < 0 || dtype == (int) ge_tensor_get_dtype (in)) &&
          (device < 0 || device == (int) ge_tensor_get_device (in)))
        return Py_NewRef (v[0]);
      cast = dtype < 0 || dtype == (int) ge_tensor_get_dtype (in) ? ge_tensor_ref (in)
                                                                   : ge_tensor_to_dtype (in, dtype, &error);
      if (cast == NULL)
        return gk_raise (&error);
      if (device < 0)
        return take (g_steal_pointer (&cast), NULL);
      return take (ge_tensor_to_device (cast, device, &error), &error);
    }
  if ((t = gk_tensor_from_data (v[0], dtype)) == NULL)
    return NULL;
  return finish_factory_on (t, device, &error, FALSE);
}

/* from_numpy(ndarray): a copy (the engine cannot borrow numpy's memory) */
static PyObject *
f_from_numpy (PyObject *module,
              PyObject *array)
{
  GeTensor *t;

  if (!PyObject_CheckBuffer (array) || PyBytes_Check (array) || GkTensor_Check (array))
    {
      PyErr_Format (PyExc_TypeError, "expected np.ndarray (got %s)", Py_TYPE (array)->tp_name);
      return NULL;
    }
  if ((t = gk_tensor_from_data (array, -1)) == NULL)
    return NULL;
  return take (t, NULL);
}

/* A sequence of tensors as a borrowed array (g_free it). */
static GeTensor **
tensor_list (const char *fname,
             const char *argname,
             PyObject   *seq,
             Py_ssize_t *n,
             gboolean    allow_none)
{
  PyObject *fast;
  GeTensor **list;

  if (GkTensor_Check (seq) || !PySequence_Check (seq))
    {
      PyErr_Format (PyExc_TypeError, "%s(): argument '%s' (position 1) must be tuple of Tensors, not %s",
                    fname, argname, Py_TYPE (seq)->tp_name);
      return NULL;
    }
  fast = PySequence_Fast (seq, "expected a sequence of Tensors");
  if (fast == NULL)
    return NULL;
  *n = PySequence_Fast_GET_SIZE (fast);
  list = g_new0 (GeTensor *, MAX (*n, 1));
  for (Py_ssize_t i = 0; i < *n; i++)
    {
      PyObject *item = PySequence_Fast_GET_ITEM (fast, i);

      if (item == Py_None && allow_none)
        continue;
      if (!GkTensor_Check (item))
        {
          PyErr_Format (PyExc_TypeError, "expected Tensor as element %zd in argument 0, but got %s",
                        i, Py_TYPE (item)->tp_name);
          g_free (list);
          Py_DECREF (fast);
          return NULL;
        }
      list[i] = GK_TENSOR (item);
    }
  Py_DECREF (fast);
  return list;
}

/* stack / cat(tensors, dim=0, *, out=None); "axis" is accepted for dim */
static PyObject *
join (const char *fname,
      gboolean    stack,
      ARGS)
{
  static const char *const names[] = { "tensors", "dim", "$out", "$axis" };
  PyObject *v[G_N_ELEMENTS (names)];
  g_autofree GeTensor **list = NULL;
  GError *error = NULL;
  Py_ssize_t n;
  int dim = 0;

  if (!GK_PARSE (fname, names, 1, v) || !not_out (fname, v[2]))
    return NULL;
  if (v[1] != NULL && v[3] != NULL)
    {
      PyErr_Format (PyExc_TypeError, "%s() got multiple values for argument 'dim'", fname);
      return NULL;
    }
  if ((v[1] != NULL && !gk_parse_int (v[1], &dim)) || (v[3] != NULL && !gk_parse_int (v[3], &dim)))
    return NULL;
  if ((list = tensor_list (fname, "tensors", v[0], &n, FALSE)) == NULL)
    return NULL;
  if (stack)
    return take (ge_tensor_stack ((int) n, list, dim, &error), &error);
  return take (ge_tensor_cat ((int) n, list, dim, &error), &error);
}

static PyObject *f_stack (ARGS) { return join ("stack", TRUE, module, args, nargs, kwnames); }
static PyObject *f_cat (ARGS) { return join ("cat", FALSE, module, args, nargs, kwnames); }

static PyObject *
f_where (ARGS)
{
  static const char *const names[] = { "condition", "input", "other" };
  PyObject *v[3];
  g_autoptr(GeTensor) c = NULL;
  g_autoptr(GeTensor) a = NULL;
  g_autoptr(GeTensor) b = NULL;
  GError *error = NULL;

  if (!GK_PARSE ("where", names, 1, v))
    return NULL;
  if (v[1] == NULL || v[2] == NULL)
    {
      PyErr_SetString (PyExc_NotImplementedError,
                       "torch.where(condition) (torch.nonzero) is not available in Gradlab yet");
      return NULL;
    }
  c = gk_operand (v[0]), a = gk_operand (v[1]), b = gk_operand (v[2]);
  if (c == NULL || a == NULL || b == NULL)
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_TypeError, "where(): expected Tensors or numbers");
      return NULL;
    }
  return take (ge_tensor_where (c, a, b, &error), &error);
}

static PyObject *
f_linalg_inv (ARGS)
{
  static const char *const names[] = { "A", "$out" };
  PyObject *v[2];
  GError *error = NULL;

  if (!GK_PARSE ("linalg_inv", names, 1, v) || !not_out ("linalg.inv", v[1]))
    return NULL;
  if (!GkTensor_Check (v[0]))
    {
      PyErr_Format (PyExc_TypeError, "linalg_inv(): argument 'A' (position 1) must be Tensor, not %s",
                    Py_TYPE (v[0])->tp_name);
      return NULL;
    }
  return take (ge_tensor_linalg_inv (GK_TENSOR (v[0]), &error), &error);
}

static PyObject *
f_manual_seed (PyObject *module,
               PyObject *seed)
{
  unsigned long long s;

  if (!PyLong_Check (seed))
    {
      PyErr_Format (PyExc_TypeError, "manual_seed expected a long, but got %s", Py_TYPE (seed)->tp_name);
      return NULL;
    }
  s = PyLong_AsUnsignedLongLongMask (seed);
  if (PyErr_Occurred ())
    return NULL;
  ge_manual_seed (s);
  /* torch.manual_seed seeds every CUDA generator too (queued in PyTorch
   * until CUDA is initialised; the engine just keeps the seed) */
  ge_cuda_manual_seed (s);
  Py_RETURN_NONE;
}

/* ---- torch.cuda ---- */

static PyObject *
f_cuda_is_built (PyObject *module,
                 PyObject *unused)
{
  return PyBool_FromLong (ge_cuda_is_built ());
}

static PyObject *
f_cuda_is_available (PyObject *module,
                     PyObject *unused)
{
  return PyBool_FromLong (ge_cuda_is_available ());
}

static PyObject *
f_cuda_device_count (PyObject *module,
                     PyObject *unused)
{
  return PyLong_FromLong (ge_cuda_device_count ());
}

/* _cuda_lazy_init(): torch.cuda._lazy_init()'s errors */
static PyObject *
f_cuda_lazy_init (PyObject *module,
                  PyObject *unused)
{
  if (!gk_cuda_usable (-1))
    return NULL;
  Py_RETURN_NONE;
}

/* _cuda_get_device_name(index), after the index checks of torch.cuda */
static PyObject *
f_cuda_get_device_name (PyObject *module,
                        PyObject *index)
{
  GError *error = NULL;
  g_autofree char *name = NULL;
  long i = PyLong_AsLong (index);

  if (i == -1 && PyErr_Occurred ())
    return NULL;
  if ((name = ge_cuda_get_device_name ((int) i, &error)) == NULL)
    return gk_raise (&error);
  return PyUnicode_FromString (name);
}

static PyObject *
f_cuda_synchronize (PyObject *module,
                    PyObject *unused)
{
  GError *error = NULL;
  gboolean ok;

  Py_BEGIN_ALLOW_THREADS
  ok = ge_cuda_synchronize (&error);
  Py_END_ALLOW_THREADS
  if (!ok)
    return gk_raise (&error);
  Py_RETURN_NONE;
}

static PyObject *
f_cuda_manual_seed (PyObject *module,
                    PyObject *seed)
{
  unsigned long long s;

  if (!PyLong_Check (seed))
    {
      PyErr_Format (PyExc_TypeError, "manual_seed expected a long, but got %s", Py_TYPE (seed)->tp_name);
      return NULL;
    }
  s = PyLong_AsUnsignedLongLongMask (seed);
  if (PyErr_Occurred ())
    return NULL;
  ge_cuda_manual_seed (s);
  Py_RETURN_NONE;
}

static PyObject *
f_cuda_initial_seed (PyObject *module,
                     PyObject *unused)
{
  return PyLong_FromUnsignedLongLong (ge_cuda_initial_seed ());
}

static PyObject *
f_cuda_memory_allocated (PyObject *module,
                         PyObject *unused)
{
  return PyLong_FromUnsignedLongLong (ge_cuda_memory_allocated ());
}

static PyObject *
f_cuda_memory_reserved (PyObject *module,
                        PyObject *unused)
{
  return PyLong_FromUnsignedLongLong (ge_cuda_memory_reserved ());
}

static PyObject *
f_cuda_empty_cache (PyObject *module,
                    PyObject *unused)
{
  ge_cuda_empty_cache ();
  Py_RETURN_NONE;
}

/* ---- nn.functional ---- */

/* linear(input, weight, bias=None): addmm for 2-D input, as PyTorch 1.13 */
static PyObject *
f_linear (ARGS)
{
  static const char *const names[] = { "input", "weight", "bias" };
  PyObject *v[3];
  GError *error = NULL;

  if (!GK_PARSE ("linear", names, 2, v))
    return NULL;
  for (int i = 0; i < 3; i++)
    if (v[i] != NULL && !(i == 2 && v[i] == Py_None) && !GkTensor_Check (v[i]))
      {
        PyErr_Format (PyExc_TypeError, "linear(): argument '%s' (position %d) must be Tensor, not %s",
                      names[i], i + 1, Py_TYPE (v[i])->tp_name);
        return NULL;
      }
  return take (ge_tensor_linear (GK_TENSOR (v[0]), GK_TENSOR (v[1]),
                                 (v[2] == NULL || v[2] == Py_None) ? NULL : GK_TENSOR (v[2]), &error),
               &error);
}

/* The reduction the legacy size_average / reduce arguments ask for. */
static const char *
legacy_reduction (PyObject *size_average,
                  PyObject *reduce)
{
  gboolean avg = size_average == NULL || size_average == Py_None || PyObject_IsTrue (size_average);
  gboolean red = reduce == NULL || reduce == Py_None || PyObject_IsTrue (reduce);

  PyErr_WarnEx (PyExc_UserWarning,
                "size_average and reduce args will be deprecated, please use reduction='mean' instead.", 1);
  if (avg && red)
    return "mean";
  return red ? "sum" : "none";
}

/* mse_loss(input, target, size_average=None, reduce=None, reduction='mean') */
static PyObject *
f_mse_loss (ARGS)
{
  static const char *const names[] = { "input", "target", "size_average", "reduce", "reduction" };
  PyObject *v[5];
  GeReduction reduction = GE_REDUCTION_MEAN;
  const char *name = "mean";
  g_autofree char *warning = NULL;
  GError *error = NULL;

  if (!GK_PARSE ("mse_loss", names, 2, v))
    return NULL;
  /* PyTorch's F.mse_loss starts with target.size() == input.size() */
  for (int i = 1; i >= 0; i--)
    if (!GkTensor_Check (v[i]))
      {
        PyErr_Format (PyExc_AttributeError, "'%s' object has no attribute 'size'", Py_TYPE (v[i])->tp_name);
        return NULL;
      }
  if ((v[2] != NULL && v[2] != Py_None) || (v[3] != NULL && v[3] != Py_None))
    name = legacy_reduction (v[2], v[3]);
  else if (v[4] != NULL && (name = PyUnicode_AsUTF8 (v[4])) == NULL)
    return NULL;
  if (!ge_reduction_from_string (name, &reduction, &error))
    return gk_raise (&error);
  warning = ge_mse_loss_size_warning (GK_TENSOR (v[0]), GK_TENSOR (v[1]));
  if (warning != NULL && PyErr_WarnEx (PyExc_UserWarning, warning, 1) < 0)
    return NULL;
  return take (ge_tensor_mse_loss (GK_TENSOR (v[0]), GK_TENSOR (v[1]), reduction, &error), &error);
}

/* relu(input, inplace=False) */
static PyObject *
f_nn_relu (ARGS)
{
  static const char *const names[] = { "input", "inplace" };
  PyObject *v[2];
  GError *error = NULL;
  int inplace;

  if (!GK_PARSE ("relu", names, 1, v) || (inplace = gk_parse_bool (v[1], FALSE)) < 0)
    return NULL;
  if (!GkTensor_Check (v[0]))
    {
      PyErr_Format (PyExc_TypeError, "relu(): argument 'input' (position 1) must be Tensor, not %s",
                    Py_TYPE (v[0])->tp_name);
      return NULL;
    }
  if (inplace)
    {
      g_autoptr(GeTensor) out = ge_tensor_relu (GK_TENSOR (v[0]), &error);
      if (out == NULL || !ge_tensor_copy_ (GK_TENSOR (v[0]), out, &error))
        return gk_raise (&error);
      return Py_NewRef (v[0]);
    }
  return take (ge_tensor_relu (GK_TENSOR (v[0]), &error), &error);
}

/* ---- grad mode ---- */

static PyObject *
f_is_grad_enabled (PyObject *module,
                   PyObject *unused)
{
  return PyBool_FromLong (ge_grad_mode_is_enabled ());
}

/* _set_grad_enabled(flag) -> the previous mode */
static PyObject *
f_set_grad_enabled (PyObject *module,
                    PyObject *flag)
{
  if (!PyBool_Check (flag))
    {
      PyErr_Format (PyExc_TypeError, "enabled must be a bool (got %s)", Py_TYPE (flag)->tp_name);
      return NULL;
    }
  return PyBool_FromLong (ge_grad_mode_set_enabled (flag == Py_True));
}

/* no_grad / enable_grad: context managers whose enter and exit are C (they
 * run in every training loop); torch.autograd.grad_mode subclasses them to
 * add the decorator form. */
typedef struct
{
  PyObject_HEAD
  gboolean prev;
} GradMode;

static PyObject *
grad_mode_new (PyTypeObject *type,
               PyObject     *args,
               PyObject     *kwargs)
{
  if (PyTuple_GET_SIZE (args) > 0 || (kwargs != NULL && PyDict_GET_SIZE (kwargs) > 0))
    {
      PyErr_Format (PyExc_TypeError, "%s() takes no arguments", type->tp_name);
      return NULL;
    }
  return type->tp_alloc (type, 0);
}

static void
grad_mode_dealloc (PyObject *self)
{
  PyTypeObject *type = Py_TYPE (self);

  type->tp_free (self);
  Py_DECREF (type);
}

static PyObject *
grad_mode_enter (PyObject *self,
                 gboolean  enabled)
{
  ((GradMode *) self)->prev = ge_grad_mode_set_enabled (enabled);
  Py_RETURN_NONE;
}

static PyObject *no_grad_enter (PyObject *self, PyObject *unused) { return grad_mode_enter (self, FALSE); }
static PyObject *enable_grad_enter (PyObject *self, PyObject *unused) { return grad_mode_enter (self, TRUE); }

static PyObject *
grad_mode_exit (PyObject          *self,
                PyObject          *const *args,
                Py_ssize_t         nargs)
{
  ge_grad_mode_set_enabled (((GradMode *) self)->prev);
  Py_RETURN_FALSE;
}

static PyMethodDef no_grad_methods[] = {
  { "__enter__", no_grad_enter, METH_NOARGS, NULL },
  { "__exit__", (PyCFunction) (void (*) (void)) grad_mode_exit, METH_FASTCALL, NULL },
  { NULL, NULL, 0, NULL },
};

static PyMethodDef enable_grad_methods[] = {
  { "__enter__", enable_grad_enter, METH_NOARGS, NULL },
  { "__exit__", (PyCFunction) (void (*) (void)) grad_mode_exit, METH_FASTCALL, NULL },
  { NULL, NULL, 0, NULL },
};

static PyType_Slot no_grad_slots[] = {
  { Py_tp_new, grad_mode_new },
  { Py_tp_dealloc, grad_mode_dealloc },
  { Py_tp_methods, no_grad_methods },
  { 0, NULL },
};

static PyType_Slot enable_grad_slots[] = {
  { Py_tp_new, grad_mode_new },
  { Py_tp_dealloc, grad_mode_dealloc },
  { Py_tp_methods, enable_grad_methods },
  { 0, NULL },
};

static PyType_Spec no_grad_spec = {
  .name = "_gradlab._NoGrad",
  .basicsize = sizeof (GradMode),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .slots = no_grad_slots,
};

static PyType_Spec enable_grad_spec = {
  .name = "_gradlab._EnableGrad",
  .basicsize = sizeof (GradMode),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
  .slots = enable_grad_slots,
};

/* ---- autograd ---- */

/* _autograd_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused) */
static PyObject *
f_autograd_grad (PyObject *module,
                 PyObject *args)
{
  PyObject *outputs, *inputs, *grad_outputs;
  int retain_graph, create_graph, allow_unused;
  g_autofree GeTensor **outs = NULL;
  g_autofree GeTensor **ins = NULL;
  g_autofree GeTensor **gos = NULL;
  Py_ssize_t n_out, n_in, n_go = 0;
  GeTensor **grads;
  GError *error = NULL;
  PyObject *tuple;

  if (!PyArg_ParseTuple (args, "OOOppp", &outputs, &inputs, &grad_outputs, &retain_graph, &create_graph,
                         &allow_unused))
    return NULL;
  if ((outs = tensor_list ("grad", "outputs", outputs, &n_out, FALSE)) == NULL ||
      (ins = tensor_list ("grad", "inputs", inputs, &n_in, FALSE)) == NULL)
    return NULL;
  if (grad_outputs != Py_None)
    {
      if ((gos = tensor_list ("grad", "grad_outputs", grad_outputs, &n_go, TRUE)) == NULL)
        return NULL;
      if (n_go != n_out)
        return PyErr_Format (PyExc_RuntimeError, "grad can be implicitly created only for scalar outputs");
    }
  grads = ge_autograd_grad ((int) n_out, outs, (int) n_in, ins, gos, retain_graph, create_graph, allow_unused,
                            &error);
  if (grads == NULL)
    return gk_raise (&error);
  tuple = PyTuple_New (n_in);
  for (Py_ssize_t i = 0; tuple != NULL && i < n_in; i++)
    PyTuple_SET_ITEM (tuple, i, gk_tensor_wrap (grads[i]));
  ge_autograd_grad_free (grads, (int) n_in);
  return tuple;
}

/* _make_subclass(cls, data, requires_grad): Parameter(data) shares data's storage */
static PyObject *
f_make_subclass (PyObject *module,
                 PyObject *args)
{
  PyTypeObject *cls;
  PyObject *data;
  int requires_grad;
  GkTensor *obj;
  GeTensor *alias;
  GError *error = NULL;

  if (!PyArg_ParseTuple (args, "O!Op", &PyType_Type, &cls, &data, &requires_grad))
    return NULL;
  if (!PyType_IsSubtype (cls, gk_tensor_type) || !GkTensor_Check (data))
    return PyErr_Format (PyExc_TypeError, "_make_subclass expects a Tensor subclass and a Tensor");
  alias = ge_tensor_detach (GK_TENSOR (data));
  if (requires_grad && !ge_tensor_set_requires_grad (alias, TRUE, &error))
    {
      ge_tensor_unref (alias);
      return gk_raise (&error);
    }
  obj = (GkTensor *) cls->tp_alloc (cls, 0);
  if (obj == NULL)
    {
      ge_tensor_unref (alias);
      return NULL;
    }
  obj->tensor = alias;
  ge_tensor_set_binding (alias, obj);
  return (PyObject *) obj;
}

/* ---- custom autograd functions ---- */

typedef struct
{
  PyObject *forward;   /* cls.forward */
  PyObject *backward;  /* cls.backward */
  PyObject *ctx;       /* the Python ctx object */
  PyObject *args;      /* the call's arguments (tensors and others) */
  char     *name;      /* the class name, for errors */
} PyFunction;

static void
py_function_free (gpointer data)
{
  PyFunction *f = data;
  PyGILState_STATE gil = PyGILState_Ensure ();

  Py_XDECREF (f->forward);
  Py_XDECREF (f->backward);
  Py_XDECREF (f->ctx);
  Py_XDECREF (f->args);
  PyGILState_Release (gil);
  g_free (f->name);
  g_free (f);
}

/* The Python exception stays set; the engine just needs to stop (gk_raise
 * keeps the Python exception). */
static void
stop_for_python (GError **error)
{
  g_set_error_literal (error, GE_ERROR, GE_ERROR_RUNTIME, "an exception was raised in Python code");
}

static GeTensor *
py_forward (GeFunctionCtx  *c,
            int             n_inputs,
            GeTensor      **inputs,
            gpointer        user_data,
            GError        **error)
{
  PyFunction *f = user_data;
  Py_ssize_t n = PyTuple_GET_SIZE (f->args);
  PyObject *call_args, *out, *capsule;
  GeTensor *t;

  capsule = PyCapsule_New (c, "gradlab.ctx", NULL);
  if (capsule == NULL || PyObject_SetAttrString (f->ctx, "_c", capsule) < 0)
    {
      Py_XDECREF (capsule);
      stop_for_python (error);
      return NULL;
    }
  Py_DECREF (capsule);
  call_args = PyTuple_New (n + 1);
  if (call_args == NULL)
    {
      stop_for_python (error);
      return NULL;
    }
  PyTuple_SET_ITEM (call_args, 0, Py_NewRef (f->ctx));
  for (Py_ssize_t i = 0; i < n; i++)
    PyTuple_SET_ITEM (call_args, i + 1, Py_NewRef (PyTuple_GET_ITEM (f->args, i)));
  out = PyObject_Call (f->forward, call_args, NULL);
  Py_DECREF (call_args);
  if (out == NULL)
    {
      stop_for_python (error);
      return NULL;
    }
  if (!GkTensor_Check (out))
    {
      PyErr_Format (PyExc_NotImplementedError,
                    "autograd.Function.forward returning %s is not available in Gradlab yet (return one Tensor)",
                    Py_TYPE (out)->tp_name);
      Py_DECREF (out);
      stop_for_python (error);
      return NULL;
    }
  t = ge_tensor_ref (GK_TENSOR (out));
  Py_DECREF (out);
  return t;
}

static gboolean
py_backward (GeFunctionCtx  *c,
             GeTensor       *grad_output,
             int             n_inputs,
             GeTensor      **grad_inputs,
             gpointer        user_data,
             GError        **error)
{
  PyFunction *f = user_data;
  PyObject *g = gk_tensor_wrap (grad_output);
  PyObject *out = g ? PyObject_CallFunctionObjArgs (f->backward, f->ctx, g, NULL) : NULL;
  Py_ssize_t n_args = PyTuple_GET_SIZE (f->args), n_out;
  int k = 0;

  Py_XDECREF (g);
  if (out == NULL)
    {
      stop_for_python (error);
      return FALSE;
    }
  if (!PyTuple_Check (out))
    {
      PyObject *tuple = PyTuple_Pack (1, out);
      Py_DECREF (out);
      if ((out = tuple) == NULL)
        {
          stop_for_python (error);
          return FALSE;
        }
    }
  n_out = PyTuple_GET_SIZE (out);
  if (n_out != n_args)
    {
      PyErr_Format (PyExc_RuntimeError, "function %sBackward returned an incorrect number of gradients "
                    "(expected %zd, got %zd)", f->name, n_args, n_out);
      Py_DECREF (out);
      stop_for_python (error);
      return FALSE;
    }
  /* one gradient per argument; those of tensor arguments go to the engine */
  for (Py_ssize_t i = 0; i < n_args && k < n_inputs; i++)
    {
      PyObject *grad = PyTuple_GET_ITEM (out, i);

      if (!GkTensor_Check (PyTuple_GET_ITEM (f->args, i)))
        continue;
      if (grad != Py_None && !GkTensor_Check (grad))
        {
          PyErr_Format (PyExc_RuntimeError, "expected Variable or None (got %s)", Py_TYPE (grad)->tp_name);
          Py_DECREF (out);
          stop_for_python (error);
          return FALSE;
        }
      if (grad != Py_None)
        grad_inputs[k] = ge_tensor_ref (GK_TENSOR (grad));
      k++;
    }
  Py_DECREF (out);
  return TRUE;
}

/* _function_apply(name, forward, backward, ctx, args) */
static PyObject *
f_function_apply (PyObject *module,
                  PyObject *args)
{
  const char *name;
  PyObject *forward, *backward, *ctx, *call_args;
  PyFunction *f;
  g_autofree GeTensor **inputs = NULL;
  int n = 0;
  GError *error = NULL;
  GeTensor *out;

  if (!PyArg_ParseTuple (args, "sOOOO!", &name, &forward, &backward, &ctx, &PyTuple_Type, &call_args))
    return NULL;
  inputs = g_new0 (GeTensor *, MAX (PyTuple_GET_SIZE (call_args), 1));
  for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (call_args); i++)
    if (GkTensor_Check (PyTuple_GET_ITEM (call_args, i)))
      inputs[n++] = GK_TENSOR (PyTuple_GET_ITEM (call_args, i));

  f = g_new0 (PyFunction, 1);
  f->forward = Py_NewRef (forward);
  f->backward = Py_NewRef (backward);
  f->ctx = Py_NewRef (ctx);
  f->args = Py_NewRef (call_args);
  f->name = g_strdup (name);
  out = ge_function_apply (name, py_forward, py_backward, f, py_function_free, n, inputs, &error);
  return take (out, &error);
}

static GeFunctionCtx *
ctx_from (PyObject *capsule)
{
  return PyCapsule_GetPointer (capsule, "gradlab.ctx");
}

static PyObject *
f_ctx_save (PyObject *module,
            PyObject *args)
{
  PyObject *capsule, *tensors;
  g_autofree GeTensor **list = NULL;
  Py_ssize_t n;
  GeFunctionCtx *c;

  if (!PyArg_ParseTuple (args, "OO", &capsule, &tensors))
    return NULL;
  if ((c = ctx_from (capsule)) == NULL)
    return NULL;
  /* torch.autograd.function keeps the places of None entries */
  if ((list = tensor_list ("save_for_backward", "tensors", tensors, &n, FALSE)) == NULL)
    return NULL;
  ge_function_ctx_save_for_backward (c, (int) n, list);
  Py_RETURN_NONE;
}

static PyObject *
f_ctx_saved (PyObject *module,
             PyObject *capsule)
{
  GeFunctionCtx *c = ctx_from (capsule);
  PyObject *tuple;
  int n;

  if (c == NULL)
    return NULL;
  n = ge_function_ctx_get_n_saved (c);
  tuple = PyTuple_New (n);
  for (int i = 0; tuple != NULL && i < n; i++)
    {
      GError *error = NULL;
      GeTensor *t = ge_function_ctx_get_saved (c, i, &error);
      PyObject *obj;

      if (t == NULL && error != NULL)
        {
          Py_DECREF (tuple);
          return gk_raise (&error);
        }
      obj = t != NULL ? take (t, NULL) : Py_NewRef (Py_None);
      if (obj == NULL)
        {
          Py_DECREF (tuple);
          return NULL;
        }
      PyTuple_SET_ITEM (tuple, i, obj);
    }
  return tuple;
}

#define FAST(name, fn) { name, (PyCFunction) (void (*) (void)) fn, METH_FASTCALL | METH_KEYWORDS, NULL }

static PyMethodDef module_methods[] = {
  FAST ("tensor", f_tensor),
  FAST ("as_tensor", f_as_tensor),
  { "from_numpy", f_from_numpy, METH_O, NULL },
  FAST ("zeros", f_zeros),
  FAST ("ones", f_ones),
  FAST ("empty", f_empty),
  FAST ("rand", f_rand),
  FAST ("randn", f_randn),
  FAST ("full", f_full),
  FAST ("zeros_like", f_zeros_like),
  FAST ("ones_like", f_ones_like),
  FAST ("empty_like", f_empty_like),
  FAST ("rand_like", f_rand_like),
  FAST ("randn_like", f_randn_like),
  FAST ("full_like", f_full_like),
  FAST ("arange", f_arange),
  FAST ("linspace", f_linspace),
  FAST ("eye", f_eye),
  FAST ("stack", f_stack),
  FAST ("cat", f_cat),
  FAST ("concat", f_cat),
  FAST ("where", f_where),
  FAST ("linalg_inv", f_linalg_inv),
  FAST ("linear", f_linear),
  FAST ("mse_loss", f_mse_loss),
  FAST ("nn_relu", f_nn_relu),
  { "_manual_seed", f_manual_seed, METH_O, NULL },
  { "_cuda_is_built", f_cuda_is_built, METH_NOARGS, NULL },
  { "_cuda_is_available", f_cuda_is_available, METH_NOARGS, NULL },
  { "_cuda_device_count", f_cuda_device_count, METH_NOARGS, NULL },
  { "_cuda_lazy_init", f_cuda_lazy_init, METH_NOARGS, NULL },
  { "_cuda_get_device_name", f_cuda_get_device_name, METH_O, NULL },
  { "_cuda_synchronize", f_cuda_synchronize, METH_NOARGS, NULL },
  { "_cuda_manual_seed", f_cuda_manual_seed, METH_O, NULL },
  { "_cuda_initial_seed", f_cuda_initial_seed, METH_NOARGS, NULL },
  { "_cuda_memory_allocated", f_cuda_memory_allocated, METH_NOARGS, NULL },
  { "_cuda_memory_reserved", f_cuda_memory_reserved, METH_NOARGS, NULL },
  { "_cuda_empty_cache", f_cuda_empty_cache, METH_NOARGS, NULL },
  { "is_grad_enabled", f_is_grad_enabled, METH_NOARGS, NULL },
  { "_set_grad_enabled", f_set_grad_enabled, METH_O, NULL },
  { "_autograd_grad", f_autograd_grad, METH_VARARGS, NULL },
  { "_make_subclass", f_make_subclass, METH_VARARGS, NULL },
  { "_function_apply", f_function_apply, METH_VARARGS, NULL },
  { "_ctx_save", f_ctx_save, METH_VARARGS, NULL },
  { "_ctx_saved", f_ctx_saved, METH_O, NULL },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_gradlab",
  .m_doc = "Gradlab's engine for the torch package of gradlab-kernel",
  .m_size = -1,
  .m_methods = module_methods,
};

static gboolean
add_type (PyObject    *module,
          const char  *name,
          PyType_Spec *spec)
{
  PyObject *type = PyType_FromSpec (spec);
  int status;

  if (type == NULL)
    return FALSE;
  status = PyModule_AddObjectRef (module, name, type);
  Py_DECREF (type);
  return status == 0;
}

PyObject *
gk_module_init (void)
{
  PyObject *module = PyModule_Create (&module_def);

  if (module == NULL)
    return NULL;
  if (!gk_convert_init (module) || !gk_tensor_type_init (module) || !gk_methods_init (module) ||
      !gk_node_type_init (module) || !gk_optim_init (module) ||
      !add_type (module, "_NoGrad", &no_grad_spec) || !add_type (module, "_EnableGrad", &enable_grad_spec))
    {
      Py_DECREF (module);
      return NULL;
    }
  /* torch.initial_seed() in a fresh PyTorch process (and the CUDA
   * generator's default seed, as c10 has it) */
  ge_manual_seed (G_GUINT64_CONSTANT (67280421310721));
  ge_cuda_manual_seed (G_GUINT64_CONSTANT (67280421310721));
  return module;
}
