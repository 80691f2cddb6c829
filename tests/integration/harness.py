# SPDX-License-Identifier: Apache-2.0
"""Shared pieces of the integration tests: bundles written from Python, the
built fmr-run run for real (as root, or as an unprivileged user through
setpriv), the probe's report parsed, and the host checked for leftovers."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

FMR_RUN = os.environ.get("FMR_RUN", "")
PROBE = os.environ.get("PROBE", "")
# "root" or "nobody": who starts the sandbox.
MODE = os.environ.get("FMR_TEST_MODE", "root")
NOBODY = 65534


def caller_ids():
    return (0, 0) if MODE == "root" else (NOBODY, NOBODY)


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(line.split(" ", 4)[4] for line in f)


def descendants(pid):
    """Pids whose parent chain reaches pid."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    found = set()
    for p in parents:
        q = p
        while q in parents and q > 1:
            q = parents[q]
            if q == pid:
                found.add(p)
                break
    return found


def host_pids_with(token):
    """Pids on the host whose command line holds TOKEN."""
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if token.encode() in f.read():
                        found.append(int(p))
            except OSError:
                pass
    return found


FIXTURES = os.environ.get("FMR_FIXTURES") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                           os.pardir, "fixtures")


def fixture_names():
    return sorted(n for n in os.listdir(FIXTURES) if os.path.isfile(os.path.join(FIXTURES, n, "config.json")))


def load_fixture(name, probe_dir, args):
    """A bundle template from tests/fixtures made concrete: the probe's
    directory for the PROBE_DIR source, the caller's ids as process.user and
    as a one-id identity mapping, and args as process.args."""
    uid, gid = caller_ids()
    with open(os.path.join(FIXTURES, name, "config.json")) as f:
        c = json.load(f)
    for m in c.get("mounts", []):
        if m.get("source") == "PROBE_DIR":
            m["source"] = probe_dir
    c["process"]["args"] = args
    c["process"]["user"].update(uid=uid, gid=gid)
    c["linux"]["uidMappings"] = [{"containerID": uid, "hostID": uid, "size": 1}]
    c["linux"]["gidMappings"] = [{"containerID": gid, "hostID": gid, "size": 1}]
    return c


def base_config(probe_dir, args):
    """The default sandbox of DESIGN.md (tests/fixtures/default), with the
    probe bound at /probe."""
    return load_fixture("default", probe_dir, args)


class SandboxTest(unittest.TestCase):
    """Each test gets a scratch directory nobody can use too, the probe in
    it, and a check in tearDown that the host kept nothing."""

    def setUp(self):
        self.mounts_before = host_mounts()
        for var, path in (("FMR_RUN", FMR_RUN), ("PROBE", PROBE)):
            if not os.path.isfile(path):
                self.fail(f"{var}={path!r}: not a file (set it to the built program)")
        self.scratch = tempfile.mkdtemp(prefix="fmr-it-")
        # Runs even when the rest of setUp fails (tearDown would not).
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)
        # Removed even when setUp itself fails half-way.
        self.addCleanup(shutil.rmtree, self.scratch, True)
        os.chmod(self.scratch, 0o755)
        self.bin_dir = os.path.join(self.scratch, "bin")
        os.mkdir(self.bin_dir)
        self.fmr = os.path.join(self.bin_dir, "fmr-run")
        shutil.copy2(FMR_RUN, self.fmr)
        shutil.copy2(PROBE, os.path.join(self.bin_dir, "probe"))
        os.chmod(self.bin_dir, 0o755)
        # fmr-run gets this as TMPDIR: anything it leaves there is a leak.
        # (The host's /tmp as a whole is not compared: other suites of
        # `make check -j` create and remove files there at the same time.)
        self.run_tmp = self.writable_dir("run-tmp")
        self.bundle = os.path.join(self.scratch, "bundle")
        os.makedirs(os.path.join(self.bundle, "rootfs"))
        for link in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink("/" + link):
                os.symlink(os.readlink("/" + link), os.path.join(self.bundle, "rootfs", link))
        for d in (self.scratch, self.bundle, os.path.join(self.bundle, "rootfs")):
            os.chmod(d, 0o755)
            if MODE != "root":
                os.chown(d, NOBODY, NOBODY)

    def tearDown(self):
        leftover = descendants(os.getpid())
        run_tmp = os.listdir(self.run_tmp)
        shutil.rmtree(self.scratch, ignore_errors=True)
        self.assertEqual(host_mounts(), self.mounts_before, "mounts left on the host")
        self.assertEqual(leftover, set(), "processes left behind")
        self.assertFalse(os.path.exists(self.scratch))
        self.assertEqual(run_tmp, [], "files left in TMPDIR")

    def writable_dir(self, name):
        path = os.path.join(self.scratch, name)
        os.mkdir(path)
        if MODE != "root":
            os.chown(path, NOBODY, NOBODY)
        return path

    def config(self, *checks):
        return base_config(self.bin_dir, ["/probe/probe", *checks])

    def write(self, config, raw=None):
        path = os.path.join(self.bundle, "config.json")
        with open(path, "w") as f:
            if raw is not None:
                f.write(raw)
            else:
                json.dump(config, f, indent=2)
        os.chmod(path, 0o644)

    def run_fmr(self, *args, env=None, pass_fds=(), timeout=30, cwd=None):
        cmd = [self.fmr, *args]
        env = dict(os.environ if env is None else env, TMPDIR=self.run_tmp)
        if MODE != "root":
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, pass_fds=pass_fds, timeout=timeout,
                              cwd=cwd)

    def run_bundle(self, config, expect=0, **kw):
        self.write(config)
        r = self.run_fmr("run", self.bundle, **kw)
        self.assertEqual(r.returncode, expect, f"stdout={r.stdout!r} stderr={r.stderr!r}")
        return r

    def probe(self, *checks, config=None, **kw):
        r = self.run_bundle(config or self.config(*checks), **kw)
        return json.loads(r.stdout)
