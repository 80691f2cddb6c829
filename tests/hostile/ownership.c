/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 31-33: the owner's rights over what the sandbox shows (mount
 * points and device nodes), the caller's session priority, and who the
 * payload is. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostile.h"

/* "VERB:PATH" as the WHAT of a report line. */
static void
report_on (const char *verb, const char *path, long r)
{
  char what[4200];
  snprintf (what, sizeof what, "%s:%s", verb, path);
  report (what, r);
}

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static void
unescape (char *s)
{
  char *w = s;
  for (char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7')
        {
          *w++ = (char) ((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
          r += 3;
        }
      else
        *w++ = *r;
    }
  *w = '\0';
}

/* chmod, chown and utimes of PATH to the values it already has: the call
 * needs the owner's rights (or a capability) and a writable mount, and
 * changes nothing but ctime where it is let through.  Each mount point is
 * tried once even when stacked. */
static void
try_owner_rights (const char *path)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    {
      report_on ("stat", path, -1);
      return;
    }
  report_on ("chmod", path, chmod (path, st.st_mode & 07777));
  report_on ("chown", path, chown (path, st.st_uid, st.st_gid));
  struct timespec times[2] = { st.st_atim, st.st_mtim };
  report_on ("utime", path, utimensat (AT_FDCWD, path, times, 0));
}

static bool
seen_before (char **seen, size_t n, const char *path)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (seen[i], path) == 0)
      return true;
  return false;
}

/* Attack 31: the owner's calls on every mount point of the sandbox (from
 * /proc/self/mountinfo) and on each PATH given (the device nodes); then a
 * write and a read of each device, which must keep working. */
ATTACK (owner_rights, "owner-rights", "DEVICE...");
static int
owner_rights (int argc, char **argv)
{
  FILE *f = fopen ("/proc/self/mountinfo", "re");
  if (f == NULL)
    return report ("mountinfo", -1), 1;
  char *line = NULL, *seen[512];
  size_t cap = 0, n = 0;
  while (getline (&line, &cap, f) > 0 && n < 512)
    {
      char *mp = NULL, *save = NULL, *tok = strtok_r (line, " ", &save);
      for (int field = 0; tok && field < 4; field++)
        tok = strtok_r (NULL, " ", &save);
      mp = tok;
      if (mp == NULL)
        continue;
      unescape (mp);
      if (seen_before (seen, n, mp))
        continue;
      seen[n++] = strdup (mp);
      try_owner_rights (mp);
    }
  free (line);
  fclose (f);
  for (int i = 1; i < argc; i++)
    {
      if (!seen_before (seen, n, argv[i]))
        try_owner_rights (argv[i]);
      if (strcmp (argv[i], "/dev/tty") == 0)
        continue; /* no controlling terminal: ENXIO, not a property of the mount */
      int fd = open (argv[i], O_RDWR | O_CLOEXEC | O_NOCTTY);
      report_on ("open", argv[i], fd);
      if (fd < 0)
        continue;
      char buf[16] = "x";
      long w = write (fd, buf, 1);
      /* /dev/full answers ENOSPC by design: the write reached the device. */
      report_on ("write", argv[i], w < 0 && errno == ENOSPC ? 0 : w);
      report_on ("read", argv[i], read (fd, buf, sizeof buf));
      close (fd);
    }
  for (size_t i = 0; i < n; i++)
    free (seen[i]);
  return 0;
}

/* Attack 32: renice the autogroup of PID 1.  An autogroup belongs to a
 * session: PID 1 in the caller's session would hand the caller's whole
 * session (its shell, its editor) to the payload.  The kernel lets a
 * process without CAP_SYS_ADMIN renice an autogroup once a second (EAGAIN
 * otherwise, machine-wide), so the write is tried for a few seconds. */
ATTACK (autogroup, "autogroup", "NICE");
static int
autogroup (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  long r = -1;
  for (int tries = 0; tries < 40; tries++)
    {
      int fd = open ("/proc/1/autogroup", O_WRONLY | O_CLOEXEC);
      r = fd;
      if (fd >= 0)
        {
          r = write (fd, argv[1], strlen (argv[1]));
          int saved = errno;
          close (fd);
          errno = saved;
        }
      if (r >= 0 || errno != EAGAIN)
        break;
      usleep (100 * 1000);
    }
  report_on ("write", "/proc/1/autogroup", r);
  return 0;
}

/* Attack 33: make a file, a directory, a file in it, a symlink and a
 * hard link in DIR (the writable work directory), report the ids the
 * payload has inside, then write DIR/ready and wait (at most 30 s) for
 * DIR/go: meanwhile the test reads the host's view of this process. */
ATTACK (make_files, "make-files", "DIR");
static int
make_files (int argc, char **argv)
{
  if (argc < 2 || chdir (argv[1]) < 0)
    return 2;
  int fd = open ("file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  report ("file", fd);
  if (fd >= 0)
    close (fd);
  report ("dir", mkdir ("dir", 0755));
  fd = open ("dir/inner", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  report ("inner", fd);
  if (fd >= 0)
    close (fd);
  report ("symlink", symlink ("file", "symlink"));
  report ("hardlink", link ("file", "hardlink"));
  report_value ("uid", "%u", (unsigned) getuid ());
  report_value ("gid", "%u", (unsigned) getgid ());
  fd = open ("ready", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0)
    close (fd);
  for (int i = 0; i < 3000 && access ("go", F_OK) < 0; i++)
    usleep (10 * 1000);
  return 0;
}
