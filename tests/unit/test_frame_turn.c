/* test_frame_turn — a contact sheet's frames stored turned by the sheet's
 * vote (analyze/frame_turn.h, store/catalog_frame_turn.h; issue 13). No
 * networks: the vote's turn is given and the faces are put by hand.
 *
 * A generated sheet of one vertical strip whose pictures face against
 * ingest's guess (sheetgen turn -1: its frames are cut upside down) is
 * ingested by the real ingest; each frame gets an analysis with one face over
 * an off-centre spot, and an XMP region. For each turn (90, 180, 270):
 *   - frame_turn_sheet: every stored frame is its old image turned (pixels);
 *     the face's box on the turned image covers the same pixels as before,
 *     and so does the XMP region; a quarter turn swaps the photo's sizes; the
 *     frame row cut again from the sheet's working image (sheet_frame_extract)
 *     is the stored frame and not its half turn (the UI outline, the XMP
 *     export's frame_to_sheet); the analysis runs are dropped; nothing is
 *     left pending; a second call turns nothing (a sheet is turned once);
 *   - a run killed after the turn was recorded: the images of frames k.. put
 *     back as they were and their pending SHA-256 set again, as the kill
 *     leaves them, and frame k-1 written but still pending (a kill between
 *     the write and its mark); frame_turn_finish writes exactly those, and
 *     the result is byte for byte the uninterrupted run's (no frame turned
 *     twice);
 *   - catalog_sheet_turn_put refuses a turn of 45 and a photo that is not a
 *     frame of the sheet, changing nothing.
 * The kill -9 of the whole analyze at that point, with the networks, is
 * tests/integration/sheet_faces.sh. */
#include "testutil.h"

#include "analyze/frame_turn.h"
#include "core/hash.h"
#include "ingest/ingest.h"
#include "media/image.h"
#include "media/sheet.h"
#include "sheetgen.h"
#include "store/catalog_frame_turn.h"
#include "store/catalog_frames.h"
#include "store/catalog_internal.h"
#include "store/datadir.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#define MODEL "test-frame-turn/1"
#define MAXF 8

typedef struct frame_state {
    char id[PHOTO_ID_LEN + 1];
    int width, height;
    double box[4];
    void *jpeg; /* processed image (malloc'd) */
    size_t len;
} frame_state;

static VipsImage *load(const void *jpeg, size_t len)
{
    VipsImage *im = vips_image_new_from_buffer(jpeg, len, "", NULL), *mem = im ? vips_image_copy_memory(im) : NULL;
    if (im)
        g_object_unref(im);
    return mem;
}

/* Mean absolute difference of two images of one size (the whole of both),
 * 1e9 when the sizes differ. */
static double mad(VipsImage *a, VipsImage *b)
{
    if (a->Xsize != b->Xsize || a->Ysize != b->Ysize || a->Bands != b->Bands)
        return 1e9;
    VipsImage *d = NULL, *ab = NULL;
    double m = 1e9;
    if (vips_subtract(a, b, &d, NULL) == 0 && vips_abs(d, &ab, NULL) == 0)
        vips_avg(ab, &m, NULL);
    if (d)
        g_object_unref(d);
    if (ab)
        g_object_unref(ab);
    return m;
}

static VipsImage *rotated(VipsImage *im, int turn)
{
    VipsImage *r = NULL;
    VipsAngle a = turn == 90 ? VIPS_ANGLE_D90 : turn == 180 ? VIPS_ANGLE_D180 : turn == 270 ? VIPS_ANGLE_D270 : 0;
    if (vips_rot(im, &r, a, NULL) != 0)
        return NULL;
    return r;
}

/* The box (x, y, w, h; rounded inward) of im, or NULL. */
static VipsImage *crop(VipsImage *im, const double b[4])
{
    int x = (int)ceil(b[0]), y = (int)ceil(b[1]), w = (int)floor(b[0] + b[2]) - x, h = (int)floor(b[1] + b[3]) - y;
    VipsImage *c = NULL;
    if (x < 0 || y < 0 || w < 1 || h < 1 || x + w > im->Xsize || y + h > im->Ysize ||
        vips_extract_area(im, &c, x, y, w, h, NULL) != 0)
        return NULL;
    return c;
}

static int get_object(objstore *os, const char *id, void **data, size_t *len)
{
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", id);
    err e = { 0 };
    return objstore_get(os, BUCKET_PROCESSED, key, data, len, &e);
}

typedef struct collect {
    catalog_frame f[MAXF];
    int n;
} collect;

static int collect_frame(const catalog_frame *f, void *ud)
{
    collect *c = ud;
    if (c->n < MAXF)
        c->f[c->n++] = *f;
    return 0;
}

/* The sheet ingested into data dir root (the real ingest). */
static void ingest_sheet(const char *root, const char *sheet_jpg)
{
    ingest_options io = { .data_dir = root,
                          .threads = 1,
                          .progress = 0,
                          .sheets = SHEET_AUTO,
                          .limits = { .max_edge = 4096, .max_pixels = 400000000 }, /* the CLI's */
                          .messages = stderr };
    ingest_summary sum;
    err e = { 0 };
    char *paths[] = { (char *)sheet_jpg };
    CHECK_MSG(ingest_run(&io, paths, 1, &sum, &e) == 0 && sum.sheets == 1, "ingest: %s (%lld sheets)", e.msg,
              (long long)sum.sheets);
}

/* A fresh data dir, a copy of base (the sheet ingested), with every frame
 * analysed by hand (one face, one XMP region); st[] the frames as stored.
 * Returns the count. */
static int setup(const char *root, const char *base, objstore **os, catalog **cat, char parent[PHOTO_ID_LEN + 1],
                 frame_state st[MAXF])
{
    test_rmtree(root);
    char cmd[3 * 4096];
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", base, root);
    CHECK(system(cmd) == 0);
    err e = { 0 };
    CHECK(datadir_open(root, 0, os, cat, &e) == 0);
    if (!*cat)
        return 0;
    char *p = test_query_text(*cat, "SELECT parent_id FROM photo_frames LIMIT 1");
    snprintf(parent, PHOTO_ID_LEN + 1, "%s", p ? p : "");
    free(p);
    collect c = { .n = 0 };
    CHECK(catalog_frames_of(*cat, parent, collect_frame, &c, &e) == 0 && c.n >= 4);
    for (int i = 0; i < c.n; i++) {
        frame_state *s = &st[i];
        memset(s, 0, sizeof *s);
        snprintf(s->id, sizeof s->id, "%s", c.f[i].photo_id);
        catalog_photo ph;
        CHECK(catalog_photo_get(*cat, s->id, &ph, &e) == 1);
        s->width = ph.width;
        s->height = ph.height;
        catalog_photo_clear(&ph);
        /* off-centre and not square: a wrong turn of the box lands elsewhere */
        s->box[0] = 0.12 * s->width, s->box[1] = 0.2 * s->height, s->box[2] = 0.3 * s->width,
        s->box[3] = 0.45 * s->height;
        catalog_face f = { .face_no = 0, .score = 0.9 };
        snprintf(f.photo_id, sizeof f.photo_id, "%s", s->id);
        snprintf(f.model_version, sizeof f.model_version, "%s", MODEL);
        snprintf(f.source, sizeof f.source, "detector");
        memcpy(f.box, s->box, sizeof f.box);
        CHECK(catalog_analysis_record(*cat, s->id, MODEL, &f, 1, NULL, 0, &e) == 0);
        char sql[512];
        snprintf(sql, sizeof sql,
                 "INSERT INTO xmp_regions (photo_id, region_no, name, x, y, w, h, kind, origin) "
                 "VALUES ('%s', 0, 'A', %.6f, %.6f, %.6f, %.6f, 'mwg', 'sidecar')",
                 s->id, s->box[0], s->box[1], s->box[2], s->box[3]);
        CHECK(test_exec(*cat, sql));
        CHECK(get_object(*os, s->id, &s->jpeg, &s->len) == 0);
    }
    return c.n;
}

static void free_states(frame_state *st, int n)
{
    for (int i = 0; i < n; i++)
        free(st[i].jpeg);
}

/* The sheet's frames after the turn, checked against what they were. */
static void check_turned(objstore *os, catalog *cat, const char *parent, const frame_state *st, int n, int turn)
{
    err e = { 0 };
    void *sheet_jpg = NULL;
    size_t sheet_len = 0;
    CHECK(get_object(os, parent, &sheet_jpg, &sheet_len) == 0);
    VipsImage *sheet = sheet_jpg ? load(sheet_jpg, sheet_len) : NULL;
    collect c = { .n = 0 };
    CHECK(catalog_frames_of(cat, parent, collect_frame, &c, &e) == 0 && c.n == n);
    for (int i = 0; i < n && i < c.n; i++) {
        const frame_state *s = &st[i];
        CHECK_MSG(c.f[i].turn == turn, "frame %d: turn %d, want %d", i + 1, c.f[i].turn, turn);
        void *now = NULL;
        size_t len = 0;
        CHECK(get_object(os, s->id, &now, &len) == 0);
        VipsImage *old = load(s->jpeg, s->len), *cur = now ? load(now, len) : NULL,
                  *want = old ? rotated(old, turn) : NULL;
        double d = cur && want ? mad(cur, want) : 1e9;
        CHECK_MSG(d < 3, "turn %d frame %d: the stored image differs from the old one turned by %.2f", turn, i + 1, d);
        catalog_photo ph;
        CHECK(catalog_photo_get(cat, s->id, &ph, &e) == 1);
        int quarter = turn != 180;
        CHECK_MSG(ph.width == (quarter ? s->height : s->width) && ph.height == (quarter ? s->width : s->height) &&
                      cur && ph.width == cur->Xsize && ph.height == cur->Ysize,
                  "turn %d frame %d: %dx%d recorded, %dx%d stored, was %dx%d", turn, i + 1, ph.width, ph.height,
                  cur ? cur->Xsize : -1, cur ? cur->Ysize : -1, s->width, s->height);
        catalog_photo_clear(&ph);
        /* the face's box and the XMP region on the turned image: the same pixels, turned */
        char sql[256];
        double fb[4], rb[4];
        const char *cols[4] = { "box_x", "box_y", "box_w", "box_h" }, *rcols[4] = { "x", "y", "w", "h" };
        for (int k = 0; k < 4; k++) {
            snprintf(sql, sizeof sql, "SELECT CAST(%s * 1000 AS INTEGER) FROM faces WHERE photo_id = '%s'", cols[k],
                     s->id);
            fb[k] = (double)test_query_int(cat, sql) / 1000;
            snprintf(sql, sizeof sql, "SELECT CAST(%s * 1000 AS INTEGER) FROM xmp_regions WHERE photo_id = '%s'",
                     rcols[k], s->id);
            rb[k] = (double)test_query_int(cat, sql) / 1000;
        }
        VipsImage *was = old ? crop(old, s->box) : NULL, *is = cur ? crop(cur, fb) : NULL,
                  *is_up = is ? rotated(is, (360 - turn) % 360) : NULL;
        double df = was && is_up ? mad(was, is_up) : 1e9;
        CHECK_MSG(df < 4, "turn %d frame %d: the face's box (%.1f,%.1f %.1fx%.1f) shows other pixels (%.2f)", turn,
                  i + 1, fb[0], fb[1], fb[2], fb[3], df);
        CHECK_MSG(fabs(rb[0] - fb[0]) < 0.01 && fabs(rb[1] - fb[1]) < 0.01 && fabs(rb[2] - fb[2]) < 0.01 &&
                      fabs(rb[3] - fb[3]) < 0.01,
                  "turn %d frame %d: the XMP region turned otherwise than the face", turn, i + 1);
        /* the frame row describes the stored frame: cut again from the sheet's working image */
        if (sheet && cur) {
            sheet_frame sf = { .no = c.f[i].frame_no,
                               .cx = c.f[i].cx,
                               .cy = c.f[i].cy,
                               .w = c.f[i].w,
                               .h = c.f[i].h,
                               .angle = c.f[i].angle };
            VipsImage *cut = NULL, *fit = NULL, *cut_half = NULL;
            CHECK(sheet_frame_extract(sheet, &sf, c.f[i].negative, &cut, &e) == 0);
            if (cut &&
                vips_resize(cut, &fit, (double)cur->Xsize / cut->Xsize, "vscale", (double)cur->Ysize / cut->Ysize,
                            NULL) == 0 &&
                fit->Xsize == cur->Xsize && fit->Ysize == cur->Ysize) {
                cut_half = rotated(fit, 180);
                double same = mad(fit, cur), half = cut_half ? mad(cut_half, cur) : 0;
                CHECK_MSG(same + 10 < half,
                          "turn %d frame %d: cut again from its row it differs by %.1f (%.1f "
                          "turned 180)",
                          turn, i + 1, same, half);
            } else {
                CHECK_MSG(0, "turn %d frame %d: cut again from its row: %dx%d vs %dx%d stored", turn, i + 1,
                          fit ? fit->Xsize : -1, fit ? fit->Ysize : -1, cur->Xsize, cur->Ysize);
            }
            if (cut)
                g_object_unref(cut);
            if (fit)
                g_object_unref(fit);
            if (cut_half)
                g_object_unref(cut_half);
        }
        VipsImage *all[] = { old, cur, want, was, is, is_up };
        for (size_t k = 0; k < sizeof all / sizeof *all; k++)
            if (all[k])
                g_object_unref(all[k]);
        free(now);
    }
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM analysis_runs WHERE photo_id IN (SELECT photo_id FROM photo_frames WHERE "
             "parent_id = '%s')",
             parent);
    CHECK_MSG(test_query_int(cat, sql) == 0, "turn %d: the frames' analyses stay", turn);
    CHECK(test_query_int(cat, "SELECT count(*) FROM photo_frames WHERE turn_sha256 IS NOT NULL") == 0);
    if (sheet)
        g_object_unref(sheet);
    free(sheet_jpg);
}

static void test_turn(const char *tmp, const char *base, int turn)
{
    char root[4096 + 16], root2[4096 + 16];
    snprintf(root, sizeof root, "%s/data-%d", tmp, turn);
    snprintf(root2, sizeof root2, "%s/kill-%d", tmp, turn);
    objstore *os = NULL, *os2 = NULL;
    catalog *cat = NULL, *cat2 = NULL;
    char parent[PHOTO_ID_LEN + 1] = "", parent2[PHOTO_ID_LEN + 1] = "";
    frame_state st[MAXF], st2[MAXF];
    int n = setup(root, base, &os, &cat, parent, st);
    err e = { 0 };
    if (n < 4 || !cat) {
        CHECK_MSG(0, "turn %d: no frames to turn", turn);
        return;
    }
    CHECK_MSG(frame_turn_sheet(os, cat, parent, turn, 0, &e) == 1, "turn %d: %s", turn, e.msg);
    check_turned(os, cat, parent, st, n, turn);
    /* once: a second vote turns nothing (and neither does a bad call) */
    CHECK(frame_turn_sheet(os, cat, parent, 90, 0, &e) == 0);
    CHECK(test_query_int(cat, "SELECT count(*) FROM photo_frames WHERE turn <> 0") == n);
    CHECK(frame_turn_sheet(os, cat, parent, 45, 0, &e) == ERR_INVALID);

    /* the same run killed after the turn was recorded and k images written */
    int n2 = setup(root2, base, &os2, &cat2, parent2, st2);
    CHECK(n2 == n && strcmp(parent, parent2) == 0);
    if (n2 == n && cat2) {
        CHECK(frame_turn_sheet(os2, cat2, parent2, turn, 0, &e) == 1);
        /* frames 0..k-2 done; k-1 written but not marked (the kill between
         * the two); k.. not written */
        int k = n / 2;
        char sql[512];
        for (int i = k - 1; i < n; i++) {
            void *now = NULL;
            size_t len = 0;
            char sha[HASH_SHA256_HEX_LEN + 1] = "";
            CHECK(get_object(os2, st2[i].id, &now, &len) == 0 && hash_sha256_hex(now, len, sha, &e) == 0);
            snprintf(sql, sizeof sql, "UPDATE photo_frames SET turn_sha256 = '%s' WHERE photo_id = '%s'", sha,
                     st2[i].id);
            CHECK(test_exec(cat2, sql));
            char key[64];
            snprintf(key, sizeof key, "%s.jpg", st2[i].id);
            CHECK(i < k || objstore_put(os2, BUCKET_PROCESSED, key, st2[i].jpeg, st2[i].len, &e) == 0);
            free(now);
        }
        CHECK_MSG(frame_turn_finish(os2, cat2, &e) == n - k + 1, "turn %d: finish: %s", turn, e.msg);
        CHECK(frame_turn_finish(os2, cat2, &e) == 0);
        for (int i = 0; i < n; i++) { /* byte for byte the uninterrupted run's */
            void *a = NULL, *b = NULL;
            size_t la = 0, lb = 0;
            CHECK(get_object(os, st[i].id, &a, &la) == 0 && get_object(os2, st2[i].id, &b, &lb) == 0);
            CHECK_MSG(a && b && la == lb && memcmp(a, b, la) == 0, "turn %d frame %d: differs after the kill", turn,
                      i + 1);
            free(a);
            free(b);
        }
        check_turned(os2, cat2, parent2, st2, n, turn);
    }

    /* refused, nothing changed: a turn of 45; a photo that is no frame of the sheet */
    catalog_frame_turn t = { .angle = 0, .w = 10, .h = 10 };
    snprintf(t.photo_id, sizeof t.photo_id, "%s", parent);
    memset(t.sha256, 'a', HASH_SHA256_HEX_LEN);
    CHECK(catalog_sheet_turn_put(cat, parent, 45, &t, 1, &e) == ERR_INVALID);
    CHECK(test_exec(cat, "UPDATE photo_frames SET turn = 0"));
    CHECK(catalog_sheet_turn_put(cat, parent, 90, &t, 1, &e) == ERR_INVALID);
    CHECK(test_query_int(cat, "SELECT count(*) FROM photo_frames WHERE turn <> 0 OR turn_sha256 IS NOT NULL") == 0);

    free_states(st, n);
    free_states(st2, n2);
    catalog_close(cat);
    objstore_close(os);
    catalog_close(cat2);
    objstore_close(os2);
}

int main(void)
{
    err e;
    if (image_init("test_frame_turn", &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    char **photos;
    int nphotos;
    if (sheetgen_group_photos(&photos, &nphotos) != 0) {
        printf("skipped: no shared/ data for the generated sheet\n");
        return test_main_end();
    }
    CHECK(nphotos >= 6);
    char tmp[3072];
    snprintf(tmp, sizeof tmp, "%s", test_tmpdir("frame_turn"));
    char sheet_jpg[4096];
    snprintf(sheet_jpg, sizeof sheet_jpg, "%s/sheet.jpg", tmp);
    /* one strip of six running top to bottom, the pictures' tops to the
     * right: against ingest's guess (media/sheet.h), as sheet_faces.sh */
    sheetgen_spec sp = { .film = 35,
                         .strips = 1,
                         .per_strip = 6,
                         .px_per_mm = 6,
                         .angle = 0.6,
                         .noise = 3,
                         .vertical = 1,
                         .turn = -1,
                         .paper_margin = 1,
                         .seed = 5 };
    sheetgen_sheet s;
    VipsImage *im = NULL;
    if (nphotos >= 6 && sheetgen_make(&sp, (const char *const *)photos, nphotos, 0, &s, &e) == 0) {
        im = vips_image_new_from_memory(s.rgb, (size_t)s.width * s.height * 3, s.width, s.height, 3, VIPS_FORMAT_UCHAR);
        CHECK(im && vips_jpegsave(im, sheet_jpg, "Q", 90, NULL) == 0);
        if (im)
            g_object_unref(im);
        sheetgen_free(&s);
        char base[4096 + 16];
        snprintf(base, sizeof base, "%s/base", tmp);
        ingest_sheet(base, sheet_jpg);
        test_turn(tmp, base, 180);
        test_turn(tmp, base, 90);
        test_turn(tmp, base, 270);
    } else {
        CHECK_MSG(0, "sheetgen: %s", e.msg);
    }
    sheetgen_list_free(photos, nphotos);
    test_rmtree(tmp);
    return test_main_end();
}
