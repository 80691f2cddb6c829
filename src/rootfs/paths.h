/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_PATHS_H
#define FMR_PATHS_H

#include <stdbool.h>

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

/* Testing: pretend openat2 is missing, so the userspace walk is used. */
void paths_force_walk (bool force);

#endif
