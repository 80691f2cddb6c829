/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include <yajl/yajl_gen.h>

#include "common/diag.h"
#include "common/util.h"

void
diag_init (struct diag_list *d, const char *file)
{
  memset (d, 0, sizeof *d);
  d->file = file;
}

static struct diag *
diag_push (struct diag_list *d)
{
  if (d->n == d->cap)
    {
      d->cap = d->cap ? d->cap * 2 : 8;
      d->items = xreallocarray (d->items, d->cap, sizeof *d->items);
    }
  struct diag *it = &d->items[d->n++];
  memset (it, 0, sizeof *it);
  return it;
}

void
diag_add (struct diag_list *d, enum diag_level level, const char *path, const char *fmt, ...)
{
  struct diag *it = diag_push (d);
  it->level = level;
  it->path = xstrdup (path ? path : "");
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&it->msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  if (level == DIAG_ERROR)
    d->n_errors++;
}

void
diag_add_at (struct diag_list *d, unsigned line, unsigned column, const char *fmt, ...)
{
  struct diag *it = diag_push (d);
  it->level = DIAG_ERROR;
  it->path = xstrdup ("");
  it->line = line;
  it->column = column;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&it->msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  d->n_errors++;
}

static char *
diag_line (const struct diag_list *d, const struct diag *it)
{
  const char *file = d->file ? d->file : "config.json";
  const char *note = it->level == DIAG_NOTE ? "note: " : "";
  if (it->line)
    return xasprintf ("%s:%u:%u: %s%s", file, it->line, it->column, note, it->msg);
  if (it->path[0])
    return xasprintf ("%s: %s%s: %s", file, note, it->path, it->msg);
  return xasprintf ("%s: %s%s", file, note, it->msg);
}

void
diag_print_text (const struct diag_list *d, FILE *out)
{
  for (size_t i = 0; i < d->n; i++)
    {
      cleanup_free char *line = diag_line (d, &d->items[i]);
      fprintf (out, "%s\n", line);
    }
}

char *
diag_first_error_text (const struct diag_list *d)
{
  for (size_t i = 0; i < d->n; i++)
    if (d->items[i].level == DIAG_ERROR)
      return diag_line (d, &d->items[i]);
  return NULL;
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
gen_items (yajl_gen g, const struct diag_list *d, enum diag_level level)
{
  yajl_gen_array_open (g);
  for (size_t i = 0; i < d->n; i++)
    {
      const struct diag *it = &d->items[i];
      if (it->level != level)
        continue;
      yajl_gen_map_open (g);
      gen_str (g, "path");
      gen_str (g, it->path);
      gen_str (g, "message");
      gen_str (g, it->msg);
      if (it->line)
        {
          gen_str (g, "line");
          yajl_gen_integer (g, it->line);
          gen_str (g, "column");
          yajl_gen_integer (g, it->column);
        }
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

void
diag_print_json (const struct diag_list *d, FILE *out)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (g == NULL)
    abort ();
  yajl_gen_config (g, yajl_gen_beautify, 1);
  yajl_gen_map_open (g);
  gen_str (g, "file");
  gen_str (g, d->file ? d->file : "config.json");
  gen_str (g, "valid");
  yajl_gen_bool (g, d->n_errors == 0);
  gen_str (g, "errors");
  gen_items (g, d, DIAG_ERROR);
  gen_str (g, "notes");
  gen_items (g, d, DIAG_NOTE);
  yajl_gen_map_close (g);
  const unsigned char *buf;
  size_t len;
  yajl_gen_get_buf (g, &buf, &len);
  fwrite (buf, 1, len, out);
  yajl_gen_free (g);
}

void
diag_free (struct diag_list *d)
{
  for (size_t i = 0; i < d->n; i++)
    {
      free (d->items[i].path);
      free (d->items[i].msg);
    }
  free (d->items);
  d->items = NULL;
  d->n = d->cap = d->n_errors = 0;
}
