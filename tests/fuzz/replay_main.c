/* SPDX-License-Identifier: Apache-2.0 */
/* Runs the fuzz harness over files named on the command line, so that
 * `make check` replays the corpus through it (under the sanitizers in the
 * ASan build) without needing clang's libFuzzer. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle/config_load.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
main (int argc, char **argv)
{
  int n = 0;
  for (int i = 1; i < argc; i++)
    {
      cleanup_error fmr_error_t err = NULL;
      cleanup_free char *buf = NULL;
      size_t len;
      if (read_file_limited (argv[i], FMR_CONFIG_MAX_SIZE, &buf, &len, &err) < 0)
        {
          fmr_error_print (err);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) buf, len);
      n++;
    }
  printf ("%d passed, 0 failed\n", n);
  return n > 0 ? 0 : 1;
}
