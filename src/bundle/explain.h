/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_EXPLAIN_H
#define FMR_EXPLAIN_H

/* What a bundle lets its step see and do, worked out from the validated
 * bundle (and, for owners and the shared network, the host), in the terms
 * a reviewer asks about: which paths it reads and writes and whose files
 * it writes, what of the network and the host's processes it reaches,
 * its environment's names, limits, privileges and seccomp filter, and
 * where it is weaker than fmr-run's default sandbox and why. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bundle/bundle.h"

struct explain_path
{
  const char *path; /* in the sandbox */
  char *source;     /* host path of a bind (or the root), else NULL */
  char *what;       /* "bind", "tmpfs: empty, private, gone after the run", ... */
  bool writable;
  bool hidden; /* linux.maskedPaths */
  /* Writable binds: the host ids files the step creates there get, and
   * the owner of the host directory itself. */
  bool has_owner;
  uid_t owner_uid;
  gid_t owner_gid;
  bool source_known; /* the source could be stat'ed */
  uid_t source_uid;
  bool source_uid_mapped; /* the sandbox maps the source's owner */
};

struct explain_note
{
  char *what;
  char *why;
};

struct bundle_explain
{
  const char *const *args;
  const char *cwd;
  uid_t uid; /* in the sandbox */
  gid_t gid;
  bool user_ns;
  bool host_uid_mapped; /* the step's uid maps to a host uid */
  uid_t host_uid;       /* the host uid the step's files get */
  gid_t host_gid;
  bool host_gid_mapped;
  size_t n_uids_mapped; /* how many host uids exist in the sandbox */

  struct explain_path *paths;
  size_t n_paths;

  char *network;     /* one sentence */
  bool network_host; /* the host's interfaces are reachable */
  char **interfaces; /* the host's, when shared */
  size_t n_interfaces;
  char *processes; /* one sentence */
  bool host_processes_visible;
  char *ipc, *hostname;

  char **env_names; /* values left out */
  size_t n_env;

  char **limits;
  size_t n_limits;
  char *privileges;
  char *seccomp;
  char **seccomp_rules; /* one line per action */
  size_t n_seccomp_rules;

  struct explain_note *weaker; /* differences from the default sandbox, with the reason */
  size_t n_weaker;
  const struct fmr_annotation **degraded; /* run.fmr.* annotations other than timeout/kill-after */
  size_t n_degraded;
};

void bundle_explain (const struct fmr_bundle *b, struct bundle_explain *e);
void bundle_explain_release (struct bundle_explain *e);

#endif
