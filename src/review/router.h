/* router.h — maps a method and path to its handler (api.h), checking the path
 * parameters on the way: {photo_id} is exactly 16 lowercase hex digits, {id} a
 * positive integer, {face_no} a whole number; nothing else reaches a handler.
 * Unknown path → 404, known path with another method → 405, a path parameter of
 * the wrong shape → 400. */
#ifndef FACETAG_REVIEW_ROUTER_H
#define FACETAG_REVIEW_ROUTER_H

#include "review/http.h"

#include <stdbool.h>

/* What a route needs from the server. */
enum {
    ROUTE_DB = 1,    /* the handler uses rq->cat */
    ROUTE_CACHE = 2, /* a read whose answer may be kept until the catalog changes (respcache.h) */
};

/* The route for rq->method + rq->path, its parameters written into rq. NULL with
 * the error response in resp when there is none; *flags gets its ROUTE_* bits. */
typedef void (*router_handler)(http_request *rq, http_response *resp);
router_handler router_match(http_request *rq, http_response *resp, unsigned *flags);

#endif
