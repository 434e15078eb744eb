/* pipeline.c — the vision stage for one image (pipeline.h): detection, then per
 * face the 68 landmarks, the descriptor and the attributes.
 *
 * Default mode, SSD (each choice measured, see ssd.h / the commit messages):
 *   0. a monochrome photo (tone.h) is also shown to the detector re-toned by
 *      a warm tint of its brightness, in the upright view and its tiles; that
 *      view only raises the scores of candidates the plain view already has
 *      (tint_confirm: never a new place, never a weak face), and the
 *      orientation search, tiling decision and canvas pass stay the plain
 *      view's (pipeline_options.mono);
 *   1. detection on the antialiased 512 input (prep_square_area) at
 *      min(min_score, PIPELINE_FALLBACK_SCORE), in the orientation orient.h's
 *      cascade chooses (upright unless the scan evidently lies turned);
 *   2. in the upright view, tiles for images longer than 1.25 tiles where
 *      small faces are likely (ssd_detect_tiled_after, PIPELINE_TILE px,
 *      PIPELINE_TILE_BELOW_PX), over the found faces' part of the image
 *      (PIPELINE_TILE_MARGIN);
 *   3. when no face scores above min_score: the padded-canvas pass
 *      (ssd_detect_canvas, scale 2, zero fill) keeping faces above
 *      min(min_score, PIPELINE_FALLBACK_SCORE), the per-face nets then running
 *      on the image padded with zeros around such a face, as the detector saw
 *      it; when the canvas shows nothing either, the upright faces above that
 *      lower score; either way only the best face unless some score above
 *      min_score (no photo with a confident face ever gets here, so group
 *      photos gain no false faces; tight crops and weak faces do get found);
 *   4. otherwise faces above min_score;
 *   5. per face: landmarks (face-api's crop), descriptor of dlib's aligned chip,
 *      age/gender and expression (face-api's alignedRect crop);
 *   6. boxes and points mapped back to the pixels of the image as given.
 * Default mode with the tiny detector: antialiased input only (no tiles,
 * canvas or rotation: those exist for SSD only), aligned chips.
 * Compat mode: face-api's chain, step for step. */
#include "vision/pipeline.h"

#include "core/clock.h"
#include "vision/agegender.h"
#include "vision/landmarks.h"
#include "vision/orient.h"
#include "vision/prep.h"
#include "vision/ssd.h"
#include "vision/tinydet.h"
#include "vision/tone.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The score that counts as "a face" when no face is confident (the and
 * faces-dev's measure: score >= 0.3). */
#define PIPELINE_FALLBACK_SCORE 0.3
#define PIPELINE_CANVAS_SCALE 2.0
/* ssd.h: 640 px tiles find 71 of 73 ground-truth faces at precision 1.000. */
#define PIPELINE_TILE 640
/* Tiles cost 7-16 more passes, and only find more faces where the whole-image
 * pass already shows small ones: measured on the 54 group and demo photos, every
 * image where tiles added a face (Solvay x2, EastEnd, SchoolDance, Bombay,
 * bald_guys, FatMenClub: smallest face 16-42 px at the 512 px input) or found
 * nothing (AthleticClubParis) is tiled by this rule, except 1860Girls (+1 face
 * beside faces of 75 px); the demo photos (smallest 57-73 px, no face added by
 * tiles) are not. */
#define PIPELINE_TILE_BELOW_PX 48.0
/* Tiles cover only the faces the whole-image pass found (score above
 * PIPELINE_FALLBACK_SCORE) and this many largest-face sides around them, or the
 * whole image when it found none: the small faces stand among the found ones.
 * Measured on the 11 tiled group and demo photos: 125 -> 87 passes, 71 of the
 * 73 ground-truth faces kept (70 with the whole image tiled); two photos keep
 * fewer of the tiles' extra faces (SchoolDance1956 9 of 11, Bombay1875 6 of 8);
 * a margin of 1 or 2 costs 91 or 101 passes for no more ground-truth faces. */
#define PIPELINE_TILE_MARGIN 0.5
/* Margin of the zero-padded image around a canvas face, in face sizes. */
#define PIPELINE_CANVAS_MARGIN 0.5

/* Bumped whenever a pipeline choice that changes results changes. */
#define PIPELINE_REVISION "p7"
#define PIPELINE_WEIGHTS "face-api-1.7.15"

pipeline_options pipeline_default_options(void)
{
    return (pipeline_options){ .detector = PIPELINE_SSD, .min_score = 0.5, .compat = false, .attributes = true };
}

/* The precision of default mode's SSD and per-face nets (landmarks,
 * recognizer, age/gender, expression; ssd_for, faces_for): bf16 where that
 * pays, never in compat mode nor when fp32 is asked for. In this order:
 * net_precision_best() itself asks oneDNN about the CPU. */
static net_precision precision_for(const pipeline_options *o)
{
    return !o->compat && !o->fp32 ? net_precision_best() : NET_FP32;
}

/* The SSD's precision in default mode: as the per-face nets', or int8 where
 * net_precision_detector() picks it (never in compat mode nor with fp32). */
static net_precision detector_precision_for(const pipeline_options *o)
{
    return !o->compat && !o->fp32 && o->detector == PIPELINE_SSD ? net_precision_detector() : precision_for(o);
}

const char *pipeline_model_version(const pipeline_options *opt)
{
    static _Thread_local char buf[128];
    pipeline_options o = opt ? *opt : pipeline_default_options();
    char score[24] = "";
    if (o.min_score != 0.5)
        snprintf(score, sizeof score, "-s%.3g", o.min_score);
    /* bf16 is one choice for every network of default mode: one suffix (an
     * earlier scheme marked each network, and left no room in the catalog's 96
     * bytes for four of them). */
    const char *bf16 = precision_for(&o) == NET_BF16 ? "/bf16" : detector_precision_for(&o) == NET_INT8 ? "/i8" : "";
    const char *attrs = o.attributes ? "+ag+ex" : "";
    /* Monochrome photos (pipeline_options.mono): the default, the tint
     * confirming the plain view's candidates, has no suffix; "-mt0" without the
     * tint, "-mt" re-toned for every pass; "c" after a tint other than
     * tone_default_tint(). */
    const char *tone = o.mono == PIPELINE_TINT_OFF   ? "-mt0"
                       : o.mono == PIPELINE_TINT_ALL ? (o.tint ? "-mtc" : "-mt")
                       : o.tint                      ? "-tc"
                                                     : "";
    if (o.compat)
        snprintf(buf, sizeof buf, "%s/%s%s+lm68+rec128%s/faceapi", PIPELINE_WEIGHTS,
                 o.detector == PIPELINE_TINY ? "tiny416" : "ssd512", score, attrs);
    else if (o.detector == PIPELINE_TINY)
        snprintf(buf, sizeof buf, "%s/tiny416aa%s+lm68+rec128al%s/%s%s", PIPELINE_WEIGHTS, score, attrs,
                 PIPELINE_REVISION, bf16);
    else
        snprintf(buf, sizeof buf, "%s/ssd512aa-t%d@%g+%g-c%g-r4m%s%s+lm68+rec128al%s/%s%s", PIPELINE_WEIGHTS,
                 PIPELINE_TILE, PIPELINE_TILE_BELOW_PX, PIPELINE_TILE_MARGIN, PIPELINE_CANVAS_SCALE, score, tone, attrs,
                 PIPELINE_REVISION, bf16);
    return buf;
}

/* ---- models and runners ------------------------------------------------- */

struct pipeline_models {
    ssd_model *ssd;
    net_precision precision; /* default mode's (precision_for); compat mode is always fp32 */
    net_precision detector;  /* default mode's SSD (detector_precision_for) */
    tinydet_model *tiny;
    landmarks_net *lm;
    recognizer_net *rec;
    agegender_net *ag;
    expression_net *ex;
};

/* One mode's per-face runners (faces_for); made on first use. */
typedef struct face_runners {
    bool made;
    landmarks_runner *lm;
    recognizer_runner *rec;
    agegender_runner *ag; /* NULL without attributes */
    expression_runner *ex;
} face_runners;

struct pipeline_runner {
    pipeline_models *m;
    nn_threads *threads;
    ssd_runner *ssd[NET_PRECISIONS]; /* per precision: fp32 (XNNPACK) for compat mode, default mode's */
    tinydet_runner *tiny;
    face_runners faces[NET_PRECISIONS]; /* per precision, as ssd */
    pipeline_timing timing;
};

pipeline_timing pipeline_runner_timing(const pipeline_runner *r)
{
    return r->timing;
}

pipeline_models *pipeline_models_load(const char *models_dir, const pipeline_options *opt, err *e)
{
    pipeline_options o = opt ? *opt : pipeline_default_options();
    pipeline_models *m = calloc(1, sizeof *m);
    if (!m) {
        err_set(e, ERR_NOMEM, "pipeline: out of memory");
        return NULL;
    }
    int rc = 0;
    if (o.detector == PIPELINE_TINY)
        rc = (m->tiny = tinydet_load(models_dir, e)) ? 0 : -1;
    else if (o.detector == PIPELINE_SSD)
        rc = (m->ssd = ssd_load(models_dir, e)) ? 0 : -1;
    m->precision = precision_for(&o);
    m->detector = detector_precision_for(&o);
    if (rc == 0)
        rc = landmarks_net_load(models_dir, false, &m->lm, e);
    if (rc == 0)
        rc = recognizer_net_load(models_dir, &m->rec, e);
    if (rc == 0 && o.attributes)
        rc = agegender_net_load(models_dir, &m->ag, e);
    if (rc == 0 && o.attributes)
        rc = expression_net_load(models_dir, &m->ex, e);
    if (rc != 0) {
        pipeline_models_free(m);
        return NULL;
    }
    return m;
}

void pipeline_models_free(pipeline_models *m)
{
    if (!m)
        return;
    ssd_free(m->ssd);
    tinydet_free(m->tiny);
    landmarks_net_free(m->lm);
    recognizer_net_free(m->rec);
    agegender_net_free(m->ag);
    expression_net_free(m->ex);
    free(m);
}

/* The SSD runner for a mode: default mode runs bf16 where that pays
 * (net_precision_best: 2.4-4x less CPU per pass, boxes and scores within rounding
 * of fp32), compat mode always fp32 — face-api's numbers exactly. */
static ssd_runner *ssd_for(pipeline_runner *r, bool compat, err *e)
{
    const net_precision p = compat ? NET_FP32 : r->m->detector;
    if (!r->ssd[p])
        r->ssd[p] = ssd_runner_new(r->m->ssd, r->threads, p, e);
    return r->ssd[p];
}

static void face_runners_free(face_runners *f)
{
    landmarks_runner_free(f->lm);
    recognizer_runner_free(f->rec);
    agegender_runner_free(f->ag);
    expression_runner_free(f->ex);
    memset(f, 0, sizeof *f);
}

/* The per-face runners for a mode, as ssd_for: default mode bf16 where that
 * pays (bench_facenets, all four nets, two workers on a Zen 5 EPYC: 329 faces/s
 * against 240 with only the recognizer bf16, medians of 5; each net alone takes
 * 1.8-1.9x less time; test_recognizer_bf16: descriptors within 0.01 of fp32;
 * test_attributes_bf16: points within 0.2 px of the 112 input, ages within
 * 0.25 years), compat mode always fp32. NULL with e set on failure. */
static face_runners *faces_for(pipeline_runner *r, bool compat, err *e)
{
    const net_precision p = compat ? NET_FP32 : r->m->precision;
    face_runners *f = &r->faces[p];
    if (f->made)
        return f;
    const pipeline_models *m = r->m;
    int rc = landmarks_runner_new(m->lm, r->threads, p, &f->lm, e);
    if (rc == 0)
        rc = recognizer_runner_new(m->rec, r->threads, p, &f->rec, e);
    if (rc == 0 && m->ag)
        rc = agegender_runner_new(m->ag, r->threads, p, &f->ag, e);
    if (rc == 0 && m->ex)
        rc = expression_runner_new(m->ex, r->threads, p, &f->ex, e);
    if (rc != 0) {
        face_runners_free(f);
        return NULL;
    }
    f->made = true;
    return f;
}

pipeline_runner *pipeline_runner_new(pipeline_models *m, nn_threads *threads, err *e)
{
    pipeline_runner *r = calloc(1, sizeof *r);
    if (!r) {
        err_set(e, ERR_NOMEM, "pipeline: out of memory");
        return NULL;
    }
    r->m = m;
    r->threads = threads;
    int rc = 0;
    /* The SSD and per-face runners of default mode now (bf16 ones where the
     * models were loaded for it), so that their errors show here; compat's on first use. */
    if (m->ssd)
        rc = ssd_for(r, false, e) ? 0 : -1;
    if (rc == 0 && m->tiny)
        rc = (r->tiny = tinydet_runner_new(m->tiny, TINYDET_DEFAULT_SIZE, threads, e)) ? 0 : -1;
    if (rc == 0)
        rc = faces_for(r, false, e) ? 0 : -1;
    if (rc != 0) {
        pipeline_runner_free(r);
        return NULL;
    }
    return r;
}

void pipeline_runner_free(pipeline_runner *r)
{
    if (!r)
        return;
    for (int p = 0; p < NET_PRECISIONS; p++)
        ssd_runner_free(r->ssd[p]);
    tinydet_runner_free(r->tiny);
    for (int p = 0; p < NET_PRECISIONS; p++)
        face_runners_free(&r->faces[p]);
    free(r);
}

void pipeline_result_free(pipeline_result *res)
{
    if (!res)
        return;
    free(res->faces);
    res->faces = NULL;
    res->n = 0;
}

/* ---- geometry ------------------------------------------------------------ */

/* A point of the image rotated clockwise by deg back in the pixels of the
 * original w x h image (prep_rotate's mapping, continuous coordinates). */
static pointd unrotate_point(pointd p, int deg, int w, int h)
{
    switch (deg) {
    case 90:
        return (pointd){ p.y, h - p.x };
    case 180:
        return (pointd){ w - p.x, h - p.y };
    case 270:
        return (pointd){ w - p.y, p.x };
    default:
        return p;
    }
}

static rectd unrotate_box(rectd b, int deg, int w, int h)
{
    switch (deg) {
    case 90:
        return (rectd){ b.y, h - b.x - b.w, b.h, b.w };
    case 180:
        return (rectd){ w - b.x - b.w, h - b.y - b.h, b.w, b.h };
    case 270:
        return (rectd){ w - b.y - b.h, b.x, b.h, b.w };
    default:
        return b;
    }
}

static void face_unrotate(pipeline_face *f, int deg, int w, int h)
{
    if (deg == 0)
        return;
    f->box = unrotate_box(f->box, deg, w, h);
    for (int i = 0; i < CROPS_NPOINTS; i++)
        f->points68[i] = unrotate_point(f->points68[i], deg, w, h);
    landmarks_five(f->points68, f->five);
}

static void face_shift(pipeline_face *f, double dx, double dy)
{
    f->box.x += dx;
    f->box.y += dy;
    for (int i = 0; i < CROPS_NPOINTS; i++)
        f->points68[i].x += dx, f->points68[i].y += dy;
    for (int i = 0; i < 5; i++)
        f->five[i].x += dx, f->five[i].y += dy;
}

/* img placed at (offx, offy) on a zero w x h image. */
static int image_pad(const image *img, int w, int h, int offx, int offy, image *out, err *e)
{
    out->width = w;
    out->height = h;
    out->rgb = calloc((size_t)w * h, 3);
    if (!out->rgb)
        return err_set(e, ERR_NOMEM, "pipeline: out of memory for a %dx%d padded image", w, h);
    for (int y = 0; y < img->height; y++)
        memcpy(out->rgb + ((size_t)(y + offy) * w + offx) * 3, img->rgb + (size_t)y * img->width * 3,
               (size_t)img->width * 3);
    return 0;
}

/* ---- per face ---------------------------------------------------------- */

/* Landmarks, descriptor and attributes of one detection box in img's pixels.
 * Returns 1 when done, 0 when face-api would skip the face (its crop is empty),
 * <0 on error. */
static int describe(pipeline_runner *r, const image *img, rectd box, double score, const pipeline_options *o,
                    pipeline_face *f, err *e)
{
    memset(f, 0, sizeof *f);
    f->box = box;
    f->score = score;
    crop_rect lmcrop;
    if (!crops_clip(crops_detection_for_size(box, img->width, img->height), img->width, img->height, &lmcrop))
        return 0;
    face_runners *fr = faces_for(r, o->compat, e);
    if (!fr)
        return e ? e->code : ERR_INTERNAL;
    double t0 = clock_now_ms();
    int rc = landmarks_detect(fr->lm, img, box, f->points68, &lmcrop, e);
    double t1 = clock_now_ms();
    r->timing.landmarks_ms += t1 - t0;
    if (rc)
        return rc;
    landmarks_five(f->points68, f->five);
    if (o->compat)
        rc = recognizer_describe(fr->rec, img, f->points68, lmcrop, f->embedding, NULL, e);
    else
        rc = recognizer_describe_aligned(fr->rec, img, f->points68, f->embedding, e);
    double t2 = clock_now_ms();
    r->timing.descriptor_ms += t2 - t1;
    if (rc)
        return rc;
    crop_rect acrop;
    if (o->attributes && fr->ag && fr->ex && crops_attributes_crop(f->points68, img->width, img->height, &acrop)) {
        agegender_result ag;
        if ((rc = agegender_predict_crop(fr->ag, img, acrop, &ag, e)) != 0)
            return rc;
        if ((rc = expression_predict_crop(fr->ex, img, acrop, f->expressions, e)) != 0)
            return rc;
        f->has_attributes = true;
        f->age = ag.age;
        f->male = ag.male;
        f->gender_probability = ag.gender_probability;
    }
    r->timing.attributes_ms += clock_now_ms() - t2;
    r->timing.faces++;
    return 1;
}

static int result_push(pipeline_result *out, size_t *cap, const pipeline_face *f, err *e)
{
    if (out->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        pipeline_face *nf = realloc(out->faces, ncap * sizeof *nf);
        if (!nf)
            return err_set(e, ERR_NOMEM, "pipeline: out of memory for %zu faces", ncap);
        out->faces = nf;
        *cap = ncap;
    }
    out->faces[out->n++] = *f;
    return 0;
}

/* Describes every detection of img with score > min_score, appending to out. */
static int describe_all(pipeline_runner *r, const image *img, const det_list *d, double min_score,
                        const pipeline_options *o, pipeline_result *out, size_t *cap, err *e)
{
    for (size_t i = 0; i < d->n; i++) {
        if (!(d->faces[i].score > min_score))
            continue;
        pipeline_face f;
        int rc = describe(r, img, d->faces[i].box, d->faces[i].score, o, &f, e);
        if (rc < 0)
            return rc;
        if (rc == 1 && (rc = result_push(out, cap, &f, e)) != 0)
            return rc;
    }
    return 0;
}

/* Canvas faces: the per-face nets run on the image padded with zeros around the
 * faces (as the detector saw them on its canvas), then the faces move back. */
static int describe_canvas(pipeline_runner *r, const image *img, const det_list *d, double min_score,
                           const pipeline_options *o, pipeline_result *out, size_t *cap, err *e)
{
    double x0 = 0, y0 = 0, x1 = img->width, y1 = img->height;
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (!(d->faces[i].score > min_score))
            continue;
        rectd b = d->faces[i].box;
        double m = PIPELINE_CANVAS_MARGIN * fmax(b.w, b.h);
        x0 = fmin(x0, b.x - m), y0 = fmin(y0, b.y - m);
        x1 = fmax(x1, b.x + b.w + m), y1 = fmax(y1, b.y + b.h + m);
        n++;
    }
    if (n == 0)
        return 0;
    /* Never beyond the detector's own canvas. */
    int longest = img->width > img->height ? img->width : img->height;
    double side = ceil(longest * PIPELINE_CANVAS_SCALE);
    double cx0 = -floor((side - img->width) / 2), cy0 = -floor((side - img->height) / 2);
    x0 = fmax(x0, cx0), y0 = fmax(y0, cy0);
    x1 = fmin(x1, cx0 + side), y1 = fmin(y1, cy0 + side);
    int offx = (int)ceil(-x0), offy = (int)ceil(-y0);
    int w = offx + (int)ceil(x1), h = offy + (int)ceil(y1);
    if (w < img->width + offx)
        w = img->width + offx;
    if (h < img->height + offy)
        h = img->height + offy;
    image padded;
    int rc = image_pad(img, w, h, offx, offy, &padded, e);
    if (rc)
        return rc;
    det_list shifted = { 0 };
    for (size_t i = 0; i < d->n && rc == 0; i++) {
        det_face f = d->faces[i];
        f.box.x += offx, f.box.y += offy;
        rc = det_list_push(&shifted, f, e);
    }
    size_t first = out->n;
    if (rc == 0)
        rc = describe_all(r, &padded, &shifted, min_score, o, out, cap, e);
    for (size_t i = first; rc == 0 && i < out->n; i++)
        face_shift(&out->faces[i], -offx, -offy);
    det_list_free(&shifted);
    image_free(&padded);
    return rc;
}

/* Whether small faces are likely: nothing above min_score, or the smallest face
 * found is below PIPELINE_TILE_BELOW_PX at the detector's 512 px input. */
static bool small_faces_likely(const det_list *d, double min_score, int longest)
{
    double smallest = INFINITY;
    for (size_t i = 0; i < d->n; i++)
        if (d->faces[i].score > min_score)
            smallest = fmin(smallest, fmax(d->faces[i].box.w, d->faces[i].box.h));
    return smallest * SSD_INPUT_SIZE / longest < PIPELINE_TILE_BELOW_PX;
}

/* The part of the image the tiles cover (PIPELINE_TILE_MARGIN); all of it
 * (w = 0) when there are no faces above `low`. */
static prep_rect tile_area(const det_list *d, double low)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, side = 0;
    for (size_t i = 0; i < d->n; i++) {
        rectd b = d->faces[i].box;
        if (!(d->faces[i].score > low))
            continue;
        x0 = fmin(x0, b.x), y0 = fmin(y0, b.y);
        x1 = fmax(x1, b.x + b.w), y1 = fmax(y1, b.y + b.h);
        side = fmax(side, fmax(b.w, b.h));
    }
    if (!(side > 0))
        return (prep_rect){ 0, 0, 0, 0 };
    double m = PIPELINE_TILE_MARGIN * side;
    int ax = (int)floor(x0 - m), ay = (int)floor(y0 - m);
    return (prep_rect){ ax, ay, (int)ceil(x1 + m) - ax, (int)ceil(y1 + m) - ay };
}

static bool any_above(const det_list *d, double s)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->faces[i].score > s)
            return true;
    return false;
}

/* A fallback pass (nothing confident upright) keeps its faces above min_score,
 * or when there are none only its best face: the image most likely shows one
 * face that fills the frame, and the weaker boxes around it are mostly parts of
 * it or background (faces-dev sample: 2-3 boxes on 3 of 143 tight crops). */
static void keep_confident_or_best(det_list *d, double min_score)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->faces[i].score > min_score)
            d->faces[n++] = d->faces[i];
    if (n == 0 && d->n > 0) {
        size_t best = 0;
        for (size_t i = 1; i < d->n; i++)
            if (d->faces[i].score > d->faces[best].score)
                best = i;
        d->faces[n++] = d->faces[best];
    }
    d->n = n;
}

/* PIPELINE_TINT_CONFIRM (monochrome photos, the default): the plain view's
 * candidates down to this score (the level at which test_vision_groups calls
 * a place faceless) may take the score of the re-toned view's detection at
 * the same place (IoU >= PIPELINE_TINT_IOU) when that is a face (above
 * min_score) and logit(re-toned) + PIPELINE_TINT_PLAIN_WEIGHT * logit(plain)
 * > 0: the less the plain view sees a face there, the surer the re-toned view
 * must be (plain 0.3: re-toned above 0.60; 0.1: above 0.75; 0.05: above
 * 0.81). Measured (docs/decisions/2026-12-07-monochrome-detector-tint.md):
 * the four faceless squares of group photos the re-toned view alone scored
 * 0.55-0.77 had plain scores of 0.06-0.13 and stay faceless; a weight of 0.4
 * lets one in, 0.5 keeps 98 of the 114 raises bench_sheet's frames saw. */
#define PIPELINE_TINT_FLOOR 0.05
#define PIPELINE_TINT_PLAIN_WEIGHT 0.5
#define PIPELINE_TINT_IOU 0.5

static double logit(double p)
{
    p = fmin(fmax(p, 1e-6), 1 - 1e-6);
    return log(p / (1 - p));
}

/* out = the plain view's candidates (plain), each taking the score of the
 * re-toned view's best match (each used once) where the rule above lets it,
 * and keeping its own box: a face the plain view finds keeps the box,
 * landmarks and descriptor it has without the tint; highest score first. The re-toned view never adds a place the plain
 * view has no candidate at, nor raises a candidate to a weak face (0.3-0.5):
 * the tint makes plain surfaces look like skin. */
static int tint_confirm(const det_list *plain, const det_list *toned, double min_score, det_list *out, err *e)
{
    *out = (det_list){ 0 };
    bool *used = calloc(toned->n + 1, sizeof *used);
    if (!used)
        return err_set(e, ERR_NOMEM, "pipeline: out of memory");
    int rc = 0;
    for (size_t i = 0; i < plain->n && rc == 0; i++) {
        det_face f = plain->faces[i];
        double best = PIPELINE_TINT_IOU;
        size_t bj = toned->n;
        for (size_t j = 0; j < toned->n; j++) {
            double v = det_box_iou(f.box, toned->faces[j].box);
            if (!used[j] && v >= best)
                best = v, bj = j;
        }
        const double t = bj < toned->n ? toned->faces[bj].score : 0;
        if (t > f.score && t > min_score && logit(t) + PIPELINE_TINT_PLAIN_WEIGHT * logit(f.score) > 0) {
            used[bj] = true;
            f.score = t;
        }
        rc = det_list_push(out, f, e);
    }
    free(used);
    if (rc == 0 && out->n > 1)
        qsort(out->faces, out->n, sizeof *out->faces, det_face_cmp_score);
    return rc;
}

/* ---- the stage --------------------------------------------------------- */

static int check_ready(pipeline_runner *r, const image *img, const pipeline_options *o, err *e)
{
    if (!img || !img->rgb || img->width < 1 || img->height < 1)
        return err_set(e, ERR_INVALID, "pipeline: empty image");
    if (o->detector == PIPELINE_NO_DETECTOR)
        return err_set(e, ERR_INVALID, "pipeline: no detector chosen (PIPELINE_NO_DETECTOR only describes boxes)");
    if (o->detector == PIPELINE_TINY ? !r->tiny : !r->m->ssd)
        return err_set(e, ERR_INVALID, "pipeline: the %s detector was not loaded",
                       o->detector == PIPELINE_TINY ? "tiny" : "SSD");
    if (o->attributes && (!r->m->ag || !r->m->ex))
        return err_set(e, ERR_INVALID,
                       "pipeline: attributes asked for but the age/gender and expression "
                       "networks were not loaded");
    return 0;
}

static int run_compat(pipeline_runner *r, const image *img, const pipeline_options *o, pipeline_result *out,
                      size_t *cap, err *e)
{
    det_list d = { 0 };
    int rc;
    if (o->detector == PIPELINE_TINY) {
        tinydet_options to = tinydet_default_options();
        to.min_score = o->min_score;
        rc = tinydet_detect(r->tiny, img, &to, &d, e);
    } else {
        ssd_options so = ssd_default_options();
        so.min_score = o->min_score;
        ssd_runner *ssd = ssd_for(r, true, e);
        rc = ssd ? ssd_detect(ssd, img, &so, &d, e) : e->code;
    }
    if (rc == 0)
        rc = describe_all(r, img, &d, o->min_score, o, out, cap, e);
    det_list_free(&d);
    return rc;
}

static int run_default(pipeline_runner *r, const image *img, const pipeline_options *o, pipeline_result *out,
                       size_t *cap, err *e)
{
    if (o->detector == PIPELINE_TINY) {
        tinydet_options to = tinydet_default_options();
        to.min_score = o->min_score;
        to.antialias = 1;
        det_list d = { 0 };
        int rc = tinydet_detect(r->tiny, img, &to, &d, e);
        if (rc == 0)
            rc = describe_all(r, img, &d, o->min_score, o, out, cap, e);
        det_list_free(&d);
        return rc;
    }
    const double low = fmin(o->min_score, PIPELINE_FALLBACK_SCORE);
    /* The detector's view of a monochrome photo (tone.h): with PIPELINE_TINT_ALL
     * every pass sees it re-toned (toned); with PIPELINE_TINT_CONFIRM the plain
     * passes run as for any photo and the re-toned view only raises the scores
     * of the plain view's candidates (tint_confirm). The per-face nets read
     * img's own pixels either way. */
    const bool mono = o->mono != PIPELINE_TINT_OFF && tone_is_monochrome(img);
    const bool confirm = mono && o->mono == PIPELINE_TINT_CONFIRM;
    image toned = { 0 };
    if (mono) {
        const tone_tint t = o->tint ? *o->tint : tone_default_tint();
        int trc = tone_apply(img, &t, &toned, e);
        if (trc)
            return trc;
    }
    const image *dimg = mono && !confirm ? &toned : img;
    ssd_options so = ssd_default_options();
    so.min_score = confirm ? fmin(low, PIPELINE_TINT_FLOOR) : low;
    so.antialias = 1;
    det_list d = { 0 }, dt = { 0 };
    int deg = 0;
    ssd_runner *ssd = ssd_for(r, false, e);
    if (!ssd) {
        image_free(&toned);
        return e->code;
    }
    size_t p0 = ssd_runner_passes(ssd);
    int rc = orient_detect(ssd, dimg, &so, &deg, &d, e);
    size_t p1 = ssd_runner_passes(ssd);
    r->timing.passes_orient += p1 - p0 - (p1 > p0);
    /* up: the upright photo for the per-face nets; dup: the detector's view of
     * it; tup: the re-toned view (confirm only). */
    image rotated = { 0 }, drotated = { 0 };
    const image *up = img, *dup = dimg, *tup = confirm ? &toned : NULL;
    if (rc == 0 && deg != 0) {
        rc = prep_rotate(img, deg, &rotated, e);
        up = dup = &rotated;
        if (rc == 0 && mono) {
            rc = prep_rotate(&toned, deg, &drotated, e);
            if (confirm)
                tup = &drotated;
            else
                dup = &drotated;
        }
    }
    ssd_options st = so;
    st.min_score = low;
    if (rc == 0 && tup) {
        size_t pt = ssd_runner_passes(ssd);
        rc = ssd_detect(ssd, tup, &st, &dt, e);
        r->timing.passes_tint += ssd_runner_passes(ssd) - pt;
    }
    ssd_tiling tiling = ssd_default_tiling();
    tiling.tile = PIPELINE_TILE;
    int longest = up->width > up->height ? up->width : up->height;
    /* Tiles where and when the plain view asks for them, so that the tint
     * never takes a face the plain view finds away. */
    if (rc == 0 && longest > PIPELINE_TILE * 5 / 4 && small_faces_likely(&d, o->min_score, longest)) {
        det_list whole = d;
        d = (det_list){ 0 };
        tiling.area = tile_area(&whole, low);
        size_t pt = ssd_runner_passes(ssd);
        rc = ssd_detect_tiled_after(ssd, dup, &so, &tiling, &whole, &d, e);
        det_list_free(&whole);
        r->timing.passes_tiles += ssd_runner_passes(ssd) - pt;
        if (rc == 0 && tup) {
            /* the same tiles over the re-toned view */
            det_list twhole = dt;
            dt = (det_list){ 0 };
            pt = ssd_runner_passes(ssd);
            rc = ssd_detect_tiled_after(ssd, tup, &st, &tiling, &twhole, &dt, e);
            det_list_free(&twhole);
            r->timing.passes_tint += ssd_runner_passes(ssd) - pt;
        }
    }
    /* Whether the plain view alone finds a face decides the canvas pass, as
     * without the tint: a candidate the tint raises is often the plain view's
     * poorly placed box of a face that fills the frame (ORL's 92x112 scans:
     * the whole photo at 0.09, raised to 0.80), which the canvas finds well
     * placed (0.998). */
    const bool plain_face = any_above(&d, o->min_score);
    if (rc == 0 && tup) {
        det_list scored = { 0 };
        rc = tint_confirm(&d, &dt, o->min_score, &scored, e);
        det_list_free(&d);
        d = scored;
    }
    size_t first = out->n;
    if (rc == 0 && !plain_face) {
        /* No confident face in the plain view: the padded canvas, unless the
         * faces the tint raised are the more confident (ssd_confidence: a
         * frame's several grey faces against one the canvas finds); failing
         * both, the canvas's or the plain view's weak faces. A monochrome
         * photo's canvas is confirmed as its upright pass is: the plain
         * canvas's candidates down to the floor, raised by the re-toned canvas
         * (tint_confirm). */
        det_list c = { 0 };
        const float zero[3] = { 0, 0, 0 };
        size_t p2 = ssd_runner_passes(ssd);
        rc = ssd_detect_canvas(ssd, dup, tup ? &so : &st, PIPELINE_CANVAS_SCALE, zero, &c, e);
        r->timing.passes_canvas += ssd_runner_passes(ssd) - p2;
        if (rc == 0 && tup) {
            det_list ct = { 0 }, cs = { 0 };
            p2 = ssd_runner_passes(ssd);
            rc = ssd_detect_canvas(ssd, tup, &st, PIPELINE_CANVAS_SCALE, zero, &ct, e);
            r->timing.passes_tint += ssd_runner_passes(ssd) - p2;
            if (rc == 0)
                rc = tint_confirm(&c, &ct, o->min_score, &cs, e);
            det_list_free(&ct);
            det_list_free(&c);
            c = cs;
        }
        const bool raised = any_above(&d, o->min_score);
        if (rc == 0 && (raised ? any_above(&c, o->min_score) && ssd_confidence(&c, 0) > ssd_confidence(&d, 0)
                               : any_above(&c, low))) {
            keep_confident_or_best(&c, o->min_score);
            rc = describe_canvas(r, up, &c, low, o, out, cap, e);
        } else if (rc == 0 && raised) {
            rc = describe_all(r, up, &d, o->min_score, o, out, cap, e);
        } else if (rc == 0) {
            keep_confident_or_best(&d, o->min_score);
            rc = describe_all(r, up, &d, low, o, out, cap, e);
        }
        det_list_free(&c);
    } else if (rc == 0) {
        rc = describe_all(r, up, &d, o->min_score, o, out, cap, e);
    }
    for (size_t i = first; rc == 0 && i < out->n; i++)
        face_unrotate(&out->faces[i], deg, img->width, img->height);
    out->rotation = deg;
    det_list_free(&d);
    det_list_free(&dt);
    image_free(&rotated);
    image_free(&drotated);
    image_free(&toned);
    return rc;
}

int pipeline_run(pipeline_runner *r, const image *img, const pipeline_options *opt, pipeline_result *out, err *e)
{
    pipeline_options o = opt ? *opt : pipeline_default_options();
    memset(out, 0, sizeof *out);
    int rc = check_ready(r, img, &o, e);
    if (rc)
        return rc;
    size_t cap = 0;
    pipeline_timing before = r->timing;
    double t0 = clock_now_ms();
    const int turn = o.compat || o.detector != PIPELINE_SSD ? 0 : ((o.turn % 360) + 360) % 360;
    if (turn % 90)
        return err_set(e, ERR_INVALID, "pipeline: turn %d is not a multiple of 90 degrees", o.turn);
    if (o.compat) {
        rc = run_compat(r, img, &o, out, &cap, e);
    } else if (turn == 0) {
        rc = run_default(r, img, &o, out, &cap, e);
    } else {
        /* the turned view, as though it had been given; the faces move back */
        image turned = { 0 };
        rc = prep_rotate(img, turn, &turned, e);
        if (rc == 0)
            rc = run_default(r, &turned, &o, out, &cap, e);
        for (size_t i = 0; rc == 0 && i < out->n; i++)
            face_unrotate(&out->faces[i], turn, img->width, img->height);
        out->rotation = (out->rotation + turn) % 360;
        image_free(&turned);
    }
    /* Detection is the rest: the detector passes, rotation, canvas, mapping. */
    r->timing.detect_ms += clock_now_ms() - t0 - (r->timing.landmarks_ms - before.landmarks_ms) -
                           (r->timing.descriptor_ms - before.descriptor_ms) -
                           (r->timing.attributes_ms - before.attributes_ms);
    r->timing.images++;
    r->timing.detector_passes = 0;
    for (int p = 0; p < NET_PRECISIONS; p++)
        r->timing.detector_passes += ssd_runner_passes(r->ssd[p]);
    if (rc)
        pipeline_result_free(out);
    return rc;
}

int pipeline_describe_box(pipeline_runner *r, const image *img, rectd box, const pipeline_options *opt,
                          pipeline_face *out, err *e)
{
    pipeline_options o = opt ? *opt : pipeline_default_options();
    if (!img || !img->rgb || img->width < 1 || img->height < 1)
        return err_set(e, ERR_INVALID, "pipeline: empty image");
    if (o.attributes && (!r->m->ag || !r->m->ex))
        o.attributes = false; /* described without attributes rather than refused */
    if (!(isfinite(box.x) && isfinite(box.y) && isfinite(box.w) && isfinite(box.h)) || box.w < 8 || box.h < 8)
        return err_set(e, ERR_INVALID, "pipeline: box %.1fx%.1f is smaller than 8 px", box.w, box.h);
    if (box.x >= img->width || box.y >= img->height || box.x + box.w <= 0 || box.y + box.h <= 0)
        return err_set(e, ERR_INVALID, "pipeline: box (%.1f,%.1f %.1fx%.1f) does not overlap the %dx%d image", box.x,
                       box.y, box.w, box.h, img->width, img->height);
    int rc = describe(r, img, box, 1.0, &o, out, e);
    if (rc == 0)
        return err_set(e, ERR_INVALID, "pipeline: box (%.1f,%.1f %.1fx%.1f) gives an empty crop of the %dx%d image",
                       box.x, box.y, box.w, box.h, img->width, img->height);
    return rc < 0 ? rc : 0;
}
