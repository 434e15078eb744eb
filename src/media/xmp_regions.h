/* xmp_regions.h — face regions in XMP, read with Exempi (Adobe's XMP toolkit,
 * Debian libexempi-dev): the Metadata Working Group's regions (mwg-rs:Regions,
 * MWG Guidelines 2.0 §5.9) and Microsoft Photo's people tags
 * (MP:RegionInfo/MPRI:Regions), from an XMP packet or from the XMP embedded in
 * an image file.
 *
 * Coordinates. A region here is a rectangle normalised to the image AS STORED
 * (before the EXIF orientation is applied): x, y its top-left corner, w, h its
 * size, all in 0..1. That is MWG's frame ("region metadata is applied to the
 * stored image"; exiftool's rotate_regions.config and digiKam agree), and MP's.
 * MWG writes the centre (stArea:x/y) and MP the top-left; the parser converts.
 * xmp_region_orient maps such a rectangle to the displayed (oriented) image and
 * xmp_region_unorient back; docs/decisions/2026-12-07-xmp-regions-stored-frame.md.
 *
 * Bad input never stops the reader: a region that cannot be used (not a face,
 * a unit other than normalised, numbers missing or not finite, no area left
 * inside the image) is left out and named in `notes` with its reason; a packet
 * that is not XMP, or larger than XMP_REGIONS_MAX_BYTES, is an error with the
 * reason. At most XMP_REGIONS_MAX regions are kept.
 *
 * Thread-safe: the toolkit is initialised once (pthread_once); every call has
 * its own XMP objects; the Exempi code a message quotes is read right after
 * the failed call, and Exempi keeps it per thread (tests/unit/test_xmp_threads.c;
 * docs/decisions/2026-12-07-exempi-errors-per-thread.md), so ingest's workers
 * need no lock around it. */
#ifndef FACETAG_MEDIA_XMP_REGIONS_H
#define FACETAG_MEDIA_XMP_REGIONS_H

#include "core/error.h"

#include <stddef.h>

#define XMP_REGIONS_MAX_BYTES (2 * 1024 * 1024)
#define XMP_REGIONS_MAX 512

/* Namespaces facetag reads and writes (registered with these prefixes). */
#define XMP_NS_MWG_RS "http://www.metadataworkinggroup.com/schemas/regions/"
#define XMP_NS_ST_AREA "http://ns.adobe.com/xmp/sType/Area#"
#define XMP_NS_ST_DIM "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
#define XMP_NS_MP "http://ns.microsoft.com/photo/1.2/"
#define XMP_NS_MPRI "http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
#define XMP_NS_MPREG "http://ns.microsoft.com/photo/1.2/t/Region#"
#define XMP_NS_DIGIKAM "http://www.digikam.org/ns/1.0/"
#define XMP_NS_FACETAG "urn:facetag:ns:1.0/"

typedef enum xmp_region_kind { XMP_REGION_MWG = 1, XMP_REGION_MP = 2 } xmp_region_kind;

typedef struct xmp_region {
    char *name;        /* malloc'd UTF-8, NULL when the region has none */
    double x, y, w, h; /* top-left and size, normalised to the stored image, clipped to it */
    xmp_region_kind kind;
} xmp_region;

typedef struct xmp_region_list {
    xmp_region *v;
    size_t n;
    int applied_w, applied_h; /* MWG AppliedToDimensions in pixels, 0 when absent */
    char *notes;              /* malloc'd "; "-separated reasons for regions left out, or NULL */
} xmp_region_list;

/* Starts the toolkit and registers the namespaces above (once per process;
 * later calls do nothing). ERR_INTERNAL when Exempi cannot start. */
int xmp_regions_init(err *e);

/* Parses the XMP packet xml[0..len) (need not be NUL-terminated). MWG face
 * regions are taken when the packet has any; else MP regions. *out is filled
 * (possibly n = 0) and must be freed with xmp_region_list_free, also on error.
 * ERR_LIMIT over XMP_REGIONS_MAX_BYTES, ERR_FORMAT when it is not XMP. */
int xmp_regions_parse(const char *xml, size_t len, xmp_region_list *out, err *e);

/* The XMP packet embedded in the image file at path (JPEG, TIFF, PNG, ... as
 * Exempi's file handlers know them): 1 and *packet malloc'd (NUL-terminated,
 * caller frees) when there is one, 0 when the file has none or its format is
 * not one Exempi reads; ERR_LIMIT when it is larger than
 * XMP_REGIONS_MAX_BYTES, ERR_IO when the file cannot be opened. */
int xmp_regions_embedded_packet(const char *path, char **packet, size_t *len, err *e);

void xmp_region_list_free(xmp_region_list *l);

/* The facetag:PhotoID an earlier `facetag export xmp` wrote into the packet:
 * 1 and id filled (16 lowercase hex digits), 0 when it has none or the packet
 * is not XMP. */
int xmp_regions_photo_id(const char *xml, size_t len, char id[17]);

/* Maps the stored-image rectangle r[4] (x, y, w, h normalised) to the image
 * displayed with EXIF orientation 1..8 (out[4]); xmp_region_unorient is its
 * inverse. An orientation outside 1..8 is taken as 1. */
void xmp_region_orient(const double r[4], int orientation, double out[4]);
void xmp_region_unorient(const double r[4], int orientation, double out[4]);

#endif
