/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONFIG_LOAD_H
#define FMR_CONFIG_LOAD_H

#include "bundle/bundle.h"
#include "common/diag.h"
#include "common/error.h"

/* Refused before parsing. */
#define FMR_CONFIG_MAX_SIZE (16u * 1024 * 1024)
/* Deepest JSON nesting accepted (the real schema needs 6). */
#define FMR_CONFIG_MAX_DEPTH 64

/* Parse JSON text into *b (zero-initialised by the caller).  Syntax errors
 * carry line and column; wrong types, missing required fields, unsupported
 * OCI fields are errors; unknown non-OCI fields are notes.  Returns 0 when
 * no error was added. */
int config_parse (const char *text, size_t len, const char *bundle_dir, struct fmr_bundle *b, struct diag_list *d);

/* Semantic checks on a parsed bundle, folding options and names into the
 * typed fields.  Returns 0 when no error was added. */
int config_validate (struct fmr_bundle *b, struct diag_list *d);
/* The part of validation that asks what the kernel will refuse during
 * `run` (capset rules, locked mount flags, rlimits above the caller's,
 * a missing working directory): config_kernel.c. */
void config_validate_kernel (const struct fmr_bundle *b, struct diag_list *d);
/* linux.sysctl against the namespaces of the bundle: config_sysctl.c. */
void config_validate_sysctl (const struct fmr_bundle *b, struct diag_list *d);

/* Read BUNDLE/config.json (size-limited), parse and validate.  On success
 * *out is the bundle and 0 is returned; otherwise d holds the problems (or
 * *err, for I/O failures reading the file) and -1 is returned. */
int config_load (const char *bundle_dir, struct fmr_bundle **out, struct diag_list *d, fmr_error_t *err);

/* The caller holds capability CAP (CAP_SYS_ADMIN, ...) in its effective
 * set. */
bool caller_has_cap (int cap);

#endif
