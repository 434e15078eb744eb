/* crops.c — face-api's crop geometry, operation for operation (see crops.h).
 * Every expression keeps the JS evaluation order: the floors are sensitive to the
 * last bit. */
#include "vision/crops.h"

#include <math.h>

rectd crops_detection_for_size(rectd box, int img_w, int img_h)
{
    /* relativeBox = box.rescale(dims.reverse()) with reverse() = (1/W, 1/H);
     * forSize builds a new ObjectDetection, whose box is relative.rescale(W, H). */
    const double rw = 1.0 / img_w, rh = 1.0 / img_h;
    rectd r = {
        .x = (box.x * rw) * img_w,
        .y = (box.y * rh) * img_h,
        .w = (box.w * rw) * img_w,
        .h = (box.h * rh) * img_h,
    };
    return r;
}

bool crops_clip(rectd r, int img_w, int img_h, crop_rect *out)
{
    const double right = r.x + r.w, bottom = r.y + r.h;
    const double x0 = fmax(r.x, 0.0), y0 = fmax(r.y, 0.0);
    const double w = fmin(right - x0, (double)img_w - x0);
    const double h = fmin(bottom - y0, (double)img_h - y0);
    out->x = (int)floor(x0);
    out->y = (int)floor(y0);
    out->w = (int)floor(w);
    out->h = (int)floor(h);
    return out->w > 0 && out->h > 0;
}

pointd crops_center(const pointd *pts, int first, int n)
{
    pointd s = { 0.0, 0.0 };
    for (int i = first; i < first + n; i++) {
        s.x = s.x + pts[i].x;
        s.y = s.y + pts[i].y;
    }
    s.x = s.x / n;
    s.y = s.y / n;
    return s;
}

rectd crops_aligned_rect(const pointd pts[CROPS_NPOINTS], int img_w, int img_h)
{
    /* minBbox: min starts at +Inf, max at 0 (src/ops/minBbox.ts). */
    double minx = INFINITY, miny = INFINITY, maxx = 0.0, maxy = 0.0;
    for (int i = 0; i < CROPS_NPOINTS; i++) {
        if (pts[i].x < minx)
            minx = pts[i].x;
        if (pts[i].y < miny)
            miny = pts[i].y;
        if (maxx < pts[i].x)
            maxx = pts[i].x;
        if (maxy < pts[i].y)
            maxy = pts[i].y;
    }
    const double bw = maxx - minx, bh = maxy - miny;
    /* Box.pad(w*0.2, h*0.2). */
    const double padx = bw * 0.2, pady = bh * 0.2;
    rectd padded = { minx - padx / 2, miny - pady / 2, bw + padx, bh + pady };
    /* new FaceDetection(score, rect.rescale(dims.reverse()), dims): stored box. */
    return crops_detection_for_size(padded, img_w, img_h);
}

bool crops_attributes_crop(const pointd pts[CROPS_NPOINTS], int img_w, int img_h, crop_rect *out)
{
    const rectd stored = crops_aligned_rect(pts, img_w, img_h);
    return crops_clip(crops_detection_for_size(stored, img_w, img_h), img_w, img_h, out);
}

rectd crops_descriptor_rect(const pointd pts[CROPS_NPOINTS], int lm_crop_w, int lm_crop_h)
{
    const pointd c[3] = { crops_center(pts, 36, 6), crops_center(pts, 42, 6), crops_center(pts, 48, 20) };
    const pointd m = c[2];
    const double dl = sqrt(pow(m.x - c[0].x, 2) + pow(m.y - c[0].y, 2));
    const double dr = sqrt(pow(m.x - c[1].x, 2) + pow(m.y - c[1].y, 2));
    const double eye_to_mouth = (dl + dr) / 2;
    const double size = floor(eye_to_mouth / 0.45);
    const pointd ref = crops_center(c, 0, 3);
    const double x = floor(fmax(0.0, ref.x - 0.5 * size));
    const double y = floor(fmax(0.0, ref.y - 0.43 * size));
    rectd r = { x, y, fmin(size, lm_crop_w + x), fmin(size, lm_crop_h + y) };
    return r;
}
