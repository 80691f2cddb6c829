/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SECCOMP_LOG_H
#define FMR_SECCOMP_LOG_H

/* run --seccomp-log (and --debug): the filter is loaded with
 * SECCOMP_FILTER_FLAG_LOG, so the kernel's audit subsystem records every
 * call it refuses (type=1326 SECCOMP records).  With auditd running they
 * go to its log (ausearch -m SECCOMP); without it the kernel prints them
 * in its own log (dmesg, journalctl -k, /dev/kmsg), rate-limited like any
 * printk.  fmr-run reads the records of the run from the audit
 * subsystem's read-only multicast group when it has CAP_AUDIT_READ (root),
 * else from /dev/kmsg when it can (kernel.dmesg_restrict = 0), and lists
 * the refused calls by name afterwards. */

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "bundle/bundle.h"

struct seccomp_log
{
  int fd;                          /* /dev/kmsg at the end of the log, or -1 */
  bool netlink;                    /* fd is the audit multicast socket, not /dev/kmsg */
  int open_err;                    /* errno of opening /dev/kmsg */
  unsigned long long ns_ino;       /* the sandbox's pid namespace */
  const struct fmr_bundle *bundle; /* its uid maps: whose records are the sandbox's */
};

/* Before the sandbox may run its process: listen to the audit records
 * (CAP_AUDIT_READ: root), else remember where the kernel log ends now; and
 * which pid namespace the sandbox's PID 1 has. */
void seccomp_log_start (struct seccomp_log *l, const struct fmr_bundle *b, pid_t sandbox_pid);
/* After the run: the refused calls of the sandbox, on out. */
void seccomp_log_report (struct seccomp_log *l, FILE *out);

/* One kernel log record's message, parsed when it is a seccomp audit
 * record ("audit: type=1326 ... pid=N comm=\"x\" ... arch=HEX syscall=N
 * ... code=HEX"); false otherwise.  comm must hold 64 bytes. */
struct seccomp_record
{
  pid_t pid;
  unsigned long uid; /* host uid */
  unsigned arch;
  int syscall;
  unsigned code;
  char comm[64];
};
bool seccomp_log_parse (const char *msg, struct seccomp_record *r);
/* The same from the record's fields alone ("audit(...): auid=... pid=..."),
 * as the audit netlink socket hands them. */
bool seccomp_log_parse_fields (const char *fields, struct seccomp_record *r);

#endif
