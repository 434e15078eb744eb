/* s3_xml.h — reading the XML that an S3 server answers with (ListObjectsV2,
 * InitiateMultipartUpload, CompleteMultipartUpload, GetBucketVersioning and the
 * <Error> document), with libxml2. Input is outside text: every function takes
 * any bytes and either fills its result or returns ERR_FORMAT naming what is
 * missing; none reads past len or trusts a length inside the document. */
#ifndef FACETAG_STORE_S3_XML_H
#define FACETAG_STORE_S3_XML_H

#include "core/error.h"
#include <stddef.h>
#include <stdint.h>

typedef struct s3_list_entry {
    char *key; /* malloc'd */
    uint64_t size;
    int64_t mtime; /* seconds since the epoch, from LastModified */
} s3_list_entry;

typedef struct s3_list_page {
    s3_list_entry *v;
    size_t n;
    int truncated;    /* IsTruncated */
    char *next_token; /* NextContinuationToken, malloc'd, NULL when none */
} s3_list_page;

/* Parses one ListObjectsV2 page; caller frees with s3_list_page_free (also on error). */
int s3_xml_list(const char *xml, size_t len, s3_list_page *out, err *e);
void s3_list_page_free(s3_list_page *p);

/* The text of the first element named `name` anywhere in the document, into
 * buf (cut to bufsize-1 bytes); ERR_NOTFOUND when there is none, ERR_FORMAT when
 * the document is not XML. Used for UploadId, the Status of versioning, and
 * Code/Message of an <Error>. */
int s3_xml_text(const char *xml, size_t len, const char *name, char *buf, size_t bufsize, err *e);

/* 1 when the document's root element is <Error> (a CompleteMultipartUpload can
 * answer 200 with one), else 0. */
int s3_xml_is_error(const char *xml, size_t len);

/* "2026-12-07T03:20:00.000Z" -> seconds since the epoch; -1 when not that shape. */
int64_t s3_xml_time(const char *iso8601);

#endif
