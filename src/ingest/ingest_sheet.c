/* ingest_sheet.c — contact sheets and film strips become their frames
 * (ingest_sheet.h). */
#include "ingest/ingest_sheet.h"
#include "ingest/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

/* Test hook (FACETAG_TEST_SLOW_MS): widen the window a kill can hit. */
static void pause_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void ingest_frame_id(const char parent_id[PHOTO_ID_LEN + 1], int n, char id[PHOTO_ID_LEN + 1])
{
    char text[PHOTO_ID_LEN + 32], hex[HASH_SHA256_HEX_LEN + 1];
    int len = snprintf(text, sizeof text, "%s#frame=%d", parent_id, n);
    if (hash_sha256_hex(text, (size_t)len, hex, NULL) != 0) {
        id[0] = '\0';
        return;
    }
    hash_photo_id(hex, id);
}

void ingest_sheet_frames_free(ingest_sheet_frames *f)
{
    free(f->photos);
    free(f->frames);
    memset(f, 0, sizeof *f);
}

static int grow(ingest_sheet_frames *acc, int more)
{
    if (acc->n + more <= acc->cap)
        return 0;
    int cap = acc->n + more + 16;
    catalog_photo *p = realloc(acc->photos, sizeof *p * (size_t)cap);
    if (!p)
        return -1;
    acc->photos = p;
    catalog_frame *f = realloc(acc->frames, sizeof *f * (size_t)cap);
    if (!f)
        return -1;
    acc->frames = f;
    acc->cap = cap;
    return 0;
}

/* Finds the sheet in the working image (small enough to look at whole). */
static int detect(const ingest_file_ctx *ctx, const decode_output *processed, sheet_result *res, err *e)
{
    VipsImage *im = vips_image_new_from_buffer(processed->jpeg, processed->jpeg_len, "", NULL);
    if (!im) {
        int rc = err_set(e, ERR_FORMAT, "cannot read the working image back: %s", vips_error_buffer());
        vips_error_clear();
        return rc;
    }
    int rc = sheet_detect_image(im, (sheet_mode)ctx->sheets, res, e);
    g_object_unref(im);
    return rc;
}

int ingest_sheet_split(const ingest_file_ctx *ctx, const char *path, const decode_info *info, int page,
                       const catalog_photo *page_photo, const decode_output *processed, ingest_sheet_frames *acc,
                       err *e)
{
    sheet_result *res = malloc(sizeof *res);
    if (!res)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = detect(ctx, processed, res, e);
    if (rc || res->nframes == 0) {
        free(res);
        return rc;
    }
    /* cut from the page at up to INGEST_SHEET_SOURCE_EDGE: frames sharper than
     * the working image of the whole sheet would give */
    VipsImage *full = NULL;
    rc = decode_page_image(path, info->format, page, ctx->limits, INGEST_SHEET_SOURCE_EDGE, &full, e);
    if (rc == 0 && grow(acc, res->nframes) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory for %d frames", res->nframes);
    double k = rc == 0 ? (double)full->Xsize / processed->width : 1;
    for (int i = 0; rc == 0 && i < res->nframes; i++) {
        sheet_frame f = res->frames[i];
        sheet_frame big = f;
        big.cx *= k, big.cy *= k, big.w *= k, big.h *= k;
        VipsImage *cut = NULL;
        decode_output out;
        rc = sheet_frame_extract(full, &big, res->negative, &cut, e);
        if (rc)
            break;
        rc = decode_encode(cut, ctx->limits->max_edge, &out, e);
        g_object_unref(cut);
        if (rc)
            break;
        catalog_photo *p = &acc->photos[acc->n];
        catalog_frame *fr = &acc->frames[acc->n];
        *p = *page_photo;
        p->sidecar = NULL;
        ingest_frame_id(page_photo->photo_id, f.no, p->photo_id);
        memcpy(p->parent_id, page_photo->photo_id, sizeof p->parent_id);
        p->width = out.width;
        p->height = out.height;
        p->orig_width = (int)(big.w + 0.5);
        p->orig_height = (int)(big.h + 0.5);
        p->orientation = 1;
        memset(fr, 0, sizeof *fr);
        memcpy(fr->photo_id, p->photo_id, sizeof fr->photo_id);
        memcpy(fr->parent_id, page_photo->photo_id, sizeof fr->parent_id);
        snprintf(fr->kind, sizeof fr->kind, "sheet");
        fr->frame_no = f.no;
        fr->strip = f.strip;
        fr->cx = f.cx, fr->cy = f.cy, fr->w = f.w, fr->h = f.h, fr->angle = f.angle;
        fr->negative = res->negative;
        fr->time_ms = -1;
        char key[64];
        snprintf(key, sizeof key, "%s.jpg", p->photo_id);
        rc = objstore_put(ctx->store, BUCKET_PROCESSED, key, out.jpeg, out.jpeg_len, e);
        decode_output_free(&out);
        if (rc)
            break;
        acc->n++;
        pause_ms(ctx->slow_ms);
    }
    if (full)
        g_object_unref(full);
    free(res);
    return rc;
}
