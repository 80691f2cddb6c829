/* SPDX-License-Identifier: Apache-2.0 */
/* What the kernel would refuse half-way through `run`, found before
 * anything is created, so that a bundle `validate` accepts also runs:
 * capability sets capset(2) refuses, mounts a user namespace may not make,
 * rlimits this caller may not raise, a working directory that will not
 * exist.  Each rule is the kernel's, named in its message. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "bundle/config_load.h"
#include "bundle/names.h"
#include "common/util.h"

/* A host with thousands of mounts (a Kubernetes node) stays well below. */
#define MOUNTINFO_MAX (16u << 20)

static bool
new_namespace (const struct fmr_bundle *b, int type)
{
  const struct fmr_namespace *ns = fmr_bundle_namespace (b, type);
  return ns && ns->path == NULL;
}

/* The first capability of SET missing from ALLOWED, or -1. */
static int
first_outside (uint64_t set, uint64_t allowed)
{
  uint64_t extra = set & ~allowed;
  return extra ? __builtin_ctzll (extra) : -1;
}

static void
check_cap_subset (struct diag_list *d, const char *field, uint64_t set, uint64_t allowed, const char *rule)
{
  int cap = first_outside (set, allowed);
  if (cap >= 0)
    {
      const char *name = fmr_cap_name (cap);
      diag_error (d, field, "%s is not in %s, which capset(2) requires", name ? name : "a capability", rule);
    }
}

/* The payload drops the bounding set first, then sets the other sets in
 * one capset, then raises the ambient ones. */
static void
check_capabilities (const struct fmr_process *p, struct diag_list *d)
{
  if (!p->has_capabilities)
    return;
  const uint64_t *c = p->caps;
  check_cap_subset (d, "process.capabilities.effective", c[FMR_CAP_EFFECTIVE], c[FMR_CAP_PERMITTED], "permitted");
  check_cap_subset (d, "process.capabilities.inheritable", c[FMR_CAP_INHERITABLE], c[FMR_CAP_BOUNDING], "bounding");
  check_cap_subset (d, "process.capabilities.ambient", c[FMR_CAP_AMBIENT],
                    c[FMR_CAP_PERMITTED] & c[FMR_CAP_INHERITABLE], "both permitted and inheritable");
}

bool
caller_has_cap (int cap)
{
  cap_t caps = cap_get_proc ();
  cap_flag_value_t v = CAP_CLEAR;
  if (caps)
    cap_get_flag (caps, cap, CAP_EFFECTIVE, &v);
  cap_free (caps);
  return v == CAP_SET;
}

/* The payload sets its rlimits inside the sandbox: a hard limit above the
 * caller's own needs CAP_SYS_RESOURCE in the host's user namespace, which
 * no process in a new user namespace has; RLIMIT_NOFILE never goes above
 * fs.nr_open. */
static void
check_rlimits (const struct fmr_bundle *b, struct diag_list *d)
{
  bool can_raise = !new_namespace (b, CLONE_NEWUSER) && caller_has_cap (CAP_SYS_RESOURCE);
  for (size_t i = 0; i < b->process.n_rlimits; i++)
    {
      const struct fmr_rlimit *r = &b->process.rlimits[i];
      struct rlimit now;
      if (getrlimit (r->resource, &now) < 0)
        continue;
      cleanup_free char *p = xasprintf ("process.rlimits[%zu].hard", i);
      unsigned long long nr_open;
      cleanup_file FILE *f = r->resource == RLIMIT_NOFILE ? fopen ("/proc/sys/fs/nr_open", "re") : NULL;
      if (f && fscanf (f, "%llu", &nr_open) == 1 && r->hard > nr_open)
        diag_error (d, p, "%s %llu is above fs.nr_open (%llu), the most the kernel allows", r->type,
                    (unsigned long long) r->hard, nr_open);
      else if (!can_raise && now.rlim_max != RLIM_INFINITY && r->hard > now.rlim_max)
        diag_error (d, p,
                    "%s %llu is above this caller's hard limit %llu, which only CAP_SYS_RESOURCE outside a "
                    "user namespace can raise",
                    r->type, (unsigned long long) r->hard, (unsigned long long) now.rlim_max);
    }
}

/* The per-mount options ("rw,nosuid,relatime") of the mount holding PATH,
 * from MOUNTINFO (the caller's /proc/self/mountinfo, read once for all the
 * mounts) by the mount id statx reports (5.8); NULL if unknown. */
static char *
mount_options_of (const char *mountinfo, const char *path)
{
  struct statx stx;
  if (mountinfo == NULL || statx (AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
    return NULL;
  /* The id is the line's first field: only that line is scanned. */
  char id[32];
  size_t n = (size_t) snprintf (id, sizeof id, "%llu ", (unsigned long long) stx.stx_mnt_id);
  for (const char *line = mountinfo; *line; line += strcspn (line, "\n"), line += *line == '\n')
    {
      char opts[512];
      if (strncmp (line, id, n) == 0 && sscanf (line, "%*s %*s %*s %*s %*s %511s", opts) == 1)
        return xstrdup (opts);
    }
  return NULL;
}

static bool
has_word (const char *list, const char *word)
{
  size_t n = strlen (word);
  for (const char *p = list; *p; p += strcspn (p, ","), p += *p == ',')
    if (strncmp (p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

/* MS_* atime bits of a mountinfo option list: no word means strictatime. */
static unsigned long
atime_of (const char *opts)
{
  unsigned long a = has_word (opts, "noatime")    ? MS_NOATIME
                    : has_word (opts, "relatime") ? MS_RELATIME
                                                  : MS_STRICTATIME;
  return a | (has_word (opts, "nodiratime") ? MS_NODIRATIME : 0);
}

#define ATIME_MODE (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* The atime mode a mount with FLAGS gets, given the one it starts with. */
static unsigned long
wanted_atime (unsigned long flags, unsigned long start)
{
  unsigned long mode = flags & ATIME_MODE ? flags & ATIME_MODE : start & ATIME_MODE;
  return mode | (flags & MS_NODIRATIME) | (start & MS_NODIRATIME);
}

/* In a new user namespace every flag of a mount copied from the host is
 * locked: a bind may not clear ro, nosuid, nodev or noexec its source's
 * mount has, nor change its atime mode; and a fresh proc or sysfs must
 * have the atime mode of the one the caller sees. */
static void
check_locked_flags (const struct fmr_mount *m, const char *mountinfo, const char *field, struct diag_list *d)
{
  const char *probe = m->kind == FMR_MOUNT_BIND ? m->source : m->kind == FMR_MOUNT_PROC ? "/proc" : "/sys";
  cleanup_free char *opts = probe ? mount_options_of (mountinfo, probe) : NULL;
  if (opts == NULL)
    return;
  static const struct
  {
    unsigned long flag;
    const char *word, *clear;
  } locked[] = {
    { MS_RDONLY, "ro", "rw" },
    { MS_NOSUID, "nosuid", "suid" },
    { MS_NODEV, "nodev", "dev" },
    { MS_NOEXEC, "noexec", "exec" },
  };
  for (size_t i = 0; m->kind == FMR_MOUNT_BIND && i < ARRAY_SIZE (locked); i++)
    if ((m->clear_flags & locked[i].flag) && has_word (opts, locked[i].word))
      diag_error (d, field, "\"%s\": %s is on a %s mount, which the kernel keeps locked in a new user namespace",
                  locked[i].clear, probe, locked[i].word);
  unsigned long have = atime_of (opts);
  unsigned long fresh = MS_RELATIME; /* a new mount's default */
  bool bind = m->kind == FMR_MOUNT_BIND;
  if (bind && !(m->flags & (ATIME_MODE | MS_NODIRATIME)))
    return; /* nothing to change */
  unsigned long want = wanted_atime (m->flags, bind ? have : fresh);
  if (want != have)
    diag_error (d, field,
                "the atime options differ from those of %s's mount (%s), which the kernel keeps locked "
                "in a new user namespace",
                probe, opts);
}

static void
check_mounts (const struct fmr_bundle *b, struct diag_list *d)
{
  bool userns = new_namespace (b, CLONE_NEWUSER);
  if (!userns)
    return;
  cleanup_free char *mountinfo = NULL;
  size_t len;
  /* Unreadable, no flag is known locked: run reports the kernel's refusal. */
  cleanup_error fmr_error_t ignored = NULL;
  if (read_file_limited ("/proc/self/mountinfo", MOUNTINFO_MAX, &mountinfo, &len, &ignored) < 0)
    mountinfo = NULL;
  char field[64], dest[64];
  for (size_t i = 0; i < b->n_mounts; i++)
    {
      const struct fmr_mount *m = &b->mounts[i];
      snprintf (field, sizeof field, "mounts[%zu].options", i);
      snprintf (dest, sizeof dest, "mounts[%zu]", i);
      /* procfs shows a pid namespace; only its owner may mount it. */
      if (m->kind == FMR_MOUNT_PROC && !new_namespace (b, CLONE_NEWPID))
        diag_error (d, dest, "a proc mount in a new user namespace needs a new pid namespace");
      /* mqueue shows an ipc namespace, likewise. */
      if (m->kind == FMR_MOUNT_MQUEUE && !new_namespace (b, CLONE_NEWIPC))
        diag_error (d, dest, "an mqueue mount in a new user namespace needs a new ipc namespace");
      if (m->kind == FMR_MOUNT_BIND || m->kind == FMR_MOUNT_PROC || m->kind == FMR_MOUNT_SYSFS)
        check_locked_flags (m, mountinfo, field, d);
    }
}

/* The last of the first N mounts whose destination holds PATH (or is it),
 * or NULL; *REST points at what follows the destination in PATH. */
static const struct fmr_mount *
covering_mount (const struct fmr_bundle *b, size_t n, const char *path, const char **rest)
{
  for (size_t i = n; i-- > 0;)
    {
      const struct fmr_mount *m = &b->mounts[i];
      size_t len = strlen (m->destination);
      if (strcmp (m->destination, "/") == 0 || strncmp (path, m->destination, len) != 0
          || (path[len] && path[len] != '/'))
        continue;
      *rest = path + len;
      return m;
    }
  return NULL;
}

/* A mount point missing inside an earlier read-only mount cannot be
 * created: a fresh tmpfs is empty, a read-only bind has only what its
 * source has. */
static void
check_mount_points (const struct fmr_bundle *b, struct diag_list *d)
{
  /* The default devices are made in the last tmpfs on /dev. */
  size_t dev = b->n_mounts;
  for (size_t i = 0; i < b->n_mounts; i++)
    if (b->mounts[i].kind == FMR_MOUNT_TMPFS && strcmp (b->mounts[i].destination, "/dev") == 0)
      dev = i;
  if (dev < b->n_mounts && (b->mounts[dev].flags & MS_RDONLY))
    {
      cleanup_free char *field = xasprintf ("mounts[%zu].options", dev);
      diag_error (d, field,
                  "\"ro\": the default devices OCI requires are made in the tmpfs on /dev, which must be "
                  "writable for that");
    }
  for (size_t i = 1; i < b->n_mounts; i++)
    {
      const char *rest;
      const struct fmr_mount *m = covering_mount (b, i, b->mounts[i].destination, &rest);
      if (m == NULL || !(m->flags & MS_RDONLY) || rest[0] == '\0')
        continue;
      cleanup_free char *field = xasprintf ("mounts[%zu].destination", i);
      struct stat st;
      cleanup_free char *in_source
          = m->kind == FMR_MOUNT_BIND && m->source ? xasprintf ("%s%s", m->source, rest) : NULL;
      if (m->kind == FMR_MOUNT_TMPFS)
        diag_error (d, field, "%s would be created in the read-only tmpfs on %s, which is empty",
                    b->mounts[i].destination, m->destination);
      else if (in_source && lstat (in_source, &st) < 0)
        diag_error (d, field, "%s would be created in the read-only bind on %s, whose source has no %s",
                    b->mounts[i].destination, m->destination, in_source);
    }
}

/* process.cwd must exist once the mounts are made: in the mount that
 * covers it last (a bind's source, or the destination of a fresh
 * filesystem itself), else in the root. */
static void
check_cwd (const struct fmr_bundle *b, struct diag_list *d)
{
  const char *cwd = b->process.cwd;
  struct stat st;
  if (cwd == NULL || b->root_path == NULL || stat (b->root_path, &st) < 0)
    return; /* root.path has its own message */
  /* A directory on the way to a mount point is made with it. */
  size_t n = strlen (cwd);
  for (size_t i = 0; i < b->n_mounts; i++)
    if (strncmp (b->mounts[i].destination, cwd, n) == 0 && (n == 1 || b->mounts[i].destination[n] == '/'))
      return;
  cleanup_free char *path = NULL;
  const char *rest;
  const struct fmr_mount *m = covering_mount (b, b->n_mounts, cwd, &rest);
  if (m && m->kind == FMR_MOUNT_BIND && m->source)
    path = xasprintf ("%s%s", m->source, rest);
  else if (m && m->kind == FMR_MOUNT_TMPFS && rest[0])
    {
      diag_error (d, "process.cwd", "%s is inside the fresh tmpfs on %s, which is empty", cwd, m->destination);
      return;
    }
  else if (m)
    return; /* the mount point itself, or inside proc or sysfs */
  if (path == NULL)
    path = xasprintf ("%s%s", b->root_path, cwd);
  if (stat (path, &st) < 0)
    diag_error (d, "process.cwd", "%s: %s (%s)", cwd, strerror (errno), path);
  else if (!S_ISDIR (st.st_mode))
    diag_error (d, "process.cwd", "%s is not a directory (%s)", cwd, path);
}

/* Without a user namespace of its own, only a caller with CAP_SYS_ADMIN
 * may create the other namespaces. */
static void
check_privilege (const struct fmr_bundle *b, struct diag_list *d)
{
  if (!new_namespace (b, CLONE_NEWUSER) && !caller_has_cap (CAP_SYS_ADMIN))
    diag_error (d, "linux.namespaces",
                "without a new user namespace, making the others needs CAP_SYS_ADMIN, which "
                "this caller lacks: add {\"type\": \"user\"} and id mappings");
}

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif
#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO (0xb7, 0x3)
#endif

/* A namespace to join must be a namespace file of its type, as `run`
 * checks again when it opens it (sandbox.c).  Opened only once statfs
 * says nsfs: opening a fifo planted there would hang. */
static void
check_namespace_paths (const struct fmr_bundle *b, struct diag_list *d)
{
  for (size_t i = 0; i < b->n_namespaces; i++)
    {
      const char *path = b->namespaces[i].path;
      if (path == NULL)
        continue;
      cleanup_free char *field = xasprintf ("linux.namespaces[%zu].path", i);
      struct statfs sfs;
      if (statfs (path, &sfs) < 0)
        {
          diag_error (d, field, "%s: %s", path, strerror (errno));
          continue;
        }
      if ((unsigned long) sfs.f_type != (unsigned long) NSFS_MAGIC)
        {
          diag_error (d, field, "%s: not a namespace file (such as /proc/PID/ns/...)", path);
          continue;
        }
      cleanup_close int fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
      int actual = fd < 0 ? -1 : ioctl (fd, NS_GET_NSTYPE);
      if (actual >= 0 && actual != b->namespaces[i].type)
        diag_error (d, field, "%s: a namespace of another type than `type`", path);
    }
}

void
config_validate_kernel (const struct fmr_bundle *b, struct diag_list *d)
{
  check_namespace_paths (b, d);
  check_privilege (b, d);
  check_capabilities (&b->process, d);
  check_rlimits (b, d);
  check_mounts (b, d);
  check_mount_points (b, d);
  check_cwd (b, d);
}
