/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/sync.h"
#include "common/util.h"

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

static int send_with_fd (int fd, struct sync_msg *m, int payload);

int
sync_send_fd (int fd, int payload)
{
  struct sync_msg m = { .type = SYNC_CONSOLE };
  return send_with_fd (fd, &m, payload);
}

int
sync_send_mount (int fd, int index, int tree)
{
  struct sync_msg m = { .type = SYNC_MOUNT, .index = index };
  return send_with_fd (fd, &m, tree);
}

static int
send_with_fd (int fd, struct sync_msg *msg, int payload)
{
  struct sync_msg m = *msg;
  struct iovec iov = { .iov_base = &m, .iov_len = offsetof (struct sync_msg, msg) + 1 };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  memset (&ctl, 0, sizeof ctl);
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &payload, sizeof (int));
  ssize_t r;
  do
    r = sendmsg (fd, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : 0;
}

int
sync_recv (int fd, struct sync_msg *m)
{
  memset (m, 0, sizeof *m);
  m->fd = -1;
  struct iovec iov = { .iov_base = m, .iov_len = sizeof *m };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } ctl;
  struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
  ssize_t r;
  /* ECONNRESET: the other end closed with a message of ours unread (the
   * sandbox failed before taking the seccomp filter).  The kernel reports
   * that once, ahead of what the other end sent before it closed: read on,
   * or its error message would be lost. */
  do
    r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && (errno == EINTR || errno == ECONNRESET));
  if (r < 0)
    return -1;
  if (r == 0)
    return 0;
  int got = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR (&mh); c; c = CMSG_NXTHDR (&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      memcpy (&got, CMSG_DATA (c), sizeof (int));
  if ((size_t) r < offsetof (struct sync_msg, msg) + 1)
    {
      if (got >= 0)
        close (got);
      errno = EPROTO;
      return -1;
    }
  m->fd = got;
  m->msg[SYNC_MSG_MAX - 1] = '\0';
  return 1;
}

struct bpf_header
{
  int type;
  unsigned flags;
  unsigned len;
};

int
sync_send_bpf (int fd, const struct fmr_bpf *bpf)
{
  struct bpf_header h = { .type = SYNC_SECCOMP, .flags = bpf->flags, .len = bpf->len };
  struct iovec iov[2] = { { .iov_base = &h, .iov_len = sizeof h },
                          { .iov_base = bpf->insns, .iov_len = bpf->len * sizeof (struct sock_filter) } };
  struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
  ssize_t r;
  do
    r = sendmsg (fd, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : 0;
}

int
sync_recv_bpf (int fd, struct fmr_bpf *bpf)
{
  struct bpf_header h;
  /* Room for the largest program, not zeroed: only the instructions that
   * arrive are read, and each page zeroed for nothing is a page fault in
   * PID 1 on the way to the payload (seven for 32 KiB). */
  struct sock_filter *insns = xmalloc (BPF_MAXINSNS * sizeof (struct sock_filter));
  struct iovec iov[2] = { { .iov_base = &h, .iov_len = sizeof h },
                          { .iov_base = insns, .iov_len = BPF_MAXINSNS * sizeof (struct sock_filter) } };
  struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
  ssize_t r;
  do
    r = recvmsg (fd, &mh, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r <= 0 || (size_t) r < sizeof h || h.type != SYNC_SECCOMP || h.len == 0 || h.len > BPF_MAXINSNS
      || (size_t) r != sizeof h + h.len * sizeof (struct sock_filter))
    {
      free (insns);
      if (r > 0)
        errno = EPROTO;
      return r == 0 ? 0 : -1;
    }
  *bpf = (struct fmr_bpf){ .insns = insns, .len = (unsigned short) h.len, .flags = h.flags };
  return 1;
}
