/* gk-node.c - grad_fn objects: <MulBackward0 object at 0x...> */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <string.h>

#include "gk-private.h"

typedef struct
{
  PyObject_HEAD
  GeNode *node;
} GkNode;

/* One Python type per node name, so that type(y.grad_fn).__name__ and the
 * repr read like PyTorch's. */
static GHashTable *node_types;   /* name -> PyTypeObject* (owned) */

static void
node_dealloc (GkNode *self)
{
  PyTypeObject *type = Py_TYPE (self);

  g_clear_pointer (&self->node, ge_node_unref);
  type->tp_free (self);
  Py_DECREF (type);
}

static PyObject *
node_name (GkNode *self, PyObject *unused)
{
  return PyUnicode_FromString (ge_node_get_name (self->node));
}

static PyObject *
node_next_functions (GkNode *self, void *closure)
{
  int n = ge_node_get_n_next (self->node);
  PyObject *tuple = PyTuple_New (n);

  for (int i = 0; tuple != NULL && i < n; i++)
    {
      int input_nr = 0;
      GeNode *next = ge_node_get_next (self->node, i, &input_nr);
      PyObject *fn = next ? gk_node_wrap (next) : Py_NewRef (Py_None);
      PyObject *pair = fn ? Py_BuildValue ("(Ni)", fn, input_nr) : NULL;

      if (pair == NULL)
        {
          Py_CLEAR (tuple);
          break;
        }
      PyTuple_SET_ITEM (tuple, i, pair);
    }
  return tuple;
}

static PyObject *
node_variable (GkNode *self, void *closure)
{
  GeTensor *variable = ge_node_get_variable (self->node);

  if (variable == NULL)
    {
      PyErr_Format (PyExc_AttributeError, "'%s' object has no attribute 'variable'",
                    ge_node_get_name (self->node));
      return NULL;
    }
  return gk_tensor_wrap (variable);
}

static PyObject *
node_richcompare (PyObject *a, PyObject *b, int op)
{
  gboolean same;

  if ((op != Py_EQ && op != Py_NE) || Py_TYPE (a)->tp_dealloc != (destructor) node_dealloc ||
      Py_TYPE (b)->tp_dealloc != (destructor) node_dealloc)
    Py_RETURN_NOTIMPLEMENTED;
  same = ((GkNode *) a)->node == ((GkNode *) b)->node;
  return PyBool_FromLong (op == Py_EQ ? same : !same);
}

static Py_hash_t
node_hash (PyObject *self)
{
  return _Py_HashPointer (((GkNode *) self)->node);
}

static PyMethodDef node_methods[] = {
  { "name", (PyCFunction) node_name, METH_NOARGS, NULL },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef node_getset[] = {
  { "next_functions", (getter) node_next_functions, NULL, NULL, NULL },
  { "variable", (getter) node_variable, NULL, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyType_Slot node_slots[] = {
  { Py_tp_dealloc, node_dealloc },
  { Py_tp_methods, node_methods },
  { Py_tp_getset, node_getset },
  { Py_tp_richcompare, node_richcompare },
  { Py_tp_hash, node_hash },
  { 0, NULL },
};

PyObject *
gk_node_wrap (GeNode *node)
{
  const char *name = ge_node_get_name (node);
  PyTypeObject *type = g_hash_table_lookup (node_types, name);
  GkNode *self;

  if (type == NULL)
    {
      PyType_Spec spec = {
        .name = name,
        .basicsize = sizeof (GkNode),
        .flags = Py_TPFLAGS_DEFAULT,
        .slots = node_slots,
      };
      /* PyType_FromSpec keeps a pointer to the name: keep a copy alive */
      /* "builtins.X": __module__ is builtins, so the repr is
       * <MulBackward0 object at 0x...> as in PyTorch */
      char *owned = g_strconcat ("builtins.", name, NULL);
      spec.name = owned;
      type = (PyTypeObject *) PyType_FromSpec (&spec);
      if (type == NULL)
        {
          g_free (owned);
          return NULL;
        }
      /* and print as plain "MulBackward0" (type and instance reprs use tp_name) */
      type->tp_name = owned + strlen ("builtins.");
      g_hash_table_insert (node_types, g_strdup (name), type);
    }
  self = PyObject_New (GkNode, type);
  if (self == NULL)
    return NULL;
  self->node = ge_node_ref (node);
  return (PyObject *) self;
}

gboolean
gk_node_type_init (PyObject *module)
{
  node_types = g_hash_table_new (g_str_hash, g_str_equal);
  return TRUE;
}
