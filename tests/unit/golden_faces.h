/* golden_faces.h — reading the reference's golden JSON (shared/reference/faceapi-ref)
 * in the vision unit tests: per-face boxes, points, crops, and the exact pixels of a
 * golden integer crop cut from a parity PNG. Header-only (static), included by the
 * tests that need it; the test executables link only testutil.c. */
#ifndef FACETAG_TEST_GOLDEN_FACES_H
#define FACETAG_TEST_GOLDEN_FACES_H

#include "media/image.h"
#include "testutil.h"
#include "vision/crops.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Loads shared/<relpath>; NULL (and a note on stderr) when shared/ or the file is absent. */
static inline json_t *golden_load(const char *relpath)
{
    const char *shared = test_shared_dir();
    if (!shared) {
        fprintf(stderr, "FACETAG_SHARED not set or missing: golden tests skipped\n");
        return NULL;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", shared, relpath);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        fprintf(stderr, "%s: %s (line %d)\n", path, je.text, je.line);
    return root;
}

static inline double golden_num(const json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

static inline rectd golden_rectd(const json_t *r)
{
    rectd out = { golden_num(r, "x"), golden_num(r, "y"), golden_num(r, "width"), golden_num(r, "height") };
    return out;
}

static inline crop_rect golden_crop(const json_t *face, const char *which)
{
    const json_t *r = json_object_get(json_object_get(face, "crops"), which);
    crop_rect c = { (int)golden_num(r, "x"), (int)golden_num(r, "y"), (int)golden_num(r, "width"),
                    (int)golden_num(r, "height") };
    return c;
}

/* The 68 landmark points of a golden face; false when the array is not 68 × [x,y]. */
static inline bool golden_points(const json_t *face, pointd pts[CROPS_NPOINTS])
{
    const json_t *a = json_object_get(face, "landmarks");
    if (json_array_size(a) != CROPS_NPOINTS)
        return false;
    for (size_t i = 0; i < CROPS_NPOINTS; i++) {
        const json_t *p = json_array_get(a, i);
        pts[i].x = json_number_value(json_array_get(p, 0));
        pts[i].y = json_number_value(json_array_get(p, 1));
    }
    return true;
}

/* Loads a parity PNG (full resolution, no EXIF rotation: the pixels the reference saw). */
static inline bool golden_image(const json_t *img, image *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/reference/faceapi-ref/parity/%s", test_shared_dir(),
             json_string_value(json_object_get(img, "file")));
    err e = { 0 };
    if (image_load_rgb(path, 0, 0, out, &e) != 0) {
        fprintf(stderr, "%s\n", e.msg);
        return false;
    }
    return true;
}

/* Copies crop c of img into a new tight RGB buffer (caller frees). */
static inline uint8_t *golden_cut(const image *img, crop_rect c)
{
    uint8_t *buf = malloc((size_t)c.w * c.h * 3);
    for (int y = 0; y < c.h; y++)
        memcpy(buf + (size_t)y * c.w * 3, img->rgb + ((size_t)(c.y + y) * img->width + c.x) * 3, (size_t)c.w * 3);
    return buf;
}

#endif
