/* evidence.h — what each photo's paths and sidecars say, read in two passes:
 * evidence_gather collects the texts (every folder level of the path, the
 * caption, album text, XMP/JSON fields) and the archive's quoted titles;
 * evidence_read then concludes the photo's own date, place and caption names
 * (dates_*, places_*, names_*), each with the source and text it came from.
 * Both return 0 or ERR_NOMEM. */
#ifndef FACETAG_ANNOTATE_EVIDENCE_H
#define FACETAG_ANNOTATE_EVIDENCE_H

#include "annotate/model.h"

/* Needs p->path, p->sidecar (consumed and freed) and p->taken_at. */
int evidence_gather(ann_model *m, ann_photo *p);
/* After every photo was gathered (titles are archive-wide). */
int evidence_read(ann_model *m, ann_photo *p);
/* The parts of evidence_read, for a photo whose date, place and names come
 * from the parse cache (parsecache.h): evidence_find_names reads the names
 * of its texts into p->ops (and each folder / album text's into
 * m->title_names); evidence_count adds p's names and place to the archive's
 * counts (as evidence_read does after reading). 0 or ERR_NOMEM. */
int evidence_find_names(ann_model *m, ann_photo *p);
int evidence_count(ann_model *m, ann_photo *p);
/* For a photo whose texts and titles came from the parse cache instead of
 * evidence_gather: its file, folder and caption, its titles into the
 * archive's. 0 or ERR_NOMEM. */
int evidence_restored(ann_model *m, ann_photo *p);

/* t is a folder name (the three nearest levels) or an album text: its names
 * count as titles (of events, works), not as the photo's persons. */
bool evidence_title_text(const ann_text *t);

/* Reads p's place again (after the gazetteer learned the archive's own place
 * phrases, placelearn.h). 0 or ERR_NOMEM. */
int evidence_read_place(ann_model *m, ann_photo *p);
/* Whether the date h found in text is a title, not a date: a year or decade
 * the archive quotes ("„1980“") or names beside a more precise date of
 * another year ("Probe 1980, März 1985"), except where it stands alone (a
 * folder called "1980" is a year). After every photo was gathered. */
bool evidence_date_is_title(const ann_model *m, const char *text, const date_hit *h);
/* The best date (titles left out) and first place of a folder name or album
 * text, read once per distinct text and kept in m; NULL when out of memory.
 * After every photo was gathered. */
const ann_folder_facts *evidence_text_facts(ann_model *m, const char *text);
/* The film or sheet number of a file name: its numbers but the last, joined by
 * '_' ("IMG_012_003.jpg" -> "012"); "" when it has fewer than two numbers. */
void evidence_roll(const char *file, char *out, size_t size);

#endif
