/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text -> struct json_node, with positions for every syntax problem. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* All nodes, strings and member arrays of one document live in a few large
 * chunks freed together: a 1 MiB config has some 50,000 values, and one
 * malloc each (plus its header and first-touch page faults) cost more than
 * the parse itself. */
struct arena_chunk
{
  struct arena_chunk *next;
  size_t used, size, bytes; /* bytes: the whole mapping */
  max_align_t data[];
};

#define ARENA_CHUNK_SIZE (256u * 1024)

/* MAP_POPULATE faults the whole chunk in with one call instead of one page
 * fault per page on first touch, which is most of the cost of a large
 * config under virtualisation. */
static struct arena_chunk *
arena_chunk_new (size_t bytes)
{
  void *p = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED)
    {
      static const char msg[] = "fmr-run: out of memory\n";
      (void) !write (STDERR_FILENO, msg, sizeof msg - 1);
      abort ();
    }
  struct arena_chunk *c = p;
  c->bytes = bytes;
  return c;
}

static void *
arena_alloc (struct arena_chunk **arena, size_t n)
{
  n = (n + 15) & ~(size_t) 15;
  struct arena_chunk *c = *arena;
  if (c == NULL || c->size - c->used < n)
    {
      size_t size = n > ARENA_CHUNK_SIZE ? n : ARENA_CHUNK_SIZE;
      c = arena_chunk_new (sizeof *c + size);
      c->used = 0;
      c->size = size;
      /* A chunk bigger than the standard one (a huge string) goes behind
       * the current one, which keeps its free space. */
      if (*arena && size > ARENA_CHUNK_SIZE)
        {
          c->next = (*arena)->next;
          (*arena)->next = c;
        }
      else
        {
          c->next = *arena;
          *arena = c;
        }
    }
  void *p = (char *) c->data + c->used;
  c->used += n;
  return p;
}

static void
arena_free (struct arena_chunk *c)
{
  while (c)
    {
      struct arena_chunk *next = c->next;
      munmap (c, c->bytes);
      c = next;
    }
}

/* The root handed out by json_parse is the first member of its document,
 * which owns the arena. */
struct json_doc
{
  struct json_node root;
  struct arena_chunk *arena;
};

/* Where a key starts; turned into line and column only for the rare
 * duplicate that is reported, since counting lines for every key of a
 * large config cost more than parsing it. */
struct key_pos
{
  size_t off;
};

/* Members of the open containers, innermost last: a container's members
 * are copied into an exact-size array of the arena when it closes. */
struct scratch
{
  struct json_node **items;
  char **keys;
  struct key_pos *pos;
  size_t len, cap;
};

struct builder
{
  yajl_handle h;
  const char *text;
  size_t len;
  struct diag_list *d;
  struct position pos;
  struct json_doc *doc;
  bool have_root;
  struct json_node *stack[FMR_CONFIG_MAX_DEPTH + 1];
  size_t first_member[FMR_CONFIG_MAX_DEPTH + 1]; /* scratch index of each open container's members */
  size_t depth;
  struct scratch sc;
  char *pending_key;            /* in the arena */
  struct key_pos pending_pos;
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

static struct json_node *
new_node (struct builder *bd, enum json_type type)
{
  struct json_node *n;
  if (bd->depth == 0 && !bd->have_root)
    {
      n = &bd->doc->root;
      bd->have_root = true;
    }
  else
    n = arena_alloc (&bd->doc->arena, sizeof *n);
  memset (n, 0, sizeof *n);
  n->type = type;
  return n;
}

static char *
arena_strndup (struct builder *bd, const char *s, size_t len)
{
  char *p = arena_alloc (&bd->doc->arena, len + 1);
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

static int
add_node (struct builder *bd, struct json_node *n)
{
  if (bd->depth == 0)
    return 1; /* the root, already in place */
  struct scratch *sc = &bd->sc;
  if (sc->len == sc->cap)
    {
      sc->cap = sc->cap ? sc->cap * 2 : 256;
      sc->items = xreallocarray (sc->items, sc->cap, sizeof *sc->items);
      sc->keys = xreallocarray (sc->keys, sc->cap, sizeof *sc->keys);
      sc->pos = xreallocarray (sc->pos, sc->cap, sizeof *sc->pos);
    }
  sc->items[sc->len] = n;
  sc->keys[sc->len] = bd->pending_key;
  sc->pos[sc->len] = bd->pending_pos;
  sc->len++;
  bd->pending_key = NULL;
  return 1;
}

static int
on_null (void *ctx)
{
  struct builder *bd = ctx;
  return add_node (bd, new_node (bd, JSON_NULL));
}

static int
on_boolean (void *ctx, int v)
{
  struct builder *bd = ctx;
  struct json_node *n = new_node (bd, JSON_BOOL);
  n->boolean = v != 0;
  return add_node (bd, n);
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  struct builder *bd = ctx;
  struct json_node *n = new_node (bd, JSON_NUMBER);
  n->str = arena_strndup (bd, s, len);
  n->len = len;
  return add_node (bd, n);
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  struct builder *bd = ctx;
  struct json_node *n = new_node (bd, JSON_STRING);
  n->str = arena_strndup (bd, (const char *) s, len);
  n->len = len;
  return add_node (bd, n);
}

static int
open_container (struct builder *bd, enum json_type type)
{
  if (bd->depth >= FMR_CONFIG_MAX_DEPTH)
    {
      /* Refused while parsing, so no deep tree is ever built. */
      bd->too_deep = true;
      bd->error_off = yajl_get_bytes_consumed (bd->h);
      return 0;
    }
  struct json_node *n = new_node (bd, type);
  add_node (bd, n);
  bd->first_member[bd->depth] = bd->sc.len;
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
  bd->pending_pos.off = start;
  bd->pending_key = arena_strndup (bd, (const char *) key, len);
  return 1;
}

static char **sort_keys;

static int
cmp_key_index (const void *a, const void *b)
{
  size_t ia = *(const size_t *) a, ib = *(const size_t *) b;
  int c = strcmp (sort_keys[ia], sort_keys[ib]);
  if (c)
    return c;
  return ia < ib ? -1 : ia > ib;
}

/* Duplicate keys are an error (OCI leaves them undefined, and two parsers
 * picking different ones is how sandboxes get bypassed).  Sorting keeps
 * this O(n log n); the later duplicates are dropped from the members
 * (first..first+*n of the scratch). */
static void
check_duplicates (struct builder *bd, size_t first, size_t *n)
{
  if (*n < 2)
    return;
  char **keys = bd->sc.keys + first;
  cleanup_free size_t *idx = xcalloc (*n, sizeof *idx);
  cleanup_free bool *drop = xcalloc (*n, sizeof *drop);
  for (size_t i = 0; i < *n; i++)
    idx[i] = i;
  sort_keys = keys;
  qsort (idx, *n, sizeof *idx, cmp_key_index);
  bool any = false;
  for (size_t i = 1; i < *n; i++)
    if (strcmp (keys[idx[i]], keys[idx[i - 1]]) == 0)
      drop[idx[i]] = any = true;
  if (!any)
    return;
  struct json_node **items = bd->sc.items + first;
  const struct key_pos *pos = bd->sc.pos + first;
  size_t out = 0;
  for (size_t i = 0; i < *n; i++)
    {
      if (drop[i])
        {
          struct position from_start = { .text = bd->text, .line = 1 };
          unsigned line, column;
          position_at (&from_start, pos[i].off, &line, &column);
          diag_add_at (bd->d, line, column, "duplicate key \"%s\"", keys[i]);
          continue;
        }
      keys[out] = keys[i];
      items[out++] = items[i];
    }
  *n = out;
}

static void
close_container (struct builder *bd)
{
  bd->depth--;
  struct json_node *c = bd->stack[bd->depth];
  size_t first = bd->first_member[bd->depth];
  size_t n = bd->sc.len - first;
  if (c->type == JSON_OBJECT)
    check_duplicates (bd, first, &n);
  c->len = n;
  bd->sc.len = first;
  if (n == 0)
    return; /* items and keys stay NULL */
  c->items = arena_alloc (&bd->doc->arena, n * sizeof *c->items);
  memcpy (c->items, bd->sc.items + first, n * sizeof *c->items);
  if (c->type == JSON_OBJECT)
    {
      c->keys = arena_alloc (&bd->doc->arena, n * sizeof *c->keys);
      memcpy (c->keys, bd->sc.keys + first, n * sizeof *c->keys);
    }
}

static int
on_end_map (void *ctx)
{
  close_container (ctx);
  return 1;
}

static int
on_end_array (void *ctx)
{
  close_container (ctx);
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
  free (bd->sc.items);
  free (bd->sc.keys);
  free (bd->sc.pos);
  if (bd->doc)
    json_free (&bd->doc->root);
  bd->doc = NULL;
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
  bd.doc = xzalloc (sizeof *bd.doc);
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
      struct json_node *root = &bd.doc->root;
      bd.doc = NULL;
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
json_free (struct json_node *root)
{
  if (root == NULL)
    return;
  struct json_doc *doc = (struct json_doc *) root; /* root is its first member */
  arena_free (doc->arena);
  free (doc);
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
