/* SPDX-License-Identifier: Apache-2.0 */
/* One function per mount kind, on descriptors resolved inside the root. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "rootfs/mountinfo.h"
#include "rootfs/mounts.h"
#include "rootfs/sources.h"
#include "common/syscalls.h"
#include "common/util.h"

struct fmr_mount_attr
{
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};

#define ATIME_FLAGS ((unsigned long) (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
#define ATTR_FLAGS ((unsigned long) (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME))

/* Set when the kernel answered ENOSYS: a property of the kernel, shared by
 * every mount of the run.  Tests force it to exercise the fallback. */
static bool legacy_api;
static bool no_mount_setattr;

void
mounts_force_legacy (bool force)
{
  legacy_api = force;
  no_mount_setattr = force;
}

static int
sys_open_tree (int dfd, const char *path, unsigned flags)
{
  return (int) syscall (__NR_open_tree, dfd, path, flags);
}

static int
sys_move_mount (int from_fd, int to_fd)
{
  return (int) syscall (__NR_move_mount, from_fd, "", to_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

static int
sys_mount_setattr (int fd, unsigned flags, struct fmr_mount_attr *attr)
{
  return (int) syscall (__NR_mount_setattr, fd, "", flags | AT_EMPTY_PATH, attr, sizeof *attr);
}

static uint64_t
ms_to_attr (unsigned long ms)
{
  uint64_t a = 0;
  a |= (ms & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0;
  a |= (ms & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0;
  a |= (ms & MS_NODEV) ? MOUNT_ATTR_NODEV : 0;
  a |= (ms & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0;
  a |= (ms & MS_NODIRATIME) ? MOUNT_ATTR_NODIRATIME : 0;
  if (ms & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (ms & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  return a;
}

static char *
fd_path (int fd)
{
  return xasprintf ("/proc/self/fd/%d", fd);
}

/* The path of FD in this mount namespace (for mountinfo and, in legacy
 * mode, to reach the mount stacked on it). */
static int
fd_real_path (int fd, char *buf, size_t size, const char *what, fmr_error_t *err)
{
  cleanup_free char *link = fd_path (fd);
  ssize_t n = readlink (link, buf, size - 1);
  if (n < 0)
    return fmr_error_set (err, errno, "%s: readlink `%s`", what, link);
  buf[n] = '\0';
  return 0;
}

/* Without mount_setattr: MS_REMOUNT each mount, keeping the locked flags. */
static int
set_flags_legacy (int mnt_fd, unsigned long set, unsigned long clear, bool recursive, const char *what,
                  fmr_error_t *err)
{
  char path[PATH_MAX];
  if (fd_real_path (mnt_fd, path, sizeof path, what, err) < 0)
    return -1;
  if (mountinfo_remount_tree (path, set, clear, recursive, err) < 0)
    return fmr_error_prefix (err, "%s", what);
  return 0;
}

static int
setattr_or_fallback (int mnt_fd, bool recursive, struct fmr_mount_attr *attr, unsigned long set, unsigned long clear,
                     const char *what, fmr_error_t *err)
{
  if (!no_mount_setattr)
    {
      if (sys_mount_setattr (mnt_fd, recursive ? AT_RECURSIVE : 0, attr) == 0)
        return 0;
      if (errno != ENOSYS)
        return fmr_error_set (err, errno, "%s: mount_setattr", what);
      no_mount_setattr = true;
    }
  return set_flags_legacy (mnt_fd, set, clear, recursive, what, err);
}

/* mount_setattr changes only the bits named in attr_set/attr_clr, so the
 * flags a user namespace locked on the source stay as they are.  The set
 * bits (ro, nosuid, nodev, noexec) reach every submount when RECURSIVE;
 * cleared bits ("rw") and the atime mode only touch the top mount: a
 * locked read-only or atime submount could not be changed anyway. */
int
mount_set_flags (int mnt_fd, unsigned long set, unsigned long clear, bool recursive, const char *what, fmr_error_t *err)
{
  unsigned long plain = set & ATTR_FLAGS;
  unsigned long atime = set & ATIME_FLAGS;
  clear &= ATTR_FLAGS | ATIME_FLAGS;
  if (recursive && plain)
    {
      struct fmr_mount_attr a = { .attr_set = ms_to_attr (plain) };
      if (setattr_or_fallback (mnt_fd, true, &a, plain, 0, what, err) < 0)
        return -1;
    }
  unsigned long top_set = (recursive ? 0 : plain) | atime;
  if (top_set == 0 && clear == 0)
    return 0;
  struct fmr_mount_attr a = {
    .attr_set = ms_to_attr (top_set),
    .attr_clr = ms_to_attr (clear & ATTR_FLAGS),
  };
  /* Any atime request (or clearing one) replaces the whole atime mode. */
  if (atime || (clear & ATIME_FLAGS))
    a.attr_clr |= MOUNT_ATTR__ATIME;
  return setattr_or_fallback (mnt_fd, false, &a, top_set, clear, what, err);
}

/* A detached copy of the tree at DFD/PATH, or an O_PATH descriptor of it
 * without the new API.  errno is kept for the caller. */
static int
clone_tree (int dfd, const char *path, bool recursive)
{
  unsigned empty = path[0] ? 0 : AT_EMPTY_PATH;
  if (!legacy_api)
    {
      int fd = sys_open_tree (dfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) | empty);
      if (fd >= 0 || errno != ENOSYS)
        return fd;
      legacy_api = true;
    }
  if (path[0] == '\0')
    return fcntl (dfd, F_DUPFD_CLOEXEC, 3);
  return openat (dfd, path, O_PATH | O_CLOEXEC);
}

/* mount(2) on /proc/self/fd/N: the kernel follows the magic link to the
 * object the descriptor holds, so no path string is walked again.  The new
 * mount is then reached through the target's path: a magic link leads to
 * the covered directory, not to what is now mounted on it. */
static int
reopen_target (int target_fd, const char *what, fmr_error_t *err)
{
  char path[PATH_MAX];
  if (fd_real_path (target_fd, path, sizeof path, what, err) < 0)
    return -1;
  int fd = open (path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return fmr_error_set (err, errno, "%s: open `%s`", what, path);
  return fd;
}

/* Attach TREE_FD (consumed) on TARGET_FD; returns the mount's descriptor. */
static int
attach_tree (int tree_fd, int target_fd, bool recursive, const char *what, fmr_error_t *err)
{
  cleanup_close int tree = tree_fd;
  if (!legacy_api)
    {
      if (sys_move_mount (tree, target_fd) < 0)
        return fmr_error_set (err, errno, "%s: move_mount", what);
      int ret = tree;
      tree = -1;
      return ret;
    }
  cleanup_free char *src = fd_path (tree);
  cleanup_free char *dst = fd_path (target_fd);
  if (mount (src, dst, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    return fmr_error_set (err, errno, "%s: mount", what);
  return reopen_target (target_fd, what, err);
}

int
mount_attach_tree (int tree_fd, int target_fd, const char *what, fmr_error_t *err)
{
  return attach_tree (tree_fd, target_fd, true, what, err);
}

int
mount_bind_at (int dfd, const char *path, int target_fd, bool recursive, bool readonly, const char *what,
               fmr_error_t *err)
{
  int tree = clone_tree (dfd, path, recursive);
  if (tree < 0)
    return fmr_error_set (err, errno, "%s: open_tree", path[0] ? path : what);
  cleanup_close int mnt = attach_tree (tree, target_fd, recursive, what, err);
  if (mnt < 0)
    return -1;
  if (readonly && mount_set_flags (mnt, MS_RDONLY, 0, recursive, what, err) < 0)
    return -1;
  int ret = mnt;
  mnt = -1;
  return ret;
}

/* The kernel's reasons for refusing MOUNT_ATTR_IDMAP, in words. */
static const char *
idmap_refusal (int errnum)
{
  switch (errnum)
    {
    case EPERM: return "no CAP_SYS_ADMIN over the file system's user namespace";
    case EINVAL: return "the file system (or one below it) does not support idmapped mounts";
    case ENOSYS: return "the kernel has no mount_setattr (Linux 5.12)";
    default: return "mount_setattr MOUNT_ATTR_IDMAP";
    }
}

int
mount_idmap_tree (int dfd, const char *path, const char *source, bool recursive, bool idmap_recursive, int userns_fd,
                  fmr_error_t *err)
{
  if (legacy_api)
    return fmr_error_set (err, ENOSYS, "%s: idmapped mount: the kernel has no open_tree (Linux 5.2)", source);
  cleanup_close int tree = sys_open_tree (
      dfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) | (path[0] ? 0 : AT_EMPTY_PATH));
  if (tree < 0 && errno == EPERM)
    return fmr_error_set (err, errno, "%s: open_tree (no CAP_SYS_ADMIN over the caller's mount namespace)", source);
  if (tree < 0)
    return fmr_error_set (err, errno, "%s: open_tree", source);
  struct fmr_mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns_fd };
  if (sys_mount_setattr (tree, idmap_recursive ? AT_RECURSIVE : 0, &a) < 0)
    return fmr_error_set (err, errno, "%s: idmapped mount refused (%s)", source, idmap_refusal (errno));
  int ret = tree;
  tree = -1;
  return ret;
}

int
mount_bind_open_source (const struct fmr_mount *m, fmr_error_t *err)
{
  cleanup_close int obj = rootfs_open_source (m, err);
  if (obj < 0)
    return -1;
  int fd = clone_tree (obj, "", m->recursive);
  /* In a user namespace the kernel refuses (EINVAL) a non-recursive bind
   * of a directory with mounts below it: it would uncover what they hide. */
  if (fd < 0 && errno == EINVAL && !m->recursive)
    return fmr_error_set (err, errno, "%s: has mounts below it, which only `rbind` can bring along (open_tree)",
                          m->source);
  if (fd < 0)
    return fmr_error_set (err, errno, "%s", m->source);
  return fd;
}

int
mount_bind (const struct fmr_mount *m, int src_fd, int target_fd, fmr_error_t *err)
{
  cleanup_close int mnt = attach_tree (src_fd, target_fd, m->recursive, m->destination, err);
  if (mnt < 0)
    return -1;
  /* "ro" on a bind is read-only for every submount too (recursive_ro). */
  bool recursive = m->recursive || m->recursive_ro;
  if (mount_set_flags (mnt, m->flags, m->clear_flags, recursive, m->destination, err) < 0)
    return -1;
  int ret = mnt;
  mnt = -1;
  return ret;
}

/* The filesystem's own explanation of a failed fsconfig, from the context's
 * message log ("e tmpfs: Bad value for 'size'"), appended to the error. */
static void
add_fs_log (int fs_fd, fmr_error_t *err)
{
  char buf[256];
  ssize_t n = read (fs_fd, buf, sizeof buf - 1);
  if (n <= 2)
    return;
  buf[n] = '\0';
  buf[strcspn (buf, "\n")] = '\0';
  fmr_error_t e = *err;
  char *msg = xasprintf ("%s (%s)", e->msg, buf + 2);
  free (e->msg);
  e->msg = msg;
}

/* Devpts' gid= names a group of the sandbox (5, "tty"); in a user namespace
 * where it is not mapped the kernel rejects it (EINVAL), and crun drops the
 * option the same way: the ptys then belong to the caller's group. */
static bool
skippable_option (const char *type, const char *key, int errnum)
{
  return errnum == EINVAL && strcmp (type, "devpts") == 0 && strcmp (key, "gid") == 0;
}

/* fsconfig each "key=value" or "flag" of the comma-separated DATA. */
static int
configure_fs (int fs_fd, const char *type, const char *data, const char *what, fmr_error_t *err)
{
  cleanup_free char *copy = xstrdup (data ? data : "");
  char *save = NULL;
  for (char *opt = strtok_r (copy, ",", &save); opt; opt = strtok_r (NULL, ",", &save))
    {
      char *value = strchr (opt, '=');
      if (value)
        *value++ = '\0';
      int r = (int) syscall (__NR_fsconfig, fs_fd, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, opt, value, 0);
      if (r < 0 && skippable_option (type, opt, errno))
        continue;
      if (r < 0)
        {
          fmr_error_set (err, errno, "%s: fsconfig %s `%s%s%s`", what, type, opt, value ? "=" : "", value ? value : "");
          add_fs_log (fs_fd, err);
          return -1;
        }
    }
  return 0;
}

/* What mountinfo shows as the mount's source: mounts[].source as written
 * ("proc", "shm"), as crun and runc record it, or the TYPE without one. */
static const char *
fs_source (const struct fmr_mount *m, const char *type)
{
  return m->source && m->source[0] ? m->source : type;
}

static int
new_fs_modern (const char *type, const char *source, const char *data, unsigned long flags, int target_fd,
               const char *what, fmr_error_t *err)
{
  cleanup_close int fs_fd = (int) syscall (__NR_fsopen, type, FSOPEN_CLOEXEC);
  if (fs_fd < 0)
    return fmr_error_set (err, errno, "%s: fsopen %s", what, type);
  if (syscall (__NR_fsconfig, fs_fd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    {
      fmr_error_set (err, errno, "%s: fsconfig %s source `%s`", what, type, source);
      add_fs_log (fs_fd, err);
      return -1;
    }
  if (configure_fs (fs_fd, type, data, what, err) < 0)
    return -1;
  if (syscall (__NR_fsconfig, fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      fmr_error_set (err, errno, "%s: fsconfig %s create", what, type);
      add_fs_log (fs_fd, err);
      return -1;
    }
  int mnt = (int) syscall (__NR_fsmount, fs_fd, FSMOUNT_CLOEXEC, (unsigned) ms_to_attr (flags));
  if (mnt < 0)
    {
      /* proc where an outer container masks /proc: "VFS: Mount too revealing". */
      fmr_error_set (err, errno, "%s: fsmount %s", what, type);
      add_fs_log (fs_fd, err);
      return -1;
    }
  return attach_tree (mnt, target_fd, false, what, err);
}

/* Without the new API: the whole data string at once; devpts retried
 * without gid= (see skippable_option). */
static int
new_fs_legacy (const char *type, const char *source, const char *data, unsigned long flags, int target_fd,
               const char *what, fmr_error_t *err)
{
  cleanup_free char *dst = fd_path (target_fd);
  unsigned long ms = flags & (ATTR_FLAGS | ATIME_FLAGS);
  if (mount (source, dst, type, ms, data) < 0)
    {
      int saved = errno;
      const char *gid = data ? strstr (data, "gid=") : NULL;
      if (gid == NULL || !skippable_option (type, "gid", saved))
        return fmr_error_set (err, saved, "%s: mount %s", what, type);
      cleanup_free char *without = xasprintf ("%.*s%s", (int) (gid - data), data, gid + strcspn (gid, ","));
      if (mount (source, dst, type, ms, without) < 0)
        return fmr_error_set (err, errno, "%s: mount %s", what, type);
    }
  return reopen_target (target_fd, what, err);
}

static int
new_fs (const char *type, const char *source, const char *data, unsigned long flags, int target_fd, const char *what,
        fmr_error_t *err)
{
  if (!legacy_api)
    {
      int r = new_fs_modern (type, source, data, flags, target_fd, what, err);
      if (r >= 0 || (*err)->errnum != ENOSYS)
        return r;
      fmr_error_release (err);
      legacy_api = true;
    }
  return new_fs_legacy (type, source, data, flags, target_fd, what, err);
}

int
mount_tmpfs (const struct fmr_mount *m, int target_fd, fmr_error_t *err)
{
  return new_fs ("tmpfs", fs_source (m, "tmpfs"), m->data, m->flags, target_fd, m->destination, err);
}

int
mount_proc (const struct fmr_mount *m, int target_fd, fmr_error_t *err)
{
  return new_fs ("proc", fs_source (m, "proc"), m->data, m->flags, target_fd, m->destination, err);
}

static bool
has_option (const char *data, const char *key)
{
  size_t n = strlen (key);
  for (const char *p = data; p && *p; p += strcspn (p, ","), p += *p == ',')
    if (strncmp (p, key, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == '='))
      return true;
  return false;
}

/* A private devpts instance (newinstance) whose ptmx anyone in the sandbox
 * can open (ptmxmode=0666), as OCI runtimes mount it. */
int
mount_devpts (const struct fmr_mount *m, int target_fd, fmr_error_t *err)
{
  cleanup_free char *data = xasprintf (
      "%s%s%s%s", m->data ? m->data : "", has_option (m->data, "newinstance") ? "" : ",newinstance",
      has_option (m->data, "ptmxmode") ? "" : ",ptmxmode=0666", has_option (m->data, "mode") ? "" : ",mode=0620");
  const char *d = data[0] == ',' ? data + 1 : data;
  return new_fs ("devpts", fs_source (m, "devpts"), d, m->flags, target_fd, m->destination, err);
}

int
mount_mqueue (const struct fmr_mount *m, int target_fd, fmr_error_t *err)
{
  return new_fs ("mqueue", fs_source (m, "mqueue"), m->data, m->flags, target_fd, m->destination, err);
}

/* sysfs is always read-only here.  In a user namespace the kernel lets a
 * fresh sysfs be mounted only by the owner of the current network
 * namespace: without a new one (network shared with the host) it says
 * EPERM, and the host's /sys is bound recursively read-only instead, which
 * shows the same network devices the sandbox can already see. */
int
mount_sysfs (const struct fmr_mount *m, int target_fd, fmr_error_t *err)
{
  int mnt = new_fs ("sysfs", fs_source (m, "sysfs"), m->data, m->flags | MS_RDONLY, target_fd, m->destination, err);
  if (mnt >= 0 || (*err)->errnum != EPERM)
    return mnt;
  fmr_error_release (err);
  return mount_bind_at (AT_FDCWD, "/sys", target_fd, true, true, m->destination, err);
}

int
mount_empty_tmpfs (int target_fd, const char *what, fmr_error_t *err)
{
  return new_fs ("tmpfs", "tmpfs", "mode=0555", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, target_fd, what, err);
}

int
mount_propagation (const struct fmr_mount *m, int mnt_fd, fmr_error_t *err)
{
  unsigned long type = m->propagation & ~(unsigned long) MS_REC;
  if (type == 0)
    return 0;
  bool recursive = (m->propagation & MS_REC) != 0;
  if (!no_mount_setattr)
    {
      struct fmr_mount_attr a = { .propagation = type };
      if (sys_mount_setattr (mnt_fd, recursive ? AT_RECURSIVE : 0, &a) == 0)
        return 0;
      if (errno != ENOSYS)
        return fmr_error_set (err, errno, "%s: mount_setattr propagation", m->destination);
      no_mount_setattr = true;
    }
  cleanup_free char *path = fd_path (mnt_fd);
  if (mount (NULL, path, NULL, m->propagation, NULL) < 0)
    return fmr_error_set (err, errno, "%s: mount propagation", m->destination);
  return 0;
}
