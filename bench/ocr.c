/* bench_ocr — OCR on the test cards (tests/unit/cardgen.c): character error
 * rate per font class and per font, and the time per card.
 *
 *   bench_ocr [--cards N] [--save DIR]
 *
 * N cards of the standard series (default 80: every text in every font);
 * --save writes each card as DIR/card_NNN.jpg (--no-read: only that);
 * --mirrored scans them mirror-wise (for tests of the mirror check). The
 * goal (issue 14): >= 98 % of characters right on printed text (typewriter
 * and sans); handwriting is reported as it is. */
#include "../tests/unit/cardgen.h"
#include "core/clock.h"
#include "ocr/ocr_engine.h"
#include "ocr/ocr_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tally {
    long edits, chars, cards;
    double seconds;
} tally;

int main(int argc, char **argv)
{
    int ncards = 80;
    const char *save = NULL;
    int no_read = 0;  /* --save only */
    int mirrored = 0; /* cards scanned mirror-wise */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--cards") && i + 1 < argc)
            ncards = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--save") && i + 1 < argc)
            save = argv[++i];
        else if (!strcmp(argv[i], "--no-read"))
            no_read = 1;
        else if (!strcmp(argv[i], "--mirrored"))
            mirrored = 1;
        else {
            fprintf(stderr, "usage: bench_ocr [--cards N] [--mirrored] [--save DIR [--no-read]]\n");
            return 2;
        }
    }
    if (VIPS_INIT(argv[0]))
        return 1;
    err e;
    ocr_engine *o = ocr_engine_open(NULL, &e);
    if (!o) {
        fprintf(stderr, "bench_ocr: %s\n", e.msg);
        return 1;
    }
    tally cls[3] = { 0 }, font[16] = { 0 };
    double render = 0;
    for (int i = 0; i < ncards; i++) {
        cardgen_spec s;
        cardgen_standard(i, &s);
        s.mirrored = mirrored;
        VipsImage *im = NULL;
        double t0 = clock_now_s();
        if (cardgen_make(&s, &im, &e) != 0) {
            fprintf(stderr, "bench_ocr: card %d: %s\n", i, e.msg);
            return 1;
        }
        render += clock_now_s() - t0;
        if (save) {
            char path[4096];
            snprintf(path, sizeof path, "%s/card_%03d.jpg", save, i);
            if (i == 0 && g_mkdir_with_parents(save, 0755) != 0) {
                fprintf(stderr, "bench_ocr: cannot make %s\n", save);
                return 1;
            }
            if (vips_image_write_to_file(im, path, NULL)) {
                fprintf(stderr, "bench_ocr: %s: %s\n", path, vips_error_buffer());
                return 1;
            }
        }
        if (no_read) {
            g_object_unref(im);
            continue;
        }
        t0 = clock_now_s();
        ocr_page pg;
        if (ocr_engine_read(o, im, &pg, &e) != 0) {
            fprintf(stderr, "bench_ocr: card %d: %s\n", i, e.msg);
            return 1;
        }
        char *text = ocr_text_clean(pg.text, strlen(pg.text));
        double dt = clock_now_s() - t0;
        g_object_unref(im);
        long ed, n;
        cardgen_cer(s.text, text, &ed, &n);
        int f = (int)(s.font - cardgen_fonts);
        tally *ts[2] = { &cls[s.font->cls], &font[f] };
        for (int k = 0; k < 2; k++)
            ts[k]->edits += ed, ts[k]->chars += n, ts[k]->cards++, ts[k]->seconds += dt;
        if (getenv("BENCH_OCR_VERBOSE") || (ed > n / 10 && s.font->cls != CARDGEN_HAND))
            fprintf(stderr, "card %d (%s, %.1f deg): %ld of %ld wrong, conf %.0f\n--- expected\n%s\n--- read\n%s\n", i,
                    s.font->family, s.angle, ed, n, pg.confidence, s.text, text);
        free(text);
        ocr_page_free(&pg);
    }
    printf("OCR on %d test cards (%s), 13x9 cm at 300 dpi, render %.2f s/card\n\n", ncards, ocr_engine_version(o),
           ncards ? render / ncards : 0);
    printf("| font class | font | cards | characters | errors | CER | characters right | s/card |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (int f = 0; f < cardgen_nfonts; f++) {
        tally *t = &font[f];
        if (!t->cards)
            continue;
        double cer = t->chars ? (double)t->edits / t->chars : 0;
        printf("| %s | %s | %ld | %ld | %ld | %.2f %% | %.2f %% | %.2f |\n", cardgen_class_name(cardgen_fonts[f].cls),
               cardgen_fonts[f].family, t->cards, t->chars, t->edits, 100 * cer, 100 * (1 - cer),
               t->seconds / t->cards);
    }
    long pe = 0, pn = 0, pc = 0;
    double ps = 0;
    for (int c = 0; c < 3; c++) {
        tally *t = &cls[c];
        if (!t->cards)
            continue;
        double cer = t->chars ? (double)t->edits / t->chars : 0;
        printf("| **%s** | all | %ld | %ld | %ld | %.2f %% | %.2f %% | %.2f |\n", cardgen_class_name((cardgen_class)c),
               t->cards, t->chars, t->edits, 100 * cer, 100 * (1 - cer), t->seconds / t->cards);
        if (c != CARDGEN_HAND)
            pe += t->edits, pn += t->chars, pc += t->cards, ps += t->seconds;
    }
    if (pn)
        printf("\nprinted (typewriter + sans): %.2f %% characters right (goal >= 98 %%), %.2f s/card\n",
               100.0 * (1 - (double)pe / pn), pc ? ps / pc : 0);
    ocr_engine_close(o);
    vips_shutdown();
    return 0;
}
