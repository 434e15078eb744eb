/* naming.c — name suggestions by co-occurrence, specificity and one-to-one
 * matching within each photo (see naming.h). */
#include "annotate/naming.h"
#include "core/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pair {
    double c; /* matched count */
    int nev;
    uint32_t ev[NAMING_MAX_EVIDENCE]; /* photo indices */
} pair;

typedef struct nperson {
    int64_t id;
    int cap;
    uint32_t confirmed; /* canonical name index, UINT32_MAX when none */
} nperson;

typedef struct ctx {
    ann_model *m;
    nperson *persons;
    size_t np;
    GHashTable *pidx;  /* person id -> dense index + 1 */
    GHashTable *pairs; /* (person << 32 | name) -> pair* */
    int *df;           /* per canonical name */
    double *prior;
    uint32_t *owner; /* name -> dense person index + 1 of the person people named so, 0 */
} ctx;

static gint64 *pair_key(size_t p, uint32_t n)
{
    gint64 *k = malloc(sizeof *k);
    if (k)
        *k = ((gint64)p << 32) | n;
    return k;
}

static pair *get_pair(ctx *c, size_t p, uint32_t n, bool create)
{
    gint64 k = ((gint64)p << 32) | n;
    pair *x = g_hash_table_lookup(c->pairs, &k);
    if (x || !create)
        return x;
    x = calloc(1, sizeof *x);
    gint64 *key = pair_key(p, n);
    if (!x || !key) {
        free(x);
        free(key);
        return NULL;
    }
    g_hash_table_insert(c->pairs, key, x);
    return x;
}

/* "P. Bremer" -> "Paul Bremer" when the archive has one full name that fits
 * (the most mentioned when several do). */
static void names_canonicalize(ann_model *m)
{
    GHashTable *by_rest = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* "p bremer" -> full index+1 */
    char ik[512];
    for (size_t i = 0; i < m->nnames; i++) {
        const char *k = m->names[i].key, *sp = strchr(k, ' ');
        if (!sp || sp - k < 2)
            continue;
        names_initial_key(k, ik, sizeof ik);
        size_t old = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(by_rest, ik));
        if (!old || m->names[old - 1].photos < m->names[i].photos)
            g_hash_table_insert(by_rest, g_strdup(ik), GSIZE_TO_POINTER(i + 1));
    }
    for (size_t i = 0; i < m->nnames; i++) {
        const char *k = m->names[i].key, *sp = strchr(k, ' ');
        if (!sp || sp - k != 1)
            continue;
        names_initial_key(k, ik, sizeof ik);
        size_t full = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(by_rest, ik));
        if (full && names_initial_of(k, m->names[full - 1].key))
            m->names[i].canonical = (uint32_t)(full - 1);
    }
    g_hash_table_destroy(by_rest);
}

static double name_prior(const ann_name_entry *e)
{
    double p = 1.0;
    if (e->as_photographer > 0 && e->as_photographer * 2 >= e->photos)
        p *= 0.05;
    if (e->in_titles > 0)
        p *= 0.1;
    if (!strchr(e->key, ' '))
        p *= 0.6;
    return p;
}

static double score(const ctx *c, size_t p, uint32_t n, double count)
{
    if (count <= 0)
        return 0;
    double s = c->prior[n] * count / (c->persons[p].cap + 1.0) * count / (c->df[n] + 1.0);
    if (c->owner[n] && c->owner[n] != p + 1)
        s *= 0.3; /* people gave this name to another person */
    if (c->persons[p].confirmed == n)
        s = 1e6;
    return s;
}

/* The distinct persons (dense) and canonical person-role names of photo i. */
static size_t photo_persons(ctx *c, const ann_photo *ph, size_t *out, size_t max)
{
    size_t n = 0;
    for (size_t f = 0; f < ph->nfaces; f++) {
        if (!ph->faces[f].person_id)
            continue;
        size_t d = (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(c->pidx, &ph->faces[f].person_id));
        if (!d)
            continue;
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen |= out[k] == d - 1;
        if (!seen && n < max)
            out[n++] = d - 1;
    }
    return n;
}

static size_t photo_names(const ann_model *m, const ann_photo *ph, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t k = 0; k < ph->nnames; k++) {
        if (ph->names[k].role != NAME_PERSON)
            continue;
        uint32_t cn = m->names[ph->names[k].name].canonical;
        bool seen = false;
        for (size_t q = 0; q < n; q++)
            seen |= out[q] == cn;
        if (!seen && n < max)
            out[n++] = cn;
    }
    return n;
}

#define PHOTO_MAX 32

/* Matches persons to names in one photo, greedy by score; match[k] = index into
 * names or SIZE_MAX. scores from counts of the previous round (or raw). */
static void match_photo(ctx *c, const size_t *ps, size_t np, const uint32_t *ns, size_t nn, bool raw, size_t *match)
{
    bool used_n[PHOTO_MAX] = { 0 };
    for (size_t a = 0; a < np; a++)
        match[a] = SIZE_MAX;
    for (;;) {
        double best = 0;
        size_t ba = SIZE_MAX, bb = SIZE_MAX;
        for (size_t a = 0; a < np; a++) {
            if (match[a] != SIZE_MAX)
                continue;
            for (size_t b = 0; b < nn; b++) {
                if (used_n[b])
                    continue;
                pair *x = get_pair(c, ps[a], ns[b], false);
                double cnt = x ? x->c : 0;
                (void)raw;
                double s = score(c, ps[a], ns[b], cnt);
                if (s > best) {
                    best = s;
                    ba = a;
                    bb = b;
                }
            }
        }
        if (ba == SIZE_MAX)
            break;
        match[ba] = bb;
        used_n[bb] = true;
    }
}

static void clear_pair(gpointer k, gpointer v, gpointer ud)
{
    (void)k;
    (void)ud;
    pair *x = v;
    x->c = 0;
    x->nev = 0;
}

static char *evidence_json(const ann_model *m, const pair *x)
{
    json_t *a = json_array();
    for (int k = 0; a && k < x->nev; k++) {
        const ann_photo *ph = &m->photos[x->ev[k]];
        json_array_append_new(a, json_pack("{s:s,s:s,s:s?}", "photo_id", ph->id, "source",
                                           ph->caption_source && !strcmp(ph->caption_source, "ocr") ? "ocr" : "caption",
                                           "text", ph->caption));
    }
    char *s = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return s;
}

typedef struct cand {
    uint32_t name;
    double s;
    pair *x;
} cand;

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->s < y->s ? 1 : x->s > y->s ? -1 : (x->name > y->name) - (x->name < y->name);
}

static bool rejected(const ann_model *m, char kind, int64_t id, const char *key)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%c%lld|%s", kind, (long long)id, key);
    return g_hash_table_contains(m->rejected, buf);
}

/* Faces of a photo (ud) by their box centre, left to right. */
static int by_x(const void *a, const void *b, void *ud)
{
    const ann_photo *ph = ud;
    const ann_face *fa = &ph->faces[*(const size_t *)a], *fb = &ph->faces[*(const size_t *)b];
    double xa = fa->box[0] + fa->box[2] / 2, xb = fb->box[0] + fb->box[2] / 2;
    return xa < xb ? -1 : xa > xb;
}

/* A "v.l.n.r." list that names as many people as the photo has faces: the
 * k-th name is the k-th face from the left. Suggests it to the faces of no
 * person. 1 when the photo had such a list, 0 when not, -1 out of memory. */
static int by_order(ann_model *m, const ann_photo *ph, size_t index)
{
    size_t n = 0;
    int dir = 0;
    for (size_t k = 0; k < ph->nnames; k++)
        if (ph->names[k].order) {
            n++;
            dir = ph->names[k].order > 0 ? 1 : -1;
        }
    if (n < 2 || n != ph->nfaces || n > PHOTO_MAX)
        return 0;
    size_t idx[PHOTO_MAX];
    for (size_t f = 0; f < n; f++)
        idx[f] = f;
    qsort_r(idx, n, sizeof *idx, by_x, (void *)ph);
    for (size_t k = 0; k < ph->nnames; k++) {
        int o = ph->names[k].order;
        if (!o)
            continue;
        size_t pos = dir > 0 ? (size_t)o - 1 : n - (size_t)(-o);
        if (pos >= n)
            continue;
        const ann_face *f = &ph->faces[idx[pos]];
        uint32_t cn = m->names[ph->names[k].name].canonical;
        if (f->person_id || rejected(m, 'f', f->id, m->names[cn].key))
            continue;
        pair one = { .c = 1, .nev = 1, .ev = { (uint32_t)index } };
        char *ev = evidence_json(m, &one);
        bool ok = ann_model_suggest(m, 0, f->id, ann_model_name_form(m, cn), 0.6, ev);
        free(ev);
        if (!ok)
            return -1;
    }
    return 1;
}

int naming_suggest(ann_model *m, naming_advisor_fn advisor, void *advisor_ud)
{
    names_canonicalize(m);
    ctx c = { .m = m };
    c.pidx = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, NULL);
    c.pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
    c.df = calloc(m->nnames + 1, sizeof *c.df);
    c.prior = calloc(m->nnames + 1, sizeof *c.prior);
    c.owner = calloc(m->nnames + 1, sizeof *c.owner);
    int rc = 0;
    if (!c.df || !c.prior || !c.owner) {
        rc = ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < m->nnames; i++)
        c.prior[i] = name_prior(&m->names[i]);
    /* dense persons */
    for (size_t i = 0; i < m->n; i++)
        for (size_t f = 0; f < m->photos[i].nfaces; f++) {
            int64_t pid = m->photos[i].faces[f].person_id;
            if (!pid || g_hash_table_contains(c.pidx, &pid))
                continue;
            nperson *np = realloc(c.persons, (c.np + 1) * sizeof *np);
            gint64 *k = malloc(sizeof *k);
            if (!np || !k) {
                free(k);
                if (np)
                    c.persons = np;
                rc = ERR_NOMEM;
                goto done;
            }
            c.persons = np;
            *k = pid;
            c.persons[c.np] = (nperson){ .id = pid, .confirmed = UINT32_MAX };
            g_hash_table_insert(c.pidx, k, GSIZE_TO_POINTER(c.np + 1));
            c.np++;
        }
    /* names people gave */
    for (size_t p = 0; p < c.np; p++) {
        const char *given = g_hash_table_lookup(m->confirmed, &c.persons[p].id);
        if (!given)
            continue;
        char *key = names_key(given);
        size_t idx = key ? (size_t)GPOINTER_TO_SIZE(g_hash_table_lookup(m->name_index, key)) : 0;
        free(key);
        if (idx) {
            uint32_t cn = m->names[idx - 1].canonical;
            c.persons[p].confirmed = cn;
            c.owner[cn] = (uint32_t)(p + 1);
        }
    }
    /* raw counts */
    size_t ps[PHOTO_MAX], match[PHOTO_MAX];
    uint32_t ns[PHOTO_MAX];
    for (size_t i = 0; i < m->n; i++) {
        const ann_photo *ph = &m->photos[i];
        size_t nn = photo_names(m, ph, ns, PHOTO_MAX);
        if (nn == 0)
            continue;
        for (size_t b = 0; b < nn; b++)
            c.df[ns[b]]++;
        size_t np = photo_persons(&c, ph, ps, PHOTO_MAX);
        for (size_t a = 0; a < np; a++) {
            c.persons[ps[a]].cap++;
            for (size_t b = 0; b < nn; b++) {
                pair *x = get_pair(&c, ps[a], ns[b], true);
                if (!x) {
                    rc = ERR_NOMEM;
                    goto done;
                }
                x->c += 1;
            }
        }
    }
    /* matching rounds: count only one-to-one matches */
    GHashTable *prev = NULL;
    for (int round = 0; round < 2; round++) {
        /* score from the previous counts, so snapshot them */
        prev = g_hash_table_new_full(g_int64_hash, g_int64_equal, free, free);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, c.pairs);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            gint64 *kk = malloc(sizeof *kk);
            pair *pv = malloc(sizeof *pv);
            if (!kk || !pv) {
                free(kk);
                free(pv);
                g_hash_table_destroy(prev);
                rc = ERR_NOMEM;
                goto done;
            }
            *kk = *(gint64 *)k;
            *pv = *(pair *)v;
            g_hash_table_insert(prev, kk, pv);
        }
        GHashTable *cur = c.pairs;
        c.pairs = prev; /* scores read the previous round */
        g_hash_table_foreach(cur, clear_pair, NULL);
        for (size_t i = 0; i < m->n; i++) {
            const ann_photo *ph = &m->photos[i];
            size_t nn = photo_names(m, ph, ns, PHOTO_MAX);
            size_t np = nn ? photo_persons(&c, ph, ps, PHOTO_MAX) : 0;
            if (!np)
                continue;
            match_photo(&c, ps, np, ns, nn, round == 0, match);
            for (size_t a = 0; a < np; a++) {
                if (match[a] == SIZE_MAX)
                    continue;
                gint64 key = ((gint64)ps[a] << 32) | ns[match[a]];
                pair *x = g_hash_table_lookup(cur, &key);
                if (!x)
                    continue;
                x->c += 1;
                if (x->nev < NAMING_MAX_EVIDENCE)
                    x->ev[x->nev++] = (uint32_t)i;
            }
        }
        c.pairs = cur;
        g_hash_table_destroy(prev);
        prev = NULL;
    }
    /* suggestions per person */
    cand *cands = NULL;
    size_t ncap = 0;
    GHashTable *per_person = g_hash_table_new(g_direct_hash, g_direct_equal); /* dense -> list */
    {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, c.pairs);
        while (g_hash_table_iter_next(&it, &k, &v)) {
            gint64 key = *(gint64 *)k;
            size_t p = (size_t)(key >> 32);
            GSList *l = g_hash_table_lookup(per_person, GSIZE_TO_POINTER(p + 1));
            g_hash_table_insert(per_person, GSIZE_TO_POINTER(p + 1), g_slist_prepend(l, k));
        }
    }
    for (size_t p = 0; rc == 0 && p < c.np; p++) {
        GSList *l = g_hash_table_lookup(per_person, GSIZE_TO_POINTER(p + 1));
        size_t n = 0;
        for (GSList *it = l; it; it = it->next) {
            gint64 key = *(gint64 *)it->data;
            uint32_t name = (uint32_t)(key & 0xffffffff);
            pair *x = g_hash_table_lookup(c.pairs, &key);
            if (!x || x->c <= 0 || c.persons[p].confirmed != UINT32_MAX)
                continue;
            double s = score(&c, p, name, x->c);
            if (s < NAMING_MIN_SCORE || rejected(m, 'p', c.persons[p].id, m->names[name].key))
                continue;
            if (n == ncap) {
                size_t nc = ncap ? ncap * 2 : 16;
                cand *cc = realloc(cands, nc * sizeof *cc);
                if (!cc) {
                    rc = ERR_NOMEM;
                    break;
                }
                cands = cc;
                ncap = nc;
            }
            cands[n++] = (cand){ .name = name, .s = s, .x = x };
        }
        g_slist_free(l);
        if (rc || n == 0)
            continue;
        qsort(cands, n, sizeof *cands, cand_cmp);
        if (n > NAMING_MAX_SUGGESTIONS)
            n = NAMING_MAX_SUGGESTIONS;
        naming_candidate nc[NAMING_MAX_SUGGESTIONS];
        char *ev[NAMING_MAX_SUGGESTIONS] = { 0 };
        for (size_t k = 0; k < n; k++) {
            ev[k] = evidence_json(m, cands[k].x);
            nc[k] = (naming_candidate){ .label = ann_model_name_form(m, cands[k].name),
                                        .confidence = cands[k].s > 1 ? 1 : cands[k].s,
                                        .evidence = ev[k] };
        }
        if (advisor)
            advisor(c.persons[p].id, nc, n, advisor_ud); /* an error leaves the rules' candidates */
        for (size_t k = 0; k < n && rc == 0; k++)
            if (!ann_model_suggest(m, c.persons[p].id, 0, nc[k].label, nc[k].confidence, nc[k].evidence))
                rc = ERR_NOMEM;
        for (size_t k = 0; k < n; k++)
            free(ev[k]);
    }
    g_hash_table_destroy(per_person);
    free(cands);
    /* faces of no person: by a "v.l.n.r." list that names every face, left to
     * right; else the one name their caption has left */
    for (size_t i = 0; rc == 0 && i < m->n; i++) {
        const ann_photo *ph = &m->photos[i];
        size_t nn = photo_names(m, ph, ns, PHOTO_MAX);
        if (nn == 0)
            continue;
        int ordered = by_order(m, ph, i);
        if (ordered < 0) {
            rc = ERR_NOMEM;
            break;
        }
        if (ordered)
            continue;
        size_t loose = SIZE_MAX, nloose = 0;
        for (size_t f = 0; f < ph->nfaces; f++)
            if (!ph->faces[f].person_id) {
                nloose++;
                if (loose == SIZE_MAX ||
                    ph->faces[f].box[2] * ph->faces[f].box[3] > ph->faces[loose].box[2] * ph->faces[loose].box[3])
                    loose = f;
            }
        if (loose == SIZE_MAX)
            continue;
        size_t np = photo_persons(&c, ph, ps, PHOTO_MAX);
        match_photo(&c, ps, np, ns, nn, false, match);
        bool taken[PHOTO_MAX] = { 0 };
        for (size_t a = 0; a < np; a++)
            if (match[a] != SIZE_MAX)
                taken[match[a]] = true;
        size_t left = SIZE_MAX, nleft = 0;
        for (size_t b = 0; b < nn; b++)
            if (!taken[b] && c.prior[ns[b]] >= 0.5) {
                nleft++;
                left = b;
            }
        /* one caption is all the evidence here, with no recurrence to tell
         * names from capitalised nouns ("Rehearsal of Café Müller: ..."): a
         * name of one word is no name for a face of no person (it still
         * counts above: two words left are two possible names) */
        if (nleft != 1 || !strchr(m->names[ns[left]].key, ' ') ||
            rejected(m, 'f', ph->faces[loose].id, m->names[ns[left]].key))
            continue;
        pair one = { .c = 1, .nev = 1, .ev = { (uint32_t)i } };
        char *ev = evidence_json(m, &one);
        double conf = 0.5 * c.prior[ns[left]] / (nloose > 1 ? 2.0 : 1.0);
        if (conf >= NAMING_MIN_SCORE &&
            !ann_model_suggest(m, 0, ph->faces[loose].id, ann_model_name_form(m, ns[left]), conf, ev))
            rc = ERR_NOMEM;
        free(ev);
    }
done:
    g_hash_table_destroy(c.pidx);
    g_hash_table_destroy(c.pairs);
    free(c.persons);
    free(c.df);
    free(c.prior);
    free(c.owner);
    return rc;
}
