/* cardgen.c — test cards (cardgen.h). */
#include "cardgen.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cardgen_font cardgen_fonts[] = {
    { CARDGEN_TYPEWRITER, "Courier Prime", 13 }, { CARDGEN_SANS, "DejaVu Sans", 12 },
    { CARDGEN_SANS, "Liberation Sans", 13 },     { CARDGEN_HAND, "Comic Neue", 14 },
    { CARDGEN_HAND, "Dancing Script", 17 },
};
const int cardgen_nfonts = (int)(sizeof cardgen_fonts / sizeof cardgen_fonts[0]);

/* Notes as people wrote them on the backs of their prints. */
const char *const cardgen_texts[] = {
    "Omas 70. Geburtstag im Gasthof Krüger\nPfingsten 1968\nvorne: Tante Grete und Onkel Heinz",
    "Schulausflug an den Bodensee\nKlasse 4b, Juni 1953\nFoto: Atelier Weiß, Überlingen",
    "Hochzeit von Jürgen und Käthe\n14. September 1961\nvor dem Standesamt Göttingen",
    "Weihnachten bei Großvater\nDezember 1974 in Düsseldorf\nder neue Fernseher!",
    "Sommerfrische in Tirol, August 1958\nHütte unterhalb der Jöchlspitze\nBernd, Lotte und ich",
    "Konfirmation von Ursula Dreßler\nPalmsonntag 1957\nSt. Petri, Lübeck",
    "Betriebsausflug der Fa. Schäfer & Söhne\nFebruar 1966, Saal im Rößle\nHerr Bäumler hält die Rede",
    "Easter picnic at Aunt Mary's\nApril 1962, Brighton\nwith Tom, Peggy and little Sue",
    "Einschulung von Günther\nerster Schultag, August 1970\nGrundschule Süd, Kassel",
    "Urlaub an der Ostsee, Juli 1965\nStrandkorb 112 in Heiligendamm\nPapa mit Jörg und Bärbel",
    "Abschlussball der Tanzschule Löffler\nNovember 1959\nich im blauen Kleid, rechts Fritz",
    "Grandpa's 80th birthday party\nJune 1981, back garden\nprinted by Kodak, Leeds",
    "Familie Größ vor dem neuen Haus\nFrühjahr 1956, Gießen\nAbzug bitte an Elfriede schicken",
    "Richtfest der Bäckerei Müßig\nOktober 1963, Lüneburg\nMeister Köhler mit Gesellen",
    "Silvester bei Hübners\n31.12.1969, Ölmühlenweg 7\nwir haben bis drei Uhr getanzt",
    "Kur in Bad Tölz, Mai 1972\nMutti auf der Brücke über die Isar\nschönes Wetter die ganze Woche",
};
const int cardgen_ntexts = (int)(sizeof cardgen_texts / sizeof cardgen_texts[0]);

const char *cardgen_class_name(cardgen_class c)
{
    return c == CARDGEN_TYPEWRITER ? "typewriter" : c == CARDGEN_SANS ? "sans" : "handwriting";
}

void cardgen_standard(int i, cardgen_spec *s)
{
    memset(s, 0, sizeof *s);
    s->font = &cardgen_fonts[i % cardgen_nfonts];
    s->text = cardgen_texts[(i / cardgen_nfonts + i) % cardgen_ntexts];
    s->angle = ((i * 7) % 11 - 5) * 0.4; /* -2 .. 2 degrees */
    s->noise = 5 + (i % 3) * 2;
    s->seed = 1000u + (unsigned)i;
}

#define W 1535 /* 13 x 9 cm at 300 dpi */
#define H 1063

static int fail(err *e, const char *what)
{
    int rc = err_set(e, ERR_INTERNAL, "cardgen: %s: %s", what, vips_error_buffer());
    vips_error_clear();
    return rc;
}

/* Smooth stains: small noise made large, mean 0, about +-amp. */
static int stains(unsigned seed, double amp, VipsImage **out, err *e)
{
    VipsImage *n = NULL, *big = NULL;
    if (vips_gaussnoise(&n, W / 64 + 1, H / 64 + 1, "sigma", amp, "mean", 0.0, "seed", (int)seed, NULL))
        return fail(e, "stains");
    int rc = vips_resize(n, &big, 64.0, "kernel", VIPS_KERNEL_CUBIC, NULL);
    g_object_unref(n);
    if (rc)
        return fail(e, "stains");
    rc = vips_extract_area(big, out, 0, 0, W, H, NULL);
    g_object_unref(big);
    return rc ? fail(e, "stains") : 0;
}

int cardgen_make(const cardgen_spec *s, VipsImage **out, err *e)
{
    *out = NULL;
    const int pencil = s->font->cls == CARDGEN_HAND || (s->seed % 2 == 0 && s->font->cls == CARDGEN_SANS);
    char font[96];
    snprintf(font, sizeof font, "%s %d", s->font->family, s->font->points);
    char *markup = g_markup_escape_text(s->text, -1);
    VipsImage *mask = NULL;
    int rc = vips_text(&mask, markup, "font", font, "dpi", 300, "spacing", s->font->points * 5, NULL);
    g_free(markup);
    if (rc)
        return fail(e, "render the text");
    if (mask->Xsize > W - 120 || mask->Ysize > H - 120) {
        g_object_unref(mask);
        return err_set(e, ERR_INVALID, "cardgen: text does not fit the card in %s", font);
    }
    /* Ink: strength 0..1 where the glyphs are, pencil grainy. */
    VipsImage *t[16] = { 0 };
    int k = 0;
    VipsImage *ink = NULL;
    rc = vips_embed(mask, &t[k++], 90 + (int)(s->seed % 5) * 10, 110 + (int)(s->seed % 7) * 10, W, H, NULL);
    g_object_unref(mask);
    if (rc)
        return fail(e, "place the text");
    double strength = pencil ? 0.78 : 0.9;
    if (vips_linear1(t[k - 1], &t[k], strength / 255.0, 0, NULL))
        goto bad;
    k++;
    if (pencil) {
        /* graphite: strokes broken by the paper's tooth */
        if (vips_gaussnoise(&t[k], W, H, "sigma", 0.18, "mean", 1.0, "seed", (int)s->seed + 7, NULL))
            goto bad;
        k++;
        if (vips_multiply(t[k - 2], t[k - 1], &t[k], NULL))
            goto bad;
        k++;
    }
    ink = t[k - 1];
    /* Paper: yellowed, stained; ink colour pencil grey or faded black. */
    double paper[3] = { 236, 225, 190 };
    double col[3] = { 98, 98, 104 };
    if (!pencil)
        col[0] = 52, col[1] = 48, col[2] = 60;
    VipsImage *st = NULL;
    if (stains(s->seed, 9.0, &st, e) != 0)
        goto bad_e;
    t[k++] = st;
    /* pixel = paper + stain - ink * (paper - col) */
    VipsImage *bands[3] = { 0 };
    for (int b = 0; b < 3; b++) {
        VipsImage *a = NULL, *bb = NULL;
        if (vips_linear1(ink, &a, -(paper[b] - col[b]), paper[b], NULL) || vips_add(a, st, &bb, NULL)) {
            if (a)
                g_object_unref(a);
            for (int q = 0; q < b; q++)
                g_object_unref(bands[q]);
            goto bad;
        }
        g_object_unref(a);
        bands[b] = bb;
    }
    VipsImage *rgb = NULL;
    rc = vips_bandjoin(bands, &rgb, 3, NULL);
    for (int b = 0; b < 3; b++)
        g_object_unref(bands[b]);
    if (rc)
        goto bad;
    t[k++] = rgb;
    VipsArrayDouble *bg = vips_array_double_new(paper, 3);
    rc = vips_rotate(rgb, &t[k], s->angle, "background", bg, NULL);
    vips_area_unref(VIPS_AREA(bg));
    if (rc)
        goto bad;
    k++;
    VipsImage *rot = NULL;
    if (vips_extract_area(t[k - 1], &rot, (t[k - 1]->Xsize - W) / 2, (t[k - 1]->Ysize - H) / 2, W, H, NULL))
        goto bad;
    t[k++] = rot;
    if (s->mirrored) {
        if (vips_flip(rot, &t[k], VIPS_DIRECTION_HORIZONTAL, NULL))
            goto bad;
        k++;
    }
    if (vips_gaussnoise(&t[k], W, H, "sigma", s->noise, "mean", 0.0, "seed", (int)s->seed + 3, NULL))
        goto bad;
    k++;
    if (vips_add(t[k - 2], t[k - 1], &t[k], NULL))
        goto bad;
    k++;
    if (vips_cast_uchar(t[k - 1], &t[k], NULL))
        goto bad;
    k++;
    t[k - 1]->Type = VIPS_INTERPRETATION_sRGB;
    /* a scanner's JPEG */
    void *buf = NULL;
    size_t len = 0;
    if (vips_jpegsave_buffer(t[k - 1], &buf, &len, "Q", 88, NULL))
        goto bad;
    VipsImage *back = vips_image_new_from_buffer(buf, len, "", "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    VipsImage *mem = back ? vips_image_copy_memory(back) : NULL;
    if (back)
        g_object_unref(back);
    g_free(buf);
    if (!mem)
        goto bad;
    for (int i = 0; i < k; i++)
        g_object_unref(t[i]);
    *out = mem;
    return 0;
bad:
    rc = fail(e, "compose the card");
    goto out;
bad_e:
    rc = e ? e->code : ERR_INTERNAL;
out:
    for (int i = 0; i < k; i++)
        if (t[i])
            g_object_unref(t[i]);
    return rc;
}

/* Code points of s with white space runs made one space, trimmed. */
static gunichar *normalise(const char *s, long *n)
{
    glong len = 0;
    gunichar *u = g_utf8_to_ucs4(s, -1, NULL, &len, NULL);
    if (!u)
        u = g_utf8_to_ucs4("", -1, NULL, &len, NULL);
    long j = 0;
    int space = 1;
    for (long i = 0; i < len; i++) {
        if (g_unichar_isspace(u[i])) {
            if (!space)
                u[j++] = ' ';
            space = 1;
        } else {
            u[j++] = u[i];
            space = 0;
        }
    }
    if (j > 0 && u[j - 1] == ' ')
        j--;
    *n = j;
    return u;
}

void cardgen_cer(const char *ref, const char *read, long *edits, long *ref_len)
{
    long n, m;
    gunichar *a = normalise(ref, &n), *b = normalise(read ? read : "", &m);
    long *prev = malloc((size_t)(m + 1) * sizeof *prev), *cur = malloc((size_t)(m + 1) * sizeof *cur);
    for (long j = 0; j <= m; j++)
        prev[j] = j;
    for (long i = 1; i <= n; i++) {
        cur[0] = i;
        for (long j = 1; j <= m; j++) {
            long d = prev[j - 1] + (a[i - 1] != b[j - 1]);
            long x = prev[j] + 1, y = cur[j - 1] + 1;
            cur[j] = d < x ? (d < y ? d : y) : (x < y ? x : y);
        }
        long *sw = prev;
        prev = cur;
        cur = sw;
    }
    *edits = prev[m];
    *ref_len = n;
    free(prev);
    free(cur);
    g_free(a);
    g_free(b);
}
