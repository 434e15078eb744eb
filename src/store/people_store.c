/* people_store.c — loading the faces of one model version with people's
 * decisions, and writing a clustering back (see people_store.h). */
#include "store/people_store.h"
#include "store/catalog_internal.h"

#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int db_fail(catalog *c, const char *what, err *e)
{
    return catalog_error(c, what, e);
}

static sqlite3_stmt *prep(catalog *c, const char *sql, const char *what, err *e)
{
    return catalog_prepare(c, sql, what, e);
}

static int nomem(err *e)
{
    return err_set(e, ERR_NOMEM, "cluster: out of memory loading the faces");
}

double people_box_iou(const double a[4], const double b[4])
{
    double x0 = fmax(a[0], b[0]), y0 = fmax(a[1], b[1]);
    double x1 = fmin(a[0] + a[2], b[0] + b[2]), y1 = fmin(a[1] + a[3], b[1] + b[3]);
    double inter = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0;
    double uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0;
}

int people_store_model(catalog *c, char out[CATALOG_MODEL_VERSION_LEN], err *e)
{
    static const char *const sql[] = {
        "SELECT model_version FROM analysis_runs WHERE status = 'done' ORDER BY at DESC, rowid DESC LIMIT 1",
        "SELECT model_version FROM faces ORDER BY id DESC LIMIT 1",
    };
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = prep(c, sql[i], "find the current model version", e);
        if (!st)
            return e ? e->code : ERR_DB;
        int step = sqlite3_step(st), found = 0;
        if (step == SQLITE_ROW) {
            snprintf(out, CATALOG_MODEL_VERSION_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
            found = 1;
        }
        sqlite3_finalize(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return db_fail(c, "find the current model version", e);
        if (found)
            return 1;
    }
    out[0] = '\0';
    return 0;
}

void people_set_free(people_set *s)
{
    if (!s)
        return;
    free(s->faces);
    free(s->x);
    free(s->rejects);
    free(s->human);
    memset(s, 0, sizeof *s);
}

static int i64_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

bool people_set_is_human(const people_set *s, int64_t person)
{
    return person > 0 && s->nhuman && bsearch(&person, s->human, s->nhuman, sizeof *s->human, i64_cmp) != NULL;
}

/* The index of face id in s (faces are sorted by id), or -1. */
static ptrdiff_t face_index(const people_set *s, int64_t id)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->faces[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n && s->faces[lo].id == id ? (ptrdiff_t)lo : -1;
}

/* Loader state: photo_id -> dense number, and per photo the faces (CSR). */
typedef struct loader {
    catalog *c;
    people_set *s;
    GHashTable *photos; /* photo_id (owned) -> number + 1 */
    size_t *by_photo_off;
    uint32_t *by_photo;
    err *e;
} loader;

static int photo_number(loader *L, const char *photo_id, int create)
{
    gpointer v = g_hash_table_lookup(L->photos, photo_id);
    if (v)
        return (int)GPOINTER_TO_INT(v) - 1;
    if (!create)
        return -1;
    int n = (int)g_hash_table_size(L->photos);
    g_hash_table_insert(L->photos, g_strdup(photo_id), GINT_TO_POINTER(n + 1));
    return n;
}

static people_status status_parse(const unsigned char *s)
{
    if (s && strcmp((const char *)s, "confirmed") == 0)
        return PEOPLE_CONFIRMED;
    if (s && strcmp((const char *)s, "rejected") == 0)
        return PEOPLE_REJECTED;
    return PEOPLE_UNREVIEWED;
}

static int load_faces(loader *L)
{
    people_set *s = L->s;
    sqlite3_stmt *st =
        prep(L->c,
             "SELECT id, photo_id, person_id, embedding, cluster_run, status, box_x, box_y, box_w, box_h, "
             "(SELECT t.track_id FROM face_tracks t WHERE t.face_id = faces.id) "
             "FROM faces WHERE model_version = ?1 ORDER BY id",
             "load faces", L->e);
    if (!st)
        return L->e ? L->e->code : ERR_DB;
    sqlite3_bind_text(st, 1, s->model_version, -1, SQLITE_STATIC);
    size_t cap = 0;
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            people_face *f = realloc(s->faces, ncap * sizeof *f);
            float *x = f ? realloc(s->x, ncap * PEOPLE_DIM * sizeof *x) : NULL;
            if (f)
                s->faces = f;
            if (x)
                s->x = x;
            if (!f || !x) {
                rc = nomem(L->e);
                break;
            }
            cap = ncap;
        }
        people_face *f = &s->faces[s->n];
        memset(f, 0, sizeof *f);
        f->id = sqlite3_column_int64(st, 0);
        f->photo = photo_number(L, (const char *)sqlite3_column_text(st, 1), 1);
        f->person = sqlite3_column_int64(st, 2); /* NULL reads as 0 */
        f->prev_person = f->person;
        float *row = s->x + s->n * PEOPLE_DIM;
        if (sqlite3_column_type(st, 3) == SQLITE_BLOB) {
            if (sqlite3_column_bytes(st, 3) != PEOPLE_DIM * 4) {
                rc = err_set(L->e, ERR_FORMAT, "%s: face %lld: embedding of %d bytes, not %d", catalog_path(L->c),
                             (long long)f->id, sqlite3_column_bytes(st, 3), PEOPLE_DIM * 4);
                break;
            }
            catalog_embedding_decode(sqlite3_column_blob(st, 3), row);
            f->has_embedding = true;
        } else {
            memset(row, 0, PEOPLE_DIM * sizeof *row);
        }
        f->clustered = sqlite3_column_type(st, 4) != SQLITE_NULL;
        f->status = status_parse(sqlite3_column_text(st, 5));
        for (int k = 0; k < 4; k++)
            f->box[k] = sqlite3_column_double(st, 6 + k);
        f->track = sqlite3_column_int64(st, 10); /* NULL reads as 0 */
        s->n++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(L->c, "load faces", L->e);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    s->nphotos = g_hash_table_size(L->photos);
    /* faces per photo */
    L->by_photo_off = calloc(s->nphotos + 1, sizeof *L->by_photo_off);
    L->by_photo = malloc((s->n ? s->n : 1) * sizeof *L->by_photo);
    size_t *fill = calloc(s->nphotos + 1, sizeof *fill);
    if (!L->by_photo_off || !L->by_photo || !fill) {
        free(fill);
        return nomem(L->e);
    }
    for (size_t i = 0; i < s->n; i++)
        L->by_photo_off[s->faces[i].photo + 1]++;
    for (size_t p = 0; p < s->nphotos; p++)
        L->by_photo_off[p + 1] += L->by_photo_off[p];
    for (size_t i = 0; i < s->n; i++) {
        int32_t p = s->faces[i].photo;
        L->by_photo[L->by_photo_off[p] + fill[p]++] = (uint32_t)i;
    }
    free(fill);
    return 0;
}

static int load_human(loader *L)
{
    people_set *s = L->s;
    sqlite3_stmt *st = prep(L->c,
                            "SELECT id FROM persons WHERE (name IS NOT NULL AND name <> '') "
                            "OR id IN (SELECT person_id FROM decisions WHERE person_id IS NOT NULL) "
                            "OR id IN (SELECT json_extract(before, '$.person_id') FROM decisions "
                            "          WHERE json_type(before, '$.person_id') = 'integer') ORDER BY id",
                            "load the persons people worked on", L->e);
    if (!st)
        return L->e ? L->e->code : ERR_DB;
    size_t cap = 0;
    int step, rc = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->nhuman == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            int64_t *h = realloc(s->human, ncap * sizeof *h);
            if (!h) {
                rc = nomem(L->e);
                break;
            }
            s->human = h;
            cap = ncap;
        }
        s->human[s->nhuman++] = sqlite3_column_int64(st, 0);
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(L->c, "load the persons people worked on", L->e);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    for (size_t i = 0; i < s->n; i++)
        if (people_set_is_human(s, s->faces[i].person))
            s->faces[i].pin = s->faces[i].person;
    return 0;
}

/* The face of this version in photo `photo` whose box overlaps `box` most, with
 * IoU >= PEOPLE_CARRY_IOU; -1 when none. */
static ptrdiff_t match_box(const loader *L, int photo, const double box[4], double *iou_out)
{
    if (photo < 0)
        return -1;
    ptrdiff_t best = -1;
    double best_iou = PEOPLE_CARRY_IOU;
    for (size_t k = L->by_photo_off[photo]; k < L->by_photo_off[photo + 1]; k++) {
        uint32_t i = L->by_photo[k];
        double iou = people_box_iou(box, L->s->faces[i].box);
        if (iou >= best_iou && (best < 0 || iou > best_iou)) {
            best = i;
            best_iou = iou;
        }
    }
    if (iou_out)
        *iou_out = best_iou;
    return best;
}

/* A face of this version has decisions of its own when it was reviewed or sits
 * in a human person. */
static bool has_own_decisions(const people_face *f)
{
    return f->status != PEOPLE_UNREVIEWED || f->pin != 0;
}

/* Faces of other model versions that were reviewed or sit in a person: their
 * decisions and person go to the best-overlapping face of this version. */
static int carry_over(loader *L)
{
    people_set *s = L->s;
    if (s->n == 0)
        return 0;
    typedef struct best {
        double iou;
        int64_t old_id, person;
        people_status status;
    } best;
    best *b = calloc(s->n, sizeof *b);
    if (!b)
        return nomem(L->e);
    sqlite3_stmt *st =
        prep(L->c,
             "SELECT id, photo_id, person_id, status, box_x, box_y, box_w, box_h FROM faces "
             "WHERE model_version <> ?1 AND (person_id IS NOT NULL OR status <> 'unreviewed') ORDER BY id",
             "load the faces of other model versions", L->e);
    int rc = 0, step;
    if (!st) {
        free(b);
        return L->e ? L->e->code : ERR_DB;
    }
    sqlite3_bind_text(st, 1, s->model_version, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int photo = photo_number(L, (const char *)sqlite3_column_text(st, 1), 0);
        double box[4];
        for (int k = 0; k < 4; k++)
            box[k] = sqlite3_column_double(st, 4 + k);
        double iou = 0;
        ptrdiff_t i = match_box(L, photo, box, &iou);
        if (i < 0 || has_own_decisions(&s->faces[i]))
            continue;
        /* the best overlap wins; on a tie the newer face (rows come by id) */
        if (b[i].old_id == 0 || iou >= b[i].iou) {
            b[i].iou = iou;
            b[i].old_id = sqlite3_column_int64(st, 0);
            b[i].person = sqlite3_column_int64(st, 2);
            b[i].status = status_parse(sqlite3_column_text(st, 3));
        }
    }
    if (step != SQLITE_DONE)
        rc = db_fail(L->c, "load the faces of other model versions", L->e);
    sqlite3_finalize(st);
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        if (!b[i].old_id)
            continue;
        people_face *f = &s->faces[i];
        if (!f->person && b[i].person)
            f->prev_person = b[i].person;
        if (people_set_is_human(s, b[i].person))
            f->pin = b[i].person;
        f->status = b[i].status;
        f->carried = true;
        s->carried_over++;
    }
    free(b);
    return rc;
}

/* Follows merges: the person `p` now lives on as. */
static int64_t forward(GHashTable *fwd, int64_t p)
{
    for (int guard = 0; guard < 1000; guard++) {
        gpointer v = g_hash_table_lookup(fwd, &p);
        if (!v)
            break;
        p = *(int64_t *)v;
    }
    return p;
}

static int reject_push(loader *L, size_t *cap, uint32_t face, int64_t person)
{
    people_set *s = L->s;
    if (s->nrejects == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        people_reject *r = realloc(s->rejects, ncap * sizeof *r);
        if (!r)
            return nomem(L->e);
        s->rejects = r;
        *cap = ncap;
    }
    s->rejects[s->nrejects++] = (people_reject){ face, person };
    return 0;
}

/* The face of this version a decision row is about: by id, else by box. */
static ptrdiff_t decision_face(loader *L, sqlite3_stmt *st)
{
    ptrdiff_t i = face_index(L->s, sqlite3_column_int64(st, 2));
    if (i >= 0)
        return i;
    const unsigned char *photo_id = sqlite3_column_text(st, 3), *box_text = sqlite3_column_text(st, 4);
    if (!photo_id || !box_text)
        return -1;
    json_t *j = json_loads((const char *)box_text, 0, NULL);
    double box[4];
    int ok = json_is_array(j) && json_array_size(j) == 4;
    for (int k = 0; ok && k < 4; k++) {
        json_t *v = json_array_get(j, (size_t)k);
        ok = json_is_number(v);
        box[k] = ok ? json_number_value(v) : 0;
    }
    json_decref(j);
    return ok ? match_box(L, photo_number(L, (const char *)photo_id, 0), box, NULL) : -1;
}

/* Replays reject, confirm and merge rows in order for the rejections. */
static int load_rejects(loader *L)
{
    people_set *s = L->s;
    GHashTable *fwd = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    sqlite3_stmt *st = prep(L->c,
                            "SELECT action, person_id, face_id, photo_id, box, before FROM decisions "
                            "WHERE action IN ('reject', 'confirm', 'merge') ORDER BY id",
                            "read the decision log", L->e);
    if (!st) {
        g_hash_table_destroy(fwd);
        return L->e ? L->e->code : ERR_DB;
    }
    size_t cap = 0;
    int rc = 0, step;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *action = (const char *)sqlite3_column_text(st, 0);
        int64_t person = sqlite3_column_int64(st, 1);
        if (strcmp(action, "merge") == 0) {
            const unsigned char *before = sqlite3_column_text(st, 5);
            json_t *j = before ? json_loads((const char *)before, 0, NULL) : NULL;
            json_t *ps = json_object_get(j, "persons");
            for (size_t k = 1; k < json_array_size(ps); k++) {
                int64_t *from = g_new(int64_t, 1), *into = g_new(int64_t, 1);
                *from = json_integer_value(json_array_get(ps, k));
                *into = person;
                g_hash_table_replace(fwd, from, into);
            }
            json_decref(j);
            continue;
        }
        ptrdiff_t i = decision_face(L, st);
        if (i < 0 || !person)
            continue;
        if (strcmp(action, "reject") == 0) {
            rc = reject_push(L, &cap, (uint32_t)i, person);
        } else { /* a confirm into the same person lifts an earlier rejection */
            int64_t p = forward(fwd, person);
            size_t w = 0;
            for (size_t k = 0; k < s->nrejects; k++)
                if (!(s->rejects[k].face == (uint32_t)i && forward(fwd, s->rejects[k].person) == p))
                    s->rejects[w++] = s->rejects[k];
            s->nrejects = w;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_fail(L->c, "read the decision log", L->e);
    sqlite3_finalize(st);
    /* persons as they are now; only persons that still exist (human by
     * construction) and never the face's own pin */
    size_t w = 0;
    for (size_t k = 0; rc == 0 && k < s->nrejects; k++) {
        people_reject r = s->rejects[k];
        r.person = forward(fwd, r.person);
        if (!people_set_is_human(s, r.person) || s->faces[r.face].pin == r.person)
            continue;
        bool dup = false;
        for (size_t q = 0; q < w && !dup; q++)
            dup = s->rejects[q].face == r.face && s->rejects[q].person == r.person;
        if (!dup)
            s->rejects[w++] = r;
    }
    if (rc == 0)
        s->nrejects = w;
    g_hash_table_destroy(fwd);
    return rc;
}

/* Two faces of one photo pinned to one person (possible after a carry-over
 * where boxes changed): the confirmed one, else the first, keeps the pin. */
static void unpin_conflicts(loader *L)
{
    people_set *s = L->s;
    for (size_t p = 0; p < s->nphotos; p++) {
        size_t a = L->by_photo_off[p], b = L->by_photo_off[p + 1];
        for (size_t x = a; x < b; x++) {
            people_face *fx = &s->faces[L->by_photo[x]];
            for (size_t y = x + 1; fx->pin && y < b; y++) {
                people_face *fy = &s->faces[L->by_photo[y]];
                if (fy->pin != fx->pin)
                    continue;
                if (fy->status == PEOPLE_CONFIRMED && fx->status != PEOPLE_CONFIRMED) {
                    fx->pin = 0;
                    break;
                }
                fy->pin = 0;
            }
        }
    }
}

int people_store_load(catalog *c, const char *model_version, people_set *s, err *e)
{
    memset(s, 0, sizeof *s);
    if (model_version) {
        snprintf(s->model_version, sizeof s->model_version, "%s", model_version);
    } else {
        int found = people_store_model(c, s->model_version, e);
        if (found <= 0)
            return found;
    }
    loader L = { c, s, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), NULL, NULL, e };
    int rc = load_faces(&L);
    if (rc == 0)
        rc = load_human(&L);
    if (rc == 0)
        rc = carry_over(&L);
    if (rc == 0)
        rc = load_rejects(&L);
    if (rc == 0)
        unpin_conflicts(&L);
    g_hash_table_destroy(L.photos);
    free(L.by_photo_off);
    free(L.by_photo);
    if (rc)
        people_set_free(s);
    return rc;
}

/* ---- write-back ---- */

typedef struct photo_person {
    int32_t photo;
    int64_t person;
    int64_t face;
} photo_person;

static int pp_cmp(const void *a, const void *b)
{
    const photo_person *x = a, *y = b;
    if (x->photo != y->photo)
        return (x->photo > y->photo) - (x->photo < y->photo);
    return (x->person > y->person) - (x->person < y->person);
}

/* Checks r against the decisions before anything is written. */
static int save_check(const people_set *s, const people_result *r, err *e)
{
    int64_t *after = malloc((s->n ? s->n : 1) * sizeof *after);
    photo_person *pp = malloc((s->n ? s->n : 1) * sizeof *pp);
    if (!after || !pp) {
        free(after);
        free(pp);
        return err_set(e, ERR_NOMEM, "cluster: out of memory checking the result");
    }
    for (size_t i = 0; i < s->n; i++)
        after[i] = s->faces[i].person;
    int rc = 0;
    for (size_t k = 0; k < r->n && rc == 0; k++) {
        uint32_t i = r->faces[k];
        int64_t p = r->person[k];
        const people_face *f = &s->faces[i];
        if (f->pin && p != f->pin)
            rc = err_set(e, ERR_CONFLICT, "cluster: face %lld would leave person %lld, where people put it",
                         (long long)f->id, (long long)f->pin);
        for (size_t q = 0; q < s->nrejects && rc == 0; q++)
            if (s->rejects[q].face == i && s->rejects[q].person == p)
                rc =
                    err_set(e, ERR_CONFLICT, "cluster: face %lld would return to person %lld, who it was rejected from",
                            (long long)f->id, (long long)p);
        after[i] = p;
    }
    size_t m = 0;
    for (size_t i = 0; i < s->n && rc == 0; i++)
        if (after[i])
            pp[m++] = (photo_person){ s->faces[i].photo, after[i], s->faces[i].id };
    if (rc == 0) {
        qsort(pp, m, sizeof *pp, pp_cmp);
        for (size_t k = 1; k < m && rc == 0; k++)
            if (pp[k].photo == pp[k - 1].photo && pp[k].person == pp[k - 1].person)
                rc = err_set(e, ERR_CONFLICT, "cluster: faces %lld and %lld of one photo would be one person",
                             (long long)pp[k - 1].face, (long long)pp[k].face);
    }
    free(after);
    free(pp);
    return rc;
}

static const char *status_name(people_status st)
{
    return st == PEOPLE_CONFIRMED ? "confirmed" : st == PEOPLE_REJECTED ? "rejected" : "unreviewed";
}

static int step_done(catalog *c, sqlite3_stmt *st, const char *what, err *e)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(c, what, e);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int save_tx(catalog *c, const people_set *s, const people_result *r, people_saved *out, err *e)
{
    sqlite3 *db = catalog_sqlite(c);
    int rc = 0;
    sqlite3_stmt *st = prep(c,
                            "INSERT INTO cluster_runs (model_version, algo, params, full, faces, assigned, persons, "
                            "seconds) VALUES (?1, ?2, json(?3), ?4, ?5, ?6, 0, ?7)",
                            "record the cluster run", e);
    if (!st)
        return e ? e->code : ERR_DB;
    size_t assigned = 0;
    for (size_t k = 0; k < r->n; k++)
        assigned += r->person[k] != 0;
    sqlite3_bind_text(st, 1, s->model_version, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->algo ? r->algo : "", -1, SQLITE_STATIC);
    if (r->params)
        sqlite3_bind_text(st, 3, r->params, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, r->full ? 1 : 0);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)r->n);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)assigned);
    sqlite3_bind_double(st, 7, r->seconds > 0 ? r->seconds : 0);
    rc = step_done(c, st, "record the cluster run", e);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    int64_t run_id = sqlite3_last_insert_rowid(db);
    out->run_id = run_id;
    out->assigned = assigned;

    /* new persons: -k-1 -> id */
    int64_t nnew = 0;
    for (size_t k = 0; k < r->n; k++)
        if (r->person[k] < 0 && -r->person[k] > nnew)
            nnew = -r->person[k];
    int64_t *new_id = calloc((size_t)nnew + 1, sizeof *new_id);
    if (!new_id)
        return err_set(e, ERR_NOMEM, "cluster: out of memory saving");
    st = prep(c, "INSERT INTO persons DEFAULT VALUES", "create a person", e);
    for (size_t k = 0; st && rc == 0 && k < r->n; k++) {
        int64_t p = r->person[k];
        if (p < 0 && !new_id[-p - 1]) {
            rc = step_done(c, st, "create a person", e);
            new_id[-p - 1] = sqlite3_last_insert_rowid(db);
            out->new_persons++;
        }
    }
    if (!st)
        rc = e ? e->code : ERR_DB;
    sqlite3_finalize(st);

    st = rc ? NULL
            : prep(c, "UPDATE faces SET person_id = ?2, cluster_run = ?3, status = ifnull(?4, status) WHERE id = ?1",
                   "place a face", e);
    if (!rc && !st)
        rc = e ? e->code : ERR_DB;
    for (size_t k = 0; rc == 0 && k < r->n; k++) {
        const people_face *f = &s->faces[r->faces[k]];
        int64_t p = r->person[k] < 0 ? new_id[-r->person[k] - 1] : r->person[k];
        sqlite3_bind_int64(st, 1, f->id);
        if (p)
            sqlite3_bind_int64(st, 2, p);
        sqlite3_bind_int64(st, 3, run_id);
        if (f->carried)
            sqlite3_bind_text(st, 4, status_name(f->status), -1, SQLITE_STATIC);
        rc = step_done(c, st, "place a face", e);
    }
    sqlite3_finalize(st);
    free(new_id);
    if (rc)
        return rc;

    /* persons left empty: unnamed, not human, no face of this version */
    json_t *h = json_array();
    for (size_t i = 0; h && i < s->nhuman; i++)
        json_array_append_new(h, json_integer(s->human[i]));
    char *htext = h ? json_dumps(h, JSON_COMPACT) : NULL;
    json_decref(h);
    if (!htext)
        return err_set(e, ERR_NOMEM, "cluster: out of memory saving");
    st = prep(c,
              "DELETE FROM persons WHERE (name IS NULL OR name = '') "
              "AND id NOT IN (SELECT value FROM json_each(?2)) "
              "AND NOT EXISTS (SELECT 1 FROM faces WHERE person_id = persons.id AND model_version = ?1)",
              "delete empty persons", e);
    if (st) {
        sqlite3_bind_text(st, 1, s->model_version, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, htext, -1, SQLITE_TRANSIENT);
        rc = step_done(c, st, "delete empty persons", e);
        out->deleted_persons = (size_t)sqlite3_changes(db);
        sqlite3_finalize(st);
    } else {
        rc = e ? e->code : ERR_DB;
    }
    free(htext);
    if (rc)
        return rc;
    st = prep(c, "SELECT count(DISTINCT person_id) FROM faces WHERE model_version = ?1 AND person_id IS NOT NULL",
              "count persons", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, s->model_version, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        out->persons = (size_t)sqlite3_column_int64(st, 0);
    else
        rc = db_fail(c, "count persons", e);
    sqlite3_finalize(st);
    if (rc)
        return rc;
    st = prep(c, "UPDATE cluster_runs SET persons = ?2 WHERE id = ?1", "record the cluster run", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)out->persons);
    rc = step_done(c, st, "record the cluster run", e);
    sqlite3_finalize(st);
    return rc;
}

int people_store_save(catalog *c, const people_set *s, const people_result *r, people_saved *out, err *e)
{
    people_saved local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < r->n; k++)
        if (r->faces[k] >= s->n)
            return err_set(e, ERR_INVALID, "cluster: result names face %u of %zu", r->faces[k], s->n);
    int rc = save_check(s, r, e);
    if (rc)
        return rc;
    catalog_tx tx;
    if ((rc = catalog_tx_begin(c, &tx, "save the clustering", e)) != 0)
        return rc;
    rc = save_tx(c, s, r, out, e);
    rc = catalog_tx_end(c, &tx, rc, "save the clustering", e);
    return rc;
}
