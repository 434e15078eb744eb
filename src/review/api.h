/* api.h — the request handlers behind the routes of docs/api.md, one file per
 * concept. Each fills resp from rq (path parameters already checked, rq->cat
 * set when the route needs the catalog). */
#ifndef FACETAG_REVIEW_API_H
#define FACETAG_REVIEW_API_H

#include "review/http.h"

typedef void (*api_handler)(http_request *rq, http_response *resp);

/* api_assets.c: the embedded UI */
void api_assets_index(http_request *rq, http_response *resp);
void api_assets_ui(http_request *rq, http_response *resp);

/* api_media.c: image bytes */
void api_media_image(http_request *rq, http_response *resp);
void api_media_face_crop(http_request *rq, http_response *resp);

/* api_photos.c */
void api_photos_pending(http_request *rq, http_response *resp);
void api_photos_list(http_request *rq, http_response *resp);
void api_photos_get(http_request *rq, http_response *resp);

/* api_faces.c: decisions about one face, and boxes drawn by hand */
void api_faces_annotate(http_request *rq, http_response *resp);
void api_faces_reject(http_request *rq, http_response *resp);
void api_faces_confirm(http_request *rq, http_response *resp);
void api_faces_draw(http_request *rq, http_response *resp);
void api_photos_flip(http_request *rq, http_response *resp);
void api_photos_reanalysis(http_request *rq, http_response *resp);

/* api_persons.c */
void api_persons_list(http_request *rq, http_response *resp);
void api_persons_get(http_request *rq, http_response *resp);
void api_persons_rename(http_request *rq, http_response *resp);
void api_persons_merge(http_request *rq, http_response *resp);
void api_persons_hide(http_request *rq, http_response *resp);
void api_persons_add_faces(http_request *rq, http_response *resp);
void api_persons_split(http_request *rq, http_response *resp);

/* api_search.c */
void api_search(http_request *rq, http_response *resp);

/* api_status.c: health and the decision log */
void api_status_healthz(http_request *rq, http_response *resp);
void api_status_decisions(http_request *rq, http_response *resp);

/* api_checks.c: the consistency checks (annotate/checks.h) */
void api_checks_list(http_request *rq, http_response *resp);

/* api_suggestions.c: annotate's name suggestions, accepted or rejected */
void api_suggestions_list(http_request *rq, http_response *resp);
void api_suggestions_decide(http_request *rq, http_response *resp);

/* api_export.c */
void api_export_csv(http_request *rq, http_response *resp);
void api_export_json(http_request *rq, http_response *resp);

/* api_graph.c: the graph, the timeline, events, places, co-appearance */
void api_graph_timeline(http_request *rq, http_response *resp);
void api_graph_timeline_years(http_request *rq, http_response *resp);
void api_graph_neighbourhood(http_request *rq, http_response *resp);
void api_graph_events(http_request *rq, http_response *resp);
void api_graph_event(http_request *rq, http_response *resp);
void api_graph_places(http_request *rq, http_response *resp);
void api_graph_place(http_request *rq, http_response *resp);
void api_graph_coappearance(http_request *rq, http_response *resp);

#endif
