#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`fmr-run check` on the real binary: it passes here as root and as an
unprivileged user, leaves nothing behind, and diagnoses for real the
conditions the tests can make: an outer seccomp filter refusing user
namespaces, a masked /proc, a namespace count limit of 0.

Environment: FMR_RUN (the binary), DENY_USERNS (tests/check/deny-userns).
"""
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

FMR_RUN = os.environ.get("FMR_RUN", os.path.join(os.getcwd(), "fmr-run"))
DENY_USERNS = os.environ.get("DENY_USERNS", os.path.join(os.getcwd(), "tests/check/deny-userns"))
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
IS_ROOT = os.geteuid() == 0

NAMESPACES = ["user namespace", "mount namespace", "pid namespace", "network namespace", "ipc namespace",
              "uts namespace", "cgroup namespace"]
# What the throw-away sandbox probes, then what is probed without it.
SANDBOX = NAMESPACES + ["proc mount", "tmpfs mount", "read-only bind", "pivot_root", "seccomp"]
REQUIRED = SANDBOX + ["close_range"]
INFO = ["kernel", "new mount API", "openat2", "newuidmap", "build uid"]
PR_SET_CHILD_SUBREAPER = 36
# What check takes for the container engine it runs under (hostcheck_host.c).
ENGINE = ("podman" if os.path.exists("/run/.containerenv") else "docker" if os.path.exists("/.dockerenv")
          else "kubernetes" if os.environ.get("KUBERNETES_SERVICE_HOST") else None)


def have(program):
    return shutil.which(program) is not None


class CheckCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Copies uid 65534 can reach whatever the build directory's modes.
        cls.copies = tempfile.mkdtemp(prefix="fmr-check-test.")
        os.chmod(cls.copies, 0o755)
        cls.fmr = os.path.join(cls.copies, "fmr-run")
        cls.deny = os.path.join(cls.copies, "deny-userns")
        for src, dst in ((FMR_RUN, cls.fmr), (DENY_USERNS, cls.deny)):
            shutil.copy(src, dst)
            os.chmod(dst, 0o755)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.copies)

    def run_check(self, *args, prefix=(), nobody=False, script=None):
        """fmr-run check ARGS, under PREFIX (a command that execs the rest),
        as uid 65534 when NOBODY; SCRIPT: a shell script run as root with
        $FMR and $AS (the nobody prefix, or empty) instead."""
        as_ = NOBODY if nobody else []
        if script is not None:
            env = dict(os.environ, FMR=self.fmr, AS=" ".join(as_))
            cmd = list(prefix) + ["sh", "-euc", script]
        else:
            env = None
            cmd = list(prefix) + as_ + [self.fmr, "check"] + list(args)
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)

    def report(self, r, code):
        self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        self.assertEqual(r.stderr, "")
        doc = json.loads(r.stdout)
        self.assertEqual(set(doc), {"ok", "checks"})
        self.assertEqual([c["name"] for c in doc["checks"]], REQUIRED + INFO)
        for c in doc["checks"]:
            self.assertEqual(set(c), {"name", "ok", "required", "degraded", "detail", "fix"})
            self.assertEqual(c["required"], c["name"] in REQUIRED)
        self.assertEqual(doc["ok"], code == 0)
        return {c["name"]: c for c in doc["checks"]}

    def assert_all_ok(self, checks, but=()):
        for name in REQUIRED:
            if name not in but:
                self.assertTrue(checks[name]["ok"], checks[name])
                self.assertEqual(checks[name]["fix"], "")

    def assert_not_tried(self, checks, names, why):
        for name in names:
            self.assertFalse(checks[name]["ok"])
            self.assertEqual(checks[name]["detail"], "not tried: " + why)


@unittest.skipUnless(IS_ROOT and have("setpriv"), "needs root (and setpriv) to run as root and as uid 65534")
class Passes(CheckCase):
    def test_text_as_root(self):
        r = self.run_check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr, "")
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), len(REQUIRED + INFO) + 2, r.stdout)
        for line, name in zip(lines, REQUIRED + INFO):
            self.assertTrue(line.startswith(name + " "), line)
            self.assertEqual(line[18:21], " ok", line)
        self.assertEqual(lines[-1], "The default sandbox works on this host.")

    def test_json_as_root(self):
        checks = self.report(self.run_check("--json"), 0)
        self.assert_all_ok(checks)
        self.assertEqual(checks["user namespace"]["detail"], "uid 0 and gid 0 mapped to themselves")

    def test_build_uid_as_root(self):
        # What spec would choose here: a build uid, binds idmapped.
        checks = self.report(self.run_check("--json"), 0)
        self.assertTrue(checks["build uid"]["ok"], checks["build uid"])
        self.assertIn("a root caller's payload runs as ", checks["build uid"]["detail"])
        self.assertNotIn("runs as 0:", checks["build uid"]["detail"])

    def test_build_uid_fallback_as_root_without_cap_sys_admin(self):
        # As in a rootful docker container: no idmapped mount, so spec keeps
        # the caller's ids; check says so and what to change.
        r = self.run_check("--json", prefix=["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"])
        checks = self.report(r, r.returncode)
        self.assertFalse(checks["build uid"]["ok"])
        self.assertIn("falls back to the caller's own ids, the payload is uid 0 on the host",
                      checks["build uid"]["detail"])
        self.assertIn("CAP_SYS_ADMIN", checks["build uid"]["fix"])

    def test_as_nobody(self):
        r = self.run_check(nobody=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        checks = self.report(self.run_check("--json", nobody=True), 0)
        self.assert_all_ok(checks)
        self.assertEqual(checks["user namespace"]["detail"], "uid 65534 and gid 65534 mapped to themselves")

    def test_usage(self):
        r = self.run_check("--help")
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("Usage: fmr-run check [--json]"), r.stdout)
        for args, fragment in ((["--bogus"], "unknown option `--bogus`"), (["extra"], "no arguments expected")):
            r = self.run_check(*args)
            self.assertEqual(r.returncode, 125, r.stdout + r.stderr)
            self.assertEqual(r.stdout, "")
            self.assertIn(fragment, r.stderr)


@unittest.skipUnless(IS_ROOT and have("setpriv") and have("unshare"), "needs root, setpriv and unshare")
class LeavesNothing(CheckCase):
    """No process, mount, file or user survives a check."""

    def setUp(self):
        # Orphans of anything below this process come to it, not to init:
        # after the check returns, none may be left.
        libc = ctypes.CDLL(None, use_errno=True)
        self.assertEqual(libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0)
        self.addCleanup(libc.prctl, PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)

    @staticmethod
    def children(reap=False):
        """This process's children: there are none but orphans, as every
        subprocess is waited for.  REAP: collect the dead ones first."""
        while reap:
            try:
                reap = os.waitpid(-1, os.WNOHANG)[0] != 0
            except ChildProcessError:
                reap = False
        me = str(os.getpid())
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open("/proc/%s/stat" % pid) as f:
                    stat = f.read()
            except OSError:
                continue
            if stat[stat.rindex(")") + 2:].split()[1] == me:
                found.append(pid)
        return found

    @staticmethod
    def users():
        digest = hashlib.sha256()
        for path in ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/subuid", "/etc/subgid"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    digest.update(path.encode() + f.read())
        return digest.hexdigest()

    # In a mount namespace of its own with an empty tmpfs on /tmp, nothing
    # else writes to that /tmp or mounts there: after the check, /tmp holds
    # only the binary's copy and the mount table is what it was.
    SCRIPT = r"""
        exec 9< "$FMR"
        mount -t tmpfs -o mode=1777 tmpfs /tmp
        mkdir -m 755 /tmp/bin
        cat <&9 > /tmp/bin/fmr-run
        chmod 755 /tmp/bin/fmr-run
        before=$(cat /proc/self/mountinfo)
        TMPDIR=/tmp $AS /tmp/bin/fmr-run check
        after=$(cat /proc/self/mountinfo)
        [ "$before" = "$after" ] || { printf 'mounts changed:\n%s\n---\n%s\n' "$before" "$after"; exit 3; }
        echo "/tmp: $(ls -A /tmp | tr '\n' ' ')"
    """

    def check_leaves_nothing(self, nobody):
        users = self.users()
        with open("/proc/self/mountinfo") as f:
            mounts = f.read()
        r = self.run_check(prefix=["unshare", "--mount"], script=self.SCRIPT, nobody=nobody)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("The default sandbox works on this host.", r.stdout)
        self.assertEqual(r.stdout.splitlines()[-1], "/tmp: bin ")
        # And directly in this mount namespace, the host's.
        self.assertEqual(self.run_check(nobody=nobody).returncode, 0)
        with open("/proc/self/mountinfo") as f:
            self.assertEqual(f.read(), mounts)
        self.assertEqual(self.children(), [])
        self.assertEqual(self.users(), users)

    def test_as_root(self):
        self.check_leaves_nothing(False)

    def test_as_nobody(self):
        self.check_leaves_nothing(True)

    def test_probe_killed_with_check(self):
        # SIGKILL of fmr-run itself while its probe runs: PR_SET_PDEATHSIG
        # takes the probe along, and nothing stays.
        for _ in range(20):
            p = subprocess.Popen([self.fmr, "check"], stdout=subprocess.DEVNULL)
            p.kill()
            p.wait()
        deadline = time.monotonic() + 5
        while self.children(reap=True) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.children(reap=True), [])


@unittest.skipUnless(IS_ROOT and have("setpriv") and have("unshare"), "needs root, setpriv and unshare")
class Diagnoses(CheckCase):
    def assert_user_namespace_refused(self, checks, why, fix):
        user = checks["user namespace"]
        self.assertFalse(user["ok"])
        self.assertTrue(user["detail"].startswith("clone(CLONE_NEWUSER): "), user["detail"])
        self.assertIn(why, user["detail"])
        self.assertIn(fix, user["fix"])
        self.assert_not_tried(checks, SANDBOX[1:], "needs the user namespace")
        # The information-only parts do not need the probe.
        self.assertTrue(checks["openat2"]["ok"])

    def check_seccomp(self, nobody):
        checks = self.report(self.run_check("--json", prefix=[self.deny], nobody=nobody), 1)
        self.assert_user_namespace_refused(
            checks, "Operation not permitted: a seccomp filter on this process refuses it (Seccomp: 2",
            "--security-opt seccomp=unconfined")
        r = self.run_check(prefix=[self.deny], nobody=nobody)
        self.assertEqual(r.returncode, 1)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("user namespace     FAILED: clone(CLONE_NEWUSER): "), lines[0])
        self.assertTrue(lines[1].startswith(" " * 19 + "fix: "), lines[1])
        self.assertIn("--security-opt seccomp=unconfined", lines[1])
        self.assertEqual(lines[2], "mount namespace    not tried: needs the user namespace")
        self.assertEqual(lines[-1], "The default sandbox cannot be built on this host: see FAILED above.")

    def test_seccomp_filter_refusing_user_namespaces(self):
        self.check_seccomp(False)

    def test_seccomp_filter_refusing_user_namespaces_as_nobody(self):
        # The same filter under an unprivileged caller: the explanation must
        # not blame knobs this kernel does not have.
        self.check_seccomp(True)

    # An outer container's masked /proc, made with a tmpfs over /proc/sys
    # in a mount namespace of the test's own.
    MASK_PROC = 'mount -t tmpfs tmpfs /proc/sys; exec $AS "$FMR" check --json'

    def check_masked_proc(self, nobody):
        r = self.run_check(prefix=["unshare", "--mount"], script=self.MASK_PROC, nobody=nobody)
        # fmr-run spec binds the outer /proc there: the sandbox works, degraded.
        checks = self.report(r, 0)
        proc = checks["proc mount"]
        self.assertFalse(proc["ok"])
        self.assertTrue(proc["degraded"])
        self.assertIn("Operation not permitted: mounts hide parts of /proc (/proc/sys)", proc["detail"])
        self.assertIn("binds the outer /proc read-only instead", proc["detail"])
        # In the spelling of the engine check detects (a host may show
        # docker's /.dockerenv), or of all three.
        if ENGINE != "docker":
            self.assertIn("--security-opt unmask=/proc/*", proc["fix"])
        self.assertIn("--security-opt systempaths=unconfined", proc["fix"])
        # Only the proc mount: everything else is tried and works.
        self.assert_all_ok(checks, but=["proc mount"])

    def test_masked_proc(self):
        self.check_masked_proc(False)

    def test_masked_proc_as_nobody(self):
        self.check_masked_proc(True)

    # The namespace count limits, user.max_<kind>_namespaces, hold in each
    # user namespace for what is created inside it, and its owner may
    # lower them there: `unshare --user --map-root-user` gives a limit of
    # 0 that no other process on the host sees.  (Setting the initial
    # namespace's /proc/sys/user/max_user_namespaces to 0 would test the
    # same code, but for the whole host: every other test running in
    # parallel under `make check` would fail while it lasts, so it is not
    # done.)
    LIMIT = 'echo 0 > /proc/sys/user/max_%s_namespaces; exec "$FMR" check --json'

    def check_limit(self, kind, nobody):
        prefix = (NOBODY if nobody else []) + ["unshare", "--user", "--map-root-user"]
        return self.report(self.run_check(prefix=prefix, script=self.LIMIT % kind), 1)

    def test_max_user_namespaces_zero(self):
        for nobody in (False, True):
            checks = self.check_limit("user", nobody)
            self.assert_user_namespace_refused(
                checks, "No space left on device: user.max_user_namespaces is 0",
                "sysctl -w user.max_user_namespaces=15000")

    def test_max_net_namespaces_zero(self):
        # Only the network namespace is refused: check names it, and still
        # tries every other part without it.
        checks = self.check_limit("net", True)
        net = checks["network namespace"]
        self.assertEqual(net["detail"], "clone(CLONE_NEWUSER|CLONE_NEWNET): No space left on device: "
                                        "user.max_net_namespaces is 0 in this user namespace (a container's, not the "
                                        "host's): no network namespace may be created")
        self.assertIn("sysctl -w user.max_net_namespaces=15000", net["fix"])
        self.assert_all_ok(checks, but=["network namespace"])

    def test_max_mnt_namespaces_zero(self):
        # Without a mount namespace nothing may be mounted: those parts are
        # not tried (they would land on the caller's mounts).
        checks = self.check_limit("mnt", False)
        self.assertIn("user.max_mnt_namespaces is 0", checks["mount namespace"]["detail"])
        self.assert_not_tried(checks, ["proc mount", "tmpfs mount", "read-only bind", "pivot_root"],
                              "needs the mount namespace")
        self.assert_all_ok(checks, but=["mount namespace", "proc mount", "tmpfs mount", "read-only bind",
                                        "pivot_root"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
