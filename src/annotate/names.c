/* names.c — the capitalised-run grammar over text.h's tokens. */
#include "annotate/names.h"
#include "annotate/text.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lower-case words that stay inside a name between capitalised words. */
static const char *const particles[] = { "von", "van", "der", "den", "de",  "da",  "di", "du", "del", "della", "dos",
                                         "das", "le",  "la",  "ten", "ter", "bin", "al", "el", "zu",  "y" };
/* Words after which the next name is the photographer's (folded, without the
 * mark's colon). */
static const char *const photo_marks[] = { "foto",       "photo",      "fotos",      "photos",       "fotograf",
                                           "fotografin", "fotografie", "photograph", "photographer", "aufnahme",
                                           "bild",       "credit",     "copyright" };
static const char *const photo_by[] = { "by", "von" }; /* "photo by X", "Foto von X" */
/* Words that open a list of the people shown. */
static const char *const list_marks[] = { "vlnr",   "v l n r", "von links", "from left",  "left to right", "l to r",
                                          "from l", "l r",     "v r n l",   "von rechts", "from right" };

static bool word_in(const char *w, size_t l, const char *const *list, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strlen(list[k]) == l && strncmp(list[k], w, l) == 0)
            return true;
    return false;
}
#define IN(w, l, list) word_in(w, l, list, sizeof list / sizeof list[0])

typedef struct cx {
    const char *text;
    const text_tok *t;
    size_t n;
    const unsigned char *quoted;
    const name_skip *skip;
    size_t nskip;
} cx;

static bool skipped(const cx *c, size_t i)
{
    if (c->quoted[c->t[i].start])
        return true;
    for (size_t k = 0; k < c->nskip; k++)
        if (c->t[i].start < c->skip[k].end && c->t[i].end > c->skip[k].start)
            return true;
    return false;
}

static bool punct_is(const cx *c, size_t i, const char *s)
{
    size_t l = strlen(s);
    return i < c->n && c->t[i].kind == TEXT_PUNCT && c->t[i].end - c->t[i].start == l &&
           memcmp(c->text + c->t[i].start, s, l) == 0;
}

/* lower-case ASCII copy of a short word into buf; "" when too long */
static const char *lower(const cx *c, size_t i, char *buf, size_t size)
{
    size_t l = c->t[i].end - c->t[i].start;
    if (l >= size) {
        buf[0] = '\0';
        return buf;
    }
    for (size_t k = 0; k < l; k++)
        buf[k] = g_ascii_tolower(c->text[c->t[i].start + k]);
    buf[l] = '\0';
    return buf;
}

static bool is_initial(const cx *c, size_t i)
{
    return c->t[i].kind == TEXT_WORD && c->t[i].upper &&
           g_utf8_strlen(c->text + c->t[i].start, (gssize)(c->t[i].end - c->t[i].start)) == 1 &&
           punct_is(c, i + 1, ".");
}

static bool is_cap_word(const cx *c, size_t i)
{
    return c->t[i].kind == TEXT_WORD && c->t[i].upper && !c->t[i].all_upper && !c->t[i].digits;
}

/* Initials written without dots before a capitalised name ("JK Rowling",
 * "TJ Miller"): two or three capitals, directly followed by a name word. An
 * abbreviation alone or before anything else ("BAM", "ARD,") is none. */
static bool is_initials_word(const cx *c, size_t i)
{
    const text_tok *t = &c->t[i];
    if (t->kind != TEXT_WORD || !t->all_upper || t->digits || i + 1 >= c->n)
        return false;
    glong letters = g_utf8_strlen(c->text + t->start, (gssize)(t->end - t->start));
    return letters >= 2 && letters <= 3 && c->t[i + 1].space_before && is_cap_word(c, i + 1);
}

/* Inside a name: "al-Sahhaf", "d'Arc" (a lower-case particle joined to a
 * capitalised part), a generation ("II", "Jr.") after at least two words. */
static bool is_inner_word(const cx *c, size_t i, int words)
{
    const text_tok *t = &c->t[i];
    if (t->kind != TEXT_WORD || t->digits)
        return false;
    const char *s = c->text + t->start;
    size_t l = t->end - t->start;
    if (!t->upper) {
        for (size_t k = 1; k + 1 < l; k++)
            if ((s[k] == '-' || s[k] == '\'') && g_ascii_isupper(s[k + 1]))
                return true;
        return false;
    }
    if (words < 2)
        return false;
    static const char *const gen[] = { "II", "III", "IV", "Jr", "Sr" };
    for (size_t k = 0; k < sizeof gen / sizeof gen[0]; k++)
        if (strlen(gen[k]) == l && strncmp(gen[k], s, l) == 0)
            return true;
    return false;
}

/* Marks of a list read from the right. */
static const char *const right_marks[] = { "v r n l", "vrnl", "von rechts", "from right" };

/* 1 when the words before token i (folded together, dots dropped) end with
 * one of the list marks ("v.l.n.r.:", "from left:"), -1 for a mark read from
 * the right, 0 for none. */
static int list_mark_before(const cx *c, size_t i)
{
    char buf[40];
    size_t w = sizeof buf - 1;
    buf[w] = '\0';
    for (size_t j = i; j-- > 0 && i - j <= 10;) {
        if (c->t[j].kind == TEXT_PUNCT) {
            char ch = c->text[c->t[j].start];
            if (ch == '.' || ch == ':' || ch == '(')
                continue;
            break;
        }
        size_t l = c->t[j].end - c->t[j].start;
        if (l + 1 > w)
            break;
        for (size_t k = l; k-- > 0;)
            buf[--w] = g_ascii_tolower(c->text[c->t[j].start + k]);
        const char *s = buf + w;
        if (IN(s, strlen(s), list_marks))
            return IN(s, strlen(s), right_marks) ? -1 : 1;
        /* "v.l.n.r." tokenizes as v . l . n . r: join without spaces too */
        char joined[40];
        size_t o = 0;
        for (const char *p = s; *p && o + 1 < sizeof joined; p++)
            if (*p != ' ')
                joined[o++] = *p;
        joined[o] = '\0';
        if (IN(joined, o, list_marks))
            return IN(joined, o, right_marks) ? -1 : 1;
        if (w == 0)
            break;
        buf[--w] = ' ';
    }
    return 0;
}

/* true when the tokens before i make a photographer's mark */
static bool photo_mark_before(const cx *c, size_t i)
{
    if (i == 0 || i > c->n)
        return false; /* also one past the last token: nothing before the end is a mark of it */
    size_t j = i - 1;
    char buf[24];
    if (punct_is(c, j, "\xc2\xa9")) /* © */
        return true;
    if (punct_is(c, j, ")") && j >= 2 && c->t[j - 1].kind == TEXT_WORD &&
        strcmp(lower(c, j - 1, buf, sizeof buf), "c") == 0 && punct_is(c, j - 2, "("))
        return true; /* (c) */
    if (punct_is(c, j, ":") && j >= 1 && c->t[j - 1].kind == TEXT_WORD) {
        const char *w = lower(c, j - 1, buf, sizeof buf);
        char b2[24];
        /* "Im Bild:" is who is in the picture, "Bild:" who made it */
        if (j >= 2 && c->t[j - 2].kind == TEXT_WORD && strcmp(lower(c, j - 2, b2, sizeof b2), "im") == 0)
            return false;
        return IN(w, strlen(w), photo_marks);
    }
    if (c->t[j].kind == TEXT_WORD && j >= 1 && c->t[j - 1].kind == TEXT_WORD) {
        const char *w = lower(c, j, buf, sizeof buf);
        if (IN(w, strlen(w), photo_by)) {
            char b2[24];
            const char *v = lower(c, j - 1, b2, sizeof b2);
            return IN(v, strlen(v), photo_marks);
        }
    }
    return false;
}

/* Copies the run's text with single spaces between words; initials keep their dot. */
static char *run_text(const cx *c, size_t first, size_t last)
{
    GString *s = g_string_new(NULL);
    for (size_t i = first; i <= last; i++) {
        if (c->t[i].kind == TEXT_PUNCT) {
            g_string_append_len(s, c->text + c->t[i].start, (gssize)(c->t[i].end - c->t[i].start));
            continue;
        }
        if (s->len)
            g_string_append_c(s, ' ');
        g_string_append_len(s, c->text + c->t[i].start, (gssize)(c->t[i].end - c->t[i].start));
    }
    char *out = strdup(s->str);
    g_string_free(s, TRUE);
    return out;
}

/* The end (last token) of the name run starting at i, or (size_t)-1. Sets
 * *words and *initial. */
static size_t run_end(const cx *c, size_t i, int *words, bool *initial)
{
    *words = 0;
    *initial = false;
    size_t j = i, last = (size_t)-1;
    char buf[16];
    while (j < c->n && *words < 6 && !skipped(c, j)) {
        if (*words == 0 && is_initials_word(c, j)) {
            (*words)++;
            last = j;
            j++;
            continue;
        }
        if (is_initial(c, j)) {
            if (*words == 0)
                *initial = true;
            (*words)++;
            last = j + 1;
            j += 2;
            continue;
        }
        if (is_cap_word(c, j) || (*words > 0 && is_inner_word(c, j, *words))) {
            (*words)++;
            last = j;
            j++;
            if (j < c->n && punct_is(c, j, ".") && c->t[last].end - c->t[last].start == 2 &&
                is_inner_word(c, last, *words))
                j++; /* "Jr." */
            continue;
        }
        /* a particle between capitalised words */
        if (*words > 0 && c->t[j].kind == TEXT_WORD && !c->t[j].upper) {
            const char *w = lower(c, j, buf, sizeof buf);
            if (IN(w, strlen(w), particles) && j + 1 < c->n && is_cap_word(c, j + 1) && !skipped(c, j + 1)) {
                j++;
                continue;
            }
        }
        break;
    }
    return last;
}

static bool push(name_hit *out, size_t max, size_t *found, name_hit h)
{
    if (*found < max)
        out[*found] = h;
    else
        free(h.text);
    (*found)++;
    return true;
}

size_t names_find(const char *text, const name_skip *skip, size_t nskip, name_hit *out, size_t max)
{
    size_t n = 0, found = 0;
    text_tok *t = text_tokenize(text, &n);
    if (!t)
        return 0;
    unsigned char *quoted = text_quote_mask(text);
    if (!quoted) {
        free(t);
        return 0;
    }
    cx c = { .text = text, .t = t, .n = n, .quoted = quoted, .skip = skip, .nskip = nskip };
    bool semicolons = strchr(text, ';') != NULL;
    bool in_list = false;
    int direction = 0, order = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i].kind == TEXT_PUNCT) {
            /* a list ends at a sentence end, a dash or a parenthesis */
            if (punct_is(&c, i, ".") || punct_is(&c, i, "(") || punct_is(&c, i, ")") ||
                punct_is(&c, i, "\xe2\x80\x93") || punct_is(&c, i, "\xe2\x80\x94"))
                in_list = false, direction = 0;
            continue;
        }
        int mark = list_mark_before(&c, i);
        if (mark) {
            in_list = true;
            direction = mark;
            order = 0;
        }
        if (skipped(&c, i) || !(is_cap_word(&c, i) || is_initial(&c, i) || is_initials_word(&c, i)))
            continue;
        int words;
        bool initial;
        size_t last = run_end(&c, i, &words, &initial);
        if (last == (size_t)-1)
            continue;
        if (words == 1 && last == i && (photo_mark_before(&c, i + 1) || photo_mark_before(&c, i + 2)))
            continue; /* "Foto:" itself, "Photo by" */
        if (punct_is(&c, last + 1, ":") && !photo_mark_before(&c, i)) {
            i = last; /* a label ("Im Bild:", "Pictured:", "Rehearsal of Walzer:"), not a person */
            continue;
        }
        bool photographer = photo_mark_before(&c, i);
        /* "Bremer, Paul;" — surname first in a semicolon list */
        if (semicolons && words <= 2 && punct_is(&c, last + 1, ",") && last + 2 < n && is_cap_word(&c, last + 2)) {
            int w2;
            bool i2;
            size_t l2 = run_end(&c, last + 2, &w2, &i2);
            if (l2 != (size_t)-1 && w2 <= 3 &&
                (l2 + 1 >= n || punct_is(&c, l2 + 1, ";") || punct_is(&c, l2 + 1, "."))) {
                char *sur = run_text(&c, i, last), *given = run_text(&c, last + 2, l2);
                char *joined = sur && given ? g_strconcat(given, " ", sur, NULL) : NULL;
                free(sur);
                free(given);
                if (joined) {
                    char *dup = strdup(joined);
                    g_free(joined);
                    if (direction && !photographer)
                        order++;
                    if (dup)
                        push(out, max, &found,
                             (name_hit){ .text = dup,
                                         .start = t[i].start,
                                         .end = t[l2].end,
                                         .role = photographer ? NAME_PHOTOGRAPHER : NAME_PERSON,
                                         .words = words + w2,
                                         .initial = i2,
                                         .listed = true,
                                         .order = direction && !photographer ? direction * order : 0 });
                }
                i = l2;
                continue;
            }
        }
        char *s = run_text(&c, i, last);
        if (s) {
            bool listed = in_list || punct_is(&c, last + 1, ",") || punct_is(&c, last + 1, "&") ||
                          (i > 0 && (punct_is(&c, i - 1, ",") || punct_is(&c, i - 1, "&")));
            if (direction && !photographer)
                order++;
            push(out, max, &found,
                 (name_hit){ .text = s,
                             .start = t[i].start,
                             .end = t[last].end,
                             .role = photographer ? NAME_PHOTOGRAPHER : NAME_PERSON,
                             .words = words,
                             .initial = initial,
                             .listed = listed,
                             .order = direction && !photographer ? direction * order : 0 });
        }
        i = last;
    }
    free(quoted);
    free(t);
    return found;
}

void names_hits_free(name_hit *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(h[i].text);
}

char *names_key(const char *name)
{
    size_t l = strlen(name);
    char *tmp = malloc(l + 1);
    if (!tmp)
        return NULL;
    for (size_t i = 0; i <= l; i++)
        tmp[i] = name[i] == '-' ? ' ' : name[i];
    char *k = text_fold(tmp, l);
    free(tmp);
    return k;
}

char *names_from_item(const char *item)
{
    name_hit h[4];
    size_t n = names_find(item, NULL, 0, h, 4);
    if (n == 0)
        return NULL;
    char *out = NULL;
    if (n == 2 && n <= 4 && strchr(item, ',') && h[0].words <= 2) {
        /* "Bremer, Paul" */
        out = g_strconcat(h[1].text, " ", h[0].text, NULL);
        char *dup = out ? strdup(out) : NULL;
        g_free(out);
        out = dup;
    } else if (n >= 1) {
        out = strdup(h[0].text);
    }
    names_hits_free(h, n < 4 ? n : 4);
    return out;
}

bool names_initial_of(const char *a, const char *b)
{
    const char *sa = strchr(a, ' '), *sb = strchr(b, ' ');
    if (!sa || !sb || sa - a != 1 || sb - b < 2 || a[0] != b[0])
        return false;
    if (strcmp(sa, sb) == 0)
        return true;
    /* "j sasportes" of "jean laurent sasportes": the same last word */
    const char *la = strrchr(a, ' '), *lb = strrchr(b, ' ');
    return la == sa && strcmp(la, lb) == 0;
}

void names_initial_key(const char *key, char *out, size_t size)
{
    const char *last = strrchr(key, ' ');
    if (!last || !key[0]) {
        snprintf(out, size, "%s", key);
        return;
    }
    snprintf(out, size, "%c%s", key[0], last);
}
