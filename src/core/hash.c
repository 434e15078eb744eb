#include "core/hash.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int hash_sha256_hex(const void *data, size_t len, char hex[HASH_SHA256_HEX_LEN + 1], err *e)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (!EVP_Digest(data, len, md, &md_len, EVP_sha256(), NULL) || md_len != 32)
        return err_set(e, ERR_INTERNAL, "SHA-256 failed in libcrypto");
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < md_len; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[2 * md_len] = '\0';
    return 0;
}

void hash_photo_id(const char sha256_hex[HASH_SHA256_HEX_LEN + 1], char id[PHOTO_ID_LEN + 1])
{
    memcpy(id, sha256_hex, PHOTO_ID_LEN);
    id[PHOTO_ID_LEN] = '\0';
}

int hash_photo_id_valid(const char *s)
{
    if (!s)
        return 0;
    for (int i = 0; i < PHOTO_ID_LEN; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return s[PHOTO_ID_LEN] == '\0';
}

void hash_page_id(const char sha[HASH_SHA256_HEX_LEN + 1], int page, char id[PHOTO_ID_LEN + 1])
{
    if (page == 0) {
        hash_photo_id(sha, id);
        return;
    }
    char text[HASH_SHA256_HEX_LEN + 32], hex[HASH_SHA256_HEX_LEN + 1];
    int n = snprintf(text, sizeof text, "%s#page=%d", sha, page);
    if (hash_sha256_hex(text, (size_t)n, hex, NULL) != 0) {
        id[0] = '\0';
        return;
    }
    hash_photo_id(hex, id);
}
