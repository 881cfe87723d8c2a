/* gk-graph.h - _gradlab_graph: graph snapshots and traces for the protocol */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gk-private.h"

G_BEGIN_DECLS

/* The _gradlab_graph built-in module (registered by gk-main.c). */
PyObject   *gk_graph_module_init      (void);

G_END_DECLS
