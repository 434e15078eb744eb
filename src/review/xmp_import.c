/* xmp_import.c — imported face regions into people's decisions (xmp_import.h). */
#include "review/xmp_import.h"
#include "review/draw.h"
#include "store/catalog_xmp.h"
#include "store/persons.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double xmp_import_iou(const double a[4], const double b[4])
{
    double x0 = fmax(a[0], b[0]), y0 = fmax(a[1], b[1]);
    double x1 = fmin(a[0] + a[2], b[0] + b[2]), y1 = fmin(a[1] + a[3], b[1] + b[3]);
    double inter = x1 > x0 && y1 > y0 ? (x1 - x0) * (y1 - y0) : 0;
    double uni = a[2] * a[3] + b[2] * b[3] - inter;
    return uni > 0 ? inter / uni : 0;
}

typedef struct pair {
    double iou;
    size_t region, face;
} pair;

static int by_iou_desc(const void *a, const void *b)
{
    const pair *p = a, *q = b;
    if (p->iou != q->iou)
        return p->iou < q->iou ? 1 : -1;
    return p->region != q->region ? (p->region < q->region ? -1 : 1) : (p->face < q->face ? -1 : p->face > q->face);
}

/* match[i]: the face index region i takes, or -1. Best overlaps first, one face per region. */
static int match_regions(const catalog_xmp_region *r, size_t nr, const catalog_face *f, size_t nf, long *match)
{
    pair *pairs = nr && nf ? malloc(nr * nf * sizeof *pairs) : NULL;
    if (nr && nf && !pairs)
        return ERR_NOMEM;
    size_t np = 0;
    for (size_t i = 0; i < nr; i++)
        for (size_t j = 0; j < nf; j++) {
            double iou = xmp_import_iou(r[i].box, f[j].box);
            if (iou >= XMP_IMPORT_MIN_IOU)
                pairs[np++] = (pair){ iou, i, j };
        }
    if (np)
        qsort(pairs, np, sizeof *pairs, by_iou_desc);
    char *taken = calloc(nf + 1, 1);
    if (!taken) {
        free(pairs);
        return ERR_NOMEM;
    }
    for (size_t i = 0; i < nr; i++)
        match[i] = -1;
    for (size_t k = 0; k < np; k++)
        if (match[pairs[k].region] < 0 && !taken[pairs[k].face]) {
            match[pairs[k].region] = (long)pairs[k].face;
            taken[pairs[k].face] = 1;
        }
    free(taken);
    free(pairs);
    return 0;
}

/* Applies region r of photo_id: returns 0 with status, face_id and why set, <0
 * only when the catalog itself failed. */
static int apply_one(catalog *c, objstore *os, draw_engine **draw, const char *models_dir, const char *photo_id,
                     const catalog_xmp_region *r, const catalog_face *face, const char **status, int64_t *face_id,
                     char *why, size_t why_size, err *e)
{
    err e2 = { 0 };
    *face_id = 0;
    *status = "failed";
    if (!r->name[0]) {
        snprintf(why, why_size, "the region has no name");
        return 0;
    }
    if (face) {
        int named = catalog_xmp_face_named(c, face->id, r->name, e);
        if (named < 0)
            return named;
        /* a face drawn for this region by a run killed before it recorded the status */
        int redrawn = strcmp(face->source, "manual") == 0 && xmp_import_iou(face->box, r->box) > 0.9;
        if (!named && persons_name_face(c, XMP_IMPORT_ACTOR, face->id, r->name, NULL, &e2) != 0) {
            if (e2.code == ERR_DB || e2.code == ERR_BUSY || e2.code == ERR_IO) {
                *e = e2;
                return e2.code;
            }
            snprintf(why, why_size, "%s", e2.msg);
            return 0;
        }
        *status = named && redrawn ? "drawn" : "matched";
        *face_id = face->id;
        return 0;
    }
    if (!*draw && !(*draw = draw_engine_new(models_dir)))
        return err_set(e, ERR_NOMEM, "out of memory");
    int64_t fid = 0;
    if (draw_face(*draw, c, os, XMP_IMPORT_ACTOR, photo_id, r->box, r->name, &fid, &e2) != 0) {
        if (e2.code == ERR_DB || e2.code == ERR_BUSY || e2.code == ERR_IO || e2.code == ERR_MODEL) {
            *e = e2;
            return e2.code;
        }
        snprintf(why, why_size, "no face was found there and it cannot be drawn: %s", e2.msg);
        return 0;
    }
    *status = "drawn";
    *face_id = fid;
    return 0;
}

static int apply_photo(catalog *c, objstore *os, draw_engine **draw, const char *models_dir, const char *photo_id,
                       FILE *msgs, xmp_import_summary *s, err *e)
{
    catalog_xmp_region *r = NULL;
    catalog_face *faces = NULL;
    size_t nr = 0, nf = 0;
    long *match = NULL;
    int rc = catalog_xmp_regions_of(c, photo_id, &r, &nr, e);
    if (rc == 0)
        rc = catalog_faces_of_photo(c, photo_id, NULL, &faces, &nf, e);
    if (rc == 0 && !(match = malloc((nr + 1) * sizeof *match)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    /* only the pending regions compete for faces: an applied one holds its face already */
    size_t np = 0;
    for (size_t i = 0; rc == 0 && i < nr; i++)
        if (strcmp(r[i].status, "pending") == 0)
            r[np++] = r[i];
    if (rc == 0 && (rc = match_regions(r, np, faces, nf, match)) != 0)
        err_set(e, rc, "out of memory");
    for (size_t i = 0; rc == 0 && i < np; i++) {
        const char *status = NULL;
        int64_t fid = 0;
        char why[1200] = "";
        rc = apply_one(c, os, draw, models_dir, photo_id, &r[i], match[i] >= 0 ? &faces[match[i]] : NULL, &status, &fid,
                       why, sizeof why, e);
        if (rc == 0)
            rc = catalog_xmp_region_done(c, photo_id, r[i].region_no, status, fid, why[0] ? why : NULL, e);
        if (rc)
            break;
        if (strcmp(status, "matched") == 0)
            s->matched++;
        else if (strcmp(status, "drawn") == 0)
            s->drawn++;
        else {
            s->failed++;
            fprintf(msgs, "photo %s: XMP %s region %d (%s%s%s): %s\n", photo_id, r[i].kind, r[i].region_no + 1,
                    r[i].name[0] ? "'" : "", r[i].name[0] ? r[i].name : "unnamed", r[i].name[0] ? "'" : "", why);
        }
    }
    if (rc == 0 && np)
        s->photos++;
    free(match);
    free(faces);
    free(r);
    return rc;
}

int xmp_import_apply(catalog *c, objstore *os, const char *models_dir, FILE *msgs, xmp_import_summary *s, err *e)
{
    memset(s, 0, sizeof *s);
    char **ids = NULL;
    size_t n = 0;
    int rc = catalog_xmp_pending_photos(c, &ids, &n, e);
    draw_engine *draw = NULL;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = apply_photo(c, os, &draw, models_dir, ids[i], msgs, s, e);
    draw_engine_free(draw);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return rc;
}
