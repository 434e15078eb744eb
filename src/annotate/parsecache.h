/* parsecache.h — annotate's per-photo parse cache (issue 11: an incremental
 * run reads only what changed). What evidence_gather and evidence_read make
 * of a photo is kept in the catalog (photo_parse, catalog_annotate.h) under
 * two hashes:
 *   inputs   the photo's own inputs: its newest path, its sidecar JSON (caption
 *            .txt/.json/.xmp and its folder's album.txt/.json), its camera
 *            date and the text OCR read from it or its back, with the rules'
 *            version. A change to any of them changes only that photo's hash.
 *   context  the gazetteer (its size and languages) and the rules' version.
 * Beyond them, reading a photo depends on other photos in one way only: a
 * year its texts name is no date where the archive quotes that year as a
 * title (evidence.c). So the parse keeps the years and decades its texts name,
 * each with whether it was a title then.
 * A photo whose inputs hash matches takes its texts and titles from the
 * cache (no sidecar JSON parsed); when the context matches too and each of its
 * years is a title now exactly when it was, also its date, place and names (no
 * date, place or name parsing); anything else is read afresh and its parse
 * written back by the same run's transaction. The
 * archive-wide steps (learned places, events, names' specificity) run on
 * every photo as before: a cached parse gives them exactly what reading it
 * again would.
 *
 * The parse is text: records separated by 0x1e, fields by 0x1f. A photo with
 * either byte in a text is not cached (read every run). A stored parse that
 * does not decode is read afresh, never trusted. */
#ifndef FACETAG_ANNOTATE_PARSECACHE_H
#define FACETAG_ANNOTATE_PARSECACHE_H

#include "annotate/model.h"

#include <stdbool.h>
#include <stddef.h>

/* p->inputs: the hex SHA-256 of p's inputs (before evidence_gather consumes
 * p->sidecar; p->ocr loaded). */
void parsecache_inputs(ann_photo *p);
/* The context hash of m into out (65 bytes); langs as
 * gazetteer_load_geonames got them. */
void parsecache_context(const ann_model *m, const char *const *langs, char out[65]);

/* From p->cache_parse: p's texts and titles (then evidence_restored). false
 * (p as before) when the parse does not decode or out of memory. */
bool parsecache_restore_texts(ann_photo *p);
/* Frees p's texts and titles and leaves it without any: what
 * parsecache_restore_texts does to p when the parse does not decode. */
void parsecache_clear_texts(ann_photo *p);
/* From p->cache_parse: p's date, place and names found (then
 * evidence_count); after every photo's titles are in m->titles. false (p's
 * date, place and names cleared) when the parse does not decode, names a place
 * m's gazetteer has not, a year of it became a title or stopped being one, or
 * out of memory. */
bool parsecache_restore_read(ann_model *m, ann_photo *p);

/* p's parse as evidence_read left it, before any archive-wide step; NULL
 * when a text holds a separator byte or out of memory. Caller frees. */
char *parsecache_encode(const ann_model *m, const ann_photo *p);

#endif
