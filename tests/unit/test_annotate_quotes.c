/* test_annotate_quotes.c — quoted titles (annotate/text.h text_quote_next)
 * in every quote style of German, English and French archives: the words
 * inside the marks without the marks („1977“ is "1977", not "1977“"), single
 * marks told from apostrophes ("Peter's", "Feb. '77", "dancers’"); and on a
 * small real catalog (SQLite file) that a year the archive quotes in any of
 * those styles is a title there, so another caption naming it gets no date
 * from it, while a year nobody quotes still dates its photo. */
#include "annotate/text.h"
#include "annotate_fixture.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NBSP "\xc2\xa0"
#define NNBSP "\xe2\x80\xaf"

/* The quote styles: opening and closing mark as written. */
static const char *const styles[][2] = {
    { "\xe2\x80\x9e", "\xe2\x80\x9c" },     /* „…“ */
    { "\xe2\x80\x9e", "\xe2\x80\x9d" },     /* „…” */
    { "\xe2\x80\x9e", "\"" },               /* „…" */
    { "\xe2\x80\x9c", "\xe2\x80\x9d" },     /* “…” */
    { "\xe2\x80\x98", "\xe2\x80\x99" },     /* ‘…’ */
    { "\xe2\x80\x9a", "\xe2\x80\x98" },     /* ‚…‘ */
    { "\xc2\xab", "\xc2\xbb" },             /* «…» */
    { "\xc2\xab" NBSP, NBSP "\xc2\xbb" },   /* « … » */
    { "\xc2\xab" NNBSP, NNBSP "\xc2\xbb" }, /* « … » narrow */
    { "\xc2\xbb", "\xc2\xab" },             /* »…« */
    { "\xe2\x80\xb9", "\xe2\x80\xba" },     /* ‹…› */
    { "\"", "\"" },                         /* "…" */
    { "'", "'" },                           /* '…' */
};
#define NSTYLES (sizeof styles / sizeof styles[0])

/* The quoted spans of text, joined by '|' ("" for none). */
static void spans(const char *text, char *out, size_t size)
{
    out[0] = '\0';
    text_quote q;
    size_t len = strlen(text);
    for (size_t from = 0; text_quote_next(text, from, &q); from = q.close) {
        if (!(q.open < q.start && q.start <= q.end && q.end < q.close && q.close <= len)) {
            snprintf(out, size, "bad span %zu %zu %zu %zu", q.open, q.start, q.end, q.close);
            return;
        }
        size_t o = strlen(out);
        snprintf(out + o, size - o, "%s%.*s", o ? "|" : "", (int)(q.end - q.start), text + q.start);
    }
}

static void quotes_are(const char *text, const char *want)
{
    char got[512];
    spans(text, got, sizeof got);
    CHECK_MSG(strcmp(got, want) == 0, "'%s': quoted '%s', want '%s'", text, got, want);
}

static void test_spans(void)
{
    char text[256], want[64];
    for (size_t k = 0; k < NSTYLES; k++) {
        snprintf(text, sizeof text, "Anna Weber in %s1977%s, Wuppertal", styles[k][0], styles[k][1]);
        quotes_are(text, "1977");
        snprintf(text, sizeof text, "%sCaf\xc3\xa9 M\xc3\xbcller%s (Probe)", styles[k][0], styles[k][1]);
        quotes_are(text, "Caf\xc3\xa9 M\xc3\xbcller");
        snprintf(text, sizeof text, "%sNelken%s und %sKontakthof%s", styles[k][0], styles[k][1], styles[k][0],
                 styles[k][1]);
        snprintf(want, sizeof want, "Nelken|Kontakthof");
        quotes_are(text, want);
        /* an opening mark with no partner quotes nothing */
        snprintf(text, sizeof text, "Anna %s1977 in Wuppertal", styles[k][0]);
        quotes_are(text, "");
    }
    /* the mask covers the marks and what is between them */
    const char *t = "A \xe2\x80\x9e"
                    "1977\xe2\x80\x9c B";
    unsigned char *m = text_quote_mask(t);
    CHECK(m != NULL);
    for (size_t i = 0; m && i < strlen(t); i++)
        CHECK_MSG(m[i] == (i >= 2 && i < 2 + 3 + 4 + 3), "mask byte %zu is %d", i, m[i]);
    free(m);
    /* apostrophes are no quotes */
    quotes_are("Peter's Probe, Feb. '77", "");
    quotes_are("Pina Bausch, d'Arc, Rock'n'Roll", "");
    quotes_are("in the dancers' room, Sommer 1977", "");
    quotes_are("Peter\xe2\x80\x99s Probe in the dancers\xe2\x80\x99 room, Feb. \xe2\x80\x99"
               "77",
               "");
    quotes_are("'77 with the dancers' costumes", "");
    quotes_are("Feb. '77 und 'Nelken'", "Nelken");
    quotes_are("Peter's 'Nelken' 1982", "Nelken");
    quotes_are("\xe2\x80\x98Peter\xe2\x80\x99s dance\xe2\x80\x99, 1982", "Peter\xe2\x80\x99s dance");
    quotes_are("'1977' in Paris", "1977");
    /* nested: the outer quote */
    quotes_are("\xe2\x80\x9eSie sagte \xe2\x80\x9a"
               "Nelken\xe2\x80\x98\xe2\x80\x9c",
               "Sie sagte \xe2\x80\x9a"
               "Nelken\xe2\x80\x98");
    /* a partner further than TEXT_QUOTE_MAX bytes is none */
    char long_text[TEXT_QUOTE_MAX + 32];
    memset(long_text, 'a', sizeof long_text);
    long_text[0] = '"';
    long_text[sizeof long_text - 2] = '"';
    long_text[sizeof long_text - 1] = '\0';
    quotes_are(long_text, "");
    /* white space alone inside marks: an empty span */
    quotes_are("\xc2\xab" NBSP "\xc2\xbb", "");
    CHECK(text_is_quote_mark(0x201C, false) && text_is_quote_mark(0x00BB, false) && !text_is_quote_mark('a', true));
    CHECK(!text_is_quote_mark(0x2019, false) && text_is_quote_mark(0x2019, true) && !text_is_quote_mark('\'', false));
}

static int nphotos;

static void photo(catalog *c, const char *path, const char *caption)
{
    char *side = annotate_fixture_caption(caption);
    annotate_fixture_photo(c, ++nphotos, path, side);
    free(side);
    annotate_fixture_face(c, nphotos, 1);
}

/* Each style quotes its own year as a piece's title in one photo's caption;
 * another photo's caption names that year unquoted: no date from it. */
static void test_titles(void)
{
    char dir[512];
    catalog *c = annotate_fixture_open("annotate-quotes", dir, sizeof dir);
    if (!c)
        return;
    CHECK(test_query_int(c, "INSERT INTO persons (id) VALUES (1) RETURNING id") == 1);
    char path[128], caption[NSTYLES][160], quoted[160];
    int other[NSTYLES];
    for (size_t k = 0; k < NSTYLES; k++) {
        int year = 1960 + (int)k;
        snprintf(path, sizeof path, "/a/Kiste %zu/Gastspiel/IMG_%zu.jpg", k, k);
        snprintf(quoted, sizeof quoted, "Anna Weber in %s%d%s", styles[k][0], year, styles[k][1]);
        photo(c, path, quoted);
        snprintf(path, sizeof path, "/a/Kiste %zu/Probe/IMG_%zu.jpg", k, k);
        snprintf(caption[k], sizeof caption[k], "Probe zu %d mit Anna Weber", year);
        photo(c, path, caption[k]);
        other[k] = nphotos;
    }
    /* apostrophes quote nothing: these years stay dates */
    static const char *const plain[] = {
        "Probe zu 1990 mit Anna Weber",
        "Anna Weber, Feb. '91",
        "Rosa's Probe 1992 in the dancers' room",
        "Rosa\xe2\x80\x99s Probe 1993 in the dancers\xe2\x80\x99 room",
    };
    static const char *const plain_date[] = { "1990", "1991-02", "1992", "1993" };
    int first_plain = nphotos + 1;
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++) {
        snprintf(path, sizeof path, "/a/Kiste %zu/Reise/IMG_%zu.jpg", 50 + k, k);
        photo(c, path, plain[k]);
    }
    annotate_fixture_run(c, false);
    for (size_t k = 0; k < NSTYLES; k++)
        annotate_fixture_date_is(c, other[k], NULL, caption[k]);
    for (size_t k = 0; k < sizeof plain / sizeof plain[0]; k++)
        annotate_fixture_date_is(c, first_plain + (int)k, plain_date[k], plain[k]);
    annotate_fixture_close(c, dir);
}

/* An event is named by its folder without the date and place that filed it:
 * a title in the folder's name that looks like a year stays in the name,
 * quoted in any style or bare beside the date that fixed the folder's date
 * (docs/decisions/2026-12-07-event-names-keep-year-titles.md). A year that
 * restates that date, or that is the folder's only date, is cut. */
static void test_event_titles(void)
{
    char dir[512];
    catalog *c = annotate_fixture_open("annotate-event-titles", dir, sizeof dir);
    if (!c)
        return;
    nphotos = 0;
    CHECK(test_query_int(c, "INSERT INTO persons (id) VALUES (1) RETURNING id") == 1);
    static const struct {
        const char *folder, *event, *date;
    } cases[] = {
        /* quoted in any style: no date, so never cut */
        { "1974-11 Kost\xc3\xbcmprobe \xe2\x80\x9e"
          "1984\xe2\x80\x9c, Bremen",
          "Kost\xc3\xbcmprobe \xe2\x80\x9e"
          "1984\xe2\x80\x9c",
          "1974-11" },
        { "1976-02 Festakt \xc2\xab" NBSP "1968" NBSP "\xc2\xbb, Basel", "Festakt \xc2\xab" NBSP "1968" NBSP "\xc2\xbb",
          "1976-02" },
        { "1975-06-14 \"1975\" Einweihung, Graz", "\"1975\" Einweihung", "1975-06-14" },
        /* bare, beside a more precise date of another year: a title */
        { "1974-11 Sommerfest 1986, Kassel", "Sommerfest 1986", "1974-11" },
        { "Ausstellung 1961, M\xc3\xa4rz 1976, Turin", "Ausstellung 1961", "1976-03" },
        /* the date restated, and a folder's only date: cut */
        { "1978-05 Tanzabend 1978, Kiel", "Tanzabend", "1978-05" },
        { "Einweihung Sommer 1979, Graz", "Einweihung", "1979-06" },
        { "Tanzabend 1982, Basel", "Tanzabend", "1982" },
    };
    size_t ncases = sizeof cases / sizeof cases[0];
    char path[256];
    for (size_t k = 0; k < ncases; k++) {
        snprintf(path, sizeof path, "/a/Kiste %zu/%s/IMG_%zu_001.jpg", k, cases[k].folder, k);
        photo(c, path, NULL);
    }
    annotate_fixture_run(c, false);
    for (size_t k = 0; k < ncases; k++) {
        annotate_fixture_event_is(c, (int)k + 1, cases[k].event);
        annotate_fixture_date_is(c, (int)k + 1, cases[k].date, cases[k].folder);
    }
    annotate_fixture_close(c, dir);
}

int main(void)
{
    test_spans();
    test_titles();
    test_event_titles();
    return test_main_end();
}
