/* s3_config.h — where an S3 object store is and who we are to it, from a store
 * URL and the usual AWS settings.
 *
 *   s3://PREFIX?endpoint=URL&region=R&style=path|virtual&timeout=S&retries=N&page=K&cache=MB
 *
 * The four buckets are PREFIX-incoming, PREFIX-processed, PREFIX-faces and
 * PREFIX-annotations (PREFIX: 3..40 bytes of [a-z0-9-], starting and ending with
 * a letter or digit, so every bucket name is a valid S3 name). Without endpoint
 * the server is AWS (https://s3.R.amazonaws.com, virtual-hosted buckets); with
 * one (MinIO, Ceph RGW) buckets are path-style unless style=virtual. region
 * defaults to $AWS_REGION, $AWS_DEFAULT_REGION, then us-east-1. timeout (30 s)
 * and retries (5) as below; page: keys per listing request (1..1000, default
 * 1000; small pages exercise the continuation of long listings); cache: MiB
 * of recently read objects kept in memory (default 32, 0 turns it off), each
 * revalidated with a conditional GET on every read.
 * Credentials are never part of the URL: $AWS_ACCESS_KEY_ID,
 * $AWS_SECRET_ACCESS_KEY (and $AWS_SESSION_TOKEN), else the profile
 * $AWS_PROFILE (default "default") of $AWS_SHARED_CREDENTIALS_FILE or
 * ~/.aws/credentials. */
#ifndef FACETAG_STORE_S3_CONFIG_H
#define FACETAG_STORE_S3_CONFIG_H

#include "core/error.h"

#define S3_PREFIX_MAX 40

typedef struct s3_config {
    char prefix[S3_PREFIX_MAX + 1];
    char scheme[8];      /* "http" or "https" */
    char host[256];      /* host[:port] of the endpoint */
    char base_path[256]; /* path of the endpoint URL without a trailing '/', often "" */
    char region[64];
    int path_style;
    int timeout_s;      /* a transfer that moves no byte for this long fails (and is retried) */
    int retries;        /* attempts after the first, on 5xx and connection errors */
    int page;           /* max-keys of one ListObjectsV2 request */
    size_t cache_bytes; /* read cache (objects up to 4 MiB), revalidated by ETag; 0: off */
    char access_key[128];
    char secret_key[256];
    char session_token[4096];
} s3_config;

/* 1 when url starts with "s3://". */
int s3_config_is_s3_url(const char *url);
/* Fills c from url and the environment; ERR_INVALID naming the part that is
 * wrong (and, for missing credentials, where they are looked for). */
int s3_config_parse(const char *url, s3_config *c, err *e);

#endif
