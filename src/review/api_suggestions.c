/* api_suggestions.c — annotate's name suggestions for review: GET
 * /api/suggestions lists them with their evidence (the review queue, or every
 * suggestion of one person), POST /api/suggestions accepts or rejects one
 * (store/catalog_decide.h: an accepted name names the person or face, a
 * rejected one never comes back; both are decisions every later run keeps). */
#include "review/api.h"
#include "store/catalog_decide.h"

#include <jansson.h>
#include <limits.h>
#include <string.h>

/* The most evidence items one suggestion shows. */
#define API_SUG_EVIDENCE_MAX 8

static int on_sug(const catalog_decide_sug *s, void *ud)
{
    json_t *ev = s->evidence ? json_loads(s->evidence, 0, NULL) : NULL;
    size_t total = json_array_size(ev);
    while (json_array_size(ev) > API_SUG_EVIDENCE_MAX)
        json_array_remove(ev, json_array_size(ev) - 1);
    json_t *o = json_pack("{s:o,s:o,s:s?,s:I,s:s,s:f,s:s,s:s,s:o,s:I,s:s?,s:i}", "person_id",
                          s->person_id ? json_integer(s->person_id) : json_null(), "face_id",
                          s->face_id ? json_integer(s->face_id) : json_null(), "person_name", s->person_name, "faces",
                          (json_int_t)s->faces, "label", s->label, "confidence", s->confidence, "source", s->source,
                          "status", s->status, "evidence", json_is_array(ev) ? ev : json_array(), "evidence_total",
                          (json_int_t)total, "photo_id", s->photo_id, "face_no", s->face_no);
    if (!json_is_array(ev))
        json_decref(ev);
    if (!o)
        return ERR_NOMEM;
    json_array_append_new(ud, o);
    return 0;
}

void api_suggestions_list(http_request *rq, http_response *resp)
{
    long person, limit;
    if (!http_query_int(rq, resp, "person", 0, 0, LONG_MAX, &person) ||
        !http_query_int(rq, resp, "limit", 500, 1, 5000, &limit))
        return;
    json_t *list = json_array();
    err e = { 0 };
    int rc = catalog_decide_each_suggestion(rq->cat, person, (int)limit, on_sug, list, &e);
    if (rc == ERR_NOMEM && e.code != ERR_NOMEM)
        err_set(&e, ERR_NOMEM, "out of memory listing the suggestions");
    if (rc) {
        json_decref(list);
        http_error_from(resp, &e);
        return;
    }
    http_json(resp, 200, json_pack("{s:o}", "suggestions", list));
}

void api_suggestions_decide(http_request *rq, http_response *resp)
{
    json_t *body = http_body_object(rq, resp, false);
    if (!body)
        return;
    json_t *pid = json_object_get(body, "person_id"), *fid = json_object_get(body, "face_id");
    const char *label = json_string_value(json_object_get(body, "label"));
    const char *decision = json_string_value(json_object_get(body, "decision"));
    bool has_p = json_is_integer(pid) && json_integer_value(pid) > 0;
    bool has_f = json_is_integer(fid) && json_integer_value(fid) > 0;
    if (has_p == has_f) {
        http_error(resp, 400, "give \"person_id\" or \"face_id\" (a positive number), one of them");
    } else if (!label || !*label) {
        http_error(resp, 400, "\"label\" must be the suggested name");
    } else if (!decision || (strcmp(decision, "accept") != 0 && strcmp(decision, "reject") != 0)) {
        http_error(resp, 400, "\"decision\" must be \"accept\" or \"reject\"");
    } else {
        err e = { 0 };
        bool changed = false;
        int rc = catalog_decide_suggestion(rq->cat, rq->actor, has_p ? json_integer_value(pid) : 0,
                                           has_f ? json_integer_value(fid) : 0, label, strcmp(decision, "accept") == 0,
                                           &changed, &e);
        if (rc)
            http_error_from(resp, &e);
        else
            http_json(resp, 200,
                      json_pack("{s:o,s:o,s:s,s:s,s:b}", "person_id", has_p ? json_incref(pid) : json_null(), "face_id",
                                has_f ? json_incref(fid) : json_null(), "label", label, "status",
                                strcmp(decision, "accept") == 0 ? "accepted" : "rejected", "changed", changed));
    }
    json_decref(body);
}
