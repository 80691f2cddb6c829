/* SPDX-License-Identifier: Apache-2.0 */
/* JSON text -> struct json_node, with positions for every syntax problem. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "bundle/config_json.h"
#include "bundle/json_arena.h"
#include "bundle/config_load.h"
#include "common/util.h"

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

/* Members of the open containers, innermost last: a container's members
 * are copied into an exact-size array of the arena when it closes. */
struct member
{
  struct json_node node;
  uint32_t key_off; /* where its key starts in the text */
};

struct scratch
{
  struct member *m;
  size_t len, cap, peak;
  size_t mapped;     /* bytes of m when it is a mapping of its own */
  char *first;       /* the first m, in the arena */
  size_t first_size; /* its bytes */
};

/* The first scratch is in the arena, after the text: one member per 32
 * bytes of text is more than a config has open at once (20,000 env entries
 * in a 1 MiB config), and its pages are reused for the typed bundle once
 * the tree is built (arena_recycle). */
static void
scratch_init (struct scratch *sc, struct json_doc *doc, size_t text_len)
{
  sc->cap = text_len / 32 + 64;
  sc->first_size = sc->cap * sizeof *sc->m;
  sc->first = arena_alloc (doc, sc->first_size, _Alignof(struct member));
  sc->m = (struct member *) sc->first;
}

/* More room: a mapping of its own, twice as large. */
static void
scratch_grow (struct scratch *sc)
{
  if (sc->cap > SIZE_MAX / 4 / sizeof *sc->m)
    arena_out_of_memory ();
  size_t bytes = 2 * sc->cap * sizeof *sc->m;
  struct member *m = arena_region_map (&bytes);
  memcpy (m, sc->m, sc->len * sizeof *m);
  if (sc->mapped)
    munmap (sc->m, sc->mapped);
  sc->m = m;
  sc->cap = bytes / sizeof *m;
  sc->mapped = bytes;
}

static void
scratch_release (struct scratch *sc, struct json_doc *doc)
{
  if (sc->mapped)
    {
      munmap (sc->m, sc->mapped);
      sc->peak = sc->first_size / sizeof *sc->m; /* all of the first was written */
    }
  arena_recycle (doc, sc->first, sc->first_size, sc->peak * sizeof *sc->m);
}

#define ROOT_SLOT SIZE_MAX

struct builder
{
  yajl_handle h;
  char *text;
  size_t len;
  struct diag_list *d;
  struct position pos;
  struct json_doc *doc;
  size_t open[FMR_CONFIG_MAX_DEPTH + 1];         /* scratch slot of each open container */
  size_t first_member[FMR_CONFIG_MAX_DEPTH + 1]; /* scratch index of its first member */
  size_t depth;
  struct scratch sc;
  char *pending_key;
  uint32_t pending_off;
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

/* A new value: the root, or the next member of the innermost container. */
static struct json_node *
push (struct builder *bd, enum json_type type)
{
  struct json_node *n;
  if (bd->depth == 0)
    n = &bd->doc->root;
  else
    {
      struct scratch *sc = &bd->sc;
      if (sc->len == sc->cap)
        scratch_grow (sc);
      struct member *m = &sc->m[sc->len++];
      if (sc->len > sc->peak)
        sc->peak = sc->len;
      m->key_off = bd->pending_off;
      n = &m->node;
    }
  *n = (struct json_node){ .type = type, .key = bd->pending_key };
  bd->pending_key = NULL;
  return n;
}

/* The string s[0..len) as a NUL-terminated string of the arena: in place
 * when yajl hands out the text itself (no escapes), where the closing quote
 * has been consumed and is not read again; else a copy. */
static char *
text_string (struct builder *bd, const unsigned char *s, size_t len)
{
  uintptr_t at = (uintptr_t) s, text = (uintptr_t) bd->text;
  if (at >= text && at - text < bd->len && len < bd->len - (at - text) && bd->text[at - text + len] == '"')
    {
      char *p = bd->text + (at - text);
      p[len] = '\0';
      return p;
    }
  return arena_strndup (bd->doc, (const char *) s, len);
}

static int
on_null (void *ctx)
{
  push (ctx, JSON_NULL);
  return 1;
}

static int
on_boolean (void *ctx, int v)
{
  push (ctx, JSON_BOOL)->boolean = v != 0;
  return 1;
}

static int
on_number (void *ctx, const char *s, size_t len)
{
  struct builder *bd = ctx;
  struct json_node *n = push (bd, JSON_NUMBER);
  /* A copy: the byte after a number is the next token. */
  n->str = arena_strndup (bd->doc, s, len);
  n->len = (uint32_t) len;
  return 1;
}

static int
on_string (void *ctx, const unsigned char *s, size_t len)
{
  struct builder *bd = ctx;
  struct json_node *n = push (bd, JSON_STRING);
  n->str = text_string (bd, s, len);
  n->len = (uint32_t) len;
  return 1;
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
  size_t slot = bd->depth == 0 ? ROOT_SLOT : bd->sc.len;
  push (bd, type);
  bd->open[bd->depth] = slot;
  bd->first_member[bd->depth] = bd->sc.len;
  bd->depth++;
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
  bd->pending_off = (uint32_t) start;
  bd->pending_key = text_string (bd, key, len);
  return 1;
}

static bool
same_key (const char *a, const char *b)
{
  return a[0] == b[0] && strcmp (a, b) == 0;
}

static const struct member *sort_members;

static int
cmp_key_index (const void *a, const void *b)
{
  size_t ia = *(const size_t *) a, ib = *(const size_t *) b;
  int c = strcmp (sort_members[ia].node.key, sort_members[ib].node.key);
  if (c)
    return c;
  return ia < ib ? -1 : ia > ib;
}

/* Marks in drop[] every member whose key an earlier member has: pairwise
 * for the small objects of a config, by sorting (O(n log n)) for large
 * ones. */
static bool
find_duplicates (const struct member *m, size_t n, bool *drop)
{
  bool any = false;
  if (n <= 8)
    {
      for (size_t i = 1; i < n; i++)
        for (size_t j = 0; j < i && !drop[i]; j++)
          if (same_key (m[i].node.key, m[j].node.key))
            drop[i] = any = true;
      return any;
    }
  cleanup_free size_t *idx = xcalloc (n, sizeof *idx);
  for (size_t i = 0; i < n; i++)
    idx[i] = i;
  sort_members = m;
  qsort (idx, n, sizeof *idx, cmp_key_index);
  for (size_t i = 1; i < n; i++)
    if (strcmp (m[idx[i]].node.key, m[idx[i - 1]].node.key) == 0)
      drop[idx[i]] = any = true;
  return any;
}

/* Duplicate keys are an error (OCI leaves them undefined, and two parsers
 * picking different ones is how sandboxes get bypassed).  The later
 * duplicates are dropped from the members (first..first+*n of the
 * scratch). */
static void
check_duplicates (struct builder *bd, size_t first, size_t *n)
{
  if (*n < 2)
    return;
  struct member *m = bd->sc.m + first;
  bool small[8] = { false };
  cleanup_free bool *big = *n > 8 ? xcalloc (*n, sizeof *big) : NULL;
  bool *drop = big ? big : small;
  if (!find_duplicates (m, *n, drop))
    return;
  size_t out = 0;
  for (size_t i = 0; i < *n; i++)
    {
      if (drop[i])
        {
          struct position from_start = { .text = bd->text, .line = 1 };
          unsigned line, column;
          position_at (&from_start, m[i].key_off, &line, &column);
          diag_add_at (bd->d, line, column, "duplicate key \"%s\"", m[i].node.key);
          continue;
        }
      m[out++] = m[i];
    }
  *n = out;
}

static void
close_container (struct builder *bd)
{
  bd->depth--;
  size_t first = bd->first_member[bd->depth];
  size_t slot = bd->open[bd->depth];
  size_t n = bd->sc.len - first;
  struct json_node *c = slot == ROOT_SLOT ? &bd->doc->root : &bd->sc.m[slot].node;
  if (c->type == JSON_OBJECT)
    check_duplicates (bd, first, &n);
  c->len = (uint32_t) n;
  bd->sc.len = first;
  if (n == 0)
    return; /* items stays NULL */
  struct json_node *items = arena_alloc (bd->doc, n * sizeof *items, _Alignof(struct json_node));
  const struct member *m = bd->sc.m + first;
  for (size_t i = 0; i < n; i++)
    items[i] = m[i].node;
  c->items = items;
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

static bool
only_whitespace (const char *text, size_t len)
{
  for (size_t i = 0; i < len; i++)
    if (!strchr (" \t\r\n", text[i]) || text[i] == '\0')
      return false;
  return true;
}

static void
report_failure (struct builder *bd, bool at_end)
{
  if (bd->too_deep)
    {
      cleanup_free char *msg = xasprintf ("parse error: nesting deeper than the limit of %d", FMR_CONFIG_MAX_DEPTH);
      builder_error_at (bd, bd->error_off > 0 ? bd->error_off - 1 : 0, msg);
    }
  else if (bd->bad_key)
    builder_error_at (bd, bd->error_off, "parse error: object key contains a NUL byte");
  else
    {
      size_t off = at_end ? bd->len : yajl_get_bytes_consumed (bd->h);
      report_yajl_error (bd, off > 0 && off <= bd->len ? off - 1 : off);
    }
}

const struct json_node *
json_parse (struct json_doc *doc, char *text, size_t len, struct diag_list *d)
{
  if (only_whitespace (text, len))
    {
      diag_error (d, "", "the file is empty; expected a JSON object");
      return NULL;
    }
  if (len >= UINT32_MAX)
    {
      /* Lengths and key offsets are 32-bit; config_load refuses far less. */
      diag_error (d, "", "the text is larger than 4 GiB");
      return NULL;
    }
  struct builder bd = { .text = text, .len = len, .d = d, .pos = { .text = text, .line = 1 }, .doc = doc };
  scratch_init (&bd.sc, doc, len);
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
  if (st != yajl_status_ok)
    report_failure (&bd, at_end);
  scratch_release (&bd.sc, doc);
  yajl_free (bd.h);
  return st == yajl_status_ok ? &doc->root : NULL;
}

const struct json_node *
json_get (const struct json_node *obj, const char *key)
{
  if (obj == NULL || obj->type != JSON_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->len; i++)
    if (same_key (obj->items[i].key, key))
      return &obj->items[i];
  return NULL;
}

const char *
json_type_name (const struct json_node *n)
{
  switch (n->type)
    {
    case JSON_NULL: return "null";
    case JSON_BOOL: return "a boolean";
    case JSON_NUMBER: return "a number";
    case JSON_STRING: return "a string";
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    }
  return "a value";
}
