# SPDX-License-Identifier: Apache-2.0
"""The hostile build's harness: every attack runs as the command of the
bundle `fmr-run spec` writes (the default sandbox a wheel builder uses), with
the attack program's directory bound read-only and one scratch directory
bound writable as the step's work directory, started by root or by nobody
(FMR_TEST_MODE) exactly as the integration tests are.  The attack prints one
"WHAT RESULT" line per attempt (tests/hostile/hostile.h); the tests compare
those lines with the exact errno or outcome expected, and check from outside
that the host did not change (tearDown of harness.SandboxTest: no mount, no
process, no file left; each test adds its own checks)."""

import json
import os
import shutil
import subprocess

from harness import MODE, NOBODY, SandboxTest, caller_ids  # noqa: F401 (re-exported)

HOSTILE = os.environ.get("HOSTILE", "")


def parse(output):
    """The attack's lines as a dict; a repeated WHAT is an error in the attack."""
    result = {}
    for line in output.splitlines():
        what, _, value = line.partition(" ")
        if what in result:
            raise AssertionError(f"attack reported {what!r} twice: {output!r}")
        result[what] = value
    return result


def as_caller(cmd):
    """cmd run with the ids of the user who starts the sandbox."""
    if MODE == "root":
        return list(cmd)
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]


class HostileTest(SandboxTest):
    """SandboxTest with the attack program beside the probe and a writable
    work directory, self.work, that every bundle binds read-write."""

    def setUp(self):
        super().setUp()
        if not os.path.isfile(HOSTILE):
            self.fail(f"HOSTILE={HOSTILE!r}: not a file (set it to the built tests/hostile/hostile)")
        self.hostile = os.path.join(self.bin_dir, "hostile")
        shutil.copy2(HOSTILE, self.hostile)
        self.work = self.writable_dir("work")

    def spec(self, *args, spec_opts=()):
        """The config `fmr-run spec` writes, run by the caller, for
        `hostile ARGS...` with the work directory writable and current."""
        r = self.run_fmr("spec", "--force", "--ro", self.bin_dir, "--rw", self.work, "--cwd", self.work,
                         *spec_opts, self.bundle, "--", self.hostile, *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.bundle, "config.json")) as f:
            config = json.load(f)
        self.spec_config = config
        return config

    def payload_is_host_root(self, config=None):
        """The payload of CONFIG (default: the last spec) is the host's uid
        0: root started the sandbox and `spec` found no build uid."""
        config = config or self.spec_config
        return MODE == "root" and config["linux"]["uidMappings"][0]["hostID"] == 0

    def attack(self, *args, config=None, spec_opts=(), expect=0, **kw):
        """Run `hostile ARGS...` in the default sandbox (or CONFIG); its report."""
        if config is None:
            config = self.spec(*args, spec_opts=spec_opts)
        r = self.run_bundle(config, expect=expect, **kw)
        return parse(r.stdout)

    def unconfined(self, *args, env=None, **kw):
        """The same attack run directly on the host by the same user: the
        control that shows the attack works where nothing stops it."""
        r = subprocess.run(as_caller([self.hostile, *args]), capture_output=True, text=True,
                           env=env, timeout=kw.pop("timeout", 60), **kw)
        return parse(r.stdout)

    def assertHostFileUnchanged(self, path, before):
        """PATH's bytes are still BEFORE (None: PATH still does not exist)."""
        if before is None:
            self.assertFalse(os.path.lexists(path), f"{path} appeared on the host")
            return
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before, f"{path} changed on the host")


def read_bytes(path):
    """PATH's bytes, or None when it does not exist."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
