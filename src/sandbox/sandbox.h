/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SANDBOX_H
#define FMR_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "bundle/bundle.h"
#include "bundle/overrides.h"
#include "common/error.h"
#include "common/trace.h"
#include "rootfs/rootfs.h"
#include "sandbox/cpu_pin.h"
#include "sandbox/seccomp_filter.h"

/* The first descriptor after stdin, stdout and stderr: --preserve-fds N
 * hands on FMR_FIRST_PRESERVED_FD .. FMR_FIRST_PRESERVED_FD+N-1. */
#define FMR_FIRST_PRESERVED_FD 3
/* Seconds between a timeout's SIGTERM and the SIGKILL (--kill-after). */
#define FMR_DEFAULT_KILL_AFTER_SEC 10

/* Options of `fmr-run run` that are not in the bundle. */
struct run_options
{
  bool debug;         /* --debug: each step with the microseconds it took */
  int preserve_fds;   /* --preserve-fds N */
  double timeout_sec; /* --timeout, overrides the annotation; 0 none */
  double kill_after_sec;
  const char *stats_file;
  /* Debugging a step: --seccomp-log, and the bundle overrides --env,
   * --rw, --ro, --shell (applied before the sandbox sees the bundle). */
  bool seccomp_log;
  struct bundle_overrides overrides;
  bool raw_output; /* --raw-output: no escape filter to the caller's terminal */
};

/* Everything the steps of building a sandbox share, passed explicitly
 * (no globals: bubblewrap's weak spot). */
struct sandbox_ctx
{
  struct fmr_bundle *bundle;
  const struct run_options *opts;
  uid_t host_uid; /* caller's ids in the initial user namespace */
  gid_t host_gid;
  bool host_root;         /* caller is root (euid 0) */
  int sync_fd;            /* child's end of the socketpair to the parent */
  struct fmr_trace trace; /* --debug */
  /* What the parent learnt, for --stats. */
  int payload_status; /* wait status, -1 when PID 1 never reported one */
  bool timed_out;
  int console_fd; /* process.terminal: the pty master, in the parent */
  /* linux.seccomp compiled by the parent, received by PID 1 before it
   * forks the payload; len 0 without linux.seccomp. */
  struct fmr_bpf seccomp;
  /* root.path and bind sources, opened before PID 1 takes the payload's
   * ids (the idmapped binds' trees come from the parent). */
  struct rootfs_sources sources;
  /* The set-up's CPU and the caller's affinity, which the payload gets. */
  struct cpu_pin pin;
};

/* Build the sandbox, run the process, return the exit status of `run`. */
int sandbox_run (struct fmr_bundle *b, const struct run_options *opts, fmr_error_t *err);

#endif
