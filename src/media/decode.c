/* decode.c — sniffing by magic bytes, header probes and the one shrink-on-load
 * decode of ingest, all through libvips sources opened on the file (libvips
 * picks its loader by content only when given a source, never by the name). */
#include "media/decode.h"
#include "media/exif.h"
#include "media/image.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <vips/vips.h>

/* ---- sniffing -------------------------------------------------------------- */

static int starts(const unsigned char *h, size_t n, const void *magic, size_t m)
{
    return n >= m && memcmp(h, magic, m) == 0;
}

/* ISO base media files ("....ftypBRND"): HEIF/AVIF images or videos. */
static decode_format sniff_ftyp(const unsigned char *h, size_t n, const char **what)
{
    static const char *const heif[] = { "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1" };
    uint32_t box = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    if (box > n)
        box = (uint32_t)n;
    int avif = 0, heic = 0;
    /* the major brand, then the compatible brands after the minor version */
    for (uint32_t off = 8; off + 4 <= box; off += (off == 8 ? 8 : 4)) {
        const char *b = (const char *)h + off;
        if (memcmp(b, "avif", 4) == 0 || memcmp(b, "avis", 4) == 0)
            avif = 1;
        for (size_t i = 0; i < sizeof heif / sizeof heif[0]; i++)
            if (memcmp(b, heif[i], 4) == 0)
                heic = 1;
    }
    if (avif) {
        *what = "AVIF";
        return DECODE_AVIF;
    }
    if (heic) {
        *what = "HEIF";
        return DECODE_HEIF;
    }
    *what = "MP4/QuickTime video or other ISO media file";
    return DECODE_NONE;
}

static int looks_like_text(const unsigned char *h, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = h[i];
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            return 0;
        if (c == 0x7f)
            return 0;
    }
    return 1; /* ASCII, UTF-8 or a Latin-1 text: no control bytes */
}

decode_format decode_sniff(const void *head, size_t n, const char **what)
{
    const unsigned char *h = head;
    const char *dummy;
    if (!what)
        what = &dummy;
    if (starts(h, n, "\xff\xd8\xff", 3)) {
        *what = "JPEG";
        return DECODE_JPEG;
    }
    if (starts(h, n, "\x89PNG\r\n\x1a\n", 8)) {
        *what = "PNG";
        return DECODE_PNG;
    }
    if (starts(h, n, "II*\0", 4) || starts(h, n, "MM\0*", 4) || starts(h, n, "II+\0", 4) || starts(h, n, "MM\0+", 4)) {
        *what = "TIFF";
        return DECODE_TIFF;
    }
    if (starts(h, n, "RIFF", 4) && n >= 12 && memcmp(h + 8, "WEBP", 4) == 0) {
        *what = "WebP";
        return DECODE_WEBP;
    }
    if (starts(h, n, "GIF87a", 6) || starts(h, n, "GIF89a", 6)) {
        *what = "GIF";
        return DECODE_GIF;
    }
    if (n >= 3 && h[0] == 'P' && h[1] >= '1' && h[1] <= '6' && isspace(h[2])) {
        *what = "PNM";
        return DECODE_PNM;
    }
    if (n >= 12 && memcmp(h + 4, "ftyp", 4) == 0)
        return sniff_ftyp(h, n, what);

    /* Not ours: say what it is, so the reason helps the person reading it. */
    static const struct {
        const char *magic;
        size_t len;
        const char *what;
    } other[] = {
        { "%PDF", 4, "PDF document" },
        { "PK\3\4", 4, "ZIP archive (or an office document)" },
        { "PK\5\6", 4, "ZIP archive (empty)" },
        { "\x1f\x8b", 2, "gzip-compressed data" },
        { "BZh", 3, "bzip2-compressed data" },
        { "\xfd"
          "7zXZ",
          5, "xz-compressed data" },
        { "7z\xbc\xaf\x27\x1c", 6, "7-Zip archive" },
        { "Rar!", 4, "RAR archive" },
        { "\x7f"
          "ELF",
          4, "ELF executable" },
        { "BM", 2, "BMP image (not supported; convert it to PNG or TIFF)" },
        { "8BPS", 4, "Photoshop PSD (not supported; export it as TIFF)" },
        { "\0\0\0\x0cjP  ", 8, "JPEG 2000 image (not supported)" },
        { "\xff\x4f\xff\x51", 4, "JPEG 2000 codestream (not supported)" },
        { "\xff\x0a", 2, "JPEG XL image (not supported)" },
        { "\0\0\0\x0cJXL ", 8, "JPEG XL image (not supported)" },
        { "\0\0\1\0", 4, "Windows icon (not supported)" },
        { "ID3", 3, "MP3 audio" },
        { "OggS", 4, "Ogg media" },
        { "\x1a\x45\xdf\xa3", 4, "Matroska/WebM video" },
        { "SQLite format 3", 15, "SQLite database" },
        { "%!PS", 4, "PostScript document" },
    };
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
        if (starts(h, n, other[i].magic, other[i].len)) {
            *what = other[i].what;
            return DECODE_NONE;
        }
    if (starts(h, n, "RIFF", 4)) {
        *what = "RIFF media (AVI/WAV)";
        return DECODE_NONE;
    }
    if (n == 0) {
        *what = "empty";
        return DECODE_NONE;
    }
    if (looks_like_text(h, n)) {
        size_t i = 0;
        while (i < n && isspace(h[i]))
            i++;
        *what = (i < n && h[i] == '<')                    ? "XML/HTML text"
                : (i < n && (h[i] == '{' || h[i] == '[')) ? "JSON text"
                                                          : "text";
        return DECODE_NONE;
    }
    *what = "unknown binary data";
    return DECODE_NONE;
}

const char *decode_format_name(decode_format f)
{
    static const char *const names[] = { "", "jpeg", "png", "tiff", "webp", "heif", "avif", "gif", "pnm" };
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "";
}

const char *decode_format_ext(decode_format f)
{
    static const char *const exts[] = { "", "jpg", "png", "tif", "webp", "heic", "avif", "gif", "pnm" };
    return (unsigned)f < sizeof exts / sizeof exts[0] ? exts[f] : "";
}

int decode_name_claims_image(const char *name)
{
    static const char *const exts[] = {
        "jpg", "jpeg", "jpe", "jfif", "png", "tif", "tiff", "webp", "heic", "heif", "avif",
        "gif", "ppm",  "pgm", "pbm",  "pnm", "bmp", "jp2",  "j2k",  "jxl",  "psd",  "dng",
        "cr2", "cr3",  "nef", "arw",  "orf", "rw2", "raf",  "ico",  "svg",
    };
    const char *slash = strrchr(name, '/');
    const char *dot = strrchr(slash ? slash + 1 : name, '.');
    if (!dot || dot[1] == '\0')
        return 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot + 1, exts[i]) == 0)
            return 1;
    return 0;
}

/* ---- libvips helpers ------------------------------------------------------ */

/* Sets e to `what` and clears libvips' error buffer. libvips' text is not
 * added: its buffer is one per process, so with several workers it can hold
 * another file's message, and a reason must be about this file and the same
 * on every run. */
static int vips_fail(err *e, errcode code, const char *what)
{
    vips_error_clear();
    return err_set(e, code, "%s", what);
}

static const char *expected_loader(decode_format f)
{
    switch (f) {
    case DECODE_JPEG:
        return "jpegload_source";
    case DECODE_PNG:
        return "pngload_source";
    case DECODE_TIFF:
        return "tiffload_source";
    case DECODE_WEBP:
        return "webpload_source";
    case DECODE_HEIF:
    case DECODE_AVIF:
        return "heifload_source";
    case DECODE_GIF:
        return "gifload_source";
    case DECODE_PNM:
        return "ppmload_source";
    default:
        return NULL;
    }
}

static const char *format_display(decode_format f)
{
    static const char *const names[] = { "", "JPEG", "PNG", "TIFF", "WebP", "HEIF", "AVIF", "GIF", "PNM" };
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "";
}

/* Opens a file source and checks that libvips would read it with the loader of
 * `format` (our sniffing and libvips' agree), so no other loader ever runs. */
static VipsSource *open_source(const char *path, decode_format format, err *e)
{
    const char *want = expected_loader(format);
    if (!want) {
        err_set(e, ERR_FORMAT, "not a supported image format");
        return NULL;
    }
    VipsSource *src = vips_source_new_from_file(path);
    if (!src) {
        vips_fail(e, ERR_IO, "cannot open");
        return NULL;
    }
    /* libvips answers with the operation's type name; compare nicknames */
    const char *got = vips_foreign_find_load_source(src);
    const char *nick = got ? vips_nickname_find(g_type_from_name(got)) : NULL;
    if (!nick || strcmp(nick, want) != 0) {
        char what[96];
        snprintf(what, sizeof what, "%s signature but libvips cannot read it%s", format_display(format),
                 format == DECODE_HEIF || format == DECODE_AVIF ? " (no decoder for this HEIF/AVIF variant?)" : "");
        vips_fail(e, ERR_FORMAT, what);
        VIPS_UNREF(src);
        return NULL;
    }
    return src;
}

/* Header only: libvips reads headers lazily, no pixel is decoded here. */
static VipsImage *open_header(VipsSource *src, decode_format format, int page, err *e)
{
    VipsImage *im;
    if (format == DECODE_TIFF)
        im = vips_image_new_from_source(src, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                        "page", page, NULL);
    else
        im = vips_image_new_from_source(src, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                        NULL);
    if (!im) {
        char what[64];
        snprintf(what, sizeof what, "damaged %s header", format_display(format));
        vips_fail(e, ERR_FORMAT, what);
    }
    return im;
}

/* "10000", "400", "1.05", "0.15": whole numbers from 100 MP up, else 3 digits. */
static void megapixels(char *buf, size_t size, int64_t px)
{
    double mp = (double)px / 1e6;
    snprintf(buf, size, mp >= 100 ? "%.0f" : "%.3g", mp);
}

static int check_pixels(const VipsImage *im, int page, int pages, const decode_limits *lim, err *e)
{
    int64_t px = (int64_t)im->Xsize * im->Ysize;
    if (px <= lim->max_pixels)
        return 0;
    char where[32] = "";
    if (pages > 1)
        snprintf(where, sizeof where, "page %d: ", page);
    char have[32], limit[32];
    megapixels(have, sizeof have, px);
    megapixels(limit, sizeof limit, lim->max_pixels);
    return err_set(e, ERR_LIMIT, "%s%dx%d pixels (%s MP) exceeds --max-pixels %s MP", where, im->Xsize, im->Ysize, have,
                   limit);
}

static int orientation_of(VipsImage *im)
{
    int o = 1;
    if (vips_image_get_typeof(im, VIPS_META_ORIENTATION) && vips_image_get_int(im, VIPS_META_ORIENTATION, &o) != 0) {
        vips_error_clear();
        o = 1;
    }
    return o >= 1 && o <= 8 ? o : 1;
}

static void exif_field(VipsImage *im, const char *name, char *out, size_t size)
{
    const char *s = NULL;
    out[0] = '\0';
    if (!vips_image_get_typeof(im, name))
        return;
    if (vips_image_get_string(im, name, &s) != 0) {
        vips_error_clear();
        return;
    }
    exif_vips_value(s, out, size);
}

static void drop_warning(const char *domain, GLogLevelFlags level, const char *msg, void *ud)
{
    (void)domain, (void)level, (void)msg, (void)ud;
}

int decode_init(err *e)
{
    int rc = image_init("facetag", e);
    if (rc == 0)
        g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, drop_warning, NULL);
    return rc;
}

/* ---- probe ------------------------------------------------------------------ */

int decode_probe(const char *path, decode_format format, const decode_limits *lim, decode_info *out, err *e)
{
    memset(out, 0, sizeof *out);
    VipsSource *src = open_source(path, format, e);
    if (!src)
        return e ? e->code : ERR_FORMAT;
    VipsImage *im = open_header(src, format, 0, e);
    if (!im) {
        VIPS_UNREF(src);
        return e ? e->code : ERR_FORMAT;
    }
    out->format = format;
    out->width = im->Xsize;
    out->height = im->Ysize;
    out->pages = format == DECODE_TIFF ? vips_image_get_n_pages(im) : 1;
    if (out->pages < 1)
        out->pages = 1;
    out->orientation = orientation_of(im);
    char date[64];
    exif_field(im, "exif-ifd2-DateTimeOriginal", date, sizeof date);
    exif_datetime_iso(date, out->taken_at);
    exif_field(im, "exif-ifd0-Make", out->camera_make, sizeof out->camera_make);
    exif_field(im, "exif-ifd0-Model", out->camera_model, sizeof out->camera_model);
    int rc = check_pixels(im, 0, out->pages, lim, e);
    VIPS_UNREF(im);
    /* Every page of a multi-page file is a photo: all must be within the limit
     * before any is decoded. */
    for (int p = 1; rc == 0 && p < out->pages; p++) {
        VipsImage *pg = open_header(src, format, p, e);
        if (!pg) {
            rc = err_prefix(e, "page %d", p);
            break;
        }
        rc = check_pixels(pg, p, out->pages, lim, e);
        VIPS_UNREF(pg);
    }
    VIPS_UNREF(src);
    return rc;
}

/* ---- decode ------------------------------------------------------------------ */

/* Replaces *t by the result of a libvips operation that succeeded (rc == 0). */
static int step(VipsImage **t, VipsImage *u, int rc)
{
    if (rc != 0)
        return -1;
    VIPS_UNREF(*t);
    *t = u;
    return 0;
}

/* sRGB, 8-bit, 3 bands, alpha flattened on white. */
static int to_srgb8(VipsImage **t)
{
    VipsImage *u = NULL;
    if (vips_image_hasalpha(*t)) {
        double white = (*t)->BandFmt == VIPS_FORMAT_USHORT       ? 65535.0
                       : (*t)->Type == VIPS_INTERPRETATION_scRGB ? 1.0
                                                                 : 255.0;
        VipsArrayDouble *bg = vips_array_double_new(&white, 1);
        int rc = vips_flatten(*t, &u, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (step(t, u, rc))
            return -1;
    }
    if ((*t)->Type != VIPS_INTERPRETATION_sRGB || (*t)->BandFmt != VIPS_FORMAT_UCHAR || (*t)->Bands != 3)
        if (step(t, u, vips_colourspace(*t, &u, VIPS_INTERPRETATION_sRGB, NULL)))
            return -1;
    if ((*t)->BandFmt != VIPS_FORMAT_UCHAR && step(t, u, vips_cast_uchar(*t, &u, NULL)))
        return -1;
    if ((*t)->Bands > 3 && step(t, u, vips_extract_band(*t, &u, 0, "n", 3, NULL)))
        return -1;
    return 0;
}

/* The loader's own shrink-on-load factor: libjpeg decodes at 1/2, 1/4, 1/8 of
 * the size for a fraction of the work and memory. Chosen so that the result is
 * still at least max_edge on its longest side (vips_resize does the rest). */
static int jpeg_shrink(int longest, int max_edge)
{
    int shrink = 1;
    while (shrink < 8 && longest / (shrink * 2) >= max_edge)
        shrink *= 2;
    return shrink;
}

static VipsImage *open_pixels(VipsSource *src, decode_format format, int page, int shrink)
{
    if (format == DECODE_TIFF)
        return vips_image_new_from_source(src, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                          "page", page, NULL);
    if (format == DECODE_JPEG && shrink > 1)
        return vips_image_new_from_source(src, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                          "shrink", shrink, NULL);
    return vips_image_new_from_source(src, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_TRUNCATED,
                                      NULL);
}

/* Embedded ICC profile (AdobeRGB, ProPhoto, CMYK press profiles, ...) to sRGB;
 * a profile that lcms cannot use is ignored and the plain conversion follows. */
static void icc_to_srgb(VipsImage **t)
{
    VipsImage *u = NULL;
    VipsInterpretation in = (*t)->Type;
    /* A profile describes device values; LAB/XYZ/float images (which may carry
     * a stale profile) go through vips_colourspace instead. */
    if (in != VIPS_INTERPRETATION_sRGB && in != VIPS_INTERPRETATION_RGB16 && in != VIPS_INTERPRETATION_B_W &&
        in != VIPS_INTERPRETATION_GREY16 && in != VIPS_INTERPRETATION_CMYK && in != VIPS_INTERPRETATION_RGB)
        return;
    if (!vips_image_get_typeof(*t, VIPS_META_ICC_NAME) && in != VIPS_INTERPRETATION_CMYK)
        return;
    if (vips_icc_transform(*t, &u, "srgb", "embedded", TRUE, "input_profile",
                           (*t)->Type == VIPS_INTERPRETATION_CMYK ? "cmyk" : "srgb", NULL) == 0) {
        VIPS_UNREF(*t);
        *t = u;
    } else {
        vips_error_clear();
    }
}

int decode_page(const char *path, decode_format format, int page, const decode_limits *lim, decode_output *out, err *e)
{
    memset(out, 0, sizeof *out);
    VipsSource *src = open_source(path, format, e);
    if (!src)
        return e ? e->code : ERR_FORMAT;
    VipsImage *hdr = open_header(src, format, page, e);
    if (!hdr) {
        VIPS_UNREF(src);
        return e ? e->code : ERR_FORMAT;
    }
    int rc = check_pixels(hdr, page, format == DECODE_TIFF ? 2 : 1, lim, e);
    int o = orientation_of(hdr);
    int w = hdr->Xsize, h = hdr->Ysize;
    VIPS_UNREF(hdr);
    if (rc) {
        VIPS_UNREF(src);
        return rc;
    }
    out->orientation = o;
    out->orig_width = o >= 5 ? h : w;
    out->orig_height = o >= 5 ? w : h;

    char what[64];
    snprintf(what, sizeof what, "damaged or truncated %s data", format_display(format));
    int longest = w > h ? w : h;
    VipsImage *t = open_pixels(src, format, page, format == DECODE_JPEG ? jpeg_shrink(longest, lim->max_edge) : 1);
    VIPS_UNREF(src); /* the image holds its own reference */
    if (!t)
        return vips_fail(e, ERR_FORMAT, what);
    /* Pixels flow through resize and conversion only as the JPEG encoder pulls
     * them, a few lines at a time (sequential access). */
    VipsImage *u = NULL;
    int now = t->Xsize > t->Ysize ? t->Xsize : t->Ysize;
    if (now > lim->max_edge && step(&t, u, vips_resize(t, &u, (double)lim->max_edge / now, NULL)))
        goto failed;
    icc_to_srgb(&t);
    if (to_srgb8(&t) != 0)
        goto failed;
    if (t->Bands != 3) {
        VIPS_UNREF(t);
        return err_set(e, ERR_FORMAT, "cannot convert %d bands to RGB", t->Bands);
    }
    if (o != 1) {
        /* Rotating needs random access: decode the (already small) image to
         * memory first; this is where damage shows for rotated photos. */
        u = vips_image_copy_memory(t);
        if (step(&t, u, u ? 0 : -1) || step(&t, u, vips_autorot(t, &u, NULL)))
            goto failed;
    }
    void *buf = NULL;
    size_t len = 0;
    if (vips_jpegsave_buffer(t, &buf, &len, "Q", 90, "strip", TRUE, NULL) != 0)
        goto failed;
    out->width = t->Xsize;
    out->height = t->Ysize;
    out->jpeg = buf;
    out->jpeg_len = len;
    VIPS_UNREF(t);
    return 0;
failed:
    VIPS_UNREF(t);
    return vips_fail(e, ERR_FORMAT, what);
}

int decode_page_image(const char *path, decode_format format, int page, const decode_limits *lim, int cap_edge,
                      VipsImage **out, err *e)
{
    *out = NULL;
    VipsSource *src = open_source(path, format, e);
    if (!src)
        return e ? e->code : ERR_FORMAT;
    VipsImage *hdr = open_header(src, format, page, e);
    if (!hdr) {
        VIPS_UNREF(src);
        return e ? e->code : ERR_FORMAT;
    }
    int rc = check_pixels(hdr, page, format == DECODE_TIFF ? 2 : 1, lim, e);
    int o = orientation_of(hdr);
    int w = hdr->Xsize, h = hdr->Ysize;
    VIPS_UNREF(hdr);
    if (rc) {
        VIPS_UNREF(src);
        return rc;
    }
    char what[64];
    snprintf(what, sizeof what, "damaged or truncated %s data", format_display(format));
    int longest = w > h ? w : h;
    VipsImage *t = open_pixels(src, format, page, format == DECODE_JPEG ? jpeg_shrink(longest, cap_edge) : 1);
    VIPS_UNREF(src);
    if (!t)
        return vips_fail(e, ERR_FORMAT, what);
    VipsImage *u = NULL;
    int now = t->Xsize > t->Ysize ? t->Xsize : t->Ysize;
    if (now > cap_edge && step(&t, u, vips_resize(t, &u, (double)cap_edge / now, NULL)))
        goto failed;
    icc_to_srgb(&t);
    if (to_srgb8(&t) != 0)
        goto failed;
    if (t->Bands != 3) {
        VIPS_UNREF(t);
        return err_set(e, ERR_FORMAT, "cannot convert %d bands to RGB", t->Bands);
    }
    u = vips_image_copy_memory(t);
    if (step(&t, u, u ? 0 : -1))
        goto failed;
    if (o != 1 && step(&t, u, vips_autorot(t, &u, NULL)))
        goto failed;
    *out = t;
    return 0;
failed:
    VIPS_UNREF(t);
    return vips_fail(e, ERR_FORMAT, what);
}

int decode_encode(VipsImage *in, int max_edge, decode_output *out, err *e)
{
    memset(out, 0, sizeof *out);
    VipsImage *t = NULL;
    int now = in->Xsize > in->Ysize ? in->Xsize : in->Ysize;
    if (now > max_edge ? vips_resize(in, &t, (double)max_edge / now, NULL) : vips_copy(in, &t, NULL))
        return vips_fail(e, ERR_FORMAT, "resize");
    void *buf = NULL;
    size_t len = 0;
    if (vips_jpegsave_buffer(t, &buf, &len, "Q", 90, "strip", TRUE, NULL) != 0) {
        VIPS_UNREF(t);
        return vips_fail(e, ERR_FORMAT, "encode JPEG");
    }
    out->width = out->orig_width = t->Xsize;
    out->height = out->orig_height = t->Ysize;
    out->orientation = 1;
    out->jpeg = buf;
    out->jpeg_len = len;
    VIPS_UNREF(t);
    return 0;
}

void decode_output_free(decode_output *o)
{
    if (!o)
        return;
    g_free(o->jpeg);
    o->jpeg = NULL;
    o->jpeg_len = 0;
}
