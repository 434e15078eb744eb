/* bench_files.h — the images of a folder tree, for benches that walk a data set. */
#ifndef FACETAG_BENCH_FILES_H
#define FACETAG_BENCH_FILES_H

/* Every .jpg/.jpeg/.png under dir (sub-folders to depth 3, hidden names
 * skipped) appended to files from index n, at most max in all, then the whole
 * of files[0..] sorted by path; returns the new count. Each path is malloc'd
 * (the caller frees); an unreadable folder adds nothing. */
int bench_list_images(const char *dir, char **files, int n, int max);

#endif
