# SPDX-License-Identifier: Apache-2.0
"""Attacks 12-14, 16-18, 20: new namespaces, set-uid binaries, capabilities,
kernel keyrings, kernel interfaces, the kernel's files, the host's name."""

import os
import shutil
import socket
import subprocess

from hostile import MODE, HostileTest, as_caller, parse, read_bytes

NO_CAPS = "0000000000000000"
NAMESPACES = ("user", "mnt", "net", "pid", "ipc", "uts", "cgroup", "time")


def caller_uid():
    return 0 if MODE == "root" else 65534


def who(prefix, uid):
    """What the whoami attack prints for a process with UID (all three)
    and no capabilities, under no_new_privs, on a nosuid mount."""
    ids = f"{uid}/{uid}/{uid}"
    return {f"{prefix}uids": ids, f"{prefix}gids": ids, f"{prefix}CapEff": NO_CAPS,
            f"{prefix}CapPrm": NO_CAPS, f"{prefix}NoNewPrivs": "1", f"{prefix}nosuid": "1"}


def host_status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return line.split()[1]
    raise AssertionError(f"{field} not in /proc/self/status")


class Privileges(HostileTest):
    def test_12_unshare_or_clone_new_namespaces_to_regain_capabilities(self):
        expect = {f"unshare:{ns}": "EPERM" for ns in ("user", "mnt", "net", "pid")}
        expect.update({"clone:user": "EPERM", "clone:user+mnt": "EPERM",
                       # clone3's flags are out of seccomp's reach: ENOSYS for
                       # all of it, so that libc falls back to clone.
                       "clone3:user": "ENOSYS", "clone3:plain": "ENOSYS"})
        expect.update({f"setns:{ns}": "EPERM" for ns in NAMESPACES})
        self.assertEqual(self.attack("namespaces"), expect)
        # On the host, anyone may create a user namespace (the sandbox
        # started by nobody needs it too), and root any namespace.
        control = self.unconfined("namespaces")
        for what in ("unshare:user", "clone:user", "clone:user+mnt", "clone3:user", "clone3:plain"):
            self.assertEqual(control[what], "ok", what)
        if MODE == "root":
            for what in ("unshare:mnt", "unshare:net", "unshare:pid", "setns:mnt", "setns:net"):
                self.assertEqual(control[what], "ok", what)

    def setuid_copy(self):
        """A set-uid root copy of the attack program in the read-only bound
        directory (the test process is root in both modes)."""
        path = os.path.join(self.bin_dir, "hostile-suid")
        shutil.copy2(self.hostile, path)
        # (tearDown removes the scratch directory first, as a rule.)
        self.addCleanup(lambda: os.path.lexists(path) and os.unlink(path))
        os.chown(path, 0, 0)
        os.chmod(path, 0o4755)
        return path

    def test_13_run_a_setuid_binary_to_gain_privileges(self):
        uid = caller_uid()
        suid = self.setuid_copy()
        # Both reasons a set-id bit does nothing are reported: every bind
        # is nosuid (program.nosuid, nosuid) and the payload runs under
        # no_new_privs; as nobody the file's owner (host root) is not even
        # mapped in the sandbox.  As root the payload is uid 0 already: it
        # must gain no capability.
        expect = {**who("before.", uid), **who("after.", uid), "program.nosuid": "1", "status": "0"}
        self.assertEqual(self.attack("run-setuid", suid, "whoami", "after."), expect)
        # The host's su (stdin /dev/null): it runs as the caller, without
        # PAM's configuration, and gives up; no command runs as root.
        expect = {**who("before.", uid), "program.nosuid": "1", "status": "1"}
        self.assertEqual(self.attack("run-setuid", "/usr/bin/su", "root", "-c", f"{self.hostile} whoami after."),
                         expect)
        self.assertEqual(os.stat(suid).st_mode & 0o7777, 0o4755)
        control = self.unconfined("run-setuid", suid, "whoami", "after.")
        self.assertEqual(control["after.uids"], f"{uid}/0/0")
        self.assertNotEqual(control["after.CapEff"], NO_CAPS)
        if MODE == "root":
            control = self.unconfined("run-setuid", "/usr/bin/su", "root", "-c", f"{self.hostile} whoami after.")
            self.assertEqual((control["status"], control["after.uids"]), ("0", "0/0/0"))

    def test_14_capset_ambient_raise_and_setuid_0_to_gain_privileges(self):
        uid = caller_uid()
        # As root, uid and gid 0 are the payload's own ids (a no-op that
        # gives nothing); as nobody, 0 is not mapped in the sandbox's user
        # namespace.
        setid = "ok" if MODE == "root" else "EINVAL"
        expect = {"capset-all": "EPERM", "ambient-raise-sys-admin": "EPERM", "bounding-count": "0",
                  "setuid-0": setid, "setresuid-0": setid, "setgid-0": setid,
                  "CapInh": NO_CAPS, "CapPrm": NO_CAPS, "CapEff": NO_CAPS, "CapBnd": NO_CAPS, "CapAmb": NO_CAPS,
                  "euid": str(uid)}
        self.assertEqual(self.attack("capabilities"), expect)
        # PR_CAPBSET_READ does see a bounding set where there is one.
        control = self.unconfined("capabilities")
        self.assertEqual(int(control["bounding-count"]), bin(int(host_status("CapBnd"), 16)).count("1"))
        self.assertNotEqual(control["bounding-count"], "0")

    def test_16_keyctl_add_key_request_key(self):
        self.assertEqual(self.attack("keyrings"),
                         {"keyctl-session-id": "EPERM", "add_key": "EPERM", "request_key": "EPERM"})
        # On the host the caller's session keyring is there, a key can be
        # added (to the process's own keyring) and a missing one looked up.
        self.assertEqual(self.unconfined("keyrings"),
                         {"keyctl-session-id": "ok", "add_key": "ok", "request_key": "ENOKEY"})

    def test_17_bpf_perf_userfaultfd_kexec_modules_open_by_handle_io_uring(self):
        calls = ("bpf", "perf_event_open", "userfaultfd", "kexec_load", "init_module", "finit_module",
                 "open_by_handle_at", "io_uring_setup")
        self.assertEqual(self.attack("kernel-calls"), {c: "EPERM" for c in calls})
        # Where nothing filters them the calls reach the kernel, which
        # answers the arguments (an unknown bpf command); which of them an
        # unprivileged user may make depends on the host's sysctls and
        # kernel version, so the unprivileged control checks one only.
        control = self.unconfined("kernel-calls")
        self.assertEqual(control["userfaultfd"], "ok")
        if MODE == "root":
            self.assertEqual({c: control[c] for c in ("bpf", "perf_event_open", "open_by_handle_at")},
                             {"bpf": "EINVAL", "perf_event_open": "ok", "open_by_handle_at": "EINVAL"})

    def test_18_write_proc_sys_sysrq_trigger_and_sys_read_kcore_and_kmsg(self):
        before = {p: read_bytes(p) for p in ("/proc/sys/kernel/core_pattern", "/sys/kernel/rcu_expedited")}
        hostname = socket.gethostname()
        # /proc/sys is a read-only bind: root's write permission there
        # ends at the read-only mount; nobody has none to begin with (the
        # files are writable only by the host's root), nor has a root
        # caller's build uid.
        self.spec("kernel-files", "fmr-hostile-name")
        ro = "EROFS" if self.payload_is_host_root() else "EACCES"
        expect = {"/proc/sys/kernel/hostname": ro, "/proc/sys/kernel/core_pattern": ro,
                  # A read-only bind too, where the kernel has it.
                  "/proc/sysrq-trigger": "EROFS" if os.path.exists("/proc/sysrq-trigger") else "ENOENT",
                  # The default bundle mounts no sysfs: no /sys at all.
                  "/sys": "ENOENT", "/sys/kernel/rcu_expedited": "ENOENT",
                  # /dev is the sandbox's own tmpfs with the OCI default devices.
                  "/dev/kmsg": "ENOENT"}
        # Masked paths read as /dev/null (empty) where the kernel has them.
        for path in ("/proc/kcore", "/proc/timer_list", "/proc/keys"):
            if os.path.exists(path):
                expect.update({path: "ok", f"{path}:read": "empty"})
            else:
                expect[path] = "ENOENT"
        self.assertEqual(self.attack("kernel-files", "fmr-hostile-name"), expect)
        self.assertEqual(socket.gethostname(), hostname)
        for path, content in before.items():
            self.assertHostFileUnchanged(path, content)
        # On the host, root can open each of them (the control writes back
        # the values it read: nothing changes).
        if MODE == "root":
            control = self.unconfined("kernel-files", hostname)
            for what in ("/proc/sys/kernel/hostname:write", "/proc/sys/kernel/core_pattern:write", "/sys",
                         "/sys/kernel/rcu_expedited:write", "/dev/kmsg"):
                self.assertEqual(control[what], "ok", what)
            self.assertEqual(control["/proc/timer_list:read"], "data")
            self.assertEqual(socket.gethostname(), hostname)

    def test_20_sethostname_to_change_the_hosts_name(self):
        hostname = socket.gethostname()
        self.assertEqual(self.attack("set-hostname", "fmr-hostile-name"),
                         {"sethostname": "EPERM", "setdomainname": "EPERM", "uname": "ok",
                          "nodename": "localhost", "domainname": "(none)"})
        self.assertEqual(socket.gethostname(), hostname)
        # Control in a throw-away uts namespace owned by a new user
        # namespace: there the same calls work (on the host itself they
        # would rename the machine).
        r = subprocess.run(as_caller(["unshare", "--user", "--map-root-user", "--uts", self.hostile,
                                      "set-hostname", "fmr-hostile-name"]),
                           capture_output=True, text=True, timeout=60)
        control = parse(r.stdout)
        self.assertEqual((control["sethostname"], control["nodename"]), ("ok", "fmr-hostile-name"))
        self.assertEqual(socket.gethostname(), hostname)
