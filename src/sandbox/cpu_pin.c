/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sandbox/cpu_pin.h"

void
cpu_pin_setup (struct cpu_pin *p)
{
  memset (p, 0, sizeof *p);
  if (sched_getaffinity (0, sizeof p->caller, &p->caller) < 0 || CPU_COUNT (&p->caller) < 2)
    return;
  int cpu = sched_getcpu ();
  if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET (cpu, &p->caller))
    return;
  cpu_set_t one;
  CPU_ZERO (&one);
  CPU_SET (cpu, &one);
  if (sched_setaffinity (0, sizeof one, &one) < 0)
    return;
  p->pinned = true;
  p->cpu = cpu;
}

int
cpu_pin_release (const struct cpu_pin *p, fmr_error_t *err)
{
  if (!p->pinned || sched_setaffinity (0, sizeof p->caller, &p->caller) == 0)
    return 0;
  int saved = errno;
  /* The kernel narrows a full mask to what the cpuset allows. */
  cpu_set_t all;
  memset (&all, 0xff, sizeof all);
  if (saved == EINVAL && sched_setaffinity (0, sizeof all, &all) == 0)
    return 0;
  return fmr_error_set (err, saved, "sched_setaffinity: give back the caller's CPU affinity");
}
