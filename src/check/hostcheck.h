/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_HOSTCHECK_H
#define FMR_HOSTCHECK_H

#include <stdbool.h>

/* `fmr-run check`: can the default sandbox (the one `fmr-run spec`
 * writes) be built on this host, and if not, why and what to change.
 * hostcheck.c tries each part for real in one throw-away child;
 * hostcheck_host.c reads the host's knobs and turns a failed step into a
 * reason and a fix. */

/* The parts, in the order they are reported. */
enum hostcheck_part
{
  HC_USER, /* clone(CLONE_NEWUSER) and the id maps the parent writes */
  HC_MOUNT,
  HC_PID,
  HC_NET, /* and bringing lo up */
  HC_IPC,
  HC_UTS, /* and sethostname */
  HC_CGROUP,
  HC_PROC,   /* a new proc mount */
  HC_TMPFS,  /* the scratch root everything below is built in */
  HC_ROBIND, /* a recursive read-only bind (mount_setattr AT_RECURSIVE) */
  HC_PIVOT,
  HC_SECCOMP, /* PR_SET_NO_NEW_PRIVS and a filter compiled with libseccomp */
  /* Information only: fmr-run has a fallback for each. */
  HC_CLOSE_RANGE, /* close_range with CLOSE_RANGE_CLOEXEC (5.11), needed by the payload */
  HC_KERNEL,      /* the release, against the oldest supported (common/syscalls.h) */
  HC_MOUNT_API,
  HC_OPENAT2,
  HC_NEWUIDMAP,
  HC_BUILD_UID, /* who the payload is on the host; filled by `check` from spec's choice */
  HC_NPARTS
};

struct hostcheck_result
{
  bool done; /* set once; a part is reported by whoever learns it first */
  bool ok;
  bool skipped;  /* not tried: an earlier part it needs failed (detail says which) */
  bool degraded; /* failed, but `fmr-run spec` writes a bundle that does without it (detail says how) */
  char *detail;  /* "" when there is nothing to say */
  char *fix;     /* "" when there is nothing to change (or nothing known) */
};

struct hostcheck_report
{
  struct hostcheck_result parts[HC_NPARTS];
};

/* What each part is: its name in the report, whether the default sandbox
 * needs it (the information-only parts never fail the check), and for
 * the namespace parts the clone flag, its name, the /proc/self/ns entry
 * (also the <kind> of user.max_<kind>_namespaces) and the kernel option. */
struct hostcheck_part_info
{
  const char *name;
  bool required;
  int ns_flag;
  const char *flag_name;
  const char *ns;
  const char *kconfig;
};
extern const struct hostcheck_part_info hostcheck_parts[HC_NPARTS];

/* Probe this host and fill every part of R.  True when the default
 * sandbox can be built here (every required part ok).  Nothing survives
 * it: the child's namespaces die with it, and it is reaped. */
bool hostcheck_run (struct hostcheck_report *r);
void hostcheck_report_release (struct hostcheck_report *r);

/* What the host says about itself, read only when a step failed. */
struct hostcheck_facts
{
  /* CAP_SYS_ADMIN in the initial user namespace: the knobs that restrict
   * unprivileged user namespaces do not apply. */
  bool privileged;
  int seccomp_mode;               /* Seccomp: in /proc/self/status; -1: no such line */
  long unprivileged_userns_clone; /* kernel.unprivileged_userns_clone; -1: absent */
  long apparmor_restrict;         /* kernel.apparmor_restrict_unprivileged_userns; -1: absent */
  long max_ns[HC_NPARTS];         /* user.max_<kind>_namespaces of the namespace parts; -1: absent */
  bool has_ns[HC_NPARTS];         /* /proc/self/ns/<kind> exists */
  char *proc_overmounts;          /* mount points below /proc, space-separated; NULL: none */
  bool root_is_rootfs;            /* / is the initramfs, where pivot_root is refused */
  bool initial_userns;            /* in the host's user namespace, not a container's */
  const char *engine;             /* "docker", "podman", "kubernetes" (what the container shows), or NULL */
  char *exe;                      /* this binary, for an AppArmor profile */
};

void hostcheck_facts_read (struct hostcheck_facts *f);
void hostcheck_facts_release (struct hostcheck_facts *f);
/* Why a step of PART failed with ERRNUM on a host with facts F, and what
 * to change; each NULL when nothing more is known. */
void hostcheck_explain (enum hostcheck_part part, int errnum, const struct hostcheck_facts *f, char **why, char **fix);
/* A fix in the spelling of the engine F detected, or all three when none
 * was: "docker run DOCKER; podman run PODMAN; Kubernetes: K8S". */
char *hostcheck_engine_fix (const struct hostcheck_facts *f, const char *docker, const char *podman, const char *k8s);
/* The degraded sandbox where /proc is masked (F->proc_overmounts): what
 * `spec` does instead, and the fix. */
char *hostcheck_proc_degraded (const struct hostcheck_facts *f);
char *hostcheck_proc_fix (const struct hostcheck_facts *f);

#endif
