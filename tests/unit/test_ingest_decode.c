/* test_ingest_decode.c — ingest's image rules: sniffing by content, the pixel
 * limit read from the header (a 10-gigapixel header with no pixel data must be
 * refused as too big, not as damaged), orientation, EXIF fields, damage
 * detection, the edge cap and every supported format libvips can write here. */
#include "media/decode.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static char dir[512];
static const decode_limits lim = { .max_edge = 4096, .max_pixels = 400000000 };

static const char *path_of(const char *name)
{
    static char buf[2][640];
    static int k;
    k ^= 1;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_bytes(const char *name, const void *data, size_t len)
{
    FILE *f = fopen(path_of(name), "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(data, 1, len, f) == len);
        fclose(f);
    }
}

/* A w x h RGB test card: a gradient, so shrinking and rotation are visible. */
static VipsImage *card(int w, int h)
{
    VipsImage *xy = NULL, *rgb = NULL, *u8 = NULL;
    vips_xyz(&xy, w, h, NULL);
    VipsImage *b[3];
    vips_extract_band(xy, &b[0], 0, NULL);
    vips_extract_band(xy, &b[1], 1, NULL);
    vips_linear1(b[0], &b[2], 0.5, 10, NULL);
    vips_bandjoin(b, &rgb, 3, NULL);
    vips_cast_uchar(rgb, &u8, NULL);
    for (int i = 0; i < 3; i++)
        g_object_unref(b[i]);
    g_object_unref(xy);
    g_object_unref(rgb);
    return u8;
}

static void test_sniff(void)
{
    const char *what;
    CHECK(decode_sniff("\xff\xd8\xff\xe0", 4, &what) == DECODE_JPEG && strcmp(what, "JPEG") == 0);
    CHECK(decode_sniff("\x89PNG\r\n\x1a\n....", 12, NULL) == DECODE_PNG);
    CHECK(decode_sniff("II*\0\x08\0\0\0", 8, NULL) == DECODE_TIFF);
    CHECK(decode_sniff("MM\0*\0\0\0\x08", 8, NULL) == DECODE_TIFF);
    CHECK(decode_sniff("RIFF\x10\0\0\0WEBPVP8 ", 16, NULL) == DECODE_WEBP);
    CHECK(decode_sniff("RIFF\x10\0\0\0AVI LIST", 16, &what) == DECODE_NONE && strstr(what, "RIFF"));
    CHECK(decode_sniff("GIF89a\x01\0", 8, NULL) == DECODE_GIF);
    CHECK(decode_sniff("P5\n10 10\n255\n", 13, NULL) == DECODE_PNM);
    CHECK(decode_sniff("P6 1 1 255 ", 11, NULL) == DECODE_PNM);
    CHECK(decode_sniff("P7\n", 3, NULL) == DECODE_NONE);
    CHECK(decode_sniff("\0\0\0\x18"
                       "ftypheic\0\0\0\0mif1heic",
                       24, NULL) == DECODE_HEIF);
    CHECK(decode_sniff("\0\0\0\x1c"
                       "ftypavif\0\0\0\0avifmif1miaf",
                       28, NULL) == DECODE_AVIF);
    CHECK(decode_sniff("\0\0\0\x18"
                       "ftypmif1\0\0\0\0mif1avif",
                       24, NULL) == DECODE_AVIF);
    CHECK(decode_sniff("\0\0\0\x18"
                       "ftypisom\0\0\0\0isomavc1",
                       24, &what) == DECODE_NONE &&
          strstr(what, "video"));
    CHECK(decode_sniff("%PDF-1.7\n", 9, &what) == DECODE_NONE && strcmp(what, "PDF document") == 0);
    CHECK(decode_sniff("PK\3\4\x14\0", 6, &what) == DECODE_NONE && strstr(what, "ZIP"));
    CHECK(decode_sniff("BM\x36\0\0\0", 6, &what) == DECODE_NONE && strstr(what, "BMP"));
    CHECK(decode_sniff("Caption: Probe 1977\n", 20, &what) == DECODE_NONE && strcmp(what, "text") == 0);
    CHECK(decode_sniff("  <?xml version", 15, &what) == DECODE_NONE && strstr(what, "XML"));
    CHECK(decode_sniff("\x01\x02\x03\xfe\x00", 5, &what) == DECODE_NONE && strcmp(what, "unknown binary data") == 0);
    CHECK(decode_sniff("", 0, &what) == DECODE_NONE);
    CHECK(decode_sniff("\xff\xd8", 2, NULL) == DECODE_NONE); /* too short to be a JPEG */

    CHECK(strcmp(decode_format_ext(DECODE_JPEG), "jpg") == 0 && strcmp(decode_format_name(DECODE_JPEG), "jpeg") == 0);
    CHECK(strcmp(decode_format_ext(DECODE_TIFF), "tif") == 0 && strcmp(decode_format_name(DECODE_PNM), "pnm") == 0);
    CHECK(decode_name_claims_image("/a/b/IMG_1.JPG") && decode_name_claims_image("x.tiff") &&
          decode_name_claims_image("scan.heic") && decode_name_claims_image("raw.CR2"));
    CHECK(!decode_name_claims_image("notes.txt") && !decode_name_claims_image("jpg") &&
          !decode_name_claims_image("/x.jpg/readme") && !decode_name_claims_image("dot."));
}

static void test_pixel_limit_from_header(void)
{
    /* 100000 x 100000 declared, 4 bytes of pixels: decoding would fail as
     * damaged; the limit must win because it is checked from the header. */
    const char bomb[] = "P5\n100000 100000\n255\n\0\0\0\0";
    write_bytes("bomb.pgm", bomb, sizeof bomb - 1);
    decode_info info;
    err e = { 0 };
    CHECK(decode_probe(path_of("bomb.pgm"), DECODE_PNM, &lim, &info, &e) == ERR_LIMIT);
    CHECK_MSG(strstr(e.msg, "100000x100000 pixels (10000 MP) exceeds --max-pixels 400 MP") != NULL, "%s", e.msg);
    decode_output out;
    CHECK(decode_page(path_of("bomb.pgm"), DECODE_PNM, 0, &lim, &out, &e) == ERR_LIMIT);

    /* a real image just over a small limit; and just within it */
    VipsImage *c = card(200, 100);
    CHECK(vips_pngsave(c, path_of("card.png"), NULL) == 0);
    decode_limits small = { .max_edge = 4096, .max_pixels = 19999 };
    CHECK(decode_probe(path_of("card.png"), DECODE_PNG, &small, &info, &e) == ERR_LIMIT);
    small.max_pixels = 20000;
    CHECK(decode_probe(path_of("card.png"), DECODE_PNG, &small, &info, &e) == 0);
    CHECK(info.width == 200 && info.height == 100 && info.pages == 1 && info.orientation == 1);
    g_object_unref(c);
}

static void test_orientation_and_exif(void)
{
    VipsImage *c = card(300, 200), *m = NULL;
    vips_copy(c, &m, NULL);
    vips_image_set_int(m, VIPS_META_ORIENTATION, 6); /* camera turned: display rotated 90 cw */
    vips_image_set_string(m, "exif-ifd2-DateTimeOriginal", "1977:02:14 19:30:05");
    vips_image_set_string(m, "exif-ifd0-Make", "Leica Camera AG");
    vips_image_set_string(m, "exif-ifd0-Model", "LEICA M4");
    CHECK(vips_jpegsave(m, path_of("rot6.jpg"), "Q", 95, NULL) == 0);
    decode_info info;
    err e = { 0 };
    CHECK_MSG(decode_probe(path_of("rot6.jpg"), DECODE_JPEG, &lim, &info, &e) == 0, "%s", e.msg);
    CHECK(info.orientation == 6 && info.width == 300 && info.height == 200);
    CHECK_MSG(strcmp(info.taken_at, "1977-02-14T19:30:05") == 0, "taken_at '%s'", info.taken_at);
    CHECK_MSG(strcmp(info.camera_make, "Leica Camera AG") == 0, "make '%s'", info.camera_make);
    CHECK(strcmp(info.camera_model, "LEICA M4") == 0);

    decode_output out;
    CHECK_MSG(decode_page(path_of("rot6.jpg"), DECODE_JPEG, 0, &lim, &out, &e) == 0, "%s", e.msg);
    CHECK(out.orientation == 6);
    CHECK(out.width == 200 && out.height == 300);           /* rotated */
    CHECK(out.orig_width == 200 && out.orig_height == 300); /* full size, after orientation */
    /* the processed JPEG is upright, carries no orientation tag, is sRGB 8-bit */
    VipsImage *p = vips_image_new_from_buffer(out.jpeg, out.jpeg_len, "", NULL);
    CHECK(p && p->Xsize == 200 && p->Ysize == 300 && p->Bands == 3 && p->BandFmt == VIPS_FORMAT_UCHAR);
    int o = 1;
    CHECK(p && (!vips_image_get_typeof(p, VIPS_META_ORIENTATION) ||
                (vips_image_get_int(p, VIPS_META_ORIENTATION, &o) == 0 && o == 1)));
    /* orientation 6 turns the image 90 degrees clockwise: the stored top-left
     * corner (green = y = 0, dark) comes out at the top right */
    double *tl = NULL, *tr = NULL;
    int n = 0;
    if (p && vips_getpoint(p, &tl, &n, 2, 2, NULL) == 0 && vips_getpoint(p, &tr, &n, 197, 2, NULL) == 0)
        CHECK_MSG(tr[1] + 100 < tl[1], "green top-right %g should be far below top-left %g", tr[1], tl[1]);
    else
        CHECK(0);
    g_free(tl);
    g_free(tr);
    if (p)
        g_object_unref(p);
    decode_output_free(&out);
    g_object_unref(m);
    g_object_unref(c);
}

static void test_edge_cap_and_formats(void)
{
    VipsImage *c = card(1000, 600);
    decode_limits small = { .max_edge = 256, .max_pixels = 400000000 };
    struct {
        const char *name;
        decode_format f;
        int ok;
    } files[] = {
        { "c.jpg", DECODE_JPEG, vips_jpegsave(c, path_of("c.jpg"), NULL) == 0 },
        { "c.png", DECODE_PNG, vips_pngsave(c, path_of("c.png"), NULL) == 0 },
        { "c.tif", DECODE_TIFF, vips_tiffsave(c, path_of("c.tif"), NULL) == 0 },
        { "c.webp", DECODE_WEBP, vips_webpsave(c, path_of("c.webp"), NULL) == 0 },
        { "c.gif", DECODE_GIF, vips_gifsave(c, path_of("c.gif"), NULL) == 0 },
        { "c.ppm", DECODE_PNM, vips_ppmsave(c, path_of("c.ppm"), NULL) == 0 },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        CHECK_MSG(files[i].ok, "cannot write %s", files[i].name);
        decode_output out;
        err e = { 0 };
        CHECK_MSG(decode_page(path_of(files[i].name), files[i].f, 0, &small, &out, &e) == 0, "%s: %s", files[i].name,
                  e.msg);
        CHECK_MSG(out.width == 256 && out.height == 154, "%s: %dx%d", files[i].name, out.width, out.height);
        CHECK(out.orig_width == 1000 && out.orig_height == 600);
        decode_output_free(&out);
    }
    /* never enlarged */
    decode_output out;
    err e = { 0 };
    CHECK(decode_page(path_of("c.png"), DECODE_PNG, 0, &lim, &out, &e) == 0 && out.width == 1000 && out.height == 600);
    decode_output_free(&out);

    /* 16-bit grey TIFF becomes 8-bit sRGB */
    VipsImage *g = NULL, *g16 = NULL;
    vips_extract_band(c, &g, 0, NULL);
    vips_cast_ushort(g, &g16, NULL);
    g16->Type = VIPS_INTERPRETATION_GREY16;
    CHECK(vips_tiffsave(g16, path_of("g16.tif"), NULL) == 0);
    CHECK_MSG(decode_page(path_of("g16.tif"), DECODE_TIFF, 0, &lim, &out, &e) == 0, "%s", e.msg);
    VipsImage *p = vips_image_new_from_buffer(out.jpeg, out.jpeg_len, "", NULL);
    CHECK(p && p->Bands == 3 && p->BandFmt == VIPS_FORMAT_UCHAR && p->Type == VIPS_INTERPRETATION_sRGB);
    if (p)
        g_object_unref(p);
    decode_output_free(&out);
    g_object_unref(g);
    g_object_unref(g16);

    /* the loader must agree with the sniffed format */
    decode_info info;
    CHECK(decode_probe(path_of("c.png"), DECODE_JPEG, &lim, &info, &e) == ERR_FORMAT);
    g_object_unref(c);
}

static void test_damage(void)
{
    VipsImage *c = card(800, 600);
    void *buf = NULL;
    size_t len = 0;
    CHECK(vips_jpegsave_buffer(c, &buf, &len, "Q", 90, NULL) == 0);
    write_bytes("half.jpg", buf, len / 2);
    write_bytes("head.jpg", buf, 120);
    g_free(buf);
    CHECK(vips_pngsave_buffer(c, &buf, &len, NULL) == 0);
    write_bytes("half.png", buf, len / 2);
    g_free(buf);
    decode_info info;
    decode_output out;
    err e = { 0 };
    /* a cut JPEG still has a good header: the damage shows when decoding */
    CHECK(decode_probe(path_of("half.jpg"), DECODE_JPEG, &lim, &info, &e) == 0);
    CHECK(decode_page(path_of("half.jpg"), DECODE_JPEG, 0, &lim, &out, &e) == ERR_FORMAT);
    CHECK_MSG(strncmp(e.msg, "damaged or truncated JPEG data", 30) == 0, "%s", e.msg);
    CHECK(decode_probe(path_of("head.jpg"), DECODE_JPEG, &lim, &info, &e) == ERR_FORMAT);
    CHECK_MSG(strncmp(e.msg, "damaged JPEG header", 19) == 0, "%s", e.msg);
    CHECK(decode_page(path_of("half.png"), DECODE_PNG, 0, &lim, &out, &e) == ERR_FORMAT);
    CHECK_MSG(strncmp(e.msg, "damaged or truncated PNG data", 29) == 0, "%s", e.msg);
    g_object_unref(c);
}

static void test_multipage(void)
{
    /* three pages of 100x80 stacked: libvips writes them as TIFF pages */
    VipsImage *c = card(100, 240), *m = NULL;
    vips_copy(c, &m, NULL);
    vips_image_set_int(m, VIPS_META_PAGE_HEIGHT, 80);
    CHECK(vips_tiffsave(m, path_of("pages.tif"), NULL) == 0);
    decode_info info;
    err e = { 0 };
    CHECK_MSG(decode_probe(path_of("pages.tif"), DECODE_TIFF, &lim, &info, &e) == 0, "%s", e.msg);
    CHECK_MSG(info.pages == 3, "pages %d", info.pages);
    for (int p = 0; p < 3; p++) {
        decode_output out;
        CHECK(decode_page(path_of("pages.tif"), DECODE_TIFF, p, &lim, &out, &e) == 0 && out.width == 100 &&
              out.height == 80);
        decode_output_free(&out);
    }
    decode_limits small = { .max_edge = 4096, .max_pixels = 7999 };
    CHECK(decode_probe(path_of("pages.tif"), DECODE_TIFF, &small, &info, &e) == ERR_LIMIT);
    g_object_unref(m);
    g_object_unref(c);
}

int main(void)
{
    err e;
    if (decode_init(&e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    snprintf(dir, sizeof dir, "%s", test_tmpdir("decode"));
    test_sniff();
    test_pixel_limit_from_header();
    test_orientation_and_exif();
    test_edge_cap_and_formats();
    test_damage();
    test_multipage();
    test_rmtree(dir);
    vips_shutdown();
    return test_main_end();
}
