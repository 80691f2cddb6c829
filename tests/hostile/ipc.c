/* SPDX-License-Identifier: Apache-2.0 */
/* Attack 27: the host's /dev/shm, POSIX message queues and SysV IPC.  The
 * test makes the host's objects with ipc-create (run unconfined: Python
 * has no SysV IPC) and removes them with ipc-remove. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "hostile.h"

/* One segment, one message queue and one semaphore set with KEY, mode
 * 0600, and the POSIX message queue MQ: "shm ID", "msg ID", "sem ID",
 * "mq ok" (or the errno of the call that failed). */
ATTACK (ipc_create, "ipc-create", "KEY MQ");
static int
ipc_create (int argc, char **argv)
{
  if (argc < 3)
    return 2;
  key_t key = (key_t) strtol (argv[1], NULL, 0);
  int ids[3] = {
    shmget (key, 4096, IPC_CREAT | IPC_EXCL | 0600),
    msgget (key, IPC_CREAT | IPC_EXCL | 0600),
    semget (key, 1, IPC_CREAT | IPC_EXCL | 0600),
  };
  static const char *const what[] = { "shm", "msg", "sem" };
  int failed = 0;
  for (int i = 0; i < 3; i++)
    if (ids[i] < 0)
      failed |= report (what[i], -1);
    else
      report_value (what[i], "%d", ids[i]);
  struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 64 };
  mqd_t mq = mq_open (argv[2], O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
  failed |= report ("mq", mq == (mqd_t) -1 ? -1 : 0);
  if (mq != (mqd_t) -1)
    mq_close (mq);
  return failed ? 1 : 0;
}

/* Remove what ipc-create made ("-" for an id it did not make). */
ATTACK (ipc_remove, "ipc-remove", "SHMID MSGID SEMID MQ");
static int
ipc_remove (int argc, char **argv)
{
  if (argc < 5)
    return 2;
  if (strcmp (argv[1], "-") != 0)
    report ("shm", shmctl (atoi (argv[1]), IPC_RMID, NULL));
  if (strcmp (argv[2], "-") != 0)
    report ("msg", msgctl (atoi (argv[2]), IPC_RMID, NULL));
  if (strcmp (argv[3], "-") != 0)
    report ("sem", semctl (atoi (argv[3]), 0, IPC_RMID));
  report ("mq", mq_unlink (argv[4]));
  return 0;
}

/* Lines of /proc/sysvipc/NAME after its header: the objects this IPC
 * namespace holds. */
static void
count_sysvipc (const char *name)
{
  char path[64], what[64], buf[1 << 16];
  snprintf (path, sizeof path, "/proc/sysvipc/%s", name);
  snprintf (what, sizeof what, "sysvipc-%s", name);
  long n = read_file (path, buf, sizeof buf);
  if (n < 0)
    {
      report_errno (what, (int) -n);
      return;
    }
  int lines = 0;
  for (char *p = buf; *p; p++)
    lines += *p == '\n';
  report_value (what, "%d", lines > 0 ? lines - 1 : 0);
}

/* Entries of /dev/shm (files and directories). */
static void
count_dev_shm (void)
{
  DIR *d = opendir ("/dev/shm");
  if (!d)
    {
      report_errno ("dev-shm-entries", errno);
      return;
    }
  int n = 0;
  struct dirent *e;
  while ((e = readdir (d)))
    n += strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0;
  closedir (d);
  report_value ("dev-shm-entries", "%d", n);
}

/* By key, then by the host's ids (ids are per IPC namespace too), then by
 * name; every attempt changes nothing where it succeeds except the shm
 * attach (detached at once). */
ATTACK (host_ipc, "host-ipc", "KEY SHMID MSGID SEMID SHMFILE MQ");
static int
host_ipc (int argc, char **argv)
{
  if (argc < 7)
    return 2;
  key_t key = (key_t) strtol (argv[1], NULL, 0);
  report ("shmget", shmget (key, 0, 0));
  report ("msgget", msgget (key, 0));
  report ("semget", semget (key, 0, 0));
  void *at = shmat (atoi (argv[2]), NULL, SHM_RDONLY);
  report ("shmat", at == (void *) -1 ? -1 : 0);
  if (at != (void *) -1)
    shmdt (at);
  struct msqid_ds mq;
  report ("msgctl-stat", msgctl (atoi (argv[3]), IPC_STAT, &mq));
  report ("semctl-getval", semctl (atoi (argv[4]), 0, GETVAL));
  char path[4096];
  snprintf (path, sizeof path, "/dev/shm/%s", argv[5]);
  try_open ("dev-shm-file", path, O_RDWR);
  mqd_t q = mq_open (argv[6], O_RDWR | O_CLOEXEC);
  report ("mq_open", q == (mqd_t) -1 ? -1 : 0);
  if (q != (mqd_t) -1)
    mq_close (q);
  count_sysvipc ("shm");
  count_sysvipc ("msg");
  count_sysvipc ("sem");
  count_dev_shm ();
  return 0;
}
