/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONFIG_JSON_H
#define FMR_CONFIG_JSON_H

/* A small JSON tree built from yajl's event parser, for the config only.
 * Unlike yajl_tree it keeps string lengths (so embedded NULs are caught),
 * keeps numbers as their text (so integers are checked exactly), bounds the
 * nesting depth while parsing, and reports duplicate keys with their line
 * and column. */

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

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
  enum json_type type;
  bool boolean;
  /* JSON_STRING: bytes (may include NULs); JSON_NUMBER: text length;
   * JSON_OBJECT, JSON_ARRAY: number of members. */
  size_t len;
  char *str;                /* string or number text, NUL-terminated */
  char **keys;              /* JSON_OBJECT: member names (never hold a NUL) */
  struct json_node **items; /* JSON_OBJECT values, JSON_ARRAY elements */
};

/* Parse text; on any syntax problem add "LINE:COL: parse error: ..." to d
 * and return NULL.  Duplicate keys are reported to d but the tree is still
 * returned (the first of each duplicate wins), so that later checks can
 * report more problems. */
struct json_node *json_parse (const char *text, size_t len, struct diag_list *d);
/* Frees a whole tree; only for a root that json_parse returned. */
void json_free (struct json_node *root);

/* The member named key, or NULL. */
const struct json_node *json_get (const struct json_node *obj, const char *key);
/* "a string", "a number", ... for messages. */
const char *json_type_name (const struct json_node *n);

#endif
