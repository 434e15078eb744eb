/* bench/int8_layers.c — which of the SSD's layers 8 bits hurt (issue 17's
 * mixed precision): the int8 detector with a given set of layers kept in fp32
 * (FACETAG_INT8_F32, src/vision/ssd.c) against the fp32 network, per anchor
 * score of ssd_infer, and its CPU time per pass.
 *
 *   bench_int8_layers [--models DIR] [--shared DIR] [--every N] [--offset K] SPEC...
 *
 * SPEC: the layers kept in fp32 as ssd.c reads them ("0-4,35-46"); "-" for
 * none (all int8). The images: faces-dev's sorted list from K (default 20)
 * in steps of N (default 40) — not the calibration set (offset 0), nor the
 * test images (parity PNGs, demo photos, group-photos) — each as ssd_detect
 * prepares it and on 2x and 3x black canvases, where faces are as small as
 * in group photos. Per SPEC: over the anchors either side scores above 0.1,
 * the mean and largest |score difference|, the mean signed difference (int8 -
 * fp32: negative loses faces), the anchors that cross the 0.5 threshold each
 * way, and the CPU ms per pass (this thread, one runner). */
#include "bench_files.h"
#include "media/image.h"
#include "nn/bf16net.h"
#include "nn/net.h"
#include "vision/prep.h"
#include "vision/ssd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FILES 4096
#define VIEWS 3

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* View v of img (0: as ssd_detect sees it; 1, 2: in the middle of a black
 * square 2x, 3x its side), prepared but not normalised (ssd_infer's input). */
static int prepare(const image *img, int v, float *in, err *e)
{
    const int side = img->width > img->height ? img->width : img->height, s = (v + 1) * side;
    const float black[3] = { 0, 0, 0 };
    if (v == 0)
        return prep_square(img, (prep_rect){ 0, 0, img->width, img->height }, PREP_PAD_END, SSD_INPUT_SIZE, in, e);
    return prep_canvas(img, s, (s - img->width) / 2, (s - img->height) / 2, black, SSD_INPUT_SIZE, in, e);
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS"), *shared = getenv("FACETAG_SHARED");
    int every = 40, offset = 20, first = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--shared") && i + 1 < argc)
            shared = argv[++i];
        else if (!strcmp(argv[i], "--every") && i + 1 < argc && atoi(argv[i + 1]) > 0)
            every = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--offset") && i + 1 < argc && atoi(argv[i + 1]) >= 0)
            offset = atoi(argv[++i]);
        else if (argv[i][0] != '-' || !strcmp(argv[i], "-")) {
            first = i;
            break;
        } else {
            first = -1;
            break;
        }
    }
    if (first < 0 || first >= argc || !models || !shared) {
        fprintf(stderr,
                "usage: bench_int8_layers [--models DIR] [--shared DIR] [--every N] [--offset K] SPEC...\n"
                "  (or FACETAG_MODELS, FACETAG_SHARED); SPEC: layers kept in fp32, e.g. 0-4,35-46; - for none\n");
        return 2;
    }
    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_int8_layers: %s\n", e.msg);
        return 1;
    }
    char **files = malloc(sizeof *files * MAX_FILES), dir[4096];
    snprintf(dir, sizeof dir, "%s/data/faces-dev", shared);
    const int nf = bench_list_images(dir, files, MAX_FILES, 1);
    const size_t isz = (size_t)SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3;
    int nin = 0;
    float *inputs = NULL;
    for (int f = offset; f < nf; f += every) {
        image img = { 0 };
        if (image_load_rgb(files[f], 1, 0, &img, &e) != 0) {
            fprintf(stderr, "bench_int8_layers: %s\n", e.msg);
            continue;
        }
        float *grown = realloc(inputs, sizeof *inputs * isz * (size_t)(nin + VIEWS));
        if (!grown) {
            fprintf(stderr, "bench_int8_layers: out of memory\n");
            return 1;
        }
        inputs = grown;
        for (int v = 0; v < VIEWS; v++)
            if (prepare(&img, v, inputs + isz * (size_t)nin, &e) == 0)
                nin++;
            else
                fprintf(stderr, "bench_int8_layers: %s: %s\n", files[f], e.msg);
        image_free(&img);
    }
    for (int f = 0; f < nf; f++)
        free(files[f]);
    free(files);
    float *boxes = malloc(sizeof(float) * SSD_NUM_ANCHORS * 4);
    float *s32 = malloc(sizeof(float) * SSD_NUM_ANCHORS * (size_t)(nin ? nin : 1)),
          *sq = malloc(sizeof(float) * SSD_NUM_ANCHORS);
    unsetenv("FACETAG_INT8_F32");
    ssd_model *m = ssd_load(models, &e);
    ssd_runner *r = m ? ssd_runner_new(m, NULL, NET_FP32, &e) : NULL;
    for (int k = 0; r && k < nin; k++)
        if (ssd_infer(r, inputs + isz * (size_t)k, boxes, s32 + (size_t)SSD_NUM_ANCHORS * k, &e) != 0)
            break;
    ssd_runner_free(r);
    ssd_free(m);
    if (e.code) {
        fprintf(stderr, "bench_int8_layers: %s\n", e.msg);
        return 1;
    }
    printf("SSD int8 against fp32: %d views (faces-dev from %d every %d, x1/x2/x3), oneDNN ISA %s\n", nin, offset,
           every, bf16net_isa());
    printf("%-24s %9s %9s %9s %6s %6s %8s\n", "fp32 layers", "mean|d|", "mean d", "max|d|", "lost", "new", "ms/pass");
    for (int a = first; a < argc; a++) {
        setenv("FACETAG_INT8_F32", strcmp(argv[a], "-") ? argv[a] : "", 1);
        m = ssd_load(models, &e);
        r = m ? ssd_runner_new(m, NULL, NET_INT8, &e) : NULL;
        if (!r) {
            fprintf(stderr, "bench_int8_layers: %s: %s\n", argv[a], e.msg);
            ssd_free(m);
            e = (err){ 0 };
            continue;
        }
        double sum = 0, sgn = 0, most = 0, ms = 0;
        long n = 0, lost = 0, found = 0;
        for (int k = 0; k < nin; k++) {
            const double t0 = cpu_ms();
            if (ssd_infer(r, inputs + isz * (size_t)k, boxes, sq, &e) != 0)
                break;
            ms += cpu_ms() - t0;
            const float *f = s32 + (size_t)SSD_NUM_ANCHORS * k;
            for (int j = 0; j < SSD_NUM_ANCHORS; j++) {
                if (f[j] <= 0.1f && sq[j] <= 0.1f)
                    continue;
                const double d = (double)sq[j] - f[j];
                sum += fabs(d), sgn += d, most = fmax(most, fabs(d)), n++;
                lost += f[j] > 0.5f && sq[j] <= 0.5f;
                found += f[j] <= 0.5f && sq[j] > 0.5f;
            }
        }
        printf("%-24s %9.4f %+9.4f %9.4f %6ld %6ld %8.1f\n", argv[a], n ? sum / n : 0, n ? sgn / n : 0, most, lost,
               found, nin ? ms / nin : 0);
        fflush(stdout);
        ssd_runner_free(r);
        ssd_free(m);
    }
    unsetenv("FACETAG_INT8_F32");
    free(inputs);
    free(boxes);
    free(s32);
    free(sq);
    return 0;
}
