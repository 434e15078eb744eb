/* analyze.c — the analyze stage (analyze.h): the batch engine's workers
 * (core/batch.h) run the vision pipeline on processed/{photo_id}.jpg and write
 * the photo's objects (face crops, then the annotation JSON); this thread then records each photo in the
 * catalog in one transaction (its face rows, its analysis_runs row, its status),
 * in the order the results arrive. A photo is analysed for a model version
 * exactly when its analysis_runs row says 'done': the objects written before a
 * kill are simply written again (same content) by the next run. */
#include "analyze/analyze.h"
#include "analyze/track.h"

#include "analyze/analyze_face.h"
#include "analyze/annotation.h"
#include "analyze/sheet_vote.h"

#include "core/batch.h"
#include "core/clock.h"
#include "core/progress.h"
#include "core/testhook.h"
#include "media/decode.h"
#include "store/catalog_frames.h"
#include "store/catalog_objver.h"
#include "store/datadir.h"
#include "store/people_store.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <vips/vips.h>

typedef struct job {
    char photo_id[PHOTO_ID_LEN + 1];
    pipeline_result result; /* filled by the worker when it succeeded */
    /* result.faces[0..detected) are the detector's; the rest are faces an
     * earlier analysis of this version had that it must not lose (drawn by
     * hand, or confirmed by people, and not found again: catalog_analysis_kept),
     * described again on the image as it is now and recorded as drawn */
    size_t detected;
    int64_t *replaced; /* the drawn faces these re-make (ids, malloc'd) */
    size_t n_replaced;
    /* Version ids of the crops (one per face, malloc'd) and of the annotation
     * this analysis wrote; "" where the store keeps no versions. */
    char (*crop_versions)[OBJSTORE_VERSION_MAX];
    char ann_version[OBJSTORE_VERSION_MAX];
    /* A contact sheet's frame with no face is held back (not recorded) until
     * its sheet has voted (sheet_vote.h); turn: the clockwise turn it is read
     * again with, the sheet's vote (pipeline_options.turn). */
    bool held;
    int turn;
    char parent_id[PHOTO_ID_LEN + 1];
} job;

typedef struct batch {
    const analyze_options *opts;
    const pipeline_options *popt;
    const char *model;
    pipeline_models *models;
    objstore *store;
    char catalog_path[PATH_MAX];
    int slow_ms;
    job *jobs;
    size_t njobs;
    catalog *cat; /* the calling thread's, for recording */
    analyze_summary *sum;
} batch;

/* ---- catalog reads and writes ------------------------------------------- */

/* The first path the photo was found under (malloc'd), NULL when none. */
static char *first_source(catalog *cat, const char *photo_id)
{
    char *path = NULL;
    return catalog_source_first(cat, photo_id, &path, NULL) == 1 ? path : NULL;
}

typedef struct todo {
    job *jobs;
    size_t n, cap;
    int64_t skipped;
    const char *const *only; /* analyze_options.only */
    size_t n_only;
} todo;

static bool wanted(const char *const *only, size_t n_only, const char *photo_id)
{
    if (!only)
        return true;
    for (size_t i = 0; i < n_only; i++)
        if (strcmp(only[i], photo_id) == 0)
            return true;
    return false;
}

static int todo_add(const char *photo_id, bool done, void *ud)
{
    todo *t = ud;
    if (!wanted(t->only, t->n_only, photo_id))
        return 0;
    if (done) {
        t->skipped++;
        return 0;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        job *nj = realloc(t->jobs, cap * sizeof *nj);
        if (!nj)
            return ERR_NOMEM;
        t->jobs = nj;
        t->cap = cap;
    }
    job *j = &t->jobs[t->n++];
    memset(j, 0, sizeof *j);
    snprintf(j->photo_id, sizeof j->photo_id, "%s", photo_id);
    return 0;
}

/* Every photo, with whether model already has a 'done' run for it; the
 * largest first, so that the workers finish together rather than one of them
 * ending the batch alone on a large scan (bench_analyze, group-photos with 2
 * workers: 8.1-8.4 -> 8.8-11.4 photos/s on a machine whose speed varied). */
static int list_photos(catalog *cat, const analyze_options *opts, const char *model, job **out, size_t *n,
                       int64_t *skipped, err *e)
{
    todo t = { .only = opts->only, .n_only = opts->n_only };
    int rc = catalog_analysis_todo(cat, model, todo_add, &t, e);
    if (rc == ERR_NOMEM)
        rc = err_set(e, ERR_NOMEM, "out of memory listing photos");
    if (rc) {
        free(t.jobs);
        t = (todo){ 0 };
    }
    *out = t.jobs;
    *n = t.n;
    *skipped = t.skipped;
    return rc;
}

/* One transaction: detector rows left by an unfinished run of this model
 * version go, the faces come in, the run is 'done', the photo 'analyzed'. */
static int record_done(catalog *cat, const job *j, const char *model, err *e)
{
    catalog_face *faces = calloc(j->result.n ? j->result.n : 1, sizeof *faces);
    if (!faces)
        return err_set(e, ERR_NOMEM, "photo %s: out of memory recording its faces", j->photo_id);
    for (size_t i = 0; i < j->result.n; i++)
        analyze_face_to_catalog(&j->result.faces[i], j->photo_id, (int)i, model,
                                i < j->detected ? "detector" : "manual", &faces[i]);
    /* One transaction: the analysis and which object versions are its own
     * (versioned S3 buckets only; nothing to record on a folder). */
    int rc = catalog_begin(cat, e);
    if (rc) {
        free(faces);
        return rc;
    }
    rc = catalog_analysis_record(cat, j->photo_id, model, faces, j->result.n, j->replaced, j->n_replaced, e);
    free(faces);
    char key[64];
    for (size_t i = 0; rc == 0 && j->crop_versions && i < j->result.n; i++) {
        snprintf(key, sizeof key, "%s/%zu.jpg", j->photo_id, i);
        if (j->crop_versions[i][0])
            rc = catalog_objver_put(cat, "faces", key, model, j->crop_versions[i], e);
    }
    snprintf(key, sizeof key, "%s.json", j->photo_id);
    if (rc == 0 && j->ann_version[0])
        rc = catalog_objver_put(cat, "annotations", key, model, j->ann_version, e);
    if (rc == 0)
        rc = catalog_commit(cat, e);
    else
        catalog_rollback(cat);
    return rc;
}

/* ---- the worker: pipeline and objects ------------------------------------ */

static int write_crops(batch *b, const image *img, job *j, err *e)
{
    char key[64];
    free(j->crop_versions);
    j->crop_versions = j->result.n ? calloc(j->result.n, sizeof *j->crop_versions) : NULL;
    if (j->result.n && !j->crop_versions)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < j->result.n; i++) {
        void *jpeg = NULL;
        size_t len = 0;
        int rc = analyze_face_crop(img, j->result.faces[i].box, j->result.rotation, &jpeg, &len, e);
        if (rc == 0) {
            snprintf(key, sizeof key, "%s/%zu.jpg", j->photo_id, i);
            rc = objstore_put_version(b->store, BUCKET_FACES, key, jpeg, len, j->crop_versions[i], e);
        }
        free(jpeg);
        if (rc)
            return rc;
        testhook_pause(b->slow_ms);
    }
    return 0;
}

/* Crops of an earlier analysis beyond this one's faces would show faces that
 * are no longer there. */
typedef struct stale {
    size_t nfaces;
    char keys[64][64];
    int n;
} stale;

static int collect_stale(const char *key, const objstore_info *info, void *ud)
{
    (void)info;
    stale *s = ud;
    const char *slash = strchr(key, '/');
    char *end;
    unsigned long no = slash ? strtoul(slash + 1, &end, 10) : 0;
    if (slash && end != slash + 1 && strcmp(end, ".jpg") == 0 && no >= s->nfaces && s->n < 64)
        snprintf(s->keys[s->n++], sizeof s->keys[0], "%s", key);
    return 0;
}

/* The faces of an earlier analysis of this version that the detector did not
 * find again and that must stay (catalog_analysis_kept: drawn by hand, or
 * confirmed by people — after a flip, say), appended to j->result as drawn
 * faces, described on img as it is now; their decisions come with them in
 * catalog_analysis_record (the same box). A drawn face the detector found now
 * is replaced by the detected one, which takes its decision. */
static int keep_decided(batch *b, pipeline_runner *r, catalog *cat, const image *img, job *j, err *e)
{
    j->detected = j->result.n;
    catalog_kept_face *k = NULL;
    size_t nk = 0;
    int rc = catalog_analysis_kept(cat, j->photo_id, b->model, &k, &nk, e);
    size_t manual = 0;
    for (size_t i = 0; i < nk; i++)
        manual += k[i].manual;
    free(j->replaced);
    j->n_replaced = 0;
    j->replaced = manual ? calloc(manual, sizeof *j->replaced) : NULL;
    if (rc == 0 && manual && !j->replaced)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < nk; i++) {
        if (k[i].manual)
            j->replaced[j->n_replaced++] = k[i].id;
        bool found = false;
        for (size_t f = 0; f < j->detected && !found; f++) {
            const rectd *d = &j->result.faces[f].box;
            double box[4] = { d->x, d->y, d->w, d->h };
            found = people_box_iou(k[i].box, box) >= PEOPLE_CARRY_IOU;
        }
        if (found)
            continue;
        pipeline_face pf;
        memset(&pf, 0, sizeof pf);
        rectd box = { k[i].box[0], k[i].box[1], k[i].box[2], k[i].box[3] };
        int drc = pipeline_describe_box(r, img, box, b->popt, &pf, e);
        if (drc == ERR_INVALID) { /* a box that no longer fits the image: its decision stays in the log */
            err_clear(e);
            continue;
        }
        if (drc) {
            rc = drc;
            break;
        }
        pf.box = box; /* the row keeps the box people decided on */
        pipeline_face *v = realloc(j->result.faces, (j->result.n + 1) * sizeof *v);
        if (!v) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            break;
        }
        j->result.faces = v;
        j->result.faces[j->result.n++] = pf;
    }
    free(k);
    return rc;
}

static int analyse_one(batch *b, pipeline_runner *r, catalog *cat, job *j, err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.jpg", j->photo_id);
    void *data = NULL;
    size_t len = 0;
    int rc = objstore_get(b->store, BUCKET_PROCESSED, key, &data, &len, e);
    if (rc)
        return err_prefix(e, "processed/%s", key);
    image img = { 0 };
    rc = image_load_rgb_buffer(data, len, 0, 0, &img, e);
    free(data);
    if (rc) {
        /* image.c names the buffer, not the object */
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e->msg);
        const char *why = strncmp(msg, "image buffer: ", 14) == 0 ? msg + 14 : msg;
        return err_set(e, ERR_FORMAT, "processed/%s: %s", key, why);
    }
    pipeline_options po = *b->popt;
    po.turn = j->turn;
    rc = pipeline_run(r, &img, &po, &j->result, e);
    if (rc == 0)
        rc = keep_decided(b, r, cat, &img, j, e);
    if (rc == 0)
        rc = write_crops(b, &img, j, e);
    if (rc == 0) {
        stale s = { .nfaces = j->result.n };
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s/", j->photo_id);
        rc = objstore_list(b->store, BUCKET_FACES, prefix, collect_stale, &s, e);
        for (int i = 0; rc == 0 && i < s.n; i++)
            rc = objstore_delete(b->store, BUCKET_FACES, s.keys[i], e);
    }
    catalog_photo p = { 0 };
    if (rc == 0 && catalog_photo_get(cat, j->photo_id, &p, e) != 1)
        rc = e->code ? e->code : err_set(e, ERR_NOTFOUND, "photo %s left the catalog", j->photo_id);
    if (rc == 0) {
        char *file = first_source(cat, j->photo_id);
        pipeline_result detected = j->result;
        detected.n = j->detected;
        char *json = annotation_json(&p, file, b->model, &detected);
        free(file);
        for (size_t i = j->detected; json && i < j->result.n; i++) { /* the kept ones, as drawn faces */
            char *with = annotation_with_face(json, strlen(json), j->photo_id, b->model, (int)i, &j->result.faces[i],
                                              "manual", e);
            free(json);
            json = with;
        }
        snprintf(key, sizeof key, "%s.json", j->photo_id);
        rc = json ? objstore_put_version(b->store, BUCKET_ANNOTATIONS, key, json, strlen(json), j->ann_version, e)
                  : err_set(e, ERR_NOMEM, "out of memory writing the annotation");
        free(json);
        testhook_pause(b->slow_ms);
    }
    catalog_photo_clear(&p);
    image_free(&img);
    if (rc)
        pipeline_result_free(&j->result);
    return rc;
}

/* ---- the batch (core/batch.h) ------------------------------------------- */

/* A worker's state: its own network runner and catalog handle. */
typedef struct worker_state {
    pipeline_runner *runner;
    catalog *cat;
} worker_state;

static void worker_fini(void *ud, void *state)
{
    (void)ud;
    worker_state *w = state;
    if (w) {
        catalog_close(w->cat);
        pipeline_runner_free(w->runner);
        free(w);
    }
    vips_thread_shutdown();
}

static void *worker_init(void *ud, err *e)
{
    batch *b = ud;
    worker_state *w = calloc(1, sizeof *w);
    if (!w) {
        err_set(e, ERR_NOMEM, "out of memory starting a worker");
        return NULL;
    }
    if (!(w->runner = pipeline_runner_new(b->models, NULL, e)) || !(w->cat = catalog_open(b->catalog_path, e))) {
        catalog_close(w->cat);
        pipeline_runner_free(w->runner);
        free(w);
        return NULL;
    }
    return w;
}

static int work(void *ud, void *state, size_t i, err *e)
{
    batch *b = ud;
    worker_state *w = state;
    return analyse_one(b, w->runner, w->cat, &b->jobs[i], e);
}

/* A job's result freed: after it is recorded, or for a held frame not
 * recorded (the batch stopped, or it is read again). */
static void release(job *j)
{
    pipeline_result_free(&j->result);
    free(j->crop_versions);
    j->crop_versions = NULL;
    free(j->replaced);
    j->replaced = NULL;
    j->n_replaced = 0;
    j->ann_version[0] = '\0';
    j->held = false;
}

/* Records job j, or its failure with the reason, and frees its result. */
static void finish(batch *b, job *j, int rc, const char *reason, progress *pr)
{
    analyze_summary *sum = b->sum;
    err e = { 0 };
    if (rc == 0 && record_done(b->cat, j, b->model, &e) == 0) {
        sum->analyzed++;
        sum->faces += (int64_t)j->result.n;
        sum->kept += (int64_t)(j->result.n - j->detected);
    } else {
        char why[1200];
        if (rc == 0)
            snprintf(why, sizeof why, "cannot record in the catalog: %s", e.msg);
        else
            snprintf(why, sizeof why, "%s", reason);
        err e2 = { 0 };
        if (catalog_analysis_put(b->cat, j->photo_id, b->model, "failed", 0, why, &e2) != 0)
            progress_message(pr, "photo %s: %s (and it could not be recorded: %s)", j->photo_id, why, e2.msg);
        else
            progress_message(pr, "photo %s: %s", j->photo_id, why);
        sum->failed++;
    }
    release(j);
}

/* A frame of a contact sheet (*parent filled), not of a video. */
static bool sheet_frame_of(catalog *cat, const char *photo_id, char parent[PHOTO_ID_LEN + 1])
{
    catalog_frame f;
    err e = { 0 };
    if (catalog_frame_get(cat, photo_id, &f, &e) != 1 || strcmp(f.kind, "sheet") != 0)
        return false;
    memcpy(parent, f.parent_id, PHOTO_ID_LEN + 1);
    return true;
}

/* On the calling thread, in finishing order: records photo i, or its failure
 * with the reason; a sheet's frame with no face read in the view it was
 * given waits for its sheet's vote (vote_sheets). */
static void done(void *ud, size_t i, int rc, const char *reason, progress *pr)
{
    batch *b = ud;
    job *j = &b->jobs[i];
    if (rc == 0 && j->turn == 0 && j->result.n == 0 && sheet_frame_of(b->cat, j->photo_id, j->parent_id)) {
        j->held = true;
        return;
    }
    finish(b, j, rc, reason, pr);
}

typedef struct sheet_turn {
    char parent_id[PHOTO_ID_LEN + 1];
    int turn;
} sheet_turn;

/* After the batch: each sheet with frames held back votes on the stored
 * annotations of all its frames (sheet_vote_stored); its held frames are read
 * again turned by the vote when it is not 0, else recorded as they are.
 * Returns the second reading's batch status (0 when there is none). */
static int vote_sheets(batch *b, const batch_ops *ops, const analyze_options *opts, err *e)
{
    size_t nheld = 0;
    for (size_t i = 0; i < b->njobs; i++)
        nheld += b->jobs[i].held;
    if (nheld == 0)
        return 0;
    FILE *msgs = opts->messages ? opts->messages : stderr;
    job *again = calloc(nheld, sizeof *again);
    sheet_turn *voted = calloc(nheld, sizeof *voted);
    if (!again || !voted) {
        free(again);
        free(voted);
        for (size_t i = 0; i < b->njobs; i++)
            if (b->jobs[i].held)
                release(&b->jobs[i]);
        return err_set(e, ERR_NOMEM, "out of memory for the frames of contact sheets");
    }
    progress *pm = progress_new(msgs, "analyze", "frames", 0, 0); /* messages only */
    size_t nagain = 0, nvoted = 0;
    for (size_t i = 0; i < b->njobs; i++) {
        job *j = &b->jobs[i];
        if (!j->held)
            continue;
        int turn = -1;
        for (size_t k = 0; k < nvoted && turn < 0; k++)
            if (strcmp(voted[k].parent_id, j->parent_id) == 0)
                turn = voted[k].turn;
        if (turn < 0) { /* the sheet's first held frame asks for its vote */
            err ve = { 0 };
            if (sheet_vote_stored(b->store, b->cat, j->parent_id, b->model, &turn, &ve) != 0) {
                progress_message(pm, "sheet %s: its frames could not vote (%s); frames recorded as read", j->parent_id,
                                 ve.msg);
                turn = 0;
            }
            memcpy(voted[nvoted].parent_id, j->parent_id, sizeof voted[nvoted].parent_id);
            voted[nvoted++].turn = turn;
        }
        if (turn == 0) {
            finish(b, j, 0, NULL, pm);
            continue;
        }
        job *a = &again[nagain++];
        memset(a, 0, sizeof *a);
        memcpy(a->photo_id, j->photo_id, sizeof a->photo_id);
        memcpy(a->parent_id, j->parent_id, sizeof a->parent_id);
        a->turn = turn;
        release(j);
    }
    progress_end(pm);
    free(voted);
    int rc = 0;
    if (nagain) {
        job *first = b->jobs;
        size_t nfirst = b->njobs;
        b->jobs = again;
        b->njobs = nagain;
        progress *pr = progress_new(msgs, "analyze", "frames turned by their sheet", (int64_t)nagain, opts->progress);
        batch_options bo = { .threads = opts->threads, .pr = pr };
        int64_t faces = b->sum->faces;
        rc = batch_run(ops, b, nagain, &bo, e);
        progress_end(pr);
        b->sum->sheet_turned += (int64_t)nagain;
        b->sum->sheet_turned_faces += b->sum->faces - faces;
        b->jobs = first;
        b->njobs = nfirst;
    }
    free(again);
    return rc;
}

int analyze_run(const analyze_options *opts, analyze_summary *sum, err *e)
{
    memset(sum, 0, sizeof *sum);
    double t0 = clock_now_s();
    int rc = decode_init(e); /* libvips, with its warnings silenced: failures get a reason line */
    if (rc)
        return rc;
    objstore *store = NULL;
    catalog *cat = NULL;
    if ((rc = datadir_open(opts->data_dir, 0, &store, &cat, e)) != 0)
        return rc;
    batch b = { .opts = opts, .popt = &opts->pipeline, .store = store, .cat = cat, .sum = sum };
    b.model = pipeline_model_version(&opts->pipeline);
    char model[128];
    snprintf(model, sizeof model, "%s", b.model); /* pipeline_model_version's buffer is per thread */
    b.model = model;
    rc = datadir_path(opts->data_dir, DATADIR_CATALOG, b.catalog_path, sizeof b.catalog_path, e);
    if (rc == 0)
        rc = list_photos(cat, opts, model, &b.jobs, &b.njobs, &sum->skipped, e);
    if (rc == 0 && b.njobs > 0 && !(b.models = pipeline_models_load(opts->models_dir, &opts->pipeline, e)))
        rc = e && e->code ? e->code : ERR_MODEL;
    if (rc) {
        free(b.jobs);
        pipeline_models_free(b.models);
        catalog_close(cat);
        objstore_close(store);
        return rc;
    }
    const char *slow = getenv("FACETAG_TEST_SLOW_MS"); /* test hook: widen the windows a kill can hit */
    b.slow_ms = slow ? atoi(slow) : 0;
    FILE *msgs = opts->messages ? opts->messages : stderr;
    progress *pr = progress_new(msgs, "analyze", "photos", (int64_t)b.njobs, opts->progress);
    static const batch_ops ops = { .worker_init = worker_init, .worker_fini = worker_fini, .work = work, .done = done };
    batch_options bo = { .threads = opts->threads, .pr = pr };
    rc = batch_run(&ops, &b, b.njobs, &bo, e);
    progress_end(pr);
    if (rc == 0)
        rc = vote_sheets(&b, &ops, opts, e);
    else /* the batch did not run through: what was held back is not recorded */
        for (size_t i = 0; i < b.njobs; i++)
            if (b.jobs[i].held)
                release(&b.jobs[i]);
    track_summary ts;
    if (rc == 0 && (rc = track_videos(cat, &ts, e)) == 0) {
        sum->videos = ts.videos;
        sum->video_faces = ts.faces;
        sum->tracks = ts.tracks;
        sum->tracked_faces = ts.linked;
    }
    free(b.jobs);
    pipeline_models_free(b.models);
    catalog_close(cat);
    objstore_close(store);
    sum->seconds = clock_now_s() - t0;
    return rc;
}
