/* batch.c — worker pool, results in finishing order, one reason per failed
 * item (batch.h). */
#include "core/batch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct run {
    const batch_ops *ops;
    void *ud;
    size_t n;
    pthread_mutex_t lock;
    pthread_cond_t ready;
    size_t next;   /* next item to hand out */
    size_t *done;  /* finished items, in the order they finished */
    int *rc;       /* per item */
    char **reason; /* per item, malloc'd when it failed (NULL when out of memory) */
    size_t ndone;
} run;

static void *worker(void *arg)
{
    run *r = arg;
    err setup = { 0 };
    void *state = r->ops->worker_init ? r->ops->worker_init(r->ud, &setup) : NULL;
    bool ready = !r->ops->worker_init || state || setup.code == 0;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        size_t i = r->next < r->n ? r->next++ : SIZE_MAX;
        pthread_mutex_unlock(&r->lock);
        if (i == SIZE_MAX)
            break;
        err e = { 0 };
        int rc = ready ? r->ops->work(r->ud, state, i, &e) : err_set(&e, setup.code, "%s", setup.msg);
        if (rc < 0 && !e.msg[0])
            err_set(&e, rc, "failed (%s)", err_code_name(rc));
        r->rc[i] = rc;
        r->reason[i] = rc < 0 ? strdup(e.msg) : NULL;
        pthread_mutex_lock(&r->lock);
        r->done[r->ndone++] = i;
        pthread_cond_signal(&r->ready);
        pthread_mutex_unlock(&r->lock);
    }
    if (r->ops->worker_fini)
        r->ops->worker_fini(r->ud, state);
    return NULL;
}

int batch_run(const batch_ops *ops, void *ud, size_t n, const batch_options *o, err *e)
{
    if (n == 0)
        return 0;
    run r = { .ops = ops, .ud = ud, .n = n };
    r.done = malloc(n * sizeof *r.done);
    r.rc = calloc(n, sizeof *r.rc);
    r.reason = calloc(n, sizeof *r.reason);
    int nthreads = o && o->threads > 1 ? o->threads : 1;
    if ((size_t)nthreads > n)
        nthreads = (int)n;
    pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
    if (!r.done || !r.rc || !r.reason || !tids) {
        free(r.done), free(r.rc), free(r.reason), free(tids);
        return err_set(e, ERR_NOMEM, "out of memory for a batch of %zu", n);
    }
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.ready, NULL);
    int started = 0;
    for (int t = 0; t < nthreads; t++)
        if (pthread_create(&tids[t], NULL, worker, &r) == 0)
            started++;
    if (started == 0)
        worker(&r); /* no thread could start: do the work here */
    progress *pr = o ? o->pr : NULL;
    int64_t base = o ? o->pr_base : 0;
    for (size_t got = 0; got < n; got++) {
        pthread_mutex_lock(&r.lock);
        while (r.ndone <= got)
            pthread_cond_wait(&r.ready, &r.lock);
        size_t i = r.done[got];
        pthread_mutex_unlock(&r.lock);
        const char *why = r.rc[i] < 0 ? (r.reason[i] ? r.reason[i] : "out of memory") : NULL;
        ops->done(ud, i, r.rc[i], why, pr);
        free(r.reason[i]);
        r.reason[i] = NULL;
        progress_set(pr, base + (int64_t)got + 1);
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_cond_destroy(&r.ready);
    pthread_mutex_destroy(&r.lock);
    free(tids), free(r.done), free(r.rc), free(r.reason);
    return 0;
}
