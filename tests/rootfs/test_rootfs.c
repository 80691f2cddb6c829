/* SPDX-License-Identifier: Apache-2.0 */
/* rootfs_setup for real.  Each test forks a child that enters a user and
 * mount namespace (level 1), prepares a few host-side mounts there (a
 * submount, a nosuid/nodev/noexec tmpfs the next level sees as locked),
 * enters a second user namespace with new mount, pid, ipc (and net)
 * namespaces as the sandbox does, and forks PID 1, which calls rootfs_setup
 * with a bundle filled by hand and checks the result from inside.  The test
 * itself checks the host: its mount table and directories are unchanged. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rootfs/mounts.h"
#include "rootfs/paths.h"
#include "rootfs/rootfs.h"
#include "rootfs/sources.h"
#include "common/util.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

/* ---- host-side fixture ---- */

struct fixture
{
  char base[64];
  char *rootfs, *src_dir, *src_file, *locked;
};

static void
xmkdir (const char *path)
{
  cr_assert (mkdir (path, 0755) == 0, "mkdir %s: %s", path, strerror (errno));
}

static void
xwrite (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  cr_assert_not_null (f, "fopen %s: %s", path, strerror (errno));
  fputs (text, f);
  fclose (f);
}

static void
fixture_init (struct fixture *fx)
{
  strcpy (fx->base, "/tmp/fmr-rootfs-test-XXXXXX");
  cr_assert_not_null (mkdtemp (fx->base));
  chmod (fx->base, 0755);
  fx->rootfs = xasprintf ("%s/rootfs", fx->base);
  fx->src_dir = xasprintf ("%s/srcdir", fx->base);
  fx->src_file = xasprintf ("%s/srcfile", fx->base);
  fx->locked = xasprintf ("%s/locked", fx->base);
  xmkdir (fx->rootfs);
  xmkdir (fx->src_dir);
  xmkdir (fx->locked);
  cleanup_free char *p = xasprintf ("%s/sub", fx->src_dir);
  xmkdir (p);
  free (p), p = xasprintf ("%s/masked", fx->src_dir);
  xmkdir (p);
  free (p), p = xasprintf ("%s/masked/secret", fx->src_dir);
  xwrite (p, "secret\n");
  free (p), p = xasprintf ("%s/secretfile", fx->src_dir);
  xwrite (p, "secret\n");
  free (p), p = xasprintf ("%s/rodir", fx->src_dir);
  xmkdir (p);
  xwrite (fx->src_file, "hello from the host\n");
}

static int
remove_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove (path) < 0 ? -1 : 0;
}

/* Run by Criterion after each test, also when an assertion failed. */
static void
fixture_fini (struct fixture *fx)
{
  if (fx->base[0] == '\0')
    return;
  /* FTW_PHYS: never follow the hostile symlinks (usr -> /); FTW_MOUNT:
   * stay on this filesystem, though no mount may be left anyway. */
  if (nftw (fx->base, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
    cr_log_error ("clean up %s: %s", fx->base, strerror (errno));
  free (fx->rootfs);
  free (fx->src_dir);
  free (fx->src_file);
  free (fx->locked);
  memset (fx, 0, sizeof *fx);
}

static struct fixture the_fixture;

static void
setup (void)
{
  fixture_init (&the_fixture);
}

static void
teardown (void)
{
  fixture_fini (&the_fixture);
}

TestSuite (rootfs, .init = setup, .fini = teardown);

static char *
host_mountinfo (void)
{
  char *text = NULL;
  size_t len;
  fmr_error_t err = NULL;
  cr_assert (read_file_limited ("/proc/self/mountinfo", 1 << 24, &text, &len, &err) == 0);
  return text;
}

/* ---- the sandbox side ---- */

static int report_fd = -1;
static int failures;

#define CHECK(cond, ...)                                                                                               \
  do                                                                                                                   \
    {                                                                                                                  \
      int saved_errno_ = errno;                                                                                        \
      if (!(cond))                                                                                                     \
        {                                                                                                              \
          dprintf (report_fd, "line %d: %s: ", __LINE__, #cond);                                                       \
          dprintf (report_fd, __VA_ARGS__);                                                                            \
          dprintf (report_fd, " (errno: %s)\n", strerror (saved_errno_));                                              \
          failures++;                                                                                                  \
        }                                                                                                              \
    }                                                                                                                  \
  while (0)

static int
write_map (const char *file, const char *text)
{
  int fd = open (file, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  ssize_t n = write (fd, text, strlen (text));
  close (fd);
  return n == (ssize_t) strlen (text) ? 0 : -1;
}

/* Enter a new user namespace (plus FLAGS) where we are root, mapped to the
 * ids we had. */
static int
enter_userns (int flags)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  if (unshare (CLONE_NEWUSER | flags) < 0)
    return -1;
  char map[64];
  snprintf (map, sizeof map, "0 %u 1\n", (unsigned) uid);
  if (write_map ("/proc/self/uid_map", map) < 0 || write_map ("/proc/self/setgroups", "deny") < 0)
    return -1;
  snprintf (map, sizeof map, "0 %u 1\n", (unsigned) gid);
  return write_map ("/proc/self/gid_map", map);
}

struct scenario
{
  struct fmr_bundle *bundle;
  struct fixture *fx;
  bool new_net;
  void (*check) (struct fixture *fx);
};

static void
prepare_level1 (struct fixture *fx)
{
  cleanup_free char *sub = xasprintf ("%s/sub", fx->src_dir);
  if (mount ("tmpfs", sub, "tmpfs", 0, "size=64k") < 0)
    dprintf (report_fd, "prepare: mount %s: %s\n", sub, strerror (errno)), _exit (2);
  if (mount ("tmpfs", fx->locked, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k") < 0)
    dprintf (report_fd, "prepare: mount %s: %s\n", fx->locked, strerror (errno)), _exit (2);
}

static _Noreturn void
sandbox_pid1 (struct scenario *sc)
{
  /* FMR_TEST_DEBUG=1 shows each step of rootfs_setup. */
  struct fmr_trace trace;
  trace_start (&trace, getenv ("FMR_TEST_DEBUG") != NULL);
  fmr_error_t err = NULL;
  /* `run` resolves the bind sources before the sandbox exists. */
  if (rootfs_resolve_sources (sc->bundle, &err) < 0 || rootfs_setup (sc->bundle, NULL, &trace, &err) < 0)
    {
      cleanup_free char *text = fmr_error_text (err);
      dprintf (report_fd, "ERROR %s\n", text);
      _exit (3);
    }
  if (sc->check)
    sc->check (sc->fx);
  _exit (failures ? 1 : 0);
}

static _Noreturn void
sandbox_level1 (struct scenario *sc)
{
  if (enter_userns (CLONE_NEWNS) < 0)
    dprintf (report_fd, "level 1 namespaces: %s\n", strerror (errno)), _exit (2);
  prepare_level1 (sc->fx);
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | (sc->new_net ? CLONE_NEWNET : 0);
  if (enter_userns (flags) < 0)
    dprintf (report_fd, "sandbox namespaces: %s\n", strerror (errno)), _exit (2);
  pid_t pid = fork ();
  if (pid < 0)
    _exit (2);
  if (pid == 0)
    sandbox_pid1 (sc);
  int status;
  if (waitpid (pid, &status, 0) < 0)
    _exit (2);
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 4);
}

/* Run SC; returns the exit status and what the sandbox reported. */
static int
run_scenario (struct scenario *sc, char *report, size_t size)
{
  cleanup_free char *before = host_mountinfo ();
  int pipefd[2];
  cr_assert (pipe2 (pipefd, O_CLOEXEC) == 0);
  pid_t pid = fork ();
  cr_assert (pid >= 0);
  if (pid == 0)
    {
      close (pipefd[0]);
      report_fd = pipefd[1];
      sandbox_level1 (sc);
    }
  close (pipefd[1]);
  ssize_t n = read_all (pipefd[0], report, size - 1);
  close (pipefd[0]);
  report[n > 0 ? n : 0] = '\0';
  int status;
  cr_assert (waitpid (pid, &status, 0) == pid);
  cleanup_free char *after = host_mountinfo ();
  cr_assert_str_eq (before, after, "the host's mount table changed");
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* ---- bundles ---- */

static struct fmr_mount
mnt (enum fmr_mount_kind kind, const char *dest, const char *src, unsigned long flags, bool recursive, const char *data)
{
  return (struct fmr_mount){
    .kind = kind,
    .destination = (char *) dest,
    .source = (char *) src,
    .flags = flags,
    .recursive = recursive,
    /* What the parser does: "ro" on a bind is read-only for every submount. */
    .recursive_ro = kind == FMR_MOUNT_BIND && (flags & MS_RDONLY),
    .data = (char *) data,
  };
}

static bool
is_readonly (const char *path)
{
  struct statvfs sv;
  return statvfs (path, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

static bool
write_fails (const char *path, int expected_errno)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      close (fd);
      return false;
    }
  return errno == expected_errno;
}

static bool
fs_type_is (const char *path, long magic)
{
  struct statfs sf;
  return statfs (path, &sf) == 0 && sf.f_type == magic;
}

/* A bundle close to `fmr-run spec`'s default sandbox, plus binds that
 * exercise read-only submounts, locked flags, file binds and masking. */
struct full_bundle
{
  struct fmr_bundle b;
  struct fmr_mount mounts[11];
  char *masked[5], *readonly[4];
};

static void
full_bundle_init (struct full_bundle *fb, struct fixture *fx)
{
  memset (fb, 0, sizeof *fb);
  unsigned long hard = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  size_t n = 0;
  fb->mounts[n++] = mnt (FMR_MOUNT_BIND, "/usr", "/usr", MS_RDONLY, false, NULL);
  /* Sources a test can tell apart in mountinfo; /dev has none. */
  fb->mounts[n++] = mnt (FMR_MOUNT_TMPFS, "/tmp", "fmr-tmp", MS_NOSUID | MS_NODEV, false, "mode=1777,size=1m");
  fb->mounts[n++] = mnt (FMR_MOUNT_PROC, "/proc", "fmr-proc", hard, false, NULL);
  fb->mounts[n++] = mnt (FMR_MOUNT_TMPFS, "/dev", NULL, MS_NOSUID | MS_STRICTATIME, false, "mode=755,size=64k");
  fb->mounts[n++] = mnt (FMR_MOUNT_DEVPTS, "/dev/pts", "fmr-devpts", MS_NOSUID | MS_NOEXEC, false,
                         "newinstance,ptmxmode=0666,mode=0620,gid=5");
  fb->mounts[n++] = mnt (FMR_MOUNT_MQUEUE, "/dev/mqueue", "fmr-mqueue", hard, false, NULL);
  fb->mounts[n++] = mnt (FMR_MOUNT_SYSFS, "/sys", NULL, hard | MS_RDONLY, false, NULL);
  fb->mounts[n++] = mnt (FMR_MOUNT_BIND, "/data", fx->src_dir, MS_RDONLY, true, NULL);
  fb->mounts[n++] = mnt (FMR_MOUNT_BIND, "/etc/hostfile", fx->src_file, MS_RDONLY, false, NULL);
  fb->mounts[n++] = mnt (FMR_MOUNT_BIND, "/locked", fx->locked, MS_RDONLY, false, NULL);
  fb->mounts[n++] = mnt (FMR_MOUNT_BIND, "/rw", fx->src_dir, 0, true, NULL);
  fb->mounts[n - 1].clear_flags = MS_RDONLY;
  fb->mounts[n - 1].propagation = MS_PRIVATE | MS_REC;
  fb->b.mounts = fb->mounts;
  fb->b.n_mounts = n;
  fb->b.root_path = fx->rootfs;
  fb->b.root_readonly = true;
  char *masked[] = { "/proc/keys", "/rw/secretfile", "/rw/masked", "/no/such/path", NULL };
  char *ro[] = { "/proc/sys", "/rw/rodir", "/missing", NULL };
  memcpy (fb->masked, masked, sizeof masked);
  memcpy (fb->readonly, ro, sizeof ro);
  fb->b.masked_paths = fb->masked;
  fb->b.n_masked_paths = 4;
  fb->b.readonly_paths = fb->readonly;
  fb->b.n_readonly_paths = 3;
}

static void
check_devices (void)
{
  int fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  CHECK (fd >= 0 && write (fd, "x", 1) == 1, "write /dev/null");
  close (fd);
  char buf[16];
  memset (buf, 1, sizeof buf);
  fd = open ("/dev/zero", O_RDONLY | O_CLOEXEC);
  CHECK (fd >= 0 && read (fd, buf, sizeof buf) == (ssize_t) sizeof buf && buf[0] == 0 && buf[15] == 0,
         "read /dev/zero");
  close (fd);
  fd = open ("/dev/full", O_WRONLY | O_CLOEXEC);
  CHECK (fd >= 0 && write (fd, "x", 1) < 0 && errno == ENOSPC, "write /dev/full gives ENOSPC");
  close (fd);
  fd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
  CHECK (fd >= 0 && read (fd, buf, sizeof buf) == (ssize_t) sizeof buf, "read /dev/urandom");
  close (fd);
  struct stat st;
  CHECK (stat ("/dev/tty", &st) == 0 && S_ISCHR (st.st_mode) && major (st.st_rdev) == 5 && minor (st.st_rdev) == 0,
         "/dev/tty is the tty device");
  CHECK (stat ("/dev/random", &st) == 0 && S_ISCHR (st.st_mode), "/dev/random");

  static const char *const links[][2] = {
    { "/dev/fd", "/proc/self/fd" },       { "/dev/stdin", "/proc/self/fd/0" }, { "/dev/stdout", "/proc/self/fd/1" },
    { "/dev/stderr", "/proc/self/fd/2" }, { "/dev/ptmx", "pts/ptmx" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (links); i++)
    {
      char target[64] = "";
      ssize_t n = readlink (links[i][0], target, sizeof target - 1);
      CHECK (n > 0 && strcmp (target, links[i][1]) == 0, "%s -> %s, found `%s`", links[i][0], links[i][1], target);
    }
  CHECK (fs_type_is ("/dev/pts", 0x1cd1), "/dev/pts is devpts");
  fd = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  CHECK (fd >= 0, "open /dev/ptmx (a new pty in the sandbox's devpts)");
  close (fd);
  CHECK (fs_type_is ("/dev/mqueue", 0x19800202), "/dev/mqueue is mqueue");
}

/* The source mountinfo shows for the topmost mount on PATH, into BUF. */
static const char *
mount_source (const char *path, char *buf, size_t size)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  char line[1024];
  snprintf (buf, size, "(no mount)");
  while (f && fgets (line, sizeof line, f))
    {
      char point[512], source[256];
      /* id parent major:minor root mount-point options [optional...] - type source super-options */
      const char *sep = strstr (line, " - ");
      if (sep && sscanf (line, "%*s %*s %*s %*s %511s", point) == 1 && strcmp (point, path) == 0
          && sscanf (sep + 3, "%*s %255s", source) == 1)
        snprintf (buf, size, "%s", source);
    }
  if (f)
    fclose (f);
  return buf;
}

static void
check_sources (void)
{
  static const char *const want[][2] = {
    { "/tmp", "fmr-tmp" },        { "/proc", "fmr-proc" },         { "/dev", "tmpfs" },
    { "/dev/pts", "fmr-devpts" }, { "/dev/mqueue", "fmr-mqueue" },
  };
  char buf[256];
  for (size_t i = 0; i < ARRAY_SIZE (want); i++)
    CHECK (strcmp (mount_source (want[i][0], buf, sizeof buf), want[i][1]) == 0,
           "mountinfo source of %s is %s, found `%s`", want[i][0], want[i][1], buf);
}

static void
check_full (struct fixture *fx)
{
  CHECK (getpid () == 1, "PID 1");
  CHECK (is_readonly ("/") && write_fails ("/newfile", EROFS), "root read-only");
  CHECK (is_readonly ("/usr") && write_fails ("/usr/fmr-test", EROFS), "/usr read-only");
  CHECK (access ("/usr/bin/sh", X_OK) == 0, "/usr/bin/sh there");
  CHECK (fs_type_is ("/data/sub", TMPFS_MAGIC), "submount under /data came along (rbind)");
  CHECK (is_readonly ("/data/sub") && write_fails ("/data/sub/x", EROFS), "submount under a read-only bind read-only");
  CHECK (is_readonly ("/data") && write_fails ("/data/x", EROFS), "/data read-only");

  struct stat st;
  CHECK (fs_type_is ("/tmp", TMPFS_MAGIC) && stat ("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777,
         "/tmp tmpfs 1777");
  int fd = open ("/tmp/w", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  CHECK (fd >= 0, "/tmp writable");
  close (fd);

  CHECK (fs_type_is ("/proc", PROC_SUPER_MAGIC) && access ("/proc/1/status", R_OK) == 0, "/proc of the sandbox");
  char buf[64];
  static const char *const masked_files[] = { "/proc/keys", "/rw/secretfile" };
  for (size_t i = 0; i < ARRAY_SIZE (masked_files); i++)
    {
      CHECK (stat (masked_files[i], &st) == 0 && S_ISCHR (st.st_mode) && major (st.st_rdev) == 1
                 && minor (st.st_rdev) == 3,
             "%s masked by /dev/null", masked_files[i]);
      fd = open (masked_files[i], O_RDONLY | O_CLOEXEC);
      CHECK (fd >= 0 && read (fd, buf, sizeof buf) == 0, "masked file %s reads nothing", masked_files[i]);
      close (fd);
    }
  CHECK (access ("/rw/masked/secret", F_OK) < 0 && errno == ENOENT, "masked directory hides its files");
  CHECK (write_fails ("/rw/masked/x", EROFS), "masked directory read-only");
  CHECK (is_readonly ("/proc/sys"), "readonly path /proc/sys");
  CHECK (is_readonly ("/rw/rodir") && write_fails ("/rw/rodir/x", EROFS), "readonly path /rw/rodir");
  CHECK (!is_readonly ("/rw"), "/rw stays writable");
  fd = open ("/rw/sub/w", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  CHECK (fd >= 0, "submount of a writable rbind writable");
  close (fd);

  CHECK (is_readonly ("/sys") && fs_type_is ("/sys", 0x62656572), "/sys read-only sysfs");
  fd = open ("/etc/hostfile", O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  buf[n > 0 ? n : 0] = '\0';
  CHECK (strcmp (buf, "hello from the host\n") == 0, "file bind content `%s`", buf);
  close (fd);
  CHECK (write_fails ("/etc/hostfile", EROFS), "file bind read-only");

  struct statvfs sv;
  CHECK (statvfs ("/locked", &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID) && (sv.f_flag & ST_NODEV)
             && (sv.f_flag & ST_NOEXEC),
         "read-only bind of a locked nosuid,nodev,noexec mount keeps them");
  CHECK (access (fx->base, F_OK) < 0 && errno == ENOENT, "the host's %s is not reachable", fx->base);
  check_devices ();
  check_sources ();
}

static void
run_full (bool legacy)
{
  struct fixture fx = the_fixture;
  struct full_bundle fb;
  full_bundle_init (&fb, &fx);
  mounts_force_legacy (legacy);
  paths_force_walk (legacy);
  /* Legacy run without a network namespace: sysfs falls back to a bind. */
  struct scenario sc = { .bundle = &fb.b, .fx = &fx, .new_net = !legacy, .check = check_full };
  char report[8192];
  int status = run_scenario (&sc, report, sizeof report);
  mounts_force_legacy (false);
  paths_force_walk (false);
  cleanup_free char *mark = xasprintf ("%s/rw", fx.rootfs);
  bool created = access (mark, F_OK) == 0;
  cr_assert_eq (status, 0, "sandbox exited %d:\n%s", status, report);
  cr_assert (created, "the missing mount point /rw was created in the rootfs");
}

Test (rootfs, full_sandbox_new_mount_api)
{
  run_full (false);
}

Test (rootfs, full_sandbox_legacy_mount_and_path_walk)
{
  run_full (true);
}

/* ---- hostile rootfs: symlinks that lead out ---- */

static void
plant_escape_links (struct fixture *fx)
{
  cleanup_free char *usr = xasprintf ("%s/usr", fx->rootfs);
  cleanup_free char *tmp = xasprintf ("%s/tmp", fx->rootfs);
  cleanup_free char *up = xasprintf ("%s/up", fx->rootfs);
  cr_assert (symlink ("/", usr) == 0);
  cr_assert (symlink ("../../..", tmp) == 0);
  cr_assert (symlink ("../../../../../../../../..", up) == 0);
}

static const char *
escape_name (struct fixture *fx)
{
  return strrchr (fx->base, '/') + 1;
}

static void
check_escape (struct fixture *fx)
{
  cleanup_free char *dir = xasprintf ("/%s", escape_name (fx));
  cleanup_free char *file = xasprintf ("/lib/%s-file", escape_name (fx));
  cleanup_free char *up = xasprintf ("/%s-up", escape_name (fx));
  CHECK (fs_type_is (dir, TMPFS_MAGIC), "%s: the tmpfs for /tmp%s landed in the root", dir, dir);
  CHECK (fs_type_is (up, TMPFS_MAGIC), "%s: the tmpfs for /up%s landed in the root", up, up);
  char buf[64] = "";
  int fd = open (file, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  buf[n > 0 ? n : 0] = '\0';
  close (fd);
  CHECK (strcmp (buf, "hello from the host\n") == 0, "%s: the file bind for /usr%s landed in the root", file, file);
}

static void
run_escape (bool walk)
{
  struct fixture fx = the_fixture;
  plant_escape_links (&fx);
  const char *name = escape_name (&fx);
  cleanup_free char *d0 = xasprintf ("/tmp/%s", name);
  cleanup_free char *d1 = xasprintf ("/usr/lib/%s-file", name);
  cleanup_free char *d2 = xasprintf ("/up/%s-up", name);
  struct fmr_mount mounts[] = {
    mnt (FMR_MOUNT_TMPFS, d0, NULL, 0, false, "size=64k"),
    mnt (FMR_MOUNT_BIND, d1, fx.src_file, MS_RDONLY, false, NULL),
    mnt (FMR_MOUNT_TMPFS, d2, NULL, 0, false, "size=64k"),
  };
  struct fmr_bundle b = { .root_path = fx.rootfs, .mounts = mounts, .n_mounts = ARRAY_SIZE (mounts) };
  struct scenario sc = { .bundle = &b, .fx = &fx, .new_net = true, .check = check_escape };
  paths_force_walk (walk);
  char report[8192];
  int status = run_scenario (&sc, report, sizeof report);
  paths_force_walk (false);

  /* The host: nothing created next to / or /lib, all of it in the rootfs. */
  cleanup_free char *host_dir = xasprintf ("/%s", name);
  cleanup_free char *host_file = xasprintf ("/lib/%s-file", name);
  cleanup_free char *host_up = xasprintf ("/%s-up", name);
  cleanup_free char *in_dir = xasprintf ("%s/%s", fx.rootfs, name);
  cleanup_free char *in_file = xasprintf ("%s/lib/%s-file", fx.rootfs, name);
  bool leaked = access (host_dir, F_OK) == 0 || access (host_file, F_OK) == 0 || access (host_up, F_OK) == 0;
  bool inside = access (in_dir, F_OK) == 0 && access (in_file, F_OK) == 0;
  cr_assert_not (leaked, "a mount point was created outside the rootfs");
  cr_assert (inside, "mount points created inside the rootfs");
  cr_assert_eq (status, 0, "sandbox exited %d:\n%s", status, report);
}

Test (rootfs, escaping_symlinks_stay_inside_openat2)
{
  run_escape (false);
}

Test (rootfs, escaping_symlinks_stay_inside_walk)
{
  run_escape (true);
}

/* ---- failures name the bundle field ---- */

static void
expect_error (struct fmr_bundle *b, struct fixture *fx, const char *expected)
{
  struct scenario sc = { .bundle = b, .fx = fx, .new_net = true };
  char report[8192];
  int status = run_scenario (&sc, report, sizeof report);
  cr_assert_eq (status, 3, "rootfs_setup should fail (status %d):\n%s", status, report);
  cr_assert (strstr (report, expected) != NULL, "expected `%s` in:\n%s", expected, report);
}

Test (rootfs, missing_source_names_the_field)
{
  struct fixture fx = the_fixture;
  cleanup_free char *src = xasprintf ("%s/no-such-source", fx.base);
  struct fmr_mount mounts[] = {
    mnt (FMR_MOUNT_TMPFS, "/tmp", NULL, 0, false, NULL),
    mnt (FMR_MOUNT_BIND, "/opt/py", src, MS_RDONLY, false, NULL),
  };
  struct fmr_bundle b = { .root_path = fx.rootfs, .mounts = mounts, .n_mounts = 2 };
  cleanup_free char *expected = xasprintf ("ERROR mounts[1].source: %s: No such file or directory", src);
  expect_error (&b, &fx, expected);
  cleanup_free char *opt = xasprintf ("%s/opt", fx.rootfs);
  bool created = access (opt, F_OK) == 0;
  cr_assert_not (created, "no mount point is created for a bind whose source is missing");
}

/* src_dir holds a submount made in the outer namespace, locked in the
 * sandbox's: only an rbind may take it along. */
Test (rootfs, plain_bind_over_locked_submounts_explains)
{
  struct fixture fx = the_fixture;
  struct fmr_mount mounts[] = { mnt (FMR_MOUNT_BIND, "/data", fx.src_dir, MS_RDONLY, false, NULL) };
  struct fmr_bundle b = { .root_path = fx.rootfs, .mounts = mounts, .n_mounts = 1 };
  cleanup_free char *expected = xasprintf ("ERROR mounts[0].source: %s: has mounts below it", fx.src_dir);
  expect_error (&b, &fx, expected);
}

Test (rootfs, destination_resolving_to_the_root_is_refused)
{
  struct fixture fx = the_fixture;
  plant_escape_links (&fx);
  struct fmr_mount mounts[] = { mnt (FMR_MOUNT_BIND, "/usr", "/usr", MS_RDONLY, false, NULL) };
  struct fmr_bundle b = { .root_path = fx.rootfs, .mounts = mounts, .n_mounts = 1 };
  expect_error (&b, &fx, "ERROR mounts[0].destination: /usr: resolves to the root of the container");
}

Test (rootfs, missing_root_path_names_the_field)
{
  struct fixture fx = the_fixture;
  cleanup_free char *root = xasprintf ("%s/no-rootfs", fx.base);
  struct fmr_bundle b = { .root_path = root };
  cleanup_free char *expected = xasprintf ("ERROR root.path: %s: No such file or directory", root);
  expect_error (&b, &fx, expected);
}

Test (rootfs, bad_tmpfs_option_names_the_field)
{
  struct fixture fx = the_fixture;
  struct fmr_mount mounts[] = { mnt (FMR_MOUNT_TMPFS, "/tmp", NULL, 0, false, "size=lots") };
  struct fmr_bundle b = { .root_path = fx.rootfs, .mounts = mounts, .n_mounts = 1 };
  expect_error (&b, &fx, "ERROR mounts[0].destination: /tmp: fsconfig tmpfs `size=lots`");
}
