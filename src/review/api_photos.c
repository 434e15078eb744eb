/* api_photos.c — GET /pending, GET /api/photos, GET /api/photos/{photo_id}. */
#include "review/api.h"
#include "review/views.h"

void api_photos_pending(http_request *rq, http_response *resp)
{
    long limit, offset;
    if (!http_query_int(rq, resp, "limit", 100, 1, 1000, &limit) ||
        !http_query_int(rq, resp, "offset", 0, 0, 1000000000, &offset))
        return;
    json_t *out;
    err e = {0};
    if (view_pending(rq->cat, limit, offset, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

void api_photos_list(http_request *rq, http_response *resp)
{
    long limit, offset;
    if (!http_query_int(rq, resp, "limit", 100, 1, 1000, &limit) ||
        !http_query_int(rq, resp, "offset", 0, 0, 1000000000, &offset))
        return;
    json_t *out;
    err e = {0};
    if (view_photo_list(rq->cat, limit, offset, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

void api_photos_get(http_request *rq, http_response *resp)
{
    json_t *out;
    err e = {0};
    if (view_photo(rq->cat, rq->photo_id, true, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}
