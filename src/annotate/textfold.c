/* textfold.c — folding text into comparable words (textfold.h). */
#include "annotate/textfold.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The base letters of a Latin-1 Supplement / Latin Extended-A code point
 * written to out (NUL-terminated); 0 when cp is neither. */
static int fold_latin(uint32_t cp, char out[3])
{
    static const char *const l1[64] = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  /* C0-CF */
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss", /* D0-DF */
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",  /* E0-EF */
        "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"
    };                             /* F0-FF */
    static const char ext_a[129] = /* U+0100..U+017F, one base letter per code point */
        "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllllnnnnnnnnnoooooooorrrrrrssssssss"
        "ttttttuuuuuuuuuuuuwwyyyzzzzzzs";
    if (cp >= 0xC0 && cp <= 0xFF) {
        snprintf(out, 3, "%s", l1[cp - 0xC0]);
        return 1;
    }
    if (cp >= 0x100 && cp <= 0x17F) {
        out[0] = ext_a[cp - 0x100];
        out[1] = '\0';
        return 1;
    }
    return 0;
}

/* Decodes one UTF-8 code point at s (bad bytes read as themselves). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80 || (s[0] & 0xE0) == 0x80) {
        *cp = s[0];
        return 1;
    }
    int len = (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 1;
    uint32_t v = len == 2 ? s[0] & 0x1F : len == 3 ? s[0] & 0x0F : s[0] & 0x07;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = s[0];
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = len == 1 ? s[0] : v;
    return (size_t)len;
}

/* Splits text into folded words (lowercase, accents off; letters, digits and
 * any other non-ASCII code point are word characters) written NUL-separated to
 * out (size >= 3 * strlen(text) + 2); returns the number of words. */
size_t textfold_words(const char *text, char *out)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = 0, words = 0;
    int in_word = 0;
    while (*s) {
        uint32_t cp;
        size_t len = utf8_next(s, &cp);
        const char *rep = NULL;
        char ascii[2] = { 0, 0 }, latin[3];
        if (cp < 0x80) {
            if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
                ascii[0] = (char)cp;
            else if (cp >= 'A' && cp <= 'Z')
                ascii[0] = (char)(cp - 'A' + 'a');
            rep = ascii[0] ? ascii : NULL;
        } else if (cp == 0xD7 || cp == 0xF7 || (cp >= 0x80 && cp < 0xC0)) {
            rep = NULL; /* ×, ÷, Latin-1 punctuation */
        } else {
            rep = fold_latin(cp, latin) ? latin : NULL;
            if (!rep) { /* another script: the code point itself */
                memcpy(out + n, s, len);
                n += len;
                in_word = 1;
                s += len;
                continue;
            }
        }
        if (rep && *rep) {
            size_t m = strlen(rep);
            memcpy(out + n, rep, m);
            n += m;
            in_word = 1;
        } else if (in_word) {
            out[n++] = '\0';
            words++;
            in_word = 0;
        }
        s += len;
    }
    if (in_word) {
        out[n++] = '\0';
        words++;
    }
    out[n] = '\0';
    return words;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *textfold_name_key(const char *name)
{
    size_t len = strlen(name);
    char *buf = malloc(3 * len + 2), *out = malloc(3 * len + 2);
    size_t nw = buf ? textfold_words(name, buf) : 0;
    char **words = calloc(nw ? nw : 1, sizeof *words);
    if (!buf || !out || !words) {
        free(buf);
        free(out);
        free(words);
        return NULL;
    }
    char *w = buf;
    for (size_t i = 0; i < nw; i++, w += strlen(w) + 1)
        words[i] = w;
    qsort(words, nw, sizeof *words, cmp_str);
    size_t n = 0;
    for (size_t i = 0; i < nw; i++) {
        size_t m = strlen(words[i]);
        if (i)
            out[n++] = ' ';
        memcpy(out + n, words[i], m);
        n += m;
    }
    out[n] = '\0';
    free(words);
    free(buf);
    return out;
}
