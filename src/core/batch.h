/* batch.h — the one batch engine of the stages (ingest, analyze; later
 * annotate): items 0..n-1 are handed in order to a pool of worker threads; the
 * calling thread receives each finished item in the order they finish and
 * records it (so the catalog has one writer and one transaction per item),
 * advances the progress bar, and gets, for an item that failed, the reason its
 * work gave. One failed item never stops the batch.
 *
 * Threads: `work` runs on the workers (several at once: it must only touch its
 * own item and its worker state), `done` on the calling thread only. When no
 * thread can be started the calling thread does the work itself. */
#ifndef FACETAG_CORE_BATCH_H
#define FACETAG_CORE_BATCH_H

#include "core/error.h"
#include "core/progress.h"

#include <stddef.h>
#include <stdint.h>

typedef struct batch_ops {
    /* Per worker: makes its state (e.g. a catalog handle, a network runner).
     * May be NULL (state NULL). On failure returns NULL with e set: then every
     * item that worker takes fails with e's message as its reason. */
    void *(*worker_init)(void *ud, err *e);
    /* Frees a worker's state (also NULL) when the worker ends; may be NULL. */
    void (*worker_fini)(void *ud, void *state);
    /* Does item i: 0, or <0 with e set (e->msg is the item's reason). */
    int (*work)(void *ud, void *state, size_t i, err *e);
    /* On the calling thread, in the order items finish: rc is work's result,
     * reason its message when rc < 0 (else NULL; valid during the call only). */
    void (*done)(void *ud, size_t i, int rc, const char *reason, progress *pr);
} batch_ops;

typedef struct batch_options {
    int threads;     /* workers (< 1: one), at most one per item */
    progress *pr;    /* the bar to advance and print reasons above; may be NULL */
    int64_t pr_base; /* items counted on the bar before this batch */
} batch_options;

/* Runs the batch: returns 0 once every item was handed to done, or ERR_NOMEM
 * (nothing done) when the bookkeeping cannot be allocated. */
int batch_run(const batch_ops *ops, void *ud, size_t n, const batch_options *o, err *e);

#endif
