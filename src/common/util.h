/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_UTIL_H
#define FMR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>

#include "common/error.h"
#include "common/xalloc.h"

/* Read a whole file, refusing one larger than max_size (EFBIG). The buffer
 * is NUL-terminated; *len excludes the NUL. */
int read_file_limited (const char *path, size_t max_size, char **out, size_t *len, fmr_error_t *err);
/* The same into the caller's memory: ops->alloc (ctx, n) gives n bytes
 * (first sized from the file), ops->release (may be NULL, for an arena)
 * takes back a buffer outgrown or one of a failed read. */
struct file_buffer_ops
{
  void *(*alloc) (void *ctx, size_t n);
  void (*release) (void *ctx, void *p);
};
int read_file_into (const char *path, size_t max_size, const struct file_buffer_ops *ops, void *ctx, char **out,
                    size_t *len, fmr_error_t *err);
/* Write buf to path atomically enough for our needs (O_TRUNC, mode 0644). */
int write_file (const char *path, const char *buf, size_t len, fmr_error_t *err);
/* Write all of buf to fd, retrying on EINTR and short writes, and waiting
 * for room when fd is non-blocking. */
int write_all (int fd, const void *buf, size_t len);
/* Read exactly len bytes; returns bytes read (short on EOF) or -1. */
ssize_t read_all (int fd, void *buf, size_t len);

/* A positive decimal number of seconds, at most 1e9 (timeouts: --timeout,
 * --kill-after, the run.fmr.* annotations).  False when it is not one. */
bool parse_seconds (const char *s, double *out);

/* close_range(2) on FIRST..LAST with FLAGS (0 or CLOSE_RANGE_CLOEXEC);
 * on a kernel without it, the error names the version that has it. */
int fd_close_range (unsigned first, unsigned last, unsigned flags, fmr_error_t *err);

/* PATH is DIR or lies under it, whole components compared ("/" holds
 * every absolute path; trailing slashes of DIR do not count).  Both are
 * canonical paths: nothing is resolved. */
bool path_is_under (const char *path, const char *dir);

/* Microseconds from CLOCK_MONOTONIC. */
unsigned long long now_usec (void);

#endif
