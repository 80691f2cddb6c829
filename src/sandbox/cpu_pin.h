/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CPU_PIN_H
#define FMR_CPU_PIN_H

#include <sched.h>
#include <stdbool.h>

#include "common/error.h"

/* The sandbox is built on the one CPU `run` started on, and fmr-run's own
 * processes (the parent, PID 1) stay there: they only wait, reap and relay
 * from then on.  The payload gets the caller's CPU affinity back before
 * exec, so that it and everything it starts run where the caller's
 * processes may (OCI's execCPUAffinity "initial" and "final", with the
 * caller's mask as the final one).
 *
 * Why: building a sandbox is a chain of hand-overs (parent, PID 1, the
 * payload) where each waits for the other.  Spread over CPUs, each
 * hand-over is a cross-CPU wake-up, which a virtual machine pays with an
 * inter-processor interrupt through the hypervisor and an idle vCPU's exit
 * from halt; on one CPU it is a plain context switch.  Nothing runs in
 * parallel there that could use a second CPU (contrib/bench/startup
 * measures the difference). */
struct cpu_pin
{
  bool pinned;      /* the set-up runs on one CPU; the caller's mask below */
  cpu_set_t caller; /* the caller's affinity, for the payload */
  int cpu;          /* the CPU the set-up runs on */
};

/* Pin the calling process to its current CPU, keeping the caller's mask.
 * Does nothing (pinned stays false) where there is nothing to gain or the
 * mask does not fit a cpu_set_t: one CPU allowed already, more than
 * CPU_SETSIZE CPUs configured, or a kernel that refuses. */
void cpu_pin_setup (struct cpu_pin *p);

/* Give the calling process (the payload) the caller's affinity back.
 * Where a CPU of the caller's mask went away meanwhile (a cpuset shrank),
 * every CPU the cpuset allows.  Fails only when neither can be set: then
 * the payload would run on fewer CPUs than the caller gave it. */
int cpu_pin_release (const struct cpu_pin *p, fmr_error_t *err);

#endif
