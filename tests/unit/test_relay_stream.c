/* SPDX-License-Identifier: Apache-2.0 */
/* relay_stream: a destination that takes less than offered never holds
 * the loop for more than a tick; the final drain ends even while a writer
 * keeps the pipe open; the escape filter sits on the way. */
#include "config.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/relay_stream.h"
#include "common/util.h"

static struct relay_stream s; /* 64 KiB: not on the stack */

static void
pipe_pair (int p[2])
{
  cr_assert_eq (pipe2 (p, O_CLOEXEC), 0);
}

/* One pass of a poll loop over the stream. */
static void
pass (struct relay_stream *st, int timeout_ms)
{
  struct pollfd p[2];
  int n = relay_stream_fds (st, p);
  if (n > 0 && poll (p, (nfds_t) n, timeout_ms) > 0)
    relay_stream_pump (st, p, n);
}

Test (relay_stream, a_blocking_destination_with_little_room_does_not_hold_the_loop, .timeout = 10)
{
  struct sigaction old;
  relay_clock_install (&old);
  int src[2], dst[2];
  pipe_pair (src);
  pipe_pair (dst); /* blocking, like a caller's descriptor */
  cr_assert_eq (fcntl (src[0], F_SETFL, O_NONBLOCK), 0);
  /* The destination pipe full but for one page: poll says POLLOUT, yet a
   * blocking write of more than a page waits for a reader. */
  static char block[4096];
  fcntl (dst[1], F_SETFL, O_NONBLOCK);
  while (write (dst[1], block, sizeof block) > 0)
    ;
  char page[4096];
  cr_assert_eq (read (dst[0], page, sizeof page), (ssize_t) sizeof page);
  fcntl (dst[1], F_SETFL, 0);
  static char data[32768];
  memset (data, 'x', sizeof data);
  cr_assert_eq (write (src[1], data, sizeof data), (ssize_t) sizeof data);

  relay_stream_init (&s, src[0], dst[1], false);
  cr_assert (s.to_waits);
  unsigned long long t0 = now_usec ();
  for (int i = 0; i < 5; i++)
    pass (&s, 50);
  unsigned long long took = now_usec () - t0;
  /* Five passes: a few ticks and poll timeouts, not a wait for a reader
   * that never comes. */
  cr_assert_lt (took, 2000000, "the loop was held %llu us", took);
  cr_assert_eq (relay_stream_pending (&s), sizeof data - sizeof page, "pending %zu", relay_stream_pending (&s));
  cr_assert (!relay_stream_done (&s));
  relay_clock_restore (&old);
  close (src[0]);
  close (src[1]);
  close (dst[0]);
  close (dst[1]);
}

Test (relay_stream, drain_ends_while_a_writer_keeps_the_pipe_open)
{
  int src[2], dst[2];
  pipe_pair (src);
  pipe_pair (dst);
  cr_assert_eq (fcntl (src[0], F_SETFL, O_NONBLOCK), 0);
  cr_assert_eq (write (src[1], "left\n", 5), 5);
  relay_stream_init (&s, src[0], dst[1], false);
  /* src[1] stays open: a process left behind without a pid namespace. */
  for (int i = 0; i < 3 && !relay_stream_done (&s); i++)
    {
      relay_stream_drain (&s);
      pass (&s, 100);
    }
  cr_assert (relay_stream_done (&s));
  char out[16] = "";
  cr_assert_eq (read (dst[0], out, sizeof out), 5);
  cr_assert_str_eq (out, "left\n");
  close (src[0]);
  close (src[1]);
  close (dst[0]);
  close (dst[1]);
}

Test (relay_stream, filtered_on_the_way_and_split_sequences_joined)
{
  int src[2], dst[2];
  pipe_pair (src);
  pipe_pair (dst);
  cr_assert_eq (fcntl (src[0], F_SETFL, O_NONBLOCK), 0);
  cr_assert_eq (fcntl (dst[1], F_SETFL, O_NONBLOCK), 0);
  relay_stream_init (&s, src[0], dst[1], true);
  const char *pieces[] = { "a\x1b]5", "2;c;QUFB\x07", "b\x1b[3", "1mc\x1b[", "6nd" };
  for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
    {
      cr_assert_eq (write (src[1], pieces[i], strlen (pieces[i])), (ssize_t) strlen (pieces[i]));
      pass (&s, 100);
    }
  close (src[1]);
  while (!relay_stream_done (&s))
    pass (&s, 100);
  char out[64] = "";
  cr_assert_gt (read (dst[0], out, sizeof out - 1), 0);
  cr_assert_str_eq (out, "ab\x1b[31mcd");
  close (src[0]);
  close (dst[0]);
  close (dst[1]);
}
