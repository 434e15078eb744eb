/* ocr_stage.h — the OCR stage (`facetag ocr`, and a step of `facetag run`):
 * reads the text of
 *   - every back of a print (store/catalog_ocr.h): the whole image, region
 *     "back"; its text becomes caption evidence about its front (annotate,
 *     source "ocr", with Tesseract's confidence);
 *   - every front, unless opts->fronts is off: text in the photo read at up to
 *     OCR_FRONT_EDGE pixels; lines Tesseract is confident of are kept, those in
 *     the outer band of the image as "margin" (mount captions, sheet margins),
 *     others as "front". When the photo shows some text, its mirror image is
 *     read too (ocr_mirror.h): text that reads better mirrored flags the photo
 *     as scanned mirror-wise (a check, annotate/checks.h).
 *
 * Where the time goes: Tesseract, ~0.5-1.5 s per back, 0.3-3 s per front
 * (twice when text was seen). So: incremental — a photo read with the same
 * engine and languages is not read again; a kill loses at most the photos
 * being read (each photo's result is one transaction); `threads` workers each
 * with its own Tesseract. */
#ifndef FACETAG_OCR_OCR_STAGE_H
#define FACETAG_OCR_OCR_STAGE_H

#include "core/error.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define OCR_FRONT_EDGE 2000

typedef struct ocr_options {
    const char *data_dir;
    int threads;       /* >= 1 */
    const char *langs; /* NULL: OCR_LANGS_DEFAULT */
    bool fronts;       /* read fronts too (text in photos, margins, mirrored scans) */
    int progress;      /* -1 bar on a terminal, 0 never, 1 always */
    FILE *messages;    /* stderr */
    /* NULL: every photo to read; else only these photo ids (n_only of
     * them), e.g. a photo just flipped (cli/cmd_flip.c) */
    const char *const *only;
    size_t n_only;
} ocr_options;

typedef struct ocr_summary {
    int64_t backs, fronts; /* photos read now */
    int64_t texts;         /* texts kept */
    int64_t mirrored;      /* fronts flagged as mirrored */
    int64_t failed;        /* photos that could not be read, each with a reason line */
    double seconds;
} ocr_summary;

/* 0 when the stage ran (see sum->failed); <0 when it could not run at all
 * (data folder, catalog, language data missing). */
int ocr_run(const ocr_options *opts, ocr_summary *sum, err *e);

#endif
