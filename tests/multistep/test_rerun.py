# SPDX-License-Identifier: Apache-2.0
"""Plants against the runtime itself: a step changes what a later run of
the same bundle (the debugging rerun) or of another bundle binds."""

import os

from multistep import StepTest


class BindSourceTest(StepTest):

    def test_nested_readonly_bind_planted_proc(self):
        # --rw WORK with WORK/sub/deps read-only inside it: the step cannot
        # remove the mount point, but it can rename its parent and put a
        # link where deps was.  The rerun must not show the host's /proc.
        self.makedirs("sub", "deps")
        deps = os.path.join(self.work, "sub", "deps")
        plant = f"mv sub sub.old && mkdir sub && ln -s /proc sub/deps && echo planted"
        look = f"ls {deps}/1/ >/dev/null 2>&1 && echo SAW-HOST-PROC; cat {deps}/1/cmdline 2>/dev/null"
        b = self.spec(os.path.join(self.scratch, "b1"), "--rw", self.work, "--ro", deps,
                      cmd=["/bin/sh", "-c", f"if [ -e sub.old ]; then {look}; else {plant}; fi"])
        first = self.step(b)
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertIn("planted", first.stdout)
        self.assertTrue(os.path.islink(deps), "the plant did not happen: the test proves nothing")
        rerun = self.step(b)
        self.assertNotIn("SAW-HOST-PROC", rerun.stdout)
        self.assertEqual(rerun.returncode, 125, rerun.stdout + rerun.stderr)
        self.assertIn("mounts[", rerun.stderr)
        self.assertIn("symbolic link", rerun.stderr)

    def test_plain_bind_planted_tmp(self):
        # Two bundles over one work directory: the first step may write
        # WORK; the second binds WORK/cache writable and nothing else of it.
        # The first replaces cache with `cache -> /tmp`; the second must not
        # get the host's /tmp writable.
        cache = self.makedirs("cache")
        marker = f"/tmp/{self.token}"
        second = self.spec(os.path.join(self.scratch, "b2"), "--rw", cache,
                           cmd=["/bin/sh", "-c", f"touch {cache}/{self.token}"])
        first = self.spec(os.path.join(self.scratch, "b1"), "--rw", self.work,
                          cmd=["/bin/sh", "-c", "rmdir cache && ln -s /tmp cache"])
        r = self.step(first)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.islink(cache), "the plant did not happen")
        try:
            r = self.step(second)
            self.assertFalse(os.path.exists(marker), "the step wrote into the host's /tmp")
            self.assertEqual(r.returncode, 125, r.stdout + r.stderr)
            self.assertIn("symbolic link", r.stderr)
        finally:
            if os.path.exists(marker):
                os.unlink(marker)

    def test_system_links_still_followed(self):
        # The control: links only root can have made (/etc/localtime,
        # /lib64 on a usr-merged host) are still followed.
        links = [p for p in ("/etc/localtime", "/etc/resolv.conf", "/lib64", "/bin")
                 if os.path.islink(p) and os.path.exists(p)]
        if not links:
            self.skipTest("no symbolic link in /, /etc on this host")
        b = self.spec(os.path.join(self.scratch, "b"), cmd=["/bin/true"], cwd="/")
        c = self.config_of(b)
        for p in links:
            c["mounts"].append({"destination": "/mnt" + p, "type": "bind", "source": p,
                                "options": ["rbind", "ro"]})
        self.write_to(b, c)
        r = self.step(b)
        self.assertEqual(r.returncode, 0, r.stderr)


class BundleInsideWritableTest(StepTest):

    def test_spec_refuses_bundle_inside_rw(self):
        r = self.run_fmr("spec", "--rw", self.work, os.path.join(self.work, "bundle"), "--", "/bin/true")
        self.assertEqual(r.returncode, 125)
        self.assertIn("rewrite its own bundle", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.work, "bundle", "config.json")))

    def test_run_refuses_bundle_inside_rw(self):
        # A bundle edited by hand (or written by an older spec) so that its
        # step could rewrite it: add a bind, drop seccomp, before the rerun.
        inner = self.makedirs("bundle")
        b = self.spec(os.path.join(self.scratch, "b"), cmd=["/bin/true"], cwd="/")
        c = self.config_of(b)
        c["root"]["path"] = os.path.join(b, "rootfs")
        c["mounts"].append({"destination": self.work, "type": "bind", "source": self.work,
                            "options": ["rbind", "rw"]})
        self.write_to(inner, c)
        r = self.step(inner)
        self.assertEqual(r.returncode, 125, r.stdout + r.stderr)
        self.assertIn("rewrite its own bundle", r.stderr)


class NamespacePathTest(StepTest):

    def run_with_ns_path(self, path, ns_type="ipc"):
        b = self.spec(os.path.join(self.scratch, "b"), cmd=["/bin/true"], cwd="/")
        c = self.config_of(b)
        for ns in c["linux"]["namespaces"]:
            if ns["type"] == ns_type:
                ns["path"] = path
        self.write_to(b, c)
        return self.step(b, timeout=20)

    def test_fifo_refused_without_hanging(self):
        fifo = os.path.join(self.work, "ns")
        os.mkfifo(fifo)
        self.own(fifo)
        r = self.run_with_ns_path(fifo)  # a hang raises TimeoutExpired
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("not a namespace file", r.stderr)

    def test_device_refused(self):
        r = self.run_with_ns_path("/dev/tty")
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("not a namespace file", r.stderr)

    def test_wrong_type_refused(self):
        r = self.run_with_ns_path("/proc/self/ns/net", "ipc")
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("another type", r.stderr)
