/* view_persons.c — person objects (views.h): counts over the current analyses,
 * and a cover face — a confirmed one if there is one, else the best-scored. */
#include "review/views.h"

#include "review/http.h"
#include "store/catalog_query.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* One row per person: id, name, hidden, faces, photos, cover photo, cover face_no.
 * The counts come from one pass over the current faces `cf` (CF_ONE_VERSION or
 * CF_ANY, below); the cover is looked up per person (CUR: the condition that
 * makes face `f` current) in the covering index faces_person_cover, a few rows
 * each — a window over all faces, sorting every one of them, took three
 * quarters of the query's time. */
#define PERSONS_LIST(CF, CUR)                                                                                          \
    "WITH " CF ", "                                                                                                    \
    "agg AS (SELECT person_id, count(*) AS n, count(DISTINCT photo_id) AS np FROM cf GROUP BY person_id), "            \
    "list AS (SELECT p.id, p.name, p.hidden, coalesce(agg.n, 0) AS n, coalesce(agg.np, 0) AS np, "                     \
    "   (SELECT f.id FROM faces f WHERE f.person_id = p.id AND " CUR " "                                               \
    "    ORDER BY f.status = 'confirmed' DESC, f.score DESC, f.id LIMIT 1) AS cover "                                  \
    "   FROM persons p LEFT JOIN agg ON agg.person_id = p.id WHERE p.hidden = ?1) "                                    \
    "SELECT list.id, list.name, list.hidden, list.n, list.np, c.photo_id, c.face_no "                                  \
    "FROM list LEFT JOIN faces c ON c.id = list.cover "                                                                \
    "ORDER BY (list.name IS NULL OR list.name = '') DESC, "                                                            \
    "CASE WHEN list.name IS NULL OR list.name = '' THEN -list.n END, list.name COLLATE NOCASE, list.id"

/* The faces of each photo's current analysis: one window over analysis_runs. */
#define CF_ANY                                                                                                         \
    CATALOG_CURRENT_CTE ", "                                                                                           \
                        "cf AS MATERIALIZED (SELECT f.person_id, f.photo_id FROM faces f "                             \
                        "   JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version "            \
                        "   WHERE f.person_id IS NOT NULL)"

/* When the catalog holds one model version only (view_one_version), every face
 * is current: the counts stream from the index, with no sort. */
#define CF_ONE_VERSION "cf AS (SELECT f.person_id, f.photo_id FROM faces f WHERE f.person_id IS NOT NULL)"

/* One person: the same columns from its own faces only. */
#define PERSON_ONE                                                                                                     \
    "WITH cf AS MATERIALIZED (SELECT f.id, f.photo_id, f.face_no, f.status, f.score FROM faces f "                     \
    "   WHERE f.person_id = ?1 AND " CATALOG_CURRENT_FACE(                                                             \
        "f") "), "                                                                                                     \
             "cover AS (SELECT photo_id, face_no FROM cf ORDER BY status = 'confirmed' DESC, score DESC, id LIMIT 1) " \
             "SELECT p.id, p.name, p.hidden, (SELECT count(*) FROM cf), (SELECT count(DISTINCT photo_id) FROM cf), "   \
             "(SELECT photo_id FROM cover), (SELECT face_no FROM cover) FROM persons p WHERE p.id = ?1"

static json_t *person_from_row(catalog_cursor *st)
{
    json_t *p = json_object();
    json_object_set_new(p, "person_id", json_integer(catalog_cursor_i64(st, 0)));
    const char *name = catalog_cursor_text(st, 1);
    json_object_set_new(p, "name", name && *name ? http_json_text(name) : json_null());
    json_object_set_new(p, "hidden", json_boolean(catalog_cursor_int(st, 2)));
    json_object_set_new(p, "faces", json_integer(catalog_cursor_i64(st, 3)));
    json_object_set_new(p, "photos", json_integer(catalog_cursor_i64(st, 4)));
    if (catalog_cursor_is_null(st, 5))
        json_object_set_new(p, "cover", json_null());
    else
        json_object_set_new(
            p, "cover",
            json_pack("{s:s, s:i}", "photo_id", catalog_cursor_text(st, 5), "face_no", catalog_cursor_int(st, 6)));
    return p;
}

int view_one_version(catalog *c, err *e)
{
    /* Every run done with one version V, and every face of V: then each photo's
     * newest done run is V's, and every face is current. A failed run matters
     * only for a photo that has faces (its run of their version was replaced). */
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(
              c,
              "SELECT (SELECT count(DISTINCT model_version) FROM analysis_runs) = 1 "
              "AND (SELECT count(DISTINCT model_version) FROM faces) <= 1 "
              "AND (SELECT min(model_version) FROM analysis_runs) = "
              "    coalesce((SELECT min(model_version) FROM faces), (SELECT min(model_version) FROM analysis_runs)) "
              "AND NOT EXISTS (SELECT 1 FROM analysis_runs a JOIN faces f ON f.photo_id = a.photo_id "
              "    WHERE a.status <> 'done')",
              "check model versions", e)))
        return e ? e->code : ERR_DB;
    int step = catalog_cursor_next(st, e), rc = step == 1 ? catalog_cursor_int(st, 0) == 1 : step < 0 ? step : 0;
    catalog_cursor_close(st);
    return rc;
}

bool view_text_contains(const char *haystack, const char *needle)
{
    if (!needle || !*needle)
        return true;
    if (!haystack)
        return false;
    if (!g_utf8_validate(haystack, -1, NULL) || !g_utf8_validate(needle, -1, NULL))
        return strstr(haystack, needle) != NULL;
    char *h = g_utf8_casefold(haystack, -1), *n = g_utf8_casefold(needle, -1);
    char *hn = g_utf8_normalize(h, -1, G_NORMALIZE_ALL), *nn = g_utf8_normalize(n, -1, G_NORMALIZE_ALL);
    bool found = hn && nn && strstr(hn, nn) != NULL;
    g_free(h), g_free(n), g_free(hn), g_free(nn);
    return found;
}

int view_persons(catalog *c, bool hidden, const char *q, json_t **out, err *e)
{
    *out = NULL;
    catalog_cursor *st = NULL;
    int one = view_one_version(c, e);
    if (one < 0)
        return one;
    if (!(st = catalog_query(c,
                             one ? PERSONS_LIST(CF_ONE_VERSION, "1") : PERSONS_LIST(CF_ANY, CATALOG_CURRENT_FACE("f")),
                             "list persons", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_i64(st, 1, hidden ? 1 : 0);
    json_t *arr = json_array();
    int step;
    while ((step = catalog_cursor_next(st, e)) == 1) {
        if (q && *q && !view_text_contains(catalog_cursor_text(st, 1), q))
            continue;
        json_array_append_new(arr, person_from_row(st));
    }
    int rc = step < 0 ? step : 0;
    catalog_cursor_close(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int view_person(catalog *c, int64_t person_id, bool with_faces, json_t **out, err *e)
{
    *out = NULL;
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(c, PERSON_ONE, "read person", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_i64(st, 1, person_id);
    int step = catalog_cursor_next(st, e), rc = 0;
    json_t *p = NULL;
    if (step == 1)
        p = person_from_row(st);
    else if (step == 0)
        rc = err_set(e, ERR_NOTFOUND, "person %lld does not exist", (long long)person_id);
    else
        rc = step;
    catalog_cursor_close(st);
    if (rc == 0 && with_faces) {
        json_t *faces;
        rc = view_faces(c, VIEW_FACES_OF_PERSON, NULL, person_id, true, &faces, e);
        if (rc == 0)
            json_object_set_new(p, "faces", faces);
    }
    if (rc) {
        json_decref(p);
        return rc;
    }
    *out = p;
    return 0;
}
