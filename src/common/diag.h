/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_DIAG_H
#define FMR_DIAG_H

#include <stddef.h>
#include <stdio.h>

/* Validation problems: the validator reports every one it finds, each
 * naming the file and the JSON path ("mounts[3].destination"). */
enum diag_level
{
  DIAG_ERROR,
  DIAG_NOTE, /* e.g. a field outside OCI: accepted and ignored */
};

struct diag
{
  enum diag_level level;
  char *path; /* JSON path, "" for the whole document */
  char *msg;
  unsigned line, column; /* 0 when unknown (only syntax errors have them) */
};

struct diag_list
{
  const char *file; /* name shown first on each line, e.g. "config.json" */
  struct diag *items;
  size_t n, cap;
  size_t n_errors;
};

void diag_init (struct diag_list *d, const char *file);
void diag_add (struct diag_list *d, enum diag_level level, const char *path, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
#define diag_error(d, path, ...) diag_add ((d), DIAG_ERROR, (path), __VA_ARGS__)
#define diag_note(d, path, ...) diag_add ((d), DIAG_NOTE, (path), __VA_ARGS__)
void diag_add_at (struct diag_list *d, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
/* "config.json: mounts[3].destination: ..." / "config.json:4:17: ..." /
 * "config.json: note: annotations...: ..." one per line. */
void diag_print_text (const struct diag_list *d, FILE *out);
/* {"file":..., "valid":bool, "errors":[{"path","message",...}], "notes":[...]} */
void diag_print_json (const struct diag_list *d, FILE *out);
/* The first error as one line (for `run`, which stops at the first). */
char *diag_first_error_text (const struct diag_list *d);
void diag_free (struct diag_list *d);

#endif
