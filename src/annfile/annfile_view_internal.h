/* annfile_view_internal.h — the view's lookups, shared by the annfile module's
 * files only: the export document's photo and event objects (borrowed). */
#ifndef FACETAG_ANNFILE_ANNFILE_VIEW_INTERNAL_H
#define FACETAG_ANNFILE_ANNFILE_VIEW_INTERNAL_H

#include "annfile/annfile_io.h"

json_t *annfile_view_photo(const annfile_view *v, const char *photo_id);
json_t *annfile_view_event(const annfile_view *v, int64_t id);

#endif
