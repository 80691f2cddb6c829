/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving a bundle path inside the new root, never outside it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rootfs/paths.h"
#include "common/syscalls.h"
#include "common/util.h"

/* struct open_how of linux/openat2.h, spelled out so that older kernel
 * headers still build. */
struct fmr_open_how
{
  uint64_t flags, mode, resolve;
};

/* Set once openat2 returned ENOSYS: a kernel property, not sandbox state. */
static bool openat2_missing;

void
paths_force_walk (bool force)
{
  openat2_missing = force;
}

int
path_open_in_root (int root_fd, const char *path, int flags, fmr_error_t *err)
{
  if (!openat2_missing)
    {
      /* RESOLVE_IN_ROOT makes "/" and ".." stop at root_fd, for the path and
       * for every symlink met on the way; magic links (/proc/self/fd/N)
       * could jump anywhere, so they are refused. */
      struct fmr_open_how how = {
        .flags = (uint64_t) (O_PATH | O_CLOEXEC | (flags & (O_DIRECTORY | O_NOFOLLOW))),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
      };
      int fd;
      do
        fd = (int) syscall (__NR_openat2, root_fd, path, &how, sizeof how);
      while (fd < 0 && (errno == EAGAIN || errno == EINTR));
      if (fd >= 0)
        return fd;
      if (errno != ENOSYS)
        return fmr_error_set (err, errno, "%s", path);
      openat2_missing = true;
    }
  return path_walk_in_root (root_fd, path, flags, err);
}

/* Drop the last component of a resolved path ("a/b/c" -> "a/b", "a" -> ""). */
static void
pop_component (char *done)
{
  char *slash = strrchr (done, '/');
  if (slash)
    *slash = '\0';
  else
    done[0] = '\0';
}

static int
reopen_resolved (int root_fd, const char *done)
{
  return openat (root_fd, done[0] ? done : ".", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static bool
only_slashes (const char *s)
{
  return s[strspn (s, "/")] == '\0';
}

/* A symlink met at COMP: splice its target in front of REST.  Returns the new
 * remaining path (allocated) or NULL with errno set. */
static char *
splice_symlink (int link_fd, const char *rest)
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (link_fd, "", target, sizeof target - 1);
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      errno = ENOENT;
      return NULL;
    }
  target[n] = '\0';
  return xasprintf ("%s/%s", target, rest);
}

/* Userspace equivalent of RESOLVE_IN_ROOT: DONE holds the components walked
 * so far (each one a real directory, never a symlink), relative to the
 * root; an absolute symlink restarts at the root and ".." never goes above
 * it.  A magic link's text is read like any symlink and resolved inside the
 * root, so it cannot jump out either.  Nothing runs in the new root yet, so
 * re-opening DONE from the root for ".." does not race with its contents. */
int
path_walk_in_root (int root_fd, const char *path, int flags, fmr_error_t *err)
{
  cleanup_free char *todo = xstrdup (path);
  cleanup_free char *done = xzalloc (strlen (path) + 1);
  size_t done_cap = strlen (path) + 1;
  cleanup_close int cur = reopen_resolved (root_fd, "");
  if (cur < 0)
    return fmr_error_set (err, errno, "%s: open the root", path);
  mode_t cur_mode = S_IFDIR;
  char *rest = todo;
  int links = 0;

  for (;;)
    {
      rest += strspn (rest, "/");
      if (*rest == '\0')
        break;
      char *comp = rest;
      size_t len = strcspn (comp, "/");
      rest = comp + len;
      if (*rest)
        *rest++ = '\0';
      bool last = only_slashes (rest);

      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          pop_component (done);
          close (cur);
          cur = reopen_resolved (root_fd, done);
          if (cur < 0)
            return fmr_error_set (err, errno, "%s", path);
          cur_mode = S_IFDIR;
          continue;
        }

      int fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return fmr_error_set (err, errno, "%s", path);
      struct stat st;
      if (fstat (fd, &st) < 0)
        {
          int saved = errno;
          close (fd);
          return fmr_error_set (err, saved, "%s: fstat", path);
        }

      if (S_ISLNK (st.st_mode) && !(last && (flags & O_NOFOLLOW)))
        {
          char *spliced = ++links > 40 ? (errno = ELOOP, NULL) : splice_symlink (fd, rest);
          int saved = errno;
          close (fd);
          if (spliced == NULL)
            return fmr_error_set (err, saved, "%s", path);
          if (spliced[0] == '/')
            {
              done[0] = '\0';
              close (cur);
              cur = reopen_resolved (root_fd, "");
              if (cur < 0)
                return fmr_error_set (err, errno, "%s", path);
              cur_mode = S_IFDIR;
            }
          free (todo);
          todo = rest = spliced;
          continue;
        }
      if (!last && !S_ISDIR (st.st_mode))
        {
          close (fd);
          return fmr_error_set (err, ENOTDIR, "%s", path);
        }

      size_t need = strlen (done) + 1 + len + 1;
      if (need > done_cap)
        {
          done_cap = need * 2;
          done = xrealloc (done, done_cap);
        }
      if (done[0])
        strcat (done, "/");
      strcat (done, comp);
      close (cur);
      cur = fd;
      cur_mode = st.st_mode;
    }

  if ((flags & O_DIRECTORY) && !S_ISDIR (cur_mode))
    return fmr_error_set (err, ENOTDIR, "%s", path);
  int ret = cur;
  cur = -1;
  return ret;
}

/* Create COMP in the directory PARENT_FD (already resolved inside the root)
 * and open it.  O_EXCL/mkdirat never follow a symlink in COMP. */
static int
create_component (int parent_fd, const char *comp, bool as_file, const char *path, fmr_error_t *err)
{
  if (as_file)
    {
      int f = openat (parent_fd, comp, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0644);
      if (f < 0 && errno != EEXIST)
        return fmr_error_set (err, errno, "%s: create the mount point", path);
      if (f >= 0)
        close (f);
    }
  else if (mkdirat (parent_fd, comp, 0755) < 0 && errno != EEXIST)
    return fmr_error_set (err, errno, "%s: create the mount point", path);

  int fd = openat (parent_fd, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC | (as_file ? 0 : O_DIRECTORY));
  if (fd < 0)
    return fmr_error_set (err, errno == ELOOP || errno == ENOTDIR ? ENOENT : errno,
                          "%s: `%s` is a dangling symbolic link or not a directory", path, comp);
  return fd;
}

int
path_create_in_root (int root_fd, const char *path, bool want_file, fmr_error_t *err)
{
  int fd = path_open_in_root (root_fd, path, 0, err);
  if (fd >= 0 || (*err)->errnum != ENOENT)
    return fd;
  fmr_error_release (err);

  /* Resolve the prefixes until one is missing, then create the rest: each
   * new component is made in a directory that was itself resolved inside
   * the root. */
  cleanup_free char *prefix = xstrdup (path);
  cleanup_close int parent = reopen_resolved (root_fd, "");
  if (parent < 0)
    return fmr_error_set (err, errno, "%s: open the root", path);
  bool missing = false;
  char *p = prefix;
  for (;;)
    {
      p += strspn (p, "/");
      if (*p == '\0')
        break;
      char *comp_end = p + strcspn (p, "/");
      bool last = only_slashes (comp_end);
      bool as_file = last && want_file;
      char saved = *comp_end;
      *comp_end = '\0';

      if (!missing)
        {
          fd = path_open_in_root (root_fd, prefix, as_file ? 0 : O_DIRECTORY, err);
          if (fd < 0 && (*err)->errnum != ENOENT)
            return -1;
          if (fd < 0)
            {
              fmr_error_release (err);
              missing = true;
            }
        }
      if (missing)
        {
          fd = create_component (parent, p, as_file, path, err);
          if (fd < 0)
            return -1;
        }
      close (parent);
      parent = fd;
      *comp_end = saved;
      p = comp_end;
    }
  int ret = parent;
  parent = -1;
  return ret;
}

/* --- bind sources on the host ------------------------------------------ */

static uid_t
overflow_uid (void)
{
  static uid_t cached = (uid_t) -1;
  if (cached == (uid_t) -1)
    {
      cached = 65534;
      char buf[32];
      int fd = open ("/proc/sys/kernel/overflowuid", O_RDONLY | O_CLOEXEC);
      if (fd >= 0)
        {
          ssize_t n = read (fd, buf, sizeof buf - 1);
          if (n > 0)
            {
              buf[n] = '\0';
              cached = (uid_t) strtoul (buf, NULL, 10);
            }
          close (fd);
        }
    }
  return cached;
}

/* A link in DIR (whose canonical path is DONE, "" for `/`) is followed
 * only when no build step could have put it there: DIR is `/` or lies in
 * /etc or /usr, which every sandbox sees read-only; it belongs to root and
 * only root may write it; and it is not inside a writable bind's source.
 * Ownership alone would not do: to a root caller, a work directory is as
 * much root's as /usr is. */
static const char *
untrusted_reason (int dir_fd, const char *done, const char *const *untrusted, size_t n_untrusted)
{
  for (size_t i = 0; i < n_untrusted; i++)
    if (path_is_under (done[0] ? done : "/", untrusted[i]))
      return "a directory inside the source of a writable bind";
  if (done[0] && !path_is_under (done, "/etc") && !path_is_under (done, "/usr"))
    return "a directory other than `/`, /etc or /usr";
  struct stat st;
  if (fstat (dir_fd, &st) < 0)
    return "a directory that cannot be examined";
  /* In a user namespace (a rootless container) the host's root shows as
   * the overflow id: not the caller either. */
  bool root_owned = st.st_uid == 0 || (st.st_uid == overflow_uid () && st.st_uid != geteuid ());
  if (!root_owned || (st.st_mode & (S_IWGRP | S_IWOTH)))
    return "a directory that someone other than root can write";
  return NULL;
}

/* "/a/b": absolute, no empty, "." or ".." component, no trailing slash. */
static bool
is_canonical (const char *path)
{
  if (path[0] != '/')
    return false;
  if (path[1] == '\0')
    return true;
  for (const char *c = path + 1;; c++)
    {
      size_t len = strcspn (c, "/");
      if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
        return false;
      c += len;
      if (*c == '\0')
        return true;
    }
}

/* Most sources hold no link at all.  One open that follows none says so,
 * and a canonical path is then its own real path: no rule below has
 * anything to decide.  Anything else (a link on the way, an error to word)
 * is left to the walk. */
static bool
resolve_linkless (const char *path, char **real, struct stat *st_out)
{
  if (!is_canonical (path))
    return false;
  cleanup_error fmr_error_t ignored = NULL;
  cleanup_close int fd = path_open_no_symlinks (path, &ignored);
  if (fd < 0 || fstat (fd, st_out) < 0)
    return false;
  *real = xstrdup (path);
  return true;
}

int
path_resolve_source (const char *path, const char *const *untrusted, size_t n_untrusted, char **real,
                     struct stat *st_out, fmr_error_t *err)
{
  if (path[0] != '/')
    return fmr_error_set (err, EINVAL, "%s: not an absolute path", path);
  if (resolve_linkless (path, real, st_out))
    return 0;
  cleanup_free char *todo = xstrdup (path);
  size_t done_cap = PATH_MAX;
  cleanup_free char *done = xzalloc (done_cap); /* canonical, "" is "/" */
  cleanup_close int cur = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return fmr_error_set (err, errno, "%s: open `/`", path);
  struct stat st;
  if (fstat (cur, &st) < 0)
    return fmr_error_set (err, errno, "%s: fstat `/`", path);
  char *rest = todo;
  int links = 0;

  for (;;)
    {
      rest += strspn (rest, "/");
      if (*rest == '\0')
        break;
      char *comp = rest;
      size_t len = strcspn (comp, "/");
      rest = comp + len;
      if (*rest)
        *rest++ = '\0';
      if (strcmp (comp, ".") == 0)
        continue;
      if (strcmp (comp, "..") == 0)
        {
          pop_component (done);
          close (cur);
          cur = open (done[0] ? done : "/", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (cur < 0 || fstat (cur, &st) < 0)
            return fmr_error_set (err, errno, "%s", path);
          continue;
        }
      int fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      struct stat cst;
      if (fd < 0 || fstat (fd, &cst) < 0)
        {
          int saved = errno;
          if (fd >= 0)
            close (fd);
          return fmr_error_set (err, saved, "%s", path);
        }
      if (S_ISLNK (cst.st_mode))
        {
          const char *why = untrusted_reason (cur, done, untrusted, n_untrusted);
          if (why)
            {
              close (fd);
              return fmr_error_set (err, ELOOP,
                                    "%s: `%s/%s` is a symbolic link in %s, which is never followed for a bind "
                                    "source (name the real path)",
                                    path, done, comp, why);
            }
          char *spliced = ++links > 40 ? (errno = ELOOP, NULL) : splice_symlink (fd, rest);
          int saved = errno;
          close (fd);
          if (spliced == NULL)
            return fmr_error_set (err, saved, "%s", path);
          if (spliced[0] == '/')
            {
              done[0] = '\0';
              close (cur);
              cur = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
              if (cur < 0 || fstat (cur, &st) < 0)
                return fmr_error_set (err, errno, "%s: open `/`", path);
            }
          free (todo);
          todo = rest = spliced;
          continue;
        }
      if (!only_slashes (rest) && !S_ISDIR (cst.st_mode))
        {
          close (fd);
          return fmr_error_set (err, ENOTDIR, "%s", path);
        }
      size_t need = strlen (done) + 1 + len + 1;
      if (need > done_cap)
        {
          done_cap = need * 2;
          done = xrealloc (done, done_cap);
        }
      strcat (done, "/");
      strcat (done, comp);
      close (cur);
      cur = fd;
      st = cst;
    }
  *real = xstrdup (done[0] ? done : "/");
  *st_out = st;
  return 0;
}

int
path_open_no_symlinks (const char *path, fmr_error_t *err)
{
  if (!openat2_missing)
    {
      struct fmr_open_how how = {
        .flags = (uint64_t) (O_PATH | O_CLOEXEC),
        .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
      };
      int fd;
      do
        fd = (int) syscall (__NR_openat2, AT_FDCWD, path, &how, sizeof how);
      while (fd < 0 && (errno == EAGAIN || errno == EINTR));
      if (fd >= 0)
        return fd;
      if (errno != ENOSYS)
        return fmr_error_set (err, errno, "%s", path);
      openat2_missing = true;
    }
  /* One component at a time, none of them followed. */
  cleanup_free char *copy = xstrdup (path);
  cleanup_close int cur = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cur < 0)
    return fmr_error_set (err, errno, "%s: open `/`", path);
  char *save = NULL;
  for (char *comp = strtok_r (copy, "/", &save); comp; comp = strtok_r (NULL, "/", &save))
    {
      if (strcmp (comp, "..") == 0)
        return fmr_error_set (err, EINVAL, "%s: `..` in a resolved path", path);
      int fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      struct stat st;
      if (fd < 0 || fstat (fd, &st) < 0)
        {
          int saved = errno;
          if (fd >= 0)
            close (fd);
          return fmr_error_set (err, saved, "%s", path);
        }
      close (cur);
      cur = fd;
      if (S_ISLNK (st.st_mode))
        return fmr_error_set (err, ELOOP, "%s", path);
    }
  int ret = cur;
  cur = -1;
  return ret;
}
