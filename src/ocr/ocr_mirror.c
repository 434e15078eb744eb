/* ocr_mirror.c — the mirrored-scan decision (ocr_mirror.h). */
#include "ocr/ocr_mirror.h"
#include "ocr/ocr_text.h"

#include <string.h>

bool ocr_mirror_decide(double score, double score_flipped)
{
    return score_flipped >= OCR_MIRROR_MIN_SCORE && score_flipped >= OCR_MIRROR_RATIO * (score + 4.0);
}

void ocr_mirror_result_free(ocr_mirror_result *r)
{
    ocr_page_free(&r->page);
    ocr_page_free(&r->flipped);
}

int ocr_mirror_check(ocr_engine *o, VipsImage *im, ocr_mirror_result *r, err *e)
{
    memset(r, 0, sizeof *r);
    int rc = ocr_engine_read_sparse(o, im, &r->page, e);
    if (rc)
        return rc;
    r->score = ocr_page_text_score(&r->page);
    for (size_t i = 0; i < r->page.n && !r->read_flipped; i++)
        r->read_flipped = ocr_text_alnum(r->page.words[i].text) >= 3;
    if (!r->read_flipped)
        return 0;
    VipsImage *fl = NULL;
    if (vips_flip(im, &fl, VIPS_DIRECTION_HORIZONTAL, NULL)) {
        rc = err_set(e, ERR_INTERNAL, "OCR: cannot mirror the image: %s", vips_error_buffer());
        vips_error_clear();
        ocr_mirror_result_free(r);
        return rc;
    }
    rc = ocr_engine_read_sparse(o, fl, &r->flipped, e);
    g_object_unref(fl);
    if (rc) {
        ocr_mirror_result_free(r);
        return rc;
    }
    r->score_flipped = ocr_page_text_score(&r->flipped);
    r->mirrored = ocr_mirror_decide(r->score, r->score_flipped);
    return 0;
}
