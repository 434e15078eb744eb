/* bench_ocr_mirror — the mirrored-scan check (ocr/ocr_mirror.h) measured:
 *   A  the group photos as they are: any flag is a false flag (goal 0);
 *   B  each with a caption or sign rendered into it (text from the test
 *      cards, tests/unit/cardgen.c; sans, serif or typewriter, dark on a
 *      light plate or light on a dark one), scanned the right way round;
 *   C  B scanned mirror-wise.
 * Precision and recall of the flag on B + C, false flags on A, and the time
 * per photo. Photos are read at up to OCR_FRONT_EDGE pixels like the stage.
 *
 *   bench_ocr_mirror [DIR...]   (default: $FACETAG_SHARED/data/group-photos/{dlib-faces,modern-groups,old-photos,solvay-1927}) */
#include "ocr/ocr_mirror.h"
#include "../tests/unit/cardgen.h"
#include "core/clock.h"
#include "ocr/ocr_stage.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_dir(const char *dir, char ***v, int *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *dot = strrchr(de->d_name, '.');
        if (!dot || (strcasecmp(dot, ".jpg") && strcasecmp(dot, ".png")))
            continue;
        *v = realloc(*v, sizeof **v * (size_t)(*n + 1));
        (*v)[(*n)++] = g_strdup_printf("%s/%s", dir, de->d_name);
    }
    closedir(d);
}

static VipsImage *load(const char *path)
{
    VipsImage *im = vips_image_new_from_file(path, NULL), *s = NULL, *f = NULL, *c = NULL;
    if (!im)
        return NULL;
    double k = (double)OCR_FRONT_EDGE / (im->Xsize > im->Ysize ? im->Xsize : im->Ysize);
    if (vips_resize(im, &s, k < 1 ? k : 1, NULL)) {
        g_object_unref(im);
        return NULL;
    }
    g_object_unref(im);
    if (vips_image_hasalpha(s)) {
        VipsArrayDouble *w = vips_array_double_newv(3, 255.0, 255.0, 255.0);
        vips_flatten(s, &f, "background", w, NULL);
        vips_area_unref(VIPS_AREA(w));
        g_object_unref(s);
        s = f;
    }
    if (!s || vips_colourspace(s, &c, VIPS_INTERPRETATION_sRGB, NULL)) {
        if (s)
            g_object_unref(s);
        return NULL;
    }
    g_object_unref(s);
    VipsImage *m = vips_image_copy_memory(c);
    g_object_unref(c);
    return m;
}

/* The photo with a plate of text on it (a sign, a caption strip). */
static VipsImage *with_text(VipsImage *ph, int i)
{
    static const char *const fonts[] = { "DejaVu Sans Bold", "Liberation Serif", "Courier Prime Bold" };
    const char *text = cardgen_texts[i % cardgen_ntexts];
    char line[160];
    const char *nl = strchr(text, '\n');
    nl = nl ? strchr(nl + 1, '\n') : NULL; /* two lines */
    snprintf(line, sizeof line, "%.*s", nl ? (int)(nl - text) : (int)strlen(text), text);
    int px = ph->Ysize / 28 < 18 ? 18 : ph->Ysize / 28; /* letter height */
    char font[64];
    snprintf(font, sizeof font, "%s %d", fonts[i % 3], px * 3 / 4);
    char *markup = g_markup_escape_text(line, -1);
    VipsImage *mask = NULL;
    int rc = vips_text(&mask, markup, "font", font, "dpi", 96, "width", ph->Xsize * 9 / 10, NULL);
    g_free(markup);
    if (rc)
        return NULL;
    bool dark = i % 4 == 3; /* light letters on a dark plate */
    double plate[3] = { 240, 236, 226 }, ink[3] = { 25, 25, 30 };
    if (dark)
        plate[0] = 40, plate[1] = 44, plate[2] = 52, ink[0] = ink[1] = ink[2] = 235;
    int pad = px / 2, W = mask->Xsize + 2 * pad, H = mask->Ysize + 2 * pad;
    if (W > ph->Xsize)
        W = ph->Xsize;
    VipsImage *t[8] = { 0 };
    VipsImage *out = NULL;
    VipsImage *bands[3] = { 0 };
    if (vips_embed(mask, &t[0], pad, pad, W, H, NULL) || vips_linear1(t[0], &t[1], 1 / 255.0, 0, NULL))
        goto done;
    for (int b = 0; b < 3; b++)
        if (vips_linear1(t[1], &bands[b], ink[b] - plate[b], plate[b], NULL))
            goto done;
    if (vips_bandjoin(bands, &t[2], 3, NULL) || vips_cast_uchar(t[2], &t[3], NULL))
        goto done;
    int x = (ph->Xsize - W) / 2, y = i % 2 ? ph->Ysize - H - ph->Ysize / 20 : ph->Ysize / 20;
    if (vips_insert(ph, t[3], &t[4], x, y, NULL))
        goto done;
    out = vips_image_copy_memory(t[4]);
done:
    for (int b = 0; b < 3; b++)
        if (bands[b])
            g_object_unref(bands[b]);
    for (int k = 0; k < 8; k++)
        if (t[k])
            g_object_unref(t[k]);
    g_object_unref(mask);
    return out;
}

int main(int argc, char **argv)
{
    if (VIPS_INIT(argv[0]))
        return 1;
    char **files = NULL;
    int n = 0;
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            list_dir(argv[i], &files, &n);
    } else {
        const char *sh = getenv("FACETAG_SHARED");
        char d[4096];
        static const char *const sub[] = { "dlib-faces", "modern-groups", "old-photos", "solvay-1927" };
        for (size_t k = 0; k < sizeof sub / sizeof sub[0]; k++) {
            snprintf(d, sizeof d, "%s/data/group-photos/%s", sh ? sh : "../shared", sub[k]);
            list_dir(d, &files, &n);
        }
    }
    if (n == 0) {
        fprintf(stderr, "bench_ocr_mirror: no photos (set FACETAG_SHARED or give folders)\n");
        return 2;
    }
    qsort(files, (size_t)n, sizeof *files, cmp);
    err e;
    ocr_engine *o = ocr_engine_open(NULL, &e);
    if (!o) {
        fprintf(stderr, "bench_ocr_mirror: %s\n", e.msg);
        return 1;
    }
    int false_a = 0, tp = 0, fp = 0, fn = 0, tn = 0, done = 0;
    double secs[3] = { 0 };
    for (int i = 0; i < n; i++) {
        VipsImage *ph = load(files[i]);
        VipsImage *tx = ph ? with_text(ph, i) : NULL, *mir = NULL;
        if (!tx || vips_flip(tx, &mir, VIPS_DIRECTION_HORIZONTAL, NULL)) {
            fprintf(stderr, "bench_ocr_mirror: %s: cannot make the variants: %s\n", files[i], vips_error_buffer());
            return 1;
        }
        VipsImage *v[3] = { ph, tx, mir };
        if (getenv("BENCH_SAVE")) { /* look at what is read */
            char path[4096];
            const char *b = strrchr(files[i], '/');
            snprintf(path, sizeof path, "%s/%s.png", getenv("BENCH_SAVE"), b ? b + 1 : files[i]);
            vips_image_write_to_file(tx, path, NULL);
        }
        bool flag[3];
        double sc[3][2];
        for (int k = 0; k < 3; k++) {
            ocr_mirror_result r;
            double t0 = clock_now_s();
            if (ocr_mirror_check(o, v[k], &r, &e) != 0) {
                fprintf(stderr, "bench_ocr_mirror: %s: %s\n", files[i], e.msg);
                return 1;
            }
            secs[k] += clock_now_s() - t0;
            flag[k] = r.mirrored;
            sc[k][0] = r.score, sc[k][1] = r.score_flipped;
            ocr_mirror_result_free(&r);
        }
        false_a += flag[0];
        if (flag[1])
            fp++;
        else
            tn++;
        if (flag[2])
            tp++;
        else
            fn++;
        done++;
        const char *base = strrchr(files[i], '/');
        printf("%-40s  A %3.0f/%-3.0f %s  B %3.0f/%-3.0f %s  C %3.0f/%-3.0f %s\n", base ? base + 1 : files[i], sc[0][0],
               sc[0][1], flag[0] ? "FLAG" : "-   ", sc[1][0], sc[1][1], flag[1] ? "FLAG" : "-   ", sc[2][0], sc[2][1],
               flag[2] ? "flag" : "MISS");
        fflush(stdout);
        for (int k = 0; k < 3; k++)
            g_object_unref(v[k]);
    }
    double prec = tp + fp ? (double)tp / (tp + fp) : 1, rec = tp + fn ? (double)tp / (tp + fn) : 0;
    printf("\nmirrored-scan check (%s; flag when mirror score >= %.0f and >= %.0f x (score + 4)):\n",
           ocr_engine_version(o), OCR_MIRROR_MIN_SCORE, OCR_MIRROR_RATIO);
    printf("| set | photos | flagged | s/photo |\n|---|---|---|---|\n");
    printf("| A group photos as they are | %d | %d (false) | %.2f |\n", done, false_a, secs[0] / done);
    printf("| B with text, right way round | %d | %d (false) | %.2f |\n", done, fp, secs[1] / done);
    printf("| C with text, mirrored | %d | %d (true) | %.2f |\n", done, tp, secs[2] / done);
    printf("\nprecision %.3f, recall %.3f on B + C; false flags on the %d group photos: %d (goal 0)\n", prec, rec, done,
           false_a);
    ocr_engine_close(o);
    for (int i = 0; i < n; i++)
        g_free(files[i]);
    free(files);
    vips_shutdown();
    return 0;
}
