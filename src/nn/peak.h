/* peak.h — the machine's fp32 multiply-add peak, measured: what a network's
 * GFLOP/s are a share of (bench_analyze prints both).
 *
 * The vector width is the one oneDNN may use here (bf16net_isa(): 512-bit with
 * avx512_core or above, else 256-bit with AVX2 + FMA, else 128-bit SSE), so an
 * AVX2-only CPU, or this one with ONEDNN_MAX_CPU_ISA=AVX2, is measured at
 * 256 bits. Each of `threads` threads runs independent chains of fused
 * multiply-adds (enough to cover the latency of two FMA pipes) for about
 * `ms` milliseconds of its own CPU time; the figure is the sum over the threads
 * of FLOPs / thread CPU time (2 FLOPs per lane and FMA), so other work on the
 * machine lowers it only as far as it shares the cores' pipes (SMT), not by
 * taking turns on them. */
#ifndef FACETAG_NN_PEAK_H
#define FACETAG_NN_PEAK_H

typedef struct nn_peak {
    int bits;          /* vector width measured: 512, 256 or 128 */
    int threads;       /* threads run at once */
    double gflops;     /* GFLOP/s of all threads together (per CPU time) */
    double per_thread; /* gflops / threads */
} nn_peak;

/* Measures the peak with `threads` (1..64) threads at once; ms per thread
 * (>= 10). Returns the figures (gflops 0 when threads could not start). */
nn_peak nn_peak_measure(int threads, int ms);

#endif
