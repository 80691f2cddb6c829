/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_ROOTFS_H
#define FMR_ROOTFS_H

#include "bundle/bundle.h"
#include "common/error.h"
#include "common/trace.h"

/* What the host paths of the bundle lead to, opened while the sandbox's
 * first process still has the caller's host ids: with a build uid it then
 * takes ids that may not traverse the caller's directories (a bundle
 * under /root).  root: root.path (O_PATH), -1 until opened; root_tree:
 * with a build uid, root.path shown through the sandbox's own mapping, so
 * that PID 1 can make mount points in it; binds: one
 * per mount, -1 but for bind sources (detached trees; the idmapped ones
 * come from the outer fmr-run). */
struct rootfs_sources
{
  int root;
  int root_tree; /* root.path idmapped by the outer fmr-run, or -1 */
  int *binds;
  size_t n;
};

/* Allocate SRC for B's mounts (all -1). */
void rootfs_sources_init (struct rootfs_sources *src, const struct fmr_bundle *b);
void rootfs_sources_release (struct rootfs_sources *src);
/* Open root.path and every bind source SRC does not hold yet. */
int rootfs_open_sources (const struct fmr_bundle *b, struct rootfs_sources *src, fmr_error_t *err);

/* In the sandbox's first process, after namespaces and id maps: make the
 * mount tree private, build the root from root.path and mounts[] (in
 * order, destinations resolved inside the root), the default /dev,
 * pivot_root, masked and read-only paths, root read-only.  Each step goes
 * to TRACE.  SRC (or NULL): what rootfs_open_sources opened, each
 * descriptor consumed (set to -1); the rest is opened on the way. */
int rootfs_setup (const struct fmr_bundle *b, struct rootfs_sources *src, struct fmr_trace *trace, fmr_error_t *err);

#endif
