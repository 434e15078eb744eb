/* names.h — person-name candidates in captions, by a generic grammar: a run of
 * capitalised words ("Anna Weber", "Juan Carlos Ferrero", "Choi Sung-hong"),
 * with initials ("P. Bremer") and name particles inside it ("Ludwig van
 * Beethoven", "Vincent de Paul"), broken by punctuation, lower-case words,
 * numbers, dates and places. Lists ("v.l.n.r.: A, B und C", "from left: A, B
 * and C", "A & B") give one candidate per item; "Bremer, Paul; Weber, Anna"
 * (items separated by semicolons) are read surname first. The name after a
 * photographer's mark ("Foto:", "Photo:", "©", "photo by", "Aufnahme:") is the
 * photographer, not a person shown.
 *
 * The grammar over-generates on purpose (German nouns are capitalised:
 * "Probe", "Rehearsal of Walzer"); the naming stage keeps a candidate only when
 * it recurs with one person's faces and rarely elsewhere. */
#ifndef FACETAG_ANNOTATE_NAMES_H
#define FACETAG_ANNOTATE_NAMES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum name_role { NAME_PERSON, NAME_PHOTOGRAPHER } name_role;

typedef struct name_hit {
    char *text;        /* the name in reading order ("Paul Bremer" for "Bremer, Paul"); malloc'd */
    size_t start, end; /* byte span in the text */
    name_role role;
    int words;    /* words in the name */
    bool initial; /* starts with an initial ("P. Bremer") */
    bool listed;  /* an item of a list or after "v.l.n.r." / "from left" */
    int order;    /* after "v.l.n.r." / "from left": 1, 2, … left to right
                       ("v.r.n.l." / "from right" counted the other way: -1, -2, …); 0 else */
} name_hit;

/* Byte spans the caller has already read as something else (dates, places):
 * a candidate never overlaps one. */
typedef struct name_skip {
    size_t start, end;
} name_skip;

/* Candidates of text into out[0..max), left to right; returns how many were
 * found (may exceed max: only max are stored, each with a malloc'd text that
 * names_hits_free releases). Quoted titles are skipped. */
size_t names_find(const char *text, const name_skip *skip, size_t nskip, name_hit *out, size_t max);
void names_hits_free(name_hit *h, size_t n);

/* The name of one list item that is a whole name (an XMP person, a JSON
 * "persons" entry): "Bremer, Paul" -> "Paul Bremer"; NULL when item does not
 * look like a name. malloc'd. */
char *names_from_item(const char *item);

/* The comparison key of a name: folded (no case, no accents), hyphens and
 * dots as spaces, one space between words: "Chloé Dupont-Léger" ->
 * "chloe dupont leger". malloc'd; NULL when out of memory. */
char *names_key(const char *name);

/* true when key a is an initial form of key b: "p bremer" of "paul bremer",
 * "j sasportes" of "jean laurent sasportes" (a's first word one letter that
 * starts b; the same words after it, or the same last word). */
bool names_initial_of(const char *a, const char *b);
/* The key's initial and last word ("paul bremer" -> "p bremer"): the bucket in
 * which initial forms meet their full names. */
void names_initial_key(const char *key, char *out, size_t size);

#endif
