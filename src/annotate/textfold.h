/* textfold.h — text compared the way people read names: words folded to
 * lowercase without accents ("Jürgen MÜLLER-Lüdenscheidt" -> "jurgen",
 * "muller", "ludenscheidt"), so the LLM's answers can be checked against the
 * evidence and two persons' names compared. Latin-1 and Latin Extended-A
 * letters lose their accents (ß -> ss, æ -> ae); letters of other scripts are
 * kept as they are; everything that is not a letter or digit separates words. */
#ifndef FACETAG_ANNOTATE_TEXTFOLD_H
#define FACETAG_ANNOTATE_TEXTFOLD_H

#include <stddef.h>

/* Writes the folded words of text to out, each followed by a NUL, then one more
 * NUL; out must hold 3 * strlen(text) + 2 bytes. Returns the number of words. */
size_t textfold_words(const char *text, char *out);

/* A key equal for names that differ only in case, accents, punctuation and word
 * order ("Bremer, Paul" == "paul BREMER"): the folded words sorted, joined by
 * one space. malloc'd; NULL when out of memory. */
char *textfold_name_key(const char *name);

#endif
