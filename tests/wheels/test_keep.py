#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Keep what failed (fmr_sandbox/keep.py), through each helper: a failing
step leaves its bundle and prints a repro line that works, a successful one
leaves nothing, old kept bundles are pruned, and the usual sandbox-only
causes get a hint."""
import logging
import os
import pathlib
import re
import shlex
import subprocess
import tempfile
import time
import unittest

import wheeltest
from fmr_sandbox import keep, plugin
from fmr_sandbox.runner import SandboxRunner

MARKER = "fmr-keep-marker-5d1c"


def kept():
    return sorted(os.listdir(wheeltest.KEEP_DIR))


def repro_lines(log):
    rerun = re.search(r"rerun it: +(.*)", log).group(1)
    shell = re.search(r"a shell in it: +(.*)", log).group(1)
    return shlex.split(rerun), shlex.split(shell)


class KeepTest(unittest.TestCase):
    def setUp(self):
        for name in kept():
            keep.prune(wheeltest.KEEP_DIR, 0, 0)
        self.assertEqual(kept(), [])
        self.addCleanup(keep.prune, wheeltest.KEEP_DIR, 0, 0)
        self.tmp = wheeltest.scratch(self)
        self.work = os.path.join(self.tmp, "work")
        os.mkdir(self.work)

    def check_repro(self, log, status):
        """The printed lines run the same step again, and a shell in it."""
        self.assertEqual(len(kept()), 1, log)
        rerun, shell = repro_lines(log)
        self.assertEqual(rerun[-1], os.path.join(wheeltest.KEEP_DIR, kept()[0]))
        again = subprocess.run(rerun, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        self.assertEqual(again.returncode, status, again.stderr)
        self.assertIn(MARKER, again.stderr)
        self.assertIn("--shell", shell)
        inside = subprocess.run(shell, input="echo in-shell-$((2+3)); pwd; exit 3\n", capture_output=True,
                                text=True, timeout=60)
        self.assertEqual(inside.returncode, 3, inside.stderr)
        self.assertIn("in-shell-5", inside.stdout)
        self.assertIn(self.work, inside.stdout)

    def failing_code(self, status=4):
        return "import sys; sys.stderr.write(%r + '\\n'); sys.exit(%d)" % (MARKER, status)

    def test_runner(self):
        runner = SandboxRunner()
        with self.assertLogs("fmr_sandbox", logging.ERROR) as logs:
            with self.assertRaises(subprocess.CalledProcessError) as e:
                runner([wheeltest.PYTHON, "-c", self.failing_code()], cwd=self.work)
        self.assertEqual(e.exception.returncode, 4)
        log = "\n".join(logs.output)
        self.assertIn("failed with exit status 4", log)
        self.assertIn("| " + MARKER, log)
        self.check_repro(log, 4)

    def test_isolate(self):
        done = subprocess.run([wheeltest.FMR_ISOLATE, wheeltest.PYTHON, "-c", self.failing_code(5)],
                              cwd=self.work, capture_output=True, text=True)
        self.assertEqual(done.returncode, 5, done.stderr)
        self.assertIn("failed with exit status 5", done.stderr)
        self.assertIn("| " + MARKER, done.stderr)
        # The step's own stderr still reaches the caller, before the report.
        self.assertLess(done.stderr.index(MARKER), done.stderr.index("failed with exit status 5"))
        self.check_repro(done.stderr, 5)

    def test_plugin(self):
        lay = wheeltest.fromager_layout(self, "purepy")
        root = pathlib.Path(lay["src"])
        self.work = str(root)
        ctx, req = wheeltest.Ctx(), wheeltest.Req("fmr-purepy")
        plugin.setup_sandbox(ctx=ctx, req=req, sdist_root_dir=root)
        self.addCleanup(plugin.teardown_sandbox, ctx=ctx, req=req, sdist_root_dir=root)
        with self.assertLogs("fmr_sandbox", logging.ERROR) as logs:
            done = plugin.run_sandboxed([lay["python"], "-c", self.failing_code(6)], ctx=ctx, req=req,
                                        sdist_root_dir=root, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        self.assertEqual(done.returncode, 6)
        log = "\n".join(logs.output)
        self.assertIn("| " + MARKER, log)
        self.check_repro(log, 6)
        # A timeout is a failure too.
        with self.assertLogs("fmr_sandbox", logging.ERROR) as logs:
            with self.assertRaises(subprocess.TimeoutExpired):
                plugin.run_sandboxed([lay["python"], "-c", "import time; time.sleep(30)"], ctx=ctx, req=req,
                                     sdist_root_dir=root, timeout=1)
        self.assertIn("timed out (exit status 124)", "\n".join(logs.output))
        self.assertEqual(len(kept()), 2)

    def test_success_leaves_nothing(self):
        # The helpers write bundles in TMPDIR: a scratch one here, to look at.
        bundles = os.path.join(self.tmp, "bundles")
        os.mkdir(bundles)
        saved = tempfile.tempdir
        tempfile.tempdir = bundles
        try:
            SandboxRunner()([wheeltest.PYTHON, "-c", "pass"], cwd=self.work)
            with self.assertRaises(subprocess.CalledProcessError):
                SandboxRunner()([wheeltest.PYTHON, "-c", "raise SystemExit(1)"], cwd=self.work)
        finally:
            tempfile.tempdir = saved
        done = subprocess.run([wheeltest.FMR_ISOLATE, wheeltest.PYTHON, "-c", "pass"], cwd=self.work,
                              env=dict(os.environ, TMPDIR=bundles))
        self.assertEqual(done.returncode, 0)
        self.assertEqual(os.listdir(bundles), [], "a bundle left where it was written")
        self.assertEqual(len(kept()), 1, "only the failed step is kept")

    def test_pruned_by_count_and_age(self):
        old = os.path.join(wheeltest.KEEP_DIR, "step-20200101-000000-abcdef")
        os.makedirs(old)
        os.utime(old, (time.time() - 30 * 86400,) * 2)
        mine = os.path.join(wheeltest.KEEP_DIR, "not-ours")
        os.makedirs(mine)
        self.addCleanup(os.rmdir, mine)
        env = dict(os.environ, FMR_KEEP_FAILED="2")
        for i in range(3):
            subprocess.run([wheeltest.FMR_ISOLATE, wheeltest.PYTHON, "-c", "print(%d); raise SystemExit(1)" % i],
                           cwd=self.work, env=env, capture_output=True)
            time.sleep(1.1)  # distinct names and mtimes
        left = [n for n in kept() if n != "not-ours"]
        self.assertEqual(len(left), 2)
        self.assertNotIn(os.path.basename(old), left)
        self.assertIn("not-ours", kept(), "only what keep.py named is pruned")
        # The two newest: their rerun prints 1 and 2.
        outs = sorted(subprocess.run([wheeltest.FMR_RUN, "run", os.path.join(wheeltest.KEEP_DIR, n)],
                                     capture_output=True, text=True).stdout for n in left)
        self.assertEqual(outs, ["1\n", "2\n"])
        env["FMR_KEEP_FAILED"] = "0"
        done = subprocess.run([wheeltest.FMR_ISOLATE, "/bin/false"], cwd=self.work, env=env,
                              capture_output=True, text=True)
        self.assertIn("not kept", done.stderr)
        self.assertEqual(len([n for n in kept() if n != "not-ours"]), 2)


class HintTest(unittest.TestCase):
    def setUp(self):
        keep.prune(wheeltest.KEEP_DIR, 0, 0)
        self.addCleanup(keep.prune, wheeltest.KEEP_DIR, 0, 0)
        self.tmp = wheeltest.scratch(self)
        self.work = os.path.join(self.tmp, "work")
        os.mkdir(self.work)

    def isolate(self, *cmd, env=None):
        return subprocess.run([wheeltest.FMR_ISOLATE, *cmd], cwd=self.work, capture_output=True, text=True,
                              env=env)

    def test_path_not_bound(self):
        host_file = os.path.join(self.tmp, "needed.cfg")
        with open(host_file, "w") as f:
            f.write("x")
        done = self.isolate(wheeltest.PYTHON, "-c", "open(%r)" % host_file)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("hint: the step tried %s, which exists on the host but is not in the sandbox" % host_file,
                      done.stderr)
        # The suggested what-if rerun works: the file is there with --ro.
        line = re.search(r"Try: (.*?) \(or --rw\)", done.stderr).group(1)
        again = subprocess.run(shlex.split(line), capture_output=True, text=True)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("differs from", again.stderr)

    def test_unmapped_owner(self):
        if os.getuid() != 0:
            self.skipTest("needs root to chown a tree to another uid")
        tree = os.path.join(self.tmp, "foreign")
        os.mkdir(tree)
        os.chown(tree, 4242, 4242)
        os.chmod(tree, 0o755)
        # A root caller's writable tree is made its own before the step
        # (src/spec/spec_owners.c): the step writes, and no hint is needed.
        done = self.isolate(wheeltest.PYTHON, "-c", "open(%r, 'w')" % os.path.join(tree, "f"),
                            env=dict(os.environ, FMR_ISOLATE_RW=tree))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertNotIn("hint:", done.stderr)
        self.assertEqual((os.stat(tree).st_uid, os.stat(os.path.join(tree, "f")).st_uid), (0, 0))
        # What the hint says where the owner stays unmapped: a config whose
        # writable bind shows only the caller's ids as the build uid's.
        config = {"linux": {"uidMappings": [{"containerID": 0, "hostID": 2147000000, "size": 1}]},
                  "process": {"user": {"uid": 0}},
                  "mounts": [{"type": "bind", "source": tree, "options": ["rbind", "rw", "ridmap"],
                              "uidMappings": [{"containerID": 0, "hostID": 2147000000, "size": 1}]}]}
        os.chown(tree, 4242, 4242)
        found = keep.hints(config, "", 1, self.tmp)
        self.assertEqual(len(found), 1, found)
        self.assertIn("files there belong to host uid 4242, which the sandbox does not map", found[0])
        os.chown(tree, 0, 0)
        self.assertEqual(keep.hints(config, "", 1, self.tmp), [])

    def test_seccomp_denial(self):
        done = self.isolate("/usr/bin/unshare", "-U", "true")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("Operation not permitted", done.stderr)
        self.assertIn("hint: a system call may have been refused by the sandbox's seccomp filter", done.stderr)
        self.assertIn("--seccomp-log", done.stderr)

    def test_no_hint_for_an_ordinary_failure(self):
        done = self.isolate(wheeltest.PYTHON, "-c", "raise SystemExit(2)")
        self.assertEqual(done.returncode, 2)
        self.assertNotIn("hint:", done.stderr)


if __name__ == "__main__":
    wheeltest.main()
