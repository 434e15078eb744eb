/* analyze_flip.c — flipping a mirrored scan back (analyze_flip.h). */
#include "analyze/analyze_flip.h"
#include "core/hash.h"
#include "media/image.h"
#include "store/catalog_ocr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* The mirror image of the JPEG data[0..len), as JPEG (malloc'd). */
static int mirror_jpeg(const void *data, size_t len, void **out, size_t *out_len, err *e)
{
    /* libvips starts itself lazily on first use, and that start is not safe
       when two server threads get there together: start it here, once */
    int rc = image_init(NULL, e);
    if (rc)
        return rc;
    VipsImage *im = vips_image_new_from_buffer(data, len, "", NULL), *fl = NULL;
    if (!im || vips_flip(im, &fl, VIPS_DIRECTION_HORIZONTAL, NULL) ||
        vips_jpegsave_buffer(fl, out, out_len, "Q", 90, "strip", TRUE, NULL))
        rc = err_set(e, ERR_FORMAT, "cannot mirror the working image: %s", vips_error_buffer());
    vips_error_clear();
    if (fl)
        g_object_unref(fl);
    if (im)
        g_object_unref(im);
    return rc;
}

int analyze_flip(objstore *store, catalog *cat, const char *photo_id, const char *actor, err *e)
{
    if (!hash_photo_id_valid(photo_id))
        return err_set(e, ERR_INVALID, "'%.32s' is not a photo id", photo_id);
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", photo_id);
    void *cur = NULL, *fl = NULL;
    size_t cur_len = 0, fl_len = 0;
    int rc = objstore_get(store, BUCKET_PROCESSED, key, &cur, &cur_len, e);
    if (rc)
        return err_prefix(e, "flip %s", photo_id);
    char cur_sha[HASH_SHA256_HEX_LEN + 1], fl_sha[HASH_SHA256_HEX_LEN + 1], recorded[65];
    rc = hash_sha256_hex(cur, cur_len, cur_sha, e);
    if (rc == 0)
        rc = mirror_jpeg(cur, cur_len, &fl, &fl_len, e);
    if (rc == 0)
        rc = hash_sha256_hex(fl, fl_len, fl_sha, e);
    int added = rc ? rc : catalog_photo_flip_put(cat, photo_id, actor, fl_sha, recorded, e);
    int out = added;
    if (added == 1) {
        rc = objstore_put(store, BUCKET_PROCESSED, key, fl, fl_len, e);
        out = rc ? rc : 1;
    } else if (added == 0) {
        /* recorded before: done when the image is the flipped one; else the
         * last attempt was killed before it wrote the image */
        if (recorded[0] && strcmp(recorded, cur_sha) == 0) {
            out = 0;
        } else {
            rc = objstore_put(store, BUCKET_PROCESSED, key, fl, fl_len, e);
            if (rc == 0 && strcmp(recorded, fl_sha) != 0)
                rc = catalog_photo_flip_sha(cat, photo_id, fl_sha, e);
            out = rc ? rc : 1;
        }
    }
    free(cur);
    g_free(fl);
    if (out < 0 && e)
        err_prefix(e, "flip %s", photo_id);
    return out;
}
