/* view_photos.c — photo objects (views.h): summaries for lists (the review
 * queue, all photos, search) and one photo with its faces. */
#include "review/views.h"

#include "media/frame_name.h"
#include "media/sheet.h"
#include "review/http.h"
#include "store/catalog_frames.h"
#include "store/catalog_ocr.h"
#include "store/catalog_query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Summary columns of photo row p, with its frame row fr (SUMMARY_JOIN):
 * photo_id, file, width, height, timestamp, caption; then, for a frame of a
 * sheet or video (NULL otherwise), its kind, number, time, scene, parent and
 * the parent's file. */
#define SUMMARY_COLS                                                                                                   \
    "p.photo_id, (SELECT s.path FROM photo_sources s WHERE s.photo_id = p.photo_id ORDER BY s.id LIMIT 1), "           \
    "p.width, p.height, p.taken_at, " VIEW_CAPTION("p") ", fr.kind, fr.frame_no, fr.time_ms, fr.scene, fr.parent_id, " \
                                                        "CASE WHEN fr.parent_id IS NULL THEN NULL ELSE "               \
                                                        "(SELECT s.path FROM photo_sources s WHERE s.photo_id = "      \
                                                        "fr.parent_id ORDER BY s.id LIMIT 1) END"
#define SUMMARY_NCOLS 12
#define SUMMARY_JOIN(p) " LEFT JOIN photo_frames fr ON fr.photo_id = " p ".photo_id "

static const char *base_name(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    return slash ? slash + 1 : path;
}

static json_t *summary_from_row(catalog_cursor *st)
{
    json_t *p = json_object();
    const char *id = catalog_cursor_text(st, 0), *file = catalog_cursor_text(st, 1);
    json_object_set_new(p, "photo_id", http_json_text(id));
    json_object_set_new(p, "file", http_json_text(file));
    json_object_set_new(p, "width", json_integer(catalog_cursor_int(st, 2)));
    json_object_set_new(p, "height", json_integer(catalog_cursor_int(st, 3)));
    json_object_set_new(p, "timestamp", http_json_text(catalog_cursor_text(st, 4)));
    /* A caption from a JSON sidecar may be any JSON value: only text is a caption. */
    json_object_set_new(p, "caption",
                        catalog_cursor_is_text(st, 5) ? http_json_text(catalog_cursor_text(st, 5)) : json_null());
    const char *kind = catalog_cursor_text(st, 6);
    char title[1200];
    if (kind) { /* a frame has no file of its own: it is named after the one it came from */
        const char *parent = catalog_cursor_text(st, 10), *pfile = catalog_cursor_text(st, 11);
        int frame_no = catalog_cursor_int(st, 7);
        int64_t time_ms = catalog_cursor_is_null(st, 8) ? -1 : catalog_cursor_i64(st, 8);
        json_t *of = json_object();
        json_object_set_new(of, "parent_id", http_json_text(parent));
        json_object_set_new(of, "kind", json_string(kind));
        json_object_set_new(of, "frame_no", json_integer(frame_no));
        if (time_ms >= 0)
            json_object_set_new(of, "time_ms", json_integer(time_ms));
        if (catalog_cursor_int(st, 9) > 0)
            json_object_set_new(of, "scene", json_integer(catalog_cursor_int(st, 9)));
        if (pfile)
            json_object_set_new(of, "file", http_json_text(pfile));
        json_object_set_new(p, "frame_of", of);
        const char *from = pfile ? base_name(pfile) : parent ? parent : "?";
        frame_name_format(kind, frame_no, time_ms, from, title, sizeof title);
    } else {
        snprintf(title, sizeof title, "%s", file ? base_name(file) : id ? id : "");
    }
    json_object_set_new(p, "title", http_json_text(title));
    return p;
}

/* Runs a prepared list query whose columns are SUMMARY_COLS and then count
 * columns named by `counts`; keep (may be NULL) filters rows. */
typedef bool (*row_filter)(catalog_cursor *st, const void *ud);

static int run_list(catalog_cursor *st, const char *const *counts, size_t ncounts, row_filter keep, const void *ud,
                    long limit, json_t **out, err *e)
{
    json_t *arr = json_array();
    int step;
    while ((step = catalog_cursor_next(st, e)) == 1) {
        if (keep && !keep(st, ud))
            continue;
        if (limit >= 0 && (long)json_array_size(arr) >= limit)
            continue;
        json_t *p = summary_from_row(st);
        for (size_t i = 0; i < ncounts; i++)
            json_object_set_new(p, counts[i], json_integer(catalog_cursor_i64(st, SUMMARY_NCOLS + (int)i)));
        json_array_append_new(arr, p);
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

/* SQL condition: face f is not one a video's track stands for (a face of a
 * track whose first face is still to review): a track is one review item,
 * its first face's photo. */
#define PENDING_NOT_IN_TRACK(f)                                                                                        \
    "AND NOT EXISTS (SELECT 1 FROM face_tracks t JOIN faces h ON h.id = t.track_id WHERE t.face_id = " f ".id "        \
    "  AND t.track_id <> " f ".id AND h.status = 'unreviewed') "

int view_pending(catalog *c, long limit, long offset, json_t **out, err *e)
{
    *out = NULL;
    catalog_cursor *st = NULL;
    /* Walk the analysis runs newest first; a run counts when it is the photo's
     * current one (catalog_query.h) and has a face nobody has settled. */
    if (!(st = catalog_query(
              c,
              "SELECT " SUMMARY_COLS ", "
              "(SELECT count(*) FROM faces f WHERE f.photo_id = a.photo_id AND f.model_version = a.model_version), "
              "(SELECT count(*) FROM faces f WHERE f.photo_id = a.photo_id AND f.model_version = a.model_version "
              "  AND f.status = 'unreviewed') "
              "FROM analysis_runs a JOIN photos p ON p.photo_id = a.photo_id " SUMMARY_JOIN(
                  "p") "WHERE a.status = 'done' AND a.model_version = " CATALOG_CURRENT_VERSION("a.photo_id") " "
                                                                                                              "AND "
                                                                                                              "EXISTS "
                                                                                                              "(SELECT "
                                                                                                              "1 FROM "
                                                                                                              "faces f "
                                                                                                              "WHERE "
                                                                                                              "f.photo_"
                                                                                                              "id = "
                                                                                                              "a.photo_"
                                                                                                              "id AND "
                                                                                                              "f.model_"
                                                                                                              "version "
                                                                                                              "= "
                                                                                                              "a.model_"
                                                                                                              "version "
                                                                                                              "  AND "
                                                                                                              "f."
                                                                                                              "status "
                                                                                                              "= "
                                                                                                              "'unrevie"
                                                                                                              "wed'"
                                                                                                              " " PENDING_NOT_IN_TRACK(
                                                                                                                  "f") ") "
                                                                                                                       "ORDER BY a.rowid DESC LIMIT ?1 OFFSET ?2",
              "list pending photos", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_i64(st, 1, limit);
    catalog_cursor_bind_i64(st, 2, offset);
    static const char *const counts[] = { "faces", "unreviewed" };
    return run_list(st, counts, 2, NULL, NULL, -1, out, e);
}

int view_photo_list(catalog *c, long limit, long offset, json_t **out, err *e)
{
    *out = NULL;
    catalog_cursor *st = NULL;
    int64_t total = 0;
    int found = catalog_query_i64(c, "SELECT count(*) FROM photos", "count photos", NULL, 0, &total, e);
    if (found < 0)
        return found;
    if (!(st = catalog_query(c,
                             "SELECT " SUMMARY_COLS
                             ", (SELECT count(*) FROM faces f WHERE f.photo_id = p.photo_id AND " CATALOG_CURRENT_FACE(
                                 "f") ") FROM photos p" SUMMARY_JOIN("p") "ORDER BY p.rowid DESC LIMIT ?1 OFFSET ?2",
                             "list photos", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_i64(st, 1, limit);
    catalog_cursor_bind_i64(st, 2, offset);
    static const char *const counts[] = { "faces" };
    json_t *photos;
    int rc = run_list(st, counts, 1, NULL, NULL, -1, &photos, e);
    if (rc)
        return rc;
    *out = json_pack("{s:I, s:o}", "total", (json_int_t)total, "photos", photos);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

/* A sheet's frames: each frame's photo, number and outline on the sheet. */
static int frame_to_json(const catalog_frame *f, void *ud)
{
    json_t *arr = ud, *o = json_object(), *corners = json_array();
    sheet_frame sf = {
        .no = f->frame_no, .strip = f->strip, .cx = f->cx, .cy = f->cy, .w = f->w, .h = f->h, .angle = f->angle
    };
    double xy[8];
    sheet_frame_corners(&sf, xy);
    for (int i = 0; i < 4; i++)
        json_array_append_new(corners, json_pack("[f, f]", round(xy[2 * i] * 10) / 10, round(xy[2 * i + 1] * 10) / 10));
    json_object_set_new(o, "photo_id", json_string(f->photo_id));
    json_object_set_new(o, "frame_no", json_integer(f->frame_no));
    json_object_set_new(o, "kind", json_string(f->kind));
    if (strcmp(f->kind, "sheet") == 0) {
        json_object_set_new(o, "strip", json_integer(f->strip));
        json_object_set_new(o, "corners", corners);
    } else {
        json_decref(corners);
    }
    if (f->time_ms >= 0)
        json_object_set_new(o, "time_ms", json_integer(f->time_ms));
    json_array_append_new(arr, o);
    return 0;
}

/* "frames" of a sheet or video (catalog_frames.h); a frame's "frame_of" is
 * in its summary (summary_from_row). */
static int add_frames(catalog *c, const char *photo_id, json_t *p, err *e)
{
    json_t *frames = json_array();
    int rc = catalog_frames_of(c, photo_id, frame_to_json, frames, e);
    if (rc == 0 && json_array_size(frames) > 0)
        json_object_set_new(p, "frames", frames);
    else
        json_decref(frames);
    return rc;
}

static int text_to_json(const char *read_on, const catalog_ocr_text *t, void *ud)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:[f,f,f,f]}", "read_on", read_on, "region", t->region, "text", t->text,
                          "confidence", round(t->confidence * 10) / 10, "box", t->x, t->y, t->w, t->h);
    return o && json_array_append_new(ud, o) == 0 ? 0 : ERR_NOMEM;
}

static int back_id_to_json(const catalog_back *b, void *ud)
{
    return json_array_append_new(ud, json_string(b->photo_id)) == 0 ? 0 : ERR_NOMEM;
}

static int flip_pending(const char *photo_id, void *ud)
{
    (void)photo_id;
    *(int *)ud = 1;
    return 0;
}

/* What the ocr stage read (catalog_ocr.h): "texts" of the photo and of its
 * backs, "backs" (their ids), "back_of" when it is a back (front_id, or
 * no_front: the reason), "ocr": {mirrored, flipped, ...} once read;
 * "reanalysis_pending": true for a flipped photo whose faces or text were
 * not read again yet. */
static int add_ocr(catalog *c, const char *photo_id, json_t *p, err *e)
{
    json_t *texts = json_array(), *backs = json_array();
    int rc = texts && backs ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0)
        rc = catalog_ocr_texts_of(c, photo_id, text_to_json, texts, e);
    if (rc == 0)
        rc = catalog_backs_of(c, photo_id, back_id_to_json, backs, e);
    catalog_back b;
    int is_back = rc ? rc : catalog_back_get(c, photo_id, &b, e);
    catalog_ocr_state st;
    if (is_back >= 0)
        rc = catalog_ocr_state_get(c, photo_id, &st, e);
    if (is_back < 0 || rc) {
        json_decref(texts);
        json_decref(backs);
        return is_back < 0 ? is_back : rc;
    }
    json_object_set_new(p, "texts", texts);
    if (json_array_size(backs))
        json_object_set_new(p, "backs", backs);
    else
        json_decref(backs);
    if (is_back == 1) {
        json_t *of = json_pack("{s:s}", "paired_by", b.paired_by);
        if (b.front_id[0]) {
            json_object_set_new(of, "front_id", json_string(b.front_id));
        } else {
            char why[1200];
            if (!strcmp(b.paired_by, "sidecar"))
                snprintf(why, sizeof why, "its sidecar names the front %s, which is not in the catalog", b.front_path);
            else
                snprintf(why, sizeof why, "no front %s.* beside it is in the catalog", b.front_path);
            json_object_set_new(of, "no_front", json_string(why));
        }
        json_object_set_new(p, "back_of", of);
    }
    if (st.read || st.flipped)
        json_object_set_new(p, "ocr",
                            json_pack("{s:b, s:b, s:f, s:f}", "mirrored", st.mirrored && !st.flipped, "flipped",
                                      st.flipped, "score", st.score, "score_flipped", st.score_flipped));
    int pending = 0;
    if (st.flipped && (rc = catalog_flips_pending(c, photo_id, flip_pending, &pending, e)) != 0)
        return rc;
    if (pending) /* GET /api/photos/{id}/reanalysis follows it */
        json_object_set_new(p, "reanalysis_pending", json_true());
    return 0;
}

int view_photo(catalog *c, const char *photo_id, bool suggest, json_t **out, err *e)
{
    *out = NULL;
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(c, "SELECT " SUMMARY_COLS " FROM photos p" SUMMARY_JOIN("p") "WHERE p.photo_id = ?1",
                             "read photo", e)))
        return e ? e->code : ERR_DB;
    catalog_cursor_bind_text(st, 1, photo_id);
    int step = catalog_cursor_next(st, e), rc = 0;
    json_t *p = NULL;
    if (step == 1)
        p = summary_from_row(st);
    else if (step == 0)
        rc = err_set(e, ERR_NOTFOUND, "photo %s does not exist", photo_id);
    else
        rc = step;
    catalog_cursor_close(st);
    if (rc == 0) {
        json_t *faces;
        rc = view_faces(c, VIEW_FACES_OF_PHOTO, photo_id, 0, suggest, &faces, e);
        if (rc == 0)
            json_object_set_new(p, "faces", faces);
    }
    if (rc == 0)
        rc = add_frames(c, photo_id, p, e);
    if (rc == 0)
        rc = add_ocr(c, photo_id, p, e);
    if (rc) {
        json_decref(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* Search rows: SUMMARY_COLS, faces count, then the names in the photo joined by
 * U+001F. */
static bool search_keep(catalog_cursor *st, const void *ud)
{
    const char *q = ud;
    if (view_text_contains(catalog_cursor_text(st, 1), q) ||
        (catalog_cursor_is_text(st, 5) && view_text_contains(catalog_cursor_text(st, 5), q)))
        return true;
    const char *names = catalog_cursor_text(st, SUMMARY_NCOLS + 1);
    if (!names)
        return false;
    /* Each name on its own, so a query cannot match across two names. */
    char *copy = strdup(names), *save = NULL;
    bool found = false;
    for (char *n = copy ? strtok_r(copy, "\x1f", &save) : NULL; n && !found; n = strtok_r(NULL, "\x1f", &save))
        found = view_text_contains(n, q);
    free(copy);
    return found;
}

int view_photo_search(catalog *c, const char *q, long limit, json_t **out, err *e)
{
    *out = NULL;
    catalog_cursor *st = NULL;
    if (!(st = catalog_query(
              c,
              "SELECT " SUMMARY_COLS
              ", (SELECT count(*) FROM faces f WHERE f.photo_id = p.photo_id AND " CATALOG_CURRENT_FACE(
                  "f") "), "
                       "(SELECT group_concat(n.name, char(31)) FROM faces f JOIN persons n ON n.id = f.person_id "
                       "  WHERE f.photo_id = p.photo_id AND n.name IS NOT NULL AND " CATALOG_CURRENT_FACE(
                           "f") ") "
                                "FROM photos p" SUMMARY_JOIN("p") "ORDER BY p.rowid DESC",
              "search photos", e)))
        return e ? e->code : ERR_DB;
    static const char *const counts[] = { "faces" };
    return run_list(st, counts, 1, search_keep, q, limit, out, e);
}
