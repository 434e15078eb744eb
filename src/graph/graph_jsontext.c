/* graph_jsontext.c — graph_jsontext.h. */
#include "graph/graph_jsontext.h"
#include "graph/graph_utf8.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsontext_grow_put(jsontext *t, const char *s, size_t n)
{
    if (t->nomem || n == 0)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *ns = realloc(t->s, cap);
        if (!ns) {
            t->nomem = true;
            return;
        }
        t->s = ns;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void put(jsontext *t, const char *s, size_t n)
{
    jsontext_rawn(t, s, n);
}

/* A byte a JSON string holds as it is (ASCII, not a control character, quote
 * or backslash; NUL ends the string). */
static inline bool plain(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void jsontext_string(jsontext *t, const char *s)
{
    if (!s) {
        put(t, "null", 4);
        return;
    }
    const unsigned char *p = (const unsigned char *)s, *run = p;
    put(t, "\"", 1);
    for (;;) {
        while (plain(*p))
            p++;
        unsigned char ch = *p;
        if (ch == 0)
            break;
        uint32_t cp;
        /* a NUL ends a sequence early: 4 is a bound graph_utf8_next never reads past */
        size_t n = ch >= 0x80 ? graph_utf8_next(p, 4, &cp) : 1;
        if (ch >= 0x80 && n > 0) { /* well-formed UTF-8: as it is */
            p += n;
            continue;
        }
        put(t, (const char *)run, (size_t)(p - run));
        char esc[8];
        if (n == 0)
            jsontext_raw(t, "\\ufffd"), n = 1;
        else if (ch == '"' || ch == '\\')
            esc[0] = '\\', esc[1] = (char)ch, put(t, esc, 2);
        else if (ch == '\b')
            jsontext_raw(t, "\\b");
        else if (ch == '\f')
            jsontext_raw(t, "\\f");
        else if (ch == '\n')
            jsontext_raw(t, "\\n");
        else if (ch == '\r')
            jsontext_raw(t, "\\r");
        else if (ch == '\t')
            jsontext_raw(t, "\\t");
        else
            snprintf(esc, sizeof esc, "\\u%04X", ch), jsontext_raw(t, esc); /* uppercase, as jansson */
        p += n;
        run = p;
    }
    put(t, (const char *)run, (size_t)(p - run));
    put(t, "\"", 1);
}

void jsontext_int(jsontext *t, int64_t v)
{
    /* by hand: snprintf's format parsing showed in the profile of every graph answer */
    char num[24], *end = num + sizeof num, *p = end;
    uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put(t, p, (size_t)(end - p));
}

/* A finite real as jansson's jsonp_dtostr writes it: %.17g, ".0" when
 * neither '.' nor 'e' is in it, and no '+' or leading zeros in the exponent.
 * Returns the length written to num (size 40). */
static int real_text(double v, char num[40])
{
    int n = snprintf(num, 40, "%.17g", v);
    if (n <= 0 || n >= 40 - 3) /* cannot happen for %.17g of a finite double */
        return 0;
    char *exp = strchr(num, 'e');
    if (!exp && !strchr(num, '.')) {
        memcpy(num + n, ".0", 3);
        n += 2;
    }
    if (exp) {
        char *start = exp + 1, *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(num + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    return n;
}

/* Tenths 0.0 .. 199.9 (ages, to one decimal: a timeline entry writes some
 * hundred) written once per process: snprintf's %.17g cost more than the rest
 * of an entry's JSON. */
enum { TENTHS = 2000 };
static char tenths_text[TENTHS][24];
static unsigned char tenths_len[TENTHS];
static pthread_once_t tenths_once = PTHREAD_ONCE_INIT;

static void tenths_fill(void)
{
    for (int k = 0; k < TENTHS; k++) {
        char num[40];
        int n = real_text((double)k / 10, num);
        memcpy(tenths_text[k], num, (size_t)n);
        tenths_len[k] = (unsigned char)n;
    }
}

void jsontext_real(jsontext *t, double v)
{
    if (!isfinite(v)) {
        put(t, "null", 4);
        return;
    }
    if (v >= 0 && v < TENTHS / 10) {
        int k = (int)(v * 10 + 0.5);
        if (k < TENTHS && (double)k / 10 == v) { /* the same double: the same text */
            pthread_once(&tenths_once, tenths_fill);
            put(t, tenths_text[k], tenths_len[k]);
            return;
        }
    }
    char num[40];
    int n = real_text(v, num);
    if (n == 0)
        put(t, "null", 4);
    else
        put(t, num, (size_t)n);
}

char *jsontext_take(jsontext *t, size_t *len)
{
    char *s = t->nomem ? NULL : t->s;
    if (!s)
        free(t->s);
    *len = s ? t->len : 0;
    *t = (jsontext){ 0 };
    return s;
}
