/* align.c — dlib's aligned face chips (see align.h). */
#include "vision/align.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* dlib's mean face, points 17..67 in chip units (get_face_chip_details). */
static const double mean_face_x[51] = {
    0.000213256, 0.0752622, 0.18113,  0.29077,  0.393397, 0.586856, 0.689483, 0.799124, 0.904991, 0.98004,  0.490127,
    0.490127,    0.490127,  0.490127, 0.36688,  0.426036, 0.490127, 0.554217, 0.613373, 0.121737, 0.187122, 0.265825,
    0.334606,    0.260918,  0.182743, 0.645647, 0.714428, 0.793132, 0.858516, 0.79751,  0.719335, 0.254149, 0.340985,
    0.428858,    0.490127,  0.551395, 0.639268, 0.726104, 0.642159, 0.556721, 0.490127, 0.423532, 0.338094, 0.290379,
    0.428096,    0.490127,  0.552157, 0.689874, 0.553364, 0.490127, 0.42689
};
static const double mean_face_y[51] = {
    0.106454, 0.038915, 0.0187482, 0.0344891, 0.0773906, 0.0773906, 0.0344891, 0.0187482, 0.038915, 0.106454, 0.203352,
    0.307009, 0.409805, 0.515625,  0.587326,  0.609345,  0.628106,  0.609345,  0.587326,  0.216423, 0.178758, 0.179852,
    0.231733, 0.245099, 0.244077,  0.231733,  0.179852,  0.178758,  0.216423,  0.244077,  0.245099, 0.780233, 0.745405,
    0.727388, 0.742578, 0.727388,  0.745405,  0.780233,  0.864805,  0.902192,  0.909281,  0.902192, 0.864805, 0.784792,
    0.778746, 0.785343, 0.778746,  0.784792,  0.824182,  0.831803,  0.824182
};

/* dlib fits only nose, eyes, outer mouth and upper inner lip. */
static int fitted(int i)
{
    return !(i <= 26 || (55 <= i && i <= 59) || (65 <= i && i <= 67));
}

bool align_template(int i, int size, double padding, pointd *out)
{
    if (i < 17 || i >= CROPS_NPOINTS || !fitted(i))
        return false;
    out->x = (padding + mean_face_x[i - 17]) / (2 * padding + 1) * size;
    out->y = (padding + mean_face_y[i - 17]) / (2 * padding + 1) * size;
    return true;
}

int align_chip_details(const pointd pts[CROPS_NPOINTS], int size, double padding, align_chip *out, err *e)
{
    if (size < 2 || !(padding >= 0))
        return err_set(e, ERR_INVALID, "align: chip size %d / padding %g out of range", size, padding);
    /* Least-squares similarity template → image (Umeyama in 2-D, closed form):
     * image = [a -b; b a] * tmpl + t. */
    double fx[CROPS_NPOINTS], fy[CROPS_NPOINTS], fmx = 0, fmy = 0, gmx = 0, gmy = 0;
    int n = 0;
    for (int i = 17; i < CROPS_NPOINTS; i++) {
        if (!fitted(i))
            continue;
        pointd t;
        align_template(i, size, padding, &t);
        fx[i] = t.x, fy[i] = t.y;
        fmx += fx[i], fmy += fy[i], gmx += pts[i].x, gmy += pts[i].y;
        n++;
    }
    fmx /= n, fmy /= n, gmx /= n, gmy /= n;
    double s = 0, sa = 0, sb = 0;
    for (int i = 17; i < CROPS_NPOINTS; i++) {
        if (!fitted(i))
            continue;
        const double ux = fx[i] - fmx, uy = fy[i] - fmy, vx = pts[i].x - gmx, vy = pts[i].y - gmy;
        s += ux * ux + uy * uy;
        sa += ux * vx + uy * vy;
        sb += ux * vy - uy * vx;
    }
    const double a = sa / s, b = sb / s;
    const double scale = hypot(a, b);
    if (!isfinite(scale) || scale <= 0)
        return err_set(e, ERR_INVALID, "align: landmarks are degenerate (no similarity fits them)");
    const double tx = gmx - (a * fmx - b * fmy), ty = gmy - (b * fmx + a * fmy);
    /* chip_details(chip_points, img_points, dims): the rectangle is centred on the
     * image of the chip centre (size/2, size/2) and has side size*scale. */
    const double h = size / 2.0;
    out->size = size;
    out->cx = a * h - b * h + tx;
    out->cy = b * h + a * h + ty;
    out->side = size * scale;
    out->angle = atan2(b, a);
    return 0;
}

/* extract_image_chip maps chip corners (0,0), (size-1,0), (0,size-1) to the corners
 * of centered_drect(centre, side, side) — half-extent (side-1)/2 — rotated by angle
 * about the centre. */
pointd align_chip_to_image(const align_chip *c, double u, double v)
{
    const double k = (c->side - 1) / (c->size - 1), m = (c->size - 1) / 2.0;
    const double dx = (u - m) * k, dy = (v - m) * k, cs = cos(c->angle), sn = sin(c->angle);
    return (pointd){ c->cx + cs * dx - sn * dy, c->cy + sn * dx + cs * dy };
}

pointd align_image_to_chip(const align_chip *c, pointd p)
{
    const double k = (c->side - 1) / (c->size - 1), m = (c->size - 1) / 2.0;
    const double dx = p.x - c->cx, dy = p.y - c->cy, cs = cos(c->angle), sn = sin(c->angle);
    return (pointd){ (cs * dx + sn * dy) / k + m, (-sn * dx + cs * dy) / k + m };
}

/* A float RGB raster (a pyramid level). */
typedef struct plane {
    int w, h;
    float *px; /* w*h*3 */
} plane;

/* One pyramid step: Gaussian [1 4 6 4 1]/16 (edges clamped), keep every second
 * pixel; pixel j of the result sits at 2j of the source. */
static int pyr_down(const plane *src, plane *dst)
{
    static const float k[5] = { 1 / 16.f, 4 / 16.f, 6 / 16.f, 4 / 16.f, 1 / 16.f };
    const int w = (src->w + 1) / 2, h = (src->h + 1) / 2;
    float *tmp = malloc((size_t)w * src->h * 3 * sizeof *tmp);
    float *out = malloc((size_t)w * h * 3 * sizeof *out);
    if (!tmp || !out) {
        free(tmp), free(out);
        return ERR_NOMEM;
    }
    for (int y = 0; y < src->h; y++)
        for (int x = 0; x < w; x++)
            for (int ch = 0; ch < 3; ch++) {
                float acc = 0;
                for (int t = 0; t < 5; t++) {
                    int sx = 2 * x + t - 2;
                    sx = sx < 0 ? 0 : sx >= src->w ? src->w - 1 : sx;
                    acc += k[t] * src->px[((size_t)y * src->w + sx) * 3 + ch];
                }
                tmp[((size_t)y * w + x) * 3 + ch] = acc;
            }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int ch = 0; ch < 3; ch++) {
                float acc = 0;
                for (int t = 0; t < 5; t++) {
                    int sy = 2 * y + t - 2;
                    sy = sy < 0 ? 0 : sy >= src->h ? src->h - 1 : sy;
                    acc += k[t] * tmp[((size_t)sy * w + x) * 3 + ch];
                }
                out[((size_t)y * w + x) * 3 + ch] = acc;
            }
    free(tmp);
    dst->w = w, dst->h = h, dst->px = out;
    return 0;
}

int align_extract(const image *img, const align_chip *c, float *out, err *e)
{
    const int size = c->size;
    memset(out, 0, (size_t)size * size * 3 * sizeof *out);
    /* Pyramid depth as dlib: halve while the level would still be larger than the chip. */
    int levels = 0;
    for (double s = c->side; s / 2 > size; s /= 2)
        levels++;
    const double f = ldexp(1.0, levels);

    /* The image region under the chip, with a margin for the filters. */
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    const double corners[4][2] = { { 0, 0 }, { size - 1, 0 }, { 0, size - 1 }, { size - 1, size - 1 } };
    for (int i = 0; i < 4; i++) {
        pointd p = align_chip_to_image(c, corners[i][0], corners[i][1]);
        x0 = fmin(x0, p.x), y0 = fmin(y0, p.y), x1 = fmax(x1, p.x), y1 = fmax(y1, p.y);
    }
    const double margin = 4 * f + 2;
    const int rx0 = (int)fmax(0, floor(x0 - margin)), ry0 = (int)fmax(0, floor(y0 - margin));
    const int rx1 = (int)fmin(img->width - 1, ceil(x1 + margin)), ry1 = (int)fmin(img->height - 1, ceil(y1 + margin));
    if (rx1 < rx0 || ry1 < ry0)
        return 0; /* chip entirely outside the image: black */

    plane lv = { rx1 - rx0 + 1, ry1 - ry0 + 1, NULL };
    lv.px = malloc((size_t)lv.w * lv.h * 3 * sizeof *lv.px);
    if (!lv.px)
        return err_set(e, ERR_NOMEM, "align: out of memory for a %dx%d region", lv.w, lv.h);
    for (int y = 0; y < lv.h; y++) {
        const uint8_t *row = img->rgb + ((size_t)(ry0 + y) * img->width + rx0) * 3;
        for (int i = 0; i < lv.w * 3; i++)
            lv.px[(size_t)y * lv.w * 3 + i] = row[i];
    }
    for (int l = 0; l < levels; l++) {
        plane next;
        if (pyr_down(&lv, &next)) {
            free(lv.px);
            return err_set(e, ERR_NOMEM, "align: out of memory for the image pyramid");
        }
        free(lv.px);
        lv = next;
    }

    /* Bilinear, black where a 2x2 neighbourhood leaves the level (dlib's rule). */
    for (int v = 0; v < size; v++)
        for (int u = 0; u < size; u++) {
            const pointd p = align_chip_to_image(c, u, v);
            const double qx = (p.x - rx0) / f, qy = (p.y - ry0) / f;
            const double fl = floor(qx), ft = floor(qy);
            if (!(fl >= 0 && ft >= 0 && fl + 1 < lv.w && ft + 1 < lv.h))
                continue;
            const int l = (int)fl, t = (int)ft;
            const double ax = qx - l, ay = qy - t;
            const float *tl = lv.px + ((size_t)t * lv.w + l) * 3, *bl = tl + (size_t)lv.w * 3;
            float *o = out + ((size_t)v * size + u) * 3;
            for (int ch = 0; ch < 3; ch++)
                o[ch] = (float)((1 - ay) * ((1 - ax) * tl[ch] + ax * tl[3 + ch]) +
                                ay * ((1 - ax) * bl[ch] + ax * bl[3 + ch]));
        }
    free(lv.px);
    return 0;
}
