/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "sandbox/relay_stream.h"

/* The most one splice moves: the pipe holds less, and the call returns
 * what is there. */
#define SPLICE_MAX (1 << 20)
/* A filtered read goes through here on its way to buf. */
#define FILTER_CHUNK (16 * 1024)

static void
on_alarm (int sig)
{
  (void) sig; /* only there to interrupt a read or write */
}

void
relay_clock_install (struct sigaction *old)
{
  /* No SA_RESTART: the point is the EINTR (or the short count). */
  struct sigaction sa = { .sa_handler = on_alarm };
  sigemptyset (&sa.sa_mask);
  sigaction (SIGALRM, &sa, old);
}

void
relay_clock_restore (const struct sigaction *old)
{
  sigaction (SIGALRM, old, NULL);
}

/* A read or write on a descriptor that may wait: a tick after it began,
 * and every tick after (a first one may come before the call does), the
 * timer interrupts it. */
static ssize_t
io_bounded (bool out, int fd, void *buf, size_t n)
{
  static const struct itimerval tick = { { 0, RELAY_TICK_US }, { 0, RELAY_TICK_US } }, off;
  setitimer (ITIMER_REAL, &tick, NULL);
  ssize_t r = out ? write (fd, buf, n) : read (fd, buf, n);
  int e = errno;
  setitimer (ITIMER_REAL, &off, NULL);
  errno = e;
  return r;
}

static ssize_t
io (bool out, bool waits, int fd, void *buf, size_t n)
{
  if (waits)
    return io_bounded (out, fd, buf, n);
  return out ? write (fd, buf, n) : read (fd, buf, n);
}

/* Whether I/O on fd may wait for the other side: blocking, and not a
 * regular file. */
static bool
may_wait (int fd, bool *regular)
{
  struct stat st;
  int fl = fcntl (fd, F_GETFL);
  *regular = fstat (fd, &st) == 0 && S_ISREG (st.st_mode);
  return fl >= 0 && !(fl & O_NONBLOCK) && !*regular;
}

void
relay_stream_init (struct relay_stream *s, int from, int to, bool filter)
{
  bool regular;
  s->from = from;
  s->to = to;
  s->from_waits = may_wait (from, &regular);
  s->to_waits = may_wait (to, &s->to_file);
  s->filter = filter;
  s->watch_to = false;
  s->closing = s->eof = s->broken = false;
  s->off = s->len = 0;
  escape_filter_init (&s->ef);
}

size_t
relay_stream_pending (const struct relay_stream *s)
{
  return s->broken ? 0 : s->len - s->off;
}

bool
relay_stream_done (const struct relay_stream *s)
{
  return s->broken || (s->eof && s->off == s->len);
}

/* Room to read into, keeping what the filter may add to a read. */
static size_t
room (struct relay_stream *s)
{
  if (s->off == s->len)
    s->off = s->len = 0;
  else if (s->off > 0)
    {
      memmove (s->buf, s->buf + s->off, s->len - s->off);
      s->len -= s->off;
      s->off = 0;
    }
  size_t r = sizeof s->buf - s->len;
  if (!s->filter)
    return r;
  r = r > ESCAPE_FILTER_HOLD ? r - ESCAPE_FILTER_HOLD : 0;
  return r < FILTER_CHUNK ? r : FILTER_CHUNK;
}

/* No read returned data: the end, an error (EIO: a hung-up terminal, a
 * background job's read, a pty whose other side is closed), or nothing
 * now. */
static void
read_failed (struct relay_stream *s, ssize_t n)
{
  if (n < 0 && errno == EINTR)
    return;
  if (n < 0 && errno == EAGAIN && !s->closing)
    return;
  s->eof = true; /* EAGAIN while closing: a writer left behind keeps the pipe open */
}

/* Pipe to regular file without a copy through user space.  False when
 * splice cannot do it here (an O_APPEND file, a file system without
 * splice): the stream then reads and writes. */
static bool
splice_out (struct relay_stream *s)
{
  ssize_t n = splice (s->from, NULL, s->to, NULL, SPLICE_MAX, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n > 0)
    return true;
  if (n < 0 && (errno == EINVAL || errno == ENOSYS || errno == EBADF))
    {
      s->to_file = false;
      return false;
    }
  if (n < 0 && errno != EAGAIN && errno != EINTR)
    s->broken = true; /* ENOSPC, EIO, EFBIG on the file */
  else
    read_failed (s, n);
  return true;
}

static void
fill (struct relay_stream *s)
{
  if (s->eof || s->broken)
    return;
  if (s->to_file && !s->filter && s->off == s->len && splice_out (s))
    return;
  size_t r = room (s);
  if (r == 0)
    return;
  char tmp[FILTER_CHUNK];
  ssize_t n = io (false, s->from_waits, s->from, s->filter ? tmp : s->buf + s->len, r);
  if (n <= 0)
    read_failed (s, n);
  else if (s->filter)
    s->len += escape_filter_feed (&s->ef, tmp, (size_t) n, s->buf + s->len);
  else
    s->len += (size_t) n;
}

static void
flush (struct relay_stream *s)
{
  while (s->off < s->len && !s->broken)
    {
      ssize_t w = io (true, s->to_waits, s->to, s->buf + s->off, s->len - s->off);
      if (w > 0)
        s->off += (size_t) w;
      else if (w < 0 && (errno == EAGAIN || errno == EINTR))
        return;
      else
        s->broken = true; /* EPIPE, EIO: nobody reads it any more */
    }
}

int
relay_stream_fds (const struct relay_stream *s, struct pollfd *p)
{
  int n = 0;
  if (relay_stream_done (s))
    return 0;
  bool has_room = s->len - s->off < sizeof s->buf / 2 || s->off == s->len;
  if (!s->eof && !s->closing && has_room)
    p[n++] = (struct pollfd){ .fd = s->from, .events = POLLIN };
  bool pending = s->off < s->len;
  if (pending || (s->watch_to && !s->closing))
    p[n++] = (struct pollfd){ .fd = s->to, .events = pending ? POLLOUT : 0 };
  return n;
}

void
relay_stream_pump (struct relay_stream *s, const struct pollfd *p, int n)
{
  bool can_write = !s->to_waits;
  for (int i = 0; i < n; i++)
    {
      if (p[i].fd == s->to && (p[i].revents & POLLERR))
        {
          s->broken = true; /* a pipe whose reader is gone */
          return;
        }
      if (p[i].fd == s->to && (p[i].revents & POLLOUT))
        can_write = true;
    }
  for (int i = 0; i < n; i++)
    if (p[i].fd == s->from && (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
      fill (s);
  if (can_write)
    flush (s);
}

void
relay_stream_stop_input (struct relay_stream *s)
{
  s->eof = true;
}

void
relay_stream_drain (struct relay_stream *s)
{
  if (!s->closing)
    {
      s->closing = true;
      int fl = fcntl (s->from, F_GETFL);
      if (fl >= 0)
        fcntl (s->from, F_SETFL, fl | O_NONBLOCK);
      s->from_waits = false;
    }
  while (!s->eof && !s->broken && (s->to_file || room (s) > 0))
    {
      size_t before = s->len;
      fill (s);
      if (!s->to_waits)
        flush (s);
      if (s->len == before && !s->to_file)
        break;
    }
  if (!s->to_waits)
    flush (s);
}
