/* SPDX-License-Identifier: Apache-2.0 */
/* deny-userns CMD [ARGS...]: run CMD under a seccomp filter that refuses
 * clone and unshare with CLONE_NEWUSER (EPERM) and knows no clone3
 * (ENOSYS, so that a libc falls back to clone), as Docker's default
 * profile treats a container without CAP_SYS_ADMIN.  The filter is
 * inherited across exec: `fmr-run check` then meets what it meets in
 * such a container. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* s390 passes clone's flags second. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG SCMP_A1
#else
#define CLONE_FLAGS_ARG SCMP_A0
#endif

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf (stderr, "usage: deny-userns CMD [ARGS...]\n");
      return 2;
    }
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL
      || seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (clone), 1,
                           CLONE_FLAGS_ARG (SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER))
             < 0
      || seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (unshare), 1,
                           SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER))
             < 0
      || seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), SCMP_SYS (clone3), 0) < 0)
    {
      fprintf (stderr, "deny-userns: building the filter failed\n");
      return 2;
    }
  /* An unprivileged caller may load a filter only with no_new_privs. */
  int e = prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? errno : -seccomp_load (ctx);
  if (e)
    {
      fprintf (stderr, "deny-userns: loading the filter failed: %s\n", strerror (e));
      return 2;
    }
  seccomp_release (ctx);
  execvp (argv[1], argv + 1);
  fprintf (stderr, "deny-userns: %s: %s\n", argv[1], strerror (errno));
  return 127;
}
