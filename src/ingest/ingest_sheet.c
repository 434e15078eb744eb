/* ingest_sheet.c — contact sheets and film strips become their frames
 * (ingest_sheet.h). */
#include "ingest/ingest_sheet.h"
#include "core/testhook.h"
#include "ingest/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

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
                       const catalog_photo *page_photo, const decode_output *processed, ingest_frames *acc, err *e)
{
    sheet_result *res = malloc(sizeof *res);
    if (!res)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = detect(ctx, processed, res, e);
    if (rc || res->nframes == 0) {
        free(res);
        return rc;
    }
    /* frames of vertical strips upright (a guess of which way round that
     * analyze's vote over the sheet's faces checks: analyze/sheet_vote.h) */
    sheet_result_upright(res);
    /* cut from the page at up to INGEST_SHEET_SOURCE_EDGE: frames sharper than
     * the working image of the whole sheet would give */
    VipsImage *full = NULL;
    rc = decode_page_image(path, info->format, page, ctx->limits, INGEST_SHEET_SOURCE_EDGE, &full, e);
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
        catalog_frame fr = { .kind = "sheet",
                             .frame_no = f.no,
                             .strip = f.strip,
                             .cx = f.cx,
                             .cy = f.cy,
                             .w = f.w,
                             .h = f.h,
                             .angle = f.angle,
                             .negative = res->negative,
                             .time_ms = -1 };
        rc = ingest_frames_add(ctx, page_photo, &out, (int)(big.w + 0.5), (int)(big.h + 0.5), &fr, acc, e);
        decode_output_free(&out);
        if (rc)
            break;
        testhook_pause(ctx->slow_ms);
    }
    if (full)
        g_object_unref(full);
    free(res);
    return rc;
}
