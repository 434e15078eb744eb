/* ingest_batch.c — the batch: list the inputs, hand files to the batch
 * engine's workers (core/batch.h), and record each result in the catalog from
 * this one thread, one transaction per file, in the order results arrive. */
#include "core/batch.h"
#include "core/clock.h"
#include "core/progress.h"
#include "ingest/ingest.h"
#include "ingest/ingest_file.h"
#include "ingest/ingest_xmp.h"
#include "ingest/walk.h"
#include "store/catalog_ocr.h"
#include "store/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    if (p[0] < 0x80)
        return 1;
    size_t n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && p[0] < 0xc2) || (n == 4 && p[0] > 0xf4))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0)))
        return 0; /* overlong or a surrogate */
    if (n == 4 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90)))
        return 0;
    return n;
}

void ingest_display_path(const char *path, char *buf, size_t size)
{
    size_t j = 0;
    const unsigned char *p = (const unsigned char *)path;
    while (*p && j + 5 < size) {
        size_t n = utf8_len(p);
        if (n > 1) {
            memcpy(buf + j, p, n);
            j += n;
            p += n;
            continue;
        }
        unsigned char c = *p++;
        if (c == '\n')
            j += (size_t)snprintf(buf + j, size - j, "\\n");
        else if (c == '\t')
            j += (size_t)snprintf(buf + j, size - j, "\\t");
        else if (c == '\\')
            j += (size_t)snprintf(buf + j, size - j, "\\\\");
        else if (c < 0x20 || c == 0x7f || n == 0)
            j += (size_t)snprintf(buf + j, size - j, "\\x%02x", c);
        else
            buf[j++] = (char)c;
    }
    if (size == 0)
        return;
    if (*p && size > 4) { /* did not fit: end with "..." */
        if (j > size - 4)
            j = size - 4;
        memcpy(buf + j, "...", 3);
        j += 3;
    }
    buf[j < size ? j : size - 1] = '\0';
}

/* ---- the work (core/batch.h) ------------------------------------------------ */

typedef struct batch {
    const ingest_options *opts;
    walk_list *inputs;
    size_t *jobs; /* indices into inputs of the files for the workers */
    size_t njobs;
    ingest_file_result *results; /* one per input */
    objstore *store;
    char catalog_path[PATH_MAX];
    int slow_ms;
    int video_threads; /* decoder threads per video: the cores the workers leave */
    catalog *cat;      /* the calling thread's, for recording */
    ingest_summary *sum;
} batch;

/* A worker's state: its own catalog handle (ingest_file looks paths up). */
static void *worker_init(void *ud, err *e)
{
    batch *b = ud;
    catalog *cat = catalog_open(b->catalog_path, e);
    if (!cat)
        err_prefix(e, "cannot open the catalog");
    return cat;
}

static void worker_fini(void *ud, void *state)
{
    (void)ud;
    catalog_close(state);
    vips_thread_shutdown();
}

/* Ingests one file; a file refused gets its reason as the item's. */
static int work(void *ud, void *state, size_t j, err *e)
{
    batch *b = ud;
    size_t i = b->jobs[j];
    ingest_file_result *r = &b->results[i];
    ingest_file_ctx ctx = {
        .store = b->store,
        .cat = state,
        .limits = &b->opts->limits,
        .sheets = b->opts->sheets,
        .back_names = b->opts->back_names,
        .slow_ms = b->slow_ms,
        .video_interval_ms = b->opts->video_interval_ms,
        .video_threads = b->video_threads,
    };
    ingest_file(&ctx, b->inputs->v[i].path, r);
    if (r->kind == INGEST_FILE_FAILED)
        return err_set(e, ERR_FORMAT, "%s", r->reason ? r->reason : "out of memory");
    return 0;
}

/* ---- recording ----------------------------------------------------------- */

static void report_failure(catalog *cat, progress *pr, const char *path, const char *reason, ingest_summary *sum)
{
    char shown[PATH_MAX * 2];
    ingest_display_path(path, shown, sizeof shown);
    const char *why = reason ? reason : "out of memory";
    err e;
    if (catalog_failure_put(cat, path, why, &e) != 0)
        progress_message(pr, "%s: %s (and it could not be recorded in the catalog: %s)", shown, why, e.msg);
    else
        progress_message(pr, "%s: %s", shown, why);
    sum->failed++;
}

/* One transaction: the file's photos (if new), its path, its failure cleared. */
static int record(catalog *cat, const char *path, const ingest_file_result *r, int *inserted, int *path_new,
                  int *regions, err *e)
{
    int rc = catalog_begin(cat, e);
    if (rc)
        return rc;
    *inserted = 0;
    for (int i = 0; rc == 0 && i < r->nphotos; i++) {
        int put = catalog_photo_put(cat, &r->photos[i], e);
        if (put < 0)
            rc = put;
        else if (i == 0)
            *inserted = put;
    }
    for (int i = 0; rc == 0 && i < r->nframes; i++)
        rc = catalog_frame_put(cat, &r->frames[i], e);
    for (int i = 0; rc == 0 && r->back.is_back && i < r->nphotos; i++)
        rc = catalog_back_put(cat, r->photos[i].photo_id, r->back.front_path, r->back.paired_by, e);
    /* page 0's id is the file's (hash_page_id) */
    if (rc == 0)
        rc = ingest_xmp_record(cat, r->nphotos > 0 ? r->photos[0].photo_id : r->photo_id, r->xmp, regions, e);
    if (rc == 0) {
        int added = catalog_source_add(cat, r->photo_id, path, r->size, r->mtime_ns, e);
        if (added < 0)
            rc = added;
        else
            *path_new = added;
    }
    if (rc == 0)
        rc = catalog_failure_clear(cat, path, e);
    if (rc == 0)
        rc = catalog_commit(cat, e);
    if (rc)
        catalog_rollback(cat);
    return rc;
}

/* On the calling thread, in finishing order: records item j. */
static void done(void *ud, size_t j, int rc, const char *reason, progress *pr)
{
    batch *b = ud;
    size_t i = b->jobs[j];
    const char *path = b->inputs->v[i].path;
    ingest_file_result *r = &b->results[i];
    ingest_summary *sum = b->sum;
    if (rc < 0) {
        report_failure(b->cat, pr, path, reason, sum);
    } else if (r->kind == INGEST_FILE_UNCHANGED && !(r->xmp && r->xmp->n)) {
        sum->unchanged++;
    } else {
        int inserted = 0, path_new = 0, regions = 0;
        err e;
        sum->bytes += r->kind == INGEST_FILE_UNCHANGED ? 0 : r->size;
        if (record(b->cat, path, r, &inserted, &path_new, &regions, &e) != 0) {
            char why[1100];
            snprintf(why, sizeof why, "cannot record in the catalog: %s", e.msg);
            report_failure(b->cat, pr, path, why, sum);
        } else if (inserted) {
            char shown[PATH_MAX * 2];
            ingest_display_path(path, shown, sizeof shown);
            ingest_xmp_report(pr, shown, r->xmp);
            sum->ingested++;
            sum->backs += r->back.is_back;
            sum->photos += r->nphotos;
            for (int k = 0; k < r->nframes; k++) {
                int video = strcmp(r->frames[k].kind, "video") == 0;
                *(video ? &sum->video_frames : &sum->frames) += 1;
                *(video ? &sum->videos : &sum->sheets) += r->frames[k].frame_no == 1;
            }
        } else if (r->kind == INGEST_FILE_METADATA) {
            sum->metadata++;
        } else if (path_new) {
            sum->duplicates++;
        } else {
            sum->unchanged++; /* touched, same bytes, path known */
        }
        if (rc == 0 && !inserted)
            sum->xmp_regions += regions; /* read again: new in the file's XMP since */
    }
    ingest_file_result_clear(r);
}

typedef struct unpaired {
    progress *pr;
    int64_t n;
} unpaired;

static int tell_unpaired(const catalog_back *bk, void *ud)
{
    unpaired *u = ud;
    char shown[PATH_MAX * 2];
    ingest_display_path(bk->front_path, shown, sizeof shown);
    if (!strcmp(bk->paired_by, "sidecar"))
        progress_message(u->pr,
                         "back of a print %s: its sidecar names the front %s, which is not in the catalog; "
                         "the back is kept and read, its text stays with it",
                         bk->photo_id, shown);
    else
        progress_message(u->pr,
                         "back of a print %s: no front %s.* beside it is in the catalog; "
                         "the back is kept and read, its text stays with it",
                         bk->photo_id, shown);
    u->n++;
    return 0;
}

int ingest_run(const ingest_options *opts, char *const *paths, int npaths, ingest_summary *sum, err *e)
{
    memset(sum, 0, sizeof *sum);
    double t0 = clock_now_s();
    int rc = decode_init(e);
    if (rc)
        return rc;
    objstore *store = NULL;
    catalog *cat = NULL;
    rc = datadir_open(opts->data_dir, 1, &store, &cat, e);
    if (rc)
        return rc;
    walk_list inputs = { 0 };
    batch b = { .opts = opts, .inputs = &inputs, .store = store, .cat = cat, .sum = sum };
    rc = walk_collect(paths, npaths, opts->data_dir, &inputs, e);
    if (rc == 0)
        rc = datadir_path(opts->data_dir, DATADIR_CATALOG, b.catalog_path, sizeof b.catalog_path, e);
    if (rc == 0) {
        b.jobs = malloc((inputs.n + 1) * sizeof *b.jobs);
        b.results = calloc(inputs.n + 1, sizeof *b.results);
        if (!b.jobs || !b.results)
            rc = err_set(e, ERR_NOMEM, "out of memory for %zu inputs", inputs.n);
    }
    if (rc) {
        free(b.jobs), free(b.results);
        walk_list_free(&inputs);
        catalog_close(cat);
        objstore_close(store);
        return rc;
    }
    const char *slow = getenv("FACETAG_TEST_SLOW_MS"); /* test hook: widen the windows a kill can hit */
    b.slow_ms = slow ? atoi(slow) : 0;
    FILE *msgs = opts->messages ? opts->messages : stderr;
    progress *pr = progress_new(msgs, "ingest", "photos", (int64_t)inputs.n, opts->progress);
    size_t finished = 0;
    for (size_t i = 0; i < inputs.n; i++) {
        if (inputs.v[i].reason) { /* failed while listing: no worker needed */
            report_failure(cat, pr, inputs.v[i].path, inputs.v[i].reason, sum);
            progress_set(pr, (int64_t)++finished);
        } else {
            b.jobs[b.njobs++] = i;
        }
    }
    /* a lone video gets the threads the workers would have had */
    b.video_threads = b.njobs <= 1 ? opts->threads : opts->threads / (int)(b.njobs < 64 ? b.njobs : 64);
    if (b.video_threads < 1)
        b.video_threads = 1;
    static const batch_ops ops = { .worker_init = worker_init, .worker_fini = worker_fini, .work = work, .done = done };
    batch_options bo = { .threads = opts->threads, .pr = pr, .pr_base = (int64_t)finished };
    rc = batch_run(&ops, &b, b.njobs, &bo, e);
    /* backs and fronts of prints, whichever came first (this run or an earlier one) */
    if (rc == 0 && catalog_backs_pair(cat, &sum->backs_paired, e) != 0)
        rc = err_prefix(e, "pairing backs of prints with their fronts");
    if (rc == 0) {
        unpaired u = { .pr = pr };
        rc = catalog_backs_unpaired(cat, tell_unpaired, &u, e);
        sum->backs_unpaired = u.n;
    }
    progress_end(pr);
    free(b.jobs), free(b.results);
    walk_list_free(&inputs);
    catalog_close(cat);
    objstore_close(store);
    sum->seconds = clock_now_s() - t0;
    return rc;
}
