/* objstore_s3.c — the S3 backend of the object store (AWS, MinIO, Ceph RGW)
 * over libcurl, signed by curl's own SigV4 (CURLOPT_AWS_SIGV4).
 *
 * Two habits of curl 7.88 (Debian 12) shape the requests: it signs whatever
 * x-amz-content-sha256 header we send but never adds one, so every request
 * carries the SHA-256 of its body (the empty string's for GET/HEAD/DELETE); and
 * it signs the query string as given, so every query here is built canonical
 * (keys sorted, "uploads=" for a key without value, %XX upper case).
 *
 * Atomicity comes from S3 itself: a PUT makes the object visible whole or not
 * at all, and a multipart upload only when CompleteMultipartUpload succeeds; a
 * failed multipart upload is aborted; after a kill -9 it stays an incomplete
 * upload, which is never visible as an object (a bucket lifecycle rule
 * AbortIncompleteMultipartUpload frees its parts; see README). Requests are retried with exponential backoff on 5xx,
 * 429 and connection errors; a transfer that moves no byte for timeout_s fails. */
#include "core/fsutil.h"
#include "store/objstore.h"
#include "store/objstore_backend.h"
#include "store/objstore_stream.h"
#include "store/s3_config.h"
#include "store/s3_xml.h"

#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define S3_POOL 16
#define S3_PART (8u << 20) /* multipart part size; files above it go multipart */
#define S3_MAX_PARTS 10000
#define S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The read cache: recently read small objects with their ETag, least recently
 * used first out. A hit is revalidated with a conditional GET (If-None-Match),
 * so another process's put is seen at once; the cache saves the transfer and
 * the server's read, not the round trip. */
typedef struct cache_entry {
    char *bk; /* "bucket/key" */
    char etag[128];
    void *data;
    size_t len;
    struct cache_entry *prev, *next;
} cache_entry;

typedef struct s3_store {
    s3_config cfg;
    pthread_mutex_t cache_lock;
    cache_entry *mru, *lru;
    size_t cache_bytes;
    char userpwd[400];
    char sigv4[96];
    pthread_mutex_t lock;
    CURL *idle[S3_POOL];
    int nidle;
} s3_store;

/* ---- one request ---------------------------------------------------------- */

typedef struct s3_req {
    const char *method; /* GET PUT HEAD DELETE POST */
    const char *bucket; /* facetag bucket name ("faces"), or NULL with full_bucket */
    const char *full_bucket;
    const char *key;   /* NULL for a request on the bucket */
    const char *query; /* canonical query string without '?', or NULL */
    const void *body;  /* PUT/POST body (may be empty) */
    size_t body_len;
    const char *content_type;
    const char *if_none_match;
    int out_fd; /* >= 0: a GET's body goes to this file (streaming), else to memory */
} s3_req;

typedef struct s3_resp {
    long status;
    char *body;
    size_t len, cap;
    uint64_t size; /* Content-Length */
    int64_t mtime; /* Last-Modified */
    char etag[128];
    char version[256];
    int out_fd;
    int write_failed;
} s3_resp;

static void resp_free(s3_resp *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    s3_resp *r = ud;
    size_t len = size * n;
    if (r->out_fd >= 0 && r->status / 100 == 2) {
        if (fsutil_write_full(r->out_fd, p, len) != 0) {
            r->write_failed = errno ? errno : EIO;
            return 0;
        }
        return len;
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        while (cap < r->len + len + 1)
            cap *= 2;
        char *b = realloc(r->body, cap);
        if (!b)
            return 0;
        r->body = b;
        r->cap = cap;
    }
    memcpy(r->body + r->len, p, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

/* Copies a header's value (trimmed) into buf. */
static void header_value(const char *v, size_t n, char *buf, size_t size)
{
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n >= size)
        n = size - 1;
    memcpy(buf, v, n);
    buf[n] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    s3_resp *r = ud;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* A new status line (after "100 Continue", or a retry): forget the old headers. */
        const char *sp = memchr(p, ' ', len);
        r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        r->etag[0] = r->version[0] = '\0';
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    size_t nl = (size_t)(colon - p), vl = len - nl - 1;
    char val[512];
    if (nl == 4 && strncasecmp(p, "etag", 4) == 0) {
        header_value(colon + 1, vl, r->etag, sizeof r->etag);
    } else if (nl == 16 && strncasecmp(p, "x-amz-version-id", 16) == 0) {
        header_value(colon + 1, vl, r->version, sizeof r->version);
    } else if (nl == 14 && strncasecmp(p, "content-length", 14) == 0) {
        header_value(colon + 1, vl, val, sizeof val);
        r->size = strtoull(val, NULL, 10);
    } else if (nl == 13 && strncasecmp(p, "last-modified", 13) == 0) {
        header_value(colon + 1, vl, val, sizeof val);
        time_t t = curl_getdate(val, NULL);
        r->mtime = t > 0 ? (int64_t)t : 0;
    }
    return len;
}

typedef struct body_reader {
    const char *p;
    size_t left;
} body_reader;

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    body_reader *br = ud;
    size_t len = size * n < br->left ? size * n : br->left;
    memcpy(buf, br->p, len);
    br->p += len;
    br->left -= len;
    return len;
}

static int sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

static CURL *handle_take(s3_store *s)
{
    CURL *c = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->nidle > 0)
        c = s->idle[--s->nidle];
    pthread_mutex_unlock(&s->lock);
    return c ? c : curl_easy_init();
}

static void handle_give(s3_store *s, CURL *c)
{
    pthread_mutex_lock(&s->lock);
    if (s->nidle < S3_POOL) {
        s->idle[s->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    if (c)
        curl_easy_cleanup(c);
}

static void full_bucket_name(const s3_store *s, const char *bucket, char *buf, size_t size)
{
    snprintf(buf, size, "%s-%s", s->cfg.prefix, bucket);
}

static int build_url(const s3_store *s, const char *bucket, const char *key, const char *query, char *buf, size_t size)
{
    const s3_config *c = &s->cfg;
    int n;
    if (c->path_style)
        n = snprintf(buf, size, "%s://%s%s/%s%s%s%s%s", c->scheme, c->host, c->base_path, bucket, key ? "/" : "",
                     key ? key : "", query ? "?" : "", query ? query : "");
    else
        n = snprintf(buf, size, "%s://%s.%s%s/%s%s%s", c->scheme, bucket, c->host, c->base_path, key ? key : "",
                     query ? "?" : "", query ? query : "");
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int transient_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int transient_status(long st)
{
    return st == 429 || st == 500 || st == 502 || st == 503 || st == 504;
}

/* Sends the request, retrying transient failures. On return 0, resp holds the
 * final answer (any HTTP status: the caller judges it). <0: no answer at all
 * (connection, timeout) after all attempts, e filled. */
static int s3_send(s3_store *s, const s3_req *rq, s3_resp *resp, err *e)
{
    char bucket[128], url[2048], hash[65];
    const char *b = rq->full_bucket;
    if (!b) {
        full_bucket_name(s, rq->bucket, bucket, sizeof bucket);
        b = bucket;
    }
    if (build_url(s, b, rq->key, rq->query, url, sizeof url) != 0)
        return err_set(e, ERR_INVALID, "S3 %s %s/%s: URL too long", rq->method, b, rq->key ? rq->key : "");
    int has_body = strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "POST") == 0;
    if (has_body && rq->body_len > 0) {
        if (sha256_hex(rq->body, rq->body_len, hash) != 0)
            return err_set(e, ERR_INTERNAL, "S3: SHA-256 failed");
    } else {
        memcpy(hash, S3_EMPTY_SHA256, 65);
    }
    char h_sha[128], h_ct[128], h_inm[160], h_tok[4200];
    snprintf(h_sha, sizeof h_sha, "x-amz-content-sha256: %s", hash);
    struct curl_slist *hdrs = curl_slist_append(NULL, h_sha);
    if (rq->content_type) {
        snprintf(h_ct, sizeof h_ct, "Content-Type: %s", rq->content_type);
        hdrs = curl_slist_append(hdrs, h_ct);
    }
    if (rq->if_none_match) {
        snprintf(h_inm, sizeof h_inm, "If-None-Match: %s", rq->if_none_match);
        hdrs = curl_slist_append(hdrs, h_inm);
    }
    if (s->cfg.session_token[0]) {
        snprintf(h_tok, sizeof h_tok, "x-amz-security-token: %s", s->cfg.session_token);
        hdrs = curl_slist_append(hdrs, h_tok);
    }
    if (!hdrs)
        return err_set(e, ERR_NOMEM, "S3: out of memory");
    CURL *c = handle_take(s);
    if (!c) {
        curl_slist_free_all(hdrs);
        return err_set(e, ERR_NOMEM, "S3: cannot make a curl handle");
    }
    int rc = 0;
    char curl_err[CURL_ERROR_SIZE];
    for (int attempt = 0;; attempt++) {
        resp_free(resp);
        resp->out_fd = rq->out_fd;
        if (rq->out_fd >= 0 && (ftruncate(rq->out_fd, 0) != 0 || lseek(rq->out_fd, 0, SEEK_SET) != 0)) {
            rc = err_set(e, ERR_IO, "S3 GET %s/%s: cannot rewind the output file: %s", b, rq->key, strerror(errno));
            break;
        }
        body_reader br = { rq->body, rq->body_len };
        curl_easy_reset(c);
        curl_err[0] = '\0';
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
        curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(s->cfg.timeout_s < 10 ? s->cfg.timeout_s : 10));
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)s->cfg.timeout_s);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
        if (strcmp(rq->method, "HEAD") == 0) {
            curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        } else if (strcmp(rq->method, "PUT") == 0) {
            curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
            curl_easy_setopt(c, CURLOPT_READDATA, &br);
            curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rq->body_len);
        } else if (strcmp(rq->method, "POST") == 0) {
            curl_easy_setopt(c, CURLOPT_POST, 1L);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
        } else if (strcmp(rq->method, "DELETE") == 0) {
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
        }
        CURLcode cc = curl_easy_perform(c);
        long status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        resp->status = status;
        if (resp->write_failed) {
            rc = err_set(e, ERR_IO, "S3 GET %s/%s: cannot write the output file: %s", b, rq->key,
                         strerror(resp->write_failed));
            break;
        }
        int retry = cc != CURLE_OK ? transient_curl(cc) : transient_status(status);
        if (!retry || attempt >= s->cfg.retries) {
            if (cc != CURLE_OK)
                rc = err_set(e, ERR_IO, "S3 %s %s: %s%s%s%s", rq->method, url, curl_easy_strerror(cc),
                             curl_err[0] ? " (" : "", curl_err, curl_err[0] ? ")" : "");
            break;
        }
        /* 0.2 s, 0.4 s, ... up to 5 s between attempts, with a little jitter. */
        long ms = 200L << (attempt < 5 ? attempt : 5);
        if (ms > 5000)
            ms = 5000;
        ms += rand() % 100;
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
    handle_give(s, c);
    curl_slist_free_all(hdrs);
    return rc;
}

/* An error from a non-2xx answer: S3's Code and Message, and what to do. */
static int status_error(const s3_store *s, const char *op, const char *bucket, const char *key, const s3_resp *r,
                        err *e)
{
    char code[128] = "", msg[256] = "", full[128];
    full_bucket_name(s, bucket, full, sizeof full);
    if (r->body && r->len) {
        s3_xml_text(r->body, r->len, "Code", code, sizeof code, NULL);
        s3_xml_text(r->body, r->len, "Message", msg, sizeof msg, NULL);
    }
    const char *hint = "";
    errcode ec = ERR_IO;
    if (r->status == 403 || strcmp(code, "InvalidAccessKeyId") == 0 || strcmp(code, "SignatureDoesNotMatch") == 0) {
        hint = "; check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the credentials file) and the region";
        ec = ERR_INVALID;
    } else if (strcmp(code, "NoSuchBucket") == 0) {
        hint = "; create the buckets with 'facetag store init --store URL'";
        ec = ERR_INVALID;
    } else if (r->status == 404) {
        ec = ERR_NOTFOUND;
    } else if (r->status == 412) {
        ec = ERR_CONFLICT;
    }
    return err_set(e, ec, "S3 %s %s/%s: HTTP %ld%s%s%s%s%s%s", op, full, key ? key : "", r->status, code[0] ? " " : "",
                   code, msg[0] ? " (" : "", msg, msg[0] ? ")" : "", hint);
}

/* ---- the ops ---------------------------------------------------------------- */

static void cache_drop(s3_store *s, const char *bucket, const char *key);

static int s3_put_version(void *impl, const char *bucket, const char *key, const void *data, size_t len,
                          char version[OBJSTORE_VERSION_MAX], err *e)
{
    s3_store *s = impl;
    s3_req rq = { .method = "PUT",
                  .bucket = bucket,
                  .key = key,
                  .body = data,
                  .body_len = len,
                  .out_fd = -1,
                  .content_type = "application/octet-stream" };
    s3_resp r = { 0 };
    cache_drop(s, bucket, key);
    int rc = s3_send(s, &rq, &r, e);
    if (rc == 0 && r.status / 100 != 2)
        rc = status_error(s, "PUT", bucket, key, &r, e);
    /* "null" is what an unversioned bucket says: no version to go back to. */
    if (rc == 0 && version)
        snprintf(version, OBJSTORE_VERSION_MAX, "%s", strcmp(r.version, "null") == 0 ? "" : r.version);
    resp_free(&r);
    return rc;
}

static int s3_put(void *impl, const char *bucket, const char *key, const void *data, size_t len, err *e)
{
    return s3_put_version(impl, bucket, key, data, len, NULL, e);
}

static int s3_head(void *impl, const char *bucket, const char *key, objstore_info *info, err *e)
{
    s3_store *s = impl;
    s3_req rq = { .method = "HEAD", .bucket = bucket, .key = key, .out_fd = -1 };
    s3_resp r = { 0 };
    int rc = s3_send(s, &rq, &r, e);
    if (rc == 0) {
        if (r.status / 100 == 2) {
            info->size = r.size;
            info->mtime = r.mtime;
            rc = 1;
        } else if (r.status == 404) {
            /* HEAD has no body to tell a missing key from a missing bucket: the
             * buckets were checked at open, so 404 means no such object. */
            rc = 0;
        } else {
            rc = status_error(s, "HEAD", bucket, key, &r, e);
        }
    }
    resp_free(&r);
    return rc;
}

#define CACHE_OBJECT_MAX (4u << 20)

static void cache_unlink(s3_store *s, cache_entry *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->mru = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        s->lru = c->prev;
    c->prev = c->next = NULL;
}

static void cache_free_entry(s3_store *s, cache_entry *c)
{
    s->cache_bytes -= c->len;
    free(c->bk);
    free(c->data);
    free(c);
}

static cache_entry *cache_find(s3_store *s, const char *bk)
{
    for (cache_entry *c = s->mru; c; c = c->next)
        if (strcmp(c->bk, bk) == 0)
            return c;
    return NULL;
}

static void cache_drop(s3_store *s, const char *bucket, const char *key)
{
    if (!s->cfg.cache_bytes)
        return;
    char bk[700];
    snprintf(bk, sizeof bk, "%s/%s", bucket, key);
    pthread_mutex_lock(&s->cache_lock);
    cache_entry *c = cache_find(s, bk);
    if (c) {
        cache_unlink(s, c);
        cache_free_entry(s, c);
    }
    pthread_mutex_unlock(&s->cache_lock);
}

/* Takes a copy of data into the cache under etag. */
static void cache_store(s3_store *s, const char *bk, const char *etag, const void *data, size_t len)
{
    if (!s->cfg.cache_bytes || !etag[0] || len > CACHE_OBJECT_MAX || len > s->cfg.cache_bytes)
        return;
    cache_entry *n = calloc(1, sizeof *n);
    void *copy = malloc(len ? len : 1);
    char *name = strdup(bk);
    if (!n || !copy || !name) {
        free(n), free(copy), free(name);
        return;
    }
    memcpy(copy, data, len);
    n->bk = name;
    n->data = copy;
    n->len = len;
    snprintf(n->etag, sizeof n->etag, "%s", etag);
    pthread_mutex_lock(&s->cache_lock);
    cache_entry *old = cache_find(s, bk);
    if (old) {
        cache_unlink(s, old);
        cache_free_entry(s, old);
    }
    while (s->lru && s->cache_bytes + len > s->cfg.cache_bytes) {
        cache_entry *v = s->lru;
        cache_unlink(s, v);
        cache_free_entry(s, v);
    }
    n->next = s->mru;
    if (s->mru)
        s->mru->prev = n;
    s->mru = n;
    if (!s->lru)
        s->lru = n;
    s->cache_bytes += len;
    pthread_mutex_unlock(&s->cache_lock);
}

/* A copy of the cached object if it still has etag; 1 when found. */
static int cache_take(s3_store *s, const char *bk, const char *etag, void **data, size_t *len)
{
    int found = 0;
    pthread_mutex_lock(&s->cache_lock);
    cache_entry *c = cache_find(s, bk);
    if (c && strcmp(c->etag, etag) == 0 && (*data = malloc(c->len ? c->len : 1)) != NULL) {
        memcpy(*data, c->data, c->len);
        *len = c->len;
        cache_unlink(s, c); /* to the front: most recently used */
        c->next = s->mru;
        if (s->mru)
            s->mru->prev = c;
        s->mru = c;
        if (!s->lru)
            s->lru = c;
        found = 1;
    }
    pthread_mutex_unlock(&s->cache_lock);
    return found;
}

static int s3_get_impl(s3_store *s, const char *bucket, const char *key, const char *query, int out_fd, void **data,
                       size_t *len, err *e)
{
    s3_req rq = { .method = "GET", .bucket = bucket, .key = key, .query = query, .out_fd = out_fd };
    s3_resp r = { 0 };
    char bk[700], etag[128] = "";
    int cacheable = s->cfg.cache_bytes && data && !query && out_fd < 0;
    if (cacheable) {
        snprintf(bk, sizeof bk, "%s/%s", bucket, key);
        pthread_mutex_lock(&s->cache_lock);
        cache_entry *c = cache_find(s, bk);
        if (c)
            snprintf(etag, sizeof etag, "%s", c->etag);
        pthread_mutex_unlock(&s->cache_lock);
        if (etag[0])
            rq.if_none_match = etag;
    }
    int rc = s3_send(s, &rq, &r, e);
    if (rc == 0 && r.status == 304) {
        if (cache_take(s, bk, etag, data, len)) {
            resp_free(&r);
            return 0;
        }
        /* evicted meanwhile: ask again, unconditionally */
        rq.if_none_match = NULL;
        rc = s3_send(s, &rq, &r, e);
    }
    if (rc == 0 && r.status / 100 == 2 && cacheable)
        cache_store(s, bk, r.etag, r.body ? r.body : "", r.len);
    if (rc == 0 && r.status / 100 != 2) {
        char code[64] = "";
        if (r.body)
            s3_xml_text(r.body, r.len, "Code", code, sizeof code, NULL);
        if (r.status == 404 && strcmp(code, "NoSuchBucket") != 0)
            rc = err_set(e, ERR_NOTFOUND, "object store: %s/%s does not exist", bucket, key);
        else
            rc = status_error(s, "GET", bucket, key, &r, e);
    }
    if (rc == 0 && data) {
        *data = r.body ? r.body : calloc(1, 1);
        *len = r.len;
        r.body = NULL;
        if (!*data)
            rc = err_set(e, ERR_NOMEM, "S3 GET %s/%s: out of memory", bucket, key);
    }
    resp_free(&r);
    return rc;
}

static int s3_get(void *impl, const char *bucket, const char *key, void **data, size_t *len, err *e)
{
    return s3_get_impl(impl, bucket, key, NULL, -1, data, len, e);
}

static int query_build(char *buf, size_t size, const char *const *kv, int npairs);

static int s3_get_version(void *impl, const char *bucket, const char *key, const char *version, void **data,
                          size_t *len, err *e)
{
    char q[OBJSTORE_VERSION_MAX * 3 + 16];
    const char *kv[] = { "versionId", version };
    if (query_build(q, sizeof q, kv, 1) != 0)
        return err_set(e, ERR_INVALID, "S3 GET %s/%s: version id too long", bucket, key);
    return s3_get_impl(impl, bucket, key, q, -1, data, len, e);
}

static int s3_get_fd(void *impl, const char *bucket, const char *key, int fd, err *e)
{
    return s3_get_impl(impl, bucket, key, NULL, fd, NULL, NULL, e);
}

static int s3_del(void *impl, const char *bucket, const char *key, err *e)
{
    s3_store *s = impl;
    s3_req rq = { .method = "DELETE", .bucket = bucket, .key = key, .out_fd = -1 };
    s3_resp r = { 0 };
    cache_drop(s, bucket, key);
    int rc = s3_send(s, &rq, &r, e);
    if (rc == 0 && r.status / 100 != 2 && r.status != 404)
        rc = status_error(s, "DELETE", bucket, key, &r, e);
    resp_free(&r);
    return rc;
}

/* Appends v to buf percent-encoded as SigV4 wants: unreserved bytes as they are,
 * everything else as %XX in upper case ('/' too, in a query value). */
static int query_encode(char *buf, size_t size, size_t *pos, const char *v)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        int plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '_' || *p == '.' || *p == '~';
        if (*pos + (plain ? 1 : 3) >= size)
            return -1;
        if (plain) {
            buf[(*pos)++] = (char)*p;
        } else {
            buf[(*pos)++] = '%';
            buf[(*pos)++] = hex[*p >> 4];
            buf[(*pos)++] = hex[*p & 15];
        }
    }
    buf[*pos] = '\0';
    return 0;
}

/* Builds "k1=v1&k2=v2..." from pairs already in sorted key order (keys are
 * plain words, values are encoded). */
static int query_build(char *buf, size_t size, const char *const *kv, int npairs)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (int i = 0; i < npairs; i++) {
        int n = snprintf(buf + pos, size - pos, "%s%s=", pos ? "&" : "", kv[2 * i]);
        if (n < 0 || (size_t)n >= size - pos)
            return -1;
        pos += (size_t)n;
        if (query_encode(buf, size, &pos, kv[2 * i + 1]) != 0)
            return -1;
    }
    return 0;
}

static int s3_list(void *impl, const char *bucket, const char *prefix, objstore_list_fn fn, void *ud, err *e)
{
    s3_store *s = impl;
    char *token = NULL;
    int rc = 0, stop = 0;
    while (rc == 0 && !stop) {
        /* Canonical order: continuation-token < list-type < max-keys < prefix. */
        char q[2048];
        size_t pos = 0;
        q[0] = '\0';
        if (token) {
            memcpy(q, "continuation-token=", 20);
            pos = 19;
            if (query_encode(q, sizeof q, &pos, token) != 0 || pos + 2 >= sizeof q) {
                rc = err_set(e, ERR_FORMAT, "S3 list %s: continuation token too long", bucket);
                break;
            }
            q[pos++] = '&';
            q[pos] = '\0';
        }
        int n = snprintf(q + pos, sizeof q - pos, "list-type=2&max-keys=%d&prefix=", s->cfg.page);
        pos += (size_t)n;
        if (query_encode(q, sizeof q, &pos, prefix) != 0) {
            rc = err_set(e, ERR_INVALID, "S3 list %s: prefix too long", bucket);
            break;
        }
        s3_req rq = { .method = "GET", .bucket = bucket, .query = q, .out_fd = -1 };
        s3_resp r = { 0 };
        rc = s3_send(s, &rq, &r, e);
        if (rc == 0 && r.status / 100 != 2)
            rc = status_error(s, "list", bucket, prefix, &r, e);
        s3_list_page page = { 0 };
        if (rc == 0)
            rc = s3_xml_list(r.body, r.len, &page, e);
        resp_free(&r);
        for (size_t i = 0; rc == 0 && !stop && i < page.n; i++) {
            /* The server lists what anyone put there; hand out only facetag keys. */
            if (!objstore_key_valid(page.v[i].key))
                continue;
            objstore_info info = { page.v[i].size, page.v[i].mtime };
            stop = fn(page.v[i].key, &info, ud) != 0;
        }
        free(token);
        token = NULL;
        if (rc == 0 && page.truncated) {
            token = page.next_token;
            page.next_token = NULL;
        } else {
            stop = 1;
        }
        s3_list_page_free(&page);
    }
    free(token);
    return rc;
}

/* ---- streaming put: one PUT, or a multipart upload above S3_PART ---------- */

static int read_full(int fd, char *buf, size_t want, off_t off, size_t *got, err *e)
{
    *got = 0;
    while (*got < want) {
        ssize_t r = pread(fd, buf + *got, want - *got, off + (off_t)*got);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return err_set(e, ERR_IO, "read failed: %s", strerror(errno));
        }
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return 0;
}

static int multipart_abort(s3_store *s, const char *bucket, const char *key, const char *upload_id)
{
    char q[600];
    const char *kv[] = { "uploadId", upload_id };
    if (query_build(q, sizeof q, kv, 1) != 0)
        return -1;
    s3_req rq = { .method = "DELETE", .bucket = bucket, .key = key, .query = q, .out_fd = -1 };
    s3_resp r = { 0 };
    int rc = s3_send(s, &rq, &r, NULL);
    resp_free(&r);
    return rc;
}

typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf;

static int sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sb_add(strbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return 0;
        }
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
}

static int multipart_put(s3_store *s, const char *bucket, const char *key, int fd, char *buf,
                         objstore_chunk_fn on_chunk, void *ud, err *e)
{
    s3_req init = { .method = "POST",
                    .bucket = bucket,
                    .key = key,
                    .query = "uploads=",
                    .out_fd = -1,
                    .content_type = "application/octet-stream" };
    s3_resp r = { 0 };
    int rc = s3_send(s, &init, &r, e);
    if (rc == 0 && r.status / 100 != 2)
        rc = status_error(s, "start multipart upload", bucket, key, &r, e);
    char upload_id[512] = "";
    if (rc == 0 && s3_xml_text(r.body, r.len, "UploadId", upload_id, sizeof upload_id, e) != 0)
        rc = err_prefix(e, "S3 start multipart upload %s/%s", bucket, key);
    resp_free(&r);
    if (rc)
        return rc;
    strbuf done = { 0 };
    if (sb_add(&done, "<CompleteMultipartUpload>") != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    off_t off = 0;
    for (int part = 1; rc == 0; part++) {
        size_t got;
        rc = read_full(fd, buf, S3_PART, off, &got, e);
        if (rc || got == 0)
            break;
        if (part > S3_MAX_PARTS) {
            rc = err_set(e, ERR_LIMIT, "S3 put %s/%s: more than %d parts of %u MiB", bucket, key, S3_MAX_PARTS,
                         S3_PART >> 20);
            break;
        }
        if (on_chunk && (rc = on_chunk(buf, got, ud, e)) != 0)
            break;
        char q[700], pn[16];
        snprintf(pn, sizeof pn, "%d", part);
        const char *kv[] = { "partNumber", pn, "uploadId", upload_id };
        if (query_build(q, sizeof q, kv, 2) != 0) {
            rc = err_set(e, ERR_INVALID, "S3 put %s/%s: upload id too long", bucket, key);
            break;
        }
        s3_req prq = {
            .method = "PUT", .bucket = bucket, .key = key, .query = q, .body = buf, .body_len = got, .out_fd = -1
        };
        rc = s3_send(s, &prq, &r, e);
        if (rc == 0 && r.status / 100 != 2)
            rc = status_error(s, "upload part", bucket, key, &r, e);
        if (rc == 0 && !r.etag[0])
            rc = err_set(e, ERR_FORMAT, "S3 upload part %d of %s/%s: answer without ETag", part, bucket, key);
        if (rc == 0 && sb_add(&done, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", part, r.etag) != 0)
            rc = err_set(e, ERR_NOMEM, "out of memory");
        resp_free(&r);
        off += (off_t)got;
        if (got < S3_PART)
            break;
    }
    if (rc == 0 && on_chunk)
        rc = on_chunk(NULL, 0, ud, e);
    if (rc == 0 && sb_add(&done, "</CompleteMultipartUpload>") != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0) {
        char q[600];
        const char *kv[] = { "uploadId", upload_id };
        query_build(q, sizeof q, kv, 1);
        s3_req crq = { .method = "POST",
                       .bucket = bucket,
                       .key = key,
                       .query = q,
                       .body = done.p,
                       .body_len = done.len,
                       .content_type = "application/xml",
                       .out_fd = -1 };
        rc = s3_send(s, &crq, &r, e);
        /* 200 can still carry an <Error> (the server failed while assembling). */
        if (rc == 0 && (r.status / 100 != 2 || (r.body && s3_xml_is_error(r.body, r.len))))
            rc = status_error(s, "complete multipart upload", bucket, key, &r, e);
        resp_free(&r);
    }
    free(done.p);
    if (rc)
        multipart_abort(s, bucket, key, upload_id);
    return rc;
}

static int s3_put_fd(void *impl, const char *bucket, const char *key, int fd, objstore_chunk_fn on_chunk, void *ud,
                     err *e)
{
    s3_store *s = impl;
    cache_drop(s, bucket, key);
    char *buf = malloc(S3_PART);
    if (!buf)
        return err_set(e, ERR_NOMEM, "out of memory");
    size_t got;
    /* Read one byte past a part: a file that fits one part goes up as one PUT. */
    int rc = read_full(fd, buf, S3_PART, 0, &got, e);
    char extra;
    size_t more = 0;
    if (rc == 0 && got == S3_PART)
        rc = read_full(fd, &extra, 1, (off_t)S3_PART, &more, e);
    if (rc == 0 && more == 0) {
        if (on_chunk && ((rc = on_chunk(buf, got, ud, e)) != 0 || (rc = on_chunk(NULL, 0, ud, e)) != 0)) {
            free(buf);
            return rc;
        }
        rc = s3_put(s, bucket, key, buf, got, e);
    } else if (rc == 0) {
        rc = multipart_put(s, bucket, key, fd, buf, on_chunk, ud, e);
    }
    free(buf);
    return rc;
}

/* ---- open, buckets, close ------------------------------------------------- */

static void s3_close(void *impl)
{
    s3_store *s = impl;
    if (!s)
        return;
    for (int i = 0; i < s->nidle; i++)
        curl_easy_cleanup(s->idle[i]);
    while (s->mru) {
        cache_entry *c = s->mru;
        cache_unlink(s, c);
        cache_free_entry(s, c);
    }
    pthread_mutex_destroy(&s->cache_lock);
    pthread_mutex_destroy(&s->lock);
    explicit_bzero(s->userpwd, sizeof s->userpwd);
    explicit_bzero(&s->cfg, sizeof s->cfg);
    free(s);
}

static const objstore_ops s3_ops = {
    .name = "s3",
    .put = s3_put,
    .get = s3_get,
    .head = s3_head,
    .list = s3_list,
    .del = s3_del,
    .local_path = NULL,
    .put_fd = s3_put_fd,
    .get_fd = s3_get_fd,
    .put_version = s3_put_version,
    .get_version = s3_get_version,
    .close = s3_close,
};

/* A request on a whole bucket (HEAD, PUT ?versioning, ...). */
static int bucket_request(s3_store *s, const char *method, const char *bucket, const char *query, const char *body,
                          s3_resp *r, err *e)
{
    s3_req rq = { .method = method,
                  .bucket = bucket,
                  .query = query,
                  .body = body,
                  .body_len = body ? strlen(body) : 0,
                  .content_type = body ? "application/xml" : NULL,
                  .out_fd = -1 };
    return s3_send(s, &rq, r, e);
}

static int check_bucket(s3_store *s, const char *bucket, int create, err *e)
{
    s3_resp r = { 0 };
    char full[128];
    full_bucket_name(s, bucket, full, sizeof full);
    int rc = bucket_request(s, "HEAD", bucket, NULL, NULL, &r, e);
    if (rc == 0 && create && (r.status == 404 || r.status / 100 == 2)) {
        if (r.status == 404) {
            resp_free(&r);
            rc = bucket_request(s, "PUT", bucket, NULL, NULL, &r, e);
            if (rc == 0 && r.status / 100 != 2 && r.status != 409)
                rc = status_error(s, "create bucket", bucket, NULL, &r, e);
        }
        resp_free(&r);
        /* Versioning keeps the objects of every analysis (old crops and
         * annotations stay reachable by version id after a re-analysis);
         * turned on for buckets that existed already too. */
        const char *ver = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                          "<Status>Enabled</Status></VersioningConfiguration>";
        if (rc == 0)
            rc = bucket_request(s, "PUT", bucket, "versioning=", ver, &r, e);
        if (rc == 0 && r.status / 100 != 2)
            rc = status_error(s, "enable versioning on", bucket, NULL, &r, e);
        resp_free(&r);
        return rc;
    }
    if (rc == 0 && r.status / 100 != 2) {
        if (r.status == 404)
            rc = err_set(e, ERR_INVALID,
                         "S3 bucket %s does not exist at %s://%s; create the buckets with 'facetag store init' "
                         "(same --store)",
                         full, s->cfg.scheme, s->cfg.host);
        else if (r.status == 403)
            rc = err_set(e, ERR_INVALID,
                         "S3 bucket %s at %s://%s: access denied (HTTP 403); check AWS_ACCESS_KEY_ID / "
                         "AWS_SECRET_ACCESS_KEY (key id %s) or the credentials file, and the region (%s)",
                         full, s->cfg.scheme, s->cfg.host, s->cfg.access_key, s->cfg.region);
        else
            rc = status_error(s, "check bucket", bucket, NULL, &r, e);
    }
    resp_free(&r);
    return rc;
}

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

objstore *objstore_open_s3(const char *url, int create, err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, curl_init_once);
    s3_store *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(e, ERR_NOMEM, "object store: out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->cache_lock, NULL);
    if (s3_config_parse(url, &s->cfg, e) != 0) {
        s3_close(s);
        return NULL;
    }
    snprintf(s->userpwd, sizeof s->userpwd, "%s:%s", s->cfg.access_key, s->cfg.secret_key);
    snprintf(s->sigv4, sizeof s->sigv4, "aws:amz:%s:s3", s->cfg.region);
    for (int b = 0; b < BUCKET_COUNT; b++) {
        if (check_bucket(s, objstore_bucket_name((objstore_bucket)b), create, e) != 0) {
            err_prefix(e, "store %s", url);
            s3_close(s);
            return NULL;
        }
    }
    return objstore_new(&s3_ops, s, e);
}
