/* SPDX-License-Identifier: Apache-2.0 */
/* fmr-run check [--json]: can the default sandbox be built here? */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "check/hostcheck.h"
#include "spec/spec.h"
#include "common/jsongen.h"
#include "common/util.h"

static void
check_usage (FILE *out)
{
  fprintf (
      out,
      "Usage: fmr-run check [--json]\n\n"
      "Probe this host, without side effects: can the default sandbox (the one\n"
      "`fmr-run spec` writes) be built here?  Each part is tried for real in a\n"
      "throw-away child: user namespace and id maps, mount, pid, network (lo up),\n"
      "ipc, uts (hostname) and cgroup namespaces, a new proc mount, a tmpfs, a\n"
      "recursive read-only bind, pivot_root, no_new_privs and a seccomp filter,\n"
      "close_range with CLOSE_RANGE_CLOEXEC (Linux 5.11).\n"
      "One line per part: ok, or the reason and what to change; \"degraded\" when\n"
      "`fmr-run spec` writes a bundle that does without the part (a masked /proc\n"
      "bound instead of a fresh one, no hostname), saying what that costs.\n"
      "Fixes are spelled for the container engine detected (docker, podman,\n"
      "Kubernetes), or for all three.  The kernel release (fmr-run supports\n"
      "Linux 5.14 and later), the new mount API, openat2 and newuidmap are\n"
      "reported for information: fmr-run does without them.  Nothing is left behind: no file, mount or process.\n\n"
      "Options:\n"
      "  --json      print {\"ok\": bool, \"checks\": [{\"name\", \"ok\", \"required\",\n"
      "              \"degraded\", \"detail\", \"fix\"}]}, for programs\n"
      "  -h, --help  show this help\n\n"
      "Exit status: 0 when the default sandbox works here, 1 when it does not,\n"
      "125 on a usage error.\n");
}

static int
print_json (const struct hostcheck_report *r, bool ok)
{
  cleanup_jgen struct jgen j;
  jgen_init (&j);
  jgen_map_open (&j);
  jgen_kv_bool (&j, "ok", ok);
  jgen_str (&j, "checks");
  jgen_array_open (&j);
  for (int part = 0; part < HC_NPARTS; part++)
    {
      jgen_map_open (&j);
      jgen_kv_str (&j, "name", hostcheck_parts[part].name);
      jgen_kv_bool (&j, "ok", r->parts[part].ok);
      jgen_kv_bool (&j, "required", hostcheck_parts[part].required);
      jgen_kv_bool (&j, "degraded", r->parts[part].degraded);
      jgen_kv_str (&j, "detail", r->parts[part].detail);
      jgen_kv_str (&j, "fix", r->parts[part].fix);
      jgen_map_close (&j);
    }
  jgen_array_close (&j);
  jgen_map_close (&j);
  cleanup_error fmr_error_t err = NULL;
  cleanup_free char *doc = NULL;
  size_t len;
  if (jgen_finish (&j, &doc, &len, &err) < 0)
    {
      fmr_error_print (err);
      return FMR_EXIT_FAILURE;
    }
  fwrite (doc, 1, len, stdout);
  return ok ? 0 : 1;
}

/* "name   ok (detail)", "name   FAILED: detail" and "       fix: ...",
 * "name   not tried: why". */
static int
print_text (const struct hostcheck_report *r, bool ok)
{
  bool degraded = false;
  for (int part = 0; part < HC_NPARTS; part++)
    {
      const struct hostcheck_result *res = &r->parts[part];
      const char *name = hostcheck_parts[part].name;
      if (res->ok)
        printf ("%-18s ok%s%s%s\n", name, *res->detail ? " (" : "", res->detail, *res->detail ? ")" : "");
      else if (res->skipped)
        printf ("%-18s %s\n", name, res->detail);
      else
        printf ("%-18s %s: %s\n", name,
                res->degraded                    ? "degraded"
                : hostcheck_parts[part].required ? "FAILED"
                                                 : "info",
                res->detail);
      degraded |= res->degraded;
      if (!res->ok && *res->fix)
        printf ("%-18s fix: %s\n", "", res->fix);
    }
  printf ("\n%s\n", !ok        ? "The default sandbox cannot be built on this host: see FAILED above."
                    : degraded ? "The default sandbox works on this host, degraded where it says so above."
                               : "The default sandbox works on this host.");
  return ok ? 0 : 1;
}

/* What `fmr-run spec` would choose here for a step whose writable
 * directory is the current one (spec_ids.c): who the payload is on the
 * host. */
static void
probe_build_uid (struct hostcheck_report *r)
{
  struct hostcheck_result *res = &r->parts[HC_BUILD_UID];
  free (res->detail);
  free (res->fix);
  *res = (struct hostcheck_result){ .done = true };
  char cwd[PATH_MAX];
  struct spec_bind bind = { .path = getcwd (cwd, sizeof cwd), .writable = true };
  struct spec_options o = { .binds = &bind, .n_binds = bind.path ? 1 : 0, .quiet = true };
  cleanup_error fmr_error_t err = NULL;
  if (spec_ids_choose (&o, &err) < 0)
    {
      res->detail = xasprintf ("spec refuses to choose one: %s", err->msg);
      res->fix = xstrdup ("give spec --build-uid UID[:GID], or the caller a range in /etc/subuid and /etc/subgid");
    }
  else if (!o.privileged)
    {
      res->ok = true;
      res->detail = xasprintf ("the payload is the caller (uid %u) on the host: an unprivileged caller keeps its "
                               "own ids",
                               (unsigned) o.uid);
    }
  else if (o.host_uid != o.uid)
    {
      res->ok = true;
      res->detail = xasprintf ("a root caller's payload runs as %u:%u on the host, its binds idmapped (tried on "
                               "the current directory)",
                               (unsigned) o.host_uid, (unsigned) o.host_gid);
    }
  else
    {
      res->detail = xasprintf ("spec falls back to the caller's own ids, the payload is uid %u on the host: %s",
                               (unsigned) o.uid, o.build_note ? o.build_note : "");
      res->fix = xstrdup ("start fmr-run with CAP_SYS_ADMIN (a privileged container), on a file system with "
                          "idmapped mounts (Linux 5.12 and later; tmpfs 6.3), or as an unprivileged user");
    }
  res->detail = res->detail ? res->detail : xstrdup ("");
  res->fix = res->fix ? res->fix : xstrdup ("");
  free (o.build_note);
}

int
cmd_check (int argc, char **argv)
{
  bool json;
  int status = cmd_json_help_options ("check", argc, argv, check_usage, &json);
  if (status >= 0)
    return status;
  if (optind < argc)
    {
      fprintf (stderr, "fmr-run: check: no arguments expected, got `%s`\n", argv[optind]);
      return FMR_EXIT_FAILURE;
    }
  struct hostcheck_report r;
  bool ok = hostcheck_run (&r);
  probe_build_uid (&r);
  int code = json ? print_json (&r, ok) : print_text (&r, ok);
  hostcheck_report_release (&r);
  return code;
}
