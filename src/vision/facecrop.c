/* facecrop.c — face crops for the UI (facecrop.h), encoded by libvips. */
#include "vision/facecrop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static int vips_fail(err *e, const char *what)
{
    int rc = err_set(e, ERR_FORMAT, "face crop: %s: %s", what, vips_error_buffer());
    vips_error_clear();
    return rc;
}

int facecrop_jpeg(const image *img, rectd box, int rotation, void **jpeg, size_t *len, err *e)
{
    *jpeg = NULL;
    *len = 0;
    double m = FACECROP_MARGIN * fmax(box.w, box.h);
    double x0 = fmax(0, floor(box.x - m)), y0 = fmax(0, floor(box.y - m));
    double x1 = fmin(img->width, ceil(box.x + box.w + m)), y1 = fmin(img->height, ceil(box.y + box.h + m));
    if (!(x1 - x0 >= 1 && y1 - y0 >= 1))
        return err_set(e, ERR_INVALID, "face crop: box (%.1f,%.1f %.1fx%.1f) misses the %dx%d image", box.x, box.y,
                       box.w, box.h, img->width, img->height);
    int cx = (int)x0, cy = (int)y0, cw = (int)(x1 - x0), ch = (int)(y1 - y0);
    VipsImage *whole = vips_image_new_from_memory(img->rgb, (size_t)img->width * img->height * 3, img->width,
                                                  img->height, 3, VIPS_FORMAT_UCHAR);
    if (!whole)
        return vips_fail(e, "wrap pixels");
    VipsImage *t = NULL, *u = NULL;
    int rc = 0;
    if (vips_extract_area(whole, &t, cx, cy, cw, ch, NULL) != 0)
        rc = vips_fail(e, "extract");
    g_object_unref(whole);
    int longest = cw > ch ? cw : ch;
    if (rc == 0 && longest > FACECROP_MAX_SIDE) {
        if (vips_resize(t, &u, (double)FACECROP_MAX_SIDE / longest, NULL) != 0)
            rc = vips_fail(e, "resize");
        else
            g_object_unref(t), t = u, u = NULL;
    }
    if (rc == 0 && rotation % 360 != 0) {
        VipsAngle a = rotation == 90 ? VIPS_ANGLE_D90 : rotation == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
        if (vips_rot(t, &u, a, NULL) != 0)
            rc = vips_fail(e, "rotate");
        else
            g_object_unref(t), t = u, u = NULL;
    }
    void *buf = NULL;
    size_t n = 0;
    if (rc == 0 && vips_jpegsave_buffer(t, &buf, &n, "Q", 90, "strip", TRUE, NULL) != 0)
        rc = vips_fail(e, "encode");
    if (t)
        g_object_unref(t);
    if (rc)
        return rc;
    *jpeg = malloc(n);
    if (!*jpeg) {
        g_free(buf);
        return err_set(e, ERR_NOMEM, "face crop: out of memory");
    }
    memcpy(*jpeg, buf, n);
    *len = n;
    g_free(buf);
    return 0;
}
