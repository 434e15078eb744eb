/* bench/annotate.c — issue 11's speed: `facetag annotate` on a synthetic
 * catalog of 100,000 photos (folders by year and event, album texts, captions
 * in German and English naming one to three of 2,000 people and sometimes the
 * photographer; one face per photo in the person of its identity), then again
 * after 1,000 new photos, after 1,000 photos' captions were edited (a name
 * added), with
 * nothing changed, and --full once more. Prints wall and CPU seconds of each
 * run, how many photos it parsed and took from the parse cache, the ratio to
 * the full run and to the limits (60 s full, 5 s incremental, on 2
 * cores), and whether the incremental runs left the catalog exactly as --full
 * does (exit 1 if not).
 *
 *   bench_annotate [PHOTOS]     (default 100000; FACETAG_BENCH_DIR for the catalog)
 *
 * Run on a shared, loaded machine the numbers are upper bounds. */
#include "annotate/annotate.h"
#include "core/error.h"
#include "store/catalog.h"
#include "store/catalog_internal.h"

#include <glib.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MODEL "bench-model"
#define PEOPLE 2000
#define PER_EVENT 8

static const char *const given[] = { "Anna", "Paul", "Lena",  "Jonas", "Marta", "Felix", "Clara",
                                     "Emil", "Ida",  "Oskar", "Greta", "Hugo",  "Nora",  "Theo",
                                     "Vera", "Karl", "Rosa",  "Max",   "Elsa",  "Otto" };
static const char *const family[] = {
    "Weber",    "Brandt",     "Lindqvist", "Castell", "Morgenroth", "Voss",    "Albers",    "Reuter", "Kern",  "Holm",
    "Sand",     "Richter",    "Falk",      "Licht",   "Stern",      "Hoff",    "Korff",     "Adler",  "Nowak", "Aubry",
    "Brückner", "Sommerfeld", "Hallberg",  "Lorenz",  "Vidal",      "Feld",    "Marquardt", "Olsen",  "Petit", "Quast",
    "Ulrich",   "Yilmaz",     "Zander",    "Engel",   "Dahl",       "Iversen", "Jansen",    "Meyer",  "Graf",  "Haas",
    "Lutz",     "Mohr",       "Nagel",     "Pohl",    "Roth",       "Seidel",  "Thiel",     "Wolf",   "Beck",  "Fuchs"
};
static const char *const cities[] = { "Wuppertal", "Paris",     "Tokio",  "Lissabon", "Wien",   "Berlin",
                                      "Köln",      "Amsterdam", "Madrid", "Prag",     "Zürich", "Hamburg" };
static const char *const months[] = { "Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                                      "Juli",   "August",  "September", "Oktober", "November", "Dezember" };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void person_name(int p, char *buf, size_t size)
{
    snprintf(buf, size, "%s %s", given[p % 20], family[(p / 20) % 50]);
    if (p >= 1000) /* 2,000 distinct names from 20 x 50 x 2 */
        snprintf(buf + strlen(buf), size - strlen(buf), "-%s", family[(p / 7) % 50]);
}

static uint64_t rng = 1977;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)((rng >> 33) % n);
}

/* Photos [from, to): each in its event's folder, with a caption 45 % of the time. */
static int add_photos(catalog *cat, int from, int to, err *e)
{
    if (catalog_begin(cat, e) != 0)
        return -1;
    int rc = 0;
    for (int i = from; i < to && rc == 0; i++) {
        int ev = i / PER_EVENT, year = 1960 + ev % 40, month = 1 + (ev / 40) % 12;
        int person = 1 + (int)rnd(PEOPLE);
        catalog_photo ph = { 0 };
        snprintf(ph.photo_id, sizeof ph.photo_id, "%016x", (unsigned)i + 1);
        snprintf(ph.sha256, sizeof ph.sha256, "%s%s%s%s", ph.photo_id, ph.photo_id, ph.photo_id, ph.photo_id);
        snprintf(ph.format, sizeof ph.format, "jpeg");
        snprintf(ph.incoming_key, sizeof ph.incoming_key, "%s.jpg", ph.photo_id);
        ph.bytes = 1 << 20;
        ph.width = ph.orig_width = 1600;
        ph.height = ph.orig_height = 1200;
        ph.orientation = 1;
        char caption[512] = "", names[256], other[64], side[700];
        person_name(person, names, sizeof names);
        if (rnd(4) == 0) {
            person_name(1 + (int)rnd(PEOPLE), other, sizeof other);
            snprintf(names + strlen(names), sizeof names - strlen(names), " und %s", other);
        }
        switch (rnd(6)) {
        case 0:
            snprintf(caption, sizeof caption, "v.l.n.r.: %s, %s %d", names, months[month - 1], year);
            break;
        case 1:
            snprintf(caption, sizeof caption, "%s in „Stück %d“ (%s, %d)", names, ev % 50, cities[ev % 12], year);
            break;
        case 2:
            snprintf(caption, sizeof caption, "%s backstage (Foto: Ulli Weiss)", names);
            break;
        default:
            break;
        }
        if (caption[0] && rnd(100) < 68) {
            json_t *s = json_pack("{s:s}", "txt", caption);
            char *t = json_dumps(s, JSON_COMPACT);
            snprintf(side, sizeof side, "%s", t);
            free(t);
            json_decref(s);
            ph.sidecar = side;
        }
        if (catalog_photo_put(cat, &ph, e) < 0) {
            rc = -1;
            break;
        }
        char path[256];
        if (ev % 3 == 0)
            snprintf(path, sizeof path, "/archive/Kiste %d/Probe Stück %d %d/IMG_%03d_%03d.jpg", ev % 23, ev % 50, ev,
                     ev % 1000, i % PER_EVENT);
        else
            snprintf(path, sizeof path, "/archive/%d/%d-%02d Probe Stück %d, %s/IMG_%03d_%03d.jpg", year, year, month,
                     ev % 50, cities[ev % 12], ev % 1000, i % PER_EVENT);
        if (catalog_source_add(cat, ph.photo_id, path, 1 << 20, 0, e) < 0) {
            rc = -1;
            break;
        }
        catalog_face f = { 0 };
        snprintf(f.photo_id, sizeof f.photo_id, "%s", ph.photo_id);
        snprintf(f.model_version, sizeof f.model_version, MODEL);
        f.box[0] = 400, f.box[1] = 300, f.box[2] = 200, f.box[3] = 220;
        f.score = 0.9;
        f.person_id = person;
        snprintf(f.source, sizeof f.source, "detector");
        if (catalog_face_put(cat, &f, e) != 0 || catalog_analysis_put(cat, ph.photo_id, MODEL, "done", 1, NULL, e) != 0)
            rc = -1;
    }
    if (rc == 0 && catalog_commit(cat, e) != 0)
        rc = -1;
    if (rc)
        catalog_rollback(cat);
    return rc;
}

static int add_persons(catalog *cat)
{
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(catalog_sqlite(cat), "INSERT INTO persons (id) VALUES (?1)", -1, &ins, NULL) != SQLITE_OK)
        return -1;
    sqlite3_exec(catalog_sqlite(cat), "BEGIN", NULL, NULL, NULL);
    for (int p = 1; p <= PEOPLE; p++) {
        sqlite3_bind_int(ins, 1, p);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    return sqlite3_exec(catalog_sqlite(cat), "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Captions of photos [from, to) edited (someone added a name), as a
 * re-ingest of edited sidecars leaves them. */
static int change_captions(catalog *cat, int from, int to, err *e)
{
    if (catalog_begin(cat, e) != 0)
        return -1;
    int rc = 0;
    for (int i = from; i < to && rc == 0; i++) {
        catalog_photo ph = { 0 };
        char id[17];
        snprintf(id, sizeof id, "%016x", (unsigned)i + 1);
        if (catalog_photo_get(cat, id, &ph, e) != 1) {
            rc = -1;
            break;
        }
        json_t *sc = ph.sidecar ? json_loads(ph.sidecar, 0, NULL) : json_object();
        const char *old = json_string_value(json_object_get(sc, "txt"));
        char caption[600], who[64];
        person_name(1 + (int)rnd(PEOPLE), who, sizeof who);
        snprintf(caption, sizeof caption, "%s%s%s", old ? old : "", old ? " und " : "", who);
        json_object_set_new(sc, "txt", json_string(caption));
        free(ph.sidecar);
        ph.sidecar = json_dumps(sc, JSON_COMPACT);
        json_decref(sc);
        if (catalog_photo_put(cat, &ph, e) < 0)
            rc = -1;
        catalog_photo_clear(&ph);
    }
    if (rc == 0 && catalog_commit(cat, e) != 0)
        rc = -1;
    if (rc)
        catalog_rollback(cat);
    return rc;
}

/* Everything annotate wrote, as one text (events by key, not id), to compare
 * an incremental run with --full. Caller frees. */
static char *snapshot(catalog *cat)
{
    sqlite3_stmt *st = NULL;
    const char *sql =
        "SELECT a.photo_id || '|' || ifnull(a.date_value, '') || '|' || ifnull(a.date_precision, '') || '|' || "
        "ifnull(a.date_source, '') || '|' || a.date_inferred || '|' || ifnull(a.place_id, '') || '|' || "
        "ifnull(a.place_source, '') || '|' || ifnull(e.key, '') || '|' || ifnull(e.name, '') || '|' || "
        "ifnull(e.date_value, '') || '|' || ifnull(a.evidence, '') FROM photo_annotations a "
        "LEFT JOIN events e ON e.id = a.event_id "
        "UNION ALL SELECT * FROM (SELECT person_id || '|' || label || '|' || printf('%.9f', confidence) || '|' || "
        "status || '|' || ifnull(evidence, '') FROM person_suggestions ORDER BY person_id, label) "
        "UNION ALL SELECT * FROM (SELECT face_id || '|' || label || '|' || printf('%.9f', confidence) "
        "FROM face_suggestions ORDER BY face_id, label)";
    if (sqlite3_prepare_v2(catalog_sqlite(cat), sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    GString *g = g_string_new(NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
        g_string_append(g, (const char *)sqlite3_column_text(st, 0));
        g_string_append_c(g, '\n');
    }
    sqlite3_finalize(st);
    return g_string_free(g, FALSE);
}

typedef struct measured {
    annotate_summary s;
    double wall, cpu;
} measured;

static int run(catalog *cat, bool full, measured *m)
{
    annotate_options o;
    annotate_options_default(&o);
    o.full = full;
    err e = { 0 };
    double t0 = now_s(), c0 = cpu_s();
    if (annotate_run(cat, &o, &m->s, &e) != 0) {
        fprintf(stderr, "bench_annotate: %s\n", e.msg);
        return -1;
    }
    m->wall = now_s() - t0;
    m->cpu = cpu_s() - c0;
    return 0;
}

static void row(const char *what, const measured *m, const measured *full)
{
    printf("%-28s %7.2f %7.2f %9zu %9zu %9zu %8.3f %8.3f\n", what, m->wall, m->cpu, m->s.parsed, m->s.parse_cached,
           m->s.rows_written, full && full->wall > 0 ? m->wall / full->wall : 1.0,
           full && full->cpu > 0 ? m->cpu / full->cpu : 1.0);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    if (n < 2000) {
        fprintf(stderr, "usage: bench_annotate [PHOTOS >= 2000]\n");
        return 2;
    }
    char dir[512];
    const char *base = getenv("FACETAG_BENCH_DIR");
    snprintf(dir, sizeof dir, "%s/facetag-bench-annotate-%d", base ? base : "/tmp", (int)getpid());
    mkdir(dir, 0777);
    char path[600];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *cat = catalog_open(path, &e);
    if (!cat) {
        fprintf(stderr, "bench_annotate: %s\n", e.msg);
        return 1;
    }
    double t0 = now_s();
    int rc = add_persons(cat) == 0 && add_photos(cat, 0, n, &e) == 0 ? 0 : -1;
    double build = now_s() - t0;
    measured full = { 0 }, inc = { 0 }, changed = { 0 }, none = { 0 }, again = { 0 };
    if (rc == 0)
        rc = run(cat, true, &full);
    if (rc == 0)
        rc = add_photos(cat, n, n + 1000, &e);
    if (rc == 0)
        rc = run(cat, false, &inc);
    if (rc == 0)
        rc = change_captions(cat, n / 2, n / 2 + 1000, &e);
    if (rc == 0)
        rc = run(cat, false, &changed);
    if (rc == 0)
        rc = run(cat, false, &none);
    char *after_inc = rc == 0 ? snapshot(cat) : NULL;
    if (rc == 0)
        rc = run(cat, true, &again);
    char *after_full = rc == 0 ? snapshot(cat) : NULL;
    catalog_close(cat);
    unlink(path);
    char side[640];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    rmdir(dir);
    if (rc) {
        if (e.msg[0])
            fprintf(stderr, "bench_annotate: %s\n", e.msg);
        return 1;
    }
    printf("bench_annotate: synthetic catalog of %d photos (%d people, %d per event) built in %.1f s\n", n, PEOPLE,
           PER_EVENT, build);
    printf("%-28s %7s %7s %9s %9s %9s %8s %8s\n", "run", "wall s", "CPU s", "parsed", "cached", "rows", "wall/full",
           "CPU/full");
    row("full (--full)", &full, &full);
    row("after 1,000 new photos", &inc, &full);
    row("after 1,000 captions edited", &changed, &full);
    row("nothing changed", &none, &full);
    row("--full again (reference)", &again, &full);
    printf("after 1,000 new photos: %.2f of the 5 s limit (wall), %.2f (CPU); full: %.2f of the 60 s limit (wall)\n",
           inc.wall / 5, inc.cpu / 5, full.wall / 60);
    printf("phases after 1,000 new photos, wall (CPU) s: load %.2f (%.2f), read %.2f (%.2f), events %.2f (%.2f), "
           "names %.2f (%.2f), store %.2f (%.2f)\n",
           inc.s.t_load, inc.s.c_load, inc.s.t_read, inc.s.c_read, inc.s.t_group, inc.s.c_group, inc.s.t_name,
           inc.s.c_name, inc.s.t_store, inc.s.c_store);
    printf("phases of the full run, wall (CPU) s: load %.2f (%.2f), read %.2f (%.2f), events %.2f (%.2f), "
           "names %.2f (%.2f), store %.2f (%.2f)\n",
           full.s.t_load, full.s.c_load, full.s.t_read, full.s.c_read, full.s.t_group, full.s.c_group, full.s.t_name,
           full.s.c_name, full.s.t_store, full.s.c_store);
    bool same = after_inc && after_full && strcmp(after_inc, after_full) == 0;
    printf("the incremental runs' catalog equals --full's: %s (%zu bytes of annotations, suggestions compared)\n",
           same ? "yes" : "NO", after_inc ? strlen(after_inc) : 0);
    free(after_inc);
    free(after_full);
    return same ? 0 : 1;
}
