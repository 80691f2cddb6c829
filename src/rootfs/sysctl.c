/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "rootfs/paths.h"
#include "rootfs/sysctl.h"
#include "common/util.h"

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

static int
write_one (int proc, const struct fmr_sysctl *s, fmr_error_t *err)
{
  cleanup_free char *path = fmr_sysctl_path (s->key);
  const char *rel = path + strlen ("/proc/");
  cleanup_close int fd = openat (proc, rel, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return fmr_error_set (err, errno, "linux.sysctl.%s: open %s", s->key, path);
  struct statfs sfs;
  if (fstatfs (fd, &sfs) < 0 || (unsigned long) sfs.f_type != (unsigned long) PROC_SUPER_MAGIC)
    return fmr_error_set (err, EXDEV, "linux.sysctl.%s: %s is not in the sandbox's proc", s->key, path);
  size_t len = strlen (s->value);
  ssize_t n = write (fd, s->value, len);
  if (n < 0 || (size_t) n != len)
    return fmr_error_set (err, n < 0 ? errno : EIO, "linux.sysctl.%s: write `%s` to %s", s->key, s->value, path);
  return 0;
}

int
sysctl_apply (int root_fd, const struct fmr_bundle *b, fmr_error_t *err)
{
  if (b->n_sysctls == 0)
    return 0;
  cleanup_close int proc = path_open_in_root (root_fd, "/proc", O_DIRECTORY, err);
  if (proc < 0)
    return fmr_error_prefix (err, "linux.sysctl");
  for (size_t i = 0; i < b->n_sysctls; i++)
    if (write_one (proc, &b->sysctls[i], err) < 0)
      return -1;
  return 0;
}
