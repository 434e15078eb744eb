/* api_persons.c — persons: list and one person, and the decisions about them
 * (rename, merge, hide, move faces in, split faces out), each one call into
 * people/persons.h; the answer is the person afterwards. */
#include "review/api.h"
#include "review/views.h"

#include "people/persons.h"

#include <stdlib.h>
#include <string.h>

/* The most ids one request may name (a person page's multi-select). */
#define MAX_IDS 10000

static void reply_person(http_request *rq, http_response *resp, int64_t person_id)
{
    json_t *p;
    err e = {0};
    if (view_person(rq->cat, person_id, false, &p, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, p);
}

void api_persons_list(http_request *rq, http_response *resp)
{
    long hidden;
    if (!http_query_int(rq, resp, "hidden", 0, 0, 1, &hidden))
        return;
    json_t *out;
    err e = {0};
    if (view_persons(rq->cat, hidden == 1, http_query(rq, "q"), &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

void api_persons_get(http_request *rq, http_response *resp)
{
    json_t *p;
    err e = {0};
    if (view_person(rq->cat, rq->id, true, &p, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, p);
}

void api_persons_rename(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    json_t *name = json_object_get(body, "name");
    if (!name || (!json_is_string(name) && !json_is_null(name))) {
        http_error(resp, 400, "\"name\" must be a string or null");
    } else {
        err e = {0};
        if (persons_rename(rq->cat, rq->actor, rq->id, json_string_value(name), &e) != 0)
            http_error_from(resp, &e);
        else
            reply_person(rq, resp, rq->id);
    }
    json_decref(body);
}

void api_persons_merge(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    int64_t *ids;
    size_t n;
    if (http_json_ids(json_object_get(body, "from"), "from", resp, &ids, &n, MAX_IDS)) {
        err e = {0};
        if (persons_merge(rq->cat, rq->actor, rq->id, ids, n, &e) != 0)
            http_error_from(resp, &e);
        else
            reply_person(rq, resp, rq->id);
        free(ids);
    }
    json_decref(body);
}

void api_persons_hide(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    json_t *hidden = json_object_get(body, "hidden");
    if (!json_is_boolean(hidden)) {
        http_error(resp, 400, "\"hidden\" must be true or false");
    } else {
        err e = {0};
        if (persons_hide(rq->cat, rq->actor, rq->id, json_is_true(hidden), &e) != 0)
            http_error_from(resp, &e);
        else
            reply_person(rq, resp, rq->id);
    }
    json_decref(body);
}

void api_persons_add_faces(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    int64_t *ids;
    size_t n;
    if (http_json_ids(json_object_get(body, "face_ids"), "face_ids", resp, &ids, &n, MAX_IDS)) {
        err e = {0};
        int64_t person = 0;
        if (persons_move_faces(rq->cat, rq->actor, ids, n, rq->id, &person, &e) != 0)
            http_error_from(resp, &e);
        else
            reply_person(rq, resp, person);
        free(ids);
    }
    json_decref(body);
}

void api_persons_split(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    int64_t *ids;
    size_t n;
    if (http_json_ids(json_object_get(body, "face_ids"), "face_ids", resp, &ids, &n, MAX_IDS)) {
        err e = {0};
        int64_t person = 0;
        if (persons_split(rq->cat, rq->actor, ids, n, &person, &e) != 0)
            http_error_from(resp, &e);
        else
            reply_person(rq, resp, person);
        free(ids);
    }
    json_decref(body);
}
