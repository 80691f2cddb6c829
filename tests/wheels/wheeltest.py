# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the wheel tests: where things are, scratch copies of
the test projects, venvs, PEP 517 builds through a runner, and the summary
line make check shows.

Environment: FMR_RUN (the built binary), FMR_TOP_SRCDIR (the source tree).
"""
import atexit
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("FMR_TOP_SRCDIR", os.path.dirname(os.path.dirname(HERE)))
FMR_RUN = os.environ.get("FMR_RUN", os.path.join(os.getcwd(), "fmr-run"))
FMR_ISOLATE = os.path.join(TOP_SRCDIR, "contrib", "fromager", "fmr-isolate")
PROJECTS = os.path.join(HERE, "projects")
PYTHON = "/usr/bin/python3"  # Debian's, with python3-setuptools, -wheel, -pep517

os.environ["FMR_RUN"] = FMR_RUN
# The bundles of failed steps (fmr_sandbox/keep.py) go to a scratch
# directory of this test process, not the user's ~/.local/state.
KEEP_DIR = tempfile.mkdtemp(prefix="fmr-kept-")
os.environ["FMR_KEEP_DIR"] = KEEP_DIR
os.environ["FMR_KEEP_FAILED"] = "10"
atexit.register(shutil.rmtree, KEEP_DIR, True)
sys.path.insert(0, os.path.join(TOP_SRCDIR, "contrib", "fromager"))

try:  # Debian 12 ships pyproject_hooks under its earlier name
    from pyproject_hooks import BuildBackendHookCaller as HookCaller
except ImportError:
    from pep517.wrappers import Pep517HookCaller as HookCaller


def scratch(test: unittest.TestCase, prefix: str = "fmr-wheels-") -> str:
    """A temporary directory removed when TEST ends (made writable first:
    read-only venvs and build trees must go too)."""
    path = tempfile.mkdtemp(prefix=prefix)

    def remove():
        for root, dirs, _ in os.walk(path):
            for d in dirs:
                p = os.path.join(root, d)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
        shutil.rmtree(path, ignore_errors=True)
    test.addCleanup(remove)
    return path


def copy_project(name: str, dest: str) -> str:
    # copy, not copy2: the source tree may be read-only (make distcheck),
    # and the build writes into its copy.
    shutil.copytree(os.path.join(PROJECTS, name), dest, copy_function=shutil.copy,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    for root, dirs, files in os.walk(dest):
        for n in dirs + files:
            p = os.path.join(root, n)
            if not os.path.islink(p):
                os.chmod(p, os.stat(p).st_mode | 0o200)
    os.chmod(dest, os.stat(dest).st_mode | 0o200)
    return dest


def make_venv(path: str) -> str:
    """A venv of Debian's python that sees its setuptools and wheel; its python."""
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", path], check=True)
    return os.path.join(path, "bin", "python")


def site_packages(venv: str) -> str:
    return glob.glob(os.path.join(venv, "lib", "python3*", "site-packages"))[0]


def build_all(src: str, runner, python: str, out: str, meta: str) -> dict:
    """Every hook a wheel builder calls, through RUNNER: the requirements,
    the metadata (into META), the wheel (with that metadata) and the sdist
    (into OUT)."""
    hooks = HookCaller(src, "setuptools.build_meta", runner=runner, python_executable=python)
    os.makedirs(meta, exist_ok=True)
    result = {"requires": hooks.get_requires_for_build_wheel()}
    result["metadata"] = hooks.prepare_metadata_for_build_wheel(meta)
    result["wheel"] = os.path.join(out, hooks.build_wheel(
        out, metadata_directory=os.path.join(meta, result["metadata"])))
    result["sdist"] = os.path.join(out, hooks.build_sdist(out))
    return result


def install_and_import(test: unittest.TestCase, wheel: str, check: str) -> None:
    """Install WHEEL into a fresh venv and run CHECK (Python code) there."""
    venv = os.path.join(scratch(test, "fmr-install-"), "venv")
    python = make_venv(venv)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--disable-pip-version-check", wheel], check=True)
    done = subprocess.run([python, "-c", check], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, cwd=venv)
    test.assertEqual(done.returncode, 0, done.stdout)


def isolate_runner(env_override=None):
    """A runner that prefixes each command with fmr-isolate, as fromager
    does with its network-isolation wrapper."""
    def run(cmd, cwd=None, extra_environ=None):
        env = dict(os.environ)
        env.update(env_override or {})
        env.update(extra_environ or {})
        subprocess.run([FMR_ISOLATE] + list(cmd), cwd=cwd, env=env, check=True)
    return run


class Req:
    """The part of packaging's Requirement the plugin looks at."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


class Ctx:
    """The part of fromager's WorkContext the plugin looks at."""

    def __init__(self, keep_env=(), delete_env=()):
        self.settings = {"external_commands": {"keep_env": list(keep_env), "delete_env": list(delete_env)}}
        self.network_isolation = True


def plugin_runner(ctx, req, sdist_root_dir, env_override=None):
    """What fromager does with the sandboxing API: every hook through
    run_sandboxed."""
    from fmr_sandbox import plugin

    def run(cmd, cwd=None, extra_environ=None):
        env = dict(os.environ)
        env.update(env_override or {})
        env.update(extra_environ or {})
        done = plugin.run_sandboxed(cmd, ctx=ctx, req=req, sdist_root_dir=sdist_root_dir, cwd=cwd, env=env)
        if done.returncode != 0:
            raise subprocess.CalledProcessError(done.returncode, cmd)
    return run


def fromager_layout(test: unittest.TestCase, project: str) -> dict:
    """work-dir/NAME-VERSION/{NAME-VERSION (the sources), build-venv} as
    fromager lays them out."""
    work = os.path.join(scratch(test), "work-dir", project + "-1.0")
    os.makedirs(work)
    src = copy_project(project, os.path.join(work, project + "-1.0"))
    python = make_venv(os.path.join(work, "build-venv"))
    return {"work": work, "src": src, "python": python, "venv": os.path.join(work, "build-venv")}


def main() -> None:
    """unittest's main, then the `N passed, N failed` line."""
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print("%d passed, %d failed" % (result.testsRun - failed - len(result.skipped), failed))
    sys.exit(1 if failed else 0)
