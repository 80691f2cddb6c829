#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""An sdist whose tar members belong to other uids (501, 1001, as an
archive made on a Mac or in CI records them), unpacked with `tar` by the
caller: root keeps those owners, nobody cannot.  Its wheel is built
through the runner and through fmr-isolate, and once without any sandbox
in the same place; the three wheels hold the same files.  Run once as root
and once as nobody (markupsafe 2.1.2 and PyNaCl 1.5.0 failed this way as
root: `mkdir build: Permission denied`, since the payload, without
capabilities, may not write into a directory of uid 501).

The project is tests/wheels/projects/cext (a C extension built by
setup.py, as markupsafe's is)."""
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import unittest
import zipfile

import wheeltest

NOBODY = 65534
PROJECT = "cext"
TOP = "fmr-cext-1.0"
# Owners the archive records, in turn: a Mac's first user, a CI runner's.
OWNERS = [(501, 20), (1001, 1001)]


def make_sdist(path):
    """PATH: a .tar.gz of the project under TOP/, every member owned by
    one of OWNERS (directories too), modes as in the source tree."""
    src = os.path.join(wheeltest.PROJECTS, PROJECT)
    n = 0
    with tarfile.open(path, "w:gz") as tar:
        for root, dirs, files in os.walk(src):
            dirs[:] = sorted(d for d in dirs if d not in ("build", "__pycache__") and not d.endswith(".egg-info"))
            for name in [None] + sorted(files):
                full = root if name is None else os.path.join(root, name)
                arc = os.path.join(TOP, os.path.relpath(full, src)) if full != src else TOP
                info = tar.gettarinfo(full, os.path.normpath(arc))
                info.uid, info.gid = OWNERS[n % len(OWNERS)]
                info.uname = info.gname = ""
                info.mode = 0o755 if info.isdir() else 0o644
                n += 1
                if info.isdir():
                    tar.addfile(info)
                else:
                    with open(full, "rb") as f:
                        tar.addfile(info, f)


def unpack(sdist, dest):
    """Unpack SDIST into DEST as tar does for the caller: root keeps the
    archive's owners (--same-owner is tar's default for root)."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    subprocess.run(["tar", "--numeric-owner", "-xzf", sdist, "-C", dest], check=True)
    return os.path.join(dest, TOP)


def wheel_files(wheel):
    """{member: sha256} of a wheel."""
    with zipfile.ZipFile(wheel) as z:
        return {n: hashlib.sha256(z.read(n)).hexdigest() for n in z.namelist()}


def build(src, runner, python, out):
    hooks = wheeltest.HookCaller(src, "setuptools.build_meta", runner=runner, python_executable=python)
    os.makedirs(out, exist_ok=True)
    return os.path.join(out, hooks.build_wheel(out))


def child(tmp):
    """As the caller (root or nobody): unpack, build three ways in the same
    place, print what each wheel holds and who owned the tree."""
    from fmr_sandbox.runner import SandboxRunner
    sdist = os.path.join(tmp, TOP + ".tar.gz")
    python = wheeltest.make_venv(os.path.join(tmp, "venv"))
    report = {}
    for how in ("plain", "runner", "isolate"):
        src = unpack(sdist, os.path.join(tmp, "unpacked"))
        owners = sorted({(os.lstat(os.path.join(r, n)).st_uid) for r, ds, fs in os.walk(src) for n in ds + fs})
        report.setdefault("owners", owners)
        runner = {"plain": None, "runner": SandboxRunner(), "isolate": wheeltest.isolate_runner()}[how]
        kw = {} if runner is None else {"runner": runner}
        hooks = wheeltest.HookCaller(src, "setuptools.build_meta", python_executable=python, **kw)
        out = os.path.join(tmp, "out-" + how)
        os.makedirs(out)
        try:
            wheel = os.path.join(out, hooks.build_wheel(out))
            report[how] = wheel_files(wheel)
        except Exception as e:  # reported, not raised: the parent compares
            report[how] = "failed: %s" % e
    print(json.dumps(report))


class ForeignOwners(unittest.TestCase):
    def run_as(self, uid):
        tmp = wheeltest.scratch(self, "fmr-foreign-")
        os.chmod(tmp, 0o755)
        make_sdist(os.path.join(tmp, TOP + ".tar.gz"))
        pre = []
        if uid != 0:
            os.chown(tmp, uid, uid)
            pre = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        if uid != 0:
            env["HOME"] = "/nonexistent"  # nobody's, as in the user database
        done = subprocess.run([*pre, wheeltest.PYTHON, os.path.abspath(__file__), "--child", tmp],
                              capture_output=True, text=True, env=env, timeout=900)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def check(self, report, owners):
        self.assertEqual(report["owners"], owners)
        plain = report["plain"]
        self.assertIsInstance(plain, dict, plain)
        self.assertTrue(any(n.endswith(".so") for n in plain), plain)
        self.assertEqual(report["runner"], plain)
        self.assertEqual(report["isolate"], plain)

    def test_as_root(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")
        self.check(self.run_as(0), sorted({u for u, _ in OWNERS}))

    def test_as_nobody(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to become nobody")
        self.check(self.run_as(NOBODY), [NOBODY])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        wheeltest.main()
