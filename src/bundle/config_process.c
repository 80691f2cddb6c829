/* SPDX-License-Identifier: Apache-2.0 */
/* The `process` section. */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "bundle/config_parse.h"
#include "bundle/names.h"
#include "common/util.h"

static void
parse_env (struct pctx *pc, const struct json_node *n, struct fmr_process *p)
{
  p->env = get_string_array (pc, n, "env", "process", false, &p->n_env);
  if (p->env == NULL)
    p->env = json_alloc (pc->doc, sizeof (char *));
  for (size_t i = 0; i < p->n_env; i++)
    {
      const char *eq = strchr (p->env[i], '=');
      if (eq == NULL || eq == p->env[i])
        {
          cleanup_free char *path = path_index ("process.env", i);
          diag_error (pc->d, path, "\"%s\" is not of the form NAME=value", p->env[i]);
        }
    }
}

static void
parse_user (struct pctx *pc, const struct json_node *n, struct fmr_process *p)
{
  const struct json_node *u = get_member (pc, n, "user", JSON_OBJECT, "process", false);
  if (u == NULL)
    return;
  static const char *const known[] = { "uid", "gid", "umask", "additionalGids", NULL };
  static const char *const unsupported[] = { "username", NULL };
  check_members (pc, u, "process.user", known, unsupported);
  int64_t v;
  if (get_int (pc, u, "uid", "process.user", 0, UINT32_MAX - 1, true, &v))
    p->uid = (uid_t) v;
  if (get_int (pc, u, "gid", "process.user", 0, UINT32_MAX - 1, true, &v))
    p->gid = (gid_t) v;
  if (get_int (pc, u, "umask", "process.user", 0, 0777, false, &v))
    {
      p->has_umask = true;
      p->umask = (mode_t) v;
    }
  const struct json_node *g = get_member (pc, u, "additionalGids", JSON_ARRAY, "process.user", false);
  if (g == NULL)
    return;
  p->additional_gids = json_alloc_array (pc->doc, (size_t) g->len + 1, sizeof (gid_t));
  for (size_t i = 0; i < g->len; i++)
    {
      char path[PATH_BUF_SIZE];
      path_index_buf (path, "process.user.additionalGids", i);
      if (json_to_int (pc, &g->items[i], path, 0, UINT32_MAX - 1, &v))
        p->additional_gids[p->n_additional_gids++] = (gid_t) v;
    }
}

static void
parse_capabilities (struct pctx *pc, const struct json_node *n, struct fmr_process *p)
{
  const struct json_node *c = get_member (pc, n, "capabilities", JSON_OBJECT, "process", false);
  if (c == NULL)
    return;
  static const char *const sets[FMR_CAP_NSETS] = { "bounding", "effective", "inheritable", "permitted", "ambient" };
  static const char *const known[] = { "bounding", "effective", "inheritable", "permitted", "ambient", NULL };
  check_members (pc, c, "process.capabilities", known, NULL);
  p->has_capabilities = true;
  for (int s = 0; s < FMR_CAP_NSETS; s++)
    {
      size_t n_names;
      char **names = get_string_array (pc, c, sets[s], "process.capabilities", false, &n_names);
      for (size_t i = 0; i < n_names; i++)
        {
          int cap = fmr_cap_from_name (names[i]);
          if (cap < 0)
            {
              cleanup_free char *path = xasprintf ("process.capabilities.%s[%zu]", sets[s], i);
              diag_error (pc->d, path, "unknown capability \"%s\"", names[i]);
              continue;
            }
          p->caps[s] |= 1ull << cap;
        }
    }
}

static void
parse_rlimit (struct pctx *pc, const struct json_node *r, const char *path, struct fmr_process *p)
{
  static const char *const known[] = { "type", "soft", "hard", NULL };
  if (!json_want (pc, r, JSON_OBJECT, path))
    return;
  check_members (pc, r, path, known, NULL);
  char *type = get_string (pc, r, "type", path, true);
  uint64_t soft = 0, hard = 0;
  const struct json_node *s = get_member (pc, r, "soft", JSON_NUMBER, path, true);
  const struct json_node *h = get_member (pc, r, "hard", JSON_NUMBER, path, true);
  bool ok = s && h && member_to_u64 (pc, s, path, "soft", &soft) && member_to_u64 (pc, h, path, "hard", &hard);
  if (type == NULL || !ok)
    return;
  long res = fmr_name_lookup (fmr_rlimit_names, type);
  if (res < 0)
    {
      cleanup_free char *pt = path_join (path, "type");
      diag_error (pc->d, pt, "unknown rlimit type \"%s\"", type);
      return;
    }
  if (soft > hard)
    diag_error (pc->d, path, "soft limit %" PRIu64 " is above the hard limit %" PRIu64, soft, hard);
  for (size_t i = 0; i < p->n_rlimits; i++)
    if (p->rlimits[i].resource == res)
      {
        diag_error (pc->d, path, "duplicate rlimit \"%s\"", type);
        return;
      }
  struct fmr_rlimit *rl = &p->rlimits[p->n_rlimits++];
  rl->type = type;
  rl->resource = (int) res;
  rl->soft = soft;
  rl->hard = hard;
}

static void
parse_rlimits (struct pctx *pc, const struct json_node *n, struct fmr_process *p)
{
  const struct json_node *a = get_member (pc, n, "rlimits", JSON_ARRAY, "process", false);
  if (a == NULL)
    return;
  p->rlimits = json_alloc_array (pc->doc, (size_t) a->len + 1, sizeof *p->rlimits);
  for (size_t i = 0; i < a->len; i++)
    {
      char path[PATH_BUF_SIZE];
      parse_rlimit (pc, &a->items[i], path_index_buf (path, "process.rlimits", i), p);
    }
}

void
parse_process (struct pctx *pc, const struct json_node *n, struct fmr_process *p)
{
  static const char *const known[]
      = { "terminal", "args", "env", "cwd", "user", "capabilities", "rlimits", "noNewPrivileges", "oomScoreAdj", NULL };
  static const char *const unsupported[] = { "consoleSize", "commandLine", "apparmorProfile", "selinuxLabel",
                                             "scheduler",   "ioPriority",  "execCPUAffinity", NULL };
  check_members (pc, n, "process", known, unsupported);
  get_bool (pc, n, "terminal", "process", &p->terminal);
  p->args = get_string_array (pc, n, "args", "process", true, &p->n_args);
  if (p->args && p->n_args == 0 && json_get (n, "args")->len == 0)
    diag_error (pc->d, "process.args", "must hold at least one element");
  else if (p->args && p->args[0] && p->args[0][0] == '\0')
    diag_error (pc->d, "process.args[0]", "is empty");
  parse_env (pc, n, p);
  p->cwd = get_string (pc, n, "cwd", "process", true);
  if (p->cwd)
    check_absolute (pc, "process.cwd", p->cwd);
  parse_user (pc, n, p);
  parse_capabilities (pc, n, p);
  parse_rlimits (pc, n, p);
  get_bool (pc, n, "noNewPrivileges", "process", &p->no_new_privileges);
  int64_t v;
  if (get_int (pc, n, "oomScoreAdj", "process", -1000, 1000, false, &v))
    {
      p->has_oom_score_adj = true;
      p->oom_score_adj = (int) v;
    }
}
