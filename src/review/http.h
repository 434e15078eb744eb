/* http.h — one HTTP request as the API handlers see it, the response they fill,
 * and the helpers every handler uses: query parameters, JSON bodies in and out,
 * errors as {"error": "..."} with the status that fits.
 *
 * A handler fills `resp` and returns; the server sends it. Bodies are malloc'd
 * (freed by the server after sending), static (UI assets) or a file descriptor
 * (images, crops: streamed by the kernel, closed by the server). */
#ifndef FACETAG_REVIEW_HTTP_H
#define FACETAG_REVIEW_HTTP_H

#include "core/error.h"
#include "core/hash.h"
#include "store/catalog.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
typedef struct review_state review_state; /* state.h */

typedef struct http_request {
    const char *method; /* "GET" (HEAD is served as GET), "POST", ... */
    const char *path;   /* the URL path, percent-decoded */
    const char *body;   /* NUL-terminated request body, "" when none */
    size_t body_len;
    const char *actor;           /* for the decision log: "token" or "local" */
    struct MHD_Connection *conn; /* query arguments and headers */
    review_state *st;            /* the server's shared state */
    catalog *cat;                /* this request's catalog connection (routes that need one) */
    /* Path parameters, checked by the router before the handler runs. */
    char photo_id[PHOTO_ID_LEN + 1];
    int64_t id; /* face_id / person_id */
    int face_no;
} http_request;

typedef struct http_response {
    unsigned status;
    const char *content_type;
    char *body;                       /* malloc'd; the server frees it */
    const unsigned char *static_body; /* or static bytes (not freed) */
    void *shared;                     /* or static_body points into this, released by shared_free */
    void (*shared_free)(void *);
    size_t len;
    int fd; /* or a file to send (-1 = none); the server closes it */
    uint64_t fd_size;
    const char *cache_control;       /* NULL = "no-store" */
    const char *content_disposition; /* NULL = none (exports: attachment) */
    const char *content_encoding;    /* NULL = identity; "gzip" */
    char etag[48];                   /* "" = none; a matching If-None-Match gets 304 */
    char location[64];               /* "" = none */
    char set_cookie[320];            /* "" = none */
    unsigned retry_after;            /* seconds for a Retry-After header; 0 = none */
} http_response;

/* Seconds a client is asked to wait (Retry-After) after a 503 for a busy catalog. */
#define HTTP_BUSY_RETRY_S 10

/* Initialises resp to "500 the request was not handled". */
void http_response_init(http_response *resp);
/* Releases what resp holds (body, fd) without sending it. */
void http_response_clear(http_response *resp);

/* JSON response: takes the reference to v (NULL = out of memory → 500). */
void http_json(http_response *resp, unsigned status, json_t *v);
/* {"error": message}. */
void http_error(http_response *resp, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The status that fits e->code: ERR_NOTFOUND 404, ERR_INVALID 400, ERR_CONFLICT 409,
 * ERR_LIMIT 413, ERR_BUSY 503 with Retry-After: HTTP_BUSY_RETRY_S (the catalog's
 * write lock was held by another process past the wait; nothing changed),
 * anything else 500 (logged to stderr). */
void http_error_from(http_response *resp, const err *e);
/* Takes a malloc'd body. */
void http_body(http_response *resp, unsigned status, const char *content_type, char *body, size_t len);

/* A query argument, or NULL. */
const char *http_query(const http_request *rq, const char *name);
/* An integer query argument in [min, max] (def when absent); false with a 400
 * in resp when it is not a whole number in range. */
bool http_query_int(const http_request *rq, http_response *resp, const char *name, long def, long min, long max,
                    long *out);
/* A request header, or NULL. */
const char *http_header(const http_request *rq, const char *name);

/* Parses the body as a JSON object (an empty body is {} when allow_empty);
 * NULL with a 400 in resp when it is malformed or not an object. Caller decrefs. */
json_t *http_body_object(const http_request *rq, http_response *resp, bool allow_empty);

/* JSON for a C string that may not be UTF-8 (file names): invalid bytes become
 * U+FFFD; NULL → null. */
json_t *http_json_text(const char *s);
/* A positive integer id from a JSON value; false when it is not one. */
bool http_json_id(const json_t *v, int64_t *out);
/* An array of positive integer ids (1..max entries); false with a 400 in resp. */
bool http_json_ids(const json_t *v, const char *field, http_response *resp, int64_t **out, size_t *n, size_t max);

#endif
