/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_COMMANDS_H
#define FMR_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

#include "bundle/bundle.h"
#include "common/diag.h"
#include "common/error.h"
#include "common/exit_codes.h"

/* One entry point per verb; argv[0] is the verb.  Each returns the process
 * exit status. */
int cmd_run (int argc, char **argv);
int cmd_spec (int argc, char **argv);
int cmd_validate (int argc, char **argv);
int cmd_explain (int argc, char **argv);
int cmd_check (int argc, char **argv);
int cmd_features (int argc, char **argv);

/* The options of a verb that takes only --json and --help: -1 to go on
 * (optind at the first operand), else the exit status (help shown, or an
 * unknown option reported). */
int cmd_json_help_options (const char *verb, int argc, char **argv, void (*usage) (FILE *), bool *json);

/* The verb's one optional BUNDLE operand at optind, "." when there is
 * none; NULL, after saying so, when there are several. */
const char *cmd_bundle_operand (const char *verb, int argc, char **argv);

/* Why a bundle in DIR was refused, in one line on stderr: its first
 * problem ("fmr-run: DIR/config.json: FIELD: ..."), else ERR (the file
 * could not be read). */
void cmd_print_bundle_refusal (const char *dir, const struct diag_list *d, fmr_error_t err);

/* config_load, a refusal printed as above: 0 with *B set, else -1. */
int cmd_load_bundle (const char *dir, struct fmr_bundle **b);

#endif
