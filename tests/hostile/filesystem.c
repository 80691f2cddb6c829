/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 10, 11, 19, 24-26, 28, 29: the file system. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hostile.h"

/* Numbers of calls that older libcs have no wrapper (or name) for; the
 * same on every architecture. */
#define NR_OPEN_TREE 428
#define NR_MOVE_MOUNT 429
#define NR_FSOPEN 430
#define NR_MOUNT_SETATTR 442
#define NR_OPENAT2 437
#define NR_FCHMODAT2 452
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif

static char *
join (const char *dir, const char *name)
{
  char *p;
  if (asprintf (&p, "%s/%s", dir, name) < 0)
    abort ();
  return p;
}

/* "VERB:PATH" as the WHAT of a report line. */
static void
report_at (const char *verb, const char *path, long r)
{
  char what[4200];
  snprintf (what, sizeof what, "%s:%s", verb, path);
  report (what, r);
}

/* Attack 10: new names in each DIR (outside the writable binds): NAME,
 * NAME.d and NAME.l. */
ATTACK (write_outside, "write-outside", "NAME DIR...");
static int
write_outside (int argc, char **argv)
{
  if (argc < 3)
    return 2;
  for (int i = 2; i < argc; i++)
    {
      char p[4200];
      snprintf (p, sizeof p, "%s/%s", argv[i], argv[1]);
      int fd = open (p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      report_at ("create", argv[i], fd);
      if (fd >= 0)
        close (fd);
      snprintf (p, sizeof p, "%s/%s.d", argv[i], argv[1]);
      report_at ("mkdir", argv[i], mkdir (p, 0755));
      snprintf (p, sizeof p, "%s/%s.l", argv[i], argv[1]);
      report_at ("symlink", argv[i], symlink ("/", p));
    }
  return 0;
}

/* Attack 10: change each existing FILE (outside the writable binds). */
ATTACK (modify_outside, "modify-outside", "FILE...");
static int
modify_outside (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      const char *f = argv[i];
      int fd = open (f, O_WRONLY | O_APPEND | O_CLOEXEC);
      long r = fd < 0 ? -1 : write (fd, "fmr-hostile\n", 12);
      report_at ("append", f, r);
      if (fd >= 0)
        close (fd);
      report_at ("chmod", f, chmod (f, 0600));
      report_at ("truncate", f, truncate (f, 0));
      char to[4200];
      snprintf (to, sizeof to, "%s.fmr-hostile-x", f);
      int renamed = rename (f, to);
      report_at ("rename", f, renamed);
      report_at ("unlink", f, unlink (renamed == 0 ? to : f));
    }
  return 0;
}

/* Attack 11: the mount calls, old and new API. */
static void
try_mounts (void)
{
  report ("mount-tmpfs", mount ("tmpfs", "/tmp", "tmpfs", 0, NULL));
  report ("mount-bind-root", mount ("/", "/tmp", NULL, MS_BIND | MS_REC, NULL));
  report ("remount-root-rw", mount (NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
  report ("umount2-usr", umount2 ("/usr", MNT_DETACH));
  report ("umount2-root", umount2 ("/", MNT_DETACH));
  report ("pivot_root", syscall (SYS_pivot_root, ".", "."));
  report ("fsopen", syscall (NR_FSOPEN, "tmpfs", 0));
  report ("open_tree", syscall (NR_OPEN_TREE, AT_FDCWD, "/", OPEN_TREE_CLONE));
  report ("move_mount", syscall (NR_MOVE_MOUNT, AT_FDCWD, "/usr", AT_FDCWD, "/tmp", 0));
  report ("mount_setattr", syscall (NR_MOUNT_SETATTR, AT_FDCWD, "/", 0, NULL, 0));
}

/* Attack 11: the classic chroot escape (a chroot below the current
 * directory leaves it outside the new root, so ".." climbs past it), then
 * what "/" is afterwards and whether HOST_PATH (only the host has it) can
 * be seen. */
ATTACK (mount_escape, "mount-escape", "HOST_PATH");
static int
mount_escape (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  try_mounts ();
  struct stat before, after;
  report ("stat-root", stat ("/", &before));
  report ("mkdir-jail", mkdir ("fmr-hostile-jail", 0755));
  report ("chroot-jail", chroot ("fmr-hostile-jail"));
  int climbed = 0;
  for (int i = 0; i < 64; i++)
    climbed += chdir ("..") == 0;
  report_value ("chdir-dotdot-ok", "%d", climbed);
  report ("chroot-dot", chroot ("."));
  report ("stat-root-after", stat ("/", &after));
  report_value ("root-same", "%s", before.st_dev == after.st_dev && before.st_ino == after.st_ino ? "yes" : "no");
  report ("stat-host-path", stat (argv[1], &after));
  report ("stat-host-path-relative", stat (argv[1] + strspn (argv[1], "/"), &after));
  return 0;
}

static void
try_mknod (const char *dir, const char *name, mode_t mode, dev_t dev)
{
  char *p = join (dir, name);
  report_at (name, dir, mknod (p, mode, dev));
  free (p);
}

/* The names qsort compares are char *; strcmp takes them by value. */
static int
cmp_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
list_dev (void)
{
  DIR *d = opendir ("/dev");
  if (d == NULL)
    {
      report ("dev", -1);
      return;
    }
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir (d)) && n < 256)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      names[n++] = strdup (e->d_name);
  closedir (d);
  qsort (names, (size_t) n, sizeof *names, cmp_names);
  char list[8192] = "";
  for (int i = 0; i < n; i++)
    {
      if (strlen (list) + strlen (names[i]) + 2 < sizeof list)
        strcat (strcat (list, i ? "," : ""), names[i]);
      free (names[i]);
    }
  report_value ("dev", "%s", list);
}

/* Attack 19: device nodes in each DIR (a FIFO and a regular file are
 * allowed), the host's block devices and memory, the listing of /dev. */
ATTACK (devices, "devices", "DIR...");
static int
devices (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      try_mknod (argv[i], "fmr-hostile-chr", S_IFCHR | 0600, makedev (1, 3));
      try_mknod (argv[i], "fmr-hostile-blk", S_IFBLK | 0600, makedev (7, 0));
      try_mknod (argv[i], "fmr-hostile-fifo", S_IFIFO | 0600, 0);
      try_mknod (argv[i], "fmr-hostile-reg", S_IFREG | 0600, 0);
    }
  static const char *const host[] = { "/dev/sda", "/dev/vda", "/dev/nvme0n1", "/dev/loop0", "/dev/mem", "/dev/kmsg" };
  for (size_t i = 0; i < sizeof host / sizeof host[0]; i++)
    try_open (host[i], host[i], O_RDONLY);
  list_dev ();
  return 0;
}

/* Attack 24: write PATH until the file system is full. */
ATTACK (fill_tmp, "fill-tmp", "PATH");
static int
fill_tmp (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  int fd = open (argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (report ("create", fd) < 0)
    return 0;
  struct statvfs vfs;
  if (report ("statvfs", fstatvfs (fd, &vfs)) == 0)
    report_value ("size", "%llu", (unsigned long long) vfs.f_blocks * vfs.f_frsize);
  static char chunk[1 << 20];
  memset (chunk, 'x', sizeof chunk);
  unsigned long long total = 0;
  ssize_t n;
  while ((n = write (fd, chunk, sizeof chunk)) > 0)
    total += (unsigned long long) n;
  report ("write", n);
  report_value ("written", "%llu", total);
  close (fd);
  return 0;
}

/* Attack 25, first run: links in the writable work directory (the current
 * one) that a later mount destination of the same bundle could follow. */
ATTACK (plant_symlinks, "plant-symlinks", "");
static int
plant_symlinks (int argc, char **argv)
{
  (void) argc, (void) argv;
  report ("sub", symlink ("/", "sub"));
  report ("sub-up", symlink ("../../../../../../..", "sub-up"));
  return 0;
}

/* Attacks 25, 26: the sandbox's mount points whose path holds NAME. */
ATTACK (find_mounts, "find-mounts", "NAME");
static int
find_mounts (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return report ("mountinfo", -1), 0;
  char line[8192], found[8192] = "";
  while (fgets (line, sizeof line, f))
    {
      char point[4096];
      if (sscanf (line, "%*s %*s %*s %*s %4095s", point) == 1 && strstr (point, argv[1])
          && strlen (found) + strlen (point) + 2 < sizeof found)
        strcat (strcat (found, found[0] ? "," : ""), point);
    }
  fclose (f);
  report_value ("mounts", "%s", found[0] ? found : "none");
  return 0;
}

/* The 32-bit x86 ABI through int $0x80: a filter written for x86_64 only
 * would miss it.  The path must be below 4 GiB.  Runs in a child: where the
 * kernel has no 32-bit emulation, int $0x80 faults (SIGSEGV). */
static long
i386_call_raw (long nr, const char *path, long mode)
{
#ifdef __x86_64__
  char *low = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (low == MAP_FAILED)
    return -errno;
  snprintf (low, 4096, "%s", path);
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(low), "c"(mode) : "memory", "r8", "r9", "r10", "r11");
  return r;
#else
  (void) nr, (void) path, (void) mode;
  return -ENOSYS;
#endif
}

/* "WHAT ok", "WHAT ERRNO", or "WHAT SIGNAME" when the call killed the child. */
static void
report_i386 (const char *what, long nr, const char *path, long mode)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      long r = i386_call_raw (nr, path, mode);
      _exit (r < 0 && r > -4096 ? (int) -r : 0);
    }
  int status;
  if (pid < 0 || waitpid (pid, &status, 0) < 0)
    {
      report (what, -1);
      return;
    }
  if (WIFSIGNALED (status))
    report_value (what, "SIG%s", sigabbrev_np (WTERMSIG (status)));
  else
    report_errno (what, WEXITSTATUS (status));
}

/* Attack 28: every call that sets a mode, with S_ISUID and S_ISGID, on
 * file FILE (existing); BITS names the bit in the report. */
static void
chmods (const char *file, mode_t bit, const char *bits)
{
  char what[64];
  int fd = open (file, O_RDONLY | O_CLOEXEC);
#define TRY(call, expr) (snprintf (what, sizeof what, "%s%s", call, bits), report (what, (expr)))
  TRY ("chmod", chmod (file, bit | 0755));
  TRY ("fchmod", fchmod (fd, bit | 0755));
  TRY ("fchmodat", fchmodat (AT_FDCWD, file, bit | 0755, 0));
  TRY ("fchmodat2", syscall (NR_FCHMODAT2, AT_FDCWD, file, bit | 0755, 0));
  TRY ("x32-chmod", syscall (0x40000000 | SYS_chmod, file, bit | 0755));
#undef TRY
  snprintf (what, sizeof what, "i386-chmod%s", bits);
  report_i386 (what, 15, file, bit | 0755);
  if (fd >= 0)
    close (fd);
}

/* "WHAT" and the file's name: CALL followed by BITS. */
static void
named (char *buf, size_t size, const char *call, const char *bits)
{
  snprintf (buf, size, "%s%s", call, bits);
}

static void
report_fd (const char *what, int fd)
{
  report (what, fd);
  if (fd >= 0)
    close (fd);
}

/* Attack 28: every call that creates a file with a mode (named after the
 * call, "+s" or "+g"). */
static void
creates (mode_t bit, const char *bits)
{
  char n[64];
  mode_t m = bit | 0755;
  named (n, sizeof n, "open", bits);
  report_fd (n, open (n, O_WRONLY | O_CREAT | O_CLOEXEC, m));
  named (n, sizeof n, "openat", bits);
  report_fd (n, openat (AT_FDCWD, n, O_WRONLY | O_CREAT | O_CLOEXEC, m));
  named (n, sizeof n, "creat", bits);
  report_fd (n, creat (n, m));
  named (n, sizeof n, "open-tmpfile", bits);
  report_fd (n, open (".", O_WRONLY | O_TMPFILE | O_CLOEXEC, m));
  named (n, sizeof n, "mknod-reg", bits);
  report (n, mknod (n, S_IFREG | m, 0));
  named (n, sizeof n, "mknod-0", bits);
  report (n, mknod (n, m, 0)); /* no type: a regular file */
  named (n, sizeof n, "mknodat-reg", bits);
  report (n, mknodat (AT_FDCWD, n, S_IFREG | m, 0));
  named (n, sizeof n, "i386-creat", bits);
  report_i386 (n, 8, n, m);
}

/* openat2 carries flags and mode in a struct seccomp cannot read. */
static void
try_openat2 (void)
{
  struct
  {
    uint64_t flags, mode, resolve;
  } how = { O_WRONLY | O_CREAT | O_CLOEXEC, S_ISUID | 0755, 0 };
  long fd = syscall (NR_OPENAT2, AT_FDCWD, "openat2+s", &how, sizeof how);
  report ("openat2+s", fd);
  if (fd >= 0)
    close ((int) fd);
  how.mode = 0755;
  fd = syscall (NR_OPENAT2, AT_FDCWD, "openat2", &how, sizeof how);
  report ("openat2", fd);
  if (fd >= 0)
    close ((int) fd);
}

/* File capabilities are set-id by another name: CAP_SETUID on TARGET as a
 * version 2 security.capability attribute (linux/capability.h). */
static void
try_file_caps (void)
{
  struct
  {
    uint32_t magic_etc;
    struct
    {
      uint32_t permitted, inheritable;
    } data[2];
  } cap = { 0x02000000 | 1, { { 1u << 7, 0 }, { 0, 0 } } };
  report ("setxattr-capability", setxattr ("target", "security.capability", &cap, sizeof cap, 0));
}

/* Attack 28: set-id bits on files of the writable current directory, by
 * every call that takes a mode ("+s" S_ISUID, "+g" S_ISGID, "" neither),
 * and on a directory through mkdir (which the profile leaves alone). */
ATTACK (setid_files, "setid-files", "");
static int
setid_files (int argc, char **argv)
{
  (void) argc, (void) argv;
  int fd = open ("target", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (report ("target", fd) < 0)
    return 0;
  close (fd);
  chmods ("target", S_ISUID, "+s");
  chmods ("target", S_ISGID, "+g");
  chmods ("target", 0, "");
  creates (S_ISUID, "+s");
  creates (S_ISGID, "+g");
  creates (0, "");
  try_openat2 ();
  try_file_caps ();
  struct stat st;
  report ("mkdir+g", mkdir ("dir+g", S_ISGID | 0755));
  if (stat ("dir+g", &st) == 0)
    report_value ("mkdir+g-mode", "%o", (unsigned) st.st_mode & 07777);
  report ("chmod-dir+g", chmod ("dir+g", S_ISGID | 0755));
  return 0;
}

/* Attack 28: a hard link to FILE (a set-id binary of the host) in the
 * writable current directory. */
ATTACK (link_setid, "link-setid", "FILE");
static int
link_setid (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  report ("link", link (argv[1], "linked"));
  return 0;
}

/* Attack 29, the victim: a step that writes its output, says "ready", and
 * keeps running until its standard input ends. */
ATTACK (victim, "victim", "");
static int
victim (int argc, char **argv)
{
  (void) argc, (void) argv;
  int fd = open ("out.txt", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (report ("out.txt", fd) < 0)
    return 1;
  if (write (fd, "victim\n", 7) != 7)
    return report ("write", -1), 1;
  close (fd);
  report ("ready", 0);
  char buf[64];
  while (read (0, buf, sizeof buf) > 0)
    ;
  char out[64];
  long n = read_file ("out.txt", out, sizeof out);
  report_value ("out.txt-after", "%s", n == 7 && memcmp (out, "victim\n", 7) == 0 ? "same" : "changed");
  return 0;
}

/* Attack 29: the other step's output directory DIR. */
ATTACK (other_step, "other-step", "DIR");
static int
other_step (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  char *out = join (argv[1], "out.txt"), *x = join (argv[1], "fmr-hostile-x");
  try_open ("dir", argv[1], O_RDONLY | O_DIRECTORY);
  try_open ("create", x, O_WRONLY | O_CREAT | O_EXCL);
  try_open ("write", out, O_WRONLY | O_APPEND);
  report ("unlink", unlink (out));
  report ("rename", rename (out, x));
  free (out), free (x);
  return 0;
}
