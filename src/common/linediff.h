/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_LINEDIFF_H
#define FMR_LINEDIFF_H

/* The lines that differ between two texts, as a unified diff ("--- a",
 * "+++ b", "@@ -l,n +l,n @@" hunks with `context` unchanged lines around
 * each change) that a person can read or `patch` can apply.  NULL when the
 * texts are the same; caller frees. */
char *line_diff (const char *a, const char *b, const char *name_a, const char *name_b, unsigned context);

#endif
