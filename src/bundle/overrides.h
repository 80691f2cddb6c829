/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_OVERRIDES_H
#define FMR_OVERRIDES_H

/* Changes to a bundle given on the command line of `run` for a quick
 * "what if" rerun (--env, --rw, --ro) or a look inside (--shell).  They
 * are applied to the parsed config, which is then written out, parsed and
 * validated again like any bundle: an override can make nothing that a
 * bundle could not say. */

#include <stdbool.h>
#include <stddef.h>

#include "bundle/bundle.h"
#include "common/diag.h"
#include "common/error.h"

/* --rw/--ro: SOURCE:DEST binds SOURCE at DEST, replacing what is bound at
 * DEST; a lone PATH makes the bundle's bind at PATH read-write or
 * read-only, or when there is none, binds host PATH there. */
struct bundle_bind
{
  char *source;      /* absolute host path, owned; NULL: a lone PATH that does not exist on the host */
  char *destination; /* absolute path in the sandbox, owned */
  bool writable;
  bool keep_source; /* a lone PATH: a bind already at PATH keeps its source */
};

struct bundle_overrides
{
  const char **env; /* "NAME=VALUE": replaces NAME in process.env or adds it */
  size_t n_env;
  struct bundle_bind *binds;
  size_t n_binds;
  /* --shell: process.args becomes args (NULL-terminated) with a terminal,
   * and run.fmr.timeout is dropped (a person is typing). */
  bool shell;
  const char *const *args;
};

bool overrides_any (const struct bundle_overrides *o);
void overrides_release (struct bundle_overrides *o);

/* The shell --shell starts: SHELL from the --env overrides, else from
 * process.env, else /bin/sh. */
const char *overrides_shell (const struct fmr_bundle *b, const struct bundle_overrides *o);

/* Apply o to b's config.  *out is a new bundle parsed and validated from
 * the changed config (its problems go to d); *diff, when not NULL, is the
 * change the lasting overrides (env, binds: not --shell) make to the
 * config, as unified-diff lines, or NULL when they change nothing. */
int overrides_apply (const struct fmr_bundle *b, const struct bundle_overrides *o, struct fmr_bundle **out, char **diff,
                     struct diag_list *d, fmr_error_t *err);

#endif
