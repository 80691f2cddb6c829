#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""fmr-run inside outer containers that imitate docker, podman and
Kubernetes (outer.py): `check`, `spec` + `run` of a payload that tries to
reach an outer process through /proc and kill, a bundle that asks for a
hostname, and bwrap and fromager's `unshare --net --uts --map-root-user`
for comparison (inside.sh).  Each environment is started once; its report
is shared by the tests of its class.

Environment: FMR_RUN (the built binary).  Needs root, crun and unshare
(SKIP otherwise)."""
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import outer

FMR_RUN = outer.FMR_RUN
HERE = outer.HERE
LEAKS = ("environ", "mem", "root", "fd-link", "fd-open")


def host_mounts():
    with open("/proc/self/mountinfo") as f:
        return sorted(line.split(" ", 4)[4] for line in f)


def parse(out):
    """{step: status}, {section: [lines]} from inside.sh's output."""
    status, sections = {}, {}
    for line in out.splitlines():
        if line.startswith("@@ "):
            _, name, code = line.split()
            status[name] = int(code)
        elif "| " in line or line.endswith("|"):
            name, _, rest = line.partition("|")
            sections.setdefault(name, []).append(rest[1:] if rest.startswith(" ") else rest)
    return status, sections


def skip_reason():
    if os.geteuid() != 0:
        return "needs root (crun starts the outer containers)"
    if not FMR_RUN or not os.path.exists(FMR_RUN):
        return "FMR_RUN is not set to the built fmr-run"
    if not outer.crun_available():
        return "crun or unshare is not installed (contrib/setup.sh installs them)"
    return None


class Report:
    cache = {}

    @classmethod
    def of(cls, env):
        if env.name not in cls.cache:
            before = host_mounts()
            code, out, err = outer.run(env, ["/bin/sh", "/opt/inside.sh", "/opt/fmr-run", "/tmp/t", ""])
            cls.cache[env.name] = (code, out, err, before == host_mounts())
        return cls.cache[env.name]


class EnvCase:
    """Mixed into one unittest.TestCase per environment."""
    env = None

    @classmethod
    def setUpClass(cls):
        why = skip_reason()
        if why:
            raise unittest.SkipTest(why)
        code, out, err, cls.host_mounts_same = Report.of(cls.env)
        if code != 0:
            raise AssertionError(f"outer container {cls.env.name} failed ({code}): {err}\n{out}")
        cls.status, cls.sections = parse(out)
        cls.out = out

    def lines(self, name):
        return self.sections.get(name, [])

    def text(self, name):
        return "\n".join(self.lines(name))

    def test_nothing_left(self):
        self.assertEqual(self.status.get("mounts-unchanged"), 0, "mounts changed in the outer container")
        self.assertEqual(self.lines("left"), [""], "processes left in the outer container")
        self.assertTrue(self.host_mounts_same, "the host's mounts changed")
        st = os.stat("/dev/null")
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)), (0, 0, 0o666))
        self.assertTrue(stat.S_ISCHR(st.st_mode))

    def test_outer_process_survives(self):
        self.assertEqual(self.status.get("outer-alive"), 0, "the payload killed an outer process")

    def test_unshare_like_fromager(self):
        # fromager's own isolation needs only a user namespace.
        self.assertEqual(self.status.get("unshare") == 0, self.env.expect_userns, self.text("unshare"))


class WorksCase(EnvCase):
    """A user namespace can be made: the default bundle runs, with /proc
    bound where the outer container masks it."""

    def config(self):
        return json.loads(self.text("config"))

    def test_spec_binds_outer_proc(self):
        self.assertEqual(self.status.get("spec"), 0, self.text("spec-err"))
        c = self.config()
        proc = [m for m in c["mounts"] if m["destination"] == "/proc"]
        self.assertEqual(proc, [{"destination": "/proc", "type": "bind", "source": "/proc",
                                 "options": ["rbind", "ro", "nosuid", "nodev", "noexec"]}])
        self.assertIn("/proc/kcore", c["linux"]["maskedPaths"])
        self.assertIn("/proc/sys", c["linux"]["readonlyPaths"])
        note = c["annotations"]["run.fmr.note.proc"]
        self.assertIn("Mount too revealing", note)
        for fix in ("systempaths=unconfined", "unmask=", "procMount: Unmasked"):
            self.assertIn(fix, note)
        self.assertEqual(len([l for l in self.lines("spec-err") if "/proc" in l]), 1, self.text("spec-err"))

    def test_emitter_writes_what_spec_wrote(self):
        self.assertEqual(self.status.get("emitter"), 0, self.text("emitter"))
        lines = self.lines("emitter")
        self.assertIn("same", lines, self.text("emitter"))
        self.assertTrue([l for l in lines if l.startswith("validate 0")], self.text("emitter"))
        # spec's own line on stderr passes through, once.
        self.assertEqual(len([l for l in lines if "/proc: a new proc mount is refused" in l]), 1, lines)

    def test_payload_runs(self):
        self.assertEqual(self.status.get("run"), 0, self.text("run-err"))
        self.assertEqual(self.lines("run")[0], "PAYLOAD-RAN")

    def test_outer_process_out_of_reach(self):
        got = dict(l.split(" ", 1) for l in self.lines("run")[1:])
        for what in LEAKS:
            self.assertEqual(got.get(what), "EACCES", f"/proc/PID/{what} of an outer process: {got}")
        self.assertEqual(got.get("kill"), "ESRCH", got)
        self.assertEqual(got.get("proc-write"), "EROFS", got)
        # What the bind still shows (README, threat model).
        self.assertEqual(got.get("cmdline"), "ok", got)

    def test_forced_fresh_proc_fails_with_the_kernels_reason(self):
        self.assertEqual(self.status.get("fresh-run"), 125)
        self.assertEqual(len(self.lines("fresh-err")), 1, self.text("fresh-err"))
        self.assertIn("/proc: fsmount proc (VFS: Mount too revealing): Operation not permitted", self.text("fresh-err"))

    def test_fork_bomb_bounded_without_pid_max(self):
        debug = self.text("forks-debug")
        self.assertIn("pid_max left alone: /proc is a bind of the outer proc", debug)
        self.assertEqual(self.status.get("forks"), 0, self.text("forks"))
        if self.env.payload_is_host_root:
            # RLIMIT_NPROC does not bind host uid 0: the build uid of a root
            # caller is what bounds it there.
            return
        self.assertRegex(self.text("forks"), r"^stopped \d+ EAGAIN$")
        self.assertLess(int(self.lines("forks")[0].split()[1]), 32)

    def test_check_passes_degraded(self):
        check = self.text("check")
        self.assertEqual(self.status.get("check"), 0, check)
        self.assertRegex(check, r"proc mount\s+degraded: ")
        self.assertIn("outer /proc", check)
        self.assertIn(ENGINE_FIX[self.env.engine], check)


class FailsClosedCase(EnvCase):
    """No user namespace: nothing runs, one line, and check names every
    fix."""

    def test_run_fails_closed(self):
        self.assertEqual(self.status.get("run"), 125)
        self.assertNotIn("PAYLOAD-RAN", self.out)
        self.assertEqual(len(self.lines("run-err")), 1, self.text("run-err"))
        self.assertEqual(self.lines("run"), [])

    def test_check_names_every_fix(self):
        check = self.text("check")
        self.assertEqual(self.status.get("check"), 1, check)
        for fix in FAIL_FIXES[self.env.name]:
            self.assertIn(fix, check)


ENGINE_FIX = {"docker": "docker run --security-opt systempaths=unconfined",
              "podman": "podman run --security-opt unmask=",
              "kubernetes": "procMount: Unmasked"}
FAIL_FIXES = {
    # The seccomp profile first; then the masked /proc it would meet next.
    "docker-seccomp": ["docker run --security-opt seccomp=unconfined", "systempaths=unconfined", "binds the outer /proc",
                       "new mount API      info: open_tree mount_setattr refused"],
    "podman-no-userns": ["user.max_user_namespaces", "engine", "host"],
}


class DockerTest(WorksCase, unittest.TestCase):
    env = next(e for e in outer.ENVS if e.name == "docker")

    def test_hostname_kept(self):
        self.assertEqual(self.config()["hostname"], "localhost")
        self.assertEqual(self.status.get("hostname-run"), 0, self.text("hostname-err"))


class DockerSeccompTest(FailsClosedCase, unittest.TestCase):
    env = next(e for e in outer.ENVS if e.name == "docker-seccomp")


class PodmanTest(WorksCase, unittest.TestCase):
    env = next(e for e in outer.ENVS if e.name == "podman-rootless")


class PodmanSeccompTest(WorksCase, unittest.TestCase):
    env = next(e for e in outer.ENVS if e.name == "podman-rootless-seccomp")

    def test_hostname_left_out(self):
        c = self.config()
        self.assertNotIn("hostname", c)
        self.assertIn("sethostname", c["annotations"]["run.fmr.note.hostname"])
        self.assertRegex(self.text("check"), r"uts namespace\s+degraded: ")

    def test_asked_for_hostname_kept_with_a_warning(self):
        self.assertEqual(self.status.get("spec-hostname"), 0)
        self.assertEqual(self.status.get("hostname-kept"), 0)
        self.assertEqual(len([l for l in self.lines("spec-hostname-err") if "--hostname build" in l]), 1,
                         self.text("spec-hostname-err"))

    def test_bundle_asking_for_hostname_fails(self):
        self.assertEqual(self.status.get("hostname-run"), 125)
        self.assertEqual(len(self.lines("hostname-err")), 1, self.text("hostname-err"))
        self.assertIn("sethostname", self.text("hostname-err"))


class KubernetesTest(WorksCase, unittest.TestCase):
    env = next(e for e in outer.ENVS if e.name == "kubernetes")


class NoUserNamespacesTest(FailsClosedCase, unittest.TestCase):
    env = next(e for e in outer.ENVS if e.name == "podman-no-userns")


class HostBindTest(unittest.TestCase):
    """On the host, `spec --proc bind` and the refusal of a proc bind
    without the sandbox's own user and pid namespaces."""

    @classmethod
    def setUpClass(cls):
        why = skip_reason()
        if why:
            raise unittest.SkipTest(why)
        cls.tmp = tempfile.mkdtemp(prefix="fmr-hostbind-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_forced_bind_keeps_outer_processes_out_of_reach(self):
        p = subprocess.run(["sh", os.path.join(HERE, "inside.sh"), FMR_RUN, os.path.join(self.tmp, "t"),
                            "--proc bind"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        status, sections = parse(p.stdout)
        self.assertEqual(status.get("run"), 0, sections.get("run-err"))
        got = dict(l.split(" ", 1) for l in sections["run"][1:])
        for what in LEAKS:
            self.assertEqual(got.get(what), "EACCES", got)
        self.assertEqual(got.get("kill"), "ESRCH", got)
        self.assertEqual(status.get("outer-alive"), 0)
        self.assertEqual(status.get("mounts-unchanged"), 0)
        # Forced: no probe, no note.
        self.assertNotIn("run.fmr.note.proc", "\n".join(sections["config"]))

    def spec(self, name, *opts):
        d = os.path.join(self.tmp, name)
        subprocess.run([FMR_RUN, "spec", *opts, d, "--", "/bin/true"], check=True, stdin=subprocess.DEVNULL)
        with open(os.path.join(d, "config.json")) as f:
            return d, json.load(f)

    def write(self, d, c):
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f)

    def test_proc_bind_needs_user_and_pid_namespaces(self):
        for drop, field in (({"user"}, "user"), ({"pid"}, "pid"), ({"user", "pid"}, "user and pid")):
            d, c = self.spec("b-" + "-".join(sorted(drop)), "--proc", "bind")
            c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] not in drop]
            if "user" in drop:
                del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
                c["process"]["user"] = {"uid": 0, "gid": 0}
            self.write(d, c)
            for verb in ("validate", "run"):
                p = subprocess.run([FMR_RUN, verb, d], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("mounts[0].source", p.stdout + p.stderr)
                self.assertIn(f"new {field} namespaces", p.stdout + p.stderr)
                if verb == "run":
                    self.assertEqual(p.returncode, 125)

    def test_proc_none(self):
        _, c = self.spec("none", "--proc", "none")
        self.assertFalse([m for m in c["mounts"] if m["destination"] == "/proc"])
        self.assertFalse([p for p in c["linux"]["maskedPaths"] + c["linux"]["readonlyPaths"]
                          if p.startswith("/proc/")])

    def test_fresh_proc_where_allowed(self):
        _, c = self.spec("auto")
        self.assertEqual([m["type"] for m in c["mounts"] if m["destination"] == "/proc"], ["proc"])
        self.assertNotIn("run.fmr.note.proc", c.get("annotations", {}))


if __name__ == "__main__":
    if skip_reason():
        print("SKIP:", skip_reason())
        raise SystemExit(77)
    unittest.main(verbosity=2)
