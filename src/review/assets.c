/* assets.c — lookup in the table of embedded web/ files (assets.h). */
#include "review/assets.h"

#include <string.h>

const review_asset *assets_find(const char *path)
{
    /* A few dozen files: a linear scan costs less than the request around it. */
    for (size_t i = 0; i < review_assets_count; i++)
        if (strcmp(review_assets[i].path, path) == 0)
            return &review_assets[i];
    return NULL;
}
