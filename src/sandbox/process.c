/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/caps.h"
#include "sandbox/console.h"
#include "common/exit_codes.h"
#include "sandbox/process.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/sync.h"
#include "common/syscalls.h"
#include "common/util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *
env_path (char *const *env)
{
  for (size_t i = 0; env && env[i]; i++)
    if (strncmp (env[i], "PATH=", strlen ("PATH=")) == 0)
      return env[i] + strlen ("PATH=");
  return DEFAULT_PATH;
}

/* 0 when path is an executable regular file, else the errno exec would
 * give (ENOENT, EACCES). */
static int
check_executable (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return errno;
  if (S_ISDIR (st.st_mode))
    return EACCES;
  if (access (path, X_OK) < 0)
    return errno;
  return 0;
}

char *
process_find_executable (char *const *env, const char *arg0, int *exit_code, fmr_error_t *err)
{
  if (strchr (arg0, '/'))
    {
      int e = check_executable (arg0);
      if (e == 0)
        return xstrdup (arg0);
      *exit_code = e == ENOENT || e == ENOTDIR ? FMR_EXIT_NOT_FOUND : FMR_EXIT_CANNOT_EXEC;
      fmr_error_set (err, e, "process.args[0]: `%s`", arg0);
      return NULL;
    }
  const char *path = env_path (env);
  int seen = ENOENT;
  for (const char *p = path;; p++)
    {
      const char *end = strchrnul (p, ':');
      cleanup_free char *cand = end == p ? xasprintf ("./%s", arg0) : xasprintf ("%.*s/%s", (int) (end - p), p, arg0);
      int e = check_executable (cand);
      if (e == 0)
        {
          char *found = cand;
          cand = NULL;
          return found;
        }
      if (e != ENOENT && e != ENOTDIR)
        seen = e;
      if (*end == '\0')
        break;
      p = end;
    }
  *exit_code = seen == ENOENT ? FMR_EXIT_NOT_FOUND : FMR_EXIT_CANNOT_EXEC;
  fmr_error_set (err, seen, "process.args[0]: `%s` in PATH `%s`", arg0, path);
  return NULL;
}

static int
set_rlimits (const struct fmr_process *p, fmr_error_t *err)
{
  for (size_t i = 0; i < p->n_rlimits; i++)
    {
      struct rlimit rl = { p->rlimits[i].soft, p->rlimits[i].hard };
      if (setrlimit (p->rlimits[i].resource, &rl) < 0)
        return fmr_error_set (err, errno, "process.rlimits[%zu]: setrlimit %s", i, p->rlimits[i].type);
    }
  return 0;
}

static int
set_oom_score_adj (const struct fmr_process *p, fmr_error_t *err)
{
  if (!p->has_oom_score_adj)
    return 0;
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", p->oom_score_adj);
  cleanup_close int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, buf, (size_t) n) < 0)
    return fmr_error_set (err, errno, "process.oomScoreAdj: write /proc/self/oom_score_adj");
  return 0;
}

static int
set_ids (const struct sandbox_ctx *ctx, const struct fmr_process *p, fmr_error_t *err)
{
  if (p->n_additional_gids > 0)
    {
      /* An unprivileged caller had to write "deny" to setgroups before its
       * gid_map (CVE-2014-8989), so the kernel refuses this for good. */
      if (setgroups (p->n_additional_gids, p->additional_gids) < 0)
        return fmr_error_set (err, errno, "process.user.additionalGids: setgroups%s",
                              errno == EPERM && !ctx->host_root
                                  ? " (an unprivileged caller cannot have supplementary groups: setgroups is denied "
                                    "in its user namespace)"
                                  : "");
    }
  else if (setgroups (0, NULL) < 0 && errno != EPERM)
    /* EPERM: setgroups is denied in an unprivileged user namespace, and
     * the caller's groups are unmapped there anyway. */
    return fmr_error_set (err, errno, "process.user: setgroups");
  bool any_caps = false;
  for (int i = 0; i < FMR_CAP_NSETS; i++)
    any_caps |= p->caps[i] != 0;
  if (any_caps && caps_keep_across_setuid (err) < 0)
    return -1;
  if (setresgid (p->gid, p->gid, p->gid) < 0)
    return fmr_error_set (err, errno, "process.user.gid: setresgid %u", (unsigned) p->gid);
  if (setresuid (p->uid, p->uid, p->uid) < 0)
    return fmr_error_set (err, errno, "process.user.uid: setresuid %u", (unsigned) p->uid);
  return 0;
}

static int
reset_signals (fmr_error_t *err)
{
  sigset_t all;
  sigemptyset (&all);
  if (sigprocmask (SIG_SETMASK, &all, NULL) < 0)
    return fmr_error_set (err, errno, "sigprocmask");
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      signal (s, SIG_DFL); /* EINVAL for the libc-reserved ones is fine */
  return 0;
}

/* Every descriptor from 3+N up is closed at exec, even those the caller
 * forgot to mark close-on-exec; 3..3+N-1 are handed on (--preserve-fds). */
static int
seal_descriptors (const struct sandbox_ctx *ctx, fmr_error_t *err)
{
  unsigned first = FMR_FIRST_PRESERVED_FD + (unsigned) ctx->opts->preserve_fds;
  if (fd_close_range (first, ~0u, CLOSE_RANGE_CLOEXEC, err) < 0)
    return -1;
  for (unsigned fd = FMR_FIRST_PRESERVED_FD; fd < first; fd++)
    if (fcntl ((int) fd, F_SETFD, 0) < 0)
      return fmr_error_set (err, errno, "--preserve-fds: descriptor %u", fd);
  return 0;
}

/* The filter PID 1 received from the parent, compiled there while the
 * root was being built: here it is one system call. */
static int
load_seccomp (const struct sandbox_ctx *ctx, fmr_error_t *err)
{
  if (ctx->bundle->seccomp == NULL)
    return 0;
  if (ctx->seccomp.len == 0)
    return fmr_error_set (err, EPROTO, "linux.seccomp: the compiled filter never arrived");
  /* --seccomp-log: a flag of the load, not of the program, so that any
   * filter, however it was compiled, logs what it refuses (to the audit
   * log, or the kernel log without auditd; the sysctl
   * kernel.seccomp.actions_logged chooses which actions are logged). */
  struct fmr_bpf bpf = ctx->seccomp;
  if (ctx->opts->seccomp_log || ctx->opts->debug)
    bpf.flags |= SECCOMP_FILTER_FLAG_LOG;
  return seccomp_load_bpf (&bpf, err);
}

static int
prepare (struct sandbox_ctx *ctx, fmr_error_t *err)
{
  const struct fmr_process *p = &ctx->bundle->process;
  /* The caller's CPUs, not the one the sandbox was built on. */
  if (cpu_pin_release (&ctx->pin, err) < 0)
    return -1;
  /* A new session: no controlling terminal of the caller, so TIOCSTI
   * cannot push keystrokes into it. */
  if (p->terminal ? console_setup_payload (ctx, err) < 0 : setsid () < 0)
    return *err ? -1 : fmr_error_set (err, errno, "setsid");
  if (reset_signals (err) < 0 || set_rlimits (p, err) < 0 || set_oom_score_adj (p, err) < 0)
    return -1;
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN in
   * effect: load it before the uid change empties the effective set (runc
   * and crun do the same); the filter must then allow what follows. */
  if (!p->no_new_privileges && load_seccomp (ctx, err) < 0)
    return -1;
  if (caps_drop_bounding (p, err) < 0 || set_ids (ctx, p, err) < 0)
    return -1;
  if (p->has_umask)
    umask (p->umask);
  if (chdir (p->cwd) < 0)
    return fmr_error_set (err, errno, "process.cwd: %s", p->cwd);
  if (caps_apply (p, err) < 0)
    return -1;
  if (p->no_new_privileges && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return fmr_error_set (err, errno, "process.noNewPrivileges: prctl");
  return seal_descriptors (ctx, err);
}

/* With --preserve-fds, the payload learns of them as socket-activated
 * services do (sd_listen_fds): LISTEN_FDS=N and LISTEN_PID=its pid. */
static char **
payload_env (const struct sandbox_ctx *ctx)
{
  char *const *env = ctx->bundle->process.env;
  int n = ctx->opts->preserve_fds;
  if (n <= 0)
    return (char **) env;
  size_t len = strv_len (env), k = 0;
  /* The environment, LISTEN_FDS and LISTEN_PID, the terminating NULL. */
  char **out = xcalloc (len + 2 + 1, sizeof (char *));
  for (size_t i = 0; i < len; i++)
    if (strncmp (env[i], "LISTEN_FDS=", strlen ("LISTEN_FDS=")) != 0
        && strncmp (env[i], "LISTEN_PID=", strlen ("LISTEN_PID=")) != 0)
      out[k++] = env[i];
  out[k++] = xasprintf ("LISTEN_FDS=%d", n);
  out[k++] = xasprintf ("LISTEN_PID=%d", (int) getpid ());
  return out;
}

void
process_exec (struct sandbox_ctx *ctx)
{
  cleanup_error fmr_error_t err = NULL;
  const struct fmr_process *p = &ctx->bundle->process;
  int code = FMR_EXIT_FAILURE;
  if (prepare (ctx, &err) == 0)
    {
      cleanup_free char *exe = process_find_executable (p->env, p->args[0], &code, &err);
      /* seccomp last: after it, only exec should remain to be done. */
      if (exe && (!p->no_new_privileges || load_seccomp (ctx, &err) == 0))
        {
          trace_step (&ctx->trace, "exec %s", exe);
          execve (exe, p->args, payload_env (ctx));
          /* The file was found a moment ago: ENOENT now means its
           * interpreter (the #! line or the ELF loader) is missing, which
           * shells report as "cannot execute" (126), not "not found". */
          code = FMR_EXIT_CANNOT_EXEC;
          fmr_error_set (&err, errno, "process.args[0]: execve `%s`%s", exe,
                         errno == ENOENT ? " (its interpreter is missing from the sandbox)" : "");
        }
    }
  sync_send_error (ctx->sync_fd, err, code);
  _exit (code);
}
