/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONFIG_GET_H
#define FMR_CONFIG_GET_H

/* Typed reads from the JSON tree, each reporting a wrong type or range as
 * one diagnostic naming the JSON path.  Absent members are not errors here
 * unless `required`.  Strings and arrays handed out live in the document's
 * arena (pc->doc), as long as the bundle: nothing is copied or freed one by
 * one.  JSON paths of members are built only to report a problem. */

#include <stdbool.h>
#include <stdint.h>

#include "bundle/config_json.h"
#include "common/diag.h"

struct pctx
{
  struct diag_list *d;
  const char *bundle_dir;
  struct json_doc *doc; /* the arena of the typed bundle */
};

/* "parent.key" or "key" when parent is ""; caller frees. */
char *path_join (const char *parent, const char *key);
char *path_index (const char *parent, size_t i);
/* "parent[i]" in buf, without printf: loops over large arrays build one
 * per element.  Parents are fixed field names, so PATH_BUF_SIZE holds
 * them; a longer one is cut. */
#define PATH_BUF_SIZE 128
const char *path_index_buf (char *buf, const char *parent, size_t i);

bool json_want (struct pctx *pc, const struct json_node *n, enum json_type type, const char *path);
const struct json_node *get_member (struct pctx *pc, const struct json_node *obj, const char *key, enum json_type type,
                                    const char *path, bool required);
/* NULL when absent or wrong; the string must not hold a NUL byte. */
char *get_string (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool required);
bool get_bool (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool *out);
/* Integers: exact decimal text, in [min, max]; false when absent or bad. */
bool json_to_int (struct pctx *pc, const struct json_node *n, const char *path, int64_t min, int64_t max, int64_t *out);
/* An unsigned 64-bit integer, n being the member key of the object at
 * path. */
bool member_to_u64 (struct pctx *pc, const struct json_node *n, const char *path, const char *key, uint64_t *out);
bool get_int (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, int64_t min, int64_t max,
              bool required, int64_t *out);
/* An array of strings, NULL-terminated; NULL when absent or wrong. */
char **get_string_array (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool required,
                         size_t *n);

/* Report members that are not in `known`: errors for those in
 * `unsupported` (OCI fields fmr-run does not implement), notes for the
 * rest (not OCI: ignored, as OCI requires). */
void check_members (struct pctx *pc, const struct json_node *obj, const char *path, const char *const *known,
                    const char *const *unsupported);

/* PATH as written in the bundle: absolute, or relative to the bundle
 * directory ("." is the directory itself); path itself or a string of
 * the arena. */
char *bundle_path (struct pctx *pc, char *path);
/* An absolute path without NUL; reports and returns false otherwise. */
bool check_absolute (struct pctx *pc, const char *path, const char *value);

#endif
