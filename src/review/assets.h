/* assets.h — the web UI's files (web/), compiled into the binary by
 * cmake/embed_assets.cmake: the server serves them from memory and reads no file
 * at run time, so the UI works offline and matches the binary's API. */
#ifndef FACETAG_REVIEW_ASSETS_H
#define FACETAG_REVIEW_ASSETS_H

#include <stddef.h>

typedef struct review_asset {
    const char *path;         /* relative to web/: "index.html", "ui/app.js" */
    const char *content_type; /* from the extension, with charset for text */
    const unsigned char *data;
    size_t size;
} review_asset;

/* The generated table (review_assets_count entries, then a zero entry). */
extern const review_asset review_assets[];
extern const size_t review_assets_count;

/* The asset at path (relative to web/, no leading '/'), or NULL. */
const review_asset *assets_find(const char *path);

#endif
