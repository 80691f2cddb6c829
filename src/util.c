/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

void
fmr_freep (void *p)
{
  free (*(void **) p);
}

void
fmr_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
}

void
fmr_fclosep (FILE **f)
{
  if (*f)
    fclose (*f);
}

void
fmr_closedirp (DIR **d)
{
  if (*d)
    closedir (*d);
}

void
fmr_strvfreep (char ***v)
{
  strv_free (*v);
}

static void
oom (void)
{
  static const char msg[] = "fmr-run: out of memory\n";
  (void) !write (STDERR_FILENO, msg, sizeof msg - 1);
  abort ();
}

void *
xmalloc (size_t n)
{
  void *p = malloc (n ? n : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xzalloc (size_t n)
{
  return xcalloc (1, n);
}

void *
xcalloc (size_t n, size_t size)
{
  void *p = calloc (n ? n : 1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xrealloc (void *p, size_t n)
{
  p = realloc (p, n ? n : 1);
  if (p == NULL)
    oom ();
  return p;
}

void *
xreallocarray (void *p, size_t n, size_t size)
{
  p = reallocarray (p, n ? n : 1, size ? size : 1);
  if (p == NULL)
    oom ();
  return p;
}

char *
xstrdup (const char *s)
{
  char *r = strdup (s);
  if (r == NULL)
    oom ();
  return r;
}

char *
xstrndup (const char *s, size_t n)
{
  char *r = strndup (s, n);
  if (r == NULL)
    oom ();
  return r;
}

char *
xasprintf (const char *fmt, ...)
{
  char *r = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&r, fmt, ap) < 0)
    oom ();
  va_end (ap);
  return r;
}

size_t
strv_len (char *const *v)
{
  size_t n = 0;
  while (v && v[n])
    n++;
  return n;
}

void
strv_free (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

int
read_file_limited (const char *path, size_t max_size, char **out, size_t *len, fmr_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return fmr_error_set (err, errno, "fstat `%s`", path);
  if (!S_ISREG (st.st_mode))
    return fmr_error_set (err, 0, "`%s` is not a regular file", path);
  if ((unsigned long long) st.st_size > max_size)
    return fmr_error_set (err, 0, "`%s` is %lld bytes, larger than the limit of %zu bytes", path,
                          (long long) st.st_size, max_size);
  size_t cap = (size_t) st.st_size + 1, used = 0;
  cleanup_free char *buf = xmalloc (cap);
  for (;;)
    {
      if (used + 1 >= cap)
        {
          if (cap > max_size + 1)
            return fmr_error_set (err, 0, "`%s` is larger than the limit of %zu bytes", path, max_size);
          cap *= 2;
          buf = xrealloc (buf, cap);
        }
      ssize_t r = read (fd, buf + used, cap - used - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return fmr_error_set (err, errno, "read `%s`", path);
      if (r == 0)
        break;
      used += (size_t) r;
    }
  if (used > max_size)
    return fmr_error_set (err, 0, "`%s` is larger than the limit of %zu bytes", path, max_size);
  buf[used] = '\0';
  *len = used;
  *out = buf;
  buf = NULL;
  return 0;
}

int
write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EAGAIN)
        {
          /* A descriptor someone else left O_NONBLOCK (a terminal shared
           * with the caller's shell): wait for room, do not change it. */
          struct pollfd pf = { .fd = fd, .events = POLLOUT };
          poll (&pf, 1, -1);
          continue;
        }
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

ssize_t
read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t got = 0;
  while (got < len)
    {
      ssize_t r = read (fd, p + got, len - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      got += (size_t) r;
    }
  return (ssize_t) got;
}

int
write_file (const char *path, const char *buf, size_t len, fmr_error_t *err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", path);
  if (write_all (fd, buf, len) < 0)
    return fmr_error_set (err, errno, "write `%s`", path);
  return 0;
}

bool
parse_seconds (const char *s, double *out)
{
  char *end;
  errno = 0;
  double v = strtod (s, &end);
  if (errno || end == s || *end || !(v > 0) || v > 1e9)
    return false;
  *out = v;
  return true;
}

unsigned long long
now_usec (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (unsigned long long) ts.tv_sec * 1000000ull + (unsigned long long) ts.tv_nsec / 1000;
}
