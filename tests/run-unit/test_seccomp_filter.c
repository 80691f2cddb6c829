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
#include <grp.h>
#include <unistd.h>

#include "bundle/names.h"
#include "sandbox/seccomp_filter.h"
#include "common/syscalls.h"
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

/* How the child makes its syscall: the native ABI, or (x86_64) the i386
 * one through int 0x80, which any 64-bit process may use, or x32. */
enum abi
{
  NATIVE,
  I386,
  X32,
};

#define X32_SYSCALL_BIT 0x40000000L

static long
raw_syscall (enum abi abi, long nr, long a0, long a1)
{
#if defined(__x86_64__)
  if (abi == I386)
    {
      long ret;
      __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1) : "memory");
      if (ret < 0 && ret > -4096)
        {
          errno = (int) -ret;
          return -1;
        }
      return ret;
    }
  if (abi == X32)
    nr |= X32_SYSCALL_BIT;
#else
  (void) abi;
#endif
  return syscall (nr, a0, a1);
}

/* Load bpf in a child and run one raw syscall there: returns its errno
 * (0 when it succeeded), or -1 when the child died. */
static int
errno_under_filter_abi (const struct fmr_bpf *bpf, enum abi abi, long nr, long a0, long a1)
{
  pid_t pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      cleanup_error fmr_error_t err = NULL;
      if (bpf && (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_bpf (bpf, &err) < 0))
        _exit (254);
      long r = raw_syscall (abi, nr, a0, a1);
      /* exit_group directly: a sanitizer's _exit hook makes system calls
       * the filter under test may refuse. */
      syscall (SYS_exit_group, r < 0 ? errno : 0);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static int
errno_under_filter (const struct fmr_bpf *bpf, long nr, long a0, long a1)
{
  return errno_under_filter_abi (bpf, NATIVE, nr, a0, a1);
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

/* A multi-architecture filter as the default profile has one, compiled
 * from names the way the validator resolves them. */
struct multi
{
  uint32_t arches[3];
  char *names[3];
  int nrs[3];
  bool newer[3];
  struct fmr_seccomp_rule rule;
  struct fmr_seccomp s;
  struct fmr_bpf bpf;
};

static void
multi_compile (struct multi *m, const char *name, const char *other, unsigned errno_ret)
{
  memset (m, 0, sizeof *m);
  uint32_t native = seccomp_arch_native ();
  m->arches[0] = native;
  m->arches[1] = native == SCMP_ARCH_X86_64 ? SCMP_ARCH_X86 : native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM : native;
  m->arches[2] = native == SCMP_ARCH_X86_64 ? SCMP_ARCH_X32 : native;
  m->names[0] = (char *) name;
  m->names[1] = (char *) other;
  for (int i = 0; i < 2; i++)
    {
      m->nrs[i] = seccomp_syscall_resolve_name (m->names[i]);
      if (m->nrs[i] == __NR_SCMP_ERROR)
        {
          m->nrs[i] = fmr_syscall_unified_nr (m->names[i]);
          m->newer[i] = true;
        }
    }
  m->rule = rule (m->names, m->nrs, FMR_SCMP_ERRNO, errno_ret);
  m->rule.newer = m->newer;
  m->s = (struct fmr_seccomp){
    .default_action = FMR_SCMP_ALLOW, .rules = &m->rule, .n_rules = 1, .arches = m->arches, .n_arches = 3
  };
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&m->s, &m->bpf, &err), 0, "%s", err ? err->msg : "");
}

/* Whether this kernel runs syscalls of ABI at all (IA32 emulation, x32). */
static bool
abi_available (enum abi abi)
{
#if defined(__x86_64__)
  long getpid_nr = abi == I386 ? 20 : SYS_getpid;
  return errno_under_filter_abi (NULL, abi, getpid_nr, 0, 0) == 0;
#else
  return abi == NATIVE;
#endif
}

Test (seccomp_filter, names_work_in_a_multi_architecture_filter)
{
  struct multi m;
  multi_compile (&m, "getppid", "getpgid", EDOM);
  cr_assert_eq (errno_under_filter (&m.bpf, SYS_getppid, 0, 0), EDOM);
  cr_assert_eq (errno_under_filter (&m.bpf, SYS_getpgid, 0, 0), EDOM);
  cr_assert_eq (errno_under_filter (&m.bpf, SYS_getpid, 0, 0), 0);
  seccomp_bpf_free (&m.bpf);
}

/* mseal is newer than libseccomp 2.5: libseccomp cannot put its number in
 * a filter of several architectures, fmr-run's prefix does. */
Test (seccomp_filter, syscall_newer_than_libseccomp_in_a_multi_architecture_filter)
{
  struct multi m;
  multi_compile (&m, "mseal", "getppid", ENOTBLK);
  int mseal = fmr_syscall_unified_nr ("mseal");
  /* mseal (addr 0, len 0) succeeds where it is not filtered (6.10+) or
   * says ENOSYS; under the filter, the rule's errno either way. */
  cr_assert_eq (errno_under_filter (&m.bpf, mseal, 0, 0), ENOTBLK);
  cr_assert_eq (errno_under_filter (&m.bpf, SYS_getppid, 0, 0), ENOTBLK);
  cr_assert_eq (errno_under_filter (&m.bpf, SYS_getpid, 0, 0), 0);
  seccomp_bpf_free (&m.bpf);
}

Test (seccomp_filter, newer_syscall_filtered_for_the_i386_abi_too)
{
#if !defined(__x86_64__)
  cr_skip_test ("the i386 ABI exists on x86_64 only");
#endif
  if (!abi_available (I386))
    cr_skip_test ("this kernel runs no i386 syscalls (no IA32 emulation)");
  struct multi m;
  multi_compile (&m, "mseal", "getppid", ENOTBLK);
  cr_assert_eq (errno_under_filter_abi (&m.bpf, I386, fmr_syscall_unified_nr_arch (SCMP_ARCH_X86, "mseal"), 0, 0),
                ENOTBLK);
  cr_assert_eq (errno_under_filter_abi (&m.bpf, I386, 64 /* getppid */, 0, 0), ENOTBLK);
  cr_assert_eq (errno_under_filter_abi (&m.bpf, I386, 20 /* getpid */, 0, 0), 0);
  seccomp_bpf_free (&m.bpf);
}

Test (seccomp_filter, newer_syscall_filtered_for_the_x32_abi_too)
{
#if !defined(__x86_64__)
  cr_skip_test ("the x32 ABI exists on x86_64 only");
#endif
  if (!abi_available (X32))
    cr_skip_test ("this kernel runs no x32 syscalls (CONFIG_X86_X32_ABI off, or x32 disabled)");
  struct multi m;
  multi_compile (&m, "mseal", "getppid", ENOTBLK);
  cr_assert_eq (errno_under_filter_abi (&m.bpf, X32, fmr_syscall_unified_nr ("mseal"), 0, 0), ENOTBLK);
  cr_assert_eq (errno_under_filter_abi (&m.bpf, X32, SYS_getpid, 0, 0), 0);
  seccomp_bpf_free (&m.bpf);
}

Test (seccomp_filter, conflicting_rules_name_the_rule)
{
  char *names[] = { "getpriority", NULL };
  int nrs[] = { SYS_getpriority };
  struct fmr_seccomp_arg a = { .index = 0, .value = PRIO_USER, .op = SCMP_CMP_EQ };
  struct fmr_seccomp_rule r[2] = { rule (names, nrs, FMR_SCMP_ERRNO, EXDEV), rule (names, nrs, FMR_SCMP_ERRNO, EDOM) };
  for (int i = 0; i < 2; i++)
    r[i].args = &a, r[i].n_args = 1;
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = r, .n_rules = 2 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_lt (seccomp_compile (&s, &bpf, &err), 0);
  cr_assert_not_null (strstr (err->msg, "linux.seccomp.syscalls[1]: `getpriority`"), "%s", err->msg);
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
  struct fmr_seccomp s
      = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1, .arches = arches, .n_arches = n };
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

/* Without no_new_privs a filter needs CAP_SYS_ADMIN: root's child first
 * becomes nobody, which drops every capability, so the test runs as root
 * (how CI runs it) as well as unprivileged. */
Test (seccomp_filter, load_without_nnp_or_cap_sys_admin_is_explained)
{
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      const uid_t nobody = 65534;
      if (geteuid () == 0
          && (setgroups (0, NULL) < 0 || setresgid (nobody, nobody, nobody) < 0
              || setresuid (nobody, nobody, nobody) < 0))
        _exit (2);
      cleanup_error fmr_error_t e = NULL;
      _exit (seccomp_load_bpf (&bpf, &e) < 0 && strstr (e->msg, "noNewPrivileges") ? 0 : 1);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  cr_assert (WIFEXITED (st) && WEXITSTATUS (st) == 0, "child status 0x%x (2: could not become nobody)", st);
  seccomp_bpf_free (&bpf);
}

/* A kernel without close_range (or a filter answering ENOSYS for it, as
 * such a kernel would): the payload's close_range step names the version
 * that has it instead of a bare errno. */
Test (seccomp_filter, close_range_refusal_names_the_kernel)
{
  char *names[] = { "close_range", NULL };
  int nrs[] = { seccomp_syscall_resolve_name ("close_range") };
  struct fmr_seccomp_rule r = rule (names, nrs, FMR_SCMP_ERRNO, ENOSYS);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW, .rules = &r, .n_rules = 1 };
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &bpf, &err), 0);
  pid_t pid = fork ();
  if (pid == 0)
    {
      cleanup_error fmr_error_t e = NULL, e2 = NULL;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_bpf (&bpf, &e) < 0)
        _exit (2);
      bool cloexec = fd_close_range (3, ~0u, CLOSE_RANGE_CLOEXEC, &e) < 0
                     && strstr (e->msg, "close_range CLOSE_RANGE_CLOEXEC: needs Linux 5.11 or later");
      bool plain = fd_close_range (3, ~0u, 0, &e2) < 0 && strstr (e2->msg, "close_range: needs Linux 5.9 or later");
      _exit (cloexec && plain ? 0 : 1);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  cr_assert (WIFEXITED (st) && WEXITSTATUS (st) == 0, "child status 0x%x", st);
  seccomp_bpf_free (&bpf);
}
