/* bench_http.h — what the benches that load the review server share: wrk at
 * N connections and its report, a free port, a static-file peer (Python's
 * http.server) to compare against, the time of one first request, and the
 * synthetic photo ids of the bench catalogs. For bench/ only.
 *
 * wrk and curl (and python3 for the peer) must be on PATH; functions return
 * -1 when one is missing or fails, having printed why to stderr. */
#ifndef FACETAG_BENCH_HTTP_H
#define FACETAG_BENCH_HTTP_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct bench_wrk {
    int connections;    /* wrk -c */
    int seconds;        /* wrk -d */
    const char *script; /* a wrk Lua script (wrk -s), NULL for the URL alone */
    bool gzip;          /* ask for gzip, as browsers do */
} bench_wrk;

typedef struct bench_result {
    double p50_ms, p99_ms, rps;
    long errors; /* non-2xx/3xx answers, plus one per kind of socket error */
} bench_result;

/* Runs wrk -t2 against url and parses its --latency report into *r. A slow
 * answer counts in the latency (30 s timeout) instead of vanishing. */
int bench_wrk_run(const char *url, const bench_wrk *w, bench_result *r);
/* The run with the most requests/s of repeats runs (the machine is shared). */
int bench_wrk_best_of(const char *url, const bench_wrk *w, int repeats, bench_result *best);

/* "1.23ms" / "850.00us" / "1.02s" / "1.5m" -> ms */
double bench_parse_ms(const char *s);

/* A TCP port free on 127.0.0.1 right now; 0 when none could be found. */
int bench_free_port(void);
/* python3 -m http.server on dir at port, quiet; returns once it answers, or
 * -1. Stop it with bench_peer_stop. */
pid_t bench_peer_start(const char *dir, int port);
void bench_peer_stop(pid_t pid);

/* Milliseconds curl took for one GET of url; -1 on failure. */
double bench_first_ms(const char *url);

/* Monotonic seconds. */
double bench_now(void);
/* The i-th synthetic photo id (16 hex digits; distinct and scattered). */
void bench_photo_id(int i, char out[17]);

#endif
