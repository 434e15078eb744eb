/* people_stage.c — full and incremental clustering of the catalog's faces
 * under people's decisions (see people_stage.h). */
#include "people/people_stage.h"

#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/labels.h"
#include "core/clock.h"
#include "people/people_constraints.h"
#include "store/people_store.h"

/* Incremental assignment threshold: a new face joins the person of its
 * nearest placed face when it lies within this distance. Measured on faces-dev
 * (bench_sweep, leave-one-out nearest neighbour over 2,148 faces): at 0.45
 * Euclidean 91.0 % of faces have their nearest other face that close and it is
 * the same identity for 99.90 % of them; 0.50 would take 97.9 % at 99.52 %.
 * An incremental placement is never revisited (only --full does), so the
 * threshold favours precision; the rest is clustered. Cosine (1 - cos): 0.05,
 * 92.4 % at 99.85 %. */
#define PEOPLE_ASSIGN_EUCLIDEAN 0.45
#define PEOPLE_ASSIGN_COSINE 0.05

double people_stage_assign_default(nb_metric metric)
{
    return metric == NB_COSINE ? PEOPLE_ASSIGN_COSINE : PEOPLE_ASSIGN_EUCLIDEAN;
}

void people_stage_options_default(people_stage_options *o)
{
    memset(o, 0, sizeof *o);
    cluster_params_default_metric(&o->params, CLUSTER_DEFAULT_ALGO, CLUSTER_DEFAULT_METRIC);
    o->metric = CLUSTER_DEFAULT_METRIC;
    o->assign_threshold = -1;
    o->threads = 1;
}

/* The parameters as JSON for cluster_runs; NULL when out of memory. */
static char *params_json(const people_stage_options *o, double assign)
{
    const cluster_params *p = &o->params;
    json_t *j = json_pack("{s:s,s:s,s:f}", "algo", cluster_algo_name(p->algo), "metric",
                          o->metric == NB_COSINE ? "cosine" : "euclidean", "assign_threshold", assign);
    if (!j)
        return NULL;
    switch (p->algo) {
    case CLUSTER_HDBSCAN:
        json_object_set_new(j, "min_cluster_size", json_integer((json_int_t)p->hdbscan.min_cluster_size));
        json_object_set_new(
            j, "min_samples",
            json_integer((json_int_t)(p->hdbscan.min_samples ? p->hdbscan.min_samples : p->hdbscan.min_cluster_size)));
        json_object_set_new(j, "max_distance", json_real(p->hdbscan.max_distance));
        break;
    case CLUSTER_DBSCAN:
        json_object_set_new(j, "eps", json_real(p->dbscan_eps));
        json_object_set_new(j, "min_samples", json_integer((json_int_t)p->dbscan_min_samples));
        break;
    case CLUSTER_AGGLOMERATIVE:
        json_object_set_new(j, "linkage", json_string(agglomerative_linkage_name(p->agglomerative.linkage)));
        json_object_set_new(j, "threshold", json_real(p->agglomerative.threshold));
        break;
    }
    if (p->rejoin.max_between > 0) {
        json_object_set_new(j, "rejoin", json_real(p->rejoin.max_between));
        json_object_set_new(j, "rejoin_silhouette", json_real(p->rejoin.doubt.silhouette));
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    return s;
}

/* An index over the descriptors of s's faces rows[0..m); NULL with e set. */
static nb_index *index_rows(const people_set *s, const uint32_t *rows, size_t m, const people_stage_options *o, err *e)
{
    float *x = malloc(m * PEOPLE_DIM * sizeof *x);
    if (!x) {
        err_set(e, ERR_NOMEM, "cluster: out of memory for %zu descriptors", m);
        return NULL;
    }
    for (size_t r = 0; r < m; r++)
        memcpy(x + r * PEOPLE_DIM, s->x + (size_t)rows[r] * PEOPLE_DIM, PEOPLE_DIM * sizeof *x);
    nb_index *ix = neighbors_new(x, m, PEOPLE_DIM, o->metric, o->threads, e);
    free(x);
    if (ix)
        neighbors_set_search(ix, o->params.neighbors);
    return ix;
}

/* Must-link of video face tracks (store/catalog_tracks.h): the faces of one
 * track are one person, so each track's faces take the label most of them
 * got (noise only when all are noise). Applied only when the result still
 * obeys the decisions; else the clustering's labels stay. */
static int keep_tracks_together(const people_set *s, const uint32_t *rows, size_t m, const constraints *c,
                                int32_t *labels, err *e)
{
    GHashTable *votes = NULL; /* track -> GHashTable label+1 -> count */
    int32_t *was = NULL;
    size_t tracked = 0;
    for (size_t i = 0; i < m; i++)
        tracked += s->faces[rows[i]].track != 0;
    if (tracked == 0)
        return 0;
    if (!(was = malloc(m * sizeof *was)))
        return err_set(e, ERR_NOMEM, "out of memory");
    memcpy(was, labels, m * sizeof *was);
    votes = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)g_hash_table_unref);
    for (size_t i = 0; i < m; i++) {
        const people_face *f = &s->faces[rows[i]];
        if (!f->track || labels[i] < 0)
            continue;
        GHashTable *t = g_hash_table_lookup(votes, &f->track);
        if (!t) {
            gint64 *k = g_new(gint64, 1);
            *k = f->track;
            t = g_hash_table_new(g_direct_hash, g_direct_equal);
            g_hash_table_insert(votes, k, t);
        }
        gpointer key = GINT_TO_POINTER(labels[i] + 1);
        g_hash_table_insert(t, key, GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(t, key)) + 1));
    }
    for (size_t i = 0; i < m; i++) {
        const people_face *f = &s->faces[rows[i]];
        GHashTable *t = f->track ? g_hash_table_lookup(votes, &f->track) : NULL;
        if (!t)
            continue;
        GHashTableIter it;
        gpointer k, v;
        int best = 0, most = 0;
        g_hash_table_iter_init(&it, t);
        while (g_hash_table_iter_next(&it, &k, &v)) /* most votes, then the lowest label: deterministic */
            if (GPOINTER_TO_INT(v) > most || (GPOINTER_TO_INT(v) == most && GPOINTER_TO_INT(k) < best))
                best = GPOINTER_TO_INT(k), most = GPOINTER_TO_INT(v);
        labels[i] = best - 1;
    }
    g_hash_table_unref(votes);
    err ignored;
    if (constraints_check(c, m, labels, &ignored) != 0)
        memcpy(labels, was, m * sizeof *was); /* a decision says otherwise: people know better */
    else
        labels_canonicalize(labels, m); /* a cluster may have gone into a track's */
    free(was);
    return 0;
}

/* Clusters faces rows[0..m) under the decisions: labels[m] 0..k-1 / -1. */
static int cluster_rows(const people_set *s, const uint32_t *rows, size_t m, const people_stage_options *o,
                        int32_t *labels, people_stage_summary *sum, err *e)
{
    if (m == 0)
        return 0;
    nb_index *ix = index_rows(s, rows, m, o, e);
    if (!ix)
        return e ? e->code : ERR_NOMEM;
    people_constraints pc;
    int rc = people_constraints_make(s, rows, m, &pc, e);
    if (rc == 0) {
        rc = cluster_run(ix, &o->params, &pc.c, labels, e);
        if (rc == 0)
            rc = keep_tracks_together(s, rows, m, &pc.c, labels, e);
        people_constraints_free(&pc);
        if (neighbors_approximate(ix))
            sum->approximate = true;
    }
    neighbors_free(ix);
    return rc;
}

typedef struct overlap {
    int32_t cluster;
    int64_t person;
    size_t count;
} overlap;

static int overlap_key_cmp(const void *a, const void *b)
{
    const overlap *x = a, *y = b;
    if (x->cluster != y->cluster)
        return (x->cluster > y->cluster) - (x->cluster < y->cluster);
    return (x->person > y->person) - (x->person < y->person);
}

static int overlap_count_cmp(const void *a, const void *b)
{
    const overlap *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    if (x->person != y->person)
        return (x->person > y->person) - (x->person < y->person);
    return (x->cluster > y->cluster) - (x->cluster < y->cluster);
}

/* Person of each cluster 0..k-1: its pinned faces' person, else the non-human
 * person it shares most faces with (greedy), else new (-(j+1)). */
static int clusters_to_persons(const people_set *s, const uint32_t *rows, size_t m, const int32_t *labels, size_t k,
                               int64_t *person_of, err *e)
{
    for (size_t c = 0; c < k; c++)
        person_of[c] = 0;
    for (size_t r = 0; r < m; r++) {
        const people_face *f = &s->faces[rows[r]];
        if (labels[r] < 0 || !f->pin)
            continue;
        if (person_of[labels[r]] && person_of[labels[r]] != f->pin)
            return err_set(e, ERR_INTERNAL, "cluster: persons %lld and %lld ended in one cluster",
                           (long long)person_of[labels[r]], (long long)f->pin);
        person_of[labels[r]] = f->pin;
    }
    overlap *ov = malloc((m ? m : 1) * sizeof *ov);
    if (!ov)
        return err_set(e, ERR_NOMEM, "cluster: out of memory matching persons");
    size_t no = 0;
    for (size_t r = 0; r < m; r++) {
        const people_face *f = &s->faces[rows[r]];
        if (labels[r] >= 0 && !person_of[labels[r]] && f->prev_person && !people_set_is_human(s, f->prev_person))
            ov[no++] = (overlap){ labels[r], f->prev_person, 1 };
    }
    qsort(ov, no, sizeof *ov, overlap_key_cmp);
    size_t w = 0;
    for (size_t i = 0; i < no; i++) {
        if (w && ov[w - 1].cluster == ov[i].cluster && ov[w - 1].person == ov[i].person)
            ov[w - 1].count++;
        else
            ov[w++] = ov[i];
    }
    qsort(ov, w, sizeof *ov, overlap_count_cmp);
    /* each person once: a small hash of the persons taken */
    GHashTable *taken = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (size_t i = 0; i < w; i++) {
        if (person_of[ov[i].cluster] || g_hash_table_contains(taken, &ov[i].person))
            continue;
        person_of[ov[i].cluster] = ov[i].person;
        g_hash_table_add(taken, &ov[i].person);
    }
    int64_t next = 0;
    for (size_t c = 0; c < k; c++)
        if (!person_of[c])
            person_of[c] = -(++next);
    g_hash_table_destroy(taken);
    free(ov);
    return 0;
}

/* Appends the faces rows[0..m) with their labels' persons to the result arrays. */
static void place_rows(const uint32_t *rows, size_t m, const int32_t *labels, const int64_t *person_of, uint32_t *faces,
                       int64_t *person, size_t *n)
{
    for (size_t r = 0; r < m; r++) {
        faces[*n] = rows[r];
        person[*n] = labels[r] >= 0 ? person_of[labels[r]] : 0;
        (*n)++;
    }
}

typedef struct work {
    const people_set *s;
    const people_stage_options *o;
    uint32_t *rows;     /* scratch, s->n */
    int32_t *labels;    /* scratch, s->n */
    int64_t *person_of; /* scratch, s->n + 1 */
    uint32_t *faces;    /* result, s->n */
    int64_t *person;    /* result, s->n */
    size_t placed;
    people_stage_summary *sum;
    err *e;
} work;

static int run_full(work *w)
{
    const people_set *s = w->s;
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->faces[i].has_embedding)
            w->rows[m++] = (uint32_t)i;
    int rc = cluster_rows(s, w->rows, m, w->o, w->labels, w->sum, w->e);
    if (rc)
        return rc;
    size_t k = 0;
    for (size_t r = 0; r < m; r++)
        if (w->labels[r] >= 0 && (size_t)w->labels[r] + 1 > k)
            k = (size_t)w->labels[r] + 1;
    rc = clusters_to_persons(s, w->rows, m, w->labels, k, w->person_of, w->e);
    if (rc)
        return rc;
    place_rows(w->rows, m, w->labels, w->person_of, w->faces, w->person, &w->placed);
    w->sum->clustered = m;
    return 0;
}

static gint64 pair_key(uint32_t a, int64_t person)
{
    return (gint64)((uint64_t)a << 32 | (uint32_t)person);
}

/* One vote of a video track's face for a person: fixed = the face cannot
 * move (placed by an earlier run, or pinned by a decision), else the face
 * found the person by nearest assignment in this run. */
typedef struct track_vote {
    int64_t track, person;
    size_t fixed, fresh;
} track_vote;

static int track_vote_key_cmp(const void *a, const void *b)
{
    const track_vote *x = a, *y = b;
    if (x->track != y->track)
        return (x->track > y->track) - (x->track < y->track);
    return (x->person > y->person) - (x->person < y->person);
}

static int track_vote_key_cmp_track(const void *a, const void *b)
{
    const track_vote *x = a, *y = b;
    return (x->track > y->track) - (x->track < y->track);
}

/* Within a track: the most fixed votes first, then the most fresh ones, then
 * the lowest person id (deterministic). */
static int track_vote_rank_cmp(const void *a, const void *b)
{
    const track_vote *x = a, *y = b;
    if (x->track != y->track)
        return (x->track > y->track) - (x->track < y->track);
    if (x->fixed != y->fixed)
        return x->fixed < y->fixed ? 1 : -1;
    if (x->fresh != y->fresh)
        return x->fresh < y->fresh ? 1 : -1;
    return (x->person > y->person) - (x->person < y->person);
}

/* The person of each video track that has faces new to this run, from the
 * persons its faces are in: faces that cannot move decide (an incremental run
 * never moves a placed face), else the persons the new faces found by nearest
 * assignment (rows[r] placed at slot[r] when done[r]). *out (track, person)
 * sorted by track, malloc'd (caller frees; NULL when none). */
static int tracks_choose(const work *w, size_t nnew, const bool *done, const size_t *slot, track_vote **out,
                         size_t *nout)
{
    const people_set *s = w->s;
    *out = NULL;
    *nout = 0;
    size_t nv = 0, cap = 0;
    track_vote *v = NULL;
    for (size_t i = 0; i < s->n + nnew; i++) {
        track_vote t = { 0 };
        if (i < s->n) {
            const people_face *f = &s->faces[i];
            bool fresh = f->has_embedding && !f->clustered;
            t = (track_vote){ f->track, fresh ? f->pin : f->person, 1, 0 };
        } else {
            size_t r = i - s->n;
            if (done[r])
                t = (track_vote){ s->faces[w->rows[r]].track, w->person[slot[r]], 0, 1 };
        }
        if (!t.track || t.person <= 0)
            continue;
        if (nv == cap) {
            cap = cap ? cap * 2 : 64;
            track_vote *nvv = realloc(v, cap * sizeof *v);
            if (!nvv) {
                free(v);
                return err_set(w->e, ERR_NOMEM, "cluster: out of memory for track votes");
            }
            v = nvv;
        }
        v[nv++] = t;
    }
    if (nv == 0) {
        free(v);
        return 0;
    }
    qsort(v, nv, sizeof *v, track_vote_key_cmp);
    size_t n = 0;
    for (size_t i = 0; i < nv; i++) {
        if (n && v[n - 1].track == v[i].track && v[n - 1].person == v[i].person) {
            v[n - 1].fixed += v[i].fixed;
            v[n - 1].fresh += v[i].fresh;
        } else {
            v[n++] = v[i];
        }
    }
    qsort(v, n, sizeof *v, track_vote_rank_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[k - 1].track != v[i].track)
            v[k++] = v[i];
    *out = v;
    *nout = k;
    return 0;
}

/* The person chosen for track t, 0 when none. */
static int64_t track_person(const track_vote *tv, size_t ntv, int64_t t)
{
    if (!t || !ntv)
        return 0;
    track_vote key = { .track = t };
    const track_vote *hit = bsearch(&key, tv, ntv, sizeof *tv, track_vote_key_cmp_track);
    return hit ? hit->person : 0;
}

/* Moves face i (new to this run, or left unassigned by an earlier one) into
 * its track's person p when allowed (not rejected from p, no other face of its
 * photo in p), else leaves it unassigned: a track's faces end in one person or
 * in none, never in two. The face's own earlier choice q (0 none) is released
 * from `used`. Returns the person it now has. */
static int64_t track_follow(const people_set *s, uint32_t i, int64_t q, int64_t p, GHashTable *used,
                            GHashTable *rejected)
{
    if (q == p)
        return p;
    if (q > 0) {
        gint64 qk = pair_key((uint32_t)s->faces[i].photo, q);
        g_hash_table_remove(used, &qk);
    }
    gint64 pk = pair_key((uint32_t)s->faces[i].photo, p), rk = pair_key(i, p);
    if (g_hash_table_contains(used, &pk) || g_hash_table_contains(rejected, &rk))
        return 0;
    gint64 *key = g_new(gint64, 1);
    *key = pk;
    g_hash_table_add(used, key);
    return p;
}

static int run_incremental(work *w, double assign)
{
    const people_set *s = w->s;
    err *e = w->e;
    /* photo+person pairs in use, face+person rejections */
    GHashTable *used = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GHashTable *rejected = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (size_t i = 0; i < s->n; i++)
        if (s->faces[i].person) {
            gint64 *k = g_new(gint64, 1);
            *k = pair_key((uint32_t)s->faces[i].photo, s->faces[i].person);
            g_hash_table_add(used, k);
        }
    for (size_t i = 0; i < s->nrejects; i++) {
        gint64 *k = g_new(gint64, 1);
        *k = pair_key(s->rejects[i].face, s->rejects[i].person);
        g_hash_table_add(rejected, k);
    }
    int rc = 0;
    /* new faces: pinned ones go to their person, the others wait in rows */
    size_t nnew = 0, nref = 0;
    uint32_t *ref = malloc((s->n ? s->n : 1) * sizeof *ref);
    if (!ref)
        rc = err_set(e, ERR_NOMEM, "cluster: out of memory");
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        const people_face *f = &s->faces[i];
        if (!f->has_embedding)
            continue;
        if (f->person)
            ref[nref++] = (uint32_t)i;
        if (f->clustered)
            continue;
        if (f->pin) {
            w->faces[w->placed] = (uint32_t)i;
            w->person[w->placed++] = f->pin;
            gint64 *k = g_new(gint64, 1);
            *k = pair_key((uint32_t)f->photo, f->pin);
            g_hash_table_add(used, k);
        } else {
            w->rows[nnew++] = (uint32_t)i;
        }
    }
    /* nearest placed face within the threshold; the persons near the faces
     * that stay left over give the leftovers' clustering its context */
    GHashTable *near = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    bool *done = calloc(nnew ? nnew : 1, sizeof *done);
    size_t *slot = malloc((nnew ? nnew : 1) * sizeof *slot); /* where rows[r] was placed, when done[r] */
    if (rc == 0 && (!done || !slot))
        rc = err_set(e, ERR_NOMEM, "cluster: out of memory");
    if (rc == 0 && nnew && nref) {
        size_t k = nref < PEOPLE_STAGE_ASSIGN_K ? nref : PEOPLE_STAGE_ASSIGN_K;
        nb_index *ix = index_rows(s, ref, nref, w->o, e);
        float *q = malloc(nnew * PEOPLE_DIM * sizeof *q);
        uint32_t *ind = malloc(nnew * k * sizeof *ind);
        float *dist = malloc(nnew * k * sizeof *dist);
        if (!ix)
            rc = e ? e->code : ERR_NOMEM;
        else if (!q || !ind || !dist)
            rc = err_set(e, ERR_NOMEM, "cluster: out of memory");
        if (rc == 0) {
            for (size_t r = 0; r < nnew; r++)
                memcpy(q + r * PEOPLE_DIM, s->x + (size_t)w->rows[r] * PEOPLE_DIM, PEOPLE_DIM * sizeof *q);
            rc = neighbors_knn_query(ix, q, nnew, k, ind, dist, e);
        }
        for (size_t r = 0; rc == 0 && r < nnew; r++) {
            const people_face *f = &s->faces[w->rows[r]];
            for (size_t j = 0; j < k && dist[r * k + j] <= assign; j++) {
                int64_t p = s->faces[ref[ind[r * k + j]]].person;
                gint64 pk = pair_key((uint32_t)f->photo, p), rk = pair_key(w->rows[r], p);
                if (g_hash_table_contains(used, &pk) || g_hash_table_contains(rejected, &rk))
                    continue;
                slot[r] = w->placed;
                w->faces[w->placed] = w->rows[r];
                w->person[w->placed++] = p;
                gint64 *key = g_new(gint64, 1);
                *key = pk;
                g_hash_table_add(used, key);
                done[r] = true;
                w->sum->assigned_nearest++;
                break;
            }
            for (size_t j = 0; !done[r] && j < k; j++) {
                gint64 *key = g_new(gint64, 1);
                *key = s->faces[ref[ind[r * k + j]]].person;
                g_hash_table_add(near, key);
            }
        }
        neighbors_free(ix);
        free(q);
        free(ind);
        free(dist);
    }
    /* video tracks: the new faces of a track follow the person its placed
     * faces are in, else the one most of its new faces found above; the
     * tracks none of whose faces has a person are clustered whole below
     * (cluster_rows keeps a track together) */
    track_vote *tv = NULL;
    size_t ntv = 0;
    if (rc == 0)
        rc = tracks_choose(w, nnew, done, slot, &tv, &ntv);
    for (size_t r = 0; rc == 0 && ntv && r < nnew; r++) {
        uint32_t i = w->rows[r];
        int64_t p = track_person(tv, ntv, s->faces[i].track);
        if (!p)
            continue;
        int64_t q = done[r] ? w->person[slot[r]] : 0;
        int64_t now = track_follow(s, i, q, p, used, rejected);
        if (!done[r]) {
            slot[r] = w->placed;
            w->faces[w->placed++] = i;
            done[r] = true;
        }
        w->person[slot[r]] = now;
        w->sum->assigned_nearest += (now > 0) - (q > 0);
    }
    /* what is left, with the faces earlier runs left out, clustered among the
     * faces of the persons near it: a cluster of leftovers alone is a new
     * person; one with faces of exactly one person takes its leftovers into
     * it; one spanning several persons leaves them unassigned (an incremental
     * run never merges persons) */
    size_t m = 0;
    for (size_t r = 0; rc == 0 && r < nnew; r++)
        if (!done[r])
            w->rows[m++] = w->rows[r];
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        const people_face *f = &s->faces[i];
        if (!f->has_embedding || !f->clustered || f->person || f->pin)
            continue;
        int64_t p = track_person(tv, ntv, f->track);
        if (p) { /* left out earlier, its track has a person now */
            w->faces[w->placed] = (uint32_t)i;
            w->person[w->placed++] = track_follow(s, (uint32_t)i, 0, p, used, rejected);
        } else {
            w->rows[m++] = (uint32_t)i;
        }
    }
    size_t mleft = m;
    for (size_t i = 0; rc == 0 && mleft && i < s->n; i++) {
        const people_face *f = &s->faces[i];
        if (f->has_embedding && f->person && g_hash_table_contains(near, &f->person))
            w->rows[m++] = (uint32_t)i;
    }
    if (rc == 0 && mleft)
        rc = cluster_rows(s, w->rows, m, w->o, w->labels, w->sum, e);
    if (rc == 0 && mleft) {
        size_t k = 0;
        for (size_t r = 0; r < m; r++)
            if (w->labels[r] >= 0 && (size_t)w->labels[r] + 1 > k)
                k = (size_t)w->labels[r] + 1;
        /* person_of: 0 = leftovers only (new person), >0 that person, -1 several */
        for (size_t c = 0; c < k; c++)
            w->person_of[c] = 0;
        for (size_t r = mleft; r < m; r++) {
            int32_t c = w->labels[r];
            int64_t p = s->faces[w->rows[r]].person;
            if (c < 0)
                continue;
            if (w->person_of[c] == 0)
                w->person_of[c] = p;
            else if (w->person_of[c] != p)
                w->person_of[c] = -1;
        }
        int64_t next = 0;
        for (size_t c = 0; c < k; c++)
            if (w->person_of[c] == 0)
                w->person_of[c] = -(++next);
            else if (w->person_of[c] == -1)
                w->person_of[c] = 0;
        for (size_t r = 0; r < mleft; r++) {
            uint32_t i = w->rows[r];
            int32_t c = w->labels[r];
            int64_t p = c >= 0 ? w->person_of[c] : 0;
            if (p > 0) {
                gint64 pk = pair_key((uint32_t)s->faces[i].photo, p), rk = pair_key(i, p);
                if (g_hash_table_contains(used, &pk) || g_hash_table_contains(rejected, &rk)) {
                    p = 0;
                } else {
                    gint64 *key = g_new(gint64, 1);
                    *key = pk;
                    g_hash_table_add(used, key);
                }
            }
            w->faces[w->placed] = i;
            w->person[w->placed++] = p;
        }
        w->sum->clustered = m;
    }
    free(tv);
    free(slot);
    free(done);
    free(ref);
    g_hash_table_destroy(near);
    g_hash_table_destroy(used);
    g_hash_table_destroy(rejected);
    return rc;
}

static int check_options(const people_stage_options *o, err *e)
{
    if (o->metric != NB_EUCLIDEAN && o->metric != NB_COSINE)
        return err_set(e, ERR_INVALID, "cluster: unknown metric %d", (int)o->metric);
    if (o->threads < 1)
        return err_set(e, ERR_INVALID, "cluster: threads must be >= 1");
    const cluster_params *p = &o->params;
    if (p->algo == CLUSTER_HDBSCAN && p->hdbscan.min_cluster_size < 2)
        return err_set(e, ERR_INVALID, "cluster: --min-cluster-size must be at least 2");
    if (p->algo == CLUSTER_DBSCAN && (!(p->dbscan_eps > 0) || p->dbscan_min_samples < 1))
        return err_set(e, ERR_INVALID, "cluster: DBSCAN needs --eps > 0 and --min-samples >= 1");
    if (p->algo == CLUSTER_AGGLOMERATIVE && !(p->agglomerative.threshold >= 0))
        return err_set(e, ERR_INVALID, "cluster: --threshold must be >= 0");
    return 0;
}

int people_stage_run(catalog *c, const people_stage_options *o, people_stage_summary *sum, err *e)
{
    memset(sum, 0, sizeof *sum);
    double t0 = clock_now_s();
    int rc = check_options(o, e);
    if (rc)
        return rc;
    double assign = o->assign_threshold >= 0 ? o->assign_threshold : people_stage_assign_default(o->metric);
    people_set s;
    rc = people_store_load(c, o->model_version, &s, e);
    if (rc)
        return rc;
    snprintf(sum->model_version, sizeof sum->model_version, "%s", s.model_version);
    sum->faces = s.n;
    sum->carried_over = s.carried_over;
    bool any_clustered = false, any_new = false;
    for (size_t i = 0; i < s.n; i++) {
        any_clustered |= s.faces[i].clustered;
        any_new |= !s.faces[i].clustered && s.faces[i].has_embedding;
    }
    sum->full = o->full || !any_clustered;
    work w = { &s, o, NULL, NULL, NULL, NULL, NULL, 0, sum, e };
    size_t n1 = s.n ? s.n : 1;
    w.rows = malloc(n1 * sizeof *w.rows);
    w.labels = malloc(n1 * sizeof *w.labels);
    w.person_of = malloc((n1 + 1) * sizeof *w.person_of);
    w.faces = malloc(n1 * sizeof *w.faces);
    w.person = malloc(n1 * sizeof *w.person);
    if (!w.rows || !w.labels || !w.person_of || !w.faces || !w.person)
        rc = err_set(e, ERR_NOMEM, "cluster: out of memory for %zu faces", s.n);
    if (rc == 0 && s.n && (sum->full || any_new))
        rc = sum->full ? run_full(&w) : run_incremental(&w, assign);
    char *params = NULL;
    if (rc == 0 && w.placed) {
        params = params_json(o, assign);
        people_result r = {
            cluster_algo_name(o->params.algo), params, sum->full, clock_now_s() - t0, w.faces, w.person, w.placed
        };
        people_saved saved;
        rc = people_store_save(c, &s, &r, &saved, e);
        if (rc == 0) {
            sum->new_persons = saved.new_persons;
            sum->deleted_persons = saved.deleted_persons;
        }
    }
    sum->placed = w.placed;
    if (rc == 0) {
        /* persons and unassigned faces as they are now */
        GHashTable *persons = g_hash_table_new(g_int64_hash, g_int64_equal);
        int64_t *after = malloc(n1 * sizeof *after);
        if (!after) {
            rc = err_set(e, ERR_NOMEM, "cluster: out of memory");
        } else {
            for (size_t i = 0; i < s.n; i++)
                after[i] = s.faces[i].person;
            for (size_t k = 0; k < w.placed; k++)
                after[w.faces[k]] = w.person[k];
            for (size_t i = 0; i < s.n; i++) {
                if (!after[i])
                    sum->unassigned++;
                else
                    g_hash_table_add(persons, &after[i]);
            }
            sum->persons = g_hash_table_size(persons);
        }
        g_hash_table_destroy(persons);
        free(after);
    }
    free(params);
    free(w.rows);
    free(w.labels);
    free(w.person_of);
    free(w.faces);
    free(w.person);
    people_set_free(&s);
    sum->seconds = clock_now_s() - t0;
    return rc;
}
