/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_PROCESS_H
#define FMR_PROCESS_H

#include "sandbox/sandbox.h"

/* The payload, forked by PID 1 after the root is built: the last steps of
 * DESIGN.md's sequence (session, rlimits, ids, umask, cwd, capabilities,
 * no_new_privs, descriptors, signals, seccomp last) and exec.  Never
 * returns: a failure goes to the parent over ctx->sync_fd and the payload
 * exits 125, 126 or 127. */
__attribute__ ((noreturn)) void process_exec (struct sandbox_ctx *ctx);

/* args[0] looked up in the PATH of env (not the caller's), as OCI says.
 * Returns a malloc'd path, or NULL with *exit_code 127 (not found) or 126
 * (found, not executable) and err set. */
char *process_find_executable (char *const *env, const char *arg0, int *exit_code, fmr_error_t *err);

#endif
