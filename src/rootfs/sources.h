/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SOURCES_H
#define FMR_SOURCES_H

#include "bundle/bundle.h"
#include "common/error.h"

/* A bind's source is a host path a previous build step may have been able
 * to write (a work directory bound read-write, the bundle rerun after a
 * step changed it).  So it is resolved in the caller's own view, before
 * any namespace exists, and no symbolic link is followed unless it lies in
 * `/`, /etc or /usr, in a directory only root can write, not inside a
 * writable bind's source (paths.h, path_resolve_source); the result (real path, device,
 * inode) goes into each mount's real_source, source_dev, source_ino. */
int rootfs_resolve_sources (struct fmr_bundle *b, fmr_error_t *err);

/* In the sandbox: an O_PATH descriptor of M's real path, opened with no
 * link followed in any component and checked to be the object resolved
 * before (so a read-only bind nested in a writable one binds what was
 * resolved, not the path as a step left it). */
int rootfs_open_source (const struct fmr_mount *m, fmr_error_t *err);

#endif
