#include "testutil.h"

#include <ftw.h>
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
