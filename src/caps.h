/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CAPS_H
#define FMR_CAPS_H

#include "bundle.h"
#include "error.h"

/* Keep capabilities across the coming setresuid (PR_SET_KEEPCAPS). */
int caps_keep_across_setuid (fmr_error_t *err);
/* process.capabilities, in the order that works: the bounding set first
 * (dropping needs CAP_SETPCAP, which the next step may remove), then
 * inheritable/permitted/effective, ambient last (it needs the capability
 * in both permitted and inheritable). */
int caps_apply (const struct fmr_process *p, fmr_error_t *err);

#endif
