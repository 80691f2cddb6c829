/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONSOLE_H
#define FMR_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <termios.h>

#include "sandbox/sandbox.h"

/* process.terminal: the payload gets a pseudo-terminal of the sandbox's own
 * devpts as its controlling terminal and standard streams; the master end
 * travels to the outer fmr-run, which relays it to the caller's terminal in
 * raw mode and keeps the window size in step. */

/* In the payload, after pivot_root: open the pty, make it the controlling
 * terminal, send the master to the parent over ctx->sync_fd. */
int console_setup_payload (struct sandbox_ctx *ctx, fmr_error_t *err);

struct console_relay
{
  int master;
  bool raw;            /* the caller's terminal was put in raw mode */
  struct termios saved; /* to restore it on every exit path */
  bool stdin_open;
};

void console_relay_start (struct console_relay *r, int master);
/* Add the relay's descriptors to fds (room for 2); returns how many. */
int console_relay_fds (struct console_relay *r, struct pollfd *fds);
/* Move what poll reported; false once the payload's side is closed. */
bool console_relay_pump (struct console_relay *r, const struct pollfd *fds, int n);
/* The caller's window size changed (SIGWINCH). */
void console_relay_resize (struct console_relay *r);
/* Drain what is left, restore the caller's terminal, close. */
void console_relay_finish (struct console_relay *r);

#endif
