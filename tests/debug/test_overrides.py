# SPDX-License-Identifier: Apache-2.0
"""`run --env/--rw/--ro`: the step runs with the change, config.json stays
as it was, and the change is printed as a diff that makes it permanent."""

import json
import os
import shutil
import subprocess
import tempfile

from harness import SandboxTest


def apply_diff(config_path, stderr):
    """Apply the diff fmr-run printed to a copy of config_path with patch(1)."""
    diff = stderr[stderr.index("--- config.json"):]
    copy = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    with open(config_path) as f:
        copy.write(f.read())
    copy.close()
    try:
        r = subprocess.run(["patch", "-s", copy.name], input=diff, capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError(f"patch failed: {r.stdout}{r.stderr}\n{diff}")
        with open(copy.name) as f:
            return json.load(f)
    finally:
        os.unlink(copy.name)
        for leftover in (copy.name + ".orig", copy.name + ".rej"):
            if os.path.exists(leftover):
                os.unlink(leftover)


class OverrideTest(SandboxTest):
    def setUp(self):
        super().setUp()
        self.data = self.writable_dir("data")
        with open(os.path.join(self.data, "f"), "w") as f:
            f.write("x")

    def written(self):
        with open(os.path.join(self.bundle, "config.json")) as f:
            return f.read()

    def test_env(self):
        c = self.config("env")
        c["process"]["env"].append("KEEP=1")
        self.write(c)
        before = self.written()
        r = self.run_fmr("run", "--env", "LANG=C", "--env", "NEW=a b", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        env = json.loads(r.stdout)["env"]
        self.assertIn("LANG=C", env)
        self.assertNotIn("LANG=C.UTF-8", env)
        self.assertIn("NEW=a b", env)
        self.assertIn("KEEP=1", env)
        self.assertEqual(self.written(), before)
        self.assertIn('-      "LANG=C.UTF-8",', r.stderr)
        self.assertIn('+      "NEW=a b"', r.stderr)
        patched = apply_diff(os.path.join(self.bundle, "config.json"), r.stderr)
        expect = json.loads(before)
        expect["process"]["env"] = [e for e in expect["process"]["env"] if not e.startswith("LANG=")]
        expect["process"]["env"][2:2] = ["LANG=C"]
        self.assertEqual(sorted(patched["process"]["env"]), sorted(expect["process"]["env"] + ["NEW=a b"]))
        self.assertEqual({k: v for k, v in patched.items() if k != "process"},
                         {k: v for k, v in expect.items() if k != "process"})

    def test_rw_and_ro(self):
        other = self.writable_dir("other")
        c = self.config(f"path={other}", "path=/data")
        c["mounts"].append({"destination": "/data", "type": "bind", "source": self.data,
                            "options": ["rbind", "ro", "nosuid", "nodev"]})
        self.write(c)
        before = self.written()
        # Not bound at all: a new bind, read-write.  Bound read-only: made read-write.
        r = self.run_fmr("run", "--rw", other, "--rw", "/data", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = json.loads(r.stdout)
        self.assertEqual(seen[f"path={other}"]["write"], "ok")
        self.assertEqual(seen["path=/data"]["write"], "ok")
        self.assertEqual(self.written(), before)
        patched = apply_diff(os.path.join(self.bundle, "config.json"), r.stderr)
        binds = {m["destination"]: m for m in patched["mounts"]}
        self.assertEqual(binds[other]["source"], other)
        self.assertIn("rw", binds[other]["options"])
        self.assertEqual(binds["/data"]["source"], self.data)
        self.assertIn("rw", binds["/data"]["options"])
        self.assertNotIn("ro", binds["/data"]["options"])
        self.assertEqual(len(patched["mounts"]), len(c["mounts"]) + 1)
        # The patched file is the same sandbox: the plain run sees the same.
        self.write(patched)
        r2 = self.run_fmr("run", self.bundle)
        self.assertEqual(json.loads(r2.stdout), seen)
        self.assertNotIn("differs", r2.stderr)

    def test_ro_with_destination(self):
        self.write(self.config("path=/data", "read=/data/f"))
        r = self.run_fmr("run", "--ro", f"{self.data}:/data", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = json.loads(r.stdout)
        self.assertEqual(seen["read=/data/f"], "x")
        self.assertEqual(seen["path=/data"]["write"], "EROFS")

    def test_lone_path_not_bound_nor_on_the_host(self):
        self.write(self.config("env"))
        r = self.run_fmr("run", "--rw", "/nonexistent-fmr-path", self.bundle)
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("binds nothing at /nonexistent-fmr-path", r.stderr)

    def test_bad_arguments(self):
        self.write(self.config("env"))
        for args, message in ((["--env", "=x"], "NAME=VALUE"), (["--env", "NOEQUALS"], "NAME=VALUE"),
                              (["--rw", "/nonexistent-fmr-path:/x"], "No such file"),
                              (["--rw", "relative-fmr-path"], "No such file"),
                              (["--ro", f"{self.data}:relative"], "absolute")):
            # A relative path is the caller's: resolved from a folder it can
            # search (the build tree may not be, as in distcheck).
            r = self.run_fmr("run", *args, self.bundle, cwd=self.scratch)
            self.assertEqual(r.returncode, 125, (args, r.stderr))
            self.assertIn(message, r.stderr)
            self.assertEqual(r.stdout, "", "the step ran")

    def test_result_is_validated_like_a_bundle(self):
        c = self.config("env")
        self.write(c)
        # The bundle's own rule, not the option parser's: no ".." in a destination.
        r = self.run_fmr("run", "--ro", f"{self.data}:/x/../etc", self.bundle)
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn(f"mounts[{len(c['mounts'])}].destination", r.stderr)
        self.assertIn('".." component', r.stderr)
        self.assertEqual(r.stdout, "", "the step ran")
