/* api_photos.c — GET /pending, GET /api/photos, GET /api/photos/{photo_id},
 * POST /api/photos/{photo_id}/flip. */
#include "analyze/analyze_flip.h"
#include "review/api.h"
#include "review/state.h"
#include "review/views.h"

typedef int (*page_view)(catalog *c, long limit, long offset, json_t **out, err *e);

/* A paged list: ?limit (1..1000, default 100) and ?offset, answered by `view`. */
static void reply_page(http_request *rq, http_response *resp, page_view view)
{
    long limit, offset;
    if (!http_query_int(rq, resp, "limit", 100, 1, 1000, &limit) ||
        !http_query_int(rq, resp, "offset", 0, 0, 1000000000, &offset))
        return;
    json_t *out;
    err e = { 0 };
    if (view(rq->cat, limit, offset, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

void api_photos_pending(http_request *rq, http_response *resp)
{
    reply_page(rq, resp, view_pending);
}

void api_photos_list(http_request *rq, http_response *resp)
{
    reply_page(rq, resp, view_photo_list);
}

void api_photos_get(http_request *rq, http_response *resp)
{
    json_t *out;
    err e = { 0 };
    if (view_photo(rq->cat, rq->photo_id, true, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

/* A print scanned mirror-wise, flipped back (analyze/analyze_flip.h): the
 * photo as it is now; its faces come back with the next `facetag analyze`
 * (people's decisions carried to them), "reanalysis": "pending". */
void api_photos_flip(http_request *rq, http_response *resp)
{
    err e = { 0 };
    int rc = analyze_flip(rq->st->objects, rq->cat, rq->photo_id, rq->actor, &e);
    json_t *out = NULL;
    if (rc < 0 || view_photo(rq->cat, rq->photo_id, false, &out, &e) != 0) {
        http_error_from(resp, &e);
        return;
    }
    json_object_set_new(out, "flipped_now", json_boolean(rc == 1));
    json_object_set_new(out, "reanalysis", json_string("pending: the next `facetag analyze` reads the flipped image"));
    http_json(resp, 200, out);
}
