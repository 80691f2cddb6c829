/* SPDX-License-Identifier: Apache-2.0 */
/* `fmr-run check`: each part of the default sandbox tried for real, the
 * way `run` builds it, in one throw-away child: clone into the seven
 * namespaces, the parent writes the id maps, the child goes step by step
 * and reports each on a socket.  Everything it mounts is inside its own
 * mount namespace (made private first), so nothing reaches the host; it
 * has no children, and it dies with the parent (PR_SET_PDEATHSIG). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "check/hostcheck.h"
#include "sandbox/idmap.h"
#include "rootfs/mounts.h"
#include "sandbox/net.h"
#include "sandbox/process.h"
#include "sandbox/seccomp_filter.h"
#include "common/syscalls.h"
#include "common/util.h"

#define ALL_NAMESPACES                                                                                                 \
  (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

/* One step's outcome, child to parent. */
enum step_status
{
  STEP_OK,
  STEP_FAIL,
  STEP_SKIP,
};

struct step_msg
{
  int part;
  int status;
  int errnum;
  char text[512]; /* the failed call, the reason a step was skipped, or a detail */
};

/* ---- the child ---------------------------------------------------------- */

__attribute__ ((format (printf, 5, 6))) static void
send_step (int fd, enum hostcheck_part part, enum step_status status, int errnum, const char *fmt, ...)
{
  struct step_msg m = { .part = part, .status = status, .errnum = errnum };
  va_list ap;
  va_start (ap, fmt);
  vsnprintf (m.text, sizeof m.text, fmt, ap);
  va_end (ap);
  /* A lost message shows up as a part that was not tried. */
  if (send (fd, &m, sizeof m, MSG_NOSIGNAL) < 0)
    _exit (1);
}

/* OK, or FAIL with the error, which is released. */
static void
send_result (int fd, enum hostcheck_part part, fmr_error_t *err)
{
  if (*err == NULL)
    send_step (fd, part, STEP_OK, 0, "%s", "");
  else
    send_step (fd, part, STEP_FAIL, (*err)->errnum, "%s", (*err)->msg);
  fmr_error_release (err);
}

/* The scratch root: a tmpfs on a directory that exists everywhere, in
 * this process's private mount tree only. */
static int
scratch_tmpfs (fmr_error_t *err)
{
  static const char *const places[] = { "/tmp", "/mnt", "/run", "/dev" };
  for (size_t i = 0; i < ARRAY_SIZE (places); i++)
    {
      cleanup_close int target = open (places[i], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (target < 0)
        continue;
      cleanup_free char *what = xasprintf ("a tmpfs on %s in the child's mount namespace", places[i]);
      struct fmr_mount m = { .destination = what,
                             .kind = FMR_MOUNT_TMPFS,
                             .flags = MS_NOSUID | MS_NODEV,
                             .data = (char *) "mode=0755,size=1m" };
      return mount_tmpfs (&m, target, err);
    }
  return fmr_error_set (err, ENOENT, "no directory to mount a tmpfs on (/tmp, /mnt, /run, /dev)");
}

/* A directory NAME in the scratch root, opened as a mount target. */
static int
scratch_dir (int scratch, const char *name, fmr_error_t *err)
{
  if (mkdirat (scratch, name, 0755) < 0)
    return fmr_error_set (err, errno, "mkdir `%s` in the tmpfs", name);
  int fd = openat (scratch, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s` in the tmpfs", name);
  return fd;
}

/* A fresh proc, as the sandbox mounts it (mounts.c). */
static void
step_proc (int fd, int scratch)
{
  cleanup_error fmr_error_t err = NULL;
  cleanup_close int target = scratch_dir (scratch, "proc", &err);
  if (target >= 0)
    {
      struct fmr_mount m
          = { .destination = (char *) "/proc", .kind = FMR_MOUNT_PROC, .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC };
      cleanup_close int mnt = mount_proc (&m, target, &err);
    }
  send_result (fd, HC_PROC, &err);
}

/* /usr bound recursively read-only, as the default bundle binds the
 * system directories; the kernel must then say it is read-only. */
static void
step_readonly_bind (int fd, int scratch)
{
  cleanup_error fmr_error_t err = NULL;
  struct stat st;
  const char *source = stat ("/usr", &st) == 0 && S_ISDIR (st.st_mode) ? "/usr" : "/";
  cleanup_close int target = scratch_dir (scratch, "ro", &err);
  if (target >= 0)
    {
      cleanup_close int mnt = mount_bind_at (AT_FDCWD, source, target, true, true, source, &err);
      struct statvfs sv;
      if (mnt >= 0 && fstatvfs (mnt, &sv) < 0)
        fmr_error_set (&err, errno, "%s: fstatvfs of the bind", source);
      else if (mnt >= 0 && !(sv.f_flag & ST_RDONLY))
        fmr_error_set (&err, 0, "%s: the bind is still writable after mount_setattr", source);
    }
  send_result (fd, HC_ROBIND, &err);
}

/* Into the tmpfs, the way rootfs.c does it: pivot_root(".", ".") and the
 * old root detached. */
static void
step_pivot (int fd, int scratch)
{
  cleanup_error fmr_error_t err = NULL;
  if (fchdir (scratch) < 0)
    fmr_error_set (&err, errno, "fchdir into the tmpfs");
  else if (syscall (SYS_pivot_root, ".", ".") < 0)
    fmr_error_set (&err, errno, "pivot_root into the tmpfs");
  else if (umount2 (".", MNT_DETACH) < 0)
    fmr_error_set (&err, errno, "detach the old root");
  else if (chdir ("/") < 0 || access ("/ro", F_OK) < 0)
    fmr_error_set (&err, errno, "the tmpfs is not the root after pivot_root");
  send_result (fd, HC_PIVOT, &err);
}

static void
mount_steps (int fd, unsigned long flags, bool private_tree)
{
  /* Without its own, private mount tree the child would mount on the
   * host's: nothing is tried then. */
  const char *why = !(flags & CLONE_NEWNS) ? "needs the mount namespace" : "needs a private mount tree";
  cleanup_error fmr_error_t err = NULL;
  cleanup_close int scratch = -1;
  if (private_tree)
    {
      scratch = scratch_tmpfs (&err);
      send_result (fd, HC_TMPFS, &err);
      why = "needs the tmpfs mount";
    }
  if (scratch < 0)
    {
      /* The parent keeps the first word on a part: a tmpfs failure stays. */
      for (int part = HC_PROC; part <= HC_PIVOT; part++)
        send_step (fd, part, STEP_SKIP, 0, "%s", why);
      return;
    }
  /* A proc mount shows the caller's pid namespace, which a user namespace
   * of its own does not own: the kernel would refuse it. */
  if (flags & CLONE_NEWPID)
    step_proc (fd, scratch);
  else
    send_step (fd, HC_PROC, STEP_SKIP, 0, "needs the pid namespace");
  step_readonly_bind (fd, scratch);
  step_pivot (fd, scratch);
}

/* no_new_privs, then a trivial filter through the same libseccomp
 * translation `run` uses: getppid refused with an errno nothing else
 * returns, which proves the filter is in force. */
static void
step_seccomp (int fd)
{
  cleanup_error fmr_error_t err = NULL;
  char *names[] = { (char *) "getppid", NULL };
  struct fmr_seccomp_rule rule
      = { .names = names, .n_names = 1, .action = FMR_SCMP_ERRNO, .has_errno_ret = true, .errno_ret = EHWPOISON };
  struct fmr_seccomp filter = { .default_action = FMR_SCMP_ALLOW, .rules = &rule, .n_rules = 1 };
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    fmr_error_set (&err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  else if (seccomp_apply (&filter, &err) == 0 && (syscall (SYS_getppid) != -1 || errno != EHWPOISON))
    fmr_error_set (&err, 0, "a filter refusing getppid was loaded, yet getppid was not refused");
  send_result (fd, HC_SECCOMP, &err);
}

__attribute__ ((noreturn)) static void
child_main (int fd, unsigned long flags, uid_t uid, gid_t gid)
{
  cleanup_error fmr_error_t err = NULL;
  char go;
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || read (fd, &go, 1) != 1)
    _exit (1); /* the parent is gone or failed: it reports */

  if (getuid () != uid || getgid () != gid)
    send_step (fd, HC_USER, STEP_FAIL, 0, "the id maps are not in effect: uid %d, gid %d inside", (int) getuid (),
               (int) getgid ());
  else
    send_step (fd, HC_USER, STEP_OK, 0, "uid %d and gid %d mapped to themselves", (int) uid, (int) gid);

  /* Nothing below may propagate to the caller's mounts. */
  bool private_tree = false;
  if (flags & CLONE_NEWNS)
    {
      private_tree = mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
      if (!private_tree)
        fmr_error_set (&err, errno, "make the mount tree private: mount `/`");
      send_result (fd, HC_MOUNT, &err);
    }
  if (flags & CLONE_NEWPID)
    {
      if (getpid () != 1)
        fmr_error_set (&err, 0, "getpid() is %d, not 1", (int) getpid ());
      send_result (fd, HC_PID, &err);
    }
  if (flags & CLONE_NEWNET)
    {
      net_loopback_up (&err);
      send_result (fd, HC_NET, &err);
    }
  if (flags & CLONE_NEWIPC)
    send_result (fd, HC_IPC, &err);
  if (flags & CLONE_NEWUTS)
    {
      if (sethostname ("fmr-run-check", 13) < 0)
        fmr_error_set (&err, errno, "sethostname");
      send_result (fd, HC_UTS, &err);
    }
  if (flags & CLONE_NEWCGROUP)
    send_result (fd, HC_CGROUP, &err);
  mount_steps (fd, flags, private_tree);
  step_seccomp (fd);
  _exit (0);
}

/* ---- the parent ----------------------------------------------------------- */

struct probe
{
  struct hostcheck_report *r;
  bool have_facts;
  struct hostcheck_facts facts;
};

static void set_part (struct probe *p, enum hostcheck_part part, enum step_status st, char *detail, char *fix);

/* Failures `fmr-run spec` works around (spec_proc.c): a masked /proc
 * (the outer /proc bound instead) and sethostname refused (no hostname). */
static bool
degradable (enum hostcheck_part part, int errnum, const char *call, const struct hostcheck_facts *f)
{
  if (part == HC_PROC)
    return errnum == EPERM && f->proc_overmounts != NULL;
  if (part == HC_UTS)
    return errnum == EPERM && strncmp (call, "sethostname", 11) == 0;
  return false;
}

static void
set_part (struct probe *p, enum hostcheck_part part, enum step_status st, char *detail, char *fix)
{
  struct hostcheck_result *res = &p->r->parts[part];
  if (res->done)
    {
      free (detail);
      free (fix);
      return;
    }
  *res = (struct hostcheck_result){ .done = true,
                                    .ok = st == STEP_OK,
                                    .skipped = st == STEP_SKIP,
                                    .detail = detail ? detail : xstrdup (""),
                                    .fix = fix ? fix : xstrdup ("") };
}

/* "CALL: strerror: reason", with the fix the host's knobs point at.  The
 * knobs are read on the first failure only: a host that passes never
 * pays for them. */
static void
fail (struct probe *p, enum hostcheck_part part, int errnum, const char *call)
{
  if (!p->have_facts)
    hostcheck_facts_read (&p->facts);
  p->have_facts = true;
  cleanup_free char *why = NULL;
  char *fix = NULL;
  hostcheck_explain (part, errnum, &p->facts, &why, &fix);
  bool was_done = p->r->parts[part].done;
  set_part (p, part, STEP_FAIL,
            xasprintf ("%s%s%s%s%s", call, errnum ? ": " : "", errnum ? strerror (errnum) : "", why ? ": " : "",
                       why ? why : ""),
            fix);
  if (!was_done)
    p->r->parts[part].degraded = degradable (part, errnum, call, &p->facts);
}

/* The user namespace cannot be made, so the proc mount was not tried;
 * a masked /proc is still visible from here, and is the next obstacle
 * once the first is gone. */
static void
predict_proc (struct probe *p)
{
  struct hostcheck_result *res = &p->r->parts[HC_PROC];
  if (!res->skipped)
    return;
  if (!p->have_facts)
    hostcheck_facts_read (&p->facts);
  p->have_facts = true;
  if (p->facts.proc_overmounts == NULL)
    return;
  cleanup_free char *how = hostcheck_proc_degraded (&p->facts);
  char *detail = xasprintf ("%s; once it can be made: %s", res->detail, how);
  free (res->detail);
  free (res->fix);
  res->detail = detail;
  res->fix = hostcheck_proc_fix (&p->facts);
}

static void
skip_rest (struct probe *p, const char *why)
{
  for (int part = 0; part < HC_NPARTS; part++)
    if (hostcheck_parts[part].required)
      set_part (p, part, STEP_SKIP, xasprintf ("not tried: %s", why), NULL);
}

/* A raw clone with no stack behaves like fork, and creates the
 * namespaces in the same call, as `run` does. */
static pid_t
clone_ns (unsigned long flags)
{
  return (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

static void
reap (pid_t pid, int *status)
{
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
}

/* 0 when a child can be cloned with FLAGS, else the errno. */
static int
try_clone (unsigned long flags)
{
  pid_t pid = clone_ns (flags);
  if (pid == 0)
    _exit (0);
  if (pid < 0)
    return errno;
  reap (pid, NULL);
  return 0;
}

/* The clone with every namespace failed (errno ALL_ERRNO): which kind is
 * refused?  The user namespace alone first (it owns the others), then
 * each other kind with it.  Returns the namespaces that can be made, 0
 * when not even the user namespace can. */
static unsigned long
namespaces_that_work (struct probe *p, int all_errno)
{
  int e = try_clone (CLONE_NEWUSER);
  if (e)
    {
      fail (p, HC_USER, e, "clone(CLONE_NEWUSER)");
      skip_rest (p, "needs the user namespace");
      return 0;
    }
  unsigned long works = CLONE_NEWUSER;
  for (int part = HC_MOUNT; part <= HC_CGROUP; part++)
    {
      const struct hostcheck_part_info *pi = &hostcheck_parts[part];
      e = try_clone (CLONE_NEWUSER | (unsigned long) pi->ns_flag);
      if (e == 0)
        works |= (unsigned long) pi->ns_flag;
      else
        {
          cleanup_free char *call = xasprintf ("clone(CLONE_NEWUSER|%s)", pi->flag_name);
          fail (p, part, e, call);
        }
    }
  if (works == ALL_NAMESPACES)
    {
      /* Each kind alone works, all of them together not. */
      fail (p, HC_USER, all_errno, "clone with the seven namespaces together");
      skip_rest (p, "the seven namespaces cannot be made together");
      return 0;
    }
  return works;
}

static void
apply (struct probe *p, const struct step_msg *m)
{
  if (m->part < 0 || m->part >= HC_NPARTS)
    return;
  if (m->status == STEP_FAIL)
    fail (p, m->part, m->errnum, m->text);
  else
    set_part (p, m->part, m->status, xasprintf ("%s%s", m->status == STEP_SKIP ? "not tried: " : "", m->text), NULL);
}

/* The child ended without reporting every part: the first part missing is
 * where it died. */
static void
child_died (struct probe *p, int status)
{
  for (int part = 0; part < HC_NPARTS; part++)
    if (hostcheck_parts[part].required && !p->r->parts[part].done)
      {
        cleanup_free char *what = WIFSIGNALED (status)
                                      ? xasprintf ("the probe died of signal %d here", WTERMSIG (status))
                                      : xasprintf ("the probe ended here (exit status %d)", WEXITSTATUS (status));
        fail (p, part, 0, what);
        skip_rest (p, "the probe ended before it");
        return;
      }
}

static void
sandbox_probe (struct probe *p)
{
  uid_t uid = geteuid ();
  gid_t gid = getegid ();
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      fail (p, HC_USER, errno, "socketpair");
      skip_rest (p, "no channel to the probe");
      return;
    }
  unsigned long flags = ALL_NAMESPACES;
  pid_t pid = clone_ns (flags);
  if (pid < 0)
    {
      flags = namespaces_that_work (p, errno);
      pid = flags ? clone_ns (flags) : -1;
      if (flags && pid < 0)
        {
          fail (p, HC_USER, errno, "clone");
          skip_rest (p, "needs the user namespace");
        }
    }
  if (pid == 0)
    {
      close (sv[0]);
      child_main (sv[1], flags, uid, gid);
    }
  close (sv[1]);
  cleanup_close int fd = sv[0];
  if (pid < 0)
    return;

  /* The maps `fmr-run spec` writes: the caller's own uid and gid. */
  struct fmr_id_mapping uids = { uid, uid, 1 }, gids = { gid, gid, 1 };
  struct fmr_bundle b = { .uid_mappings = &uids, .n_uid_mappings = 1, .gid_mappings = &gids, .n_gid_mappings = 1 };
  cleanup_error fmr_error_t err = NULL;
  if (idmap_write (pid, &b, uid == 0, uid, gid, &err) < 0 || write (fd, "g", 1) != 1)
    {
      fail (p, HC_USER, err ? err->errnum : errno, err ? err->msg : "tell the probe to go on");
      skip_rest (p, "needs the user namespace");
      kill (pid, SIGKILL);
      reap (pid, NULL);
      return;
    }
  struct step_msg m;
  ssize_t n;
  while ((n = recv (fd, &m, sizeof m, 0)) == (ssize_t) sizeof m || (n < 0 && errno == EINTR))
    if (n > 0)
      {
        m.text[sizeof m.text - 1] = '\0';
        apply (p, &m);
      }
  /* End of file: the child is gone (or going). */
  int status = 0;
  reap (pid, &status);
  child_died (p, status);
}

/* ---- information only --------------------------------------------------- */

/* The errno of a call the kernel would refuse for its arguments: ENOSYS
 * when the kernel (or a seccomp filter answering for it) does not know
 * it, EPERM when a filter refuses it (the arguments below fail before any
 * permission check: the kernel itself answers ENOENT or EINVAL), 0 for
 * any other answer, which proves it exists.  Nothing can happen. */
static int
syscall_answer (long nr, long a, long b, long c, long d, long e)
{
  long r = syscall (nr, a, b, c, d, e);
  int saved = errno;
  if (r >= 0)
    close ((int) r);
  return r < 0 && (saved == ENOSYS || saved == EPERM) ? saved : 0;
}

static bool
syscall_missing (long nr, long a, long b, long c, long d, long e)
{
  return syscall_answer (nr, a, b, c, d, e) == ENOSYS;
}

/* open_tree and mount_setattr answer these without a permission check;
 * EPERM means a seccomp filter (docker's profile without CAP_SYS_ADMIN). */
static bool
mount_api_filtered (struct probe *p)
{
  bool open_tree = syscall_answer (__NR_open_tree, -1, (long) "", 0, 0, 0) == EPERM;
  bool setattr = syscall_answer (__NR_mount_setattr, -1, (long) "", 0, 0, 0) == EPERM;
  if (!open_tree && !setattr)
    return false;
  if (!p->have_facts)
    hostcheck_facts_read (&p->facts);
  p->have_facts = true;
  cleanup_free char *why = NULL;
  char *fix = NULL;
  hostcheck_explain (HC_USER, EPERM, &p->facts, &why, &fix);
  set_part (p, HC_MOUNT_API, STEP_FAIL,
            xasprintf ("%s%srefused (Operation not permitted)%s%s", open_tree ? "open_tree " : "",
                       setattr ? "mount_setattr " : "", why ? ": " : "", why ? why : ""),
            fix);
  return true;
}

static void
probe_syscalls (struct probe *p)
{
  bool no_open_tree = syscall_missing (__NR_open_tree, -1, (long) "", 0, 0, 0);
  bool no_move_mount = syscall_missing (__NR_move_mount, -1, (long) "", -1, (long) "", 0);
  bool no_fsopen = syscall_missing (__NR_fsopen, (long) "", 0, 0, 0, 0);
  bool no_setattr = syscall_missing (__NR_mount_setattr, -1, (long) "", 0, 0, 0);
  if (mount_api_filtered (p))
    ;
  else if (no_open_tree || no_move_mount || no_fsopen)
    set_part (p, HC_MOUNT_API, STEP_FAIL,
              xasprintf ("%s%s%snot available (Linux 5.2 has them): mounts go through mount(2) on /proc/self/fd "
                         "paths instead",
                         no_open_tree ? "open_tree " : "", no_move_mount ? "move_mount " : "",
                         no_fsopen ? "fsopen " : ""),
              xstrdup ("Linux 5.12 or later has the whole new mount API"));
  else if (no_setattr)
    set_part (p, HC_MOUNT_API, STEP_FAIL,
              xstrdup ("mount_setattr not available (Linux 5.12 has it): read-only binds remount each submount "
                       "instead"),
              xstrdup ("Linux 5.12 or later"));
  else
    set_part (p, HC_MOUNT_API, STEP_OK, xstrdup ("open_tree, move_mount, fsopen, mount_setattr"), NULL);

  if (syscall_missing (__NR_openat2, -1, (long) "", 0, 0, 0))
    set_part (p, HC_OPENAT2, STEP_FAIL,
              xstrdup ("not available (Linux 5.6 has it): paths inside the root are resolved by a walk in user space "
                       "instead"),
              xstrdup ("Linux 5.6 or later"));
  else
    set_part (p, HC_OPENAT2, STEP_OK, NULL, NULL);
}

/* The payload marks every descriptor above those it keeps close-on-exec
 * with one close_range call; a range beyond any open descriptor closes
 * nothing. */
static void
probe_close_range (struct probe *p)
{
  cleanup_error fmr_error_t err = NULL;
  if (fd_close_range (~0u - 1, ~0u, CLOSE_RANGE_CLOEXEC, &err) == 0)
    set_part (p, HC_CLOSE_RANGE, STEP_OK, xstrdup ("CLOSE_RANGE_CLOEXEC"), NULL);
  else
    set_part (p, HC_CLOSE_RANGE, STEP_FAIL, fmr_error_text (err),
              xstrdup ("Linux " FMR_KERNEL_FLOOR " or later (a seccomp filter answering ENOSYS for it has the same "
                       "effect: allow close_range)"));
}

/* The release against the oldest kernel fmr-run supports; older ones may
 * still work through the fallbacks, untested. */
static void
probe_kernel (struct probe *p)
{
  struct utsname u;
  int major = 0, minor = 0;
  if (uname (&u) < 0 || sscanf (u.release, "%d.%d", &major, &minor) != 2)
    set_part (p, HC_KERNEL, STEP_FAIL, xstrdup ("release unknown"), NULL);
  else if (major < FMR_KERNEL_FLOOR_MAJOR || (major == FMR_KERNEL_FLOOR_MAJOR && minor < FMR_KERNEL_FLOOR_MINOR))
    set_part (p, HC_KERNEL, STEP_FAIL,
              xasprintf ("Linux %s, older than " FMR_KERNEL_FLOOR ", the oldest fmr-run supports", u.release),
              xstrdup ("Linux " FMR_KERNEL_FLOOR " or later (RHEL 9, Debian 12, Ubuntu 22.04)"));
  else
    set_part (p, HC_KERNEL, STEP_OK, xasprintf ("Linux %s; " FMR_KERNEL_FLOOR " or later is supported", u.release),
              NULL);
}

/* Where idmap.c's execvp would find NAME (the caller's PATH). */
static char *
find_in_path (const char *name)
{
  cleanup_error fmr_error_t err = NULL;
  int code;
  return process_find_executable (environ, name, &code, &err);
}

/* Only a bundle mapping more than the caller's own ids needs newuidmap
 * and newgidmap; the default sandbox does not, and root writes any map
 * itself. */
static void
probe_newuidmap (struct probe *p)
{
  cleanup_free char *u = find_in_path ("newuidmap");
  cleanup_free char *g = find_in_path ("newgidmap");
  if (u && g)
    set_part (p, HC_NEWUIDMAP, STEP_OK, xasprintf ("%s and %s, for maps of more than the caller's own ids", u, g),
              NULL);
  else if (geteuid () == 0)
    set_part (p, HC_NEWUIDMAP, STEP_OK, xstrdup ("not installed, not needed: root writes any id map itself"), NULL);
  else
    set_part (p, HC_NEWUIDMAP, STEP_FAIL,
              xstrdup ("newuidmap or newgidmap not found: only a bundle mapping more than the caller's own uid and "
                       "gid needs them (the default sandbox does not)"),
              xstrdup ("apt-get install uidmap (Debian, Ubuntu) or dnf install shadow-utils (Fedora), with "
                       "subordinate ids in /etc/subuid and /etc/subgid"));
}

bool
hostcheck_run (struct hostcheck_report *r)
{
  *r = (struct hostcheck_report){ 0 };
  struct probe p = { .r = r };
  /* Before the sandbox's parts: a child that dies marks every required
   * part still undone. */
  probe_close_range (&p);
  sandbox_probe (&p);
  probe_syscalls (&p);
  probe_kernel (&p);
  probe_newuidmap (&p);
  skip_rest (&p, "no step reached it"); /* only parts still undone */
  predict_proc (&p);
  if (p.have_facts)
    hostcheck_facts_release (&p.facts);
  bool ok = true;
  for (int part = 0; part < HC_NPARTS; part++)
    ok &= r->parts[part].ok || r->parts[part].degraded || !hostcheck_parts[part].required;
  return ok;
}

void
hostcheck_report_release (struct hostcheck_report *r)
{
  for (int part = 0; part < HC_NPARTS; part++)
    {
      free (r->parts[part].detail);
      free (r->parts[part].fix);
    }
  *r = (struct hostcheck_report){ 0 };
}
