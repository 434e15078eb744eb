/* testhook.c — see testhook.h. */
#include "core/testhook.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static long kill_at;          /* FACETAG_TEST_KILL_AT, 0 when unset or a name */
static const char *kill_name; /* FACETAG_TEST_KILL_AT when it is no number, else NULL */
static long stop_at;          /* FACETAG_TEST_STOP_AT, 0 when unset */
static atomic_long calls;

static void read_env(void)
{
    const char *s = getenv("FACETAG_TEST_KILL_AT");
    char *end = NULL;
    kill_at = s ? strtol(s, &end, 10) : 0;
    kill_name = s && *s && end && *end ? s : NULL;
    if (kill_name)
        kill_at = 0;
    s = getenv("FACETAG_TEST_STOP_AT");
    stop_at = s ? strtol(s, NULL, 10) : 0;
}

void testhook_pause(int ms)
{
    pthread_once(&once, read_env);
    long n = kill_at > 0 || stop_at > 0 ? atomic_fetch_add(&calls, 1) + 1 : 0;
    if (kill_at > 0 && n == kill_at)
        raise(SIGKILL);
    if (stop_at > 0 && n == stop_at)
        raise(SIGSTOP); /* returns after SIGCONT */
    if (ms > 0) {
        struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}

void testhook_point(const char *name, int ms)
{
    pthread_once(&once, read_env);
    if (kill_name && strcmp(kill_name, name) == 0)
        raise(SIGKILL);
    testhook_pause(ms);
}
