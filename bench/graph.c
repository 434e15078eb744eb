/* graph.c — bench_graph: the archive as a graph at scale. Builds (once, then
 * reuses) a synthetic catalog of N photos (default 100,000) with 2.5 faces each
 * (250,000), persons of ~25 faces (every third named), 200 places, N/100
 * events, and annotations (4 in 5 photos dated at day, month, year or decade
 * precision, half in an event, a third with a place); no images. Then:
 *  - `export cypher` to /dev/null in a child process: seconds and the child's
 *    peak RSS, for N/10 photos' catalog and for N's (memory must not grow with
 *    the catalog: the export streams);
 *  - the review server in this process, wrk at 64 connections for 8 s on
 *    /api/graph?node=person:ID&depth=2 and /api/timeline, each once on one URL
 *    (answered from the response cache after the first request) and once on a
 *    different URL per request (a different person / year range: the catalog
 *    is queried every time until the cache holds them all).
 * Prints a table with the targets (export <= 60 s, p99 <= 25 ms).
 *
 *   bench_graph [--photos N] [--seconds S] [--dir DIR]
 * DIR defaults to $TMPDIR/facetag-bench-graph. Needs wrk on PATH. */
#include "graph/graph_export.h"
#include "review/server.h"
#include "store/catalog.h"
#include "store/catalog_graph.h"
#include "store/catalog_internal.h"
#include "store/datadir.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNECTIONS 64
#define FACES_PER_PERSON 25
#define PLACES 200

static int seconds = 8;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

static void photo_id_of(int i, char out[PHOTO_ID_LEN + 1])
{
    uint64_t z = (uint64_t)i + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    snprintf(out, PHOTO_ID_LEN + 1, "%016llx", (unsigned long long)z);
}

static int build(catalog *c, int nphotos, err *e)
{
    int nfaces = nphotos * 5 / 2, npersons = nfaces / FACES_PER_PERSON, nevents = nphotos / 100;
    if (catalog_begin(c, e) != 0)
        return -1;
    /* Persons as the people stage leaves them (no store writer creates bare
     * persons in bulk; bench_serve does the same). */
    sqlite3_stmt *ins = NULL;
    sqlite3_prepare_v2(catalog_sqlite(c), "INSERT INTO persons (id, name) VALUES (?1, ?2)", -1, &ins, NULL);
    for (int p = 1; p <= npersons; p++) {
        char name[32];
        snprintf(name, sizeof name, "Person Nr. %d", p);
        sqlite3_bind_int(ins, 1, p);
        if (p % 3 == 0)
            sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(ins, 2);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    uint64_t s = 42;
    int rc = 0;
    int64_t place_ids[PLACES], *event_ids = calloc((size_t)nevents + 1, sizeof *event_ids);
    for (int i = 0; i < PLACES && rc == 0; i++) {
        char name[64];
        snprintf(name, sizeof name, "Ort %d", i);
        catalog_place p = {
            .name = name, .has_coords = true, .lat = 47 + i % 8, .lon = 6 + i % 9, .country = "DE", .source = "bench"
        };
        rc = catalog_graph_place_put(c, &p, e);
        place_ids[i] = p.id;
    }
    for (int i = 0; i < nevents && rc == 0; i++) {
        char name[64], date[16];
        int year = 1950 + i % 70;
        snprintf(name, sizeof name, "Veranstaltung %d", i);
        snprintf(date, sizeof date, "%d-%02d", year, 1 + i % 12);
        catalog_event ev = { .name = name,
                             .year = year,
                             .location_id = place_ids[i % PLACES],
                             .date_value = date,
                             .date_precision = "month",
                             .source = "bench" };
        rc = catalog_graph_event_put(c, &ev, e);
        event_ids[i] = ev.id;
    }
    static const char *const precs[] = { "day", "month", "year", "decade" };
    int face = 0;
    for (int i = 0; i < nphotos && rc == 0; i++) {
        catalog_photo ph = { 0 };
        photo_id_of(i, ph.photo_id);
        snprintf(ph.sha256, sizeof ph.sha256, "%s%s%s%s", ph.photo_id, ph.photo_id, ph.photo_id, ph.photo_id);
        snprintf(ph.format, sizeof ph.format, "jpeg");
        snprintf(ph.incoming_key, sizeof ph.incoming_key, "%s.jpg", ph.photo_id);
        ph.bytes = 1 << 20, ph.width = ph.orig_width = 1600, ph.height = ph.orig_height = 1200, ph.orientation = 1;
        rc = catalog_photo_put(c, &ph, e) < 0 ? -1 : 0;
        char path[96];
        snprintf(path, sizeof path, "/archiv/%d/%03d/foto-%d.jpg", 1950 + i % 70, i % 500, i);
        if (rc == 0)
            rc = catalog_source_add(c, ph.photo_id, path, 1 << 20, 1, e) < 0 ? -1 : 0;
        int nf = (i % 2) ? 3 : 2; /* 2.5 on average */
        for (int k = 0; k < nf && rc == 0; k++, face++) {
            catalog_face f = { 0 };
            memcpy(f.photo_id, ph.photo_id, sizeof f.photo_id);
            f.face_no = k;
            snprintf(f.model_version, sizeof f.model_version, "bench-model/v1");
            f.box[0] = 100 + 300 * k, f.box[1] = 200, f.box[2] = 120, f.box[3] = 150;
            f.score = 0.5 + (double)(rnd(&s) % 500) / 1000;
            f.has_attributes = true;
            f.age = 5 + (double)(rnd(&s) % 70);
            snprintf(f.gender, sizeof f.gender, "female");
            f.gender_probability = 0.7;
            f.person_id = rnd(&s) % 10 ? 1 + (int64_t)(rnd(&s) % (uint64_t)npersons) : 0;
            snprintf(f.source, sizeof f.source, "detector");
            rc = catalog_face_put(c, &f, e);
        }
        uint64_t r = rnd(&s) % 10;
        if (rc == 0 && r < 8) {
            char date[16];
            const char *prec = precs[rnd(&s) % 4];
            int year = 1950 + (int)(rnd(&s) % 70);
            if (strcmp(prec, "day") == 0)
                snprintf(date, sizeof date, "%d-%02d-%02d", year, 1 + (int)(rnd(&s) % 12), 1 + (int)(rnd(&s) % 28));
            else if (strcmp(prec, "month") == 0)
                snprintf(date, sizeof date, "%d-%02d", year, 1 + (int)(rnd(&s) % 12));
            else
                snprintf(date, sizeof date, "%d", strcmp(prec, "decade") == 0 ? year / 10 * 10 : year);
            catalog_annotation a = { .photo_id = ph.photo_id,
                                     .date_value = date,
                                     .date_precision = prec,
                                     .date_source = "bench",
                                     .event_id = r < 4 && nevents ? event_ids[rnd(&s) % (uint64_t)nevents] : 0,
                                     .place_id = r % 3 == 0 ? place_ids[rnd(&s) % PLACES] : 0,
                                     .place_source = "bench" };
            rc = catalog_graph_annotation_put(c, &a, e);
        }
    }
    free(event_ids);
    if (rc == 0)
        rc = catalog_commit(c, e);
    else
        catalog_rollback(c);
    return rc;
}

/* The data folder for n photos, built when missing. */
static int ensure(const char *dir, int n)
{
    char marker[1100];
    snprintf(marker, sizeof marker, "%s/.complete", dir);
    if (access(marker, F_OK) == 0)
        return 0;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    err e = { 0 };
    catalog *c = NULL;
    double t0 = now();
    if (datadir_open(dir, 1, NULL, &c, &e) != 0 || build(c, n, &e) != 0) {
        fprintf(stderr, "bench_graph: %s\n", e.msg);
        catalog_close(c);
        return -1;
    }
    catalog_close(c);
    fprintf(stderr, "bench_graph: catalog of %d photos built in %.1f s\n", n, now() - t0);
    FILE *f = fopen(marker, "w");
    return f && fclose(f) == 0 ? 0 : -1;
}

typedef struct export_result {
    double seconds;
    long maxrss_kb;
    graph_export_stats st;
} export_result;

/* Exports in a child: its own time and peak RSS. */
static int run_export(const char *dir, export_result *r)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        export_result x = { 0 };
        err e = { 0 };
        catalog *c = NULL;
        FILE *out = fopen("/dev/null", "w");
        double t0 = now();
        int rc = datadir_open(dir, 0, NULL, &c, &e) || graph_export_cypher(c, out, "/dev/null", 0, &x.st, &e);
        x.seconds = now() - t0;
        catalog_close(c);
        fclose(out);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        x.maxrss_kb = ru.ru_maxrss;
        if (rc)
            fprintf(stderr, "bench_graph: export: %s\n", e.msg);
        ssize_t w = write(fds[1], &x, sizeof x);
        _exit(rc || w != (ssize_t)sizeof x ? 1 : 0);
    }
    close(fds[1]);
    ssize_t got = read(fds[0], r, sizeof *r);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return got == (ssize_t)sizeof *r && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

typedef struct result {
    double p50_ms, p99_ms, rps;
    long errors;
} result;

static double parse_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (strncmp(end, "us", 2) == 0)
        return v / 1000;
    if (strncmp(end, "ms", 2) == 0)
        return v;
    if (*end == 's')
        return v * 1000;
    return v;
}

static int run_wrk(const char *url, const char *script, result *r)
{
    char cmd[2048];
    /* --timeout 30s: a slow answer counts in the latency instead of vanishing */
    snprintf(cmd, sizeof cmd, "wrk -t2 -c%d -d%ds --timeout 30s --latency %s%s '%s' 2>&1", CONNECTIONS, seconds,
             script ? "-s " : "", script ? script : "", url);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    memset(r, 0, sizeof *r);
    char line[512];
    bool got = false;
    while (fgets(line, sizeof line, p)) {
        char *s = line + strspn(line, " ");
        if (strncmp(s, "50%", 3) == 0)
            r->p50_ms = parse_ms(s + 3 + strspn(s + 3, " "));
        else if (strncmp(s, "99%", 3) == 0)
            r->p99_ms = parse_ms(s + 3 + strspn(s + 3, " "));
        else if (strncmp(s, "Requests/sec:", 13) == 0)
            r->rps = strtod(s + 13, NULL), got = true;
        else if (strncmp(s, "Non-2xx or 3xx responses:", 25) == 0)
            r->errors += strtol(s + 25, NULL, 10);
        else if (strncmp(s, "Socket errors:", 14) == 0)
            r->errors += 1;
    }
    return pclose(p) == 0 && got ? 0 : -1;
}

/* A wrk script asking for fmt with a different number each request (1..n). */
static int write_script(const char *path, const char *fmt_prefix, const char *fmt_suffix, int n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "local n = 0\nrequest = function()\n  n = n + 1\n"
            "  return wrk.format(\"GET\", \"%s\" .. ((n %% %d) + 1) .. \"%s\")\nend\n",
            fmt_prefix, n, fmt_suffix);
    return fclose(f);
}

int main(int argc, char **argv)
{
    int nphotos = 100000;
    const char *dir_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--photos") == 0 && i + 1 < argc)
            nphotos = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir_arg = argv[++i];
        else {
            fprintf(stderr, "usage: bench_graph [--photos N] [--seconds S] [--dir DIR]\n");
            return 2;
        }
    }
    if (nphotos < 1000) {
        fprintf(stderr, "bench_graph: --photos must be at least 1000\n");
        return 2;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char base[900], small[1000], big[1000];
    snprintf(base, sizeof base, "%s", dir_arg ? dir_arg : tmp);
    if (!dir_arg)
        snprintf(base, sizeof base, "%s/facetag-bench-graph", tmp);
    mkdir(base, 0777);
    snprintf(small, sizeof small, "%s/p%d", base, nphotos / 10);
    snprintf(big, sizeof big, "%s/p%d", base, nphotos);
    if (ensure(small, nphotos / 10) != 0 || ensure(big, nphotos) != 0)
        return 1;
    export_result es, eb;
    if (run_export(small, &es) != 0 || run_export(big, &eb) != 0) {
        fprintf(stderr, "bench_graph: export failed\n");
        return 1;
    }
    printf("bench_graph: %d photos, %d faces (synthetic; a shared, loaded machine: compare, do not trust to the ms)\n",
           nphotos, nphotos * 5 / 2);
    printf("%-34s %10s %10s %12s %12s\n", "export cypher", "photos", "seconds", "peak RSS MB", "lines");
    printf("%-34s %10d %10.2f %12.1f %12lld\n", "  catalog of N/10", nphotos / 10, es.seconds, es.maxrss_kb / 1024.0,
           (long long)es.st.lines);
    printf("%-34s %10d %10.2f %12.1f %12lld\n", "  catalog of N", nphotos, eb.seconds, eb.maxrss_kb / 1024.0,
           (long long)eb.st.lines);
    printf("  ratio of peak RSS N / (N/10): %.2f (flat = 1); target: export of N <= 60 s\n",
           (double)eb.maxrss_kb / (double)es.maxrss_kb);

    if (system("command -v wrk >/dev/null") != 0) {
        fprintf(stderr, "bench_graph: needs wrk (Debian wrk; make deps)\n");
        return 1;
    }
    review_options o = { .data_dir = big, .bind = "127.0.0.1", .port = 0, .threads = 8 };
    err e = { 0 };
    review_server *s = review_server_start(&o, &e);
    if (!s) {
        fprintf(stderr, "bench_graph: %s\n", e.msg);
        return 1;
    }
    int port = review_server_port(s);
    char url[256], script[1100];
    int npersons = nphotos * 5 / 2 / FACES_PER_PERSON;
    printf("\n%-44s %9s %9s %11s %7s\n", "endpoint (wrk -t2 -c64)", "p50 ms", "p99 ms", "req/s", "errors");
    struct {
        const char *name, *path, *prefix, *suffix;
        int n;
    } rows[] = {
        { "/api/graph?node=person:17&depth=2", "/api/graph?node=person:17&depth=2", NULL, NULL, 0 },
        { "/api/graph person:1..N depth=2 (uncached)", NULL, "/api/graph?depth=2&node=person:", "", npersons },
        { "/api/timeline", "/api/timeline", NULL, NULL, 0 },
        { "/api/timeline?from=Y&to=Y (70 years)", NULL, "/api/timeline?from=", "", 70 },
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        result r;
        const char *sp = NULL;
        if (rows[i].path) {
            snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, rows[i].path);
        } else {
            snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
            snprintf(script, sizeof script, "%s/wrk-%zu.lua", base, i);
            if (strstr(rows[i].prefix, "from="))
                /* from=1950+k&to=1950+k: one year's entries */
                write_script(script, "/api/timeline?to=0&from=195", "", 9);
            else
                write_script(script, rows[i].prefix, rows[i].suffix, rows[i].n);
            sp = script;
        }
        if (rows[i].path) {
            /* The first request computes the answer, the server keeps it until
             * the catalog changes: time that one apart, then measure the rest. */
            char cmd[600];
            snprintf(cmd, sizeof cmd, "curl -s -o /dev/null --max-time 300 -w '%%{time_total}' '%s'", url);
            FILE *p = popen(cmd, "r");
            double first = 0;
            if (!p || fscanf(p, "%lf", &first) != 1)
                first = -1;
            if (p)
                pclose(p);
            printf("%-44s %9.0f ms (the first request, which computes it)\n", rows[i].name, first * 1000);
        }
        if (run_wrk(url, sp, &r) != 0) {
            fprintf(stderr, "bench_graph: wrk failed on %s\n", rows[i].name);
            rc = 1;
            continue;
        }
        printf("%-44s %9.2f %9.2f %11.0f %7ld\n", rows[i].name, r.p50_ms, r.p99_ms, r.rps, r.errors);
    }
    printf("targets: p99 <= 25 ms at 64 connections\n");
    review_server_stop(s);
    return rc;
}
