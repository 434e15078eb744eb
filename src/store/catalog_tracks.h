/* catalog_tracks.h — face tracks of videos (schema version 11, table
 * face_tracks): faces of one person in consecutive kept frames of one scene
 * (analyze/track.h links them) are one track, named by the id of its first
 * face. Only tracks of two faces or more have rows; a face without a row is
 * its own item. The rows of a video are replaced whole. */
#ifndef FACETAG_STORE_CATALOG_TRACKS_H
#define FACETAG_STORE_CATALOG_TRACKS_H

#include "core/facedef.h"
#include "store/catalog.h"

/* A face of a video frame, as the linker needs it. */
typedef struct catalog_track_face {
    int64_t face_id;
    int frame_no, scene;
    int64_t time_ms;
    double x, y, w, h; /* box in the frame's processed pixels */
    int has_descriptor;
    float descriptor[FACE_DESCRIPTOR_DIM];
} catalog_track_face;

/* The photo ids of every video with kept frames; *ids malloc'd (caller frees),
 * PHOTO_ID_LEN + 1 chars each. */
int catalog_track_videos(catalog *c, char (**ids)[PHOTO_ID_LEN + 1], size_t *n, err *e);

/* The faces of the current analysis of video_id's frames, in frame order then
 * face number; *out malloc'd (caller frees). */
int catalog_track_faces(catalog *c, const char *video_id, catalog_track_face **out, size_t *n, err *e);

/* Replaces video_id's track rows by face_ids[i] -> track_ids[i] (i < n), in
 * one transaction (or savepoint). ERR_CONFLICT when a face does not exist. */
int catalog_tracks_put(catalog *c, const char *video_id, const int64_t *face_ids, const int64_t *track_ids, size_t n,
                       err *e);

/* The other faces of face_id's track (none when it has no track); *ids
 * malloc'd or NULL (caller frees). */
int catalog_track_mates(catalog *c, int64_t face_id, int64_t **ids, size_t *n, err *e);

#endif
