/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a bundle: the file, then parse, then validate; and freeing it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle/config_load.h"
#include "bundle/config_parse.h"
#include "common/util.h"

/* BUNDLE may be the bundle directory or, for checking a lone file, the
 * path of a config file (then its directory is the bundle). */
static int
locate (const char *arg, char **dir, char **config, fmr_error_t *err)
{
  struct stat st;
  if (stat (arg, &st) < 0)
    return fmr_error_set (err, errno, "bundle `%s`", arg);
  cleanup_free char *abs = realpath (arg, NULL);
  if (abs == NULL)
    return fmr_error_set (err, errno, "realpath `%s`", arg);
  if (S_ISDIR (st.st_mode))
    {
      *config = xasprintf ("%s/config.json", abs);
      *dir = abs;
      abs = NULL;
      return 0;
    }
  char *slash = strrchr (abs, '/');
  *dir = slash == abs ? xstrdup ("/") : xstrndup (abs, (size_t) (slash - abs));
  *config = abs;
  abs = NULL;
  return 0;
}

/* config.json is read straight into the bundle's arena, sized from the
 * file: the text then needs no copy, and its strings are used where they
 * are. */
static void *
arena_for_config (void *ctx, size_t n)
{
  struct fmr_bundle *b = ctx;
  if (b->doc == NULL)
    b->doc = json_doc_new (n);
  return json_alloc (b->doc, n);
}

static int
read_config (const char *path, struct fmr_bundle *b, char **text, size_t *len, fmr_error_t *err)
{
  static const struct file_buffer_ops arena = { arena_for_config, NULL };
  return read_file_into (path, FMR_CONFIG_MAX_SIZE, &arena, b, text, len, err);
}

int
config_load (const char *bundle_dir, struct fmr_bundle **out, struct diag_list *d, fmr_error_t *err)
{
  cleanup_free char *dir = NULL, *config = NULL;
  if (locate (bundle_dir, &dir, &config, err) < 0)
    return -1;
  struct fmr_bundle *b = xzalloc (sizeof *b);
  b->dir = dir;
  b->config_path = config;
  dir = config = NULL;
  char *text = NULL;
  size_t len = 0;
  if (read_config (b->config_path, b, &text, &len, err) < 0 || config_parse_in_place (text, len, b->dir, b, d) < 0
      || config_validate (b, d) < 0)
    {
      fmr_bundle_free (b);
      return -1;
    }
  *out = b;
  return 0;
}

void
fmr_bundle_free (struct fmr_bundle *b)
{
  if (b == NULL)
    return;
  for (size_t i = 0; i < b->n_mounts; i++)
    free (b->mounts[i].real_source);
  free (b->dir);
  free (b->config_path);
  json_doc_free (b->doc);
  free (b);
}
