/* frame_name.c — frame_name.h. */
#include "media/frame_name.h"

#include "media/video.h"

#include <stdio.h>
#include <string.h>

void frame_name_format(const char *kind, int frame_no, int64_t time_ms, const char *parent, char *buf, size_t size)
{
    if (strcmp(kind, "video") == 0 && time_ms >= 0) {
        char t[32];
        video_format_time(time_ms, t, sizeof t);
        snprintf(buf, size, "%s @ %s", parent, t);
    } else {
        snprintf(buf, size, "%s, frame %d", parent, frame_no);
    }
}
