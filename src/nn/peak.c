/* peak.c — the fp32 FMA peak of this machine (peak.h). */
#include "nn/peak.h"

#include "nn/bf16net.h"

#include <immintrin.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

typedef struct peak_arg {
    int bits, ms;
    double flops, cpu_s;
    float sink;
} peak_arg;

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* n rounds of CHAINS independent FMA chains, x = x * b + c, in named
 * variables so that they stay in registers (an array is kept in memory, and
 * the store-to-load latency would be measured instead of the FMA pipes). Ten
 * chains cover two pipes of up to five cycles' latency. */
#define CHAINS 10
#define PEAK_BODY(T, SET1, STEP, ADD)                                                                                  \
    T b = SET1(0.999999f), c = SET1(1e-6f);                                                                            \
    T x0 = SET1(0.f), x1 = SET1(1.f), x2 = SET1(2.f), x3 = SET1(3.f), x4 = SET1(4.f);                                  \
    T x5 = SET1(5.f), x6 = SET1(6.f), x7 = SET1(7.f), x8 = SET1(8.f), x9 = SET1(9.f);                                  \
    for (long i = 0; i < n; i++) {                                                                                     \
        x0 = STEP(x0, b, c), x1 = STEP(x1, b, c), x2 = STEP(x2, b, c), x3 = STEP(x3, b, c);                            \
        x4 = STEP(x4, b, c), x5 = STEP(x5, b, c), x6 = STEP(x6, b, c), x7 = STEP(x7, b, c);                            \
        x8 = STEP(x8, b, c), x9 = STEP(x9, b, c);                                                                      \
    }                                                                                                                  \
    T s = ADD(ADD(ADD(ADD(x0, x1), ADD(x2, x3)), ADD(ADD(x4, x5), ADD(x6, x7))), ADD(x8, x9))

#define MUL_ADD128(x, b, c) _mm_add_ps(_mm_mul_ps((x), (b)), (c))

__attribute__((target("avx512f"))) static float fma512(long n)
{
    PEAK_BODY(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float fma256(long n)
{
    PEAK_BODY(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps);
    float f[8];
    _mm256_storeu_ps(f, s);
    return f[0] + f[7];
}

/* SSE has no FMA: a multiply and an add per lane and step (counted as one
 * multiply-add, as a network's FLOPs count them). */
static float mul_add128(long n)
{
    PEAK_BODY(__m128, _mm_set1_ps, MUL_ADD128, _mm_add_ps);
    float f[4];
    _mm_storeu_ps(f, s);
    return f[0] + f[3];
}

static float run(int bits, long n)
{
    return bits == 512 ? fma512(n) : bits == 256 ? fma256(n) : mul_add128(n);
}

static void *peak_main(void *p)
{
    peak_arg *a = p;
    const int lanes = a->bits / 32;
    long n = 1 << 14;
    a->sink += run(a->bits, n); /* warm up the wide units */
    for (;;) {
        double t0 = thread_cpu_s();
        a->sink += run(a->bits, n);
        double t = thread_cpu_s() - t0;
        if (t * 1e3 >= a->ms || n > (1L << 40)) {
            a->flops = (double)n * CHAINS * lanes * 2;
            a->cpu_s = t;
            return NULL;
        }
        n = t > 1e-4 ? (long)(n * (a->ms / 1e3) / t * 1.05) + 1 : n * 8;
    }
}

static int peak_bits(void)
{
    const char *isa = bf16net_isa();
    if (!strncmp(isa, "avx512_core", 11))
        return 512;
    return !strncmp(isa, "avx2", 4) ? 256 : 128;
}

nn_peak nn_peak_measure(int threads, int ms)
{
    nn_peak r = { peak_bits(), threads, 0, 0 };
    if (threads < 1 || threads > 64)
        return r;
    peak_arg a[64];
    pthread_t th[64];
    int started = 0;
    for (int i = 0; i < threads; i++) {
        a[i] = (peak_arg){ r.bits, ms < 10 ? 10 : ms, 0, 0, 0 };
        if (pthread_create(&th[i], NULL, peak_main, &a[i]) != 0)
            break;
        started++;
    }
    for (int i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        r.gflops += a[i].cpu_s > 0 ? a[i].flops / a[i].cpu_s / 1e9 : 0;
    }
    if (started < threads)
        r.gflops = 0;
    r.per_thread = r.gflops / threads;
    return r;
}
