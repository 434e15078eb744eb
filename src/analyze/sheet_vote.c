/* sheet_vote.c — the turn of a contact sheet's frames, voted by the frames
 * where faces are found (sheet_vote.h). */
#include "analyze/sheet_vote.h"

#include "store/catalog_frames.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sheet_vote_turn(const int *rotation, const int *faces, int n, int *voters)
{
    int count[4] = { 0 }, total = 0;
    for (int i = 0; i < n; i++) {
        int r = ((rotation[i] % 360) + 360) % 360;
        if (faces[i] <= 0 || r % 90)
            continue;
        count[r / 90]++;
        total++;
    }
    if (voters)
        *voters = total;
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best])
            best = k;
    return count[best] >= SHEET_VOTE_MIN && 2 * count[best] > total ? 90 * best : 0;
}

typedef struct ballot {
    objstore *store;
    const char *model;
    int *rotation, *faces;
    int n, cap;
    err *e;
} ballot;

/* One frame's stored annotation: its rotation and faces, when it is this
 * model's. */
static int read_frame(const catalog_frame *f, void *ud)
{
    ballot *b = ud;
    char key[64];
    snprintf(key, sizeof key, "%s.json", f->photo_id);
    void *data = NULL;
    size_t len = 0;
    int rc = objstore_get(b->store, BUCKET_ANNOTATIONS, key, &data, &len, b->e);
    if (rc == ERR_NOTFOUND) { /* not analysed yet: no vote */
        err_clear(b->e);
        return 0;
    }
    if (rc)
        return rc;
    json_t *o = json_loadb(data, len, 0, NULL);
    free(data);
    const char *model = json_string_value(json_object_get(o, "model"));
    json_t *rot = json_object_get(o, "rotation"), *faces = json_object_get(o, "faces");
    if (o && model && strcmp(model, b->model) == 0 && json_is_integer(rot) && json_is_array(faces)) {
        if (b->n == b->cap) {
            int cap = b->cap * 2 + 16;
            int *r = realloc(b->rotation, sizeof *r * (size_t)cap);
            if (r)
                b->rotation = r;
            int *fc = r ? realloc(b->faces, sizeof *fc * (size_t)cap) : NULL;
            if (fc)
                b->faces = fc;
            if (!r || !fc) {
                json_decref(o);
                return err_set(b->e, ERR_NOMEM, "out of memory counting a sheet's frames");
            }
            b->cap = cap;
        }
        b->rotation[b->n] = (int)json_integer_value(rot);
        b->faces[b->n] = (int)json_array_size(faces);
        b->n++;
    }
    json_decref(o);
    return 0;
}

int sheet_vote_stored(objstore *store, catalog *cat, const char *parent_id, const char *model, int *turn, err *e)
{
    *turn = 0;
    ballot b = { .store = store, .model = model, .e = e };
    int rc = catalog_frames_of(cat, parent_id, read_frame, &b, e);
    if (rc == 0)
        *turn = sheet_vote_turn(b.rotation, b.faces, b.n, NULL);
    free(b.rotation);
    free(b.faces);
    return rc;
}
