/* s3_config.c — parsing an s3:// store URL and finding the credentials. */
#include "store/s3_config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int s3_config_is_s3_url(const char *url)
{
    return url && strncmp(url, "s3://", 5) == 0;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Percent-decodes src[0..n) into buf; -1 when it does not fit or a %XX is bad. */
static int pct_decode(const char *src, size_t n, char *buf, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)src[i];
        if (ch == '%') {
            if (i + 2 >= n || hexval(src[i + 1]) < 0 || hexval(src[i + 2]) < 0)
                return -1;
            ch = hexval(src[i + 1]) * 16 + hexval(src[i + 2]);
            i += 2;
        }
        if (o + 1 >= size)
            return -1;
        buf[o++] = (char)ch;
    }
    buf[o] = '\0';
    return 0;
}

static int prefix_ok(const char *p)
{
    size_t n = strlen(p);
    if (n < 3 || n > S3_PREFIX_MAX || !isalnum((unsigned char)p[0]) || !isalnum((unsigned char)p[n - 1]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)p[i]) || isdigit((unsigned char)p[i]) || p[i] == '-'))
            return 0;
    return 1;
}

static int parse_endpoint(const char *url, const char *ep, s3_config *c, err *e)
{
    const char *rest;
    if (strncmp(ep, "http://", 7) == 0)
        snprintf(c->scheme, sizeof c->scheme, "http"), rest = ep + 7;
    else if (strncmp(ep, "https://", 8) == 0)
        snprintf(c->scheme, sizeof c->scheme, "https"), rest = ep + 8;
    else
        return err_set(e, ERR_INVALID, "store %s: endpoint '%s' must start with http:// or https://", url, ep);
    size_t hl = strcspn(rest, "/?#");
    if (hl == 0 || hl >= sizeof c->host || rest[hl] == '?' || rest[hl] == '#')
        return err_set(e, ERR_INVALID, "store %s: endpoint '%s' needs a host (and nothing after its path)", url, ep);
    memcpy(c->host, rest, hl);
    c->host[hl] = '\0';
    const char *path = rest + hl;
    size_t pl = strlen(path);
    while (pl > 0 && path[pl - 1] == '/')
        pl--;
    if (pl >= sizeof c->base_path)
        return err_set(e, ERR_INVALID, "store %s: endpoint path too long", url);
    memcpy(c->base_path, path, pl);
    c->base_path[pl] = '\0';
    return 0;
}

static int parse_int(const char *url, const char *name, const char *v, int lo, int hi, int *out, err *e)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi)
        return err_set(e, ERR_INVALID, "store %s: %s takes a whole number from %d to %d, not '%s'", url, name, lo, hi,
                       v);
    *out = (int)n;
    return 0;
}

/* Trims spaces at both ends in place. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Reads the profile's keys from an AWS credentials file (INI). 1 when found, 0 when
 * the file or profile is absent, <0 on a damaged file. */
static int credentials_file(const char *path, const char *profile, s3_config *c, err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[4096];
    int in = 0, found = 0, lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                rc = err_set(e, ERR_INVALID, "%s:%d: a section header without ']'", path, lineno);
                break;
            }
            *close = '\0';
            char *name = trim(s + 1);
            if (strncmp(name, "profile ", 8) == 0)
                name = trim(name + 8);
            in = strcmp(name, profile) == 0;
            found |= in;
            continue;
        }
        if (!in)
            continue;
        char *eq = strchr(s, '=');
        if (!eq)
            continue;
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        if (strcmp(k, "aws_access_key_id") == 0)
            snprintf(c->access_key, sizeof c->access_key, "%s", v);
        else if (strcmp(k, "aws_secret_access_key") == 0)
            snprintf(c->secret_key, sizeof c->secret_key, "%s", v);
        else if (strcmp(k, "aws_session_token") == 0)
            snprintf(c->session_token, sizeof c->session_token, "%s", v);
    }
    fclose(f);
    return rc ? rc : found;
}

static int find_credentials(const char *url, s3_config *c, err *e)
{
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    if (ak && *ak && sk && *sk) {
        const char *tok = getenv("AWS_SESSION_TOKEN");
        snprintf(c->access_key, sizeof c->access_key, "%s", ak);
        snprintf(c->secret_key, sizeof c->secret_key, "%s", sk);
        snprintf(c->session_token, sizeof c->session_token, "%s", tok ? tok : "");
        if (strchr(c->access_key, ':'))
            return err_set(e, ERR_INVALID, "store %s: AWS_ACCESS_KEY_ID contains ':', which no access key does", url);
        return 0;
    }
    char path[4096];
    const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
    if (file && *file)
        snprintf(path, sizeof path, "%s", file);
    else
        snprintf(path, sizeof path, "%s/.aws/credentials", home && *home ? home : ".");
    const char *profile = getenv("AWS_PROFILE");
    if (!profile || !*profile)
        profile = "default";
    int rc = credentials_file(path, profile, c, e);
    if (rc < 0)
        return rc;
    if (rc == 0 || !c->access_key[0] || !c->secret_key[0])
        return err_set(e, ERR_INVALID,
                       "store %s: no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                       "aws_access_key_id and aws_secret_access_key in profile [%s] of %s",
                       url, profile, path);
    /* A key with characters that would break "key:secret" for curl is not an AWS key. */
    if (strchr(c->access_key, ':'))
        return err_set(e, ERR_INVALID, "store %s: the access key in %s contains ':'", url, path);
    return 0;
}

static int copy_opt(const char *url, const char *name, const char *val, char *buf, size_t size, err *e)
{
    size_t n = strlen(val);
    if (n >= size)
        return err_set(e, ERR_INVALID, "store %s: %s is longer than %zu bytes", url, name, size - 1);
    memcpy(buf, val, n + 1);
    return 0;
}

int s3_config_parse(const char *url, s3_config *c, err *e)
{
    memset(c, 0, sizeof *c);
    c->timeout_s = 30;
    c->retries = 5;
    c->page = 1000;
    c->cache_bytes = (size_t)32 << 20;
    if (!s3_config_is_s3_url(url))
        return err_set(e, ERR_INVALID, "store '%s': not an s3:// URL", url ? url : "(null)");
    const char *p = url + 5;
    size_t pl = strcspn(p, "?/");
    if (p[pl] == '/' && p[pl + 1] != '\0' && p[pl + 1] != '?')
        return err_set(e, ERR_INVALID, "store %s: the URL names a bucket prefix only, no path after it", url);
    if (pl > S3_PREFIX_MAX)
        return err_set(e, ERR_INVALID, "store %s: bucket prefix longer than %d bytes", url, S3_PREFIX_MAX);
    memcpy(c->prefix, p, pl);
    c->prefix[pl] = '\0';
    if (!prefix_ok(c->prefix))
        return err_set(e, ERR_INVALID,
                       "store %s: bucket prefix '%s' must be 3..%d bytes of a-z, 0-9 and '-', starting and ending "
                       "with a letter or digit",
                       url, c->prefix, S3_PREFIX_MAX);
    const char *q = strchr(p, '?');
    char endpoint[512] = "", style[16] = "";
    while (q && *q) {
        q++;
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        if (n == 0) {
            q += n;
            continue;
        }
        if (!eq)
            return err_set(e, ERR_INVALID, "store %s: option '%.*s' needs a value (NAME=VALUE)", url, (int)n, q);
        char name[32], val[512];
        size_t nl = (size_t)(eq - q);
        if (nl >= sizeof name || pct_decode(eq + 1, n - nl - 1, val, sizeof val) != 0)
            return err_set(e, ERR_INVALID, "store %s: option '%.*s' is too long or badly %%-encoded", url, (int)n, q);
        memcpy(name, q, nl);
        name[nl] = '\0';
        int rc = 0;
        if (strcmp(name, "endpoint") == 0)
            rc = copy_opt(url, name, val, endpoint, sizeof endpoint, e);
        else if (strcmp(name, "region") == 0)
            rc = copy_opt(url, name, val, c->region, sizeof c->region, e);
        else if (strcmp(name, "style") == 0)
            rc = copy_opt(url, name, val, style, sizeof style, e);
        else if (strcmp(name, "timeout") == 0)
            rc = parse_int(url, "timeout", val, 1, 3600, &c->timeout_s, e);
        else if (strcmp(name, "retries") == 0)
            rc = parse_int(url, "retries", val, 0, 20, &c->retries, e);
        else if (strcmp(name, "page") == 0)
            rc = parse_int(url, "page", val, 1, 1000, &c->page, e);
        else if (strcmp(name, "cache") == 0) {
            int mb = 0;
            rc = parse_int(url, "cache", val, 0, 65536, &mb, e);
            c->cache_bytes = (size_t)mb << 20;
        } else
            rc = err_set(e, ERR_INVALID,
                         "store %s: unknown option '%s' (endpoint, region, style, timeout, retries, page, cache)", url,
                         name);
        if (rc)
            return rc;
        q += n;
    }
    if (!c->region[0]) {
        const char *r = getenv("AWS_REGION");
        if (!r || !*r)
            r = getenv("AWS_DEFAULT_REGION");
        snprintf(c->region, sizeof c->region, "%s", r && *r ? r : "us-east-1");
    }
    for (const char *r = c->region; *r; r++)
        if (!isalnum((unsigned char)*r) && *r != '-')
            return err_set(e, ERR_INVALID, "store %s: region '%s' is not a region name", url, c->region);
    int rc;
    if (endpoint[0]) {
        if ((rc = parse_endpoint(url, endpoint, c, e)) != 0)
            return rc;
        c->path_style = 1;
    } else {
        snprintf(c->scheme, sizeof c->scheme, "https");
        snprintf(c->host, sizeof c->host, "s3.%s.amazonaws.com", c->region);
        c->path_style = 0;
    }
    if (style[0]) {
        if (strcmp(style, "path") == 0)
            c->path_style = 1;
        else if (strcmp(style, "virtual") == 0)
            c->path_style = 0;
        else
            return err_set(e, ERR_INVALID, "store %s: style is 'path' or 'virtual', not '%s'", url, style);
    }
    return find_credentials(url, c, e);
}
