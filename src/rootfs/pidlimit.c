/* SPDX-License-Identifier: Apache-2.0 */
/* kernel.pid_max of the sandbox's pid namespace, from RLIMIT_NPROC.
 *
 * Why: RLIMIT_NPROC alone does not bound a sandbox that root starts.
 * copy_process() enforces it only for a task whose real uid is not host
 * uid 0 (`p->real_cred->user != INIT_USER`), and with the caller's uid 0
 * mapped to 0 the payload's real uid is host uid 0: a fork bomb then takes
 * pids until the host's pid_max runs out, for every process of the host.
 * Since Linux 6.14 pid_max is per pid namespace, and alloc_pid() needs a
 * free pid below pid_max at every level of nesting.  Once the pid counter
 * of a namespace reaches pid_max it wraps to RESERVED_PIDS (300), not 1, so
 * a namespace holds at most pid_max - 300 tasks besides those still alive
 * below 300.  pid_max = hard + 301 therefore always leaves room for PID 1
 * plus `hard` processes or threads, however many the build has created
 * before (a configure script runs thousands one after the other), and
 * stops a root-started fork bomb at most 299 tasks beyond the limit
 * (pids 1 .. hard + 300 before the first wrap).  hard + 2 would be exact
 * until the wrap and then leave a build with a small limit almost no room.
 * uid 0 of the sandbox's user namespace may write the value back up: the
 * bound holds while /proc/sys is read-only (linux.readonlyPaths of
 * `fmr-run spec`). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "rootfs/paths.h"
#include "rootfs/pidlimit.h"
#include "common/util.h"

#define RESERVED_PIDS 300 /* the kernel's: where a namespace's pid counter wraps */

/* Before 6.14 pid_max is one value for the whole host, and a sandbox whose
 * uid 0 is host uid 0 passes its permission check: writing it would lower
 * the host's limit.  So the version decides, before anything is opened. */
static bool
kernel_has_per_ns_pid_max (char *release, size_t size)
{
  struct utsname u;
  int major = 0, minor = 0;
  if (uname (&u) < 0)
    return false;
  snprintf (release, size, "%s", u.release);
  if (sscanf (u.release, "%d.%d", &major, &minor) != 2)
    return false;
  return major > 6 || (major == 6 && minor >= 14);
}

static const struct fmr_rlimit *
find_nproc (const struct fmr_process *p)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    if (p->rlimits[i].resource == RLIMIT_NPROC)
      return &p->rlimits[i];
  return NULL;
}

/* The last proc mount: one mounted later on the same place covers it. */
static const struct fmr_mount *
find_proc_mount (const struct fmr_bundle *b)
{
  for (size_t i = b->n_mounts; i > 0; i--)
    if (b->mounts[i - 1].kind == FMR_MOUNT_PROC)
      return &b->mounts[i - 1];
  return NULL;
}

static bool
bound_proc (const struct fmr_bundle *b)
{
  for (size_t i = 0; i < b->n_mounts; i++)
    if (b->mounts[i].kind == FMR_MOUNT_BIND && strcmp (b->mounts[i].destination, "/proc") == 0)
      return true;
  return false;
}

static int
check_proc (int fd, const char *what, fmr_error_t *err)
{
  struct statfs sfs;
  if (fstatfs (fd, &sfs) < 0)
    return fmr_error_set (err, errno, "%s: fstatfs", what);
  if (sfs.f_type != PROC_SUPER_MAGIC)
    return fmr_error_set (err, 0, "%s: not a proc filesystem (type 0x%lx)", what, (unsigned long) sfs.f_type);
  return 0;
}

/* The proc mount of the new pid namespace, inside the new root: a proc of
 * our own namespace says we are who getpid() says (PID 1); the host's
 * would name our pid out there. */
static int
open_own_proc (int root_fd, const struct fmr_mount *m, fmr_error_t *err)
{
  cleanup_close int dir = path_open_in_root (root_fd, m->destination, O_DIRECTORY, err);
  if (dir < 0 || check_proc (dir, m->destination, err) < 0)
    return -1;
  char self[32], want[32];
  ssize_t n = readlinkat (dir, "self", self, sizeof self - 1);
  if (n < 0)
    return fmr_error_set (err, errno, "%s/self: readlink", m->destination);
  self[n] = '\0';
  snprintf (want, sizeof want, "%d", (int) getpid ());
  if (strcmp (self, want) != 0)
    return fmr_error_set (err, 0, "%s: the proc of another pid namespace (self is %s)", m->destination, self);
  int fd = dir;
  dir = -1;
  return fd;
}

static int
read_int (int fd, const char *what, long *out, fmr_error_t *err)
{
  char buf[32];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  if (n < 0)
    return fmr_error_set (err, errno, "%s: read", what);
  buf[n] = '\0';
  char *end;
  errno = 0;
  *out = strtol (buf, &end, 10);
  if (errno != 0 || end == buf || (*end != '\n' && *end != '\0'))
    return fmr_error_set (err, 0, "%s: not a number: %s", what, buf);
  return 0;
}

/* Write VALUE unless the namespace's pid_max is already at most that;
 * returns 1 when written, 0 when left alone.  A new namespace may start
 * above its parent's (6.18 starts it at the maximum, 4194304): a
 * VALUE above the parent's is then written, and is harmless, since every
 * ancestor's pid_max still applies; the parent's own value cannot be read
 * from here (the file shows the reader's namespace). */
static int
write_pid_max (int root_fd, const struct fmr_mount *m, long value, fmr_error_t *err)
{
  cleanup_free char *what = xasprintf ("%s/sys/kernel/pid_max", m->destination);
  cleanup_close int proc = open_own_proc (root_fd, m, err);
  if (proc < 0)
    return -1;
  cleanup_close int fd = openat (proc, "sys/kernel/pid_max", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "%s: open", what);
  long current = 0;
  if (check_proc (fd, what, err) < 0 || read_int (fd, what, &current, err) < 0)
    return -1;
  if (value >= current)
    return 0;
  char buf[32];
  int len = snprintf (buf, sizeof buf, "%ld\n", value);
  ssize_t n = pwrite (fd, buf, len, 0);
  if (n != len)
    return fmr_error_set (err, n < 0 ? errno : EIO, "%s: write %ld", what, value);
  return 1;
}

void
pidlimit_apply (const struct fmr_bundle *b, struct fmr_trace *trace, int root_fd)
{
  const struct fmr_rlimit *nproc = find_nproc (&b->process);
  if (!(b->clone_flags & CLONE_NEWPID) || nproc == NULL)
    return;
  if (nproc->hard == RLIM_INFINITY || nproc->hard > INT_MAX - RESERVED_PIDS - 1)
    {
      trace_step (trace, "pid_max left alone: RLIMIT_NPROC hard limit is unlimited");
      return;
    }
  long value = (long) nproc->hard + RESERVED_PIDS + 1;

  char release[65] = "";
  if (!kernel_has_per_ns_pid_max (release, sizeof release))
    {
      trace_step (trace, "pid_max left alone: kernel %s has no per-namespace pid_max (6.14 or later)", release);
      return;
    }
  const struct fmr_mount *proc = find_proc_mount (b);
  if (proc == NULL && bound_proc (b))
    {
      /* An outer container's masked /proc (fmr-run spec --proc bind). */
      trace_step (trace, "pid_max left alone: /proc is a bind of the outer proc, and only the sandbox's own proc "
                         "reaches its pid namespace's pid_max; RLIMIT_NPROC still bounds a payload that is not host "
                         "uid 0");
      return;
    }
  if (proc == NULL)
    {
      trace_step (trace, "pid_max left alone: the bundle mounts no proc");
      return;
    }
  cleanup_error fmr_error_t err = NULL;
  int r = write_pid_max (root_fd, proc, value, &err);
  if (r < 0)
    {
      cleanup_free char *text = fmr_error_text (err);
      trace_step (trace, "pid_max left alone: %s", text);
    }
  else if (r == 0)
    trace_step (trace, "pid_max left alone: already at most %ld", value);
  else
    trace_step (trace, "pid_max %ld for RLIMIT_NPROC hard limit %llu", value, (unsigned long long) nproc->hard);
}
