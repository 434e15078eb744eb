/* test_l2.c — cluster/l2.h: every squared-distance kernel this CPU runs
 * (AVX-512, AVX2+FMA, portable) against a double reference, at every length
 * from 0 to 200 (the vector bodies, the AVX-512 masked tail, the scalar tails)
 * and at odd alignments; the pick is one of them and the one it names. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cluster/l2.h"
#include "testutil.h"

static double reference(const float *a, const float *b, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++) {
        double t = (double)a[i] - b[i];
        s += t * t;
    }
    return s;
}

static void check_kernel(const char *name, l2_fn f)
{
    uint64_t state = 7;
    /* +3: rows start at an offset of 1..3 floats, unaligned for any vector */
    float *a = malloc((200 + 3) * sizeof *a), *b = malloc((200 + 3) * sizeof *b);
    int bad = 0;
    for (size_t shift = 0; shift < 4; shift++) {
        for (size_t d = 0; d <= 200; d++) {
            float *x = a + (shift & 1) * 3, *y = b + (shift >> 1);
            for (size_t i = 0; i < d; i++) {
                x[i] = (float)test_normal(&state);
                y[i] = (float)(x[i] + 0.3 * test_normal(&state));
            }
            double want = reference(x, y, d), got = f(x, y, d);
            if (!(fabs(got - want) <= 1e-5 * want + 1e-30)) {
                if (bad++ < 5)
                    fprintf(stderr, "%s: d %zu shift %zu: %.9g, want %.9g\n", name, d, shift, got, want);
            }
            /* a row against itself is exactly 0 in every kernel */
            if (f(x, x, d) != 0.0f && bad++ < 5)
                fprintf(stderr, "%s: d %zu: a row against itself is %.9g\n", name, d, f(x, x, d));
        }
    }
    CHECK_MSG(bad == 0, "%s: %d lengths off the double reference", name, bad);
    free(a);
    free(b);
}

int main(void)
{
    static const char *const names[] = { "avx512", "avx2", "portable" };
    int ran = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        l2_fn f = l2_kernel_named(names[i]);
        if (!f) {
            printf("kernel %s: not on this CPU\n", names[i]);
            continue;
        }
        printf("kernel %s\n", names[i]);
        check_kernel(names[i], f);
        ran++;
    }
    CHECK(ran >= 1);
    CHECK(l2_kernel_named("portable") != NULL);
    CHECK(l2_kernel_named("sse9") == NULL);
    CHECK(l2_kernel_named(NULL) == NULL);
    const char *picked = l2_kernel_name();
    CHECK(picked != NULL);
    CHECK(picked && l2_kernel() == l2_kernel_named(picked));
    printf("picked: %s\n", picked ? picked : "(none)");
    return test_main_end();
}
