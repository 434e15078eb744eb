/* xnnpack_avx2.c — an LD_PRELOAD shim that makes XNNPACK pick its AVX2 kernels
 * on a CPU with AVX-512, so that an AVX2-only CPU (e.g. a Zen 3) can be
 * emulated on this one for benchmarks (scripts/bench.sh, bench_analyze).
 *
 * Debian 12's XNNPACK (0.0~git20220216) has no switch for its ISA: it reads
 * cpuinfo's feature flags (the global `cpuinfo_isa` of libcpuinfo 2022-06) once,
 * in xnn_initialize -> cpuinfo_initialize. This shim wraps cpuinfo_initialize
 * and clears the AVX-512 flags afterwards (oneDNN has its own switch,
 * ONEDNN_MAX_CPU_ISA=AVX2). The struct is not a stable API: the offsets below
 * are those XNNPACK's code tests (objdump: avx2 0x1b, avx512f 0x1c, dq/bw/vl
 * 0x20-0x22); the shim checks them against CPUID first and aborts when they
 * disagree rather than emulate something else. Bench only: never linked into
 * facetag. It sets FACETAG_XNNPACK_MAX_ISA so the bench can say what ran. */
#include <cpuid.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define OFF_FMA3 0x17
#define OFF_AVX2 0x1b
#define OFF_AVX512F 0x1c
#define OFF_AVX512_LAST 0x22 /* avx512f, pf, er, cd, dq, bw, vl: all XNNPACK tests */

__attribute__((constructor)) static void xnnpack_avx2_mark(void)
{
    setenv("FACETAG_XNNPACK_MAX_ISA", "avx2 (cpuinfo's AVX-512 flags cleared by bench/avx2/xnnpack_avx2.c)", 1);
}

bool cpuinfo_initialize(void)
{
    bool (*real)(void) = (bool (*)(void))dlsym(RTLD_NEXT, "cpuinfo_initialize");
    if (!real || !real())
        return false;
    unsigned char *isa = dlsym(RTLD_DEFAULT, "cpuinfo_isa");
    unsigned a = 0, b = 0, c = 0, d = 0;
    const int avx512f = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 16 & 1);
    const int avx2 = (b >> 5) & 1;
    if (!isa || isa[OFF_AVX2] != avx2 || isa[OFF_FMA3] != 1 || isa[OFF_AVX512F] != avx512f) {
        fprintf(stderr, "xnnpack_avx2: libcpuinfo's flags are not laid out as this shim expects; refusing to "
                        "emulate\n");
        abort();
    }
    for (int k = OFF_AVX512F; k <= OFF_AVX512_LAST; k++)
        isa[k] = 0;
    return true;
}
