#include "ingest/ingest_file.h"
#include "core/testhook.h"
#include "ingest/ingest.h"
#include "ingest/ingest_sheet.h"
#include "ingest/ingest_video.h"
#include "ingest/ingest_xmp.h"
#include "media/sidecar.h"
#include "media/video.h"
#include "store/objstore_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void fail(ingest_file_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(ingest_file_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[1200];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    r->kind = INGEST_FILE_FAILED;
    free(r->reason);
    r->reason = strdup(buf);
}

/* ---- hashing -------------------------------------------------------------- */

typedef struct hasher {
    EVP_MD_CTX *md;
    char hex[HASH_SHA256_HEX_LEN + 1];
    const char *expect; /* when set, the end of the stream must hash to this */
    int slow_ms;        /* test hook: pause after each chunk */
} hasher;

static int hasher_start(hasher *h, err *e)
{
    h->md = EVP_MD_CTX_new();
    if (!h->md || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1)
        return err_set(e, ERR_INTERNAL, "SHA-256 is not available");
    return 0;
}

static int hasher_chunk(const void *data, size_t len, void *ud, err *e)
{
    hasher *h = ud;
    if (data) {
        if (EVP_DigestUpdate(h->md, data, len) != 1)
            return err_set(e, ERR_INTERNAL, "SHA-256 update failed");
        testhook_pause(h->slow_ms);
        return 0;
    }
    unsigned char md[32];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(h->md, md, &n) != 1 || n != 32)
        return err_set(e, ERR_INTERNAL, "SHA-256 final failed");
    for (int i = 0; i < 32; i++)
        snprintf(h->hex + 2 * i, 3, "%02x", md[i]);
    if (h->expect && strcmp(h->expect, h->hex) != 0)
        return err_set(e, ERR_CONFLICT, "the file changed while it was being read; run ingest again");
    return 0;
}

static int hash_fd(int fd, char hex[HASH_SHA256_HEX_LEN + 1], err *e)
{
    hasher h = { 0 };
    int rc = hasher_start(&h, e);
    char *buf = rc ? NULL : malloc(1 << 20);
    if (rc == 0 && !buf)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (off_t off = 0; rc == 0;) {
        ssize_t n = pread(fd, buf, 1 << 20, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = err_set(e, ERR_IO, "read failed: %s", strerror(errno));
        else if (n == 0)
            break;
        else
            rc = hasher_chunk(buf, (size_t)n, &h, e);
        off += n;
    }
    if (rc == 0)
        rc = hasher_chunk(NULL, 0, &h, e);
    if (rc == 0)
        memcpy(hex, h.hex, sizeof h.hex);
    free(buf);
    EVP_MD_CTX_free(h.md);
    return rc;
}

/* ---- the steps -------------------------------------------------------------- */

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m)                 ? "a folder"
           : S_ISFIFO(m)              ? "a named pipe"
           : S_ISSOCK(m)              ? "a socket"
           : S_ISCHR(m) || S_ISBLK(m) ? "a device"
                                      : "not a regular file";
}

/* stat + open; 0 and *fd open, or r failed. */
static int open_input(const char *path, ingest_file_result *r, int *fd)
{
    struct stat st, lst;
    if (stat(path, &st) != 0) {
        int en = errno;
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            fail(r, "broken symbolic link (its target does not exist)");
        else
            fail(r, "cannot read: %s", strerror(en));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        fail(r, "not a file but %s", kind_of(st.st_mode));
        return -1;
    }
    /* O_NONBLOCK: if the path was swapped for a pipe since stat, don't hang. */
    *fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (*fd < 0) {
        fail(r, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fail(r, "not a regular file");
        close(*fd);
        return -1;
    }
    r->size = (int64_t)st.st_size;
    r->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    return 0;
}

/* The content's format; DECODE_NONE with *video = 1 for a video
 * (media/video.h), else DECODE_NONE with r failed. */
static decode_format sniff_fd(int fd, const char *path, ingest_file_result *r, int *video)
{
    unsigned char head[512]; /* a transport stream shows itself at byte 188 */
    ssize_t n;
    *video = 0;
    do
        n = pread(fd, head, sizeof head, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        fail(r, "cannot read: %s", strerror(errno));
        return DECODE_NONE;
    }
    const char *what = NULL;
    decode_format f = decode_sniff(head, (size_t)n < DECODE_SNIFF_BYTES ? (size_t)n : DECODE_SNIFF_BYTES, &what);
    if (f != DECODE_NONE)
        return f;
    if (video_sniff(head, (size_t)n, NULL)) {
        *video = 1;
        return DECODE_NONE;
    }
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (decode_name_claims_image(name))
        fail(r, "not an image although its extension %s says so: content is %s", strrchr(name, '.'), what);
    else
        fail(r, "not a supported image: content is %s", what);
    return DECODE_NONE;
}

static void delete_processed(const ingest_file_ctx *ctx, const catalog_photo *photos, int n)
{
    for (int i = 0; i < n; i++) {
        char key[64];
        snprintf(key, sizeof key, "%s.jpg", photos[i].photo_id);
        objstore_delete(ctx->store, BUCKET_PROCESSED, key, NULL);
    }
}

/* 1 when the file at a path recorded for photo `known` now holds other bytes
 * that decode to known's very pixels (one page, no sheet, the same processed
 * image, byte for byte): another tool rewrote only its metadata — digiKam or
 * exiftool writing face regions into it, say — and it stays the photo it was
 * (a new photo would put every face in the catalog twice). 0 when not; -1
 * (r failed) when the store cannot be read. */
static int metadata_only(const ingest_file_ctx *ctx, const char *known, ingest_file_result *r)
{
    if (r->nphotos != 1 || r->nframes != 0 || strcmp(known, r->photos[0].photo_id) == 0)
        return 0;
    char key[64];
    void *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    err e;
    snprintf(key, sizeof key, "%s.jpg", known);
    int rc = objstore_get(ctx->store, BUCKET_PROCESSED, key, &a, &alen, &e);
    if (rc == ERR_NOTFOUND) /* its photo is gone, or was never decoded (a video) */
        return 0;
    if (rc == 0) {
        snprintf(key, sizeof key, "%s.jpg", r->photos[0].photo_id);
        rc = objstore_get(ctx->store, BUCKET_PROCESSED, key, &b, &blen, &e);
    }
    int same = rc == 0 && alen == blen && memcmp(a, b, alen) == 0;
    free(a);
    free(b);
    if (rc) {
        fail(r, "cannot read the processed images to compare: %s", e.msg);
        delete_processed(ctx, r->photos, r->nphotos);
        return -1;
    }
    return same;
}

/* Decodes every page into processed/ and fills the photo rows. */
static int decode_pages(const ingest_file_ctx *ctx, const char *path, const char *sha, const decode_info *info,
                        ingest_file_result *r)
{
    r->photos = calloc((size_t)info->pages, sizeof *r->photos);
    if (!r->photos) {
        fail(r, "out of memory for %d pages", info->pages);
        return -1;
    }
    ingest_back b; /* a back of a print is no contact sheet (by its name; its sidecar is read later) */
    ingest_back_detect(path, NULL, ctx->back_names, &b);
    const int is_back = b.is_back;
    ingest_frames frames = { 0 }; /* of the pages that are sheets, appended after the pages */
    r->nphotos = 0;
    for (int pg = 0; pg < info->pages; pg++) {
        catalog_photo *p = &r->photos[pg];
        hash_page_id(sha, pg, p->photo_id);
        memcpy(p->sha256, sha, sizeof p->sha256);
        if (pg > 0)
            memcpy(p->parent_id, r->photo_id, sizeof p->parent_id);
        p->page = pg;
        snprintf(p->format, sizeof p->format, "%s", decode_format_name(info->format));
        snprintf(p->incoming_key, sizeof p->incoming_key, "%s.%s", r->photo_id, decode_format_ext(info->format));
        p->bytes = r->size;
        snprintf(p->taken_at, sizeof p->taken_at, "%s", info->taken_at);
        snprintf(p->taken_at_source, sizeof p->taken_at_source, "%s", info->taken_at[0] ? "exif" : "");
        snprintf(p->camera_make, sizeof p->camera_make, "%s", info->camera_make);
        snprintf(p->camera_model, sizeof p->camera_model, "%s", info->camera_model);

        decode_output out;
        err e;
        int rc = decode_page(path, info->format, pg, ctx->limits, &out, &e);
        if (rc != 0) {
            if (info->pages > 1)
                fail(r, "page %d of %d: %s", pg + 1, info->pages, e.msg);
            else
                fail(r, "%s", e.msg);
            goto failed;
        }
        p->width = out.width;
        p->height = out.height;
        p->orig_width = out.orig_width;
        p->orig_height = out.orig_height;
        p->orientation = out.orientation;
        char key[64];
        snprintf(key, sizeof key, "%s.jpg", p->photo_id);
        rc = objstore_put(ctx->store, BUCKET_PROCESSED, key, out.jpeg, out.jpeg_len, &e);
        if (rc) {
            decode_output_free(&out);
            fail(r, "cannot store the processed image: %s", e.msg);
            goto failed;
        }
        r->nphotos = pg + 1;
        if (ctx->sheets && !is_back && ingest_sheet_split(ctx, path, info, pg, p, &out, &frames, &e) != 0) {
            decode_output_free(&out);
            if (info->pages > 1)
                fail(r, "page %d of %d: contact sheet: %s", pg + 1, info->pages, e.msg);
            else
                fail(r, "contact sheet: %s", e.msg);
            goto failed;
        }
        decode_output_free(&out);
        testhook_pause(ctx->slow_ms);
    }
    if (frames.n > 0) {
        catalog_photo *all = realloc(r->photos, sizeof *all * (size_t)(r->nphotos + frames.n));
        if (!all) {
            fail(r, "out of memory for %d frames", frames.n);
            goto failed;
        }
        memcpy(all + r->nphotos, frames.photos, sizeof *all * (size_t)frames.n);
        r->photos = all;
        r->nphotos += frames.n;
        r->frames = frames.frames;
        r->nframes = frames.n;
        frames.frames = NULL;
    }
    ingest_frames_free(&frames);
    return 0;
failed:
    delete_processed(ctx, r->photos, r->nphotos);
    ingest_frames_delete(ctx, &frames);
    ingest_frames_free(&frames);
    return -1;
}

/* Copies the original into incoming/ unless it is there already, checking on
 * the way that the bytes stored are the bytes hashed. */
static int store_original(const ingest_file_ctx *ctx, int fd, const char *sha, const char *key, ingest_file_result *r)
{
    err e;
    int have = objstore_head(ctx->store, BUCKET_INCOMING, key, NULL, &e);
    if (have < 0) {
        fail(r, "cannot check the object store: %s", e.msg);
        return -1;
    }
    if (have)
        return 0;                                          /* incoming/ is write-once and content-addressed */
    hasher h = { .expect = sha, .slow_ms = ctx->slow_ms }; /* slow: so tests can kill mid-copy */
    int rc = hasher_start(&h, &e);
    if (rc == 0)
        rc = objstore_put_fd(ctx->store, BUCKET_INCOMING, key, fd, hasher_chunk, &h, &e);
    EVP_MD_CTX_free(h.md);
    if (rc) {
        fail(r, "cannot store the original: %s", e.msg);
        return -1;
    }
    testhook_pause(ctx->slow_ms);
    return 0;
}

void ingest_file(const ingest_file_ctx *ctx, const char *path, ingest_file_result *r)
{
    memset(r, 0, sizeof *r);
    int fd = -1;
    if (open_input(path, r, &fd) != 0)
        return;
    err e;
    char known[PHOTO_ID_LEN + 1];
    int64_t ksize = 0, kmtime = 0;
    int found = catalog_source_find(ctx->cat, path, known, &ksize, &kmtime, &e);
    if (found < 0) {
        fail(r, "catalog lookup failed: %s", e.msg);
        goto out;
    }
    if (found && ksize == r->size && kmtime == r->mtime_ns) {
        r->kind = INGEST_FILE_UNCHANGED;
        memcpy(r->photo_id, known, sizeof known);
        /* the same bytes, but its sidecar may have gained face regions */
        if (ingest_xmp_reread(ctx->cat, path, known, true, &r->xmp, &e) < 0)
            fail(r, "catalog lookup failed: %s", e.msg);
        goto out;
    }
    if (r->size == 0) {
        fail(r, "empty file (0 bytes)");
        goto out;
    }
    int video = 0;
    decode_format fmt = sniff_fd(fd, path, r, &video);
    if (fmt == DECODE_NONE && !video)
        goto out;
    char sha[HASH_SHA256_HEX_LEN + 1];
    if (hash_fd(fd, sha, &e) != 0) {
        fail(r, "%s", e.msg);
        goto out;
    }
    hash_photo_id(sha, r->photo_id);
    int have = catalog_photo_get(ctx->cat, r->photo_id, NULL, &e);
    if (have < 0) {
        fail(r, "catalog lookup failed: %s", e.msg);
        goto out;
    }
    if (have) {
        r->kind = INGEST_FILE_DUPLICATE;
        if (ingest_xmp_reread(ctx->cat, path, r->photo_id, true, &r->xmp, &e) < 0)
            fail(r, "catalog lookup failed: %s", e.msg);
        goto out;
    }
    if (video) {
        if (ingest_video(ctx, path, sha, r, &e) != 0) {
            fail(r, "%s", e.msg);
            goto out;
        }
    } else {
        /* Headers first: a pixel bomb or a damaged header is refused before any
         * pixel is decoded or any byte stored. */
        decode_info info;
        if (decode_probe(path, fmt, ctx->limits, &info, &e) != 0) {
            fail(r, "%s", e.msg);
            goto out;
        }
        if (decode_pages(ctx, path, sha, &info, r) != 0)
            goto out;
        int same = found ? metadata_only(ctx, known, r) : 0;
        if (same < 0)
            goto out;
        if (same) {
            delete_processed(ctx, r->photos, r->nphotos);
            memcpy(r->photo_id, known, sizeof known);
            r->kind = INGEST_FILE_METADATA;
            if (ingest_xmp_reread(ctx->cat, path, known, false, &r->xmp, &e) < 0)
                fail(r, "catalog lookup failed: %s", e.msg);
            goto out;
        }
    }
    if (store_original(ctx, fd, sha, r->photos[0].incoming_key, r) != 0) {
        delete_processed(ctx, r->photos, r->nphotos);
        goto out;
    }
    if (sidecar_collect(path, &r->sidecar, &e) != 0) {
        fail(r, "reading sidecars: %s", e.msg);
        goto out;
    }
    for (int i = 0; i < r->nphotos; i++)
        r->photos[i].sidecar = r->sidecar;
    if (!video) /* a video is never the back of a print */
        ingest_back_detect(path, r->sidecar, ctx->back_names, &r->back);
    if (!video && r->nframes == 0 && !r->back.is_back) /* a sheet's faces are its frames'; a back has none */
        ingest_xmp_read(path, &r->photos[0], false, &r->xmp);
    r->kind = INGEST_FILE_NEW;
out:
    if (fd >= 0)
        close(fd);
    if (r->kind != INGEST_FILE_NEW) {
        free(r->photos);
        r->photos = NULL;
        r->nphotos = 0;
        free(r->frames);
        r->frames = NULL;
        r->nframes = 0;
    }
}

void ingest_file_result_clear(ingest_file_result *r)
{
    free(r->reason);
    free(r->photos);
    free(r->frames);
    free(r->sidecar);
    ingest_xmp_free(r->xmp);
    memset(r, 0, sizeof *r);
}
