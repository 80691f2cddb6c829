# SPDX-License-Identifier: Apache-2.0
"""Attacks 31-33: the owner's rights over every mount point and device node
in view, the caller's session priority through /proc/1/autogroup, and who
the payload is on the host."""

import os
import subprocess
import threading
import time

from harness import host_pids_with

from hostile import MODE, NOBODY, HostileTest, as_caller, caller_ids, parse

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
        pid1_owner = self.payload_is_host_root()
        # The caller is a shell in a session of its own (so that a failure
        # renices nothing but the test's own session): its autogroup's
        # nice value before and after the step.
        script = 'cat /proc/self/autogroup; "$0" run "$1"; cat /proc/self/autogroup'
        r = subprocess.run(as_caller(["sh", "-c", script, self.fmr, self.bundle]), capture_output=True,
                           text=True, start_new_session=True, timeout=60, env=dict(os.environ, TMPDIR=self.run_tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        before, attack, after = r.stdout.splitlines()
        # PID 1 is not dumpable: its /proc files belong to the host's root,
        # which the payload is only where root started the sandbox without
        # a build uid.  Either way its session is the sandbox's: renicing
        # it changes nothing outside.
        self.assertEqual(attack, "write:/proc/1/autogroup " + ("ok" if pid1_owner else "EACCES"))
        self.assertTrue(before.endswith(" nice 0"), before)
        self.assertEqual(after, before, "the caller's session was reniced")

    def host_status_ids(self, pid):
        """The real uid and gid of PID as the host sees them."""
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        uid = int(status.split("\nUid:")[1].split()[0])
        gid = int(status.split("\nGid:")[1].split()[0])
        return uid, gid

    def make_files(self, pre=(), spec_opts=()):
        """Run make-files in the work directory (spec and run started with
        PRE before fmr-run); its report, the host's view of its ids while
        it ran, and spec's stderr."""
        r = subprocess.run(as_caller([*pre, self.fmr, "spec", "--force", "--ro", self.bin_dir, "--rw", self.work,
                                      "--cwd", self.work, *spec_opts, self.bundle, "--", self.hostile,
                                      "make-files", self.work]),
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        spec_stderr = r.stderr
        seen = {}

        def watch():
            ready = os.path.join(self.work, "ready")
            for _ in range(3000):
                if os.path.exists(ready):
                    break
                time.sleep(0.01)
            pids = host_pids_with(self.hostile)
            seen["ids"] = [self.host_status_ids(p) for p in pids]
            open(os.path.join(self.work, "go"), "w").close()

        t = threading.Thread(target=watch)
        t.start()
        r = subprocess.run(as_caller([*pre, self.fmr, "run", self.bundle]), capture_output=True, text=True,
                           timeout=60, env=dict(os.environ, TMPDIR=self.run_tmp))
        t.join()
        self.assertEqual(r.returncode, 0, r.stderr)
        for n in ("ready", "go"):
            os.unlink(os.path.join(self.work, n))
        return parse(r.stdout), seen["ids"], spec_stderr

    def assertOwnedByTheCaller(self):
        entries = {n: os.lstat(os.path.join(self.work, n)) for n in ("file", "dir", "dir/inner", "symlink", "hardlink")}
        self.assertEqual({n: (st.st_uid, st.st_gid) for n, st in entries.items()},
                         {n: caller_ids() for n in entries})
        self.assertEqual(entries["file"].st_ino, entries["hardlink"].st_ino)
        self.assertEqual(entries["file"].st_nlink, 2)

    def test_33_who_the_payload_is_on_the_host_and_who_owns_its_files(self):
        got, host_ids, _ = self.make_files()
        config = self.spec_config_from_bundle()
        build = (config["linux"]["uidMappings"][0]["hostID"], config["linux"]["gidMappings"][0]["hostID"])
        # Inside, the payload is the caller (root or nobody) ...
        self.assertEqual(got, {"file": "ok", "dir": "ok", "inner": "ok", "symlink": "ok", "hardlink": "ok",
                               "uid": str(caller_ids()[0]), "gid": str(caller_ids()[1])})
        # ... on the host a root caller's payload is the build uid, never 0.
        self.assertNotEqual(host_ids, [])
        if MODE == "root":
            self.assertNotIn(0, build)
            self.assertEqual(set(host_ids), {build})
        else:
            self.assertEqual(set(host_ids), {(NOBODY, NOBODY)})
        # What it made in the writable bind belongs to the caller.
        self.assertOwnedByTheCaller()

    def test_33_fallback_without_idmapped_mounts_root_without_cap_sys_admin(self):
        if MODE != "root":
            self.skipTest("the build uid is a root caller's")
        # Root without CAP_SYS_ADMIN (a rootful docker container): no
        # idmapped mount, so no build uid: the caller's own ids, said on
        # spec's stderr and in the bundle.
        pre = ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"]
        got, host_ids, spec_stderr = self.make_files(pre=pre)
        self.assertIn("no build uid", spec_stderr)
        config = self.spec_config_from_bundle()
        self.assertTrue(config["annotations"]["run.fmr.note.build-uid"].startswith("unused: "))
        self.assertEqual(got["uid"], "0")
        self.assertEqual(set(host_ids), {(0, 0)})
        self.assertOwnedByTheCaller()

    def spec_config_from_bundle(self):
        import json
        with open(os.path.join(self.bundle, "config.json")) as f:
            return json.load(f)
