/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "bundle/config_get.h"
#include "common/util.h"

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

const char *
path_index_buf (char *buf, const char *parent, size_t i)
{
  char digits[24];
  size_t nd = 0;
  do
    digits[nd++] = (char) ('0' + i % 10);
  while ((i /= 10) > 0);
  size_t np = strnlen (parent, PATH_BUF_SIZE - nd - 3);
  memcpy (buf, parent, np);
  char *p = buf + np;
  *p++ = '[';
  while (nd > 0)
    *p++ = digits[--nd];
  *p++ = ']';
  *p = '\0';
  return buf;
}

static const char *
type_word (enum json_type t)
{
  static const struct json_node probe[] = { { .type = JSON_NULL },   { .type = JSON_BOOL },   { .type = JSON_NUMBER },
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

static bool
good_string (const struct json_node *n)
{
  return n->type == JSON_STRING && strlen (n->str) == n->len;
}

/* Reports why n is not a good_string. */
static void
report_string (struct pctx *pc, const struct json_node *n, const char *path)
{
  if (json_want (pc, n, JSON_STRING, path))
    diag_error (pc->d, path, "contains a NUL byte");
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
  if (good_string (n))
    return n->str;
  cleanup_free char *p = path_join (path, key);
  report_string (pc, n, p);
  return NULL;
}

bool
get_bool (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool *out)
{
  const struct json_node *n = get_member (pc, obj, key, JSON_BOOL, path, false);
  if (n)
    *out = n->boolean;
  return n != NULL;
}

/* Integer checks, apart from their messages so that a member's path is
 * built only for a message. */
enum int_problem
{
  INT_OK,
  INT_TYPE,
  INT_NOT_INTEGER,
  INT_RANGE,
};

static enum int_problem
int_value (const struct json_node *n, int64_t min, int64_t max, int64_t *out)
{
  if (n->type != JSON_NUMBER)
    return INT_TYPE;
  char *end;
  errno = 0;
  long long v = strtoll (n->str, &end, 10);
  if (*end != '\0')
    return INT_NOT_INTEGER;
  if (errno == ERANGE || v < min || v > max)
    return INT_RANGE;
  *out = v;
  return INT_OK;
}

static enum int_problem
u64_value (const struct json_node *n, uint64_t *out)
{
  if (n->type != JSON_NUMBER)
    return INT_TYPE;
  if (n->str[0] == '-')
    return INT_RANGE;
  char *end;
  errno = 0;
  unsigned long long v = strtoull (n->str, &end, 10);
  if (*end != '\0')
    return INT_NOT_INTEGER;
  if (errno == ERANGE)
    return INT_RANGE;
  *out = v;
  return INT_OK;
}

static bool
report_int (struct pctx *pc, const struct json_node *n, const char *path, enum int_problem problem, int64_t min,
            int64_t max)
{
  switch (problem)
    {
    case INT_OK: return true;
    case INT_TYPE: json_want (pc, n, JSON_NUMBER, path); break;
    case INT_NOT_INTEGER: diag_error (pc->d, path, "%s is not an integer", n->str); break;
    case INT_RANGE:
      diag_error (pc->d, path, "%s is out of range (%" PRId64 " to %" PRId64 ")", n->str, min, max);
      break;
    }
  return false;
}

static bool
report_u64 (struct pctx *pc, const struct json_node *n, const char *path, enum int_problem problem)
{
  if (problem == INT_RANGE)
    {
      diag_error (pc->d, path, "%s is out of range (0 to 18446744073709551615)", n->str);
      return false;
    }
  return report_int (pc, n, path, problem, 0, 0);
}

bool
json_to_int (struct pctx *pc, const struct json_node *n, const char *path, int64_t min, int64_t max, int64_t *out)
{
  return report_int (pc, n, path, int_value (n, min, max, out), min, max);
}

bool
member_to_u64 (struct pctx *pc, const struct json_node *n, const char *path, const char *key, uint64_t *out)
{
  enum int_problem problem = u64_value (n, out);
  if (problem == INT_OK)
    return true;
  cleanup_free char *p = path_join (path, key);
  return report_u64 (pc, n, p, problem);
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
  enum int_problem problem = int_value (n, min, max, out);
  if (problem == INT_OK)
    return true;
  cleanup_free char *p = path_join (path, key);
  return report_int (pc, n, p, problem, min, max);
}

char **
get_string_array (struct pctx *pc, const struct json_node *obj, const char *key, const char *path, bool required,
                  size_t *n_out)
{
  const struct json_node *a = get_member (pc, obj, key, JSON_ARRAY, path, required);
  *n_out = 0;
  if (a == NULL)
    return NULL;
  char **v = json_alloc_array (pc->doc, (size_t) a->len + 1, sizeof (char *));
  size_t k = 0;
  for (size_t i = 0; i < a->len; i++)
    {
      const struct json_node *it = &a->items[i];
      if (good_string (it))
        {
          /* The common case, kept free of path formatting: a config can
           * hold tens of thousands of env entries. */
          v[k++] = it->str;
          continue;
        }
      cleanup_free char *p = path_join (path, key);
      cleanup_free char *pi = path_index (p, i);
      report_string (pc, it, pi);
    }
  *n_out = k;
  return v;
}

static bool
in_list (const char *const *list, const char *s)
{
  for (; list && *list; list++)
    if ((*list)[0] == s[0] && strcmp (*list, s) == 0)
      return true;
  return false;
}

void
check_members (struct pctx *pc, const struct json_node *obj, const char *path, const char *const *known,
               const char *const *unsupported)
{
  for (size_t i = 0; i < obj->len; i++)
    {
      const char *k = obj->items[i].key;
      if (in_list (known, k))
        continue;
      cleanup_free char *p = path_join (path, k);
      if (in_list (unsupported, k))
        diag_error (pc->d, p, "not supported by fmr-run; remove it (a sandbox weaker than its bundle says is refused)");
      else
        diag_note (pc->d, p, "not an OCI field; ignored");
    }
}

bool
check_absolute (struct pctx *pc, const char *path, const char *value)
{
  if (value[0] != '/')
    {
      diag_error (pc->d, path, "\"%s\" is not an absolute path", value);
      return false;
    }
  return true;
}

char *
bundle_path (struct pctx *pc, char *path)
{
  if (path[0] == '/')
    return path;
  const char *dir = pc->bundle_dir;
  size_t n = strlen (dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (strcmp (path, ".") == 0)
    return json_printf (pc->doc, "%.*s", (int) n, dir);
  while (path[0] == '.' && path[1] == '/')
    path += 2;
  return json_printf (pc->doc, "%.*s%s%s", (int) n, dir, dir[n - 1] == '/' ? "" : "/", path);
}
