/* cardgen.h — test cards: the back of a print with a note written on it, for
 * test_ocr_cards and bench_ocr. Text rendered by libvips (vips_text, pango,
 * fonts installed from Debian), in pencil grey or faded typewriter ink on
 * yellowed paper with stains, slightly rotated, with scan noise and a JPEG
 * round trip — as a 300 dpi scan of a 13 x 9 cm print would look. Nothing is
 * written to disk here; callers that need files save them under the build dir.
 *
 * The notes are this project's own (cardgen.c), German with umlauts and ß and
 * a few English ones; nothing is read from the archive generator. */
#ifndef FACETAG_TESTS_CARDGEN_H
#define FACETAG_TESTS_CARDGEN_H

#include "core/error.h"
#include <vips/vips.h>

typedef enum cardgen_class {
    CARDGEN_TYPEWRITER, /* Courier Prime */
    CARDGEN_SANS,       /* DejaVu Sans, Liberation Sans */
    CARDGEN_HAND,       /* handwriting-like: Comic Neue, Dancing Script */
} cardgen_class;

typedef struct cardgen_font {
    cardgen_class cls;
    const char *family; /* pango family name */
    int points;         /* size at 300 dpi */
} cardgen_font;

extern const cardgen_font cardgen_fonts[];
extern const int cardgen_nfonts;
extern const char *const cardgen_texts[];
extern const int cardgen_ntexts;
const char *cardgen_class_name(cardgen_class c);

typedef struct cardgen_spec {
    const cardgen_font *font;
    const char *text; /* lines separated by '\n' */
    double angle;     /* degrees; |angle| <= 3 */
    double noise;     /* sigma of scan noise, grey levels */
    int mirrored;     /* 1: the scan is mirrored (left-right) */
    unsigned seed;    /* paper stains, ink strength */
} cardgen_spec;

/* Renders a card: *out a 3-band 8-bit sRGB image (caller unrefs). */
int cardgen_make(const cardgen_spec *s, VipsImage **out, err *e);

/* The spec of card i of a standard series: font i % nfonts, text
 * (i / nfonts + i) % ntexts, angle and noise from i. */
void cardgen_standard(int i, cardgen_spec *s);

/* Character error rate parts: Levenshtein distance in code points between
 * the reference and the read text, each with runs of white space made one
 * space and trimmed; *ref_len the reference's code points. */
void cardgen_cer(const char *ref, const char *read, long *edits, long *ref_len);

#endif
