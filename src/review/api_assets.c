/* api_assets.c — the embedded web UI (assets.h): GET / and GET /ui/... */
#include "review/api.h"
#include "review/assets.h"

#include <stdio.h>
#include <string.h>

/* FNV-1a of the bytes: a stable ETag per build of the asset. */
static void asset_etag(const review_asset *a, char *buf, size_t size)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < a->size; i++)
        h = (h ^ a->data[i]) * 1099511628211ull;
    snprintf(buf, size, "\"%016llx\"", (unsigned long long)h);
}

static void serve_asset(http_request *rq, http_response *resp, const char *path)
{
    const review_asset *a = assets_find(path);
    if (!a) {
        http_error(resp, 404, "no such file: %s", rq->path);
        return;
    }
    http_response_clear(resp);
    resp->status = 200;
    resp->content_type = a->content_type;
    resp->static_body = a->data;
    resp->len = a->size;
    resp->cache_control = "no-cache"; /* revalidate: a new binary may bring a new UI */
    asset_etag(a, resp->etag, sizeof resp->etag);
}

void api_assets_index(http_request *rq, http_response *resp)
{
    serve_asset(rq, resp, "index.html");
}

void api_assets_ui(http_request *rq, http_response *resp)
{
    serve_asset(rq, resp, rq->path + 1); /* "/ui/app.js" → "ui/app.js" */
}
