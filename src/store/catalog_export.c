/* catalog_export.c — the export's SQL (see catalog_export.h). */
#include "store/catalog_export.h"
#include "store/catalog_internal.h"

#include <sqlite3.h>
#include <stddef.h>

static int fail(catalog *c, const char *what, err *e)
{
    return catalog_db_error(catalog_sqlite(c), catalog_path(c), what, e);
}

static const char *txt(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

#define RUN(c, sql, what, e, ROW)                                                                                      \
    do {                                                                                                               \
        sqlite3_stmt *st = NULL;                                                                                       \
        if (sqlite3_prepare_v2(catalog_sqlite(c), sql, -1, &st, NULL) != SQLITE_OK)                                    \
            return fail(c, what, e);                                                                                   \
        int step_, rc_ = 0;                                                                                            \
        while ((step_ = sqlite3_step(st)) == SQLITE_ROW) {                                                             \
            rc_ = (ROW);                                                                                               \
            if (rc_)                                                                                                   \
                break;                                                                                                 \
        }                                                                                                              \
        if (rc_ == 0 && step_ != SQLITE_DONE)                                                                          \
            rc_ = fail(c, what, e);                                                                                    \
        sqlite3_finalize(st);                                                                                          \
        return rc_;                                                                                                    \
    } while (0)

static int photo_row(sqlite3_stmt *st, catalog_export_photo_fn fn, void *ud)
{
    catalog_export_photo p = { .photo_id = txt(st, 0),
                               .width = sqlite3_column_int(st, 1),
                               .height = sqlite3_column_int(st, 2),
                               .taken_at = txt(st, 3),
                               .taken_at_source = txt(st, 4),
                               .date_value = txt(st, 5),
                               .date_precision = txt(st, 6),
                               .date_source = txt(st, 7),
                               .date_inferred = sqlite3_column_int(st, 8) == 1,
                               .place_id = sqlite3_column_int64(st, 9),
                               .place_source = txt(st, 10),
                               .event_id = sqlite3_column_int64(st, 11),
                               .caption = txt(st, 12) };
    return fn(&p, ud);
}

int catalog_export_each_photo(catalog *c, catalog_export_photo_fn fn, void *ud, err *e)
{
    RUN(c,
        "SELECT p.photo_id, p.width, p.height, p.taken_at, p.taken_at_source, a.date_value, a.date_precision, "
        "a.date_source, a.date_inferred, ifnull(a.place_id, 0), a.place_source, ifnull(a.event_id, 0), "
        "coalesce(json_extract(p.sidecar, '$.txt'), json_extract(p.sidecar, '$.xmp.description'), "
        "json_extract(p.sidecar, '$.xmp.title'), json_extract(p.sidecar, '$.json.caption')) "
        "FROM photos p LEFT JOIN photo_annotations a ON a.photo_id = p.photo_id ORDER BY p.photo_id",
        "export: read photos", e, photo_row(st, fn, ud));
}

static int face_row(sqlite3_stmt *st, catalog_export_face_fn fn, void *ud)
{
    catalog_export_face f = { .id = sqlite3_column_int64(st, 0),
                              .photo_id = txt(st, 1),
                              .face_no = sqlite3_column_int(st, 2),
                              .box = { sqlite3_column_double(st, 3), sqlite3_column_double(st, 4),
                                       sqlite3_column_double(st, 5), sqlite3_column_double(st, 6) },
                              .score = sqlite3_column_double(st, 7),
                              .person_id = sqlite3_column_int64(st, 8),
                              .person_name = txt(st, 9),
                              .status = txt(st, 10) };
    return fn(&f, ud);
}

int catalog_export_each_face(catalog *c, catalog_export_face_fn fn, void *ud, err *e)
{
    RUN(c,
        "WITH cur AS (SELECT photo_id, model_version FROM analysis_runs r WHERE status = 'done' AND rowid = "
        "  (SELECT max(rowid) FROM analysis_runs r2 WHERE r2.photo_id = r.photo_id AND r2.status = 'done')) "
        "SELECT f.id, f.photo_id, f.face_no, f.box_x, f.box_y, f.box_w, f.box_h, ifnull(f.score, 0), "
        "ifnull(f.person_id, 0), CASE WHEN pe.name <> '' THEN pe.name END, f.status "
        "FROM faces f JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version "
        "LEFT JOIN persons pe ON pe.id = f.person_id ORDER BY f.photo_id, f.face_no",
        "export: read faces", e, face_row(st, fn, ud));
}

int catalog_export_each_suggestion(catalog *c, catalog_export_suggestion_fn fn, void *ud, err *e)
{
    RUN(c,
        "SELECT person_id, 0, label, confidence, source, evidence, status FROM person_suggestions "
        "WHERE status <> 'rejected' "
        "UNION ALL SELECT 0, face_id, label, confidence, source, evidence, status FROM face_suggestions "
        "WHERE status <> 'rejected' ORDER BY 1, 2, 4 DESC, 3",
        "export: read name suggestions", e,
        fn(sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), txt(st, 2), sqlite3_column_double(st, 3),
           txt(st, 4), txt(st, 5), txt(st, 6), ud));
}

int catalog_export_each_person(catalog *c, catalog_export_person_fn fn, void *ud, err *e)
{
    RUN(c,
        "SELECT p.id, CASE WHEN p.name <> '' THEN p.name END, p.hidden, count(f.id), count(DISTINCT f.photo_id) "
        "FROM persons p JOIN faces f ON f.person_id = p.id GROUP BY p.id ORDER BY p.id",
        "export: read persons", e,
        fn(sqlite3_column_int64(st, 0), txt(st, 1), sqlite3_column_int(st, 2) == 1, sqlite3_column_int64(st, 3),
           sqlite3_column_int64(st, 4), ud));
}

int catalog_export_each_event(catalog *c, catalog_export_event_fn fn, void *ud, err *e)
{
    RUN(c,
        "SELECT e.id, e.name, e.date_value, e.date_precision, ifnull(e.location_id, 0), e.source, "
        "(SELECT count(*) FROM photo_annotations a WHERE a.event_id = e.id) FROM events e ORDER BY e.id",
        "export: read events", e,
        fn(sqlite3_column_int64(st, 0), txt(st, 1), txt(st, 2), txt(st, 3), sqlite3_column_int64(st, 4), txt(st, 5),
           sqlite3_column_int64(st, 6), ud));
}

int catalog_export_each_place(catalog *c, catalog_export_place_fn fn, void *ud, err *e)
{
    RUN(c,
        "SELECT id, name, country, ifnull(geonames_id, 0), lat IS NOT NULL AND lon IS NOT NULL, lat, lon, source "
        "FROM places ORDER BY id",
        "export: read places", e,
        fn(sqlite3_column_int64(st, 0), txt(st, 1), txt(st, 2), sqlite3_column_int64(st, 3),
           sqlite3_column_int(st, 4) == 1, sqlite3_column_double(st, 5), sqlite3_column_double(st, 6), txt(st, 7), ud));
}
