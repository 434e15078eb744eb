/* catalog_graph.c — the graph's node and relation sets, the timeline and the
 * neighbourhood queries over the catalog's tables (catalog_graph.h), and the
 * writers of the places/events/photo_annotations rows of schema 4.
 * Every value is a bound parameter. Statements of the per-request reads (a
 * node, its neighbours, a photo's people, the timeline) are kept prepared per
 * connection (catalog_prepare_cached); the export's are prepared per set. */
#include "store/catalog_graph.h"
#include "core/idset.h"
#include "store/catalog_internal.h"
#include "store/catalog_query.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int db_error(catalog *c, const char *what, err *e)
{
    return catalog_error(c, what, e);
}

static sqlite3_stmt *prepare(catalog *c, const char *sql, const char *what, err *e)
{
    return catalog_prepare(c, sql, what, e);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* ---- a photo's date -------------------------------------------------------- */

/* Every photo with its date, kept by the triggers of schema 12 in
 * timeline_photos (catalog_schema.c says how a date is chosen: the
 * annotation's, else EXIF taken_at, else the event's; NULL when none: an
 * undated photo is never given a date by guess). */
#define PHOTO_DATES                                                                                                    \
    "ph AS (SELECT photo_id, date, precision, date_source, event_id, place_id, ev_date, ev_precision"                  \
    "  FROM timeline_photos)"

/* The year a date names, when it names one (a decade does not). */
#define YEAR_OF(d, prec)                                                                                               \
    "(CASE WHEN " d " IS NOT NULL AND " prec " IS NOT 'decade' THEN CAST(substr(" d ", 1, 4) AS INTEGER) END)"

/* A face that counts for the graph: assigned to a visible person, not rejected
 * (of its photo's current analysis: CURRENT_FACES / CATALOG_CURRENT_FACE). */
#define FACE_COUNTS(f)                                                                                                 \
    f ".person_id IS NOT NULL AND " f ".status <> 'rejected' AND " f                                                   \
      ".person_id IN (SELECT id FROM persons WHERE hidden = 0)"

/* For a whole set: `cf`, the faces that count, of each photo's current
 * analysis (catalog_query.h's one definition, computed once). A per-node query
 * uses CATALOG_CURRENT_FACE, the same rule for one photo at a time. */
#define CURRENT_FACES                                                                                                  \
    CATALOG_CURRENT_CTE ", cf AS (SELECT f.* FROM faces f"                                                             \
                        " JOIN cur ON cur.photo_id = f.photo_id AND cur.model_version = f.model_version"               \
                        " WHERE " FACE_COUNTS("f") ")"
/* Who took the photos of an event: a person whose name annotate read after a
 * photographer's mark ("Foto: NAME") in a caption (photo_photographers, kept
 * from photo_annotations.evidence by schema 12's triggers); rows (person,
 * event, photo). PG_OF_PERSON / PG_OF_EVENT: the same for one of them (?1). */
#define PHOTOGRAPHERS                                                                                                  \
    "SELECT p.id AS person, a.event_id AS event, a.photo_id AS photo FROM photo_photographers g"                       \
    " JOIN persons p ON p.name = g.name AND p.hidden = 0 JOIN photo_annotations a ON a.photo_id = g.photo_id"          \
    " WHERE a.event_id IS NOT NULL"
#define PG_OF_PERSON                                                                                                   \
    "SELECT t.event_id FROM persons p JOIN photo_photographers g ON g.name = p.name"                                   \
    " JOIN timeline_photos t ON t.photo_id = g.photo_id WHERE p.id = ?1 AND p.hidden = 0 AND t.event_id IS NOT NULL"
#define PG_OF_EVENT                                                                                                    \
    "SELECT p.id FROM timeline_photos t INDEXED BY timeline_event JOIN photo_photographers g"                          \
    " ON g.photo_id = t.photo_id JOIN persons p ON p.name = g.name AND p.hidden = 0 WHERE t.event_id = ?1"

/* ---- sets -------------------------------------------------------------------- */

typedef struct set_def {
    const char *sql;
    catalog_graph_column cols[8];
    int ncols;
} set_def;

#define T CATALOG_GRAPH_TEXT
#define I CATALOG_GRAPH_INT
#define R CATALOG_GRAPH_REAL
#define L CATALOG_GRAPH_LIST

static const set_def sets[CATALOG_GRAPH_SET_COUNT] = {
    [CATALOG_GRAPH_FOTO] = { "WITH " PHOTO_DATES " SELECT ph.photo_id,"
                             " (SELECT min(path) FROM photo_sources s WHERE s.photo_id = ph.photo_id),"
                             " ph.date, ph.precision, ph.date_source FROM ph ORDER BY ph.photo_id",
                             { { "id", T },
                               { "path", T },
                               { "timestamp", T },
                               { "precision", T },
                               { "date_source", T } },
                             5 },
    [CATALOG_GRAPH_PERSON] = { "WITH " CURRENT_FACES ", pf AS (SELECT person_id, avg(status = 'confirmed') AS conf"
                               "  FROM cf GROUP BY person_id)"
                               " SELECT p.id, p.name,"
                               " (SELECT json_group_array(label) FROM (SELECT label FROM person_suggestions s"
                               "   WHERE s.person_id = p.id AND s.status = 'open' ORDER BY confidence DESC, label)),"
                               " pf.conf FROM persons p JOIN pf ON pf.person_id = p.id ORDER BY p.id",
                               { { "cluster_id", I }, { "name", T }, { "suggested_labels", L }, { "confidence", R } },
                               4 },
    [CATALOG_GRAPH_CLUSTER] = { "WITH " CURRENT_FACES " SELECT person_id, count(*) FROM cf GROUP BY person_id"
                                " ORDER BY person_id",
                                { { "id", I }, { "size", I } },
                                2 },
    [CATALOG_GRAPH_EVENT] = { "SELECT id, name, year, coalesce(date_value, CAST(year AS TEXT)),"
                              " CASE WHEN date_value IS NOT NULL THEN date_precision WHEN year IS NOT NULL THEN 'year' "
                              "END,"
                              " source FROM events ORDER BY id",
                              { { "id", I },
                                { "name", T },
                                { "year", I },
                                { "date", T },
                                { "precision", T },
                                { "source", T } },
                              6 },
    [CATALOG_GRAPH_LOCATION] = { "SELECT id, name, lat, lon, country, geonames_id, source FROM places ORDER BY id",
                                 { { "id", I },
                                   { "name", T },
                                   { "lat", R },
                                   { "lon", R },
                                   { "country", T },
                                   { "geonames_id", I },
                                   { "source", T } },
                                 7 },
    [CATALOG_GRAPH_YEAR] = { "WITH " PHOTO_DATES " SELECT y FROM ("
                             " SELECT " YEAR_OF(
                                 "ph.date",
                                 "ph.precision") " AS y FROM ph"
                                                 " UNION SELECT year FROM events UNION SELECT value FROM years)"
                                                 " WHERE y BETWEEN 1000 AND 9999 ORDER BY y",
                             { { "value", I } },
                             1 },
    [CATALOG_GRAPH_APPEARS_IN] = { "WITH " CURRENT_FACES " SELECT f.person_id, f.photo_id,"
                                   " json_array(f.box_x, f.box_y, f.box_w, f.box_h), max(coalesce(f.score, 0))"
                                   " FROM cf f GROUP BY f.person_id, f.photo_id ORDER BY f.person_id, f.photo_id",
                                   { { "person", I }, { "photo", T }, { "bbox", L }, { "confidence", R } },
                                   4 },
    [CATALOG_GRAPH_TAKEN_AT] = { "SELECT photo_id, place_id FROM photo_annotations WHERE place_id IS NOT NULL"
                                 " ORDER BY photo_id",
                                 { { "photo", T }, { "place", I } },
                                 2 },
    [CATALOG_GRAPH_PART_OF] = { "SELECT photo_id, event_id FROM photo_annotations WHERE event_id IS NOT NULL"
                                " ORDER BY photo_id",
                                { { "photo", T }, { "event", I } },
                                2 },
    [CATALOG_GRAPH_LOCATED_IN] = { "SELECT id, location_id FROM events WHERE location_id IS NOT NULL ORDER BY id",
                                   { { "event", I }, { "place", I } },
                                   2 },
    [CATALOG_GRAPH_SAME_AS] = { "WITH " CURRENT_FACES
                                " SELECT DISTINCT person_id, person_id FROM cf ORDER BY person_id",
                                { { "cluster", I }, { "person", I } },
                                2 },
    /* role: "attendee" (seen in the event's photos) or "photographer" (named as
     * the one who took some of them); part of the relation's identity. */
    [CATALOG_GRAPH_PERFORMED_AT] = { "WITH " CURRENT_FACES " SELECT person, event, role, count(DISTINCT photo) FROM ("
                                     " SELECT f.person_id AS person, a.event_id AS event, 'attendee' AS role,"
                                     "  f.photo_id AS photo FROM cf f JOIN photo_annotations a ON a.photo_id = "
                                     "f.photo_id"
                                     "  WHERE a.event_id IS NOT NULL"
                                     " UNION ALL SELECT person, event, 'photographer', photo FROM (" PHOTOGRAPHERS "))"
                                     " GROUP BY person, event, role ORDER BY person, event, role",
                                     { { "person", I }, { "event", I }, { "role", T }, { "photos", I } },
                                     4 },
    [CATALOG_GRAPH_IN_YEAR] = { "WITH " PHOTO_DATES " SELECT photo_id, y FROM (SELECT photo_id, " YEAR_OF(
                                    "ph.date", "ph.precision") " AS y FROM ph)"
                                                               " WHERE y BETWEEN 1000 AND 9999 ORDER BY photo_id",
                                { { "photo", T }, { "year", I } },
                                2 },
    [CATALOG_GRAPH_NEXT_PHOTO] = { "WITH " PHOTO_DATES " SELECT a, b, 'event:' || event_id FROM ("
                                   " SELECT photo_id AS a, event_id,"
                                   "  lead(photo_id) OVER (PARTITION BY event_id ORDER BY date, photo_id) AS b"
                                   " FROM ph WHERE event_id IS NOT NULL AND date IS NOT NULL)"
                                   " WHERE b IS NOT NULL ORDER BY a",
                                   { { "from_id", T }, { "to_id", T }, { "scope", T } },
                                   3 },
    [CATALOG_GRAPH_NEXT_EVENT] = { "WITH " CURRENT_FACES ","
                                   " ed AS (SELECT id, coalesce(date_value, CAST(year AS TEXT)) AS d FROM events"
                                   "   WHERE coalesce(date_value, year) IS NOT NULL),"
                                   " pe AS (SELECT DISTINCT f.person_id AS person, a.event_id AS event FROM cf f"
                                   "   JOIN photo_annotations a ON a.photo_id = f.photo_id WHERE a.event_id IS NOT "
                                   "NULL)"
                                   " SELECT a, b, scope FROM ("
                                   "  SELECT id AS a, lead(id) OVER (ORDER BY d, id) AS b, 'archive' AS scope, 0 AS k"
                                   "  FROM ed"
                                   "  UNION ALL SELECT pe.event, lead(pe.event) OVER (PARTITION BY pe.person"
                                   "   ORDER BY ed.d, ed.id), 'person:' || pe.person, pe.person FROM pe"
                                   "   JOIN ed ON ed.id = pe.event)"
                                   " WHERE b IS NOT NULL ORDER BY k, a",
                                   { { "from_id", I }, { "to_id", I }, { "scope", T } },
                                   3 },
};

#undef T
#undef I
#undef R
#undef L

const catalog_graph_column *catalog_graph_columns(catalog_graph_set set, int *n)
{
    if ((int)set < 0 || set >= CATALOG_GRAPH_SET_COUNT) {
        *n = 0;
        return NULL;
    }
    *n = sets[set].ncols;
    return sets[set].cols;
}

int catalog_graph_each(catalog *c, catalog_graph_set set, catalog_graph_row_fn fn, void *ud, err *e)
{
    if ((int)set < 0 || set >= CATALOG_GRAPH_SET_COUNT)
        return err_set(e, ERR_INTERNAL, "%s: no graph set %d", catalog_path(c), (int)set);
    const set_def *d = &sets[set];
    sqlite3_stmt *st = prepare(c, d->sql, "read the graph", e);
    if (!st)
        return e ? e->code : ERR_DB;
    catalog_graph_value row[8];
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < d->ncols; i++) {
            catalog_graph_value *v = &row[i];
            memset(v, 0, sizeof *v);
            v->null = sqlite3_column_type(st, i) == SQLITE_NULL;
            if (v->null)
                continue;
            switch (d->cols[i].kind) {
            case CATALOG_GRAPH_INT:
                v->i = sqlite3_column_int64(st, i);
                break;
            case CATALOG_GRAPH_REAL:
                v->r = sqlite3_column_double(st, i);
                break;
            default:
                v->s = col_text(st, i);
                v->len = (size_t)sqlite3_column_bytes(st, i);
                v->null = v->s == NULL;
            }
        }
        if ((rc = fn(row, d->ncols, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read the graph", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_graph_read_begin(catalog *c, err *e)
{
    if (sqlite3_exec(catalog_sqlite(c), "BEGIN DEFERRED; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
        SQLITE_OK) {
        int rc = db_error(c, "begin reading the graph", e);
        sqlite3_exec(catalog_sqlite(c), "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    return 0;
}

/* BEGIN or COMMIT by a statement kept prepared on the connection. */
static bool run_kept(catalog *c, const char *sql)
{
    sqlite3_stmt *st = catalog_prepare_cached(c, sql, "begin or end a read", NULL);
    bool ok = st && sqlite3_step(st) == SQLITE_DONE;
    catalog_cached_done(c, st);
    return ok;
}

bool catalog_graph_read_snapshot(catalog *c)
{
    /* The snapshot starts at the first read, which follows at once. */
    return sqlite3_get_autocommit(catalog_sqlite(c)) && run_kept(c, "BEGIN DEFERRED");
}

void catalog_graph_read_end(catalog *c)
{
    if (!run_kept(c, "COMMIT"))
        sqlite3_exec(catalog_sqlite(c), "ROLLBACK", NULL, NULL, NULL);
}

/* ---- writers ----------------------------------------------------------------- */

static const char *const precisions[] = { "day", "month", "season", "year", "decade" };

static bool precision_ok(const char *p)
{
    for (size_t i = 0; i < sizeof precisions / sizeof precisions[0]; i++)
        if (strcmp(p, precisions[i]) == 0)
            return true;
    return false;
}

/* A date value and its precision: both or neither; the value starts with a year. */
static int check_date(catalog *c, const char *what, const char *v, const char *prec, err *e)
{
    bool has_v = v && *v, has_p = prec && *prec;
    if (has_v != has_p)
        return err_set(e, ERR_INVALID, "%s: %s: a date needs both its value and its precision", catalog_path(c), what);
    if (!has_v)
        return 0;
    if (!precision_ok(prec))
        return err_set(e, ERR_INVALID, "%s: %s: date precision '%s' is not day, month, season, year or decade",
                       catalog_path(c), what, prec);
    if (strlen(v) < 4 || strspn(v, "0123456789") < 4)
        return err_set(e, ERR_INVALID, "%s: %s: date '%s' does not start with a four-digit year", catalog_path(c), what,
                       v);
    return 0;
}

int catalog_graph_place_put(catalog *c, catalog_place *p, err *e)
{
    if (!p->name || !*p->name)
        return err_set(e, ERR_INVALID, "%s: a place needs a name", catalog_path(c));
    if (p->has_coords && !(fabs(p->lat) <= 90 && fabs(p->lon) <= 180))
        return err_set(e, ERR_INVALID, "%s: place '%s': lat %g, lon %g out of range", catalog_path(c), p->name, p->lat,
                       p->lon);
    sqlite3_stmt *st = prepare(c,
                               "INSERT INTO places (name, lat, lon, country, geonames_id, source)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO UPDATE SET"
                               " lat = excluded.lat, lon = excluded.lon, country = excluded.country,"
                               " geonames_id = excluded.geonames_id, source = excluded.source RETURNING id",
                               "store a place", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, p->name, -1, SQLITE_TRANSIENT);
    if (p->has_coords) {
        sqlite3_bind_double(st, 2, p->lat);
        sqlite3_bind_double(st, 3, p->lon);
    }
    bind_text_or_null(st, 4, p->country);
    bind_id_or_null(st, 5, p->geonames_id);
    bind_text_or_null(st, 6, p->source);
    int rc = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        p->id = sqlite3_column_int64(st, 0);
    else
        rc = db_error(c, "store a place", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_graph_event_put(catalog *c, catalog_event *ev, err *e)
{
    if (!ev->name || !*ev->name)
        return err_set(e, ERR_INVALID, "%s: an event needs a name", catalog_path(c));
    int rc = check_date(c, ev->name, ev->date_value, ev->date_precision, e);
    if (rc)
        return rc;
    /* events_name_year is a unique expression index: ON CONFLICT cannot name it,
     * so look the event up first (in the caller's transaction when one is open). */
    sqlite3_stmt *st = prepare(c, "SELECT id FROM events WHERE name = ?1 AND ifnull(year, 0) = ?2", "find an event", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, ev->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, ev->year);
    int step = sqlite3_step(st);
    int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return db_error(c, "find an event", e);
    st = prepare(c,
                 id ? "UPDATE events SET location_id = ?3, date_value = ?4, date_precision = ?5, source = ?6"
                      " WHERE id = ?7 RETURNING id"
                    : "INSERT INTO events (name, year, location_id, date_value, date_precision, source)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                 "store an event", e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (!id) {
        sqlite3_bind_text(st, 1, ev->name, -1, SQLITE_TRANSIENT);
        if (ev->year)
            sqlite3_bind_int(st, 2, ev->year);
    } else {
        sqlite3_bind_int64(st, 7, id);
    }
    bind_id_or_null(st, 3, ev->location_id);
    bind_text_or_null(st, 4, ev->date_value);
    bind_text_or_null(st, 5, ev->date_precision);
    bind_text_or_null(st, 6, ev->source);
    if (sqlite3_step(st) == SQLITE_ROW)
        ev->id = sqlite3_column_int64(st, 0);
    else
        rc = db_error(c, "store an event", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_graph_annotation_put(catalog *c, const catalog_annotation *a, err *e)
{
    int rc = check_date(c, a->photo_id ? a->photo_id : "(no photo)", a->date_value, a->date_precision, e);
    if (rc)
        return rc;
    bool human = a->date_source && strcmp(a->date_source, "human") == 0;
    sqlite3_stmt *st = prepare(c,
                               "INSERT INTO photo_annotations (photo_id, date_value, date_precision, date_source,"
                               " date_inferred, place_id, place_source, event_id, evidence)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                               " ON CONFLICT (photo_id) DO UPDATE SET date_value = excluded.date_value,"
                               " date_precision = excluded.date_precision, date_source = excluded.date_source,"
                               " date_inferred = excluded.date_inferred, place_id = excluded.place_id,"
                               " place_source = excluded.place_source, event_id = excluded.event_id,"
                               " evidence = excluded.evidence, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
                               " WHERE ?10 OR (date_source IS NOT 'human' AND place_source IS NOT 'human')",
                               "store a photo annotation", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, a->photo_id ? a->photo_id : "", -1, SQLITE_TRANSIENT);
    bind_text_or_null(st, 2, a->date_value);
    bind_text_or_null(st, 3, a->date_precision);
    bind_text_or_null(st, 4, a->date_value ? a->date_source : NULL);
    sqlite3_bind_int(st, 5, a->date_inferred);
    bind_id_or_null(st, 6, a->place_id);
    bind_text_or_null(st, 7, a->place_id ? a->place_source : NULL);
    bind_id_or_null(st, 8, a->event_id);
    bind_text_or_null(st, 9, a->evidence);
    sqlite3_bind_int(st, 10, human);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_error(c, "store a photo annotation", e);
    else if (sqlite3_changes(catalog_sqlite(c)) == 0)
        rc = err_set(e, ERR_CONFLICT, "%s: photo %s: its date or place was set by a person; not overwritten",
                     catalog_path(c), a->photo_id);
    sqlite3_finalize(st);
    return rc;
}

/* ---- timeline ------------------------------------------------------------------ */

/* The timeline reads timeline_photos in the order of its index (key, ev_ord,
 * date, photo_id); a person's from their own faces first (CROSS JOIN keeps
 * that order of the loops), then sorted: a handful of rows. */
#define TL_COLS                                                                                                        \
    "SELECT t.photo_id, t.date, t.precision, t.date_source, t.event_id, e.name, t.ev_date, t.ev_precision,"            \
    " t.place_id, pl.name"
#define TL_ALL " FROM timeline_photos t"
#define TL_MINE " FROM photo_persons m CROSS JOIN timeline_photos t ON t.photo_id = m.photo_id AND m.person_id = ?1"
#define TL_JOINS " LEFT JOIN events e ON e.id = t.event_id LEFT JOIN places pl ON pl.id = t.place_id WHERE "
/* The order of index timeline_runs: a key's photos of no event (all of the
 * same date) by precision too, so the photos of one date at one precision are
 * one entry (a decade's "1950" and a year's "1950" share the key). */
#define TL_ORDER " ORDER BY t.key, t.ev_ord, t.date, t.precision, t.photo_id"
#define TL_DATED "t.key >= ?2 AND t.key < ?3"
#define TL_UNDATED "t.key IS NULL"
#define TL_EVENT "t.event_id = ?4 AND t.key IS NOT NULL"
#define TL_DATE "t.event_id IS NULL AND t.precision = ?5 AND t.key >= ?6 AND t.key < ?6 || '~'"
#define TL_SQL(from, cond, order) TL_COLS from TL_JOINS cond order

static const char *const timeline_sql[2][4] = {
    { TL_SQL(TL_ALL, TL_DATED, TL_ORDER), TL_SQL(TL_ALL, TL_UNDATED, TL_ORDER), TL_SQL(TL_ALL, TL_EVENT, TL_ORDER),
      TL_SQL(TL_ALL, TL_DATE, TL_ORDER) },
    { TL_SQL(TL_MINE, TL_DATED, TL_ORDER), TL_SQL(TL_MINE, TL_UNDATED, TL_ORDER), TL_SQL(TL_MINE, TL_EVENT, TL_ORDER),
      TL_SQL(TL_MINE, TL_DATE, TL_ORDER) },
};

/* Runs one of timeline_sql; 0, fn's non-zero, or <0 with e set. */
static int timeline_run(catalog *c, const catalog_timeline_filter *q, int kind, catalog_timeline_fn fn, void *ud,
                        err *e)
{
    sqlite3_stmt *st = catalog_prepare_cached(c, timeline_sql[q->person_id > 0][kind], "read the timeline", e);
    if (!st)
        return e ? e->code : ERR_DB;
    char lo[16], hi[16];
    snprintf(lo, sizeof lo, "%04d", q->from_year > 0 ? q->from_year : 0);
    if (q->to_year > 0)
        snprintf(hi, sizeof hi, "%04d", q->to_year + 1);
    else
        snprintf(hi, sizeof hi, "~"); /* after every digit */
    if (q->person_id > 0)
        sqlite3_bind_int64(st, 1, q->person_id);
    if (kind == 0) {
        sqlite3_bind_text(st, 2, lo, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, hi, -1, SQLITE_TRANSIENT);
    } else if (kind == 2) {
        sqlite3_bind_int64(st, 4, q->event_id);
    } else if (kind == 3) {
        sqlite3_bind_text(st, 5, q->precision, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, q->date, -1, SQLITE_TRANSIENT);
    }
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_timeline_photo p = {
            .photo_id = col_text(st, 0),
            .date = col_text(st, 1),
            .precision = col_text(st, 2),
            .date_source = col_text(st, 3),
            .event_id = sqlite3_column_int64(st, 4),
            .event_name = col_text(st, 5),
            .event_date = col_text(st, 6),
            .event_precision = col_text(st, 7),
            .place_id = sqlite3_column_int64(st, 8),
            .place_name = col_text(st, 9),
        };
        if ((rc = fn(&p, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read the timeline", e);
    catalog_cached_done(c, st);
    return rc;
}

int catalog_graph_timeline(catalog *c, const catalog_timeline_filter *q, catalog_timeline_fn fn, void *ud, err *e)
{
    if (q->event_id > 0)
        return timeline_run(c, q, 2, fn, ud, e);
    if (q->date) {
        if (!q->precision || !precision_ok(q->precision))
            return err_set(e, ERR_INVALID, "%s: a timeline entry's date needs a precision", catalog_path(c));
        return timeline_run(c, q, 3, fn, ud, e);
    }
    int rc = timeline_run(c, q, 0, fn, ud, e);
    if (rc == 0 && q->with_undated)
        rc = timeline_run(c, q, 1, fn, ud, e);
    return rc;
}

/* One run of catalog_graph_timeline_runs: its first photo's columns, copied
 * (cut as they always were, to the sizes below). */
typedef struct tl_run {
    char photo_id[40], date[40], precision[16];
} tl_run;

static void copy_text(char *buf, size_t size, const char *text);
static const char *base_name(const char *path);

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t size)
{
    copy_text(out, size, col_text(st, i)); /* not snprintf: once per run, and a year has hundreds */
}

int catalog_graph_timeline_runs(catalog *c, int from_year, int to_year, catalog_timeline_run_fn fn, void *ud, err *e)
{
    /* Schema 25's timeline_run_heads: a row per run, in the runs' order, with
     * its first photo and count, kept by triggers; the run's event and its
     * first photo's place joined (the event's date as on the timeline). */
    static const char sql[] =
        "SELECT r.photo_id, r.date, r.precision, r.photos, r.ev_ord, e.id, e.name,"
        " coalesce(e.date_value, CAST(e.year AS TEXT)),"
        " CASE WHEN e.date_value IS NOT NULL THEN e.date_precision WHEN e.year IS NOT NULL THEN 'year' END,"
        " pl.id, pl.name FROM timeline_run_heads r"
        " LEFT JOIN events e ON e.id = r.ev_ord AND r.ev_ord <> 9223372036854775807"
        " LEFT JOIN places pl ON pl.id = r.place_id"
        " WHERE r.key >= ?1 AND r.key < ?2 ORDER BY r.key, r.ev_ord, r.prec";
    sqlite3_stmt *st = catalog_prepare_cached(c, sql, "read the timeline", e);
    if (!st)
        return e ? e->code : ERR_DB;
    char lo[16], hi[16];
    snprintf(lo, sizeof lo, "%04d", from_year > 0 ? from_year : 0);
    if (to_year > 0)
        snprintf(hi, sizeof hi, "%04d", to_year + 1);
    else
        snprintf(hi, sizeof hi, "~"); /* after every digit */
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_TRANSIENT);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        tl_run run;
        copy_col(st, 0, run.photo_id, sizeof run.photo_id);
        copy_col(st, 1, run.date, sizeof run.date);
        copy_col(st, 2, run.precision, sizeof run.precision);
        bool ev = sqlite3_column_type(st, 5) != SQLITE_NULL, pl = sqlite3_column_type(st, 9) != SQLITE_NULL;
        catalog_timeline_photo p = {
            .photo_id = run.photo_id,
            .date = run.date,
            .precision = run.precision[0] ? run.precision : NULL,
            .event_id = ev ? sqlite3_column_int64(st, 4) : 0,
            .event_name = ev ? col_text(st, 6) : NULL,
            .event_date = ev ? col_text(st, 7) : NULL,
            .event_precision = ev ? col_text(st, 8) : NULL,
            .place_id = pl ? sqlite3_column_int64(st, 9) : 0,
            .place_name = pl ? col_text(st, 10) : NULL,
        };
        if ((rc = fn(&p, sqlite3_column_int64(st, 3), ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read the timeline", e);
    catalog_cached_done(c, st);
    return rc;
}

int catalog_graph_timeline_years(catalog *c, int64_t person_id, catalog_year_fn fn, void *ud, int64_t *undated, err *e)
{
    /* Without a person: schema 18's timeline_counts (year -1: undated), kept
     * by triggers. A person's: their photos, grouped. */
    static const char all_sql[] = "SELECT year, photos FROM timeline_counts ORDER BY year";
    static const char mine_sql[] =
        "SELECT coalesce(CAST(substr(t.key, 1, 4) AS INTEGER), -1) AS y, count(*)" TL_MINE " GROUP BY y ORDER BY y";
    *undated = 0;
    sqlite3_stmt *st = catalog_prepare_cached(c, person_id > 0 ? mine_sql : all_sql, "read the timeline's years", e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (person_id > 0)
        sqlite3_bind_int64(st, 1, person_id);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int year = sqlite3_column_int(st, 0);
        int64_t n = sqlite3_column_int64(st, 1);
        if (year < 0)
            *undated = n;
        else if ((rc = fn(year, n, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read the timeline's years", e);
    catalog_cached_done(c, st);
    return rc;
}

int catalog_graph_photo_persons(catalog *c, const char *photo_id, catalog_photo_person_fn fn, void *ud, err *e)
{
    /* schema 18's photo_persons: who counts in the photo, with their best face's age */
    static const char sql[] = "SELECT pp.person_id, p.name, pp.age FROM photo_persons pp"
                              " JOIN persons p ON p.id = pp.person_id WHERE pp.photo_id = ?1 ORDER BY pp.person_id";
    sqlite3_stmt *st = catalog_prepare_cached(c, sql, "read the people of a photo", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        bool has_age = sqlite3_column_type(st, 2) != SQLITE_NULL;
        if ((rc = fn(sqlite3_column_int64(st, 0), col_text(st, 1), has_age, sqlite3_column_double(st, 2), ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read the people of a photo", e);
    catalog_cached_done(c, st);
    return rc;
}

/* ---- neighbourhood ------------------------------------------------------------- */

/* Per node type: the relations around it as (rel, dir, type, id, once, label,
 * facts, year, place, link event, link place: NO_FACTS below)
 * rows for ?1. Faces count when they are of their photo's current analysis.
 * A row with once = 1 is left out when its section (its rel) gave that id
 * already: DISTINCT in SQL took a temporary b-tree per query (half the cost of
 * an event's neighbours), so the first of each is kept here, in the order
 * SQLite reads them, as its DISTINCT did. The limit is counted here too. Ids
 * of events, places and persons are integers, written as text here (a CAST in
 * SQL allocated per row). label: a person's caption, as
 * catalog_graph_node_info's (PERSON_LABEL), so the walk needs no query per
 * person met. An event's photos are read through timeline_event, in photo id
 * order (timeline_event_entry, schema 23, has them in timeline order). */
typedef struct neighbour_def {
    const char *type;
    const char *sql;  /* every row */
    const char *rest; /* the rows after those a node's links give (catalog_node_links), NULL when none do */
} neighbour_def;

/* A photo's first path in byte order (its label is the file name of it). */
#define FIRST_PATH(id) "(SELECT path FROM photo_sources WHERE photo_id = " id " ORDER BY path LIMIT 1)"
/* A person's caption (p: persons, visible; NULL when hidden or missing). */
#define PERSON_LABEL "coalesce(p.name, 'Person ' || p.id)"
#define PERSON_JOIN(id) " LEFT JOIN persons p ON p.id = " id " AND p.hidden = 0"
/* The columns after label: facts (1 when the row carries the other node's
 * own facts, as catalog_graph_node_info reads them), its year, its place (the
 * graph view's filter), its links' event and place. NO_FACTS: none. */
#define NO_FACTS ", 0, NULL, NULL, NULL, NULL"
/* A Foto's (t: its timeline_photos row, LEFT JOINed on id): its first path
 * (the label's file name; a frame has none: then no facts) and node_info's
 * year, place and links. */
#define FOTO_FACTS(id)                                                                                                 \
    FIRST_PATH(id)                                                                                                     \
    ", t.photo_id IS NOT NULL, " YEAR_OF("t.date",                                                                     \
                                         "t.precision") ", coalesce(t.place_id, (SELECT location_id FROM events "      \
                                                        "WHERE id = t.event_id)), t.event_id, t.place_id"
/* An Event's (e: events, LEFT JOINed on id): name, year, place, its place link. */
#define EVENT_FACTS                                                                                                    \
    "e.name, e.id IS NOT NULL, coalesce(e.year, CAST(substr(e.date_value, 1, 4) AS INTEGER)), e.location_id,"          \
    " NULL, e.location_id"

/* A Foto's rows: its event and place (what its links give), then its people. */
#define FOTO_LINKED                                                                                                    \
    "SELECT 'PART_OF', 1, 'Event', event_id, 0, NULL" NO_FACTS " FROM timeline_photos WHERE photo_id = ?1"             \
    "  AND event_id IS NOT NULL"                                                                                       \
    " UNION ALL SELECT 'TAKEN_AT', 1, 'Location', place_id, 0, NULL" NO_FACTS " FROM timeline_photos"                  \
    "  WHERE photo_id = ?1 AND place_id IS NOT NULL"
#define FOTO_REST                                                                                                      \
    "SELECT 'APPEARS_IN', -1, 'Person', pp.person_id, 0, " PERSON_LABEL NO_FACTS                                       \
    " FROM photo_persons pp" PERSON_JOIN("pp.person_id") " WHERE pp.photo_id = ?1"
/* An Event's rows: its place (what its links give), its people, its photos. */
#define EVENT_LINKED                                                                                                   \
    "SELECT 'LOCATED_IN', 1, 'Location', location_id, 0, NULL" NO_FACTS " FROM events WHERE id = ?1"                   \
    " AND location_id IS NOT NULL"
#define EVENT_REST                                                                                                     \
    "SELECT 'PERFORMED_AT', -1, 'Person', x.person, 1, " PERSON_LABEL NO_FACTS " FROM ("                               \
    "  SELECT pp.person_id AS person FROM timeline_photos t INDEXED BY timeline_event"                                 \
    "  JOIN photo_persons pp ON pp.photo_id = t.photo_id WHERE t.event_id = ?1 UNION ALL " PG_OF_EVENT                 \
    ") x" PERSON_JOIN("x.person") " UNION ALL SELECT 'PART_OF', -1, 'Foto', photo_id, 0, NULL" NO_FACTS                \
                                  " FROM timeline_photos INDEXED BY timeline_event WHERE event_id = ?1"

/* A Person's rows carry the facts of the events and photos they name: the
 * walk reads no row per event or photo of a person it expands. */
static const neighbour_def neighbour_defs[] = {
    { "Person",
      "SELECT 'SAME_AS', -1, 'Cluster', ?1, 0, NULL" NO_FACTS " WHERE EXISTS (SELECT 1 FROM persons WHERE id = ?1"
      "  AND hidden = 0)"
      " UNION ALL SELECT 'PERFORMED_AT', 1, 'Event', x.event, 1, " EVENT_FACTS " FROM ("
      "  SELECT t.event_id AS event FROM photo_persons pp JOIN timeline_photos t ON t.photo_id = pp.photo_id"
      "  WHERE pp.person_id = ?1 AND t.event_id IS NOT NULL"
      "  UNION ALL " PG_OF_PERSON ") x LEFT JOIN events e ON e.id = x.event"
      " UNION ALL SELECT 'APPEARS_IN', 1, 'Foto', pp.photo_id, 0, " FOTO_FACTS(
          "pp.photo_id") " FROM photo_persons pp LEFT JOIN timeline_photos t ON t.photo_id = pp.photo_id WHERE "
                         "pp.person_id = ?1",
      NULL },
    { "Foto", FOTO_LINKED " UNION ALL " FOTO_REST, FOTO_REST },
    { "Event", EVENT_LINKED " UNION ALL " EVENT_REST, EVENT_REST },
    { "Location",
      "SELECT 'LOCATED_IN', -1, 'Event', id, 0, NULL" NO_FACTS " FROM events WHERE location_id = ?1"
      " UNION ALL SELECT 'TAKEN_AT', -1, 'Foto', photo_id, 0, NULL" NO_FACTS
      " FROM timeline_photos WHERE place_id = ?1",
      NULL },
    { "Cluster",
      "SELECT 'SAME_AS', 1, 'Person', p.id, 0, " PERSON_LABEL NO_FACTS " FROM persons p WHERE p.id = ?1"
      " AND p.hidden = 0",
      NULL },
    /* a Year's photos: those whose date names it (a decade does not) */
    { "Year",
      "SELECT 'IN_YEAR', -1, 'Foto', photo_id, 0, NULL" NO_FACTS " FROM timeline_photos WHERE date >= ?1"
      " AND date < ?1 || '~' AND precision <> 'decade'",
      NULL },
};
#undef PERSON_JOIN

/* v as decimal text in buf (its end); the start returned. */
static const char *int_text(int64_t v, char buf[24])
{
    char *p = buf + 23;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    *p = '\0';
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return p;
}

int catalog_graph_neighbours(catalog *c, const char *type, const char *id, int limit, catalog_neighbour_fn fn, void *ud,
                             err *e)
{
    return catalog_graph_neighbours_known(c, type, id, NULL, limit, fn, ud, e);
}

int catalog_graph_neighbours_known(catalog *c, const char *type, const char *id, const catalog_node_links *links,
                                   int limit, catalog_neighbour_fn fn, void *ud, err *e)
{
    const neighbour_def *d = NULL;
    for (size_t i = 0; i < sizeof neighbour_defs / sizeof neighbour_defs[0]; i++)
        if (strcmp(neighbour_defs[i].type, type) == 0)
            d = &neighbour_defs[i];
    if (!d)
        return err_set(e, ERR_INVALID, "no node type '%s' (Foto, Person, Cluster, Event, Location, Year)", type);
    bool linked = links && links->known && d->rest;
    int rc = 0, step = SQLITE_DONE, rows = 0;
    if (linked) { /* the rows d->sql begins with, from the node's links */
        bool foto = strcmp(type, "Foto") == 0;
        struct {
            int64_t id;
            const char *rel, *type;
        } given[2] = { { foto ? links->event_id : 0, "PART_OF", "Event" },
                       { links->place_id, foto ? "TAKEN_AT" : "LOCATED_IN", "Location" } };
        for (int i = 0; i < 2 && rc == 0 && (limit < 0 || rows < limit); i++) {
            if (given[i].id <= 0)
                continue;
            char num[24];
            catalog_neighbour nb = {
                .rel = given[i].rel, .dir = 1, .type = given[i].type, .id = int_text(given[i].id, num)
            };
            rows++;
            rc = fn(&nb, ud);
        }
        if (rc != 0 || (limit >= 0 && rows >= limit))
            return rc;
    }
    sqlite3_stmt *st = catalog_prepare_cached(c, linked ? d->rest : d->sql, "read a node's neighbours", e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (strcmp(type, "Foto") == 0 || strcmp(type, "Year") == 0)
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, strtoll(id, NULL, 10));
    idset seen = { .used = 0 };
    while ((limit < 0 || rows < limit) && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int(st, 4)) { /* one section only has once-rows: its ids are the set's */
            int fresh = idset_add(&seen, sqlite3_column_int64(st, 3));
            if (fresh < 0) {
                rc = err_set(e, ERR_NOMEM, "read a node's neighbours: out of memory");
                break;
            }
            if (!fresh)
                continue;
        }
        rows++;
        char num[24];
        catalog_neighbour nb = {
            .rel = col_text(st, 0), .dir = sqlite3_column_int(st, 1), .type = col_text(st, 2), .label = col_text(st, 5)
        };
        if (sqlite3_column_int(st, 6)) { /* the other node's facts (FOTO_FACTS, EVENT_FACTS) */
            bool foto = strcmp(nb.type, "Foto") == 0;
            nb.facts = !foto || nb.label; /* a Foto without a path of its own: node_info names the frame */
            if (foto && nb.label)
                nb.label = base_name(nb.label);
            nb.year = sqlite3_column_int(st, 7);
            nb.place_id = sqlite3_column_int64(st, 8);
            nb.links = (catalog_node_links){ .known = true,
                                             .event_id = sqlite3_column_int64(st, 9),
                                             .place_id = sqlite3_column_int64(st, 10) };
        }
        if (sqlite3_column_type(st, 3) == SQLITE_INTEGER)
            nb.id = int_text(sqlite3_column_int64(st, 3), num);
        else
            nb.id = col_text(st, 3);
        if ((rc = fn(&nb, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
        rc = db_error(c, "read a node's neighbours", e);
    idset_free(&seen);
    catalog_cached_done(c, st);
    return rc;
}

/* Copies text (or "") into buf, cut to size - 1 bytes. */
static void copy_text(char *buf, size_t size, const char *text)
{
    size_t n = text ? strlen(text) : 0;
    if (size == 0)
        return;
    if (n >= size)
        n = size - 1;
    memcpy(buf, text ? text : "", n);
    buf[n] = '\0';
}

/* The file name of a path (after its last '/'). */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A frame (a photo without a path): what it is and its parent's first path. */
static int frame_of(catalog *c, const char *photo_id, char *buf, size_t size, catalog_node_frame *frame, err *e)
{
    sqlite3_stmt *st = catalog_prepare_cached(
        c,
        "SELECT kind, frame_no, time_ms, parent_id, " FIRST_PATH("parent_id") " FROM photo_frames WHERE photo_id = ?1",
        "read a frame", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_text(st, 1, photo_id, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        copy_text(frame->kind, sizeof frame->kind, col_text(st, 0));
        frame->frame_no = sqlite3_column_int(st, 1);
        frame->time_ms = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
        const char *path = col_text(st, 4);
        copy_text(buf, size, path ? base_name(path) : col_text(st, 3));
    } else if (step != SQLITE_DONE) {
        rc = db_error(c, "read a frame", e);
    }
    catalog_cached_done(c, st);
    return rc;
}

int catalog_graph_node_info(catalog *c, const char *type, const char *id, char *buf, size_t size, int *year,
                            int64_t *place_id, catalog_node_frame *frame, catalog_node_links *links, err *e)
{
    const char *sql = NULL;
    bool text_id = false, foto = false, event = false;
    if (frame)
        *frame = (catalog_node_frame){ .time_ms = -1 };
    if (links)
        *links = (catalog_node_links){ .known = false };
    if (strcmp(type, "Person") == 0 || strcmp(type, "Cluster") == 0)
        sql = "SELECT " PERSON_LABEL ", NULL, NULL FROM persons p WHERE p.id = ?1 AND p.hidden = 0";
    else if (strcmp(type, "Event") == 0) {
        sql = "SELECT name, coalesce(year, CAST(substr(date_value, 1, 4) AS INTEGER)), location_id FROM events"
              " WHERE id = ?1";
        event = true;
    } else if (strcmp(type, "Location") == 0)
        sql = "SELECT name, NULL, NULL FROM places WHERE id = ?1";
    else if (strcmp(type, "Foto") == 0) {
        /* the path as it is: its file name is taken here, not by SQL string
         * functions on three copies of it (clang-format would break
         * inside YEAR_OF's arguments) */
        /* clang-format off */
        static const char foto_sql[] =
            "SELECT " FIRST_PATH("?1") ", " YEAR_OF("date", "precision") ", "
            "coalesce(place_id, (SELECT location_id FROM events WHERE id = t.event_id)), event_id, place_id "
            "FROM timeline_photos t WHERE photo_id = ?1";
        /* clang-format on */
        sql = foto_sql;
        text_id = foto = true;
    } else if (strcmp(type, "Year") == 0)
        sql = "SELECT CAST(?1 AS TEXT), NULL, NULL WHERE CAST(?1 AS INTEGER) BETWEEN 1000 AND 9999";
    else
        return err_set(e, ERR_INVALID, "no node type '%s' (Foto, Person, Cluster, Event, Location, Year)", type);
    sqlite3_stmt *st = catalog_prepare_cached(c, sql, "read a node", e);
    if (!st)
        return e ? e->code : ERR_DB;
    if (text_id)
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(st, 1, strtoll(id, NULL, 10));
    int step = sqlite3_step(st), rc = 0;
    bool no_path = false;
    if (step == SQLITE_ROW) {
        const char *text = col_text(st, 0);
        if (foto && text)
            text = base_name(text);
        else if (foto)
            text = id, no_path = true; /* no file of its own: a frame, or a photo whose files are gone */
        copy_text(buf, size, text);
        if (year)
            *year = sqlite3_column_int(st, 1);
        if (place_id)
            *place_id = sqlite3_column_int64(st, 2);
        if (links && foto)
            *links = (catalog_node_links){ .known = true,
                                           .event_id = sqlite3_column_int64(st, 3),
                                           .place_id = sqlite3_column_int64(st, 4) };
        else if (links && event)
            *links = (catalog_node_links){ .known = true, .place_id = sqlite3_column_int64(st, 2) };
        rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = db_error(c, "read a node", e);
    }
    catalog_cached_done(c, st);
    if (rc == 1 && no_path && frame) {
        int f = frame_of(c, id, buf, size, frame, e);
        if (f)
            rc = f;
    }
    return rc;
}

int catalog_graph_node_label(catalog *c, const char *type, const char *id, char *buf, size_t size, err *e)
{
    return catalog_graph_node_info(c, type, id, buf, size, NULL, NULL, NULL, NULL, e);
}

/* ---- events and places ---------------------------------------------------------- */

int catalog_graph_events(catalog *c, int64_t event_id, catalog_event_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prepare(c,
                               "SELECT e.id, e.name, e.year, coalesce(e.date_value, CAST(e.year AS TEXT)),"
                               " CASE WHEN e.date_value IS NOT NULL THEN e.date_precision"
                               "  WHEN e.year IS NOT NULL THEN 'year' END, e.source, e.location_id, p.name,"
                               " (SELECT count(*) FROM photo_annotations a WHERE a.event_id = e.id)"
                               " FROM events e LEFT JOIN places p ON p.id = e.location_id"
                               " WHERE ?1 = 0 OR e.id = ?1"
                               " ORDER BY coalesce(e.date_value, e.year) IS NULL,"
                               "  coalesce(e.date_value, CAST(e.year AS TEXT)), e.id",
                               "read events", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, event_id > 0 ? event_id : 0);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_event_row ev = {
            .id = sqlite3_column_int64(st, 0),
            .name = col_text(st, 1),
            .year = sqlite3_column_int(st, 2),
            .date = col_text(st, 3),
            .precision = col_text(st, 4),
            .source = col_text(st, 5),
            .place_id = sqlite3_column_int64(st, 6),
            .place_name = col_text(st, 7),
            .photos = sqlite3_column_int64(st, 8),
        };
        if ((rc = fn(&ev, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read events", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_graph_places(catalog *c, int64_t place_id, catalog_place_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prepare(c,
                               "SELECT p.id, p.name, p.country, p.source, p.lat, p.lon,"
                               " (SELECT count(*) FROM photo_annotations a WHERE a.place_id = p.id),"
                               " (SELECT count(*) FROM events v WHERE v.location_id = p.id)"
                               " FROM places p WHERE ?1 = 0 OR p.id = ?1 ORDER BY p.name, p.id",
                               "read places", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, place_id > 0 ? place_id : 0);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        catalog_place_row p = {
            .id = sqlite3_column_int64(st, 0),
            .name = col_text(st, 1),
            .country = col_text(st, 2),
            .source = col_text(st, 3),
            .has_coords = sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_type(st, 5) != SQLITE_NULL,
            .lat = sqlite3_column_double(st, 4),
            .lon = sqlite3_column_double(st, 5),
            .photos = sqlite3_column_int64(st, 6),
            .events = sqlite3_column_int64(st, 7),
        };
        if ((rc = fn(&p, ud)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read places", e);
    sqlite3_finalize(st);
    return rc;
}

static int photo_ids(catalog *c, const char *sql, int64_t id, int limit, catalog_photo_id_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st = prepare(c, sql, "read photos", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, limit);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(col_text(st, 0), col_text(st, 1), ud)) != 0)
            break;
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read photos", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_graph_event_photos(catalog *c, int64_t event_id, int limit, catalog_photo_id_fn fn, void *ud, err *e)
{
    return photo_ids(c,
                     "SELECT a.photo_id, coalesce(a.date_value, p.taken_at) AS d FROM photo_annotations a"
                     " JOIN photos p ON p.photo_id = a.photo_id WHERE a.event_id = ?1"
                     " ORDER BY d IS NULL, d, a.photo_id LIMIT ?2",
                     event_id, limit, fn, ud, e);
}

int catalog_graph_place_photos(catalog *c, int64_t place_id, int limit, catalog_photo_id_fn fn, void *ud, err *e)
{
    return photo_ids(c,
                     "SELECT a.photo_id, coalesce(a.date_value, p.taken_at) AS d FROM photo_annotations a"
                     " JOIN photos p ON p.photo_id = a.photo_id WHERE a.place_id = ?1"
                     " ORDER BY d IS NULL, d, a.photo_id LIMIT ?2",
                     place_id, limit, fn, ud, e);
}

/* ---- co-appearance and person spans --------------------------------------------- */

int catalog_graph_coappearance(catalog *c, int64_t person_id, int limit, catalog_coappear_fn fn, void *ud, err *e)
{
    sqlite3_stmt *st =
        prepare(c,
                "WITH " CURRENT_FACES ", pp AS (SELECT DISTINCT person_id AS person, photo_id AS photo FROM cf)"
                " SELECT x.person, px.name, y.person, py.name, count(*) AS n FROM pp x"
                " JOIN pp y ON y.photo = x.photo AND y.person > x.person"
                " JOIN persons px ON px.id = x.person JOIN persons py ON py.id = y.person"
                " WHERE ?1 = 0 OR x.person = ?1 OR y.person = ?1"
                " GROUP BY x.person, y.person ORDER BY n DESC, x.person, y.person LIMIT ?2",
                "read co-appearances", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, person_id > 0 ? person_id : 0);
    sqlite3_bind_int(st, 2, limit);
    int rc = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = fn(sqlite3_column_int64(st, 0), col_text(st, 1), sqlite3_column_int64(st, 2), col_text(st, 3),
                     sqlite3_column_int64(st, 4), ud)) != 0)
            break;
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(c, "read co-appearances", e);
    sqlite3_finalize(st);
    return rc;
}

int catalog_graph_person_span(catalog *c, int64_t person_id, int (*fn)(const catalog_person_span *, void *), void *ud,
                              err *e)
{
    sqlite3_stmt *st =
        prepare(c,
                "WITH " PHOTO_DATES ","
                " mine AS (SELECT photo_id FROM photo_persons WHERE person_id = ?1)"
                " SELECT p.id, p.name, min(ph.date), max(ph.date), count(mine.photo_id),"
                "  count(ph.date) FROM persons p LEFT JOIN mine LEFT JOIN ph ON ph.photo_id = mine.photo_id"
                " WHERE p.id = ?1 AND p.hidden = 0 GROUP BY p.id",
                "read a person's span", e);
    if (!st)
        return e ? e->code : ERR_DB;
    sqlite3_bind_int64(st, 1, person_id);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        catalog_person_span s = {
            .person_id = sqlite3_column_int64(st, 0),
            .name = col_text(st, 1),
            .first_date = col_text(st, 2),
            .last_date = col_text(st, 3),
            .photos = sqlite3_column_int64(st, 4),
            .dated_photos = sqlite3_column_int64(st, 5),
        };
        rc = fn(&s, ud);
        if (rc == 0)
            rc = 1;
    } else if (step != SQLITE_DONE) {
        rc = db_error(c, "read a person's span", e);
    }
    sqlite3_finalize(st);
    return rc;
}
