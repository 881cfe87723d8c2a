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
/* The live wrapper of each node (borrowed): y.grad_fn is y.grad_fn, as in
 * PyTorch, which keeps one Python object per node while it is referenced. */
static GHashTable *wrappers;     /* GeNode* -> GkNode* */

static void
node_dealloc (GkNode *self)
{
  PyTypeObject *type = Py_TYPE (self);

  if (g_hash_table_lookup (wrappers, self->node) == self)
    g_hash_table_remove (wrappers, self->node);
  g_clear_pointer (&self->node, ge_node_unref);
  type->tp_free (self);
  Py_DECREF (type);
}

static PyObject *
node_name (GkNode   *self,
           PyObject *unused)
{
  const char *name = ge_node_get_name (self->node);

  /* the hand-written nodes report their C++ names (repr shows the short) */
  if (g_str_equal (name, "AccumulateGrad") || g_str_equal (name, "CopySlices"))
    return PyUnicode_FromFormat ("torch::autograd::%s", name);
  return PyUnicode_FromString (name);
}

static PyObject *
node_next_functions (GkNode *self,
                     void   *closure)
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
node_variable (GkNode *self,
               void   *closure)
{
  GeTensor *variable = ge_node_get_variable (self->node);

  if (variable == NULL)
    {
      PyErr_Format (PyExc_AttributeError, "'%s' object has no attribute 'variable'", ge_node_get_name (self->node));
      return NULL;
    }
  return gk_tensor_wrap (variable);
}

static PyObject *
node_metadata (GkNode *self,
               void   *closure)
{
  return PyDict_New ();
}

static PyMethodDef node_methods[] = {
  { "name", (PyCFunction) node_name, METH_NOARGS, NULL },
  { NULL, NULL, 0, NULL },
};

static PyGetSetDef node_getset[] = {
  { "next_functions", (getter) node_next_functions, NULL, NULL, NULL },
  { "variable", (getter) node_variable, NULL, NULL, NULL },
  { "metadata", (getter) node_metadata, NULL, NULL, NULL },
  { NULL, NULL, NULL, NULL, NULL },
};

static PyType_Slot node_slots[] = {
  { Py_tp_dealloc, node_dealloc },
  { Py_tp_methods, node_methods },
  { Py_tp_getset, node_getset },
  { 0, NULL },
};

static PyTypeObject *
node_type (const char *name)
{
  PyTypeObject *type = g_hash_table_lookup (node_types, name);
  PyType_Spec spec = {
    .basicsize = sizeof (GkNode),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = node_slots,
  };
  char *owned;

  if (type != NULL)
    return type;
  /* PyType_FromSpec keeps a pointer to the name: keep a copy alive.
   * "builtins.X": __module__ is builtins and tp_name (which reprs use) is
   * plain "X", so an instance prints <MulBackward0 object at 0x...>. */
  owned = g_strconcat ("builtins.", name, NULL);
  spec.name = owned;
  type = (PyTypeObject *) PyType_FromSpec (&spec);
  if (type == NULL)
    {
      g_free (owned);
      return NULL;
    }
  type->tp_name = owned + strlen ("builtins.");
  g_hash_table_insert (node_types, g_strdup (name), type);
  return type;
}

PyObject *
gk_node_wrap (GeNode *node)
{
  GkNode *self = g_hash_table_lookup (wrappers, node);
  PyTypeObject *type;

  if (self != NULL)
    return Py_NewRef ((PyObject *) self);
  if ((type = node_type (ge_node_get_name (node))) == NULL)
    return NULL;
  self = PyObject_New (GkNode, type);
  if (self == NULL)
    return NULL;
  self->node = ge_node_ref (node);
  g_hash_table_insert (wrappers, node, self);
  return (PyObject *) self;
}

gboolean
gk_node_type_init (PyObject *module)
{
  node_types = g_hash_table_new (g_str_hash, g_str_equal);
  wrappers = g_hash_table_new (NULL, NULL);
  return TRUE;
}
