/* catalog_faces.c — the faces section of the catalog (catalog.h): face rows with
 * their landmarks, descriptor and attributes, and the analysis_runs rows that say
 * which photos a model version has analysed. JSON columns are written with
 * jansson; the embedding is 128 float32 little-endian whatever the host order.
 * Statements are prepared per call (a handful per photo, next to a network run
 * that takes milliseconds); every value is a bound parameter. */
#include "store/catalog.h"
#include "store/catalog_internal.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 8 significant digits: a thousandth of a pixel on a 10,000 px scan, and a
 * third of the size of jansson's exact default (68 points per face). */
#define FACES_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(8))

static const char *const expression_keys[7] = {
    "neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"
};
static const char *const five_keys[5] = { "left_eye", "right_eye", "nose", "mouth_left", "mouth_right" };

#define FACE_COLS                                                                                                      \
    "id, photo_id, face_no, model_version, box_x, box_y, box_w, box_h, score, landmarks, points68, "                   \
    "embedding, age, gender, gender_probability, expressions, person_id, source"

static int db_error(catalog *c, const char *what, err *e)
{
    return catalog_error(c, what, e);
}

static sqlite3_stmt *prepare(catalog *c, const char *sql, const char *what, err *e)
{
    return catalog_prepare(c, sql, what, e);
}

/* ---- JSON columns -------------------------------------------------------- */

static json_t *json_point(const double p[2])
{
    return json_pack("[ff]", p[0], p[1]);
}

/* Each returns a malloc'd JSON text, or NULL when out of memory. */
static char *five_json(const double five[5][2])
{
    json_t *o = json_object();
    for (int i = 0; o && i < 5; i++)
        json_object_set_new(o, five_keys[i], json_point(five[i]));
    char *s = o ? json_dumps(o, FACES_JSON_FLAGS) : NULL;
    json_decref(o);
    return s;
}

static char *points68_json(const double pts[68][2])
{
    json_t *a = json_array();
    for (int i = 0; a && i < 68; i++)
        json_array_append_new(a, json_point(pts[i]));
    char *s = a ? json_dumps(a, FACES_JSON_FLAGS) : NULL;
    json_decref(a);
    return s;
}

static char *expressions_json(const double p[7])
{
    json_t *o = json_object();
    for (int i = 0; o && i < 7; i++)
        json_object_set_new(o, expression_keys[i], json_real(p[i]));
    char *s = o ? json_dumps(o, FACES_JSON_FLAGS) : NULL;
    json_decref(o);
    return s;
}

static bool read_point(const json_t *v, double out[2])
{
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_number(json_array_get(v, 0)) ||
        !json_is_number(json_array_get(v, 1)))
        return false;
    out[0] = json_number_value(json_array_get(v, 0));
    out[1] = json_number_value(json_array_get(v, 1));
    return true;
}

static bool parse_five(const char *text, double five[5][2])
{
    json_t *o = json_loads(text, 0, NULL);
    bool ok = json_is_object(o);
    for (int i = 0; ok && i < 5; i++)
        ok = read_point(json_object_get(o, five_keys[i]), five[i]);
    json_decref(o);
    return ok;
}

static bool parse_points68(const char *text, double pts[68][2])
{
    json_t *a = json_loads(text, 0, NULL);
    bool ok = json_is_array(a) && json_array_size(a) == 68;
    for (int i = 0; ok && i < 68; i++)
        ok = read_point(json_array_get(a, i), pts[i]);
    json_decref(a);
    return ok;
}

static bool parse_expressions(const char *text, double p[7])
{
    json_t *o = json_loads(text, 0, NULL);
    bool ok = json_is_object(o);
    for (int i = 0; ok && i < 7; i++) {
        json_t *v = json_object_get(o, expression_keys[i]);
        ok = json_is_number(v);
        if (ok)
            p[i] = json_number_value(v);
    }
    json_decref(o);
    return ok;
}

/* ---- the embedding blob ------------------------------------------------- */

static void embedding_encode(const float in[FACE_DESCRIPTOR_DIM], unsigned char out[FACE_DESCRIPTOR_DIM * 4])
{
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        uint32_t u;
        memcpy(&u, &in[i], 4);
        for (int b = 0; b < 4; b++)
            out[i * 4 + b] = (unsigned char)(u >> (8 * b));
    }
}

void catalog_embedding_decode(const unsigned char *in, float *out)
{
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        uint32_t u = 0;
        for (int b = 0; b < 4; b++)
            u |= (uint32_t)in[i * 4 + b] << (8 * b);
        memcpy(&out[i], &u, 4);
    }
}

/* ---- faces -------------------------------------------------------------- */

static int check_face(catalog *c, const catalog_face *f, err *e)
{
    const char *path = catalog_path(c);
    if (!hash_photo_id_valid(f->photo_id))
        return err_set(e, ERR_INVALID, "%s: put face: '%.32s' is not a photo id", path, f->photo_id);
    if (f->face_no < 0)
        return err_set(e, ERR_INVALID, "%s: put face %s/%d: face_no must be >= 0", path, f->photo_id, f->face_no);
    if (!f->model_version[0])
        return err_set(e, ERR_INVALID, "%s: put face %s/%d: empty model version", path, f->photo_id, f->face_no);
    for (int i = 0; i < 4; i++)
        if (!isfinite(f->box[i]))
            return err_set(e, ERR_INVALID, "%s: put face %s/%d: box is not finite", path, f->photo_id, f->face_no);
    if (!(f->box[2] > 0 && f->box[3] > 0))
        return err_set(e, ERR_INVALID, "%s: put face %s/%d: box %gx%g is empty", path, f->photo_id, f->face_no,
                       f->box[2], f->box[3]);
    if (f->has_attributes && f->gender[0] && strcmp(f->gender, "male") != 0 && strcmp(f->gender, "female") != 0)
        return err_set(e, ERR_INVALID, "%s: put face %s/%d: gender '%.8s' is not male, female or empty", path,
                       f->photo_id, f->face_no, f->gender);
    if (f->source[0] && strcmp(f->source, "detector") != 0 && strcmp(f->source, "manual") != 0)
        return err_set(e, ERR_INVALID, "%s: put face %s/%d: source '%.12s' is not detector or manual", path,
                       f->photo_id, f->face_no, f->source);
    return 0;
}

int catalog_face_put(catalog *c, catalog_face *f, err *e)
{
    int rc = check_face(c, f, e);
    if (rc)
        return rc;
    char what[96];
    snprintf(what, sizeof what, "put face %s/%d", f->photo_id, f->face_no);
    char *five = NULL, *pts = NULL, *expr = NULL;
    if (f->has_landmarks && (!(five = five_json(f->five)) || !(pts = points68_json(f->points68))))
        rc = err_set(e, ERR_NOMEM, "%s: %s: out of memory", catalog_path(c), what);
    if (!rc && f->has_attributes && !(expr = expressions_json(f->expressions)))
        rc = err_set(e, ERR_NOMEM, "%s: %s: out of memory", catalog_path(c), what);
    sqlite3_stmt *st = NULL;
    if (!rc)
        st = prepare(c,
                     "INSERT INTO faces (photo_id, face_no, model_version, box_x, box_y, box_w, box_h, score, "
                     "landmarks, points68, embedding, age, gender, gender_probability, expressions, person_id, "
                     "source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                     what, e);
    if (!rc && !st)
        rc = e ? e->code : ERR_DB;
    if (!rc) {
        unsigned char blob[FACE_DESCRIPTOR_DIM * 4];
        int b = sqlite3_bind_text(st, 1, f->photo_id, -1, SQLITE_TRANSIENT);
        b |= sqlite3_bind_int(st, 2, f->face_no);
        b |= sqlite3_bind_text(st, 3, f->model_version, -1, SQLITE_TRANSIENT);
        for (int i = 0; i < 4; i++)
            b |= sqlite3_bind_double(st, 4 + i, f->box[i]);
        b |= isfinite(f->score) ? sqlite3_bind_double(st, 8, f->score) : sqlite3_bind_null(st, 8);
        b |= five ? sqlite3_bind_text(st, 9, five, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 9);
        b |= pts ? sqlite3_bind_text(st, 10, pts, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 10);
        if (f->has_embedding) {
            embedding_encode(f->embedding, blob);
            b |= sqlite3_bind_blob(st, 11, blob, sizeof blob, SQLITE_TRANSIENT);
        } else {
            b |= sqlite3_bind_null(st, 11);
        }
        if (f->has_attributes) {
            b |= sqlite3_bind_double(st, 12, f->age);
            b |= f->gender[0] ? sqlite3_bind_text(st, 13, f->gender, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 13);
            b |= f->gender[0] ? sqlite3_bind_double(st, 14, f->gender_probability) : sqlite3_bind_null(st, 14);
            b |= sqlite3_bind_text(st, 15, expr, -1, SQLITE_TRANSIENT);
        }
        b |= f->person_id > 0 ? sqlite3_bind_int64(st, 16, f->person_id) : sqlite3_bind_null(st, 16);
        b |= sqlite3_bind_text(st, 17, f->source[0] ? f->source : "detector", -1, SQLITE_TRANSIENT);
        if (b != SQLITE_OK)
            rc = db_error(c, what, e);
        else if (sqlite3_step(st) != SQLITE_DONE)
            rc = db_error(c, what, e);
        else
            f->id = sqlite3_last_insert_rowid(catalog_sqlite(c));
    }
    sqlite3_finalize(st);
    free(five);
    free(pts);
    free(expr);
    return rc;
}

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

/* Fills *f from a row of FACE_COLS; ERR_FORMAT when a stored column does not
 * have the shape catalog_face_put writes. */
static int read_face(catalog *c, sqlite3_stmt *st, catalog_face *f, err *e)
{
    memset(f, 0, sizeof *f);
    f->id = sqlite3_column_int64(st, 0);
    copy_text(f->photo_id, sizeof f->photo_id, st, 1);
    f->face_no = sqlite3_column_int(st, 2);
    copy_text(f->model_version, sizeof f->model_version, st, 3);
    for (int i = 0; i < 4; i++)
        f->box[i] = sqlite3_column_double(st, 4 + i);
    f->score = sqlite3_column_type(st, 8) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 8);
    const char *bad = NULL;
    const char *five = (const char *)sqlite3_column_text(st, 9);
    const char *pts = (const char *)sqlite3_column_text(st, 10);
    if (five && pts) {
        f->has_landmarks = true;
        if (!parse_five(five, f->five))
            bad = "landmarks";
        else if (!parse_points68(pts, f->points68))
            bad = "points68";
    }
    if (sqlite3_column_type(st, 11) == SQLITE_BLOB) {
        if (sqlite3_column_bytes(st, 11) != FACE_DESCRIPTOR_DIM * 4)
            bad = "embedding";
        else {
            catalog_embedding_decode(sqlite3_column_blob(st, 11), f->embedding);
            f->has_embedding = true;
        }
    }
    const char *expr = (const char *)sqlite3_column_text(st, 15);
    if (expr || sqlite3_column_type(st, 12) != SQLITE_NULL) {
        f->has_attributes = true;
        f->age = sqlite3_column_double(st, 12);
        copy_text(f->gender, sizeof f->gender, st, 13);
        f->gender_probability = sqlite3_column_double(st, 14);
        if (expr && !parse_expressions(expr, f->expressions))
            bad = "expressions";
    }
    f->person_id = sqlite3_column_int64(st, 16);
    copy_text(f->source, sizeof f->source, st, 17);
    if (bad)
        return err_set(e, ERR_FORMAT, "%s: face %lld (%s/%d): the %s column is damaged", catalog_path(c),
                       (long long)f->id, f->photo_id, f->face_no, bad);
    return 0;
}

int catalog_face_get(catalog *c, int64_t id, catalog_face *out, err *e)
{
    char what[64];
    snprintf(what, sizeof what, "get face %lld", (long long)id);
    sqlite3_stmt *st = prepare(c, "SELECT " FACE_COLS " FROM faces WHERE id = ?1", what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW)
        rc = read_face(c, st, out, e) ? (e ? e->code : ERR_FORMAT) : 1;
    else if (step != SQLITE_DONE)
        rc = db_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_faces_of_photo(catalog *c, const char *photo_id, const char *model_version, catalog_face **out, size_t *n,
                           err *e)
{
    *out = NULL;
    *n = 0;
    char version[CATALOG_MODEL_VERSION_LEN];
    if (!model_version) {
        int found = catalog_current_version(c, photo_id, version, e);
        if (found <= 0)
            return found;
        model_version = version;
    }
    char what[96];
    snprintf(what, sizeof what, "list the faces of photo %.32s", photo_id);
    sqlite3_stmt *st =
        catalog_prepare_photo(c,
                              "SELECT " FACE_COLS " FROM faces WHERE photo_id = ?1 AND model_version = ?2 "
                              "ORDER BY face_no",
                              photo_id, model_version, what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    catalog_face *faces = NULL;
    size_t count = 0, cap = 0;
    int step = SQLITE_DONE, rc = 0;
    while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            catalog_face *nf = realloc(faces, ncap * sizeof *nf);
            if (!nf) {
                rc = err_set(e, ERR_NOMEM, "%s: %s: out of memory", catalog_path(c), what);
                break;
            }
            faces = nf;
            cap = ncap;
        }
        if (read_face(c, st, &faces[count], e) != 0)
            rc = e ? e->code : ERR_FORMAT;
        else
            count++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, what, e);
    sqlite3_finalize(st);
    if (rc) {
        free(faces);
        return rc;
    }
    *out = faces;
    *n = count;
    return 0;
}

/* ---- analysis runs ------------------------------------------------------ */

int catalog_analysis_put(catalog *c, const char *photo_id, const char *model_version, const char *status, int faces,
                         const char *error, err *e)
{
    if (!hash_photo_id_valid(photo_id))
        return err_set(e, ERR_INVALID, "%s: record analysis: '%.32s' is not a photo id", catalog_path(c), photo_id);
    if (!model_version || !*model_version)
        return err_set(e, ERR_INVALID, "%s: record analysis of %s: empty model version", catalog_path(c), photo_id);
    if (!status || (strcmp(status, "done") != 0 && strcmp(status, "failed") != 0))
        return err_set(e, ERR_INVALID, "%s: record analysis of %s: status '%.16s' is not done or failed",
                       catalog_path(c), photo_id, status ? status : "(null)");
    char what[96];
    snprintf(what, sizeof what, "record analysis of %s", photo_id);
    /* REPLACE gives the row a new rowid, which catalog_current_version orders by. */
    sqlite3_stmt *st = prepare(c,
                               "INSERT OR REPLACE INTO analysis_runs (photo_id, model_version, status, faces, error) "
                               "VALUES (?1, ?2, ?3, ?4, ?5)",
                               what, e);
    if (!st)
        return e ? e->code : ERR_DB;
    int rc = 0;
    if (sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(st, 2, model_version, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_text(st, 3, status, -1, SQLITE_TRANSIENT) != SQLITE_OK ||
        sqlite3_bind_int(st, 4, faces) != SQLITE_OK ||
        (error && *error ? sqlite3_bind_text(st, 5, error, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, 5)) !=
            SQLITE_OK)
        rc = db_error(c, what, e);
    else if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(c, what, e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_analysis_done(catalog *c, const char *photo_id, const char *model_version, err *e)
{
    sqlite3_stmt *st = prepare(c,
                               "SELECT 1 FROM analysis_runs WHERE photo_id = ?1 AND model_version = ?2 "
                               "AND status = 'done'",
                               "read analysis status", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, model_version, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW)
        rc = 1;
    else if (step != SQLITE_DONE)
        rc = db_error(c, "read analysis status", e);
    sqlite3_finalize(st);
    return rc;
}

/* ---- small lookups -------------------------------------------------------- */

/* Runs st (bound) for one int64 column: 1 and *out when a row, 0 when none. */
static int one_i64(catalog *c, sqlite3_stmt *st, const char *what, int64_t *out, err *e)
{
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        *out = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
        rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = db_error(c, what, e);
    }
    sqlite3_finalize(st);
    return rc;
}

int catalog_face_person(catalog *c, int64_t face_id, int64_t *person_id, err *e)
{
    *person_id = 0;
    sqlite3_stmt *st = prepare(c, "SELECT person_id FROM faces WHERE id = ?1", "read the person of a face", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, face_id);
    return one_i64(c, st, "read the person of a face", person_id, e);
}

int catalog_face_largest_at_path(catalog *c, const char *path, const char *model_version, int64_t *face_id, err *e)
{
    *face_id = 0;
    sqlite3_stmt *st = prepare(c,
                               "SELECT f.id FROM photo_sources ps JOIN faces f ON f.photo_id = ps.photo_id "
                               "WHERE ps.path = ?1 AND f.model_version = ?2 "
                               "ORDER BY f.box_w * f.box_h DESC, f.face_no LIMIT 1",
                               "find the face of a file", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, model_version, -1, SQLITE_TRANSIENT);
    return one_i64(c, st, "find the face of a file", face_id, e);
}
