/* bench/ingest.c — how fast `facetag ingest` goes and how much memory it takes:
 * photos/s, MB/s and peak RSS (getrusage of the child via wait4) for the real
 * photos in shared/data/group-photos and for large synthetic scans made here
 * with libvips (an 8000x6000 16-bit TIFF, a 100-megapixel 12000x8400 TIFF and a
 * 100-megapixel JPEG). Each case runs in a fresh data folder. Prints a table.
 *
 * Usage: bench_ingest [--bin FACETAG] [--shared DIR] [--work DIR] [-j N]
 *   --bin     the facetag binary (default: facetag next to this program)
 *   --shared  the shared/ folder (default $FACETAG_SHARED, else ../../shared from here)
 *   --work    where the synthetic scans and data folders go (default /tmp/facetag-bench;
 *             the scans are kept and reused) */
#include "media/image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int64_t tree_bytes_total;
static int tree_add(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)path, (void)ftw;
    if (flag == FTW_F && S_ISREG(st->st_mode))
        tree_bytes_total += st->st_size;
    return 0;
}

static int64_t tree_bytes(const char *path)
{
    tree_bytes_total = 0;
    nftw(path, tree_add, 16, FTW_PHYS);
    return tree_bytes_total;
}

/* Makes a w x h test scan (noise around mid-grey, `bands` bands, 8 or 16 bits)
 * at path with libvips, streaming: never the whole image in memory. */
static int make_scan(const char *path, int w, int h, int bits, const char *kind)
{
    struct stat st;
    if (stat(path, &st) == 0 && st.st_size > 0)
        return 0;
    fprintf(stderr, "bench: making %s (%dx%d, %d-bit %s) ...\n", path, w, h, bits, kind);
    VipsImage *noise = NULL, *u = NULL, *rgb = NULL, *out = NULL;
    if (vips_gaussnoise(&noise, w, h, "mean", 128.0, "sigma", 40.0, NULL) ||
        vips_cast(noise, &u, bits == 16 ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR, NULL))
        return -1;
    VipsImage *b[3] = { u, u, u };
    if (vips_bandjoin(b, &rgb, 3, NULL))
        return -1;
    if (bits == 16) {
        if (vips_linear1(rgb, &out, 256.0, 0.0, "uchar", FALSE, NULL))
            return -1;
        VipsImage *o16 = NULL;
        if (vips_cast(out, &o16, VIPS_FORMAT_USHORT, NULL))
            return -1;
        g_object_unref(out);
        out = o16;
        out->Type = VIPS_INTERPRETATION_RGB16;
    } else {
        out = rgb;
        g_object_ref(out);
    }
    int rc = strcmp(kind, "jpeg") == 0 ? vips_jpegsave(out, path, "Q", 90, NULL) : vips_tiffsave(out, path, NULL);
    g_object_unref(noise);
    g_object_unref(u);
    g_object_unref(rgb);
    g_object_unref(out);
    if (rc)
        fprintf(stderr, "bench: cannot make %s: %s\n", path, vips_error_buffer());
    return rc;
}

typedef struct result {
    double seconds;
    long maxrss_kb;
    long ingested, failed;
    int status;
} result;

/* Runs `bin --data data ingest -j N --json --no-progress path` and measures it. */
static int run_ingest(const char *bin, const char *data, const char *path, const char *jobs, result *r)
{
    int out[2];
    if (pipe(out) != 0)
        return -1;
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execl(bin, bin, "--data", data, "ingest", "-j", jobs, "--json", "--no-progress", path, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[512] = "";
    size_t n = 0;
    ssize_t k;
    while ((k = read(out[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)k;
    buf[n] = '\0';
    close(out[0]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    r->seconds = now_s() - t0;
    r->maxrss_kb = ru.ru_maxrss;
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r->ingested = r->failed = -1;
    const char *p = strstr(buf, "\"ingested\":");
    if (p)
        r->ingested = strtol(p + 11, NULL, 10);
    if ((p = strstr(buf, "\"failed\":")))
        r->failed = strtol(p + 9, NULL, 10);
    return 0;
}

int main(int argc, char **argv)
{
    char self[PATH_MAX], bin[PATH_MAX + 16], shared[PATH_MAX + 16], work[PATH_MAX] = "/tmp/facetag-bench";
    const char *jobs = NULL;
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    self[sl > 0 ? sl : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(bin, sizeof bin, "%s/facetag", self);
    const char *env = getenv("FACETAG_SHARED");
    snprintf(shared, sizeof shared, "%s", env && *env ? env : "");
    if (!*shared)
        snprintf(shared, sizeof shared, "%s/../../shared", self);
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--bin") == 0)
            snprintf(bin, sizeof bin, "%s", argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--shared") == 0)
            snprintf(shared, sizeof shared, "%s", argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "--work") == 0)
            snprintf(work, sizeof work, "%s", argv[++i]);
        else if (i + 1 < argc && strcmp(argv[i], "-j") == 0)
            jobs = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--bin FACETAG] [--shared DIR] [--work DIR] [-j N]\n", argv[0]);
            return 2;
        }
    }
    char jobs_buf[16];
    if (!jobs) {
        snprintf(jobs_buf, sizeof jobs_buf, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
        jobs = jobs_buf;
    }
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "bench: %s: not an executable facetag (use --bin)\n", bin);
        return 2;
    }
    err e;
    if (image_init(argv[0], &e) != 0) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return 1;
    }
    vips_concurrency_set(2);
    mkdir(work, 0755);

    char group[PATH_MAX + 64], scan16[PATH_MAX + 32], scan100[PATH_MAX + 32], jpeg100[PATH_MAX + 32];
    snprintf(group, sizeof group, "%s/data/group-photos", shared);
    snprintf(scan16, sizeof scan16, "%s/scan-8000x6000-16bit.tif", work);
    snprintf(scan100, sizeof scan100, "%s/scan-12000x8400-8bit.tif", work);
    snprintf(jpeg100, sizeof jpeg100, "%s/photo-12000x8400.jpg", work);
    if (make_scan(scan16, 8000, 6000, 16, "tiff") || make_scan(scan100, 12000, 8400, 8, "tiff") ||
        make_scan(jpeg100, 12000, 8400, 8, "jpeg"))
        return 1;

    struct {
        const char *name, *path;
    } cases[] = {
        { "group-photos (real JPEG/PNG)", group },
        { "8000x6000 16-bit TIFF (48 MP)", scan16 },
        { "12000x8400 8-bit TIFF (100 MP)", scan100 },
        { "12000x8400 JPEG (100 MP)", jpeg100 },
    };
    printf("facetag ingest, -j %s, --max-edge 4096, fresh data folder per case\n", jobs);
    printf("%-32s %6s %9s %8s %9s %8s %13s\n", "input", "files", "MB", "seconds", "photos/s", "MB/s", "peak RSS MB");
    int rc = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stat st;
        if (stat(cases[i].path, &st) != 0) {
            printf("%-32s (missing: %s)\n", cases[i].name, cases[i].path);
            continue;
        }
        char data[PATH_MAX + 32];
        snprintf(data, sizeof data, "%s/data-%zu", work, i);
        nftw(data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        result r;
        if (run_ingest(bin, data, cases[i].path, jobs, &r) != 0) {
            fprintf(stderr, "bench: cannot run %s: %s\n", bin, strerror(errno));
            return 1;
        }
        double mb = (double)tree_bytes(cases[i].path) / 1e6;
        long files = r.ingested + (r.failed > 0 ? r.failed : 0);
        printf("%-32s %6ld %9.1f %8.2f %9.2f %8.1f %13.1f%s\n", cases[i].name, files, mb, r.seconds,
               (double)r.ingested / r.seconds, mb / r.seconds, (double)r.maxrss_kb / 1024.0,
               r.failed > 0 ? "  (includes files refused: not images)" : "");
        if (r.status > 1 || r.ingested <= 0)
            rc = 1;
        nftw(data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    }
    vips_shutdown();
    return rc;
}
