/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_STDIO_RELAY_H
#define FMR_STDIO_RELAY_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "sandbox/relay_stream.h"

/* Without process.terminal, fds 0, 1, 2 reach the payload as they are only
 * when they are pipes or /dev/null: neither gives its holder more than the
 * descriptor itself.  Anything else becomes a pipe in the sandbox, which
 * the outer fmr-run relays:
 * - a terminal: any descriptor of a tty lets its holder change the
 *   terminal's modes (tcsetattr, TIOCSETD), setsid or not, and what the
 *   payload writes to it is filtered (escape_filter.h) unless --raw-output;
 * - a regular file: through /proc/self/fd/N the payload could open it
 *   again, with a file offset of its own and the access its mode allows:
 *   read the earlier lines of the log it writes to, truncate it, or
 *   rewrite the caller's stdin file;
 * - a socket, or any other device: a new open of the same object, or
 *   operations (ioctl, shutdown, getpeername) the pipe does not offer.
 * A closed fd stays closed.  The relay never changes the caller's terminal
 * modes nor the flags of the caller's descriptors. */

#define STDIO_RELAY_FDS 6 /* what stdio_relay_fds adds at most */

struct stdio_relay
{
  int child[3];     /* the sandbox's ends, for fds 0, 1, 2; -1: handed on as is */
  int ours[3];      /* the other ends: [0] writes the payload's stdin, [1], [2]
                  * read its stdout and stderr (non-blocking); -1: none */
  bool relayed[3];  /* fd N is a pipe of ours in the sandbox */
  bool filter[3];   /* output N goes through the escape filter */
  bool signals_set; /* SIGPIPE, SIGTTIN, SIGTTOU are ignored, old[] saved */
  struct sigaction old[3];
  struct relay_stream *stream[3]; /* in the parent, once the sandbox runs */
  int nfds[3];                    /* poll entries of each, last pass */
};

/* Before the clone, only without process.terminal: a pipe for each std fd
 * that is neither a pipe nor /dev/null.  A stdout and stderr on the same
 * terminal, file or socket share one pipe, which keeps the order of their
 * lines as the caller would have seen it.  raw_output: no escape filter. */
int stdio_relay_open (struct stdio_relay *r, bool raw_output, fmr_error_t *err);
/* An inactive relay (process.terminal, or before stdio_relay_open). */
void stdio_relay_init (struct stdio_relay *r);
/* In the child, first thing after the clone: the pipes become its fds 0,
 * 1, 2 and every other end of them is closed. */
int stdio_relay_child (struct stdio_relay *r, fmr_error_t *err);
/* In PID 1 once the payload runs: let go of the payload's stdin, so that
 * the relay learns when the payload closes it. */
void stdio_relay_release_stdin (const struct stdio_relay *r);
/* In the parent after the clone (failed or not): close the sandbox's ends;
 * ignore SIGPIPE (a payload that closed its stdin), SIGTTIN and SIGTTOU (a
 * background job reads EIO instead of being stopped). */
void stdio_relay_parent (struct stdio_relay *r);
/* Add the relay's descriptors to fds (room for STDIO_RELAY_FDS). */
int stdio_relay_fds (struct stdio_relay *r, struct pollfd *fds);
/* Move what poll reported, never blocking. */
void stdio_relay_pump (struct stdio_relay *r, const struct pollfd *fds, int n);
/* The sandbox has ended: stop the payload's stdin, read what is left in
 * the output pipes without waiting; once per pass of the final drain. */
void stdio_relay_drain (struct stdio_relay *r);
/* Output read but not yet delivered. */
size_t stdio_relay_pending (const struct stdio_relay *r);
/* Close everything (what was not delivered is dropped), restore the
 * three signals. */
void stdio_relay_finish (struct stdio_relay *r);

#endif
