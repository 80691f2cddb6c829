/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving destinations inside a root holding symlinks that lead out of
 * it, with openat2 and with the userspace walk; no namespaces needed. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/mountinfo.h"
#include "rootfs/paths.h"
#include "common/util.h"

static char base[64];
static char *rootfs;

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path) < 0 ? -1 : 0;
}

static void
in_root (const char *name, const char *link_target)
{
  cleanup_free char *p = xasprintf ("%s/%s", rootfs, name);
  int r = link_target ? symlink (link_target, p) : mkdir (p, 0755);
  cr_assert (r == 0, "create %s: %s", p, strerror (errno));
}

static void
setup (void)
{
  strcpy (base, "/tmp/fmr-paths-test-XXXXXX");
  cr_assert_not_null (mkdtemp (base));
  rootfs = xasprintf ("%s/rootfs", base);
  cr_assert (mkdir (rootfs, 0755) == 0);
  in_root ("usr", "/");
  in_root ("tmp", "../../..");
  in_root ("up", "../../../../../../../../..");
  in_root ("x", NULL);
  in_root ("l1", "l2");
  in_root ("l2", "/l1");
  in_root ("mag", "/proc/self/root/etc");
}

static void
teardown (void)
{
  /* FTW_PHYS: never follow usr -> / while deleting. */
  if (nftw (base, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
    cr_log_error ("clean up %s: %s", base, strerror (errno));
  free (rootfs);
}

TestSuite (paths, .init = setup, .fini = teardown);

static void
assert_resolves_to (int root_fd, const char *path, const char *host_path, bool walk)
{
  fmr_error_t err = NULL;
  int fd = walk ? path_walk_in_root (root_fd, path, 0, &err) : path_open_in_root (root_fd, path, 0, &err);
  cleanup_free char *text = fd < 0 ? fmr_error_text (err) : NULL;
  cr_assert (fd >= 0, "%s: %s", path, text);
  struct stat a, b;
  cr_assert (fstat (fd, &a) == 0 && stat (host_path, &b) == 0);
  close (fd);
  cr_assert (a.st_dev == b.st_dev && a.st_ino == b.st_ino, "%s resolved to %s", path, host_path);
}

static void
assert_fails_with (int root_fd, const char *path, int errnum, bool walk)
{
  fmr_error_t err = NULL;
  int fd = walk ? path_walk_in_root (root_fd, path, 0, &err) : path_open_in_root (root_fd, path, 0, &err);
  if (fd >= 0)
    close (fd);
  cr_assert (fd < 0, "%s should not resolve", path);
  cr_assert_eq (err->errnum, errnum, "%s: errno %s, expected %s", path, strerror (err->errnum), strerror (errnum));
  fmr_error_release (&err);
}

static void
check_resolution (bool walk)
{
  cleanup_free char *x = xasprintf ("%s/x", rootfs);
  int root = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cr_assert (root >= 0);

  assert_resolves_to (root, "/tmp/x", x, walk);
  assert_resolves_to (root, "/usr/tmp/usr/x", x, walk);
  assert_resolves_to (root, "/up/up/x/../x/.", x, walk);
  assert_resolves_to (root, "/usr", rootfs, walk);
  /* The host has /etc/passwd; the root has no etc at all. */
  assert_fails_with (root, "/usr/etc/passwd", ENOENT, walk);
  assert_fails_with (root, "/tmp/etc", ENOENT, walk);
  assert_fails_with (root, "/mag/passwd", ENOENT, walk);
  assert_fails_with (root, "/l1/x", ELOOP, walk);

  fmr_error_t err = NULL;
  int fd
      = walk ? path_walk_in_root (root, "/usr", O_NOFOLLOW, &err) : path_open_in_root (root, "/usr", O_NOFOLLOW, &err);
  struct stat st;
  cr_assert (fd >= 0 && fstat (fd, &st) == 0 && S_ISLNK (st.st_mode), "O_NOFOLLOW opens the link itself");
  close (fd);

  /* Creating below links that lead out creates inside the root. */
  paths_force_walk (walk);
  fd = path_create_in_root (root, "/usr/lib/fmr-deep/dir", false, &err);
  int fd2 = fd >= 0 ? path_create_in_root (root, "/tmp/fmr-deep-file", true, &err) : -1;
  paths_force_walk (false);
  cr_assert (fd >= 0 && fd2 >= 0, "create mount points");
  cr_assert (fstat (fd2, &st) == 0 && S_ISREG (st.st_mode), "a file mount point is a file");
  close (fd);
  close (fd2);
  cleanup_free char *deep = xasprintf ("%s/lib/fmr-deep/dir", rootfs);
  cleanup_free char *file = xasprintf ("%s/fmr-deep-file", rootfs);
  cr_assert (access (deep, F_OK) == 0 && access (file, F_OK) == 0);
  cr_assert (access ("/lib/fmr-deep", F_OK) < 0 && access ("/fmr-deep-file", F_OK) < 0,
             "nothing created in the host's / or /lib");

  /* A dangling link is not followed out to create its target. */
  in_root ("dangling", "/nowhere/at/all");
  fd = path_create_in_root (root, "/dangling", false, &err);
  cr_assert (fd < 0 && err->errnum == ENOENT, "creating through a dangling link fails");
  fmr_error_release (&err);
  close (root);
}

Test (paths, resolution_stays_in_root_openat2)
{
  check_resolution (false);
}

Test (paths, resolution_stays_in_root_walk)
{
  check_resolution (true);
}

/* A bind source's real path and object: one open that follows no link
 * where the path is canonical and holds none, the walk otherwise; both
 * must agree, and a link stays refused where the walk refuses it. */
static void
assert_source (const char *path, const char *want_real)
{
  fmr_error_t err = NULL;
  char *real = NULL;
  struct stat st, want;
  int r = path_resolve_source (path, NULL, 0, &real, &st, &err);
  cleanup_free char *text = r < 0 ? fmr_error_text (err) : NULL;
  cr_assert (r == 0, "%s: %s", path, text);
  cr_assert_str_eq (real, want_real, "%s", path);
  cr_assert (stat (want_real, &want) == 0);
  cr_assert (st.st_dev == want.st_dev && st.st_ino == want.st_ino, "%s: another object than %s", path, want_real);
  free (real);
}

static void
check_sources (bool walk)
{
  paths_force_walk (walk);
  cleanup_free char *dir = xasprintf ("%s/x", rootfs);
  cleanup_free char *dotted = xasprintf ("%s/./x/", rootfs);
  cleanup_free char *doubled = xasprintf ("%s//x/../x", rootfs);
  assert_source (dir, dir);
  assert_source (dotted, dir);
  assert_source (doubled, dir);
  assert_source ("/", "/");
  /* A link in /etc that only root can write is followed. */
  char want[PATH_MAX];
  if (realpath ("/etc/localtime", want) != NULL && strcmp (want, "/etc/localtime") != 0)
    assert_source ("/etc/localtime", want);
  /* A link anywhere else is not, trailing or on the way. */
  for (int i = 0; i < 2; i++)
    {
      cleanup_free char *link = xasprintf (i ? "%s/usr/etc" : "%s/usr", rootfs);
      fmr_error_t err = NULL;
      char *real = NULL;
      struct stat st;
      cr_assert (path_resolve_source (link, NULL, 0, &real, &st, &err) < 0 && err->errnum == ELOOP,
                 "%s: a link in a directory a step could write was followed", link);
      fmr_error_release (&err);
    }
  paths_force_walk (false);
}

Test (paths, sources_resolve_alike_with_openat2)
{
  check_sources (false);
}

Test (paths, sources_resolve_alike_in_the_walk)
{
  check_sources (true);
}

Test (mountinfo, parse_flags)
{
  cr_assert_eq (mountinfo_parse_flags ("ro,nosuid,nodev,noexec,relatime"),
                (unsigned long) (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME));
  cr_assert_eq (mountinfo_parse_flags ("rw,noatime"), (unsigned long) MS_NOATIME);
  cr_assert_eq (mountinfo_parse_flags ("rw"), 0ul);
}
