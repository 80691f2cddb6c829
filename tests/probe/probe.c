/* SPDX-License-Identifier: Apache-2.0 */
/* The integration tests' probe: run as process.args inside a sandbox, it
 * reports what it sees as one JSON object on stdout.  Each argument names
 * one check and becomes one key of that object, so a test asks only for what
 * it asserts:
 *
 *   ids  uts  ns  net  pids  self  status  rlimits  fds  env  cwd  umask
 *   devices  path=PATH  read=PATH  connect=ADDR:PORT  syscall=NAME  forks=N
 *   exit=N
 *
 * The probe is self-contained (no project headers, no libraries besides
 * libc) so that it can be linked statically and run in a root that holds
 * nothing but a few binds.  A check never aborts the probe: failures are
 * reported as errno names ("EROFS") for the test to compare. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#define TMPFS_MAGIC_NUMBER 0x01021994
#define DEVPTS_MAGIC_NUMBER 0x1cd1
#define PROC_MAGIC_NUMBER 0x9fa0

extern char **environ;

/* ---- JSON output ------------------------------------------------------ */

static bool need_comma;

static void
json_string (const char *s)
{
  putchar ('"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        printf ("\\%c", *p);
      else if (*p < 0x20 || *p >= 0x7f)
        printf ("\\u%04x", *p); /* bytes, not code points: enough for tests */
      else
        putchar (*p);
    }
  putchar ('"');
}

static void
sep (void)
{
  if (need_comma)
    putchar (',');
  need_comma = false;
}

static void
key (const char *k)
{
  sep ();
  json_string (k);
  putchar (':');
}

static void
open_obj (void)
{
  sep ();
  putchar ('{');
}

static void
close_obj (void)
{
  putchar ('}');
  need_comma = true;
}

static void
open_arr (void)
{
  sep ();
  putchar ('[');
}

static void
close_arr (void)
{
  putchar (']');
  need_comma = true;
}

static void
val_str (const char *s)
{
  sep ();
  if (s)
    json_string (s);
  else
    fputs ("null", stdout);
  need_comma = true;
}

static void
val_num (long long n)
{
  sep ();
  printf ("%lld", n);
  need_comma = true;
}

static void
val_unum (unsigned long long n)
{
  sep ();
  printf ("%llu", n);
  need_comma = true;
}

static void
val_bool (bool b)
{
  sep ();
  fputs (b ? "true" : "false", stdout);
  need_comma = true;
}

/* "ok" for success, else the errno's symbolic name. */
static void
val_errno (int err)
{
  const char *name = err ? strerrorname_np (err) : "ok";
  char buf[32];
  if (name == NULL)
    {
      snprintf (buf, sizeof buf, "E%d", err);
      name = buf;
    }
  val_str (name);
}

/* ---- helpers ---------------------------------------------------------- */

/* Whole small file as a string (static buffer reused), or NULL with errno. */
static char *
slurp (const char *path)
{
  static char buf[65536];
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  ssize_t n, total = 0;
  while ((n = read (fd, buf + total, sizeof buf - 1 - total)) > 0)
    total += n;
  int saved = errno;
  close (fd);
  if (n < 0)
    {
      errno = saved;
      return NULL;
    }
  buf[total] = '\0';
  return buf;
}

static void
val_file (const char *path)
{
  char *s = slurp (path);
  if (s)
    val_str (s);
  else
    val_errno (errno);
}

/* Run fn in a child process and return the errno it reported (0 on
 * success), so that a check with side effects (unshare, ptrace) cannot
 * change what later checks see. */
static int
in_child (int (*fn) (void))
{
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    return errno;
  if (pid == 0)
    _exit (fn () < 0 ? (errno & 0xff) : 0);
  int status;
  if (waitpid (pid, &status, 0) < 0)
    return errno;
  if (WIFSIGNALED (status))
    return 1000 + WTERMSIG (status); /* reported as "E10xx" */
  return WEXITSTATUS (status);
}

/* ---- checks ------------------------------------------------------------- */

static void
check_ids (void)
{
  open_obj ();
  key ("uid"), val_num (getuid ());
  key ("euid"), val_num (geteuid ());
  key ("gid"), val_num (getgid ());
  key ("egid"), val_num (getegid ());
  gid_t groups[256];
  int n = getgroups (256, groups);
  key ("groups"), open_arr ();
  for (int i = 0; i < n; i++)
    val_num (groups[i]);
  close_arr ();
  key ("uid_map"), val_file ("/proc/self/uid_map");
  key ("gid_map"), val_file ("/proc/self/gid_map");
  key ("setgroups"), val_file ("/proc/self/setgroups");
  close_obj ();
}

static void
check_uts (void)
{
  struct utsname u;
  open_obj ();
  if (uname (&u) == 0)
    {
      key ("hostname"), val_str (u.nodename);
      key ("domainname"), val_str (u.domainname);
    }
  close_obj ();
}

static void
check_ns (void)
{
  static const char *const names[] = { "cgroup", "ipc", "mnt", "net", "pid", "user", "uts" };
  open_obj ();
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    {
      char path[64];
      struct stat st;
      snprintf (path, sizeof path, "/proc/self/ns/%s", names[i]);
      key (names[i]);
      if (stat (path, &st) == 0)
        val_unum (st.st_ino);
      else
        val_errno (errno);
    }
  close_obj ();
}

/* Interfaces from /proc/net/dev (lists down ones too, unlike SIOCGIFCONF),
 * flags from SIOCGIFFLAGS. */
static void
check_net (void)
{
  open_obj ();
  FILE *f = fopen ("/proc/net/dev", "re");
  int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (f == NULL)
    {
      key ("error"), val_errno (errno);
      close_obj ();
      if (sock >= 0)
        close (sock);
      return;
    }
  char line[512];
  while (fgets (line, sizeof line, f))
    {
      char *colon = strchr (line, ':');
      if (colon == NULL)
        continue; /* the two header lines */
      *colon = '\0';
      char *name = line;
      while (isspace ((unsigned char) *name))
        name++;
      struct ifreq ifr = { 0 };
      snprintf (ifr.ifr_name, sizeof ifr.ifr_name, "%.*s", (int) sizeof ifr.ifr_name - 1, name);
      key (name), open_arr ();
      if (sock >= 0 && ioctl (sock, SIOCGIFFLAGS, &ifr) == 0)
        {
          if (ifr.ifr_flags & IFF_UP)
            val_str ("UP");
          if (ifr.ifr_flags & IFF_LOOPBACK)
            val_str ("LOOPBACK");
          if (ifr.ifr_flags & IFF_RUNNING)
            val_str ("RUNNING");
        }
      close_arr ();
    }
  fclose (f);
  if (sock >= 0)
    close (sock);
  close_obj ();
}

/* connect=ADDR:PORT, IPv4 only; the errno of a blocking connect(). */
static void
check_connect (const char *arg)
{
  char host[64];
  const char *colon = strrchr (arg, ':');
  struct sockaddr_in sa = { .sin_family = AF_INET };
  if (colon == NULL || (size_t) (colon - arg) >= sizeof host)
    {
      val_str ("bad argument");
      return;
    }
  memcpy (host, arg, colon - arg);
  host[colon - arg] = '\0';
  sa.sin_port = htons (atoi (colon + 1));
  if (inet_pton (AF_INET, host, &sa.sin_addr) != 1)
    {
      val_str ("bad argument");
      return;
    }
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      val_errno (errno);
      return;
    }
  /* Bounded, in case a route exists and the packets go nowhere. */
  struct timeval tv = { .tv_sec = 2 };
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int r = connect (fd, (struct sockaddr *) &sa, sizeof sa);
  val_errno (r == 0 ? 0 : errno);
  close (fd);
}

static bool
all_digits (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!isdigit ((unsigned char) *s))
      return false;
  return true;
}

static void
check_pids (void)
{
  open_arr ();
  DIR *d = opendir ("/proc");
  if (d)
    {
      struct dirent *e;
      while ((e = readdir (d)))
        if (all_digits (e->d_name))
          val_num (atol (e->d_name));
      closedir (d);
    }
  close_arr ();
}

static void
check_self (void)
{
  open_obj ();
  key ("pid"), val_num (getpid ());
  key ("ppid"), val_num (getppid ());
  key ("sid_is_self"), val_bool (getsid (0) == getpid ());
  close_obj ();
}

/* The /proc/self/status lines a sandbox sets. */
static void
check_status (void)
{
  static const char *const fields[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp" };
  open_obj ();
  char *s = slurp ("/proc/self/status");
  for (char *line = s; line && *line;)
    {
      char *nl = strchr (line, '\n');
      if (nl)
        *nl = '\0';
      char *colon = strchr (line, ':');
      if (colon)
        {
          *colon = '\0';
          for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (strcmp (line, fields[i]) == 0)
              {
                char *v = colon + 1;
                while (isspace ((unsigned char) *v))
                  v++;
                key (line), val_str (v);
              }
        }
      line = nl ? nl + 1 : NULL;
    }
  close_obj ();
}

static void
check_rlimits (void)
{
#define RL(x)                                                                                                          \
  {                                                                                                                    \
#x, x                                                                                                              \
  }
  static const struct
  {
    const char *name;
    int resource;
  } rl[] = {
    RL (RLIMIT_AS),     RL (RLIMIT_CORE),   RL (RLIMIT_CPU),        RL (RLIMIT_DATA),
    RL (RLIMIT_FSIZE),  RL (RLIMIT_LOCKS),  RL (RLIMIT_MEMLOCK),    RL (RLIMIT_MSGQUEUE),
    RL (RLIMIT_NICE),   RL (RLIMIT_NOFILE), RL (RLIMIT_NPROC),      RL (RLIMIT_RSS),
    RL (RLIMIT_RTPRIO), RL (RLIMIT_RTTIME), RL (RLIMIT_SIGPENDING), RL (RLIMIT_STACK),
  };
#undef RL
  open_obj ();
  for (size_t i = 0; i < sizeof rl / sizeof rl[0]; i++)
    {
      struct rlimit r;
      key (rl[i].name);
      if (getrlimit (rl[i].resource, &r) < 0)
        {
          val_errno (errno);
          continue;
        }
      open_arr ();
      val_unum (r.rlim_cur);
      val_unum (r.rlim_max);
      close_arr ();
    }
  close_obj ();
}

/* Open descriptors, without the one used to list them. */
static void
check_fds (void)
{
  open_arr ();
  DIR *d = opendir ("/proc/self/fd");
  if (d)
    {
      int self = dirfd (d);
      struct dirent *e;
      while ((e = readdir (d)))
        if (all_digits (e->d_name) && atoi (e->d_name) != self)
          val_num (atoi (e->d_name));
      closedir (d);
    }
  close_arr ();
}

static void
check_env (void)
{
  open_arr ();
  for (char **e = environ; *e; e++)
    val_str (*e);
  close_arr ();
}

static void
check_cwd (void)
{
  char buf[PATH_MAX];
  if (getcwd (buf, sizeof buf))
    val_str (buf);
  else
    val_errno (errno);
}

static void
check_umask (void)
{
  mode_t m = umask (0);
  umask (m);
  char buf[8];
  snprintf (buf, sizeof buf, "%04o", (unsigned) m);
  val_str (buf);
}

/* errno of opening path with flags and moving n bytes in direction dir
 * ('r' or 'w'); 0 when all n bytes moved. */
static int
try_io (const char *path, int flags, char dir, size_t n)
{
  char buf[64] = { 0 };
  int fd = open (path, flags | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return errno;
  ssize_t r = dir == 'r' ? read (fd, buf, n) : write (fd, buf, n);
  int err = r < 0 ? errno : (size_t) r == n ? 0 : EIO;
  close (fd);
  return err;
}

static void
val_link (const char *path)
{
  char buf[PATH_MAX];
  ssize_t n = readlink (path, buf, sizeof buf - 1);
  if (n < 0)
    {
      val_errno (errno);
      return;
    }
  buf[n] = '\0';
  val_str (buf);
}

static void
check_devices (void)
{
  struct stat st;
  struct statfs sfs;
  open_obj ();
  key ("null_write"), val_errno (try_io ("/dev/null", O_WRONLY, 'w', 16));
  key ("zero_read"), val_errno (try_io ("/dev/zero", O_RDONLY, 'r', 16));
  key ("full_write"), val_errno (try_io ("/dev/full", O_WRONLY, 'w', 16));
  key ("random_read"), val_errno (try_io ("/dev/random", O_RDONLY, 'r', 16));
  key ("urandom_read"), val_errno (try_io ("/dev/urandom", O_RDONLY, 'r', 16));
  key ("tty_is_chr"), val_bool (stat ("/dev/tty", &st) == 0 && S_ISCHR (st.st_mode));
  int fd = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  key ("ptmx_open"), val_errno (fd < 0 ? errno : 0);
  if (fd >= 0)
    close (fd);
  key ("pts_is_devpts"), val_bool (statfs ("/dev/pts", &sfs) == 0 && sfs.f_type == DEVPTS_MAGIC_NUMBER);
  key ("ptmx_link"), val_link ("/dev/ptmx");
  key ("fd_link"), val_link ("/dev/fd");
  key ("stdin_link"), val_link ("/dev/stdin");
  key ("stdout_link"), val_link ("/dev/stdout");
  key ("stderr_link"), val_link ("/dev/stderr");
  close_obj ();
}

static const char *
file_type (mode_t m)
{
  return S_ISDIR (m)   ? "dir"
         : S_ISREG (m) ? "file"
         : S_ISLNK (m) ? "link"
         : S_ISCHR (m) ? "chr"
         : S_ISBLK (m) ? "blk"
                       : "other";
}

/* Can a file be created in directory dir?  The file is removed again. */
static int
try_create_in (const char *dir)
{
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/.probe-write-%d", dir, (int) getpid ());
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno;
  close (fd);
  unlink (path);
  return 0;
}

/* path=PATH: existence, type, readability (bytes or entries seen), and
 * writability (create a file inside a directory, open a file for writing
 * without truncating it), and the filesystem's read-only flag and type. */
static void
check_path (const char *path)
{
  struct stat st;
  struct statvfs svfs;
  struct statfs sfs;
  open_obj ();
  if (lstat (path, &st) < 0)
    {
      key ("exists"), val_bool (false);
      key ("error"), val_errno (errno);
      close_obj ();
      return;
    }
  key ("exists"), val_bool (true);
  key ("type"), val_str (file_type (st.st_mode));
  key ("mode"), val_num (st.st_mode & 07777);
  key ("uid"), val_num (st.st_uid);
  if (S_ISDIR (st.st_mode))
    {
      DIR *d = opendir (path);
      key ("read"), val_errno (d ? 0 : errno);
      if (d)
        {
          long n = 0;
          struct dirent *e;
          while ((e = readdir (d)))
            if (strcmp (e->d_name, ".") && strcmp (e->d_name, ".."))
              n++;
          closedir (d);
          key ("entries"), val_num (n);
        }
      key ("write"), val_errno (try_create_in (path));
    }
  else
    {
      char buf[4096];
      int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      ssize_t n = fd < 0 ? -1 : read (fd, buf, sizeof buf);
      key ("read"), val_errno (fd < 0 || n < 0 ? errno : 0);
      if (n >= 0)
        key ("bytes"), val_num (n);
      if (fd >= 0)
        close (fd);
      fd = open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      key ("write"), val_errno (fd < 0 ? errno : 0);
      if (fd >= 0)
        close (fd);
    }
  if (statvfs (path, &svfs) == 0)
    {
      key ("ro"), val_bool (svfs.f_flag & ST_RDONLY);
      key ("nosuid"), val_bool (svfs.f_flag & ST_NOSUID);
      key ("nodev"), val_bool (svfs.f_flag & ST_NODEV);
      key ("noexec"), val_bool (svfs.f_flag & ST_NOEXEC);
    }
  if (statfs (path, &sfs) == 0)
    {
      const char *fs = sfs.f_type == TMPFS_MAGIC_NUMBER ? "tmpfs" : sfs.f_type == PROC_MAGIC_NUMBER ? "proc" : NULL;
      char hex[32];
      snprintf (hex, sizeof hex, "0x%lx", (unsigned long) sfs.f_type);
      key ("fstype"), val_str (fs ? fs : hex);
    }
  close_obj ();
}

/* syscall=NAME: try a system call a sandbox should forbid, with harmless
 * arguments, in a child process. */
/* The target does not exist: a sandbox's filter answers before the path is
 * looked up, and a probe run by mistake outside a sandbox, as root, changes
 * nothing (a tmpfs over the host's /tmp once hid every build directory). */
static int
sc_mount (void)
{
  return mount ("none", "/nonexistent-fmr-probe-target", "tmpfs", 0, NULL);
}
static int
sc_unshare (void)
{
  return unshare (CLONE_NEWUSER);
}
static int
sc_ptrace (void)
{
  return (int) ptrace (PTRACE_TRACEME, 0, NULL, NULL);
}
static int
sc_keyctl (void)
{
  /* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_SESSION_KEYRING (-3), create=1 */
  return syscall (SYS_keyctl, 0, -3, 1) < 0 ? -1 : 0;
}
static int
sc_chroot (void)
{
  return chroot ("/");
}
static int
sc_personality (void)
{
  return syscall (SYS_personality, 0xffffffffUL) < 0 ? -1 : 0;
}
static int
sc_getpid (void)
{
  return syscall (SYS_getpid) < 0 ? -1 : 0;
}

static void
check_syscall (const char *name)
{
  static const struct
  {
    const char *name;
    int (*fn) (void);
  } calls[] = {
    { "mount", sc_mount },   { "unshare", sc_unshare },         { "ptrace", sc_ptrace }, { "keyctl", sc_keyctl },
    { "chroot", sc_chroot }, { "personality", sc_personality }, { "getpid", sc_getpid },
  };
  for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
    if (strcmp (name, calls[i].name) == 0)
      {
        val_errno (in_child (calls[i].fn));
        return;
      }
  val_str ("unknown syscall");
}

/* read=PATH: the whole file as a string, or the errno of reading it. */
static void
check_read (const char *path)
{
  val_file (path);
}

/* forks=N: fork children that wait, until N of them run or fork fails;
 * report how many ran and fork's errno ("ok" when all N did), then kill
 * and reap every one, so that nothing of the check outlives it. */
static void
check_forks (const char *arg)
{
  long n = atol (arg);
  if (n <= 0 || n > 100000)
    {
      val_str ("bad argument");
      return;
    }
  pid_t *kids = calloc (n, sizeof *kids);
  if (kids == NULL)
    {
      val_errno (errno);
      return;
    }
  pid_t parent = getpid ();
  long forked = 0;
  int err = 0;
  fflush (stdout);
  for (; forked < n; forked++)
    {
      pid_t pid = fork ();
      if (pid < 0)
        {
          err = errno;
          break;
        }
      if (pid == 0)
        {
          /* Gone with the probe, should it die before killing us. */
          prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
          if (getppid () != parent)
            _exit (0);
          for (;;)
            pause ();
        }
      kids[forked] = pid;
    }
  for (long i = 0; i < forked; i++)
    kill (kids[i], SIGKILL);
  for (long i = 0; i < forked; i++)
    while (waitpid (kids[i], NULL, 0) < 0 && errno == EINTR)
      ;
  free (kids);
  open_obj ();
  key ("forked"), val_num (forked);
  key ("errno"), val_errno (err);
  close_obj ();
}

static void
run_check (const char *arg)
{
  static const struct
  {
    const char *name;
    void (*fn) (void);
  } simple[] = {
    { "ids", check_ids },         { "uts", check_uts },   { "ns", check_ns },         { "net", check_net },
    { "pids", check_pids },       { "self", check_self }, { "status", check_status }, { "rlimits", check_rlimits },
    { "fds", check_fds },         { "env", check_env },   { "cwd", check_cwd },       { "umask", check_umask },
    { "devices", check_devices },
  };
  static const struct
  {
    const char *prefix;
    void (*fn) (const char *);
  } with_arg[] = {
    { "path=", check_path }, { "connect=", check_connect }, { "syscall=", check_syscall },
    { "read=", check_read }, { "forks=", check_forks },
  };

  key (arg);
  for (size_t i = 0; i < sizeof simple / sizeof simple[0]; i++)
    if (strcmp (arg, simple[i].name) == 0)
      {
        simple[i].fn ();
        return;
      }
  for (size_t i = 0; i < sizeof with_arg / sizeof with_arg[0]; i++)
    if (strncmp (arg, with_arg[i].prefix, strlen (with_arg[i].prefix)) == 0)
      {
        with_arg[i].fn (arg + strlen (with_arg[i].prefix));
        return;
      }
  val_str ("unknown check");
}

int
main (int argc, char **argv)
{
  int exit_status = 0;
  putchar ('{');
  for (int i = 1; i < argc; i++)
    {
      if (strncmp (argv[i], "exit=", 5) == 0)
        exit_status = atoi (argv[i] + 5);
      else
        run_check (argv[i]);
    }
  puts ("}");
  fflush (stdout);
  return exit_status;
}
