/* api_photos.c — GET /pending, GET /api/photos, GET /api/photos/{photo_id},
 * POST /api/photos/{photo_id}/flip. */
#include "analyze/analyze_flip.h"
#include "review/api.h"
#include "review/state.h"
#include "review/views.h"
#include "store/catalog_ocr.h"

typedef int (*page_view)(catalog *c, long limit, long offset, json_t **out, err *e);

/* A paged list: ?limit (1..1000, default 100) and ?offset, answered by `view`. */
static void reply_page(http_request *rq, http_response *resp, page_view view)
{
    long limit, offset;
    if (!http_query_int(rq, resp, "limit", 100, 1, 1000, &limit) ||
        !http_query_int(rq, resp, "offset", 0, 0, 1000000000, &offset))
        return;
    json_t *out;
    err e = { 0 };
    if (view(rq->cat, limit, offset, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

void api_photos_pending(http_request *rq, http_response *resp)
{
    reply_page(rq, resp, view_pending);
}

void api_photos_list(http_request *rq, http_response *resp)
{
    reply_page(rq, resp, view_photo_list);
}

void api_photos_get(http_request *rq, http_response *resp)
{
    json_t *out;
    err e = { 0 };
    if (view_photo(rq->cat, rq->photo_id, true, &out, &e) != 0)
        http_error_from(resp, &e);
    else
        http_json(resp, 200, out);
}

/* 1 when photo_id was flipped and its faces or text not read again since. */
static int flip_pending_one(const char *photo_id, void *ud)
{
    (void)photo_id;
    *(int *)ud = 1;
    return 0;
}

static int flip_pending(catalog *c, const char *photo_id, err *e)
{
    int pending = 0;
    int rc = catalog_flips_pending(c, photo_id, flip_pending_one, &pending, e);
    return rc ? rc : pending;
}

/* A print scanned mirror-wise, flipped back (analyze/analyze_flip.h): the
 * photo as it is now, and its re-analysis queued (review/reanalyse.h):
 * "reanalysis" says "queued" or "running" (GET .../reanalysis follows it),
 * "done" when nothing is left, or "pending" when this server runs none. */
void api_photos_flip(http_request *rq, http_response *resp)
{
    err e = { 0 };
    int rc = analyze_flip(rq->st->objects, rq->cat, rq->photo_id, rq->actor, &e);
    int pending = rc < 0 ? rc : flip_pending(rq->cat, rq->photo_id, &e);
    if (pending == 1 && rq->st->reanalyse)
        pending = reanalyse_queue(rq->st->reanalyse, rq->photo_id, &e) ? -1 : 1;
    json_t *out = NULL;
    if (rc < 0 || pending < 0 || view_photo(rq->cat, rq->photo_id, false, &out, &e) != 0) {
        http_error_from(resp, &e);
        return;
    }
    json_object_set_new(out, "flipped_now", json_boolean(rc == 1));
    const char *state = "done";
    if (pending && rq->st->reanalyse)
        state = reanalyse_state_name(reanalyse_get(rq->st->reanalyse, rq->photo_id, NULL, 0));
    else if (pending)
        state = "pending: `facetag flip ID` or the next `facetag analyze` and `facetag ocr` read the flipped image";
    json_object_set_new(out, "reanalysis", json_string(state));
    http_json(resp, 200, out);
}

/* Where the re-analysis of a flipped photo stands: {"photo_id", "flipped",
 * "pending" (the catalog: faces or text not read again yet), "state"
 * ("none" when never flipped, "queued", "running", "done", "failed",
 * "pending" when this server does not run it), "error" when failed}. Not
 * cached: the state of the queue is not in the catalog. */
void api_photos_reanalysis(http_request *rq, http_response *resp)
{
    err e = { 0 };
    int flipped = catalog_photo_flipped(rq->cat, rq->photo_id, &e);
    int pending = flipped < 0 ? flipped : flip_pending(rq->cat, rq->photo_id, &e);
    int exists = pending < 0 ? pending : catalog_photo_get(rq->cat, rq->photo_id, NULL, &e);
    if (exists == 0)
        err_set(&e, ERR_NOTFOUND, "photo %s does not exist", rq->photo_id);
    if (exists <= 0) {
        http_error_from(resp, &e);
        return;
    }
    char why[256] = "";
    reanalyse_state s =
        rq->st->reanalyse ? reanalyse_get(rq->st->reanalyse, rq->photo_id, why, sizeof why) : REANALYSE_NONE;
    const char *state = s != REANALYSE_NONE ? reanalyse_state_name(s) : pending ? "pending" : flipped ? "done" : "none";
    json_t *out = json_pack("{s:s, s:b, s:b, s:s}", "photo_id", rq->photo_id, "flipped", flipped == 1, "pending",
                            pending == 1, "state", state);
    if (out && why[0])
        json_object_set_new(out, "error", json_string(why));
    if (!out)
        http_error(resp, 500, "out of memory");
    else
        http_json(resp, 200, out);
}
