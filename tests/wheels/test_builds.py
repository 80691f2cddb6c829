#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Real wheel builds inside fmr-run: a pure-Python project and one with a C
extension, each through the runner, through fmr-isolate and through the
fromager plugin's run_sandboxed.  get_requires_for_build_wheel,
prepare_metadata_for_build_wheel, build_wheel and build_sdist all run in the
sandbox; the wheels are installed into a fresh venv and imported."""
import os
import pathlib
import tarfile
import unittest
import zipfile

import wheeltest
from fmr_sandbox import plugin
from fmr_sandbox.runner import SandboxRunner

CHECKS = {
    "purepy": "import fmr_purepy; assert fmr_purepy.greet('you') == 'hello, you'",
    "cext": "import fmr_cext, fmr_cext._speedup as s; assert fmr_cext.add(2, 3) == 5; "
            "assert s.__file__.endswith('.so'), s.__file__",
}
SDIST_MEMBERS = {"purepy": "fmr_purepy/__init__.py", "cext": "src/speedup.c"}


class BuildTest(unittest.TestCase):
    def check_outputs(self, project, result):
        self.assertIsInstance(result["requires"], list)
        self.assertTrue(result["metadata"].endswith(".dist-info"), result["metadata"])
        wheel = result["wheel"]
        self.assertTrue(os.path.isfile(wheel), wheel)
        with zipfile.ZipFile(wheel) as z:
            names = z.namelist()
        if project == "cext":
            self.assertFalse(wheel.endswith("-none-any.whl"), wheel)
            self.assertTrue(any(n.startswith("fmr_cext/_speedup") and n.endswith(".so") for n in names), names)
        with tarfile.open(result["sdist"]) as t:
            members = t.getnames()
        self.assertTrue(any(m.endswith(SDIST_MEMBERS[project]) for m in members), members)
        wheeltest.install_and_import(self, wheel, CHECKS[project])

    def build_with_runner(self, project):
        tmp = wheeltest.scratch(self)
        src = wheeltest.copy_project(project, os.path.join(tmp, "src"))
        python = wheeltest.make_venv(os.path.join(tmp, "venv"))
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        runner = SandboxRunner()
        result = wheeltest.build_all(src, runner, python, out, os.path.join(tmp, "meta"))
        self.assertEqual(runner.last.returncode, 0)
        self.check_outputs(project, result)

    def build_with_isolate(self, project):
        tmp = wheeltest.scratch(self)
        src = wheeltest.copy_project(project, os.path.join(tmp, "src"))
        python = wheeltest.make_venv(os.path.join(tmp, "venv"))
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        result = wheeltest.build_all(src, wheeltest.isolate_runner(), python, out, os.path.join(tmp, "meta"))
        self.check_outputs(project, result)

    def build_with_plugin(self, project):
        lay = wheeltest.fromager_layout(self, project)
        ctx, req, root = wheeltest.Ctx(), wheeltest.Req("fmr-" + project), pathlib.Path(lay["src"])
        plugin.setup_sandbox(ctx=ctx, req=req, sdist_root_dir=root)
        try:
            dist = os.path.join(lay["work"], "dist")
            meta = os.path.join(lay["work"], "tmp", "meta")
            result = wheeltest.build_all(lay["src"], wheeltest.plugin_runner(ctx, req, root), lay["python"],
                                         dist, meta)
            self.assertEqual(os.path.dirname(result["wheel"]), dist)
            # fromager moves the outputs away before teardown
            collected = os.path.join(os.path.dirname(lay["work"]), "collected")
            os.mkdir(collected)
            for key in ("wheel", "sdist"):
                moved = os.path.join(collected, os.path.basename(result[key]))
                os.rename(result[key], moved)
                result[key] = moved
        finally:
            plugin.teardown_sandbox(ctx=ctx, req=req, sdist_root_dir=root)
        self.assertEqual(sorted(os.listdir(lay["work"])), ["build-venv", os.path.basename(lay["src"])])
        self.check_outputs(project, result)

    def test_purepy_runner(self):
        self.build_with_runner("purepy")

    def test_cext_runner(self):
        self.build_with_runner("cext")

    def test_purepy_isolate(self):
        self.build_with_isolate("purepy")

    def test_cext_isolate(self):
        self.build_with_isolate("cext")

    def test_purepy_plugin(self):
        self.build_with_plugin("purepy")

    def test_cext_plugin(self):
        self.build_with_plugin("cext")


class PluginBehaviourTest(unittest.TestCase):
    """run_sandboxed's subprocess.run-like arguments and results."""

    def setUp(self):
        self.lay = wheeltest.fromager_layout(self, "purepy")
        self.root = pathlib.Path(self.lay["src"])
        self.ctx, self.req = wheeltest.Ctx(keep_env=["FMR_TEST_KEEP_TOKEN"]), wheeltest.Req("fmr-purepy")
        plugin.setup_sandbox(ctx=self.ctx, req=self.req, sdist_root_dir=self.root)
        self.addCleanup(plugin.teardown_sandbox, ctx=self.ctx, req=self.req, sdist_root_dir=self.root)

    def run_py(self, code, **kw):
        kw.setdefault("stdout", -1)
        return plugin.run_sandboxed([self.lay["python"], "-c", code], ctx=self.ctx, req=self.req,
                                    sdist_root_dir=self.root, **kw)

    def test_environment_cwd_and_text(self):
        env = {"PATH": "/usr/bin:/bin", "GITHUB_TOKEN": "t", "FMR_TEST_KEEP_TOKEN": "kept", "HOME": "/root"}
        code = ("import os, sys; print(os.getcwd()); print(os.environ['HOME']); print(os.environ['TMPDIR']);"
                "print(os.environ.get('GITHUB_TOKEN')); print(os.environ.get('FMR_TEST_KEEP_TOKEN'));"
                "print(os.environ.get('CARGO_NET_OFFLINE')); print(sys.stdin.read() == '')")
        done = self.run_py(code, env=env, text=True)
        self.assertEqual(done.returncode, 0)
        self.assertEqual(done.stdout.split("\n")[:7],
                         [str(self.root), self.lay["work"] + "/home", self.lay["work"] + "/tmp", "None", "kept",
                          "true", "True"])
        self.assertEqual(done.args[0], self.lay["python"])

    def test_exit_status_and_bytes(self):
        done = self.run_py("import sys; sys.stdout.write('x'); sys.exit(3)")
        self.assertEqual((done.returncode, done.stdout), (3, b"x"))

    def test_venv_is_read_only_inside_writable_work_dir(self):
        target = os.path.join(wheeltest.site_packages(self.lay["venv"]), "x.pth")
        done = self.run_py("open(%r, 'w')" % target, stderr=-1)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(b"Read-only file system", done.stderr)
        self.assertFalse(os.path.exists(target))
        done = self.run_py("open(%r, 'w').write('ok')" % os.path.join(self.lay["work"], "tmp", "f"))
        self.assertEqual(done.returncode, 0)

    def test_timeout(self):
        with self.assertRaises(__import__("subprocess").TimeoutExpired):
            self.run_py("import time; time.sleep(30)", timeout=1)

    def test_run_unconfined_runs_as_is(self):
        done = plugin.run_unconfined(["/bin/sh", "-c", "echo $FMR_TEST_UNCONFINED; pwd"], ctx=self.ctx,
                                     req=self.req, sdist_root_dir=self.root, stdout=-1, text=True, cwd="/",
                                     env={"FMR_TEST_UNCONFINED_TOKEN": "x", "FMR_TEST_UNCONFINED": "seen"})
        self.assertEqual(done.stdout, "seen\n/\n")


if __name__ == "__main__":
    wheeltest.main()
