/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sandbox/stdio_relay.h"
#include "common/util.h"

static const int ignored[3] = { SIGPIPE, SIGTTIN, SIGTTOU };
static const char *const names[3] = { "stdin", "stdout", "stderr" };

/* A pipe to a regular file is emptied with splice: a larger pipe moves
 * more per call (1 MiB is the unprivileged maximum by default). */
#define FILE_PIPE_SIZE (1 << 20)

void
stdio_relay_init (struct stdio_relay *r)
{
  memset (r, 0, sizeof *r);
  for (int fd = 0; fd < 3; fd++)
    r->child[fd] = r->ours[fd] = -1;
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
close_our_ends (struct stdio_relay *r)
{
  for (int fd = 0; fd < 3; fd++)
    close_fd (&r->ours[fd]);
}

enum how
{
  CLOSED,  /* not open: stays closed */
  AS_IS,   /* a pipe or /dev/null */
  RELAYED, /* anything else */
};

static enum how
how_to_pass (int fd, struct stat *st)
{
  if (fstat (fd, st) < 0)
    return CLOSED;
  if (S_ISFIFO (st->st_mode))
    return AS_IS;
  if (S_ISCHR (st->st_mode) && st->st_rdev == makedev (1, 3))
    return AS_IS; /* /dev/null, whatever its name */
  return RELAYED;
}

/* The same terminal, file or socket (a 2>&1). */
static bool
same_object (const struct stat *a, const struct stat *b)
{
  if (S_ISCHR (a->st_mode) && S_ISCHR (b->st_mode))
    return a->st_rdev == b->st_rdev;
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int
open_stdin_pipe (struct stdio_relay *r, fmr_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return fmr_error_set (err, errno, "relay stdin: pipe");
  r->child[0] = p[0];
  r->ours[0] = p[1];
  r->relayed[0] = true;
  /* A payload that does not read must never block the poll loop. */
  if (fcntl (r->ours[0], F_SETFL, O_NONBLOCK) < 0)
    return fmr_error_set (err, errno, "relay stdin: make the pipe non-blocking");
  return 0;
}

static int
open_output_pipe (struct stdio_relay *r, int fd, const struct stat *st, fmr_error_t *err)
{
  int p[2];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return fmr_error_set (err, errno, "relay %s: pipe", names[fd]);
  r->child[fd] = p[1];
  r->ours[fd] = p[0];
  r->relayed[fd] = true;
  if (fcntl (r->ours[fd], F_SETFL, O_NONBLOCK) < 0)
    return fmr_error_set (err, errno, "relay %s: make the pipe non-blocking", names[fd]);
  if (S_ISREG (st->st_mode))
    fcntl (p[1], F_SETPIPE_SZ, FILE_PIPE_SIZE); /* a speed-up only: may fail */
  return 0;
}

static int
open_pipes (struct stdio_relay *r, const enum how how[3], const struct stat st[3], fmr_error_t *err)
{
  if (how[0] == RELAYED && open_stdin_pipe (r, err) < 0)
    return -1;
  if (how[1] == RELAYED && open_output_pipe (r, 1, &st[1], err) < 0)
    return -1;
  if (how[1] == RELAYED && how[2] == RELAYED && same_object (&st[1], &st[2]))
    {
      r->child[2] = r->child[1];
      r->relayed[2] = true;
    }
  else if (how[2] == RELAYED && open_output_pipe (r, 2, &st[2], err) < 0)
    return -1;
  return 0;
}

int
stdio_relay_open (struct stdio_relay *r, bool raw_output, fmr_error_t *err)
{
  stdio_relay_init (r);
  enum how how[3];
  struct stat st[3];
  bool any = false;
  for (int fd = 0; fd < 3; fd++)
    {
      how[fd] = how_to_pass (fd, &st[fd]);
      any |= how[fd] == RELAYED;
      r->filter[fd] = fd > 0 && how[fd] == RELAYED && !raw_output && isatty (fd);
    }
  if (!any || open_pipes (r, how, st, err) == 0)
    return 0;
  close_child_ends (r);
  close_our_ends (r);
  memset (r->relayed, 0, sizeof r->relayed);
  return -1;
}

int
stdio_relay_child (struct stdio_relay *r, fmr_error_t *err)
{
  int ret = 0;
  for (int fd = 0; fd < 3 && ret == 0; fd++)
    if (r->child[fd] >= 0 && dup2 (r->child[fd], fd) < 0)
      ret = fmr_error_set (err, errno, "dup2 a pipe onto fd %d, in place of the caller's %s", fd, names[fd]);
  close_child_ends (r);
  close_our_ends (r);
  return ret;
}

void
stdio_relay_release_stdin (const struct stdio_relay *r)
{
  if (r->relayed[0])
    close (STDIN_FILENO);
}

void
stdio_relay_parent (struct stdio_relay *r)
{
  if (r->ours[0] < 0 && r->ours[1] < 0 && r->ours[2] < 0)
    return;
  close_child_ends (r);
  struct sigaction ign = { .sa_handler = SIG_IGN };
  sigemptyset (&ign.sa_mask);
  for (int i = 0; i < 3; i++)
    sigaction (ignored[i], &ign, &r->old[i]);
  r->signals_set = true;
  for (int fd = 0; fd < 3; fd++)
    {
      if (r->ours[fd] < 0)
        continue;
      r->stream[fd] = xmalloc (sizeof *r->stream[fd]);
      if (fd == 0)
        {
          relay_stream_init (r->stream[0], STDIN_FILENO, r->ours[0], false);
          /* POLLERR on the pipe: the payload closed its stdin, and the
           * caller's stdin is left alone from then on. */
          r->stream[0]->watch_to = true;
        }
      else
        relay_stream_init (r->stream[fd], r->ours[fd], fd, r->filter[fd]);
    }
}

int
stdio_relay_fds (struct stdio_relay *r, struct pollfd *fds)
{
  int n = 0;
  for (int fd = 0; fd < 3; fd++)
    {
      r->nfds[fd] = r->stream[fd] ? relay_stream_fds (r->stream[fd], fds + n) : 0;
      n += r->nfds[fd];
    }
  return n;
}

/* A finished stream lets go of its pipe: the payload reads the end of its
 * input, or (when the caller's side refused the output) EPIPE. */
static void
retire_if_done (struct stdio_relay *r, int fd)
{
  if (r->stream[fd] && relay_stream_done (r->stream[fd]))
    {
      free (r->stream[fd]);
      r->stream[fd] = NULL;
      close_fd (&r->ours[fd]);
    }
}

void
stdio_relay_pump (struct stdio_relay *r, const struct pollfd *fds, int n)
{
  int at = 0;
  for (int fd = 0; fd < 3 && at < n; fd++)
    {
      if (r->stream[fd] && r->nfds[fd])
        relay_stream_pump (r->stream[fd], fds + at, r->nfds[fd]);
      at += r->nfds[fd];
      r->nfds[fd] = 0;
      retire_if_done (r, fd);
    }
}

void
stdio_relay_drain (struct stdio_relay *r)
{
  if (r->stream[0])
    {
      /* Whatever is still buffered for the payload's stdin has no reader. */
      free (r->stream[0]);
      r->stream[0] = NULL;
      close_fd (&r->ours[0]);
    }
  for (int fd = 1; fd < 3; fd++)
    if (r->stream[fd])
      {
        relay_stream_drain (r->stream[fd]);
        retire_if_done (r, fd);
      }
}

size_t
stdio_relay_pending (const struct stdio_relay *r)
{
  size_t n = 0;
  for (int fd = 1; fd < 3; fd++)
    if (r->stream[fd])
      n += relay_stream_pending (r->stream[fd]);
  return n;
}

void
stdio_relay_finish (struct stdio_relay *r)
{
  close_child_ends (r);
  for (int fd = 0; fd < 3; fd++)
    {
      free (r->stream[fd]);
      r->stream[fd] = NULL;
    }
  close_our_ends (r);
  if (r->signals_set)
    for (int i = 0; i < 3; i++)
      sigaction (ignored[i], &r->old[i], NULL);
  r->signals_set = false;
}
