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

#include "common/syscalls.h"
#include "common/util.h"

#define READ_MIN_BUFFER 4096

/* open(path) for reading, refused unless a regular file of at most
 * max_size bytes; its size in *size. */
static int
open_limited (const char *path, size_t max_size, size_t *size, fmr_error_t *err)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return fmr_error_set (err, errno, "open `%s`", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    fmr_error_set (err, errno, "fstat `%s`", path);
  else if (!S_ISREG (st.st_mode))
    fmr_error_set (err, 0, "`%s` is not a regular file", path);
  else if ((unsigned long long) st.st_size > max_size)
    fmr_error_set (err, 0, "`%s` is %lld bytes, larger than the limit of %zu bytes", path, (long long) st.st_size,
                   max_size);
  else
    {
      *size = (size_t) st.st_size;
      return fd;
    }
  close (fd);
  return -1;
}

int
read_file_into (const char *path, size_t max_size, const struct file_buffer_ops *ops, void *ctx, char **out,
                size_t *len, fmr_error_t *err)
{
  size_t size = 0;
  cleanup_close int fd = open_limited (path, max_size, &size, err);
  if (fd < 0)
    return -1;
  /* One byte more than the size, to see the end of the file in the same
   * read; a file that grows meanwhile moves to a buffer twice as large.
   * At least a page: /proc files say size 0, and doubling from two bytes
   * took a dozen reads for a mountinfo of two kilobytes. */
  size_t cap = size + 2 < READ_MIN_BUFFER ? READ_MIN_BUFFER : size + 2, used = 0;
  char *buf = ops->alloc (ctx, cap);
  int rc = 0;
  for (;;)
    {
      if (used + 1 >= cap)
        {
          if (cap > max_size + 1)
            break; /* used > max_size: refused below */
          char *bigger = ops->alloc (ctx, cap * 2);
          memcpy (bigger, buf, used);
          if (ops->release)
            ops->release (ctx, buf);
          buf = bigger;
          cap *= 2;
        }
      ssize_t r = read (fd, buf + used, cap - used - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          if (r < 0)
            rc = fmr_error_set (err, errno, "read `%s`", path);
          break;
        }
      used += (size_t) r;
    }
  if (rc == 0 && used > max_size)
    rc = fmr_error_set (err, 0, "`%s` is larger than the limit of %zu bytes", path, max_size);
  if (rc < 0)
    {
      if (ops->release)
        ops->release (ctx, buf);
      return -1;
    }
  buf[used] = '\0';
  *len = used;
  *out = buf;
  return 0;
}

static void *
heap_alloc (void *ctx, size_t n)
{
  (void) ctx;
  return xmalloc (n);
}

static void
heap_release (void *ctx, void *p)
{
  (void) ctx;
  free (p);
}

int
read_file_limited (const char *path, size_t max_size, char **out, size_t *len, fmr_error_t *err)
{
  static const struct file_buffer_ops heap = { heap_alloc, heap_release };
  return read_file_into (path, max_size, &heap, NULL, out, len, err);
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

int
fd_close_range (unsigned first, unsigned last, unsigned flags, fmr_error_t *err)
{
  if (syscall (__NR_close_range, first, last, flags) == 0)
    return 0;
  const char *what = flags & CLOSE_RANGE_CLOEXEC ? "close_range CLOSE_RANGE_CLOEXEC" : "close_range";
  /* Linux 5.9 added close_range, 5.11 its CLOSE_RANGE_CLOEXEC flag (5.9
   * and 5.10 answer EINVAL to it). */
  if (errno == ENOSYS || (errno == EINVAL && (flags & CLOSE_RANGE_CLOEXEC) && first <= last))
    return fmr_error_set (err, errno, "%s: needs Linux %s or later (fmr-run supports " FMR_KERNEL_FLOOR " and later)",
                          what, flags & CLOSE_RANGE_CLOEXEC ? "5.11" : "5.9");
  return fmr_error_set (err, errno, "%s", what);
}

bool
path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (n == 1 && dir[0] == '/')
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}
