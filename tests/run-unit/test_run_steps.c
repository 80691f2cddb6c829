/* SPDX-License-Identifier: Apache-2.0 */
/* Pieces of `run` that need no sandbox: the exit status PID 1 hands on,
 * the error channel from the sandbox to the parent, args[0] in the PATH of
 * process.env, and --debug's step lines. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "sandbox/init.h"
#include "sandbox/process.h"
#include "sandbox/sandbox.h"
#include "sandbox/sync.h"
#include "common/trace.h"
#include "common/util.h"

Test (init_exit_code, the_status_itself_or_128_plus_signal)
{
  cr_assert_eq (init_exit_code (0), 0);
  cr_assert_eq (init_exit_code (3 << 8), 3);
  cr_assert_eq (init_exit_code (255 << 8), 255);
  /* Real wait statuses, not hand-made bit patterns. */
  pid_t pid = fork ();
  if (pid == 0)
    {
      raise (SIGUSR1);
      _exit (0);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  cr_assert_eq (init_exit_code (st), 128 + SIGUSR1);
}

static void
channel (int sv[2])
{
  cr_assert_eq (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

Test (sync, an_error_arrives_whole_with_errno_and_exit_code)
{
  int sv[2];
  channel (sv);
  cleanup_error fmr_error_t err = NULL;
  fmr_error_set (&err, ENOENT, "mounts[4].source: %s", "/opt/py");
  cr_assert_eq (sync_send_error (sv[1], err, FMR_EXIT_FAILURE), 0);
  struct sync_msg m;
  cr_assert_eq (sync_recv (sv[0], &m), 1);
  cr_assert_eq (m.type, SYNC_ERROR);
  cr_assert_eq (m.errnum, ENOENT);
  cr_assert_eq (m.exit_code, FMR_EXIT_FAILURE);
  cr_assert_str_eq (m.msg, "mounts[4].source: /opt/py");
  close (sv[1]);
  /* The sandbox's end closing (a successful exec) reads as EOF. */
  cr_assert_eq (sync_recv (sv[0], &m), 0);
  close (sv[0]);
}

Test (sync, an_error_survives_an_unread_message_of_ours)
{
  /* The sandbox fails and exits before reading the seccomp filter the
   * parent sent: the kernel then flags ECONNRESET, but the error message
   * the sandbox sent first must still arrive. */
  int sv[2];
  channel (sv);
  cr_assert_eq (sync_send (sv[0], SYNC_GO), 0);
  cleanup_error fmr_error_t err = NULL;
  fmr_error_set (&err, ENOENT, "mounts[5].destination: /tmp: resolves to the root");
  cr_assert_eq (sync_send_error (sv[1], err, FMR_EXIT_FAILURE), 0);
  close (sv[1]);
  struct sync_msg m;
  cr_assert_eq (sync_recv (sv[0], &m), 1);
  cr_assert_eq (m.type, SYNC_ERROR);
  cr_assert_str_eq (m.msg, "mounts[5].destination: /tmp: resolves to the root");
  cr_assert_eq (sync_recv (sv[0], &m), 0);
  close (sv[0]);
}

Test (sync, a_long_message_is_cut_not_overrun)
{
  int sv[2];
  channel (sv);
  cleanup_error fmr_error_t err = NULL;
  cleanup_free char *big = xmalloc (3 * SYNC_MSG_MAX);
  memset (big, 'x', 3 * SYNC_MSG_MAX - 1);
  big[3 * SYNC_MSG_MAX - 1] = '\0';
  fmr_error_set (&err, EINVAL, "%s", big);
  cr_assert_eq (sync_send_error (sv[1], err, FMR_EXIT_CANNOT_EXEC), 0);
  struct sync_msg m;
  cr_assert_eq (sync_recv (sv[0], &m), 1);
  cr_assert_eq (m.exit_code, FMR_EXIT_CANNOT_EXEC);
  cr_assert_eq (strlen (m.msg), SYNC_MSG_MAX - 1);
  close (sv[0]);
  close (sv[1]);
}

Test (sync, go_and_status)
{
  int sv[2];
  channel (sv);
  struct sync_msg m;
  cr_assert_eq (sync_send (sv[0], SYNC_GO), 0);
  cr_assert_eq (sync_recv (sv[1], &m), 1);
  cr_assert_eq (m.type, SYNC_GO);
  cr_assert_eq (sync_send_status (sv[1], 7 << 8), 0);
  cr_assert_eq (sync_recv (sv[0], &m), 1);
  cr_assert_eq (m.type, SYNC_STATUS);
  cr_assert_eq (init_exit_code (m.wait_status), 7);
  close (sv[0]);
  close (sv[1]);
}

Test (sync, a_truncated_message_is_a_protocol_error)
{
  int sv[2];
  channel (sv);
  int junk = 1;
  cr_assert_eq (send (sv[1], &junk, sizeof junk, 0), (ssize_t) sizeof junk);
  struct sync_msg m;
  cr_assert_eq (sync_recv (sv[0], &m), -1);
  cr_assert_eq (errno, EPROTO);
  close (sv[0]);
  close (sv[1]);
}

Test (sync, the_compiled_filter_travels_whole)
{
  int sv[2];
  channel (sv);
  struct fmr_seccomp s = { .default_action = FMR_SCMP_ALLOW };
  char *flags[] = { "SECCOMP_FILTER_FLAG_LOG", NULL };
  s.flags = flags;
  s.n_flags = 1;
  struct fmr_bpf sent, got;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (&s, &sent, &err), 0);
  cr_assert_eq (sync_send_bpf (sv[0], &sent), 0);
  cr_assert_eq (sync_recv_bpf (sv[1], &got), 1);
  cr_assert_eq (got.len, sent.len);
  cr_assert_eq (got.flags, sent.flags);
  cr_assert_eq (memcmp (got.insns, sent.insns, sent.len * sizeof (struct sock_filter)), 0);
  seccomp_bpf_free (&got);
  /* Anything else on the channel is refused, and EOF is told apart. */
  cr_assert_eq (sync_send (sv[0], SYNC_GO), 0);
  cr_assert_eq (sync_recv_bpf (sv[1], &got), -1);
  cr_assert_eq (errno, EPROTO);
  close (sv[0]);
  cr_assert_eq (sync_recv_bpf (sv[1], &got), 0);
  seccomp_bpf_free (&sent);
  close (sv[1]);
}

/* A scratch directory of PATH entries for args[0] lookups. */
static char dir[] = "/tmp/fmr-run-unit-XXXXXX";

static void
make_dir (void)
{
  cr_assert_not_null (mkdtemp (dir));
}

static void
remove_dir (void)
{
  cleanup_free char *cmd = xasprintf ("rm -rf '%s'", dir);
  cr_assert_eq (system (cmd), 0);
}

static void
make_file (const char *name, mode_t mode)
{
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);
  int fd = open (p, O_WRONLY | O_CREAT | O_CLOEXEC, mode);
  cr_assert_geq (fd, 0);
  cr_assert_eq (write (fd, "#!/bin/sh\n", 10), 10);
  close (fd);
  cr_assert_eq (chmod (p, mode), 0);
}

Test (find_executable, skips_a_non_executable_match_like_execvp, .init = make_dir, .fini = remove_dir)
{
  /* 0644: no x bit at all, so not executable even for root. */
  cleanup_free char *a = xasprintf ("%s/a", dir);
  cleanup_free char *b = xasprintf ("%s/b", dir);
  cr_assert_eq (mkdir (a, 0755), 0);
  cr_assert_eq (mkdir (b, 0755), 0);
  make_file ("a/tool", 0644);
  make_file ("b/tool", 0755);
  cleanup_free char *path = xasprintf ("PATH=%s:%s", a, b);
  char *env[] = { path, NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cleanup_free char *found = process_find_executable (env, "tool", &code, &err);
  cleanup_free char *want = xasprintf ("%s/tool", b);
  cr_assert_str_eq (found, want);
}

Test (find_executable, only_non_executable_matches_give_126, .init = make_dir, .fini = remove_dir)
{
  make_file ("tool", 0644);
  cleanup_free char *path = xasprintf ("PATH=/nonexistent:%s", dir);
  char *env[] = { path, NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_null (process_find_executable (env, "tool", &code, &err));
  cr_assert_eq (code, FMR_EXIT_CANNOT_EXEC);
  cr_assert_eq (err->errnum, EACCES);
  cr_assert_not_null (strstr (err->msg, "process.args[0]"), "%s", err->msg);
}

Test (find_executable, a_directory_is_not_executable, .init = make_dir, .fini = remove_dir)
{
  char *env[] = { NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_null (process_find_executable (env, dir, &code, &err));
  cr_assert_eq (code, FMR_EXIT_CANNOT_EXEC);
}

Test (find_executable, not_the_callers_path)
{
  /* No PATH in env: the OCI default, whatever the test's own PATH says. */
  setenv ("PATH", "/nonexistent", 1);
  char *env[] = { "HOME=/", NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cleanup_free char *found = process_find_executable (env, "sh", &code, &err);
  cr_assert_not_null (found);
  cr_assert (strcmp (found, "/usr/bin/sh") == 0 || strcmp (found, "/bin/sh") == 0, "%s", found);
  char *empty[] = { "PATH=/nonexistent", NULL };
  cr_assert_null (process_find_executable (empty, "sh", &code, &err));
  cr_assert_eq (code, FMR_EXIT_NOT_FOUND);
  cr_assert_eq (err->errnum, ENOENT);
}

Test (find_executable, a_missing_absolute_path_is_127)
{
  char *env[] = { NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_null (process_find_executable (env, "/no/such/tool", &code, &err));
  cr_assert_eq (code, FMR_EXIT_NOT_FOUND);
  cr_assert_not_null (strstr (err->msg, "/no/such/tool"));
}

Test (trace, names_the_step_and_its_microseconds, .init = cr_redirect_stderr)
{
  struct fmr_trace trace;
  trace_start (&trace, true);
  trace_step (&trace, "mounts[%d] %s", 3, "bind /usr");
  fflush (stderr);
  char line[256] = "";
  FILE *f = cr_get_redirected_stderr ();
  cr_assert_not_null (fgets (line, sizeof line, f));
  unsigned long long step, at;
  int pid;
  cr_assert_eq (sscanf (line, "fmr-run: debug: [%d] mounts[3] bind /usr: %llu us (at %llu us)", &pid, &step, &at), 3,
                "%s", line);
  cr_assert_eq (pid, (int) getpid ());
  cr_assert_leq (step, at);
}

Test (trace, silent_without_debug, .init = cr_redirect_stderr)
{
  struct fmr_trace trace;
  trace_start (&trace, false);
  trace_step (&trace, "anything");
  trace_step (NULL, "nothing either");
  fflush (stderr);
  cr_assert_stderr_eq_str ("");
}
