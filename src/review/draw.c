/* draw.c — faces drawn by hand (draw.h). */
#include "review/draw.h"

#include "analyze/analyze_face.h"
#include "analyze/annotation.h"
#include "media/image.h"
#include "store/persons.h"
#include "vision/pipeline.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct draw_engine {
    pthread_mutex_t lock; /* one drawing at a time; guards the lazy load */
    char *models_dir;
    pipeline_models *models;
    pipeline_runner *runner;
};

draw_engine *draw_engine_new(const char *models_dir)
{
    draw_engine *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    pthread_mutex_init(&d->lock, NULL);
    d->models_dir = models_dir ? strdup(models_dir) : NULL;
    return d;
}

void draw_engine_free(draw_engine *d)
{
    if (!d)
        return;
    pipeline_runner_free(d->runner);
    pipeline_models_free(d->models);
    pthread_mutex_destroy(&d->lock);
    free(d->models_dir);
    free(d);
}

static int ensure_loaded(draw_engine *d, err *e)
{
    if (d->runner)
        return 0;
    if (!d->models_dir)
        return err_set(e, ERR_MODEL, "drawing a face needs the models folder (--models)");
    /* No detector (a drawn box needs only the per-face networks) and fp32
     * only: the server's threads never start oneDNN. CI's AMX machine crashed
     * in libdnnl when a libmicrohttpd thread built the bf16 SSD; analyze builds
     * its bf16 nets in the main thread before its workers exist. */
    pipeline_options opt = pipeline_default_options();
    opt.detector = PIPELINE_NO_DETECTOR;
    opt.fp32 = true;
    if (!d->models && !(d->models = pipeline_models_load(d->models_dir, &opt, e)))
        return e ? e->code : ERR_MODEL;
    if (!(d->runner = pipeline_runner_new(d->models, NULL, e)))
        return e ? e->code : ERR_MODEL;
    return 0;
}

/* The rotation that turns the photo upright, as its annotation recorded it
 * (0 when it has none yet). */
static int photo_rotation(objstore *os, const char *photo_id, err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.json", photo_id);
    void *json = NULL;
    size_t len = 0;
    int rc = objstore_get(os, BUCKET_ANNOTATIONS, key, &json, &len, e);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        return 0;
    }
    if (rc)
        return rc;
    int rotation = analyze_annotation_rotation(json, len);
    free(json);
    return rotation;
}

/* annotations/{photo_id}.json gains the drawn face, so the per-photo JSON
 * and the catalog agree; replaced whole (objstore_put: temp file, rename), so a
 * reader never sees half of it. */
static int annotation_add(objstore *os, const char *photo_id, const char *version, int face_no, const pipeline_face *pf,
                          err *e)
{
    char key[64];
    snprintf(key, sizeof key, "%s.json", photo_id);
    void *old = NULL;
    size_t len = 0;
    int rc = objstore_get(os, BUCKET_ANNOTATIONS, key, &old, &len, e);
    if (rc == ERR_NOTFOUND) {
        err_clear(e);
        rc = 0;
    }
    char *json = rc == 0 ? annotation_with_face(old, len, photo_id, version, face_no, pf, "manual", e) : NULL;
    free(old);
    if (rc == 0 && !json)
        rc = e ? e->code : ERR_NOMEM;
    if (rc == 0)
        rc = objstore_put(os, BUCKET_ANNOTATIONS, key, json, strlen(json), e);
    free(json);
    return rc;
}

int draw_face(draw_engine *d, catalog *c, objstore *os, const char *actor, const char *photo_id, const double box[4],
              const char *name, int64_t *face_id, err *e)
{
    for (int i = 0; i < 4; i++)
        if (!isfinite(box[i]))
            return err_set(e, ERR_INVALID, "the box holds a number that is not finite");
    int found = catalog_photo_get(c, photo_id, NULL, e);
    if (found < 0)
        return found;
    if (found == 0)
        return err_set(e, ERR_NOTFOUND, "photo %s does not exist", photo_id);
    char version[CATALOG_MODEL_VERSION_LEN];
    found = catalog_current_version(c, photo_id, version, e);
    if (found < 0)
        return found;
    if (found == 0)
        return err_set(e, ERR_CONFLICT, "photo %s has not been analysed yet; run 'facetag analyze' first", photo_id);

    char key[64];
    snprintf(key, sizeof key, "%s.jpg", photo_id);
    void *data = NULL;
    size_t len = 0;
    int rc = objstore_get(os, BUCKET_PROCESSED, key, &data, &len, e);
    if (rc)
        return rc;
    image img = { 0 };
    rc = image_load_rgb_buffer(data, len, 0, 0, &img, e);
    free(data);
    pipeline_face pf;
    memset(&pf, 0, sizeof pf);
    rectd r = { box[0], box[1], box[2], box[3] };
    pthread_mutex_lock(&d->lock);
    if (rc == 0)
        rc = ensure_loaded(d, e);
    if (rc == 0) {
        pipeline_options opt = pipeline_default_options();
        /* Descriptors must be comparable with the photo's other faces: the same chips. */
        opt.compat = strstr(version, "/faceapi") != NULL;
        rc = pipeline_describe_box(d->runner, &img, r, &opt, &pf, e);
    }
    pthread_mutex_unlock(&d->lock);

    /* The crop as analyze cuts it: the same margin, turned upright. */
    void *jpg = NULL;
    size_t jlen = 0;
    int rotation = rc == 0 ? photo_rotation(os, photo_id, e) : 0;
    if (rotation < 0)
        rc = rotation;
    if (rc == 0)
        rc = analyze_face_crop(&img, r, rotation, &jpg, &jlen, e);
    image_free(&img);
    if (rc) {
        free(jpg);
        return rc;
    }

    /* The write lock first, so the face number cannot be taken meanwhile (nor
     * the annotation rewritten by another drawing); the objects before the rows
     * that point at them. Killed before the commit, the crop and the annotation
     * entry of this face_no stay behind and the next drawing replaces both. */
    pf.box = r; /* the row keeps the drawn box */
    catalog_face f;
    analyze_face_to_catalog(&pf, photo_id, 0, version, "manual", &f);
    rc = catalog_begin(c, e);
    if (rc == 0)
        rc = catalog_face_next_no(c, photo_id, version, &f.face_no, e);
    if (rc == 0) {
        snprintf(key, sizeof key, "%s/%d.jpg", photo_id, f.face_no);
        rc = objstore_put(os, BUCKET_FACES, key, jpg, jlen, e);
    }
    if (rc == 0)
        rc = annotation_add(os, photo_id, version, f.face_no, &pf, e);
    if (rc == 0)
        rc = catalog_face_put(c, &f, e);
    if (rc == 0)
        rc = persons_log_draw(c, actor, f.id, e);
    int64_t person = 0;
    if (rc == 0 && name && *name)
        rc = persons_name_face(c, actor, f.id, name, &person, e);
    if (rc == 0)
        rc = catalog_commit(c, e);
    else
        catalog_rollback(c);
    free(jpg);
    if (rc == 0)
        *face_id = f.id;
    return rc;
}
