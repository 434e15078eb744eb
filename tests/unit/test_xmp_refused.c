/* test_xmp_refused.c — what xmp_write_packet and xmp_write_file say when
 * Exempi refuses a property.
 *
 * Exempi 2.6's xmp_set_property and xmp_append_array_item end in a catch-all
 * branch (`catch (...) {}`, exempi.cpp) that returns false and sets no error
 * code, so the message used to read "refused a property (Exempi error 0)":
 * neither what failed nor a real code. That branch is only reached by an
 * exception other than XMP_Error (out of memory inside the toolkit), which
 * cannot be brought about here on purpose; so this test links with
 * -Wl,--wrap for both functions (CMakeLists.txt) and its wrappers fail the
 * Kth call exactly as the catch-all does — error code reset to 0, false
 * returned, nothing written — for every K of a whole write in turn (a mock of
 * that branch only: every other call goes to the real Exempi). Each message
 * must name the property the Kth call was writing (with its namespace
 * prefix) and, for xmp_write_file, the file, which must be left byte for byte
 * as it was with no temporary copy beside it; none may quote a code of 0.
 *
 * A real refusal is checked too, with the real toolkit: a name that is not
 * UTF-8 is refused with Exempi's own code (-4), which the message quotes,
 * with the name made readable. */
#include "greyjpeg.h"
#include "media/xmp_regions.h"
#include "media/xmp_write.h"
#include "testutil.h"

#include <exempi/xmp.h>
#include <exempi/xmpconsts.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool __real_xmp_set_property(XmpPtr xmp, const char *schema, const char *name, const char *value, uint32_t optionBits);
bool __real_xmp_append_array_item(XmpPtr xmp, const char *schema, const char *name, uint32_t arrayOptions,
                                  const char *value, uint32_t optionBits);

static int fail_at; /* the call to refuse, counted over both functions; 0: none */
static int calls;
static char failed_ns[128], failed_name[160];

/* Exempi's catch-all: RESET_ERROR on entry, then false with no code set. */
static bool catch_all(const char *ns, const char *name)
{
    XmpPtr scratch = xmp_new_empty(); /* a real call: resets this thread's code as the refused one did */
    if (scratch)
        xmp_free(scratch);
    snprintf(failed_ns, sizeof failed_ns, "%s", ns);
    snprintf(failed_name, sizeof failed_name, "%s", name);
    return false;
}

bool __wrap_xmp_set_property(XmpPtr xmp, const char *schema, const char *name, const char *value, uint32_t optionBits)
{
    if (fail_at && ++calls == fail_at)
        return catch_all(schema, name);
    return __real_xmp_set_property(xmp, schema, name, value, optionBits);
}

bool __wrap_xmp_append_array_item(XmpPtr xmp, const char *schema, const char *name, uint32_t arrayOptions,
                                  const char *value, uint32_t optionBits)
{
    if (fail_at && ++calls == fail_at)
        return catch_all(schema, name);
    return __real_xmp_append_array_item(xmp, schema, name, arrayOptions, value, optionBits);
}

/* The prefix facetag registers for the namespaces it writes (xmp_regions.c). */
static const char *prefix_of(const char *ns)
{
    static const struct {
        const char *ns, *prefix;
    } known[] = {
        { XMP_NS_MWG_RS, "mwg-rs:" },   { XMP_NS_MP, "MP:" },           { NS_DC, "dc:" },
        { XMP_NS_DIGIKAM, "digiKam:" }, { XMP_NS_FACETAG, "facetag:" }, { NS_TIFF, "tiff:" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(ns, known[i].ns) == 0)
            return known[i].prefix;
    return "?";
}

static const xmp_face_tag faces[] = {
    { "Anna Weber", 0.1, 0.2, 0.2, 0.3 },
    { NULL, 0.6, 0.1, 0.15, 0.2 },
    { "Jo\xc3\xabl Durand", 0.4, 0.5, 0.1, 0.1 },
};
static const char *const pages[] = { "Rosa Lind" };

static xmp_tag_set tag_set(void)
{
    return (xmp_tag_set){ .faces = faces,
                          .n = 3,
                          .applied_w = 64,
                          .applied_h = 48,
                          .orientation = 6,
                          .photo_id = "00000000000000a1",
                          .page_names = pages,
                          .n_page_names = 1 };
}

/* The message of a refused Kth call: names what it wrote, quotes no code 0. */
static void check_message(const char *msg, int k, const char *where)
{
    char want[320];
    snprintf(want, sizeof want, "%s%s", prefix_of(failed_ns), failed_name);
    CHECK_MSG(strstr(msg, want) != NULL, "%s, call %d refused: '%s' does not name %s", where, k, msg, want);
    CHECK_MSG(strstr(msg, "error 0") == NULL, "%s, call %d refused: '%s' quotes a code 0", where, k, msg);
    CHECK_MSG(strstr(msg, "gave no reason") != NULL, "%s, call %d refused: '%s'", where, k, msg);
}

static char *slurp(const char *path, size_t *len)
{
    gchar *b = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &b, &n, NULL))
        return NULL;
    *len = n;
    return b;
}

int main(void)
{
    err e = { 0 };
    CHECK_MSG(xmp_regions_init(&e) == 0, "%s", e.msg);
    xmp_tag_set t = tag_set();

    /* how many toolkit writes one packet takes, all going through */
    char *out = NULL;
    size_t out_len = 0;
    calls = 0;
    fail_at = -1; /* counts, never equal */
    CHECK_MSG(xmp_write_packet(NULL, 0, &t, &out, &out_len, &e) == 0, "%s", e.msg);
    int total = calls;
    free(out);
    CHECK_MSG(total >= 20, "a write of 3 regions made only %d calls", total);

    int named_props = 0;
    for (int k = 1; k <= total; k++) {
        calls = 0;
        fail_at = k;
        err pe = { 0 };
        out = NULL;
        int rc = xmp_write_packet(NULL, 0, &t, &out, &out_len, &pe);
        CHECK_MSG(rc == ERR_INTERNAL && out == NULL, "packet, call %d refused: rc %d", k, rc);
        check_message(pe.msg, k, "packet");
        named_props += strstr(pe.msg, "Jo\xc3\xabl Durand\"") != NULL;
        if (k == total)
            printf("the last call refused: %s\n", pe.msg);
        free(out);
    }
    /* the name is quoted where a name was refused (its region's Name, MP's
     * PersonDisplayName, dc:subject and digiKam's tag) */
    CHECK_MSG(named_props >= 4, "the refused name quoted in %d messages", named_props);

    /* into a real JPEG: the file is named and left as it was */
    const char *dir = test_tmpdir("xmp-refused");
    char jpeg[600], tmp[700];
    snprintf(jpeg, sizeof jpeg, "%s/scan.jpg", dir);
    snprintf(tmp, sizeof tmp, "%s/.scan.jpg.facetag-tmp", dir);
    CHECK(greyjpeg_write(jpeg) == 0);
    size_t before_len = 0, after_len = 0;
    char *before = slurp(jpeg, &before_len);
    CHECK(before != NULL);
    t.orientation = 0; /* an image file's own orientation is not ours to write */
    calls = 0;
    fail_at = -1;
    CHECK_MSG(xmp_write_file(jpeg, &t, &e) == 0, "%s", e.msg);
    int file_total = calls;
    free(before);
    before = slurp(jpeg, &before_len); /* now with regions: a refused rewrite must keep them */
    for (int k = 1; before && k <= file_total; k++) {
        calls = 0;
        fail_at = k;
        err fe = { 0 };
        int rc = xmp_write_file(jpeg, &t, &fe);
        CHECK_MSG(rc == ERR_INTERNAL, "file, call %d refused: rc %d", k, rc);
        CHECK_MSG(strncmp(fe.msg, jpeg, strlen(jpeg)) == 0, "file, call %d refused: '%s' does not name %s", k, fe.msg,
                  jpeg);
        check_message(fe.msg, k, "file");
        char *after = slurp(jpeg, &after_len);
        CHECK_MSG(after && after_len == before_len && memcmp(after, before, before_len) == 0,
                  "file, call %d refused: %s changed", k, jpeg);
        g_free(after);
        CHECK_MSG(!g_file_test(tmp, G_FILE_TEST_EXISTS), "file, call %d refused: %s left behind", k, tmp);
    }
    g_free(before);
    fail_at = 0;

    /* a real refusal: Exempi's own code, quoted; the name shown readable */
    static const xmp_face_tag bad[] = { { "Anna \xff\xfe Weber", 0.1, 0.2, 0.2, 0.3 } };
    xmp_tag_set tb = { .faces = bad, .n = 1, .applied_w = 64, .applied_h = 48 };
    err be = { 0 };
    out = NULL;
    CHECK(xmp_write_packet(NULL, 0, &tb, &out, &out_len, &be) == ERR_INTERNAL);
    CHECK_MSG(
        strstr(be.msg,
               "set mwg-rs:Regions/mwg-rs:RegionList[1]/mwg-rs:Name to \"Anna \xef\xbf\xbd\xef\xbf\xbd Weber\"") &&
            strstr(be.msg, "(Exempi error -4)") && g_utf8_validate(be.msg, -1, NULL),
        "a name that is not UTF-8: '%s'", be.msg);
    free(out);
    printf("%d refused calls into a packet and %d into %s, each named; real refusal: %s\n", total, file_total, jpeg,
           be.msg);
    test_rmtree(dir);
    return test_main_end();
}
