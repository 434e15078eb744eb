/* test_sidecar.c — captions beside photos: which files are sidecars, text in
 * UTF-8 and in the Latin-1/CP1252 of old archives, XMP fields (element and
 * attribute forms, language alternatives, face-region names), JSON, album
 * files, and the error keys for sidecars that cannot be parsed. */
#include "media/sidecar.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[512];

static void put(const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_companions(void)
{
    const char *names[] = { "IMG_1.jpg", "IMG_1.txt", "IMG_1.json", "IMG_2.tif", "IMG_2.tif.xmp", "IMG_3.XMP",
                            "notes.txt", "album.txt", "ALBUM.JSON", "IMG_3.png", "lone.json" };
    size_t n = sizeof names / sizeof names[0];
    CHECK(sidecar_is_companion("IMG_1.txt", names, n));
    CHECK(sidecar_is_companion("IMG_1.json", names, n));
    CHECK(sidecar_is_companion("IMG_2.tif.xmp", names, n));
    CHECK(sidecar_is_companion("IMG_3.XMP", names, n));
    CHECK(sidecar_is_companion("album.txt", names, n));
    CHECK(sidecar_is_companion("ALBUM.JSON", names, n));
    CHECK(!sidecar_is_companion("notes.txt", names, n)); /* no photo of that stem */
    CHECK(!sidecar_is_companion("lone.json", names, n));
    CHECK(!sidecar_is_companion("IMG_1.jpg", names, n)); /* the photo itself */
    /* two sidecars of one stem do not make each other companions */
    const char *only[] = { "a.txt", "a.json" };
    CHECK(!sidecar_is_companion("a.txt", only, 2));
    CHECK(sidecar_has_sidecar_ext("x.TXT") && !sidecar_has_sidecar_ext("x.jpg") && !sidecar_has_sidecar_ext(".txt"));
}

static void test_text(void)
{
    char *s = sidecar_text_json("Probe, Februar 1977\r\n", 21);
    CHECK(s && strcmp(s, "\"Probe, Februar 1977\"") == 0);
    free(s);
    s = sidecar_text_json("Caf\xc3\xa9 M\xc3\xbcller", 13); /* UTF-8 kept */
    CHECK(s && strcmp(s, "\"Caf\xc3\xa9 M\xc3\xbcller\"") == 0);
    free(s);
    s = sidecar_text_json("Caf\xe9 M\xfcller \x80", 13); /* CP1252: e-acute, u-umlaut, euro */
    CHECK_MSG(s && strcmp(s, "\"Caf\xc3\xa9 M\xc3\xbcller \xe2\x82\xac\"") == 0, "%s", s ? s : "(null)");
    free(s);
    s = sidecar_text_json("\xef\xbb\xbfwith BOM", 11);
    CHECK(s && strcmp(s, "\"with BOM\"") == 0);
    free(s);
}

static void test_xmp(void)
{
    const char *xmp =
        "<?xpacket begin='\xef\xbb\xbf' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
        " <rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/'\n"
        "   xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/' xmlns:xmp='http://ns.adobe.com/xap/1.0/'\n"
        "   xmlns:mwg-rs='http://www.metadataworkinggroup.com/schemas/regions/'\n"
        "   photoshop:City='Wuppertal' xmp:CreateDate='1980-01-01'>\n"
        "  <dc:title><rdf:Alt><rdf:li xml:lang='x-default'>Probe</rdf:li></rdf:Alt></dc:title>\n"
        "  <dc:description><rdf:Alt><rdf:li xml:lang='x-default'>Probe, Februar 1977 &amp; mehr</rdf:li>"
        "</rdf:Alt></dc:description>\n"
        "  <dc:subject><rdf:Bag><rdf:li>Tanz</rdf:li><rdf:li>Oper</rdf:li></rdf:Bag></dc:subject>\n"
        "  <photoshop:DateCreated>1977-02</photoshop:DateCreated>\n"
        "  <mwg-rs:Regions><rdf:Description><mwg-rs:RegionList><rdf:Bag>\n"
        "   <rdf:li><rdf:Description mwg-rs:Name='Pina Bausch' mwg-rs:Type='Face'/></rdf:li>\n"
        "   <rdf:li><rdf:Description><mwg-rs:Name>Jan Minarik</mwg-rs:Name></rdf:Description></rdf:li>\n"
        "   <rdf:li><rdf:Description mwg-rs:Name='Pina Bausch'/></rdf:li>\n"
        "  </rdf:Bag></mwg-rs:RegionList></rdf:Description></mwg-rs:Regions>\n"
        " </rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end='w'?>";
    char *json = NULL;
    err e = { 0 };
    CHECK_MSG(sidecar_xmp_json(xmp, strlen(xmp), &json, &e) == 0, "%s", e.msg);
    const char *want = "{\"date\":\"1977-02\",\"description\":\"Probe, Februar 1977 & mehr\",\"keywords\":[\"Tanz\","
                       "\"Oper\"],\"location\":\"Wuppertal\",\"persons\":[\"Pina Bausch\",\"Jan Minarik\"],"
                       "\"title\":\"Probe\"}";
    CHECK_MSG(json && strcmp(json, want) == 0, "got %s", json ? json : "(null)");
    free(json);
    CHECK(sidecar_xmp_json("<a><b></a>", 10, &json, &e) == ERR_FORMAT && json == NULL);
    CHECK(strstr(e.msg, "not well-formed XMP") != NULL);
}

static void test_collect(void)
{
    put("IMG_7.jpg", "(photo bytes)");
    put("IMG_7.txt", "Probe 1977\n");
    put("IMG_7.json", "{\"people\": [\"A\", \"B\"]}");
    put("IMG_7.jpg.xmp", "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='r'><rdf:Description xmlns:dc='d'>"
                         "<dc:title><rdf:Alt><rdf:li>T</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF>"
                         "</x:xmpmeta>");
    put("album.txt", "Tanztheater Wuppertal, 1977");
    put("album.json", "{\"event\": \"Le Sacre\"");
    put("IMG_8.png", "(photo bytes)");
    char path[700], *json = NULL;
    err e = { 0 };
    snprintf(path, sizeof path, "%s/IMG_7.jpg", dir);
    CHECK(sidecar_collect(path, &json, &e) == 0);
    json_error_t je;
    json_t *o = json ? json_loads(json, 0, &je) : NULL;
    CHECK_MSG(o != NULL, "%s", json ? json : "(null)");
    if (o) {
        CHECK(strcmp(json_string_value(json_object_get(o, "txt")), "Probe 1977") == 0);
        CHECK(json_array_size(json_object_get(json_object_get(o, "json"), "people")) == 2);
        CHECK(strcmp(json_string_value(json_object_get(json_object_get(o, "xmp"), "title")), "T") == 0);
        json_t *album = json_object_get(o, "album");
        CHECK(strcmp(json_string_value(json_object_get(album, "txt")), "Tanztheater Wuppertal, 1977") == 0);
        CHECK(json_object_get(album, "json") == NULL);
        CHECK(strncmp(json_string_value(json_object_get(album, "json_error")), "invalid JSON", 12) == 0);
        json_decref(o);
    }
    free(json);
    /* a photo with only the album */
    snprintf(path, sizeof path, "%s/IMG_8.png", dir);
    CHECK(sidecar_collect(path, &json, &e) == 0 && json && strncmp(json, "{\"album\":", 9) == 0);
    free(json);
    /* nothing at all */
    char other[600];
    snprintf(other, sizeof other, "%s", test_tmpdir("sidecar-empty"));
    snprintf(path, sizeof path, "%s/x.jpg", other);
    CHECK(sidecar_collect(path, &json, &e) == 0 && json == NULL);
    test_rmtree(other);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s", test_tmpdir("sidecar"));
    test_companions();
    test_text();
    test_xmp();
    test_collect();
    test_rmtree(dir);
    return test_main_end();
}
