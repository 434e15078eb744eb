/* greyjpeg.h — a small grey JPEG file written with libjpeg, for the tests that
 * write XMP into a real image file (test_xmp_threads, test_xmp_refused). */
#ifndef FACETAG_TESTS_GREYJPEG_H
#define FACETAG_TESTS_GREYJPEG_H

/* A 64x48 grey JPEG (a gradient) at path; 0, or -1 when it cannot be written. */
int greyjpeg_write(const char *path);

#endif
