/* SPDX-License-Identifier: Apache-2.0 */
/* The floor for contrib/bench/startup: the least any namespace sandbox
 * must do.  One clone into the seven namespaces, the parent writes the id
 * maps, the child execs the command.  No mounts, no pivot_root, no
 * capabilities or seccomp: nothing a real sandbox can skip is counted. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void
put (pid_t pid, const char *file, const char *text)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  int fd = open (path, O_WRONLY);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    perror (path);
  if (fd >= 0)
    close (fd);
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  int go[2];
  if (pipe (go) < 0)
    return 125;
  unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
                        | CLONE_NEWCGROUP | SIGCHLD;
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  pid_t pid = (pid_t) syscall (SYS_clone, flags, NULL, NULL, NULL, 0);
  if (pid < 0)
    return 125;
  if (pid == 0)
    {
      char c;
      close (go[1]);
      if (read (go[0], &c, 1) != 0)
        _exit (125);
      execv (argv[1], argv + 1);
      _exit (127);
    }
  char map[64];
  if (uid != 0)
    put (pid, "setgroups", "deny");
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
  put (pid, "uid_map", map);
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
  put (pid, "gid_map", map);
  close (go[1]);
  int st;
  waitpid (pid, &st, 0);
  return WIFEXITED (st) ? WEXITSTATUS (st) : 128 + WTERMSIG (st);
}
