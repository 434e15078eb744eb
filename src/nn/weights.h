/* weights.h — trained weights of one face-api network, read from a tfjs manifest
 * (`<model>-weights_manifest.json`) and its binary shard(s), checked against the
 * network's layer table.
 *
 * Each network module (ssd.c, tinydet.c, landmarks, ...) owns a static table of
 * the tensors it uses: name and shape exactly as in the manifest (tfjs layouts:
 * conv filters HWIO [kh,kw,cin,cout], depthwise [kh,kw,c,1], fully connected
 * [in,out]). weights_load reads every table entry, dequantises it to float32
 * (NOTES §8: uint8 `(float)((double)q*scale + min)`, raw little-endian float32
 * at any byte offset) and fails with ERR_MODEL naming the model, the tensor, the
 * expected and the found shape when anything differs or is missing. Manifest
 * entries that are not in the table (e.g. SSD's int32 post-processor constants)
 * are skipped.
 *
 * Weights are loaded once per process and are read-only afterwards, so any number
 * of threads may read one `weights` set at the same time. */
#ifndef FACETAG_NN_WEIGHTS_H
#define FACETAG_NN_WEIGHTS_H

#include "core/error.h"
#include <stddef.h>

#define WEIGHTS_MAX_DIMS 4

/* One entry of a network's layer table. ndim 0 = scalar. */
typedef struct weights_spec {
    const char *name;
    int ndim;
    int shape[WEIGHTS_MAX_DIMS];
} weights_spec;

/* One dequantised tensor in the tfjs layout (row-major over shape). */
typedef struct wtensor {
    const char *name; /* points into the layer table entry (static) or owner's storage */
    int ndim;
    int shape[WEIGHTS_MAX_DIMS];
    size_t count; /* product of shape (1 for a scalar) */
    float *data;  /* count floats, owned by the weights set (or by whoever built the wtensor) */
} wtensor;

typedef struct weights weights;

/* Loads `model` (file stem, e.g. "ssd_mobilenetv1_model") from models_dir: reads
 * models_dir/<model>-weights_manifest.json and the shard files it names, and fills
 * one wtensor per table entry (in table order). On success *out is a new set the
 * caller frees with weights_free; on failure returns ERR_IO (file missing /
 * unreadable, message names the path and says to run `make models` or pass
 * --models), ERR_FORMAT (manifest not as tfjs writes it, shard too short,
 * unsupported dtype) or ERR_MODEL (tensor missing or wrong shape), e.g.
 * "face_recognition_model: conv32_down/conv/filters expects [3,3,32,32], file has [3,3,32,16]". */
int weights_load(const char *models_dir, const char *model, const weights_spec *table, size_t ntable, weights **out,
                 err *e);

/* The tensor of table entry i (0 <= i < ntable), never NULL for a loaded set. */
const wtensor *weights_at(const weights *w, size_t i);
/* The tensor with this name, or NULL when the table has no such entry. */
const wtensor *weights_get(const weights *w, const char *name);
/* The model stem the set was loaded from. */
const char *weights_model(const weights *w);
size_t weights_count(const weights *w);
void weights_free(weights *w);

/* Frees the data of table entry i once nothing will read it again (e.g. after
 * nn_conv2d / nn_fully_connected copied it into a graph in XNNPACK's layout):
 * saves the float copy of the largest tensors. The tensor keeps its name and
 * shape; its data becomes NULL. Not thread-safe: call while loading. */
void weights_release(weights *w, size_t i);

/* Formats a shape as "[3,3,32,16]" into buf (always NUL-terminated); returns buf. */
char *weights_shape_str(int ndim, const int *shape, char *buf, size_t size);

/* A tensor built by a network module from loaded ones (e.g. BatchNorm folded into
 * a depthwise filter): allocates count floats (zeroed) for the given shape.
 * The caller owns it and frees with wtensor_free. name is copied. Returns NULL on
 * out-of-memory (e set). */
wtensor *wtensor_new(const char *name, int ndim, const int *shape, err *e);
void wtensor_free(wtensor *t);

#endif
