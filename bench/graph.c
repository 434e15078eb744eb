/* graph.c — bench_graph: the archive as a graph at scale. Builds (once, then
 * reuses) a synthetic catalog of N photos (default 100,000) with 2.5 faces each
 * (250,000) of one analysis run per photo, persons of ~25 faces (every third
 * named), 200 places, N/100 events, and annotations (4 in 5 photos dated at
 * day, month, year or decade precision, half in an event, a third with a
 * place); no images. Then:
 *  - `export cypher` to /dev/null in a child process: seconds and the child's
 *    peak RSS, for N/10 photos' catalog and for N's (memory must not grow with
 *    the catalog: the export streams);
 *  - the review server in this process, wrk at 64 connections on
 *    /api/graph?node=person:ID&depth=2, a year's page of /api/timeline, one
 *    entry's photos (/api/timeline?entry=event:ID) and /api/timeline/years,
 *    each request a different URL that the server has not answered before
 *    (another person, year or event, and a counter): every answer is computed
 *    from the catalog, none comes from the response cache;
 *  - the peer: Python's http.server sending a saved depth-2 graph answer as a
 *    static file, at the same 64 connections (what this machine gives a
 *    server that computes nothing).
 * Prints a table with the targets (export <= 60 s, p99 <= 25 ms) and ratios.
 * With --direct CALLS, only the server's work without HTTP: the functions the
 * routes call, CALLS times each in one thread, CPU microseconds per call in
 * the best of 5 rounds (steadier on a loaded machine; what to point perf at).
 *
 * The server runs the workers `facetag serve` would on this machine
 * (review_default_threads), or --workers N.
 *
 *   bench_graph [--photos N] [--seconds S] [--dir DIR] [--no-export] [--direct CALLS] [--workers N]
 * DIR defaults to $TMPDIR/facetag-bench-graph. Needs wrk, curl and python3. */
#include "bench_http.h"
#include "graph/graph_export.h"
#include "graph/graph_walk.h"
#include "graph/timeline.h"
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

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
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
        bench_photo_id(i, ph.photo_id);
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
        if (rc == 0)
            rc = catalog_analysis_put(c, ph.photo_id, "bench-model/v1", "done", nf, NULL, e);
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
    snprintf(marker, sizeof marker, "%s/.complete-v2", dir); /* v2: with analysis runs */
    if (access(marker, F_OK) == 0)
        return 0;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return -1;
    err e = { 0 };
    catalog *c = NULL;
    double t0 = bench_now();
    if (datadir_open(dir, 1, NULL, &c, &e) != 0 || build(c, n, &e) != 0) {
        fprintf(stderr, "bench_graph: %s\n", e.msg);
        catalog_close(c);
        return -1;
    }
    catalog_close(c);
    fprintf(stderr, "bench_graph: catalog of %d photos built in %.1f s\n", n, bench_now() - t0);
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
        double t0 = bench_now();
        int rc = datadir_open(dir, 0, NULL, &c, &e) || graph_export_cypher(c, out, "/dev/null", 0, &x.st, &e);
        x.seconds = bench_now() - t0;
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

/* A wrk script asking for prefix + (base + a different one of 0..count-1) +
 * "&_=" + the wrk thread's number and a counter, so no two requests share a
 * URL (each wrk thread runs the script in its own Lua state: without the
 * thread's number both threads would ask for the same URLs, and half the
 * answers would come from the response cache): every answer is computed from
 * the catalog. */
static int write_script(const char *path, const char *prefix, int base, int count)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "local threads = 0\nfunction setup(thread)\n  threads = threads + 1\n  thread:set(\"tid\", threads)\nend\n"
            "local n = 0\nrequest = function()\n  n = n + 1\n"
            "  return wrk.format(\"GET\", \"%s\" .. (%d + (n * 7919) %% %d) .. \"&_=\" .. tid .. \"-\" .. n)\nend\n",
            prefix, base, count);
    return fclose(f);
}

/* CPU seconds (user + system) this process has used. */
static double process_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* The server's work without HTTP: one thread, one pooled-style connection
 * (unshared, memory-mapped as the server's), calls of the functions the
 * routes call, CPU microseconds per call. Steadier than the HTTP run on a
 * loaded machine, and what perf should be pointed at. */
static int run_direct(const char *dir, int nphotos, int calls)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open_unshared(path, &e);
    if (!c) {
        fprintf(stderr, "bench_graph: %s\n", e.msg);
        return 1;
    }
    catalog_set_mmap(c, (int64_t)1 << 30);
    int npersons = nphotos * 5 / 2 / FACES_PER_PERSON, nevents = nphotos / 100;
    printf("direct calls, one thread (no HTTP)      CPU us per call (best of 5)   bytes per answer\n");
    for (int route = 0; route < 3; route++) {
        /* the least of 5 rounds: what other processes' load added is least there */
        double best = 0, bytes = 0;
        int round_calls = calls / 5 > 0 ? calls / 5 : 1;
        for (int round = 0, i = 0; round < 5; round++) {
            double cpu0 = process_cpu();
            for (int k = 0; k < round_calls; k++, i++) {
                char *text = NULL, ref[64];
                size_t len = 0;
                int rc;
                if (route == 0) {
                    snprintf(ref, sizeof ref, "person:%d", 1 + (i * 7919) % npersons);
                    rc = graph_walk(c, ref, 2, 150, &text, &len, &e);
                } else {
                    snprintf(ref, sizeof ref, "event:%d", 1 + (i * 7919) % nevents);
                    timeline_options o = { .max_entries = 200,
                                           .max_photos = route == 1 ? 1 : 50,
                                           .counts_only = route == 1,
                                           .entry = route == 2 ? ref : NULL };
                    if (route == 1)
                        o.from_year = o.to_year = 1950 + i % 70;
                    rc = timeline_text(c, &o, &text, &len, &e);
                }
                if (rc != 0) {
                    fprintf(stderr, "bench_graph: direct: %s\n", e.msg);
                    catalog_close(c);
                    return 1;
                }
                bytes += (double)len;
                free(text);
            }
            double us = (process_cpu() - cpu0) * 1e6 / round_calls;
            if (round == 0 || us < best)
                best = us;
        }
        static const char *const names[] = { "graph_walk person:ID depth 2", "timeline_text a year's page",
                                             "timeline_text entry=event:ID" };
        printf("%-48s %10.1f %18.0f\n", names[route], best, bytes / (5.0 * round_calls));
    }
    catalog_close(c);
    return 0;
}

static void print_row(const char *name, const bench_result *r)
{
    printf("%-46s %8.2f %8.2f %9.0f %7ld %8.2f\n", name, r->p50_ms, r->p99_ms, r->rps, r->errors, r->p99_ms / 25.0);
}

int main(int argc, char **argv)
{
    int nphotos = 100000;
    const char *dir_arg = NULL;
    bool skip_export = false;
    int direct = 0, workers = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--photos") == 0 && i + 1 < argc)
            nphotos = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir_arg = argv[++i];
        else if (strcmp(argv[i], "--no-export") == 0)
            skip_export = true;
        else if (strcmp(argv[i], "--direct") == 0 && i + 1 < argc)
            direct = atoi(argv[++i]);
        else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
            workers = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_graph [--photos N] [--seconds S] [--dir DIR] [--no-export] [--direct CALLS] "
                            "[--workers N]\n");
            return 2;
        }
    }
    if (nphotos < 1000 || seconds < 1) {
        fprintf(stderr, "bench_graph: --photos must be at least 1000, --seconds at least 1\n");
        return 2;
    }
    if (direct > 0) {
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        char dir[1000];
        if (dir_arg)
            snprintf(dir, sizeof dir, "%s/p%d", dir_arg, nphotos);
        else
            snprintf(dir, sizeof dir, "%s/facetag-bench-graph/p%d", tmp, nphotos);
        return ensure(dir, nphotos) != 0 ? 1 : run_direct(dir, nphotos, direct);
    }
    if (system("command -v wrk >/dev/null && command -v curl >/dev/null && command -v python3 >/dev/null") != 0) {
        fprintf(stderr, "bench_graph: needs wrk, curl and python3 (make deps)\n");
        return 2;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char base[900], small[1000], big[1000];
    if (dir_arg)
        snprintf(base, sizeof base, "%s", dir_arg);
    else
        snprintf(base, sizeof base, "%s/facetag-bench-graph", tmp);
    mkdir(base, 0777);
    snprintf(small, sizeof small, "%s/p%d", base, nphotos / 10);
    snprintf(big, sizeof big, "%s/p%d", base, nphotos);
    if ((!skip_export && ensure(small, nphotos / 10) != 0) || ensure(big, nphotos) != 0)
        return 1;
    double load[1] = { -1 };
    getloadavg(load, 1);
    printf("bench_graph: %d photos, %d faces (synthetic; a shared, loaded machine: compare, do not trust to the ms);"
           " load average %.1f on %ld cores\n",
           nphotos, nphotos * 5 / 2, load[0], sysconf(_SC_NPROCESSORS_ONLN));
    if (!skip_export) {
        export_result es, eb;
        if (run_export(small, &es) != 0 || run_export(big, &eb) != 0) {
            fprintf(stderr, "bench_graph: export failed\n");
            return 1;
        }
        printf("%-34s %10s %10s %12s %12s\n", "export cypher", "photos", "seconds", "peak RSS MB", "lines");
        printf("%-34s %10d %10.2f %12.1f %12lld\n", "  catalog of N/10", nphotos / 10, es.seconds,
               es.maxrss_kb / 1024.0, (long long)es.st.lines);
        printf("%-34s %10d %10.2f %12.1f %12lld\n", "  catalog of N", nphotos, eb.seconds, eb.maxrss_kb / 1024.0,
               (long long)eb.st.lines);
        printf("  ratio of peak RSS N / (N/10): %.2f (flat = 1); export of N / 60 s target: %.2f\n",
               (double)eb.maxrss_kb / (double)es.maxrss_kb, eb.seconds / 60.0);
    }

    /* the workers `facetag serve` runs on this machine unless told otherwise */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    review_options o = { .data_dir = big,
                         .bind = "127.0.0.1",
                         .port = 0,
                         .threads = workers > 0 ? workers : review_default_threads(cores > 0 ? (int)cores : 1) };
    printf("server: %d workers\n", o.threads);
    err e = { 0 };
    review_server *s = review_server_start(&o, &e);
    if (!s) {
        fprintf(stderr, "bench_graph: %s\n", e.msg);
        return 1;
    }
    int port = review_server_port(s);
    char url[256], script[1100];
    int npersons = nphotos * 5 / 2 / FACES_PER_PERSON, nevents = nphotos / 100;
    struct {
        const char *name, *prefix;
        int base, count;
    } rows[] = {
        { "/api/graph?node=person:ID&depth=2", "/api/graph?depth=2&node=person:", 1, npersons },
        { "/api/timeline?year=Y&photos=0 (a year's page)", "/api/timeline?photos=0&year=", 1950, 70 },
        { "/api/timeline?entry=event:ID (its photos)", "/api/timeline?entry=event:", 1, nevents },
        { "/api/timeline/years", "/api/timeline/years?v=", 0, 1 },
    };
    /* One answer of each (the 17th person, 1977, ...): its size and the time
     * of a single request; the graph's is the peer's file. */
    char sample[1100];
    snprintf(sample, sizeof sample, "%s/peer", base);
    mkdir(sample, 0777);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char cmd[1500], one[300];
        snprintf(one, sizeof one, "http://127.0.0.1:%d%s%d&_=first", port, rows[i].prefix,
                 rows[i].base + (rows[i].count > 27 ? 27 : 0));
        snprintf(cmd, sizeof cmd, "curl --noproxy '*' -s -o '%s/answer-%zu.json' -w '%%{size_download}' '%s'", sample,
                 i, one);
        FILE *p = popen(cmd, "r");
        long bytes = -1;
        if (!p || fscanf(p, "%ld", &bytes) != 1)
            bytes = -1;
        if (p)
            pclose(p);
        snprintf(one + strlen(one), sizeof one - strlen(one), "-again");
        printf("%-46s one answer: %7ld bytes, %6.1f ms\n", rows[i].name, bytes, bench_first_ms(one));
    }
    printf("\n%-46s %8s %8s %9s %7s %8s\n", "uncached, wrk -t2 -c64 (each URL new)", "p50 ms", "p99 ms", "req/s",
           "errors", "p99/25ms");
    bench_wrk w = { .connections = CONNECTIONS, .seconds = seconds, .script = script };
    bench_result graph_r = { 0 };
    int rc = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bench_result r;
        snprintf(script, sizeof script, "%s/wrk-%zu.lua", base, i);
        double cpu0 = process_cpu();
        if (write_script(script, rows[i].prefix, rows[i].base, rows[i].count) != 0 || bench_wrk_run(url, &w, &r) != 0) {
            rc = 1;
            continue;
        }
        /* the server runs in this process: its CPU per answer, which does not
         * depend on what else the machine runs (answers still in flight when
         * wrk stops are counted too, a slight overestimate) */
        double cpu = process_cpu() - cpu0;
        print_row(rows[i].name, &r);
        printf("%-46s server CPU %.2f ms per answer\n", "", r.rps > 0 ? cpu * 1000 / (r.rps * seconds) : 0);
        if (i == 0)
            graph_r = r;
    }
    review_server_stop(s);

    int pport = bench_free_port();
    pid_t peer = pport ? bench_peer_start(sample, pport) : -1;
    if (peer > 0) {
        bench_result r;
        bench_wrk pw = { .connections = CONNECTIONS, .seconds = seconds };
        snprintf(url, sizeof url, "http://127.0.0.1:%d/answer-0.json", pport);
        if (bench_wrk_run(url, &pw, &r) == 0) {
            print_row("peer: python3 http.server, the graph answer", &r);
            printf("graph vs the static-file peer: %.2fx its requests/s, p99 %.2fx its p99\n",
                   r.rps > 0 ? graph_r.rps / r.rps : 0, r.p99_ms > 0 ? graph_r.p99_ms / r.p99_ms : 0);
        } else {
            rc = 1;
        }
        bench_peer_stop(peer);
    } else {
        rc = 1;
    }
    getloadavg(load, 1);
    printf("targets: p99 <= 25 ms at 64 connections (p99/25ms <= 1); load average %.1f at the end\n", load[0]);
    return rc;
}
