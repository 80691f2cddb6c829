/* SPDX-License-Identifier: Apache-2.0 */
/* The parser and validator on configs built in memory. */
#include "config.h"

#include <criterion/criterion.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config_fixture.h"

TestSuite (config, .init = setup, .fini = teardown);

#define BASE_HEAD                                                                                                      \
  "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\","           \
  "\"user\":{\"uid\":1000,\"gid\":1000}},"                                                                             \
  "\"linux\":{\"namespaces\":[{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"uts\"}],"                           \
  "\"uidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}],"                                               \
  "\"gidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}]}"

static int
load (const char *text)
{
  int r = config_parse (text, strlen (text), "/", b, &d);
  if (r == 0)
    r = config_validate (b, &d);
  return r;
}

static const char *
first (void)
{
  static char buf[1024];
  cleanup_free char *t = diag_first_error_text (&d);
  snprintf (buf, sizeof buf, "%s", t ? t : "(none)");
  return buf;
}

Test (config, minimal_is_valid)
{
  cr_assert_eq (load (BASE_HEAD "}"), 0, "%s", first ());
  cr_assert_str_eq (b->process.args[0], "/bin/true");
  cr_assert_eq (b->process.uid, 1000);
  cr_assert_eq (b->clone_flags, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS);
  cr_assert_eq (b->n_uid_mappings, 1);
  cr_assert_str_eq (b->root_path, "/");
  cr_assert_lt (b->kill_after_sec, 0);
}

Test (config, syntax_error_has_line_and_column)
{
  cr_assert_neq (load ("{\n  \"a\": 1,\n  ]\n}"), 0);
  cr_assert_str_eq (first (), "config.json:3:3: parse error: invalid object key (must be a string)");
}

Test (config, duplicate_key_refused)
{
  cr_assert_neq (load ("{\"ociVersion\":\"1.0.2\",\n\"ociVersion\":\"1.0.2\"}"), 0);
  cr_assert_str_eq (first (), "config.json:2:1: duplicate key \"ociVersion\"");
}

Test (config, nesting_depth_bounded)
{
  char deep[300];
  memset (deep, '[', 150);
  memset (deep + 150, ']', 150);
  cr_assert_neq (config_parse (deep, 300, "/", b, &d), 0);
  cr_assert (strstr (first (), "nesting deeper than the limit of 64"), "%s", first ());
}

Test (config, mount_options_are_folded)
{
  cr_assert_eq (load (BASE_HEAD ",\"mounts\":[{\"destination\":\"/usr\",\"type\":\"bind\",\"source\":\"/usr\","
                                "\"options\":[\"rbind\",\"ro\",\"nosuid\",\"nodev\",\"rprivate\"]},"
                                "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
                                "\"options\":[\"nosuid\",\"mode=1777\",\"size=64m\"]}]}"),
                0, "%s", first ());
  cr_assert_eq (b->n_mounts, 2);
  struct fmr_mount *u = &b->mounts[0], *t = &b->mounts[1];
  cr_assert_eq (u->kind, FMR_MOUNT_BIND);
  cr_assert (u->recursive && u->recursive_ro);
  cr_assert_eq (u->flags, MS_RDONLY | MS_NOSUID | MS_NODEV);
  cr_assert_eq (u->propagation, MS_PRIVATE | MS_REC);
  cr_assert_null (u->data);
  cr_assert_eq (t->kind, FMR_MOUNT_TMPFS);
  cr_assert_eq (t->flags, MS_NOSUID);
  cr_assert_str_eq (t->data, "mode=1777,size=64m");
  cr_assert_not (t->recursive_ro);
}

Test (config, contradictory_options)
{
  cr_assert_neq (load (BASE_HEAD ",\"mounts\":[{\"destination\":\"/usr\",\"type\":\"bind\",\"source\":\"/usr\","
                                 "\"options\":[\"bind\",\"ro\",\"rw\"]}]}"),
                 0);
  cr_assert_str_eq (first (), "config.json: mounts[0].options[2]: \"rw\" contradicts \"ro\"");
}

Test (config, every_problem_is_reported)
{
  cr_assert_neq (load ("{\"ociVersion\":2,\"root\":{\"path\":\"/\"},\"process\":{\"args\":[],\"cwd\":\"rel\"},"
                       "\"hooks\":{}}"),
                 0);
  cr_assert_geq (d.n_errors, 4, "only %zu errors", d.n_errors);
}

Test (config, unknown_field_is_a_note)
{
  cr_assert_eq (load (BASE_HEAD ",\"org.example\":{\"x\":1}}"), 0, "%s", first ());
  cr_assert_eq (d.n, 1);
  cr_assert_eq (d.items[0].level, DIAG_NOTE);
  cr_assert_str_eq (d.items[0].path, "org.example");
}

Test (config, rlimits_and_capabilities)
{
  cr_assert_eq (load ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":{\"args\":[\"a\"],"
                      "\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":20}],"
                      "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"ambient\":[]}},"
                      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}"),
                0, "%s", first ());
  cr_assert_eq (b->process.n_rlimits, 1);
  cr_assert_eq (b->process.rlimits[0].resource, RLIMIT_NOFILE);
  cr_assert_eq (b->process.rlimits[0].soft, 10);
  cr_assert_eq (b->process.caps[FMR_CAP_BOUNDING], (1ull << 0) | (1ull << 5));
  cr_assert_eq (b->process.caps[FMR_CAP_AMBIENT], 0);
  cr_assert (b->process.has_capabilities);
}

Test (config, seccomp_names_resolved_even_when_libseccomp_is_older)
{
  cr_assert_eq (load ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":{\"args\":[\"a\"],"
                      "\"cwd\":\"/\"},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}],\"seccomp\":{"
                      "\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"fchmodat2\",\"mount\"],"
                      "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}}}"),
                0, "%s", first ());
  cr_assert_eq (b->seccomp->rules[0].syscall_nrs[0], 452);
  cr_assert_gt (b->seccomp->rules[0].syscall_nrs[1], 0);
  cr_assert_eq (b->seccomp->rules[0].action, FMR_SCMP_ERRNO);
}

Test (config, timeout_annotation)
{
  cr_assert_eq (load (BASE_HEAD ",\"annotations\":{\"run.fmr.timeout\":\"2.5\",\"run.fmr.kill-after\":\"1\"}}"), 0,
                "%s", first ());
  cr_assert_float_eq (b->timeout_sec, 2.5, 1e-9);
  cr_assert_float_eq (b->kill_after_sec, 1.0, 1e-9);
}

Test (config, size_limit_before_parsing)
{
  char dir[] = "/tmp/fmr-unit-XXXXXX";
  cr_assert_not_null (mkdtemp (dir));
  cleanup_free char *path = xasprintf ("%s/config.json", dir);
  FILE *f = fopen (path, "w");
  cr_assert_not_null (f);
  cr_assert_eq (fseek (f, FMR_CONFIG_MAX_SIZE + 1, SEEK_SET), 0);
  fputc ('}', f);
  fclose (f);
  cleanup_error fmr_error_t err = NULL;
  struct fmr_bundle *out = NULL;
  cr_assert_neq (config_load (dir, &out, &d, &err), 0);
  cr_assert_not_null (err);
  cr_assert (strstr (err->msg, "larger than the limit"), "%s", err->msg);
  unlink (path);
  rmdir (dir);
}
