/* gridgen.c — a photo through a window, a burst of one scene (gridgen.h). */
#include "gridgen.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static int vips_err(err *e, const char *what, const char *path)
{
    int rc = err_set(e, ERR_FORMAT, "gridgen: %s %s: %s", what, path, vips_error_buffer());
    vips_error_clear();
    return rc;
}

static void bar(uint8_t *p, int w, int h, int bands, int x0, int y0, int x1, int y1, int tone)
{
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
            memset(p + ((size_t)y * w + x) * bands, tone, (size_t)bands);
}

int gridgen_window(const char *photo, int edge, int cols, int rows, double bar_frac, int tone, int grey,
                   VipsImage **out, err *e)
{
    *out = NULL;
    VipsImage *t = NULL, *c = NULL, *u = NULL;
    /* the photo's own shape, its longer side scaled to edge */
    VipsImage *in = vips_image_new_from_file(photo, NULL);
    if (!in)
        return vips_err(e, "load", photo);
    int longer = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
    int rc = vips_resize(in, &t, (double)edge / longer, NULL);
    g_object_unref(in);
    if (rc)
        return vips_err(e, "resize", photo);
    rc = vips_colourspace(t, &c, grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(t);
    if (rc)
        return vips_err(e, "colour", photo);
    if (c->Bands != (grey ? 1 : 3)) {
        rc = vips_extract_band(c, &t, 0, "n", grey ? 1 : 3, NULL);
        g_object_unref(c);
        if (rc)
            return vips_err(e, "bands", photo);
        c = t;
    }
    rc = vips_cast_uchar(c, &u, NULL);
    g_object_unref(c);
    if (rc)
        return vips_err(e, "cast", photo);
    size_t len = 0;
    int w = u->Xsize, h = u->Ysize, bands = u->Bands;
    uint8_t *p = vips_image_write_to_memory(u, &len);
    g_object_unref(u);
    if (!p)
        return err_set(e, ERR_NOMEM, "gridgen: out of memory");
    int b = (int)(bar_frac * (w > h ? w : h) + 0.5);
    if (b < 2)
        b = 2;
    for (int i = 0; i <= cols; i++) {
        int x = (int)((double)i * (w - b) / cols);
        bar(p, w, h, bands, x, 0, x + b, h, tone);
    }
    for (int j = 0; j <= rows; j++) {
        int y = (int)((double)j * (h - b) / rows);
        bar(p, w, h, bands, 0, y, w, y + b, tone);
    }
    VipsImage *m = vips_image_new_from_memory_copy(p, len, w, h, bands, VIPS_FORMAT_UCHAR);
    g_free(p);
    if (!m)
        return vips_err(e, "image", photo);
    m->Type = grey ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB;
    void *jpg = NULL;
    rc = vips_jpegsave_buffer(m, &jpg, &len, "Q", 90, NULL);
    g_object_unref(m);
    if (rc)
        return vips_err(e, "jpeg", photo);
    VipsImage *j = vips_image_new_from_buffer(jpg, len, "", NULL);
    if (!j) {
        g_free(jpg);
        return vips_err(e, "jpeg load", photo);
    }
    /* the decoded pixels, not a lazy view of a buffer about to be freed */
    *out = vips_image_copy_memory(j);
    g_object_unref(j);
    g_free(jpg);
    if (!*out)
        return vips_err(e, "decode", photo);
    return 0;
}

int gridgen_burst(const char *photo, const char *dir, const char *tag, int n, double frac, double shift, char **paths,
                  err *e)
{
    for (int k = 0; k < n; k++)
        paths[k] = NULL;
    VipsImage *in = vips_image_new_from_file(photo, NULL);
    if (!in)
        return vips_err(e, "load", photo);
    int W = in->Xsize, H = in->Ysize, cw = (int)(frac * W);
    for (int k = 0; k < n; k++) {
        int x0 = (int)(k * shift * W);
        if (x0 + cw > W)
            x0 = W - cw;
        VipsImage *c = NULL;
        char name[4096];
        snprintf(name, sizeof name, "%s/burst-%s-%d.jpg", dir, tag, k);
        if (vips_extract_area(in, &c, x0, 0, cw, H, NULL) || vips_jpegsave(c, name, "Q", 92, NULL)) {
            if (c)
                g_object_unref(c);
            g_object_unref(in);
            for (int i = 0; i < k; i++)
                free(paths[i]), paths[i] = NULL;
            return vips_err(e, "crop", photo);
        }
        g_object_unref(c);
        paths[k] = strdup(name);
        if (!paths[k]) {
            g_object_unref(in);
            for (int i = 0; i < k; i++)
                free(paths[i]), paths[i] = NULL;
            return err_set(e, ERR_NOMEM, "gridgen: out of memory");
        }
    }
    g_object_unref(in);
    return 0;
}
