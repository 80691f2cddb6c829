#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A hostile setup.py (projects/hostile) attacks the builder during every
PEP 517 hook: it reads a .netrc planted in the caller's HOME, a scrubbed
token and a well-known credential variable, connects to a TCP service on the
host's loopback, writes a .pth file into the build venv and a file outside
the writable directory, and leaves a daemon.

First, run unconfined (plugin.run_unconfined), every attack must succeed:
the attacks are real.  Then through the runner, fmr-isolate and the plugin,
every attack must fail, as the hostile script reports from inside and as the
host sees: no connection accepted, no .pth, no file outside, no process
left."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import unittest
import uuid
from unittest import mock

import wheeltest
from fmr_sandbox import plugin
from fmr_sandbox.runner import SandboxRunner

ATTACKS = ["netrc", "home-netrc", "scrubbed-env", "credential-env", "loopback", "pth", "outside", "daemon"]
HOOKS = ["get_requires_for_build_wheel", "prepare_metadata_for_build_wheel", "build_wheel", "build_sdist"]
SCRUBBED = "FMR_TEST_SCRUBBED"


class LoopbackService:
    """A TCP service on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.sendall(b"secret-banner\n")
            conn.close()

    def close(self):
        self.sock.close()
        self.thread.join(5)


def processes_with(token):
    """PIDs whose command line holds TOKEN."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if token.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def kill_daemons(token):
    for pid in processes_with(token):
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except OSError:
            pass


class HostileTest(unittest.TestCase):
    def setUp(self):
        self.tmp = wheeltest.scratch(self)
        self.home = os.path.join(self.tmp, "home")
        os.mkdir(self.home)
        self.netrc = os.path.join(self.home, ".netrc")
        with open(self.netrc, "w") as f:
            f.write("machine pypi.example.com login builder password hunter2\n")
        os.mkdir(os.path.join(self.tmp, "outside"))
        self.outside = os.path.join(self.tmp, "outside", "pwned")
        self.service = LoopbackService()
        self.addCleanup(self.service.close)
        self.token = uuid.uuid4().hex
        self.addCleanup(kill_daemons, self.token)
        self.env = {"HOME": self.home, "GITHUB_TOKEN": "ghp_stolen", SCRUBBED: "scrubbed-value",
                    "FROMAGER_SCRUB_ENV_VARS": SCRUBBED}

    def prepare(self, src, venv):
        self.src, self.venv_site = src, wheeltest.site_packages(venv)
        targets = {"netrc": self.netrc, "scrubbed_var": SCRUBBED, "credential_var": "GITHUB_TOKEN",
                   "port": self.service.port, "venv_site": self.venv_site, "outside": self.outside,
                   "token": self.token}
        with open(os.path.join(src, "targets.json"), "w") as f:
            json.dump(targets, f)

    def reports(self):
        with open(os.path.join(self.src, "hostile-report.jsonl")) as f:
            return [json.loads(line) for line in f]

    def assert_all_failed(self):
        reports = self.reports()
        self.assertGreaterEqual(len(reports), len(HOOKS))
        for entry in reports:
            self.assertEqual([a["attack"] for a in entry["report"]], ATTACKS)
            for a in entry["report"]:
                if a["attack"] != "daemon":  # the daemon starts; what matters is it does not outlive the step
                    self.assertFalse(a["succeeded"], "%s during %s: %s" % (a["attack"], entry["argv"], a))
        # the host's side
        self.assertEqual(self.service.accepted, 0)
        self.assertFalse(os.path.exists(os.path.join(self.venv_site, "fmr_hostile.pth")))
        self.assertFalse(os.path.exists(self.outside))
        self.assertEqual(processes_with(self.token), [])
        heartbeat = os.path.join(self.src, "daemon-heartbeat")
        size = os.path.getsize(heartbeat) if os.path.exists(heartbeat) else 0
        time.sleep(0.6)
        self.assertEqual(os.path.getsize(heartbeat) if os.path.exists(heartbeat) else 0, size,
                         "a daemon is still writing its heartbeat")
        with open(self.netrc) as f:
            self.assertIn("hunter2", f.read())

    def test_attacks_work_unconfined(self):
        lay = wheeltest.fromager_layout(self, "hostile")
        self.prepare(lay["src"], lay["venv"])
        root = pathlib.Path(lay["src"])

        def unconfined(cmd, cwd=None, extra_environ=None):
            env = dict(os.environ, **self.env)
            env.update(extra_environ or {})
            plugin.run_unconfined(cmd, ctx=wheeltest.Ctx(), req=wheeltest.Req("hostile"), sdist_root_dir=root,
                                  cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        hooks = wheeltest.HookCaller(lay["src"], "setuptools.build_meta", runner=unconfined,
                                     python_executable=lay["python"])
        hooks.get_requires_for_build_wheel()
        (entry,) = self.reports()
        self.assertEqual({a["attack"]: a["succeeded"] for a in entry["report"]}, dict.fromkeys(ATTACKS, True))
        self.assertEqual(self.service.accepted, 1)
        self.assertTrue(os.path.exists(os.path.join(self.venv_site, "fmr_hostile.pth")))
        self.assertTrue(os.path.exists(self.outside))
        self.assertNotEqual(processes_with(self.token), [])
        kill_daemons(self.token)

    def build(self, runner, src, python):
        out = os.path.join(self.tmp, "out")
        os.makedirs(out, exist_ok=True)
        result = wheeltest.build_all(src, runner, python, out, os.path.join(self.tmp, "meta"))
        self.assertTrue(os.path.isfile(result["wheel"]))
        self.assertTrue(os.path.isfile(result["sdist"]))

    def test_runner(self):
        src = wheeltest.copy_project("hostile", os.path.join(self.tmp, "src"))
        python = wheeltest.make_venv(os.path.join(self.tmp, "venv"))
        self.prepare(src, os.path.join(self.tmp, "venv"))
        with mock.patch.dict(os.environ, self.env):
            self.build(SandboxRunner(), src, python)
        self.assert_all_failed()

    def test_isolate(self):
        src = wheeltest.copy_project("hostile", os.path.join(self.tmp, "src"))
        python = wheeltest.make_venv(os.path.join(self.tmp, "venv"))
        self.prepare(src, os.path.join(self.tmp, "venv"))
        self.build(wheeltest.isolate_runner(self.env), src, python)
        self.assert_all_failed()

    def test_plugin(self):
        lay = wheeltest.fromager_layout(self, "hostile")
        self.prepare(lay["src"], lay["venv"])
        ctx, req, root = wheeltest.Ctx(), wheeltest.Req("hostile"), pathlib.Path(lay["src"])
        plugin.setup_sandbox(ctx=ctx, req=req, sdist_root_dir=root)
        try:
            out = os.path.join(lay["work"], "dist")
            wheeltest.build_all(lay["src"], wheeltest.plugin_runner(ctx, req, root, self.env), lay["python"],
                                out, os.path.join(lay["work"], "tmp", "meta"))
            for name in os.listdir(out):
                os.unlink(os.path.join(out, name))
        finally:
            plugin.teardown_sandbox(ctx=ctx, req=req, sdist_root_dir=root)
        self.assert_all_failed()


if __name__ == "__main__":
    wheeltest.main()
