/* SPDX-License-Identifier: Apache-2.0 */
/* A unified diff of two short texts: the common head and tail are set
 * aside, the rest is compared with a longest-common-subsequence table
 * (the changed middle of a config is a few hundred lines at most). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/linediff.h"
#include "common/util.h"

struct lines
{
  const char **at; /* start of each line */
  size_t *len;     /* without its newline */
  size_t n;
};

static void
split (const char *s, struct lines *l)
{
  size_t cap = 16;
  l->at = xcalloc (cap, sizeof *l->at);
  l->len = xcalloc (cap, sizeof *l->len);
  l->n = 0;
  while (*s)
    {
      const char *nl = strchr (s, '\n');
      size_t len = nl ? (size_t) (nl - s) : strlen (s);
      if (l->n == cap)
        {
          cap *= 2;
          l->at = xrealloc (l->at, cap * sizeof *l->at);
          l->len = xrealloc (l->len, cap * sizeof *l->len);
        }
      l->at[l->n] = s;
      l->len[l->n++] = len;
      s += len + (nl != NULL);
    }
}

static bool
same (const struct lines *a, size_t i, const struct lines *b, size_t j)
{
  return a->len[i] == b->len[j] && memcmp (a->at[i], b->at[j], a->len[i]) == 0;
}

enum op
{
  OP_SAME,
  OP_DEL,
  OP_ADD
};

struct edit
{
  enum op op;
  size_t line; /* index in a (SAME, DEL) or b (ADD) */
  size_t a, b; /* position in a and b before this edit */
};

/* The edit script turning a into b. */
static struct edit *
edits (const struct lines *a, const struct lines *b, size_t *n_out)
{
  size_t head = 0, tail = 0;
  while (head < a->n && head < b->n && same (a, head, b, head))
    head++;
  while (tail < a->n - head && tail < b->n - head && same (a, a->n - 1 - tail, b, b->n - 1 - tail))
    tail++;
  size_t n = a->n - head - tail, m = b->n - head - tail;
  /* lcs[i][j]: longest common subsequence of a[head+i..] and b[head+j..]. */
  size_t *lcs = xcalloc ((n + 1) * (m + 1), sizeof *lcs);
#define L(i, j) lcs[(i) * (m + 1) + (j)]
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      L (i, j) = same (a, head + i, b, head + j) ? L (i + 1, j + 1) + 1
                 : L (i + 1, j) >= L (i, j + 1)  ? L (i + 1, j)
                                                 : L (i, j + 1);
  struct edit *e = xcalloc (a->n + b->n + 1, sizeof *e);
  size_t k = 0, i = 0, j = 0;
  for (size_t h = 0; h < head; h++)
    e[k++] = (struct edit){ OP_SAME, h, h, h };
  while (i < n || j < m)
    {
      size_t ai = head + i, bj = head + j;
      if (i < n && j < m && same (a, ai, b, bj))
        e[k++] = (struct edit){ OP_SAME, ai, ai, bj }, i++, j++;
      else if (i < n && (j == m || L (i + 1, j) >= L (i, j + 1)))
        e[k++] = (struct edit){ OP_DEL, ai, ai, bj }, i++;
      else
        e[k++] = (struct edit){ OP_ADD, bj, ai, bj }, j++;
    }
#undef L
  for (size_t t = 0; t < tail; t++)
    e[k++] = (struct edit){ OP_SAME, head + n + t, head + n + t, head + m + t };
  free (lcs);
  *n_out = k;
  return e;
}

static void
hunk (FILE *out, const struct edit *e, size_t from, size_t to, const struct lines *a, const struct lines *b)
{
  size_t na = 0, nb = 0;
  for (size_t k = from; k < to; k++)
    {
      na += e[k].op != OP_ADD;
      nb += e[k].op != OP_DEL;
    }
  fprintf (out, "@@ -%zu,%zu +%zu,%zu @@\n", e[from].a + (na > 0), na, e[from].b + (nb > 0), nb);
  for (size_t k = from; k < to; k++)
    {
      const struct lines *l = e[k].op == OP_ADD ? b : a;
      fprintf (out, "%c%.*s\n",
               e[k].op == OP_SAME  ? ' '
               : e[k].op == OP_DEL ? '-'
                                   : '+',
               (int) l->len[e[k].line], l->at[e[k].line]);
    }
}

char *
line_diff (const char *a_text, const char *b_text, const char *name_a, const char *name_b, unsigned context)
{
  if (strcmp (a_text, b_text) == 0)
    return NULL;
  struct lines a, b;
  split (a_text, &a);
  split (b_text, &b);
  size_t n;
  struct edit *e = edits (&a, &b, &n);
  char *buf = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&buf, &size);
  if (out == NULL)
    abort ();
  fprintf (out, "--- %s\n+++ %s\n", name_a, name_b);
  size_t k = 0;
  while (k < n)
    {
      while (k < n && e[k].op == OP_SAME)
        k++;
      if (k == n)
        break;
      size_t from = k > context ? k - context : 0;
      /* Extend over changes closer than two contexts apart. */
      size_t end = k;
      for (;;)
        {
          while (end < n && e[end].op != OP_SAME)
            end++;
          size_t gap = end;
          while (gap < n && e[gap].op == OP_SAME)
            gap++;
          if (gap < n && gap - end <= 2 * context)
            end = gap;
          else
            break;
        }
      size_t to = end + context < n ? end + context : n;
      hunk (out, e, from, to, &a, &b);
      k = to;
    }
  fclose (out);
  free (e);
  free (a.at);
  free (a.len);
  free (b.at);
  free (b.len);
  return buf;
}
