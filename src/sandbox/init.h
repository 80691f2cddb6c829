/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_INIT_H
#define FMR_INIT_H

#include "sandbox/sandbox.h"

/* PID 1 of the sandbox once the payload is forked: forward signals to it,
 * reap every process that ends up here, and when the payload exits kill
 * whatever is left in the pid namespace, report the payload's wait status
 * to the parent and exit with the matching status. */
__attribute__ ((noreturn)) void init_supervise (struct sandbox_ctx *ctx, pid_t payload);

/* Before PID 1 forks the payload: hold back the signals it forwards until
 * init_supervise has installed its handlers (the payload resets its mask). */
void init_block_signals (void);

/* The exit status `run` gives for a wait status: the code, or 128+N. */
int init_exit_code (int wait_status);

#endif
