/* gk-optim.c - torch.optim's SGD, RMSprop and Adam steps on the engine's optimizers */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "gk-private.h"

/*
 * torch/optim keeps PyTorch's Python-level API (param_groups as dicts,
 * defaults, repr, validation); each optimizer owns a GeOptimizer that runs
 * the updates.  step() copies the groups' hyperparameters into the engine
 * first, so that param_groups[i]['lr'] = ... works as in PyTorch.
 */

typedef struct
{
  PyObject_HEAD
  GeOptimizer *optimizer;
} GkOptimizer;

static PyTypeObject *optimizer_type;

static void
optimizer_dealloc (GkOptimizer *self)
{
  PyTypeObject *type = Py_TYPE (self);

  g_clear_pointer (&self->optimizer, ge_optimizer_free);
  type->tp_free (self);
  Py_DECREF (type);
}

static PyType_Slot optimizer_slots[] = {
  { Py_tp_dealloc, optimizer_dealloc },
  { 0, NULL },
};

static PyType_Spec optimizer_spec = {
  .name = "_gradlab._Optimizer",
  .basicsize = sizeof (GkOptimizer),
  .flags = Py_TPFLAGS_DEFAULT,
  .slots = optimizer_slots,
};

static GeOptimizer *
get_optimizer (PyObject *obj)
{
  if (!PyObject_TypeCheck (obj, optimizer_type) || ((GkOptimizer *) obj)->optimizer == NULL)
    {
      PyErr_SetString (PyExc_TypeError, "expected an optimizer handle");
      return NULL;
    }
  return ((GkOptimizer *) obj)->optimizer;
}

static gboolean
get_double (PyObject   *group,
            const char *key,
            double     *value)
{
  PyObject *v = PyDict_GetItemString (group, key);

  if (v == NULL)
    return TRUE;
  if (GkTensor_Check (v))
    {
      GError *error = NULL;
      if (!ge_tensor_item (GK_TENSOR (v), value, &error))
        {
          gk_raise (&error);
          return FALSE;
        }
      return TRUE;
    }
  *value = PyFloat_AsDouble (v);
  return !(*value == -1.0 && PyErr_Occurred ());
}

static gboolean
get_bool (PyObject   *group,
          const char *key,
          gboolean   *value)
{
  PyObject *v = PyDict_GetItemString (group, key);
  int flag;

  if (v == NULL)
    return TRUE;
  if ((flag = PyObject_IsTrue (v)) < 0)
    return FALSE;
  *value = flag;
  return TRUE;
}

/* A param group dict's hyperparameters into @options. */
static gboolean
read_options (PyObject       *group,
              GeOptimOptions *o)
{
  PyObject *betas;

  if (!PyDict_Check (group))
    {
      PyErr_SetString (PyExc_TypeError, "param groups must be dicts");
      return FALSE;
    }
  if (!get_double (group, "lr", &o->lr) || !get_double (group, "momentum", &o->momentum) ||
      !get_double (group, "dampening", &o->dampening) || !get_bool (group, "nesterov", &o->nesterov) ||
      !get_double (group, "alpha", &o->alpha) || !get_bool (group, "centered", &o->centered) ||
      !get_double (group, "eps", &o->eps) || !get_bool (group, "amsgrad", &o->amsgrad) ||
      !get_double (group, "weight_decay", &o->weight_decay) || !get_bool (group, "maximize", &o->maximize))
    return FALSE;
  betas = PyDict_GetItemString (group, "betas");
  if (betas != NULL)
    {
      PyObject *fast = PySequence_Fast (betas, "betas must be a pair of floats");
      gboolean ok;

      if (fast == NULL)
        return FALSE;
      ok = PySequence_Fast_GET_SIZE (fast) == 2;
      if (ok)
        {
          o->beta1 = PyFloat_AsDouble (PySequence_Fast_GET_ITEM (fast, 0));
          o->beta2 = PyFloat_AsDouble (PySequence_Fast_GET_ITEM (fast, 1));
          ok = !PyErr_Occurred ();
        }
      else
        PyErr_SetString (PyExc_ValueError, "betas must be a pair of floats");
      Py_DECREF (fast);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static GeTensor **
param_list (PyObject   *params,
            Py_ssize_t *n)
{
  PyObject *fast = PySequence_Fast (params, "params must be a sequence of Tensors");
  GeTensor **list;

  if (fast == NULL)
    return NULL;
  *n = PySequence_Fast_GET_SIZE (fast);
  list = g_new0 (GeTensor *, MAX (*n, 1));
  for (Py_ssize_t i = 0; i < *n; i++)
    {
      PyObject *item = PySequence_Fast_GET_ITEM (fast, i);
      if (!GkTensor_Check (item))
        {
          PyErr_Format (PyExc_TypeError, "optimizer can only optimize Tensors, but one of the params is %s",
                        Py_TYPE (item)->tp_name);
          g_free (list);
          Py_DECREF (fast);
          return NULL;
        }
      list[i] = GK_TENSOR (item);
    }
  Py_DECREF (fast);
  return list;
}

static gboolean
parse_kind (const char      *name,
            GeOptimizerKind *kind)
{
  if (g_str_equal (name, "SGD"))
    *kind = GE_OPTIMIZER_SGD;
  else if (g_str_equal (name, "RMSprop"))
    *kind = GE_OPTIMIZER_RMSPROP;
  else if (g_str_equal (name, "Adam"))
    *kind = GE_OPTIMIZER_ADAM;
  else
    {
      PyErr_Format (PyExc_NotImplementedError, "torch.optim.%s is not available in Gradlab yet", name);
      return FALSE;
    }
  return TRUE;
}

/* _optimizer_new(kind, params, group) */
static PyObject *
f_optimizer_new (PyObject *module,
                 PyObject *args)
{
  const char *name;
  PyObject *params, *group;
  g_autofree GeTensor **list = NULL;
  GeOptimOptions options;
  GeOptimizerKind kind;
  GError *error = NULL;
  GkOptimizer *self;
  Py_ssize_t n;

  if (!PyArg_ParseTuple (args, "sOO", &name, &params, &group) || !parse_kind (name, &kind))
    return NULL;
  ge_optim_options_init (&options, kind);
  if (!read_options (group, &options) || (list = param_list (params, &n)) == NULL)
    return NULL;
  self = PyObject_New (GkOptimizer, optimizer_type);
  if (self == NULL)
    return NULL;
  self->optimizer = ge_optimizer_new (kind, (int) n, list, &options, &error);
  if (self->optimizer == NULL)
    {
      Py_DECREF (self);
      return gk_raise (&error);
    }
  return (PyObject *) self;
}

/* _optimizer_add_group(handle, params, group) */
static PyObject *
f_optimizer_add_group (PyObject *module,
                       PyObject *args)
{
  PyObject *handle, *params, *group;
  g_autofree GeTensor **list = NULL;
  GeOptimOptions options;
  GeOptimizer *optimizer;
  GError *error = NULL;
  Py_ssize_t n;

  if (!PyArg_ParseTuple (args, "OOO", &handle, &params, &group) || (optimizer = get_optimizer (handle)) == NULL)
    return NULL;
  ge_optim_options_init (&options, ge_optimizer_get_kind (optimizer));
  if (!read_options (group, &options) || (list = param_list (params, &n)) == NULL)
    return NULL;
  if (!ge_optimizer_add_param_group (optimizer, (int) n, list, &options, &error))
    return gk_raise (&error);
  Py_RETURN_NONE;
}

/* _optimizer_step(handle, param_groups) */
static PyObject *
f_optimizer_step (PyObject          *module,
                  PyObject          *const *args,
                  Py_ssize_t         nargs)
{
  GeOptimizer *optimizer;
  GError *error = NULL;
  PyObject *groups;
  int n_groups;

  if (nargs != 2 || (optimizer = get_optimizer (args[0])) == NULL)
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_TypeError, "_optimizer_step(handle, param_groups)");
      return NULL;
    }
  groups = args[1];
  n_groups = ge_optimizer_get_n_groups (optimizer);
  if (!PyList_Check (groups) || PyList_GET_SIZE (groups) != n_groups)
    {
      PyErr_SetString (PyExc_RuntimeError, "param_groups changed size: use add_param_group()");
      return NULL;
    }
  for (int i = 0; i < n_groups; i++)
    if (!read_options (PyList_GET_ITEM (groups, i), ge_optimizer_get_group_options (optimizer, i)))
      return NULL;
  if (!ge_optimizer_step (optimizer, &error))
    return gk_raise (&error);
  Py_RETURN_NONE;
}

/* _optimizer_zero_grad(handle, set_to_none) */
static PyObject *
f_optimizer_zero_grad (PyObject          *module,
                       PyObject          *const *args,
                       Py_ssize_t         nargs)
{
  GeOptimizer *optimizer;
  GError *error = NULL;
  int set_to_none;

  if (nargs != 2 || (optimizer = get_optimizer (args[0])) == NULL || (set_to_none = PyObject_IsTrue (args[1])) < 0)
    {
      if (!PyErr_Occurred ())
        PyErr_SetString (PyExc_TypeError, "_optimizer_zero_grad(handle, set_to_none)");
      return NULL;
    }
  if (!ge_optimizer_zero_grad (optimizer, set_to_none, &error))
    return gk_raise (&error);
  Py_RETURN_NONE;
}

/* _optimizer_state(handle, param) -> dict: the param's state as PyTorch
 * shows it ('step' as a float32 tensor for RMSprop and Adam) */
static PyObject *
f_optimizer_state (PyObject *module,
                   PyObject *args)
{
  static const char *const keys[] = { "momentum_buffer", "square_avg", "grad_avg", "exp_avg", "exp_avg_sq",
                                      "max_exp_avg_sq" };
  PyObject *handle, *param, *dict;
  GeOptimizer *optimizer;
  GeOptimizerKind kind;

  if (!PyArg_ParseTuple (args, "OO", &handle, &param) || (optimizer = get_optimizer (handle)) == NULL)
    return NULL;
  if (!GkTensor_Check (param))
    return PyErr_Format (PyExc_TypeError, "expected a Tensor");
  if ((dict = PyDict_New ()) == NULL)
    return NULL;
  kind = ge_optimizer_get_kind (optimizer);
  if (kind != GE_OPTIMIZER_SGD && ge_optimizer_get_step_count (optimizer, GK_TENSOR (param)) > 0)
    {
      GeTensor *step = ge_tensor_scalar (ge_optimizer_get_step_count (optimizer, GK_TENSOR (param)),
                                         GE_DTYPE_FLOAT32);
      PyObject *obj = gk_tensor_take (step, NULL);

      if (obj == NULL || PyDict_SetItemString (dict, "step", obj) < 0)
        {
          Py_XDECREF (obj);
          Py_DECREF (dict);
          return NULL;
        }
      Py_DECREF (obj);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GeTensor *t = ge_optimizer_get_state (optimizer, GK_TENSOR (param), keys[i]);
      PyObject *obj;

      if (t == NULL)
        continue;
      obj = gk_tensor_wrap (t);
      if (obj == NULL || PyDict_SetItemString (dict, keys[i], obj) < 0)
        {
          Py_XDECREF (obj);
          Py_DECREF (dict);
          return NULL;
        }
      Py_DECREF (obj);
    }
  return dict;
}

static PyMethodDef optim_functions[] = {
  { "_optimizer_new", f_optimizer_new, METH_VARARGS, NULL },
  { "_optimizer_add_group", f_optimizer_add_group, METH_VARARGS, NULL },
  { "_optimizer_step", (PyCFunction) (void (*) (void)) f_optimizer_step, METH_FASTCALL, NULL },
  { "_optimizer_zero_grad", (PyCFunction) (void (*) (void)) f_optimizer_zero_grad, METH_FASTCALL, NULL },
  { "_optimizer_state", f_optimizer_state, METH_VARARGS, NULL },
  { NULL, NULL, 0, NULL },
};

gboolean
gk_optim_init (PyObject *module)
{
  optimizer_type = (PyTypeObject *) PyType_FromSpec (&optimizer_spec);
  if (optimizer_type == NULL)
    return FALSE;
  return PyModule_AddFunctions (module, optim_functions) == 0;
}
