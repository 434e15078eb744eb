/* bench_sheet — contact sheets: how many frames are found, how many ordinary
 * photos are split (must be none), whether the faces in the cut frames are
 * the faces of the photos alone, and how long a 24-MP sheet takes.
 *
 *   bench_sheet [--quick] [--no-faces] [--sheets-only] [--speed-only] [--check]
 *               [--second-set]            (other seeds, faces compared on
 *                                        other sheets: other photos and layouts)
 *               [--as-cut]                (frames as the splitter finds them,
 *                                        vertical strips' sideways, no vote of
 *                                        the sheet: the figures before
 *                                        sheet_result_upright)
 *               [--mono-tint | --no-tint] (monochrome frames and photos:
 *                                        default, the tint of vision/tone.h
 *                                        confirming the plain view's
 *                                        candidates; --mono-tint: every pass
 *                                        re-toned; --no-tint: the plain view
 *                                        only, revision p4: for the before/after)
 *                                        the measurement (docs/sheets.md);
 *                                        --check (make check-full): exit 1
 *                                        unless >= 98 % of the frames are found
 *                                        and no ordinary photo is split;
 *                                        --sheets-only: generated sheets and
 *                                        faces, no ordinary photos, no speed;
 *                                        --speed-only: the 24-MP sheet alone
 *                                        SHEET_FRAME_DUMP=DIR: every compared
 *                                        frame as cut, DIR/sheetNN-frameMM.png
 *   bench_sheet --sweep [--seeds N] [--seed0 S] [--layouts K,K] [--max-edge PX] [--check] [--verbose]
 *                                        seeded sheets of every layout (sheetsweep.h),
 *                                        per layout: frames found, sheets not
 *                                        split, extra boxes; SHEET_DUMP=DIR keeps
 *                                        the JPEGs; SHEET_FRAMES=1 prints every
 *                                        box found, SHEET_TRUTH=1 every true box
 *                                        (to draw both over a kept JPEG);
 *                                        --check: every layout >= 98 %
 *   bench_sheet --ordinary-cost [--groups-stride N] [--dev-stride N]
 *                                        what the finder costs ingest per
 *                                        ordinary photo at full size (every
 *                                        group photo, every 20th of faces-dev,
 *                                        each brought to SHEET_WORK_EDGE px, as
 *                                        a camera's photo reaches the finder):
 *                                        CPU per photo with the finder's
 *                                        shortcuts and without them (the cost
 *                                        before them), in one run, and whether
 *                                        every result is the same
 *   bench_sheet --detect FILE...         what the splitter makes of each file
 *                                        (SHEET_FRAMES=1: every frame's box)
 *   bench_sheet --make OUT.jpg [--film 35|120] [--strips N] [--per-strip N]
 *               [--last-strip N] [--angle DEG] [--negative] [--sepia] [--vertical [--turn 1|-1]] [--margin]
 *               [--px-per-mm F] [--seed N] PHOTO...
 *                                        one generated sheet (demo, tests);
 *                                        prints its frame boxes as JSON lines
 *
 * Sheets come from tests/unit/sheetgen.c: photos of group-photos and
 * faces-dev laid out as 35 mm strips of 6 on a sheet of 6 strips (the
 * vertical ones of the fixed sheets turned a quarter, as a real sheet is:
 * sheetgen_spec.turn), 120 film
 * 3x4 (6x6 frames), single strips and scans of negatives, grey or sepia,
 * +-3 degrees, grain, a few over- and under-exposed frames, JPEG q85. */
#include "media/sheet.h"
#include "../tests/unit/sheetgen.h"
#include "../tests/unit/sheetsweep.h"
#include "analyze/sheet_vote.h"
#include "media/image.h"
#include "vision/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <vips/vips.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *shared_dir(void)
{
    const char *s = getenv("FACETAG_SHARED");
    return s ? s : "../shared";
}

/* The sheet's pixels as a libvips image (not copied: keep s alive). */
static VipsImage *sheet_image(const sheetgen_sheet *s)
{
    VipsImage *im =
        vips_image_new_from_memory(s->rgb, (size_t)s->width * s->height * 3, s->width, s->height, 3, VIPS_FORMAT_UCHAR);
    if (im)
        im->Type = VIPS_INTERPRETATION_sRGB;
    return im;
}

static int to_image(VipsImage *v, image *out)
{
    size_t len = 0;
    uint8_t *m = vips_image_write_to_memory(v, &len);
    if (!m)
        return -1;
    out->width = v->Xsize;
    out->height = v->Ysize;
    out->rgb = malloc(len);
    if (!out->rgb) {
        g_free(m);
        return -1;
    }
    memcpy(out->rgb, m, len);
    g_free(m);
    return 0;
}

static int faces_turned(pipeline_runner *r, const pipeline_options *opt, const image *img, int turn, int *rotation)
{
    pipeline_result res;
    pipeline_options o = *opt;
    o.turn = turn;
    err e;
    if (pipeline_run(r, img, &o, &res, &e) != 0) {
        fprintf(stderr, "pipeline: %s\n", e.msg);
        return 0;
    }
    int n = (int)res.n;
    if (rotation)
        *rotation = res.rotation;
    pipeline_result_free(&res);
    return n;
}

static int faces_in(pipeline_runner *r, const pipeline_options *opt, const image *img)
{
    return faces_turned(r, opt, img, 0, NULL);
}

/* --as-cut: the frames as the splitter found them (vertical strips' frames
 * sideways) and no vote of the sheet: the figures before sheet_result_upright */
static int as_cut;

typedef struct totals {
    int sheets, frames, found, extra, missed_sheets;
    double iou_sum, detect_s;
    int faces_frames, faces_alone, faces_frames_normal, faces_alone_normal, frames_compared;
    int faces_truthcut, faces_grey; /* where a loss comes from: the cut's geometry, the colour */
    int faces_alone_big;            /* the photos alone, enlarged as a small frame is */
    int frames_sideways;            /* frames whose faces were found turned a quarter */
    /* The faces in the frames had the vote turned only some frames (analyze
     * turns them all: analyze/frame_turn.h): only the faceless ones (the rule
     * before the stored frames were turned), or also those whose faces were
     * found another way round than the vote's; and the frames re-read. */
    int faces_frames_faceless, faces_frames_disagree, frames_reread;
} totals;

static void measure_sheet(const sheetgen_spec *sp, char **photos, int nphotos, int first, pipeline_runner *runner,
                          const pipeline_options *popt, totals *t)
{
    sheetgen_sheet s;
    err e;
    if (sheetgen_make(sp, (const char *const *)photos, nphotos, first, &s, &e) != 0) {
        fprintf(stderr, "sheetgen: %s\n", e.msg);
        return;
    }
    /* as a scan arrives: through JPEG */
    void *jpg = NULL;
    size_t jlen = 0;
    VipsImage *raw = sheet_image(&s);
    vips_jpegsave_buffer(raw, &jpg, &jlen, "Q", 85, NULL);
    g_object_unref(raw);
    if (getenv("SHEET_DUMP")) { /* keep the generated scans to look at */
        char name[4096];
        snprintf(name, sizeof name, "%s/sheet%02d.jpg", getenv("SHEET_DUMP"), t->sheets);
        FILE *f = fopen(name, "wb");
        if (f) {
            fwrite(jpg, 1, jlen, f);
            fclose(f);
        }
    }
    VipsImage *scan = vips_image_new_from_buffer(jpg, jlen, "", NULL);
    VipsImage *mem = scan ? vips_image_copy_memory(scan) : NULL;
    if (scan)
        g_object_unref(scan);
    sheet_result *r = malloc(sizeof *r);
    double t0 = now_s();
    int rc = mem ? sheet_detect_image(mem, SHEET_AUTO, r, &e) : -1;
    t->detect_s += now_s() - t0;
    if (rc != 0) {
        fprintf(stderr, "detect failed\n");
        r->nframes = 0;
    }
    double miou = 0;
    int hits = sheetgen_score(s.truth, s.nframes, r->frames, r->nframes, 0.9, &miou);
    printf("  %-5s %dx%d strips %d x %d, %+.1f deg%s%s%s: %d of %d frames (mean IoU %.3f), %d extra%s%s\n",
           sp->film == 35 ? "35mm" : "120", s.width, s.height, sp->strips, sp->per_strip, sp->angle,
           sp->negative ? ", negative" : "", sp->sepia ? ", sepia" : "", sp->vertical ? ", vertical" : "", hits,
           s.nframes, miou, r->nframes - hits, r->nframes ? "" : "; not a sheet: ", r->nframes ? "" : r->why);
    for (int i = 0; i < r->nframes && getenv("SHEET_FRAMES"); i++) /* every box, to compare two builds */
        printf("    frame %d strip %d: %.4f,%.4f %.4fx%.4f %+.4f\n", r->frames[i].no, r->frames[i].strip,
               r->frames[i].cx, r->frames[i].cy, r->frames[i].w, r->frames[i].h, r->frames[i].angle);
    for (int i = 0; i < s.nframes; i++) {
        double bi = 0;
        int bj = -1;
        for (int j = 0; j < r->nframes; j++)
            if (sheet_frame_iou(&s.truth[i], &r->frames[j]) > bi)
                bi = sheet_frame_iou(&s.truth[i], &r->frames[j]), bj = j;
        if (bi < 0.9 && r->nframes)
            printf("      missed frame %d (exposure gamma %.2f): best IoU %.3f%s%.0fx%.0f vs %.0fx%.0f\n", i + 1,
                   s.gamma[i], bi, bj >= 0 ? ", " : "", bj >= 0 ? r->frames[bj].w : 0, bj >= 0 ? r->frames[bj].h : 0,
                   s.truth[i].w, s.truth[i].h);
    }
    t->sheets++;
    t->frames += s.nframes;
    t->found += hits;
    t->extra += r->nframes - hits;
    t->iou_sum += miou * hits;
    t->missed_sheets += r->nframes == 0;
    if (runner && mem) {
        /* as ingest hands them over: upright (sheet_result_upright), then
         * the sheet's vote over its faceless frames (analyze/sheet_vote.h) */
        if (!as_cut)
            sheet_result_upright(r);
        int ffs[SHEETGEN_MAX] = { 0 }, rots[SHEETGEN_MAX] = { 0 }, normal[SHEETGEN_MAX] = { 0 },
            cut_ok[SHEETGEN_MAX] = { 0 };
        image fimgs[SHEETGEN_MAX] = { 0 };
        for (int i = 0; i < s.nframes; i++) {
            int best = -1;
            double bi = 0.9;
            for (int j = 0; j < r->nframes; j++) {
                double v = sheet_frame_iou(&s.truth[i], &r->frames[j]);
                if (v >= bi)
                    bi = v, best = j;
            }
            if (best < 0)
                continue;
            VipsImage *cut = NULL, *tcut = NULL;
            image fimg = { 0 }, aimg = { 0 }, timg = { 0 }, gimg = { 0 };
            uint8_t *alone = NULL;
            sheet_frame truth = s.truth[i];
            sheet_frame_turn(&truth, r->upright);
            if (sheet_frame_extract(mem, &r->frames[best], r->negative, &cut, &e) != 0 || to_image(cut, &fimg) != 0 ||
                sheet_frame_extract(mem, &truth, r->negative, &tcut, &e) != 0 || to_image(tcut, &timg) != 0 ||
                sheetgen_photo_crop(photos[s.photo[i]], s.frame_w, s.frame_h, &alone, &e) != 0) {
                if (cut)
                    g_object_unref(cut);
                if (tcut)
                    g_object_unref(tcut);
                image_free(&fimg);
                image_free(&timg);
                free(alone);
                continue;
            }
            if (getenv("SHEET_FRAME_DUMP")) { /* the frames as cut, to look at */
                char name[4096];
                snprintf(name, sizeof name, "%s/sheet%02d-frame%02d.png", getenv("SHEET_FRAME_DUMP"), t->sheets - 1,
                         i + 1);
                vips_image_write_to_file(cut, name, NULL);
            }
            g_object_unref(cut);
            g_object_unref(tcut);
            aimg.width = gimg.width = s.frame_w;
            aimg.height = gimg.height = s.frame_h;
            aimg.rgb = alone;
            gimg.rgb = malloc((size_t)s.frame_w * s.frame_h * 3);
            uint8_t *g1 = sheetgen_grey(alone, s.frame_w, s.frame_h);
            for (size_t q = 0; gimg.rgb && g1 && q < (size_t)s.frame_w * s.frame_h; q++)
                gimg.rgb[3 * q] = gimg.rgb[3 * q + 1] = gimg.rgb[3 * q + 2] = g1[q];
            free(g1);
            int ff = faces_turned(runner, popt, &fimg, 0, &rots[i]), fa = faces_in(runner, popt, &aimg);
            /* the photo alone enlarged as sheet_frame_extract enlarges a small frame */
            int big_edge = s.frame_w > s.frame_h ? s.frame_w : s.frame_h;
            if (getenv("SHEET_CUT_ALONE")) { /* only the frames and the photos alone: the goal's figures */
            } else if (big_edge < SHEET_FRAME_MIN_EDGE) {
                VipsImage *av = vips_image_new_from_memory(alone, (size_t)s.frame_w * s.frame_h * 3, s.frame_w,
                                                           s.frame_h, 3, VIPS_FORMAT_UCHAR),
                          *ab = NULL, *ac = NULL;
                image bimg = { 0 };
                if (av &&
                    vips_resize(av, &ab, (double)SHEET_FRAME_MIN_EDGE / big_edge, "kernel", VIPS_KERNEL_CUBIC, NULL) ==
                        0 &&
                    vips_cast_uchar(ab, &ac, NULL) == 0 && to_image(ac, &bimg) == 0)
                    t->faces_alone_big += faces_in(runner, popt, &bimg);
                image_free(&bimg);
                if (ac)
                    g_object_unref(ac);
                if (ab)
                    g_object_unref(ab);
                if (av)
                    g_object_unref(av);
            } else {
                t->faces_alone_big += fa;
            }
            int ft = getenv("SHEET_CUT_ALONE") ? 0 : faces_in(runner, popt, &timg),
                fg = !getenv("SHEET_CUT_ALONE") && gimg.rgb ? faces_in(runner, popt, &gimg) : 0;
            t->faces_truthcut += ft;
            t->faces_grey += fg;
            image_free(&timg);
            if (getenv("SHEET_FACES")) /* per frame, to see which faces a loss is */
                printf(
                    "      frame %d gamma %.2f %dx%d px %s: %d faces cut, %d cut at the true box, %d alone, %d grey\n",
                    i + 1, s.gamma[i], fimg.width, fimg.height, photos[s.photo[i]], ff, ft, fa, fg);
            image_free(&gimg);
            ffs[i] = ff;
            cut_ok[i] = 1;
            normal[i] = s.gamma[i] == 1.0;
            fimgs[i] = fimg;
            t->faces_alone += fa;
            if (s.gamma[i] == 1.0)
                t->faces_alone_normal += fa;
            t->frames_compared++;
            image_free(&aimg);
        }
        int voters = 0, turn = as_cut ? 0 : sheet_vote_turn(rots, ffs, s.nframes, &voters);
        if (!as_cut)
            printf("      the sheet's vote: turn %d (%d frames with faces)%s\n", turn, voters,
                   turn ? "; every frame read again turned by it" : "");
        for (int i = 0; i < s.nframes; i++) {
            if (!cut_ok[i])
                continue;
            /* analyze turns every frame of a sheet whose vote is not 0 and
             * reads it again (analyze/frame_turn.h): the turned image is the
             * image read with pipeline_options.turn (prep_rotate is exact) */
            int again = turn ? faces_turned(runner, popt, &fimgs[i], turn, NULL) : ffs[i];
            t->frames_reread += turn != 0;
            if (turn && getenv("SHEET_FACES"))
                printf("      frame %d read again turned by %d: %d faces (%d as first read, turned %d)\n", i + 1, turn,
                       again, ffs[i], rots[i]);
            t->faces_frames_faceless += ffs[i] == 0 ? again : ffs[i];
            t->faces_frames_disagree += ffs[i] == 0 || rots[i] != turn ? again : ffs[i];
            ffs[i] = again;
            t->faces_frames += ffs[i];
            if (normal[i])
                t->faces_frames_normal += ffs[i];
            t->frames_sideways += rots[i] == 90 || rots[i] == 270;
            image_free(&fimgs[i]);
        }
    }
    if (mem)
        g_object_unref(mem);
    g_free(jpg);
    free(r);
    sheetgen_free(&s);
}

/* Ordinary photos: none may be split. scale > 1 enlarges small photos first
 * (faces-dev's 150 px crops are refused as too small at their own size). */
static void ordinary(const char *dir, int stride, double scale, int *tried, int *split, double *secs)
{
    char **paths;
    int n;
    sheetgen_list_images(dir, &paths, &n);
    for (int i = 0; i < n; i += stride) {
        VipsImage *im = vips_image_new_from_file(paths[i], NULL), *big = NULL;
        if (!im)
            continue;
        if (scale > 1 && vips_resize(im, &big, scale, NULL) == 0) {
            g_object_unref(im);
            im = big;
        }
        sheet_result *r = malloc(sizeof *r);
        err e;
        double t0 = now_s();
        if (sheet_detect_image(im, SHEET_AUTO, r, &e) == 0) {
            (*tried)++;
            if (r->nframes) {
                (*split)++;
                printf("  SPLIT: %s (x%.0f) into %d frames\n", paths[i], scale, r->nframes);
            }
        }
        *secs += now_s() - t0;
        free(r);
        g_object_unref(im);
    }
    sheetgen_list_free(paths, n);
}

/* One row of --ordinary-cost: every stride-th photo of dir brought to
 * SHEET_WORK_EDGE px on its longer side (in memory, before the clock runs),
 * then sheet_detect_image without the shortcuts and with them. Returns the
 * number of photos whose two results differ. */
static int ordinary_cost_row(const char *label, const char *dir, int stride)
{
    char **paths;
    int n, photos = 0, differ = 0, split = 0;
    double cpu_plain = 0, cpu_fast = 0;
    sheetgen_list_images(dir, &paths, &n);
    sheet_result *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    for (int i = 0; a && b && i < n; i += stride) {
        VipsImage *im = vips_image_new_from_file(paths[i], NULL), *sized = NULL, *mem = NULL;
        if (!im)
            continue;
        int longest = im->Xsize > im->Ysize ? im->Xsize : im->Ysize;
        if (vips_resize(im, &sized, (double)SHEET_WORK_EDGE / longest, NULL) == 0)
            mem = vips_image_copy_memory(sized);
        g_object_unref(im);
        if (sized)
            g_object_unref(sized);
        if (!mem)
            continue;
        err e;
        sheet_set_shortcuts(0);
        double c0 = cpu_s();
        int rc = sheet_detect_image(mem, SHEET_AUTO, a, &e);
        double c1 = cpu_s();
        sheet_set_shortcuts(1);
        rc |= sheet_detect_image(mem, SHEET_AUTO, b, &e);
        double c2 = cpu_s();
        g_object_unref(mem);
        if (rc) {
            fprintf(stderr, "%s: %s\n", paths[i], e.msg);
            continue;
        }
        photos++;
        cpu_plain += c1 - c0;
        cpu_fast += c2 - c1;
        split += b->nframes > 0;
        if (!sheetgen_same_result(a, b)) {
            differ++;
            printf("  DIFFERENT: %s: %d frames (%s) without the shortcuts, %d (%s) with\n", paths[i], a->nframes,
                   a->why, b->nframes, b->why);
        }
    }
    printf("| %-34s | %6d | %9.3f | %9.3f | %5.2fx | %9d | %5d |\n", label, photos, photos ? cpu_plain / photos : 0,
           photos ? cpu_fast / photos : 0, cpu_fast > 0 ? cpu_plain / cpu_fast : 0, photos - differ, split);
    fflush(stdout);
    free(a), free(b);
    sheetgen_list_free(paths, n);
    return differ;
}

static int ordinary_cost(int argc, char **argv)
{
    int gs = 1, ds = 20;
    for (int i = 1; i + 1 < argc; i++) {
        if (!strcmp(argv[i], "--groups-stride"))
            gs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dev-stride"))
            ds = atoi(argv[++i]);
    }
    if (gs < 1 || ds < 1) {
        fprintf(stderr, "bench_sheet --ordinary-cost [--groups-stride N] [--dev-stride N]\n");
        return 2;
    }
    char groups[4096], dev[4096];
    snprintf(groups, sizeof groups, "%s/data/group-photos", shared_dir());
    snprintf(dev, sizeof dev, "%s/data/faces-dev", shared_dir());
    printf("the finder on ordinary photos at full size (each brought to %d px on its longer side), CPU-s per photo "
           "(process CPU, libvips' threads included), before = without the shortcuts (sheet_set_shortcuts(0)):\n",
           SHEET_WORK_EDGE);
    printf("| %-34s | %6s | %9s | %9s | %6s | %9s | %5s |\n", "photos", "n", "before", "after", "ratio", "identical",
           "split");
    printf("|---|---|---|---|---|---|---|\n");
    char label[64];
    snprintf(label, sizeof label, "group-photos%s", gs > 1 ? " (sample)" : "");
    int differ = ordinary_cost_row(label, groups, gs);
    snprintf(label, sizeof label, "faces-dev, every %d%s", ds, ds == 1 ? "" : "th");
    differ += ordinary_cost_row(label, dev, ds);
    if (differ)
        printf("bench_sheet --ordinary-cost: %d photos came out differently with the shortcuts\n", differ);
    return differ ? 1 : 0;
}

static int make_one(int argc, char **argv)
{
    sheetgen_spec sp = {
        .film = 35, .strips = 2, .per_strip = 6, .px_per_mm = 10, .angle = 1.5, .noise = 5, .seed = 1
    };
    const char *out = argv[2];
    int i = 3;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "0";
        if (!strcmp(a, "--film"))
            sp.film = atoi(v), i++;
        else if (!strcmp(a, "--strips"))
            sp.strips = atoi(v), i++;
        else if (!strcmp(a, "--per-strip"))
            sp.per_strip = atoi(v), i++;
        else if (!strcmp(a, "--last-strip"))
            sp.last_strip = atoi(v), i++;
        else if (!strcmp(a, "--angle"))
            sp.angle = atof(v), i++;
        else if (!strcmp(a, "--px-per-mm"))
            sp.px_per_mm = atof(v), i++;
        else if (!strcmp(a, "--seed"))
            sp.seed = (unsigned)atoi(v), i++;
        else if (!strcmp(a, "--negative"))
            sp.negative = 1;
        else if (!strcmp(a, "--sepia"))
            sp.sepia = 1;
        else if (!strcmp(a, "--vertical"))
            sp.vertical = 1;
        else if (!strcmp(a, "--turn")) /* with --vertical: 1 tops to the left, -1 to the right, 0 transposed */
            sp.turn = atoi(v), i++;
        else if (!strcmp(a, "--margin"))
            sp.paper_margin = 1;
        else {
            fprintf(stderr, "bench_sheet --make: unknown option %s\n", a);
            return 2;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "bench_sheet --make OUT.jpg [options] PHOTO...\n");
        return 2;
    }
    sheetgen_sheet s;
    err e;
    if (sheetgen_make(&sp, (const char *const *)argv + i, argc - i, 0, &s, &e) != 0 ||
        sheetgen_write_jpeg(out, s.rgb, s.width, s.height, 88, &e) != 0) {
        fprintf(stderr, "bench_sheet --make: %s\n", e.msg);
        return 1;
    }
    for (int k = 0; k < s.nframes; k++) {
        const sheet_frame *f = &s.truth[k];
        printf("{\"frame\":%d,\"strip\":%d,\"cx\":%.1f,\"cy\":%.1f,\"w\":%.1f,\"h\":%.1f,\"angle\":%.2f,"
               "\"photo\":\"%s\"}\n",
               f->no, f->strip, f->cx, f->cy, f->w, f->h, f->angle, argv[i + s.photo[k]]);
    }
    sheetgen_free(&s);
    return 0;
}

/* bench_sheet --sweep: the splitter over seeded sheets of every layout
 * (tests/unit/sheetsweep.h), the per-layout table; --check: exit 1 unless
 * >= 98 % of the frames of every layout are found. */
static int sweep(int argc, char **argv, char **photos, int nphotos)
{
    int seeds = 40, check = 0, verbose = 0, max_edge = 0;
    unsigned seed0 = 1000;
    const char *layouts = "all";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
        if (!strcmp(a, "--seeds"))
            seeds = atoi(v), i++;
        else if (!strcmp(a, "--seed0"))
            seed0 = (unsigned)strtoul(v, NULL, 10), i++;
        else if (!strcmp(a, "--layouts"))
            layouts = v, i++;
        else if (!strcmp(a, "--max-edge"))
            max_edge = atoi(v), i++;
        else if (!strcmp(a, "--check"))
            check = 1;
        else if (!strcmp(a, "--verbose"))
            verbose = 1;
    }
    long mask = sheetsweep_mask(layouts);
    if (mask < 0 || seeds < 1) {
        fprintf(stderr, "bench_sheet --sweep [--seeds N] [--seed0 S] [--layouts %s] [--max-edge PX] [--check]\n",
                sheetsweep_keys());
        return 2;
    }
    printf("seed sweep: seeds %u..%u over layouts %s (JPEG q85, sheet_detect_image; frames found = IoU >= 0.9); "
           "sheets not split or with a frame lost or an extra box:\n",
           seed0, seed0 + (unsigned)seeds - 1, layouts);
    fflush(stdout);
    sheetsweep sw = { 0 };
    err e;
    if (sheetsweep_run((unsigned)mask, seed0, seeds, max_edge, (const char *const *)photos, nphotos, &sw, stdout,
                       verbose, &e) != 0) {
        fprintf(stderr, "bench_sheet --sweep: %s\n", e.msg);
        return 1;
    }
    printf("\n");
    sheetsweep_print(&sw, stdout);
    int bad = 0;
    for (int l = 0; l < SWEEP_LAYOUTS; l++)
        if (sw.row[l].sheets && sw.row[l].found < 0.98 * sw.row[l].frames)
            bad = 1, printf("below the floor: %s\n", sheetsweep_name((sheetsweep_layout)l));
    if (check && bad) {
        printf("bench_sheet --sweep --check: FAILED (want >= 98 %% of the frames of every layout found)\n");
        return 1;
    }
    return 0;
}

/* bench_sheet --detect FILE...: what the splitter makes of each file (a
 * real scan, a photo that looks like a grid): frames, or the check that
 * failed. */
static int detect_files(int argc, char **argv)
{
    int rc = 0;
    for (int i = 2; i < argc; i++) {
        VipsImage *im = vips_image_new_from_file(argv[i], NULL);
        sheet_result *r = malloc(sizeof *r);
        err e;
        if (!im || !r || sheet_detect_image(im, SHEET_AUTO, r, &e) != 0) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            rc = 1;
        } else {
            printf("%s (%dx%d): ", argv[i], im->Xsize, im->Ysize);
            if (r->nframes == 0)
                printf("not split: %s\n", r->why);
            else
                printf("%d frames in %d strips%s%s, %+.2f deg\n", r->nframes, r->strips,
                       r->negative ? ", negative" : "", r->vertical ? ", vertical" : "", r->angle);
            for (int k = 0; k < r->nframes && getenv("SHEET_FRAMES"); k++)
                printf("  frame %d strip %d: centre %.0f,%.0f size %.0fx%.0f\n", r->frames[k].no, r->frames[k].strip,
                       r->frames[k].cx, r->frames[k].cy, r->frames[k].w, r->frames[k].h);
        }
        free(r);
        if (im)
            g_object_unref(im);
    }
    return rc;
}

static void speed_24mp(char **photos, int nphotos)
{
    /* 35 mm, 6 strips of 6, scanned at 20.4 px/mm (518 dpi): 5070 x 4745, 24 MP */
    sheetgen_spec sp = {
        .film = 35, .strips = 6, .per_strip = 6, .px_per_mm = 20.4, .angle = 1.7, .noise = 6, .seed = 9
    };
    sheetgen_sheet s;
    err e;
    if (sheetgen_make(&sp, (const char *const *)photos, nphotos, 3, &s, &e) != 0)
        return;
    VipsImage *im = sheet_image(&s);
    sheet_result *r = malloc(sizeof *r);
    int reps = 3;
    double det = 1e9, cut = 1e9, cdet = 1e9, ccut = 1e9;
    for (int k = 0; k < reps; k++) {
        double t0 = now_s(), c0 = cpu_s();
        sheet_detect_image(im, SHEET_AUTO, r, &e);
        double t1 = now_s(), c1 = cpu_s();
        for (int i = 0; i < r->nframes; i++) {
            VipsImage *c = NULL;
            void *buf = NULL;
            size_t len = 0;
            if (sheet_frame_extract(im, &r->frames[i], r->negative, &c, &e) == 0) {
                vips_jpegsave_buffer(c, &buf, &len, "Q", 90, "strip", TRUE, NULL);
                g_free(buf);
                g_object_unref(c);
            }
        }
        double t2 = now_s(), c2 = cpu_s();
        det = fmin(det, t1 - t0);
        cut = fmin(cut, t2 - t1);
        cdet = fmin(cdet, c1 - c0);
        ccut = fmin(ccut, c2 - c1);
    }
    printf("\n24-MP sheet (%dx%d = %.1f MP, %d frames found): detect %.3f s, cut+encode all frames %.3f s, "
           "total %.3f s (best of %d, in memory, 1 thread)\n",
           s.width, s.height, s.width * (double)s.height / 1e6, r->nframes, det, cut, det + cut, reps);
    printf("24-MP sheet, CPU time (all threads): detect %.3f s, cut+encode %.3f s, total %.3f s\n", cdet, ccut,
           cdet + ccut);
    free(r);
    g_object_unref(im);
    sheetgen_free(&s);
}

int main(int argc, char **argv)
{
    err e;
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    if (argc >= 3 && strcmp(argv[1], "--make") == 0)
        return make_one(argc, argv);
    if (argc >= 3 && strcmp(argv[1], "--detect") == 0)
        return detect_files(argc, argv);
    int quick = 0, faces = 1, only_sheets = 0, only_speed = 0, check = 0, mono_tint = 0, second = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            quick = 1;
        else if (!strcmp(argv[i], "--no-faces"))
            faces = 0;
        else if (!strcmp(argv[i], "--sheets-only"))
            only_sheets = 1;
        else if (!strcmp(argv[i], "--speed-only"))
            only_speed = 1, faces = 0;
        else if (!strcmp(argv[i], "--check"))
            check = 1;
        else if (!strcmp(argv[i], "--mono-tint")) /* pipeline_options.mono, for the before/after */
            mono_tint = 1;
        else if (!strcmp(argv[i], "--no-tint"))
            mono_tint = -1;
        else if (!strcmp(argv[i], "--second-set"))
            second = 1;
        else if (!strcmp(argv[i], "--as-cut"))
            as_cut = 1;
    }
    char groups[4096], dev[4096];
    snprintf(groups, sizeof groups, "%s/data/group-photos", shared_dir());
    snprintf(dev, sizeof dev, "%s/data/faces-dev", shared_dir());
    char **gp, **dp;
    int ng, nd;
    sheetgen_list_images(groups, &gp, &ng);
    sheetgen_list_images(dev, &dp, &nd);
    if (ng == 0 || nd == 0) {
        fprintf(stderr, "bench_sheet: no photos under %s (set FACETAG_SHARED)\n", shared_dir());
        return 2;
    }
    /* frames: every group photo and every 10th faces-dev photo, interleaved */
    int np = 0;
    char **photos = malloc(sizeof *photos * (size_t)(ng + nd));
    for (int i = 0, j = 0; i < ng || j < nd; i++, j += 10) {
        if (i < ng)
            photos[np++] = gp[i];
        if (j < nd)
            photos[np++] = dp[j];
    }
    if (only_speed) {
        speed_24mp(photos, np);
        return 0;
    }
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--sweep"))
            return sweep(argc, argv, photos, np);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--ordinary-cost"))
            return ordinary_cost(argc, argv);
    pipeline_options popt = pipeline_default_options();
    popt.attributes = false;
    popt.mono = mono_tint > 0 ? PIPELINE_TINT_ALL : mono_tint < 0 ? PIPELINE_TINT_OFF : PIPELINE_TINT_CONFIRM;
    pipeline_models *pm = NULL;
    pipeline_runner *runner = NULL;
    if (faces) {
        const char *md = getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
        pm = pipeline_models_load(md, &popt, &e);
        runner = pm ? pipeline_runner_new(pm, NULL, &e) : NULL;
        if (!runner)
            fprintf(stderr, "bench_sheet: no face models (%s): faces not compared\n", e.msg);
        else
            printf("faces by %s\n", pipeline_model_version(&popt));
    }
    const sheetgen_spec specs[] = {
        { .film = 35, .strips = 6, .per_strip = 6, .px_per_mm = 12, .angle = 2.3, .paper_margin = 1, .noise = 6 },
        { .film = 35, .strips = 6, .per_strip = 6, .px_per_mm = 12, .angle = -3.0, .sepia = 1, .noise = 8 },
        { .film = 35,
          .strips = 6,
          .per_strip = 6,
          .px_per_mm = 10,
          .angle = 0.4,
          .noise = 5,
          .vertical = 1,
          .turn = -1 },
        { .film = 35, .strips = 6, .per_strip = 6, .px_per_mm = 10, .angle = -1.1, .negative = 1, .noise = 6 },
        { .film = 120, .strips = 4, .per_strip = 3, .px_per_mm = 8, .angle = 2.9, .sepia = 1, .noise = 6 },
        { .film = 120,
          .strips = 4,
          .per_strip = 3,
          .px_per_mm = 8,
          .angle = -2.2,
          .vertical = 1,
          .turn = 1,
          .noise = 7 },
        { .film = 120, .strips = 3, .per_strip = 4, .px_per_mm = 8, .angle = 1.3, .paper_margin = 1, .noise = 5 },
        { .film = 35, .strips = 1, .per_strip = 6, .px_per_mm = 14, .angle = -2.6, .noise = 6 },
        { .film = 35,
          .strips = 5,
          .per_strip = 6,
          .px_per_mm = 12,
          .angle = 3.0,
          .negative = 1,
          .sepia = 1,
          .noise = 7 },
        { .film = 35, .strips = 6, .per_strip = 6, .px_per_mm = 12, .angle = -2.0, .paper_margin = 1, .noise = 10 },
        { .film = 120, .strips = 4, .per_strip = 3, .px_per_mm = 9, .angle = -0.7, .negative = 1, .noise = 6 },
        { .film = 35,
          .strips = 6,
          .per_strip = 6,
          .px_per_mm = 11,
          .angle = 1.8,
          .sepia = 1,
          .vertical = 1,
          .turn = -1,
          .noise = 6 },
    };
    int nspec = quick ? 4 : (int)(sizeof specs / sizeof *specs);
    totals t = { 0 };
    printf("generated sheets (detector at most %d px; frames found = IoU >= 0.9 with the truth):\n", SHEET_WORK_EDGE);
    int first = 0;
    for (int k = 0; k < nspec; k++) {
        sheetgen_spec sp = specs[k];
        sp.seed = (unsigned)(k + (second ? 1011 : 11));
        /* faces compared on a third of the sheets: the networks are the slow part
         * (--second-set: the other photos and layouts of k % 3 == 2) */
        measure_sheet(&sp, photos, np, first, (k % 3 == (second ? 2 : 0)) ? runner : NULL, &popt, &t);
        first += sp.strips * sp.per_strip;
    }
    printf("frames: %d of %d found (%.2f %%), mean IoU %.3f, %d extra, %d sheets not recognised; "
           "detection %.3f s per sheet\n",
           t.found, t.frames, 100.0 * t.found / t.frames, t.found ? t.iou_sum / t.found : 0, t.extra, t.missed_sheets,
           t.detect_s / t.sheets);
    if (t.frames_compared)
        printf("faces: %d in %d cut frames vs %d in the same photos alone (%+.2f %%); normally exposed frames only: "
               "%d vs %d (%+.2f %%)\n",
               t.faces_frames, t.frames_compared, t.faces_alone,
               100.0 * (t.faces_frames - t.faces_alone) / (t.faces_alone ? t.faces_alone : 1), t.faces_frames_normal,
               t.faces_alone_normal,
               100.0 * (t.faces_frames_normal - t.faces_alone_normal) /
                   (t.faces_alone_normal ? t.faces_alone_normal : 1));
    if (t.frames_compared)
        printf("faces, where a loss comes from: %d in the photos alone, %d in them made grey, %d in them enlarged "
               "to %d px as the frames are, %d in the frames cut at the true box, %d cut at the box found\n",
               t.faces_alone, t.faces_grey, t.faces_alone_big, SHEET_FRAME_MIN_EDGE, t.faces_truthcut, t.faces_frames);
    if (t.frames_compared && !as_cut)
        printf("faces in the frames by which frames follow the sheet's vote (%d frames read again): all %d; the "
               "faceless and those whose faces were found another way round %d; the faceless only %d\n",
               t.frames_reread, t.faces_frames, t.faces_frames_disagree, t.faces_frames_faceless);
    if (t.frames_compared)
        printf("frames handed over %s: %d of %d compared had their faces found turned a quarter\n",
               as_cut ? "as cut (--as-cut)" : "upright, with the sheet's vote", t.frames_sideways, t.frames_compared);
    if (only_sheets)
        return 0;
    int tried = 0, split = 0;
    double secs = 0;
    ordinary(groups, 1, 1, &tried, &split, &secs);
    printf("\nordinary photos: group-photos %d of %d split", split, tried);
    int t2 = 0, s2 = 0;
    ordinary(dev, 1, 1, &t2, &s2, &secs);
    printf("; faces-dev %d of %d split", s2, t2);
    int t3 = 0, s3 = 0;
    ordinary(dev, quick ? 40 : 4, 3, &t3, &s3, &secs);
    printf("; faces-dev enlarged x3 (past the size gate) %d of %d split; %.1f ms per photo\n", s3, t3,
           1000 * secs / (tried + t2 + t3));
    speed_24mp(photos, np);
    if (!quick) { /* what the finder costs ingest per ordinary photo, with and without its shortcuts */
        printf("\n");
        char *cost_argv[] = { argv[0], "--ordinary-cost", NULL };
        ordinary_cost(2, cost_argv);
    }
    if (!quick) { /* `make bench`: a short seed sweep (make check-full runs 40 seeds) */
        printf("\n");
        char *sweep_argv[] = { argv[0], "--sweep", "--seeds", "10", NULL };
        sweep(4, sweep_argv, photos, np);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.0f MB\n", ru.ru_maxrss / 1024.0);
    pipeline_runner_free(runner);
    pipeline_models_free(pm);
    free(photos);
    sheetgen_list_free(gp, ng);
    sheetgen_list_free(dp, nd);
    if (check && (t.found < 0.98 * t.frames || split + s2 + s3 > 0)) {
        printf("bench_sheet --check: FAILED (want >= 98 %% of frames found and no ordinary photo split)\n");
        return 1;
    }
    return 0;
}
