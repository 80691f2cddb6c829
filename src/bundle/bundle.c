/* SPDX-License-Identifier: Apache-2.0 */
/* Queries of a parsed bundle, shared by the parser, the validator and the
 * sandbox. */
#include "config.h"

#include <stddef.h>

#include "bundle/bundle.h"

const struct fmr_namespace *
fmr_bundle_namespace (const struct fmr_bundle *b, int type)
{
  for (size_t i = 0; i < b->n_namespaces; i++)
    if (b->namespaces[i].type == type)
      return &b->namespaces[i];
  return NULL;
}
