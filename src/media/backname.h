/* backname.h — is a file the back of a print, by its name? "IMG_012_back.jpg",
 * "Oma 1958-verso.tif", "scan7_r.png", "Hochzeit_Rückseite.jpg" name the backs
 * of "IMG_012.*", "Oma 1958.*", "scan7.*", "Hochzeit.*": the stem ends with a
 * separator (_ - space .) and one of the words of a list, compared without
 * regard to case or Unicode normal form (a Mac's "Ru\u0308ckseite" is
 * "Rückseite"). The list is configurable (ingest --back-names). */
#ifndef FACETAG_MEDIA_BACKNAME_H
#define FACETAG_MEDIA_BACKNAME_H

#include <stddef.h>

#define BACKNAME_WORDS_DEFAULT "back,verso,r,rueckseite,rückseite,ruckseite,reverse,rs"

/* name: a file name without folder (any bytes); words: comma-separated
 * (NULL: BACKNAME_WORDS_DEFAULT). 1 when name names a back: name[0..*front_len)
 * is then the front's name without its extension; 0 when not. */
int backname_match(const char *name, const char *words, size_t *front_len);

#endif
