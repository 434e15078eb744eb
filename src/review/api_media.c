/* api_media.c — image bytes: the processed image, the original, and face crops,
 * sent straight from the object store's files (sendfile) with an ETag from size
 * and modification time, so a browser revalidates instead of downloading again. */
#include "review/api.h"
#include "review/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *format_content_type(const char *format)
{
    static const struct {
        const char *format, *type;
    } types[] = {
        { "jpeg", "image/jpeg" }, { "png", "image/png" },   { "tiff", "image/tiff" }, { "webp", "image/webp" },
        { "heif", "image/heif" }, { "gif", "image/gif" },   { "jp2k", "image/jp2" },  { "bmp", "image/bmp" },
        { "jxl", "image/jxl" },   { "avif", "image/avif" },
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(format, types[i].format) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* Sends object bucket/key: the file itself when the backend has one, else its
 * bytes. 404 when absent. */
static void serve_object(http_request *rq, http_response *resp, objstore_bucket b, const char *key,
                         const char *content_type, const char *cache_control)
{
    objstore *os = rq->st->objects;
    char path[4096];
    err e = { 0 };
    if (objstore_local_path(os, b, key, path, sizeof path, &e) == 0) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat sb;
        if (fd < 0) {
            if (errno == ENOENT)
                http_error(resp, 404, "no %s/%s", objstore_bucket_name(b), key);
            else
                http_error(resp, 500, "cannot open %s/%s: %s", objstore_bucket_name(b), key, strerror(errno));
            return;
        }
        if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            close(fd);
            http_error(resp, 404, "no %s/%s", objstore_bucket_name(b), key);
            return;
        }
        http_response_clear(resp);
        resp->status = 200;
        resp->fd = fd;
        resp->fd_size = (uint64_t)sb.st_size;
        snprintf(resp->etag, sizeof resp->etag, "\"%llx-%llx\"", (unsigned long long)sb.st_size,
                 (unsigned long long)sb.st_mtim.tv_sec * 1000000000ull + (unsigned long long)sb.st_mtim.tv_nsec);
    } else {
        void *data = NULL;
        size_t len = 0;
        if (objstore_get(os, b, key, &data, &len, &e) != 0) {
            http_error_from(resp, &e);
            return;
        }
        http_body(resp, 200, NULL, data, len);
    }
    resp->content_type = content_type;
    resp->cache_control = cache_control;
}

void api_media_image(http_request *rq, http_response *resp)
{
    const char *original = http_query(rq, "original");
    if (original && strcmp(original, "1") != 0 && strcmp(original, "0") != 0) {
        http_error(resp, 400, "original must be 0 or 1");
        return;
    }
    char key[128];
    if (original && strcmp(original, "1") == 0) {
        catalog_photo p;
        err e = { 0 };
        int found = catalog_photo_get(rq->cat, rq->photo_id, &p, &e);
        if (found < 0) {
            http_error_from(resp, &e);
            return;
        }
        if (found == 0) {
            http_error(resp, 404, "no photo %s", rq->photo_id);
            return;
        }
        snprintf(key, sizeof key, "%s", p.incoming_key);
        const char *type = format_content_type(p.format);
        catalog_photo_clear(&p);
        /* The original never changes: its key is its content's hash. */
        serve_object(rq, resp, BUCKET_INCOMING, key, type, "private, max-age=31536000, immutable");
        return;
    }
    snprintf(key, sizeof key, "%s.jpg", rq->photo_id);
    serve_object(rq, resp, BUCKET_PROCESSED, key, "image/jpeg", "private, max-age=3600");
}

void api_media_face_crop(http_request *rq, http_response *resp)
{
    char key[64];
    snprintf(key, sizeof key, "%s/%d.jpg", rq->photo_id, rq->face_no);
    /* A re-analysis replaces crops under the same key: short max-age, then the ETag. */
    serve_object(rq, resp, BUCKET_FACES, key, "image/jpeg", "private, max-age=300");
}
