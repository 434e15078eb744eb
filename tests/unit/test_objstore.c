/* test_objstore.c — the object store's contract: the four buckets, key rules,
 * atomic replace, listing order and prefixes, puts of one key from threads.
 * Run without arguments it checks the directory backend (and its stale temp
 * clean-up); `test_objstore s3 ENVFILE` runs the same test bodies against a
 * real S3 server (Ceph RGW started by scripts/rgw-start.sh; ENVFILE is its
 * env file) plus what only S3 has: multipart uploads, paged listings, wrong
 * credentials and missing buckets. */
#include "store/objstore.h"
#include "store/objstore_stream.h"
#include "testutil.h"

#include <stdint.h>
#include <stdio.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* The backend under test: the directory (default) or S3 at s3_endpoint. */
static int is_dir = 1;
static char s3_endpoint[256];

/* An S3 bucket prefix standing for the folder `root`: the same root gives the
 * same buckets (so a reopen sees the same objects), each run its own. */
static void s3_url_for(const char *root, const char *extra, char *buf, size_t size)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)root; *p; p++)
        h = (h ^ *p) * 16777619u;
    snprintf(buf, size, "s3://t%ld-%08x?endpoint=%s%s", (long)getpid(), h, s3_endpoint, extra ? extra : "");
}

static objstore *open_store(const char *root, err *e)
{
    if (is_dir)
        return objstore_open_dir(root, e);
    char url[512];
    s3_url_for(root, NULL, url, sizeof url);
    return objstore_open_s3(url, 1, e);
}

static void test_bucket_names(void)
{
    CHECK(strcmp(objstore_bucket_name(BUCKET_INCOMING), "incoming") == 0);
    CHECK(strcmp(objstore_bucket_name(BUCKET_PROCESSED), "processed") == 0);
    CHECK(strcmp(objstore_bucket_name(BUCKET_FACES), "faces") == 0);
    CHECK(strcmp(objstore_bucket_name(BUCKET_ANNOTATIONS), "annotations") == 0);
    CHECK(objstore_bucket_name(BUCKET_COUNT) == NULL);
    CHECK(objstore_bucket_name((objstore_bucket)-1) == NULL);
}

static void test_key_rules(void)
{
    const char *good[] = { "3f2a9c0d11e4b7a2.jpg", "3f2a9c0d11e4b7a2/0.jpg", "a", "a.b-c_D/E.f", "x..y", "a/b/c" };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECK_MSG(objstore_key_valid(good[i]), "'%s' should be valid", good[i]);
    const char *bad[] = { "",        "..",        ".",   "../x", "a/../b", "a/..", "/abs", "a//b", "a/",
                          ".hidden", "a/.hidden", "a b", "a\\b", "ä.jpg",  "a\nb", "a:b",  "*" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_MSG(!objstore_key_valid(bad[i]), "'%s' should be invalid", bad[i]);
    CHECK(!objstore_key_valid(NULL));
    char longkey[600];
    memset(longkey, 'k', sizeof longkey);
    longkey[512] = '\0';
    CHECK(objstore_key_valid(longkey));
    longkey[512] = 'k';
    longkey[513] = '\0';
    CHECK(!objstore_key_valid(longkey));
}

static void test_put_get_per_bucket(const char *root)
{
    err e = { 0 };
    objstore *s = open_store(root, &e);
    CHECK_MSG(s != NULL, "%s", e.msg);
    if (!s)
        return;
    const char *keys[BUCKET_COUNT] = { "0123456789abcdef.tif", "0123456789abcdef.jpg", "0123456789abcdef/3.jpg",
                                       "0123456789abcdef.json" };
    for (int b = 0; b < BUCKET_COUNT; b++) {
        char content[64];
        int n = snprintf(content, sizeof content, "content of bucket %d", b);
        CHECK_MSG(objstore_put(s, (objstore_bucket)b, keys[b], content, (size_t)n, &e) == 0, "%s", e.msg);
        char path[PATH_MAX], lp[PATH_MAX];
        if (is_dir) {
            snprintf(path, sizeof path, "%s/%s/%s", root, objstore_bucket_name((objstore_bucket)b), keys[b]);
            CHECK_MSG(exists(path), "%s missing", path);
            CHECK(objstore_local_path(s, (objstore_bucket)b, keys[b], lp, sizeof lp, &e) == 0 && strcmp(lp, path) == 0);
        } else {
            CHECK(objstore_local_path(s, (objstore_bucket)b, keys[b], lp, sizeof lp, &e) == ERR_NOTFOUND);
        }
        void *data;
        size_t len;
        CHECK_MSG(objstore_get(s, (objstore_bucket)b, keys[b], &data, &len, &e) == 0, "%s", e.msg);
        CHECK(len == (size_t)n && memcmp(data, content, len) == 0);
        free(data);
        objstore_info info = { 0 };
        CHECK(objstore_head(s, (objstore_bucket)b, keys[b], &info, &e) == 1);
        CHECK(info.size == (uint64_t)n && info.mtime > 0);
        CHECK(objstore_head(s, (objstore_bucket)b, keys[b], NULL, &e) == 1);
    }
    /* Same key in another bucket is another object. */
    CHECK(objstore_head(s, BUCKET_PROCESSED, keys[BUCKET_INCOMING], NULL, &e) == 0);

    /* Replace whole: a shorter object leaves no tail of the longer one. */
    const char *big = "a long first version of the annotations";
    CHECK(objstore_put(s, BUCKET_ANNOTATIONS, "r.json", big, strlen(big), &e) == 0);
    CHECK(objstore_put(s, BUCKET_ANNOTATIONS, "r.json", "{}", 2, &e) == 0);
    void *data;
    size_t len;
    CHECK(objstore_get(s, BUCKET_ANNOTATIONS, "r.json", &data, &len, &e) == 0);
    CHECK(len == 2 && memcmp(data, "{}", 2) == 0);
    free(data);
    /* Empty objects are objects. */
    CHECK(objstore_put(s, BUCKET_ANNOTATIONS, "empty.json", NULL, 0, &e) == 0);
    CHECK(objstore_get(s, BUCKET_ANNOTATIONS, "empty.json", &data, &len, &e) == 0 && len == 0);
    free(data);

    /* Absent objects. */
    e.code = ERR_OK;
    CHECK(objstore_get(s, BUCKET_FACES, "nothere.jpg", &data, &len, &e) == ERR_NOTFOUND);
    CHECK(e.code == ERR_NOTFOUND && strstr(e.msg, "nothere.jpg") != NULL);
    CHECK(data == NULL && len == 0);
    CHECK(objstore_head(s, BUCKET_FACES, "nothere.jpg", NULL, &e) == 0);
    /* A folder is not an object. */
    CHECK(objstore_head(s, BUCKET_FACES, "0123456789abcdef", NULL, &e) == 0);
    CHECK(objstore_get(s, BUCKET_FACES, "0123456789abcdef", &data, &len, &e) == ERR_NOTFOUND);
    /* Below a file is not an object either. */
    CHECK(objstore_head(s, BUCKET_ANNOTATIONS, "r.json/x", NULL, &e) == 0);

    /* Delete, twice. */
    CHECK(objstore_delete(s, BUCKET_FACES, keys[BUCKET_FACES], &e) == 0);
    CHECK(objstore_head(s, BUCKET_FACES, keys[BUCKET_FACES], NULL, &e) == 0);
    CHECK(objstore_delete(s, BUCKET_FACES, keys[BUCKET_FACES], &e) == 0);
    CHECK(objstore_delete(s, BUCKET_FACES, "never/was.jpg", &e) == 0);
    objstore_close(s);

    /* Reopening keeps everything. */
    s = open_store(root, &e);
    CHECK(s && objstore_head(s, BUCKET_INCOMING, keys[BUCKET_INCOMING], NULL, &e) == 1);
    objstore_close(s);
}

static void test_invalid_keys_rejected(const char *root)
{
    err e = { 0 };
    objstore *s = open_store(root, &e);
    CHECK(s != NULL);
    if (!s)
        return;
    char longkey[520];
    memset(longkey, 'k', sizeof longkey);
    longkey[519] = '\0';
    const char *bad[] = { "..",   "../escape.jpg", "a/../../escape", "/abs", "/etc/passwd",
                          "a//b", ".hidden",       "a/.hidden",      "",     "a/",
                          longkey };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear(&e);
        CHECK_MSG(objstore_put(s, BUCKET_INCOMING, bad[i], "x", 1, &e) == ERR_INVALID, "put '%.20s'", bad[i]);
        CHECK(e.code == ERR_INVALID && strstr(e.msg, "invalid key") != NULL);
        void *d;
        size_t n;
        CHECK(objstore_get(s, BUCKET_INCOMING, bad[i], &d, &n, &e) == ERR_INVALID);
        CHECK(objstore_head(s, BUCKET_INCOMING, bad[i], NULL, &e) == ERR_INVALID);
        CHECK(objstore_delete(s, BUCKET_INCOMING, bad[i], &e) == ERR_INVALID);
        char lp[PATH_MAX];
        CHECK(objstore_local_path(s, BUCKET_INCOMING, bad[i], lp, sizeof lp, &e) == ERR_INVALID);
    }
    CHECK(objstore_put(s, BUCKET_INCOMING, NULL, "x", 1, &e) == ERR_INVALID);
    CHECK(objstore_put(s, BUCKET_COUNT, "ok.jpg", "x", 1, &e) == ERR_INVALID);
    CHECK(strstr(e.msg, "bucket") != NULL);
    /* Nothing escaped the root. */
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/escape.jpg", root);
    CHECK(!exists(path));
    CHECK(objstore_head(s, BUCKET_INCOMING, "escape.jpg", NULL, &e) == 0);
    /* Prefixes that no valid key starts with. */
    const char *badprefix[] = { "../", "/", "a//", ".", "a/.", "a b" };
    for (size_t i = 0; i < sizeof badprefix / sizeof *badprefix; i++)
        CHECK_MSG(objstore_list(s, BUCKET_FACES, badprefix[i], NULL, NULL, &e) == ERR_INVALID, "prefix '%s'",
                  badprefix[i]);
    objstore_close(s);
}

typedef struct collected {
    char keys[32][64];
    uint64_t sizes[32];
    int n, stop_after;
} collected;

static int collect_key(const char *key, const objstore_info *info, void *ud)
{
    collected *c = ud;
    if (c->n < 32) {
        snprintf(c->keys[c->n], sizeof c->keys[0], "%s", key);
        c->sizes[c->n] = info->size;
    }
    c->n++;
    return c->stop_after && c->n >= c->stop_after;
}

static void test_list(const char *root)
{
    err e = { 0 };
    objstore *s = open_store(root, &e);
    CHECK(s != NULL);
    if (!s)
        return;
    /* Put in scrambled order; '-' (0x2d) sorts before '/' (0x2f) and '0'. */
    const char *keys[] = { "b/2.jpg", "a/10.jpg", "a-c.jpg", "a/1.jpg",     "b/1.jpg",
                           "a/2.jpg", "a.jpg",    "c.jpg",   "b/x/deep.jpg" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        CHECK(objstore_put(s, BUCKET_FACES, keys[i], keys[i], strlen(keys[i]), &e) == 0);
    /* A leftover temp file and a stray non-key file are not listed. */
    if (is_dir) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/faces/a/.1.jpg.%ld.tmp", root, (long)getpid());
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f)
            fclose(f);
        snprintf(path, sizeof path, "%s/faces/bad name.jpg", root);
        f = fopen(path, "w");
        if (f)
            fclose(f);
    }

    const char *all[] = { "a-c.jpg", "a.jpg",   "a/1.jpg",      "a/10.jpg", "a/2.jpg",
                          "b/1.jpg", "b/2.jpg", "b/x/deep.jpg", "c.jpg" };
    collected c = { 0 };
    CHECK(objstore_list(s, BUCKET_FACES, NULL, collect_key, &c, &e) == 0);
    CHECK_MSG(c.n == 9, "listed %d keys", c.n);
    for (int i = 0; i < 9 && i < c.n; i++) {
        CHECK_MSG(strcmp(c.keys[i], all[i]) == 0, "key %d: got %s, want %s", i, c.keys[i], all[i]);
        CHECK(c.sizes[i] == strlen(all[i]));
    }
    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "", collect_key, &c, &e) == 0 && c.n == 9);

    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "a/", collect_key, &c, &e) == 0);
    CHECK(c.n == 3 && strcmp(c.keys[0], "a/1.jpg") == 0 && strcmp(c.keys[2], "a/2.jpg") == 0);

    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "a/1", collect_key, &c, &e) == 0);
    CHECK(c.n == 2 && strcmp(c.keys[0], "a/1.jpg") == 0 && strcmp(c.keys[1], "a/10.jpg") == 0);

    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "a", collect_key, &c, &e) == 0);
    CHECK_MSG(c.n == 5, "prefix 'a' listed %d", c.n);

    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "b/x/", collect_key, &c, &e) == 0);
    CHECK(c.n == 1 && strcmp(c.keys[0], "b/x/deep.jpg") == 0);

    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "zzz/", collect_key, &c, &e) == 0 && c.n == 0);
    c = (collected){ 0 };
    CHECK(objstore_list(s, BUCKET_INCOMING, "", collect_key, &c, &e) == 0 && c.n == 0);

    /* The callback stops the walk. */
    c = (collected){ .stop_after = 2 };
    CHECK(objstore_list(s, BUCKET_FACES, "", collect_key, &c, &e) == 0 && c.n == 2);
    objstore_close(s);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

/* A writer killed mid-put leaves ".KEY.PID.tmp"; the next open removes it, but
 * not the temp file of a writer that is still alive. */
static void test_stale_temp_cleanup(const char *root)
{
    err e = { 0 };
    objstore *s = objstore_open_dir(root, &e);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(objstore_put(s, BUCKET_FACES, "ab/0.jpg", "old", 3, &e) == 0);
    objstore_close(s);

    char dead[PATH_MAX], dead_top[PATH_MAX], live[PATH_MAX], other[PATH_MAX];
    pid_t child = fork();
    if (child == 0) {
        /* A writer opens the store, gets as far as fsutil_write_atomic before its
         * rename, and dies hard. */
        err ce;
        objstore *cs = objstore_open_dir(root, &ce);
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/faces/ab/.0.jpg.%ld.tmp", root, (long)getpid());
        int fd = cs ? open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
        if (fd >= 0 && write(fd, "half", 4) == 4)
            raise(SIGKILL);
        _exit(3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    snprintf(dead, sizeof dead, "%s/faces/ab/.0.jpg.%ld.tmp", root, (long)child);
    CHECK(exists(dead));
    snprintf(dead_top, sizeof dead_top, "%s/annotations/.x.json.%ld.tmp", root, (long)child);
    FILE *f = fopen(dead_top, "w");
    if (f)
        fclose(f);
    /* objstore_put_fd's temp name carries the thread id too: ".NAME-TID.PID.tmp". */
    char dead_stream[PATH_MAX];
    snprintf(dead_stream, sizeof dead_stream, "%s/incoming/.0123456789abcdef.tif-4242.%ld.tmp", root, (long)child);
    f = fopen(dead_stream, "w");
    if (f)
        fclose(f);
    snprintf(live, sizeof live, "%s/faces/ab/.1.jpg.%ld.tmp", root, (long)getppid());
    f = fopen(live, "w");
    if (f)
        fclose(f);
    snprintf(other, sizeof other, "%s/faces/ab/.notes", root); /* not a temp name: left alone */
    f = fopen(other, "w");
    if (f)
        fclose(f);

    s = objstore_open_dir(root, &e);
    CHECK_MSG(s != NULL, "%s", e.msg);
    CHECK_MSG(!exists(dead), "%s survived the open", dead);
    CHECK(!exists(dead_top));
    CHECK(!exists(dead_stream));
    CHECK(exists(live));
    CHECK(exists(other));
    /* The dead writer's marker is gone; ours is the only one while open. */
    char wdir[PATH_MAX];
    snprintf(wdir, sizeof wdir, "%s/.writers", root);
    CHECK(count_entries(wdir) == 1);
    void *data;
    size_t len;
    CHECK(s && objstore_get(s, BUCKET_FACES, "ab/0.jpg", &data, &len, &e) == 0 && len == 3 &&
          memcmp(data, "old", 3) == 0);
    if (s)
        free(data);
    objstore_close(s);
    CHECK(count_entries(wdir) == 0);

    /* Without a dead writer's marker an open does not walk the buckets: a temp
     * file nobody registered for stays (until a crash makes the next walk). */
    snprintf(dead, sizeof dead, "%s/faces/ab/.2.jpg.%ld.tmp", root, (long)child);
    f = fopen(dead, "w");
    if (f)
        fclose(f);
    s = objstore_open_dir(root, &e);
    CHECK(s != NULL && exists(dead));
    objstore_close(s);
    /* A root opened for the first time (no .writers/ yet) is walked once. */
    test_rmtree(wdir);
    s = objstore_open_dir(root, &e);
    CHECK(s != NULL && !exists(dead));
    objstore_close(s);
    unlink(live);
}

/* Threads of one process putting the same key share fsutil_write_atomic's temp
 * name (it carries the PID); the store must still make every put succeed and
 * leave one whole version. */
typedef struct putter {
    objstore *s;
    char fill;
    int failures;
} putter;

static void *put_same_key(void *arg)
{
    putter *p = arg;
    static char buf[4][65536];
    char *mine = buf[p->fill - 'a'];
    memset(mine, p->fill, sizeof buf[0]);
    for (int i = 0; i < 40; i++) {
        err e;
        if (objstore_put(p->s, BUCKET_PROCESSED, "same/key.jpg", mine, sizeof buf[0], &e) != 0)
            p->failures++;
    }
    return NULL;
}

static void test_same_key_from_threads(const char *root)
{
    err e = { 0 };
    objstore *s = open_store(root, &e);
    CHECK(s != NULL);
    if (!s)
        return;
    pthread_t th[4];
    putter p[4];
    for (int i = 0; i < 4; i++) {
        p[i] = (putter){ s, (char)('a' + i), 0 };
        pthread_create(&th[i], NULL, put_same_key, &p[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_MSG(p[i].failures == 0, "thread %d: %d failed puts", i, p[i].failures);
    }
    void *data;
    size_t len;
    CHECK(objstore_get(s, BUCKET_PROCESSED, "same/key.jpg", &data, &len, &e) == 0);
    if (data) {
        const char *d = data;
        int whole = len == 65536;
        for (size_t i = 1; whole && i < len; i++)
            whole = d[i] == d[0];
        CHECK_MSG(whole, "the object mixes versions (len %zu)", len);
        free(data);
    }
    collected c = { 0 };
    CHECK(objstore_list(s, BUCKET_PROCESSED, "same/", collect_key, &c, &e) == 0 && c.n == 1);
    objstore_close(s);
}

static void test_open_errors(const char *base)
{
    err e = { 0 };
    CHECK(objstore_open_dir("", &e) == NULL && e.code == ERR_INVALID);
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/plainfile", base);
    FILE *f = fopen(file, "w");
    if (f)
        fclose(f);
    err_clear(&e);
    CHECK(objstore_open_dir(file, &e) == NULL);
    CHECK(e.code == ERR_IO && strstr(e.msg, "plainfile") != NULL);
}

/* ---- S3 only ------------------------------------------------------------- */

typedef struct chunk_count {
    uint64_t bytes;
    int calls, ends, fail_at;
} chunk_count;

static int count_chunk(const void *data, size_t len, void *ud, err *e)
{
    chunk_count *c = ud;
    c->calls++;
    if (!data) {
        c->ends++;
        return 0;
    }
    c->bytes += len;
    if (c->fail_at && c->calls >= c->fail_at)
        return err_set(e, ERR_FORMAT, "the source changed (test)");
    return 0;
}

/* A temp file of n bytes of a pattern that differs in every 8 MiB part. */
static int pattern_file(const char *dir, const char *name, size_t n, char *path, size_t size)
{
    snprintf(path, size, "%s/%s", dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    char buf[65536];
    for (size_t off = 0; off < n;) {
        size_t k = n - off < sizeof buf ? n - off : sizeof buf;
        for (size_t i = 0; i < k; i++)
            buf[i] = (char)(((off + i) * 2654435761u) >> 13);
        if (write(fd, buf, k) != (ssize_t)k) {
            close(fd);
            return -1;
        }
        off += k;
    }
    return fd;
}

static int same_files(int a, int b)
{
    off_t la = lseek(a, 0, SEEK_END), lb = lseek(b, 0, SEEK_END);
    if (la != lb)
        return 0;
    char x[65536], y[65536];
    for (off_t off = 0; off < la;) {
        ssize_t ra = pread(a, x, sizeof x, off), rb = pread(b, y, sizeof y, off);
        if (ra <= 0 || ra != rb || memcmp(x, y, (size_t)ra) != 0)
            return 0;
        off += ra;
    }
    return 1;
}

/* Large originals go up as multipart uploads; the object appears whole or not
 * at all, and an upload stopped half-way leaves the old object. */
static void test_s3_streaming(const char *root, const char *tmp)
{
    err e = { 0 };
    objstore *s = open_store(root, &e);
    CHECK_MSG(s != NULL, "%s", e.msg);
    if (!s)
        return;
    char big_path[PATH_MAX], back_path[PATH_MAX], small_path[PATH_MAX];
    size_t big_n = (20u << 20) + 123; /* three parts: 8 + 8 + 4 MiB */
    int big = pattern_file(tmp, "big.bin", big_n, big_path, sizeof big_path);
    int small = pattern_file(tmp, "small.bin", 1u << 20, small_path, sizeof small_path);
    snprintf(back_path, sizeof back_path, "%s/back.bin", tmp);
    int back = open(back_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(big >= 0 && small >= 0 && back >= 0);
    if (big < 0 || small < 0 || back < 0)
        return;

    chunk_count c = { 0 };
    CHECK_MSG(objstore_put_fd(s, BUCKET_INCOMING, "0123456789abcdef.tif", big, count_chunk, &c, &e) == 0, "%s", e.msg);
    CHECK(c.bytes == big_n && c.ends == 1 && c.calls == 4);
    objstore_info info = { 0 };
    CHECK(objstore_head(s, BUCKET_INCOMING, "0123456789abcdef.tif", &info, &e) == 1 && info.size == big_n);
    CHECK_MSG(objstore_get_fd(s, BUCKET_INCOMING, "0123456789abcdef.tif", back, &e) == 0, "%s", e.msg);
    CHECK_MSG(same_files(big, back), "the multipart object differs from its file");
    void *data;
    size_t len;
    CHECK(objstore_get(s, BUCKET_INCOMING, "0123456789abcdef.tif", &data, &len, &e) == 0 && len == big_n);
    free(data);

    /* One part: a single PUT, same result. */
    c = (chunk_count){ 0 };
    CHECK(objstore_put_fd(s, BUCKET_PROCESSED, "one.jpg", small, count_chunk, &c, &e) == 0);
    CHECK(c.bytes == 1u << 20 && c.ends == 1);
    CHECK(objstore_get_fd(s, BUCKET_PROCESSED, "one.jpg", back, &e) == 0 && same_files(small, back));

    /* Stopped in the second part (as when the file changes under ingest): the
     * old object stays whole, nothing of the new one is visible. */
    CHECK(objstore_put(s, BUCKET_INCOMING, "fedcba9876543210.tif", "old", 3, &e) == 0);
    c = (chunk_count){ .fail_at = 2 };
    CHECK(objstore_put_fd(s, BUCKET_INCOMING, "fedcba9876543210.tif", big, count_chunk, &c, &e) == ERR_FORMAT);
    CHECK(strstr(e.msg, "changed") != NULL);
    CHECK(objstore_get(s, BUCKET_INCOMING, "fedcba9876543210.tif", &data, &len, &e) == 0 && len == 3 &&
          memcmp(data, "old", 3) == 0);
    free(data);
    c = (chunk_count){ .fail_at = 1 };
    CHECK(objstore_put_fd(s, BUCKET_INCOMING, "00000000000000aa.tif", big, count_chunk, &c, &e) == ERR_FORMAT);
    CHECK(objstore_head(s, BUCKET_INCOMING, "00000000000000aa.tif", NULL, &e) == 0);

    /* Absent objects stream nothing. */
    CHECK(objstore_get_fd(s, BUCKET_FACES, "none/0.jpg", back, &e) == ERR_NOTFOUND);
    close(big);
    close(small);
    close(back);
    unlink(big_path);
    unlink(small_path);
    unlink(back_path);
    objstore_close(s);
}

/* Two handles on the same buckets (as serve and analyze in two processes): a
 * read through the cache always sees the other handle's latest put, because
 * every cached read is revalidated by its ETag. */
static void test_s3_cache(const char *root)
{
    err e = { 0 };
    objstore *a = open_store(root, &e), *b = open_store(root, &e);
    CHECK(a && b);
    if (!a || !b) {
        objstore_close(a);
        objstore_close(b);
        return;
    }
    void *data;
    size_t len;
    for (int round = 0; round < 3; round++) {
        char content[32];
        int n = snprintf(content, sizeof content, "crop version %d", round);
        CHECK(objstore_put(b, BUCKET_FACES, "abc/0.jpg", content, (size_t)n, &e) == 0);
        for (int again = 0; again < 2; again++) { /* the second read is a cache hit */
            CHECK(objstore_get(a, BUCKET_FACES, "abc/0.jpg", &data, &len, &e) == 0);
            CHECK_MSG(len == (size_t)n && memcmp(data, content, len) == 0, "round %d read %d: stale", round, again);
            free(data);
        }
    }
    CHECK(objstore_delete(b, BUCKET_FACES, "abc/0.jpg", &e) == 0);
    CHECK(objstore_get(a, BUCKET_FACES, "abc/0.jpg", &data, &len, &e) == ERR_NOTFOUND);
    objstore_close(a);
    objstore_close(b);
}

/* A listing longer than one page continues with the server's token. */
static void test_s3_paging(const char *root)
{
    char url[512];
    s3_url_for(root, "&page=2", url, sizeof url);
    err e = { 0 };
    objstore *s = objstore_open_s3(url, 1, &e);
    CHECK_MSG(s != NULL, "%s", e.msg);
    if (!s)
        return;
    const char *keys[] = { "e/1.jpg", "a/1.jpg", "d.jpg", "b/1.jpg", "c/2.jpg" };
    for (size_t i = 0; i < 5; i++)
        CHECK(objstore_put(s, BUCKET_FACES, keys[i], "x", 1, &e) == 0);
    collected c = { 0 };
    CHECK(objstore_list(s, BUCKET_FACES, "", collect_key, &c, &e) == 0);
    CHECK_MSG(c.n == 5, "listed %d of 5 over pages of 2", c.n);
    CHECK(c.n == 5 && strcmp(c.keys[0], "a/1.jpg") == 0 && strcmp(c.keys[4], "e/1.jpg") == 0);
    c = (collected){ .stop_after = 3 };
    CHECK(objstore_list(s, BUCKET_FACES, "", collect_key, &c, &e) == 0 && c.n == 3);
    objstore_close(s);
}

static void test_s3_open_errors(const char *base)
{
    err e = { 0 };
    char url[512], root[600];
    /* Buckets nobody made: one clear error naming the bucket and the remedy. */
    snprintf(root, sizeof root, "%s/never-made", base);
    s3_url_for(root, NULL, url, sizeof url);
    CHECK(objstore_open_s3(url, 0, &e) == NULL);
    CHECK_MSG(e.code == ERR_INVALID && strstr(e.msg, "does not exist") && strstr(e.msg, "store init"), "%s", e.msg);

    /* Existing buckets, wrong secret. */
    snprintf(root, sizeof root, "%s/made", base);
    s3_url_for(root, NULL, url, sizeof url);
    objstore *s = objstore_open_s3(url, 1, &e);
    CHECK(s != NULL);
    objstore_close(s);
    char *secret = strdup(getenv("AWS_SECRET_ACCESS_KEY"));
    char *key = strdup(getenv("AWS_ACCESS_KEY_ID"));
    setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
    err_clear(&e);
    CHECK(objstore_open_s3(url, 0, &e) == NULL);
    CHECK_MSG(e.code == ERR_INVALID && strstr(e.msg, "access denied") && strstr(e.msg, "AWS_SECRET_ACCESS_KEY"), "%s",
              e.msg);

    /* No credentials anywhere. */
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_ACCESS_KEY_ID");
    char cred[PATH_MAX];
    snprintf(cred, sizeof cred, "%s/credentials", base);
    setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
    CHECK(objstore_open_s3(url, 0, &e) == NULL);
    CHECK_MSG(e.code == ERR_INVALID && strstr(e.msg, "no S3 credentials"), "%s", e.msg);
    /* ... then from a credentials file, profile by $AWS_PROFILE. */
    FILE *f = fopen(cred, "w");
    if (f) {
        fprintf(f,
                "[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n\n"
                "[profile archive]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
                key, secret);
        fclose(f);
    }
    setenv("AWS_PROFILE", "archive", 1);
    s = objstore_open_s3(url, 0, &e);
    CHECK_MSG(s != NULL, "from the credentials file: %s", e.msg);
    objstore_close(s);
    unsetenv("AWS_PROFILE");
    CHECK(objstore_open_s3(url, 0, &e) == NULL && strstr(e.msg, "access denied"));
    unsetenv("AWS_SHARED_CREDENTIALS_FILE");
    setenv("AWS_SECRET_ACCESS_KEY", secret, 1);
    setenv("AWS_ACCESS_KEY_ID", key, 1);
    free(secret);
    free(key);

    /* Bad URLs. */
    const char *bad[] = { "s3://AB",
                          "s3://Upper-case",
                          "s3://ok-name/path",
                          "s3://ok-name?bogus=1",
                          "s3://ok-name?endpoint=ftp://x",
                          "s3://ok-name?timeout=0",
                          "s3://ok-name?style=odd" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear(&e);
        CHECK_MSG(objstore_open_s3(bad[i], 0, &e) == NULL && e.code == ERR_INVALID, "%s: %s", bad[i], e.msg);
    }
    /* Nobody listening: a connection error after the retries, not a hang. */
    CHECK(objstore_open_s3("s3://ok-name?endpoint=http://127.0.0.1:1&retries=1", 0, &e) == NULL);
    CHECK_MSG(e.code == ERR_IO && strstr(e.msg, "127.0.0.1:1"), "%s", e.msg);
}

/* Reads RGW_ENDPOINT and the AWS keys from the env file rgw-start.sh wrote. */
static int load_rgw_env(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot read the gateway's env file (scripts/rgw-start.sh writes it)\n", path);
        return -1;
    }
    char line[512];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (strcmp(line, "RGW_ENDPOINT") == 0)
            snprintf(s3_endpoint, sizeof s3_endpoint, "%s", eq + 1);
        else if (strncmp(line, "AWS_", 4) == 0)
            setenv(line, eq + 1, 1);
    }
    fclose(f);
    return s3_endpoint[0] ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "s3") == 0) {
        is_dir = 0;
        if (load_rgw_env(argv[2]) != 0)
            return 1;
        unsetenv("AWS_PROFILE");
        unsetenv("AWS_SESSION_TOKEN");
    }
    test_bucket_names();
    test_key_rules();
    const char *t = test_tmpdir("objstore");
    char base[512], root[600];
    snprintf(base, sizeof base, "%s", t);
    snprintf(root, sizeof root, "%s/one/objects", base); /* not yet existing: open creates it */
    test_put_get_per_bucket(root);
    snprintf(root, sizeof root, "%s/two/objects/", base); /* trailing '/' is fine */
    test_invalid_keys_rejected(root);
    snprintf(root, sizeof root, "%s/three", base);
    test_list(root);
    snprintf(root, sizeof root, "%s/five", base);
    test_same_key_from_threads(root);
    if (is_dir) {
        snprintf(root, sizeof root, "%s/four", base);
        test_stale_temp_cleanup(root);
        test_open_errors(base);
    } else {
        snprintf(root, sizeof root, "%s/six", base);
        test_s3_streaming(root, base);
        snprintf(root, sizeof root, "%s/seven", base);
        test_s3_paging(root);
        snprintf(root, sizeof root, "%s/eight", base);
        test_s3_cache(root);
        test_s3_open_errors(base);
    }
    test_rmtree(base);
    return test_main_end();
}
