/* frame_turn.h — a contact sheet's frames stored upright once the sheet's
 * faces have voted which way round its pictures lie (sheet_vote.h).
 *
 * Ingest cuts the frames of a vertical strip upright by a guess (media/sheet.h,
 * sheet_result_upright); when the vote says the pictures lie turned, every
 * frame of the sheet is turned for good: its processed image
 * (processed/{photo_id}.jpg, re-encoded as ingest encodes it), and in the
 * catalog its rectangle on the sheet, its size, its faces' and XMP regions'
 * boxes (catalog_frame_turn.h), so the UI, the face crops, the exports and a
 * later analysis all see the frame upright. Its analysis is dropped: the
 * caller reads it again (people's decisions carried to the new faces over the
 * same spots, as after a flip: analyze_flip.h). The original in incoming/ is
 * never touched.
 *
 * Kill-safe, and a sheet is turned once: the turned images' SHA-256 are
 * recorded with the turn in one transaction before any image is written; a
 * run killed before every image was written finishes them
 * (frame_turn_finish) before anything reads them. */
#ifndef FACETAG_ANALYZE_FRAME_TURN_H
#define FACETAG_ANALYZE_FRAME_TURN_H

#include "core/error.h"
#include "store/catalog.h"
#include "store/objstore.h"

/* Turns every frame of sheet parent_id clockwise by turn (90, 180, 270).
 * slow_ms: FACETAG_TEST_SLOW_MS (core/testhook.h: a pause after the turn is
 * recorded, the kill point "sheet-turned", and after each image written).
 * Returns 1 when turned now, 0 when the sheet was turned before or has no
 * frame (nothing done); <0 with e set (the store or catalog failing, a
 * frame's image unreadable: then nothing was turned). */
int frame_turn_sheet(objstore *store, catalog *cat, const char *parent_id, int turn, int slow_ms, err *e);

/* Writes the turned images a killed run recorded but did not write
 * (catalog_frame_turns_pending): an image that is already the recorded one is
 * only marked written. Returns how many frames were pending (>= 0), or <0
 * with e set. */
int frame_turn_finish(objstore *store, catalog *cat, err *e);

#endif
