/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line overrides of a bundle (--env, --rw, --ro, --shell): applied
 * to a copy of the parsed config's tree, written out, and parsed and
 * validated again as a whole bundle. */
#include "config.h"

#include <string.h>

#include "bundle/config_load.h"
#include "bundle/json_arena.h"
#include "bundle/overrides.h"
#include "common/jsongen.h"
#include "common/linediff.h"
#include "common/util.h"

bool
overrides_any (const struct bundle_overrides *o)
{
  return o->n_env || o->n_binds || o->shell;
}

void
overrides_release (struct bundle_overrides *o)
{
  free (o->env);
  for (size_t i = 0; i < o->n_binds; i++)
    {
      free (o->binds[i].source);
      free (o->binds[i].destination);
    }
  free (o->binds);
  *o = (struct bundle_overrides){ 0 };
}

static const char *
env_lookup (const char *const *env, size_t n, const char *name)
{
  size_t len = strlen (name);
  const char *found = NULL;
  for (size_t i = 0; i < n; i++)
    if (strncmp (env[i], name, len) == 0 && env[i][len] == '=')
      found = env[i] + len + 1;
  return found;
}

const char *
overrides_shell (const struct fmr_bundle *b, const struct bundle_overrides *o)
{
  const char *s = env_lookup (o->env, o->n_env, "SHELL");
  if (s == NULL)
    s = env_lookup ((const char *const *) b->process.env, b->process.n_env, "SHELL");
  return s && *s ? s : "/bin/sh";
}

/* Tree edits.  Nodes are copied only where something changes; the rest
 * is shared with the original tree, which stays as it was. */

static struct json_node
str_node (struct json_doc *doc, const char *key, const char *s)
{
  size_t len = strlen (s);
  return (struct json_node){
    .type = JSON_STRING, .len = (uint32_t) len, .str = arena_strndup (doc, s, len), .key = (char *) key
  };
}

/* A copy of container n with room for `extra` more members. */
static struct json_node *
grow (struct json_doc *doc, const struct json_node *n, size_t extra)
{
  struct json_node *c = json_alloc (doc, sizeof *c);
  *c = *n;
  c->items = json_alloc_array (doc, n->len + extra, sizeof *c->items);
  if (n->len)
    memcpy (c->items, n->items, n->len * sizeof *c->items);
  return c;
}

/* obj with member key set to v (replaced where it is, else added last). */
static struct json_node *
set_member (struct json_doc *doc, const struct json_node *obj, const char *key, struct json_node v)
{
  struct json_node *c = grow (doc, obj, 1);
  v.key = arena_strndup (doc, key, strlen (key));
  for (uint32_t i = 0; i < c->len; i++)
    if (strcmp (c->items[i].key, key) == 0)
      {
        c->items[i] = v;
        return c;
      }
  c->items[c->len++] = v;
  return c;
}

static struct json_node *
drop_member (struct json_doc *doc, const struct json_node *obj, const char *key)
{
  struct json_node *c = grow (doc, obj, 0);
  uint32_t k = 0;
  for (uint32_t i = 0; i < c->len; i++)
    if (strcmp (c->items[i].key, key) != 0)
      c->items[k++] = c->items[i];
  c->len = k;
  return c;
}

static const struct json_node empty_object = { .type = JSON_OBJECT };
static const struct json_node empty_array = { .type = JSON_ARRAY };

static const struct json_node *
member_or (const struct json_node *obj, const char *key, const struct json_node *dflt)
{
  const struct json_node *v = json_get (obj, key);
  return v && v->type == dflt->type ? v : dflt;
}

static struct json_node *
apply_env (struct json_doc *doc, const struct json_node *top, const struct bundle_overrides *o)
{
  const struct json_node *process = member_or (top, "process", &empty_object);
  struct json_node *env = grow (doc, member_or (process, "env", &empty_array), o->n_env);
  for (size_t i = 0; i < o->n_env; i++)
    {
      size_t name_len = strcspn (o->env[i], "=") + 1;
      uint32_t k = 0;
      while (k < env->len
             && !(env->items[k].type == JSON_STRING && strncmp (env->items[k].str, o->env[i], name_len) == 0))
        k++;
      env->items[k] = str_node (doc, NULL, o->env[i]);
      if (k == env->len)
        env->len++;
    }
  return set_member (doc, top, "process", *set_member (doc, process, "env", *env));
}

static bool
is_bind (const struct json_node *m)
{
  const struct json_node *type = json_get (m, "type");
  if (type && type->type == JSON_STRING && strcmp (type->str, "bind") == 0)
    return true;
  const struct json_node *opts = member_or (m, "options", &empty_array);
  for (uint32_t i = 0; i < opts->len; i++)
    if (opts->items[i].type == JSON_STRING
        && (strcmp (opts->items[i].str, "bind") == 0 || strcmp (opts->items[i].str, "rbind") == 0))
      return true;
  return false;
}

/* The options of m without its read-only or read-write word, then "ro" or
 * "rw" in its place. */
static struct json_node
bind_options (struct json_doc *doc, const struct json_node *m, bool writable)
{
  const struct json_node *opts = member_or (m, "options", &empty_array);
  struct json_node *c = grow (doc, opts, 1);
  uint32_t k = 0;
  bool placed = false;
  for (uint32_t i = 0; i < c->len; i++)
    {
      const struct json_node *o = &c->items[i];
      bool word = o->type == JSON_STRING
                  && (strcmp (o->str, "ro") == 0 || strcmp (o->str, "rw") == 0 || strcmp (o->str, "rro") == 0);
      if (!word)
        c->items[k++] = *o;
      else if (!placed)
        c->items[k++] = str_node (doc, NULL, writable ? "rw" : "ro"), placed = true;
    }
  if (!placed)
    c->items[k++] = str_node (doc, NULL, writable ? "rw" : "ro");
  c->len = k;
  return *c;
}

static struct json_node
new_bind (struct json_doc *doc, const struct bundle_bind *bind)
{
  struct json_node *m = json_alloc (doc, sizeof *m);
  *m = empty_object;
  m = set_member (doc, m, "destination", str_node (doc, NULL, bind->destination));
  m = set_member (doc, m, "type", str_node (doc, NULL, "bind"));
  m = set_member (doc, m, "source", str_node (doc, NULL, bind->source));
  struct json_node opts = { .type = JSON_ARRAY };
  const char *const words[] = { "rbind", bind->writable ? "rw" : "ro", "nosuid", "nodev" };
  opts.items = json_alloc_array (doc, ARRAY_SIZE (words), sizeof *opts.items);
  for (size_t i = 0; i < ARRAY_SIZE (words); i++)
    opts.items[opts.len++] = str_node (doc, NULL, words[i]);
  return *set_member (doc, m, "options", opts);
}

static struct json_node *
apply_binds (struct json_doc *doc, const struct json_node *top, const struct bundle_overrides *o, struct diag_list *d)
{
  struct json_node *mounts = grow (doc, member_or (top, "mounts", &empty_array), o->n_binds);
  for (size_t i = 0; i < o->n_binds; i++)
    {
      const struct bundle_bind *bind = &o->binds[i];
      /* The last mount at that destination is the one the step sees. */
      uint32_t k = mounts->len;
      while (k-- > 0)
        {
          const struct json_node *dest = json_get (&mounts->items[k], "destination");
          if (dest && dest->type == JSON_STRING && strcmp (dest->str, bind->destination) == 0)
            break;
        }
      if (k != UINT32_MAX && is_bind (&mounts->items[k]))
        {
          const struct json_node *m = &mounts->items[k];
          if (!bind->keep_source)
            m = set_member (doc, m, "source", str_node (doc, NULL, bind->source));
          mounts->items[k] = *set_member (doc, m, "options", bind_options (doc, m, bind->writable));
        }
      else if (bind->source == NULL)
        {
          diag_error (d, "mounts", "--%s %s: not a host path, and the bundle binds nothing at %s",
                      bind->writable ? "rw" : "ro", bind->destination, bind->destination);
          return NULL;
        }
      else
        mounts->items[mounts->len++] = new_bind (doc, bind);
    }
  return set_member (doc, top, "mounts", *mounts);
}

static struct json_node *
apply_shell (struct json_doc *doc, const struct json_node *top, const struct bundle_overrides *o)
{
  const struct json_node *process = member_or (top, "process", &empty_object);
  struct json_node args = { .type = JSON_ARRAY };
  size_t n = 0;
  while (o->args[n])
    n++;
  args.items = json_alloc_array (doc, n, sizeof *args.items);
  for (size_t i = 0; i < n; i++)
    args.items[args.len++] = str_node (doc, NULL, o->args[i]);
  struct json_node *p = set_member (doc, process, "args", args);
  p = set_member (doc, p, "terminal", (struct json_node){ .type = JSON_BOOL, .boolean = true });
  struct json_node *t = set_member (doc, top, "process", *p);
  const struct json_node *ann = json_get (t, "annotations");
  if (ann && ann->type == JSON_OBJECT)
    t = set_member (doc, t, "annotations", *drop_member (doc, ann, FMR_ANNOTATION_PREFIX "timeout"));
  return t;
}

static void
emit (struct jgen *j, const struct json_node *n)
{
  switch (n->type)
    {
    case JSON_NULL: jgen_null (j); break;
    case JSON_BOOL: jgen_bool (j, n->boolean); break;
    case JSON_NUMBER: jgen_number_text (j, n->str); break;
    case JSON_STRING: jgen_strn (j, n->str, n->len); break;
    case JSON_OBJECT:
      jgen_map_open (j);
      for (uint32_t i = 0; i < n->len; i++)
        {
          jgen_str (j, n->items[i].key);
          emit (j, &n->items[i]);
        }
      jgen_map_close (j);
      break;
    case JSON_ARRAY:
      jgen_array_open (j);
      for (uint32_t i = 0; i < n->len; i++)
        emit (j, &n->items[i]);
      jgen_array_close (j);
      break;
    }
}

static int
to_text (const struct json_node *n, char **out, size_t *len, fmr_error_t *err)
{
  cleanup_jgen struct jgen j;
  jgen_init (&j);
  emit (&j, n);
  return jgen_finish (&j, out, len, err);
}

int
overrides_apply (const struct fmr_bundle *b, const struct bundle_overrides *o, struct fmr_bundle **out, char **diff,
                 struct diag_list *d, fmr_error_t *err)
{
  *out = NULL;
  if (diff)
    *diff = NULL;
  struct json_doc *scratch = json_doc_new (4096);
  const struct json_node *top = &b->doc->root;
  const struct json_node *lasting = top;
  if (o->n_env)
    lasting = apply_env (scratch, lasting, o);
  if (o->n_binds && (lasting = apply_binds (scratch, lasting, o, d)) == NULL)
    {
      json_doc_free (scratch);
      return -1;
    }
  const struct json_node *final = o->shell ? apply_shell (scratch, lasting, o) : lasting;
  cleanup_free char *before = NULL, *after = NULL, *text = NULL;
  size_t len;
  int r = to_text (final, &text, &len, err);
  if (r == 0 && diff && lasting != top && (r = to_text (top, &before, &len, err)) == 0
      && (r = to_text (lasting, &after, &len, err)) == 0)
    *diff = line_diff (before, after, "config.json", "config.json (with the overrides)", 3);
  json_doc_free (scratch);
  if (r < 0)
    return fmr_error_prefix (err, "overrides");
  struct fmr_bundle *nb = xzalloc (sizeof *nb);
  nb->dir = xstrdup (b->dir);
  nb->config_path = xstrdup (b->config_path);
  if (config_parse (text, strlen (text), nb->dir, nb, d) < 0 || config_validate (nb, d) < 0)
    {
      fmr_bundle_free (nb);
      if (diff)
        {
          free (*diff);
          *diff = NULL;
        }
      return -1;
    }
  *out = nb;
  return 0;
}
