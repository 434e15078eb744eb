/* detection.c — the growable list of detections, and the overlap of two boxes. */
#include "vision/detection.h"

#include <math.h>
#include <stdlib.h>

int det_list_push(det_list *l, det_face f, err *e)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        det_face *p = realloc(l->faces, nc * sizeof *p);
        if (!p)
            return err_set(e, ERR_NOMEM, "out of memory for detections");
        l->faces = p;
        l->cap = nc;
    }
    l->faces[l->n++] = f;
    return 0;
}

void det_list_free(det_list *l)
{
    free(l->faces);
    l->faces = NULL;
    l->n = l->cap = 0;
}

double det_box_iou(rectd a, rectd b)
{
    double w = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x), h = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);
    if (w <= 0 || h <= 0)
        return 0;
    double u = a.w * a.h + b.w * b.h - w * h;
    return u > 0 ? w * h / u : 0;
}

int det_face_cmp_score(const void *pa, const void *pb)
{
    const det_face *a = pa, *b = pb;
    return a->score > b->score ? -1 : a->score < b->score;
}
