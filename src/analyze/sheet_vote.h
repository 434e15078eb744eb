/* sheet_vote.h — which way up a contact sheet's frames lie, from the frames
 * where faces are found: a vote over the whole sheet.
 *
 * The splitter cuts the frames of vertical strips upright by a guess
 * (media/sheet.h, sheet_result_upright): the strip's direction does not say
 * which way round the pictures face, and a whole sheet may lie sideways or
 * upside down on the scanner. The orientation search of each frame
 * (vision/orient.h) turns back the frames where it finds faces; a frame with
 * one tight face, which only the padded-canvas pass of the upright view finds,
 * it leaves as it is, with no face. The sheet's frames lie the same way, so
 * the turn most of them needed is the turn of the others: analyze reads such
 * a frame again turned by the sheet's vote (pipeline_options.turn).
 *
 * Kill-safe: the vote is counted from what is stored (every frame's
 * annotation JSON, annotations/{photo_id}.json, its "rotation" and faces for
 * this model version), so a run killed before a frame was read again reaches
 * the same vote in the next run. */
#ifndef FACETAG_ANALYZE_SHEET_VOTE_H
#define FACETAG_ANALYZE_SHEET_VOTE_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/objstore.h"

/* A turn wins when at least this many frames with faces needed it and they
 * are more than half of the frames with faces. */
#define SHEET_VOTE_MIN 2

/* The vote: rotation[i] (clockwise degrees, 0/90/180/270) of frame i and
 * faces[i] its face count, n frames. Returns the winning turn, or 0 when
 * none wins (also when most frames needed none). *voters (may be NULL): the
 * frames with faces. */
int sheet_vote_turn(const int *rotation, const int *faces, int n, int *voters);

/* The vote of parent_id's stored frames for model (their annotations; a frame
 * with none, or one of another model version, does not vote): *turn. 0, or
 * an error (the catalog or the store failing; a frame's annotation that is not
 * JSON is skipped). */
int sheet_vote_stored(objstore *store, catalog *cat, const char *parent_id, const char *model, int *turn, err *e);

#endif
