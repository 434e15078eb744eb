/* parsecache.c — a photo's parse as text and back (parsecache.h). */
#include "annotate/parsecache.h"
#include "annotate/annotate.h"
#include "annotate/evidence.h"
#include "annotate/text.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC '\x1e'
#define FLD '\x1f'
#define HEADER "p1"
#define MAX_FIELDS 12
#define MAX_HITS 32

/* ---- hashes ----------------------------------------------------------------- */

static void put_str(GChecksum *h, const char *s)
{
    /* NULL and "" differ; the NUL ends each field */
    g_checksum_update(h, (const guchar *)(s ? "s" : "n"), 1);
    if (s)
        g_checksum_update(h, (const guchar *)s, (gssize)strlen(s));
    g_checksum_update(h, (const guchar *)"", 1);
}

static void finish(GChecksum *h, char out[65])
{
    snprintf(out, 65, "%s", g_checksum_get_string(h));
    g_checksum_free(h);
}

void parsecache_inputs(ann_photo *p)
{
    GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
    put_str(h, ANNOTATE_RULES_VERSION);
    put_str(h, HEADER);
    put_str(h, p->path);
    put_str(h, p->sidecar);
    put_str(h, p->taken_at);
    put_str(h, p->ocr);
    finish(h, p->inputs);
}

void parsecache_context(const ann_model *m, const char *const *langs, char out[65])
{
    GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
    put_str(h, ANNOTATE_RULES_VERSION);
    put_str(h, HEADER);
    char n[32];
    snprintf(n, sizeof n, "%zu", gazetteer_size(m->gaz));
    put_str(h, n);
    for (size_t i = 0; langs && langs[i]; i++)
        put_str(h, langs[i]);
    finish(h, out);
}

/* ---- encoding --------------------------------------------------------------- */

static bool clean(const char *s)
{
    return !s || (!strchr(s, REC) && !strchr(s, FLD));
}

/* Appends a record of tag and fields (strings; NULL as ""). */
static bool record(GString *g, char tag, const char *const *f, size_t n)
{
    g_string_append_c(g, REC);
    g_string_append_c(g, tag);
    for (size_t i = 0; i < n; i++) {
        if (!clean(f[i]))
            return false;
        if (i)
            g_string_append_c(g, FLD);
        g_string_append(g, f[i] ? f[i] : "");
    }
    return true;
}

char *parsecache_encode(const ann_model *m, const ann_photo *p)
{
    GString *g = g_string_new(HEADER);
    bool ok = true;
    char a[8][24];
    for (size_t i = 0; ok && i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        snprintf(a[0], sizeof a[0], "%d", (int)t->kind);
        snprintf(a[1], sizeof a[1], "%d", t->level);
        ok = record(g, 'T', (const char *[]){ a[0], a[1], t->source, t->text }, 4);
    }
    for (size_t i = 0; ok && i < p->ntitles_of; i++)
        ok = record(g, 'Q', (const char *[]){ p->titles_of[i] }, 1);
    if (ok && p->date.precision != DATE_NONE && p->date_source) {
        const date_hit *d = &p->date;
        int v[8] = { d->year, d->month, d->day, d->year_end, (int)d->precision, d->approx, (int)d->start, (int)d->end };
        for (int k = 0; k < 8; k++)
            snprintf(a[k], sizeof a[k], "%d", v[k]);
        ok = record(g, 'D',
                    (const char *[]){ a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], p->date_source, p->date_text },
                    10);
    }
    if (ok && p->place && p->place_text) {
        snprintf(a[0], sizeof a[0], "%lld", (long long)p->place->geonames_id);
        snprintf(a[1], sizeof a[1], "%zu", p->place_form_start);
        snprintf(a[2], sizeof a[2], "%zu", p->place_form_len);
        ok = record(g, 'P', (const char *[]){ a[0], a[1], a[2], p->place_source, p->place_text }, 5);
    }
    for (size_t i = 0; ok && i < p->nops; i++) {
        const ann_name_op *o = &p->ops[i];
        snprintf(a[0], sizeof a[0], "%d", (int)o->role);
        snprintf(a[1], sizeof a[1], "%d", o->strong);
        snprintf(a[2], sizeof a[2], "%d", o->order);
        ok = record(g, 'N', (const char *[]){ a[0], a[1], a[2], o->text }, 4);
    }
    for (size_t i = 0; ok && i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        if (!evidence_title_text(t))
            continue;
        char **keys = g_hash_table_lookup(m->title_names, t->text);
        guint nk = keys ? g_strv_length(keys) : 0;
        const char **f = g_new(const char *, nk + 1);
        f[0] = t->text;
        for (guint k = 0; k < nk; k++)
            f[k + 1] = keys[k];
        ok = record(g, 'K', f, nk + 1);
        g_free(f);
    }
    /* the years and decades its texts name, and whether each was a title of
     * the archive then: the only way other photos' texts change how this one
     * reads (evidence_date_is_title) */
    GHashTable *years = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
    for (size_t i = 0; ok && i < p->ntexts; i++) {
        const ann_text *t = &p->texts[i];
        if (t->kind != ANN_CAPTION && t->kind != ANN_DATE && t->kind != ANN_FOLDER && t->kind != ANN_ALBUM)
            continue;
        date_hit h[MAX_HITS];
        size_t n = dates_find(t->text, h, MAX_HITS);
        for (size_t k = 0; ok && k < n && k < MAX_HITS; k++) {
            if (h[k].precision != DATE_YEAR && h[k].precision != DATE_DECADE)
                continue;
            char *f = text_fold(t->text + h[k].start, h[k].end - h[k].start);
            if (!f || g_hash_table_contains(years, f)) {
                free(f);
                continue;
            }
            ok = record(g, 'Y', (const char *[]){ f, g_hash_table_contains(m->titles, f) ? "1" : "0" }, 2);
            g_hash_table_add(years, f);
        }
    }
    g_hash_table_destroy(years);
    if (ok) { /* the end, with the number of records before it: a cut parse does not decode */
        size_t n = 0;
        for (size_t i = 0; i < g->len; i++)
            n += g->str[i] == REC;
        snprintf(a[0], sizeof a[0], "%zu", n);
        ok = record(g, 'E', (const char *[]){ a[0] }, 1);
    }
    if (!ok) {
        g_string_free(g, TRUE);
        return NULL;
    }
    char *out = strdup(g->str);
    g_string_free(g, TRUE);
    return out;
}

/* ---- decoding --------------------------------------------------------------- */

/* The sources annotate names, as the same static strings evidence.c uses. */
static const char *source_of(const char *s)
{
    static const char *const known[] = { "caption", "xmp", "json", "album", "folder", "ocr", "exif", "filename" };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(s, known[i]) == 0)
            return known[i];
    return NULL;
}

static bool int_of(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Walks the records of a parse (a copy, cut in place). */
typedef struct walk {
    char *buf, *at;
    char tag;
    char *f[MAX_FIELDS];
    size_t n;
    size_t records; /* before this one */
    bool end;       /* the end record was read, and was right */
} walk;

static bool walk_start(walk *w, const char *parse)
{
    memset(w, 0, sizeof *w);
    size_t hl = strlen(HEADER);
    if (!parse || strncmp(parse, HEADER, hl) != 0 || (parse[hl] && parse[hl] != REC))
        return false;
    w->buf = strdup(parse + hl);
    if (!w->buf)
        return false;
    w->at = w->buf[0] == REC ? w->buf + 1 : NULL;
    return true;
}

/* The next record into tag and f[0..n); false after the last. A record of
 * too many fields has n 0 (and does not decode). The last must be the end
 * record with the number of records before it: w->end says it was. */
static bool walk_next(walk *w)
{
    if (!w->at)
        return false;
    char *r = w->at;
    char *end = strchr(r, REC);
    if (end) {
        *end = '\0';
        w->at = end + 1;
    } else {
        w->at = NULL;
    }
    w->tag = *r;
    w->n = 0;
    char *s = *r ? r + 1 : r;
    for (;;) {
        if (w->n == MAX_FIELDS) {
            w->n = 0;
            break;
        }
        w->f[w->n++] = s;
        char *sep = strchr(s, FLD);
        if (!sep)
            break;
        *sep = '\0';
        s = sep + 1;
    }
    if (w->tag == 'E') {
        long n;
        w->end = w->n == 1 && int_of(w->f[0], 0, LONG_MAX, &n) && (size_t)n == w->records && !w->at;
        w->at = NULL;
        return false;
    }
    w->records++;
    return true;
}

static void walk_end(walk *w)
{
    free(w->buf);
}

/* The parse is whole (its end record counts the records before it): checked
 * before anything of it is used, so a cut parse leaves nothing behind. */
static bool complete(const char *parse)
{
    walk w;
    if (!walk_start(&w, parse))
        return false;
    while (walk_next(&w))
        ;
    walk_end(&w);
    return w.end;
}

void parsecache_clear_texts(ann_photo *p)
{
    for (size_t i = 0; i < p->ntexts; i++)
        free(p->texts[i].text);
    free(p->texts);
    p->texts = NULL;
    p->ntexts = 0;
    for (size_t i = 0; i < p->ntitles_of; i++)
        free(p->titles_of[i]);
    free(p->titles_of);
    p->titles_of = NULL;
    p->ntitles_of = 0;
}

bool parsecache_restore_texts(ann_photo *p)
{
    walk w;
    if (!complete(p->cache_parse) || !walk_start(&w, p->cache_parse))
        return false;
    bool ok = true;
    while (ok && walk_next(&w)) {
        long kind, level;
        if (w.tag == 'T') {
            const char *src = w.n == 4 ? source_of(w.f[2]) : NULL;
            ok = src && int_of(w.f[0], ANN_CAPTION, ANN_KEYWORD, &kind) && int_of(w.f[1], 0, 64, &level);
            ann_text *t = ok ? realloc(p->texts, (p->ntexts + 1) * sizeof *t) : NULL;
            char *text = t ? strdup(w.f[3]) : NULL;
            if (t)
                p->texts = t;
            ok = text != NULL;
            if (ok)
                t[p->ntexts++] =
                    (ann_text){ .kind = (ann_text_kind)kind, .source = src, .level = (int)level, .text = text };
        } else if (w.tag == 'Q') {
            char **q = w.n == 1 ? realloc(p->titles_of, (p->ntitles_of + 1) * sizeof *q) : NULL;
            char *f = q ? strdup(w.f[0]) : NULL;
            if (q)
                p->titles_of = q;
            ok = f != NULL;
            if (ok)
                q[p->ntitles_of++] = f;
        }
    }
    ok = ok && w.end;
    walk_end(&w);
    if (!ok)
        parsecache_clear_texts(p);
    return ok;
}

static void clear_read(ann_photo *p)
{
    p->date = (date_hit){ 0 };
    p->date_source = NULL;
    free(p->date_text);
    p->date_text = NULL;
    p->place = NULL;
    p->place_source = NULL;
    free(p->place_text);
    p->place_text = NULL;
    p->place_form_start = p->place_form_len = 0;
    for (size_t i = 0; i < p->nops; i++)
        free(p->ops[i].text);
    free(p->ops);
    p->ops = NULL;
    p->nops = 0;
}

static bool restore_date(ann_photo *p, walk *w)
{
    long v[8];
    static const long lo[8] = { 0, 0, 0, 0, DATE_DECADE, 0, 0, 0 };
    static const long hi[8] = { 9999, 12, 31, 9999, DATE_DAY, 1, 1 << 30, 1 << 30 };
    if (w->n != 10)
        return false;
    for (int k = 0; k < 8; k++)
        if (!int_of(w->f[k], lo[k], hi[k], &v[k]))
            return false;
    const char *src = source_of(w->f[8]);
    if (!src || !(p->date_text = strdup(w->f[9])))
        return false;
    p->date = (date_hit){ .year = (int)v[0],
                          .month = (int)v[1],
                          .day = (int)v[2],
                          .year_end = (int)v[3],
                          .precision = (date_precision)v[4],
                          .approx = v[5] != 0,
                          .start = (size_t)v[6],
                          .end = (size_t)v[7] };
    p->date_source = src;
    return true;
}

static bool restore_place(ann_model *m, ann_photo *p, walk *w)
{
    long id, start, len;
    if (w->n != 5 || !int_of(w->f[0], 1, 1L << 40, &id) || !int_of(w->f[1], 0, 1 << 20, &start) ||
        !int_of(w->f[2], 1, 1 << 20, &len) || (size_t)(start + len) > strlen(w->f[4]))
        return false;
    const place_info *pl = gazetteer_lookup(m->gaz, w->f[4] + start, (size_t)len);
    const char *src = source_of(w->f[3]);
    if (!pl || pl->geonames_id != id || !src || !(p->place_text = strdup(w->f[4])))
        return false;
    p->place = pl;
    p->place_source = src;
    p->place_form_start = (size_t)start;
    p->place_form_len = (size_t)len;
    return true;
}

static bool restore_op(ann_photo *p, walk *w)
{
    long role, strong, order;
    if (w->n != 4 || !int_of(w->f[0], NAME_PERSON, NAME_PHOTOGRAPHER, &role) || !int_of(w->f[1], 0, 1, &strong) ||
        !int_of(w->f[2], -1000000, 1000000, &order))
        return false;
    ann_name_op *o = realloc(p->ops, (p->nops + 1) * sizeof *o);
    if (!o)
        return false;
    p->ops = o;
    char *t = strdup(w->f[3]);
    if (!t)
        return false;
    o[p->nops++] = (ann_name_op){ .text = t, .role = (name_role)role, .strong = strong != 0, .order = (int)order };
    return true;
}

/* A folder or album text's name keys, unless this run has them already. */
static bool restore_keys(ann_model *m, walk *w)
{
    if (w->n < 1)
        return false;
    if (g_hash_table_contains(m->title_names, w->f[0]))
        return true;
    char **keys = g_new0(char *, w->n);
    for (size_t k = 1; k < w->n; k++)
        keys[k - 1] = g_strdup(w->f[k]);
    g_hash_table_insert(m->title_names, g_strdup(w->f[0]), keys);
    return true;
}

bool parsecache_restore_read(ann_model *m, ann_photo *p)
{
    clear_read(p);
    walk w;
    if (!complete(p->cache_parse) || !walk_start(&w, p->cache_parse))
        return false;
    bool ok = true;
    while (ok && walk_next(&w)) {
        switch (w.tag) {
        case 'D':
            ok = p->date.precision == DATE_NONE && restore_date(p, &w);
            break;
        case 'P':
            ok = !p->place && restore_place(m, p, &w);
            break;
        case 'N':
            ok = restore_op(p, &w);
            break;
        case 'K':
            ok = restore_keys(m, &w);
            break;
        case 'Y': /* a year it names is a title now, or no longer */
            ok = w.n == 2 && (w.f[1][0] == '1') == g_hash_table_contains(m->titles, w.f[0]);
            break;
        case 'T':
        case 'Q':
            break;
        default:
            ok = false;
        }
    }
    ok = ok && w.end;
    walk_end(&w);
    if (!ok)
        clear_read(p);
    return ok;
}
