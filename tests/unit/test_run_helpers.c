/* SPDX-License-Identifier: Apache-2.0 */
/* `run`'s option parsing and args[0] lookup. */
#include "config.h"

#include <criterion/criterion.h>
#include <string.h>

#include "common/exit_codes.h"
#include "sandbox/process.h"
#include "sandbox/sandbox.h"
#include "sandbox/seccomp_log.h"
#include "common/linediff.h"
#include "common/util.h"

int run_parse_options (int argc, char **argv, struct run_options *opts, const char **bundle);

Test (run_options, parses_every_option)
{
  char *argv[] = { "run",    "--debug",      "--timeout", "1.5", "--kill-after", "3", "--preserve-fds", "2", "--stats",
                   "s.json", "--raw-output", "b",         NULL };
  struct run_options o;
  const char *bundle;
  cr_assert_eq (run_parse_options (12, argv, &o, &bundle), 0);
  cr_assert (o.raw_output);
  cr_assert (o.debug);
  cr_assert_float_eq (o.timeout_sec, 1.5, 1e-9);
  cr_assert_float_eq (o.kill_after_sec, 3, 1e-9);
  cr_assert_eq (o.preserve_fds, 2);
  cr_assert_str_eq (o.stats_file, "s.json");
  cr_assert_str_eq (bundle, "b");
}

Test (run_options, defaults_and_errors)
{
  char *ok[] = { "run", NULL };
  struct run_options o;
  const char *bundle;
  cr_assert_eq (run_parse_options (1, ok, &o, &bundle), 0);
  cr_assert_str_eq (bundle, ".");
  cr_assert_lt (o.kill_after_sec, 0);
  cr_assert (!o.raw_output);
  char *bad_timeout[] = { "run", "--timeout", "-1", NULL };
  cr_assert_eq (run_parse_options (3, bad_timeout, &o, &bundle), -1);
  char *bad_fds[] = { "run", "--preserve-fds", "x", NULL };
  cr_assert_eq (run_parse_options (3, bad_fds, &o, &bundle), -1);
  char *two[] = { "run", "a", "b", NULL };
  cr_assert_eq (run_parse_options (3, two, &o, &bundle), -1);
}

Test (run_options, debug_options)
{
  char *argv[] = { "run",  "--shell",        "--env",         "A=1", "--env", "B=", "--ro", "/usr:/u",
                   "--rw", "/nonexistent-x", "--seccomp-log", "b",   "--",    "id", "-u",   NULL };
  struct run_options o;
  const char *bundle;
  cr_assert_eq (run_parse_options (15, argv, &o, &bundle), 0);
  cr_assert (o.overrides.shell);
  cr_assert (o.seccomp_log);
  cr_assert_str_eq (bundle, "b");
  cr_assert_eq (o.overrides.n_env, 2);
  cr_assert_str_eq (o.overrides.env[1], "B=");
  cr_assert_eq (o.overrides.n_binds, 2);
  cr_assert_str_eq (o.overrides.binds[0].source, "/usr");
  cr_assert_str_eq (o.overrides.binds[0].destination, "/u");
  cr_assert_not (o.overrides.binds[0].writable);
  /* Not on the host: only the bundle's bind there can be meant. */
  cr_assert_null (o.overrides.binds[1].source);
  cr_assert (o.overrides.binds[1].keep_source);
  cr_assert_str_eq (o.overrides.args[0], "id");
  cr_assert_str_eq (o.overrides.args[1], "-u");
  cr_assert_null (o.overrides.args[2]);
  overrides_release (&o.overrides);

  char *no_shell[] = { "run", "b", "--", "id", NULL };
  cr_assert_eq (run_parse_options (4, no_shell, &o, &bundle), -1);
  overrides_release (&o.overrides);
  char *bad_env[] = { "run", "--env", "=x", NULL };
  cr_assert_eq (run_parse_options (3, bad_env, &o, &bundle), -1);
  overrides_release (&o.overrides);
}

Test (line_diff, hunks_with_context)
{
  cr_assert_null (line_diff ("a\nb\n", "a\nb\n", "x", "y", 3));
  cleanup_free char *d
      = line_diff ("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\nthree\n4\n5\n6\n7\n8\n9\n10\n11\n", "x", "y", 1);
  cr_assert_str_eq (d, "--- x\n+++ y\n"
                       "@@ -2,3 +2,3 @@\n 2\n-3\n+three\n 4\n"
                       "@@ -10,1 +10,2 @@\n 10\n+11\n");
}

Test (seccomp_log, parses_audit_records)
{
  struct seccomp_record r;
  cr_assert (seccomp_log_parse ("audit: type=1326 audit(1796442392.236:1): auid=4294967295 uid=1000 gid=1000 "
                                "ses=4294967295 pid=6598 comm=\"un share\" exe=\"/usr/bin/unshare\" sig=0 "
                                "arch=c000003e syscall=272 compat=0 ip=0x7fd5d90760f7 code=0x50000",
                                &r));
  cr_assert_eq (r.pid, 6598);
  cr_assert_eq (r.uid, 1000);
  cr_assert_eq (r.arch, 0xc000003eu);
  cr_assert_eq (r.syscall, 272);
  cr_assert_eq (r.code, 0x50000u);
  cr_assert_str_eq (r.comm, "un share");
  cr_assert_not (seccomp_log_parse ("audit: type=1300 audit(1:2): arch=c000003e syscall=59 pid=1", &r));
  cr_assert_not (seccomp_log_parse ("kauditd_printk_skb: 3 callbacks suppressed", &r));
}

Test (find_executable, uses_the_path_of_env)
{
  char *env[] = { "PATH=/nonexistent:/usr/bin", NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cleanup_free char *p = process_find_executable (env, "true", &code, &err);
  cr_assert_str_eq (p, "/usr/bin/true");
}

Test (find_executable, not_found_is_127_not_executable_126)
{
  char *env[] = { "PATH=/usr/bin", NULL };
  int code = 0;
  cleanup_error fmr_error_t err = NULL;
  cr_assert_null (process_find_executable (env, "no-such-tool-xyz", &code, &err));
  cr_assert_eq (code, FMR_EXIT_NOT_FOUND);
  cr_assert (strstr (err->msg, "process.args[0]"));
  fmr_error_release (&err);
  cr_assert_null (process_find_executable (env, "/etc/passwd", &code, &err));
  cr_assert_eq (code, FMR_EXIT_CANNOT_EXEC);
}
