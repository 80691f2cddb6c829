/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a bundle: the file, then parse, then validate; and freeing it. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_load.h"
#include "util.h"

const struct fmr_namespace *
fmr_bundle_namespace (const struct fmr_bundle *b, int type)
{
  for (size_t i = 0; i < b->n_namespaces; i++)
    if (b->namespaces[i].type == type)
      return &b->namespaces[i];
  return NULL;
}

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

int
config_load (const char *bundle_dir, struct fmr_bundle **out, struct diag_list *d, fmr_error_t *err)
{
  cleanup_free char *dir = NULL, *config = NULL, *text = NULL;
  size_t len;
  if (locate (bundle_dir, &dir, &config, err) < 0)
    return -1;
  if (read_file_limited (config, FMR_CONFIG_MAX_SIZE, &text, &len, err) < 0)
    return -1;
  struct fmr_bundle *b = xzalloc (sizeof *b);
  b->dir = dir;
  b->config_path = config;
  dir = config = NULL;
  if (config_parse (text, len, b->dir, b, d) < 0 || config_validate (b, d) < 0)
    {
      fmr_bundle_free (b);
      return -1;
    }
  *out = b;
  return 0;
}

static void
free_mounts (struct fmr_mount *m, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (m[i].destination);
      free (m[i].type);
      free (m[i].source);
      strv_free (m[i].options);
      free (m[i].data);
    }
  free (m);
}

static void
free_seccomp (struct fmr_seccomp *s)
{
  if (s == NULL)
    return;
  for (size_t i = 0; i < s->n_rules; i++)
    {
      strv_free (s->rules[i].names);
      free (s->rules[i].syscall_nrs);
      free (s->rules[i].args);
    }
  free (s->rules);
  free (s->arches);
  strv_free (s->flags);
  free (s);
}

static void
free_process (struct fmr_process *p)
{
  strv_free (p->args);
  strv_free (p->env);
  free (p->cwd);
  free (p->additional_gids);
  for (size_t i = 0; i < p->n_rlimits; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
}

void
fmr_bundle_free (struct fmr_bundle *b)
{
  if (b == NULL)
    return;
  free (b->dir);
  free (b->config_path);
  free (b->oci_version);
  free (b->root_path);
  free_process (&b->process);
  free (b->hostname);
  free (b->domainname);
  free_mounts (b->mounts, b->n_mounts);
  for (size_t i = 0; i < b->n_namespaces; i++)
    free (b->namespaces[i].path);
  free (b->namespaces);
  free (b->uid_mappings);
  free (b->gid_mappings);
  strv_free (b->masked_paths);
  strv_free (b->readonly_paths);
  free_seccomp (b->seccomp);
  for (size_t i = 0; i < b->n_annotations; i++)
    {
      free (b->annotations[i].key);
      free (b->annotations[i].value);
    }
  free (b->annotations);
  free (b);
}
