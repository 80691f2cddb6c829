/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SYSCTL_H
#define FMR_SYSCTL_H

#include "bundle/bundle.h"
#include "common/error.h"

/* Write linux.sysctl through the sandbox's own proc on /proc in the root
 * ROOT_FD: after the mounts, before linux.readonlyPaths makes /proc/sys
 * read-only.  Validation allowed only sysctls of the sandbox's own network
 * and ipc namespaces, which is where PID 1 writes them. */
int sysctl_apply (int root_fd, const struct fmr_bundle *b, fmr_error_t *err);

#endif
