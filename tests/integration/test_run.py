# SPDX-License-Identifier: Apache-2.0
"""`fmr-run run`: each isolation property of the default sandbox, checked
from inside by the probe, as root and as an unprivileged caller."""

import json
import os
import platform
import re
import socket
import shutil
import subprocess

from harness import MODE, NOBODY, SandboxTest, caller_ids, fixture_names, load_fixture


class Identity(SandboxTest):
    def test_ids_and_maps(self):
        uid, gid = caller_ids()
        ids = self.probe("ids")["ids"]
        self.assertEqual((ids["uid"], ids["euid"], ids["gid"], ids["egid"]), (uid, uid, gid, gid))
        self.assertEqual(ids["uid_map"].split(), [str(uid), str(uid), "1"])
        self.assertEqual(ids["gid_map"].split(), [str(gid), str(gid), "1"])
        # Unprivileged, the kernel wants setgroups denied before a gid_map.
        self.assertEqual(ids["setgroups"].strip(), "allow" if MODE == "root" else "deny")

    def test_hostname_and_domainname(self):
        c = self.config("uts")
        c["hostname"], c["domainname"] = "builder", "example.test"
        uts = self.probe(config=c)["uts"]
        self.assertEqual(uts, {"hostname": "builder", "domainname": "example.test"})
        self.assertNotEqual(socket.gethostname(), "builder")

    def test_namespaces_differ_from_host(self):
        inside = self.probe("ns")["ns"]
        for name, ino in inside.items():
            self.assertNotEqual(ino, os.stat(f"/proc/self/ns/{name}").st_ino, name)
        self.assertEqual(set(inside), {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"})


class Joined(SandboxTest):
    def test_namespace_with_path_is_joined(self):
        if MODE != "root":
            self.skipTest("joining the host's network namespace needs root")
        c = self.config("ns")
        c["linux"]["namespaces"] = [{"type": "mount"}, {"type": "pid"}, {"type": "uts"},
                                    {"type": "network", "path": "/proc/self/ns/net"}]
        del c["linux"]["uidMappings"], c["linux"]["gidMappings"]
        ns = self.probe(config=c)["ns"]
        self.assertEqual(ns["net"], os.stat("/proc/self/ns/net").st_ino)
        self.assertNotEqual(ns["mnt"], os.stat("/proc/self/ns/mnt").st_ino)

    def test_several_id_ranges_as_root(self):
        if MODE != "root":
            self.skipTest("several ranges need root or /etc/subuid entries for newuidmap")
        c = self.config("ids")
        c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1},
                                     {"containerID": 1000, "hostID": 100000, "size": 1000}]
        c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 0, "size": 1},
                                     {"containerID": 1000, "hostID": 100000, "size": 1000}]
        c["process"]["user"].update(uid=1500, gid=1500)
        ids = self.probe(config=c)["ids"]
        self.assertEqual((ids["uid"], ids["gid"]), (1500, 1500))
        self.assertEqual(ids["uid_map"].split(), ["0", "0", "1", "1000", "100000", "1000"])


class Network(SandboxTest):
    def test_only_loopback_and_up(self):
        net = self.probe("net")["net"]
        self.assertEqual(list(net), ["lo"])
        self.assertIn("UP", net["lo"])

    def test_outside_unreachable(self):
        self.assertEqual(self.probe("connect=192.0.2.1:80")["connect=192.0.2.1:80"], "ENETUNREACH")

    def test_host_loopback_service_unreachable(self):
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        try:
            key = f"connect=127.0.0.1:{port}"
            self.assertEqual(self.probe(key)[key], "ECONNREFUSED")
            srv.setblocking(False)
            with self.assertRaises(BlockingIOError):
                srv.accept()
        finally:
            srv.close()


class Processes(SandboxTest):
    def test_only_sandbox_processes_in_proc(self):
        report = self.probe("pids", "self")
        # fmr-run's PID 1 and the payload: nothing of the host.
        self.assertEqual(report["pids"], [1, 2])
        self.assertEqual(report["self"]["ppid"], 1)
        self.assertTrue(report["self"]["sid_is_self"])


def kernel_version():
    m = re.match(r"(\d+)\.(\d+)", platform.release())
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


class ProcessLimit(SandboxTest):
    """RLIMIT_NPROC bounds a fork bomb, for a root caller too: the kernel
    does not apply the rlimit to host uid 0, so fmr-run lowers the pid
    namespace's pid_max to hold PID 1 plus the hard limit (src/rootfs/pidlimit.c)."""

    FORKS = "forks=2000"
    PID_MAX = "read=/proc/sys/kernel/pid_max"

    def nproc_config(self, limit, *checks):
        c = self.config(*checks)
        c["process"]["rlimits"].append({"type": "RLIMIT_NPROC", "soft": limit, "hard": limit})
        return c

    def need_per_namespace_pid_max(self):
        if kernel_version() < (6, 14):
            self.skipTest(f"kernel {platform.release()}: pid_max is per pid namespace only since Linux 6.14")

    @staticmethod
    def host_pid_max():
        with open("/proc/sys/kernel/pid_max") as f:
            return f.read()

    def forks(self, limit):
        before = self.host_pid_max()
        r = self.probe(config=self.nproc_config(limit, self.FORKS))
        self.assertEqual(self.host_pid_max(), before, "the host's pid_max changed")
        return r[self.FORKS]

    def test_fork_bomb_stops_at_the_limit(self):
        if MODE == "root":
            self.need_per_namespace_pid_max()
        # Unprivileged, the rlimit counts every task of the uid in the
        # sandbox's user namespace: PID 1 and the probe take two of 400.
        # As root it does not apply; pid_max 701 leaves pids 1..700: PID 1,
        # the probe and 698 children (src/rootfs/pidlimit.c: why hard + 301).
        self.assertEqual(self.forks(400), {"forked": 398 if MODE != "root" else 698, "errno": "EAGAIN"})

    def test_small_limit(self):
        if MODE == "root":
            self.need_per_namespace_pid_max()
        # pid_max 351: as root PID 1, the probe and 348 children.
        self.assertEqual(self.forks(50), {"forked": 48 if MODE != "root" else 348, "errno": "EAGAIN"})

    def test_pid_max_is_the_hard_limit_plus_301(self):
        self.need_per_namespace_pid_max()
        before = self.host_pid_max()
        path = "path=/proc/sys/kernel/pid_max"
        r = self.probe(config=self.nproc_config(1000, self.PID_MAX, path))
        self.assertEqual(r[self.PID_MAX], "1301\n")
        # The kernel lets uid 0 of the namespace's user namespace write it
        # back up: the read-only /proc/sys (linux.readonlyPaths) stops that.
        # Any other uid is refused by the file's permission first.
        self.assertEqual(r[path]["write"], "EROFS" if MODE == "root" else "EACCES")
        self.assertEqual(self.host_pid_max(), before, "the host's pid_max changed")

    def test_without_proc_runs_unbounded_and_debug_says_so(self):
        c = self.nproc_config(1000, "self")
        c["mounts"] = [m for m in c["mounts"] if m["type"] != "proc"]
        self.write(c)
        r = self.run_fmr("run", "--debug", self.bundle)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)["self"]["pid"], 2)
        if kernel_version() >= (6, 14):
            self.assertIn("] pid_max left alone: the bundle mounts no proc: ", r.stderr)


class Filesystem(SandboxTest):
    def test_root_and_usr_read_only(self):
        r = self.probe("path=/", "path=/usr", "path=/etc")
        for p in ("path=/", "path=/usr", "path=/etc"):
            self.assertEqual(r[p]["write"], "EROFS", p)
            self.assertTrue(r[p]["ro"], p)

    def test_submount_of_read_only_bind_read_only(self):
        # The host's /dev has submounts (pts, shm, mqueue); bound read-only,
        # every one of them must be read-only too.
        c = self.config("path=/hostdev/shm", "path=/hostdev/pts")
        c["mounts"].append({"destination": "/hostdev", "type": "bind", "source": "/dev",
                            "options": ["rbind", "ro", "nosuid"]})
        r = self.probe(config=c)
        self.assertTrue(r["path=/hostdev/shm"]["ro"])
        self.assertEqual(r["path=/hostdev/shm"]["write"], "EROFS")
        self.assertTrue(r["path=/hostdev/pts"]["ro"])

    def test_tmp_is_fresh_writable_tmpfs(self):
        marker = f"/tmp/fmr-it-marker-{os.getpid()}"
        with open(marker, "w") as f:
            f.write("host")
        try:
            r = self.probe("path=/tmp", f"path={marker}")
        finally:
            os.unlink(marker)
        self.assertEqual(r["path=/tmp"]["fstype"], "tmpfs")
        self.assertEqual(r["path=/tmp"]["write"], "ok")
        self.assertEqual(r["path=/tmp"]["entries"], 0)
        self.assertFalse(r[f"path={marker}"]["exists"])

    def test_masked_and_read_only_paths(self):
        r = self.probe("path=/proc/timer_list", "path=/proc/acpi", "path=/proc/sys/kernel/domainname",
                       "path=/proc/sysrq-trigger")
        self.assertEqual(r["path=/proc/timer_list"].get("bytes"), 0)
        if r["path=/proc/acpi"]["exists"]:
            self.assertEqual(r["path=/proc/acpi"]["entries"], 0)
        self.assertTrue(r["path=/proc/sys/kernel/domainname"]["ro"])
        self.assertNotEqual(r["path=/proc/sys/kernel/domainname"]["write"], "ok")
        if r["path=/proc/sysrq-trigger"]["exists"]:
            self.assertTrue(r["path=/proc/sysrq-trigger"]["ro"])

    def test_caller_netrc_not_visible(self):
        home = self.writable_dir("home")
        with open(os.path.join(home, ".netrc"), "w") as f:
            f.write("machine index.example login u password secret\n")
        env = dict(os.environ, HOME=home)
        key = f"path={home}/.netrc"
        r = self.probe(key, "env", env=env)
        self.assertFalse(r[key]["exists"])
        self.assertNotIn(f"HOME={home}", r["env"])

    def test_mount_sources_in_mountinfo(self):
        # What runtime-tools' runtimetest checks first: each filesystem
        # mount shows mounts[].source as the bundle wrote it.
        c = self.config("read=/proc/self/mountinfo")
        sources = {"proc": "it-proc", "tmpfs": "it-tmpfs", "devpts": "it-devpts", "mqueue": "it-mqueue",
                   "sysfs": "it-sysfs"}
        if not any(m["type"] == "sysfs" for m in c["mounts"]):
            c["mounts"].append({"destination": "/sys", "type": "sysfs", "source": "sysfs",
                                "options": ["nosuid", "noexec", "nodev", "ro"]})
        want = {}
        for m in c["mounts"]:
            if m["type"] in sources:
                m["source"] = f"{sources[m['type']]}{len(want)}"
                want[m["destination"]] = m["source"]
        self.assertGreaterEqual(len(want), 5)
        got = {}
        for line in self.probe(config=c)["read=/proc/self/mountinfo"].splitlines():
            fields, _, rest = line.partition(" - ")
            got[fields.split()[4]] = rest.split()[1]  # the last mount on a point wins
        for dest, source in want.items():
            self.assertEqual(got.get(dest), source, dest)

    def test_default_devices(self):
        d = self.probe("devices")["devices"]
        self.assertEqual(d["null_write"], "ok")
        self.assertEqual(d["zero_read"], "ok")
        self.assertEqual(d["full_write"], "ENOSPC")
        self.assertEqual(d["urandom_read"], "ok")
        self.assertTrue(d["tty_is_chr"])
        self.assertEqual(d["ptmx_open"], "ok")
        self.assertTrue(d["pts_is_devpts"])
        self.assertEqual((d["ptmx_link"], d["fd_link"]), ("pts/ptmx", "/proc/self/fd"))
        self.assertEqual([d["stdin_link"], d["stdout_link"], d["stderr_link"]],
                         [f"/proc/self/fd/{i}" for i in range(3)])


class Sysctl(SandboxTest):
    SYSCTLS = {"net.ipv4.ip_unprivileged_port_start": "80", "net.ipv4.ping_group_range": "0 0",
               "kernel.shmmni": "1234", "fs.mqueue.queues_max": "77"}

    def test_namespaced_sysctls_set_inside_only(self):
        c = self.config(*(f"read=/proc/sys/{k.replace('.', '/')}" for k in self.SYSCTLS),
                        "path=/proc/sys/kernel/shmmni")
        # The ipc ones answer to uid 0 of the sandbox's user namespace:
        # the caller's own uid maps to it here.
        c["linux"]["uidMappings"][0]["containerID"] = 0
        c["linux"]["gidMappings"][0]["containerID"] = 0
        c["process"]["user"].update(uid=0, gid=0)
        c["linux"]["sysctl"] = dict(self.SYSCTLS)
        host = {k: open(f"/proc/sys/{k.replace('.', '/')}").read() for k in self.SYSCTLS}
        r = self.probe(config=c)
        for k, v in self.SYSCTLS.items():
            self.assertEqual(r[f"read=/proc/sys/{k.replace('.', '/')}"].split(), v.split(), k)
            with open(f"/proc/sys/{k.replace('.', '/')}") as f:
                self.assertEqual(f.read(), host[k], f"{k} changed on the host")
        # Written before linux.readonlyPaths made /proc/sys read-only.
        self.assertTrue(r["path=/proc/sys/kernel/shmmni"]["ro"])

    def test_host_wide_sysctl_refused(self):
        c = self.config()
        c["linux"]["sysctl"] = {"vm.swappiness": "1"}
        self.write(c)
        r = self.run_fmr("run", self.bundle)
        self.assertEqual(r.returncode, 125)
        self.assertIn("linux.sysctl.vm.swappiness: not a namespaced sysctl", r.stderr)


class Privileges(SandboxTest):
    def test_no_capabilities_nnp_seccomp(self):
        s = self.probe("status")["status"]
        for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            self.assertEqual(int(s[k], 16), 0, k)
        self.assertEqual(s["NoNewPrivs"], "1")
        self.assertEqual(s["Seccomp"], "2")

    def test_capabilities_granted_exactly(self):
        c = self.config("status")
        c["process"]["capabilities"] = {s: ["CAP_CHOWN"] for s in
                                        ("bounding", "effective", "inheritable", "permitted", "ambient")}
        c["process"]["capabilities"]["bounding"] = ["CAP_CHOWN", "CAP_KILL"]
        s = self.probe(config=c)["status"]
        self.assertEqual(int(s["CapBnd"], 16), (1 << 0) | (1 << 5))
        for k in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(int(s[k], 16), 1 << 0, k)

    def test_seccomp_rules_apply(self):
        r = self.probe("syscall=mount", "syscall=unshare", "syscall=getpid")
        self.assertEqual(r["syscall=mount"], "EPERM")
        self.assertEqual(r["syscall=unshare"], "EPERM")
        self.assertEqual(r["syscall=getpid"], "ok")

    def test_rlimits_as_set(self):
        c = self.config("rlimits")
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 600},
                                   {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}]
        r = self.probe(config=c)["rlimits"]
        self.assertEqual(r["RLIMIT_NOFILE"], [512, 600])
        self.assertEqual(r["RLIMIT_CORE"], [0, 0])


class Process(SandboxTest):
    def test_only_std_descriptors(self):
        # A descriptor the caller forgot to mark close-on-exec.
        rfd, wfd = os.pipe()
        os.set_inheritable(wfd, True)
        try:
            fds = self.probe("fds", pass_fds=(wfd,))["fds"]
        finally:
            os.close(rfd)
            os.close(wfd)
        self.assertEqual(fds, [0, 1, 2])

    def test_preserve_fds(self):
        rfd, wfd = os.pipe()
        os.dup2(wfd, 3) if wfd != 3 else None
        try:
            self.write(self.config("fds", "env"))
            r = self.run_fmr("run", "--preserve-fds", "1", self.bundle, pass_fds=(3,))
        finally:
            os.close(rfd)
            os.close(wfd)
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = json.loads(r.stdout)
        self.assertEqual(rep["fds"], [0, 1, 2, 3])
        self.assertIn("LISTEN_FDS=1", rep["env"])

    def test_environment_exactly_process_env(self):
        c = self.config("env")
        c["process"]["env"] = ["PATH=/usr/bin", "ONLY=this"]
        env = dict(os.environ, SECRET_TOKEN="leak")
        self.assertEqual(self.probe(config=c, env=env)["env"], ["PATH=/usr/bin", "ONLY=this"])

    def test_cwd_and_umask(self):
        c = self.config("cwd", "umask")
        c["process"]["cwd"] = "/usr/share"
        c["process"]["user"]["umask"] = 0o27
        r = self.probe(config=c)
        self.assertEqual((r["cwd"], r["umask"]), ("/usr/share", "0027"))

    def test_exit_status_passes_through(self):
        self.run_bundle(self.config("exit=7"), expect=7)

    def test_signal_death_is_128_plus_n(self):
        c = self.config()
        c["process"]["args"] = ["/bin/sh", "-c", "kill -TERM $$"]
        self.run_bundle(c, expect=143)


class Timeout(SandboxTest):
    def test_timeout_kills_a_payload_that_ignores_sigterm(self):
        c = self.config()
        c["process"]["args"] = ["/bin/sh", "-c", "trap '' TERM; sleep 60 & wait; sleep 60"]
        self.write(c)
        r = self.run_fmr("run", "--timeout", "0.3", "--kill-after", "0.3", self.bundle)
        self.assertEqual(r.returncode, 124, r.stderr)
        self.assertIn("timeout: the process ran longer than 0.3 s: sent SIGTERM, then SIGKILL", r.stderr)

    def test_timeout_annotation(self):
        c = self.config()
        c["process"]["args"] = ["/bin/sleep", "60"]
        c["annotations"] = {"run.fmr.timeout": "0.2"}
        self.write(c)
        r = self.run_fmr("run", self.bundle)
        self.assertEqual(r.returncode, 124, r.stderr)
        self.assertIn("sent SIGTERM", r.stderr)
        self.assertNotIn("SIGKILL", r.stderr)


class Errors(SandboxTest):
    """Broken bundles: one line naming the field, the right status, and
    nothing changed on the host (tearDown)."""

    def assert_fails(self, config, status, *fragments, raw=None, helper_output=False):
        """helper_output: a helper program fmr-run ran (newuidmap) may have
        printed its own lines before fmr-run's one."""
        self.write(config, raw=raw)
        r = self.run_fmr("run", self.bundle)
        self.assertEqual(r.returncode, status, r.stderr)
        self.assertEqual(r.stdout, "")
        line = r.stderr.strip()
        if helper_output:
            line = line.splitlines()[-1]
        self.assertEqual(len(line.splitlines()), 1, line)
        self.assertTrue(line.startswith("fmr-run: "), line)
        for f in fragments:
            self.assertIn(f, line)

    def test_missing_bind_source(self):
        c = self.config()
        c["mounts"].append({"destination": "/opt/py", "type": "bind", "source": "/nonexistent/py",
                            "options": ["rbind", "ro"]})
        n = len(c["mounts"]) - 1
        self.assert_fails(c, 125, f"mounts[{n}].source", "/nonexistent/py", "No such file or directory")

    def test_missing_cwd(self):
        c = self.config()
        c["process"]["cwd"] = "/no/such/dir"
        self.assert_fails(c, 125, "process.cwd", "/no/such/dir", "No such file or directory")

    def test_args0_not_found(self):
        c = self.config()
        c["process"]["args"] = ["no-such-program-xyz"]
        self.assert_fails(c, 127, "process.args[0]", "no-such-program-xyz")

    def test_args0_not_executable(self):
        c = self.config()
        c["process"]["args"] = ["/etc/passwd"]
        self.assert_fails(c, 126, "process.args[0]", "/etc/passwd", "Permission denied")

    def test_malformed_json(self):
        self.assert_fails(None, 125, "config.json:3:", "parse error", raw='{\n "ociVersion": "1.0.2",\n ]\n')

    def test_relative_destination(self):
        c = self.config()
        c["mounts"][5]["destination"] = "tmp"
        self.assert_fails(c, 125, 'mounts[5].destination: "tmp" is not an absolute path')

    def test_unmapped_user(self):
        c = self.config()
        c["process"]["user"]["uid"] = 4242
        self.assert_fails(c, 125, "process.user.uid", "4242")

    def test_refused_mapping(self):
        if MODE == "root":
            self.skipTest("root may map any host id: nothing refuses it")
        c = self.config()
        c["linux"]["uidMappings"] = [{"containerID": NOBODY, "hostID": 4242, "size": 1}]
        self.assert_fails(c, 125, "linux.uidMappings", "refused", helper_output=True)

    def test_missing_namespace_path(self):
        c = self.config()
        c["linux"]["namespaces"][2] = {"type": "pid", "path": "/nonexistent/ns/pid"}
        self.assert_fails(c, 125, "linux.namespaces[2].path", "/nonexistent/ns/pid", "No such file or directory")

    def test_missing_root_path(self):
        c = self.config()
        c["root"]["path"] = "/nonexistent-root"
        self.assert_fails(c, 125, "root.path", "/nonexistent-root", "No such file or directory")

    def test_resources_refused_not_ignored(self):
        # Not built yet: refusing it beats a sandbox weaker than its bundle.
        c = self.config()
        c["linux"]["resources"] = {"memory": {"limit": 100 << 20}}
        self.assert_fails(c, 125, "linux.resources", "not supported")

    def test_invalid_tmpfs_option(self):
        c = self.config()
        c["mounts"].append({"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["size=lots"]})
        n = len(c["mounts"]) - 1
        self.assert_fails(c, 125, f"mounts[{n}].options[0]", "size=lots")

    def test_rlimit_above_hard_limit(self):
        c = self.config()
        c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": 1 << 40, "hard": 1 << 40}]
        self.assert_fails(c, 125, "process.rlimits[0]", "RLIMIT_NOFILE", "above fs.nr_open")

    def test_symlink_to_host_root_refused(self):
        # rootfs/tmp -> ../../.. and rootfs/usr -> /: resolved inside the
        # root they name the root itself, which fmr-run refuses to cover;
        # the host's mount table is checked unchanged in tearDown.
        for name, target in (("tmp", "../../.."), ("usr", "/")):
            link = os.path.join(self.bundle, "rootfs", name)
            os.symlink(target, link)
            self.assert_fails(self.config(), 125, "destination: /" + name, "resolves to the root")
            os.unlink(link)

    def test_symlink_out_of_rootfs_stays_inside(self):
        # rootfs/dev -> ../../outside names scratch/outside on the host (a
        # trap directory); resolved inside the root it is rootfs/outside.
        trap = self.writable_dir("outside")
        inside = os.path.join(self.bundle, "rootfs", "outside")
        os.mkdir(inside)
        os.symlink("../../outside", os.path.join(self.bundle, "rootfs", "dev"))
        r = self.probe("devices")
        self.assertEqual(r["devices"]["null_write"], "ok")
        self.assertEqual(os.listdir(trap), [], "mount points were created outside the rootfs")


class CrunParity(SandboxTest):
    """The probe's view of each bundle in tests/fixtures, under crun and
    under fmr-run: the same, apart from the differences listed in
    describe()."""

    KEYS = ["ids", "uts", "ns", "net", "pids", "self", "status", "rlimits", "fds", "env", "cwd", "umask",
            "devices", "path=/", "path=/usr", "path=/tmp", "path=/dev/shm", "path=/proc/timer_list",
            "path=/proc/sys", "connect=192.0.2.1:80", "syscall=mount", "syscall=unshare", "syscall=keyctl"]

    def describe(self, report):
        """The report with the explained differences taken out."""
        r = dict(report)
        # Namespace inodes are new in every run: compare which namespaces
        # differ from the host's, not the numbers.
        r["ns"] = {k: v != os.stat(f"/proc/self/ns/{k}").st_ino for k, v in r["ns"].items()}
        # fmr-run's PID 1 is its own init (a reaper and signal forwarder),
        # so its payload is PID 2 with parent 1, where crun's payload is
        # PID 1 itself.  What must agree: no host process is visible, and
        # the payload leads its own session.
        pids, own = r.pop("pids"), r.pop("self")
        r["pids_beyond_init_and_payload"] = [p for p in pids if p not in (1, own["pid"])]
        r["sid_is_self"] = own["sid_is_self"]
        # A masked file: both bind /dev/null over it (reads give 0 bytes,
        # writes are discarded), but crun makes that bind read-only and
        # fmr-run leaves it as writable as /dev/null itself.
        masked = r.get("path=/proc/timer_list")
        if masked and masked.get("type") == "chr":
            masked = r["path=/proc/timer_list"] = dict(masked)
            masked.pop("ro")
            masked.pop("write")
        elif masked:
            # Not masked: a live kernel file whose length changes by the
            # microsecond.
            masked = r["path=/proc/timer_list"] = dict(masked)
            masked.pop("bytes", None)
        # A read-only path: crun remounts its bind with MS_RDONLY alone, which
        # drops the nosuid, nodev and noexec of the /proc it comes from;
        # fmr-run keeps them (stricter).  Both are read-only.
        ro_path = r.get("path=/proc/sys")
        if ro_path and ro_path.get("exists"):
            r["path=/proc/sys"] = {k: v for k, v in ro_path.items() if k not in ("nosuid", "nodev", "noexec")}
        return r

    def crun(self, name):
        crun = shutil.which("crun")
        if crun is None:
            self.skipTest("crun is not installed")
        state = self.writable_dir(f"crun-state-{name}")
        cmd = [crun, "--root", state, "--cgroup-manager=disabled", "run", "--bundle", self.bundle,
               f"fmr-parity-{name}-{os.getpid()}"]
        if MODE == "root":
            # On a host with both cgroup v1 and v2 mounted crun refuses to
            # start ("cgroups in hybrid mode not supported") unless the v2
            # hierarchy is out of sight: unmount it in a private mount
            # namespace of crun's own.
            cmd = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                   'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"', "sh", *cmd]
        else:
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
                           env=dict(os.environ, XDG_RUNTIME_DIR=state))
        if r.returncode != 0 and MODE != "root" and "cgroup" in r.stderr:
            # Unprivileged, nothing can hide a hybrid cgroup layout from
            # crun (unmounting needs a user namespace of our own, which
            # would change the ids crun reports).
            self.skipTest(f"crun cannot run unprivileged on this host: {r.stderr.strip()}")
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_same_view_as_crun(self):
        for name in fixture_names():
            with self.subTest(fixture=name):
                self.write(load_fixture(name, self.bin_dir, ["/probe/probe", *self.KEYS]))
                r = self.run_fmr("run", self.bundle)
                self.assertEqual(r.returncode, 0, r.stderr)
                ours = self.describe(json.loads(r.stdout))
                theirs = self.describe(self.crun(name))
                for k in ours:
                    self.assertEqual(ours[k], theirs[k], f"{name}: {k}")
                self.assertEqual(ours["pids_beyond_init_and_payload"], [])


def cpu_list(text):
    """The CPUs of a /proc/PID/status Cpus_allowed_list ("0-3,8")."""
    cpus = set()
    for part in text.strip().split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    return cpus


class CpuAffinity(SandboxTest):
    """The sandbox is built on the one CPU `run` started on; the payload
    and everything it starts get the caller's CPUs back before exec."""

    SCRIPT = ("grep Cpus_allowed_list /proc/self/status; "
              "/bin/sh -c 'grep Cpus_allowed_list /proc/self/status'; "
              "grep Cpus_allowed_list /proc/1/status")

    def allowed_inside(self):
        c = self.config()
        c["process"]["args"] = ["/bin/sh", "-c", self.SCRIPT]
        lines = self.run_bundle(c).stdout.splitlines()
        self.assertEqual(len(lines), 3, lines)
        return [cpu_list(line.split(":", 1)[1]) for line in lines]

    def test_payload_runs_on_the_callers_cpus(self):
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            self.skipTest("one CPU: there is no other to pin to or give back")
        self.addCleanup(os.sched_setaffinity, 0, set(cpus))
        for mask in (set(cpus), {cpus[0], cpus[-1]}, {cpus[-1]}):
            os.sched_setaffinity(0, mask)
            payload, child, pid1 = self.allowed_inside()
            self.assertEqual(payload, mask)
            self.assertEqual(child, mask)
            # PID 1 stays where the sandbox was built: one of the caller's.
            self.assertEqual(len(pid1), 1, pid1)
            self.assertLessEqual(pid1, mask)
