/* SPDX-License-Identifier: Apache-2.0 */
/* Every class of problem the parser and validator report, each checked
 * against the exact line `fmr-run validate` prints for it, and the typed
 * values a valid config turns into. */
#include "config.h"

#include <criterion/criterion.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "config_fixture.h"

TestSuite (validate, .init = setup, .fini = teardown);

/* A valid config with slots: extra process members, the namespaces, extra
 * linux members, extra top-level members.  MAPS is the usual one-id map. */
#define MAPS                                                                                                           \
  ",\"uidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}],"                                              \
  "\"gidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}]"
#define NS "{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"uts\"}"

static char *
cfg (const char *process, const char *ns, const char *linux_, const char *top)
{
  return xasprintf ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},"
                    "\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\",\"user\":{\"uid\":1000,\"gid\":1000}%s},"
                    "\"linux\":{\"namespaces\":[%s]%s}%s}",
                    process, ns, linux_, top);
}

/* Parse and validate as config_load does (the bundle directory is "/"). */
static int
load_text (const char *text)
{
  int r = config_parse (text, strlen (text), "/", b, &d);
  if (r == 0)
    r = config_validate (b, &d);
  return r;
}

static int
load (const char *process, const char *ns, const char *linux_, const char *top)
{
  cleanup_free char *text = cfg (process, ns, linux_, top);
  return load_text (text);
}

/* All lines as `validate` prints them. */
static char *
printed (void)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  cr_assert_not_null (f);
  diag_print_text (&d, f);
  fclose (f);
  return buf;
}

static bool
has_line (const char *text, const char *line)
{
  size_t n = strlen (line);
  for (const char *p = text; (p = strstr (p, line)) != NULL; p++)
    if ((p == text || p[-1] == '\n') && p[n] == '\n')
      return true;
  return false;
}

struct bad_case
{
  const char *process, *ns, *linux_, *top;
  const char *want;
};

static void
run_cases (const struct bad_case *cases, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      const struct bad_case *c = &cases[i];
      teardown ();
      setup ();
      int r
          = load (c->process ? c->process : "", c->ns ? c->ns : NS, c->linux_ ? c->linux_ : MAPS, c->top ? c->top : "");
      cleanup_free char *out = printed ();
      cr_expect_neq (r, 0, "case %zu accepted; wanted: %s", i, c->want);
      cr_expect (has_line (out, c->want), "case %zu: wanted the line\n  %s\ngot:\n%s", i, c->want, out);
    }
}

Test (validate, base_config_is_valid)
{
  cr_assert_eq (load ("", NS, MAPS, ""), 0);
  cr_assert_eq (d.n, 0);
  cr_assert_eq (b->clone_flags, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS);
  cr_assert_eq (b->process.uid, 1000);
  cr_assert_eq (b->uid_mappings[0].size, 1);
}

Test (validate, process_problems)
{
  static const struct bad_case cases[] = {
    { .process = ",\"env\":[\"PATH\"]", .want = "config.json: process.env[0]: \"PATH\" is not of the form NAME=value" },
    { .process = ",\"env\":[\"=x\"]", .want = "config.json: process.env[0]: \"=x\" is not of the form NAME=value" },
    { .process = ",\"env\":[1]", .want = "config.json: process.env[0]: expected a string, got a number" },
    { .process = ",\"env\":\"A=b\"", .want = "config.json: process.env: expected an array, got a string" },
    { .process = ",\"env\":[\"A=\\u0000b\"]", .want = "config.json: process.env[0]: contains a NUL byte" },
    { .process = ",\"terminal\":1", .want = "config.json: process.terminal: expected a boolean, got a number" },
    { .process = ",\"oomScoreAdj\":1001",
      .want = "config.json: process.oomScoreAdj: 1001 is out of range (-1000 to 1000)" },
    { .process = ",\"oomScoreAdj\":1.5", .want = "config.json: process.oomScoreAdj: 1.5 is not an integer" },
    { .process = ",\"noNewPrivileges\":\"yes\"",
      .want = "config.json: process.noNewPrivileges: expected a boolean, got a string" },
    { .process = ",\"capabilities\":{\"bounding\":[\"CAP_FOO\"]}",
      .want = "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_FOO\"" },
    { .process = ",\"capabilities\":{\"ambient\":[\"cap_chown\"]}",
      .want = "config.json: process.capabilities.ambient[0]: unknown capability \"cap_chown\"" },
    { .process = ",\"capabilities\":{\"permitted\":[\"5\"]}",
      .want = "config.json: process.capabilities.permitted[0]: unknown capability \"5\"" },
    { .process = ",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]",
      .want = "config.json: process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"" },
    { .process = ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]",
      .want = "config.json: process.rlimits[0]: soft limit 2 is above the hard limit 1" },
    { .process = ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":0},"
                 "{\"type\":\"RLIMIT_CORE\",\"soft\":0,\"hard\":0}]",
      .want = "config.json: process.rlimits[1]: duplicate rlimit \"RLIMIT_CORE\"" },
    { .process = ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":-1,\"hard\":0}]",
      .want = "config.json: process.rlimits[0].soft: -1 is out of range (0 to 18446744073709551615)" },
    { .process = ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551616,\"hard\":0}]",
      .want
      = "config.json: process.rlimits[0].soft: 18446744073709551616 is out of range (0 to 18446744073709551615)" },
    { .process = ",\"apparmorProfile\":\"x\"",
      .want = "config.json: process.apparmorProfile: not supported by fmr-run; remove it (a sandbox weaker than its "
              "bundle says is refused)" },
    { .process = ",\"consoleSize\":{\"height\":1,\"width\":1}",
      .want = "config.json: process.consoleSize: not supported by fmr-run; remove it (a sandbox weaker than its "
              "bundle says is refused)" },
  };
  run_cases (cases, ARRAY_SIZE (cases));
}

Test (validate, whole_process_problems)
{
  cr_assert_neq (load_text ("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":{\"args\":[],"
                            "\"cwd\":\"tmp\",\"user\":{\"uid\":-1,\"gid\":1.5,\"umask\":512}},"
                            "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}"),
                 0);
  cleanup_free char *out = printed ();
  cr_expect (has_line (out, "config.json: process.args: must hold at least one element"), "%s", out);
  cr_expect (has_line (out, "config.json: process.cwd: \"tmp\" is not an absolute path"), "%s", out);
  cr_expect (has_line (out, "config.json: process.user.uid: -1 is out of range (0 to 4294967294)"), "%s", out);
  cr_expect (has_line (out, "config.json: process.user.gid: 1.5 is not an integer"), "%s", out);
  cr_expect (has_line (out, "config.json: process.user.umask: 512 is out of range (0 to 511)"), "%s", out);
  cr_expect_eq (d.n_errors, 5, "%s", out);
}

Test (validate, missing_required_fields)
{
  cr_assert_neq (load_text ("{\"ociVersion\":\"1.0.2\",\"root\":{},\"process\":{\"args\":[\"a\"],"
                            "\"user\":{\"uid\":0}},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}"),
                 0);
  cleanup_free char *out = printed ();
  cr_expect (has_line (out, "config.json: root: missing required field \"path\""), "%s", out);
  cr_expect (has_line (out, "config.json: process: missing required field \"cwd\""), "%s", out);
  cr_expect (has_line (out, "config.json: process.user: missing required field \"gid\""), "%s", out);
}

Test (validate, namespace_and_mapping_problems)
{
  static const struct bad_case cases[] = {
    { .ns = NS ",{\"type\":\"time\"}",
      .want = "config.json: linux.namespaces[3].type: unknown or unsupported namespace type \"time\"" },
    { .ns = NS ",{\"type\":\"uts\"}", .want = "config.json: linux.namespaces[3].type: duplicate namespace \"uts\"" },
    { .ns = NS ",{\"type\":\"ipc\",\"path\":\"proc/1/ns/ipc\"}",
      .want = "config.json: linux.namespaces[3].path: \"proc/1/ns/ipc\" is not an absolute path" },
    { .ns = "{\"type\":\"user\"},{\"type\":\"uts\"}",
      .want = "config.json: linux.namespaces: fmr-run needs a new mount namespace (type \"mount\", no path)" },
    { .ns = "{\"type\":\"user\"},{\"type\":\"mount\",\"path\":\"/proc/1/ns/mnt\"},{\"type\":\"uts\"}",
      .want = "config.json: linux.namespaces: fmr-run needs a new mount namespace (type \"mount\", no path)" },
    { .ns = "{\"type\":\"user\"},{\"type\":\"mount\"}",
      .top = ",\"hostname\":\"h\"",
      .want = "config.json: hostname: needs a new uts namespace in linux.namespaces" },
    { .ns = "{\"type\":\"user\"},{\"type\":\"mount\"},{\"type\":\"uts\",\"path\":\"/proc/1/ns/uts\"}",
      .top = ",\"domainname\":\"h\"",
      .want = "config.json: domainname: needs a new uts namespace in linux.namespaces" },
    { .linux_ = "", .want = "config.json: linux.uidMappings: a new user namespace needs at least one uid mapping" },
    { .linux_ = ",\"uidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}]",
      .want = "config.json: linux.gidMappings: a new user namespace needs at least one gid mapping" },
    { .ns = "{\"type\":\"mount\"}",
      .want = "config.json: linux.uidMappings: id mappings need a new user namespace in linux.namespaces" },
    { .linux_ = ",\"uidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":0}],"
                "\"gidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}]",
      .want = "config.json: linux.uidMappings[0].size: is 0: a mapping must map at least one id" },
    { .linux_ = ",\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":2000},"
                "{\"containerID\":1000,\"hostID\":1000,\"size\":1}],"
                "\"gidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}]",
      .want = "config.json: linux.uidMappings: ranges overlap on the container side at id 1000" },
    { .linux_ = ",\"uidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}],"
                "\"gidMappings\":[{\"containerID\":1000,\"hostID\":5,\"size\":10},"
                "{\"containerID\":0,\"hostID\":0,\"size\":6}]",
      .want = "config.json: linux.gidMappings: ranges overlap on the host side at id 5" },
    { .linux_ = ",\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}],"
                "\"gidMappings\":[{\"containerID\":1000,\"hostID\":1000,\"size\":1}]",
      .want = "config.json: process.user.uid: 1000 is not covered by linux.uidMappings" },
    { .linux_ = ",\"uidMappings\":[{\"containerID\":1000,\"hostID\":\"1000\",\"size\":1}]",
      .want = "config.json: linux.uidMappings[0].hostID: expected a number, got a string" },
    { .linux_ = MAPS ",\"maskedPaths\":[\"proc/kcore\"]",
      .want = "config.json: linux.maskedPaths[0]: \"proc/kcore\" is not an absolute path" },
    { .linux_ = MAPS ",\"readonlyPaths\":\"/proc/sys\"",
      .want = "config.json: linux.readonlyPaths: expected an array, got a string" },
  };
  run_cases (cases, ARRAY_SIZE (cases));
}

Test (validate, sysctl_only_for_the_sandbox_own_namespaces)
{
  /* A proc mount and a network namespace: the net sysctl is kept. */
  cr_assert_eq (load ("", NS ",{\"type\":\"pid\"},{\"type\":\"network\"}",
                      MAPS ",\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 0\"}",
                      ",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]"),
                0);
  cr_assert_eq (b->n_sysctls, 1);
  cr_assert_str_eq (b->sysctls[0].key, "net.ipv4.ping_group_range");
  cr_assert_str_eq (b->sysctls[0].value, "0 0");
  cleanup_free char *path = fmr_sysctl_path (b->sysctls[0].key);
  cr_assert_str_eq (path, "/proc/sys/net/ipv4/ping_group_range");
  /* Without the network namespace, or without a proc: refused. */
  teardown ();
  setup ();
  cr_assert_neq (
      load ("", NS, MAPS ",\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 0\",\"kernel.hostname\":\"x\"}", ""), 0);
  cr_assert_str_eq (d.items[0].path, "linux.sysctl.net.ipv4.ping_group_range");
  cr_assert_not_null (strstr (d.items[0].msg, "needs a new network namespace"), "%s", d.items[0].msg);
  cr_assert_str_eq (d.items[1].path, "linux.sysctl.kernel.hostname");
  cr_assert_not_null (strstr (d.items[1].msg, "not a namespaced sysctl"), "%s", d.items[1].msg);
  cr_assert_str_eq (d.items[2].path, "linux.sysctl");
  cr_assert_not_null (strstr (d.items[2].msg, "needs a proc mount on /proc"), "%s", d.items[2].msg);
}

Test (validate, unsupported_oci_fields_are_errors)
{
  static const char *const linux_fields[]
      = { "devices",     "resources",  "cgroupsPath",       "intelRdt",   "personality",
          "timeOffsets", "mountLabel", "rootfsPropagation", "netDevices", "memoryPolicy" };
  for (size_t i = 0; i < ARRAY_SIZE (linux_fields); i++)
    {
      teardown ();
      setup ();
      cleanup_free char *extra = xasprintf (MAPS ",\"%s\":{}", linux_fields[i]);
      cr_expect_neq (load ("", NS, extra, ""), 0, "linux.%s accepted", linux_fields[i]);
      cleanup_free char *want = xasprintf ("linux.%s", linux_fields[i]);
      cr_expect_str_eq (d.items[0].path, want);
      cr_expect (strstr (d.items[0].msg, "not supported by fmr-run") != NULL, "%s", d.items[0].msg);
    }
  static const char *const top_fields[] = { "hooks", "windows", "solaris", "vm", "zos" };
  for (size_t i = 0; i < ARRAY_SIZE (top_fields); i++)
    {
      teardown ();
      setup ();
      cleanup_free char *extra = xasprintf (",\"%s\":{}", top_fields[i]);
      cr_expect_neq (load ("", NS, MAPS, extra), 0, "%s accepted", top_fields[i]);
      cr_expect_str_eq (d.items[0].path, top_fields[i]);
    }
}

Test (validate, non_oci_fields_are_notes)
{
  cr_assert_eq (load (",\"org.example.x\":1", NS, MAPS ",\"extra\":[]", ",\"x-y\":{}"), 0);
  cleanup_free char *out = printed ();
  cr_expect (has_line (out, "config.json: note: process.org.example.x: not an OCI field; ignored"), "%s", out);
  cr_expect (has_line (out, "config.json: note: linux.extra: not an OCI field; ignored"), "%s", out);
  cr_expect (has_line (out, "config.json: note: x-y: not an OCI field; ignored"), "%s", out);
  cr_expect_eq (d.n_errors, 0);
}

Test (validate, seccomp_problems)
{
#define SC(body) MAPS ",\"seccomp\":{" body "}"
  static const struct bad_case cases[] = {
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_NOTIFY\""),
      .want = "config.json: linux.seccomp.defaultAction: unknown or unsupported seccomp action \"SCMP_ACT_NOTIFY\"" },
    { .linux_ = SC ("\"architectures\":[\"SCMP_ARCH_X86_64\"]"),
      .want = "config.json: linux.seccomp: missing required field \"defaultAction\"" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86_64\"]"),
      .want = "config.json: linux.seccomp.architectures[0]: unknown architecture \"x86_64\"" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"defaultErrnoRet\":1"),
      .want = "config.json: linux.seccomp: defaultErrnoRet needs the defaultAction SCMP_ACT_ERRNO or SCMP_ACT_TRACE" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":4096"),
      .want = "config.json: linux.seccomp.defaultErrnoRet: 4096 is out of range (0 to 4095)" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]"),
      .want = "config.json: linux.seccomp.flags[0]: unknown or unsupported seccomp flag "
              "\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/x\""),
      .want = "config.json: linux.seccomp.listenerPath: not supported by fmr-run; remove it (a sandbox weaker than "
              "its bundle says is refused)" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"no_such_call\"],"
                    "\"action\":\"SCMP_ACT_ERRNO\"}]"),
      .want = "config.json: linux.seccomp.syscalls[0].names[0]: unknown syscall \"no_such_call\"" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}]"),
      .want = "config.json: linux.seccomp.syscalls[0].names: must name at least one syscall" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
                    "\"action\":\"SCMP_ACT_ALLOW\",\"errnoRet\":1}]"),
      .want = "config.json: linux.seccomp.syscalls[0]: errnoRet needs the action SCMP_ACT_ERRNO or SCMP_ACT_TRACE" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
                    "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]"),
      .want = "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
                    "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"EQ\"}]}]"),
      .want = "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"EQ\"" },
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"462\"],"
                    "\"action\":\"SCMP_ACT_ERRNO\"}]"),
      .want = "config.json: linux.seccomp.syscalls[0].names[0]: \"462\" is a number: name the syscall (\"mseal\", not "
              "\"462\"), as OCI does; a number differs between the architectures of the filter" },
#define ARG(i) "{\"index\":" #i ",\"value\":1,\"op\":\"SCMP_CMP_EQ\"}"
    { .linux_ = SC ("\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mount\"],"
                    "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[" ARG (0) "," ARG (1) "," ARG (2) "," ARG (3) "," ARG (
                        4) "," ARG (5) "," ARG (0) "]}]"),
      .want = "config.json: linux.seccomp.syscalls[0].args: 7 comparisons; a rule takes at most 6" },
#undef ARG
  };
#undef SC
  run_cases (cases, ARRAY_SIZE (cases));
}

Test (validate, args_of_a_syscall_newer_than_libseccomp)
{
  /* The newest entry of the unified table, which libseccomp 2.5 lacks. */
  const char *name = "open_tree_attr";
  if (seccomp_syscall_resolve_name (name) != __NR_SCMP_ERROR)
    cr_skip_test ("this libseccomp knows %s: no syscall newer than it to test with", name);
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *want
      = xasprintf ("config.json: linux.seccomp.syscalls[0].args: \"%s\" is newer than libseccomp %u.%u.%u, which can "
                   "filter it only without args",
                   name, v->major, v->minor, v->micro);
  cleanup_free char *linux_ = xasprintf (MAPS ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{"
                                              "\"names\":[\"%s\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,"
                                              "\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                                         name);
  struct bad_case c[] = { { .linux_ = linux_, .want = want } };
  run_cases (c, 1);
}

Test (validate, seccomp_is_typed)
{
  cr_assert_eq (load ("", NS,
                      MAPS ",\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,"
                           "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_AARCH64\"],"
                           "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                           "\"syscalls\":[{\"names\":[\"read\",\"mseal\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                           "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
                           "\"value\":4294967295,\"valueTwo\":8,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
                      ""),
                0);
  const struct fmr_seccomp *s = b->seccomp;
  cr_assert_not_null (s);
  cr_assert_eq (s->default_action, FMR_SCMP_ERRNO);
  cr_assert (s->has_default_errno_ret);
  cr_assert_eq (s->default_errno_ret, 38);
  cr_assert_eq (s->n_arches, 2);
  cr_assert_eq (s->n_flags, 1);
  cr_assert_eq (s->n_rules, 2);
  cr_assert_eq (s->rules[0].n_names, 2);
  /* mseal is newer than libseccomp 2.5.4: the kernel's unified number. */
  cr_assert_eq (s->rules[0].syscall_nrs[1], 462);
  cr_assert_eq (s->rules[1].n_args, 1);
  cr_assert_eq (s->rules[1].args[0].value, 4294967295u);
  cr_assert_eq (s->rules[1].args[0].value_two, 8);
}

Test (validate, mount_problems)
{
#define M(body) ",\"mounts\":[" body "]"
  static const struct bad_case cases[] = {
    { .top = M ("{\"destination\":\"usr\",\"type\":\"bind\",\"source\":\"/usr\",\"options\":[\"bind\"]}"),
      .want = "config.json: mounts[0].destination: \"usr\" is not an absolute path" },
    { .top = M ("{\"destination\":\"/a/../etc\",\"type\":\"tmpfs\"}"),
      .want = "config.json: mounts[0].destination: \"/a/../etc\" has a \"..\" component" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"ext4\",\"source\":\"/dev/sda\"}"),
      .want = "config.json: mounts[0].type: \"ext4\" is not supported (bind, tmpfs, proc, devpts, mqueue, sysfs)" },
    { .top = M ("{\"destination\":\"/x\",\"source\":\"/usr\"}"),
      .want = "config.json: mounts[0]: missing \"type\" (or a \"bind\"/\"rbind\" option)" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"bind\"]}"),
      .want = "config.json: mounts[0]: a \"bind\" option on a mount of type \"tmpfs\"" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"bind\"}"),
      .want = "config.json: mounts[0]: a bind mount needs a \"source\"" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/no/such/dir\"}"),
      .want = "config.json: mounts[0].source: /no/such/dir: No such file or directory" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"nosuid\",\"suid\"]}"),
      .want = "config.json: mounts[0].options[1]: \"suid\" contradicts \"nosuid\"" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"dev\",\"nodev\"]}"),
      .want = "config.json: mounts[0].options[1]: \"nodev\" contradicts \"dev\"" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"noexec\",\"exec\"]}"),
      .want = "config.json: mounts[0].options[1]: \"exec\" contradicts \"noexec\"" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/usr\",\"options\":[\"rro\",\"rw\"]}"),
      .want = "config.json: mounts[0]: options: \"rro\" contradicts \"rw\"" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"private\",\"rshared\"]}"),
      .want = "config.json: mounts[0].options[1]: \"rshared\": only one propagation option is allowed" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"mode=8000\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"mode=8000\" for a tmpfs mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"mode=017777\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"mode=017777\" for a tmpfs mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"size=big\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"size=big\" for a tmpfs mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"uid=4294967296\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"uid=4294967296\" for a tmpfs mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/usr\",\"options\":[\"mode=755\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"mode=755\" for a bind mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"proc\",\"options\":[\"subset=sys\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"subset=sys\" for a proc mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"mqueue\",\"options\":[\"frobnicate\"]}"),
      .want = "config.json: mounts[0].options[0]: unknown or invalid option \"frobnicate\" for a mqueue mount" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"uidMappings\":[]}"),
      .want = "config.json: mounts[0].options: uidMappings/gidMappings need the \"idmap\" or \"ridmap\" option" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"idmap\"]}"),
      .want = "config.json: mounts[0].options: \"idmap\"/\"ridmap\" are supported on bind mounts only" },
    { .top = M ("{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":\"ro\"}"),
      .want = "config.json: mounts[0].options: expected an array, got a string" },
    { .top = ",\"mounts\":{}", .want = "config.json: mounts: expected an array, got an object" },
  };
#undef M
  run_cases (cases, ARRAY_SIZE (cases));
}

Test (validate, mount_options_fold_per_type)
{
  /* proc and mqueue in a user namespace need their own pid and ipc ones. */
  cr_assert_eq (load ("", NS ",{\"type\":\"pid\"},{\"type\":\"ipc\"}", MAPS,
                      ",\"mounts\":["
                      "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":"
                      "[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
                      "{\"destination\":\"/proc\",\"type\":\"proc\",\"options\":[\"hidepid=invisible\",\"subset=pid\","
                      "\"nosuid\",\"nodev\",\"noexec\"]},"
                      "{\"destination\":\"/etc\",\"source\":\"etc\",\"options\":[\"rbind\",\"rro\",\"rslave\"]},"
                      "{\"destination\":\"/srv\",\"type\":\"none\",\"source\":\"/usr\",\"options\":[\"bind\",\"rw\","
                      "\"suid\"]},"
                      "{\"destination\":\"/mq\",\"type\":\"mqueue\",\"options\":[\"ro\",\"noatime\"]}]"),
                0);
  cr_assert_eq (b->n_mounts, 5);
  const struct fmr_mount *pts = &b->mounts[0], *proc = &b->mounts[1], *etc = &b->mounts[2], *srv = &b->mounts[3],
                         *mq = &b->mounts[4];
  cr_assert_eq (pts->kind, FMR_MOUNT_DEVPTS);
  cr_assert_eq (pts->flags, MS_NOSUID | MS_NOEXEC);
  cr_assert_str_eq (pts->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
  cr_assert_eq (proc->kind, FMR_MOUNT_PROC);
  cr_assert_str_eq (proc->data, "hidepid=invisible,subset=pid");
  cr_assert_eq (proc->flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
  /* No type, an rbind option: a recursive bind, source against the bundle. */
  cr_assert_eq (etc->kind, FMR_MOUNT_BIND);
  cr_assert (etc->recursive);
  cr_assert (etc->recursive_ro);
  cr_assert_eq (etc->flags & MS_RDONLY, MS_RDONLY);
  cr_assert_eq (etc->propagation, MS_SLAVE | MS_REC);
  cr_assert_str_eq (etc->source, "/etc");
  cr_assert_eq (srv->kind, FMR_MOUNT_BIND);
  cr_assert_not (srv->recursive);
  cr_assert_not (srv->recursive_ro);
  cr_assert_eq (srv->flags, 0);
  cr_assert_eq (srv->clear_flags, MS_RDONLY | MS_NOSUID);
  cr_assert_eq (mq->kind, FMR_MOUNT_MQUEUE);
  cr_assert_eq (mq->flags, MS_RDONLY | MS_NOATIME);
  /* "ro" on anything but a bind is a plain read-only mount. */
  cr_assert_not (mq->recursive_ro);
}

Test (validate, annotations_and_version)
{
  static const struct bad_case cases[] = {
    { .top = ",\"annotations\":{\"run.fmr.timeout\":\"0\"}",
      .want = "config.json: annotations.run.fmr.timeout: \"0\" is not a positive number of seconds" },
    { .top = ",\"annotations\":{\"run.fmr.timeout\":\"-1\"}",
      .want = "config.json: annotations.run.fmr.timeout: \"-1\" is not a positive number of seconds" },
    { .top = ",\"annotations\":{\"run.fmr.kill-after\":\"0x10\"}",
      .want = "config.json: annotations.run.fmr.kill-after: \"0x10\" is not a positive number of seconds" },
    { .top = ",\"annotations\":{\"run.fmr.kill-after\":\" 5\"}",
      .want = "config.json: annotations.run.fmr.kill-after: \" 5\" is not a positive number of seconds" },
    { .top = ",\"annotations\":{\"run.fmr.timeout\":\"2e9\"}",
      .want = "config.json: annotations.run.fmr.timeout: \"2e9\" is not a positive number of seconds" },
    { .top = ",\"annotations\":{\"run.fmr.memory\":\"1\"}",
      .want = "config.json: annotations.run.fmr.memory: unknown fmr-run annotation (known: run.fmr.timeout, "
              "run.fmr.kill-after, run.fmr.note.*)" },
    { .top = ",\"annotations\":{\"org.example\":1}",
      .want = "config.json: annotations.org.example: expected a string, got a number" },
    { .top = ",\"annotations\":[]", .want = "config.json: annotations: expected an object, got an array" },
  };
  run_cases (cases, ARRAY_SIZE (cases));

  static const char *const versions_bad[] = { "2.0.0", "1.3.0", "0.9", "1" };
  for (size_t i = 0; i < ARRAY_SIZE (versions_bad); i++)
    {
      teardown ();
      setup ();
      cleanup_free char *text = cfg ("", NS, MAPS, "");
      cleanup_free char *v = xasprintf ("\"ociVersion\":\"%s\"", versions_bad[i]);
      cleanup_free char *t2 = xasprintf ("{%s%s", v, strchr (text, ','));
      cr_expect_neq (load_text (t2), 0, "ociVersion %s accepted", versions_bad[i]);
      cr_expect_str_eq (d.items[0].path, "ociVersion");
    }
  static const char *const versions_good[] = { "1.0.0", "1.1.0", "1.2.0", "1.2.1-dev" };
  for (size_t i = 0; i < ARRAY_SIZE (versions_good); i++)
    {
      teardown ();
      setup ();
      cleanup_free char *text = cfg ("", NS, MAPS, ",\"annotations\":{\"org.x\":\"y\"}");
      cleanup_free char *t2 = xasprintf ("{\"ociVersion\":\"%s\"%s", versions_good[i], strchr (text, ','));
      cr_expect_eq (load_text (t2), 0, "ociVersion %s refused", versions_good[i]);
    }
  cr_assert_eq (b->n_annotations, 1);
  cr_assert_str_eq (b->annotations[0].key, "org.x");
  cr_assert_lt (b->kill_after_sec, 0);
  cr_assert_eq (b->timeout_sec, 0);
}

Test (validate, document_level_problems)
{
  static const struct
  {
    const char *text, *want;
  } cases[] = {
    { "", "config.json: the file is empty; expected a JSON object" },
    { " \n\t ", "config.json: the file is empty; expected a JSON object" },
    { "[]", "config.json: expected an object, got an array" },
    { "{\"a\":1,}", "config.json:1:8: parse error: invalid object key (must be a string)" },
    { "{\n\"a\": tru }", "config.json:2:8: parse error: invalid string in json text" },
    { "{\"a\":[1,2", "config.json:1:9: parse error: premature EOF" },
    { "{} {}", "config.json:1:4: parse error: trailing garbage" },
    { "{\"a\":\"\xff\"}", "config.json:1:7: parse error: invalid bytes in UTF8 string" },
    { "{\"a\":1,\n \"b\":{\"c\":1,\"c\":2}}", "config.json:2:13: duplicate key \"c\"" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      teardown ();
      setup ();
      cr_expect_neq (config_parse (cases[i].text, strlen (cases[i].text), "/", b, &d), 0, "case %zu", i);
      cleanup_free char *out = printed ();
      cr_expect (has_line (out, cases[i].want), "case %zu: wanted\n  %s\ngot:\n%s", i, cases[i].want, out);
    }
}

Test (validate, depth_limit_is_exact)
{
  /* FMR_CONFIG_MAX_DEPTH nested containers are accepted by the parser
   * (the document is then refused for its content), one more is not. */
  for (int extra = 0; extra < 2; extra++)
    {
      teardown ();
      setup ();
      int depth = FMR_CONFIG_MAX_DEPTH + extra;
      cleanup_free char *text = xmalloc ((size_t) depth * 6 + 16);
      char *p = text;
      p += sprintf (p, "{\"x\":");
      for (int i = 1; i < depth; i++)
        *p++ = '[';
      for (int i = 1; i < depth; i++)
        *p++ = ']';
      p += sprintf (p, "}");
      config_parse (text, strlen (text), "/", b, &d);
      cleanup_free char *out = printed ();
      bool refused = strstr (out, "nesting deeper than the limit of 64") != NULL;
      cr_expect_eq (refused, extra == 1, "depth %d: %s", depth, out);
    }
}

Test (validate, nul_bytes_in_strings_are_refused)
{
  const char text[] = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":{\"args\":[\"/bin/true\"],"
                      "\"cwd\":\"/tmp\\u0000/x\",\"user\":{\"uid\":0,\"gid\":0}},"
                      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}";
  cr_assert_neq (load_text (text), 0);
  cleanup_free char *out = printed ();
  cr_expect (has_line (out, "config.json: process.cwd: contains a NUL byte"), "%s", out);
}

Test (validate, large_config_is_linear)
{
  /* 20,000 env entries and 2,000 mounts: correct, and with no quadratic
   * step (this would take seconds if there were one). */
  size_t cap = 4 << 20, len = 0;
  cleanup_free char *text = xmalloc (cap);
  len += (size_t) sprintf (text + len, "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"/\"},\"process\":{\"args\":"
                                       "[\"/bin/true\"],\"cwd\":\"/\",\"env\":[");
  for (int i = 0; i < 20000; i++)
    len += (size_t) sprintf (text + len, "%s\"VAR_%d=value-%d\"", i ? "," : "", i, i);
  len += (size_t) sprintf (text + len, "]},\"mounts\":[");
  for (int i = 0; i < 2000; i++)
    len += (size_t) sprintf (text + len,
                             "%s{\"destination\":\"/m/%d\",\"type\":\"tmpfs\",\"options\":[\"nosuid\",\"mode=1777\"]}",
                             i ? "," : "", i);
  len += (size_t) sprintf (text + len, "],\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}");
  unsigned long long t0 = now_usec ();
  cr_assert_eq (load_text (text), 0);
  unsigned long long took = now_usec () - t0;
  cr_assert_eq (b->process.n_env, 20000);
  cr_assert_str_eq (b->process.env[19999], "VAR_19999=value-19999");
  cr_assert_eq (b->n_mounts, 2000);
  cr_assert_str_eq (b->mounts[1999].destination, "/m/1999");
  /* Generous bound: sanitizers and a busy machine slow this down a lot. */
  cr_expect_lt (took, 2000000ull, "parse+validate took %llu us", took);
}
