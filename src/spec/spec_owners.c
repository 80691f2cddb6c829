/* SPDX-License-Identifier: Apache-2.0 */
/* A root caller's writable trees made its own before the step.  A source
 * tree unpacked by root keeps the owners its archive recorded (501, 1001,
 * ...): ids the sandbox does not map, so the payload, which has no
 * capability, may not create `build/` in a directory of uid 501 (outside
 * the sandbox root may, by CAP_DAC_OVERRIDE).  `spec` hands every entry of
 * each --rw tree that belongs to another uid or gid to the caller, as
 * `chown -R` would, and records it in the bundle (run.fmr.note.owners):
 *
 * - entries are reached through descriptors, one component at a time,
 *   without following a symlink (a link is chowned itself, never its
 *   target), and not across into another file system (a mount inside the
 *   tree is left alone);
 * - a regular file with hard links elsewhere (more links than the tree
 *   holds) is left as it is: its owner is also that of a file outside the
 *   tree;
 * - chown clears set-user-ID and set-group-ID bits, as `chown` does. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/spec.h"
#include "common/util.h"

/* Directory depth beyond which a tree is not walked (one descriptor each). */
#define OWNERS_MAX_DEPTH 512

struct owners_walk
{
  uid_t uid;
  gid_t gid;
  dev_t dev;
  bool count_only; /* first pass: count the hard links inside the tree */
  ino_t *linked;   /* inodes of multiply-linked files, one entry per link seen */
  size_t n_linked, cap_linked;
  size_t changed, kept_links, skipped_mounts;
  unsigned long foreign[8]; /* the first few foreign uids seen */
  size_t n_foreign;
  const char *top;
  fmr_error_t *err;
};

static int
cmp_ino (const void *a, const void *b)
{
  ino_t x = *(const ino_t *) a, y = *(const ino_t *) b;
  return x < y ? -1 : x > y;
}

static size_t
links_inside (const struct owners_walk *w, ino_t ino)
{
  if (w->n_linked == 0)
    return 0;
  const ino_t *hit = bsearch (&ino, w->linked, w->n_linked, sizeof *w->linked, cmp_ino);
  if (hit == NULL)
    return 0;
  const ino_t *lo = hit, *hi = hit;
  while (lo > w->linked && lo[-1] == ino)
    lo--;
  while (hi + 1 < w->linked + w->n_linked && hi[1] == ino)
    hi++;
  return (size_t) (hi - lo) + 1;
}

static void
note_foreign (struct owners_walk *w, unsigned long id)
{
  for (size_t i = 0; i < w->n_foreign; i++)
    if (w->foreign[i] == id)
      return;
  if (w->n_foreign < ARRAY_SIZE (w->foreign))
    w->foreign[w->n_foreign++] = id;
}

/* The entry NAME of DIR (st its lstat). */
static int
visit (struct owners_walk *w, int dir, const char *name, const struct stat *st)
{
  if (S_ISREG (st->st_mode) && st->st_nlink > 1)
    {
      if (w->count_only)
        {
          if (w->n_linked == w->cap_linked)
            {
              w->cap_linked = w->cap_linked ? 2 * w->cap_linked : 64;
              w->linked = xreallocarray (w->linked, w->cap_linked, sizeof *w->linked);
            }
          w->linked[w->n_linked++] = st->st_ino;
          return 0;
        }
      if (links_inside (w, st->st_ino) < st->st_nlink && (st->st_uid != w->uid || st->st_gid != w->gid))
        {
          w->kept_links++;
          return 0;
        }
    }
  if (w->count_only || (st->st_uid == w->uid && st->st_gid == w->gid))
    return 0;
  if (fchownat (dir, name, w->uid, w->gid, AT_SYMLINK_NOFOLLOW | (name[0] ? 0 : AT_EMPTY_PATH)) < 0)
    return fmr_error_set (w->err, errno, "--rw `%s`: chown an entry named `%s` to %u:%u", w->top, name[0] ? name : ".",
                          (unsigned) w->uid, (unsigned) w->gid);
  note_foreign (w, st->st_uid != w->uid ? (unsigned long) st->st_uid : (unsigned long) st->st_gid);
  w->changed++;
  return 0;
}

static int
walk_dir (struct owners_walk *w, int dir, int depth)
{
  if (depth > OWNERS_MAX_DEPTH)
    return fmr_error_set (w->err, ELOOP, "--rw `%s`: deeper than %d directories", w->top, OWNERS_MAX_DEPTH);
  int dup = openat (dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dup < 0 ? NULL : fdopendir (dup);
  if (d == NULL)
    {
      if (dup >= 0)
        close (dup);
      return fmr_error_set (w->err, errno, "--rw `%s`: read a directory", w->top);
    }
  int r = 0;
  for (struct dirent *e; r == 0 && (errno = 0, e = readdir (d)) != NULL;)
    {
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      struct stat st;
      if (fstatat (dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          r = fmr_error_set (w->err, errno, "--rw `%s`: stat an entry named `%s`", w->top, e->d_name);
          break;
        }
      if (st.st_dev != w->dev)
        {
          w->skipped_mounts += !w->count_only;
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub < 0)
            r = fmr_error_set (w->err, errno, "--rw `%s`: open a directory named `%s`", w->top, e->d_name);
          else
            {
              r = walk_dir (w, sub, depth + 1);
              close (sub);
            }
        }
      if (r == 0)
        r = visit (w, dir, e->d_name, &st);
    }
  closedir (d);
  return r;
}

/* Both passes over TOP; *NOTE (allocated) says what changed, or NULL. */
static int
normalise_tree (const char *top, uid_t uid, gid_t gid, char **note, fmr_error_t *err)
{
  cleanup_close int fd = open (top, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOTDIR)
    return 0; /* a file: nothing below it to reach */
  if (fd < 0)
    return fmr_error_set (err, errno, "--rw `%s`", top);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return fmr_error_set (err, errno, "--rw `%s`: fstat", top);
  struct owners_walk w = { .uid = uid, .gid = gid, .dev = st.st_dev, .count_only = true, .top = top, .err = err };
  int r = walk_dir (&w, fd, 0);
  if (r == 0)
    {
      if (w.n_linked)
        qsort (w.linked, w.n_linked, sizeof *w.linked, cmp_ino);
      w.count_only = false;
      r = walk_dir (&w, fd, 0);
    }
  if (r == 0)
    r = visit (&w, fd, "", &st);
  free (w.linked);
  if (r < 0 || (w.changed == 0 && w.kept_links == 0))
    return r;
  char ids[96] = "";
  for (size_t i = 0; i < w.n_foreign; i++)
    snprintf (ids + strlen (ids), sizeof ids - strlen (ids), "%s%lu", i ? ", " : "", w.foreign[i]);
  cleanup_free char *kept = w.kept_links
                                ? xasprintf ("; %zu files with hard links outside it left as they were", w.kept_links)
                                : xstrdup ("");
  *note = xasprintf ("%s: %zu entries of ids %s%s made the caller's (%u:%u)%s", top, w.changed, ids,
                     w.n_foreign == ARRAY_SIZE (w.foreign) ? ", ..." : "", (unsigned) uid, (unsigned) gid, kept);
  return 0;
}

int
spec_owners_normalise (struct spec_options *o, fmr_error_t *err)
{
  for (size_t i = 0; i < o->n_binds; i++)
    {
      if (!o->binds[i].writable)
        continue;
      char *note = NULL;
      if (normalise_tree (o->binds[i].path, o->uid, o->gid, &note, err) < 0)
        return -1;
      if (note == NULL)
        continue;
      if (o->owners_note)
        {
          char *joined = xasprintf ("%s; %s", o->owners_note, note);
          free (o->owners_note);
          free (note);
          note = joined;
        }
      o->owners_note = note;
    }
  return 0;
}
