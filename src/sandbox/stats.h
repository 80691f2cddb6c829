/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_STATS_H
#define FMR_STATS_H

#include "sandbox/sandbox.h"

/* --stats FILE: what bazel's linux-sandbox reports for an action, as JSON:
 * wall time, user and system CPU and peak RSS of the sandbox's processes
 * (all reaped by PID 1, so all counted in RUSAGE_CHILDREN), the exit status
 * or signal, and whether the timeout fired. */
int stats_write (const struct sandbox_ctx *ctx, const char *path, int exit_code, fmr_error_t *err);

#endif
