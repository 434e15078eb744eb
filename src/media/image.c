#include "media/image.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* libvips' last error as one line (its buffer ends in newlines), for messages. */
static const char *vips_last_error(void)
{
    static _Thread_local char buf[512];
    snprintf(buf, sizeof buf, "%s", vips_error_buffer());
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = ';';
    return buf;
}

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static int vips_ok;

static void vips_start(void)
{
    vips_ok = VIPS_INIT("facetag") == 0;
    if (vips_ok) {
        vips_cache_set_max(0); /* we decode each file once; the cache only holds memory */
        vips_concurrency_set(1);
    }
}

int image_init(const char *argv0, err *e)
{
    (void)argv0;
    pthread_once(&vips_once, vips_start);
    if (!vips_ok)
        return err_set(e, ERR_INTERNAL, "libvips failed to start: %s", vips_last_error());
    return 0;
}

/* Takes ownership of `in` (unrefs it). */
static int to_rgb8(VipsImage *in, int autorotate, image *out, const char *what, err *e)
{
    VipsImage *t = in, *u = NULL;
#define STEP(call)                                                                                                     \
    do {                                                                                                               \
        if (call) {                                                                                                    \
            int rc_ = err_set(e, ERR_FORMAT, "%s: cannot decode: %s", what, vips_last_error());                        \
            vips_error_clear();                                                                                        \
            g_object_unref(t);                                                                                         \
            return rc_;                                                                                                \
        }                                                                                                              \
        g_object_unref(t);                                                                                             \
        t = u;                                                                                                         \
    } while (0)
    if (autorotate)
        STEP(vips_autorot(t, &u, NULL));
    if (vips_image_hasalpha(t))
        STEP(vips_flatten(t, &u, NULL));
    if (t->Type != VIPS_INTERPRETATION_sRGB || t->BandFmt != VIPS_FORMAT_UCHAR || t->Bands != 3)
        STEP(vips_colourspace(t, &u, VIPS_INTERPRETATION_sRGB, NULL));
    if (t->BandFmt != VIPS_FORMAT_UCHAR)
        STEP(vips_cast_uchar(t, &u, NULL));
    if (t->Bands > 3)
        STEP(vips_extract_band(t, &u, 0, "n", 3, NULL));
#undef STEP
    if (t->Bands != 3) {
        g_object_unref(t);
        return err_set(e, ERR_FORMAT, "%s: cannot convert to RGB", what);
    }
    size_t size = 0;
    void *mem = vips_image_write_to_memory(t, &size);
    int w = t->Xsize, h = t->Ysize;
    g_object_unref(t);
    if (!mem) {
        int rc = err_set(e, ERR_FORMAT, "%s: cannot decode: %s", what, vips_last_error());
        vips_error_clear();
        return rc;
    }
    if (size != (size_t)w * h * 3) {
        g_free(mem);
        return err_set(e, ERR_INTERNAL, "%s: decoded %zu bytes, expected %dx%dx3", what, size, w, h);
    }
    out->width = w;
    out->height = h;
    out->rgb = malloc(size);
    if (!out->rgb) {
        g_free(mem);
        return err_set(e, ERR_NOMEM, "%s: out of memory for %dx%d pixels", what, w, h);
    }
    memcpy(out->rgb, mem, size);
    g_free(mem);
    return 0;
}

int image_load_rgb(const char *path, int autorotate, int max_edge, image *out, err *e)
{
    memset(out, 0, sizeof *out);
    int rc = image_init(NULL, e);
    if (rc)
        return rc;
    VipsImage *in = NULL;
    if (max_edge > 0)
        rc = vips_thumbnail(path, &in, max_edge, "height", max_edge, "size", VIPS_SIZE_DOWN, "no_rotate", !autorotate,
                            NULL);
    else
        in = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
    if (!in) {
        rc = err_set(e, ERR_FORMAT, "%s: cannot decode: %s", path, vips_last_error());
        vips_error_clear();
        return rc;
    }
    /* vips_thumbnail already rotated (unless no_rotate). */
    return to_rgb8(in, max_edge > 0 ? 0 : autorotate, out, path, e);
}

int image_load_rgb_shrunk(const char *path, int autorotate, int min_edge, image *out, err *e)
{
    memset(out, 0, sizeof *out);
    int rc = image_init(NULL, e);
    if (rc)
        return rc;
    const char *loader = vips_foreign_find_load(path);
    VipsImage *in = NULL;
    if (loader && strcmp(loader, "VipsForeignLoadJpegFile") == 0 && min_edge > 0) {
        VipsImage *hdr = vips_image_new_from_file(path, NULL); /* header only */
        int longest = hdr ? (hdr->Xsize > hdr->Ysize ? hdr->Xsize : hdr->Ysize) : 0, shrink = 1;
        if (hdr)
            g_object_unref(hdr);
        while (shrink < 8 && longest / (shrink * 2) >= min_edge)
            shrink *= 2;
        in = vips_image_new_from_file(path, "shrink", shrink, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    } else {
        vips_error_clear();
        in = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    }
    if (!in) {
        rc = err_set(e, ERR_FORMAT, "%s: cannot decode: %s", path, vips_error_buffer());
        vips_error_clear();
        return rc;
    }
    return to_rgb8(in, autorotate, out, path, e);
}

int image_load_rgb_buffer(const void *data, size_t len, int autorotate, int max_edge, image *out, err *e)
{
    memset(out, 0, sizeof *out);
    int rc = image_init(NULL, e);
    if (rc)
        return rc;
    VipsImage *in = NULL;
    if (max_edge > 0)
        rc = vips_thumbnail_buffer((void *)data, len, &in, max_edge, "height", max_edge, "size", VIPS_SIZE_DOWN,
                                   "no_rotate", !autorotate, NULL);
    else
        in = vips_image_new_from_buffer(data, len, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                        VIPS_FAIL_ON_TRUNCATED, NULL);
    if (!in) {
        rc = err_set(e, ERR_FORMAT, "image buffer: cannot decode: %s", vips_last_error());
        vips_error_clear();
        return rc;
    }
    return to_rgb8(in, max_edge > 0 ? 0 : autorotate, out, "image buffer", e);
}

void image_free(image *img)
{
    if (img) {
        free(img->rgb);
        img->rgb = NULL;
        img->width = img->height = 0;
    }
}
