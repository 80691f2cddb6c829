/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 7-9, 21, 22: host processes, PID 1, /proc/1/exe, inherited
 * descriptors, daemons.  Calls that glibc may not wrap (pidfd_*) are made
 * with syscall(2). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

static void
sleep_ms (long ms)
{
  struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
  while (nanosleep (&t, &t) < 0 && errno == EINTR)
    ;
}

static bool
is_pid (const char *name)
{
  return name[0] >= '1' && name[0] <= '9' && name[strspn (name, "0123456789")] == '\0';
}

static int
count_proc_pids (void)
{
  DIR *d = opendir ("/proc");
  if (!d)
    return -errno;
  int n = 0;
  struct dirent *e;
  while ((e = readdir (d)))
    n += is_pid (e->d_name);
  closedir (d);
  return n;
}

/* A pid given as a number, or as @FILE: a file the test writes once it
 * knows the pid (the outer fmr-run's), waited for at most 10 s. */
static long
pid_arg (const char *arg)
{
  if (arg[0] != '@')
    return atol (arg);
  char buf[32];
  for (int i = 0; i < 1000; i++, sleep_ms (10))
    if (read_file (arg + 1, buf, sizeof buf) > 0 && strchr (buf, '\n'))
      return atol (buf);
  return 0;
}

static int
pid_max (void)
{
  char buf[32];
  long n = read_file ("/proc/sys/kernel/pid_max", buf, sizeof buf);
  int max = n > 0 ? atoi (buf) : 0;
  return max > 0 && max <= (1 << 22) ? max : 1 << 22;
}

/* Every pid number but ours that answers kill(pid, 0): ESRCH is the only
 * answer for a process this one cannot see. */
static int
count_answering_pids (void)
{
  int n = 0, max = pid_max ();
  for (int pid = 1; pid < max; pid++)
    n += pid != getpid () && (kill (pid, 0) == 0 || errno != ESRCH);
  return n;
}

/* SIG to each NAME=PID (PID a number or @FILE, see pid_arg); then the
 * processes this one can see, and signal 0 to its parent and to "every
 * process" (-1), which is all a control run on the host may safely send. */
ATTACK (signal_host, "signal-host", "SIG NAME=PID|NAME=@FILE...");
static int
signal_host (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  int sig = atoi (argv[1]);
  for (int i = 2; i < argc; i++)
    {
      char what[128];
      char *eq = strchr (argv[i], '=');
      if (!eq)
        return 2;
      snprintf (what, sizeof what, "kill:%.*s", (int) (eq - argv[i]), argv[i]);
      long pid = pid_arg (eq + 1);
      if (pid <= 0)
        report_errno (what, ENOENT);
      else
        report (what, kill ((pid_t) pid, sig));
    }
  report_value ("proc-pids", "%d", count_proc_pids ());
  report_value ("pids-answering", "%d", count_answering_pids ());
  report_value ("getppid", "%d", (int) getppid ());
  report ("kill0:getppid", kill (getppid (), 0));
  report ("kill0:-1", kill (-1, 0));
  return 0;
}

/* The start address of PID's first mapping, read from /proc/PID/maps
 * (reported); 0 when unreadable. */
static unsigned long
first_mapping (long pid)
{
  char path[64], buf[256];
  snprintf (path, sizeof path, "/proc/%ld/maps", pid);
  long n = read_file (path, buf, sizeof buf);
  report_errno ("maps", n < 0 ? (int) -n : 0);
  return n > 0 ? strtoul (buf, NULL, 16) : 0;
}

/* PTRACE_ATTACH, then PTRACE_SEIZE; a tracee this process did get is let
 * go at once. */
static void
try_ptrace (long pid)
{
  if (report ("PTRACE_ATTACH", ptrace (PTRACE_ATTACH, pid, 0L, 0L)) == 0)
    {
      waitpid ((pid_t) pid, NULL, __WALL);
      ptrace (PTRACE_DETACH, pid, 0L, 0L);
    }
  if (report ("PTRACE_SEIZE", ptrace (PTRACE_SEIZE, pid, 0L, 0L)) == 0)
    {
      ptrace (PTRACE_INTERRUPT, pid, 0L, 0L);
      waitpid ((pid_t) pid, NULL, __WALL);
      ptrace (PTRACE_DETACH, pid, 0L, 0L);
    }
}

/* The memory of PID at ADDR through process_vm_readv and /proc/PID/mem. */
static void
try_memory (long pid, unsigned long addr)
{
  char buf[16], path[64];
  struct iovec local = { buf, sizeof buf }, remote = { (void *) addr, sizeof buf };
  report ("process_vm_readv", process_vm_readv ((pid_t) pid, &local, 1, &remote, 1, 0));
  snprintf (path, sizeof path, "/proc/%ld/mem", pid);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (report ("open:mem", fd) == 0)
    {
      report ("read:mem", pread (fd, buf, sizeof buf, (off_t) addr));
      close (fd);
    }
}

/* PID's environment and, through a pidfd, its descriptor 0. */
static void
try_environ_and_fds (long pid)
{
  char path[64], buf[4096];
  snprintf (path, sizeof path, "/proc/%ld/environ", pid);
  long n = read_file (path, buf, sizeof buf);
  report_errno ("environ", n < 0 ? (int) -n : 0);
  long pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (report ("pidfd_open", pidfd) == 0)
    {
      long fd = syscall (SYS_pidfd_getfd, pidfd, 0, 0);
      report ("pidfd_getfd", fd);
      if (fd >= 0)
        close ((int) fd);
      close ((int) pidfd);
    }
}

/* Inside: PID 1, the sandbox's init.  Control: a process of the caller's. */
ATTACK (ptrace_pid, "ptrace-pid", "PID");
static int
ptrace_pid (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  long pid = atol (argv[1]);
  unsigned long addr = first_mapping (pid);
  try_ptrace (pid);
  try_memory (pid, addr ? addr : 0x400000);
  try_environ_and_fds (pid);
  return 0;
}

/* How many of the entries of DIR (a /proc/PID/map_files) open for writing. */
static int
writable_entries (const char *dir)
{
  DIR *d = opendir (dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir (d)))
    {
      if (e->d_name[0] == '.')
        continue;
      char path[512];
      if (snprintf (path, sizeof path, "%s/%s", dir, e->d_name) >= (int) sizeof path)
        continue;
      int fd = open (path, O_WRONLY | O_CLOEXEC);
      if (fd >= 0)
        n++, close (fd);
    }
  if (d)
    closedir (d);
  return n;
}

/* Every /proc/PID/exe and /proc/PID/map_files entry, opened for writing. */
static void
write_every_exe (void)
{
  DIR *d = opendir ("/proc");
  int exes = 0, exes_writable = 0, maps_writable = 0;
  struct dirent *e;
  while (d && (e = readdir (d)))
    {
      if (!is_pid (e->d_name))
        continue;
      char path[300];
      snprintf (path, sizeof path, "/proc/%s/exe", e->d_name);
      int fd = open (path, O_WRONLY | O_CLOEXEC);
      exes++;
      if (fd >= 0)
        exes_writable++, close (fd);
      snprintf (path, sizeof path, "/proc/%s/map_files", e->d_name);
      maps_writable += writable_entries (path);
    }
  if (d)
    closedir (d);
  report_value ("every-exe-tried", "%d", exes);
  report_value ("every-exe-writable", "%d", exes_writable);
  report_value ("every-map-file-writable", "%d", maps_writable);
}

/* The runc CVE-2019-5736 pattern against /proc/PID/exe: a write open, and
 * an O_PATH handle reopened for writing through /proc/self/fd.  With
 * "every", also every process's exe and map_files (inside the sandbox only:
 * on the host, root could open every mapped file of every process). */
ATTACK (proc_exe, "proc-exe", "PID [every]");
static int
proc_exe (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  char path[64], target[4096];
  snprintf (path, sizeof path, "/proc/%s/exe", argv[1]);
  ssize_t n = readlink (path, target, sizeof target - 1);
  report ("readlink:exe", n);
  try_open ("write:exe", path, O_WRONLY);
  int fd = open (path, O_PATH | O_CLOEXEC);
  if (report ("O_PATH:exe", fd) == 0)
    {
      char again[64];
      snprintf (again, sizeof again, "/proc/self/fd/%d", fd);
      try_open ("reopen-write:exe", again, O_WRONLY);
      close (fd);
    }
  snprintf (path, sizeof path, "/proc/%s/map_files", argv[1]);
  DIR *d = opendir (path);
  report ("opendir:map_files", d ? 0 : -1);
  if (d)
    closedir (d);
  try_open ("write:self-exe", "/proc/self/exe", O_WRONLY);
  if (argc > 2 && strcmp (argv[2], "every") == 0)
    write_every_exe ();
  return 0;
}

/* Whether fd's contents (from offset 0 where it can seek) hold SECRET. */
static bool
fd_holds (int fd, const char *secret)
{
  char buf[4096];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  if (n < 0)
    n = read (fd, buf, sizeof buf - 1);
  if (n <= 0)
    return false;
  buf[n] = '\0';
  return strstr (buf, secret) != NULL;
}

/* The entries of /proc/self/fd but the directory's own descriptor. */
static void
list_own_fds (void)
{
  DIR *d = opendir ("/proc/self/fd");
  if (!d)
    {
      report_errno ("proc-self-fd", errno);
      return;
    }
  char list[4096] = "";
  int n = 0;
  struct dirent *e;
  while ((e = readdir (d)))
    if (e->d_name[0] != '.' && atoi (e->d_name) != dirfd (d))
      snprintf (list + strlen (list), sizeof list - strlen (list), "%s%s", n++ ? "," : "", e->d_name);
  closedir (d);
  report_value ("proc-self-fd", "%s", list);
}

/* Descriptors above 2 this process was started with: FD is the number the
 * caller's secret file had outside. */
ATTACK (inherited_fds, "inherited-fds", "SECRET FD");
static int
inherited_fds (int argc, char **argv)
{
  if (argc < 3)
    return 2;
  struct rlimit rl = { 1024, 1024 };
  getrlimit (RLIMIT_NOFILE, &rl);
  int max = rl.rlim_cur < (1 << 20) ? (int) rl.rlim_cur : 1 << 20;
  int open_fds = 0, secrets = 0;
  for (int fd = 3; fd < max; fd++)
    if (fcntl (fd, F_GETFD) >= 0)
      open_fds++, secrets += fd_holds (fd, argv[1]);
  report_value ("fds-above-2", "%d", open_fds);
  report_value ("fds-holding-secret", "%d", secrets);
  report ("F_GETFD:passed", fcntl (atoi (argv[2]), F_GETFD));
  char buf[16];
  report ("read:passed", read (atoi (argv[2]), buf, sizeof buf));
  list_own_fds ();
  return 0;
}

/* The daemon of the attack below: argv TOKEN READY_FD.  It ignores the
 * signals a step's end might send, says it is ready and sleeps 30 s (a
 * bound, should it escape, so that it ends on its own). */
ATTACK (daemon_child, "daemon-child", "TOKEN READY_FD");
static int
daemon_child (int argc, char **argv)
{
  if (argc < 3)
    return 2;
  static const int ignored[] = { SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2 };
  for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
    signal (ignored[i], SIG_IGN);
  int null = open ("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3 && null >= 0; fd++)
    dup2 (null, fd);
  if (chdir ("/") < 0)
    return 1;
  int ready = atoi (argv[2]);
  if (write (ready, "1", 1) != 1)
    return 1;
  close (ready);
  for (int i = 0; i < 300; i++)
    sleep_ms (100);
  return 0;
}

/* Double fork and setsid: the grandchild, re-executed as daemon-child with
 * TOKEN in its argv and environment, outlives this process. */
ATTACK (daemon_attack, "daemon", "TOKEN");
static int
daemon_attack (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  int p[2];
  if (report ("pipe", pipe (p)) < 0)
    return 1;
  pid_t child = fork ();
  if (child == 0)
    {
      close (p[0]);
      if (setsid () < 0)
        _exit (errno);
      if (fork () == 0)
        {
          char fd[16];
          snprintf (fd, sizeof fd, "%d", p[1]);
          setenv ("FMR_HOSTILE_DAEMON", argv[1], 1);
          execl ("/proc/self/exe", "hostile", "daemon-child", argv[1], fd, (char *) NULL);
          _exit (127);
        }
      _exit (0);
    }
  close (p[1]);
  int status = 0;
  if (report ("fork", child) == 0 && waitpid (child, &status, 0) > 0)
    report_errno ("setsid", WIFEXITED (status) ? WEXITSTATUS (status) : EINTR);
  char c;
  report_errno ("daemon-ready", read (p[0], &c, 1) == 1 ? 0 : EPIPE);
  close (p[0]);
  return 0;
}
