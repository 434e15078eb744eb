/* track.h — face tracks in videos: the faces of one person in consecutive
 * kept frames of one scene are one track (store/catalog_tracks.h), so a
 * person on stage for two minutes is one review item, not one per frame.
 *
 * Linking: between each kept frame and the next one of the same scene (one
 * frame where no face was found may lie between), a
 * face pairs with a face of the next frame when their boxes overlap
 * (IoU >= TRACK_MIN_IOU) and their descriptors are near (euclidean distance
 * < TRACK_MAX_DIST, the same-person distance of the recogniser), or, for a
 * person who moved, when the descriptors are very near (< TRACK_SURE_DIST)
 * wherever the boxes are. Pairs are taken nearest first, each face at most
 * once per side; the chains of pairs are the tracks. Faces without a
 * descriptor are never linked. */
#ifndef FACETAG_ANALYZE_TRACK_H
#define FACETAG_ANALYZE_TRACK_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/catalog_tracks.h"

#define TRACK_MIN_IOU 0.3
#define TRACK_MAX_DIST 0.6
#define TRACK_SURE_DIST 0.45

/* faces[0..n) in frame order (catalog_track_faces). track[i] = the face id of
 * the first face of i's track, or 0 when face i is alone. Errors: ERR_NOMEM. */
int track_link(const catalog_track_face *faces, size_t n, int64_t *track, err *e);

typedef struct track_summary {
    int64_t videos; /* videos looked at */
    int64_t faces;  /* faces in their frames */
    int64_t tracks; /* tracks of two faces or more */
    int64_t linked; /* faces in those tracks */
} track_summary;

/* Links the faces of every video of the catalog and replaces its tracks
 * (one transaction per video: a kill leaves each video's tracks old or new). */
int track_videos(catalog *c, track_summary *sum, err *e);

#endif
