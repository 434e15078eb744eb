/* track.c — face tracks in videos (track.h). */
#include "analyze/track.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double iou(const catalog_track_face *a, const catalog_track_face *b)
{
    double x0 = fmax(a->x, b->x), y0 = fmax(a->y, b->y);
    double x1 = fmin(a->x + a->w, b->x + b->w), y1 = fmin(a->y + a->h, b->y + b->h);
    double inter = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0;
    double uni = a->w * a->h + b->w * b->h - inter;
    return uni > 0 ? inter / uni : 0;
}

static double dist(const catalog_track_face *a, const catalog_track_face *b)
{
    double s = 0;
    for (int i = 0; i < FACE_DESCRIPTOR_DIM; i++) {
        double d = (double)a->descriptor[i] - b->descriptor[i];
        s += d * d;
    }
    return sqrt(s);
}

typedef struct pair {
    size_t a, b;
    double d;
} pair;

static int by_dist(const void *x, const void *y)
{
    const pair *p = x, *q = y;
    return p->d < q->d ? -1 : p->d > q->d ? 1 : p->a < q->a ? -1 : p->a > q->a ? 1 : (p->b > q->b) - (p->b < q->b);
}

/* faces [a0, a1) of one frame and [b0, b1) of the next: pairs nearest first. */
static int link_frames(const catalog_track_face *f, size_t a0, size_t a1, size_t b0, size_t b1, size_t *next,
                       size_t *prev, pair *pairs)
{
    size_t np = 0;
    for (size_t i = a0; i < a1; i++)
        for (size_t j = b0; j < b1; j++) {
            if (!f[i].has_descriptor || !f[j].has_descriptor)
                continue;
            double d = dist(&f[i], &f[j]);
            if ((d < TRACK_MAX_DIST && iou(&f[i], &f[j]) >= TRACK_MIN_IOU) || d < TRACK_SURE_DIST)
                pairs[np++] = (pair){ i, j, d };
        }
    qsort(pairs, np, sizeof *pairs, by_dist);
    for (size_t k = 0; k < np; k++)
        if (next[pairs[k].a] == (size_t)-1 && prev[pairs[k].b] == (size_t)-1) {
            next[pairs[k].a] = pairs[k].b;
            prev[pairs[k].b] = pairs[k].a;
        }
    return 0;
}

int track_link(const catalog_track_face *f, size_t n, int64_t *track, err *e)
{
    size_t *next = malloc(sizeof *next * (n + 1)), *prev = malloc(sizeof *prev * (n + 1));
    size_t most = 0; /* faces in the largest frame, for the pair buffer */
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && f[j].frame_no == f[i].frame_no;)
            j++;
        most = j - i > most ? j - i : most;
    }
    pair *pairs = malloc(sizeof *pairs * (most * most + 1));
    if (!next || !prev || !pairs) {
        free(next), free(prev), free(pairs);
        return err_set(e, ERR_NOMEM, "out of memory for the tracks of %zu faces", n);
    }
    for (size_t i = 0; i < n; i++)
        next[i] = prev[i] = (size_t)-1;
    /* frames are runs of equal frame_no; link each run to the next run of the same scene */
    size_t a0 = 0;
    while (a0 < n) {
        size_t a1 = a0;
        while (a1 < n && f[a1].frame_no == f[a0].frame_no)
            a1++;
        size_t b1 = a1;
        while (b1 < n && f[b1].frame_no == f[a1].frame_no)
            b1++;
        /* the next kept frame with faces, if at most one frame without any lies between */
        if (a1 < n && f[a1].scene == f[a0].scene && f[a1].frame_no - f[a0].frame_no <= 2)
            link_frames(f, a0, a1, a1, b1, next, prev, pairs);
        a0 = a1;
    }
    for (size_t i = 0; i < n; i++)
        track[i] = 0;
    for (size_t i = 0; i < n; i++) {
        if (prev[i] != (size_t)-1 || next[i] == (size_t)-1)
            continue; /* not the head of a chain of two or more */
        for (size_t k = i; k != (size_t)-1; k = next[k])
            track[k] = f[i].face_id;
    }
    free(next), free(prev), free(pairs);
    return 0;
}

int track_videos(catalog *c, track_summary *sum, err *e)
{
    memset(sum, 0, sizeof *sum);
    char(*videos)[PHOTO_ID_LEN + 1] = NULL;
    size_t nv = 0;
    int rc = catalog_track_videos(c, &videos, &nv, e);
    for (size_t v = 0; rc == 0 && v < nv; v++) {
        catalog_track_face *faces = NULL;
        size_t n = 0;
        rc = catalog_track_faces(c, videos[v], &faces, &n, e);
        int64_t *track = rc ? NULL : malloc(sizeof *track * (n + 1));
        int64_t *ids = rc ? NULL : malloc(sizeof *ids * (n + 1));
        if (rc == 0 && (!track || !ids))
            rc = err_set(e, ERR_NOMEM, "out of memory for the tracks of %zu faces", n);
        if (rc == 0)
            rc = track_link(faces, n, track, e);
        size_t m = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            if (track[i]) {
                ids[m] = faces[i].face_id;
                track[m++] = track[i];
                sum->tracks += track[i] == faces[i].face_id;
            }
        if (rc == 0)
            rc = catalog_tracks_put(c, videos[v], ids, track, m, e);
        sum->videos++;
        sum->faces += (int64_t)n;
        sum->linked += (int64_t)m;
        free(faces), free(track), free(ids);
    }
    free(videos);
    return rc;
}
