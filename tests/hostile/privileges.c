/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 12-14, 16-18, 20: privileges, kernel interfaces, the host's name.
 * Calls that glibc wraps with fallbacks or that the static libc may lack
 * are made with syscall(2), so the kernel (and the seccomp filter) answer
 * exactly what was asked. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hostile.h"

/* Run fn(arg) in a child so that a call that succeeds (on the host, in a
 * control run) changes only that child; the child's exit status carries
 * the errno (0: the call succeeded). */
static int
in_child (int (*fn) (long), long arg)
{
  pid_t pid = fork ();
  if (pid < 0)
    return errno;
  if (pid == 0)
    _exit (fn (arg) < 0 ? errno : 0);
  int status;
  if (waitpid (pid, &status, 0) < 0)
    return errno;
  return WIFEXITED (status) ? WEXITSTATUS (status) : EINTR;
}

/* A fork-like clone with FLAGS: the child (if any) exits at once. */
static long
raw_clone (unsigned long flags)
{
  long pid = syscall (SYS_clone, flags | SIGCHLD, 0L, 0L, 0L, 0L);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid ((pid_t) pid, NULL, 0);
  return pid;
}

static long
raw_clone3 (unsigned long flags)
{
  struct clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
  long pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid ((pid_t) pid, NULL, 0);
  return pid;
}

static int
do_unshare (long flags)
{
  return unshare ((int) flags);
}

static const char *const ns_names[] = { "user", "mnt", "net", "pid", "ipc", "uts", "cgroup", "time" };

static int
do_setns (long i)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/self/ns/%s", ns_names[i]);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  return setns (fd, 0);
}

/* 12: a new user namespace would hand the payload every capability over
 * it; the other namespaces need one first. */
ATTACK (namespaces, "namespaces", "");
static int
namespaces (int argc, char **argv)
{
  (void) argc, (void) argv;
  static const struct
  {
    const char *name;
    long flag;
  } flags[] = { { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID } };
  char what[64];
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
    {
      snprintf (what, sizeof what, "unshare:%s", flags[i].name);
      report_errno (what, in_child (do_unshare, flags[i].flag));
    }
  report ("clone:user", raw_clone (CLONE_NEWUSER));
  report ("clone:user+mnt", raw_clone (CLONE_NEWUSER | CLONE_NEWNS));
  report ("clone3:user", raw_clone3 (CLONE_NEWUSER));
  report ("clone3:plain", raw_clone3 (0));
  for (size_t i = 0; i < sizeof ns_names / sizeof ns_names[0]; i++)
    {
      snprintf (what, sizeof what, "setns:%s", ns_names[i]);
      report_errno (what, in_child (do_setns, (long) i));
    }
  return 0;
}

/* The value of FIELD ("CapEff") in /proc/self/status, or "?".  (No field
 * asked for is the file's first line, "Name:".) */
static const char *
status_field (const char *field, char *out, size_t size)
{
  static char buf[8192];
  char key[64];
  snprintf (out, size, "?");
  snprintf (key, sizeof key, "\n%s:", field);
  char *line = read_file ("/proc/self/status", buf, sizeof buf) < 0 ? NULL : strstr (buf, key);
  if (line)
    {
      line += strlen (key);
      line += strspn (line, " \t");
      snprintf (out, size, "%.*s", (int) strcspn (line, "\n"), line);
    }
  return out;
}

static void
report_status (const char *prefix, const char *field)
{
  char what[64], value[64];
  snprintf (what, sizeof what, "%s%s", prefix, field);
  report_value (what, "%s", status_field (field, value, sizeof value));
}

/* Who this process is, each key under PREFIX: the three uids and gids,
 * the capability sets, no_new_privs and whether its own executable lies
 * on a nosuid mount (the two reasons a set-id bit is ignored). */
static void
whoami_report (const char *prefix)
{
  uid_t r, e, s;
  gid_t rg, eg, sg;
  char what[64];
  getresuid (&r, &e, &s);
  getresgid (&rg, &eg, &sg);
  snprintf (what, sizeof what, "%suids", prefix);
  report_value (what, "%u/%u/%u", (unsigned) r, (unsigned) e, (unsigned) s);
  snprintf (what, sizeof what, "%sgids", prefix);
  report_value (what, "%u/%u/%u", (unsigned) rg, (unsigned) eg, (unsigned) sg);
  report_status (prefix, "CapEff");
  report_status (prefix, "CapPrm");
  report_status (prefix, "NoNewPrivs");
  struct statvfs sv;
  snprintf (what, sizeof what, "%snosuid", prefix);
  if (statvfs ("/proc/self/exe", &sv) < 0)
    report (what, -1);
  else
    report_value (what, "%d", (sv.f_flag & ST_NOSUID) != 0);
}

ATTACK (whoami, "whoami", "[PREFIX]");
static int
whoami (int argc, char **argv)
{
  whoami_report (argc > 1 ? argv[1] : "");
  return 0;
}

/* 13: run PROGRAM (a set-uid binary) with stdin on /dev/null, after
 * saying who this process is and whether PROGRAM lies on a nosuid mount;
 * PROGRAM's own lines follow when it runs the whoami attack. */
ATTACK (run_setuid, "run-setuid", "PROGRAM [ARGS...]");
static int
run_setuid (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  whoami_report ("before.");
  struct statvfs sv;
  if (statvfs (argv[1], &sv) < 0)
    report ("program.nosuid", -1);
  else
    report_value ("program.nosuid", "%d", (sv.f_flag & ST_NOSUID) != 0);
  pid_t pid = fork ();
  if (pid < 0)
    {
      report ("fork", -1);
      return 1;
    }
  if (pid == 0)
    {
      int fd = open ("/dev/null", O_RDONLY);
      if (fd < 0 || dup2 (fd, STDIN_FILENO) < 0)
        _exit (125);
      execv (argv[1], argv + 1);
      _exit (errno == ENOENT ? 127 : 126);
    }
  int status;
  if (waitpid (pid, &status, 0) < 0)
    {
      report ("waitpid", -1);
      return 1;
    }
  if (WIFEXITED (status))
    report_value ("status", "%d", WEXITSTATUS (status));
  else
    report_value ("status", "signal-%d", WTERMSIG (status));
  return 0;
}

/* How many capabilities PR_CAPBSET_READ says the bounding set holds. */
static int
bounding_count (void)
{
  int n = 0;
  for (int cap = 0; cap < 64; cap++)
    {
      int r = prctl (PR_CAPBSET_READ, cap, 0, 0, 0);
      if (r < 0)
        break;
      n += r == 1;
    }
  return n;
}

/* 14: raise capabilities or become uid 0 by every direct means. */
ATTACK (capabilities, "capabilities", "");
static int
capabilities (int argc, char **argv)
{
  (void) argc, (void) argv;
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset (data, 0xff, sizeof data);
  report ("capset-all", syscall (SYS_capset, &hdr, data));
  report ("ambient-raise-sys-admin", prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0));
  report_value ("bounding-count", "%d", bounding_count ());
  report ("setuid-0", syscall (SYS_setuid, 0));
  report ("setresuid-0", syscall (SYS_setresuid, 0, 0, 0));
  report ("setgid-0", syscall (SYS_setgid, 0));
  static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
  for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
    report_status ("", sets[i]);
  report_value ("euid", "%u", (unsigned) geteuid ());
  return 0;
}

/* 16: kernel keyrings are not namespaced.  The key added goes into this
 * process's own keyring, which dies with it (harmless in a control run). */
ATTACK (keyrings, "keyrings", "");
static int
keyrings (int argc, char **argv)
{
  (void) argc, (void) argv;
  report ("keyctl-session-id", syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
  report ("add_key", syscall (SYS_add_key, "user", "fmr-hostile-key", "x", 1, KEY_SPEC_PROCESS_KEYRING));
  report ("request_key", syscall (SYS_request_key, "user", "fmr-hostile-absent", NULL, KEY_SPEC_PROCESS_KEYRING));
  return 0;
}

/* Report r as a call that returns a descriptor, closed when it opened. */
static void
report_fd (const char *what, long r)
{
  report (what, r);
  if (r >= 0)
    close ((int) r);
}

static long
try_perf_event_open (void)
{
  /* A software dummy event on this process, user space only: what an
   * unprivileged user may open where perf_event_paranoid <= 2. */
  struct perf_event_attr attr = { .type = PERF_TYPE_SOFTWARE,
                                  .size = sizeof attr,
                                  .config = PERF_COUNT_SW_DUMMY,
                                  .disabled = 1,
                                  .exclude_kernel = 1,
                                  .exclude_hv = 1 };
  return syscall (SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

static long
try_open_by_handle (void)
{
  /* handle_bytes 0 is invalid: nothing can be opened even where allowed. */
  struct
  {
    struct file_handle h;
    unsigned char bytes[16];
  } fh = { 0 };
  return syscall (SYS_open_by_handle_at, AT_FDCWD, &fh.h, O_RDONLY);
}

/* 17: kernel interfaces a build never needs, each with arguments that do
 * nothing even where the call is allowed (an unknown bpf command, an
 * invalid kexec, an empty module image, a handle of length 0). */
ATTACK (kernel_calls, "kernel-calls", "");
static int
kernel_calls (int argc, char **argv)
{
  (void) argc, (void) argv;
  union bpf_attr battr = { 0 };
  report ("bpf", syscall (SYS_bpf, 0x7fff, &battr, sizeof battr));
  report_fd ("perf_event_open", try_perf_event_open ());
  report_fd ("userfaultfd", syscall (SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
  /* Flags no kernel knows and too many segments: refused before anything. */
  report ("kexec_load", syscall (SYS_kexec_load, 0UL, 1000UL, NULL, 0x7fff0000UL));
  report ("init_module", syscall (SYS_init_module, NULL, 0UL, ""));
  report ("finit_module", syscall (SYS_finit_module, -1, "", 0));
  report_fd ("open_by_handle_at", try_open_by_handle ());
  struct io_uring_params params = { 0 };
  report_fd ("io_uring_setup", syscall (SYS_io_uring_setup, 1, &params));
  return 0;
}

/* Open PATH for writing and write VALUE (NULL: write back what PATH held,
 * so a control run on the host changes nothing). */
static void
try_write (const char *what, const char *path, const char *value)
{
  static char old[4096];
  long n = read_file (path, old, sizeof old);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (report (what, fd) < 0)
    return;
  if (!value)
    value = n > 0 ? old : "";
  char wwhat[300];
  snprintf (wwhat, sizeof wwhat, "%s:write", what);
  report (wwhat, write (fd, value, strlen (value)));
  close (fd);
}

/* Whether PATH can be opened and read: "empty" when it reads as nothing
 * (a masked file is /dev/null), "data" when it gives something, or the
 * errno.  The buffer holds a whole /dev/kmsg record. */
static void
try_read (const char *what, const char *path)
{
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (report (what, fd) < 0)
    return;
  static char buf[8192];
  char rwhat[300];
  ssize_t r = read (fd, buf, sizeof buf);
  snprintf (rwhat, sizeof rwhat, "%s:read", what);
  if (r < 0)
    report (rwhat, -1);
  else
    report_value (rwhat, "%s", r ? "data" : "empty");
  close (fd);
}

/* 18: the kernel's own files.  HOSTNAME is written to
 * /proc/sys/kernel/hostname; core_pattern (global, the classic escape) and
 * the file under /sys get their own contents back; the sysrq trigger is
 * only opened.  kcore, timer_list and keys are masked paths of the
 * default bundle (where the kernel has them). */
ATTACK (kernel_files, "kernel-files", "HOSTNAME");
static int
kernel_files (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  try_write ("/proc/sys/kernel/hostname", "/proc/sys/kernel/hostname", argv[1]);
  try_write ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/core_pattern", NULL);
  int fd = open ("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
  report ("/proc/sysrq-trigger", fd);
  if (fd >= 0)
    close (fd);
  struct stat st;
  report ("/sys", stat ("/sys", &st));
  try_write ("/sys/kernel/rcu_expedited", "/sys/kernel/rcu_expedited", NULL);
  try_read ("/proc/kcore", "/proc/kcore");
  try_read ("/proc/timer_list", "/proc/timer_list");
  try_read ("/proc/keys", "/proc/keys");
  try_read ("/dev/kmsg", "/dev/kmsg");
  return 0;
}

/* 20: the host's name (the sandbox has a uts namespace of its own, and no
 * CAP_SYS_ADMIN over it). */
ATTACK (set_hostname, "set-hostname", "NAME");
static int
set_hostname (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  report ("sethostname", sethostname (argv[1], strlen (argv[1])));
  report ("setdomainname", setdomainname (argv[1], strlen (argv[1])));
  struct utsname u;
  if (report ("uname", uname (&u)) == 0)
    {
      report_value ("nodename", "%s", u.nodename);
      report_value ("domainname", "%s", u.domainname);
    }
  return 0;
}
