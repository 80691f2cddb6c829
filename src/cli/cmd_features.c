/* SPDX-License-Identifier: Apache-2.0 */
/* `fmr-run features`: the OCI features document (runtime-spec
 * features.md), listing what this build of fmr-run recognises.  Every list
 * comes from the tables the validator checks against (names.c), so the two
 * cannot drift apart. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <seccomp.h>

#include "bundle/bundle.h"
#include "cli/commands.h"
#include "bundle/names.h"
#include "common/jsongen.h"
#include "common/util.h"

/* Filesystem data options the validator accepts for some mount type
 * (tmpfs, devpts, proc, mqueue); each name once. */
static const char *const data_options[] = {
  "mode",        "size",     "nr_inodes", "nr_blocks", "uid",    "gid", "huge",
  "newinstance", "ptmxmode", "max",       "hidepid",   "subset", NULL,
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: fmr-run features\n\n"
                "Print the OCI features document of this build of fmr-run: the OCI\n"
                "versions, mount options, namespaces, capabilities and seccomp\n"
                "vocabulary it recognises, as JSON.\n");
}

static void
gen_names (struct jgen *j, const char *key, const struct fmr_name_value *table)
{
  jgen_str (j, key);
  jgen_array_open (j);
  for (; table->name; table++)
    jgen_str (j, table->name);
  jgen_array_close (j);
}

static void
gen_disabled (struct jgen *j, const char *key)
{
  jgen_str (j, key);
  jgen_map_open (j);
  jgen_kv_bool (j, "enabled", false);
  jgen_map_close (j);
}

static void
gen_seccomp (struct jgen *j)
{
  jgen_str (j, "seccomp");
  jgen_map_open (j);
  jgen_kv_bool (j, "enabled", true);
  gen_names (j, "actions", fmr_seccomp_action_names);
  gen_names (j, "operators", fmr_seccomp_op_names);
  gen_names (j, "archs", fmr_seccomp_arch_names);
  gen_names (j, "knownFlags", fmr_seccomp_flag_names);
  gen_names (j, "supportedFlags", fmr_seccomp_flag_names);
  jgen_map_close (j);
}

static void
gen_linux (struct jgen *j)
{
  static const char *const cgroup_kinds[] = { "v1", "v2", "systemd", "systemdUser", "rdma" };
  jgen_str (j, "linux");
  jgen_map_open (j);
  gen_names (j, "namespaces", fmr_namespace_names);
  jgen_str (j, "capabilities");
  jgen_array_open (j);
  for (int i = 0; i <= fmr_cap_last (); i++)
    {
      const char *name = fmr_cap_name (i);
      if (name)
        jgen_str (j, name);
    }
  jgen_array_close (j);
  /* linux.resources is refused until cgroup support is built. */
  jgen_str (j, "cgroup");
  jgen_map_open (j);
  for (size_t i = 0; i < ARRAY_SIZE (cgroup_kinds); i++)
    jgen_kv_bool (j, cgroup_kinds[i], false);
  jgen_map_close (j);
  gen_seccomp (j);
  gen_disabled (j, "apparmor");
  gen_disabled (j, "selinux");
  gen_disabled (j, "intelRdt");
  jgen_str (j, "mountExtensions");
  jgen_map_open (j);
  gen_disabled (j, "idmap");
  jgen_map_close (j);
  jgen_map_close (j);
}

static int
features_document (char **out, size_t *len, fmr_error_t *err)
{
  cleanup_jgen struct jgen j;
  jgen_init (&j);
  jgen_map_open (&j);
  jgen_kv_str (&j, "ociVersionMin", "1.0.0");
  jgen_kv_str (&j, "ociVersionMax", "1.2.0");
  /* Hooks are refused: they would run host code outside the sandbox. */
  jgen_str (&j, "hooks");
  jgen_array_open (&j);
  jgen_array_close (&j);
  jgen_str (&j, "mountOptions");
  jgen_array_open (&j);
  for (const struct fmr_mount_option *o = fmr_mount_options; o->name; o++)
    jgen_str (&j, o->name);
  for (size_t i = 0; data_options[i]; i++)
    jgen_str (&j, data_options[i]);
  jgen_array_close (&j);
  gen_linux (&j);
  const struct scmp_version *v = seccomp_version ();
  cleanup_free char *libseccomp = v ? xasprintf ("%u.%u.%u", v->major, v->minor, v->micro) : xstrdup ("unknown");
  jgen_str (&j, "annotations");
  jgen_map_open (&j);
  jgen_kv_str (&j, FMR_ANNOTATION_PREFIX "version", PACKAGE_VERSION);
  jgen_kv_str (&j, FMR_ANNOTATION_PREFIX "libseccomp.version", libseccomp);
  jgen_map_close (&j);
  jgen_map_close (&j);
  return jgen_finish (&j, out, len, err);
}

int
cmd_features (int argc, char **argv)
{
  static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  optind = 1;
  opterr = 0;
  int ch;
  while ((ch = getopt_long (argc, argv, "+h", long_options, NULL)) != -1)
    {
      if (ch == 'h')
        {
          usage (stdout);
          return 0;
        }
      fprintf (stderr, "fmr-run: features: unknown option `%s`; see `fmr-run features --help`\n", argv[optind - 1]);
      return FMR_EXIT_FAILURE;
    }
  if (optind < argc)
    {
      fprintf (stderr, "fmr-run: features: unexpected argument `%s`\n", argv[optind]);
      return FMR_EXIT_FAILURE;
    }
  cleanup_error fmr_error_t err = NULL;
  cleanup_free char *doc = NULL;
  size_t len = 0;
  if (features_document (&doc, &len, &err) < 0)
    {
      fmr_error_prefix (&err, "features");
      fmr_error_print (err);
      return FMR_EXIT_FAILURE;
    }
  if (fwrite (doc, 1, len, stdout) != len || fflush (stdout) != 0)
    {
      perror ("fmr-run: features: write");
      return FMR_EXIT_FAILURE;
    }
  return 0;
}
