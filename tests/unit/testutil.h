/* testutil.h — a small assertion kit for the unit tests: CHECK never aborts, so
 * one run reports every failed check; test_main_end prints "N passed, N failed". */
#ifndef FACETAG_TESTUTIL_H
#define FACETAG_TESTUTIL_H

#include "store/catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int test_passed, test_failed;

#define CHECK(cond)                                                                                                    \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            test_passed++;                                                                                             \
        } else {                                                                                                       \
            test_failed++;                                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                                   \
        }                                                                                                              \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                                           \
    do {                                                                                                               \
        if (cond) {                                                                                                    \
            test_passed++;                                                                                             \
        } else {                                                                                                       \
            test_failed++;                                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);                                   \
            fprintf(stderr, __VA_ARGS__);                                                                              \
            fputc('\n', stderr);                                                                                       \
        }                                                                                                              \
    } while (0)

/* Makes a fresh empty directory under $TMPDIR (or /tmp) and returns its path
 * (static storage per call; copy it). Removed by test_rmtree. */
const char *test_tmpdir(const char *tag);
void test_rmtree(const char *path);
/* The shared/ folder from $FACETAG_SHARED, or NULL when absent. */
const char *test_shared_dir(void);
/* shared/data/NAME (into root) and the models folder ($FACETAG_MODELS) for a
 * test that needs both; false, after a "skipped: ..." line, when either is absent. */
bool test_data_and_models(const char *name, char *root, size_t size, const char **models);
/* The first column of the first row of sql on c: a whole number (0 for NULL),
 * -1 when there is no row or the query fails. */
int64_t test_query_int(catalog *c, const char *sql);
/* The same as text, malloc'd (caller frees); NULL for no row, NULL or an error. */
char *test_query_text(catalog *c, const char *sql);
/* The same on a raw connection (a catalog file at an older schema). */
struct sqlite3;
char *test_raw_text(struct sqlite3 *db, const char *sql);
/* Runs sql (any number of statements) on a raw connection, or on c's; an
 * error is a failed check that names the start of sql and SQLite's message.
 * True when it ran. */
bool test_raw_exec(struct sqlite3 *db, const char *sql);
bool test_exec(catalog *c, const char *sql);
/* What a migration must keep, as one text per query: test_read_texts fills
 * out[i] with sql[i]'s text (test_raw_text); test_check_texts checks that each
 * sql[i] still gives want[i] (a failed check names `when`, the query and both
 * texts); test_free_texts frees them. */
void test_read_texts(struct sqlite3 *db, const char *const *sql, char **out, size_t n);
void test_check_texts(struct sqlite3 *db, const char *const *sql, char *const *want, size_t n, const char *when);
void test_free_texts(char **texts, size_t n);
/* Puts photo id (16 hex digits; sha256 the id four times) of width x height
 * processed pixels, the same as the original's; a failure is a failed check. */
void test_put_photo(catalog *c, const char *id, int width, int height);
/* A standard normal draw from a 64-bit LCG state (Box-Muller): the same
 * sequence for the same seed on every machine, for synthetic descriptors. */
double test_normal(uint64_t *state);
/* Prints the closing line and returns the process exit status. */
int test_main_end(void);

/* SQL giving the number of rows in which schema 25's timeline_run_heads
 * differs (either way) from its definition computed here from
 * timeline_photos: per dated key, a run per event, and per precision among
 * the photos of no event; its photo count and its first photo in timeline
 * order (date, precision, photo id; NULLs first). */
#define TEST_RUN_HEADS_DRIFT                                                                                           \
    "WITH runs AS (SELECT key, ev_ord, CASE WHEN event_id IS NULL THEN coalesce(precision, '') ELSE '' END AS prec,"   \
    "   count(*) AS photos FROM timeline_photos WHERE key IS NOT NULL GROUP BY 1, 2, 3),"                              \
    " want AS (SELECT r.key, r.ev_ord, r.prec, r.photos, f.photo_id, f.date, f.precision, f.place_id FROM runs r"      \
    "   JOIN timeline_photos f ON f.photo_id = (SELECT t.photo_id FROM timeline_photos t WHERE t.key = r.key"          \
    "   AND t.ev_ord = r.ev_ord AND (t.event_id IS NOT NULL OR coalesce(t.precision, '') = r.prec)"                    \
    "   ORDER BY t.date IS NOT NULL, t.date, t.precision IS NOT NULL, t.precision, t.photo_id LIMIT 1)),"              \
    " have AS (SELECT key, ev_ord, prec, photos, photo_id, date, precision, place_id FROM timeline_run_heads)"         \
    " SELECT (SELECT count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have))"                                    \
    " + (SELECT count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want))"

/* 1 in sanitizer builds, which check memory, not accuracy (and run ~5x
 * slower): accuracy loops over many images run a small part there. */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#else
#define TEST_SANITIZED 0
#endif

#endif
