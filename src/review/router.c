/* router.c — the route table of docs/api.md and its matcher (router.h). */
#include "review/router.h"

#include "review/api.h"

#include <stdlib.h>
#include <string.h>

typedef struct route {
    const char *method;
    const char *pattern; /* literal segments, {photo_id}, {id}, {face_no}; a trailing star matches any path below */
    router_handler fn;
    unsigned flags; /* ROUTE_* */
} route;

#define DB ROUTE_DB
#define CACHED (ROUTE_DB | ROUTE_CACHE)

static const route routes[] = {
    { "GET", "/", api_assets_index, 0 },
    { "GET", "/ui/*", api_assets_ui, 0 },
    { "GET", "/healthz", api_status_healthz, DB },
    { "GET", "/api/decisions", api_status_decisions, DB },
    { "GET", "/image/{photo_id}", api_media_image, DB },
    { "GET", "/face_crop/{photo_id}/{face_no}", api_media_face_crop, 0 },
    { "GET", "/pending", api_photos_pending, CACHED },
    { "POST", "/annotate", api_faces_annotate, DB },
    { "GET", "/api/photos", api_photos_list, CACHED },
    { "GET", "/api/photos/{photo_id}", api_photos_get, CACHED },
    { "POST", "/api/photos/{photo_id}/faces", api_faces_draw, DB },
    { "POST", "/api/photos/{photo_id}/flip", api_photos_flip, DB },
    { "GET", "/api/photos/{photo_id}/reanalysis", api_photos_reanalysis, DB },
    { "GET", "/api/persons", api_persons_list, CACHED },
    { "GET", "/api/persons/{id}", api_persons_get, CACHED },
    { "POST", "/api/persons/{id}/rename", api_persons_rename, DB },
    { "POST", "/api/persons/{id}/merge", api_persons_merge, DB },
    { "POST", "/api/persons/{id}/hide", api_persons_hide, DB },
    { "POST", "/api/persons/{id}/faces", api_persons_add_faces, DB },
    { "POST", "/api/split", api_persons_split, DB },
    { "POST", "/api/faces/{id}/reject", api_faces_reject, DB },
    { "POST", "/api/faces/{id}/confirm", api_faces_confirm, DB },
    { "GET", "/api/search", api_search, DB },
    { "GET", "/api/checks", api_checks_list, CACHED },
    { "GET", "/api/suggestions", api_suggestions_list, CACHED },
    { "POST", "/api/suggestions", api_suggestions_decide, DB },
    { "GET", "/api/export.csv", api_export_csv, DB },
    { "GET", "/api/export.json", api_export_json, DB },
    { "GET", "/api/timeline", api_graph_timeline, CACHED },
    { "GET", "/api/timeline/years", api_graph_timeline_years, CACHED },
    { "GET", "/api/graph", api_graph_neighbourhood, CACHED },
    { "GET", "/api/events", api_graph_events, CACHED },
    { "GET", "/api/events/{id}", api_graph_event, CACHED },
    { "GET", "/api/places", api_graph_places, CACHED },
    { "GET", "/api/places/{id}", api_graph_place, CACHED },
    { "GET", "/api/coappearance", api_graph_coappearance, CACHED },
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* One path segment [s, s+n) against one pattern segment; writes the parameter. */
typedef enum seg_match { SEG_NO, SEG_YES, SEG_BAD_PARAM } seg_match;

static seg_match match_segment(const char *pat, size_t pn, const char *s, size_t n, http_request *rq, const char **bad)
{
    if (pn >= 2 && pat[0] == '{') {
        if (strncmp(pat, "{photo_id}", pn) == 0) {
            *bad = "photo_id must be 16 lowercase hex digits";
            if (n != PHOTO_ID_LEN)
                return SEG_BAD_PARAM;
            for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                    return SEG_BAD_PARAM;
            memcpy(rq->photo_id, s, n);
            rq->photo_id[n] = '\0';
            return SEG_YES;
        }
        bool is_id = strncmp(pat, "{id}", pn) == 0;
        *bad = is_id ? "an id must be a positive integer" : "face_no must be a whole number";
        /* No sign, no leading zeros, at most 15 digits (ids stay exact in JavaScript). */
        if (n == 0 || n > 15 || (n > 1 && s[0] == '0'))
            return SEG_BAD_PARAM;
        int64_t v = 0;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return SEG_BAD_PARAM;
            v = v * 10 + (s[i] - '0');
        }
        if (is_id) {
            if (v == 0)
                return SEG_BAD_PARAM;
            rq->id = v;
        } else {
            if (v > 1000000)
                return SEG_BAD_PARAM;
            rq->face_no = (int)v;
        }
        return SEG_YES;
    }
    return pn == n && memcmp(pat, s, n) == 0 ? SEG_YES : SEG_NO;
}

static seg_match match_path(const char *pattern, const char *path, http_request *rq, const char **bad)
{
    size_t plen = strlen(pattern);
    if (plen >= 2 && strcmp(pattern + plen - 2, "/*") == 0) /* prefix route */
        return strncmp(path, pattern, plen - 1) == 0 && path[plen - 1] ? SEG_YES : SEG_NO;
    seg_match result = SEG_YES;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return SEG_NO;
        p++, s++;
        size_t pn = strcspn(p, "/"), n = strcspn(s, "/");
        seg_match m = match_segment(p, pn, s, n, rq, bad);
        if (m == SEG_NO)
            return SEG_NO;
        if (m == SEG_BAD_PARAM)
            result = SEG_BAD_PARAM; /* keep going: the rest must match for this to be the route */
        p += pn, s += n;
    }
    return *p || *s ? SEG_NO : result;
}

router_handler router_match(http_request *rq, http_response *resp, unsigned *flags)
{
    const char *method = strcmp(rq->method, "HEAD") == 0 ? "GET" : rq->method;
    bool other_method = false;
    const char *bad = NULL;
    for (size_t i = 0; i < N_ROUTES; i++) {
        seg_match m = match_path(routes[i].pattern, rq->path, rq, &bad);
        if (m == SEG_NO)
            continue;
        if (m == SEG_BAD_PARAM) {
            http_error(resp, 400, "%s: %s", rq->path, bad);
            return NULL;
        }
        if (strcmp(routes[i].method, method) != 0) {
            other_method = true;
            continue;
        }
        *flags = routes[i].flags;
        return routes[i].fn;
    }
    if (other_method)
        http_error(resp, 405, "%s does not take %s", rq->path, rq->method);
    else
        http_error(resp, 404, "no such path: %s", rq->path);
    return NULL;
}
