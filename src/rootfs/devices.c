/* SPDX-License-Identifier: Apache-2.0 */
/* The default /dev of an OCI container. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "rootfs/devices.h"
#include "rootfs/mounts.h"
#include "common/util.h"

static const char *const default_devices[] = { "null", "zero", "full", "random", "urandom", "tty" };

static const struct
{
  const char *name, *target;
} default_links[] = {
  { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
  { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },
};

static int
bind_device (int dev_fd, const char *name, fmr_error_t *err)
{
  cleanup_free char *what = xasprintf ("/dev/%s", name);
  int f = openat (dev_fd, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0666);
  if (f < 0 && errno == EEXIST)
    return 0;
  if (f < 0)
    return fmr_error_set (err, errno, "%s: create", what);
  close (f);
  cleanup_close int target = openat (dev_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0)
    return fmr_error_set (err, errno, "%s: open", what);
  /* The host's node, as the caller sees it: this runs before pivot_root.
   * Read-only: opening, reading and writing a device ignore the mount's
   * read-only flag, while chmod, chown and utimes of the node (which are
   * the host's, for whoever owns it) get EROFS. */
  cleanup_close int mnt = mount_bind_at (AT_FDCWD, what, target, false, true, what, err);
  return mnt < 0 ? -1 : 0;
}

int
devices_setup (int dev_fd, fmr_error_t *err)
{
  for (size_t i = 0; i < ARRAY_SIZE (default_devices); i++)
    if (bind_device (dev_fd, default_devices[i], err) < 0)
      return -1;
  for (size_t i = 0; i < ARRAY_SIZE (default_links); i++)
    if (symlinkat (default_links[i].target, dev_fd, default_links[i].name) < 0 && errno != EEXIST)
      return fmr_error_set (err, errno, "/dev/%s: symlink", default_links[i].name);
  return 0;
}
