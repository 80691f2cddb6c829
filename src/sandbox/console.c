/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/console.h"
#include "sandbox/sync.h"
#include "common/util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO ('T', 0x41)
#endif

int
console_setup_payload (struct sandbox_ctx *ctx, fmr_error_t *err)
{
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0)
    return fmr_error_set (err, errno, "process.terminal: open /dev/ptmx (the bundle needs a devpts mount)");
  int unlock = 0;
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return fmr_error_set (err, errno, "process.terminal: unlock pty");
  /* The peer through the master itself, not a path a payload could have
   * replaced (CVE-2016-9962 class of races). */
  cleanup_close int slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0)
    return fmr_error_set (err, errno, "process.terminal: open the pty's peer");
  if (setsid () < 0 || ioctl (slave, TIOCSCTTY, 0) < 0)
    return fmr_error_set (err, errno, "process.terminal: make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (slave, fd) < 0)
      return fmr_error_set (err, errno, "process.terminal: dup2");
  if (sync_send_fd (ctx->sync_fd, master) < 0)
    return fmr_error_set (err, errno, "process.terminal: send the pty to fmr-run");
  return 0;
}

void
console_relay_init (struct console_relay *r)
{
  memset (r, 0, sizeof *r);
  r->master = -1;
}

void
console_relay_start (struct console_relay *r, int master, bool raw_output)
{
  console_relay_init (r);
  r->master = master;
  /* Ours alone (PID 1 closed its copy once sent): a full pty queue must
   * not stop the loop. */
  int fl = fcntl (master, F_GETFL);
  if (fl >= 0)
    fcntl (master, F_SETFL, fl | O_NONBLOCK);
  r->stdin_tty = isatty (STDIN_FILENO);
  if (r->stdin_tty && tcgetattr (STDIN_FILENO, &r->saved) == 0)
    {
      struct termios raw = r->saved;
      cfmakeraw (&raw);
      r->raw = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
    }
  r->in = xmalloc (sizeof *r->in);
  relay_stream_init (r->in, STDIN_FILENO, master, false);
  r->out = xmalloc (sizeof *r->out);
  relay_stream_init (r->out, master, STDOUT_FILENO, !raw_output && isatty (STDOUT_FILENO));
  console_relay_resize (r);
}

void
console_relay_resize (struct console_relay *r)
{
  struct winsize ws;
  if (r->master >= 0 && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (r->master, TIOCSWINSZ, &ws);
}

int
console_relay_fds (struct console_relay *r, struct pollfd *fds)
{
  r->n_out = r->out ? relay_stream_fds (r->out, fds) : 0;
  r->n_in = r->in ? relay_stream_fds (r->in, fds + r->n_out) : 0;
  return r->n_out + r->n_in;
}

/* A caller's stdin that is not a terminal (a file, a pipe, /dev/null) has
 * ended: say so to the payload as a terminal would, with the pty's
 * end-of-file character, so that a shell reading it exits instead of
 * waiting for input that never comes (script(1) does the same).  Nothing
 * when the payload put its terminal out of canonical mode. */
static void
send_end_of_input (int master)
{
  struct termios t;
  if (tcgetattr (master, &t) < 0 || !(t.c_lflag & ICANON))
    return;
  char eof = (char) t.c_cc[VEOF];
  (void) !write (master, &eof, 1);
}

bool
console_relay_pump (struct console_relay *r, const struct pollfd *fds, int n)
{
  if (r->out == NULL)
    return true;
  if (r->n_out && r->n_out <= n)
    relay_stream_pump (r->out, fds, r->n_out);
  if (r->n_in && r->n_out + r->n_in <= n)
    relay_stream_pump (r->in, fds + r->n_out, r->n_in);
  r->n_in = r->n_out = 0;
  /* The caller's stdin ended: the payload keeps its terminal. */
  if (r->in && relay_stream_done (r->in))
    {
      if (!r->stdin_tty)
        send_end_of_input (r->master);
      free (r->in);
      r->in = NULL;
    }
  /* EIO on the master: every copy of the pty's other side is closed. */
  return !relay_stream_done (r->out);
}

void
console_relay_drain (struct console_relay *r)
{
  free (r->in);
  r->in = NULL;
  if (r->out)
    relay_stream_drain (r->out);
}

size_t
console_relay_pending (const struct console_relay *r)
{
  return r->out ? relay_stream_pending (r->out) : 0;
}

void
console_relay_finish (struct console_relay *r)
{
  free (r->in);
  free (r->out);
  r->in = r->out = NULL;
  if (r->master >= 0)
    close (r->master);
  r->master = -1;
  if (r->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &r->saved);
  r->raw = false;
}
