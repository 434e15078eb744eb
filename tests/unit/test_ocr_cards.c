/* test_ocr_cards.c — the fast floor of OCR on test cards (cardgen.h: backs of
 * prints rendered with fonts from Debian, pencil or typewriter ink on yellowed
 * paper, rotated, scan noise, a JPEG round trip): one card per font, read by
 * Tesseract (deu+eng) and cleaned (ocr_text_clean).
 *   - printed text (typewriter, sans): >= 98 % of characters right together;
 *   - handwriting-like fonts: reported, and >= 80 % right as a regression floor
 *     (measured ~95 %; bench_ocr has the full table);
 *   - a card scanned mirror-wise is flagged by the mirror check, its normal
 *     scan is not.
 * The full series (80 cards) is `bench_ocr`, run by `make bench`. */
#include "cardgen.h"
#include "ocr/ocr_engine.h"
#include "ocr/ocr_mirror.h"
#include "ocr/ocr_text.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

static int read_card(ocr_engine *o, const cardgen_spec *s, long *edits, long *chars, double *score)
{
    VipsImage *im = NULL;
    err e;
    if (cardgen_make(s, &im, &e) != 0) {
        fprintf(stderr, "cardgen: %s\n", e.msg);
        return -1;
    }
    ocr_page pg;
    int rc = ocr_engine_read(o, im, &pg, &e);
    if (rc == 0) {
        char *t = ocr_text_clean(pg.text, strlen(pg.text));
        cardgen_cer(s->text, t, edits, chars);
        *score = ocr_page_text_score(&pg);
        printf("  %-16s %-11s %s%5.1f deg: %3ld of %3ld wrong, confidence %.0f, score %.0f, %.2f s\n", s->font->family,
               cardgen_class_name(s->font->cls), s->mirrored ? "mirrored " : "", s->angle, *edits, *chars,
               pg.confidence, *score, pg.seconds);
        free(t);
        ocr_page_free(&pg);
    } else {
        fprintf(stderr, "ocr: %s\n", e.msg);
    }
    g_object_unref(im);
    return rc;
}

/* The mirror check as the stage makes it (ocr_mirror_check). */
static int mirror_check(ocr_engine *o, const cardgen_spec *s, bool *flag)
{
    VipsImage *im = NULL;
    err e;
    if (cardgen_make(s, &im, &e) != 0)
        return -1;
    ocr_mirror_result r;
    int rc = ocr_mirror_check(o, im, &r, &e);
    if (rc == 0) {
        *flag = r.mirrored;
        printf("  mirror check, %s card: scores %.0f as scanned, %.0f mirrored -> %s\n",
               s->mirrored ? "mirrored" : "normal", r.score, r.score_flipped, r.mirrored ? "flagged" : "not flagged");
        ocr_mirror_result_free(&r);
    }
    g_object_unref(im);
    return rc;
}

int main(int argc, char **argv)
{
    (void)argc;
    if (VIPS_INIT(argv[0]))
        return 1;
    err e;
    ocr_engine *o = ocr_engine_open(NULL, &e);
    CHECK_MSG(o != NULL, "%s", e.msg);
    if (!o)
        return test_main_end();
    long pe = 0, pn = 0, he = 0, hn = 0;
    for (int i = 0; i < cardgen_nfonts; i++) {
        cardgen_spec s;
        cardgen_standard(i, &s);
        long ed = 0, n = 0;
        double score = 0;
        CHECK(read_card(o, &s, &ed, &n, &score) == 0);
        if (s.font->cls == CARDGEN_HAND)
            he += ed, hn += n;
        else
            pe += ed, pn += n;
    }
    double printed = pn ? 1 - (double)pe / pn : 0, hand = hn ? 1 - (double)he / hn : 0;
    printf("printed: %.2f %% of %ld characters right; handwriting-like: %.2f %% of %ld\n", 100 * printed, pn,
           100 * hand, hn);
    CHECK_MSG(printed >= 0.98, "printed text: %.2f %% right, goal 98 %%", 100 * printed);
    CHECK_MSG(hand >= 0.80, "handwriting-like: %.2f %% right, floor 80 %%", 100 * hand);

    cardgen_spec m;
    cardgen_standard(2, &m); /* Liberation Sans */
    bool flag = true;
    CHECK(mirror_check(o, &m, &flag) == 0);
    CHECK_MSG(!flag, "a card scanned the right way round was flagged as mirrored");
    m.mirrored = 1;
    flag = false;
    CHECK(mirror_check(o, &m, &flag) == 0);
    CHECK_MSG(flag, "a card scanned mirror-wise was not flagged");
    ocr_engine_close(o);
    vips_shutdown();
    return test_main_end();
}
