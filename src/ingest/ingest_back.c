/* ingest_back.c — backs of prints (ingest_back.h). */
#include "ingest/ingest_back.h"
#include "media/backname.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void ingest_back_detect(const char *path, const char *sidecar_json, const char *words, ingest_back *b)
{
    memset(b, 0, sizeof *b);
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    int dirlen = slash ? (int)(slash - path) : 0;
    if (sidecar_json) {
        json_t *root = json_loads(sidecar_json, 0, NULL);
        const char *of = json_string_value(json_object_get(json_object_get(root, "json"), "back_of"));
        if (of && *of && !strchr(of, '/') && strcmp(of, ".") && strcmp(of, "..")) {
            int n = slash ? snprintf(b->front_path, sizeof b->front_path, "%.*s/%s", dirlen, path, of)
                          : snprintf(b->front_path, sizeof b->front_path, "%s", of);
            if (n > 0 && (size_t)n < sizeof b->front_path) {
                b->is_back = 1;
                snprintf(b->paired_by, sizeof b->paired_by, "sidecar");
            }
        }
        json_decref(root);
        if (b->is_back)
            return;
    }
    size_t front = 0;
    if (backname_match(name, words, &front)) {
        int n = slash ? snprintf(b->front_path, sizeof b->front_path, "%.*s/%.*s", dirlen, path, (int)front, name)
                      : snprintf(b->front_path, sizeof b->front_path, "%.*s", (int)front, name);
        if (n > 0 && (size_t)n < sizeof b->front_path) {
            b->is_back = 1;
            snprintf(b->paired_by, sizeof b->paired_by, "name");
        }
    }
}
