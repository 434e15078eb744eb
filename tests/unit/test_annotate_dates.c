/* test_annotate_dates.c — annotate/dates: German, English and ISO dates with
 * their precision, titles in quotes, file names. */
#include "annotate/dates.h"
#include "testutil.h"

#include <string.h>

static void expect(const char *text, const char *value, date_precision prec, bool approx)
{
    date_hit h;
    bool ok = dates_best(text, &h);
    char buf[16] = "";
    if (ok)
        dates_format(&h, buf, sizeof buf);
    CHECK_MSG(ok && strcmp(buf, value) == 0 && h.precision == prec && h.approx == approx,
              "'%s': got %s %s%s, want %s %s", text, ok ? buf : "(none)", ok ? dates_precision_name(h.precision) : "",
              ok && h.approx ? " approx" : "", value, dates_precision_name(prec));
}

static void none(const char *text)
{
    date_hit h;
    bool ok = dates_best(text, &h);
    char buf[16] = "";
    if (ok)
        dates_format(&h, buf, sizeof buf);
    CHECK_MSG(!ok, "'%s': want no date, got %s", text, buf);
}

int main(void)
{
    /* ISO */
    expect("1977-02-14", "1977-02-14", DATE_DAY, false);
    expect("1977-02 Probe, Wuppertal", "1977-02", DATE_MONTH, false);
    /* German */
    expect("14.02.1977", "1977-02-14", DATE_DAY, false);
    expect("14.2.77", "1977-02-14", DATE_DAY, false);
    expect("am 14. Februar 1977 in Wuppertal", "1977-02-14", DATE_DAY, false);
    expect("Probe, Februar 1977", "1977-02", DATE_MONTH, false);
    expect("Febr. 77", "1977-02", DATE_MONTH, false);
    expect("März 1989", "1989-03", DATE_MONTH, false);
    expect("Maerz 1989", "1989-03", DATE_MONTH, false);
    expect("Sommer 1977", "1977-06", DATE_SEASON, false);
    expect("Winter 1977/78", "1977-12", DATE_SEASON, false);
    expect("ca. 1977", "1977", DATE_YEAR, true);
    expect("um 1980", "1980", DATE_YEAR, true);
    expect("Spielzeit 1977/78", "1977", DATE_YEAR, false);
    expect("1970er Jahre", "1970", DATE_DECADE, false);
    expect("70er", "1970", DATE_DECADE, false);
    /* English */
    expect("February 14, 1977", "1977-02-14", DATE_DAY, false);
    expect("14 February 1977", "1977-02-14", DATE_DAY, false);
    expect("Rehearsal, March 1978", "1978-03", DATE_MONTH, false);
    expect("Feb. '77", "1977-02", DATE_MONTH, false);
    expect("summer of 1977", "1977-06", DATE_SEASON, false);
    expect("circa 1965", "1965", DATE_YEAR, true);
    expect("the 1960s", "1960", DATE_DECADE, false);
    expect("02/1977", "1977-02", DATE_MONTH, false);
    /* the most precise wins */
    expect("Probe 1980, Wuppertal, März 1977", "1977-03", DATE_MONTH, false);
    /* a range keeps its end */
    date_hit h;
    CHECK(dates_best("1977/78", &h) && h.year == 1977 && h.year_end == 1978);
    CHECK(dates_best("1977-1979", &h) && h.year == 1977 && h.year_end == 1979);
    /* not dates */
    none("Anna in „1980“ backstage");
    none("Kiste 12/Probe Nelken 45");
    none("may I come in");
    expect("31.02.1977", "1977", DATE_YEAR, false); /* no such day: the year stands */
    none("Bandoneon");
    none("");
    none("1200 Zuschauer");
    /* several */
    date_hit all[4];
    CHECK(dates_find("1975 und 1977", all, 4) == 2 && all[0].year == 1975 && all[1].year == 1977);
    /* spans */
    CHECK(dates_best("Foto vom 14.02.1977!", &h) && h.start == 9 && h.end == 19);
    /* file names: camera numbers are no years */
    CHECK(dates_in_filename("IMG_20190512_101010.jpg", &h) && h.year == 2019 && h.month == 5 && h.day == 12);
    CHECK(dates_in_filename("1977-02-14 Probe.jpg", &h) && h.precision == DATE_DAY);
    CHECK(dates_in_filename("scan_1977-02.tif", &h) && h.precision == DATE_MONTH);
    CHECK(!dates_in_filename("IMG_1977.JPG", &h));
    CHECK(!dates_in_filename("scan_012_003.jpg", &h));
    CHECK(!dates_in_filename("DSC_19771399.jpg", &h));
    /* precision names round trip */
    for (int p = DATE_DECADE; p <= DATE_DAY; p++)
        CHECK(dates_precision_parse(dates_precision_name((date_precision)p)) == (date_precision)p);
    CHECK(dates_precision_parse("week") == DATE_NONE);
    return test_main_end();
}
