/* bench/video.c — video ingest speed and memory: 1080p H.264 made here with
 * ffmpeg's CLI from faces-dev stills (a scene every 5 s, a slow zoom in each,
 * noise, CRF 23), at two lengths (the long one is the short one played three
 * times, so the content per second is the same). For each: `facetag ingest`
 * wall time as a multiple of real time (video seconds per second), frames
 * kept, CPU seconds and peak RSS of the process (wait4); beside it ffmpeg
 * decoding every frame of the same file (-f null), the machine's plain
 * decoding speed, and the ratio of the CPU seconds (below 1: decoding only
 * what is needed pays; CPU time is steadier than wall time on a busy machine).
 * Memory must not grow with the length: the ratio of the two peaks is printed.
 *
 * Usage: bench_video [--bin FACETAG] [--shared DIR] [--work DIR] [--seconds S] [-j N]
 *   --seconds  length of the short video (default 20; the long one is 3x)
 *   --work     where the videos and data folders go (default /tmp/facetag-bench-video;
 *              the videos are kept and reused) */
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

typedef struct run_result {
    double seconds;
    double cpu; /* user + system seconds of the child */
    long maxrss_kb;
    int status;
    char out[1024];
} run_result;

/* Runs argv (stdout captured into r->out, stderr dropped), measuring wall
 * time and the child's peak RSS. */
static int run(char *const argv[], run_result *r)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(p[1]);
    size_t n = 0;
    ssize_t k;
    while ((k = read(p[0], r->out + n, sizeof r->out - 1 - n)) > 0)
        n += (size_t)k;
    r->out[n] = '\0';
    close(p[0]);
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    r->seconds = now_s() - t0;
    r->maxrss_kb = ru.ru_maxrss;
    r->cpu =
        (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return 0;
}

static int sh(const char *cmd)
{
    char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
    run_result r;
    if (run(argv, &r) != 0 || r.status != 0) {
        fprintf(stderr, "bench_video: failed: %s\n", cmd);
        return -1;
    }
    return 0;
}

/* The short video: four scenes of `seconds`/4 each, a slow zoom into a
 * faces-dev still in each, cuts between them. */
static int make_short(const char *shared, const char *out, int seconds)
{
    static const char *const who[4] = { "Abdullah/lfw_01.jpg", "Adam_Sandler/lfw_01.jpg", "Al_Sharpton/lfw_01.jpg",
                                        "Alan_Greenspan/lfw_01.jpg" };
    char cmd[8192];
    int len = snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y");
    double part = seconds / 4.0;
    for (int i = 0; i < 4; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len, " -loop 1 -framerate 25 -t %.2f -i '%s/data/faces-dev/%s'",
                        part, shared, who[i]);
    len += snprintf(cmd + len, sizeof cmd - (size_t)len, " -filter_complex \"");
    for (int i = 0; i < 4; i++)
        len += snprintf(cmd + len, sizeof cmd - (size_t)len,
                        "[%d]scale=1440:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2,"
                        "setsar=1,zoompan=z='1+0.0004*on':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=1920x1080:"
                        "fps=25[v%d];",
                        i, i);
    len += snprintf(cmd + len, sizeof cmd - (size_t)len,
                    "[v0][v1][v2][v3]concat=n=4:v=1,noise=alls=8:allf=t,format=yuv420p[v]\" -map '[v]' -t %d "
                    "-c:v libx264 -preset veryfast -crf 23 '%s'",
                    seconds, out);
    return sh(cmd);
}

int main(int argc, char **argv)
{
    char bin[PATH_MAX + 16], shared[PATH_MAX + 16], work[PATH_MAX] = "/tmp/facetag-bench-video";
    const char *jobs = "2";
    int seconds = 20;
    const char *env = getenv("FACETAG_SHARED");
    snprintf(shared, sizeof shared, "%s", env ? env : "../shared");
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(bin, sizeof bin, "%s/facetag", self);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
            snprintf(bin, sizeof bin, "%s", argv[++i]);
        else if (strcmp(argv[i], "--shared") == 0 && i + 1 < argc)
            snprintf(shared, sizeof shared, "%s", argv[++i]);
        else if (strcmp(argv[i], "--work") == 0 && i + 1 < argc)
            snprintf(work, sizeof work, "%s", argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atoi(argv[++i]);
        else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc)
            jobs = argv[++i];
        else {
            fprintf(stderr, "usage: bench_video [--bin FACETAG] [--shared DIR] [--work DIR] [--seconds S] [-j N]\n");
            return 2;
        }
    }
    if (seconds < 4) {
        fprintf(stderr, "bench_video: --seconds must be at least 4\n");
        return 2;
    }
    if (system("ffmpeg -version > /dev/null 2>&1") != 0) {
        fprintf(stderr, "bench_video: ffmpeg (the CLI) is missing; scripts/setup-deps.sh installs it\n");
        return 1;
    }
    mkdir(work, 0755);
    char shortv[PATH_MAX + 64], longv[PATH_MAX + 64], cmd[4 * PATH_MAX];
    snprintf(shortv, sizeof shortv, "%s/h264_1080p_%ds.mp4", work, seconds);
    snprintf(longv, sizeof longv, "%s/h264_1080p_%ds.mp4", work, 3 * seconds);
    struct stat st;
    if (stat(shortv, &st) != 0 && make_short(shared, shortv, seconds) != 0)
        return 1;
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -stream_loop 2 -i '%s' -c copy '%s'", shortv, longv);
    if (stat(longv, &st) != 0 && sh(cmd) != 0)
        return 1;

    printf("video ingest, 1080p H.264 25 fps (faces-dev stills, a scene every %.0f s, slow zoom, noise), -j %s\n",
           seconds / 4.0, jobs);
    printf("| video | length s | facetag ingest s | x real time | CPU s | frames kept | peak RSS MB | "
           "ffmpeg decode-all s | x real time | CPU s | facetag vs ffmpeg (CPU) |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|\n");
    long rss[2] = { 0, 0 };
    int rc = 0;
    for (int v = 0; v < 2; v++) {
        const char *path = v ? longv : shortv;
        int len = v ? 3 * seconds : seconds;
        char data[PATH_MAX + 16];
        snprintf(data, sizeof data, "%s/data", work);
        nftw(data, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        char *ing[] = {
            bin, "--data", data, "ingest", "-j", (char *)jobs, "--json", "--no-progress", (char *)path, NULL
        };
        run_result a, b;
        if (run(ing, &a) != 0 || a.status != 0) {
            fprintf(stderr, "bench_video: facetag ingest %s failed (status %d)\n", path, a.status);
            rc = 1;
            continue;
        }
        char *dec[] = { "ffmpeg", "-nostdin",   "-v", "error", "-threads", (char *)jobs,
                        "-i",     (char *)path, "-f", "null",  "-",        NULL };
        if (run(dec, &b) != 0 || b.status != 0) {
            fprintf(stderr, "bench_video: ffmpeg decode of %s failed\n", path);
            rc = 1;
            continue;
        }
        const char *k = strstr(a.out, "\"video_frames\":");
        long kept = k ? strtol(k + 15, NULL, 10) : -1;
        rss[v] = a.maxrss_kb;
        const char *name = strrchr(path, '/');
        printf("| %s | %d | %.1f | %.1f | %.1f | %ld | %.0f | %.1f | %.1f | %.1f | %.2f |\n", name ? name + 1 : path,
               len, a.seconds, len / a.seconds, a.cpu, kept, a.maxrss_kb / 1024.0, b.seconds, len / b.seconds, b.cpu,
               b.cpu > 0 ? a.cpu / b.cpu : 0.0);
        fflush(stdout);
    }
    if (rss[0] > 0 && rss[1] > 0)
        printf("\npeak RSS, %ds video vs %ds: %.2f (1.00 = memory does not grow with the length)\n", 3 * seconds,
               seconds, (double)rss[1] / rss[0]);
    return rc;
}
