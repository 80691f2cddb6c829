/* SPDX-License-Identifier: Apache-2.0 */
/* What `spec` needs to know about the host: which top-level directories
 * are usr-merge links, which are real, and which /etc files exist; and the
 * rootfs/ directory holding those links. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/spec.h"
#include "common/util.h"

static const char *const topdirs[SPEC_MAX_TOPDIRS] = { "bin", "lib", "lib32", "lib64", "libx32", "sbin" };

/* Only what a build needs from /etc.  Not all of it: /etc/pip.conf,
 * /etc/uv/uv.toml, /etc/netrc-style files, git credential helpers in
 * /etc/gitconfig and SSH host keys can hold credentials or point at them,
 * and the build backend must not read those. */
static const char *const etc_files[] = {
  "/etc/ld.so.cache",
  "/etc/ld.so.conf",
  "/etc/ld.so.conf.d",
  "/etc/passwd",
  "/etc/group",
  "/etc/nsswitch.conf",
  "/etc/hosts",
  "/etc/host.conf",
  "/etc/localtime",
  "/etc/os-release",
  "/etc/alternatives",
  "/etc/ssl/certs",
  "/etc/ca-certificates.conf",
};

static int
read_link (const char *path, char **out, fmr_error_t *err)
{
  char buf[PATH_MAX];
  ssize_t n = readlink (path, buf, sizeof buf - 1);
  if (n < 0)
    return fmr_error_set (err, errno, "readlink `%s`", path);
  buf[n] = '\0';
  *out = xstrdup (buf);
  return 0;
}

static int
probe_topdirs (struct spec_host *h, fmr_error_t *err)
{
  h->system_dirs[h->n_system_dirs++] = "/usr";
  for (size_t i = 0; i < SPEC_MAX_TOPDIRS; i++)
    {
      cleanup_free char *path = xasprintf ("/%s", topdirs[i]);
      struct stat st;
      if (lstat (path, &st) < 0)
        {
          if (errno == ENOENT)
            continue;
          return fmr_error_set (err, errno, "lstat `%s`", path);
        }
      if (S_ISLNK (st.st_mode))
        {
          if (read_link (path, &h->links[h->n_links].target, err) < 0)
            return -1;
          h->links[h->n_links++].name = topdirs[i];
        }
      else if (S_ISDIR (st.st_mode))
        h->system_dirs[h->n_system_dirs++] = xstrdup (path);
    }
  return 0;
}

int
spec_host_probe (struct spec_host *h, bool network, fmr_error_t *err)
{
  memset (h, 0, sizeof *h);
  if (probe_topdirs (h, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (etc_files); i++)
    {
      struct stat st;
      /* stat, not lstat: a dangling link (say /etc/localtime) is left out. */
      if (stat (etc_files[i], &st) == 0)
        h->etc_files[h->n_etc_files++] = etc_files[i];
    }
  /* Name resolution only matters when the network is shared. */
  struct stat st;
  if (network && stat ("/etc/resolv.conf", &st) == 0)
    h->etc_files[h->n_etc_files++] = "/etc/resolv.conf";
  return 0;
}

void
spec_host_release (struct spec_host *h)
{
  for (size_t i = 0; i < h->n_links; i++)
    free (h->links[i].target);
  /* system_dirs[0] is the literal "/usr"; the others were allocated. */
  for (size_t i = 1; i < h->n_system_dirs; i++)
    free ((char *) h->system_dirs[i]);
  memset (h, 0, sizeof *h);
}

/* An existing link with the same target is fine (spec --force on an old
 * bundle); anything else in its place is the caller's and stays. */
static int
make_link (int rootfd, const char *name, const char *target, fmr_error_t *err)
{
  if (symlinkat (target, rootfd, name) == 0)
    return 0;
  if (errno != EEXIST)
    return fmr_error_set (err, errno, "symlink `rootfs/%s` -> `%s`", name, target);
  char buf[PATH_MAX];
  ssize_t n = readlinkat (rootfd, name, buf, sizeof buf - 1);
  if (n >= 0)
    {
      buf[n] = '\0';
      if (strcmp (buf, target) == 0)
        return 0;
    }
  return fmr_error_set (err, EEXIST, "rootfs/%s exists and is not a link to `%s`", name, target);
}

int
spec_rootfs_write (const char *dir, const struct spec_host *h, fmr_error_t *err)
{
  cleanup_free char *rootfs = xasprintf ("%s/rootfs", dir);
  if (mkdir (rootfs, 0755) < 0 && errno != EEXIST)
    return fmr_error_set (err, errno, "mkdir `%s`", rootfs);
  cleanup_close int fd = open (rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", rootfs);
  for (size_t i = 0; i < h->n_links; i++)
    if (make_link (fd, h->links[i].name, h->links[i].target, err) < 0)
      return -1;
  return 0;
}

/* Create DEST (a file or a directory) under the directory ROOT, each
 * component opened without following links.  Existing ones are kept; a
 * link or a non-directory on the way leaves DEST to `run`. */
static int
make_mount_point (int root, const char *dest, bool file, const char *rootfs, fmr_error_t *err)
{
  cleanup_free char *copy = xstrdup (dest);
  cleanup_close int dir = fcntl (root, F_DUPFD_CLOEXEC, 3);
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      bool last = save == NULL || *save == '\0';
      if (last && file)
        {
          int f = openat (dir, c, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (f < 0 && errno != EEXIST)
            return fmr_error_set (err, errno, "`%s%s`: create the mount point", rootfs, dest);
          if (f >= 0)
            close (f);
          return 0;
        }
      if (mkdirat (dir, c, 0755) < 0 && errno != EEXIST)
        return fmr_error_set (err, errno, "`%s%s`: create the mount point", rootfs, dest);
      int next = openat (dir, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        return 0; /* a link (usr-merge) or a file: `run` resolves it */
      close (dir);
      dir = next;
    }
  return 0;
}

/* Under the sandbox's own tmpfs and kernel file systems: made at run. */
static bool
made_at_run (const char *dest)
{
  static const char *const tops[] = { "/proc", "/dev", "/tmp", NULL };
  for (size_t i = 0; tops[i]; i++)
    {
      size_t n = strlen (tops[i]);
      if (strncmp (dest, tops[i], n) == 0 && dest[n] == '/')
        return true;
    }
  return false;
}

static bool
is_file (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && !S_ISDIR (st.st_mode);
}

int
spec_rootfs_mount_points (const char *dir, const struct spec_options *o, const struct spec_host *h, fmr_error_t *err)
{
  static const char *const kernel_dirs[] = { "/proc", "/dev", "/tmp", NULL };
  cleanup_free char *rootfs = xasprintf ("%s/rootfs", dir);
  cleanup_close int fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", rootfs);
  for (size_t i = 0; kernel_dirs[i]; i++)
    if (make_mount_point (fd, kernel_dirs[i], false, rootfs, err) < 0)
      return -1;
  for (size_t i = 0; i < h->n_system_dirs; i++)
    if (make_mount_point (fd, h->system_dirs[i], false, rootfs, err) < 0)
      return -1;
  for (size_t i = 0; i < h->n_etc_files; i++)
    if (make_mount_point (fd, h->etc_files[i], is_file (h->etc_files[i]), rootfs, err) < 0)
      return -1;
  for (size_t i = 0; i < o->n_binds; i++)
    if (!made_at_run (o->binds[i].path)
        && make_mount_point (fd, o->binds[i].path, is_file (o->binds[i].path), rootfs, err) < 0)
      return -1;
  return 0;
}
