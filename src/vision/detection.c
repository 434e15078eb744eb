/* detection.c — the growable list of detections. */
#include "vision/detection.h"

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
