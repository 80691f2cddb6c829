/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONSOLE_H
#define FMR_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <termios.h>

#include "sandbox/relay_stream.h"
#include "sandbox/sandbox.h"

/* process.terminal: the payload gets a pseudo-terminal of the sandbox's own
 * devpts as its controlling terminal and standard streams; the master end
 * travels to the outer fmr-run, which relays it to the caller's terminal in
 * raw mode and keeps the window size in step.  What the payload writes
 * goes through the escape filter when stdout is a terminal (escape_filter.h)
 * unless --raw-output. */

/* In the payload, after pivot_root: open the pty, make it the controlling
 * terminal, send the master to the parent over ctx->sync_fd. */
int console_setup_payload (struct sandbox_ctx *ctx, fmr_error_t *err);

#define CONSOLE_RELAY_FDS 4 /* what console_relay_fds adds at most */

struct console_relay
{
  int master;                    /* non-blocking; -1: no terminal */
  bool raw;                      /* the caller's terminal was put in raw mode */
  bool stdin_tty;                /* the caller's stdin is a terminal */
  struct termios saved;          /* to restore it on every exit path */
  struct relay_stream *in, *out; /* caller's stdin to the pty, pty to stdout */
  int n_in, n_out;               /* poll entries of each, last pass */
};

/* An inactive relay, until the pty arrives. */
void console_relay_init (struct console_relay *r);
/* raw_output: no escape filter between the pty and a terminal on stdout. */
void console_relay_start (struct console_relay *r, int master, bool raw_output);
/* Add the relay's descriptors to fds (room for CONSOLE_RELAY_FDS). */
int console_relay_fds (struct console_relay *r, struct pollfd *fds);
/* Move what poll reported, never blocking; false once every copy of the
 * pty's other side is closed and all its output was delivered. */
bool console_relay_pump (struct console_relay *r, const struct pollfd *fds, int n);
/* The caller's window size changed (SIGWINCH). */
void console_relay_resize (struct console_relay *r);
/* The sandbox has ended: stop the input, read what the pty still holds
 * without waiting; once per pass of the final drain. */
void console_relay_drain (struct console_relay *r);
/* Output read but not yet delivered. */
size_t console_relay_pending (const struct console_relay *r);
/* Restore the caller's terminal, close (undelivered output is dropped). */
void console_relay_finish (struct console_relay *r);

#endif
