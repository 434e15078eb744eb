/* api_persons.c — persons: list and one person, and the decisions about them
 * (rename, merge, hide, move faces in, split faces out), each one call into
 * store/persons.h; the answer is the person afterwards. */
#include "review/api.h"
#include "review/views.h"

#include "cluster/doubt.h"
#include "store/persons.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Descriptor length (catalog_face.embedding). */
#define PERSON_PAGE_DIM (sizeof((catalog_face *)0)->embedding / sizeof(float))

/* The most ids one request may name (a person page's multi-select). */
#define MAX_IDS 10000

/* Answers with the person (with its faces or not), or the error that says why not. */
static void reply_person(http_request *rq, http_response *resp, int64_t person_id, bool with_faces)
{
    json_t *p;
    err e = { 0 };
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
        err e = { 0 };
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
    err e = { 0 };
    if (view_persons(rq->cat, hidden == 1, http_query(rq, "q"), &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

/* The person's faces in dendrogram leaf order, each with its distance to the
 * person's centre and "far" when it lies far from it, and "doubt": the top
 * split's height and, when the person looks like two, the face ids the page
 * offers to split off (cluster/doubt.h). Faces without a descriptor (drawn by
 * hand) keep their place at the end. */
static int add_doubt(catalog *c, json_t *person, err *e)
{
    json_t *faces = json_object_get(person, "faces");
    size_t n = json_array_size(faces);
    float *x = malloc((n ? n : 1) * PERSON_PAGE_DIM * sizeof *x);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    bool *confirmed = calloc(n ? n : 1, sizeof *confirmed);
    if (!x || !idx || !confirmed) {
        free(x);
        free(idx);
        free(confirmed);
        return err_set(e, ERR_NOMEM, "person page: out of memory for %zu faces", n);
    }
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        catalog_face f;
        int found =
            catalog_face_get(c, json_integer_value(json_object_get(json_array_get(faces, i), "face_id")), &f, e);
        if (found < 0)
            rc = found;
        else if (found > 0 && f.has_embedding) {
            memcpy(x + m * PERSON_PAGE_DIM, f.embedding, PERSON_PAGE_DIM * sizeof *x);
            const char *status = json_string_value(json_object_get(json_array_get(faces, i), "status"));
            confirmed[m] = status && strcmp(status, "confirmed") == 0;
            idx[m++] = i;
        }
    }
    doubt_result d;
    if (rc == 0)
        rc = doubt_analyse(x, m, PERSON_PAGE_DIM, confirmed, &d, e);
    if (rc == 0) {
        json_t *ordered = json_array(), *offer = json_array();
        bool *placed = calloc(n ? n : 1, sizeof *placed);
        for (size_t k = 0; k < m; k++) {
            size_t r = d.order[k];
            json_t *f = json_array_get(faces, idx[r]);
            json_object_set_new(f, "centre_distance", json_real(d.centre_dist[r]));
            json_object_set_new(f, "far", json_boolean(d.far[r]));
            json_array_append(ordered, f);
            placed[idx[r]] = true;
            if (d.side[r])
                json_array_append(offer, json_object_get(f, "face_id"));
        }
        for (size_t i = 0; i < n; i++)
            if (!placed || !placed[i])
                json_array_append(ordered, json_array_get(faces, i));
        free(placed);
        json_object_set_new(person, "doubt",
                            json_pack("{s:f,s:f,s:f,s:f,s:b,s:o}", "split_height", d.split_height, "split_above",
                                      DOUBT_SPLIT_HEIGHT, "silhouette", d.silhouette, "silhouette_above",
                                      DOUBT_SILHOUETTE, "two", d.two, "split_offer", offer));
        json_object_set_new(person, "faces", ordered);
        doubt_free(&d);
    }
    free(x);
    free(idx);
    free(confirmed);
    return rc;
}

void api_persons_get(http_request *rq, http_response *resp)
{
    json_t *p = NULL;
    err e = { 0 };
    if (view_person(rq->cat, rq->id, true, &p, &e) != 0 || add_doubt(rq->cat, p, &e) != 0) {
        json_decref(p);
        http_error_from(resp, &e);
    } else {
        http_json(resp, 200, p);
    }
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
        err e = { 0 };
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
        err e = { 0 };
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
