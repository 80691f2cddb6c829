/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_NAMES_H
#define FMR_NAMES_H

#include <stdint.h>

/* The vocabularies of the bundle: every table the validator checks names
 * against, and that `features` lists.  Tables end with a {NULL, 0} entry. */

struct fmr_name_value
{
  const char *name;
  long value;
};

extern const struct fmr_name_value fmr_namespace_names[];      /* "user" -> CLONE_NEWUSER ... */
extern const struct fmr_name_value fmr_rlimit_names[];         /* "RLIMIT_NOFILE" -> RLIMIT_NOFILE ... */
extern const struct fmr_name_value fmr_seccomp_action_names[]; /* "SCMP_ACT_ERRNO" -> FMR_SCMP_ERRNO ... */
extern const struct fmr_name_value fmr_seccomp_op_names[];     /* "SCMP_CMP_EQ" -> SCMP_CMP_EQ ... */
extern const struct fmr_name_value fmr_seccomp_arch_names[];   /* "SCMP_ARCH_X86_64" -> SCMP_ARCH_X86_64 ... */
extern const struct fmr_name_value fmr_seccomp_flag_names[];   /* "SECCOMP_FILTER_FLAG_LOG" ... */

enum fmr_mount_option_kind
{
  FMR_MOPT_SET,         /* sets flag in fmr_mount.flags ("ro", "nosuid") */
  FMR_MOPT_CLEAR,       /* sets flag in fmr_mount.clear_flags ("rw", "suid") */
  FMR_MOPT_PROPAGATION, /* fmr_mount.propagation ("private", "rslave") */
  FMR_MOPT_BIND,        /* "bind" */
  FMR_MOPT_RBIND,       /* "rbind" */
  FMR_MOPT_RRO,         /* "rro": recursive read-only */
  FMR_MOPT_RRW,         /* "rrw" */
  FMR_MOPT_IDMAP,       /* "idmap", "ridmap" (flag: MS_REC) */
};

struct fmr_mount_option
{
  const char *name;
  enum fmr_mount_option_kind kind;
  unsigned long flag;
};

/* Every generic option fmr-run accepts; filesystem data options (mode=,
 * size=, newinstance, ptmxmode=, gid=, ...) are checked per mount type. */
extern const struct fmr_mount_option fmr_mount_options[];
const struct fmr_mount_option *fmr_mount_option_lookup (const char *name);

/* -1 when unknown. */
long fmr_name_lookup (const struct fmr_name_value *table, const char *name);

/* Capabilities through libcap: "CAP_CHOWN" -> 0; -1 when unknown.
 * fmr_cap_name returns a static upper-case "CAP_..." or NULL. */
int fmr_cap_from_name (const char *name);
const char *fmr_cap_name (int cap);
/* Highest capability number known to both libcap and the running kernel. */
int fmr_cap_last (void);

/* Syscalls of the kernel's unified table (424 and up), for those newer
 * than libseccomp: the number on the native architecture, or on the
 * libseccomp architecture ARCH (with its base added); -1 when NAME is not
 * in the table (or ARCH's base is unknown). */
int fmr_syscall_unified_nr (const char *name);
int fmr_syscall_unified_nr_arch (uint32_t arch, const char *name);

#endif
