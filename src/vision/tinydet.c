/* tinydet.c — tiny face detector (NOTES §3): weights, layer list, decoding, NMS. */
#include "vision/tinydet.h"

#include "vision/prep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MODEL "tiny_face_detector_model"

#define SEP(i, cin, cout)                                                                                              \
    { "conv" #i "/depthwise_filter", 4, { 3, 3, cin, 1 } }, { "conv" #i "/pointwise_filter", 4, { 1, 1, cin, cout } }, \
    {                                                                                                                  \
        "conv" #i "/bias", 1,                                                                                          \
        {                                                                                                              \
            cout                                                                                                       \
        }                                                                                                              \
    }

static const weights_spec tiny_table[] = {
    { "conv0/filters", 4, { 3, 3, 3, 16 } },
    { "conv0/bias", 1, { 16 } },
    SEP(1, 16, 32),
    SEP(2, 32, 64),
    SEP(3, 64, 128),
    SEP(4, 128, 256),
    SEP(5, 256, 512),
    { "conv8/filters", 4, { 1, 1, 512, 25 } },
    { "conv8/bias", 1, { 25 } },
};
enum { T_CONV0 = 0, T_SEP1 = 2, T_CONV8 = 17, T_COUNT = 19 };
_Static_assert(sizeof tiny_table / sizeof *tiny_table == T_COUNT, "layer table and indices disagree");

/* src/tinyFaceDetector/const.ts */
static const double anchors[TINYDET_ANCHORS][2] = {
    { 1.603231, 2.094468 }, { 6.041143, 7.080126 }, { 2.882459, 3.518061 },
    { 4.266906, 5.178857 }, { 9.041765, 10.66308 },
};

struct tinydet_model {
    weights *w;
};

struct tinydet_runner {
    tinydet_model *m;
    nn_threads *threads;
    int size;
    net_model *net; /* the layer list at this size, on m's weights */
    net_runner *run;
};

tinydet_options tinydet_default_options(void)
{
    return (tinydet_options){ 0.5, TINYDET_DEFAULT_SIZE, 0 };
}

tinydet_model *tinydet_load(const char *models_dir, err *e)
{
    tinydet_model *m = calloc(1, sizeof *m);
    if (!m) {
        err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
        return NULL;
    }
    if (weights_load(models_dir, MODEL, tiny_table, T_COUNT, &m->w, e) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void tinydet_free(tinydet_model *m)
{
    if (!m)
        return;
    weights_free(m->w);
    free(m);
}

/* TinyYolov2Base.runMobilenet with isFirstLayerConv2d, no conv6/conv7. The
 * separable convolutions pad 1 px of zeros, then 'valid'
 * (depthwiseSeparableConv.ts): for a 3x3 window at stride 1 that is SAME. */
static int tiny_list(layer_list *nl, const weights *w, void *ctx)
{
    (void)ctx;
#define W(i) weights_at(w, (size_t)(i))
    int x = layers_conv(nl, -1, W(T_CONV0), W(T_CONV0 + 1), 1, LAYER_VALID, 0, LAYER_LEAKY);
    x = layers_add(nl, (layer){ .op = LAYER_MAXPOOL, .src = x, .k = 2, .stride = 2, .pad = LAYER_SAME });
    for (int i = 1; i <= 5; i++) {
        int t = T_SEP1 + (i - 1) * 3;
        x = layers_separable(nl, x, W(t), W(t + 1), W(t + 2), 1, LAYER_SAME, LAYER_LEAKY);
        x = layers_add(nl,
                       (layer){ .op = LAYER_MAXPOOL, .src = x, .k = 2, .stride = i < 5 ? 2 : 1, .pad = LAYER_SAME });
    }
    x = layers_conv(nl, x, W(T_CONV8), W(T_CONV8 + 1), 1, LAYER_VALID, 0, LAYER_NONE);
#undef W
    return layers_output(nl, x);
}

static int runner_build(tinydet_runner *r, int size, err *e)
{
    if (size < 32 || size > 4096 || size % 32 != 0)
        return err_set(e, ERR_INVALID, "%s: input size %d is not a multiple of 32 in 32..4096", MODEL, size);
    net_runner_free(r->run);
    net_model_free(r->net);
    r->run = NULL, r->net = NULL;
    r->size = 0;
    const net_spec spec = { MODEL, size, tiny_table, T_COUNT, tiny_list, NULL, 0 };
    int rc = net_model_on(&spec, r->m->w, &r->net, e);
    if (rc == 0)
        rc = net_runner_new(r->net, r->threads, NET_FP32, &r->run, e);
    if (rc)
        return rc;
    r->size = size;
    return 0;
}

tinydet_runner *tinydet_runner_new(tinydet_model *m, int input_size, nn_threads *threads, err *e)
{
    tinydet_runner *r = calloc(1, sizeof *r);
    if (!r) {
        err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
        return NULL;
    }
    r->m = m;
    r->threads = threads;
    if (runner_build(r, input_size, e) != 0) {
        tinydet_runner_free(r);
        return NULL;
    }
    return r;
}

void tinydet_runner_free(tinydet_runner *r)
{
    if (!r)
        return;
    net_runner_free(r->run);
    net_model_free(r->net);
    free(r);
}

double tinydet_runner_flops(const tinydet_runner *r)
{
    return r ? net_model_flops(r->net) : 0;
}

/* Normalises the prepared input buffer in place and runs the net. */
static int run(tinydet_runner *r, err *e)
{
    size_t n;
    float *in = net_runner_input(r->run, &n);
    prep_norm_mean(in, n / 3, PREP_MEAN_TINY);
    if (net_runner_exec(r->run, e) != 0)
        return err_prefix(e, MODEL);
    return 0;
}

int tinydet_infer(tinydet_runner *r, const float *input, float *grid, err *e)
{
    size_t n, m;
    float *in = net_runner_input(r->run, &n);
    memcpy(in, input, n * sizeof(float));
    if (run(r, e) != 0)
        return e ? e->code : ERR_INTERNAL;
    const float *out = net_runner_output(r->run, 0, &m);
    memcpy(grid, out, m * sizeof(float));
    return 0;
}

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* A candidate box in relative units: Box(x, y, (x+w)-x, (y+h)-y). */
typedef struct tcand {
    double x, y, w, h, score;
} tcand;

/* src/ops/iou.ts on boxes rescaled by S. */
static double tiny_iou(const tcand *a, const tcand *b, double s)
{
    double ax = a->x * s, ay = a->y * s, aw = a->w * s, ah = a->h * s;
    double bx = b->x * s, by = b->y * s, bw = b->w * s, bh = b->h * s;
    double w = fmax(0.0, fmin(ax + aw, bx + bw) - fmax(ax, bx));
    double h = fmax(0.0, fmin(ay + ah, by + bh) - fmax(ay, by));
    double inter = w * h;
    return inter / (aw * ah + bw * bh - inter);
}

/* Ascending score, ties by index, so that popping from the end takes the highest
 * score and, among equals, the later index first (JS stable sort + pop). */
static int order_cmp(const void *pa, const void *pb, void *ctx)
{
    const tcand *c = ctx;
    int a = *(const int *)pa, b = *(const int *)pb;
    if (c[a].score != c[b].score)
        return c[a].score < c[b].score ? -1 : 1;
    return a - b;
}

int tinydet_postprocess(const float *grid, int input_size, int width, int height, double min_score, det_list *out,
                        err *e)
{
    if (width < 1 || height < 1 || input_size < 32 || input_size % 32)
        return err_set(e, ERR_INVALID, "%s: image %dx%d, input size %d", MODEL, width, height, input_size);
    int n = input_size / 32, total = n * n * TINYDET_ANCHORS;
    tcand *c = malloc(sizeof *c * (size_t)total);
    int *order = malloc(sizeof *order * (size_t)total);
    if (!c || !order) {
        free(c);
        free(order);
        return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    }
    int rw, rh;
    prep_reshaped_dims(width, height, input_size, &rw, &rh);
    double insz = rw > rh ? rw : rh;
    double cfx = insz / rw, cfy = insz / rh;
    int nc = 0;
    for (int row = 0; row < n; row++)
        for (int col = 0; col < n; col++)
            for (int a = 0; a < TINYDET_ANCHORS; a++) {
                const float *v = grid + ((size_t)(row * n + col) * TINYDET_ANCHORS + a) * 5;
                double score = sigmoid(v[4]);
                if (!(score > min_score))
                    continue;
                double ctx = ((col + sigmoid(v[0])) / n) * cfx;
                double cty = ((row + sigmoid(v[1])) / n) * cfy;
                double wl = ((exp(v[2]) * anchors[a][0]) / n) * cfx;
                double hl = ((exp(v[3]) * anchors[a][1]) / n) * cfy;
                double x = ctx - wl / 2, y = cty - hl / 2;
                c[nc] = (tcand){ x, y, (x + wl) - x, (y + hl) - y, score };
                order[nc] = nc;
                nc++;
            }
    qsort_r(order, (size_t)nc, sizeof *order, order_cmp, c);
    int rc = 0, left = nc;
    double W = width, H = height;
    while (left > 0 && rc == 0) {
        int cur = order[--left];
        /* ObjectDetection: relative * dims; locateFaces: relativeBox (× 1/dims) back to
         * a FaceDetection (× dims) — the double round-trip of face-api. */
        double rx = 1.0 / W, ry = 1.0 / H;
        det_face f = { { ((c[cur].x * W) * rx) * W, ((c[cur].y * H) * ry) * H, ((c[cur].w * W) * rx) * W,
                         ((c[cur].h * H) * ry) * H },
                       c[cur].score };
        rc = det_list_push(out, f, e);
        int kept = 0;
        for (int i = 0; i < left; i++)
            if (tiny_iou(&c[cur], &c[order[i]], input_size) <= 0.4)
                order[kept++] = order[i];
        left = kept;
    }
    free(c);
    free(order);
    return rc;
}

int tinydet_detect(tinydet_runner *r, const image *img, const tinydet_options *opt, det_list *out, err *e)
{
    tinydet_options o = opt ? *opt : tinydet_default_options();
    if (o.input_size != r->size && runner_build(r, o.input_size, e) != 0)
        return e ? e->code : ERR_INTERNAL;
    float *in = net_runner_input(r->run, NULL);
    prep_rect all = { 0, 0, img->width, img->height };
    int rc = o.antialias ? prep_square_area(img, all, PREP_PAD_END, r->size, in, e)
                         : prep_square(img, all, PREP_PAD_END, r->size, in, e);
    if (rc != 0)
        return err_prefix(e, MODEL);
    if (run(r, e) != 0)
        return e ? e->code : ERR_INTERNAL;
    return tinydet_postprocess(net_runner_output(r->run, 0, NULL), r->size, img->width, img->height, o.min_score, out,
                               e);
}
