/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_PIDLIMIT_H
#define FMR_PIDLIMIT_H

#include "bundle/bundle.h"
#include "common/trace.h"

/* In PID 1, once the bundle's mounts are in place and before
 * linux.readonlyPaths: when the bundle creates a pid namespace and sets
 * RLIMIT_NPROC, lower the namespace's kernel.pid_max (through the bundle's
 * proc mount, resolved inside ROOT_FD) so that it holds at most PID 1 plus
 * the hard limit of processes and threads.  Never fails: on a kernel
 * without a per-namespace pid_max (before 6.14), without a proc mount, or
 * when the write is refused, the sandbox runs without the bound and
 * --debug says why. */
void pidlimit_apply (const struct fmr_bundle *b, struct fmr_trace *trace, int root_fd);

#endif
