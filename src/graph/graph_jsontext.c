/* graph_jsontext.c — graph_jsontext.h. */
#include "graph/graph_jsontext.h"
#include "graph/graph_utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(jsontext *t, const char *s, size_t n)
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

void jsontext_raw(jsontext *t, const char *s)
{
    put(t, s, strlen(s));
}

void jsontext_rawn(jsontext *t, const char *s, size_t n)
{
    put(t, s, n);
}

void jsontext_string(jsontext *t, const char *s)
{
    if (!s) {
        put(t, "null", 4);
        return;
    }
    size_t len = strlen(s), i = 0, run = 0;
    put(t, "\"", 1);
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        uint32_t cp;
        size_t n = ch < 0x80 ? 1 : graph_utf8_next((const unsigned char *)s + i, len - i, &cp);
        if (n > 0 && ch >= 0x20 && ch != '"' && ch != '\\') {
            run += n;
            i += n;
            continue;
        }
        put(t, s + i - run, run);
        run = 0;
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
        i += n;
    }
    put(t, s + i - run, run);
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

void jsontext_real(jsontext *t, double v)
{
    if (!isfinite(v)) {
        put(t, "null", 4);
        return;
    }
    /* jansson's jsonp_dtostr: %.17g, ".0" when neither '.' nor 'e' is in it,
     * and no '+' or leading zeros in the exponent */
    char num[40];
    int n = snprintf(num, sizeof num, "%.17g", v);
    if (n <= 0 || (size_t)n >= sizeof num - 3) { /* cannot happen for %.17g of a finite double */
        put(t, "null", 4);
        return;
    }
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
