/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_TRACE_H
#define FMR_TRACE_H

#include <stdbool.h>

/* --debug: each step of building a sandbox with the microseconds since the
 * previous step and since the start.  Kept apart from the sandbox so that
 * every layer (root file system, id maps, PID 1) can report its steps
 * without depending on the code that drives it. */
struct fmr_trace
{
  bool on;
  unsigned long long t_start, t_last;
};

/* Start the clock; steps are printed only when ON. */
void trace_start (struct fmr_trace *t, bool on);

/* "fmr-run: debug: [pid] <step>: N us (at M us)"; a no-op when T is NULL
 * or off. */
void trace_step (struct fmr_trace *t, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

#endif
