/* SPDX-License-Identifier: Apache-2.0 */
/* `linux.seccomp`, with every name resolved now so that `run` cannot meet
 * an unknown one after the sandbox is half built. */
#include "config.h"

#include <seccomp.h>
#include <stdio.h>
#include <string.h>

#include "bundle/config_parse.h"
#include "bundle/names.h"
#include "common/util.h"

/* name, the member key of the object at path. */
static bool
parse_action (struct pctx *pc, const char *name, const char *path, const char *key, enum fmr_seccomp_action *out)
{
  long a = fmr_name_lookup (fmr_seccomp_action_names, name);
  if (a < 0)
    {
      cleanup_free char *p = path_join (path, key);
      diag_error (pc->d, p, "unknown or unsupported seccomp action \"%s\"", name);
      return false;
    }
  *out = (enum fmr_seccomp_action) a;
  return true;
}

static void
parse_arg (struct pctx *pc, const struct json_node *n, const char *path, struct fmr_seccomp_arg *arg, bool *ok)
{
  static const char *const known[] = { "index", "value", "valueTwo", "op", NULL };
  if (!json_want (pc, n, JSON_OBJECT, path))
    {
      *ok = false;
      return;
    }
  check_members (pc, n, path, known, NULL);
  int64_t idx;
  *ok &= get_int (pc, n, "index", path, 0, FMR_SECCOMP_MAX_ARGS - 1, true, &idx);
  arg->index = (unsigned) idx;
  const struct json_node *v = get_member (pc, n, "value", JSON_NUMBER, path, true);
  *ok &= v && member_to_u64 (pc, v, path, "value", &arg->value);
  const struct json_node *v2 = get_member (pc, n, "valueTwo", JSON_NUMBER, path, false);
  if (v2)
    *ok &= member_to_u64 (pc, v2, path, "valueTwo", &arg->value_two);
  const char *op = get_string (pc, n, "op", path, true);
  long o = op ? fmr_name_lookup (fmr_seccomp_op_names, op) : -1;
  if (op && o < 0)
    {
      cleanup_free char *po = path_join (path, "op");
      diag_error (pc->d, po, "unknown seccomp operator \"%s\"", op);
    }
  *ok &= o >= 0;
  arg->op = (int) o;
}

/* "462" rather than "mseal": OCI names syscalls by name, and a bare number
 * would mean a different call on each architecture of the filter. */
static bool
is_number (const char *name)
{
  return name[0] && strspn (name, "0123456789") == strlen (name);
}

static void
resolve_names (struct pctx *pc, struct fmr_seccomp_rule *r, const char *path)
{
  r->syscall_nrs = json_alloc_array (pc->doc, r->n_names + 1, sizeof (int));
  r->newer = json_alloc_array (pc->doc, r->n_names + 1, sizeof (bool));
  for (size_t k = 0; k < r->n_names; k++)
    {
      /* Negative numbers other than __NR_SCMP_ERROR are libseccomp's
       * pseudo-syscalls: names it knows that the native architecture lacks
       * (umount, stime on x86_64) but another listed one may have. */
      int nr = seccomp_syscall_resolve_name (r->names[k]);
      if (nr == __NR_SCMP_ERROR)
        {
          nr = fmr_syscall_unified_nr (r->names[k]);
          r->newer[k] = nr != __NR_SCMP_ERROR;
        }
      r->syscall_nrs[k] = nr;
      if (nr != __NR_SCMP_ERROR)
        continue;
      /* The field's name only for a message: a profile names hundreds. */
      cleanup_free char *pn = xasprintf ("%s.names[%zu]", path, k);
      if (is_number (r->names[k]))
        diag_error (pc->d, pn,
                    "\"%s\" is a number: name the syscall (\"mseal\", not \"462\"), as OCI does; a "
                    "number differs between the architectures of the filter",
                    r->names[k]);
      else
        diag_error (pc->d, pn, "unknown syscall \"%s\"", r->names[k]);
    }
}

/* libseccomp takes at most six comparisons per rule (one per argument, or
 * one rule per comparison when an argument repeats), and cannot compare the
 * arguments of a syscall it does not know. */
static void
check_args (struct pctx *pc, const struct fmr_seccomp_rule *r, const char *path, size_t n_json_args)
{
  cleanup_free char *pa = path_join (path, "args");
  if (n_json_args > FMR_SECCOMP_MAX_ARGS)
    diag_error (pc->d, pa, "%zu comparisons; a rule takes at most %d", n_json_args, FMR_SECCOMP_MAX_ARGS);
  if (n_json_args == 0)
    return;
  for (size_t k = 0; k < r->n_names; k++)
    if (r->newer[k])
      {
        const struct scmp_version *v = seccomp_version ();
        diag_error (pc->d, pa, "\"%s\" is newer than libseccomp %u.%u.%u, which can filter it only without args",
                    r->names[k], v->major, v->minor, v->micro);
      }
}

static void
parse_rule (struct pctx *pc, const struct json_node *n, const char *path, struct fmr_seccomp_rule *r)
{
  static const char *const known[] = { "names", "action", "errnoRet", "args", NULL };
  check_members (pc, n, path, known, NULL);
  r->names = get_string_array (pc, n, "names", path, true, &r->n_names);
  if (r->names && r->n_names == 0)
    {
      cleanup_free char *pn = path_join (path, "names");
      diag_error (pc->d, pn, "must name at least one syscall");
    }
  resolve_names (pc, r, path);
  const char *action = get_string (pc, n, "action", path, true);
  bool ok = action && parse_action (pc, action, path, "action", &r->action);
  int64_t e;
  if (get_int (pc, n, "errnoRet", path, 0, 4095, false, &e))
    {
      r->has_errno_ret = true;
      r->errno_ret = (unsigned) e;
      if (ok && r->action != FMR_SCMP_ERRNO && r->action != FMR_SCMP_TRACE)
        diag_error (pc->d, path, "errnoRet needs the action SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    }
  const struct json_node *args = get_member (pc, n, "args", JSON_ARRAY, path, false);
  if (args == NULL)
    return;
  r->args = json_alloc_array (pc->doc, (size_t) args->len + 1, sizeof *r->args);
  char args_path[PATH_BUF_SIZE + 8];
  snprintf (args_path, sizeof args_path, "%s.args", path);
  for (size_t i = 0; i < args->len; i++)
    {
      char pi[PATH_BUF_SIZE];
      bool arg_ok = true;
      parse_arg (pc, &args->items[i], path_index_buf (pi, args_path, i), &r->args[r->n_args], &arg_ok);
      if (arg_ok)
        r->n_args++;
    }
  check_args (pc, r, path, args->len);
}

static void
parse_arches_and_flags (struct pctx *pc, const struct json_node *n, struct fmr_seccomp *s)
{
  size_t na;
  char **arches = get_string_array (pc, n, "architectures", "linux.seccomp", false, &na);
  s->arches = json_alloc_array (pc->doc, na + 1, sizeof *s->arches);
  for (size_t i = 0; i < na; i++)
    {
      long a = fmr_name_lookup (fmr_seccomp_arch_names, arches[i]);
      if (a < 0)
        {
          cleanup_free char *p = xasprintf ("linux.seccomp.architectures[%zu]", i);
          diag_error (pc->d, p, "unknown architecture \"%s\"", arches[i]);
          continue;
        }
      s->arches[s->n_arches++] = (uint32_t) a;
    }
  s->flags = get_string_array (pc, n, "flags", "linux.seccomp", false, &s->n_flags);
  for (size_t i = 0; i < s->n_flags; i++)
    if (fmr_name_lookup (fmr_seccomp_flag_names, s->flags[i]) < 0)
      {
        cleanup_free char *p = xasprintf ("linux.seccomp.flags[%zu]", i);
        diag_error (pc->d, p, "unknown or unsupported seccomp flag \"%s\"", s->flags[i]);
      }
}

void
parse_seccomp (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b)
{
  static const char *const known[] = { "defaultAction", "defaultErrnoRet", "architectures", "flags", "syscalls", NULL };
  static const char *const unsupported[] = { "listenerPath", "listenerMetadata", NULL };
  check_members (pc, n, "linux.seccomp", known, unsupported);
  struct fmr_seccomp *s = b->seccomp = json_alloc (pc->doc, sizeof *s);
  const char *def = get_string (pc, n, "defaultAction", "linux.seccomp", true);
  bool def_ok = def && parse_action (pc, def, "linux.seccomp", "defaultAction", &s->default_action);
  int64_t e;
  if (get_int (pc, n, "defaultErrnoRet", "linux.seccomp", 0, 4095, false, &e))
    {
      s->has_default_errno_ret = true;
      s->default_errno_ret = (unsigned) e;
      if (def_ok && s->default_action != FMR_SCMP_ERRNO && s->default_action != FMR_SCMP_TRACE)
        diag_error (pc->d, "linux.seccomp", "defaultErrnoRet needs the defaultAction SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    }
  parse_arches_and_flags (pc, n, s);
  const struct json_node *sys = get_member (pc, n, "syscalls", JSON_ARRAY, "linux.seccomp", false);
  if (sys == NULL)
    return;
  s->rules = json_alloc_array (pc->doc, (size_t) sys->len + 1, sizeof *s->rules);
  for (size_t i = 0; i < sys->len; i++)
    {
      char path[PATH_BUF_SIZE];
      path_index_buf (path, "linux.seccomp.syscalls", i);
      if (json_want (pc, &sys->items[i], JSON_OBJECT, path))
        parse_rule (pc, &sys->items[i], path, &s->rules[s->n_rules++]);
    }
}
