/* test_eval_set.c — listing a folder-per-identity set: identity folders in byte
 * order, images by extension at any depth, top-level files and folders without
 * images left out; matching an image to its photo's largest face. */
#include "people/eval_set.h"
#include "store/catalog.h"
#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void touch(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs("x", f);
        fclose(f);
    }
}

static void mk(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    mkdir(p, 0777);
}

int main(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("eval_set"));
    mk(dir, "set");
    char set[600];
    snprintf(set, sizeof set, "%s/set", dir);
    touch(set, "MANIFEST.tsv");
    touch(set, "top.jpg"); /* nobody's */
    mk(set, "Zoe");
    mk(set, "Adam");
    mk(set, "Adam/more");
    mk(set, "Empty");
    mk(set, ".hidden");
    touch(set, "Zoe/b.PNG");
    touch(set, "Zoe/a.jpg");
    touch(set, "Zoe/notes.txt");
    touch(set, "Adam/x.jpeg");
    touch(set, "Adam/.ds.jpg");
    touch(set, "Adam/more/y.tif");
    touch(set, "Empty/readme.md");
    touch(set, ".hidden/h.jpg");

    err e = { 0 };
    eval_set s;
    CHECK_MSG(eval_set_scan(set, &s, &e) == 0, "%s", e.msg);
    CHECK(s.nidentities == 2 && s.n == 4);
    if (s.nidentities == 2 && s.n == 4) {
        CHECK(strcmp(s.identities[0], "Adam") == 0 && strcmp(s.identities[1], "Zoe") == 0);
        CHECK(strcmp(s.files[0], "Adam/x.jpeg") == 0 && s.truth[0] == 0);
        CHECK(strcmp(s.files[1], "Adam/more/y.tif") == 0 && s.truth[1] == 0);
        CHECK(strcmp(s.files[2], "Zoe/a.jpg") == 0 && s.truth[2] == 1);
        CHECK(strcmp(s.files[3], "Zoe/b.PNG") == 0 && s.truth[3] == 1);
        CHECK(s.root[0] == '/');

        /* Zoe/a.jpg is a photo with two faces: the larger one is scored */
        char path[700];
        snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
        catalog *c = catalog_open(path, &e);
        CHECK_MSG(c != NULL, "%s", e.msg);
        if (c) {
            catalog_photo p = { 0 };
            snprintf(p.photo_id, sizeof p.photo_id, "0123456789abcdef");
            snprintf(p.sha256, sizeof p.sha256, "%s%s%s%s", p.photo_id, p.photo_id, p.photo_id, p.photo_id);
            snprintf(p.format, sizeof p.format, "jpeg");
            snprintf(p.incoming_key, sizeof p.incoming_key, "x.jpg");
            CHECK(catalog_photo_put(c, &p, &e) == 1);
            char file[1024];
            snprintf(file, sizeof file, "%s/Zoe/a.jpg", s.root);
            CHECK_MSG(catalog_source_add(c, p.photo_id, file, 1, 1, &e) == 1, "%s", e.msg);
            int64_t ids[2] = { 0, 0 };
            for (int k = 0; k < 2; k++) {
                catalog_face f;
                memset(&f, 0, sizeof f);
                memcpy(f.photo_id, p.photo_id, sizeof f.photo_id);
                f.face_no = k;
                snprintf(f.model_version, sizeof f.model_version, "m");
                f.box[2] = f.box[3] = k ? 80 : 40;
                snprintf(f.source, sizeof f.source, "detector");
                CHECK_MSG(catalog_face_put(c, &f, &e) == 0, "%s", e.msg);
                ids[k] = f.id;
            }
            CHECK_MSG(eval_set_match(&s, c, "m", &e) == 0, "%s", e.msg);
            CHECK(s.face_id[2] == ids[1]);
            CHECK(s.face_id[0] == 0 && s.face_id[1] == 0 && s.face_id[3] == 0);
            CHECK(eval_set_match(&s, c, "other", &e) == 0 && s.face_id[2] == 0);
            catalog_close(c);
        }
    }
    eval_set_free(&s);

    snprintf(set, sizeof set, "%s/set/Empty", dir);
    CHECK(eval_set_scan(set, &s, &e) == ERR_INVALID);
    snprintf(set, sizeof set, "%s/nothere", dir);
    CHECK(eval_set_scan(set, &s, &e) == ERR_NOTFOUND);
    test_rmtree(dir);
    return test_main_end();
}
