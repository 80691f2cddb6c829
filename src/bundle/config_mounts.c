/* SPDX-License-Identifier: Apache-2.0 */
/* `mounts[]`: types, paths, and the options folded into flags. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "bundle/config_parse.h"
#include "bundle/names.h"
#include "common/util.h"

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
        return val
               && (all_digits (val, 10) || !strcmp (val, "off") || !strcmp (val, "noaccess")
                   || !strcmp (val, "invisible") || !strcmp (val, "ptraceable"));
      if (KEY ("subset"))
        return val && strcmp (val, "pid") == 0;
      return KEY ("gid") && valid_id (val);
    default: return false;
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

/* Appends options[idx] to the filesystem options joined with ',': one
 * string of the arena, sized for all the options left when the first one
 * comes. */
static void
append_data (struct pctx *pc, struct fmr_mount *m, size_t idx, size_t *data_len)
{
  const char *opt = m->options[idx];
  size_t n = strlen (opt);
  if (m->data == NULL)
    {
      size_t cap = 0;
      for (size_t j = idx; j < m->n_options; j++)
        cap += strlen (m->options[j]) + 1;
      m->data = json_alloc (pc->doc, cap);
    }
  else
    m->data[(*data_len)++] = ',';
  memcpy (m->data + *data_len, opt, n + 1);
  *data_len += n;
}

static int
cmp_option (const void *a, const void *b)
{
  const struct fmr_mount_option *const *x = a, *const *y = b;
  return strcmp ((*x)->name, (*y)->name);
}

/* fmr_mount_option_lookup by binary search: a config with thousands of
 * mounts looks up every option of each. */
static const struct fmr_mount_option *
option_lookup (const char *name)
{
  static const struct fmr_mount_option *sorted[64];
  static size_t n_sorted;
  static bool ready, linear;
  if (!ready)
    {
      for (const struct fmr_mount_option *o = fmr_mount_options; o->name && !linear; o++)
        if (n_sorted < ARRAY_SIZE (sorted))
          sorted[n_sorted++] = o;
        else
          linear = true;
      qsort (sorted, n_sorted, sizeof *sorted, cmp_option);
      ready = true;
    }
  if (linear)
    return fmr_mount_option_lookup (name);
  size_t lo = 0, hi = n_sorted;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (name, sorted[mid]->name);
      if (c == 0)
        return sorted[mid];
      if (c < 0)
        hi = mid;
      else
        lo = mid + 1;
    }
  return NULL;
}

/* The JSON path of options[i], formatted only when there is a problem. */
#define OPTION_PATH(buf) (snprintf ((buf), sizeof (buf), "%s.options[%zu]", mount_path, idx), (buf))

static void
fold_option (struct pctx *pc, struct fmr_mount *m, const char *mount_path, size_t idx, size_t *data_len, bool *bind_opt,
             bool *rro, bool *rrw)
{
  char path[PATH_BUF_SIZE + 32];
  const char *opt = m->options[idx];
  const struct fmr_mount_option *o = option_lookup (opt);
  if (o == NULL)
    {
      if (valid_data_option (m->kind, opt))
        append_data (pc, m, idx, data_len);
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
    case FMR_MOPT_RBIND:
      *bind_opt = true;
      m->recursive = true;
      break;
    case FMR_MOPT_RRO: *rro = true; break;
    case FMR_MOPT_RRW: *rrw = true; break;
    case FMR_MOPT_IDMAP:
      if (m->idmap)
        diag_error (pc->d, OPTION_PATH (path), "\"%s\": only one of \"idmap\" and \"ridmap\" is allowed", opt);
      m->idmap = true;
      m->idmap_recursive = (o->flag & MS_REC) != 0;
      break;
    }
}

static bool
mount_kind (struct pctx *pc, struct fmr_mount *m, bool bind_opt, const char *path)
{
  static const struct
  {
    const char *name;
    enum fmr_mount_kind kind;
  } types[] = {
    { "bind", FMR_MOUNT_BIND },     { "rbind", FMR_MOUNT_BIND },  { "none", FMR_MOUNT_BIND },
    { "tmpfs", FMR_MOUNT_TMPFS },   { "proc", FMR_MOUNT_PROC },   { "devpts", FMR_MOUNT_DEVPTS },
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

/* stat() results of bind sources by path: a config repeats a few sources
 * (/usr, /etc/hosts) over many mounts, and each stat is a system call.  An
 * open-addressing table kept at most half full; the sources past that are
 * not remembered, only checked. */
#define STAT_SLOTS 64

struct stat_cache
{
  struct
  {
    const char *path;
    int err; /* 0, or stat's errno */
  } slot[STAT_SLOTS];
  size_t used;
};

static int
stat_error (struct stat_cache *cache, const char *path)
{
  uint64_t h = 14695981039346656037u; /* FNV-1a */
  for (const char *p = path; *p; p++)
    h = (h ^ (unsigned char) *p) * 1099511628211u;
  size_t i = (size_t) (h % STAT_SLOTS);
  for (; cache->slot[i].path; i = (i + 1) % STAT_SLOTS)
    if (strcmp (cache->slot[i].path, path) == 0)
      return cache->slot[i].err;
  struct stat st;
  int err = stat (path, &st) < 0 ? errno : 0;
  if (cache->used < STAT_SLOTS / 2)
    {
      cache->slot[i].path = path;
      cache->slot[i].err = err;
      cache->used++;
    }
  return err;
}

static void
check_source (struct pctx *pc, struct fmr_mount *m, const char *path, struct stat_cache *cache)
{
  if (m->source == NULL || m->source[0] == '\0')
    {
      diag_error (pc->d, path, "a bind mount needs a \"source\"");
      return;
    }
  m->source = bundle_path (pc, m->source);
  int e = stat_error (cache, m->source);
  if (e)
    {
      cleanup_free char *ps = path_join (path, "source");
      diag_error (pc->d, ps, "%s: %s", m->source, strerror (e));
    }
}

/* OCI 1.1: uidMappings and gidMappings come together, and with "idmap" or
 * "ridmap" among the options (so that an older runtime refuses the mount
 * instead of ignoring the mapping); only binds can be idmapped here. */
static void
check_idmap_fields (struct pctx *pc, const struct json_node *n, const struct fmr_mount *m, const char *path)
{
  bool has_uid = get_member (pc, n, "uidMappings", JSON_ARRAY, path, false) != NULL;
  bool has_gid = get_member (pc, n, "gidMappings", JSON_ARRAY, path, false) != NULL;
  if (has_uid != has_gid)
    {
      cleanup_free char *p = path_join (path, has_uid ? "gidMappings" : "uidMappings");
      diag_error (pc->d, p, "missing: uidMappings and gidMappings go together");
    }
  if ((has_uid && m->n_uid_mappings == 0) || (has_gid && m->n_gid_mappings == 0))
    {
      cleanup_free char *p = path_join (path, has_uid && m->n_uid_mappings == 0 ? "uidMappings" : "gidMappings");
      diag_error (pc->d, p, "is empty: leave it out to use linux.uidMappings and linux.gidMappings");
    }
  if ((has_uid || has_gid) && !m->idmap)
    {
      cleanup_free char *p = path_join (path, "options");
      diag_error (pc->d, p, "uidMappings/gidMappings need the \"idmap\" or \"ridmap\" option");
    }
  if (m->idmap && m->kind != FMR_MOUNT_BIND)
    {
      cleanup_free char *p = path_join (path, "options");
      diag_error (pc->d, p, "\"idmap\"/\"ridmap\" are supported on bind mounts only");
    }
}

static bool
same_mappings (const struct fmr_id_mapping *a, size_t na, const struct fmr_id_mapping *b, size_t nb)
{
  if (na != nb)
    return false;
  for (size_t i = 0; i < na; i++)
    if (a[i].container_id != b[i].container_id || a[i].host_id != b[i].host_id || a[i].size != b[i].size)
      return false;
  return true;
}

/* An idmapped bind shows the source's ids through the sandbox's own user
 * namespace (the one `run` creates), which is all the default sandbox
 * needs: a mapping of its own would need a user namespace more. */
void
validate_mount_idmaps (const struct fmr_bundle *b, struct diag_list *d)
{
  const struct fmr_namespace *user = fmr_bundle_namespace (b, CLONE_NEWUSER);
  for (size_t i = 0; i < b->n_mounts; i++)
    {
      const struct fmr_mount *m = &b->mounts[i];
      if (!m->idmap)
        continue;
      char path[PATH_BUF_SIZE];
      path_index_buf (path, "mounts", i);
      if (user == NULL || user->path)
        {
          diag_error (d, path, "an idmapped mount needs a new user namespace in linux.namespaces");
          continue;
        }
      if (m->n_uid_mappings + m->n_gid_mappings == 0)
        continue; /* the sandbox's own mapping */
      if (!same_mappings (m->uid_mappings, m->n_uid_mappings, b->uid_mappings, b->n_uid_mappings))
        {
          cleanup_free char *p = path_join (path, "uidMappings");
          diag_error (d, p, "differs from linux.uidMappings: only the sandbox's own mapping is supported");
        }
      if (!same_mappings (m->gid_mappings, m->n_gid_mappings, b->gid_mappings, b->n_gid_mappings))
        {
          cleanup_free char *p = path_join (path, "gidMappings");
          diag_error (d, p, "differs from linux.gidMappings: only the sandbox's own mapping is supported");
        }
    }
}

static void
parse_mount (struct pctx *pc, const struct json_node *n, const char *path, struct fmr_mount *m,
             struct stat_cache *cache)
{
  static const char *const known[] = { "destination", "type", "source", "options", "uidMappings", "gidMappings", NULL };
  check_members (pc, n, path, known, NULL);
  m->destination = get_string (pc, n, "destination", path, true);
  m->type = get_string (pc, n, "type", path, false);
  m->source = get_string (pc, n, "source", path, false);
  m->options = get_string_array (pc, n, "options", path, false, &m->n_options);
  parse_id_mappings (pc, n, path, "uidMappings", &m->uid_mappings, &m->n_uid_mappings);
  parse_id_mappings (pc, n, path, "gidMappings", &m->gid_mappings, &m->n_gid_mappings);
  if (m->destination && (m->destination[0] != '/' || has_dotdot (m->destination)))
    {
      cleanup_free char *pd = path_join (path, "destination");
      if (check_absolute (pc, pd, m->destination))
        diag_error (pc->d, pd, "\"%s\" has a \"..\" component", m->destination);
    }
  bool bind_opt = false, rro = false, rrw = false;
  for (size_t i = 0; i < m->n_options; i++)
    {
      const char *o = m->options[i];
      if ((o[0] == 'b' && strcmp (o, "bind") == 0) || (o[0] == 'r' && strcmp (o, "rbind") == 0))
        bind_opt = true;
    }
  if (!mount_kind (pc, m, bind_opt, path))
    return;
  size_t data_len = 0;
  for (size_t i = 0; i < m->n_options; i++)
    fold_option (pc, m, path, i, &data_len, &bind_opt, &rro, &rrw);
  if (rro && rrw)
    diag_error (pc->d, path, "options: \"rro\" contradicts \"rrw\"");
  if (rro && (m->clear_flags & MS_RDONLY))
    diag_error (pc->d, path, "options: \"rro\" contradicts \"rw\"");
  if (rro)
    m->flags |= MS_RDONLY;
  /* DESIGN.md: a read-only bind is read-only for every submount too. */
  m->recursive_ro = rro || (m->kind == FMR_MOUNT_BIND && (m->flags & MS_RDONLY));
  if (m->kind == FMR_MOUNT_BIND)
    check_source (pc, m, path, cache);
  check_idmap_fields (pc, n, m, path);
}

void
parse_mounts (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b)
{
  if (n == NULL || !json_want (pc, n, JSON_ARRAY, "mounts"))
    return;
  b->mounts = json_alloc_array (pc->doc, (size_t) n->len + 1, sizeof *b->mounts);
  struct stat_cache cache = { .used = 0 };
  for (size_t i = 0; i < n->len; i++)
    {
      char path[PATH_BUF_SIZE];
      path_index_buf (path, "mounts", i);
      if (!json_want (pc, &n->items[i], JSON_OBJECT, path))
        continue;
      parse_mount (pc, &n->items[i], path, &b->mounts[b->n_mounts++], &cache);
    }
}
