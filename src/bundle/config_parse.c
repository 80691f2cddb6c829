/* SPDX-License-Identifier: Apache-2.0 */
/* config.json -> struct fmr_bundle: the top level, root, hostname and
 * annotations; the sections live in config_process.c, config_mounts.c,
 * config_linux.c and config_seccomp.c. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bundle/config_load.h"
#include "bundle/config_parse.h"
#include "common/util.h"

static void
parse_version (struct pctx *pc, const struct json_node *top, struct fmr_bundle *b)
{
  b->oci_version = get_string (pc, top, "ociVersion", "", true);
  if (b->oci_version == NULL)
    return;
  const char *v = b->oci_version;
  if (strncmp (v, "1.0.", 4) != 0 && strncmp (v, "1.1.", 4) != 0 && strncmp (v, "1.2.", 4) != 0
      && strcmp (v, "1.0") != 0)
    diag_error (pc->d, "ociVersion", "\"%s\" is not supported (1.0.x to 1.2.x)", v);
}

static void
parse_root (struct pctx *pc, const struct json_node *top, struct fmr_bundle *b)
{
  const struct json_node *root = get_member (pc, top, "root", JSON_OBJECT, "", true);
  if (root == NULL)
    return;
  static const char *const known[] = { "path", "readonly", NULL };
  check_members (pc, root, "root", known, NULL);
  char *path = get_string (pc, root, "path", "root", true);
  get_bool (pc, root, "readonly", "root", &b->root_readonly);
  if (path == NULL)
    return;
  if (path[0] == '\0')
    diag_error (pc->d, "root.path", "is empty");
  else
    b->root_path = bundle_path (pc, path);
}

static void
parse_annotations (struct pctx *pc, const struct json_node *top, struct fmr_bundle *b)
{
  const struct json_node *a = get_member (pc, top, "annotations", JSON_OBJECT, "", false);
  if (a == NULL)
    return;
  b->annotations = json_alloc_array (pc->doc, (size_t) a->len + 1, sizeof *b->annotations);
  for (size_t i = 0; i < a->len; i++)
    {
      const struct json_node *v = &a->items[i];
      if (v->type != JSON_STRING)
        {
          cleanup_free char *p = path_join ("annotations", v->key);
          json_want (pc, v, JSON_STRING, p);
          continue;
        }
      struct fmr_annotation *an = &b->annotations[b->n_annotations++];
      an->key = v->key;
      an->value = v->str;
    }
}

static const char *const top_known[]
    = { "ociVersion", "root", "process", "hostname", "domainname", "mounts", "linux", "annotations", NULL };
static const char *const top_unsupported[] = { "hooks", "solaris", "windows", "vm", "zos", "freebsd", NULL };

int
config_parse_in_place (char *text, size_t len, const char *bundle_dir, struct fmr_bundle *b, struct diag_list *d)
{
  size_t errors_before = d->n_errors;
  const struct json_node *top = json_parse (b->doc, text, len, d);
  if (top == NULL)
    return -1;
  struct pctx pc = { .d = d, .bundle_dir = bundle_dir, .doc = b->doc };
  if (!json_want (&pc, top, JSON_OBJECT, ""))
    return -1;
  check_members (&pc, top, "", top_known, top_unsupported);
  parse_version (&pc, top, b);
  parse_root (&pc, top, b);
  const struct json_node *proc = get_member (&pc, top, "process", JSON_OBJECT, "", true);
  if (proc)
    parse_process (&pc, proc, &b->process);
  b->hostname = get_string (&pc, top, "hostname", "", false);
  b->domainname = get_string (&pc, top, "domainname", "", false);
  parse_mounts (&pc, json_get (top, "mounts"), b);
  const struct json_node *linux_ = get_member (&pc, top, "linux", JSON_OBJECT, "", false);
  if (linux_)
    parse_linux (&pc, linux_, b);
  parse_annotations (&pc, top, b);
  return d->n_errors > errors_before ? -1 : 0;
}

int
config_parse (const char *text, size_t len, const char *bundle_dir, struct fmr_bundle *b, struct diag_list *d)
{
  if (b->doc == NULL)
    b->doc = json_doc_new (len);
  char *copy = json_alloc (b->doc, len + 1);
  memcpy (copy, text, len);
  return config_parse_in_place (copy, len, bundle_dir, b, d);
}
