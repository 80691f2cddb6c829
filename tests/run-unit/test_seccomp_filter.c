/* SPDX-License-Identifier: Apache-2.0 */
/* linux.seccomp translated with libseccomp: each filter is loaded for real
 * in a forked child, which reports what its system calls returned. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/seccomp_filter.h"
#include "common/util.h"

/* One rule for one syscall name, with its number as the validator would
 * have resolved it. */
static struct fmr_seccomp_rule
rule (char **names, int *nrs, enum fmr_seccomp_action action, unsigned errno_ret)
{
  struct fmr_seccomp_rule r = { .names = names, .syscall_nrs = nrs, .action = action };
  while (names[r.n_names])
    r.n_names++;
  r.has_errno_ret = errno_ret != 0;
  r.errno_ret = errno_ret;
  return r;
}

/* Load bpf in a child and run one raw syscall there: returns its errno
 * (0 when it succeeded), or -1 when the child died. */
static int
errno_under_filter (const struct fmr_bpf *bpf, long nr, long a0, long a1)
{
  pid_t pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      cleanup_error fmr_error_t err = NULL;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_bpf (bpf, &err) < 0)
        _exit (254);
      long r = syscall (nr, a0, a1);
      /* exit_group directly: a sanitizer's _exit hook makes system calls
       * the filter under test may refuse. */
      syscall (SYS_exit_group, r < 0 ? errno : 0);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

Test (seccomp_filter, errno_rule_and_default_allow)
{
  char *names[] = { "getppid", NULL };
  int nrs[] = { SYS_getppid };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, EDOM);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_gt (bpf.len, 0);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getppid, 0, 0), EDOM);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpid, 0, 0), 0);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_filter, default_errno_with_an_allow_list)
{
  char *names[] = { "getpid", "exit_group", "exit", NULL };
  int nrs[] = { SYS_getpid, SYS_exit_group, SYS_exit };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ALLOW, 0);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ERRNO,
                           .has_default_errno_ret = true,
                           .default_errno_ret = ENOTTY,
                           .rules = &r,
                           .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getppid, 0, 0), ENOTTY);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpid, 0, 0), 0);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_filter, errno_defaults_to_eperm)
{
  char *names[] = { "getppid", NULL };
  int nrs[] = { SYS_getppid };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, 0);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getppid, 0, 0), EPERM);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_filter, args_are_compared)
{
  /* getpriority (PRIO_USER, 0) refused, getpriority (PRIO_PROCESS, 0) not. */
  char *names[] = { "getpriority", NULL };
  int nrs[] = { SYS_getpriority };
  struct fmr_seccomp_arg a = { .index = 0, .value = PRIO_USER, .op = SCMP_CMP_EQ };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, EXDEV);
  r.args = &a;
  r.n_args = 1;
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpriority, PRIO_USER, 0), EXDEV);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpriority, PRIO_PROCESS, 0), 0);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_filter, repeated_argument_becomes_one_rule_per_comparison)
{
  /* libseccomp refuses two comparisons of one argument in one rule. */
  char *names[] = { "getpriority", NULL };
  int nrs[] = { SYS_getpriority };
  struct fmr_seccomp_arg a[] = { { .index = 0, .value = PRIO_USER, .op = SCMP_CMP_EQ },
                                 { .index = 0, .value = PRIO_PGRP, .op = SCMP_CMP_EQ } };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, EXDEV);
  r.args = a;
  r.n_args = 2;
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0, "%s", err ? err->msg : "");
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpriority, PRIO_USER, 0), EXDEV);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpriority, PRIO_PGRP, 0), EXDEV);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpriority, PRIO_PROCESS, 0), 0);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_filter, resolved_number_is_used_when_the_name_is_unknown)
{
  /* A syscall newer than libseccomp: the validator resolved its number. */
  char *names[] = { "a_syscall_libseccomp_does_not_know", NULL };
  int nrs[] = { SYS_getppid };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, ENOSYS);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getppid, 0, 0), ENOSYS);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_filter, rule_equal_to_default_is_skipped)
{
  char *names[] = { "getppid", NULL };
  int nrs[] = { SYS_getppid };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ALLOW, 0);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  seccomp_bpf_free (&bpf);
}

/* The length of the program for the given architectures. */
static unsigned
program_length (uint32_t *arches, size_t n)
{
  char *names[] = { "getppid", NULL };
  int nrs[] = { SYS_getppid };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, EDOM);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1, .arches = arches,
                           .n_arches = n };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  unsigned len = bpf.len;
  seccomp_bpf_free (&bpf);
  return len;
}

Test (seccomp_filter, only_architectures_this_kernel_runs)
{
  uint32_t native = seccomp_arch_native ();
  uint32_t foreign = native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_X86_64 : SCMP_ARCH_AARCH64;
  uint32_t compat = native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM : SCMP_ARCH_X86;
  if (native != SCMP_ARCH_X86_64 && native != SCMP_ARCH_AARCH64)
    cr_skip_test ("architecture table checked on x86_64 and aarch64 only");
  uint32_t just_native[] = { native };
  uint32_t with_foreign[] = { native, foreign };
  uint32_t with_compat[] = { native, compat };
  unsigned base = program_length (just_native, 1);
  /* A foreign architecture adds nothing: the kernel never presents it. */
  cr_assert_eq (program_length (with_foreign, 2), base);
  /* A compat one is real here and gets its own code. */
  cr_assert_gt (program_length (with_compat, 2), base);
}

Test (seccomp_filter, flags_reach_the_load)
{
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", NULL };
  char *bad[] = { "SECCOMP_FILTER_FLAG_NOPE", NULL };
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .flags = flags, .n_flags = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_eq (bpf.flags, SECCOMP_FILTER_FLAG_LOG);
  cr_assert_eq (errno_under_filter (&bpf, SYS_getpid, 0, 0), 0);
  seccomp_bpf_free (&bpf);
  s.flags = bad;
  cr_assert_lt (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_not_null (strstr (err->msg, "linux.seccomp.flags[0]"), "%s", err->msg);
}

Test (seccomp_filter, load_without_nnp_or_cap_sys_admin_is_explained)
{
  if (geteuid () == 0)
    cr_skip_test ("root holds CAP_SYS_ADMIN");
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      cleanup_error fmr_error_t e = NULL;
      _exit (seccomp_load_bpf (&bpf, &e) < 0 && strstr (e->msg, "noNewPrivileges") ? 0 : 1);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  cr_assert (WIFEXITED (st) && WEXITSTATUS (st) == 0);
  seccomp_bpf_free (&bpf);
}
