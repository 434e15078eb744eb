/* l2.c — the squared-distance kernels of l2.h and the pick by CPU. */
#include "cluster/l2.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define L2_X86 1
#endif

/* Eight running sums, so the compiler can keep them in one SSE pair (or one
 * AVX register) without reordering float additions it may not reorder. */
static float l2_portable(const float *a, const float *b, size_t d)
{
    float s[8] = { 0 };
    size_t i = 0;
    for (; i + 8 <= d; i += 8)
        for (int j = 0; j < 8; j++) {
            float t = a[i + j] - b[i + j];
            s[j] += t * t;
        }
    float r = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; i < d; i++) {
        float t = a[i] - b[i];
        r += t * t;
    }
    return r;
}

#ifdef L2_X86
__attribute__((target("avx2,fma"))) static float l2_avx2(const float *a, const float *b, size_t d)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 t2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 t3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(t0, t0, s0);
        s1 = _mm256_fmadd_ps(t1, t1, s1);
        s2 = _mm256_fmadd_ps(t2, t2, s2);
        s3 = _mm256_fmadd_ps(t3, t3, s3);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(t, t, s0);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float r = _mm_cvtss_f32(h);
    for (; i < d; i++) {
        float t = a[i] - b[i];
        r += t * t;
    }
    return r;
}

__attribute__((target("avx512f"))) static float l2_avx512(const float *a, const float *b, size_t d)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= d; i += 32) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        s0 = _mm512_fmadd_ps(t0, t0, s0);
        s1 = _mm512_fmadd_ps(t1, t1, s1);
    }
    if (i < d) { /* the last 1..31 values under a mask */
        size_t left = d - i;
        __mmask16 m0 = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
        __mmask16 m1 = left > 16 ? (__mmask16)((1u << (left - 16)) - 1) : 0;
        __m512 t0 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m0, a + i), _mm512_maskz_loadu_ps(m0, b + i));
        s0 = _mm512_fmadd_ps(t0, t0, s0);
        if (m1) {
            __m512 t1 = _mm512_sub_ps(_mm512_maskz_loadu_ps(m1, a + i + 16), _mm512_maskz_loadu_ps(m1, b + i + 16));
            s1 = _mm512_fmadd_ps(t1, t1, s1);
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}
#endif

static int l2_supported(const char *name)
{
    if (!strcmp(name, "portable"))
        return 1;
#ifdef L2_X86
    __builtin_cpu_init();
    if (!strcmp(name, "avx2"))
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (!strcmp(name, "avx512"))
        return __builtin_cpu_supports("avx512f");
#endif
    return 0;
}

l2_fn l2_kernel_named(const char *name)
{
    if (!name || !l2_supported(name))
        return NULL;
#ifdef L2_X86
    if (!strcmp(name, "avx512"))
        return l2_avx512;
    if (!strcmp(name, "avx2"))
        return l2_avx2;
#endif
    return l2_portable;
}

/* Widest first. The pick is a pure function of the CPU, so two threads that
 * race on the first call store the same value. */
static const char *const l2_order[] = { "avx512", "avx2", "portable" };

const char *l2_kernel_name(void)
{
    static const char *picked; /* written once, same value by any thread */
    const char *p = __atomic_load_n(&picked, __ATOMIC_ACQUIRE);
    if (!p) {
        for (size_t i = 0; i < sizeof l2_order / sizeof *l2_order && !p; i++)
            if (l2_supported(l2_order[i]))
                p = l2_order[i];
        __atomic_store_n(&picked, p, __ATOMIC_RELEASE);
    }
    return p;
}

l2_fn l2_kernel(void)
{
    return l2_kernel_named(l2_kernel_name());
}
