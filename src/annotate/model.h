/* model.h — the annotate stage's picture of the archive in memory: one
 * ann_photo per photo with the evidence read from its paths and sidecars, its
 * faces, and what annotate concluded (date, place, event, names). Filled by
 * evidence.c, grouped by events.c, named by naming.c; loaded and stored by
 * annotate.c. Strings are owned by the model and freed by ann_model_free. */
#ifndef FACETAG_ANNOTATE_MODEL_H
#define FACETAG_ANNOTATE_MODEL_H

#include "annotate/dates.h"
#include "annotate/names.h"
#include "annotate/places.h"

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* One name candidate of a photo's caption, by its index in ann_model.names. */
typedef struct ann_name {
    uint32_t name;
    name_role role;
    bool strong; /* from a list of the persons shown (XMP regions, JSON persons) */
    int order;   /* place in a "v.l.n.r." list (names_find's order), 0 */
} ann_name;

/* One text the archive holds about a photo, and what kind of text it is. */
typedef enum ann_text_kind {
    ANN_CAPTION, /* the photo's own caption: .txt, XMP title/description, JSON caption */
    ANN_ALBUM,   /* album.txt / album.json of its folder */
    ANN_FOLDER,  /* one folder level of its path (level 0 = its own folder) */
    ANN_DATE,    /* a date field (XMP, JSON) */
    ANN_PLACE,   /* a location field (XMP, JSON) */
    ANN_PERSON,  /* one item of a list of the persons shown (XMP regions, JSON) */
    ANN_CREATOR, /* the photographer (XMP dc:creator, JSON) */
    ANN_KEYWORD, /* one keyword */
} ann_text_kind;

typedef struct ann_text {
    ann_text_kind kind;
    const char *source; /* "caption", "xmp", "json", "album", "folder", "ocr" */
    int level;          /* folder level, 0 nearest */
    char *text;
} ann_text;

/* What one folder level's text says, read once for every photo under it. */
typedef struct ann_folder_facts {
    date_hit date;           /* precision DATE_NONE: none */
    const place_info *place; /* NULL: none */
    size_t place_start, place_end;
} ann_folder_facts;

/* One name found in a photo's texts, in the order they were found: what
 * evidence_read counts (parsecache.h keeps them). */
typedef struct ann_name_op {
    char *text;
    name_role role;
    bool strong;
    int order;
} ann_name_op;

typedef struct ann_face {
    int64_t id;
    double box[4];
    int64_t person_id; /* 0: none */
    bool confirmed;
} ann_face;

typedef struct ann_photo {
    char id[17];
    char *path;                 /* newest source path */
    char *folder;               /* its folder ("" for none) */
    char *file;                 /* its file name */
    char roll[24];              /* the file name's film/sheet number ("012" of IMG_012_003), "" */
    char *taken_at;             /* camera date (EXIF), NULL */
    char *sidecar;              /* JSON from ingest, freed once read */
    char *caption;              /* the photo's own caption text, NULL */
    const char *caption_source; /* "caption", "json", "xmp" or "ocr" (the back of the print, its mount) */
    char *ocr;                  /* text read from it or its back (ocr stage), NULL */
    double ocr_confidence;      /* Tesseract's, 0..100 */
    char *stored;               /* its row as the catalog has it (catalog_ann_each_stored), NULL */
    ann_text *texts;
    size_t ntexts;

    /* conclusions */
    date_hit date;           /* precision DATE_NONE: undated */
    const char *date_source; /* "caption", "album", "folder", "filename", "exif", "xmp", "json", "event", "human" */
    char *date_text;
    bool date_inferred;
    const place_info *place;
    const char *place_source;
    char *place_text;
    size_t place_form_start, place_form_len; /* the name as written in place_text */
    bool human_date, human_place, human_event;
    int64_t human_place_id;
    char human_date_value[16], human_date_precision[12];

    ann_name *names;
    size_t nnames;
    ann_name_op *ops; /* the names its texts name (evidence_find_names) */
    size_t nops;
    char **titles_of; /* the archive titles its texts quote (folded; evidence_gather) */
    size_t ntitles_of;
    char inputs[65];                                  /* hash of what it is read from (parsecache.h) */
    char *cache_inputs, *cache_context, *cache_parse; /* its stored parse, NULL */
    char *parse_new;                                  /* read afresh this run: its parse to store (NULL: none) */
    ann_face *faces;
    size_t nfaces;
    size_t event; /* index into ann_model.events */
} ann_photo;

typedef struct ann_name_entry {
    char *key;           /* names_key */
    GHashTable *forms;   /* written form -> count (GINT_TO_POINTER) */
    int photos;          /* photos whose caption names it as a person */
    int as_photographer; /* photos naming it as the photographer */
    int in_titles;       /* folder names and album texts that contain it */
    uint32_t canonical;  /* the full name an initial form ("P. Bremer") stands for; itself otherwise */
} ann_name_entry;

typedef struct ann_event {
    char *key, *name;
    date_hit date;
    const char *date_source;
    bool words; /* the date comes from the archive's words, not a camera */
    const place_info *place;
    size_t *photos;
    size_t nphotos, cap;
    int64_t id; /* catalog id once stored */
} ann_event;

/* A name suggestion for a person or a face. */
typedef struct ann_suggestion {
    int64_t person_id, face_id; /* one of them */
    char *label;
    double confidence;
    char *evidence; /* JSON array text */
} ann_suggestion;

typedef struct ann_model {
    ann_photo *photos;
    size_t n, cap;
    GHashTable *by_id; /* photo id -> index + 1 */
    gazetteer *gaz;
    GHashTable *titles; /* folded quoted titles of the archive -> 1 */
    ann_name_entry *names;
    size_t nnames, names_cap;
    GHashTable *name_index; /* key -> index + 1 */
    ann_event *events;
    size_t nevents;
    ann_suggestion *sugs;
    size_t nsugs, sugs_cap;
    GHashTable *place_forms;  /* place_info* -> (written form -> count): the archive's spelling */
    GHashTable *folder_facts; /* folder level text -> ann_folder_facts* (each folder is read once) */
    GHashTable *titled;       /* folder and album texts whose names were counted as titles */
    GHashTable *title_names;  /* folder / album text -> its name keys (char **, NULL-terminated) */
    GHashTable *confirmed;    /* person id -> name (owned) */
    GHashTable *rejected;     /* "p<id>|label" / "f<id>|label" -> 1 */
} ann_model;

ann_model *ann_model_new(gazetteer *gaz);
void ann_model_free(ann_model *m);
/* The photo of id, or NULL. */
ann_photo *ann_model_photo(ann_model *m, const char *id);
/* Adds a photo; NULL when out of memory. */
ann_photo *ann_model_add_photo(ann_model *m, const char *id);
/* The index of the name with this written form (added when new), counting the
 * form; UINT32_MAX when out of memory or text has no letters. */
uint32_t ann_model_name(ann_model *m, const char *text);
/* Adds a suggestion (label and evidence copied); false when out of memory. */
bool ann_model_suggest(ann_model *m, int64_t person_id, int64_t face_id, const char *label, double confidence,
                       const char *evidence);
/* Counts one written form of a place ("Tokio" for Tokyo). */
void ann_model_place_form(ann_model *m, const place_info *pl, const char *text, size_t len);
/* The archive's most frequent spelling of a place (the gazetteer's name when none). */
const char *ann_model_place_name(const ann_model *m, const place_info *pl);
/* The display form of a name: its most frequent full written form. */
const char *ann_model_name_form(const ann_model *m, uint32_t name);

#endif
