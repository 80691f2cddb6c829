/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "sync.h"

static int
sync_write (int fd, const struct sync_msg *m)
{
  /* Only the used part of msg travels; SEQPACKET keeps the boundary. */
  size_t len = offsetof (struct sync_msg, msg) + strnlen (m->msg, SYNC_MSG_MAX - 1) + 1;
  ssize_t r;
  do
    r = send (fd, m, len, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : 0;
}

int
sync_send (int fd, int type)
{
  struct sync_msg m = { .type = type };
  return sync_write (fd, &m);
}

int
sync_send_error (int fd, fmr_error_t err, int exit_code)
{
  struct sync_msg m = { .type = SYNC_ERROR, .exit_code = exit_code };
  if (err)
    {
      m.errnum = err->errnum;
      strncpy (m.msg, err->msg, SYNC_MSG_MAX - 1);
    }
  return sync_write (fd, &m);
}

int
sync_send_status (int fd, int wait_status)
{
  struct sync_msg m = { .type = SYNC_STATUS, .wait_status = wait_status };
  return sync_write (fd, &m);
}

int
sync_recv (int fd, struct sync_msg *m)
{
  memset (m, 0, sizeof *m);
  ssize_t r;
  do
    r = recv (fd, m, sizeof *m, 0);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return -1;
  if (r == 0)
    return 0;
  if ((size_t) r < offsetof (struct sync_msg, msg) + 1)
    {
      errno = EPROTO;
      return -1;
    }
  m->msg[SYNC_MSG_MAX - 1] = '\0';
  return 1;
}
