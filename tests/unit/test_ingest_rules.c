/* test_ingest_rules.c — the small rules of ingest: photo ids of pages, how odd
 * file names are shown, EXIF value and date parsing, what the folder walk
 * lists and skips, and the progress line. */
#include "core/fsutil.h"
#include "core/progress.h"
#include "ingest/ingest.h"
#include "ingest/walk.h"
#include "media/exif.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_page_ids(void)
{
    /* sha256("hello"); the page ids were computed with sha256sum:
     * printf '<sha>#page=1' | sha256sum */
    const char *sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    char id[PHOTO_ID_LEN + 1];
    hash_page_id(sha, 0, id);
    CHECK(strcmp(id, "2cf24dba5fb0a30e") == 0);
    hash_page_id(sha, 1, id);
    CHECK(strcmp(id, "cfe62bdea200f4ad") == 0);
    hash_page_id(sha, 12, id);
    CHECK(strcmp(id, "820a4b1463dc5bb5") == 0);
}

static void test_display_path(void)
{
    char buf[128];
    ingest_display_path("/a/new\nline.jpg", buf, sizeof buf);
    CHECK(strcmp(buf, "/a/new\\nline.jpg") == 0);
    ingest_display_path("/a/latin1-\xe9t\xe9.jpg", buf, sizeof buf);
    CHECK(strcmp(buf, "/a/latin1-\\xe9t\\xe9.jpg") == 0);
    ingest_display_path("/a/caf\xc3\xa9 \"q\" 'x' -d.jpg", buf, sizeof buf);
    CHECK(strcmp(buf, "/a/caf\xc3\xa9 \"q\" 'x' -d.jpg") == 0); /* valid UTF-8 and quotes as they are */
    ingest_display_path("tab\there\\\x7f\x01", buf, sizeof buf);
    CHECK(strcmp(buf, "tab\\there\\\\\\x7f\\x01") == 0);
    ingest_display_path("\xed\xa0\x80", buf, sizeof buf); /* a UTF-16 surrogate is not UTF-8 */
    CHECK(strcmp(buf, "\\xed\\xa0\\x80") == 0);
    char small[12];
    ingest_display_path("/a/very/long/path.jpg", small, sizeof small);
    CHECK(strlen(small) < sizeof small && strstr(small, "...") != NULL);
}

static void test_exif(void)
{
    char v[64], iso[32];
    exif_vips_value("Canon (Canon, ASCII, 6 components, 6 bytes)", v, sizeof v);
    CHECK(strcmp(v, "Canon") == 0);
    exif_vips_value("NIKON (D3) (NIKON (D3), ASCII, 11 components, 11 bytes)", v, sizeof v);
    CHECK(strcmp(v, "NIKON (D3)") == 0);
    exif_vips_value("  plain  ", v, sizeof v);
    CHECK(strcmp(v, "plain") == 0);
    exif_vips_value("Canon (Canon, ASCII, 6 components, 6 bytes)", v, 4);
    CHECK(strcmp(v, "Can") == 0);
    CHECK(exif_datetime_iso("1977:02:14 19:30:05", iso) == 1 && strcmp(iso, "1977-02-14T19:30:05") == 0);
    CHECK(exif_datetime_iso("1977:02:14", iso) == 1 && strcmp(iso, "1977-02-14") == 0);
    CHECK(exif_datetime_iso("1977-02-14 25:00:00", iso) == 1 && strcmp(iso, "1977-02-14") == 0);
    CHECK(exif_datetime_iso("0000:00:00 00:00:00", iso) == 0 && iso[0] == '\0');
    CHECK(exif_datetime_iso("    :  :     :  :  ", iso) == 0);
    CHECK(exif_datetime_iso("1977:13:01 00:00:00", iso) == 0);
    CHECK(exif_datetime_iso(NULL, iso) == 0);
}

static void touch(const char *dir, const char *name)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
}

static void test_walk(void)
{
    char d[600], sub[700], p[800];
    snprintf(d, sizeof d, "%s", test_tmpdir("walk"));
    snprintf(sub, sizeof sub, "%s/sub", d);
    mkdir(sub, 0755);
    touch(d, "b.jpg");
    touch(d, "a.jpg");
    touch(d, "a.txt");      /* sidecar of a.jpg */
    touch(d, "a.jpg.xmp");  /* sidecar of a.jpg */
    touch(d, "album.json"); /* album file */
    touch(d, "notes.txt");  /* not a sidecar: listed (and refused later) */
    touch(d, ".DS_Store");  /* hidden */
    touch(sub, "c.png");
    snprintf(p, sizeof p, "%s/loop", sub);
    CHECK(symlink(d, p) == 0); /* a link to a folder is not followed */
    snprintf(p, sizeof p, "%s/dangling.jpg", sub);
    CHECK(symlink("/nonexistent/x", p) == 0);
    char data[700];
    snprintf(data, sizeof data, "%s/facetag-data", d); /* the data folder: never walked */
    mkdir(data, 0755);
    touch(data, "catalog.sqlite");

    char missing[700], again[700], side[700];
    snprintf(missing, sizeof missing, "%s/missing.jpg", d);
    snprintf(again, sizeof again, "%s/./b.jpg", d);
    snprintf(side, sizeof side, "%s/a.txt", d);
    char *args[] = { d, missing, again, side };
    walk_list l = { 0 };
    err e = { 0 };
    CHECK(walk_collect(args, 4, data, &l, &e) == 0);
    const char *want[] = { "a.jpg", "b.jpg", "notes.txt", "sub/c.png", "sub/dangling.jpg", "missing.jpg" };
    CHECK_MSG(l.n == 6, "%zu entries", l.n);
    for (size_t i = 0; i < l.n && i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", d, want[i]);
        CHECK_MSG(strcmp(l.v[i].path, p) == 0, "entry %zu: %s, want %s", i, l.v[i].path, p);
        CHECK((l.v[i].reason != NULL) == (i == 5));
    }
    if (l.n == 6)
        CHECK(strcmp(l.v[5].reason, "no such file or folder") == 0);
    walk_list_free(&l);

    char abs[64];
    CHECK(fsutil_absolute("/x//y/./z/", abs, sizeof abs, &e) == 0 && strcmp(abs, "/x/y/z") == 0);
    CHECK(fsutil_absolute("/", abs, sizeof abs, &e) == 0 && strcmp(abs, "/") == 0);
    CHECK(fsutil_absolute("/a/b/c", abs, 4, &e) == ERR_INVALID);
    char cwd[512];
    if (getcwd(cwd, sizeof cwd) && strlen(cwd) < 40) {
        char want_rel[600];
        snprintf(want_rel, sizeof want_rel, "%s/r.jpg", strcmp(cwd, "/") == 0 ? "" : cwd);
        CHECK(fsutil_absolute("./r.jpg", abs, sizeof abs, &e) == 0 && strcmp(abs, want_rel) == 0);
    }
    test_rmtree(d);
}

static void test_progress_line(void)
{
    char line[256];
    progress_format(line, sizeof line, "ingest", "files", 25, 100, 5.0, 10);
    CHECK_MSG(strcmp(line, "ingest [==>       ] 25/100  5.0 files/s  ETA 0:15") == 0, "'%s'", line);
    progress_format(line, sizeof line, "ingest", "files", 100, 100, 50.0, 4);
    CHECK_MSG(strcmp(line, "ingest [====] 100/100  2.0 files/s  ETA 0:00") == 0, "'%s'", line);
    progress_format(line, sizeof line, "ingest", "files", 0, 10, 0.0, 4);
    CHECK_MSG(strcmp(line, "ingest [>   ] 0/10  0.0 files/s  ETA --:--") == 0, "'%s'", line);
    /* not a terminal: nothing is drawn, messages still go out */
    FILE *f = tmpfile();
    progress *p = progress_new(f, "ingest", "files", 10, -1);
    progress_set(p, 5);
    progress_message(p, "x.jpg: %s", "empty file (0 bytes)");
    progress_end(p);
    rewind(f);
    char buf[128] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    CHECK_MSG(strcmp(buf, "x.jpg: empty file (0 bytes)\n") == 0, "'%s'", buf);
    fclose(f);
}

int main(void)
{
    test_page_ids();
    test_display_path();
    test_exif();
    test_walk();
    test_progress_line();
    return test_main_end();
}
