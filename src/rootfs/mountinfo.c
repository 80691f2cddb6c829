/* SPDX-License-Identifier: Apache-2.0 */
/* Per-submount remount from /proc/self/mountinfo: only used where the kernel
 * has no mount_setattr (before 5.12); the fast path never parses it. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "rootfs/mountinfo.h"
#include "common/util.h"

/* Mountinfo may list thousands of mounts on a busy host. */
#define MOUNTINFO_MAX (64u << 20)

struct mount_entry
{
  char *point; /* decoded mount point */
  unsigned long flags;
};

unsigned long
mountinfo_parse_flags (const char *options)
{
  static const struct
  {
    const char *name;
    unsigned long flag;
  } known[] = {
    { "ro", MS_RDONLY },         { "nosuid", MS_NOSUID },           { "nodev", MS_NODEV },
    { "noexec", MS_NOEXEC },     { "noatime", MS_NOATIME },         { "nodiratime", MS_NODIRATIME },
    { "relatime", MS_RELATIME }, { "strictatime", MS_STRICTATIME },
  };
  unsigned long flags = 0;
  const char *p = options;
  while (*p)
    {
      size_t len = strcspn (p, ",");
      for (size_t i = 0; i < ARRAY_SIZE (known); i++)
        if (strlen (known[i].name) == len && strncmp (p, known[i].name, len) == 0)
          flags |= known[i].flag;
      p += len;
      p += *p == ',';
    }
  return flags;
}

/* Mount points escape space, tab, newline and backslash as \ooo. */
static char *
decode_octal_escapes (const char *s, size_t len)
{
  char *out = xmalloc (len + 1), *o = out;
  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 3 < len + 1 && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7'
          && s[i + 3] >= '0' && s[i + 3] <= '7')
        {
          *o++ = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
          i += 3;
        }
      else
        *o++ = s[i];
    }
  *o = '\0';
  return out;
}

/* Fields: id parent major:minor root mount-point options ... */
static bool
parse_line (char *line, struct mount_entry *e)
{
  char *field[6];
  char *p = line;
  for (int i = 0; i < 6; i++)
    {
      p += strspn (p, " ");
      if (*p == '\0')
        return false;
      field[i] = p;
      p += strcspn (p, " ");
      if (*p)
        *p++ = '\0';
    }
  e->point = decode_octal_escapes (field[4], strlen (field[4]));
  e->flags = mountinfo_parse_flags (field[5]);
  return true;
}

static bool
is_below (const char *point, const char *top)
{
  size_t n = strlen (top);
  if (strcmp (top, "/") == 0)
    return point[0] == '/' && point[1] != '\0';
  return strncmp (point, top, n) == 0 && point[n] == '/';
}

static int
remount_one (const char *point, unsigned long flags, fmr_error_t *err)
{
  if (mount ("none", point, NULL, MS_SILENT | MS_BIND | MS_REMOUNT | flags, NULL) < 0)
    return fmr_error_set (err, errno, "%s: remount", point);
  return 0;
}

static void
free_entries (struct mount_entry *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i].point);
  free (v);
}

int
mountinfo_remount_tree (const char *mount_path, unsigned long set, unsigned long clear, bool recursive,
                        fmr_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;
  if (read_file_limited ("/proc/self/mountinfo", MOUNTINFO_MAX, &text, &len, err) < 0)
    return -1;

  struct mount_entry *v = NULL;
  size_t n = 0;
  for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n"))
    {
      struct mount_entry e;
      if (!parse_line (line, &e))
        continue;
      if (strcmp (e.point, mount_path) != 0 && !(recursive && is_below (e.point, mount_path)))
        {
          free (e.point);
          continue;
        }
      /* A later line for the same mount point is the mount stacked on top,
       * the one a path reaches: it replaces the covered one. */
      size_t j;
      for (j = 0; j < n && strcmp (v[j].point, e.point) != 0; j++)
        ;
      if (j < n)
        {
          free (v[j].point);
          v[j] = e;
          continue;
        }
      v = xreallocarray (v, n + 1, sizeof *v);
      v[n++] = e;
    }

  int ret = 0;
  bool found_top = false;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      unsigned long flags = v[i].flags | set;
      if (strcmp (v[i].point, mount_path) == 0)
        {
          found_top = true;
          flags &= ~clear;
          if (set & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME))
            flags = (flags & ~(unsigned long) (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) | set;
        }
      ret = remount_one (v[i].point, flags, err);
    }
  free_entries (v, n);
  if (ret == 0 && !found_top)
    return fmr_error_set (err, ENOENT, "%s: not found in /proc/self/mountinfo", mount_path);
  return ret;
}
