/* s3_xml.c — S3 response documents through libxml2's tree parser, with the
 * network off (XML_PARSE_NONET) and any document with a DTD refused, so no
 * entity is ever expanded. */
#include "store/s3_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PARSE_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS)

static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void quiet_structured(void *ctx, const xmlError *error)
{
    (void)ctx;
    (void)error;
}

static xmlDocPtr parse(const char *xml, size_t len)
{
    if (!xml || len == 0 || len > (size_t)INT32_MAX)
        return NULL;
    /* A damaged answer is reported by our caller, once: libxml2 would print
     * its own lines (encoding errors) to stderr. Both handlers are per thread. */
    xmlSetGenericErrorFunc(NULL, quiet);
    xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)quiet_structured);
    xmlDocPtr doc = xmlReadMemory(xml, (int)len, "s3-response.xml", NULL, PARSE_OPTS);
    /* No S3 answer has a DTD; one that does is refused whole, entities and all. */
    if (doc && (doc->intSubset || doc->extSubset)) {
        xmlFreeDoc(doc);
        return NULL;
    }
    return doc;
}

static int name_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The node's text content, malloc'd ("" for an empty element); NULL on no memory. */
static char *text_of(const xmlNode *n)
{
    xmlChar *t = xmlNodeGetContent(n);
    char *s = strdup(t ? (const char *)t : "");
    xmlFree(t);
    return s;
}

int64_t s3_xml_time(const char *s)
{
    struct tm tm = { 0 };
    if (!s)
        return -1;
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end)
        return -1;
    if (*end == '.')
        for (end++; *end >= '0' && *end <= '9'; end++)
            ;
    if (*end != 'Z' && *end != '\0')
        return -1;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t;
}

void s3_list_page_free(s3_list_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].key);
    free(p->v);
    free(p->next_token);
    memset(p, 0, sizeof *p);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!*s)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int list_entry(const xmlNode *contents, s3_list_page *out, size_t *cap, err *e)
{
    char *key = NULL, *size = NULL, *mod = NULL;
    for (const xmlNode *c = contents->children; c; c = c->next) {
        char **slot = name_is(c, "Key") ? &key : name_is(c, "Size") ? &size : name_is(c, "LastModified") ? &mod : NULL;
        if (slot && !*slot && !(*slot = text_of(c))) {
            free(key), free(size), free(mod);
            return err_set(e, ERR_NOMEM, "S3 listing: out of memory");
        }
    }
    uint64_t sz = 0;
    int rc = 0;
    if (!key || !*key || !size || parse_u64(size, &sz) != 0)
        rc = err_set(e, ERR_FORMAT, "S3 listing: an entry without a key or a whole-number size");
    if (rc == 0 && out->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        s3_list_entry *v = realloc(out->v, ncap * sizeof *v);
        if (!v)
            rc = err_set(e, ERR_NOMEM, "S3 listing: out of memory");
        else
            out->v = v, *cap = ncap;
    }
    if (rc == 0) {
        int64_t t = mod ? s3_xml_time(mod) : -1;
        out->v[out->n++] = (s3_list_entry){ key, sz, t < 0 ? 0 : t };
        key = NULL;
    }
    free(key), free(size), free(mod);
    return rc;
}

int s3_xml_list(const char *xml, size_t len, s3_list_page *out, err *e)
{
    memset(out, 0, sizeof *out);
    xmlDocPtr doc = parse(xml, len);
    if (!doc)
        return err_set(e, ERR_FORMAT, "S3 listing: the answer is not XML (%zu bytes)", len);
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc = 0;
    if (!root || !name_is(root, "ListBucketResult"))
        rc = err_set(e, ERR_FORMAT, "S3 listing: the answer is not a <ListBucketResult>");
    size_t cap = 0;
    for (const xmlNode *c = root ? root->children : NULL; c && rc == 0; c = c->next) {
        if (name_is(c, "Contents")) {
            rc = list_entry(c, out, &cap, e);
        } else if (name_is(c, "IsTruncated")) {
            char *t = text_of(c);
            out->truncated = t && strcmp(t, "true") == 0;
            free(t);
        } else if (name_is(c, "NextContinuationToken") && !out->next_token) {
            if (!(out->next_token = text_of(c)))
                rc = err_set(e, ERR_NOMEM, "S3 listing: out of memory");
        }
    }
    if (rc == 0 && out->truncated && (!out->next_token || !*out->next_token))
        rc = err_set(e, ERR_FORMAT, "S3 listing: truncated page without a NextContinuationToken");
    xmlFreeDoc(doc);
    return rc;
}

static const xmlNode *find(const xmlNode *n, const char *name, int depth)
{
    for (; n && depth < 16; n = n->next) {
        if (name_is(n, name))
            return n;
        const xmlNode *f = find(n->children, name, depth + 1);
        if (f)
            return f;
    }
    return NULL;
}

int s3_xml_text(const char *xml, size_t len, const char *name, char *buf, size_t bufsize, err *e)
{
    if (bufsize)
        buf[0] = '\0';
    xmlDocPtr doc = parse(xml, len);
    if (!doc)
        return err_set(e, ERR_FORMAT, "S3 answer is not XML (%zu bytes)", len);
    const xmlNode *n = find(xmlDocGetRootElement(doc), name, 0);
    int rc = 0;
    if (!n) {
        rc = err_set(e, ERR_NOTFOUND, "S3 answer has no <%s>", name);
    } else if (bufsize) {
        xmlChar *t = xmlNodeGetContent(n);
        snprintf(buf, bufsize, "%s", t ? (const char *)t : "");
        xmlFree(t);
    }
    xmlFreeDoc(doc);
    return rc;
}

int s3_xml_is_error(const char *xml, size_t len)
{
    xmlDocPtr doc = parse(xml, len);
    if (!doc)
        return 0;
    const xmlNode *root = xmlDocGetRootElement(doc);
    int is = root && name_is(root, "Error");
    xmlFreeDoc(doc);
    return is;
}
