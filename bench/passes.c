/* bench/passes.c — where the detector's passes go (issue 17 part 2): default
 * mode's pipeline_run on each photo, its SSD passes by step (the upright pass,
 * the orientation search beyond it, tiles, the padded canvas) and the faces
 * found, per set and with -v per photo.
 *
 *   bench_passes [-j THREADS] [--models DIR] [--sets demo,groups,facesdev]
 *                [--every N] [-v]
 *
 * Sets: the six face-api demo photos, the 48 of group-photos, and faces-dev
 * (every Nth image of the sorted list, default 10: 216 of 2,155; --every 1
 * reads all). Attributes are off: they do not change the detection. The
 * accuracy of the same runs is what test_vision_groups (FACETAG_GROUPS_FULL=1)
 * and test_vision_facesdev (FACETAG_FACESDEV_FULL=1) assert; this program
 * only counts. Also printed: detector CPU ms per image (thread CPU time of the
 * workers, the fair figure on a shared machine). */
#include "bench_files.h"
#include "core/clock.h"
#include "media/image.h"
#include "vision/pipeline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILES 4096

typedef struct photo {
    char *path;
    int faces; /* -1: error */
    size_t passes, orient, tiles, canvas;
    double detect_ms;
} photo;

typedef struct job {
    photo *p;
    int n;
    pipeline_models *models;
    pipeline_options opt;
    atomic_int next, errors;
    double cpu_ms[64];
} job;

static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct worker_arg {
    job *j;
    int id;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *w = arg;
    job *j = w->j;
    err e = { 0 };
    pipeline_runner *r = pipeline_runner_new(j->models, NULL, &e);
    if (!r) {
        fprintf(stderr, "bench_passes: %s\n", e.msg);
        atomic_fetch_add(&j->errors, 1);
        return NULL;
    }
    double cpu = 0;
    for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
        photo *p = &j->p[i];
        image img = { 0 };
        pipeline_result res = { 0 };
        p->faces = -1;
        if (image_load_rgb(p->path, 1, 0, &img, &e) != 0) {
            fprintf(stderr, "%s: %s\n", p->path, e.msg);
            atomic_fetch_add(&j->errors, 1);
            continue;
        }
        pipeline_timing t0 = pipeline_runner_timing(r);
        double c0 = thread_cpu_ms();
        if (pipeline_run(r, &img, &j->opt, &res, &e) != 0) {
            fprintf(stderr, "%s: %s\n", p->path, e.msg);
            atomic_fetch_add(&j->errors, 1);
        } else {
            pipeline_timing t1 = pipeline_runner_timing(r);
            p->faces = (int)res.n;
            p->passes = t1.detector_passes - t0.detector_passes;
            p->orient = t1.passes_orient - t0.passes_orient;
            p->tiles = t1.passes_tiles - t0.passes_tiles;
            p->canvas = t1.passes_canvas - t0.passes_canvas;
            p->detect_ms = t1.detect_ms - t0.detect_ms;
        }
        cpu += thread_cpu_ms() - c0;
        pipeline_result_free(&res);
        image_free(&img);
    }
    j->cpu_ms[w->id] = cpu;
    pipeline_runner_free(r);
    return NULL;
}

static void run_set(const char *name, char **files, int n, pipeline_models *pm, const pipeline_options *opt,
                    int threads, bool verbose)
{
    job j = { .n = n, .models = pm, .opt = *opt, .p = calloc((size_t)n, sizeof(photo)) };
    for (int i = 0; i < n; i++)
        j.p[i].path = files[i];
    pthread_t th[64];
    worker_arg wa[64];
    double t0 = clock_now_ms();
    for (int i = 0; i < threads; i++) {
        wa[i] = (worker_arg){ &j, i };
        pthread_create(&th[i], NULL, worker, &wa[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double wall = clock_now_ms() - t0, cpu = 0;
    for (int i = 0; i < threads; i++)
        cpu += j.cpu_ms[i];
    size_t passes = 0, orient = 0, tiles = 0, canvas = 0;
    int faces = 0, with = 0, ok = 0;
    double detect = 0;
    for (int i = 0; i < n; i++) {
        const photo *p = &j.p[i];
        if (p->faces < 0)
            continue;
        ok++;
        passes += p->passes, orient += p->orient, tiles += p->tiles, canvas += p->canvas;
        faces += p->faces, with += p->faces > 0;
        detect += p->detect_ms;
        if (verbose)
            printf("  %-60s passes %2zu (orient %zu, tiles %2zu, canvas %zu) faces %3d\n",
                   strrchr(p->path, '/') ? strrchr(p->path, '/') + 1 : p->path, p->passes, p->orient, p->tiles,
                   p->canvas, p->faces);
    }
    double d = ok ? ok : 1;
    printf("%-10s %5d  %6.2f  %6.2f  %6.2f  %6.2f  %6.2f  %6d  %6d  %8.1f  %8.1f  %7.1f\n", name, ok, passes / d, 1.0,
           orient / d, tiles / d, canvas / d, with, faces, detect / d, cpu / d, wall / 1e3);
    if (atomic_load(&j.errors))
        printf("  (%d images failed)\n", atomic_load(&j.errors));
    free(j.p);
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS");
    const char *sets = "demo,groups,facesdev";
    int threads = 2, every = 10;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--sets") && i + 1 < argc)
            sets = argv[++i];
        else if (!strcmp(argv[i], "--every") && i + 1 < argc)
            every = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v"))
            verbose = true;
        else {
            fprintf(stderr, "usage: bench_passes [-j THREADS] [--models DIR] [--sets demo,groups,facesdev] "
                            "[--every N] [-v]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 64 || every < 1) {
        fprintf(stderr, "bench_passes: -j 1..64, --every >= 1\n");
        return 2;
    }
    if (!models)
        models = FACETAG_DEFAULT_MODELS;
    const char *shared = getenv("FACETAG_SHARED") ? getenv("FACETAG_SHARED") : "../shared";
    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_passes: %s\n", e.msg);
        return 1;
    }
    pipeline_options opt = pipeline_default_options();
    opt.attributes = false;
    pipeline_models *pm = pipeline_models_load(models, &opt, &e);
    if (!pm) {
        fprintf(stderr, "bench_passes: %s\n", e.msg);
        return 1;
    }
    printf("detector passes per image, default mode (%s), %d workers\n", pipeline_model_version(&opt), threads);
    printf("%-10s %5s  %6s  %6s  %6s  %6s  %6s  %6s  %6s  %8s  %8s  %7s\n", "set", "imgs", "passes", "upright",
           "orient", "tiles", "canvas", "w/face", "faces", "det ms", "CPU ms", "wall s");
    static char *files[MAX_FILES];
    char dir[4096];
    if (strstr(sets, "demo")) {
        snprintf(dir, sizeof dir, "%s/../demo", models);
        int n = bench_list_images(dir, files, MAX_FILES, 1);
        run_set("demo", files, n, pm, &opt, threads, verbose);
        for (int i = 0; i < n; i++)
            free(files[i]);
    }
    if (strstr(sets, "groups")) {
        snprintf(dir, sizeof dir, "%s/data/group-photos", shared);
        int n = bench_list_images(dir, files, MAX_FILES, 1);
        run_set("groups", files, n, pm, &opt, threads, verbose);
        for (int i = 0; i < n; i++)
            free(files[i]);
    }
    if (strstr(sets, "facesdev")) {
        snprintf(dir, sizeof dir, "%s/data/faces-dev", shared);
        int k = bench_list_images(dir, files, MAX_FILES, every);
        char name[32];
        snprintf(name, sizeof name, every > 1 ? "faces-dev/%d" : "faces-dev", every);
        run_set(name, files, k, pm, &opt, threads, verbose);
        for (int i = 0; i < k; i++)
            free(files[i]);
    }
    printf("(upright: the first pass, 1 per image; orient: mosaic and turned views; det ms: detect stage per "
           "image, pipeline_timing; CPU ms: the workers' thread CPU time per image incl. landmarks and "
           "descriptor; the machine may be shared)\n");
    pipeline_models_free(pm);
    return 0;
}
