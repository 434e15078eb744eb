/* graph_jsontext.c — graph_jsontext.h. */
#include "graph/graph_jsontext.h"
#include "graph/graph_utf8.h"

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
        else if (ch == '\n')
            jsontext_raw(t, "\\n");
        else if (ch == '\t')
            jsontext_raw(t, "\\t");
        else if (ch == '\r')
            jsontext_raw(t, "\\r");
        else
            snprintf(esc, sizeof esc, "\\u%04x", ch), jsontext_raw(t, esc);
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

char *jsontext_take(jsontext *t, size_t *len)
{
    char *s = t->nomem ? NULL : t->s;
    if (!s)
        free(t->s);
    *len = s ? t->len : 0;
    *t = (jsontext){ 0 };
    return s;
}
