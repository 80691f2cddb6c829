/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SECCOMP_FILTER_H
#define FMR_SECCOMP_FILTER_H

#include "bundle.h"
#include "error.h"

/* Translate linux.seccomp with libseccomp and load it into the calling
 * thread.  The filter is built completely before it is loaded. */
int seccomp_apply (const struct fmr_seccomp *s, fmr_error_t *err);

#endif
