/* frame_name.h — what a frame of a contact sheet or video is called where it
 * is listed (the review UI's lists and heading, export.csv, the graph view): a
 * frame has no file of its own, so it is named after the one it came from. */
#ifndef FACETAG_MEDIA_FRAME_NAME_H
#define FACETAG_MEDIA_FRAME_NAME_H

#include <stddef.h>
#include <stdint.h>

/* "PARENT, frame N" (a contact sheet's frame N, or a video frame without a
 * time), "PARENT @ MM:SS" (a video frame at time_ms >= 0; H:MM:SS from an hour
 * on, video_format_time). PARENT is what the caller names the parent by (its
 * file or base name, or its id). Written into buf, cut to size - 1 bytes. */
void frame_name_format(const char *kind, int frame_no, int64_t time_ms, const char *parent, char *buf, size_t size);

#endif
