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

/* A heap type, so that the torch package can add methods written in Python
 * and nn.Parameter can subclass it. */
extern PyTypeObject *gk_tensor_type;

#define GkTensor_Check(o) PyObject_TypeCheck ((o), gk_tensor_type)
#define GK_TENSOR(o) (((GkTensor *) (o))->tensor)

/* The Python object for @t: its existing wrapper (new ref) or a new Tensor.
 * Takes no reference to @t; NULL @t gives None. */
PyObject   *gk_tensor_wrap            (GeTensor      *t);
/* Consumes the caller's reference to @t (convenient for results).  NULL @t
 * raises the exception for *@error (and clears it). */
/* tensor.unbind(@dim) as a tuple of Tensors (also what iterating gives) */
PyObject   *gk_tensor_unbind_tuple    (GeTensor      *t,
                                       int            dim);
PyObject   *gk_tensor_take            (GeTensor      *t,
                                       GError       **error);
gboolean    gk_tensor_type_init       (PyObject      *module);

/* ---- Tensor methods and their torch.* function forms (gk-methods.c) ---- */

gboolean    gk_methods_init           (PyObject      *module);

/* ---- conversions and argument parsing (gk-convert.c) ---- */

/* Raises the Python exception for *@error with PyTorch's type (and clears
 * it); KeyboardInterrupt for GE_ERROR_INTERRUPTED.  Returns NULL. */
PyObject   *gk_raise                  (GError       **error);
/* The same, taking @error (NULL: a Python exception is already set). */
PyObject   *gk_raise_error            (GError        *error);
/* A Python number as a wrapped-number operand, a Tensor as itself (new
 * GeTensor ref), NULL (no exception) when @obj is neither. */
GeTensor   *gk_operand                (PyObject      *obj);
/* torch.tensor(data): nested sequences of numbers/bools/tensors, numpy
 * arrays and scalars; @dtype < 0 infers.  NULL with an exception set. */
GeTensor   *gk_tensor_from_data       (PyObject      *data,
                                       int            dtype);
/* A shape given as f(2, 3), f((2, 3)), f([2, 3]) or f(torch.Size). */
gboolean    gk_parse_shape            (const char    *fname,
                                       PyObject      *const *args,
                                       Py_ssize_t     nargs,
                                       int           *ndim,
                                       gint64        *sizes);
/* dim / dims arguments: an int, or None / int / tuple of ints. */
gboolean    gk_parse_int              (PyObject      *obj,
                                       int           *value);
gboolean    gk_parse_dims             (PyObject      *obj,
                                       int           *n,
                                       int           *dims);
/* TRUE unless @obj is given and false; -1 with an exception. */
int         gk_parse_bool             (PyObject      *obj,
                                       gboolean       fallback);
/* torch.float32 etc. -> GeDType; -1 for None/NULL, -2 with an exception. */
int         gk_dtype_from_object      (PyObject      *obj);
PyObject   *gk_dtype_object           (GeDType        dtype);
PyObject   *gk_size_object            (int            ndim,
                                       const gint64  *sizes);
PyObject   *gk_device_object          (GeDevice       device);
/* A device argument (None, "cpu", torch.device...): FALSE with PyTorch's
 * error for devices this build cannot use. @op names the ATen operator
 * that would allocate ("empty.memory_format"). */
gboolean    gk_check_device           (PyObject      *device,
                                       const char    *op);
/* "FloatTensor" etc. */
const char *gk_tensor_type_name       (GeDType        dtype);

/* Parses vectorcall arguments against @names.  A name starting with '$'
 * is keyword-only.  @values[i] is NULL when not given (borrowed refs). */
gboolean    gk_parse_args             (const char    *fname,
                                       PyObject      *const *args,
                                       Py_ssize_t     nargs,
                                       PyObject      *kwnames,
                                       const char    *const *names,
                                       int            n_names,
                                       int            n_required,
                                       PyObject     **values);
#define GK_PARSE(fname, names, n_required, values) \
  gk_parse_args ((fname), args, nargs, kwnames, (names), G_N_ELEMENTS (names), (n_required), (values))

gboolean    gk_convert_init           (PyObject      *module);

/* Python-level types registered by the torch package (borrowed refs;
 * NULL until registered). */
extern PyObject *gk_size_type;        /* torch.Size */
extern PyObject *gk_parameter_type;   /* torch.nn.Parameter */
extern PyObject *gk_return_types[3];  /* torch.return_types.max, min, sort */

enum { GK_RETURN_MAX, GK_RETURN_MIN, GK_RETURN_SORT };

/* Device arguments (gk-methods.c): PyTorch's lazy CUDA initialisation.
 * gk_device_arg: GE_DEVICE_CPU or GE_DEVICE_CUDA, -1 for none, -2 with an
 * exception; gk_cuda_usable: FALSE with torch.cuda._lazy_init()'s error. */
int         gk_device_arg       (PyObject   *obj,
                                 const char *op);
gboolean    gk_cuda_usable      (int         index);

/* ---- grad_fn nodes (gk-node.c) ---- */

PyObject   *gk_node_wrap              (GeNode        *node);
gboolean    gk_node_type_init         (PyObject      *module);

/* ---- autograd, factories, nn functional (gk-module.c) ---- */

PyObject   *gk_module_init            (void);

/* ---- torch.optim over the engine's optimizers (gk-optim.c) ---- */

gboolean    gk_optim_init             (PyObject      *module);

G_END_DECLS
