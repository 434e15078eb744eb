/* jpeg_compat.c — jpeg-js 0.4.4's pixels from libjpeg's coefficients
 * (jpeg_compat.h). The IDCT below is jpeg-js's `quantizeAndInverse`
 * (lib/decoder.js), whose arithmetic is JavaScript's: products in doubles (exact
 * here in int64), then ToInt32 (wrap modulo 2^32) before every shift and every
 * store into its Int32Array. */
#include "media/jpeg_compat.h"

#include <stdio.h> /* before jpeglib.h, which uses FILE */

#include <jpeglib.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    DCT_COS1 = 4017,
    DCT_SIN1 = 799,
    DCT_COS3 = 3406,
    DCT_SIN3 = 2276,
    DCT_COS6 = 1567,
    DCT_SIN6 = 3784,
    DCT_SQRT2 = 5793,
    DCT_SQRT1D2 = 2896,
};

/* JavaScript's ToInt32. */
static inline int32_t i32(int64_t x)
{
    return (int32_t)(uint32_t)(uint64_t)x;
}

/* `(x) >> s` in JavaScript: ToInt32, then an arithmetic shift. */
static inline int32_t sar(int64_t x, int s)
{
    int32_t v = i32(x);
    return v >= 0 ? v >> s : -(int32_t)((-(int64_t)v + (((int64_t)1 << s) - 1)) >> s);
}

/* One 8x8 block: dequantise, rows, columns, to 8 bits (jpeg-js order). */
static void idct_block(const JCOEF *zz, const UINT16 *qt, uint8_t out[64])
{
    int32_t p[64];
    int64_t v0, v1, v2, v3, v4, v5, v6, v7, t;
    for (int i = 0; i < 64; i++)
        p[i] = i32((int64_t)zz[i] * qt[i]);
    for (int i = 0; i < 8; i++) {
        int32_t *r = p + 8 * i;
        if (r[1] == 0 && r[2] == 0 && r[3] == 0 && r[4] == 0 && r[5] == 0 && r[6] == 0 && r[7] == 0) {
            int32_t c = sar((int64_t)DCT_SQRT2 * r[0] + 512, 10);
            for (int k = 0; k < 8; k++)
                r[k] = c;
            continue;
        }
        v0 = sar((int64_t)DCT_SQRT2 * r[0] + 128, 8);
        v1 = sar((int64_t)DCT_SQRT2 * r[4] + 128, 8);
        v2 = r[2];
        v3 = r[6];
        v4 = sar((int64_t)DCT_SQRT1D2 * ((int64_t)r[1] - r[7]) + 128, 8);
        v7 = sar((int64_t)DCT_SQRT1D2 * ((int64_t)r[1] + r[7]) + 128, 8);
        v5 = i32((int64_t)r[3] * 16);
        v6 = i32((int64_t)r[5] * 16);
        t = sar(v0 - v1 + 1, 1), v0 = sar(v0 + v1 + 1, 1), v1 = t;
        t = sar(v2 * DCT_SIN6 + v3 * DCT_COS6 + 128, 8), v2 = sar(v2 * DCT_COS6 - v3 * DCT_SIN6 + 128, 8), v3 = t;
        t = sar(v4 - v6 + 1, 1), v4 = sar(v4 + v6 + 1, 1), v6 = t;
        t = sar(v7 + v5 + 1, 1), v5 = sar(v7 - v5 + 1, 1), v7 = t;
        t = sar(v0 - v3 + 1, 1), v0 = sar(v0 + v3 + 1, 1), v3 = t;
        t = sar(v1 - v2 + 1, 1), v1 = sar(v1 + v2 + 1, 1), v2 = t;
        t = sar(v4 * DCT_SIN3 + v7 * DCT_COS3 + 2048, 12), v4 = sar(v4 * DCT_COS3 - v7 * DCT_SIN3 + 2048, 12), v7 = t;
        t = sar(v5 * DCT_SIN1 + v6 * DCT_COS1 + 2048, 12), v5 = sar(v5 * DCT_COS1 - v6 * DCT_SIN1 + 2048, 12), v6 = t;
        r[0] = i32(v0 + v7), r[7] = i32(v0 - v7), r[1] = i32(v1 + v6), r[6] = i32(v1 - v6);
        r[2] = i32(v2 + v5), r[5] = i32(v2 - v5), r[3] = i32(v3 + v4), r[4] = i32(v3 - v4);
    }
    for (int c = 0; c < 8; c++) {
        int32_t *q = p + c;
        if (q[8] == 0 && q[16] == 0 && q[24] == 0 && q[32] == 0 && q[40] == 0 && q[48] == 0 && q[56] == 0) {
            int32_t v = sar((int64_t)DCT_SQRT2 * q[0] + 8192, 14);
            for (int k = 0; k < 8; k++)
                q[8 * k] = v;
            continue;
        }
        v0 = sar((int64_t)DCT_SQRT2 * q[0] + 2048, 12);
        v1 = sar((int64_t)DCT_SQRT2 * q[32] + 2048, 12);
        v2 = q[16];
        v3 = q[48];
        v4 = sar((int64_t)DCT_SQRT1D2 * ((int64_t)q[8] - q[56]) + 2048, 12);
        v7 = sar((int64_t)DCT_SQRT1D2 * ((int64_t)q[8] + q[56]) + 2048, 12);
        v5 = q[24];
        v6 = q[40];
        t = sar(v0 - v1 + 1, 1), v0 = sar(v0 + v1 + 1, 1), v1 = t;
        t = sar(v2 * DCT_SIN6 + v3 * DCT_COS6 + 2048, 12), v2 = sar(v2 * DCT_COS6 - v3 * DCT_SIN6 + 2048, 12), v3 = t;
        t = sar(v4 - v6 + 1, 1), v4 = sar(v4 + v6 + 1, 1), v6 = t;
        t = sar(v7 + v5 + 1, 1), v5 = sar(v7 - v5 + 1, 1), v7 = t;
        t = sar(v0 - v3 + 1, 1), v0 = sar(v0 + v3 + 1, 1), v3 = t;
        t = sar(v1 - v2 + 1, 1), v1 = sar(v1 + v2 + 1, 1), v2 = t;
        t = sar(v4 * DCT_SIN3 + v7 * DCT_COS3 + 2048, 12), v4 = sar(v4 * DCT_COS3 - v7 * DCT_SIN3 + 2048, 12), v7 = t;
        t = sar(v5 * DCT_SIN1 + v6 * DCT_COS1 + 2048, 12), v5 = sar(v5 * DCT_COS1 - v6 * DCT_SIN1 + 2048, 12), v6 = t;
        q[0] = i32(v0 + v7), q[56] = i32(v0 - v7), q[8] = i32(v1 + v6), q[48] = i32(v1 - v6);
        q[16] = i32(v2 + v5), q[40] = i32(v2 - v5), q[24] = i32(v3 + v4), q[32] = i32(v3 - v4);
    }
    for (int i = 0; i < 64; i++) {
        int32_t s = 128 + sar((int64_t)p[i] + 8, 4);
        out[i] = (uint8_t)(s < 0 ? 0 : s > 255 ? 255 : s);
    }
}

/* libjpeg errors and corrupt-data warnings end the decode with a message. */
typedef struct jc_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char msg[JMSG_LENGTH_MAX];
} jc_error;

static void jc_error_exit(j_common_ptr cinfo)
{
    jc_error *je = (jc_error *)cinfo->err;
    je->pub.format_message(cinfo, je->msg);
    longjmp(je->jump, 1);
}

static void jc_emit(j_common_ptr cinfo, int level)
{
    if (level < 0) /* a warning: the data is damaged (e.g. truncated) */
        jc_error_exit(cinfo);
}

/* One component's sample plane as jpeg-js builds it (buildComponentData). */
typedef struct jc_plane {
    uint8_t *px;
    int stride, rows;        /* blocksPerLine * 8, blocksPerColumn * 8 */
    double scale_x, scale_y; /* h / maxH, v / maxV */
} jc_plane;

static int ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

static int build_plane(j_decompress_ptr cinfo, jvirt_barray_ptr coefs, int ci, jc_plane *pl)
{
    jpeg_component_info *comp = &cinfo->comp_info[ci];
    int max_h = cinfo->max_h_samp_factor, max_v = cinfo->max_v_samp_factor;
    /* jpeg-js: ceil(ceil(W / 8) * h / maxH) blocks per line, likewise per column. */
    int bpl = (int)ceil((double)ceil_div((int)cinfo->image_width, 8) * comp->h_samp_factor / max_h);
    int bpc = (int)ceil((double)ceil_div((int)cinfo->image_height, 8) * comp->v_samp_factor / max_v);
    int have_w = (int)comp->width_in_blocks, have_h = (int)comp->height_in_blocks;
    pl->stride = bpl * 8;
    pl->rows = bpc * 8;
    pl->scale_x = (double)comp->h_samp_factor / max_h;
    pl->scale_y = (double)comp->v_samp_factor / max_v;
    pl->px = malloc((size_t)pl->stride * pl->rows);
    if (!pl->px)
        return -1;
    static const JCOEF zero[DCTSIZE2];
    const UINT16 *qt = comp->quant_table->quantval;
    uint8_t block[64];
    for (int br = 0; br < bpc; br++) {
        JBLOCKARRAY row =
            br < have_h ? (*cinfo->mem->access_virt_barray)((j_common_ptr)cinfo, coefs, br, 1, FALSE) : NULL;
        for (int bc = 0; bc < bpl; bc++) {
            /* Blocks past libjpeg's array only feed padding samples no pixel reads. */
            idct_block(row && bc < have_w ? row[0][bc] : zero, qt, block);
            for (int j = 0; j < 8; j++)
                memcpy(pl->px + (size_t)(br * 8 + j) * pl->stride + bc * 8, block + j * 8, 8);
        }
    }
    return 0;
}

/* getData(width, height) with width/height the frame's: nearest samples, and
 * for three components jpeg-js's YCbCr -> RGB in doubles, truncated. */
static void to_rgb(const jc_plane *pl, int ncomp, int w, int h, uint8_t *rgb)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *line[3];
        for (int c = 0; c < ncomp; c++)
            line[c] = pl[c].px + (size_t)(int)(y * pl[c].scale_y) * pl[c].stride;
        uint8_t *o = rgb + (size_t)y * w * 3;
        for (int x = 0; x < w; x++, o += 3) {
            if (ncomp == 1) {
                o[0] = o[1] = o[2] = line[0][(int)(x * pl[0].scale_x)];
                continue;
            }
            double Y = line[0][(int)(x * pl[0].scale_x)];
            double Cb = line[1][(int)(x * pl[1].scale_x)];
            double Cr = line[2][(int)(x * pl[2].scale_x)];
            double r = Y + 1.402 * (Cr - 128);
            double g = Y - 0.3441363 * (Cb - 128) - 0.71413636 * (Cr - 128);
            double b = Y + 1.772 * (Cb - 128);
            o[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            o[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            o[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
        }
    }
}

static int is_jpeg(const char *path, int *is)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char h[3] = { 0 };
    size_t n = fread(h, 1, 3, f);
    fclose(f);
    *is = n == 3 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF;
    return 0;
}

/* The decode proper; volatile locals survive the longjmp. */
static int decode(FILE *f, const char *path, image *out, err *e)
{
    struct jpeg_decompress_struct cinfo;
    jc_error je;
    jc_plane pl[3] = { { 0 } };
    uint8_t *volatile rgb = NULL;
    volatile int started = 0, ncomp = 0;
    cinfo.err = jpeg_std_error(&je.pub);
    je.pub.error_exit = jc_error_exit;
    je.pub.emit_message = jc_emit;
    if (setjmp(je.jump)) {
        for (int c = 0; c < 3; c++)
            free(pl[c].px);
        free(rgb);
        if (started)
            jpeg_destroy_decompress(&cinfo);
        return err_set(e, ERR_FORMAT, "%s: cannot decode JPEG: %s", path, je.msg);
    }
    jpeg_create_decompress(&cinfo);
    started = 1;
    jpeg_stdio_src(&cinfo, f);
    jpeg_read_header(&cinfo, TRUE);
    ncomp = cinfo.num_components;
    if (ncomp != 1 && ncomp != 3) {
        jpeg_destroy_decompress(&cinfo);
        return 1; /* CMYK and others: the caller falls back */
    }
    jvirt_barray_ptr *coefs = jpeg_read_coefficients(&cinfo);
    int w = (int)cinfo.image_width, h = (int)cinfo.image_height;
    for (int c = 0; c < ncomp; c++)
        if (build_plane(&cinfo, coefs[c], c, &pl[c]) != 0) {
            snprintf(je.msg, sizeof je.msg, "out of memory");
            longjmp(je.jump, 1);
        }
    rgb = malloc((size_t)w * h * 3);
    if (!rgb) {
        snprintf(je.msg, sizeof je.msg, "out of memory for %dx%d pixels", w, h);
        longjmp(je.jump, 1);
    }
    to_rgb(pl, ncomp, w, h, rgb);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    for (int c = 0; c < 3; c++)
        free(pl[c].px);
    out->width = w;
    out->height = h;
    out->rgb = rgb;
    return 0;
}

int jpeg_compat_load(const char *path, image *out, err *e)
{
    memset(out, 0, sizeof *out);
    int jpeg = 0;
    if (is_jpeg(path, &jpeg) != 0)
        return err_set(e, ERR_IO, "%s: cannot open: %m", path);
    if (!jpeg)
        return image_load_rgb(path, 0, 0, out, e);
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "%s: cannot open: %m", path);
    int rc = decode(f, path, out, e);
    fclose(f);
    if (rc == 1)
        return image_load_rgb(path, 0, 0, out, e);
    return rc;
}
