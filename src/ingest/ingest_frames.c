/* ingest_frames.c — frames of sheets and videos stored as photos
 * (ingest_frames.h). */
#include "ingest/ingest_frames.h"
#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ingest_frame_id(const char parent_id[PHOTO_ID_LEN + 1], int n, char id[PHOTO_ID_LEN + 1])
{
    char text[PHOTO_ID_LEN + 32], hex[HASH_SHA256_HEX_LEN + 1];
    int len = snprintf(text, sizeof text, "%s#frame=%d", parent_id, n);
    if (hash_sha256_hex(text, (size_t)len, hex, NULL) != 0) {
        id[0] = '\0';
        return;
    }
    hash_photo_id(hex, id);
}

void ingest_frames_free(ingest_frames *f)
{
    free(f->photos);
    free(f->frames);
    memset(f, 0, sizeof *f);
}

static int grow(ingest_frames *acc)
{
    if (acc->n < acc->cap)
        return 0;
    int cap = acc->cap * 2 + 16;
    catalog_photo *p = realloc(acc->photos, sizeof *p * (size_t)cap);
    if (!p)
        return -1;
    acc->photos = p;
    catalog_frame *f = realloc(acc->frames, sizeof *f * (size_t)cap);
    if (!f)
        return -1;
    acc->frames = f;
    acc->cap = cap;
    return 0;
}

int ingest_frames_add(const ingest_file_ctx *ctx, const catalog_photo *parent, const decode_output *image, int orig_w,
                      int orig_h, const catalog_frame *fr, ingest_frames *acc, err *e)
{
    if (grow(acc) != 0)
        return err_set(e, ERR_NOMEM, "out of memory for %d frames", acc->n + 1);
    catalog_photo *p = &acc->photos[acc->n];
    catalog_frame *f = &acc->frames[acc->n];
    *p = *parent;
    p->sidecar = NULL;
    ingest_frame_id(parent->photo_id, fr->frame_no, p->photo_id);
    memcpy(p->parent_id, parent->photo_id, sizeof p->parent_id);
    p->width = image->width;
    p->height = image->height;
    p->orig_width = orig_w;
    p->orig_height = orig_h;
    p->orientation = 1;
    *f = *fr;
    memcpy(f->photo_id, p->photo_id, sizeof f->photo_id);
    memcpy(f->parent_id, parent->photo_id, sizeof f->parent_id);
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", p->photo_id);
    int rc = objstore_put(ctx->store, BUCKET_PROCESSED, key, image->jpeg, image->jpeg_len, e);
    if (rc == 0)
        acc->n++;
    return rc;
}

void ingest_frames_delete(const ingest_file_ctx *ctx, const ingest_frames *acc)
{
    for (int i = 0; i < acc->n; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s.jpg", acc->photos[i].photo_id);
        objstore_delete(ctx->store, BUCKET_PROCESSED, key, NULL);
    }
}
