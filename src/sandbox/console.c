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
console_relay_start (struct console_relay *r, int master)
{
  memset (r, 0, sizeof *r);
  r->master = master;
  r->stdin_open = true;
  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &r->saved) == 0)
    {
      struct termios raw = r->saved;
      cfmakeraw (&raw);
      r->raw = tcsetattr (STDIN_FILENO, TCSANOW, &raw) == 0;
    }
  console_relay_resize (r);
}

void
console_relay_resize (struct console_relay *r)
{
  struct winsize ws;
  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (r->master, TIOCSWINSZ, &ws);
}

int
console_relay_fds (struct console_relay *r, struct pollfd *fds)
{
  int n = 0;
  if (r->master < 0)
    return 0;
  fds[n++] = (struct pollfd){ .fd = r->master, .events = POLLIN };
  if (r->stdin_open)
    fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
  return n;
}

bool
console_relay_pump (struct console_relay *r, const struct pollfd *fds, int n)
{
  for (int i = 0; i < n; i++)
    {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      if (fds[i].fd == r->master && copy_once (r->master, STDOUT_FILENO) < 0)
        return false; /* EIO: every copy of the pty's peer is closed */
      if (fds[i].fd == STDIN_FILENO && copy_once (STDIN_FILENO, r->master) < 0)
        r->stdin_open = false;
    }
  return true;
}

void
console_relay_finish (struct console_relay *r)
{
  if (r->master >= 0)
    {
      int fl = fcntl (r->master, F_GETFL);
      fcntl (r->master, F_SETFL, fl | O_NONBLOCK);
      while (copy_once (r->master, STDOUT_FILENO) > 0)
        ;
      close (r->master);
      r->master = -1;
    }
  if (r->raw)
    tcsetattr (STDIN_FILENO, TCSANOW, &r->saved);
  r->raw = false;
}
