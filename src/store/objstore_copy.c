/* objstore_copy.c — store-to-store copy through a temp file, by hash. */
#include "store/objstore_copy.h"
#include "core/hash.h"
#include "store/objstore_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPY_CHUNK (1 << 20)

typedef struct key_list {
    char **v;
    objstore_info *info;
    size_t n, cap;
} key_list;

static int collect(const char *key, const objstore_info *info, void *ud)
{
    key_list *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return 1;
        l->v = v;
        objstore_info *in = realloc(l->info, cap * sizeof *in);
        if (!in)
            return 1;
        l->info = in;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(key)))
        return 1;
    l->info[l->n++] = *info;
    return 0;
}

static void key_list_free(key_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->info);
}

/* SHA-256 (hex) of the whole file fd and its size. */
static int hash_fd(int fd, char hex[65], uint64_t *size, err *e)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    char *buf = malloc(COPY_CHUNK);
    int rc = md && buf && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    off_t off = 0;
    while (rc == 0) {
        ssize_t r = pread(fd, buf, COPY_CHUNK, off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = err_set(e, ERR_IO, "read of a temp file failed: %s", strerror(errno));
        else if (r == 0)
            break;
        else if (EVP_DigestUpdate(md, buf, (size_t)r) != 1)
            rc = err_set(e, ERR_INTERNAL, "SHA-256 failed");
        off += r;
    }
    unsigned char d[32];
    unsigned int dl = 0;
    if (rc == 0 && EVP_DigestFinal_ex(md, d, &dl) != 1)
        rc = err_set(e, ERR_INTERNAL, "SHA-256 failed");
    for (unsigned i = 0; rc == 0 && i < dl; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    *size = (uint64_t)off;
    free(buf);
    EVP_MD_CTX_free(md);
    return rc;
}

typedef struct sent_hash {
    EVP_MD_CTX *md;
    char hex[65];
} sent_hash;

static int on_sent(const void *data, size_t len, void *ud, err *e)
{
    sent_hash *h = ud;
    if (data) {
        if (EVP_DigestUpdate(h->md, data, len) != 1)
            return err_set(e, ERR_INTERNAL, "SHA-256 failed");
        return 0;
    }
    unsigned char d[32];
    unsigned int dl = 0;
    if (EVP_DigestFinal_ex(h->md, d, &dl) != 1)
        return err_set(e, ERR_INTERNAL, "SHA-256 failed");
    for (unsigned i = 0; i < dl; i++)
        snprintf(h->hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

static int temp_file(err *e)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/facetag-copy-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot make a temp file in %s: %s", dir && *dir ? dir : "/tmp", strerror(errno));
    unlink(path);
    return fd;
}

/* The hash of b/key as the store st holds it now. */
static int stored_hash(objstore *st, objstore_bucket b, const char *key, int tmp, char hex[65], err *e)
{
    uint64_t size;
    int rc = objstore_get_fd(st, b, key, tmp, e);
    return rc ? rc : hash_fd(tmp, hex, &size, e);
}

static int copy_one(objstore *from, objstore *to, objstore_bucket b, const char *key, const objstore_info *info,
                    int verify, int tmp, int back, objstore_copy_stats *st, err *e)
{
    const char *bucket = objstore_bucket_name(b);
    objstore_info have;
    int there = objstore_head(to, b, key, &have, e);
    if (there < 0)
        return there;
    char src[65], dst[65];
    if (there && have.size == info->size && !verify) {
        st->skipped++;
        return 0;
    }
    int rc = objstore_get_fd(from, b, key, tmp, e);
    uint64_t size = 0;
    if (rc == 0)
        rc = hash_fd(tmp, src, &size, e);
    if (rc)
        return err_prefix(e, "%s/%s: read from the source", bucket, key);
    if (b == BUCKET_INCOMING && strlen(key) > PHOTO_ID_LEN && key[PHOTO_ID_LEN] == '.') {
        char id[PHOTO_ID_LEN + 1];
        memcpy(id, key, PHOTO_ID_LEN);
        id[PHOTO_ID_LEN] = '\0';
        if (hash_photo_id_valid(id) && strncmp(src, id, PHOTO_ID_LEN) != 0)
            return err_set(e, ERR_FORMAT, "%s/%s: the source's bytes hash to %.16s, not to the photo id in its key",
                           bucket, key, src);
    }
    if (there && have.size == info->size) { /* verify: are the same bytes there already? */
        rc = stored_hash(to, b, key, back, dst, e);
        if (rc)
            return err_prefix(e, "%s/%s: read back from the target", bucket, key);
        if (strcmp(src, dst) == 0) {
            st->skipped++;
            st->verified++;
            return 0;
        }
    }
    sent_hash sh = { EVP_MD_CTX_new(), "" };
    if (!sh.md || EVP_DigestInit_ex(sh.md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(sh.md);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    rc = objstore_put_fd(to, b, key, tmp, on_sent, &sh, e);
    EVP_MD_CTX_free(sh.md);
    if (rc)
        return err_prefix(e, "%s/%s: write to the target", bucket, key);
    if (strcmp(sh.hex, src) != 0)
        return err_set(e, ERR_INTERNAL, "%s/%s: the bytes sent hash to %s, the bytes read to %s", bucket, key, sh.hex,
                       src);
    st->copied++;
    st->bytes += size;
    if (verify) {
        rc = stored_hash(to, b, key, back, dst, e);
        if (rc)
            return err_prefix(e, "%s/%s: read back from the target", bucket, key);
        if (strcmp(src, dst) != 0)
            return err_set(e, ERR_IO, "%s/%s: the target holds other bytes than were sent (SHA-256 %s, sent %s)",
                           bucket, key, dst, src);
        st->verified++;
    }
    return 0;
}

int objstore_copy(objstore *from, objstore *to, int verify, objstore_copy_stats *st, objstore_copy_fail_fn on_fail,
                  void *ud, err *e)
{
    memset(st, 0, sizeof *st);
    int tmp = temp_file(e);
    if (tmp < 0)
        return tmp;
    int back = temp_file(e);
    if (back < 0) {
        close(tmp);
        return back;
    }
    int first = 0;
    for (int b = 0; b < BUCKET_COUNT; b++) {
        key_list keys = { 0 };
        err le;
        if (objstore_list(from, (objstore_bucket)b, "", collect, &keys, &le) != 0) {
            key_list_free(&keys);
            close(tmp);
            close(back);
            return err_set(e, le.code, "listing the source: %s", le.msg);
        }
        for (size_t i = 0; i < keys.n; i++) {
            err oe;
            int rc = copy_one(from, to, (objstore_bucket)b, keys.v[i], &keys.info[i], verify, tmp, back, st, &oe);
            if (rc) {
                st->failed++;
                if (on_fail)
                    on_fail(oe.msg, ud);
                if (!first)
                    first = err_set(e, oe.code, "%s", oe.msg);
            }
        }
        key_list_free(&keys);
    }
    close(tmp);
    close(back);
    return first;
}
