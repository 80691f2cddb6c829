/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_NET_H
#define FMR_NET_H

#include "bundle/bundle.h"
#include "common/error.h"

/* Bring the loopback interface of the current network namespace up: the
 * only interface a new network namespace has. */
int net_loopback_up (fmr_error_t *err);
/* hostname and domainname of the bundle, in the new uts namespace. */
int net_set_names (const struct fmr_bundle *b, fmr_error_t *err);

#endif
