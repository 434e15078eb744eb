/* draw.c — faces drawn by hand (draw.h). */
#include "review/draw.h"

#include "media/image.h"
#include "store/persons.h"
#include "analyze/annotation.h"
#include "vision/pipeline.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

/* The crop shown in the UI: the box grown by this fraction on every side,
 * clipped to the image, at most DRAW_CROP_EDGE px on its longer side. */
#define DRAW_CROP_MARGIN 0.25
#define DRAW_CROP_EDGE 320

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

/* The UI crop of box from the processed JPEG bytes; *jpg g_malloc'd. */
static int crop_jpeg(const void *data, size_t len, const double box[4], void **jpg, size_t *jlen, err *e)
{
    VipsImage *img = vips_image_new_from_buffer(data, len, "", NULL);
    if (!img)
        return err_set(e, ERR_FORMAT, "cannot decode the processed image: %s", vips_error_buffer());
    int W = vips_image_get_width(img), H = vips_image_get_height(img);
    double mx = box[2] * DRAW_CROP_MARGIN, my = box[3] * DRAW_CROP_MARGIN;
    int x0 = (int)fmax(0, floor(box[0] - mx)), y0 = (int)fmax(0, floor(box[1] - my));
    int x1 = (int)fmin(W, ceil(box[0] + box[2] + mx)), y1 = (int)fmin(H, ceil(box[1] + box[3] + my));
    VipsImage *crop = NULL, *small = NULL;
    int rc = 0;
    if (x1 - x0 < 1 || y1 - y0 < 1)
        rc = err_set(e, ERR_INVALID, "the box lies outside the %dx%d image", W, H);
    else if (vips_crop(img, &crop, x0, y0, x1 - x0, y1 - y0, NULL) != 0 ||
             vips_thumbnail_image(crop, &small, DRAW_CROP_EDGE, "height", DRAW_CROP_EDGE, "size", VIPS_SIZE_DOWN,
                                  NULL) != 0 ||
             vips_jpegsave_buffer(small, jpg, jlen, "Q", 90, "strip", TRUE, NULL) != 0)
        rc = err_set(e, ERR_INTERNAL, "cannot cut the face crop: %s", vips_error_buffer());
    vips_error_clear();
    if (small)
        g_object_unref(small);
    if (crop)
        g_object_unref(crop);
    g_object_unref(img);
    return rc;
}

static void fill_face(catalog_face *f, const pipeline_face *pf, const double box[4])
{
    f->box[0] = box[0], f->box[1] = box[1], f->box[2] = box[2], f->box[3] = box[3];
    f->score = pf->score;
    f->has_landmarks = true;
    for (int i = 0; i < 5; i++)
        f->five[i][0] = pf->five[i].x, f->five[i][1] = pf->five[i].y;
    for (int i = 0; i < 68; i++)
        f->points68[i][0] = pf->points68[i].x, f->points68[i][1] = pf->points68[i].y;
    f->has_embedding = true;
    memcpy(f->embedding, pf->embedding, sizeof f->embedding);
    f->has_attributes = pf->has_attributes;
    if (pf->has_attributes) {
        f->age = pf->age;
        snprintf(f->gender, sizeof f->gender, "%s", pf->male ? "male" : "female");
        f->gender_probability = pf->gender_probability;
        for (int i = 0; i < EXPRESSION_COUNT && i < 7; i++)
            f->expressions[i] = pf->expressions[i];
    }
    snprintf(f->source, sizeof f->source, "manual");
}

/* annotations/{photo_id}.json gains the drawn face, so the per-photo JSON
 * and the catalog agree; replaced whole (objstore_put: temp file, rename), so a
 * reader never sees half of it. */
static int annotation_add(objstore *os, const char *photo_id, const char *version, int face_no,
                          const pipeline_face *pf, err *e)
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
    image img = {0};
    rc = image_load_rgb_buffer(data, len, 0, 0, &img, e);
    pipeline_face pf;
    memset(&pf, 0, sizeof pf);
    pthread_mutex_lock(&d->lock);
    if (rc == 0)
        rc = ensure_loaded(d, e);
    if (rc == 0) {
        pipeline_options opt = pipeline_default_options();
        /* Descriptors must be comparable with the photo's other faces: the same chips. */
        opt.compat = strstr(version, "/faceapi") != NULL;
        rectd r = {box[0], box[1], box[2], box[3]};
        rc = pipeline_describe_box(d->runner, &img, r, &opt, &pf, e);
    }
    pthread_mutex_unlock(&d->lock);
    image_free(&img);

    void *jpg = NULL;
    size_t jlen = 0;
    if (rc == 0)
        rc = crop_jpeg(data, len, box, &jpg, &jlen, e);
    free(data);
    if (rc)
        return rc;

    /* The write lock first, so the face number cannot be taken meanwhile (nor
     * the annotation rewritten by another drawing); the objects before the rows
     * that point at them. Killed before the commit, the crop and the annotation
     * entry of this face_no stay behind and the next drawing replaces both. */
    catalog_face f;
    memset(&f, 0, sizeof f);
    snprintf(f.photo_id, sizeof f.photo_id, "%s", photo_id);
    snprintf(f.model_version, sizeof f.model_version, "%s", version);
    fill_face(&f, &pf, box);
    rc = catalog_begin(c, e);
    if (rc == 0)
        rc = catalog_face_next_no(c, photo_id, version, &f.face_no, e);
    if (rc == 0) {
        snprintf(key, sizeof key, "%s/%d.jpg", photo_id, f.face_no);
        rc = objstore_put(os, BUCKET_FACES, key, jpg, jlen, e);
    }
    if (rc == 0) {
        pf.box = (rectd){box[0], box[1], box[2], box[3]};
        rc = annotation_add(os, photo_id, version, f.face_no, &pf, e);
    }
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
    g_free(jpg);
    if (rc == 0)
        *face_id = f.id;
    return rc;
}
