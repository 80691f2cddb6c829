/* SPDX-License-Identifier: Apache-2.0 */
/* The reasons and fixes of `fmr-run check` for hosts this machine is not:
 * the knobs of Debian's and Ubuntu's kernels, an outer container's seccomp
 * profile and masked /proc, kernels without some namespace.  The
 * integration tests (test_check.py) make the conditions they can for
 * real; these feed hostcheck_explain the facts a host would show. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/hostcheck.h"

/* A host where nothing is restricted: an unprivileged caller, every knob
 * absent, no seccomp filter, every namespace kind present. */
static struct hostcheck_facts
plain_host (void)
{
  struct hostcheck_facts f = { .privileged = false,
                               .seccomp_mode = 0,
                               .unprivileged_userns_clone = -1,
                               .apparmor_restrict = -1,
                               .initial_userns = true,
                               .exe = (char *) "/usr/bin/fmr-run" };
  for (int p = 0; p < HC_NPARTS; p++)
    {
      f.max_ns[p] = hostcheck_parts[p].ns ? 15000 : -1;
      f.has_ns[p] = hostcheck_parts[p].ns != NULL;
    }
  return f;
}

struct answer
{
  char *why, *fix;
};

static struct answer
explain (enum hostcheck_part part, int errnum, const struct hostcheck_facts *f)
{
  struct answer a;
  hostcheck_explain (part, errnum, f, &a.why, &a.fix);
  return a;
}

static void
expect (struct answer a, const char *why, const char *fix)
{
  cr_assert_not_null (a.why, "no reason given, expected one with \"%s\"", why);
  cr_assert_not_null (a.fix);
  cr_expect (strstr (a.why, why) != NULL, "reason \"%s\" lacks \"%s\"", a.why, why);
  cr_expect (strstr (a.fix, fix) != NULL, "fix \"%s\" lacks \"%s\"", a.fix, fix);
  free (a.why);
  free (a.fix);
}

Test (explain, unprivileged_userns_clone_off)
{
  struct hostcheck_facts f = plain_host ();
  f.unprivileged_userns_clone = 0;
  expect (explain (HC_USER, EPERM, &f), "kernel.unprivileged_userns_clone is 0",
          "sysctl -w kernel.unprivileged_userns_clone=1");
}

Test (explain, knobs_do_not_bind_a_privileged_caller)
{
  struct hostcheck_facts f = plain_host ();
  f.unprivileged_userns_clone = 0;
  f.apparmor_restrict = 1;
  f.privileged = true;
  expect (explain (HC_USER, EPERM, &f), "no known knob explains it", "dmesg");
}

Test (explain, apparmor_restriction_shows_at_the_first_mount)
{
  struct hostcheck_facts f = plain_host ();
  f.apparmor_restrict = 1;
  /* Ubuntu 24.04: the clone works, the namespace has no capabilities. */
  expect (explain (HC_MOUNT, EPERM, &f), "kernel.apparmor_restrict_unprivileged_userns is 1",
          "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
  expect (explain (HC_USER, EACCES, &f), "AppArmor", "profile fmr-run /usr/bin/fmr-run flags=(unconfined) { userns, }");
}

Test (explain, seccomp_filter_of_an_outer_container)
{
  struct hostcheck_facts f = plain_host ();
  f.seccomp_mode = 2;
  expect (explain (HC_USER, EPERM, &f), "seccomp filter on this process refuses it", "seccomp=unconfined");
  f.privileged = true; /* Docker refuses root without CAP_SYS_ADMIN the same way */
  expect (explain (HC_USER, EPERM, &f), "Seccomp: 2", "seccomp=unconfined");
}

Test (explain, a_knob_that_refuses_wins_over_a_filter_that_might)
{
  struct hostcheck_facts f = plain_host ();
  f.seccomp_mode = 2;
  f.unprivileged_userns_clone = 0;
  expect (explain (HC_USER, EPERM, &f), "kernel.unprivileged_userns_clone is 0", "=1");
}

Test (explain, namespace_count_limits)
{
  struct hostcheck_facts f = plain_host ();
  f.max_ns[HC_USER] = 0;
  expect (explain (HC_USER, ENOSPC, &f), "user.max_user_namespaces is 0", "sysctl -w user.max_user_namespaces=15000");
  f.max_ns[HC_NET] = 0;
  expect (explain (HC_NET, ENOSPC, &f), "user.max_net_namespaces is 0", "sysctl -w user.max_net_namespaces=15000");
  /* In a container's user namespace the caller cannot raise it. */
  f.initial_userns = false;
  expect (explain (HC_USER, ENOSPC, &f), "is 0 in this user namespace (a container's", "engine");
  f.initial_userns = true;
  f.max_ns[HC_MOUNT] = 7;
  expect (explain (HC_MOUNT, ENOSPC, &f), "user.max_mnt_namespaces (7) is reached", "user.max_mnt_namespaces=14");
}

Test (explain, kernel_without_a_namespace_kind)
{
  struct hostcheck_facts f = plain_host ();
  f.has_ns[HC_CGROUP] = false;
  expect (explain (HC_CGROUP, EINVAL, &f), "no cgroup namespace (built without CONFIG_CGROUPS)", "CONFIG_CGROUPS=y");
  f.has_ns[HC_USER] = false;
  expect (explain (HC_USER, EINVAL, &f), "built without CONFIG_USER_NS", "CONFIG_USER_NS=y");
}

Test (explain, nesting_limit)
{
  struct hostcheck_facts f = plain_host ();
  expect (explain (HC_USER, EUSERS, &f), "32 deep", "less deeply nested");
}

Test (explain, masked_proc)
{
  struct hostcheck_facts f = plain_host ();
  f.proc_overmounts = (char *) "/proc/kcore /proc/sys";
  expect (explain (HC_PROC, EPERM, &f), "mounts hide parts of /proc (/proc/kcore /proc/sys)", "unmask=/proc/*");
  expect (explain (HC_PROC, EPERM, &f), "binds the outer /proc read-only instead", "systempaths=unconfined");
  f.engine = "kubernetes";
  struct answer k = explain (HC_PROC, EPERM, &f);
  cr_expect (strstr (k.fix, "docker") == NULL, "fix \"%s\" is not in the detected engine's spelling", k.fix);
  expect (k, "mounts hide parts of /proc", "procMount: Unmasked"); /* frees k */
  f.proc_overmounts = NULL;
  expect (explain (HC_PROC, EPERM, &f), "no known knob", "dmesg");
}

Test (explain, pivot_root_from_the_initramfs)
{
  struct hostcheck_facts f = plain_host ();
  f.root_is_rootfs = true;
  expect (explain (HC_PIVOT, EINVAL, &f), "initramfs", "switch_root");
}

Test (explain, kernel_without_seccomp)
{
  struct hostcheck_facts f = plain_host ();
  f.seccomp_mode = -1;
  expect (explain (HC_SECCOMP, EINVAL, &f), "no seccomp", "CONFIG_SECCOMP_FILTER=y");
}

Test (explain, nothing_known_is_nothing_said)
{
  struct hostcheck_facts f = plain_host ();
  char *why = (char *) "x", *fix = (char *) "x";
  hostcheck_explain (HC_TMPFS, ENOMEM, &f, &why, &fix);
  cr_assert_null (why);
  cr_assert_null (fix);
}

/* This host, as the tests run it: every namespace kind is there. */
Test (facts, read_from_this_host)
{
  struct hostcheck_facts f;
  hostcheck_facts_read (&f);
  for (int p = 0; p < HC_NPARTS; p++)
    if (hostcheck_parts[p].ns)
      cr_expect (f.has_ns[p], "/proc/self/ns/%s missing", hostcheck_parts[p].ns);
  cr_expect (f.seccomp_mode >= 0);
  cr_expect (f.exe != NULL && f.exe[0] == '/');
  hostcheck_facts_release (&f);
}
