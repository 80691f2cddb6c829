/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_XALLOC_H
#define FMR_XALLOC_H

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Scope-bound cleanup, as crun does it: ownership leaves a scope only by
 * setting the variable to NULL (or -1) after handing it on. */
void fmr_freep (void *p);
void fmr_closep (int *fd);
void fmr_fclosep (FILE **f);
void fmr_closedirp (DIR **d);
void fmr_strvfreep (char ***v);

#define cleanup_free __attribute__ ((cleanup (fmr_freep)))
#define cleanup_close __attribute__ ((cleanup (fmr_closep)))
#define cleanup_file __attribute__ ((cleanup (fmr_fclosep)))
#define cleanup_dir __attribute__ ((cleanup (fmr_closedirp)))
#define cleanup_strv __attribute__ ((cleanup (fmr_strvfreep)))

#define ARRAY_SIZE(a) (sizeof (a) / sizeof ((a)[0]))

/* Allocation failure is not recoverable in a short-lived runtime: abort
 * with a message instead of threading ENOMEM through every caller. */
void *xmalloc (size_t n);
void *xzalloc (size_t n);
void *xcalloc (size_t n, size_t size);
void *xrealloc (void *p, size_t n);
void *xreallocarray (void *p, size_t n, size_t size);
char *xstrdup (const char *s);
char *xstrndup (const char *s, size_t n);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* NULL-terminated string vectors. */
size_t strv_len (char *const *v);
void strv_free (char **v);

#endif
