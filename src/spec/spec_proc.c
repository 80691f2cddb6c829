/* SPDX-License-Identifier: Apache-2.0 */
/* What `spec` leaves out or does differently where the host (usually an
 * outer container) refuses part of the default sandbox:
 *
 * - /proc.  docker, podman and Kubernetes mount over parts of a
 *   container's /proc (masked and read-only paths).  The kernel then
 *   refuses a new proc mount in a child user namespace ("VFS: Mount too
 *   revealing"), while a recursive bind of the outer /proc is allowed.
 *   The bundle then binds the outer /proc read-only; with the sandbox's
 *   own user and pid namespaces the outer processes stay out of reach
 *   (their environ, mem, root and fd need ptrace access, which a task in
 *   a child user namespace never has; kill names pids of the sandbox's
 *   pid namespace only), but their command lines and status show.
 * - hostname.  podman's seccomp profile refuses sethostname without
 *   CAP_SYS_ADMIN, even in a new uts namespace: the bundle leaves
 *   `hostname` out.
 *
 * Both are tried in a throw-away child, the way `run` will: clone into
 * new user, mount, pid and uts namespaces, then fsopen/fsmount a proc
 * (detached: nothing is attached anywhere) and sethostname.  What was
 * chosen is written into the bundle as run.fmr.note.* annotations, so
 * config.json stays the whole truth, and said once on stderr. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "spec/spec.h"
#include "common/syscalls.h"
#include "common/util.h"

#define NOTE_PREFIX FMR_ANNOTATION_PREFIX "note."

/* The three spellings of "unmask /proc", for the note and the stderr line. */
#define PROC_FIX                                                                                                       \
  "unmask /proc for the outer container: docker run --security-opt systempaths=unconfined; podman run "                \
  "--security-opt unmask=/proc/* (or unmask=ALL); Kubernetes securityContext.procMount: Unmasked (with "               \
  "hostUsers: false)"
#define HOSTNAME_FIX                                                                                                   \
  "allow sethostname in the outer container's seccomp profile (podman's default allows it only with "                  \
  "CAP_SYS_ADMIN): podman run --security-opt seccomp=PROFILE.json, or seccomp=unconfined"

struct probe_result
{
  int clone_errno; /* 0: the child ran */
  int proc_errno;  /* -1: not tried */
  char proc_call[32];
  char proc_log[200]; /* the fs context's message, "VFS: Mount too revealing" */
  int uts_errno;
};

int
spec_proc_parse (struct spec_options *o, const char *arg, fmr_error_t *err)
{
  static const struct
  {
    const char *name;
    enum spec_proc proc;
  } names[] = {
    { "auto", SPEC_PROC_AUTO }, { "fresh", SPEC_PROC_FRESH }, { "bind", SPEC_PROC_BIND }, { "none", SPEC_PROC_NONE }
  };
  for (size_t i = 0; i < ARRAY_SIZE (names); i++)
    if (strcmp (arg, names[i].name) == 0)
      {
        o->proc = names[i].proc;
        return 0;
      }
  return fmr_error_set (err, 0, "--proc `%s`: expected fresh, bind, none or auto", arg);
}

/* The message a failed fsconfig/fsmount left in the context's log
 * ("e VFS: Mount too revealing"), without its "e " tag. */
static void
read_fs_log (int fs_fd, char *buf, size_t size)
{
  char line[256];
  ssize_t n = read (fs_fd, line, sizeof line - 1);
  if (n <= 2)
    return;
  line[n] = '\0';
  line[strcspn (line, "\n")] = '\0';
  size_t len = strlen (line + 2);
  if (len >= size)
    len = size - 1;
  memcpy (buf, line + 2, len);
  buf[len] = '\0';
}

/* A proc of the child's pid namespace, created and never attached; the
 * mount(2) fallback mounts it on /proc of the child's private tree. */
static void
try_proc (struct probe_result *r)
{
  int fs = (int) syscall (__NR_fsopen, "proc", FSOPEN_CLOEXEC);
  if (fs < 0 && errno != ENOSYS)
    {
      r->proc_errno = errno;
      snprintf (r->proc_call, sizeof r->proc_call, "fsopen proc");
      return;
    }
  if (fs < 0)
    {
      snprintf (r->proc_call, sizeof r->proc_call, "mount proc");
      if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        r->proc_errno = errno;
      else
        r->proc_errno = mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 ? errno : 0;
      return;
    }
  r->proc_errno = 0;
  if (syscall (__NR_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    {
      r->proc_errno = errno;
      snprintf (r->proc_call, sizeof r->proc_call, "fsconfig proc create");
    }
  else
    {
      int mnt
          = (int) syscall (__NR_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
      if (mnt < 0)
        {
          r->proc_errno = errno;
          snprintf (r->proc_call, sizeof r->proc_call, "fsmount proc");
        }
      else
        close (mnt);
    }
  if (r->proc_errno)
    read_fs_log (fs, r->proc_log, sizeof r->proc_log);
  close (fs);
}

__attribute__ ((noreturn)) static void
probe_child (int fd, bool want_proc)
{
  struct probe_result r = { .proc_errno = -1 };
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    _exit (1);
  if (want_proc)
    try_proc (&r);
  r.uts_errno = sethostname ("localhost", 9) < 0 ? errno : 0;
  _exit (write (fd, &r, sizeof r) == (ssize_t) sizeof r ? 0 : 1);
}

/* A raw clone with no stack behaves like fork and makes the namespaces in
 * the same call, as `run` does: the proc then belongs to the child's pid
 * namespace, owned by its user namespace. */
static void
probe (struct probe_result *r, bool want_proc)
{
  *r = (struct probe_result){ .proc_errno = -1 };
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      r->clone_errno = errno;
      return;
    }
  unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS;
  pid_t pid = (pid_t) syscall (SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid == 0)
    {
      close (p[0]);
      probe_child (p[1], want_proc);
    }
  int saved = errno;
  close (p[1]);
  if (pid < 0)
    r->clone_errno = saved;
  else
    {
      ssize_t n;
      while ((n = read (p[0], r, sizeof *r)) < 0 && errno == EINTR)
        ;
      if (n != (ssize_t) sizeof *r)
        *r = (struct probe_result){ .clone_errno = EIO, .proc_errno = -1 };
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  close (p[0]);
}

static void
add_note (struct spec_options *o, const char *key, char *value)
{
  if (o->n_notes == SPEC_MAX_NOTES)
    {
      free (value);
      return;
    }
  o->notes[o->n_notes++] = (struct spec_note){ key, value };
}

static bool
outer_proc_is_proc (void)
{
  struct statfs sfs;
  return statfs ("/proc", &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static void
decide_proc (struct spec_options *o, const struct probe_result *r)
{
  if (o->proc != SPEC_PROC_AUTO)
    return;
  o->proc = SPEC_PROC_FRESH;
  if (r->clone_errno || r->proc_errno <= 0 || !outer_proc_is_proc ())
    return;
  o->proc = SPEC_PROC_BIND;
  cleanup_free char *why
      = xasprintf ("%s: %s%s%s", r->proc_call, strerror (r->proc_errno), r->proc_log[0] ? ": " : "", r->proc_log);
  add_note (o, NOTE_PREFIX "proc",
            xasprintf ("the outer /proc is bound read-only: a new proc mount is refused here (%s), as where an "
                       "outer container masks parts of /proc; the sandbox's user and pid namespaces keep the "
                       "outer processes' environ, mem, root and fd out of reach, but their command lines and "
                       "status show, and kernel.pid_max cannot bound the sandbox. Fix: " PROC_FIX,
                       why));
  fprintf (stderr,
           "fmr-run: spec: /proc: a new proc mount is refused here (%s); the bundle binds the outer /proc "
           "read-only instead (annotation " NOTE_PREFIX "proc); fix: " PROC_FIX "\n",
           why);
}

static void
decide_hostname (struct spec_options *o, const struct probe_result *r)
{
  if (r->clone_errno || r->uts_errno == 0)
    return;
  if (o->hostname)
    {
      /* Asked for: kept, and run will refuse it here. */
      fprintf (stderr,
               "fmr-run: spec: --hostname %s: sethostname is refused in a new uts namespace here (%s): run will "
               "fail; fix: " HOSTNAME_FIX ", or leave --hostname out\n",
               o->hostname, strerror (r->uts_errno));
      return;
    }
  o->no_hostname = true;
  add_note (o, NOTE_PREFIX "hostname",
            xasprintf ("hostname left out: sethostname is refused in a new uts namespace here (%s), as podman's "
                       "seccomp profile refuses it; the sandbox keeps the outer hostname in its own uts "
                       "namespace. Fix: " HOSTNAME_FIX,
                       strerror (r->uts_errno)));
  fprintf (stderr,
           "fmr-run: spec: hostname: sethostname is refused in a new uts namespace here (%s); the bundle sets "
           "no hostname (annotation " NOTE_PREFIX "hostname); fix: " HOSTNAME_FIX "\n",
           strerror (r->uts_errno));
}

void
spec_environment_decide (struct spec_options *o)
{
  struct probe_result r;
  probe (&r, o->proc == SPEC_PROC_AUTO);
  if (r.clone_errno)
    fprintf (stderr,
             "fmr-run: spec: note: the sandbox's namespaces cannot be made here (clone: %s): the bundle asks for "
             "the full sandbox; `fmr-run check` says what stops it\n",
             strerror (r.clone_errno));
  decide_proc (o, &r);
  decide_hostname (o, &r);
}

void
spec_notes_release (struct spec_options *o)
{
  for (size_t i = 0; i < o->n_notes; i++)
    free (o->notes[i].value);
  o->n_notes = 0;
}
