/* SPDX-License-Identifier: Apache-2.0 */
/* hostile ATTACK [ARGS...]: run one attack (see hostile.h).  Linked
 * statically like the probe: the sandbox's root holds only a few binds. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

extern const struct attack __start_hostile_attacks[], __stop_hostile_attacks[];

int
report (const char *what, long r)
{
  int err = errno;
  report_errno (what, r >= 0 ? 0 : err);
  return r >= 0 ? 0 : -err;
}

void
report_errno (const char *what, int err)
{
  const char *name = err ? strerrorname_np (err) : "ok";
  printf ("%s %s\n", what, name ? name : "E?");
  fflush (stdout);
}

void
report_value (const char *what, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  printf ("%s ", what);
  vprintf (fmt, ap);
  putchar ('\n');
  va_end (ap);
  fflush (stdout);
}

void
try_open (const char *what, const char *path, int flags)
{
  int fd = open (path, flags | O_CLOEXEC, 0644);
  report (what, fd);
  if (fd >= 0)
    close (fd);
}

long
read_file (const char *path, char *buf, unsigned long size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  unsigned long n = 0;
  while (n + 1 < size)
    {
      ssize_t r = read (fd, buf + n, size - 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      n += (unsigned long) r;
    }
  buf[n] = '\0';
  close (fd);
  return (long) n;
}

static void
usage (FILE *f)
{
  fprintf (f, "usage: hostile ATTACK [ARGS...]\nattacks:\n");
  for (const struct attack *a = __start_hostile_attacks; a < __stop_hostile_attacks; a++)
    fprintf (f, "  %s %s\n", a->name, a->usage);
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return 2;
    }
  for (const struct attack *a = __start_hostile_attacks; a < __stop_hostile_attacks; a++)
    if (strcmp (a->name, argv[1]) == 0)
      return a->run (argc - 1, argv + 1);
  fprintf (stderr, "hostile: no attack named %s\n", argv[1]);
  usage (stderr);
  return 2;
}
