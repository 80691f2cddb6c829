/* SPDX-License-Identifier: Apache-2.0 */
/* The vocabularies of the bundle, shared by the validator and `features`. */
#include "config.h"

#include <ctype.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include <seccomp.h>

#include "bundle/bundle.h"
#include "bundle/names.h"
#include "common/util.h"

/* Older libcs lack the newest flags. */
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef RLIMIT_RTTIME
#define RLIMIT_RTTIME 15
#endif

const struct fmr_name_value fmr_namespace_names[] = {
  { "user", CLONE_NEWUSER }, { "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID },       { "network", CLONE_NEWNET },
  { "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },  { "cgroup", CLONE_NEWCGROUP }, { NULL, 0 },
};

const struct fmr_name_value fmr_rlimit_names[] = {
  { "RLIMIT_AS", RLIMIT_AS },
  { "RLIMIT_CORE", RLIMIT_CORE },
  { "RLIMIT_CPU", RLIMIT_CPU },
  { "RLIMIT_DATA", RLIMIT_DATA },
  { "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "RLIMIT_NICE", RLIMIT_NICE },
  { "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "RLIMIT_NPROC", RLIMIT_NPROC },
  { "RLIMIT_RSS", RLIMIT_RSS },
  { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "RLIMIT_STACK", RLIMIT_STACK },
  { NULL, 0 },
};

/* SCMP_ACT_NOTIFY is left out on purpose: it needs a supervisor that
 * fmr-run does not have, so the validator refuses it. */
const struct fmr_name_value fmr_seccomp_action_names[] = {
  { "SCMP_ACT_KILL", FMR_SCMP_KILL_THREAD },
  { "SCMP_ACT_KILL_THREAD", FMR_SCMP_KILL_THREAD },
  { "SCMP_ACT_KILL_PROCESS", FMR_SCMP_KILL_PROCESS },
  { "SCMP_ACT_TRAP", FMR_SCMP_TRAP },
  { "SCMP_ACT_ERRNO", FMR_SCMP_ERRNO },
  { "SCMP_ACT_TRACE", FMR_SCMP_TRACE },
  { "SCMP_ACT_LOG", FMR_SCMP_LOG },
  { "SCMP_ACT_ALLOW", FMR_SCMP_ALLOW },
  { NULL, 0 },
};

const struct fmr_name_value fmr_seccomp_op_names[] = {
  { "SCMP_CMP_NE", SCMP_CMP_NE },
  { "SCMP_CMP_LT", SCMP_CMP_LT },
  { "SCMP_CMP_LE", SCMP_CMP_LE },
  { "SCMP_CMP_EQ", SCMP_CMP_EQ },
  { "SCMP_CMP_GE", SCMP_CMP_GE },
  { "SCMP_CMP_GT", SCMP_CMP_GT },
  { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
  { NULL, 0 },
};

const struct fmr_name_value fmr_seccomp_arch_names[] = {
  { "SCMP_ARCH_X86", SCMP_ARCH_X86 },
  { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
  { "SCMP_ARCH_X32", SCMP_ARCH_X32 },
  { "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
  { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
  { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
  { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
  { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
  { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
  { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
  { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
  { "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
  { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
  { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
  { "SCMP_ARCH_S390", SCMP_ARCH_S390 },
  { "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
  { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
  { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
  { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
  { NULL, 0 },
};

/* Kernel values from linux/seccomp.h.  NEW_LISTENER and
 * WAIT_KILLABLE_RECV only make sense with SCMP_ACT_NOTIFY. */
const struct fmr_name_value fmr_seccomp_flag_names[] = {
  { "SECCOMP_FILTER_FLAG_TSYNC", 1 },
  { "SECCOMP_FILTER_FLAG_LOG", 2 },
  { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
  { NULL, 0 },
};

const struct fmr_mount_option fmr_mount_options[] = {
  { "ro", FMR_MOPT_SET, MS_RDONLY },
  { "rw", FMR_MOPT_CLEAR, MS_RDONLY },
  { "nosuid", FMR_MOPT_SET, MS_NOSUID },
  { "suid", FMR_MOPT_CLEAR, MS_NOSUID },
  { "nodev", FMR_MOPT_SET, MS_NODEV },
  { "dev", FMR_MOPT_CLEAR, MS_NODEV },
  { "noexec", FMR_MOPT_SET, MS_NOEXEC },
  { "exec", FMR_MOPT_CLEAR, MS_NOEXEC },
  { "sync", FMR_MOPT_SET, MS_SYNCHRONOUS },
  { "async", FMR_MOPT_CLEAR, MS_SYNCHRONOUS },
  { "dirsync", FMR_MOPT_SET, MS_DIRSYNC },
  { "noatime", FMR_MOPT_SET, MS_NOATIME },
  { "atime", FMR_MOPT_CLEAR, MS_NOATIME },
  { "nodiratime", FMR_MOPT_SET, MS_NODIRATIME },
  { "diratime", FMR_MOPT_CLEAR, MS_NODIRATIME },
  { "relatime", FMR_MOPT_SET, MS_RELATIME },
  { "norelatime", FMR_MOPT_CLEAR, MS_RELATIME },
  { "strictatime", FMR_MOPT_SET, MS_STRICTATIME },
  { "nostrictatime", FMR_MOPT_CLEAR, MS_STRICTATIME },
  { "bind", FMR_MOPT_BIND, MS_BIND },
  { "rbind", FMR_MOPT_RBIND, MS_BIND | MS_REC },
  { "rro", FMR_MOPT_RRO, MS_RDONLY },
  { "rrw", FMR_MOPT_RRW, MS_RDONLY },
  { "idmap", FMR_MOPT_IDMAP, 0 },
  { "ridmap", FMR_MOPT_IDMAP, MS_REC },
  { "private", FMR_MOPT_PROPAGATION, MS_PRIVATE },
  { "rprivate", FMR_MOPT_PROPAGATION, MS_PRIVATE | MS_REC },
  { "shared", FMR_MOPT_PROPAGATION, MS_SHARED },
  { "rshared", FMR_MOPT_PROPAGATION, MS_SHARED | MS_REC },
  { "slave", FMR_MOPT_PROPAGATION, MS_SLAVE },
  { "rslave", FMR_MOPT_PROPAGATION, MS_SLAVE | MS_REC },
  { "unbindable", FMR_MOPT_PROPAGATION, MS_UNBINDABLE },
  { "runbindable", FMR_MOPT_PROPAGATION, MS_UNBINDABLE | MS_REC },
  { NULL, 0, 0 },
};

const struct fmr_mount_option *
fmr_mount_option_lookup (const char *name)
{
  for (const struct fmr_mount_option *o = fmr_mount_options; o->name; o++)
    if (strcmp (o->name, name) == 0)
      return o;
  return NULL;
}

long
fmr_name_lookup (const struct fmr_name_value *table, const char *name)
{
  for (; table->name; table++)
    if (strcmp (table->name, name) == 0)
      return table->value;
  return -1;
}

/* Syscalls numbered 424 and up are numbered alike on every architecture
 * (the kernel's unified syscall table): the table's number plus the
 * architecture's base, 0 for most, 4000/5000/6000 for the mips ABIs and
 * the x32 bit for x32.  So a name that libseccomp is too old to know can
 * still be resolved here, for each architecture on its own; libseccomp
 * itself cannot put such a number in a filter for any architecture but the
 * native one (see seccomp_filter.c). */
static const char *const unified_syscalls[] = {
  "pidfd_send_signal",
  "io_uring_setup",
  "io_uring_enter",
  "io_uring_register",
  "open_tree",
  "move_mount",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "pidfd_open",
  "clone3",
  "close_range",
  "openat2",
  "pidfd_getfd",
  "faccessat2",
  "process_madvise",
  "epoll_pwait2",
  "mount_setattr",
  "quotactl_fd",
  "landlock_create_ruleset",
  "landlock_add_rule",
  "landlock_restrict_self",
  "memfd_secret",
  "process_mrelease",
  "futex_waitv",
  "set_mempolicy_home_node",
  "cachestat",
  "fchmodat2",
  "map_shadow_stack",
  "futex_wake",
  "futex_wait",
  "futex_requeue",
  "statmount",
  "listmount",
  "lsm_get_self_attr",
  "lsm_set_self_attr",
  "lsm_list_modules",
  "mseal",
  "setxattrat",
  "getxattrat",
  "listxattrat",
  "removexattrat",
  "open_tree_attr",
};
#define FMR_UNIFIED_SYSCALL_BASE 424

int
fmr_syscall_unified_nr (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (unified_syscalls); i++)
    if (strcmp (unified_syscalls[i], name) == 0)
      return FMR_UNIFIED_SYSCALL_BASE + (int) i;
  return -1;
}

int
fmr_syscall_unified_nr_arch (uint32_t arch, const char *name)
{
  int nr = fmr_syscall_unified_nr (name);
  /* The first entry of the table, which every libseccomp since 2.5.0
   * knows, gives the architecture's base. */
  int first = seccomp_syscall_resolve_name_arch (arch, unified_syscalls[0]);
  if (nr < 0 || first < FMR_UNIFIED_SYSCALL_BASE)
    return -1;
  return first - FMR_UNIFIED_SYSCALL_BASE + nr;
}

/* OCI spells capabilities "CAP_CHOWN"; libcap also takes lower case and
 * bare numbers, which OCI does not allow, so the spelling is checked first. */
int
fmr_cap_from_name (const char *name)
{
  if (strncmp (name, "CAP_", 4) != 0 || name[4] == '\0')
    return -1;
  for (const char *p = name; *p; p++)
    if (!(isupper ((unsigned char) *p) || isdigit ((unsigned char) *p) || *p == '_'))
      return -1;
  cap_value_t v;
  if (cap_from_name (name, &v) < 0)
    return -1;
  return (int) v;
}

const char *
fmr_cap_name (int cap)
{
  static char names[64][40];
  if (cap < 0 || cap >= 64)
    return NULL;
  if (names[cap][0] == '\0')
    {
      char *s = cap_to_name ((cap_value_t) cap);
      /* libcap prints capabilities it has no name for as bare numbers. */
      if (s == NULL || strncmp (s, "cap_", 4) != 0)
        {
          cap_free (s);
          return NULL;
        }
      size_t i;
      for (i = 0; s[i] && i + 1 < sizeof names[cap]; i++)
        names[cap][i] = (char) toupper ((unsigned char) s[i]);
      names[cap][i] = '\0';
      cap_free (s);
    }
  return names[cap];
}

int
fmr_cap_last (void)
{
  int last = cap_max_bits () - 1;
  cleanup_file FILE *f = fopen ("/proc/sys/kernel/cap_last_cap", "re");
  int kernel;
  if (f && fscanf (f, "%d", &kernel) == 1 && kernel < last)
    last = kernel;
  return last;
}
