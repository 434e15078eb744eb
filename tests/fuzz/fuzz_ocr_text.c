/* fuzz_ocr_text.c — fuzz target of the OCR stage's readers of outside text:
 * Tesseract's text as cleaned (ocr/ocr_text.h: any bytes, the result must be
 * valid UTF-8 no longer than OCR_TEXT_MAX, with no empty line, and cleaning it
 * again must change nothing), file names that may name the back of a print
 * (media/backname.h, with the default words and with words taken from the
 * input), and the back's sidecar JSON (ingest/ingest_back.h). The sanitizers
 * judge the rest. Built as a libFuzzer binary with clang (-DFACETAG_FUZZ=ON:
 * fuzz_ocr_text CORPUS_DIR), replayed by `make test` over the seed corpus and
 * thousands of mutations of it. */
#include "ingest/ingest_back.h"
#include "media/backname.h"
#include "ocr/ocr_text.h"

#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *clean = ocr_text_clean((const char *)data, size);
    if (!clean)
        return 0;
    size_t n = strlen(clean);
    if (n > OCR_TEXT_MAX || !g_utf8_validate(clean, (gssize)n, NULL) || strstr(clean, "\n\n") ||
        (n && (clean[0] == '\n' || clean[n - 1] == '\n' || clean[n - 1] == ' ')))
        abort();
    char *again = ocr_text_clean(clean, n);
    if (!again || strcmp(again, clean) != 0) /* cleaning is idempotent */
        abort();
    free(again);
    free(clean);

    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text), front = 0;
    if (backname_match(text, NULL, &front) && (front == 0 || front >= len))
        abort();
    /* the first line as the words, the rest as the name */
    char *nl = strchr(text, '\n');
    if (nl) {
        *nl = '\0';
        size_t rest = strlen(nl + 1);
        if (backname_match(nl + 1, text, &front) && (front == 0 || front >= rest))
            abort();
        *nl = '\n';
    }
    ingest_back b;
    ingest_back_detect("/archive/box/IMG_0001_back.jpg", text, NULL, &b);
    if (!b.is_back || strlen(b.front_path) >= sizeof b.front_path)
        abort();
    ingest_back_detect(text, NULL, NULL, &b);
    free(text);
    return 0;
}
