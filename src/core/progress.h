/* progress.h — a one-line progress bar on stderr for long commands:
 *   ingest [=========>          ] 412/1000  23.4 photos/s  ETA 0:25
 * Drawn only when the stream is a terminal (silent otherwise, so logs and pipes
 * stay clean), redrawn at most ten times a second. Messages printed through
 * progress_message appear above the bar. One progress per stream; not
 * thread-safe (the thread that owns the batch draws it). */
#ifndef FACETAG_CORE_PROGRESS_H
#define FACETAG_CORE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct progress progress;

/* label: a short word ("ingest"); unit: what is counted ("photos").
 * enabled < 0: draw when out is a terminal; 0: never; 1: always.
 * Returns NULL only when out of memory (then every call below is a no-op). */
progress *progress_new(FILE *out, const char *label, const char *unit, int64_t total, int enabled);
/* Sets how many are done (and may redraw). */
void progress_set(progress *p, int64_t done);
/* Prints one message line (a trailing '\n' is added if missing) above the bar. */
void progress_message(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Removes the bar from the screen and frees p. */
void progress_end(progress *p);
/* The rate in units per second since progress_new (0 before any time has passed). */
double progress_rate(const progress *p);
/* Formats the bar line for done/total after `elapsed` seconds into buf (for
 * tests; no terminal needed). width is the bar's inner width in characters. */
void progress_format(char *buf, size_t size, const char *label, const char *unit, int64_t done, int64_t total,
                     double elapsed, int width);

#endif
