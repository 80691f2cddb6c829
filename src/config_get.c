/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "config_get.h"
#include "util.h"

char *
path_join (const char *parent, const char *key)
{
  return parent[0] ? xasprintf ("%s.%s", parent, key) : xstrdup (key);
}

char *
path_index (const char *parent, size_t i)
{
  return xasprintf ("%s[%zu]", parent, i);
}

static const char *
type_word (enum json_type t)
{
  static const struct json_node probe[] = { { .type = JSON_NULL }, { .type = JSON_BOOL }, { .type = JSON_NUMBER },
                                            { .type = JSON_STRING }, { .type = JSON_OBJECT }, { .type = JSON_ARRAY } };
  return json_type_name (&probe[t]);
}

bool
json_want (struct pctx *pc, const struct json_node *n, enum json_type type, const char *path)
{
  if (n->type == type)
    return true;
  diag_error (pc->d, path, "expected %s, got %s", type_word (type), json_type_name (n));
  return false;
}

const struct json_node *
get_member (struct pctx *pc, const struct json_node *obj, const char *key, enum json_type type, const char *path,
            bool required)
{
  const struct json_node *n = json_get (obj, key);
  if (n == NULL)
    {
      if (required)
        diag_error (pc->d, path, "missing required field \"%s\"", key);
      return NULL;
    }
  if (n->type == type)
    return n;
  cleanup_free char *p = path_join (path, key);
  json_want (pc, n, type, p);
  return NULL;
}

static char *
string_value (struct pctx *pc, const struct json_node *n, const char *path)
{
  if (!json_want (pc, n, JSON_STRING, path))
    return NULL;
  if (strlen (n->str) != n->len)
    {
      diag_error (pc->d, path, "contains a NUL byte");
      return NULL;
    }
  return xstrdup (n->str);
}

char *
get_string (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool required)
{
  const struct json_node *n = json_get (obj, key);
  if (n == NULL)
    {
      if (required)
        diag_error (pc->d, path, "missing required field \"%s\"", key);
      return NULL;
    }
  if (n->type == JSON_STRING && strlen (n->str) == n->len)
    return xstrdup (n->str);
  cleanup_free char *p = path_join (path, key);
  return string_value (pc, n, p);
}

bool
get_bool (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool *out)
{
  const struct json_node *n = get_member (pc, obj, key, JSON_BOOL, path, false);
  if (n)
    *out = n->boolean;
  return n != NULL;
}

bool
json_to_int (struct pctx *pc, const struct json_node *n, const char *path, int64_t min, int64_t max, int64_t *out)
{
  if (!json_want (pc, n, JSON_NUMBER, path))
    return false;
  char *end;
  errno = 0;
  long long v = strtoll (n->str, &end, 10);
  if (*end != '\0')
    {
      diag_error (pc->d, path, "%s is not an integer", n->str);
      return false;
    }
  if (errno == ERANGE || v < min || v > max)
    {
      diag_error (pc->d, path, "%s is out of range (%" PRId64 " to %" PRId64 ")", n->str, min, max);
      return false;
    }
  *out = v;
  return true;
}

bool
json_to_u64 (struct pctx *pc, const struct json_node *n, const char *path, uint64_t *out)
{
  if (!json_want (pc, n, JSON_NUMBER, path))
    return false;
  char *end;
  errno = 0;
  if (n->str[0] == '-')
    {
      diag_error (pc->d, path, "%s is out of range (0 to 18446744073709551615)", n->str);
      return false;
    }
  unsigned long long v = strtoull (n->str, &end, 10);
  if (*end != '\0')
    {
      diag_error (pc->d, path, "%s is not an integer", n->str);
      return false;
    }
  if (errno == ERANGE)
    {
      diag_error (pc->d, path, "%s is out of range (0 to 18446744073709551615)", n->str);
      return false;
    }
  *out = v;
  return true;
}

bool
get_int (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, int64_t min, int64_t max,
         bool required, int64_t *out)
{
  const struct json_node *n = json_get (obj, key);
  if (n == NULL)
    {
      if (required)
        diag_error (pc->d, path, "missing required field \"%s\"", key);
      return false;
    }
  cleanup_free char *p = path_join (path, key);
  return json_to_int (pc, n, p, min, max, out);
}

char **
get_string_array (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool required,
                  size_t *n_out)
{
  const struct json_node *a = get_member (pc, obj, key, JSON_ARRAY, path, required);
  *n_out = 0;
  if (a == NULL)
    return NULL;
  char **v = xcalloc (a->len + 1, sizeof (char *));
  size_t k = 0;
  for (size_t i = 0; i < a->len; i++)
    {
      const struct json_node *it = a->items[i];
      if (it->type == JSON_STRING && strlen (it->str) == it->len)
        {
          /* The common case, kept free of path formatting: a config can
           * hold tens of thousands of env entries. */
          v[k++] = xstrdup (it->str);
          continue;
        }
      cleanup_free char *p = path_join (path, key);
      cleanup_free char *pi = path_index (p, i);
      string_value (pc, it, pi);
    }
  *n_out = k;
  return v;
}

static bool
in_list (const char *const *list, const char *s)
{
  for (; list && *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

void
check_members (struct pctx *pc, const struct json_node *obj, const char *path, const char *const *known,
               const char *const *unsupported)
{
  for (size_t i = 0; i < obj->len; i++)
    {
      const char *k = obj->keys[i];
      if (in_list (known, k))
        continue;
      cleanup_free char *p = path_join (path, k);
      if (in_list (unsupported, k))
        diag_error (pc->d, p, "not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)");
      else
        diag_note (pc->d, p, "not an OCI field; ignored");
    }
}
