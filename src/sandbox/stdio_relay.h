/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_STDIO_RELAY_H
#define FMR_STDIO_RELAY_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Without process.terminal, the sandbox must hold no descriptor of the
 * caller's terminal: any descriptor of a tty lets its holder change the
 * terminal's modes (tcsetattr, TIOCSETD), setsid or not.  Each of fds 0, 1,
 * 2 that is a terminal becomes a pipe in the sandbox, which the outer
 * fmr-run relays; the others (pipes, files, /dev/null) are handed on as
 * they are.  The relay never changes the caller's terminal modes. */

struct stdio_relay
{
  int child[3]; /* the sandbox's ends, for fds 0, 1, 2; -1: handed on as is */
  int in;       /* write end of the payload's stdin (non-blocking); -1: none */
  int out[2];   /* read ends of its stdout and stderr; -1: none */
  int out_to[2];   /* the caller's fd each one is copied to */
  bool reading;    /* the caller's stdin is still read */
  bool signals_set; /* SIGPIPE, SIGTTIN, SIGTTOU are ignored, old[] saved */
  struct sigaction old[3];
  size_t len, off; /* buf[off..len) is still to go to the payload's stdin */
  char buf[4096];
};

/* Before the clone, only without process.terminal: a pipe for each std fd
 * that is a terminal.  A stdout and stderr on the same terminal share one
 * pipe, which keeps the order of their lines as the terminal showed it. */
int stdio_relay_open (struct stdio_relay *r, fmr_error_t *err);
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
/* Add the relay's descriptors to fds (room for 4); returns how many. */
int stdio_relay_fds (const struct stdio_relay *r, struct pollfd *fds);
/* Move what poll reported, never blocking on the payload's side. */
void stdio_relay_pump (struct stdio_relay *r, const struct pollfd *fds, int n);
/* The sandbox has ended: copy what is left in the output pipes, close
 * everything, restore the three signals. */
void stdio_relay_finish (struct stdio_relay *r);

#endif
