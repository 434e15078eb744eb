/* server.h — `facetag serve`: the REST API of docs/api.md and the embedded web
 * UI on libmicrohttpd (a pool of threads, each with its own catalog connection).
 *
 * Security: binds 127.0.0.1 by default; any address that is not loopback is
 * refused without a token. With a token every request (UI assets too) must carry
 * it (auth.h). Path parameters are checked before anything reaches the store,
 * request bodies are capped at REVIEW_MAX_BODY (413), and every SQL value is a
 * bound parameter. */
#ifndef FACETAG_REVIEW_SERVER_H
#define FACETAG_REVIEW_SERVER_H

#include "core/error.h"

#include <stdint.h>

#define REVIEW_DEFAULT_BIND "127.0.0.1"
#define REVIEW_DEFAULT_PORT 8001
#define REVIEW_MAX_BODY (1024 * 1024)
/* A decision waits this long for another writer (a `facetag cluster` run
 * committing its persons) rather than failing after the catalog's usual 5 s:
 * a person's click should not be lost to a batch job. */
#define REVIEW_BUSY_TIMEOUT_MS 30000

typedef struct review_options {
    const char *data_dir;   /* must hold a catalog (datadir_open with create = 0) */
    const char *models_dir; /* for boxes drawn by hand (loaded on first use) */
    const char *bind;       /* numeric IPv4/IPv6 address or "localhost"; NULL = 127.0.0.1 */
    int port;               /* 0 = any free port (review_server_port tells which) */
    const char *token;      /* NULL or "" = no auth (loopback only) */
    int threads;            /* HTTP worker threads (>= 1) */
    int busy_timeout_ms;    /* how long a decision waits for another process's write lock
                               before 503; 0 = REVIEW_BUSY_TIMEOUT_MS */
    const char *exe;        /* the facetag binary, run in the background to analyse a photo
                               flipped from the UI again (reanalyse.h); NULL: not done, the
                               flip's answer says the next `facetag flip ID` or analyze does it */
} review_options;

/* The worker count `facetag serve` runs for `-j cores`: handlers wait on
 * SQLite and the disk as well as the CPU, so two per core, at least 4. */
int review_default_threads(int cores);

typedef struct review_server review_server;

/* Opens the data folder and starts listening. ERR_INVALID for a bad address or
 * port, or a non-loopback bind without a token (the message says what to do);
 * ERR_NOTFOUND when the data folder has no catalog; ERR_IO when the port is
 * taken. Caller stops it with review_server_stop. */
review_server *review_server_start(const review_options *opt, err *e);
/* The port actually listened on. */
int review_server_port(const review_server *s);
/* Stops accepting, finishes the requests in flight, closes everything. */
void review_server_stop(review_server *s);

#endif
