/* api_export.c — GET /api/export.csv: every face of every photo's current
 * analysis with its person and review status; GET /api/export.json: the whole
 * catalog as export/export_json.h builds it (as `facetag export json`). */
#include "export/export_json.h"
#include "review/api.h"

#include "media/frame_name.h"
#include "review/views.h"
#include "store/catalog_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends one CSV field (RFC 4180): quoted when it holds a comma, quote, CR or
 * LF, quotes doubled. A text field starting with = + - @ or a tab would be read
 * as a formula by spreadsheets: it gets a leading apostrophe (OWASP's advice). */
static void csv_field(FILE *f, const char *s, bool text)
{
    if (!s)
        return;
    bool formula = text && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r');
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void api_export_csv(http_request *rq, http_response *resp)
{
    err e = { 0 };
    int one = view_one_version(rq->cat, &e);
    if (one < 0) {
        http_error_from(resp, &e);
        return;
    }
#define EXPORT_CSV(WHERE)                                                                                              \
    "SELECT f.photo_id, (SELECT s.path FROM photo_sources s WHERE s.photo_id = f.photo_id "                            \
    "ORDER BY s.id LIMIT 1), f.face_no, f.box_x, f.box_y, f.box_w, f.box_h, f.person_id, "                             \
    "p.name, f.status, fr.kind, fr.frame_no, fr.time_ms, fr.parent_id, "                                               \
    "CASE WHEN fr.parent_id IS NULL THEN NULL ELSE (SELECT s.path FROM photo_sources s "                               \
    "WHERE s.photo_id = fr.parent_id ORDER BY s.id LIMIT 1) END "                                                      \
    "FROM faces f LEFT JOIN persons p ON p.id = f.person_id LEFT JOIN photo_frames fr ON fr.photo_id = f.photo_id "    \
    "WHERE " WHERE " ORDER BY f.photo_id, f.face_no"
    catalog_cursor *st =
        catalog_query(rq->cat, one ? EXPORT_CSV("1") : EXPORT_CSV(CATALOG_CURRENT_FACE("f")), "export", &e);
    if (!st) {
        http_error_from(resp, &e);
        return;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        catalog_cursor_close(st);
        http_error(resp, 500, "out of memory");
        return;
    }
    /* CRLF line ends, as RFC 4180 says. */
    fputs("photo_id,file,face_no,x,y,w,h,person_id,name,status\r\n", f);
    int step;
    while ((step = catalog_cursor_next(st, &e)) == 1) {
        csv_field(f, catalog_cursor_text(st, 0), false);
        fputc(',', f);
        if (catalog_cursor_is_null(st, 10)) {
            csv_field(f, catalog_cursor_text(st, 1), true);
        } else { /* a frame: the file it came from, and where in it */
            char name[4200];
            const char *parent = catalog_cursor_text(st, 14);
            frame_name_format(catalog_cursor_text(st, 10), catalog_cursor_int(st, 11),
                              catalog_cursor_is_null(st, 12) ? -1 : catalog_cursor_i64(st, 12),
                              parent ? parent : catalog_cursor_text(st, 13), name, sizeof name);
            csv_field(f, name, true);
        }
        fprintf(f, ",%d,%.2f,%.2f,%.2f,%.2f,", catalog_cursor_int(st, 2), catalog_cursor_double(st, 3),
                catalog_cursor_double(st, 4), catalog_cursor_double(st, 5), catalog_cursor_double(st, 6));
        if (!catalog_cursor_is_null(st, 7))
            fprintf(f, "%lld", (long long)catalog_cursor_i64(st, 7));
        fputc(',', f);
        csv_field(f, catalog_cursor_text(st, 8), true);
        fputc(',', f);
        csv_field(f, catalog_cursor_text(st, 9), false);
        fputs("\r\n", f);
    }
    bool ok = step == 0;
    if (!ok)
        http_error_from(resp, &e);
    catalog_cursor_close(st);
    if (fclose(f) != 0 || !ok) {
        free(buf);
        if (ok)
            http_error(resp, 500, "out of memory");
        return;
    }
    http_body(resp, 200, "text/csv; charset=utf-8; header=present", buf, len);
    resp->content_disposition = "attachment; filename=\"facetag-faces.csv\"";
}

void api_export_json(http_request *rq, http_response *resp)
{
    err e = { 0 };
    json_t *doc = NULL;
    if (export_json_build(rq->cat, &doc, &e) != 0) {
        http_error_from(resp, &e);
        return;
    }
    http_json(resp, 200, doc);
    resp->content_disposition = "attachment; filename=\"facetag-export.json\"";
}
