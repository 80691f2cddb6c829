/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/idmap.h"
#include "common/util.h"

static char *
format_map (const struct fmr_id_mapping *m, size_t n)
{
  size_t cap = n * 36 + 1, used = 0;
  char *buf = xmalloc (cap);
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    used += (size_t) snprintf (buf + used, cap - used, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
  return buf;
}

static int
write_proc_file (pid_t pid, const char *name, const char *content, fmr_error_t *err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, name);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", path);
  /* The kernel wants the whole map in a single write. */
  ssize_t w = write (fd, content, strlen (content));
  if (w < 0)
    return fmr_error_set (err, errno, "write `%s`", path);
  return 0;
}

/* True when the only range maps the caller's own id, which the kernel lets
 * an unprivileged process write itself. */
static bool
only_own_id (const struct fmr_id_mapping *m, size_t n, unsigned own)
{
  return n == 1 && m[0].size == 1 && m[0].host_id == own;
}

static int
run_helper (const char *helper, pid_t pid, const struct fmr_id_mapping *m, size_t n, const char *field,
            fmr_error_t *err)
{
  size_t argc = 0;
  char **argv = xcalloc (3 + 3 * n + 1, sizeof (char *));
  argv[argc++] = xstrdup (helper);
  argv[argc++] = xasprintf ("%d", (int) pid);
  for (size_t i = 0; i < n; i++)
    {
      argv[argc++] = xasprintf ("%u", m[i].container_id);
      argv[argc++] = xasprintf ("%u", m[i].host_id);
      argv[argc++] = xasprintf ("%u", m[i].size);
    }
  cleanup_strv char **args = argv;
  pid_t child = fork ();
  if (child < 0)
    return fmr_error_set (err, errno, "%s: fork for %s", field, helper);
  if (child == 0)
    {
      execvp (helper, args);
      _exit (errno == ENOENT ? 127 : 126);
    }
  int status;
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return fmr_error_set (err, errno, "%s: waitpid %s", field, helper);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return fmr_error_set (err, 0, "%s: more than the caller's own id needs %s (Debian package uidmap), not found",
                          field, helper);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return fmr_error_set (err, 0, "%s: %s refused the mapping (see /etc/subuid and /etc/subgid)", field, helper);
  return 0;
}

static int
write_one (pid_t pid, const char *file, const char *helper, const char *field, const struct fmr_id_mapping *m, size_t n,
           bool host_root, unsigned own, fmr_error_t *err)
{
  if (host_root || only_own_id (m, n, own))
    {
      cleanup_free char *text = format_map (m, n);
      if (write_proc_file (pid, file, text, err) < 0)
        return fmr_error_prefix (err, "%s", field);
      return 0;
    }
  return run_helper (helper, pid, m, n, field, err);
}

int
idmap_write (pid_t pid, const struct fmr_bundle *b, bool host_root, uid_t uid, gid_t gid, fmr_error_t *err)
{
  bool self_gid = !host_root && only_own_id (b->gid_mappings, b->n_gid_mappings, gid);
  /* An unprivileged process may write a gid_map only once setgroups is
   * denied (CVE-2014-8989: dropping groups could otherwise grant access). */
  if (self_gid && write_proc_file (pid, "setgroups", "deny", err) < 0)
    return fmr_error_prefix (err, "linux.gidMappings");
  if (write_one (pid, "uid_map", "newuidmap", "linux.uidMappings", b->uid_mappings, b->n_uid_mappings, host_root, uid,
                 err)
      < 0)
    return -1;
  return write_one (pid, "gid_map", "newgidmap", "linux.gidMappings", b->gid_mappings, b->n_gid_mappings, host_root,
                    gid, err);
}

int
idmap_userns_open (const struct fmr_id_mapping *uid, const struct fmr_id_mapping *gid, fmr_error_t *err)
{
  int hold[2];
  if (pipe2 (hold, O_CLOEXEC) < 0)
    return fmr_error_set (err, errno, "pipe");
  /* A process in a new user namespace that waits for the pipe to close:
   * the namespace lives on through the descriptor opened below. */
  pid_t pid = (pid_t) syscall (SYS_clone, (unsigned long) CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid == 0)
    {
      char c;
      close (hold[1]);
      while (read (hold[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (hold[0]);
  int ret = -1;
  if (pid < 0)
    fmr_error_set (err, errno, "clone a user namespace");
  else
    {
      cleanup_free char *u = format_map (uid, 1), *g = format_map (gid, 1);
      char path[64];
      snprintf (path, sizeof path, "/proc/%d/ns/user", (int) pid);
      if (write_proc_file (pid, "uid_map", u, err) == 0 && write_proc_file (pid, "gid_map", g, err) == 0)
        {
          ret = open (path, O_RDONLY | O_CLOEXEC);
          if (ret < 0)
            fmr_error_set (err, errno, "open `%s`", path);
        }
    }
  close (hold[1]);
  if (pid > 0)
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
      ;
  return ret;
}
