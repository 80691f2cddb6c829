/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_JSON_ARENA_H
#define FMR_JSON_ARENA_H

#include <stddef.h>

#include "bundle/config_json.h"

struct arena_chunk
{
  struct arena_chunk *next;
  size_t bytes; /* the whole mapping */
};

struct json_doc
{
  struct json_node root;
  struct arena_chunk *chunks; /* the first one also holds this struct */
  char *next, *end;           /* free space of the current chunk */
  char *spare, *spare_end;    /* more, used up before a chunk is mapped */
  size_t chunk_size;          /* of the next chunk to map */
};

/* Print "out of memory" and abort: a config that does not fit is not
 * worth a recovery path in every allocation. */
_Noreturn void arena_out_of_memory (void);
/* A fresh mapping of at least *bytes (rounded up in *bytes), advised for
 * huge pages when large; aborts when the kernel has none. */
void *arena_region_map (size_t *bytes);
/* n zeroed bytes aligned to align, from doc's arena. */
void *arena_alloc (struct json_doc *doc, size_t n, size_t align);
/* [p, p + n) of doc's arena, of which the first `used` bytes were written,
 * serves the next allocations. */
void arena_recycle (struct json_doc *doc, char *p, size_t n, size_t used);
/* A NUL-terminated copy of s[0..len) in doc's arena. */
char *arena_strndup (struct json_doc *doc, const char *s, size_t len);

#endif
