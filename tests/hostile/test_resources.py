# SPDX-License-Identifier: Apache-2.0
"""Attack 23: a fork bomb against the bundle's process limit."""

import subprocess
import threading

from harness import host_pids_with
from hostile import MODE, HostileTest, as_caller

NPROC = 200
# The attack never forks more than this many children, whatever happens.
CAP = 5000


class HostProcesses(threading.Thread):
    """Starts short host processes, as the user who starts the sandbox,
    one after the other until told to stop; each must run to completion."""

    def __init__(self):
        super().__init__()
        self.stop = threading.Event()
        self.codes = []

    def run(self):
        while not self.stop.is_set():
            r = subprocess.run(as_caller(["/bin/sh", "-c", "exit 7"]), timeout=60)
            self.codes.append(r.returncode)


class Resources(HostileTest):
    def test_23_fork_bomb_bounded_by_the_bundles_limit(self):
        self.fork_bomb(())

    def test_23_fork_bomb_with_the_outer_proc_bound(self):
        # As in a container that masks /proc: no fresh proc, so no pid_max
        # of the sandbox's own; RLIMIT_NPROC alone holds, since a root
        # caller's payload is a build uid (not host uid 0).
        self.fork_bomb(("--proc", "bind"), pid_max=False)

    def fork_bomb(self, spec_opts, pid_max=True):
        # The bundle's own limit is the bound; --timeout too, so that a
        # sandbox that does not hold the limit still ends.
        config = self.spec("fork-bomb", str(CAP), spec_opts=("--timeout", "20", *spec_opts))
        if self.payload_is_host_root(config) and not pid_max:
            self.skipTest("the payload is host uid 0 here (no build uid) and no pid_max applies")
        rlimits = [r for r in config["process"]["rlimits"] if r["type"] != "RLIMIT_NPROC"]
        config["process"]["rlimits"] = rlimits + [{"type": "RLIMIT_NPROC", "hard": NPROC, "soft": NPROC}]
        host = HostProcesses()
        host.start()
        try:
            got = self.attack(config=config, timeout=120)
        finally:
            host.stop.set()
            host.join()
        # The host kept starting processes of the same user meanwhile, and
        # nothing of the bomb outlived the step (which ended with the
        # attack's own status, 0: self.attack checked it).
        self.assertGreater(len(host.codes), 0)
        self.assertEqual(set(host.codes), {7})
        self.assertEqual(host_pids_with(self.hostile), [], "a child of the bomb is still running")
        # The limit counts every process of the payload's user in the
        # sandbox's user namespace (the caller, or a root caller's build
        # uid): PID 1 and the attack itself take two.  The kernel exempts
        # host uid 0 from RLIMIT_NPROC; where the payload is host uid 0
        # (root without a build uid) fmr-run sets the pid namespace's pid_max to the limit + 301
        # (src/rootfs/pidlimit.c), so pids 1 .. NPROC + 300: PID 1, the attack and
        # NPROC + 298 children.
        forked = NPROC + 298 if self.payload_is_host_root(config) else NPROC - 2
        self.assertEqual(got, {"forked": str(forked), "fork-errno": "EAGAIN",
                               "bomb-forked": "0", "bomb-errno": "EAGAIN"})
