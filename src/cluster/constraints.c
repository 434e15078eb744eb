/* constraints.c — merge for must-links, greedy split for cannot-links. */
#include "cluster/constraints.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/labels.h"
#include "cluster/unionfind.h"

/* Compressed lists: for key k, items[off[k] .. off[k+1]). */
typedef struct csr {
    size_t *off;
    uint32_t *items;
} csr;

static void csr_free(csr *c)
{
    free(c->off);
    free(c->items);
}

/* Builds key -> items from m (key, item) pairs; keys < nkeys. */
static int csr_build(csr *c, size_t nkeys, size_t m, const uint32_t *keys, const uint32_t *items)
{
    c->off = calloc(nkeys + 1, sizeof *c->off);
    c->items = malloc((m ? m : 1) * sizeof *c->items);
    size_t *fill = calloc(nkeys + 1, sizeof *fill);
    if (!c->off || !c->items || !fill) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < m; i++)
        c->off[keys[i] + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        c->off[k + 1] += c->off[k];
    for (size_t i = 0; i < m; i++)
        c->items[c->off[keys[i]] + fill[keys[i]]++] = items[i];
    free(fill);
    return 0;
}

/* Dense numbering of non-negative ids: dense[i] in 0..count-1, or UINT32_MAX for -1. */
typedef struct idmap {
    int32_t *sorted; /* distinct ids ascending */
    size_t count;
} idmap;

static int int_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int idmap_build(idmap *m, const int32_t *ids, size_t n)
{
    m->count = 0;
    m->sorted = malloc((n ? n : 1) * sizeof *m->sorted);
    if (!m->sorted)
        return -1;
    if (!ids)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i] >= 0)
            m->sorted[m->count++] = ids[i];
    qsort(m->sorted, m->count, sizeof *m->sorted, int_cmp);
    size_t k = 0;
    for (size_t i = 0; i < m->count; i++)
        if (k == 0 || m->sorted[k - 1] != m->sorted[i])
            m->sorted[k++] = m->sorted[i];
    m->count = k;
    return 0;
}

static uint32_t idmap_get(const idmap *m, int32_t id)
{
    if (id < 0)
        return UINT32_MAX;
    const int32_t *p = bsearch(&id, m->sorted, m->count, sizeof *m->sorted, int_cmp);
    return p ? (uint32_t)(p - m->sorted) : UINT32_MAX;
}

typedef struct photo_person {
    uint64_t key; /* photo << 32 | person */
    uint32_t face;
} photo_person;

static int photo_person_cmp(const void *a, const void *b)
{
    const photo_person *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->face > y->face) - (x->face < y->face);
}

int constraints_validate(const constraints *c, size_t n, err *e)
{
    for (size_t i = 0; i < c->n_cannot; i++) {
        constraint_pair p = c->cannot[i];
        if (p.a >= n || p.b >= n)
            return err_set(e, ERR_INVALID, "cannot-link %zu: face %u or %u is not among the %zu faces", i, p.a, p.b, n);
        if (p.a == p.b)
            return err_set(e, ERR_CONFLICT, "cannot-link %zu: face %u cannot be apart from itself", i, p.a);
        if (c->person && c->person[p.a] >= 0 && c->person[p.a] == c->person[p.b])
            return err_set(e, ERR_CONFLICT, "faces %u and %u are both confirmed as person %d but must be apart", p.a,
                           p.b, c->person[p.a]);
    }
    for (size_t i = 0; i < c->n_reject; i++) {
        constraint_reject r = c->reject[i];
        if (r.face >= n)
            return err_set(e, ERR_INVALID, "rejection %zu: face %u is not among the %zu faces", i, r.face, n);
        if (c->person && c->person[r.face] >= 0 && c->person[r.face] == r.person)
            return err_set(e, ERR_CONFLICT, "face %u is both confirmed for and rejected from person %d", r.face,
                           r.person);
    }
    if (c->photo && c->person) {
        /* two faces of one photo confirmed as the same person */
        photo_person *v = malloc((n ? n : 1) * sizeof *v);
        if (!v)
            return err_set(e, ERR_NOMEM, "constraints: out of memory");
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (c->photo[i] >= 0 && c->person[i] >= 0)
                v[m++] = (photo_person){ (uint64_t)(uint32_t)c->photo[i] << 32 | (uint32_t)c->person[i], (uint32_t)i };
        qsort(v, m, sizeof *v, photo_person_cmp);
        int rc = 0;
        for (size_t i = 1; i < m && !rc; i++)
            if (v[i].key == v[i - 1].key)
                rc = err_set(e, ERR_CONFLICT, "faces %u and %u of photo %d are both confirmed as person %d",
                             v[i - 1].face, v[i].face, c->photo[v[i].face], c->person[v[i].face]);
        free(v);
        if (rc)
            return rc;
    }
    return 0;
}

/* Everything the split needs to know about the faces, built once. */
typedef struct rules {
    size_t n;
    uint32_t *photo_d;  /* dense photo per face */
    uint32_t *person_d; /* dense person per face */
    idmap photos, persons;
    csr by_photo, cannot, rejects, rejecters, by_person;
} rules;

static void rules_free(rules *r)
{
    free(r->photo_d);
    free(r->person_d);
    free(r->photos.sorted);
    free(r->persons.sorted);
    csr_free(&r->by_photo);
    csr_free(&r->cannot);
    csr_free(&r->rejects);
    csr_free(&r->rejecters);
    csr_free(&r->by_person);
}

static int rules_build(rules *r, const constraints *c, size_t n)
{
    memset(r, 0, sizeof *r);
    r->n = n;
    size_t m2 = 2 * c->n_cannot + c->n_reject + n;
    uint32_t *ka = calloc(m2 ? m2 : 1, sizeof *ka), *kb = calloc(m2 ? m2 : 1, sizeof *kb);
    r->photo_d = malloc(n * sizeof *r->photo_d);
    r->person_d = malloc(n * sizeof *r->person_d);
    int rc = -1;
    if (!ka || !kb || !r->photo_d || !r->person_d || idmap_build(&r->photos, c->photo, n) ||
        idmap_build(&r->persons, c->person, n))
        goto done;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        r->photo_d[i] = c->photo ? idmap_get(&r->photos, c->photo[i]) : UINT32_MAX;
        r->person_d[i] = c->person ? idmap_get(&r->persons, c->person[i]) : UINT32_MAX;
        if (r->photo_d[i] != UINT32_MAX)
            ka[m] = r->photo_d[i], kb[m++] = (uint32_t)i;
    }
    if (csr_build(&r->by_photo, r->photos.count, m, ka, kb))
        goto done;
    m = 0;
    for (size_t i = 0; i < n; i++)
        if (r->person_d[i] != UINT32_MAX)
            ka[m] = r->person_d[i], kb[m++] = (uint32_t)i;
    if (csr_build(&r->by_person, r->persons.count, m, ka, kb))
        goto done;
    m = 0;
    for (size_t i = 0; i < c->n_cannot; i++) {
        ka[m] = c->cannot[i].a, kb[m++] = c->cannot[i].b;
        ka[m] = c->cannot[i].b, kb[m++] = c->cannot[i].a;
    }
    if (csr_build(&r->cannot, n, m, ka, kb))
        goto done;
    /* rejects: face -> dense person; rejecters: dense person -> face. A rejection
     * of a person nobody is confirmed for cannot be broken, so it is dropped. */
    m = 0;
    for (size_t i = 0; i < c->n_reject; i++) {
        uint32_t pd = idmap_get(&r->persons, c->reject[i].person);
        if (pd != UINT32_MAX)
            ka[m] = c->reject[i].face, kb[m++] = pd;
    }
    if (csr_build(&r->rejects, n, m, ka, kb))
        goto done;
    if (csr_build(&r->rejecters, r->persons.count, m, kb, ka))
        goto done;
    rc = 0;
done:
    free(ka);
    free(kb);
    return rc;
}

/* Does face p break a rule together with face q, given they share a cluster? */
static int faces_conflict(const rules *r, uint32_t p, uint32_t q)
{
    if (p == q)
        return 0;
    if (r->photo_d[p] != UINT32_MAX && r->photo_d[p] == r->photo_d[q])
        return 1;
    if (r->person_d[p] != UINT32_MAX && r->person_d[q] != UINT32_MAX && r->person_d[p] != r->person_d[q])
        return 1;
    for (size_t j = r->cannot.off[p]; j < r->cannot.off[p + 1]; j++)
        if (r->cannot.items[j] == q)
            return 1;
    for (size_t j = r->rejects.off[p]; j < r->rejects.off[p + 1]; j++)
        if (r->rejects.items[j] == r->person_d[q])
            return 1;
    for (size_t j = r->rejects.off[q]; j < r->rejects.off[q + 1]; j++)
        if (r->rejects.items[j] == r->person_d[p])
            return 1;
    return 0;
}

/* Marks in `bad` every part of the current cluster that face p may not join.
 * sub_of[f] is f's part (or -1). Returns the number of marks pushed on `marked`. */
static size_t mark_forbidden(const rules *r, const int32_t *sub_of, const int32_t *part_person, size_t nparts,
                             uint32_t p, unsigned char *bad, int32_t *marked, size_t nm)
{
#define MARK(s)                                                                                                        \
    do {                                                                                                               \
        int32_t s_ = (s);                                                                                              \
        if (s_ >= 0 && !bad[s_]) {                                                                                     \
            bad[s_] = 1;                                                                                               \
            marked[nm++] = s_;                                                                                         \
        }                                                                                                              \
    } while (0)
    uint32_t ph = r->photo_d[p], pe = r->person_d[p];
    if (ph != UINT32_MAX)
        for (size_t j = r->by_photo.off[ph]; j < r->by_photo.off[ph + 1]; j++)
            MARK(sub_of[r->by_photo.items[j]]);
    for (size_t j = r->cannot.off[p]; j < r->cannot.off[p + 1]; j++)
        MARK(sub_of[r->cannot.items[j]]);
    for (size_t j = r->rejects.off[p]; j < r->rejects.off[p + 1]; j++)
        for (size_t s = 0; s < nparts; s++)
            if (part_person[s] == (int32_t)r->rejects.items[j])
                MARK((int32_t)s);
    if (pe != UINT32_MAX) {
        for (size_t s = 0; s < nparts; s++)
            if (part_person[s] >= 0 && part_person[s] != (int32_t)pe)
                MARK((int32_t)s);
        for (size_t j = r->rejecters.off[pe]; j < r->rejecters.off[pe + 1]; j++)
            MARK(sub_of[r->rejecters.items[j]]);
    }
#undef MARK
    return nm;
}

/* Placement order: confirmed faces first, grouped by person; then the others,
 * nearest to the cluster's centre first. */
typedef struct ranked {
    uint32_t person; /* dense person, UINT32_MAX for none */
    double d;
    uint32_t i;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static double sqdist_to(const float *row, const double *sum, size_t cnt, size_t dim)
{
    double s = 0;
    for (size_t j = 0; j < dim; j++) {
        double d = row[j] - sum[j] / cnt;
        s += d * d;
    }
    return s;
}

int constraints_apply(const nb_index *ix, const constraints *c, int32_t *labels, err *e)
{
    const size_t n = neighbors_count(ix), dim = neighbors_dim(ix);
    int rc = constraints_validate(c, n, e);
    if (rc)
        return rc;
    size_t k = labels_canonicalize(labels, n);
    rules r;
    unionfind uf = { 0 };
    int32_t *sub_of = NULL, *part_person = NULL, *marked = NULL, *newlab = NULL;
    unsigned char *bad = NULL;
    double *sums = NULL;
    size_t *counts = NULL;
    uint32_t *lab_key = NULL, *idx = NULL;
    ranked *rk = NULL;
    csr members = { 0 };
    if (rules_build(&r, c, n))
        goto nomem;
    /* (1) must-link: one cluster per confirmed person */
    if (unionfind_init(&uf, k + r.persons.count))
        goto nomem;
    for (size_t pd = 0; pd < r.persons.count; pd++) {
        uint32_t anchor = (uint32_t)(k + pd); /* the person's own slot, for all-noise persons */
        for (size_t j = r.by_person.off[pd]; j < r.by_person.off[pd + 1]; j++) {
            uint32_t f = r.by_person.items[j];
            if (labels[f] >= 0)
                unionfind_union(&uf, anchor, (uint32_t)labels[f]);
        }
        for (size_t j = r.by_person.off[pd]; j < r.by_person.off[pd + 1]; j++)
            labels[r.by_person.items[j]] = (int32_t)anchor;
    }
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0)
            labels[i] = (int32_t)unionfind_find(&uf, (uint32_t)labels[i]);
    k = labels_canonicalize(labels, n);
    /* (2) split clusters that break a rule */
    lab_key = malloc(n * sizeof *lab_key);
    idx = malloc(n * sizeof *idx);
    sub_of = malloc(n * sizeof *sub_of);
    part_person = malloc(n * sizeof *part_person);
    marked = malloc(n * sizeof *marked);
    newlab = malloc(n * sizeof *newlab);
    bad = calloc(n, 1);
    counts = calloc(n, sizeof *counts);
    rk = malloc(n * sizeof *rk);
    sums = NULL;
    if (!lab_key || !idx || !sub_of || !part_person || !marked || !newlab || !bad || !counts || !rk)
        goto nomem;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        sub_of[i] = -1;
        if (labels[i] >= 0)
            lab_key[m] = (uint32_t)labels[i], idx[m++] = (uint32_t)i;
    }
    if (csr_build(&members, k, m, lab_key, idx))
        goto nomem;
    int32_t next_label = (int32_t)k;
    size_t sums_cap = 0;
    for (size_t cl = 0; cl < k; cl++) {
        const uint32_t *mem = members.items + members.off[cl];
        size_t cnt = members.off[cl + 1] - members.off[cl];
        /* any rule broken here? (faces of a cluster are few; pairs touching a rule are fewer) */
        int broken = 0;
        for (size_t a = 0; a < cnt && !broken; a++)
            sub_of[mem[a]] = 0;
        for (size_t a = 0; a < cnt && !broken; a++) {
            uint32_t p = mem[a];
            uint32_t ph = r.photo_d[p];
            if (ph != UINT32_MAX)
                for (size_t j = r.by_photo.off[ph]; j < r.by_photo.off[ph + 1] && !broken; j++)
                    broken = sub_of[r.by_photo.items[j]] == 0 && faces_conflict(&r, p, r.by_photo.items[j]);
            for (size_t j = r.cannot.off[p]; j < r.cannot.off[p + 1] && !broken; j++)
                broken = sub_of[r.cannot.items[j]] == 0;
            for (size_t j = r.rejects.off[p]; j < r.rejects.off[p + 1] && !broken; j++) {
                uint32_t pd = r.rejects.items[j];
                for (size_t q = r.by_person.off[pd]; q < r.by_person.off[pd + 1] && !broken; q++)
                    broken = sub_of[r.by_person.items[q]] == 0;
            }
        }
        if (!broken) {
            /* different persons in one cluster */
            int32_t seen = -1;
            for (size_t a = 0; a < cnt && !broken; a++) {
                uint32_t pe = r.person_d[mem[a]];
                if (pe == UINT32_MAX)
                    continue;
                if (seen >= 0 && (uint32_t)seen != pe)
                    broken = 1;
                seen = (int32_t)pe;
            }
        }
        for (size_t a = 0; a < cnt; a++)
            sub_of[mem[a]] = -1;
        if (!broken)
            continue;
        /* order: confirmed faces grouped by person first, then the rest by distance to the centre */
        if (sums_cap < dim * (cnt + 1)) {
            free(sums);
            sums_cap = dim * (cnt + 1);
            sums = malloc(sums_cap * sizeof *sums);
            if (!sums)
                goto nomem;
        }
        double *centre = sums; /* part s's sum lives at sums + (s+1)*dim */
        memset(centre, 0, dim * sizeof *centre);
        for (size_t a = 0; a < cnt; a++) {
            const float *row = neighbors_row(ix, mem[a]);
            for (size_t j = 0; j < dim; j++)
                centre[j] += row[j];
        }
        for (size_t a = 0; a < cnt; a++) {
            uint32_t p = mem[a];
            double d = sqdist_to(neighbors_row(ix, p), centre, cnt, dim);
            rk[a] = (ranked){ r.person_d[p], d, p };
        }
        qsort(rk, cnt, sizeof *rk, ranked_cmp);
        size_t nparts = 0;
        for (size_t a = 0; a < cnt; a++) {
            uint32_t p = rk[a].i;
            uint32_t pe = r.person_d[p];
            int32_t target = -1;
            if (pe != UINT32_MAX) /* a person already has a part: join it */
                for (size_t s = 0; s < nparts; s++)
                    if (part_person[s] == (int32_t)pe)
                        target = (int32_t)s;
            if (target < 0) {
                size_t nm = mark_forbidden(&r, sub_of, part_person, nparts, p, bad, marked, 0);
                double best = INFINITY;
                for (size_t s = 0; s < nparts; s++) {
                    if (bad[s])
                        continue;
                    double d = sqdist_to(neighbors_row(ix, p), sums + (s + 1) * dim, counts[s], dim);
                    if (d < best) {
                        best = d;
                        target = (int32_t)s;
                    }
                }
                for (size_t j = 0; j < nm; j++)
                    bad[marked[j]] = 0;
            }
            if (target < 0) {
                target = (int32_t)nparts++;
                part_person[target] = -1;
                counts[target] = 0;
                memset(sums + (target + 1) * dim, 0, dim * sizeof *sums);
            }
            if (pe != UINT32_MAX)
                part_person[target] = (int32_t)pe;
            sub_of[p] = target;
            counts[target]++;
            const float *row = neighbors_row(ix, p);
            for (size_t j = 0; j < dim; j++)
                sums[(target + 1) * dim + j] += row[j];
        }
        /* part 0 keeps the label; a lone unconfirmed face is noise */
        for (size_t s = 0; s < nparts; s++)
            newlab[s] = (counts[s] == 1 && part_person[s] < 0) ? -1 : (s == 0 ? (int32_t)cl : next_label++);
        for (size_t a = 0; a < cnt; a++) {
            labels[mem[a]] = newlab[sub_of[mem[a]]];
            sub_of[mem[a]] = -1;
        }
    }
    labels_canonicalize(labels, n);
    rc = 0;
    goto done;
nomem:
    rc = err_set(e, ERR_NOMEM, "constraints: out of memory for %zu faces", n);
done:
    rules_free(&r);
    unionfind_free(&uf);
    csr_free(&members);
    free(sub_of);
    free(part_person);
    free(marked);
    free(newlab);
    free(bad);
    free(sums);
    free(counts);
    free(lab_key);
    free(idx);
    free(rk);
    return rc;
}

int constraints_check(const constraints *c, size_t n, const int32_t *labels, err *e)
{
    int rc = constraints_validate(c, n, e);
    if (rc)
        return rc;
    rules r;
    if (rules_build(&r, c, n))
        return err_set(e, ERR_NOMEM, "constraints: out of memory");
    for (size_t pd = 0; pd < r.persons.count && !rc; pd++) {
        uint32_t first = r.by_person.items[r.by_person.off[pd]];
        for (size_t j = r.by_person.off[pd]; j < r.by_person.off[pd + 1] && !rc; j++) {
            uint32_t f = r.by_person.items[j];
            if (labels[f] < 0 || labels[f] != labels[first])
                rc =
                    err_set(e, ERR_CONFLICT, "faces %u and %u are confirmed as person %d but are in clusters %d and %d",
                            first, f, r.persons.sorted[pd], labels[first], labels[f]);
        }
    }
    for (size_t pd = 0; pd < r.photos.count && !rc; pd++)
        for (size_t a = r.by_photo.off[pd]; a < r.by_photo.off[pd + 1] && !rc; a++)
            for (size_t b = a + 1; b < r.by_photo.off[pd + 1] && !rc; b++) {
                uint32_t p = r.by_photo.items[a], q = r.by_photo.items[b];
                if (labels[p] >= 0 && labels[p] == labels[q])
                    rc = err_set(e, ERR_CONFLICT, "faces %u and %u of photo %d are both in cluster %d", p, q,
                                 r.photos.sorted[pd], labels[p]);
            }
    /* different persons sharing a cluster; rejections; cannot pairs */
    for (size_t pd = 0; pd < r.persons.count && !rc; pd++) {
        uint32_t f = r.by_person.items[r.by_person.off[pd]];
        for (size_t pd2 = pd + 1; pd2 < r.persons.count && !rc; pd2++) {
            uint32_t g = r.by_person.items[r.by_person.off[pd2]];
            if (labels[f] >= 0 && labels[f] == labels[g])
                rc = err_set(e, ERR_CONFLICT, "persons %d and %d share cluster %d", r.persons.sorted[pd],
                             r.persons.sorted[pd2], labels[f]);
        }
        for (size_t j = r.rejecters.off[pd]; j < r.rejecters.off[pd + 1] && !rc; j++) {
            uint32_t g = r.rejecters.items[j];
            if (labels[g] >= 0 && labels[g] == labels[f])
                rc = err_set(e, ERR_CONFLICT, "face %u was rejected from person %d but is in its cluster %d", g,
                             r.persons.sorted[pd], labels[g]);
        }
    }
    for (size_t i = 0; i < c->n_cannot && !rc; i++) {
        constraint_pair p = c->cannot[i];
        if (labels[p.a] >= 0 && labels[p.a] == labels[p.b])
            rc = err_set(e, ERR_CONFLICT, "faces %u and %u must be apart but are both in cluster %d", p.a, p.b,
                         labels[p.a]);
    }
    rules_free(&r);
    return rc;
}
