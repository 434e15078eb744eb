/* text.c — folding and tokenizing on GLib's Unicode tables (already linked
 * through libvips): NFD, then the combining marks dropped, then case-folded. */
#include "annotate/text.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

unsigned text_cp(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *len = 1;
        return u[0];
    }
    gunichar c = g_utf8_get_char_validated(s, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
        *len = 1;
        return 0xFFFD;
    }
    *len = (size_t)(g_utf8_next_char(s) - s);
    return c;
}

/* The common case, plain ASCII, without GLib's tables. */
static char *fold_ascii(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t w = 0;
    bool space = true;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.' || c == '_' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            if (!space)
                out[w++] = ' ';
            space = true;
            continue;
        }
        out[w++] = (char)g_ascii_tolower(c);
        space = false;
    }
    while (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
    return out;
}

char *text_fold(const char *s, size_t len)
{
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; i++)
        ascii = (unsigned char)s[i] < 0x80 && s[i] != '\0';
    if (ascii)
        return fold_ascii(s, len);
    /* Copy with invalid bytes as spaces so GLib sees valid UTF-8. */
    char *clean = malloc(len + 1);
    if (!clean)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t l;
        unsigned c = text_cp(s + i, &l);
        if (i + l > len || c == 0xFFFD || c == 0) {
            clean[o++] = ' ';
            i++;
            continue;
        }
        memcpy(clean + o, s + i, l);
        o += l;
        i += l;
    }
    clean[o] = '\0';
    char *nfd = g_utf8_normalize(clean, (gssize)o, G_NORMALIZE_NFD);
    free(clean);
    if (!nfd)
        return NULL;
    char *folded = g_utf8_casefold(nfd, -1);
    g_free(nfd);
    if (!folded)
        return NULL;
    size_t n = strlen(folded);
    char *out = malloc(n + 1);
    if (!out) {
        g_free(folded);
        return NULL;
    }
    size_t w = 0;
    bool space = true; /* trims the front */
    for (const char *p = folded; *p;) {
        gunichar c = g_utf8_get_char(p);
        const char *next = g_utf8_next_char(p);
        GUnicodeType t = g_unichar_type(c);
        if (t == G_UNICODE_NON_SPACING_MARK || t == G_UNICODE_SPACING_MARK || t == G_UNICODE_ENCLOSING_MARK) {
            p = next;
            continue;
        }
        if (c == '.' || c == '_' || g_unichar_isspace(c)) {
            if (!space)
                out[w++] = ' ';
            space = true;
            p = next;
            continue;
        }
        memcpy(out + w, p, (size_t)(next - p));
        w += (size_t)(next - p);
        space = false;
        p = next;
    }
    while (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
    g_free(folded);
    return out;
}

static bool is_word_cp(unsigned c)
{
    return c != 0xFFFD && (g_unichar_isalnum(c) || g_unichar_ismark(c));
}

text_tok *text_tokenize(const char *text, size_t *n)
{
    *n = 0;
    size_t len = strlen(text), cap = 16;
    text_tok *t = malloc(cap * sizeof *t);
    if (!t)
        return NULL;
    bool space = true;
    for (size_t i = 0; i < len;) {
        size_t l;
        unsigned c = text_cp(text + i, &l);
        if (c == 0xFFFD || g_unichar_isspace(c)) {
            space = true;
            i += l;
            continue;
        }
        if (*n == cap) {
            text_tok *nt = realloc(t, cap * 2 * sizeof *t);
            if (!nt) {
                free(t);
                *n = 0;
                return NULL;
            }
            t = nt;
            cap *= 2;
        }
        text_tok *k = &t[(*n)++];
        k->start = i;
        k->space_before = space;
        space = false;
        if (!is_word_cp(c)) {
            k->kind = TEXT_PUNCT;
            k->end = i + l;
            k->upper = k->all_upper = k->digits = false;
            i += l;
            continue;
        }
        k->kind = TEXT_WORD;
        k->upper = g_unichar_isupper(c) || g_unichar_istitle(c);
        bool digits = true, all_upper = true;
        int letters = 0;
        size_t j = i;
        for (;;) {
            size_t cl;
            unsigned d = text_cp(text + j, &cl);
            if (j < len && is_word_cp(d)) {
                if (d > '9' || d < '0')
                    digits = false;
                if (g_unichar_isalpha(d)) {
                    letters++;
                    if (!g_unichar_isupper(d))
                        all_upper = false;
                }
                j += cl;
                continue;
            }
            /* inner apostrophe or hyphen joins two word parts */
            if (j < len && (d == '-' || d == '\'' || d == 0x2019)) {
                size_t nl;
                unsigned e = text_cp(text + j + cl, &nl);
                if (j + cl < len && is_word_cp(e) && !(e >= '0' && e <= '9' && digits)) {
                    j += cl;
                    continue;
                }
            }
            break;
        }
        k->end = j;
        k->digits = digits;
        k->all_upper = all_upper && letters >= 2;
        i = j;
    }
    if (*n == 0) {
        free(t);
        return NULL;
    }
    return t;
}

/* The quotation marks of German, English and French texts: each opening
 * mark with the closing marks that end it. "Single" marks (' ‘ ’ ‚) double as
 * apostrophes ("Peter's", "d'Arc", "Feb. '77", "dancers’"), so they open and
 * close only at a word's edge (apostrophe_like). */
typedef struct quote_style {
    unsigned open, close[3];
    bool apostrophe_like;
} quote_style;

static const quote_style quote_styles[] = {
    { 0x201E, { 0x201C, 0x201D, '"' }, false }, /* „…“ German, „…” and „…" as typed */
    { 0x201C, { 0x201D }, false },              /* “…” English */
    { 0x00AB, { 0x00BB }, false },              /* «…» French, Swiss */
    { 0x00BB, { 0x00AB }, false },              /* »…« German books */
    { 0x2039, { 0x203A }, false },              /* ‹…› */
    { 0x203A, { 0x2039 }, false },              /* ›…‹ */
    { '"', { '"' }, false },                    /* "…" */
    { 0x201A, { 0x2018, 0x2019 }, true },       /* ‚…‘ German single */
    { 0x2018, { 0x2019 }, true },               /* ‘…’ English single */
    { '\'', { '\'' }, true },                   /* '…' */
};

static const quote_style *quote_style_of(unsigned c)
{
    for (size_t k = 0; k < sizeof quote_styles / sizeof quote_styles[0]; k++)
        if (quote_styles[k].open == c)
            return &quote_styles[k];
    return NULL;
}

bool text_is_quote_mark(unsigned c, bool apostrophes)
{
    for (size_t k = 0; k < sizeof quote_styles / sizeof quote_styles[0]; k++) {
        if (quote_styles[k].apostrophe_like && !apostrophes)
            continue;
        if (quote_styles[k].open == c)
            return true;
        for (size_t j = 0; j < 3 && quote_styles[k].close[j]; j++)
            if (quote_styles[k].close[j] == c)
                return true;
    }
    return false;
}

/* The code point before byte i (0 at the start of the text). */
static unsigned cp_before(const char *text, size_t i)
{
    if (i == 0)
        return 0;
    const char *p = g_utf8_find_prev_char(text, text + i);
    size_t l;
    return p ? text_cp(p, &l) : 0;
}

static bool is_space_cp(unsigned c)
{
    return c == 0 || g_unichar_isspace(c);
}

/* An apostrophe-like mark at [i, i + l) opens a quote only after a word's
 * edge and before a word, and not as a year's apostrophe ("'77", "’80er"). */
static bool opens_at_edge(const char *text, size_t len, size_t i, size_t l)
{
    if (is_word_cp(cp_before(text, i)) || i + l >= len)
        return false;
    size_t a, b;
    unsigned c1 = text_cp(text + i + l, &a);
    if (is_space_cp(c1))
        return false;
    if (c1 >= '0' && c1 <= '9' && i + l + a < len) {
        unsigned c2 = text_cp(text + i + l + a, &b);
        unsigned c3 = i + l + a + b < len ? text_cp(text + i + l + a + b, &b) : 0;
        if (c2 >= '0' && c2 <= '9' && !(c3 >= '0' && c3 <= '9') &&
            !(c3 && text_is_quote_mark(c3, true))) /* '77 is a year; '77' a quote */
            return false;
    }
    return true;
}

/* An apostrophe-like mark at [j, j + k) closes a quote only after a word or
 * other mark and where no word goes on ("Peter's" is no close). */
static bool closes_at_edge(const char *text, size_t len, size_t j, size_t k)
{
    if (is_space_cp(cp_before(text, j)))
        return false;
    size_t l;
    return j + k >= len || !is_word_cp(text_cp(text + j + k, &l));
}

static bool is_close_of(const quote_style *st, unsigned d)
{
    for (size_t k = 0; k < 3 && st->close[k]; k++)
        if (st->close[k] == d)
            return true;
    return false;
}

bool text_quote_next(const char *text, size_t from, text_quote *q)
{
    size_t len = strlen(text);
    for (size_t i = from; i < len;) {
        unsigned char b = (unsigned char)text[i];
        if (b < 0x80 ? b != '"' && b != '\'' : b != 0xC2 && b != 0xE2) {
            i++; /* no mark starts here: every mark is '"', '\'', U+00xx or U+20xx */
            continue;
        }
        size_t l;
        unsigned c = text_cp(text + i, &l);
        const quote_style *st = quote_style_of(c);
        if (!st || (st->apostrophe_like && !opens_at_edge(text, len, i, l))) {
            i += l;
            continue;
        }
        size_t j = i + l, close = 0, close_len = 0;
        while (j < len && j - i <= TEXT_QUOTE_MAX) {
            size_t k;
            unsigned d = text_cp(text + j, &k);
            if (is_close_of(st, d) && (!st->apostrophe_like || closes_at_edge(text, len, j, k))) {
                close = j;
                close_len = k;
                break;
            }
            /* a second opening mark of the same kind before any close: this
             * one was an apostrophe, the quote (if any) starts there */
            if (st->apostrophe_like && d == st->open && opens_at_edge(text, len, j, k))
                break;
            j += k;
        }
        if (!close_len) {
            i += l;
            continue;
        }
        size_t s = i + l, e = close;
        for (size_t k; s < e && is_space_cp(text_cp(text + s, &k));)
            s += k;
        while (e > s) {
            size_t k;
            const char *p = g_utf8_find_prev_char(text + s, text + e);
            if (!p || !is_space_cp(text_cp(p, &k)))
                break;
            e = (size_t)(p - text);
        }
        *q = (text_quote){ .open = i, .start = s, .end = e, .close = close + close_len };
        return true;
    }
    return false;
}

unsigned char *text_quote_mask(const char *text)
{
    size_t len = strlen(text);
    unsigned char *m = calloc(len + 1, 1);
    if (!m)
        return NULL;
    text_quote q;
    for (size_t from = 0; text_quote_next(text, from, &q); from = q.close)
        memset(m + q.open, 1, q.close - q.open);
    return m;
}
