/* SPDX-License-Identifier: Apache-2.0 */
/* Attack 23: fork bomb. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

/* A child that waits to be killed: each holds its slot until the end. */
static pid_t
spawn (void)
{
  pid_t pid = fork ();
  if (pid == 0)
    for (;;)
      pause ();
  return pid;
}

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* 23: fork until fork fails ("forked" children, "fork-errno"), then keep
 * trying for about a second as a fork bomb does ("bomb-forked",
 * "bomb-errno": the last failure).  Never more than MAX children in all,
 * whatever the sandbox allows, so a broken limit cannot take the machine
 * down.  The children are left running: cleaning up is the sandbox's
 * job. */
ATTACK (fork_bomb, "fork-bomb", "MAX");
static int
fork_bomb (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  long max = strtol (argv[1], NULL, 10), forked = 0;
  int err = 0;
  while (forked < max)
    {
      if (spawn () < 0)
        {
          err = errno;
          break;
        }
      forked++;
    }
  report_value ("forked", "%ld", forked);
  report_errno ("fork-errno", err);
  long bomb = 0;
  int bomb_err = 0;
  for (double end = now () + 1; now () < end && forked + bomb < max;)
    {
      if (spawn () < 0)
        bomb_err = errno;
      else
        bomb++;
    }
  report_value ("bomb-forked", "%ld", bomb);
  report_errno ("bomb-errno", bomb_err);
  return 0;
}
