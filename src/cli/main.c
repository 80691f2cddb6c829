/* SPDX-License-Identifier: Apache-2.0 */
/* fmr-run: run one wheel-build step in a sandbox described by an OCI-style
 * bundle.  This file only dispatches verbs; each lives in cmd_<verb>.c. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

struct verb
{
  const char *name;
  int (*fn) (int argc, char **argv);
  const char *summary;
};

static const struct verb verbs[] = {
  { "run", cmd_run, "build the sandbox a bundle describes, run its process, exit with its status" },
  { "spec", cmd_spec, "write a ready bundle for one wheel build step" },
  { "validate", cmd_validate, "check a bundle without running it and print every problem" },
  { "explain", cmd_explain, "say what a bundle's step can see and do, and where it is weaker than the default" },
  { "check", cmd_check, "probe whether the default sandbox can be built on this host" },
  { "features", cmd_features, "print the OCI features document of this build" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: fmr-run [--help] [--version] COMMAND [OPTIONS] [ARGS]\n\n"
                "Run one step of a Python wheel build in a throw-away sandbox described\n"
                "by an OCI runtime bundle (BUNDLE/config.json).\n\n"
                "Commands:\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf (out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
  fprintf (out, "\n`fmr-run COMMAND --help` describes each command.\n\n"
                "Exit status of run: the process's own status; 128+N when it died of\n"
                "signal N; 124 on timeout; 125 when fmr-run failed; 126 when args[0]\n"
                "cannot be executed; 127 when it is not found.\n");
}

int
main (int argc, char **argv)
{
  if (argc < 2)
    {
      usage (stderr);
      return FMR_EXIT_FAILURE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "-V") == 0)
    {
      printf ("fmr-run %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp (argv[1], verbs[i].name) == 0)
      return verbs[i].fn (argc - 1, argv + 1);
  fprintf (stderr, "fmr-run: unknown command `%s`; see `fmr-run --help`\n", argv[1]);
  return FMR_EXIT_FAILURE;
}
