/* SPDX-License-Identifier: Apache-2.0 */
/* The fixture of the parser and validator tests: a fresh diagnostics list
 * and an empty bundle for each test, freed after it.  Included by one test
 * file each (static on purpose). */
#ifndef FMR_TEST_CONFIG_FIXTURE_H
#define FMR_TEST_CONFIG_FIXTURE_H

#include "bundle/config_load.h"
#include "common/util.h"

static struct diag_list d;
static struct fmr_bundle *b;

static void
setup (void)
{
  diag_init (&d, "config.json");
  b = xzalloc (sizeof *b);
}

static void
teardown (void)
{
  fmr_bundle_free (b);
  diag_free (&d);
}

#endif
