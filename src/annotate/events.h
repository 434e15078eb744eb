/* events.h — photos grouped into events, and what an event lets us infer.
 *
 * An event is a folder whose name or album says when or where (the archive
 * filed it as one occasion); in a folder that does not, a session of shots
 * (the film or sheet number in the file names, evidence_roll), and without
 * one, the photos of the folder that share a date and place. An event's date
 * is its photos' most precise date (the most common among equals), its place
 * their most common place. A photo without a date of its own takes its
 * event's (to the month at most: an event spans days), marked inferred
 * (source "event"); one whose own date is coarser
 * but agrees (1978 in a July 1978 event) is refined the same way. A photo
 * with no evidence in an event with none stays undated: nothing is invented.
 * Returns 0 or ERR_NOMEM. */
#ifndef FACETAG_ANNOTATE_EVENTS_H
#define FACETAG_ANNOTATE_EVENTS_H

#include "annotate/model.h"

int events_group(ann_model *m);

#endif
