/* SPDX-License-Identifier: Apache-2.0 */
/* What `fmr-run check` reads from the host once a step failed: the knobs
 * that restrict namespaces, the caller's seccomp mode, what covers /proc;
 * and the reason and fix they give for each kind of failure. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/hostcheck.h"
#include "common/util.h"

const struct hostcheck_part_info hostcheck_parts[HC_NPARTS] = {
  [HC_USER] = { "user namespace", true, CLONE_NEWUSER, "CLONE_NEWUSER", "user", "CONFIG_USER_NS" },
  [HC_MOUNT] = { "mount namespace", true, CLONE_NEWNS, "CLONE_NEWNS", "mnt", NULL },
  [HC_PID] = { "pid namespace", true, CLONE_NEWPID, "CLONE_NEWPID", "pid", "CONFIG_PID_NS" },
  [HC_NET] = { "network namespace", true, CLONE_NEWNET, "CLONE_NEWNET", "net", "CONFIG_NET_NS" },
  [HC_IPC] = { "ipc namespace", true, CLONE_NEWIPC, "CLONE_NEWIPC", "ipc", "CONFIG_IPC_NS" },
  [HC_UTS] = { "uts namespace", true, CLONE_NEWUTS, "CLONE_NEWUTS", "uts", "CONFIG_UTS_NS" },
  [HC_CGROUP] = { "cgroup namespace", true, CLONE_NEWCGROUP, "CLONE_NEWCGROUP", "cgroup", "CONFIG_CGROUPS" },
  [HC_PROC] = { "proc mount", true },
  [HC_TMPFS] = { "tmpfs mount", true },
  [HC_ROBIND] = { "read-only bind", true },
  [HC_PIVOT] = { "pivot_root", true },
  [HC_SECCOMP] = { "seccomp", true },
  [HC_CLOSE_RANGE] = { "close_range", true },
  [HC_KERNEL] = { "kernel", false },
  [HC_MOUNT_API] = { "new mount API", false },
  [HC_OPENAT2] = { "openat2", false },
  [HC_NEWUIDMAP] = { "newuidmap", false },
  [HC_BUILD_UID] = { "build uid", false },
};

/* A number in a one-line /proc file; -1 when the file does not exist
 * (the knob is not in this kernel) or does not hold one. */
static long
read_knob (const char *path)
{
  cleanup_file FILE *f = fopen (path, "re");
  long v;
  if (f == NULL || fscanf (f, "%ld", &v) != 1)
    return -1;
  return v;
}

/* Seccomp: and CapEff: of /proc/self/status. */
static void
read_status (struct hostcheck_facts *f, unsigned long long *cap_eff)
{
  cleanup_file FILE *st = fopen ("/proc/self/status", "re");
  char line[256];
  while (st && fgets (line, sizeof line, st))
    {
      if (sscanf (line, "Seccomp: %d", &f->seccomp_mode) == 1)
        continue;
      sscanf (line, "CapEff: %llx", cap_eff);
    }
}

/* The initial user namespace maps every id onto itself in one range. */
static bool
in_initial_userns (void)
{
  cleanup_file FILE *m = fopen ("/proc/self/uid_map", "re");
  unsigned long long inside, outside, count;
  char extra;
  if (m == NULL || fscanf (m, " %llu %llu %llu", &inside, &outside, &count) != 3)
    return false;
  return inside == 0 && outside == 0 && count == 4294967295ULL && fscanf (m, " %c", &extra) != 1;
}

/* mountinfo escapes blanks and backslashes as \ooo. */
static void
unescape (char *s)
{
  char *out = s;
  for (char *p = s; *p; p++)
    {
      if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7')
        {
          *out++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
          p += 3;
        }
      else
        *out++ = *p;
    }
  *out = '\0';
}

/* Mounts below /proc (an outer container's masked and read-only paths)
 * and the filesystem of /.  binfmt_misc is left out: it sits on a
 * directory procfs keeps empty, which the kernel does not count as hiding
 * anything. */
static void
read_mountinfo (struct hostcheck_facts *f)
{
  cleanup_file FILE *mi = fopen ("/proc/self/mountinfo", "re");
  char *line = NULL;
  size_t cap = 0;
  size_t used = 0;
  while (mi && getline (&line, &cap, mi) > 0)
    {
      char point[PATH_MAX], fstype[64];
      const char *sep = strstr (line, " - ");
      if (sep == NULL || sscanf (line, "%*s %*s %*s %*s %4095s", point) != 1 || sscanf (sep, " - %63s", fstype) != 1)
        continue;
      unescape (point);
      if (strcmp (point, "/") == 0)
        f->root_is_rootfs = strcmp (fstype, "rootfs") == 0;
      if (strncmp (point, "/proc/", 6) != 0 || strcmp (point, "/proc/sys/fs/binfmt_misc") == 0)
        continue;
      size_t n = strlen (point);
      f->proc_overmounts = xrealloc (f->proc_overmounts, used + n + 2);
      if (used)
        f->proc_overmounts[used++] = ' ';
      memcpy (f->proc_overmounts + used, point, n + 1);
      used += n;
    }
  free (line);
}

/* What each engine leaves in its containers. */
static const char *
detect_engine (void)
{
  if (access ("/run/.containerenv", F_OK) == 0)
    return "podman";
  if (access ("/.dockerenv", F_OK) == 0)
    return "docker";
  if (getenv ("KUBERNETES_SERVICE_HOST"))
    return "kubernetes";
  return NULL;
}

char *
hostcheck_engine_fix (const struct hostcheck_facts *f, const char *docker, const char *podman, const char *k8s)
{
  const char *e = f->engine ? f->engine : "";
  if (strcmp (e, "docker") == 0)
    return xasprintf ("docker run %s", docker);
  if (strcmp (e, "podman") == 0)
    return xasprintf ("podman run %s", podman);
  if (strcmp (e, "kubernetes") == 0)
    return xasprintf ("Kubernetes: %s", k8s);
  return xasprintf ("docker run %s; podman run %s; Kubernetes: %s", docker, podman, k8s);
}

char *
hostcheck_proc_degraded (const struct hostcheck_facts *f)
{
  return xasprintf ("mounts hide parts of /proc (%s), as an outer container masks it, and the kernel refuses a "
                    "new proc mount in a user namespace then; `fmr-run spec` binds the outer /proc read-only "
                    "instead: the sandbox then shows the container's processes, their command lines and status, "
                    "but not their environ, mem, root or fd, and kill cannot reach them; kernel.pid_max cannot "
                    "bound the sandbox (RLIMIT_NPROC still bounds a payload that is not host uid 0)",
                    f->proc_overmounts ? f->proc_overmounts : "");
}

char *
hostcheck_proc_fix (const struct hostcheck_facts *f)
{
  cleanup_free char *fix = hostcheck_engine_fix (f, "--security-opt systempaths=unconfined",
                                                 "--security-opt unmask=/proc/* (or unmask=ALL)",
                                                 "securityContext.procMount: Unmasked (with hostUsers: false)");
  return xasprintf ("for a fresh /proc, unmask it: %s", fix);
}

void
hostcheck_facts_read (struct hostcheck_facts *f)
{
  *f = (struct hostcheck_facts){ .seccomp_mode = -1 };
  unsigned long long cap_eff = 0;
  read_status (f, &cap_eff);
  f->initial_userns = in_initial_userns ();
  f->privileged = (cap_eff & (1ULL << 21)) != 0 && f->initial_userns; /* CAP_SYS_ADMIN */
  f->engine = detect_engine ();
  f->unprivileged_userns_clone = read_knob ("/proc/sys/kernel/unprivileged_userns_clone");
  f->apparmor_restrict = read_knob ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  for (int p = 0; p < HC_NPARTS; p++)
    {
      f->max_ns[p] = -1;
      if (hostcheck_parts[p].ns == NULL)
        continue;
      cleanup_free char *knob = xasprintf ("/proc/sys/user/max_%s_namespaces", hostcheck_parts[p].ns);
      cleanup_free char *ns = xasprintf ("/proc/self/ns/%s", hostcheck_parts[p].ns);
      f->max_ns[p] = read_knob (knob);
      f->has_ns[p] = access (ns, F_OK) == 0;
    }
  read_mountinfo (f);
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  f->exe = xstrdup (n > 0 ? (exe[n] = '\0', exe) : "/usr/bin/fmr-run");
}

void
hostcheck_facts_release (struct hostcheck_facts *f)
{
  free (f->proc_overmounts);
  free (f->exe);
  f->proc_overmounts = f->exe = NULL;
}

static void
set (char **why, char **fix, char *w, char *x)
{
  *why = w;
  *fix = x;
}

/* Failures only a namespace part has: a count limit, a kernel without
 * that kind of namespace, too deep a nesting. */
static bool
explain_namespace (enum hostcheck_part part, int errnum, const struct hostcheck_facts *f, char **why, char **fix)
{
  const struct hostcheck_part_info *pi = &hostcheck_parts[part];
  if (errnum == ENOSPC && f->max_ns[part] == 0 && !f->initial_userns)
    {
      /* Each user namespace has its own set of user.* limits, writable
       * only with CAP_SYS_RESOURCE in it, and those of every ancestor
       * apply too: the caller here cannot change them. */
      set (why, fix,
           xasprintf ("user.max_%s_namespaces is 0 in this user namespace (a container's, not the host's): no %s "
                      "may be created",
                      pi->ns, pi->name),
           xasprintf ("not from inside: the limit belongs to the container's user namespace, which only its "
                      "engine (or a process of it with CAP_SYS_RESOURCE, e.g. one started with --cap-add "
                      "SYS_RESOURCE) can raise, and the host's own user.max_%s_namespaces bounds every container; "
                      "ask whoever runs the container or the host to set it above 0 (sysctl -w "
                      "user.max_%s_namespaces=15000)",
                      pi->ns, pi->ns));
      return true;
    }
  if (errnum == ENOSPC && f->max_ns[part] == 0)
    {
      set (why, fix, xasprintf ("user.max_%s_namespaces is 0: no %s may be created", pi->ns, pi->name),
           xasprintf ("sysctl -w user.max_%s_namespaces=15000 (and a file in /etc/sysctl.d/ to keep it)", pi->ns));
      return true;
    }
  if (errnum == ENOSPC && f->max_ns[part] > 0)
    {
      set (why, fix, xasprintf ("the limit user.max_%s_namespaces (%ld) is reached", pi->ns, f->max_ns[part]),
           xasprintf ("raise it: sysctl -w user.max_%s_namespaces=%ld", pi->ns, 2 * f->max_ns[part]));
      return true;
    }
  if (errnum == EINVAL && !f->has_ns[part] && pi->kconfig)
    {
      set (why, fix, xasprintf ("this kernel has no %s (built without %s)", pi->name, pi->kconfig),
           xasprintf ("a kernel built with %s=y", pi->kconfig));
      return true;
    }
  if (errnum == EUSERS)
    {
      set (why, fix, xstrdup ("user namespaces are nested 32 deep already, the kernel's limit"),
           xstrdup ("run fmr-run from a less deeply nested container"));
      return true;
    }
  return false;
}

/* The knobs that restrict user namespaces for a caller without
 * CAP_SYS_ADMIN in the initial user namespace. */
static bool
explain_unprivileged (enum hostcheck_part part, const struct hostcheck_facts *f, char **why, char **fix)
{
  if (part == HC_USER && f->unprivileged_userns_clone == 0)
    {
      set (why, fix,
           xstrdup ("kernel.unprivileged_userns_clone is 0: only root may create user namespaces "
                    "(Debian before 11, some distribution kernels)"),
           xstrdup ("sysctl -w kernel.unprivileged_userns_clone=1 (and a file in /etc/sysctl.d/ to keep it)"));
      return true;
    }
  /* Ubuntu 23.10 and later: the clone succeeds, but the namespace comes
   * without capabilities, so the first mount (or the clone itself, with
   * apparmor_restrict_unprivileged_unconfined) is refused. */
  if (f->apparmor_restrict == 1)
    {
      set (why, fix,
           xstrdup ("kernel.apparmor_restrict_unprivileged_userns is 1: AppArmor gives a user namespace made by a "
                    "program without a profile no capabilities (Ubuntu 23.10 and later)"),
           xasprintf ("an AppArmor profile that lets fmr-run create user namespaces: /etc/apparmor.d/fmr-run holding "
                      "`abi <abi/4.0>, include <tunables/global> profile fmr-run %s flags=(unconfined) { userns, }`, "
                      "then `apparmor_parser -r /etc/apparmor.d/fmr-run`; or, for every program, "
                      "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
                      f->exe));
      return true;
    }
  return false;
}

void
hostcheck_explain (enum hostcheck_part part, int errnum, const struct hostcheck_facts *f, char **why, char **fix)
{
  set (why, fix, NULL, NULL);
  bool refused = errnum == EPERM || errnum == EACCES;
  if (hostcheck_parts[part].ns_flag && explain_namespace (part, errnum, f, why, fix))
    return;
  if (refused && !f->privileged && explain_unprivileged (part, f, why, fix))
    return;
  if (part == HC_PROC && errnum == EPERM && f->proc_overmounts)
    set (why, fix, hostcheck_proc_degraded (f), hostcheck_proc_fix (f));
  else if (part == HC_UTS && errnum == EPERM && f->seccomp_mode == 2)
    set (why, fix,
         xstrdup ("a seccomp filter on this process refuses sethostname, as podman's default profile does "
                  "without CAP_SYS_ADMIN; `fmr-run spec` then leaves hostname out of the bundle, and the sandbox "
                  "keeps the outer hostname in its own uts namespace"),
         hostcheck_engine_fix (f, "--security-opt seccomp=PROFILE.json allowing sethostname",
                               "--security-opt seccomp=PROFILE.json allowing sethostname (or seccomp=unconfined)",
                               "securityContext.seccompProfile with a Localhost profile allowing sethostname"));
  else if (part == HC_PIVOT && errnum == EINVAL && f->root_is_rootfs)
    set (why, fix, xstrdup ("/ is the initramfs (rootfs), which pivot_root cannot move"),
         xstrdup ("boot with a real root filesystem, or switch_root into one before starting fmr-run"));
  else if (part == HC_SECCOMP && f->seccomp_mode < 0)
    set (why, fix, xstrdup ("this kernel has no seccomp (no Seccomp: line in /proc/self/status)"),
         xstrdup ("a kernel built with CONFIG_SECCOMP=y and CONFIG_SECCOMP_FILTER=y"));
  else if (refused && f->seccomp_mode == 2)
    {
      cleanup_free char *engine
          = hostcheck_engine_fix (f, "--security-opt seccomp=unconfined", "--security-opt seccomp=unconfined",
                                  "securityContext.seccompProfile.type: Unconfined (RuntimeDefault refuses it)");
      set (why, fix,
           xstrdup ("a seccomp filter on this process refuses it (Seccomp: 2 in /proc/self/status), as Docker's "
                    "default profile and Kubernetes' RuntimeDefault refuse new namespaces"),
           xasprintf ("%s; or a seccomp profile that allows clone, clone3 and unshare with namespace flags, "
                      "mount, umount2, pivot_root and the new mount API",
                      engine));
    }
  else if (refused)
    set (why, fix, xstrdup ("no known knob explains it: a security module (AppArmor, SELinux) may refuse it"),
         xstrdup ("look for a denial in `dmesg` or the audit log"));
}
