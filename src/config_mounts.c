/* SPDX-License-Identifier: Apache-2.0 */
/* `mounts[]`: types, paths, and the options folded into flags. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "config_parse.h"
#include "names.h"
#include "util.h"

static bool
has_dotdot (const char *p)
{
  for (const char *s = p; (s = strstr (s, "..")) != NULL; s += 2)
    if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
      return true;
  return false;
}

static bool
all_digits (const char *s, int base)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (base == 8 ? (*s < '0' || *s > '7') : !isdigit ((unsigned char) *s))
      return false;
  return true;
}

/* uid=, gid=: a decimal id that fits in 32 bits. */
static bool
valid_id (const char *s)
{
  return s && all_digits (s, 10) && strlen (s) <= 10 && strtoull (s, NULL, 10) <= UINT32_MAX;
}

/* size=: a number with an optional k/m/g or % suffix. */
static bool
valid_size (const char *s)
{
  size_t n = strspn (s, "0123456789");
  return n > 0 && (s[n] == '\0' || (strchr ("kKmMgG%", s[n]) && s[n + 1] == '\0'));
}

/* Filesystem data options for each mount type; NULL means none allowed. */
static bool
valid_data_option (enum fmr_mount_kind kind, const char *opt)
{
  const char *eq = strchr (opt, '=');
  size_t klen = eq ? (size_t) (eq - opt) : strlen (opt);
  const char *val = eq ? eq + 1 : NULL;
#define KEY(k) (klen == strlen (k) && strncmp (opt, k, klen) == 0)
  switch (kind)
    {
    case FMR_MOUNT_TMPFS:
      if (KEY ("mode"))
        return val && all_digits (val, 8) && strtoul (val, NULL, 8) <= 07777;
      if (KEY ("size") || KEY ("nr_inodes") || KEY ("nr_blocks"))
        return val && valid_size (val);
      if (KEY ("uid") || KEY ("gid"))
        return valid_id (val);
      return KEY ("huge") && val != NULL;
    case FMR_MOUNT_DEVPTS:
      if (KEY ("newinstance"))
        return val == NULL;
      if (KEY ("ptmxmode") || KEY ("mode"))
        return val && all_digits (val, 8) && strtoul (val, NULL, 8) <= 07777;
      if (KEY ("gid") || KEY ("uid"))
        return valid_id (val);
      return KEY ("max") && val && all_digits (val, 10);
    case FMR_MOUNT_PROC:
      if (KEY ("hidepid"))
        return val && (all_digits (val, 10) || !strcmp (val, "off") || !strcmp (val, "noaccess")
                       || !strcmp (val, "invisible") || !strcmp (val, "ptraceable"));
      if (KEY ("subset"))
        return val && strcmp (val, "pid") == 0;
      return KEY ("gid") && valid_id (val);
    default:
      return false;
    }
#undef KEY
}

static const char *
opposite_name (const struct fmr_mount_option *o)
{
  for (const struct fmr_mount_option *x = fmr_mount_options; x->name; x++)
    if (x->flag == o->flag && x != o
        && ((o->kind == FMR_MOPT_SET && x->kind == FMR_MOPT_CLEAR)
            || (o->kind == FMR_MOPT_CLEAR && x->kind == FMR_MOPT_SET)))
      return x->name;
  return "?";
}

static void
append_data (struct fmr_mount *m, const char *opt)
{
  char *joined = m->data ? xasprintf ("%s,%s", m->data, opt) : xstrdup (opt);
  free (m->data);
  m->data = joined;
}

/* The JSON path of options[i], formatted only when there is a problem. */
#define OPTION_PATH(buf) (snprintf ((buf), sizeof (buf), "%s.options[%zu]", mount_path, idx), (buf))

static void
fold_option (struct pctx *pc, struct fmr_mount *m, const char *opt, const char *mount_path, size_t idx,
             bool *bind_opt, bool *rro, bool *rrw)
{
  char path[128];
  const struct fmr_mount_option *o = fmr_mount_option_lookup (opt);
  if (o == NULL)
    {
      if (valid_data_option (m->kind, opt))
        append_data (m, opt);
      else
        diag_error (pc->d, OPTION_PATH (path), "unknown or invalid option \"%s\" for a %s mount", opt,
                    m->type ? m->type : "bind");
      return;
    }
  switch (o->kind)
    {
    case FMR_MOPT_SET:
    case FMR_MOPT_CLEAR:
      {
        unsigned long *mine = o->kind == FMR_MOPT_SET ? &m->flags : &m->clear_flags;
        unsigned long *other = o->kind == FMR_MOPT_SET ? &m->clear_flags : &m->flags;
        if (*other & o->flag)
          diag_error (pc->d, OPTION_PATH (path), "\"%s\" contradicts \"%s\"", opt, opposite_name (o));
        *mine |= o->flag;
        break;
      }
    case FMR_MOPT_PROPAGATION:
      if (m->propagation)
        diag_error (pc->d, OPTION_PATH (path), "\"%s\": only one propagation option is allowed", opt);
      m->propagation = o->flag;
      break;
    case FMR_MOPT_BIND: *bind_opt = true; break;
    case FMR_MOPT_RBIND: *bind_opt = true; m->recursive = true; break;
    case FMR_MOPT_RRO: *rro = true; break;
    case FMR_MOPT_RRW: *rrw = true; break;
    }
}

static bool
mount_kind (struct pctx *pc, struct fmr_mount *m, bool bind_opt, const char *path)
{
  static const struct { const char *name; enum fmr_mount_kind kind; } types[] = {
    { "bind", FMR_MOUNT_BIND }, { "rbind", FMR_MOUNT_BIND }, { "none", FMR_MOUNT_BIND },
    { "tmpfs", FMR_MOUNT_TMPFS }, { "proc", FMR_MOUNT_PROC }, { "devpts", FMR_MOUNT_DEVPTS },
    { "mqueue", FMR_MOUNT_MQUEUE }, { "sysfs", FMR_MOUNT_SYSFS },
  };
  if (m->type == NULL || (bind_opt && strcmp (m->type, "none") == 0))
    {
      if (!bind_opt)
        diag_error (pc->d, path, "missing \"type\" (or a \"bind\"/\"rbind\" option)");
      m->kind = FMR_MOUNT_BIND;
      return bind_opt;
    }
  for (size_t i = 0; i < ARRAY_SIZE (types); i++)
    if (strcmp (m->type, types[i].name) == 0)
      {
        m->kind = types[i].kind;
        if (bind_opt && m->kind != FMR_MOUNT_BIND)
          diag_error (pc->d, path, "a \"bind\" option on a mount of type \"%s\"", m->type);
        if (strcmp (m->type, "rbind") == 0)
          m->recursive = true;
        return true;
      }
  cleanup_free char *pt = path_join (path, "type");
  diag_error (pc->d, pt, "\"%s\" is not supported (bind, tmpfs, proc, devpts, mqueue, sysfs)", m->type);
  return false;
}

static void
check_source (struct pctx *pc, struct fmr_mount *m, const char *path)
{
  if (m->source == NULL || m->source[0] == '\0')
    {
      diag_error (pc->d, path, "a bind mount needs a \"source\"");
      return;
    }
  if (m->source[0] != '/')
    {
      char *abs = bundle_path (pc->bundle_dir, m->source);
      free (m->source);
      m->source = abs;
    }
  struct stat st;
  if (stat (m->source, &st) < 0)
    {
      int e = errno;
      cleanup_free char *ps = path_join (path, "source");
      diag_error (pc->d, ps, "%s: %s", m->source, strerror (e));
    }
}

static void
parse_mount (struct pctx *pc, const struct json_node *n, const char *path, struct fmr_mount *m)
{
  static const char *const known[] = { "destination", "type", "source", "options", NULL };
  static const char *const unsupported[] = { "uidMappings", "gidMappings", NULL };
  check_members (pc, n, path, known, unsupported);
  m->destination = get_string (pc, n, "destination", path, true);
  m->type = get_string (pc, n, "type", path, false);
  m->source = get_string (pc, n, "source", path, false);
  m->options = get_string_array (pc, n, "options", path, false, &m->n_options);
  if (m->destination && (m->destination[0] != '/' || has_dotdot (m->destination)))
    {
      cleanup_free char *pd = path_join (path, "destination");
      if (check_absolute (pc, pd, m->destination))
        diag_error (pc->d, pd, "\"%s\" has a \"..\" component", m->destination);
    }
  bool bind_opt = false, rro = false, rrw = false;
  for (size_t i = 0; i < m->n_options; i++)
    if (strcmp (m->options[i], "bind") == 0 || strcmp (m->options[i], "rbind") == 0)
      bind_opt = true;
  if (!mount_kind (pc, m, bind_opt, path))
    return;
  for (size_t i = 0; i < m->n_options; i++)
    fold_option (pc, m, m->options[i], path, i, &bind_opt, &rro, &rrw);
  if (rro && rrw)
    diag_error (pc->d, path, "options: \"rro\" contradicts \"rrw\"");
  if (rro && (m->clear_flags & MS_RDONLY))
    diag_error (pc->d, path, "options: \"rro\" contradicts \"rw\"");
  if (rro)
    m->flags |= MS_RDONLY;
  /* DESIGN.md: a read-only bind is read-only for every submount too. */
  m->recursive_ro = rro || (m->kind == FMR_MOUNT_BIND && (m->flags & MS_RDONLY));
  if (m->kind == FMR_MOUNT_BIND)
    check_source (pc, m, path);
}

void
parse_mounts (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b)
{
  if (n == NULL || !json_want (pc, n, JSON_ARRAY, "mounts"))
    return;
  b->mounts = xcalloc (n->len + 1, sizeof *b->mounts);
  for (size_t i = 0; i < n->len; i++)
    {
      char path[32];
      snprintf (path, sizeof path, "mounts[%zu]", i);
      if (!json_want (pc, n->items[i], JSON_OBJECT, path))
        continue;
      parse_mount (pc, n->items[i], path, &b->mounts[b->n_mounts++]);
    }
}
