/* SPDX-License-Identifier: Apache-2.0 */
/* The default profile's program precompiled at build time: taken for the
 * default profile exactly, and never for a profile that differs from it in
 * any one field; there libseccomp compiles, and the filter behaves as the
 * changed profile says. */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle/config_load.h"
#include "common/util.h"
#include "sandbox/seccomp_filter.h"

static struct diag_list d;
static struct fmr_bundle *b;

/* schemas/seccomp-default.json as linux.seccomp of a bundle, parsed and
 * validated as `run` does it. */
static void
load_default (void)
{
  const char *top = getenv ("FMR_TOP_SRCDIR");
  if (top == NULL)
    cr_skip_test ("FMR_TOP_SRCDIR is not set (make check sets it)");
  cleanup_free char *path = xasprintf ("%s/schemas/seccomp-default.json", top);
  FILE *f = fopen (path, "re");
  cr_assert_not_null (f, "%s: %s", path, strerror (errno));
  static char profile[1 << 20];
  size_t n = fread (profile, 1, sizeof profile - 1, f);
  fclose (f);
  profile[n] = '\0';
  cleanup_free char *text = xasprintf ("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"/\"},"
                                       " \"process\": {\"args\": [\"/x\"], \"cwd\": \"/\"},"
                                       " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}], \"seccomp\": %s}}",
                                       profile);
  diag_init (&d, "config.json");
  b = xzalloc (sizeof *b);
  cr_assert_geq (config_parse (text, strlen (text), "/", b, &d), 0);
  cr_assert_geq (config_validate (b, &d), 0);
  cr_assert_eq (d.n_errors, 0);
  cr_assert_not_null (b->seccomp);
}

static void
release (void)
{
  if (b)
    fmr_bundle_free (b);
  diag_free (&d);
}

TestSuite (seccomp_default, .init = load_default, .fini = release);

static bool
same_program (const struct fmr_bpf *x, const struct fmr_bpf *y)
{
  return x->len == y->len && x->flags == y->flags
         && memcmp (x->insns, y->insns, x->len * sizeof (struct sock_filter)) == 0;
}

static bool
is_precompiled_program (const struct fmr_bpf *x)
{
  const struct fmr_precompiled_bpf *p = &fmr_seccomp_default_bpf;
  return x->len == p->len && memcmp (x->insns, p->insns, x->len * sizeof (struct sock_filter)) == 0;
}

/* Load bpf in a child and call keyctl there: its errno (0: it worked), or
 * -1 when the child died. */
static int
keyctl_errno_under (const struct fmr_bpf *bpf)
{
  pid_t pid = fork ();
  cr_assert_geq (pid, 0);
  if (pid == 0)
    {
      cleanup_error fmr_error_t err = NULL;
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_load_bpf (bpf, &err) < 0)
        _exit (254);
      long r = syscall (SYS_keyctl, 0L, 0L, 0L, 0L, 0L);
      syscall (SYS_exit_group, r < 0 ? errno : 0);
    }
  int st;
  cr_assert_eq (waitpid (pid, &st, 0), pid);
  return WIFEXITED (st) ? WEXITSTATUS (st) : -1;
}

static struct fmr_seccomp_rule *
rule_naming (const char *name)
{
  for (size_t i = 0; i < b->seccomp->n_rules; i++)
    for (size_t k = 0; k < b->seccomp->rules[i].n_names; k++)
      if (strcmp (b->seccomp->rules[i].names[k], name) == 0)
        return &b->seccomp->rules[i];
  cr_assert_fail ("no rule names %s", name);
  return NULL;
}

static struct fmr_seccomp_rule *
first_rule_with_args (void)
{
  for (size_t i = 0; i < b->seccomp->n_rules; i++)
    if (b->seccomp->rules[i].n_args > 0)
      return &b->seccomp->rules[i];
  cr_assert_fail ("no rule compares arguments");
  return NULL;
}

/* The profile as changed is compiled by libseccomp, not taken from the
 * build: the result is libseccomp's and differs from the build's. */
static void
assert_compiled_not_taken (void)
{
  struct fmr_bpf got, want;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (b->seccomp, &got, &err), 0);
  cr_assert_not (got.precompiled);
  cr_assert_eq (seccomp_compile_libseccomp (b->seccomp, &want, &err), 0);
  cr_assert (same_program (&got, &want));
  cr_assert_not (is_precompiled_program (&got), "a changed profile compiled to the default program");
  seccomp_bpf_free (&got);
  seccomp_bpf_free (&want);
}

Test (seccomp_default, the_default_profile_is_taken_and_equals_libseccomps_program)
{
  if (fmr_seccomp_default_bpf.len == 0)
    cr_skip_test ("this build has no precompiled program (cross build)");
  struct fmr_bpf got, want;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (b->seccomp, &got, &err), 0);
  cr_assert (got.precompiled);
  cr_assert_eq (seccomp_compile_libseccomp (b->seccomp, &want, &err), 0);
  cr_assert_not (want.precompiled);
  cr_assert (same_program (&got, &want));
  cr_assert_eq (keyctl_errno_under (&got), EPERM);
  seccomp_bpf_free (&got);
  seccomp_bpf_free (&want);
}

Test (seccomp_default, one_errno_changed_is_compiled_and_applies)
{
  struct fmr_seccomp_rule *r = rule_naming ("keyctl");
  r->errno_ret = EDOM;
  assert_compiled_not_taken ();
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (b->seccomp, &bpf, &err), 0);
  cr_assert_eq (keyctl_errno_under (&bpf), EDOM);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_default, one_name_fewer_is_compiled_and_applies)
{
  struct fmr_seccomp_rule *r = rule_naming ("keyctl");
  /* Drop keyctl from its rule: the default action (allow) applies. */
  size_t k = 0;
  while (strcmp (r->names[k], "keyctl") != 0)
    k++;
  for (; k + 1 < r->n_names; k++)
    {
      r->names[k] = r->names[k + 1];
      if (r->syscall_nrs)
        r->syscall_nrs[k] = r->syscall_nrs[k + 1];
    }
  r->n_names--;
  r->names[r->n_names] = NULL;
  assert_compiled_not_taken ();
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (b->seccomp, &bpf, &err), 0);
  int e = keyctl_errno_under (&bpf);
  cr_assert_neq (e, EPERM, "keyctl was still refused with EPERM");
  cr_assert_neq (e, -1);
  seccomp_bpf_free (&bpf);
}

Test (seccomp_default, one_action_changed_is_compiled)
{
  rule_naming ("keyctl")->action = FMR_SCMP_KILL_PROCESS;
  assert_compiled_not_taken ();
}

Test (seccomp_default, one_argument_value_changed_is_compiled)
{
  first_rule_with_args ()->args[0].value_two = 0;
  assert_compiled_not_taken ();
}

Test (seccomp_default, one_syscall_number_changed_is_not_taken)
{
  struct fmr_seccomp_rule *r = rule_naming ("keyctl");
  cr_assert_not_null (r->syscall_nrs);
  r->syscall_nrs[0] = SYS_getpid;
  struct fmr_bpf got;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (b->seccomp, &got, &err), 0);
  cr_assert_not (got.precompiled);
  seccomp_bpf_free (&got);
}

Test (seccomp_default, default_action_and_architectures_are_part_of_the_match)
{
  b->seccomp->has_default_errno_ret = true;
  b->seccomp->default_errno_ret = EPERM;
  struct fmr_bpf got;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_eq (seccomp_compile (b->seccomp, &got, &err), 0);
  cr_assert_not (got.precompiled);
  seccomp_bpf_free (&got);
  b->seccomp->has_default_errno_ret = false;
  cr_assert_gt (b->seccomp->n_arches, 1);
  b->seccomp->n_arches--;
  cr_assert_eq (seccomp_compile (b->seccomp, &got, &err), 0);
  cr_assert_not (got.precompiled);
  seccomp_bpf_free (&got);
}

Test (seccomp_default, another_build_or_library_is_not_taken)
{
  if (fmr_seccomp_default_bpf.len == 0)
    cr_skip_test ("this build has no precompiled program (cross build)");
  struct fmr_precompiled_bpf other = fmr_seccomp_default_bpf;
  struct fmr_bpf got;
  other.lib_micro++;
  cr_assert_not (seccomp_precompiled_take (b->seccomp, &other, &got));
  other = fmr_seccomp_default_bpf;
  other.arch ^= 1;
  cr_assert_not (seccomp_precompiled_take (b->seccomp, &other, &got));
  other = fmr_seccomp_default_bpf;
  cr_assert (seccomp_precompiled_take (b->seccomp, &other, &got));
  seccomp_bpf_free (&got);
}
