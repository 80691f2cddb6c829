/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/util.h"
#include "sandbox/init.h"
#include "sandbox/sync.h"

/* The handler needs the payload's pid; PID 1 runs nothing else, so one
 * static is the simplest correct carrier. */
static volatile pid_t payload_pid;

static void
forward_signal (int sig)
{
  if (payload_pid > 0)
    kill (payload_pid, sig);
}

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static void
forwarded_set (sigset_t *set)
{
  sigemptyset (set);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaddset (set, forwarded[i]);
}

void
init_block_signals (void)
{
  sigset_t set;
  forwarded_set (&set);
  sigprocmask (SIG_BLOCK, &set, NULL);
}

/* Handlers first, then the signals that waited (init_block_signals) are
 * let through: none is lost, and none meets PID 1 without a handler. */
static void
install_forwarding (void)
{
  struct sigaction sa = { .sa_handler = forward_signal };
  sigemptyset (&sa.sa_mask);
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaction (forwarded[i], &sa, NULL);
  sigset_t set;
  forwarded_set (&set);
  sigprocmask (SIG_UNBLOCK, &set, NULL);
}

/* PID 1 needs only the channel to the parent: the payload has its own
 * copies of the preserved descriptors, and a descriptor the caller leaked
 * (a pipe's write end) must not be held open by PID 1 for the whole step. */
static int
close_stray_descriptors (int keep, fmr_error_t *err)
{
  if (keep > FMR_FIRST_PRESERVED_FD && fd_close_range (FMR_FIRST_PRESERVED_FD, (unsigned) keep - 1, 0, err) < 0)
    return -1;
  return fd_close_range ((unsigned) keep + 1, ~0u, 0, err);
}

int
init_exit_code (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return FMR_EXIT_SIGNAL_BASE + WTERMSIG (wait_status);
  return FMR_EXIT_FAILURE;
}

void
init_supervise (struct sandbox_ctx *ctx, pid_t payload)
{
  payload_pid = payload;
  install_forwarding ();
  cleanup_error fmr_error_t err = NULL;
  if (close_stray_descriptors (ctx->sync_fd, &err) < 0)
    {
      /* PID 1 would hold what the caller leaked for the whole step: stop
       * rather than run a sandbox weaker than promised. */
      kill (payload, SIGKILL);
      waitpid (payload, NULL, __WALL);
      fmr_error_prefix (&err, "PID 1");
      sync_send_error (ctx->sync_fd, err, FMR_EXIT_FAILURE);
      _exit (FMR_EXIT_FAILURE);
    }
  bool own_pidns = ctx->bundle->clone_flags & CLONE_NEWPID;
  int payload_status = 0;
  bool payload_done = false;
  for (;;)
    {
      int st;
      pid_t pid = waitpid (-1, &st, __WALL);
      if (pid < 0 && errno == EINTR)
        continue;
      if (pid < 0)
        break; /* ECHILD: nobody is left */
      if (pid != payload || payload_done)
        continue; /* an orphan, reaped */
      payload_done = true;
      payload_status = st;
      payload_pid = 0;
      /* The step is over: nothing it started may outlive it.  Only in our
       * own pid namespace does kill(-1) mean "everyone in the sandbox". */
      if (own_pidns)
        kill (-1, SIGKILL);
      else
        break;
    }
  sync_send_status (ctx->sync_fd, payload_status);
  _exit (init_exit_code (payload_status));
}
