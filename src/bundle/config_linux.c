/* SPDX-License-Identifier: Apache-2.0 */
/* The `linux` section but seccomp: namespaces, id maps, masked and
 * read-only paths. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bundle/config_parse.h"
#include "bundle/names.h"
#include "common/util.h"

static void
parse_namespace (struct pctx *pc, const struct json_node *n, const char *path, struct fmr_bundle *b)
{
  static const char *const known[] = { "type", "path", NULL };
  check_members (pc, n, path, known, NULL);
  char *type = get_string (pc, n, "type", path, true);
  char *nspath = get_string (pc, n, "path", path, false);
  if (nspath && nspath[0] != '/')
    {
      cleanup_free char *pp = path_join (path, "path");
      check_absolute (pc, pp, nspath);
      nspath = NULL;
    }
  if (type == NULL)
    return;
  long t = fmr_name_lookup (fmr_namespace_names, type);
  if (t < 0 || fmr_bundle_namespace (b, (int) t))
    {
      cleanup_free char *pt = path_join (path, "type");
      if (t < 0)
        diag_error (pc->d, pt, "unknown or unsupported namespace type \"%s\"", type);
      else
        diag_error (pc->d, pt, "duplicate namespace \"%s\"", type);
      return;
    }
  b->namespaces[b->n_namespaces++] = (struct fmr_namespace){ .type = (int) t, .path = nspath };
  if (nspath == NULL)
    b->clone_flags |= (int) t;
}

static void
parse_namespaces (struct pctx *pc, const struct json_node *l, struct fmr_bundle *b)
{
  const struct json_node *a = get_member (pc, l, "namespaces", JSON_ARRAY, "linux", false);
  if (a == NULL)
    return;
  b->namespaces = json_alloc_array (pc->doc, (size_t) a->len + 1, sizeof *b->namespaces);
  for (size_t i = 0; i < a->len; i++)
    {
      char path[PATH_BUF_SIZE];
      path_index_buf (path, "linux.namespaces", i);
      if (json_want (pc, &a->items[i], JSON_OBJECT, path))
        parse_namespace (pc, &a->items[i], path, b);
    }
}

void
parse_id_mappings (struct pctx *pc, const struct json_node *l, const char *parent, const char *key,
                   struct fmr_id_mapping **out, size_t *n_out)
{
  const struct json_node *a = get_member (pc, l, key, JSON_ARRAY, parent, false);
  if (a == NULL)
    return;
  char base[PATH_BUF_SIZE];
  snprintf (base, sizeof base, "%s.%s", parent, key);
  *out = json_alloc_array (pc->doc, (size_t) a->len + 1, sizeof **out);
  for (size_t i = 0; i < a->len; i++)
    {
      const struct json_node *m = &a->items[i];
      char path[PATH_BUF_SIZE];
      path_index_buf (path, base, i);
      if (!json_want (pc, m, JSON_OBJECT, path))
        continue;
      static const char *const known[] = { "containerID", "hostID", "size", NULL };
      check_members (pc, m, path, known, NULL);
      int64_t c, h, s;
      bool ok = get_int (pc, m, "containerID", path, 0, UINT32_MAX - 1, true, &c);
      ok &= get_int (pc, m, "hostID", path, 0, UINT32_MAX - 1, true, &h);
      ok &= get_int (pc, m, "size", path, 0, UINT32_MAX, true, &s);
      if (!ok)
        continue;
      if (s == 0)
        {
          cleanup_free char *ps = path_join (path, "size");
          diag_error (pc->d, ps, "is 0: a mapping must map at least one id");
          continue;
        }
      if (c + s - 1 > (int64_t) UINT32_MAX - 1 || h + s - 1 > (int64_t) UINT32_MAX - 1)
        {
          diag_error (pc->d, path, "the range goes past 4294967294");
          continue;
        }
      (*out)[(*n_out)++] = (struct fmr_id_mapping){ (uint32_t) c, (uint32_t) h, (uint32_t) s };
    }
}

static void
parse_paths (struct pctx *pc, const struct json_node *l, const char *key, char ***out, size_t *n)
{
  *out = get_string_array (pc, l, key, "linux", false, n);
  for (size_t i = 0; i < *n; i++)
    if ((*out)[i][0] != '/')
      {
        cleanup_free char *path = xasprintf ("linux.%s[%zu]", key, i);
        check_absolute (pc, path, (*out)[i]);
      }
}

void
parse_linux (struct pctx *pc, const struct json_node *l, struct fmr_bundle *b)
{
  static const char *const known[]
      = { "namespaces", "uidMappings", "gidMappings", "maskedPaths", "readonlyPaths", "seccomp", "sysctl", NULL };
  static const char *const unsupported[]
      = { "devices",    "cgroupsPath", "resources",    "rootfsPropagation", "timeOffsets", "intelRdt",
          "mountLabel", "personality", "memoryPolicy", "netDevices",        NULL };
  check_members (pc, l, "linux", known, unsupported);
  parse_namespaces (pc, l, b);
  parse_id_mappings (pc, l, "linux", "uidMappings", &b->uid_mappings, &b->n_uid_mappings);
  parse_id_mappings (pc, l, "linux", "gidMappings", &b->gid_mappings, &b->n_gid_mappings);
  parse_paths (pc, l, "maskedPaths", &b->masked_paths, &b->n_masked_paths);
  parse_paths (pc, l, "readonlyPaths", &b->readonly_paths, &b->n_readonly_paths);
  const struct json_node *s = get_member (pc, l, "seccomp", JSON_OBJECT, "linux", false);
  if (s)
    parse_seccomp (pc, s, b);
  const struct json_node *sc = get_member (pc, l, "sysctl", JSON_OBJECT, "linux", false);
  if (sc)
    parse_sysctl (pc, sc, b);
}
