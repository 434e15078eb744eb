/* ocr_text.h — what Tesseract's text becomes before anyone reads it: valid
 * UTF-8, one line per text line, runs of white space one space, lines of only
 * specks and rules ("|", "~ ;", "—") dropped, typographic ligatures spelled
 * out, and a word broken at a line end by a hyphen joined again
 * ("Geburts-\ntag" -> "Geburtstag"; "Müller-\nLüdenscheid" keeps its hyphen:
 * the next line starts upper case). Any bytes are accepted (fuzzed:
 * tests/fuzz/fuzz_ocr_text.c). */
#ifndef FACETAG_OCR_OCR_TEXT_H
#define FACETAG_OCR_OCR_TEXT_H

#include <stddef.h>

/* Longest text kept (bytes); longer input is cut at a character boundary. */
#define OCR_TEXT_MAX 16384

/* The clean text of raw[0..len) (any bytes), malloc'd (caller frees); "" when
 * nothing readable is left; NULL only when out of memory. */
char *ocr_text_clean(const char *raw, size_t len);

/* Letters and digits in s (UTF-8; invalid bytes count as nothing). */
size_t ocr_text_alnum(const char *s);

#endif
