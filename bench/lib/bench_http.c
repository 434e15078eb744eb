/* bench_http.c — bench_http.h. */
#include "bench_http.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

void bench_photo_id(int i, char out[17])
{
    uint64_t z = (uint64_t)i + 0x9e3779b97f4a7c15ull; /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    snprintf(out, 17, "%016llx", (unsigned long long)z);
}

double bench_parse_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (strncmp(end, "us", 2) == 0)
        return v / 1000;
    if (strncmp(end, "ms", 2) == 0)
        return v;
    if (*end == 's')
        return v * 1000;
    if (*end == 'm')
        return v * 60000;
    return v;
}

int bench_wrk_run(const char *url, const bench_wrk *w, bench_result *r)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "wrk -t2 -c%d -d%ds --timeout 30s --latency %s %s%s '%s' 2>&1", w->connections,
             w->seconds, w->gzip ? "-H 'Accept-Encoding: gzip, deflate'" : "", w->script ? "-s " : "",
             w->script ? w->script : "", url);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    memset(r, 0, sizeof *r);
    char line[512];
    bool got = false;
    while (fgets(line, sizeof line, p)) {
        char *s = line + strspn(line, " ");
        if (strncmp(s, "50%", 3) == 0)
            r->p50_ms = bench_parse_ms(s + 3 + strspn(s + 3, " "));
        else if (strncmp(s, "99%", 3) == 0)
            r->p99_ms = bench_parse_ms(s + 3 + strspn(s + 3, " "));
        else if (strncmp(s, "Requests/sec:", 13) == 0)
            r->rps = strtod(s + 13, NULL), got = true;
        else if (strncmp(s, "Non-2xx or 3xx responses:", 25) == 0)
            r->errors += strtol(s + 25, NULL, 10);
        else if (strncmp(s, "Socket errors:", 14) == 0)
            r->errors += 1;
    }
    int st = pclose(p);
    if (!got || st != 0) {
        fprintf(stderr, "bench: wrk failed on %s (is wrk installed? make deps)\n", url);
        return -1;
    }
    return 0;
}

int bench_wrk_best_of(const char *url, const bench_wrk *w, int repeats, bench_result *best)
{
    memset(best, 0, sizeof *best);
    for (int i = 0; i < repeats; i++) {
        bench_result r;
        if (bench_wrk_run(url, w, &r) != 0)
            return -1;
        if (r.rps > best->rps)
            *best = r;
    }
    return 0;
}

int bench_free_port(void)
{
    FILE *p = popen("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); "
                    "print(s.getsockname()[1])'",
                    "r");
    int port = 0;
    if (p) {
        if (fscanf(p, "%d", &port) != 1)
            port = 0;
        pclose(p);
    }
    return port;
}

pid_t bench_peer_start(const char *dir, int port)
{
    fflush(stdout); /* or the child repeats what is buffered */
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char portx[16];
        snprintf(portx, sizeof portx, "%d", port);
        /* The peer logs every request: quiet, or it measures its own printing. */
        if (!freopen("/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(127);
        execlp("python3", "python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, portx,
               (char *)NULL);
        _exit(127);
    }
    char probe[300];
    snprintf(probe, sizeof probe, "curl --noproxy '*' -s -o /dev/null http://127.0.0.1:%d/", port);
    for (int i = 0; i < 100; i++) {
        if (system(probe) == 0)
            return pid;
        usleep(50000);
    }
    fprintf(stderr, "bench: the static-file peer (python3 -m http.server) did not answer\n");
    bench_peer_stop(pid);
    return -1;
}

void bench_peer_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

double bench_first_ms(const char *url)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "curl --noproxy '*' -s -o /dev/null --max-time 300 -w '%%{time_total}' '%s'", url);
    FILE *p = popen(cmd, "r");
    double t = -1;
    if (p) {
        if (fscanf(p, "%lf", &t) != 1)
            t = -1;
        pclose(p);
    }
    return t < 0 ? -1 : t * 1000;
}
