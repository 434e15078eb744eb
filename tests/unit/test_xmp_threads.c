/* test_xmp_threads.c — Exempi from several threads at once, as ingest's
 * workers call it (ingest_xmp.c: a sidecar parsed, an embedded packet read)
 * and export writes it.
 *
 * 1. The error code is the calling thread's: facetag reports xmp_get_error()
 *    right after a failed call, so a code shared by the process would let one
 *    worker's success (every Exempi call resets the code) or failure show up
 *    in another worker's message. Debian's Exempi 2.6.3 keeps it in
 *    thread-local storage (exempi.cpp: `static TLS int g_error`, reset on
 *    entry of every call); this pins that down deterministically: thread A
 *    fails, thread B succeeds *after* it (a barrier orders them, no timing),
 *    then A must still read its own code and B zero. A process-wide code
 *    would give A zero every time.
 * 2. Four threads parse good and broken packets, write packets, write and
 *    read back the XMP embedded in JPEG files of their own, and fail to open
 *    cut-off JPEG and PNG files (Exempi errors -7 and -213 at once), 60
 *    rounds each: every result and every error message equals the one the
 *    same call gives alone, in one thread (ASan build: no memory error in the
 *    toolkit either). docs/decisions/2026-12-07-exempi-errors-per-thread.md. */
#include "greyjpeg.h"
#include "media/xmp_regions.h"
#include "media/xmp_write.h"
#include "testutil.h"

#include <exempi/xmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 60

static const char BROKEN[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
                             "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description";
static const char GOOD[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF "
                           "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
                           "<rdf:Description rdf:about=\"\"/></rdf:RDF></x:xmpmeta>";

/* ---- 1: whose error code ---------------------------------------------------- */

static pthread_barrier_t order;
static int code_a, code_b;

static void *fails_first(void *ud)
{
    (void)ud;
    XmpPtr x = xmp_new(BROKEN, sizeof BROKEN - 1); /* fails: sets this thread's code */
    if (x)
        xmp_free(x);
    pthread_barrier_wait(&order); /* B runs its call now */
    pthread_barrier_wait(&order); /* B is done */
    code_a = xmp_get_error();
    return NULL;
}

static void *succeeds_after(void *ud)
{
    (void)ud;
    pthread_barrier_wait(&order); /* A has failed */
    XmpPtr x = xmp_new(GOOD, sizeof GOOD - 1);
    if (x)
        xmp_free(x);
    code_b = xmp_get_error();
    pthread_barrier_wait(&order);
    return NULL;
}

static void test_code_per_thread(void)
{
    err e = { 0 };
    CHECK_MSG(xmp_regions_init(&e) == 0, "%s", e.msg);
    /* alone first: what the broken packet gives */
    XmpPtr x = xmp_new(BROKEN, sizeof BROKEN - 1);
    CHECK(x == NULL);
    int alone = xmp_get_error();
    CHECK_MSG(alone != 0, "Exempi reported no error for a broken packet");
    pthread_barrier_init(&order, NULL, 2);
    pthread_t a, b;
    CHECK(pthread_create(&a, NULL, fails_first, NULL) == 0);
    CHECK(pthread_create(&b, NULL, succeeds_after, NULL) == 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    pthread_barrier_destroy(&order);
    CHECK_MSG(code_a == alone, "thread A failed, then B succeeded: A reads %d, want its own %d", code_a, alone);
    CHECK_MSG(code_b == 0, "B succeeded after A failed: B reads %d, want 0", code_b);
    printf("error code per thread: A %d (alone %d), B %d\n", code_a, alone, code_b);
}

/* ---- 2: facetag's XMP calls in parallel -------------------------------------- */

typedef struct worker {
    int no;
    char jpeg[600], text[600]; /* its own files */
    char cut[600];             /* a cut-off JPEG (even threads) or PNG (odd): Exempi cannot open it */
    char cut_msg[1024];        /* what reading its XMP says, alone */
    char broken_msg[1024];     /* what parsing BROKEN says, alone */
    char notxmp_msg[1024];     /* what writing into text says, alone, with its path */
    int failures;
    char first[4096];
} worker;

static void fail(worker *w, const char *fmt, const char *a, const char *b)
{
    if (w->failures++ == 0)
        snprintf(w->first, sizeof w->first, fmt, a, b);
}

/* One round of thread w: each result must be the one it gives alone. */
static void round_of(worker *w, int r)
{
    char name[32];
    snprintf(name, sizeof name, "T%d-%d", w->no, r);
    xmp_face_tag face = { name, 0.25, 0.125 + 0.01 * w->no, 0.5, 0.375 };
    xmp_tag_set t = { .faces = &face, .n = 1, .applied_w = 64, .applied_h = 48 };
    err e = { 0 };

    /* a broken packet: its own message, every time */
    xmp_region_list l;
    if (xmp_regions_parse(BROKEN, sizeof BROKEN - 1, &l, &e) != ERR_FORMAT || strcmp(e.msg, w->broken_msg) != 0)
        fail(w, "broken packet: \"%s\", alone \"%s\"", e.msg, w->broken_msg);
    xmp_region_list_free(&l);

    /* a packet written, read back */
    char *packet = NULL;
    size_t len = 0;
    if (xmp_write_packet(NULL, 0, &t, &packet, &len, &e) != 0) {
        fail(w, "write packet: %s%s", e.msg, "");
    } else if (xmp_regions_parse(packet, len, &l, &e) != 0) {
        fail(w, "read back packet: %s%s", e.msg, "");
    } else {
        if (l.n != 1 || !l.v[0].name || strcmp(l.v[0].name, name) != 0)
            fail(w, "packet read back: region %s, want %s", l.n && l.v[0].name ? l.v[0].name : "(none)", name);
        xmp_region_list_free(&l);
    }
    free(packet);

    /* its JPEG: written in place, the embedded packet read back */
    if (xmp_write_file(w->jpeg, &t, &e) != 0) {
        fail(w, "write %s: %s", w->jpeg, e.msg);
    } else {
        int got = xmp_regions_embedded_packet(w->jpeg, &packet, &len, &e);
        if (got != 1)
            fail(w, "read %s: %s", w->jpeg, got < 0 ? e.msg : "no packet");
        else if (xmp_regions_parse(packet, len, &l, &e) != 0)
            fail(w, "parse the packet of %s: %s", w->jpeg, e.msg);
        else {
            if (l.n != 1 || !l.v[0].name || strcmp(l.v[0].name, name) != 0)
                fail(w, "file read back: region %s, want %s", l.n && l.v[0].name ? l.v[0].name : "(none)", name);
            xmp_region_list_free(&l);
        }
        free(packet);
        packet = NULL;
    }

    /* a file Exempi cannot open (the threads' codes differ): its own message */
    if (xmp_regions_embedded_packet(w->cut, &packet, &len, &e) >= 0 || strcmp(e.msg, w->cut_msg) != 0)
        fail(w, "read a cut-off file: \"%s\", alone \"%s\"", e.msg, w->cut_msg);
    free(packet);
    packet = NULL;

    /* a file Exempi cannot write into: its own message, every time */
    if (xmp_write_file(w->text, &t, &e) == 0 || strcmp(e.msg, w->notxmp_msg) != 0)
        fail(w, "write into a text file: \"%s\", alone \"%s\"", e.msg, w->notxmp_msg);
}

static void *run_worker(void *ud)
{
    worker *w = ud;
    for (int r = 0; r < ROUNDS; r++)
        round_of(w, r);
    return NULL;
}

static void test_parallel(const char *dir)
{
    static worker ws[THREADS];
    for (int i = 0; i < THREADS; i++) {
        worker *w = &ws[i];
        memset(w, 0, sizeof *w);
        w->no = i;
        snprintf(w->jpeg, sizeof w->jpeg, "%s/photo%d.jpg", dir, i);
        snprintf(w->text, sizeof w->text, "%s/notes%d.txt", dir, i);
        CHECK(greyjpeg_write(w->jpeg) == 0);
        FILE *f = fopen(w->text, "w");
        CHECK(f != NULL);
        if (f) {
            fprintf(f, "not an image %d\n", i);
            fclose(f);
        }
        snprintf(w->cut, sizeof w->cut, "%s/cut%d.%s", dir, i, i % 2 ? "png" : "jpg");
        static const char cut_jpeg[] = "\xff\xd8\xff\xe1\x00\x10"
                                       "Exif\0\0",
                          cut_png[] = "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR";
        f = fopen(w->cut, "wb");
        CHECK(f != NULL);
        if (f) {
            if (i % 2)
                fwrite(cut_png, 1, sizeof cut_png - 1, f);
            else
                fwrite(cut_jpeg, 1, sizeof cut_jpeg - 1, f);
            fclose(f);
        }
        /* the messages each call gives alone */
        err e = { 0 };
        char *packet = NULL;
        size_t len = 0;
        CHECK(xmp_regions_embedded_packet(w->cut, &packet, &len, &e) < 0);
        free(packet);
        snprintf(w->cut_msg, sizeof w->cut_msg, "%s", e.msg);
        xmp_region_list l;
        CHECK(xmp_regions_parse(BROKEN, sizeof BROKEN - 1, &l, &e) == ERR_FORMAT);
        xmp_region_list_free(&l);
        snprintf(w->broken_msg, sizeof w->broken_msg, "%s", e.msg);
        xmp_face_tag face = { "alone", 0.1, 0.1, 0.2, 0.2 };
        xmp_tag_set t = { .faces = &face, .n = 1, .applied_w = 64, .applied_h = 48 };
        CHECK(xmp_write_file(w->text, &t, &e) != 0);
        snprintf(w->notxmp_msg, sizeof w->notxmp_msg, "%s", e.msg);
    }
    CHECK_MSG(strstr(ws[0].broken_msg, "Exempi error -") != NULL, "broken packet alone: %s", ws[0].broken_msg);
    CHECK_MSG(strstr(ws[0].notxmp_msg, ws[0].text) != NULL, "text file alone: %s", ws[0].notxmp_msg);
    /* the cut-off JPEG and PNG fail with two different codes, so a code read
     * from another thread would show */
    const char *cj = strstr(ws[0].cut_msg, "Exempi error -"), *cp = strstr(ws[1].cut_msg, "Exempi error -");
    CHECK_MSG(cj && cp && strcmp(cj, cp) != 0, "cut-off files alone: \"%s\", \"%s\"", ws[0].cut_msg, ws[1].cut_msg);
    pthread_t tid[THREADS];
    for (int i = 0; i < THREADS; i++)
        CHECK(pthread_create(&tid[i], NULL, run_worker, &ws[i]) == 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < THREADS; i++)
        CHECK_MSG(ws[i].failures == 0, "thread %d: %d of %d rounds went wrong; first: %s", i, ws[i].failures, ROUNDS,
                  ws[i].first);
    printf("%d threads x %d rounds, every time: broken packet \"%s\"; \"%s\"; \"%s\"; \"%s\"\n", THREADS, ROUNDS,
           ws[0].broken_msg, ws[0].cut_msg, ws[1].cut_msg, ws[0].notxmp_msg);
}

int main(void)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", test_tmpdir("xmp-threads"));
    test_code_per_thread();
    test_parallel(dir);
    test_rmtree(dir);
    return test_main_end();
}
