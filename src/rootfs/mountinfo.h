/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_MOUNTINFO_H
#define FMR_MOUNTINFO_H

#include <stdbool.h>

#include "common/error.h"

/* Fallback for kernels without mount_setattr: remount the mount at
 * MOUNT_PATH (and, when RECURSIVE, every mount below it, read from
 * /proc/self/mountinfo) with MS_BIND|MS_REMOUNT.  Each remount ORs in the
 * flags the mount already has (read from mountinfo), as bubblewrap's
 * bind-mount.c does: in a user namespace the kernel locks nosuid, nodev,
 * noexec and the atime flags of mounts inherited from a more privileged
 * namespace, and refuses (EPERM) a remount that would drop them.  SET is
 * added everywhere; CLEAR is removed from the top mount only. */
int mountinfo_remount_tree (const char *mount_path, unsigned long set, unsigned long clear, bool recursive,
                            fmr_error_t *err);

/* The MS_* flags named by a mountinfo per-mount option string
 * ("rw,nosuid,nodev,relatime").  Exposed for tests. */
unsigned long mountinfo_parse_flags (const char *options);

#endif
