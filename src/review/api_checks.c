/* api_checks.c — GET /api/checks: the consistency checks of annotate/checks.h
 * (wrong merges, one person twice in a photo, ages against dates, one name on
 * two persons) with the action that resolves each, and the estimated birth
 * years; the same JSON as `facetag check --json`. Reads only. */
#include "annotate/checks.h"
#include "review/api.h"

void api_checks_list(http_request *rq, http_response *resp)
{
    check_report r;
    err e = { 0 };
    if (checks_run(rq->cat, NULL, &r, &e) != 0) {
        http_error_from(resp, &e);
        return;
    }
    json_t *j = checks_report_json(&r);
    checks_report_free(&r);
    if (!j) {
        http_error(resp, 500, "out of memory listing the checks");
        return;
    }
    http_json(resp, 200, j);
}
