/* SPDX-License-Identifier: Apache-2.0 */
/* JSON output for `spec` and `features`: indented, keys in the order the
 * caller emits them, so the files are stable and diff well. */
#include "config.h"

#include <string.h>

#include "common/jsongen.h"
#include "common/util.h"

void
jgen_init (struct jgen *j)
{
  j->g = yajl_gen_alloc (NULL);
  if (j->g == NULL)
    abort ();
  j->status = yajl_gen_status_ok;
  yajl_gen_config (j->g, yajl_gen_beautify, 1);
  yajl_gen_config (j->g, yajl_gen_indent_string, "  ");
}

void
jgen_release (struct jgen *j)
{
  if (j->g)
    yajl_gen_free (j->g);
  j->g = NULL;
}

static void
keep (struct jgen *j, yajl_gen_status s)
{
  if (j->status == yajl_gen_status_ok)
    j->status = s;
}

void
jgen_map_open (struct jgen *j)
{
  keep (j, yajl_gen_map_open (j->g));
}

void
jgen_map_close (struct jgen *j)
{
  keep (j, yajl_gen_map_close (j->g));
}

void
jgen_array_open (struct jgen *j)
{
  keep (j, yajl_gen_array_open (j->g));
}

void
jgen_array_close (struct jgen *j)
{
  keep (j, yajl_gen_array_close (j->g));
}

void
jgen_str (struct jgen *j, const char *s)
{
  keep (j, yajl_gen_string (j->g, (const unsigned char *) s, strlen (s)));
}

void
jgen_strn (struct jgen *j, const char *s, size_t len)
{
  keep (j, yajl_gen_string (j->g, (const unsigned char *) s, len));
}

void
jgen_number_text (struct jgen *j, const char *text)
{
  keep (j, yajl_gen_number (j->g, text, strlen (text)));
}

void
jgen_null (struct jgen *j)
{
  keep (j, yajl_gen_null (j->g));
}

void
jgen_int (struct jgen *j, long long v)
{
  keep (j, yajl_gen_integer (j->g, v));
}

void
jgen_bool (struct jgen *j, bool v)
{
  keep (j, yajl_gen_bool (j->g, v));
}

void
jgen_kv_str (struct jgen *j, const char *key, const char *value)
{
  jgen_str (j, key);
  jgen_str (j, value);
}

void
jgen_kv_int (struct jgen *j, const char *key, long long value)
{
  jgen_str (j, key);
  jgen_int (j, value);
}

void
jgen_kv_bool (struct jgen *j, const char *key, bool value)
{
  jgen_str (j, key);
  jgen_bool (j, value);
}

void
jgen_kv_strv (struct jgen *j, const char *key, const char *const *values)
{
  jgen_str (j, key);
  jgen_array_open (j);
  for (; *values; values++)
    jgen_str (j, *values);
  jgen_array_close (j);
}

void
jgen_tree (struct jgen *j, yajl_val v)
{
  if (v == NULL || YAJL_IS_NULL (v))
    keep (j, yajl_gen_null (j->g));
  else if (YAJL_IS_STRING (v))
    jgen_str (j, v->u.string);
  else if (YAJL_IS_NUMBER (v))
    keep (j, yajl_gen_number (j->g, v->u.number.r, strlen (v->u.number.r)));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    jgen_bool (j, YAJL_IS_TRUE (v));
  else if (YAJL_IS_OBJECT (v))
    {
      jgen_map_open (j);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          jgen_str (j, v->u.object.keys[i]);
          jgen_tree (j, v->u.object.values[i]);
        }
      jgen_map_close (j);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      jgen_array_open (j);
      for (size_t i = 0; i < v->u.array.len; i++)
        jgen_tree (j, v->u.array.values[i]);
      jgen_array_close (j);
    }
}

/* yajl's beautifier writes an empty array or object over three lines
 * ("[", blank, "]"); fold it to "[]".  A JSON string cannot hold a raw
 * newline, so a bracket followed by one is always structure. */
static size_t
fold_empty (char *dst, const unsigned char *src, size_t n)
{
  size_t o = 0;
  for (size_t i = 0; i < n; i++)
    {
      dst[o++] = (char) src[i];
      if ((src[i] != '[' && src[i] != '{') || i + 1 >= n || src[i + 1] != '\n')
        continue;
      size_t k = i + 1;
      while (k < n && (src[k] == '\n' || src[k] == ' '))
        k++;
      if (k < n && src[k] == (src[i] == '[' ? ']' : '}'))
        {
          dst[o++] = (char) src[k];
          i = k;
        }
    }
  return o;
}

int
jgen_finish (struct jgen *j, char **out, size_t *len, fmr_error_t *err)
{
  if (j->status != yajl_gen_status_ok)
    return fmr_error_set (err, 0, "generate JSON: yajl_gen status %d", (int) j->status);
  const unsigned char *buf;
  size_t n;
  yajl_gen_status s = yajl_gen_get_buf (j->g, &buf, &n);
  if (s != yajl_gen_status_ok)
    return fmr_error_set (err, 0, "generate JSON: yajl_gen_get_buf status %d", (int) s);
  char *p = xmalloc (n + 2);
  n = fold_empty (p, buf, n);
  /* yajl's beautifier usually ends the document with a newline already. */
  if (n == 0 || p[n - 1] != '\n')
    p[n++] = '\n';
  p[n] = '\0';
  *out = p;
  *len = n;
  return 0;
}
