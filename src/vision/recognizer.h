/* recognizer.h — face-api's face recognition ResNet (`face_recognition_model`,
 * NOTES §5): a 150 x 150 face chip → a 128-d descriptor; two faces of one person
 * are at Euclidean distance < ~0.6. The descriptor is the raw network output
 * (not unit length), as face-api returns it.
 *
 * Two ways to make the chip:
 *   recognizer_describe          face-api's (--compat): the axis-aligned dlib-style
 *                                square from the eye and mouth centres (crops.h),
 *                                centred zero pad, TF1 bilinear resize;
 *   recognizer_describe_aligned  dlib's own chip: a similarity transform from 33 of
 *                                the 68 landmarks to dlib's mean face (align.h), so
 *                                the eyes are level and the face has a fixed scale.
 *
 * Precision (net.h): fp32 on XNNPACK (face-api's numbers; --compat), or bf16
 * on oneDNN where that pays, the global average pool and fully connected
 * layer staying fp32 on the host; test_recognizer_bf16 measures how far bf16
 * descriptors move.
 *
 * Sharing: a recognizer_net (weights + layer list, net.h) is loaded once and
 * read-only; each thread makes its own recognizer_runner from it. */
#ifndef FACETAG_VISION_RECOGNIZER_H
#define FACETAG_VISION_RECOGNIZER_H

#include "core/error.h"
#include "core/facedef.h"
#include "media/image.h"
#include "nn/net.h"
#include "vision/crops.h"

#define RECOGNIZER_DIM FACE_DESCRIPTOR_DIM
#define RECOGNIZER_INPUT 150

typedef struct recognizer_net recognizer_net;
typedef struct recognizer_runner recognizer_runner;

/* Loads face_recognition_model from models_dir and lists its layers; free with
 * recognizer_net_free after its runners. Errors from the weight loader (ERR_IO,
 * ERR_FORMAT, ERR_MODEL) name the file or tensor. */
int recognizer_net_load(const char *models_dir, recognizer_net **out, err *e);
void recognizer_net_free(recognizer_net *net);
/* FLOPs (2 x multiply-adds) of one run. */
double recognizer_net_flops(const recognizer_net *net);

/* A runner for one thread in precision p (net_runner_new: fp32 on `threads`,
 * NULL the calling thread; bf16 on the calling thread where available, else
 * ERR_INVALID naming the reason). */
int recognizer_runner_new(recognizer_net *net, nn_threads *threads, net_precision p, recognizer_runner **out, err *e);
void recognizer_runner_free(recognizer_runner *r);

/* Descriptor of the integer crop of img (inside the image, non-empty; else
 * ERR_INVALID): centred pad to a square, resize to 150, mean/255 normalisation. */
int recognizer_describe_crop(recognizer_runner *r, const image *img, crop_rect crop, float desc[RECOGNIZER_DIM],
                             err *e);

/* face-api's descriptor stage from 68 landmarks in image pixels and the landmark
 * crop they came from: dlib-style rect (crops_descriptor_rect), clip+floor, run.
 * As face-api, a rect that clips to nothing gives an all-zero descriptor (and
 * returns 0). *crop_out (may be NULL) gets the crop used. */
int recognizer_describe(recognizer_runner *r, const image *img, const pointd pts[CROPS_NPOINTS],
                        crop_rect landmark_crop, float desc[RECOGNIZER_DIM], crop_rect *crop_out, err *e);

/* Descriptor of dlib's aligned 150 x 150 chip for these 68 landmarks (align.h:
 * get_face_chip_details(shape, 150, 0.25) geometry, bilinear sampling from an
 * image pyramid, black outside the image). ERR_INVALID for degenerate landmarks. */
int recognizer_describe_aligned(recognizer_runner *r, const image *img, const pointd pts[CROPS_NPOINTS],
                                float desc[RECOGNIZER_DIM], err *e);

/* Euclidean distance of two descriptors (double accumulation). */
double recognizer_distance(const float a[RECOGNIZER_DIM], const float b[RECOGNIZER_DIM]);

#endif
