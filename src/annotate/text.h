/* text.h — the small UTF-8 tools the annotate parsers share: folding a string to
 * its search key (case-folded, accents removed: "Müller" -> "muller", as an
 * archivist's search would match it), a tokenizer that keeps byte offsets into
 * the original text, and the spans of quoted titles ("„Nelken“", "\"1980\"", « 1977 »)
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

/* Quotation marks: „…“ (also „…” and „…" as typed), “…”, «…», »…«, ‹…›, ›…‹,
 * "…", and the single marks ‚…‘, ‘…’, '…'. The single marks double as
 * apostrophes, so they open only at a word's start (not "'77", a year) and
 * close only at a word's end ("Peter's", "dancers’ room" close nothing).
 * An opening mark counts when a closing partner follows within
 * TEXT_QUOTE_MAX bytes. A title in quotes is read as a title, not as a date,
 * a place or a name. */
#define TEXT_QUOTE_MAX 200

/* One quoted span: the opening mark at [open, ...), the quoted words at
 * [start, end) with white space inside the marks left out (« 1977 » is
 * "1977"), the closing mark ending at close. Byte offsets into the text. */
typedef struct text_quote {
    size_t open, start, end, close;
} text_quote;

/* The first quoted span whose opening mark lies at or after byte from; false
 * when there is none. Walk a text by from = q.close. No allocation. */
bool text_quote_next(const char *text, size_t from, text_quote *q);

/* Whether code point c is an opening or closing mark of the styles above;
 * the single marks (' ‘ ’ ‚) only when apostrophes is true. */
bool text_is_quote_mark(unsigned c, bool apostrophes);

/* Marks which bytes of text lie inside a quoted span, marks included.
 * Returns a malloc'd array of strlen(text) + 1 flags (caller frees), NULL
 * when out of memory. */
unsigned char *text_quote_mask(const char *text);

/* The first code point at s (U+FFFD for an invalid byte), its length in *len. */
unsigned text_cp(const char *s, size_t *len);

#endif
