/* SPDX-License-Identifier: Apache-2.0 */
/* What `spec` refuses to write: a bundle a step could rewrite. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <unistd.h>

#include "spec/spec.h"
#include "common/util.h"

/* Append the components of MISSING (directories that do not exist yet,
 * so no link among them) to the canonical REAL, `..` taken lexically. */
static char *
join_missing (const char *real, const char *missing)
{
  size_t cap = strlen (real) + strlen (missing) + 2;
  char *out = xmalloc (cap);
  strcpy (out, strcmp (real, "/") == 0 ? "" : real);
  cleanup_free char *copy = xstrdup (missing);
  char *save = NULL;
  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0)
        continue;
      if (strcmp (c, "..") == 0)
        {
          char *slash = strrchr (out, '/');
          if (slash)
            *slash = '\0';
          continue;
        }
      strcat (out, "/");
      strcat (out, c);
    }
  if (out[0] == '\0')
    strcpy (out, "/");
  return out;
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
      if (realpath (head, real) != NULL)
        return join_missing (real, abs + strlen (head));
      char *slash = strrchr (head, '/');
      if (slash == NULL || slash == head)
        return join_missing ("/", abs);
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
    if (o->binds[i].writable && path_is_under (real, o->binds[i].path))
      return fmr_error_set (err, 0,
                            "bundle directory `%s` lies inside --rw %s: a step could rewrite its own bundle "
                            "(config.json, rootfs/) before the next run",
                            dir, o->binds[i].path);
  return 0;
}

static void
add_bind (struct spec_options *o, const char *path, bool writable)
{
  o->binds = xreallocarray (o->binds, o->n_binds + 1, sizeof *o->binds);
  o->binds[o->n_binds++] = (struct spec_bind){ xstrdup (path), writable };
}

/* The prefix of an interpreter at BINARY (".../bin/python3" -> "..."). */
static char *
prefix_of (const char *binary)
{
  cleanup_free char *dir = xstrdup (binary);
  char *slash = strrchr (dir, '/');
  if (slash)
    *slash = '\0';
  slash = strrchr (dir, '/');
  if (slash && strcmp (slash, "/bin") == 0)
    *slash = '\0';
  return xstrdup (dir[0] ? dir : "/");
}

/* The venv PATH belongs to (its bin/'s parent holds pyvenv.cfg) and the
 * base installation its binary resolves to, both read-only.  The base is
 * found by following the binary's links, never by reading pyvenv.cfg: the
 * venv is the host's (read-only in every step), its pyvenv.cfg text is
 * not needed. */
int
spec_add_python (struct spec_options *o, const char *path, fmr_error_t *err)
{
  if (path[0] != '/')
    return fmr_error_set (err, 0, "--python `%s`: not an absolute path", path);
  char real[PATH_MAX];
  if (realpath (path, real) == NULL)
    return fmr_error_set (err, errno, "--python `%s`", path);
  cleanup_free char *venv = prefix_of (path);
  cleanup_free char *cfg = xasprintf ("%s/pyvenv.cfg", venv);
  if (access (cfg, F_OK) == 0)
    {
      char rvenv[PATH_MAX];
      if (realpath (venv, rvenv) == NULL)
        return fmr_error_set (err, errno, "--python `%s`: %s", path, venv);
      add_bind (o, rvenv, false);
    }
  cleanup_free char *base = prefix_of (real);
  if (strcmp (base, "/") != 0)
    add_bind (o, base, false);
  return 0;
}

static unsigned
depth (const char *path)
{
  unsigned n = 0;
  for (; *path; path++)
    n += *path == '/';
  return n;
}

static const char *const kernel_trees[] = { "/proc", "/dev", "/sys", NULL };
static const char *const system_trees[] = { "/usr", "/etc", "/proc", "/dev", "/sys", "/boot", NULL };

/* Binds in mount order, each one changing something: parents before
 * children (a read-only venv inside a writable work directory stays
 * read-only), a path asked both ways read-only, duplicates dropped.  A
 * writable bind of a system tree, and any bind of the kernel's trees
 * (mounted fresh), is refused. */
int
spec_check_binds (struct spec_options *o, fmr_error_t *err)
{
  for (size_t i = 0; i < o->n_binds; i++)
    {
      const char *p = o->binds[i].path;
      for (size_t k = 0; kernel_trees[k]; k++)
        if (path_is_under (p, kernel_trees[k]))
          return fmr_error_set (err, 0, "%s %s: the sandbox mounts its own %s", o->binds[i].writable ? "--rw" : "--ro",
                                p, kernel_trees[k]);
      for (size_t k = 0; o->binds[i].writable && system_trees[k]; k++)
        if (path_is_under (p, system_trees[k]))
          return fmr_error_set (err, 0, "--rw %s: a system directory is never writable", p);
    }
  /* Read-only wins over writable for the same path. */
  for (size_t i = 0; i < o->n_binds; i++)
    for (size_t k = 0; k < o->n_binds; k++)
      if (k != i && strcmp (o->binds[i].path, o->binds[k].path) == 0 && !o->binds[k].writable)
        o->binds[i].writable = false;
  /* Insertion sort by depth: stable, so command-line order stays within
   * one depth. */
  for (size_t i = 1; i < o->n_binds; i++)
    {
      struct spec_bind b = o->binds[i];
      size_t k = i;
      for (; k > 0 && depth (o->binds[k - 1].path) > depth (b.path); k--)
        o->binds[k] = o->binds[k - 1];
      o->binds[k] = b;
    }
  size_t out = 0;
  for (size_t i = 0; i < o->n_binds; i++)
    {
      /* The nearest bind already kept that covers this one. */
      ssize_t cover = -1;
      for (size_t k = 0; k < out; k++)
        if (path_is_under (o->binds[i].path, o->binds[k].path)
            && (cover < 0 || strlen (o->binds[k].path) > strlen (o->binds[cover].path)))
          cover = (ssize_t) k;
      bool under_usr = path_is_under (o->binds[i].path, "/usr");
      bool same = cover >= 0 ? o->binds[cover].writable == o->binds[i].writable : (under_usr && !o->binds[i].writable);
      if (same)
        {
          free (o->binds[i].path);
          continue;
        }
      o->binds[out++] = o->binds[i];
    }
  o->n_binds = out;
  return 0;
}
