#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Tests of `fmr-run spec` and `fmr-run features` on the real binary.

Each test writes bundles into a fresh temporary directory (removed
afterwards) and checks the JSON against what the host and the options say.
Environment: FMR_RUN (the binary), FMR_TOP_SRCDIR (for schemas/).
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FMR_RUN = os.environ.get("FMR_RUN", os.path.join(os.getcwd(), "fmr-run"))
TOP_SRCDIR = os.environ.get("FMR_TOP_SRCDIR", os.path.dirname(os.path.dirname(HERE)))

TOPDIRS = ["bin", "lib", "lib32", "lib64", "libx32", "sbin"]
ETC_FILES = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "hosts",
             "host.conf", "localtime", "os-release", "alternatives", "ssl/certs", "ca-certificates.conf"]
KERNEL_MOUNTS = [("/proc", "proc"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"), ("/dev/shm", "tmpfs"),
                 ("/dev/mqueue", "mqueue"), ("/tmp", "tmpfs")]
RO_TREE = ["rbind", "ro", "nosuid", "nodev"]
RW_TREE = ["rbind", "rw", "nosuid", "nodev"]
RO_FILE = ["bind", "ro", "nosuid", "nodev"]


ROOT = os.geteuid() == 0


def host_ids(config):
    """The host ids the sandbox's only uid and gid map to."""
    l = config["linux"]
    return l["uidMappings"][0]["hostID"], l["gidMappings"][0]["hostID"]


def run(args, env=None, cwd=None):
    return subprocess.run([FMR_RUN] + args, capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


class SpecCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="fmr-spec-test.")
        self.addCleanup(shutil.rmtree, self.tmp)

    def spec(self, *args, name="bundle", env=None, validate=True):
        """Run spec into a new bundle directory, check it succeeded and (by
        default) that `fmr-run validate` accepts it; return the config."""
        bundle = os.path.join(self.tmp, name)
        r = run(["spec"] + list(args[:args.index("--")] if "--" in args else args) + [bundle]
                + (list(args[args.index("--"):]) if "--" in args else []), env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        if validate:
            v = run(["validate", bundle])
            self.assertEqual(v.returncode, 0, "validate refused spec's output:\n" + v.stdout + v.stderr)
        with open(os.path.join(bundle, "config.json")) as f:
            return json.load(f), bundle

    def fails(self, args, fragment, env=None):
        r = run(["spec"] + args, env=env)
        self.assertEqual(r.returncode, 125, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("fmr-run: spec: "), lines[0])
        self.assertIn(fragment, lines[0])
        return r

    @staticmethod
    def mount(config, destination):
        found = [m for m in config["mounts"] if m["destination"] == destination]
        return found[-1] if found else None


class DefaultBundle(SpecCase):
    def setUp(self):
        super().setUp()
        env = dict(os.environ, LANG="de_DE.UTF-8", TERM="xterm-test")
        self.config, self.bundle = self.spec(env=env)

    def test_top_level(self):
        c = self.config
        self.assertEqual(c["ociVersion"], "1.0.2")
        self.assertEqual(c["root"], {"path": "rootfs", "readonly": True})
        self.assertEqual(c["hostname"], "localhost")
        top = ["ociVersion", "process", "root", "hostname", "mounts", "linux"]
        if ROOT:
            # A root caller's bundle says which build uid it runs as.
            self.assertEqual(list(c["annotations"]), ["run.fmr.note.build-uid"])
            self.assertTrue(c["annotations"]["run.fmr.note.build-uid"].startswith("%d:%d (" % host_ids(c)))
            top.append("annotations")
        else:
            self.assertNotIn("annotations", c)
        self.assertEqual(list(c), top)

    def test_process(self):
        p = self.config["process"]
        self.assertIs(p["terminal"], False)
        self.assertEqual(p["user"], {"uid": os.getuid(), "gid": os.getgid(), "umask": 0o22})
        self.assertEqual(p["args"], ["/bin/sh"])
        self.assertEqual(p["cwd"], "/")
        self.assertEqual(p["env"], ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    "HOME=/tmp", "TMPDIR=/tmp", "LANG=de_DE.UTF-8", "TERM=xterm-test",
                                    "CARGO_NET_OFFLINE=true"])
        self.assertEqual(p["capabilities"], {k: [] for k in
                                             ["bounding", "effective", "inheritable", "permitted", "ambient"]})
        hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
        self.assertTrue(hard == resource.RLIM_INFINITY or hard >= 4096, "the test needs RLIMIT_NPROC >= 4096")
        self.assertEqual(p["rlimits"], [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
                                        {"type": "RLIMIT_CORE", "hard": 0, "soft": 0},
                                        {"type": "RLIMIT_NPROC", "hard": 4096, "soft": 4096}])
        self.assertIs(p["noNewPrivileges"], True)

    def test_nproc_never_above_the_callers_hard_limit(self):
        # The sandbox could not raise it (run would fail with EPERM).
        def lower():
            resource.setrlimit(resource.RLIMIT_NPROC, (1000, 1000))
        bundle = os.path.join(self.tmp, "low")
        r = subprocess.run([FMR_RUN, "spec", bundle], capture_output=True, text=True, timeout=60,
                           preexec_fn=lower)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(bundle, "config.json")) as f:
            rlimits = json.load(f)["process"]["rlimits"]
        self.assertEqual(rlimits[2], {"type": "RLIMIT_NPROC", "hard": 1000, "soft": 1000})

    def test_linux(self):
        l = self.config["linux"]
        self.assertEqual([n["type"] for n in l["namespaces"]],
                         ["user", "mount", "pid", "network", "ipc", "uts", "cgroup"])
        hu, hg = host_ids(self.config)
        if ROOT:
            # Never the host's root: a build uid (BuildUid below).
            self.assertNotIn(0, (hu, hg))
        else:
            self.assertEqual((hu, hg), (os.getuid(), os.getgid()))
        self.assertEqual(l["uidMappings"], [{"containerID": os.getuid(), "hostID": hu, "size": 1}])
        self.assertEqual(l["gidMappings"], [{"containerID": os.getgid(), "hostID": hg, "size": 1}])
        self.assertIn("/proc/kcore", l["maskedPaths"])
        self.assertIn("/sys/firmware", l["maskedPaths"])
        self.assertEqual(len(l["maskedPaths"]), 11)
        self.assertEqual(l["readonlyPaths"], ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                              "/proc/sysrq-trigger"])

    def test_seccomp_is_the_default_profile(self):
        with open(os.path.join(TOP_SRCDIR, "schemas", "seccomp-default.json")) as f:
            profile = json.load(f)
        self.assertEqual(self.config["linux"]["seccomp"], profile)
        names = {n for r in profile["syscalls"] for n in r["names"]}
        for must in ["mount", "unshare", "setns", "ptrace", "keyctl", "bpf", "io_uring_setup", "clone3",
                     "open_by_handle_at", "ioctl", "chmod", "openat"]:
            self.assertIn(must, names)

    def test_kernel_mounts_first_in_order(self):
        got = [(m["destination"], m["type"]) for m in self.config["mounts"][:len(KERNEL_MOUNTS)]]
        self.assertEqual(got, KERNEL_MOUNTS)
        self.assertEqual(self.mount(self.config, "/proc")["options"], ["nosuid", "noexec", "nodev"])
        self.assertIn("newinstance", self.mount(self.config, "/dev/pts")["options"])
        self.assertIn("mode=1777", self.mount(self.config, "/tmp")["options"])

    def test_system_binds_follow_the_host(self):
        usr = self.mount(self.config, "/usr")
        self.assertEqual(usr, {"destination": "/usr", "type": "bind", "source": "/usr", "options": RO_TREE})
        for d in TOPDIRS:
            m = self.mount(self.config, "/" + d)
            real_dir = os.path.isdir("/" + d) and not os.path.islink("/" + d)
            if real_dir:
                self.assertEqual(m and m["options"], RO_TREE, d)
            else:
                self.assertIsNone(m, d)

    def test_etc_files_follow_the_host(self):
        etc = [m["destination"] for m in self.config["mounts"] if m["destination"].startswith("/etc/")]
        expect = ["/etc/" + e for e in ETC_FILES if os.path.exists("/etc/" + e)]
        self.assertEqual(etc, expect)
        for e in expect:
            self.assertEqual(self.mount(self.config, e)["options"], RO_FILE)
        self.assertIsNone(self.mount(self.config, "/etc/resolv.conf"))
        self.assertIsNone(self.mount(self.config, "/etc"))

    def test_rootfs_has_the_usr_merge_links(self):
        rootfs = os.path.join(self.bundle, "rootfs")
        self.assertTrue(os.path.isdir(rootfs))
        for d in TOPDIRS:
            inside = os.path.join(rootfs, d)
            if os.path.islink("/" + d):
                self.assertEqual(os.readlink(inside), os.readlink("/" + d), d)
            else:
                self.assertFalse(os.path.lexists(inside), d)

    def test_output_is_stable(self):
        env = dict(os.environ, LANG="de_DE.UTF-8", TERM="xterm-test")
        _, again = self.spec(name="again", env=env, validate=False)
        with open(os.path.join(self.bundle, "config.json")) as a, open(os.path.join(again, "config.json")) as b:
            self.assertEqual(a.read(), b.read())


class Options(SpecCase):
    def test_lang_and_term_defaults(self):
        env = {k: v for k, v in os.environ.items() if k not in ("LANG", "TERM")}
        c, _ = self.spec(env=env)
        e = c["process"]["env"]
        self.assertIn("LANG=C.UTF-8", e)
        self.assertFalse([x for x in e if x.startswith("TERM=")])

    def test_network_shares_the_host_network(self):
        c, _ = self.spec("--network")
        self.assertNotIn("network", [n["type"] for n in c["linux"]["namespaces"]])
        self.assertEqual(len(c["linux"]["namespaces"]), 6)
        resolv = self.mount(c, "/etc/resolv.conf")
        if os.path.exists("/etc/resolv.conf"):
            self.assertEqual(resolv["options"], RO_FILE)

    def test_ro_and_rw_binds_in_order(self):
        src = os.path.join(self.tmp, "src")
        build = os.path.join(src, "build")
        os.makedirs(build)
        c, _ = self.spec("--ro", src, "--rw", build)
        ro, rw, extra = RO_TREE, RW_TREE, {}
        if ROOT:
            # The caller's binds are idmapped: its ids on disk are the build uid's.
            hu, hg = host_ids(c)
            ro, rw = RO_TREE + ["ridmap"], RW_TREE + ["ridmap"]
            extra = {"uidMappings": [{"containerID": 0, "hostID": hu, "size": 1}],
                     "gidMappings": [{"containerID": 0, "hostID": hg, "size": 1}]}
        self.assertEqual(c["mounts"][-2], {"destination": src, "type": "bind", "source": src, "options": ro, **extra})
        self.assertEqual(c["mounts"][-1], {"destination": build, "type": "bind", "source": build,
                                           "options": rw, **extra})

    def test_relative_bind_is_made_absolute(self):
        os.makedirs(os.path.join(self.tmp, "work"))
        r = run(["spec", "--rw", "work", "--cwd", "work", "out"], cwd=self.tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.tmp, "out", "config.json")) as f:
            c = json.load(f)
        work = os.path.realpath(os.path.join(self.tmp, "work"))
        self.assertEqual(c["mounts"][-1]["destination"], work)
        self.assertEqual(c["process"]["cwd"], work)

    def test_env_copy_set_and_replace(self):
        env = dict(os.environ, FMR_SPEC_TEST_VAR="copied value")
        c, _ = self.spec("--env", "FMR_SPEC_TEST_VAR", "--env", "CFLAGS=-O2 -g", "--env", "HOME=/build", env=env)
        e = c["process"]["env"]
        self.assertIn("FMR_SPEC_TEST_VAR=copied value", e)
        self.assertIn("CFLAGS=-O2 -g", e)
        self.assertIn("HOME=/build", e)
        self.assertNotIn("HOME=/tmp", e)
        self.assertEqual(len([x for x in e if x.startswith("HOME=")]), 1)

    def test_secrets_are_not_copied(self):
        env = dict(os.environ, PIP_INDEX_URL="https://user:secret@example.invalid/simple")
        c, _ = self.spec(env=env)
        self.assertFalse([x for x in c["process"]["env"] if "secret" in x])

    def test_cwd_timeout_and_command(self):
        c, _ = self.spec("--cwd", "/usr", "--timeout", "90", "--", "python3", "-m", "build", "--rw", "x")
        self.assertEqual(c["process"]["cwd"], "/usr")
        self.assertEqual(c["annotations"]["run.fmr.timeout"], "90")
        self.assertEqual(c["process"]["args"], ["python3", "-m", "build", "--rw", "x"])

    def test_creates_missing_dir_and_rootfs(self):
        c, bundle = self.spec(name="a/b/../new")
        self.assertTrue(os.path.isdir(os.path.join(bundle, "rootfs")))

    def test_force_overwrites(self):
        bundle = os.path.join(self.tmp, "b")
        self.assertEqual(run(["spec", bundle]).returncode, 0)
        r = run(["spec", "--force", "--timeout", "5", bundle])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(bundle, "config.json")) as f:
            self.assertEqual(json.load(f)["annotations"]["run.fmr.timeout"], "5")

    def test_help(self):
        r = run(["spec", "--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn("--network", r.stdout)
        self.assertEqual(os.listdir(self.tmp), [])


class Errors(SpecCase):
    def test_missing_rw_path(self):
        missing = os.path.join(self.tmp, "does-not-exist")
        bundle = os.path.join(self.tmp, "b")
        self.fails(["--rw", missing, bundle], "does-not-exist")
        self.assertFalse(os.path.exists(bundle), "nothing is created when an option is wrong")

    def test_missing_ro_path(self):
        self.fails(["--ro", os.path.join(self.tmp, "nope"), os.path.join(self.tmp, "b")], "--ro")

    def test_env_of_an_unset_variable(self):
        env = {k: v for k, v in os.environ.items() if k != "FMR_SPEC_UNSET"}
        self.fails(["--env", "FMR_SPEC_UNSET", os.path.join(self.tmp, "b")], "FMR_SPEC_UNSET", env=env)

    def test_env_without_a_name(self):
        self.fails(["--env", "=x", os.path.join(self.tmp, "b")], "empty variable name")

    def test_existing_config_without_force(self):
        bundle = os.path.join(self.tmp, "b")
        os.makedirs(bundle)
        with open(os.path.join(bundle, "config.json"), "w") as f:
            f.write("precious")
        self.fails([bundle], "--force")
        with open(os.path.join(bundle, "config.json")) as f:
            self.assertEqual(f.read(), "precious")

    def test_bad_timeout(self):
        for bad in ["0", "-3", "soon", ""]:
            self.fails(["--timeout", bad, os.path.join(self.tmp, "b")], "--timeout")

    def test_unknown_option_and_extra_argument(self):
        self.fails(["--bogus"], "--bogus")
        self.fails([os.path.join(self.tmp, "a"), os.path.join(self.tmp, "b")], "unexpected argument")
        self.fails(["--rw"], "needs an argument")

    def test_whole_root_refused(self):
        self.fails(["--rw", "/", os.path.join(self.tmp, "b")], "root")


NOBODY = 65534
FIXED = 2147000000  # the documented default build uid (src/spec/spec_ids.c)


@unittest.skipUnless(ROOT, "the build uid is for root callers: the suite runs as root")
class BuildUid(SpecCase):
    """Who a root caller's payload is on the host (src/spec/spec_ids.c)."""

    def sleeper(self, uid):
        """A host process running as UID until the test ends."""
        p = subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sleep", "60"])
        self.addCleanup(p.wait)
        self.addCleanup(p.kill)
        # Until setpriv has switched ids, the process is still root's.
        for _ in range(200):
            with open(f"/proc/{p.pid}/status") as f:
                if f"Uid:\t{uid}\t" in f.read():
                    return p
            time.sleep(0.01)
        self.fail(f"setpriv did not take uid {uid}")

    def spec_run(self, *args, pre=()):
        bundle = os.path.join(self.tmp, "b")
        r = subprocess.run([*pre, FMR_RUN, "spec", "--force", *args, bundle], capture_output=True, text=True,
                           timeout=60)
        config = None
        if r.returncode == 0:
            with open(os.path.join(bundle, "config.json")) as f:
                config = json.load(f)
        return r, config

    def has_subuid_entry(self):
        for f in ("/etc/subuid", "/etc/subgid"):
            if os.path.exists(f):
                with open(f) as fh:
                    if any(l.split(":")[0] in ("root", "0") for l in fh):
                        return True
        return False

    def test_default_is_the_fixed_build_uid_and_never_root(self):
        if self.has_subuid_entry():
            self.skipTest("root has a range in /etc/subuid here: the fixed id is not the default")
        c, _ = self.spec()
        self.assertEqual(host_ids(c), (FIXED, FIXED))
        self.assertEqual(c["process"]["user"]["uid"], 0)
        self.assertEqual(c["annotations"]["run.fmr.note.build-uid"], f"{FIXED}:{FIXED} (fmr-run's fixed build uid)")

    def test_the_callers_subordinate_range_first(self):
        # /etc/subuid and /etc/subgid replaced in a mount namespace of this
        # test's own: the host's files are not touched.
        sub = os.path.join(self.tmp, "sub")
        with open(sub + "uid", "w") as f:
            f.write("someone:100000:65536\nroot:3000000:65536\n")
        with open(sub + "gid", "w") as f:
            f.write("root:4000000:65536\n")
        for real in ("/etc/subuid", "/etc/subgid"):
            if not os.path.exists(real):
                self.skipTest(f"{real} does not exist: nothing to bind over")
        script = 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && exec "$3" spec "$4"'
        bundle = os.path.join(self.tmp, "b")
        r = subprocess.run(["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", sub + "uid",
                            sub + "gid", FMR_RUN, bundle], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(bundle, "config.json")) as f:
            c = json.load(f)
        self.assertEqual(host_ids(c), (3000000, 4000000))
        self.assertIn("/etc/subuid", c["annotations"]["run.fmr.note.build-uid"])

    def test_build_uid_option(self):
        r, c = self.spec_run("--build-uid", "3000000001:3000000002")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(host_ids(c), (3000000001, 3000000002))
        r, c = self.spec_run("--build-uid", "3000000003")
        self.assertEqual(host_ids(c), (3000000003, 3000000003))

    def test_build_uid_refused_for_root_and_bad_values(self):
        for arg, fragment in (("0", "0 is root"), ("5:0", "0 is root"), ("65534", "nobody"), ("x", "not UID"),
                              ("1:", "not UID"), ("4294967295", "not UID")):
            with self.subTest(arg=arg):
                self.fails(["--build-uid", arg, os.path.join(self.tmp, "x")], fragment)

    def test_an_id_a_process_runs_as_is_refused(self):
        uid = 3000000010
        p = self.sleeper(uid)
        self.fails(["--build-uid", str(uid), os.path.join(self.tmp, "x")], f"process {p.pid} of this host runs with it")

    def test_the_next_fixed_id_when_the_first_is_in_use(self):
        if self.has_subuid_entry():
            self.skipTest("root has a range in /etc/subuid here")
        self.sleeper(FIXED)
        c, _ = self.spec()
        self.assertEqual(host_ids(c), (65520, 65520))

    def test_unprivileged_caller_keeps_its_own_ids(self):
        pre = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        os.chmod(self.tmp, 0o777)
        r, c = self.spec_run(pre=pre)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(host_ids(c), (NOBODY, NOBODY))
        self.assertNotIn("annotations", c)
        r, _ = self.spec_run("--build-uid", "3000000000", pre=pre)
        self.assertEqual(r.returncode, 125)
        self.assertIn("only root (or a caller with CAP_SETUID)", r.stderr)

    def test_fallback_without_idmapped_mounts(self):
        # Root without CAP_SYS_ADMIN, as in a rootful docker container: no
        # idmapped mount, so the caller's own ids, said once on stderr and
        # in the bundle.
        work = os.path.join(self.tmp, "work")
        os.mkdir(work)
        pre = ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"]
        r, c = self.spec_run("--rw", work, pre=pre)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("no build uid, the step runs as the caller (uid 0) on the host", lines[0])
        self.assertIn("no CAP_SYS_ADMIN", lines[0])
        self.assertEqual(host_ids(c), (0, 0))
        self.assertTrue(c["annotations"]["run.fmr.note.build-uid"].startswith("unused: "))
        self.assertNotIn("uidMappings", c["mounts"][-1])
        # Without a bind of the caller's there is nothing to idmap: the
        # build uid holds there too.
        r, c = self.spec_run(pre=pre)
        self.assertEqual(r.stderr, "")
        self.assertNotEqual(host_ids(c), (0, 0))


class Features(unittest.TestCase):
    def test_document(self):
        r = run(["features"])
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertEqual(d["ociVersionMin"], "1.0.0")
        self.assertEqual(d["ociVersionMax"], "1.2.0")
        self.assertEqual(d["hooks"], [])
        for opt in ["ro", "rw", "nosuid", "nodev", "noexec", "bind", "rbind", "rro", "rprivate", "mode", "size"]:
            self.assertIn(opt, d["mountOptions"])
        l = d["linux"]
        self.assertEqual(sorted(l["namespaces"]), sorted(["user", "mount", "pid", "network", "ipc", "uts",
                                                          "cgroup"]))
        self.assertIn("CAP_CHOWN", l["capabilities"])
        self.assertIn("CAP_SYS_ADMIN", l["capabilities"])
        self.assertEqual(l["cgroup"], {"v1": False, "v2": False, "systemd": False, "systemdUser": False,
                                       "rdma": False})
        s = l["seccomp"]
        self.assertIs(s["enabled"], True)
        self.assertIn("SCMP_ACT_ERRNO", s["actions"])
        self.assertNotIn("SCMP_ACT_NOTIFY", s["actions"])
        self.assertIn("SCMP_CMP_MASKED_EQ", s["operators"])
        self.assertIn("SCMP_ARCH_X86_64", s["archs"])
        for off in ["apparmor", "selinux", "intelRdt"]:
            self.assertEqual(l[off], {"enabled": False})
        self.assertEqual(l["mountExtensions"], {"idmap": {"enabled": False}})
        self.assertRegex(d["annotations"]["run.fmr.libseccomp.version"], r"^\d+\.\d+\.\d+$")
        version = run(["--version"]).stdout.split()[-1]
        self.assertEqual(d["annotations"]["run.fmr.version"], version)

    def test_every_spec_mount_option_is_listed(self):
        d = json.loads(run(["features"]).stdout)
        with tempfile.TemporaryDirectory() as tmp:
            bundle = os.path.join(tmp, "b")
            self.assertEqual(run(["spec", bundle]).returncode, 0)
            with open(os.path.join(bundle, "config.json")) as f:
                c = json.load(f)
        for m in c["mounts"]:
            for o in m["options"]:
                self.assertIn(o.split("=")[0], d["mountOptions"])

    def test_help_and_bad_argument(self):
        self.assertEqual(run(["features", "--help"]).returncode, 0)
        self.assertEqual(run(["features", "extra"]).returncode, 125)


class ExampleBundles(unittest.TestCase):
    def test_examples_validate(self):
        """contrib/bundles/*/config.json are what spec writes: validate must
        accept each, in a scratch bundle (git keeps no rootfs/) whose /build
        binds point at scratch directories."""
        root = os.path.join(TOP_SRCDIR, "contrib", "bundles")
        names = sorted(n for n in os.listdir(root) if os.path.isfile(os.path.join(root, n, "config.json")))
        self.assertGreaterEqual(len(names), 2)
        for name in names:
            with tempfile.TemporaryDirectory() as tmp:
                with open(os.path.join(root, name, "config.json")) as f:
                    c = json.load(f)
                self.assertEqual(c["process"]["user"]["uid"], 1000, name)  # no ids of the machine that wrote it
                for m in c["mounts"]:
                    if m["source"].startswith("/build/"):
                        m["source"] = m["destination"] = tmp + m["source"]
                        os.makedirs(m["source"], exist_ok=True)
                if c["process"]["cwd"].startswith("/build/"):
                    c["process"]["cwd"] = tmp + c["process"]["cwd"]
                with open(os.path.join(tmp, "config.json"), "w") as f:
                    json.dump(c, f)
                os.mkdir(os.path.join(tmp, "rootfs"))
                r = run(["validate", tmp])
                self.assertEqual(r.returncode, 0, name + ": " + r.stdout + r.stderr)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed - len(result.skipped), failed))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
