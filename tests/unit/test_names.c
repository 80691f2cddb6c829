/* SPDX-License-Identifier: Apache-2.0 */
/* The name tables that the validator checks against and `features` lists. */
#include "config.h"

#include <criterion/criterion.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "bundle/bundle.h"
#include "bundle/names.h"

Test (names, lookup)
{
  cr_assert_eq (fmr_name_lookup (fmr_namespace_names, "user"), CLONE_NEWUSER);
  cr_assert_eq (fmr_name_lookup (fmr_namespace_names, "network"), CLONE_NEWNET);
  cr_assert_eq (fmr_name_lookup (fmr_namespace_names, "time"), -1);
  cr_assert_eq (fmr_name_lookup (fmr_namespace_names, "net"), -1);
  cr_assert_eq (fmr_name_lookup (fmr_rlimit_names, "RLIMIT_NOFILE"), RLIMIT_NOFILE);
  cr_assert_eq (fmr_name_lookup (fmr_rlimit_names, "RLIMIT_RTTIME"), RLIMIT_RTTIME);
  cr_assert_eq (fmr_name_lookup (fmr_rlimit_names, "rlimit_nofile"), -1);
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_op_names, "SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_arch_names, "SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_flag_names, "SECCOMP_FILTER_FLAG_LOG"), 2);
}

Test (names, every_rlimit_is_distinct)
{
  size_t n = 0;
  for (const struct fmr_name_value *a = fmr_rlimit_names; a->name; a++, n++)
    {
      cr_assert (strncmp (a->name, "RLIMIT_", 7) == 0, "%s", a->name);
      for (const struct fmr_name_value *c = a + 1; c->name; c++)
        cr_assert_neq (a->value, c->value, "%s and %s", a->name, c->name);
    }
  /* Every limit the kernel has, each named once. */
  cr_assert_eq (n, RLIMIT_NLIMITS);
}

Test (names, seccomp_actions)
{
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_action_names, "SCMP_ACT_KILL"), FMR_SCMP_KILL_THREAD);
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_action_names, "SCMP_ACT_KILL_PROCESS"), FMR_SCMP_KILL_PROCESS);
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_action_names, "SCMP_ACT_ERRNO"), FMR_SCMP_ERRNO);
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_action_names, "SCMP_ACT_ALLOW"), FMR_SCMP_ALLOW);
  /* NOTIFY needs a supervisor fmr-run does not have. */
  cr_assert_eq (fmr_name_lookup (fmr_seccomp_action_names, "SCMP_ACT_NOTIFY"), -1);
}

Test (names, arch_names_agree_with_libseccomp)
{
  /* Each OCI name is libseccomp's own name in upper case behind SCMP_ARCH_. */
  for (const struct fmr_name_value *a = fmr_seccomp_arch_names; a->name; a++)
    {
      char lower[64];
      const char *s = a->name + strlen ("SCMP_ARCH_");
      size_t i;
      for (i = 0; s[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char) (s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
      lower[i] = '\0';
      cr_expect_eq ((long) seccomp_arch_resolve_name (lower), a->value, "%s", a->name);
    }
}

Test (names, mount_options)
{
  const struct fmr_mount_option *o = fmr_mount_option_lookup ("ro");
  cr_assert_not_null (o);
  cr_assert_eq (o->kind, FMR_MOPT_SET);
  cr_assert_eq (o->flag, MS_RDONLY);
  o = fmr_mount_option_lookup ("rw");
  cr_assert_eq (o->kind, FMR_MOPT_CLEAR);
  cr_assert_eq (o->flag, MS_RDONLY);
  o = fmr_mount_option_lookup ("rslave");
  cr_assert_eq (o->kind, FMR_MOPT_PROPAGATION);
  cr_assert_eq (o->flag, MS_SLAVE | MS_REC);
  cr_assert_eq (fmr_mount_option_lookup ("rbind")->kind, FMR_MOPT_RBIND);
  cr_assert_eq (fmr_mount_option_lookup ("rro")->kind, FMR_MOPT_RRO);
  cr_assert_null (fmr_mount_option_lookup ("mode=755"));
  cr_assert_null (fmr_mount_option_lookup ("RO"));
  /* Every set option has its clearing opposite, so contradictions can be
   * named. */
  for (const struct fmr_mount_option *x = fmr_mount_options; x->name; x++)
    {
      if (x->kind != FMR_MOPT_SET || x->flag == MS_DIRSYNC)
        continue;
      bool found = false;
      for (const struct fmr_mount_option *y = fmr_mount_options; y->name; y++)
        found |= y->kind == FMR_MOPT_CLEAR && y->flag == x->flag;
      cr_expect (found, "no opposite for %s", x->name);
    }
}

Test (names, capabilities_through_libcap)
{
  cr_assert_eq (fmr_cap_from_name ("CAP_CHOWN"), CAP_CHOWN);
  cr_assert_eq (fmr_cap_from_name ("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  cr_assert_eq (fmr_cap_from_name ("CAP_NET_RAW"), CAP_NET_RAW);
  /* OCI spells them upper case with the prefix; libcap would take these. */
  cr_assert_eq (fmr_cap_from_name ("cap_chown"), -1);
  cr_assert_eq (fmr_cap_from_name ("CHOWN"), -1);
  cr_assert_eq (fmr_cap_from_name ("5"), -1);
  cr_assert_eq (fmr_cap_from_name ("CAP_"), -1);
  cr_assert_eq (fmr_cap_from_name ("CAP_NO_SUCH_THING"), -1);
  cr_assert_str_eq (fmr_cap_name (CAP_SYS_ADMIN), "CAP_SYS_ADMIN");
  cr_assert_null (fmr_cap_name (-1));
  int last = fmr_cap_last ();
  cr_assert_geq (last, CAP_SYS_ADMIN);
  cr_assert_lt (last, 64);
  for (int c = 0; c <= last; c++)
    {
      const char *name = fmr_cap_name (c);
      cr_assert_not_null (name, "capability %d", c);
      cr_expect_eq (fmr_cap_from_name (name), c, "%s", name);
    }
}

Test (names, unified_syscall_numbers)
{
  cr_assert_eq (fmr_syscall_unified_nr ("pidfd_send_signal"), 424);
  cr_assert_eq (fmr_syscall_unified_nr ("clone3"), 435);
  cr_assert_eq (fmr_syscall_unified_nr ("futex_waitv"), 449);
  cr_assert_eq (fmr_syscall_unified_nr ("fchmodat2"), 452);
  cr_assert_eq (fmr_syscall_unified_nr ("mseal"), 462);
  cr_assert_eq (fmr_syscall_unified_nr ("read"), -1);
  cr_assert_eq (fmr_syscall_unified_nr ("no_such_call"), -1);
  /* Where libseccomp knows a name of the table, the numbers agree (on the
   * 64-bit ABIs the table is for). */
#if defined(__x86_64__) || defined(__aarch64__) || (defined(__riscv) && __riscv_xlen == 64)
  static const char *const known[] = { "clone3", "openat2", "close_range", "pidfd_open", "faccessat2" };
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    {
      int nr = seccomp_syscall_resolve_name (known[i]);
      if (nr != __NR_SCMP_ERROR)
        cr_expect_eq (nr, fmr_syscall_unified_nr (known[i]), "%s", known[i]);
    }
#endif
}

Test (names, unified_syscall_numbers_per_architecture)
{
  /* For every architecture, the base found from the table's first entry
   * gives libseccomp's own number wherever libseccomp knows the name:
   * mips adds 4000/5000/6000, x32 its bit, the rest nothing. */
  static const char *const known[] = { "clone3", "openat2", "close_range", "pidfd_open", "faccessat2", "fchmodat2" };
  size_t compared = 0;
  for (const struct fmr_name_value *a = fmr_seccomp_arch_names; a->name; a++)
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      {
        int nr = seccomp_syscall_resolve_name_arch ((uint32_t) a->value, known[i]);
        if (nr < 0)
          continue;
        cr_expect_eq (fmr_syscall_unified_nr_arch ((uint32_t) a->value, known[i]), nr, "%s on %s", known[i], a->name);
        compared++;
      }
  cr_assert_gt (compared, 0);
  cr_assert_eq (fmr_syscall_unified_nr_arch (SCMP_ARCH_X86, "mseal"), 462);
  cr_assert_eq (fmr_syscall_unified_nr_arch (SCMP_ARCH_X32, "mseal"), 0x40000000 + 462);
  cr_assert_eq (fmr_syscall_unified_nr_arch (SCMP_ARCH_MIPS, "mseal"), 4000 + 462);
  cr_assert_eq (fmr_syscall_unified_nr_arch (SCMP_ARCH_X86, "read"), -1);
}
