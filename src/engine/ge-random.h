/* ge-random.h - PyTorch-compatible CPU random number generator */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "ge-tensor.h"

G_BEGIN_DECLS

/* MT19937 with PyTorch's seeding, uniform and normal paths (see
 * docs/engine.md and shared pytorch-compat.md). */
typedef struct _GeGenerator GeGenerator;

GeGenerator *ge_generator_new            (guint64      seed);
void         ge_generator_free           (GeGenerator *self);
/* The process-wide default generator (torch.default_generator). */
GeGenerator *ge_generator_get_default    (void);
/* Reseeds and clears the cached normal sample. */
void         ge_generator_manual_seed    (GeGenerator *self,
                                          guint64      seed);
guint32      ge_generator_random         (GeGenerator *self);
guint64      ge_generator_random64       (GeGenerator *self);

/* torch.manual_seed(seed): reseeds the default generator. */
void         ge_manual_seed              (guint64      seed);

/* @generator may be NULL for the default one. */
GeTensor    *ge_tensor_rand              (int           ndim,
                                          const gint64 *sizes,
                                          GeDType       dtype,
                                          GeGenerator  *generator,
                                          GError      **error);
GeTensor    *ge_tensor_randn             (int           ndim,
                                          const gint64 *sizes,
                                          GeDType       dtype,
                                          GeGenerator  *generator,
                                          GError      **error);
/* In place, on float tensors (contiguous or not). */
gboolean     ge_tensor_uniform_          (GeTensor     *self,
                                          double        from,
                                          double        to,
                                          GeGenerator  *generator,
                                          GError      **error);
gboolean     ge_tensor_normal_           (GeTensor     *self,
                                          double        mean,
                                          double        std,
                                          GeGenerator  *generator,
                                          GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GeGenerator, ge_generator_free)

G_END_DECLS
