/* gk-module.c - the _gradlab extension module: factories, autograd, functions */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "gk-private.h"

#define ERR (&gk_err)

static PyObject *
result (GeTensor *t, GError *error)
{
  return gk_tensor_wrap_result (t, error);
}

static PyObject *
finish_factory (GeTensor *t, GError *error, int requires_grad)
{
  GError *gk_err = NULL;

  if (t == NULL)
    return gk_raise_error (error);
  if (requires_grad && !ge_tensor_set_requires_grad (t, TRUE, ERR))
    {
      ge_tensor_unref (t);
      return gk_raise_error (gk_err);
    }
  return result (t, NULL);
}

static gboolean
check_device (PyObject *device)
{
  PyObject *str;
  gboolean cuda;

  if (device == NULL || device == Py_None)
    return TRUE;
  str = PyObject_Str (device);
  if (str == NULL)
    return FALSE;
  cuda = PyUnicode_CompareWithASCIIString (str, "cpu") != 0;
  Py_DECREF (str);
  if (cuda)
    {
      PyErr_SetString (PyExc_AssertionError, "Torch not compiled with CUDA enabled");
      return FALSE;
    }
  return TRUE;
}

/* tensor(data, dtype=None, device=None, requires_grad=False) */
static PyObject *
fn_tensor (PyObject *self, PyObject *args, PyObject *kwargs)
{
  static char *kwlist[] = { (char *) "data", (char *) "dtype", (char *) "device", (char *) "requires_grad", NULL };
  PyObject *data, *dtype = Py_None, *device = Py_None;
  int requires_grad = 0, code;
  GeTensor *t;

  if (!PyArg_ParseTupleAndKeywords (args, kwargs, "O|$OOp", kwlist, &data, &dtype, &device, &requires_grad))
    return NULL;
  if ((code = gk_dtype_from_object (dtype)) < -1 || !check_device (device))
    return NULL;
  if (GkTensor_Check (data))
    {
      /* torch.tensor(t) copies (PyTorch warns; we stay quiet) */
      GError *gk_err = NULL;
      g_autoptr(GeTensor) detached = ge_tensor_detach (GK_TENSOR (data));
      g_autoptr(GeTensor) copy = ge_tensor_clone (detached, ERR);
      if (copy == NULL)
        return gk_raise_error (gk_err);
      t = code >= 0 ? ge_tensor_to_dtype (copy, code, ERR) : ge_tensor_ref (copy);
      if (t == NULL)
        return gk_raise_error (gk_err);
    }
  else
    t = gk_tensor_from_data (data, code);
  if (t == NULL)
    return NULL;
  if (requires_grad && !ge_dtype_is_floating (ge_tensor_get_dtype (t)))
    {
      ge_tensor_unref (t);
      PyErr_SetString (PyExc_RuntimeError, "Only Tensors of floating point and complex dtype can require gradients");
      return NULL;
    }
  return finish_factory (t, NULL, requires_grad);
}

/* _factory(kind, size, dtype, requires_grad, device, fill) */
static PyObject *
fn_factory (PyObject *self, PyObject *args)
{
  const char *kind;
  PyObject *size, *dtype, *device, *fill = Py_None;
  int requires_grad, code, ndim;
  gint64 sizes[GE_MAX_DIMS];
  GError *gk_err = NULL;
  GeTensor *t = NULL;

  if (!PyArg_ParseTuple (args, "sOOpO|O", &kind, &size, &dtype, &requires_grad, &device, &fill))
    return NULL;
  if ((code = gk_dtype_from_object (dtype)) < -1 || !check_device (device))
    return NULL;
  if (!gk_parse_shape (size, &ndim, sizes))
    return NULL;
  if (g_str_equal (kind, "full") && code < 0)
    code = PyBool_Check (fill) ? GE_DTYPE_BOOL : PyLong_Check (fill) ? GE_DTYPE_INT64 : GE_DTYPE_FLOAT32;
  if (code < 0)
    code = GE_DTYPE_FLOAT32;

  if (g_str_equal (kind, "zeros"))
    t = ge_tensor_zeros (ndim, sizes, code, ERR);
  else if (g_str_equal (kind, "ones"))
    t = ge_tensor_ones (ndim, sizes, code, ERR);
  else if (g_str_equal (kind, "empty"))
    t = ge_tensor_zeros (ndim, sizes, code, ERR);
  else if (g_str_equal (kind, "full"))
    {
      double v = PyFloat_AsDouble (fill);
      if (v == -1.0 && PyErr_Occurred ())
        return NULL;
      t = ge_tensor_full (ndim, sizes, v, code, ERR);
    }
  else if (g_str_equal (kind, "rand"))
    t = ge_tensor_rand (ndim, sizes, code, NULL, ERR);
  else if (g_str_equal (kind, "randn"))
    t = ge_tensor_randn (ndim, sizes, code, NULL, ERR);
  else
    return PyErr_Format (PyExc_ValueError, "unknown factory %s", kind);
  return finish_factory (t, gk_err, requires_grad);
}

/* _arange(start, end, step, dtype, requires_grad) */
static PyObject *
fn_arange (PyObject *self, PyObject *args)
{
  PyObject *start, *end, *step, *dtype;
  int requires_grad, code;
  gboolean all_int;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "OOOOp", &start, &end, &step, &dtype, &requires_grad))
    return NULL;
  if ((code = gk_dtype_from_object (dtype)) < -1)
    return NULL;
  all_int = PyLong_Check (start) && PyLong_Check (end) && PyLong_Check (step);
  return finish_factory (ge_tensor_arange (PyFloat_AsDouble (start), PyFloat_AsDouble (end),
                                           PyFloat_AsDouble (step),
                                           code < 0 ? (all_int ? GE_DTYPE_INT64 : GE_DTYPE_FLOAT32) : code,
                                           FALSE, ERR), gk_err, requires_grad);
}

static PyObject *
fn_linspace (PyObject *self, PyObject *args)
{
  double start, end;
  long long steps;
  PyObject *dtype;
  int requires_grad, code;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "ddLOp", &start, &end, &steps, &dtype, &requires_grad))
    return NULL;
  if ((code = gk_dtype_from_object (dtype)) < -1)
    return NULL;
  return finish_factory (ge_tensor_linspace (start, end, steps, code < 0 ? GE_DTYPE_FLOAT32 : code, ERR),
                         gk_err, requires_grad);
}

static PyObject *
fn_eye (PyObject *self, PyObject *args)
{
  long long n, m;
  PyObject *dtype;
  int requires_grad, code;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "LLOp", &n, &m, &dtype, &requires_grad))
    return NULL;
  if ((code = gk_dtype_from_object (dtype)) < -1)
    return NULL;
  return finish_factory (ge_tensor_eye (n, m, code < 0 ? GE_DTYPE_FLOAT32 : code, ERR), gk_err, requires_grad);
}

static PyObject *
fn_manual_seed (PyObject *self, PyObject *seed)
{
  unsigned long long s = PyLong_AsUnsignedLongLongMask (seed);

  if (PyErr_Occurred ())
    return NULL;
  ge_manual_seed (s);
  Py_RETURN_NONE;
}

/* _join("stack"|"cat", tensors, dim) */
static PyObject *
fn_join (PyObject *self, PyObject *args)
{
  const char *kind;
  PyObject *seq, *fast;
  int dim;
  GeTensor **list;
  Py_ssize_t n;
  GError *gk_err = NULL;
  GeTensor *out;

  if (!PyArg_ParseTuple (args, "sOi", &kind, &seq, &dim))
    return NULL;
  fast = PySequence_Fast (seq, "expected a sequence of Tensors");
  if (fast == NULL)
    return NULL;
  n = PySequence_Fast_GET_SIZE (fast);
  list = g_new0 (GeTensor *, MAX (n, 1));
  for (Py_ssize_t i = 0; i < n; i++)
    {
      PyObject *item = PySequence_Fast_GET_ITEM (fast, i);
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
  out = g_str_equal (kind, "stack") ? ge_tensor_stack ((int) n, list, dim, ERR)
                                    : ge_tensor_cat ((int) n, list, dim, ERR);
  g_free (list);
  Py_DECREF (fast);
  return result (out, gk_err);
}

static PyObject *
fn_where (PyObject *self, PyObject *args)
{
  PyObject *c, *a, *b;
  g_autoptr(GeTensor) tc = NULL, ta = NULL, tb = NULL;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "OOO", &c, &a, &b))
    return NULL;
  tc = gk_operand (c), ta = gk_operand (a), tb = gk_operand (b);
  if (tc == NULL || ta == NULL || tb == NULL)
    return PyErr_Occurred () ? NULL : PyErr_Format (PyExc_TypeError, "where(): expected tensors or numbers");
  return result (ge_tensor_where (tc, ta, tb, ERR), gk_err);
}

static PyObject *
fn_linalg_inv (PyObject *self, PyObject *a)
{
  GError *gk_err = NULL;

  if (!GkTensor_Check (a))
    return PyErr_Format (PyExc_TypeError, "linalg_inv(): argument 'input' must be Tensor, not %s",
                         Py_TYPE (a)->tp_name);
  return result (ge_tensor_linalg_inv (GK_TENSOR (a), ERR), gk_err);
}

/* ---- grad mode and autograd ---- */

static PyObject *
fn_is_grad_enabled (PyObject *self, PyObject *unused)
{
  return PyBool_FromLong (ge_grad_mode_is_enabled ());
}

static PyObject *
fn_set_grad_enabled (PyObject *self, PyObject *flag)
{
  int on = PyObject_IsTrue (flag);

  if (on < 0)
    return NULL;
  return PyBool_FromLong (ge_grad_mode_set_enabled (on));
}

static GeTensor **
tensor_list (PyObject *seq, Py_ssize_t *n, gboolean allow_none, const char *what)
{
  PyObject *fast = PySequence_Fast (seq, "expected a sequence of Tensors");
  GeTensor **list;

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
          PyErr_Format (PyExc_TypeError, "%s: expected a Tensor, got %s", what, Py_TYPE (item)->tp_name);
          g_free (list);
          Py_DECREF (fast);
          return NULL;
        }
      list[i] = GK_TENSOR (item);
    }
  Py_DECREF (fast);
  return list;
}

/* _autograd_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused) */
static PyObject *
fn_autograd_grad (PyObject *self, PyObject *args)
{
  PyObject *outputs, *inputs, *grad_outputs;
  int retain_graph, create_graph, allow_unused;
  g_autofree GeTensor **outs = NULL;
  g_autofree GeTensor **ins = NULL;
  g_autofree GeTensor **gos = NULL;
  Py_ssize_t n_out, n_in, n_go = 0;
  GeTensor **grads;
  GError *gk_err = NULL;
  PyObject *tuple;

  if (!PyArg_ParseTuple (args, "OOOppp", &outputs, &inputs, &grad_outputs,
                         &retain_graph, &create_graph, &allow_unused))
    return NULL;
  if ((outs = tensor_list (outputs, &n_out, FALSE, "outputs")) == NULL ||
      (ins = tensor_list (inputs, &n_in, FALSE, "inputs")) == NULL)
    return NULL;
  if (grad_outputs != Py_None)
    {
      if ((gos = tensor_list (grad_outputs, &n_go, TRUE, "grad_outputs")) == NULL)
        return NULL;
      if (n_go != n_out)
        return PyErr_Format (PyExc_RuntimeError, "grad requires one grad_output per output: got %zd "
                             "grad_outputs for %zd outputs", n_go, n_out);
    }
  grads = ge_autograd_grad ((int) n_out, outs, (int) n_in, ins, gos, retain_graph, create_graph,
                            allow_unused, ERR);
  if (grads == NULL)
    return gk_raise_error (gk_err);
  tuple = PyTuple_New (n_in);
  for (Py_ssize_t i = 0; i < n_in; i++)
    PyTuple_SET_ITEM (tuple, i, gk_tensor_wrap (grads[i]));
  ge_autograd_grad_free (grads, (int) n_in);
  return tuple;
}

/* _make_subclass(cls, data, requires_grad): Parameter(data) shares data's storage */
static PyObject *
fn_make_subclass (PyObject *self, PyObject *args)
{
  PyTypeObject *cls;
  PyObject *data;
  int requires_grad;
  GkTensor *obj;
  GeTensor *alias;
  GError *gk_err = NULL;

  if (!PyArg_ParseTuple (args, "O!Op", &PyType_Type, &cls, &data, &requires_grad))
    return NULL;
  if (!PyType_IsSubtype (cls, gk_tensor_type) || !GkTensor_Check (data))
    return PyErr_Format (PyExc_TypeError, "_make_subclass expects a Tensor subclass and a Tensor");
  alias = ge_tensor_detach (GK_TENSOR (data));
  if (requires_grad && !ge_tensor_set_requires_grad (alias, TRUE, ERR))
    {
      ge_tensor_unref (alias);
      return gk_raise_error (gk_err);
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
  g_free (f);
}

static void
set_ctx_capsule (PyObject *ctx, GeFunctionCtx *c)
{
  PyObject *capsule = PyCapsule_New (c, "gradlab.ctx", NULL);
  if (capsule != NULL)
    {
      PyObject_SetAttrString (ctx, "_c", capsule);
      Py_DECREF (capsule);
    }
}

static GError *
error_from_python (void)
{
  /* The Python exception stays set; the engine just needs to stop. */
  return g_error_new_literal (GE_ERROR, GE_ERROR_RUNTIME, "python");
}

static GeTensor *
py_forward (GeFunctionCtx *c, int n_inputs, GeTensor **inputs, gpointer user_data, GError **error)
{
  PyFunction *f = user_data;
  Py_ssize_t n = PyTuple_GET_SIZE (f->args);
  PyObject *call_args = PyTuple_New (n + 1);
  PyObject *out;
  GeTensor *t;

  set_ctx_capsule (f->ctx, c);
  PyTuple_SET_ITEM (call_args, 0, Py_NewRef (f->ctx));
  for (Py_ssize_t i = 0; i < n; i++)
    PyTuple_SET_ITEM (call_args, i + 1, Py_NewRef (PyTuple_GET_ITEM (f->args, i)));
  out = PyObject_Call (f->forward, call_args, NULL);
  Py_DECREF (call_args);
  if (out == NULL)
    {
      *error = error_from_python ();
      return NULL;
    }
  if (!GkTensor_Check (out))
    {
      Py_DECREF (out);
      PyErr_SetString (PyExc_TypeError, "Gradlab's autograd.Function.forward must return one Tensor");
      *error = error_from_python ();
      return NULL;
    }
  t = ge_tensor_ref (GK_TENSOR (out));
  Py_DECREF (out);
  return t;
}

static gboolean
py_backward (GeFunctionCtx *c, GeTensor *grad_output, int n_inputs, GeTensor **grad_inputs,
             gpointer user_data, GError **error)
{
  PyFunction *f = user_data;
  PyObject *g = gk_tensor_wrap (grad_output);
  PyObject *out = PyObject_CallFunctionObjArgs (f->backward, f->ctx, g, NULL);
  PyObject *fast;

  Py_XDECREF (g);
  if (out == NULL)
    {
      *error = error_from_python ();
      return FALSE;
    }
  if (!PyTuple_Check (out))
    {
      PyObject *tuple = PyTuple_Pack (1, out);
      Py_DECREF (out);
      out = tuple;
    }
  fast = out;
  /* one gradient per tensor input, in input order (None allowed) */
  {
    int k = 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE (f->args) && k < n_inputs; i++)
      {
        PyObject *arg = PyTuple_GET_ITEM (f->args, i);
        PyObject *grad = i < PyTuple_GET_SIZE (fast) ? PyTuple_GET_ITEM (fast, i) : Py_None;
        if (!GkTensor_Check (arg))
          continue;
        if (grad != Py_None && GkTensor_Check (grad))
          grad_inputs[k] = ge_tensor_ref (GK_TENSOR (grad));
        k++;
      }
  }
  Py_DECREF (out);
  return TRUE;
}

/* _function_apply(name, forward, backward, ctx, args) */
static PyObject *
fn_function_apply (PyObject *self, PyObject *args)
{
  const char *name;
  PyObject *forward, *backward, *ctx, *call_args;
  PyFunction *f;
  g_autofree GeTensor **inputs = NULL;
  int n = 0;
  GError *gk_err = NULL;
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
  out = ge_function_apply (name, py_forward, py_backward, f, py_function_free, n, inputs, ERR);
  if (out == NULL)
    {
      if (PyErr_Occurred ())
        {
          g_clear_error (&gk_err);
          return NULL;
        }
      return gk_raise_error (gk_err);
    }
  return result (out, NULL);
}

static GeFunctionCtx *
ctx_from (PyObject *capsule)
{
  return PyCapsule_GetPointer (capsule, "gradlab.ctx");
}

static PyObject *
fn_ctx_save (PyObject *self, PyObject *args)
{
  PyObject *capsule, *tensors;
  g_autofree GeTensor **list = NULL;
  Py_ssize_t n;
  GeFunctionCtx *c;

  if (!PyArg_ParseTuple (args, "OO", &capsule, &tensors))
    return NULL;
  if ((c = ctx_from (capsule)) == NULL)
    return NULL;
  if ((list = tensor_list (tensors, &n, TRUE, "save_for_backward")) == NULL)
    return NULL;
  ge_function_ctx_save_for_backward (c, (int) n, list);
  Py_RETURN_NONE;
}

static PyObject *
fn_ctx_saved (PyObject *self, PyObject *capsule)
{
  GeFunctionCtx *c = ctx_from (capsule);
  PyObject *tuple;
  int n;

  if (c == NULL)
    return NULL;
  n = ge_function_ctx_get_n_saved (c);
  tuple = PyTuple_New (n);
  for (int i = 0; tuple && i < n; i++)
    {
      GError *gk_err = NULL;
      GeTensor *t = ge_function_ctx_get_saved (c, i, ERR);
      if (t == NULL)
        {
          Py_DECREF (tuple);
          return gk_raise_error (gk_err);
        }
      PyTuple_SET_ITEM (tuple, i, result (t, NULL));
    }
  return tuple;
}

static PyMethodDef module_methods[] = {
  { "tensor", (PyCFunction) (void (*) (void)) fn_tensor, METH_VARARGS | METH_KEYWORDS, NULL },
  { "_factory", fn_factory, METH_VARARGS, NULL },
  { "_arange", fn_arange, METH_VARARGS, NULL },
  { "_linspace", fn_linspace, METH_VARARGS, NULL },
  { "_eye", fn_eye, METH_VARARGS, NULL },
  { "manual_seed", fn_manual_seed, METH_O, NULL },
  { "_join", fn_join, METH_VARARGS, NULL },
  { "_where", fn_where, METH_VARARGS, NULL },
  { "_linalg_inv", fn_linalg_inv, METH_O, NULL },
  { "is_grad_enabled", fn_is_grad_enabled, METH_NOARGS, NULL },
  { "_set_grad_enabled", fn_set_grad_enabled, METH_O, NULL },
  { "_autograd_grad", fn_autograd_grad, METH_VARARGS, NULL },
  { "_make_subclass", fn_make_subclass, METH_VARARGS, NULL },
  { "_function_apply", fn_function_apply, METH_VARARGS, NULL },
  { "_ctx_save", fn_ctx_save, METH_VARARGS, NULL },
  { "_ctx_saved", fn_ctx_saved, METH_O, NULL },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_gradlab",
  .m_doc = "Gradlab's engine for the torch package of gradlab-kernel",
  .m_size = -1,
  .m_methods = module_methods,
};

PyObject *
gk_module_init (void)
{
  PyObject *module = PyModule_Create (&module_def);

  if (module == NULL)
    return NULL;
  if (!gk_convert_init (module) || !gk_tensor_type_init (module) || !gk_methods_init () ||
      !gk_node_type_init (module))
    {
      Py_DECREF (module);
      return NULL;
    }
  return module;
}
