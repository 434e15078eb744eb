/* test_catalog_frames — frames of sheets and videos in the catalog
 * (store/catalog_frames.h): put, get, list in frame order, bad ids and kinds
 * refused, and a photo with frames is not handed to analyze (its frames are). */
#include "testutil.h"

#include "store/catalog_frames.h"

#include <stdio.h>
#include <string.h>

static catalog_photo photo(const char *id, const char *parent)
{
    catalog_photo p = { 0 };
    snprintf(p.photo_id, sizeof p.photo_id, "%s", id);
    memset(p.sha256, 'a', HASH_SHA256_HEX_LEN);
    snprintf(p.parent_id, sizeof p.parent_id, "%s", parent);
    snprintf(p.format, sizeof p.format, "jpeg");
    snprintf(p.incoming_key, sizeof p.incoming_key, "sheet.jpg");
    p.width = p.orig_width = 300;
    p.height = p.orig_height = 200;
    p.orientation = 1;
    return p;
}

static int collect(const char *photo_id, bool done, void *ud)
{
    (void)done;
    char *list = ud;
    strcat(list, photo_id);
    strcat(list, " ");
    return 0;
}

static int count_frames(const catalog_frame *f, void *ud)
{
    int *n = ud;
    CHECK(f->frame_no == *n + 1); /* frame order */
    (*n)++;
    return 0;
}

int main(void)
{
    const char *dir = test_tmpdir("catalog_frames");
    char path[4096];
    snprintf(path, sizeof path, "%s/catalog.sqlite", dir);
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s", e.msg);
    if (!c)
        return test_main_end();
    const char *sheet = "00000000000000aa", *f1 = "00000000000000b1", *f2 = "00000000000000b2",
               *plain = "00000000000000cc";
    catalog_photo p = photo(sheet, "");
    CHECK(catalog_photo_put(c, &p, &e) == 1);
    p = photo(plain, "");
    CHECK(catalog_photo_put(c, &p, &e) == 1);
    p = photo(f2, sheet);
    CHECK(catalog_photo_put(c, &p, &e) == 1);
    p = photo(f1, sheet);
    CHECK(catalog_photo_put(c, &p, &e) == 1);
    catalog_frame fr = {
        .frame_no = 2, .strip = 0, .cx = 150.5, .cy = 40, .w = 120, .h = 80, .angle = -1.5, .time_ms = -1
    };
    snprintf(fr.photo_id, sizeof fr.photo_id, "%s", f2);
    snprintf(fr.parent_id, sizeof fr.parent_id, "%s", sheet);
    snprintf(fr.kind, sizeof fr.kind, "sheet");
    CHECK_MSG(catalog_frame_put(c, &fr, &e) == 0, "%s", e.msg);
    fr.frame_no = 1;
    fr.cx = 20;
    snprintf(fr.photo_id, sizeof fr.photo_id, "%s", f1);
    CHECK(catalog_frame_put(c, &fr, &e) == 0);
    catalog_frame got;
    CHECK(catalog_frame_get(c, f2, &got, &e) == 1);
    CHECK(got.frame_no == 2 && got.cx == 150.5 && got.angle == -1.5 && got.time_ms == -1 &&
          strcmp(got.kind, "sheet") == 0 && strcmp(got.parent_id, sheet) == 0);
    CHECK(catalog_frame_get(c, plain, NULL, &e) == 0);
    int n = 0;
    CHECK(catalog_frames_of(c, sheet, count_frames, &n, &e) == 0 && n == 2);
    /* refused: a kind that is neither, an id that is not one */
    catalog_frame bad = fr;
    snprintf(bad.kind, sizeof bad.kind, "movie");
    CHECK(catalog_frame_put(c, &bad, &e) == ERR_INVALID);
    bad = fr;
    snprintf(bad.parent_id, sizeof bad.parent_id, "xyz");
    CHECK(catalog_frame_put(c, &bad, &e) == ERR_INVALID);
    /* a frame of the same parent with the same number is the same frame */
    bad = fr;
    snprintf(bad.photo_id, sizeof bad.photo_id, "%s", plain);
    CHECK(catalog_frame_put(c, &bad, &e) == 0); /* OR REPLACE: plain now holds frame 1 */
    CHECK(catalog_frame_get(c, f1, NULL, &e) == 0);
    /* video frames carry their time */
    catalog_frame v = { .frame_no = 7, .time_ms = 12500 };
    snprintf(v.photo_id, sizeof v.photo_id, "%s", f1);
    snprintf(v.parent_id, sizeof v.parent_id, "%s", plain);
    snprintf(v.kind, sizeof v.kind, "video");
    CHECK(catalog_frame_put(c, &v, &e) == 0);
    CHECK(catalog_frame_get(c, f1, &got, &e) == 1 && got.time_ms == 12500 && strcmp(got.kind, "video") == 0);
    /* analyze gets the frames, never a photo that has frames */
    char list[256] = "";
    CHECK(catalog_analysis_todo(c, "m1", collect, list, &e) == 0);
    CHECK_MSG(strstr(list, sheet) == NULL && strstr(list, plain) == NULL, "todo: %s", list);
    CHECK_MSG(strstr(list, f1) != NULL && strstr(list, f2) != NULL, "todo: %s", list);
    catalog_close(c);
    test_rmtree(dir);
    return test_main_end();
}
