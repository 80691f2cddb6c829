/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_ERROR_H
#define FMR_ERROR_H

#include <stdarg.h>

/* Errors are values (crun's habit): a function that can fail returns a
 * negative int and fills *err; callers add context with fmr_error_prefix
 * and hand it upward; only the top level prints it.  The message names the
 * bundle field and the object ("mounts[3].source: /opt/py"); errnum, when
 * non-zero, is printed once at the end as strerror(errnum). */
struct fmr_error_s
{
  int errnum;
  char *msg;
};
typedef struct fmr_error_s *fmr_error_t;

/* Always returns -1 so that `return fmr_error_set (...)` reads naturally.
 * If *err already holds an error it is replaced. */
int fmr_error_set (fmr_error_t *err, int errnum, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
int fmr_error_setv (fmr_error_t *err, int errnum, const char *fmt, va_list ap) __attribute__ ((format (printf, 3, 0)));
/* Prepend "context: " to the message; returns -1. */
int fmr_error_prefix (fmr_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* The full one-line text "msg: strerror"; caller frees. */
char *fmr_error_text (fmr_error_t err);
/* Print "fmr-run: <text>\n" on stderr. */
void fmr_error_print (fmr_error_t err);
void fmr_error_release (fmr_error_t *err);

#define cleanup_error __attribute__ ((cleanup (fmr_error_release)))

#endif
