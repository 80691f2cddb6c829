/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text -> struct json_node, with positions for every syntax problem. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "config_json.h"
#include "config_load.h"
#include "util.h"

/* Line and column of byte offsets, computed incrementally: offsets arrive
 * in increasing order, so the whole text is scanned once at most. */
struct position
{
  const char *text;
  size_t off, line_start;
  unsigned line;
};

static void
position_at (struct position *p, size_t off, unsigned *line, unsigned *column)
{
  if (off < p->off)
    {
      p->off = p->line_start = 0;
      p->line = 1;
    }
  for (; p->off < off; p->off++)
    if (p->text[p->off] == '\n')
      {
        p->line++;
        p->line_start = p->off + 1;
      }
  *line = p->line;
  *column = (unsigned) (off - p->line_start) + 1;
}

struct key_pos
{
  unsigned line, column;
};

struct builder
{
  yajl_handle h;
  const char *text;
  size_t len;
  struct diag_list *d;
  struct position pos;
  struct json_node *root;
  struct json_node *stack[FMR_CONFIG_MAX_DEPTH + 1];
  /* Per open object: where each key starts, noted when the key is read
   * because positions are computed in increasing order. */
  struct key_pos *key_pos[FMR_CONFIG_MAX_DEPTH + 1];
  size_t key_cap[FMR_CONFIG_MAX_DEPTH + 1];
  size_t depth;
  char *pending_key;
  bool too_deep, bad_key;
  size_t error_off;
};

static void
builder_error_at (struct builder *bd, size_t off, const char *msg)
{
  unsigned line, column;
  position_at (&bd->pos, off, &line, &column);
  diag_add_at (bd->d, line, column, "%s", msg);
}

static void
push_item (struct json_node *parent, struct json_node *child)
{
  if (parent->len == parent->cap)
    {
      parent->cap = parent->cap ? parent->cap * 2 : 4;
      parent->items = xreallocarray (parent->items, parent->cap, sizeof *parent->items);
      if (parent->type == JSON_OBJECT)
        parent->keys = xreallocarray (parent->keys, parent->cap, sizeof *parent->keys);
    }
  parent->items[parent->len++] = child;
}

/* Offset where the key token just consumed starts: yajl reports the end of
 * the token, so walk back to its unescaped opening quote. */
static size_t
key_start (const struct builder *bd)
{
  size_t end = yajl_get_bytes_consumed (bd->h);
  if (end < 2)
    return 0;
  size_t i = end - 2; /* before the closing quote */
  while (i > 0)
    {
      if (bd->text[i] == '"')
        {
          size_t bs = 0;
          while (i > bs && bd->text[i - 1 - bs] == '\\')
            bs++;
          if (bs % 2 == 0)
            return i;
        }
      i--;
    }
  return i;
}

static int
add_node (struct builder *bd, struct json_node *n)
{
  if (bd->depth == 0)
    {
      bd->root = n;
      return 1;
    }
  struct json_node *parent = bd->stack[bd->depth - 1];
  size_t idx = parent->len;
  push_item (parent, n);
  if (parent->type == JSON_OBJECT)
    {
      parent->keys[idx] = bd->pending_key;
      bd->pending_key = NULL;
    }
  return 1;
}

static struct json_node *
new_node (enum json_type type)
{
  struct json_node *n = xzalloc (sizeof *n);
  n->type = type;
  return n;
}

static int
on_null (void *ctx)
{
  return add_node (ctx, new_node (JSON_NULL));
}

static int
on_boolean (void *ctx, int v)
{
  struct json_node *n = new_node (JSON_BOOL);
  n->boolean = v != 0;
  return add_node (ctx, n);
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  struct json_node *n = new_node (JSON_NUMBER);
  n->str = xstrndup (s, len);
  n->len = len;
  return add_node (ctx, n);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  struct json_node *n = new_node (JSON_STRING);
  n->str = xmalloc (len + 1);
  memcpy (n->str, s, len);
  n->str[len] = '\0';
  n->len = len;
  return add_node (ctx, n);
}

static int
open_container (struct builder *bd, enum json_type type)
{
  if (bd->depth >= FMR_CONFIG_MAX_DEPTH)
    {
      /* Refused while parsing, so no deep tree is ever built (and no code
       * recurses deeper than the limit). */
      bd->too_deep = true;
      bd->error_off = yajl_get_bytes_consumed (bd->h);
      return 0;
    }
  struct json_node *n = new_node (type);
  add_node (bd, n);
  bd->key_pos[bd->depth] = NULL;
  bd->key_cap[bd->depth] = 0;
  bd->stack[bd->depth++] = n;
  return 1;
}

static int
on_start_map (void *ctx)
{
  return open_container (ctx, JSON_OBJECT);
}

static int
on_start_array (void *ctx)
{
  return open_container (ctx, JSON_ARRAY);
}

static int
on_map_key (void *ctx, const unsigned char *key, size_t len)
{
  struct builder *bd = ctx;
  size_t start = key_start (bd);
  if (memchr (key, '\0', len) != NULL)
    {
      bd->bad_key = true;
      bd->error_off = start;
      return 0;
    }
  size_t top = bd->depth - 1;
  struct json_node *obj = bd->stack[top];
  if (obj->len >= bd->key_cap[top])
    {
      bd->key_cap[top] = bd->key_cap[top] ? bd->key_cap[top] * 2 : 4;
      bd->key_pos[top] = xreallocarray (bd->key_pos[top], bd->key_cap[top], sizeof *bd->key_pos[top]);
    }
  struct key_pos *kp = &bd->key_pos[top][obj->len];
  position_at (&bd->pos, start, &kp->line, &kp->column);
  free (bd->pending_key);
  bd->pending_key = xstrndup ((const char *) key, len);
  return 1;
}

static const struct json_node *sort_obj;

static int
cmp_key_index (const void *a, const void *b)
{
  size_t ia = *(const size_t *) a, ib = *(const size_t *) b;
  int c = strcmp (sort_obj->keys[ia], sort_obj->keys[ib]);
  if (c)
    return c;
  return ia < ib ? -1 : ia > ib;
}

/* Duplicate keys are an error (OCI leaves them undefined, and two parsers
 * picking different ones is how sandboxes get bypassed).  Sorting keeps
 * this O(n log n); the later duplicates are dropped from the tree. */
static void
check_duplicates (struct builder *bd, struct json_node *obj, const struct key_pos *kp)
{
  if (obj->len < 2)
    return;
  cleanup_free size_t *idx = xcalloc (obj->len, sizeof *idx);
  cleanup_free bool *drop = xcalloc (obj->len, sizeof *drop);
  for (size_t i = 0; i < obj->len; i++)
    idx[i] = i;
  sort_obj = obj;
  qsort (idx, obj->len, sizeof *idx, cmp_key_index);
  bool any = false;
  for (size_t i = 1; i < obj->len; i++)
    if (strcmp (obj->keys[idx[i]], obj->keys[idx[i - 1]]) == 0)
      drop[idx[i]] = any = true;
  if (!any)
    return;
  size_t out = 0;
  for (size_t i = 0; i < obj->len; i++)
    {
      if (!drop[i])
        {
          obj->keys[out] = obj->keys[i];
          obj->items[out++] = obj->items[i];
          continue;
        }
      diag_add_at (bd->d, kp[i].line, kp[i].column, "duplicate key \"%s\"", obj->keys[i]);
      free (obj->keys[i]);
      json_free (obj->items[i]);
    }
  obj->len = out;
}

static int
on_end_map (void *ctx)
{
  struct builder *bd = ctx;
  bd->depth--;
  check_duplicates (bd, bd->stack[bd->depth], bd->key_pos[bd->depth]);
  free (bd->key_pos[bd->depth]);
  bd->key_pos[bd->depth] = NULL;
  return 1;
}

static int
on_end_array (void *ctx)
{
  struct builder *bd = ctx;
  bd->depth--;
  return 1;
}

static const yajl_callbacks callbacks = {
  .yajl_null = on_null,
  .yajl_boolean = on_boolean,
  .yajl_number = on_number,
  .yajl_string = on_string,
  .yajl_start_map = on_start_map,
  .yajl_map_key = on_map_key,
  .yajl_end_map = on_end_map,
  .yajl_start_array = on_start_array,
  .yajl_end_array = on_end_array,
};

/* yajl says "parse error: ...\n" or "lexical error: ...\n"; keep the
 * reason only. */
static void
report_yajl_error (struct builder *bd, size_t off)
{
  unsigned char *raw = yajl_get_error (bd->h, 0, (const unsigned char *) bd->text, bd->len);
  const char *msg = raw ? (const char *) raw : "invalid JSON";
  const char *colon = strstr (msg, "error: ");
  if (colon)
    msg = colon + strlen ("error: ");
  size_t n = strcspn (msg, "\n");
  while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '.'))
    n--;
  cleanup_free char *reason = xstrndup (msg, n);
  unsigned line, column;
  position_at (&bd->pos, off, &line, &column);
  diag_add_at (bd->d, line, column, "parse error: %s", reason);
  if (raw)
    yajl_free_error (bd->h, raw);
}

static void
builder_release (struct builder *bd)
{
  for (size_t i = 0; i <= FMR_CONFIG_MAX_DEPTH; i++)
    free (bd->key_pos[i]);
  free (bd->pending_key);
  json_free (bd->root);
  bd->root = NULL;
  if (bd->h)
    yajl_free (bd->h);
}

static bool
only_whitespace (const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr (" \t\r\n", text[i]) || text[i] == '\0')
      return false;
  return true;
}

struct json_node *
json_parse (const char *text, size_t len, struct diag_list *d)
{
  if (only_whitespace (text, len))
    {
      diag_error (d, "", "the file is empty; expected a JSON object");
      return NULL;
    }
  struct builder bd = { .text = text, .len = len, .d = d, .pos = { .text = text, .line = 1 } };
  bd.h = yajl_alloc (&callbacks, NULL, &bd);
  if (bd.h == NULL)
    abort ();
  yajl_status st = yajl_parse (bd.h, (const unsigned char *) text, len);
  bool at_end = false;
  if (st == yajl_status_ok)
    {
      /* Fails only on truncated input: the problem is at the end. */
      st = yajl_complete_parse (bd.h);
      at_end = true;
    }
  if (st == yajl_status_ok)
    {
      struct json_node *root = bd.root;
      bd.root = NULL;
      builder_release (&bd);
      return root;
    }
  if (bd.too_deep)
    {
      cleanup_free char *msg = xasprintf ("parse error: nesting deeper than the limit of %d",
                                          FMR_CONFIG_MAX_DEPTH);
      builder_error_at (&bd, bd.error_off > 0 ? bd.error_off - 1 : 0, msg);
    }
  else if (bd.bad_key)
    builder_error_at (&bd, bd.error_off, "parse error: object key contains a NUL byte");
  else
    {
      size_t off = at_end ? len : yajl_get_bytes_consumed (bd.h);
      report_yajl_error (&bd, off > 0 && off <= len ? off - 1 : off);
    }
  builder_release (&bd);
  return NULL;
}

void
json_free (struct json_node *n)
{
  if (n == NULL)
    return;
  /* Depth is bounded by FMR_CONFIG_MAX_DEPTH, so recursion is safe. */
  for (size_t i = 0; i < n->len && n->items; i++)
    {
      if (n->keys)
        free (n->keys[i]);
      json_free (n->items[i]);
    }
  free (n->keys);
  free (n->items);
  free (n->str);
  free (n);
}

const struct json_node *
json_get (const struct json_node *obj, const char *key)
{
  if (obj == NULL || obj->type != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->len; i++)
    if (strcmp (obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

const char *
json_type_name (const struct json_node *n)
{
  switch (n->type)
    {
    case JSON_NULL:
      return "null";
    case JSON_BOOL:
      return "a boolean";
    case JSON_NUMBER:
      return "a number";
    case JSON_STRING:
      return "a string";
    case JSON_OBJECT:
      return "an object";
    case JSON_ARRAY:
      return "an array";
    }
  return "a value";
}
