/* test_graph_nomem.c — the graph's and the timeline's answers when memory
 * runs out: each allocation the answer makes (graph_jsontext's buffers grow by
 * realloc; the walk's nodes, the sets of seen ids) fails in turn, through
 * link-time wrappers (-Wl,--wrap=malloc,calloc,realloc: only facetag's own
 * code, linked statically, calls them; SQLite and jansson, shared libraries,
 * are not touched). Every answer must then be
 * either an error (ERR_NOMEM, or the store's error) or the whole answer, byte
 * for byte — never a shorter text given as a success. */
#include "graph/graph_walk.h"
#include "graph/timeline.h"
#include "graph_fixture.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);
void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__wrap_calloc(size_t k, size_t n);

static long alloc_calls, alloc_fail_at; /* fail_at 0: none fails */

void *__wrap_realloc(void *p, size_t n)
{
    if (alloc_fail_at && ++alloc_calls == alloc_fail_at)
        return NULL;
    return __real_realloc(p, n);
}
void *__wrap_malloc(size_t n)
{
    if (alloc_fail_at && ++alloc_calls == alloc_fail_at)
        return NULL;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t k, size_t n)
{
    if (alloc_fail_at && ++alloc_calls == alloc_fail_at)
        return NULL;
    return __real_calloc(k, n);
}

typedef struct answer {
    const char *what;
    const timeline_options *o; /* NULL: the graph walk from node */
    const char *node;
} answer;

static int make(catalog *c, const answer *a, char **text, size_t *len, err *e)
{
    if (a->o)
        return timeline_text(c, a->o, text, len, e);
    return graph_walk(c, a->node, 2, 100, text, len, e);
}

/* The answer whole, then with each of its allocations failing in turn. */
static void check_answer(catalog *c, const answer *a)
{
    err e = { 0 };
    char *whole = NULL;
    size_t whole_len = 0;
    alloc_fail_at = 0;
    CHECK_MSG(make(c, a, &whole, &whole_len, &e) == 0, "%s: %s", a->what, e.msg);
    if (!whole)
        return;
    long tried = 0;
    for (long k = 1;; k++) {
        alloc_calls = 0;
        alloc_fail_at = k;
        char *text = NULL;
        size_t len = 0;
        e = (err){ 0 };
        int rc = make(c, a, &text, &len, &e);
        bool failed = alloc_calls >= k;
        alloc_fail_at = 0;
        if (!failed) { /* fewer than k allocations: every one has failed once */
            CHECK_MSG(rc == 0 && text && len == whole_len && memcmp(text, whole, len) == 0,
                      "%s: the run without a failure differs", a->what);
            free(text);
            break;
        }
        tried++;
        if (rc == 0)
            CHECK_MSG(text && len == whole_len && memcmp(text, whole, len) == 0,
                      "%s: allocation %ld failed, and the answer is a success of %zu bytes (whole: %zu): %.*s", a->what,
                      k, len, whole_len, (int)(len < 300 ? len : 300), text ? text : "");
        else
            CHECK_MSG(text == NULL && e.code == rc && e.msg[0], "%s: allocation %ld failed: rc %d, code %d, '%s'",
                      a->what, k, rc, e.code, e.msg);
        free(text);
    }
    CHECK_MSG(tried > 0, "%s: no allocation made (the test tries nothing)", a->what);
    free(whole);
}

int main(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/catalog.sqlite", test_tmpdir("graph-nomem"));
    err e = { 0 };
    catalog *c = catalog_open(path, &e);
    CHECK_MSG(c != NULL, "%s: %s", path, e.msg);
    if (!c)
        return test_main_end();
    graph_fixture f;
    CHECK_MSG(graph_fixture_build(c, &f, &e) == 0, "fixture: %s", e.msg);
    timeline_options all = { .with_undated = true };
    timeline_options counts = { .with_undated = true, .counts_only = true };
    timeline_options person = { .person_id = f.person[0], .with_undated = true };
    char entry[32];
    snprintf(entry, sizeof entry, "event:%lld", (long long)f.karneval);
    timeline_options one = { .entry = entry };
    char node[48];
    snprintf(node, sizeof node, "person:%lld", (long long)f.person[0]);
    const answer answers[] = {
        { "the whole timeline", &all, NULL },      { "a year's counts", &counts, NULL },
        { "a person's timeline", &person, NULL },  { "an event's entry", &one, NULL },
        { "the graph from a person", NULL, node },
    };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++)
        check_answer(c, &answers[i]);
    catalog_close(c);
    return test_main_end();
}
