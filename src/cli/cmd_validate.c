/* SPDX-License-Identifier: Apache-2.0 */
/* fmr-run validate [--json] BUNDLE */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "bundle/config_load.h"
#include "common/util.h"
#include "sandbox/seccomp_filter.h"

static void
validate_usage (FILE *out)
{
  fprintf (out, "Usage: fmr-run validate [--json] [BUNDLE]\n\n"
                "Check BUNDLE/config.json (or a config file given by its path) without\n"
                "running anything, and print every problem, one per line, each naming\n"
                "the JSON path it belongs to. BUNDLE defaults to \".\".\n\n"
                "Options:\n"
                "  --json      print the problems as a JSON object, for programs\n"
                "  -h, --help  show this help\n\n"
                "Exit status: 0 when there are no errors (notes allowed), 1 when there are,\n"
                "125 on a usage error.\n");
}

/* `run` builds linux.seccomp with libseccomp before anything else, and
 * libseccomp refuses a few combinations only building finds (two rules for
 * one syscall with the same args and different actions): validate builds
 * the filter too, so that a bundle it accepts does not fail there.  The
 * error already names the field. */
static void
check_seccomp_builds (const struct fmr_bundle *b, struct diag_list *d)
{
  if (b == NULL || b->seccomp == NULL || d->n_errors)
    return;
  struct fmr_bpf bpf;
  cleanup_error fmr_error_t err = NULL;
  if (seccomp_compile (b->seccomp, &bpf, &err) < 0)
    {
      cleanup_free char *text = fmr_error_text (err);
      diag_error (d, "", "%s", text);
      return;
    }
  seccomp_bpf_free (&bpf);
}

int
cmd_validate (int argc, char **argv)
{
  bool json;
  int status = cmd_json_help_options ("validate", argc, argv, validate_usage, &json);
  if (status >= 0)
    return status;
  const char *dir = cmd_bundle_operand ("validate", argc, argv);
  if (dir == NULL)
    return FMR_EXIT_FAILURE;
  struct diag_list d;
  diag_init (&d, "config.json");
  cleanup_error fmr_error_t err = NULL;
  struct fmr_bundle *b = NULL;
  if (config_load (dir, &b, &d, &err) < 0 && err)
    {
      /* The file itself could not be read: still one problem, reported
       * the same way. */
      cleanup_free char *text = fmr_error_text (err);
      diag_error (&d, "", "%s", text);
    }
  check_seccomp_builds (b, &d);
  fmr_bundle_free (b);
  if (json)
    diag_print_json (&d, stdout); /* yajl's beautified output ends with a newline */
  else
    diag_print_text (&d, stdout);
  int code = d.n_errors ? 1 : 0;
  diag_free (&d);
  return code;
}
