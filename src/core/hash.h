/* hash.h — SHA-256 (OpenSSL libcrypto) and the photo identifier built on it. */
#ifndef FACETAG_CORE_HASH_H
#define FACETAG_CORE_HASH_H

#include "core/error.h"
#include <stddef.h>

#define HASH_SHA256_HEX_LEN 64
#define PHOTO_ID_LEN 16

/* hex must hold 65 bytes; writes lowercase hex and a NUL. */
int hash_sha256_hex(const void *data, size_t len, char hex[HASH_SHA256_HEX_LEN + 1], err *e);
/* photo_id = first 16 hex digits of the SHA-256 of the original bytes. */
void hash_photo_id(const char sha256_hex[HASH_SHA256_HEX_LEN + 1], char id[PHOTO_ID_LEN + 1]);
/* 1 when s is exactly 16 lowercase hex digits. */
int hash_photo_id_valid(const char *s);
/* The photo_id of page `page` of a file: page 0 is the file's own photo_id,
 * page N >= 1 the first 16 hex digits of SHA-256("<file sha256 hex>#page=N").
 * id is "" only when hashing fails (out of memory). */
void hash_page_id(const char file_sha256[HASH_SHA256_HEX_LEN + 1], int page, char id[PHOTO_ID_LEN + 1]);

#endif
