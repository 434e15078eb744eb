/* state.h — what the server shares between its worker threads and hands to
 * every handler (http_request.st). Set up by server.c; read-only after start
 * except where a field says how it is guarded. */
#ifndef FACETAG_REVIEW_STATE_H
#define FACETAG_REVIEW_STATE_H

#include "review/auth.h"
#include "review/dbpool.h"
#include "review/draw.h"
#include "review/reanalyse.h"
#include "review/respcache.h"
#include "store/objstore.h"

struct review_state {
    objstore *objects;    /* shared by threads (objstore.h) */
    dbpool *pool;         /* one catalog connection per request */
    respcache *cache;     /* answers of ROUTE_CACHE reads */
    draw_engine *draw;    /* networks for faces drawn by hand, loaded on first use */
    reanalyse *reanalyse; /* flipped photos analysed again in the background; NULL: none */
    auth_policy auth;
    const char *models_dir;
    const char *actor; /* decision log: "token" with auth, else "local" */
};

#endif
