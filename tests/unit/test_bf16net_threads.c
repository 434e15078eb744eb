/* test_bf16net_threads.c — runs of one oneDNN net made on many threads at once
 * (bf16net.h), as the analysis workers do.
 *
 * oneDNN 2.6, which Debian 12 ships, races when two threads create reorder
 * descriptors at once (a shared std::map that the lookup inserts into; fixed
 * in oneDNN 2.7). CI's LeakSanitizer caught the lost tree node in `facetag
 * analyze`. The race itself fires in about 1 of 150 processes, too rarely to
 * test, so this test checks the guard instead. The link wraps
 * dnnl_reorder_primitive_desc_create (-Wl,--wrap, CMakeLists.txt). The wrapper
 * counts the callers inside it and holds each one for 2 ms. Eight threads,
 * released together by a barrier, each make a run of a net whose PAD layer is
 * a reorder. No two may ever be inside the call at once. Without bf16net's
 * lock, all eight are. Each run's output must also equal a run made on the
 * main thread. */
#include "nn/bf16net.h"
#include "testutil.h"

#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

enum { THREADS = 8, H = 6, HP = H + 1, C = 4, CP = 8 };

static atomic_int inside, most_inside, calls;

dnnl_status_t __real_dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *pd, const dnnl_memory_desc_t *src,
                                                        dnnl_engine_t se, const dnnl_memory_desc_t *dst,
                                                        dnnl_engine_t de, const_dnnl_primitive_attr_t attr);
dnnl_status_t __wrap_dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *pd, const dnnl_memory_desc_t *src,
                                                        dnnl_engine_t se, const dnnl_memory_desc_t *dst,
                                                        dnnl_engine_t de, const_dnnl_primitive_attr_t attr);

dnnl_status_t __wrap_dnnl_reorder_primitive_desc_create(dnnl_primitive_desc_t *pd, const dnnl_memory_desc_t *src,
                                                        dnnl_engine_t se, const dnnl_memory_desc_t *dst,
                                                        dnnl_engine_t de, const_dnnl_primitive_attr_t attr)
{
    const int now = atomic_fetch_add(&inside, 1) + 1;
    int seen = atomic_load(&most_inside);
    while (now > seen && !atomic_compare_exchange_weak(&most_inside, &seen, now))
        ;
    atomic_fetch_add(&calls, 1);
    nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
    const dnnl_status_t s = __real_dnnl_reorder_primitive_desc_create(pd, src, se, dst, de, attr);
    atomic_fetch_sub(&inside, 1);
    return s;
}

static bf16net *net;
static pthread_barrier_t start;
static float want[HP * HP * CP];

typedef struct job {
    int ok;
    char msg[sizeof(((err *)0)->msg)];
} job;

static void fill_input(bf16net_run *r)
{
    float *in = bf16net_run_input(r, NULL);
    for (int i = 0; i < H * H * C; i++)
        in[i] = (float)((i * 7) % 11 - 5) / 4;
}

/* One run made and executed; 1 when its output is want's. */
static int run_once(job *j, int check)
{
    err e = { 0 };
    bf16net_run *r = bf16net_run_new(net, &e);
    int ok = r != NULL;
    if (ok) {
        fill_input(r);
        ok = bf16net_run_exec(r, &e) == 0;
    }
    size_t n = 0;
    const float *out = ok ? bf16net_run_output(r, 0, &n) : NULL;
    if (ok && n == (size_t)(HP * HP * CP)) {
        if (check)
            ok = memcmp(out, want, sizeof want) == 0;
        else
            memcpy(want, out, sizeof want);
    } else if (ok) {
        ok = 0;
        snprintf(e.msg, sizeof e.msg, "output holds %zu floats, want %d", n, HP * HP * CP);
    }
    if (!ok)
        snprintf(j->msg, sizeof j->msg, "%s", e.msg[0] ? e.msg : "output differs from the main thread's run");
    bf16net_run_free(r);
    return ok;
}

static void *worker(void *arg)
{
    job *j = arg;
    pthread_barrier_wait(&start);
    j->ok = run_once(j, 1);
    return NULL;
}

int main(void)
{
    err e = { 0 };
    float f[C * C], b[C], f2[CP * CP];
    for (int i = 0; i < C * C; i++)
        f[i] = (float)((i * 3) % 5 - 2) / 2;
    for (int i = 0; i < C; i++)
        b[i] = (float)i / 4;
    for (int i = 0; i < CP * CP; i++)
        f2[i] = (float)((i * 5) % 7 - 3) / 4;
    int sf[4] = { 1, 1, C, C }, sb[1] = { C }, sf2[4] = { 1, 1, CP, CP };
    wtensor W = { .name = "w", .ndim = 4, .count = C * C, .data = f };
    wtensor B = { .name = "b", .ndim = 1, .count = C, .data = b };
    wtensor W2 = { .name = "w2", .ndim = 4, .count = CP * CP, .data = f2 };
    memcpy(W.shape, sf, sizeof sf), memcpy(B.shape, sb, sizeof sb), memcpy(W2.shape, sf2, sizeof sf2);
    /* conv 1x1 (H x H x C); PAD to HP x HP x CP, a reorder into a window of its
     * output; conv 1x1 (HP x HP x CP), the output. */
    layer_list nl = { .size = H, .channels = C };
    int x = layers_conv(&nl, -1, &W, &B, 1, LAYER_VALID, 0, LAYER_NONE);
    x = layers_add(&nl, (layer){ .op = LAYER_PAD, .src = x, .grow = HP - H, .channels = CP });
    layers_output(&nl, layers_conv(&nl, x, &W2, NULL, 1, LAYER_VALID, 0, LAYER_RELU));
    CHECK_MSG(nl.e.code == 0 && nl.n == 3, "the layer list: %s", nl.e.msg);
    const int f32 = !bf16net_fast();
    net = bf16net_new("threads", H, C, nl.l, nl.n, f32, &e);
    CHECK_MSG(net != NULL, "%s", e.msg);
    if (!net)
        return test_main_end();
    printf("oneDNN ISA %s, net in %s\n", bf16net_isa(), f32 ? "f32" : "bf16");

    job first = { 0 };
    CHECK_MSG(run_once(&first, 0), "main thread: %s", first.msg);
    atomic_store(&most_inside, 0);
    atomic_store(&calls, 0);

    pthread_t t[THREADS];
    job jobs[THREADS] = { 0 };
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, worker, &jobs[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < THREADS; i++)
        CHECK_MSG(jobs[i].ok, "thread %d: %s", i, jobs[i].msg);
    printf("%d reorder descriptors made on %d threads, at most %d at once\n", atomic_load(&calls), THREADS,
           atomic_load(&most_inside));
    CHECK_MSG(atomic_load(&calls) >= THREADS, "%d reorders made, want one or more per run", atomic_load(&calls));
    CHECK_MSG(atomic_load(&most_inside) == 1, "%d threads were inside oneDNN's reorder lookup at once",
              atomic_load(&most_inside));
    bf16net_free(net);
    return test_main_end();
}
