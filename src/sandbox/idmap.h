/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_IDMAP_H
#define FMR_IDMAP_H

#include <stdbool.h>
#include <sys/types.h>

#include "bundle/bundle.h"
#include "common/error.h"

/* Write the uid and gid maps of PID's new user namespace from the parent.
 * An unprivileged caller mapping only its own ids writes them itself
 * (after "deny" in setgroups, which the kernel requires); anything more
 * goes through newuidmap/newgidmap. */
int idmap_write (pid_t pid, const struct fmr_bundle *b, bool host_root, uid_t uid, gid_t gid, fmr_error_t *err);

/* A user namespace mapping UID and GID (one range each), for an idmapped
 * mount made outside any sandbox (spec's and check's probe); its
 * descriptor, or -1 with *err set. */
int idmap_userns_open (const struct fmr_id_mapping *uid, const struct fmr_id_mapping *gid, fmr_error_t *err);

#endif
