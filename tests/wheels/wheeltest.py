# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the wheel tests: where things are, scratch copies of
the test projects, venvs, PEP 517 builds through a runner, and the summary
line make check shows.

Environment: FMR_RUN (the built binary), FMR_TOP_SRCDIR (the source tree).
"""
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
    shutil.copytree(os.path.join(PROJECTS, name), dest,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    return dest


def make_venv(path: str) -> str:
    """A venv of Debian's python that sees its setuptools and wheel; its python."""
    subprocess.run([PYTHON, "-m", "venv", "--system-site-packages", "--without-pip", path], check=True)
    return os.path.join(path, "bin", "python")


def site_packages(venv: str) -> str:
    return glob.glob(os.path.join(venv, "lib", "python3*", "site-packages"))[0]


def build_all(src: str, runner, python: str, out: str) -> dict:
    """Every hook a wheel builder calls, through RUNNER: the requirements,
    the metadata, the wheel (with that metadata) and the sdist."""
    hooks = HookCaller(src, "setuptools.build_meta", runner=runner, python_executable=python)
    os.makedirs(os.path.join(out, "meta"), exist_ok=True)
    result = {"requires": hooks.get_requires_for_build_wheel()}
    result["metadata"] = hooks.prepare_metadata_for_build_wheel(os.path.join(out, "meta"))
    result["wheel"] = os.path.join(out, hooks.build_wheel(
        out, metadata_directory=os.path.join(out, "meta", result["metadata"])))
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


def main() -> None:
    """unittest's main, then the `N passed, N failed` line."""
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    print("%d passed, %d failed" % (result.testsRun - failed - len(result.skipped), failed))
    sys.exit(1 if failed else 0)
