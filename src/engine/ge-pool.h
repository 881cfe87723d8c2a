/* ge-pool.h - free lists for the engine's small fixed-size blocks */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/*
 * The lessons' training loops create and free thousands of storages,
 * version counters, autograd metas, graph nodes and backward tasks per
 * second, each a few hundred bytes.  GLib 2.74's g_slice goes through
 * per-thread magazines and malloc through its bins; a free list per block
 * kind is a pointer push/pop.  The engine is used from one thread at a time
 * (ge-tensor.c), so the lists have no lock.
 *
 * Under AddressSanitizer every block is really freed, so that use after
 * free is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
# define GE_POOL_ENABLED 0
#else
# define GE_POOL_ENABLED 1
#endif

#define GE_POOL_MAX 1024

typedef struct
{
  gsize    size;
  guint    len;
  gpointer items[GE_POOL_MAX];
} GePool;

#define GE_POOL_INIT(type) { sizeof (type), 0, { NULL } }

/* A zero-filled block of pool->size bytes. */
static inline gpointer
ge_pool_alloc0 (GePool *pool)
{
  if (GE_POOL_ENABLED && pool->len > 0)
    {
      gpointer block = pool->items[--pool->len];
      memset (block, 0, pool->size);
      return block;
    }
  return g_malloc0 (pool->size);
}

static inline void
ge_pool_free (GePool   *pool,
              gpointer  block)
{
  if (block == NULL)
    return;
  if (GE_POOL_ENABLED && pool->len < GE_POOL_MAX)
    pool->items[pool->len++] = block;
  else
    g_free (block);
}

G_END_DECLS
