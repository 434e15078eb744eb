/* http.c — request helpers and response builders shared by every handler (http.h). */
#include "review/http.h"

#include <glib.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void http_response_init(http_response *resp)
{
    memset(resp, 0, sizeof *resp);
    resp->fd = -1;
    http_error(resp, 500, "the request was not handled");
}

void http_response_clear(http_response *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->static_body = NULL;
    if (resp->shared && resp->shared_free)
        resp->shared_free(resp->shared);
    resp->shared = NULL;
    resp->len = 0;
    if (resp->fd >= 0)
        close(resp->fd);
    resp->fd = -1;
}

void http_body(http_response *resp, unsigned status, const char *content_type, char *body, size_t len)
{
    http_response_clear(resp);
    resp->status = status;
    resp->content_type = content_type;
    resp->content_encoding = NULL;
    resp->body = body;
    resp->len = len;
}

void http_json(http_response *resp, unsigned status, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY) : NULL;
    json_decref(v);
    if (!text) {
        http_error(resp, 500, "out of memory formatting the response");
        return;
    }
    http_body(resp, status, "application/json", text, strlen(text));
}

void http_error(http_response *resp, unsigned status, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    json_object_set_new(o, "error", http_json_text(msg));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    http_response_clear(resp);
    resp->status = status;
    resp->content_type = "application/json";
    resp->cache_control = NULL;
    resp->content_encoding = NULL;
    resp->etag[0] = '\0';
    resp->retry_after = 0;
    if (text) {
        resp->body = text;
        resp->len = strlen(text);
    } else { /* out of memory: a fixed body */
        static const char oom[] = "{\"error\":\"out of memory\"}";
        resp->static_body = (const unsigned char *)oom;
        resp->len = sizeof oom - 1;
        resp->status = 500;
    }
}

void http_error_from(http_response *resp, const err *e)
{
    unsigned status = 500;
    switch (e->code) {
    case ERR_NOTFOUND:
        status = 404;
        break;
    case ERR_INVALID:
        status = 400;
        break;
    case ERR_CONFLICT:
        status = 409;
        break;
    case ERR_LIMIT:
        status = 413;
        break;
    case ERR_BUSY:
        status = 503;
        break;
    default:
        status = 500;
    }
    if (status == 500)
        fprintf(stderr, "facetag serve: %s\n", e->msg);
    if (status == 503) {
        http_error(resp, 503,
                   "the catalog is busy: another process (a `facetag cluster` run?) held its write lock for longer "
                   "than this server waits; nothing was changed, try again in %u s (%s)",
                   HTTP_BUSY_RETRY_S, e->msg[0] ? e->msg : err_code_name(e->code));
        resp->retry_after = HTTP_BUSY_RETRY_S;
        return;
    }
    http_error(resp, status, "%s", e->msg[0] ? e->msg : err_code_name(e->code));
}

const char *http_query(const http_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const http_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

bool http_query_int(const http_request *rq, http_response *resp, const char *name, long def, long min, long max,
                    long *out)
{
    const char *v = http_query(rq, name);
    if (!v) {
        *out = def;
        return true;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max || (*v == '0' && v[1])) {
        http_error(resp, 400, "query parameter %s must be a whole number from %ld to %ld, not '%.40s'", name, min, max,
                   v);
        return false;
    }
    *out = n;
    return true;
}

json_t *http_body_object(const http_request *rq, http_response *resp, bool allow_empty)
{
    const char *p = rq->body;
    while (p && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        p++;
    if (!p || !*p) {
        if (allow_empty)
            return json_object();
        http_error(resp, 400, "the request needs a JSON object as its body");
        return NULL;
    }
    json_error_t je;
    json_t *v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        http_error(resp, 400, "malformed JSON in the request body (line %d, column %d): %s", je.line, je.column,
                   je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        http_error(resp, 400, "the request body must be a JSON object");
        return NULL;
    }
    return v;
}

json_t *http_json_text(const char *s)
{
    if (!s)
        return json_null();
    if (g_utf8_validate(s, -1, NULL))
        return json_string(s);
    char *valid = g_utf8_make_valid(s, -1);
    json_t *j = json_string(valid);
    g_free(valid);
    return j;
}

bool http_json_id(const json_t *v, int64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return false;
    *out = (int64_t)json_integer_value(v);
    return true;
}

bool http_json_ids(const json_t *v, const char *field, http_response *resp, int64_t **out, size_t *n, size_t max)
{
    *out = NULL;
    *n = 0;
    size_t count = json_is_array(v) ? json_array_size(v) : 0;
    if (!json_is_array(v) || count == 0 || count > max) {
        http_error(resp, 400, "\"%s\" must be an array of 1 to %zu ids", field, max);
        return false;
    }
    int64_t *ids = malloc(count * sizeof *ids);
    if (!ids) {
        http_error(resp, 500, "out of memory");
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        if (!http_json_id(json_array_get(v, i), &ids[i])) {
            free(ids);
            http_error(resp, 400, "\"%s\"[%zu] is not a positive integer id", field, i);
            return false;
        }
    }
    *out = ids;
    *n = count;
    return true;
}
