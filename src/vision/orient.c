/* orient.c — the orientation cascade of orient.h.
 *
 * Measured on the 6 demo and 48 group photos, each also turned by 90, 180 and
 * 270 degrees (tests/unit/test_vision_groups.c; the numbers below are those of
 * the commit that introduced this file):
 *   - no turned view shows two faces above 0.98, while 17 of the 54 upright
 *     photos do (step 1 ends there);
 *   - in the mosaic, the upright view of every upright photo is the most
 *     confident view, or no view shows a face (9 photos, all with faces under
 *     ~40 px at the 512 px input: too small for 256 px);
 *   - a turned view can be confident (upside-down groups: 2008_007676 turned by
 *     180 degrees scores 14.7, bald_guys 50.0), so a view the mosaic prefers is
 *     confirmed at 512 px against the upright pass before it is kept;
 *   - when the mosaic is empty, an upright pass scoring >= ORIENT_CLEAR (about
 *     three faces at 0.95) is kept: the turned views of such photos score at
 *     most 2.5, upright photos with an empty mosaic 0-25.9. Below it the three
 *     turned views are searched at 512 px, as before this cascade;
 *   - step 3 (the mosaic of the faces' part, issue 17): of the 6 upright group
 *     photos that reached the full search, 4 (1908FamilyPhoto, 1920sDancing,
 *     WWIIPeeps, airmen1943) are decided there in 2 passes instead of 4; one
 *     (TheatreGroupBombay) shows nothing there either and pays one pass more;
 *     one (AthleticClubParis, no face above 0.5) searches as before. Group
 *     photos 2.77 -> 2.62 passes per photo, the same 275 faces; turned copies
 *     (FACETAG_GROUPS_FULL=1, AVX2 emulated) 141 of 144 restored: the 3
 *     misses are AthleticClubParis' copies, which the cascade before this
 *     step misses the same way in fp32 (its upright pass finds 1 face there,
 *     4 in bf16, where both restore every view). */
#include "vision/orient.h"

#include "vision/prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ORIENT_UPRIGHT_FACES 2
#define ORIENT_UPRIGHT_SCORE 0.98
#define ORIENT_CLEAR 8.0
#define ORIENT_VIEW (SSD_INPUT_SIZE / 2)
#define ORIENT_AREA_MARGIN 1.0
#define ORIENT_AREA_SHARE 0.75
/* ... over the upright pass's faces above this score only (the default's
 * threshold there): a caller that asks for weaker candidates too (pipeline.c,
 * for its monochrome photos) gets the same area. */
#define ORIENT_AREA_MIN_SCORE 0.3

/* dst (side x side, RGB floats) = src turned clockwise by 90*k degrees. */
static void square_turn(const float *src, int side, int k, float *dst, int dst_stride)
{
    for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++) {
            int sx = x, sy = y;
            switch (k) {
            case 1:
                sx = y, sy = side - 1 - x;
                break;
            case 2:
                sx = side - 1 - x, sy = side - 1 - y;
                break;
            case 3:
                sx = side - 1 - y, sy = x;
                break;
            default:
                break;
            }
            memcpy(dst + ((size_t)y * dst_stride + x) * 3, src + ((size_t)sy * side + sx) * 3, 3 * sizeof(float));
        }
}

int orient_mosaic(ssd_runner *r, const image *img, double conf[4], err *e)
{
    return orient_mosaic_area(r, img, (prep_rect){ 0, 0, img->width, img->height }, conf, e);
}

int orient_mosaic_area(ssd_runner *r, const image *img, prep_rect area, double conf[4], err *e)
{
    const int s = SSD_INPUT_SIZE, v = ORIENT_VIEW;
    float *in = calloc((size_t)s * s * 3, sizeof(float));
    float *view = malloc((size_t)v * v * 3 * sizeof(float));
    float *boxes = malloc((size_t)SSD_NUM_ANCHORS * 5 * sizeof(float));
    int rc = 0;
    if (!in || !view || !boxes)
        rc = err_set(e, ERR_NOMEM, "orientation: out of memory for the mosaic");
    if (rc == 0)
        rc = prep_square_area(img, area, PREP_PAD_END, v, view, e);
    for (int k = 0; rc == 0 && k < 4; k++)
        square_turn(view, v, k, in + ((size_t)(k >> 1) * v * s + (size_t)(k & 1) * v) * 3, s);
    float *scores = boxes ? boxes + (size_t)SSD_NUM_ANCHORS * 4 : NULL;
    if (rc == 0)
        rc = ssd_infer(r, in, boxes, scores, e);
    det_list d = { 0 };
    ssd_options o = ssd_default_options();
    if (rc == 0)
        rc = ssd_postprocess(boxes, scores, s, s, &o, &d, e);
    for (int k = 0; k < 4; k++)
        conf[k] = 0;
    for (size_t i = 0; rc == 0 && i < d.n; i++) {
        const rectd *b = &d.faces[i].box;
        int k = (b->x + b->w / 2 >= v) + 2 * (b->y + b->h / 2 >= v);
        det_list one = { .faces = &d.faces[i], .n = 1 };
        conf[k] += ssd_confidence(&one, 0);
    }
    det_list_free(&d);
    free(in);
    free(view);
    free(boxes);
    return rc;
}

/* Detection in img turned by deg; *conf its ssd_confidence. */
static int detect_turned(ssd_runner *r, const image *img, int deg, const ssd_options *opt, det_list *out, double *conf,
                         err *e)
{
    image rot = { 0 };
    int rc = prep_rotate(img, deg, &rot, e);
    if (rc == 0)
        rc = ssd_detect(r, &rot, opt, out, e);
    *conf = rc == 0 ? ssd_confidence(out, 0) : 0;
    image_free(&rot);
    return rc;
}

/* Replaces out by l when l is more confident (upright and earlier views win ties). */
static int keep_if_better(det_list *out, double *best, int *degrees, det_list *l, double c, int deg, err *e)
{
    if (!(c > *best))
        return 0;
    *best = c;
    *degrees = deg;
    out->n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (det_list_push(out, l->faces[i], e) != 0)
            return e ? e->code : ERR_NOMEM;
    return 0;
}

/* The part of img where the upright pass found faces (out, above
 * ORIENT_AREA_MIN_SCORE),
 * ORIENT_AREA_MARGIN largest-face sides around them, clipped to img; w = 0 when
 * there are none or the part is not clearly smaller than img (its longer side
 * above ORIENT_AREA_SHARE of img's): a mosaic of it would show nothing the
 * whole image's did not. */
static prep_rect face_area(const image *img, const det_list *out)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY, side = 0;
    for (size_t i = 0; i < out->n; i++) {
        rectd b = out->faces[i].box;
        if (!(out->faces[i].score > ORIENT_AREA_MIN_SCORE))
            continue;
        x0 = fmin(x0, b.x), y0 = fmin(y0, b.y);
        x1 = fmax(x1, b.x + b.w), y1 = fmax(y1, b.y + b.h);
        side = fmax(side, fmax(b.w, b.h));
    }
    if (!(side > 0))
        return (prep_rect){ 0, 0, 0, 0 };
    double m = ORIENT_AREA_MARGIN * side;
    int ax = (int)fmax(0, floor(x0 - m)), ay = (int)fmax(0, floor(y0 - m));
    int bx = (int)fmin(img->width, ceil(x1 + m)), by = (int)fmin(img->height, ceil(y1 + m));
    int longest = img->width > img->height ? img->width : img->height;
    if (bx <= ax || by <= ay || fmax(bx - ax, by - ay) > ORIENT_AREA_SHARE * longest)
        return (prep_rect){ 0, 0, 0, 0 };
    return (prep_rect){ ax, ay, bx - ax, by - ay };
}

/* The view k (1..3) the mosaic conf prefers over the upright one, or 0. */
static int preferred(const double m[4])
{
    int k = 0;
    for (int j = 1; j < 4; j++)
        if (m[j] > m[k])
            k = j;
    return k;
}

int orient_detect(ssd_runner *r, const image *img, const ssd_options *opt, int *degrees, det_list *out, err *e)
{
    *degrees = 0;
    out->n = 0;
    int rc = ssd_detect(r, img, opt, out, e);
    int confident = 0;
    for (size_t i = 0; rc == 0 && i < out->n; i++)
        confident += out->faces[i].score > ORIENT_UPRIGHT_SCORE;
    if (rc != 0 || confident >= ORIENT_UPRIGHT_FACES)
        return rc;
    double best = ssd_confidence(out, 0), m[4];
    if ((rc = orient_mosaic(r, img, m, e)) != 0)
        return rc;
    int seen = m[0] > 0 || m[1] > 0 || m[2] > 0 || m[3] > 0;
    if (!seen && best > 0 && best < ORIENT_CLEAR) {
        /* The faces were too small for the whole image's mosaic: a mosaic of
         * the part where the upright pass found some shows them larger. Only
         * when one scores above 0.5 (best > 0): boxes of 0.3-0.5 alone are
         * too weak a sign of where the faces are, and such photos keep the
         * full search. */
        prep_rect area = face_area(img, out);
        if (area.w > 0) {
            if ((rc = orient_mosaic_area(r, img, area, m, e)) != 0)
                return rc;
            seen = m[0] > 0 || m[1] > 0 || m[2] > 0 || m[3] > 0;
        }
    }
    int k = preferred(m);
    for (int j = 1; j < 4 && rc == 0; j++) {
        /* Seen: only the view the mosaic prefers. Not seen: every view, unless
         * the upright pass is clearly confident. */
        if (seen ? j != k : best >= ORIENT_CLEAR)
            continue;
        det_list l = { 0 };
        double c;
        rc = detect_turned(r, img, 90 * j, opt, &l, &c, e);
        if (rc == 0)
            rc = keep_if_better(out, &best, degrees, &l, c, 90 * j, e);
        det_list_free(&l);
    }
    return rc;
}
