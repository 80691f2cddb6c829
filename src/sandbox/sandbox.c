/* SPDX-License-Identifier: Apache-2.0 */
/* The moving parts of `run`: one clone into the new namespaces, the parent
 * writing the id maps and then waiting, the child building the sandbox as
 * its PID 1 (DESIGN.md, "Sequence of run"). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "sandbox/console.h"
#include "sandbox/idmap.h"
#include "sandbox/init.h"
#include "sandbox/net.h"
#include "sandbox/process.h"
#include "sandbox/seccomp_log.h"
#include "sandbox/stats.h"
#include "rootfs/mounts.h"
#include "rootfs/rootfs.h"
#include "rootfs/sources.h"
#include "sandbox/sandbox.h"
#include "sandbox/stdio_relay.h"
#include "sandbox/sync.h"
#include "common/util.h"

/* Namespaces with a path are joined; pid and user must be joined before
 * the clone (a pid namespace applies to children only; the user namespace
 * owns the others), the rest by the child.  The paths are opened in the
 * parent, before anything changes, so that they resolve against the
 * caller's view. */
/* More than the seven namespace types the bundle may name. */
#define MAX_JOINED_NS 16
/* The channel to PID 1 sits this far above the preserved descriptors. */
#define SYNC_FD_HEADROOM 16
#define USEC_PER_SEC 1e6

enum
{
  DEADLINE_ARMED,
  DEADLINE_TERM_SENT,
  DEADLINE_KILL_SENT,
};
#define USEC_PER_MS 1000

struct joined_ns
{
  int fd[MAX_JOINED_NS];
  int type[MAX_JOINED_NS];
  size_t idx[MAX_JOINED_NS]; /* index in linux.namespaces, for messages */
  const struct fmr_bundle *b;
  size_t n;
};

/* A namespace path is opened with O_PATH (a FIFO does not block, a device
 * is not opened), checked to be on nsfs, then reopened for reading through
 * the descriptor's magic link, which reaches the same object without
 * walking the path again, and its type asked from the kernel. */
static int
open_ns_path (const char *path, int type, size_t i, fmr_error_t *err)
{
  cleanup_close int p = open (path, O_PATH | O_CLOEXEC);
  if (p < 0)
    return fmr_error_set (err, errno, "linux.namespaces[%zu].path: %s", i, path);
  struct statfs sfs;
  if (fstatfs (p, &sfs) < 0)
    return fmr_error_set (err, errno, "linux.namespaces[%zu].path: %s: fstatfs", i, path);
  if ((unsigned long) sfs.f_type != (unsigned long) NSFS_MAGIC)
    return fmr_error_set (err, 0, "linux.namespaces[%zu].path: %s: not a namespace file (such as /proc/PID/ns/...)", i,
                          path);
  char link[64];
  snprintf (link, sizeof link, "/proc/self/fd/%d", p);
  int fd = open (link, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "linux.namespaces[%zu].path: %s: reopen", i, path);
  int actual = ioctl (fd, NS_GET_NSTYPE);
  if (actual < 0 || actual != type)
    {
      int saved = errno;
      close (fd);
      if (actual < 0)
        return fmr_error_set (err, saved, "linux.namespaces[%zu].path: %s: ioctl NS_GET_NSTYPE", i, path);
      return fmr_error_set (err, 0, "linux.namespaces[%zu].path: %s: a namespace of another type than `type`", i, path);
    }
  return fd;
}

static int
open_joined (const struct fmr_bundle *b, struct joined_ns *j, fmr_error_t *err)
{
  j->n = 0;
  j->b = b;
  for (size_t i = 0; i < b->n_namespaces && j->n < MAX_JOINED_NS; i++)
    {
      if (b->namespaces[i].path == NULL)
        continue;
      int fd = open_ns_path (b->namespaces[i].path, b->namespaces[i].type, i, err);
      if (fd < 0)
        return -1;
      j->fd[j->n] = fd;
      j->idx[j->n] = i;
      j->type[j->n++] = b->namespaces[i].type;
    }
  return 0;
}

static int
join_type (struct joined_ns *j, bool (*pick) (int type), fmr_error_t *err)
{
  for (size_t i = 0; i < j->n; i++)
    {
      if (j->fd[i] < 0 || !pick (j->type[i]))
        continue;
      if (setns (j->fd[i], j->type[i]) < 0)
        return fmr_error_set (err, errno, "linux.namespaces[%zu].path: setns `%s`", j->idx[i],
                              j->b->namespaces[j->idx[i]].path);
      close (j->fd[i]);
      j->fd[i] = -1;
    }
  return 0;
}

static bool
is_user (int type)
{
  return type == CLONE_NEWUSER;
}

static bool
is_pid (int type)
{
  return type == CLONE_NEWPID;
}

static bool
is_late (int type)
{
  return type != CLONE_NEWUSER && type != CLONE_NEWPID;
}

/* early: the user namespace first (it grants the right to join the
 * others), then pid; late: the rest, in the child. */
static int
join (struct joined_ns *j, bool early, fmr_error_t *err)
{
  if (!early)
    return join_type (j, is_late, err);
  if (join_type (j, is_user, err) < 0)
    return -1;
  return join_type (j, is_pid, err);
}

static void
close_joined (struct joined_ns *j)
{
  for (size_t i = 0; i < j->n; i++)
    if (j->fd[i] >= 0)
      close (j->fd[i]);
  j->n = 0;
}

static bool
has_late_joins (const struct joined_ns *j)
{
  for (size_t i = 0; i < j->n; i++)
    if (j->fd[i] >= 0 && is_late (j->type[i]))
      return true;
  return false;
}

static int
names_and_loopback (struct sandbox_ctx *ctx, fmr_error_t *err)
{
  const struct fmr_bundle *b = ctx->bundle;
  if (net_set_names (b, err) < 0)
    return -1;
  if ((b->clone_flags & CLONE_NEWNET) && net_loopback_up (err) < 0)
    return -1;
  trace_step (&ctx->trace, "hostname and loopback");
  return 0;
}

/* An idmapped bind's tree from the parent (send_idmapped_mounts). */
static void
keep_mount_tree (struct sandbox_ctx *ctx, const struct sync_msg *m)
{
  struct rootfs_sources *s = &ctx->sources;
  if (m->fd >= 0 && m->index == -1 && s->root_tree < 0)
    s->root_tree = m->fd;
  else if (m->fd >= 0 && m->index >= 0 && (size_t) m->index < s->n && s->binds[m->index] < 0)
    s->binds[m->index] = m->fd;
  else if (m->fd >= 0)
    close (m->fd);
}

/* A root caller's build uid maps neither host uid 0 nor root's groups into
 * the new user namespace: until this process takes ids of it, it could
 * create nothing in its own tmpfs (EOVERFLOW).  It takes the payload's
 * (validation made sure they are mapped); capabilities stay, since they
 * come from creating the namespace, not from a uid. */
static bool maps_host_id (const struct fmr_id_mapping *m, size_t n, uint32_t id);

static int
take_mapped_ids (const struct sandbox_ctx *ctx, fmr_error_t *err)
{
  const struct fmr_bundle *b = ctx->bundle;
  const struct fmr_process *p = &b->process;
  if (!(b->clone_flags & CLONE_NEWUSER)
      || (maps_host_id (b->uid_mappings, b->n_uid_mappings, ctx->host_uid)
          && maps_host_id (b->gid_mappings, b->n_gid_mappings, ctx->host_gid)))
    return 0;
  if (setgroups (0, NULL) < 0 && errno != EPERM)
    return fmr_error_set (err, errno, "process.user: setgroups");
  if (setresgid (p->gid, p->gid, p->gid) < 0)
    return fmr_error_set (err, errno, "process.user.gid: setresgid %u", (unsigned) p->gid);
  if (setresuid (p->uid, p->uid, p->uid) < 0)
    return fmr_error_set (err, errno, "process.user.uid: setresuid %u", (unsigned) p->uid);
  return 0;
}

/* *err already set: an earlier failure, reported once the maps are in. */
static int
child_build (struct sandbox_ctx *ctx, struct joined_ns *j, fmr_error_t *err)
{
  struct sync_msg m;
  /* The first process of a new user namespace holds every capability over
   * the namespaces created with it, mapped or not, and hostname and
   * loopback create no file: they need no id map, so they run while the
   * parent writes the maps.  A namespace joined by path must be entered
   * first (it may be the uts or network one), so then they wait. */
  bool early = !has_late_joins (j);
  int early_r = *err ? -1 : early ? names_and_loopback (ctx, err) : 0;
  /* Wait for the id maps: until then we hold no usable credentials.  Even
   * after a failure above: exiting now would make the parent's writes to
   * /proc/PID fail and hide the real error. */
  int got;
  while ((got = sync_recv (ctx->sync_fd, &m)) == 1 && m.type == SYNC_MOUNT)
    keep_mount_tree (ctx, &m);
  if (got != 1 || m.type != SYNC_GO)
    _exit (FMR_EXIT_FAILURE); /* the parent is gone or failed: it reports */
  /* The parent may have died after sending GO but before PR_SET_PDEATHSIG
   * took effect; its end of the channel is then closed.  (getppid() cannot
   * tell: in a new pid namespace it is 0 either way.) */
  struct pollfd pf = { .fd = ctx->sync_fd, .events = POLLIN };
  if (poll (&pf, 1, 0) > 0 && (pf.revents & POLLHUP))
    _exit (FMR_EXIT_FAILURE);
  trace_step (&ctx->trace, "id maps written");
  if (early_r < 0)
    return -1;
  if (!early && (join (j, false, err) < 0 || names_and_loopback (ctx, err) < 0))
    return -1;
  /* The caller's paths first: the payload's ids may not reach them. */
  if (rootfs_open_sources (ctx->bundle, &ctx->sources, err) < 0 || take_mapped_ids (ctx, err) < 0)
    return -1;
  if (rootfs_setup (ctx->bundle, &ctx->sources, &ctx->trace, err) < 0)
    return -1;
  trace_step (&ctx->trace, "root filesystem built");
  /* PID 1 keeps what the payload loses; the payload must not ptrace it
   * or read it through /proc. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return fmr_error_set (err, errno, "prctl PR_SET_DUMPABLE");
  return 0;
}

/* The parent compiles linux.seccomp while this process builds the root:
 * the filter is waiting on the channel by now, or arrives shortly. */
static int
receive_seccomp (struct sandbox_ctx *ctx, fmr_error_t *err)
{
  if (ctx->bundle->seccomp == NULL)
    return 0;
  int r = sync_recv_bpf (ctx->sync_fd, &ctx->seccomp);
  if (r == 0)
    _exit (FMR_EXIT_FAILURE); /* the parent failed to compile it and reports */
  if (r < 0)
    return fmr_error_set (err, errno, "linux.seccomp: receive the compiled filter");
  trace_step (&ctx->trace, "seccomp filter received (%u instructions)", (unsigned) ctx->seccomp.len);
  return 0;
}

__attribute__ ((noreturn)) static void
child_main (struct sandbox_ctx *ctx, struct joined_ns *j, const struct stdio_relay *relay, fmr_error_t relay_err)
{
  cleanup_error fmr_error_t err = relay_err;
  /* If the outer fmr-run dies, so does PID 1 and with it the namespace. */
  if (err == NULL && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
    fmr_error_set (&err, errno, "prctl PR_SET_PDEATHSIG");
  else if (child_build (ctx, j, &err) == 0 && receive_seccomp (ctx, &err) == 0)
    {
      /* Until PID 1 has its handlers, a forwarded signal must wait. */
      init_block_signals ();
      /* vfork: no copy of PID 1's page tables and no copy-on-write faults
       * (a few milliseconds on a loaded or virtualised host).  Safe here:
       * PID 1 is single-threaded and waits until the payload has exec'd or
       * exited; the payload never returns from this frame and changes only
       * what is its own (credentials, descriptors, cwd, umask, rlimits and
       * signal dispositions are not shared without CLONE_FILES, CLONE_FS,
       * CLONE_SIGHAND); memory it allocates is merely left to PID 1. */
      pid_t payload = vfork ();
      if (payload == 0)
        process_exec (ctx);
      if (payload > 0)
        {
          stdio_relay_release_stdin (relay);
          init_supervise (ctx, payload);
        }
      fmr_error_set (&err, errno, "fork the payload");
    }
  sync_send_error (ctx->sync_fd, err, FMR_EXIT_FAILURE);
  _exit (FMR_EXIT_FAILURE);
}

/* The parent's end: forward the signals a caller sends to PID 1, which
 * forwards them to the payload. */
static volatile pid_t sandbox_pid;
/* With a terminal, a window change is applied to the pty (the kernel then
 * signals the payload's foreground group); parent_wait sees the flag. */
static volatile sig_atomic_t window_changed, console_active;

static void
relay_signal (int sig)
{
  if (sig == SIGWINCH && console_active)
    window_changed = 1;
  else if (sandbox_pid > 0)
    kill (sandbox_pid, sig);
}

static void
relay_signals (pid_t pid)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  sandbox_pid = pid;
  struct sigaction sa = { .sa_handler = relay_signal, .sa_flags = SA_RESTART };
  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}

/* --timeout (or run.fmr.timeout): SIGTERM to PID 1, which forwards it to
 * the payload; after kill-after, SIGKILL to PID 1, which takes the whole
 * pid namespace with it. */
struct deadline
{
  unsigned long long at; /* usec on the monotonic clock, 0: none */
  double kill_after;
  int stage; /* DEADLINE_ARMED, then DEADLINE_TERM_SENT, DEADLINE_KILL_SENT */
};

static void
deadline_init (struct deadline *dl, const struct sandbox_ctx *ctx)
{
  const struct fmr_bundle *b = ctx->bundle;
  double timeout = ctx->opts->timeout_sec > 0 ? ctx->opts->timeout_sec : b->timeout_sec;
  dl->kill_after = ctx->opts->kill_after_sec >= 0 ? ctx->opts->kill_after_sec
                   : b->kill_after_sec >= 0       ? b->kill_after_sec
                                                  : FMR_DEFAULT_KILL_AFTER_SEC;
  dl->stage = DEADLINE_ARMED;
  dl->at = timeout > 0 ? ctx->trace.t_start + (unsigned long long) (timeout * USEC_PER_SEC) : 0;
}

static int
deadline_poll_ms (const struct deadline *dl)
{
  if (dl->at == 0 || dl->stage == DEADLINE_KILL_SENT)
    return -1;
  unsigned long long now = now_usec ();
  return now >= dl->at ? 0 : (int) ((dl->at - now + USEC_PER_MS - 1) / USEC_PER_MS);
}

/* Called on every pass of the loop, whatever woke it: a relay kept busy
 * by the payload (or by a caller who reads slowly) returns from poll long
 * before the deadline's timeout would. */
static void
deadline_fire (struct deadline *dl, pid_t pid)
{
  if (dl->at == 0 || dl->stage == DEADLINE_KILL_SENT || now_usec () < dl->at)
    return;
  dl->stage++;
  kill (pid, dl->stage == DEADLINE_TERM_SENT ? SIGTERM : SIGKILL);
  dl->at = now_usec () + (unsigned long long) (dl->kill_after * USEC_PER_SEC);
}

/* How long the final drain may wait for the caller to take the output:
 * without a timeout, as long as it takes (the caller's own pace); with
 * one, no later than fmr-run would have ended a payload that ignores
 * SIGTERM (the timeout plus kill-after), and not at all once SIGKILL went. */
static int
drain_wait_ms (const struct deadline *dl)
{
  if (dl->at == 0)
    return -1;
  if (dl->stage == DEADLINE_KILL_SENT)
    return 0;
  unsigned long long grace = (unsigned long long) (dl->kill_after * USEC_PER_SEC);
  unsigned long long limit = dl->at + (dl->stage == DEADLINE_ARMED ? grace : 0);
  unsigned long long now = now_usec ();
  return now >= limit ? 0 : (int) ((limit - now + USEC_PER_MS - 1) / USEC_PER_MS);
}

/* The sandbox has ended: deliver what the relays still hold.  Returns the
 * bytes dropped because the caller did not take them in time. */
static size_t
drain_relays (struct console_relay *console, struct stdio_relay *relay, const struct deadline *dl)
{
  for (;;)
    {
      console_relay_drain (console);
      stdio_relay_drain (relay);
      struct pollfd p[CONSOLE_RELAY_FDS + STDIO_RELAY_FDS];
      int nc = console_relay_fds (console, p);
      int ns = stdio_relay_fds (relay, p + nc);
      if (nc + ns == 0)
        return 0;
      int ms = drain_wait_ms (dl);
      int n = ms == 0 ? 0 : poll (p, (nfds_t) (nc + ns), ms);
      if (n == 0 || (n < 0 && errno != EINTR))
        return console_relay_pending (console) + stdio_relay_pending (relay);
      if (n > 0)
        {
          console_relay_pump (console, p, nc);
          stdio_relay_pump (relay, p + nc, ns);
        }
    }
}

/* One message from the sandbox; false once its end of the socket closed. */
static bool
handle_message (struct sandbox_ctx *ctx, int fd, struct console_relay *console, int *code, fmr_error_t *err)
{
  struct sync_msg m;
  if (sync_recv (fd, &m) != 1)
    return false;
  if (m.type == SYNC_CONSOLE && m.fd >= 0 && console->master < 0)
    {
      console_relay_start (console, m.fd, ctx->opts->raw_output);
      console_active = 1;
      return true;
    }
  if (m.fd >= 0)
    close (m.fd);
  if (m.type == SYNC_ERROR && *err == NULL)
    {
      fmr_error_set (err, m.errnum, "%s", m.msg);
      *code = m.exit_code;
    }
  else if (m.type == SYNC_STATUS)
    {
      ctx->payload_status = m.wait_status;
      trace_step (&ctx->trace, "payload's status received");
      if (*code < 0)
        *code = init_exit_code (m.wait_status);
    }
  return true;
}

/* Relay and read the sandbox's messages until its end of the socket
 * closes; then deliver the rest of the output.  Returns the bytes of
 * output dropped. */
static size_t
supervise (struct sandbox_ctx *ctx, pid_t pid, int fd, struct stdio_relay *relay, struct deadline *dl, int *code,
           fmr_error_t *err)
{
  struct console_relay console;
  console_relay_init (&console);
  struct sigaction old_alarm;
  relay_clock_install (&old_alarm);
  for (;;)
    {
      struct pollfd p[1 + CONSOLE_RELAY_FDS + STDIO_RELAY_FDS] = { { .fd = fd, .events = POLLIN } };
      int nc = console_relay_fds (&console, p + 1);
      int ns = stdio_relay_fds (relay, p + 1 + nc);
      int n = poll (p, (nfds_t) (1 + nc + ns), deadline_poll_ms (dl));
      deadline_fire (dl, pid);
      if (window_changed)
        {
          window_changed = 0;
          console_relay_resize (&console);
        }
      if (n <= 0)
        continue; /* EINTR, or the deadline */
      if (nc && !console_relay_pump (&console, p + 1, nc))
        console_relay_finish (&console);
      if (ns)
        stdio_relay_pump (relay, p + 1 + nc, ns);
      if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !handle_message (ctx, fd, &console, code, err))
        break;
    }
  size_t dropped = drain_relays (&console, relay, dl);
  console_relay_finish (&console);
  console_active = 0;
  stdio_relay_finish (relay);
  relay_clock_restore (&old_alarm);
  return dropped;
}

static int
timeout_error (struct sandbox_ctx *ctx, const struct deadline *dl, size_t dropped, fmr_error_t *err)
{
  fmr_error_release (err);
  double limit = ctx->opts->timeout_sec > 0 ? ctx->opts->timeout_sec : ctx->bundle->timeout_sec;
  cleanup_free char *lost = dropped ? xasprintf ("; %zu bytes of its output were not delivered", dropped) : NULL;
  if (dl->stage == DEADLINE_ARMED)
    fmr_error_set (err, 0, "timeout: the caller took too little of the process's output within %g s%s", limit,
                   lost ? lost : "");
  else
    fmr_error_set (err, 0, "timeout: the process ran longer than %g s: sent SIGTERM%s%s", limit,
                   dl->stage == DEADLINE_KILL_SENT ? ", then SIGKILL to the whole sandbox" : "", lost ? lost : "");
  return FMR_EXIT_TIMEOUT;
}

/* Supervise the sandbox until it ends, then reap PID 1.  Returns the exit
 * status of `run`. */
static int
parent_wait (struct sandbox_ctx *ctx, pid_t pid, int fd, struct stdio_relay *relay, fmr_error_t *err)
{
  struct deadline dl;
  int code = -1;
  deadline_init (&dl, ctx);
  size_t dropped = supervise (ctx, pid, fd, relay, &dl, &code, err);
  int st;
  while (waitpid (pid, &st, 0) < 0)
    if (errno != EINTR)
      {
        if (code < 0)
          fmr_error_set (err, errno, "waitpid sandbox");
        return code < 0 ? FMR_EXIT_FAILURE : code;
      }
  trace_step (&ctx->trace, "sandbox exited");
  ctx->timed_out = dl.stage > 0 || (dropped > 0 && dl.at != 0);
  if (ctx->timed_out)
    return timeout_error (ctx, &dl, dropped, err);
  if (code >= 0)
    return code;
  /* PID 1 ended without a word: killed from outside. */
  if (WIFSIGNALED (st))
    return FMR_EXIT_SIGNAL_BASE + WTERMSIG (st);
  return WIFEXITED (st) ? WEXITSTATUS (st) : FMR_EXIT_FAILURE;
}

/* Compile linux.seccomp while the sandbox builds its root (on another CPU
 * if there is one) and hand it to PID 1.  On failure the sandbox is
 * killed: the error is the parent's own. */
static int
send_seccomp (struct sandbox_ctx *ctx, pid_t pid, int fd, fmr_error_t *err)
{
  struct fmr_bpf bpf;
  int r = seccomp_compile (ctx->bundle->seccomp, &bpf, err);
  if (r == 0)
    {
      trace_step (&ctx->trace, "seccomp filter %s (%u instructions)",
                  bpf.precompiled ? "precompiled at build time" : "compiled", (unsigned) bpf.len);
      if (sync_send_bpf (fd, &bpf) < 0 && errno != EPIPE)
        r = fmr_error_set (err, errno, "linux.seccomp: send the compiled filter");
      /* EPIPE: the sandbox already failed; parent_wait reads its error. */
      seccomp_bpf_free (&bpf);
    }
  if (r < 0)
    {
      kill (pid, SIGKILL);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  return r;
}

/* An idmapped bind needs CAP_SYS_ADMIN over the user namespace of the
 * source's file system, which nothing inside the sandbox has: the outer
 * fmr-run makes each tree (open_tree, then MOUNT_ATTR_IDMAP through the
 * sandbox's own user namespace, once its maps are written) and hands it to
 * PID 1, which attaches it like any other bind. */
static bool
maps_host_id (const struct fmr_id_mapping *m, size_t n, uint32_t id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].host_id && id - m[i].host_id < m[i].size)
      return true;
  return false;
}

/* With a build uid (the sandbox's user namespace does not map the
 * caller), PID 1 takes the payload's ids before it mounts, and those own
 * nothing in a root.path of the caller's: it gets root.path idmapped too,
 * where the kernel allows it, to make the mount points in.  Elsewhere the
 * mount points must exist (`fmr-run spec` makes them). */
static void
send_idmapped_root (const struct fmr_bundle *b, const struct sandbox_ctx *ctx, int userns, int fd)
{
  if (maps_host_id (b->uid_mappings, b->n_uid_mappings, ctx->host_uid)
      && maps_host_id (b->gid_mappings, b->n_gid_mappings, ctx->host_gid))
    return;
  cleanup_error fmr_error_t e = NULL;
  cleanup_close int tree = mount_idmap_tree (AT_FDCWD, b->root_path, b->root_path, true, true, userns, &e);
  if (tree >= 0)
    sync_send_mount (fd, -1, tree);
}

static int
send_idmapped_mounts (const struct fmr_bundle *b, const struct sandbox_ctx *ctx, pid_t pid, int fd, fmr_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
  cleanup_close int userns = open (path, O_RDONLY | O_CLOEXEC);
  if (userns < 0)
    return fmr_error_set (err, errno, "linux.namespaces: open `%s`", path);
  if (ctx->host_root)
    send_idmapped_root (b, ctx, userns, fd);
  for (size_t i = 0; i < b->n_mounts; i++)
    {
      const struct fmr_mount *m = &b->mounts[i];
      if (!m->idmap)
        continue;
      /* The source as resolved on the host (rootfs_resolve_sources). */
      cleanup_close int obj = rootfs_open_source (m, err);
      if (obj < 0)
        return fmr_error_prefix (err, "mounts[%zu].source", i);
      cleanup_close int tree = mount_idmap_tree (obj, "", m->source, m->recursive, m->idmap_recursive, userns, err);
      if (tree < 0)
        return fmr_error_prefix (err, "mounts[%zu].options: idmap", i);
      if (sync_send_mount (fd, (int) i, tree) < 0)
        return fmr_error_set (err, errno, "mounts[%zu]: send the idmapped tree to the sandbox", i);
    }
  return 0;
}

static int
start_child (struct sandbox_ctx *ctx, struct joined_ns *j, int sv[2], struct stdio_relay *relay, fmr_error_t *err)
{
  rootfs_sources_init (&ctx->sources, ctx->bundle);
  /* A raw clone with no stack behaves like fork, but creates the new
   * namespaces in the same call. */
  pid_t pid = (pid_t) syscall (SYS_clone, (unsigned long) ctx->bundle->clone_flags | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid < 0)
    return fmr_error_set (err, errno, "linux.namespaces: clone");
  if (pid == 0)
    {
      /* A session of its own before anything else: the caller's session
       * (and its autogroup, which /proc/1/autogroup renices) is out of
       * reach of everything the sandbox runs. */
      setsid ();
      /* Then not one step with the caller's terminal. */
      fmr_error_t relay_err = NULL;
      stdio_relay_child (relay, &relay_err);
      close (sv[0]);
      /* Keep the channel above any descriptor --preserve-fds hands on. */
      int hi = fcntl (sv[1], F_DUPFD_CLOEXEC, FMR_FIRST_PRESERVED_FD + ctx->opts->preserve_fds + SYNC_FD_HEADROOM);
      ctx->sync_fd = sv[1];
      /* The original may sit in the preserved range, which is handed on
       * without close-on-exec: it must not stay open there. */
      if (hi >= 0)
        {
          close (sv[1]);
          ctx->sync_fd = hi;
        }
      child_main (ctx, j, relay, relay_err);
    }
  return pid;
}

int
sandbox_run (struct fmr_bundle *b, const struct run_options *opts, fmr_error_t *err)
{
  struct sandbox_ctx ctx = {
    .bundle = b, .opts = opts, .host_uid = geteuid (), .host_gid = getegid (), .payload_status = -1, .console_fd = -1
  };
  ctx.host_root = ctx.host_uid == 0;
  trace_start (&ctx.trace, opts->debug);
  if (!(b->clone_flags & CLONE_NEWNS))
    return fmr_error_set (err, 0, "linux.namespaces: fmr-run needs a new mount namespace"), FMR_EXIT_FAILURE;
  cpu_pin_setup (&ctx.pin);
  if (ctx.pin.pinned)
    trace_step (&ctx.trace, "set-up pinned to CPU %d", ctx.pin.cpu);
  /* Bind sources are resolved in the caller's view, before anything is
   * created (rootfs/sources.h). */
  if (rootfs_resolve_sources (b, err) < 0)
    return FMR_EXIT_FAILURE;
  trace_step (&ctx.trace, "bind sources resolved");
  struct joined_ns j;
  int sv[2];
  if (open_joined (b, &j, err) < 0)
    return FMR_EXIT_FAILURE;
  if (join (&j, true, err) < 0 || socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      if (*err == NULL)
        fmr_error_set (err, errno, "socketpair");
      close_joined (&j);
      return FMR_EXIT_FAILURE;
    }
  /* Without process.terminal, only pipes and /dev/null go in as they are. */
  struct stdio_relay relay;
  stdio_relay_init (&relay);
  if (!b->process.terminal && stdio_relay_open (&relay, opts->raw_output, err) < 0)
    {
      close (sv[0]);
      close (sv[1]);
      close_joined (&j);
      return FMR_EXIT_FAILURE;
    }
  pid_t pid = start_child (&ctx, &j, sv, &relay, err);
  rootfs_sources_release (&ctx.sources); /* the child's, not the parent's */
  close (sv[1]);
  close_joined (&j);
  stdio_relay_parent (&relay);
  if (pid < 0)
    return stdio_relay_finish (&relay), close (sv[0]), FMR_EXIT_FAILURE;
  trace_step (&ctx.trace, "clone");
  relay_signals (pid);
  if ((b->clone_flags & CLONE_NEWUSER)
      && (idmap_write (pid, b, ctx.host_root, ctx.host_uid, ctx.host_gid, err) < 0
          || send_idmapped_mounts (b, &ctx, pid, sv[0], err) < 0))
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      stdio_relay_finish (&relay);
      close (sv[0]);
      return FMR_EXIT_FAILURE;
    }
  /* --seccomp-log: the kernel log from here on is what the run adds. */
  struct seccomp_log slog = { .fd = -1 };
  bool log_seccomp = b->seccomp && (opts->seccomp_log || opts->debug);
  if (log_seccomp)
    seccomp_log_start (&slog, b, pid);
  sync_send (sv[0], SYNC_GO);
  trace_step (&ctx.trace, "id maps written, sandbox told to go on");
  if (b->seccomp && send_seccomp (&ctx, pid, sv[0], err) < 0)
    {
      stdio_relay_finish (&relay);
      close (sv[0]);
      if (slog.fd >= 0)
        close (slog.fd);
      return FMR_EXIT_FAILURE;
    }
  int code = parent_wait (&ctx, pid, sv[0], &relay, err);
  close (sv[0]);
  if (log_seccomp)
    seccomp_log_report (&slog, stderr);
  /* A stats failure is reported but does not hide the step's status. */
  cleanup_error fmr_error_t stats_err = NULL;
  if (opts->stats_file && stats_write (&ctx, opts->stats_file, code, &stats_err) < 0)
    fmr_error_print (stats_err);
  return code;
}
