/* bench/int8_calibrate.c — the activation ranges of the SSD's int8 version
 * (NET_INT8, issue 17): runs the fp32 network (XNNPACK) with every layer's
 * output readable on a fixed calibration set and prints, per internal layer
 * (each ends in a ReLU6), the largest value and the value below which a
 * fraction q of its outputs lie (rounded up to 1/64), then the table of those
 * below 6 that src/vision/ssd.c holds (ssd_int8_ranges).
 *
 *   bench_int8_calibrate [--models DIR] [--shared DIR] [--every N] [-q Q]
 *
 * The set: every Nth image (default 40: the table ssd.c holds) of faces-dev's sorted list —
 * not the images test_ssd_int8 compares on (the parity PNGs, the demo
 * photos), nor group-photos, whose ground truth measures the detector. Each
 * image is prepared as ssd_detect prepares it (prep_square, padded at the end)
 * and, to see small faces as group photos show them, also on a 2x canvas
 * (ssd_detect_canvas's frame: the image in the middle of a black square). */
#include "media/image.h"
#include "nn/net.h"
#include "vision/prep.h"
#include "vision/ssd.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BINS 6144 /* [0, 6] in steps of 1/1024 */
#define MAX_FILES 4096

static int scmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* faces-dev's images (person/file.jpg), sorted. */
static int list_faces(const char *dir, char **files, int max)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *de; d && (de = readdir(d)) && n < max;) {
        if (de->d_name[0] == '.')
            continue;
        char sub[8192];
        if (snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name) >= (int)sizeof sub)
            continue;
        DIR *s = opendir(sub);
        for (struct dirent *fe; s && (fe = readdir(s)) && n < max;) {
            const char *dot = strrchr(fe->d_name, '.');
            if (fe->d_name[0] == '.' || !dot || strcasecmp(dot, ".jpg"))
                continue;
            size_t len = strlen(sub) + strlen(fe->d_name) + 2;
            files[n] = malloc(len);
            snprintf(files[n++], len, "%s/%s", sub, fe->d_name);
        }
        if (s)
            closedir(s);
    }
    if (d)
        closedir(d);
    qsort(files, (size_t)n, sizeof *files, scmp);
    return n;
}

#define PROBE_LAYERS 24 /* layers read per probe (XNNPACK's external values are limited) */

static void observe(net_probe *p, const net_model *nm, int from, unsigned long long (*hist)[BINS], float *most)
{
    for (int i = from; i < net_model_layers(nm) && i < from + PROBE_LAYERS; i++) {
        const layer *l = net_model_layer(nm, i);
        if (l->output || l->act != LAYER_RELU6)
            continue;
        size_t n = 0;
        const float *x = net_probe_layer(p, i, &n);
        for (size_t k = 0; x && k < n; k++) {
            int b = (int)(x[k] * 1024.0f);
            hist[i][b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
            most[i] = fmaxf(most[i], x[k]);
        }
    }
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS"), *shared = getenv("FACETAG_SHARED");
    int every = 40;
    double q = 0.9999;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!strcmp(argv[i], "--every") && i + 1 < argc && atoi(argv[i + 1]) > 0)
            every = atoi(argv[++i]);
        else if (!strcmp(argv[i], "-q") && i + 1 < argc && atof(argv[i + 1]) > 0 && atof(argv[i + 1]) <= 1)
            q = atof(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_int8_calibrate [--models DIR] [--shared DIR] [--every N] [-q Q]\n");
            return 2;
        }
    }
    if (!models || !shared) {
        fprintf(stderr, "bench_int8_calibrate: give --models and --shared (or FACETAG_MODELS, FACETAG_SHARED)\n");
        return 2;
    }
    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_int8_calibrate: %s\n", e.msg);
        return 1;
    }
    ssd_model *m = ssd_load(models, &e);
    if (!m) {
        fprintf(stderr, "bench_int8_calibrate: %s\n", e.msg);
        return 1;
    }
    const net_model *nm = ssd_net(m);
    const int nl = net_model_layers(nm), nprobe = (nl + PROBE_LAYERS - 1) / PROBE_LAYERS;
    net_probe *probes[LAYERS_MAX / PROBE_LAYERS + 1] = { 0 };
    for (int k = 0; k < nprobe; k++) {
        const int to = (k + 1) * PROBE_LAYERS < nl ? (k + 1) * PROBE_LAYERS : nl;
        if (net_probe_new(ssd_net(m), k * PROBE_LAYERS, to, &probes[k], &e) != 0) {
            fprintf(stderr, "bench_int8_calibrate: %s\n", e.msg);
            return 1;
        }
    }
    unsigned long long(*hist)[BINS] = calloc((size_t)nl, sizeof *hist);
    float *most = calloc((size_t)nl, sizeof *most);
    char **files = malloc(sizeof *files * MAX_FILES), dir[4096];
    snprintf(dir, sizeof dir, "%s/data/faces-dev", shared);
    const int nf = list_faces(dir, files, MAX_FILES);
    int used = 0;
    for (int f = 0; f < nf; f += every) {
        image img = { 0 };
        if (image_load_rgb(files[f], 1, 0, &img, &e) != 0) {
            fprintf(stderr, "bench_int8_calibrate: %s\n", e.msg);
            continue;
        }
        for (int view = 0; view < 2; view++) {
            size_t n = 0;
            float *in = net_probe_input(probes[0], &n);
            const int side = img.width > img.height ? img.width : img.height;
            const float black[3] = { 0, 0, 0 };
            /* view 1: the image in the middle of a black square twice its side */
            const int rc = view == 0 ? prep_square(&img, (prep_rect){ 0, 0, img.width, img.height }, PREP_PAD_END,
                                                   SSD_INPUT_SIZE, in, &e)
                                     : prep_canvas(&img, 2 * side, side - img.width / 2, side - img.height / 2, black,
                                                   SSD_INPUT_SIZE, in, &e);
            if (rc == 0)
                prep_norm_ssd(in, n / 3);
            for (int k = 0; rc == 0 && k < nprobe; k++) {
                if (k > 0)
                    memcpy(net_probe_input(probes[k], NULL), in, n * sizeof *in);
                if (net_probe_exec(probes[k], &e) != 0) {
                    fprintf(stderr, "bench_int8_calibrate: %s: %s\n", files[f], e.msg);
                    break;
                }
                observe(probes[k], nm, k * PROBE_LAYERS, hist, most);
            }
            if (rc != 0)
                fprintf(stderr, "bench_int8_calibrate: %s: %s\n", files[f], e.msg);
        }
        used++;
        image_free(&img);
    }
    printf("SSD int8 calibration: %d of %d faces-dev images (every %d), 2 views each, quantile %g\n", used, nf, every,
           q);
    printf("%5s %8s %10s %10s\n", "layer", "kind", "max", "quantile");
    float qv[LAYERS_MAX] = { 0 };
    for (int i = 0; i < nl; i++) {
        const layer *l = net_model_layer(nm, i);
        if (l->output || l->act != LAYER_RELU6)
            continue;
        unsigned long long total = 0, acc = 0;
        for (int b = 0; b < BINS; b++)
            total += hist[i][b];
        int b = 0;
        for (; b < BINS && (double)(acc + hist[i][b]) < q * (double)total; b++)
            acc += hist[i][b];
        qv[i] = (float)fmin(6.0, ceil((b + 1) / 1024.0 * 64) / 64);
        const char *kind = l->depthwise ? "dw" : l->filter->shape[0] > 1 ? "conv" : "pw";
        printf("%5d %8s %10.4f %10.4f\n", i, kind, (double)most[i], (double)qv[i]);
    }
    /* The ranges below ReLU6's own, as src/vision/ssd.c holds them. */
    printf("/* bench_int8_calibrate --every %d -q %g: %d faces-dev images x 2 views */\n", every, q, used);
    printf("} ssd_int8_ranges[] = {");
    for (int i = 0, k = 0; i < nl; i++)
        if (qv[i] > 0 && qv[i] < 6)
            printf("%s{ %d, %.4gf }", k++ ? ", " : " ", i, (double)qv[i]);
    printf(" };\n");
    for (int f = 0; f < nf; f++)
        free(files[f]);
    free(files);
    free(hist);
    free(most);
    for (int k = 0; k < nprobe; k++)
        net_probe_free(probes[k]);
    ssd_free(m);
    return 0;
}
