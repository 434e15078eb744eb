/* api_photos.c — GET /pending, GET /api/photos, GET /api/photos/{photo_id}. */
#include "review/api.h"
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
