/* ocr_mirror.h — does text in a photo read mirrored? Tesseract reads the
 * photo and its mirror image; each reading gets a text score
 * (ocr_page_text_score: letters of words read with confidence, dictionary
 * words twice). Mirrored text read as it is gives low-confidence fragments;
 * read mirrored it gives words. A photo is flagged only when its mirror image
 * scores clearly more than it and at least OCR_MIRROR_MIN_SCORE: a photo
 * without text (faces, trees) scores near 0 both ways and is never flagged. */
#ifndef FACETAG_OCR_OCR_MIRROR_H
#define FACETAG_OCR_OCR_MIRROR_H

#include "ocr/ocr_engine.h"

#include <stdbool.h>

#define OCR_MIRROR_MIN_SCORE 12.0 /* letters: about two confident words */
#define OCR_MIRROR_RATIO 2.0      /* mirror image's score against the image's (+ 4) */

/* The decision from the two scores. */
bool ocr_mirror_decide(double score, double score_flipped);

typedef struct ocr_mirror_result {
    ocr_page page;     /* im read as it is */
    ocr_page flipped;  /* its mirror image read; n = 0 when not read */
    bool read_flipped; /* the image showed some text (a word of >= 3 letters, however sure) */
    double score, score_flipped;
    bool mirrored;
} ocr_mirror_result;

/* Reads im, and its mirror image when im shows some text; decides. Both pages
 * are freed by ocr_mirror_result_free. <0 with e set when Tesseract fails. */
int ocr_mirror_check(ocr_engine *o, VipsImage *im, ocr_mirror_result *r, err *e);
void ocr_mirror_result_free(ocr_mirror_result *r);

#endif
