/* bench/greyprobe.c — what the face detector makes of a black-and-white
 * image and of other views of it (issue 13: faces lost in grey and sepia
 * film frames; docs/decisions/2026-12-08-grey-negative-frames.md).
 *
 *   bench_greyprobe [--turn DEG] [--crop W H] FILE...
 *
 * Per file its brightness levels (1 % / 99 %) and, for the image as given,
 * made grey, its levels stretched (1..99 % to 0..255), re-toned by
 * tone_default_tint, stretched and re-toned, histogram-equalised, and
 * equalised and re-toned: the chroma spread, whether tone.h calls it
 * monochrome, the faces default mode's pipeline finds in it (attributes off;
 * with --turn, when none upright, again turned by DEG as the sheet's vote
 * would), and the SSD's four best candidates (score@x,y,wxh) of the upright
 * pass and of the padded-canvas pass at min score 0.01. --crop W H reads the
 * following files as sheetgen lays a photo into a W x H frame.
 * LEVELS_ONLY=1: the levels alone. */
#include "../tests/unit/sheetgen.h"
#include "media/image.h"
#include "vision/pipeline.h"
#include "vision/ssd.h"
#include "vision/tone.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int luma(const uint8_t *p)
{
    return (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;
}

static int g_turn;

/* histogram-equalised grey */
static void equalise(const image *in, image *out)
{
    size_t n = (size_t)in->width * in->height;
    size_t hist[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        hist[luma(in->rgb + 3 * i)]++;
    uint8_t lut[256];
    size_t c = 0;
    for (int v = 0; v < 256; v++) {
        c += hist[v];
        lut[v] = (uint8_t)lround(255.0 * c / n);
    }
    out->width = in->width, out->height = in->height;
    out->rgb = malloc(n * 3);
    for (size_t i = 0; i < n; i++)
        out->rgb[3 * i] = out->rgb[3 * i + 1] = out->rgb[3 * i + 2] = lut[luma(in->rgb + 3 * i)];
}

static void top(const char *what, det_list *d)
{
    printf("    %-14s", what);
    for (size_t i = 0; i < d->n && i < 4; i++)
        printf(" %.3f@%.0f,%.0f,%.0fx%.0f", d->faces[i].score, d->faces[i].box.x, d->faces[i].box.y, d->faces[i].box.w,
               d->faces[i].box.h);
    printf("\n");
}

/* grey stretched 1..99 % to 0..255 */
static void stretch(const image *in, image *out, double lo_p, double hi_p)
{
    size_t n = (size_t)in->width * in->height;
    int hist[256] = { 0 };
    for (size_t i = 0; i < n; i++)
        hist[luma(in->rgb + 3 * i)]++;
    int lo = 0, hi = 255;
    size_t c = 0;
    for (int v = 0; v < 256; v++) {
        c += hist[v];
        if (c < n * lo_p)
            lo = v;
        if (c < n * hi_p)
            hi = v;
    }
    out->width = in->width, out->height = in->height;
    out->rgb = malloc(n * 3);
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            double v = (in->rgb[3 * i + k] - lo) * 255.0 / (hi - lo > 8 ? hi - lo : 8);
            out->rgb[3 * i + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

static void greyify(const image *in, image *out)
{
    size_t n = (size_t)in->width * in->height;
    out->width = in->width, out->height = in->height;
    out->rgb = malloc(n * 3);
    for (size_t i = 0; i < n; i++)
        out->rgb[3 * i] = out->rgb[3 * i + 1] = out->rgb[3 * i + 2] = (uint8_t)luma(in->rgb + 3 * i);
}

static void probe(ssd_runner *r, pipeline_runner *pr, const char *name, const image *img)
{
    err e;
    ssd_options so = ssd_default_options();
    so.min_score = 0.01;
    so.antialias = 1;
    det_list d = { 0 }, c = { 0 };
    const float zero[3] = { 0, 0, 0 };
    ssd_detect(r, img, &so, &d, &e);
    ssd_detect_canvas(r, img, &so, 2.0, zero, &c, &e);
    pipeline_options po = pipeline_default_options();
    po.attributes = false;
    pipeline_result res;
    int n = pipeline_run(pr, img, &po, &res, &e) == 0 ? (int)res.n : -1;
    if (n >= 0)
        pipeline_result_free(&res);
    if (n == 0 && g_turn) {
        po.turn = g_turn;
        n = pipeline_run(pr, img, &po, &res, &e) == 0 ? (int)res.n : -1;
        if (n >= 0)
            pipeline_result_free(&res);
    }
    tone_stats st = tone_measure(img);
    printf("  %-10s spread %.2f cb %.1f sd %.1f mono %d pipeline %d\n", name, st.spread, st.cb, st.luma_sd,
           tone_is_monochrome(img), n);
    top("upright", &d);
    top("canvas", &c);
    det_list_free(&d);
    det_list_free(&c);
}

int main(int argc, char **argv)
{
    err e;
    image_init(argv[0], &e);
    pipeline_options po = pipeline_default_options();
    po.attributes = false;
    const char *md = getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
    pipeline_models *pm = pipeline_models_load(md, &po, &e);
    pipeline_runner *pr = pm ? pipeline_runner_new(pm, NULL, &e) : NULL;
    ssd_model *sm = ssd_load(md, &e);
    ssd_runner *r = sm ? ssd_runner_new(sm, NULL, net_precision_detector(), &e) : NULL;
    if (!r || !pr) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    int cw = 0, ch = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--turn") && i + 1 < argc) {
            g_turn = atoi(argv[++i]);
            continue;
        }
        if (!strcmp(argv[i], "--crop") && i + 2 < argc) {
            cw = atoi(argv[i + 1]), ch = atoi(argv[i + 2]);
            i += 2;
            continue;
        }
        image img = { 0 };
        if (cw) {
            uint8_t *px = NULL;
            if (sheetgen_photo_crop(argv[i], cw, ch, &px, &e))
                continue;
            img = (image){ .width = cw, .height = ch, .rgb = px };
        } else if (image_load_rgb(argv[i], 1, 4096, &img, &e)) {
            fprintf(stderr, "%s: %s\n", argv[i], e.msg);
            continue;
        }
        {
            size_t n = (size_t)img.width * img.height, hist[256] = { 0 }, c = 0;
            for (size_t q = 0; q < n; q++)
                hist[luma(img.rgb + 3 * q)]++;
            int lo = -1, hi = -1;
            for (int v = 0; v < 256; v++) {
                c += hist[v];
                if (lo < 0 && c > n / 100)
                    lo = v;
                if (hi < 0 && c >= n - n / 100)
                    hi = v;
            }
            printf("%s %dx%d levels %d..%d\n", argv[i], img.width, img.height, lo, hi);
            if (getenv("LEVELS_ONLY")) {
                image_free(&img);
                continue;
            }
        }
        image g = { 0 }, s = { 0 }, t = { 0 }, st = { 0 }, q = { 0 }, qt = { 0 };
        tone_tint tt = tone_default_tint();
        greyify(&img, &g);
        stretch(&g, &s, 0.01, 0.99);
        tone_apply(&g, &tt, &t, &e);
        tone_apply(&s, &tt, &st, &e);
        equalise(&img, &q);
        tone_apply(&q, &tt, &qt, &e);
        probe(r, pr, "as given", &img);
        probe(r, pr, "grey", &g);
        probe(r, pr, "stretched", &s);
        probe(r, pr, "toned", &t);
        probe(r, pr, "str+toned", &st);
        probe(r, pr, "equalised", &q);
        probe(r, pr, "eq+toned", &qt);
        image_free(&q), image_free(&qt);
        image_free(&img), image_free(&g), image_free(&s), image_free(&t), image_free(&st);
    }
    ssd_runner_free(r);
    ssd_free(sm);
    pipeline_runner_free(pr);
    pipeline_models_free(pm);
    return 0;
}
