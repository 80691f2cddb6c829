/* SPDX-License-Identifier: Apache-2.0 */
/* PID 1 of a real new pid namespace (entered through a new user namespace,
 * so no root is needed): it reaps, kills what the payload left behind,
 * and hands on the payload's exact wait status. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/init.h"
#include "sandbox/sync.h"

/* What the payload does: 'x' exits 7 leaving a daemon behind, 's' dies of
 * SIGTERM. */
static __attribute__ ((noreturn)) void
payload (char what, int daemon_pipe)
{
  if (what == 'x')
    {
      if (fork () == 0)
        {
          /* A daemon: its own session, holding the pipe, never exiting. */
          setsid ();
          for (;;)
            pause ();
        }
      close (daemon_pipe);
      _exit (7);
    }
  /* PID 1 forked us with the forwarded signals held back; the real
   * payload resets its mask (process.c), this one does it here. */
  sigset_t none;
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  signal (SIGTERM, SIG_DFL);
  raise (SIGTERM);
  _exit (0);
}

struct outcome
{
  int status_msg;   /* wait status PID 1 reported */
  int pid1_status;  /* PID 1's own wait status */
  bool daemon_gone; /* the daemon's pipe was closed when the status came */
};

static struct outcome
run_pid1 (char what)
{
  int sv[2], dp[2];
  cr_assert_eq (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  cr_assert_eq (pipe (dp), 0);
  pid_t pid = (pid_t) syscall (SYS_clone, CLONE_NEWUSER | CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid < 0 && (errno == EPERM || errno == EINVAL || errno == ENOSPC))
    cr_skip_test ("new user and pid namespaces are not allowed here");
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      /* If the test times out (a PID 1 that never ends), go with it. */
      prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
      close (sv[0]);
      close (dp[0]);
      struct fmr_bundle b = { .clone_flags = CLONE_NEWUSER | CLONE_NEWPID };
      struct sandbox_ctx ctx = { .bundle = &b, .sync_fd = sv[1] };
      init_block_signals ();
      pid_t p = fork ();
      if (p == 0)
        payload (what, dp[1]);
      close (dp[1]);
      init_supervise (&ctx, p);
    }
  close (sv[1]);
  close (dp[1]);
  struct outcome o = { 0 };
  struct sync_msg m;
  cr_assert_eq (sync_recv (sv[0], &m), 1);
  cr_assert_eq (m.type, SYNC_STATUS);
  o.status_msg = m.wait_status;
  struct pollfd p = { .fd = dp[0], .events = POLLIN };
  o.daemon_gone = poll (&p, 1, 0) == 1 && (p.revents & POLLHUP);
  cr_assert_eq (waitpid (pid, &o.pid1_status, 0), pid);
  close (sv[0]);
  close (dp[0]);
  return o;
}

/* A PID 1 that fails to kill the daemon waits for ever: fail instead. */
Test (init, exit_code_passed_on_and_daemon_killed, .timeout = 20)
{
  struct outcome o = run_pid1 ('x');
  cr_assert (WIFEXITED (o.status_msg) && WEXITSTATUS (o.status_msg) == 7);
  cr_assert (WIFEXITED (o.pid1_status) && WEXITSTATUS (o.pid1_status) == 7);
  /* Killed and reaped before PID 1 reported: nothing outlives the step. */
  cr_assert (o.daemon_gone);
}

Test (init, death_by_signal_is_reported_exactly, .timeout = 20)
{
  struct outcome o = run_pid1 ('s');
  cr_assert (WIFSIGNALED (o.status_msg) && WTERMSIG (o.status_msg) == SIGTERM);
  cr_assert_eq (init_exit_code (o.status_msg), 128 + SIGTERM);
  cr_assert (WIFEXITED (o.pid1_status) && WEXITSTATUS (o.pid1_status) == 128 + SIGTERM);
}
