/* error.h — the one error type threaded through every stage.
 *
 * A function that can fail takes `err *e` last and returns 0 on success or a
 * negative errcode (its own `e->code`) on failure, with a message for a person in
 * `e->msg` that names the input and says what is wrong. `e` may be NULL when the
 * caller only wants the code. Nothing in a library function calls exit(). */
#ifndef FACETAG_CORE_ERROR_H
#define FACETAG_CORE_ERROR_H

#include <stddef.h>

typedef enum errcode {
    ERR_OK = 0,
    ERR_IO = -1,      /* file system or network I/O failed */
    ERR_INVALID = -2, /* bad argument or input (usage, key, JSON, ...) */
    ERR_NOMEM = -3,
    ERR_FORMAT = -4, /* content is not a format we read, or is damaged */
    ERR_NOTFOUND = -5,
    ERR_DB = -6,       /* catalog backend error */
    ERR_LIMIT = -7,    /* over a configured limit (pixels, size) */
    ERR_MODEL = -8,    /* model weights missing or not as expected */
    ERR_CONFLICT = -9, /* the change contradicts stored state */
    ERR_INTERNAL = -10,
    ERR_BUSY = -11, /* another writer held a lock longer than we wait; try again later */
} errcode;

typedef struct err {
    errcode code;
    char msg[1024];
} err;

/* Sets e (when not NULL) and returns code, so `return err_set(e, ...)` reads well. */
int err_set(err *e, errcode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with "prefix: " (e.g. a file name); returns e->code. */
int err_prefix(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void err_clear(err *e);
/* A short fixed name for a code: "io", "format", ... */
const char *err_code_name(errcode code);

#endif
