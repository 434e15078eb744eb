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

/* Opening quote code points and their closing partners. */
static unsigned closing_of(unsigned c)
{
    switch (c) {
    case 0x201E:
        return 0x201C; /* „ “ German */
    case 0x201C:
        return 0x201D; /* “ ” English */
    case 0x00AB:
        return 0x00BB; /* « » */
    case 0x00BB:
        return 0x00AB; /* » « German */
    case 0x201A:
        return 0x2018; /* ‚ ‘ */
    case '"':
        return '"';
    default:
        return 0;
    }
}

unsigned char *text_quote_mask(const char *text)
{
    size_t len = strlen(text);
    unsigned char *m = calloc(len + 1, 1);
    if (!m)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t l;
        unsigned c = text_cp(text + i, &l);
        unsigned want = closing_of(c);
        if (!want) {
            i += l;
            continue;
        }
        size_t j = i + l, close = 0;
        while (j < len && j - i <= TEXT_QUOTE_MAX) {
            size_t k;
            unsigned d = text_cp(text + j, &k);
            if (d == want || (want == 0x201C && d == 0x201D)) {
                close = j + k;
                break;
            }
            j += k;
        }
        if (!close) {
            i += l;
            continue;
        }
        memset(m + i, 1, close - i);
        i = close;
    }
    return m;
}
