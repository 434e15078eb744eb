/* view_faces.c — face objects (views.h): the face row, its person's name, its
 * review status, and for faces nobody has settled yet the nearest named persons
 * by descriptor. */
#include "review/views.h"

#include "review/http.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FACE_SELECT                                                                                                    \
    "SELECT f.id, f.photo_id, f.face_no, f.box_x, f.box_y, f.box_w, f.box_h, f.score, f.landmarks, f.age, "            \
    "f.gender, f.expressions, f.person_id, p.name, f.status, f.source, f.embedding, t.track_id, "                      \
    "(SELECT count(*) FROM face_tracks m WHERE m.track_id = t.track_id) "                                              \
    "FROM faces f LEFT JOIN persons p ON p.id = f.person_id LEFT JOIN face_tracks t ON t.face_id = f.id "

enum {
    C_ID,
    C_PHOTO,
    C_NO,
    C_X,
    C_Y,
    C_W,
    C_H,
    C_SCORE,
    C_LM,
    C_AGE,
    C_GENDER,
    C_EXPR,
    C_PERSON,
    C_NAME,
    C_STATUS,
    C_SOURCE,
    C_EMB,
    C_TRACK,  /* a video face's track (store/catalog_tracks.h), NULL for none */
    C_TRACK_N /* faces in it */
};

static json_t *text_or_null(catalog_cursor *st, int col)
{
    const char *t = catalog_cursor_text(st, col);
    return http_json_text(t);
}

static json_t *real_or_null(catalog_cursor *st, int col)
{
    return catalog_cursor_is_null(st, col) ? json_null() : json_real(catalog_cursor_double(st, col));
}

/* The most likely expression of an expressions column {"neutral": p, ...}. */
static json_t *top_expression(const char *text)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    const char *best = NULL, *key;
    double p = -1;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (json_is_number(v) && json_number_value(v) > p) {
            p = json_number_value(v);
            best = key;
        }
    }
    json_t *out = best ? json_string(best) : json_null();
    json_decref(o);
    return out;
}

static json_t *face_from_row(catalog_cursor *st)
{
    json_t *f = json_object();
    json_object_set_new(f, "face_id", json_integer(catalog_cursor_i64(st, C_ID)));
    json_object_set_new(f, "photo_id", text_or_null(st, C_PHOTO));
    json_object_set_new(f, "face_no", json_integer(catalog_cursor_int(st, C_NO)));
    json_object_set_new(f, "box",
                        json_pack("[ffff]", catalog_cursor_double(st, C_X), catalog_cursor_double(st, C_Y),
                                  catalog_cursor_double(st, C_W), catalog_cursor_double(st, C_H)));
    json_object_set_new(f, "score", real_or_null(st, C_SCORE));
    const char *lm = catalog_cursor_text(st, C_LM);
    json_t *landmarks = lm ? json_loads(lm, 0, NULL) : NULL;
    json_object_set_new(f, "landmarks", landmarks ? landmarks : json_null());
    json_object_set_new(f, "age", real_or_null(st, C_AGE));
    json_object_set_new(f, "gender", text_or_null(st, C_GENDER));
    json_object_set_new(f, "expression", top_expression(catalog_cursor_text(st, C_EXPR)));
    bool has_person = !catalog_cursor_is_null(st, C_PERSON);
    json_object_set_new(f, "person_id", has_person ? json_integer(catalog_cursor_i64(st, C_PERSON)) : json_null());
    const char *name = catalog_cursor_text(st, C_NAME);
    json_object_set_new(f, "person_name", name && *name ? http_json_text(name) : json_null());
    json_object_set_new(f, "status", text_or_null(st, C_STATUS));
    json_object_set_new(f, "source", text_or_null(st, C_SOURCE));
    json_object_set_new(f, "suggestions", json_array());
    if (!catalog_cursor_is_null(st, C_TRACK))
        json_object_set_new(f, "track",
                            json_pack("{s:I, s:I}", "track_id", (json_int_t)catalog_cursor_i64(st, C_TRACK), "faces",
                                      (json_int_t)catalog_cursor_i64(st, C_TRACK_N)));
    return f;
}

static void embedding_decode(const unsigned char *b, float out[FACE_DESCRIPTOR_DIM])
{
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
                     (uint32_t)b[4 * i + 3] << 24;
        memcpy(&out[i], &u, 4);
    }
}

/* ---- suggestions ------------------------------------------------------------ */

/* The descriptors of every face of a named, visible person (current analyses). */
typedef struct named_faces {
    size_t n;
    int64_t *person;
    char **name; /* per face, shared per person is not worth the bookkeeping */
    float (*emb)[FACE_DESCRIPTOR_DIM];
} named_faces;

static void named_free(named_faces *nf)
{
    for (size_t i = 0; i < nf->n; i++)
        free(nf->name[i]);
    free(nf->person);
    free(nf->name);
    free(nf->emb);
    memset(nf, 0, sizeof *nf);
}

static int named_load(catalog *c, named_faces *nf, err *e)
{
    memset(nf, 0, sizeof *nf);
    catalog_cursor *st = NULL;
    if (!(st =
              catalog_query(c,
                            "SELECT f.person_id, p.name, f.embedding FROM faces f JOIN persons p ON p.id = f.person_id "
                            "WHERE p.name IS NOT NULL AND p.name <> '' AND p.hidden = 0 AND length(f.embedding) = 512 "
                            "AND " CATALOG_CURRENT_FACE("f"),
                            "read named faces", e)))
        return e ? e->code : ERR_DB;
    size_t cap = 0;
    int rc = 0, step;
    while ((step = catalog_cursor_next(st, e)) == 1) {
        if (nf->n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *p = realloc(nf->person, cap * sizeof *p);
            if (p)
                nf->person = p;
            char **nm = realloc(nf->name, cap * sizeof *nm);
            if (nm)
                nf->name = nm;
            float(*em)[FACE_DESCRIPTOR_DIM] = realloc(nf->emb, cap * sizeof *em);
            if (em)
                nf->emb = em;
            if (!p || !nm || !em) {
                rc = err_set(e, ERR_NOMEM, "out of memory reading named faces");
                break;
            }
        }
        nf->person[nf->n] = catalog_cursor_i64(st, 0);
        nf->name[nf->n] = strdup(catalog_cursor_text(st, 1));
        size_t blen;
        embedding_decode(catalog_cursor_blob(st, 2, &blen), nf->emb[nf->n]);
        nf->n++;
    }
    if (!rc && step < 0)
        rc = step;
    catalog_cursor_close(st);
    if (rc)
        named_free(nf);
    return rc;
}

/* Persons face_id was rejected from: never suggested again. */
static int rejected_persons(catalog *c, int64_t face_id, int64_t **out, size_t *n, err *e)
{
    *out = NULL;
    *n = 0;
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(c,
                             "SELECT DISTINCT person_id FROM decisions WHERE face_id = ?1 AND action = 'reject' "
                             "AND person_id IS NOT NULL",
                             "read rejections", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_i64(st, 1, face_id);
    int step, rc = 0;
    while ((step = catalog_cursor_next(st, e)) == 1) {
        int64_t *p = realloc(*out, (*n + 1) * sizeof *p);
        if (!p) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        *out = p;
        p[(*n)++] = catalog_cursor_i64(st, 0);
    }
    if (!rc && step < 0)
        rc = step;
    catalog_cursor_close(st);
    return rc;
}

typedef struct candidate {
    int64_t person;
    const char *name;
    double d;
} candidate;

/* Fills face's "suggestions": per named person the distance to its nearest
 * face, the VIEW_SUGGEST_COUNT closest within VIEW_SUGGEST_MAX_DISTANCE. */
static int suggest(catalog *c, const named_faces *nf, int64_t face_id, const float emb[FACE_DESCRIPTOR_DIM],
                   json_t *face, err *e)
{
    int64_t *rejected;
    size_t nrej;
    int rc = rejected_persons(c, face_id, &rejected, &nrej, e);
    if (rc)
        return rc;
    candidate best[VIEW_SUGGEST_COUNT];
    size_t nbest = 0;
    for (size_t i = 0; i < nf->n; i++) {
        bool skip = false;
        for (size_t k = 0; k < nrej && !skip; k++)
            skip = rejected[k] == nf->person[i];
        if (skip)
            continue;
        double d2 = 0;
        for (int k = 0; k < FACE_DESCRIPTOR_DIM; k++) {
            double t = (double)emb[k] - nf->emb[i][k];
            d2 += t * t;
        }
        double d = sqrt(d2);
        if (d > VIEW_SUGGEST_MAX_DISTANCE)
            continue;
        /* Keep per person its nearest face; best[] sorted by distance. */
        size_t at = nbest;
        for (size_t k = 0; k < nbest; k++)
            if (best[k].person == nf->person[i])
                at = k;
        if (at < nbest) {
            if (d >= best[at].d)
                continue;
            for (size_t k = at; k + 1 < nbest; k++)
                best[k] = best[k + 1];
            nbest--;
        }
        size_t pos = nbest;
        while (pos > 0 && best[pos - 1].d > d)
            pos--;
        if (pos >= VIEW_SUGGEST_COUNT)
            continue;
        size_t last = nbest < VIEW_SUGGEST_COUNT ? nbest : VIEW_SUGGEST_COUNT - 1;
        for (size_t k = last; k > pos; k--)
            best[k] = best[k - 1];
        best[pos] = (candidate){ nf->person[i], nf->name[i], d };
        if (nbest < VIEW_SUGGEST_COUNT)
            nbest++;
    }
    free(rejected);
    json_t *arr = json_object_get(face, "suggestions");
    for (size_t k = 0; k < nbest; k++)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:f}", "person_id", (json_int_t)best[k].person, "name",
                                             best[k].name ? best[k].name : "", "distance",
                                             round(best[k].d * 10000) / 10000));
    return 0;
}

/* ---- queries ---------------------------------------------------------------- */

int view_faces(catalog *c, view_face_where where, const char *photo_id, int64_t id, bool suggest_names, json_t **out,
               err *e)
{
    *out = NULL;
    const char *sql = NULL;
    switch (where) {
    case VIEW_FACES_OF_PHOTO:
        sql = FACE_SELECT "WHERE f.photo_id = ?1 AND " CATALOG_CURRENT_FACE("f") " ORDER BY f.face_no";
        break;
    case VIEW_FACES_OF_PERSON:
        sql = FACE_SELECT "WHERE f.person_id = ?2 AND " CATALOG_CURRENT_FACE("f") " ORDER BY f.photo_id, f.face_no";
        break;
    case VIEW_FACE_BY_ID:
        sql = FACE_SELECT "WHERE f.id = ?2";
        break;
    }
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(c, sql, "read faces", e)))
        return e ? e->code : ERR_DB;
    if (where == VIEW_FACES_OF_PHOTO)
        catalog_cursor_bind_text(st, 1, photo_id);
    else
        catalog_cursor_bind_i64(st, 2, id);
    json_t *arr = json_array();
    named_faces nf = { 0 };
    bool loaded = false;
    int rc = 0, step;
    while (rc == 0 && (step = catalog_cursor_next(st, e)) == 1) {
        json_t *f = face_from_row(st);
        bool open =
            catalog_cursor_is_null(st, C_PERSON) || strcmp(catalog_cursor_text(st, C_STATUS), "unreviewed") == 0;
        size_t emb_len = 0;
        const unsigned char *emb_blob = catalog_cursor_blob(st, C_EMB, &emb_len);
        if (suggest_names && open && emb_blob && emb_len == FACE_DESCRIPTOR_DIM * 4 &&
            strcmp(catalog_cursor_text(st, C_STATUS), "rejected") != 0) {
            if (!loaded) {
                rc = named_load(c, &nf, e);
                loaded = true;
            }
            if (rc == 0) {
                float emb[FACE_DESCRIPTOR_DIM];
                embedding_decode(emb_blob, emb);
                rc = suggest(c, &nf, catalog_cursor_i64(st, C_ID), emb, f, e);
            }
        }
        json_array_append_new(arr, f);
    }
    if (rc == 0 && step < 0)
        rc = step;
    catalog_cursor_close(st);
    named_free(&nf);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

int view_face(catalog *c, int64_t face_id, json_t **out, err *e)
{
    json_t *arr;
    int rc = view_faces(c, VIEW_FACE_BY_ID, NULL, face_id, true, &arr, e);
    if (rc)
        return rc;
    if (json_array_size(arr) == 0) {
        json_decref(arr);
        return err_set(e, ERR_NOTFOUND, "face %lld does not exist", (long long)face_id);
    }
    *out = json_incref(json_array_get(arr, 0));
    json_decref(arr);
    return 0;
}

int view_resolve_face(catalog *c, const char *photo_id, int64_t ref, int64_t *face_id, err *e)
{
    catalog_cursor *st = NULL;
    /* Its id first; else its face_no in the photo's current analysis. */
    if (!(st =
              catalog_query(c,
                            "SELECT id FROM faces f WHERE f.id = ?2 AND f.photo_id = ?1 "
                            "UNION ALL SELECT id FROM (SELECT id FROM faces f WHERE f.photo_id = ?1 AND f.face_no = ?2 "
                            "AND " CATALOG_CURRENT_FACE("f") ") LIMIT 1",
                            "find face", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_text(st, 1, photo_id);
    catalog_cursor_bind_i64(st, 2, ref);
    int step = catalog_cursor_next(st, e), rc = 0;
    if (step == 1)
        *face_id = catalog_cursor_i64(st, 0);
    else if (step == 0)
        rc = err_set(e, ERR_NOTFOUND, "photo %s has no face with id or number %lld", photo_id, (long long)ref);
    else
        rc = step;
    catalog_cursor_close(st);
    return rc;
}
