/* SPDX-License-Identifier: Apache-2.0 */
/* Option and operand parsing shared by the verbs. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>

#include "cli/commands.h"
#include "bundle/config_load.h"
#include "common/util.h"

int
cmd_json_help_options (const char *verb, int argc, char **argv, void (*usage) (FILE *), bool *json)
{
  static const struct option longopts[] = {
    { "json", no_argument, NULL, 'j' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  *json = false;
  optind = 1;
  opterr = 0;
  int c;
  while ((c = getopt_long (argc, argv, "+h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'j': *json = true; break;
      case 'h': usage (stdout); return 0;
      default:
        fprintf (stderr, "fmr-run: %s: unknown option `%s`; see `fmr-run %s --help`\n", verb, argv[optind - 1], verb);
        return FMR_EXIT_FAILURE;
      }
  return -1;
}

const char *
cmd_bundle_operand (const char *verb, int argc, char **argv)
{
  if (argc - optind > 1)
    {
      fprintf (stderr, "fmr-run: %s: one BUNDLE expected; see `fmr-run %s --help`\n", verb, verb);
      return NULL;
    }
  return optind < argc ? argv[optind] : ".";
}

void
cmd_print_bundle_refusal (const char *dir, const struct diag_list *d, fmr_error_t err)
{
  cleanup_free char *first = diag_first_error_text (d);
  if (first)
    fprintf (stderr, "fmr-run: %s/%s\n", dir, first);
  else
    fmr_error_print (err);
}

int
cmd_load_bundle (const char *dir, struct fmr_bundle **b)
{
  struct diag_list d;
  diag_init (&d, "config.json");
  cleanup_error fmr_error_t err = NULL;
  int r = config_load (dir, b, &d, &err);
  if (r < 0)
    cmd_print_bundle_refusal (dir, &d, err);
  diag_free (&d);
  return r;
}
