/* annotate.h — the annotate stage: who, when and where, from the archive's own
 * words. Reads every photo's source paths (each folder level), sidecars
 * (caption .txt/.json/.xmp, album.txt/.json) and camera date, the faces and
 * persons of `cluster`, and people's names and decisions; writes each photo's
 * date (value, precision, source, inferred), place and event to
 * photo_annotations, the places and events, and name suggestions for persons
 * (person_suggestions) and for faces of no person (face_suggestions), all with
 * their evidence. Rules only: dates.h, places.h, names.h, events.h, naming.h.
 *
 * Idempotent and kill-safe: everything is computed in memory and written in
 * one transaction, rows only where they changed; dates and places people set
 * and suggestions people accepted or rejected are kept. Incremental: a run
 * whose inputs did not change since the last (catalog_ann_fingerprint) reads
 * nothing more; otherwise only the photos whose own texts changed are parsed
 * again, the others come from the parse cache (parsecache.h), and the
 * archive-wide counts are recomputed from all (a name's specificity depends on
 * every caption) (bench/annotate.c). --full (o->full) reads every photo afresh. */
#ifndef FACETAG_ANNOTATE_ANNOTATE_H
#define FACETAG_ANNOTATE_ANNOTATE_H

#include "annotate/naming.h"
#include "core/error.h"
#include "store/catalog.h"

#include <stdbool.h>
#include <stdio.h>

/* The rules' version: part of each run's fingerprint, so a facetag whose rules
 * changed annotates again although the catalog did not change. */
#define ANNOTATE_RULES_VERSION "rules-4"

typedef struct annotate_options {
    bool full;                 /* recompute even when nothing changed */
    FILE *progress;            /* progress bar stream (NULL: none) */
    int progress_enabled;      /* as progress_new: <0 when a terminal */
    const char *const *langs;  /* gazetteer languages; NULL: places_default_langs */
    naming_advisor_fn advisor; /* optional second opinion on names */
    void *advisor_ud;
} annotate_options;

void annotate_options_default(annotate_options *o);

typedef struct annotate_summary {
    bool unchanged; /* nothing to do: inputs as at the last run */
    size_t photos, dated, dated_inferred, placed, events, captions;
    size_t persons_suggested, faces_suggested, suggestions;
    size_t gazetteer_names;
    size_t places_learned; /* the archive's own place phrases (placelearn.h) */
    size_t rows_written;   /* photos whose stored annotation changed */
    size_t parsed;         /* photos whose texts were read afresh */
    size_t parse_cached;   /* photos read from the parse cache (parsecache.h) */
    double seconds;
    double t_load, t_read, t_group, t_name, t_store; /* seconds of each phase */
    double c_load, c_read, c_group, c_name, c_store; /* the same in CPU seconds of this process */
} annotate_summary;

/* Runs the stage on c. 0 or a negative errcode with e set. */
int annotate_run(catalog *c, const annotate_options *o, annotate_summary *s, err *e);

#endif
