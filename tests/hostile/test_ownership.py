# SPDX-License-Identifier: Apache-2.0
"""Attacks 31-33: the owner's rights over every mount point and device node
in view, the caller's session priority through /proc/1/autogroup, and who
the payload is on the host."""

import os
import subprocess

from hostile import MODE, HostileTest, as_caller

DEVICES = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"]
# The sandbox's own kernel file systems and tmpfs: nothing of the host's.
PRIVATE = {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/tmp"}


def owner_view(path):
    st = os.stat(path)
    return (st.st_mode, st.st_uid, st.st_gid, st.st_rdev)


class Ownership(HostileTest):
    maxDiff = None

    def test_31_chmod_chown_utime_of_every_mount_point_and_device(self):
        config = self.spec("owner-rights", *DEVICES)
        before = {d: owner_view(d) for d in DEVICES}
        got = self.attack(config=config)
        # Every mount point of a host object, every device and every masked
        # or read-only path refuses the owner's calls on the mount, before
        # any permission check: whoever the caller is.
        refused = {"/", *DEVICES}
        refused |= {m["destination"] for m in config["mounts"]
                    if m["type"] == "bind" and m["destination"] != self.work}
        refused |= set(config["linux"]["maskedPaths"]) | set(config["linux"]["readonlyPaths"])
        expect = {}
        for what, result in got.items():
            verb, _, path = what.partition(":")
            if verb in ("chmod", "chown", "utime") and path in refused:
                expect[what] = "EROFS"
            elif path == self.work:
                expect[what] = "ok"  # the step's own directory
            elif path in PRIVATE or verb in ("open", "write", "read"):
                expect[what] = result
            else:
                expect[what] = f"unexpected mount point {path}"
        for dev in DEVICES:
            for verb in ("chmod", "chown", "utime"):
                expect[f"{verb}:{dev}"] = "EROFS"
            if dev != "/dev/tty":
                # The devices themselves still work.
                expect.update({f"open:{dev}": "ok", f"write:{dev}": "ok", f"read:{dev}": "ok"})
        for verb in ("chmod", "chown", "utime"):
            expect[f"{verb}:{self.work}"] = "ok"
            expect[f"{verb}:/"] = "EROFS"
        self.assertEqual(got, expect)
        # The masked paths are there (bound over with /dev/null or a tmpfs).
        masked = [p for p in config["linux"]["maskedPaths"] if os.path.isfile(p)]
        self.assertNotEqual(masked, [])
        self.assertEqual({p: got[f"chmod:{p}"] for p in masked}, {p: "EROFS" for p in masked})
        self.assertEqual({d: owner_view(d) for d in DEVICES}, before)

    def test_32_renice_the_callers_session_through_proc_1_autogroup(self):
        if not os.path.exists("/proc/self/autogroup"):
            self.skipTest("this kernel has no autogroups (/proc/self/autogroup)")
        self.write(self.spec("autogroup", "19"))
        # The caller is a shell in a session of its own (so that a failure
        # renices nothing but the test's own session): its autogroup's
        # nice value before and after the step.
        script = 'cat /proc/self/autogroup; "$0" run "$1"; cat /proc/self/autogroup'
        r = subprocess.run(as_caller(["sh", "-c", script, self.fmr, self.bundle]), capture_output=True,
                           text=True, start_new_session=True, timeout=60, env=dict(os.environ, TMPDIR=self.run_tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        before, attack, after = r.stdout.splitlines()
        # PID 1 is the payload's own on the inside (its uid when root
        # starts the sandbox, not mapped when nobody does), and its session
        # is the sandbox's: renicing it changes nothing outside.
        self.assertEqual(attack, "write:/proc/1/autogroup " + ("ok" if MODE == "root" else "EACCES"))
        self.assertTrue(before.endswith(" nice 0"), before)
        self.assertEqual(after, before, "the caller's session was reniced")
