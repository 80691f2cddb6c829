/* SPDX-License-Identifier: Apache-2.0 */
/* Linked into every Criterion test program: Criterion counts a skipped test
 * as passed and exits 0, so automake would report PASS for a check that
 * never ran.  When every test that ran passed but some were skipped, the
 * program exits 77 instead, which automake reports as SKIP; a failure still
 * exits non-zero as before.  Each [SKIP] line above gives its reason. */
#include "config.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* automake's exit status for a skipped test. */
#define EXIT_SKIP 77

static void
exit_skipped (void)
{
  fflush (NULL);
  _exit (EXIT_SKIP);
}

ReportHook (POST_ALL) (struct criterion_global_stats *stats)
{
  if (stats->tests_skipped == 0 || stats->tests_failed || stats->tests_crashed || stats->errors)
    return;
  fprintf (stderr, "SKIP: %zu of %zu tests skipped (reasons in the [SKIP] lines); the others passed\n",
           stats->tests_skipped, stats->nb_tests);
  /* After Criterion's own summary, when main returns. */
  atexit (exit_skipped);
}
