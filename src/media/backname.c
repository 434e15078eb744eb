/* backname.c — backs of prints by name (backname.h). */
#include "media/backname.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* NFC + case-folded copy of s[0..len), NULL when it is not UTF-8. */
static char *fold(const char *s, size_t len)
{
    if (!g_utf8_validate(s, (gssize)len, NULL))
        return NULL;
    char *n = g_utf8_normalize(s, (gssize)len, G_NORMALIZE_NFC);
    if (!n)
        return NULL;
    char *f = g_utf8_casefold(n, -1);
    g_free(n);
    return f;
}

static bool word_in(const char *suffix, const char *words)
{
    bool hit = false;
    for (const char *p = words; !hit && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && (*p == ' '))
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n) {
            char *w = fold(p, n);
            hit = w && strcmp(w, suffix) == 0;
            g_free(w);
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return hit;
}

int backname_match(const char *name, const char *words, size_t *front_len)
{
    if (!words)
        words = BACKNAME_WORDS_DEFAULT;
    const char *dot = strrchr(name, '.');
    size_t stem = dot && dot > name ? (size_t)(dot - name) : strlen(name);
    size_t sep = stem;
    while (sep > 0 && !strchr("_- .", name[sep - 1]))
        sep--;
    if (sep < 2 || sep == stem) /* no separator, nothing before it, or nothing after it */
        return 0;
    char *suffix = fold(name + sep, stem - sep);
    bool hit = suffix && word_in(suffix, words);
    g_free(suffix);
    if (!hit)
        return 0;
    size_t front = sep - 1;
    while (front > 0 && strchr("_- ", name[front - 1])) /* "IMG 12 - back" */
        front--;
    if (front == 0)
        return 0;
    if (front_len)
        *front_len = front;
    return 1;
}
