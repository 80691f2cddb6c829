/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_RELAY_STREAM_H
#define FMR_RELAY_STREAM_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "sandbox/escape_filter.h"

/* One direction of a relay (the stdio relay's three, the terminal's two):
 * bytes from one descriptor to another through a buffer, driven by the
 * parent's poll loop and never blocking it, so that --timeout fires
 * whatever the payload writes or the caller fails to read.
 *
 * Our own ends (the sandbox's pipes, the pty master) are non-blocking.
 * The caller's descriptors are not ours to make non-blocking (the flag
 * belongs to the open file, shared with the caller's shell), so a read or
 * write on one that may wait (a terminal, a socket) is only tried after
 * poll said it was ready, and under an interval timer (SIGALRM every
 * RELAY_TICK_US) that cuts it short if the terminal takes less than was
 * offered.  A regular file never waits for a reader: it is written as it
 * is, with splice(2) from the pipe when no filter stands between. */

#define RELAY_BUF (64 * 1024)
#define RELAY_TICK_US 10000

struct relay_stream
{
  int from, to;
  bool from_waits, to_waits; /* the caller's, blocking, not a regular file */
  bool to_file;              /* a regular file: splice when unfiltered */
  bool filter;               /* escape filter on (to a terminal) */
  bool watch_to;             /* poll `to` with nothing to write (POLLERR) */
  bool closing;              /* the writers are gone: EAGAIN is the end */
  bool eof;                  /* nothing more from `from` */
  bool broken;               /* `to` refused data: what is left is dropped */
  size_t off, len;           /* buf[off..len) is still to be written */
  struct escape_filter ef;
  char buf[RELAY_BUF];
};

/* Fds stay the caller's to close; filter: pass the bytes through the
 * escape filter (escape_filter.h). */
void relay_stream_init (struct relay_stream *s, int from, int to, bool filter);
/* Add what to poll to p (room for 2); returns how many. */
int relay_stream_fds (const struct relay_stream *s, struct pollfd *p);
/* Act on what poll reported in the entries relay_stream_fds added. */
void relay_stream_pump (struct relay_stream *s, const struct pollfd *p, int n);
/* Take nothing more from `from`; what is buffered still goes out. */
void relay_stream_stop_input (struct relay_stream *s);
/* The writers of `from` are gone (the sandbox ended): read what is left
 * without waiting; called once per pass of the final drain, before
 * relay_stream_fds. */
void relay_stream_drain (struct relay_stream *s);
/* Everything read was written out, or `to` refused it. */
bool relay_stream_done (const struct relay_stream *s);
/* Bytes read but not written (dropped when the relay gives up). */
size_t relay_stream_pending (const struct relay_stream *s);

/* The SIGALRM handler that lets the timer cut a read or write short: set
 * while a relay runs, the old one restored after. */
void relay_clock_install (struct sigaction *old);
void relay_clock_restore (const struct sigaction *old);

#endif
