/* ssd.c — SSD MobileNetV1 (NOTES §2): layer table, layer list, decoding, NMS. */
#include "vision/ssd.h"

#include "vision/prep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL "ssd_mobilenetv1_model"

/* ---- layer table (names and shapes as in the manifest) ----------------- */

#define DW(i, c)                                                                                                       \
    { "MobilenetV1/Conv2d_" #i "_depthwise/depthwise_weights", 4, { 3, 3, c, 1 } },                                    \
        { "MobilenetV1/Conv2d_" #i "_depthwise/BatchNorm/gamma", 1, { c } },                                           \
        { "MobilenetV1/Conv2d_" #i "_depthwise/BatchNorm/beta", 1, { c } },                                            \
        { "MobilenetV1/Conv2d_" #i "_depthwise/BatchNorm/moving_mean", 1, { c } },                                     \
        { "MobilenetV1/Conv2d_" #i "_depthwise/BatchNorm/moving_variance", 1, { c } },                                 \
        { "MobilenetV1/Conv2d_" #i "_pointwise/weights", 4, { 1, 1, c, PW_OUT_##i } },                                 \
    {                                                                                                                  \
        "MobilenetV1/Conv2d_" #i "_pointwise/convolution_bn_offset", 1,                                                \
        {                                                                                                              \
            PW_OUT_##i                                                                                                 \
        }                                                                                                              \
    }
enum {
    PW_OUT_1 = 64,
    PW_OUT_2 = 128,
    PW_OUT_3 = 128,
    PW_OUT_4 = 256,
    PW_OUT_5 = 256,
    PW_OUT_6 = 512,
    PW_OUT_7 = 512,
    PW_OUT_8 = 512,
    PW_OUT_9 = 512,
    PW_OUT_10 = 512,
    PW_OUT_11 = 512,
    PW_OUT_12 = 1024,
    PW_OUT_13 = 1024,
};
#define PRED(k, kh, cin, cout)                                                                                         \
    { "Prediction/Conv2d_" #k "_pointwise/weights", 4, { kh, kh, cin, cout } },                                        \
    {                                                                                                                  \
        "Prediction/Conv2d_" #k "_pointwise/convolution_bn_offset", 1,                                                 \
        {                                                                                                              \
            cout                                                                                                       \
        }                                                                                                              \
    }
#define HEAD(j, cin, a)                                                                                                \
    { "Prediction/BoxPredictor_" #j "/BoxEncodingPredictor/weights", 4, { 1, 1, cin, (a)*4 } },                        \
        { "Prediction/BoxPredictor_" #j "/BoxEncodingPredictor/biases", 1, { (a)*4 } },                                \
        { "Prediction/BoxPredictor_" #j "/ClassPredictor/weights", 4, { 1, 1, cin, (a)*3 } },                          \
    {                                                                                                                  \
        "Prediction/BoxPredictor_" #j "/ClassPredictor/biases", 1,                                                     \
        {                                                                                                              \
            (a) * 3                                                                                                    \
        }                                                                                                              \
    }

/* Table indices: conv0 (2), 13 pairs x 7, 8 prediction convs x 2, 6 heads x 4, priors. */
enum {
    T_CONV0_W = 0,
    T_CONV0_B = 1,
    T_PAIR0 = 2,                /* pair i (1..13) starts at T_PAIR0 + (i-1)*7 */
    T_PRED0 = T_PAIR0 + 13 * 7, /* prediction conv k starts at T_PRED0 + 2k */
    T_HEAD0 = T_PRED0 + 16,     /* head j starts at T_HEAD0 + 4j */
    T_PRIORS = T_HEAD0 + 24,
    T_COUNT
};

static const weights_spec ssd_table[] = {
    { "MobilenetV1/Conv2d_0_pointwise/weights", 4, { 3, 3, 3, 32 } },
    { "MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset", 1, { 32 } },
    DW(1, 32),
    DW(2, 64),
    DW(3, 128),
    DW(4, 128),
    DW(5, 256),
    DW(6, 256),
    DW(7, 512),
    DW(8, 512),
    DW(9, 512),
    DW(10, 512),
    DW(11, 512),
    DW(12, 512),
    DW(13, 1024),
    PRED(0, 1, 1024, 256),
    PRED(1, 3, 256, 512),
    PRED(2, 1, 512, 128),
    PRED(3, 3, 128, 256),
    PRED(4, 1, 256, 128),
    PRED(5, 3, 128, 256),
    PRED(6, 1, 256, 64),
    PRED(7, 3, 64, 128),
    HEAD(0, 512, 3),
    HEAD(1, 1024, 6),
    HEAD(2, 512, 6),
    HEAD(3, 256, 6),
    HEAD(4, 256, 6),
    HEAD(5, 128, 6),
    { "Output/extra_dim", 3, { 1, SSD_NUM_ANCHORS, 4 } },
};
_Static_assert(sizeof ssd_table / sizeof *ssd_table == T_COUNT, "layer table and indices disagree");

/* Grid sizes and anchors per cell of the six heads (NOTES §2.2). */
static const int head_grid[6] = { 32, 16, 8, 4, 2, 1 };
static const int head_anchors[6] = { 3, 6, 6, 6, 6, 6 };

struct ssd_model {
    wtensor *dw[14], *dwb[14]; /* BatchNorm folded into the depthwise convs 1..13 */
    net_model *net;
};

struct ssd_runner {
    ssd_model *m;
    net_runner *run;
    float *boxes, *scores; /* scratch for ssd_detect */
    size_t passes;         /* network runs so far */
};

ssd_options ssd_default_options(void)
{
    return (ssd_options){ 0.5, 100, 0 };
}

/* y = beta + (dw(x) - mean) * gamma / sqrt(var + eps), folded into the filter and
 * a bias (eps is tfjs' float32 1e-3). */
static int fold_bn(ssd_model *m, const weights *w, int i, err *e)
{
    const wtensor *f = weights_at(w, (size_t)(T_PAIR0 + (i - 1) * 7));
    const wtensor *gamma = f + 1, *beta = f + 2, *mean = f + 3, *var = f + 4;
    int c = f->shape[2];
    m->dw[i] = wtensor_new(f->name, 4, f->shape, e);
    m->dwb[i] = wtensor_new(beta->name, 1, beta->shape, e);
    if (!m->dw[i] || !m->dwb[i])
        return ERR_NOMEM;
    const double eps = 0.0010000000474974513;
    for (int ch = 0; ch < c; ch++) {
        double s = (double)gamma->data[ch] / sqrt((double)var->data[ch] + eps);
        for (int k = 0; k < 9; k++)
            m->dw[i]->data[k * c + ch] = (float)(f->data[k * c + ch] * s);
        m->dwb[i]->data[ch] = (float)(beta->data[ch] - mean->data[ch] * s);
    }
    return 0;
}

/* int8 (NET_INT8): the input is x/127.5 - 1, within [-1, 1]. The layers'
 * output ranges (layer.range), calibrated by `bench_int8_calibrate --every 40
 * -q 0.9999` on 48 faces-dev photos, each as ssd_detect sees it and on a 2x
 * black canvas: the value under which 99.99 % of a layer's outputs lie,
 * rounded up to 1/64. Every layer of the body saturates at 6 that often that
 * its range is ReLU6's own (layer.range 0); only four of the extra layers (the
 * 1x1 ones, by layer index) come out below it.
 * docs/decisions/2026-12-07-int8-detector.md. */
#define SSD_INT8_INPUT_RANGE 1.0f
static const struct {
    int layer;
    float range;
} ssd_int8_ranges[] = { { 27, 4.375f }, { 29, 4.656f }, { 31, 3.766f }, { 33, 4.672f } };

/* Mixed precision (NET_INT8): the layers kept in fp32, as "a-b,c,..." layer
 * indices (conv0 is 0, pair i's depthwise 2i-1 and pointwise 2i, the extra
 * layers 27-34, the heads 35-46). FACETAG_INT8_F32 overrides it, for
 * measuring which layers 8 bits hurt (bench_int8_layers; "" for all int8).
 * Kept: conv0 and the first three pairs, 20 % of the FLOPs, where u8's 6/255
 * step costs most (bench_int8_layers, 162 faces-dev views: mean |anchor score
 * diff| 0.036 all int8, 0.014 with 0-6; the first layer alone or any later
 * group alone < 0.002 better). The cheapest prefix with fp32's ground truth on
 * group-photos (71/73; 0-4 and 0-5 give 70/73). */
static const char ssd_int8_f32_default[] = "0-6";

/* Marks the layers of spec ("a-b,c", as above; var the setting it came from)
 * fp32; -1 with ERR_INVALID in nl->e, naming var, spec and what is wrong, for
 * a spec that is not such a list, names a layer the net does not have, or
 * holds a range that runs backwards ("6-0" would mark nothing). */
static int mark_fp32(layer_list *nl, const char *var, const char *spec)
{
    for (const char *p = spec; *p;) {
        const char *item = p;
        char *end;
        long a = strtol(p, &end, 10), b = a;
        if (end == p)
            goto malformed;
        if (*end == '-') {
            p = end + 1;
            b = strtol(p, &end, 10);
            if (end == p)
                goto malformed;
        }
        int len = (int)(end - item);
        long bad = a < 0 || a >= nl->n ? a : b;
        if (bad < 0 || bad >= nl->n) {
            err_set(&nl->e, ERR_INVALID,
                    "%s='%s': layer %ld (in '%.*s') does not exist: the detector's layers are 0-%d", var, spec, bad,
                    len, item, nl->n - 1);
            return -1;
        }
        if (a > b) {
            err_set(&nl->e, ERR_INVALID, "%s='%s': the range '%.*s' runs backwards and names no layer (write %ld-%ld)",
                    var, spec, len, item, b, a);
            return -1;
        }
        for (long i = a; i <= b; i++)
            nl->l[i].fp32 = 1;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            goto malformed;
    }
    return 0;
malformed:
    err_set(&nl->e, ERR_INVALID, "%s='%s': not a list of layers and ranges of layers such as \"0-4,35-46\"", var, spec);
    return -1;
}

/* A convolution with 'same' padding (1x1 ones pad nothing), relu6 or none. */
static int conv(layer_list *nl, int src, const wtensor *filter, const wtensor *bias, int stride, int depthwise,
                int relu6)
{
    return layers_conv(nl, src, filter, bias, stride, LAYER_SAME, depthwise, relu6 ? LAYER_RELU6 : LAYER_NONE);
}

/* The network as a list of convolutions (net_lister; ctx: the ssd_model, whose
 * folded depthwise filters it makes). The outputs are the head convolutions:
 * 2j = box encodings of head j, 2j+1 = class logits. */
static int list_layers(layer_list *nl, const weights *w, void *ctx)
{
    ssd_model *m = ctx;
    for (int i = 1; i <= 13; i++)
        if (fold_bn(m, w, i, &nl->e) != 0)
            return LAYERS_NONE;
#define W(i) weights_at(w, (size_t)(i))
    int x = conv(nl, -1, W(T_CONV0_W), W(T_CONV0_B), 2, 0, 1);
    int conv11 = LAYERS_NONE;
    for (int i = 1; i <= 13; i++) {
        int stride = (i == 2 || i == 4 || i == 6 || i == 12) ? 2 : 1;
        int t = T_PAIR0 + (i - 1) * 7;
        x = conv(nl, x, m->dw[i], m->dwb[i], stride, 1, 1);
        x = conv(nl, x, W(t + 5), W(t + 6), 1, 0, 1);
        if (i == 11)
            conv11 = x;
    }
    int feat[6] = { conv11, x };
    for (int k = 0; k < 8; k++) {
        x = conv(nl, x, W(T_PRED0 + 2 * k), W(T_PRED0 + 2 * k + 1), (k & 1) ? 2 : 1, 0, 1);
        if (k & 1)
            feat[2 + k / 2] = x;
    }
    for (size_t i = 0; i < sizeof ssd_int8_ranges / sizeof *ssd_int8_ranges; i++)
        if (ssd_int8_ranges[i].layer < nl->n)
            nl->l[ssd_int8_ranges[i].layer].range = ssd_int8_ranges[i].range;
    for (int j = 0; j < 6; j++) {
        int t = T_HEAD0 + 4 * j;
        x = layers_output(nl, conv(nl, feat[j], W(t), W(t + 1), 1, 0, 0));
        x = layers_output(nl, conv(nl, feat[j], W(t + 2), W(t + 3), 1, 0, 0));
    }
#undef W
    const char *f32 = getenv("FACETAG_INT8_F32");
    if (mark_fp32(nl, f32 ? "FACETAG_INT8_F32" : "the int8 detector's default fp32 layers",
                  f32 ? f32 : ssd_int8_f32_default) != 0)
        return LAYERS_NONE;
    return x;
}

ssd_model *ssd_load(const char *models_dir, err *e)
{
    ssd_model *m = calloc(1, sizeof *m);
    if (!m) {
        err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
        return NULL;
    }
    const net_spec spec = { MODEL, SSD_INPUT_SIZE, ssd_table, T_COUNT, list_layers, m, SSD_INT8_INPUT_RANGE };
    if (net_model_load(&spec, models_dir, &m->net, e) != 0) {
        ssd_free(m);
        return NULL;
    }
    return m;
}

void ssd_free(ssd_model *m)
{
    if (!m)
        return;
    net_model_free(m->net);
    for (int i = 0; i < 14; i++) {
        wtensor_free(m->dw[i]);
        wtensor_free(m->dwb[i]);
    }
    free(m);
}

size_t ssd_runner_passes(const ssd_runner *r)
{
    return r ? r->passes : 0;
}

net_model *ssd_net(const ssd_model *m)
{
    return m->net;
}

double ssd_flops(const ssd_model *m)
{
    return m ? net_model_flops(m->net) : 0;
}

ssd_runner *ssd_runner_new(ssd_model *m, nn_threads *threads, net_precision p, err *e)
{
    ssd_runner *r = calloc(1, sizeof *r);
    if (!r || !(r->boxes = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5))) {
        free(r);
        err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
        return NULL;
    }
    r->m = m;
    r->scores = r->boxes + SSD_NUM_ANCHORS * 4;
    if (net_runner_new(m->net, threads, p, &r->run, e) != 0) {
        ssd_runner_free(r);
        return NULL;
    }
    return r;
}

net_precision ssd_runner_precision(const ssd_runner *r)
{
    return net_runner_precision(r->run);
}

void ssd_runner_free(ssd_runner *r)
{
    if (!r)
        return;
    net_runner_free(r->run);
    free(r->boxes);
    free(r);
}

/* outputLayer.ts: decode against the priors, float32 step by step like the tfjs ops. */
static void decode(const float *prior, const float *enc, float *box)
{
    float ha = prior[2] - prior[0], wa = prior[3] - prior[1];
    float cya = prior[0] + ha / 2.0f, cxa = prior[1] + wa / 2.0f;
    float hh = (float)expf(enc[2] / 5.0f) * ha / 2.0f;
    float cy = enc[0] / 10.0f * ha + cya;
    float hw = (float)expf(enc[3] / 5.0f) * wa / 2.0f;
    float cx = enc[1] / 10.0f * wa + cxa;
    box[0] = cy - hh;
    box[1] = cx - hw;
    box[2] = cy + hh;
    box[3] = cx + hw;
}

/* Normalises the prepared input buffer in place, runs the net, decodes all anchors. */
static int run_decode(ssd_runner *r, float *boxes, float *scores, err *e)
{
    size_t n;
    float *in = net_runner_input(r->run, &n);
    prep_norm_ssd(in, n / 3);
    if (net_runner_exec(r->run, e) != 0)
        return err_prefix(e, MODEL);
    r->passes++;
    const float *priors = weights_at(net_model_weights(r->m->net), T_PRIORS)->data;
    size_t anchor = 0;
    for (int j = 0; j < 6; j++) {
        const float *enc = net_runner_output(r->run, 2 * j, NULL);
        const float *cls = net_runner_output(r->run, 2 * j + 1, NULL);
        size_t na = (size_t)head_grid[j] * head_grid[j] * head_anchors[j];
        for (size_t a = 0; a < na; a++, anchor++) {
            if (boxes)
                decode(priors + anchor * 4, enc + a * 4, boxes + anchor * 4);
            if (scores)
                scores[anchor] = 1.0f / (1.0f + expf(-cls[a * 3 + 1]));
        }
    }
    return 0;
}

int ssd_infer(ssd_runner *r, const float *input, float *boxes, float *scores, err *e)
{
    size_t n;
    float *in = net_runner_input(r->run, &n);
    memcpy(in, input, n * sizeof(float));
    return run_decode(r, boxes, scores, e);
}

/* nonMaxSuppression.ts IOU: corners re-ordered, 0 when either area <= 0. */
static double iou(const float *a, const float *b)
{
    double ay0 = fmin(a[0], a[2]), ax0 = fmin(a[1], a[3]), ay1 = fmax(a[0], a[2]), ax1 = fmax(a[1], a[3]);
    double by0 = fmin(b[0], b[2]), bx0 = fmin(b[1], b[3]), by1 = fmax(b[0], b[2]), bx1 = fmax(b[1], b[3]);
    double areaa = (ay1 - ay0) * (ax1 - ax0), areab = (by1 - by0) * (bx1 - bx0);
    if (areaa <= 0 || areab <= 0)
        return 0.0;
    double iy0 = fmax(ay0, by0), ix0 = fmax(ax0, bx0), iy1 = fmin(ay1, by1), ix1 = fmin(ax1, bx1);
    double inter = fmax(iy1 - iy0, 0.0) * fmax(ix1 - ix0, 0.0);
    return inter / (areaa + areab - inter);
}

typedef struct cand {
    float score;
    int idx;
} cand;

/* Descending score; ties keep anchor order (JS sort is stable). */
static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->idx - b->idx;
}

int ssd_postprocess(const float *boxes, const float *scores, int width, int height, const ssd_options *opt,
                    det_list *out, err *e)
{
    ssd_options o = opt ? *opt : ssd_default_options();
    if (width < 1 || height < 1)
        return err_set(e, ERR_INVALID, "%s: image of %dx%d pixels", MODEL, width, height);
    cand *c = malloc(sizeof *c * SSD_NUM_ANCHORS);
    int *kept = malloc(sizeof *kept * SSD_NUM_ANCHORS);
    if (!c || !kept) {
        free(c);
        free(kept);
        return err_set(e, ERR_NOMEM, "%s: out of memory", MODEL);
    }
    int nc = 0, nk = 0;
    for (int i = 0; i < SSD_NUM_ANCHORS; i++)
        if ((double)scores[i] > o.min_score)
            c[nc++] = (cand){ scores[i], i };
    qsort(c, (size_t)nc, sizeof *c, cand_cmp);
    int limit = o.max_results < SSD_NUM_ANCHORS ? o.max_results : SSD_NUM_ANCHORS;
    for (int i = 0; i < nc && nk < limit; i++) {
        int keep = 1;
        for (int j = nk - 1; j >= 0 && keep; j--)
            if (iou(boxes + c[i].idx * 4, boxes + kept[j] * 4) > 0.5)
                keep = 0;
        if (keep)
            kept[nk++] = c[i].idx;
    }
    /* SsdMobilenetv1.ts:50-69: clip to the padded square, scale by 512/reshaped
     * dims, then relative -> pixels. */
    int rw, rh;
    prep_reshaped_dims(width, height, SSD_INPUT_SIZE, &rw, &rh);
    double padx = (double)SSD_INPUT_SIZE / rw, pady = (double)SSD_INPUT_SIZE / rh;
    int rc = 0;
    for (int k = 0; k < nk && rc == 0; k++) {
        const float *b = boxes + kept[k] * 4;
        double top = fmax(0.0, b[0]) * pady, bottom = fmin(1.0, b[2]) * pady;
        double left = fmax(0.0, b[1]) * padx, right = fmin(1.0, b[3]) * padx;
        det_face f = { { left * width, top * height, (right - left) * width, (bottom - top) * height },
                       scores[kept[k]] };
        rc = det_list_push(out, f, e);
    }
    free(c);
    free(kept);
    return rc;
}

/* Detects inside one rectangle of img (the whole image for ssd_detect), boxes
 * appended in img's pixels. */
static int detect_rect(ssd_runner *r, const image *img, prep_rect rect, const ssd_options *opt, det_list *out, err *e)
{
    float *in = net_runner_input(r->run, NULL);
    int rc = opt && opt->antialias ? prep_square_area(img, rect, PREP_PAD_END, SSD_INPUT_SIZE, in, e)
                                   : prep_square(img, rect, PREP_PAD_END, SSD_INPUT_SIZE, in, e);
    if (rc != 0)
        return err_prefix(e, MODEL);
    if (run_decode(r, r->boxes, r->scores, e) != 0)
        return e ? e->code : ERR_INTERNAL;
    size_t first = out->n;
    if ((rc = ssd_postprocess(r->boxes, r->scores, rect.w, rect.h, opt, out, e)) != 0)
        return rc;
    for (size_t i = first; i < out->n; i++)
        out->faces[i].box.x += rect.x, out->faces[i].box.y += rect.y;
    return 0;
}

int ssd_detect(ssd_runner *r, const image *img, const ssd_options *opt, det_list *out, err *e)
{
    if (!img || img->width < 1 || img->height < 1)
        return err_set(e, ERR_INVALID, "%s: empty image", MODEL);
    prep_rect all = { 0, 0, img->width, img->height };
    return detect_rect(r, img, all, opt, out, e);
}

int ssd_detect_canvas(ssd_runner *r, const image *img, const ssd_options *opt, double scale, const float fill[3],
                      det_list *out, err *e)
{
    if (!img || img->width < 1 || img->height < 1)
        return err_set(e, ERR_INVALID, "%s: empty image", MODEL);
    if (!(scale >= 1.0 && scale <= 8.0))
        return err_set(e, ERR_INVALID, "%s: canvas scale %g outside 1..8", MODEL, scale);
    int longest = img->width > img->height ? img->width : img->height;
    int side = (int)ceil(longest * scale);
    int offx = (side - img->width) / 2, offy = (side - img->height) / 2;
    float *in = net_runner_input(r->run, NULL);
    if (prep_canvas(img, side, offx, offy, fill, SSD_INPUT_SIZE, in, e) != 0)
        return err_prefix(e, MODEL);
    if (run_decode(r, r->boxes, r->scores, e) != 0)
        return e ? e->code : ERR_INTERNAL;
    size_t first = out->n;
    int rc = ssd_postprocess(r->boxes, r->scores, side, side, opt, out, e);
    for (size_t i = first; rc == 0 && i < out->n; i++)
        out->faces[i].box.x -= offx, out->faces[i].box.y -= offy;
    return rc;
}

double ssd_confidence(const det_list *l, size_t first)
{
    double sum = 0;
    for (size_t i = first; l && i < l->n; i++) {
        double p = fmin(l->faces[i].score, 0.999);
        if (p > 0.5)
            sum += log(p / (1 - p));
    }
    return sum;
}

int ssd_detect_oriented(ssd_runner *r, const image *img, const ssd_options *opt, double min_confidence, int *degrees,
                        det_list *out, err *e)
{
    *degrees = 0;
    size_t first = out->n;
    int rc = ssd_detect(r, img, opt, out, e);
    double best = ssd_confidence(out, first);
    if (rc != 0 || best >= min_confidence)
        return rc;
    for (int d = 90; d < 360 && rc == 0; d += 90) {
        image rot = { 0 };
        det_list l = { 0 };
        if ((rc = prep_rotate(img, d, &rot, e)) != 0)
            break;
        rc = ssd_detect(r, &rot, opt, &l, e);
        double c = ssd_confidence(&l, 0);
        if (rc == 0 && c > best) { /* strictly better: upright wins ties */
            best = c;
            *degrees = d;
            out->n = first;
            for (size_t i = 0; i < l.n && rc == 0; i++)
                rc = det_list_push(out, l.faces[i], e);
        }
        det_list_free(&l);
        image_free(&rot);
    }
    return rc;
}

ssd_tiling ssd_default_tiling(void)
{
    return (ssd_tiling){ 640, 0.25, 0.3, 16, { 0, 0, 0, 0 } };
}

/* Overlap of a and b relative to the smaller box. */
static double overlap_min(rectd a, rectd b)
{
    double w = fmin(a.x + a.w, b.x + b.w) - fmax(a.x, b.x), h = fmin(a.y + a.h, b.y + b.h) - fmax(a.y, b.y);
    if (w <= 0 || h <= 0)
        return 0;
    double m = fmin(a.w * a.h, b.w * b.h);
    return m > 0 ? w * h / m : 0;
}

/* Tile origins along one axis: tiles of `tile` px overlapping by at least `ov` px,
 * evenly spread so the last tile ends at the edge. */
static int tile_origins(int len, int tile, int ov, int *org, int max)
{
    if (len <= tile) {
        org[0] = 0;
        return 1;
    }
    int n = (int)ceil((double)(len - ov) / (tile - ov));
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++)
        org[i] = (int)floor((double)i * (len - tile) / (n - 1) + 0.5);
    return n;
}

/* One axis of the tiled area: [a0, a0+alen) widened around its centre to a
 * tile where it is narrower, within [0, len). Returned as {x = start, w = length}. */
static prep_rect span_fit(int a0, int alen, int tile, int len)
{
    if (alen >= tile || len <= tile)
        return alen >= tile ? (prep_rect){ a0, 0, alen, 0 } : (prep_rect){ 0, 0, len, 0 };
    int s0 = a0 + alen / 2 - tile / 2;
    s0 = s0 < 0 ? 0 : s0 > len - tile ? len - tile : s0;
    return (prep_rect){ s0, 0, tile, 0 };
}

int ssd_detect_tiled(ssd_runner *r, const image *img, const ssd_options *opt, const ssd_tiling *tiling, det_list *out,
                     err *e)
{
    return ssd_detect_tiled_after(r, img, opt, tiling, NULL, out, e);
}

int ssd_detect_tiled_after(ssd_runner *r, const image *img, const ssd_options *opt, const ssd_tiling *tiling,
                           const det_list *whole, det_list *out, err *e)
{
    ssd_tiling t = tiling ? *tiling : ssd_default_tiling();
    if (!img || img->width < 1 || img->height < 1)
        return err_set(e, ERR_INVALID, "%s: empty image", MODEL);
    if (t.tile < 64 || t.overlap < 0 || t.overlap >= 0.9 || t.max_tiles < 1 || t.max_tiles > 64)
        return err_set(e, ERR_INVALID, "%s: tiles of %d px overlapping %.2f, at most %d", MODEL, t.tile, t.overlap,
                       t.max_tiles);
    /* The part of the image to tile: t.area within the image, at least a tile
     * wide where the image allows (the scale stays that of the tiles). */
    prep_rect a = { 0, 0, img->width, img->height };
    if (t.area.w > 0 && t.area.h > 0) {
        a.x = t.area.x > 0 ? t.area.x : 0;
        a.y = t.area.y > 0 ? t.area.y : 0;
        a.w = (t.area.x + t.area.w < img->width ? t.area.x + t.area.w : img->width) - a.x;
        a.h = (t.area.y + t.area.h < img->height ? t.area.y + t.area.h : img->height) - a.y;
        if (a.w < 1 || a.h < 1)
            return err_set(e, ERR_INVALID, "%s: tiling area (%d,%d %dx%d) outside the %dx%d image", MODEL, t.area.x,
                           t.area.y, t.area.w, t.area.h, img->width, img->height);
    }
    /* Larger tiles (a coarser scale) rather than more passes than max_tiles. */
    for (;;) {
        int ov = (int)(t.tile * t.overlap), ox[64], oy[64];
        prep_rect sx = span_fit(a.x, a.w, t.tile, img->width), sy = span_fit(a.y, a.h, t.tile, img->height);
        int nx = tile_origins(sx.w, t.tile, ov, ox, 64), ny = tile_origins(sy.w, t.tile, ov, oy, 64);
        if (nx * ny <= t.max_tiles)
            break;
        t.tile = t.tile * 5 / 4;
    }
    det_list all = { 0 };
    int rc = 0;
    for (size_t i = 0; whole && i < whole->n && rc == 0; i++)
        rc = det_list_push(&all, whole->faces[i], e);
    if (!whole && rc == 0)
        rc = ssd_detect(r, img, opt, &all, e);
    /* Tiles only when they see the image at a larger scale than the whole-image pass. */
    int longest = img->width > img->height ? img->width : img->height;
    if (rc == 0 && longest > t.tile * 5 / 4) {
        int ox[64], oy[64], ov = (int)(t.tile * t.overlap);
        prep_rect sx = span_fit(a.x, a.w, t.tile, img->width), sy = span_fit(a.y, a.h, t.tile, img->height);
        int nx = tile_origins(sx.w, t.tile, ov, ox, 64), ny = tile_origins(sy.w, t.tile, ov, oy, 64);
        for (int j = 0; j < ny && rc == 0; j++)
            for (int i = 0; i < nx && rc == 0; i++) {
                prep_rect rect = { sx.x + ox[i], sy.x + oy[j], t.tile < sx.w ? t.tile : sx.w,
                                   t.tile < sy.w ? t.tile : sy.w };
                size_t first = all.n;
                rc = detect_rect(r, img, rect, opt, &all, e);
                /* A face cut by an inner tile edge is whole in the neighbouring tile
                 * (or in the whole-image pass): drop the cut part. */
                size_t keep = first;
                for (size_t k = first; rc == 0 && k < all.n; k++) {
                    rectd b = all.faces[k].box;
                    int cut = (rect.x > 0 && b.x < rect.x + 2) || (rect.y > 0 && b.y < rect.y + 2) ||
                              (rect.x + rect.w < img->width && b.x + b.w > rect.x + rect.w - 2) ||
                              (rect.y + rect.h < img->height && b.y + b.h > rect.y + rect.h - 2);
                    if (!cut)
                        all.faces[keep++] = all.faces[k];
                }
                if (rc == 0)
                    all.n = keep;
            }
    }
    if (rc == 0) {
        /* Merge: highest score first; drop a box overlapping a kept one (IoU-like
         * measure on the smaller box, so a partial face inside a whole one goes too). */
        if (all.n > 1)
            qsort(all.faces, all.n, sizeof *all.faces, det_face_cmp_score);
        size_t first = out->n;
        for (size_t k = 0; k < all.n && rc == 0; k++) {
            int keep = 1;
            for (size_t q = first; q < out->n && keep; q++)
                if (overlap_min(all.faces[k].box, out->faces[q].box) > 0.5 ||
                    det_box_iou(all.faces[k].box, out->faces[q].box) > t.merge_iou)
                    keep = 0;
            if (keep)
                rc = det_list_push(out, all.faces[k], e);
        }
    }
    det_list_free(&all);
    return rc;
}
