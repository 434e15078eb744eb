/* ocr_text.c — cleaning OCR output (ocr_text.h). */
#include "ocr/ocr_text.h"

#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* One line being built: code points, then checked and appended. */
typedef struct line {
    GString *s;
    size_t alnum;
} line;

static void put_cp(GString *s, gunichar c)
{
    char b[6];
    int n = g_unichar_to_utf8(c, b);
    g_string_append_len(s, b, n);
}

size_t ocr_text_alnum(const char *s)
{
    size_t n = 0;
    const char *end = s + strlen(s);
    for (const char *p = s; p < end;) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            p++;
            continue;
        }
        n += g_unichar_isalnum(c) != 0;
        p = g_utf8_next_char(p);
    }
    return n;
}

/* A line worth keeping: at least two letters or digits, or one that is the
 * whole line ("7"). Rules, specks and frames are not text. */
static bool keep(const line *l)
{
    return l->alnum >= 2 || (l->alnum == 1 && l->s->len <= 2);
}

/* Appends line l to out, joining a hyphenated word over the break. */
static void flush(GString *out, line *l)
{
    /* trim the trailing space */
    if (l->s->len && l->s->str[l->s->len - 1] == ' ')
        g_string_truncate(l->s, l->s->len - 1);
    if (keep(l) && out->len + l->s->len + 1 <= OCR_TEXT_MAX) {
        gunichar first = g_utf8_get_char(l->s->str);
        bool hyphen = out->len >= 2 && out->str[out->len - 1] == '-';
        if (hyphen) { /* "Geburts-" + "tag": a letter before the hyphen, lower case after */
            const char *prev = g_utf8_find_prev_char(out->str, out->str + out->len - 1);
            hyphen = prev && g_unichar_isalpha(g_utf8_get_char(prev)) && g_unichar_islower(first);
        }
        if (hyphen)
            g_string_truncate(out, out->len - 1);
        else if (out->len)
            g_string_append_c(out, '\n');
        g_string_append_len(out, l->s->str, (gssize)l->s->len);
    }
    g_string_truncate(l->s, 0);
    l->alnum = 0;
}

char *ocr_text_clean(const char *raw, size_t len)
{
    GString *out = g_string_sized_new(len < OCR_TEXT_MAX ? len + 1 : OCR_TEXT_MAX);
    line l = { .s = g_string_new(NULL), .alnum = 0 };
    const char *p = raw, *end = raw + len;
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2 || c == 0) { /* invalid or NUL: dropped */
            p++;
            continue;
        }
        p = g_utf8_next_char(p);
        if (c == '\n' || c == '\f' || c == 0x2028 || c == 0x2029 || c == '\v') {
            flush(out, &l);
            continue;
        }
        if (c == '\r') {
            if (p < end && *p == '\n')
                continue;
            flush(out, &l);
            continue;
        }
        if (g_unichar_isspace(c) || g_unichar_iscntrl(c) || g_unichar_type(c) == G_UNICODE_FORMAT) {
            if (l.s->len && l.s->str[l.s->len - 1] != ' ')
                g_string_append_c(l.s, ' ');
            continue;
        }
        if (l.s->len >= OCR_TEXT_MAX) /* one endless line: the rest of it is dropped */
            continue;
        switch (c) { /* ligatures Tesseract's German and English data emit */
        case 0xFB00:
            g_string_append(l.s, "ff");
            l.alnum += 2;
            continue;
        case 0xFB01:
            g_string_append(l.s, "fi");
            l.alnum += 2;
            continue;
        case 0xFB02:
            g_string_append(l.s, "fl");
            l.alnum += 2;
            continue;
        case 0xFB03:
            g_string_append(l.s, "ffi");
            l.alnum += 3;
            continue;
        case 0xFB04:
            g_string_append(l.s, "ffl");
            l.alnum += 3;
            continue;
        case 0xFB05:
        case 0xFB06:
            g_string_append(l.s, "st");
            l.alnum += 2;
            continue;
        default:
            break;
        }
        put_cp(l.s, c);
        l.alnum += g_unichar_isalnum(c) != 0;
    }
    flush(out, &l);
    g_string_free(l.s, TRUE);
    return g_string_free(out, FALSE);
}
