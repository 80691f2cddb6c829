# SPDX-License-Identifier: Apache-2.0
"""Plants through the real entry points of the Python helpers, run by the
caller (root, or nobody through setpriv): fmr-isolate in fromager's call
sequence, the plugin's hooks in the order fromager calls them, the
pyproject_hooks runner.  A first step plants; the next step, or the host
afterwards, must see nothing of it."""

import json
import os
import shutil
import subprocess
import sys

from harness import MODE, NOBODY
from multistep import StepTest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.environ.get("FMR_TOP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))
FROMAGER = os.path.join(TOP, "contrib", "fromager")
PYTHON = "/usr/bin/python3"


def as_caller(cmd):
    if MODE == "root":
        return list(cmd)
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]


class HelperTest(StepTest):
    """work-dir/pkg-1.0/{pkg-1.0 (the sources, cwd), build-venv} as fromager
    lays them out, owned by the caller, and a `secret` folder standing for
    ~/.ssh: no step may reach it."""

    def setUp(self):
        super().setUp()
        # The helpers as the caller can read them, whatever the permissions
        # of the tree the tests run from (distcheck's copy, a private home).
        self.fromager = os.path.join(self.scratch, "fromager")
        shutil.copytree(os.path.join(FROMAGER, "fmr_sandbox"), os.path.join(self.fromager, "fmr_sandbox"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        self.pkg = self.makedirs("pkg-1.0")
        self.src = self.makedirs("pkg-1.0", "pkg-1.0")
        self.venv = os.path.join(self.pkg, "build-venv")
        r = subprocess.run(as_caller([PYTHON, "-m", "venv", "--without-pip", self.venv]), capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.python = os.path.join(self.venv, "bin", "python")
        # The caller's HOME (helpers refuse every home of the host; $HOME is
        # one of them) and its ~/.ssh.
        self.home = os.path.join(self.scratch, "home")
        self.secret = os.path.join(self.home, ".ssh")
        os.makedirs(self.secret)
        with open(os.path.join(self.secret, "id_rsa"), "w") as f:
            f.write("PRIVATE KEY\n")
        self.own(self.home)
        self.own(self.work)

    def env(self, **extra):
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "FMR_RUN": self.fmr, "TMPDIR": self.run_tmp,
               "HOME": self.home,
               "PYTHONPATH": self.fromager, "PYTHONDONTWRITEBYTECODE": "1"}
        env.update(extra)
        return env

    def isolate(self, cwd, *cmd, **env):
        return subprocess.run(as_caller([PYTHON, "-m", "fmr_sandbox.isolate", *cmd]), cwd=cwd,
                              env=self.env(**env), capture_output=True, text=True, timeout=120)

    def py(self, code, **env):
        """CODE run by the caller with the helpers importable; prints JSON."""
        r = subprocess.run(as_caller([PYTHON, "-c", code]), cwd=self.scratch, env=self.env(**env),
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        return json.loads(r.stdout.strip().splitlines()[-1])

    def assert_secret_untouched(self):
        self.assertEqual(sorted(os.listdir(self.secret)), ["id_rsa"])
        with open(os.path.join(self.secret, "id_rsa")) as f:
            self.assertEqual(f.read(), "PRIVATE KEY\n")

    def assert_venv_intact(self):
        self.assertFalse(os.path.islink(self.venv))
        self.assertEqual(os.path.realpath(self.python), os.path.realpath(PYTHON))
        with open(os.path.join(self.venv, "pyvenv.cfg")) as f:
            self.assertNotIn(self.secret, f.read())
        pth = [n for r, d, fs in os.walk(self.venv) for n in fs if n.endswith(".pth")]
        self.assertEqual(pth, [])


class IsolateTest(HelperTest):
    """fmr-isolate as fromager calls it: in the package's source tree."""

    PLANT = ("cd ../.. && mv {pkg} {pkg}.old && mkdir {pkg} && ln -s {secret} {pkg}/pkg-1.0 && "
             "mkdir -p {pkg}/build-venv/bin && printf '#!/bin/sh\\necho PWNED\\n' > {pkg}/build-venv/bin/python && "
             "chmod +x {pkg}/build-venv/bin/python && echo planted")

    def plant(self, **env):
        cmd = self.PLANT.format(pkg=os.path.basename(self.pkg), secret=self.secret)
        return self.isolate(self.src, "/bin/sh", "-c", cmd, **env)

    def test_default_only_the_source_tree_is_writable(self):
        # Inside, the folders above the binds are the sandbox's own (on its
        # /tmp): the step may shuffle them there, the host sees nothing.
        self.plant(VIRTUAL_ENV=self.venv)
        self.assertTrue(os.path.isdir(self.src) and not os.path.islink(self.src))
        self.assertFalse(os.path.lexists(self.pkg + ".old"))
        self.assert_venv_intact()

    def test_work_dir_writable_plant_is_caught_and_not_followed(self):
        # The old recommendation, FMR_ISOLATE_RW=work-dir: the step can
        # rename the package's folder.  The change of the venv stops the
        # build; the next step's cwd, now a link to `secret`, is not bound.
        r = self.plant(FMR_ISOLATE_RW=self.work, VIRTUAL_ENV=self.venv)
        self.assertIn("planted", r.stdout)
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("changed during the step", r.stderr)
        nxt = self.isolate(self.src, "/bin/sh", "-c", "touch pwned-$$ && ls", FMR_ISOLATE_RW=self.work)
        self.assertNotIn("id_rsa", nxt.stdout)
        self.assert_secret_untouched()
        self.assertIn(self.venv, r.stderr)

    def test_cwd_through_a_planted_link_gets_a_private_dir(self):
        link = os.path.join(self.work, "cwd-link")
        os.symlink(self.secret, link)
        r = self.isolate(link, "/bin/sh", "-c", "ls; echo x > written")
        self.assertNotIn("id_rsa", r.stdout)
        self.assertIn("home directory", r.stderr)
        self.assert_secret_untouched()

    def test_rw_setting_through_a_link_refused(self):
        link = os.path.join(self.work, "out-link")
        os.symlink(self.secret, link)
        r = self.isolate(self.src, "/bin/sh", "-c", f"echo x > {link}/planted", FMR_ISOLATE_RW=link)
        self.assertEqual(r.returncode, 125, r.stderr)
        self.assertIn("symbolic link", r.stderr)
        self.assert_secret_untouched()


class PluginTest(HelperTest):
    """The plugin's hooks in fromager's order: setup_sandbox, run_sandboxed
    for each command of the build (not only python ones), teardown."""

    DRIVER = """
import json, os, pathlib, subprocess
from fmr_sandbox import plugin
plugin.check_host = lambda *a, **k: None
class Req:
    name = "pkg"
root = pathlib.Path({src!r})
plugin.setup_sandbox(ctx=None, req=Req(), sdist_root_dir=root)
out = []
for cmd in {cmds!r}:
    try:
        d = plugin.run_sandboxed(cmd, ctx=None, req=Req(), sdist_root_dir=root, stdout=-1, stderr=-1, text=True,
                                 env=dict(os.environ))
        out.append([d.returncode, d.stdout, d.stderr])
    except Exception as e:
        out.append([-1, "", type(e).__name__ + ": " + str(e)])
try:
    plugin.teardown_sandbox(ctx=None, req=Req(), sdist_root_dir=root)
    out.append("teardown ok")
except Exception as e:
    out.append("teardown: " + str(e))
print(json.dumps(out))
"""

    def steps(self, *cmds):
        return self.py(self.DRIVER.format(src=self.src, cmds=[list(c) for c in cmds]))

    def test_non_python_steps_cannot_touch_the_venv(self):
        site = [os.path.join(r, d) for r, ds, _ in os.walk(self.venv) for d in ds if d == "site-packages"][0]
        out = self.steps(
            ["/bin/sh", "-c", f"echo 'home = {self.secret}' >> {self.venv}/pyvenv.cfg"],
            ["make", "-v"] if os.path.exists("/usr/bin/make") else ["/bin/true"],
            ["/bin/sh", "-c", f"echo 'import os; os.system(\"touch /tmp/pwned\")' > {site}/evil.pth"],
            ["/bin/sh", "-c", f"mv {self.venv} {self.venv}.old"],
            [self.python, "-c", f"import os; print(os.listdir({self.secret!r}))"])
        self.assertNotEqual(out[0][0], 0)
        self.assertIn("Read-only file system", out[0][2])
        self.assertNotEqual(out[2][0], 0)
        self.assertNotEqual(out[3][0], 0)  # the work dir itself is not writable
        self.assertNotEqual(out[4][0], 0)
        self.assertNotIn("id_rsa", out[4][1])
        self.assert_venv_intact()
        self.assert_secret_untouched()

    def test_dist_links_refused_at_teardown(self):
        out = self.steps(["/bin/sh", "-c", f"ln -s {self.secret}/id_rsa ../dist/pkg-1.0-py3-none-any.whl"])
        self.assertEqual(out[0][0], 0, out)
        self.assertIn("not regular files", out[-1])
        self.assertFalse(os.path.lexists(os.path.join(self.pkg, "dist", "pkg-1.0-py3-none-any.whl")))

    def test_source_tree_link_out_of_the_package(self):
        # A step replaces a folder of its source tree by a link to the
        # secret; a later step that names it as a path to bind is refused.
        out = self.steps(["/bin/sh", "-c", f"ln -s {self.secret} build"])
        self.assertEqual(out[0][0], 0, out)
        r = self.py(f"""
import json
from fmr_sandbox import guard
try:
    guard.check_path({os.path.join(self.src, 'build')!r}, writable=True)
    print(json.dumps("accepted"))
except guard.BundleError as e:
    print(json.dumps(str(e)))
""")
        self.assertIn("symbolic link", r)


class HookOutputTest(HelperTest):
    """A step replaces the folder the next hook call writes its output to
    by a link to ~/.ssh: the host must not create or move anything there."""

    def test_output_dir_through_a_planted_link(self):
        out = self.makedirs("pkg-1.0", "pkg-1.0", "out")
        control = self.makedirs("ctl")
        with open(os.path.join(control, "input.json"), "w") as f:
            json.dump({"kwargs": {"wheel_directory": out, "config_settings": None}}, f)
        self.own(self.work)
        r = self.isolate(self.src, "/bin/sh", "-c", f"rmdir out && ln -s {self.secret} out")
        self.assertEqual(r.returncode, 0, r.stderr)
        script = os.path.join(self.scratch, "bin", "_in_process.py")
        with open(script, "w") as f:
            f.write("import sys, os, json; open(os.path.join(json.load(open(sys.argv[2] + '/input.json'))"
                    "['kwargs']['wheel_directory'], 'p.whl'), 'w').write('x')\n")
        os.chmod(script, 0o644)
        before = os.stat(self.secret).st_mtime_ns
        r = self.isolate(self.src, PYTHON, script, "build_wheel", control)
        self.assertEqual(r.returncode, 125, r.stdout + r.stderr)
        self.assertIn("symbolic link", r.stderr)
        self.assert_secret_untouched()
        # Not even a per-step folder made and removed there.
        self.assertEqual(os.stat(self.secret).st_mtime_ns, before)


class RunnerTest(HelperTest):
    """pyproject_hooks' runner signature: a hook-like command, then the
    host looks at the venv and the output."""

    def test_runner_step_cannot_plant_in_the_venv(self):
        site = [os.path.join(r, d) for r, ds, _ in os.walk(self.venv) for d in ds if d == "site-packages"][0]
        r = self.py(f"""
import json, subprocess
from fmr_sandbox.runner import SandboxRunner
run = SandboxRunner(quiet=True)
res = []
for code in ("open({site!r} + '/evil.pth', 'w').write('import os')",
             "import os; os.rename({self.venv!r}, {self.venv!r} + '.old')",
             "open('planted-link-target', 'w').write('x')"):
    try:
        run([{self.python!r}, "-c", code], cwd={self.src!r})
        res.append(0)
    except subprocess.CalledProcessError as e:
        res.append(e.returncode)
print(json.dumps(res))
""")
        self.assertNotEqual(r[0], 0)
        self.assertNotEqual(r[1], 0)
        self.assertEqual(r[2], 0)  # the source tree is writable: the control
        self.assert_venv_intact()
