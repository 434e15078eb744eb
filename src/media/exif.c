#include "media/exif.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static size_t copy_trimmed(const char *s, size_t n, char *out, size_t size)
{
    while (n > 0 && (*s == ' ' || *s == '\0'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\0'))
        n--;
    if (size == 0)
        return 0;
    if (n >= size)
        n = size - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

size_t exif_vips_value(const char *vs, char *out, size_t size)
{
    if (!vs)
        return copy_trimmed("", 0, out, size);
    size_t len = strlen(vs);
    /* The value itself may contain " (", so find the split where the text in the
     * parentheses repeats the value: "V (V, ...)". */
    for (const char *p = strstr(vs, " ("); p; p = strstr(p + 1, " (")) {
        size_t k = (size_t)(p - vs);
        if (len >= 2 * k + 4 && strncmp(p + 2, vs, k) == 0 && p[2 + k] == ',' && vs[len - 1] == ')')
            return copy_trimmed(vs, k, out, size);
    }
    return copy_trimmed(vs, len, out, size);
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int exif_datetime_iso(const char *d, char out[32])
{
    out[0] = '\0';
    if (!d)
        return 0;
    while (*d == ' ')
        d++;
    /* YYYY?MM?DD with ':' or '-' as the separator */
    if (!digits(d, 4) || (d[4] != ':' && d[4] != '-') || !digits(d + 5, 2) || d[7] != d[4] || !digits(d + 8, 2))
        return 0;
    int y = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    int mo = (d[5] - '0') * 10 + (d[6] - '0'), da = (d[8] - '0') * 10 + (d[9] - '0');
    if (y == 0 || mo < 1 || mo > 12 || da < 1 || da > 31)
        return 0;
    int n = snprintf(out, 32, "%.4s-%.2s-%.2s", d, d + 5, d + 8);
    const char *t = d + 10;
    if ((*t == ' ' || *t == 'T') && digits(t + 1, 2) && t[3] == ':' && digits(t + 4, 2) && t[6] == ':' &&
        digits(t + 7, 2)) {
        int h = (t[1] - '0') * 10 + (t[2] - '0'), mi = (t[4] - '0') * 10 + (t[5] - '0'),
            s = (t[7] - '0') * 10 + (t[8] - '0');
        if (h < 24 && mi < 60 && s < 61)
            snprintf(out + n, (size_t)(32 - n), "T%.2s:%.2s:%.2s", t + 1, t + 4, t + 7);
    }
    return 1;
}
