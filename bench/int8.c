/* bench/int8.c — would an int8 SSD be faster? The go/no-go measurement for
 * issue 3's "lower precision" lever: SSD MobileNetV1 (512) with its real
 * weights, once in fp32 and once through XNNPACK's QS8 path (qint8 activations,
 * per-output-channel qcint8 weights from each filter's max |w|, qcint32 bias,
 * fp32<->qint8 converts at the input and before the box heads, which stay fp32),
 * each pass on one thread (NULL thread pool).
 *
 *   bench_int8 [--models DIR] [--runs N] [--parallel P] [IMG]
 *
 * Prints, per precision, the best-of-N ms per pass (wall and thread CPU time:
 * on a machine shared with other work the CPU time is the figure to compare)
 * with P independent runners in parallel (default: 1, then 2), the GFLOP/s
 * equivalent (fp32 FLOP count / time), and the library's own fp32 ssd_infer as
 * the reference. With IMG (default: the first demo photo) it also prints how far
 * the int8 scores are from the fp32 ones — activation scales here are a fixed
 * guess (ReLU6 range [0,6]), not a calibration: a first look at the accuracy.
 *
 * This program talks to XNNPACK itself, on purpose: it probes a path the
 * library does not have (nn.c is fp32 only), so it is tied to Debian 12's
 * 0.0~git20220216 snapshot like nn.c. Measured 2026-12-01 on the 2-vCPU Xeon
 * (AMX, AVX512-VNNI): fp32 ~64 ms CPU per pass, int8 ~66 ms — no faster; the
 * snapshot has no VNNI or AMX int8 kernels (objdump finds no vpdpbusd): its QC8
 * 1x1 convolutions run at 0.8-0.93x fp32 (1.4x only at 16x16x1024, where the
 * fp32 weights leave L2), depthwise at 0.5x. On a 2-vCPU AMD EPYC (Zen 5,
 * AVX512-VNNI and -BF16, no AMX), same day: fp32 45 ms, int8 34 ms, bf16 on
 * oneDNN 18.9 ms. No-go for int8 on this XNNPACK: bf16 beats it on both.
 *
 * The lever that did pay: bf16 on oneDNN with AMX or AMD's AVX512-BF16 (ssd_runner_new with NET_BF16,
 * nn/bf16net.c). When bf16net_available(), the library's bf16 runner is
 * measured next to its fp32 one (same passes, same figures), and, each in a
 * child process, the resident memory of one model + 2 runners with one pass
 * each: fp32 (FACETAG_NO_BF16=1, so the model holds no bf16 weights) against
 * bf16 (the model then holds only the bf16 net: ssd_load builds the XNNPACK
 * graph for the first fp32 runner). */
#include "media/image.h"
#include "nn/bf16net.h"
#include "nn/weights.h"
#include "vision/prep.h"
#include "vision/ssd.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <xnnpack.h>

#define MODEL "ssd_mobilenetv1_model"
#define MAXT 160

static const int pw_out[14] = { 0, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024 };
static const int pred_out[8] = { 256, 512, 128, 256, 128, 256, 64, 128 };
static const int head_anchors[6] = { 3, 6, 6, 6, 6, 6 };

/* ---- the layer table, built from the same shape walk as the graph ---- */

static weights_spec table[MAXT];
static char names[MAXT][96];
static size_t ntable;

static void spec(const char *name, int ndim, int a, int b, int c, int d)
{
    snprintf(names[ntable], sizeof names[ntable], "%s", name);
    table[ntable] = (weights_spec){ names[ntable], ndim, { a, b, c, d } };
    ntable++;
}

static void build_table(void)
{
    char n[96];
    spec("MobilenetV1/Conv2d_0_pointwise/weights", 4, 3, 3, 3, 32);
    spec("MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset", 1, 32, 0, 0, 0);
    int c = 32;
    for (int i = 1; i <= 13; i++) {
        static const char *bn[4] = { "gamma", "beta", "moving_mean", "moving_variance" };
        snprintf(n, sizeof n, "MobilenetV1/Conv2d_%d_depthwise/depthwise_weights", i);
        spec(n, 4, 3, 3, c, 1);
        for (int k = 0; k < 4; k++) {
            snprintf(n, sizeof n, "MobilenetV1/Conv2d_%d_depthwise/BatchNorm/%s", i, bn[k]);
            spec(n, 1, c, 0, 0, 0);
        }
        snprintf(n, sizeof n, "MobilenetV1/Conv2d_%d_pointwise/weights", i);
        spec(n, 4, 1, 1, c, pw_out[i]);
        snprintf(n, sizeof n, "MobilenetV1/Conv2d_%d_pointwise/convolution_bn_offset", i);
        spec(n, 1, pw_out[i], 0, 0, 0);
        c = pw_out[i];
    }
    for (int k = 0; k < 8; k++) {
        int kh = (k & 1) ? 3 : 1;
        snprintf(n, sizeof n, "Prediction/Conv2d_%d_pointwise/weights", k);
        spec(n, 4, kh, kh, c, pred_out[k]);
        snprintf(n, sizeof n, "Prediction/Conv2d_%d_pointwise/convolution_bn_offset", k);
        spec(n, 1, pred_out[k], 0, 0, 0);
        c = pred_out[k];
    }
    static const int head_cin[6] = { 512, 1024, 512, 256, 256, 128 };
    for (int j = 0; j < 6; j++) {
        int a = head_anchors[j];
        snprintf(n, sizeof n, "Prediction/BoxPredictor_%d/BoxEncodingPredictor/weights", j);
        spec(n, 4, 1, 1, head_cin[j], a * 4);
        snprintf(n, sizeof n, "Prediction/BoxPredictor_%d/BoxEncodingPredictor/biases", j);
        spec(n, 1, a * 4, 0, 0, 0);
        snprintf(n, sizeof n, "Prediction/BoxPredictor_%d/ClassPredictor/weights", j);
        spec(n, 4, 1, 1, head_cin[j], a * 3);
        snprintf(n, sizeof n, "Prediction/BoxPredictor_%d/ClassPredictor/biases", j);
        spec(n, 1, a * 3, 0, 0, 0);
    }
}

/* ---- the XNNPACK graph, fp32 or qs8 ---------------------------------- */

#define CK(x)                                                                                                          \
    do {                                                                                                               \
        enum xnn_status s_ = (x);                                                                                      \
        if (s_ != xnn_status_success) {                                                                                \
            fprintf(stderr, "bench_int8: XNNPACK status %d at line %d\n", (int)s_, __LINE__);                          \
            exit(1);                                                                                                   \
        }                                                                                                              \
    } while (0)

/* Activation quantisation: ReLU6 outputs cover [0,6]; the input x/127.5-1 [-1,1]. */
#define RELU6_SCALE (6.0f / 255.0f)
#define RELU6_ZP (-128)
#define INPUT_SCALE (2.0f / 255.0f)
#define INPUT_ZP 0

typedef struct builder {
    xnn_subgraph_t sg;
    int q;        /* 1: qs8 body */
    double flops; /* fp32-equivalent */
    void *keep[512];
    int nkeep;
} builder;

typedef struct tval {
    uint32_t id;
    int h, w, c;
    float scale; /* qs8 values */
    int zp;
} tval;

/* Memory that must outlive the runtimes (static weights), freed at the end. */
static void *keep_ptr(builder *b, void *p)
{
    if (!p || b->nkeep == 512) {
        fprintf(stderr, "bench_int8: out of memory\n");
        exit(1);
    }
    return b->keep[b->nkeep++] = p;
}

static void *keep(builder *b, size_t bytes)
{
    return keep_ptr(b, calloc(1, bytes + XNN_EXTRA_BYTES));
}

static tval value(builder *b, int h, int w, int c, int q, float scale, int zp, uint32_t ext, uint32_t flags)
{
    size_t d[4] = { 1, (size_t)h, (size_t)w, (size_t)c };
    tval v = { XNN_INVALID_VALUE_ID, h, w, c, scale, zp };
    if (q)
        CK(xnn_define_quantized_tensor_value(b->sg, xnn_datatype_qint8, zp, scale, 4, d, NULL, ext, flags, &v.id));
    else
        CK(xnn_define_tensor_value(b->sg, xnn_datatype_fp32, 4, d, NULL, ext, flags, &v.id));
    return v;
}

/* Convolution (depthwise when dw) of x with an HWIO filter ([kh,kw,c,1] for dw)
 * and bias; TF 'same' padding; ReLU6 when relu6, else none. q: int8 in and out. */
static tval conv(builder *b, tval x, const float *filt, const float *bias, int k, int stride, int cout, int dw,
                 int relu6, int q, const tval *out)
{
    int cin = x.c;
    if (dw)
        cout = cin;
    int oh = (x.h + stride - 1) / stride, ow = (x.w + stride - 1) / stride;
    int th = (oh - 1) * stride + k - x.h, tw = (ow - 1) * stride + k - x.w;
    th = th < 0 ? 0 : th;
    tw = tw < 0 ? 0 : tw;
    size_t wd[4] = { dw ? 1 : (size_t)cout, (size_t)k, (size_t)k, dw ? (size_t)cin : (size_t)cin };
    size_t bd[1] = { (size_t)cout }, n = (size_t)k * k * cin * (dw ? 1 : cout);
    /* HWIO -> OHWI ([1,kh,kw,c] for dw is the same bytes as [kh,kw,c,1]). */
    float *w = malloc(sizeof(float) * n);
    for (int y = 0; y < k; y++)
        for (int xx = 0; xx < k; xx++)
            for (int i = 0; i < cin; i++)
                for (int o = 0; o < (dw ? 1 : cout); o++) {
                    size_t src = ((size_t)(y * k + xx) * cin + i) * (dw ? 1 : cout) + o;
                    size_t dst = dw ? (size_t)(y * k + xx) * cin + i : ((size_t)(o * k + y) * k + xx) * cin + i;
                    w[dst] = filt[src];
                }
    uint32_t wid, bid;
    tval y;
    if (q) {
        float *ws = keep(b, sizeof(float) * cout), *bs = keep(b, sizeof(float) * cout);
        int8_t *wq = keep(b, n);
        int32_t *bq = keep(b, sizeof(int32_t) * cout);
        for (size_t i = 0; i < n; i++) { /* ws = max |w| per output channel for now */
            int o = dw ? (int)(i % cin) : (int)(i / (n / cout));
            ws[o] = fmaxf(ws[o], fabsf(w[i]));
        }
        for (int o = 0; o < cout; o++) {
            ws[o] = ws[o] > 0 ? ws[o] / 127.0f : 1.0f;
            bs[o] = ws[o] * x.scale;
            bq[o] = (int32_t)lrint(bias[o] / bs[o]);
        }
        for (size_t i = 0; i < n; i++) {
            int o = dw ? (int)(i % cin) : (int)(i / (n / cout));
            wq[i] = (int8_t)lrintf(w[i] / ws[o]);
        }
        CK(xnn_define_channelwise_quantized_tensor_value(b->sg, xnn_datatype_qcint8, ws, 4, dw ? 3 : 0, wd, wq,
                                                         XNN_INVALID_VALUE_ID, 0, &wid));
        CK(xnn_define_channelwise_quantized_tensor_value(b->sg, xnn_datatype_qcint32, bs, 1, 0, bd, bq,
                                                         XNN_INVALID_VALUE_ID, 0, &bid));
        y = out ? *out : value(b, oh, ow, cout, 1, RELU6_SCALE, RELU6_ZP, XNN_INVALID_VALUE_ID, 0);
        free(w);
    } else {
        float *bf = keep(b, sizeof(float) * cout);
        memcpy(bf, bias, sizeof(float) * cout);
        keep_ptr(b, w);
        CK(xnn_define_tensor_value(b->sg, xnn_datatype_fp32, 4, wd, w, XNN_INVALID_VALUE_ID, 0, &wid));
        CK(xnn_define_tensor_value(b->sg, xnn_datatype_fp32, 1, bd, bf, XNN_INVALID_VALUE_ID, 0, &bid));
        y = out ? *out : value(b, oh, ow, cout, 0, 0, 0, XNN_INVALID_VALUE_ID, 0);
    }
    float lo = relu6 ? 0.0f : -INFINITY, hi = relu6 ? 6.0f : INFINITY;
    if (dw)
        CK(xnn_define_depthwise_convolution_2d(b->sg, th / 2, tw - tw / 2, th - th / 2, tw / 2, k, k, stride, stride, 1,
                                               1, 1, cin, lo, hi, x.id, wid, bid, y.id, 0));
    else
        CK(xnn_define_convolution_2d(b->sg, th / 2, tw - tw / 2, th - th / 2, tw / 2, k, k, stride, stride, 1, 1, 1,
                                     cin, cout, lo, hi, x.id, wid, bid, y.id, 0));
    b->flops += 2.0 * oh * ow * cout * k * k * (dw ? 1 : cin);
    return y;
}

/* BatchNorm folded into depthwise i (as ssd.c does). */
static void fold(const weights *wt, size_t t, float **f, float **bias)
{
    const wtensor *w = weights_at(wt, t), *g = w + 1, *be = w + 2, *mu = w + 3, *var = w + 4;
    int c = w->shape[2];
    *f = malloc(sizeof(float) * w->count);
    *bias = malloc(sizeof(float) * c);
    for (int ch = 0; ch < c; ch++) {
        double s = (double)g->data[ch] / sqrt((double)var->data[ch] + 0.0010000000474974513);
        for (int k = 0; k < 9; k++)
            (*f)[k * c + ch] = (float)(w->data[k * c + ch] * s);
        (*bias)[ch] = (float)(be->data[ch] - mu->data[ch] * s);
    }
}

/* External ids: 0 input, 1..12 outputs (2j+1 box encodings, 2j+2 class logits). */
static xnn_subgraph_t build(builder *b, const weights *wt, int q)
{
    memset(b, 0, sizeof *b);
    b->q = q;
    CK(xnn_create_subgraph(13, 0, &b->sg));
    tval in = value(b, SSD_INPUT_SIZE, SSD_INPUT_SIZE, 3, 0, 0, 0, 0, XNN_VALUE_FLAG_EXTERNAL_INPUT);
    tval x = in;
    if (q) {
        x = value(b, in.h, in.w, 3, 1, INPUT_SCALE, INPUT_ZP, XNN_INVALID_VALUE_ID, 0);
        CK(xnn_define_convert(b->sg, in.id, x.id, 0));
    }
#define W(i) (weights_at(wt, (size_t)(i))->data)
    x = conv(b, x, W(0), W(1), 3, 2, 32, 0, 1, q, NULL);
    tval feat[6];
    for (int i = 1; i <= 13; i++) {
        size_t t = 2 + (size_t)(i - 1) * 7;
        int stride = (i == 2 || i == 4 || i == 6 || i == 12) ? 2 : 1;
        float *f, *bias;
        fold(wt, t, &f, &bias);
        x = conv(b, x, f, bias, 3, stride, 0, 1, 1, q, NULL);
        free(f);
        free(bias);
        x = conv(b, x, W(t + 5), W(t + 6), 1, 1, pw_out[i], 0, 1, q, NULL);
        if (i == 11)
            feat[0] = x;
    }
    feat[1] = x;
    size_t t = 2 + 13 * 7;
    for (int k = 0; k < 8; k++) {
        x = conv(b, x, W(t + 2 * k), W(t + 2 * k + 1), (k & 1) ? 3 : 1, (k & 1) ? 2 : 1, pred_out[k], 0, 1, q, NULL);
        if (k & 1)
            feat[2 + k / 2] = x;
    }
    t += 16;
    for (int j = 0; j < 6; j++) {
        tval f = feat[j];
        if (q) { /* heads in fp32: costs nothing measurable, keeps the logits exact-ish */
            tval ff = value(b, f.h, f.w, f.c, 0, 0, 0, XNN_INVALID_VALUE_ID, 0);
            CK(xnn_define_convert(b->sg, f.id, ff.id, 0));
            f = ff;
        }
        for (int o = 0; o < 2; o++) {
            int cout = head_anchors[j] * (o ? 3 : 4);
            tval out = value(b, f.h, f.w, cout, 0, 0, 0, (uint32_t)(1 + 2 * j + o), XNN_VALUE_FLAG_EXTERNAL_OUTPUT);
            conv(b, f, W(t + 4 * j + 2 * o), W(t + 4 * j + 2 * o + 1), 1, 1, cout, 0, 0, 0, &out);
        }
    }
#undef W
    return b->sg;
}

/* ---- running --------------------------------------------------------- */

typedef struct runner {
    xnn_runtime_t rt;
    float *in, *out[12];
    size_t outn[12];
} runner;

static void runner_new(runner *r, xnn_subgraph_t sg)
{
    CK(xnn_create_runtime_v2(sg, NULL, 0, &r->rt));
    struct xnn_external_value ev[13];
    r->in = calloc((size_t)SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3 * sizeof(float) + XNN_EXTRA_BYTES, 1);
    ev[0] = (struct xnn_external_value){ 0, r->in };
    static const int grid[6] = { 32, 16, 8, 4, 2, 1 };
    for (int k = 0; k < 12; k++) {
        r->outn[k] = (size_t)grid[k / 2] * grid[k / 2] * head_anchors[k / 2] * (k & 1 ? 3 : 4);
        r->out[k] = calloc(r->outn[k] * sizeof(float) + XNN_EXTRA_BYTES, 1);
        ev[k + 1] = (struct xnn_external_value){ (uint32_t)(k + 1), r->out[k] };
    }
    CK(xnn_setup_runtime(r->rt, 13, ev));
}

static void runner_free(runner *r)
{
    xnn_delete_runtime(r->rt);
    free(r->in);
    for (int k = 0; k < 12; k++)
        free(r->out[k]);
}

static double now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct job {
    runner *r;      /* XNNPACK probe graph, or NULL ... */
    ssd_runner *sr; /* ... the library's fp32 SSD */
    const float *input;
    int runs;
    double best_wall, best_cpu, sum_wall;
} job;

static void *job_run(void *arg)
{
    job *j = arg;
    j->best_wall = j->best_cpu = INFINITY;
    j->sum_wall = 0;
    for (int k = -1; k < j->runs; k++) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        if (j->r) {
            memcpy(j->r->in, j->input, sizeof(float) * SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3);
            prep_norm_ssd(j->r->in, (size_t)SSD_INPUT_SIZE * SSD_INPUT_SIZE);
            CK(xnn_invoke_runtime(j->r->rt));
        } else {
            err e = { 0 };
            if (ssd_infer(j->sr, j->input, NULL, NULL, &e) != 0) {
                fprintf(stderr, "bench_int8: %s\n", e.msg);
                exit(1);
            }
        }
        double w = now(CLOCK_MONOTONIC) - w0, c = now(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (k < 0)
            continue; /* warm-up */
        j->sum_wall += w;
        if (w < j->best_wall)
            j->best_wall = w;
        if (c < j->best_cpu)
            j->best_cpu = c;
    }
    return NULL;
}

/* P parallel runners of one kind (sg, or the library's runner of precision
 * prec on m); prints one line. */
static void measure(const char *label, xnn_subgraph_t sg, ssd_model *m, net_precision prec, const float *input,
                    int runs, int p, double flops)
{
    runner r[8];
    ssd_runner *sr[8] = { 0 };
    job jobs[8];
    pthread_t th[8];
    for (int i = 0; i < p; i++) {
        err e = { 0 };
        if (sg)
            runner_new(&r[i], sg);
        else if (!(sr[i] = ssd_runner_new(m, NULL, prec, &e))) {
            fprintf(stderr, "bench_int8: %s\n", e.msg);
            exit(1);
        }
        jobs[i] = (job){ sg ? &r[i] : NULL, sr[i], input, runs, 0, 0, 0 };
    }
    for (int i = 0; i < p; i++)
        pthread_create(&th[i], NULL, job_run, &jobs[i]);
    double bw = INFINITY, bc = INFINITY, mean = 0;
    for (int i = 0; i < p; i++) {
        pthread_join(th[i], NULL);
        bw = fmin(bw, jobs[i].best_wall);
        bc = fmin(bc, jobs[i].best_cpu);
        mean += jobs[i].sum_wall / runs / p;
    }
    printf("%-26s %d runner(s): best %6.2f ms/pass wall, %6.2f ms CPU, mean %6.2f ms wall; GFLOP/s-eq per "
           "runner %5.1f (best wall), %5.1f (CPU)\n",
           label, p, bw, bc, mean, flops / bw / 1e6, flops / bc / 1e6);
    for (int i = 0; i < p; i++) {
        if (sg)
            runner_free(&r[i]);
        ssd_runner_free(sr[i]);
    }
}

/* Resident set of this process in MB (/proc/self/status VmRSS). */
static double rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb / 1024;
}

/* In a child process (a fresh heap): RSS after ssd_load, and after 2 runners of
 * precision prec have made one pass each. */
static void rss_child(const char *models, net_precision prec)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_int8: fork");
        return;
    }
    if (pid > 0) {
        int status;
        waitpid(pid, &status, 0);
        return;
    }
    if (prec == NET_FP32)
        setenv("FACETAG_NO_BF16", "1", 1);
    err e = { 0 };
    double r0 = rss_mb();
    ssd_model *m = ssd_load(models, &e);
    double r1 = rss_mb();
    ssd_runner *r[2] = { 0 };
    static float input[SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3];
    for (int i = 0; m && i < 2; i++)
        if (!(r[i] = ssd_runner_new(m, NULL, prec, &e)) || ssd_infer(r[i], input, NULL, NULL, &e) != 0)
            break;
    if (!r[0] || !r[1]) {
        fprintf(stderr, "bench_int8: %s\n", e.msg);
        _exit(1);
    }
    double r2 = rss_mb();
    printf("RSS %s: process before the model %.1f MB, + model %.1f MB, + 2 runners after a pass %.1f MB; "
           "model + 2 runners %.1f MB\n",
           prec == NET_BF16 ? "bf16 (the model holds the bf16 net)" : "fp32 (FACETAG_NO_BF16=1)          ", r0, r1 - r0,
           r2 - r1, r2 - r0);
    fflush(stdout);
    _exit(0);
}

/* Sigmoid of the face logit of every anchor, in head order (ssd.c's order). */
static void scores(const runner *r, float *s)
{
    size_t a = 0;
    for (int j = 0; j < 6; j++)
        for (size_t i = 0; i < r->outn[2 * j + 1] / 3; i++)
            s[a++] = 1.0f / (1.0f + expf(-r->out[2 * j + 1][i * 3 + 1]));
}

int main(int argc, char **argv)
{
    const char *models = getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
    const char *img_path = NULL;
    int runs = 10, parallel = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--models") == 0 && i + 1 < argc)
            models = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc)
            parallel = atoi(argv[++i]);
        else if (argv[i][0] != '-' && !img_path)
            img_path = argv[i];
        else {
            fprintf(stderr, "usage: bench_int8 [--models DIR] [--runs N] [--parallel P] [IMG]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > 1000 || parallel < 0 || parallel > 8) {
        fprintf(stderr, "bench_int8: --runs in 1..1000, --parallel in 1..8\n");
        return 2;
    }
    char def[4096];
    if (!img_path) {
        snprintf(def, sizeof def, "%s/../demo/sample1.jpg", models);
        img_path = def;
    }
    if (bf16net_available()) {
        rss_child(models, NET_FP32);
        rss_child(models, NET_BF16);
    }
    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_int8: %s\n", e.msg);
        return 1;
    }
    build_table();
    weights *wt = NULL;
    ssd_model *m = NULL;
    image img = { 0 };
    static float input[SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3];
    if (weights_load(models, MODEL, table, ntable, &wt, &e) != 0 || !(m = ssd_load(models, &e)) ||
        image_load_rgb(img_path, 1, 0, &img, &e) != 0 ||
        prep_square_image(&img, PREP_PAD_END, SSD_INPUT_SIZE, input, &e) != 0) {
        fprintf(stderr, "bench_int8: %s\n", e.msg);
        return 1;
    }
    CK(xnn_initialize(NULL));
    builder bf, bq;
    xnn_subgraph_t sgf = build(&bf, wt, 0), sgq = build(&bq, wt, 1);
    printf("bench_int8: SSD MobileNetV1 512, %.2f GFLOP per pass, %d runs (best of), 1 thread per runner, "
           "image %s; bf16: %s (oneDNN ISA %s)\n",
           bf.flops / 1e9, runs, img_path, bf16net_available() ? "measured" : "unavailable, not measured",
           bf16net_isa());
    for (int p = parallel ? parallel : 1; p <= (parallel ? parallel : 2); p++) {
        measure("fp32 (library ssd_infer)", NULL, m, NET_FP32, input, runs, p, bf.flops);
        if (bf16net_available())
            measure("bf16 (library, oneDNN)    ", NULL, m, NET_BF16, input, runs, p, bf.flops);
        measure("fp32 (this graph)", sgf, NULL, NET_FP32, input, runs, p, bf.flops);
        measure("int8 QS8 (this graph)", sgq, NULL, NET_FP32, input, runs, p, bf.flops);
    }
    /* Scores: int8 against fp32 on the image. */
    runner rf, rq;
    runner_new(&rf, sgf);
    runner_new(&rq, sgq);
    job jf = { &rf, NULL, input, 1, 0, 0, 0 }, jq = { &rq, NULL, input, 1, 0, 0, 0 };
    job_run(&jf);
    job_run(&jq);
    static float sf[SSD_NUM_ANCHORS], sq[SSD_NUM_ANCHORS], sl[SSD_NUM_ANCHORS];
    scores(&rf, sf);
    scores(&rq, sq);
    ssd_runner *lib = ssd_runner_new(m, NULL, NET_FP32, &e);
    if (!lib || ssd_infer(lib, input, NULL, sl, &e) != 0) {
        fprintf(stderr, "bench_int8: %s\n", e.msg);
        return 1;
    }
    ssd_runner_free(lib);
    double maxd = 0, maxl = 0;
    for (int a = 0; a < SSD_NUM_ANCHORS; a++)
        maxl = fmax(maxl, fabs(sf[a] - sl[a]));
    printf("this fp32 graph against the library's ssd_infer: max |score diff| %.2g\n", maxl);
    int nf = 0, nq = 0;
    for (int a = 0; a < SSD_NUM_ANCHORS; a++) {
        if (sf[a] > 0.05 || sq[a] > 0.05)
            maxd = fmax(maxd, fabs(sf[a] - sq[a]));
        nf += sf[a] > 0.5;
        nq += sq[a] > 0.5;
    }
    printf("scores (fixed activation scales, no calibration): anchors > 0.5 fp32 %d, int8 %d; max |diff| over "
           "anchors > 0.05: %.3f\n",
           nf, nq, maxd);
    runner_free(&rf);
    runner_free(&rq);
    xnn_delete_subgraph(sgf);
    xnn_delete_subgraph(sgq);
    for (int i = 0; i < bf.nkeep; i++)
        free(bf.keep[i]);
    for (int i = 0; i < bq.nkeep; i++)
        free(bq.keep[i]);
    ssd_free(m);
    weights_free(wt);
    image_free(&img);
    return 0;
}
