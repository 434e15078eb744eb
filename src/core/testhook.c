/* testhook.c — see testhook.h. */
#include "core/testhook.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static long kill_at; /* FACETAG_TEST_KILL_AT, 0 when unset */
static atomic_long calls;

static void read_env(void)
{
    const char *s = getenv("FACETAG_TEST_KILL_AT");
    kill_at = s ? strtol(s, NULL, 10) : 0;
}

void testhook_pause(int ms)
{
    pthread_once(&once, read_env);
    if (kill_at > 0 && atomic_fetch_add(&calls, 1) + 1 == kill_at)
        raise(SIGKILL);
    if (ms > 0) {
        struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
}
