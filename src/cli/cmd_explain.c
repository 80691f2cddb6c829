/* SPDX-License-Identifier: Apache-2.0 */
/* fmr-run explain [--json] BUNDLE: what the step can see and do. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "bundle/config_load.h"
#include "bundle/explain.h"
#include "common/jsongen.h"
#include "common/util.h"

/* Where the second column of the path table starts. */
#define COL 30

static void
explain_usage (FILE *out)
{
  fprintf (out, "Usage: fmr-run explain [--json] [BUNDLE]\n\n"
                "Say, in plain words, what the step BUNDLE/config.json describes can see\n"
                "and do: every path it can read and write (with the host path, and who\n"
                "owns the files it writes there), the network, the host processes it sees,\n"
                "its environment's variable names (values hidden), limits, privileges, the\n"
                "seccomp filter, and where it is weaker than the default sandbox and why\n"
                "(with the run.fmr.* annotations `spec` records). Nothing is run.\n"
                "BUNDLE defaults to \".\".\n\n"
                "Options:\n"
                "  --json      the same as a JSON object, for programs\n"
                "  -h, --help  show this help\n\n"
                "Exit status: 0, or 125 when the bundle is not valid (see `fmr-run validate`).\n");
}

static const char *
access_of (const struct explain_path *p)
{
  return p->hidden ? "hidden" : p->writable ? "write" : "read";
}

/* Who gets the files the step writes into p, and a warning when what is
 * there already belongs to a uid the sandbox does not map. */
static void
print_owner (const struct bundle_explain *e, const struct explain_path *p)
{
  if (!p->writable || p->source == NULL)
    return;
  if (p->has_owner)
    printf ("; new files: host uid %u, gid %u", (unsigned) p->owner_uid, (unsigned) p->owner_gid);
  else
    printf ("; the step's uid %u has no host uid: it cannot create files", (unsigned) e->uid);
  if (p->source_known && !p->source_uid_mapped)
    printf ("\n%*sits files belong to host uid %u, which the sandbox does not map: the step sees them\n"
            "%*sowned by nobody (65534) and cannot change them",
            COL, "", (unsigned) p->source_uid, COL, "");
}

/* maskedPaths or readonlyPaths on one line each. */
static void
print_path_group (const struct bundle_explain *e, bool hidden, const char *field)
{
  size_t n = 0;
  for (size_t i = 0; i < e->n_paths; i++)
    if (e->paths[i].source == NULL && e->paths[i].hidden == hidden && strstr (e->paths[i].what, field))
      {
        if (n++ == 0)
          printf ("%-7s", hidden ? "hidden" : "read");
        printf (" %s", e->paths[i].path);
      }
  if (n)
    printf (" (%s)\n", field);
}

/* At most `max` of the space-separated words of s, and how many more. */
static void
print_words (const char *s, size_t max, int indent)
{
  size_t n = 0, col = (size_t) indent;
  const char *w = s;
  while (*w)
    {
      size_t len = strcspn (w, " ");
      if (n == max)
        {
          size_t rest = 0;
          for (const char *q = w; *q; q += strcspn (q, " "), q += *q == ' ')
            rest++;
          printf (" ... and %zu more (--json lists them)", rest);
          break;
        }
      if (col + len + 1 > 100)
        {
          printf ("\n%*s", indent, "");
          col = (size_t) indent;
        }
      printf (" %.*s", (int) len, w);
      col += len + 1;
      n++;
      w += len;
      w += *w == ' ';
    }
  putchar ('\n');
}

static void
print_text (const struct fmr_bundle *b, const struct bundle_explain *e)
{
  printf ("What the step of %s can see and do\n\n", b->config_path);
  printf ("%-12s", "runs");
  for (size_t i = 0; e->args[i]; i++)
    printf (" %s", e->args[i]);
  printf ("\n%-12s %s\n", "in", e->cwd);
  if (e->user_ns && e->n_uids_mapped)
    {
      printf ("%-12s uid %u, gid %u in the sandbox", "as", (unsigned) e->uid, (unsigned) e->gid);
      if (e->host_uid_mapped)
        printf (" = host uid %u, gid %u, who owns what it writes", (unsigned) e->host_uid, (unsigned) e->host_gid);
      else
        printf (", which is no host uid: it cannot create files outside tmpfs");
      printf ("\n%-12s %zu host uid%s exist%s in the sandbox: files of any other show as nobody (65534)\n", "",
              e->n_uids_mapped, e->n_uids_mapped == 1 ? "" : "s", e->n_uids_mapped == 1 ? "s" : "");
    }
  else
    printf ("%-12s uid %u, gid %u: %s\n", "as", (unsigned) e->uid, (unsigned) e->gid,
            e->user_ns ? "in a user namespace it joins" : "the host's own ids (no user namespace)");
  printf ("\n%-7s %-*s %s\n", "access", COL - 9, "path", "host path (= the same path), what");
  for (size_t i = 0; i < e->n_paths; i++)
    {
      const struct explain_path *p = &e->paths[i];
      if (p->source == NULL && (strstr (p->what, "linux.maskedPaths") || strstr (p->what, "linux.readonlyPaths")))
        continue;
      int w = printf ("%-7s %-*s ", access_of (p), COL - 9, p->path);
      if (w > COL)
        printf ("\n%*s", COL, "");
      if (p->source && strcmp (p->source, p->path) == 0)
        printf ("= host, %s", p->what);
      else if (p->source)
        printf ("host %s, %s", p->source, p->what);
      else
        printf ("%s", p->what);
      print_owner (e, p);
      putchar ('\n');
    }
  print_path_group (e, false, "linux.readonlyPaths");
  print_path_group (e, true, "linux.maskedPaths");
  printf ("\n%-12s %s\n", "network", e->network);
  if (e->n_interfaces)
    {
      printf ("%-12s", "interfaces");
      for (size_t i = 0; i < e->n_interfaces; i++)
        printf (" %s", e->interfaces[i]);
      putchar ('\n');
    }
  printf ("%-12s %s\n", "processes", e->processes);
  printf ("%-12s %s\n", "ipc", e->ipc);
  printf ("%-12s %s\n", "hostname", e->hostname);
  printf ("%-12s", "environment");
  for (size_t i = 0; i < e->n_env; i++)
    printf (" %s", e->env_names[i]);
  printf ("%s\n", e->n_env ? " (values hidden)" : " empty");
  for (size_t i = 0; i < e->n_limits; i++)
    printf ("%-12s %s\n", i ? "" : "limits", e->limits[i]);
  printf ("%-12s %s\n", "privileges", e->privileges);
  printf ("%-12s %s\n", "seccomp", e->seccomp);
  for (size_t i = 0; i < e->n_seccomp_rules; i++)
    {
      const char *colon = strstr (e->seccomp_rules[i], "): ");
      printf ("%-12s %.*s:", "", colon ? (int) (colon - e->seccomp_rules[i] + 1) : 0, e->seccomp_rules[i]);
      print_words (colon ? colon + 3 : e->seccomp_rules[i], 24, 14);
    }
  printf ("\nweaker than the default sandbox:%s\n", e->n_weaker ? "" : " nothing");
  for (size_t i = 0; i < e->n_weaker; i++)
    printf ("  - %s: %s\n", e->weaker[i].what, e->weaker[i].why);
  if (e->n_degraded)
    {
      printf ("degraded on this host (recorded by `spec`):\n");
      for (size_t i = 0; i < e->n_degraded; i++)
        printf ("  - %s: %s\n", e->degraded[i]->key, e->degraded[i]->value);
    }
}

static void
json_lines (struct jgen *j, const char *key, char *const *v, size_t n)
{
  jgen_str (j, key);
  jgen_array_open (j);
  for (size_t i = 0; i < n; i++)
    jgen_str (j, v[i]);
  jgen_array_close (j);
}

static void
json_path (struct jgen *j, const struct explain_path *p)
{
  jgen_map_open (j);
  jgen_kv_str (j, "path", p->path);
  jgen_kv_str (j, "access", access_of (p));
  jgen_str (j, "source");
  if (p->source)
    jgen_str (j, p->source);
  else
    jgen_null (j);
  jgen_kv_str (j, "what", p->what);
  if (p->writable && p->source)
    {
      jgen_str (j, "new_files_owner");
      if (p->has_owner)
        {
          jgen_map_open (j);
          jgen_kv_int (j, "uid", p->owner_uid);
          jgen_kv_int (j, "gid", p->owner_gid);
          jgen_map_close (j);
        }
      else
        jgen_null (j);
      if (p->source_known)
        {
          jgen_kv_int (j, "source_owner_uid", p->source_uid);
          jgen_kv_bool (j, "source_owner_mapped", p->source_uid_mapped);
        }
    }
  jgen_map_close (j);
}

static int
print_json (const struct fmr_bundle *b, const struct bundle_explain *e, fmr_error_t *err)
{
  cleanup_jgen struct jgen j;
  jgen_init (&j);
  jgen_map_open (&j);
  jgen_kv_str (&j, "bundle", b->dir);
  jgen_str (&j, "process");
  jgen_map_open (&j);
  jgen_kv_strv (&j, "args", e->args);
  jgen_kv_str (&j, "cwd", e->cwd);
  jgen_kv_int (&j, "uid", e->uid);
  jgen_kv_int (&j, "gid", e->gid);
  jgen_kv_bool (&j, "user_namespace", e->user_ns);
  jgen_str (&j, "host_uid");
  e->host_uid_mapped ? jgen_int (&j, e->host_uid) : jgen_null (&j);
  jgen_str (&j, "host_gid");
  e->host_gid_mapped ? jgen_int (&j, e->host_gid) : jgen_null (&j);
  jgen_kv_int (&j, "host_uids_mapped", (long long) e->n_uids_mapped);
  jgen_map_close (&j);
  jgen_str (&j, "paths");
  jgen_array_open (&j);
  for (size_t i = 0; i < e->n_paths; i++)
    json_path (&j, &e->paths[i]);
  jgen_array_close (&j);
  jgen_str (&j, "network");
  jgen_map_open (&j);
  jgen_kv_bool (&j, "host", e->network_host);
  jgen_kv_str (&j, "text", e->network);
  json_lines (&j, "interfaces", e->interfaces, e->n_interfaces);
  jgen_map_close (&j);
  jgen_str (&j, "processes");
  jgen_map_open (&j);
  jgen_kv_bool (&j, "host_visible", e->host_processes_visible);
  jgen_kv_str (&j, "text", e->processes);
  jgen_map_close (&j);
  jgen_kv_str (&j, "ipc", e->ipc);
  jgen_kv_str (&j, "hostname", e->hostname);
  json_lines (&j, "env", e->env_names, e->n_env);
  json_lines (&j, "limits", e->limits, e->n_limits);
  jgen_str (&j, "rlimits");
  jgen_map_open (&j);
  for (size_t i = 0; i < b->process.n_rlimits; i++)
    {
      jgen_str (&j, b->process.rlimits[i].type);
      jgen_array_open (&j);
      jgen_int (&j, (long long) b->process.rlimits[i].soft);
      jgen_int (&j, (long long) b->process.rlimits[i].hard);
      jgen_array_close (&j);
    }
  jgen_map_close (&j);
  jgen_kv_str (&j, "privileges", e->privileges);
  jgen_str (&j, "seccomp");
  jgen_map_open (&j);
  jgen_kv_str (&j, "text", e->seccomp);
  json_lines (&j, "rules", e->seccomp_rules, e->n_seccomp_rules);
  jgen_map_close (&j);
  jgen_str (&j, "weaker");
  jgen_array_open (&j);
  for (size_t i = 0; i < e->n_weaker; i++)
    {
      jgen_map_open (&j);
      jgen_kv_str (&j, "what", e->weaker[i].what);
      jgen_kv_str (&j, "why", e->weaker[i].why);
      jgen_map_close (&j);
    }
  jgen_array_close (&j);
  jgen_str (&j, "degraded");
  jgen_map_open (&j);
  for (size_t i = 0; i < e->n_degraded; i++)
    jgen_kv_str (&j, e->degraded[i]->key, e->degraded[i]->value);
  jgen_map_close (&j);
  jgen_map_close (&j);
  cleanup_free char *out = NULL;
  size_t len;
  if (jgen_finish (&j, &out, &len, err) < 0)
    return -1;
  fwrite (out, 1, len, stdout);
  return 0;
}

int
cmd_explain (int argc, char **argv)
{
  bool json;
  int status = cmd_json_help_options ("explain", argc, argv, explain_usage, &json);
  if (status >= 0)
    return status;
  const char *dir = cmd_bundle_operand ("explain", argc, argv);
  if (dir == NULL)
    return FMR_EXIT_FAILURE;
  struct fmr_bundle *b = NULL;
  if (cmd_load_bundle (dir, &b) < 0)
    return FMR_EXIT_FAILURE;
  cleanup_error fmr_error_t err = NULL;
  struct bundle_explain e;
  bundle_explain (b, &e);
  int code = 0;
  if (json)
    code = print_json (b, &e, &err) < 0 ? (fmr_error_print (err), FMR_EXIT_FAILURE) : 0;
  else
    print_text (b, &e);
  bundle_explain_release (&e);
  fmr_bundle_free (b);
  return code;
}
