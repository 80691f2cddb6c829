# SPDX-License-Identifier: Apache-2.0
"""The multi-step suite's harness: a build is several runs (steps) over the
same host directories.  Each test lets a first step plant something where
it can write, then runs the next step (the same bundle again, another
bundle, or a helper's entry point) and checks that it, and the host, see
nothing of the plant.  Started by root or by nobody as the integration
tests are (harness.MODE)."""

import json
import os
import subprocess
import uuid

from harness import MODE, NOBODY, SandboxTest, host_pids_with  # noqa: F401 (re-exported)


class StepTest(SandboxTest):
    """SandboxTest with a writable work directory and `fmr-run spec` at hand."""

    def setUp(self):
        super().setUp()
        self.work = self.writable_dir("work")
        self.token = "fmr-plant-" + uuid.uuid4().hex[:12]

    def own(self, path):
        """PATH (made by the test) owned by the caller of the sandbox."""
        if MODE != "root":
            for root, dirs, files in os.walk(path):
                for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                    os.lchown(name, NOBODY, NOBODY)

    def makedirs(self, *parts):
        path = os.path.join(self.work, *parts)
        os.makedirs(path, exist_ok=True)
        self.own(self.work)
        return path

    def spec(self, bundle, *opts, cmd, cwd=None):
        """Write BUNDLE with `fmr-run spec OPTS -- CMD` as the caller, run in
        CWD (default: the work directory)."""
        os.makedirs(bundle, exist_ok=True)
        if MODE != "root":
            os.chown(bundle, NOBODY, NOBODY)
        r = self.run_fmr("spec", "--force", "--cwd", cwd or self.work, *opts, bundle, "--", *cmd)
        self.assertEqual(r.returncode, 0, r.stderr)
        return bundle

    def step(self, bundle, **kw):
        return self.run_fmr("run", bundle, **kw)

    def config_of(self, bundle):
        with open(os.path.join(bundle, "config.json")) as f:
            return json.load(f)

    def write_to(self, bundle, config):
        with open(os.path.join(bundle, "config.json"), "w") as f:
            json.dump(config, f)
