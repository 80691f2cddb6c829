/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONFIG_JSON_H
#define FMR_CONFIG_JSON_H

/* A small JSON tree built from yajl's event parser, for the config only.
 * Unlike yajl_tree it keeps string lengths (so embedded NULs are caught),
 * keeps numbers as their text (so integers are checked exactly), bounds the
 * nesting depth while parsing, and reports duplicate keys with their line
 * and column.
 *
 * A document owns one arena: its text, its tree and whatever its reader
 * allocates with json_alloc (the typed bundle points into the tree instead
 * of copying it) live there and are freed together by json_doc_free. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/diag.h"

enum json_type
{
  JSON_NULL,
  JSON_BOOL,
  JSON_NUMBER,
  JSON_STRING,
  JSON_OBJECT,
  JSON_ARRAY,
};

struct json_node
{
  enum json_type type : 8;
  bool boolean;
  /* JSON_STRING: bytes (may include NULs); JSON_NUMBER: text length;
   * JSON_OBJECT, JSON_ARRAY: number of members. */
  uint32_t len;
  union
  {
    char *str;               /* string or number text, NUL-terminated */
    struct json_node *items; /* JSON_OBJECT values, JSON_ARRAY elements */
  };
  char *key; /* a member of an object: its name (never holds a NUL) */
};

struct json_doc;

/* An empty document whose arena is sized for a text of about text_len
 * bytes and what is built from it. */
struct json_doc *json_doc_new (size_t text_len);
void json_doc_free (struct json_doc *doc);

/* Zeroed memory that lives as long as doc, aligned for any type. */
void *json_alloc (struct json_doc *doc, size_t size);
/* n elements of size bytes; aborts on overflow. */
void *json_alloc_array (struct json_doc *doc, size_t n, size_t size);
char *json_printf (struct json_doc *doc, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Parse text[0..len), which must live as long as doc (e.g. from
 * json_alloc) and which it modifies: strings without escapes get their
 * terminating NUL in place of their closing quote instead of being copied.
 * On any syntax problem add "LINE:COL: parse error: ..." to d and return
 * NULL.  Duplicate keys are reported to d but the tree is still returned
 * (the first of each duplicate wins), so that later checks can report more
 * problems.  Once per doc: the root lives in it. */
const struct json_node *json_parse (struct json_doc *doc, char *text, size_t len, struct diag_list *d);

/* The member named key, or NULL. */
const struct json_node *json_get (const struct json_node *obj, const char *key);
/* "a string", "a number", ... for messages. */
const char *json_type_name (const struct json_node *n);

#endif
