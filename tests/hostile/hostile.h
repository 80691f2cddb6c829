/* SPDX-License-Identifier: Apache-2.0 */
/* The hostile build's attacks: each runs inside the default sandbox (the
 * bundle `fmr-run spec` writes), tries one thing and prints what happened,
 * one line per attempt: "NAME RESULT", RESULT being "ok" or the errno's
 * name ("EPERM"), or a value.  tests/hostile/test_*.py assert the exact
 * lines.  An attack never stops at the first failure: every attempt is
 * reported.
 *
 * An attack file defines its attacks with ATTACK (no central table: each
 * entry lands in the hostile_attacks section, which main walks). */
#ifndef FMR_HOSTILE_H
#define FMR_HOSTILE_H

#include <stdbool.h>

struct attack
{
  const char *name;
  const char *usage;
  int (*run) (int argc, char **argv); /* argv[0] is the attack's name */
};

#define ATTACK(fn, name_, usage_)                                                                                      \
  static int fn (int argc, char **argv);                                                                               \
  static const struct attack attack_##fn                                                                               \
      __attribute__ ((used, section ("hostile_attacks"), aligned (sizeof (void *))))                                   \
      = { name_, usage_, fn }

/* "WHAT ok" when r >= 0, else "WHAT ERRNO" with errno's name. */
int report (const char *what, long r);
/* "WHAT ERRNO" for an errno value (0 prints "ok"). */
void report_errno (const char *what, int err);
/* "WHAT VALUE" with printf formatting of the value. */
void report_value (const char *what, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* open(path, flags, 0644) reported as "open:PATH"-style WHAT given by the
 * caller; closes the descriptor when it opened. */
void try_open (const char *what, const char *path, int flags);
/* Read up to size-1 bytes of path into buf (NUL-terminated); -errno. */
long read_file (const char *path, char *buf, unsigned long size);

#endif
