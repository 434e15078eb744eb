/* api_faces.c — decisions about one face: POST /annotate (the original
 * specification's call), reject and confirm under /api/faces/{id}/. Each is one
 * call into store/persons.h (one transaction with its decision-log rows); on a
 * face of a video's track (store/catalog_tracks.h) the same decision for the
 * track's other faces, in the same transaction. The answer is the face as it
 * is afterwards. */
#include "review/api.h"
#include "review/views.h"

#include "review/draw.h"
#include "review/state.h"
#include "store/catalog_tracks.h"
#include "store/persons.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Answers with face_id's current object (after a change). */
static void reply_face(http_request *rq, http_response *resp, int64_t face_id)
{
    json_t *face;
    err e = { 0 };
    if (view_face(rq->cat, face_id, &face, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, face);
}

/* The face's person (0 = none); ERR_NOTFOUND when there is no such face. */
static int face_person(http_request *rq, int64_t face_id, int64_t *person, err *e)
{
    json_t *face;
    int rc = view_face(rq->cat, face_id, &face, e);
    if (rc)
        return rc;
    json_t *p = json_object_get(face, "person_id");
    *person = json_is_integer(p) ? (int64_t)json_integer_value(p) : 0;
    json_decref(face);
    return 0;
}

/* A decision on a face of a video's track holds for the whole track (the
 * track is one review item): its other faces get the same decision. */
static int apply_to_track(http_request *rq, int64_t face_id, bool reject, int64_t person, err *e)
{
    int64_t *mates = NULL;
    size_t n = 0;
    int rc = catalog_track_mates(rq->cat, face_id, &mates, &n, e);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t got;
        rc = reject ? persons_reject_face(rq->cat, rq->actor, mates[i], e)
                    : persons_confirm_face(rq->cat, rq->actor, mates[i], person, &got, e);
    }
    free(mates);
    return rc;
}

/* Ends the transaction of a decision and its track: commit when rc == 0. */
static int decided(http_request *rq, int rc, err *e)
{
    if (rc == 0)
        return catalog_commit(rq->cat, e);
    catalog_rollback(rq->cat);
    return rc;
}

void api_faces_annotate(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    const char *photo_id = json_string_value(json_object_get(body, "photo_id"));
    json_t *face_ref = json_object_get(body, "face_id");
    json_t *label = json_object_get(body, "label");
    json_t *accepted = json_object_get(body, "accepted");
    int64_t ref = -1;
    if (!photo_id || !hash_photo_id_valid(photo_id))
        http_error(resp, 400, "\"photo_id\" must be 16 lowercase hex digits");
    else if (!json_is_integer(face_ref) || (ref = json_integer_value(face_ref)) < 0)
        http_error(resp, 400, "\"face_id\" must be a face id or a face number (a whole number)");
    else if (label && !json_is_string(label) && !json_is_null(label))
        http_error(resp, 400, "\"label\" must be a string or null");
    else if (!json_is_boolean(accepted))
        http_error(resp, 400, "\"accepted\" must be true or false");
    else {
        err e = { 0 };
        int64_t face_id = 0, person = 0;
        const char *name = json_string_value(label);
        int rc = view_resolve_face(rq->cat, photo_id, ref, &face_id, &e);
        if (rc == 0 && (rc = catalog_begin(rq->cat, &e)) == 0) {
            if (!json_is_true(accepted))
                rc = persons_reject_face(rq->cat, rq->actor, face_id, &e);
            else if (name && *name)
                rc = persons_name_face(rq->cat, rq->actor, face_id, name, &person, &e);
            else if ((rc = face_person(rq, face_id, &person, &e)) == 0)
                rc = persons_confirm_face(rq->cat, rq->actor, face_id, person, &person, &e);
            if (rc == 0)
                rc = apply_to_track(rq, face_id, !json_is_true(accepted), person, &e);
            rc = decided(rq, rc, &e);
        }
        if (rc)
            http_error_from(resp, &e);
        else
            reply_face(rq, resp, face_id);
    }
    json_decref(body);
}

void api_faces_reject(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, true);
    if (!body)
        return;
    json_decref(body);
    err e = { 0 };
    int rc = catalog_begin(rq->cat, &e);
    if (rc == 0) {
        rc = persons_reject_face(rq->cat, rq->actor, rq->id, &e);
        if (rc == 0)
            rc = apply_to_track(rq, rq->id, true, 0, &e);
        rc = decided(rq, rc, &e);
    }
    if (rc)
        http_error_from(resp, &e);
    else
        reply_face(rq, resp, rq->id);
}

void api_faces_confirm(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, true);
    if (!body)
        return;
    json_t *pid = json_object_get(body, "person_id");
    int64_t person = 0;
    err e = { 0 };
    int rc = 0;
    if (pid && !json_is_null(pid)) {
        if (!http_json_id(pid, &person)) {
            http_error(resp, 400, "\"person_id\" must be a positive integer");
            json_decref(body);
            return;
        }
    } else {
        rc = face_person(rq, rq->id, &person, &e);
    }
    json_decref(body);
    if (rc == 0 && (rc = catalog_begin(rq->cat, &e)) == 0) {
        rc = persons_confirm_face(rq->cat, rq->actor, rq->id, person, &person, &e);
        if (rc == 0)
            rc = apply_to_track(rq, rq->id, false, person, &e);
        rc = decided(rq, rc, &e);
    }
    if (rc)
        http_error_from(resp, &e);
    else
        reply_face(rq, resp, rq->id);
}

void api_faces_draw(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    json_t *box = json_object_get(body, "box"), *name = json_object_get(body, "name");
    double b[4];
    bool ok = json_is_array(box) && json_array_size(box) == 4;
    for (size_t i = 0; ok && i < 4; i++) {
        json_t *v = json_array_get(box, i);
        ok = json_is_number(v) && isfinite(json_number_value(v));
        if (ok)
            b[i] = json_number_value(v);
    }
    if (!ok) {
        http_error(resp, 400, "\"box\" must be [x, y, w, h]: four numbers in pixels of the processed image");
    } else if (name && !json_is_string(name) && !json_is_null(name)) {
        http_error(resp, 400, "\"name\" must be a string or null");
    } else {
        err e = { 0 };
        int64_t face_id = 0;
        if (draw_face(rq->st->draw, rq->cat, rq->st->objects, rq->actor, rq->photo_id, b, json_string_value(name),
                      &face_id, &e) != 0)
            http_error_from(resp, &e);
        else {
            reply_face(rq, resp, face_id);
            if (resp->status == 200)
                resp->status = 201;
        }
    }
    json_decref(body);
}
