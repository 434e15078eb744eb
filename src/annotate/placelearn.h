/* placelearn.h — the places an archive itself uses that the gazetteer does
 * not know (a small town, a district, a venue written alone), learned from the
 * archive's own texts.
 *
 * A phrase is a candidate where the archive puts places: a field of a text
 * (between commas, dashes, colons, parentheses) made of one to four
 * capitalised words without digits, or such words at the end of a field after
 * a place preposition ("… in Kleinwalde"). The archive shows which of these
 * positions hold places. Each position is a slot: the kind of text (folder
 * name, album text, caption, location field), how many fields the text has and
 * which field it is, or "after a preposition" in that kind of text. A slot
 * whose candidates are mostly gazetteer places (PLACELEARN_SLOT_SHARE of at
 * least PLACELEARN_SLOT_MIN) is a place slot. A phrase the gazetteer does not
 * know becomes a place when it stands in a place slot in at least
 * PLACELEARN_MIN_TEXTS distinct texts, holds no date, and is not a name of
 * two or more words that the captions call people by at least as often. A
 * field that a colon ends ("Foto: …", "Im Bild: …") labels what follows and
 * is no candidate, nor is a field that opens with its preposition.
 *
 * Learned places go into the gazetteer with no GeoNames id (source
 * "archive"). They are used only for photos that no gazetteer place was found
 * for, so a learned phrase never replaces a city. Each such photo keeps the
 * text the place was read from as its evidence. Nothing here comes from a word
 * list. */
#ifndef FACETAG_ANNOTATE_PLACELEARN_H
#define FACETAG_ANNOTATE_PLACELEARN_H

#include "annotate/model.h"

#define PLACELEARN_SLOT_SHARE 0.5
#define PLACELEARN_SLOT_MIN 5
#define PLACELEARN_MIN_TEXTS 2

/* After evidence_read of every photo: learns the archive's place phrases, adds
 * them to m->gaz and gives every photo without a place (and no place set by
 * people) the place its texts name with them. *learned counts the phrases
 * (may be NULL). 0 or ERR_NOMEM. */
int placelearn_run(ann_model *m, size_t *learned);

#endif
