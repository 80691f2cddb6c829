/* SPDX-License-Identifier: Apache-2.0 */
/* Bind sources: resolved on the host before the sandbox exists, opened
 * again in it without following any link. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/paths.h"
#include "rootfs/sources.h"
#include "common/util.h"

static bool
is_writable_bind (const struct fmr_mount *m)
{
  return m->kind == FMR_MOUNT_BIND && !(m->flags & MS_RDONLY);
}

static int
resolve_one (struct fmr_mount *m, size_t i, const char *const *untrusted, size_t n_untrusted, fmr_error_t *err)
{
  char *real = NULL;
  struct stat st;
  if (path_resolve_source (m->source, untrusted, n_untrusted, &real, &st, err) < 0)
    return fmr_error_prefix (err, "mounts[%zu].source", i);
  free (m->real_source);
  m->real_source = real;
  m->source_dev = st.st_dev;
  m->source_ino = st.st_ino;
  return 0;
}

/* The bundle itself (config.json, root.path) inside a writable bind could
 * be rewritten by its own step before the next run: refused. */
static int
check_bundle_outside (const struct fmr_bundle *b, size_t i, fmr_error_t *err)
{
  const char *what[] = { "the bundle directory", "root.path" };
  const char *paths[] = { b->dir, b->root_path };
  for (size_t k = 0; k < ARRAY_SIZE (paths); k++)
    {
      if (paths[k] == NULL)
        continue;
      char real[PATH_MAX];
      if (realpath (paths[k], real) == NULL)
        continue; /* reported by whoever opens it */
      if (path_is_under (real, b->mounts[i].real_source))
        return fmr_error_set (err, 0,
                              "mounts[%zu].source: %s: %s %s lies inside this writable bind: a step could "
                              "rewrite its own bundle",
                              i, b->mounts[i].real_source, what[k], real);
    }
  return 0;
}

/* Twice: the writable binds' real paths first (with only the ownership
 * rule), then every bind again with links inside any of those refused, so
 * that a writable bind nested in another one is held to the same rule as
 * a read-only one. */
int
rootfs_resolve_sources (struct fmr_bundle *b, fmr_error_t *err)
{
  cleanup_free const char **untrusted = xzalloc ((b->n_mounts + 1) * sizeof *untrusted);
  size_t n = 0;
  for (size_t i = 0; i < b->n_mounts; i++)
    {
      struct fmr_mount *m = &b->mounts[i];
      if (!is_writable_bind (m))
        continue;
      if (resolve_one (m, i, NULL, 0, err) < 0)
        return -1;
      if (check_bundle_outside (b, i, err) < 0)
        return -1;
      untrusted[n++] = m->real_source;
    }
  /* The first pass's strings are replaced below: keep copies. */
  for (size_t k = 0; k < n; k++)
    untrusted[k] = xstrdup (untrusted[k]);
  int r = 0;
  for (size_t i = 0; i < b->n_mounts && r == 0; i++)
    if (b->mounts[i].kind == FMR_MOUNT_BIND)
      r = resolve_one (&b->mounts[i], i, untrusted, n, err);
  for (size_t k = 0; k < n; k++)
    free ((char *) untrusted[k]);
  return r;
}

int
rootfs_open_source (const struct fmr_mount *m, fmr_error_t *err)
{
  if (m->real_source == NULL)
    return fmr_error_set (err, EINVAL, "%s: not resolved before the sandbox was made", m->source);
  int fd = path_open_no_symlinks (m->real_source, err);
  if (fd < 0)
    return fmr_error_prefix (err, "%s: open its real path again", m->source);
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int saved = errno;
      close (fd);
      return fmr_error_set (err, saved, "%s: fstat", m->real_source);
    }
  if (st.st_dev != m->source_dev || st.st_ino != m->source_ino)
    {
      close (fd);
      return fmr_error_set (err, 0, "%s: `%s` was replaced between its resolution and the mount", m->source,
                            m->real_source);
    }
  return fd;
}
