/* api_status.c — GET /healthz and GET /api/decisions (the log, newest first). */
#include "review/api.h"

#include "store/catalog_query.h"

#include <stdlib.h>

void api_status_healthz(http_request *rq, http_response *resp)
{
    catalog_counts n;
    err e = { 0 };
    if (catalog_counts_get(rq->cat, &n, &e) != 0) {
        http_error_from(resp, &e);
        return;
    }
    http_json(resp, 200,
              json_pack("{s:b, s:I, s:I}", "ok", 1, "photos", (json_int_t)n.photos, "faces", (json_int_t)n.faces));
}

/* A JSON column as a value (null when NULL). */
static json_t *column_json(catalog_cursor *st, int col)
{
    const char *t = catalog_cursor_text(st, col);
    json_t *v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : NULL;
    return v ? v : json_null();
}

static json_t *column_text(catalog_cursor *st, int col)
{
    const char *t = catalog_cursor_text(st, col);
    return http_json_text(t);
}

static json_t *column_int_or_null(catalog_cursor *st, int col)
{
    return catalog_cursor_is_null(st, col) ? json_null() : json_integer(catalog_cursor_i64(st, col));
}

void api_status_decisions(http_request *rq, http_response *resp)
{
    long limit;
    if (!http_query_int(rq, resp, "limit", 100, 1, 1000, &limit))
        return;
    err e = { 0 };
    catalog_cursor *st = catalog_query(rq->cat,
                                       "SELECT id, at, actor, action, photo_id, face_id, person_id, before, after "
                                       "FROM decisions ORDER BY id DESC LIMIT ?1",
                                       "list decisions", &e);
    if (!st) {
        http_error_from(resp, &e);
        return;
    }
    catalog_cursor_bind_i64(st, 1, limit);
    json_t *out = json_array();
    int rc;
    while ((rc = catalog_cursor_next(st, &e)) == 1) {
        json_t *d = json_object();
        json_object_set_new(d, "id", json_integer(catalog_cursor_i64(st, 0)));
        json_object_set_new(d, "at", column_text(st, 1));
        json_object_set_new(d, "actor", column_text(st, 2));
        json_object_set_new(d, "action", column_text(st, 3));
        json_object_set_new(d, "photo_id", column_text(st, 4));
        json_object_set_new(d, "face_id", column_int_or_null(st, 5));
        json_object_set_new(d, "person_id", column_int_or_null(st, 6));
        json_object_set_new(d, "before", column_json(st, 7));
        json_object_set_new(d, "after", column_json(st, 8));
        json_array_append_new(out, d);
    }
    if (rc != 0) {
        http_error_from(resp, &e);
        json_decref(out);
    } else {
        http_json(resp, 200, out);
    }
    catalog_cursor_close(st);
}
