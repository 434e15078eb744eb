/* clock.h — the one monotonic clock of facetag: seconds (or milliseconds) since
 * an arbitrary fixed point, never going back when the wall clock is set. For
 * durations, rates and timeouts; not for dates. */
#ifndef FACETAG_CORE_CLOCK_H
#define FACETAG_CORE_CLOCK_H

/* CLOCK_MONOTONIC in seconds. */
double clock_now_s(void);
/* The same in milliseconds. */
double clock_now_ms(void);

#endif
