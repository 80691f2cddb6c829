/* SPDX-License-Identifier: Apache-2.0 */
/* The arena of a JSON document (struct json_doc): one mapping sized from
 * the text holds the text, its tree and the typed bundle, freed at once.
 * json_doc_new, json_alloc and friends are declared in config_json.h; these
 * are the pieces the parser itself uses. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle/config_json.h"
#include "bundle/json_arena.h"

#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif

#ifdef ARENA_ASAN
/* Under AddressSanitizer every allocation is fenced by poisoned bytes, so
 * that the arena does not hide overflows from the sanitizer builds and the
 * fuzzer. */
#include <sanitizer/asan_interface.h>
#define ARENA_REDZONE 16u
#define ARENA_MIN_ALIGN 8u
#else
#define ARENA_REDZONE 0u
#define ARENA_MIN_ALIGN 1u
#define ASAN_POISON_MEMORY_REGION(p, n) ((void) (p), (void) (n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void) (p), (void) (n))
#endif

_Noreturn void
arena_out_of_memory (void)
{
  static const char msg[] = "fmr-run: out of memory\n";
  (void) !write (STDERR_FILENO, msg, sizeof msg - 1);
  abort ();
}

/* Memory for the arena and the parser's scratch comes straight from mmap,
 * sized from the text: nothing is populated ahead, so a generous estimate
 * costs address space only.  What costs is touching a page the first time
 * (in a virtual machine a fault can take 20 µs, and a 1 MiB config fills
 * some 700 pages), so regions of a megabyte or more are aligned to and
 * advised for transparent huge pages: a handful of faults instead. */
#define HUGE_PAGE (2u * 1024 * 1024)
#define HUGE_MIN (1u * 1024 * 1024)

/* *bytes rounded up to what is mapped. */
void *
arena_region_map (size_t *bytes)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE);
  bool huge = *bytes >= HUGE_MIN;
  size_t unit = huge ? HUGE_PAGE : page;
  if (*bytes > SIZE_MAX / 2)
    arena_out_of_memory ();
  size_t n = (*bytes + unit - 1) & ~(unit - 1);
  size_t map = huge ? n + HUGE_PAGE : n; /* room to align */
  /* A small arena is filled in one call: on a virtual machine each page
   * faulted in on first touch costs a trap to the hypervisor, and nearly
   * every page of it is written (the text, then the tree). */
  int populate = huge ? 0 : MAP_POPULATE;
  char *p = mmap (NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | populate, -1, 0);
  if (p == MAP_FAILED)
    arena_out_of_memory ();
  if (huge)
    {
      char *a = (char *) (((uintptr_t) p + HUGE_PAGE - 1) & ~(uintptr_t) (HUGE_PAGE - 1));
      if (a > p)
        munmap (p, (size_t) (a - p));
      if (p + map > a + n)
        munmap (a + n, (size_t) (p + map - (a + n)));
      p = a;
      /* Only advice: without huge pages this is plain memory. */
      (void) madvise (p, n, MADV_HUGEPAGE);
    }
  *bytes = n;
  return p;
}

/* The arena: a few large mappings freed together.  A 1 MiB config has some
 * 40,000 values; one malloc each (plus its free, its header and its share
 * of page faults) cost more than the parse itself. */

#define ARENA_MIN_CHUNK (64u * 1024)

static struct arena_chunk *
arena_map (size_t bytes)
{
  struct arena_chunk *c = arena_region_map (&bytes);
  c->bytes = bytes;
  c->next = NULL;
  ASAN_POISON_MEMORY_REGION (c + 1, bytes - sizeof *c);
  return c;
}

static uintptr_t
align_up (uintptr_t p, size_t align)
{
  return (p + align - 1) & ~(uintptr_t) (align - 1);
}

/* Room for n bytes in a new chunk: a big block gets a chunk of its own, and
 * the current chunk keeps its free space. */
static uintptr_t
arena_grow (struct json_doc *doc, size_t n, size_t align)
{
  uintptr_t p = align_up ((uintptr_t) doc->spare, align);
  if (doc->spare && p <= (uintptr_t) doc->spare_end && (uintptr_t) doc->spare_end - p >= n + ARENA_REDZONE)
    {
      doc->next = (char *) (p + n + ARENA_REDZONE);
      doc->end = doc->spare_end;
      doc->spare = doc->spare_end = NULL;
      return p;
    }
  size_t need = sizeof (struct arena_chunk) + align + n + ARENA_REDZONE;
  bool own = need > doc->chunk_size / 2;
  struct arena_chunk *c = arena_map (own ? need : doc->chunk_size);
  c->next = doc->chunks->next;
  doc->chunks->next = c;
  p = align_up ((uintptr_t) (c + 1), align);
  if (!own)
    {
      doc->next = (char *) (p + n + ARENA_REDZONE);
      doc->end = (char *) c + c->bytes;
    }
  return p;
}

/* n bytes aligned to align (a power of two), zeroed: mappings start zeroed
 * and nothing is ever freed back into the arena. */
void *
arena_alloc (struct json_doc *doc, size_t n, size_t align)
{
  if (n > SIZE_MAX / 4)
    arena_out_of_memory ();
  if (align < ARENA_MIN_ALIGN)
    align = ARENA_MIN_ALIGN;
  uintptr_t p = align_up ((uintptr_t) doc->next, align);
  if (p > (uintptr_t) doc->end || (uintptr_t) doc->end - p < n + ARENA_REDZONE)
    p = arena_grow (doc, n, align);
  else
    doc->next = (char *) (p + n + ARENA_REDZONE);
  ASAN_UNPOISON_MEMORY_REGION ((void *) p, n);
  return (void *) p;
}

/* [p, p + n), arena memory done with whose first used bytes were written
 * (the parser's scratch), is where the next allocations go: its pages are
 * already in memory.  The free space of the current chunk is kept for
 * after it. */
void
arena_recycle (struct json_doc *doc, char *p, size_t n, size_t used)
{
  memset (p, 0, used); /* allocations are zeroed */
  ASAN_POISON_MEMORY_REGION (p, n);
  if (doc->spare == NULL || doc->end - doc->next > doc->spare_end - doc->spare)
    {
      doc->spare = doc->next;
      doc->spare_end = doc->end;
    }
  doc->next = p;
  doc->end = p + n;
}

struct json_doc *
json_doc_new (size_t text_len)
{
  /* The text, then the tree and the typed bundle: 20,000 env entries and
   * 2,000 mounts take 2.3 times the text, denser JSON more. */
  if (text_len > SIZE_MAX / 8)
    arena_out_of_memory ();
  struct arena_chunk *c = arena_map (sizeof *c + sizeof (struct json_doc) + 4 * text_len + 32 * 1024);
  struct json_doc *doc = (struct json_doc *) (c + 1);
  ASAN_UNPOISON_MEMORY_REGION (doc, sizeof *doc);
  doc->chunks = c;
  doc->next = (char *) (doc + 1) + ARENA_REDZONE;
  doc->end = (char *) c + c->bytes;
  doc->chunk_size = text_len > ARENA_MIN_CHUNK ? text_len : ARENA_MIN_CHUNK;
  return doc;
}

void
json_doc_free (struct json_doc *doc)
{
  if (doc == NULL)
    return;
  struct arena_chunk *c = doc->chunks;
  while (c)
    {
      struct arena_chunk *next = c->next;
      ASAN_UNPOISON_MEMORY_REGION (c, c->bytes);
      munmap (c, c->bytes);
      c = next;
    }
}

void *
json_alloc (struct json_doc *doc, size_t size)
{
  return arena_alloc (doc, size, _Alignof(max_align_t));
}

void *
json_alloc_array (struct json_doc *doc, size_t n, size_t size)
{
  if (size && n > SIZE_MAX / size)
    arena_out_of_memory ();
  return arena_alloc (doc, n * size, _Alignof(max_align_t));
}

char *
arena_strndup (struct json_doc *doc, const char *s, size_t len)
{
  char *p = arena_alloc (doc, len + 1, 1);
  memcpy (p, s, len);
  p[len] = '\0';
  return p;
}

char *
json_printf (struct json_doc *doc, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int n = vsnprintf (NULL, 0, fmt, ap);
  va_end (ap);
  if (n < 0)
    abort ();
  char *p = arena_alloc (doc, (size_t) n + 1, 1);
  va_start (ap, fmt);
  vsnprintf (p, (size_t) n + 1, fmt, ap);
  va_end (ap);
  return p;
}
