/* ocr_engine.h — Tesseract (its C API, Debian's libtesseract) reading the
 * text of an image: the words with their confidence and box, in reading
 * order, and the page's text put together from them (ocr_text.h cleans it).
 *
 * One engine per thread: Tesseract's TessBaseAPI is not shared between
 * threads. Opening loads the language data (deu+eng, ~15 MB, ~0.3 s): open
 * once per worker, read many images. */
#ifndef FACETAG_OCR_OCR_ENGINE_H
#define FACETAG_OCR_OCR_ENGINE_H

#include "core/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <vips/vips.h>

#define OCR_LANGS_DEFAULT "deu+eng"
#define OCR_SMALL_EDGE 1000 /* images whose longest edge is below this are read at twice their size */

typedef struct ocr_engine ocr_engine;

typedef struct ocr_word {
    char *text;       /* UTF-8, malloc'd */
    float confidence; /* Tesseract's word confidence, 0..100 */
    int x, y, w, h;   /* in the pixels of the image read */
    int line;         /* text line number, from 0, in reading order */
    bool dictionary;  /* Tesseract found the word in its language's word list */
} ocr_word;

typedef struct ocr_page {
    ocr_word *words; /* malloc'd, n of them, reading order */
    size_t n;
    char *text;        /* the words joined: ' ' within a line, '\n' between lines; malloc'd */
    double confidence; /* mean word confidence weighted by letters, 0..100; 0 with no words */
    double seconds;    /* time Tesseract took */
} ocr_page;

/* Opens an engine for langs ("deu+eng"; NULL: OCR_LANGS_DEFAULT) with the
 * system's tessdata (or TESSDATA_PREFIX). NULL with e set naming the missing
 * language data (package tesseract-ocr-deu / -eng). */
ocr_engine *ocr_engine_open(const char *langs, err *e);
void ocr_engine_close(ocr_engine *o);
/* "tesseract 5.3.0 deu+eng": what a stored result was read with. */
const char *ocr_engine_version(const ocr_engine *o);

/* Reads im (any bands/format; made 8-bit grey here; a 3x3 median takes
 * scan noise out first; enlarged twice below OCR_SMALL_EDGE). The whole image is one page (automatic layout).
 * out is filled (caller frees with ocr_page_free) — also on an image with no
 * text (n = 0, text ""). <0 with e set when Tesseract fails or memory ran out. */
int ocr_engine_read(ocr_engine *o, VipsImage *im, ocr_page *out, err *e);
/* The same for a photo that may show some text anywhere (a sign, a caption
 * on the print): Tesseract's sparse-text layout, which looks for words
 * without assuming a page of lines; lines are its own blocks. */
int ocr_engine_read_sparse(ocr_engine *o, VipsImage *im, ocr_page *out, err *e);
void ocr_page_free(ocr_page *p);

/* The page's score as text: the letters of words Tesseract is confident of
 * (confidence >= 60, at least 3 letters) — a dictionary word counts twice.
 * Mirrored text scores near 0; readable text scores its length. */
double ocr_page_text_score(const ocr_page *p);

#endif
