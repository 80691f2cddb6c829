/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

#include "names.h"
#include "seccomp_filter.h"
#include "util.h"

static uint32_t
action_of (enum fmr_seccomp_action a, bool has_errno, unsigned errno_ret)
{
  switch (a)
    {
    case FMR_SCMP_KILL_THREAD: return SCMP_ACT_KILL_THREAD;
    case FMR_SCMP_KILL_PROCESS: return SCMP_ACT_KILL_PROCESS;
    case FMR_SCMP_TRAP: return SCMP_ACT_TRAP;
    case FMR_SCMP_ERRNO: return SCMP_ACT_ERRNO (has_errno ? errno_ret : EPERM);
    case FMR_SCMP_TRACE: return SCMP_ACT_TRACE (has_errno ? errno_ret : EPERM);
    case FMR_SCMP_LOG: return SCMP_ACT_LOG;
    case FMR_SCMP_ALLOW: return SCMP_ACT_ALLOW;
    }
  return SCMP_ACT_KILL_PROCESS;
}

/* Resolved once by the validator: libseccomp's number, a pseudo-syscall
 * for names only another architecture has, or the unified number of a
 * syscall newer than libseccomp. */
static int
syscall_number (const struct fmr_seccomp_rule *r, size_t i)
{
  return r->syscall_nrs ? r->syscall_nrs[i] : seccomp_syscall_resolve_name (r->names[i]);
}

/* OCI ANDs all args of a rule; libseccomp refuses two comparisons of the
 * same argument in one rule, so a rule that has them is split in one rule
 * per comparison of the repeated argument, as crun does. */
static int
add_rule (scmp_filter_ctx ctx, uint32_t action, int nr, const struct fmr_seccomp_rule *r)
{
  struct scmp_arg_cmp cmp[6];
  unsigned n = 0;
  bool seen[6] = { false };
  bool repeated = false;
  for (size_t a = 0; a < r->n_args && n < 6; a++)
    {
      if (seen[r->args[a].index])
        repeated = true;
      seen[r->args[a].index] = true;
      cmp[n++] = (struct scmp_arg_cmp){ r->args[a].index, r->args[a].op, r->args[a].value, r->args[a].value_two };
    }
  if (!repeated)
    return seccomp_rule_add_array (ctx, action, nr, n, cmp);
  for (unsigned a = 0; a < n; a++)
    {
      int rc = seccomp_rule_add_array (ctx, action, nr, 1, &cmp[a]);
      if (rc < 0)
        return rc;
    }
  return 0;
}

static int
add_rules (scmp_filter_ctx ctx, const struct fmr_seccomp *s, uint32_t default_action, fmr_error_t *err)
{
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct fmr_seccomp_rule *r = &s->rules[i];
      uint32_t action = action_of (r->action, r->has_errno_ret, r->errno_ret);
      if (action == default_action)
        continue; /* libseccomp refuses a rule equal to the default */
      for (size_t k = 0; k < r->n_names; k++)
        {
          int nr = syscall_number (r, k);
          if (nr == __NR_SCMP_ERROR)
            continue; /* not a syscall of this architecture */
          int rc = add_rule (ctx, action, nr, r);
          if (rc < 0)
            return fmr_error_set (err, -rc, "linux.seccomp.syscalls[%zu].names[%zu]: add rule for `%s`", i, k,
                                  r->names[k]);
        }
    }
  return 0;
}

static int
add_arches_and_flags (scmp_filter_ctx ctx, const struct fmr_seccomp *s, fmr_error_t *err)
{
  for (size_t i = 0; i < s->n_arches; i++)
    {
      int rc = seccomp_arch_add (ctx, s->arches[i]);
      if (rc < 0 && rc != -EEXIST)
        return fmr_error_set (err, -rc, "linux.seccomp.architectures[%zu]: seccomp_arch_add", i);
    }
  /* no_new_privs is process.noNewPrivileges's business, not libseccomp's. */
  seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0);
  for (size_t i = 0; i < s->n_flags; i++)
    {
      int rc = 0;
      if (strcmp (s->flags[i], "SECCOMP_FILTER_FLAG_LOG") == 0)
        rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_LOG, 1);
      else if (strcmp (s->flags[i], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
        rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_SSB, 1);
      else if (strcmp (s->flags[i], "SECCOMP_FILTER_FLAG_TSYNC") == 0)
        rc = seccomp_attr_set (ctx, SCMP_FLTATR_CTL_TSYNC, 1);
      if (rc < 0)
        return fmr_error_set (err, -rc, "linux.seccomp.flags[%zu]: %s", i, s->flags[i]);
    }
  return 0;
}

int
seccomp_apply (const struct fmr_seccomp *s, fmr_error_t *err)
{
  if (s == NULL)
    return 0;
  uint32_t def = action_of (s->default_action, s->has_default_errno_ret, s->default_errno_ret);
  scmp_filter_ctx ctx = seccomp_init (def);
  if (ctx == NULL)
    return fmr_error_set (err, EINVAL, "linux.seccomp.defaultAction: seccomp_init");
  int r = add_arches_and_flags (ctx, s, err);
  if (r == 0)
    r = add_rules (ctx, s, def, err);
  if (r == 0)
    {
      int rc = seccomp_load (ctx);
      if (rc < 0)
        r = fmr_error_set (err, -rc, "linux.seccomp: seccomp_load");
    }
  seccomp_release (ctx);
  return r;
}
