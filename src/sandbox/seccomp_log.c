/* SPDX-License-Identifier: Apache-2.0 */
/* The calls the seccomp filter refused during a run, read back from the
 * kernel log (see seccomp_log.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/seccomp_log.h"
#include "common/util.h"

void
seccomp_log_start (struct seccomp_log *l, const struct fmr_bundle *b, pid_t sandbox_pid)
{
  *l = (struct seccomp_log){ .fd = -1, .bundle = b };
  char path[64];
  struct stat st;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) sandbox_pid);
  if (stat (path, &st) == 0)
    l->ns_ino = (unsigned long long) st.st_ino;
  /* The audit subsystem's read-only multicast group gets every record
   * (with or without auditd, before the printk rate limit); it needs
   * CAP_AUDIT_READ.  Else the kernel log. */
  l->fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
  struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
  int size = 8 << 20;
  if (l->fd >= 0 && bind (l->fd, (struct sockaddr *) &sa, sizeof sa) == 0)
    {
      if (setsockopt (l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        setsockopt (l->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
      l->netlink = true;
      return;
    }
  if (l->fd >= 0)
    close (l->fd);
  l->fd = open ("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (l->fd < 0)
    l->open_err = errno;
  else
    lseek (l->fd, 0, SEEK_END);
}

/* A field "name=VALUE" of msg, VALUE up to the next space. */
static const char *
field (const char *msg, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = msg; (p = strstr (p, name)) != NULL; p += n)
    if ((p == msg || p[-1] == ' ') && p[n] == '=')
      return p + n + 1;
  return NULL;
}

bool
seccomp_log_parse (const char *msg, struct seccomp_record *r)
{
  const char *type = strstr (msg, "type=1326 ");
  if (type == NULL)
    return false;
  return seccomp_log_parse_fields (type, r);
}

bool
seccomp_log_parse_fields (const char *type, struct seccomp_record *r)
{
  const char *pid = field (type, "pid"), *arch = field (type, "arch"), *nr = field (type, "syscall");
  const char *code = field (type, "code"), *comm = field (type, "comm"), *uid = field (type, "uid");
  if (pid == NULL || arch == NULL || nr == NULL)
    return false;
  r->uid = uid ? strtoul (uid, NULL, 10) : (unsigned long) -1;
  r->pid = (pid_t) strtol (pid, NULL, 10);
  r->arch = (unsigned) strtoul (arch, NULL, 16);
  r->syscall = (int) strtol (nr, NULL, 10);
  r->code = code ? (unsigned) strtoul (code, NULL, 16) : 0;
  r->comm[0] = '\0';
  if (comm && *comm == '"')
    {
      size_t len = strcspn (comm + 1, "\"");
      snprintf (r->comm, 64, "%.*s", (int) (len < 63 ? len : 63), comm + 1);
    }
  return true;
}

/* A record is the sandbox's when its process ran as one of the host uids
 * the sandbox has, and is not still there in another pid namespace (by the
 * time the record is read, the process that made it may be gone: a tool
 * that fails on EPERM exits at once).  Records of calls the filter let
 * through (SCMP_ACT_LOG, ALLOW) are not refusals. */
static bool
from_sandbox (const struct seccomp_log *l, const struct seccomp_record *r)
{
  unsigned action = r->code & 0xffff0000u;
  if (action == 0x7ffc0000u || action == 0x7fff0000u)
    return false;
  const struct fmr_bundle *b = l->bundle;
  if (b->clone_flags & CLONE_NEWUSER)
    {
      bool mapped = false;
      for (size_t i = 0; i < b->n_uid_mappings; i++)
        mapped |= r->uid >= b->uid_mappings[i].host_id && r->uid - b->uid_mappings[i].host_id < b->uid_mappings[i].size;
      if (!mapped)
        return false;
    }
  char path[64];
  struct stat st;
  snprintf (path, sizeof path, "/proc/%d/ns/pid", (int) r->pid);
  if (l->ns_ino == 0 || stat (path, &st) < 0)
    return true;
  return (unsigned long long) st.st_ino == l->ns_ino;
}

static const char *
action_name (unsigned code)
{
  switch (code & 0xffff0000u)
    {
    case 0x80000000u: return "killed the process";
    case 0x00000000u: return "killed the thread";
    case 0x00030000u: return "SIGSYS";
    case 0x00050000u: return "errno";
    case 0x7fc00000u: return "user notification";
    case 0x7ff00000u: return "trace";
    case 0x7ffc0000u: return "logged";
    }
  return "refused";
}

struct refused
{
  struct seccomp_record r;
  unsigned count;
};

void
seccomp_log_report (struct seccomp_log *l, FILE *out)
{
  if (l->fd < 0)
    {
      fprintf (out,
               "fmr-run: seccomp: cannot read the audit records (no CAP_AUDIT_READ) nor /dev/kmsg (%s): "
               "the refused calls are in the audit log "
               "(ausearch -m SECCOMP) or the kernel log (dmesg, journalctl -k), as type=1326 records\n",
               strerror (l->open_err));
      return;
    }
  struct refused *seen = NULL;
  size_t n = 0;
  unsigned long suppressed = 0;
  char buf[8192];
  /* The audit thread prints records a moment after the call: wait until
   * the log has been quiet for 100 ms. */
  struct pollfd p = { .fd = l->fd, .events = POLLIN };
  while (poll (&p, 1, 100) > 0)
    for (;;)
      {
        ssize_t got = read (l->fd, buf, sizeof buf - 1);
        if (got < 0 && errno == EPIPE)
          continue; /* records overwritten before we read them */
        if (got < 0 && errno == ENOBUFS)
          {
            suppressed++; /* the socket's buffer overflowed: some lost */
            continue;
          }
        if (got <= 0)
          break;
        buf[got] = '\0';
        struct seccomp_record r;
        if (l->netlink)
          {
            /* One audit record per message, its text after the header. */
            const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
            if ((size_t) got < NLMSG_HDRLEN || h->nlmsg_type != AUDIT_SECCOMP
                || !seccomp_log_parse_fields ((const char *) NLMSG_DATA (h), &r))
              continue;
          }
        else
          {
            const char *msg = strchr (buf, ';');
            const char *lost = msg ? strstr (msg, "kauditd_printk_skb: ") : NULL;
            if (lost)
              suppressed += strtoul (lost + strlen ("kauditd_printk_skb: "), NULL, 10);
            if (msg == NULL || !seccomp_log_parse (msg + 1, &r))
              continue;
          }
        if (!from_sandbox (l, &r))
          continue;
        size_t k = 0;
        while (k < n
               && !(seen[k].r.syscall == r.syscall && seen[k].r.arch == r.arch && strcmp (seen[k].r.comm, r.comm) == 0
                    && seen[k].r.code == r.code))
          k++;
        if (k == n)
          {
            seen = xreallocarray (seen, n + 1, sizeof *seen);
            seen[n++] = (struct refused){ r, 0 };
          }
        seen[k].count++;
      }
  close (l->fd);
  l->fd = -1;
  if (suppressed && l->netlink)
    fprintf (out, "fmr-run: seccomp: some audit records were lost (the socket's buffer overflowed): the list "
                  "below may be incomplete\n");
  else if (suppressed)
    fprintf (out,
             "fmr-run: seccomp: the kernel left %lu audit records out of its log during the run (its "
             "printk rate limit): the list below may be incomplete; auditd keeps them all\n",
             suppressed);
  if (n == 0)
    fprintf (out, "fmr-run: seccomp: the filter refused no call%s\n",
             l->netlink ? ""
                        : " that the kernel log shows (with auditd running, look in its log: "
                          "ausearch -m SECCOMP)");
  for (size_t k = 0; k < n; k++)
    {
      char *name = seccomp_syscall_resolve_num_arch (seen[k].r.arch, seen[k].r.syscall);
      fprintf (out, "fmr-run: seccomp: refused %s (syscall %d, %s) to %s, %u time%s\n", name ? name : "an unknown call",
               seen[k].r.syscall, action_name (seen[k].r.code), seen[k].r.comm[0] ? seen[k].r.comm : "?", seen[k].count,
               seen[k].count == 1 ? "" : "s");
      free (name);
    }
  free (seen);
}
