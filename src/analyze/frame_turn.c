/* frame_turn.c — a contact sheet's frames stored upright by its vote
 * (frame_turn.h). */
#include "analyze/frame_turn.h"

#include "core/hash.h"
#include "core/testhook.h"
#include "media/decode.h"
#include "media/image.h"
#include "media/sheet.h"
#include "store/catalog_frame_turn.h"
#include "store/catalog_frames.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* The working image jpeg[0..len) turned clockwise by turn, encoded as ingest
 * encodes a working image (decode_encode: the same size, Q 90, no
 * metadata); out->jpeg is g_free'd by decode_output_free. */
static int turn_jpeg(const void *jpeg, size_t len, int turn, decode_output *out, err *e)
{
    memset(out, 0, sizeof *out);
    int rc = image_init(NULL, e); /* libvips from a worker thread or a server: started once */
    if (rc)
        return rc;
    VipsImage *im = vips_image_new_from_buffer(jpeg, len, "", NULL), *rot = NULL;
    VipsAngle a = turn == 90 ? VIPS_ANGLE_D90 : turn == 180 ? VIPS_ANGLE_D180 : VIPS_ANGLE_D270;
    if (!im || vips_rot(im, &rot, a, NULL))
        rc = err_set(e, ERR_FORMAT, "cannot turn the working image: %s", vips_error_buffer());
    vips_error_clear();
    if (rc == 0)
        rc = decode_encode(rot, INT_MAX, out, e);
    if (rot)
        g_object_unref(rot);
    if (im)
        g_object_unref(im);
    return rc;
}

/* processed/{photo_id}.jpg turned by turn: *out, and its SHA-256. */
static int turned_image(objstore *store, const char *photo_id, int turn, decode_output *out,
                        char sha[HASH_SHA256_HEX_LEN + 1], err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", photo_id);
    void *cur = NULL;
    size_t len = 0;
    int rc = objstore_get(store, BUCKET_PROCESSED, key, &cur, &len, e);
    if (rc == 0)
        rc = turn_jpeg(cur, len, turn, out, e);
    free(cur);
    if (rc == 0)
        rc = hash_sha256_hex(out->jpeg, out->jpeg_len, sha, e);
    if (rc) {
        decode_output_free(out);
        err_prefix(e, "processed/%s", key);
    }
    return rc;
}

static int put_image(objstore *store, const char *photo_id, const decode_output *img, err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", photo_id);
    return objstore_put(store, BUCKET_PROCESSED, key, img->jpeg, img->jpeg_len, e);
}

typedef struct sheet_frames {
    catalog_frame *f;
    int n, cap;
} sheet_frames;

static int add_frame(const catalog_frame *f, void *ud)
{
    sheet_frames *s = ud;
    if (strcmp(f->kind, "sheet") != 0)
        return 0;
    if (s->n == s->cap) {
        int cap = s->cap * 2 + 16;
        catalog_frame *v = realloc(s->f, sizeof *v * (size_t)cap);
        if (!v)
            return ERR_NOMEM;
        s->f = v;
        s->cap = cap;
    }
    s->f[s->n++] = *f;
    return 0;
}

int frame_turn_sheet(objstore *store, catalog *cat, const char *parent_id, int turn, int slow_ms, err *e)
{
    if (turn != 90 && turn != 180 && turn != 270)
        return err_set(e, ERR_INVALID, "sheet %s: turn %d is not 90, 180 or 270", parent_id, turn);
    sheet_frames s = { 0 };
    int rc = catalog_frames_of(cat, parent_id, add_frame, &s, e);
    if (rc == ERR_NOMEM)
        rc = err_set(e, ERR_NOMEM, "sheet %s: out of memory listing its frames", parent_id);
    int turned_before = 0;
    for (int i = 0; i < s.n; i++)
        turned_before |= s.f[i].turn != 0;
    if (rc || turned_before || s.n == 0) {
        free(s.f);
        return rc;
    }
    catalog_frame_turn *t = calloc((size_t)s.n, sizeof *t);
    decode_output *img = calloc((size_t)s.n, sizeof *img);
    if (!t || !img)
        rc = err_set(e, ERR_NOMEM, "sheet %s: out of memory turning its frames", parent_id);
    /* every turned image made before anything is recorded: a frame that
     * cannot be read leaves the whole sheet as it was */
    for (int i = 0; rc == 0 && i < s.n; i++) {
        sheet_frame sf = {
            .no = s.f[i].frame_no, .cx = s.f[i].cx, .cy = s.f[i].cy, .w = s.f[i].w, .h = s.f[i].h, .angle = s.f[i].angle
        };
        sheet_frame_turn(&sf, turn / 90);
        memcpy(t[i].photo_id, s.f[i].photo_id, sizeof t[i].photo_id);
        t[i].angle = sf.angle;
        t[i].w = sf.w;
        t[i].h = sf.h;
        rc = turned_image(store, s.f[i].photo_id, turn, &img[i], t[i].sha256, e);
    }
    int recorded = rc ? rc : catalog_sheet_turn_put(cat, parent_id, turn, t, s.n, e);
    if (recorded == 1)
        testhook_point("sheet-turned", slow_ms);
    rc = recorded < 0 ? recorded : 0;
    for (int i = 0; rc == 0 && recorded == 1 && i < s.n; i++) {
        rc = put_image(store, t[i].photo_id, &img[i], e);
        if (rc == 0)
            rc = catalog_frame_turn_written(cat, t[i].photo_id, e);
        testhook_pause(slow_ms);
    }
    for (int i = 0; img && i < s.n; i++)
        decode_output_free(&img[i]);
    free(img);
    free(t);
    free(s.f);
    if (rc)
        return err_prefix(e, "sheet %s: turning its frames upright", parent_id);
    return recorded;
}

typedef struct pending {
    char photo_id[PHOTO_ID_LEN + 1];
    int turn;
    char sha[HASH_SHA256_HEX_LEN + 1];
} pending;

typedef struct pending_list {
    pending *p;
    int n, cap;
} pending_list;

static int add_pending(const char *photo_id, int turn, const char *sha256, void *ud)
{
    pending_list *l = ud;
    if (l->n == l->cap) {
        int cap = l->cap * 2 + 16;
        pending *v = realloc(l->p, sizeof *v * (size_t)cap);
        if (!v)
            return ERR_NOMEM;
        l->p = v;
        l->cap = cap;
    }
    pending *p = &l->p[l->n++];
    snprintf(p->photo_id, sizeof p->photo_id, "%s", photo_id);
    p->turn = turn;
    snprintf(p->sha, sizeof p->sha, "%s", sha256);
    return 0;
}

/* One pending frame: its image turned unless it is the recorded one already. */
static int finish_one(objstore *store, catalog *cat, const pending *p, err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", p->photo_id);
    void *cur = NULL;
    size_t len = 0;
    char sha[HASH_SHA256_HEX_LEN + 1];
    int rc = objstore_get(store, BUCKET_PROCESSED, key, &cur, &len, e);
    if (rc == 0)
        rc = hash_sha256_hex(cur, len, sha, e);
    if (rc == 0 && strcmp(sha, p->sha) != 0) { /* killed before this image was written: turn the one just read */
        decode_output img;
        rc = turn_jpeg(cur, len, p->turn, &img, e);
        if (rc)
            err_prefix(e, "processed/%s", key);
        else
            rc = put_image(store, p->photo_id, &img, e);
        decode_output_free(&img);
    }
    free(cur);
    if (rc == 0)
        rc = catalog_frame_turn_written(cat, p->photo_id, e);
    return rc;
}

int frame_turn_finish(objstore *store, catalog *cat, err *e)
{
    pending_list l = { 0 };
    int rc = catalog_frame_turns_pending(cat, add_pending, &l, e);
    if (rc == ERR_NOMEM)
        rc = err_set(e, ERR_NOMEM, "out of memory listing the frames to turn");
    for (int i = 0; rc == 0 && i < l.n; i++)
        if ((rc = finish_one(store, cat, &l.p[i], e)) != 0)
            err_prefix(e, "frame %s: finishing its turn", l.p[i].photo_id);
    free(l.p);
    return rc ? rc : l.n;
}
