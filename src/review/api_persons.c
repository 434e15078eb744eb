/* api_persons.c — persons: list and one person, and the decisions about them
 * (rename, merge, hide, move faces in, split faces out), each one call into
 * store/persons.h; the answer is the person afterwards. */
#include "review/api.h"
#include "review/views.h"

#include "store/persons.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The most ids one request may name (a person page's multi-select). */
#define MAX_IDS 10000

/* Answers with the person (with its faces or not), or the error that says why not. */
static void reply_person(http_request *rq, http_response *resp, int64_t person_id, bool with_faces)
{
    json_t *p;
    err e = {0};
    if (view_person(rq->cat, person_id, with_faces, &p, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, p);
}

/* After a decision (rc, e): its error, else the person as it is now. */
static void reply_decided(http_request *rq, http_response *resp, int rc, const err *e, int64_t person_id)
{
    if (rc != 0)
        http_error_from(resp, e);
    else
        reply_person(rq, resp, person_id, false);
}

/* A decision about the ids a body lists under field (faces or persons):
 * *person comes in as the path's person id and goes out as the one to answer with. */
typedef int (*ids_decision)(http_request *rq, const int64_t *ids, size_t n, int64_t *person, err *e);

static void decide_ids(http_request *rq, http_response *resp, const char *field, ids_decision decide)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    int64_t *ids;
    size_t n;
    if (http_json_ids(json_object_get(body, field), field, resp, &ids, &n, MAX_IDS)) {
        err e = {0};
        int64_t person = rq->id;
        int rc = decide(rq, ids, n, &person, &e);
        reply_decided(rq, resp, rc, &e, person);
        free(ids);
    }
    json_decref(body);
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
    reply_person(rq, resp, rq->id, true);
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
        int rc = persons_rename(rq->cat, rq->actor, rq->id, json_string_value(name), &e);
        reply_decided(rq, resp, rc, &e, rq->id);
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
        int rc = persons_hide(rq->cat, rq->actor, rq->id, json_is_true(hidden), &e);
        reply_decided(rq, resp, rc, &e, rq->id);
    }
    json_decref(body);
}

static int merge(http_request *rq, const int64_t *ids, size_t n, int64_t *person, err *e)
{
    (void)person; /* the kept one: the path's */
    return persons_merge(rq->cat, rq->actor, rq->id, ids, n, e);
}

static int move_faces(http_request *rq, const int64_t *ids, size_t n, int64_t *person, err *e)
{
    return persons_move_faces(rq->cat, rq->actor, ids, n, rq->id, person, e);
}

static int split(http_request *rq, const int64_t *ids, size_t n, int64_t *person, err *e)
{
    return persons_split(rq->cat, rq->actor, ids, n, person, e);
}

void api_persons_merge(http_request *rq, http_response *resp)
{
    decide_ids(rq, resp, "from", merge);
}

void api_persons_add_faces(http_request *rq, http_response *resp)
{
    decide_ids(rq, resp, "face_ids", move_faces);
}

void api_persons_split(http_request *rq, http_response *resp)
{
    decide_ids(rq, resp, "face_ids", split);
}
