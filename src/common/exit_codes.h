/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_EXIT_CODES_H
#define FMR_EXIT_CODES_H

/* Exit statuses of `fmr-run run` that are not the payload's own (DESIGN:
 * 128+N is death by signal N). */
/* 128+N: the process died of signal N, as shells report it. */
#define FMR_EXIT_SIGNAL_BASE 128
#define FMR_EXIT_TIMEOUT 124
#define FMR_EXIT_FAILURE 125
#define FMR_EXIT_CANNOT_EXEC 126
#define FMR_EXIT_NOT_FOUND 127

#endif
