/* reanalyse.h — a photo flipped from the UI is analysed and read again in the
 * background, without anybody running a command: a child process runs
 * `facetag flip PHOTO_ID` (cli/cmd_flip.c), which finds the flip done and
 * does what is left of the photo's analysis (people's decisions carried to
 * the new faces), its pending XMP regions and its OCR.
 *
 * Why a process and not a thread: the networks (oneDNN's bf16 kernels on
 * AMX) and Tesseract then start in a main thread exactly as on the command
 * line, never in a libmicrohttpd thread (review/draw.c says why that
 * matters), and a crash there cannot take the server down.
 *
 * Kill-safe: the stages themselves are (a kill loses at most the photo being
 * done, re-runs duplicate nothing), and a photo whose re-analysis did not
 * finish stays recognisable in the catalog (catalog_flips_pending): every
 * start of the server queues those again. Stopping the server ends a running
 * child with SIGTERM.
 *
 * One child at a time, photos in the order queued; a photo already queued is
 * not queued twice. Thread-safe. */
#ifndef FACETAG_REVIEW_REANALYSE_H
#define FACETAG_REVIEW_REANALYSE_H

#include "core/error.h"
#include "store/catalog.h"

#include <stddef.h>

typedef struct reanalyse reanalyse;

typedef struct reanalyse_options {
    const char *exe;        /* the facetag binary to run */
    const char *data_dir;   /* --data of the child */
    const char *models_dir; /* --models of the child; NULL: its default */
} reanalyse_options;

/* Starts the queue's thread and queues every flipped photo of cat whose
 * re-analysis was not finished (cat is used only during the call). NULL with
 * e set when the thread cannot start. */
reanalyse *reanalyse_start(const reanalyse_options *o, catalog *cat, err *e);
/* Ends a running child (SIGTERM), waits for it and for the thread; queued
 * photos stay pending in the catalog for the next start. NULL is a no-op. */
void reanalyse_stop(reanalyse *r);

/* Queues photo_id (a no-op when it is queued or running). 0, or ERR_NOMEM. */
int reanalyse_queue(reanalyse *r, const char *photo_id, err *e);

typedef enum reanalyse_state {
    REANALYSE_NONE,    /* not queued since the server started (see the catalog) */
    REANALYSE_QUEUED,  /* waiting for the child before it */
    REANALYSE_RUNNING, /* its child runs */
    REANALYSE_DONE,    /* its child finished with success */
    REANALYSE_FAILED,  /* its child failed: why gets the last line it wrote */
} reanalyse_state;

/* The state of photo_id's last re-analysis in this server; why (may be
 * NULL, why_len bytes) gets the reason of a failure, else "". */
reanalyse_state reanalyse_get(reanalyse *r, const char *photo_id, char *why, size_t why_len);
/* "none", "queued", "running", "done", "failed". */
const char *reanalyse_state_name(reanalyse_state s);

#endif
