/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_MOUNTS_H
#define FMR_MOUNTS_H

#include <stdbool.h>

#include "bundle/bundle.h"
#include "common/error.h"

/* One function per kind of mount in mounts[].  Targets are O_PATH
 * descriptors of destinations already resolved inside the new root (see
 * paths.h): nothing here takes a destination path string from the bundle,
 * the path is only used in messages.  The new mount API (open_tree,
 * move_mount, mount_setattr, fsopen/fsconfig/fsmount) is used when the
 * kernel has it; otherwise mount(2) on /proc/self/fd/N.
 *
 * Each mount_* function returns a descriptor of the new mount (for the
 * propagation step), or -1 with *err set to "DESTINATION: call". */

/* Open the source of a bind: a detached copy of the source tree (recursive
 * for rbind), or, without the new API, an O_PATH descriptor of it; the
 * object is the one rootfs_resolve_sources found (sources.h).  Errors
 * name only the source path ("/opt/py"), for "mounts[N].source: ...". */
int mount_bind_open_source (const struct fmr_mount *m, fmr_error_t *err);
/* A detached copy of DFD/PATH ("" for DFD itself; SOURCE names it in
 * messages), every submount when RECURSIVE, whose ids are
 * shown through the user namespace USERNS_FD (MOUNT_ATTR_IDMAP; on every
 * submount when IDMAP_RECURSIVE).  Needs CAP_SYS_ADMIN over the source
 * file system's user namespace, so the outer fmr-run makes it.  The error
 * says why the kernel refused. */
int mount_idmap_tree (int dfd, const char *path, const char *source, bool recursive, bool idmap_recursive,
                      int userns_fd, fmr_error_t *err);
/* Attach the detached tree TREE_FD (consumed) on TARGET_FD; the mount's
 * descriptor. */
int mount_attach_tree (int tree_fd, int target_fd, const char *what, fmr_error_t *err);
/* Attach SRC_FD (from mount_bind_open_source; consumed) on TARGET_FD and
 * apply ro/nosuid/nodev/noexec/atime; read-only reaches every submount. */
int mount_bind (const struct fmr_mount *m, int src_fd, int target_fd, fmr_error_t *err);
int mount_tmpfs (const struct fmr_mount *m, int target_fd, fmr_error_t *err);
int mount_proc (const struct fmr_mount *m, int target_fd, fmr_error_t *err);
int mount_devpts (const struct fmr_mount *m, int target_fd, fmr_error_t *err);
int mount_mqueue (const struct fmr_mount *m, int target_fd, fmr_error_t *err);
int mount_sysfs (const struct fmr_mount *m, int target_fd, fmr_error_t *err);
/* Apply m->propagation (if any) to the mount MNT_FD. */
int mount_propagation (const struct fmr_mount *m, int mnt_fd, fmr_error_t *err);

/* Building blocks for /dev, masked and read-only paths.  WHAT names the
 * target in messages. */
/* Bind PATH relative to DFD ("" for DFD itself) onto TARGET_FD. */
int mount_bind_at (int dfd, const char *path, int target_fd, bool recursive, bool readonly, const char *what,
                   fmr_error_t *err);
/* An empty read-only tmpfs on TARGET_FD (masking a directory). */
int mount_empty_tmpfs (int target_fd, const char *what, fmr_error_t *err);
/* Set and clear MS_* flags on the mount MNT_FD (and every submount when
 * RECURSIVE), keeping the flags a user namespace locked. */
int mount_set_flags (int mnt_fd, unsigned long set, unsigned long clear, bool recursive, const char *what,
                     fmr_error_t *err);

/* Testing: pretend the kernel lacks the new mount API. */
void mounts_force_legacy (bool force);

#endif
