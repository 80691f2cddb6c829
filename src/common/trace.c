/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "common/trace.h"
#include "common/util.h"

void
trace_start (struct fmr_trace *t, bool on)
{
  t->on = on;
  t->t_start = t->t_last = now_usec ();
}

void
trace_step (struct fmr_trace *t, const char *fmt, ...)
{
  if (t == NULL || !t->on)
    return;
  unsigned long long now = now_usec ();
  char step[512];
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (step, sizeof step, fmt, ap);
  va_end (ap);
  fprintf (stderr, "fmr-run: debug: [%d] %s: %llu us (at %llu us)\n", (int) getpid (), step, now - t->t_last,
           now - t->t_start);
  t->t_last = now;
}
