/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer harness: arbitrary bytes through config_parse and
 * config_validate, then freed.  Only stat() touches the host. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "bundle/config_load.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct diag_list d;
  diag_init (&d, "config.json");
  struct fmr_bundle *b = xzalloc (sizeof *b);
  if (config_parse ((const char *) data, size, "/nonexistent-fuzz-bundle", b, &d) == 0)
    config_validate (b, &d);
  cleanup_free char *first = diag_first_error_text (&d);
  fmr_bundle_free (b);
  diag_free (&d);
  return 0;
}
