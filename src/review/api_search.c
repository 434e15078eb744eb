/* api_search.c — GET /api/search?q=NAME: the persons whose name holds q and
 * the photos they appear in (or whose caption or file holds q). */
#include "review/api.h"
#include "review/views.h"

#include <string.h>

#define SEARCH_MAX_PHOTOS 200

void api_search(http_request *rq, http_response *resp)
{
    const char *q = http_query(rq, "q");
    if (!q || !*q) {
        http_error(resp, 400, "search needs a query: ?q=NAME");
        return;
    }
    if (strlen(q) > 512) {
        http_error(resp, 400, "the query is over 512 bytes");
        return;
    }
    json_t *persons = NULL, *photos = NULL;
    err e = { 0 };
    if (view_persons(rq->cat, false, q, &persons, &e) != 0 ||
        view_photo_search(rq->cat, q, SEARCH_MAX_PHOTOS, &photos, &e) != 0) {
        json_decref(persons);
        http_error_from(resp, &e);
        return;
    }
    http_json(resp, 200, json_pack("{s:o, s:o}", "persons", persons, "photos", photos));
}
