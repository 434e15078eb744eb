/* fuzz_s3_xml.c — fuzz target of the S3 response parser (store/s3_xml.h): any
 * bytes through every entry point; the sanitizers judge. Built as a libFuzzer
 * binary with clang (-DFACETAG_FUZZ=ON: fuzz_s3_xml CORPUS_DIR), and always
 * linked into fuzz_replay, which `make test` runs over the seed corpus and
 * thousands of mutations of it. */
#include "store/s3_xml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    s3_list_page page;
    if (s3_xml_list(xml, size, &page, NULL) == 0) {
        /* whatever was accepted is whole: keys are strings, a truncated page has its token */
        for (size_t i = 0; i < page.n; i++)
            if (!page.v[i].key || strlen(page.v[i].key) == 0)
                abort();
        if (page.truncated && (!page.next_token || !*page.next_token))
            abort();
    }
    s3_list_page_free(&page);
    char buf[64];
    if (s3_xml_text(xml, size, "UploadId", buf, sizeof buf, NULL) == 0 && strlen(buf) >= sizeof buf)
        abort();
    s3_xml_text(xml, size, "Code", buf, 1, NULL);
    (void)s3_xml_is_error(xml, size);
    char *z = malloc(size + 1); /* s3_xml_time wants a string */
    if (z) {
        memcpy(z, data, size);
        z[size] = '\0';
        (void)s3_xml_time(z);
        free(z);
    }
    return 0;
}
