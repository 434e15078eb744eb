/* dates.c — a small grammar over text.h's tokens. Each pattern is tried at
 * every token, longest first; a hit consumes its tokens. */
#include "annotate/dates.h"
#include "annotate/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Month and season words, folded (text_fold), German and English, with the
 * common abbreviations of both ("Febr.", "Sept.", "Okt."). */
static const struct {
    const char *word;
    int month;
} month_words[] = {
    { "januar", 1 }, { "jan", 1 },       { "janner", 1 },    { "january", 1 },   { "februar", 2 }, { "feb", 2 },
    { "febr", 2 },   { "february", 2 },  { "feber", 2 },     { "marz", 3 },      { "maerz", 3 },   { "mar", 3 },
    { "march", 3 },  { "mrz", 3 },       { "april", 4 },     { "apr", 4 },       { "mai", 5 },     { "may", 5 },
    { "juni", 6 },   { "jun", 6 },       { "june", 6 },      { "juli", 7 },      { "jul", 7 },     { "july", 7 },
    { "august", 8 }, { "aug", 8 },       { "september", 9 }, { "sep", 9 },       { "sept", 9 },    { "oktober", 10 },
    { "okt", 10 },   { "october", 10 },  { "oct", 10 },      { "november", 11 }, { "nov", 11 },    { "dezember", 12 },
    { "dez", 12 },   { "december", 12 }, { "dec", 12 },
};
/* Seasons start at their first month; winter at December of the first year of
 * a "1977/78" pair, else at January. */
static const struct {
    const char *word;
    int month;
} season_words[] = {
    { "fruhling", 3 }, { "fruhjahr", 3 }, { "spring", 3 }, { "sommer", 6 },  { "summer", 6 },
    { "herbst", 9 },   { "autumn", 9 },   { "fall", 9 },   { "winter", 12 },
};
static const char *const approx_words[] = { "ca",     "circa",         "um", "etwa", "about",
                                            "approx", "approximately", "c",  "gegen" };

typedef struct ctx {
    const char *text;
    const text_tok *t;
    size_t n;
    char (*fold)[16]; /* folded short words, "" for others */
    const unsigned char *quoted;
} ctx;

static size_t tok_len(const ctx *c, size_t i)
{
    return c->t[i].end - c->t[i].start;
}

static bool is_punct(const ctx *c, size_t i, char ch)
{
    return i < c->n && c->t[i].kind == TEXT_PUNCT && tok_len(c, i) == 1 && c->text[c->t[i].start] == ch;
}

/* Value of a digits-only word of 1..4 digits, or -1. */
static int num(const ctx *c, size_t i, size_t *ndigits)
{
    if (i >= c->n || !c->t[i].digits || tok_len(c, i) > 4)
        return -1;
    int v = 0;
    for (size_t k = c->t[i].start; k < c->t[i].end; k++)
        v = v * 10 + (c->text[k] - '0');
    if (ndigits)
        *ndigits = tok_len(c, i);
    return v;
}

static bool year_ok(int y)
{
    return y >= 1826 && y <= 2100;
}

static int year4(const ctx *c, size_t i)
{
    size_t nd = 0;
    int v = num(c, i, &nd);
    return nd == 4 && year_ok(v) ? v : -1;
}

/* A two-digit year after a month word: 00-30 -> 20xx, else 19xx. */
static int year2(int v)
{
    return v <= 30 ? 2000 + v : 1900 + v;
}

static int month_of(const ctx *c, size_t i)
{
    if (i >= c->n || c->t[i].kind != TEXT_WORD || !c->fold[i][0])
        return 0;
    for (size_t k = 0; k < sizeof month_words / sizeof month_words[0]; k++)
        if (strcmp(c->fold[i], month_words[k].word) == 0) {
            /* "Mai" and "may" are months only when capitalised ("may" is a verb) */
            if (strlen(month_words[k].word) <= 3 && !c->t[i].upper)
                return 0;
            return month_words[k].month;
        }
    return 0;
}

static int season_of(const ctx *c, size_t i)
{
    if (i >= c->n || c->t[i].kind != TEXT_WORD || !c->fold[i][0])
        return 0;
    for (size_t k = 0; k < sizeof season_words / sizeof season_words[0]; k++)
        if (strcmp(c->fold[i], season_words[k].word) == 0)
            return season_words[k].month;
    return 0;
}

static bool approx_at(const ctx *c, size_t i)
{
    if (i >= c->n || c->t[i].kind != TEXT_WORD || !c->fold[i][0])
        return false;
    for (size_t k = 0; k < sizeof approx_words / sizeof approx_words[0]; k++)
        if (strcmp(c->fold[i], approx_words[k]) == 0)
            return true;
    return false;
}

static int days_in(int y, int m)
{
    static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

static bool day_ok(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= days_in(y, m);
}

/* After a year at token i: "/78", "/1978", "-78" as a range end; returns the
 * tokens used (0 or 2) and sets *end. */
static size_t range_after(const ctx *c, size_t i, int y, int *end)
{
    if (!(is_punct(c, i + 1, '/') || is_punct(c, i + 1, '-')) || i + 2 >= c->n)
        return 0;
    if (c->t[i + 1].space_before || c->t[i + 2].space_before)
        return 0;
    size_t nd = 0;
    int v = num(c, i + 2, &nd);
    int e = nd == 2 ? (y / 100) * 100 + v : nd == 4 ? v : -1;
    if (nd == 2 && e < y)
        e += 100;
    if (e == y + 1 || (nd == 4 && e > y && e <= y + 10)) {
        *end = e;
        return 2;
    }
    return 0;
}

/* The year after a month word at token i (skipping its "." and "'"):
 * returns the year and the index of its token, or -1. */
static int year_after_month(const ctx *c, size_t i, size_t *yi)
{
    size_t j = i + 1;
    if (is_punct(c, j, '.'))
        j++;
    if (is_punct(c, j, ','))
        j++;
    bool apos = false;
    if (j < c->n && c->t[j].kind == TEXT_PUNCT &&
        (c->text[c->t[j].start] == '\'' || strncmp(c->text + c->t[j].start, "\xe2\x80\x99", 3) == 0))
        j++, apos = true;
    if (j >= c->n)
        return -1;
    size_t nd = 0;
    int v = num(c, j, &nd);
    int y = -1;
    if (nd == 4 && year_ok(v))
        y = v;
    else if (nd == 2 && (apos || v >= 0))
        y = year2(v);
    if (y < 0)
        return -1;
    /* "Mai 12" is a day, not 2012: a two-digit number after a month word is a
     * year only when no 4-digit year follows ("Mai 12, 1977" is handled by the
     * English day form before this). */
    if (nd == 2 && j + 2 < c->n && is_punct(c, j + 1, ',') && year4(c, j + 2) > 0)
        return -1;
    *yi = j;
    return y;
}

typedef struct found {
    date_hit h;
    size_t first, last; /* tokens */
} found;

/* Tries every pattern at token i; true with *f filled on a hit. */
static bool match_at(const ctx *c, size_t i, found *f)
{
    memset(f, 0, sizeof *f);
    f->first = i;
    const text_tok *t = c->t;
    int y, m, d;
    size_t yi;

    /* ISO: 1977-02-14, 1977-02 (no spaces) */
    if ((y = year4(c, i)) > 0 && is_punct(c, i + 1, '-') && !t[i + 1].space_before && i + 2 < c->n &&
        !t[i + 2].space_before) {
        size_t nd = 0;
        m = num(c, i + 2, &nd);
        if (nd == 2 && m >= 1 && m <= 12) {
            f->h = (date_hit){ .year = y, .month = m, .precision = DATE_MONTH };
            f->last = i + 2;
            if (is_punct(c, i + 3, '-') && !t[i + 3].space_before && i + 4 < c->n && !t[i + 4].space_before) {
                d = num(c, i + 4, &nd);
                if (nd == 2 && day_ok(y, m, d)) {
                    f->h.day = d;
                    f->h.precision = DATE_DAY;
                    f->last = i + 4;
                }
            }
            return true;
        }
    }
    /* Numeric day first: 14.02.1977, 14.2.77, 14/02/1977 */
    size_t nd1 = 0, nd2 = 0, nd3 = 0;
    if ((d = num(c, i, &nd1)) > 0 && nd1 <= 2 && i + 4 < c->n && (is_punct(c, i + 1, '.') || is_punct(c, i + 1, '/')) &&
        !t[i + 1].space_before && !t[i + 2].space_before) {
        char sep = c->text[t[i + 1].start];
        m = num(c, i + 2, &nd2);
        if (m >= 1 && m <= 12 && nd2 <= 2 && is_punct(c, i + 3, sep) && !t[i + 3].space_before &&
            !t[i + 4].space_before) {
            int yy = num(c, i + 4, &nd3);
            y = nd3 == 4 && year_ok(yy) ? yy : nd3 == 2 ? year2(yy) : -1;
            if (y > 0 && day_ok(y, m, d)) {
                f->h = (date_hit){ .year = y, .month = m, .day = d, .precision = DATE_DAY };
                f->last = i + 4;
                return true;
            }
        }
    }
    /* 14. Februar 1977, 14 February 1977 */
    if ((d = num(c, i, &nd1)) > 0 && nd1 <= 2) {
        size_t j = i + 1;
        if (is_punct(c, j, '.'))
            j++;
        if ((m = month_of(c, j)) > 0 && (y = year_after_month(c, j, &yi)) > 0 && day_ok(y, m, d)) {
            f->h = (date_hit){ .year = y, .month = m, .day = d, .precision = DATE_DAY };
            f->last = yi;
            return true;
        }
    }
    /* February 14, 1977 */
    if ((m = month_of(c, i)) > 0) {
        size_t j = i + 1;
        if (is_punct(c, j, '.'))
            j++;
        if ((d = num(c, j, &nd1)) > 0 && nd1 <= 2 && is_punct(c, j + 1, ',') && (y = year4(c, j + 2)) > 0 &&
            day_ok(y, m, d)) {
            f->h = (date_hit){ .year = y, .month = m, .day = d, .precision = DATE_DAY };
            f->last = j + 2;
            return true;
        }
        /* Februar 1977, Febr. 77, Feb '77, February, 1977 */
        if ((y = year_after_month(c, i, &yi)) > 0) {
            f->h = (date_hit){ .year = y, .month = m, .precision = DATE_MONTH };
            f->last = yi;
            return true;
        }
    }
    /* 02/1977 */
    if ((m = num(c, i, &nd1)) >= 1 && m <= 12 && nd1 <= 2 && is_punct(c, i + 1, '/') && !t[i + 1].space_before &&
        i + 2 < c->n && !t[i + 2].space_before && (y = year4(c, i + 2)) > 0) {
        f->h = (date_hit){ .year = y, .month = m, .precision = DATE_MONTH };
        f->last = i + 2;
        return true;
    }
    /* Sommer 1977, summer of 1977, Winter 1977/78 */
    if ((m = season_of(c, i)) > 0) {
        size_t j = i + 1;
        if (j < c->n && c->fold[j][0] && strcmp(c->fold[j], "of") == 0)
            j++;
        if ((y = year4(c, j)) > 0) {
            int end = 0;
            size_t r = range_after(c, j, y, &end);
            f->h = (date_hit){ .year = y, .month = m, .year_end = end, .precision = DATE_SEASON };
            if (m == 12 && !end)
                f->h.month = 1; /* "Winter 1977": its January */
            f->last = j + r;
            return true;
        }
    }
    /* 1977, 1977/78 */
    if ((y = year4(c, i)) > 0) {
        int end = 0;
        size_t r = range_after(c, i, y, &end);
        /* "1970er" is one word and handled below; here a plain year */
        f->h = (date_hit){ .year = y, .year_end = end, .precision = DATE_YEAR };
        f->last = i + r;
        return true;
    }
    /* Decades: 1970er, 1970s, 70er (Jahre), '70s */
    if (i < c->n && t[i].kind == TEXT_WORD && !t[i].digits) {
        const char *w = c->text + t[i].start;
        size_t l = tok_len(c, i), k = 0;
        while (k < l && w[k] >= '0' && w[k] <= '9')
            k++;
        const char *suf = w + k;
        size_t sl = l - k;
        bool suffix = (sl == 2 && strncmp(suf, "er", 2) == 0) || (sl == 1 && *suf == 's');
        if (suffix && (k == 4 || k == 2)) {
            int v = 0;
            for (size_t q = 0; q < k; q++)
                v = v * 10 + (w[q] - '0');
            int yy = k == 4 ? v : 1900 + v;
            if (v % 10 == 0 && year_ok(yy)) {
                f->h = (date_hit){ .year = yy, .precision = DATE_DECADE };
                f->last = i;
                if (i + 1 < c->n && c->fold[i + 1][0] && strcmp(c->fold[i + 1], "jahre") == 0)
                    f->last = i + 1;
                return true;
            }
        }
    }
    return false;
}

size_t dates_find(const char *text, date_hit *out, size_t max)
{
    size_t n = 0;
    text_tok *t = text_tokenize(text, &n);
    if (!t)
        return 0;
    ctx c = { .text = text, .t = t, .n = n, .fold = calloc(n, sizeof *c.fold), .quoted = text_quote_mask(text) };
    size_t found_n = 0;
    if (!c.fold || !c.quoted)
        goto done;
    for (size_t i = 0; i < n; i++) {
        size_t l = t[i].end - t[i].start;
        if (t[i].kind == TEXT_WORD && !t[i].digits && l < 32) {
            char *f = text_fold(text + t[i].start, l);
            if (f && strlen(f) < sizeof c.fold[i])
                strcpy(c.fold[i], f);
            free(f);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (c.quoted[t[i].start])
            continue;
        found f;
        if (!match_at(&c, i, &f) || c.quoted[t[f.last].start])
            continue;
        f.h.start = t[f.first].start;
        f.h.end = t[f.last].end;
        /* "ca. 1977", "um 1977" */
        size_t b = f.first;
        if (b >= 2 && is_punct(&c, b - 1, '.') && approx_at(&c, b - 2))
            f.h.approx = true, f.h.start = t[b - 2].start;
        else if (b >= 1 && approx_at(&c, b - 1))
            f.h.approx = true, f.h.start = t[b - 1].start;
        if (found_n < max)
            out[found_n] = f.h;
        found_n++;
        i = f.last;
    }
done:
    free(c.fold);
    free((void *)c.quoted);
    free(t);
    return found_n;
}

bool dates_best(const char *text, date_hit *out)
{
    date_hit h[16];
    size_t n = dates_find(text, h, 16);
    if (n > 16)
        n = 16;
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (best == n || h[i].precision > h[best].precision)
            best = i;
    if (best == n)
        return false;
    *out = h[best];
    return true;
}

bool dates_in_filename(const char *name, date_hit *out)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9' || (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9'))
            continue;
        size_t run = 0;
        while (i + run < len && name[i + run] >= '0' && name[i + run] <= '9')
            run++;
        int y = 0, m = 0, d = 0;
        if (run == 8 || (run == 14)) { /* YYYYMMDD, YYYYMMDDhhmmss */
            sscanf(name + i, "%4d%2d%2d", &y, &m, &d);
            if (year_ok(y) && day_ok(y, m, d)) {
                *out = (date_hit){ .year = y, .month = m, .day = d, .precision = DATE_DAY, .start = i, .end = i + 8 };
                return true;
            }
        } else if (run == 4 && i + 7 <= len && (name[i + 4] == '-' || name[i + 4] == '_' || name[i + 4] == '.')) {
            char sep = name[i + 4];
            y = atoi(name + i);
            if (!year_ok(y) || name[i + 5] < '0' || name[i + 5] > '9' || name[i + 6] < '0' || name[i + 6] > '9')
                goto next;
            m = (name[i + 5] - '0') * 10 + (name[i + 6] - '0');
            if (m < 1 || m > 12 || (i + 7 < len && name[i + 7] >= '0' && name[i + 7] <= '9'))
                goto next;
            *out = (date_hit){ .year = y, .month = m, .precision = DATE_MONTH, .start = i, .end = i + 7 };
            if (i + 10 <= len && name[i + 7] == sep && name[i + 8] >= '0' && name[i + 8] <= '9' && name[i + 9] >= '0' &&
                name[i + 9] <= '9' && !(i + 10 < len && name[i + 10] >= '0' && name[i + 10] <= '9')) {
                d = (name[i + 8] - '0') * 10 + (name[i + 9] - '0');
                if (day_ok(y, m, d)) {
                    out->day = d;
                    out->precision = DATE_DAY;
                    out->end = i + 10;
                }
            }
            return true;
        }
    next:
        i += run - 1;
    }
    return false;
}

void dates_format(const date_hit *d, char *buf, size_t size)
{
    switch (d->precision) {
    case DATE_DAY:
        snprintf(buf, size, "%04d-%02d-%02d", d->year, d->month, d->day);
        break;
    case DATE_MONTH:
    case DATE_SEASON:
        snprintf(buf, size, "%04d-%02d", d->year, d->month);
        break;
    case DATE_YEAR:
    case DATE_DECADE:
        snprintf(buf, size, "%04d", d->year);
        break;
    default:
        snprintf(buf, size, "%s", "");
        break;
    }
}

static const char *const precision_names[] = { "", "decade", "year", "season", "month", "day" };

const char *dates_precision_name(date_precision p)
{
    return p >= DATE_DECADE && p <= DATE_DAY ? precision_names[p] : "";
}

date_precision dates_precision_parse(const char *s)
{
    for (int p = DATE_DECADE; p <= DATE_DAY; p++)
        if (s && strcmp(s, precision_names[p]) == 0)
            return (date_precision)p;
    return DATE_NONE;
}
