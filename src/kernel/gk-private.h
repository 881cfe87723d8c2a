/* gk-private.h - gradlab-kernel: the embedded-Python torch over libgradlab */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <gradlab.h>

G_BEGIN_DECLS

/* ---- the Tensor type (gk-tensor.c) ---- */

typedef struct
{
  PyObject_HEAD
  GeTensor *tensor;
  PyObject *dict;
  PyObject *weakrefs;
} GkTensor;

/* A heap type, so that the torch package can add methods written in Python. */
extern PyTypeObject *gk_tensor_type;

#define GkTensor_Check(o) PyObject_TypeCheck ((o), gk_tensor_type)
#define GK_TENSOR(o) (((GkTensor *) (o))->tensor)

/* The Python object for @t: its existing wrapper (new ref) or a new Tensor.
 * Steals nothing; NULL @t gives None. */
PyObject   *gk_tensor_wrap            (GeTensor   *t);
/* Same, consuming the caller's reference to @t (convenient for results).
 * NULL @t with @error set raises the matching Python exception. */
PyObject   *gk_tensor_wrap_result     (GeTensor   *t,
                                       GError     *error);
gboolean    gk_tensor_type_init       (PyObject   *module);
/* Adds the C-implemented methods (gk-methods.c) to the Tensor type. */
gboolean    gk_methods_init           (void);

/* ---- conversions (gk-convert.c) ---- */

/* Raises the Python exception for an engine error (and frees it).
 * KeyboardInterrupt for GE_ERROR_INTERRUPTED. Returns NULL. */
PyObject   *gk_raise_error            (GError     *error);
/* A Python number or 0-dim-able value as a wrapped-number operand, a Tensor
 * as itself (new GeTensor ref), NULL (no exception) when @obj is neither. */
GeTensor   *gk_operand                (PyObject   *obj);
/* torch.tensor(data): nested sequences of numbers/bools/tensors, numpy
 * arrays; @dtype < 0 infers. NULL with a Python exception set. */
GeTensor   *gk_tensor_from_data       (PyObject   *data,
                                       int         dtype);
/* Shapes from (2, 3), [2, 3], torch.Size or varargs 2, 3. */
gboolean    gk_parse_shape            (PyObject   *args,
                                       int        *ndim,
                                       gint64     *sizes);
/* torch.float32 etc. <-> GeDType; -1 for None. */
int         gk_dtype_from_object      (PyObject   *obj);
PyObject   *gk_dtype_object           (GeDType     dtype);
PyObject   *gk_size_object            (int         ndim,
                                       const gint64 *sizes);
PyObject   *gk_device_object          (GeDevice    device);
gboolean    gk_convert_init           (PyObject   *module);

/* ---- grad_fn nodes (gk-node.c) ---- */

PyObject   *gk_node_wrap              (GeNode     *node);
gboolean    gk_node_type_init         (PyObject   *module);

/* ---- the _gradlab module (gk-module.c) ---- */

PyObject   *gk_module_init            (void);

/* Python-side helpers registered by torch/__init__.py (borrowed refs). */
extern PyObject *gk_size_type;        /* torch.Size */
extern PyObject *gk_parameter_type;   /* torch.nn.Parameter */

G_END_DECLS
