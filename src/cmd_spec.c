/* SPDX-License-Identifier: Apache-2.0 */
/* Placeholder until the verb is written. */
#include "config.h"

#include <stdio.h>

#include "commands.h"

int
cmd_spec (int argc, char **argv)
{
  fprintf (stderr, "fmr-run: spec: not implemented yet\n");
  return FMR_EXIT_FAILURE;
}
