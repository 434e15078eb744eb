/* bench/analyze.c — facetag's vision stage against the JavaScript reference
 * (face-api 1.7.15 on tfjs-wasm, run.mjs) on the same images in one run:
 * images/s, faces/s, mean ms per image in each stage (decode, detect,
 * landmarks, descriptor, attributes), peak RSS of each, and the ratio
 * facetag / reference; then the detector's effective GFLOP/s and the time to
 * get a 24-MP JPEG to the detector's 512 input.
 *
 *   bench_analyze [-j THREADS] [--models DIR] [--runs N] [--ref-runs N]
 *                 [--reference DIR | --no-reference] [--compat] [--sets demo,groups]
 *
 * Sets: the six face-api demo photos (models/face-api/demo) and the 48 photos
 * of $FACETAG_SHARED/data/group-photos. All networks on (detector, 68
 * landmarks, descriptor, age/gender, expression).
 *
 * facetag: pipeline_run in its default mode (--compat: face-api's), THREADS
 * workers (default 2) with a single-thread runner each pulling images; the
 * files are read into memory first and decoded from there (libvips, full
 * resolution), as the reference decodes from bytes in memory. One untimed
 * pass, then N timed passes (default 2); the best pass counts. Stage times are
 * per image summed over the workers' threads (pipeline_runner_timing).
 * Peak RSS: this process after the sets (before the other measurements).
 *
 * reference: `node run.mjs --backend wasm --threads THREADS --warmup 1 --runs
 * R` in DIR (default: faceapi-ref next to this program, made by
 * scripts/setup-reference.sh), one process per set; its images/s is images /
 * sum of per-image median totals (model loading excluded, decode included),
 * its stage times the per-image medians; peak RSS of the node process (wait4).
 *
 * Timings are only as good as the machine is quiet: repeat, take the best. */
#include "core/memtune.h"
#include "media/image.h"
#include "nn/bf16net.h"
#include "nn/peak.h"
#include "vision/pipeline.h"
#include "vision/prep.h"
#include "vision/ssd.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of the calling thread (or of the process): on a machine shared with
 * other work, the time a core actually spent, which wall time is not. */
static double cpu_ms(clockid_t which)
{
    struct timespec ts;
    clock_gettime(which, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

enum { ST_DECODE, ST_DETECT, ST_LANDMARKS, ST_DESCRIPTOR, ST_ATTRIBUTES, ST_COUNT };
static const char *const stage_names[ST_COUNT] = { "decode", "detect", "landmarks", "descriptor", "attributes" };

typedef struct figures {
    int ok;
    int images, faces;
    double images_per_s, faces_per_s;
    double stage_ms[ST_COUNT]; /* mean per image */
    double cpu_ms;             /* CPU time per image (all threads) */
    double passes;             /* detector network runs per image (facetag; 0: not known) */
    double rss_mb;
} figures;

typedef struct blob {
    char *path;
    void *data;
    size_t len;
} blob;

/* ---- facetag ------------------------------------------------------------- */

typedef struct run_state {
    const blob *files;
    int n;
    pipeline_models *models;
    pipeline_runner **runners;
    const pipeline_options *opt;
    atomic_int next, faces, errors;
    double decode_ms[64];
    double cpu_ms[64];
} run_state;

typedef struct worker_arg {
    run_state *s;
    int id;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *a = arg;
    run_state *s = a->s;
    double c0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
    for (int i; (i = atomic_fetch_add(&s->next, 1)) < s->n;) {
        err e = { 0 };
        image img = { 0 };
        pipeline_result res = { 0 };
        double t0 = now_ms();
        int rc = image_load_rgb_buffer(s->files[i].data, s->files[i].len, 1, 0, &img, &e);
        s->decode_ms[a->id] += now_ms() - t0;
        if (rc == 0)
            rc = pipeline_run(s->runners[a->id], &img, s->opt, &res, &e);
        if (rc != 0) {
            fprintf(stderr, "bench_analyze: %s: %s\n", s->files[i].path, e.msg);
            atomic_fetch_add(&s->errors, 1);
        }
        atomic_fetch_add(&s->faces, (int)res.n);
        pipeline_result_free(&res);
        image_free(&img);
    }
    s->cpu_ms[a->id] = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
    return NULL;
}

/* One pass over the set with `threads` workers; fills f (throughput and stages). */
static int facetag_pass(run_state *s, int threads, figures *f)
{
    pipeline_timing before[64];
    for (int i = 0; i < threads; i++) {
        before[i] = pipeline_runner_timing(s->runners[i]);
        s->decode_ms[i] = 0;
    }
    atomic_store(&s->next, 0);
    atomic_store(&s->faces, 0);
    atomic_store(&s->errors, 0);
    pthread_t th[64];
    worker_arg wa[64];
    double t0 = now_ms();
    for (int i = 0; i < threads; i++) {
        wa[i] = (worker_arg){ s, i };
        pthread_create(&th[i], NULL, worker_main, &wa[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double wall = now_ms() - t0;
    memset(f, 0, sizeof *f);
    f->images = s->n;
    f->faces = atomic_load(&s->faces);
    f->images_per_s = s->n / (wall / 1e3);
    f->faces_per_s = f->faces / (wall / 1e3);
    for (int i = 0; i < threads; i++) {
        pipeline_timing t = pipeline_runner_timing(s->runners[i]);
        f->stage_ms[ST_DECODE] += s->decode_ms[i];
        f->stage_ms[ST_DETECT] += t.detect_ms - before[i].detect_ms;
        f->stage_ms[ST_LANDMARKS] += t.landmarks_ms - before[i].landmarks_ms;
        f->stage_ms[ST_DESCRIPTOR] += t.descriptor_ms - before[i].descriptor_ms;
        f->stage_ms[ST_ATTRIBUTES] += t.attributes_ms - before[i].attributes_ms;
        f->cpu_ms += s->cpu_ms[i];
        f->passes += (double)(t.detector_passes - before[i].detector_passes);
    }
    f->cpu_ms /= s->n;
    f->passes /= s->n;
    for (int k = 0; k < ST_COUNT; k++)
        f->stage_ms[k] /= s->n;
    f->ok = atomic_load(&s->errors) == 0;
    return f->ok ? 0 : -1;
}

static figures run_facetag(const blob *files, int n, pipeline_models *pm, pipeline_runner **runners, int threads,
                           const pipeline_options *opt, int runs)
{
    run_state s = { .files = files, .n = n, .models = pm, .runners = runners, .opt = opt };
    figures best = { 0 }, f;
    if (facetag_pass(&s, threads, &f) != 0) /* warm-up */
        return best;
    for (int r = 0; r < runs; r++)
        if (facetag_pass(&s, threads, &f) == 0 && f.images_per_s > best.images_per_s)
            best = f;
    return best;
}

/* ---- the reference --------------------------------------------------------- */

static double json_num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

static figures run_reference(const char *dir, const blob *files, int n, int threads, int runs, const char *tmpdir)
{
    figures f = { 0 };
    char out[PATH_MAX], thr[16], rs[16];
    snprintf(out, sizeof out, "%s/reference-%d.json", tmpdir, (int)getpid());
    snprintf(thr, sizeof thr, "%d", threads);
    snprintf(rs, sizeof rs, "%d", runs);
    const char **argv = calloc((size_t)n + 20, sizeof *argv);
    int a = 0;
    argv[a++] = "node";
    argv[a++] = "run.mjs";
    argv[a++] = "--backend";
    argv[a++] = "wasm";
    argv[a++] = "--threads";
    argv[a++] = thr;
    argv[a++] = "--warmup";
    argv[a++] = "1";
    argv[a++] = "--runs";
    argv[a++] = rs;
    argv[a++] = "--no-chain-check";
    argv[a++] = "--out";
    argv[a++] = out;
    for (int i = 0; i < n; i++)
        argv[a++] = files[i].path;
    argv[a] = NULL;
    char log[PATH_MAX];
    snprintf(log, sizeof log, "%s/reference-%d.log", tmpdir, (int)getpid());
    pid_t pid = fork();
    if (pid == 0) {
        /* its per-image lines and any error go to the log, shown on failure */
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO), dup2(fd, STDERR_FILENO);
        if (chdir(dir) != 0)
            _exit(127);
        execvp("node", (char *const *)argv);
        _exit(127);
    }
    free(argv);
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_analyze: the reference (node run.mjs in %s) failed (status %d); its output:\n", dir,
                WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        FILE *lf = fopen(log, "r");
        char line[512];
        while (lf && fgets(line, sizeof line, lf))
            fputs(line, stderr);
        if (lf)
            fclose(lf);
        unlink(log);
        unlink(out);
        return f;
    }
    unlink(log);
    json_error_t je;
    json_t *root = json_load_file(out, 0, &je);
    unlink(out);
    json_t *sum = root ? json_object_get(root, "summary") : NULL;
    if (!sum) {
        fprintf(stderr, "bench_analyze: %s: %s\n", out, root ? "no summary" : je.text);
        json_decref(root);
        return f;
    }
    f.images = (int)json_num(sum, "images");
    f.faces = (int)json_num(sum, "faces");
    f.images_per_s = json_num(sum, "imagesPerSec");
    f.faces_per_s = json_num(sum, "facesPerSec");
    json_t *st = json_object_get(sum, "stageSumsMs");
    for (int k = 0; k < ST_COUNT && f.images > 0; k++)
        f.stage_ms[k] = json_num(st, stage_names[k]) / f.images;
    json_t *be = json_object_get(root, "backend");
    int active = (int)json_num(be, "threadsActive");
    if (active != threads)
        fprintf(stderr, "bench_analyze: the reference ran %d thread(s), not %d\n", active, threads);
    f.rss_mb = ru.ru_maxrss / 1024.0;
    /* node's CPU time over its warm-up and timed passes (model loading included) */
    f.cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    f.cpu_ms /= (double)n * (1 + runs);
    f.ok = f.images == n;
    json_decref(root);
    return f;
}

/* ---- report -------------------------------------------------------------- */

static void print_row(const char *set, const char *who, const figures *f)
{
    if (!f->ok) {
        printf("%-14s %-10s %s\n", set, who, "(failed)");
        return;
    }
    printf("%-14s %-10s %6d %6d %8.2f %8.2f", set, who, f->images, f->faces, f->images_per_s, f->faces_per_s);
    for (int k = 0; k < ST_COUNT; k++)
        printf(" %10.1f", f->stage_ms[k]);
    printf(" %8.0f %9.0f", f->rss_mb, f->cpu_ms);
    if (f->passes > 0)
        printf(" %10.2f", f->passes);
    printf("\n");
}

static void print_ratio(const char *set, const figures *a, const figures *b)
{
    if (!a->ok || !b->ok)
        return;
    printf("%-14s %-10s %6s %6s %7.1fx %7.1fx", set, "ratio", "", "", a->images_per_s / b->images_per_s,
           a->faces_per_s / b->faces_per_s);
    for (int k = 0; k < ST_COUNT; k++)
        printf(" %9.1fx", a->stage_ms[k] > 0 ? b->stage_ms[k] / a->stage_ms[k] : 0);
    printf(" %7.2fx %8.1fx\n", b->rss_mb > 0 ? a->rss_mb / b->rss_mb : 0, a->cpu_ms > 0 ? b->cpu_ms / a->cpu_ms : 0);
}

/* ---- the detector's GFLOP/s ------------------------------------------------ */

typedef struct infer_arg {
    ssd_model *m;
    net_precision precision;
    const float *input;
    int n;
    int rc;
    double ms;  /* the n timed inferences, wall */
    double cpu; /* the same, this thread's CPU time */
} infer_arg;

static void *infer_main(void *arg)
{
    infer_arg *a = arg;
    err e = { 0 };
    float *out = malloc(sizeof(float) * SSD_NUM_ANCHORS * 5);
    ssd_runner *r = out ? ssd_runner_new(a->m, NULL, a->precision, &e) : NULL;
    a->rc = r ? 0 : -1;
    if (!r)
        fprintf(stderr, "bench_analyze: detector runner: %s\n", e.msg);
    if (r)
        ssd_infer(r, a->input, out, out + SSD_NUM_ANCHORS * 4, &e); /* warm-up */
    double t0 = now_ms(), c0 = cpu_ms(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; r && i < a->n && a->rc == 0; i++)
        a->rc = ssd_infer(r, a->input, out, out + SSD_NUM_ANCHORS * 4, &e);
    a->ms = now_ms() - t0;
    a->cpu = cpu_ms(CLOCK_THREAD_CPUTIME_ID) - c0;
    ssd_runner_free(r);
    free(out);
    return NULL;
}

/* "AMD EPYC 9xx5 ..." from /proc/cpuinfo, or "unknown CPU". */
static void cpu_model(char *buf, size_t n)
{
    snprintf(buf, n, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(buf, n, "%s", strchr(line, ':') + 2);
            buf[strcspn(buf, "\n")] = 0;
            break;
        }
    if (f)
        fclose(f);
}

/* The machine line: CPU, the ISA the kernels may use, and what is emulated. */
static void print_machine(void)
{
    char model[256];
    cpu_model(model, sizeof model);
    const char *max_isa = getenv("ONEDNN_MAX_CPU_ISA"), *xnn = getenv("FACETAG_XNNPACK_MAX_ISA");
    printf("machine: %s, %ld CPU(s); oneDNN ISA %s%s%s%s; XNNPACK ISA %s; default precision %s (the detector's: "
           "%s)%s\n",
           model, sysconf(_SC_NPROCESSORS_ONLN), bf16net_isa(), max_isa ? " (ONEDNN_MAX_CPU_ISA=" : "",
           max_isa ? max_isa : "", max_isa ? ")" : "", xnn ? xnn : "its own choice (AVX-512 where the CPU has it)",
           net_precision_name(net_precision_best()), net_precision_name(net_precision_detector()),
           max_isa && xnn ? "; an AVX2-only CPU emulated on this one" : "");
}

static void detector_gflops(const char *models, const char *photo, int threads)
{
    err e = { 0 };
    ssd_model *m = ssd_load(models, &e);
    image img = { 0 };
    float *in = malloc(sizeof(float) * SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3);
    if (!m || !in || image_load_rgb(photo, 1, 0, &img, &e) != 0 ||
        prep_square_area(&img, (prep_rect){ 0, 0, img.width, img.height }, PREP_PAD_END, SSD_INPUT_SIZE, in, &e) != 0) {
        fprintf(stderr, "bench_analyze: detector: %s\n", e.msg);
        goto done;
    }
    const double gflop = ssd_flops(m) / 1e9;
    nn_peak peak[65] = { 0 };
    for (int k = 1; k <= threads; k += threads > 1 ? threads - 1 : 1) {
        peak[k] = nn_peak_measure(k, 300);
        printf("FMA peak, measured (%d-bit fp32 FMA loop, %d thread(s) at once): %.1f GFLOP/s (%.1f per thread, "
               "per CPU time)\n",
               peak[k].bits, k, peak[k].gflops, peak[k].per_thread);
        if (k == threads)
            break;
    }
    /* fp32 on XNNPACK (compat mode); fp32 on oneDNN's JIT kernels; bf16 on
     * oneDNN where it pays; int8 on oneDNN, mixed (its first layers fp32; the
     * default on AVX2 without AVX-512: docs/decisions/2026-12-07-int8-detector.md).
     * The default mode's is marked. */
    const net_precision best = net_precision_detector();
    const net_precision ps[] = { NET_FP32, NET_FP32_ONEDNN, NET_BF16, NET_INT8 };
    for (int pi = 0; pi < 4; pi++) {
        const net_precision p = ps[pi];
        if (p == NET_BF16 && !bf16net_available())
            continue;
        for (int k = 1; k <= threads; k += threads > 1 ? threads - 1 : 1) {
            double best_w = 0, best_cpu = 0;
            for (int rep = 0; rep < 3; rep++) {
                infer_arg a[64];
                pthread_t th[64];
                const int n = 8;
                for (int i = 0; i < k; i++) {
                    a[i] = (infer_arg){ m, p, in, n, 0, 0, 0 };
                    pthread_create(&th[i], NULL, infer_main, &a[i]);
                }
                double s = 0, c = 0;
                for (int i = 0; i < k; i++) {
                    pthread_join(th[i], NULL);
                    s = a[i].ms / 1e3 > s ? a[i].ms / 1e3 : s; /* the slowest thread's timed loop */
                    c = a[i].cpu / 1e3 > c ? a[i].cpu / 1e3 : c;
                }
                double gfs = gflop * n * k / s, gfc = gflop * n * k / c;
                if (gfs > best_w)
                    best_w = gfs;
                if (gfc > best_cpu)
                    best_cpu = gfc;
            }
            const char *what = p == NET_BF16   ? "bf16 on oneDNN"
                               : p == NET_FP32 ? "fp32 on XNNPACK"
                               : p == NET_INT8 ? "int8 (u8 x s8; its first layers fp32) on oneDNN"
                                               : "fp32 on oneDNN";
            printf("SSD detector convolutions, %s%s (%.2f GFLOP per 512x512 inference): %d single-thread runner(s) in "
                   "parallel: %.1f GFLOP/s on the wall clock (%.1f ms per inference per thread), %.1f GFLOP/s per "
                   "CPU time (%.1f ms; as on a quiet machine) = %.0f %% of the %d-bit FMA peak; best of 3\n",
                   what, p == best ? " [default mode]" : "", gflop, k, best_w, gflop * k / best_w * 1e3, best_cpu,
                   gflop * k / best_cpu * 1e3, peak[k].gflops > 0 ? 100.0 * best_cpu / peak[k].gflops : 0,
                   peak[k].bits);
            if (k == threads)
                break;
        }
    }
done:
    image_free(&img);
    free(in);
    ssd_free(m);
}

/* ---- a 24-MP JPEG to the detector's input ------------------------------------ */

static int make_24mp(const char *photo, const char *out, err *e)
{
    VipsImage *in = vips_image_new_from_file(photo, NULL), *big = NULL;
    if (!in || vips_resize(in, &big, 6000.0 / in->Xsize, "vscale", 4000.0 / in->Ysize, NULL) ||
        vips_jpegsave(big, out, "Q", 90, NULL)) {
        err_set(e, ERR_FORMAT, "%s: cannot make the 24-MP JPEG: %s", photo, vips_error_buffer());
        vips_error_clear();
    }
    if (big)
        g_object_unref(big);
    if (in)
        g_object_unref(in);
    return e->code;
}

static void jpeg_to_input(const char *photo, const char *tmpdir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/bench-24mp-%d.jpg", tmpdir, (int)getpid());
    err e = { 0 };
    if (make_24mp(photo, path, &e) != 0) {
        fprintf(stderr, "bench_analyze: %s\n", e.msg);
        return;
    }
    struct stat st;
    stat(path, &st);
    float *in = malloc(sizeof(float) * SSD_INPUT_SIZE * SSD_INPUT_SIZE * 3);
    /* edge 0: full decode then the antialiased area resize (what pipeline_run
     * does with a full-size image); 512: libvips shrink-on-load
     * (image_load_rgb's max_edge: vips_thumbnail, JPEG DCT scaling + lanczos)
     * then the exact resize; 1024/2048: the same to a size that keeps tiles
     * useful; -512: image_load_rgb_shrunk (DCT scaling only, >= 512) + area resize. */
    const int edges[] = { 0, 512, 1024, 2048, -512 };
    printf("24-MP JPEG (6000x4000, %.1f MB, made from %s) to the detector's 512x512 input, best of 5:\n",
           st.st_size / 1e6, strrchr(photo, '/') ? strrchr(photo, '/') + 1 : photo);
    for (size_t k = 0; k < sizeof edges / sizeof *edges; k++) {
        double best = 1e9, dec = 0, best_cpu = 1e9;
        int w = 0, h = 0;
        for (int rep = 0; rep < 5; rep++) {
            image img = { 0 };
            double c0 = cpu_ms(CLOCK_PROCESS_CPUTIME_ID);
            double t0 = now_ms();
            int rc = edges[k] >= 0 ? image_load_rgb(path, 1, edges[k], &img, &e)
                                   : image_load_rgb_shrunk(path, 1, -edges[k], &img, &e);
            double t1 = now_ms();
            if (rc == 0)
                rc = prep_square_area(&img, (prep_rect){ 0, 0, img.width, img.height }, PREP_PAD_END, SSD_INPUT_SIZE,
                                      in, &e);
            double t2 = now_ms(), c2 = cpu_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
            w = img.width, h = img.height;
            image_free(&img);
            if (rc != 0) {
                fprintf(stderr, "bench_analyze: %s: %s\n", path, e.msg);
                break;
            }
            if (t2 - t0 < best)
                best = t2 - t0, dec = t1 - t0;
            if (c2 < best_cpu)
                best_cpu = c2;
        }
        if (edges[k] < 0)
            printf("  JPEG DCT shrink only (%dx%d) + area resize: %5.1f ms (decode %.1f), CPU %.1f ms  <- the fast "
                   "path (image_load_rgb_shrunk)\n",
                   w, h, best, dec, best_cpu);
        else if (edges[k] == 0)
            printf("  full decode (%dx%d) + area resize:        %7.1f ms (decode %.1f), CPU %.1f ms\n", w, h, best, dec,
                   best_cpu);
        else
            printf("  shrink-on-load to %4d (%dx%d) + resize: %7.1f ms (decode %.1f), CPU %.1f ms%s\n", edges[k], w, h,
                   best, dec, best_cpu, edges[k] == 512 ? "  (vips_thumbnail)" : "");
    }
    free(in);
    unlink(path);
}

/* ---- main ------------------------------------------------------------------ */

/* The largest files first, as facetag analyze takes the largest photos first:
 * the workers then finish together (the reference runs one photo at a time). */
static int blob_larger_first(const void *pa, const void *pb)
{
    const blob *a = pa, *b = pb;
    return (a->len < b->len) - (a->len > b->len);
}

static int load_set(const char *const *patterns, int np, blob **out)
{
    glob_t g = { 0 };
    for (int i = 0; i < np; i++)
        glob(patterns[i], i ? GLOB_APPEND : 0, NULL, &g);
    blob *b = calloc(g.gl_pathc ? g.gl_pathc : 1, sizeof *b);
    int n = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "rb");
        if (!f)
            continue;
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        b[n].data = malloc((size_t)len);
        if (len > 0 && b[n].data && fread(b[n].data, 1, (size_t)len, f) == (size_t)len) {
            b[n].len = (size_t)len;
            b[n].path = realpath(g.gl_pathv[i], NULL);
            n++;
        } else {
            free(b[n].data);
        }
        fclose(f);
    }
    globfree(&g);
    qsort(b, (size_t)n, sizeof *b, blob_larger_first);
    *out = b;
    return n;
}

static void free_set(blob *b, int n)
{
    for (int i = 0; i < n; i++)
        free(b[i].data), free(b[i].path);
    free(b);
}

int main(int argc, char **argv)
{
    memtune_large_buffers(); /* as facetag's main does */
    const char *models =
        getenv("FACETAG_MODELS") && *getenv("FACETAG_MODELS") ? getenv("FACETAG_MODELS") : FACETAG_DEFAULT_MODELS;
    const char *shared =
        getenv("FACETAG_SHARED") && *getenv("FACETAG_SHARED") ? getenv("FACETAG_SHARED") : "/work/shared";
    const char *tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    const char *refdir = NULL, *sets = "demo,groups";
    int threads = 2, runs = 2, ref_runs = 1, no_ref = 0, compat = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-j") && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--models") && i + 1 < argc)
            models = argv[++i];
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ref-runs") && i + 1 < argc)
            ref_runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reference") && i + 1 < argc)
            refdir = argv[++i];
        else if (!strcmp(argv[i], "--no-reference"))
            no_ref = 1;
        else if (!strcmp(argv[i], "--compat"))
            compat = 1;
        else if (!strcmp(argv[i], "--sets") && i + 1 < argc)
            sets = argv[++i];
        else {
            fprintf(stderr, "usage: bench_analyze [-j THREADS] [--models DIR] [--runs N] [--ref-runs N] "
                            "[--reference DIR | --no-reference] [--compat] [--sets demo,groups]\n");
            return 2;
        }
    }
    if (threads < 1 || threads > 64 || runs < 1 || ref_runs < 1) {
        fprintf(stderr, "bench_analyze: -j must be in 1..64, --runs and --ref-runs >= 1\n");
        return 2;
    }
    char refbuf[PATH_MAX];
    if (!refdir) {
        char self[PATH_MAX];
        ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
        self[k > 0 ? k : 0] = 0;
        snprintf(refbuf, sizeof refbuf, "%s/faceapi-ref", k > 0 ? dirname(self) : ".");
        refdir = refbuf;
    }
    struct stat st;
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/node_modules", refdir);
    if (!no_ref && stat(probe, &st) != 0) {
        fprintf(stderr,
                "bench_analyze: %s missing: run scripts/setup-reference.sh (make bench does); "
                "measuring facetag only\n",
                probe);
        no_ref = 1;
    }

    err e = { 0 };
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench_analyze: %s\n", e.msg);
        return 1;
    }
    pipeline_options opt = pipeline_default_options();
    opt.compat = compat;
    opt.attributes = true;
    pipeline_models *pm = pipeline_models_load(models, &opt, &e);
    pipeline_runner *runners[64] = { 0 };
    for (int i = 0; pm && i < threads; i++)
        if (!(runners[i] = pipeline_runner_new(pm, NULL, &e)))
            pm = NULL;
    if (!pm) {
        fprintf(stderr, "bench_analyze: %s\n", e.msg);
        return 1;
    }

    char demo_pat[PATH_MAX], grp_pat[4][PATH_MAX];
    snprintf(demo_pat, sizeof demo_pat, "%s/../demo/*.jpg", models);
    const char *ext[] = { "jpg", "jpeg", "png", "JPG" };
    for (int i = 0; i < 4; i++)
        snprintf(grp_pat[i], sizeof grp_pat[i], "%s/data/group-photos/*/*.%s", shared, ext[i]);
    const char *demo_p[] = { demo_pat };
    const char *grp_p[] = { grp_pat[0], grp_pat[1], grp_pat[2], grp_pat[3] };

    print_machine();
    printf("bench_analyze: facetag %s (%s), %d worker(s) x 1 thread, best of %d pass(es) after a warm-up; "
           "reference: run.mjs --backend wasm --threads %d, median of %d run(s) per image after a warm-up\n",
           compat ? "--compat faceapi" : "default mode", pipeline_model_version(&opt), threads, runs, threads,
           ref_runs);
    printf("%-14s %-10s %6s %6s %8s %8s", "set", "", "images", "faces", "img/s", "faces/s");
    for (int k = 0; k < ST_COUNT; k++)
        printf(" %10s", stage_names[k]);
    printf(" %8s %9s %10s\n", "RSS_MB", "CPUms/img", "SSD/img");
    printf("%-14s %-10s %6s %6s %8s %8s %54s (mean ms per image per stage; CPUms/img: CPU time of all threads per "
           "image, the fair figure when the machine is busy; SSD/img: detector passes per image)\n",
           "", "", "", "", "", "", "");

    figures ft[2] = { 0 }, fr[2] = { 0 };
    const char *names[2] = { "demo", "group-photos" };
    int failed = 0;
    for (int s = 0; s < 2; s++) {
        if (!strstr(sets, s == 0 ? "demo" : "groups"))
            continue;
        blob *b = NULL;
        int n = s == 0 ? load_set(demo_p, 1, &b) : load_set(grp_p, 4, &b);
        if (n == 0) {
            fprintf(stderr, "bench_analyze: no images for %s\n", names[s]);
            failed = 1;
            free_set(b, n);
            continue;
        }
        ft[s] = run_facetag(b, n, pm, runners, threads, &opt, runs);
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        ft[s].rss_mb = ru.ru_maxrss / 1024.0;
        print_row(names[s], "facetag", &ft[s]);
        fflush(stdout);
        if (!no_ref) {
            fr[s] = run_reference(refdir, b, n, threads, ref_runs, tmpdir);
            print_row(names[s], "reference", &fr[s]);
            print_ratio(names[s], &ft[s], &fr[s]);
            failed |= !fr[s].ok;
        }
        failed |= !ft[s].ok;
        fflush(stdout);
        free_set(b, n);
    }
    printf("targets: facetag >= 8x the reference's img/s; peak RSS <= 400 MB (facetag's RSS is this process's "
           "peak so far, models and %d runners included)\n",
           threads);
    for (int i = 0; i < threads; i++)
        pipeline_runner_free(runners[i]);
    pipeline_models_free(pm);

    char photo[PATH_MAX];
    snprintf(photo, sizeof photo, "%s/../demo/sample1.jpg", models);
    detector_gflops(models, photo, threads);
    snprintf(photo, sizeof photo, "%s/data/group-photos/solvay-1927/Solvay_conference_1927_Version2_2126x1463.jpg",
             shared);
    jpeg_to_input(photo, tmpdir);
    printf("targets: detector convolutions >= 60 %% of the FMA peak with %d threads; 24-MP JPEG to the 512 input < "
           "60 ms\n",
           threads);
    return failed;
}
