/* hdbscan.c — core distances, MST, condensed tree, excess-of-mass selection. */
#include "cluster/hdbscan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cluster/labels.h"
#include "cluster/unionfind.h"

/* Neighbours kept per face: enough that most faces see past their own person
 * in their list, so the MST needs few exact scans. */
#define HDBSCAN_MIN_KNN 32

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* 1/eps, finite even for duplicate descriptors (eps 0). */
static double inv(double eps)
{
    return eps > 1e-300 ? 1.0 / eps : 1e300;
}

typedef struct ctree {
    size_t count, cap;
    double *birth, *death, *sum_inv;
    size_t *pts, *nchild;
    int32_t *parent, *child0, *child1;
    unsigned char *processed;
} ctree;

static void ctree_free(ctree *t)
{
    free(t->birth);
    free(t->death);
    free(t->sum_inv);
    free(t->pts);
    free(t->nchild);
    free(t->parent);
    free(t->child0);
    free(t->child1);
    free(t->processed);
}

static int ctree_init(ctree *t, size_t cap)
{
    memset(t, 0, sizeof *t);
    t->cap = cap;
    t->birth = calloc(cap, sizeof *t->birth);
    t->death = calloc(cap, sizeof *t->death);
    t->sum_inv = calloc(cap, sizeof *t->sum_inv);
    t->pts = calloc(cap, sizeof *t->pts);
    t->nchild = calloc(cap, sizeof *t->nchild);
    t->parent = malloc(cap * sizeof *t->parent);
    t->child0 = malloc(cap * sizeof *t->child0);
    t->child1 = malloc(cap * sizeof *t->child1);
    t->processed = calloc(cap, 1);
    if (!t->birth || !t->death || !t->sum_inv || !t->pts || !t->nchild || !t->parent || !t->child0 || !t->child1 ||
        !t->processed)
        return -1;
    return 0;
}

static int32_t ctree_add(ctree *t, int32_t parent, double birth, double death)
{
    int32_t c = (int32_t)t->count++;
    t->parent[c] = parent;
    t->child0[c] = t->child1[c] = -1;
    t->birth[c] = birth;
    t->death[c] = death;
    return c;
}

/* Adds point p to cluster c, leaving it at eps (or at the cluster's split when
 * the cluster has already split above this height). */
static void ctree_point(ctree *t, int32_t c, int32_t *point_cluster, uint32_t p, double height)
{
    double eps = t->processed[c] ? t->death[c] : height;
    t->sum_inv[c] += inv(eps);
    t->pts[c]++;
    point_cluster[p] = c;
}

/* Orders the MST edges as R's dbscan::hdbscan sees them: by weight, and equal
 * weights in the order Prim's algorithm started at row 0 adds them (lowest row
 * first among equal keys). Equal heights are common under mutual reachability
 * (every edge of a sparse face weighs its core distance), and their order
 * decides on which side a bridging face hangs; following the reference's order
 * keeps the partitions identical. Run on the tree itself: O(n log n). */
typedef struct prim_key {
    double w;
    uint32_t v;
} prim_key;

static int prim_less(prim_key a, prim_key b)
{
    return a.w < b.w || (a.w == b.w && a.v < b.v);
}

typedef struct ranked_edge {
    mst_edge e;
    uint32_t rank;
} ranked_edge;

static int ranked_edge_cmp(const void *pa, const void *pb)
{
    const ranked_edge *a = pa, *b = pb;
    if (a->e.w != b->e.w)
        return a->e.w < b->e.w ? -1 : 1;
    return (a->rank > b->rank) - (a->rank < b->rank);
}

static int prim_order(size_t n, const mst_edge *edges, mst_edge *out)
{
    const size_t m = n - 1;
    size_t *off = calloc(n + 1, sizeof *off);
    uint32_t *adj = malloc(2 * m * sizeof *adj), *rank = malloc(n * sizeof *rank), *fill = calloc(n, sizeof *fill);
    prim_key *heap = malloc(n * sizeof *heap);
    double *key = malloc(n * sizeof *key);
    ranked_edge *re = malloc(m * sizeof *re);
    int rc = -1;
    if (!off || !adj || !rank || !fill || !heap || !key || !re)
        goto done;
    for (size_t k = 0; k < m; k++)
        off[edges[k].a + 1]++, off[edges[k].b + 1]++;
    for (size_t i = 0; i < n; i++)
        off[i + 1] += off[i];
    for (size_t k = 0; k < m; k++) {
        adj[off[edges[k].a] + fill[edges[k].a]++] = (uint32_t)k;
        adj[off[edges[k].b] + fill[edges[k].b]++] = (uint32_t)k;
    }
    for (size_t i = 0; i < n; i++)
        rank[i] = UINT32_MAX, key[i] = INFINITY;
    size_t hn = 0, added = 0;
    heap[hn++] = (prim_key){ 0, 0 };
    while (hn) {
        prim_key top = heap[0];
        prim_key last = heap[--hn];
        size_t i = 0; /* sift the last entry down from the root */
        for (;;) {
            size_t l = 2 * i + 1, c = l;
            if (l >= hn)
                break;
            if (l + 1 < hn && prim_less(heap[l + 1], heap[l]))
                c = l + 1;
            if (!prim_less(heap[c], last))
                break;
            heap[i] = heap[c];
            i = c;
        }
        if (hn)
            heap[i] = last;
        if (rank[top.v] != UINT32_MAX)
            continue;
        rank[top.v] = (uint32_t)added++;
        for (size_t j = off[top.v]; j < off[top.v + 1]; j++) {
            const mst_edge *e = &edges[adj[j]];
            uint32_t u = e->a == top.v ? e->b : e->a;
            if (rank[u] != UINT32_MAX || !(e->w < key[u]))
                continue;
            key[u] = e->w; /* a tree: u has one edge to the tree, pushed once */
            prim_key pk = { e->w, u };
            size_t c = hn++;
            while (c > 0 && prim_less(pk, heap[(c - 1) / 2])) {
                heap[c] = heap[(c - 1) / 2];
                c = (c - 1) / 2;
            }
            heap[c] = pk;
        }
    }
    /* Field by field, not as one compound literal: GCC 12.2's loop vectoriser
     * (-O3, the Release build) dies with an internal compiler error in
     * vect_get_vec_defs_for_operand on the literal's whole-struct copy next to
     * the gathered max. The same stores, so the same code at -O2. */
    for (size_t k = 0; k < m; k++) {
        uint32_t ra = rank[edges[k].a], rb = rank[edges[k].b];
        re[k].e = edges[k];
        re[k].rank = ra > rb ? ra : rb;
    }
    qsort(re, m, sizeof *re, ranked_edge_cmp);
    for (size_t k = 0; k < m; k++)
        out[k] = re[k].e;
    rc = 0;
done:
    free(off);
    free(adj);
    free(rank);
    free(fill);
    free(heap);
    free(key);
    free(re);
    return rc;
}

int hdbscan_from_mst(size_t n, const mst_edge *edges, size_t mcs, hdbscan_selection selection, int32_t *labels,
                     size_t *tree_clusters, err *e)
{
    return hdbscan_from_mst_single(n, edges, mcs, selection, false, labels, tree_clusters, e);
}

int hdbscan_from_mst_single(size_t n, const mst_edge *edges, size_t mcs, hdbscan_selection selection, bool allow_single,
                            int32_t *labels, size_t *tree_clusters, err *e)
{
    if (mcs < 2)
        return err_set(e, ERR_INVALID, "HDBSCAN: min cluster size %zu must be at least 2", mcs);
    for (size_t i = 0; i < n; i++)
        labels[i] = -1;
    if (tree_clusters)
        *tree_clusters = n ? 1 : 0;
    if (n < 2)
        return 0;
    const size_t m = n - 1;
    /* Single-linkage hierarchy: merge k joins child l[k] and r[k]; a child >= 0
     * is an earlier merge, < 0 is point -(c+1). */
    int64_t *left = malloc(m * sizeof *left), *right = malloc(m * sizeof *right);
    size_t *size = malloc(m * sizeof *size);
    int64_t *node_of = malloc(n * sizeof *node_of);
    int32_t *tracker = malloc(m * sizeof *tracker), *point_cluster = malloc(n * sizeof *point_cluster);
    mst_edge *ord = malloc(m * sizeof *ord);
    unionfind uf = { 0 };
    ctree t;
    int rc = 0;
    int tinit = ctree_init(&t, n + 1);
    unsigned char *wins = NULL;
    double *score = NULL;
    int32_t *sel_anc = NULL;
    if (tinit || !ord || !left || !right || !size || !node_of || !tracker || !point_cluster || unionfind_init(&uf, n)) {
        rc = err_set(e, ERR_NOMEM, "HDBSCAN: out of memory for %zu faces", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        node_of[i] = -(int64_t)i - 1;
        point_cluster[i] = -1;
    }
    if (prim_order(n, edges, ord)) {
        rc = err_set(e, ERR_NOMEM, "HDBSCAN: out of memory for %zu faces", n);
        goto done;
    }
    for (size_t k = 0; k < m; k++) {
        uint32_t ra = unionfind_find(&uf, ord[k].a), rb = unionfind_find(&uf, ord[k].b);
        if (ra == rb) {
            rc = err_set(e, ERR_INVALID, "HDBSCAN: edge %zu (%u-%u) closes a cycle; not a spanning tree", k, ord[k].a,
                         ord[k].b);
            goto done;
        }
        left[k] = node_of[ra];
        right[k] = node_of[rb];
        size[k] = uf.size[ra] + uf.size[rb];
        unionfind_union(&uf, ra, rb);
        node_of[unionfind_find(&uf, ra)] = (int64_t)k;
        tracker[k] = 0;
    }
    /* Divisive pass, top merge first (as R's computeStability). */
    ctree_add(&t, -1, ord[m - 1].w, 0);
    for (size_t kk = m; kk-- > 0;) {
        int32_t cid = tracker[kk];
        int64_t l = left[kk], r = right[kk];
        double h = ord[kk].w;
        if (l < 0 && r < 0) {
            ctree_point(&t, cid, point_cluster, (uint32_t)(-l - 1), h);
            ctree_point(&t, cid, point_cluster, (uint32_t)(-r - 1), h);
            if (!t.processed[cid] && h < t.death[cid])
                t.death[cid] = h;
        } else if (l < 0 || r < 0) {
            int64_t pt = l < 0 ? l : r, br = l < 0 ? r : l;
            ctree_point(&t, cid, point_cluster, (uint32_t)(-pt - 1), h);
            tracker[br] = cid;
        } else if (size[l] >= mcs && size[r] >= mcs) {
            t.death[cid] = h;
            t.processed[cid] = 1;
            t.nchild[cid] = size[l] + size[r];
            int32_t c1 = ctree_add(&t, cid, h, ord[l].w);
            int32_t c2 = ctree_add(&t, cid, h, ord[r].w);
            t.child0[cid] = c1;
            t.child1[cid] = c2;
            tracker[l] = c1;
            tracker[r] = c2;
        } else {
            tracker[l] = tracker[r] = cid;
        }
    }
    if (tree_clusters)
        *tree_clusters = t.count;
    /* Selection. wins[c]: c itself is chosen over its descendants. */
    const size_t nc = t.count;
    wins = calloc(nc, 1);
    score = malloc(nc * sizeof *score);
    sel_anc = malloc(nc * sizeof *sel_anc);
    if (!wins || !score || !sel_anc) {
        rc = err_set(e, ERR_NOMEM, "HDBSCAN: out of memory for %zu tree clusters", nc);
        goto done;
    }
    for (size_t c = nc; c-- > 0;) {
        double stab = t.sum_inv[c] - t.pts[c] * inv(t.birth[c]) + t.nchild[c] * (inv(t.death[c]) - inv(t.birth[c]));
        int leaf = t.child0[c] < 0;
        int may_win = c != 0 || (allow_single && t.pts[c] + t.nchild[c] >= mcs);
        if (selection == HDBSCAN_LEAF) {
            wins[c] = leaf && may_win;
            continue;
        }
        if (leaf) {
            score[c] = stab;
            wins[c] = may_win;
        } else {
            double kids = score[t.child0[c]] + score[t.child1[c]];
            if (stab < kids) {
                score[c] = kids;
            } else {
                score[c] = stab;
                wins[c] = may_win;
            }
        }
    }
    /* Parents come before children, so one forward pass finds each cluster's
     * chosen ancestor (itself included). */
    for (size_t c = 0; c < nc; c++) {
        int32_t up = t.parent[c] >= 0 ? sel_anc[t.parent[c]] : -1;
        sel_anc[c] = up >= 0 ? up : (wins[c] ? (int32_t)c : -1);
    }
    for (size_t i = 0; i < n; i++)
        labels[i] = point_cluster[i] >= 0 ? sel_anc[point_cluster[i]] : -1;
    labels_canonicalize(labels, n);
done:
    free(left);
    free(right);
    free(size);
    free(node_of);
    free(tracker);
    free(point_cluster);
    free(ord);
    free(wins);
    free(score);
    free(sel_anc);
    unionfind_free(&uf);
    ctree_free(&t);
    return rc;
}

typedef struct guard_key {
    int32_t label;
    uint32_t root, row;
} guard_key;

static int guard_key_cmp(const void *pa, const void *pb)
{
    const guard_key *a = pa, *b = pb;
    if (a->label != b->label)
        return a->label < b->label ? -1 : 1;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

int hdbscan_guard(size_t n, const mst_edge *edges, const double *dist, double max_distance, size_t mcs, int32_t *labels,
                  size_t *guarded, err *e)
{
    if (guarded)
        *guarded = 0;
    if (n < 2)
        return 0;
    unionfind uf = { 0 };
    guard_key *key = malloc(n * sizeof *key);
    if (!key || unionfind_init(&uf, n)) {
        free(key);
        unionfind_free(&uf);
        return err_set(e, ERR_NOMEM, "HDBSCAN: out of memory for the distance guard over %zu faces", n);
    }
    for (size_t k = 0; k + 1 < n; k++)
        if (dist[k] <= max_distance)
            unionfind_union(&uf, edges[k].a, edges[k].b);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (labels[i] >= 0)
            key[m++] = (guard_key){ labels[i], unionfind_find(&uf, (uint32_t)i), (uint32_t)i };
    qsort(key, m, sizeof *key, guard_key_cmp);
    int32_t next = 0;
    size_t noise = 0;
    for (size_t a = 0, b; a < m; a = b) {
        for (b = a + 1; b < m && key[b].label == key[a].label && key[b].root == key[a].root; b++) {
        }
        int32_t to = b - a >= mcs ? next++ : -1;
        if (to < 0)
            noise += b - a;
        for (size_t j = a; j < b; j++)
            labels[key[j].row] = to;
    }
    labels_canonicalize(labels, n);
    if (guarded)
        *guarded = noise;
    free(key);
    unionfind_free(&uf);
    return 0;
}

int hdbscan_run(const nb_index *ix, const hdbscan_params *p, int32_t *labels, hdbscan_stats *stats, err *e)
{
    const size_t n = neighbors_count(ix);
    hdbscan_stats st;
    memset(&st, 0, sizeof st);
    size_t mcs = p->min_cluster_size;
    size_t ms = p->min_samples ? p->min_samples : mcs;
    if (mcs < 2)
        return err_set(e, ERR_INVALID, "HDBSCAN: min cluster size %zu must be at least 2", mcs);
    if (n < 2) {
        for (size_t i = 0; i < n; i++)
            labels[i] = -1;
        if (stats) {
            st.noise = n;
            *stats = st;
        }
        return 0;
    }
    size_t k = ms - 1 > HDBSCAN_MIN_KNN ? ms - 1 : HDBSCAN_MIN_KNN;
    if (k > n - 1)
        k = n - 1;
    st.knn_k = k;
    uint32_t *ind = malloc(n * k * sizeof *ind);
    float *dist = malloc(n * k * sizeof *dist);
    double *core = malloc(n * sizeof *core);
    mst_edge *edges = malloc((n - 1) * sizeof *edges);
    int rc = 0;
    if (!ind || !dist || !core || !edges) {
        rc = err_set(e, ERR_NOMEM, "HDBSCAN: out of memory for %zu faces", n);
        goto done;
    }
    double t0 = now_seconds();
    rc = neighbors_knn(ix, k, ind, dist, e);
    if (rc)
        goto done;
    /* Core distance: the (ms-1)-th nearest other face (R: kNNdist(k = minPts-1)). */
    size_t ck = ms - 1 < k ? ms - 1 : k;
    for (size_t i = 0; i < n; i++)
        core[i] = ck ? dist[i * k + ck - 1] : 0;
    double t1 = now_seconds();
    rc = mst_mutual_reachability(ix, core, ind, dist, k, edges, &st.mst, e);
    if (rc)
        goto done;
    double t2 = now_seconds();
    rc = hdbscan_from_mst_single(n, edges, mcs, p->selection, p->allow_single_cluster, labels, &st.tree_clusters, e);
    if (rc)
        goto done;
    if (p->max_distance > 0) {
        /* the edges' plain distances: mutual reachability is >= them, and a
         * face may be dense only because its neighbours are far apart too */
        double *plain = malloc((n - 1) * sizeof *plain);
        if (!plain) {
            rc = err_set(e, ERR_NOMEM, "HDBSCAN: out of memory for %zu faces", n);
            goto done;
        }
        for (size_t j = 0; j + 1 < n; j++)
            plain[j] = neighbors_dist(ix, edges[j].a, edges[j].b);
        rc = hdbscan_guard(n, edges, plain, p->max_distance, mcs, labels, &st.guarded, e);
        free(plain);
        if (rc)
            goto done;
    }
    double t3 = now_seconds();
    st.seconds_knn = t1 - t0;
    st.seconds_mst = t2 - t1;
    st.seconds_tree = t3 - t2;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0)
            st.noise++;
        else if ((size_t)labels[i] + 1 > st.clusters)
            st.clusters = (size_t)labels[i] + 1;
    }
done:
    if (stats)
        *stats = st;
    free(ind);
    free(dist);
    free(core);
    free(edges);
    return rc;
}
