/* SPDX-License-Identifier: Apache-2.0 */
/* The root filesystem of the sandbox: the sequence of rootfs_setup. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs/devices.h"
#include "rootfs/mounts.h"
#include "rootfs/paths.h"
#include "rootfs/pidlimit.h"
#include "rootfs/sysctl.h"
#include "rootfs/rootfs.h"
#include "common/util.h"

static const char *
mount_kind_name (enum fmr_mount_kind kind)
{
  switch (kind)
    {
    case FMR_MOUNT_BIND: return "bind";
    case FMR_MOUNT_TMPFS: return "tmpfs";
    case FMR_MOUNT_PROC: return "proc";
    case FMR_MOUNT_DEVPTS: return "devpts";
    case FMR_MOUNT_MQUEUE: return "mqueue";
    case FMR_MOUNT_SYSFS: return "sysfs";
    }
  return "?";
}

/* root.path bound onto itself: pivot_root needs a mount point, and the
 * descriptor of that mount is the root every destination is resolved in. */
static int
open_root (const struct fmr_bundle *b, fmr_error_t *err)
{
  int fd = open (b->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "root.path: %s", b->root_path);
  return fd;
}

static int
bind_root (const struct fmr_bundle *b, int given, int tree, fmr_error_t *err)
{
  cleanup_close int target = given >= 0 ? given : open_root (b, err);
  if (target < 0)
    {
      if (tree >= 0)
        close (tree);
      return -1;
    }
  if (tree >= 0)
    {
      int root = mount_attach_tree (tree, target, b->root_path, err);
      return root < 0 ? fmr_error_prefix (err, "root.path") : root;
    }
  int root = mount_bind_at (target, "", target, true, false, b->root_path, err);
  if (root < 0)
    return fmr_error_prefix (err, "root.path");
  return root;
}

static bool
same_inode (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The mount itself, on TARGET (the destination resolved inside the root);
 * SRC is the bind's source tree, consumed. */
static int
mount_by_kind (const struct fmr_mount *m, int src, int target, fmr_error_t *err)
{
  switch (m->kind)
    {
    case FMR_MOUNT_BIND: return mount_bind (m, src, target, err);
    case FMR_MOUNT_TMPFS: return mount_tmpfs (m, target, err);
    case FMR_MOUNT_PROC: return mount_proc (m, target, err);
    case FMR_MOUNT_DEVPTS: return mount_devpts (m, target, err);
    case FMR_MOUNT_MQUEUE: return mount_mqueue (m, target, err);
    case FMR_MOUNT_SYSFS: return mount_sysfs (m, target, err);
    }
  return fmr_error_set (err, EINVAL, "%s: unknown mount kind %d", m->destination, (int) m->kind);
}

static int
setup_mount (int root, const struct stat *root_st, const struct fmr_mount *m, size_t i, int given_src, fmr_error_t *err)
{
  /* The source is opened first: its type decides whether a missing mount
   * point is created as a file or a directory. */
  cleanup_close int src = -1;
  bool want_file = false;
  if (m->kind == FMR_MOUNT_BIND)
    {
      /* An idmapped bind comes ready from the outer fmr-run. */
      src = given_src >= 0 ? given_src : mount_bind_open_source (m, err);
      if (src < 0)
        return fmr_error_prefix (err, "mounts[%zu].source", i);
      struct stat st;
      if (fstat (src, &st) < 0)
        return fmr_error_prefix (err, "mounts[%zu].source", i),
               fmr_error_set (err, errno, "mounts[%zu].source: %s: fstat", i, m->source);
      want_file = !S_ISDIR (st.st_mode);
    }

  cleanup_close int target = path_create_in_root (root, m->destination, want_file, err);
  if (target < 0)
    return fmr_error_prefix (err, "mounts[%zu].destination", i);
  /* `usr -> /` resolves to the root itself: a mount there would cover the
   * whole root (and hide it from the descriptor the rest is built on). */
  struct stat st;
  if (fstat (target, &st) < 0)
    return fmr_error_set (err, errno, "mounts[%zu].destination: %s: fstat", i, m->destination);
  if (same_inode (&st, root_st))
    return fmr_error_set (err, 0, "mounts[%zu].destination: %s: resolves to the root of the container", i,
                          m->destination);

  int src_owned = src;
  src = -1;
  cleanup_close int mnt = mount_by_kind (m, src_owned, target, err);
  if (mnt < 0 || mount_propagation (m, mnt, err) < 0)
    return fmr_error_prefix (err, "mounts[%zu].destination", i);
  return 0;
}

static bool
is_dev (const char *path)
{
  size_t n = strlen (path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  return n == 4 && strncmp (path, "/dev", 4) == 0;
}

/* The OCI default devices, when the bundle mounts a tmpfs on /dev.  Run
 * after every mount so that /dev/pts (devpts) is in place for ptmx. */
static int
setup_dev (int root, const struct fmr_bundle *b, fmr_error_t *err)
{
  size_t i, dev_index = b->n_mounts;
  for (i = 0; i < b->n_mounts; i++)
    if (b->mounts[i].kind == FMR_MOUNT_TMPFS && is_dev (b->mounts[i].destination))
      dev_index = i;
  if (dev_index == b->n_mounts)
    return 0;
  cleanup_close int dev = path_open_in_root (root, "/dev", O_DIRECTORY, err);
  if (dev < 0 || devices_setup (dev, err) < 0)
    return fmr_error_prefix (err, "mounts[%zu].destination", dev_index);
  return 0;
}

/* A path that does not exist is skipped, as OCI runtimes do. */
static int
open_existing (int root, const char *path, fmr_error_t *err)
{
  int fd = path_open_in_root (root, path, 0, err);
  if (fd < 0 && (*err)->errnum == ENOENT)
    {
      fmr_error_release (err);
      return -2;
    }
  return fd;
}

/* /dev/null bound read-only over a file (the host's node: see
 * devices.c), an empty read-only tmpfs over a directory. */
static int
mask_paths (int root, const struct fmr_bundle *b, fmr_error_t *err)
{
  for (size_t i = 0; i < b->n_masked_paths; i++)
    {
      const char *path = b->masked_paths[i];
      cleanup_close int fd = open_existing (root, path, err);
      if (fd == -2)
        continue;
      struct stat st;
      if (fd < 0 || fstat (fd, &st) < 0)
        return fd < 0 ? fmr_error_prefix (err, "linux.maskedPaths[%zu]", i)
                      : fmr_error_set (err, errno, "linux.maskedPaths[%zu]: %s: fstat", i, path);
      cleanup_close int mnt = S_ISDIR (st.st_mode) ? mount_empty_tmpfs (fd, path, err)
                                                   : mount_bind_at (AT_FDCWD, "/dev/null", fd, false, true, path, err);
      if (mnt < 0)
        return fmr_error_prefix (err, "linux.maskedPaths[%zu]", i);
    }
  return 0;
}

/* A read-only recursive bind of each path onto itself. */
static int
readonly_paths (int root, const struct fmr_bundle *b, fmr_error_t *err)
{
  for (size_t i = 0; i < b->n_readonly_paths; i++)
    {
      const char *path = b->readonly_paths[i];
      cleanup_close int fd = open_existing (root, path, err);
      if (fd == -2)
        continue;
      if (fd < 0)
        return fmr_error_prefix (err, "linux.readonlyPaths[%zu]", i);
      cleanup_close int mnt = mount_bind_at (fd, "", fd, true, true, path, err);
      if (mnt < 0)
        return fmr_error_prefix (err, "linux.readonlyPaths[%zu]", i);
    }
  return 0;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it
 * leaves no path of the host reachable (the technique of runc and crun). */
static int
pivot_into (int root, fmr_error_t *err)
{
  if (fchdir (root) < 0)
    return fmr_error_set (err, errno, "root.path: fchdir");
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return fmr_error_set (err, errno, "root.path: pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return fmr_error_set (err, errno, "root.path: detach the old root");
  if (chdir ("/") < 0)
    return fmr_error_set (err, errno, "root.path: chdir `/`");
  return 0;
}

void
rootfs_sources_init (struct rootfs_sources *src, const struct fmr_bundle *b)
{
  src->root = src->root_tree = -1;
  src->n = b->n_mounts;
  src->binds = xcalloc (src->n ? src->n : 1, sizeof *src->binds);
  for (size_t i = 0; i < src->n; i++)
    src->binds[i] = -1;
}

void
rootfs_sources_release (struct rootfs_sources *src)
{
  if (src->root >= 0)
    close (src->root);
  if (src->root_tree >= 0)
    close (src->root_tree);
  for (size_t i = 0; src->binds && i < src->n; i++)
    if (src->binds[i] >= 0)
      close (src->binds[i]);
  free (src->binds);
  memset (src, 0, sizeof *src);
  src->root = src->root_tree = -1;
}

int
rootfs_open_sources (const struct fmr_bundle *b, struct rootfs_sources *src, fmr_error_t *err)
{
  if (src->root < 0 && (src->root = open_root (b, err)) < 0)
    return -1;
  for (size_t i = 0; i < b->n_mounts && i < src->n; i++)
    if (b->mounts[i].kind == FMR_MOUNT_BIND && src->binds[i] < 0
        && (src->binds[i] = mount_bind_open_source (&b->mounts[i], err)) < 0)
      return fmr_error_prefix (err, "mounts[%zu].source", i);
  return 0;
}

/* Masked and read-only paths and the read-only root are done before
 * pivot_root, all resolved inside the new root as they would be after it:
 * the host's /dev/null is the masking file whether or not the bundle
 * mounts /dev, and the mount(2) fallback still finds /proc/self/fd. */
int
rootfs_setup (const struct fmr_bundle *b, struct rootfs_sources *src, struct fmr_trace *trace, fmr_error_t *err)
{
  /* Nothing done below may propagate back to the caller's mounts. */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return fmr_error_set (err, errno, "make the mount tree private: mount `/`");
  trace_step (trace, "mount tree private");

  int given_root = src ? src->root : -1, root_tree = src ? src->root_tree : -1;
  if (src)
    src->root = src->root_tree = -1; /* consumed */
  cleanup_close int root = bind_root (b, given_root, root_tree, err);
  if (root < 0)
    return -1;
  struct stat root_st;
  if (fstat (root, &root_st) < 0)
    return fmr_error_set (err, errno, "root.path: %s: fstat", b->root_path);
  trace_step (trace, "root.path bound");

  for (size_t i = 0; i < b->n_mounts; i++)
    {
      int given = src && src->binds ? src->binds[i] : -1;
      if (src && src->binds)
        src->binds[i] = -1; /* consumed */
      if (setup_mount (root, &root_st, &b->mounts[i], i, given, err) < 0)
        return -1;
      trace_step (trace, "mounts[%zu] %s %s", i, mount_kind_name (b->mounts[i].kind), b->mounts[i].destination);
    }
  /* Through the fresh proc, before linux.readonlyPaths makes /proc/sys
   * read-only. */
  pidlimit_apply (b, trace, root);
  if (sysctl_apply (root, b, err) < 0)
    return -1;
  if (b->n_sysctls)
    trace_step (trace, "linux.sysctl");

  if (setup_dev (root, b, err) < 0)
    return -1;
  trace_step (trace, "default devices");
  if (mask_paths (root, b, err) < 0)
    return -1;
  trace_step (trace, "linux.maskedPaths");
  if (readonly_paths (root, b, err) < 0)
    return -1;
  trace_step (trace, "linux.readonlyPaths");
  /* Only the root mount: the tmpfs and binds on it keep their own flags. */
  if (b->root_readonly && mount_set_flags (root, MS_RDONLY, 0, false, b->root_path, err) < 0)
    return fmr_error_prefix (err, "root.readonly");
  trace_step (trace, "root.readonly");

  if (pivot_into (root, err) < 0)
    return -1;
  trace_step (trace, "pivot_root");
  return 0;
}
