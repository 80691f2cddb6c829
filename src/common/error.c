/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/xalloc.h"

int
fmr_error_setv (fmr_error_t *err, int errnum, const char *fmt, va_list ap)
{
  fmr_error_release (err);
  fmr_error_t e = xzalloc (sizeof *e);
  e->errnum = errnum;
  if (vasprintf (&e->msg, fmt, ap) < 0)
    abort ();
  *err = e;
  return -1;
}

int
fmr_error_set (fmr_error_t *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fmr_error_setv (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
fmr_error_prefix (fmr_error_t *err, const char *fmt, ...)
{
  if (*err == NULL)
    return -1;
  cleanup_free char *ctx = NULL;
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&ctx, fmt, ap) < 0)
    abort ();
  va_end (ap);
  char *joined = xasprintf ("%s: %s", ctx, (*err)->msg);
  free ((*err)->msg);
  (*err)->msg = joined;
  return -1;
}

char *
fmr_error_text (fmr_error_t err)
{
  if (err == NULL)
    return xstrdup ("unknown error");
  if (err->errnum)
    return xasprintf ("%s: %s", err->msg, strerror (err->errnum));
  return xstrdup (err->msg);
}

void
fmr_error_print (fmr_error_t err)
{
  cleanup_free char *text = fmr_error_text (err);
  fprintf (stderr, "fmr-run: %s\n", text);
}

void
fmr_error_release (fmr_error_t *err)
{
  if (*err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}
