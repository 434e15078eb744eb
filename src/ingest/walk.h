/* walk.h — turning the PATH arguments of `facetag ingest` into the list of input
 * files, recursively, in a stable order (byte order of names within a folder,
 * arguments in the order given).
 *
 * Paths are made absolute (the current folder prefixed, "." and empty segments
 * dropped; symbolic links are not resolved, so the path recorded is the one the
 * user knows). Skipped quietly: names starting with '.' inside folders (hidden
 * files and OS metadata such as .DS_Store, AppleDouble ._ files), sidecar and
 * album files (media/sidecar.h: they are read with their photo), symbolic links
 * to folders (never followed: no loops), a path met twice, and the folder
 * `skip_dir` (the data folder: `facetag ingest .` must not ingest its own
 * catalog and objects). Everything else
 * becomes an entry: a file the pipeline will read or refuse, or an input that
 * failed already here (no such file, unreadable folder) with its reason. */
#ifndef FACETAG_INGEST_WALK_H
#define FACETAG_INGEST_WALK_H

#include "core/error.h"
#include <stddef.h>

typedef struct walk_entry {
    char *path;   /* absolute, owned */
    char *reason; /* NULL, or why this input failed already (owned) */
} walk_entry;

typedef struct walk_list {
    walk_entry *v;
    size_t n, cap;
} walk_list;

/* Appends the inputs found under args[0..nargs) to out (which starts zeroed);
 * skip_dir (may be NULL or not exist yet) is left out of folder walks.
 * Fails only on out-of-memory or a current folder that cannot be read; the
 * caller frees out with walk_list_free either way. */
int walk_collect(char *const *args, int nargs, const char *skip_dir, walk_list *out, err *e);
void walk_list_free(walk_list *l);

#endif
