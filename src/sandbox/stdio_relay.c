/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/stdio_relay.h"
#include "common/util.h"

static const int ignored[3] = { SIGPIPE, SIGTTIN, SIGTTOU };

void
stdio_relay_init (struct stdio_relay *r)
{
  memset (r, 0, sizeof *r);
  r->child[0] = r->child[1] = r->child[2] = -1;
  r->in = r->out[0] = r->out[1] = -1;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

/* stdout and stderr may share one end: close each descriptor once. */
static void
close_child_ends (struct stdio_relay *r)
{
  for (int fd = 0; fd < 3; fd++)
    {
      int c = r->child[fd];
      if (c < 0)
        continue;
      close (c);
      for (int k = fd; k < 3; k++)
        if (r->child[k] == c)
          r->child[k] = -1;
    }
}

static void
close_parent_ends (struct stdio_relay *r)
{
  close_fd (&r->in);
  close_fd (&r->out[0]);
  close_fd (&r->out[1]);
}

static bool
same_terminal (int a, int b)
{
  struct stat sa, sb;
  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_rdev == sb.st_rdev;
}

static int
open_stdin_pipe (struct stdio_relay *r, fmr_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return fmr_error_set (err, errno, "stdin is a terminal: pipe");
  r->child[0] = p[0];
  r->in = p[1];
  r->reading = true;
  /* A payload that does not read must never block the poll loop. */
  if (fcntl (r->in, F_SETFL, O_NONBLOCK) < 0)
    return fmr_error_set (err, errno, "stdin is a terminal: make the pipe non-blocking");
  return 0;
}

static int
open_output_pipe (struct stdio_relay *r, int fd, fmr_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return fmr_error_set (err, errno, "%s is a terminal: pipe", fd == 1 ? "stdout" : "stderr");
  r->child[fd] = p[1];
  r->out[fd - 1] = p[0];
  r->out_to[fd - 1] = fd;
  return 0;
}

static int
open_pipes (struct stdio_relay *r, const bool tty[3], fmr_error_t *err)
{
  if (tty[0] && open_stdin_pipe (r, err) < 0)
    return -1;
  if (tty[1] && open_output_pipe (r, 1, err) < 0)
    return -1;
  if (tty[1] && tty[2] && same_terminal (1, 2))
    r->child[2] = r->child[1];
  else if (tty[2] && open_output_pipe (r, 2, err) < 0)
    return -1;
  return 0;
}

int
stdio_relay_open (struct stdio_relay *r, fmr_error_t *err)
{
  stdio_relay_init (r);
  bool tty[3];
  for (int fd = 0; fd < 3; fd++)
    tty[fd] = isatty (fd);
  if (!tty[0] && !tty[1] && !tty[2])
    return 0;
  if (open_pipes (r, tty, err) == 0)
    return 0;
  close_child_ends (r);
  close_parent_ends (r);
  r->reading = false;
  return -1;
}

int
stdio_relay_child (struct stdio_relay *r, fmr_error_t *err)
{
  int ret = 0;
  for (int fd = 0; fd < 3 && ret == 0; fd++)
    if (r->child[fd] >= 0 && dup2 (r->child[fd], fd) < 0)
      ret = fmr_error_set (err, errno, "dup2 a pipe onto fd %d, in place of the caller's terminal", fd);
  close_child_ends (r);
  close_parent_ends (r);
  return ret;
}

void
stdio_relay_release_stdin (const struct stdio_relay *r)
{
  /* In the sandbox's copy, reading still says whether fd 0 is the pipe. */
  if (r->reading)
    close (STDIN_FILENO);
}

void
stdio_relay_parent (struct stdio_relay *r)
{
  if (r->in < 0 && r->out[0] < 0 && r->out[1] < 0)
    return;
  close_child_ends (r);
  struct sigaction ign = { .sa_handler = SIG_IGN };
  sigemptyset (&ign.sa_mask);
  for (int i = 0; i < 3; i++)
    sigaction (ignored[i], &ign, &r->old[i]);
  r->signals_set = true;
}

int
stdio_relay_fds (const struct stdio_relay *r, struct pollfd *fds)
{
  int n = 0;
  if (r->reading && r->len == 0)
    fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
  /* Polled even with nothing to write: POLLERR says the payload closed
   * its stdin, and the caller's stdin is then left alone. */
  if (r->in >= 0)
    fds[n++] = (struct pollfd){ .fd = r->in, .events = r->len ? POLLOUT : 0 };
  for (int i = 0; i < 2; i++)
    if (r->out[i] >= 0)
      fds[n++] = (struct pollfd){ .fd = r->out[i], .events = POLLIN };
  return n;
}

static void
stop_stdin (struct stdio_relay *r)
{
  close_fd (&r->in);
  r->reading = false;
  r->len = r->off = 0;
}

/* What the pipe takes now; the rest waits for POLLOUT. */
static void
push_stdin (struct stdio_relay *r)
{
  while (r->off < r->len)
    {
      ssize_t w = write (r->in, r->buf + r->off, r->len - r->off);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EAGAIN)
        return;
      if (w < 0)
        {
          stop_stdin (r); /* EPIPE: nobody in the sandbox reads it */
          return;
        }
      r->off += (size_t) w;
    }
  r->len = r->off = 0;
}

/* Only called when poll said fd 0 is readable: a terminal's read then
 * returns at once.  EIO is a hang-up, or a read from a background job
 * (SIGTTIN is ignored): for the payload, both are the end of its input. */
static void
pull_stdin (struct stdio_relay *r)
{
  ssize_t n = read (STDIN_FILENO, r->buf, sizeof r->buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      stop_stdin (r);
      return;
    }
  r->len = (size_t) n;
  r->off = 0;
  push_stdin (r);
}

/* One read from output i, all of it to the caller: 1 when something was
 * copied, 0 when nothing is there now, -1 when the pipe is done (EOF, or
 * the caller's terminal refused the data) and closed. */
static int
copy_out (struct stdio_relay *r, int i)
{
  int c = copy_once (r->out[i], r->out_to[i]);
  if (c < 0)
    close_fd (&r->out[i]);
  return c;
}

static short
revents_of (const struct pollfd *fds, int n, int fd)
{
  for (int i = 0; fd >= 0 && i < n; i++)
    if (fds[i].fd == fd)
      return fds[i].revents;
  return 0;
}

void
stdio_relay_pump (struct stdio_relay *r, const struct pollfd *fds, int n)
{
  /* The stdin pipe first: once the payload closed it, nothing more is
   * taken from the caller's terminal. */
  short ev = revents_of (fds, n, r->in);
  if (ev & POLLERR)
    stop_stdin (r);
  else if (ev & POLLOUT)
    push_stdin (r);
  if (r->reading && (revents_of (fds, n, STDIN_FILENO) & (POLLIN | POLLHUP | POLLERR)))
    pull_stdin (r);
  for (int i = 0; i < 2; i++)
    if (revents_of (fds, n, r->out[i]) & (POLLIN | POLLHUP | POLLERR))
      copy_out (r, i);
}

void
stdio_relay_finish (struct stdio_relay *r)
{
  close_child_ends (r);
  stop_stdin (r);
  for (int i = 0; i < 2; i++)
    {
      /* The sandbox's processes are gone, and with them the writers: read
       * to EOF.  Non-blocking all the same: without a pid namespace of its
       * own, a process the payload left behind may still hold the pipe. */
      if (r->out[i] >= 0)
        fcntl (r->out[i], F_SETFL, O_NONBLOCK);
      while (r->out[i] >= 0 && copy_out (r, i) > 0)
        ;
      close_fd (&r->out[i]);
    }
  if (r->signals_set)
    for (int i = 0; i < 3; i++)
      sigaction (ignored[i], &r->old[i], NULL);
  r->signals_set = false;
}
