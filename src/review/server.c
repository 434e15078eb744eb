/* server.c — libmicrohttpd glue for `facetag serve` (server.h): one request's
 * life from the first header to the response — auth before the body is read,
 * the body capped while it arrives, then the router and a handler with a
 * borrowed catalog connection, then the response with its headers.
 *
 * Threads: one libmicrohttpd thread reads and writes every connection; a
 * request whose answer must be computed is suspended there and queued for the
 * worker threads (workq.h), which run handlers in the order requests arrived
 * and resume the connection with the answer. An answer in the response cache
 * is sent at once without a worker. */
#include "review/server.h"

#include "review/auth.h"
#include "review/dbpool.h"
#include "review/http.h"
#include "review/router.h"
#include "review/state.h"
#include "review/workq.h"
#include "store/datadir.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct review_server {
    struct MHD_Daemon *daemon;
    workq *jobs; /* runs the handlers */
    review_state st;
    int port;
    bool loopback_only; /* bound to loopback without a token: Host must be loopback */
};

/* Per connection-request: the body as it arrives, then the request handed to a
 * worker and the answer it leaves. */
typedef struct request_state {
    char *body;
    size_t len, cap;
    size_t dropped; /* bytes over the cap, read and thrown away */
    bool answered;  /* a response is queued already (refused before the body) */
    bool too_big;   /* the body passed REVIEW_MAX_BODY: 413 once it has arrived */
    /* Set before the request goes to a worker; the worker owns them until it
     * sets `ready` and resumes the connection (then it touches nothing more). */
    review_server *server;
    struct MHD_Connection *conn;
    http_request rq;
    http_response resp;
    router_handler fn;
    unsigned flags;
    char *key;  /* the cache key, or NULL when the answer is not cached */
    bool ready; /* resp holds the answer: send it */
} request_state;

/* Memory for cached GET answers (respcache.h). */
#define REVIEW_CACHE_BYTES (64u * 1024 * 1024)

/* A client that goes on sending past this is cut off instead of read to the end. */
#define REVIEW_MAX_DROPPED (64u * 1024 * 1024)

/* Headers on every response; the HTML page also gets a CSP that allows only its
 * own scripts and styles, so a name rendered by mistake as HTML runs nothing. */
static const char csp[] = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                          "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                          "form-action 'self'";

static enum MHD_Result send_response(struct MHD_Connection *conn, http_response *r, bool is_html, bool cached)
{
    struct MHD_Response *mr;
    if (r->fd >= 0) {
        mr = MHD_create_response_from_fd64(r->fd_size, r->fd);
        if (mr)
            r->fd = -1; /* MHD closes it */
    } else if (r->body) {
        mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (mr)
            r->body = NULL; /* MHD frees it */
    } else if (r->shared) {
        mr = MHD_create_response_from_buffer_with_free_callback_cls(r->len, (void *)r->static_body, r->shared_free,
                                                                    r->shared);
        if (mr)
            r->shared = NULL; /* MHD releases it */
    } else {
        mr = MHD_create_response_from_buffer(r->len, (void *)r->static_body, MHD_RESPMEM_PERSISTENT);
    }
    http_response_clear(r);
    if (!mr)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, r->cache_control ? r->cache_control : "no-store");
    if (r->etag[0])
        MHD_add_response_header(mr, MHD_HTTP_HEADER_ETAG, r->etag);
    if (r->content_encoding)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_ENCODING, r->content_encoding);
    if (cached)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (r->content_disposition)
        MHD_add_response_header(mr, "Content-Disposition", r->content_disposition);
    if (r->location[0])
        MHD_add_response_header(mr, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->set_cookie[0])
        MHD_add_response_header(mr, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    if (r->retry_after) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%u", r->retry_after);
        MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(mr, "X-Frame-Options", "DENY");
    if (is_html)
        MHD_add_response_header(mr, "Content-Security-Policy", csp);
    enum MHD_Result ok = MHD_queue_response(conn, r->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *fmt, const char *arg)
{
    http_response r;
    http_response_init(&r);
    http_error(&r, status, fmt, arg);
    return send_response(conn, &r, false, false);
}

/* "W/..." or a list: a match of our exact tag anywhere in If-None-Match. */
static bool etag_matches(struct MHD_Connection *conn, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    return inm && etag[0] && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

/* The token a request carries (header, cookie, or ?token= on the page). */
static const char *request_token(struct MHD_Connection *conn, const char *url, bool *from_query)
{
    *from_query = false;
    const char *t = auth_bearer(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION));
    if (t)
        return t;
    t = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, AUTH_COOKIE);
    if (t)
        return t;
    if (strcmp(url, "/") == 0 && (t = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "token")))
        *from_query = true;
    return t;
}

/* Everything checked before the body is read; MHD_YES with nothing queued when
 * the request may go on. */
static enum MHD_Result admit(review_server *s, struct MHD_Connection *conn, const char *url, const char *method,
                             bool *queued)
{
    *queued = true;
    const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (s->loopback_only && host && !auth_host_is_loopback(host))
        return send_error(conn, 403, "host '%.80s' is not this server's (it answers on loopback only)", host);
    if (s->st.auth.token_set) {
        bool from_query;
        const char *t = request_token(conn, url, &from_query);
        if (!auth_token_matches(&s->st.auth, t))
            return send_error(conn, 401, "%s",
                              t ? "wrong token"
                                : "this server needs a token: Authorization: Bearer T, or open /?token=T");
        if (from_query) { /* the page with ?token=T: keep it in a cookie and drop it from the address */
            http_response r;
            http_response_init(&r);
            http_error(&r, 303, "%s", "see /");
            snprintf(r.location, sizeof r.location, "/");
            snprintf(r.set_cookie, sizeof r.set_cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict", AUTH_COOKIE, t);
            return send_response(conn, &r, false, false);
        }
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
        if (origin && !auth_origin_matches(origin, host))
            return send_error(conn, 403, "a request from origin '%.80s' may not change anything here", origin);
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > REVIEW_MAX_BODY)
        return send_error(conn, 413, "the request body is over %s", "1 MiB");
    *queued = false;
    return MHD_YES;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    FILE *f = cls;
    /* Unit and record separators cannot occur in a decoded argument's meaning. */
    fprintf(f, "\x1f%s\x1e%s", key, value ? value : "");
    return MHD_YES;
}

/* Whether Accept-Encoding allows gzip (and does not refuse it with q=0). */
static bool accepts_gzip(struct MHD_Connection *conn)
{
    const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    const char *g = ae ? strstr(ae, "gzip") : NULL;
    if (!g)
        return false;
    const char *q = g + 4;
    while (*q == ' ')
        q++;
    if (*q != ';')
        return true;
    q = strstr(q, "q=");
    return !(q && strtod(q + 2, NULL) == 0);
}

/* The cache key of a GET: the path and every query argument in order. */
static char *cache_key(struct MHD_Connection *conn, const char *url)
{
    char *key = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&key, &len);
    if (!f)
        return NULL;
    fputs(url, f);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, f);
    if (fclose(f) != 0) {
        free(key);
        return NULL;
    }
    return key;
}

/* Fills resp from a cached answer (gzip when the client takes it and there is one). */
static void respond_cached(struct MHD_Connection *conn, respcache_blob *b, http_response *resp)
{
    http_response_clear(resp);
    resp->status = 200;
    resp->content_type = "application/json";
    size_t gz_len;
    const char *gz = accepts_gzip(conn) ? respcache_blob_gzip(b, &gz_len) : NULL;
    if (gz) {
        resp->static_body = (const unsigned char *)gz;
        resp->len = gz_len;
        resp->content_encoding = "gzip";
    } else {
        resp->static_body = (const unsigned char *)respcache_blob_data(b);
        resp->len = respcache_blob_len(b);
    }
    resp->shared = b;
    resp->shared_free = respcache_blob_release;
}

/* A worker's job: the cache (which may wait for another request computing the
 * same answer), else the handler with a borrowed catalog connection. Ends by
 * handing the connection back to libmicrohttpd's thread, which sends rs->resp. */
static void run_request(void *arg)
{
    request_state *rs = arg;
    review_server *s = rs->server;
    router_handler fn = rs->fn;
    uint64_t version = 0;
    if (rs->key) {
        respcache_blob *b = respcache_get(s->st.cache, rs->key, &version);
        if (b) {
            respond_cached(rs->conn, b, &rs->resp);
            fn = NULL;
        }
    }
    if (fn) {
        if (rs->flags & ROUTE_DB)
            rs->rq.cat = dbpool_acquire(s->st.pool);
        fn(&rs->rq, &rs->resp);
        dbpool_release(s->st.pool, rs->rq.cat);
        rs->rq.cat = NULL;
        if (rs->key && rs->resp.status == 200 && rs->resp.body)
            respcache_put(s->st.cache, rs->key, version, rs->resp.body, rs->resp.len);
        else if (rs->key)
            respcache_abandon(s->st.cache, rs->key);
    }
    free(rs->key);
    rs->key = NULL;
    struct MHD_Connection *conn = rs->conn;
    rs->ready = true;
    MHD_resume_connection(conn); /* from here on rs belongs to libmicrohttpd's thread */
}

/* The answer: 304 when the client has it already, else resp as it is. */
static enum MHD_Result send_answer(struct MHD_Connection *conn, http_response *resp, unsigned flags)
{
    bool is_html = resp->content_type && strncmp(resp->content_type, "text/html", 9) == 0;
    if (resp->status == 200 && etag_matches(conn, resp->etag)) {
        http_response_clear(resp);
        resp->status = 304;
        resp->content_type = NULL;
    }
    return send_response(conn, resp, is_html, (flags & ROUTE_CACHE) != 0);
}

static enum MHD_Result handle(review_server *s, struct MHD_Connection *conn, const char *url, const char *method,
                              request_state *rs)
{
    rs->rq = (http_request){
        .method = method,
        .path = url,
        .body = rs->body ? rs->body : "",
        .body_len = rs->len,
        .actor = s->st.actor,
        .conn = conn,
        .st = &s->st,
    };
    http_response_init(&rs->resp);
    rs->flags = 0;
    rs->fn = router_match(&rs->rq, &rs->resp, &rs->flags);
    if (rs->fn && (rs->flags & ROUTE_CACHE) && strcmp(method, "POST") != 0 && (rs->key = cache_key(conn, url))) {
        /* Without waiting: a hit whose gzip copy is made (or not wanted) goes
         * out from this thread; anything else is a worker's. */
        respcache_blob *b = respcache_peek(s->st.cache, rs->key, accepts_gzip(conn));
        if (b) {
            respond_cached(conn, b, &rs->resp);
            rs->fn = NULL;
            free(rs->key);
            rs->key = NULL;
        }
    }
    if (!rs->fn) {
        rs->answered = true;
        return send_answer(conn, &rs->resp, rs->flags);
    }
    rs->server = s;
    rs->conn = conn;
    MHD_suspend_connection(conn);
    if (!workq_submit(s->jobs, run_request, rs))
        run_request(rs); /* the server is stopping: this thread answers */
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    review_server *s = cls;
    request_state *rs = *con_cls;
    if (!rs) {
        rs = calloc(1, sizeof *rs);
        if (!rs)
            return MHD_NO;
        rs->resp.fd = -1; /* holds nothing (no file either) until handle() sets it up */
        *con_cls = rs;
        bool queued;
        enum MHD_Result r = admit(s, conn, url, method, &queued);
        rs->answered = queued; /* then whatever body follows is dropped */
        return r;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (rs->answered)
            return MHD_YES;
        if (rs->too_big || rs->len + n > REVIEW_MAX_BODY) {
            /* A body without Content-Length (chunked) that grew too big: MHD takes a
             * response only once the upload is complete, so read on and drop it. */
            rs->too_big = true;
            free(rs->body);
            rs->body = NULL;
            rs->len = rs->cap = 0;
            rs->dropped += n;
            return rs->dropped > REVIEW_MAX_DROPPED ? MHD_NO : MHD_YES;
        }
        if (rs->len + n + 1 > rs->cap) {
            size_t cap = rs->cap ? rs->cap : 4096;
            while (cap < rs->len + n + 1)
                cap *= 2;
            char *b = realloc(rs->body, cap);
            if (!b)
                return MHD_NO;
            rs->body = b;
            rs->cap = cap;
        }
        memcpy(rs->body + rs->len, upload_data, n);
        rs->len += n;
        rs->body[rs->len] = '\0';
        return MHD_YES;
    }
    if (rs->answered)
        return MHD_YES;
    if (rs->ready) { /* back from a worker */
        rs->answered = true;
        return send_answer(conn, &rs->resp, rs->flags);
    }
    if (rs->too_big) {
        rs->answered = true;
        return send_error(conn, 413, "the request body is over %s", "1 MiB");
    }
    return handle(s, conn, url, method, rs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn, (void)toe;
    request_state *rs = *con_cls;
    if (rs) {
        http_response_clear(&rs->resp);
        free(rs->key);
        free(rs->body);
        free(rs);
        *con_cls = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("facetag serve: ", stderr);
    vfprintf(stderr, fmt, ap);
}

static void state_close(review_state *st)
{
    reanalyse_stop(st->reanalyse);
    draw_engine_free(st->draw);
    respcache_close(st->cache);
    dbpool_close(st->pool);
    objstore_close(st->objects);
}

int review_default_threads(int cores)
{
    return cores * 2 < 4 ? 4 : cores * 2;
}

review_server *review_server_start(const review_options *opt, err *e)
{
    const char *bind = opt->bind && *opt->bind ? opt->bind : REVIEW_DEFAULT_BIND;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    bool loopback;
    if (auth_parse_bind(bind, opt->port, &addr, &addrlen, &loopback, e) != 0)
        return NULL;
    review_server *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(e, ERR_NOMEM, "out of memory starting the server");
        return NULL;
    }
    if (auth_policy_init(&s->st.auth, opt->token, loopback, bind, e) != 0) {
        free(s);
        return NULL;
    }
    s->loopback_only = !s->st.auth.token_set;
    s->st.actor = s->st.auth.token_set ? "token" : "local";
    s->st.models_dir = opt->models_dir;
    int threads = opt->threads > 0 ? opt->threads : 1;

    catalog *probe = NULL;
    if (datadir_open(opt->data_dir, 0, &s->st.objects, &probe, e) != 0) {
        free(s);
        return NULL;
    }
    char dbpath[4096];
    int rc = datadir_path(opt->data_dir, DATADIR_CATALOG, dbpath, sizeof dbpath, e);
    catalog_close(probe);
    if (rc == 0)
        s->st.pool =
            dbpool_open(dbpath, threads, opt->busy_timeout_ms > 0 ? opt->busy_timeout_ms : REVIEW_BUSY_TIMEOUT_MS, e);
    if (s->st.pool)
        s->st.cache = respcache_open(dbpath, REVIEW_CACHE_BYTES, e);
    if (s->st.cache && !(s->st.draw = draw_engine_new(opt->models_dir)))
        err_set(e, ERR_NOMEM, "out of memory starting the server");
    if (s->st.draw && opt->exe) {
        catalog *c = dbpool_acquire(s->st.pool);
        reanalyse_options ro = { .exe = opt->exe, .data_dir = opt->data_dir, .models_dir = opt->models_dir };
        s->st.reanalyse = reanalyse_start(&ro, c, e);
        dbpool_release(s->st.pool, c);
    }
    if (!s->st.pool || !s->st.cache || !s->st.draw || (opt->exe && !s->st.reanalyse) ||
        !(s->jobs = workq_start(threads, e))) {
        state_close(&s->st);
        free(s);
        return NULL;
    }

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon =
        MHD_start_daemon(flags, (uint16_t)opt->port, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log,
                         s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
                         s, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT, 1000u,
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    if (!s->daemon) {
        err_set(e, ERR_IO, "cannot listen on %s port %d (is the port in use?)", bind, opt->port);
        workq_stop(s->jobs);
        state_close(&s->st);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    s->port = opt->port;
    if (info && getsockname(info->listen_fd, (struct sockaddr *)&bound, &blen) == 0)
        s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                    : ((struct sockaddr_in *)&bound)->sin_port);
    return s;
}

int review_server_port(const review_server *s)
{
    return s->port;
}

void review_server_stop(review_server *s)
{
    if (!s)
        return;
    /* The workers finish what is queued and resume those connections (the
     * daemon may not stop with one suspended); requests after this are answered
     * by libmicrohttpd's thread itself. */
    workq_stop(s->jobs);
    MHD_stop_daemon(s->daemon);
    state_close(&s->st);
    free(s);
}
