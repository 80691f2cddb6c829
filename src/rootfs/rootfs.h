/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_ROOTFS_H
#define FMR_ROOTFS_H

#include "bundle/bundle.h"
#include "common/error.h"
#include "common/trace.h"

/* In the sandbox's first process, after namespaces and id maps: make the
 * mount tree private, build the root from root.path and mounts[] (in
 * order, destinations resolved inside the root), the default /dev,
 * pivot_root, masked and read-only paths, root read-only.  Each step goes
 * to TRACE. */
int rootfs_setup (const struct fmr_bundle *b, struct fmr_trace *trace, fmr_error_t *err);

#endif
