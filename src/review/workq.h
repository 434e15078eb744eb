/* workq.h — the server's worker threads: requests that need work (a handler,
 * a query) wait in one first-in first-out queue and are taken by whichever
 * worker is free. libmicrohttpd's own thread pool binds each connection to one
 * thread for its life, so a keep-alive connection waits behind every request of
 * the other connections that landed on its thread (and behind one slow request
 * there) while other threads may be idle; one queue serves requests in the order
 * they came, whatever connection they came on. Thread-safe. */
#ifndef FACETAG_REVIEW_WORKQ_H
#define FACETAG_REVIEW_WORKQ_H

#include "core/error.h"

#include <stdbool.h>

typedef struct workq workq;

/* A job: run once by one worker. */
typedef void (*workq_fn)(void *arg);

/* Starts n worker threads (n >= 1). ERR_NOMEM or ERR_IO (a thread could not be
 * started: the message says so); caller stops it with workq_stop. */
workq *workq_start(int n, err *e);
/* Queues fn(arg): true, or false once workq_stop has begun (nothing is queued;
 * the caller runs the job itself) or when out of memory. */
bool workq_submit(workq *q, workq_fn fn, void *arg);
/* Refuses new jobs, runs every job already queued, joins the workers, frees q.
 * NULL is a no-op. */
void workq_stop(workq *q);

#endif
