/* bench/tint.c — the detector's view of black-and-white photos (issue 13,
 * tone.h): the measurements behind the tint and the monochrome test.
 *
 *   bench_tint spread [--every N]   tone_chroma_spread of every group photo and
 *                                   of every Nth faces-dev photo (default 1),
 *                                   with how many fall below the threshold
 *   bench_tint learn [--every N]    the tint learned from colour faces: on the
 *                                   colour photos of faces-dev (every Nth,
 *                                   default 4), the pixels of the middle half of
 *                                   every face found, each channel fitted as
 *                                   gain * Y + offset (least squares)
 *   bench_tint eval [--tint gR,gG,gB,oR,oG,oB]... [--set groups|facesdev]
 *                   [--every N] [-v] every photo of the set in colour, made grey
 *                                   (R = G = B = Y), and grey shown to the
 *                                   detector through each tint (the default
 *                                   one first): faces above 0.5, how many of
 *                                   the colour run's faces each finds (IoU >
 *                                   0.4), and the others
 *
 * Default mode, attributes off (they do not change detection), one thread.
 * Prints CPU seconds; measured figures: docs/decisions/2026-12-07-monochrome-detector-tint.md. */
#include "bench_files.h"
#include "media/image.h"
#include "vision/pipeline.h"
#include "vision/tone.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILES 4096
#define MAX_TINTS 8

/* The sorted images of set ("groups" or "facesdev"), every Nth. */
static int list_set(const char *shared, const char *set, int every, char **files)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/data/%s", shared, !strcmp(set, "groups") ? "group-photos" : "faces-dev");
    return bench_list_images(dir, files, MAX_FILES, every);
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int luma(const uint8_t *p)
{
    return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
}

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int cmd_spread(const char *shared, int every)
{
    static char *files[MAX_FILES];
    const char *sets[2] = { "groups", "facesdev" };
    err e = { 0 };
    for (int s = 0; s < 2; s++) {
        int n = list_set(shared, sets[s], s == 0 ? 1 : every, files), mono = 0;
        double lo_colour = INFINITY;
        for (int i = 0; i < n; i++) {
            image img = { 0 };
            if (image_load_rgb(files[i], 1, 0, &img, &e) != 0) {
                fprintf(stderr, "%s: %s\n", files[i], e.msg);
                free(files[i]);
                continue;
            }
            tone_stats ts = tone_measure(&img);
            double sp = ts.spread;
            bool m = tone_is_monochrome(&img);
            mono += m;
            if (!m)
                lo_colour = fmin(lo_colour, sp);
            if (s == 0 || sp < 8)
                printf("  %-9s %-48s spread %6.2f  cb %6.1f cr %6.1f  luma sd %5.1f%s\n", sets[s], base(files[i]), sp,
                       ts.cb, ts.cr, ts.luma_sd, m ? "  monochrome" : "");
            image_free(&img);
            free(files[i]);
        }
        printf("%s: %d photos, %d monochrome, lowest spread of the others %.2f\n", sets[s], n, mono, lo_colour);
    }
    return 0;
}

static int cmd_file(const char *path)
{
    err e = { 0 };
    image img = { 0 };
    if (image_load_rgb(path, 1, 0, &img, &e) != 0) {
        fprintf(stderr, "%s: %s\n", path, e.msg);
        return 1;
    }
    tone_stats ts = tone_measure(&img);
    printf("%s: spread %.2f  cb %.1f cr %.1f  luma sd %.1f%s\n", path, ts.spread, ts.cb, ts.cr, ts.luma_sd,
           tone_is_monochrome(&img) ? "  monochrome" : "");
    image_free(&img);
    return 0;
}

static int cmd_learn(const char *shared, const char *models, int every)
{
    static char *files[MAX_FILES];
    int n = list_set(shared, "facesdev", every, files);
    err e = { 0 };
    pipeline_options opt = pipeline_default_options();
    opt.attributes = false;
    opt.mono = PIPELINE_TINT_OFF; /* the tint's effect is measured against the plain view */
    pipeline_models *pm = pipeline_models_load(models, &opt, &e);
    pipeline_runner *r = pm ? pipeline_runner_new(pm, NULL, &e) : NULL;
    if (!r) {
        fprintf(stderr, "bench_tint: %s\n", e.msg);
        return 1;
    }
    /* Normal equations per channel: sum 1, Y, Y^2, c, cY. */
    double s0 = 0, sy = 0, syy = 0, sc[3] = { 0 }, scy[3] = { 0 };
    int photos = 0, faces = 0;
    double t0 = cpu_s();
    for (int i = 0; i < n; i++) {
        image img = { 0 };
        pipeline_result res = { 0 };
        if (image_load_rgb(files[i], 1, 0, &img, &e) == 0 && !tone_is_monochrome(&img) &&
            pipeline_run(r, &img, &opt, &res, &e) == 0) {
            photos++;
            for (size_t f = 0; f < res.n; f++) {
                rectd b = res.faces[f].box;
                int x0 = (int)fmax(0, b.x + b.w / 4), x1 = (int)fmin(img.width, b.x + b.w * 3 / 4);
                int y0 = (int)fmax(0, b.y + b.h / 4), y1 = (int)fmin(img.height, b.y + b.h * 3 / 4);
                faces += x1 > x0 && y1 > y0;
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++) {
                        const uint8_t *p = img.rgb + ((size_t)y * img.width + x) * 3;
                        double v = luma(p);
                        s0++, sy += v, syy += v * v;
                        for (int c = 0; c < 3; c++)
                            sc[c] += p[c], scy[c] += p[c] * v;
                    }
            }
        }
        pipeline_result_free(&res);
        image_free(&img);
        free(files[i]);
    }
    double det = s0 * syy - sy * sy;
    if (!(det > 0)) {
        fprintf(stderr, "bench_tint: no face pixels\n");
        return 1;
    }
    printf("learned from %d faces in %d colour photos of faces-dev (every %d), %.0f pixels, %.1f CPU s:\n", faces,
           photos, every, s0, cpu_s() - t0);
    const char *name = "RGB";
    for (int c = 0; c < 3; c++) {
        double g = (s0 * scy[c] - sy * sc[c]) / det, o = (sc[c] - g * sy) / s0;
        printf("  %c = %.3f * Y %+.1f\n", name[c], g, o);
    }
    printf("mean Y of face pixels %.1f\n", sy / s0);
    pipeline_runner_free(r);
    pipeline_models_free(pm);
    return 0;
}

static double iou(rectd a, rectd b)
{
    double x0 = fmax(a.x, b.x), y0 = fmax(a.y, b.y);
    double x1 = fmin(a.x + a.w, b.x + b.w), y1 = fmin(a.y + a.h, b.y + b.h);
    double in = fmax(0, x1 - x0) * fmax(0, y1 - y0), un = a.w * a.h + b.w * b.h - in;
    return un > 0 ? in / un : 0;
}

/* How many of ref's faces res finds (IoU > 0.4, each once). */
static int matched(const pipeline_result *ref, const pipeline_result *res)
{
    int hit = 0;
    bool used[4096] = { false };
    for (size_t i = 0; i < ref->n; i++)
        for (size_t j = 0; j < res->n && j < 4096; j++)
            if (!used[j] && iou(ref->faces[i].box, res->faces[j].box) > 0.4) {
                used[j] = true, hit++;
                break;
            }
    return hit;
}

static int cmd_eval(const char *shared, const char *models, const char *set, int every, const tone_tint *tints,
                    int ntints, bool verbose)
{
    static char *files[MAX_FILES];
    int n = list_set(shared, set, every, files);
    err e = { 0 };
    pipeline_options opt = pipeline_default_options();
    opt.attributes = false;
    opt.mono = PIPELINE_TINT_OFF; /* the tint's effect is measured against the plain view */
    pipeline_models *pm = pipeline_models_load(models, &opt, &e);
    pipeline_runner *r = pm ? pipeline_runner_new(pm, NULL, &e) : NULL;
    if (!r) {
        fprintf(stderr, "bench_tint: %s\n", e.msg);
        return 1;
    }
    int colour = 0, as_stored = 0, as_stored_hit = 0, found[MAX_TINTS + 1] = { 0 }, hit[MAX_TINTS + 1] = { 0 },
        photos = 0, mono = 0;
    double cpu[MAX_TINTS + 2] = { 0 };
    for (int i = 0; i < n; i++) {
        image img = { 0 }, grey = { 0 };
        if (image_load_rgb(files[i], 1, 0, &img, &e) != 0) {
            fprintf(stderr, "%s: %s\n", files[i], e.msg);
            free(files[i]);
            continue;
        }
        photos++;
        mono += tone_is_monochrome(&img);
        tone_tint g = { .gain = { 1, 1, 1 } };
        pipeline_result ref = { 0 }, tinted = { 0 };
        pipeline_options warm = opt; /* opt: the default, as is */
        warm.mono = PIPELINE_TINT_ALL;
        double t = cpu_s();
        int rc = pipeline_run(r, &img, &opt, &ref, &e) == 0 ? tone_apply(&img, &g, &grey, &e) : -1;
        cpu[0] += cpu_s() - t;
        colour += (int)ref.n;
        if (rc == 0 && tone_is_monochrome(&img)) { /* as stored, tinted: differs only for monochrome photos */
            rc = pipeline_run(r, &img, &warm, &tinted, &e);
            as_stored += (int)tinted.n, as_stored_hit += matched(&ref, &tinted);
        } else {
            as_stored += (int)ref.n, as_stored_hit += (int)ref.n;
        }
        pipeline_result_free(&tinted);
        for (int k = 0; rc == 0 && k <= ntints; k++) {
            pipeline_options o = opt;
            o.mono = k > 0 ? PIPELINE_TINT_ALL : PIPELINE_TINT_OFF;
            o.tint = k > 0 ? &tints[k - 1] : NULL;
            pipeline_result res = { 0 };
            t = cpu_s();
            rc = pipeline_run(r, &grey, &o, &res, &e);
            cpu[k + 1] += cpu_s() - t;
            found[k] += (int)res.n;
            hit[k] += matched(&ref, &res);
            if (verbose)
                printf("%s%s: %zu faces, %d of the %zu%s", k == 0 ? "  " : ", ", k == 0 ? base(files[i]) : "tint",
                       res.n, matched(&ref, &res), ref.n, k == ntints ? "\n" : "");
            pipeline_result_free(&res);
        }
        if (rc != 0)
            fprintf(stderr, "%s: %s\n", files[i], e.msg);
        pipeline_result_free(&ref);
        image_free(&grey);
        image_free(&img);
        free(files[i]);
    }
    printf("%s (every %d): %d photos (%d monochrome as stored), %s\n", set, every, photos, mono,
           pipeline_model_version(&opt));
    printf("%-44s %7s %10s %7s %7s\n", "detector input", "faces", "of colour", "others", "CPU s");
    printf("%-44s %7d %10d %7d %7.1f\n", "as stored (the reference)", colour, colour, 0, cpu[0]);
    printf("%-44s %7d %10d %7d\n", "as stored, monochrome ones tinted", as_stored, as_stored_hit,
           as_stored - as_stored_hit);
    for (int k = 0; k <= ntints; k++) {
        char name[96];
        if (k == 0)
            snprintf(name, sizeof name, "grey, as is");
        else
            snprintf(name, sizeof name, "grey, tint %.2fY%+.0f %.2fY%+.0f %.2fY%+.0f", tints[k - 1].gain[0],
                     tints[k - 1].offset[0], tints[k - 1].gain[1], tints[k - 1].offset[1], tints[k - 1].gain[2],
                     tints[k - 1].offset[2]);
        printf("%-44s %7d %10d %7d %7.1f\n", name, found[k], hit[k], found[k] - hit[k], cpu[k + 1]);
    }
    pipeline_runner_free(r);
    pipeline_models_free(pm);
    return 0;
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS");
    const char *shared = getenv("FACETAG_SHARED") ? getenv("FACETAG_SHARED") : "../shared";
    if (!models)
        models = FACETAG_DEFAULT_MODELS;
    if (argc < 2) {
        fprintf(stderr, "usage: bench_tint spread|learn|eval [--every N] [--set groups|facesdev] "
                        "[--tint gR,gG,gB,oR,oG,oB]...\n");
        return 2;
    }
    const char *cmd = argv[1], *set = "groups";
    int every = 0, ntints = 1;
    bool verbose = false;
    tone_tint tints[MAX_TINTS];
    tints[0] = tone_default_tint();
    for (int i = 2; i < argc; i++) {
        tone_tint *t = &tints[ntints];
        if (!strcmp(argv[i], "--every") && i + 1 < argc)
            every = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (!strcmp(argv[i], "--set") && i + 1 < argc)
            set = argv[++i];
        else if (!strcmp(argv[i], "--tint") && i + 1 < argc && ntints < MAX_TINTS &&
                 sscanf(argv[++i], "%lf,%lf,%lf,%lf,%lf,%lf", &t->gain[0], &t->gain[1], &t->gain[2], &t->offset[0],
                        &t->offset[1], &t->offset[2]) == 6)
            ntints++;
        else {
            fprintf(stderr, "bench_tint: bad argument %s\n", argv[i]);
            return 2;
        }
    }
    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_tint: %s\n", e.msg);
        return 1;
    }
    if (!strcmp(cmd, "spread"))
        return cmd_spread(shared, every > 0 ? every : 1);
    if (!strcmp(cmd, "files")) /* bench_tint files --set PATH: one photo's figures */
        return cmd_file(set);
    if (!strcmp(cmd, "learn"))
        return cmd_learn(shared, models, every > 0 ? every : 4);
    if (!strcmp(cmd, "eval"))
        return cmd_eval(shared, models, set, every > 0 ? every : 1, tints, ntints, verbose);
    fprintf(stderr, "bench_tint: unknown command %s\n", cmd);
    return 2;
}
