/* SPDX-License-Identifier: Apache-2.0 */
/* What `spec` refuses to write: a bundle a step could rewrite. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/spec.h"
#include "common/util.h"

static bool
under_dir (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  if (n == 1 && dir[0] == '/')
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* DIR may not exist yet: the real path of its nearest existing ancestor,
 * with the missing components appended. */
static char *
real_dir (const char *dir)
{
  cleanup_free char *abs = dir[0] == '/' ? xstrdup (dir) : NULL;
  if (abs == NULL)
    {
      char cwd[PATH_MAX];
      if (getcwd (cwd, sizeof cwd) == NULL)
        return NULL;
      abs = xasprintf ("%s/%s", cwd, dir);
    }
  cleanup_free char *head = xstrdup (abs);
  for (;;)
    {
      char real[PATH_MAX];
      const char *missing = abs + strlen (head);
      if (strstr (missing, "/..") != NULL)
        {
          errno = EINVAL; /* `..` after a missing directory: refused */
          return NULL;
        }
      if (realpath (head, real) != NULL)
        return xasprintf ("%s%s", strcmp (real, "/") == 0 ? "" : real, missing);
      char *slash = strrchr (head, '/');
      if (slash == NULL || slash == head)
        return xstrdup (abs);
      *slash = '\0';
    }
}

int
spec_check_bundle_dir (const struct spec_options *o, const char *dir, fmr_error_t *err)
{
  cleanup_free char *real = real_dir (dir);
  if (real == NULL)
    return fmr_error_set (err, errno, "bundle directory `%s`", dir);
  for (size_t i = 0; i < o->n_binds; i++)
    if (o->binds[i].writable && under_dir (real, o->binds[i].path))
      return fmr_error_set (err, 0,
                            "bundle directory `%s` lies inside --rw %s: a step could rewrite its own bundle "
                            "(config.json, rootfs/) before the next run",
                            dir, o->binds[i].path);
  return 0;
}
