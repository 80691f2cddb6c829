/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_BUNDLE_H
#define FMR_BUNDLE_H

/* The bundle, parsed once into typed structures (see DESIGN.md's table).
 * After config_parse + config_validate succeed, no code reads JSON again and
 * no code re-checks what validation guaranteed: every path listed as
 * "absolute" is absolute, every name is resolved to its number, every
 * option is folded into the flag fields below.
 *
 * Strings and arrays point into doc, the parsed config (see config_json.h),
 * and are freed with it by fmr_bundle_free; only dir and config_path are
 * allocated on their own. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Prefix of fmr-run's own settings in `annotations`, so that a bundle stays
 * valid OCI: "run.fmr.timeout", "run.fmr.kill-after". */
#define FMR_ANNOTATION_PREFIX "run.fmr."

struct fmr_rlimit
{
  char *type; /* "RLIMIT_NOFILE", kept for messages */
  int resource;
  uint64_t soft, hard;
};

enum fmr_cap_set
{
  FMR_CAP_BOUNDING,
  FMR_CAP_EFFECTIVE,
  FMR_CAP_INHERITABLE,
  FMR_CAP_PERMITTED,
  FMR_CAP_AMBIENT,
  FMR_CAP_NSETS
};

struct fmr_process
{
  bool terminal;
  char **args; /* NULL-terminated, n_args >= 1 */
  size_t n_args;
  char **env; /* NULL-terminated "NAME=value" */
  size_t n_env;
  char *cwd; /* absolute */

  uid_t uid;
  gid_t gid;
  bool has_umask;
  mode_t umask;
  gid_t *additional_gids;
  size_t n_additional_gids;

  bool has_capabilities;        /* process.capabilities present */
  uint64_t caps[FMR_CAP_NSETS]; /* bit N = capability N */

  struct fmr_rlimit *rlimits;
  size_t n_rlimits;

  bool no_new_privileges;
  bool has_oom_score_adj;
  int oom_score_adj;
};

struct fmr_id_mapping
{
  uint32_t container_id, host_id, size;
};

enum fmr_mount_kind
{
  FMR_MOUNT_BIND, /* type "bind", "none" or absent with a bind/rbind option */
  FMR_MOUNT_TMPFS,
  FMR_MOUNT_PROC,
  FMR_MOUNT_DEVPTS,
  FMR_MOUNT_MQUEUE,
  FMR_MOUNT_SYSFS,
};

struct fmr_mount
{
  char *destination; /* absolute, no ".." component */
  char *type;        /* as written, may be NULL for binds */
  char *source;      /* binds: absolute, resolved against the bundle dir */
  char **options;    /* as written, NULL-terminated */
  size_t n_options;

  /* Folded from options by validation. */
  enum fmr_mount_kind kind;
  unsigned long flags;       /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, atime flags... to set */
  unsigned long clear_flags; /* the same bits explicitly cleared ("rw", "suid", "dev", "exec") */
  unsigned long propagation; /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), 0 if none */
  bool recursive;            /* rbind */
  bool recursive_ro;         /* "rro", or "ro" on a bind: read-only for every submount */
  char *data;                /* filesystem options joined with ',' ("mode=1777,size=65536k"), or NULL */

  /* Binds: the source as rootfs_resolve_sources found it on the host
   * before the sandbox was made (allocated, freed by fmr_bundle_free). */
  char *real_source;
  dev_t source_dev;
  ino_t source_ino;
  /* An idmapped bind ("idmap", or "ridmap" for every submount too): ids
   * of the source file system (containerID) shown as hostID through
   * mount_setattr(MOUNT_ATTR_IDMAP).  Validation allows only the
   * sandbox's own mapping (linux.uidMappings/gidMappings): given again
   * here, or left out. */
  bool idmap;
  bool idmap_recursive;
  struct fmr_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;
};

/* Namespace types, one bit each; values are the CLONE_NEW* flags. */
struct fmr_namespace
{
  int type;   /* CLONE_NEWUSER, CLONE_NEWNS, ... */
  char *path; /* join this one instead of creating, or NULL */
};

enum fmr_seccomp_action
{
  FMR_SCMP_KILL_THREAD, /* SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD */
  FMR_SCMP_KILL_PROCESS,
  FMR_SCMP_TRAP,
  FMR_SCMP_ERRNO,
  FMR_SCMP_TRACE,
  FMR_SCMP_LOG,
  FMR_SCMP_ALLOW,
};

struct fmr_seccomp_arg
{
  unsigned index;
  uint64_t value, value_two;
  int op; /* enum scmp_compare from seccomp.h */
};

/* A syscall has six arguments; a rule compares at most that many. */
#define FMR_SECCOMP_MAX_ARGS 6

struct fmr_seccomp_rule
{
  char **names; /* NULL-terminated */
  size_t n_names;
  int *syscall_nrs; /* resolved by validation for the native arch; -1 (__NR_SCMP_ERROR) if unknown there */
  bool *newer;      /* per name: newer than libseccomp, syscall_nrs holds its unified number (or NULL) */
  enum fmr_seccomp_action action;
  bool has_errno_ret;
  unsigned errno_ret;
  struct fmr_seccomp_arg *args;
  size_t n_args;
};

struct fmr_seccomp
{
  enum fmr_seccomp_action default_action;
  bool has_default_errno_ret;
  unsigned default_errno_ret;
  uint32_t *arches; /* SCMP_ARCH_* tokens */
  size_t n_arches;
  char **flags; /* SECCOMP_FILTER_FLAG_* names, NULL-terminated */
  size_t n_flags;
  struct fmr_seccomp_rule *rules;
  size_t n_rules;
};

struct fmr_annotation
{
  char *key, *value;
};

/* linux.sysctl: "net.ipv4.ping_group_range" -> "0 0". */
struct fmr_sysctl
{
  char *key, *value;
};

struct json_doc;

struct fmr_bundle
{
  char *dir;            /* bundle directory, absolute */
  char *config_path;    /* dir + "/config.json" */
  struct json_doc *doc; /* the parsed config, memory of everything below */

  char *oci_version;
  char *root_path; /* absolute (root.path resolved against dir) */
  bool root_readonly;

  struct fmr_process process;

  char *hostname, *domainname; /* NULL when absent */

  struct fmr_mount *mounts;
  size_t n_mounts;

  struct fmr_namespace *namespaces;
  size_t n_namespaces;
  int clone_flags; /* OR of types of namespaces without a path */

  struct fmr_id_mapping *uid_mappings, *gid_mappings;
  size_t n_uid_mappings, n_gid_mappings;

  char **masked_paths; /* NULL-terminated, absolute */
  size_t n_masked_paths;
  char **readonly_paths;
  size_t n_readonly_paths;

  struct fmr_seccomp *seccomp; /* NULL when absent */

  struct fmr_sysctl *sysctls; /* only namespaced ones, checked by validation */
  size_t n_sysctls;

  struct fmr_annotation *annotations;
  size_t n_annotations;

  /* fmr-run's own settings from annotations (FMR_ANNOTATION_PREFIX). */
  double timeout_sec;    /* 0: none */
  double kill_after_sec; /* < 0: default */
};

void fmr_bundle_free (struct fmr_bundle *b);
const struct fmr_namespace *fmr_bundle_namespace (const struct fmr_bundle *b, int type);
/* "/proc/sys/net/ipv4/ip_forward" for "net.ipv4.ip_forward"; the key was
 * checked by validation (config_sysctl.c).  Free it. */
char *fmr_sysctl_path (const char *key);

#endif
