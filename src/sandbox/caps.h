/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CAPS_H
#define FMR_CAPS_H

#include "bundle/bundle.h"
#include "common/error.h"

/* Keep capabilities across the coming setresuid (PR_SET_KEEPCAPS). */
int caps_keep_across_setuid (fmr_error_t *err);
/* process.capabilities, in the order that works.  The bounding set is
 * dropped first, while the ids are still those that hold CAP_SETPCAP;
 * after the uid change (with KEEPCAPS) inheritable/permitted/effective are
 * set from what is permitted, and ambient last (it needs the capability in
 * both permitted and inheritable).  A bundle without process.capabilities
 * gets empty sets: a missing field never means more privilege. */
int caps_drop_bounding (const struct fmr_process *p, fmr_error_t *err);
int caps_apply (const struct fmr_process *p, fmr_error_t *err);

#endif
