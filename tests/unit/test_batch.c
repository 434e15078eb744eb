/* test_batch.c — the batch engine (core/batch.h) with real threads: every item
 * is done exactly once and handed back exactly once on the calling thread; a
 * failed item comes back with its own reason and does not stop the others; a
 * worker that cannot start fails its items with the reason it gave; the
 * progress bar ends at the total (drawn into a memory stream); an empty batch
 * calls nothing. */
#include "core/batch.h"
#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 500

typedef struct fixture {
    atomic_int worked[N];
    int handed[N];
    int failed, ok, wrong_reason, off_thread;
    atomic_int inits, finis;
    pthread_t caller;
    bool fail_init;
} fixture;

static void *init(void *ud, err *e)
{
    fixture *f = ud;
    atomic_fetch_add(&f->inits, 1);
    if (f->fail_init) {
        err_set(e, ERR_MODEL, "no weights in /nowhere");
        return NULL;
    }
    return f; /* any non-NULL state */
}

static void fini(void *ud, void *state)
{
    fixture *f = ud;
    (void)state;
    atomic_fetch_add(&f->finis, 1);
}

static int work(void *ud, void *state, size_t i, err *e)
{
    fixture *f = ud;
    (void)state;
    atomic_fetch_add(&f->worked[i], 1);
    if (i % 7 == 3)
        return err_set(e, ERR_FORMAT, "item %zu: not a multiple of seven plus nothing", i);
    return 0;
}

static void done(void *ud, size_t i, int rc, const char *reason, progress *pr)
{
    fixture *f = ud;
    (void)pr;
    if (!pthread_equal(pthread_self(), f->caller))
        f->off_thread++;
    f->handed[i]++;
    char want[96];
    snprintf(want, sizeof want, "item %zu: not a multiple of seven plus nothing", i);
    if (f->fail_init) {
        if (rc != ERR_MODEL || !reason || strcmp(reason, "no weights in /nowhere") != 0)
            f->wrong_reason++;
        f->failed++;
    } else if (i % 7 == 3) {
        if (rc != ERR_FORMAT || !reason || strcmp(reason, want) != 0)
            f->wrong_reason++;
        f->failed++;
    } else {
        if (rc != 0 || reason)
            f->wrong_reason++;
        f->ok++;
    }
}

static void run_case(int threads, bool fail_init)
{
    fixture *f = calloc(1, sizeof *f);
    f->caller = pthread_self();
    f->fail_init = fail_init;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    progress *pr = progress_new(out, "test", "items", N + 5, 1);
    batch_ops ops = { .worker_init = init, .worker_fini = fini, .work = work, .done = done };
    batch_options o = { .threads = threads, .pr = pr, .pr_base = 5 };
    err e = { 0 };
    CHECK(batch_run(&ops, f, N, &o, &e) == 0);
    int once = 0, handed_once = 0;
    for (int i = 0; i < N; i++) {
        once += atomic_load(&f->worked[i]) == (fail_init ? 0 : 1);
        handed_once += f->handed[i] == 1;
    }
    CHECK_MSG(once == N, "threads %d: %d of %d items worked the right number of times", threads, once, N);
    CHECK_MSG(handed_once == N, "threads %d: %d of %d items handed back once", threads, handed_once, N);
    CHECK(f->wrong_reason == 0);
    CHECK(f->off_thread == 0);
    int want_failed = 0;
    for (int i = 0; i < N; i++)
        want_failed += i % 7 == 3;
    CHECK(f->failed == (fail_init ? N : want_failed));
    CHECK(f->ok == (fail_init ? 0 : N - want_failed));
    CHECK(atomic_load(&f->inits) == atomic_load(&f->finis) && atomic_load(&f->inits) >= 1 &&
          atomic_load(&f->inits) <= (threads < 1 ? 1 : threads));
    progress_end(pr);
    fclose(out);
    char total[32];
    snprintf(total, sizeof total, "%d/%d", N + 5, N + 5);
    CHECK_MSG(buf && strstr(buf, total), "the bar never reached %s", total);
    free(buf);
    free(f);
}

int main(void)
{
    run_case(1, false);
    run_case(4, false);
    run_case(0, false);
    run_case(3, true);
    /* An empty batch: nothing is called. */
    batch_ops ops = { .work = work, .done = done };
    err e = { 0 };
    CHECK(batch_run(&ops, NULL, 0, NULL, &e) == 0);
    return test_main_end();
}
