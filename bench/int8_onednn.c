/* bench/int8_onednn.c — would the SSD's convolutions be faster in int8 on
 * oneDNN (issue 17 part 3)? Every convolution of SSD MobileNetV1 at 512 px
 * (conv0, the 13 depthwise + pointwise pairs, the 8 prediction convolutions),
 * each as a oneDNN 2.6 primitive in fp32 (f32 NHWC, ReLU6 as a clip post-op:
 * what NET_FP32_ONEDNN runs) and in int8 (u8 activations, s8 weights with
 * per-output-channel scales, u8 output whose saturation is the ReLU6; conv0
 * reads s8, the normalised input). One thread; the best of N runs of each in
 * thread CPU time (the fair figure on a shared machine); the kernel oneDNN chose
 * for each. Prints per-kind and total ms and the int8 / fp32 ratio.
 *
 *   bench_int8_onednn [--runs N]
 *
 * Speed only: the weights and activations are constants, so nothing here says
 * how far int8 scores would be from fp32 (that needs the quantised network,
 * not built yet). Run it with ONEDNN_MAX_CPU_ISA=AVX2 to see an AVX2-only CPU
 * (no VNNI: u8 x s8 through vpmaddubsw). Talks to oneDNN itself, on purpose:
 * it probes a path src/nn does not have. */
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct shape {
    const char *kind; /* conv0, dw, pw, pred */
    int h, cin, cout, k, stride;
} shape;

static double thread_cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        dnnl_status_t s_ = (x);                                                                                        \
        if (s_ != dnnl_success) {                                                                                      \
            fprintf(stderr, "bench_int8_onednn: %s: %s\n", #x, dnnl_status2str(s_));                                   \
            goto done;                                                                                                 \
        }                                                                                                              \
    } while (0)

/* ms of the best of runs, or -1; impl gets oneDNN's kernel name. */
static double time_conv(dnnl_engine_t eng, dnnl_stream_t st, const shape *s, int int8, int runs, char *impl,
                        size_t implsz)
{
    double best = -1;
    const int dw = !strcmp(s->kind, "dw");
    const int ho = (s->h + s->stride - 1) / s->stride;
    const int total = (ho - 1) * s->stride + s->k - s->h;
    const int pad_lo = total > 0 ? total / 2 : 0, pad_hi = total > 0 ? total - total / 2 : 0;
    const dnnl_data_type_t src_dt = int8 ? (!strcmp(s->kind, "conv0") ? dnnl_s8 : dnnl_u8) : dnnl_f32;
    const dnnl_data_type_t dst_dt = int8 ? dnnl_u8 : dnnl_f32, w_dt = int8 ? dnnl_s8 : dnnl_f32;
    dnnl_memory_desc_t smd, dmd, wmd, bmd;
    dnnl_dims_t sd = { 1, s->cin, s->h, s->h }, dd = { 1, s->cout, ho, ho }, bd = { s->cout };
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t p = NULL;
    dnnl_memory_t m[4] = { 0 };
    float *scales = NULL;
    TRY(dnnl_memory_desc_init_by_tag(&smd, 4, sd, src_dt, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&dmd, 4, dd, dst_dt, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_a));
    if (dw) {
        dnnl_dims_t wd = { s->cout, 1, 1, s->k, s->k };
        TRY(dnnl_memory_desc_init_by_tag(&wmd, 5, wd, w_dt, dnnl_format_tag_any));
    } else {
        dnnl_dims_t wd = { s->cout, s->cin, s->k, s->k };
        TRY(dnnl_memory_desc_init_by_tag(&wmd, 4, wd, w_dt, dnnl_format_tag_any));
    }
    dnnl_dims_t str = { s->stride, s->stride }, pl = { pad_lo, pad_lo }, pr = { pad_hi, pad_hi };
    dnnl_convolution_desc_t cd;
    TRY(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &smd, &wmd, &bmd, &dmd,
                                           str, pl, pr));
    TRY(dnnl_primitive_attr_create(&attr));
    if (int8) { /* per output channel, as quantised weights need */
        scales = malloc(sizeof(float) * (size_t)s->cout);
        for (int c = 0; c < s->cout; c++)
            scales[c] = 0.01f + 0.0001f * (float)c;
        TRY(dnnl_primitive_attr_set_output_scales(attr, s->cout, 1 << 1, scales));
    } else {
        TRY(dnnl_post_ops_create(&po));
        TRY(dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f));
        TRY(dnnl_primitive_attr_set_post_ops(attr, po));
    }
    TRY(dnnl_primitive_desc_create(&pd, &cd, attr, eng, NULL));
    const char *name = NULL;
    TRY(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name));
    snprintf(impl, implsz, "%s", name ? name : "?");
    const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    TRY(dnnl_primitive_create(&p, pd));
    const dnnl_memory_desc_t *mds[4] = { &smd, wq, &bmd, &dmd };
    for (int i = 0; i < 4; i++) {
        TRY(dnnl_memory_create(&m[i], mds[i], eng, DNNL_MEMORY_ALLOCATE));
        void *h = NULL;
        TRY(dnnl_memory_get_data_handle(m[i], &h));
        memset(h, i == 2 ? 0 : 1, dnnl_memory_desc_get_size(mds[i]));
    }
    dnnl_exec_arg_t args[4] = {
        { DNNL_ARG_SRC, m[0] }, { DNNL_ARG_WEIGHTS, m[1] }, { DNNL_ARG_BIAS, m[2] }, { DNNL_ARG_DST, m[3] }
    };
    for (int r = 0; r < runs + 1; r++) {
        double t0 = thread_cpu_ms();
        TRY(dnnl_primitive_execute(p, st, 4, args));
        TRY(dnnl_stream_wait(st));
        double t = thread_cpu_ms() - t0;
        if (r > 0 && (best < 0 || t < best))
            best = t;
    }
done:
    for (int i = 0; i < 4; i++)
        if (m[i])
            dnnl_memory_destroy(m[i]);
    if (p)
        dnnl_primitive_destroy(p);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (po)
        dnnl_post_ops_destroy(po);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    free(scales);
    return best;
}

int main(int argc, char **argv)
{
    int runs = 10;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc && atoi(argv[i + 1]) > 0)
            runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_int8_onednn [--runs N]\n");
            return 2;
        }
    }
    /* SSD MobileNetV1 at 512 (src/vision/ssd.c): conv0, pairs 1..13, prediction convs 0..7. */
    static const int pw_out[14] = { 0, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024 };
    shape sh[64];
    int n = 0, h = 512, c = 3;
    sh[n++] = (shape){ "conv0", h, c, 32, 3, 2 };
    h = 256, c = 32;
    for (int i = 1; i <= 13; i++) {
        int stride = (i == 2 || i == 4 || i == 6 || i == 12) ? 2 : 1;
        sh[n++] = (shape){ "dw", h, c, c, 3, stride };
        h = (h + stride - 1) / stride;
        sh[n++] = (shape){ "pw", h, c, pw_out[i], 1, 1 };
        c = pw_out[i];
    }
    static const int pred_out[8] = { 256, 512, 128, 256, 128, 256, 64, 128 };
    for (int k = 0; k < 8; k++) {
        int stride = (k & 1) ? 2 : 1, kk = (k & 1) ? 3 : 1;
        sh[n++] = (shape){ "pred", h, c, pred_out[k], kk, stride };
        h = (h + stride - 1) / stride;
        c = pred_out[k];
    }
    omp_set_num_threads(1);
    dnnl_engine_t eng = NULL;
    dnnl_stream_t st = NULL;
    if (dnnl_engine_create(&eng, dnnl_cpu, 0) != dnnl_success ||
        dnnl_stream_create(&st, eng, dnnl_stream_default_flags) != dnnl_success) {
        fprintf(stderr, "bench_int8_onednn: no oneDNN CPU engine\n");
        return 1;
    }
    const char *isa = getenv("ONEDNN_MAX_CPU_ISA");
    printf("SSD MobileNetV1 512 convolutions on oneDNN, 1 thread, best of %d (thread CPU ms); ONEDNN_MAX_CPU_ISA=%s\n",
           runs, isa ? isa : "(unset: this CPU's best)");
    const char *kinds[4] = { "conv0", "dw", "pw", "pred" };
    double sum[4][2] = { { 0 } };
    char impl32[64] = "", impl8[64] = "", ex32[4][64] = { { 0 } }, ex8[4][64] = { { 0 } };
    int rc = 0;
    for (int i = 0; i < n; i++) {
        double f = time_conv(eng, st, &sh[i], 0, runs, impl32, sizeof impl32);
        double q = time_conv(eng, st, &sh[i], 1, runs, impl8, sizeof impl8);
        if (f < 0 || q < 0) {
            rc = 1;
            continue;
        }
        for (int k = 0; k < 4; k++)
            if (!strcmp(sh[i].kind, kinds[k])) {
                sum[k][0] += f, sum[k][1] += q;
                snprintf(ex32[k], sizeof ex32[k], "%s", impl32);
                snprintf(ex8[k], sizeof ex8[k], "%s", impl8);
            }
    }
    printf("%-6s %10s %10s %7s   %s\n", "kind", "fp32 ms", "int8 ms", "ratio", "kernels (fp32 / int8)");
    double t32 = 0, t8 = 0;
    for (int k = 0; k < 4; k++) {
        printf("%-6s %10.2f %10.2f %6.2fx   %s / %s\n", kinds[k], sum[k][0], sum[k][1],
               sum[k][1] > 0 ? sum[k][0] / sum[k][1] : 0, ex32[k], ex8[k]);
        t32 += sum[k][0], t8 += sum[k][1];
    }
    printf("%-6s %10.2f %10.2f %6.2fx   (int8 speed only: its accuracy is not measured here)\n", "all", t32, t8,
           t8 > 0 ? t32 / t8 : 0);
    dnnl_stream_destroy(st);
    dnnl_engine_destroy(eng);
    return rc;
}
