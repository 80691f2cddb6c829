/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SYSCALLS_H
#define FMR_SYSCALLS_H

/* Kernel compatibility in one place: the oldest kernel fmr-run supports,
 * and the numbers and flags of the calls newer than the oldest libc and
 * kernel headers it builds with, called through syscall(2).
 *
 * The floor is Linux 5.14 (RHEL 9).  Each call newer than that has a
 * fallback or a refusal that names the version, and `fmr-run check`
 * reports each:
 *
 *   open_tree, move_mount, fsopen,  5.2   fallback: mount(2) on /proc/self/fd
 *     fsconfig, fsmount                   paths (rootfs/mounts.c)
 *   openat2 RESOLVE_IN_ROOT         5.6   fallback: a walk in user space
 *                                         (rootfs/paths.c)
 *   close_range                     5.9   refused at run, naming 5.11
 *     CLOSE_RANGE_CLOEXEC           5.11  (sandbox/process.c, init.c)
 *   mount_setattr                   5.12  fallback: MS_REMOUNT of each
 *                                         submount (rootfs/mounts.c)
 *   statx STATX_MNT_ID              5.8   validate skips the locked-flag
 *                                         checks without it
 *   pid_max per pid namespace       6.14  left alone before (rootfs/pidlimit.c)
 *
 * Not used: clone3 (clone(2) does all fmr-run needs), pidfds.
 *
 * The numbers from 424 up are the same on every architecture (the
 * kernel's unified syscall table). */

#include <sys/syscall.h>

#define FMR_KERNEL_FLOOR_MAJOR 5
#define FMR_KERNEL_FLOOR_MINOR 14
#define FMR_KERNEL_FLOOR "5.14"

#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef __NR_openat2
#define __NR_openat2 437
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif

/* open_tree, move_mount */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x04
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

/* fsopen, fsconfig, fsmount */
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 1
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef FSMOUNT_CLOEXEC
#define FSMOUNT_CLOEXEC 1
#endif

/* mount_setattr */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x01
#define MOUNT_ATTR_NOSUID 0x02
#define MOUNT_ATTR_NODEV 0x04
#define MOUNT_ATTR_NOEXEC 0x08
#define MOUNT_ATTR__ATIME 0x70
#define MOUNT_ATTR_RELATIME 0x00
#define MOUNT_ATTR_NOATIME 0x10
#define MOUNT_ATTR_STRICTATIME 0x20
#define MOUNT_ATTR_NODIRATIME 0x80
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000 /* 5.12: no fallback; spec keeps the caller's ids without it */
#endif

/* openat2 */
#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_NO_SYMLINKS
#define RESOLVE_NO_SYMLINKS 0x04
#endif
#ifndef RESOLVE_IN_ROOT
#define RESOLVE_IN_ROOT 0x10
#endif

/* close_range */
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC 4
#endif

#endif
