/* bench_files.h — the images of a folder tree, for benches that walk a data set. */
#ifndef FACETAG_BENCH_FILES_H
#define FACETAG_BENCH_FILES_H

/* The .jpg/.jpeg/.png files under dir (sub-folders to depth 3, hidden names
 * skipped), at most max, sorted by path, then every `every`th of them (1:
 * all) into files; returns the count. Each path is malloc'd (the caller
 * frees); an unreadable folder gives 0. */
int bench_list_images(const char *dir, char **files, int max, int every);

#endif
