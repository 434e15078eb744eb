/* fuzz_xmp.c — fuzz target of the XMP face-region reader and writer
 * (media/xmp_regions.h, media/xmp_write.h): any bytes as a packet. Whatever the
 * reader accepts must be in range (normalised, inside the image, at most
 * XMP_REGIONS_MAX, names UTF-8); whatever packet the writer accepts must read
 * back as exactly the regions written, whatever else it held. Built as a
 * libFuzzer binary with clang (-DFACETAG_FUZZ=ON: fuzz_xmp CORPUS_DIR; `make
 * fuzz`), and always linked into replay_xmp, which `make test` runs over the
 * seed corpus and thousands of mutations of it. */
#include "media/xmp_regions.h"
#include "media/xmp_write.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_list(const xmp_region_list *l)
{
    if (l->n > XMP_REGIONS_MAX)
        abort();
    for (size_t i = 0; i < l->n; i++) {
        const xmp_region *r = &l->v[i];
        if (!(r->w > 0 && r->h > 0 && r->x >= 0 && r->y >= 0 && r->x + r->w <= 1 + 1e-9 && r->y + r->h <= 1 + 1e-9))
            abort();
        if (r->name && (!*r->name || !g_utf8_validate(r->name, -1, NULL)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    xmp_region_list l;
    if (xmp_regions_parse(xml, size, &l, NULL) == 0)
        check_list(&l);
    xmp_region_list_free(&l);
    char id[17];
    if (xmp_regions_photo_id(xml, size, id) && strlen(id) != 16)
        abort();

    static const xmp_face_tag faces[2] = {
        { .name = "Anna Müller", .x = 0.1, .y = 0.2, .w = 0.15, .h = 0.2 },
        { .name = NULL, .x = 0.6, .y = 0.5, .w = 0.1, .h = 0.1 },
    };
    const xmp_tag_set set = {
        .faces = faces, .n = 2, .applied_w = 640, .applied_h = 480, .orientation = 6, .photo_id = "0123456789abcdef"
    };
    char *out = NULL;
    size_t len = 0;
    if (xmp_write_packet(xml, size, &set, &out, &len, NULL) == 0) {
        xmp_region_list back;
        if (xmp_regions_parse(out, len, &back, NULL) != 0 || back.n != 2 || back.applied_w != 640 || !back.v[0].name ||
            strcmp(back.v[0].name, "Anna Müller") != 0 || back.v[1].name || fabs(back.v[0].x - 0.1) > 1e-5 ||
            fabs(back.v[1].h - 0.1) > 1e-5)
            abort();
        xmp_region_list_free(&back);
        if (!xmp_regions_photo_id(out, len, id) || strcmp(id, "0123456789abcdef") != 0)
            abort();
    }
    free(out);
    return 0;
}
