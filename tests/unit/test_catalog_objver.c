/* test_catalog_objver.c — object versions per analysis (store/catalog_objver.h):
 * recorded, replaced, per model, inside a caller's transaction and undone with it. */
#include "store/catalog.h"
#include "store/catalog_objver.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *t = test_tmpdir("objver");
    char path[600];
    snprintf(path, sizeof path, "%s/catalog.sqlite", t);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return test_main_end();
    char v[256];
    CHECK(catalog_objver_get(c, "annotations", "a.json", "m1", v, sizeof v, &e) == 0);
    CHECK(catalog_objver_put(c, "annotations", "a.json", "m1", "v-one", &e) == 0);
    CHECK(catalog_objver_put(c, "annotations", "a.json", "m2", "v-two", &e) == 0);
    CHECK(catalog_objver_put(c, "faces", "a/0.jpg", "m1", "c-one", &e) == 0);
    CHECK(catalog_objver_get(c, "annotations", "a.json", "m1", v, sizeof v, &e) == 1 && strcmp(v, "v-one") == 0);
    CHECK(catalog_objver_get(c, "annotations", "a.json", "m2", v, sizeof v, &e) == 1 && strcmp(v, "v-two") == 0);
    CHECK(catalog_objver_get(c, "faces", "a/0.jpg", "m2", v, sizeof v, &e) == 0);
    /* The same analysis again (an interrupted run finished later): replaced. */
    CHECK(catalog_objver_put(c, "annotations", "a.json", "m1", "v-one-again", &e) == 0);
    CHECK(catalog_objver_get(c, "annotations", "a.json", "m1", v, sizeof v, &e) == 1 && strcmp(v, "v-one-again") == 0);
    /* Inside a transaction that is rolled back: gone with it. */
    CHECK(catalog_begin(c, &e) == 0);
    CHECK(catalog_objver_put(c, "annotations", "b.json", "m1", "v-b", &e) == 0);
    catalog_rollback(c);
    CHECK(catalog_objver_get(c, "annotations", "b.json", "m1", v, sizeof v, &e) == 0);
    catalog_close(c);
    /* Kept across a reopen. */
    c = catalog_open(path, &e);
    CHECK(c && catalog_objver_get(c, "faces", "a/0.jpg", "m1", v, sizeof v, &e) == 1 && strcmp(v, "c-one") == 0);
    catalog_close(c);
    test_rmtree(t);
    return test_main_end();
}
