/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_SPEC_JSONGEN_H
#define FMR_SPEC_JSONGEN_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "common/error.h"

/* A yajl generator with a sticky status: the emitters below can be called
 * one after another without checking each, and jgen_finish reports the
 * first failure (yajl_gen only fails on misuse, e.g. a key that is not a
 * string, so one check at the end loses nothing). */
struct jgen
{
  yajl_gen g;
  yajl_gen_status status;
};

void jgen_init (struct jgen *j);
void jgen_release (struct jgen *j);
#define cleanup_jgen __attribute__ ((cleanup (jgen_release)))

void jgen_map_open (struct jgen *j);
void jgen_map_close (struct jgen *j);
void jgen_array_open (struct jgen *j);
void jgen_array_close (struct jgen *j);
void jgen_str (struct jgen *j, const char *s);
/* A string of len bytes, which may hold NULs. */
void jgen_strn (struct jgen *j, const char *s, size_t len);
/* A number kept as its JSON text ("1e3" stays "1e3"). */
void jgen_number_text (struct jgen *j, const char *text);
void jgen_null (struct jgen *j);
void jgen_int (struct jgen *j, long long v);
void jgen_bool (struct jgen *j, bool v);

/* "key": value */
void jgen_kv_str (struct jgen *j, const char *key, const char *value);
void jgen_kv_int (struct jgen *j, const char *key, long long value);
void jgen_kv_bool (struct jgen *j, const char *key, bool value);
/* "key": ["a", "b", ...] from a NULL-terminated list. */
void jgen_kv_strv (struct jgen *j, const char *key, const char *const *values);
/* Emit a parsed yajl tree as it is (numbers keep their original text). */
void jgen_tree (struct jgen *j, yajl_val v);

/* The document, NUL-terminated and followed by a newline; caller frees. */
int jgen_finish (struct jgen *j, char **out, size_t *len, fmr_error_t *err);

#endif
