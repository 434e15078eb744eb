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
#include "analyze/frame_turn.h"
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
    /* A contact sheet's frame (sheet: parent_id is its sheet) with no face
     * is held back (not recorded) until its sheet has voted (sheet_vote.h);
     * turn: the clockwise turn it is read again with, the sheet's vote
     * (pipeline_options.turn), when the sheet's frames were stored turned
     * before. again: read after the vote (never held). recorded: its
     * analysis recorded in this run, with recorded_faces faces. */
    bool held, sheet, again, recorded;
    int turn;
    size_t recorded_faces;
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
        j->recorded = true;
        j->recorded_faces = j->result.n;
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
    if (!j->again)
        j->sheet = sheet_frame_of(b->cat, j->photo_id, j->parent_id);
    if (rc == 0 && !j->again && j->result.n == 0 && j->sheet) {
        j->held = true;
        return;
    }
    finish(b, j, rc, reason, pr);
}

typedef struct sheet_turn {
    char parent_id[PHOTO_ID_LEN + 1];
    int turn;
    bool stored; /* its frames were stored turned now: all are read again */
} sheet_turn;

/* The photos read again after the votes. */
typedef struct again_list {
    job *jobs;
    size_t n, cap;
} again_list;

static int again_add(again_list *l, const char *photo_id, const char *parent_id, int turn)
{
    if (l->n == l->cap) {
        size_t cap = l->cap * 2 + 16;
        job *v = realloc(l->jobs, sizeof *v * cap);
        if (!v)
            return ERR_NOMEM;
        l->jobs = v;
        l->cap = cap;
    }
    job *a = &l->jobs[l->n++];
    memset(a, 0, sizeof *a);
    snprintf(a->photo_id, sizeof a->photo_id, "%s", photo_id);
    snprintf(a->parent_id, sizeof a->parent_id, "%s", parent_id);
    a->turn = turn;
    a->again = true;
    return 0;
}

static int again_add_frame(const catalog_frame *f, void *ud)
{
    return strcmp(f->kind, "sheet") == 0 ? again_add(ud, f->photo_id, f->parent_id, 0) : 0;
}

/* The vote of sheet parent_id, and its frames stored turned by it when it
 * says turn (frame_turn.h; once per sheet): then every frame of the sheet
 * joins *again. A failure is a message; the frames are then read as before
 * (a turned reading of the faceless ones). */
static sheet_turn vote_one(batch *b, const char *parent_id, again_list *again, progress *pm)
{
    sheet_turn v = { .turn = 0 };
    snprintf(v.parent_id, sizeof v.parent_id, "%s", parent_id);
    err ve = { 0 };
    if (sheet_vote_stored(b->store, b->cat, parent_id, b->model, &v.turn, &ve) != 0) {
        progress_message(pm, "sheet %s: its frames could not vote (%s); frames recorded as read", parent_id, ve.msg);
        v.turn = 0;
    }
    if (v.turn == 0)
        return v;
    int t = frame_turn_sheet(b->store, b->cat, parent_id, v.turn, b->slow_ms, &ve);
    if (t < 0) {
        progress_message(pm, "sheet %s: %s; its faceless frames read turned, stored as they were", parent_id, ve.msg);
        return v;
    }
    v.stored = t == 1;
    if (v.stored) {
        size_t before = again->n;
        if (catalog_frames_of(b->cat, parent_id, again_add_frame, again, &ve) != 0) {
            /* its analyses were dropped with the turn: the next run reads them */
            progress_message(pm, "sheet %s: turned upright, but its frames could not be listed to read again (%s)",
                             parent_id, ve.code == ERR_NOMEM ? "out of memory" : ve.msg);
            again->n = before;
        }
        b->sum->upright_sheets++;
        b->sum->upright_frames += (int64_t)(again->n - before);
    }
    return v;
}

/* After the batch: each sheet with frames in it votes on the stored
 * annotations of all its frames (sheet_vote_stored). A sheet whose vote says
 * turn has its frames stored turned (once: frame_turn_sheet) and all of them
 * read again; the held frames of a sheet whose frames were stored turned
 * before are read again turned by the vote (pipeline_options.turn); other held
 * frames are recorded as they are. Returns the second reading's batch status
 * (0 when there is none). */
static int vote_sheets(batch *b, const batch_ops *ops, const analyze_options *opts, err *e)
{
    size_t nsheet = 0;
    for (size_t i = 0; i < b->njobs; i++)
        nsheet += b->jobs[i].sheet;
    if (nsheet == 0)
        return 0;
    FILE *msgs = opts->messages ? opts->messages : stderr;
    again_list again = { 0 };
    sheet_turn *voted = calloc(nsheet, sizeof *voted);
    int rc = voted ? 0 : err_set(e, ERR_NOMEM, "out of memory for the frames of contact sheets");
    progress *pm = rc ? NULL : progress_new(msgs, "analyze", "frames", 0, 0); /* messages only */
    size_t nvoted = 0;
    for (size_t i = 0; rc == 0 && i < b->njobs; i++) {
        job *j = &b->jobs[i];
        if (!j->sheet)
            continue;
        sheet_turn *v = NULL;
        for (size_t k = 0; k < nvoted && !v; k++)
            if (strcmp(voted[k].parent_id, j->parent_id) == 0)
                v = &voted[k];
        if (!v) { /* the sheet's first frame asks for its vote */
            voted[nvoted] = vote_one(b, j->parent_id, &again, pm);
            v = &voted[nvoted++];
        }
        if (v->stored) { /* read again with its whole sheet: this reading is not what is stored */
            if (j->recorded) {
                b->sum->analyzed--;
                b->sum->faces -= (int64_t)j->recorded_faces;
            } else if (!j->held) { /* it failed: read again */
                b->sum->failed--;
            }
        } else if (j->held && v->turn == 0) {
            finish(b, j, 0, NULL, pm);
        } else if (j->held && again_add(&again, j->photo_id, j->parent_id, v->turn) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory for the frames of contact sheets");
        }
        if (j->held)
            release(j);
    }
    progress_end(pm);
    free(voted);
    if (rc == 0 && again.n) {
        job *first = b->jobs;
        size_t nfirst = b->njobs;
        b->jobs = again.jobs;
        b->njobs = again.n;
        progress *pr =
            progress_new(msgs, "analyze", "frames read again by their sheet's vote", (int64_t)again.n, opts->progress);
        batch_options bo = { .threads = opts->threads, .pr = pr };
        rc = batch_run(ops, b, again.n, &bo, e);
        progress_end(pr);
        for (size_t i = 0; i < again.n; i++) {
            const job *a = &again.jobs[i];
            if (a->turn) {
                b->sum->sheet_turned++;
                b->sum->sheet_turned_faces += (int64_t)a->recorded_faces;
            } else {
                b->sum->upright_faces += (int64_t)a->recorded_faces;
            }
        }
        b->jobs = first;
        b->njobs = nfirst;
    }
    if (rc) /* what was held back and not recorded stays unrecorded */
        for (size_t i = 0; i < b->njobs; i++)
            if (b->jobs[i].held)
                release(&b->jobs[i]);
    free(again.jobs);
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
    /* frames a killed run turned in the catalog get their turned images
     * before anything reads them (frame_turn.h) */
    int finished = rc ? 0 : frame_turn_finish(store, cat, e);
    if (finished < 0)
        rc = finished;
    else if (finished > 0)
        fprintf(opts->messages ? opts->messages : stderr,
                "analyze: %d frames of contact sheets turned upright by a run that stopped: images written\n",
                finished);
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
