/* text.h — the small UTF-8 tools the annotate parsers share: folding a string to
 * its search key (case-folded, accents removed: "Müller" -> "muller", as an
 * archivist's search would match it), a tokenizer that keeps byte offsets into
 * the original text, and the spans of quoted titles ("„Nelken“", "\"1980\"")
 * that the date and place parsers skip (a title is not a date).
 *
 * Every function takes NUL-terminated UTF-8; invalid bytes are treated as
 * separators, never read past the end. Returned strings are malloc'd. */
#ifndef FACETAG_ANNOTATE_TEXT_H
#define FACETAG_ANNOTATE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The search key of s[0..len): case-folded, accents and other combining marks
 * removed, '.', '_' and runs of white space made one space, trimmed.
 * malloc'd (caller frees); NULL only when out of memory. */
char *text_fold(const char *s, size_t len);

typedef enum text_tok_kind {
    TEXT_WORD,  /* letters, digits, inner ' and -, e.g. "Sung-hong", "d'Arc", "1977" */
    TEXT_PUNCT, /* any other single character (UTF-8 sequence) that is not space */
} text_tok_kind;

typedef struct text_tok {
    size_t start, end; /* byte offsets into the text */
    text_tok_kind kind;
    bool upper;        /* word starting with an upper-case letter */
    bool all_upper;    /* word of >= 2 letters, all upper case ("BAM") */
    bool digits;       /* word of ASCII digits only */
    bool space_before; /* white space (or the start) before it */
} text_tok;

/* Splits text into tokens; *n set to the count. malloc'd array (caller frees),
 * NULL with *n = 0 when text has none or memory ran out. */
text_tok *text_tokenize(const char *text, size_t *n);

/* Marks which bytes of text lie inside quotation marks: „…“ “…” «…» »…« ‚…‘
 * "…" (an opening mark counts when its partner follows within
 * TEXT_QUOTE_MAX bytes). A title in quotes is read as a title, not as a date or
 * a place. Returns a malloc'd array of strlen(text) + 1 flags (caller frees),
 * NULL when out of memory. */
#define TEXT_QUOTE_MAX 200
unsigned char *text_quote_mask(const char *text);

/* The first code point at s (U+FFFD for an invalid byte), its length in *len. */
unsigned text_cp(const char *s, size_t *len);

#endif
