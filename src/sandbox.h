/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SANDBOX_H
#define FMR_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "bundle.h"
#include "error.h"
#include "seccomp_filter.h"

/* Options of `fmr-run run` that are not in the bundle. */
struct run_options
{
  bool debug;         /* --debug: each step with the microseconds it took */
  int preserve_fds;   /* --preserve-fds N */
  double timeout_sec; /* --timeout, overrides the annotation; 0 none */
  double kill_after_sec;
  const char *stats_file;
};

/* Everything the steps of building a sandbox share, passed explicitly
 * (no globals: bubblewrap's weak spot). */
struct sandbox_ctx
{
  struct fmr_bundle *bundle;
  const struct run_options *opts;
  uid_t host_uid; /* caller's ids in the initial user namespace */
  gid_t host_gid;
  bool host_root; /* caller is root (euid 0) */
  int sync_fd;    /* child's end of the socketpair to the parent */
  unsigned long long t_start, t_last; /* for --debug */
  /* What the parent learnt, for --stats. */
  int payload_status; /* wait status, -1 when PID 1 never reported one */
  bool timed_out;
  int console_fd; /* process.terminal: the pty master, in the parent */
  /* linux.seccomp compiled by the parent, received by PID 1 before it
   * forks the payload; len 0 without linux.seccomp. */
  struct fmr_bpf seccomp;
};

/* --debug: "fmr-run: debug: <step> (+N us)"; a no-op without --debug. */
void sandbox_debug (struct sandbox_ctx *ctx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Build the sandbox, run the process, return the exit status of `run`. */
int sandbox_run (struct fmr_bundle *b, const struct run_options *opts, fmr_error_t *err);

/* In the child, after namespaces and id maps: make the mount tree private,
 * build the root from root.path and mounts[] (in order, destinations
 * resolved inside the root), the default /dev, pivot_root, masked and
 * read-only paths, root read-only.  Implemented in rootfs.c. */
int rootfs_setup (struct sandbox_ctx *ctx, fmr_error_t *err);

#endif
