/* serve.c — bench_serve: the review server under load. Builds (once, then
 * reuses) a catalog of 10,000 photos with 2 faces each — synthetic rows, real
 * face crops (faces-dev images, 112 px JPEGs) in the faces bucket — starts the
 * server in this process and runs wrk at 64 connections against /pending,
 * /face_crop/… (a different crop per request) and /api/persons. The peer is
 * Python's http.server on the same crop files. Prints p50/p99 latency and
 * requests/s per endpoint (best of REPEATS runs: the machine is shared) and the
 * crop ratio.
 *
 *   bench_serve [--photos N] [--seconds S] [--threads N] [--dir DIR]
 * FACETAG_SHARED names shared/ (faces-dev). DIR defaults to
 * $TMPDIR/facetag-bench-serve-N. Needs wrk and python3 on PATH. */
#include "bench_http.h"
#include "core/hash.h"
#include "media/image.h"
#include "review/server.h"
#include "review/views.h"
#include "store/catalog.h"
#include "store/catalog_internal.h"
#include "store/datadir.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

#define FACES_PER_PHOTO 2
#define NCROPS 200 /* distinct crop images, reused over the faces */
#define FACES_PER_PERSON 10
#define CONNECTIONS 64
#define REPEATS 2
#define MODEL "bench-model/v1"

static int nphotos = 10000;
static int seconds = 8;
static int threads = 0; /* server threads; 0 = as facetag serve picks */

/* ---- the fixture --------------------------------------------------------------- */

typedef struct crop {
    void *jpg;
    size_t len;
} crop;

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NCROPS faces-dev images as 112 px JPEGs. */
static int load_crops(const char *shared, crop *crops)
{
    char root[1024];
    snprintf(root, sizeof root, "%s/data/faces-dev", shared);
    DIR *d = opendir(root);
    if (!d) {
        fprintf(stderr, "bench_serve: cannot read %s: %s\n", root, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !strchr(de->d_name, '_') || de->d_type == DT_REG)
            continue;
        char **more = realloc(names, (n + 1) * sizeof *names);
        if (!more)
            break;
        names = more;
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name); /* the same crops on every machine */
    int got = 0;
    for (size_t i = 0; i < n && got < NCROPS; i++) {
        for (int k = 1; k <= 3 && got < NCROPS; k++) {
            char path[1400];
            const char *prefix = strncmp(names[i], "ORL_", 4) == 0 ? "orl" : "lfw";
            snprintf(path, sizeof path, "%s/%s/%s_%02d.jpg", root, names[i], prefix, k);
            if (access(path, R_OK) != 0)
                continue;
            VipsImage *t = NULL;
            if (vips_thumbnail(path, &t, 112, "height", 112, NULL) != 0)
                continue;
            if (vips_jpegsave_buffer(t, &crops[got].jpg, &crops[got].len, "Q", 85, NULL) == 0)
                got++;
            g_object_unref(t);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    if (got < NCROPS) {
        fprintf(stderr, "bench_serve: only %d face images found under %s\n", got, root);
        return -1;
    }
    return 0;
}

typedef struct crop_job {
    objstore *os;
    const crop *crops;
    int first, step;
    int failed;
} crop_job;

static void *write_crops(void *ud)
{
    crop_job *j = ud;
    err e = { 0 };
    for (int i = j->first; i < nphotos && !j->failed; i += j->step) {
        char id[PHOTO_ID_LEN + 1], key[64];
        bench_photo_id(i, id);
        for (int k = 0; k < FACES_PER_PHOTO; k++) {
            snprintf(key, sizeof key, "%s/%d.jpg", id, k);
            const crop *c = &j->crops[(i * FACES_PER_PHOTO + k) % NCROPS];
            if (objstore_put(j->os, BUCKET_FACES, key, c->jpg, c->len, &e) != 0) {
                fprintf(stderr, "bench_serve: %s\n", e.msg);
                j->failed = 1;
                break;
            }
        }
    }
    return NULL;
}

static int exec(catalog *c, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(catalog_sqlite(c), sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_serve: %s: %s\n", sql, msg);
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* Photos, faces (random descriptors), persons of FACES_PER_PERSON faces each
 * (every fifth one named, a third of the faces confirmed), analysis runs. */
static int build_catalog(catalog *cat)
{
    err e = { 0 };
    if (catalog_begin(cat, &e) != 0) {
        fprintf(stderr, "bench_serve: %s\n", e.msg);
        return -1;
    }
    int npersons = nphotos * FACES_PER_PHOTO / FACES_PER_PERSON;
    sqlite3_stmt *ins = NULL;
    sqlite3_prepare_v2(catalog_sqlite(cat), "INSERT INTO persons (id, name) VALUES (?1, ?2)", -1, &ins, NULL);
    for (int p = 1; p <= npersons; p++) {
        char name[32];
        snprintf(name, sizeof name, "Person %d", p);
        sqlite3_bind_int(ins, 1, p);
        if (p % 5 == 0)
            sqlite3_bind_text(ins, 2, name, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(ins, 2);
        sqlite3_step(ins);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    uint64_t rng = 42;
    int rc = 0;
    for (int i = 0; i < nphotos && rc == 0; i++) {
        catalog_photo ph = { 0 };
        bench_photo_id(i, ph.photo_id);
        snprintf(ph.sha256, sizeof ph.sha256, "%s%s%s%s", ph.photo_id, ph.photo_id, ph.photo_id, ph.photo_id);
        snprintf(ph.format, sizeof ph.format, "jpeg");
        snprintf(ph.incoming_key, sizeof ph.incoming_key, "%s.jpg", ph.photo_id);
        ph.bytes = 1 << 20;
        ph.width = ph.orig_width = 1600;
        ph.height = ph.orig_height = 1200;
        ph.orientation = 1;
        snprintf(ph.taken_at, sizeof ph.taken_at, "19%02d-%02d", 60 + i % 40, 1 + i % 12);
        if (catalog_photo_put(cat, &ph, &e) < 0)
            rc = -1;
        for (int k = 0; k < FACES_PER_PHOTO && rc == 0; k++) {
            catalog_face f = { 0 };
            snprintf(f.photo_id, sizeof f.photo_id, "%s", ph.photo_id);
            f.face_no = k;
            snprintf(f.model_version, sizeof f.model_version, MODEL);
            f.box[0] = 200 + 600 * k, f.box[1] = 300, f.box[2] = 180, f.box[3] = 200;
            f.score = 0.9;
            f.has_landmarks = true;
            for (int l = 0; l < 5; l++)
                f.five[l][0] = f.box[0] + 30 * l, f.five[l][1] = f.box[1] + 100;
            for (int l = 0; l < 68; l++)
                f.points68[l][0] = f.box[0] + l, f.points68[l][1] = f.box[1] + l;
            f.has_embedding = true;
            for (int d = 0; d < 128; d++) {
                rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                f.embedding[d] = (float)((rng >> 40) / 16777216.0 - 0.5) * 0.18f;
            }
            f.has_attributes = true;
            f.age = 20 + i % 50;
            snprintf(f.gender, sizeof f.gender, "%s", (i + k) % 2 ? "male" : "female");
            f.gender_probability = 0.8;
            f.expressions[0] = 1;
            /* consecutive faces share a person, never two of one photo */
            f.person_id = 1 + ((int64_t)i * FACES_PER_PHOTO + k) % npersons;
            snprintf(f.source, sizeof f.source, "detector");
            if (catalog_face_put(cat, &f, &e) != 0)
                rc = -1;
        }
        if (rc == 0 && catalog_analysis_put(cat, ph.photo_id, MODEL, "done", FACES_PER_PHOTO, NULL, &e) != 0)
            rc = -1;
    }
    if (rc == 0)
        rc = exec(cat, "UPDATE faces SET status = 'confirmed' WHERE id % 3 = 0");
    if (rc == 0 && catalog_commit(cat, &e) != 0)
        rc = -1;
    if (rc) {
        fprintf(stderr, "bench_serve: building the catalog: %s\n", e.msg);
        catalog_rollback(cat);
    }
    return rc;
}

static int build_fixture(const char *dir, const char *shared)
{
    double t0 = bench_now();
    err e = { 0 };
    objstore *os = NULL;
    catalog *cat = NULL;
    if (datadir_open(dir, 1, &os, &cat, &e) != 0) {
        fprintf(stderr, "bench_serve: %s\n", e.msg);
        return -1;
    }
    crop crops[NCROPS] = { 0 };
    int rc = load_crops(shared, crops);
    if (rc == 0)
        rc = build_catalog(cat);
    if (rc == 0) {
        enum { W = 4 };
        pthread_t th[W];
        crop_job jobs[W];
        for (int i = 0; i < W; i++) {
            jobs[i] = (crop_job){ .os = os, .crops = crops, .first = i, .step = W };
            pthread_create(&th[i], NULL, write_crops, &jobs[i]);
        }
        for (int i = 0; i < W; i++) {
            pthread_join(th[i], NULL);
            rc |= jobs[i].failed;
        }
    }
    for (int i = 0; i < NCROPS; i++)
        g_free(crops[i].jpg);
    catalog_close(cat);
    objstore_close(os);
    if (rc == 0) {
        char stamp[1100];
        snprintf(stamp, sizeof stamp, "%s/bench-ready", dir);
        FILE *f = fopen(stamp, "w");
        if (f)
            fclose(f);
        fprintf(stderr, "bench_serve: catalog of %d photos, %d faces with crops built in %.1f s\n", nphotos,
                nphotos * FACES_PER_PHOTO, bench_now() - t0);
    }
    return rc;
}

/* ---- load ------------------------------------------------------------------------- */

/* A wrk script that asks for a different crop each time: prefix + "/ID/N.jpg"
 * or prefix + "/ID/N" for the server's route. */
static int write_script(const char *path, const char *prefix, bool jpg_suffix)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "local paths = {\n");
    for (int i = 0; i < nphotos; i += 5) {
        char id[PHOTO_ID_LEN + 1];
        bench_photo_id(i, id);
        fprintf(f, "\"%s/%s/%d%s\",\n", prefix, id, i % FACES_PER_PHOTO, jpg_suffix ? ".jpg" : "");
    }
    fprintf(f, "}\nlocal n = 0\n"
               "request = function()\n"
               "  n = n + 1\n"
               "  return wrk.format(\"GET\", paths[(n %% #paths) + 1])\n"
               "end\n");
    return fclose(f);
}

static void print_row(const char *name, const bench_result *r)
{
    printf("%-28s %9.2f %9.2f %11.0f %7ld\n", name, r->p50_ms, r->p99_ms, r->rps, r->errors);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The persons list as the server computes it after a change (view_persons on a
 * connection with a cold page cache), ROUNDS times: median wall and CPU ms. CPU
 * time is the figure that does not depend on the neighbours on a shared machine. */
static void time_persons_list(const char *dir)
{
    enum { ROUNDS = 15 };
    char path[1100];
    snprintf(path, sizeof path, "%s/" DATADIR_CATALOG, dir);
    double wall[ROUNDS], cpu[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        err e = { 0 };
        catalog *c = catalog_open(path, &e);
        json_t *list = NULL;
        struct timespec c0, c1;
        double w0 = bench_now();
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        int rc = c ? view_persons(c, false, NULL, &list, &e) : -1;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        wall[r] = (bench_now() - w0) * 1000;
        cpu[r] = ((double)(c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9) * 1000;
        json_decref(list);
        catalog_close(c);
        if (rc) {
            fprintf(stderr, "bench_serve: persons list: %s\n", e.msg);
            return;
        }
    }
    qsort(wall, ROUNDS, sizeof *wall, cmp_double);
    qsort(cpu, ROUNDS, sizeof *cpu, cmp_double);
    printf("persons list from the catalog (view_persons, fresh connection, median of %d): %.1f ms wall, %.1f ms "
           "CPU\n",
           ROUNDS, wall[ROUNDS / 2], cpu[ROUNDS / 2]);
}

int main(int argc, char **argv)
{
    const char *dir_arg = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--photos") == 0 && i + 1 < argc)
            nphotos = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir_arg = argv[++i];
        else {
            fprintf(stderr, "usage: bench_serve [--photos N] [--seconds S] [--threads N] [--dir DIR]\n");
            return 2;
        }
    }
    if (nphotos < 10 || seconds < 1) {
        fprintf(stderr, "bench_serve: --photos >= 10, --seconds >= 1\n");
        return 2;
    }
    if (system("command -v wrk >/dev/null && command -v python3 >/dev/null") != 0) {
        fprintf(stderr, "bench_serve: needs wrk (Debian wrk; make deps) and python3\n");
        return 2;
    }
    const char *shared = getenv("FACETAG_SHARED");
    if (!shared || !*shared)
        shared = "../shared";
    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_serve: %s\n", e.msg);
        return 1;
    }
    char dir[1024], stamp[1100];
    const char *tmp = getenv("TMPDIR");
    if (dir_arg)
        snprintf(dir, sizeof dir, "%s", dir_arg);
    else
        snprintf(dir, sizeof dir, "%s/facetag-bench-serve-%d", tmp && *tmp ? tmp : "/tmp", nphotos);
    snprintf(stamp, sizeof stamp, "%s/bench-ready", dir);
    if (access(stamp, F_OK) != 0) {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0 || build_fixture(dir, shared) != 0)
            return 1;
    }

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    review_options o = {
        .data_dir = dir, .bind = "127.0.0.1", .port = 0, .threads = cores * 2 < 4 ? 4 : (int)cores * 2
    };
    if (threads > 0)
        o.threads = threads;
    review_server *s = review_server_start(&o, &e);
    if (!s) {
        fprintf(stderr, "bench_serve: %s\n", e.msg);
        return 1;
    }
    int port = review_server_port(s);
    char url[256], script[1100], peer_script[1100], faces_dir[1100];
    snprintf(script, sizeof script, "%s/crops.lua", dir);
    snprintf(peer_script, sizeof peer_script, "%s/crops-peer.lua", dir);
    snprintf(faces_dir, sizeof faces_dir, "%s/objects/faces", dir);
    if (write_script(script, "/face_crop", false) != 0 || write_script(peer_script, "", true) != 0) {
        fprintf(stderr, "bench_serve: cannot write %s\n", script);
        review_server_stop(s);
        return 1;
    }

    printf("bench_serve: %d photos, %d faces, %d persons; wrk -t2 -c%d -d%ds, best of %d; server threads %d; "
           "%ld cores\n",
           nphotos, nphotos * FACES_PER_PHOTO, nphotos * FACES_PER_PHOTO / FACES_PER_PERSON, CONNECTIONS, seconds,
           REPEATS, o.threads, cores);
    /* A fresh server has nothing cached: the first answer of each list is
     * computed from the catalog, as after every change. */
    const char *lists[] = { "/pending", "/api/persons" };
    for (int i = 0; i < 2; i++) {
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, lists[i]);
        printf("first answer of %-13s (computed, then cached until the catalog changes): %.1f ms\n", lists[i],
               bench_first_ms(url));
    }
    time_persons_list(dir);
    printf("%-28s %9s %9s %11s %7s\n", "endpoint", "p50 ms", "p99 ms", "req/s", "errors");
    bench_result pending, crops, persons, persons_plain, peer;
    bench_wrk plain = { .connections = CONNECTIONS, .seconds = seconds }, gz = plain, crop_load = plain;
    gz.gzip = true;
    crop_load.script = script;
    int rc = 0;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/pending", port);
    rc |= bench_wrk_best_of(url, &gz, REPEATS, &pending);
    if (!rc)
        print_row("GET /pending", &pending);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    rc |= bench_wrk_best_of(url, &crop_load, REPEATS, &crops);
    if (!rc)
        print_row("GET /face_crop/{id}/{n}", &crops);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/persons", port);
    rc |= bench_wrk_best_of(url, &gz, REPEATS, &persons);
    if (!rc)
        print_row("GET /api/persons", &persons);
    rc |= bench_wrk_best_of(url, &plain, REPEATS, &persons_plain);
    if (!rc)
        print_row("GET /api/persons (no gzip)", &persons_plain);
    review_server_stop(s);

    int pport = bench_free_port();
    pid_t peer_pid = pport ? bench_peer_start(faces_dir, pport) : -1;
    if (peer_pid > 0) {
        bench_wrk peer_load = plain;
        peer_load.script = peer_script;
        snprintf(url, sizeof url, "http://127.0.0.1:%d", pport);
        if (bench_wrk_best_of(url, &peer_load, REPEATS, &peer) == 0) {
            print_row("peer: python3 http.server", &peer);
            printf("face_crop vs peer: %.1fx the requests/s\n", peer.rps > 0 ? crops.rps / peer.rps : 0);
        } else {
            rc = 1;
        }
        bench_peer_stop(peer_pid);
    }
    printf("JSON endpoints asked with Accept-Encoding: gzip, as browsers do, but the last persons row.\n"
           "targets: p99 <= 25 ms on every endpoint, >= 2000 req/s on /face_crop\n");
    vips_shutdown();
    return rc ? 1 : 0;
}
