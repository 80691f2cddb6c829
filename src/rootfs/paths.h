/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_PATHS_H
#define FMR_PATHS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/error.h"

/* Paths of the bundle's destinations are resolved inside the new root: an
 * absolute symlink or a ".." never leads out of ROOT_FD (`usr -> /` means the
 * root itself, `tmp -> ../../..` too), and /proc magic links are refused.
 * All functions return an O_PATH descriptor, or -1 with *err set; the errno
 * of a missing path is ENOENT, so a caller may skip it. */

/* PATH is absolute (inside the root).  FLAGS: 0, O_DIRECTORY and/or
 * O_NOFOLLOW (do not follow a symlink in the last component). */
int path_open_in_root (int root_fd, const char *path, int flags, fmr_error_t *err);

/* The same resolution done in userspace, one component at a time: the
 * fallback for kernels without openat2 (ENOSYS).  Exposed for tests. */
int path_walk_in_root (int root_fd, const char *path, int flags, fmr_error_t *err);

/* Open PATH, creating what is missing inside the root: directories, and the
 * last component as an empty file when WANT_FILE (the mount point of a file
 * bind).  Nothing is ever created outside the root. */
int path_create_in_root (int root_fd, const char *path, bool want_file, fmr_error_t *err);

/* Bind sources, on the host (in the caller's mount namespace, before the
 * sandbox exists).  PATH (absolute) is walked one component at a time from
 * `/`; a symbolic link is followed only when the directory holding it is
 * `/` or lies in /etc or /usr, belongs to root, only root may write it,
 * and it does not lie inside any of UNTRUSTED (the real paths of the bundle's writable bind sources):
 * /lib64 -> usr/lib64 and /etc/localtime -> ../usr/share/zoneinfo/... are
 * followed, a link a build step could have planted is refused (ELOOP).
 * *REAL receives the canonical path (no link, no `..`), *ST what it names. */
int path_resolve_source (const char *path, const char *const *untrusted, size_t n_untrusted, char **real,
                         struct stat *st, fmr_error_t *err);

/* Open an already canonical PATH (O_PATH) without following any symbolic
 * link in any component (openat2 RESOLVE_NO_SYMLINKS). */
int path_open_no_symlinks (const char *path, fmr_error_t *err);

/* Testing: pretend openat2 is missing, so the userspace walk is used. */
void paths_force_walk (bool force);

#endif
