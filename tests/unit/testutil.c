#include "testutil.h"

#include "store/catalog_internal.h"

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_passed, test_failed;

const char *test_tmpdir(const char *tag)
{
    static char buf[4][512];
    static int slot;
    char *b = buf[slot++ % 4];
    const char *base = getenv("TMPDIR");
    snprintf(b, 512, "%s/facetag-%s-XXXXXX", base && *base ? base : "/tmp", tag);
    if (!mkdtemp(b)) {
        perror("mkdtemp");
        exit(2);
    }
    return b;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void test_rmtree(const char *path)
{
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *test_shared_dir(void)
{
    const char *s = getenv("FACETAG_SHARED");
    struct stat st;
    return s && stat(s, &st) == 0 ? s : NULL;
}

int test_main_end(void)
{
    printf("%d passed, %d failed\n", test_passed, test_failed);
    return test_failed ? 1 : 0;
}

bool test_data_and_models(const char *name, char *root, size_t size, const char **models)
{
    const char *shared = test_shared_dir();
    *models = getenv("FACETAG_MODELS");
    snprintf(root, size, "%s/data/%s", shared ? shared : "", name);
    struct stat st;
    if (shared && stat(root, &st) == 0 && *models && stat(*models, &st) == 0)
        return true;
    printf("skipped: %s (%s) or models (%s) absent\n", name, root, *models ? *models : "$FACETAG_MODELS unset");
    return false;
}

int64_t test_query_int(catalog *c, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(catalog_sqlite(c), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0); /* 0 for NULL */
    sqlite3_finalize(st);
    return v;
}

char *test_query_text(catalog *c, const char *sql)
{
    return test_raw_text(catalog_sqlite(c), sql);
}

char *test_raw_text(struct sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return v;
}

bool test_raw_exec(struct sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    bool ok = sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK;
    CHECK_MSG(ok, "%.200s: %s", sql, msg ? msg : "");
    sqlite3_free(msg);
    return ok;
}

bool test_exec(catalog *c, const char *sql)
{
    return test_raw_exec(catalog_sqlite(c), sql);
}

void test_read_texts(struct sqlite3 *db, const char *const *sql, char **out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = test_raw_text(db, sql[i]);
}

void test_check_texts(struct sqlite3 *db, const char *const *sql, char *const *want, size_t n, const char *when)
{
    for (size_t i = 0; i < n; i++) {
        char *now = test_raw_text(db, sql[i]);
        CHECK_MSG(want[i] && now && strcmp(want[i], now) == 0, "%s: %s\n  before %s\n  now    %s", when, sql[i],
                  want[i] ? want[i] : "(null)", now ? now : "(null)");
        free(now);
    }
}

void test_free_texts(char **texts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(texts[i]);
        texts[i] = NULL;
    }
}

void test_put_photo(catalog *c, const char *id, int width, int height)
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%s", id);
    snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", id, id, id, id);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "%s.jpg", id);
    p.width = p.orig_width = width;
    p.height = p.orig_height = height;
    err e = { 0 };
    CHECK_MSG(catalog_photo_put(c, &p, &e) == 1, "%s: %s", id, e.msg);
}

double test_normal(uint64_t *state)
{
    double u[2];
    for (int i = 0; i < 2; i++) {
        *state = *state * 6364136223846793005ull + 1442695040888963407ull;
        u[i] = ((*state >> 11) + 0.5) / 9007199254740992.0;
    }
    return sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}
