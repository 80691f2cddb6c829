/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SYNC_H
#define FMR_SYNC_H

#include "common/error.h"
#include "sandbox/seccomp_filter.h"

/* The channel between the outer fmr-run and the sandbox: a SOCK_SEQPACKET
 * socketpair, so each message arrives whole.  The sandbox's end is
 * close-on-exec: the payload's copy disappears at a successful exec, PID 1
 * keeps its copy to report the payload's wait status at the end. */
enum sync_type
{
  SYNC_GO = 1,      /* parent -> child: id maps are written, go on */
  SYNC_ERROR = 2,   /* child -> parent: setup failed before exec */
  SYNC_STATUS = 3,  /* PID 1 -> parent: the payload's wait status */
  SYNC_CONSOLE = 4, /* payload -> parent: the pty master, as SCM_RIGHTS */
  SYNC_SECCOMP = 5, /* parent -> PID 1: the compiled seccomp filter */
  SYNC_MOUNT = 6,   /* parent -> child, before GO: an idmapped bind's tree (index in `index`) */
};

#define SYNC_MSG_MAX 2048

struct sync_msg
{
  int type;
  int errnum;
  int exit_code;   /* SYNC_ERROR: 125, 126 or 127 */
  int wait_status; /* SYNC_STATUS */
  int fd;          /* SYNC_CONSOLE, SYNC_MOUNT: the received descriptor (not sent) */
  int index;       /* SYNC_MOUNT: its index in mounts[] */
  char msg[SYNC_MSG_MAX];
};

int sync_send (int fd, int type);
/* Send err (which stays owned by the caller) as a SYNC_ERROR. */
int sync_send_error (int fd, fmr_error_t err, int exit_code);
int sync_send_status (int fd, int wait_status);
/* A SYNC_CONSOLE message carrying fd. */
int sync_send_fd (int fd, int payload);
/* A SYNC_MOUNT message carrying the tree of mounts[INDEX]. */
int sync_send_mount (int fd, int index, int tree);
/* 1 on a message, 0 on EOF, -1 on error (errno set). */
int sync_recv (int fd, struct sync_msg *m);
/* The seccomp filter, compiled by the parent while the sandbox builds its
 * root, travels as one SYNC_SECCOMP message (at most BPF_MAXINSNS
 * instructions, 32 KiB).  sync_recv_bpf: 1, 0 on EOF, -1 (errno set). */
int sync_send_bpf (int fd, const struct fmr_bpf *bpf);
int sync_recv_bpf (int fd, struct fmr_bpf *bpf);

#endif
