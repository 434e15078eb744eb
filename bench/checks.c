/* bench/checks.c — how well the wrong-merge check ("spread", annotate/checks.h:
 * the person page's "looks like two", cluster/doubt.h) finds persons that mix identities, on a folder-per-identity set (faces-dev)
 * ingested, analysed and clustered into a data folder.
 *
 *   bench_checks --data DATADIR [--set DIR] [--min-faces N]
 *
 * Truth: each image's largest face has its folder's identity (people/eval_set.h);
 * a person "mixes identities" when at least min-faces (default 3) of its
 * faces belong to each of two identities. For each silhouette threshold (the
 * top split joining above DOUBT_SPLIT_HEIGHT with >= 3 faces a side) the table
 * gives the persons flagged, how many of them mix identities (precision) and
 * how many of the mixing persons are flagged (recall); the default threshold
 * is marked. Then the same on synthetic wrong merges: pairs of pure persons
 * (>= 3 faces each, different identities, chosen by a fixed seed) joined into
 * one, against the pure persons alone (each >= 6 faces) as negatives.
 * Without --data it says so and exits 0 (`make bench` runs every bench_*). */
#include "annotate/checks.h"
#include "cluster/doubt.h"
#include "people/eval_set.h"
#include "store/catalog_checks.h"
#include "store/datadir.h"
#include "store/people_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIM 128

typedef struct person {
    int64_t id;
    size_t first, n;  /* rows of faces[] */
    int major, minor; /* identities with the most and second-most matched faces */
    size_t nmajor, nminor;
    double d;        /* the top split's silhouette, 0 when it joins at or below the cut */
    size_t side_min; /* faces on the smaller side of the top split */
} person;

static const double thresholds[] = { 0.10, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50 };
#define NT (sizeof thresholds / sizeof thresholds[0])

static void split(const catalog_check_face *faces, const size_t *rows, size_t n, double *d, size_t *side_min)
{
    float *x = malloc((n ? n : 1) * DIM * sizeof *x);
    size_t m = 0;
    for (size_t i = 0; x && i < n; i++)
        if (faces[rows[i]].has_embedding)
            memcpy(x + DIM * m++, faces[rows[i]].embedding, DIM * sizeof *x);
    doubt_result r;
    err e = { 0 };
    *d = 0;
    *side_min = 0;
    if (x && doubt_analyse(x, m, DIM, NULL, &r, &e) == 0) {
        *d = r.split_height > DOUBT_SPLIT_HEIGHT ? r.silhouette : 0;
        *side_min = r.top_sides[0] < r.top_sides[1] ? r.top_sides[0] : r.top_sides[1];
        doubt_free(&r);
    }
    free(x);
}

static void table(const char *title, const double *d, const size_t *side_min, const int *positive, size_t n,
                  size_t min_side)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += positive[i] != 0;
    printf("%s: %zu persons, %zu of them mix identities\n", title, n, pos);
    printf("  %-10s %8s %8s %10s %8s\n", "silhouette", "flagged", "correct", "precision", "recall");
    for (size_t t = 0; t < NT; t++) {
        size_t flagged = 0, tp = 0;
        for (size_t i = 0; i < n; i++) {
            int f = side_min[i] >= min_side && d[i] > thresholds[t];
            flagged += f;
            tp += f && positive[i];
        }
        printf("  %-10.2f %8zu %8zu %10.3f %8.3f%s\n", thresholds[t], flagged, tp,
               flagged ? (double)tp / (double)flagged : 1.0, pos ? (double)tp / (double)pos : 1.0,
               thresholds[t] > DOUBT_SILHOUETTE - 1e-9 && thresholds[t] < DOUBT_SILHOUETTE + 1e-9 ? "  <- default"
                                                                                                  : "");
    }
}

int main(int argc, char **argv)
{
    const char *data = NULL, *set = NULL;
    size_t min_faces = 3;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--set") == 0 && i + 1 < argc)
            set = argv[++i];
        else if (strcmp(argv[i], "--min-faces") == 0 && i + 1 < argc)
            min_faces = (size_t)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_checks --data DATADIR [--set DIR] [--min-faces N]\n");
            return 2;
        }
    }
    if (!data) {
        printf("bench_checks: needs --data DATADIR, a data folder into which faces-dev was ingested, analysed and "
               "clustered (`facetag --data DIR eval ../shared/data/faces-dev` leaves one; scripts/check-full.sh "
               "does it all); nothing measured\n");
        return 0;
    }
    char setbuf[4096];
    if (!set) {
        const char *shared = getenv("FACETAG_SHARED");
        snprintf(setbuf, sizeof setbuf, "%s/data/faces-dev", shared ? shared : "../shared");
        set = setbuf;
    }
    err e = { 0 };
    eval_set s;
    catalog *cat = NULL;
    if (eval_set_scan(set, &s, &e) != 0 || datadir_open(data, 0, NULL, &cat, &e) != 0) {
        fprintf(stderr, "bench_checks: %s\n", e.msg);
        return 2;
    }
    char model[96];
    catalog_check_face *faces = NULL;
    size_t nf = 0;
    if (people_store_model(cat, model, &e) <= 0 || eval_set_match(&s, cat, model, &e) != 0 ||
        catalog_checks_faces(cat, &faces, &nf, &e) != 0) {
        fprintf(stderr, "bench_checks: %s\n", e.msg[0] ? e.msg : "no faces in the catalog");
        return 2;
    }
    /* identity of each face (matched faces only) */
    int *ident = malloc((nf ? nf : 1) * sizeof *ident);
    for (size_t i = 0; i < nf; i++) {
        ident[i] = -1;
        for (size_t k = 0; k < s.n; k++) /* faces are few thousand: a scan is fine */
            if (s.face_id[k] == faces[i].face_id) {
                ident[i] = s.truth[k];
                break;
            }
    }
    size_t np = 0;
    person *p = calloc(nf ? nf : 1, sizeof *p);
    size_t *cnt = calloc(s.nidentities, sizeof *cnt);
    for (size_t i = 0; i < nf;) {
        size_t j = i + 1;
        while (j < nf && faces[j].person_id == faces[i].person_id)
            j++;
        person *q = &p[np++];
        q->id = faces[i].person_id;
        q->first = i;
        q->n = j - i;
        q->major = q->minor = -1;
        for (size_t k = i; k < j; k++)
            if (ident[k] >= 0)
                cnt[ident[k]]++;
        for (size_t k = i; k < j; k++) { /* each identity once: its count, then zeroed */
            int id = ident[k];
            if (id < 0 || cnt[id] == 0)
                continue;
            size_t c = cnt[id];
            cnt[id] = 0;
            if (q->major < 0 || c > q->nmajor) {
                q->minor = q->major, q->nminor = q->nmajor;
                q->major = id, q->nmajor = c;
            } else if (q->minor < 0 || c > q->nminor) {
                q->minor = id, q->nminor = c;
            }
        }
        for (size_t k = i; k < j; k++)
            if (ident[k] >= 0)
                cnt[ident[k]] = 0;
        size_t *rows = malloc(q->n * sizeof *rows);
        for (size_t k = 0; k < q->n; k++)
            rows[k] = i + k;
        split(faces, rows, q->n, &q->d, &q->side_min);
        free(rows);
        i = j;
    }

    /* 1. the clustering as it is */
    double *d = calloc(np + 1, sizeof *d);
    size_t *sm = calloc(np + 1, sizeof *sm);
    int *pos = calloc(np + 1, sizeof *pos);
    for (size_t i = 0; i < np; i++) {
        d[i] = p[i].d;
        sm[i] = p[i].side_min;
        pos[i] = p[i].minor >= 0 && p[i].nminor >= min_faces;
    }
    printf("bench_checks: %s, model %s: %zu faces in %zu persons\n", data, model, nf, np);
    table("persons of the clustering", d, sm, pos, np, 3);
    printf("  mixing persons:");
    for (size_t i = 0; i < np; i++)
        if (pos[i])
            printf(" %lld (%zu+%zu, silhouette %.2f)", (long long)p[i].id, p[i].nmajor, p[i].nminor, p[i].d);
    printf("\n");

    /* 2. synthetic wrong merges of pure persons */
    size_t *pure = malloc((np + 1) * sizeof *pure), npure = 0;
    for (size_t i = 0; i < np; i++)
        if (p[i].major >= 0 && p[i].minor < 0 && p[i].nmajor >= 3)
            pure[npure++] = i;
    uint64_t rng = 20261207;
    for (size_t i = npure; i > 1; i--) { /* Fisher-Yates, fixed seed */
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        size_t k = (size_t)(rng >> 33) % i;
        size_t t = pure[i - 1];
        pure[i - 1] = pure[k];
        pure[k] = t;
    }
    size_t npairs = npure / 2, nneg = 0;
    double *d2 = calloc(npairs + npure + 1, sizeof *d2);
    size_t *sm2 = calloc(npairs + npure + 1, sizeof *sm2);
    int *pos2 = calloc(npairs + npure + 1, sizeof *pos2);
    size_t m = 0;
    for (size_t k = 0; k < npairs; k++) {
        const person *a = &p[pure[2 * k]], *b = &p[pure[2 * k + 1]];
        size_t *rows = malloc((a->n + b->n) * sizeof *rows);
        for (size_t r = 0; r < a->n; r++)
            rows[r] = a->first + r;
        for (size_t r = 0; r < b->n; r++)
            rows[a->n + r] = b->first + r;
        split(faces, rows, a->n + b->n, &d2[m], &sm2[m]);
        pos2[m++] = 1;
        free(rows);
    }
    for (size_t k = 0; k < npure; k++)
        if (p[pure[k]].n >= 6) {
            d2[m] = p[pure[k]].d;
            sm2[m] = p[pure[k]].side_min;
            pos2[m++] = 0;
            nneg++;
        }
    printf("\n");
    char title[128];
    snprintf(title, sizeof title, "synthetic merges (%zu pairs of pure persons) and %zu pure persons of >= 6 faces",
             npairs, nneg);
    table(title, d2, sm2, pos2, m, 3);

    /* the check itself, with its defaults, agrees with the table's default row */
    check_report r;
    if (checks_run(cat, NULL, &r, &e) == 0) {
        size_t flagged = 0, tp = 0;
        for (size_t i = 0; i < r.n; i++)
            if (r.items[i].kind == CHECK_SPREAD) {
                flagged++;
                for (size_t k = 0; k < np; k++)
                    if (p[k].id == r.items[i].person_id)
                        tp += pos[k];
            }
        printf("\nfacetag check (defaults): %zu persons flagged as spread, %zu of them mix identities\n", flagged, tp);
        checks_report_free(&r);
    }
    free(d);
    free(sm);
    free(pos);
    free(d2);
    free(sm2);
    free(pos2);
    free(pure);
    free(cnt);
    free(p);
    free(ident);
    free(faces);
    catalog_close(cat);
    eval_set_free(&s);
    return 0;
}
