/* workq.c — one FIFO of jobs and the threads that run them (workq.h). */
#include "review/workq.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    workq_fn fn;
    void *arg;
    struct job *next;
} job;

struct workq {
    pthread_mutex_t lock;
    pthread_cond_t ready; /* a job was queued, or stopping */
    job *head, *tail;
    job *spare; /* finished jobs' nodes, reused (no malloc per request) */
    bool stopping;
    int n;
    pthread_t *threads;
};

static void *worker(void *arg)
{
    workq *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->head && !q->stopping)
            pthread_cond_wait(&q->ready, &q->lock);
        job *j = q->head;
        if (!j)
            break; /* stopping and nothing left */
        q->head = j->next;
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->lock);
        j->fn(j->arg);
        pthread_mutex_lock(&q->lock);
        j->next = q->spare;
        q->spare = j;
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

workq *workq_start(int n, err *e)
{
    if (n < 1)
        n = 1;
    workq *q = calloc(1, sizeof *q);
    if (!q || !(q->threads = calloc((size_t)n, sizeof *q->threads))) {
        free(q);
        err_set(e, ERR_NOMEM, "out of memory starting %d worker threads", n);
        return NULL;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->ready, NULL);
    for (int i = 0; i < n; i++) {
        int rc = pthread_create(&q->threads[i], NULL, worker, q);
        if (rc != 0) {
            err_set(e, ERR_IO, "cannot start worker thread %d of %d: %s", i + 1, n, strerror(rc));
            workq_stop(q);
            return NULL;
        }
        q->n++;
    }
    return q;
}

bool workq_submit(workq *q, workq_fn fn, void *arg)
{
    pthread_mutex_lock(&q->lock);
    job *j = NULL;
    if (!q->stopping) {
        j = q->spare;
        if (j)
            q->spare = j->next;
        else
            j = malloc(sizeof *j);
    }
    if (j) {
        *j = (job){ .fn = fn, .arg = arg };
        if (q->tail)
            q->tail->next = j;
        else
            q->head = j;
        q->tail = j;
        pthread_cond_signal(&q->ready);
    }
    pthread_mutex_unlock(&q->lock);
    return j != NULL;
}

void workq_stop(workq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->stopping = true;
    pthread_cond_broadcast(&q->ready);
    pthread_mutex_unlock(&q->lock);
    for (int i = 0; i < q->n; i++)
        pthread_join(q->threads[i], NULL);
    while (q->spare) {
        job *j = q->spare;
        q->spare = j->next;
        free(j);
    }
    pthread_cond_destroy(&q->ready);
    pthread_mutex_destroy(&q->lock);
    free(q->threads);
    free(q);
}
